"""Linking a span the statistical NER found (and no rule claimed) to a concept of the lexicon and
the imported vocabulary, as scispaCy's linker does over UMLS, here over our own vocabularies:

1. exact: the lexicon's term lookup covers the whole span ("intra-aortic balloon pumping"), or the span
   with its hyphens dropped ("anti-phospholipid syndrome");
2. head: the last concept found ends where the span ends ("lumbar epidural steroid injection" is
   not one, "chronic venous leg ulcer" is: its head names the concept); or the span is a curated
   concept's name that its terms leave out as ambiguous ("insulin", a therapy and an analyte),
   of a category the span's label allows;
3. ngram: the nearest term by the cosine of character 3-gram sets among the terms of the
   categories the span's label allows whose every word starts like a word of the span, kept at
   ``NGRAM_THRESHOLD`` or above.

The index (terms keyed by their category and the set of their words' first four letters, so the
candidates of a span are the keys made of its own prefixes) is read on first use: the imported
terms' part saved by the vocabulary's build (``elig lexicon build``), the curated terms' keyed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from nlp.core.lexicon import Lexicon, bound_prefix_before
from nlp.core.vocabulary import LINK_WORD as _WORD  # words that carry meaning: "of", "or", "in" are left out
from nlp.core.vocabulary import link_index

_TOKEN = re.compile(r"[a-z0-9]+")
NGRAM_THRESHOLD = 0.85  # below it, near neighbours were other concepts on the dev set's spans
_SUBSETS_UP_TO = 12  # a span with more distinct word prefixes has its candidates found by a scan
MAX_SPAN = 80  # characters: a longer span is a clause, not a name
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
        if (cid := self._named.get(text.lower())) is not None and self._category(cid) in allowed:
            # a concept's own name that its terms leave out as ambiguous across categories ("insulin":
            # also the lab analyte): the model's label says which
            return Link(cid, "exact", 1.0)
        return self._nearest(text, allowed)

    @cached_property
    def _named(self) -> dict[str, str]:
        """Lower-case name -> concept, for the curated names written in words (no capital after the
        first letter: not "ALT", "SOFA", "CARS", whose abbreviations match case-sensitively) that
        are none of their concept's terms and name no other concept."""
        names: dict[str, list[str]] = {}
        for e in self.lexicon.entries.curated():
            if not any(ch.isupper() for ch in e.name[1:]):
                names.setdefault(e.name.lower(), []).append(e.id)
        return {n: cids[0] for n, cids in names.items() if len(cids) == 1 and not self.lexicon.is_term(n)}

    def _category(self, cid: str) -> str | None:
        e = self.lexicon.get(cid)
        return e.category if e is not None else None

    @cached_property
    def _index(self) -> dict[str, Any]:
        """The terms (curated first, then the imported ones in the vocabulary's order), their
        concept ids, and per key (``nlp.core.vocabulary.link_key``: category and the distinct
        first four letters of the term's words) the positions of its terms: the curated terms'
        keyed here, the imported ones' saved by the vocabulary's build."""
        curated = link_index({"id": e.id, "category": e.category, "synonyms": e.synonyms}
                             for e in self.lexicon.entries.curated())
        terms, ids, keyed = curated["terms"], curated["ids"], curated["keyed"]
        imported = self.lexicon.entries.link_index()  # (both readers pause the cyclic collector)
        # per term, read on first use: its short tokens that are no function word, which a span
        # must have (``_marks``; an imported name's: "Hb-S/Hb-C disease"; a curated "systolic bp"
        # may be "systolic"), and its character 3-grams
        return {"terms": terms + imported["terms"], "ids": ids + imported["ids"], "keyed": keyed,
                "imported": imported["keyed"], "offset": len(terms), "marks": {}, "trigrams": {}}

    def _marks_of(self, i: int) -> frozenset[str]:
        marks = self._index["marks"]
        found = marks.get(i)
        if found is None:
            ix = self._index
            found = marks[i] = frozenset() if self.lexicon.entries.is_curated(ix["ids"][i]) else _marks(ix["terms"][i])
        return found

    def _candidates(self, prefixes: frozenset[str], allowed: tuple[str, ...]) -> list[int]:
        """The terms of the allowed categories whose every word's prefix is one of ``prefixes``,
        curated first."""
        ix = self._index
        keyed, imported, offset = ix["keyed"], ix["imported"], ix["offset"]
        out: list[int] = []
        if len(prefixes) <= _SUBSETS_UP_TO:
            ordered = sorted(prefixes)  # a key's prefixes are sorted: so is each combination of them
            keys = [f"{cat}\t{' '.join(sub)}" for cat in allowed
                    for r in range(1, len(ordered) + 1) for sub in combinations(ordered, r)]
            for key in keys:
                out.extend(keyed.get(key, ()))
            for key in keys:
                out.extend(offset + i for i in imported.get(key, ()))
            return out
        for index, add in ((keyed, 0), (imported, offset)):  # a long span (rare): every key
            for key, found in index.items():
                cat, _, words = key.partition("\t")
                if cat in allowed and set(words.split(" ")) <= prefixes:
                    out.extend(add + i for i in found)
        return out

    def _nearest(self, text: str, allowed: tuple[str, ...]) -> Link | None:
        """Among the terms every word of which starts like a word of the span (the only ones
        ``_words_covered`` accepts), the nearest by the cosine of their character 3-gram sets."""
        ix = self._index
        span = text.lower()
        terms, grams = ix["terms"], ix["trigrams"]
        tokens: set[str] | None = None  # the span's tokens, read when a candidate has marks
        q = _trigrams(span)
        # a term has at most as many 3-grams as characters, and its cosine with the span is at most
        # the square root of the ratio of their 3-gram counts: a shorter term cannot reach the
        # threshold, so its words are not even compared
        need = NGRAM_THRESHOLD ** 2 * len(q)
        prefixes = _bound_prefixes(span)
        best, best_i = 0.0, -1
        for i in self._candidates(frozenset(w[:4] for w in _WORD.findall(span)), allowed):
            if len(terms[i]) < need or not _words_covered(terms[i], span):
                continue
            if prefixes and not all(p in terms[i].lower() for p in prefixes):
                continue  # "pre-diabetes" is no "diabetes": a term keeps the span's bound prefixes
            if needed := self._marks_of(i):
                tokens = tokens if tokens is not None else set(_TOKEN.findall(span))
                if not tokens.issuperset(needed):
                    continue
            t = grams.get(i)
            if t is None:
                t = grams[i] = _trigrams(terms[i])
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


def _bound_prefixes(span: str) -> list[str]:
    """The prefixes a hyphen binds to a word of the span ("pre" of "pre-diabetes", "anti" of
    "anti-rheumatic drugs"; not "anti-HCV", an antibody: ``bound_prefix_before``)."""
    if "-" not in span:
        return []
    return [_WORD.findall(span[:m.start()])[-1].lower() for m in _WORD.finditer(span)
            if bound_prefix_before(span, m.start(), anti_nouns=False)]


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
