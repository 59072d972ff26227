"""Quantity grammar read as a coordinator reads it (issue: quantities, time and context): one case
per phrasing, from the dev trials of ../shared/data/ctgov-msc (source trial in a comment), in
both directions: what must and what must not become a constraint."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from nlp.core.record import TrialRecord
from nlp.pipeline.values import find_values


def _criteria(nlp, text: str, section: str = "inclusion") -> list[Any]:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    head = "Exclusion" if section == "exclusion" else "Inclusion"
    rec = TrialRecord(source="t", format="text", eligibility_text=f"{head} Criteria:\n\n* {text}\n")
    return list(parse_record(rec, nlp).criteria)


def _constraints(nlp, text: str, kind: str, section: str = "inclusion") -> list[Any]:  # type: ignore[no-untyped-def]
    return [c for crit in _criteria(nlp, text, section) for c in crit.constraints if c.kind == kind]


def _analyte(nlp, text: str, section: str, analyte: str) -> list[Any]:  # type: ignore[no-untyped-def]
    """The measurement constraints of ``analyte`` read from ``text``."""
    return [c for c in _constraints(nlp, text, "measurement", section) if c.concepts and c.concepts.concept.id == analyte]


def _ranges(cs: list[Any]) -> list[tuple[float | None, float | None, str | None]]:
    return [(c.range.low, c.range.high, c.range.unit) for c in cs]


@pytest.mark.parametrize(("text", "ranges"), [
    ("Male or female, aged 18 years-old or older", [(18, None, "a")]),  # NCT04869397
    ("Males and females between age 18 and 70 years at the screening.", [(18, 70, "a")]),  # NCT03943940
    ("Infant or child (male or female) under the age of 16 years at recruitment.", [(None, 16, "a")]),  # NCT05491135
    ("over 18 years of age", [(18, None, "a")]),  # NCT01558908
    ("Male and female ages18 to 75", [(18, 75, "a")]),  # NCT05215288: the age word glued to the number
    ("18-60 years of age with acute ACL injury", [(18, 60, "a")]),  # NCT02492308
    ("18 to 90 years in age", [(18, 90, "a")]),  # NCT02530047
    ("Be ≥ 21 and < 90 years of age", [(21, None, "a"), (None, 90, "a")]),  # NCT02013674: the unit written once
    ("Adults over 18 and under 60", [(18, None, "a"), (None, 60, "a")]),  # after NCT03929120 ("Adults over 18")
    ("Children aged 2-17 years old", [(2, 17, "a")]),  # constructed
    ("women 18-45 years", [(18, 45, "a")]),  # constructed
    ("Patients relapsing or progressing before the age of 18 months", [(None, 18, "mo")]),  # NCT01460901
    ("Onset of symptoms after the age of 50 years", [(50, None, "a")]),  # constructed
    # "of age" / "in age" between the unit and a suffix comparator (was read as age = 18)
    ("Subjects must be 18 years of age or older", [(18, None, "a")]),  # ctgov-msc NCT01931007
    ("Male and female participants 18 years of age and older", [(18, None, "a")]),  # ctgov-msc NCT02412735
    ("Adult individual 18 yr. of age or older.", [(18, None, "a")]),  # ctgov-msc NCT04064957
    ("18 years of age or more", [(18, None, "a")]),  # LCT NCT03920241
    ("Participants 18 years of age and younger", [(None, 18, "a")]),  # ctgov-msc NCT03109301
    ("Age > or = 18 years old", [(18, None, "a")]),  # LCT NCT03920670
    ("Age equal or above 18 years", [(18, None, "a")]),  # LCT NCT03867266
    ("The participant is equal to or older than 18 years old.", [(18, None, "a")]),  # LCT NCT03866603
    ("women up to the age of 50 years", [(None, 50, "a")]),  # LCT NCT03869307
    # "no older than" is an upper limit (it was read as "older than": every adult turned away)
    ("Male or females at least 18 years of age, but not older than 70.", [(18, None, "a"), (None, 70, "a")]),  # ctgov-msc NCT00810212
    ("Individuals at least 18 years of age and no older than 90 years of age", [(18, None, "a"), (None, 90, "a")]),  # ctgov-msc NCT04489732
    ("Patients 11 to no older than 17 years of age", [(11, None, "a"), (None, 17, "a")]),  # LCT NCT03869606
    # a bare number before "to <" is the range's lower end, in the limit's unit
    ("Prepubertal children 2 to <12 years old (i.e., before 12th birthday)", [(2, None, "a"), (None, 12, "a")]),  # LCT NCT03862521
    ("Female, 18 to <40 years old, who are seeking fertility", [(18, None, "a"), (None, 40, "a")]),  # ctgov-msc NCT05494723
    # "(including)" / "(inclusive)" after the first end of a range
    ("Male or female, aged at 18 years (including) to 75 years old.", [(18, 75, "a")]),  # ctgov-msc NCT05387278
    ("Male or female, aged at 18 years (including) -70 years old", [(18, 70, "a")]),  # ctgov-msc NCT04252118: was -70
    # the registry's own age lines, pasted with the criteria (they were "age = 18")
    ("Minimum age: 18 years old", [(18, None, "a")]),  # LCT NCT03860493
    ("Minimum Age: 18 Years Maximum Age: 99 Years", [(18, None, "a"), (None, 99, "a")]),  # LCT NCT03862105
    ("Upper age limit: 70 years", [(None, 70, "a")]),  # constructed
    # "the age of" names the age: the bare number is in years (it was not read)
    ("over the age of 18", [(18, None, "a")]),  # LCT NCT03865186
    ("Cases under the age of 18.", [(None, 18, "a")]),  # ctgov-msc NCT05240430
    # a criterion that says nothing but an adult's number of years is the age (a duration to the
    # temporal tagger before: not read)
    ("Over 18 years.", [(18, None, "a")]),  # LCT NCT03921203
    ("Male and female patients between 18 and 80 years", [(18, 80, "a")]),  # LCT NCT03864757
    ("Patient between70 and 85 years old", [(70, 85, "a")]),  # NCT02630836: "between" glued to its number
    # glued "between" after a word for people, no "old" after it (NCT04706312: no age read, the sex dropped with it)
    ("Women between35 and 45 years, who is diagnosed with Diminished Ovarian Reserve", [(35, 45, "a")]),
    # the comparison written before the word "age", past "old" (NCT04293692, NCT05308342: age = 18 and
    # "old ≤ age" read as old age before)
    ("Male or female, 18 years old ≤ age ≤ 75years old;", [(18, None, "a"), (None, 75, "a")]),
    ("Adult patients over 18 years", [(18, None, "a")]),  # LCT NCT03926572
    ("Under 18 years;", [(None, 18, "a")]),  # ctgov-msc NCT02034786
    ("18-40 years", [(18, 40, "a")]),  # LCT NCT03863431
    # an "age of" mention reaching into the value is the value's
    ("Age of 50 years or over;", [(50, None, "a")]),  # LCT NCT03868709
    ("A patient age of 14-65 years", [(14, 65, "a")]),  # ctgov-msc NCT01763086
    # a number with no unit that an age word governs, right before or right after it, is in years
    # (none of these was read)
    ("male and female patients at the age of 18 to 75.", [(18, 75, "a")]),  # ctgov-msc NCT01496339
    ("Men and women who are age in the range of 50 to 85", [(50, 85, "a")]),  # ctgov-msc NCT01547689
    ("Age (years): >15;", [(15, None, "a")]),  # ctgov-msc NCT03109301
    ("Age [≥ 18]", [(18, None, "a")]),  # LCT NCT03868514
    ("20-70 age", [(20, 70, "a")]),  # LCT NCT03868995
    ("being 65-80 aged.", [(65, 80, "a")]),  # LCT NCT03928405
    ("18-35-year-old women", [(18, 35, "a")]),  # LCT NCT03860064
    ("Korean male or female at 50+ years of age at the time of screening visit", [(50, None, "a")]),  # ctgov-msc NCT02899091
    # ... and a comparison joined to it by "or" / "to" is the age's other end
    ("Age ≥18 to ≤55, both genders", [(18, None, "a"), (None, 55, "a")]),  # ctgov-msc NCT04749667
    # the upper end after a comma or "but", when the two ends bound one interval (it was not read)
    ("Age ≥18 years, and ≤75 years;", [(18, None, "a"), (None, 75, "a")]),  # ctgov-msc NCT04346368
    ("Age ≥18 years, ≤65 years", [(18, None, "a"), (None, 65, "a")]),  # ctgov-msc NCT04951882
    # a word for people, then "between" / "from" and the years (they were not read)
    ("Men or women between 18 and 70 years (inclusive) with a diagnosis of osteonecrosis", [(18, 70, "a")]),  # ctgov-msc NCT01529008
    ("Males and females from 18 years and above.", [(18, None, "a")]),  # ctgov-msc NCT03343782
    # two comparisons joined by "or" that bound the ages outside one interval share the unit and
    # the age (the second, or the first, was not read)
    ("Patients <18 or > 70 years.", [(None, 18, "a"), (70, None, "a")]),  # ctgov-msc NCT02104440
    ("Patients <18 ou >80 years", [(None, 18, "a"), (80, None, "a")]),  # ctgov-msc NCT02472002 (French "ou")
    ("<30 or >69 years old", [(None, 30, "a"), (69, None, "a")]),  # LCT NCT03925142
])
def test_grammar_ages(nlp, text: str, ranges: list[tuple[float | None, float | None, str]]) -> None:  # type: ignore[no-untyped-def]
    assert _ranges(_constraints(nlp, text, "age")) == ranges


@pytest.mark.parametrize(("text", "at_event"), [
    # the age at an event is no reading of the patient's current age: kept, never certain
    ("Patients relapsing or progressing before the age of 18 months from Stage I/II disease", True),  # NCT01460901
    ("diagnosed before the age of 40 years", True),  # constructed
    ("Patients with newly diagnosed AML aged 18 to 60 years", False),  # constructed: the patient's age
    # the event a few words before "at (an age)"
    ("Clinical history compatible with type 1 diabetes with onset of disease at < 40 years of age", True),  # ctgov-msc NCT01967186
    ("Patients diagnosed with Pulmonary hemosiderosis at an age less than 18 years.", True),  # ctgov-msc NCT02985346
    ("Patients diagnosed with MS, aged 18 to 60 years", False),  # constructed
])
def test_grammar_age_at_an_event(nlp, text: str, at_event: bool) -> None:  # type: ignore[no-untyped-def]
    cs = _constraints(nlp, text, "age")
    assert cs and all(any("age at an event" in u for u in c.provenance.unresolved) is at_event for c in cs)


@pytest.mark.parametrize(("text", "relative"), [
    # an age before or after which the clause places something (LCT NCT03861884, ctgov-msc
    # NCT01742533, NCT03265808): kept, never certain
    ("Not speaking English before age 5 years.", True),
    ("Amenorrhea with hypoestrogenism levels in female before the age of 40.", True),
    ("First major depressive episode after 50 years of age.", True),
    # whom it speaks of alone: the patient's own age
    ("Patients before the age of 18 years", False),
    ("Children before the age of 2 years", False),
])
def test_grammar_an_age_relative_to_an_event_is_not_certain(nlp, text: str, relative: bool) -> None:  # type: ignore[no-untyped-def]
    cs = _constraints(nlp, text, "age")
    assert cs and all(any("not surely the patient's current age" in u for u in c.provenance.unresolved) is relative for c in cs)


@pytest.mark.parametrize("text", [
    "within 3 months of age-related macular degeneration diagnosis",  # after NCT02016508: "of age-related" is no age
    "Positive blood pregnancy test results for female subjects of reproductive age within 7 days",  # seed NCT05697718
    "Relapse within 18 months of completing therapy",
    "Patients older than 6 months after stroke",  # constructed: a time since the stroke
    "patients between 6 and 12 months after stroke",  # constructed: a time since the stroke
    "CR1 up to age 35",  # NCT01624701: an item of a catalogue of diseases, left unread (no "the age of")
    "> 5 years",  # constructed: a small number of years alone is as often a time under a lead-in
    "Disease duration > 20 years",  # constructed: a duration of something named
    # an age word that governs no number of years: an analyte's name, a life stage
    "Age-adjusted Charlson comorbidity index ≥ 3",  # constructed
    "Age-related macular degeneration grade 3-4",  # constructed
    "Patient must weigh 40-120 kg at the age of screening",  # constructed: a unit of its own
    # a comparison written before what it compares, which is no age (it was age > 50 in a children's trial)
    "Kaufman Assessment Battery for Children 50<K-ABC<100",  # ctgov-msc NCT03979898
    "Age-adjusted Charlson comorbidity index: 30 ≤ age-adjusted score",  # constructed: a number with no time unit before "age"
    # a guardian's age, named with a slash (it was the infant patient's: ctgov-msc NCT03706482, NCT04623606)
    "Parent/legal guardian over 18 years of age",
])
def test_grammar_not_ages(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert _constraints(nlp, text, "age") == []


@pytest.mark.parametrize(("text", "ages"), [
    # a comma joins no time since an event to the age before it: no interval (constructed)
    ("Age ≥ 18 years, and ≥ 6 months after stroke", [(18, None, "a")]),
    ("Age ≥ 18 years, ≥ 2 years since diagnosis", [(18, None, "a")]),
])
def test_grammar_age_end_joined_only_as_an_interval(nlp, text: str, ages) -> None:  # type: ignore[no-untyped-def]
    assert _ranges(_constraints(nlp, text, "age")) == ages


@pytest.mark.parametrize(("text", "ranges"), [
    # another age than the patient's (cue age_of_other): a gestational age is a measurement of its
    # own, a donor's or a mother's age no age of the patient's; the patient's age beside it stays
    ("gestational age ≥ 34weeks, body weight ≥ 2kg.", [(34, None, "wk")]),  # NCT02854579
    ("Gestational age at birth < 28 weeks", [(None, 28, "wk")]),  # NCT04255147
    ("Gestation ages ≥ 37 weeks and < 42 weeks", [(37, None, "wk"), (None, 42, "wk")]),  # NCT02772289
    # weeks completed by days (cue weeks_days_tail): the high end in days, the low end in weeks
    ("Gestational age between 14 weeks and 23 weeks 6 days", [(14, None, "wk"), (None, 167, "d")]),  # LCT NCT03868787
    ("Donor age > 65 years", []),  # NCT03929523
    ("Maternal age ≥18 yrs", []),  # LCT NCT03863613
    ("Bone age less than 12 years", []),  # constructed
    ("Donor more than 65 years of age, or unhealthy.", []),  # NCT00749164: excluded every patient over 65
    ("Patients with HLA-haplo-matched bone marrow donor less than 70 years old", []),  # NCT04835883
    ("Patients ≥1 and ≤6 months after type I myocardial infarction", []),  # LCT NCT03926312: a time since the MI
    # the age of the child, infant or patient a parent or caregiver looks after
    (("Be a parent or caregiver of a child at least 6 months old but less than 3.5 years (42 months), "
      "with at least 2 fully erupted teeth"), []),  # LCT NCT03862443
    ("Mothers of infants younger than 6 months", []),  # constructed: "younger" said of the infants
    ("Caregivers of patients aged 65 or older", []),  # constructed
    ("Donor older than 65 years", []),  # constructed: "older" said of the donor
    # both ends of another person's age, the second after "or" (it was read as the patient's age)
    ("Infants of mothers with pre-eclampsia, mothers <18 years or >40 years of age", []),  # LCT NCT03928431
    ("Donors younger than 18 or older than 60 years", []),  # constructed
])
def test_grammar_another_age_is_not_the_patients(nlp, text: str,  # type: ignore[no-untyped-def]
                                                 ranges: list[tuple[float | None, float | None, str]]) -> None:
    assert _constraints(nlp, text, "age") == []
    assert _ranges(_analyte(nlp, text, "inclusion", "gestational_age")) == ranges


@pytest.mark.parametrize(("text", "ranges"), [
    ("Age 18-65 years; donor age under 60", [(18, 65, "a")]),  # constructed: the patient's age kept
    ("Women aged 18 to 45 years", [(18, 45, "a")]),  # constructed
    ("Children aged 6-36 months", [(6, 36, "mo")]),  # LCT NCT03863418: the children are the patients
    ("Patients younger than 25 years old.", [(None, 25, "a")]),  # LCT NCT03861650
    ("Patients younger than 18 or older than 60 years", [(None, 18, "a"), (60, None, "a")]),  # constructed: both the patient's
])
def test_grammar_patients_age_beside_another(nlp, text: str,  # type: ignore[no-untyped-def]
                                             ranges: list[tuple[float | None, float | None, str]]) -> None:
    assert _ranges(_constraints(nlp, text, "age")) == ranges


@pytest.mark.parametrize(("text", "expected"), [
    # a dash opening the next line is its list bullet, no range ("< 50mm" was "between 50 and 3 mm")
    ("Left atrium size < 50mm\n  -  3. Severe valve disease", [("<", 50.0, None, "mm")]),  # LCT NCT03920891
    ("ASA class >3\n  -  2. Pregnancy", [(">", 3.0, None, None)]),  # LCT NCT03869203
    ("prognosis for survival greater than 6 months\n  -  1. foo", [(">", 6.0, None, "mo")]),  # LCT NCT03861494
    # a dash ending a line still joins the range
    ("age 18 -\n 65 years", [("between", 18.0, 65.0, "a")]),  # constructed
])
def test_grammar_a_bullet_line_ends_a_value(text: str, expected: list[tuple[str | None, float, float | None, str | None]]) -> None:
    assert [(v.comparator, v.value, v.value_high, v.unit) for v in find_values(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("< 23 weeks 6 days", [("<", 167.0, None, "d", None)]),
    ("23 weeks to 24 weeks 6 days", [("between", 23.0, 174.0, "d", "wk")]),  # NCT03857841
    ("for 6 weeks 10 days", [(None, 6.0, None, "wk", None), (None, 10.0, None, "d", None)]),  # 10 days: no weekday
])
def test_grammar_weeks_and_days(text: str, expected: list[tuple[str | None, float, float | None, str, str | None]]) -> None:
    assert [(v.comparator, v.value, v.value_high, v.unit, v.low_unit) for v in find_values(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    # gestational ages written weeks plus days (ctgov-msc NCT03356821; LCT NCT03863613, NCT03635450)
    ("(Near-)Term infants, ≥36+0 weeks of gestation", [(">=", 36.0, None, "wk", None)]),
    ("born before 35+6 weeks", [(None, 251.0, None, "d", None)]),
    ("16 0/7 to 22 0/7 weeks of gestation", [("between", 16.0, 22.0, "wk", "wk")]),
    ("23+0 to 27+6 weeks", [("between", 161.0, 195.0, "d", "d")]),
    # a "+" after a word or with a space is no such notation
    ("CD4+ 3 weeks", [(None, 3.0, None, "wk", None)]),
])
def test_grammar_weeks_plus_days(text: str, expected: list[tuple[str | None, float, float | None, str, str | None]]) -> None:
    assert [(v.comparator, v.value, v.value_high, v.unit, v.low_unit) for v in find_values(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("hemoglobin >/= 9 gm/dl", [(">=", 9.0, "g/dL")]),  # NCT02530047
    # "then" for "than", the registries' common misspelling (LCT NCT03924024 "less then 60 y/o"; 4 in the corpora)
    ("hemoglobin less then 9 g/dL", [("<", 9.0, "g/dL")]),
    ("ALT more then 3 times ULN", [(">", 3.0, "xULN")]),
    # "per cent" of a decilitre, the old clinical spelling: mg% is mg/dL, gm% g/dL (NCT00883870, NCT00883727)
    ("Hb% < 10 gm%, Serum Creatinine ≥ 2mg%", [("<", 10.0, "g/dL"), (">=", 2.0, "mg/dL")]),
    ("HbA1c > 8%", [(">", 8.0, "%")]),
    ("Cancer antigen 15-3 for breast cancer", []),  # a name's number: a range runs upward (NCT02477540)
    ("NIHSS 5-12", [("between", 5.0, None)]),
    ("platelets </= 100 x 10^9/L", [("<=", 100.0, "10*9/L")]),
    ("AST, ALT ≥ 2.0×UNL", [(">=", 2.0, "xULN")]),  # NCT04569409 (ULN misspelt)
    ("bilirubin, AST, ALT >5xnormal", [(">", 5.0, "xULN")]),  # NCT01460901
    ("ALT or AST > 5N", [(">", 5.0, "xULN")]),  # NCT04869397
    # a multiple without its reference takes the next one written (NCT03943940)
    ("AST and/or ALT ≥ 2 times or bilirubin ≥ 2.0 times normal value", [(">=", 2.0, "xULN"), (">=", 2.0, "xULN")]),
    # the reference first, a comparator before it (a spaced "& GT;" is the registry's ">")
    ("ALT, AST, Cr & GT; Normal 1.5 times", [(">", 1.5, "xULN")]),  # NCT05319106
    ("ALT ULN x 1.5", [(None, 1.5, "xULN")]),
    ("serum creatinine exceeded the upper limit of normal by 1.4 times", [(">", 1.4, "xULN")]),  # NCT04074408
    ("bilirubin is lower than the ULN 3 times", [("<", 3.0, "xULN")]),
    ("ALT > 2.5 x ULN", [(">", 2.5, "xULN")]),
    # a multiple written without its "x" (NCT03868852, NCT05468502)
    ("ALT and AST < 2.5 ULN", [("<", 2.5, "xULN")]),
    ("total bilirubin (TBIL) ≤ 1.5uln", [("<=", 1.5, "xULN")]),
    # the comparator between the multiple and its reference (NCT03265613, NCT03378414, NCT01720888)
    ("AST or ALT 2 times more than normal upper limit;", [(">", 2.0, "xULN")]),
    ("total bilirubin is 1.5 times higher than normal value", [(">", 1.5, "xULN")]),
    ("serum alanine transferase level at 4 times greater than normal value", [(">", 4.0, "xULN")]),
    # the comparator restated as a symbol, units spelt out (NCT01874665)
    ("diastolic blood pressure greater than (>) 90 millimeter of mercury [mmHg]", [(">", 90.0, "mm[Hg]")]),
    ("Total serum bilirubin less than or equal to (<=) 1.5*Upper Limit of Normal (ULN)", [("<=", 1.5, "xULN")]),
    ("triglycerides >450 milligram per deciliter [mg/dL]", [(">", 450.0, "mg/dL")]),
    ("GvHD greater than or equal to grade 2", [(">=", 2.0, "{score}")]),  # NCT01460901: a grade word before the number
    ("GvHD greater or equal to grade 2", [(">=", 2.0, "{score}")]),  # constructed: "greater or equal to"
    ("ACR > 30 mg/g", [(">", 30.0, "mg/g")]),  # ctgov-msc NCT01843387: a mass per mass (was read as "mg", implausible)
    ("DLCO over or equal to 30%", [(">=", 30.0, "%")]),  # ctgov-msc NCT02625246: "over or equal to"
    ("FEV1 below or equal to 60%", [("<=", 60.0, "%")]),  # constructed: its counterpart
    ("PaO2/FiO2 ratio equal or less than 200 mmHg", [("<=", 200.0, "mm[Hg]")]),  # NCT04615429: "equal or less than"
    ("Life expectancy longer than 12 months", [(">", 12.0, "mo")]),  # NCT04590118
    ("survival shorter than 3 months", [("<", 3.0, "mo")]),  # constructed
    # one unit written after coordinated comparisons belongs to each (NCT01091701, NCT04569409)
    ("blood glucose is < 3.0 or > 20.0mmol/L", [("<", 3.0, "mmol/L"), (">", 20.0, "mmol/L")]),
    ("Range of Ankle Brachial Index (ABI) is > 0.7 to < 1.3", [(">", 0.7, None), ("<", 1.3, None)]),
    # "but" joins the two ends too (ctgov-msc NCT03509870; set 7 NCT04490486)
    ("Wound area with sharp debridement of ≥ 0.5 but ≤ 4.0 cm2.", [(">=", 0.5, "cm2"), ("<=", 4.0, "cm2")]),
    # the value written before its analyte, the comparison read from the analyte's side
    ("8% ≤ HbA1C ≤ 11%", [(">=", 8.0, "%"), ("<=", 11.0, "%")]),  # NCT03943940
    ("100 mmHg <PaO2/FiO2 ≤ 200 mmHg", [(">", 100.0, "mm[Hg]"), ("<=", 200.0, "mm[Hg]")]),  # NCT04611256
    # units with denominators and local spellings
    ("Platelets (PLT) < 50 G /L", [("<", 50.0, "10*9/L")]),  # NCT04869397: giga per litre
    ("positive end expiratory pressure (PEEP) of at least 5 cm H20", [(">=", 5.0, "cm[H2O]")]),  # NCT03369275
    ("mean arterial pressure of at most 125 mm of Hg", [("<=", 125.0, "mm[Hg]")]),  # "mm of Hg": NCT01714167
    ("Testosterone level is less than 200ng/dL", [("<", 200.0, "ng/dL")]),  # NCT02745808
    ("dyspnea (PR ≥ 30 times/min)", [(">=", 30.0, "/min")]),  # NCT05501418
    ("greater than 100.4 degrees Fahrenheit", [(">", 100.4, "[degF]")]),  # NCT04410731
    ("temperature > 38.5 °C", [(">", 38.5, "Cel")]),  # constructed
    ("The wound area was between 10cm2 and 40cm2", [("between", 10.0, "cm2")]),  # NCT05319106
    ("ulcer size is between 1.5~15 cm2", [("between", 1.5, "cm2")]),  # NCT04569409
    ("proteinuria greater than 1 g/day", [(">", 1.0, "g/d")]),  # NCT04318600
    ("at least 15 mcg/min of norepinephrine", [(">=", 15.0, "ug/min")]),  # NCT03369275
    ("at least 0.03 U/min of vasopressin", [(">=", 0.03, "U/min")]),  # NCT03369275
    ("peak systolic velocity（PSV） <25 cm/sec", [("<", 25.0, "cm/s")]),  # NCT02745808
    ("platelets ≥ 100.000/mm3", [(">=", 100000.0, "/uL")]),  # after NCT01499459: a dotted thousands separator
    ("Platelets<80 000/mm3, haemorrhagic cystitis", [("<", 80000.0, "/uL")]),  # NCT00962923: a spaced one
    # a count "in mm3" without the slash is per mm3, at the end of its clause (7 times in ../shared/data)
    ("platelet counts more than 30.000 mm3", [(">", 30000.0, "/uL")]),  # NCT01499459
    ("Platelet count < 80,000mm3", [("<", 80000.0, "/uL")]),
    ("tumour volume of 500 mm3 or more", []),  # a volume, not a count
    # negative values after a comparator or before a suffix comparator (NCT03197623, NCT05011474)
    ("T score ≤ -1.0", [("<=", -1.0, None)]),
    ("the T score in the lumbar spine bone density test is -2.5 or less", [("<=", -2.5, None)]),
    # comparators left as HTML entities by the registry's export (NCT05319106)
    ("ejection fraction &lt; 30%", [("<", 30.0, "%")]),
    ("ALT &gt;= 3 x ULN", [(">=", 3.0, "xULN")]),
    # a number in words restated in digits (NCT04073472)
    ("Investigational drug within thirty (30) days of baseline", [(None, 30.0, "d")]),
    ("at least six (6) months", [(">=", 6.0, "mo")]),
    # a level after a participle of a scale word (NCT04569409)
    ("Ulcer graded 2 by Wagner grade", [("=", 2.0, "{score}")]),
    # a unit's equivalence converts units and states no value (NCT04273646, NCT04341610)
    ("(FiO2) ≤300 mmHg (1mmHg = 0.133kPa)", [("<=", 300.0, "mm[Hg]")]),
    ("(FiO2) ≤ 300mmHg, 1mmHg=0.133kPa", [("<=", 300.0, "mm[Hg]")]),
    # modifier-letter arrowheads written for > and < (NCT02501811, NCT04956744)
    ("enzymes (AST and ALT) ˃ 3 times the upper limit of normal (ULN)", [(">", 3.0, "xULN")]),
    ("platelets ˂ 100,000/mm3", [("<", 100000.0, "/uL")]),  # constructed
    # an article between the comparator and the number (NCT02192736)
    ("less than a 3 pack year history", [("<", 3.0, None)]),
    ("more than a year", []),  # "a" alone is one, never a comparator's article
    # a suffix comparator followed by "than" opens a new comparison (NCT03058068); a bare value
    # joined by "and" to an upper limit above it is the lower end
    ("screening Visit 1 and less than a 5 pack-year lifetime history", [("<", 5.0, None)]),
    ("Aged 18 years and less than 65 years", [(">=", 18.0, "a"), ("<", 65.0, "a")]),  # constructed
    ("aged 18 years and older", [(">=", 18.0, "a")]),
    # packs a day are a unit of their own, not cigarettes (NCT05497401)
    ("Heavy smokers (above 2 packages a day)", [(">", 2.0, "{packs}/d")]),
    # a suffix comparator after a word that introduces the value ("a score of 220 or less", LCT NCT04939337)
    ("(CDAI) score of 220 or less", [("<=", 220.0, None)]),
    ("Oswestry Disability Index of 30% or higher", [(">=", 30.0, "%")]),  # NCT02338271: was read as = 30
    ("a score of 5", []),  # "of" alone states no comparator
    # comparators mined from LCT's normalised comparisons
    ("gestational age beyond 20 weeks", [(">", 20.0, "wk")]),  # LCT NCT03860103
    ("symptoms lasting 30 minutes or longer", [(">=", 30.0, "min")]),  # LCT NCT03868592
    ("superior or equal to two intakes per day", [(">=", 2.0, None)]),  # LCT NCT03923569
    ("T-score ⩽ -3", [("<=", -3.0, None)]),  # LCT NCT03926377
    ("Age > or = to 65 years", [(">=", 65.0, "a")]),  # LCT NCT03923959
    ("GFR < or equal to 35 (chronic kidney disease stage 3 or higher)", [("<=", 35.0, None), (">=", 3.0, "{score}")]),  # NCT03059355: was "= 35"
    ("Age > or equal 18 years old,", [(">=", 18.0, "a")]),  # NCT03918655
    ("it has to be greater than/equal to 0.6", [(">=", 0.6, None)]),  # NCT03276312 (Toe Brachial Index)
    ("less than/equal to 2 x ULN", [("<=", 2.0, "xULN")]),
    ("an equal or greater number", []),  # "equal" alone after no symbol is no comparator
    # levels after a scale word are no levels when a number the scale cannot take follows
    ("Karnofsky Performance Status 70-100;", [("between", 70.0, None)]),  # LCT NCT03927274: was = 70
    ("ECOG performance status 0, 1, or 2", [("between", 0.0, "{score}")]),  # levels still
    # pounds where written; "kgs"
    ("Weight ≥325 pounds,", [(">=", 325.0, "[lb_av]")]),  # LCT NCT03860350
    ("Body weight >450 lbs", [(">", 450.0, "[lb_av]")]),  # LCT NCT03866564
    ("weight over 200kgs", [(">", 200.0, "kg")]),  # ctgov-msc NCT05488093
    # a threshold restated in brackets in another unit is one threshold (3% agreement)
    ("Body weight under 55 kg (121 lbs)", [("<", 55.0, "kg")]),  # ctgov-msc NCT04389450
    ("Absolute neutrophil count (ANC) < 1.5×10^9/L (1500/mm^3)", [("<", 1.5, "10*9/L")]),  # ctgov-msc NCT04976140
    ("Platelet count ≥ 100 x 109/L (>100,000 per mm3)", [(">=", 100.0, "10*9/L")]),  # ctgov-msc NCT05047276
    ("weight 50 kg (200 lb)", [(None, 50.0, "kg"), (None, 200.0, "[lb_av]")]),  # constructed: they disagree
    # a comparator word starts a word: "over" inside "moreover" is none; "cannot exceed" is one
    ("moreover 5 mg daily", [(None, 5.0, "mg/d")]),  # constructed ("daily" makes the mass a dose)
    # the SI clearance unit and cubic centimetres (they were not read: NCT01305694, NCT04615455)
    ("Creatinine clearance > 1.25 ml/s", [(">", 1.25, "mL/s")]),
    ("LG volume on MRI < 0,2 cm3", [("<", 0.2, "mL")]),
    ("volume 30 cm 3 weeks", [(None, 30.0, "cm"), (None, 3.0, "wk")]),  # constructed: "cm 3" is no cm3
    # "mM" (written so) is millimolar; "mm" and "MM" stay millimetres (NCT01270139, NCT03059355)
    ("fasting glucose >7.0 mM/L", [(">", 7.0, "mmol/L")]),
    ("Elevated triglycerides - ≥ 150 mg/dL (1.7 mM)", [(">=", 150.0, "mg/dL"), (None, 1.7, "mmol/L")]),
    ("depth ≥ 5 MM", [(">=", 5.0, "mm")]),  # constructed
    # a suffix comparator before a number opens the next comparison ("18 and under 60")
    # (the bare 18 before a limit without a unit stays unread: "Visit 1 and less than a 5 pack-year")
    ("aged 18 and under 60", [("<", 60.0, None)]),  # constructed: was read as "<= 18"
    ("Age 18 years or older.", [(">=", 18.0, "a")]),  # ctgov-msc NCT00555828: a full stop is no number
    # a comparator glued to its number; a plus sign
    ("Haemoglobin equal to or greater than100 g/L at enrolment.", [(">=", 100.0, "g/L")]),  # LCT NCT03925454
    ("The dose of glucocorticoid is less than or equal to10mg/ day", [("<=", 10.0, "mg/d")]),  # ctgov-msc NCT03798028
    ("-2 ≤ z-score < +1", [(">=", -2.0, None), ("<", 1.0, None)]),  # LCT NCT03924076
    ("HIV+ 3 months", [(None, 3.0, "mo")]),  # a plus after a name is no sign
    ("Stromal loss in corneal ulcers cannot exceed 50%.", [("<=", 50.0, "%")]),  # ctgov-msc NCT04626583
    ("FVC, FEV1 or MVV had exceeded 70% of the predicated value.", [(">", 70.0, "%")]),  # ctgov-msc NCT02668068
    # the SI notation with a negative exponent (ctgov-msc "Normal Body-Mass-Index (BMI): 18.5-24.9 kg∙m-2")
    ("Normal Body-Mass-Index (BMI): 18.5-24.9 kg∙m-2", [("between", 18.5, "kg/m2")]),
    ("weight 70 kg m-2x", [(None, 70.0, "kg")]),
    # the limit itself after a comparator, no number: once the limit (ctgov-msc NCT03828344, NCT02000362,
    # NCT03197623, NCT01874665; LCT NCT03925298)
    ("CRP greater than upper limit of normal (ULN)", [(">", 1.0, "xULN")]),
    ("Serum creatinine ≤ the upper limit of normal", [("<=", 1.0, "xULN")]),
    ("Phosphate level < LLN", [("<", 1.0, "xLLN")]),
    ("LVEF less than lower limit of normal per local institutional standards", [("<", 1.0, "xLLN")]),
    ("Creatinine and cystatin C more than normal upper limit;", [(">", 1.0, "xULN")]),  # NCT03265613
    ("Total bilirubin =< upper normal limit (obtained =< 7 days prior to registration)", [("<=", 1.0, "xULN"), ("<=", 7.0, "d")]),  # NCT02068794
    ("Hemoglobin above the lower normal limit", [(">", 1.0, "xLLN")]),  # constructed: the lower limit the same way
    # a multiple written as a word, its comparator before it or between it and the limit (ctgov-msc
    # NCT01824121, NCT02247973, NCT04490486; LCT NCT03863639)
    ("Transaminase elevation more than twice the upper limit of normal;", [(">", 2.0, "xULN")]),
    ("renal function (Cr) is twice higher than the ULN;", [(">", 2.0, "xULN")]),
    ("creatinine level are no more than twice times the upper limit of normal value (ULN);", [("<=", 2.0, "xULN")]),
    ("PT/PTT twice normal range without systemic anticoagulation", [(None, 2.0, "xULN")]),
    ("serum transaminase concentration ≥ twice normal, or both", [(">=", 2.0, "xULN")]),
    # points of a scale named between the number and the word (ctgov-msc NCT01730547, NCT02249676)
    ("or 0.5 EDSS point (if at randomization EDSS ≥ 5.5)", [(None, 0.5, "{score}"), (">=", 5.5, None)]),
    ("or 0.5 EDSS points", [(None, 0.5, "{score}")]),
    ("1 more point", []),  # no scale's abbreviation between them
    # decibels: hearing thresholds and visual-field deviations (LCT NCT03925584, NCT03861442)
    ("Background noise level (at bedside) must be 55dB or less.", [("<=", 55.0, "dB")]),
    ("pure tone average ≥ 40 dB HL", [(">=", 40.0, "dB")]),
    ("mean deviation 10 decibels", [(None, 10.0, "dB")]),
    ("10 db", []),  # written so it names no unit: no value
    # a filler between an amount and its time unit (time_units.json amount_fillers; NCT04397796)
    ("Intubated > 72 continuous hours.", [(">", 72.0, "h")]),
    ("for at least 4 consecutive weeks", [(">=", 4.0, "wk")]),
    # "up to and including" (set 1 NCT00810212)
    ("with or without up to and including Grade II degenerative spondylolisthesis", [("<=", 2.0, "{score}")]),
    ("up to and including 65 years", [("<=", 65.0, "a")]),
    # seconds and milliseconds in the plural abbreviation (ctgov-msc NCT00721045)
    ("lasting >30 secs", [(">", 30.0, "s")]),
    ("QTc > 450 msecs", [(">", 450.0, "ms")]),
    # an angle: a degree sign or "degrees" with no C or F after it (ctgov-msc NCT05027581, NCT02412735)
    ("Varus more than 10° or Valgus more than 20°", [(">", 10.0, "deg"), (">", 20.0, "deg")]),
    ("a Cobb angle of the lumbar spine greater than 15 degrees", [(">", 15.0, "deg")]),
    ("temperature ≥ 38.5 °C", [(">=", 38.5, "Cel")]),
    ("an increase of at least one degree in the EDSS score", [(">=", 1.0, None)]),  # NCT00781872: a step, no angle
    # a sub-stage letter after a level is its stage (NCT01843387, NCT02065167)
    ("CKD stage 3b-4", [("between", 3.0, "{score}")]),
    ("Steinberg stages 0, I, IIA, IIB, or IIC", [("between", 0.0, "{score}")]),
    ("stage IVa", [("=", 4.0, "{score}")]),
    # a multiple of the normal range in the long form without its "x"; of the control value (NCT02338375, NCT02755376)
    ("ALT/AST/bilirubin value ≥ 2 upper limit of the normal range", [(">=", 2.0, "xULN")]),
    ("APTT <1.5×control", [("<", 1.5, "xULN")]),
    ("aPTT ≥ 1.5 x control", [(">=", 1.5, "xULN")]),
    ("a control group of 20 patients", []),
])
def test_grammar_values(text: str, expected: list[tuple[str | None, float, str | None]]) -> None:
    assert [(v.comparator, v.value, v.unit) for v in find_values(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    # the normal range named as a whole: from its lower limit to its upper one, or beyond either
    # (ctgov-msc NCT03197623; LCT "Serum creatinine out of normal range", "TSH within normal limits")
    ("Total calcium values outside the normal range", [("outside", "xLLN", "xULN")]),
    ("Serum creatinine out of normal range", [("outside", "xLLN", "xULN")]),
    ("Platelets outside of the reference range", [("outside", "xLLN", "xULN")]),
    ("Serum creatinine within the normal range", [("between", "xLLN", "xULN")]),
    ("TSH within normal institutional limits", [("between", "xLLN", "xULN")]),
    ("bilirubin in the normal range", [("between", "xLLN", "xULN")]),
    # beyond one of its limits (ctgov-msc NCT04240873-like wording, LCT): read with that limit
    ("serum creatinine higher than the normal value", [(">", None, "xULN")]),
    ("bilirubin exceeds normal limits", [(">", None, "xULN")]),
    ("SCr exceeded normal range upper limit", [(">", None, "xULN")]),  # ctgov-msc NCT02672306
    ("hemoglobin below normal reference range", [("<", None, "xLLN")]),
    ("C-reactive protein and ferritin above the reference value considered normal", [(">", None, "xULN")]),
    ("Hemoglobin, Hematocrit, and Platelet count are above or below normal values", [("outside", "xLLN", "xULN")]),
    ("PT and PTT not within normal value", [("outside", "xLLN", "xULN")]),  # ctgov-msc NCT02118519
    # no range named: nothing ("above normal", "normal saline", "the range of normal motion")
    ("bilirubin above normal", []),
    ("within the normal saline group", []),
    ("knee motion within the range of normal", []),
    # the range written out after it is the reading (ctgov-msc NCT01305694; LCT NCT03861715)
    ("total bilirubin within normal institutional limits (NV: 0.0-20.5 umol/L)", [("between", None, "umol/L")]),
    ("FSH within normal limits (1-12 IU/l)", [("between", None, "U/L")]),
])
def test_grammar_normal_range(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert [(v.comparator, v.low_unit, v.unit) for v in find_values(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("seizures more than 2 times per month", [(">", 2.0, None)]),  # a count, not a multiple of normal
    ("ejection fraction < Normal 30%", [(None, 30.0, "%")]),  # a percentage, not "30 x normal"
    ("normal saline 500 mL", [(None, 500.0, "mL")]),
    # a unit is not shared across a named analyte, nor a decimal point read as thousands per litre
    ("ECOG ≤ 2 and ALT < 3 x ULN", [("<=", 2.0, None), ("<", 3.0, "xULN")]),
    ("ANC ≥ 1.500 x 10^9/L", [(">=", 1.5, "10*9/L")]),
    # a hyphen between a name and a number, or inside a range, is no minus sign
    ("ECOG 0-1", [("between", 0.0, None)]),
    ("W-12 visit", []),
    # a multiple without its reference takes the next one even when a scale level is read first
    ("ALT ≥ 2 times or AST ≥ 3 times ULN, NYHA class III", [(">=", 2.0, "xULN"), (">=", 3.0, "xULN"), ("=", 3.0, "{score}")]),
    # the limit after a comparator is once the limit only alone: not a multiple or an offset written before
    # it (NCT02247973, NCT03265613), nor a multiple after it, nor a bare "normal"
    ("twice daily", []),  # a word multiple only of the normal range
    ("ALT twice weekly, AST normal", []),
    ("Hemoglobin elevates 20g/L more than normal upper limit", [(None, 20.0, "g/L")]),
    ("AST and ALT ≥ upper limit of normal x 3.0", [(">=", 3.0, "xULN")]),  # the comparator is the multiple's
    ("bilirubin above normal", []),
])
def test_grammar_values_that_are_not_multiples(text: str, expected: list[tuple[str | None, float, str | None]]) -> None:
    assert [(v.comparator, v.value, v.unit) for v in find_values(text)] == expected


@pytest.mark.parametrize(("text", "ranges"), [
    ("Stroke symptoms are to be present for at least 30 minutes", [(30, None, "min")]),  # NCT01091701
    ("Patients between 3-10 days after stroke symptom onset", [(3, 10, "d")]),  # NCT01922908
    ("less than 4 years from the time of documented MSA diagnosis", [(None, 4, "a")]),  # NCT02315027
    ("Confirmed diagnosis of ischemic stroke within 3-12 months before enrollment", [(3, 12, "mo")]),  # seed NCT06997939
    # both ends of a duration, the second written as a bare comparison (NCT04569409)
    ("Venous leg ulcer present for more than 4 weeks but less than 52 weeks", [(4, 52, "wk")]),
    # ... or after a comma alone (ctgov-msc NCT02564328, NCT01714167: the upper end was not read)
    ("With stroke history of more than 6 months, less than 60 months", [(6, 60, "mo")]),
    # a duration after coordinated conditions (NCT05011474)
    ("the back pain or hip pain persists for more than 3 months", [(3, None, "mo")]),
    # a time with a comparator right after the diagnosis (NCT03943940)
    ("Type 2 Diabetes Mellitus according to the ADA 3 years or more", [(3, None, "a")]),
    # the diagnosis named again after the duration (NCT05011474's whole criterion)
    (("Among the subjects with low back pain, conservative treatment is performed, but the back pain or hip pain "
     "persists for more than 3 months, and the cause of the back pain is a degenerative disc"), [(3, None, "mo")]),
    # "for over" is a duration, no look-back window (NCT01223664)
    ("Serum HBsAg positive for over six months.", [(6, None, "mo")]),
    # an upper bound, past a bracketed definition (NCT04615429)
    (("Moderate to severe ARDS (PaO2/FiO2 ratio equal or less than 200 mmHg) for less than 96 hours at the time of "
     "randomization"), [(None, 96, "h")]),
    # the diagnosis or event further back than a time before a trial event, in its clause
    # (NCT02192736, NCT02674399, NCT03167138, LCT NCT03929679)
    ("Asthma diagnosed by a physician at least 1 year prior to study enrollment", [(1, None, "a")]),
    ("Subject who had osteoarthritis of knee diagnosed at least six months prior to Screening", [(6, None, "mo")]),
    ("a spinal cord injury that occurred at least twelve (12) months prior to the Screening Visit", [(12, None, "mo")]),
    ("Diagnosed with type 2 diabetes at least 12 weeks prior to inclusion", [(12, None, "wk")]),
    # a time "of" the onset or the diagnosis (ctgov-msc NCT03371329, NCT05308836)
    ("Ability to be enrolled within 72 hours of onset of stroke symptoms", [(None, 72, "h")]),
    ("Be within 12 months of diagnosis with T1D", [(None, 12, "mo")]),
    # a time whose subject refers back to the diagnosis ("the ulcer", "the disease"; NCT05319106, NCT03799718)
    ("Diabetic foot ulcer, the ulcer lasted for more than 1 month", [(1, None, "mo")]),
    (("Clinical diagnosis of Progressive MS based on the 2017 revised MacDonald Criteria and confirmation that the "
      "disease has entered the progressive stage for at least 6 months prior to enrollment"), [(6, None, "mo")]),
    # a period "for at least" a time before a trial event, right after the diagnosis, is how long it
    # has lasted, no look-back window (ctgov-msc NCT04240873, NCT02833792; LCT NCT03923478)
    ("symptomatic OA that lastede for at least 3 months before screening", [(3, None, "mo")]),
    ("Diagnosed with mild to moderate dementia for at least 3 months prior to enrollment", [(3, None, "mo")]),
    ("Established diagnosis of UC for at least 3 months prior to screening", [(3, None, "mo")]),
])
def test_grammar_time_since_onset(nlp, text: str, ranges: list[tuple[float | None, float | None, str]]) -> None:  # type: ignore[no-untyped-def]
    found = [c for c in _constraints(nlp, text, "measurement") if c.concepts.concept.id == "disease_duration"]
    assert _ranges(found) == ranges


@pytest.mark.parametrize(("text", "section", "concept", "duration"), [
    # a time value right after a treatment taken is how long its course lasted (ctgov-msc NCT04397796,
    # NCT04461925, NCT05127122, NCT00512434)
    ("Intubated > 72 continuous hours.", "exclusion", "mechanical_ventilation", [(72.0, None)]),
    ("Invasive ventilation > 48 h.", "exclusion", "mechanical_ventilation", [(48.0, None)]),
    ("Duration of mechanical ventilation exceeds 5 days or 120 hours.", "exclusion", "mechanical_ventilation", [(5.0, None)]),
    ("Corticoid or immunosuppressive therapy more than one week", "exclusion", "immunosuppressant", [(1.0, None)]),
    # a time before an event or ago is its window, no course (NCT01844661, NCT03678467, NCT04744116)
    ("Chemotherapy less than 3 weeks previous.", "exclusion", "chemotherapy", []),
    ("Radiation therapy < 6 months prior to the surgical implantation.", "exclusion", "radiotherapy", []),
])
def test_grammar_course_length_as_a_value(nlp, text: str, section: str, concept: str, duration: list) -> None:  # type: ignore[no-untyped-def]
    found = [c for crit in _criteria(nlp, text, section) for c in crit.constraints
             if c.concepts and c.concepts.concept.id == concept]
    assert found
    assert [(c.duration.low, c.duration.high) for c in found if c.duration] == duration


@pytest.mark.parametrize(("text", "read"), [
    # a value before "or <analyte> <its own value>" is not that analyte's (NCT01484574, NCT03668171,
    # NCT04289194)
    ("Ankle Brachial Pressure Index (ABPI) ≤ 0.6 or ankle pressure ≤ 50 mm Hg or TcPO2 ≤ 40 mmHg in the foot",
     {("abi", None, 0.6), ("uncoded:ankle pressure", None, 50.0), ("tcpo2", None, 40.0)}),
    ("PTA≤40% or INR≥ 1.5", {("inr", 1.5, None)}),
    ("adjusted to Vt≤8 mL/kg, Ppl <30 cmH2O and minimum PEEP of 8 cmH2O", {("peep", 8.0, None)}),
    # the bound's word before its analyte: "minimum <analyte> of N" (NCT03869281, NCT03861156)
    ("minimum disease duration of 5 years", {("disease_duration", 5.0, None)}),
    ("a minimum life expectancy of 12 weeks.", {("life_expectancy", 12.0, None)}),
    ("on mechanical ventilation with PEEP of 8 cmH2O", set()),  # constructed: no bound word, a level that states no threshold
    # "with or without" denies nothing (set 1 NCT00810212)
    ("DDD at L1-S1 with or without stenosis and with or without up to and including Grade II degenerative spondylolisthesis",
     {("meyerding_grade", None, 2.0)}),
    # the analyte right after its value still takes it (NCT02315027 wording)
    ("Score of less than or equal to 20 on the MMSE", {("mmse", None, 20.0)}),
])
def test_grammar_value_before_a_valued_conjunct(nlp, text: str, read: set[tuple[str, float | None, float | None]]) -> None:  # type: ignore[no-untyped-def]
    found = {(c.concepts.concept.id, c.range.low, c.range.high) for c in _constraints(nlp, text, "measurement")}
    assert found == read


@pytest.mark.parametrize(("text", "read"), [
    # a number in words before a word counts that word: no reading of the analyte before it, and
    # the analytes before take no later value (NCT03529136, NCT03862183)
    ("HBV/HCV Viral Loads Below Detection Level over six mouths, and MELD score >10",
     {("meld", 10.0, None)}),
    (("The office BP measured at the day of visit and at least one time before that day were above the "
      "cut-off values ( ≥140 mmHg SBP and/or ≥90 mmHg DBP)"),
     {("systolic_blood_pressure", 140.0, None), ("diastolic_blood_pressure", 90.0, None)}),
    # a count written in words before its analyte stays its reading (NCT00781872)
    ("at least two major relapses of MS", {("ms_relapses", 2.0, None)}),
])
def test_grammar_number_in_words_counts_the_next_word(nlp, text: str, read: set[tuple[str, float | None, float | None]]) -> None:  # type: ignore[no-untyped-def]
    # coded analytes only: "over six mouths" is also read as a count of what it names, "number of
    # mouths" (the typo for "months" is not guessed), which no coded analyte takes
    found = {(c.concepts.concept.id, c.range.low, c.range.high) for c in _constraints(nlp, text, "measurement")
             if not c.concepts.concept.id.startswith("uncoded:")}
    assert found == read


@pytest.mark.parametrize("text", [
    # the duration of a treatment, not of the disease (NCT03929120)
    "established diagnosis of ILD associated with CTD under conventional therapy for at least 6 months",
    # a window after the trial's own last dose lies in the future (constructed)
    "Women who plan pregnancy within 6 months after the last dose",
    # a time after a treatment, not the diagnosis (constructed)
    "Type 2 diabetes treated with metformin for 3 months or more",
    "Type 2 diabetes treated with metformin for less than 3 months",
    # a time after a treatment or a transplant names that event's time, not the diagnosis'
    # (NCT01305694, NCT02032446, NCT03166189)
    "Severe aplastic anemia with an incomplete response at least 3 months following treatment with ATG/CsA",
    "Steroid refractory acute graft versus host disease (GvHD) occurring within 100 days after transplant",
    "Fibrosis of uterine cavity with the absence of positive dynamics of HRT in 3 months following operation",
    # a window after another threshold times that value (NCT05501418, NCT03267784)
    ("Severe COVID-19 infection which meets any one of the following: 1) dyspnea, 2) pulmonary imaging which "
     "shows that the focus progress > 50% within 24-48 hours"),
    # a time before a trial event after a treatment or the end of something is that event's
    # (NCT03109301, NCT02192736, NCT04489732)
    "their last dose of biological therapy, used to treat their cancer at least 7 days prior to enrollment",
    "Nonsmokers (stopped smoking at least 1 year ago)",
    "Histological diagnosis of Head and Neck Cancer (HNC) and ≥ 2 years from completion of treatment for HNC",
    # a period after a treatment named after the diagnosis is the treatment's (NCT02611167)
    "A stable Parkinson's disease symptomatic therapy for at least 90 days prior to screening",
    # an anaphor refers back only within its sentence
    "Diabetic foot ulcer. Then the pain lasted for more than 1 month",
])
def test_grammar_not_time_since_onset(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert not [c for c in _constraints(nlp, text, "measurement") if c.concepts.concept.id == "disease_duration"]


@pytest.mark.parametrize(("text", "certain"), [
    ("Have a stroke that is observed within 90 days of the onset of symptoms", True),  # NCT01716481
    # a time whose subject refers back to the diagnosis is a reading (dev NCT03799718: a synthetic
    # eligible patient's progressive MS began 4 months before; the "progressive stage" may not be the onset)
    ("Diabetic foot ulcer, the ulcer lasted for more than 1 month", False),
    # the onset's time far from the diagnosis may time something else: a guess (NCT04520373)
    (("AIS grade A or B of SCI at the time of injury with or without subsequent improvement within 1 year of "
      "injury that has progressed to a higher AIS grade"), False),
])
def test_grammar_time_since_onset_is_certain_next_to_the_diagnosis(nlp, text: str, certain: bool) -> None:  # type: ignore[no-untyped-def]
    [found] = [c for c in _constraints(nlp, text, "measurement") if c.concepts.concept.id == "disease_duration"]
    assert (not found.provenance.unresolved) == certain


def test_window_after_transplant_times_the_condition(nlp) -> None:  # type: ignore[no-untyped-def]
    """The time after the transplant stays on the condition it times (NCT02032446)."""
    text = "Acute graft versus host disease (GvHD) occurring within 100 days after transplant"
    found = [c for c in _constraints(nlp, text, "condition") if c.concepts.concept.id == "acute_graft_versus_host_disease"]
    assert [(c.window.high_days, c.window.relation.value, c.window.anchor.value) for c in found if c.window] \
        == [(100, "after", "transplant")]


@pytest.mark.parametrize(("text", "section", "analyte", "ranges"), [
    # a value in a unit its analyte is never written in, or one it cannot measure, is not its reading
    ("PaO2/FiO2 ratio equal or less than 200 mmHg) for less than 96 hours", "inclusion", "pao2_fio2",
     [(None, 200.0, "mm[Hg]")]),  # NCT04615429
    ("severe anemia (creatinine <8g/dl)", "exclusion", "creatinine", []),  # after NCT02315027
    ("Ankle Brachial Pressure Index (ABPI) ≤ 0.6 or TcPO2 ≤ 60mmHg", "inclusion", "abi", [(None, 0.6, None)]),  # NCT02477540
    ("blood glucose (HbA1C ≥ 8%)", "inclusion", "glucose", []),  # NCT03943940: % is HbA1c's unit, not glucose's
    # the readings an analyte is written in interchangeably stay its readings
    ("Karnofsky score 60% or greater", "inclusion", "karnofsky", [(60.0, None, "%")]),
    ("hemoglobin ≥ 6 mmol/L", "inclusion", "hemoglobin", [(6.0, None, "mmol/L")]),
    ("creatinine ≤ 1.5 mg/dL", "inclusion", "creatinine", [(None, 1.5, "mg/dL")]),
    # a wound's size is its area: a length is no reading of it (after NCT04569409)
    ("wound size of at least 3 cm", "inclusion", "wound_area", []),
    ("wound size of at least 3 cm2", "inclusion", "wound_area", [(3.0, None, "cm2")]),
])
def test_grammar_value_must_fit_its_analyte(nlp, text: str, section: str, analyte: str,  # type: ignore[no-untyped-def]
                                             ranges: list[tuple[float | None, float | None, str | None]]) -> None:
    cs = _analyte(nlp, text, section, analyte)
    assert _ranges(cs) == ranges


@pytest.mark.parametrize(("text", "expected"), [
    # levels of a clinical scale after a scale word, Roman or Arabic, listed or compared
    ("New York Heart Association Functional Class of III or IV", [("between", 3.0, 4.0)]),  # NCT03369275
    ("New York Heart Association status classification III or IV", [("between", 3.0, 4.0)]),  # NCT04953572
    ("Eastern Cooperative Oncology Group (ECOG) performance status of 0, 1, or 2", [("between", 0.0, 2.0)]),  # NCT01874665
    ("spondylolisthesis > grade II", [(">", 2.0, None)]),  # NCT04410731
    ("cardiac degree II or above conduction abnormalities", [(">=", 2.0, None)]),  # NCT02352077
    ("Grade Ⅲ and Ⅳ knee joint OA", [("between", 3.0, 4.0)]),  # NCT04953572: Unicode Roman numerals
    ("ACLF of grade 2 or 3", [("between", 2.0, 3.0)]),  # NCT03860155
    ("grade according to the Pfirrmann classification is 3~4", [("between", 3.0, 4.0)]),  # NCT05011474
    ("Canadian Cardiovascular Society angina class score of III or IV", [("between", 3.0, 4.0)]),  # NCT03369275
    ("NYHA class ≥ III", [(">=", 3.0, None)]),  # constructed
    # a list with a gap is no range; a Roman numeral without a scale word is no level
    ("kidney biopsy diagnosis of type I, VI lupus nephritis", []),  # NCT04318600 ("type" is no scale word)
    ("type II diabetes", []),
    ("grade I, III or IV", []),  # constructed: not contiguous
])
def test_grammar_scale_levels(text: str, expected: list[tuple[str, float, float | None]]) -> None:
    found = [(v.comparator, v.value, v.value_high) for v in find_values(text) if v.unit == "{score}"]
    assert found == expected


@pytest.mark.parametrize(("text", "analyte", "ranges"), [
    # a level next to a condition the lexicon says a scale grades (staged_by) is a reading of that scale
    ("Stage 5 CKD", "ckd_stage", [(5.0, 5.0, "{score}")]),  # NCT01602328
    ("GvHD greater than or equal to grade 2", "gvhd_grade", [(2.0, None, "{score}")]),  # NCT01460901
    ("Grade Ⅲ and Ⅳ knee joint OA", "kellgren_lawrence", [(3.0, 4.0, "{score}")]),  # NCT04953572
    ("heart failure degree IV according to NYHA", "nyha_class", [(4.0, 4.0, "{score}")]),  # NCT03943940
    ("spondylolisthesis > grade II", "meyerding_grade", [(2.0, None, "{score}")]),  # NCT04410731
    ("ACLF of grade 2 or 3", "aclf_grade", [(2.0, 3.0, "{score}")]),  # NCT03860155
    ("Class III or IV lupus nephritis", "isn_rps_class", [(3.0, 4.0, "{score}")]),  # constructed
    # a level of one thing is not a reading of an analyte named before it
    ("ECOG ≤ 2, stage III cancer", "ecog", [(None, 2.0, "{score}")]),  # constructed
    # the level in brackets or after a colon right after the condition (none was read)
    ("Acute GVHD (grade II-IV) requiring systemic therapy", "gvhd_grade", [(2.0, 4.0, "{score}")]),  # ctgov-msc NCT02359929
    ("femorotibial knee osteoarthritis (OA) (stage 3 or 4)", "kellgren_lawrence", [(3.0, 4.0, "{score}")]),  # ctgov-msc NCT01585857
    ("Advanced CKD: Stage 5", "ckd_stage", [(5.0, 5.0, "{score}")]),  # ctgov-msc NCT01840540
    # ... but not when the brackets name another scale the level is of (ctgov-msc NCT05465096)
    ("Radiographic signs of hip OA (Grade 1-2 according to Tonnis classification)", "kellgren_lawrence", []),
])
def test_grammar_scale_of_condition(nlp, text: str, analyte: str,  # type: ignore[no-untyped-def]
                                    ranges: list[tuple[float | None, float | None, str | None]]) -> None:
    cs = [c for c in _constraints(nlp, text, "measurement") if c.concepts and c.concepts.concept.id == analyte]
    assert _ranges(cs) == ranges


# NCT03109301: an aside opened by an age condition, then another age
_PERFORMANCE_BY_AGE = ("ECOG less than or equal to 2 (Patients greater than or equal to 16 years of age must have a Karnofsky "
                       "performance level of greater than or equal to 70%, and children less than or equal to 16 years old "
                       "must have a Lansky performance of greater than or equal to 70%")


@pytest.mark.parametrize(("text", "analyte", "ages", "left"), [
    # an age in a conditional clause says to whom the clause's thresholds apply, not the patient's age
    ("Karnofsky score 60% or greater if 10 yrs old or older. Lansky score 60% or greater if under 10 yrs old",
     "karnofsky", [(10.0, None)], []),  # NCT01460901: the sentence's own age condition, not the next one's
    ("Karnofsky score 60% or greater if 10 yrs old or older. Lansky score 60% or greater if under 10 yrs old",
     "lansky", [(None, 10.0)], []),  # NCT01460901
    ("Lansky Play-Performance Scale of at least 60% or greater (age <12 years)", "lansky", [(None, 12.0)], []),  # ctgov-msc
    ("For children < 7 years of age who are unable to perform pulmonary function tests, oxygen saturation > 92%",
     "oxygen_saturation", [(None, 7.0)], []),  # ctgov-msc: a condition opening its sentence
    # an aside opened by the condition governs what follows it there, up to the next age
    (_PERFORMANCE_BY_AGE, "karnofsky", [(16.0, None)], [(None, 16.0)]),  # NCT03109301
    (_PERFORMANCE_BY_AGE, "ecog", [None], [(None, 16.0)]),  # NCT03109301
    # an age that conditions no threshold, or stands as the patient's own, stays an age
    ("Adults (> 18 years of age) with LVEF < 40%", "lvef", [None], [(18.0, None)]),  # constructed
    ("Karnofsky score 60% or greater; aged 10 years or older", "karnofsky", [None], [(10.0, None)]),  # constructed
])
def test_grammar_age_condition(nlp, text: str, analyte: str, ages: list[tuple[float | None, float | None] | None],  # type: ignore[no-untyped-def]
                               left: list[tuple[float | None, float | None]]) -> None:
    got = [c.applies_if and (c.applies_if.range.low, c.applies_if.range.high) for c in _analyte(nlp, text, "inclusion", analyte)]
    assert got == ages
    assert [(c.range.low, c.range.high) for c in _constraints(nlp, text, "age")] == left


@pytest.mark.parametrize(("text", "analyte", "unit"), [
    # a value written without its unit takes the one unit in which it is a plausible reading
    ("ANC >500", "anc", "/uL"),  # NCT01460901: 500 x10^9/L is impossible, 500/uL is 0.5 x10^9/L
    ("Cardiac ejection fraction < 50", "lvef", "%"),  # NCT04328714
    ("Body Mass Index (BMI > 40)", None, "kg/m2"),  # NCT04410731
    # a value on a scale's own range is a score, the scale's one unit
    ("CASS ≥5", "cass", "{score}"),  # NCT02315027
    ("if at randomization EDSS ≤ 5.0", "edss", "{score}"),  # NCT01730547
    ("T score in the lumbar spine bone density test is -2.5 or less", "bmd_t_score", "{score}"),  # NCT05011474
    # where two units give plausible readings, the one near the analyte's normal range, as a guess
    # (see test_grammar_near_normal_unit_is_a_guess)
    ("hemoglobin < 10", "hemoglobin", "g/dL"),  # NCT05501418: 10 g/L is no hemoglobin a criterion asks about
    ("platelets > 100", "platelets", "10*9/L"),  # constructed: 100/uL is 0.1 x10^9/L
    ("WBC >13", "wbc", "10*9/L"),  # NCT04543994
    # and none when the readings differ even so
    ("platelets < 20", "platelets", None),  # constructed: far below normal in every unit
    ("total bilirubin > 2", "total_bilirubin", None),  # 2 mg/dL or 2 umol/L (two dimensions)
    ("ALT > 3", "alt", None),  # NCT00658073: "greater than 3 times the upper ...": no enzyme unit is implied
    ("FSH>20", "fsh", None),  # NCT02603744: 20 IU/L, written per mL as often
    # a percentage written as a fraction of one (below one, near the analyte's normal range)
    ("left ventricular ejection fraction <0.25", "lvef", "{fraction}"),  # NCT04005989: no 0.25 %
    ("Obstructive lung disease: FEV1/FVC < 0.70", "fev1_fvc", "{fraction}"),  # NCT02594839
    ("Hematocrit < 30", "hematocrit", "%"),
    # a pressure in the unit its analyte is measured in: mmHg and cmH2O are each as plausible for
    # the other's numbers, so each is implied only for its own analytes (units.json "implied": "own")
    ("Systolic blood pressure ≤ 170", "systolic_blood_pressure", "mm[Hg]"),  # ctgov-msc NCT02104713
    ("Diastolic blood pressure ≤ 90", "diastolic_blood_pressure", "mm[Hg]"),  # ctgov-msc NCT02104713
    ("PaO2/FiO2 (P/F ratio) ≤ 200.", "pao2_fio2", "mm[Hg]"),  # ctgov-msc NCT05354141
    ("positive end-expiratory pressure (PEEP) ≥5", "peep", "cm[H2O]"),  # ctgov-msc NCT04366830
    ("PaO2 < 8", "pao2", "kPa"),  # constructed: 8 mmHg is no PaO2, 8 kPa is 60 mmHg
])
def test_grammar_implied_unit(nlp, text: str, analyte: str | None, unit: str | None) -> None:  # type: ignore[no-untyped-def]
    cs = _constraints(nlp, text, "bmi" if analyte is None else "measurement")
    cs = [c for c in cs if analyte is None or c.concepts.concept.id == analyte]
    assert cs and all(c.range.unit == unit for c in cs)


def test_implied_unit_of_an_analyte_read_in_two_dimensions() -> None:
    # its conventional mass and molar units alone: "fasting blood glucose of >200" (NCT02468492) is
    # mg/dL, "Creatine≥120mol/L" creatinine 120 umol/L; bilirubin 2 is plausible in both, unread
    from nlp.core.units import implied_unit
    assert implied_unit("mmol/L", [200.0], (0, 100), "glucose") == "mg/dL"
    assert implied_unit("umol/L", [120.0], (0, 3000), "creatinine") == "umol/L"
    assert implied_unit("umol/L", [2.0], (0, 1000), "total_bilirubin") is None
    assert implied_unit("umol/L", [2.0], (0, 1000), "total_bilirubin", (5, 21)) is None
    # near the normal range, a guess: creatinine 1.5 is mg/dL (1.5 umol/L is no creatinine)
    assert implied_unit("umol/L", [1.5], (0, 3000), "creatinine", (60, 90)) == "mg/dL"


def test_implied_unit_a_fraction_of_one_only_below_one() -> None:
    # NCT00644410 "FEV1 <1.0" (litres): 1.0 is no fraction of one, read as 100 %
    from nlp.core.units import implied_unit
    assert implied_unit("%", [1.0], (0, 200), "fev1", (80, 120)) != "{fraction}"
    assert implied_unit("%", [0.25], (0, 100), "lvef", (55, 70)) == "{fraction}"


@pytest.mark.parametrize(("text", "analyte", "certain"), [
    ("ANC >500", "anc", True),  # the only plausible reading
    ("Hemoglobin <7", "hemoglobin", False),  # NCT04543994: read near normal, a guess
    ("Mean corpuscular hemoglobin (MCH) <23 PG", "hemoglobin", False),  # NCT05126563: another analyte's number
])
def test_grammar_near_normal_unit_is_a_guess(nlp, text: str, analyte: str, certain: bool) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _constraints(nlp, text, "measurement") if c.concepts.concept.id == analyte]
    assert cs and all(c.range.unit is not None and c.provenance.certain == certain for c in cs)


@pytest.mark.parametrize(("text", "section", "analyte", "ranges"), [
    # a multiple of the normal range written without a comparator is a limit: above it an exclusion
    # excludes, within it an inclusion admits (NCT05319106); the reading stays uncertain
    ("ALT ≤ 2 x ULN; AST Normal 1.5 times", "exclusion", "ast", [(1.5, None, "xULN")]),
    ("AST Normal 1.5 times", "inclusion", "ast", [(None, 1.5, "xULN")]),
    # analytes read in their own units
    ("Serum lipase and amylase <=1.5*ULN", "inclusion", "lipase", [(None, 1.5, "xULN")]),  # NCT01874665
    ("a lactate of at least 4 mmol/L", "inclusion", "lactate", [(4.0, None, "mmol/L")]),  # NCT03369275
    # the marrow's blast count, named after its value
    ("complete remission (defined as an M1 marrow -<5% blasts- no evidence of extramedullary disease)", "inclusion",
     "bone_marrow_blasts", [(None, 5.0, "%")]),  # NCT04328714
    ("MDS with > 5% marrow blasts", "exclusion", "bone_marrow_blasts", [(5.0, None, "%")]),  # ctgov-msc (IPSS)
    ("25-hydroxyvitamin D (25-OH Vitamin D) below 10ng/mL", "exclusion", "vitamin_d_25oh", [(None, 10.0, "ng/mL")]),  # NCT03197623
    ("T score ≤ -1.0", "inclusion", "bmd_t_score", [(None, -1.0, "{score}")]),  # NCT03197623
    ("greater than 100.4 degrees Fahrenheit temperature", "exclusion", "body_temperature", [(100.4, None, "[degF]")]),  # after NCT04410731
    # the target wound's area, written as size or area, of a wound or an ulcer (LOINC 89260-4)
    ("Wound size of target ulcer between 1.5 and 100 cm2", "inclusion", "wound_area", [(1.5, 100.0, "cm2")]),  # NCT03257098
    ("ulcer size is between 1.5~15 cm2", "inclusion", "wound_area", [(1.5, 15.0, "cm2")]),  # NCT04569409
    ("The wound area was between 10cm2 and 40cm2", "inclusion", "wound_area", [(10.0, 40.0, "cm2")]),  # NCT05319106
    # a pressure measured elsewhere than the arm is its own analyte, not blood pressure (NCT04569409, NCT04869397)
    ("Toe Blood Pressure (TBP) > 40mmHg", "inclusion", "toe_pressure", [(40.0, None, "mm[Hg]")]),
    ("Skin Perfusion Pressure (SPP) > 30mmHg", "inclusion", "skin_perfusion_pressure", [(30.0, None, "mm[Hg]")]),
    ("PAPS >30 mm HG", "exclusion", "pasp", [(30.0, None, "mm[Hg]")]),
    ("pulmonary artery systolic pressure > 40 mmHg", "exclusion", "systolic_blood_pressure", []),
    # two comparisons of one analyte joined by "to", as by "and": both ends read
    ("Range of Ankle Brachial Index (ABI) is > 0.7 to < 1.3", "inclusion", "abi", [(0.7, None, None), (None, 1.3, None)]),  # NCT04569409
    ("ABI > 0.7 and < 1.3", "inclusion", "abi", [(0.7, None, None), (None, 1.3, None)]),
])
def test_grammar_readings_of_analytes(nlp, text: str, section: str, analyte: str,  # type: ignore[no-untyped-def]
                                      ranges: list[tuple[float | None, float | None, str | None]]) -> None:
    cs = _analyte(nlp, text, section, analyte)
    assert _ranges(cs) == ranges
    if "Normal 1.5" in text:
        assert all(any("no comparator read" in u for u in c.provenance.unresolved) for c in cs)


@pytest.mark.parametrize(("text", "analyte", "change"), [
    # the size of a change from a baseline is no level: kept, marked for review
    ("an increase of ≥1 EDSS point (if at randomization EDSS ≤ 5.0)", "edss", True),  # NCT01730547
    ("≥ 0.5 mg/dL rise in serum creatinine from baseline", "creatinine", True),  # NCT01602328
    ("hemoglobin level needs to be stable (no drop by more than 1 gm/dl)", "hemoglobin", True),  # NCT02530047
    # a level reached is a level
    ("creatinine increased to > 2 mg/dL", "creatinine", False),
    ("an increase in hemoglobin to ≥ 10 g/dL", "hemoglobin", False),
    ("hemoglobin ≥ 9 g/dL", "hemoglobin", False),
])
def test_grammar_change_is_not_a_level(nlp, text: str, analyte: str, change: bool) -> None:  # type: ignore[no-untyped-def]
    cs = _analyte(nlp, text, "inclusion", analyte)
    assert cs and any(any("a change from a baseline" in u for u in c.provenance.unresolved) for c in cs) == change
    assert any(c.change for c in cs) == change  # typed: what the exports and the scorer read


@pytest.mark.parametrize(("text", "ranges"), [
    # "no <change> by more than N" denies the larger change: at most N (NCT02530047)
    ("hemoglobin level needs to be stable (no drop by more than 1 gm/dl)", [(None, 1.0, "g/dL")]),
    ("no increase of more than 0.3 mg/dL in creatinine", [(None, 0.3, "mg/dL")]),
    ("no further increase of more than 0.3 mg/dL in creatinine", [(None, 0.3, "mg/dL")]),  # the cue's longest form
    # without the denial the change is more than N
    ("an increase of more than 0.3 mg/dL in creatinine", [(0.3, None, "mg/dL")]),
])
def test_grammar_denied_change(nlp, text: str, ranges: list[tuple[float | None, float | None, str | None]]) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _constraints(nlp, text, "measurement") if c.change]
    assert _ranges(cs) == ranges


def test_grammar_change_word_of_the_next_criterion_is_not_read(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT02594839: the next line starts "Loss more than 10% of FVC": DLCO >= 20% is a level
    text = "Diffusing Lung Capacity (DLCO) ≥20%\n* Loss more than 10% of FVC during the last 12 months"
    cs = _analyte(nlp, text, "inclusion", "dlco")
    assert _ranges(cs) == [(20.0, None, "%")]
    assert not cs[0].change and cs[0].provenance.certain


def test_grammar_weight_change_stays_a_doubt(nlp) -> None:  # type: ignore[no-untyped-def]
    # "changes in body weight more than 10 pounds" must never become a certain "weight > 10"
    # exclusion (it would exclude everyone): a change of the body weight, never certain
    text = "changes in body weight more than 10 pounds in the past three months"
    assert _constraints(nlp, text, "weight", "exclusion") == []
    cs = _constraints(nlp, text, "measurement", "exclusion")
    assert cs and all(c.change and c.concepts.concept.id == "body_weight" and not c.provenance.certain for c in cs)


@pytest.mark.parametrize(("text", "analyte", "ranges", "condition_kept"), [
    # a threshold in brackets right after a condition a lab value defines is what it means (NCT02315027)
    ("thrombocytopenia (<50 x 10(9)/L), severe anemia (<8g/dl), creatinine > 2.3 mg/dl", "hemoglobin", [(None, 8.0, "g/dL")], False),
    ("thrombocytopenia (<50 x 10(9)/L), severe anemia (<8g/dl)", "platelets", [(None, 50.0, "10*9/L")], False),
    ("anemia (hemoglobin <7.9g / dl)", "hemoglobin", [(None, 7.9, "g/dL")], False),  # the analyte named in the bracket
    ("Fever (>38.0°C or >100.4°F for ≥24 hours)", "body_temperature", [(38.0, None, "Cel"), (100.4, None, "[degF]")], False),
    # or right after it, without a bracket (NCT04410731 "greater than 100.4 degrees Fahrenheit")
    ("Fever greater than 100.4 degrees Fahrenheit", "body_temperature", [(100.4, None, "[degF]")], False),
    ("Thrombocytopenia < 50,000/mm3", "platelets", [(None, 50000.0, "/uL")], False),
    ("Anemia with hemoglobin < 8 g/dL", "hemoglobin", [(None, 8.0, "g/dL")], False),
    ("proteinuria greater than 1 g/day", "urine_protein_24h", [(1.0, None, "g/d")], False),  # NCT04318600
    # no threshold of its analyte in the bracket: the condition stays a condition
    ("Thrombocytopenia, ALT > 3 x ULN", "hemoglobin", [], True),  # another analyte's threshold
    ("history of anemia", "hemoglobin", [], True),
    ("anemia (see appendix 2)", "hemoglobin", [], True),
    ("anemia (creatinine < 2 mg/dL)", "hemoglobin", [], True),
])
def test_grammar_condition_defined_by_a_threshold(nlp, text: str, analyte: str,  # type: ignore[no-untyped-def]
                                                  ranges: list[tuple[float | None, float | None, str | None]],
                                                  condition_kept: bool) -> None:
    assert _ranges(_analyte(nlp, text, "exclusion", analyte)) == ranges
    conditions = {c.concepts.concept.id for c in _constraints(nlp, text, "condition", "exclusion")}
    assert bool(conditions & {"anemia", "thrombocytopenia", "fever", "proteinuria"}) == condition_kept


@pytest.mark.parametrize(("text", "section", "expected"), [
    # sex-specific thresholds: one constraint per sex, each applying to its sex, both required
    ("Serum creatinine < 1.5 mg/dL for men and < 1.4 mg/dL for women", "inclusion",
     [(None, 1.5, "male"), (None, 1.4, "female")]),  # constructed after the issue's example
    ("QTc > 450 msec for men and > 470 msec for women", "exclusion", [(450.0, None, "male"), (470.0, None, "female")]),  # NCT03197623
    # the comparator distributes over the second threshold
    ("serum creatinine > 1.5 mg/dl (males) and 1.4 mg/dl (females)", "exclusion",
     [(1.5, None, "male"), (1.4, None, "female")]),  # the issue's example
    # "in men ... in women" as "for men ... for women" (ctgov-msc NCT02899091, NCT01696591: the women's was not read)
    ("Hemoglobin <9.5g/dL in men or <9.0g/dL in women", "exclusion", [(None, 9.5, "male"), (None, 9.0, "female")]),
    ("Hemoglobin < 9.5g/dL in male < 9.0 g/dL in female", "exclusion", [(None, 9.5, "male"), (None, 9.0, "female")]),
    # a sex word that is not right after a value stays the trial's sex criterion
    ("Men with creatinine < 1.5 mg/dL", "inclusion", [(None, 1.5, None)]),
])
def test_grammar_sex_specific_thresholds(nlp, text: str, section: str,  # type: ignore[no-untyped-def]
                                         expected: list[tuple[float | None, float | None, str | None]]) -> None:
    [crit] = _criteria(nlp, text, section)
    cs = [c for c in crit.constraints if c.kind == "measurement"]
    assert [(c.range.low, c.range.high, c.applies_if.sex if c.applies_if else None) for c in cs] == expected
    if section == "inclusion" and len(cs) == 2:  # both required, each for its sex: no OR group
        assert crit.logic is not None and all(isinstance(i, str) for i in crit.logic.items)
    if text.startswith("Men with"):
        assert [c.sex for c in crit.constraints if c.kind == "sex"] == ["male"]


@pytest.mark.parametrize("text", [
    # "no limit on gender" is both sexes: no sex constraint, and no negated one (ctgov-msc wordings)
    "no gender limitation", "Gender is not limited.", "gender unlimited", "irrespective of sex", "regardless of gender",
])
def test_grammar_both_sexes(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert [c.sex for c in _constraints(nlp, text, "sex")] == ["all"]


@pytest.mark.parametrize(("grade", "overall"), [
    (2, "eligible"),  # a milder grade: the exclusion does not reach it
    (3, "ineligible"),
    (None, "needs_review"),  # knee OA with no grade on record: cannot tell
])
def test_grammar_excluded_condition_at_a_grade_excludes_only_that_grade(nlp, grade: int | None, overall: str) -> None:  # type: ignore[no-untyped-def]
    """NCT04953572 "Grade III and IV knee joint OA" (exclusion): the condition and its grade form
    one ALL group, so a patient with grade 2 knee OA is not turned away."""
    from nlp.analyze import parse_record
    from nlp.core.record import TrialRecord
    from nlp.matching import Matcher, Patient

    doc = parse_record(TrialRecord(source="t", format="text",
                                   eligibility_text="Exclusion Criteria:\n\n* Grade III and IV knee joint OA\n"), nlp)
    p = Patient.model_validate({"id": "p", "as_of": "2026-11-01", "birth_date": "1960-01-01", "sex": "female",
                                "conditions": [{"name": "osteoarthritis of knee", "status": "active"}],
                                "observations": [] if grade is None else
                                [{"name": "Kellgren-Lawrence grade", "value": grade, "unit": "{score}", "date": "2026-10-01"}]})
    assert Matcher().match(doc, p).overall == overall


@pytest.mark.parametrize(("nyha", "overall"), [
    (2, "eligible"),  # heart failure of a milder class: the exclusion does not reach it
    (3, "ineligible"),
])
def test_grammar_a_scale_named_before_the_condition_it_stages_grades_it(nlp, nyha: int, overall: str) -> None:  # type: ignore[no-untyped-def]
    """ctgov-msc NCT01843387 "Current or history within 6 months of Screening of NYHA Class III or
    IV heart failure": the class and the heart failure form one ALL group (a patient with NYHA II
    heart failure is not turned away) and the class takes the window the heart failure has."""
    from nlp.analyze import parse_record
    from nlp.core.record import TrialRecord
    from nlp.matching import Matcher, Patient

    text = "Exclusion Criteria:\n\n* Current or history within 6 months of Screening of NYHA Class III or IV heart failure\n"
    doc = parse_record(TrialRecord(source="t", format="text", eligibility_text=text), nlp)
    [m] = [c for c in doc.criteria[0].constraints if c.kind == "measurement"]
    assert m.window is not None and m.window.high_days == 183
    p = Patient.model_validate({"id": "p", "as_of": "2026-11-01", "birth_date": "1960-01-01", "sex": "female",
                                "conditions": [{"name": "heart failure", "status": "active", "onset": "2025-01-01"}],
                                "observations": [{"name": "NYHA class", "value": nyha, "unit": "{score}", "date": "2026-10-01"}]})
    assert Matcher().match(doc, p).overall == overall


def test_grammar_a_scale_after_a_comma_is_no_grade_of_the_condition(nlp) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record
    from nlp.core.record import TrialRecord

    # "heart failure, NYHA class III": a list may hold both; only the level right before the condition grades it
    doc = parse_record(TrialRecord(source="t", format="text", eligibility_text="Exclusion Criteria:\n\n* heart failure, NYHA class III\n"), nlp)
    assert doc.criteria[0].logic is not None and all(isinstance(i, str) for i in doc.criteria[0].logic.items)


@pytest.mark.parametrize(("text", "drug", "bounds", "unit"), [
    # a value in a dose unit next to a drug is the dose the criterion names (TherapyConstraint.dose)
    ("prednisone greater than 20 mg/d within past month", "prednisone", [(">", 20.0)], "mg/d"),  # NCT00482092
    ("Receiving 5 - 40 mg/day prednisone", "prednisone", [(">=", 5.0), ("<=", 40.0)], "mg/d"),  # NCT03197623 (the NER's span too)
    ("at least 15 mcg/min of norepinephrine", "drug_db00368", [(">=", 15.0)], "ug/min"),  # NCT03369275
    ("at least 0.03 U/min of vasopressin", "vasopressin", [(">=", 0.03)], "U/min"),  # NCT03369275
    (">0.25mg/kg/day methylprednisolone or equivalent systemic steroid", "methylprednisolone", [(">", 0.25)], "mg/kg/d"),  # NCT01460901
    # the example of a class keeps its dose ("steroid ... (>7.5 mg/d prednisone or equivalent)", NCT03257098)
    ("systemic steroid medication above Cushing threshold dose (>7.5 mg/d prednisone or equivalent)", "prednisone", [(">", 7.5)], "mg/d"),
    # "daily" / "per day" after the mass, "at a dose" or a bracket between drug and dose (none was read)
    ("Active immunosuppression therapy (including prednisone greater than or equal to 10 mg daily)", "prednisone",
     [(">=", 10.0)], "mg/d"),  # ctgov-msc NCT05362786
    ("Treatment with doses of prednisolone ≥15 mg per day (or equivalent) within 1 month", "prednisolone",
     [(">=", 15.0)], "mg/d"),  # ctgov-msc NCT01529008
    ("Azathioprine orally at a dose > 2 mg / kg / day", "azathioprine", [(">", 2.0)], "mg/kg/d"),  # ctgov-msc NCT03562065
    ("treatment with methylprednisolone (greater than or equal to 1 mg/kg/day)", "methylprednisolone",
     [(">=", 1.0)], "mg/kg/d"),  # ctgov-msc NCT00366145
    ("High dose fish oil (>3g per day)", "drug_db13961", [(">", 3.0)], "g/d"),  # LCT NCT03867500
])
def test_grammar_dose_of_a_drug(nlp, text: str, drug: str, bounds: list[tuple[str, float]], unit: str) -> None:  # type: ignore[no-untyped-def]
    [c] = [c for c in _constraints(nlp, text, "therapy", "exclusion") if c.concepts.concept.id == drug]
    assert c.dose is not None and c.dose.bounds() == bounds and c.dose.unit == unit


@pytest.mark.parametrize("text", [
    "prednisone 10 mg",  # no rate, no comparator: no dose threshold
    "Prednisolone 2 mg/kg/day (or equivalent) for at least one week",  # no comparator
    "Hemoglobin > 10 g/dL and prednisone",  # a lab value, not a dose unit
    "prednisone and creatinine > 2 mg/dl daily",  # a concentration: "daily" makes no dose of it
    # an upper bound in an exclusion is the dose it allows (NCT05047276), not the one it excludes
    "clinically stable with unchanged steroids (≤10mg/day of prednisone or its equivalent)",
])
def test_grammar_no_dose_without_a_dose_threshold(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert all(c.dose is None for c in _constraints(nlp, text, "therapy", "exclusion"))


@pytest.mark.parametrize(("drug", "overall"), [
    ("prednisone", "needs_review"),  # on the drug, dose not in the record: cannot tell
    (None, "eligible"),  # not on it: the exclusion does not apply
])
def test_grammar_a_dose_threshold_never_fails_on_an_unrecorded_dose(nlp, drug: str | None, overall: str) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record
    from nlp.core.record import TrialRecord
    from nlp.matching import Matcher, Patient

    doc = parse_record(TrialRecord(source="t", format="text",
                                   eligibility_text="Exclusion Criteria:\n\n* prednisone greater than 20 mg/d\n"), nlp)
    p = Patient.model_validate({"id": "p", "as_of": "2026-11-01", "birth_date": "1960-01-01", "sex": "female",
                                "therapies": [{"name": drug, "start": "2026-09-01"}] if drug else []})
    r = Matcher().match(doc, p)
    assert r.overall == overall
    if drug:
        assert "dose" in r.criteria[0].constraints[0].reason


@pytest.mark.parametrize(("text", "analyte", "ranges"), [
    ("peak systolic velocity（PSV） <25 cm/sec", "peak_systolic_velocity", [(None, 25.0, "cm/s")]),  # NCT02745808
    ("end-diastolic velocity（EDV）> 5cm/sec", "end_diastolic_velocity", [(5.0, None, "cm/s")]),  # NCT02745808
    ("resistance index（RI）<0.75", "resistive_index", [(None, 0.75, None)]),  # NCT02745808
    ("Sjögren's Syndrome Disease Activity Index (SSDAI)≥8", "ssdai", [(8.0, None, "{score}")]),  # NCT00953485
    ("CASS ≥5", "cass", [(5.0, None, "{score}")]),  # NCT02315027
])
def test_grammar_scales_and_doppler_measures(nlp, text: str, analyte: str,  # type: ignore[no-untyped-def]
                                             ranges: list[tuple[float | None, float | None, str | None]]) -> None:
    assert _ranges(_analyte(nlp, text, "inclusion", analyte)) == ranges


@pytest.mark.parametrize(("text", "analyte", "ranges"), [
    # a lower end at the scale's own minimum says nothing (NCT01874665); the upper end stays as written
    ("Eastern Cooperative Oncology Group (ECOG) performance status of 0, 1, or 2", "ecog", [(None, 2.0, "{score}")]),
    ("NYHA class III or IV", "nyha_class", [(3.0, 4.0, "{score}")]),
    # a symbol comparator before a time offset is the offset's ("<6 months from time of injury", NCT04650568)
    ("<6 months from time of injury to reconstruction", "disease_duration", [(None, 6.0, "mo")]),
])
def test_grammar_scale_edges_and_offset_comparators(nlp, text: str, analyte: str,  # type: ignore[no-untyped-def]
                                                    ranges: list[tuple[float | None, float | None, str | None]]) -> None:
    assert _ranges(_analyte(nlp, text, "inclusion", analyte)) == ranges


@pytest.mark.parametrize(("text", "analyte", "ranges"), [
    # levels right after a scale's own name, with no scale word, comparator or unit
    ("ECOG 0, 1, or 2", "ecog", [(None, 2.0, "{score}")]),  # constructed (the usual oncology phrasing)
    ("NYHA II-IV symptoms", "nyha_class", [(2.0, 4.0, "{score}")]),  # NCT00418418
    ("Severe NYHA III / IV heart failure", "nyha_class", [(3.0, 4.0, "{score}")]),  # NCT04753476
    ("Kellgren-Lawrence Ⅰ-Ⅲ", "kellgren_lawrence", [(1.0, 3.0, "{score}")]),  # NCT02855073
    ("Rutherford IV-V, manifested as rest pain", "rutherford_category", [(4.0, 5.0, "{score}")]),  # NCT01558908
    ("Visual Analogue Scale of 4 or higher", "vas_pain", [(4.0, None, "{score}")]),  # NCT02646007
    # a number after the name that is part of it, out of the scale's range, or with a unit is no level
    ("Hamilton Depression Rating Scale 21-item score greater than 18", "ham_d", [(18.0, None, "{score}")]),  # NCT02675556
    ("Acute Physiologic and Chronic Health Evaluation (APACHE IV) score >5", "apache_iv", [(5.0, None, "{score}")]),  # NCT04371393
    # a grade and its category written together: the category is the level (Rutherford's notation)
    ("Rutherford's class: II-4, III-5 or III-6", "rutherford_category", [(4.0, 6.0, "{score}")]),  # NCT02477540
    ("clinically and hemodynamically confirmed as per Rutherford- Ⅱ-4, Ⅲ-5, or Ⅲ-6;", "rutherford_category",
     [(4.0, 6.0, "{score}")]),  # NCT02336646: after a dash right after the name
    ("NYHA class II-IV", "nyha_class", [(2.0, 4.0, "{score}")]),  # a range of grades stays one
    ("NYHA 5", "nyha_class", []),  # constructed: NYHA has four classes
    ("physical status ASA I-II (by the American Society of Anesthesiologists)", "asa_physical_status",
     [(None, 2.0, "{score}")]),  # LCT NCT03863977
    ("ASA physical status> II,", "asa_physical_status", [(2.0, None, "{score}")]),  # LCT NCT03862664
    ("ASA 81 mg daily", "asa_physical_status", []),  # constructed: aspirin, a dose is no level
    ("physical status American Society of Anesthesiologist (ASA) I or II", "asa_physical_status",
     [(None, 2.0, "{score}")]),  # LCT: the levels after the bracket of a defined short form
    ("Crohn's disease activity index (CDAI) score of 220 or less", "cdai", [(None, 220.0, "{score}")]),  # not "22"
    ("Montreal Cognitive Assessment (MoCA) of 23 (+/- 4)", "moca", []),  # LCT NCT03867474: approximate, no level
    # LCT NCT04759105: the scale's span is no threshold; the length on its 100 mm line is
    ("Pain baseline > 40 mm on VAS (0- 100).", "vas_pain", [(40.0, None, "mm")]),
    ("ECOG 2 weeks ago", "ecog", []),  # constructed
])
def test_grammar_levels_after_a_scale_name(nlp, text: str, analyte: str,  # type: ignore[no-untyped-def]
                                          ranges: list[tuple[float | None, float | None, str | None]]) -> None:
    assert _ranges(_analyte(nlp, text, "inclusion", analyte)) == ranges


@pytest.mark.parametrize(("text", "analyte", "ranges"), [
    # a visual analogue scale's line length is the scale's own span, no threshold: the value before
    # it, across the length and the pain named on the scale, is the reading (ctgov-msc NCT01290367,
    # NCT04821102, NCT04368806, NCT02412735, NCT04042844)
    ("Pre-treatment baseline low back pain of at least 40 mm on a 100 mm visual analog scale.", "vas_pain", [(40.0, None, "mm")]),
    ("Patients who has joint pain ≥ 50mm on 100mm VAS (Visual Analog Scale) at Screening", "vas_pain", [(50.0, None, "mm")]),
    ("Subject who has knee pain ≥ 50 mm out of 100 mm on VAS (Visual Analog Scale) at Screening", "vas_pain", [(50.0, None, "mm")]),
    ("Leg pain ≤20mm in both legs on a 100mm VAS scale", "vas_pain", [(None, 20.0, "mm")]),
    # two values joined by a word before the scale are both its readings
    ("Low back pain of at least 40mm and not more than 90mm of 100mm on low back pain visual analogue scale (VAS)", "vas_pain",
     [(40.0, None, "mm"), (None, 90.0, "mm")]),
    ("Baseline of ≥ 40 mm and ≤ 80 mm on low back pain visual analog scales (VAS)", "vas_pain", [(40.0, None, "mm"), (None, 80.0, "mm")]),
    # LCT NCT03867760: the 0-10 span between the value and the scale is skipped the same way
    ("(> 3 on a 0-10 pain intensity numeric scale)", "nrs_pain", [(3.0, None, "{score}")]),
    # a length that is not the line's is a reading (constructed)
    ("VAS pain of 60 mm on a 100 mm line", "vas_pain", [(60.0, 60.0, "mm")]),
])
def test_grammar_a_scale_line_length_is_no_threshold(nlp, text: str, analyte: str,  # type: ignore[no-untyped-def]
                                                    ranges: list[tuple[float | None, float | None, str | None]]) -> None:
    assert _ranges(_analyte(nlp, text, "inclusion", analyte)) == ranges


@pytest.mark.parametrize(("text", "name", "ranges"), [
    # a scale no vocabulary has, a diagnosis in its name, read by the value after it: the scale's
    # threshold, uncoded, and no requirement or exclusion of the diagnosis (ctgov-msc NCT01609283,
    # NCT04865107, NCT03187431, NCT05116761; LCT NCT03864484)
    ("Beck's Depression Inventory score >18", "Depression Inventory score", [(18.0, None, None)]),
    ("Rockwood Clinical Frailty Score > 4", "Rockwood Clinical Frailty Score", [(4.0, None, None)]),
    ("dyspnea score of at least 2 on a scale of 0 (minimum) to 10 (maximum).", "dyspnea score", [(2.0, None, None)]),
    ("Medical Resource Council Dyspnea Score of < 3 out of 5.", "Medical Resource Council Dyspnea Score", [(None, 3.0, None)]),
    ("Center for Epidemiologic Studies Depression Scale score ≥16", "Center for Epidemiologic Studies Depression Scale score",
     [(16.0, None, None)]),
    # a short form in brackets in the name, a capitalised connector, a verb form of a proper name
    # (LCT NCT03921411, NCT03868761; ctgov-msc NCT04206007)
    ("Eczema Area and Severity Index (EASI) score ≥ 16", "Eczema Area and Severity Index (EASI) score", [(16.0, None, None)]),
    ("Subjects with in COPD Assessment Test (CAT) score ≥ 10.", "COPD Assessment Test (CAT) score", [(10.0, None, None)]),
    ("Child Trauma Screening Questionnaire ≥ 5", "Child Trauma Screening Questionnaire", [(5.0, None, None)]),
    # the scale named after the value (LCT NCT03867474, NCT03920475; ctgov-msc NCT04206007)
    ("low mood as indicated by a 5 or greater on the Geriatric Depression Scale (GDS)", "Geriatric Depression Scale (GDS)",
     [(5.0, None, None)]),
    ("a minimum score of ≥ 22 on the Montgomery-Åsberg Depression Scale.", "Montgomery-Åsberg Depression Scale", [(22.0, None, None)]),
    ("Subjects with score ≥ 2 in the modified Medical Research Council Dyspnea Scale (mMRC).",
     "Medical Research Council Dyspnea Scale (mMRC)", [(2.0, None, None)]),
])
def test_grammar_a_scale_named_with_a_diagnosis_is_the_scale(nlp, text: str, name: str,  # type: ignore[no-untyped-def]
                                                             ranges: list[tuple[float | None, float | None, str | None]]) -> None:
    for section in ("inclusion", "exclusion"):
        assert _ranges(_analyte(nlp, text, section, f"uncoded:{name}")) == ranges
        assert _constraints(nlp, text, "condition", section) == []


@pytest.mark.parametrize("text", [
    # a scale's name shared by two values, before and after one of them, or next to a scale the
    # rules named from its levels: one name, no overlapping spans (constructed)
    "a score of ≥ 2 on the Depression Scale score > 3",
    "≥ 2 on the Geriatric Depression Scale ≥ 3 on the Geriatric Depression Scale",
    "Clinical Frailty Score > 4 and < 7",
    "Tonnis Grade 1 according to the Frailty Scale score > 3",
])
def test_grammar_scale_names_never_overlap(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    for crit in _criteria(nlp, text, "exclusion"):
        spans = sorted((e.start, e.end) for e in crit.entities)
        assert all(a[1] <= b[0] for a, b in pairwise(spans)), spans


@pytest.mark.parametrize(("text", "conditions", "measurement"), [
    # the scale the lexicon has reads the value; the diagnosis in its name gives way (NCT02611167)
    ("A UPDRS rest tremor score of 3 or greater for any limb.", [], "updrs"),
    # a diagnosis named apart from the scale stays (constructed)
    ("Major depression with a HAM-D score > 18", ["major_depression"], "ham_d"),
    # a scale whose whole name the lexicon has is read as before (constructed)
    ("Hamilton Depression Rating Scale score > 20", [], "ham_d"),
    ("Depression with a score ≥ 20 on the Hamilton Depression Rating Scale", ["depressive_disorder"], "ham_d"),
])
def test_grammar_a_diagnosis_beside_a_scale_is_read_as_written(nlp, text: str, conditions: list[str],  # type: ignore[no-untyped-def]
                                                              measurement: str) -> None:
    assert [c.concepts.concept.id for c in _constraints(nlp, text, "condition", "exclusion")] == conditions
    assert _analyte(nlp, text, "exclusion", measurement)


def test_grammar_a_scale_version_after_a_spaced_dash_is_no_level(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT04294290: "Autism Diagnostic Observation Schedule - 2" names the scale's version
    text = "DSM-5 Checklist as informed by the Autism Diagnostic Observation Schedule - 2."
    assert _constraints(nlp, text, "measurement") == []


@pytest.mark.parametrize(("text", "ages"), [
    # an age in a conditional clause that conditions nothing read is not surely the patient's own
    ("Creatinine =< 1.5 mg/dL for patients 12 years old and older and =< 1 for patients younger than 12 years old",
     [((None, 12.0), False)]),  # NCT03096782: "=< 1" is no age (12 and older, then at most 1: no interval)
    ("For participants younger than 1 year of age, renal function is determined using the Schwartz equation",
     [((None, 1.0), False)]),  # NCT02336230
    # the people's own age, in brackets after them, or two ends of one interval
    ("Adult patients (age 18-60 years) who met the WHO 1999 diagnostic criteria for type 2 diabetes",
     [((18.0, 60.0), True)]),  # NCT04125329
    ("Be ≥ 21 and < 90 years of age", [((21.0, None), True), ((None, 90.0), True)]),  # NCT02013674
])
def test_grammar_age_in_a_condition_that_conditions_nothing(nlp, text: str,  # type: ignore[no-untyped-def]
                                                             ages: list[tuple[tuple[float | None, float | None], bool]]) -> None:
    assert [((c.range.low, c.range.high), c.provenance.certain) for c in _constraints(nlp, text, "age")] == ages


@pytest.mark.parametrize(("text", "section", "expected"), [
    # tobacco use, its negation and its end (ctgov-msc: 66 criteria name smoking)
    ("Smokers will be excluded from the study.", "exclusion", [("tobacco_use", True, None)]),  # NCT04763369
    ("Non-smoking.", "inclusion", [("tobacco_use", False, None)]),  # NCT03102879
    ("Minimum of 4 months without smoking", "inclusion", [("tobacco_use", False, None)]),  # NCT01872624
    # quitting is not smoking: a former smoker is no smoker, and "at least 1 year ago" lies further back
    ("stopped smoking at least 1 year ago", "inclusion", [("former_smoker", True, (365, None))]),  # NCT02192736
    ("Smoker or quit smoking for less than 6 months;", "exclusion",
     [("tobacco_use", True, (None, 183)), ("former_smoker", True, (None, 183))]),  # NCT03252535
    # how much a smoker smokes defines the smoking an exclusion means: a lighter smoker is not excluded
    ("Smoker (more than 10 cigarettes a day)", "exclusion", [("cigarettes_per_day", None, (10.0, None))]),  # NCT01552707
    ("Smoking more than 10 cigarettes per day", "exclusion", [("cigarettes_per_day", None, (10.0, None))]),  # NCT03044119
    ("Subject must be an ex-smoker, with a cigarette smoking history of ≥ 10 pack-years.", "inclusion",
     [("former_smoker", True, None), ("smoking_pack_years", None, (10.0, None))]),  # NCT04047810
])
def test_grammar_tobacco_use(nlp, text: str, section: str,  # type: ignore[no-untyped-def]
                             expected: list[tuple[str, bool | None, tuple[float | None, float | None] | None]]) -> None:
    got = []
    for crit in _criteria(nlp, text, section):
        for c in crit.constraints:
            if c.kind == "measurement":
                got.append((c.concepts.concept.id, None, (c.range.low, c.range.high)))
            elif c.kind == "condition":
                w = (c.window.low_days, c.window.high_days) if c.window else None
                got.append((c.concepts.concept.id, c.present, w))
    assert got == expected


def test_grammar_obesity_is_defined_by_bmi(nlp) -> None:  # type: ignore[no-untyped-def]
    # a BMI threshold in brackets after obesity is what the exclusion means (lexicon measured_by);
    # obesity alone stays the diagnosis
    cs = _constraints(nlp, "Morbid obesity (BMI > 40 kg/m2)", "bmi", "exclusion") + _constraints(
        nlp, "Morbid obesity (BMI > 40 kg/m2)", "condition", "exclusion")
    assert [(c.kind, c.range.low if c.kind == "bmi" else c.concepts.concept.id) for c in cs] == [("bmi", 40.0)]
    [c] = _constraints(nlp, "Obesity", "condition", "exclusion")
    assert c.concepts.concept.id == "obesity"


def test_grammar_between_is_not_distributed_to_a_bare_value(nlp) -> None:  # type: ignore[no-untyped-def]
    # "between" needs both ends: a bare value coordinated after a range is an equality in doubt, an
    # alternative kept (distributing "between" to it failed the whole record)
    cs = _analyte(nlp, "HbA1c between 7 and 10% or 12%", "inclusion", "hba1c")
    assert _ranges(cs) == [(7, 10, "%"), (12, 12, "%")]
    assert not cs[0].provenance.unresolved and cs[1].provenance.unresolved


@pytest.mark.parametrize(("text", "governed"), [
    # inside an exclusion, an age after the people it describes and before what else they are
    # says whom the rest excludes (applies_if), never an exclusion by age alone
    ("Adults over 60 with diabetes", "diabetes"),  # constructed
    ("Patients older than 65 years who have heart failure", "heart_failure"),  # constructed
    ("Adults (> 18 years of age) with LVEF < 40%", "lvef"),  # constructed
    ("Age <70, but with multiple organ failure", "multiple_organ_failure"),  # NCT03383081: excluded everyone under 70
])
def test_grammar_age_of_the_excluded_group(nlp, text: str, governed: str) -> None:  # type: ignore[no-untyped-def]
    cs = [c for crit in _criteria(nlp, text, "exclusion") for c in crit.constraints]
    assert [c.kind for c in cs if c.kind == "age"] == []
    assert [(c.concept_id, c.applies_if.kind) for c in cs if c.applies_if] == [(governed, "age")]


def test_grammar_age_of_the_excluded_group_with_nothing_else_read_is_in_doubt(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT04625738: "who are under a legal protection measure" is not read; the age alone would
    # have excluded every adult
    cs = _constraints(nlp, "Adult over 18 who are under a legal protection measure", "age", "exclusion")
    assert len(cs) == 1 and any("whom the rest of the exclusion" in u for u in cs[0].provenance.unresolved)


@pytest.mark.parametrize("text", [
    "Patients < 18 years or legally dependent",  # NCT01227694: an alternative, not a group
    "Age > 80 or < 18 years",  # constructed
])
def test_grammar_exclusion_by_age_stays_certain(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    cs = _constraints(nlp, text, "age", "exclusion")
    assert cs and all(not c.provenance.unresolved and c.applies_if is None for c in cs)


@pytest.mark.parametrize(("text", "ages", "doubt"), [
    # the range of a life stage may say whom the criterion speaks of: kept, never certain
    ("female patients of reproductive age 18-49 years;", [(18, 49, "a")], True),  # NCT05520112
    ("Women of childbearing age (18-45 years) must use contraception", [(18, 45, "a")], True),  # constructed
    # ... and a time further on is no age ("... continued more than four weeks")
    (("Women of childbearing age are not using adequate contraception, such as an oral contraceptive continued more "
      "than four weeks"), [], False),  # after NCT03174587
    # a time since an event is no age, even after an age word
    (("Female subjects with fertility (including women of childbearing age and women less than 1 year after "
      "menopause) must use effective contraception"), [], False),  # NCT04388982
])
def test_grammar_life_stage_ages(nlp, text: str, ages: list[tuple[float, float, str]], doubt: bool) -> None:  # type: ignore[no-untyped-def]
    cs = _constraints(nlp, text, "age")
    assert _ranges(cs) == ages
    assert all(any("life stage" in u for u in c.provenance.unresolved) is doubt for c in cs)


@pytest.mark.parametrize(("text", "age"), [
    # "old" after a time in a clause naming a condition and no person: how old the event is
    (("Ischemic stroke that is supratentorial in location and < 72 hours old between stroke onset and bone "
      "marrow aspiration"), False),  # NCT00908856: read as an age, every patient was ineligible
    ("evidence of akinesia or regional dyskinesia more than 1 week old", False),  # NCT04011059
    ("Infants with BPD less than 28 days old", True),  # constructed: a person named
    ("Available for clinical assessments between 10-30 days old", True),  # NCT02926079
    ("Onset of T2DM disease at ≥ 35 years of age.", True),  # NCT01719640: "of age" is no "old"
])
def test_grammar_old_of_an_event(nlp, text: str, age: bool) -> None:  # type: ignore[no-untyped-def]
    assert bool(_constraints(nlp, text, "age")) is age


@pytest.mark.parametrize("text", [
    # a sex word right before a threshold says whom the threshold is for (NCT01071577's hemoglobin
    # list): no sex requirement, and a unit spelled out is no age
    "African American women < 11.5 grams/dL",
    "Men < 38%",
])
def test_grammar_sex_of_a_threshold_is_no_requirement(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert _constraints(nlp, text, "sex") == [] and _constraints(nlp, text, "age") == []


def test_grammar_sex_with_an_analyte_between_stays(nlp) -> None:  # type: ignore[no-untyped-def]
    assert [c.sex for c in _constraints(nlp, "Male patients with testosterone < 300 ng/dL", "sex")] == ["male"]


def test_grammar_an_analyte_restated_by_the_next_takes_no_value(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT03454737: a weight over 30.5 kg excluded everyone; the value is the BMI's
    text = "Weight overload expressed in body mass index (BMI) greater than 30.5 (obesity grade II)"
    assert _constraints(nlp, text, "weight", "exclusion") == []
    assert _ranges(_constraints(nlp, text, "bmi", "exclusion")) == [(30.5, None, "kg/m2")]
    # coordinated analytes still share one value
    assert len(_constraints(nlp, "ALT and AST > 2 x ULN", "measurement", "exclusion")) == 2


@pytest.mark.parametrize(("text", "kind"), [
    # a change word right before the value ("Weight gain or loss above 2", "EDSS increase >= 1.0")
    ("Weight gain or loss above 2 BMI point", "measurement"),  # NCT03258164: a weight above 2 kg excluded everyone
    ("Weight change more than 3 kg within the last 3 months.", "measurement"),  # LCT NCT03867656
    ("Subjects with large weight fluctuations of more than 4 kg", "measurement"),  # LCT NCT03921580
    ("EDSS increase ≥1.0 point in the last 12 months", "measurement"),  # NCT05532943
])
def test_grammar_change_word_right_before_the_value(nlp, text: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    cs = _constraints(nlp, text, kind, "exclusion")
    assert cs and all(c.provenance.unresolved for c in cs)


@pytest.mark.parametrize(("text", "ranges"), [
    # a birth weight is its own measurement (LOINC 8339-4), never the patient's current weight
    ("Birth weight ≥1,800 g", [(1800, None, "g")]),  # LCT NCT04261335
    ("birth weight between 500 and 1250 grams", [(500, 1250, "g")]),  # constructed
])
def test_grammar_birth_weight_is_not_the_weight(nlp, text: str, ranges: list[tuple[float | None, float | None, str]]) -> None:  # type: ignore[no-untyped-def]
    assert _constraints(nlp, text, "weight") == []
    assert _ranges(_analyte(nlp, text, "inclusion", "birth_weight")) == ranges


@pytest.mark.parametrize(("text", "doubt"), [
    # an exclusion of every normal value (the lexicon's ``normal`` interval; 0-1 x ULN for a
    # multiple) is a requirement worded in an exclusion, or whom the trial is for: never certain
    ("Hepatic: Bilirubin, AST/ALT < 2x upper limit of normal", True),  # NCT01624701
    ("Prothrombin time is less than 30s.", True),  # NCT00993941
    ("Be unable to maintain saturated oxygen (SpO2) of more than 93% on room air", True),  # NCT02625246
    # an exclusion of abnormal values stays certain
    ("ALT > 3 x ULN", False),
    ("Hemoglobin < 9 g/dL", False),
    ("Platelet count < 75,000/mm3", False),
])
def test_grammar_exclusion_of_every_normal_value_is_in_doubt(nlp, text: str, doubt: bool) -> None:  # type: ignore[no-untyped-def]
    cs = _constraints(nlp, text, "measurement", "exclusion")
    assert cs and all(any("every normal value" in u for u in c.provenance.unresolved) is doubt for c in cs)


@pytest.mark.parametrize(("text", "unit"), [
    # pounds are read where written ("Weigh less than 250 pounds", LCT NCT03924622), never assumed
    # for a bare number: "weight over 200" is read in kilograms alone, as before pounds were known
    ("Weigh less than 250 pounds", "[lb_av]"),
    ("body weight between 40 and 150 kg, inclusive", "kg"),  # ctgov-msc NCT00482092
    ("Body weight > 120", "kg"),  # constructed: 120 lb would be plausible too
])
def test_grammar_weight_units(nlp, text: str, unit: str | None) -> None:  # type: ignore[no-untyped-def]
    cs = _constraints(nlp, text, "weight")
    assert cs and all(c.range.unit == unit for c in cs)


def test_implied_unit_never_assumes_pounds() -> None:
    from nlp.core.units import implied_unit

    assert implied_unit("kg", [80.0], (2.0, 400.0), "body_weight") == "kg"  # 80 lb would also be plausible


def test_number_start_class_covers_every_number_word() -> None:
    """The values scan tries a number only where its first character may start one
    (``NUMBER_START``): every number word of the grammar starts with one of those letters."""
    import re

    from nlp.pipeline import values

    start = re.compile(values.NUMBER_START + ".", re.I)
    assert all(start.match(w) for w in re.findall(r"[a-z]+", values.WORD_NUM))
    assert all(start.match(c) for c in "0123456789.")


@pytest.mark.parametrize(("text", "doubt"), [
    # an age followed by what is required of those of that age names whom it is asked of
    (("Subjects or guardian of subjects who are under the age of 18 years must be capable of giving signed informed "
      "consent"), True),  # ctgov-msc NCT04173650: turned away every adult
    ("Participants under 18 years must have parental consent", True),  # constructed
    # the patient's own age stays certain
    ("Patients must be 18 years or older", False),  # constructed
    ("Age 18-55 years", False),  # ctgov-msc NCT01589549
])
def test_grammar_age_of_those_a_requirement_is_asked_of(nlp, text: str, doubt: bool) -> None:  # type: ignore[no-untyped-def]
    cs = _constraints(nlp, text, "age")
    assert cs and all(any("a requirement is asked of" in u for u in c.provenance.unresolved) == doubt for c in cs)


@pytest.mark.parametrize(("text", "doubt"), [
    # an age in brackets after a test or a life stage says whom that is asked of
    (("No history of malignant disease, no suspicious findings on chest x-ray, mammography (women over age 35), "
      "Papanicolaou smear (women over age 40)"), True),  # ctgov-msc NCT01558908: turned away everyone under 40
    (("Female participants of childbearing potential (≥10 years of age) must use a medically accepted method of "
      "contraception"), True),  # ctgov-msc NCT02652130
    # after the people it describes, an age word or a group, it is the patient's own age
    ("Adult patients (age 18-60 years)", False),  # constructed
    ("Pediatric age group population (less than 12 years) irrespective of sex.", False),  # ctgov-msc NCT04219657
    ("Age (20-50)", False),  # LCT NCT03862118
])
def test_grammar_age_in_brackets_after_a_test(nlp, text: str, doubt: bool) -> None:  # type: ignore[no-untyped-def]
    cs = _constraints(nlp, text, "age")
    assert cs and all(bool(c.provenance.unresolved) == doubt for c in cs)


@pytest.mark.parametrize(("text", "analyte", "low", "high"), [
    # a threshold whose analyte is denied in its own clause is what the patient must not reach
    ("No fever > 38.5°C", "body_temperature", None, 38.5),  # constructed
    ("Absence of fever (temperature > 38°C)", "body_temperature", None, 38.0),  # constructed: the aside defines fever
    ("no heart rate > 100 bpm", "heart_rate", None, 100.0),  # constructed
    ("Absence of stimulated C-peptide <0.1 nmol/L in response to a MMTT.", "c_peptide", 0.1, None),  # NCT01967186
    ("No severe anemia (Hb < 8 g/dL)", "hemoglobin", 8.0, None),  # constructed
    # not another mention's negation, nor one that stands far before the analyte
    ("in subjects who did not receive antithrombotic therapy Serum albumin ≥ 3.0g/dL", "albumin", 3.0, None),  # NCT04590118
    ("No prior chemotherapy, hemoglobin > 9 g/dL", "hemoglobin", 9.0, None),  # constructed
    ("fever > 38.5°C", "body_temperature", 38.5, None),  # constructed
])
def test_grammar_denied_analyte_turns_its_threshold(nlp, text: str, analyte: str, low: float | None,  # type: ignore[no-untyped-def]
                                                     high: float | None) -> None:
    cs = _analyte(nlp, text, "inclusion", analyte)
    assert cs and [(c.range.low, c.range.high) for c in cs] == [(low, high)]


def test_grammar_denied_analyte_inside_an_exclusion_is_a_doubt(nlp) -> None:  # type: ignore[no-untyped-def]
    # the exclusion itself is the reading kept (as for a negated condition), never a certain one
    [c] = _analyte(nlp, "No fever > 38.5°C", "exclusion", "body_temperature")
    assert (c.range.low, c.range.high) == (38.5, None) and not c.provenance.certain
    # a cue that already turned the comparison adds no doubt: "not expected to survive > 24 hours"
    [c] = _analyte(nlp, "Moribund patient not expected to survive > 24 hours", "exclusion", "life_expectancy")
    assert not any("negation cue before the analyte" in u for u in c.provenance.unresolved)


@pytest.mark.parametrize(("text", "analyte"), [
    # a level of a scale is no reading of an analyte that is not a scale
    ("Sensitized patients (most recent anti-HLA Class I or II Panel Reactive Antibodies (PRA)>10% by a CDC-assay)", "pra"),  # NCT02492308
    ("INR ≤ 1.3 (0 Points);", "inr"),  # NCT05354141: the points a score gives it
])
def test_grammar_scale_level_is_no_lab_reading(nlp, text: str, analyte: str) -> None:  # type: ignore[no-untyped-def]
    assert all(c.range.unit != "{score}" for c in _analyte(nlp, text, "exclusion", analyte))
    assert _analyte(nlp, text, "exclusion", analyte)  # its own threshold stays


@pytest.mark.parametrize(("text", "analytes"), [
    # a value inside an aside that names its own analyte is that analyte's alone
    ("Prothrombin time (INR>1.4), Hemoglobin <10.0 g/dL", ["inr", "hemoglobin"]),  # NCT01840540
    ("impaired blood glucose, metabolic syndrome and gout or renal dysfunction (creatinine ≥ 1.5 mg/dL)",
     ["creatinine"]),  # LCT NCT03925688: not the glucose named before the aside
    # analytes outside the aside that share a value outside it still share it
    ("AST (and ALT) > 2.5 x ULN", ["ast", "alt"]),  # constructed
    ("Liver enzymes (ALT or AST > 3 x ULN)", ["alt", "ast"]),  # constructed
])
def test_grammar_value_in_an_aside_is_its_own_analytes(nlp, text: str, analytes: list[str]) -> None:  # type: ignore[no-untyped-def]
    cs = _constraints(nlp, text, "measurement", "exclusion")
    assert [c.concepts.concept.id for c in cs] == analytes


@pytest.mark.parametrize(("text", "analyte", "low", "high", "unit"), [
    ("elevated ferritin", "ferritin", 1.0, None, "xULN"),  # NCT04456439
    ("low platelet count", "platelets", None, 1.0, "xLLN"),  # NCT04657458
    ("increased serum calcium (to exclude hyperparathyroidism)", "serum_calcium", 1.0, None, "xULN"),  # NCT03678467
])
def test_grammar_level_word_is_beyond_the_limit_of_normal_never_certain(nlp, text: str, analyte: str, low, high, unit: str) -> None:  # type: ignore[no-untyped-def]
    [c] = _analyte(nlp, text, "inclusion", analyte)
    assert (c.range.low, c.range.high, c.range.unit) == (low, high, unit)
    assert not c.provenance.certain and "the criterion names no limit" in c.provenance.unresolved[0]


@pytest.mark.parametrize("text", [
    "Abnormal AST or ALT at screening",  # the dysfunction the test group stands for, no level (NCT04073472)
    "prematurity, low birth weight, characteristic facies",  # no lab's normal range (NCT00705120)
    "recent onset of erythema, oedema, and increased temperature of the foot",  # another thing's (NCT03509870)
    "Women with elevated FSH levels greater than 10 mIU/mL.",  # a value of its own said right after (LCT NCT03864068)
])
def test_grammar_level_word_not_read_as_a_limit(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert not [c for c in _constraints(nlp, text, "measurement") if c.range and c.range.unit in ("xULN", "xLLN")]


def test_grammar_dropped_multiple_leaves_no_stale_reference() -> None:
    """A multiple dropped before it is kept ("less than or equal 1.5 times" with no reference after
    it) lends its reference slot to no other value: the grammar neither fails nor gives the next
    value another's unit (NCT01557543, as one line)."""
    assert find_values("v. AST (SGOT)/ALT (SGPT) less than or equal 1.5 times") == []
    creatinine, bilirubin = find_values("AST less than or equal 1.5 times; creatinine < 2 mg/dL; bilirubin < 3 x ULN")
    assert (creatinine.value, creatinine.unit) == (2.0, "mg/dL")  # not "< 2 x ULN"
    assert (bilirubin.value, bilirubin.unit) == (3.0, "xULN")


