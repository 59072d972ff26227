"""The pipeline stage's output type: one tagged span with offsets into the eligibility text."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from nlp.core.labels import Label


class CodeRef(BaseModel):
    """A code in a code system (FHIR-style system URI)."""

    model_config = ConfigDict(frozen=True)

    system: str
    code: str


class Entity(BaseModel):
    """One tagged span. ``start``/``end`` index the eligibility text (escapes accounted for)."""

    model_config = ConfigDict(frozen=True)

    label: Label
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
    # "rules": the rule pipeline; "model": the statistical NER (models/ner), kept only where no
    # rule span overlaps; its concept, if any, linked by ``linked_by`` (nlp/pipeline/linker.py), or
    # "uncoded": an analyte no vocabulary has, read under its name as written (nlp/constraints)
    source: Literal["rules", "model"] = "rules"
    linked_by: Literal["exact", "head", "ngram", "uncoded"] | None = None
