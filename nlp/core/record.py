"""The record stage's output type: one trial as found in its source, no NLP."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

AgeUnit = Literal["year", "month", "week", "day", "hour", "minute"]
Sex = Literal["ALL", "FEMALE", "MALE"]
SourceFormat = Literal["ctgov-json", "ctgov-xml", "webpage", "text"]


class AgeLimit(BaseModel):
    """A structured age limit such as "18 Years" -> value 18, unit "year"."""

    model_config = ConfigDict(frozen=True)

    value: float
    unit: AgeUnit
    text: str


class Intervention(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    type: str | None = None


class TrialRecord(BaseModel):
    """One trial record. ``eligibility_text`` is kept exactly as found in the source."""

    model_config = ConfigDict(frozen=True)

    source: str
    format: SourceFormat
    nct_id: str | None = None
    brief_title: str | None = None
    official_title: str | None = None
    conditions: tuple[str, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    eligibility_text: str
    sex: Sex | None = None
    minimum_age: AgeLimit | None = None
    maximum_age: AgeLimit | None = None
    healthy_volunteers: bool | None = None
    std_ages: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """A short name for messages: the NCT id when known, else the source."""
        return self.nct_id or self.source
