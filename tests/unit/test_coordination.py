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
    ("immunosuppressive, cytotoxic, or antifibrotic drugs",  # the example: no antifibrotic concept
     [("immunosuppressive", "immunosuppressant"), ("cytotoxic", "chemotherapy")]),
    ("cardiac, renal or hepatic dysfunctions",
     [("cardiac", "cardiac_dysfunction"), ("renal", "renal_dysfunction"), ("hepatic", "hepatic_dysfunction")]),
])
def test_coordination_shared_head_gives_one_concept_per_organ(nlp, text: str, expected: list) -> None:  # type: ignore[no-untyped-def]
    assert _ents(nlp, text) == expected


def test_coordination_one_word_before_a_head_is_not_a_list(nlp) -> None:  # type: ignore[no-untyped-def]
    assert _ents(nlp, "Patients with heart lesions") == []  # no list, and "heart lesions" is no term


@pytest.mark.parametrize(("text", "expected"), [
    ("Positive serology for HIV, Hepatitis B or C",
     [("HIV", "hiv"), ("Hepatitis B", "hepatitis_b"), ("C", "hepatitis_c")]),
    ("hepatitis B and C", [("hepatitis B", "hepatitis_b"), ("C", "hepatitis_c")]),
])
def test_coordination_ellipsis_reads_the_elided_head(nlp, text: str, expected: list) -> None:  # type: ignore[no-untyped-def]
    assert _ents(nlp, text) == expected


def test_coordination_ellipsis_needs_a_concept_for_the_full_phrase(nlp) -> None:  # type: ignore[no-untyped-def]
    # "hepatitis B or 5" names nothing: no span on "5"
    assert _ents(nlp, "hepatitis B or 5 more") == [("hepatitis B", "hepatitis_b")]
