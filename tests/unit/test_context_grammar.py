"""Context read as a coordinator reads it: prior-treatment wording and washouts, both directions."""

from __future__ import annotations

from typing import Any

import pytest

from nlp.core.record import TrialRecord


def _read(nlp, text: str, section: str = "inclusion") -> list[Any]:  # type: ignore[no-untyped-def]
    """Every constraint read from ``text`` as the one criterion of a section."""
    from nlp.analyze import parse_record

    head = "Inclusion Criteria" if section == "inclusion" else "Exclusion Criteria"
    doc = parse_record(TrialRecord(source="t", format="text", eligibility_text=f"{head}:\n\n* {text}\n"), nlp)
    return [c for crit in doc.criteria for c in crit.constraints]


def _therapies(nlp, text: str, section: str = "inclusion") -> list[Any]:  # type: ignore[no-untyped-def]
    return [c for c in _read(nlp, text, section) if c.kind == "therapy"]


@pytest.mark.parametrize(("text", "present"), [
    ("Patients naïve to TNF inhibitors", False),  # constructed: no prior exposure
    ("Treatment-naive to biologic therapy", False),
    ("Refractory to corticosteroids", True),  # prior exposure that failed
    ("Failure of at least one immunosuppressant", True),
    # a treatment said not effective is a failed prior one, no negation (dev NCT02745808, ctgov-msc
    # NCT02579148: "no effective with oral PDE-5i")
    ("Type 1 or 2 diabetes, blood glucose controlled well, no effective with oral PDE-5i", True),
    ("Erectile dysfunction not effective with oral sildenafil", True),
    ("no sildenafil within 2 weeks", False),
])
def test_context_prior_treatment_wording(nlp, text: str, present: bool) -> None:  # type: ignore[no-untyped-def]
    found = _therapies(nlp, text)
    assert found and all(c.present is present for c in found), [(c.concepts.concept.id, c.present) for c in found]


def test_context_washout_is_absence_in_the_window(nlp) -> None:  # type: ignore[no-untyped-def]
    [c] = _therapies(nlp, "Corticosteroids must have been discontinued at least 4 weeks before the first dose")
    assert c.exposure == "washout" and c.window.high_days == 28 and c.provenance.certain
    [x] = _therapies(nlp, "Corticosteroids must have been discontinued at least 4 weeks before the first dose", "exclusion")
    assert x.exposure == "washout" and not x.provenance.certain  # a requirement worded inside an exclusion
    [w] = _therapies(nlp, "Use of anticoagulants within 14 days prior to enrollment", "exclusion")
    assert w.exposure == "in_window"  # recent use, not a washout


@pytest.mark.parametrize(("text", "exposure", "low", "high"), [
    # a treatment at least an amount before the trial's event lies further back than it (ctgov-msc
    # NCT02277145, NCT01061099; constructed with rituximab)
    ("Subjects with a clear history of chest radiation therapy at least 3 months earlier.", "in_window", 91, None),
    ("BMT greater than 5 years ago", "in_window", 1826, None),
    ("treated with rituximab at least 6 months ago", "in_window", 183, None),
    # its end named: none within the amount, a washout (ctgov-msc NCT03109301; constructed)
    ("Cytotoxic chemotherapy last dose must have been received at least 28 days prior to enrollment", "washout", None, 28),
    ("must have completed chemotherapy at least 4 weeks before enrollment", "washout", None, 28),
    # on it for the amount: a course or a stable regimen, within it (ctgov-msc NCT03868358)
    ("psychotropic medication at steady dosages for at least 4 weeks prior to study entry", "in_window", None, 28),
    # no comparator: within the amount
    ("received rituximab in the 6 months before enrollment", "in_window", None, 183),
])
def test_context_treatment_at_least_an_amount_before(nlp, text: str, exposure: str, low, high) -> None:  # type: ignore[no-untyped-def]
    [c] = _therapies(nlp, text)
    assert (c.exposure, c.window.low_days, c.window.high_days, c.present) == (exposure, low, high, True)


def test_context_treatment_at_least_an_amount_before_in_an_exclusion_is_recent_use(nlp) -> None:  # type: ignore[no-untyped-def]
    """Inside an exclusion, "received chemotherapy at least 4 weeks prior" is read as the exclusion
    means it, recent use (the words alone would exclude every older course)."""
    [c] = _therapies(nlp, "received chemotherapy at least 4 weeks prior to enrollment", "exclusion")
    assert (c.exposure, c.window.low_days, c.window.high_days) == ("in_window", None, 28)


@pytest.mark.parametrize(("text", "section", "kind", "concept", "duration", "window"), [
    # a time "for" a comparison right after a treatment is how long its course lasted, no window
    ("Prednisone orally ≥ 6 mg / day (or equivalent) for at least 28 days.", "inclusion", "therapy", "prednisone",
     (28.0, True, None, "d"), None),  # ctgov-msc NCT03562065
    ("Parenteral corticosteroids for at least 2 weeks.", "inclusion", "therapy", "corticosteroid",
     (2.0, True, None, "wk"), None),  # ctgov-msc NCT04543994
    # a treatment word between the drug and the time, an aside of examples closed before it
    ("corticosteroid therapy for at least 4 weeks", "inclusion", "therapy", "corticosteroid", (4.0, True, None, "wk"), None),
    (("Receiving 5 - 40 mg/day prednisone, or equivalent of another GC (methylprednisolone 4 mg/day, or prednisone 10 mg "
      "every other day) for a minimum of 4 consecutive weeks prior to enrollment"), "inclusion", "therapy", "methylprednisolone",
     (4.0, True, None, "wk"), None),  # ctgov-msc NCT03197623
    ("Patient under invasive mechanical ventilation for more than 48 hours", "exclusion", "procedure", "mechanical_ventilation",
     (48.0, False, None, "h"), None),  # ctgov-msc NCT04625738
    ("under conventional therapy for at least 6 months but less than 24 months", "inclusion", "therapy", "standard_therapy",
     (6.0, True, 24.0, "mo"), None),  # ctgov-msc NCT03929120: both ends
    ("pain in spite of at least 6 months of conservative treatment", "inclusion", "therapy", "conservative_treatment",
     (6.0, True, None, "mo"), None),  # held-out set 2 NCT04136743: the length before the course
    # a window after the course still times it
    ("Therapeutic anticoagulation for more than 48 hours in the two days prior to consent", "exclusion", "therapy", "anticoagulant",
     (48.0, False, None, "h"), 2),  # ctgov-msc NCT03868956
    # not a course: a time after an event, a washout, a window
    (("Male subjects must use barrier contraception while on study medication and for at least 28 days after taking the last "
      "dose of study medication"), "inclusion", "therapy", "investigational_drug", None, 28),  # ctgov-msc NCT02328612
    ("Corticosteroids must have been discontinued for at least 4 weeks", "inclusion", "therapy", "corticosteroid", None, 28),
    ("Use of anticoagulants within 14 days prior to enrollment", "exclusion", "therapy", "anticoagulant", None, 14),
])
def test_context_course_length(nlp, text: str, section: str, kind: str, concept: str,  # type: ignore[no-untyped-def]
                               duration: tuple[float, bool, float | None, str] | None, window: int | None) -> None:
    [c] = [c for c in _read(nlp, text, section) if c.kind == kind and c.concepts.concept.id == concept]
    d = c.duration
    assert (None if d is None else (d.low, d.low_inclusive, d.high, d.unit)) == duration
    assert (c.window.high_days if c.window else None) == window


def test_context_other_malignancy_carves_out_the_trials_own_diagnosis(nlp) -> None:  # type: ignore[no-untyped-def]
    """"another malignancy" in a lung-cancer trial: lung cancer is carved out, so a patient with
    the trial's own cancer is not excluded by it, and one with a second cancer is."""
    from nlp.analyze import parse_record
    from nlp.matching import Matcher, Patient

    rec = TrialRecord(source="t", format="text", brief_title="Stem cells for patients with lung cancer",
                      eligibility_text="Exclusion Criteria:\n\n* History of another malignancy\n* Malignancy within 5 years\n")
    doc = parse_record(rec, nlp)
    first, second = ([c for c in crit.constraints if c.kind == "condition"] for crit in doc.criteria)
    assert [x.id for x in first[0].concepts.excluded] == ["lung_cancer"]
    assert not second[0].concepts.excluded  # no "other": the plain exclusion, which overlaps the target

    def verdict(*names: str) -> str:
        p = Patient.model_validate({"id": "p", "as_of": "2026-11-01", "age": 60,
                                    "conditions": [{"name": n, "status": "active"} for n in names]})
        return next(c.verdict for c in Matcher().match(doc, p).criteria if c.criterion == doc.criteria[0].id)

    assert verdict("lung cancer") == "pass" and verdict("lung cancer", "breast cancer") == "fail"


def _conditions(nlp, text: str, section: str) -> list[Any]:  # type: ignore[no-untyped-def]
    return [c for c in _read(nlp, text, section) if c.kind == "condition"]


@pytest.mark.parametrize(("text", "present"), [
    ("Unwilling to agree to use acceptable contraception methods during the study", False),  # constructed
    ("Women of childbearing potential who do not practice an acceptable method of birth control", False),
    ("Male patients who are not willing to use an effective method of contraception", False),
    ("Refuses birth control methods", False),
    ("Use of hormonal contraceptives", True),  # current users excluded: no refusal
    # an inability to use it (ctgov-msc NCT05016011, NCT03589287)
    ("Female patient is pregnant, or not able to use contraceptives", False),  # constructed after NCT05016011
    ("women who are not able to use appropriate contraception methods during the trial", False),  # NCT03589287
])
def test_context_refusal_is_read_literally_in_an_exclusion(nlp, text: str, present: bool) -> None:  # type: ignore[no-untyped-def]
    """GOLD_GUIDELINE: an exclusion of refusing contraception means the patient must use it; an
    attributive "acceptable method" is not permissive wording, so the reading stays certain."""
    [c] = [c for c in _conditions(nlp, text, "exclusion") if c.concepts.concept.id == "contraception"]
    assert c.present is present and c.provenance.certain, (c.present, c.provenance.unresolved)


def test_context_inability_to_use_a_drug_is_no_non_use(nlp) -> None:  # type: ignore[no-untyped-def]
    # a drug one cannot use is a contraindication (LCT NCT03920891 "not able to use an antiarrhythmic drug"):
    # not read as the patient's not taking it
    assert all(c.present for c in _therapies(nlp, "not able to use an antiarrhythmic drug.", "exclusion"))


