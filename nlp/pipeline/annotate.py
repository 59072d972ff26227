"""Run the pipeline over a trial's criteria (one Doc per criterion, so context never leaks
between bullets) and turn spaCy spans into plain ``Entity`` records with offsets into the
eligibility text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.core.criterion import Criterion
from nlp.core.entity import CodeRef, Entity
from nlp.core.lexicon import Lexicon
from nlp.pipeline.abbreviations import ABBREVIATIONS_KEY, TrialAbbreviations
from nlp.pipeline.extensions import SPAN_ATTRS, user_data

__all__ = ["CodeRef", "Entity", "annotate_criteria", "doc_entities", "nlp_targets", "pipeline_lexicon"]


def nlp_targets(criteria: Sequence[Criterion]) -> list[Criterion]:
    """The criteria whose own text is analysed: every criterion except items split into ";"
    clauses (their clauses carry the text)."""
    has_clauses = {c.parent for c in criteria if c.kind == "clause"}
    return [c for c in criteria if c.id not in has_clauses and c.text.strip()]


# Entity fields copied as they are (concept_id is looked up, concept_name with it or set by
# elig_values for a quantity no vocabulary has; temporal_kind is not an Entity field)
_PLAIN_ATTRS = tuple(n for n in SPAN_ATTRS if n not in ("concept_id", "concept_name", "temporal_kind"))


def pipeline_lexicon(nlp: Language | None) -> Lexicon:
    """The lexicon the pipeline tags with (its ``elig_lexicon`` component), else the package's."""
    if nlp is not None and "elig_lexicon" in nlp.pipe_names:
        from nlp.pipeline.components import LexiconTagger  # loaded already: the pipeline has the component

        tagger = nlp.get_pipe("elig_lexicon")
        if not isinstance(tagger, LexiconTagger):
            raise TypeError(f"elig_lexicon is a {type(tagger).__name__}, not the package's LexiconTagger")
        return tagger.lexicon
    return Lexicon.load()


@lru_cache(maxsize=4096)
def _concept_info(lexicon: Lexicon, concept_id: str) -> tuple[str | None, tuple[CodeRef, ...]]:
    """Name and CodeRefs of a concept: built once per concept, not per mention."""
    e = lexicon.get(concept_id)
    if e is None:
        return None, ()
    return e.name, tuple(CodeRef(system=c.system, code=c.code) for c in e.codes)


def span_to_entity(span: Span, crit: Criterion, lexicon: Lexicon) -> Entity:
    # The attribute values are read straight from ``doc.user_data``, where spaCy keeps span
    # extensions under ("._.", name, start_char, end_char): going through ``span._`` cost a
    # quarter of the end-to-end parse time (profiled with pyinstrument).
    ud = user_data(span.doc)
    a, b = span.start_char, span.end_char
    s, e = crit.source_span(a, b)
    concept_id = ud.get(("._.", "concept_id", a, b))
    name, codes = _concept_info(lexicon, concept_id) if isinstance(concept_id, str) and concept_id else (None, ())
    if name is None and isinstance(quantity := ud.get(("._.", "concept_name", a, b)), str):
        name = quantity  # a quantity no vocabulary has, under its name as written
    fields = {n: ud.get(("._.", n, a, b), SPAN_ATTRS[n]) for n in _PLAIN_ATTRS}
    return Entity(label=span.label_, text=span.text, start=s, end=e, concept_id=concept_id,
                  concept_name=name, codes=codes, **fields)


def doc_entities(doc: Doc, crit: Criterion, lexicon: Lexicon | None = None) -> tuple[Entity, ...]:
    lex = lexicon or Lexicon.load()
    return tuple(span_to_entity(ent, crit, lex) for ent in doc.ents)


@lru_cache(maxsize=4)
def _abbreviations(nlp: Language, lexicon: Lexicon) -> TrialAbbreviations:
    return TrialAbbreviations(nlp, lexicon)


def _with_definitions(nlp: Language, text: str, defs: tuple[tuple[str, str], ...]) -> str | Doc:
    """The criterion's text, or its Doc carrying the trial's definitions used in it."""
    used = tuple(d for d in defs if d[0] in text)
    if not used:
        return text
    doc = nlp.make_doc(text)
    doc.user_data[ABBREVIATIONS_KEY] = used
    return doc


def annotate_criteria(
    nlp: Language, criteria: Sequence[Criterion], batch_size: int = 256, context: str = "",
) -> dict[str, tuple[Entity, ...]]:
    """Entities per criterion id (criteria not analysed map to ()). Abbreviations the trial
    defines in ``context`` (its titles and eligibility text) link their later uses in every
    criterion (``nlp.pipeline.abbreviations``)."""
    targets = nlp_targets(criteria)
    lexicon = pipeline_lexicon(nlp)
    out: dict[str, tuple[Entity, ...]] = {c.id: () for c in criteria}
    defs = tuple((short, cid) for short, _, cid in _abbreviations(nlp, lexicon).definitions(context)) if context else ()
    pairs: Iterable[tuple[str | Doc, Criterion]] = ((_with_definitions(nlp, c.text, defs), c) for c in targets)
    for doc, crit in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        out[crit.id] = doc_entities(doc, crit, lexicon)
    return out
