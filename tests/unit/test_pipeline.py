from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from spacy.tokens import Doc

from nlp.pipeline import load_pipeline
from nlp.pipeline.temporal import find_temporal
from nlp.pipeline.values import find_values


def ents(nlp, text: str):  # type: ignore[no-untyped-def]
    return [(e.label_, e.text, e._.concept_id) for e in nlp(text).ents]


def one(nlp, text: str, label: str, valued: bool = False):  # type: ignore[no-untyped-def]
    found = [e for e in nlp(text).ents if e.label_ == label and (not valued or e._.value is not None)]
    assert len(found) == 1, (text, [(e.label_, e.text) for e in nlp(text).ents])
    return found[0]


# --- tokenizer ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("≥18", ["≥", "18"]),
        ("\\<2", ["\\<", "2"]),
        (">=5", [">=", "5"]),
        ("2.5×ULN", ["2.5", "×", "ULN"]),
        ("2.5xULN", ["2.5", "x", "ULN"]),
        ("1.5×10^9/L", ["1.5", "×", "10", "^", "9", "/L"]),
        ("100×109/L", ["100", "×", "109", "/L"]),
        ("HIV+", ["HIV", "+"]),
        ("TPPA +", ["TPPA", "+"]),
        ("180/110 mmHg", ["180", "/", "110", "mmHg"]),
        ("16-65", ["16", "-", "65"]),
        ("12-24 weeks", ["12", "-", "24", "weeks"]),
        ("W12", ["W12"]),
        ("HbA1c", ["HbA1c"]),
        ("duration≥2years", ["duration", "≥", "2", "years"]),
        ("mg/dL", ["mg", "/", "dL"]),
        ("µmol/L", ["µmol", "/", "L"]),
        ("neutropenia(≤ 1", ["neutropenia", "(", "≤", "1"]),  # a bracket glued to its word (31 times in ctgov-msc)
        ("aminotransferase(AST)", ["aminotransferase", "(", "AST", ")"]),
        ("comorbidity(ies)", ["comorbidity", "(", "ies", ")"]),
        ("ages18 to 75", ["ages", "18", "to", "75"]),  # an age word glued to its number (NCT05215288)
        ("CD4", ["CD4"]),
        # an abbreviation's full stop ends no sentence (a full stop is a context terminator)
        ("cirrhosis, etc.), kidney", ["cirrhosis", ",", "etc.", ")", ",", "kidney"]),  # NCT05697718
        ("stroke(eg. Intracranial", ["stroke", "(", "eg.", "Intracranial"]),  # NCT01468064
        ("hepatitis C. Pregnancy", ["hepatitis", "C", ".", "Pregnancy"]),
    ],
)
def test_pipeline_tokenizer_keeps_notation_splittable(nlp, text: str, tokens: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert [t.text for t in nlp.make_doc(text)] == tokens


# --- values -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "cmp", "value", "high", "unit"),
    [
        ("Body weight ≥ 17 kg", ">=", 17, None, "kg"),
        ("ANC < 1.5×109/L", "<", 1.5, None, "10*9/L"),
        ("PLT \u003c 100×109/L", "<", 100, None, "10*9/L"),
        ("ANC ≥ 1.5 x 10^9/L", ">=", 1.5, None, "10*9/L"),
        ("WBC 3.0 x10(9)/L", None, 3.0, None, "10*9/L"),
        ("Hb < 90g/L", "<", 90, None, "g/L"),
        ("ALT > 2.5×ULN", ">", 2.5, None, "xULN"),
        ("bilirubin higher than 1.5 times of upper limit of normal value", ">", 1.5, None, "xULN"),
        ("AST > 2.5×normal limit (ULN)", ">", 2.5, None, "xULN"),
        ("AST up to 2.5 time the upper level of normal", "<=", 2.5, None, "xULN"),
        ("more than three times the normal maximum rate", ">", 3, None, "xULN"),
        ("ALT no more than 2.5 x ULN", "<=", 2.5, None, "xULN"),
        ("NIHSS score 6-20 points", "between", 6, 20, "{score}"),
        ("mRS 3-5", "between", 3, 5, None),
        ("blood glucose > 16.8mmol/L", ">", 16.8, None, "mmol/L"),
        ("creatinine ≤ 1.5 mg/dl", "<=", 1.5, None, "mg/dL"),
        ("eGFR < 60 mL/min/1.73 m^2", "<", 60, None, "mL/min/{1.73_m2}"),
        ("Platelets less than 100,000/µL", "<", 100000, None, "/uL"),
        ("ALT exceeding 100 IU/L", ">", 100, None, "U/L"),
        ("HbA1c < 7%", "<", 7, None, "%"),
        ("anaphylaxis to 2 or more food", ">=", 2, None, None),
        ("prednisone > 10mg/ day", ">", 10, None, "mg/d"),
        ("Life expectancy ≥ 12 months", ">=", 12, None, "mo"),
        ("MMSE less than or equal to 20 on", "<=", 20, None, None),
        ("age greater than or equal to 18 years", ">=", 18, None, "a"),
        ("ejection fraction more than or equal to 40%", ">=", 40, None, "%"),
        ("creatinine clearance ≥40 cc/min/1.73 m2", ">=", 40, None, "mL/min/{1.73_m2}"),
        ("CD4 count <350/mcl", "<", 350, None, "/uL"),
        ("serum creatinine ≤ 2.0 ㎎/㎗", "<=", 2.0, None, "mg/dL"),
        ("lesion >10㎜", ">", 10, None, "mm"),
        ("PaO2 inferior to 50 mm Hg", "<", 50, None, "mm[Hg]"),
        ("IgE superior to 100 IU/L", ">", 100, None, "U/L"),
    ],
)
def test_pipeline_values(text: str, cmp, value, high, unit) -> None:  # type: ignore[no-untyped-def]
    [v] = find_values(text)
    assert (v.comparator, v.value, v.value_high, v.unit) == (cmp, value, high, unit)


