from __future__ import annotations

import json

import pytest
from conftest import KEYS_DIR, MSC_DIR, SEEDS_DIR, need

from nlp.criteria import coverage_problems, split_criteria
from nlp.records import read_path
from nlp.textutil import header_title, match_header, unescape_markdown


def _split(text: str):  # type: ignore[no-untyped-def]
    sp = split_criteria(text)
    assert coverage_problems(text, sp) == []
    return sp


def _texts(sp, section=None):  # type: ignore[no-untyped-def]
    return [c.text for c in sp.top_level(section)]


@pytest.mark.parametrize(
    ("line", "section"),
    [
        ("Inclusion Criteria:", "inclusion"),
        ("Key Exclusion Criteria:", "exclusion"),
        ("EXCLUSION CRITERIA", "exclusion"),
        ("Exclusion criteria :", "exclusion"),
        ("**Inclusion Criteria:**", "inclusion"),
        ("V.1.4. Exclusion criteria", "exclusion"),
        ("Patients will be excluded if:", "exclusion"),
        ("Subjects who meet any of the following criteria will be excluded from the study:", "exclusion"),
        ("Specific exclusions;", "exclusion"),
        ("Non-inclusion criteria:", "exclusion"),
        ("MSC donor inclusion criteria", "inclusion"),
        ("Inclusion Criteria (Treatment cohort):", "inclusion"),
        ("Eligibility Criteria:", "unspecified"),
        ("Subjects meeting any of the following criteria will be included:", "inclusion"),
        ("Participants who meet all of the following will be eligible:", "inclusion"),
        # bracketed, outline-numbered and long-titled headers (their items were read as
        # inclusions or as unspecified: exclusions required of every patient)
        ("[Exclusion Criteria]", "exclusion"),  # NCT04745299
        ("【Exclusion criteria】", "exclusion"),  # constructed
        ("(iii)Exclusion Criteria Treatment group Prospective and historical control group:", "exclusion"),  # NCT04623606
        ("Exclusion Criteria for both Healthy Volunteer Donors and CF Donors:", "exclusion"),  # NCT02866721
        ("Exclusion criteria at the screening visit include any of the following (*may be re-enrolled):",
         "exclusion"),  # NCT05035862
        # bulleted, numbered "4.1", titled or in capitals: their exclusions were read as
        # inclusions (every patient turned away) or the whole record as unspecified
        ("-  Exclusion Criteria", "exclusion"),  # LCT NCT03865329
        ("-  INCLUSION CRITERIA:", "inclusion"),  # LCT NCT03928639
        ("- Exclusion Criteria:A. Secondary nephrotic syndrome", "exclusion"),  # NCT02966717
        ("4.2 Exclusion Criteria", "exclusion"),  # NCT01840540
        ("CF Subject Inclusion Criteria:", "inclusion"),  # NCT02866721
        ("Resident Exclusion Criteria:", "exclusion"),  # LCT NCT03861429
        ("Eye-Related Exclusion Criteria:", "exclusion"),  # LCT NCT03922932
        ("1 stage Inclusion Criteria:", "inclusion"),  # NCT02054208
        ("Tooth exclusion criteria:", "exclusion"),  # NCT03102879
        ("EXCLUSION CRITERIA RELATED OR THIRD PARTY DONORS (ALLOGENEIC CELLS)", "exclusion"),  # NCT01071577
        ("INCLUSION CRITERIA COMMON TO THE TWO COHORTS", "inclusion"),  # NCT04758533
        # "will not be included" is the exclusion list (it was read as the inclusion list)
        ("-  Patients will not be included if meets any of the following criteria:", "exclusion"),  # LCT NCT03923140
        ("Patients will not be eligible if:", "exclusion"),  # constructed
        ("Donor-Exclusion Criteria:", "exclusion"),  # NCT04434768
        ("Exclusion conditions:", "exclusion"),  # LCT NCT03921437
        ("Exclusion", "exclusion"),  # LCT NCT03922256
        ("Subject Exclusion", "exclusion"),  # LCT NCT03927781
        ("Inclusion Criteria (PTA group)", "inclusion"),  # LCT NCT03869281
    ],
)
def test_criteria_header_spellings(line: str, section: str) -> None:
    hm = match_header(line)
    assert hm is not None and hm.section == section


