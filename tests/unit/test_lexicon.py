from __future__ import annotations

import pytest

from nlp.core.lexicon import (
    ATC,
    ICD10,
    LOINC,
    RXNORM,
    SNOMED,
    Code,
    LexiconEntry,
    code_problem,
    lexicon_problems,
    load_lexicon,
    luhn_check_digit,
    verhoeff_valid,
)


def test_lexicon_files_valid_schema_codes_and_links() -> None:
    entries = load_lexicon()
    assert len(entries) > 200
    assert lexicon_problems(entries) == []


@pytest.mark.parametrize("code", ["1742-6", "1920-8", "777-3", "718-7", "2160-0", "8480-6"])
def test_lexicon_loinc_check_digit_accepts_real_codes(code: str) -> None:
    assert code_problem(Code(system=LOINC, code=code)) is None


@pytest.mark.parametrize("code", ["1742-5", "17426", "1742-"])
def test_lexicon_loinc_check_digit_rejects_typos(code: str) -> None:
    assert code_problem(Code(system=LOINC, code=code)) is not None


def test_lexicon_luhn_and_verhoeff_algorithms() -> None:
    assert luhn_check_digit("1742") == 6
    assert verhoeff_valid("86406008") and verhoeff_valid("73211009")
    assert not verhoeff_valid("86406009")


@pytest.mark.parametrize(("system", "code", "ok"), [
    (SNOMED, "86406008", True), (SNOMED, "86406009", False), (SNOMED, "86406028", False),
    (ICD10, "B20", True), (ICD10, "E11.9", True), (ICD10, "U07.1", True), (ICD10, "B2", False),
    (ATC, "L04AA", True), (ATC, "B01AA03", True), (ATC, "L4A", False),
    (RXNORM, "11289", True), (RXNORM, "x11", False),
])
def test_lexicon_code_formats(system: str, code: str, ok: bool) -> None:
    assert (code_problem(Code(system=system, code=code)) is None) is ok  # type: ignore[arg-type]


def test_lexicon_problems_found() -> None:
    a = LexiconEntry(id="a", name="A", category="condition", label="CONDITION", synonyms=("x",), parents=("b",))
    b = LexiconEntry(id="b", name="B", category="condition", label="CONDITION", synonyms=("x",), parents=("a",))
    m = LexiconEntry(id="m", name="M", category="measurement", label="MEASUREMENT", synonyms=("m",))
    probs = lexicon_problems([a, b, m])
    assert any("synonym 'x'" in p for p in probs)
    assert any("cycle" in p for p in probs)
    assert any("needs 'unit' and 'range'" in p for p in probs)
    c = LexiconEntry(id="c", name="C", category="condition", label="CONDITION", synonyms=("c",), measured_by="a")
    assert any("measured_by 'a' is not a measurement" in p for p in lexicon_problems([a, c]))
    d = LexiconEntry(id="d", name="D", category="condition", label="CONDITION", synonyms=("d",), expands_to=("m", "nowhere"))
    probs = lexicon_problems([m, d])
    assert any("expands_to 'm'" in p for p in probs) and any("expands_to 'nowhere'" in p for p in probs)
    # a test group read as its analytes: each must be a measurement with a unit (m has none)
    g = LexiconEntry(id="g", name="G", category="other", label="OTHER", synonyms=("g",), read_as=("m", "c"))
    probs = lexicon_problems([m, c, g, a])
    assert any("read_as 'c' is not a measurement" in p for p in probs) and any("read_as 'm'" in p for p in probs)
    # a scale's letter classes: capital letters, each a band inside the scale's range
    s = LexiconEntry(id="s", name="S", category="measurement", label="MEASUREMENT", synonyms=("s",), unit="{score}",
                     range=(5, 15), classes={"A": (5, 6), "b": (7, 9), "C": (10, 16)})
    probs = lexicon_problems([s])
    assert any("class 'b'" in p for p in probs) and any("class 'C'" in p for p in probs) and not any("class 'A'" in p for p in probs)


