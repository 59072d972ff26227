"""An analyte the statistical NER finds and no vocabulary has keeps the threshold nothing else
reads, under its name as written, with no code: the criterion says it is not computable and why,
and the matcher leaves it to a person (never a failure). Sources: set 1 and 2 of
annotations/heldout and ctgov-msc records, cited per case."""

from __future__ import annotations

import pytest

from nlp.constraints.builder import build_criterion
from nlp.core.constraints import MeasurementConstraint
from nlp.core.entity import Entity
from nlp.core.labels import Label
from nlp.core.lexicon import UNCODED
from nlp.core.normal import facets
from nlp.criteria import split_criteria
from nlp.evaluation.facts import _name_core, fact_matches, same_quantity_name
from nlp.pipeline.annotate import annotate_criteria


def _built(nlp, text: str, analyte: str, section: str = "inclusion", label: Label = Label.MEASUREMENT):  # type: ignore[no-untyped-def]
    """The criterion ``text`` read with its rule entities and a model span over ``analyte`` that no
    vocabulary links (what the NER gives; hand-made here so the test does not hang on the model)."""
    header = "Inclusion" if section == "inclusion" else "Exclusion"
    split = split_criteria(f"{header} Criteria:\n- {text}\n")
    [crit] = split.criteria
    rules = [e for e in annotate_criteria(nlp, split.criteria)[crit.id] if e.source == "rules"]
    full = f"{header} Criteria:\n- {text}\n"
    at = full.index(analyte)
    span = Entity(label=label, text=analyte, start=at, end=at + len(analyte), source="model")
    ents = sorted([*rules, span], key=lambda e: (e.start, e.end))
    return (build_criterion(crit.id, crit.section, ents, full, (crit.start, crit.end)),
            build_criterion(crit.id, crit.section, rules, full, (crit.start, crit.end)))


def _uncoded(built) -> list[tuple[str, float | None, float | None, str | None]]:  # type: ignore[no-untyped-def]
    return [(c.concepts.concept.name, c.range.low, c.range.high, c.range.unit) for c in built.constraints
            if isinstance(c, MeasurementConstraint) and c.concepts.concept.id.startswith(UNCODED)]


@pytest.mark.parametrize(("text", "analyte", "expected"), [
    ("ankle pressure ≤ 70 mm Hg", "ankle pressure", [("ankle pressure", None, 70.0, "mm[Hg]")]),  # NCT00883870
    ("Presence of ≥ 20% anti-HLA antibody titers", "anti-HLA antibody titers",  # NCT00721045
     [("anti-HLA antibody titers", 20.0, None, "%")]),
    ("OSDI-score ≥ 33", "OSDI-score", [("OSDI-score", 33.0, None, None)]),  # NCT04615455: a scale, by its name
    ("NIKBUT < 10 sec", "NIKBUT", [("NIKBUT", None, 10.0, "s")]),  # NCT04615455
])
def test_uncoded_analyte_keeps_its_threshold(nlp, text: str, analyte: str, expected) -> None:  # type: ignore[no-untyped-def]
    built, _ = _built(nlp, text, analyte)
    assert _uncoded(built) == expected
    assert not built.computable
    assert built.reason == (f"not computable: no code for the analyte '{analyte}' in the vocabularies "
                            "(its threshold is read under the name as written)")
    [c] = built.constraints
    assert (c.provenance.source, c.provenance.rule) == ("model", "model:uncoded")  # never a certain reading


@pytest.mark.parametrize(("text", "analyte", "expected"), [
    # a bare number with a comparator right after the name, ending the phrase (LCT NCT03866148,
    # NCT03868358, NCT03860584)
    ("AHI >15", "AHI", [("AHI", 15.0, None, None)]),
    ("estimated intelligence quotient <80", "estimated intelligence quotient", [("estimated intelligence quotient", None, 80.0, None)]),
    ("Serum Endotoxin >25, measured at screening", "Serum Endotoxin", [("Serum Endotoxin", 25.0, None, None)]),
])
def test_uncoded_analyte_takes_an_adjoining_bare_number(nlp, text: str, analyte: str, expected) -> None:  # type: ignore[no-untyped-def]
    built, _ = _built(nlp, text, analyte)
    assert _uncoded(built) == expected


