"""Linking a span the statistical NER found (and no rule claimed) to a concept of the lexicon and
the imported vocabulary, as scispaCy's linker does over UMLS, here over our own vocabularies:

1. exact: the lexicon's term lookup covers the whole span ("intra-aortic balloon pumping"), or the span
   with its hyphens dropped ("anti-phospholipid syndrome");
2. head: the last concept found ends where the span ends ("lumbar epidural steroid injection" is
   not one, "chronic venous leg ulcer" is: its head names the concept);
3. ngram: the nearest term by the cosine of character 3-gram sets among the terms of the
   categories the span's label allows whose every word starts like a word of the span, kept at
   ``NGRAM_THRESHOLD`` or above.

The word-prefix index is built on first use (a fraction of a second), once per process.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from nlp.core.lexicon import Lexicon

_WORD = re.compile(r"[a-z0-9]{3,}|\d+")  # words that carry meaning: "of", "or", "in" are left out
_TOKEN = re.compile(r"[a-z0-9]+")
NGRAM_THRESHOLD = 0.85
MAX_SPAN = 80  # characters: a longer span is a clause, not a name  # below it, near neighbours were other concepts on the dev set's spans
# the lexicon categories a model label may link to
CATEGORIES = {
    "CONDITION": ("condition",), "PREGNANCY": ("condition",),
    "THERAPY": ("therapy", "procedure"), "PROCEDURE": ("procedure", "therapy"),
    "MEASUREMENT": ("measurement",),
}


@dataclass(frozen=True)
class Link:
    concept_id: str
    how: str  # "exact" | "head" | "ngram"
    score: float


class ConceptLinker:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._cache: dict[tuple[str, str], Link | None] = {}

    def link(self, text: str, label: str) -> Link | None:
        key = (text, label)
        if key not in self._cache:
            self._cache[key] = self._link(text, label)
        return self._cache[key]

    def _link(self, text: str, label: str) -> Link | None:
        allowed = CATEGORIES.get(label)
        if not allowed or not text.strip() or len(text) > MAX_SPAN:
            return None
        text = text.strip(" ,;:.()")
        hits = [h for h in self.lexicon.find(text) if self._category(h[0]) in allowed]
        if len(hits) == 1 and hits[0][1] == 0 and hits[0][2] == len(text):
            return Link(hits[0][0], "exact", 1.0)
        # "anti-phospholipid syndrome" is the vocabulary's "antiphospholipid syndrome"
        if "-" in text and (cid := self.lexicon.whole(text.replace("-", ""))) and self._category(cid) in allowed:
            return Link(cid, "exact", 1.0)
        if hits and hits[-1][2] == len(text):
            return Link(hits[-1][0], "head", 0.9)
        return self._nearest(text, allowed)

    def _category(self, cid: str) -> str | None:
        e = self.lexicon.get(cid)
        return e.category if e is not None else None

    @cached_property
    def _index(self) -> dict[str, Any]:
        terms: list[str] = []
        ids: list[str] = []
        cats: list[str] = []
        postings: dict[str, list[int]] = {}  # a word's first four letters -> the terms with such a word
        widths: list[int] = []  # distinct word prefixes per term
        marks: dict[int, frozenset[str]] = {}  # a term's short tokens that are no function word: a span must have them
        for term, cid, category in self.lexicon.entries.terms():
            n = len(terms)
            low = term.lower()
            terms.append(low)
            ids.append(cid)
            cats.append(category)
            prefixes = {w[:4] for w in _WORD.findall(low)}
            widths.append(len(prefixes))
            if not self.lexicon.entries.is_curated(cid) and (found := _marks(term)):
                marks[n] = found  # an imported name ("Hb-S/Hb-C disease"); a curated "systolic bp" may be "systolic"
            for p in prefixes:
                postings.setdefault(p, []).append(n)
        return {"terms": terms, "ids": ids, "cats": cats, "postings": postings, "widths": widths, "marks": marks}

    def _nearest(self, text: str, allowed: tuple[str, ...]) -> Link | None:
        """Among the terms every word of which starts like a word of the span (the only ones
        ``_words_covered`` accepts), the nearest by the cosine of their character 3-gram sets."""
        ix = self._index
        span = text.lower()
        hits: Counter[int] = Counter()
        for p in {w[:4] for w in _WORD.findall(span)}:
            hits.update(ix["postings"].get(p, ()))
        widths, cats, terms, marks = ix["widths"], ix["cats"], ix["terms"], ix["marks"]
        tokens: set[str] | None = None  # the span's tokens, read when a candidate has marks
        q = _trigrams(span)
        best, best_i = 0.0, -1
        for i, n in hits.items():
            if n != widths[i] or cats[i] not in allowed or not _words_covered(terms[i], span):
                continue
            if i in marks:
                tokens = tokens if tokens is not None else set(_TOKEN.findall(span))
                if not tokens.issuperset(marks[i]):
                    continue
            t = _trigrams(terms[i])
            sim = len(q & t) / ((len(q) * len(t)) ** 0.5 or 1.0)
            if sim > best or (sim == best and i < best_i):
                best, best_i = sim, i
        if best < NGRAM_THRESHOLD:
            return None
        return Link(ix["ids"][best_i], "ngram", round(best, 3))


def _marks(term: str) -> frozenset[str]:
    """The short tokens of an imported name that are no function word (spaCy's English stop
    words): "hb", "s", "c" of "Hb-S/Hb-C disease", "ix" of "Factor IX deficiency", "sf", "ri" of
    "SF-RI 1". ``_WORD`` leaves them out, so a span must have them itself: "disease" is no
    "Hb-S/Hb-C disease", "factor 8 deficiency" no "Factor IX deficiency"."""
    low = term.lower().replace("'s", "").replace("\u2019s", "")
    return frozenset(t for t in _TOKEN.findall(low) if len(t) <= 2 and not t.isdigit() and t not in STOP_WORDS)


def _trigrams(text: str) -> frozenset[str]:
    """Character 3-grams of each word padded with spaces (scikit-learn's ``char_wb``)."""
    out: set[str] = set()
    for w in _WORD.findall(text):
        padded = f" {w} "
        out.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return frozenset(out)


def _words_covered(term: str, span: str) -> bool:
    """Every word of the term has a counterpart in the span (same first four letters): a near
    neighbour may differ in spelling or number ("amphetamines"), not add a word ("treatment" is
    not "cell treatment", "illness" not "mental illness")."""
    words = [w[:4] for w in _WORD.findall(span)]
    return all(any(w.startswith(t[:4]) or t.startswith(w) for w in words) for t in _WORD.findall(term))
