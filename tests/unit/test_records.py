from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, MSC_DIR, SEEDS_DIR, need

from nlp.errors import InputError
from nlp.records import decode, detect_format, read_path, read_text
from nlp.records.ages import parse_age, parse_age_range

STUDY = {
    "protocolSection": {
        "identificationModule": {"nctId": "NCT09990002", "briefTitle": "A study", "officialTitle": "Official"},
        "conditionsModule": {"conditions": ["Knee Osteoarthritis"]},
        "armsInterventionsModule": {"interventions": [{"name": "hUC-MSC", "type": "BIOLOGICAL"}]},
        "eligibilityModule": {
            "eligibilityCriteria": "Inclusion Criteria:\n\n* Age \\>= 40\n\nExclusion Criteria:\n\n* Pregnancy",
            "sex": "FEMALE", "minimumAge": "40 Years", "maximumAge": "6 Months",
            "healthyVolunteers": True, "stdAges": ["ADULT"],
        },
    }
}


def _records(text: str, source: str = "x") -> list:
    return list(read_text(text, source))


def test_records_ctgov_json_single_study_fields() -> None:
    [rec] = _records(json.dumps(STUDY))
    assert rec.format == "ctgov-json"
    assert rec.nct_id == "NCT09990002"
    assert rec.brief_title == "A study" and rec.official_title == "Official"
    assert rec.conditions == ("Knee Osteoarthritis",)
    assert rec.interventions[0].name == "hUC-MSC" and rec.interventions[0].type == "BIOLOGICAL"
    assert rec.sex == "FEMALE" and rec.healthy_volunteers is True and rec.std_ages == ("ADULT",)
    assert (rec.minimum_age.value, rec.minimum_age.unit) == (40, "year")
    assert (rec.maximum_age.value, rec.maximum_age.unit) == (6, "month")
    # kept exactly as found, escapes included
    assert rec.eligibility_text == STUDY["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]


def test_records_ctgov_json_search_page_and_list() -> None:
    page = {"studies": [STUDY, STUDY]}
    assert len(_records(json.dumps(page))) == 2
    assert len(_records(json.dumps([STUDY]))) == 1


def test_records_ctgov_jsonl_bad_line_reported_rest_read() -> None:
    text = json.dumps(STUDY) + "\n{broken\n" + json.dumps(STUDY) + "\n"
    out = _records(text, "f.jsonl")
    assert [type(x).__name__ for x in out] == ["TrialRecord", "InputError", "TrialRecord"]
    assert out[1].source == "f.jsonl:2"


def test_records_ctgov_json_not_a_study() -> None:
    [err] = _records('{"foo": 1}', "f.json")
    assert isinstance(err, InputError) and "protocolSection" in err.problem


def test_records_ctgov_json_malformed_names_position() -> None:
    [err] = _records('{"a": ', "f.json")
    assert isinstance(err, InputError) and "malformed JSON" in err.problem and "line 1" in err.problem


def test_records_ctgov_json_missing_eligibility() -> None:
    study = {"protocolSection": {"identificationModule": {"nctId": "NCT09990003"}}}
    [err] = _records(json.dumps(study), "f.json")
    assert isinstance(err, InputError) and "no eligibility text" in err.problem
    assert "NCT09990003" in str(err)


def test_records_ctgov_xml_fields() -> None:
    [rec] = list(read_path(FIXTURES / "legacy_study.xml"))
    assert rec.format == "ctgov-xml" and rec.nct_id == "NCT09990001"
    assert rec.conditions == ("Ischemic Stroke", "Stroke, Acute")
    assert rec.interventions[0].type == "Biological"
    assert rec.sex == "ALL" and rec.healthy_volunteers is False
    assert rec.minimum_age.value == 18 and rec.maximum_age.value == 75
    assert "ALT > 2.5 x ULN" in rec.eligibility_text  # entity-decoded, otherwise verbatim


def test_records_ctgov_xml_malformed_and_foreign() -> None:
    [err] = _records("<clinical_study><id_info>", "f.xml")
    assert isinstance(err, InputError) and "malformed XML" in err.problem
    [err] = _records("<?xml version='1.0'?><catalog><book/></catalog>", "g.xml")
    assert isinstance(err, InputError) and "<catalog>" in err.problem


def test_records_ctgov_xml_refuses_entity_expansion() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
        "<clinical_study><eligibility><criteria><textblock>&b;</textblock></criteria>"
        "</eligibility></clinical_study>"
    )
    [err] = _records(bomb, "bomb.xml")
    assert isinstance(err, InputError) and "unsafe XML" in err.problem


def test_records_plain_text_nct_from_filename() -> None:
    [rec] = _records("Inclusion Criteria:\n- Age > 18\n", "dir/NCT01234567.txt")
    assert rec.format == "text" and rec.nct_id == "NCT01234567"
    [rec] = _records("- Age > 18\n", "dir/mytrial.txt")
    assert rec.nct_id is None


