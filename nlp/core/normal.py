"""Normal form ("what the patient must satisfy") and comparison of constraints.

``facets`` flattens a typed constraint into single comparisons, one per bound: include
"age 18-80" gives ">= 18" and "<= 80"; include "ALT <= 2.5 xULN" and exclude "ALT > 2.5 xULN"
give the same facet once normalised (``must_comparator``). Reports, the trial comparison and
the evaluation read facets; matching reads the typed constraints. Two facets on the same concept
compare as equal / stricter / looser / overlapping / disjoint / incomparable, with units
converted per analyte.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from nlp.core.comparators import FLIP
from nlp.core.constraints import (
    EXPOSURE_TYPES,
    NUMERIC_TYPES,
    PRESENCE_TYPES,
    AnyConstraint,
    Applicability,
    Concept,
    ConsentConstraint,
    Evidence,
    Group,
    MeasurementConstraint,
    ProcedureConstraint,
    SexConstraint,
    TherapyConstraint,
    Window,
)
from nlp.core.labels import Exposure
from nlp.core.lexicon import Lexicon
from nlp.core.units import convert, ucum

if TYPE_CHECKING:
    from nlp.core.document import AnnotatedCriterion, ParsedTrial

Relation = Literal["equal", "stricter", "looser", "overlapping", "disjoint", "incomparable"]


@dataclass(frozen=True)
class Facet:
    """One comparison of a constraint, as the text states it (``comparator`` with ``effect``)."""

    constraint: AnyConstraint
    kind: str
    effect: str
    comparator: str  # ">", ">=", "<", "<=", "=", "present", "absent"
    value: float | str | None = None
    unit: str | None = None
    concept: Concept | None = None
    window_days: int | None = None
    history: bool = False
    planned: bool = False
    applies_if: Applicability | None = None
    excluded: tuple[Concept, ...] = ()
    alternative: bool = False  # one of several alternatives ("any of"), not required alone
    change: bool = False  # the value bounds a change from a baseline, not a level

    @property
    def id(self) -> str:
        return self.constraint.id

    @property
    def criterion(self) -> str | None:
        return self.constraint.criterion

    @property
    def evidence(self) -> Evidence | None:
        return self.constraint.evidence

    @property
    def inferred(self) -> bool:
        return self.constraint.provenance.inferred

    @property
    def qualified(self) -> bool:
        """Carries a qualifier a plain comparison leaves out (a window, a condition, a carve-out,
        a plan, an inference, an alternative)."""
        return bool(self.window_days or self.applies_if or self.excluded or self.planned or self.change
                    or self.inferred or self.alternative or self.constraint.provenance.unresolved)


# kinds whose concept is the kind itself (no concept set on the model)
_KIND_CONCEPT = {"weight": "body_weight", "bmi": "bmi", "trial_participation": "trial_participation"}


@lru_cache(maxsize=8)
def _kind_concept(kind: str) -> Concept | None:
    cid = _KIND_CONCEPT.get(kind)
    lex = Lexicon.load()
    return lex.concept(cid) if cid and cid in lex else None


def _window_days(w: Window | None) -> int | None:
    """A window's length in days as a fact states it: its far end, else its near one."""
    return (w.high_days if w.high_days is not None else w.low_days) if w else None


