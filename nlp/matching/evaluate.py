"""Patient x parsed trial -> a verdict per constraint, per criterion and overall. No spaCy, no
pipeline: constraints carry concepts, and a patient item's concepts come from its code or from the
lexicon's term lookup of its name (``Lexicon.find``), with their is-a ancestors.

Verdicts: ``pass`` (does not block), ``fail`` (blocks enrollment), ``unknown`` (the data needed
is missing: the reason says which), ``not_computable`` (left to the investigator). A criterion
combines its constraints and sub-criteria by its ``logic`` (ALL / ANY / AT_LEAST, nested, read
at the content level): an inclusion passes when its logic holds; an exclusion fails when it holds.
Three-valued throughout: missing data never passes silently.

Verdict policy (README "Verdict policy"; one test per rule in tests/unit/test_verdict_policy.py):
a constraint can *fail* a patient only when (1) its reading is certain (``Provenance.certain``:
read by the rules, not inferred, no unresolved qualifier, a linked concept, a complete comparator,
value and unit) and (2) the patient record answers it with a recorded fact (a value, a listed
diagnosis, treatment or procedure, an explicit status), never with the record's silence. A fail
that misses either becomes ``unknown`` with "needs review:" and the reason; the overall verdict
is then needs_review, never ineligible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from nlp.core.alternatives import alternatives, conflict
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
from nlp.core.labels import TRIAL_EVENTS, Anchor, Exposure, GroupOp, Relation
from nlp.core.lexicon import UNCODED, Lexicon
from nlp.core.units import convert, to_days, ucum
from nlp.core.wording import range_words
from nlp.matching.patient import Patient, PCode

Verdict = Literal["pass", "fail", "unknown", "not_computable"]
_RANK = {"fail": 3, "unknown": 2, "not_computable": 1, "pass": 0}
_FLIPPED: dict[Verdict, Verdict] = {"pass": "fail", "fail": "pass"}


def course_days(duration: NumericRange) -> tuple[float | None, bool, float | None, bool]:
    """A course's length bounds in days: (low, low inclusive, high, high inclusive)."""
    unit = ucum(duration.unit)
    return (to_days(duration.low, unit), duration.low_inclusive, to_days(duration.high, unit), duration.high_inclusive)


def course_fits(duration: NumericRange, days: int) -> bool | None:
    """Whether a course of ``days`` (a day more or less: dates count whole days) lies in
    ``duration``: True / False when both ends agree, None otherwise."""
    lo, lo_inc, hi, hi_inc = course_days(duration)

    def inside(x: float) -> bool:
        return (lo is None or x > lo or (lo_inc and x == lo)) and (hi is None or x < hi or (hi_inc and x == hi))

    first, last = inside(days - 1), inside(days + 1)
    if first and last:
        return True
    below = lo is not None and not (days + 1 > lo or (lo_inc and days + 1 == lo))
    above = hi is not None and not (days - 1 < hi or (hi_inc and days - 1 == hi))
    return False if below or above else None


class _Reading(NamedTuple):
    """Whether a constraint's content holds for a patient (None: cannot tell), why, the patient
    facts used, and whether the answer rests on the record *not* listing an item."""

    holds: bool | None
    reason: str
    facts: tuple[str, ...] = ()
    from_absence: bool = False
    # an exclusion met only by what one of the trial's inclusions requires (``Matcher.spared``)
    spared: str | None = None


class ConstraintResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    constraint: str
    kind: str
    verdict: Verdict
    reason: str
    facts: tuple[str, ...] = ()  # the patient facts used (names, dates), never values in logs
    certain: bool = True  # the constraint is an exact reading (its provenance: not inferred, no open qualifier)
    evidence: str = ""  # the words of the criterion the constraint was read from
    review: bool = False  # a fail withheld by the verdict policy: a person must decide


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
    # the record lists one of the trial's target diagnoses (None: the trial names none); ranks
    # needs_review trials whose diagnosis the record confirms before the others
    target_confirmed: bool | None = None


def _withheld(r: _Res, why: str) -> _Res:
    """A fail withheld for ``why`` (``Criterion.group_doubt``: a criterion of one group of the
    trial, whose group the patient is in is not known; ``alternatives.conflict``: a criterion read
    as requiring two values no patient has together)."""
    if r.verdict != "fail":
        return r
    return r._replace(verdict="unknown", review=True, reason=f"needs review: {why} ({r.reason})")


def and3(verdicts: Iterable[Verdict]) -> Verdict:
    vs = list(verdicts)
    return max(vs, key=_RANK.__getitem__) if vs else "pass"


def or3(verdicts: Iterable[Verdict]) -> Verdict:
    vs = list(verdicts)
    return min(vs, key=_RANK.__getitem__) if vs else "pass"


def at_least3(verdicts: Sequence[Verdict], n: int) -> Verdict:
    """Pass when at least ``n`` pass, fail when fewer than ``n`` can still pass. A group of fewer
    than ``n`` items is a misread (the lead-in "at least two of the following:" counts items the
    split joined into one line), never a verdict: unknown."""
    if len(verdicts) < n:
        return "unknown"
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


# what evaluating a constraint gives before its own id and evidence are added: verdict, reason,
# the patient facts used, review
_Outcome = tuple[Verdict, str, tuple[str, ...], bool]
# the fields of a constraint that are not its content: who it is and where it was read
_NOT_CONTENT = frozenset({"id", "criterion", "evidence"})


