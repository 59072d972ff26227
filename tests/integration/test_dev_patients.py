"""Synthetic patients made from the dev answer keys (../shared/acceptance/dev/patients): no base
patient is turned away (verdict policy), and single violations are caught at least as often as
measured when the policy landed. The figures: `elig evaluate patients <dev trials>`."""

from __future__ import annotations

import pytest
from conftest import SHARED

from nlp.analyze import parse_record
from nlp.core.document import ParsedTrial
from nlp.evaluation.patients import PatientScore, score_patients
from nlp.records import read_path

DEV = SHARED / "acceptance" / "dev"
PATIENTS = DEV / "patients"

# Base patients whose expectation is wrong, each with why (the issue asks to say so rather than
# bend the matcher). Each must still fail only on the criterion named, quoting the key's own fact.
# NCT04615429-base breaks its key's own "disease duration < 96 hour" fact ("Moderate to severe ARDS
# ... for less than 96 hours at the time of randomization"): the generator gave its ARDS an onset
# 120 days before as_of, and the criterion's own duration is a certain reading. NCT01922908-base
# breaks its key's "disease duration >= 3 day" and "<= 10 day" facts ("stem cell transplantation
# procedure must be performed between 3-10 days after stroke symptom onset") the same way: its
# stroke began 120 days before as_of, and the trial's own procedure timed from the onset is a
# certain reading of the time since it. (Its "within 3-9 days prior to stroke" fact is read as the
# time since the onset only as a guess, so I6 goes to review: tests/unit/test_verdict_policy.py.)
WRONG_EXPECTATIONS: dict[str, str] = {"NCT04615429-base.json": "I4", "NCT01922908-base.json": "I7"}


@pytest.fixture(scope="module")
def score(nlp) -> PatientScore:  # type: ignore[no-untyped-def]
    if not PATIENTS.is_dir():
        pytest.skip(f"dev patients not found at {PATIENTS} (../shared missing)")
    trials: list[ParsedTrial] = []
    for key in sorted(DEV.glob("*.facts.json")):
        nct = key.name.removesuffix(".facts.json")
        for rec in read_path(SHARED / "data" / "ctgov-msc" / f"{nct}.json"):
            trials.append(parse_record(rec, nlp))
    return score_patients(trials, PATIENTS)


def test_dev_base_patients_are_never_turned_away(score: PatientScore) -> None:
    turned = dict(score.turned_away)
    assert set(turned) <= set(WRONG_EXPECTATIONS), {n: r.failing for n, r in turned.items()}
    for name, r in turned.items():
        assert r.failing == (WRONG_EXPECTATIONS[name],), (name, r.failing)
    assert score.base == 48


def test_dev_single_violations_are_caught(score: PatientScore) -> None:
    # measured: 502/591 when the verdict policy landed, 510/591 with the age and multiple-of-normal
    # grammar; a drop is a regression
    assert score.violations >= 590 and score.caught / score.violations >= 0.86, (score.caught, score.violations)
    assert score.caught_by_criterion / score.violations >= 0.83, score.caught_by_criterion


def test_dev_unreadable_patient_is_reported_not_fatal(score: PatientScore) -> None:
    # NCT04328714-v02 has a birth date after its as_of date: one clear line, the rest scored
    assert len(score.unreadable) <= 1 and all("birth_date" in u for u in score.unreadable)