@pytest.mark.parametrize(("text", "kind", "analyte", "low"), [  # the kind: a change of weight is no weight
    ("Patients with a 30% increase in creatinine in the past 3 months", "measurement", "creatinine", 30.0),  # NCT05512988
    ("A wound size reduction of more than 50% between the wound assessments", "measurement", "wound_area", 50.0),  # NCT02742844
    ("Weight loss 15% or more past 6 months", "measurement", "body_weight", 15.0),  # LCT NCT03863236: a change, no weight
])
def test_grammar_change_written_as_a_share_of_the_value(nlp, text: str, kind: str, analyte: str, low: float) -> None:  # type: ignore[no-untyped-def]
    """A change may be written in percent of the value it changes from, whatever unit the analyte
    is measured in: read as a change, never certain."""
    [c] = _constraints(nlp, text, kind, "exclusion")
    assert (c.range.low, c.range.unit) == (low, "%")
    assert c.concepts.concept.id == analyte and c.change
    assert not c.provenance.certain

@pytest.mark.parametrize(("text", "low", "inclusive"), [
    ("Patients with a 30% increase in creatinine in the past 3 months", 30.0, True),  # NCT05512988: bare, the least
    ("had a 50% increase in their baseline creatinine concentration", 50.0, True),  # NCT03369275 (dev)
    ("A wound size reduction of more than 50% between the wound assessments", 50.0, False),  # NCT02742844: as written
])
def test_grammar_bare_change_size_is_the_least_that_counts(nlp, text: str, low: float, inclusive: bool) -> None:  # type: ignore[no-untyped-def]
    """The size of a change written with no comparator is the least change that qualifies (a 60%
    rise satisfies "a 50% increase"), never one exact size; a comparator written stays."""
    [c] = _constraints(nlp, text, "measurement", "exclusion")
    assert c.change and (c.range.low, c.range.low_inclusive, c.range.high) == (low, inclusive, None)
    assert not c.provenance.certain