@pytest.mark.parametrize(
    "line",
    [
        "Inclusion in other clinical trials",
        "RRMS not fulfilling inclusion criteria",
        "Any one of the following exclusion criteria is sufficient to disqualify a patient.",
        "There are no exclusion criteria for this study",
        "Exclusion of patients with cancer",
        # a lead-in with content of its own is a criterion (issue 14, part 6)
        "Patients with type 2 diabetes will be included if:",
        # a title's words are capitalised content words: these are items (NCT01033552, NCT05354141,
        # LCT NCT03866044, constructed)
        "Absence of Exclusion Criteria:",
        "Note for Inclusion Criterion #7:",
        "Signed informed consent Exclusion criteria:",
        "Meets inclusion criteria:",
        "- Meets all inclusion criteria",
        "NO EXCLUSION CRITERIA",
        "Inclusion criteria are met",
        "Exclusion conditions are listed in the protocol",
    ],
)
def test_criteria_header_mentions_are_not_headers(line: str) -> None:
    assert match_header(line) is None


def test_criteria_sections_and_ids() -> None:
    sp = _split("Inclusion Criteria:\n\nAge 18\nMale\n\nExclusion Criteria:\n\nPregnancy\n")
    assert [(c.id, c.section, c.text) for c in sp.criteria] == [
        ("I1", "inclusion", "Age 18"), ("I2", "inclusion", "Male"), ("E1", "exclusion", "Pregnancy"),
    ]


def test_criteria_text_before_any_header_is_unspecified() -> None:
    sp = _split("Adults only\nInclusion Criteria:\n- Age 18\n")
    assert [(c.id, c.section) for c in sp.criteria] == [("U1", "unspecified"), ("I1", "inclusion")]


def test_criteria_header_with_content_on_same_line() -> None:
    sp = _split("Exclusion Criteria: pregnancy\n- HIV\n")
    assert sp.headers[0].text == "Exclusion Criteria:"
    assert _texts(sp, "exclusion") == ["pregnancy", "HIV"]


@pytest.mark.parametrize("marker", ["*", "-", "•", "·", "1.", "1)", "(1)", "a)", "i."])
def test_criteria_markers(marker: str) -> None:
    text = f"Inclusion Criteria:\n{marker} First item\n{marker} Second item\n"
    if marker[0].isdigit() or marker[0] in "(ai":
        text = text.replace(f"{marker} Second", f"{marker.replace('1', '2').replace('a', 'b').replace('i', 'ii')} Second")
    sp = _split(text)
    assert _texts(sp) == ["First item", "Second item"]
    assert sp.criteria[0].marker == marker


def test_criteria_marker_inside_span_and_offsets_exact() -> None:
    text = "Inclusion Criteria:\n  * Age 18 to 80 years\n"
    c = _split(text).criteria[0]
    assert text[c.start : c.end] == "* Age 18 to 80 years"
    assert text[c.text_start : c.text_start + len(c.text)] == c.text


def test_criteria_nesting_by_indentation() -> None:
    text = "Inclusion Criteria:\n* Organ function:\n  * ANC > 1.5\n  * PLT > 100\n* Consent\n"
    sp = _split(text)
    assert [(c.id, c.parent, c.depth, c.text) for c in sp.criteria] == [
        ("I1", None, 0, "Organ function:"), ("I1.1", "I1", 1, "ANC > 1.5"),
        ("I1.2", "I1", 1, "PLT > 100"), ("I2", None, 0, "Consent"),
    ]