def facets(c: AnyConstraint, alternative: bool = False) -> list[Facet]:
    """The single comparisons of ``c``."""
    common: dict = {"constraint": c, "kind": c.kind.value, "effect": c.effect, "alternative": alternative}
    if isinstance(c, NUMERIC_TYPES):
        concept = c.concepts.concept if isinstance(c, MeasurementConstraint) else _kind_concept(c.kind.value)
        days = _window_days(c.window if isinstance(c, MeasurementConstraint) else None)
        change = isinstance(c, MeasurementConstraint) and c.change
        return [Facet(**common, comparator=cmp_, value=v, unit=c.range.unit, concept=concept, window_days=days,
                      applies_if=c.applies_if, change=change) for cmp_, v in c.range.bounds()]
    if isinstance(c, SexConstraint):
        return [Facet(**common, comparator="=", value=c.sex)]
    if isinstance(c, ConsentConstraint):
        return [Facet(**common, comparator="present" if c.present else "absent")]
    if isinstance(c, PRESENCE_TYPES + EXPOSURE_TYPES):
        cs = getattr(c, "concepts", None)
        out = [Facet(**common, comparator="present" if c.present else "absent",
                     concept=cs.concept if cs else _kind_concept(c.kind.value), excluded=cs.excluded if cs else (),
                     window_days=_window_days(c.window),
                     history=getattr(c, "history", False) or getattr(c, "exposure", None) == Exposure.EVER,
                     planned=getattr(c, "exposure", None) == Exposure.PLANNED, applies_if=c.applies_if)]
        if isinstance(c, TherapyConstraint) and c.dose is not None:  # "prednisone > 20 mg/d": one comparison per end
            out += [Facet(**(common | {"kind": "dose"}), comparator=cmp_, value=v, unit=c.dose.unit, concept=c.concepts.concept,
                          window_days=out[0].window_days, applies_if=c.applies_if) for cmp_, v in c.dose.bounds()]
        if isinstance(c, TherapyConstraint | ProcedureConstraint) and c.duration is not None:
            # "corticosteroids for >= 4 weeks": how long the course lasted
            out += [Facet(**(common | {"kind": "duration"}), comparator=cmp_, value=v, unit=c.duration.unit, concept=c.concepts.concept,
                          window_days=out[0].window_days, applies_if=c.applies_if) for cmp_, v in c.duration.bounds()]
        return out
    return [Facet(**common, comparator="present")]  # judgement


def alternatives(crit: AnnotatedCriterion) -> frozenset[str]:
    """Ids of the constraints the text joins as alternatives ("> 16.8 or < 2.8 mmol/L",
    "systolic >= 180 or diastolic >= 110", "MS or NMO"): those in a nested group of the
    criterion's logic, so none is a plain requirement on its own."""
    out: set[str] = set()
    if crit.logic is not None:
        for it in crit.logic.items:
            if isinstance(it, Group):
                out.update(it.ids())
    return frozenset(out)


def criterion_facets(crit: AnnotatedCriterion) -> Iterator[Facet]:
    alt = alternatives(crit)
    for c in crit.constraints:
        yield from facets(c, c.id in alt)


def must_comparator(f: Facet) -> str:
    """The comparator the patient must satisfy: the written one for include, flipped for exclude."""
    return f.comparator if f.effect == "include" else FLIP.get(f.comparator, f.comparator)


def normal_form(f: Facet) -> tuple[str, str | None, str, float | str | None, str | None]:
    """(kind, concept id, comparator to satisfy, value, unit): equal for equivalent facets."""
    return (f.kind, f.concept.id if f.concept else None, must_comparator(f), f.value, ucum(f.unit))


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


def allowed_interval(f: Facet, unit: str | None = None) -> Interval | None:
    """Values the patient may have, in ``unit`` (default: the facet's own)."""
    if not isinstance(f.value, int | float):
        return None
    v = float(f.value)
    if unit is not None and ucum(unit) != ucum(f.unit):
        conv = convert(v, f.unit, unit, f.concept.id if f.concept else None)
        if conv is None:
            return None
        v = float(f"{conv:.9g}")  # 132.6 umol/L is 1.5 mg/dL, not 1.5000000000000002
    cmp_ = must_comparator(f)
    return {
        ">": Interval(v, False), ">=": Interval(v, True), "<": Interval(hi=v), "<=": Interval(hi=v, hi_incl=True),
        "=": Interval(v, True, v, True),
    }.get(cmp_)


def compare(a: Facet, b: Facet) -> Relation:
    """How ``a`` relates to ``b`` for the patient: "stricter" means ``a`` admits fewer patients."""
    if a.kind != b.kind or (a.concept and b.concept and a.concept.id != b.concept.id):
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


def trial_facets(doc: ParsedTrial) -> list[Facet]:
    """Facets of every criterion's constraints, then of the record's structured constraints."""
    out = [f for crit in doc.criteria for f in criterion_facets(crit)]
    return out + [f for c in doc.record_constraints for f in facets(c)]
