"""Checks of a parsed trial that need no pipeline: the structured ages against the text's ages, and
exclusions against what the inclusion criteria require."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

from nlp.core.constraints import (
    QUALIFIED,
    AgeConstraint,
    AnyConstraint,
    BmiConstraint,
    ConditionConstraint,
    Group,
    MeasurementConstraint,
    NumericRange,
    WeightConstraint,
    Window,
)
from nlp.core.document import AnnotatedCriterion
from nlp.core.labels import GroupOp, Relation
from nlp.core.normal import Interval
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


def _walk(item: str | Group, criteria: dict[str, AnnotatedCriterion], constraints: dict[str, AnyConstraint],
          *, every: bool) -> Iterator[AnyConstraint]:
    """The constraints one logic item holds for certain: with ``every``, the ones all patients it
    admits meet (the items of ALL groups, through sub-criteria); without, the ones that each
    make it hold alone (the items of ANY groups). A group of the other kind with more than one
    item holds none of them for certain."""
    if isinstance(item, str):
        if item in constraints:
            yield constraints[item]
        elif item in criteria and (logic := criteria[item].logic) is not None:
            yield from _walk(logic, criteria, constraints, every=every)
        return
    if item.op == (GroupOp.ALL if every else GroupOp.ANY) or len(item.items) == 1:
        for i in item.items:
            yield from _walk(i, criteria, constraints, every=every)


def _within(inner: Window | None, outer: Window | None) -> bool:
    """Whether every time ``inner`` admits (None: any time) lies in ``outer`` (None: any time)."""
    if outer is None:
        return True
    if inner is None or (inner.relation, inner.anchor) != (outer.relation, outer.anchor) or inner.relation != Relation.BEFORE:
        return False
    return inner.high_days is not None and outer.high_days is not None and inner.high_days <= outer.high_days \
        and (outer.low_days or 0) <= (inner.low_days or 0)


def _said(k: AnyConstraint) -> str:
    """The words a constraint was read from, shortened."""
    text = k.evidence.text if k.evidence else k.kind
    return text if len(text) <= 60 else text[:57] + "..."


_EXCLUDES_REQUIRED = ("excludes {what!r}, which the inclusion requires ({crit}: {said!r}): every patient "
                      "it admits would be excluded, so the exclusion must mean another kind, stage or "
                      "occurrence of it than the words read")
_NUMERIC_KINDS = (AgeConstraint, WeightConstraint, BmiConstraint, MeasurementConstraint)
_Required = ConditionConstraint | AgeConstraint | WeightConstraint | BmiConstraint | MeasurementConstraint


def _interval(c: AgeConstraint | WeightConstraint | BmiConstraint | MeasurementConstraint,
              unit: str | None) -> Interval | None:
    """The values a numeric constraint's range admits, in ``unit`` (an analyte's own conversion:
    mg/dL to umol/L); None where a unit does not convert."""
    r = c.range
    analyte = c.concepts.concept.id if isinstance(c, MeasurementConstraint) else None
    low = convert(float(r.low), r.unit, unit, analyte) if r.low is not None else -math.inf
    high = convert(float(r.high), r.unit, unit, analyte) if r.high is not None else math.inf
    return None if low is None or high is None else Interval(low, r.low_inclusive, high, r.high_inclusive)


def _covers(k: AnyConstraint, r: _Required, is_a: Callable[[str, str], bool]) -> bool:
    """Whether every patient the inclusion requirement ``r`` admits meets the exclusion item ``k``:
    the same condition or a broader one, not carved out, or a range of the same quantity holding
    the whole of the required one; at every time the requirement admits."""
    if isinstance(k, ConditionConstraint) and isinstance(r, ConditionConstraint):
        cid, rid = k.concepts.concept.id, r.concepts.concept.id
        return (rid == cid or (k.concepts.include_descendants and is_a(rid, cid))) \
            and not any(is_a(rid, x.id) for x in k.concepts.excluded) and _within(r.window, k.window)
    if not isinstance(k, _NUMERIC_KINDS) or not isinstance(r, _NUMERIC_KINDS) or type(k) is not type(r) \
            or (not isinstance(k, AgeConstraint) and k.applies_if is not None):
        return False
    if isinstance(k, MeasurementConstraint) and isinstance(r, MeasurementConstraint) and (
            k.concepts.concept.id != r.concepts.concept.id or k.change or r.change or not _within(r.window, k.window)):
        return False
    wanted, excluded = _interval(r, r.range.unit), _interval(k, r.range.unit)
    return wanted is not None and excluded is not None and excluded.contains(wanted)


def excluded_requirements(criteria: Sequence[AnnotatedCriterion],
                          is_a: Callable[[str, str], bool]) -> list[AnnotatedCriterion]:
    """The criteria, an exclusion made uncertain where it excludes a condition the inclusion
    criteria require for certain, or a broader one ("Include: CT image characteristic of viral
    pneumonia" with "Exclude: ... obstructive pneumonia ... and other known viral pneumonia";
    "Include: type 2 diabetes" with "Exclude: type 1 diabetes mellitus or secondary diabetes"), or
    values of a quantity holding all the inclusion admits ("Include: knee OA KL 2-3" with a design
    sentence under the exclusions, "... patients affected by knee OA KL 2-3"): read so, the trial admits no patient, so the exclusion means
    something the reading missed (another type, stage, episode or site, "other than"). Only an
    item that excludes alone (an item of the exclusion's ANY), against requirements of every
    inclusion reading (the items of ALL groups, certain, present, unconditional; criteria of one
    group of the trial, "MSC donor", left aside), at every time the exclusion's window covers,
    and not carved out of the exclusion ("malignancy except ..."). Such an exclusion never turns
    a patient away alone (needs review)."""
    by_id = {c.id: c for c in criteria}
    constraints: dict[str, AnyConstraint] = {k.id: k for c in criteria for k in c.constraints}
    required: list[_Required] = [
        k for c in criteria if c.parent is None and c.section == "inclusion" and c.logic is not None and c.group is None
        for k in _walk(c.logic, by_id, constraints, every=True)
        if isinstance(k, (ConditionConstraint, *_NUMERIC_KINDS)) and k.effect == "include" and k.provenance.certain
        and getattr(k, "present", True) and getattr(k, "applies_if", None) is None]
    if not required:
        return list(criteria)
    doubted: dict[str, str] = {}
    for c in criteria:
        if c.parent is not None or c.section != "exclusion" or c.logic is None or c.group is not None:
            continue
        for k in _walk(c.logic, by_id, constraints, every=False):
            if k.effect != "exclude" or not getattr(k, "present", True) or not k.provenance.certain or k.id in doubted:
                continue
            r = next((r for r in required if _covers(k, r, is_a)), None)
            if r is not None:
                doubted[k.id] = _EXCLUDES_REQUIRED.format(what=_said(k), crit=r.criterion, said=_said(r))
    if not doubted:
        return list(criteria)
    return [c.model_copy(update={"constraints": tuple(
        k.model_copy(update={"provenance": k.provenance.model_copy(update={
            "unresolved": (*k.provenance.unresolved, doubted[k.id]), "confidence": min(k.provenance.confidence, QUALIFIED)})})
        if k.id in doubted else k for k in c.constraints)}) if any(k.id in doubted for k in c.constraints) else c
        for c in criteria]
