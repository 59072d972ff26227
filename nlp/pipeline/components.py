"""Registered spaCy components (factories prefixed ``elig_``), exposed through the
``spacy_factories`` entry point so ``spacy.load(path)`` works without importing ``nlp`` first.

Order in the pipeline: ``elig_lexicon`` (coded concepts) -> ``elig_temporal`` (windows) ->
``elig_values`` (comparator/number/unit/xULN, AGE) -> ``elig_context`` (negation, history,
hypothetical, family, exceptions). Each claims only tokens no earlier component claimed; all
write ``doc.ents``.
"""

# No ``from __future__ import annotations``: spaCy validates factory signatures at run time.

import bisect
import itertools
import json
import re
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import srsly
from spacy.attrs import ENT_IOB, LOWER
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from nlp.core.knowledge import cue
from nlp.core.labels import Anchor, listed_together
from nlp.core.lexicon import Lexicon, LexiconEntry, bound_prefix_before, load_lexicon
from nlp.core.units import SCORE, dimension, dimension_word_re, in_quantity_name, names_nothing, quantity_dimensions
from nlp.core.vocabulary import load_vocabulary
from nlp.core.windows import anchor_of
from nlp.pipeline.abbreviations import ABBREVIATIONS_KEY, short_form_spans
from nlp.pipeline.extensions import user_data  # importing it registers the attributes
from nlp.pipeline.linker import ConceptLinker
from nlp.pipeline.temporal import TemporalMatch, find_temporal
from nlp.pipeline.tokenizer import PERIOD_ABBREVIATIONS, TEXT_KEY
from nlp.pipeline.values import ValueMatch, classes_after, find_values, levels_after, levels_before, word_number

# the statistical NER's labels kept for linking (its VALUE, TEMPORAL, AGE, SEX spans give way to
# the rule components that read values, windows and ages)
MODEL_LABELS = frozenset({"CONDITION", "PREGNANCY", "THERAPY", "PROCEDURE", "MEASUREMENT"})

ENTITY_LABELS = (
    "AGE", "SEX", "MEASUREMENT", "VALUE", "REF_RANGE", "CONDITION", "PREGNANCY", "THERAPY",
    "PROCEDURE", "TEMPORAL", "TRIAL_PARTICIPATION", "CONSENT", "JUDGEMENT", "OTHER",
)


# the head kind of a lower-case word (by its hash) in ``_coordinated``: a cue test per token is
# most of that walk's cost
_HEAD_KINDS: dict[int, int] = {}
_HEAD_KINDS_MAX = 200_000


@lru_cache(maxsize=16)
def _anywhere(token_cue: re.Pattern[str]) -> re.Pattern[str]:
    """A whole-token cue ("^(?:...)$") as a search over a text: a cheap test before a token walk."""
    return re.compile(r"(?<!\w)" + token_cue.pattern.strip("^$") + r"(?!\w)", token_cue.flags)


def _starts_phrase(before: Token, filler: re.Pattern[str]) -> bool:
    """Whether the word after ``before`` starts its noun phrase: ``before`` is punctuation, a
    function word or a filler ("severe hepatic deficiencies"), not a modifier of it
    ("intracranial hemorrhagic diseases", "non-pulmonary condition")."""
    return (not before.is_alpha and before.text not in ("-", "/")) or before.is_stop or filler.match(before.lower_) is not None


def _general_heads(head: str) -> tuple[str, ...]:
    """The general heads a listed organ word is also read with: "<word> dysfunction", "<word>
    disease"; a deficiency is no disease ("collagen deficiency" is not collagen disease)."""
    return ("dysfunction",) if head.startswith("deficien") else ("dysfunction", "disease")


def _longest_first(sources: list[list[Span]]) -> list[Span]:
    """Non-overlapping spans: more tokens first, then the earlier source, then the earlier start
    (``filter_spans`` would let the earlier start beat the source)."""
    ranked = sorted(((len(s), -rank, -s.start, s) for rank, spans in enumerate(sources) for s in spans),
                    key=lambda x: x[:3], reverse=True)
    taken: set[int] = set()
    kept = []
    for *_, span in ranked:
        if not taken.intersection(range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda s: s.start)


def _free(start: int, end: int, taken: list[bool]) -> bool:
    return not any(taken[start:end])


_WORD_RUN = re.compile(r"\w+")


def _cue_pattern(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I)


