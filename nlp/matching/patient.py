"""The patient record the matcher reads: a simple JSON document (schema: ``Patient``).

Dates are ISO dates; ``age`` (years) may replace ``birth_date``; a therapy without ``end`` is
ongoing. Conditions, therapies and procedures the record does not list are taken as absent
(the record is the patient's problem / medication / procedure list); ``pregnant``, ``lactating``,
``consent`` and ``trial_participation`` left out are unknown.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
    model_validator,
)

from nlp.errors import InputError


class PCode(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    system: str
    code: str
    # codes of broader concepts in the source's own hierarchy (an OMOP warehouse's
    # concept_ancestor): the item also counts as each of them. Left out of the JSON when empty.
    broader: tuple[PCode, ...] = ()

    @model_serializer(mode="wrap")
    def _drop_empty_broader(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if not self.broader:
            out.pop("broader", None)
        return out


class RefRange(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    low: float | None = None
    high: float | None = None


class Quantity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float
    unit: str


class PCondition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    code: PCode | None = None
    onset: dt.date | None = None
    abatement: dt.date | None = None
    status: Literal["active", "resolved", "inactive", "remission", "recurrence"] | None = None


class PObservation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    code: PCode | None = None
    value: float
    unit: str | None = None
    reference_range: RefRange | None = None
    date: dt.date | None = None


class PTherapy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    code: PCode | None = None
    start: dt.date | None = None
    end: dt.date | None = None


class PProcedure(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    code: PCode | None = None
    date: dt.date | None = None


class Participation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    start: dt.date | None = None
    end: dt.date | None = None


class Patient(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    as_of: dt.date = Field(default_factory=dt.date.today)
    birth_date: dt.date | None = None
    age: float | None = Field(default=None, ge=0, le=130)
    sex: Literal["female", "male", "other", "unknown"] | None = None
    weight: Quantity | None = None
    height: Quantity | None = None
    conditions: tuple[PCondition, ...] = ()
    observations: tuple[PObservation, ...] = ()
    therapies: tuple[PTherapy, ...] = ()
    procedures: tuple[PProcedure, ...] = ()
    pregnant: bool | None = None
    lactating: bool | None = None
    trial_participation: tuple[Participation, ...] | None = None
    consent: bool | None = None

    @model_validator(mode="after")
    def _dates_make_sense(self) -> Patient:
        if self.birth_date is not None and self.birth_date > self.as_of:
            raise ValueError(f"birth_date {self.birth_date} is after as_of {self.as_of}")
        return self

    def age_in(self, unit: str) -> float | None:
        """Completed age in ``unit`` ("a" years, "mo" months, "wk", "d") at ``as_of``."""
        if self.birth_date is None:
            if self.age is None:
                return None
            return {"a": float(int(self.age)), "mo": float(int(self.age * 12)), "wk": self.age * 52.1775,
                    "d": self.age * 365.25}.get(unit)
        b, a = self.birth_date, self.as_of
        months = (a.year - b.year) * 12 + (a.month - b.month) - (1 if a.day < b.day else 0)
        days = (a - b).days
        return {"a": float(months // 12), "mo": float(months), "wk": float(days // 7), "d": float(days)}.get(unit)


def _errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(x) for x in err["loc"]) or "record"
        parts.append(f"{loc}: {err['msg']}")
    more = f" (+{len(exc.errors()) - 3} more)" if len(exc.errors()) > 3 else ""
    return "; ".join(parts) + more


def load_patient(path: str | Path) -> Patient:
    """Read a patient JSON file; raises InputError with a clear message (never a traceback)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(p), "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(p), f"cannot read patient file ({type(exc).__name__})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(p), f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if isinstance(data, dict) and data.get("resourceType") == "Bundle":
        from nlp.matching.fhir import load_fhir_patient

        data = load_fhir_patient(data, str(p))
    try:
        return Patient.model_validate(data)
    except ValidationError as exc:
        raise InputError(str(p), f"invalid patient record: {_errors(exc)}") from None
