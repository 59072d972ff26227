"""The verdict policy (README "Verdict policy"), one test per rule: a criterion fails a patient
only on a certain reading answered by a recorded fact; anything else is needs_review with the
reason. The matcher rules are tested on hand-built constraints; the reading rules (what stage 4
marks as uncertain) on criterion texts through the pipeline, each from a phrasing seen in
../shared/data (source trial in a comment)."""

from __future__ import annotations

from typing import Any

import pytest

from nlp.core.constraints import (
    CERTAIN,
    INFERRED,
    ConceptSet,
    ConditionConstraint,
    Evidence,
    MeasurementConstraint,
    NumericRange,
    Provenance,
    TherapyConstraint,
    Window,
)
from nlp.core.criterion import Criterion
from nlp.core.document import AnnotatedCriterion, ParsedTrial
from nlp.core.labels import Anchor, Exposure, Relation
from nlp.core.lexicon import Lexicon
from nlp.core.logic import build_logic
from nlp.core.record import TrialRecord
from nlp.core.topics import Topic
from nlp.matching import Matcher, Patient

EV = Evidence(text="x", start=0, end=1)


def _cs(cid: str, *excluded: str) -> ConceptSet:
    lex = Lexicon.load()
    return ConceptSet(concept=lex.concept(cid), excluded=tuple(lex.concept(x) for x in excluded))


def _trial(*constraints: Any, section: str = "inclusion", topics: tuple[str, ...] = ()) -> ParsedTrial:
    crit = AnnotatedCriterion(
        **Criterion(id="C1", section=section, text="x", start=0, end=1, text_start=0).model_dump(),
        constraints=tuple(constraints), logic=build_logic(section, [c.id for c in constraints], {}, [], None),
        computable=True, reason=None)
    rec = TrialRecord(source="t", format="text", eligibility_text="x", nct_id="NCT00000000")
    return ParsedTrial(record=rec, headers=(), criteria=(crit,),
                       topics=tuple(Topic(concept_id=t, where="conditions", text=t) for t in topics))


def _condition(cid: str, effect: str = "exclude", present: bool = True, **prov: Any) -> ConditionConstraint:
    return ConditionConstraint(id="C1.c1", criterion="C1", effect=effect, evidence=EV, concepts=_cs(cid),
                               present=present, provenance=Provenance(rule="test", **prov))


def _patient(**kw: Any) -> Patient:
    return Patient.model_validate({"id": "p", "as_of": "2026-11-01", "birth_date": "1980-01-01", "sex": "female", **kw})


def _verdict(trial: ParsedTrial, p: Patient) -> tuple[str, str]:
    r = Matcher().match(trial, p)
    [res] = r.criteria[0].constraints
    return r.overall, res.reason


HIV = {"conditions": [{"name": "HIV infection", "status": "active"}]}


# -- matcher rules ------------------------------------------------------------------------------
def test_policy_a_certain_reading_answered_by_a_recorded_fact_fails() -> None:
    assert _verdict(_trial(_condition("hiv"), section="exclusion"), _patient(**HIV))[0] == "ineligible"


@pytest.mark.parametrize(("prov", "why"), [
    ({"inferred": True, "confidence": INFERRED}, "inferred from the wording"),
    ({"unresolved": ("read from a conditional sentence ('if' ...)",)}, "conditional sentence"),
    ({"source": "model"}, "statistical model"),
    ({"confidence": CERTAIN - 0.1}, "uncertain reading"),
])
def test_policy_an_uncertain_reading_never_fails(prov: dict[str, Any], why: str) -> None:
    overall, reason = _verdict(_trial(_condition("hiv", **prov), section="exclusion"), _patient(**HIV))
    assert overall == "needs_review" and reason.startswith("needs review:") and why in reason


@pytest.mark.parametrize(("excluded", "recorded"), [
    # KDIGO's kidney failure is CKD G5, which end-stage renal disease is (it was only CKD's child)
    ("renal_failure", "End-stage renal disease"),
    # DSM-5's alcohol use disorder joins abuse and dependence (alcoholism was abuse's sibling)
    ("alcohol_abuse", "Alcoholism"),
    # "Organ failure", "Vital organs failure" (ctgov-msc NCT05132972, NCT01877759): any organ's failure
    ("organ_failure", "Renal failure"),
    ("organ_failure", "Multiple organ failure"),
    ("organ_dysfunction", "Hepatic dysfunction"),
])
def test_policy_a_recorded_narrower_diagnosis_fails_its_broader_exclusion(excluded: str, recorded: str) -> None:
    p = _patient(conditions=[{"name": recorded, "status": "active"}])
    assert _verdict(_trial(_condition(excluded), section="exclusion"), p)[0] == "ineligible"


def test_policy_a_broader_recorded_diagnosis_never_fails_a_narrower_exclusion() -> None:
    """A hepatic dysfunction is no organ failure: "Organ failure" excludes a liver failure, not it."""
    p = _patient(conditions=[{"name": "Hepatic dysfunction", "status": "active"}])
    assert _verdict(_trial(_condition("organ_failure"), section="exclusion"), p)[0] != "ineligible"


def test_policy_the_records_silence_never_fails_a_requirement() -> None:
    """An inclusion requiring a diagnosis the record does not list: needs_review, not ineligible;
    the same requirement with the diagnosis listed passes."""
    trial = _trial(_condition("hiv", effect="include"))
    overall, reason = _verdict(trial, _patient())
    assert overall == "needs_review" and "does not list it" in reason
    assert _verdict(trial, _patient(**HIV))[0] == "eligible"


def test_policy_an_explicit_status_answers() -> None:
    """Pregnancy is a status the record states: "not pregnant" required and pregnant: fail."""
    trial = _trial(_condition("pregnancy", effect="include", present=False))
    assert _verdict(trial, _patient(pregnant=True))[0] == "ineligible"
    assert _verdict(trial, _patient(pregnant=False))[0] == "eligible"
    assert _verdict(trial, _patient())[0] == "needs_review"  # unknown status


def test_policy_a_criterion_of_unknown_section_never_fails() -> None:
    overall, reason = _verdict(_trial(_condition("hiv", effect="include", present=False), section="unspecified"),
                               _patient(**HIV))
    assert overall == "needs_review" and "includes or excludes" in reason


def test_policy_a_criterion_of_one_group_of_the_trial_never_fails(nlp) -> None:  # type: ignore[no-untyped-def]
    """Criteria listed per group (NCT00749164 "Donor inclusion criteria:", NCT02926079 "(Mother)" /
    "(Infant)"): a patient who fails the donors' list may be a recipient. The record's plain list
    still fails her."""
    from nlp.analyze import parse_record

    text = ("Inclusion criteria:\n\n* Age 18 years or older\n\nExclusion criteria:\n\n* HIV infection\n\n"
            "Donor inclusion criteria:\n\n* Age 18 to 40 years\n\nDonor exclusion criteria:\n\n* Diabetes\n")
    rec = TrialRecord(source="t", format="text", nct_id="NCT00000000", eligibility_text=text)
    trial = parse_record(rec, nlp)
    assert [(c.section, c.group) for c in trial.criteria] == [
        ("inclusion", None), ("exclusion", None), ("inclusion", "donor"), ("exclusion", "donor")]
    diabetic = _patient(conditions=[{"name": "type 2 diabetes mellitus", "status": "active"}])
    r = Matcher().match(trial, diabetic)  # 46 years old and diabetic: fails both donor criteria
    assert r.overall == "needs_review" and not r.failing
    assert all("group 'donor'" in c.reason for crit in r.criteria[2:] for c in crit.constraints)
    assert Matcher().match(trial, _patient(**HIV)).overall == "ineligible"