def doc_text(doc: Doc) -> str:
    """``doc.text`` computed once per Doc (spaCy re-joins every token on each access): kept by the
    tokenizer (``TextKeepingTokenizer``), else here; it lives in ``user_data`` until
    ``elig_context`` removes it."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.text
        doc.user_data[TEXT_KEY] = text
    return text


class PerDoc:
    """A component that reads one Doc at a time, with ``pipe`` as spaCy's ``Language.pipe`` calls
    it: the Docs mapped through ``__call__`` (spaCy's own wrapper for a component without ``pipe``
    adds a generator and an error handler per Doc: a twentieth of the rule components' time)."""

    def __call__(self, doc: Doc) -> Doc:
        raise NotImplementedError

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        return map(self, docs)


class _DocFunction(PerDoc):
    """A function component (``Doc -> Doc``) with ``pipe``."""

    def __init__(self, fn: Callable[[Doc], Doc]) -> None:
        self.fn = fn

    def __call__(self, doc: Doc) -> Doc:
        return self.fn(doc)

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        return map(self.fn, docs)


def _set(span: Span, **attrs: Any) -> None:
    """Set plain-valued custom attributes on a span."""
    u = span._  # one Underscore for all the attributes (each ``span._`` builds a new one)
    for name, value in attrs.items():
        setattr(u, name, value)


_MODEL_KEY = "elig_model_spans"  # user_data flag: elig_lexicon kept spans of the statistical NER


def _taken_mask(doc: Doc) -> list[bool]:
    """Tokens already inside a rule entity (read from the ENT_IOB array, without building Spans,
    when the NER added none): the NER's spans give way to the rule components after elig_lexicon."""
    if not len(doc):
        return []
    if doc.user_data.get(_MODEL_KEY):
        mask = [False] * len(doc)
        for e in doc.ents:
            if e._.source != "model":
                mask[e.start:e.end] = [True] * (e.end - e.start)
        return mask
    return [v == 1 or v == 3 for v in doc.to_array(ENT_IOB).tolist()]


def _add_rule_ents(doc: Doc, new: list[Span]) -> None:
    """Add rule spans, removing the NER's spans they overlap. A rule span at the very offsets of
    a removed NER span is the rule's: its ``source`` (kept in ``doc.user_data`` by offsets) is set
    back to "rules", or stage 4 would drop it as an unlinked model span."""
    ud = user_data(doc)
    for s in new:
        if ud.get(("._.", "source", s.start_char, s.end_char)) == "model":
            ud[("._.", "source", s.start_char, s.end_char)] = "rules"
            ud.pop(("._.", "linked_by", s.start_char, s.end_char), None)
    if doc.user_data.get(_MODEL_KEY):
        tokens = {i for s in new for i in range(s.start, s.end)}
        ents = [e for e in doc.ents if e._.source != "model" or not tokens.intersection(range(e.start, e.end))]
        if len(ents) != len(doc.ents):
            doc.ents = ents
    doc.set_ents(new, default="unmodified")


# ---------------------------------------------------------------------------------------------
# Lexicon concepts


class LexiconTagger(PerDoc):
    """Tags lexicon concepts: synonyms case-insensitively (LOWER), abbreviations as written
    (ORTH); the longest match wins. Coordinated organ lists ("heart, liver, or kidney
    dysfunction") are expanded so each organ gets its own concept."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self.name = name
        self.entries: list = []
        self._linker: ConceptLinker | None = None
        self._build(Lexicon([]))

    def _build(self, lexicon: Lexicon | None = None) -> None:
        """Matchers over ``self.entries``; ``lexicon``: their ``Lexicon`` when the caller has it
        (the package's, shared with the rest of the process), else built from the entries."""
        self.lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.orth = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.listed = PhraseMatcher(self.nlp.vocab, attr="LOWER")  # ``listed_synonyms``: only in a list of treatments
        self.by_id = {e["id"]: e for e in self.entries}
        make = self.nlp.make_doc
        # the lexicon the tagger speaks: its phrase-matched entries and the imported vocabulary
        self.lexicon = lexicon or Lexicon((LexiconEntry.model_validate(e) for e in self.entries), load_vocabulary())
        for e in self.entries:
            # each term also spelled without its inner hyphens, as the lexicon owns them
            syns = [*(e.get("synonyms") or ()), *self.lexicon.term_variants.get(e["id"], ())]
            abbrs = list(e.get("abbreviations") or [])
            if syns:
                self.lower.add(e["id"], [make(s) for s in syns])
            if abbrs:
                self.orth.add(e["id"], [make(a) for a in abbrs])
            if listed := list(e.get("listed_synonyms") or []):
                self.listed.add(e["id"], [make(t) for t in listed])

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None,
                   lexicon_dir: str | None = None) -> None:
        # phrase matchers: the curated terms (the imported ones are looked up by word tokens)
        self.entries = [e.model_dump(mode="json") for e in load_lexicon(lexicon_dir)]
        self._build(Lexicon.load(lexicon_dir))  # with the imported vocabulary unless a directory is given

    def __call__(self, doc: Doc) -> Doc:
        vocab = doc.vocab
        by_id = self.by_id
        model = [s for s in doc.ents if s.label_ in MODEL_LABELS]  # the statistical NER's, if it ran first
        curated = [Span(doc, start, end, label=by_id[vocab.strings[m]]["label"], kb_id=vocab.strings[m])
                   for m, start, end in list(self.lower(doc)) + list(self.orth(doc))]
        if curated and "-" in (text := doc_text(doc)):
            # "pre-diabetes", "anti-rheumatic disease modifying drugs": a prefix bound by a hyphen
            # makes another concept of the term after it ("anti-HCV" stays: an antibody's marker)
            curated = [s for s in curated if not bound_prefix_before(text, s.start_char, anti_nouns=False)]
        # the trial's own definitions first, then the curated lexicon, then the imported vocabulary:
        # the longest span wins, the earlier source a tie
        defined = self._defined(doc)
        kept = _longest_first([defined, curated + self._coordinated(doc) + self._ratio(doc) + self._inhibitor_short(doc),
                               self._imported(doc)])
        if "/" in (text := doc_text(doc)) or ":" in text:
            kept = self._ratios_of_mentions(doc, kept)
        if elided := self._elided(doc, kept) + self._shared_head(doc, kept):
            kept = _longest_first([kept, elided])
        if listed := self._listed(doc, kept):
            kept = _longest_first([kept, listed])
        if model:
            kept = self._with_model(doc, kept, model)
        if blocked := {(s.start, s.end) for s in defined if not s.kb_id_}:
            kept = [s for s in kept if (s.start, s.end) not in blocked or s.kb_id_]  # they only held the place
        if any(s.label_ == "TRIAL_PARTICIPATION" for s in kept) and not self._PARTICIPATION_CUE.search(doc_text(doc)):
            # "unsuitable for clinical trials" mentions a trial but is not about taking part in one
            kept = [s for s in kept if s.label_ != "TRIAL_PARTICIPATION"]
        for span in kept:
            if span.kb_id_:
                self._annotate(span, span.kb_id_)
        doc.ents = kept
        return doc

    def _with_model(self, doc: Doc, kept: list[Span], model: list[Span]) -> list[Span]:
        """The model's spans no rule span overlaps, linked to a concept where the linker can
        (``nlp.pipeline.linker``); ``source`` "model" marks them for stage 4."""
        taken = {i for s in kept for i in range(s.start, s.end)}
        out = list(kept)
        text = doc_text(doc)
        for s in model:
            if taken.intersection(range(s.start, s.end)) or _function_words_only(s):
                continue
            # "pre-cancerous lesions": a prefix bound by a hyphen before the span makes another
            # concept of it, as of a lexicon term (``bound_prefix_before``): left unlinked
            link = None if "-" in text and bound_prefix_before(text, s.start_char, anti_nouns=False) else self.linker.link(s.text, s.label_)
            span = Span(s.doc, s.start, s.end, label=s.label_, kb_id=link.concept_id if link else "")
            _set(span, source="model", linked_by=link.how if link else None)
            out.append(span)
            s.doc.user_data[_MODEL_KEY] = True
        return sorted(out, key=lambda x: x.start)

    @property
    def linker(self) -> ConceptLinker:
        if self._linker is None:
            self._linker = ConceptLinker(self.lexicon)
        return self._linker

    def _defined(self, doc: Doc) -> list[Span]:
        """Spans of the short forms the trial defines (``nlp.pipeline.abbreviations``); a short
        form defined as something the lexicon does not know (concept id "") is a span with no
        concept, which keeps the lexicon's other reading of the letters off it."""
        defs = doc.user_data.get(ABBREVIATIONS_KEY)
        if not defs:
            return []
        out = []
        for s, e, cid in short_form_spans(doc_text(doc), defs):
            if not cid:
                span = doc.char_span(s, e, label="OTHER", kb_id="")
                if span is not None:
                    out.append(span)
                continue
            entry = self.lexicon.get(cid)
            span = doc.char_span(s, e, label=entry.label, kb_id=cid) if entry is not None else None
            if span is not None:
                out.append(span)
        return out

    def _inhibitor_short(self, doc: Doc) -> list[Span]:
        """An inhibitor class written as its target's short form and "i" (cue ``inhibitor_short_form``:
        "oral PDE-5i", "TNFi", "SGLT2i", "mTORi"): the class the lexicon names "<target> inhibitors"."""
        out = []
        for m in cue("inhibitor_short_form").finditer(doc_text(doc)):
            stem = m.group("stem")
            cid = self.lexicon.whole(f"{stem} inhibitors") or self.lexicon.whole(f"{stem} inhibitor")
            entry = self.lexicon.get(cid) if cid else None
            if entry is None or entry.label != "THERAPY":
                continue
            span = doc.char_span(m.start(), m.end(), label=entry.label, kb_id=entry.id)
            if span is not None:
                out.append(span)
        return out

    def _imported(self, doc: Doc) -> list[Span]:
        """Spans of the imported vocabulary (``Lexicon.find_imported``: drugs, ICD-10-CM, MeSH
        therapies, procedures and conditions, LOINC analytes) on whole tokens."""
        lex = self.lexicon
        out = []
        for cid, s, e in lex.find_imported(doc_text(doc)):
            entry = lex.get(cid)
            if entry is None:
                continue
            span = doc.char_span(s, e, label=entry.label, kb_id=cid)
            if span is not None:
                out.append(span)
        return out

    _PARTICIPATION_CUE = re.compile(
        r"participat|enrol|involv|take\s+part|taking\s+part|took\s+part|another|other\s+(?:clinical|interventional|investigational)|"
        r"concurrent|simultaneous|previous|prior|current(?:ly)?|in\s+the\s+(?:last|past)|within|registered|included\s+in",
        re.I,
    )

    def _listed(self, doc: Doc, kept: list[Span]) -> list[Span]:
        """A ``listed_synonyms`` word joined (cue ``coordination_join``) to a treatment already
        tagged ("surgery, chemotherapy, or radiation"; "radiation and chemotherapy"): the concept."""
        treatment = {i for s in kept if s.label_ in ("THERAPY", "PROCEDURE") for i in (s.start, s.end - 1)}
        if not treatment:
            return []  # no treatment tagged: no list word can join one
        found = self.listed(doc)
        if not found:
            return []
        join = cue("coordination_join")
        taken = {i for s in kept for i in range(s.start, s.end)}
        out = []
        for m, start, end in found:
            if taken.intersection(range(start, end)):
                continue
            i = start - 1
            while i >= 0 and join.match(doc[i].lower_):
                i -= 1
            j = end
            while j < len(doc) and join.match(doc[j].lower_):
                j += 1
            if (i < start - 1 and i in treatment) or (j > end and j in treatment):
                cid = self.nlp.vocab.strings[m]
                out.append(Span(doc, start, end, label=self.by_id[cid]["label"], kb_id=cid))
        return out

    # a ratio written as two long forms, each with its short form in brackets: "Partial pressure of
    # arterial oxygen (PaO2) / Fraction of inspired oxygen (FiO2)"
    _RATIO = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9]{1,9})\s*\)\s*[/:]\s*[^()\n]{0,60}?\(\s*([A-Za-z][A-Za-z0-9]{1,9})\s*\)")

    def _ratio(self, doc: Doc) -> list[Span]:
        """The ratio the two bracketed short forms name together ("(PaO2) / ... (FiO2)" is the
        lexicon's "PaO2/FiO2"), spanning from the first bracket to the last."""
        text = doc_text(doc)
        if "/" not in text and ":" not in text:
            return []
        out = []
        for m in self._RATIO.finditer(text):
            cid = self.lexicon.whole(f"{m.group(1)}/{m.group(2)}")
            entry = self.lexicon.get(cid) if cid else None
            span = doc.char_span(m.start(), m.end(), label=entry.label, kb_id=entry.id, alignment_mode="expand") if entry else None
            if span is not None:
                out.append(span)
        return out

    def _ratios_of_mentions(self, doc: Doc, kept: list[Span]) -> list[Span]:
        """Two analytes joined by a slash or a colon, or "to" after "ratio of", whose short forms
        name a ratio the lexicon has ("partial pressure of oxygen/fraction of inspired oxygen",
        "the ratio of arterial oxygen tension to fraction of inspired oxygen": PaO2 and FiO2 make
        the lexicon's "PaO2/FiO2"), or an analyte right before a bracketed ratio it begins: one
        span of the ratio."""
        text = doc_text(doc)
        spans = sorted(kept, key=lambda s: s.start)
        out: list[Span] = []
        i = 0
        while i < len(spans):
            a = spans[i]
            b = spans[i + 1] if i + 1 < len(spans) else None
            if b is None or not (a.label_ == b.label_ == "MEASUREMENT" and a.kb_id_ and b.kb_id_):
                out.append(a)
                i += 1
                continue
            ea, eb = self.lexicon.get(a.kb_id_), self.lexicon.get(b.kb_id_)
            firsts, seconds = (ea.abbreviations if ea else ()), (eb.abbreviations if eb else ())
            entry = None
            if cue("ratio_slash_join").fullmatch(text, a.end_char, b.start_char) or (
                    cue("ratio_to_join").fullmatch(text, a.end_char, b.start_char)
                    and cue("ratio_of_before").search(text, max(0, a.start_char - 20), a.start_char)):
                entry = self._ratio_named(firsts, seconds)
            elif not text[a.end_char:b.start_char].strip() and text.startswith("(", b.start_char) \
                    and any(t.startswith(f"{x}/") for x in firsts for t in seconds):
                # "Partial pressure of arterial oxygen (PaO2) / Fraction of inspired oxygen
                # (FiO2)": the long form before the bracketed ratio is its first term
                entry = self.lexicon.get(b.kb_id_)
            if entry is not None and entry.label == "MEASUREMENT":
                out.append(Span(doc, a.start, b.end, label=entry.label, kb_id=entry.id))
            elif text[a.end_char:b.start_char].strip() == "/" and cue("ratio_after").match(text, b.end_char):
                # "SpO2/FiO2 ratio": a ratio no vocabulary has is neither of its terms; its threshold
                # is read under the name as written ("ALT/AST > 2 x ULN", no ratio said, is either)
                span = Span(doc, a.start, b.end, label="MEASUREMENT")
                _set(span, concept_name=span.text, concept_id=None)
                out.append(span)
            else:
                out.append(a)
                i += 1
                continue
            i += 2
        return [self._ratio_ending(doc, text, s) if s.label_ == "MEASUREMENT" and s.kb_id_ else s for s in out]

    def _ratio_named(self, firsts: Iterable[str], seconds: Iterable[str]) -> LexiconEntry | None:
        """The lexicon's ratio "<first>/<second>" for some pair of the two terms' short forms."""
        seconds = tuple(seconds)
        cid = next((c for x in firsts for y in seconds if (c := self.lexicon.whole(f"{x}/{y}"))), None)
        return self.lexicon.get(cid) if cid else None

    _SHORT_BEFORE_SLASH = re.compile(r"([A-Za-z][A-Za-z0-9]{1,9})\s*[/:]\s*$")

    def _ratio_ending(self, doc: Doc, text: str, b: Span) -> Span:
        """``b`` with the short form right before it that makes a ratio of it ("PaO2/ FiO2": the
        tokenizer keeps "PaO2/" one token, so no span holds PaO2), else ``b``."""
        m = self._SHORT_BEFORE_SLASH.search(text, max(0, b.start_char - 16), b.start_char)
        eb = self.lexicon.get(b.kb_id_)
        if m is None or eb is None:
            return b
        entry = self._ratio_named((m.group(1),), eb.abbreviations)
        span = doc.char_span(m.start(1), b.end_char, label="MEASUREMENT", kb_id=entry.id, alignment_mode="expand") \
            if entry is not None and entry.label == "MEASUREMENT" else None
        return span if span is not None and span.end == b.end else b

    def _coordinated(self, doc: Doc) -> list[Span]:
        """Lists sharing a head noun: "heart, liver, lung, kidney and other important organ
        lesions", "cardiovascular and pulmonary comorbidities", "immunosuppressive, cytotoxic, or
        antifibrotic drugs" -> one span per listed word, with the concept of "<word> <head>" (for a
        condition head also "<word> disease" / "<word> dysfunction"). Heads, fillers and joining
        words are cues (``coordination_*``)."""
        head_cue, filler, join = cue("coordination_head"), cue("coordination_filler"), cue("coordination_join")
        drug_head, single_head = cue("coordination_drug_head"), cue("coordination_single_head")
        out: list[Span] = []
        text = doc_text(doc)
        if not (_anywhere(head_cue).search(text) or _anywhere(drug_head).search(text)):
            return out
        kinds = _HEAD_KINDS
        if len(kinds) > _HEAD_KINDS_MAX:
            kinds.clear()  # bounded: a long-running process meets ever new words
        strings = doc.vocab.strings
        for hi, key in enumerate(doc.to_array(LOWER).tolist()):
            kind = kinds.get(key)
            if kind is None:  # 2: a drug head, 1: a condition head, 0: neither (by lower-case word)
                word = strings[key]
                kind = kinds[key] = 2 if drug_head.match(word) else 1 if head_cue.match(word) else 0
            if not kind:
                continue
            h = doc[hi]
            is_drug = kind == 2
            i = h.i - 1
            while i >= 0 and filler.match(doc[i].lower_):
                i -= 1
            if i < h.i - 1:  # "kidney and other important organ lesions": the list ends before the join
                while i >= 0 and join.match(doc[i].lower_):
                    i -= 1
            items: list[int] = []
            while i >= 0 and doc[i].is_alpha and len(items) < 10 and not (items and filler.match(doc[i].lower_)):
                items.append(i)
                j = i - 1
                # the item's own modifiers, coordinated or not ("pulmonary, acute or chronic
                # infectious disease"): the list goes on before them
                k = j
                while k >= 0 and (filler.match(doc[k].lower_) or (join.match(doc[k].lower_) and k > 0 and filler.match(doc[k - 1].lower_))):
                    k -= 1
                if k < j and k >= 0 and join.match(doc[k].lower_):
                    j = k
                if j < 0 or not join.match(doc[j].lower_):
                    break
                while j >= 0 and join.match(doc[j].lower_):  # ", and", "and/or"
                    j -= 1
                i = j
            # one word right before a condition head (cue ``coordination_single_head``), not a list: an
            # organ's dysfunction or disease ("hepatic deficiencies", "cardiovascular dysfunction",
            # "hematologic abnormality"; not "acute injury", "non-pulmonary condition", "without joint
            # involvement")
            single = len(items) == 1 and items == [h.i - 1] and not is_drug and single_head.match(h.lower_) is not None \
                and (h.i < 2 or _starts_phrase(doc[h.i - 2], filler))
            if len(items) < 2 and not single:
                items = []
            if not is_drug:  # a list after the head: "medical condition including renal, hepatic, ..."
                items += self._listed_after(doc, h.i)
            head = h.lower_
            for k in items:
                if single and k == h.i - 1:
                    cid = next((c for g in _general_heads(head) if (c := self.lexicon.whole(f"{doc[k].text} {g}"))), None)
                else:
                    cid = self._phrase_concept(doc[k].text, head, general=not is_drug)
                if cid is not None:
                    out.append(Span(doc, k, k + 1, label=self.lexicon.entries[cid].label, kb_id=cid))
        return out

    @staticmethod
    def _listed_after(doc: Doc, head: int) -> list[int]:
        """The one-word items of a list a condition head introduces ("conditions (including but
        not limited to kidney, liver, lung ...)", "disease of heart, lung, kidney, blood"): after
        the head, an opening bracket or comma and an introducing phrase (cue
        ``coordination_intro``), then words joined by commas and and/or (two at least). An item
        of several words ends the list ("cerebral psychiatric disease")."""
        intro, join = cue("coordination_intro"), cue("coordination_join")
        if head + 1 >= len(doc):
            return []
        last = doc[min(len(doc), head + 40) - 1]
        start = doc[head + 1].idx
        m = intro.match(doc_text(doc)[start:last.idx + len(last)])  # the next 39 tokens' text
        if m is None:
            return []
        i = next((t.i for t in doc[head + 1:last.i + 1] if t.idx >= start + m.end()), len(doc))
        items: list[int] = []
        while i < len(doc) and doc[i].is_alpha and len(items) < 12:
            nxt = i + 1
            if nxt < len(doc) and doc[nxt].is_alpha and not join.match(doc[nxt].lower_):
                break  # a phrase, not a word: the list ends here
            items.append(i)
            while nxt < len(doc) and join.match(doc[nxt].lower_):
                nxt += 1
            if nxt == i + 1:
                break
            i = nxt
        return items if len(items) >= 2 else []

    def _phrase_concept(self, word: str, head: str, general: bool = True) -> str | None:
        """The concept a whole phrase "<word> <head>" (or, for a condition head, with a general
        head: "<word> disease") names, if one does; a plural word also read in the singular
        ("drugs abuse" is drug abuse)."""
        words = (word, word[:-1]) if len(word) > 4 and word.lower().endswith("s") and not word.lower().endswith("ss") else (word,)
        for w in words:
            for h in (head, head.rstrip("s"), *(_general_heads(head) if general else ())):
                if cid := self.lexicon.whole(f"{w} {h}"):
                    return cid
        return None

    def _elided(self, doc: Doc, kept: list[Span]) -> list[Span]:
        """Ellipsis after a concept ending in a letter or number: "Hepatitis B or C", "type 1 or 2
        diabetes" reads "Hepatitis C" ("diabetes mellitus type 1 or type 2": the item repeating the
        word before it), or in a word after a preposition: "addicted to drugs,
        tobacco and alcohol" reads "addicted to alcohol"; each item that names a concept gets its
        own span."""
        item, join, lead_word = cue("ellipsis_item"), cue("coordination_join"), cue("ellipsis_lead")
        out: list[Span] = []
        for span in kept:
            last = doc[span.end - 1]
            if not span.kb_id_ or len(span) < 2:
                continue
            # a lead ending in a preposition shares it with the words listed after ("addicted to
            # drugs, tobacco and alcohol" reads "addicted to alcohol"; cue ``ellipsis_lead``)
            lead = last.is_alpha and bool(lead_word.fullmatch(doc[span.end - 2].lower_))
            if not lead and not item.match(last.text):
                continue
            stem = doc.text[span.start_char:last.idx]
            word = doc[span.end - 2].lower_  # the word before the item ("type" of "diabetes mellitus type 1")
            i = span.end
            while i + 1 < len(doc) and join.match(doc[i].lower_):
                while i < len(doc) and join.match(doc[i].lower_):
                    i += 1
                # "diabetes mellitus type 1 or type 2": the item may repeat the word before it
                start = i
                if not lead and i + 1 < len(doc) and doc[i].lower_ == word and item.match(doc[i + 1].text):
                    i += 1
                if i >= len(doc) or not (doc[i].is_alpha if lead else item.match(doc[i].text)):
                    break
                if cid := self.lexicon.whole(stem + doc[i].text):
                    out.append(Span(doc, start, i + 1, label=self.lexicon.entries[cid].label, kb_id=cid))
                i += 1
        return out

    def _shared_head(self, doc: Doc, kept: list[Span]) -> list[Span]:
        """Conjuncts of one to three words before a concept of two or more that ends in the head
        they share: "solid organ or bone marrow transplant" reads "solid organ transplant" where
        the vocabulary has it (the longest such conjunct; function words end it), and so on leftwards
        through the list ("impaired cardiac, renal or hepatic function": cardiac and renal
        function)."""
        join = cue("coordination_join")
        out: list[Span] = []
        for span in kept:
            j = span.start - 1
            if not span.kb_id_ or len(span) < 2:
                continue
            head = doc[span.end - 1].text
            while j >= 1 and join.match(doc[j].lower_):
                if j >= 2 and join.match(doc[j - 1].lower_):
                    j -= 1  # ", and": one join
                words: list[int] = []
                i = j - 1
                while i >= 0 and len(words) < 3 and doc[i].is_alpha and not doc[i].is_stop:
                    words.insert(0, i)
                    i -= 1
                found = None
                for k in range(len(words)):
                    cid = self.lexicon.whole(" ".join(doc[w].text for w in words[k:]) + " " + head)
                    if cid is not None:
                        found = Span(doc, words[k], j, label=self.lexicon.entries[cid].label, kb_id=cid)
                        break
                if found is None:
                    break
                out.append(found)
                j = found.start - 1
        return out

    @staticmethod
    def _annotate(span: Span, cid: str) -> None:
        span._.concept_id = cid
        doc = span.doc
        if span.end < len(doc) and doc[span.end].text == "+":
            span._.positive = True

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        p = Path(path)
        p.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(p / "lexicon.jsonl", self.entries)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "LexiconTagger":
        self.entries = list(srsly.read_jsonl(Path(path) / "lexicon.jsonl"))
        self._build()
        return self


