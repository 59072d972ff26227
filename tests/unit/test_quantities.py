"""A quantity no vocabulary has, named by the word that says what is measured (units.json
``dimension_words``: diameter, thickness, area, volume, ratio ...), keeps the threshold written in
that word's dimension, under the quantity's name as written, with no code: the criterion says it
is not computable and why, and the matcher leaves it to a person. Sources: ctgov-msc and LCT
records, cited per case; in both directions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nlp.core.constraints import MeasurementConstraint
from nlp.core.lexicon import UNCODED
from nlp.core.record import TrialRecord
from nlp.core.tables import TableError
from nlp.core.units import load_units, quantity_reads

RESOURCES = Path(__file__).resolve().parents[2] / "nlp" / "resources"


def _criteria(nlp, text: str, section: str = "inclusion") -> list[Any]:  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record

    head = "Exclusion" if section == "exclusion" else "Inclusion"
    rec = TrialRecord(source="t", format="text", eligibility_text=f"{head} Criteria:\n\n* {text}\n")
    return list(parse_record(rec, nlp).criteria)


def _quantities(nlp, text: str, section: str = "inclusion") -> list[tuple[str, float | None, float | None, str | None]]:  # type: ignore[no-untyped-def]
    return [(c.concepts.concept.name, c.range.low, c.range.high, c.range.unit)
            for crit in _criteria(nlp, text, section) for c in crit.constraints
            if isinstance(c, MeasurementConstraint) and c.concepts.concept.id.startswith(UNCODED)]


@pytest.mark.parametrize(("text", "expected"), [
    # the word after "in" after the value names what the words before it measure (NCT03166189, NCT03678467)
    ("Ovarian cysts more than 4 cm in diameter.", [("Ovarian cysts diameter", 4.0, None, "cm")]),
    ("Defects > 15 cc in volume.", [("Defects volume", 15.0, None, "mL")]),
    # what is measured written before "of" and the value (NCT01305694)
    ("hypocellular bone marrow of <25% cellularity", [("hypocellular bone marrow cellularity", None, 25.0, "%")]),
    # a span of the NER that names nothing alone gives way to the quantity's whole name (NCT01716481, NCT04097652)
    ("The maximum diameter of the stroke region ≥ 15 mm", [("stroke region maximum diameter", 15.0, None, "mm")]),
    ("Subjects with a lacunar a lesion of ≤ 1.5 cm of longest diameter", [("lesion longest diameter", None, 1.5, "cm")]),
    # what "has" the quantity comes before "with" (NCT03901235, NCT01389661); values joined to
    # the one it was named by are its own too
    ("a stricture with a length of 2 to 5cm of the colon", [("stricture length", 2.0, 5.0, "cm")]),
    ("Maxillar bone cyst with diameter larger than 2 cm and smaller than 4 cm",
     [("Maxillar bone cyst diameter", 2.0, None, "cm"), ("Maxillar bone cyst diameter", None, 4.0, "cm")]),
    # a value against a reference limit is in the quantity's own unit (NCT00813969)
    ("RNFL thickness on OCT <LLN in at least one eye", [("RNFL thickness", None, 1.0, "xLLN")]),
    # "X of the Y" is named "Y X" (NCT04953572)
    ("The diameter of the cartilage defect in the patient is less than 5mm.", [("cartilage defect diameter", None, 5.0, "mm")]),
    ("Dental crest size less than 5 mm.", [("Dental crest size", None, 5.0, "mm")]),  # NCT02751125
    ("Glomerular sclerosis ratio ≤ 50%.", [("Glomerular sclerosis", None, 50.0, "%")]),  # NCT03460223: "ratio" says how, not what
    ("Prostate volume < 60 cc", [("Prostate volume", None, 60.0, "mL")]),  # LCT NCT03861676
    # each quantity its own value; a value in an aside is no reading of the quantity before it (NCT02745366)
    (("patients with atrophic bone with less than 4mm bone width at bone crest or less than 8 mm bone height "
      "(considering 2-3 mm distance to anatomic structures)"),
     [("bone width", None, 4.0, "mm"), ("bone height", None, 8.0, "mm")]),
    # a verb form is no part of the name (NCT00555828)
    ("Echocardiographic evidence of hypertrophic cardiomyopathy indicating heart muscle thickness >15 mm.",
     [("heart muscle thickness", 15.0, None, "mm")]),
])
def test_quantity_keeps_its_threshold(nlp, text: str, expected) -> None:  # type: ignore[no-untyped-def]
    assert _quantities(nlp, text) == expected


@pytest.mark.parametrize("text", [
    # a change in the quantity, not its level (NCT03754465, NCT03257098)
    "The ulcer has increased or decreased in size by ≥ 30% during the week after the Screening Visit.",
    "Patients with significant ulcer healing or wound size enlargement of more than 25% at Visit 2",
    # a value in another dimension: a diameter is no percent
    "Tumour diameter greater than 50%",
    # nothing but the word and a qualifier names it
    "Longest diameter less than 5 cm",
    # a number between the word and the value: the value is not the word's
    "diameter of 2 lesions > 3 cm",
])
def test_quantity_not_read(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert _quantities(nlp, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    # an area no word names the dimension of, beside a lesion: the lesion's area (NCT02696876,
    # NCT01302015, NCT02394873, NCT04234412, NCT04173650; NCT05120700 with the value before it)
    ("Cartilage defect greater than 2cm2", [("Cartilage defect area", 2.0, None, "cm2")]),
    ("Patients whose lesion is 2~6 cm2 in size", [("lesion area", 2.0, 6.0, "cm2")]),
    ("Subjects who have deep second-degree burn ≥100 cm^2.", [("deep second-degree burn area", 100.0, None, "cm2")]),
    ("full-thickness cartilage lesion measuring at least 2 cm2,", [("full-thickness cartilage lesion area", 2.0, None, "cm2")]),
    ("Subjects who have one or more active wounds (unroofed EB erosions) each between 10 and 50 cm2 on arms, legs, or trunk.",
     [("EB erosions area", 10.0, 50.0, "cm2")]),
    ("Patients diagnosed with a single, 3 to 6 cm2 full-thickness cartilage lesion",
     [("full-thickness cartilage lesion area", 3.0, 6.0, "cm2")]),
])
def test_lesion_area_keeps_its_threshold(nlp, text: str, expected) -> None:  # type: ignore[no-untyped-def]
    assert _quantities(nlp, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a stenosis is measured in percent, and names what is measured alone (ctgov-msc NCT01663376,
    # NCT01392625, NCT03994666, NCT01557543, NCT00790764)
    ("Patients with luminal stenosis > 50% by leg angiography", [("luminal stenosis", 50.0, None, "%")]),
    ("Documented presence of epicardial stenosis of 70% or greater in one or more major epicardial coronary arteries.",
     [("epicardial stenosis", 70.0, None, "%")]),
    ("residual stenosis > 50%", [("residual stenosis", 50.0, None, "%")]),
    ("Three-vessel disease (stenosis of 50% or more in all 3 major coronary territories).", [("stenosis", 50.0, None, "%")]),
    ("coronary artery disease in at least one epicardial vessel with stenosis > 70% by coronary angiography",
     [("epicardial vessel stenosis", 70.0, None, "%")]),
])
def test_stenosis_keeps_its_threshold(nlp, text: str, expected) -> None:  # type: ignore[no-untyped-def]
    assert _quantities(nlp, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a score no vocabulary has, named right before a bare number, a range or points (ctgov-msc
    # NCT05279768, NCT04288934, NCT05152160; LCT NCT03868709)
    ("Hyperandrogenism with a clinical and laboratory proof (Ferriman Gallwey score >8)",
     [("Ferriman Gallwey score", 8.0, None, None)]),
    ("Prediction rule score of 10 or less", [("Prediction rule score", None, 10.0, None)]),
    ("EOCG score ≤ 3 points.", [("EOCG score", None, 3.0, "{score}")]),
    ("at high risk according to the ARISCAT risk score (ARISCAT predictive score ≥45).", [("ARISCAT predictive score", 45.0, None, None)]),
])
def test_score_keeps_its_threshold(nlp, text: str, expected) -> None:  # type: ignore[no-untyped-def]
    assert _quantities(nlp, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a person who scores names no score; the scale is named after the value (ctgov-msc NCT00976430)
    ("Patients score ≤19 on the Montgomery-Asberg Rating Scale", [("Montgomery-Asberg Rating Scale", None, 19.0, None)]),
    # a level with no comparator is no threshold (LCT NCT03869307)
    ("Historical HSD if the Beighton score was 1 point below the age and sex-specific cut-off", []),
    # the value before the score's name is not its reading (LCT NCT03927794)
    ("Subjects with early carious lesions Class V of ICDAS score 1-2.", [("ICDAS score", 1.0, 2.0, None)]),
    # ... unless the score has no value of its own after its name (ctgov-msc NCT05354141)
    (("Overt Disseminated Intravascular Coagulopathy (DIC) as evidenced by a total score of ≥ 5 on the following DIC "
      "score from International Society of Thrombosis & Hemostasis:"), [("DIC score", 5.0, None, None)]),
    # a name the NER found stays whole, not cut at its hyphen (ctgov-msc NCT05456243)
    ("Atrial Fibrillation: CHA2DS2-VASc score 7-9", [("CHA2DS2-VASc score", 7.0, 9.0, None)]),
])
def test_score_named_only_by_its_words(nlp, text: str, expected) -> None:  # type: ignore[no-untyped-def]
    assert _quantities(nlp, text) == expected


def test_score_is_read_by_a_bare_number() -> None:
    """A bare number is a reading of a score, never of a length (units.json ``dimension_words``)."""
    assert quantity_reads("Ferriman Gallwey score", None) is True
    assert quantity_reads("cartilage defect diameter", None) is False
    assert quantity_reads("Lansky score", "%") is True
    assert quantity_reads("Lansky score", "mm") is False


def test_stenosis_threshold_is_what_the_condition_means(nlp) -> None:  # type: ignore[no-untyped-def]
    """"Ipsilateral carotid stenosis (>50%, by Doppler studies)" excludes a stenosis above 50%, not
    every carotid stenosis (ctgov-msc NCT03896568): the condition gives way to its degree, as
    "severe anemia (<8 g/dL)" does to hemoglobin; a value in another dimension leaves it be."""
    [crit] = _criteria(nlp, "Ipsilateral carotid stenosis (>50%, by Doppler studies).", "exclusion")
    assert [(c.kind, c.concepts.concept.name, c.range.low) for c in crit.constraints] == [("measurement", "carotid stenosis", 50.0)]
    assert not crit.computable
    [crit] = _criteria(nlp, "Aortic stenosis (<1cm²)", "exclusion")  # NCT02462330: an area is no degree of stenosis
    assert [c.kind for c in crit.constraints] == ["condition"]


def test_lesion_area_named_by_a_term_is_that_concept(nlp) -> None:  # type: ignore[no-untyped-def]
    """A lesion whose area is a term of the vocabularies ("target wound area") is read as that
    concept, coded (constructed from dev NCT05464381's "target wound ... 5-50 cm2")."""
    [crit] = _criteria(nlp, "Subject with a target wound of 5-50 cm2")
    [c] = [c for c in crit.constraints if isinstance(c, MeasurementConstraint)]
    assert (c.concepts.concept.id, c.range.low, c.range.high, c.range.unit) == ("wound_area", 5.0, 50.0, "cm2")
    assert crit.computable


@pytest.mark.parametrize("text", [
    "Aortic stenosis (<1cm²)",  # no lesion: a valve's area (NCT02462330)
    "Lesion on femoral condyle between 1 and 5 cm²",  # words between the lesion and its value (NCT01399749)
    "Cartilage defect greater than 2 cm",  # a length is no area
    "lesions in 2 cm2 of skin",  # a lesion with a word between that is no connective (constructed)
])
def test_lesion_area_not_read(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert [q for q in _quantities(nlp, text) if q[0].endswith(" area")] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("> 2 internal openings", [("number of internal openings", 2.0, None, None)]),  # NCT04073472
    # "more than one": the thing counted in the singular (NCT01460901)
    ("Receiving more than one lymphocyte inhibiting agent", [("number of lymphocyte inhibiting agent", 1.0, None, None)]),
    ("Refractory to at least 2 previous therapy lines.", [("number of previous therapy lines", 2.0, None, None)]),  # NCT01844661
    # a count per time (LCT NCT03863366); the time after it is no reading of the count (alcoholic
    # drinks a day are alcohol consumption, a unit of their own: test_grammar_alcohol_consumption)
    ("Typically drinks > 6 caffeinated drinks per day", [("number of caffeinated drinks per day", 6.0, None, None)]),
    ("Drinking more than 5 caffeinated beverages per day for 3 months", [("number of caffeinated beverages per day", 5.0, None, None)]),
    # "of" and what follows belong to the name (LCT NCT03869307)
    ("History of 2 or more episodes of acute chest syndrome", [("number of episodes of acute chest syndrome", 2.0, None, None)]),
    # two consecutive numbers joined by "or" before a counted plural: 1 to 2 of them (dev NCT05011474,
    # ctgov-msc NCT02440074, NCT00603330)
    ("Has one or two degenerative lumbar discs identified by MRI", [("number of degenerative lumbar discs", 1.0, 2.0, None)]),
    ("Degenerative disease of one or two lumbar discs", [("number of lumbar discs", 1.0, 2.0, None)]),
    ("Cytopenia in 2 or 3 lineages:", [("number of lineages", 2.0, 3.0, None)]),
])
def test_count_keeps_its_threshold(nlp, text: str, expected) -> None:  # type: ignore[no-untyped-def]
    assert _quantities(nlp, text) == expected


