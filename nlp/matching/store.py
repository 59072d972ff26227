"""A store of parsed trials for ranking at registry scale: DuckDB by default, through plain SQL
(parameters with ``?``) so another DB-API database can stand in later.

Two tables:

- ``trials``: the trial id, title and the parsed trial as JSON without entities (the document
  ``elig index`` was given, less the tagged spans);
- ``match_forms``: the same trial in its *match form*, only what matching reads (see
  :func:`match_form`), with a content key per constraint (``content_keys``: the matcher evaluates
  each content once per patient), as the JSON of a ``StoredForm``, with the ``form_version`` that
  wrote it. Ranking reads this table with one query and validates each row with pydantic
  (``model_validate_json``): no pickle, so loading a store someone else wrote never runs code
  from it.

A store written before ``match_forms`` existed (or with forms of another ``form_version``) still
ranks: the trials without a current form are read from ``trials`` (slower), and the next
``elig index`` into the store writes their forms.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

from nlp.core.constraints import AnyConstraint
from nlp.core.document import ParsedTrial, parsed_from_json
from nlp.errors import InputError
from nlp.matching.evaluate import content_keys

# What the match form holds; a change bumps it (forms of another version are not read).
# 2: topics kept (the matcher's target diagnoses); 3: with the constraints' content keys
FORM_VERSION: Final = 3


class StoredForm(BaseModel):
    """A row of ``match_forms``: the trial's match form and its ``content_keys``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    keys: tuple[str, ...] = Field(description="content_keys(trial): one per constraint, in document order")
    trial: ParsedTrial

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS trials (
        trial_id TEXT PRIMARY KEY,
        title TEXT,
        schema_version INTEGER NOT NULL,
        doc TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS match_forms (
        trial_id TEXT PRIMARY KEY,
        form_version INTEGER NOT NULL,
        form TEXT NOT NULL
    )
    """,
)

# Each trial's current match form, or its document where it has none.
_MATCH_ROWS = """
SELECT t.trial_id, m.form, CASE WHEN m.form IS NULL THEN t.doc END
FROM trials t LEFT JOIN match_forms m ON m.trial_id = t.trial_id AND m.form_version = ?
WHERE t.schema_version IN (1, 2)
ORDER BY t.trial_id
"""
_DOC_ROWS = "SELECT trial_id, NULL, doc FROM trials WHERE schema_version IN (1, 2) ORDER BY trial_id"


def compact(doc: ParsedTrial) -> ParsedTrial:
    """The parsed trial without entities (about a third of the size)."""
    return doc.model_copy(update={"criteria": tuple(c.model_copy(update={"entities": ()}) for c in doc.criteria)})


def _bare(constraints: Iterable[AnyConstraint]) -> tuple[AnyConstraint, ...]:
    return tuple(c.model_copy(update={"evidence": None}) for c in constraints)


def match_form(doc: ParsedTrial) -> ParsedTrial:
    """What matching reads of a parsed trial: the record's fields without its eligibility text,
    every criterion (id, parent, section, text, offsets, logic, reason, ...) without entities, and
    the constraints without their evidence spans, the topics (the trial's target diagnoses); no
    headers or warnings. The same
    MatchReport as the full document, from about half of the objects to build on load."""
    return doc.model_copy(update={
        "record": doc.record.model_copy(update={"eligibility_text": ""}),
        "headers": (),
        "criteria": tuple(c.model_copy(update={"entities": (), "constraints": _bare(c.constraints)}) for c in doc.criteria),
        "record_constraints": _bare(doc.record_constraints),
        "warnings": (),
    })


# a stored trial as read: (trial id, match form or None, document where there is no current form)
StoredRow = tuple[str, str | None, str | None]


def form_of_row(path: str, row: StoredRow) -> tuple[ParsedTrial, tuple[str, ...] | None]:
    """One row of ``TrialStore.match_rows`` validated with pydantic: the trial with its content
    keys (from its form), or without (None: from its document, where the trial has no current
    form). A row that does not validate is an ``InputError`` naming the store (``path``) and the
    trial."""
    tid, form, doc = row
    try:
        if form is None:
            return parsed_from_json(doc or ""), None
        stored = StoredForm.model_validate_json(form)
        if len(stored.keys) != sum(len(c.constraints) for c in stored.trial.criteria) + len(stored.trial.record_constraints):
            raise ValueError("one content key per constraint")
        return stored.trial, stored.keys
    except ValueError as exc:  # pydantic's ValidationError, or JSON that does not parse
        raise InputError(path, f"stored trial {tid} is not a valid parsed trial "
                               f"({type(exc).__name__}); index it again") from None


def trial_of_row(path: str, row: StoredRow) -> ParsedTrial:
    """The trial of one row of ``TrialStore.match_rows`` (``form_of_row``)."""
    return form_of_row(path, row)[0]


@contextmanager
def collector_off() -> Iterator[None]:
    """Build many objects without the cyclic collector running over them: loading the trials
    (none can form a cycle; the collector's passes were most of the load time), or ranking a
    patient (its reports are acyclic and freed by reference counting)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class TrialStore:
    """``read_only`` opens an existing store without writing to it (several processes may read one
    store at once; a file shared read-only still ranks)."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        import duckdb

        self.path = str(path)
        self.read_only = read_only
        self.con = duckdb.connect(self.path, read_only=read_only)
        if not read_only:
            for statement in _SCHEMA:
                self.con.execute(statement)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> TrialStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _has_forms(self) -> bool:
        row = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'match_forms'").fetchone()
        return bool(row and row[0])

    def put(self, docs: Iterable[ParsedTrial]) -> int:
        """Store (or replace) trials with their match forms; then write the forms that trials
        stored by older code lack, so the whole store loads fast."""
        n = 0
        for doc in docs:
            tid = doc.record.nct_id or doc.record.source
            self.con.execute("DELETE FROM trials WHERE trial_id = ?", [tid])
            self.con.execute(
                "INSERT INTO trials (trial_id, title, schema_version, doc) VALUES (?, ?, ?, ?)",
                [tid, doc.record.brief_title, doc.schema_version, compact(doc).model_dump_json(by_alias=True)],
            )
            self._put_form(tid, doc)
            n += 1
        self.upgrade()
        return n

    def _put_form(self, tid: str, doc: ParsedTrial) -> None:
        self.con.execute("DELETE FROM match_forms WHERE trial_id = ?", [tid])
        form = match_form(doc)
        self.con.execute("INSERT INTO match_forms (trial_id, form_version, form) VALUES (?, ?, ?)",
                         [tid, FORM_VERSION, StoredForm(keys=content_keys(form), trial=form).model_dump_json(by_alias=True)])

    def upgrade(self) -> int:
        """Write the current match form of every trial that has none (a store from older code, or
        forms of another ``form_version``); the number written."""
        rows = self.con.execute(
            "SELECT trial_id, doc FROM trials WHERE schema_version IN (1, 2) AND trial_id NOT IN "
            "(SELECT trial_id FROM match_forms WHERE form_version = ?)", [FORM_VERSION]).fetchall()
        for tid, doc in rows:
            self._put_form(tid, parsed_from_json(doc))
        return len(rows)

    def count(self) -> int:
        row = self.con.execute("SELECT count(*) FROM trials").fetchone()
        assert row is not None  # an aggregate without GROUP BY always returns one row
        return int(row[0])

    def trials(self, batch: int = 64) -> Iterator[ParsedTrial]:
        """The stored documents (without entities), in trial-id order, fetched ``batch`` rows at a
        time (a report over the whole store holds a few documents, not all of them)."""
        cur = self.con.execute("SELECT doc FROM trials WHERE schema_version IN (1, 2) ORDER BY trial_id")
        while rows := cur.fetchmany(batch):
            for (doc,) in rows:
                yield parsed_from_json(doc)  # a version-1 row is upgraded on read

    def match_rows(self) -> list[StoredRow]:
        """Every stored trial as (trial id, match form, document), in trial-id order, with one
        query: the form where the trial has a current one, else (form None) its document. Not yet
        validated: ``trial_of_row`` makes each a ``ParsedTrial``."""
        params: list[Any] = [FORM_VERSION]
        if self._has_forms():
            return self.con.execute(_MATCH_ROWS, params).fetchall()
        return self.con.execute(_DOC_ROWS).fetchall()

    def iter_match_trials(self) -> Iterator[ParsedTrial]:
        """Every stored trial in its match form, in trial-id order, read with one query and
        validated one at a time (what ``elig rank`` matches for one patient: only one trial is
        built at a time). A trial without a current form is read from its document."""
        for row in self.match_rows():
            yield trial_of_row(self.path, row)

    def match_forms(self) -> list[tuple[ParsedTrial, tuple[str, ...] | None]]:
        """Every stored trial (``iter_match_trials``) with its content keys (None where read from
        its document), built with the collector off: what ranking many patients matches."""
        with collector_off():
            return [form_of_row(self.path, row) for row in self.match_rows()]

    def match_trials(self) -> list[ParsedTrial]:
        """All of ``iter_match_trials`` at once (for many patients), built with the collector off."""
        with collector_off():
            return list(self.iter_match_trials())