@Language.factory("elig_lexicon")
def make_lexicon(nlp: Language, name: str) -> "LexiconTagger":
    return LexiconTagger(nlp, name)


# ---------------------------------------------------------------------------------------------
# Temporal windows


def _since_treatment(doc: Doc, t: TemporalMatch, start: int, end: int) -> bool:
    """A time since a treatment or procedure the anchor names as the patient's ("≤ 4 weeks from
    major surgery", "less than 28 days since last chemotherapy treatment"): no window on an event,
    but how long ago the treatment was; its concept stays (tokens ``start``-``end``). Not a window
    ("within 6 months after surgery": the trial's event's), a period ("for 12 weeks after the last
    study drug", cue ``period_lead``), the trial's own dosing (anchor ``first_dose``: "after MSC
    infusion") nor another thing's time (a rule entity other than a treatment before it in its
    clause: "predicted lifespan of less than 12 months following ...")."""
    if t.rel_word is None or not cue("time_since_word").fullmatch(t.rel_word) or t.led or t.kind != "offset" \
            or anchor_of(t.anchor) == Anchor.FIRST_DOSE:
        return False
    text = doc_text(doc)
    if cue("period_lead").search(text[max(0, t.start - 40):t.start]):
        return False
    clause = _start_before(_cut_ends(text, cue("clause_punctuation")), t.start)
    rule = [e for e in doc.ents if e._.source != "model"]
    if any(clause <= e.start_char < t.start and e.label_ not in ("THERAPY", "PROCEDURE") for e in rule):
        return False
    return any(start <= e.start and e.end <= end and e.label_ in ("THERAPY", "PROCEDURE") for e in rule)


@Language.factory("elig_temporal")
def make_temporal(nlp: Language, name: str) -> Any:
    def tag_temporal(doc: Doc) -> Doc:
        found = find_temporal(doc_text(doc))
        if not found:
            return doc
        taken = _taken_mask(doc)
        new: list[Span] = []
        drop: list[tuple[int, int]] = []  # token ranges of anchors that take over concepts
        text = doc_text(doc)
        for t in found:
            unit_word = cue("age_unit_word").search(text, t.start, t.core_end + 1)
            after_unit = text[unit_word.end():] if unit_word else text[t.core_end:]
            if not cue("window_word").match(text[t.start:t.end]) and (
                    cue("age_after").match(after_unit) or cue("age_lead").search(text[max(0, t.start - 20):t.start])
                    or cue("age_word").search(text, t.start, unit_word.start() if unit_word else t.core_end)):
                continue  # "18-60 years of age", "aged 18 years or older": an age, which elig_values reads
            span = doc.char_span(t.start, t.end, label="TEMPORAL", alignment_mode="expand")
            core = doc.char_span(t.start, t.core_end, alignment_mode="expand")
            if span is None or core is None or not _free(core.start, core.end, taken):
                continue
            if _since_treatment(doc, t, core.end, span.end):
                continue  # the time is elig_values'; stage 4 times the treatment by it
            if not _free(core.end, span.end, taken):
                # the anchor ("... prior to receiving the trial drug") holds concepts: the window
                # takes them over, they are part of its anchor text
                drop.append((core.end, span.end))
            _set(span, window_days=t.days, window_days_low=t.days_low, relation=t.relation,
                 anchor=t.anchor, temporal_kind=t.kind, value=t.value, value_high=t.value_high,
                 unit=t.unit, comparator="between" if t.value_high is not None else t.comparator)
            new.append(span)
        if drop:
            doc.ents = [e for e in doc.ents if not any(e.start < b and e.end > a for a, b in drop)]
        if new:
            _add_rule_ents(doc, filter_spans(new))
        return doc

    return _DocFunction(tag_temporal)


# ---------------------------------------------------------------------------------------------
# Values, reference-range multiples, ages

_AGE_BEFORE = re.compile(r"(?:\bage[ds]?\b|\baging\b|\bold\b)[^,;.()]{0,25}$", re.I)


def _function_words_only(span: Span) -> bool:
    """A model span of function words and abbreviations alone ("etc.", "Although", "well enough
    from"): no entity. An acronym in capitals ("ALL", "WHO") is kept."""
    return all(t.is_punct or (not t.text.isupper() and (t.lower_ in STOP_WORDS or t.lower_ in PERIOD_ABBREVIATIONS)) for t in span)


def _age_of_other(text: str, v: ValueMatch) -> bool:
    """An age said of someone else than the patient, right before it (cue ``age_of_other``:
    "gestational age < 32 weeks", "donor age > 65 years", "parents of children aged 2-12")."""
    return bool(cue("age_of_other").search(text[max(0, v.start - 60): v.start]))


def _ages_of_others(text: str, found: list[ValueMatch]) -> list[bool]:
    """Per value, whether it is an age of someone else than the patient (``_age_of_other``), or a
    time joined to one by a coordinator or a range word (cues ``coordination_join``,
    ``range_join``): "mothers <18 years or >40 years of age", "donors younger than 18 or older than
    60 years" (the second end was read as the patient's age)."""
    out = [_age_of_other(text, v) for v in found]
    for i in range(1, len(found)):
        gap = text[found[i - 1].end:found[i].start]
        if out[i - 1] and not out[i] and found[i].is_time and (
                cue("range_join").fullmatch(gap) or cue("coordination_join").match(gap.strip().lower())):
            out[i] = True
    return out


# "older than 6 years", "18 and older": only ages are older or younger
_OLDER = re.compile(r"\b(?:older|younger)\b", re.I)
# ... unless an event follows: "patients at least 6 months after stroke" is a time since it
_SINCE_EVENT = re.compile(r"^\s*(?:after|from|since|post|following|before|prior)\b", re.I)


