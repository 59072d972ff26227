"""A tokenizer that keeps clinical notation intact and splittable.

``≥18`` -> ``≥ 18``; ``2.5×ULN`` / ``2.5xULN`` -> ``2.5 × ULN``; ``1.5×10^9/L`` -> ``1.5 × 10 ^ 9 / L``;
``HIV+`` -> ``HIV +``; ``180/110`` -> ``180 / 110``; ``16-65`` -> ``16 - 65``; ``2years`` ->
``2 years``; ``\\<2`` -> ``\\< 2``; ``W12``, ``HbA1c``, ``CD4``, ``COVID-19`` stay whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from spacy.lang.en import English
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

_CMP = r"\\?(?:>=|<=|=>|=<|[<>≤≥≦≧⩽⩾=＜＞±~～])"
_TIME_UNIT = r"(?:years?|yrs?|months?|mos?|weeks?|wks?|days?|hours?|hrs?|h|d|y|yo)"
_UNIT_AFTER_NUM = (
    rf"(?:{_TIME_UNIT}|kg|g|mg|mcg|µg|ug|ml|mL|L|l|dL|dl|mmol|µmol|umol|mmHg|cm|mm|m2|%|U|IU|iu|"
    r"times|fold|x|×|ms|s|sec|points?|bpm)"
)

_Rule = str | re.Pattern[str]

# the Doc's text, kept in ``user_data`` by the tokenizer: spaCy's ``doc.text`` re-joins every token
# on each access (``nlp.pipeline.components.doc_text`` reads it, ``elig_context`` removes it)
TEXT_KEY = "elig_text"


class TextKeepingTokenizer(Tokenizer):
    """spaCy's tokenizer, which also keeps the text it was given on the Doc (spaCy's tokenization
    is lossless: the text is ``doc.text``)."""

    def __call__(self, string: str) -> Doc:
        doc = super().__call__(string)
        doc.user_data[TEXT_KEY] = string
        return doc


def _english(rules: Sequence[_Rule] | None) -> list[_Rule]:
    """English's default affix rules (spaCy types them as optional; English always sets them)."""
    return list(rules or ())


def _prefixes() -> list[_Rule]:
    return [_CMP, r"[×x✕](?=\d)", r"/", r"\+", r"·", r"[（）]", *_english(English.Defaults.prefixes)]


def _suffixes() -> list[_Rule]:
    return [
        r"(?<=[A-Za-z0-9\)])\+",  # HIV+, TPPA+
        r"(?<=[A-Za-z0-9\)])[-−](?=$)",  # HBsAg-
        rf"(?<=\d){_UNIT_AFTER_NUM}$",  # 2years, 90g, 17kg, 2.5x
        r"(?<=\d)/L",
        r"(?<=^[A-Z])\.$",  # "hepatitis C.", "vitamin D.": a letter ending a sentence, not an initial
        r"[；。，：（）]",  # full-width punctuation, brackets included (one class: spaCy anchors each rule)
        *_english(English.Defaults.suffixes),
    ]


def _infixes() -> list[_Rule]:
    return [
        r"(?<=[0-9])[×x✕*](?=[0-9A-Za-z(])",  # 2.5×ULN, 2.5xULN, 1.5x10
        r"(?<=[A-Za-z0-9])[×✕](?=[A-Za-z0-9])",
        rf"{_CMP}",  # duration≥2years, age>18
        r"(?<=[0-9])[-–~～](?=[0-9])",  # 16-65
        r"(?<=[0-9A-Za-z\)])/(?=[0-9A-Za-z(])",  # 180/110, AST/ALT, mg/dL
        r"\^",  # 10^9
        r"(?<=[A-Za-z0-9])\((?=[A-Za-z0-9<>≤≥≦≧＜＞])",  # "ratio(INR)", "neutropenia(≤ 1x10^9/l)"
        r"(?<=[a-z])(?=[≥≤])",
        r"(?<=\bage)(?=\d)|(?<=\bages)(?=\d)|(?<=\baged)(?=\d)",  # "ages18 to 75": an age word glued to its number
        r"[,;:](?=\S)",  # "treatment,The", "unsuitable;All"
        r"(?<=[0-9])\.(?=[A-Z][a-z]{2,})",  # "2.Male or female": an item number glued to its text
        r"[；。，：、（）]",
        *_english(English.Defaults.infixes),
    ]


# abbreviations whose full stop ends no sentence (spaCy's English exceptions have "e.g.", "i.e.",
# "vs." but not these): one token, so the context rules' full stop (a TERMINATE) is no cue inside
# "(e.g., cirrhosis, etc.), kidney (...)"; the corpus's most frequent ("etc." 142 times in
# ctgov-msc and LCT)
PERIOD_ABBREVIATIONS = ("etc.", "eg.", "ie.", "incl.", "approx.", "resp.", "cf.", "al.")


def _rules() -> dict[str, list[dict[int, str]]]:
    from spacy.symbols import ORTH

    rules = {k: v for k, v in English.Defaults.tokenizer_exceptions.items() if not re.search(r"\d", k)}
    for a in PERIOD_ABBREVIATIONS:
        for form in (a, a.capitalize()):
            rules.setdefault(form, [{ORTH: form}])
    return rules


@registry.tokenizers("elig.tokenizer.v1")
def create_tokenizer() -> Callable[[Language], Tokenizer]:
    def make(nlp: Language) -> Tokenizer:
        return TextKeepingTokenizer(
            nlp.vocab,
            rules=_rules(),
            prefix_search=compile_prefix_regex(_prefixes()).search,
            suffix_search=compile_suffix_regex(_suffixes()).search,
            infix_finditer=compile_infix_regex(_infixes()).finditer,
            token_match=re.compile(r"^(?:COVID-19|SARS-CoV-2|HbA1c|(?!age[ds]?\d)[A-Za-z]+\d+[a-z]?|W\d+)$", re.I).match,
            url_match=None,
        )

    return make


@registry.tokenizers("elig.bare_tokenizer.v1")
def create_bare_tokenizer() -> Callable[[Language], Tokenizer]:
    """Whitespace splitting only: for a pipeline whose components are sourced elsewhere and whose
    tokenizer never runs (``nlp.pipeline.model_ner.load_ner_components``)."""
    def make(nlp: Language) -> Tokenizer:
        return Tokenizer(nlp.vocab)

    return make