@pytest.mark.parametrize(("conditions", "overall"), [
    # "orchitis secondary to mumps" (LCT NCT03864198): the cause alone excludes no one, the
    # condition with its cause is for a reviewer (no record shows the one caused the other)
    ([{"name": "mumps", "status": "active"}], "eligible"),
    ([{"name": "orchitis", "status": "active"}], "eligible"),
    ([{"name": "orchitis", "status": "active"}, {"name": "mumps", "status": "active"}], "needs_review"),
])
def test_policy_a_condition_excluded_for_its_cause_needs_both_and_a_reviewer(nlp, conditions: list[dict[str, str]],  # type: ignore[no-untyped-def]
                                                                             overall: str) -> None:
    from nlp.analyze import parse_record

    text = "Inclusion criteria:\n\n* Age 18 years or older\n\nExclusion criteria:\n\n* orchitis secondary to mumps\n"
    trial = parse_record(TrialRecord(source="t", format="text", nct_id="NCT00000000", eligibility_text=text), nlp)
    assert Matcher().match(trial, _patient(conditions=conditions)).overall == overall


@pytest.mark.parametrize("line", [
    "Use of systemic corticosteroids (prednisone> 20mg/day or equivalent).",  # ctgov-msc NCT01872624
    # NCT03828344
    "Corticosteroid usage at a high dose (i.e., IV or IM corticosteroids or use of oral prednisone equivalent >10 mg/day)",
    "Use systemic corticosteroids (≥5 mg of prednisone per day).",  # NCT03058068: a mass, and "per day" after the drug
])
def test_policy_a_class_excluded_at_a_members_dose_is_no_exclusion_of_any_dose(nlp, line: str) -> None:  # type: ignore[no-untyped-def]
    # the class was excluded at any dose: every patient on a low dose of prednisone was turned
    # away; the record holds no dose, so the exposure is for a reviewer
    from nlp.analyze import parse_record

    text = f"Inclusion criteria:\n\n* Age 18 years or older\n\nExclusion criteria:\n\n* {line}\n"
    trial = parse_record(TrialRecord(source="t", format="text", nct_id="NCT00000000", eligibility_text=text), nlp)
    on = {"therapies": [{"name": "prednisone", "start": "2026-08-01"}]}
    assert Matcher().match(trial, _patient(**on)).overall == "needs_review"
    assert Matcher().match(trial, _patient()).overall == "eligible"


def test_policy_an_exclusion_of_the_target_diagnosis_is_for_a_reviewer() -> None:
    """"Other dementia" in an Alzheimer's trial cannot exclude the trial's own patients; with the
    target carved out ("dementia other than AD") the exclusion stands."""
    ad = {"conditions": [{"name": "Alzheimer's disease", "status": "active"}]}
    plain = _trial(_condition("dementia"), section="exclusion", topics=("alzheimers_disease",))
    assert _verdict(plain, _patient(**ad))[1].endswith("needs a reviewer")
    carved = ConditionConstraint(id="C1.c1", criterion="C1", effect="exclude", evidence=EV,
                                 concepts=_cs("dementia", "alzheimers_disease"), provenance=Provenance(rule="t"))
    assert _verdict(_trial(carved, section="exclusion", topics=("alzheimers_disease",)), _patient(**ad))[0] == "eligible"


def test_policy_the_target_overlap_is_read_per_trial_even_when_the_outcome_is_reused() -> None:
    """One matcher, one constraint content in two trials (the memo reuses outcomes by content):
    "dementia" excluded in an Alzheimer's trial is for a reviewer, in a stroke trial it fails an
    Alzheimer's patient, in either order."""
    from nlp.matching.evaluate import MatchForm, content_keys

    ad = _patient(conditions=[{"name": "Alzheimer's disease", "status": "active"}])
    in_ad = _trial(_condition("dementia"), section="exclusion", topics=("alzheimers_disease",))
    in_stroke = _trial(_condition("dementia"), section="exclusion", topics=("stroke",))
    assert content_keys(in_ad) == content_keys(in_stroke)
    for order in ((in_ad, in_stroke), (in_stroke, in_ad)):
        m = Matcher()
        got = {t.topics[0].concept_id: m.match(MatchForm.of(t, content_keys(t)), ad) for t in order}
        assert got["alzheimers_disease"].overall == "needs_review"
        assert got["alzheimers_disease"].criteria[0].constraints[0].reason.endswith("needs a reviewer")
        assert got["stroke"].overall == "ineligible"


def _therapy(window: Window, exposure: Exposure = Exposure.IN_WINDOW, present: bool = True) -> TherapyConstraint:
    return TherapyConstraint(id="C1.c1", criterion="C1", effect="exclude", evidence=EV, concepts=_cs("corticosteroid"),
                             present=present, exposure=exposure, window=window, provenance=Provenance(rule="t"))


PRED = {"therapies": [{"name": "prednisone", "start": "2026-08-01", "end": "2026-10-15"}]}


def test_policy_windows_are_placed_by_relation_and_anchor() -> None:
    within_90 = Window(high_days=90, relation=Relation.BEFORE, anchor=Anchor.ENROLLMENT)
    assert _verdict(_trial(_therapy(within_90), section="exclusion"), _patient(**PRED))[0] == "ineligible"
    long_ago = Window(low_days=60, high_days=365, relation=Relation.BEFORE, anchor=Anchor.ENROLLMENT)
    assert _verdict(_trial(_therapy(long_ago), section="exclusion"), _patient(**PRED))[0] == "ineligible"
    ended_before = Window(high_days=10, relation=Relation.BEFORE, anchor=Anchor.ENROLLMENT)
    assert _verdict(_trial(_therapy(ended_before), section="exclusion"), _patient(**PRED))[0] == "eligible"
    # "within 6 months after the last dose" of the study drug lies after the record's date
    future = Window(high_days=182, relation=Relation.AFTER, anchor=Anchor.LAST_DOSE)
    overall, reason = _verdict(_trial(_therapy(future), section="exclusion"), _patient(**PRED))
    assert overall == "needs_review" and "no date" in reason
    # after a named event the record dates: "within 30 days after prednisone" (stopped 2026-10-15)
    after_named = Window(high_days=30, relation=Relation.AFTER, anchor=Anchor.LAST_DOSE, anchor_text="prednisone")
    assert _verdict(_trial(_therapy(after_named), section="exclusion"), _patient(**PRED))[0] == "ineligible"


def test_policy_a_washout_holds_when_nothing_falls_in_its_window() -> None:
    """"stopped corticosteroids at least 4 weeks before": a course ended 17 days ago breaks it,
    one ended 4 months ago does not."""
    washout = TherapyConstraint(id="C1.c1", criterion="C1", effect="include", evidence=EV, concepts=_cs("corticosteroid"),
                                exposure=Exposure.WASHOUT, window=Window(high_days=28), provenance=Provenance(rule="t"))
    assert _verdict(_trial(washout), _patient(**PRED))[0] == "ineligible"
    old = {"therapies": [{"name": "prednisone", "start": "2026-01-01", "end": "2026-07-01"}]}
    assert _verdict(_trial(washout), _patient(**old))[0] == "eligible"