def test_grammar_percent_is_no_level_of_an_analyte_in_another_unit(nlp) -> None:  # type: ignore[no-untyped-def]
    assert _constraints(nlp, "weight > 10%", "weight", "exclusion") == []  # no change named: no reading


@pytest.mark.parametrize(("text", "read"), [
    # a scale named after its levels by its eponym or acronym alone: the lexicon's scale when the
    # name with a scale word is one of its terms (dev NCT03943940, ctgov-msc NCT03267784), else
    # the scale as named, uncoded (ctgov-msc NCT03068988; constructed)
    ("Patients are diagnosed with heart failure degree IV according to NYHA or kidney failure degree IV according to KDIGO;",
     {("nyha_class", 4.0, 4.0), ("ckd_stage", 4.0, 4.0)}),
    ("Grade ≥3 according to Wagner", {("wagner_grade", 3.0, None)}),
    ("cuff tear arthropathy grade 3-5 according to Hamada", {("uncoded:Hamada grade", 3.0, 5.0)}),
    ("Ischemic rest pain, stage IV according to Fontaine", {("uncoded:Fontaine stage", 4.0, 4.0)}),
    # "staging" / "grading" are scale words too (set2 NCT01351610; ctgov-msc NCT05027581, NCT03048773)
    ("Patients with staging of ≥III according to Fontaine and ≥4 according to Rutherford categories,",
     {("uncoded:Fontaine stage", 3.0, None), ("rutherford_category", 4.0, None)}),
    ("Subject with unilateral/bilateral OA knee(s) of Kellgren-Lawrence grading II-IV", {("kellgren_lawrence", 2.0, 4.0)}),
    # not a scale named before the levels, nor what names no scale (ctgov-msc NCT04453111,
    # NCT03860155; LCT)
    ("Kellgren-Lawrence Grade 2 or 3 according to X-ray imaging.", {("kellgren_lawrence", 2.0, 3.0)}),
    ("Diagnosed ACLF of grade 2 or 3 according to EASL-CLIF definition;", {("aclf_grade", 2.0, 3.0)}),
    ("Stage I and II according to X-ray.", set()),
    # the scale read with the levels before it takes no value of an analyte named after it (NCT03267784)
    (('diabetic neuropathic ulcers "malum perforans" (Grade I and II according to Wagner) at plantar site of '
      "the foot diagnosed by ABI ≥0.7, without claudication, or TcPO2 >40 mmHg"),
     {("wagner_grade", 1.0, 2.0), ("abi", 0.7, None), ("tcpo2", 40.0, None)}),
])
def test_grammar_scale_named_after_its_levels(nlp, text: str, read: set[tuple[str, float | None, float | None]]) -> None:  # type: ignore[no-untyped-def]
    found = {(c.concepts.concept.id, c.range.low, c.range.high) for c in _constraints(nlp, text, "measurement")}
    assert found == read