def test_criteria_nesting_by_marker_change() -> None:
    text = "Exclusion Criteria:\n1. Any of:\na. HIV\nb. HBV\n2. Pregnancy\n"
    sp = _split(text)
    assert [(c.id, c.text) for c in sp.criteria] == [
        ("E1", "Any of:"), ("E1.1", "HIV"), ("E1.2", "HBV"), ("E2", "Pregnancy"),
    ]


def test_criteria_roman_after_h_is_a_letter() -> None:
    text = "Exclusion Criteria:\n1. List:\n" + "".join(f"{ch}. item {ch}\n" for ch in "abcdefghij")
    sp = _split(text)
    assert len(sp.children("E1")) == 10


def test_criteria_one_item_per_line_without_markers() -> None:
    sp = _split("Inclusion Criteria:\n\nSigned consent\nAge older than 18 years\nStable knee\n")
    assert _texts(sp) == ["Signed consent", "Age older than 18 years", "Stable knee"]


def test_criteria_wrapped_continuation_lines_join_their_item() -> None:
    text = (
        "Inclusion Criteria:\n"
        "Three-vessel disease (stenosis of 50% or more in all 3 major coronary territories) where LVEF is\n"
        "\n<0.50.\n"
        "One- or 2-vessel coronary artery disease without significant proximal LAD stenosis, but with a\n"
        "large area of viable myocardium\n"
        "Stable angina\n"
    )
    sp = _split(text)
    assert len(sp.top_level()) == 3
    assert sp.criteria[1].text.endswith("viable myocardium")


def test_criteria_lower_case_items_of_unwrapped_text_stay_separate() -> None:
    # ctgov-msc NCT04240873: every item starts in lower case, lines run to 230 characters; the next
    # word would have fitted on each line, so no break is a wrap
    text = (
        "Exclusion Criteria:\n"
        "more than 3 times upper normal limit in one or more of the followings: serum creatinine, bilirubin, "
        "alanine aminotransferase (ALT) or aspartate aminotransferase (AST) or more than 3 times upper normal "
        "limit in two or more of the followings: bilirubin, ALT or AST\n"
        "participation in a different clinical trial other than this within 4 weeks after initiation of the current study\n"
        "use (reccuent use or addiction) of substances that can affect pain sensation such as narcotics\n"
        "females of childbearing age who do not consent to effective contraceptive methods during the study period\n"
        "pregnant or lactating woman\n"
    )
    assert len(_split(text).top_level()) == 5


@pytest.mark.parametrize("text", [
    "Exclusion Criteria:\nHIV+\nAutoimmune disease, e.g. lupus erythematosus, multiple sclerosis.\n",  # NCT01443689: a result's "+"
    "Inclusion Criteria:\nClassification Frankel A\nIndication for spinal surgery for traumatic lesions of bone\n",  # NCT01325103: a grade letter
    ("Exclusion Criteria:\nLiver failure caused by other reasons, such as autoimmune diseases, alcohol, drug and so on\n"
     "History of severe hepatic encephalopathy or variceal bleeding during the last two months before enrollment\n"),  # NCT01724398
])
def test_criteria_an_item_ending_on_a_result_a_grade_or_so_on_ends_there(text: str) -> None:
    assert len(_split(text).top_level()) == 2


def test_criteria_the_last_words_of_a_wrapped_sentence_join_it() -> None:
    # LCT NCT03924362 (lines wrapped at about 90 characters, its list items longer); ctgov-msc
    # NCT01557543 (wrapped lines with blank lines between)
    text = ("Exclusion Criteria:\nPatients with any of the following characteristics will not be eligible for the present\n"
            "study:\n  1. Those with medical comorbidities preventing them from safely undergoing definitive surgical therapy.\n")
    sp = _split(text)
    assert sp.criteria[0].text.endswith("present\nstudy:") and sp.criteria[1].parent == sp.criteria[0].id
    text = ("Inclusion Criteria:\nTwo-vessel disease with significant proximal LAD stenosis and either EF <0.50 or "
            "demonstrable ischemia on noninvasive\n\ntesting.\nStable angina\n")
    assert [c.text.split()[-1] for c in _split(text).top_level()] == ["testing.", "angina"]


