"""Entities of a criterion -> typed constraints, or "not computable" with a reason.

Linking rules (one criterion at a time, entities in text order):
- a value (VALUE / REF_RANGE) goes to the analytes named since the last value ("AST/ALT > 2.5 x
  ULN" -> AST and ALT); a second value with no new analyte joins the previous one in an OR group
  ("glucose > 16.8 or < 2.8 mmol/L"); a range gives two constraints (>= low, <= high);
- "≥180/110 mmHg" on blood pressure -> systolic >= 180 OR diastolic >= 110;
- "for those who ..." before thresholds sets ``applies_if`` on the thresholds that follow;
- an excepted concept ("except cured non-melanoma skin cancer") is carved out of the concept before;
- a window (TEMPORAL) applies to the concepts named since the previous window; a range or an
  "after onset" offset on an inclusion diagnosis is a disease duration;
- a stem-cell study in a trial-participation phrase implies prior stem-cell therapy;
- judgement-only criteria, containers (lead-ins, ';'-split items) and criteria with nothing
  recognised are ``computable: false`` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from nlp.constraints.model import Code, Concept, Evidence, Window, _Base, make
from nlp.core.units import convert
from nlp.pipeline.annotate import Entity
from nlp.records.model import AgeLimit, TrialRecord
from nlp.resources.lexicon import LexiconEntry, load_lexicon

_VALUE_LABELS = {"VALUE", "REF_RANGE"}
_PRESENCE_KIND = {
    "CONDITION": "condition", "PREGNANCY": "condition", "THERAPY": "therapy",
    "PROCEDURE": "procedure", "TRIAL_PARTICIPATION": "trial_participation", "OTHER": "other",
}
_WINDOWED = {"condition", "therapy", "procedure", "trial_participation", "other"}
_AGE_UNITS = {"a", "mo", "wk", "d"}
_APPLIES_IF = re.compile(
    r"\bfor\s+(?:those|patients|subjects|participants|people)\s+(?:who\s+)?(?:are\s+|were\s+|is\s+)?"
    r"(?:did\s+not|do\s+not|does\s+not|not|using|on|taking|receiving|received|treated|with|without)\b"
    r"[^,;<>≤≥=]*",
    re.I,
)
_UNCONTROLLED = re.compile(r"despite\s+(?:\w+\s+){0,2}(?:treatment|therapy|medication)|uncontrolled|poorly\s+controlled|refractory", re.I)
_CLAUSE_OPENER = re.compile(r"(?:[,;]\s*(?:or|and)|;)\s*$", re.I)
_AGE_GAP = re.compile(r"[\s:(,;]*(?:(?:of|is|was|or|and|between|from|range|group|must\s+be|should\s+be|at\s+(?:screening|enrol+ment|inclusion))[\s:,]*)*", re.I)
_OR = re.compile(r"\bor\b", re.I)
_AND = re.compile(r"\b(?:and|with|plus)\b(?!/)", re.I)
# concepts that name a reference (a diagnostic manual, a classification), not a requirement
_REFERENCE_CONCEPTS = frozenset({"diagnostic_manual"})
_NEEDING = re.compile(r"\b(?:need(?:s|ing)?|requir(?:e|es|ed|ing)|in\s+need\s+of)\b", re.I)
_STEM_CELL = re.compile(r"stem[\s-]*cell|\bMSCs?\b|cell(?:ular)?\s+therap", re.I)


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, LexiconEntry]:
    return {e.id: e for e in load_lexicon()}


@lru_cache(maxsize=1)
def ancestors() -> dict[str, frozenset[str]]:
    lex = _lexicon()
    out: dict[str, frozenset[str]] = {}
    for cid in lex:
        seen: set[str] = set()
        stack = list(lex[cid].parents)
        while stack:
            c = stack.pop()
            if c in seen or c not in lex:
                continue
            seen.add(c)
            stack.extend(lex[c].parents)
        out[cid] = frozenset(seen)
    return out


def concept_of(cid: str | None) -> Concept | None:
    if not cid:
        return None
    e = _lexicon().get(cid)
    if e is None:
        return Concept(id=cid, name=cid)
    return Concept(id=e.id, name=e.name, category=e.category,
                   codes=tuple(Code(system=c.system, code=c.code) for c in e.codes))


def _evidence(text: str, start: int, end: int) -> Evidence:
    return Evidence(text=text[start:end], start=start, end=end)


@dataclass
class _Draft:
    """A constraint being built (mutable until ``freeze``)."""

    kind: str
    fields: dict = field(default_factory=dict)
    start: int = 0  # entity position, for window attachment
    end: int = 0


@dataclass
class CriterionConstraints:
    constraints: tuple[_Base, ...]
    computable: bool
    reason: str | None


def _most_specific(analytes: list[Entity]) -> list[Entity]:
    """"NIHSS score item 1a": drop an analyte when a narrower one of it is named too."""
    anc = ancestors()
    ids = {a.concept_id for a in analytes}
    return [a for a in analytes if not any(a.concept_id in anc.get(o or "", frozenset()) for o in ids)]


def _split_range(cmp_: str | None, value: float, high: float | None) -> list[tuple[str, float]]:
    if cmp_ == "between" and high is not None:
        return [(">=", value), ("<=", high)]
    if cmp_ is None:
        return [("=", value)]
    return [(cmp_, value)]


class _Builder:
    def __init__(self, crit_id: str, section: str, ents: Sequence[Entity], text: str, crit_span: tuple[int, int]) -> None:
        self.crit_id = crit_id
        self.effect = "exclude" if section == "exclusion" else "include"
        self.ents = sorted(ents, key=lambda e: e.start)
        self.text = text  # the eligibility text (entity offsets index it)
        self.crit_span = crit_span
        self.drafts: list[_Draft] = []
        self.groups = 0
        self._age_value_ends: list[int] = []

    # -- helpers ---------------------------------------------------------------------------
    def _group(self) -> str:
        self.groups += 1
        return f"{self.crit_id}.g{self.groups}"

    def _add(self, kind: str, start: int, end: int, **fields: object) -> _Draft:
        d = _Draft(kind, {"effect": self.effect, "evidence": _evidence(self.text, start, end), **fields}, start, end)
        self.drafts.append(d)
        return d

    def _applies_if_spans(self) -> list[tuple[int, int, str]]:
        s0, s1 = self.crit_span
        seg = self.text[s0:s1].replace("\\", " ")
        return [(s0 + m.start(), s0 + m.end(), m.group(0).strip()) for m in _APPLIES_IF.finditer(seg)]

    # -- numeric ---------------------------------------------------------------------------
    def _measurement(self, analyte: Entity, val: Entity, group: str | None, applies_if: str | None) -> None:
        cid = analyte.concept_id
        kind = {"body_weight": "weight", "bmi": "bmi"}.get(cid or "", "measurement")
        start = min(analyte.start, val.start)
        if val.second_value is not None and cid in ("blood_pressure", "systolic_blood_pressure", "diastolic_blood_pressure", None):
            g = group or self._group()
            for sub, v in (("systolic_blood_pressure", val.value), ("diastolic_blood_pressure", val.second_value)):
                self._add("measurement", start, val.end, concept=concept_of(sub), comparator=val.comparator or ">=",
                          value=v, unit=val.unit, group=g, applies_if=applies_if)
            return
        parts = _split_range(val.comparator, val.value, val.value_high)  # type: ignore[arg-type]
        for cmp_, v in parts:
            unit = val.low_unit if (cmp_ == ">=" and val.low_unit and len(parts) == 2) else val.unit
            self._add(kind, start, val.end, concept=concept_of(cid), comparator=cmp_, value=v, unit=unit,
                      group=group, applies_if=applies_if)

    def _age(self, val: Entity) -> None:
        self._age_value_ends.append(val.end)
        parts = _split_range(val.comparator, val.value, val.value_high)  # type: ignore[arg-type]
        for cmp_, v in parts:
            unit = val.low_unit if (cmp_ == ">=" and val.low_unit and len(parts) == 2) else val.unit
            self._add("age", val.start, val.end, comparator=cmp_, value=v, unit=unit)

    # -- main --------------------------------------------------------------------------------
    def build(self) -> None:
        conds = self._applies_if_spans()

        def applies_if_at(pos: int) -> str | None:
            found = None
            for s, _e, t in conds:
                if s <= pos:
                    found = t
            return found

        def inside_condition(e: Entity) -> bool:
            return any(s <= e.start and e.end <= end for s, end, _ in conds)

        pending: list[Entity] = []  # analytes named since the last value
        closed = False
        last_targets: list[Entity] = []
        last_group: dict[int, str] = {}
        seen_concepts: dict[tuple[str, str | None, bool], _Draft] = {}
        last_presence: _Draft | None = None
        for e in self.ents:
            if e.label == "MEASUREMENT":
                if closed:
                    pending, closed = [], False
                if pending and pending[-1].concept_id == e.concept_id:
                    continue  # "alanine aminotransferase (ALT)": one analyte
                pending.append(e)
                continue
            if e.label == "AGE" and e.value is not None:
                self._age(e)
                continue
            if e.label in _VALUE_LABELS and e.value is not None:
                targets = _most_specific(pending) if pending and not closed else []
                group = None
                if not targets and last_targets:
                    targets = last_targets  # "> 16.8mmol/L or < 2.8mmol/L": same analyte again
                    key = id(last_targets)
                    group = last_group.get(key) or self._group()
                    last_group[key] = group
                    for d in self.drafts:
                        if d.kind in ("measurement", "weight", "bmi") and d.fields.get("group") is None and \
                                d.fields.get("concept") and d.fields["concept"].id in {t.concept_id for t in targets}:
                            d.fields["group"] = group
                if not targets:
                    after = self._next_analyte(e)
                    if e.second_value is not None and e.unit == "mm[Hg]":
                        self._measurement(Entity(label="MEASUREMENT", text="", start=e.start, end=e.start), e, None, applies_if_at(e.start))
                    elif (e.unit in _AGE_UNITS and self._age_word_before(e)) or (e.unit is None and self._age_word_before(e, close=True)):
                        self._age(e if e.unit else e.model_copy(update={"unit": "a"}))
                    elif after is not None:
                        # "Score of less than or equal to 20 on the MMSE": the analyte follows
                        self._measurement(after, e, None, applies_if_at(e.start))
                    continue  # a value with no analyte is not a constraint
                ai = applies_if_at(e.start)
                if ai and group is None:
                    group = last_group.get(hash(ai)) or self._group()
                    last_group[hash(ai)] = group
                for t in targets:
                    self._measurement(t, e, group, ai)
                last_targets, closed = targets, True
                continue
            if e.label == "TEMPORAL":
                continue  # windows attach once every constraint of the criterion exists
            kind = _PRESENCE_KIND.get(e.label)
            if e.concept_id in _REFERENCE_CONCEPTS:
                continue
            if kind is not None:
                if inside_condition(e):
                    continue  # "for those using anticoagulant": a qualifier, not a criterion
                if e.excepted:
                    if last_presence is not None:
                        prev = last_presence.fields.setdefault("except", ())
                        last_presence.fields["except"] = (*prev, e.text)
                    continue
                key = (kind, e.concept_id, e.negated, e.hypothetical)
                if key in seen_concepts and not self._own_window(seen_concepts[key], e):
                    d = seen_concepts[key]
                    d.end = max(d.end, e.end)
                    continue
                d = self._add(kind, e.start, e.end, concept=concept_of(e.concept_id), comparator="present",
                              negated=e.negated, history=e.historical, hypothetical=e.hypothetical)
                seen_concepts[key] = d
                last_presence = d
                if kind == "trial_participation" and _STEM_CELL.search(e.text):
                    self._add("therapy", e.start, e.end, concept=concept_of("stem_cell_therapy"),
                              comparator="present", history=True, inferred=True)
                continue
            if e.label == "CONSENT":
                if not any(d.kind == "consent" for d in self.drafts):
                    self._add("consent", e.start, e.end, comparator="absent" if self.effect == "exclude" else "present")
                continue
            if e.label == "JUDGEMENT":
                if not any(d.kind == "judgement" for d in self.drafts):
                    self._add("judgement", e.start, e.end, comparator="present")
                continue
            if e.label == "SEX":
                self._sex(e)
        self._uncontrolled_hypertension()
        self._infection_needing_treatment()
        self._or_groups()
        for t in self.ents:
            if t.label == "TEMPORAL":
                self._window(t)
        self._drop_examples()

    def _or_groups(self) -> None:
        """Inclusion alternatives: "MS or NMO", "either not received X ... or on a stable dose of
        X" -> one OR group (any of them qualifies)."""
        if self.effect != "include":
            return
        items = [d for d in self.drafts if d.kind in ("condition", "therapy") and d.fields.get("group") is None]
        for a, b in zip(items, items[1:]):
            between = self.text[a.end:b.start]
            if _OR.search(between) and not _AND.search(between):
                g = a.fields.get("group") or self._group()
                a.fields["group"] = g
                b.fields["group"] = g

    def _uncontrolled_hypertension(self) -> None:
        """"Blood pressure ≥180/110 mmHg despite treatment": uncontrolled hypertension."""
        bp = [d for d in self.drafts if d.kind == "measurement" and d.fields.get("concept")
              and d.fields["concept"].id in ("systolic_blood_pressure", "diastolic_blood_pressure", "blood_pressure")]
        if not bp or any(d.kind == "condition" and d.fields["concept"] and d.fields["concept"].id == "hypertension" for d in self.drafts):
            return
        seg = self.text[self.crit_span[0]:self.crit_span[1]]
        if _UNCONTROLLED.search(seg) and self.effect == "exclude":
            self._add("condition", bp[0].start, bp[0].end, concept=concept_of("hypertension"),
                      comparator="present", inferred=True)

    def _infection_needing_treatment(self) -> None:
        """"in need of systemic anti-infective treatment" / "requiring IV antibiotics": an active
        infection (the treatment is how the criterion names it)."""
        if self.effect != "exclude" or any(
            d.kind == "condition" and d.fields.get("concept") and "active_infection" in
            ({d.fields["concept"].id} | ancestors().get(d.fields["concept"].id, frozenset()))
            for d in self.drafts
        ):
            return
        seg = self.text[self.crit_span[0]:self.crit_span[1]]
        for d in self.drafts:
            c = d.fields.get("concept")
            if d.kind == "therapy" and c is not None and "anti_infective" in ({c.id} | ancestors().get(c.id, frozenset())) \
                    and _NEEDING.search(seg):
                self._add("condition", d.start, d.end, concept=concept_of("active_infection"),
                          comparator="present", inferred=True)
                return

    def _own_window(self, d: _Draft, e: Entity) -> bool:
        """A repeated mention is its own constraint only when a window stands between the two
        mentions and another follows the new one ("not received X in the past 3 months or on a
        stable dose of X for 3 months"); otherwise it repeats the first ("within 3 months ... (or
        the last time receiving X ...)")."""
        between = any(x.label == "TEMPORAL" and d.start <= x.start <= e.start for x in self.ents)
        after = any(x.label == "TEMPORAL" and x.start >= e.end for x in self.ents)
        return between and after

    def _age_word_before(self, v: Entity, close: bool = False) -> bool:
        """An "age" word precedes the value with no other analyte in between ("Age 18 to 75",
        "Age over 75 or under 18"). A value without a unit must follow it closely ("Age: 18-65",
        "aged between 18 and 65"), not "reproductive age ... at least one contraceptive"."""
        prior = [x for x in self.ents if x.end <= v.start and x.label in ("AGE", "MEASUREMENT")]
        if not prior or prior[-1].concept_id != "age":
            return False
        if not close:
            return True
        start = max([prior[-1].end] + [end for end in self._age_value_ends if end <= v.start])
        return bool(_AGE_GAP.fullmatch(self.text[start:v.start]))

    def _next_analyte(self, v: Entity) -> Entity | None:
        """The analyte right after a value, before any other value ("... 20 on the MMSE")."""
        for x in self.ents:
            if x.start < v.end:
                continue
            if x.label == "MEASUREMENT":
                return x
            if x.label in _VALUE_LABELS or x.label == "AGE":
                return None
        return None

    def _sex(self, e: Entity) -> None:
        if self.effect != "include":
            return
        has_age = any(x.label == "AGE" and x.value is not None for x in self.ents)
        short = (self.crit_span[1] - self.crit_span[0]) <= 60
        if not (has_age or short or e.concept_id == "both_sexes"):
            return
        value = {"both_sexes": "all", "female": "female", "male": "male"}.get(e.concept_id or "")
        if value is None:
            return
        existing = [d for d in self.drafts if d.kind == "sex"]
        if existing:
            if existing[0].fields["value"] != value:
                existing[0].fields["value"] = "all"
            return
        self._add("sex", e.start, e.end, comparator="=", value=value)

    def _window(self, t: Entity) -> None:
        prev_t = max((x.end for x in self.ents if x.label == "TEMPORAL" and x.end <= t.start), default=-1)
        targets = [d for d in self.drafts if d.kind in _WINDOWED and prev_t <= d.start < t.start
                   and d.fields.get("window") is None]
        opens_clause = bool(targets) and _CLAUSE_OPENER.search(self.text[max(d.end for d in targets):t.start])
        if not targets or opens_clause:
            # "..., or within 14 days prior to ..., any infected persons ...": the window
            # opens a new clause and belongs to what follows
            nxt = [x.start for x in self.ents if x.label == "TEMPORAL" and x.start > t.end]
            limit = min(nxt) if nxt else 10**9
            following = [d for d in self.drafts if d.kind in _WINDOWED and t.end <= d.start < limit]
            if following or not targets:
                targets = following
        if t.window_days is None or not targets:
            return
        duration = (t.window_days_low is not None or t.relation == "after") and self.effect == "include"
        for d in targets:
            if duration and d.kind == "condition" and not d.fields.get("negated"):
                self._duration(t)
                continue
            d.fields["window_days"] = t.window_days
            d.fields["window"] = Window(days=t.window_days, relation=t.relation if t.relation in ("before", "after") else "before",  # type: ignore[arg-type]
                                        anchor=t.anchor, days_low=t.window_days_low)
            d.end = max(d.end, t.end)
            d.fields["evidence"] = _evidence(self.text, min(d.start, t.start), max(d.end, t.end))

    def _duration(self, t: Entity) -> None:
        """"within 3-12 months before enrollment" on a diagnosis: disease duration 3..12 months."""
        if any(d.kind == "measurement" and d.fields["concept"] and d.fields["concept"].id == "disease_duration" and d.start == t.start for d in self.drafts):
            return
        lo, hi = t.value, t.value_high
        parts = [(">=", lo), ("<=", hi)] if hi is not None else [("<=", lo)]
        for cmp_, v in parts:
            self._add("measurement", t.start, t.end, concept=concept_of("disease_duration"), comparator=cmp_,
                      value=v, unit=t.unit)

    def _drop_examples(self) -> None:
        """"immunosuppressive drugs (e.g., steroids)": a narrower concept named beside its broader
        one in the same criterion is an example of it, not a constraint of its own."""
        anc = ancestors()
        ids = {d.fields["concept"].id for d in self.drafts if d.kind in ("therapy", "condition") and d.fields.get("concept")}
        keep = []
        for d in self.drafts:
            c = d.fields.get("concept")
            if d.kind in ("therapy", "condition") and c is not None and anc.get(c.id, frozenset()) & ids and not d.fields.get("inferred"):
                broader = [x for x in self.drafts if x.fields.get("concept") and x.fields["concept"].id in anc[c.id]]
                if any(x.fields.get("window_days") == d.fields.get("window_days") for x in broader):
                    continue
            keep.append(d)
        self.drafts = keep

    def freeze(self) -> list[_Base]:
        out = []
        for n, d in enumerate(self.drafts, start=1):
            out.append(make(d.kind, id=f"{self.crit_id}.c{n}", criterion=self.crit_id, **d.fields))
        return out