def test_grammar_scale_named_after_with_no_value_read_is_named(nlp) -> None:  # type: ignore[no-untyped-def]
    """A scale the rules named whose levels go unread is named in the reason, never dropped in
    silence (ctgov-msc NCT05465096)."""
    [crit] = _criteria(nlp, ("Radiographic signs of hip OA (Grade 1-2 according to Tonnis classification) or MRI signs "
                             "(chondropathy or minimal labrum degeneration without acute lesions) even if Grade 0."), "inclusion")
    assert "no value read for 'Tonnis classification'" in (crit.reason or "")


@pytest.mark.parametrize(("text", "read"), [
    # the classes after "type" right before a condition a scale stages (dev NCT04318600, ctgov-msc)
    ("Patients with type II, III, or IV lupus nephritis", {("isn_rps_class", 2.0, 4.0)}),
    ("type V lupus nephritis", {("isn_rps_class", 5.0, 5.0)}),
    ("Biopsy confirmed active type III or type IV, or type V lupus nephritis.", {("isn_rps_class", 3.0, 5.0)}),  # NCT03174587
    # a list with gaps is no range; "type" before a condition no scale stages is no level
    ("kidney biopsy diagnosis of type I, VI lupus nephritis", set()),
    ("type 2 diabetes mellitus", set()),
])
def test_grammar_type_levels_before_a_staged_condition(nlp, text: str, read: set[tuple[str, float | None, float | None]]) -> None:  # type: ignore[no-untyped-def]
    found = {(c.concepts.concept.id, c.range.low, c.range.high) for c in _constraints(nlp, text, "measurement")}
    assert found == read


