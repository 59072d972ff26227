"""Plain-language wording of quantities, windows and constraints (``nlp.core.wording``): what a
person reads in every report, the card and the match explanations."""

from __future__ import annotations

import pytest

from nlp.core.constraints import (
    AgeCondition,
    AgeConstraint,
    Concept,
    ConceptCondition,
    ConceptSet,
    ConditionConstraint,
    JudgementConstraint,
    MeasurementConstraint,
    NumericRange,
    Provenance,
    SexConstraint,
    TherapyConstraint,
    TrialParticipationConstraint,
    Window,
)
from nlp.core.labels import Anchor, Exposure, Relation
from nlp.core.wording import age_span, bound, duration, quantity, range_words, sentence, window_words

RULES = Provenance(rule="test")


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (65, "a", "65 years"), (1, "a", "1 year"), (12, "mo", "12 months"), (1, "mo", "1 month"),
    (0.0833, "a", "1 month"),  # an age limit of one month stored in years
    (0.5, "a", "6 months"), (2.5, "xULN", "2.5 × ULN"), (1.5, "10*9/L", "1.5 ×10⁹/L"),
    (6, "{score}", "6 points"), (110, "mm[Hg]", "110 mmHg"), (100000, "/uL", "100,000 /µL"),
    (17, "kg", "17 kg"), (30, "kg/m2", "30 kg/m²"), (7, None, "7"), (90, "g/L", "90 g/L"),
    (5, "10*4/L", "5 ×10⁴/L"),  # a power the units table does not list
])
def test_quantity_uses_the_display_unit(value: float, unit: str | None, shown: str) -> None:
    assert quantity(value, unit) == shown


@pytest.mark.parametrize(("days", "shown"), [
    (91, "3 months"), (365, "1 year"), (28, "4 weeks"), (14, "2 weeks"), (10, "10 days"), (1, "1 day"),
    (183, "6 months"), (0.5, "12 hours"),
])
def test_duration_counts_in_the_largest_whole_unit(days: float, shown: str) -> None:
    assert duration(days) == shown


def test_age_span_mixes_units_only_where_needed() -> None:
    assert age_span(18, 65) == "18 – 65 years"
    assert age_span(1 / 12, 18) == "1 month – 18 years"
    assert age_span(18, None) == "≥ 18 years"
    assert age_span(None, 65) == "≤ 65 years"


def test_range_words_say_the_ends_and_whether_they_count() -> None:
    assert range_words(NumericRange(low=18, high=65, unit="a")) == "between 18 and 65 years"
    assert range_words(NumericRange(low=2.5, low_inclusive=False, unit="xULN")) == \
        "above 2.5 × the upper limit of normal"
    assert range_words(NumericRange(high=1.5, unit="xLLN")) == "at most 1.5 × the lower limit of normal"
    assert range_words(NumericRange(low=3, low_inclusive=False, high=10, high_inclusive=False, unit="d")) == \
        "above 3 and below 10 days"
    assert range_words(NumericRange(low=2, high=2)) == "exactly 2"
    assert bound("<=", 2.5, "xULN") == "≤ 2.5 × ULN"


def test_window_words_name_the_anchor() -> None:
    assert window_words(Window(high_days=91)) == "in the 3 months before enrollment"
    assert window_words(Window(low_days=28, anchor=Anchor.LAST_DOSE)) == "at least 4 weeks before the last dose"
    assert window_words(Window(low_days=3, high_days=10, relation=Relation.AFTER, anchor=Anchor.ONSET)) == \
        "between 3 days and 10 days after onset"


def _cs(cid: str, name: str) -> ConceptSet:
    return ConceptSet(concept=Concept(id=cid, name=name))