def test_policy_a_measurement_fails_only_on_a_value() -> None:
    alt = MeasurementConstraint(id="C1.c1", criterion="C1", effect="exclude", evidence=EV, concepts=_cs("alt"),
                                range=NumericRange(low=2.5, low_inclusive=False, unit="xULN"), provenance=Provenance(rule="t"))
    high = {"observations": [{"name": "ALT", "value": 150, "unit": "U/L", "reference_range": {"high": 40}, "date": "2026-10-20"}]}
    assert _verdict(_trial(alt, section="exclusion"), _patient(**high))[0] == "ineligible"
    no_ref = {"observations": [{"name": "ALT", "value": 150, "unit": "U/L", "date": "2026-10-20"}]}
    assert _verdict(_trial(alt, section="exclusion"), _patient(**no_ref))[0] == "needs_review"


def test_policy_a_measurement_window_reads_only_values_dated_in_it() -> None:
    """"ejection fraction of less than or equal to 50% ... within the prior six months"
    (NCT02013674): a value measured before the window does not answer it."""
    lvef = MeasurementConstraint(id="C1.c1", criterion="C1", effect="include", evidence=EV, concepts=_cs("lvef"),
                                 range=NumericRange(high=50, unit="%"), provenance=Provenance(rule="t"),
                                 window=Window(high_days=183, relation=Relation.BEFORE, anchor=Anchor.ENROLLMENT))
    recent = {"observations": [{"name": "LVEF", "value": 60, "unit": "%", "date": "2026-09-01"},
                               {"name": "LVEF", "value": 40, "unit": "%", "date": "2025-01-01"}]}
    assert _verdict(_trial(lvef), _patient(**recent))[0] == "ineligible"  # the value in the window is 60
    old = {"observations": [{"name": "LVEF", "value": 40, "unit": "%", "date": "2025-01-01"}]}
    overall, reason = _verdict(_trial(lvef), _patient(**old))
    assert overall == "needs_review" and "in the window" in reason
    # without a window the latest value answers, whenever measured
    assert _verdict(_trial(lvef.model_copy(update={"window": None})), _patient(**old))[0] == "eligible"