@pytest.mark.parametrize(("text", "section", "expected"), [
    # blood gases: the arterial partial pressures and the inspired oxygen fraction, kPa converted
    ("Severe chronic respiratory disease with a baseline PaCO2 > 50 mm Hg or the use of home oxygen", "exclusion",
     [("paco2", 50.0, None, "mm[Hg]")]),  # NCT04865107
    (("Respiratory failure defined by oxygen arterial pressure at rest (PaO2) <8 kPa (<60 mmHg) and / or a blood "
      "pressure of carbon dioxide at rest (PaCO2)> 6.7 kPa (> 50 mmHg) without oxygen therapy."), "exclusion",
     [("pao2", None, 8.0, "kPa"), ("paco2", 6.7, None, "kPa")]),  # NCT02213705: no blood pressure of 6.7 kPa
    ("Mechanical ventilator support requiring FiO2 > 80% prior to IP initiation", "exclusion",
     [("fio2", 80.0, None, "%")]),  # NCT04445220
    (("A subject who is intubated and receiving mechanical ventilation with a fraction of inspired oxygen (FiO2) "
      "of 0.25 or greater at Screening."), "inclusion", [("fio2", 0.25, None, "{fraction}")]),  # NCT03631420
    # two analytes joined by a slash, or "the ratio of A to B", are the ratio their short forms name
    ("Partial pressure of oxygen/fraction of inspired oxygen (PaO2/FiO2) ≤ 300mmHg", "inclusion",
     [("pao2_fio2", None, 300.0, "mm[Hg]")]),  # NCT04276987
    ("Partial pressure of arterial oxygen (PaO2) / Fraction of inspired oxygen (FiO2) ≤300 mmHg", "inclusion",
     [("pao2_fio2", None, 300.0, "mm[Hg]")]),  # NCT04273646
    ("Hypoxic respiratory failure (PaO2/ FiO2 ratio ≤ 27kPa on PEEP ≥ 5 cmH20)", "inclusion",
     [("pao2_fio2", None, 27.0, "kPa"), ("peep", 5.0, None, "cm[H2O]")]),  # NCT03042143: "PaO2/" one token
    (("Hypoxemia defined by a ratio of the partial pressure of arterial oxygen to the fraction of inspired oxygen "
      "(PaO2:FiO2) ≤ 300 mmHg"), "inclusion", [("pao2_fio2", None, 300.0, "mm[Hg]")]),  # LCT NCT03865056
    ("Post bronchodilator FEV1/Forced Vital Capacity (FVC) ratio <70 %", "inclusion",
     [("fev1_fvc", None, 70.0, "%")]),  # LCT NCT03924843: the bracket names one term of the ratio
    # a slash with no ratio said is either ("AST/ALT"); a ratio no vocabulary has keeps its name
    ("Aspartate aminotransferase/alanine transaminase (AST/ALT) < 5x upper limit of normal (ULN)", "inclusion",
     [("alt", None, 5.0, "xULN"), ("ast", None, 5.0, "xULN")]),  # NCT04366830
    ("Has severe ARDS with SpO2/FiO2 ratio < 150", "exclusion",
     [("uncoded:SpO2/FiO2", None, 150.0, None)]),  # NCT04905836
])
def test_grammar_blood_gases_and_ratios(nlp, text: str, section: str, expected: list) -> None:  # type: ignore[no-untyped-def]
    found = {(c.concepts.concept.id, c.range.low, c.range.high, c.range.unit) for c in _constraints(nlp, text, "measurement", section)}
    assert found == set(expected)


