"""Validated knowledge files read by stage 4: cue patterns (``cues.json``) and clinical
inferences (``inferences.json``), both in ``nlp/resources``."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from nlp.core.labels import Kind


class KnowledgeError(ValueError):
    """A knowledge file is malformed (the message names the file and the problem)."""


def _read(name: str, text: str | None = None) -> dict:
    raw = text if text is not None else (resources.files("nlp.resources") / name).read_text(encoding="utf-8")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise KnowledgeError(f"{name}: malformed JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise KnowledgeError(f"{name}: expected a JSON object")
    data.pop("_comment", None)
    return data


class CueTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cues: dict[str, str]

    @field_validator("cues")
    @classmethod
    def _compiles(cls, cues: dict[str, str]) -> dict[str, str]:
        for name, p in cues.items():
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"cue {name!r} does not compile: {exc}") from None
        return cues


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

    rules: tuple[InferenceRule, ...]

    @model_validator(mode="after")
    def _unique(self) -> InferenceTable:
        ids = [r.id for r in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate rule id")
        return self


def read_cues(text: str | None = None) -> CueTable:
    try:
        return CueTable.model_validate(_read("cues.json", text))
    except ValidationError as exc:
        raise KnowledgeError(f"cues.json: {exc.errors()[0]['msg']}") from None


def read_inferences(text: str | None = None, known_concepts: frozenset[str] | None = None) -> InferenceTable:
    """The inference rules; with ``known_concepts``, every concept they name must be one, and
    every cue must exist in cues.json."""
    try:
        table = InferenceTable.model_validate(_read("inferences.json", text))
    except ValidationError as exc:
        raise KnowledgeError(f"inferences.json: {exc.errors()[0]['msg']} ({exc.errors()[0]['loc']})") from None
    cues = read_cues().cues
    for r in table.rules:
        if r.cue not in cues:
            raise KnowledgeError(f"inferences.json: rule {r.id!r}: unknown cue {r.cue!r}")
        if known_concepts is not None:
            for c in (*r.when_concepts, r.add.concept):
                if c not in known_concepts:
                    raise KnowledgeError(f"inferences.json: rule {r.id!r}: unknown concept {c!r}")
    return table


@lru_cache(maxsize=1)
def cue_patterns() -> dict[str, re.Pattern[str]]:
    return {name: re.compile(p, re.I) for name, p in read_cues().cues.items()}


def cue(name: str) -> re.Pattern[str]:
    return cue_patterns()[name]


@lru_cache(maxsize=1)
def inference_rules() -> tuple[InferenceRule, ...]:
    return read_inferences().rules