def test_lexicon_grouping_concepts_have_narrower_terms() -> None:
    by_id = {e.id: e for e in load_lexicon()}
    for group in ("malignancy", "active_infection", "autoimmune_disease", "immunosuppressant", "hepatic_dysfunction"):
        assert any(group in e.parents for e in by_id.values()), group


def test_lexicon_whole_answers_are_kept_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import nlp.core.lexicon as lexicon_module

    lex = lexicon_module.Lexicon(lexicon_module.load_lexicon())  # a fresh instance: its own answers
    first = lex.whole("hepatitis C")
    assert first is not None and lex.whole("hepatitis C") == first  # answered again from the kept answer
    assert lex.whole("hepatitis C virus infection of the liver") is None  # not one whole term
    monkeypatch.setattr(lexicon_module, "_WHOLE_CACHE", 2)
    lex.whole("diabetes")  # the third phrase: the kept answers are dropped first
    assert len(lex._whole) == 1 and lex.whole("hepatitis C") == first


def test_lexicon_normal_interval_lies_in_the_plausible_range() -> None:
    from nlp.core.lexicon import LexiconEntry

    base = {"id": "x", "name": "x", "category": "measurement", "label": "MEASUREMENT", "unit": "g/L", "range": (0, 250)}
    assert LexiconEntry.model_validate({**base, "normal": (130, 150)}).normal == (130, 150)
    with pytest.raises(ValueError, match="normal"):
        LexiconEntry.model_validate({**base, "normal": (130, 300)})
    with pytest.raises(ValueError, match="normal"):
        LexiconEntry.model_validate({**base, "unit": None, "normal": (130, 150)})


def test_lexicon_a_snomed_display_must_be_a_name_of_its_concept() -> None:
    """Records name a condition by SNOMED CT's preferred term ("Viral hepatitis type B" was no name
    of hepatitis B, so a patient with it was never matched to a hepatitis B exclusion)."""
    e = LexiconEntry(id="x", name="Hepatitis B", category="condition", label="CONDITION", synonyms=["hepatitis B"],
                     codes=[Code(system=SNOMED, code="66071002", display="Viral hepatitis type B")])
    assert lexicon_problems([e]) == ["x: SNOMED CT display 'Viral hepatitis type B' is none of its names"]
    named = e.model_copy(update={"synonyms": ["hepatitis B", "viral hepatitis type B"]})
    assert lexicon_problems([named]) == []


@pytest.mark.parametrize(("term", "apart"), [
    ("insulin-dependent diabetes", "insulin dependent diabetes"),
    ("end-stage renal disease", "end stage renal disease"),
    ("non-small cell lung cancer", "non small cell lung cancer"),
    ("25-OH-D", "25-OH D"),  # only a hyphen between letters joins words
    ("heart failure", None),
])
def test_lexicon_terms_spelled_apart(term: str, apart: str | None) -> None:
    from nlp.core.lexicon import spelled_apart

    assert spelled_apart(term) == apart


@pytest.mark.parametrize(("term", "forms"), [
    ("antidiabetic drugs", ("antidiabetic therapy", "antidiabetic therapies", "antidiabetic treatment", "antidiabetic treatments")),
    ("immune suppressive agent", ("immune suppressive therapy", "immune suppressive therapies", "immune suppressive treatment",
                                  "immune suppressive treatments")),
    ("drugs", ()),  # the noun alone names no class
    ("study drug", ()),  # "study treatment" is the trial's own
    ("psychiatric medication", ()),  # "psychiatric treatment" is any care
    ("antidiabetics", ()),
])
def test_lexicon_drug_class_named_by_a_course_noun(term: str, forms: tuple[str, ...]) -> None:
    from nlp.core.knowledge import cue
    from nlp.core.lexicon import course_forms

    assert course_forms(term, cue("drug_class_head")) == forms


