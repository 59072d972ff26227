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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from nlp.core.lexicon import LOINC, OMOP_GENDER, OMOP_VOCABULARY, UCUM_SYSTEM
from nlp.errors import InputError
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
    "measurement_date DATE, value_as_number DOUBLE, unit_concept_id INTEGER, range_low DOUBLE, range_high DOUBLE, "
    "measurement_type_concept_id INTEGER)"),
    ("CREATE TABLE IF NOT EXISTS observation (observation_id BIGINT, person_id BIGINT, observation_concept_id INTEGER, "
    "observation_date DATE, value_as_number DOUBLE, unit_concept_id INTEGER, observation_type_concept_id INTEGER)"),
    ("CREATE TABLE IF NOT EXISTS concept (concept_id INTEGER PRIMARY KEY, concept_name TEXT, domain_id TEXT, "
    "vocabulary_id TEXT, concept_class_id TEXT, standard_concept TEXT, concept_code TEXT, "
    "valid_start_date DATE, valid_end_date DATE, invalid_reason TEXT)"),
)
EHR = 32817  # type concept "EHR"


def _code(vocabulary: str | None, code: str | None) -> PCode | None:
    system = SYSTEM_OF.get(vocabulary or "")
    return PCode(system=system, code=code) if system and code else None


def read_patient(con: Any, person_id: int, as_of: dt.date | None = None, source: str = "omop") -> Patient:
    """The person as the matcher's ``Patient``; ``InputError`` (naming ``source``) when the
    person is not there or the tables are not an OMOP CDM."""
    try:
        row = con.execute("SELECT gender_concept_id, year_of_birth, month_of_birth, day_of_birth, birth_datetime "
                          "FROM person WHERE person_id = ?", [person_id]).fetchone()
    except Exception as exc:  # the driver's own error types (DuckDB, psycopg)
        raise InputError(source, f"not an OMOP CDM database ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
    if row is None:
        raise InputError(source, f"no person {person_id}")
    gender, year, month, day, born = row
    birth = born.date() if isinstance(born, dt.datetime) else born if isinstance(born, dt.date) else (
        dt.date(year, month or 1, day or 1) if year else None)
    if as_of is None:
        end = con.execute("SELECT max(observation_period_end_date) FROM observation_period WHERE person_id = ?",
                          [person_id]).fetchone()
        as_of = end[0] if end and end[0] else dt.date.today()

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return con.execute(sql, [person_id]).fetchall()

    concept = "LEFT JOIN concept c ON c.concept_id = t.{col}"
    conditions = [PCondition(name=name or f"concept {cid}", code=_code(voc, code), onset=start, abatement=end,
                             status=status if status in ("active", "resolved", "inactive", "remission", "recurrence")
                             else ("resolved" if end is not None and end <= as_of else None))
                  for cid, name, voc, code, start, end, status in rows(
                      "SELECT t.condition_concept_id, c.concept_name, c.vocabulary_id, c.concept_code, "
                      "t.condition_start_date, t.condition_end_date, t.condition_status_source_value "
                      "FROM condition_occurrence t " + concept.format(col="condition_concept_id")
                      + " WHERE t.person_id = ? ORDER BY t.condition_occurrence_id")]
    therapies = [PTherapy(name=name or f"concept {cid}", code=_code(voc, code), start=start, end=end)
                 for cid, name, voc, code, start, end in rows(
                     "SELECT t.drug_concept_id, c.concept_name, c.vocabulary_id, c.concept_code, "
                     "t.drug_exposure_start_date, t.drug_exposure_end_date FROM drug_exposure t "
                     + concept.format(col="drug_concept_id") + " WHERE t.person_id = ? ORDER BY t.drug_exposure_id")]
    procedures = [PProcedure(name=name or f"concept {cid}", code=_code(voc, code), date=day_)
                  for cid, name, voc, code, day_ in rows(
                      "SELECT t.procedure_concept_id, c.concept_name, c.vocabulary_id, c.concept_code, t.procedure_date "
                      "FROM procedure_occurrence t " + concept.format(col="procedure_concept_id")
                      + " WHERE t.person_id = ? ORDER BY t.procedure_occurrence_id")]
    observations = []
    for table, col, extra in (("measurement", "measurement", ", t.range_low, t.range_high"),
                              ("observation", "observation", ", NULL, NULL")):
        for cid, name, voc, code, day_, value, unit, low, high in rows(
                f"SELECT t.{col}_concept_id, c.concept_name, c.vocabulary_id, c.concept_code, t.{col}_date, "
                f"t.value_as_number, u.concept_code{extra} FROM {table} t "
                + concept.format(col=f"{col}_concept_id")
                + f" LEFT JOIN concept u ON u.concept_id = t.unit_concept_id WHERE t.person_id = ? ORDER BY t.{col}_id"):
            if value is None:
                if table == "observation":  # a finding without a value ("smoker"): listed like a condition
                    conditions.append(PCondition(name=name or f"concept {cid}", code=_code(voc, code), onset=day_))
                continue
            ref = RefRange(low=low, high=high) if low is not None or high is not None else None
            observations.append(PObservation(name=name or f"concept {cid}", code=_code(voc, code), value=value,
                                              unit=unit, reference_range=ref, date=day_))
    try:
        return Patient(id=str(person_id), as_of=as_of, birth_date=birth, sex=GENDER.get(gender, "unknown"),
                       conditions=tuple(conditions), therapies=tuple(therapies), procedures=tuple(procedures),
                       observations=tuple(observations))
    except ValueError as exc:
        raise InputError(source, f"person {person_id} is not a valid patient record ({exc})") from None


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
    """Write the patients into OMOP CDM tables (created if missing); their person ids, in order."""
    for stmt in DDL:
        con.execute(stmt)
    concepts = _Concepts()
    ids: list[int] = []
    n = {"c": 0, "d": 0, "p": 0, "m": 0}
    for i, p in enumerate(patients):
        pid = first_person + i
        ids.append(pid)
        gender = OMOP_GENDER.get(p.sex or "", 0)
        b = p.birth_date
        con.execute("INSERT INTO person VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [pid, gender, b.year if b else None, b.month if b else None, b.day if b else None, b, p.id])
        con.execute("INSERT INTO observation_period VALUES (?, ?, ?, ?, ?)",
                    [pid, pid, dt.date(1900, 1, 1), p.as_of, EHR])
        for x in p.conditions:
            n["c"] += 1
            con.execute("INSERT INTO condition_occurrence VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [n["c"], pid, concepts.id(x.name, x.code, "Condition"), x.onset, x.abatement, EHR, x.status])
        for t in p.therapies:
            n["d"] += 1
            con.execute("INSERT INTO drug_exposure VALUES (?, ?, ?, ?, ?, ?)",
                        [n["d"], pid, concepts.id(t.name, t.code, "Drug"), t.start, t.end, EHR])
        for r in p.procedures:
            n["p"] += 1
            con.execute("INSERT INTO procedure_occurrence VALUES (?, ?, ?, ?, ?)",
                        [n["p"], pid, concepts.id(r.name, r.code, "Procedure"), r.date, EHR])
        for o in _observations(p):
            n["m"] += 1
            unit = concepts.id(o.unit, PCode(system=UCUM_SYSTEM, code=o.unit), "Unit") if o.unit else None
            ref = o.reference_range
            con.execute("INSERT INTO measurement VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [n["m"], pid, concepts.id(o.name, o.code, "Measurement"), o.date, o.value, unit,
                         ref.low if ref else None, ref.high if ref else None, EHR])
    con.executemany("INSERT INTO concept VALUES (?, ?, ?, ?, ?, ?, ?, DATE '1970-01-01', DATE '2099-12-31', NULL)",
                    [(cid, name, domain, vocab, "Synthetic", "S", code)
                     for (vocab, code), (cid, name, domain) in concepts.rows.items()])
    return ids


def _observations(p: Patient) -> Iterable[PObservation]:
    """The patient's observations, with weight and height as measurements (LOINC 29463-7, 8302-2)."""
    yield from p.observations
    for q, loinc, name in ((p.weight, "29463-7", "Body weight"), (p.height, "8302-2", "Body height")):
        if q is not None:
            yield PObservation(name=name, code=PCode(system=LOINC, code=loinc), value=q.value, unit=q.unit, date=p.as_of)


def connect(url: str) -> tuple[Any, str]:
    """A read-only connection to an OMOP database given as a DuckDB file or ``duckdb:///PATH``, and
    its path; ``InputError`` for anything else."""
    if url.startswith(("postgresql://", "postgres://")):
        raise InputError(url, "PostgreSQL warehouses are not supported yet (give a DuckDB file)")
    path = url.removeprefix("duckdb:///").removeprefix("duckdb://")
    import duckdb

    try:
        return duckdb.connect(path, read_only=True), path
    except duckdb.Error as exc:
        raise InputError(path, f"cannot open the OMOP database ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