def test_sentences_as_a_coordinator_reads_them() -> None:
    alt = MeasurementConstraint(id="E1.c1", criterion="E1", effect="exclude", provenance=RULES, concepts=_cs("alt", "ALT"),
                                range=NumericRange(low=2.5, low_inclusive=False, unit="xULN"))
    assert sentence(alt) == "Exclude if ALT is above 2.5 × the upper limit of normal"
    stem = TherapyConstraint(id="E2.c1", criterion="E2", effect="exclude", provenance=RULES,
                             concepts=_cs("stem_cell_therapy", "Stem cell therapy"), exposure=Exposure.IN_WINDOW,
                             window=Window(high_days=91))
    assert sentence(stem) == "Exclude if any stem cell therapy in the 3 months before enrollment"
    age = AgeConstraint(id="I1.c1", criterion="I1", effect="include", provenance=RULES,
                        range=NumericRange(low=18, high=65, unit="a"))
    assert sentence(age) == "Requires age between 18 and 65 years"
    never = ConditionConstraint(id="I2.c1", criterion="I2", effect="include", provenance=RULES, present=False,
                                history=True, concepts=_cs("malignancy", "Malignancy"))
    assert sentence(never) == "Requires no malignancy, now or in the past"
    washout = TherapyConstraint(id="I3.c1", criterion="I3", effect="include", provenance=RULES,
                                concepts=_cs("anticoagulant", "Anticoagulant"), exposure=Exposure.WASHOUT,
                                window=Window(low_days=0, high_days=28))
    assert sentence(washout) == "Requires no anticoagulant in the 4 weeks before enrollment"
    course = TherapyConstraint(id="I4.c1", criterion="I4", effect="include", provenance=RULES,
                               concepts=_cs("corticosteroid", "Corticosteroid"), duration=NumericRange(low=4, unit="wk"))
    assert sentence(course) == "Requires any corticosteroid for at least 4 weeks, at any time"
    trial = TrialParticipationConstraint(id="E3.c1", criterion="E3", effect="exclude", provenance=RULES,
                                         exposure=Exposure.IN_WINDOW, window=Window(high_days=91))
    assert sentence(trial) == "Exclude if taking part in another clinical trial in the 3 months before enrollment"
    judged = JudgementConstraint(id="E4.c1", criterion="E4", effect="exclude", provenance=RULES)
    assert sentence(judged, "Any condition that, in the opinion of the investigator, ...") == \
        "Needs the investigator: “Any condition that, in the opinion of the investigator, ...”"
    assert sentence(SexConstraint(id="r1", criterion=None, effect="include", provenance=RULES, sex="all")) == \
        "Open to any sex (from the record's structured fields)"


def test_sentences_carry_their_condition_and_doubts() -> None:
    inr = MeasurementConstraint(
        id="E1.c1", criterion="E1", effect="exclude", concepts=_cs("inr", "INR"),
        range=NumericRange(low=3, low_inclusive=False),
        applies_if=ConceptCondition(concepts=_cs("anticoagulant", "Anticoagulant")),
        provenance=Provenance(rule="model", source="model", confidence=0.7, unresolved=("severe",)))
    assert sentence(inr) == ("Exclude if INR is above 3, for those with anticoagulant "
                             "(read by the statistical model; not read: severe)")
    older = ConditionConstraint(id="E2.c1", criterion="E2", effect="exclude", concepts=_cs("Rett", "Rett Syndrome"),
                                applies_if=AgeCondition(range=NumericRange(low=65, unit="a")),
                                provenance=Provenance(rule="inference:x", inferred=True, confidence=0.6))
    assert sentence(older) == "Exclude if rett syndrome, for ages at least 65 years (inferred from the wording)"


def test_sentences_agree_with_a_plural_analyte() -> None:
    plt = MeasurementConstraint(id="E1.c1", criterion="E1", effect="exclude", provenance=RULES,
                                concepts=_cs("platelets", "platelets"), range=NumericRange(high=100, high_inclusive=False,
                                                                                            unit="10*9/L"))
    assert sentence(plt) == "Exclude if platelets are below 100 ×10⁹/L"
    rise = MeasurementConstraint(id="I1.c1", criterion="I1", effect="include", provenance=RULES, change=True,
                                 concepts=_cs("creatinine", "creatinine"), range=NumericRange(low=0.5, unit="mg/dL"))
    assert sentence(rise) == "Requires the change in creatinine from baseline at least 0.5 mg/dL"
    assert sentence(plt.model_copy(update={"effect": "include"})) == "Requires platelets below 100 ×10⁹/L"
    hb = plt.model_copy(update={"concepts": _cs("hemoglobin", "NIHSS")})
    assert sentence(hb).startswith("Exclude if NIHSS is below")