def test_context_unwilling_to_stop_is_not_a_refusal_of_the_drug(nlp) -> None:  # type: ignore[no-untyped-def]
    [c] = _therapies(nlp, "Unwilling to stop anticoagulants before surgery", "exclusion")
    assert c.present is True
    # "forgo" is stopping too (ctgov-msc NCT05288725 excluded every patient not taking pain medication)
    [c] = _therapies(nlp, "Subjects who are unwilling to forgo pain medication during the study", "exclusion")
    assert c.present is True


def test_context_a_decline_is_no_refusal(nlp) -> None:  # type: ignore[no-untyped-def]
    """"cognitive decline" is no refusal of what follows (LCT NCT03928613 excluded every patient
    without Parkinson's disease); a patient who declines a treatment refuses it."""
    found = {c.concepts.concept.id: c.present for c in _conditions(
        nlp, "Any neurological conditions causing cognitive decline such as Parkinson's disease", "exclusion")}
    assert found.get("parkinsons_disease") is True
    assert [c.present for c in _read(nlp, "Patients who decline blood transfusions", "exclusion") if c.kind == "procedure"] == [False]


def test_context_refusal_governs_only_the_first_concept_after_it(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {c.concepts.concept.id: c.present for c in _conditions(
        nlp, "Women who are not willing to use effective contraception to prevent pregnancy", "exclusion")}
    assert found == {"contraception": False, "pregnancy": True}


@pytest.mark.parametrize("text", [
    "Unable to tolerate leg ulcer compression bandage",  # constructed after a dev-set criterion
    "Current heart failure medication changed in the last month",
])
def test_context_a_condition_naming_a_treatments_purpose_is_not_certain(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    found = _conditions(nlp, text, "exclusion")
    assert found and all(not c.provenance.certain for c in found), [(c.concepts.concept.id, c.provenance.unresolved) for c in found]


def test_context_a_plain_condition_stays_certain(nlp) -> None:  # type: ignore[no-untyped-def]
    [c] = _conditions(nlp, "History of heart failure", "exclusion")
    assert c.provenance.certain


def _kinds(nlp, text: str, section: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.kind for c in _read(nlp, text, section)]


@pytest.mark.parametrize(("text", "section", "kind"), [
    # agent x opinion verb, mined from ../shared/data (source trial in the comment)
    ("Any other co-morbidity which the physician deems as a contraindication", "exclusion", "judgement"),  # NCT01456819
    ("in the opinion of their oncologist, may benefit from further conventional therapy", "exclusion", "judgement"),  # NCT01460901
    ("any disease or condition which the investigator fell would interfere with trial", "exclusion", "judgement"),  # NCT02477540
    ("Treating physicians' impression is that the participant is moribund", "exclusion", "judgement"),  # NCT03369275
    ("Pathologies that in medical judgment constitute a contraindication", "exclusion", "judgement"),  # NCT04611256
    ("Eligible for ICU admission, according to the clinical team", "inclusion", "judgement"),  # NCT04615429
    ("The investigator determines that there may be increased risk of the subject", "exclusion", "judgement"),  # NCT04293692
    ("Researchers believe that patients should not participate in the test of any other condition.", "exclusion", "judgement"),  # NCT04014166
    # an illness named only by its weight or company (cue unspecified_illness): the investigator judges it
    ("Severe comorbidities", "exclusion", "judgement"),  # NCT01394432
    ("Concomitant systemic disease", "exclusion", "judgement"),  # NCT00816803
    ("No concomitant systemic disease", "inclusion", "judgement"),  # NCT00816803
    ("Any other serious medical illness that might preclude safe participation in the study.", "exclusion", "judgement"),  # NCT01446614
    ("Other severe systemic or organic disease", "exclusion", "judgement"),  # NCT01610440
    ("Life expectancy < 6 months due to concomitant illnesses", "exclusion", "judgement"),  # NCT02418325
    ("Severe or uncontrolled concomitant disease (i.e., poorly controlled chronic kidney or liver failure)", "exclusion", "judgement"),  # NCT04011059
    # ability or willingness to comply, decisional capability
    ("Unwillingness or inability to follow study protocol", "exclusion", "consent"),  # NCT02012153
    ("Patients who cannot adapt to the protocol and follow-up observation", "exclusion", "consent"),  # NCT02477540
    ("able to attend all appointments", "inclusion", "consent"),  # NCT03197623
    ("Any patient lacking decisional capability", "exclusion", "consent"),  # NCT04650568
    ("Patient is likely to be unavailable for follow-up", "exclusion", "consent"),  # NCT01091701
    ("Capable of understanding the purpose and risk of the study", "inclusion", "consent"),  # NCT02012153
    ("Ability and willingness to regular visit to hospital and follow up", "inclusion", "consent"),  # NCT02352077
    ("Willing to limit alcohol intake", "inclusion", "consent"),  # NCT02745808: a study restriction
    ("Participate in the clinical study voluntarily, observe the study procedure", "inclusion", "consent"),  # NCT05319106
    # participation in another study, worded as no lexicon phrase
    ("Participation in any study of experimental drug or device within 3 months", "exclusion", "trial_participation"),  # NCT04590118
    ("enrolled in clinical trials in the prior 3 months", "exclusion", "trial_participation"),  # NCT04040348
])
def test_context_cue_grammars_read_judgement_consent_participation(nlp, text: str, section: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    assert kind in _kinds(nlp, text, section)


@pytest.mark.parametrize(("text", "section", "kind"), [
    ("Women who agree to use contraception", "inclusion", "consent"),  # a contraception duty, not consent
    ("Unable to walk 25 feet", "exclusion", "consent"),  # a function, not compliance
    ("Diagnosis according to the ADA criteria", "inclusion", "judgement"),  # a criteria set, not a person's opinion
    # a named illness, a scale, a list's lead-in or the trial's own disease is no unspecified illness
    ("Serious heart disease", "exclusion", "judgement"),  # NCT01142050: its organ named
    ("Charlson comorbidity index > 3", "exclusion", "judgement"),  # a score
    ("Known history of the following pulmonary comorbidities: severe chronic obstructive pulmonary disease", "exclusion", "judgement"),  # NCT03865875
    ("Patients with severe disease", "inclusion", "judgement"),  # the trial's own disease, its severity
    ("The subject agrees to participate in the trial and signs consent", "inclusion", "trial_participation"),  # this trial
    ("Voluntary participation in another study within 3 months", "exclusion", "consent"),  # another trial, not consent
    # what the investigator judges is not a consent criterion of its own (seed NCT05697718)
    ("mental illnesses that the investigator believes will affect their ability to participate in the study", "exclusion", "consent"),
])
def test_context_cue_grammars_do_not_overreach(nlp, text: str, section: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    assert kind not in _kinds(nlp, text, section)


@pytest.mark.parametrize(("text", "excluded", "kept"), [
    # an exception carves out of one kind of thing; a mention of another kind past a comma ends it
    ("Any malignancy other than basal cell carcinoma, treatment with anticoagulants", "therapy", "anticoagulant"),
    (("Any unstable medical condition other than multiple sclerosis (e.g., had myocardial infarction), "
      "treatment with anticoagulants"), "therapy", "anticoagulant"),  # NCT03799718
])
def test_context_exception_scope_ends_at_another_kind(nlp, text: str, excluded: str, kept: str) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _read(nlp, text, "exclusion") if c.kind == excluded]
    assert [c.concepts.concept.id for c in cs] == [kept]


def test_context_an_exception_of_no_mention_excepts_nothing_of_another_kind(nlp) -> None:  # type: ignore[no-untyped-def]
    # ctgov-msc NCT05016011: "toes" is no mention; the medications after the comma are no kind of amputation
    text = ("Significant cognitive impairment, non-ambulatory status or lower extremities amputation other than toes, "
            "serious illness or medication affecting operative risk or wound healing (e.g., steroid intake, anticoagulation).")
    therapies = {c.concepts.concept.id for c in _read(nlp, text, "exclusion") if c.kind == "therapy"}
    assert therapies == {"corticosteroid", "anticoagulant"}


def test_context_exception_list_of_one_kind_stays_excepted(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "History of malignancy other than basal cell carcinoma, squamous cell carcinoma or cervical carcinoma in situ"
    [c] = _read(nlp, text, "exclusion")
    assert c.concepts.concept.id == "malignancy" and len(c.concepts.excluded) == 3


@pytest.mark.parametrize(("text", "examples"), [
    # examples after an exception's own item are the head's, not the exception's (ctgov-msc
    # NCT05035862, NCT04047810, NCT04763369, NCT01297218: 30 such leads in the corpora)
    (("Significant medical illness other than asthma, including thyroid disease, diabetes mellitus, sickle cell "
      "disease"), {"mesh_d013959", "diabetes", "sickle_cell_disease"}),
    ("Presence of another ocular disease except RP (i.e., uveitis, strabismus, glaucoma)", {"icd10cm_h20_9"}),
    ("Diagnosis other than ischemic stroke (eg. Intracranial hemorrhage or Intracranial tumor)", {"brain_tumor", "icd10cm_i62_9"}),
])
def test_context_examples_after_an_exception_are_the_heads(nlp, text: str, examples: set[str]) -> None:  # type: ignore[no-untyped-def]
    found = {c.concepts.concept.id for c in _read(nlp, text, "exclusion") if c.kind == "condition" and c.present}
    assert examples <= found


@pytest.mark.parametrize(("text", "excepted"), [
    # a kind of what the exception names stays excepted (constructed, as in ctgov-msc NCT01874665)
    ("History of malignancy except non-melanoma skin cancer such as basal cell carcinoma", "non_melanoma_skin_cancer"),
    ("History of malignancy other than skin cancer (e.g., basal cell carcinoma or squamous cell carcinoma)", "non_melanoma_skin_cancer"),
])
def test_context_examples_of_the_exception_stay_excepted(nlp, text: str, excepted: str) -> None:  # type: ignore[no-untyped-def]
    [c] = _read(nlp, text, "exclusion")
    assert c.concepts.concept.id == "malignancy" and excepted in {x.id for x in c.concepts.excluded}


@pytest.mark.parametrize(("text", "section", "expected"), [
    # a function said to be normal or abnormal is the absence or presence of its dysfunction (lexicon: dysfunction)
    ("adequate renal function", "inclusion", [("renal_dysfunction", False)]),  # NCT00482092
    ("abnormalities in liver function", "exclusion", [("hepatic_dysfunction", True)]),  # NCT03943940
    ("Abnormal coagulation function", "exclusion", [("coagulopathy", True)]),  # NCT05319106
    ("renal function impaired", "exclusion", [("renal_dysfunction", True)]),  # constructed
    ("low immune function", "exclusion", [("immunodeficiency", True)]),  # NCT05319106
    # a test of the group said to be abnormal, with no value: the group's dysfunction
    ("Abnormal AST or ALT at screening", "exclusion", [("hepatic_dysfunction", True)]),  # NCT04073472
    ("Elevated liver enzymes", "exclusion", [("hepatic_dysfunction", True)]),  # constructed
    ("ALT > 3 x ULN", "exclusion", []),  # a value: a measurement, no condition
    # a state word before a short list governs each item (NCT00883870, NCT03631589, NCT04441658)
    ("Normal liver and renal function", "inclusion", [("hepatic_dysfunction", False), ("renal_dysfunction", False)]),
    ("Adequate renal and hepatic function", "inclusion", [("renal_dysfunction", False), ("hepatic_dysfunction", False)]),
    ("Normal renal function and abnormal liver function", "exclusion",
     [("renal_dysfunction", False), ("hepatic_dysfunction", True)]),  # constructed: the nearest state word
    # a function named without a state is no condition
    ("renal function tests at screening", "inclusion", []),  # constructed
    # the heart's and the lungs' function (ctgov-msc NCT01956903, NCT04352803, NCT02104440)
    ("Patients with inadequate cardiac or pulmonary function.", "exclusion",
     [("cardiac_dysfunction", True), ("pulmonary_disease", True)]),
    ("Compromised respiratory function", "exclusion", [("pulmonary_disease", True)]),
    ("Adequate pulmonary function assessed clinically", "inclusion", [("pulmonary_disease", False)]),
    # each item of a list takes the state said before its first (ctgov-msc NCT04434768; constructed)
    ("impaired cardiac, renal or hepatic function", "exclusion",
     [("cardiac_dysfunction", True), ("renal_dysfunction", True), ("hepatic_dysfunction", True)]),
    ("normal cardiac, pulmonary, renal, and hepatic function", "inclusion",
     [("cardiac_dysfunction", False), ("pulmonary_disease", False), ("renal_dysfunction", False), ("hepatic_dysfunction", False)]),
])
def test_context_function_state_is_its_dysfunction(nlp, text: str, section: str, expected: list[tuple[str, bool]]) -> None:  # type: ignore[no-untyped-def]
    assert [(c.concepts.concept.id, c.present) for c in _conditions(nlp, text, section)] == expected


def test_context_an_adequate_function_is_judged_an_impaired_one_read(nlp) -> None:  # type: ignore[no-untyped-def]
    # "adequate pulmonary function" does not turn away a mild asthma for certain; "impaired" is
    # the dysfunction said (NCT02104440)
    [ok] = _conditions(nlp, "Adequate pulmonary function", "inclusion")
    [bad] = _conditions(nlp, "Impaired pulmonary function", "exclusion")
    assert ok.provenance.unresolved and not bad.provenance.unresolved


@pytest.mark.parametrize(("text", "reason"), [
    # a function or test group with no state heads its analytes: no constraint of its own
    ("Renal function: creatinine < 2 mg/dL", None),  # ctgov-msc NCT00284986 wording
    ("Able to perform repeatable, consistent efforts in pulmonary function testing",  # ctgov-msc NCT02866721
     "not computable: 'pulmonary function' named with no state or value to compare"),
])
def test_context_a_function_named_with_no_state_is_a_heading(nlp, text: str, reason: str | None) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    [crit] = parse_record(TrialRecord(source="t", format="text", eligibility_text=f"Inclusion Criteria:\n\n* {text}\n"), nlp).criteria
    assert not [c for c in crit.constraints if c.kind == "other"]
    assert crit.reason == reason or (reason is None and crit.constraints)


@pytest.mark.parametrize(("text", "section"), [
    ("Severe cardiopulmonary compromise, or other system failure.", "exclusion"),  # NCT00953485
    ("cardiopulmonary disease", "exclusion"),  # NCT02315027
    ("cardiorespiratory insufficiency", "inclusion"),
])
def test_context_compound_of_organs_is_each_organ_any(nlp, text: str, section: str) -> None:  # type: ignore[no-untyped-def]
    """A compound of two organ systems is read as each of them, any of them (lexicon expands_to):
    the exclusion excludes a patient with either, the inclusion admits one with either."""
    from nlp.analyze import parse_record

    head = "Inclusion Criteria" if section == "inclusion" else "Exclusion Criteria"
    [crit] = parse_record(TrialRecord(source="t", format="text", eligibility_text=f"{head}:\n\n* {text}\n"), nlp).criteria
    assert {c.concepts.concept.id for c in crit.constraints if c.kind == "condition"} == {"cardiac_dysfunction", "pulmonary_disease"}
    assert crit.logic is not None
    groups = [g for g in crit.logic.items if not isinstance(g, str)]
    assert groups and groups[0].op == "ANY" and len(groups[0].items) == 2


def test_context_compound_of_organs_excludes_a_patient_with_either(nlp) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record
    from nlp.matching import Matcher, Patient

    doc = parse_record(TrialRecord(source="t", format="text",
                                   eligibility_text="Exclusion Criteria:\n\n* cardiopulmonary disease\n"), nlp)
    copd = Patient.model_validate({"id": "p", "as_of": "2026-11-01", "conditions": [{"name": "COPD", "status": "active"}]})
    healthy = Patient.model_validate({"id": "q", "as_of": "2026-11-01", "conditions": [{"name": "osteoarthritis", "status": "active"}]})
    assert Matcher().match(doc, copd).overall == "ineligible"
    assert Matcher().match(doc, healthy).overall != "ineligible"


@pytest.mark.parametrize(("text", "concept"), [
    # the wordings of curated conditions ctgov-msc uses (source trials in the dev set)
    ("having a chronic, immunosuppressive state", "immunodeficiency"),  # NCT04410731: a state, not a drug
    ("Any acute or chronic communicable diseases", "active_infection"),  # NCT01456819
    ("history of laboratory evidence of hypercoagulability", "coagulopathy"),  # NCT05215288
    ("recent myocardial infarct", "myocardial_infarction"),  # NCT02315027
    ("Those addicted to drugs, tobacco and alcohol", "drug_abuse"),  # NCT05319106
    ("It met the diagnostic criteria of venous ulcer of lower limbs", "venous_leg_ulcer"),  # NCT05319106
    ("Presence of ALF defined as a disorder with severe impairment of liver function", "acute_liver_failure"),  # NCT05491135
])
def test_context_condition_wordings(nlp, text: str, concept: str) -> None:  # type: ignore[no-untyped-def]
    kinds = {(c.kind, c.concepts.concept.id) for c in _read(nlp, text, "exclusion") if hasattr(c, "concepts")}
    assert ("condition", concept) in kinds and not any(k == "therapy" for k, _ in kinds)


@pytest.mark.parametrize("text", [
    # ctgov-msc NCT01216865: the response is denied, not the care (required absent before)
    "No sufficient response to best standard care delivered for six weeks.",
    "Without clinically meaningful improvement after physical therapy",
])
def test_context_an_insufficient_response_negates_no_treatment(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    [t] = _therapies(nlp, text)
    assert t.present is True, t.concepts.concept.id


@pytest.mark.parametrize(("text", "negated"), [
    # NCT03799718: the negation opens an or-list whose second item lies past ConText's six tokens
    ("No evidence of clinical MS relapse or high dose pulse corticosteroid treatment within 6 months", True),
    ("Without diabetes mellitus type 2, or long term high dose corticosteroid treatment", True),
    # ctgov-msc NCT03362424: "or (chronic) use of", "or history of" go on the list (the steroids were required)
    ("Absence of rheumatic diseases or chronic use of corticosteroids;", True),
    ("HIV negative or corticosteroid treatment", False),  # the cue follows the first item: it reaches no further
    ("No evidence of clinical MS relapse and receiving high dose pulse corticosteroid treatment", False),  # "and": no list
])
def test_context_negation_reaches_each_item_of_an_or_list(nlp, text: str, negated: bool) -> None:  # type: ignore[no-untyped-def]
    [t] = _therapies(nlp, text)
    assert t.present is (not negated), t.concepts.concept.id


@pytest.mark.parametrize(("text", "absent", "present"), [
    # ctgov-msc NCT02687646, NCT01956903: the commas list items of the or-list; the cue before the
    # first reaches the items past ConText's six tokens (angina and infarction were required)
    (("normal cardiac function (EF ≥ 40%) without evidence of uncontrolled hypertension, congestive heart failure, "
     "angina pectoris or myocardial infarction within 6 months prior to the process"),
     {"hypertension", "heart_failure", "angina", "myocardial_infarction"}, set()),
    (("Patients must have adequate cardiac function without evidence of uncontrolled hypertension, congestive heart "
     "failure or myocardial infarction within 6 months prior to the process."), {"hypertension", "heart_failure", "myocardial_infarction"}, set()),
    # a cue before a later item of the list reaches no item before it
    ("Diabetes, hypertension, or no asthma", {"asthma"}, {"diabetes", "hypertension"}),
    # ctgov-msc NCT03166865: a list the commas and a last "and" close (diabetes and tuberculosis were required)
    ("No serious infection, chronic diseases, diabetes and tuberculosis.", {"diabetes", "tuberculosis"}, set()),
    # NCT03383081
    ("Normal hepatic and renal function, no history of gout, rheumatoid arthritis, and autoimmune diseases, etc.",
     {"autoimmune_disease"}, set()),
    # NCT00972660: commas alone, items of one kind (angina and infarction were required)
    (("Adequate cardiac function with no evidence of uncontrolled high blood pressure,congestive heart failure, angina "
     "pectoris, acute myocardial infarction within 6 months prior to the process."),
     {"hypertension", "heart_failure", "angina", "myocardial_infarction"}, set()),
])
def test_context_negation_reaches_each_item_of_a_comma_or_list(nlp, text: str, absent: set[str], present: set[str]) -> None:  # type: ignore[no-untyped-def]
    got = {(c.concepts.concept.id, c.present) for c in _read(nlp, text) if c.kind == "condition"}
    assert {(a, False) for a in absent} | {(p, True) for p in present} <= got


@pytest.mark.parametrize(("text", "absent", "present"), [
    # ctgov-msc NCT04815213: the third and fourth items of the panel lie past ConText's six tokens
    ("Negative for infectious panel (HIV, HBV, HCV, and VDRL)", {"hiv", "hepatitis_b", "hepatitis_c", "syphilis"}, set()),
    # ctgov-msc NCT03862664
    ("Negative for hepatitis B, C and human immunodeficiency viruses (HIV).", {"hepatitis_b", "hepatitis_c", "hiv"}, set()),
    # ctgov-msc NCT05274295: "free from", as "free of"
    ("Ability to undergo tissue harvest at a site that is free from infection and injury", {"active_infection"}, set()),
    # the exception ends the list: the antibody is asked for
    ("Negative for HBsAg but positive for anti-HBc antibodies in the serum, or with cirrhosis", {"hepatitis_b"}, {"liver_cirrhosis"}),
    # a clause of its own after the list is no item ("and patients with")
    ("Negative for HIV and HBV, and patients with documented cirrhosis of the liver on biopsy", {"hiv", "hepatitis_b"}, {"liver_cirrhosis"}),
    # the test named between "negative" and "for" (ConText rule "negative test for"): ctgov-msc NCT04011059,
    # NCT02104713 (an infection's types "1 / 2" after it: cue type_number_after), LCT NCT03924024 required them all
    ("Negative serology for HIV, hepatitis B virus (HBV), and hepatitis C virus", {"hiv", "hepatitis_b", "hepatitis_c"}, set()),
    ("Negative tests for Hepatitis A, Hepatitis B, Hepatitis C, RPR, HIV 1 / 2, HTLV I/II, Chagas Disease",
     {"icd10cm_b15_9", "hepatitis_b", "hepatitis_c", "syphilis", "hiv", "htlv_infection", "icd10cm_b57"}, set()),
    ("No suspicion for a head injury and/or negative head CT scan for intracranial hemorrhage", {"icd10cm_i62_9"}, set()),
    # no test named between them: the item after "for" is not what is negative
    ("Negative pregnancy test, and HIV infection", set(), {"hiv"}),
    # the test named after the list (cue result_negative_lead, test_after): ctgov-msc NCT02932852 required all three
    ("Negative human immunodeficiency virus (HIV), hepatitis B (HBV), hepatitis C (HCV) serology",
     {"hiv", "hepatitis_b", "hepatitis_c"}, set()),
    # "negative results of" (ctgov-msc NCT04213131 required syphilis)
    ("Patients with normal results of routine blood tests, and negative results of HIV and syphilis", {"hiv", "syphilis"}, set()),
    # no test word after the list: no result
    ("Negative attitude, diabetes and hypertension", set(), {"diabetes"}),
    ("HIV, hepatitis B or hepatitis C positive serology", set(), {"hiv", "hepatitis_b", "hepatitis_c"}),
])
def test_context_a_negative_result_reaches_each_item_of_its_list(nlp, text: str, absent: set[str], present: set[str]) -> None:  # type: ignore[no-untyped-def]
    read = [(c.concepts.concept.id, c.present) for c in _read(nlp, text) if c.kind == "condition"]
    assert absent <= {cid for cid, p in read if p is False}, read
    assert present <= {cid for cid, p in read if p is True}, read


@pytest.mark.parametrize(("text", "absent", "present"), [
    # "do not present" negates what follows it (LCT NCT03868878 required each disease); not what
    # comes before it
    ("do not present severe cardiovascular disease, kidney disease, liver disease or limiting cognitive disease",
     {"cardiac_dysfunction", "renal_dysfunction", "hepatic_dysfunction"}, set()),
    ("Patients with diabetes who do not present foot ulcers", set(), {"diabetes"}),
    # after a modal too (ctgov-msc NCT02484560 required cancer, allergy and a bleeding diathesis)
    ("Patients must also not present any indication of cancer, allergic disease, nor bleeding diathesis.",
     {"malignancy", "allergy", "coagulopathy"}, set()),
])
def test_context_do_not_present_negates_what_follows(nlp, text: str, absent: set[str], present: set[str]) -> None:  # type: ignore[no-untyped-def]
    read = [(c.concepts.concept.id, c.present) for c in _read(nlp, text) if c.kind == "condition"]
    assert absent <= {cid for cid, p in read if p is False}, read
    assert present <= {cid for cid, p in read if p is True}, read


@pytest.mark.parametrize(("text", "absent", "present"), [
    # "without evidence of" reaches as far past its "of" as "no evidence of" (ctgov-msc NCT02104440,
    # NCT02687646 required a lung disease)
    ("Normal pulmonary function without evidence of severe obstructive or restrictive lung disease", {"pulmonary_disease"}, set()),
    # ... but no evidence of improvement after a therapy says it was given (ctgov-msc NCT01745744, NCT02287974)
    ("non-healing present ulcers > 4 weeks, without evidence of improvement with conventional therapy", set(), {"standard_therapy"}),
])
def test_context_without_evidence_of(nlp, text: str, absent: set[str], present: set[str]) -> None:  # type: ignore[no-untyped-def]
    read = [(c.concepts.concept.id, c.present) for c in _read(nlp, text) if c.kind in ("condition", "therapy")]
    assert absent <= {cid for cid, p in read if p is False} and not absent & {cid for cid, p in read if p is True}, read
    assert present <= {cid for cid, p in read if p is True} and not present & {cid for cid, p in read if p is False}, read


@pytest.mark.parametrize(("text", "absent", "present"), [
    # ctgov-msc NCT02104440, NCT04654286, NCT03861819: the bracket's later items lay past ConText's six tokens
    ("with no history of ischemic heart disease (angina or myocardial infarction) in the previous 6 months",
     {"ischemic_heart_disease", "angina", "myocardial_infarction"}, set()),
    ("Have no systemic disease (Diabetes Mellitus, Lupus erythematosus, rheumatoid arthritis)",
     {"diabetes", "systemic_lupus_erythematosus"}, set()),
    ("No past or present history of portal hypertension (esophageal varices, ascites, hepatic encephalopathy)",
     {"icd10cm_i85", "icd10cm_r18", "icd10cm_k76_82"}, set()),
    # a bracket that says more than a list is no list of examples; a mention after it is no item
    ("No portal hypertension (as confirmed by endoscopy showing esophageal varices), and hepatic encephalopathy",
     {"icd10cm_k76_6"}, {"icd10cm_k76_82"}),
])
def test_context_a_negation_reaches_the_examples_in_a_bracket(nlp, text: str, absent: set[str], present: set[str]) -> None:  # type: ignore[no-untyped-def]
    read = [(c.concepts.concept.id, c.present) for c in _read(nlp, text) if c.kind == "condition"]
    assert absent <= {cid for cid, p in read if p is False}, read
    assert present <= {cid for cid, p in read if p is True}, read

@pytest.mark.parametrize(("text", "section", "absent", "present"), [
    # a test done "to rule out" / "to exclude" a diagnosis, or one that "has excluded" it: the
    # inclusion asks for its absence (ctgov-msc NCT03014219, NCT03267784, NCT01957826)
    ("Patients should have undergone a colonoscopy in last 12 months to rule out malignant or premalignant condition",
     "inclusion", {"malignancy"}, set()),
    ("Additional doppler ultrasonography must be performed to exclude a PAOD masked by media sclerosis",
     "inclusion", {"peripheral_arterial_disease"}, set()),
    ("Idiopathic DCM diagnosis (having excluded CAD, valvular heart disease)",
     "inclusion", {"coronary_artery_disease", "valvular_heart_disease"}, {"dilated_cardiomyopathy"}),
    # the verb after the mention is the criterion's effect, no test (ctgov-msc NCT01548092 style)
    ("Active infection sufficiently serious to exclude the patient from the study", "exclusion", set(), {"active_infection"}),
])
def test_context_a_diagnosis_ruled_out_is_absent(nlp, text: str, section: str, absent: set[str], present: set[str]) -> None:  # type: ignore[no-untyped-def]
    read = [(c.concepts.concept.id, c.present) for c in _read(nlp, text, section) if c.kind == "condition"]
    assert absent <= {cid for cid, p in read if p is False}, read
    assert present <= {cid for cid, p in read if p is True}, read

@pytest.mark.parametrize(("text", "planned"), [
    # NCT03369275: the future verb governs the exclusion; the exposure is told in the past
    ("Participants will be excluded if they have received any surgery, chemotherapy, or radiation in the previous 12 months", False),
    ("Patients who plan to undergo chemotherapy", True),
    ("Patients planning to receive chemotherapy", True),
    # a treatment a condition may need is a plan, not a current exposure (ctgov-msc NCT03099239,
    # NCT05035862: 'will/would/could/may require', 'will/may need' 35 times in the corpora)
    ("Concurrent disease or comorbidity that could require chemotherapy", True),
    ("Patients who may need chemotherapy during the study", True),
    ("Patients who will need chemotherapy", True),
])
def test_context_an_exposure_told_in_the_past_is_no_plan(nlp, text: str, planned: bool) -> None:  # type: ignore[no-untyped-def]
    chemo = [c for c in _therapies(nlp, text, "exclusion") if c.concepts.concept.id == "chemotherapy"]
    assert chemo and all((c.exposure == "planned") is planned for c in chemo), [c.exposure for c in chemo]
    if not planned:
        assert chemo[0].window is not None and chemo[0].window.high_days == 365


@pytest.mark.parametrize(("text", "days"), [
    ("Received lumbar epidural steroid injection 3 weeks before cell administration", 21),  # NCT05011474
    ("Received corticosteroids 14 days before IMP application", 14),  # NCT03257098
])
def test_context_window_before_the_administration_of_the_product(nlp, text: str, days: int) -> None:  # type: ignore[no-untyped-def]
    [t] = _therapies(nlp, text, "exclusion")
    assert t.window is not None and t.window.high_days == days and t.window.anchor == "first_dose"


@pytest.mark.parametrize(("text", "concept"), [
    ("Lumbar epidural steroid injection within 3 months", "epidural_corticosteroid_injection"),
    ("Intra-articular steroid injection within 3 months", "intra_articular_corticosteroid"),
    ("Local steroid injection within 3 months", "corticosteroid_injection"),  # the site unsaid
])
def test_context_corticosteroid_injection_by_site(nlp, text: str, concept: str) -> None:  # type: ignore[no-untyped-def]
    [t] = _therapies(nlp, text, "exclusion")
    assert t.concepts.concept.id == concept


def test_context_failed_treatment_wording_is_no_negation(nlp) -> None:  # type: ignore[no-untyped-def]
    """NCT04308213: "no benefit after X or Y" tells that X and Y were given and failed."""
    found = _therapies(nlp, "No benefit after a course of hyaluronic acid or PRP infiltrations")
    assert {c.concepts.concept.id for c in found} == {"hyaluronic_acid", "platelet_rich_plasma"}
    assert all(c.present for c in found)
    [x] = _therapies(nlp, "No prior treatment with hyaluronic acid")  # a plain negation still negates
    assert x.present is False


def test_context_with_or_without_negates_nothing(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT01290367
    conds = [c for c in _read(nlp, "Degenerative disc disease with or without an annular fissure or a contained disc herniation")
             if c.kind == "condition"]
    assert conds and all(c.present for c in conds)


def test_context_a_condition_denied_as_a_cause_is_not_certain(nlp) -> None:  # type: ignore[no-untyped-def]
    """NCT04371393 and four ARDS trials: neither required nor excluded, so never a certain fail."""
    conds = {c.concepts.concept.id: c for c in _read(nlp, "Respiratory failure not fully explained by cardiac failure or fluid overload.")
             if c.kind == "condition"}
    assert conds["respiratory_failure"].provenance.certain
    assert not conds["heart_failure"].provenance.certain and conds["heart_failure"].provenance.unresolved
    assert len(conds) == 3 and not conds[next(k for k in conds if k not in ("respiratory_failure", "heart_failure"))].provenance.certain


def test_context_a_patient_state_has_a_window_not_a_disease_duration(nlp) -> None:  # type: ignore[no-untyped-def]
    """NCT05501418: contraception "for at least 4 weeks after UMSC01 treatment" is a period of use
    after the treatment, not the time since a diagnosis."""
    found = _read(nlp, "Women should use appropriate contraception method(s) for at least 4 weeks after UMSC01 treatment")
    assert not [c for c in found if c.kind == "measurement"]
    [c] = [c for c in found if c.kind == "condition"]
    assert c.concepts.concept.id == "contraception" and c.window is not None and c.window.high_days == 28


@pytest.mark.parametrize(("text", "low", "high"), [
    ("Surgery more than 6 months before enrollment", 183, None),  # further back than the amount
    ("Surgery at least 6 months ago", 183, None),
    ("Surgery within 6 months before enrollment", None, 183),  # a look-back
    ("Surgery 6 months prior to enrollment", None, 183),  # no comparator: as before
    ("Surgery a minimum of 6 months before enrollment", 183, None),  # "a minimum of" in a window
    ("Surgery a maximum of 6 months before enrollment", None, 183),
    ("Surgery at least 6 months in advance of enrollment", 183, None),  # "in advance of" is "before"
    # a time worded as a requirement inside an exclusion: the event within it excludes (NCT02013674)
    (("Patients who undergo revascularization procedures should undergo these procedures a minimum of 3 months "
     "in advance of treatment"), None, 91),
])
def test_context_a_window_at_least_an_amount_back_opens_backwards(nlp, text: str, low: int | None, high: int | None) -> None:  # type: ignore[no-untyped-def]
    [c] = [c for c in _read(nlp, text, "exclusion") if c.kind == "procedure"]
    assert (c.window.low_days, c.window.high_days) == (low, high)


def test_context_a_required_time_inside_an_exclusion_is_never_certain(nlp) -> None:  # type: ignore[no-untyped-def]
    [c] = [c for c in _read(nlp, "Patients should undergo surgery at least 3 months before enrollment", "exclusion")
           if c.kind == "procedure"]
    assert (c.window.low_days, c.window.high_days) == (None, 91)
    assert not c.provenance.certain and any("requirement" in u for u in c.provenance.unresolved)
    # the same time without a requirement is read as written
    [x] = [c for c in _read(nlp, "Surgery at least 3 months before enrollment", "exclusion") if c.kind == "procedure"]
    assert (x.window.low_days, x.window.high_days) == (91, None)


def test_context_surgery_more_than_months_back_excludes_only_old_surgery(nlp) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record
    from nlp.matching import Matcher, Patient

    doc = parse_record(TrialRecord(source="t", format="text",
                                   eligibility_text="Exclusion Criteria:\n\n* Surgery more than 6 months before enrollment\n"), nlp)

    def overall(when: str) -> str:
        p = Patient.model_validate({"id": "p", "as_of": "2026-11-01", "procedures": [{"name": "surgery", "date": when}]})
        return Matcher().match(doc, p).overall

    assert overall("2025-06-01") == "ineligible"  # 17 months back
    assert overall("2026-10-01") != "ineligible"  # a month back: not what the criterion excludes


def test_context_months_prior_is_a_time_not_an_age(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT04073472: "18-75 years of age who have undergone ... at least 6 months prior"
    found = _read(nlp, "Men and women 18-75 years of age who have undergone an ileal pouch anal anastomosis at least 6 months prior")
    assert [(c.range.low, c.range.high, c.range.unit) for c in found if c.kind == "age"] == [(18.0, 75.0, "a")]


@pytest.mark.parametrize(("text", "days"), [
    # a drug's window stays the time to be free of it (NCT03109301) or on it
    ("Chemotherapy last dose must have been received at least 28 days prior to enrollment", (None, 28)),
    # "28 days of treatment" is how long the treatment lasted, not a window before it (NCT05333029)
    ("Incomplete response after more than 28 days of immunosuppressive treatment", None),
])
def test_context_drug_windows_keep_their_reading(nlp, text: str, days: tuple[int | None, int | None] | None) -> None:  # type: ignore[no-untyped-def]
    [c] = _therapies(nlp, text, "inclusion")
    assert ((c.window.low_days, c.window.high_days) if c.window else None) == days


@pytest.mark.parametrize(("text", "radiotherapy"), [
    # "radiation" names radiotherapy inside a list of treatments (lexicon: listed_synonyms)
    ("Received any surgery, chemotherapy, or radiation for a malignancy in the previous 12 months", True),  # NCT03369275
    ("Patients with preoperative radiation and chemotherapy", True),
    # and nothing alone: exposure, an imaging requirement
    ("History of radiation exposure", False),
    ("The requirement for radiation (X-ray, MRI) will be removed", False),
])
def test_context_a_word_that_names_a_treatment_only_in_a_list(nlp, text: str, radiotherapy: bool) -> None:  # type: ignore[no-untyped-def]
    ids = {c.concepts.concept.id for c in _therapies(nlp, text, "exclusion")}
    assert ("radiotherapy" in ids) is radiotherapy, ids


@pytest.mark.parametrize(("text", "days"), [
    ("Recent (<6 months) myocardial infarct", 183),  # NCT02315027: a bracketed upper bound is a look-back
    ("Stroke (≤ 3 months)", 91),
])
def test_context_bracketed_upper_bound_is_a_window(nlp, text: str, days: int) -> None:  # type: ignore[no-untyped-def]
    [c] = [c for c in _read(nlp, text, "exclusion") if c.kind == "condition"]
    assert c.window is not None and c.window.high_days == days


def test_context_bracketed_years_stay_an_age(nlp) -> None:  # type: ignore[no-untyped-def]
    [a] = [c for c in _read(nlp, "Children (less than 12 years)", "exclusion") if c.kind == "age"]
    assert (a.range.high, a.range.unit) == (12.0, "a")


@pytest.mark.parametrize(("text", "present"), [
    # NCT04869397: "nor" negates its item when a negation stands before it in the clause, and the
    # abbreviation in brackets after a negated mention is that mention
    (('Patients who are NOT on "non-invasive" ventilation nor invasive mechanical ventilation nor '
     'Extracorporeal membrane oxygenation (ECMO)'), {"mechanical_ventilation": False, "ecmo": False}),
    ("Neither diabetes nor hypertension", {"diabetes": False, "hypertension": False}),
    ("Diabetes nor hypertension", {"diabetes": True, "hypertension": True}),  # no negation before it
])
def test_context_nor_negates_its_item(nlp, text: str, present: dict[str, bool]) -> None:  # type: ignore[no-untyped-def]
    found = [c for c in _read(nlp, text) if c.kind in ("condition", "procedure")]
    assert {c.concepts.concept.id: c.present for c in found} == present and len(found) == len(present)


@pytest.mark.parametrize("text", [
    "Multi-vessel coronary artery disease not amenable to percutaneous coronary intervention",  # NCT01557543
    "Subject is not a candidate for cardiac surgery",  # NCT00721045
])
def test_context_not_a_candidate_for_a_treatment_is_no_certain_absence(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    found = [c for c in _read(nlp, text) if c.kind in ("therapy", "procedure")]
    assert found and all(not c.provenance.certain for c in found)


@pytest.mark.parametrize(("text", "section", "effect"), [
    # what an "unless" exception names, when it is no kind of what came before, is required
    (("Women of reproductive potential may not participate unless they have agreed to use an effective "
     "contraceptive method"), "inclusion", "include"),  # NCT00953485
    ("Women physiologically capable of becoming pregnant, unless they are using effective methods of contraception",
     "exclusion", "include"),  # ctgov-msc
    ("Females of childbearing potential must agree to use an acceptable birth control method", "exclusion", "include"),  # NCT04650568
])
def test_context_contraception_an_exclusion_requires(nlp, text: str, section: str, effect: str) -> None:  # type: ignore[no-untyped-def]
    [c] = [c for c in _read(nlp, text, section) if c.kind == "condition" and c.concepts.concept.id == "contraception"]
    assert (c.effect, c.present) == (effect, True) and not c.provenance.certain


def test_context_unless_a_kind_of_it_stays_a_carve_out(nlp) -> None:  # type: ignore[no-untyped-def]
    """"Any other malignant neoplasia unless it is a basocellar carcinoma" (ctgov-msc): the exception
    is a kind of the malignancy, carved out of it, not a requirement."""
    cs = [c for c in _read(nlp, "Presenting any other malignant neoplasia unless it is a basal cell carcinoma", "exclusion")
          if c.kind == "condition"]
    assert [(c.concepts.concept.id, c.effect) for c in cs] == [("malignancy", "exclude")]
    assert cs[0].concepts.excluded


def test_context_must_use_in_an_exclusion_is_the_patients_state(nlp) -> None:  # type: ignore[no-untyped-def]
    """Only an agreement to use something is a requirement: "patients who must use oxygen therapy"
    are excluded for being oxygen-dependent."""
    [c] = [c for c in _read(nlp, "Patients who must use oxygen therapy", "exclusion") if c.kind == "therapy"]
    assert (c.effect, c.present) == ("exclude", True)


def test_context_contraception_required_by_an_exclusion_never_turns_away(nlp) -> None:  # type: ignore[no-untyped-def]
    """The requirement read from an exclusion is uncertain: a man, or a woman whose record says
    nothing of contraception, is asked about, never turned away on it."""
    from nlp.analyze import parse_record
    from nlp.matching import Matcher, Patient

    doc = parse_record(TrialRecord(source="t", format="text", eligibility_text=(
        "Exclusion Criteria:\n\n* Women physiologically capable of becoming pregnant, unless they are using effective "
        "methods of contraception\n")), nlp)
    for sex in ("male", "female"):
        p = Patient.model_validate({"id": "p", "as_of": "2026-11-01", "sex": sex, "birth_date": "1990-01-01"})
        assert Matcher().match(doc, p).overall != "ineligible", sex


@pytest.mark.parametrize(("text", "expected"), [
    # a negation before a head reaches its examples past ConText's six tokens
    ("No evidence of contraindications to the procedure such as pregnancy, active infection, bleeding disorder",
     [("pregnancy", False), ("active_infection", False), ("coagulopathy", False)]),  # NCT04042844
    ("Absence of comorbidities such as diabetes, hypertension or heart failure",
     [("diabetes", False), ("hypertension", False), ("heart_failure", False)]),  # constructed
    # ... not past a terminator, not "with or without", not a failed response (the drug was given)
    ("Patients without diabetes but with comorbidities such as hypertension",
     [("diabetes", False), ("hypertension", True)]),  # constructed
    # "lack of response to X": X was given (ctgov-msc NCT04073472, NCT04519684: an inclusion forbade it)
    ("defined as a lack of response to systemic immune suppression (e.g. azathioprine, methotrexate)", [("immunosuppressant", True)]),
    ("Patients who did not respond to treatment options including methylprednisolone, and or cyclosporine A or ATG.",
     [("methylprednisolone", True), ("cyclosporine", True), ("antithymocyte_globulin", True)]),  # NCT02824653
    ("Any other serious condition, including but not limited to liver disease (e.g., cirrhosis)",
     [("hepatic_dysfunction", True)]),  # after seed NCT05697718: "not limited to" negates nothing
    # "e.g." followed by a lower-case word ends no sentence (the cue's capital was read
    # case-insensitively): 11 ctgov-msc trials required an MRI contraindication
    ("Have no contraindications to imaging evaluations: e.g. contrast allergies", [("allergy", False)]),  # NCT02807389
    ("No known contraindications for anabolic drugs (e.g. cancer)", [("malignancy", False)]),  # LCT NCT03860870
    # a negated lead-in ending in a colon reaches the whole list after it (an inclusion asked for
    # every item but the first); an exception in the lead-in negates nothing after it
    (("No absolute contra-indications to exercise: recent (<6 months) acute cardiac event unstable angina, uncontrolled "
     "dysrhythmias causing symptoms, symptomatic aortic stenosis, uncontrolled symptomatic heart failure"),
     [("angina", False), ("arrhythmia", False), ("valvular_heart_disease", False), ("heart_failure", False)]),  # LCT NCT03861819
    ("No history of the following: unstable angina, heart failure", [("angina", False), ("heart_failure", False)]),  # constructed
    ("No prior malignancy is allowed except for the following: adequately treated skin cancer",
     [("malignancy", False)]),  # after ctgov-msc NCT02530047: the exception is no constraint
])
def test_context_negation_reaches_the_examples_of_its_head(nlp, text: str, expected: list[tuple[str, bool]]) -> None:  # type: ignore[no-untyped-def]
    got = [(c.concepts.concept.id, c.present) for c in _read(nlp, text) if c.kind in ("condition", "therapy")]
    assert got == expected


@pytest.mark.parametrize(("text", "present"), [
    # inside an inclusion, a pregnancy prevented, planned, reported or tested for is no
    # requirement to be pregnant (every patient who was not failed)
    (("Female patients of childbearing potential must agree to practice adequate methods of birth control to prevent "
      "pregnancy"), []),  # NCT01041001
    ("Females becoming pregnant during the study will continue to be monitored", []),  # NCT02805855
    ("Agree to report any pregnancy to the research staff immediately.", []),  # NCT04815213
    ("Women capable of pregnancy must satisfy the following conditions;", []),  # NCT01875081
    ("As a precautionary measure, breast-feeding should be discontinued during treatment", []),  # NCT04759105
    ("Men with a pregnant or breastfeeding partner must agree to remain abstinent", []),  # NCT05047276
    ("Women at risk for pregnancy", []),  # LCT NCT03925116: "risk for" as "risk of"
    # a past pregnancy is obstetric history, no current state in either section
    ("At lest one past pregnancy", []),  # LCT NCT03920332
    ("Primipara (no previous pregnancies)", []),  # LCT NCT03920098: was read as "not pregnant"
    # the patient's own state stays, and so does "not pregnant"
    ("Pregnant women at least 18 years of age", [True]),  # LCT NCT03929640
    ("Women in their first pregnancy", [True]),  # constructed: the first pregnancy is the current one
    ("Negative pregnancy test", [False]),
    # a test asked for: not pregnant, inferred (test_context_a_pregnancy_test_asked_for_...)
    ("Women of child-bearing age must undergo pregnancy test", [False]),  # NCT04651855
])
def test_context_pregnancy_that_is_not_the_patients_state(nlp, text: str, present: list[bool]) -> None:  # type: ignore[no-untyped-def]
    assert [c.present for c in _read(nlp, text)
            if c.kind == "condition" and c.concepts.concept.id in ("pregnancy", "lactation")] == present


@pytest.mark.parametrize(("text", "present"), [
    # in an exclusion, a past pregnancy excludes no pregnant patient (an obstetric trial's own)
    ("Women with a history of previous pregnancy", []),  # LCT NCT03921177
    ("No past pregnancy", []),  # LCT NCT03920332
    ("complications in a previous pregnancy", []),  # constructed
    # the patient's own state stays
    ("Pregnant or breastfeeding", [True, True]),
])
def test_context_past_pregnancy_excludes_no_pregnant_patient(nlp, text: str, present: list[bool]) -> None:  # type: ignore[no-untyped-def]
    assert [c.present for c in _read(nlp, text, "exclusion")
            if c.kind == "condition" and c.concepts.concept.id in ("pregnancy", "lactation")] == present


@pytest.mark.parametrize(("text", "sex"), [
    # a sex that names whom the rest is asked of is no requirement that every patient be of it
    ("Negative pregnancy test in women.", []),  # NCT01957826
    ("female patients must use a reliable contraception method", []),  # NCT01429012
    ("For male: Norwood-Hamilton grade: III to IV", []),  # NCT03676400
    ("If female, must be post-menopausal or had a hysterectomy", []),  # NCT01609283
    ("Women of childbearing age who are breastfeeding", []),  # a life stage with a requirement of it
    # the trial's own sex, with a life stage and nothing else asked of it
    ("female patients of reproductive age 18-49 years;", ["female"]),  # NCT05520112
    # the trial's own sex stays
    ("Postmenopausal women over 40 years of age", ["female"]),  # NCT05018637
    ("Male, 20-65 years old.", ["male"]),  # NCT02648386
])
def test_context_sex_of_a_subgroup_is_no_requirement(nlp, text: str, sex: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert [c.sex for c in _read(nlp, text) if c.kind == "sex"] == sex


@pytest.mark.parametrize(("text", "section", "expected"), [
    # an exclusion of the women "not willing ... to avoid pregnancy" was an exclusion of everyone
    # not pregnant (LCT NCT03860233); "nursing" before home or student is no breastfeeding
    ("Women of child-bearing age not willing or unable to use an accepted method to avoid pregnancy", "exclusion", []),
    ("Nursing home residents with atrial fibrillation", "inclusion", []),  # LCT NCT03860246
    ("Third year nursing student", "inclusion", []),  # LCT NCT03924141
    ("Pregnant or nursing women", "exclusion", [("pregnancy", True), ("lactation", True)]),
])
def test_context_pregnancy_and_nursing_senses(nlp, text: str, section: str, expected: list[tuple[str, bool]]) -> None:  # type: ignore[no-untyped-def]
    got = [(c.concepts.concept.id, c.present) for c in _read(nlp, text, section)
           if c.kind == "condition" and c.concepts.concept.id in ("pregnancy", "lactation")]
    assert got == expected


def test_context_sex_of_a_partner_is_no_requirement(nlp) -> None:  # type: ignore[no-untyped-def]
    # LCT NCT03866811, a trial of women: "with males" names their partners
    assert [c for c in _read(nlp, "sexually active with males in the past 3 months") if c.kind == "sex"] == []


@pytest.mark.parametrize(("text", "present", "doubt"), [
    # "naïve" after the treatment it denies, as before it ("naïve to TNF inhibitors")
    ("3.Chemotherapy-naïve", False, False),  # LCT NCT03869294: was read as chemotherapy required
    ("chemotherapy naive patients", False, False),  # constructed
    ("riluzole naive or stable dose for at least 2 months", False, True),  # ctgov-msc NCT03828123: or the other
    ("prior chemotherapy", True, False),
])
def test_context_naive_after_the_treatment_denies_it(nlp, text: str, present: bool, doubt: bool) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _read(nlp, text) if c.kind == "therapy"]
    assert [c.present for c in cs] == [present]
    assert bool(cs[0].provenance.unresolved) == doubt


def test_context_item_number_glued_to_its_text(nlp) -> None:  # type: ignore[no-untyped-def]
    """"2.Male or female" (ctgov-msc NCT04276987): the item number is no part of the word, so
    "Male or female" is both sexes, not "female"."""
    cs = _read(nlp, "signed informed consent; 2.Male or female, aged at 18 years (including) to 75 years old")
    assert [c.sex for c in cs if c.kind == "sex"] == ["all"]


@pytest.mark.parametrize(("text", "section", "present", "doubt"), [
    # "X-free" denies X: in an inclusion the patient must be free of it
    ("Diabetes-free before surgery as defined by the standards of the American Diabetes Association", "inclusion",
     False, False),  # ctgov-msc NCT05095532: was read as diabetes required
    ("cancer-free for at least 5 years", "inclusion", False, False),  # constructed
    # inside an exclusion it is what is permitted, never a certain exclusion of those free of it
    ("Active malignancy within 5 years (Cancer free for at least 5 years is permitted)", "exclusion", False, True),  # ctgov-msc NCT02611167
])
def test_context_free_suffix_denies_the_word(nlp, text: str, section: str, present: bool, doubt: bool) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _read(nlp, text, section) if c.kind == "condition" and c.provenance.rule == "mention:free_suffix"]
    assert [c.present for c in cs] == [present]
    assert bool(cs[0].provenance.unresolved) == doubt


@pytest.mark.parametrize("text", [
    "steroid-induced diabetes",  # constructed
    "type 1 diabetes or diabetes secondary to other conditions (e.g. steroid-induced, pancreatic insufficiency)",  # LCT NCT03861546
])
def test_context_treatment_naming_a_cause_is_never_a_certain_exclusion(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _read(nlp, text, "exclusion") if c.kind in ("therapy", "procedure")]
    assert cs and all(any("names the cause" in u for u in c.provenance.unresolved) for c in cs)


def test_context_a_condition_named_by_its_cause_is_the_condition(nlp) -> None:  # type: ignore[no-untyped-def]
    # LCT NCT03929419: ICD-10-CM D75.82 "Heparin induced thrombocytopenia (HIT)" names the whole
    # condition; heparin, its cause, is no exposure the exclusion asks about
    cs = _read(nlp, "Individuals with a history of heparin-induced thrombocytopenia (HIT)", "exclusion")
    assert [c.concepts.concept.id for c in cs if c.kind == "condition"] == ["icd10cm_d75_82"]
    assert not [c for c in cs if c.kind in ("therapy", "procedure")]


@pytest.mark.parametrize(("text", "doubt"), [
    # a predicate after an exception's closing comma is said of what the exception carves from
    ("Active malignancy within 5 years (skin cancers, except for melanoma, are permitted)", True),  # ctgov-msc NCT02611167
    # an exception's own qualifier stays the exception's
    (("Malignancy within the previous five years, except adequately treated basal cell carcinoma, provided that it is "
      "neither infiltrating nor sclerosing"), False),  # ctgov-msc NCT02467387
])
def test_context_what_follows_an_exception(nlp, text: str, doubt: bool) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _read(nlp, text, "exclusion") if c.kind == "condition"
          and c.concepts.concept.id in ("non_melanoma_skin_cancer", "malignancy") and c.provenance.rule == "mention"]
    last = cs[-1]
    assert bool(last.provenance.unresolved) == doubt


@pytest.mark.parametrize(("text", "section", "doubt"), [
    # a washout whose window is not read is no requirement to have taken the drug
    ("Patients who discontinued steroids at least 4 weeks before", "inclusion", True),  # constructed
    ("Unable or unwilling to discontinue antidepressant medication", "exclusion", True),  # LCT NCT03866252
    ("Subject who uses anticoagulants which cannot be stopped or corrected", "exclusion", True),  # ctgov-msc NCT02674399
    # a read washout window, and a plain use, stay certain
    ("Steroids must have been discontinued at least 4 weeks before enrollment", "inclusion", False),  # constructed
    ("Current use of steroids", "exclusion", False),
])
def test_context_washout_without_its_window_is_never_certain(nlp, text: str, section: str, doubt: bool) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _read(nlp, text, section) if c.kind == "therapy"]
    assert cs and all(any("washout" in u for u in c.provenance.unresolved) == doubt for c in cs)


@pytest.mark.parametrize("text", [
    # NCT03109301: "negative" in the third sentence negated the contraception of the second (medspaCy's
    # tuple_overlaps misses a scope inside another: a terminator spanning the criterion never cut it)
    ("The effects of selumetinib on the fetus are unknown. Women must agree to use adequate contraception "
     "prior to study entry. Women must have a negative pregnancy test prior to entry."),
    # NCT04130100: "HCG negative test" in the next sentence negated the contraception
    "Patients should take effective contraceptive measures. HCG negative test in early pregnancy.",
])
def test_context_a_full_stop_ends_a_negations_scope(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    found = [c for c in _read(nlp, text) if c.kind == "condition" and c.concepts.concept.id == "contraception"]
    assert found and all(c.present for c in found)


def test_context_a_negation_inside_its_sentence_still_reaches_back(nlp) -> None:  # type: ignore[no-untyped-def]
    found = {c.concepts.concept.id: c.present for c in _read(nlp, "HIV positive. Hepatitis B negative.")}
    assert found == {"hiv": True, "hepatitis_b": False}


@pytest.mark.parametrize(("text", "certain"), [
    # NCT00953485 (its key: not pregnant, a negative test implied); the window read after the test
    # had hidden the word "test" from the check, and the criterion was read as pregnant
    (("Women of child-bearing potential must have a pregnancy test performed within 72 hours prior to initiation "
      "of treatment."), False),
    ("Women of child-bearing age must undergo pregnancy test", False),  # NCT04651855
    ("Negative pregnancy test", True),  # a result: certain
])
def test_context_a_pregnancy_test_asked_for_in_an_inclusion_is_not_pregnant(nlp, text: str, certain: bool) -> None:  # type: ignore[no-untyped-def]
    [c] = [c for c in _read(nlp, text) if c.kind == "condition"]
    assert c.concepts.concept.id == "pregnancy" and c.present is False and c.provenance.certain is certain


@pytest.mark.parametrize(("text", "why"), [
    ("Unable to understand and speak English.", "a language"),  # LCT
    ("Participant and parent/guardian are English speaking", "a language"),  # ctgov-msc
    ("Patient affiliated to a social security system", "legal or administrative status"),  # LCT
    ("Subject with a legal protection measure (guardianship, curatorship)", "legal or administrative status"),  # ctgov-msc
    ("Prisoners", "legal or administrative status"),
])
def test_context_a_requirement_no_record_holds_is_named(nlp, text: str, why: str) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    doc = parse_record(TrialRecord(source="t", format="text", eligibility_text=f"Exclusion Criteria:\n\n* {text}\n"), nlp)
    [crit] = doc.criteria
    assert not crit.computable and crit.reason is not None and crit.reason.startswith("not computable:") and why in crit.reason


def test_context_a_condition_excluded_without_a_treatment_is_one_group_with_its_absence(nlp) -> None:  # type: ignore[no-untyped-def]
    """NCT02013674: "complete ... heart block in the absence of a functioning pacemaker" excluded
    every patient with a pacemaker, certainly. The heart block and the pacemaker's absence form
    one ALL group: a patient with both the block and a pacemaker is not excluded; with the block
    and no pacemaker on record, a person decides."""
    from nlp.analyze import parse_record
    from nlp.core.logic import Group
    from nlp.matching import Matcher, Patient

    rec = TrialRecord(source="t", format="text", nct_id="NCT00000000",
                      eligibility_text="Exclusion Criteria:\n\n* complete heart block in the absence of a functioning pacemaker\n")
    doc = parse_record(rec, nlp)
    [crit] = doc.criteria
    block, pacemaker = crit.constraints
    assert pacemaker.concepts.concept.id == "cardiac_pacemaker" and pacemaker.present is False and pacemaker.provenance.certain
    assert crit.logic is not None and crit.logic.items == (Group(items=(block.id, pacemaker.id)),)
    who = {"id": "p", "as_of": "2026-11-01", "birth_date": "1980-01-01", "sex": "female",
           "conditions": [{"name": "complete heart block", "status": "active"}]}
    assert Matcher().match(doc, Patient.model_validate(who)).overall == "needs_review"
    paced = {**who, "procedures": [{"name": "cardiac pacemaker", "date": "2020-01-01"}]}
    assert Matcher().match(doc, Patient.model_validate(paced)).overall == "eligible"


@pytest.mark.parametrize(("text", "present"), [
    # a serostatus is a test result: "seronegative" denies the infection before it, "seronegative
    # for" the one after (it was read as HIV present: every HIV-negative patient turned away)
    ("HIV seronegative", False),  # constructed
    ("seronegative for HIV", False),  # constructed
    ("HIV seropositive", True),  # ctgov-msc NCT02957552 wording ("HIV seropositive, HTLV seropositive")
    ("seronegative rheumatoid arthritis", True),  # a kind of the disease after it, not its denial
])
def test_context_serostatus(nlp, text: str, present: bool) -> None:  # type: ignore[no-untyped-def]
    cs = [c for c in _read(nlp, text, "inclusion") if c.kind == "condition"]
    assert cs and all(c.present is present for c in cs)


@pytest.mark.parametrize(("text", "section", "concept", "present", "certain"), [
    ("EBV-negative;", "exclusion", "ebv_infection", False, True),  # NCT01429038: the seronegative are excluded
    ("Cytomegalovirus (CMV) sero-negativity", "exclusion", "cmv_infection", False, True),  # NCT05456243
    ("Epstein Barr Virus (EBV) sero-negativity (EBV naïve)", "exclusion", "ebv_infection", False, True),  # NCT05456243
    ("Patient is EBV (epstein barr virus)-negative on serology.", "exclusion", "ebv_infection", False, True),  # NCT03867617
    ("COVID-19-negative subject", "exclusion", "covid_19", False, True),  # NCT04377334
    ("CMV seronegative", "inclusion", "cmv_infection", False, True),  # constructed
    ("EBV naïve", "inclusion", "ebv_infection", False, True),  # constructed
    ("HIV non-reactive", "inclusion", "hiv", False, True),  # constructed
    # NCT00749164: named beside positive results in an exclusion, never a certain exclusion of everyone without it
    ("Donor who is positive for HIV, hepatitis Bs antigen, HB-s, anti-HBc and anti HCV negative.", "exclusion", "hepatitis_c", False, False),
    # the other direction: a positive result, a result written before the test, a restated requirement
    ("EBV-positive", "exclusion", "ebv_infection", True, True),  # constructed
    ("CMV positive donor", "inclusion", "cmv_infection", True, True),  # constructed
    ("Cytomegalovirus (CMV) infection", "exclusion", "cmv_infection", True, True),  # NCT02083731
])
def test_context_a_result_written_after_an_infection_is_its_absence(nlp, text: str, section: str, concept: str,  # type: ignore[no-untyped-def]
                                                                    present: bool, certain: bool) -> None:
    """ "X-negative", "X sero-negativity", "X naïve" right after an infection: the test found none,
    in either section ("Exclusion: EBV-negative" turns away the seronegative, not the infected)."""
    found = [c for c in _conditions(nlp, text, section) if c.concepts.concept.id == concept]
    assert found and all(c.present is present for c in found), [(c.concepts.concept.id, c.present) for c in found]
    assert all(c.provenance.certain is certain for c in found), [c.provenance.unresolved for c in found]


@pytest.mark.parametrize(("text", "concept"), [
    ("Active cytomegalovirus (CMV)/Epstein-Barr virus (EBV)/varicella disease", "cmv_infection"),  # NCT00314483
    ("Active cytomegalovirus (CMV)/Epstein-Barr virus (EBV)/varicella disease", "ebv_infection"),
    ("Active BKV or CMV disease.", "cmv_infection"),  # NCT01166724
    ("Active herpes simplex or HSV-2 infection", "hsv_infection"),  # constructed (in lists of infections the
    # viruses are examples of the infection named first: "Any ongoing infection, including TB, CMV, EBV, HSV")
    ("Coinfection with other viruses (HIV, tuberculosis, influenza virus, adenovirus)", "adenovirus_infection"),  # NCT04366323
    ("Patients with a history of cytomegalovirus (CMV) pneumonitis", "cmv_infection"),  # NCT01175655
])
def test_context_a_virus_named_alone_is_its_infection(nlp, text: str, concept: str) -> None:  # type: ignore[no-untyped-def]
    """Viruses screened for in transplant and cell-therapy trials (curated like HIV and HTLV):
    named alone or with "disease", the infection, under viral infection."""
    from nlp.core.lexicon import Lexicon

    found = [c for c in _conditions(nlp, text, "exclusion") if c.concepts.concept.id == concept]
    assert found and all(c.present for c in found)
    assert Lexicon.load().is_a(concept, "viral_infection")
    assert not [c for c in _conditions(nlp, "History of herpes zoster", "exclusion") if c.concepts.concept.id == "hsv_infection"]


@pytest.mark.parametrize(("text", "section", "optional", "kept"), [
    ("6 weeks post-surgical bilateral oophorectomy with or without hysterectomy", "inclusion", "hysterectomy", None),  # NCT04206007
    ("Previous radiotherapy +/- chemotherapy for head and neck cancer", "inclusion", "chemotherapy", "radiotherapy"),  # NCT04776538
    ("Known history of objectively documented deep vein thrombosis of the lower limb (with or without pulmonary embolism)",
     "inclusion", "pulmonary_embolism", "deep_vein_thrombosis"),  # NCT03868956
    ("Inadequately controlled hypertension with or without current antihypertensive medications;", "exclusion",
     "antihypertensive", "hypertension"),  # NCT03925285
    ("Hemophilia A or B adult patient, with or without arthropathy", "inclusion", "icd10cm_m00_m25", "hemophilia"),  # NCT05187936
    ("Active disease with or without fever or pulmonary embolism", "inclusion", "pulmonary_embolism", None),  # constructed: the
    # list after the cue is optional as a whole
    ("LDL-C above recommended level despite maximal tolerated statin therapy ± ezetimibe for the past 3 months", "inclusion",
     "drug_db00973", "statin"),  # NCT03861533
])
def test_context_with_or_without_requires_nothing(nlp, text: str, section: str, optional: str, kept: str | None) -> None:  # type: ignore[no-untyped-def]
    """What "with or without" (also "with/without", "+/-", "±" before a word) names is neither
    required nor excluded: no constraint of its own, named in the criterion's reason; the rest
    of the criterion stands."""
    from nlp.analyze import parse_record

    head = "Inclusion Criteria" if section == "inclusion" else "Exclusion Criteria"
    doc = parse_record(TrialRecord(source="t", format="text", eligibility_text=f"{head}:\n\n* {text}\n"), nlp)
    [crit] = doc.criteria
    got = {c.concepts.concept.id for c in crit.constraints if hasattr(c, "concepts")}
    assert optional not in got, got
    assert kept is None or kept in got, got
    assert "with or without" in (crit.reason or ""), crit.reason


@pytest.mark.parametrize(("text", "required"), [
    ("Day 7±1 after surgery", "surgery"),  # constructed: a tolerance, no "with or without"
    ("Diabetes with or without insulin, and hypertension treated for 5 years", "hypertension"),  # constructed: after the list
    ("Insulin (with or without oral hypoglycemic therapy) and metformin", "drug_db00331"),  # constructed: after the bracket
])
def test_context_with_or_without_ends_with_its_list(nlp, text: str, required: str) -> None:  # type: ignore[no-untyped-def]
    found = {c.concepts.concept.id: c.present for c in _read(nlp, text) if hasattr(c, "concepts")}
    assert found.get(required) is True, found


@pytest.mark.parametrize(("text", "section", "concept", "certain"), [
    ("On regular medication for hypertension if any", "inclusion", "hypertension", False),  # NCT00883870
    ("Negative pregnancy test when applicable", "inclusion", "pregnancy", False),  # NCT01216865
    ("Stable dose of antidepressants, if any, for 4 weeks", "inclusion", "antidepressant", False),  # constructed
    ("Stable antidepressant therapy (if applicable) for 3 months", "inclusion", "antidepressant", False),  # constructed
    # the other direction: an exclusion applies to whom it applies; "if any of the following" states a condition
    ("Positive pregnancy test (if applicable);", "exclusion", "pregnancy", True),  # NCT02525432
    ("Stable dose of antidepressants for 4 weeks", "inclusion", "antidepressant", True),  # constructed
])
def test_context_a_requirement_if_any_is_never_certain(nlp, text: str, section: str, concept: str, certain: bool) -> None:  # type: ignore[no-untyped-def]
    """An inclusion's "if any", "if applicable", "if present" (cue ``optional_if``): the patient may
    not have it at all; turning one away for lacking it would rest on no certain reading."""
    found = [c for c in _read(nlp, text, section) if getattr(c, "concepts", None) and c.concepts.concept.id == concept]
    assert found and all(c.provenance.certain is certain for c in found), [c.provenance.unresolved for c in found]


@pytest.mark.parametrize(("text", "concept"), [
    ("Presence of severe concomitant diseases such as chronic obstructive pulmonary disease, Diabetes Mellitus", "copd"),  # NCT03299413
    ("Patients with malignant tumor, other serious systemic diseases and psychosis", "psychotic_disorder"),  # NCT04252118
])
def test_context_the_examples_of_an_unspecified_illness_keep_its_severity(nlp, text: str, concept: str) -> None:  # type: ignore[no-untyped-def]
    found = [c for c in _conditions(nlp, text, "exclusion") if c.concepts and c.concepts.concept.id == concept]
    assert found and all(any("severity" in u for u in c.provenance.unresolved) for c in found), \
        [(c.concepts.concept.id, c.provenance.unresolved) for c in found]
    assert "judgement" in _kinds(nlp, text, "exclusion")


def test_context_a_consent_phrase_after_an_unspecified_illness_stays(nlp) -> None:  # type: ignore[no-untyped-def]
    kinds = _kinds(nlp, "Severe concurrent illness limiting life expectancy, inadequate understanding of the study protocol, "
                        "drug abuse", "exclusion")  # NCT02302599
    assert "judgement" in kinds and "consent" in kinds


@pytest.mark.parametrize(("text", "section", "unread"), [
    # "non-" before a word that modifies what follows names a kind of that thing by what it is not:
    # no constraint about the word negated (each was its absence: in an exclusion every patient
    # without heart disease, epilepsy or steroids was turned away)
    ("Non-cardiac condition that limits lifespan to < 1 year", "exclusion", "cardiac_dysfunction"),  # ctgov-msc NCT00587990
    ("Functional somatic syndromes (e.g. fibromyalgia, non-epileptic seizures)", "exclusion", "epilepsy"),  # LCT NCT03925259
    ("Non-steroid anti-inflammatory (NSAID) use", "exclusion", "corticosteroid"),  # LCT NCT03866200
    ("non-hematological malignancy", "exclusion", "hematologic_malignancy"),  # ctgov-msc NCT01526850: the word and its head one mention
    ("Treated RA patients by non-biological drugs", "inclusion", "biologic_therapy"),  # ctgov-msc NCT03333681
])
def test_context_non_before_a_modifier_names_a_kind(nlp, text: str, section: str, unread: str) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    head = "Inclusion Criteria" if section == "inclusion" else "Exclusion Criteria"
    [crit] = parse_record(TrialRecord(source="t", format="text", eligibility_text=f"{head}:\n\n* {text}\n"), nlp).criteria
    assert unread not in {c.concepts.concept.id for c in crit.constraints if c.kind in ("condition", "therapy")}
    assert "a kind named by what it is not" in (crit.reason or "")


@pytest.mark.parametrize(("text", "absent"), [
    # the word "non-" negates is the patient's state: its absence
    ("Non-smokers", "tobacco_use"),
    ("Non-pregnant patients with critical limb ischemia", "pregnancy"),  # ctgov-msc NCT01558908
    ("Non-dialysis dependent (NDD)", "end_stage_renal_disease"),  # LCT NCT03929900
])
def test_context_non_before_a_state_is_its_absence(nlp, text: str, absent: str) -> None:  # type: ignore[no-untyped-def]
    assert (absent, False) in [(c.concepts.concept.id, c.present) for c in _read(nlp, text) if c.kind == "condition"]


def test_context_the_thing_a_non_kind_is_of_is_doubted(nlp) -> None:  # type: ignore[no-untyped-def]
    """"non-diabetic renal disease" is narrower than renal disease: its exclusion is no certain
    reading (ctgov-msc NCT01843387, a diabetic kidney disease trial, turned every patient away)."""
    [c] = [c for c in _read(nlp, "Subjects with non-diabetic renal disease e.g. known polycystic kidney disease", "exclusion")
           if c.kind == "condition" and c.concepts.concept.id == "renal_dysfunction"]
    assert any("named as a kind by what it is not" in u for u in c.provenance.unresolved)