def test_criteria_parallel_lowercase_items_stay_separate() -> None:
    text = (
        "Exclusion Criteria:\na patient who has a history of variant Creutzfeldt Jacobs disease or others\n"
        "a patient who is allergic to anesthetics\neGFR < 60 mL/min/1.73 m^2\n"
    )
    assert len(_split(text).top_level()) == 3


def test_criteria_short_comma_items_stay_separate() -> None:
    text = "Inclusion Criteria:\nAge 6 months-99 years,\nKarnofsky > 70%,\nAcute GvHD\n"
    assert len(_split(text).top_level()) == 3


def test_criteria_lead_in_children_unmarked() -> None:
    text = "Inclusion Criteria:\nMust meet all of the following:\nAge 18\nConsent\nExclusion Criteria:\nHIV\n"
    sp = _split(text)
    assert [(c.id, c.parent) for c in sp.criteria] == [
        ("I1", None), ("I1.1", "I1"), ("I1.2", "I1"), ("E1", None),
    ]


def test_criteria_continuation_paragraph_under_numbered_lead_in() -> None:
    text = (
        "Exclusion Criteria\n\n6. Organ function meets any of:\n\nANC \\< 1.5×109/L; "
        "ALT \\> 2.5×ULN.\n7. Pregnancy\n"
    )
    sp = _split(text)
    assert len(sp.top_level()) == 2
    ids = [c.id for c in sp.criteria]
    assert ids == ["E1", "E1.1", "E1.1.1", "E1.1.2", "E2"]


def test_criteria_semicolon_joined_item_becomes_clauses() -> None:
    text = "Exclusion Criteria:\n- Cardiac insufficiency; Renal insufficiency; Total bilirubin > 1.5 x ULN.\n"
    sp = _split(text)
    kids = sp.children("E1")
    assert [k.text for k in kids] == ["Cardiac insufficiency;", "Renal insufficiency;", "Total bilirubin > 1.5 x ULN."]
    assert all(k.kind == "clause" for k in kids)
    for k in kids:
        assert text[k.start : k.end] == k.text


def test_criteria_semicolon_inside_brackets_or_trailing_does_not_split() -> None:
    sp = _split("Inclusion Criteria:\n1. 18 to 80 years old, both sexes;\n2. Anemia (Hb < 12 for women; < 13 for men)\n")
    assert sp.children("I1") == [] and sp.children("I2") == []


def test_criteria_semicolon_of_a_character_reference_does_not_split() -> None:
    # NCT05319106: "ejection fraction &lt; Normal 30%" is one criterion; a real ";" list still splits
    assert _split("Exclusion Criteria:\n- ejection fraction &lt; 30%, heart failure\n").children("E1") == []
    assert len(_split("Exclusion Criteria:\n- ALT &gt; 2.5 x ULN; heart failure; renal failure\n").children("E1")) == 3
    # nor that of a reference the registry spaced (NCT05319106 "Cr & GT; Normal 1.5 times")
    assert _split("Exclusion Criteria:\n- Cr & GT; Normal 1.5 times, heart failure\n").children("E1") == []
    assert len(_split("Exclusion Criteria:\n- Employees of the sponsor's R & D; pregnant women; renal failure\n").children("E1")) == 3


def test_criteria_markdown_escapes_read_plain_offsets_original() -> None:
    text = "Exclusion Criteria:\n* ANC \\< 1.5×10\\^9/L and ALT \\> 2.5×ULN\n"
    c = _split(text).criteria[0]
    assert c.text == "ANC < 1.5×10^9/L and ALT > 2.5×ULN"
    i = c.text.index(">")
    assert text[c.source_offset(i)] == ">"
    s, e = c.source_span(c.text.index("ALT"), len(c.text))
    assert text[s:e] == "ALT \\> 2.5×ULN"


