"""Numeric inclusions a trial states that no value can meet together ("Children aged 1 to 4
years" and "Adults over 18 years" as two items, "PaO2/FiO2 > 100" and "PaO2/FiO2 ≤ 100" for two
classes of severity): alternatives its text does not mark (cohorts, an OR), or one of them
misread. Failing one of them is no certain ineligibility: the matcher and the cohort SQL withhold
such a fail while the patient does not fail an alternative too, and the Circe export leaves them
out (its cohort is then a superset to review)."""

from __future__ import annotations

from collections.abc import Iterable

from nlp.core.constraints import (
    AgeConstraint,
    AnyConstraint,
    BmiConstraint,
    MeasurementConstraint,
    NumericRange,
    WeightConstraint,
)
from nlp.core.document import ParsedTrial
from nlp.core.wording import range_words


def _required_range(c: AnyConstraint) -> tuple[tuple[str, str | None], NumericRange] | None:
    """(what it measures, its unit) and the range a numeric inclusion requires of every patient:
    none for a conditional one, a change or a value in a look-back window."""
    if c.effect != "include" or not isinstance(c, AgeConstraint | WeightConstraint | BmiConstraint | MeasurementConstraint):
        return None
    if c.applies_if is not None or (isinstance(c, MeasurementConstraint) and (c.change or c.window is not None)):
        return None
    return (c.concept_id or c.kind.value, c.range.unit), c.range


def _disjoint(a: NumericRange, b: NumericRange) -> bool:
    """No value lies in both ranges (in one unit)."""
    for lo, hi in ((a, b), (b, a)):
        if lo.high is not None and hi.low is not None and (
                lo.high < hi.low or (lo.high == hi.low and not (lo.high_inclusive and hi.low_inclusive))):
            return True
    return False


def alternatives(items: Iterable[tuple[str, AnyConstraint, str]]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Per numeric inclusion of a trial (``items``: id, constraint, evidence words), the other
    inclusions on the same analyte (and unit) that no value meets together with it, as (id, what
    they say): "1 to 18 years" and "younger than 1 year", "PaO2/FiO2 > 100" and "PaO2/FiO2 ≤
    100", "EDSS ≤ 5.0" and "EDSS ≥ 5.5"."""
    required = [(i, said, req) for i, c, said in items if (req := _required_range(c)) is not None]
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for i, _, (key, rng) in required:
        others = tuple((o, said or range_words(orng))
                       for o, said, (okey, orng) in required if o != i and okey == key and _disjoint(rng, orng))
        if others:
            out[i] = others
    return out


def trial_alternatives(trial: ParsedTrial) -> dict[str, tuple[tuple[str, str], ...]]:
    """``alternatives`` among a parsed trial's constraints: its criteria's and its record's."""
    return alternatives((c.id, c, c.evidence.text if c.evidence else "")
                        for c in [*(k for crit in trial.criteria for k in crit.constraints), *trial.record_constraints])