# -- reading rules (stage 4 marks what a person must confirm) ---------------------------------------
def test_reading_the_trials_own_diagnosis_in_an_exclusion_is_its_subject(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT01484574 (a critical limb ischemia trial): "Patients with CLI indicated for major
    # amputation" excludes the amputation candidates, not every patient with CLI; a time of its
    # own keeps the diagnosis ("CLI within 3 months", constructed), as does the one mention alone
    from nlp.analyze import parse_record

    def read(text: str) -> list[tuple[str, str | None]]:
        rec = TrialRecord(source="t", format="text", conditions=["Critical Limb Ischemia"],
                          eligibility_text=f"Exclusion Criteria:\n\n* {text}\n")
        return [(c.kind, c.concepts.concept.id if getattr(c, "concepts", None) else None)
                for crit in parse_record(rec, nlp).criteria for c in crit.constraints]

    assert read("Patients with CLI indicated for major amputation") == [("procedure", "amputation")]
    assert ("condition", "critical_limb_ischemia") in read("CLI diagnosed within 3 months, or major amputation")
    assert read("Critical limb ischemia") == [("condition", "critical_limb_ischemia")]
    # alone it would exclude what the trial requires: qualified by something not read, left open
    # (NCT04939337 "The number of ... openings of anal fistula was more than 2 and 3")
    rec = TrialRecord(source="t", format="text", conditions=["Critical Limb Ischemia"],
                      eligibility_text="Exclusion Criteria:\n\n* Critical limb ischemia of the contralateral limb\n")
    [c] = [c for crit in parse_record(rec, nlp).criteria for c in crit.constraints]
    assert any("trial's own diagnosis" in u for u in c.provenance.unresolved)


def _trial_read(nlp, inclusion: str, exclusion: str) -> list[tuple[str, str, bool]]:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    rec = TrialRecord(source="t", format="text",
                      eligibility_text=f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    return [(c.effect, c.concepts.concept.id, any("which the inclusion requires" in u for u in c.provenance.unresolved))
            for crit in parse_record(rec, nlp).criteria for c in crit.constraints if c.kind == "condition"]


@pytest.mark.parametrize(("inclusion", "exclusion", "doubted", "certain"), [
    # read as written the exclusion turns away every patient the inclusion admits (NCT01759823,
    # NCT01985633, LCT NCT02580019 "Medical history of neurological pathology ... before stroke")
    ("Patients with type 2 diabetes mellitus", "Patients with type 1 diabetes mellitus or secondary diabetes.",
     "diabetes", "type_1_diabetes"),
    ("Osteoarthritis of the knee", "Advanced stage of osteoarthritis", "osteoarthritis", None),
    # a narrower exclusion, an exclusion that needs more than the condition, a window the
    # inclusion's patients may be outside, an inclusion that offers the condition as one
    # alternative: each admits some patients, and stays certain (constructed)
    ("Diabetes mellitus", "Type 1 diabetes", None, "type_1_diabetes"),
    ("Heart failure", "NYHA class IV heart failure", None, "heart_failure"),
    ("History of stroke", "Stroke within 1 week before screening", None, "stroke"),
    ("Osteoarthritis or rheumatoid arthritis", "Osteoarthritis", None, "osteoarthritis"),
])
def test_reading_an_exclusion_of_what_the_inclusion_requires_is_for_a_reviewer(  # type: ignore[no-untyped-def]
        nlp, inclusion: str, exclusion: str, doubted: str | None, certain: str | None) -> None:
    read = _trial_read(nlp, inclusion, exclusion)
    excluded = {cid: doubt for effect, cid, doubt in read if effect == "exclude"}
    assert all(not doubt for effect, _, doubt in read if effect == "include"), read
    if doubted:
        assert excluded.get(doubted) is True, read
    if certain:
        assert excluded.get(certain) is False, read


@pytest.mark.parametrize(("inclusion", "exclusion", "doubted"), [
    # ctgov-msc NCT05447767: a sentence of the trial's design, read as an exclusion, would exclude every patient
    ("Patients affected by knee OA KL 2-3;",
     "A 4-arms randomized clinical trial in 240 patients affected by knee OA KL 2-3.", True),
    # ctgov-msc NCT04043819: the other knee's grade read as the patient's still admits grade 2 (an
    # open end is no end held): no contradiction to prove
    ("Grade 2, 3, or 4 Kellgren-Lawrence score in one knee.",
     "Evidence of OA in the contralateral knee with a Kellgren-Lawrence score greater than 2", False),
    # values the inclusion admits partly outside the exclusion: a certain exclusion (constructed)
    ("Kellgren-Lawrence grade 2 to 4", "Kellgren-Lawrence grade 4", False),
    ("Age 18 to 65 years", "Age over 60 years", False),
])
def test_reading_an_exclusion_of_every_value_the_inclusion_admits_is_for_a_reviewer(  # type: ignore[no-untyped-def]
        nlp, inclusion: str, exclusion: str, doubted: bool) -> None:
    from nlp.analyze import parse_record

    rec = TrialRecord(source="t", format="text",
                      eligibility_text=f"Inclusion Criteria:\n\n* {inclusion}\n\nExclusion Criteria:\n\n* {exclusion}\n")
    read = [(c.effect, c.kind, any("which the inclusion requires" in u for u in c.provenance.unresolved))
            for crit in parse_record(rec, nlp).criteria for c in crit.constraints if c.kind in ("measurement", "age")]
    assert [d for effect, _, d in read if effect == "exclude"] == [doubted], read
    assert not any(d for effect, _, d in read if effect == "include"), read


def _read(nlp, text: str, section: str = "inclusion") -> list[Any]:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    heading = "Inclusion Criteria" if section == "inclusion" else "Exclusion Criteria"
    rec = TrialRecord(source="t", format="text", eligibility_text=f"{heading}:\n\n* {text}\n")
    doc = parse_record(rec, nlp)
    return [c for crit in doc.criteria for c in crit.constraints]


@pytest.mark.parametrize(("text", "section", "kind", "doubt"), [
    ("Aged 18 years at screening", "inclusion", "age", "no comparator"),  # constructed: a bare value (a bare lab level is no threshold at all)
    ("hemoglobin < 10", "exclusion", "measurement", "no unit given"),  # NCT05501418: g/dL or g/L, both plausible
    ("Karnofsky score 60% or greater unless the patient is bedridden", "inclusion", "measurement", "conditional"),  # constructed
    ("Deficits on the total NIHSS can be lower than 7", "inclusion", "measurement", "permissive"),  # NCT01922908
    ("The score on the Mini-Mental State Examination must be >24", "exclusion", "measurement", "requirement"),  # NCT02315027
    # a window before the onset, read as the time since it, is a guess (NCT01922908)
    ("Last seen normal within 3-9 days prior to stroke symptom onset. Ischemic stroke.", "inclusion", "measurement",
     "away from the diagnosis"),
    ("Patients who can agree to participate in the clinical trial", "inclusion", "trial_participation", "this trial"),  # NCT02477540
    # a treatment judged for the patient, not one received (NCT01484574, NCT02622464, NCT00919958)
    ("Patients with CLI indicated for major amputation during screening", "exclusion", "procedure", "judged"),
    ("Contraindication in the anesthesia", "exclusion", "procedure", "judged"),
    ("major amputation is not anticipated over a period of three (3) months", "inclusion", "procedure", "judged"),
    # suitable, listed or rejected for it, or to undergo it: judged, not received (LCT NCT02932852,
    # NCT04657458, NCT01957826, NCT03866421, NCT03921437)
    ("Medically suitable to undergo corneal graft surgery with local anesthesia", "inclusion", "procedure", "judged"),
    ("Acute liver failure or listed for liver transplant", "exclusion", "procedure", "judged"),
    ("Patients rejected for heart transplantation", "inclusion", "procedure", "judged"),
    ("At the waiting list for liver transplantation", "exclusion", "procedure", "judged"),
    ("Patients with primary or metastatic lung cancer or with chemotherapy scheduled for the next 90 days.", "exclusion", "therapy",
     "judged"),  # LCT NCT04366271
    # scheduled, planned or about to undergo it, or on its wait list (LCT NCT03929718, NCT03921593,
    # NCT03926312; ctgov-msc NCT05512988)
    ("scheduled to undergo catheter ablation of the CTI for treatment of AFL", "inclusion", "procedure", "judged"),
    ("Active on Pancreas Transplant Wait List", "inclusion", "procedure", "judged"),
    ("Planned major surgery within the next 12 months", "exclusion", "procedure", "judged"),
    ("Patients with a 30% increase in creatinine in the past 3 months and who are about to undergo dialysis", "exclusion",
     "procedure", "judged"),
    # a stable dose asked of those who take it (ctgov-msc NCT02677350, NCT01954147)
    ("The dose of steroids must have been stable for at least 2 weeks prior to enrollment.", "inclusion", "therapy", "stable dose"),
    ("Insulin dose and metformin doses should be stable over the 3 months prior to randomization.", "inclusion", "therapy",
     "stable dose"),
    # what another treatment acts on, not one received (ctgov-msc NCT05035862, NCT03186456; LCT NCT03109301)
    (("Use of medications known to significantly interact with corticosteroid disposition within the two-week period prior to "
     "the screening visit"), "exclusion", "therapy", "acts on"),
    ("Patients under other therapy that possibly influence MSC", "exclusion", "therapy", "acts on"),
    ("Strong inhibitors or inducers of CYP3A4 as these may affect selumetinib", "inclusion", "therapy", "acts on"),
    ("The physician advises and informs the patient who has to undergo renal replacement therapy", "inclusion", "procedure", "judged"),
    # an "if" after a group's or an exception's effect states a condition (LCT NCT03860623, NCT04865107)
    ("those with BMI up to 28kg/m2 will be included if waist circumference is <96cm.", "inclusion", "bmi", "conditional"),
    ("Diabetes, but a patient will not be excluded if the diabetes is well controlled", "exclusion", "condition", "conditional"),
    # the mother's condition in a trial of infants (every infant was turned away for not being pregnant)
    ("Infants of healthy mothers with uncomplicated pregnancies at term", "inclusion", "condition", "another person"),  # LCT NCT03928431
    ("Infants born to mothers are known to be HIV, Hepatitis B", "exclusion", "condition", "another person"),  # ctgov-msc NCT03635450
    # an exclusion's sentence that lets patients in (ctgov-msc NCT04865107, NCT03109301)
    (("Patients with a prior or concurrent malignancy whose natural history or treatment does not have the potential to "
      "interfere with the safety or efficacy assessment of the investigational regimen are eligible for this trial"),
     "exclusion", "condition", "permissive"),
    ("Those patients with a plexiform neurofibroma requiring treatment will be eligible", "exclusion", "condition", "permissive"),
    ("(a patient who has stable interstitial pneumonia may participate)", "exclusion", "condition", "permissive"),
    # a negation from further off than a denied threshold (ctgov-msc NCT04746599, NCT04348435): the
    # patient must not reach the value, or must; either way no certain reading
    ("Absence of comorbidities responsible for life expectancy < 6 months", "inclusion", "measurement", "further off"),
    ("No signs or symptoms of infection, including but not limited to, body temperature >100 F and pulse rate > 100 BPM.",
     "inclusion", "measurement", "further off"),
    # ranges of one quantity required together that no value meets: a misreading every patient
    # would fail (ctgov-msc NCT01985633, NCT05288725)
    ("Grade 1 or Grade 2 Osteoarthritis knee as per Ahlbacks radiographic staging", "inclusion", "measurement", "no patient meets"),
    ("Body Mass Index (BMI) between 18 and 40 kg/m2 (i.e., subjects with a BMI >40 and <18 will be excluded).",
     "inclusion", "bmi", "no patient meets"),
    # one concept present and absent at once (LCT NCT04434768)
    ("Pregnant women who have not had any complication of pregnancy.", "inclusion", "condition", "no patient meets"),
])
def test_reading_uncertain_phrasings_are_marked(nlp, text: str, section: str, kind: str, doubt: str) -> None:  # type: ignore[no-untyped-def]
    found = [c for c in _read(nlp, text, section) if c.kind == kind]
    assert found and all(any(doubt in u for u in c.provenance.unresolved) for c in found), \
        [(c.kind, c.provenance.unresolved) for c in found]


@pytest.mark.parametrize(("text", "section", "kind"), [
    ("Hemoglobin ≥ 9 g/dL", "inclusion", "measurement"),
    ("Patient must have a hemoglobin >/= 9 gm/dl", "inclusion", "measurement"),  # NCT02530047
    ("AST, ALT ≥ 2.0×UNL", "exclusion", "measurement"),  # NCT04569409
    ("ALT > 2.5 x ULN", "exclusion", "measurement"),
    ("HIV infection", "exclusion", "condition"),
    # the "if" qualifies the exception, not the malignancy (NCT04410731)
    ("History of malignancy within 5 years, except basal cell carcinoma of the skin if fully excised", "exclusion", "condition"),
    # "excluded" is the criterion's effect, not a negation of the mention (NCT04615429 style)
    ("Pregnant or breastfeeding women are excluded", "exclusion", "condition"),
    ("Participation in another interventional study within 30 days", "exclusion", "trial_participation"),
    ("Previous above transmetatarsal amputation in study limb", "exclusion", "procedure"),  # NCT01484574
    ("Patients who refuse to participate", "exclusion", "consent"),  # LCT: a refusal is the consent requirement
    # the "if" after the criterion's own effect on the patients at large introduces what it asks
    ("the patient should be excluded if their blood glucose is < 3.0 or > 20.0mmol/L.", "exclusion", "measurement"),  # NCT01091701
    ("Participants will be excluded from the CISS2 trial if they have received any chemotherapy in the previous 12 months",
     "exclusion", "therapy"),  # NCT03369275
    # a stable dose the patient must be on is a requirement to take it (LCT NCT02192736)
    ("On a stable dose of inhaled corticosteroid for at least 4 weeks prior to study entry", "inclusion", "therapy"),
    # eligible for a treatment is no permission to take part; the sentence beside an allowance aside stays
    ("Patients with heart failure who are eligible for cardiac resynchronization", "exclusion", "condition"),
    ("Interstitial pulmonary disease (a patient with stable disease may participate)", "exclusion", "condition"),
    ("No fever > 38.5°C", "inclusion", "measurement"),  # denied where it stands: read as at most 38.5
    # a negation after the analyte, or no negation cue before it, leaves the threshold certain
    ("Body weight > 45 kg; subjects under 45 kg will be excluded", "inclusion", "weight"),
    # a run-on item after a negated clause (a separator missing) is no denied analyte
    ("Platelets ≥ 100 x 10^9/L in patients who did not receive a transfusion Serum albumin ≥ 3.0 g/dL", "inclusion", "measurement"),
    ("Age 18 to 65 years and BMI 18-30 kg/m2", "inclusion", "bmi"),  # two quantities: no contradiction
])
def test_reading_exact_phrasings_stay_certain(nlp, text: str, section: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    found = [c for c in _read(nlp, text, section) if c.kind == kind]
    assert found and all(c.provenance.certain for c in found), [(c.kind, c.provenance.unresolved) for c in found]


@pytest.mark.parametrize(("text", "present"), [
    ("Negative pregnancy test.", False),  # NCT03460223
    ("Women of childbearing potential must have a negative blood pregnancy test at screening", False),  # NCT03860155
    ("Persons of childbearing potential must be non-nursing", False),  # NCT04410731 ("non-" prefix)
    ("Pregnant at screening", True),
])
def test_reading_test_results_and_prefixes_set_polarity(nlp, text: str, present: bool) -> None:  # type: ignore[no-untyped-def]
    found = [c for c in _read(nlp, text) if c.kind == "condition" and c.concepts.concept.id in ("pregnancy", "lactation")]
    assert found and all(c.present is present for c in found), [(c.concepts.concept.id, c.present) for c in found]


def test_reading_a_window_away_from_the_diagnosis_is_not_its_duration(nlp) -> None:  # type: ignore[no-untyped-def]
    near = [c for c in _read(nlp, "Confirmed diagnosis of ischemic stroke within 3-12 months before enrollment")
            if c.kind == "measurement"]
    assert near and all(c.provenance.certain for c in near)
    far = [c for c in _read(nlp, "Severe COVID-19 infection with dyspnea, or pulmonary imaging progress > 50% within 24-48 hours")
           if c.kind == "measurement" and c.concepts.concept.id == "disease_duration"]
    assert all(not c.provenance.certain for c in far)


@pytest.mark.parametrize(("text", "section", "doubts"), [
    # a threshold inside "(if ...)" is that aside's condition; the one before it no longer stands alone
    ("ALT > 2.5 x ULN (> 5 x ULN if liver metastases)", "exclusion",
     ["an alternative threshold", "conditional aside"]),  # constructed
    # NCT01730547: each aside is the condition of the threshold before it (no constraint of its
    # own); "0.5 EDSS point" is the alternative size of the increase (test_reading_alternative_amount)
    ("an increase of ≥1 EDSS point (if at randomization EDSS ≤ 5.0) or 0.5 EDSS point (if at randomization EDSS ≥ 5.5)",
     "inclusion", [None, None]),
    ("ALT ≤ 2.5 x ULN (≤ 5 x ULN if liver metastases)", "inclusion", [None, "conditional aside"]),  # constructed
    # "for" / "in patients with" a condition after the aside's threshold opens it like "if" (the
    # Gilbert's patient at 2 x ULN was certainly turned away by the 1.5 x ULN before it)
    ("Total bilirubin ≤ 1.5 × ULN (≤ 3 × ULN for Gilbert's syndrome)", "inclusion", [None, "conditional aside"]),  # constructed
    ("AST ≤ 2.5 × ULN (≤ 5 × ULN in patients with liver metastases)", "inclusion", [None, "conditional aside"]),  # constructed
    ("Total bilirubin > 1.5 × ULN (> 3 × ULN for Gilbert's syndrome)", "exclusion",
     ["an alternative threshold", "conditional aside"]),  # constructed
    # an aside that names no condition after "for" stays a plain threshold
    ("Hemoglobin ≥ 9 g/dL (≥ 8 g/dL for at least 2 weeks)", "inclusion", [None, None]),  # constructed
])
def test_reading_conditional_aside(nlp, text: str, section: str, doubts: list[str | None]) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _read(nlp, text, section) if c.kind == "measurement"]
    assert [next((d for d in doubts if d and any(d in u for u in c.provenance.unresolved)), None) for c in cs] == doubts


@pytest.mark.parametrize(("text", "conditions"), [
    # a threshold after the "if" of an aside is the condition of the thresholds before it
    ("an increase of ≥1 EDSS point (if baseline EDSS<5.0)", ["if baseline EDSS<5.0"]),  # ctgov-msc
    ("an increase of ≥1 EDSS point (if at randomization EDSS ≤ 5.0) or 0.5 EDSS point (if at randomization EDSS ≥ 5.5)",
     ["if at randomization EDSS ≤ 5.0", "if at randomization EDSS ≥ 5.5"]),  # NCT01730547
    # one before the "if" is an alternative threshold, not a condition
    ("ALT ≤ 2.5 x ULN (≤ 5 x ULN if liver metastases)", [None, None]),  # constructed
])
def test_reading_conditional_aside_is_a_condition(nlp, text: str, conditions: list[str | None]) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _read(nlp, text) if c.kind == "measurement"]
    assert [c.applies_if.text if c.applies_if else None for c in cs] == conditions


@pytest.mark.parametrize(("text", "section", "kinds", "reason", "conditioned"), [
    # a number nothing reads before the aside ("0.5 in EDSS" is no amount of a scale's points): its
    # aside's "EDSS >= 5.5" is no requirement (constructed from NCT01730547)
    ("an increase of ≥1 EDSS point (if at randomization EDSS ≤ 5.0) or 0.5 in EDSS (if at randomization EDSS ≥ 5.5)",
     "inclusion", ["measurement"], "partly not recognised: what the condition 'if at randomization EDSS ≥ 5.5' governs", True),
    # NCT03197623: the albumin says when the calcium is corrected: a condition of how it is taken,
    # neither an exclusion of its own nor a condition of the calcium's
    ("Total calcium values outside the normal range (corrected if albumin < lower limit of normal (LLN))", "exclusion",
     ["measurement", "measurement"],
     "how a value is taken ('corrected if albumin < lower limit of normal (LLN)'): no condition of eligibility", False),
    ("Serum calcium > 11 mg/dL (corrected if albumin < 3.5 g/dL)", "exclusion", ["measurement"],
     "how a value is taken ('corrected if albumin < 3.5 g/dL'): no condition of eligibility", False),  # constructed
    # an aside's condition of a threshold read is its applies_if, with no constraint of its own (constructed)
    ("Serum calcium > 11 mg/dL (if albumin < 3.5 g/dL)", "exclusion", ["measurement"], None, True),
])
def test_reading_condition_of_what_is_not_read(nlp, text: str, section: str, kinds: list[str], reason: str | None,  # type: ignore[no-untyped-def]
                                               conditioned: bool) -> None:
    from nlp.analyze import parse_record

    header = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    rec = TrialRecord(source="t", format="text", eligibility_text=f"{header}\n\n* {text}\n")
    [crit] = parse_record(rec, nlp).criteria
    assert [c.kind for c in crit.constraints] == kinds and crit.reason == reason
    assert all((c.applies_if is not None) == conditioned for c in crit.constraints)


@pytest.mark.parametrize(("text", "ranges"), [
    # an amount of a scale's points after "or" is the alternative size of the comparison before it:
    # its comparator, its change (ctgov-msc NCT01730547, NCT01228266, NCT02249676)
    ("an increase of ≥1 EDSS point (if at randomization EDSS ≤ 5.0) or 0.5 EDSS point (if at randomization EDSS ≥ 5.5)",
     [(1.0, None, True), (0.5, None, True)]),
    ("Increase of >= 1 EDSS point (if baseline EDSS <= 5.0) or 0.5 EDSS points (if baseline EDSS >= 5.5)",
     [(1.0, None, True), (0.5, None, True)]),
    # not after another analyte's, nor after an amount with no comparator; alone, never a certain level
    # (constructed; ctgov-msc NCT02403947 "an increase ofmore or egal 1 EDSS point ... or 0.5 EDSS point")
    ("ALT > 3 x ULN or 2 EDSS points", [(3.0, None, False), (2.0, 2.0, False)]),
    ("an increase ofmore or egal 1 EDSS point (if at inclusion EDSS inferior or egal 5.0) or 0.5 EDSS point",
     [(1.0, 1.0, False), (0.5, 0.5, False)]),
])
def test_reading_alternative_amount(nlp, text: str, ranges: list[tuple[float, float | None, bool]]) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _read(nlp, text) if c.kind == "measurement"]
    assert [(c.range.low, c.range.high, c.change) for c in cs] == ranges
    assert all(c.provenance.certain is False for c in cs if c.range.low == c.range.high)