@pytest.mark.parametrize(
    ("data", "problem"),
    [(b"", "empty file"), (b"  \n\t", "empty file"), (b"\x00\x01\x02\x03abc", "binary")],
)
def test_records_decode_refuses_empty_and_binary(data: bytes, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        decode(data, "f.txt")


def test_records_missing_path() -> None:
    [err] = list(read_path("/definitely/not/here.json"))
    assert isinstance(err, InputError) and "no such file" in err.problem


def test_records_detect_format() -> None:
    assert detect_format(json.dumps(STUDY)) == "ctgov-json"
    assert detect_format("<?xml version='1.0'?><clinical_study/>") == "ctgov-xml"
    assert detect_format("Inclusion Criteria:\n- a\n") == "text"
    assert detect_format("Title\nNCT ID: NCT01234567\nEligibility Criteria\nInclusion Criteria\n* a") == "webpage"
    assert detect_format("<!DOCTYPE html><html><body>x</body></html>") == "webpage"


def test_records_forced_format_overrides_detection() -> None:
    [rec] = list(read_text("Title\nNCT ID: NCT01234567\nInclusion Criteria\n* a\n", "p.txt", "text"))
    assert rec.format == "text"


def test_records_html_page() -> None:
    html = (
        "<!DOCTYPE html><html><body><h1>My Trial</h1><p>NCT ID: NCT01234567</p>"
        "<h2>Eligibility Criteria</h2><h3>Inclusion Criteria</h3><ul><li>Age 18 or older</li></ul>"
        "<h3>Exclusion Criteria</h3><ul><li>Pregnancy</li></ul><h2>Sponsors</h2><p>X</p></body></html>"
    )
    [rec] = _records(html, "page.html")
    assert rec.nct_id == "NCT01234567" and rec.brief_title == "My Trial"
    assert "Age 18 or older" in rec.eligibility_text and "Sponsors" not in rec.eligibility_text


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [("18 Years", 18, "year"), ("6 Months", 6, "month"), ("1 month", 1, "month"), ("2 Weeks", 2, "week")],
)
def test_records_parse_age(text: str, value: float, unit: str) -> None:
    age = parse_age(text)
    assert (age.value, age.unit, age.text) == (value, unit, text)


def test_records_parse_age_not_applicable_and_bad() -> None:
    assert parse_age("N/A") is None and parse_age(None) is None and parse_age("") is None
    with pytest.raises(ValueError):
        parse_age("eighteen")


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("18 Years to 60 Years (Adult)", (18, "year"), (60, "year")),
        ("1 month to 18 years old", (1, "month"), (18, "year")),
        ("18 Years and older (Adult, Older Adult)", (18, "year"), None),
        ("up to 18 Years (Child)", None, (18, "year")),
        ("18+ years", (18, "year"), None),
        ("16-65 years", (16, "year"), (65, "year")),
    ],
)
def test_records_parse_age_range(text: str, lo, hi) -> None:  # type: ignore[no-untyped-def]
    got_lo, got_hi = parse_age_range(text)
    assert (got_lo.value, got_lo.unit) == lo if lo else got_lo is None
    assert (got_hi.value, got_hi.unit) == hi if hi else got_hi is None


SEED_FIELDS = {
    # nct: (title starts, min age, max age, sex, healthy volunteers)
    "NCT07177677": ("A Study of Mesenchymal Stem Cell", ("6 Years"), None, "ALL", False),
    "NCT06997939": ("Autologous Bone Marrow", "18 Years", "65 Years", "ALL", False),
    "NCT02218437": ("Treatment Protocol of Child SAA", "1 month", "18 years", "ALL", True),
    "NCT01364246": ("Safety and Efficacy of Umbilical", "18 Years", "60 Years", "ALL", False),
    "NCT05697718": ("Clinical Trial of Human Umbilical", "18 Years", "80 Years", "ALL", False),
}


def _seed_records() -> dict[str, object]:
    out = {}
    for f in sorted(need(SEEDS_DIR).glob("*.txt")):
        [rec] = list(read_path(f))
        out[rec.nct_id] = rec
    return out


def test_records_seed_pages_structured_fields() -> None:
    recs = _seed_records()
    assert set(recs) == set(SEED_FIELDS)
    for nct, (title, lo, hi, sex, hv) in SEED_FIELDS.items():
        rec = recs[nct]
        assert rec.format == "webpage"
        assert rec.brief_title.startswith(title)
        assert (rec.minimum_age.text if rec.minimum_age else None) == lo, nct
        assert (rec.maximum_age.text if rec.maximum_age else None) == hi, nct
        assert rec.sex == sex and rec.healthy_volunteers is hv, nct


def test_records_seed_pages_eligibility_block_bounds() -> None:
    for nct, rec in _seed_records().items():
        text = rec.eligibility_text
        assert text.lower().startswith("inclusion criteria"), nct
        for junk in ("Minimum Eligible Age", "Sponsors", "To learn more", "Trial design", "18 Years\n"):
            assert junk not in text, (nct, junk)
        # the block is a verbatim slice of the page
        assert text in Path(rec.source).read_text(encoding="utf-8")


def test_records_all_msc_records_read() -> None:
    files = sorted(need(MSC_DIR).glob("*.json"))
    assert len(files) >= 1099
    bad = [str(r) for f in files for r in read_path(f) if isinstance(r, InputError)]
    assert bad == []


@pytest.mark.parametrize("fmt, text, problem", [
    ("ctgov-json", '{"studies": []}', "no studies"),
    ("ctgov-json", "[]", "no studies"),
    ("ctgov-json", '{"protocolSection": {"eligibilityModule": {"eligibilityCriteria": 5}}}', "no eligibility text"),
    ("ctgov-json", '{"protocolSection": {"eligibilityModule": {"eligibilityCriteria": "x", "minimumAge": "banana"}}}',
     "cannot read age"),
    ("ctgov-xml", "<clinical_study></clinical_study>", "no eligibility text"),
    ("ctgov-xml", "<clinical_study><eligibility>", "malformed XML"),
    ("webpage", "Some page\nNCT01234567\nno eligibility here", "no eligibility criteria found"),
    ("webpage", "<html><body><p>nothing</p></body></html>", "no eligibility criteria found"),
    ("text", "   \n  ", "empty"),
])
def test_records_every_reader_names_the_problem(fmt: str, text: str, problem: str) -> None:
    items = list(read_text(text, "the-source", fmt))
    assert len(items) == 1 and isinstance(items[0], InputError), items
    assert problem in str(items[0]) and "the-source" in str(items[0])
