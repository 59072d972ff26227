"""Patient x parsed trial -> a verdict per constraint, per criterion and overall. No spaCy, no
pipeline: constraints carry concepts, and a patient item's concepts come from its code or from the
lexicon's term lookup of its name (``Lexicon.find``), with their is-a ancestors.

Verdicts: ``pass`` (does not block), ``fail`` (blocks enrollment), ``unknown`` (the data needed
is missing: the reason says which), ``not_computable`` (left to the investigator). A criterion
combines its constraints and sub-criteria by its ``logic`` (ALL / ANY / AT_LEAST, nested, read
at the content level): an inclusion passes when its logic holds; an exclusion fails when it holds.
Three-valued throughout: missing data never passes silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from nlp.core.constraints import (
    AgeCondition,
    AgeConstraint,
    AnyConstraint,
    Applicability,
    BmiConstraint,
    Concept,
    ConceptCondition,
    ConceptSet,
    ConditionConstraint,
    ConsentConstraint,
    Group,
    JudgementConstraint,
    MeasurementConstraint,
    NumericRange,
    OtherConstraint,
    ProcedureConstraint,
    SexCondition,
    SexConstraint,
    TherapyConstraint,
    TrialParticipationConstraint,
    WeightConstraint,
    Window,
)
from nlp.core.document import AnnotatedCriterion, ParsedTrial
from nlp.core.labels import Exposure, GroupOp
from nlp.core.lexicon import Lexicon
from nlp.core.units import convert, ucum
from nlp.matching.patient import Patient, PCode

Verdict = Literal["pass", "fail", "unknown", "not_computable"]
_RANK = {"fail": 3, "unknown": 2, "not_computable": 1, "pass": 0}
_FLIPPED: dict[Verdict, Verdict] = {"pass": "fail", "fail": "pass"}
# (content holds?, reason, patient facts used): None = cannot tell
_Reading = tuple[bool | None, str, tuple[str, ...]]


class ConstraintResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    constraint: str
    kind: str
    verdict: Verdict
    reason: str
    facts: tuple[str, ...] = ()  # the patient facts used (names, dates), never values in logs
    certain: bool = True  # the constraint is an exact reading (its provenance: not inferred, no open qualifier)


class CriterionResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    criterion: str
    section: str
    verdict: Verdict
    evidence: str
    constraints: tuple[ConstraintResult, ...] = ()
    reason: str | None = None


class MatchReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    patient: str
    trial: str
    overall: Literal["eligible", "ineligible", "needs_review"]
    failing: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    criteria: tuple[CriterionResult, ...] = ()
    record: tuple[ConstraintResult, ...] = ()


def and3(verdicts: Iterable[Verdict]) -> Verdict:
    vs = list(verdicts)
    return max(vs, key=_RANK.__getitem__) if vs else "pass"


def or3(verdicts: Iterable[Verdict]) -> Verdict:
    vs = list(verdicts)
    return min(vs, key=_RANK.__getitem__) if vs else "pass"


def at_least3(verdicts: Sequence[Verdict], n: int) -> Verdict:
    """Pass when at least ``n`` pass, fail when fewer than ``n`` can still pass."""
    passed = sum(v == "pass" for v in verdicts)
    failed = sum(v == "fail" for v in verdicts)
    if passed >= n:
        return "pass"
    if len(verdicts) - failed < n:
        return "fail"
    return and3(v for v in verdicts if v not in ("pass", "fail"))  # undecided: the open items say why


def combine(group: Group, section: str, verdict_of: dict[str, Verdict]) -> Verdict:
    """The verdict of a content-level group whose items have verdicts (effect applied). An
    inclusion group holds as written; an exclusion passes only when its group does not hold, so
    ANY needs every item to pass and ALL fails only when every item fails."""
    vs: list[Verdict] = [combine(it, section, verdict_of) if isinstance(it, Group) else verdict_of.get(it, "unknown")
                         for it in group.items]
    exclusion = section == "exclusion"
    if group.op == GroupOp.ALL:
        return or3(vs) if exclusion else and3(vs)
    if group.op == GroupOp.ANY:
        return and3(vs) if exclusion else or3(vs)
    n = group.n or 1
    if exclusion:  # excluded when at least n hold, i.e. at least n items fail
        flipped = [_FLIPPED.get(v, v) for v in vs]
        v = at_least3(flipped, n)
        return _FLIPPED.get(v, v)
    return at_least3(vs, n)


class Matcher:
    """Evaluates patients against parsed trials."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or Lexicon.load()
        self._cache: dict[tuple[str, PCode | None], frozenset[str]] = {}
        self._targets: set[str] = set()  # the trial being matched: its inclusion diagnoses

    # -- concepts ------------------------------------------------------------------------------
    def concepts(self, name: str, code: PCode | None = None) -> frozenset[str]:
        """The concepts of a patient item, with their ancestors: by code, and by the lexicon
        terms its name holds ("malignant tumor of lung" -> malignancy; "prednisone" ->
        corticosteroid -> immunosuppressant)."""
        key = (name, code)
        if key not in self._cache:
            ids = set(self.lexicon.concepts_in(name))
            if code is not None:
                cid = self.lexicon.by_code.get((code.system, code.code))
                if cid:
                    ids.add(cid)
            self._cache[key] = self.lexicon.closure(ids)
        return self._cache[key]

    def in_set(self, cs: ConceptSet, name: str, code: PCode | None = None) -> bool:
        item = self.concepts(name, code)
        if cs.concept.id not in item or (not cs.include_descendants and cs.concept.id not in self.concepts_exact(name, code)):
            return False
        return not any(x.id in item for x in cs.excluded)

    def concepts_exact(self, name: str, code: PCode | None = None) -> frozenset[str]:
        ids = set(self.lexicon.concepts_in(name))
        if code is not None and (cid := self.lexicon.by_code.get((code.system, code.code))):
            ids.add(cid)
        return frozenset(ids)

    # -- per constraint -------------------------------------------------------------------------
    def evaluate(self, c: AnyConstraint, patient: Patient, crit: AnnotatedCriterion | None = None) -> ConstraintResult:
        if isinstance(c, JudgementConstraint):
            return self._res(c, "not_computable", "left to the investigator's judgement")
        holds, reason, facts = self._read(c, patient, crit)
        if holds is None:
            return self._res(c, "unknown", reason, facts)
        cond = getattr(c, "applies_if", None)
        if cond is not None:
            applies, why = self._applies(cond, patient)
            if applies is None:
                return self._res(c, "unknown", f"cannot tell whether it applies ({why})", facts)
            if not applies:
                return self._res(c, "pass", f"does not apply ({why})", facts)
        ok = holds if c.effect == "include" else not holds
        return self._res(c, "pass" if ok else "fail", reason, facts)

    def _read(self, c: AnyConstraint, p: Patient, crit: AnnotatedCriterion | None) -> _Reading:
        """Whether the constraint's content holds for the patient (the text as written)."""
        if isinstance(c, AgeConstraint):
            return self._age(c, p)
        if isinstance(c, SexConstraint):
            return self._sex(c, p)
        if isinstance(c, WeightConstraint):
            return self._weight(c, p)
        if isinstance(c, BmiConstraint):
            return self._bmi(c, p)
        if isinstance(c, MeasurementConstraint):
            return self._measurement(c, p, crit)
        if isinstance(c, ConditionConstraint | OtherConstraint):
            return self._condition(c, p)
        if isinstance(c, TherapyConstraint):
            return self._therapy(c, p)
        if isinstance(c, ProcedureConstraint):
            return self._procedure(c, p)
        if isinstance(c, TrialParticipationConstraint):
            return self._trial_participation(c, p)
        if isinstance(c, ConsentConstraint):
            if p.consent is None:
                return None, "consent unknown", ()
            return p.consent == c.present, "consent given" if p.consent else "no consent", ("consent",)
        return None, f"this {c.kind} criterion cannot be checked against the patient record", ()

    @staticmethod
    def _res(c: AnyConstraint, verdict: Verdict, reason: str, facts: Sequence[str] = ()) -> ConstraintResult:
        return ConstraintResult(constraint=c.id, kind=c.kind.value, verdict=verdict, reason=reason, facts=tuple(facts),
                                certain=c.provenance.certain)

    @staticmethod
    def _within(x: float, r: NumericRange, what: str) -> tuple[bool, str]:
        return r.contains(x), f"{what} {r.describe()}"

    def _age(self, c: AgeConstraint, p: Patient) -> _Reading:
        unit = ucum(c.range.unit) or "a"
        age = p.age_in(unit)
        if age is None:
            return None, "age unknown: no birth_date or age", ()
        ok, why = self._within(age, c.range, f"age {age:g} {unit}:")
        return ok, why, ("age",)

    @staticmethod
    def _sex(c: SexConstraint, p: Patient) -> _Reading:
        if c.sex == "all":
            return True, "all sexes", ()
        if p.sex in (None, "unknown"):
            return None, "sex unknown", ()
        return p.sex == c.sex, f"sex {p.sex} vs {c.sex}", ("sex",)

    def _weight(self, c: WeightConstraint, p: Patient) -> _Reading:
        if p.weight is None:
            return self._observation(c, p, "body_weight", "body weight")
        v = convert(p.weight.value, ucum(p.weight.unit), ucum(c.range.unit) or "kg")
        if v is None:
            return None, f"weight unit {p.weight.unit!r} not convertible to {c.range.unit}", ("weight",)
        ok, why = self._within(v, c.range, "weight")
        return ok, f"{why} {c.range.unit or ''}".strip(), ("weight",)

    def _bmi(self, c: BmiConstraint, p: Patient) -> _Reading:
        if p.weight is not None and p.height is not None:
            kg = convert(p.weight.value, ucum(p.weight.unit), "kg")
            cm = {"cm": 1.0, "m": 100.0, "mm": 0.1}.get(p.height.unit)
            if kg is not None and cm is not None:
                bmi = kg / ((p.height.value * cm / 100) ** 2)
                ok, why = self._within(bmi, c.range, "BMI")
                return ok, why, ("weight", "height")
        return self._observation(c, p, "bmi", "BMI")

    def _measurement(self, c: MeasurementConstraint, p: Patient, crit: AnnotatedCriterion | None) -> _Reading:
        cid = c.concepts.concept.id
        if cid == "disease_duration":
            return self._duration(c, p, crit)
        return self._observation(c, p, cid, c.concepts.concept.name)

    def _observation(self, c: MeasurementConstraint | WeightConstraint | BmiConstraint, p: Patient,
                     cid: str, name: str) -> _Reading:
        obs = [o for o in p.observations if cid in self.concepts(o.name, o.code) and (o.date is None or o.date <= p.as_of)]
        if not obs:
            return None, f"no {name} observation", ()
        o = max(obs, key=lambda x: x.date or date.min)
        unit = ucum(c.range.unit)
        if unit in ("xULN", "xLLN"):
            ref = o.reference_range
            bound = (ref.high if unit == "xULN" else ref.low) if ref else None
            if not bound:
                return None, f"{o.name}: no reference range to compute {unit}", (o.name,)
            v = o.value / bound
        elif unit is None or unit in ("{score}", "{ratio}"):
            v = o.value
        else:
            conv = convert(o.value, ucum(o.unit), unit, cid)
            if conv is None:
                return None, f"{o.name}: unit {o.unit!r} not convertible to {unit}", (o.name,)
            v = conv
        ok, why = self._within(v, c.range, f"{o.name} ({o.date or 'undated'})")
        return ok, f"{why} {unit or ''}".strip(), (o.name,)

    def _duration(self, c: MeasurementConstraint, p: Patient, crit: AnnotatedCriterion | None) -> _Reading:
        targets = [k.concepts for k in (crit.constraints if crit else ())
                   if isinstance(k, ConditionConstraint) and k.effect == "include" and k.present]
        if not targets:  # "Disease duration >= 2 years": the trial's diagnosis
            targets = [ConceptSet(concept=Concept(id=t, name=t)) for t in sorted(self._targets)]
        onsets = [x.onset for x in p.conditions if x.onset and any(self.in_set(t, x.name, x.code) for t in targets)]
        if not onsets:
            return None, "disease duration unknown: no onset date of the diagnosis", ()
        days = (p.as_of - max(onsets)).days
        unit = ucum(c.range.unit) or "a"
        v = convert(float(days), "d", unit)
        if v is None:
            return None, f"disease duration: unit {unit!r} is not a time unit", ("onset",)
        ok, why = self._within(v, c.range, "disease duration")
        return ok, f"{why} {unit}", ("onset",)

    @staticmethod
    def _lookback(p: Patient, w: Window | None) -> tuple[date | None, date | None, str | None]:
        """The dates a look-back window covers, or why it cannot be resolved from the record."""
        if w is None:
            return None, None, None
        if not w.is_lookback:
            anchor = w.anchor_text or w.anchor.value.replace("_", " ")
            return None, None, f"a window {w.relation.value} {anchor} cannot be placed on the patient's timeline"
        since = p.as_of - timedelta(days=w.high_days) if w.high_days is not None else None
        until = p.as_of - timedelta(days=w.low_days) if w.low_days else p.as_of
        return since, until, None

    def _condition(self, c: ConditionConstraint | OtherConstraint, p: Patient) -> _Reading:
        cid = c.concepts.concept.id
        name = c.concepts.concept.name
        if c.effect == "exclude" and any(self.lexicon.is_a(t, cid) for t in self._targets):
            # "other symptoms leading to apoplexy" in a stroke trial: an exclusion cannot mean the
            # trial's own target diagnosis; a person reads which forms are meant
            return None, f"{name} overlaps the trial's target diagnosis: needs a reviewer", ()
        if cid == "pregnancy":
            return p.pregnant, "pregnancy status" if p.pregnant is not None else "pregnancy status unknown", ("pregnant",)
        if cid == "lactation":
            return p.lactating, "lactation status" if p.lactating is not None else "lactation status unknown", ("lactating",)
        if cid in ("unspecified", "contraception"):
            return None, f"{name} is not in the patient record", ()
        since, until, problem = self._lookback(p, c.window)
        if problem:
            return None, problem, ()
        hits = []
        for x in p.conditions:
            if not self.in_set(c.concepts, x.name, x.code):
                continue
            if not c.history and x.status in ("resolved", "inactive", "remission"):
                continue
            if since is not None:
                last = x.abatement or (p.as_of if x.status in (None, "active", "recurrence") else x.onset)
                if last is None or last < since or (until is not None and x.onset is not None and x.onset > until):
                    continue
            hits.append(x.name)
        has = bool(hits)
        return has == c.present, (f"has {', '.join(hits)}" if hits else f"no {name} in the record"), tuple(hits)

    def _exposed(self, c: TherapyConstraint | ProcedureConstraint | TrialParticipationConstraint, p: Patient,
                 spans: Iterable[tuple[str, date | None, date | None]]) -> tuple[bool | None, str | None, list[str]]:
        """Whether any (name, start, end) exposure counts under the constraint's exposure mode."""
        if c.exposure == Exposure.PLANNED:
            return None, "planned treatments and procedures are not in the patient record", []
        since, until, problem = self._lookback(p, c.window)
        if problem:
            return None, problem, []
        hits = []
        for name, start, end in spans:
            if start and start > p.as_of:
                continue
            if c.exposure in (Exposure.IN_WINDOW, Exposure.WASHOUT):
                if since is not None and end is not None and end < since:
                    continue
                if until is not None and start is not None and start > until:
                    continue
            elif c.exposure == Exposure.CURRENT and end is not None and end < p.as_of:
                continue  # exclusion "ongoing anticoagulant therapy": a finished course does not count
            hits.append(name)
        return bool(hits), None, hits

    def _therapy(self, c: TherapyConstraint, p: Patient) -> _Reading:
        spans = [(t.name, t.start, t.end) for t in p.therapies if self.in_set(c.concepts, t.name, t.code)]
        has, problem, hits = self._exposed(c, p, spans)
        if has is None:
            return None, problem or "", ()
        name = c.concepts.concept.name
        return has == c.present, (f"received {', '.join(hits)}" if hits else f"no {name} in the window"), tuple(hits)

    def _procedure(self, c: ProcedureConstraint, p: Patient) -> _Reading:
        spans = [(x.name, x.date, x.date) for x in p.procedures if self.in_set(c.concepts, x.name, x.code)]
        has, problem, hits = self._exposed(c, p, spans)
        if has is None:
            return None, problem or "", ()
        if c.exposure == Exposure.CURRENT:  # a procedure is an event: any on record counts
            has, hits = bool(spans), [s[0] for s in spans]
        return has == c.present, (f"had {', '.join(hits)}" if hits else "no such procedure in the window"), tuple(hits)

    def _trial_participation(self, c: TrialParticipationConstraint, p: Patient) -> _Reading:
        if p.trial_participation is None:
            return None, "trial participation unknown", ()
        spans = [("trial", t.start, t.end) for t in p.trial_participation]
        has, problem, _ = self._exposed(c, p, spans)
        if has is None:
            return None, problem or "", ()
        if c.exposure == Exposure.CURRENT:
            has = any(t.end is None or t.end >= p.as_of for t in p.trial_participation) if c.window is None else has
        return has == c.present, ("took part in a trial in the window" if has else "no trial participation in the window"), \
            ("trial_participation",)

    def _applies(self, cond: Applicability, p: Patient) -> tuple[bool | None, str]:
        """Whether a typed condition ("for those on anticoagulants") holds for the patient."""
        if isinstance(cond, ConceptCondition):
            cs = cond.concepts
            name = cs.concept.name
            on = any(self.in_set(cs, t.name, t.code) for t in p.therapies
                     if t.end is None or t.end >= p.as_of or not cond.current)
            on = on or any(self.in_set(cs, x.name, x.code) for x in p.conditions
                           if not cond.current or x.status in (None, "active", "recurrence"))
            return (on if cond.present else not on), f"{'with' if cond.present else 'without'} {name}"
        if isinstance(cond, SexCondition):
            if p.sex in (None, "unknown"):
                return None, "sex unknown"
            return p.sex == cond.sex, f"sex {cond.sex}"
        if isinstance(cond, AgeCondition):
            age = p.age_in(ucum(cond.range.unit) or "a")
            if age is None:
                return None, "age unknown"
            return cond.range.contains(age), f"age {cond.range.describe()}"
        return None, f"condition {cond.text!r} names no known concept"

    # -- per criterion, per trial -----------------------------------------------------------------
    def match(self, trial: ParsedTrial, patient: Patient) -> MatchReport:
        self._targets = {
            c.concepts.concept.id for crit in trial.criteria for c in crit.constraints
            if isinstance(c, ConditionConstraint) and c.effect == "include" and c.present
        }
        children: dict[str, list[AnnotatedCriterion]] = {}
        for crit in trial.criteria:
            if crit.parent:
                children.setdefault(crit.parent, []).append(crit)
        verdicts: dict[str, CriterionResult] = {}
        for crit in reversed(trial.criteria):  # children before parents
            results = tuple(self.evaluate(c, patient, crit) for c in crit.constraints)
            verdict_of: dict[str, Verdict] = {r.constraint: r.verdict for r in results}
            verdict_of.update({k.id: verdicts[k.id].verdict for k in children.get(crit.id, [])})
            if crit.logic is not None:
                verdict = combine(crit.logic, crit.section, verdict_of)
            else:
                verdict = "not_computable"
            verdicts[crit.id] = CriterionResult(
                criterion=crit.id, section=crit.section, verdict=verdict, evidence=crit.text,
                constraints=results, reason=crit.reason,
            )
        record = tuple(self.evaluate(c, patient) for c in trial.record_constraints)
        top = [verdicts[c.id] for c in trial.criteria if c.parent is None]
        failing = [r.criterion for r in top if r.verdict == "fail"] + [r.constraint for r in record if r.verdict == "fail"]
        open_items = [r for r in top if r.verdict in ("unknown", "not_computable")]
        missing = sorted({cr.reason for r in open_items for cr in _leaf_results(r, verdicts, children)
                          if cr.verdict in ("unknown", "not_computable")}
                         | {f"{d.criterion}: {d.reason}" for r in open_items for d in _descendants(r, verdicts, children)
                            if d.verdict in ("unknown", "not_computable") and not d.constraints and d.reason
                            and not children.get(d.criterion)}
                         | {r.reason for r in record if r.verdict == "unknown"})
        overall: Literal["eligible", "ineligible", "needs_review"] = "ineligible" if failing else (
            "needs_review" if open_items or any(r.verdict == "unknown" for r in record) else "eligible")
        return MatchReport(patient=patient.id, trial=trial.record.nct_id or trial.record.source, overall=overall,
                           failing=tuple(failing), missing=tuple(missing),
                           criteria=tuple(verdicts[c.id] for c in trial.criteria), record=record)


def _descendants(r: CriterionResult, verdicts: dict[str, CriterionResult], children: dict[str, list[AnnotatedCriterion]]) -> list[CriterionResult]:
    out = [r]
    for k in children.get(r.criterion, []):
        out.extend(_descendants(verdicts[k.id], verdicts, children))
    return out


def _leaf_results(r: CriterionResult, verdicts: dict[str, CriterionResult], children: dict[str, list[AnnotatedCriterion]]) -> list[ConstraintResult]:
    out = list(r.constraints)
    for k in children.get(r.criterion, []):
        out.extend(_leaf_results(verdicts[k.id], verdicts, children))
    return out


def rank(matcher: Matcher, patient: Patient, trials: Iterable[ParsedTrial]) -> list[MatchReport]:
    """Eligible first, then needs_review by fewest open items, then ineligible."""
    order = {"eligible": 0, "needs_review": 1, "ineligible": 2}
    reports = [matcher.match(t, patient) for t in trials]
    return sorted(reports, key=lambda r: (order[r.overall], len(r.missing) + len(r.failing), r.trial))