def build_criterion(crit_id: str, section: str, entities: Sequence[Entity], eligibility_text: str,
                    span: tuple[int, int], children: Sequence[str] = ()) -> CriterionConstraints:
    b = _Builder(crit_id, section, entities, eligibility_text, span)
    b.build()
    constraints = tuple(b.freeze())
    kinds = {c.kind for c in constraints}  # type: ignore[attr-defined]
    if not constraints:
        if children:
            return CriterionConstraints((), False, f"container: its sub-criteria {children[0]}..{children[-1]} carry the constraints")
        return CriterionConstraints((), False, "not recognised: no computable concept, value or judgement found")
    if kinds == {"judgement"}:
        return CriterionConstraints(constraints, False, "left to the investigator's judgement")
    if "judgement" in kinds:
        return CriterionConstraints(constraints, True, "partly left to the investigator's judgement")
    return CriterionConstraints(constraints, True, None)


def structured_constraints(record: TrialRecord) -> list[_Base]:
    out: list[_Base] = []
    unit_of = {"year": "a", "month": "mo", "week": "wk", "day": "d", "hour": "h", "minute": "min"}

    def age(limit: AgeLimit, cmp_: str, label: str) -> None:
        out.append(make("age", id=f"S{len(out) + 1}", criterion=None, effect="include", comparator=cmp_,
                        value=limit.value, unit=unit_of[limit.unit],
                        evidence=Evidence(text=f"{label}: {limit.text}", start=0, end=0)))

    if record.minimum_age:
        age(record.minimum_age, ">=", "minimum age")
    if record.maximum_age:
        age(record.maximum_age, "<=", "maximum age")
    if record.sex:
        out.append(make("sex", id=f"S{len(out) + 1}", criterion=None, effect="include", comparator="=",
                        value=record.sex.lower(), evidence=Evidence(text=f"sex: {record.sex}", start=0, end=0)))
    return out