class Slot(NamedTuple):
    """One constraint of a trial as matching reads it: its own id and evidence words, and its
    content (a constraint with that content: in a trial read from the store, one object shared
    by every constraint of the same content key) with the content key (None: not memoised)."""

    id: str
    constraint: AnyConstraint
    key: str | None = None
    evidence: str = ""


class MatchForm(NamedTuple):
    """What ``Matcher.match`` reads of a trial: the trial itself (the ``constraints`` of its
    criteria and record are not read) and, per criterion in document order, its constraints as
    slots, then the record's. ``MatchForm.of`` makes one from a parsed trial; the store builds
    them from its compact rows (``nlp.matching.store``)."""

    trial: ParsedTrial
    slots: tuple[tuple[Slot, ...], ...]
    record: tuple[Slot, ...]

    @classmethod
    def of(cls, trial: ParsedTrial, keys: Sequence[str] | None = None) -> MatchForm:
        """The form of a parsed trial; ``keys``: its ``content_keys`` (one per constraint)."""
        n = sum(len(c.constraints) for c in trial.criteria) + len(trial.record_constraints)
        if keys is not None and len(keys) != n:
            raise ValueError(f"{len(keys)} content keys for {n} constraints")
        it = iter(keys if keys is not None else [None] * n)

        def slots(cs: Iterable[AnyConstraint]) -> tuple[Slot, ...]:
            return tuple(Slot(c.id, c, next(it), c.evidence.text if c.evidence else "") for c in cs)

        return cls(trial, tuple(slots(c.constraints) for c in trial.criteria), slots(trial.record_constraints))


def absence_of_target(lex: Lexicon, c: ConditionConstraint | OtherConstraint, targets: Iterable[str]) -> bool:
    """The condition asks for the absence of one of the trial's ``targets`` (a target under its
    concept, not under one of its carved-out concepts)."""
    if c.effect == "include" and c.present:
        return False
    cid = c.concepts.concept.id
    carved = [x.id for x in c.concepts.excluded]
    return any(lex.is_a(t, cid) and not any(lex.is_a(t, x) for x in carved) for t in targets)


def may_spare(c: ConditionConstraint | OtherConstraint) -> bool:
    """Whether ``c`` is an exclusion of a condition at any time, which ``spared_sets`` reads."""
    return c.effect == "exclude" and c.present and c.window is None


def spared_sets(lex: Lexicon, c: ConditionConstraint | OtherConstraint, required: Iterable[ConceptSet]) -> tuple[ConceptSet, ...]:
    """``Matcher.spared`` for a trial whose inclusions require ``required``."""
    if not may_spare(c):
        return ()
    return tuple(y for y in required if lex.is_a(y.concept.id, c.concepts.concept.id))