@pytest.mark.parametrize(("text", "analyte"), [
    ("AHI >15 events", "AHI"),  # the number counts the word after it
    ("AHI of patients >15", "AHI"),  # not right after the name
    ("AHI 15", "AHI"),  # no comparator: a number of anything
])
def test_uncoded_analyte_takes_no_bare_number_apart_from_it(nlp, text: str, analyte: str) -> None:  # type: ignore[no-untyped-def]
    built, _ = _built(nlp, text, analyte)
    assert [u for u in _uncoded(built) if u[0] == analyte] == []


@pytest.mark.parametrize(("text", "analyte", "label", "expected"), [
    # a quantity the NER took for a condition or a procedure, its name ending in a word that names a
    # quantity or a scale (LCT NCT03923218, NCT03866746)
    ("Gingival index <1", "Gingival index", Label.CONDITION, [("Gingival index", None, 1.0, None)]),
    ("central macular thickness (CMT) more than 250 µm", "central macular thickness (CMT)", Label.PROCEDURE,
     [("central macular thickness (CMT)", 250.0, None, "um")]),
    # a level of what its name says is graded (NCT03477942)
    ("MRI with Outerbridge Grade 4 focal chondral defect", "Outerbridge Grade", Label.CONDITION, [("Outerbridge Grade", 4.0, 4.0, "{score}")]),
])
def test_uncoded_analyte_mislabelled_by_the_ner_is_read_by_its_name(nlp, text: str, analyte: str, label, expected) -> None:  # type: ignore[no-untyped-def]
    built, _ = _built(nlp, text, analyte, label=label)
    assert _uncoded(built) == expected


@pytest.mark.parametrize(("text", "analyte"), [
    ("Internet gaming disorder ≥ 5", "Internet gaming disorder"),  # LCT NCT03868488: a condition's name, no quantity's
    ("asthenozoospermia < 32%", "asthenozoospermia"),  # LCT NCT03864198
    # a level of a scale after a kind's name: what kind, no quantity (NCT02492308, LCT NCT03861065)
    ("Sensitized patients (most recent anti-HLA Class I or II Panel Reactive Antibodies (PRA)>10%)", "anti-HLA Class"),
    ("Patients with high risk class II, class III, class IV abdominal wounds", "high risk class"),
    # a quantity's name, but the value is not right after it (NCT03211793, NCT04042844)
    ("At least one active digital ulcer (painful area, >2 mm in diameter with visible depth and loss of dermis)", "visible depth"),
    ("A high index of suspicion for discogenic pain, (i.e., painful degenerative disc(s) with or without protrusions < 5 mm)",
     "high index"),
])
def test_uncoded_analyte_a_condition_named_so_takes_no_value(nlp, text: str, analyte: str) -> None:  # type: ignore[no-untyped-def]
    built, _ = _built(nlp, text, analyte, label=Label.CONDITION)
    assert _uncoded(built) == []
    assert f"'{analyte}'" in (built.reason or "")


@pytest.mark.parametrize(("text", "analyte"), [
    # a bare number of what is no scale: the count of something else (NCT04073472)
    ("Branching fistula tract that has > 2 internal openings", "Branching fistula"),
    # a name that says nothing alone (NCT05501418, NCT02530047)
    ("serum level > 4.0 mg/dL", "serum level"),
    ("Stage I or II", "Stage"),
    # a time: a course's or a window's, never an analyte's reading (NCT02290041)
    ("undetectable viraemia for ≥ 1 year", "viraemia"),
    # a level of a scale given to what is no scale (NCT03867916)
    ("FOR PILOT: has stage I-III colorectal cancer", "FOR PILOT"),
])
def test_uncoded_analyte_takes_no_value_it_cannot_have(nlp, text: str, analyte: str) -> None:  # type: ignore[no-untyped-def]
    built, _ = _built(nlp, text, analyte)
    # the analyte takes no value; a count the rules read is another quantity ("number of internal
    # openings", tests/unit/test_quantities.py)
    assert [u for u in _uncoded(built) if not u[0].startswith("number of ")] == []
    assert f"'{analyte}'" in (built.reason or "")  # still named: never dropped in silence


