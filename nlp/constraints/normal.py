"""Normal form ("what the patient must satisfy") and comparison of two constraints.

Include "ALT <= 2.5 xULN" and exclude "ALT > 2.5 xULN" have the same normal form. Two
constraints on the same concept compare as equal / stricter / looser / overlapping / disjoint /
incomparable, with units converted per analyte.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from nlp.constraints.model import _Base
from nlp.core.comparators import FLIP
from nlp.core.units import convert, ucum

Relation = Literal["equal", "stricter", "looser", "overlapping", "disjoint", "incomparable"]


@dataclass(frozen=True)
class Interval:
    lo: float = -math.inf
    lo_incl: bool = False
    hi: float = math.inf
    hi_incl: bool = False

    def contains(self, other: Interval) -> bool:
        lo_ok = self.lo < other.lo or (self.lo == other.lo and (self.lo_incl or not other.lo_incl))
        hi_ok = self.hi > other.hi or (self.hi == other.hi and (self.hi_incl or not other.hi_incl))
        return lo_ok and hi_ok

    def disjoint(self, other: Interval) -> bool:
        if self.hi < other.lo or other.hi < self.lo:
            return True
        if self.hi == other.lo:
            return not (self.hi_incl and other.lo_incl)
        if other.hi == self.lo:
            return not (other.hi_incl and self.lo_incl)
        return False


def must_comparator(c: _Base) -> str:
    """The comparator the patient must satisfy: the written one for include, flipped for exclude;
    a negated include ("no history of X") must be absent."""
    cmp_ = c.comparator
    if c.negated and c.effect == "include" and cmp_ in ("present", "absent"):
        cmp_ = FLIP[cmp_]
    return cmp_ if c.effect == "include" else FLIP.get(cmp_, cmp_)


def normal_form(c: _Base) -> tuple[str, str | None, str, float | str | None, str | None]:
    """(kind, concept id, comparator to satisfy, value, unit): equal for equivalent constraints."""
    return (c.kind, c.concept.id if c.concept else None, must_comparator(c), c.value, ucum(c.unit))  # type: ignore[attr-defined]


def allowed_interval(c: _Base, unit: str | None = None) -> Interval | None:
    """Values the patient may have, in ``unit`` (default: the constraint's own)."""
    if not isinstance(c.value, (int, float)):
        return None
    v = float(c.value)
    if unit is not None and ucum(unit) != ucum(c.unit):
        conv = convert(v, c.unit, unit, c.concept.id if c.concept else None)
        if conv is None:
            return None
        v = float(f"{conv:.9g}")  # 132.6 umol/L is 1.5 mg/dL, not 1.5000000000000002
    cmp_ = must_comparator(c)
    return {
        ">": Interval(v, False), ">=": Interval(v, True), "<": Interval(hi=v), "<=": Interval(hi=v, hi_incl=True),
        "=": Interval(v, True, v, True),
    }.get(cmp_)


def compare(a: _Base, b: _Base) -> Relation:
    """How ``a`` relates to ``b`` for the patient: "stricter" means ``a`` admits fewer patients."""
    if a.kind != b.kind or (a.concept and b.concept and a.concept.id != b.concept.id):  # type: ignore[attr-defined]
        return "incomparable"
    ca, cb = must_comparator(a), must_comparator(b)
    if ca in ("present", "absent") or cb in ("present", "absent"):
        if ca != cb:
            return "disjoint" if {ca, cb} == {"present", "absent"} else "incomparable"
        if ca == "absent" and (a.window_days or b.window_days):
            wa, wb = a.window_days or math.inf, b.window_days or math.inf
            if wa == wb:
                return "equal"
            return "stricter" if wa > wb else "looser"  # absent over a longer look-back is stricter
        return "equal"
    ia = allowed_interval(a)
    ib = allowed_interval(b, a.unit)
    if ia is None or ib is None:
        return "incomparable"
    if ia == ib:
        return "equal"
    if ia.disjoint(ib):
        return "disjoint"
    if ib.contains(ia):
        return "stricter"
    if ia.contains(ib):
        return "looser"
    return "overlapping"