def test_pipeline_values_blood_pressure_pair() -> None:
    for text in ("Blood pressure ≥180/110 mmHg despite treatment", "blood pressure≥180mmHg/110 mmHg"):
        [v] = find_values(text)
        assert (v.comparator, v.value, v.second_value, v.unit) == (">=", 180, 110, "mm[Hg]")


def test_pipeline_values_bare_numbers_and_names_are_not_values() -> None:
    assert find_values("McDonald 2006 Diagnosis of neuromyelitis optica") == []
    assert find_values("HbA1c test, CD4 count, COVID-19, W12") == []


def test_pipeline_values_range_with_two_units() -> None:
    [v] = find_values("1 month to 18 years")
    assert (v.value, v.low_unit, v.value_high, v.unit) == (1, "mo", 18, "a")


# --- labels ----------------------------------------------------------------------------------

def test_pipeline_label_age(nlp) -> None:  # type: ignore[no-untyped-def]
    for text, lo, hi in [("18 to 80 years old, both sexes;", 18, 80), ("Aged 16-65 years.", 16, 65),
                         ("Male or female ≥6 years old", 6, None)]:
        age = one(nlp, text, "AGE", valued=True)
        assert (age._.value, age._.value_high, age._.unit) == (lo, hi, "a")


def test_pipeline_label_sex(nlp) -> None:  # type: ignore[no-untyped-def]
    assert one(nlp, "18 to 80 years old, both sexes;", "SEX")._.concept_id == "both_sexes"


def test_pipeline_label_measurement_with_codes(nlp) -> None:  # type: ignore[no-untyped-def]
    m = one(nlp, "alanine aminotransferase (ALT) > 2.5×ULN", "REF_RANGE")
    assert m._.unit == "xULN"
    got = ents(nlp, "alanine aminotransferase (ALT) > 2.5×ULN")
    assert ("MEASUREMENT", "alanine aminotransferase", "alt") in got and ("MEASUREMENT", "ALT", "alt") in got
    alt = next(e for e in nlp("ALT > 2").ents if e.label_ == "MEASUREMENT")
    lexicon = nlp.get_pipe("elig_lexicon").lexicon  # the component's own Lexicon: no global table
    assert ("http://loinc.org", "1742-6") in {(c.system, c.code) for c in lexicon.get(alt._.concept_id).codes}


def test_pipeline_label_measurement_pair_of_analytes(nlp) -> None:  # type: ignore[no-untyped-def]
    got = {cid for _, _, cid in ents(nlp, "AST /ALT higher than 2.5 times of upper limit of normal value.")}
    assert {"ast", "alt"} <= got


def test_pipeline_label_conditions_and_infections(nlp) -> None:  # type: ignore[no-untyped-def]
    got = {cid for _, _, cid in ents(nlp, "HIV+, TPPA +, patients diagnosed as HBV or HCV.")}
    assert {"hiv", "syphilis", "hepatitis_b", "hepatitis_c"} <= got
    hiv = next(e for e in nlp("HIV+").ents if e._.concept_id == "hiv")
    assert hiv._.positive


def test_pipeline_label_coordinated_organs(nlp) -> None:  # type: ignore[no-untyped-def]
    got = {cid for _, _, cid in ents(nlp, "Severe heart, liver, or kidney dysfunction")}
    assert {"cardiac_dysfunction", "hepatic_dysfunction", "renal_dysfunction"} <= got