def test_unescape_markdown_map() -> None:
    u = unescape_markdown("a \\< b \\* c")
    assert u.text == "a < b * c"
    assert [u.to_source(i) for i in (0, 2, 6)] == [0, 3, 8]


def test_unescape_html_character_references() -> None:
    # NCT05319106 keeps "&lt;" undecoded in its API text: the character reference is read as "<",
    # its character maps back to the reference's start and what follows past its end
    src = "EF &lt; 30% &amp; \\* x &foo;"
    u = unescape_markdown(src)
    assert u.text == "EF < 30% & * x &foo;"
    lt, after, amp, star = 3, 4, 9, 11
    assert u.to_source(lt) == src.index("&lt;") and u.to_source(after) == src.index("&lt;") + 4
    assert src[u.to_source(amp):u.to_source(amp + 1)] == "&amp;"
    assert src[u.to_source(star)] == "*"
    assert unescape_markdown("AST & ALT").text == "AST & ALT"  # no reference: as written


def test_criteria_crlf_and_headers_only() -> None:
    sp = _split("Inclusion Criteria:\r\n- A\r\n- B\r\nExclusion Criteria:\r\n")
    assert _texts(sp) == ["A", "B"]
    sp = _split("Inclusion Criteria:\n\nExclusion Criteria:\n")
    assert sp.criteria == () and len(sp.headers) == 2


def test_criteria_seed_counts_match_answer_keys() -> None:
    for f in sorted(need(SEEDS_DIR).glob("*.txt")):
        [rec] = list(read_path(f))
        key = json.loads((need(KEYS_DIR) / f"{rec.nct_id}.facts.json").read_text())["criteria_count"]
        sp = _split(rec.eligibility_text)
        got = {"inclusion": len(sp.top_level("inclusion")), "exclusion": len(sp.top_level("exclusion"))}
        assert got == key, rec.nct_id


def test_criteria_nothing_dropped_on_all_msc_records() -> None:
    n = 0
    for rec in read_path(need(MSC_DIR)):
        sp = split_criteria(rec.eligibility_text)
        assert coverage_problems(rec.eligibility_text, sp) == [], rec.nct_id
        assert sp.criteria, rec.nct_id
        n += 1
    assert n >= 1099


def test_criteria_lead_in_with_content_holds_its_items() -> None:
    """"Patients with X will be included if:" is a criterion whose items nest under it (its own
    content, X, becomes a constraint of the group), not a section header."""
    sp = _split("Inclusion Criteria:\n\n* Patients with type 2 diabetes will be included if:\n  * HbA1c >= 7%\n"
                "  * BMI > 25 kg/m2\n* Age 18 to 65\n")
    assert [(c.id, c.parent) for c in sp.criteria] == [("I1", None), ("I1.1", "I1"), ("I1.2", "I1"), ("I2", None)]
    assert [h.text for h in sp.headers] == ["Inclusion Criteria:"]


def test_criteria_before_the_only_exclusion_header_are_inclusions() -> None:
    # NCT04125329 ("Enrollment criteria:"), NCT03298763 (no header): the inclusions come first
    # under no inclusion header; they were unspecified, never certain
    for head in ("Enrollment criteria:\n", ""):
        sp = _split(f"{head}Adults aged 18-60 years\nType 2 diabetes\n\nExclusion criteria:\n\nPregnancy\n")
        assert [(c.id, c.section) for c in sp.criteria] == [("I1", "inclusion"), ("I2", "inclusion"), ("E1", "exclusion")]


def test_unheaded_criteria_stay_unspecified_without_an_exclusion_header_or_beside_an_inclusion_one() -> None:
    # a title line before "Inclusion Criteria:" (NCT04711811 "IND # 27057") is no inclusion; nor
    # is a list with no header at all
    sp = _split("IND # 27057\n\nInclusion Criteria:\n\nAge 18\n\nExclusion Criteria:\n\nPregnancy\n")
    assert [(c.id, c.section) for c in sp.criteria] == [("U1", "unspecified"), ("I1", "inclusion"), ("E1", "exclusion")]
    sp = _split("Age 18\nPregnancy\n")
    assert {c.section for c in sp.criteria} == {"unspecified"}


