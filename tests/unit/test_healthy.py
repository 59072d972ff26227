"""Healthy controls (``elig evaluate healthy``): four 45-year-olds with nothing against them, for
reading trials that have no answer key."""

from __future__ import annotations

from typing import Any

from nlp.core.record import TrialRecord
from nlp.evaluation.healthy import controls, format_healthy, healthy_report, normal_observations


def _trial(nlp, text: str, nct: str = "NCT00000001") -> Any:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    return parse_record(TrialRecord(source=nct, nct_id=nct, format="text", eligibility_text=text), nlp)


def test_healthy_normal_labs_come_from_the_lexicon() -> None:
    labs = normal_observations()
    names = {o["name"] for o in labs}
    assert len(labs) >= 20 and {"ALT", "Hemoglobin", "Platelet count"} & names
    for o in labs:  # each at the middle of its reference interval, coded
        assert o["code"]["system"] == "http://loinc.org" and o["unit"]
        assert o["reference_range"]["low"] <= o["value"] <= o["reference_range"]["high"]
    assert [p.id for p in controls()] == ["healthy-female-empty", "healthy-female-normal-labs",
                                          "healthy-male-empty", "healthy-male-normal-labs"]


def test_healthy_report_counts_turned_away_controls(nlp) -> None:  # type: ignore[no-untyped-def]
    young = _trial(nlp, "Inclusion Criteria:\n\n* Age 18 to 30 years\n", "NCT00000001")
    fine = _trial(nlp, "Inclusion Criteria:\n\n* Age 18 to 65 years\n\nExclusion Criteria:\n\n* ALT > 3 x ULN\n"
                  "* Hemoglobin < 9 g/dL\n", "NCT00000002")
    res = healthy_report([young, fine])
    assert res["trials"] == 2
    assert {pid: r["ineligible_trials"] for pid, r in res["controls"].items()} == {
        "healthy-female-empty": 1, "healthy-female-normal-labs": 1, "healthy-male-empty": 1, "healthy-male-normal-labs": 1}
    assert [(r["trial"], r["criterion"], r["kinds"]) for r in res["failing_criteria"]] == [("NCT00000001", "I1", ["age"])]
    assert "NCT00000001 I1 (inclusion: age)" in format_healthy(res)
