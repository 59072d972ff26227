"""scripts/synth_patients.py: synthetic patients from answer keys, made as the dev patients are
(``../shared/acceptance/dev/patients``), so the matcher's worst error can be measured on the
held-out sets too. A base patient must meet every key fact it holds data for; each violation
breaks exactly one fact."""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import MSC_DIR, ROOT, SHARED, need

from nlp.matching.patient import load_patient

spec = importlib.util.spec_from_file_location("synth_patients", ROOT / "scripts" / "synth_patients.py")
assert spec is not None and spec.loader is not None
synth = importlib.util.module_from_spec(spec)
spec.loader.exec_module(synth)
DEV = SHARED / "acceptance" / "dev"


def _age(birth: str, as_of: date) -> float:
    b = date.fromisoformat(birth)
    return as_of.year - b.year - ((as_of.month, as_of.day) < (b.month, b.day))


def _keys() -> list[dict[str, Any]]:
    need(DEV)
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(DEV.glob("*.facts.json"))]


def test_base_patients_meet_every_fact_they_hold_data_for() -> None:
    for key in _keys():
        record = json.loads((MSC_DIR / f"{key['trial_id']}.json").read_text(encoding="utf-8"))
        (base, expect, fact), *variants = synth.make(key, record)
        assert expect == "not_ineligible" and fact is None
        observed = {o["name"]: o for o in base["observations"]}
        for f in key["facts"]:
            if f.get("optional") or f.get("condition_text"):
                continue
            if f["kind"] == "measurement" and f.get("analyte") in observed and f.get("unit") != "xULN":
                o = observed[f["analyte"]]
                if synth._unit(f) == o["unit"]:
                    assert synth._allowed(f, o["value"]), (key["trial_id"], f, o)
            if f["kind"] == "age" and f.get("unit", "year") == "year":
                assert synth._allowed(f, _age(base["birth_date"], synth.AS_OF)), (key["trial_id"], f, base["birth_date"])
        assert all(e in ("ineligible", "not_eligible") and broken is not None for _, e, broken in variants)


def test_the_dev_base_patients_are_remade_closely(tmp_path: Path) -> None:
    # the shipped dev patients were made by a script that is not shipped: ours makes the same base
    # patient's sex for every dev trial and observes the same analytes
    need(DEV / "patients")
    synth.main(str(DEV), str(tmp_path))
    for theirs in sorted((DEV / "patients").glob("*-base.json")):
        mine = json.loads((tmp_path / theirs.name).read_text(encoding="utf-8"))
        shipped = json.loads(theirs.read_text(encoding="utf-8"))
        assert mine["sex"] == shipped["sex"], theirs.name
        assert {o["name"] for o in mine["observations"]} == {o["name"] for o in shipped["observations"]}, theirs.name
        load_patient(tmp_path / theirs.name)  # reads as a patient record


@pytest.mark.parametrize("bad", [{"kind": "age", "effect": "include", "comparator": ">=", "value": 18, "unit": "year", "quote": "q"}])
def test_a_violation_breaks_its_fact(bad: dict[str, Any]) -> None:
    key = {"trial_id": "NCT00000000", "structured": {}, "facts": [bad]}
    (base, _, _), (variant, expect, fact) = synth.make(key, {})
    assert fact == bad and expect == "ineligible"
    assert _age(base["birth_date"], synth.AS_OF) >= 18 > _age(variant["birth_date"], synth.AS_OF)


def test_a_measurement_violation_replaces_the_value() -> None:
    fact = {"kind": "measurement", "effect": "exclude", "analyte": "platelets", "comparator": "<", "value": 100,
            "unit": "10*9/L", "quote": "q"}
    key = {"trial_id": "NCT00000000", "structured": {}, "facts": [fact]}
    (base, _, _), (variant, expect, broken) = synth.make(key, {})
    assert broken == fact and expect == "ineligible"
    [before], [after] = base["observations"], variant["observations"]
    assert before["value"] >= 100 > after["value"]
