"""Coordinated lists read one concept per conjunct, each with its own evidence (elig_lexicon)."""

from __future__ import annotations

import pytest


def _ents(nlp, text: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(e.text, e.kb_id_) for e in nlp(text).ents if e.kb_id_]


@pytest.mark.parametrize(("text", "expected"), [
    ("Severe heart, liver, lung, kidney and other important organ lesions",  # constructed after a dev criterion
     [("heart", "cardiac_dysfunction"), ("liver", "hepatic_dysfunction"), ("lung", "pulmonary_disease"),
      ("kidney", "renal_dysfunction")]),
    ("no serious cardiovascular and pulmonary comorbidities",
     [("cardiovascular", "cardiac_dysfunction"), ("pulmonary", "pulmonary_disease")]),
    # an item's own modifiers, coordinated, inside the list (ctgov-msc NCT01843387)
    ("clinically symptomatic cardiovascular, pulmonary, acute or chronic infectious disease",
     [("cardiovascular", "cardiac_dysfunction"), ("pulmonary", "pulmonary_disease"), ("infectious disease", "active_infection")]),
    # "morbidities" as a head, after "and/or" (ctgov-msc NCT01378182, NCT02705742)
    ("No co-existing serious respiratory and/or cardiovascular morbidities",
     [("respiratory", "pulmonary_disease"), ("cardiovascular", "cardiac_dysfunction")]),
    ("immunosuppressive, cytotoxic, or antifibrotic drugs",  # the example: no antifibrotic concept
     [("immunosuppressive", "immunosuppressant"), ("cytotoxic", "chemotherapy")]),
    # the last conjunct with the head is a term itself ("hepatic dysfunction" in the plural)
    ("cardiac, renal or hepatic dysfunctions",
     [("cardiac", "cardiac_dysfunction"), ("renal", "renal_dysfunction"), ("hepatic dysfunctions", "hepatic_dysfunction")]),
])
def test_coordination_shared_head_gives_one_concept_per_organ(nlp, text: str, expected: list) -> None:  # type: ignore[no-untyped-def]
    assert _ents(nlp, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # the organs a head names, then examples of them (set 1 NCT01223664)
    ("Severe problems in other vital organs(e.g.the heart,renal or lungs).",
     [("heart", "cardiac_dysfunction"), ("renal", "renal_dysfunction"), ("lungs", "pulmonary_disease")]),
    ("serious disease in other organs such as the heart, liver, kidney",  # constructed: the same with "such as"
     [("heart", "cardiac_dysfunction"), ("liver", "hepatic_dysfunction"), ("kidney", "renal_dysfunction")]),
])
def test_coordination_examples_of_the_organs_a_head_names(nlp, text: str, expected: list) -> None:  # type: ignore[no-untyped-def]
    assert [e for e in _ents(nlp, text) if e[0] != "vital organs"] == expected


def test_coordination_organs_without_examples_are_no_list(nlp) -> None:  # type: ignore[no-untyped-def]
    assert _ents(nlp, "Severe problems in other vital organs") == []


def test_coordination_one_word_before_a_head_is_not_a_list(nlp) -> None:  # type: ignore[no-untyped-def]
    assert _ents(nlp, "Patients with heart lesions") == []  # no list, and "heart lesions" is no term


@pytest.mark.parametrize(("text", "expected"), [
    # one organ word right before a dysfunction head: the organ's dysfunction or disease
    ("Have severe hepatic deficiencies", [("hepatic", "hepatic_dysfunction")]),  # NCT04569409 (dev key)
    ("Patients with severe cardiovascular dysfunction", [("cardiovascular", "cardiac_dysfunction")]),  # NCT02561767
    ("Severe kidney disorder (serum creatinine ≥1.5mg/dL)", [("kidney", "renal_dysfunction")]),  # NCT02054208
    # not a time course, a prefixed word, a deficiency read as a disease, nor an involvement
    ("Acute injury or duration of injury less than 10 months", []),  # NCT00816803
    ("Have a non-pulmonary condition that limits lifespan", []),  # NCT02013700
    ("distal tibia third fracture without joint involvement", []),  # NCT00250302
    ("collagen, laminin, integrin, keratin or plakin deficiency", []),  # NCT01033552: no "collagen disease"
])
def test_coordination_one_organ_word_before_a_dysfunction_head(nlp, text: str, expected: list) -> None:  # type: ignore[no-untyped-def]
    got = _ents(nlp, text)
    assert [x for x in got if x in expected] == expected
    assert not [x for x in got if x[0].lower() in ("acute", "pulmonary", "joint", "collagen", "keratin")]


