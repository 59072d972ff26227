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
    Group,
    GroupOp,
    MeasurementConstraint,
    NumericRange,
    WeightConstraint,
)
from nlp.core.document import AnnotatedCriterion, ParsedTrial
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
    read = [(i, said, req, c.provenance.source == "record") for i, c, said in items if (req := _required_range(c)) is not None]
    # the record's structured fields (its minimum and maximum age) are no alternative of the text:
    # a text's range they leave no patient in is no cohort the trial offers but a misreading,
    # which withholds nothing (``nlp.core.checks.age_doubts`` makes its own fails uncertain)
    structured = [req for _, _, req, rec in read if rec]
    required = [(i, said, (key, rng)) for i, said, (key, rng), rec in read
                if rec or not any(okey == key and _disjoint(rng, orng) for okey, orng in structured)]
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for i, _, (key, rng) in required:
        others = tuple((o, said or range_words(orng))
                       for o, said, (okey, orng) in required if o != i and okey == key and _disjoint(rng, orng))
        if others:
            out[i] = others
    return out


def _joined_by_all(logic: Group, a: str, b: str) -> bool:
    """Whether the smallest group of ``logic`` that holds both items asks for all of its items."""
    for it in logic.items:
        if isinstance(it, Group) and {a, b} <= set(it.ids()):
            return _joined_by_all(it, a, b)
    return logic.op == GroupOp.ALL


def conflict(logic: Group | None, items: Iterable[tuple[str, AnyConstraint, str]]) -> str | None:
    """Why a criterion's own reading cannot be right, or None: two of its numeric inclusions
    (``items``: id, constraint, evidence words) that no value meets together, joined as if both
    were required ("neutrophil count < 0.5 x 109/L platelets < 20 x 109/L ... nSAA as defined by
    ... neutrophil count > 0.5 x 109/L": two classes of severity run together on one line). Its
    items are alternatives the reading does not mark, so no fail of any of them is certain: the
    matcher and the cohort SQL withhold them, the Circe export leaves the criterion out."""
    if logic is None:
        return None
    required = [(i, said, req) for i, c, said in items if (req := _required_range(c)) is not None]
    for n, (i, said, (key, rng)) in enumerate(required):
        for o, osaid, (okey, orng) in required[n + 1:]:
            if okey == key and _disjoint(rng, orng) and _joined_by_all(logic, i, o):
                return (f"'{said or range_words(rng)}' and '{osaid or range_words(orng)}' are read as both "
                        "required, which no value meets: alternatives the reading does not mark")
    return None


def criterion_doubt(crit: AnnotatedCriterion) -> str | None:
    """Why no fail of the criterion is certain, or None: a criterion of one group of the trial
    (``Criterion.group_doubt``), or one whose reading ``conflict``s."""
    return crit.group_doubt or conflict(crit.logic, ((c.id, c, c.evidence.text if c.evidence else "") for c in crit.constraints))


def trial_alternatives(trial: ParsedTrial) -> dict[str, tuple[tuple[str, str], ...]]:
    """``alternatives`` among a parsed trial's constraints: its criteria's and its record's."""
    return alternatives((c.id, c, c.evidence.text if c.evidence else "")
                        for c in [*(k for crit in trial.criteria for k in crit.constraints), *trial.record_constraints])