def _ages_share_units(text: str, found: list[ValueMatch]) -> list[ValueMatch]:
    """"≥ 21 and < 90 years of age", "over 18 and under 60 years": two ends joined by "and" /
    "to" share the unit written once; "adults over 18" (a bare age after a word for people) and
    "over the age of 18" (a comparator naming the age) are in years."""
    out = list(found)
    for i, v in enumerate(out):
        nxt = out[i + 1] if i + 1 < len(out) else None
        if _bare_age(text, v) or (i and _bare_age_joined(text, out[i - 1], v)):
            # "at the age of 18 to 75", "20-70 age", "18-35-year-old"; "Age under 18 or over 65":
            # a comparison joined to such an age is one too
            out[i] = replace(v, unit="a", unit_text=_BARE_AGE)
            continue
        if (v.unit is None and v.comparator in (">", ">=", "<", "<=") and v.value <= 120
                and cue("age_of_comparator").search(text[v.start:v.end]) and not cue("unit_like_after").match(text[v.end:])):
            out[i] = replace(v, unit="a", unit_text="")  # "over the age of 18": the comparator names the age
            continue
        if (v.unit is None and v.comparator in (">", ">=", "<", "<=") and v.value <= 120
                and cue("person_before").search(text[max(0, v.start - 20): v.start])
                and not cue("unit_like_after").match(text[v.end:])  # "women < 11.5 grams/dL": a unit unread
                # "Patients ≥1 and ≤6 months after myocardial infarction": the unit joined after it
                and not (nxt is not None and nxt.is_time and cue("range_join").fullmatch(text[v.end:nxt.start]))):
            out[i] = replace(v, unit="a", unit_text="")
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if not (cue("range_join").fullmatch(text[a.end:b.start]) and _one_interval(a, b)) and not _outside(text, a, b):
            continue
        if a.unit is None and b.is_time and a.value_high is None:
            out[i] = replace(a, unit=b.unit, unit_text="")
        elif b.unit is None and a.is_time and b.value_high is None and b.comparator is not None:
            out[i + 1] = replace(b, unit=a.unit, unit_text="")
    return out


_BARE_AGE = "(years: an age word governs it)"  # the unit text of a number _ages_share_units made an age in years


def _bare_age(text: str, v: ValueMatch) -> bool:
    """A number with no unit that an age word governs, right before it (cue ``age_before_bare``:
    "at the age of 18 to 75", "age in the range of 50 to 85", "Age (years): >15", "Age [≥ 18]";
    not "women of childbearing age", nor "Age-adjusted Charlson index ≥ 3") or right after it (cue
    ``age_after_bare``: "20-70 age", "65-80 aged", "18-35-year-old women", "50+ years of age"; not
    "age-related"): an age in years, when a person's age can be that many years."""
    return (v.unit is None and v.comparator in (">", ">=", "<", "<=", "between")
            and all(x is None or 0 < x <= 120 for x in (v.value, v.value_high))
            and not cue("unit_like_after").match(text[v.end:])
            and (cue("age_before_bare").search(text[max(0, v.start - 40): v.start]) is not None
                 or cue("age_after_bare").match(text[v.end:]) is not None))


def _bare_age_joined(text: str, prev: ValueMatch, v: ValueMatch) -> bool:
    """``v``, a number with no unit, joined by "and" / "to" / "or" to ``prev``, a number made an
    age in years by the age word governing it (``_bare_age``, or joined to one)."""
    gap = text[prev.end:v.start]
    return (prev.unit_text == _BARE_AGE and v.unit is None and v.comparator in (">", ">=", "<", "<=")
            and 0 < v.value <= 120 and not cue("unit_like_after").match(text[v.end:])
            and (cue("range_join").fullmatch(gap) is not None or cue("coordination_join").match(gap.strip().lower()) is not None))


def _joined_end(text: str, found: list[ValueMatch], i: int, j: int) -> bool:
    """Whether value ``i`` is joined to value ``j`` as the other end of one range: by "and" / "to"
    / "-" (cue ``range_join``), or, when the two bound one interval from both sides, by a comma or
    "but" (cue ``interval_join``: "Age ≥18 years, and ≤75 years", "greater than or equal to 18
    years but less than or equal to 55 years"), or as the ends of the values outside one
    (``_outside``: "Patients <18 or > 70 years")."""
    a, b = sorted((found[i], found[j]), key=lambda v: v.start)
    gap = text[a.end:b.start]
    return cue("range_join").fullmatch(gap) is not None or (cue("interval_join").fullmatch(gap) is not None and _one_interval(a, b)) \
        or _outside(text, a, b)


def _outside(text: str, a: ValueMatch, b: ValueMatch) -> bool:
    """Two comparisons joined by "or" (cue ``outside_join``) that bound the values outside one
    interval, the upper bound first ("<18 or > 70 years", "<30 or >69 years old"): the two ends of
    one quantity, which share its unit."""
    return cue("outside_join").fullmatch(text[a.end:b.start]) is not None and a.comparator in ("<", "<=") \
        and b.comparator in (">", ">=") and a.value < b.value


def _one_interval(a: ValueMatch, b: ValueMatch) -> bool:
    """Two comparisons that bound one interval from both sides, the lower end below the upper
    ("≥ 21 and < 90"): only such ends share a unit ("12 years old and older and =< 1 for patients
    younger than 12" are two thresholds, the second of something else)."""
    lower, upper = (">", ">="), ("<", "<=")
    if a.comparator in lower and b.comparator in upper:
        return a.value < b.value
    if a.comparator in upper and b.comparator in lower:
        return b.value < a.value
    return False


_MIRRORED = frozenset("<>≤≥=")  # a comparison's last character when the value is written before its analyte


def _is_age(text: str, v: ValueMatch) -> bool:
    """A time quantity that is the patient's age: an age word before it or in its comparator
    ("aged", "under the age of"), "old" / "of age" / "or older" after it, or a word for people
    right before it ("women 18-45 years"); an age word a few words back or a word for people,
    only when no event follows ("women of childbearing age and women less than 1 year after
    menopause", "patients 6 months after stroke"). The ages of others ("gestational age < 32
    weeks", "donor age > 65 years": ``_ages_of_others``) the caller has set aside."""
    since_event = _SINCE_EVENT.match(text[v.end:])  # "less than 1 year after menopause": a time since it
    if text[v.start:v.end].rstrip()[-1:] in _MIRRORED:
        # the comparison written first: what follows it is what it compares, an age only if it is
        # the word "age" ("18 <Age <80 years old"; not "Children 50<K-ABC<100")
        return v.is_time and cue("age_word").match(text[v.end:].lstrip()) is not None
    return v.is_time and bool(
        _only_an_age(text, v)
        or cue("age_lead").search(text[max(0, v.start - 20): v.start])
        or (_AGE_BEFORE.search(text[max(0, v.start - 40): v.start]) and not since_event)
        or cue("age_word").search(text[v.start:v.end]) or cue("age_after").match(text[v.end:])
        or v.unit_text == _BARE_AGE
        # "18 years old ≤ age ≤ 65": the comparison written first, the word "age" after it
        or (text[v.start:v.end].rstrip()[-1:] in _MIRRORED and cue("age_word").match(text[v.end:].lstrip()) is not None)
        or (v.unit in ("a", "mo") and cue("person_before").search(text[max(0, v.start - 20): v.start]) and not since_event))


# the ages a criterion that says nothing but a number of years can be about: an adult's or an
# adolescent's ("Over 18 years.", "50 years or over"); a smaller one alone is as often a time
# under a lead-in ("Time since injury:" / "> 5 years")
_ONLY_AGE_YEARS = (12.0, 100.0)


def _only_an_age(text: str, v: ValueMatch) -> bool:
    """The criterion is nothing but a number of years, with at most words for people and joins
    around it (cue ``age_only_rest``: "Over 18 years.", "Adult patients over 18 years", "18 years
    and over"): the patient's age."""
    low, high = _ONLY_AGE_YEARS
    return v.unit == "a" and all(x is None or low <= x <= high for x in (v.value, v.value_high)) \
        and cue("age_only_rest").match(text[:v.start] + " " + text[v.end:]) is not None


def _event_is_old(doc: Doc, text: str, v: ValueMatch) -> bool:
    """"Ischemic stroke ... < 72 hours old", "akinesia more than 1 week old": a time made an age
    only by the "old" after it (cue ``old_after``; not "18 years old women"), in a clause (cue
    ``event_clause_cut``) that names a condition or a procedure and no person (cue
    ``person_word``), is how old that event is, not the patient."""
    if not cue("old_after").match(text[v.end:]) or cue("age_lead").search(text[max(0, v.start - 20): v.start]) \
            or _AGE_BEFORE.search(text[max(0, v.start - 40): v.start]) or cue("age_word").search(text[v.start:v.end]):
        return False
    start = _start_before(_cut_ends(text, cue("event_clause_cut")), v.start)
    if cue("person_word").search(text[start:v.start]):
        return False
    return any(e.label_ in ("CONDITION", "PROCEDURE") and e.start_char >= start and e.end_char <= v.start for e in doc.ents)


def _with_scale_levels(doc: Doc, text: str, found: list[ValueMatch]) -> list[ValueMatch]:
    """The value grammar's findings with the levels written right after a scale's own name
    ("ECOG 0, 1, or 2", "NYHA III or IV"), which carry no comparator, unit or scale word of their
    own: read only after a scale (a measurement with a unit ``{score}`` and a range of levels)."""
    lexicon: Lexicon | None = None
    added: list[ValueMatch] = []
    for e in doc.ents:
        if e.label_ == "CONDITION" and e._.concept_id and "typ" in text[max(0, e.start_char - 60):e.start_char].lower():
            # "type II, III, or IV lupus nephritis": the classes of the scale that stages it, before it
            lexicon = lexicon or Lexicon.load()
            scale = lexicon.entries.get(lexicon.inherited(e._.concept_id, "staged_by") or "")
            v = levels_before(text, e.start_char, *scale.range) if scale is not None and scale.range is not None else None
            if v is not None and not any(f.start < v.end and v.start < f.end for f in found + added):
                added.append(v)
            continue
        if e.label_ != "MEASUREMENT" or not e._.concept_id:
            continue
        lexicon = lexicon or Lexicon.load()
        entry = lexicon.entries.get(e._.concept_id)
        if entry is None or entry.unit != "{score}" or entry.range is None:
            continue
        v = levels_after(text, e.end_char, *entry.range)
        if v is None and entry.classes:  # "Child-Pugh B or C": the classes' band of points
            v = classes_after(text, e.end_char, entry.classes, *entry.range)
            if v is not None and (after := next((f for f in found if f.start >= v.end), None)) is not None \
                    and cue("class_points_gap").fullmatch(text[v.end:after.start]):
                continue  # "Child-Pugh B/C (7-12 points)": the points the text gives are the reading
        if v is None or any(f.start < v.end and v.start < f.end for f in found + added):
            continue
        # "(APACHE IV) score > 5", "HAM-D 21-item score greater than 18": levels followed by the
        # scale's value are part of its name (a version, an item count)
        after = next((f for f in found if f.start >= v.end), None)
        if after is None or not cue("scale_name_tail").search(text[v.end:after.start]):
            added.append(v)
    return sorted(found + added, key=lambda v: v.start) if added else found


_SCALE_WORDS = ("stage", "grade", "class", "classification", "scale", "score", "category")
_LEVEL_WORD_STEM = {"graded": "grade", "grades": "grade", "grading": "grade", "staged": "stage", "stages": "stage", "staging": "stage"}