def test_grammar_an_alternative_before_or_that_nothing_reads_leaves_the_threshold_open(nlp) -> None:  # type: ignore[no-untyped-def]
    # ctgov-msc NCT03048773 "knee osteoarthritis (ACR criteria or Kellgren and Lawrence grading II to
    # IV)": the ACR criteria are what a patient of grade I may meet instead
    for text in ("Diagnosis with knee osteoarthritis (ACR criteria or Kellgren and Lawrence grading II to IV)",
                 # after LCT NCT03923790: the history is the other way to show the hypertension, "hospital" the
                 # setting (its "on two occasions" is a doubt of its own: test_constraints_readings_on_occasions_are_doubted)
                 "presence of hypertension (by clinical history or hospital BP ≥140)"):
        [c] = _constraints(nlp, text, "measurement")
        assert any(u.startswith("an alternative before 'or' is not read") for u in c.provenance.unresolved), text
    # an "or" inside a bracket closed before the threshold, or between two thresholds read, is none
    # nor one adjective coordinated with another of the threshold's own name (ctgov-msc NCT02237846),
    # nor an "and/or" after a threshold read before a comma (ctgov-msc NCT01558908)
    for text in ("Kellgren-Lawrence grade II to IV (knee or hip)", "ALT or AST ≤ 2.5 x ULN",
                 ("Idiopathic or secondary osteoarthritis of the knee with grade 2, 3, or 4 radiographic severity, as defined by "
                  "the modified Kellgren-Lawrence classification"),
                 "an ankle brachial index (ABI) of less than 0.55, and/or a resting toe brachial index (TBI) of less than 40."):
        assert all(not any("alternative before" in u for u in c.provenance.unresolved)
                   for c in _constraints(nlp, text, "measurement")), text