class Matcher:
    """Evaluates patients against parsed trials.

    ``match(trial, patient, keys)``: with the trial's ``content_keys`` (stored by ``elig index``),
    a constraint's outcome is computed once per content and section within one patient, and
    reused for every constraint of the same content, in any trial, with that constraint's own id
    and evidence. It is the same code: the first constraint of a content is evaluated as without
    keys, and what the evaluation read of the trial beyond the constraint is recorded (the
    trial's target diagnoses: the outcome is then kept per set of targets; the criterion's other
    constraints: then it is not kept), so a reuse is what evaluating would give: otherwise the
    outcome is a function of the constraint's content, the section, the patient and the lexicon
    (tested against the plain ``match`` in tests/integration/test_rank.py)."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or Lexicon.load()
        self._cache: dict[tuple[str, PCode | None], frozenset[str]] = {}
        self._targets: frozenset[str] = frozenset()  # the trial being matched: its inclusion diagnoses
        self._targets_up: frozenset[str] = frozenset()  # ... with their ancestors
        self._required: tuple[ConceptSet, ...] = ()  # ... the conditions its inclusions require
        # ... what an outcome that read them depends on (the memo keeps it per scope)
        self._scope: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
        self._memo: dict[tuple[str, str | None], _Outcome | dict[tuple[frozenset[str], frozenset[str]], _Outcome] | None] = {}
        self._memo_patient: Patient | None = None
        self._meta: dict[str, tuple[str, bool]] = {}  # content key -> (kind, certain): any patient
        self._read_targets = False  # the evaluation under way read the trial's targets
        self._read_siblings = False  # ... or the criterion's other constraints

    # -- concepts ------------------------------------------------------------------------------
    def concepts(self, name: str, code: PCode | None = None) -> frozenset[str]:
        """The concepts of a patient item, with their ancestors: by code, by its source's broader
        codes (``PCode.broader``), and by the lexicon terms its name holds ("malignant tumor of
        lung" -> malignancy; "prednisone" -> corticosteroid -> immunosuppressant)."""
        key = (name, code)
        if key not in self._cache:
            ids = set(self.lexicon.concepts_in(name))
            if code is not None:
                for c in (code, *code.broader):
                    cid = self.lexicon.by_code.get((c.system, c.code))
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
        """One constraint for the patient (``crit``: the criterion it was read from)."""
        slot = Slot(c.id, c, None, c.evidence.text if c.evidence else "")
        siblings = tuple(Slot(k.id, k) for k in crit.constraints) if crit else ()
        res = self._res(slot, *self._outcome(c, patient, crit.section if crit else None, siblings))
        return ConstraintResult.model_validate(res._asdict())

    def _outcome(self, c: AnyConstraint, patient: Patient, section: str | None, siblings: Sequence[Slot]) -> _Outcome:
        """The verdict of ``c`` for the patient, why, the facts used and whether a person must
        review it (everything of its result but its own id and evidence); ``section`` and
        ``siblings``: the criterion it was read from, and that criterion's constraints."""
        if isinstance(c, JudgementConstraint):
            return "not_computable", "left to the investigator's judgement", (), False
        if (overlap := self._overlaps_target(c)) is not None:
            return "unknown", overlap, (), False
        return self._reading_outcome(c, patient, section, siblings)

    def _reading_outcome(self, c: AnyConstraint, patient: Patient, section: str | None, siblings: Sequence[Slot]) -> _Outcome:
        """``_outcome`` of a constraint that is no judgement and no absence of the trial's target. A
        constraint that does not apply to the patient passes whatever the record holds of it (a
        child asked for no Karnofsky score)."""
        cond = getattr(c, "applies_if", None)
        applies, why = self._applies(cond, patient) if cond is not None else (True, "")
        if applies is False:
            return "pass", f"does not apply ({why})", (), False
        r = self._read(c, patient, siblings)
        if r.holds is None:
            return "unknown", r.reason, r.facts, False
        if applies is None:
            return "unknown", f"cannot tell whether it applies ({why})", r.facts, False
        ok = r.holds if c.effect == "include" else not r.holds
        if ok:
            return "pass", r.reason, r.facts, False
        if r.spared is not None:
            return "unknown", f"needs review: {r.spared} ({r.reason})", r.facts, True
        doubt = self.doubt(c, r, section)
        if doubt:
            return "unknown", f"needs review: {doubt} ({r.reason})", r.facts, True
        return "fail", r.reason, r.facts, False

    def _evaluate_memo(self, slot: Slot, patient: Patient, section: str | None, siblings: Sequence[Slot]) -> _Res:
        """The slot's constraint for the patient, reusing the outcome of an earlier constraint of
        the same content key (``content_keys``) for this patient (see the class doc)."""
        c = slot.constraint
        if slot.key is None:
            return self._res(slot, *self._outcome(c, patient, section, siblings))
        if self._targets_up and isinstance(c, ConditionConstraint | OtherConstraint) \
                and (overlap := self._overlaps_target(c)) is not None:  # read per trial, outside the memo
            return self._res(slot, "unknown", overlap)
        if self._memo_patient is not patient:
            self._memo, self._memo_patient = {}, patient
        key = (slot.key, section)
        kept = self._memo.get(key, False)
        if isinstance(kept, tuple):
            return self._keyed_res(slot, kept)
        if isinstance(kept, dict) and (hit := kept.get(self._scope)) is not None:
            return self._keyed_res(slot, hit)
        self._read_targets = self._read_siblings = False
        out = self._outcome(c, patient, section, siblings)
        if self._read_siblings:
            self._memo[key] = None  # depends on the criterion's other constraints: not kept
        elif self._read_targets:
            per = kept if isinstance(kept, dict) else {}
            per[self._scope] = out
            self._memo[key] = per
        elif kept is False:
            self._memo[key] = out
        return self._res(slot, *out)

    def _overlaps_target(self, c: AnyConstraint) -> str | None:
        """Why a condition cannot be read as written: it asks for the absence of the trial's own
        target diagnosis ("other symptoms leading to apoplexy" in a stroke trial, "no MS relapse"
        in an MS trial; "dementia other than AD" in an AD trial is no such absence). Checked per
        trial before the memo, so the rest of a condition's outcome is kept whatever the targets."""
        if isinstance(c, ConditionConstraint | OtherConstraint) and c.concepts.concept.id in self._targets_up \
                and absence_of_target(self.lexicon, c, self._targets):
            return f"{c.concepts.concept.name} overlaps the trial's target diagnosis: needs a reviewer"
        return None

    def _trial_targets(self) -> frozenset[str]:
        """The target diagnoses of the trial being matched, as an evaluation reads them."""
        self._read_targets = True
        return self._targets

    @staticmethod
    def doubt(c: AnyConstraint, r: _Reading, section: str | None = None) -> str | None:
        """Why a fail of ``c`` on reading ``r`` is not certain enough to turn a patient away (the
        verdict policy), or None when it is."""
        prov = c.provenance
        if section == "unspecified":
            return "the record does not say whether this criterion includes or excludes"
        if prov.source == "model":
            return f"read by a statistical model ({prov.rule})"
        if prov.inferred:
            return f"inferred from the wording ({prov.rule}), not stated in the criterion"
        if prov.unresolved:
            return "; ".join(prov.unresolved)
        if not prov.certain:
            return f"an uncertain reading (confidence {prov.confidence:g})"
        if r.from_absence:
            return "the patient record does not list it, which does not show it is absent"
        return None

    def _read(self, c: AnyConstraint, p: Patient, siblings: Sequence[Slot] = ()) -> _Reading:
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
            return self._measurement(c, p, siblings)
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
                return _Reading(None, "consent unknown")
            return _Reading(p.consent == c.present, "consent given" if p.consent else "no consent", ("consent",))
        return _Reading(None, f"this {c.kind} criterion cannot be checked against the patient record")

    @staticmethod
    def _res(slot: Slot, verdict: Verdict, reason: str, facts: Sequence[str] = (), review: bool = False) -> _Res:
        c = slot.constraint
        return _Res(slot.id, c.kind.value, verdict, reason, tuple(facts), c.provenance.certain, slot.evidence, review)

    def _keyed_res(self, slot: Slot, out: _Outcome) -> _Res:
        """``_res`` of a memoised outcome: the content's kind and certainty read once per key."""
        meta = self._meta.get(slot.key or "")
        if meta is None:
            meta = self._meta[slot.key or ""] = (slot.constraint.kind.value, slot.constraint.provenance.certain)
        verdict, reason, facts, review = out
        return _Res(slot.id, meta[0], verdict, reason, facts, meta[1], slot.evidence, review)

    @staticmethod
    def _within(x: float, r: NumericRange, what: str) -> tuple[bool, str]:
        """Whether ``x`` (in the range's unit) is in ``r``, and what was checked in words
        ("age: between 18 and 65 years"; the value itself is never in the reason)."""
        return r.contains(x), f"{what}: {range_words(r)}"

    def _age(self, c: AgeConstraint, p: Patient) -> _Reading:
        unit = ucum(c.range.unit) or "a"
        age = p.age_in(unit)
        if age is None:
            return _Reading(None, "age unknown: no birth_date or age")
        ok, why = self._within(age, c.range.model_copy(update={"unit": unit}), "age")
        return _Reading(ok, why, ("age",))

    @staticmethod
    def _sex(c: SexConstraint, p: Patient) -> _Reading:
        if c.sex == "all":
            return _Reading(True, "all sexes")
        if p.sex in (None, "unknown"):
            return _Reading(None, "sex unknown")
        return _Reading(p.sex == c.sex, f"sex {p.sex} vs {c.sex}", ("sex",))

    def _weight(self, c: WeightConstraint, p: Patient) -> _Reading:
        if p.weight is None:
            return self._observation(c, p, "body_weight", "body weight")
        v = convert(p.weight.value, ucum(p.weight.unit), ucum(c.range.unit) or "kg")
        if v is None:
            return _Reading(None, f"weight unit {p.weight.unit!r} not convertible to {c.range.unit}", ("weight",))
        ok, why = self._within(v, c.range, "weight")
        return _Reading(ok, why, ("weight",))

    def _bmi(self, c: BmiConstraint, p: Patient) -> _Reading:
        if p.weight is not None and p.height is not None:
            kg = convert(p.weight.value, ucum(p.weight.unit), "kg")
            cm = convert(p.height.value, ucum(p.height.unit), "cm")
            if kg is not None and cm:
                bmi = kg / ((cm / 100) ** 2)
                ok, why = self._within(bmi, c.range, "BMI")
                return _Reading(ok, why, ("weight", "height"))
        return self._observation(c, p, "bmi", "BMI")

    def _measurement(self, c: MeasurementConstraint, p: Patient, siblings: Sequence[Slot]) -> _Reading:
        cid = c.concepts.concept.id
        if c.change:  # the latest value says nothing about how far it moved from a baseline
            return _Reading(None, f"a change in {c.concepts.concept.name} from a baseline: the record's values over time are needed")
        if cid == "disease_duration":
            return self._duration(c, p, siblings)
        if cid.startswith(UNCODED):  # no code to find it by in a record: a person reads it
            return _Reading(None, f"{c.concepts.concept.name} has no code in the vocabularies: compare the record by hand")
        return self._observation(c, p, cid, c.concepts.concept.name)

    def _observation(self, c: MeasurementConstraint | WeightConstraint | BmiConstraint, p: Patient,
                     cid: str, name: str) -> _Reading:
        obs = [o for o in p.observations if cid in self.concepts(o.name, o.code) and (o.date is None or o.date <= p.as_of)]
        window = c.window if isinstance(c, MeasurementConstraint) else None
        if window is not None:  # "within the prior six months": only values dated in the window
            since, until, problem = self._window_dates(p, window)
            if problem:
                return _Reading(None, problem)
            obs = [o for o in obs if o.date is not None and (since is None or o.date >= since) and (until is None or o.date <= until)]
            if not obs:
                return _Reading(None, f"no {name} observation in the window")
        if not obs:
            return _Reading(None, f"no {name} observation")
        o = max(obs, key=lambda x: x.date or date.min)
        unit = ucum(c.range.unit)
        if unit in ("xULN", "xLLN"):
            ref = o.reference_range
            bound = (ref.high if unit == "xULN" else ref.low) if ref else None
            if not bound:
                return _Reading(None, f"{o.name}: no reference range to compute {unit}", (o.name,))
            v = o.value / bound
        elif unit is None or unit in ("{score}", "{ratio}"):
            v = o.value
        else:
            conv = convert(o.value, ucum(o.unit), unit, cid)
            if conv is None:
                return _Reading(None, f"{o.name}: unit {o.unit!r} not convertible to {unit}", (o.name,))
            v = conv
        ok, why = self._within(v, c.range, f"{o.name} ({o.date or 'undated'})")
        return _Reading(ok, why, (o.name,))

    def _duration(self, c: MeasurementConstraint, p: Patient, siblings: Sequence[Slot]) -> _Reading:
        self._read_siblings = True
        targets = [k.concepts for k in (s.constraint for s in siblings)
                   if isinstance(k, ConditionConstraint) and k.effect == "include" and k.present]
        if not targets:  # "Disease duration >= 2 years": the trial's diagnosis
            targets = [ConceptSet(concept=Concept(id=t, name=t)) for t in sorted(self._trial_targets())]
        onsets = [x.onset for x in p.conditions if x.onset and any(self.in_set(t, x.name, x.code) for t in targets)]
        if not onsets:
            return _Reading(None, "disease duration unknown: no onset date of the diagnosis")
        days = (p.as_of - max(onsets)).days
        unit = ucum(c.range.unit) or "a"
        v = convert(float(days), "d", unit)
        if v is None:
            return _Reading(None, f"disease duration: unit {unit!r} is not a time unit", ("onset",))
        ok, why = self._within(v, c.range.model_copy(update={"unit": unit}), "disease duration")
        return _Reading(ok, why, ("onset",))

    # -- time: windows placed on the patient's timeline ------------------------------------------
    def _anchor_date(self, p: Patient, w: Window) -> tuple[date | None, str]:
        """The date of a window's anchor event in the patient's record, or why there is none.
        The trial-start anchors (enrollment, screening, randomization, first dose of the study
        drug) are the record's ``as_of`` date; the others are looked up in the record: a concept
        the anchor text names, else the anchor's own kind of event."""
        anchor = w.anchor
        what = w.anchor_text or anchor.value.replace("_", " ")
        if anchor in TRIAL_EVENTS:
            return p.as_of, what
        if anchor == Anchor.BIRTH:
            return p.birth_date, what
        named = frozenset(self.lexicon.concepts_in(w.anchor_text)) if w.anchor_text else frozenset()

        def named_in(name: str, code: PCode | None) -> bool:  # the item is (under) a concept the anchor names
            return bool(named & self.concepts(name, code))

        dates: list[date] = []
        if anchor == Anchor.LAST_DOSE:
            dates = [t.end for t in p.therapies if t.end and t.end <= p.as_of and named_in(t.name, t.code)]
        elif anchor in (Anchor.ONSET, Anchor.DIAGNOSIS):
            dates = [x.onset for x in p.conditions if x.onset and (
                named_in(x.name, x.code) if named else bool(self.concepts(x.name, x.code) & self._trial_targets()))]
        elif anchor in (Anchor.SURGERY, Anchor.TRANSPLANT, Anchor.EVENT):
            kind = {Anchor.SURGERY: "surgery", Anchor.TRANSPLANT: "organ_transplantation"}.get(anchor)
            dates = [x.date for x in p.procedures if x.date and x.date <= p.as_of and (
                named_in(x.name, x.code) if named else kind is not None and kind in self.concepts(x.name, x.code))]
            if anchor == Anchor.EVENT and named:
                dates += [x.onset for x in p.conditions if x.onset and named_in(x.name, x.code)]
                dates += [t.start for t in p.therapies if t.start and named_in(t.name, t.code)]
        return (max(dates) if dates else None), what

    def _window_dates(self, p: Patient, w: Window | None) -> tuple[date | None, date | None, str | None]:
        """The dates (since, until) a window covers on the patient's timeline, or why it cannot be
        placed. Days are the parser's days (``nlp.core.units``: one day-length rule)."""
        if w is None:
            return None, None, None
        at, what = self._anchor_date(p, w)
        if at is None:
            return None, None, f"the window is measured from {what}, and the record has no date for it"
        lo = timedelta(days=w.low_days or 0)
        hi = timedelta(days=w.high_days) if w.high_days is not None else None
        if w.relation == Relation.BEFORE:
            return (at - hi if hi is not None else None), at - lo, None
        if w.relation == Relation.AFTER:
            since = at + lo
            if since > p.as_of:
                return None, None, f"a window after {what} lies beyond the record's date"
            return since, (at + hi if hi is not None else None), None
        return None, None, f"a window during {what} cannot be placed on the patient's timeline"

    def _condition(self, c: ConditionConstraint | OtherConstraint, p: Patient) -> _Reading:
        cid = c.concepts.concept.id
        name = c.concepts.concept.name
        # (the absence of the trial's own target diagnosis is caught before: ``_overlaps_target``)
        if cid in ("pregnancy", "lactation"):  # explicit statuses of the record, not lists
            status = p.pregnant if cid == "pregnancy" else p.lactating
            if status is None:
                return _Reading(None, f"{name} status unknown")
            return _Reading(status == c.present, f"{name}: {'yes' if status else 'no'}",
                            ("pregnant" if cid == "pregnancy" else "lactating",))
        if cid in ("unspecified", "contraception"):
            return _Reading(None, f"{name} is not in the patient record")
        since, until, problem = self._window_dates(p, c.window)
        if problem:
            return _Reading(None, problem)
        hits = []
        for x in p.conditions:
            if not self.in_set(c.concepts, x.name, x.code):
                continue
            if not c.history and x.status in ("resolved", "inactive", "remission"):
                continue
            if since is not None or until is not None:
                last = x.abatement or (p.as_of if x.status in (None, "active", "recurrence") else x.onset)
                if since is not None and (last is None or last < since):
                    continue
                if until is not None and x.onset is not None and x.onset > until:
                    continue
            hits.append(x)
        has = bool(hits)
        spared = None
        if has and (sets := self.spared(c)) and all(any(self.in_set(y, x.name, x.code) for y in sets) for x in hits):
            met = sorted({y.concept.name for y in sets for x in hits if self.in_set(y, x.name, x.code)})
            spared = f"{name} only as what the trial requires ({', '.join(met)}): the exclusion means another one"
        names = [x.name for x in hits]
        return _Reading(has == c.present, (f"has {', '.join(names)}" if hits else f"no {name} in the record"), tuple(names),
                        from_absence=not has, spared=spared)

    def required(self, trial: ParsedTrial | MatchForm) -> tuple[ConceptSet, ...]:
        """The conditions the trial's inclusion criteria require the patient to have, as certain
        readings."""
        form = trial if isinstance(trial, MatchForm) else MatchForm.of(trial)
        out: dict[str, ConceptSet] = {}
        for crit, slots in zip(form.trial.criteria, form.slots, strict=True):
            if crit.section == "inclusion":
                for c in (s.constraint for s in slots):
                    if isinstance(c, ConditionConstraint) and c.effect == "include" and c.present and c.provenance.certain \
                            and not c.provenance.unresolved:
                        out.setdefault(c.concepts.concept.id, c.concepts)
        return tuple(out.values())

    def spared(self, c: ConditionConstraint | OtherConstraint) -> tuple[ConceptSet, ...]:
        """The conditions the trial's inclusions certainly require that an exclusion of ``c`` with
        no window would exclude too, being of its kind: a patient whose only hits are among them
        is no certain fail, for the trial cannot exclude what it requires ("coinfection with other
        viruses or bacteria (... active infection ...)" in a trial that requires COVID-19
        pneumonia). An exclusion of a kind of what the trial requires excludes as written
        ("hemorrhagic stroke" in a trial that requires a stroke), and so does one of another kind
        ("bacterial infection" for a bacterial pneumonia where a pneumonia is required). The
        trial's target diagnoses are ``_overlaps_target``'s; the cohort SQL reads the same."""
        if not may_spare(c):
            return ()
        self._read_targets = True  # the outcome depends on the trial: kept per its scope
        return spared_sets(self.lexicon, c, self._required)

    def _exposed(self, c: TherapyConstraint | ProcedureConstraint | TrialParticipationConstraint, p: Patient,
                 spans: Iterable[tuple[str, date | None, date | None]]) -> tuple[bool | None, str | None, list[str]]:
        """Whether any (name, start, end) exposure counts under the constraint's exposure mode."""
        has, problem, kept = self._exposures(c, p, spans)
        return has, problem, [name for name, _, _ in kept]

    def _exposures(self, c: TherapyConstraint | ProcedureConstraint | TrialParticipationConstraint, p: Patient,
                   spans: Iterable[tuple[str, date | None, date | None]]
                   ) -> tuple[bool | None, str | None, list[tuple[str, date | None, date | None]]]:
        """``_exposed``, with the exposures that count."""
        if c.exposure == Exposure.PLANNED:
            return None, "planned treatments and procedures are not in the patient record", []
        since, until, problem = self._window_dates(p, c.window)
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
            hits.append((name, start, end))
        return bool(hits), None, hits

    def _exposure_reading(self, c: TherapyConstraint | ProcedureConstraint | TrialParticipationConstraint,
                          has: bool, hits: Sequence[str], said: str, facts: tuple[str, ...], listed: bool = False) -> _Reading:
        """The reading of an exposure: a washout holds when nothing falls in its window (earlier
        exposure allowed); otherwise the exposure holds when one does. ``listed``: the record
        states the item's absence explicitly (an empty participation list), not by silence."""
        if c.exposure == Exposure.WASHOUT:
            held = not has
            why = f"washout broken by {', '.join(hits)}" if hits else "nothing in the washout window"
            return _Reading(held == c.present, why, facts, from_absence=not has and not listed)
        return _Reading(has == c.present, said, facts, from_absence=not has and not listed)

    def _therapy(self, c: TherapyConstraint, p: Patient) -> _Reading:
        spans = [(t.name, t.start, t.end) for t in p.therapies if self.in_set(c.concepts, t.name, t.code)]
        has, problem, kept = self._exposures(c, p, spans)
        if has is None:
            return _Reading(None, problem or "")
        hits = [k[0] for k in kept]
        name = c.concepts.concept.name
        if c.dose is not None and has:  # a patient record lists the drug, never its dose
            return _Reading(None, f"{name} received; its dose ({range_words(c.dose)}) is not in the record", tuple(hits))
        if c.duration is not None and has:
            return self._course(c, c.duration, p, kept)
        said = f"received {', '.join(hits)}" if hits else f"no {name} in the window"
        return self._exposure_reading(c, has, hits, said, tuple(hits))

    def _course(self, c: TherapyConstraint, duration: NumericRange, p: Patient,
                kept: Sequence[tuple[str, date | None, date | None]]) -> _Reading:
        """Whether a course of the treatment lasted as long as ``duration`` asks ("for at least 4
        weeks"), from its start to its end (or the record's date). Dates are days: a course is
        long enough only when a day more or less on either end would not change the answer."""
        lasted = [course_fits(duration, (min(end or p.as_of, p.as_of) - start).days) if start else None
                  for _, start, end in kept]
        names = tuple(k[0] for k in kept)
        what = f"{c.concepts.concept.name} for {range_words(duration)}"
        if any(x is True for x in lasted):
            return self._exposure_reading(c, True, names, f"received {what}", names)
        if any(x is None for x in lasted):
            return _Reading(None, f"{what}: the course's dates cannot tell", names)
        return _Reading(not c.present, f"no course of {what}", names)

    def _procedure(self, c: ProcedureConstraint, p: Patient) -> _Reading:
        spans = [(x.name, x.date, x.date) for x in p.procedures if self.in_set(c.concepts, x.name, x.code)]
        has, problem, hits = self._exposed(c, p, spans)
        if has is None:
            return _Reading(None, problem or "")
        if c.exposure == Exposure.CURRENT:  # a procedure is an event: any on record counts
            has, hits = bool(spans), [s[0] for s in spans]
        if c.duration is not None and has:  # a procedure's record holds its day, not how long it lasted
            return _Reading(None, f"{', '.join(hits)} on record; how long it lasted ({range_words(c.duration)}) is not",
                            tuple(hits))
        said = f"had {', '.join(hits)}" if hits else f"no {c.concepts.concept.name} in the window"
        return self._exposure_reading(c, has, hits, said, tuple(hits))

    def _trial_participation(self, c: TrialParticipationConstraint, p: Patient) -> _Reading:
        if p.trial_participation is None:
            return _Reading(None, "trial participation unknown")
        spans = [("trial", t.start, t.end) for t in p.trial_participation]
        has, problem, hits = self._exposed(c, p, spans)
        if has is None:
            return _Reading(None, problem or "")
        if c.exposure == Exposure.CURRENT and c.window is None:
            has = any(t.end is None or t.end >= p.as_of for t in p.trial_participation)
        said = "took part in a trial in the window" if has else "no trial participation in the window"
        return self._exposure_reading(c, has, hits, said, ("trial_participation",), listed=True)

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
            return cond.range.contains(age), f"age {range_words(cond.range)}"
        return None, f"condition {cond.text!r} names no known concept"

    # -- per criterion, per trial -----------------------------------------------------------------
    def targets(self, trial: ParsedTrial | MatchForm) -> set[str]:
        """The trial's target diagnoses: the conditions of its titles and condition list
        (``topics``), with the certain inclusion diagnoses related to them by is-a (all certain
        inclusion diagnoses when the record names none)."""
        form = trial if isinstance(trial, MatchForm) else MatchForm.of(trial)
        topics = {t.concept_id for t in form.trial.topics}
        included = {c.concepts.concept.id for crit, slots in zip(form.trial.criteria, form.slots, strict=True)
                    if crit.section == "inclusion" for c in (s.constraint for s in slots)
                    if isinstance(c, ConditionConstraint) and c.effect == "include" and c.present and c.provenance.certain}
        if not topics:
            return included
        lex = self.lexicon
        return topics | {c for c in included if any(lex.is_a(c, t) or lex.is_a(t, c) for t in topics)}

    def match(self, trial: ParsedTrial | MatchForm, patient: Patient, keys: Sequence[str] | None = None) -> MatchReport:
        """The patient against the trial (a parsed trial, or its ``MatchForm``); ``keys``: a
        parsed trial's ``content_keys``, to reuse the outcomes of constraints of the same content
        already evaluated for this patient (a ``MatchForm`` carries its own)."""
        run = self._run(trial, patient, keys)
        return MatchReport.model_validate({
            "patient": patient.id, "trial": run.summary.trial, "overall": run.summary.overall,
            "failing": run.summary.failing, "missing": run.summary.missing,
            "criteria": [{**r._asdict(), "constraints": [x._asdict() for x in r.constraints]} for r in run.criteria],
            "record": [x._asdict() for x in run.record], "target_confirmed": run.summary.target_confirmed})

    def summary(self, trial: ParsedTrial | MatchForm, patient: Patient, keys: Sequence[str] | None = None) -> Summary:
        """What ``match`` reports of the trial as a whole (overall verdict, failing criteria, open
        items), without building the per-criterion results: what a ranking needs."""
        return self._run(trial, patient, keys).summary

    def _run(self, trial: ParsedTrial | MatchForm, patient: Patient, keys: Sequence[str] | None) -> _Run:
        form = trial if isinstance(trial, MatchForm) else MatchForm.of(trial, keys)
        trial = form.trial
        self._targets = frozenset(self.targets(form))
        self._targets_up = self.lexicon.closure(self._targets)
        self._required = self.required(form)
        self._scope = (self._targets, frozenset(r.concept.id for r in self._required))
        children: dict[str, list[AnnotatedCriterion]] = {}
        for crit in trial.criteria:
            if crit.parent:
                children.setdefault(crit.parent, []).append(crit)
        results_of: dict[str, tuple[_Res, ...]] = {}
        for crit, slots in zip(trial.criteria, form.slots, strict=True):
            results = tuple(self._evaluate_memo(s, patient, crit.section, slots) for s in slots)
            if (why := crit.group_doubt or conflict(crit.logic, ((s.id, s.constraint, s.evidence) for s in slots))) is not None:
                results = tuple(_withheld(r, why) for r in results)
            results_of[crit.id] = results
        record = tuple(self._evaluate_memo(s, patient, None, ()) for s in form.record)
        if any(r.verdict == "fail" and r.kind in _NUMERIC_KINDS for rs in (*results_of.values(), record) for r in rs):
            results_of, record = _alternatives_withheld(form, results_of, record)
        verdicts: dict[str, _CriterionRes] = {}
        for crit in reversed(trial.criteria):  # children before parents
            results = results_of[crit.id]
            verdict_of: dict[str, Verdict] = {r.constraint: r.verdict for r in results}
            verdict_of.update({k.id: verdicts[k.id].verdict for k in children.get(crit.id, [])})
            if crit.logic is not None:
                verdict = combine(crit.logic, crit.section, verdict_of)
            else:
                verdict = "not_computable"
            verdicts[crit.id] = _CriterionRes(crit.id, crit.section, verdict, crit.text, results, crit.reason)
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
        confirmed = any(self.concepts(x.name, x.code) & self._targets for x in patient.conditions) if self._targets else None
        summary = Summary(trial.record.nct_id or trial.record.source, overall, tuple(failing), tuple(missing), confirmed)
        return _Run(summary, tuple(verdicts[c.id] for c in trial.criteria), record)


class Summary(NamedTuple):
    """A patient against a trial as a whole: ``MatchReport`` without the per-criterion results."""

    trial: str
    overall: Literal["eligible", "ineligible", "needs_review"]
    failing: tuple[str, ...]
    missing: tuple[str, ...]
    target_confirmed: bool | None


class _Res(NamedTuple):
    """A ``ConstraintResult``'s fields, not yet validated into one (``Matcher.match`` does)."""

    constraint: str
    kind: str
    verdict: Verdict
    reason: str
    facts: tuple[str, ...]
    certain: bool
    evidence: str
    review: bool


class _CriterionRes(NamedTuple):
    """A ``CriterionResult``'s fields, not yet validated into one."""

    criterion: str
    section: str
    verdict: Verdict
    evidence: str
    constraints: tuple[_Res, ...]
    reason: str | None


class _Run(NamedTuple):
    summary: Summary
    criteria: tuple[_CriterionRes, ...]
    record: tuple[_Res, ...]


_NUMERIC_KINDS = frozenset({"age", "weight", "bmi", "measurement"})


def _alternatives_withheld(form: MatchForm, results_of: dict[str, tuple[_Res, ...]],
                           record: tuple[_Res, ...]) -> tuple[dict[str, tuple[_Res, ...]], tuple[_Res, ...]]:
    """A failed numeric inclusion with ``alternatives``: the trial names alternatives (cohorts, an
    OR, classes of severity) its text does not mark, or one of the two is misread, so failing it
    is no certain ineligibility while the patient does not fail an alternative too: its fail
    becomes unknown (the cohort SQL does the same: ``nlp.matching.cohort``)."""
    alt = alternatives((s.id, s.constraint, s.evidence) for ss in (*form.slots, form.record) for s in ss)
    if not alt:
        return results_of, record
    verdict = {r.constraint: r.verdict for rs in (*results_of.values(), record) for r in rs}

    def withheld(r: _Res) -> _Res:
        if r.verdict != "fail" or r.constraint not in alt:
            return r
        other = next((said for i, said in alt[r.constraint] if verdict.get(i) != "fail"), None)
        if other is None:
            return r
        return r._replace(verdict="unknown", review=True, reason=(
            f"needs review: the trial also asks for '{other}', which no value meets together with this: "
            f"alternatives its text does not mark ({r.reason})"))

    return ({k: tuple(withheld(r) for r in rs) for k, rs in results_of.items()}, tuple(withheld(r) for r in record))


def all_constraints(trial: ParsedTrial) -> list[AnyConstraint]:
    """The trial's constraints in document order: each criterion's, then the record's."""
    return [c for crit in trial.criteria for c in crit.constraints] + list(trial.record_constraints)


def content_keys(trial: ParsedTrial) -> tuple[str, ...]:
    """A key per constraint (``all_constraints`` order) naming its content: its JSON less the
    fields that are not content (id, criterion, evidence), hashed (SHA-256, 96 bits). Two
    constraints of one key give the same outcome for a patient (``Matcher.match``'s memo)."""
    import hashlib

    return tuple(hashlib.sha256(c.model_dump_json(exclude=set(_NOT_CONTENT)).encode()).hexdigest()[:24]
                 for c in all_constraints(trial))


def _descendants(r: _CriterionRes, verdicts: dict[str, _CriterionRes], children: dict[str, list[AnnotatedCriterion]]) -> list[_CriterionRes]:
    out = [r]
    for k in children.get(r.criterion, []):
        out.extend(_descendants(verdicts[k.id], verdicts, children))
    return out


def _leaf_results(r: _CriterionRes, verdicts: dict[str, _CriterionRes], children: dict[str, list[AnnotatedCriterion]]) -> list[_Res]:
    out = list(r.constraints)
    for k in children.get(r.criterion, []):
        out.extend(_leaf_results(verdicts[k.id], verdicts, children))
    return out


_ORDER = {"eligible": 0, "needs_review": 1, "ineligible": 2}


def rank_key(r: MatchReport | Summary) -> tuple[int, bool, int, str]:
    """Where a report goes in a ranking: eligible first, then needs_review (trials whose target
    diagnosis the record confirms first, then by fewest open items), then ineligible."""
    return _ORDER[r.overall], r.target_confirmed is False, len(r.missing) + len(r.failing), r.trial


def rank(matcher: Matcher, patient: Patient, trials: Iterable[ParsedTrial | MatchForm],
         keys: Sequence[Sequence[str] | None] | None = None) -> list[MatchReport]:
    """Eligible first, then needs_review (trials whose target diagnosis the record confirms first,
    then by fewest open items), then ineligible (``rank_key``). ``keys``: per parsed trial its
    ``content_keys`` (or None), for the matcher's memo (a ``MatchForm`` carries its own)."""
    if keys is None:
        reports = [matcher.match(t, patient) for t in trials]
    else:
        reports = [matcher.match(t, patient, k) for t, k in zip(trials, keys, strict=True)]
    return sorted(reports, key=rank_key)
