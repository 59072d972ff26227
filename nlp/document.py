"""The persistent artifact: one JSON document per parsed trial, with a ``schema_version``.

Later stages add fields (entities, constraints) to the same document; a consumer checks
``schema_version`` before reading.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language

from nlp import __version__
from nlp.criteria import Criterion, Header, split_criteria
from nlp.pipeline.annotate import Entity, annotate_criteria
from nlp.records import TrialRecord

SCHEMA_VERSION = 1


class Generator(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = "elig-analyzer"
    version: str = __version__


class AnnotatedCriterion(Criterion):
    """A criterion with the entities the pipeline tagged in its own text."""

    entities: tuple[Entity, ...] = ()


class ParsedTrial(BaseModel):
    model_config = ConfigDict(frozen=True)

    schema_version: Literal[1] = SCHEMA_VERSION
    generator: Generator = Field(default_factory=Generator)
    record: TrialRecord
    headers: tuple[Header, ...]
    criteria: tuple[AnnotatedCriterion, ...]
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.record.label


def parse_record(record: TrialRecord, nlp: Language | None = None) -> ParsedTrial:
    """Split the record's criteria and, with a pipeline, tag entities in each."""
    split = split_criteria(record.eligibility_text)
    entities = annotate_criteria(nlp, split.criteria) if nlp is not None else {}
    warnings: list[str] = []
    if not split.criteria:
        warnings.append("no criteria found in the eligibility text (headers only)")
    elif not split.headers:
        warnings.append("no inclusion/exclusion headers: all criteria are in section 'unspecified'")
    criteria = tuple(
        AnnotatedCriterion(**c.model_dump(), entities=entities.get(c.id, ())) for c in split.criteria
    )
    return ParsedTrial(record=record, headers=split.headers, criteria=criteria, warnings=tuple(warnings))
