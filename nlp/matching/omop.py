"""Patients read from an OMOP CDM v5.4 warehouse, and a small synthetic warehouse written from
patient records (for tests and examples: clearly marked synthetic, never real data).

``read_patient(con, person_id)`` builds the matcher's ``Patient`` from ``person``,
``observation_period`` (its latest end is the date of the record, ``as_of``, unless given),
``condition_occurrence``, ``drug_exposure``, ``procedure_occurrence``, ``measurement`` (with
``range_low`` / ``range_high``: the patient's own reference range for × ULN) and ``observation``
(numeric values as observations, the rest as findings), each concept named and coded through the
``concept`` table (``vocabulary_id`` + ``concept_code`` -> the code system's URL). Gender concepts
8507 / 8532 are male / female.

``write_warehouse(patients, con)`` writes those tables for a list of patients, with a ``concept``
row per distinct code (made-up concept ids from 2,000,000,000 up, vocabulary as coded; items
without a code get an ``elig-synthetic`` concept). What OMOP has no table for (pregnancy,
lactation, consent and trial participation flags, an age without a birth date) is not written.

``connect(url, write=False)`` opens a DuckDB file (``PATH`` or ``duckdb:///PATH``: the duckdb
connection itself) or a PostgreSQL database (``postgresql://`` / ``postgres://``: psycopg 3 behind
``PgConnection``, which takes the same ``?`` placeholders). The SQL here runs unchanged on both;
``dialect_of(con)`` tells them apart.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from nlp.core.lexicon import LOINC, OMOP_GENDER, OMOP_VOCABULARY, UCUM_SYSTEM
from nlp.errors import InputError
from nlp.io import connect_duckdb
from nlp.matching.patient import (
    Patient,
    PCode,
    PCondition,
    PObservation,
    PProcedure,
    PTherapy,
    RefRange,
)

SYSTEM_OF = {v: k for k, v in OMOP_VOCABULARY.items()}  # OMOP vocabulary_id -> code system URL
SYNTHETIC = "elig-synthetic"  # the vocabulary of made-up concepts for items without a code
GENDER = {cid: sex for sex, cid in OMOP_GENDER.items()}
FIRST_ID = 2_000_000_000  # synthetic concept ids: far above Athena's

# OMOP CDM v5.4, the columns read and written here
DDL = (
    ("CREATE TABLE IF NOT EXISTS person (person_id BIGINT PRIMARY KEY, gender_concept_id INTEGER, year_of_birth INTEGER, "
    "month_of_birth INTEGER, day_of_birth INTEGER, birth_datetime TIMESTAMP, person_source_value TEXT)"),
    ("CREATE TABLE IF NOT EXISTS observation_period (observation_period_id BIGINT, person_id BIGINT, "
    "observation_period_start_date DATE, observation_period_end_date DATE, period_type_concept_id INTEGER)"),
    ("CREATE TABLE IF NOT EXISTS condition_occurrence (condition_occurrence_id BIGINT, person_id BIGINT, "
    "condition_concept_id INTEGER, condition_start_date DATE, condition_end_date DATE, "
    "condition_type_concept_id INTEGER, condition_status_source_value TEXT)"),
    ("CREATE TABLE IF NOT EXISTS drug_exposure (drug_exposure_id BIGINT, person_id BIGINT, drug_concept_id INTEGER, "
    "drug_exposure_start_date DATE, drug_exposure_end_date DATE, drug_type_concept_id INTEGER)"),
    ("CREATE TABLE IF NOT EXISTS procedure_occurrence (procedure_occurrence_id BIGINT, person_id BIGINT, "
    "procedure_concept_id INTEGER, procedure_date DATE, procedure_type_concept_id INTEGER)"),
    ("CREATE TABLE IF NOT EXISTS measurement (measurement_id BIGINT, person_id BIGINT, measurement_concept_id INTEGER, "
    "measurement_date DATE, value_as_number DOUBLE PRECISION, unit_concept_id INTEGER, range_low DOUBLE PRECISION, "
    "range_high DOUBLE PRECISION, measurement_type_concept_id INTEGER)"),
    ("CREATE TABLE IF NOT EXISTS observation (observation_id BIGINT, person_id BIGINT, observation_concept_id INTEGER, "
    "observation_date DATE, value_as_number DOUBLE PRECISION, unit_concept_id INTEGER, "
    "observation_type_concept_id INTEGER)"),
    ("CREATE TABLE IF NOT EXISTS concept (concept_id INTEGER PRIMARY KEY, concept_name TEXT, domain_id TEXT, "
    "vocabulary_id TEXT, concept_class_id TEXT, standard_concept TEXT, concept_code TEXT, "
    "valid_start_date DATE, valid_end_date DATE, invalid_reason TEXT)"),
)
EHR = 32817  # type concept "EHR"
INSERTS = {  # what write_warehouse writes, table by table
    "person": "INSERT INTO person VALUES (?, ?, ?, ?, ?, ?, ?)",
    "observation_period": "INSERT INTO observation_period VALUES (?, ?, ?, ?, ?)",
    "condition_occurrence": "INSERT INTO condition_occurrence VALUES (?, ?, ?, ?, ?, ?, ?)",
    "drug_exposure": "INSERT INTO drug_exposure VALUES (?, ?, ?, ?, ?, ?)",
    "procedure_occurrence": "INSERT INTO procedure_occurrence VALUES (?, ?, ?, ?, ?)",
    "measurement": "INSERT INTO measurement VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "concept": "INSERT INTO concept VALUES (?, ?, ?, ?, ?, ?, ?, DATE '1970-01-01', DATE '2099-12-31', NULL)",
}


def code_of(vocabulary: str | None, code: str | None, broader: tuple[PCode, ...] = ()) -> PCode | None:
    system = SYSTEM_OF.get(vocabulary or "")
    return PCode(system=system, code=code, broader=broader) if system and code else None


def broader_codes(con: Any, concept_ids: Iterable[Any]) -> dict[int, tuple[PCode, ...]]:
    """Per concept id, the codes (of the vocabularies we read) of its ancestors in the
    warehouse's ``concept_ancestor``, sorted; empty when the warehouse has no such table."""
    ids = sorted({int(c) for c in concept_ids if c is not None})
    if not ids:
        return {}
    try:
        con.execute("SELECT ancestor_concept_id, descendant_concept_id FROM concept_ancestor LIMIT 0").fetchall()
    except Exception:  # optional in a CDM: a warehouse without the vocabulary's hierarchy
        return {}
    out: dict[int, set[PCode]] = {}
    for i in range(0, len(ids), 1000):
        for cid, voc, code in con.execute(
                "SELECT a.descendant_concept_id, c.vocabulary_id, c.concept_code FROM concept_ancestor a "
                "JOIN concept c ON c.concept_id = a.ancestor_concept_id WHERE a.ancestor_concept_id <> "
                f"a.descendant_concept_id AND a.descendant_concept_id IN ({', '.join(map(str, ids[i:i + 1000]))})").fetchall():
            if (pc := code_of(voc, code)) is not None:
                out.setdefault(int(cid), set()).add(pc)
    return {cid: tuple(sorted(codes, key=lambda c: (c.system, c.code))) for cid, codes in out.items()}


