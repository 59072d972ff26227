"""Constraint model v2: typed, comparable constraints, in the spirit of OHDSI Circe's cohort model.

A constraint says what one criterion (or a structured record field, ``criterion: null``)
requires, with the criterion's ``effect`` as written (``include`` / ``exclude``). One frozen
pydantic model per kind, discriminated by ``kind``, each with only the fields its kind uses:

- numeric kinds (age, weight, bmi, measurement) carry a ``NumericRange`` (inclusive/exclusive
  ends, a UCUM unit; ``xULN`` / ``xLLN`` are multiples of the patient's own reference range);
- concept kinds carry a ``ConceptSet`` (a concept with its descendants, minus carve-outs) and
  ``present``: whether the text names the concept's presence (``True``) or its absence or refusal
  (``False``: "no history of X", "refuses contraception"). What the patient must satisfy is
  ``present`` for an inclusion and its opposite for an exclusion (``nlp.core.normal``);
- exposures (therapy, procedure, trial participation) say which exposure counts (``Exposure``),
  with a ``Window`` (low/high days, relation, anchor) where the text gives one;
- ``applies_if`` is a typed condition (a concept, a sex, an age range), not text;
- every constraint records its ``provenance``: the rule or model that produced it, whether it
  was inferred rather than read, its confidence, and any qualifier that stayed unresolved.

How a criterion combines its constraints is its ``logic`` (``Group``, on ``AnnotatedCriterion``).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nlp.core.entity import CodeRef
from nlp.core.labels import TRIAL_EVENTS, Anchor, Effect, Exposure, GroupOp, Kind, Relation

Comparator = Literal[">", ">=", "<", "<=", "="]

# confidence of a reading (the matcher fails a patient only on a certain constraint)
CERTAIN = 1.0
INFERRED = 0.6  # derived from wording rather than named ("a stem-cell study" -> stem-cell therapy)
QUALIFIED = 0.5  # a qualifier (an exception, a condition) could not be turned into concepts
MODEL = 0.7  # a span of the statistical NER linked to a concept (nlp/pipeline/linker.py)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Frozen):
    """The source text of a constraint; offsets index the eligibility text."""

    text: str
    start: int
    end: int


class Concept(_Frozen):
    id: str
    name: str
    category: str | None = None
    codes: tuple[CodeRef, ...] = ()


class ConceptSet(_Frozen):
    """A concept with (by default) all its descendants, minus the ``excluded`` carve-outs and
    theirs ("malignancy except cured basal-cell carcinoma")."""

    concept: Concept
    include_descendants: bool = True
    excluded: tuple[Concept, ...] = ()


class NumericRange(_Frozen):
    """Allowed or named values: ``low`` .. ``high`` (either end may be open), in ``unit``."""

    low: float | None = None
    low_inclusive: bool = True
    high: float | None = None
    high_inclusive: bool = True
    unit: str | None = None  # UCUM; "xULN" / "xLLN"; "{score}" for scales

    @model_validator(mode="after")
    def _ends(self) -> NumericRange:
        if self.low is None and self.high is None:
            raise ValueError("a numeric range needs at least one end")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low {self.low} > high {self.high}")
        return self

    @classmethod
    def of(cls, comparator: str, value: float, unit: str | None = None) -> NumericRange:
        """The range of one comparison: ``> 2.5`` -> (2.5, inf); ``= 1`` -> [1, 1]."""
        if comparator == ">":
            return cls(low=value, low_inclusive=False, unit=unit)
        if comparator == ">=":
            return cls(low=value, unit=unit)
        if comparator == "<":
            return cls(high=value, high_inclusive=False, unit=unit)
        if comparator == "<=":
            return cls(high=value, unit=unit)
        if comparator == "=":
            return cls(low=value, high=value, unit=unit)
        raise ValueError(f"unknown comparator {comparator!r}")

    @classmethod
    def between(cls, low: float, high: float, unit: str | None = None) -> NumericRange:
        lo, hi = (low, high) if low <= high else (high, low)
        return cls(low=lo, high=hi, unit=unit)

    def bounds(self) -> list[tuple[Comparator, float]]:
        """The range as comparisons: [(">=", 18), ("<=", 80)]; a point is [("=", v)]."""
        if self.low is not None and self.low == self.high:
            return [("=", self.low)]
        out: list[tuple[Comparator, float]] = []
        if self.low is not None:
            out.append((">=" if self.low_inclusive else ">", self.low))
        if self.high is not None:
            out.append(("<=" if self.high_inclusive else "<", self.high))
        return out

    def contains(self, x: float) -> bool:
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        lo_ok = x > lo or (self.low_inclusive and x == lo)
        hi_ok = x < hi or (self.high_inclusive and x == hi)
        return lo_ok and hi_ok


class Window(_Frozen):
    """A time window relative to an anchor event: "within 90 days before enrollment" ->
    high_days 90, relation before, anchor enrollment; "at 12-24 weeks after onset" -> 84..168
    after onset; "at least 4 weeks before" -> low_days 28."""

    low_days: int | None = None
    high_days: int | None = None
    relation: Relation = Relation.BEFORE
    anchor: Anchor = Anchor.ENROLLMENT
    anchor_text: str | None = None  # the anchor as written, when the text names one

    @model_validator(mode="after")
    def _ends(self) -> Window:
        if self.low_days is None and self.high_days is None:
            raise ValueError("a window needs low_days or high_days")
        if self.low_days is not None and self.high_days is not None and self.low_days > self.high_days:
            raise ValueError(f"low_days {self.low_days} > high_days {self.high_days}")
        return self

    @property
    def is_lookback(self) -> bool:
        """A look-back from the start of the trial ("within 3 months", "in the past year", "within
        4 weeks before the first dose of study drug"): the matcher places the trial-start anchors
        (enrollment, screening, randomization, first dose) at the patient's ``as_of`` date."""
        return self.relation == Relation.BEFORE and self.anchor in TRIAL_EVENTS


ProvenanceSource = Literal["rules", "model", "record", "v1"]
# the rule of a value whose unit the builder implied from its analyte (none written): "PaO2/FiO2 <= 300" in mmHg
IMPLIED_UNIT_RULE = "value_link:implied_unit"


class Provenance(_Frozen):
    """Where a constraint came from and how far the matcher may trust it."""

    source: ProvenanceSource = "rules"
    rule: str  # the rule, model or field that produced it ("value_link", "inference:...", ...)
    inferred: bool = False
    confidence: float = Field(default=CERTAIN, ge=0.0, le=1.0)
    unresolved: tuple[str, ...] = ()  # qualifiers read but not turned into concepts

    @property
    def certain(self) -> bool:
        return not self.inferred and not self.unresolved and self.confidence >= CERTAIN


# --- typed applicability conditions ("for patients on anticoagulants: INR > 3") ---------------

class ConceptCondition(_Frozen):
    kind: Literal["concept"] = "concept"
    concepts: ConceptSet
    present: bool = True  # False: applies to those who do NOT have / take it
    current: bool = True  # an ongoing condition or therapy (not history)


class SexCondition(_Frozen):
    kind: Literal["sex"] = "sex"
    sex: Literal["female", "male"]


class AgeCondition(_Frozen):
    kind: Literal["age"] = "age"
    range: NumericRange


class UnresolvedCondition(_Frozen):
    """A condition read as text that names no known concept: the matcher cannot decide it."""

    kind: Literal["unresolved"] = "unresolved"
    text: str


Applicability = Annotated[
    ConceptCondition | SexCondition | AgeCondition | UnresolvedCondition, Field(discriminator="kind")
]


# --- constraints ---------------------------------------------------------------------------------

class _Constraint(_Frozen):
    id: str
    criterion: str | None  # null: from the record's structured fields
    effect: Effect
    evidence: Evidence | None = None
    provenance: Provenance

    @property
    def concept_id(self) -> str | None:
        cs = getattr(self, "concepts", None)
        return cs.concept.id if cs is not None else None

    @property
    def certain(self) -> bool:
        return self.provenance.certain


class _Numeric(_Constraint):
    range: NumericRange
    applies_if: Applicability | None = None


class AgeConstraint(_Numeric):
    kind: Literal[Kind.AGE] = Kind.AGE


class WeightConstraint(_Numeric):
    kind: Literal[Kind.WEIGHT] = Kind.WEIGHT


class BmiConstraint(_Numeric):
    kind: Literal[Kind.BMI] = Kind.BMI


class MeasurementConstraint(_Numeric):
    kind: Literal[Kind.MEASUREMENT] = Kind.MEASUREMENT
    concepts: ConceptSet  # the analyte (a lab, a vital sign, a score, disease duration)
    # the look-back the value must be measured in ("ejection fraction <= 50% ... within the prior
    # six months"); None: the latest value, whenever measured
    window: Window | None = None
    # the range bounds a change from a baseline, not a level ("≥ 0.5 mg/dL rise in serum
    # creatinine", "an increase of ≥1 EDSS point"): answered only by the values over time
    change: bool = False


class SexConstraint(_Constraint):
    kind: Literal[Kind.SEX] = Kind.SEX
    sex: Literal["all", "female", "male"]


class _Presence(_Constraint):
    concepts: ConceptSet
    present: bool = True
    history: bool = False  # "history of", "current or past": past occurrences count
    window: Window | None = None
    applies_if: Applicability | None = None


class ConditionConstraint(_Presence):
    kind: Literal[Kind.CONDITION] = Kind.CONDITION


class OtherConstraint(_Presence):
    kind: Literal[Kind.OTHER] = Kind.OTHER


class _Exposure(_Constraint):
    present: bool = True
    exposure: Exposure = Exposure.EVER
    window: Window | None = None
    applies_if: Applicability | None = None
    # how long the exposure lasted, in a time unit ("corticosteroids for a minimum of 4 consecutive
    # weeks", "mechanical ventilation for more than 72 hours"): the length of one course, not the
    # look-back of a window
    duration: NumericRange | None = None

    @model_validator(mode="after")
    def _window_matches_exposure(self) -> _Exposure:
        needs = self.exposure in (Exposure.IN_WINDOW, Exposure.WASHOUT)
        if needs and self.window is None:
            raise ValueError(f"exposure {self.exposure.value!r} needs a window")
        if not needs and self.window is not None:
            raise ValueError(f"a window needs exposure 'in_window' or 'washout', not {self.exposure.value!r}")
        return self


class TherapyConstraint(_Exposure):
    """``dose``: the dose the criterion names ("prednisone greater than 20 mg/d", "at least 15
    mcg/min of norepinephrine"), per day, per minute or per kilogram as written."""

    kind: Literal[Kind.THERAPY] = Kind.THERAPY
    concepts: ConceptSet
    dose: NumericRange | None = None


class ProcedureConstraint(_Exposure):
    kind: Literal[Kind.PROCEDURE] = Kind.PROCEDURE
    concepts: ConceptSet


class TrialParticipationConstraint(_Exposure):
    kind: Literal[Kind.TRIAL_PARTICIPATION] = Kind.TRIAL_PARTICIPATION


class ConsentConstraint(_Constraint):
    """``present``: the text names consent given / willingness (True) or its absence (False:
    "unable or unwilling to consent", in an exclusion)."""

    kind: Literal[Kind.CONSENT] = Kind.CONSENT
    present: bool = True


class JudgementConstraint(_Constraint):
    """Left to the investigator's opinion: never computable."""

    kind: Literal[Kind.JUDGEMENT] = Kind.JUDGEMENT


AnyConstraint = (
    AgeConstraint | SexConstraint | WeightConstraint | BmiConstraint | MeasurementConstraint
    | ConditionConstraint | TherapyConstraint | ProcedureConstraint | TrialParticipationConstraint
    | ConsentConstraint | JudgementConstraint | OtherConstraint
)
Constraint = Annotated[AnyConstraint, Field(discriminator="kind")]
NumericConstraint = AgeConstraint | WeightConstraint | BmiConstraint | MeasurementConstraint
PresenceConstraint = ConditionConstraint | OtherConstraint
ExposureConstraint = TherapyConstraint | ProcedureConstraint | TrialParticipationConstraint
NUMERIC_TYPES = (AgeConstraint, WeightConstraint, BmiConstraint, MeasurementConstraint)
PRESENCE_TYPES = (ConditionConstraint, OtherConstraint)
EXPOSURE_TYPES = (TherapyConstraint, ProcedureConstraint, TrialParticipationConstraint)

KIND_MODELS: dict[Kind, type[AnyConstraint]] = {
    Kind.AGE: AgeConstraint, Kind.SEX: SexConstraint, Kind.WEIGHT: WeightConstraint,
    Kind.BMI: BmiConstraint, Kind.MEASUREMENT: MeasurementConstraint,
    Kind.CONDITION: ConditionConstraint, Kind.THERAPY: TherapyConstraint,
    Kind.PROCEDURE: ProcedureConstraint, Kind.TRIAL_PARTICIPATION: TrialParticipationConstraint,
    Kind.CONSENT: ConsentConstraint, Kind.JUDGEMENT: JudgementConstraint, Kind.OTHER: OtherConstraint,
}


class Group(_Frozen):
    """How a criterion combines its parts, read as the text states them ("any of" / "all of"):
    ``items`` are constraint ids, sub-criterion ids or nested groups. The verdict of an
    exclusion follows from it: an exclusion group that holds excludes the patient."""

    op: GroupOp = GroupOp.ALL
    n: int | None = None  # AT_LEAST only
    items: tuple[str | Group, ...]

    @model_validator(mode="after")
    def _n(self) -> Group:
        if (self.op == GroupOp.AT_LEAST) != (self.n is not None):
            raise ValueError("n is required with AT_LEAST and only there")
        return self

    def ids(self) -> list[str]:
        out: list[str] = []
        for it in self.items:
            out.extend(it.ids() if isinstance(it, Group) else [it])
        return out
