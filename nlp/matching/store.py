"""A store of parsed trials for ranking at registry scale: DuckDB by default, through plain SQL
(parameters with ``?``) so another DB-API database can stand in later.

Three tables:

- ``trials``: the trial id, title and the parsed trial as JSON without entities (the document
  ``elig index`` was given, less the tagged spans);
- ``match_forms``: the same trial in its *match form*, only what matching reads (see
  :func:`match_form`), as the JSON of a ``StoredForm``, with the ``form_version`` that wrote it:
  the trial without its constraints, and per constraint its id and content key
  (``content_keys``);
- ``contents``: each constraint content once, by its content key (the 1,099 ctgov-msc trials
  hold 28,737 constraints of 6,905 contents). The matcher evaluates each content once per
  patient; loading validates each once, when a trial first names it (``StoredContents``).

Ranking reads the two with one query each and validates the rows with pydantic (each content
when a trial first names it: ``StoredContents``)
(``model_validate_json``): no pickle, so loading a store someone else wrote never runs code from
it.

A store written before ``match_forms`` existed (or with forms of another ``form_version``) still
ranks: the trials without a current form are read from ``trials`` (slower), and the next
``elig index`` into the store writes their forms.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

from nlp.core.constraints import AnyConstraint, Constraint
from nlp.core.document import ParsedTrial, parsed_from_json
from nlp.core.loading import DecodedOnUse
from nlp.errors import InputError
from nlp.io import connect_duckdb
from nlp.matching.evaluate import MatchForm, Slot, all_constraints, content_keys

# What the match form holds; a change bumps it (forms of another version are not read).
# 2: topics kept (the matcher's target diagnoses); 3: with the constraints' content keys;
# 4: the constraints' contents once each, in the contents table
FORM_VERSION: Final = 4


class StoredForm(BaseModel):
    """A row of ``match_forms``: the trial's match form without its constraints, and per
    constraint (document order: each criterion's, then the record's) its id and content key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    keys: tuple[str, ...] = Field(description="content_keys(trial): one per constraint, in document order")
    ids: tuple[str, ...] = Field(description="the constraints' ids, in the same order")
    counts: tuple[int, ...] = Field(description="how many constraints each criterion has, then the record")
    trial: ParsedTrial = Field(description="the match form with no constraints")


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
    """
    CREATE TABLE IF NOT EXISTS contents (
        key TEXT PRIMARY KEY,
        form_version INTEGER NOT NULL,
        content TEXT NOT NULL
    )
    """,
)

# The stored trials; the current match forms; the documents of the trials without one, read only
# when there are such trials (a join, or a query for the formless, took as long as the forms)
_TRIAL_IDS = "SELECT trial_id FROM trials WHERE schema_version IN (1, 2)"
_FORMS = "SELECT trial_id, form FROM match_forms WHERE form_version = ?"
_DOCS = "SELECT trial_id, doc FROM trials WHERE schema_version IN (1, 2) AND list_contains(?, trial_id)"


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


def stored_form(doc: ParsedTrial) -> tuple[StoredForm, dict[str, AnyConstraint]]:
    """The ``match_forms`` row of a parsed trial and its constraints by content key (the
    ``contents`` rows: the first constraint of each content, with its evidence dropped)."""
    form = match_form(doc)
    cs = all_constraints(form)
    keys = content_keys(form)
    bare = form.model_copy(update={
        "criteria": tuple(c.model_copy(update={"constraints": ()}) for c in form.criteria), "record_constraints": ()})
    counts = (*(len(c.constraints) for c in form.criteria), len(form.record_constraints))
    contents: dict[str, AnyConstraint] = {}
    for k, c in zip(keys, cs, strict=True):
        contents.setdefault(k, c)
    return StoredForm(keys=keys, ids=tuple(c.id for c in cs), counts=counts, trial=bare), contents


_CONTENT: Any = None  # the TypeAdapter of a constraint, built on first use


class StoredContents(DecodedOnUse[AnyConstraint]):
    """The ``contents`` rows of the store at ``path`` by content key, each validated with pydantic
    when first asked for, then kept: a share of the trials (``elig rank ONE --jobs N``) names about
    60% of them, and validating one at a time took less in all than one pass over the lot. A
    content that does not validate is an ``InputError`` naming the store and the key."""

    def __init__(self, path: str, rows: Iterable[tuple[str, str]]) -> None:
        self.path = path
        super().__init__(dict(rows))

    def _decode(self, key: str, text: str) -> AnyConstraint:
        global _CONTENT
        if _CONTENT is None:
            from pydantic import TypeAdapter

            _CONTENT = TypeAdapter(Constraint)
        try:
            c: AnyConstraint = _CONTENT.validate_json(text)
        except ValueError as exc:
            raise InputError(self.path, f"the stored constraint content {key} is not valid "
                                        f"({type(exc).__name__}); index it again") from None
        return c


def form_of_row(path: str, row: StoredRow, contents: Mapping[str, AnyConstraint]) -> MatchForm:
    """One row of ``TrialStore.match_rows`` validated with pydantic: the trial's ``MatchForm``,
    its constraints taken from ``contents`` (``TrialStore.contents``) by their keys; from its
    document where the trial has no current form (no content keys then). A row that does not
    validate is an ``InputError`` naming the store (``path``) and the trial."""
    tid, form, doc = row
    try:
        if form is None:
            return MatchForm.of(parsed_from_json(doc or ""))
        stored = StoredForm.model_validate_json(form)
        trial = stored.trial
        if len(stored.keys) != len(stored.ids) or len(stored.counts) != len(trial.criteria) + 1 \
                or sum(stored.counts) != len(stored.keys) or any(c.constraints for c in trial.criteria) \
                or trial.record_constraints:
            raise ValueError("one content key and id per constraint, one count per criterion")
        it = zip(stored.ids, stored.keys, strict=True)
        slots = tuple(tuple(Slot(i, contents[k], k) for i, k in itertools.islice(it, n)) for n in stored.counts)
        return MatchForm(trial, slots[:-1], slots[-1])
    except (ValueError, KeyError) as exc:  # pydantic's ValidationError, JSON that does not parse, a missing content
        raise InputError(path, f"stored trial {tid} is not a valid parsed trial "
                               f"({type(exc).__name__}); index it again") from None


