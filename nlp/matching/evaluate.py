"""Patient x parsed trial -> a verdict per constraint, per criterion and overall.

Verdicts: ``pass`` (does not block), ``fail`` (blocks enrollment), ``unknown`` (the data needed
is missing: the reason says which), ``not_computable`` (left to the investigator). Criteria combine
their constraints with three-valued AND; an OR group of an inclusion criterion passes when any
member passes. Containers (lead-ins, ';'-split items) take their sub-criteria's verdict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict
from spacy.language import Language

from nlp.constraints.builder import ancestors
from nlp.constraints.model import _Base
from nlp.constraints.normal import must_comparator
from nlp.core.units import convert, ucum
from nlp.document import AnnotatedCriterion, ParsedTrial
from nlp.matching.patient import Patient
from nlp.resources.lexicon import load_lexicon

Verdict = Literal["pass", "fail", "unknown", "not_computable"]
_RANK = {"fail": 3, "unknown": 2, "not_computable": 1, "pass": 0}


class ConstraintResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    constraint: str
    kind: str
    verdict: Verdict
    reason: str
    facts: tuple[str, ...] = ()  # the patient facts used (names, dates), never values in logs


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


@lru_cache(maxsize=1)
def _code_index() -> dict[tuple[str, str], str]:
    return {(c.system, c.code): e.id for e in load_lexicon() for c in e.codes}


class Matcher:
    """Evaluates patients against parsed trials; concepts of patient items are found by code,
    else by tagging the item's name with the pipeline's lexicon (so synonyms and narrower terms
    work: "malignant tumor of lung" -> malignancy, "prednisone" -> corticosteroid -> immunosuppressant)."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self._cache: dict[str, frozenset[str]] = {}
        self._targets: set[str] = set()  # the trial being matched: its inclusion diagnoses

    # -- concepts ------------------------------------------------------------------------------
    def concepts(self, name: str, code: object = None) -> frozenset[str]:
        ids: set[str] = set()
        if code is not None:
            cid = _code_index().get((code.system, code.code))  # type: ignore[attr-defined]
            if cid:
                ids.add(cid)
        if name not in self._cache:
            self._cache[name] = frozenset(e._.concept_id for e in self.nlp(name).ents if e._.concept_id)
        ids |= self._cache[name]
        out = set(ids)
        for cid in ids:
            out |= ancestors().get(cid, frozenset())
        return frozenset(out)

    # -- per constraint -------------------------------------------------------------------------
    def evaluate(self, c: _Base, patient: Patient, crit: AnnotatedCriterion | None = None) -> ConstraintResult:
        kind = c.kind  # type: ignore[attr-defined]
        handler = getattr(self, f"_{kind}", None)
        if kind == "judgement":
            return self._res(c, "not_computable", "left to the investigator's judgement")
        if handler is None:
            return self._res(c, "unknown", f"this {kind} criterion cannot be checked against the patient record")
        holds, reason, facts = handler(c, patient, crit)
        if holds is None:
            return self._res(c, "unknown", reason, facts)
        if c.applies_if:
            applies = self._applies(c.applies_if, patient)
            if applies is None:
                return self._res(c, "unknown", f"cannot tell whether it applies ({c.applies_if!r})", facts)
            if not applies:
                return self._res(c, "pass", f"does not apply ({c.applies_if!r})", facts)
        must_present = must_comparator(c) in ("present",)
        if kind in ("age", "weight", "bmi", "measurement", "sex"):
            ok = holds if c.effect == "include" else not holds
        else:
            ok = holds == must_present
        return self._res(c, "pass" if ok else "fail", reason, facts)

    @staticmethod
    def _res(c: _Base, verdict: Verdict, reason: str, facts: Sequence[str] = ()) -> ConstraintResult:
        return ConstraintResult(constraint=c.id, kind=c.kind, verdict=verdict, reason=reason, facts=tuple(facts))  # type: ignore[attr-defined]

    @staticmethod
    def _cmp(x: float, op: str, y: float) -> bool:
        return {">": x > y, ">=": x >= y, "<": x < y, "<=": x <= y, "=": x == y}[op]

    def _age(self, c: _Base, p: Patient, crit):  # type: ignore[no-untyped-def]
        unit = ucum(c.unit) or "a"
        age = p.age_in(unit)
        if age is None:
            return None, "age unknown: no birth_date or age", ()
        return self._cmp(age, c.comparator, float(c.value)), f"age {age:g} {unit} {c.comparator} {c.value:g}", ("age",)  # type: ignore[arg-type]

    def _sex(self, c: _Base, p: Patient, crit):  # type: ignore[no-untyped-def]
        if c.value == "all":
            return True, "all sexes", ()
        if p.sex in (None, "unknown"):
            return None, "sex unknown", ()
        return p.sex == c.value, f"sex {p.sex} vs {c.value}", ("sex",)

    def _weight(self, c: _Base, p: Patient, crit):  # type: ignore[no-untyped-def]
        if p.weight is None:
            return self._measurement(c, p, crit)
        v = convert(p.weight.value, ucum(p.weight.unit), ucum(c.unit) or "kg")
        if v is None:
            return None, f"weight unit {p.weight.unit!r} not convertible to {c.unit}", ("weight",)
        return self._cmp(v, c.comparator, float(c.value)), f"weight {c.comparator} {c.value:g} {c.unit}", ("weight",)  # type: ignore[arg-type]

    def _bmi(self, c: _Base, p: Patient, crit):  # type: ignore[no-untyped-def]
        if p.weight is not None and p.height is not None:
            kg = convert(p.weight.value, ucum(p.weight.unit), "kg")
            cm = {"cm": 1.0, "m": 100.0, "mm": 0.1}.get(p.height.unit)
            if kg is not None and cm is not None:
                bmi = kg / ((p.height.value * cm / 100) ** 2)
                return self._cmp(bmi, c.comparator, float(c.value)), f"BMI {c.comparator} {c.value:g}", ("weight", "height")  # type: ignore[arg-type]
        return self._measurement(c, p, crit)

    def _measurement(self, c: _Base, p: Patient, crit):  # type: ignore[no-untyped-def]
        cid = c.concept.id if c.concept else None
        if cid is None:
            return None, "no analyte", ()
        if cid == "disease_duration":
            return self._duration(c, p, crit)
        obs = [o for o in p.observations if cid in self.concepts(o.name, o.code) and (o.date is None or o.date <= p.as_of)]
        if not obs:
            return None, f"no {c.concept.name} observation", ()  # type: ignore[union-attr]
        o = max(obs, key=lambda x: x.date or date.min)
        unit = ucum(c.unit)
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
        return self._cmp(v, c.comparator, float(c.value)), f"{o.name} ({o.date or 'undated'}) {c.comparator} {c.value:g} {unit or ''}".strip(), (o.name,)  # type: ignore[arg-type]

    def _duration(self, c: _Base, p: Patient, crit):  # type: ignore[no-untyped-def]
        targets = [k.concept.id for k in (crit.constraints if crit else ()) if k.kind == "condition" and k.concept and k.effect == "include"]  # type: ignore[union-attr]
        targets = targets or sorted(self._targets)  # "Disease duration >= 2 years": the trial's diagnosis
        onsets = [x.onset for x in p.conditions if x.onset and any(t in self.concepts(x.name, x.code) for t in targets)]
        if not onsets:
            return None, "disease duration unknown: no onset date of the diagnosis", ()
        days = (p.as_of - max(onsets)).days
        unit = ucum(c.unit) or "a"
        v = convert(float(days), "d", unit)
        return self._cmp(v, c.comparator, float(c.value)), f"disease duration {c.comparator} {c.value:g} {unit}", ("onset",)  # type: ignore[arg-type]

    def _since(self, p: Patient, c: _Base) -> date | None:
        return p.as_of - timedelta(days=c.window_days) if c.window_days else None

    def _excepted(self, c: _Base) -> frozenset[str]:
        """Concepts carved out by ``except`` texts (tagged once per text, like item names)."""
        out: set[str] = set()
        for text in c.except_:
            if text not in self._cache:
                self._cache[text] = frozenset(e._.concept_id for e in self.nlp(text).ents if e._.concept_id)
            out |= self._cache[text]
        return frozenset(out)

    def _condition(self, c: _Base, p: Patient, crit):  # type: ignore[no-untyped-def]
        cid = c.concept.id if c.concept else None
        if c.effect == "exclude" and cid and any(cid == t or cid in ancestors().get(t, frozenset()) for t in self._targets):
            # "other symptoms leading to apoplexy" in a stroke trial: an exclusion cannot mean the
            # trial's own target diagnosis; a person reads which forms are meant
            return None, f"{c.concept.name} overlaps the trial's target diagnosis: needs a reviewer", ()  # type: ignore[union-attr]
        if cid == "pregnancy":
            return p.pregnant, "pregnancy status" if p.pregnant is not None else "pregnancy status unknown", ("pregnant",)
        if cid == "lactation":
            return p.lactating, "lactation status" if p.lactating is not None else "lactation status unknown", ("lactating",)
        if cid is None or cid == "contraception":
            return None, f"{c.concept.name if c.concept else 'condition'} is not in the patient record", ()
        since = self._since(p, c)
        carved = self._excepted(c)
        hits = []
        for x in p.conditions:
            concepts = self.concepts(x.name, x.code)
            if cid not in concepts or (carved and concepts & carved):
                continue
            if not c.history and x.status in ("resolved", "inactive", "remission"):
                continue
            if since is not None:
                last = x.abatement or (p.as_of if x.status in (None, "active", "recurrence") else x.onset)
                if last is None or last < since:
                    continue
            hits.append(x.name)
        return bool(hits), (f"has {', '.join(hits)}" if hits else f"no {c.concept.name} in the record"), tuple(hits)  # type: ignore[union-attr]

    def _therapy(self, c: _Base, p: Patient, crit):  # type: ignore[no-untyped-def]
        if c.hypothetical:
            return None, "planned treatments are not in the patient record", ()
        cid = c.concept.id if c.concept else None
        since = self._since(p, c)
        hits = []
        for t in p.therapies:
            if cid not in self.concepts(t.name, t.code):
                continue
            if t.start and t.start > p.as_of:
                continue
            if since is not None and t.end is not None and t.end < since:
                continue
            if since is None and not c.history and c.effect == "exclude" and t.end is not None and t.end < p.as_of:
                continue  # exclusion "ongoing anticoagulant therapy": a finished course does not count
            hits.append(t.name)
        return bool(hits), (f"received {', '.join(hits)}" if hits else f"no {c.concept.name if c.concept else 'therapy'} in the window"), tuple(hits)

    def _procedure(self, c: _Base, p: Patient, crit):  # type: ignore[no-untyped-def]
        if c.hypothetical:
            return None, "planned procedures are not in the patient record", ()
        cid = c.concept.id if c.concept else None
        since = self._since(p, c)
        hits = [x.name for x in p.procedures if cid in self.concepts(x.name, x.code)
                and (since is None or (x.date is not None and x.date >= since))]
        return bool(hits), (f"had {', '.join(hits)}" if hits else "no such procedure in the window"), tuple(hits)

    def _trial_participation(self, c: _Base, p: Patient, crit):  # type: ignore[no-untyped-def]
        if p.trial_participation is None:
            return None, "trial participation unknown", ()
        since = self._since(p, c)
        hits = [t for t in p.trial_participation if since is None or t.end is None or t.end >= since]
        return bool(hits), ("took part in a trial in the window" if hits else "no trial participation in the window"), ("trial_participation",)

    def _consent(self, c: _Base, p: Patient, crit):  # type: ignore[no-untyped-def]
        if p.consent is None:
            return None, "consent unknown", ()
        return p.consent, "consent given" if p.consent else "no consent", ("consent",)

    _NEG = re.compile(r"\b(?:not|no|without|did\s+not|do\s+not)\b", re.I)

    def _applies(self, text: str, p: Patient) -> bool | None:
        """"for those who did not receive anticoagulant": True when it applies to the patient."""
        concepts = {e._.concept_id for e in self.nlp(text).ents if e._.concept_id and e.label_ == "THERAPY"}
        if not concepts:
            return None
        on = any(concepts & self.concepts(t.name, t.code) for t in p.therapies if t.end is None or t.end >= p.as_of)
        return (not on) if self._NEG.search(text) else on

    # -- per criterion, per trial -----------------------------------------------------------------
    def match(self, trial: ParsedTrial, patient: Patient) -> MatchReport:
        self._targets = {
            c.concept.id for crit in trial.criteria for c in crit.constraints  # type: ignore[union-attr]
            if c.kind == "condition" and c.effect == "include" and c.concept and not c.negated  # type: ignore[union-attr]
        }
        children: dict[str, list[AnnotatedCriterion]] = {}
        for crit in trial.criteria:
            if crit.parent:
                children.setdefault(crit.parent, []).append(crit)
        verdicts: dict[str, CriterionResult] = {}
        for crit in reversed(trial.criteria):  # children before parents
            results = tuple(self.evaluate(c, patient, crit) for c in crit.constraints)  # type: ignore[arg-type]
            own = self._combine(crit, results)
            kids = [verdicts[k.id].verdict for k in children.get(crit.id, [])]
            if kids:
                lead = crit.text.lower()
                either = crit.section == "inclusion" and re.search(r"\b(?:one of|any of|either|at least one)\b", lead)
                kid_v = or3(kids) if either else and3(kids)
                verdict = kid_v if not crit.constraints else and3([own, kid_v])
            elif crit.constraints:
                verdict = own
            else:
                verdict = "not_computable"
            verdicts[crit.id] = CriterionResult(
                criterion=crit.id, section=crit.section, verdict=verdict, evidence=crit.text,
                constraints=results, reason=crit.reason,
            )
        record = tuple(self.evaluate(c, patient) for c in trial.record_constraints)  # type: ignore[arg-type]
        top = [verdicts[c.id] for c in trial.criteria if c.parent is None]
        failing = [r.criterion for r in top if r.verdict == "fail"] + [r.constraint for r in record if r.verdict == "fail"]
        open_items = [r for r in top if r.verdict in ("unknown", "not_computable")]
        missing = sorted({cr.reason for r in open_items for cr in _leaf_results(r, verdicts, children)
                          if cr.verdict in ("unknown", "not_computable")}
                         | {f"{d.criterion}: {d.reason}" for r in open_items for d in _descendants(r, verdicts, children)
                            if d.verdict in ("unknown", "not_computable") and not d.constraints and d.reason
                            and not children.get(d.criterion)}
                         | {r.reason for r in record if r.verdict == "unknown"})
        overall = "ineligible" if failing else ("needs_review" if open_items or any(r.verdict == "unknown" for r in record) else "eligible")
        return MatchReport(patient=patient.id, trial=trial.record.nct_id or trial.record.source, overall=overall,  # type: ignore[arg-type]
                           failing=tuple(failing), missing=tuple(missing),
                           criteria=tuple(verdicts[c.id] for c in trial.criteria), record=record)

    @staticmethod
    def _combine(crit: AnnotatedCriterion, results: Sequence[ConstraintResult]) -> Verdict:
        groups: dict[str | None, list[Verdict]] = {}
        by_id = {c.id: c for c in crit.constraints}
        singles: list[Verdict] = []
        for r in results:
            g = by_id[r.constraint].group  # type: ignore[union-attr]
            if g is None:
                singles.append(r.verdict)
            else:
                groups.setdefault(g, []).append(r.verdict)
        combined = list(singles)
        for g, vs in groups.items():
            include = by_id[next(r.constraint for r in results if by_id[r.constraint].group == g)].effect == "include"  # type: ignore[union-attr]
            combined.append(or3(vs) if include else and3(vs))
        return and3(combined)


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
