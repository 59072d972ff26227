"""The persistent artifact: one JSON document per parsed trial, with a ``schema_version``.

Later stages add fields (entities, constraints) to the same document; a consumer checks
``schema_version`` before reading.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language

from nlp import __version__
from nlp.constraints.builder import age_warnings, build_criterion, structured_constraints
from nlp.constraints.model import Constraint
from nlp.criteria import Criterion, Header, split_criteria
from nlp.pipeline.annotate import Entity, annotate_criteria
from nlp.records import TrialRecord

SCHEMA_VERSION = 1


class Generator(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = "elig-analyzer"
    version: str = __version__


class AnnotatedCriterion(Criterion):
    """A criterion with the entities tagged in its own text, and the constraints built from
    them; ``computable`` is false (with ``reason``) when nothing computable could be built."""

    entities: tuple[Entity, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    computable: bool = False
    reason: str | None = "not analysed: parsed without the NLP pipeline"


class ParsedTrial(BaseModel):
    model_config = ConfigDict(frozen=True)

    schema_version: Literal[1] = SCHEMA_VERSION
    generator: Generator = Field(default_factory=Generator)
    record: TrialRecord
    headers: tuple[Header, ...]
    criteria: tuple[AnnotatedCriterion, ...]
    record_constraints: tuple[Constraint, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.record.label


def criteria_for_quote(doc: ParsedTrial, quote: str, overlap: bool = False) -> list[AnnotatedCriterion]:
    """The criteria holding ``quote`` (first occurrence in the eligibility text): those that
    contain it, or with ``overlap`` those that overlap it."""
    pos = doc.record.eligibility_text.find(quote)
    if pos < 0:
        return []
    end = pos + len(quote)
    if overlap:
        return [c for c in doc.criteria if c.start < end and pos < c.end]
    return [c for c in doc.criteria if c.start <= pos and end <= c.end]


def parse_record(record: TrialRecord, nlp: Language | None = None) -> ParsedTrial:
    """Split the record's criteria and, with a pipeline, tag entities in each."""
    split = split_criteria(record.eligibility_text)
    entities = annotate_criteria(nlp, split.criteria) if nlp is not None else {}
    warnings: list[str] = []
    if not split.criteria:
        warnings.append("no criteria found in the eligibility text (headers only)")
    elif not split.headers:
        warnings.append("no inclusion/exclusion headers: all criteria are in section 'unspecified'")
    children: dict[str, list[str]] = {}
    for c in split.criteria:
        if c.parent:
            children.setdefault(c.parent, []).append(c.id)
    criteria = []
    text_constraints = []
    for c in split.criteria:
        if nlp is None:
            criteria.append(AnnotatedCriterion(**c.model_dump()))
            continue
        built = build_criterion(c.id, c.section, entities.get(c.id, ()), record.eligibility_text,
                                (c.start, c.end), children.get(c.id, ()))
        text_constraints.extend(built.constraints)
        criteria.append(AnnotatedCriterion(
            **c.model_dump(), entities=entities.get(c.id, ()), constraints=built.constraints,
            computable=built.computable, reason=built.reason,
        ))
    record_constraints = tuple(structured_constraints(record))
    warnings.extend(age_warnings(record, text_constraints))
    return ParsedTrial(record=record, headers=split.headers, criteria=tuple(criteria),
                       record_constraints=record_constraints, warnings=tuple(warnings))