@pytest.mark.parametrize(("text", "analyte"), [
    # the grade is the ACLF's: a reading that changes any other constraint is not taken (NCT03860155)
    ("ACLF of grade 2 or 3 according to EASL-CLIF definition", "EASL-CLIF definition"),
    # a value named with a coded analyte is that analyte's alone (NCT01305694)
    (("Peripheral blood counts at the time of enrollment must include at least one of the following: "
      "haemoglobin < 90 g/L"), "Peripheral blood counts"),
])
def test_uncoded_analyte_takes_nothing_another_reads(nlp, text: str, analyte: str) -> None:  # type: ignore[no-untyped-def]
    built, without = _built(nlp, text, analyte)
    assert without.constraints, "the coded reading this case guards"
    assert _uncoded(built) == []
    assert [c.model_dump(exclude={"id"}) for c in built.constraints] == [c.model_dump(exclude={"id"}) for c in without.constraints]


def test_uncoded_analyte_only_the_nearest_of_several_takes_a_value(nlp) -> None:  # type: ignore[no-untyped-def]
    """Nothing says two analytes no vocabulary has are coordinated: the value is the nearest's
    (NCT03169231: "(Gold classification), and/or PaO2 levels <60 mmHg"; PaO2 is now coded, so an
    analyte no vocabulary has stands in its place)."""
    text = "chronic obstructive lung disease stage III or IV (Gold classification), and/or ankle pressure levels <60 mmHg"
    header = "Exclusion Criteria:\n- "
    full = f"{header}{text}\n"
    split = split_criteria(full)
    [crit] = split.criteria
    rules = [e for e in annotate_criteria(nlp, split.criteria)[crit.id] if e.source == "rules"]
    spans = [Entity(label=Label.MEASUREMENT, text=a, start=full.index(a), end=full.index(a) + len(a), source="model")
             for a in ("Gold classification", "ankle pressure levels")]
    built = build_criterion(crit.id, crit.section, sorted([*rules, *spans], key=lambda e: (e.start, e.end)), full, (crit.start, crit.end))
    assert _uncoded(built) == [("ankle pressure levels", None, 60.0, "mm[Hg]")]


def test_uncoded_analyte_beside_coded_constraints_is_named(nlp) -> None:  # type: ignore[no-untyped-def]
    built, _ = _built(nlp, "ankle pressure ≤ 70 mm Hg and platelets > 100,000/mm3", "ankle pressure")
    assert built.computable and _uncoded(built) == [("ankle pressure", None, 70.0, "mm[Hg]")]
    assert any(isinstance(c, MeasurementConstraint) and c.concepts.concept.id == "platelets" for c in built.constraints)
    assert built.reason == ("partly not computable: no code for the analyte 'ankle pressure' in the vocabularies "
                            "(its threshold is read under the name as written)")


def test_uncoded_analyte_is_left_to_a_person(nlp) -> None:  # type: ignore[no-untyped-def]
    """No record can hold what has no code: unknown, whatever the patient's observations are named."""
    from nlp.matching.evaluate import Matcher
    from nlp.matching.patient import Patient

    built, _ = _built(nlp, "anti-HLA antibody titers >= 20%", "anti-HLA antibody titers", "exclusion")
    [c] = built.constraints
    patient = Patient.model_validate({"id": "p", "as_of": "2026-01-01", "birth_date": "1980-01-01", "sex": "female",
                                      "observations": [{"name": "anti-HLA antibody titers", "value": 50.0, "unit": "%",
                                                        "date": "2025-12-01"}]})
    res = Matcher().evaluate(c, patient)
    assert res.verdict == "unknown"
    assert res.reason == "anti-HLA antibody titers has no code in the vocabularies: compare the record by hand"


