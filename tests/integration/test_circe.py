"""`elig export --to circe`: an OHDSI Circe cohort definition per trial, in Circe's own field names
(checked against the fields of circe-be's cohort-definition classes), exclusions negated as Circe
needs them, × ULN as RangeHighRatio, windows in days, codes resolved against an OMOP vocabulary
(a tiny synthetic one written here, clearly not Athena), what Circe cannot say kept as
"[not computable]" rules every person passes, and bad input as one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SEEDS_DIR, need
from report_fixtures import parse

from nlp.export.circe import cohort_expression, duckdb_resolver

# circe-be's JSON field names (org.ohdsi.circe.cohortdefinition): what each object may hold
FIELDS = {
    "expression": {"cdmVersionRange", "Title", "ConceptSets", "PrimaryCriteria", "QualifiedLimit", "ExpressionLimit",
                   "InclusionRules", "CensoringCriteria", "CollapseSettings", "CensorWindow", "EndStrategy"},
    "group": {"Type", "Count", "CriteriaList", "DemographicCriteriaList", "Groups"},
    "corelated": {"Criteria", "StartWindow", "EndWindow", "Occurrence", "RestrictVisit", "IgnoreObservationPeriod"},
    "window": {"Start", "End", "UseIndexEnd", "UseEventEnd"},
    "endpoint": {"Days", "Coeff", "TimeUnit", "TimeUnitValue"},
    "occurrence": {"Type", "Count", "IsDistinct", "CountColumn"},
    "numeric": {"Value", "Op", "Extent"},
    "demographic": {"Age", "Gender", "Race", "Ethnicity", "OccurrenceStartDate", "OccurrenceEndDate"},
    "concept": {"CONCEPT_ID", "CONCEPT_NAME", "STANDARD_CONCEPT", "CONCEPT_CODE", "DOMAIN_ID", "VOCABULARY_ID",
                "CONCEPT_CLASS_ID", "INVALID_REASON", "INVALID_REASON_CAPTION", "STANDARD_CONCEPT_CAPTION"},
}
CRITERIA = {"ConditionOccurrence", "DrugExposure", "ProcedureOccurrence", "Measurement", "Observation",
            "ObservationPeriod"}
CRITERIA_FIELDS = {"CodesetId", "ValueAsNumber", "RangeHighRatio", "RangeLowRatio"}
OPS = {"lt", "lte", "eq", "gt", "gte", "bt", "!bt"}


def _keys(d: dict[str, Any], kind: str) -> None:
    assert set(d) <= FIELDS[kind], f"{kind}: unexpected {set(d) - FIELDS[kind]}"


def _numeric(n: dict[str, Any]) -> None:
    _keys(n, "numeric")
    assert n["Op"] in OPS and isinstance(n["Value"], int | float)
    assert ("Extent" in n) == (n["Op"] in ("bt", "!bt"))


def _window(w: dict[str, Any]) -> None:
    _keys(w, "window")
    for end in ("Start", "End"):
        _keys(w[end], "endpoint")
        assert w[end]["Coeff"] in (-1, 1)


def _group(g: dict[str, Any], sets: set[int]) -> None:
    _keys(g, "group")
    assert g["Type"] in ("ALL", "ANY", "AT_LEAST", "AT_MOST")
    assert ("Count" in g) == (g["Type"] in ("AT_LEAST", "AT_MOST"))
    for c in g["CriteriaList"]:
        _keys(c, "corelated")
        [(name, crit)] = c["Criteria"].items()
        assert name in CRITERIA and set(crit) <= CRITERIA_FIELDS
        assert crit["CodesetId"] in sets
        for k in ("ValueAsNumber", "RangeHighRatio", "RangeLowRatio"):
            if k in crit:
                _numeric(crit[k])
        _window(c["StartWindow"])
        _keys(c["Occurrence"], "occurrence")
        assert (c["Occurrence"]["Type"], c["Occurrence"]["Count"]) in ((2, 1), (0, 0))
    for d in g["DemographicCriteriaList"]:
        _keys(d, "demographic")
        if "Age" in d:
            _numeric(d["Age"])
        for concept in d.get("Gender", []):
            _keys(concept, "concept")
    for sub in g["Groups"]:
        _group(sub, sets)


def valid_circe(x: dict[str, Any]) -> None:
    """Only Circe's field names and values, every codeset reference defined."""
    _keys(x, "expression")
    sets = {s["id"] for s in x["ConceptSets"]}
    for s in x["ConceptSets"]:
        assert set(s) == {"id", "name", "expression"} and s["expression"]["items"]
        for it in s["expression"]["items"]:
            assert set(it) == {"concept", "includeDescendants", "includeMapped", "isExcluded"}
            _keys(it["concept"], "concept")
    for r in x["InclusionRules"]:
        assert set(r) == {"name", "description", "expression"} and len(r["name"]) <= 255
        _group(r["expression"], sets)