@pytest.mark.parametrize(("text", "concept"), [
    # a drug class named with a course noun (ctgov-msc NCT03406585, NCT04290182, set 7 NCT05061030)
    ("oral antidiabetic therapies", "antidiabetic"),
    ("immune suppressive treatment", "immunosuppressant"),
    ("study treatment", "investigational_drug"),
])
def test_lexicon_course_noun_forms_match(text: str, concept: str) -> None:
    from nlp.core.lexicon import Lexicon

    found = [c for c, _, _ in Lexicon.load().find(text)]
    assert (concept in found) == (text != "study treatment")


@pytest.mark.parametrize(("text", "concept"), [
    ("insulin dependent diabetes", "type_1_diabetes"),  # NCT02065167: read as diabetes alone before
    ("end stage liver disease", "liver_failure"),  # NCT02706132
    ("non small cell lung cancer", "lung_cancer"),  # its "non" negated the cancer
])
def test_lexicon_terms_match_without_their_hyphens(text: str, concept: str) -> None:
    from nlp.core.lexicon import Lexicon

    assert [c for c, _, _ in Lexicon.load().find(text)] == [concept]


@pytest.mark.parametrize(("term", "other"), [
    ("known allergy", "known allergies"),
    ("renal transplants", "renal transplant"),
    ("written informed consent", "written informed consents"),
    ("viral diseases", "viral disease"),
    ("biologics", None),  # a word alone: too often another part of speech ("a biologic", adjective)
    ("diabetes mellitus", None),  # no plural
    ("severe sepsis", None),
    ("anti-inflammatory", None),
])
def test_lexicon_terms_other_number(term: str, other: str | None) -> None:
    from nlp.core.knowledge import cue
    from nlp.core.lexicon import other_number

    assert other_number(term, cue("number_exempt")) == other


@pytest.mark.parametrize(("text", "concept"), [
    ("known allergies", "allergy"),  # ctgov-msc: 24 criteria
    ("renal transplants", "organ_transplantation"),
    ("Other chronic respiratory disorders", "pulmonary_disease"),  # NCT04352803: an ICD title before
    ("Subject enrolled in any other cell therapy studies", "trial_participation"),  # NCT01649687
])
def test_lexicon_terms_match_in_the_other_number(text: str, concept: str) -> None:
    from nlp.core.lexicon import Lexicon

    assert concept in {c for c, _, _ in Lexicon.load().find(text)}


def test_lexicon_other_number_never_takes_another_term() -> None:
    # a variant is added only where no term as written, nor its spelling apart, has the words
    from nlp.core.lexicon import Lexicon

    lex = Lexicon.load()
    owned = {s.lower(): e.id for e in lex.entries.curated() for s in e.synonyms}
    for cid, extra in lex.term_variants.items():
        for term in extra:
            assert owned.get(term.lower(), cid) == cid


def test_lexicon_curated_entries_are_read_without_the_imported_ones() -> None:
    # the linker's name index reads only these: reading every imported entry cost a cold start
    # 0.75 s and 43 MB (measured with benchmarks/parse_throughput.py)
    from nlp.core.lexicon import Lexicon

    entries = Lexicon.load().entries
    curated = list(entries.curated())
    assert curated and all(entries.is_curated(e.id) for e in curated)
    assert len(curated) < len(entries)


@pytest.mark.parametrize(("text", "concept"), [
    # a state of immunosuppression is a condition; immunosuppressive drugs a treatment (set 2 NCT02630836, NCT04366323)
    ("Immunosuppressive status.", "immunodeficiency"),
    ("any state of immunosuppression considered as severe", "immunodeficiency"),
    ("treatment with immunosuppressive drugs", "immunosuppressant"),
    ("Antiaggregants and anticoagulants intake.", "antiplatelet"),  # the European name (set 1 NCT04453111)
    ("parathyroid hormone drugs", "drug_db05829"),  # the specific drug, not hormone therapy (NCT01643655)
])
def test_lexicon_phrase_links_its_concept(nlp, text: str, concept: str) -> None:  # type: ignore[no-untyped-def]
    assert concept in [e.kb_id_ for e in nlp(text).ents]
