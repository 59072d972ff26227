"""Checks of a parsed trial that need no pipeline: the structured ages against the text's ages."""

from __future__ import annotations

from collections.abc import Sequence

from nlp.core.constraints import AgeConstraint, AnyConstraint
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