def _scales_named_after(doc: Doc, text: str, values: list[Span], taken: list[bool]) -> list[Span]:
    """A scale named after its levels by its eponym or acronym alone (cue ``scale_named_after``:
    "stage IV according to Fontaine", "kidney failure degree IV according to KDIGO", "Grade 1-2
    according to Tonnis"): a MEASUREMENT span over the name, the lexicon's scale when the name
    with the levels' word (or another scale word) is one of its terms ("KDIGO stage", "Wagner
    grade"), else a quantity no vocabulary has, named as the text names it ("Fontaine stage"; stage
    4 reads it uncoded, never certain). Not where a scale, or a condition staged by one, stands
    before the levels in their clause ("Kellgren-Lawrence Grade 2 or 3 according to X-ray imaging"),
    nor a name the lexicon gives something that is no scale."""
    out: list[Span] = []
    lexicon: Lexicon | None = None
    for v in values:
        if v.label_ != "VALUE" or v._.unit != "{score}":
            continue
        m = cue("scale_named_after").match(text, v.end_char)
        if m is None or not m.group("name")[0].isupper():
            continue
        words = list(cue("scale_level_word").finditer(text, max(0, v.start_char - 30), v.end_char))
        if not words:
            continue
        span = doc.char_span(m.start("name"), m.end(), label="MEASUREMENT")
        if span is None or not _free(span.start, span.end, taken):
            continue
        lexicon = lexicon or Lexicon.load()
        before = max((e for e in doc.ents if e._.source != "model" and e.end_char <= v.start_char and e.label_ not in ("VALUE", "AGE")),
                     key=lambda e: e.end_char, default=None)  # the nearest thing named before the levels
        if before is not None and not cue("clause_punctuation").search(text, before.end_char, v.start_char) \
                and (before.label_ == "MEASUREMENT" or lexicon.inherited(before._.concept_id or "", "staged_by") is not None):
            continue  # a scale named before ("ACLF of grade 2 or 3 according to EASL-CLIF definition": the ACLF's)
        name = m.group("name")
        said = words[-1].group(0).split()[-1].lower()
        said = _LEVEL_WORD_STEM.get(said, said)
        cid = next((c for w in (said, *_SCALE_WORDS) if (c := lexicon.whole(f"{name} {w}")) is not None),
                   None) or lexicon.whole(name)
        if cid is not None:
            entry = lexicon.entries.get(cid)
            if entry is None or entry.unit != "{score}":
                continue  # a name of something that is no scale
            _set(span, concept_id=cid)
        else:
            _set(span, concept_name=f"{name}{m.group('tail') or ' ' + said}", concept_id=None)
        out.append(span)
    return out


def _scales_named_with_a_diagnosis(doc: Doc, text: str, values: list[Span], taken: list[bool]) -> list[Span]:
    """A scale no vocabulary has, a diagnosis in its name, read by the value right after it
    ("Beck's Depression Inventory score >18", "Rockwood Clinical Frailty Score > 4", "Clinical
    Dementia Rating score of 0.5 to 1", "dyspnea score of at least 2"; cue ``scale_noun_before``)
    or right before it ("5 or greater on the Geriatric Depression Scale (GDS)"; cue
    ``scale_named_after_value``): the name's words become a MEASUREMENT span named as written
    (stage 4 reads it uncoded, never certain), and the diagnosis inside it is no mention of its
    own (the exclusion of every patient with depression, the value dropped in silence). Where a
    scale the lexicon has stands in the name ("A UPDRS rest tremor score of 3 or greater"), the
    diagnosis only gives way: the scale reads the value."""
    out: list[Span] = []
    in_values = {i for v in values for i in range(v.start, v.end)}
    rule_ents = [e for e in doc.ents if e._.source != "model"]
    for v in values:
        if v.label_ != "VALUE" or v._.unit not in (None, "{score}"):
            continue
        name = _scale_name_before(doc, text, v, taken, in_values, rule_ents) or _scale_name_after(doc, text, v, taken, in_values, rule_ents)
        if name is None:
            continue
        first, end, inside = name
        covered = {i for e in inside for i in range(e.start, e.end)}
        if any(taken[i] and i not in covered for i in range(first, end)) or any(o.start < end and first < o.end for o in out):
            continue  # a word of another rule span (a value's, a scale's read before): no name of its own
        conditions = [e for e in inside if e.label_ == "CONDITION"]
        doc.ents = [e for e in doc.ents if e not in conditions]
        for e in conditions:
            taken[e.start:e.end] = [False] * (e.end - e.start)
        rule_ents = [e for e in rule_ents if e not in conditions]
        if any(e.label_ == "MEASUREMENT" and e._.concept_id for e in inside):
            continue  # "UPDRS rest tremor score": the scale the lexicon has reads the value
        span = Span(doc, first, end, label="MEASUREMENT")
        _set(span, concept_name=span.text, concept_id=None)
        out.append(span)
    return out


_ScaleName = tuple[int, int, list[Span]]  # first token, end token, the rule entities inside


def _scale_name_before(doc: Doc, text: str, v: Span, taken: list[bool], in_values: set[int], rule_ents: list[Span]) -> _ScaleName | None:
    """The words of a scale's name ending right before a value (cue ``scale_noun_before``), back
    over name words, rule entities and capitalised connectors, when a diagnosis stands in it."""
    m = cue("scale_noun_before").search(text, max(0, v.start_char - 60), v.start_char)
    if m is None:
        return None
    last = doc.char_span(m.start("tail"), m.end("tail"), alignment_mode="contract")
    if last is None or not len(last) or any(taken[last.start:last.end]):
        return None
    first = last.start
    while first > 0 and (_name_word(doc[first - 1], in_values, proper=True) or (
            taken[first - 1] and any(e.start < first <= e.end and e.label_ in ("CONDITION", "MEASUREMENT") for e in rule_ents))
            or (first > 1 and cue("scale_name_connector").fullmatch(doc[first - 1].lower_) is not None
                and doc[first - 2].text[:1].isupper() and doc[first].text[:1].isupper())):
        first -= 1  # "Eczema Area and Severity Index", "Center for Epidemiologic Studies Depression Scale"
    return _with_a_diagnosis(first, last.start, last.end, rule_ents)


def _scale_name_after(doc: Doc, text: str, v: Span, taken: list[bool], in_values: set[int], rule_ents: list[Span]) -> _ScaleName | None:
    """The words of a scale's name right after a value ("5 or greater on the Geriatric Depression
    Scale (GDS)", "Stage ≥ 2 in modified Medical Research Council Dyspnea Scale"; cue
    ``scale_named_after_value``), when a diagnosis stands in it and no value does."""
    m = cue("scale_named_after_value").match(text, v.end_char)
    if m is None:
        return None
    span = doc.char_span(m.start("name"), m.end("name"), alignment_mode="contract")
    if span is None or not len(span) or in_values.intersection(range(span.start, span.end)):
        return None
    tail = cue("scale_noun_before").search(text, span.start_char, span.end_char)
    noun = doc.char_span(tail.start("tail"), span.end_char, alignment_mode="contract") if tail is not None else None
    if noun is None or any(taken[noun.start:noun.end]):
        return None
    first = span.start
    while first < noun.start and not taken[first] and not _name_word(doc[first], in_values, proper=True):
        first += 1  # "on the following DIC score": no word of the name
    return _with_a_diagnosis(first, noun.start, span.end, rule_ents)


def _with_a_diagnosis(first: int, noun: int, end: int, rule_ents: list[Span]) -> _ScaleName | None:
    """A scale's name from token ``first`` to ``end`` (its scale noun at ``noun``), when a diagnosis
    of the lexicon stands before the noun and no rule entity but conditions and scales does, nor
    crosses its start."""
    inside = [e for e in rule_ents if first <= e.start and e.end <= noun]
    if any(e.start < first < e.end for e in rule_ents) or not any(e.label_ == "CONDITION" and e._.concept_id for e in inside) \
            or any(e.label_ not in ("CONDITION", "MEASUREMENT") for e in inside):
        return None
    return first, end, inside


_NAME_WORD = re.compile(r"[A-Za-z][A-Za-z0-9/-]*")


def _name_word(t: Token, values: set[int], proper: bool = False) -> bool:
    """A word a quantity's name may hold: letters (digits, "-" or "/" inside), no function word,
    verb form (cue ``quantity_name_cut``: "indicating", "needs") or word of a value; with
    ``proper``, a capitalised verb form of a proper name too ("Child Trauma Screening Questionnaire")."""
    return _NAME_WORD.fullmatch(t.text) is not None and t.lower_ not in STOP_WORDS and t.i not in values \
        and ((proper and t.text[:1].isupper()) or cue("quantity_name_cut").fullmatch(t.lower_) is None)


_SCALE_NAMED_AFTER = 6  # tokens after a score's value in which a scale the NER named is the score's ("on the MADRS")


def _score_named(doc: Doc, span: Span, name: str, v: Span) -> bool:
    """Whether the words before "score" name the score the value ``v`` after them reads: not where the NER
    named it, or the scale after the value ("a score of 46 or more on the ... scale"; not a span
    of it that swallows the value), nor a person who scores (cue ``person_word``: "Patients score
    ≤19 on the ..."), nor a name cut at a hyphen ("CMTNS-v2 score"), nor a level with no comparator
    ("if the Beighton score was 1 point below the ... cut-off")."""
    if span.end > v.start:
        return False  # a score named after its value is the NER's to find ("≥ 3 points on the ... score")
    if any(m._.source == "model" and m.start < v.end + _SCALE_NAMED_AFTER and span.start < m.end
           and not (m.start < v.end and v.start < m.end) for m in doc.ents):
        return False
    if cue("person_word").search(name) or (span.start > 0 and doc[span.start - 1].text == "-" and not doc[span.start - 1].whitespace_):
        return False
    return v._.comparator is not None or v._.value_high is not None


def _quantities(doc: Doc, text: str, values: list[Span], taken: list[bool]) -> list[Span]:
    """Quantities no vocabulary has, named by a word that says what is measured (units.json
    ``dimension_words``) and read by a value in that word's dimension: "Ovarian cysts more than
    4 cm in diameter", "The diameter of the cartilage defect ... is less than 5mm", "Dental crest
    size less than 5 mm", "Glomerular sclerosis ratio ≤ 50%"; a score's, by a bare number too
    ("Ferriman Gallwey score >8", ``_score_named``). The word (with the free words before
    it) becomes a MEASUREMENT span without a concept, its ``concept_name`` the quantity's name as
    written ("X of the Y" as "Y X"; without a word that says how it is expressed: "Glomerular
    sclerosis"); stage 4 reads it like an analyte of the NER that no
    vocabulary links, never as a certain reading. Not where a change is measured (cue
    ``quantity_change``: "wound size enlargement of more than 25%"), nor where the word lies
    inside another rule entity; a span of the statistical NER gives way, as to every rule span
    ("Dental crest size", "maximum diameter")."""
    out: list[Span] = []
    in_values = {i for v in values for i in range(v.start, v.end)}
    for v in values:
        # a value against a reference limit ("RNFL thickness on OCT <LLN") is in the quantity's own unit
        dim = dimension(v._.unit) if v.label_ == "VALUE" else _RELATIVE if v.label_ == "REF_RANGE" else None
        cid = None
        if dim is None:
            bare = v.label_ == "VALUE" and v._.unit is None
            found = _count_after(doc, v, in_values) if bare else None
            if found is None and bare:
                # a bare number after a score's name no vocabulary has: "Ferriman Gallwey score >8",
                # "Prediction rule score of 10 or less"
                found = _quantity_before(doc, text, v, SCORE, in_values)
        else:
            found = _quantity_after(doc, text, v, dim, in_values) or _quantity_before(doc, text, v, dim, in_values)
            if found is None and dim == "area":
                found, cid = _lesion_area(doc, text, v, in_values)
        if found is None:
            continue
        span, name = found
        if SCORE in quantity_dimensions(doc[span.end - 1].text) and not _score_named(doc, span, name, v):
            continue
        first = span.start  # the words before the dimension word that no rule entity holds
        while first < span.end and any(taken[i] for i in range(first, span.end)):
            first += 1
        if first == span.end or any(o.start < span.end and first < o.end for o in out):
            continue
        span = Span(doc, first, span.end, label="MEASUREMENT")
        # no concept a span of the NER at these offsets was linked to, but the one its name is a term of
        _set(span, concept_name=None if cid else name, concept_id=cid)
        out.append(span)
    return out


def _joined_hyphen(doc: Doc, i: int) -> bool:
    """A hyphen inside a word ("full-thickness", "second-degree"), or a word a hyphen joins to
    the next (any word: "full" of "full-thickness" is a function word alone)."""
    if doc[i].text == "-":
        return not doc[i].whitespace_ and i > 0 and not doc[i - 1].whitespace_
    return i + 1 < len(doc) and doc[i + 1].text == "-" and not doc[i].whitespace_ and not doc[i + 1].whitespace_ \
        and _NAME_WORD.fullmatch(doc[i].text) is not None