@pytest.fixture(scope="module")
def vocab(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A synthetic OMOP vocabulary (made-up concept ids, marked synthetic): malignancy and ALT as
    standard concepts, an ICD-10 code mapped to its SNOMED CT concept."""
    import duckdb

    path = tmp_path_factory.mktemp("vocab") / "synthetic-vocab.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE concept (concept_id INTEGER, concept_name TEXT, domain_id TEXT, vocabulary_id TEXT, "
                "concept_class_id TEXT, standard_concept TEXT, concept_code TEXT, invalid_reason TEXT)")
    con.execute("CREATE TABLE concept_relationship (concept_id_1 INTEGER, concept_id_2 INTEGER, relationship_id TEXT)")
    con.executemany("INSERT INTO concept VALUES (?, ?, ?, ?, ?, ?, ?, NULL)", [
        (900001, "SYNTHETIC malignant neoplastic disease", "Condition", "SNOMED", "Clinical Finding", "S", "363346000"),
        (900002, "SYNTHETIC ALT measurement", "Measurement", "LOINC", "Lab Test", "S", "1742-6"),
        (900003, "SYNTHETIC malignant neoplasm (ICD-10 chapter)", "Condition", "ICD10", "ICD10 Hierarchy", None, "C00-C97"),
    ])
    con.execute("INSERT INTO concept_relationship VALUES (900003, 900001, 'Maps to')")
    con.close()
    return path


TEXT = ("Inclusion Criteria:\n\n* Age 18 to 65 years\n* No history of malignancy\n\nExclusion Criteria:\n\n"
        "* ALT > 2.5 x ULN\n* Received systemic corticosteroids within 3 months before enrollment\n"
        "* Any condition that, in the opinion of the investigator, makes the patient unsuitable\n")


def _rule(x: dict[str, Any], crit: str) -> dict[str, Any]:
    [r] = [r for r in x["InclusionRules"] if r["name"].split(":")[0].removeprefix("[not computable] ") == crit]
    return r


def test_circe_reads_each_kind_as_circe_does(nlp) -> None:  # type: ignore[no-untyped-def]
    e = cohort_expression(parse(nlp, "NCT00000901", TEXT))
    x = e.expression
    valid_circe(x)
    assert _rule(x, "I1")["expression"]["DemographicCriteriaList"] == [{"Age": {"Value": 18.0, "Op": "bt", "Extent": 65.0}}]
    [never] = _rule(x, "I2")["expression"]["CriteriaList"]  # no history of malignancy: none on record
    assert never["Occurrence"] == {"Type": 0, "Count": 0} and "ConditionOccurrence" in never["Criteria"]
    [alt] = _rule(x, "E1")["expression"]["CriteriaList"]  # exclusion: no ALT value above 2.5 x ULN
    assert alt["Criteria"]["Measurement"]["RangeHighRatio"] == {"Value": 2.5, "Op": "gt"}
    assert alt["Occurrence"] == {"Type": 0, "Count": 0}
    [stem] = _rule(x, "E2")["expression"]["CriteriaList"]
    assert stem["StartWindow"]["Start"] == {"Days": 91, "Coeff": -1} and stem["StartWindow"]["UseIndexEnd"] is True
    judged = _rule(x, "E3")
    assert judged["name"].startswith("[not computable] E3") and judged["expression"]["CriteriaList"] == []
    assert "Every person passes this rule" in judged["description"]
    # no vocabulary given: every source code unresolved, CONCEPT_ID 0
    assert e.unresolved and all(it["concept"]["CONCEPT_ID"] == 0 for s in x["ConceptSets"] for it in s["expression"]["items"])


def test_circe_a_measurement_window_is_its_start_window(nlp) -> None:  # type: ignore[no-untyped-def]
    # "... within 30 days prior to study entry" (NCT01213186): the value must be dated in the window
    x = cohort_expression(parse(nlp, "NCT00000902", "Exclusion Criteria:\n\n* ALT > 2.5 x ULN within 30 days prior to study entry\n"
                                "* AST > 3 x ULN\n")).expression
    valid_circe(x)
    [alt] = _rule(x, "E1")["expression"]["CriteriaList"]
    assert alt["StartWindow"]["Start"] == {"Days": 30, "Coeff": -1}
    [ast] = _rule(x, "E2")["expression"]["CriteriaList"]
    assert ast["StartWindow"]["Start"].get("Days") is None  # no window: all history


def test_circe_exclusion_of_any_is_all_absent(seeds) -> None:  # type: ignore[no-untyped-def]
    [doc] = [d for d in seeds if d.record.nct_id == "NCT01364246"]
    x = cohort_expression(doc).expression
    valid_circe(x)
    e5 = _rule(x, "E5")["expression"]  # HIV, syphilis, hepatitis B or C: none of them on record
    assert e5["Type"] == "ALL" and len(e5["CriteriaList"]) == 4
    assert all(c["Occurrence"] == {"Type": 0, "Count": 0} for c in e5["CriteriaList"])
    i1 = json.dumps(_rule(x, "I1")["expression"])  # multiple sclerosis or NMO: any one of them
    assert '"Type": "ANY"' in i1


def test_circe_codes_resolved_against_an_omop_vocabulary(nlp, vocab: Path) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000902", TEXT)
    e = cohort_expression(doc, duckdb_resolver(str(vocab)))
    valid_circe(e.expression)
    ids = {it["concept"]["CONCEPT_ID"] for s in e.expression["ConceptSets"] for it in s["expression"]["items"]}
    assert 900001 in ids and 900002 in ids and 0 not in ids  # unresolved codes are left out, not zeroed
    assert ("SNOMED", "363346000") not in e.unresolved and e.unresolved  # the corticosteroid codes are not there
    resolve = duckdb_resolver(str(vocab))
    assert resolve("ICD10", "C00-C97")["CONCEPT_ID"] == 900001  # non-standard: followed 'Maps to'
    assert resolve("SNOMED", "0") is None


def test_circe_concept_without_code_never_turns_anyone_away(nlp, vocab: Path) -> None:  # type: ignore[no-untyped-def]
    """A requirement the vocabulary cannot code makes its rule not computable (leaving it out of
    an ANY group would be stricter); in an exclusion's ALL it is left out and named."""
    doc = parse(nlp, "NCT00000903", "Inclusion Criteria:\n\n* Diagnosis of multiple sclerosis or neuromyelitis optica\n\n"
                "Exclusion Criteria:\n\n* Malignancy or stem cell therapy\n")
    x = cohort_expression(doc, duckdb_resolver(str(vocab))).expression
    valid_circe(x)
    assert _rule(x, "I1")["name"].startswith("[not computable]")
    e1 = _rule(x, "E1")
    assert not e1["name"].startswith("[not computable]") and "Left out" in e1["description"]
    assert len(e1["expression"]["CriteriaList"]) == 1  # malignancy absent; stem cell therapy left out


@pytest.fixture(scope="module")
def seeds(nlp):  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record
    from nlp.records import read_path

    return [parse_record(r, nlp) for r in read_path(need(SEEDS_DIR))]


def test_circe_seeds_are_valid_and_keep_every_criterion(seeds) -> None:  # type: ignore[no-untyped-def]
    for doc in seeds:
        x = cohort_expression(doc).expression
        valid_circe(x)
        names = [r["name"].removeprefix("[not computable] ").split(":")[0] for r in x["InclusionRules"]
                 if not r["name"].startswith("record:")]
        assert names == [c.id for c in doc.criteria if not c.parent]


def test_circe_checker_can_fail() -> None:
    with pytest.raises(AssertionError):
        valid_circe({"ConceptSets": [], "InclusionRules": [{"name": "x", "description": "", "expression": {
            "Type": "ALL", "CriteriaList": [], "DemographicCriteriaList": [{"Age": {"value": 18, "op": "gte"}}],
            "Groups": []}}]})


def test_cli_export_circe_with_vocab_and_errors(vocab: Path, tmp_path: Path) -> None:
    ex = ROOT / "examples" / "NCT05697718.txt"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "nlp", "export", "--to", "circe", *args], capture_output=True,
                              text=True, cwd=ROOT, timeout=300)

    res = run(str(ex), "--vocab", f"duckdb:///{vocab}", "-o", str(tmp_path / "c.json"))
    assert res.returncode == 0, res.stderr
    valid_circe(json.loads((tmp_path / "c.json").read_text(encoding="utf-8")))
    assert "not in the vocabulary, left out" in res.stderr and "Traceback" not in res.stderr
    res = run(str(ex))
    assert res.returncode == 0 and "CONCEPT_ID 0 (no --vocab given)" in res.stderr
    res = run(str(ex), "--vocab", str(tmp_path / "none.duckdb"))
    assert res.returncode == 1 and res.stderr.strip() == f"elig: error: {tmp_path / 'none.duckdb'}: no such vocabulary database"
    bad = tmp_path / "empty.duckdb"
    import duckdb

    duckdb.connect(str(bad)).close()
    res = run(str(ex), "--vocab", str(bad))
    assert res.returncode == 1 and "not an OMOP vocabulary database" in res.stderr and "Traceback" not in res.stderr
    res = run(str(ex), "--vocab", "postgresql://elig:secret@127.0.0.1:1/vocab")  # nothing listens on port 1
    assert res.returncode == 1 and "Traceback" not in res.stderr and "secret" not in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_circe_codes_resolved_against_a_postgresql_vocabulary(pg_url: str, vocab: Path, tmp_path: Path) -> None:
    """The same synthetic vocabulary copied into PostgreSQL resolves every code as the DuckDB
    file does; `elig export --to circe --vocab postgresql://…` writes the same cohort JSON."""
    import duckdb
    import psycopg

    from nlp.export.circe import vocabulary_resolver
    from nlp.matching.omop import connect

    src = duckdb.connect(str(vocab), read_only=True)
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("DROP SCHEMA IF EXISTS circe_vocab CASCADE")
        admin.execute("CREATE SCHEMA circe_vocab")
        admin.execute("CREATE TABLE circe_vocab.concept (concept_id INTEGER, concept_name TEXT, domain_id TEXT, "
                      "vocabulary_id TEXT, concept_class_id TEXT, standard_concept TEXT, concept_code TEXT, invalid_reason TEXT)")
        admin.execute("CREATE TABLE circe_vocab.concept_relationship (concept_id_1 INTEGER, concept_id_2 INTEGER, "
                      "relationship_id TEXT)")
        with admin.cursor() as cur:
            cur.executemany("INSERT INTO circe_vocab.concept VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                            src.execute("SELECT * FROM concept").fetchall())
            cur.executemany("INSERT INTO circe_vocab.concept_relationship VALUES (%s, %s, %s)",
                            src.execute("SELECT * FROM concept_relationship").fetchall())
    url = pg_url + ("&" if "?" in pg_url else "?") + "options=-csearch_path%3Dcirce_vocab"
    con, _ = connect(url)
    try:
        on_pg, on_duck = vocabulary_resolver(con), duckdb_resolver(str(vocab))
        for key in [("ICD10", "C00-C97"), ("SNOMED", "363346000"), ("LOINC", "1742-6"), ("SNOMED", "0")]:
            assert on_pg(*key) == on_duck(*key)
        assert on_pg("ICD10", "C00-C97")["CONCEPT_ID"] == 900001
    finally:
        con.close()

    def export(v: str) -> str:
        out = tmp_path / f"{len(v)}.json"
        res = subprocess.run([sys.executable, "-m", "nlp", "export", "--to", "circe", str(ROOT / "examples" / "NCT05697718.txt"),
                              "--vocab", v, "-o", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert res.returncode == 0, res.stderr
        return out.read_text(encoding="utf-8")

    assert export(url) == export(f"duckdb:///{vocab}")
    empty = pg_url + ("&" if "?" in pg_url else "?") + "options=-csearch_path%3Dno_such_schema"
    res = subprocess.run([sys.executable, "-m", "nlp", "export", "--to", "circe", str(ROOT / "examples" / "NCT05697718.txt"),
                          "--vocab", empty], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 1 and "not an OMOP vocabulary database" in res.stderr and "Traceback" not in res.stderr


def test_circe_uncertain_readings_never_exclude(seeds) -> None:  # type: ignore[no-untyped-def]
    """The verdict policy in Circe: an inferred, model-read or qualified reading is left out of its
    rule (named) or makes the rule not computable; it never becomes a criterion that turns
    someone away."""
    seen = 0
    for doc in seeds:
        rules = {r["name"].removeprefix("[not computable] ").split(":")[0]: r
                 for r in cohort_expression(doc).expression["InclusionRules"]}
        for crit in doc.criteria:
            if crit.parent:
                continue
            for c in crit.constraints:
                if not c.provenance.certain and crit.logic is not None and len(crit.logic.items) > 1:
                    r = rules[crit.id]
                    assert r["name"].startswith("[not computable]") or c.id in r["description"], (crit.id, c.id)
                    seen += 1
    assert seen >= 2  # the seeds have inferred readings (an active infection, uncontrolled hypertension)


def test_circe_a_criterion_of_one_group_of_the_trial_is_not_computable(nlp) -> None:  # type: ignore[no-untyped-def]
    """"Donor inclusion criteria:" (NCT00749164): a cohort rule on them would hold every person to
    the donors' criteria; the rule is written as not computable, like a criterion of no section."""
    text = ("Inclusion criteria:\n\n* Age 18 to 65 years\n\nDonor inclusion criteria:\n\n* Age 18 to 40 years\n\n"
            "Exclusion criteria:\n\n* ALT > 2.5 x ULN\n")
    x = cohort_expression(parse(nlp, "NCT00000902", text)).expression
    valid_circe(x)
    assert _rule(x, "I1")["expression"]["DemographicCriteriaList"]
    donor = _rule(x, "I2")
    assert donor["name"].startswith("[not computable] I2") and "group 'donor'" in donor["description"]


def test_circe_alternatives_the_text_does_not_mark_are_left_out(nlp) -> None:  # type: ignore[no-untyped-def]
    """Two age items no value meets together (after LCT NCT04623606, "1 to 4 years" and "over 18
    years" as inclusion items): a cohort of both would be empty; each is left out (every person
    passes), as the matcher withholds a fail of one; an age no other contradicts is written."""
    text = "Inclusion Criteria:\n\n* Children aged 1 to 4 years\n* Adults over 18 years of age\n* Weight over 10 kg\n"
    x = cohort_expression(parse(nlp, "NCT00000903", text, min_age="1 Year")).expression
    valid_circe(x)
    for crit in ("I1", "I2"):
        assert not _rule(x, crit)["expression"]["DemographicCriteriaList"], crit
    assert _rule(x, "I3")["expression"]["CriteriaList"]  # the weight: no alternative, written
    # where the record's structured ages (18 to 65 years) leave no child, "1 to 4 years" is no
    # cohort the trial offers but a misreading (uncertain, left out): the adults' age is written
    x = cohort_expression(parse(nlp, "NCT00000903", text)).expression
    assert not _rule(x, "I1")["expression"]["DemographicCriteriaList"]
    assert _rule(x, "I2")["expression"]["DemographicCriteriaList"]
