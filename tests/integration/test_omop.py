"""Patients read from an OMOP CDM database (`elig match/rank --omop URL --person ID`) and the
synthetic warehouse written from patient records (`elig omop write`): every dev patient written
and read back gets the verdict its record gets (what OMOP has no table for, the pregnancy,
lactation, consent and trial-participation flags, left out of both), and bad input is one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MSC_DIR, ROOT, SHARED, need

from nlp.matching import Matcher, load_patient
from nlp.matching.omop import read_patient

DEV_PATIENTS = SHARED / "acceptance" / "dev" / "patients"


def elig(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nlp", *args], capture_output=True, text=True, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> tuple[Path, list[tuple[int, Path]]]:  # type: ignore[no-untyped-def]
    db = tmp_path_factory.mktemp("omop") / "synthetic-omop.duckdb"
    res = elig("omop", "write", str(need(DEV_PATIENTS)), "--db", str(db))
    # reported, the rest written: one dev patient is invalid (birth_date after as_of), expected.json is no patient
    assert res.returncode == 1, res.stderr
    assert res.stderr.count("elig: error:") == 2 and "NCT04328714-v02.json" in res.stderr and "expected.json" in res.stderr
    people = [(int(pid), Path(f)) for pid, f in (ln.split("\t") for ln in res.stdout.splitlines())]
    assert len(people) > 600
    return db, people


def test_omop_dev_patients_read_back_get_their_verdicts(nlp, warehouse) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    from nlp.analyze import parse_record
    from nlp.records import read_path

    db, people = warehouse
    con = duckdb.connect(str(db), read_only=True)
    matcher, trials, compared = Matcher(), {}, 0
    for pid, f in people:
        nct = f.name.split("-")[0]
        if nct not in trials:
            [rec] = list(read_path(need(MSC_DIR) / f"{nct}.json"))
            trials[nct] = parse_record(rec, nlp)
        record = load_patient(f).model_copy(update={"pregnant": None, "lactating": None, "consent": None,
                                                    "trial_participation": None})
        back = read_patient(con, pid)
        assert back.as_of == record.as_of and back.birth_date == record.birth_date
        assert [(c.name, c.code, c.onset, c.status) for c in back.conditions] == \
               [(c.name, c.code, c.onset, c.status) for c in record.conditions]
        a, b = matcher.match(trials[nct], record), matcher.match(trials[nct], back)
        assert (a.overall, a.failing, a.missing) == (b.overall, b.failing, b.missing), f.name
        compared += 1
    assert compared == len(people)


def test_cli_match_and_rank_read_the_patient_from_omop(warehouse, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, people = warehouse
    pid, f = next((p, f) for p, f in people if f.name.endswith("-base.json"))
    trial = need(MSC_DIR) / f"{f.name.split('-')[0]}.json"
    res = elig("match", "--omop", f"duckdb:///{db}", "--person", str(pid), str(trial), "-o", str(tmp_path / "m.json"))
    assert res.returncode == 0, res.stderr
    report = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert report["patient"] == str(pid) and report["overall"] in ("eligible", "needs_review")
    store = tmp_path / "trials.duckdb"
    assert elig("index", str(trial), "--db", str(store)).returncode == 0
    res = elig("rank", "--omop", str(db), "--person", str(pid), "--db", str(store))
    assert res.returncode == 0 and trial.stem in res.stdout, res.stderr


def test_cli_omop_errors_are_one_line(warehouse, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, _ = warehouse
    trial = str(ROOT / "examples" / "NCT05697718.txt")
    cases = [
        (("match", "--omop", str(db), trial), 2, "--omop needs --person ID"),
        (("match", "--omop", str(db), "--person", "999999", trial), 1, "no person 999999"),
        (("match", "--omop", str(db), "--person", "1", "--as-of", "yesterday", trial), 2, "not an ISO date"),
        (("match", "--omop", "postgresql://x:y@127.0.0.1:1/none", "--person", "1", trial), 1, "cannot connect to the OMOP database"),
        (("match", "--omop", str(tmp_path / "none.duckdb"), "--person", "1", trial), 1, "cannot open the OMOP database"),
        (("omop", "write", str(ROOT / "examples" / "patient.json"), "--db", str(db)), 1, "already exists"),
    ]
    empty = tmp_path / "empty.duckdb"
    import duckdb

    duckdb.connect(str(empty)).close()
    cases.append((("match", "--omop", str(empty), "--person", "1", trial), 1, "not an OMOP CDM database"))
    for args, code, message in cases:
        res = elig(*args)
        assert res.returncode == code and message in res.stderr, (args, res.stderr)
        assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_write_warehouse_keeps_awkward_text_and_nulls(tmp_path: Path) -> None:
    """DuckDB tables are written through CSV and COPY: quotes, commas, line breaks, an empty
    string and a missing date come back as written."""
    import duckdb

    from nlp.matching import Patient
    from nlp.matching.omop import write_warehouse

    names = ['Crohn\'s "ileal", colonic', "line\nbreak", "a,b,,c"]
    p = Patient.model_validate({"id": "", "as_of": "2026-11-01", "birth_date": "1980-02-03", "sex": "female",
                                "conditions": [{"name": n} for n in names],
                                "observations": [{"name": "ALT", "value": 0.1 + 0.2, "unit": "U/L", "date": "2026-10-01"}]})
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    write_warehouse([p], con)
    assert con.execute("SELECT person_source_value, birth_datetime FROM person").fetchall()[0][0] == ""
    got = con.execute("SELECT c.concept_name, o.condition_start_date FROM condition_occurrence o "
                      "JOIN concept c ON c.concept_id = o.condition_concept_id ORDER BY o.condition_occurrence_id").fetchall()
    assert got == [(n, None) for n in names]
    assert con.execute("SELECT value_as_number FROM measurement").fetchone()[0] == 0.1 + 0.2
    assert read_patient(con, 1).conditions[0].name == names[0]
