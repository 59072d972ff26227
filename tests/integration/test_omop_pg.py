"""OMOP CDM warehouses in PostgreSQL (``nlp/matching/omop.py`` through psycopg): the synthetic
warehouse written into PostgreSQL and into DuckDB reads back as the same patients, `elig match
--omop postgresql://...` works end to end, and an unreachable server, bad credentials or a
database without the OMOP tables are one line. The server: ``$ELIG_PG_URL`` (the ``pg_url``
fixture; scripts/pg-test-server.sh starts one; CI requires it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, SHARED, need
from seed_patients import patient

from nlp.core.lexicon import LOINC, RXNORM, SNOMED
from nlp.errors import InputError
from nlp.matching import load_patient
from nlp.matching.omop import connect, dialect_of, masked, pg_sql, read_patient, write_warehouse
from nlp.matching.patient import PCode, RefRange

DEV_PATIENTS = SHARED / "acceptance" / "dev" / "patients"
TRIAL = ROOT / "examples" / "NCT05697718.txt"


def elig(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nlp", *args], capture_output=True, text=True, cwd=ROOT, timeout=600)


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=f"{parts.username}:{password}@{parts.hostname}:{parts.port}").geturl()


@pytest.fixture(scope="module")
def warehouses(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, list[int]]:
    """Every fourth dev patient (those that load; DuckDB takes a millisecond or two a statement)
    and the seed patient of NCT05697718, written into the session's PostgreSQL database and into a
    DuckDB file: (the URL, the file, the person ids)."""
    people = []
    for f in sorted(need(DEV_PATIENTS).glob("*.json"))[::4]:
        try:
            people.append(load_patient(f))
        except InputError:  # expected.json and the one invalid dev patient (birth after as_of)
            continue
    people.append(patient("NCT05697718"))
    people.append(patient("NCT05697718", id="coded", sex="male", weight={"value": 80.5, "unit": "kg"},
                          add_conditions={"name": "hypertension", "code": {"system": SNOMED, "code": "38341003"},
                                          "onset": "2010-03-01", "abatement": "2020-05-01"},
                          add_therapies={"name": "aspirin", "code": {"system": RXNORM, "code": "1191"},
                                         "start": "2026-07-01", "end": "2026-07-20"},
                          add_procedures={"name": "thrombectomy", "code": {"system": SNOMED, "code": "397046001"},
                                          "date": "2026-07-01"},
                          add_observations={"name": "creatinine", "code": {"system": LOINC, "code": "2160-0"},
                                            "value": 0.87, "unit": "mg/dL",
                                            "reference_range": {"low": 0.6, "high": 1.2}, "date": "2026-10-20"}))
    db = tmp_path_factory.mktemp("omop-pg") / "synthetic-omop.duckdb"
    pg, _ = connect(pg_url, write=True)
    duck, _ = connect(str(db), write=True)
    try:
        ids = write_warehouse(people, pg)
        assert write_warehouse(people, duck) == ids
    finally:
        pg.close()
        duck.close()
    return pg_url, db, ids


def test_postgres_and_duckdb_read_back_the_same_patients(warehouses: tuple[str, Path, list[int]]) -> None:
    url, db, ids = warehouses
    assert len(ids) > 150
    pg, source = connect(url)
    duck, _ = connect(str(db))
    assert (dialect_of(pg), dialect_of(duck)) == ("postgres", "duckdb") and source == masked(url)
    try:
        back = []
        for pid in ids:
            a, b = read_patient(pg, pid), read_patient(duck, pid)
            assert a == b, pid
            back.append(a)
        # every table and column read has something in it
        coded = back[-1]
        assert coded.sex == "male" and coded.birth_date is not None
        assert coded.conditions[-1].code == PCode(system=SNOMED, code="38341003") and coded.conditions[-1].abatement
        assert coded.therapies[-1].code == PCode(system=RXNORM, code="1191") and coded.therapies[-1].end
        assert coded.procedures[-1].code == PCode(system=SNOMED, code="397046001")
        assert any(o.code == PCode(system=LOINC, code="2160-0") and o.value == 0.87 and o.unit == "mg/dL"
                   and o.reference_range == RefRange(low=0.6, high=1.2) for o in coded.observations)
        assert any(o.code == PCode(system=LOINC, code="29463-7") and o.value == 80.5 for o in coded.observations)
        with pytest.raises(InputError, match="no person 999999"):
            read_patient(pg, 999999, source=source)
    finally:
        pg.close()
        duck.close()


def test_connections_are_read_only_unless_write(warehouses: tuple[str, Path, list[int]]) -> None:
    import duckdb
    import psycopg

    url, db, _ = warehouses
    pg, _ = connect(url)
    duck, _ = connect(str(db))
    try:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            pg.execute("DELETE FROM person WHERE person_id = ?", [1])
        with pytest.raises(duckdb.Error):
            duck.execute("DELETE FROM person WHERE person_id = ?", [1])
        assert pg.execute("SELECT count(*) FROM person WHERE person_source_value LIKE '%-base'").fetchone() == \
               duck.execute("SELECT count(*) FROM person WHERE person_source_value LIKE '%-base'").fetchone()
    finally:
        pg.close()
        duck.close()


def test_cli_match_reads_the_patient_from_postgres(warehouses: tuple[str, Path, list[int]], tmp_path: Path) -> None:
    url, _, ids = warehouses
    out = tmp_path / "m.json"
    res = elig("match", "--omop", url, "--person", str(ids[-2]), str(TRIAL), "-o", str(out))  # the seed patient
    assert res.returncode == 0, res.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["patient"] == str(ids[-2]) and report["overall"] in ("eligible", "needs_review")


def test_unreachable_server_is_one_line_with_the_password_masked() -> None:
    url = "postgresql://x:secret@127.0.0.1:1/none"
    with pytest.raises(InputError) as err:
        connect(url)
    message = str(err.value)
    assert message.startswith("postgresql://x:***@127.0.0.1:1/none: cannot connect to the OMOP database (OperationalError: ")
    assert "secret" not in message and len(message.splitlines()) == 1
    res = elig("match", "--omop", url, "--person", "1", str(TRIAL))
    assert res.returncode == 1 and "cannot connect to the OMOP database" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr and "secret" not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_bad_credentials_and_a_database_without_omop_tables(pg_url: str) -> None:
    with pytest.raises(InputError, match=r"cannot connect to the OMOP database \(OperationalError: .*password") as err:
        connect(with_password(pg_url, "wrong"))
    assert len(str(err.value).splitlines()) == 1 and ":***@" in str(err.value) and "wrong" not in str(err.value)
    # an empty schema first on the search path: no OMOP tables to be found
    con, _ = connect(pg_url, write=True)
    con.execute("CREATE SCHEMA IF NOT EXISTS empty")
    con.close()
    empty = f"{pg_url}?options=-csearch_path%3Dempty"
    con, source = connect(empty)
    try:
        with pytest.raises(InputError) as err:
            read_patient(con, 1, source=source)
    finally:
        con.close()
    assert str(err.value).startswith(f"{masked(empty)}: not an OMOP CDM database (UndefinedTable: ")
    assert len(str(err.value).splitlines()) == 1
    res = elig("match", "--omop", empty, "--person", "1", str(TRIAL))
    assert res.returncode == 1 and "not an OMOP CDM database" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_placeholders_and_masking() -> None:
    assert pg_sql("SELECT '?', \"a?\" FROM t WHERE x = ? AND y LIKE '%a' AND z = ?") == \
           "SELECT '?', \"a?\" FROM t WHERE x = %s AND y LIKE '%%a' AND z = %s"
    assert pg_sql("SELECT 'it''s ?' WHERE a = ?") == "SELECT 'it''s ?' WHERE a = %s"
    assert masked("postgresql://u:p%40ss@h:5/db?password=x&sslmode=require") == \
           "postgresql://u:***@h:5/db?password=***&sslmode=require"
    assert masked("postgres://h/db") == "postgres://h/db" and masked("postgresql://u@h/db") == "postgresql://u@h/db"
    assert masked("postgresql://u:p@ss@h?password=x") == "postgresql://u:***@h?password=***"