@pytest.mark.parametrize(("header", "title"), [
    ("Inclusion Criteria:", ""),
    ("Main inclusion criteria:", ""),
    ("V.2.1. Inclusion criteria", ""),
    ("Patient inclusion criteria:", ""),
    ("MSC donor inclusion criteria", "msc donor"),  # NCT00603330
    ("Inclusion Criteria (PTA group)", "pta group"),  # LCT NCT03869281
    ("1 stage Inclusion Criteria:", "1 stage"),  # NCT02054208
    ("Donor-Inclusion Criteria:", "donor"),  # NCT04434768
    ("INCLUSION CRITERIA COMMON TO THE TWO COHORTS", ""),  # NCT04758533: every group's
    ("Exclusion Criteria (both groups)", ""),  # LCT NCT03869281
    ("Inclusion Criteria:(MSC donor cohort):", "msc donor cohort"),  # NCT01983709: the title after the colon
])
def test_header_title_names_the_group(header: str, title: str) -> None:
    assert header_title(header) == title


def test_criteria_under_headers_of_different_groups_carry_their_group() -> None:
    # NCT02054208: "1 stage" / "2 stage" inclusions, one exclusion list for both
    sp = _split("1 stage Inclusion Criteria:\n\nAge 50-85\n\n2 stage Inclusion Criteria:\n\nAge 55-85\n\n"
                "Exclusion Criteria:\n\nPregnancy\n")
    assert [(c.id, c.group) for c in sp.criteria] == [("I1", "1 stage"), ("I2", "2 stage"), ("E1", None)]
    # a title in brackets after the header's colon is the header's (NCT01983709: its donors' criteria
    # were read as the patient's, "Age ≥18 years, ≤30 years" and "Male sex")
    sp = _split("Inclusion Criteria:(MSC donor cohort):\n\nAge ≥18 years, ≤30 years\n\n"
                "Inclusion Criteria (Treatment cohort):\n\nAge ≥18 years\n")
    assert [(c.id, c.group) for c in sp.criteria] == [("I1", "msc donor cohort"), ("I2", "treatment cohort")]
    # one titled inclusion header is no groups (NCT01983709 before its cohort headers: a topic)
    sp = _split("Inclusion Criteria (Treatment cohort):\n\nAge 18\n\nExclusion Criteria:\n\nPregnancy\n")
    assert {c.group for c in sp.criteria} == {None}


def test_criteria_paragraph_after_a_blank_line_ends_the_list() -> None:
    # NCT04352803: "a. Adults with pneumonia ..." then, after a blank line, unmarked exclusions
    # one per line; NCT01874665: "a. Serum creatinine ..." then the next criterion's paragraph
    sp = _split("Exclusion Criteria:\n\nPneumonia (uncomplicated):\n\na. Adults with pneumonia and no need for oxygen\n\n"
                "Reported pregnant or positive pregnancy test\nBMI lower than 21\n")
    assert [(c.id, c.parent) for c in sp.criteria if c.kind != "clause"] == [
        ("E1", None), ("E1.1", "E1"), ("E2", None), ("E3", None)]
    assert sp.criteria[1].text == "Adults with pneumonia and no need for oxygen"


def test_criteria_paragraph_that_continues_its_item_stays_in_it() -> None:
    # indented to the item's text (Markdown's continuation paragraph)
    sp = _split("Inclusion Criteria:\n\n1. Adults with pneumonia\n\n   Confirmed by chest X-ray\n2. Consent\n")
    assert _texts(sp) == ["Adults with pneumonia\n\n   Confirmed by chest X-ray", "Consent"]
    # a wrap broken by a blank line (NCT01557543: "... 1.5 times" / "institutional upper limit of normal")
    sp = _split("Inclusion Criteria:\n\n1. AST less than 1.5 times\n\ninstitutional upper limit of normal\n2. Consent\n")
    assert _texts(sp) == ["AST less than 1.5 times\n\ninstitutional upper limit of normal", "Consent"]
    # without a blank line an unmarked line after a numbered item still continues it
    sp = _split("Inclusion Criteria:\n\n1. Adults with pneumonia\nConfirmed by chest X-ray\n2. Consent\n")
    assert len(sp.top_level()) == 2