def read_patient(con: Any, person_id: int, as_of: dt.date | None = None, source: str = "omop") -> Patient:
    """The person as the matcher's ``Patient``; ``InputError`` (naming ``source``) when the
    person is not there or the tables are not an OMOP CDM."""

    def rows(sql: str) -> list[tuple[Any, ...]]:
        try:
            return con.execute(sql, [person_id]).fetchall()
        except Exception as exc:  # the driver's own error types (DuckDB, psycopg): a table or column missing
            raise InputError(source, f"not an OMOP CDM database ({_one_line(exc)})") from None

    found = rows("SELECT gender_concept_id, year_of_birth, month_of_birth, day_of_birth, birth_datetime "
                 "FROM person WHERE person_id = ?")
    if not found:
        raise InputError(source, f"no person {person_id}")
    gender, year, month, day, born = found[0]
    birth = born.date() if isinstance(born, dt.datetime) else born if isinstance(born, dt.date) else (
        dt.date(year, month or 1, day or 1) if year else None)
    if as_of is None:
        end = rows("SELECT max(observation_period_end_date) FROM observation_period WHERE person_id = ?")
        as_of = end[0][0] if end and end[0][0] else dt.date.today()
        if isinstance(as_of, dt.datetime):
            as_of = as_of.date()

    concept = "LEFT JOIN concept c ON c.concept_id = t.{col}"
    cond_rows = rows("SELECT t.condition_concept_id, c.concept_name, c.vocabulary_id, c.concept_code, "
                     "t.condition_start_date, t.condition_end_date, t.condition_status_source_value "
                     "FROM condition_occurrence t " + concept.format(col="condition_concept_id")
                     + " WHERE t.person_id = ? ORDER BY t.condition_occurrence_id")
    drug_rows = rows("SELECT t.drug_concept_id, c.concept_name, c.vocabulary_id, c.concept_code, "
                     "t.drug_exposure_start_date, t.drug_exposure_end_date FROM drug_exposure t "
                     + concept.format(col="drug_concept_id") + " WHERE t.person_id = ? ORDER BY t.drug_exposure_id")
    proc_rows = rows("SELECT t.procedure_concept_id, c.concept_name, c.vocabulary_id, c.concept_code, t.procedure_date "
                     "FROM procedure_occurrence t " + concept.format(col="procedure_concept_id")
                     + " WHERE t.person_id = ? ORDER BY t.procedure_occurrence_id")
    obs_rows = [(table, r) for table, col, extra in (("measurement", "measurement", ", t.range_low, t.range_high"),
                                                    ("observation", "observation", ", NULL, NULL"))
                for r in rows(f"SELECT t.{col}_concept_id, c.concept_name, c.vocabulary_id, c.concept_code, t.{col}_date, "
                              f"t.value_as_number, u.concept_code{extra} FROM {table} t "
                              + concept.format(col=f"{col}_concept_id")
                              + f" LEFT JOIN concept u ON u.concept_id = t.unit_concept_id WHERE t.person_id = ? "
                              f"ORDER BY t.{col}_id")]
    up = broader_codes(con, [r[0] for r in (*cond_rows, *drug_rows, *proc_rows)] + [r[0] for _, r in obs_rows])

    def code_at(cid: Any, voc: str | None, code: str | None) -> PCode | None:
        return code_of(voc, code, up.get(int(cid), ()) if cid is not None else ())

    conditions = [PCondition(name=name or f"concept {cid}", code=code_at(cid, voc, code), onset=start, abatement=end,
                             status=status if status in ("active", "resolved", "inactive", "remission", "recurrence")
                             else ("resolved" if end is not None and end <= as_of else None))
                  for cid, name, voc, code, start, end, status in cond_rows]
    therapies = [PTherapy(name=name or f"concept {cid}", code=code_at(cid, voc, code), start=start, end=end)
                 for cid, name, voc, code, start, end in drug_rows]
    procedures = [PProcedure(name=name or f"concept {cid}", code=code_at(cid, voc, code), date=day_)
                  for cid, name, voc, code, day_ in proc_rows]
    observations = []
    for table, (cid, name, voc, code, day_, value, unit, low, high) in obs_rows:
        if value is None:
            if table == "observation":  # a finding without a value ("smoker"): listed like a condition
                conditions.append(PCondition(name=name or f"concept {cid}", code=code_at(cid, voc, code), onset=day_))
            continue
        value, low, high = _number(value), _number(low), _number(high)  # NUMERIC in a CDM's own DDL: Decimal
        ref = RefRange(low=low, high=high) if low is not None or high is not None else None
        observations.append(PObservation(name=name or f"concept {cid}", code=code_at(cid, voc, code), value=value,
                                          unit=unit, reference_range=ref, date=day_))
    try:
        return Patient(id=str(person_id), as_of=as_of, birth_date=birth, sex=GENDER.get(gender, "unknown"),
                       conditions=tuple(conditions), therapies=tuple(therapies), procedures=tuple(procedures),
                       observations=tuple(observations))
    except ValueError as exc:
        raise InputError(source, f"person {person_id} is not a valid patient record ({exc})") from None