def as_trial(form: MatchForm) -> ParsedTrial:
    """The parsed trial a ``MatchForm`` stands for: its slots put back as the constraints of their
    criteria (each with its own id; ``match_form`` of the document it was stored from)."""
    def put(slots: tuple[Slot, ...], crit: str | None) -> tuple[AnyConstraint, ...]:
        return tuple(s.constraint.model_copy(update={"id": s.id, "criterion": crit}) for s in slots)

    t = form.trial
    return t.model_copy(update={
        "criteria": tuple(c.model_copy(update={"constraints": put(s, c.id)}) for c, s in zip(t.criteria, form.slots, strict=True)),
        "record_constraints": put(form.record, None)})


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
        self.path = str(path)
        self.read_only = read_only
        self._new: list[tuple[str, int, str]] = []  # contents to write (``_write_contents``)
        self._stored: set[str] | None = None  # the content keys stored, while writing
        self.con = connect_duckdb(self.path, read_only=read_only)
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
        self._drop_other_versions()
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
        self._write_contents()
        self.upgrade()
        return n

    def _put_form(self, tid: str, doc: ParsedTrial) -> None:
        """The trial's match form; its contents not yet stored wait in ``_new`` for
        ``_write_contents`` (a content key names its content: one row per key)."""
        self.con.execute("DELETE FROM match_forms WHERE trial_id = ?", [tid])
        form, contents = stored_form(doc)
        self.con.execute("INSERT INTO match_forms (trial_id, form_version, form) VALUES (?, ?, ?)",
                         [tid, FORM_VERSION, form.model_dump_json(by_alias=True, exclude_defaults=True)])
        if self._stored is None:
            self._stored = {k for (k,) in self.con.execute("SELECT key FROM contents").fetchall()}
        for key, c in contents.items():
            if key not in self._stored:
                self._stored.add(key)
                self._new.append((key, FORM_VERSION, c.model_dump_json(by_alias=True)))

    def _write_contents(self) -> None:
        for i in range(0, len(self._new), 500):  # many rows a statement (executemany: 0.6 ms a row)
            chunk = self._new[i:i + 500]
            self.con.execute("INSERT INTO contents (key, form_version, content) VALUES " + ", ".join(["(?, ?, ?)"] * len(chunk)),
                             [x for row in chunk for x in row])
        self._new, self._stored = [], None

    def upgrade(self) -> int:
        """Write the current match form of every trial that has none (a store from older code, or
        forms of another ``form_version``); the number written."""
        rows = self.con.execute(
            "SELECT trial_id, doc FROM trials WHERE schema_version IN (1, 2) AND trial_id NOT IN "
            "(SELECT trial_id FROM match_forms WHERE form_version = ?)", [FORM_VERSION]).fetchall()
        self._drop_other_versions()
        for tid, doc in rows:
            self._put_form(tid, parsed_from_json(doc))
        self._write_contents()
        # contents no current form names any more (trials replaced)
        self.con.execute("DELETE FROM contents WHERE key NOT IN (SELECT unnest(CAST(json_extract(form, '$.keys') AS VARCHAR[])) "
                         "FROM match_forms WHERE form_version = ?)", [FORM_VERSION])
        return len(rows)

    def _drop_other_versions(self) -> None:
        """Contents written by another form version go before any is written (a content key names
        the same content in every version: an older row would be kept by the insert)."""
        self.con.execute("DELETE FROM contents WHERE form_version <> ?", [FORM_VERSION])

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
        """Every stored trial as (trial id, match form, document), in trial-id order: the form
        where the trial has a current one, else (form None) its document. Not yet
        validated: ``form_of_row`` makes each a ``MatchForm`` (with ``contents``)."""
        ids = sorted(tid for (tid,) in self.con.execute(_TRIAL_IDS).fetchall())
        forms: dict[str, str] = dict(self.con.execute(_FORMS, [FORM_VERSION]).fetchall()) if self._has_forms() else {}
        formless = [tid for tid in ids if tid not in forms]
        docs: dict[str, str] = dict(self.con.execute(_DOCS, [formless]).fetchall()) if formless else {}
        return [(tid, forms.get(tid), docs.get(tid)) for tid in ids]

    def contents(self) -> StoredContents:
        """Every stored constraint content by its key, read with one query, each validated when
        first used (none for a store written before the contents table)."""
        row = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'contents'").fetchone()
        if not (row and row[0]):
            return StoredContents(self.path, ())
        return StoredContents(self.path, self.con.execute(
            "SELECT key, content FROM contents WHERE form_version = ?", [FORM_VERSION]).fetchall())

    def iter_match_forms(self) -> Iterator[MatchForm]:
        """Every stored trial's ``MatchForm``, in trial-id order, read with two queries (the rows,
        the contents) and validated one trial at a time. A trial without a current form is read
        from its document."""
        contents = self.contents()
        for row in self.match_rows():
            yield form_of_row(self.path, row, contents)

    def match_forms(self) -> list[MatchForm]:
        """All of ``iter_match_forms`` at once (what ranking many patients matches), built with the
        collector off."""
        with collector_off():
            return list(self.iter_match_forms())
