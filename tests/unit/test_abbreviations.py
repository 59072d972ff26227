"""A trial's own abbreviation definitions link its later short forms (nlp/pipeline/abbreviations.py)."""

from __future__ import annotations

from nlp.core.record import TrialRecord


def _definitions(nlp, text: str):  # type: ignore[no-untyped-def]
    from nlp.pipeline.abbreviations import TrialAbbreviations
    from nlp.pipeline.annotate import pipeline_lexicon

    return {s: cid for s, _, cid in TrialAbbreviations(nlp, pipeline_lexicon(nlp)).definitions(text)}


def test_abbreviations_long_form_head_concept_is_linked(nlp) -> None:  # type: ignore[no-untyped-def]
    assert _definitions(nlp, "Stem cells in Facioscapulohumeral Muscular Dystrophy (FSHD)") == {"FSHD": "icd10cm_g71_02"}


def test_abbreviations_known_short_forms_and_unknown_long_forms_give_nothing(nlp) -> None:  # type: ignore[no-untyped-def]
    # ANC already names the absolute neutrophil count; "quality of life" ends in no concept
    assert _definitions(nlp, "absolute neutrophil count (ANC) > 1.5\nquality of life (QoL) score") == {}


def test_abbreviations_a_definition_in_the_title_links_the_criteria(nlp) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    rec = TrialRecord(source="t", format="text", brief_title="Stem cells in Facioscapulohumeral Muscular Dystrophy (FSHD)",
                      eligibility_text="Inclusion Criteria:\n\n* FSHD phenotype positive\n")
    [crit] = parse_record(rec, nlp).criteria
    [c] = [c for c in crit.constraints if c.kind == "condition"]
    assert c.concepts.concept.id == "icd10cm_g71_02" and c.evidence.text == "FSHD"


def test_abbreviations_the_trials_definition_wins_over_the_lexicons_reading(nlp) -> None:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    text = "Exclusion Criteria:\n\n* Severe mitral stenosis (MS)\n* MS with valve area below 1.5 cm2\n"
    doc = parse_record(TrialRecord(source="t", format="text", eligibility_text=text), nlp)
    ids = {c.concepts.concept.id for c in doc.criteria[1].constraints if c.kind == "condition"}
    assert ids == {"valvular_heart_disease"}  # not multiple sclerosis
    plain = parse_record(TrialRecord(source="t", format="text", eligibility_text="Exclusion Criteria:\n\n* MS\n"), nlp)
    assert {c.concepts.concept.id for c in plain.criteria[0].constraints} == {"multiple_sclerosis"}


def test_abbreviations_a_definition_the_lexicon_does_not_know_blocks_its_other_reading(nlp) -> None:  # type: ignore[no-untyped-def]
    """NCT01460901: "human/anti-mouse antibody (HAMA)" is no Hamilton anxiety score, so ">50% donor
    engraftment" after it is no HAM-A threshold; a long form sharing a word with the lexicon's
    reading ("Hamilton Rating Scale for Anxiety (HAMA)") blocks nothing."""
    from nlp.analyze import parse_record

    assert _definitions(nlp, "Absence of human/anti-mouse antibody (HAMA)") == {"HAMA": ""}
    assert _definitions(nlp, "Hamilton Rating Scale for Anxiety (HAMA) above 20") == {}
    text = "Inclusion Criteria:\n\n* Absence of human/anti-mouse antibody (HAMA)\n* HAMA above 50%\n"
    doc = parse_record(TrialRecord(source="t", format="text", eligibility_text=text), nlp)
    assert not [c for crit in doc.criteria for c in crit.constraints if c.kind == "measurement"]
    plain = parse_record(TrialRecord(source="t", format="text", eligibility_text="Inclusion Criteria:\n\n* HAMA above 20\n"), nlp)
    assert [c.concepts.concept.id for c in plain.criteria[0].constraints] == ["ham_a"]


def test_abbreviations_a_long_form_holding_the_short_form_defines_nothing(nlp) -> None:  # type: ignore[no-untyped-def]
    # "ULN (≤ 5 x ULN if liver metastases)": an aside repeating the letters is no definition
    assert _definitions(nlp, "ALT ≤ 2.5 x ULN (≤ 5 x ULN if liver metastases)") == {}


def test_abbreviations_an_inhibitor_class_written_as_its_target_and_i(nlp) -> None:  # type: ignore[no-untyped-def]
    """"PDE-5i", "TNFi", "SGLT2i": the class the lexicon names "<target> inhibitors" (dev NCT02745808
    "no effective with oral PDE-5i", ctgov-msc "TNFi bDMARDs", "PDE5i"); a short form whose target
    names no inhibitor class ("LVMi", a left ventricular mass index), or a word ("Levi"), is none."""
    def concepts(text: str) -> list[str]:
        return [e._.concept_id for e in nlp(text).ents if e._.concept_id]

    assert concepts("no effective with oral PDE-5i") == ["drug_phosphodiesterase_5_inhibitors"]
    assert concepts("inadequate response to TNFi") == ["tnf_inhibitor"]
    assert concepts("on SGLT2i or DPP-4i") == ["sglt2_inhibitor", "dpp4_inhibitor"]  # the curated classes (ATC A10BK, A10BH)
    assert not [c for c in concepts("LVMi > 115 g/m2, Dr. Levi") if "inhibitor" in c]


def test_abbreviations_a_concept_after_a_preposition_is_not_the_long_forms_head(nlp) -> None:  # type: ignore[no-untyped-def]
    # ctgov-msc NCT03378414: "SARA (Scale for Assessment and Rating of Ataxia) score is 2-5" names a
    # scale, not ataxia; the head of "spinocerebellar ataxias (SCA)" is the condition itself
    defs = _definitions(nlp, "SARA (Scale for Assessment and Rating of Ataxia) score is 2-5\nspinocerebellar ataxias (SCA)")
    assert "SARA" not in defs and defs.get("SCA", "").startswith("mesh_")


def test_abbreviations_a_definition_in_square_brackets(nlp) -> None:  # type: ignore[no-untyped-def]
    """NCT02408432 "aortic stenosis [AS] with aortic valve area [AVA]", LCT NCT03927378 "HELLP [Hemolysis, ...]": square brackets
    define as round ones do."""
    from nlp.analyze import parse_record

    assert _definitions(nlp, "Severe mitral stenosis [MS]") == {"MS": "valvular_heart_disease"}
    text = "Exclusion Criteria:\n\n* Severe mitral stenosis [MS]\n* MS with valve area below 1.5 cm2\n"
    doc = parse_record(TrialRecord(source="t", format="text", eligibility_text=text), nlp)
    assert {c.concepts.concept.id for c in doc.criteria[1].constraints if c.kind == "condition"} == {"valvular_heart_disease"}