def age_warnings(record: TrialRecord, text_constraints: Sequence[_Base]) -> list[str]:
    """Disagreements between the structured ages and the ages the text states."""
    warnings = []
    for limit, cmp_, label in ((record.minimum_age, ">=", "minimum"), (record.maximum_age, "<=", "maximum")):
        text_ages = [c for c in text_constraints if c.kind == "age" and c.effect == "include" and c.comparator in (cmp_, cmp_[0])]  # type: ignore[attr-defined]
        if not text_ages:
            continue
        t = text_ages[0]
        if limit is None:
            warnings.append(f"the text states a {label} age ({t.comparator} {t.value:g} {t.unit}, criterion {t.criterion}: "
                            f"{t.evidence.text!r}) but the record has no structured {label} age")  # type: ignore[union-attr]
            continue
        unit = {"year": "a", "month": "mo", "week": "wk", "day": "d"}.get(limit.unit)
        conv = convert(float(t.value), t.unit, unit)  # type: ignore[arg-type]
        if conv is None or abs(conv - limit.value) > 1e-6:
            warnings.append(
                f"structured {label} age {limit.text!r} disagrees with the text: {t.comparator} {t.value:g} {t.unit} "
                f"(criterion {t.criterion}: {t.evidence.text!r})"  # type: ignore[union-attr]
            )
    return warnings