def test_criteria_numbering_resumes_after_paragraphs() -> None:
    # NCT02239393: "1) ... MS", paragraphs with their own "i) ii)" lists, then "2) Age 18 to 50"
    sp = _split("Inclusion Criteria:\n\n1) Diagnosis of MS\n\nRelapsing remitting MS as evidenced by one of:\n\n"
                "i) one relapse in 12 months\nii) two relapses in 24 months\n2) Age 18 to 50 years\n")
    assert [(c.id, c.text) for c in sp.criteria if c.depth == 0] == [
        ("I1", "Diagnosis of MS"), ("I2", "Relapsing remitting MS as evidenced by one of:"), ("I3", "Age 18 to 50 years")]
    assert [c.parent for c in sp.criteria if c.id.startswith("I2.")] == ["I2", "I2"]


def test_criteria_items_numbered_on_inline_are_siblings() -> None:
    # NCT00749164 "1. Informed consent. 2. Any patient that has undergone allogeneic stem cell
    # transplantation ..."; NCT05559801 "8. PRA screening positive for anti-HLA antibodies 9. Elevated
    # LFT's ... 10. Other genetic disorders"; the next line's "3." goes on numbering them
    sp = _split("Inclusion criteria:\n\n1. Informed consent. 2. Any patient with acute GvHD\n3. Age over 18\n\n"
                "Exclusion criteria:\n\n8. PRA screening positive for anti-HLA antibodies 9. Elevated LFT's "
                "greater than 2 times the upper limit of normal 10. Other genetic disorders\n")
    assert [(c.id, c.marker, c.text) for c in sp.criteria] == [
        ("I1", "1.", "Informed consent."), ("I2", "2.", "Any patient with acute GvHD"), ("I3", "3.", "Age over 18"),
        ("E1", "8.", "PRA screening positive for anti-HLA antibodies"),
        ("E2", "9.", "Elevated LFT's greater than 2 times the upper limit of normal"), ("E3", "10.", "Other genetic disorders")]
    # a number that is no item: not the next one, written otherwise, in brackets, after a comparator,
    # a number or a word it belongs to (NCT03298399 "(out of 8) HLA-mismatches"; NCT02492308 "the Day
    # 1 visit 20. Prisoner"), or before a small letter
    for line in ("1. Age 18 to 60. Patients with stroke", "7. A donor with 2, 3, or 4 (out of 8) HLA-mismatches",
                 "1. Age 18 or older; ECOG ≤ 2. Patients with cancer", "1. Disease of grade 2. Patients with stroke",
                 "1. Within 30 days prior to the Day 1 visit 2. Prisoner", "1. Platelets > 100 2. 5 g/dL",
                 "1) Adults 2. Children", "1. Adults 2. children"):
        assert len(_split(f"Inclusion criteria:\n\n{line}\n").top_level()) == 1, line


def test_criteria_lead_in_on_the_following_without_a_colon() -> None:
    # NCT02899091: "... with one of the following methods" and the methods, one per line
    sp = _split("Exclusion Criteria:\n\nWomen who refuse contraception with one of the following methods\n\n"
                "Use a condom\nUse an intra-uterine device\n")
    assert [(c.id, c.parent) for c in sp.criteria] == [("E1", None), ("E1.1", "E1"), ("E1.2", "E1")]
    # "within the following 3 days." is a time, not a lead-in (NCT00366145)
    sp = _split("Inclusion Criteria:\nTreatment must start within the following 3 days.\nAge over 18\n")
    assert len(sp.top_level()) == 2