@pytest.mark.parametrize(("text", "expected"), [
    # a list after its head, introduced by "including (but not limited to)", "of", "such as"
    ("medical condition including, but not limited to, renal, hepatic, pulmonary, cerebral psychiatric disease",
     {"renal_dysfunction", "hepatic_dysfunction", "pulmonary_disease"}),  # NCT02328612
    ("underlying medical conditions (including but not limited to metabolism, kidney, liver, lung, heart, or infection)",
     {"renal_dysfunction", "hepatic_dysfunction", "pulmonary_disease", "cardiac_dysfunction"}),  # NCT04953572
    ("disease of heart, lung, kidney, blood", {"cardiac_dysfunction", "pulmonary_disease", "renal_dysfunction"}),
    # a plural item read in the singular: "drugs abuse" is drug abuse (NCT04569409)
    ("history of alcohol or drugs abuse", {"alcohol_abuse", "drug_abuse"}),
])
def test_pipeline_label_lists_sharing_a_head(nlp, text: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    assert expected <= {cid for _, _, cid in ents(nlp, text)}


@pytest.mark.parametrize(("text", "expected"), [
    ("history of heart disease, such as angina", {"cardiac_dysfunction"}),  # one example after the head is no list
    ("kidney disease of the elderly patients", {"renal_dysfunction"}),  # words after "of" that are no list
])
def test_pipeline_label_no_list_after_a_head(nlp, text: str, expected: set[str]) -> None:  # type: ignore[no-untyped-def]
    organs = {"renal_dysfunction", "hepatic_dysfunction", "pulmonary_disease", "cardiac_dysfunction"}
    assert {cid for _, _, cid in ents(nlp, text)} & organs == expected


def test_pipeline_label_therapy_pregnancy_trial_consent_judgement(nlp) -> None:  # type: ignore[no-untyped-def]
    assert one(nlp, "Those who have previously received other stem cell treatments;", "THERAPY")._.concept_id == "stem_cell_therapy"
    assert one(nlp, "Pregnancy.", "PREGNANCY")._.concept_id == "pregnancy"
    assert one(nlp, "Participation in another clinical trial within 3 months", "TRIAL_PARTICIPATION")
    assert one(nlp, "Written informed consent", "CONSENT")
    assert any(e.label_ == "JUDGEMENT" for e in nlp("Any other condition deemed unsuitable by the investigator").ents)


def test_pipeline_label_temporal(nlp) -> None:  # type: ignore[no-untyped-def]
    t = one(nlp, "History of epileptic seizures within 6 months prior to enrollment", "TEMPORAL")
    assert (t._.window_days, t._.relation, t._.anchor) == (183, "before", "enrollment")  # 6 x 30.4375
    t = one(nlp, "participation in any other stem cell study within the past year", "TEMPORAL")
    assert t._.window_days == 365


@pytest.mark.parametrize(
    ("text", "days", "low"),
    [
        ("within 3 months prior to enrollment", 91, None),
        ("in the past year", 365, None),
        ("at 12-24 weeks after onset", 168, 84),
        ("for at least three months", 91, None),
        ("within 14 days prior to receiving the test drug", 14, None),
        ("within 3-12 months before enrollment", 365, 91),
        ("in the last 3 months", 91, None),
        ("within 48 hours prior to surgery", 2, None),
        # an amount filler (time_units.json) between the number and its unit
        ("for a minimum of 4 consecutive weeks prior to enrollment", 28, None),  # NCT03197623
        ("for at least 4 consecutive hours", 0, None),  # NCT03369275 (days rounded)
        ("at least 12 calendar months after surgery", 365, None),  # constructed
        ("within the previous 2 continuous months", 61, None),  # constructed
    ],
)
def test_pipeline_temporal_windows(text: str, days: int, low) -> None:  # type: ignore[no-untyped-def]
    [t] = find_temporal(text)
    assert (t.days, t.days_low) == (days, low)


@pytest.mark.parametrize(("text", "relation"), [
    # a time "of" the disease's own onset or diagnosis runs after it (ctgov-msc NCT03371329,
    # NCT05308836, NCT01716481); "of" a trial event, before it
    ("enrolled within 72 hours of onset of stroke symptoms", "after"),
    ("within 12 months of diagnosis with T1D", "after"),
    ("within 90 days of the onset of symptoms", "after"),
    ("within 30 days of screening", "before"),
    ("within 4 weeks of the first dose", "before"),
    # "from" the trial's entry in a window looks back, as "of" does (LCT NCT02674399,
    # NCT05338099); from another event, after it (LCT NCT04527224 reads "within 14 days from
    # screening" back too; NCT03928015 "in the first 24 hours from admission", after)
    ("within 6 months from Screening", "before"),
    ("within 24 weeks from the screening", "before"),
    ("within 30 days from Visit 2", "before"),
    ("in the first 24 hours from admission", "after"),
    ("within 5 days from onset", "after"),
])
def test_pipeline_temporal_of_an_event_behind_runs_after_it(text: str, relation: str) -> None:
    [t] = find_temporal(text)
    assert t.relation == relation


def test_pipeline_temporal_amount_fillers_stand_between_a_number_and_its_unit() -> None:
    """A filler of time_units.json is read only between the amount and its time unit: "4
    consecutive hours" is 4 hours; "3 consecutive doses", "4 weekly visits" are no time."""
    [t] = find_temporal("for at least 4 consecutive hours")
    assert (t.value, t.unit, t.comparator) == (4, "h", ">=")
    assert not find_temporal("for 3 consecutive doses") and not find_temporal("4 weekly visits")


@pytest.mark.parametrize(("text", "value", "unit", "comparator"), [
    # a symbol comparator after "for", against the number or not (ctgov-msc NCT01967186, LCT: "for
    # > 4 weeks" 5 times, "for ≥1 year" 3 times in the corpora)
    ("insulin-dependence for > 5 years at the time of enrolment", 5, "a", ">"),
    ("Venous leg ulcers present for > 4 weeks", 4, "wk", ">"),
    ("Type 2 diabetes for ≥1 year", 1, "a", ">="),
    ("corticosteroids for <3 months", 3, "mo", "<"),
])
def test_pipeline_temporal_duration_with_a_symbol_comparator(text: str, value: float, unit: str, comparator: str) -> None:
    [t] = find_temporal(text)
    assert (t.value, t.unit, t.comparator) == (value, unit, comparator)


@pytest.mark.parametrize("text", [
    # a number of days in a month or a week is a frequency, no duration (LCT NCT03928288)
    "pelvic pain present for ≥ 14 days/month",
    "pain for at least 4 days per week",
])
def test_pipeline_temporal_a_rate_is_no_duration(text: str) -> None:
    assert not [t for t in find_temporal(text) if t.comparator is not None]


def test_pipeline_temporal_anchor_may_hold_a_concept(nlp) -> None:  # type: ignore[no-untyped-def]
    t = one(nlp, "other immunosuppressive agents within 14 days prior to receiving the trial drug", "TEMPORAL")
    assert t._.window_days == 14


# --- context ---------------------------------------------------------------------------------

def _flag(nlp, text: str, concept: str, flag: str) -> bool:  # type: ignore[no-untyped-def]
    [e] = [e for e in nlp(text).ents if e._.concept_id == concept]
    return bool(getattr(e._, flag))


@pytest.mark.parametrize(
    ("text", "concept", "flag", "expected"),
    [
        ("No history of malignancy", "malignancy", "negated", True),
        ("without active infection", "active_infection", "negated", True),
        ("Negative for HIV", "hiv", "negated", True),
        ("Has not received any chemotherapy", "chemotherapy", "negated", True),
        # a contraction's "n't" (LCT NCT03868527 "Patients who doesn't have hematological diseases"), straight or curly
        ("Patients who don't have diabetes", "diabetes", "negated", True),
        ("Patients who don’t have diabetes", "diabetes", "negated", True),
        ("Patients who can't walk because of stroke", "stroke", "negated", False),  # "can't", as "cannot", is no negation
        ("Malignancy", "malignancy", "negated", False),
        ("ALT no more than 2.5 x ULN", "alt", "negated", False),
        ("Current or past malignancy", "malignancy", "historical", True),
        ("History of epilepsy", "epilepsy", "historical", True),
        ("Those who have previously received other stem cell treatments", "stem_cell_therapy", "historical", True),
        ("Patients who plan to undergo surgery during the trial", "surgery", "hypothetical", True),
        ("Family history of epilepsy", "epilepsy", "family", True),
        ("malignant tumors (except cured non-melanoma skin cancer)", "non_melanoma_skin_cancer", "excepted", True),
        ("malignant tumors (except cured non-melanoma skin cancer)", "malignancy", "excepted", False),
    ],
)
def test_pipeline_context_rules(nlp, text: str, concept: str, flag: str, expected: bool) -> None:  # type: ignore[no-untyped-def]
    assert _flag(nlp, text, concept, flag) is expected


def test_pipeline_context_does_not_leak_between_criteria(nlp) -> None:  # type: ignore[no-untyped-def]
    docs = list(nlp.pipe(["No history of epilepsy", "Malignancy"]))
    assert [e._.negated for e in docs[1].ents] == [False]


# --- serialisation, loading ------------------------------------------------------------------

def test_pipeline_doc_to_bytes_round_trip(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("No history of malignancy; ALT > 2.5×ULN within 3 months prior to enrollment")
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert [(e.label_, e._.concept_id, e._.negated, e._.value, e._.window_days) for e in again.ents] == [
        (e.label_, e._.concept_id, e._.negated, e._.value, e._.window_days) for e in doc.ents
    ]


def test_pipeline_n_process_2_matches_one_process(nlp) -> None:  # type: ignore[no-untyped-def]
    texts = ["HIV+", "No history of malignancy", "ALT > 2.5×ULN", "Aged 16-65 years."] * 8
    one_proc = [[(e.label_, e.text, e._.negated) for e in d.ents] for d in nlp.pipe(texts)]
    two_proc = [[(e.label_, e.text, e._.negated) for e in d.ents] for d in nlp.pipe(texts, n_process=2, batch_size=4)]
    assert one_proc == two_proc


def test_pipeline_to_disk_and_spacy_load_in_fresh_process(nlp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    nlp.to_disk(tmp_path / "pipe")
    code = (
        "import sys, spacy, json\n"
        "assert 'nlp' not in sys.modules\n"
        "nlp = spacy.load(sys.argv[1])  # finds the elig_ factories through entry points\n"
        "d = nlp('No history of HIV; ALT > 2.5×ULN')\n"
        "print(json.dumps([(e.label_, e.text, e._.concept_id, e._.negated) for e in d.ents]))\n"
    )
    res = subprocess.run([sys.executable, "-c", code, str(tmp_path / "pipe")], capture_output=True,
                         text=True, cwd=tmp_path, timeout=120)
    assert res.returncode == 0, res.stderr
    loaded = json.loads(res.stdout)
    here = [[e.label_, e.text, e._.concept_id, e._.negated] for e in nlp("No history of HIV; ALT > 2.5×ULN").ents]
    assert loaded == here
    assert ["CONDITION", "HIV", "hiv", True] in loaded


def test_pipeline_component_names_and_registry(nlp) -> None:  # type: ignore[no-untyped-def]
    # the trained NER (models/ner) in front of the rule components it feeds
    assert nlp.pipe_names == ["tok2vec", "ner", "elig_lexicon", "elig_temporal", "elig_values", "elig_context"]
    assert (ROOT / "nlp" / "resources" / "pipeline.cfg").exists()
    from nlp.pipeline import load_pipeline

    assert load_pipeline(ner=False).pipe_names == ["elig_lexicon", "elig_temporal", "elig_values", "elig_context"]


def test_pipeline_model_span_no_rule_claims_is_linked_or_kept_unlinked(nlp) -> None:  # type: ignore[no-untyped-def]
    """The NER's spans give way to rule spans; those left are linked (a near neighbour must
    cover every word of the term it links to) or kept with no concept, marked ``source`` "model"."""
    from nlp.pipeline.annotate import pipeline_lexicon
    from nlp.pipeline.linker import ConceptLinker

    linker = ConceptLinker(pipeline_lexicon(nlp))
    assert linker.link("myocardial infarct", "CONDITION").concept_id == "myocardial_infarction"  # type: ignore[union-attr]
    assert linker.link("treatment", "THERAPY") is None  # not "cell treatment"
    assert linker.link("myocardial infarct", "THERAPY") is None  # a condition is no therapy
    # a short capitalised token is part of a name: "disease" alone is no "Hb-S/Hb-C disease"
    # (NCT03298763: "no evidence of disease for > 3 years"), the name with its marks still links
    assert linker.link("disease", "CONDITION") is None
    assert linker.link("Hb-S/Hb-C diseases", "CONDITION").concept_id == "icd10cm_d57_2"  # type: ignore[union-attr]
    # no source's fragment ("an inhibitor", an angiogenesis inhibitor's name in the drug source) is a term:
    # LCT NCT03923140 "IL-1 inhibitor" is an interleukin inhibitor, "inhibitor" alone none
    assert linker.link("IL-1 inhibitor", "THERAPY").concept_id == "drug_interleukin_inhibitors"  # type: ignore[union-attr]
    assert linker.link("inhibitor", "THERAPY") is None
    assert linker.link("penicillin", "THERAPY").concept_id == "penicillin"  # type: ignore[union-attr]  # not amdinocillin's "penicillin hx"
    # a curated name keeps its near neighbours ("systolic" is "systolic bp": NCT01874665 "systolic >150 mmHg")
    assert linker.link("systolic", "MEASUREMENT").concept_id == "systolic_blood_pressure"  # type: ignore[union-attr]
    # a hyphen the vocabulary's name has not (NCT02589119 "auto-immunity"; "anti-phospholipid syndrome")
    assert linker.link("anti-phospholipid syndrome", "CONDITION").concept_id == "icd10cm_d68_61"  # type: ignore[union-attr]
    assert linker.link("anti-phospholipid syndrome", "THERAPY") is None  # still a condition
    # a curated name its terms leave out as ambiguous: the model's label says which (NCT03926806
    # "Receiving insulin"); not a measurement, nor an abbreviation-like name in lower case
    assert linker.link("insulin", "THERAPY").concept_id == "insulin"  # type: ignore[union-attr]
    assert linker.link("insulin", "MEASUREMENT") is None
    assert linker.link("sofa", "MEASUREMENT") is None  # "SOFA" is the score's abbreviation, matched as written
    for doc in nlp.pipe(["requiring home oxygen", "No history of HIV"]):
        for e in doc.ents:
            assert e._.source in ("rules", "model")
            if e._.source == "model":
                assert not any(r._.source == "rules" and r.start < e.end and e.start < r.end for r in doc.ents)


def test_linker_candidates_by_key_subsets_are_those_of_a_scan_of_every_key(nlp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A span's candidates come from the keys made of its own word prefixes (subsets, up to
    ``_SUBSETS_UP_TO`` prefixes) or, for a longer span, from a scan of every key: both give the
    same terms, curated and imported, and so the same link."""
    from nlp.pipeline import linker as linker_mod
    from nlp.pipeline.annotate import pipeline_lexicon

    linker = linker_mod.ConceptLinker(pipeline_lexicon(nlp))
    spans = ["chronic venous leg ulcers", "myocardial infarct", "amphetamines", "systolic", "kidney transplantation"]
    for span in spans:
        for allowed in linker_mod.CATEGORIES.values():
            prefixes = frozenset(w[:4] for w in linker_mod._WORD.findall(span))
            by_keys = linker._candidates(prefixes, allowed)
            monkeypatch.setattr(linker_mod, "_SUBSETS_UP_TO", 0)
            scanned = linker._candidates(prefixes, allowed)
            monkeypatch.undo()
            assert sorted(by_keys) == sorted(scanned)
            assert len(set(by_keys)) == len(by_keys)  # a term under one key only
    ix = linker._index
    assert ix["offset"] > 0 and len(ix["terms"]) > ix["offset"]  # curated terms, then the imported ones
    assert linker._candidates(frozenset(["myoc", "infa"]), ("condition",))  # found, and ...
    assert not linker._candidates(frozenset(["myoc", "infa"]), ("therapy",))  # ... only in its category


def test_linker_nearest_is_the_best_cosine_over_every_candidate(nlp) -> None:  # type: ignore[no-untyped-def]
    """``_nearest`` skips the terms too short to reach the threshold (a term has at most as many
    3-grams as characters): what it links is what comparing every candidate gives."""
    from nlp.pipeline import linker as linker_mod
    from nlp.pipeline.annotate import pipeline_lexicon

    linker = linker_mod.ConceptLinker(pipeline_lexicon(nlp))
    ix = linker._index

    def brute(text: str, allowed: tuple[str, ...]) -> str | None:
        span = text.lower()
        q = linker_mod._trigrams(span)
        tokens = set(linker_mod._TOKEN.findall(span))
        best, best_i = 0.0, -1
        for i in linker._candidates(frozenset(w[:4] for w in linker_mod._WORD.findall(span)), allowed):
            if not linker_mod._words_covered(ix["terms"][i], span) or not tokens.issuperset(linker._marks_of(i)):
                continue
            t = linker_mod._trigrams(ix["terms"][i])
            sim = len(q & t) / ((len(q) * len(t)) ** 0.5 or 1.0)
            if sim > best or (sim == best and i < best_i):
                best, best_i = sim, i
        return ix["ids"][best_i] if best >= linker_mod.NGRAM_THRESHOLD else None

    spans = ["myocardial infarct", "amphetamines", "chronic venous leg ulcers", "Hb-S/Hb-C diseases",
             "systolic", "kidney transplantations", "severe chronic obstructive pulmonary diseases",
             "treatment", "disease", "hepatitis b infections", "anti-thymocyte globulins"]
    linked = 0
    for text in spans:
        for allowed in set(linker_mod.CATEGORIES.values()):
            got = linker._nearest(text, allowed)
            assert (got.concept_id if got else None) == brute(text, allowed), (text, allowed)
            linked += got is not None
    assert linked >= 3


def test_pipeline_sourced_ner_finds_what_the_trained_model_finds(nlp) -> None:  # type: ignore[no-untyped-def]
    """The pipeline sources the NER's components from a copy of the model loaded on a bare
    tokenizer (its own is never run there): the spans are the full model's, on the pipeline's
    tokens."""
    from nlp.pipeline.model_ner import load_ner_components, load_ner_model

    texts = ["Patients with chronic obstructive pulmonary disease treated with rituximab",
             "History of myocardial infarction or unstable angina within 6 months",
             "Prior treatment with tyrosine kinase inhibitors or intra-aortic balloon pump"]
    model = load_ner_model()
    ner_only = [n for n in nlp.pipe_names if n not in ("tok2vec", "ner")]
    with nlp.select_pipes(disable=ner_only):
        ours = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(texts)]
    theirs = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in model.pipe(texts)]
    assert ours == theirs and any(ours)
    assert len(load_ner_components().tokenizer("a,b c")) == 2  # whitespace only: never used to tokenize



def test_pipeline_context_cue_test_is_the_cue_expression(nlp) -> None:  # type: ignore[no-untyped-def]
    """ConText runs only where a cue word stands; the word-set test says what one expression of
    every cue, between word boundaries and case aside, says."""
    import re

    ctx = nlp.get_pipe("elig_context")
    ctx._build()
    words = sorted({r["literal"].lower() for r in ctx.rules if r["literal"].strip(";")}, key=len, reverse=True)
    whole = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in [*words, "negative", "neg"]) + r")\b", re.I)
    texts = ["No history of HIV", "HIV-negative", "Negative pregnancy test", "history of stroke", "Hemoglobin > 9 g/dL",
             "ruled out by biopsy", "free of disease for 5 years", "nonsmoker", "denies chest pain", "NO EVIDENCE OF disease",
             *(r["literal"] for r in ctx.rules[:60]), *(r["literal"] + "s" for r in ctx.rules[:60])]
    assert [ctx._has_cue(t) for t in texts] == [bool(whole.search(t)) for t in texts]


def test_pipeline_loads_without_quickumls_and_leaves_it_importable() -> None:
    """Cold start: medspaCy's ConText is loaded without QuickUMLS/NLTK/SciPy (about 1.5 s), and
    the placeholder used for that never leaks: a later ``import quickumls`` is the real one."""
    code = (
        "import sys\n"
        "from nlp.pipeline import load_pipeline\n"
        "nlp = load_pipeline()\n"
        "doc = nlp('no history of HIV infection')\n"
        "assert [e._.negated for e in doc.ents] == [True], [(e.text, e._.negated) for e in doc.ents]\n"
        "heavy = sorted(m for m in ('quickumls', 'nltk', 'scipy.stats') if m in sys.modules)\n"
        "import quickumls\n"
        "print(heavy, hasattr(quickumls, 'QuickUMLS'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[] True"


@pytest.mark.parametrize(("text", "age", "constraints"), [
    ("Patients 18 years and above", "18 years and above", [(">=", 18.0, "a")]),
    ("Children older than 6 years", "older than 6 years", [(">", 6.0, "a")]),
    ("Adults 18 and older", "18 and older", [(">=", 18.0, "a")]),
    ("Younger than 18 or older than 70 years old", "Younger than 18", [("<", 18.0, "a"), (">", 70.0, "a")]),
    ("Men and women ≥ 18 years", "≥ 18 years", [(">=", 18.0, "a")]),
])
def test_pipeline_age_without_the_word_age(text: str, age: str, constraints: list) -> None:  # type: ignore[type-arg]
    from nlp.analyze import parse_record
    from nlp.core.normal import criterion_facets
    from nlp.records import TrialRecord

    doc = parse_record(TrialRecord(source="t", format="text", eligibility_text=f"Inclusion Criteria:\n- {text}\n"),
                       load_pipeline())
    [crit] = doc.criteria
    assert age in [e.text for e in crit.entities if e.label == "AGE"]
    assert [(k.comparator, k.value, k.unit) for k in criterion_facets(crit) if k.kind == "age"] == constraints


@pytest.mark.parametrize("text", [
    "Patients at least 6 months after Buerger's disease",  # a time since an event
    "Participants ≥2 years from completion of radiation therapy",
    "take care of the subject no less than 3 days a week",
    "disease duration of 5 years or more",
])
def test_pipeline_durations_are_not_ages(text: str) -> None:
    doc = load_pipeline()(text)
    assert [e.text for e in doc.ents if e.label_ == "AGE"] == []


@pytest.mark.parametrize(("text", "concept"), [
    # a capital letter that ends a sentence is no initial: "C." splits, so "hepatitis C" matches (NCT02013674)
    ("Be serum positive for HIV or viremic hepatitis C.", "hepatitis_c"),
    ("Metastatic GIST", "gastrointestinal_stromal_tumor"),  # the standard abbreviation (NCT01874665)
])
def test_pipeline_concept_at_the_end_of_a_sentence(nlp, text: str, concept: str) -> None:  # type: ignore[no-untyped-def]
    assert concept in {e.kb_id_ for e in nlp(text).ents}


@pytest.mark.parametrize(("text", "tokens"), [
    # full-width brackets split like ASCII ones (NCT02745808 "peak systolic velocity（PSV）")
    ("velocity（PSV）", ["velocity", "（", "PSV", "）"]),
    ("治疗；B", ["治疗", "；", "B"]),
    ("velocity (PSV)", ["velocity", "(", "PSV", ")"]),
])
def test_pipeline_full_width_punctuation_splits(nlp, text: str, tokens: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert [t.text for t in nlp.tokenizer(text)] == tokens


def test_pipeline_tokenizer_keeps_the_text_it_was_given(nlp) -> None:  # type: ignore[no-untyped-def]
    from nlp.pipeline.tokenizer import TEXT_KEY

    text = "ALT > 2.5×ULN;  HIV+ (TPPA+)\n"
    doc = nlp.make_doc(text)
    assert doc.user_data[TEXT_KEY] == text == doc.text


def test_pipeline_rule_components_pipe_as_they_call(nlp) -> None:  # type: ignore[no-untyped-def]
    """Every rule component offers ``pipe`` (the Docs mapped through ``__call__``): ``nlp.pipe``
    and one ``nlp(text)`` per text tag the same entities, and no text is left in ``user_data``."""
    from nlp.pipeline.tokenizer import TEXT_KEY

    texts = ["ALT > 2.5 x ULN", "No history of myocardial infarction within 6 months",
             "Age 18 years of age or older", "Pregnant or breastfeeding women are excluded"]
    assert all(hasattr(proc, "pipe") for name, proc in nlp.pipeline if name.startswith("elig_"))
    piped = list(nlp.pipe(texts, batch_size=2))
    one = [nlp(t) for t in texts]
    assert [[(e.start, e.end, e.label_, e._.concept_id, e._.negated) for e in d.ents] for d in piped] == \
        [[(e.start, e.end, e.label_, e._.concept_id, e._.negated) for e in d.ents] for d in one]
    assert all(TEXT_KEY not in d.user_data for d in piped + one)


def test_temporal_offset_scan_finds_what_finditer_finds() -> None:
    """The offset pattern is tried only at word and symbol starts just before each time amount
    (``nlp.pipeline.temporal._matches``): on every LCT document and constructed edge cases it finds
    exactly the matches ``finditer`` finds."""
    from conftest import SHARED

    from nlp.pipeline import temporal

    [rx] = [rx for rx, kind in temporal._PATTERNS if kind == "offset"]
    texts = ["no more than 3 months before screening", "at 12-24 weeks after onset; 6 months ago",
             "3 months after stroke and for at least 2 weeks prior to the first dose", "(< 6 months) ago",
             "within the past 2 years before enrollment, 4 weeks after surgery"]
    lct = SHARED / "data" / "lct" / "brat"
    texts += [p.read_text(encoding="utf-8") for p in sorted(lct.glob("*.txt"))[:200]] if lct.is_dir() else []
    for text in texts:
        assert [m.span() for m in temporal._matches(rx, "offset", text)] == [m.span() for m in rx.finditer(text)], text[:80]


def test_pipeline_model_spans_of_function_words_are_no_entities(nlp) -> None:  # type: ignore[no-untyped-def]
    """The statistical NER tagged "etc." (65 times in ctgov-msc and LCT) and "Although": no
    entity; an acronym in capitals ("ALL", acute lymphoblastic leukaemia) stays."""
    from spacy.tokens import Span

    from nlp.pipeline.components import _function_words_only

    doc = nlp.make_doc("cirrhosis, etc. Although ALL well enough from")
    assert _function_words_only(Span(doc, 2, 3, label="CONDITION"))  # etc.
    assert _function_words_only(Span(doc, 3, 4, label="CONDITION"))  # Although
    assert _function_words_only(Span(doc, 5, 8, label="CONDITION"))  # well enough from
    assert not _function_words_only(Span(doc, 4, 5, label="CONDITION"))  # ALL
    assert not _function_words_only(Span(doc, 0, 1, label="CONDITION"))  # cirrhosis


@pytest.mark.parametrize(("text", "concept", "found"), [
    # a malignant or neoplastic lesion, nodule, growth or process is a malignancy (ctgov-msc
    # NCT02574572, NCT03276312, NCT04289194, NCT05549609)
    ("Immunodeficiency, autoimmune diseases and neoplastic processes", "malignancy", True),
    ("Target wound diagnosed as a malignant wound, neuropathic wound, pressure wound or osteomyelitis", "malignancy", True),
    ("malignant nodules on imaging", "malignancy", True),
    # a specimen of it is no diagnosis (LCT NCT03860376), nor is what a bound prefix makes
    # another thing of, for the lexicon as for the NER's span (ctgov-msc NCT05162326)
    ("The amount of excised malignant tissue is not sufficient for the ex vivo drug testing", "malignancy", False),
    ("Subjects with persistent pre-cancerous lesions (e.g., actinic keratosis).", "malignancy", False),
    ("malignant hyperthermia", "malignancy", False),
    # the registry's spellings of multiple organ failure (MeSH D009102; ctgov-msc NCT05003388 and 18
    # more, NCT05092724, NCT04492501, NCT05433298, NCT05354141)
    ("Chronic multisystem organ failure", "multiple_organ_failure", True),
    ("Patients with hemodynamic instability or multiorgan failure", "multiple_organ_failure", True),
    ("Multi organ failure", "multiple_organ_failure", True),
    ("multiple organ dysfunction syndrome;", "multiple_organ_failure", True),
    ("Multi-organ dysfunction/failure", "multiple_organ_failure", True),
    # a score named after it is no diagnosis (dev NCT03369275)
    ("organ hypoperfusion, as defined by the modified Multiple Organ Dysfunction Score (MODS)", "multiple_organ_failure", False),
    # the failure or dysfunction of any organ, as exclusions write it (ctgov-msc NCT05132972,
    # NCT02923375, NCT01877759, NCT04414592, NCT04371393, NCT01436058, NCT01606215; LCT NCT03925298)
    ("Organ failure", "organ_failure", True),
    ("Terminal organ failure.", "organ_failure", True),
    ("Vital organs failure", "organ_failure", True),
    ("Shock, failure of vital organs or unstable vital signs;", "organ_failure", True),
    ("Any end-stage organ disease which in the opinion of the investigator may possibly affect the safety", "organ_failure", True),
    ("End organ damage", "organ_dysfunction", True),
    ("Any significant organ dysfunction or co-morbidity", "organ_dysfunction", True),
    ("serious heart, lung, kidney or other organ dysfunction.", "organ_dysfunction", True),
    # an organ's own failure stays its own concept; a transplanted organ is no failure
    ("Liver failure", "organ_failure", False),
    ("History of solid organ transplantation", "organ_failure", False),
])
def test_pipeline_condition_terms_of_a_family(nlp, text: str, concept: str, found: bool) -> None:  # type: ignore[no-untyped-def]
    assert (concept in {e._.concept_id for e in nlp(text).ents}) is found


def test_organ_failure_classes_hold_each_organs_failure() -> None:
    """The failure of one organ is a kind of organ failure, and organ failure a kind of organ
    dysfunction, so an exclusion of "any organ failure" catches a patient's renal failure and one
    of "organ dysfunction" a hepatic dysfunction (lexicon: organ_failure, organ_dysfunction)."""
    from nlp.core.lexicon import Lexicon

    lx = Lexicon.load()
    for failure in ("liver_failure", "renal_failure", "heart_failure", "respiratory_failure", "multiple_organ_failure"):
        assert {"organ_failure", "organ_dysfunction"} <= set(lx.ancestors(failure)), failure
    for dysfunction in ("hepatic_dysfunction", "renal_dysfunction", "cardiac_dysfunction"):
        assert "organ_dysfunction" in lx.ancestors(dysfunction) and "organ_failure" not in lx.ancestors(dysfunction)


def test_pipeline_ais_with_a_grade_is_the_asia_scale_alone_an_ischemic_stroke(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT02981576 "Complete spinal cord injury grade AIS-A or -B", NCT04520373 "AIS grade A or B of SCI":
    # the ASIA Impairment Scale, which required an ischemic stroke of every patient of these trials
    for text, span in (("Complete spinal cord injury grade AIS-A or -B, or incomplete C", "AIS-A"),
                       ("AIS grade A or B of SCI at the time of injury", "AIS grade")):
        ents = {e.text: e.kb_id_ for e in nlp(text).ents}
        assert ents.get(span) == "asia_impairment_scale", ents
        assert "ischemic_stroke" not in ents.values()
    assert {e.text: e.kb_id_ for e in nlp("Acute ischemic stroke (AIS) within 24 hours").ents}.get("AIS") == "ischemic_stroke"


def test_pipeline_prothrombin_is_no_therapy(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT05507762 "The activity of prothrombin was more than 60%", NCT02439541 "abnormal prothrombin or
    # partial thromboplastin time": the drug source's "prothrombin" (classes.json drop_terms, with the
    # other lab analytes it lists as drugs: albumin, hemoglobin) required or excluded it as a therapy
    for text in ("The activity of prothrombin was more than 60%", "Clinical significant abnormal prothrombin or partial thromboplastin time"):
        assert not [e for e in nlp(text).ents if e.label_ == "THERAPY"], text


def test_pipeline_research_agents_are_investigational(nlp) -> None:  # type: ignore[no-untyped-def]
    # NCT02923375, NCT04537351 "any investigational research agent within 30 days", NCT03550183 "received
    # other research medication within 90 days", NCT04385056 "treated with another research product"
    for text in ("Have received any investigational research agent within 30 days", "received other research medication",
                 "treated with another research product 30 days prior to the screening"):
        assert "investigational_drug" in {e.kb_id_ for e in nlp(text).ents}, text
