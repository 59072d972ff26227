"""The persistent artifact: one JSON document per parsed trial, with a ``schema_version``.

``schema_version: 2`` holds typed constraints (``nlp.core.constraints``) and each criterion's
``logic``; a version-1 document (every ``elig parse`` output written before) is upgraded on read
by ``load_parsed`` (``nlp.core.upgrade``).
"""

from __future__ import annotations

import json
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from nlp import __version__
from nlp.core.constraints import Constraint, Group
from nlp.core.criterion import Criterion, Header
from nlp.core.entity import Entity
from nlp.core.record import TrialRecord
from nlp.core.topics import Topic
from nlp.core.upgrade import upgrade_v1

SCHEMA_VERSION: Final = 2


class Generator(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = "elig-analyzer"
    version: str = __version__


class AnnotatedCriterion(Criterion):
    """A criterion with the entities tagged in its own text, the constraints built from them and
    how they combine (``logic``: constraint ids and sub-criterion ids, nested ALL / ANY /
    AT_LEAST groups); ``computable`` is false (with ``reason``) when nothing computable could be
    built."""

    entities: tuple[Entity, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    logic: Group | None = None
    computable: bool = False
    reason: str | None = "not analysed: parsed without the NLP pipeline"
    # set by the criterion classifier (models/classifier) where the rules built nothing computable
    category: str | None = None


class ParsedTrial(BaseModel):
    model_config = ConfigDict(frozen=True)

    schema_version: Literal[2] = SCHEMA_VERSION
    generator: Generator = Field(default_factory=Generator)
    record: TrialRecord
    headers: tuple[Header, ...]
    criteria: tuple[AnnotatedCriterion, ...]
    record_constraints: tuple[Constraint, ...] = ()
    topics: tuple[Topic, ...] = ()
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


def parsed_from_dict(data: dict[str, Any]) -> ParsedTrial:
    """A ParsedTrial from its JSON object, upgrading a version-1 document."""
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version == 1:
        data = upgrade_v1(data)
    return ParsedTrial.model_validate(data)


def parsed_from_json(text: str | bytes) -> ParsedTrial:
    data = json.loads(text)
    if isinstance(data, dict) and data.get("schema_version") == SCHEMA_VERSION:
        return ParsedTrial.model_validate_json(text)
    return parsed_from_dict(data)