def _lesion_area(doc: Doc, text: str, v: Span, values: set[int]) -> tuple[tuple[Span, str] | None, str | None]:
    """A value in an area unit that no word says the dimension of, next to a lesion (cue
    ``area_bearer``: a lesion, defect, wound, ulcer, erosion or burn) with nothing but a
    connective between (cue ``area_bearer_gap``): the lesion's area. "Cartilage defect greater
    than 2cm2", "Patients whose lesion is 2~6 cm2 in size", "deep second-degree burn ≥100 cm^2",
    "at least 1 lesion estimated to be ≥1.0 cm2", "a single, 3 to 6 cm2 full-thickness cartilage
    lesion". Named "<the lesion's words> area", the concept whose term that name is where the
    vocabularies have one ("target wound area", "ulcer area": wound area), else none. Not a
    lesion inside another entity ("Diabetic foot ulcer of at least 2 cm2"), nor one whose
    words stand between ("Lesion on femoral condyle between 1 and 5 cm²"), nor what is not a
    lesion ("Aortic stenosis (<1cm²)")."""
    noun: Token | None = None
    for i in range(v.start - 1, max(-1, v.start - 8), -1):  # the nearest lesion before, a connective between
        if cue("area_bearer").fullmatch(doc[i].lower_):
            if cue("area_bearer_gap").fullmatch(text[doc[i].idx + len(doc[i]):v.start_char]):
                noun = doc[i]
            break
    if noun is None:
        j = v.end
        while j < len(doc) and j < v.end + 6 and not cue("area_bearer").fullmatch(doc[j].lower_) \
                and (_name_word(doc[j], values) or _joined_hyphen(doc, j)):
            j += 1  # "3 to 6 cm2 full-thickness cartilage lesion": the lesion's modifiers after the value
        if j < len(doc) and cue("area_bearer").fullmatch(doc[j].lower_):
            noun = doc[j]
    if noun is None:
        return None, None
    words = [noun]
    k = noun.i - 1
    while k >= 0 and len(words) < 6 and not v.start <= k < v.end and (_name_word(doc[k], values) or _joined_hyphen(doc, k)):
        words.insert(0, doc[k])
        k -= 1
    while words[0].text == "-":
        words.pop(0)
    name = "".join(t.text_with_ws for t in words[:-1]) + noun.text + " area"
    lexicon = Lexicon.load()
    cid = lexicon.whole(name)
    entry = lexicon.get(cid) if cid else None
    return (Span(doc, words[0].i, noun.i + 1), name), (cid if entry is not None and entry.category == "measurement" else None)


def _alternative_counts(doc: Doc, text: str, taken: list[bool]) -> list[Span]:
    """Two consecutive numbers joined by "or" right before words ending in a plural that count a
    thing (``_count_after``): "1 or 2 adjacent vertebral levels", "one or two degenerative lumbar
    discs" are 1 to 2 of them (cue ``count_alternatives``). Not "type 1 or 2 diabetes" (no plural
    counted, or words of another entity), nor "1 or 3 lesions" (two counts, no range). Marks the
    words it takes in ``taken``."""
    out: list[Span] = []
    for m in cue("count_alternatives").finditer(text) if " or " in text else ():
        n1, n2 = word_number(m.group("n1")), word_number(m.group("n2"))
        if n1 is None or n2 is None or n2 != n1 + 1:
            continue
        span = doc.char_span(m.start(), m.end(), label="VALUE")
        if span is None or any(taken[span.start:span.end]):
            continue
        counted = _counted(doc, span.end, set(range(span.start, span.end)), one=False)
        if counted is None or any(taken[counted[0].start:counted[0].end]):
            continue  # nothing counted, or words another entity holds ("type 1 or 2 diabetes mellitus")
        _set(span, comparator="between", value=float(n1), value_high=float(n2))
        out.append(span)
        taken[span.start:span.end] = [True] * (span.end - span.start)
    return out


_RELATIVE = "relative"  # a value's "dimension" against a reference limit (xULN, xLLN): any quantity's


def _fits(dim: str, word: str) -> bool:
    """Whether a value of dimension ``dim`` can be a reading of the quantity the word names."""
    dims = quantity_dimensions(word)
    return bool(dims) and (dim == _RELATIVE or dim in dims)


def _changed(text: str, start: int, end: int) -> bool:
    """A change is measured in ``text[start:end]`` (cue ``quantity_change``: "increased in size by")."""
    return cue("quantity_change").search(text, start, end) is not None


def _quantity_before(doc: Doc, text: str, v: Span, dim: str, values: set[int]) -> tuple[Span, str] | None:
    """A quantity's word before the value, nothing but words between (cue ``quantity_gap``)."""
    start = max(0, v.start_char - 120)
    for m in reversed(list(dimension_word_re().finditer(text, start, v.start_char))):
        gap = text[m.end():v.start_char]
        if not cue("quantity_gap").fullmatch(gap):
            return None  # a number or a clause between: the nearest word decides
        if not _fits(dim, m.group("word")):
            continue
        if _changed(text, max(start, m.start() - 40), v.start_char):
            return None
        word = doc.char_span(m.start(), m.end())
        if word is None:
            return None
        complement: list[Token] = []
        if (of := cue("quantity_of").match(text, m.end())) is not None and SCORE not in quantity_dimensions(m.group("word")):
            # (a score's "of" leads to its value: "Pugh score of Class A or less than 6")
            at = doc.char_span(of.end(), of.end() + 1, alignment_mode="expand")
            i = at.start if at is not None else len(doc)
            while i < v.start and len(complement) < 4 and _name_word(doc[i], values):
                complement.append(doc[i])
                i += 1
        return _named(doc, word, complement, values)
    return None


def _quantity_after(doc: Doc, text: str, v: Span, dim: str, values: set[int]) -> tuple[Span, str] | None:
    """"More than 4 cm in diameter", "less than 4 mm in lateral width": the word after "in" after
    the value names what the words right before the value measure; "less than 8 mm bone height":
    the words after the value name it; "bone marrow of <25% cellularity", "a lesion of ≤ 1.5 cm in
    longest diameter": what is measured comes before "of"."""
    lead = cue("quantity_in_after").match(text, v.end_char)
    word_at = doc.char_span(lead.end() if lead is not None else v.end_char, len(text), alignment_mode="expand")
    if word_at is None or not len(word_at):
        return None
    i = word_at.start
    while i < len(doc) and i < word_at.start + 3 and _name_word(doc[i], values) and not quantity_dimensions(doc[i].text):
        i += 1  # the word's own modifiers ("lateral")
    if i >= len(doc) or not _fits(dim, doc[i].text) or _changed(text, max(0, v.start_char - 40), v.start_char):
        return None
    thing: list[Token] = []
    j = v.start - 1
    if j >= 0 and doc[j].lower_ == "of":  # "bone marrow of <25% cellularity": what is measured comes before "of"
        j -= 1
    elif lead is None:
        j = -1
    while j >= 0 and len(thing) < 3 and _name_word(doc[j], values):
        thing.insert(0, doc[j])
        j -= 1
    return _named(doc, doc[i:i + 1], thing, values)


def _count_after(doc: Doc, v: Span, values: set[int]) -> tuple[Span, str] | None:
    """"At least 2 relapses in the previous year", "> 2 internal openings", "more than one
    lymphocyte inhibiting agent": a bound with no unit right before words that end in a plural
    (or after "one") counts them, "number of relapses"; "of" and the words after it belong to
    the name ("≥ 2 prior lines of chemotherapy"). Not a bare number ("on 2 consecutive
    measurements"), nor words that count no thing (cue ``not_counted``: "times")."""
    if v._.comparator is None and v._.value_high is None:
        return None
    if v._.value_high is None and v._.value == 1 and v._.comparator == ">=":
        return None  # "at least one lesion": that there is one, no count
    return _counted(doc, v.end, values, one=v._.value == 1 and v._.value_high is None)


def _counted(doc: Doc, i: int, values: set[int], one: bool) -> tuple[Span, str] | None:
    """The things a count written before token ``i`` counts (``_count_after``): words ending in a
    plural, or any words after the number one (``one``)."""
    words: list[Token] = []
    while i < len(doc) and len(words) < 4 and _NAME_WORD.fullmatch(doc[i].text) and doc[i].lower_ not in STOP_WORDS:
        words.append(doc[i])  # up to the plural that heads the phrase ("inhibiting" may stand before it)
        i += 1
        if cue("plural_word").fullmatch(words[-1].lower_):
            break
    while words and cue("quantity_name_cut").fullmatch(words[-1].lower_):
        words.pop()
    i = words[-1].i + 1 if words else i
    if not words or len(words[-1]) < 3 or cue("not_counted").fullmatch(words[-1].lower_) or (i < len(doc) and doc[i].text == "-"):
        return None  # no thing counted ("40 microns", "5 degrees"), or a word that goes on ("non-biologic")
    if not one and cue("plural_word").fullmatch(words[-1].lower_) is None:
        return None
    span = Span(doc, words[0].i, words[-1].i + 1)
    of: list[Token] = []
    if i + 1 < len(doc) and doc[i].lower_ == "of":
        j = i + 1
        while j < len(doc) and len(of) < 3 and _name_word(doc[j], values):
            of.append(doc[j])
            j += 1
    name = " ".join(t.text for t in words) + (" of " + " ".join(t.text for t in of) if of else "")
    if (rate := cue("count_rate_after").match(doc_text(doc), words[-1].idx + len(words[-1]))) is not None:
        name += " per " + rate.group("per").lower()  # "2 drinks per day", "3 nights a week": a count per time
    return span, f"number of {name}"


def _named(doc: Doc, word: Span, of: list[Token], values: set[int]) -> tuple[Span, str] | None:
    """The span and name of a quantity: the dimension word with the name words right before it,
    after the words ``of`` what it measures (or what "has" it: "a stricture with a length of");
    None when nothing but the word and qualifiers ("longest", "mean") names it."""
    before: list[Token] = []
    i = word.start - 1
    while i >= 0 and len(before) < 4 and _name_word(doc[i], values):
        before.insert(0, doc[i])
        i -= 1
    text = doc_text(doc)
    if not of and not before and (w := cue("quantity_with_before").search(text, max(0, word.start_char - 20), word.start_char)):
        # "a stricture with a length of 2 to 5cm": what has the quantity comes before "with"
        j = doc.char_span(w.start("with"), w.end("with"))
        k = j.start - 1 if j is not None else -1
        while k >= 0 and len(of) < 3 and _name_word(doc[k], values):
            of = [doc[k], *of]
            k -= 1
    if names_nothing(" ".join(t.text for t in (*of, *before, *word))):
        return None  # the dimension word with qualifiers alone ("longest dimension"), as stage 4 refuses it
    name = " ".join(t.text for t in (*of, *before, *(word if in_quantity_name(word.text) else ())))
    return Span(doc, before[0].i if before else word.start, word.end), name