def test_reading_conditional_alternative_is_an_or_group_in_an_inclusion(nlp) -> None:  # type: ignore[no-untyped-def]
    """An inclusion patient qualifying only through the conditional threshold is never turned away."""
    from nlp.analyze import parse_record

    rec = TrialRecord(source="t", format="text", eligibility_text="Inclusion Criteria:\n\n* ALT ≤ 2.5 x ULN (≤ 5 x ULN if liver metastases)\n")
    [crit] = parse_record(rec, nlp).criteria
    assert crit.logic is not None and [g.op.value for g in crit.logic.items if not isinstance(g, str)] == ["ANY"]
    # the metastases say when the alternative applies: no requirement of their own, and "ULN (... ULN
    # if liver metastases)" defines no abbreviation (its "long form" holds the short form itself)
    assert [c.kind for c in crit.constraints] == ["measurement", "measurement"]


@pytest.mark.parametrize(("sex", "creatinine", "overall"), [
    ("male", 1.45, "eligible"),  # under the men's limit: the women's limit does not apply to him
    ("female", 1.45, "ineligible"),  # over the women's limit
    ("male", 1.6, "ineligible"),
])
def test_policy_sex_specific_thresholds_apply_to_their_sex(nlp, sex: str, creatinine: float, overall: str) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    rec = TrialRecord(source="t", format="text", nct_id="NCT00000000",
                      eligibility_text="Inclusion Criteria:\n\n* Serum creatinine < 1.5 mg/dL for men and < 1.4 mg/dL for women\n")
    p = _patient(sex=sex, observations=[{"name": "creatinine", "value": creatinine, "unit": "mg/dL", "date": "2026-10-01"}])
    assert Matcher().match(parse_record(rec, nlp), p).overall == overall