@pytest.mark.parametrize("text", [
    "According to RECIST version 1.1, there is at least one measurable lesion.",  # "at least one": presence, no count (NCT03868852)
    "Clinically relevant member malalignment (> 5 degrees)",  # a unit no table holds, no thing counted (NCT01399749)
    "blood pressure > 140/90 mmHg on 2 consecutive measurements",  # a bare number, no bound
    "Subjects with RA under treatment with at least 2 non-biologic DMARDs",  # a word that goes on ("non-")
    "Type 1 or 2 diabetes mellitus",  # no plural counted
    "1 or 3 lesions",  # two counts, no range (constructed)
    "ECOG performance status 0 or 1",  # a scale's levels
])
def test_count_not_read(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert [q for q in _quantities(nlp, text) if q[0].startswith("number of")] == []


def test_count_alternatives_leave_no_attributes_where_nothing_is_counted(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("Type 1 or 2 diabetes mellitus")
    assert ("._.", "value_high", 5, 11) not in doc.user_data and not [e for e in doc.ents if e.label_ == "VALUE"]


def test_quantity_groups_the_other_constraints_no_stricter(nlp) -> None:  # type: ignore[no-untyped-def]
    """A quantity read between two alternatives would bind them together ("pregnancies ... or
    ICSI" all required): it is not read (NCT04706312); one that joins an or-list is (NCT00883870)."""
    [crit] = _criteria(nlp, ("Women who failed pregnancies in at least two cycles of In Vitro Fertilization(IVF) "
                             "or Intracytoplasmic Sperm Injection(ICSI)."))
    assert not [c for c in crit.constraints if c.concepts and c.concepts.concept.id.startswith(UNCODED)]
    assert crit.logic.items and not isinstance(crit.logic.items[0], str) and crit.logic.items[0].op == "ANY"
    [crit] = _criteria(nlp, "Ankle Brachial Pressure Index (ABPI) ≤ 0.6 or ankle pressure ≤ 70 mm Hg or TcPO2 ≤ 60 mmHg in the foot")
    assert len(crit.constraints) == 3 and crit.logic.items[0].op == "ANY" and len(crit.logic.items[0].items) == 3


def test_quantity_is_not_computable_and_named(nlp) -> None:  # type: ignore[no-untyped-def]
    [crit] = _criteria(nlp, "Ovarian cysts more than 4 cm in diameter.", "exclusion")  # NCT03166189
    [c] = crit.constraints
    assert (c.provenance.source, c.provenance.rule) == ("rules", "quantity:uncoded")
    assert not crit.computable
    assert crit.reason == ("not computable: no code for the analyte 'Ovarian cysts diameter' in the vocabularies "
                           "(its threshold is read under the name as written)")


def test_quantity_is_left_to_a_person(nlp) -> None:  # type: ignore[no-untyped-def]
    """No record can hold what has no code: unknown, whatever the patient's observations say."""
    from nlp.matching.evaluate import Matcher
    from nlp.matching.patient import Patient

    [crit] = _criteria(nlp, "Ovarian cysts more than 4 cm in diameter.", "exclusion")
    [c] = crit.constraints
    patient = Patient.model_validate({"id": "p", "as_of": "2026-01-01", "birth_date": "1980-01-01", "sex": "female",
                                      "observations": [{"name": "Ovarian cysts diameter", "value": 6.0, "unit": "cm",
                                                        "date": "2025-12-01"}]})
    assert Matcher().evaluate(c, patient).verdict == "unknown"


@pytest.mark.parametrize(("name", "unit", "reads"), [
    ("cartilage defect diameter", "mm", True),
    ("cartilage defect diameter", "%", False),
    ("total body surface area", "%", True),  # an area also as a percent of the whole
    ("residual volume", "%", True),  # a volume also as a percent of the predicted
    ("renal stones size", "mL", True),  # a size in any of length, area, volume
    ("anti-HLA antibody titer", "%", None),  # names no quantity by its last word
])
def test_quantity_reads_by_its_dimension_word(name: str, unit: str, reads: bool | None) -> None:
    assert quantity_reads(name, unit) is reads


def _write(tmp_path: Path, data: object) -> str:
    p = tmp_path / "bad_units.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    return str(p)


def test_quantity_words_are_validated(tmp_path: Path) -> None:
    data = json.loads((RESOURCES / "units.json").read_text(encoding="utf-8"))
    data["dimension_words"]["words"][0]["dimensions"] = ["lenght"]
    with pytest.raises(TableError, match=r"bad_units\.json: .*unknown dimensions \['lenght'\]"):
        load_units(_write(tmp_path, data))
    data = json.loads((RESOURCES / "units.json").read_text(encoding="utf-8"))
    data["dimension_words"]["qualifiers"].append("diameter")
    with pytest.raises(TableError, match=r"bad_units\.json: .*dimension word listed twice: diameter"):
        load_units(_write(tmp_path, data))