def _number(x: Any) -> Any:
    return float(x) if isinstance(x, Decimal) else x


def _one_line(exc: BaseException) -> str:
    """The error's type and the first line of its message (drivers' messages run on with hints)."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0].strip()}" if lines else type(exc).__name__


class _Concepts:
    """Synthetic concept ids for (vocabulary, code) or, without a code, for the item's name."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[int, str, str]] = {}

    def id(self, name: str, code: PCode | None, domain: str) -> int:
        vocab = OMOP_VOCABULARY.get(code.system, SYNTHETIC) if code else SYNTHETIC
        key = (vocab, code.code if code and vocab != SYNTHETIC else name.lower())
        if key not in self.rows:
            self.rows[key] = (FIRST_ID + len(self.rows), name, domain)
        return self.rows[key][0]


def write_warehouse(patients: Sequence[Patient], con: Any, first_person: int = 1) -> list[int]:
    """Write the patients into OMOP CDM tables (created if missing); their person ids, in order.
    ``con`` is a DuckDB connection or a ``PgConnection``; rows go in 1,000 a statement."""
    for stmt in DDL:
        con.execute(stmt)
    concepts = _Concepts()
    ids: list[int] = []
    rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in INSERTS}
    for i, p in enumerate(patients):
        pid = first_person + i
        ids.append(pid)
        gender = OMOP_GENDER.get(p.sex or "", 0)
        b = p.birth_date
        rows["person"].append((pid, gender, b.year if b else None, b.month if b else None, b.day if b else None, b, p.id))
        rows["observation_period"].append((pid, pid, dt.date(1900, 1, 1), p.as_of, EHR))
        for x in p.conditions:
            rows["condition_occurrence"].append((len(rows["condition_occurrence"]) + 1, pid,
                                                 concepts.id(x.name, x.code, "Condition"), x.onset, x.abatement, EHR,
                                                 x.status))
        for t in p.therapies:
            rows["drug_exposure"].append((len(rows["drug_exposure"]) + 1, pid, concepts.id(t.name, t.code, "Drug"),
                                          t.start, t.end, EHR))
        for r in p.procedures:
            rows["procedure_occurrence"].append((len(rows["procedure_occurrence"]) + 1, pid,
                                                 concepts.id(r.name, r.code, "Procedure"), r.date, EHR))
        for o in _observations(p):
            unit = concepts.id(o.unit, PCode(system=UCUM_SYSTEM, code=o.unit), "Unit") if o.unit else None
            ref = o.reference_range
            rows["measurement"].append((len(rows["measurement"]) + 1, pid, concepts.id(o.name, o.code, "Measurement"),
                                        o.date, o.value, unit, ref.low if ref else None, ref.high if ref else None, EHR))
    rows["concept"] = [(cid, name, domain, vocab, "Synthetic", "S", code)
                       for (vocab, code), (cid, name, domain) in concepts.rows.items()]
    for table, sql in INSERTS.items():
        _insert(con, sql, rows[table])
    return ids