@pytest.mark.parametrize(("text", "expected"), [
    ("Positive serology for HIV, Hepatitis B or C",
     [("HIV", "hiv"), ("Hepatitis B", "hepatitis_b"), ("C", "hepatitis_c")]),
    ("hepatitis B and C", [("hepatitis B", "hepatitis_b"), ("C", "hepatitis_c")]),
    # the item repeating the word before it (NCT02796079; "Diabetes mellitus Type 2", SNOMED CT's
    # preferred term, is a name of type 2 diabetes)
    ("Diabetes mellitus Type 2 or Type 1", [("Diabetes mellitus Type 2", "type_2_diabetes"), ("Type 1", "type_1_diabetes")]),
])
def test_coordination_ellipsis_reads_the_elided_head(nlp, text: str, expected: list) -> None:  # type: ignore[no-untyped-def]
    assert _ents(nlp, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a lead ending in a preposition is shared by the words listed after it
    ("PERSONS infected with HIV or addicted to drugs, tobacco and alcohol",  # NCT05319106
     [("HIV", "hiv"), ("addicted to drugs", "drug_abuse"), ("alcohol", "alcohol_abuse")]),
    ("Patients with mental disorders or addicted to drugs and/or alcohol.",  # NCT03887208
     [("mental disorders", "psychiatric_disorder"), ("addicted to drugs", "drug_abuse"), ("alcohol", "alcohol_abuse")]),
])
def test_coordination_a_lead_with_its_preposition_is_shared(nlp, text: str, expected: list) -> None:  # type: ignore[no-untyped-def]
    assert _ents(nlp, text) == expected


def test_coordination_ellipsis_needs_a_concept_for_the_full_phrase(nlp) -> None:  # type: ignore[no-untyped-def]
    # "hepatitis B or 5" names nothing: no span on "5"
    assert _ents(nlp, "hepatitis B or 5 more") == [("hepatitis B", "hepatitis_b")]


@pytest.mark.parametrize(("text", "expected"), [
    # a conjunct of several words before a concept sharing its head (NCT01602328, NCT02408432, NCT02501811)
    ("Prior history of solid organ or bone marrow transplant",
     [("solid organ", "organ_transplantation"), ("bone marrow transplant", "hsct")]),
    ("hypertrophic or restrictive cardiomyopathy",  # NCT02467387
     [("hypertrophic", "icd10cm_i42_2"), ("restrictive cardiomyopathy", "icd10cm_i42_5")]),
    ("Acute or chronic pancreatitis.", [("Acute", "icd10cm_k85"), ("chronic pancreatitis", "icd10cm_k86_1")]),  # NCT01719640
    ("History of ischemic or hemorrhagic stroke", [("ischemic", "ischemic_stroke"), ("hemorrhagic stroke", "hemorrhagic_stroke")]),
    # and on leftwards through a list of them (ctgov-msc NCT02016508, NCT01768702)
    ("Previous organ, tissue or bone marrow transplantation",
     [("organ", "organ_transplantation"), ("tissue", "mesh_d016378"), ("bone marrow transplantation", "hsct")]),
    ("viral, fungal or bacterial infection",
     [("viral", "viral_infection"), ("fungal", "fungal_infection"), ("bacterial infection", "bacterial_infection")]),
    # no conjunct that names nothing with the head, and function words end it
    ("diabetes or heart failure", [("diabetes", "diabetes"), ("heart failure", "heart_failure")]),
    ("any of the following or bone marrow transplant", [("bone marrow transplant", "hsct")]),
])
def test_coordination_a_longer_conjunct_shares_the_head(nlp, text: str, expected: list) -> None:  # type: ignore[no-untyped-def]
    assert _ents(nlp, text) == expected


