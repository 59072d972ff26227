"""`elig export --to fhir-r5`: a Bundle per trial (ResearchStudy + EvidenceVariable) that the
fhir.resources R5 models accept and round-trip, with codes from the R5 value sets, the meaning of
each criterion kept (exclude, comparators, UCUM units, x ULN offsets, windows, groups, conditions),
and no criterion dropped."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MSC_DIR, ROOT, SEEDS_DIR, need
from fhir.resources.bundle import Bundle  # the R5 models (a pinned test dependency)
from fhir.resources.evidencevariable import EvidenceVariableCharacteristicDefinitionByCombination as Combination
from fhir.resources.quantity import Quantity
from report_fixtures import parse

from nlp.export.fhir import trial_bundle


def _enum(model: Any, field: str) -> set[str]:
    """The R5 value set of a code field: its listed values, else those its title names ("< | <= | ...")."""
    f = model.model_fields[field]
    listed = (f.json_schema_extra or {}).get("enum_values")
    return set(listed) if listed else {v.strip() for v in f.title.split(" - ")[0].split("|")}


COMBINE_CODES = _enum(Combination, "code")
COMPARATORS = _enum(Quantity, "comparator")


def _walk(x: Any) -> Iterator[dict[str, Any]]:
    if isinstance(x, dict):
        yield x
        for v in x.values():
            yield from _walk(v)
    elif isinstance(x, list):
        for v in x:
            yield from _walk(v)


def _valid(bundle: dict[str, Any]) -> None:
    """Validates with the R5 models, round-trips, and uses only codes of the R5 value sets (the
    models do not check those)."""
    model = Bundle.model_validate(bundle)
    again = json.loads(model.model_dump_json())
    assert Bundle.model_validate(again) == model
    for d in _walk(bundle):
        if "characteristic" in d and "code" in d:  # a definitionByCombination
            assert d["code"] in COMBINE_CODES, d["code"]
            assert d["characteristic"], "an empty combination"
        if "comparator" in d:
            assert d["comparator"] in COMPARATORS
        if d.get("system") == "http://unitsofmeasure.org":
            assert d["code"] not in ("xULN", "xLLN"), "a multiple of normal is an offset, not a unit"


def _ev(bundle: dict[str, Any]) -> dict[str, Any]:
    [ev] = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "EvidenceVariable"]
    return ev


def _char(ev: dict[str, Any], link: str) -> dict[str, Any]:
    [c] = [c for c in ev["characteristic"] if c.get("linkId") == link]
    return c


@pytest.fixture(scope="module")
def seeds(nlp):  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record
    from nlp.records import read_path

    return [parse_record(r, nlp) for r in read_path(need(SEEDS_DIR))]


def test_export_fhir_seeds_validate_and_keep_every_criterion(seeds) -> None:  # type: ignore[no-untyped-def]
    for doc in seeds:
        bundle = trial_bundle(doc)
        _valid(bundle)
        ev = _ev(bundle)
        [rs] = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "ResearchStudy"]
        assert rs["recruitment"]["eligibility"]["reference"] == next(e["fullUrl"] for e in bundle["entry"]
                                                                  if e["resource"] is ev)
        tops = [c.id for c in doc.criteria if not c.parent]
        assert [c["linkId"] for c in ev["characteristic"] if not c["linkId"].startswith("record-")] == tops
        assert trial_bundle(doc) == bundle  # deterministic (urn:uuid ids from the trial id)


def test_export_fhir_sample_of_registry_trials_validates(nlp) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record
    from nlp.records import read_path

    files = sorted(need(MSC_DIR).glob("*.json"))[::50]  # 22 trials of every shape
    for f in files:
        for rec in read_path(f):
            _valid(trial_bundle(parse_record(rec, nlp)))


def test_export_fhir_reads_each_kind(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000801", "Inclusion Criteria:\n\n* Age 18 to 65 years\n"
                "* No history of malignancy\n\nExclusion Criteria:\n\n* ALT > 2.5 x ULN or AST > 3 x ULN\n"
                "* Received any stem cell therapy within 3 months before enrollment\n"
                "* Refuses to use contraception\n"
                "* Any condition that, in the opinion of the investigator, makes the patient unsuitable\n"
                "* Blue eyes\n")
    ev = _ev(trial_bundle(doc))
    age = _char(ev, "I1")
    assert age["exclude"] is False
    rng = age["definitionByTypeAndValue"]["valueRange"]
    assert rng["low"]["value"] == 18 and rng["high"]["code"] == "a" and rng["high"]["unit"] == "years"
    assert _char(ev, "I2")["exclude"] is True  # "no history of malignancy": malignancy excluded
    liver = _char(ev, "E1")
    assert liver["exclude"] is True and liver["definitionByCombination"]["code"] == "any-of"
    alt = liver["definitionByCombination"]["characteristic"][0]["definitionByTypeAndValue"]
    assert alt["valueQuantity"] == {"value": 2.5, "comparator": ">"}
    assert alt["offset"]["coding"][0]["code"] == "UNL"
    stem = _char(ev, "E2")
    assert stem["exclude"] is True
    when = stem["timeFromEvent"][0]
    assert when["quantity"]["value"] == -91 and when["quantity"]["comparator"] == ">="  # the 3 months before
    assert when["eventCodeableConcept"]["text"] == "enrollment" and when["quantity"]["code"] == "d"
    assert _char(ev, "E3")["exclude"] is False  # refusing contraception excludes: contraception required
    judged = _char(ev, "E4")
    assert "not computable" in judged["definitionCodeableConcept"]["text"] and "investigator" in judged["note"][0]["text"]
    blue = _char(ev, "E5")
    assert blue["description"] == "Blue eyes" and blue["definitionCodeableConcept"]["text"].startswith("not computable:")
    _valid(trial_bundle(doc))


def test_export_fhir_a_measurement_window_is_its_time_from_event(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000802", "Inclusion Criteria:\n\n* Karnofsky performance score greater than or equal to 70 "
                "within 30 days prior to study entry\n* Hemoglobin >= 9 g/dL\n")
    ev = _ev(trial_bundle(doc))
    when = _char(ev, "I1")["timeFromEvent"][0]  # NCT01213186
    assert when["quantity"]["value"] == -30 and when["quantity"]["comparator"] == ">="
    assert "timeFromEvent" not in _char(ev, "I2")
    _valid(trial_bundle(doc))


def test_export_fhir_a_change_from_baseline_says_so(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT01602328: the size of a rise, not a creatinine level; the level reading stays unnoted
    doc = parse(nlp, "NCT00000803", "Inclusion Criteria:\n\n* ≥ 0.5 mg/dL rise in serum creatinine from baseline\n"
                "* Serum creatinine ≥ 0.5 mg/dL\n")
    ev = _ev(trial_bundle(doc))
    rise, level = _char(ev, "I1"), _char(ev, "I2")
    assert {"text": "the change from a baseline, not a level"} in rise["note"]
    assert "the change in creatinine from baseline" in json.dumps(rise)
    assert "the change" not in json.dumps(level)
    _valid(trial_bundle(doc))


def test_export_fhir_condition_of_application_becomes_a_combination(seeds) -> None:  # type: ignore[no-untyped-def]
    [doc] = [d for d in seeds if d.record.nct_id == "NCT05697718"]
    ev = _ev(trial_bundle(doc))
    e6 = _char(ev, "E6")
    text = json.dumps(e6)
    # INR > 1.7 excludes those not on anticoagulants: all-of [without anticoagulant, INR > 1.7]
    assert '"code": "all-of"' in text and "without anticoagulant" in text and '"comparator": ">"' in text


def test_cli_export_formats_and_errors(tmp_path: Path) -> None:
    ex = ROOT / "examples" / "NCT05697718.txt"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "nlp", "export", *args], capture_output=True, text=True,
                              cwd=ROOT, timeout=300)

    res = run(str(ex), str(ROOT / "examples" / "NCT01985464.json"), "-o", str(tmp_path / "b.jsonl"))
    assert res.returncode == 0, res.stderr
    lines = (tmp_path / "b.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    for ln in lines:
        _valid(json.loads(ln))
    res = run(str(ex), "--to", "circe-v9")
    assert res.returncode == 2 and "unknown export target 'circe-v9'" in res.stderr and "Traceback" not in res.stderr
    res = run(str(ex), "-o", str(tmp_path / "b.xml"))
    assert res.returncode == 2 and "unknown export file type" in res.stderr
    res = run(str(tmp_path / "missing.json"))
    assert res.returncode == 1 and "missing.json" in res.stderr and "Traceback" not in res.stderr


def test_export_fhir_checks_can_fail(seeds) -> None:  # type: ignore[no-untyped-def]
    """The validation above rejects what R5 does not allow: a wrong type, a code outside the value set."""
    import pydantic

    bundle = trial_bundle(seeds[0])
    broken = json.loads(json.dumps(bundle))
    _ev(broken)["characteristic"][0]["exclude"] = "maybe"
    with pytest.raises(pydantic.ValidationError):
        _valid(broken)
    odd = json.loads(json.dumps(bundle))
    combos = [d for d in _walk(_ev(odd)) if "characteristic" in d and "code" in d]
    combos[0]["code"] = "some-of"
    with pytest.raises(AssertionError):
        _valid(odd)
