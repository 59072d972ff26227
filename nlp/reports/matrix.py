"""The aligned constraint matrix: rows are comparable constraint keys, columns are trials.

A row key is the constraint's kind and concept, plus for numeric thresholds the side of the
allowed interval it bounds ("alt max" for "ALT <= 2.5 xULN", whether written as an inclusion or
an exclusion). Each cell holds that trial's constraints for the key; one representative
constraint per cell is compared with every other trial's by ``nlp.constraints.compare`` (units
converted), and the cell is marked stricter / looser / equal / disjoint / mixed against them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from nlp.core.document import ParsedTrial
from nlp.core.labels import NUMERIC_KINDS
from nlp.core.normal import Facet, compare, must_comparator, trial_facets
from nlp.core.wording import SYMBOL as COMPARATOR_SYMBOL
from nlp.core.wording import bound, condition_words, duration, name_words

KIND_ORDER = ("age", "sex", "weight", "bmi", "measurement", "condition", "therapy", "procedure",
              "trial_participation", "consent", "judgement", "other")
SYMBOL = {**COMPARATOR_SYMBOL, "present": "present", "absent": "absent"}
BOUND = {">": "min", ">=": "min", "<": "max", "<=": "max", "=": "eq"}
BOUND_LABEL = {"min": "minimum", "max": "maximum", "eq": "value"}


def fmt_num(v: object) -> str:
    """Stable number formatting: 2.5 -> "2.5", 18.0 -> "18", 1e-05 -> "1e-05"."""
    if isinstance(v, float | int) and not isinstance(v, bool):
        return f"{float(v):.6g}"
    return str(v)


def is_numeric(c: Facet) -> bool:
    return c.kind in NUMERIC_KINDS and isinstance(c.value, float | int) and must_comparator(c) in BOUND


def row_key(c: Facet) -> str:
    cid = c.concept.id if c.concept else c.kind
    if c.kind == "sex":
        return "sex"
    if is_numeric(c):
        return f"{c.kind}:{cid}:{BOUND[must_comparator(c)]}"
    return f"{c.kind}:{cid}"


def row_label(c: Facet) -> str:
    name = c.concept.name if c.concept else c.kind.replace("_", " ")
    if c.kind == "age":
        name = "age"
    if is_numeric(c):
        return f"{name} ({BOUND_LABEL[BOUND[must_comparator(c)]]})"
    return name


def describe(c: Facet) -> str:
    """The constraint as the patient must satisfy it, in display units: "≤ 2.5 × ULN",
    "≥ 18 years", "absent (within 3 months)"."""
    cmp_ = must_comparator(c)
    if c.kind == "sex":
        text = f"{c.value}" if c.value is not None else SYMBOL[cmp_]
    elif isinstance(c.value, float | int) and not isinstance(c.value, bool) and cmp_ not in ("present", "absent"):
        text = bound(cmp_, c.value, c.unit)
    else:
        text = SYMBOL.get(cmp_, cmp_)
    extras = []
    if c.window_days:
        extras.append(f"within {duration(c.window_days)}")
    if c.applies_if:
        extras.append(condition_words(c.applies_if))
    if c.excluded:
        extras.append("except " + ", ".join(sorted({name_words(x.name) for x in c.excluded})))
    if c.alternative:
        extras.append("one of a group")
    if c.planned:
        extras.append("planned")
    if c.inferred:
        extras.append("inferred")
    if c.criterion is None:
        extras.append("structured field")
    return text + (f" ({'; '.join(extras)})" if extras else "")


@dataclass
class Cell:
    trial: str
    constraints: list[Facet]
    representative: Facet
    relations: dict[str, str] = field(default_factory=dict)  # other trial -> relation of this cell to it
    mark: str = "unique"

    @property
    def criteria(self) -> list[str]:
        return sorted({c.criterion for c in self.constraints if c.criterion}, key=_crit_sort)

    def evidence(self) -> list[tuple[str, str]]:
        """(criterion id or "record", quote), de-duplicated, in order."""
        seen: list[tuple[str, str]] = []
        for c in self.constraints:
            item = (c.criterion or "record", c.evidence.text if c.evidence else "structured record field")
            if item not in seen:
                seen.append(item)
        return seen

    def text(self) -> str:
        parts: list[str] = []
        for c in self.constraints:
            d = describe(c)
            if d not in parts:
                parts.append(d)
        return "; ".join(parts)


@dataclass
class Row:
    key: str
    kind: str
    concept: str | None
    label: str
    cells: dict[str, Cell]

    @property
    def unique(self) -> bool:
        return len(self.cells) == 1


def _crit_sort(cid: str) -> tuple:
    head, _, rest = cid.partition(".")
    return (head[:1], int(head[1:]) if head[1:].isdigit() else 0, rest)


def trial_constraints(doc: ParsedTrial) -> list[Facet]:
    """Facets of every criterion's constraints, then of the record's structured constraints."""
    return trial_facets(doc)


def _representative(cs: Sequence[Facet]) -> Facet:
    def score(c: Facet) -> tuple:
        return (c.criterion is None, bool(c.applies_if), c.planned, c.inferred, c.alternative,
                bool(c.excluded))
    return min(cs, key=score)


_SEX_ORDER = {"all": 2, "female": 1, "male": 1}


def relate(a: Facet, b: Facet) -> str:
    """``nlp.constraints.compare`` with two matrix-level readings it leaves open: sex values
    ("female" is stricter than "all", "female" vs "male" disjoint) and a scale written with and
    without the ``{score}`` unit ("NIHSS 5-12" vs "NIHSS 6-20 points")."""
    if a.kind == "sex" and b.kind == "sex":
        va, vb = str(a.value).lower(), str(b.value).lower()
        if va == vb:
            return "equal"
        ra, rb = _SEX_ORDER.get(va), _SEX_ORDER.get(vb)
        if ra is None or rb is None:
            return "incomparable"
        if ra == rb:
            return "disjoint"
        return "stricter" if ra < rb else "looser"
    if {a.unit, b.unit} == {None, "{score}"}:
        a, b = replace(a, unit="{score}"), replace(b, unit="{score}")
    return compare(a, b)


def summarise(relations: dict[str, str]) -> str:
    rel = set(relations.values())
    if not rel:
        return "unique"
    if rel == {"equal"}:
        return "equal"
    if "disjoint" in rel:
        return "disjoint"
    if rel <= {"stricter", "equal"}:
        return "stricter"
    if rel <= {"looser", "equal"}:
        return "looser"
    if rel <= {"incomparable", "equal"}:
        return "incomparable"
    return "mixed"


def build_rows(trials: Sequence[tuple[str, ParsedTrial]]) -> list[Row]:
    """Rows in a stable order (kind, then label); cells keyed by trial label."""
    grouped: dict[str, dict[str, list[Facet]]] = {}
    meta: dict[str, tuple[str, str | None, str]] = {}
    for label, doc in trials:
        for c in trial_constraints(doc):
            key = row_key(c)
            grouped.setdefault(key, {}).setdefault(label, []).append(c)
            meta.setdefault(key, (c.kind, c.concept.id if c.concept else None, row_label(c)))
    rows = []
    for key, by_trial in grouped.items():
        kind, concept, lab = meta[key]
        cells = {}
        for t, cs in by_trial.items():
            # text constraints first; the structured field stands in only when the text is silent
            text = [c for c in cs if c.criterion is not None]
            chosen = text or cs
            cells[t] = Cell(trial=t, constraints=chosen, representative=_representative(chosen))
        for t, cell in cells.items():
            for o, other in cells.items():
                if o != t:
                    cell.relations[o] = relate(cell.representative, other.representative)
            cell.mark = summarise(cell.relations)
        rows.append(Row(key=key, kind=kind, concept=concept, label=lab, cells=cells))
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    rows.sort(key=lambda r: (order.get(r.kind, 99), r.label.lower(), r.key))
    return rows
