"""Closed vocabularies of the models, as enums (their values are what the JSON holds)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Section = Literal["inclusion", "exclusion", "unspecified"]
Effect = Literal["include", "exclude"]

# condition concepts that are states the patient record states (``Patient.pregnant``,
# ``lactating``, ``contraception``), not diagnoses with an onset and a duration
PATIENT_STATES = frozenset({"pregnancy", "lactation", "contraception"})
# states whose means a criterion may list as examples ("appropriate method includes hormones, bilateral
# tubal ligation ..."): the drugs and procedures named so are what the state is, not asked of their own
STATES_BY_MEANS = frozenset({"contraception"})


def listed_together(a: str, b: str) -> bool:
    """Whether mentions of two kinds (entity labels or constraint kinds, in either case) are items
    of one list: the same kind, or a treatment and a procedure ("surgery, chemotherapy, or
    radiation")."""
    a, b = a.upper(), b.upper()
    return a == b or {a, b} <= {"THERAPY", "PROCEDURE"}


class Label(StrEnum):
    """Entity labels the pipeline tags (see nlp/pipeline/README.md)."""

    MEASUREMENT = "MEASUREMENT"
    CONDITION = "CONDITION"
    THERAPY = "THERAPY"
    PROCEDURE = "PROCEDURE"
    PREGNANCY = "PREGNANCY"
    TRIAL_PARTICIPATION = "TRIAL_PARTICIPATION"
    CONSENT = "CONSENT"
    JUDGEMENT = "JUDGEMENT"
    SEX = "SEX"
    AGE = "AGE"
    OTHER = "OTHER"
    VALUE = "VALUE"
    REF_RANGE = "REF_RANGE"
    TEMPORAL = "TEMPORAL"


class Kind(StrEnum):
    """Constraint kinds (one typed model each, ``nlp.core.constraints``)."""

    AGE = "age"
    SEX = "sex"
    WEIGHT = "weight"
    BMI = "bmi"
    MEASUREMENT = "measurement"
    CONDITION = "condition"
    THERAPY = "therapy"
    PROCEDURE = "procedure"
    TRIAL_PARTICIPATION = "trial_participation"
    CONSENT = "consent"
    JUDGEMENT = "judgement"
    OTHER = "other"


NUMERIC_KINDS = frozenset({Kind.AGE, Kind.WEIGHT, Kind.BMI, Kind.MEASUREMENT})


class Relation(StrEnum):
    """Where a window lies relative to its anchor."""

    BEFORE = "before"
    AFTER = "after"
    DURING = "during"


class Anchor(StrEnum):
    """The event a window is measured from (``nlp/resources/anchors.json`` maps wording to it)."""

    ENROLLMENT = "enrollment"
    SCREENING = "screening"
    RANDOMIZATION = "randomization"
    FIRST_DOSE = "first_dose"
    LAST_DOSE = "last_dose"
    ONSET = "onset"
    DIAGNOSIS = "diagnosis"
    SURGERY = "surgery"
    TRANSPLANT = "transplant"
    BIRTH = "birth"
    EVENT = "event"  # another event the text names (``anchor_text`` says which)


# the trial's entry: the events a window of the patient's history looks back from
TRIAL_ENTRY = frozenset({Anchor.ENROLLMENT, Anchor.SCREENING, Anchor.RANDOMIZATION})
# the trial's start: its entry and its first dose, placed at the patient record's ``as_of`` date
TRIAL_EVENTS = TRIAL_ENTRY | {Anchor.FIRST_DOSE}


class Exposure(StrEnum):
    """What an exposure constraint (therapy, procedure, trial participation) checks."""

    EVER = "ever"  # any exposure on record ("history of", "prior", an inclusion requirement)
    CURRENT = "current"  # ongoing at the reference date ("on anticoagulants")
    IN_WINDOW = "in_window"  # any exposure overlapping the window ("within 3 months")
    WASHOUT = "washout"  # none in the washout window, earlier exposure allowed ("stopped >= 4 weeks")
    PLANNED = "planned"  # planned during the trial ("plan to undergo surgery")


class GroupOp(StrEnum):
    ALL = "ALL"
    ANY = "ANY"
    AT_LEAST = "AT_LEAST"