@pytest.mark.parametrize(("text", "op"), [
    # analytes sharing a threshold that asks for an abnormal value, joined by "or": either shows it
    # (set1 NCT00962923, read; ctgov-msc NCT00962923's wording with FVC)
    ("lung involvement: with a vital capacity (VC) or DLCO below 70% predicted", "ANY"),
    ("FVC or DLCO below 70% predicted", "ANY"),
    ("ALT or AST > 3 x ULN", "ANY"),
    ("ALT, AST, LDH or bilirubin > 2 x the upper limit of normal (ULN)", "ANY"),  # ctgov-msc NCT04428801
    ("ALT, AST and bilirubin > 2 x ULN", None),  # "and": each
    # one on the normal side is asked of both
    ("ALT or AST ≤ 2.5 x ULN", None),
])
def test_grammar_analytes_sharing_an_abnormal_threshold_by_or_are_alternatives(nlp, text: str, op) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record
    from nlp.core.record import TrialRecord

    doc = parse_record(TrialRecord(source="t", format="text", eligibility_text=f"Inclusion Criteria:\n\n* {text}\n"), nlp)
    [crit] = doc.criteria
    groups = [i.op for i in crit.logic.items if not isinstance(i, str)]
    assert groups == ([op] if op else [])


@pytest.mark.parametrize(("text", "section", "expected"), [
    # an amount whose unit says what it counts: drinks or units of alcohol a day or a week are
    # alcohol consumption (units.json "analyte"; LOINC 74013-4), never converted between them
    ("History of alcoholism and/or drinking more than 5 units of alcohol per day", "exclusion",
     [(5.0, None, "{alcohol_units}/d", True)]),  # dev NCT02328612
    ("Current alcohol abuse is defined as daily consumption of >3 alcoholic beverages (i.e. > 21 alcoholic beverages per week)",
     "exclusion", [(21.0, None, "{drinks}/wk", True)]),  # set 4 NCT01843387 (the ">3" counts beverages a day unsaid)
    ("excess alcohol use (>14 drinks per week)", "exclusion", [(14.0, None, "{drinks}/wk", True)]),  # ctgov-msc NCT05284604
    ("Alcohol consumption (> 2 drinks per day)", "exclusion", [(2.0, None, "{drinks}/d", True)]),  # LCT NCT03926806
    ("alcohol abuse (≥ 5 drinks/day for ˃ 3 months)", "exclusion", [(5.0, None, "{drinks}/d", True)]),  # ctgov-msc NCT02501811
    # a bare number: which of drinks or units is not said (a doubt, never a failure)
    ("Alcohol consumption >14 units / week", "exclusion", [(14.0, None, None, False)]),  # LCT NCT03864562
    # a negation with no analyte named for it to deny: its side of the threshold is not read
    ("Not drinking more than 2 alcoholic drinks per day", "inclusion", [(2.0, None, "{drinks}/d", False)]),  # LCT NCT03925142
])
def test_grammar_alcohol_consumption(nlp, text: str, section: str, expected: list) -> None:  # type: ignore[no-untyped-def]
    got = [(c.range.low, c.range.high, c.range.unit, not c.provenance.unresolved)
           for c in _constraints(nlp, text, "measurement", section) if c.concepts.concept.id == "alcohol_consumption"]
    assert got == expected


