"""Typed, comparable constraints: frozen pydantic models discriminated by ``kind``.

A constraint says what one criterion (or a structured record field, ``criterion: null``)
requires, with the criterion's ``effect`` as written (``include`` / ``exclude``). Numeric
thresholds carry a comparator, value(s) and a UCUM unit (``xULN`` / ``xLLN`` for multiples of
the patient's own reference range, ``{score}`` for scales); windows carry days.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from nlp.pipeline.annotate import CodeRef as Code

Effect = Literal["include", "exclude"]
Comparator = Literal[">", ">=", "<", "<=", "=", "present", "absent"]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"


class Concept(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    category: str | None = None
    codes: tuple[Code, ...] = ()


class Window(BaseModel):
    """A time window: "within 90 days before enrollment" -> days 90, relation before."""

    model_config = ConfigDict(frozen=True)

    days: int
    relation: Literal["before", "after", "during"] = "before"
    anchor: str | None = None
    days_low: int | None = None  # a range "at 12-24 weeks after onset": 84..168


class Evidence(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    start: int
    end: int


class _Base(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    id: str
    criterion: str | None  # null: from the record's structured fields
    effect: Effect
    concept: Concept | None = None
    comparator: Comparator = "present"
    value: float | str | None = None
    value_high: float | None = None  # only with comparator "=" for an inclusive range
    unit: str | None = None
    window_days: int | None = None
    window: Window | None = None
    negated: bool = False
    history: bool = False
    hypothetical: bool = False  # "plan to undergo surgery during the trial"
    group: str | None = None  # an OR-group id within the criterion
    except_: tuple[str, ...] = Field(default=(), alias="except")
    applies_if: str | None = None
    inferred: bool = False  # derived from wording rather than named (e.g. a stem-cell study)
    evidence: Evidence | None = None


class AgeConstraint(_Base):
    kind: Literal["age"] = "age"


class SexConstraint(_Base):
    kind: Literal["sex"] = "sex"


class WeightConstraint(_Base):
    kind: Literal["weight"] = "weight"


class BmiConstraint(_Base):
    kind: Literal["bmi"] = "bmi"


class MeasurementConstraint(_Base):
    kind: Literal["measurement"] = "measurement"


class ConditionConstraint(_Base):
    kind: Literal["condition"] = "condition"


class TherapyConstraint(_Base):
    kind: Literal["therapy"] = "therapy"


class ProcedureConstraint(_Base):
    kind: Literal["procedure"] = "procedure"


class TrialParticipationConstraint(_Base):
    kind: Literal["trial_participation"] = "trial_participation"


class ConsentConstraint(_Base):
    kind: Literal["consent"] = "consent"


class JudgementConstraint(_Base):
    kind: Literal["judgement"] = "judgement"


class OtherConstraint(_Base):
    kind: Literal["other"] = "other"


Constraint = Annotated[
    AgeConstraint | SexConstraint | WeightConstraint | BmiConstraint | MeasurementConstraint
    | ConditionConstraint | TherapyConstraint | ProcedureConstraint
    | TrialParticipationConstraint | ConsentConstraint | JudgementConstraint | OtherConstraint,
    Field(discriminator="kind"),
]

KIND_MODELS: dict[str, type[_Base]] = {
    "age": AgeConstraint, "sex": SexConstraint, "weight": WeightConstraint, "bmi": BmiConstraint,
    "measurement": MeasurementConstraint, "condition": ConditionConstraint,
    "therapy": TherapyConstraint, "procedure": ProcedureConstraint,
    "trial_participation": TrialParticipationConstraint, "consent": ConsentConstraint,
    "judgement": JudgementConstraint, "other": OtherConstraint,
}
NUMERIC_KINDS = frozenset({"age", "weight", "bmi", "measurement"})


def make(kind: str, **fields: object) -> _Base:
    return KIND_MODELS[kind](**fields)