@pytest.mark.parametrize(("birth", "karnofsky", "lansky", "overall"), [
    # NCT01460901: each scale applies to its own ages; a child is not turned away on the adults' scale
    ("2020-01-01", None, 70, "eligible"),  # 6 years old: Lansky only
    ("2020-01-01", 40, 70, "eligible"),  # a Karnofsky score does not apply to a 6-year-old
    ("2020-01-01", None, 40, "ineligible"),
    ("2000-01-01", 70, None, "eligible"),  # 26 years old: Karnofsky only
    ("2000-01-01", 40, None, "ineligible"),
    (None, 70, None, "needs_review"),  # age unknown: which scale applies cannot be told
])
def test_policy_age_conditions_apply_to_their_ages(nlp, birth: str | None, karnofsky: float | None,  # type: ignore[no-untyped-def]
                                                   lansky: float | None, overall: str) -> None:
    from nlp.analyze import parse_record

    rec = TrialRecord(source="t", format="text", nct_id="NCT00000000", eligibility_text=(
        "Inclusion Criteria:\n\n* Karnofsky score 60% or greater if 10 yrs old or older. "
        "Lansky score 60% or greater if under 10 yrs old\n"))
    obs = [{"name": n, "value": v, "unit": "%", "date": "2026-10-01"} for n, v in (("Karnofsky", karnofsky), ("Lansky", lansky)) if v is not None]
    p = _patient(birth_date=birth, observations=obs)
    assert Matcher().match(parse_record(rec, nlp), p).overall == overall


@pytest.mark.parametrize(("text", "effect", "doubt"), [
    # a threshold worded as a requirement inside an exclusion is what the patient must satisfy
    ("The score on the Mini-Mental State Examination must be >24", "include", True),  # NCT02315027
    # "should be excluded if" states the exclusion itself: no requirement (NCT01091701)
    ("the patient should be excluded if their blood glucose is < 3.0 or > 20.0mmol/L", "exclude", False),
])
def test_reading_requirement_inside_an_exclusion(nlp, text: str, effect: str, doubt: bool) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _read(nlp, text, "exclusion") if c.kind == "measurement"]
    assert cs and all(c.effect == effect for c in cs)
    assert all(any("requirement" in u for u in c.provenance.unresolved) is doubt for c in cs)