def test_grammar_alcohol_units_not_read_elsewhere(nlp) -> None:  # type: ignore[no-untyped-def]
    # "units" alone is no alcohol unit (insulin is dosed in units a day); a glucose load is no drink
    for text in ("Insulin requirement > 40 units per day", "Has contraindications for drinking oral glucose solution up to 100 g of sugar"):
        assert not [c for c in _constraints(nlp, text, "measurement", "exclusion") if c.concepts.concept.id == "alcohol_consumption"], text


@pytest.mark.parametrize(("text", "section", "expected"), [
    # the analyte a value adjoins is read before what a condition named before it is measured by
    # (ctgov-msc NCT02192736 "less than a 3 pack year history" was cigarettes a day)
    ("Current smokers with at least 10 pack-years", "exclusion", [("smoking_pack_years", 10.0, None)]),
    ("limited life-time history of smoking (less than a 3 pack year history)", "inclusion", [("smoking_pack_years", None, 3.0)]),
    # the condition it defines goes, its polarity stays ("Not smoking more than 10" is at most 10)
    ("Smokers of more than 10 cigarettes a day.", "exclusion", [("cigarettes_per_day", 10.0, None)]),  # LCT NCT03863249
    ("Not smoking more than 10 cigarettes a day", "inclusion", [("cigarettes_per_day", None, 10.0)]),  # constructed
])
def test_grammar_the_analyte_a_value_adjoins(nlp, text: str, section: str, expected: list) -> None:  # type: ignore[no-untyped-def]
    crit = _criteria(nlp, text, section)
    assert [(c.concepts.concept.id, c.range.low, c.range.high) for k in crit for c in k.constraints if c.kind == "measurement"] == expected
    assert not [c for k in crit for c in k.constraints if c.kind == "condition" and c.concepts.concept.id == "tobacco_use"]


@pytest.mark.parametrize(("text", "section", "expected"), [
    ("Classified as Child-Pugh grade B or C", "inclusion", [(7, None)]),  # ctgov-msc NCT01875081
    ("Child-Pugh grade B liver cirrhosis", "inclusion", [(7, 9)]),  # NCT03254758
    ("Severe renal dysfunction (requirement of renal replacement therapy) or severe hepatic dysfunction (Child-Pugh grade C);",
     "exclusion", [(10, None)]),  # LCT NCT03868709
    ("Liver dysfunction, child pugh B or worse", "exclusion", [(7, None)]),  # LCT NCT03863236
    # the points the text gives after the classes are the one reading (NCT01573923, NCT04689152)
    ("child-Pugh B/C (7-12 points)", "inclusion", [(7, 12)]),
    ("belonging to Child-Pugh grade B or C (Child-Pugh score of 7 or more)", "inclusion", [(7, None)]),
    ("Child-Pugh A or C", "inclusion", []),  # no one band
])
def test_quantity_scale_classes_read_as_their_band_of_points(nlp, text: str, section: str, expected) -> None:  # type: ignore[no-untyped-def]
    cs = _analyte(nlp, text, section, "child_pugh")
    assert [(c.range.low, c.range.high) for c in cs] == expected


@pytest.mark.parametrize("text", ["O2 saturation ≥= 93% at room air.", "O2 sat ≥ 93%"])  # ctgov-msc NCT02331134
def test_grammar_o2_saturation_is_oxygen_saturation(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert _ranges(_analyte(nlp, text, "inclusion", "oxygen_saturation")) == [(93.0, None, "%")]


def test_quantity_pao2_written_out_and_its_ratio_with_the_fio2_after_an_article(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT04713878 "3) arterial pressure of oxygen/the fraction of inspired oxygen ≤ 300mmHg" was a blood pressure
    [c] = _constraints(nlp, "arterial pressure of oxygen/the fraction of inspired oxygen ≤ 300 mmHg", "measurement")
    assert c.concepts.concept.id == "pao2_fio2" and c.range.high == 300
    [c] = _constraints(nlp, "arterial oxygen pressure above 60 mmHg", "measurement")
    assert c.concepts.concept.id == "pao2"