@pytest.mark.parametrize(("ours", "key", "same"), [
    ("OSDI-score", "OSDI", True),  # NCT04615455
    ("ICGR 15", "ICG-R15", True),  # NCT04453111
    ("anti-HLA antibody titers", "anti-HLA antibody titer", True),  # NCT00721045
    ("RHI score", "RHI", True),  # NCT02107118
    ("Left Ventricle wall thickness", "left ventricular wall thickness", False),  # another word: not the same name
    ("PMN", "ANC", False),
])
def test_uncoded_analyte_name_as_the_scorer_compares_it(ours: str, key: str, same: bool) -> None:
    assert (_name_core(ours) == _name_core(key)) is same


@pytest.mark.parametrize(("ours", "key", "same"), [
    ("Renal tubulointerstitial fibrosis", "tubulointerstitial fibrosis", True),  # dev NCT03460223, at one quote
    ("hypocellular bone marrow cellularity", "bone marrow cellularity", True),  # NCT01305694
    ("lesion area", "cartilage lesion area", True),  # NCT05016011
    ("single lesion area", "cartilage lesion area", False),  # another word before the shared ones
    ("area", "lesion area", False),  # one word alone
    ("longest diameter", "ulcer longest diameter", False),  # a dimension word and its qualifier name nothing
    ("Left Ventricle wall thickness", "left ventricular wall thickness", False),
    ("number of drugs", "number of drug or food allergies", False),
])
def test_uncoded_analyte_names_ending_one_another_are_one_quantity(ours: str, key: str, same: bool) -> None:
    assert same_quantity_name(ours, key) is same and same_quantity_name(key, ours) is same


def test_uncoded_analyte_is_credited_by_its_name(nlp) -> None:  # type: ignore[no-untyped-def]
    built, _ = _built(nlp, "ICGR 15 >30%", "ICGR 15", "exclusion")  # NCT04453111
    [facet] = [f for c in built.constraints for f in facets(c)]
    fact = {"kind": "measurement", "analyte": "indocyanine green retention rate at 15 min (ICG-R15)", "comparator": ">",
            "value": 30, "unit": "%", "effect": "exclude"}
    assert fact_matches(fact, facet)
    assert not fact_matches({**fact, "analyte": "indocyanine green clearance"}, facet)
    assert not fact_matches({**fact, "value": 40}, facet)



def test_uncoded_analyte_in_circe_says_why_once(nlp) -> None:  # type: ignore[no-untyped-def]
    """Circe cannot ask for what has no code: the rule passes everyone and says why, once."""
    from nlp.analyze import parse_record
    from nlp.core.document import ParsedTrial
    from nlp.export.circe import cohort_expression
    from nlp.records import read_text

    [rec] = list(read_text("Inclusion Criteria:\n- ankle pressure ≤ 70 mm Hg\n", "t.txt"))
    doc = parse_record(rec, nlp)
    built, _ = _built(nlp, "ankle pressure ≤ 70 mm Hg", "ankle pressure")
    [crit] = doc.criteria
    crit = crit.model_copy(update={"constraints": built.constraints, "logic": built.logic,
                                   "computable": built.computable, "reason": built.reason})
    doc = ParsedTrial.model_validate({**doc.model_dump(), "criteria": [crit.model_dump()]})
    [rule] = cohort_expression(doc).expression["InclusionRules"]
    assert rule["name"].startswith("[not computable] ")
    assert rule["description"].startswith("Not computable: no code for the analyte 'ankle pressure' in the vocabularies")


def test_uncoded_thresholds_are_counted_apart_in_the_report() -> None:
    """The scorer compares an uncoded analyte's name as written with the key's own words: the
    report gives numeric precision with and without such thresholds."""
    from nlp.evaluation.facts import Score, format_report

    s = Score(numeric_matched=8, numeric_total=12, uncoded_matched=1, uncoded_total=3)
    out = format_report(s)
    assert "numeric precision: 8/12 = 0.667" in out
    assert "of which uncoded analytes: 1/3; coded alone: 7/9 = 0.778" in out
    assert "uncoded" not in format_report(Score(numeric_matched=2, numeric_total=2))