@Language.factory("elig_values")
def make_values(nlp: Language, name: str) -> Any:
    def tag_values(doc: Doc) -> Doc:
        text = doc_text(doc)
        found = _with_scale_levels(doc, text, find_values(text))
        if not found and (" or " not in text or cue("count_alternatives").search(text) is None):
            return doc  # ("one or two degenerative lumbar discs": no value of the grammar, a count below)
        taken = _taken_mask(doc)
        new: list[Span] = []
        found = _ages_share_units(text, found)
        others = _ages_of_others(text, found)
        ages = [not o and _is_age(text, v) and not _event_is_old(doc, text, v) for v, o in zip(found, others, strict=True)]
        for i in range(len(found) - 1):  # "Patients ≥1 and ≤6 months after myocardial infarction": both ends a time since it
            a, b = found[i], found[i + 1]
            if ages[i] and b.is_time and _SINCE_EVENT.match(text[b.end:]) and cue("range_join").fullmatch(text[a.end:b.start]) \
                    and not cue("age_lead").search(text[max(0, a.start - 20): a.start]):
                ages[i] = ages[i + 1] = False
        for i, v in enumerate(found):
            label = "VALUE"
            # "≥ 21 and < 90 years of age": an end joined to an age by "and" / "to" is the age too
            joined = [j for j in (i - 1, i + 1) if 0 <= j < len(found) and ages[j] and _joined_end(text, found, i, j)]
            if v.unit in ("xULN", "xLLN"):
                label = "REF_RANGE"
            elif ages[i] or (v.is_time and joined):
                label = "AGE"
            elif ((v.unit is None or v.is_time) and _OLDER.search(text[v.start:v.end])
                  and not _SINCE_EVENT.match(text[v.end:]) and not others[i]):
                label = "AGE"
                if v.unit is None:  # "adults 18 and older": ages without a unit are in years
                    v = replace(v, unit="a", unit_text="")
            span = doc.char_span(v.start, v.end, label=label, alignment_mode="expand")
            if span is None:
                continue
            if label == "AGE" and not _free(span.start, span.end, taken):
                # "under the age of 16 years": the lexicon's bare "age" mention inside an age value
                # gives way to the value, as does a duration read from the same words ("Over 18
                # years.": an age by the grammar above, a time to the temporal tagger); an "age"
                # mention reaching into the value joins it ("Age of 50 years or over")
                inside = [e for e in doc.ents if e.start < span.end and span.start < e.end]
                if inside and all(e.label_ == "AGE" or (e.label_ == "TEMPORAL" and span.start <= e.start and e.end <= span.end)
                                  for e in inside) \
                        and sum(min(e.end, span.end) - max(e.start, span.start) for e in inside) == sum(taken[span.start:span.end]):
                    doc.ents = [e for e in doc.ents if e not in inside]
                    for e in inside:
                        for i in range(e.start, e.end):
                            taken[i] = False
                    start = min(span.start, *(e.start for e in inside))
                    end = max(span.end, *(e.end for e in inside))
                    if (start, end) != (span.start, span.end):
                        span = Span(doc, start, end, label=label)
            if not _free(span.start, span.end, taken):
                continue
            _set(span, comparator=v.comparator, value=v.value, value_high=v.value_high,
                 unit=v.unit, second_value=v.second_value, low_unit=v.low_unit)
            new.append(span)
            for i in range(span.start, span.end):
                taken[i] = True
        for q in _scales_named_after(doc, text, new, taken):
            new.append(q)
            taken[q.start:q.end] = [True] * (q.end - q.start)
        for q in _scales_named_with_a_diagnosis(doc, text, new, taken):
            new.append(q)
            taken[q.start:q.end] = [True] * (q.end - q.start)
        new.extend(_alternative_counts(doc, text, taken))
        for q in _quantities(doc, text, new, taken):
            new.append(q)
            taken[q.start:q.end] = [True] * (q.end - q.start)
        if new:
            _add_rule_ents(doc, new)
        return doc

    return _DocFunction(tag_values)


# ---------------------------------------------------------------------------------------------
# Context: medspaCy ConText with criterion-specific rules, flags copied to plain attributes

_CATEGORY_ATTR = {
    "NEGATED_EXISTENCE": "negated",
    "HISTORICAL": "historical",
    "HYPOTHETICAL": "hypothetical",
    "FAMILY": "family",
    "EXCEPTION": "excepted",
}


def _import_medspacy_context() -> tuple[Any, Any]:
    """``medspacy.context``'s ConText and ConTextRule, imported without QuickUMLS.

    ``medspacy.util`` imports ``quickumls.spacy_component`` only to register the
    ``medspacy_quickumls`` factory, and QuickUMLS imports NLTK, which imports SciPy: about 1.5 s
    of a 3.5 s cold start, for a component this pipeline never uses. While medspaCy loads, a
    placeholder stands in for ``quickumls``; it is removed straight after, so a later
    ``import quickumls`` in the same process loads the real package (which registers its
    factory then). If medspaCy or QuickUMLS is already imported, nothing is replaced.
    """
    if "medspacy.context" not in sys.modules and "quickumls" not in sys.modules:
        placeholder = types.ModuleType("quickumls")
        vars(placeholder)["spacy_component"] = None  # the one name medspacy.util imports from it
        sys.modules["quickumls"] = placeholder
        try:
            import medspacy.context  # noqa: F401
        finally:
            if sys.modules.get("quickumls") is placeholder:
                del sys.modules["quickumls"]
    from medspacy.context import ConText, ConTextRule

    return ConText, ConTextRule


class ContextTagger(PerDoc):
    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self.name = name
        self.rules: list[dict[str, Any]] = []
        self._context: Any = None
        self._cue: re.Pattern[str] | None = None
        self._cues_by_word: dict[str, re.Pattern[str]] = {}

    def _build(self) -> None:
        ConText, ConTextRule = _import_medspacy_context()

        span_attrs = {cat: {attr: True} for cat, attr in _CATEGORY_ATTR.items()}
        # A token window instead of sentence boundaries: a criterion is one Doc, so the window
        # spans it whole; rules with their own max_scope (negation) stay narrower.
        ctx = ConText(self.nlp, name=f"{self.name}_medspacy", rules=None, span_attrs=span_attrs,
                      max_scope=512)
        rules = []
        for r in self.rules:
            r = dict(r)
            if r.get("allowed_types") is not None:
                r["allowed_types"] = set(r["allowed_types"])
            rules.append(ConTextRule(**r))
        ctx.add(rules)
        self._context = ctx
        # (a terminator alone modifies nothing: no cue)
        words = sorted({r["literal"].lower() for r in self.rules if r["category"] != "TERMINATE"}, key=len, reverse=True)
        words += ["negative", "neg"]
        # A cue stands in the text only if its first run of word characters is a whole word of the
        # text: a set lookup per word finds the few cues to search for, instead of one regular
        # expression of every cue tried at every position (a fifth of the component's time). A cue
        # that does not start with a word character is searched for in every text.
        by_first: dict[str, list[str]] = {}
        odd = []
        for w in words:
            m = _WORD_RUN.match(w)
            if m:
                by_first.setdefault(m.group(0), []).append(w)
            else:
                odd.append(w)
        self._cues_by_word = {k: _cue_pattern(ws) for k, ws in by_first.items()}
        self._cue = _cue_pattern(odd) if odd else None

    def _has_cue(self, text: str) -> bool:
        """Whether a cue word stands in the text, as ``\b(?:cue|...)\b`` (case aside) would say."""
        if self._cue is not None and self._cue.search(text):
            return True
        return any(p.search(text) for p in {self._cues_by_word[w] for w in _WORD_RUN.findall(text.lower())
                                            if w in self._cues_by_word})

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None,
                   rules_path: str | None = None) -> None:
        from importlib import resources

        path = Path(rules_path) if rules_path else Path(str(resources.files("nlp.resources") / "context_rules.json"))
        self.rules = json.loads(path.read_text(encoding="utf-8"))["rules"]
        self._build()

    def __call__(self, doc: Doc) -> Doc:
        if self._context is None:
            if not self.rules:
                return doc
            self._build()
        text = doc.user_data.pop(TEXT_KEY, None) or doc.text
        if not self._has_cue(text) or not doc.ents:  # the cue test first: reading ents builds their Spans
            return doc  # no cue word, or nothing to modify: ConText would change nothing
        self._context(doc)
        # read once: the helpers set attributes (kept in user_data by the spans' offsets), never ents
        ents = doc.ents
        exceptions = list(_EXCEPT_CUE.finditer(text))  # read once for the three helpers
        _close_parenthesised_exceptions(ents, text, exceptions)
        _exceptions_of_one_kind(ents, text, exceptions)
        _examples_end_exceptions(ents, text, exceptions)
        _negation_through_or_lists(ents, text)
        _negation_through_result_lists(ents, text)
        _negation_through_tested_lists(ents, text)
        _negation_through_bracketed_lists(ents, text)
        _negation_through_examples(ents, text)
        _negation_through_colon_lead(ents, text)
        # never leave Python objects on the Doc (breaks to_bytes / n_process / pickling)
        graph = doc._.context_graph
        ud = user_data(doc)
        for target, _modifier in graph.edges if graph is not None else ():
            ud.pop(("._.", "modifiers", target.start_char, target.end_char), None)
        ud.pop(("._.", "context_graph", None, None), None)
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        p = Path(path)
        p.mkdir(parents=True, exist_ok=True)
        srsly.write_json(p / "context_rules.json", {"rules": self.rules})

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "ContextTagger":
        self.rules = srsly.read_json(Path(path) / "context_rules.json")["rules"]
        self._build()
        return self


_EXCEPT_CUE = re.compile(
    r"\b(?:except|unless|other\s+than|excluding|with\s+the\s+exception\s+of|apart\s+from|but\s+not|exclusive\s+of)\b",
    re.I,
)


def _paren_depths(text: str) -> list[int]:
    depth, out = 0, []
    for ch in text:
        if ch in "([":
            depth += 1
        out.append(depth)
        if ch in ")]" and depth:
            depth -= 1
    return out


def _close_parenthesised_exceptions(ents: Sequence[Span], text: str, exceptions: list[re.Match[str]]) -> None:
    """An exception opened inside parentheses ("(unless beyond the wash-out period) or ...")
    ends at its closing parenthesis."""
    cues = [m.start() for m in exceptions]
    excepted = [e for e in ents if e._.excepted] if cues else []
    if not excepted:
        return
    depths = _paren_depths(text)
    for ent in excepted:
        before = [c for c in cues if c < ent.start_char]
        if not before:
            continue
        cue = before[-1]
        if depths[cue] and min(depths[cue:ent.start_char]) < depths[cue]:
            ent._.excepted = False  # the parenthesis holding the cue closed before the entity


def _exceptions_of_one_kind(ents_: Sequence[Span], text: str, exceptions: list[re.Match[str]]) -> None:
    """An exception carves out of one kind of thing: after its cue, the excepted mentions share
    the label of the first ("malignancy other than basal cell carcinoma, squamous cell
    carcinoma"); a mention of another kind past a comma or a parenthesis ends it ("... other than
    multiple sclerosis (e.g., had myocardial infarction), treatment with anticoagulants": the
    anticoagulants are excluded, not excepted). When what the cue excepts is no mention (past it a
    comma or a parenthesis comes before the first mention), the kind is that of the mention the
    cue follows: "lower extremities amputation other than toes, serious illness or medication
    affecting wound healing (e.g., steroid intake, anticoagulation)" excepts no medication."""
    ends = [m.end() for m in exceptions]
    if not ends:
        return
    ents = sorted((e for e in ents_ if e._.excepted), key=lambda e: e.start_char)
    for i, at in enumerate(ends):
        nxt = ends[i + 1] if i + 1 < len(ends) else len(text)
        scope = [e for e in ents if at <= e.start_char < nxt]
        if not scope:
            continue
        kind = scope[0].label_
        if _LIST_BREAK.search(text, at, scope[0].start_char) and (head := _mention_before(ents_, text, exceptions[i].start())):
            kind = head.label_
            if scope[0].label_ != kind:
                for e in scope:
                    e._.excepted = False  # the exception's own item was no mention: it ended before these
                continue
        ended = False
        for prev, e in itertools.pairwise(scope):
            between = text[prev.end_char:e.start_char]
            if ended or (e.label_ != kind and any(ch in between for ch in ",;()[]")):
                ended = True
                e._.excepted = False


_LIST_BREAK = re.compile(r"[,;()\[\]]")


def _mention_before(ents: Sequence[Span], text: str, at: int) -> Span | None:
    """The mention ``at`` follows in its clause (no comma, semicolon or parenthesis between), if any."""
    before = [e for e in ents if e.end_char <= at]
    if not before:
        return None
    head = max(before, key=lambda e: e.end_char)
    return None if _LIST_BREAK.search(text, head.end_char, at) or "." in text[head.end_char:at] else head


