"""A trial's own abbreviations: "gastrointestinal stromal tumor (GIST)" (or "[GIST]") in the title
or the criteria makes every later "GIST" of that trial name the long form's concept.

Definitions are found with scispaCy's Schwartz & Hearst functions (``filter_matches``,
``find_abbreviation``) over the trial's titles and eligibility text; its ``AbbreviationDetector``
component is not used as a pipe because it appends to a Doc extension's shared default list. A
short form is linked to the concept the lexicon finds at the end of its long form (the head of
the phrase: "absolute neutrophil count" -> ANC's concept); a long form that ends in no concept
gives no link, and when it shares no word with the names of what the lexicon reads the short form
as, it blocks that reading ("human anti-mouse antibody (HAMA)" is not the HAM-A anxiety scale:
concept id "" in the definitions). The definitions travel to each criterion's Doc as plain values in ``user_data``
(``ABBREVIATIONS_KEY``), where ``elig_lexicon`` reads them; a trial's definition wins over the
lexicon's reading of the same letters ("MS" defined as mitral stenosis)."""

from __future__ import annotations

import re

from scispacy.abbreviation import filter_matches, find_abbreviation
from spacy.language import Language
from spacy.matcher import Matcher

from nlp.core.knowledge import cue
from nlp.core.lexicon import Lexicon

ABBREVIATIONS_KEY = "elig_abbreviations"


class TrialAbbreviations:
    """Finds a text's abbreviation definitions and the concepts their long forms name."""

    def __init__(self, nlp: Language, lexicon: Lexicon) -> None:
        self.make_doc = nlp.make_doc
        self.lexicon = lexicon
        self.matcher = Matcher(nlp.vocab)
        # scispaCy's pattern with the inside bounded (its filter drops longer ones anyway): an
        # unbounded "+" between brackets costs quadratic time on a long text
        self.matcher.add("parenthesis", [[{"ORTH": "("}, {"ORTH": {"NOT_IN": ["(", ")"]}, "OP": "{1,9}"}, {"ORTH": ")"}]])
        # and in square brackets: "prothrombin activity [PTA]", "aortic valve area [AVA]"
        self.matcher.add("bracket", [[{"ORTH": "["}, {"ORTH": {"NOT_IN": ["[", "]"]}, "OP": "{1,9}"}, {"ORTH": "]"}]])

    def definitions(self, text: str) -> tuple[tuple[str, str, str], ...]:
        """(short form, long form, concept id) of each definition whose long form ends in a
        concept the short form does not already name; concept id "" where the long form names no
        concept and none of the lexicon's readings of the short form (``_other_meaning``)."""
        out: dict[str, tuple[str, str, str]] = {}
        for line in text.splitlines():  # a definition never spans lines; each line is short
            if "(" not in line and "[" not in line:
                continue
            doc = self.make_doc(line)
            inner = [(m, s + 1, e - 1) for m, s, e in self.matcher(doc)]
            for long_candidate, short_candidate in filter_matches(inner, doc):
                short, long = find_abbreviation(long_candidate, short_candidate)
                if long is None or short.text in out or short.text in {t.text for t in long}:
                    continue  # a long form holding the short form itself defines nothing ("ULN (≤ 5 x ULN if ...)")
                cid = self._head_concept(long.text)
                read = {c for c, _, _ in self.lexicon.find(short.text)}
                if cid is None and read and self._other_meaning(long.text, read):
                    out[short.text] = (short.text, long.text, "")
                if cid is None or cid in read:
                    continue
                out[short.text] = (short.text, long.text, cid)
        return tuple(out.values())

    def _other_meaning(self, long_form: str, read: set[str]) -> bool:
        """The long form shares no word (of three letters or more) with any name of the concepts
        the lexicon reads the short form as."""
        words = set(re.findall(r"[a-z]{3,}", long_form.lower()))
        for cid in read:
            e = self.lexicon.get(cid)
            names = (e.name, *e.synonyms) if e is not None else ()
            if any(words & set(re.findall(r"[a-z]{3,}", n.lower())) for n in names):
                return False
        return True

    def _head_concept(self, long_form: str) -> str | None:
        """The concept the long form ends in, unless a preposition puts it under another head
        ("Scale for Assessment and Rating of Ataxia" is a scale, not ataxia)."""
        hits = self.lexicon.find(long_form)
        end = len(long_form.rstrip())
        hit = next(((cid, s) for cid, s, e in reversed(hits) if e == end), None)
        if hit is None:
            return None
        return None if cue("preposition_before").search(long_form, 0, hit[1]) else hit[0]


def short_form_spans(text: str, definitions: tuple[tuple[str, str], ...]) -> list[tuple[int, int, str]]:
    """(start, end, concept id) of each whole-word occurrence of a defined short form in ``text``."""
    out = []
    for short, cid in definitions:
        for m in re.finditer(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text):
            out.append((m.start(), m.end(), cid))
    return out