def test_reading_a_condition_named_as_an_allergen_is_no_constraint(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT02589119 "Previous allergic reaction to a perianal fistula plug": the plug is what the
    # patient reacts to; a perianal fistula (the trial's own diagnosis) is not excluded. A condition
    # after "or" is still a condition of its own ("allergy to penicillin or asthma", constructed)
    assert [c.concepts.concept.id for c in _read(nlp, "Previous allergic reaction to a perianal fistula plug.", "exclusion")] == ["allergy"]
    assert [c.concepts.concept.id for c in _read(nlp, "Allergy to penicillin or asthma", "exclusion")] == ["allergy", "asthma"]


@pytest.mark.parametrize(("text", "concept", "certain"), [
    # a severity or control the record cannot show: a patient with the plain diagnosis is reviewed
    ("Uncontrolled hypertension", "hypertension", False),  # constructed (the dev keys expect review for these)
    ("Clinically significant, uncontrolled, or active cardiovascular disease", "cardiac_dysfunction", False),  # NCT01874665
    ("History of severe chronic liver disease (Child class C)", "hepatic_dysfunction", False),  # NCT03369275
    ("hypertension not controlled by drugs", "hypertension", False),  # NCT05011474
    # the plain diagnosis, a diagnosis named by its severity, and another item's word stay certain
    ("Hypertension", "hypertension", True),
    ("Severe aplastic anemia", "severe_aplastic_anemia", True),
    ("Severe infection and cardiovascular disease", "cardiac_dysfunction", True),  # NCT03460223: "severe" is the infection's
    ("hypertension not controlled by drugs, cirrhosis", "liver_cirrhosis", True),  # NCT05011474
])
def test_reading_severity_the_record_cannot_show(nlp, text: str, concept: str, certain: bool) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _read(nlp, text, "exclusion") if c.kind == "condition" and c.concepts.concept.id == concept]
    assert cs and all(c.provenance.certain is certain for c in cs)
    # an inclusion asking for it is read as before (a patient without the diagnosis fails it)
    assert all(c.provenance.certain for c in _read(nlp, "Uncontrolled hypertension", "inclusion") if c.kind == "condition")


@pytest.mark.parametrize(("text", "section", "calcium", "overall"), [
    # ctgov-msc NCT03197623: an exclusion of calcium outside the normal range turns away only a
    # patient outside it, on either side; the albumin in "(corrected if ...)" conditions nothing
    ("Total calcium values outside the normal range (corrected if albumin < lower limit of normal (LLN))",
     "exclusion", 9.5, "eligible"),
    ("Total calcium values outside the normal range (corrected if albumin < lower limit of normal (LLN))",
     "exclusion", 8.0, "ineligible"),
    ("Total calcium values outside the normal range", "exclusion", 11.0, "ineligible"),
    # an inclusion within it admits only values within it (constructed)
    ("Serum calcium within the normal range", "inclusion", 9.5, "eligible"),
    ("Serum calcium within the normal range", "inclusion", 11.0, "ineligible"),
    # an inclusion outside it admits either side, an exclusion within it needs both ends (constructed)
    ("Serum calcium outside the normal range", "inclusion", 8.0, "eligible"),
    ("Serum calcium outside the normal range", "inclusion", 11.0, "eligible"),
    ("Serum calcium outside the normal range", "inclusion", 9.5, "ineligible"),
    ("Serum calcium within the normal range", "exclusion", 8.0, "eligible"),
    # ... which excludes every normal value: a requirement worded in an exclusion, never certain
    ("Serum calcium within the normal range", "exclusion", 9.5, "needs_review"),
])
def test_policy_normal_range_as_a_whole(nlp, text: str, section: str, calcium: float, overall: str) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    head = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    rec = TrialRecord(source="t", format="text", nct_id="NCT00000000", eligibility_text=f"{head}\n\n* {text}\n")
    p = _patient(observations=[{"name": "serum calcium", "value": calcium, "unit": "mg/dL", "date": "2026-10-01",
                                "reference_range": {"low": 8.5, "high": 10.5}}])
    assert Matcher().match(parse_record(rec, nlp), p).overall == overall


@pytest.mark.parametrize(("start", "end", "overall"), [
    # "Prednisone ... for at least 28 days" (ctgov-msc NCT03562065): the course's dates tell how
    # long it lasted; a day either way changes nothing, or the answer waits for a review
    ("2026-01-01", None, "eligible"),  # ongoing for ten months
    ("2026-01-01", "2026-03-01", "eligible"),  # two months, finished
    ("2026-10-20", "2026-10-25", "ineligible"),  # five days
    ("2026-10-04", None, "needs_review"),  # 28 days to the record's date: a day either way decides
    (None, None, "needs_review"),  # no start date
])
def test_policy_course_length_from_the_dates(nlp, start: str | None, end: str | None, overall: str) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    rec = TrialRecord(source="t", format="text", nct_id="NCT00000000",
                      eligibility_text="Inclusion Criteria:\n\n* Treated with prednisone for at least 28 days\n")
    p = _patient(therapies=[{"name": "prednisone", "start": start, "end": end}])
    assert Matcher().match(parse_record(rec, nlp), p).overall == overall


def test_policy_course_length_of_a_procedure_is_not_in_the_record(nlp) -> None:  # type: ignore[no-untyped-def]
    """A procedure's record holds its day: how long a ventilation lasted is left to a review, and
    a patient never ventilated is not turned away (ctgov-msc NCT04625738)."""
    from nlp.analyze import parse_record

    rec = TrialRecord(source="t", format="text", nct_id="NCT00000000",
                      eligibility_text="Exclusion Criteria:\n\n* Patient under invasive mechanical ventilation for more than 48 hours\n")
    trial = parse_record(rec, nlp)
    ventilated = _patient(procedures=[{"name": "mechanical ventilation", "date": "2026-10-30"}])
    assert Matcher().match(trial, ventilated).overall == "needs_review"
    assert Matcher().match(trial, _patient()).overall == "eligible"


def _parsed(nlp, text: str) -> ParsedTrial:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    return parse_record(TrialRecord(source="t", format="text", eligibility_text=text, nct_id="NCT00000000"), nlp)


@pytest.mark.parametrize(("birth", "overall"), [
    ("1980-01-01", "needs_review"),  # fails the children's range, meets the adults'
    ("2024-01-01", "needs_review"),  # meets the children's range
    ("2016-01-01", "ineligible"),  # 10 years old: fails every alternative
])
def test_policy_inclusions_no_value_meets_together_are_alternatives(nlp, birth: str, overall: str) -> None:  # type: ignore[no-untyped-def]
    # two cohorts the text does not mark as such (after LCT NCT04623606: "1 to 4 years" and "over
    # 18 years" as inclusion items): failing one is no certain ineligibility while the other holds
    trial = _parsed(nlp, "Inclusion Criteria:\n\n* Children aged 1 to 4 years\n* Adults over 18 years of age\n")
    report = Matcher().match(trial, _patient(birth_date=birth))
    assert report.overall == overall
    if overall == "needs_review":
        assert any("alternatives its text does not mark" in k.reason for c in report.criteria for k in c.constraints)


def test_policy_inclusions_that_overlap_still_fail(nlp) -> None:  # type: ignore[no-untyped-def]
    # two ranges a value can meet together are both required: failing one is a certain fail
    trial = _parsed(nlp, "Inclusion Criteria:\n\n* Aged 18 to 65 years\n* Age over 50 years\n")
    assert Matcher().match(trial, _patient(birth_date="1990-01-01")).overall == "ineligible"


def test_policy_a_criterion_read_as_requiring_two_values_no_one_has_turns_no_one_away(nlp) -> None:  # type: ignore[no-untyped-def]
    # two definitions run together on one line (set2 NCT01305694, aplastic anaemia: "neutrophil
    # count < 0.5 x 109/L platelets < 20 x 109/L ... nSAA as defined by ... neutrophil count > 0.5
    # x 109/L"): no value meets both neutrophil thresholds, so the line's items are alternatives
    # its reading does not mark and none of its fails is certain, the platelets' neither
    trial = _parsed(nlp, "Inclusion Criteria:\n\n* neutrophil count < 0.5 x 109/L platelets < 20 x 109/L nSAA as defined "
                         "by cytopenia and neutrophil count > 0.5 x 109/L\n")
    p = _patient(observations=[{"name": "ANC", "value": 0.9, "unit": "10*9/L", "date": "2026-10-20"},
                               {"name": "platelets", "value": 40, "unit": "10*9/L", "date": "2026-10-20"}])
    report = Matcher().match(trial, p)
    assert report.overall == "needs_review"
    assert any("read as both required, which no value meets" in k.reason for c in report.criteria for k in c.constraints)
    # two thresholds a value meets together are both required: a fail stays certain
    both = _parsed(nlp, "Inclusion Criteria:\n\n* neutrophil count > 0.5 x 109/L and platelets < 20 x 109/L\n")
    assert Matcher().match(both, p).overall == "ineligible"