def _examples_end_exceptions(ents_: Sequence[Span], text: str, exceptions: list[re.Match[str]]) -> None:
    """An example lead after an exception's own items gives examples of the head, not of the
    exception: "Significant medical illness other than asthma, including thyroid disease, diabetes
    mellitus", "pulmonary disease other than COPD (e.g. asthma, pulmonary fibrosis)": the mentions
    after the lead (cue ``example_lead``, in the exception's sentence) are not excepted. A kind of
    what the exception names stays excepted ("malignancy except skin cancer such as basal cell
    carcinoma"), as does every example when the exception names something no vocabulary has."""
    ends = [m.end() for m in exceptions]
    excepted = sorted((e for e in ents_ if e._.excepted), key=lambda e: e.start_char) if ends else []
    if not excepted or not cue("example_lead").search(text):
        return
    lex = Lexicon.load()
    cuts = _cut_ends(text, cue("sentence_cut"))
    for i, at in enumerate(ends):
        stop = min(ends[i + 1] if i + 1 < len(ends) else len(text),
                   next((c for c in cuts if c > at), len(text)))
        scope = [e for e in excepted if at <= e.start_char < stop]
        if not scope:
            continue
        m = cue("example_lead").search(text, scope[0].end_char, stop)
        named = [e for e in scope if m is not None and e.end_char <= m.start()]
        if m is None or not named or not all(e.kb_id_ for e in named):
            continue
        for e in scope:
            if e.start_char >= m.end() and e.kb_id_ and not any(lex.is_a(e.kb_id_, n.kb_id_) for n in named):
                e._.excepted = False


_LISTED = {"CONDITION", "THERAPY", "PROCEDURE", "PREGNANCY", "OTHER", "MEASUREMENT"}


def _cut_ends(text: str, cut: re.Pattern[str]) -> list[int]:
    """Where each punctuation match of ``cut`` ends in ``text``, in order."""
    return [m.end() for m in cut.finditer(text)]


def _start_before(cuts: list[int], pos: int) -> int:
    """The start of the clause holding ``pos``: the end of the last cut at or before it (0: none)."""
    return cuts[i - 1] if (i := bisect.bisect_right(cuts, pos)) else 0


def _negation_through_or_lists(all_ents: Sequence[Span], text: str) -> None:
    """A negation that opens an or-list reaches each of its items, however far past ConText's
    six-token scope the list runs ("No evidence of clinical MS relapse or high dose pulse
    corticosteroid treatment": no pulse steroids either; "without hypertension, heart failure,
    angina or myocardial infarction": the items the commas list are one list, cue
    ``or_list_comma``). Only a negation cue before the first item in its clause counts ("HIV negative or HBV": the cue after HIV reaches no further), and only
    "or"/"nor" with a few modifier words between items ("no diabetes or with hypertension" ends it).
    An item right after "nor" is negated when a negation stands before it in its clause."""
    ents = sorted((e for e in all_ents if e.label_ in _LISTED), key=lambda e: e.start_char)
    cuts = _cut_ends(text, cue("clause_punctuation"))

    def clause_start(pos: int) -> int:  # where the clause holding ``pos`` starts (its last punctuation)
        return _start_before(cuts, pos)

    negation = cue("negation")
    # (only where a mention is negated: the pass runs on every criterion)
    joins = [text[a.end_char:b.start_char] for a, b in itertools.pairwise(ents)] if any(e._.negated for e in ents) else []
    i = 0
    while i < len(joins):
        # items the commas list before an "or" ("without hypertension, heart failure, angina or
        # myocardial infarction"): a negation before the first reaches each, the last after "or" too
        j = i
        while j < len(joins) and cue("or_list_comma").fullmatch(joins[j]):
            j += 1
        if j > i and ents[i]._.negated and negation.search(text, clause_start(ents[i].start_char), ents[i].start_char):
            if j < len(joins) and (cue("negated_list_join").fullmatch(joins[j])
                                   or (cue("negated_and_join").fullmatch(joins[j]) and listed_together(ents[j].label_, ents[j + 1].label_))):
                # (the last after "and" too, of the kind the list names: "Absence of diabetes mellitus,
                # arterial hypertension, bronchial asthma and chronic obstructive pulmonary disease")
                listed = ents[i:j + 2]
            else:  # commas alone, items of one kind ("no evidence of ..., angina pectoris, acute myocardial infarction")
                listed = ents[i:j + 1] if all(listed_together(ents[i].label_, x.label_) for x in ents[i + 1:j + 1]) else []
            for e in listed:
                e._.negated = True
        i = max(j, i + 1)
    for prev, e in itertools.pairwise(ents):
        if not prev._.negated or e._.negated or not cue("negated_list_join").fullmatch(text[prev.end_char:e.start_char]):
            continue
        if negation.search(text, clause_start(prev.start_char), prev.start_char):
            e._.negated = True
    for e in ents:  # "NOT on ... nor invasive mechanical ventilation nor ECMO": "nor" negates its item
        start = clause_start(e.start_char)
        if not e._.negated and (m := cue("nor_item").search(text, start, e.start_char)) and negation.search(text, start, m.start()):
            e._.negated = True
    for prev, e in itertools.pairwise(ents):  # "extracorporeal membrane oxygenation (ECMO)": one mention
        if e.kb_id_ and e.kb_id_ == prev.kb_id_ and cue("abbreviation_bracket").fullmatch(text[prev.end_char:e.start_char]):
            e._.negated = prev._.negated


def _negation_through_bracketed_lists(all_ents: Sequence[Span], text: str) -> None:
    """A negated mention with a bracket of examples right after it passes its negation to each
    item of the bracket, however far past ConText's six-token scope the list runs: "no history of
    ischemic heart disease (angina or myocardial infarction)", "Have no systemic disease (Diabetes
    Mellitus, Lupus erythematosus, rheumatoid arthritis)" asked for an infarction, a lupus. Only a
    bracket opened right after the mention (cue ``abbreviation_bracket``, as an abbreviation's)
    that holds nothing but the items, joined by commas, "and" or "or" (cue ``result_list_join``)
    and closed right after the last (cue ``bracketed_list_close``): a bracket that says more ("(as
    confirmed by serology and histology)", "(stage 4 fibrosis on liver biopsy)") is no list of
    examples. Never a threshold (a measurement is passed over, not negated)."""
    ents = sorted((e for e in all_ents if e.label_ in _LISTED), key=lambda e: e.start_char)
    opening, join, close = cue("abbreviation_bracket"), cue("result_list_join"), cue("bracketed_list_close")
    for i, head in enumerate(ents):
        if not head._.negated or i + 1 == len(ents) or not opening.fullmatch(text[head.end_char:ents[i + 1].start_char]):
            continue
        items = [ents[i + 1]]
        for e in ents[i + 2:]:
            gap = text[items[-1].end_char:e.start_char]
            if ")" in gap or "]" in gap or not join.fullmatch(gap):
                break
            items.append(e)
        if close.match(text, items[-1].end_char):
            for e in items:
                if e.label_ in _COLON_LISTED:
                    e._.negated = True


def _negation_through_result_lists(all_ents: Sequence[Span], text: str) -> None:
    """A "negative for" or "free of/from" (cue ``result_negation``) reaches every item of the list
    after it, joined by commas, "and" or "or" (cue ``result_list_join``), however far past
    ConText's six-token scope the list runs: "Negative for infectious panel (HIV, HBV, HCV, and
    VDRL)", "a site that is free from infection and injury" are all negative, as "no A and B" may
    not be. Only in the cue's sentence (cue ``sentence_cut``), no ``scope_terminator`` ("Negative
    for HBsAg but positive for anti-HBc") between, and no threshold: "negative for COVID-19 and
    SpO2 < 94%" asks for the value."""
    cues = list(cue("result_negation").finditer(text))
    if not cues:
        return
    ents = sorted((e for e in all_ents if e.label_ in _COLON_LISTED), key=lambda e: e.start_char)
    join, stop, cuts = cue("result_list_join"), cue("scope_terminator"), _cut_ends(text, cue("sentence_cut"))
    numbered = cue("type_number_after")  # "HIV 1 / 2, HTLV I/II": the types of the item before the join
    for prev, e in itertools.pairwise(ents):
        gap = text[prev.end_char:e.start_char]
        if not prev._.negated or e._.negated or not join.fullmatch(numbered.sub("", gap, count=1)):
            continue
        start = _start_before(cuts, prev.start_char)
        lead = next((m for m in reversed(cues) if start <= m.start() and m.end() <= prev.start_char), None)
        if lead is not None and not stop.search(text, lead.end(), e.start_char):
            e._.negated = True


def _negation_through_tested_lists(all_ents: Sequence[Span], text: str) -> None:
    """"Negative" right before a list (cue ``result_negative_lead``) whose last item the test's
    word follows (cue ``test_after``) is the result of testing for every item: "Negative human
    immunodeficiency virus (HIV), hepatitis B (HBV), hepatitis C (HCV) serology" lacks all three
    (each was required present, the test word being past the first's reach). The items are
    joined as in a result list (cue ``result_list_join``), in one sentence (cue ``sentence_cut``)."""
    if "egative" not in text:
        return
    ents = sorted((e for e in all_ents if e.label_ in _COLON_LISTED), key=lambda e: e.start_char)
    join, lead, after, cuts = cue("result_list_join"), cue("result_negative_lead"), cue("test_after"), _cut_ends(text, cue("sentence_cut"))
    runs: list[list[Span]] = []
    for e in ents:
        if runs and join.fullmatch(text[runs[-1][-1].end_char:e.start_char]) \
                and _start_before(cuts, e.start_char) <= runs[-1][0].start_char:
            runs[-1].append(e)
        else:
            runs.append([e])
    for run in runs:
        if len(run) > 1 and lead.search(text, max(0, run[0].start_char - 20), run[0].start_char) \
                and after.match(text[run[-1].end_char:]):
            for e in run:
                e._.negated = True


def _negation_through_examples(ents: Sequence[Span], text: str) -> None:
    """A negation before a head and its examples reaches every example, however far past
    ConText's six-token scope ("No evidence of contraindications to the procedure such as
    pregnancy, active infection, bleeding disorder"; "Absence of comorbidities such as diabetes,
    hypertension or heart failure"): an item after an example lead (cue ``example_lead``) in its
    sentence (cue ``sentence_cut``), with a list between them (cue ``example_list_gap``) and a
    negation (cue ``example_negation``) before the lead that no ``scope_terminator`` ends and
    that negates no response or change (cue ``negation_pseudo_after``: "did not respond to
    treatment options including methylprednisolone": it was given)."""
    lead, negation, gap, cut, stop = (cue("example_lead"), cue("example_negation"), cue("example_list_gap"),
                                      cue("sentence_cut"), cue("scope_terminator"))
    pseudo = cue("negation_pseudo_after")  # "did not respond to treatments including X": X was given
    if lead.search(text) is None:
        return
    todo = [e for e in ents if e.label_ in _LISTED and not e._.negated]
    cuts = _cut_ends(text, cut)
    for e in todo:
        start = _start_before(cuts, e.start_char)
        before = text[start:e.start_char]
        leads = list(lead.finditer(before))
        if not leads or not gap.match(before[leads[-1].end():]):
            continue
        negs = list(negation.finditer(before, 0, leads[-1].start()))
        if negs and not stop.search(before, negs[-1].end()) and not pseudo.match(before[negs[-1].end():]):
            e._.negated = True


# what a negated lead-in reaches: named items, never a threshold ("No moderate or severe organ
# dysfunction: Ejection fraction > 45%; Creatinine < 2.0 mg/dl" asks for those values)
_COLON_LISTED = _LISTED - {"MEASUREMENT"}


def _negation_through_colon_lead(ents: Sequence[Span], text: str) -> None:
    """A criterion that opens with a negated lead-in ending in a colon (cue
    ``negated_colon_lead``: "No absolute contra-indications to exercise: recent acute cardiac
    event, unstable angina, uncontrolled dysrhythmias, ..."; "No history or diagnosis of any of
    the following conditions: ...") negates every item of the list after the colon, to the end of
    its sentence (cue ``sentence_cut``; a ";" between items is the list's own), however far past
    ConText's scope it runs: only the first item was negated, and an inclusion then asked for the
    others. A lead-in with an exception ("No other prior malignancy is allowed except for the
    following:", cue ``scope_terminator``) negates nothing after it."""
    lead = cue("negated_colon_lead").match(text)
    if lead is None or cue("scope_terminator").search(text, 0, lead.end()):
        return
    stop = next((m.start() for m in cue("sentence_cut").finditer(text, lead.end()) if m.group(0) != ";"), len(text))
    for e in ents:
        if e.label_ in _COLON_LISTED and lead.end() <= e.start_char < stop and not e._.negated:
            e._.negated = True


@Language.factory("elig_context")
def make_context(nlp: Language, name: str) -> "ContextTagger":
    return ContextTagger(nlp, name)
