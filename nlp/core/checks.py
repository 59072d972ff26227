"""Checks of a parsed trial that need no pipeline: the structured ages against the text's ages."""

from __future__ import annotations

import math
from collections.abc import Sequence

from nlp.core.constraints import AgeConstraint, AnyConstraint, NumericRange
from nlp.core.record import TrialRecord
from nlp.core.units import convert
from nlp.core.wording import bound

_UCUM_AGE = {"year": "a", "month": "mo", "week": "wk", "day": "d", "hour": "h", "minute": "min"}


def age_warnings(record: TrialRecord, text_constraints: Sequence[AnyConstraint]) -> list[str]:
    """Disagreements between the structured ages and the ages the text states."""
    warnings = []
    for limit, cmp_, label in ((record.minimum_age, ">=", "minimum"), (record.maximum_age, "<=", "maximum")):
        text_ages = [(c, op, v) for c in text_constraints if isinstance(c, AgeConstraint) and c.effect == "include"
                     for op, v in c.range.bounds() if op in (cmp_, cmp_[0])]
        if not text_ages:
            continue
        t, op, value = text_ages[0]
        unit = t.range.unit
        quote = t.evidence.text if t.evidence else ""
        if limit is None:
            warnings.append(f"the text states a {label} age ({bound(op, value, unit or 'a')}, criterion {t.criterion}: "
                            f"{quote!r}) but the record has no structured {label} age")
            continue
        conv = convert(float(value), unit, _UCUM_AGE.get(limit.unit))
        if conv is None or abs(conv - limit.value) > 1e-6:
            warnings.append(
                f"structured {label} age {limit.text!r} disagrees with the text: {bound(op, value, unit or 'a')} "
                f"(criterion {t.criterion}: {quote!r})"
            )
    return warnings


def _days(value: float | None, unit: str | None) -> float | None:
    return None if value is None else convert(float(value), unit or "a", "d")


def _record_ages(record: TrialRecord) -> tuple[float, float] | None:
    """The ages, in days, the record's structured minimum and maximum admit (inclusive)."""
    lo = _days(record.minimum_age.value, _UCUM_AGE.get(record.minimum_age.unit)) if record.minimum_age else None
    hi = _days(record.maximum_age.value, _UCUM_AGE.get(record.maximum_age.unit)) if record.maximum_age else None
    if (record.minimum_age and lo is None) or (record.maximum_age and hi is None) or (lo is None and hi is None):
        return None
    return (lo or 0.0), (math.inf if hi is None else hi)


_TOLERANCE = 1.0  # days: a year or a month converted to days is not exact


def _contradiction(c: AgeConstraint, ages: tuple[float, float]) -> bool:
    """Whether the record's structured ages leave no patient an included age admits, or admit
    only patients an excluded age excludes."""
    r: NumericRange = c.range
    low, high = _days(r.low, r.unit), _days(r.high, r.unit)
    if (r.low is not None and low is None) or (r.high is not None and high is None):
        return False
    lo, hi = ages
    if c.effect == "include":
        below = high is not None and (high < lo - _TOLERANCE or (not r.high_inclusive and high <= lo + _TOLERANCE))
        above = low is not None and (low > hi + _TOLERANCE or (not r.low_inclusive and low >= hi - _TOLERANCE))
        return below or above
    from_lo = low is None or low < lo - _TOLERANCE or (r.low_inclusive and low <= lo + _TOLERANCE)
    to_hi = high is None or (hi != math.inf and (high > hi + _TOLERANCE or (r.high_inclusive and high >= hi - _TOLERANCE)))
    return from_lo and to_hi


def age_doubts(record: TrialRecord, constraints: Sequence[AnyConstraint]) -> list[AnyConstraint]:
    """The criterion's constraints, an age the record's structured ages contradict made
    uncertain: an included age no patient of the record's ages has ("Parent/legal guardian over
    18 years of age" in a trial of children; "female (minimum 70)", a count of women, in a trial
    of 18 to 60 years), or an excluded one every such patient has. Such an age is most likely
    someone else's or no age at all, so it never turns a patient away alone (needs review)."""
    ages = _record_ages(record)
    if ages is None:
        return list(constraints)
    out: list[AnyConstraint] = []
    for c in constraints:
        if isinstance(c, AgeConstraint) and _contradiction(c, ages):
            limits = ", ".join(f"{w} {a.text}" for w, a in (("minimum", record.minimum_age), ("maximum", record.maximum_age)) if a)
            why = (f"an age the record's structured ages ({limits}) "
                   f"{'leave no patient of' if c.effect == 'include' else 'give every patient'}: not surely the patient's own")
            c = c.model_copy(update={"provenance": c.provenance.model_copy(
                update={"unresolved": (*c.provenance.unresolved, why)})})
        out.append(c)
    return out