def test_policy_at_least_n_of_fewer_than_n_items_is_no_verdict() -> None:
    # "There must be at least two of the following:" over one line the split kept whole (set2
    # NCT01305694): a group no patient can meet is a misread, never a fail
    from nlp.matching.evaluate import at_least3

    assert at_least3(["fail"], 2) == "unknown"
    assert at_least3(["pass"], 2) == "unknown"
    assert at_least3(["pass", "fail", "fail"], 2) == "fail"
    assert at_least3(["pass", "pass", "fail"], 2) == "pass"


def test_policy_an_exclusion_met_only_by_what_an_inclusion_requires_is_reviewed(nlp) -> None:  # type: ignore[no-untyped-def]
    # set2 NCT04366323 (COVID-19 pneumonia): "Coinfection with other viruses or bacteria (HIV,
    # tuberculosis, ... active infection by HBV or C)" read as an active infection, which the
    # pneumonia the inclusion requires is: the exclusion means another one
    text = ("Inclusion Criteria:\n\n* Clinical diagnosis of Pneumonia, severe or critical, caused by COVID-19 infection\n\n"
            "Exclusion Criteria:\n\n* Coinfection with other viruses or bacteria (HIV, tuberculosis, active infection by HBV or C)\n")
    from nlp.analyze import parse_record

    trial = parse_record(TrialRecord(source="t", format="text", eligibility_text=text, nct_id="NCT00000000",
                                     brief_title="Stem Cells in Patients With Severe Pneumonia Due to COVID-19"), nlp)
    only = _patient(conditions=[{"name": "COVID-19 pneumonia", "status": "active"}])
    report = Matcher().match(trial, only)
    assert report.overall != "ineligible"
    assert any("only as what the trial requires" in k.reason for c in report.criteria for k in c.constraints)
    # another infection beside it excludes as written
    more = _patient(conditions=[{"name": "COVID-19 pneumonia", "status": "active"}, {"name": "tuberculosis", "status": "active"}])
    assert Matcher().match(trial, more).overall == "ineligible"


def test_policy_an_exclusion_together_with_what_is_not_read_is_no_certain_exclusion(nlp) -> None:  # type: ignore[no-untyped-def]
    # set1 NCT00721045 (and NCT00555828): "Serum glucose level 300 to 400 mg/dl and presence of
    # urine ketones": the glucose excludes only with the ketones, which are not read
    trial = _parsed(nlp, "Exclusion Criteria:\n\n* Serum glucose level 300 to 400 mg/dl and presence of urine ketones\n")
    p = _patient(observations=[{"name": "glucose", "value": 360, "unit": "mg/dL", "date": "2026-10-20"}])
    report = Matcher().match(trial, p)
    assert report.overall == "needs_review"
    assert any("excluded only together with what follows" in k.reason for c in report.criteria for k in c.constraints)
    # LCT NCT03925454: "Acute systemic infection, accompanied by fever": both read, one ALL group
    both = _parsed(nlp, "Exclusion Criteria:\n\n* Acute systemic infection, accompanied by fever\n")
    infected = _patient(conditions=[{"name": "sepsis", "status": "active"}])
    assert Matcher().match(both, infected).overall == "eligible"
    feverish = _patient(conditions=[{"name": "sepsis", "status": "active"}, {"name": "fever", "status": "active"}])
    assert Matcher().match(both, feverish).overall == "ineligible"
    # a list is no such pair: each item excludes alone
    listed = _parsed(nlp, "Exclusion Criteria:\n\n* Acute systemic infection, fever\n")
    assert Matcher().match(listed, infected).overall == "ineligible"


def test_policy_viral_hepatitis_holds_hepatitis_b_and_c(nlp) -> None:  # type: ignore[no-untyped-def]
    # set1 NCT03357770 "HIV, hepatitis virus or syphilis virus infection": a patient's hepatitis B
    # is a viral hepatitis (the curated concept over hepatitis B and C and ICD-10-CM B15-B19)
    trial = _parsed(nlp, "Exclusion Criteria:\n\n* HIV, hepatitis virus or syphilis virus infection\n")
    hbv = _patient(conditions=[{"name": "Viral hepatitis type B", "status": "active",
                                "code": {"system": "http://snomed.info/sct", "code": "66071002"}}])
    assert Matcher().match(trial, hbv).overall == "ineligible"
    assert Matcher().match(trial, _patient(conditions=[{"name": "asthma", "status": "active"}])).overall == "eligible"
    # a hepatitis named after it in addition is kept, not read as its example (NCT04749667)
    listed = _parsed(nlp, "Exclusion Criteria:\n\n* hepatitis virus, toxoplasmosis, HIV or syphilis infections, as well as "
                          "hepatitis C PCR positivity\n")
    assert {k.concepts.concept.id for c in listed.criteria for k in c.constraints if hasattr(k, "concepts")} >= {"viral_hepatitis", "hepatitis_c"}


def test_policy_an_operation_a_treatment_was_for_is_no_procedure_asked_about(nlp) -> None:  # type: ignore[no-untyped-def]
    # set1 NCT00810212 "a recipient of prior stem cell/progenitor cell therapy for spinal fusion
    # surgery": the stem cells are excluded; a spinal fusion alone is for a reviewer
    trial = _parsed(nlp, "Exclusion Criteria:\n\n* Have been a recipient of prior stem cell/progenitor cell therapy for spinal fusion surgery.\n")
    fused = _patient(procedures=[{"name": "spinal fusion", "date": "2024-05-01"}])
    assert Matcher().match(trial, fused).overall != "ineligible"
    # an operation asked about is read as one (LCT NCT03867877)
    asked = _parsed(nlp, "Exclusion Criteria:\n\n* spinal fusion or other orthopedic surgery in the past six months\n")
    assert Matcher().match(asked, _patient(procedures=[{"name": "spinal fusion", "date": "2026-09-01"}])).overall == "ineligible"


def test_policy_two_thresholds_of_one_analyte_joined_by_or_are_alternatives(nlp) -> None:  # type: ignore[no-untyped-def]
    # set6 NCT03912480: "type 2 diabetes ... whose disease duration is more than 5 years, or whose
    # disease duration of type 1 diabetes is more than 1 year": a type 1 patient of 2 years is not
    # turned away by the type 2 threshold
    trial = _parsed(nlp, "Inclusion Criteria:\n\n* Patients with type 2 diabetes whose disease duration is more than 5 years, "
                         "or whose disease duration of type 1 diabetes is more than 1 year\n")
    t1 = _patient(conditions=[{"name": "type 1 diabetes mellitus", "status": "active", "onset": "2024-09-01"}])
    report = Matcher().match(trial, t1)
    assert report.overall == "needs_review"
    assert any("joined by 'or' as alternatives" in k.reason for c in report.criteria for k in c.constraints)
    # one threshold and no "or": a certain fail
    one = _parsed(nlp, "Inclusion Criteria:\n\n* Patients with type 1 diabetes whose disease duration is more than 5 years\n")
    assert Matcher().match(one, t1).overall == "ineligible"
