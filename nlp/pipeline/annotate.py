"""Run the pipeline over a trial's criteria (one Doc per criterion, so context never leaks
between bullets) and turn spaCy spans into plain ``Entity`` records with offsets into the
eligibility text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict
from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.criteria import Criterion
from nlp.pipeline.extensions import CONCEPTS, SPAN_ATTRS


class CodeRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    system: str
    code: str


class Entity(BaseModel):
    """One tagged span. ``start``/``end`` index the eligibility text (escapes accounted for)."""

    model_config = ConfigDict(frozen=True)

    label: str
    text: str
    start: int
    end: int
    concept_id: str | None = None
    concept_name: str | None = None
    codes: tuple[CodeRef, ...] = ()
    negated: bool = False
    historical: bool = False
    hypothetical: bool = False
    family: bool = False
    excepted: bool = False
    positive: bool = False
    comparator: str | None = None
    value: float | None = None
    value_high: float | None = None
    second_value: float | None = None
    unit: str | None = None
    low_unit: str | None = None
    window_days: int | None = None
    window_days_low: int | None = None
    relation: str | None = None
    anchor: str | None = None
    # "rules": the rule pipeline; "model": the statistical NER (models/ner), added only where no
    # rule span overlaps, with no concept id or value (constraints are built from rule spans)
    source: Literal["rules", "model"] = "rules"


def nlp_targets(criteria: Sequence[Criterion]) -> list[Criterion]:
    """The criteria whose own text is analysed: every criterion except items split into ";"
    clauses (their clauses carry the text)."""
    has_clauses = {c.parent for c in criteria if c.kind == "clause"}
    return [c for c in criteria if c.id not in has_clauses and c.text.strip()]


# Entity fields copied as they are (concept_id is looked up; temporal_kind is not an Entity field)
_PLAIN_ATTRS = tuple(n for n in SPAN_ATTRS if n not in ("concept_id", "temporal_kind"))


@lru_cache(maxsize=4096)
def _code_refs(codes: tuple[str, ...]) -> tuple[CodeRef, ...]:
    """CodeRefs of a concept's "system|code" strings: built once per concept, not per mention."""
    return tuple(CodeRef(system=c.split("|", 1)[0], code=c.split("|", 1)[1]) for c in codes)


def span_to_entity(span: Span, crit: Criterion) -> Entity:
    # The attribute values are read straight from ``doc.user_data``, where spaCy keeps span
    # extensions under ("._.", name, start_char, end_char): going through ``span._`` cost a
    # quarter of the end-to-end parse time (profiled with pyinstrument).
    ud = span.doc.user_data
    a, b = span.start_char, span.end_char
    s, e = crit.source_span(a, b)
    concept_id = ud.get(("._.", "concept_id", a, b))
    info = CONCEPTS.get(concept_id) if concept_id else None
    name, codes = (info[0], _code_refs(info[2])) if info else (None, ())
    fields = {n: ud.get(("._.", n, a, b), SPAN_ATTRS[n]) for n in _PLAIN_ATTRS}
    return Entity(label=span.label_, text=span.text, start=s, end=e, concept_id=concept_id,
                  concept_name=name, codes=codes, **fields)


def doc_entities(doc: Doc, crit: Criterion) -> tuple[Entity, ...]:
    return tuple(span_to_entity(ent, crit) for ent in doc.ents)


def annotate_criteria(
    nlp: Language, criteria: Sequence[Criterion], batch_size: int = 256,
    ner_model: Language | None = None,
) -> dict[str, tuple[Entity, ...]]:
    """Entities per criterion id (criteria not analysed map to ()). With ``ner_model`` (see
    ``nlp.pipeline.model_ner``), the model's spans that overlap no rule span are added with
    ``source="model"``."""
    targets = nlp_targets(criteria)
    out: dict[str, tuple[Entity, ...]] = {c.id: () for c in criteria}
    pairs: Iterable[tuple[str, Criterion]] = ((c.text, c) for c in targets)
    for doc, crit in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        out[crit.id] = doc_entities(doc, crit)
    if ner_model is not None:
        from nlp.pipeline.model_ner import model_entities

        for crit, extra in zip(targets, model_entities(ner_model, targets, out, batch_size), strict=True):
            if extra:
                out[crit.id] = tuple(sorted((*out[crit.id], *extra), key=lambda e: (e.start, e.end)))
    return out