def test_coordination_conjuncts_are_no_examples_of_each_other(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT01297413: "subarachnoid" (the lexicon's stroke) and "intracerebral hemorrhage" are two
    # findings; a narrower concept after its broader one is an example only when not just joined by "or"
    from nlp.analyze import parse_record
    from nlp.core.record import TrialRecord

    def concepts(text: str) -> list[str]:
        rec = TrialRecord(source="t", format="text", eligibility_text=f"Exclusion Criteria:\n\n* {text}\n")
        return [c.concepts.concept.id for crit in parse_record(rec, nlp).criteria for c in crit.constraints if c.concepts]

    assert concepts("CT suggestive of subarachnoid or intracerebral hemorrhage") == ["stroke", "hemorrhagic_stroke"]
    assert concepts("immunosuppressive drugs (e.g., steroids)") == ["immunosuppressant"]


def _exclusions(nlp, text: str) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    """(concept, read with a doubt) of each exclusion the criterion gives."""
    from nlp.analyze import parse_record
    from nlp.core.record import TrialRecord

    rec = TrialRecord(source="t", format="text", eligibility_text=f"Exclusion Criteria:\n\n* {text}\n")
    return [(c.concepts.concept.id, bool(c.provenance.unresolved)) for crit in parse_record(rec, nlp).criteria
            for c in crit.constraints if c.concepts and c.kind in ("condition", "therapy")]


@pytest.mark.parametrize(("text", "expected"), [
    # an impairment defined right after by what shows it is judged; what shows it is read as said
    # (ctgov-msc NCT01983709)
    (("Abnormal cardiac function as manifested by NYHA (New York Heart Association) class III or IV heart failure "
      "or history of a prior myocardial infarction (MI) within the last five years"),
     [("cardiac_dysfunction", True), ("heart_failure", False), ("myocardial_infarction", False)]),
    # an impairment with nothing defining it stays certain (dev NCT03943940)
    ("abnormalities in liver function", [("hepatic_dysfunction", False)]),
])
def test_coordination_an_impairment_defined_after(nlp, text: str, expected: list[tuple[str, bool]]) -> None:  # type: ignore[no-untyped-def]
    assert _exclusions(nlp, text) == expected


@pytest.mark.parametrize(("text", "dropped"), [
    # examples led as such after a doubtful class stay its examples: a bracket, a colon, a lead
    # (ctgov-msc NCT02344849, NCT05456243, NCT01557543)
    ("Severe cardiovascular disease (angina, arrhythmia, cardiac failure, stroke)", {"angina", "arrhythmia", "heart_failure"}),
    ("Uncontrolled arrhythmia, defined as: atrial fibrillation with rapid ventricular response", {"icd10cm_i48_91", "atrial_fibrillation"}),
    ("Severe respiratory disorder, including acute asthma", {"asthma"}),
])
def test_coordination_examples_of_a_doubtful_class_stay_examples(nlp, text: str, dropped: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert not {cid for cid, _ in _exclusions(nlp, text)} & dropped


def test_coordination_a_certain_example_of_a_doubtful_class_stays(nlp) -> None:  # type: ignore[no-untyped-def]
    # ctgov-msc NCT00972660: conditions said after a function judged adequate are no examples of it
    from nlp.analyze import parse_record
    from nlp.core.record import TrialRecord

    text = ("Adequate cardiac function with no evidence of uncontrolled high blood pressure, congestive heart failure, "
            "angina pectoris, acute myocardial infarction within 6 months prior to the process.")
    rec = TrialRecord(source="t", format="text", eligibility_text=f"Inclusion Criteria:\n\n* {text}\n")
    found = {(c.concepts.concept.id, bool(c.provenance.unresolved)) for crit in parse_record(rec, nlp).criteria
             for c in crit.constraints if c.kind == "condition"}
    assert {("cardiac_dysfunction", True), ("heart_failure", False), ("angina", False)} <= found
    # both certain: the narrower one after its class stays an example
    assert _exclusions(nlp, "immunosuppressive drugs (e.g., steroids)") == [("immunosuppressant", False)]
