"""A store of parsed trials for ranking at registry scale: DuckDB by default, through plain SQL
(one table, parameters with ``?``) so another DB-API database can stand in later.

Each row keeps the trial id, title and the parsed trial as JSON without entities (matching needs
the constraints, the criteria tree and the evidence, not the tagged spans).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from nlp.core.document import ParsedTrial, parsed_from_json

_SCHEMA = """
CREATE TABLE IF NOT EXISTS trials (
    trial_id TEXT PRIMARY KEY,
    title TEXT,
    schema_version INTEGER NOT NULL,
    doc TEXT NOT NULL
)
"""


def compact(doc: ParsedTrial) -> ParsedTrial:
    """The parsed trial without entities (about a third of the size)."""
    return doc.model_copy(update={"criteria": tuple(c.model_copy(update={"entities": ()}) for c in doc.criteria)})


class TrialStore:
    def __init__(self, path: str | Path) -> None:
        import duckdb

        self.path = str(path)
        self.con = duckdb.connect(self.path)
        self.con.execute(_SCHEMA)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> TrialStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put(self, docs: Iterable[ParsedTrial]) -> int:
        n = 0
        for doc in docs:
            tid = doc.record.nct_id or doc.record.source
            self.con.execute("DELETE FROM trials WHERE trial_id = ?", [tid])
            self.con.execute(
                "INSERT INTO trials (trial_id, title, schema_version, doc) VALUES (?, ?, ?, ?)",
                [tid, doc.record.brief_title, doc.schema_version, compact(doc).model_dump_json(by_alias=True)],
            )
            n += 1
        return n

    def count(self) -> int:
        row = self.con.execute("SELECT count(*) FROM trials").fetchone()
        assert row is not None  # an aggregate without GROUP BY always returns one row
        return int(row[0])

    def trials(self) -> Iterator[ParsedTrial]:
        rows = self.con.execute("SELECT doc FROM trials WHERE schema_version IN (1, 2) ORDER BY trial_id").fetchall()
        for (doc,) in rows:
            yield parsed_from_json(doc)  # a version-1 row is upgraded on read
