"""The record's structured ages as a cross-check of the text's ages (issue: quantities, time and
context, "Age by grammar"): an age of the text that no patient the record admits could meet (or
that every one meets, in an exclusion) is most likely someone else's or no age at all, so it is
kept but never turns a patient away alone. Both directions: an age that narrows or restates the
structured ones stays certain."""

from __future__ import annotations

from typing import Any

import pytest

from nlp.core.checks import age_doubts
from nlp.core.constraints import AgeConstraint, Evidence, NumericRange, Provenance
from nlp.core.record import AgeLimit, TrialRecord
from nlp.matching import Matcher, Patient


def _record(text: str, low: tuple[float, str] | None, high: tuple[float, str] | None) -> TrialRecord:
    def limit(x: tuple[float, str] | None) -> AgeLimit | None:
        return None if x is None else AgeLimit(value=x[0], unit=x[1], text=f"{x[0]:g} {x[1].title()}s")  # type: ignore[arg-type]
    return TrialRecord(source="t", format="text", eligibility_text=text, minimum_age=limit(low), maximum_age=limit(high))


def _age(effect: str, rng: NumericRange) -> AgeConstraint:
    return AgeConstraint(id="c1", criterion="I1", effect=effect, range=rng,  # type: ignore[arg-type]
                         evidence=Evidence(text="x", start=0, end=1), provenance=Provenance(rule="test"))


ADULTS_18_60 = ((18, "year"), (60, "year"))
CHILDREN_1_8 = ((1, "year"), (8, "year"))
ADULTS = ((18, "year"), None)


@pytest.mark.parametrize(("ages", "effect", "rng", "doubted"), [
    # "Sex: female (minimum 70) and male": a count of women read as an age (held-out set 7, NCT03676400)
    (ADULTS_18_60, "include", NumericRange.of(">=", 70, "a"), True),
    # "Parent/legal guardian over 18 years of age" in a trial of children (ctgov-msc NCT04623606)
    (CHILDREN_1_8, "include", NumericRange.of(">", 18, "a"), True),
    # "Available for clinical assessments between 10-30 days old" in a trial of adults (ctgov-msc NCT02926079)
    (ADULTS_18_60, "include", NumericRange.between(10, 30, "d"), True),
    # under the minimum: an upper end below it, or at it and exclusive
    (ADULTS, "include", NumericRange.of("<", 18, "a"), True),
    # an exclusion every admitted patient meets: "Adult over 18 ..." (ctgov-msc NCT04625738)
    (ADULTS_18_60, "exclude", NumericRange.of(">=", 18, "a"), True),
    # the text restating or narrowing the structured ages stays certain
    (ADULTS_18_60, "include", NumericRange.between(18, 60, "a"), False),
    (ADULTS_18_60, "include", NumericRange.of(">=", 21, "a"), False),
    (ADULTS, "include", NumericRange.between(18, 65, "a"), False),
    # an age at the edge that still admits someone: "over 60" where 60 is admitted is empty only
    # in whole years, which the structured maximum does not say; kept certain only when inclusive
    (ADULTS_18_60, "include", NumericRange.of(">=", 60, "a"), False),
    (CHILDREN_1_8, "include", NumericRange.of("<=", 12, "mo"), False),  # 12 months is 1 year
    # an exclusion of part of the admitted ages: "age > 75" in a trial of adults, "under 18" there
    (ADULTS, "exclude", NumericRange.of(">", 75, "a"), False),
    (ADULTS, "exclude", NumericRange.of("<", 18, "a"), False),
    (ADULTS_18_60, "exclude", NumericRange.of(">", 18, "a"), False),  # a patient of exactly 18 is spared
])
def test_age_doubted_when_structured_ages_contradict(ages: Any, effect: str, rng: NumericRange, doubted: bool) -> None:
    rec = _record("", *ages)
    [out] = age_doubts(rec, [_age(effect, rng)])
    assert bool(out.provenance.unresolved) is doubted
    if doubted:
        assert "structured ages" in out.provenance.unresolved[-1]


def test_no_structured_ages_no_check() -> None:
    rec = _record("", None, None)
    [out] = age_doubts(rec, [_age("include", NumericRange.of(">=", 70, "a"))])
    assert out.provenance.unresolved == ()


def test_contradicted_age_never_turns_a_patient_away(nlp) -> None:  # type: ignore[no-untyped-def]
    """End to end (held-out set 7, NCT03676400): a woman of 40 in a trial of adults 18 to 60
    is not ineligible by "female (minimum 70)"; the age range of the text still decides."""
    from nlp.analyze import parse_record

    text = "Inclusion Criteria:\n\nAge: adult from 18 to 60 years old\nSex: female (minimum 70) and male\n"
    parsed = parse_record(_record(text, *ADULTS_18_60), nlp)
    ages = [c for crit in parsed.criteria for c in crit.constraints if c.kind == "age"]
    assert any(c.range.low == 70 and c.provenance.unresolved for c in ages)
    assert any(c.range.low == 18 and c.range.high == 60 and not c.provenance.unresolved for c in ages)
    woman = Patient.model_validate({"id": "p", "sex": "female", "age": 40})
    assert Matcher().match(parsed, woman).overall != "ineligible"
    old = Patient.model_validate({"id": "q", "sex": "female", "age": 70})
    assert Matcher().match(parsed, old).overall == "ineligible"  # the text's own 18 to 60 still applies
