"""Validated knowledge files read by stage 4: cue patterns (``cues.json``) and clinical
inferences (``inferences.json``), both in ``nlp/resources``, read like every knowledge table
(``nlp.core.tables.read_table``: a malformed file is one ``TableError`` naming it)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

from nlp.core.labels import Kind
from nlp.core.tables import TableError, check_pattern, read_table


class CueTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = ""
    cues: dict[str, Annotated[str, AfterValidator(check_pattern)]]


class Addition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal[Kind.CONDITION, Kind.THERAPY, Kind.PROCEDURE]
    concept: str
    history: bool = False


class InferenceRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    description: str
    effect: Literal["include", "exclude", "any"]
    when_kind: Kind
    when_concepts: tuple[str, ...] = ()
    cue: str
    scope: Literal["criterion", "evidence"]
    add: Addition


class InferenceTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = ""
    rules: tuple[InferenceRule, ...]

    @model_validator(mode="after")
    def _unique(self) -> InferenceTable:
        ids = [r.id for r in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate rule id")
        return self


def read_cues(source: str | Path = "cues.json") -> CueTable:
    return read_table(source, CueTable)


def read_inferences(source: str | Path = "inferences.json", known_concepts: frozenset[str] | None = None) -> InferenceTable:
    """The inference rules; every cue they name must exist in cues.json and, with
    ``known_concepts``, every concept they name must be one."""
    table = read_table(source, InferenceTable)
    label = source if isinstance(source, str) else str(source)
    cues = read_cues().cues
    for r in table.rules:
        if r.cue not in cues:
            raise TableError(f"{label}: rule {r.id!r}: unknown cue {r.cue!r}")
        if known_concepts is not None:
            for c in (*r.when_concepts, r.add.concept):
                if c not in known_concepts:
                    raise TableError(f"{label}: rule {r.id!r}: unknown concept {c!r}")
    return table


@lru_cache(maxsize=1)
def cue_patterns() -> dict[str, re.Pattern[str]]:
    return {name: re.compile(p, re.I) for name, p in read_cues().cues.items()}


def cue(name: str) -> re.Pattern[str]:
    return cue_patterns()[name]


@lru_cache(maxsize=1)
def inference_rules() -> tuple[InferenceRule, ...]:
    return read_inferences().rules