def _insert(con: Any, sql: str, rows: Sequence[tuple[Any, ...]], batch: int = 1000) -> None:
    """``sql`` (one row's INSERT … VALUES (…)) for every row, ``batch`` rows a statement: DuckDB's
    executemany runs a statement per row (10,000 synthetic persons took 186 s)."""
    head, row = sql.split(" VALUES ", 1)
    if rows and not isinstance(con, PgConnection) and row == "(" + ", ".join("?" * len(rows[0])) + ")":
        _copy_csv(con, head.removeprefix("INSERT INTO "), rows)
        return
    for i in range(0, len(rows), batch):
        part = rows[i:i + batch]
        con.execute(f"{head} VALUES {', '.join([row] * len(part))}", [v for r in part for v in r])


def _observations(p: Patient) -> Iterable[PObservation]:
    """The patient's observations, with weight and height as measurements (LOINC 29463-7, 8302-2)."""
    yield from p.observations
    for q, loinc, name in ((p.weight, "29463-7", "Body weight"), (p.height, "8302-2", "Body height")):
        if q is not None:
            yield PObservation(name=name, code=PCode(system=LOINC, code=loinc), value=q.value, unit=q.unit, date=p.as_of)


def _copy_csv(con: Any, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """DuckDB: the rows through a temporary CSV file and COPY; NULL is an unquoted \\N, every
    string is quoted (so an empty string stays one)."""
    import tempfile

    def field(v: Any) -> str:
        if v is None:
            return "\\N"
        if isinstance(v, str):
            return '"' + v.replace('"', '""') + '"'
        return v.isoformat() if isinstance(v, dt.date) else repr(v)

    with tempfile.TemporaryDirectory(prefix="elig-omop-") as tmp:
        path = os.path.join(tmp, f"{table}.csv")
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(",".join(map(field, r)) + "\n" for r in rows)
        con.execute(f"COPY {table} FROM '{path}' (FORMAT csv, HEADER false, NULL '\\N', QUOTE '\"', ESCAPE '\"')")


PG_SCHEMES = ("postgresql://", "postgres://")


def duckdb_path(url: str) -> str:
    """The file a DuckDB URL (``PATH`` or ``duckdb:///PATH``) names."""
    return url.removeprefix("duckdb:///").removeprefix("duckdb://")


def connect(url: str, write: bool = False) -> tuple[Any, str]:
    """A connection to an OMOP database and the name errors give it: a DuckDB file or
    ``duckdb:///PATH`` (the duckdb connection itself, read-only unless ``write``; named by its path)
    or a ``postgresql://`` / ``postgres://`` URL (a ``PgConnection``, autocommit, its transactions
    read-only unless ``write``; named by the URL with its password masked). ``InputError`` when it
    cannot be opened or reached."""
    if url.startswith(PG_SCHEMES):
        return _connect_postgres(url, write), masked(url)
    path = duckdb_path(url)
    import duckdb

    try:
        return connect_duckdb(path, read_only=not write), path
    except duckdb.Error as exc:
        raise InputError(path, f"cannot open the OMOP database ({_one_line(exc)})") from None


def dialect_of(con: Any) -> str:
    """``"postgres"`` for a ``PgConnection``, ``"duckdb"`` for a DuckDB connection."""
    return con.dialect if isinstance(con, PgConnection) else "duckdb"


def masked(url: str) -> str:
    """The URL with its password (``user:PASSWORD@`` or ``password=`` in the query) as ``***``."""
    scheme, sep, rest = url.partition("://")
    cut = next((i for i, ch in enumerate(rest) if ch in "/?#"), len(rest))  # the end of user:password@host:port
    netloc, tail = rest[:cut], rest[cut:]
    if "@" in netloc:
        creds, host = netloc.rsplit("@", 1)
        if ":" in creds:
            netloc = f"{creds.split(':', 1)[0]}:***@{host}"
    tail = re.sub(r"([?&]password=)[^&#]*", r"\1***", tail)
    return f"{scheme}{sep}{netloc}{tail}"


def _connect_postgres(url: str, write: bool) -> PgConnection:
    import psycopg

    try:
        con = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:  # unreachable, refused, bad credentials, no such database, a malformed URL
        raise InputError(masked(url), f"cannot connect to the OMOP database ({_one_line(exc)})") from None
    if not write:  # as DuckDB's read_only: every statement's transaction is read-only
        try:
            con.execute("SET default_transaction_read_only = on")
        except psycopg.Error as exc:
            con.close()
            raise InputError(masked(url), f"cannot connect to the OMOP database ({_one_line(exc)})") from None
    return PgConnection(con)


def pg_sql(sql: str) -> str:
    """DuckDB's ``?`` placeholders as psycopg's ``%s`` (outside quoted strings and names), and every
    ``%`` doubled (psycopg reads ``%`` everywhere in a query with parameters)."""
    out: list[str] = []
    quote = ""
    for ch in sql:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        out.append("%%" if ch == "%" else ch)
    return "".join(out)


class PgConnection:
    """A psycopg 3 connection with the part of DuckDB's face this module uses: ``execute(sql,
    params)`` with ``?`` placeholders, returning a cursor (``fetchone`` / ``fetchall``),
    ``executemany``, ``close``. Autocommit: each statement is its own transaction, so a failed
    query (a table not there) leaves the connection usable, as DuckDB's does."""

    dialect = "postgres"

    def __init__(self, raw: Any) -> None:
        self.raw = raw  # the psycopg.Connection

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        return self.raw.execute(sql if params is None else pg_sql(sql), params)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> None:
        with self.raw.cursor() as cur:
            cur.executemany(pg_sql(sql), seq)

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
