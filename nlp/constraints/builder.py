"""Entities of a criterion -> typed constraints (model v2), or "not computable" with a reason.

Stage 4 closes the Doc: every qualifier is turned into concepts, ranges, windows and groups here,
so later stages never read the text again. Linking rules (one criterion at a time, entities in
text order):
- a value (VALUE / REF_RANGE) goes to the analytes named since the last value ("AST/ALT > 2.5 x
  ULN" -> AST and ALT); a second value with no new analyte joins the previous one in an OR group
  ("glucose > 16.8 or < 2.8 mmol/L"); a range gives one constraint with both ends;
- "≥180/110 mmHg" on blood pressure -> systolic >= 180 OR diastolic >= 110;
- "for those who ..." before thresholds sets a typed ``applies_if`` (the concepts tagged inside
  it) on the thresholds that follow;
- an excepted concept ("except cured non-melanoma skin cancer") is carved out of the concept set
  before it;
- a window (TEMPORAL) applies to the concepts named since the previous window; a range or an
  "after onset" offset on an inclusion diagnosis is a disease duration;
- clinical inferences (``nlp/resources/inferences.json``) add what the wording implies;
- judgement-only criteria, containers (lead-ins, ';'-split items) and criteria with nothing
  recognised are ``computable: false`` with the reason.
Cue patterns are data (``nlp/resources/cues.json``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from re import Match
from typing import Any, TypeGuard

from nlp.core.checks import age_warnings
from nlp.core.comparators import FLIP
from nlp.core.constraints import (
    CERTAIN,
    IMPLIED_UNIT_RULE,
    INFERRED,
    KIND_MODELS,
    MODEL,
    QUALIFIED,
    AgeCondition,
    AnyConstraint,
    Applicability,
    Concept,
    ConceptCondition,
    ConceptSet,
    Evidence,
    Group,
    MeasurementConstraint,
    NumericRange,
    Provenance,
    ProvenanceSource,
    SexCondition,
    UnresolvedCondition,
    Window,
)
from nlp.core.entity import Entity
from nlp.core.knowledge import InferenceRule, cue, inference_rules
from nlp.core.labels import PATIENT_STATES, STATES_BY_MEANS, TRIAL_EVENTS, Anchor, Exposure, Kind, Relation, listed_together
from nlp.core.lexicon import UNCODED, Lexicon, LexiconEntry, uncoded_id
from nlp.core.logic import build_logic
from nlp.core.record import AgeLimit, TrialRecord
from nlp.core.units import (
    convert,
    dimension,
    display,
    implied_unit,
    may_measure,
    named_analyte,
    names_nothing,
    quantity_dimensions,
    quantity_reads,
    read_as,
    time_unit_codes,
    to_days,
)
from nlp.core.windows import anchor_of, relation_of

__all__ = ["CriterionConstraints", "age_warnings", "build_criterion", "concept_of", "structured_constraints"]

_VALUE_LABELS = {"VALUE", "REF_RANGE"}
# the blood pressures a value named "systolic" or "diastolic" right after it is read as instead
_PRESSURES = {"blood_pressure", "systolic_blood_pressure", "diastolic_blood_pressure"}
# what a criterion asks of a subgroup it names ("women of childbearing potential ..."), besides age
_REQUIREMENT_LABELS = {"CONDITION", "THERAPY", "PROCEDURE", "PREGNANCY", "MEASUREMENT", "CONSENT", "JUDGEMENT",
                       "TRIAL_PARTICIPATION", "OTHER"}
# the dimensions of a substance's level in the blood (a dose is mass per day or per kilogram)
_LEVEL_DIMENSIONS = frozenset({"mass_conc", "molar"})
_PRESENCE_KIND = {
    "CONDITION": Kind.CONDITION, "PREGNANCY": Kind.CONDITION, "THERAPY": Kind.THERAPY,
    "PROCEDURE": Kind.PROCEDURE, "TRIAL_PARTICIPATION": Kind.TRIAL_PARTICIPATION, "OTHER": Kind.OTHER,
}
_WINDOWED = {Kind.CONDITION, Kind.THERAPY, Kind.PROCEDURE, Kind.TRIAL_PARTICIPATION, Kind.OTHER}
_EXPOSURE_KINDS = {Kind.THERAPY, Kind.PROCEDURE, Kind.TRIAL_PARTICIPATION}
_NUMERIC = {Kind.AGE, Kind.WEIGHT, Kind.BMI, Kind.MEASUREMENT}
_MEASURED = {Kind.WEIGHT, Kind.BMI, Kind.MEASUREMENT}
# days to years: the units of an age, and of an analyte that lasts that long (a disease's duration,
# a life expectancy; not PT or QTc, in seconds)
_CALENDAR_UNITS = frozenset({"d", "wk", "mo", "a"})
_TIME_CODES = frozenset(time_unit_codes())
# the trial's own events a time may be counted to ("at least 3 years prior to enrollment")
# concepts that name a reference (a diagnostic manual, a classification), not a requirement
_REFERENCE_CONCEPTS = frozenset({"diagnostic_manual"})
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}
_UNFIT = "a value the analyte named cannot take, in its unit or its plausible values"
_KIND_BY_NEGATION = "a kind named by what it is not, which no code names"
_BARE = "a level with no comparator, which states no threshold"
_STATE_DEFINED = "a hormone level that defines menopause or childbearing potential, not a threshold of eligibility"
_ADEQUACY = "a function said adequate, or impaired as defined after: whether a diagnosis under its dysfunction makes it so is judged"
_PLANNED_LOW = "the time of the trial's own treatment, which may follow screening: its lower end at screening is a guess"


@lru_cache(maxsize=1)
def _lex() -> Lexicon:
    return Lexicon.load()


_REFERENCE_UNITS = ("xULN", "xLLN")  # multiples of a limit of normal: in any analyte's own unit
_BODY_DIMENSIONS = frozenset({"mass", "length", "bmi"})  # a body's size (weight, height, BMI): no lab's normal range


def concept_of(cid: str | None) -> Concept | None:
    """The frozen ``Concept`` of a lexicon id (one shared object per id)."""
    return _concept(cid) if cid else None


@lru_cache(maxsize=4096)
def _concept(cid: str) -> Concept:
    return _lex().concept(cid)


def _evidence(text: str, start: int, end: int) -> Evidence:
    return Evidence(text=text[start:end], start=start, end=end)


@dataclass
class _Draft:
    """A constraint being built (mutable until ``freeze``)."""

    kind: Kind
    effect: str
    evidence: Evidence | tuple[int, int]  # offsets while building; the quote is cut once, in freeze
    start: int = 0  # entity position, for window attachment
    end: int = 0
    concept: str | None = None
    bounds: list[tuple[str, float]] = field(default_factory=list)  # numeric: one range
    unit: str | None = None
    sex: str | None = None
    present: bool = True
    history: bool = False
    planned: bool = False
    washout: bool = False  # "discontinued at least 4 weeks before": none in the window
    remission: bool = False  # the window is what an exception says ("except if disease-free for 5 years")
    change: bool = False  # a measurement's range bounds a change from a baseline, not a level
    window: Window | None = None
    group: str | None = None  # an OR group: any of its members
    together: str | None = None  # an ALL group inside an exclusion: a condition and the grade that qualifies it
    dose: list[tuple[str, float]] = field(default_factory=list)  # a therapy's dose ("> 20 mg/d"), in dose_unit
    dose_unit: str | None = None
    duration: list[tuple[str, float]] = field(default_factory=list)  # how long it lasted ("for at least 6 months")
    duration_unit: str | None = None
    excluded: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    applies_if: Applicability | None = None
    rule: str = "mention"
    inferred: bool = False


@dataclass
class CriterionConstraints:
    constraints: tuple[AnyConstraint, ...]
    computable: bool
    reason: str | None
    logic: Group | None = None


def _uncoded_mention(a: Entity) -> bool:
    """A mention given the id of an analyte no vocabulary has (``build_criterion``'s second reading)."""
    return (a.concept_id or "").startswith(UNCODED)


def _nearest_uncoded(analytes: list[Entity]) -> list[Entity]:
    """Of several analytes no vocabulary has that could read a value, the nearest before it:
    nothing says they are coordinated ("(Gold classification), and/or PaO2 levels <60 mmHg")."""
    if len(analytes) > 1 and all(_uncoded_mention(a) for a in analytes):
        return [max(analytes, key=lambda a: a.end)]
    return analytes


def _within(cid: str | None) -> str:
    """The comparator a time limit ("within 48 hours") gives an analyte's value: its lexicon
    entry's ``within`` ("<" for an expected death), else at most the time."""
    entry = _lex().entries.get(cid or "")
    return (entry.within if entry is not None else None) or "<="


def _most_specific(analytes: list[Entity]) -> list[Entity]:
    """"NIHSS score item 1a": drop an analyte when a narrower one of it is named too; an analyte no
    vocabulary has when one that has is named ("Peripheral blood counts ...: haemoglobin < 90 g/L")."""
    uncoded = [a for a in analytes if _uncoded_mention(a)]
    if uncoded and len(uncoded) < len(analytes):
        analytes = [a for a in analytes if a not in uncoded]
    lex = _lex()
    ids = {a.concept_id for a in analytes}
    return [a for a in analytes if not any(a.concept_id in lex.ancestors(o or "") for o in ids)]


_BODY_SIZE = {"body_weight": Kind.WEIGHT, "bmi": Kind.BMI}  # measurements with kinds of their own
_CONSENT_TIME_REACH = 30  # characters before a consent mention that may make it a time (cue ``consent_as_time``)


def _range_parts(cmp_: str | None, value: float, high: float | None, low_unit: str | None,
                 unit: str | None) -> list[tuple[list[tuple[str, float]], str | None]]:
    """The ranges of a value entity: "between 18 and 65" is one range; "1 month to 18 years"
    (two units) is two one-sided ones; "outside the normal range" is below the one end or above
    the other."""
    if cmp_ == "outside" and high is not None:
        return [([("<", value)], low_unit or unit), ([(">", high)], unit)]
    if cmp_ == "between" and high is not None:
        if low_unit and low_unit != unit:
            return [([(">=", value)], low_unit), ([("<=", high)], unit)]
        return [([(">=", value), ("<=", high)], unit)]
    return [([(cmp_ or "=", value)], unit)]


def _close_in_clause(gap: str, limit: int = 40) -> bool:
    """The words between two things read together: at most ``limit`` characters, no clause
    punctuation (cue ``clause_punctuation``)."""
    return len(gap) <= limit and not cue("clause_punctuation").search(gap)


def _is_allergy(cid: str | None) -> bool:
    """An allergy or a kind of one (anaphylaxis, drug allergy)."""
    return bool(cid) and (cid == "allergy" or _lex().is_a(cid or "", "allergy"))


_DIMENSIONLESS = frozenset({"{score}", "{ratio}", "{count}", "%", "1", "{index}"})


# characters before a condition's mention a severity word governing it may stand in ("severe
# chronic liver disease", "clinically significant, uncontrolled, or active cardiovascular")
_SEVERITY_REACH = 40

# characters between a negation cue and the analyte it denies ("no history of ", "absence of
# severe "); further on, the cue is another mention's
_DENIAL_REACH = 24

# words between a function's state word and a later item of the list it governs ("Normal liver
# and renal function": 2; "Adequate hepatic, renal and bone marrow function": 3)
_LISTED_STATE_WORDS = 4

# characters before a participation phrase a negation denying it may stand in ("must not be
# participating or intending to ")
_PARTICIPATION_DENIAL_REACH = 48

# characters before a remission time its exception may open in (the cue's own reach, 300, and the
# exception word): "except for the following: adequately treated basal cell or squamous cell skin
# cancer, ..., or any other cancer from which the patient has been disease-free for 5 years"
_REMISSION_REACH = 340


def _distributed(val: Entity, comparator: str | None) -> Entity:
    """A value written without a comparator after coordinated ones takes theirs ("> 1.5 mg/dl
    (males) and 1.4 mg/dl (females)", "> 90 mmHg diastolic and/or 180 mmHg systolic")."""
    if val.comparator is None and comparator not in (None, "between"):
        return val.model_copy(update={"comparator": comparator})
    return val


# the dimensions of a value that is no threshold of a diagnosis written next to it: a time (its
# window or duration), a score or stage (``_unread_stages``), a drug's dose, or no known unit
_NO_DIAGNOSIS_THRESHOLD = frozenset({None, "time", "score", "mass", "dose", "dose_per_mass", "dose_per_area", "dose_rate",
                                     "dose_rate_per_mass"})


def _scale_span(entry: LexiconEntry, val: Entity) -> bool:
    """Whether a value is a scale's own span, no threshold of it: its range ("on a 0-10 pain
    intensity scale") or, for a scale read off a line, the line's length ("a 100 mm visual analogue
    scale", "≥ 50 mm out of 100 mm on VAS": units.json ``scale_lengths``)."""
    if entry.unit != "{score}" or entry.range is None:
        return False
    if val.comparator == "between":
        return (val.value, val.value_high) == tuple(entry.range)
    return val.comparator is None and val.value is not None and val.value_high is None and dimension(val.unit) == "length" \
        and convert(val.value, val.unit, entry.unit, entry.id) == entry.range[1]


def _values_unread(values: dict[int, tuple[str, str]], constraints: Sequence[AnyConstraint]) -> str:
    """Values set aside (by their offset: the analyte's words and the value's) that no constraint
    read either, as a reason names them: never dropped in silence."""
    return "; ".join(f"{a} {v!r}" for at, (a, v) in sorted(values.items())
                     if not any(c.evidence is not None and c.evidence.start <= at < c.evidence.end for c in constraints))


def _no_comparator(val: Entity, unit: str | None) -> list[str]:
    """A bare value ("hemoglobin 9", "aged 18") or an equality (">/= 9" read as "= 9") on a
    measured quantity: not a certain threshold, except on a scale, where one grade is a normal
    reading ("ECOG 0")."""
    if val.comparator not in (None, "=") or unit == "{score}":
        return []
    return [f"no comparator read: the value {val.value:g} taken as '='"]


def _sub_stage(val: Entity, unit: str | None) -> list[str]:
    """A level written with a sub-stage letter ("CKD stage 3b-4", "Steinberg IIA"), read as its
    stage: "3b or 4" in an exclusion must not turn away a 3a patient for certain (cue
    ``sub_stage_level``)."""
    m = cue("sub_stage_level").search(val.text) if unit == "{score}" else None
    return [f"a sub-stage ({m.group(0)!r}) read as its stage"] if m else []


def _normal_interval(entry: LexiconEntry | None, d: _Draft) -> tuple[float, float] | None:
    """The analyte's normal interval (``LexiconEntry.normal``) in the unit of ``d``'s values; for a
    multiple of the upper limit of normal 0 to 1 x ULN, of the lower limit the values just above
    it, 1 to 1.5 x LLN; None where it is unknown or the unit cannot be compared."""
    if d.unit == "xULN":
        return 0.0, 1.0
    if d.unit == "xLLN":
        return 1.0, 1.5
    if entry is None or entry.normal is None or (d.unit is None and entry.unit not in _DIMENSIONLESS):
        return None  # a value without its unit is in doubt already, on an unknown scale
    lo, hi = entry.normal
    if d.unit is not None and d.unit != entry.unit:
        lo_c, hi_c = convert(lo, entry.unit, d.unit, entry.id), convert(hi, entry.unit, d.unit, entry.id)
        if lo_c is None or hi_c is None:
            return None
        lo, hi = min(lo_c, hi_c), max(lo_c, hi_c)
    return lo, hi


def _excludes_every_normal_value(entry: LexiconEntry | None, d: _Draft) -> bool:
    """Whether the values ``d`` bounds hold the analyte's whole normal interval (``_normal_interval``)."""
    interval = _normal_interval(entry, d) if d.bounds else None
    if interval is None:
        return False
    lo, hi = interval
    # each bound must leave the whole interval on its excluded side
    return all((c == ">" and v < lo) or (c == ">=" and v <= lo) or (c == "<" and v > hi) or (c == "<=" and v >= hi)
               for c, v in d.bounds)


def _admits_no_normal_value(entry: LexiconEntry | None, d: _Draft) -> bool:
    """Whether the values ``d`` admits lie all outside the analyte's normal interval
    (``_normal_interval``): a threshold asking for an abnormal value ("DLCO below 70% predicted",
    "ALT > 3 x ULN")."""
    interval = _normal_interval(entry, d) if d.bounds else None
    if interval is None:
        return False
    lo, hi = interval
    return all((c in ("<", "<=") and v <= lo) or (c in (">", ">=") and v >= hi) for c, v in d.bounds)


def _unit_doubts(entry: LexiconEntry | None, d: _Draft) -> list[str]:
    """A measurement read without a unit its analyte needs (a value its analyte cannot have in
    its unit is never linked to it: ``_Builder._can_read``)."""
    if entry is None or not entry.unit or d.unit is not None or entry.unit in _DIMENSIONLESS:
        return []
    return [f"no unit given ({entry.name} is measured in {entry.unit})"]


class _Builder:
    def __init__(self, crit_id: str, section: str, ents: Sequence[Entity], text: str, crit_span: tuple[int, int],
                 targets: Sequence[str] = (), own_span: tuple[int, int] | None = None,
                 unlinked: Sequence[Entity] = (), analytes: Sequence[Entity] = ()) -> None:
        self.crit_id = crit_id
        # the conditions the NER found and no vocabulary names: read by no constraint of their own,
        # only as what a duration right after them is of (``_unlinked_lasting``)
        self.unlinked = tuple(unlinked)
        # the analytes no vocabulary has that a second reading gives their values (``build_criterion``):
        # a level after one is its ("Killip Class 4"), not a stage left unread
        self.uncoded_analytes = tuple(analytes)
        self.targets = tuple(targets)
        self.effect = "exclude" if section == "exclusion" else "include"
        self.ents = sorted(ents, key=lambda e: e.start)
        self.text = text  # the eligibility text (entity offsets index it)
        self.crit_span = crit_span
        self.own_span = own_span or crit_span  # a lead-in's own words: its span without its sub-criteria
        self._illness_spans: set[tuple[int, int]] = set()  # judgements of an unspecified illness (_cue_entities)
        self.ents = self._analyte_readings(sorted([*self.ents, *self._cue_entities()], key=lambda e: e.start))
        self.drafts: list[_Draft] = []
        self.groups = 0
        self._graded: list[tuple[int, list[_Draft]]] = []  # (start of a staged condition, its grade's drafts)
        self._lacking: list[tuple[_Draft, _Draft]] = []  # (a condition, the treatment it is excluded without)
        self._limits: set[int] = set()  # starts of times read as the limit of an expected time, not windows
        self._allergens: dict[int, list[Entity]] = {}  # id of an allergy draft -> the substances it names
        self._doses: list[tuple[Entity, Entity]] = []  # (drug mention, the dose value read for it)
        self.optional: list[Entity] = []  # mentions "with or without" leaves optional: no requirement
        self.stateless: list[Entity] = []  # function or test groups named with no state: headings
        # values an analyte named cannot take (a unit it is not measured in, a number outside its
        # plausible values: "serum creatinine above 120 mmol/L"), by the value's offset
        self.unfit: dict[int, tuple[str, str]] = {}
        self._pairs_read: set[int] = set()  # starts of systolic/diastolic pairs read (``_link`` of a pair)
        # values with no comparator on a measured quantity ("an ESR result of 28mm/hr", "c-peptide
        # fasting 1ng/ml"): no threshold is certain, and "=" is none a criterion means
        self.bare: dict[int, tuple[str, str]] = {}
        self.unread_conditions: list[str] = []  # conditions of a value nothing reads ("(if ... EDSS >= 5.5)")
        self.unread_stages: list[str] = []  # a diagnosis' stage or grade no constraint reads ("CKD stages 4 and 5")
        self.unread_thresholds: list[str] = []  # a diagnosis' measured threshold no constraint reads ("scoliosis > 20°")
        self.unread_kinds: list[str] = []  # kinds named by what they are not ("non-cardiac condition": ``_kind_by_negation``)
        self._kind_heads: dict[int, str] = {}  # start of the word a "non-" kind is of -> the kind's words
        self._courses: set[int] = set()  # starts of the times read as a course's length
        self._changes: set[int] = set()  # starts of values read as alternative sizes of a change
        self._required: dict[int, str] = {}  # id of a treatment draft -> the words a condition requires it by
        self.reading_conditions: list[str] = []  # when a value is taken another way ("(corrected if albumin < LLN)")
        self._age_value_ends: list[int] = []
        self._sex_qualifiers: set[tuple[int, int]] = set()  # SEX mentions that qualify a value

    # -- helpers ---------------------------------------------------------------------------
    def _analyte_readings(self, ents: list[Entity]) -> list[Entity]:
        """The mentions a threshold right after them makes analytes. A test group is each of its
        analytes (the lexicon's ``read_as``): "Transaminases > 3 x ULN", "Liver function tests
        (LFTs) > 5x normal" are ALT and AST above 3 (5) times the upper limit. The group's mentions
        up to the value (its abbreviation after it) become one analyte mention per member; only a
        value every member can be read in (a multiple of the normal range, or the members' own
        unit) and no other analyte between. A substance with a concentration is its level
        (``_level``)."""
        lex = _lex()
        out: list[Entity] = []
        skip: set[int] = set()
        for i, e in enumerate(ents):
            if i in skip:
                continue
            if e.label == "THERAPY" and self._level(e, ents[i + 1] if i + 1 < len(ents) else None):
                out.append(e.model_copy(update={"label": "MEASUREMENT"}))
                continue
            entry = lex.entries.get(e.concept_id or "") if e.label == "OTHER" else None
            if entry is None or not entry.read_as:
                out.append(e)
                continue
            same = [i]
            val = None
            for j in range(i + 1, len(ents)):
                x = ents[j]
                if x.concept_id == e.concept_id:
                    same.append(j)
                    continue
                if x.label in _VALUE_LABELS and x.value is not None:
                    val = x
                break  # another mention first: the group names no threshold
            members = [lex.entries[m] for m in entry.read_as]
            if val is None or self.text[e.end:val.start].count("\n") or not all(
                    val.unit in _REFERENCE_UNITS or (val.unit is not None and may_measure(val.unit, m.unit, m.id)) for m in members):
                out.append(e)
                continue
            skip.update(same)
            last = ents[same[-1]]
            for m in members:
                out.append(e.model_copy(update={"label": "MEASUREMENT", "concept_id": m.id, "end": last.end,
                                                "text": self.text[e.start:last.end]}))
        return out

    def _reference_interval(self, v: Entity) -> bool:
        """A value that annotates the laboratory's normal values in a bracket ("AST (NV: 0-35 U/L)",
        "(normal range 53-106 umol/L)"; cue ``reference_interval_lead``) is no threshold, unless the
        criterion asks the analyte to lie within them ("total bilirubin within normal institutional
        limits (NV: 0.0-20.5 umol/L)"; cue ``within_normal_limits`` right before the bracket)."""
        s0 = self.crit_span[0]
        lo = max(s0, v.start - 40)
        lead = cue("reference_interval_lead").search(self.text[lo:v.start])
        if lead is None:
            return False
        bracket = lo + lead.start()
        return cue("within_normal_limits").search(self.text[max(s0, bracket - 60):bracket]) is None

    def _level(self, drug: Entity, nxt: Entity | None) -> bool:
        """A substance named with a concentration is its level in the blood, no exposure:
        "tacrolimus trough level > 15 ng/mL", "uric acid > 8 mg/dL", "vitamin D < 20 ng/mL" (a
        value with a comparator in a mass or molar concentration right after it, cue
        ``level_gap`` between)."""
        return bool(drug.concept_id) and nxt is not None and nxt.label in _VALUE_LABELS and nxt.value is not None \
            and nxt.comparator is not None and dimension(nxt.unit) in _LEVEL_DIMENSIONS \
            and cue("level_gap").match(self.text[drug.end:nxt.start]) is not None

    def _cue_entities(self) -> list[Entity]:
        """Judgement, consent and participation worded as no lexicon phrase is: agent x opinion
        verb ("which the physician deems", "in the opinion of their oncologist"); an illness
        named by nothing but its weight or company (cue ``unspecified_illness``: "Severe
        comorbidities", "uncontrolled intercurrent illness", "any other serious medical
        condition"), which no record can decide and the investigator judges; ability to
        comply ("unable to follow the study protocol", "lacking decisional capability"),
        participation in another study ("participation in any study of experimental drug"): the
        cue grammars judgement_phrase, consent_phrase, participation_phrase (cues.json), mined
        from ../shared/data; only where the criterion has no such entity already."""
        s0, s1 = self.own_span
        seg = self.text[s0:s1]
        out: list[Entity] = []
        illness: list[Entity] = []
        for label, name, cid in (("JUDGEMENT", "judgement_phrase", "investigator_judgement"),
                                 ("JUDGEMENT", "unspecified_illness", "investigator_judgement"),
                                 ("CONSENT", "consent_phrase", "informed_consent"),
                                 ("TRIAL_PARTICIPATION", "participation_phrase", "trial_participation")):
            if any(e.label == label for e in (*self.ents, *out)):
                continue
            m = cue(name).search(seg)
            if m is None:
                continue
            judged = [e.start for e in (*self.ents, *out) if e.label == "JUDGEMENT" and e not in illness]
            if label == "CONSENT" and any(j < s0 + m.start() for j in judged):
                continue  # "... that the investigator believes will affect their ability to participate": judged
            start = s0 + m.start()
            # "must not be participating or intending to participate in a concurrent ... trial": a
            # negation before the phrase in its clause (across "or") denies the participation
            negated = label == "TRIAL_PARTICIPATION" and bool(
                cue("negation").search(self.clause_before(start, "clause_punctuation")[-_PARTICIPATION_DENIAL_REACH:]))
            out.append(Entity(label=label, text=m.group(0), start=start, end=s0 + m.end(), concept_id=cid, negated=negated))
            if name == "unspecified_illness":
                illness.append(out[-1])  # an illness, no opinion: a consent phrase after it stays
        self._illness_spans = {(e.start, e.end) for e in illness}
        return out

    def _group(self) -> str:
        self.groups += 1
        return f"{self.crit_id}.g{self.groups}"

    def _add(self, kind: Kind, start: int, end: int, **fields: Any) -> _Draft:
        d = _Draft(kind, self.effect, (start, end), start, end, **fields)
        self.drafts.append(d)
        return d

    def _segment(self) -> str:
        s0, s1 = self.crit_span
        return self.text[s0:s1]

    def _applies_if_spans(self) -> list[tuple[int, int, str]]:
        s0, _ = self.crit_span
        seg = self._segment().replace("\\", " ")
        return [(s0 + m.start(), s0 + m.end(), m.group(0).strip()) for m in cue("applies_if").finditer(seg)]

    def _condition_of(self, span: tuple[int, int, str]) -> tuple[Applicability | None, str | None]:
        """The typed condition of a "for those who ..." clause: the concepts tagged inside it."""
        s, e, text = span
        inside = [x for x in self.ents if s <= x.start and x.end <= e and x.concept_id
                  and x.label in ("THERAPY", "CONDITION", "PROCEDURE", "PREGNANCY")]
        if not inside:  # kept as an unresolved condition: the matcher cannot decide it, never ignores it
            return UnresolvedCondition(text=text), f"applies only {text!r}: names no known concept"
        concept = concept_of(inside[0].concept_id)
        assert concept is not None  # inside holds only entities with a concept id
        cs = ConceptSet(concept=concept)
        return ConceptCondition(concepts=cs, present=not cue("negation").search(text), current=True), None

    # -- numeric ---------------------------------------------------------------------------
    def _measurement(self, analyte: Entity, val: Entity, group: str | None,
                     cond: tuple[int, int, str] | None) -> None:
        cid = analyte.concept_id
        kind = _BODY_SIZE.get(cid or "", Kind.MEASUREMENT)
        start = min(analyte.start, val.start)
        applies_if, unresolved = self._condition_of(cond) if cond else (None, None)
        if applies_if is None:
            applies_if = self._sex_of(val)  # "> 450 msec for men and > 470 msec for women"
        unresolved_list = [unresolved] if unresolved else []
        if cue("readings_on_occasions").match(self.text[val.end:val.end + 60]):
            # "hospital BP ≥140/90 on two occasions", "> 180/110 on more than one occasion": how the
            # diagnosis was made, from past readings, not a value the patient has now
            unresolved_list.append("readings taken on several occasions: past readings that made a diagnosis, not one value now")
        if cue("reproductive_hormone").fullmatch(analyte.text.strip()) \
                and cue("reproductive_state").search(self.text, *self._sentence_span(analyte.start, analyte.end)):
            # "postmenopausal (… 6 months of spontaneous amenorrhea with FSH > 40 mIU/mL)": the
            # level defines menopause or childbearing potential, not a threshold of eligibility
            unresolved_list.append(_STATE_DEFINED)
        if val.second_value is not None and cid in ("blood_pressure", "systolic_blood_pressure", "diastolic_blood_pressure", None):
            if val.start in self._pairs_read:
                return  # "Systolic/diastolic blood pressure > 140/90": one pair, read once for the two names
            self._pairs_read.add(val.start)
            g = group or self._group()
            for sub, v in (("systolic_blood_pressure", val.value), ("diastolic_blood_pressure", val.second_value)):
                self._add(Kind.MEASUREMENT, start, val.end, concept=sub, bounds=[(val.comparator or ">=", v)],
                          unit=val.unit, group=g, rule="value_link:blood_pressure", applies_if=applies_if,
                          unresolved=unresolved_list)
            return
        if kind == Kind.MEASUREMENT and cid is None:
            return  # a value with no analyte is not a constraint
        unit, rule = val.unit, "value_link"
        unit_doubts: list[str] = []
        entry = _lex().entries.get(cid or {Kind.WEIGHT: "body_weight", Kind.BMI: "bmi"}.get(kind, ""))
        if entry is not None and entry.unit is not None and read_as(unit) == entry.unit:
            unit = entry.unit  # "Temperature > 38°": degrees Celsius
        control = cue("control_multiple").search(val.text) if unit == "xULN" else None
        if control and entry is not None and entry.unit == "{ratio}":
            unit = None  # "INR or aPTT ≥ 1.5 X control": the INR is itself a ratio to the control, its number as written
        if unit is None and entry is not None and entry.unit not in (None, "{score}", "{ratio}", "{count}"):
            # "BMI > 40", "ANC >500": the one unit the value can be in
            values = [v for v in (val.value, val.value_high) if v is not None]
            unit = implied_unit(entry.unit, values, entry.range, entry.id)
            rule = IMPLIED_UNIT_RULE if unit else rule
            if unit is None and (unit := implied_unit(entry.unit, values, entry.range, entry.id, entry.normal)):
                # "hemoglobin < 10", "WBC >13": the one unit in which the number lies near the
                # analyte's normal range; a guess (the number may be another analyte's, "MCH <23"),
                # on which no patient is failed
                rule = "value_link:near_normal_unit"
                unit_doubts = [(f"no unit given: read in {display(unit)}, the unit in which the number lies near the "
                                "analyte's normal range")]
        elif unit is None and entry is not None and entry.unit in ("{score}", "{count}") and entry.range \
                and all(entry.range[0] <= v <= entry.range[1] for v in (val.value, val.value_high) if v is not None):
            # "CASS ≥5", "EDSS ≤ 5.0": a value on the scale's own range is a score, the scale's one unit
            unit, rule = entry.unit, IMPLIED_UNIT_RULE
        written = val
        val = self._said_comparison(analyte, val, unit)
        assert val.value is not None  # build() links only values that have one
        doubts = [*_no_comparator(val, unit), *_sub_stage(val, unit), *unit_doubts]
        if self.effect == "exclude" and val.comparator in (">", ">=", "<", "<=") and val.comparator == written.comparator \
                and self._denied(analyte):  # (a cue that already turned the comparison read the negation)
            doubts.append("a negation cue before the analyte inside an exclusion: read as the exclusion itself")
        elif self.effect == "include" and analyte.negated and val.comparator in (">", ">=", "<", "<=") \
                and val.comparator == written.comparator \
                and self._negated_from_afar(analyte):
            # ConText negated the analyte from further off than a denial of the threshold reaches,
            # a negation cue before it in its sentence ("Absence of comorbidities responsible for
            # life expectancy < 6 months", "No signs of infection, including ... pulse rate > 100
            # BPM"): what the patient must not reach, or what they must; no certain reading either way
            doubts.append("a negation from further off reaches the analyte: the threshold may be what the patient must not reach")
        is_change = self._is_change(val)
        if kind == Kind.MEASUREMENT and written.comparator is None and val.comparator is None and val.value_high is None \
                and val.second_value is None and not is_change and unit not in ("{score}", "{count}", *_REFERENCE_UNITS) \
                and (entry is None or entry.unit not in ("{score}", "{count}")) \
                and not self._alternatives_said():
            # "SaO2 93%", "fasting blood glucose (FPG)9.0mmol/L": a level with no comparator says no
            # threshold; named as not computable, never read as "= 93". One of alternatives stays a
            # reading in doubt ("systolic blood pressure < 90 mmHg, or diastolic blood pressure 60
            # mmHg"): left out, the others would fail a patient for certain
            self.bare.setdefault(val.start, (analyte.text, val.text))
            return
        if is_change and kind != Kind.MEASUREMENT:
            kind = Kind.MEASUREMENT  # "weight loss > 5%": a change of the body's weight, no weight the patient has
        change = is_change
        if val.comparator is None and val.unit == "{score}" and not is_change:
            # "ofmore or egal 1 EDSS point", "or 0.5 EDSS point" after such an amount: points written
            # with no comparator are an amount, seldom a level the patient must have exactly
            doubts.append("an amount of a scale's points with no comparator: no level read for certain")
        if is_change:
            # "an increase of ≥1 EDSS point", "≥ 0.5 mg/dL rise in serum creatinine from baseline",
            # "no drop by more than 1 gm/dl": a change from a baseline, which no level can answer
            doubts = [*doubts, "a change from a baseline, not a level: the record's values over time are needed"]
        if control and unit == "xULN":
            # "aPTT < 1.5 x control": a multiple of the laboratory's control value, read as one of the
            # upper limit of normal, which lies a little above it
            doubts.append(f"a multiple of the control value ({control.group(0)!r}) read as a multiple of the upper limit of normal")
        cmp_ = val.comparator
        if cmp_ is None and val.value_high is None and is_change:
            # "a 50% increase in their baseline creatinine", "20% decrease in donor T-cell
            # chimerism": the size of a change written bare is the least change that counts
            cmp_ = ">="
            doubts = [f"no comparator read: the size of a change {val.value:g} taken as the least that counts (>=)",
                      *(d for d in doubts if d not in _no_comparator(val, unit))]
        elif cmp_ is None and val.value_high is None and unit in _REFERENCE_UNITS:
            # "ALT, AST, Cr & GT; Normal 1.5 times": a multiple of the normal range is a limit, above
            # which (below, for LLN) an exclusion excludes and within which an inclusion admits
            upper = unit == "xULN"
            cmp_ = (">" if upper else "<") if self.effect == "exclude" else ("<=" if upper else ">=")
            doubts = [f"no comparator read: the multiple of the normal range {val.value:g} taken as a limit ({cmp_})"]
        parts = _range_parts(cmp_, val.value, val.value_high, val.low_unit, unit)
        if entry is not None and entry.range and len(parts) == 1 and parts[0][1] == "{score}" and len(parts[0][0]) == 2:
            # "ECOG performance status of 0, 1, or 2": a lower end at the scale's own minimum says
            # nothing ("up to 2"); the upper end is kept as written ("class III or IV")
            low = entry.range[0]
            said = [(c, v) for c, v in parts[0][0] if not (c == ">=" and v <= low)]
            parts = [(said or parts[0][0], parts[0][1])]
        together = None
        if len(parts) == 2 and cmp_ == "outside" and group is None:
            group = self._group()  # "outside the normal range": either end's side
        elif len(parts) == 2 and self.effect == "exclude":
            together = f"{self.crit_id}.r{val.start}"  # "within the normal range" inside an exclusion: both ends
        for bounds, unit in parts:
            # "≥1 clinically documented relapse": a value before its analyte spans the analyte too
            self._add(kind, start, max(val.end, analyte.end), concept=cid if kind == Kind.MEASUREMENT else None, bounds=bounds,
                      unit=unit, group=group, rule=rule, applies_if=applies_if, change=change, together=together,
                      unresolved=[*unresolved_list, *doubts])

    def _said_comparison(self, analyte: Entity, val: Entity, unit: str | None) -> Entity:
        """The comparison the words around a value say: an expectation denied ("not expected to
        survive > 24 hours": at most 24 hours; "not expected to survive 3 months": under 3 months,
        cue ``denied_expectation`` right before the analyte), a value denied ("without at least one
        GEL": fewer than one, cue ``denied_value`` right before the value) or a time limit ("death is
        imminent within the subsequent 12 hours": at most 12 hours, cue ``time_limit`` right before
        a time that has no comparator)."""
        if val.value_high is not None:
            return val
        if cue("denied_expectation").search(self.text[max(0, analyte.start - 16):analyte.start]):
            return val.model_copy(update={"comparator": FLIP[val.comparator] if val.comparator in (">", ">=") else "<"})
        # (the cue ends where the value starts; 32 characters hold its longest form, "no further
        # reductions in ")
        if val.comparator in (">", ">=", "<", "<=") and cue("denied_value").search(self.text[max(0, val.start - 32):val.start]):
            return val.model_copy(update={"comparator": FLIP[val.comparator]})
        if val.comparator in (">", ">=", "<", "<=") and self.effect == "include" and self._denied(analyte):
            # "No fever > 38.5°C", "no heart rate above 100 bpm", "Absence of fever (temperature >
            # 38°C)": the threshold is what the patient must not reach (inside an exclusion the
            # exclusion itself is the reading kept, with a doubt: ``_measured``)
            return val.model_copy(update={"comparator": FLIP[val.comparator]})
        if val.comparator is None and unit in _TIME_CODES \
                and cue("time_limit").search(self.text[max(0, val.start - 32):val.start]):
            return val.model_copy(update={"comparator": _within(analyte.concept_id)})
        if val.comparator is None and analyte.end <= val.start and cue("bound_value_gap").fullmatch(self.text[analyte.end:val.start]):
            # "minimum PEEP of 8 cmH2O", "a maximum BMI of 35": the bound's word stands before the
            # analyte (cues ``minimum_before``, ``maximum_before``)
            before = self.text[max(0, analyte.start - 12):analyte.start]
            if cue("minimum_before").search(before):
                return val.model_copy(update={"comparator": ">="})
            if cue("maximum_before").search(before):
                return val.model_copy(update={"comparator": "<="})
        return val

    def _denied(self, analyte: Entity) -> bool:
        """The analyte of a threshold is denied in its own clause: ConText negated it and a
        negation cue stands before it in its clause with no other mention between ("No fever >
        38.5", "no history of hemoglobin below 9"; not "who did not receive antithrombotic
        therapy Serum albumin ≥ 3.0"), or before the aside it opens, the condition the aside
        defines between ("Absence of fever (temperature > 38")."""
        if not analyte.negated:
            return False
        span = self._aside_span_at(analyte.start)
        pos = span[0] if span and not self.text[span[0] + 1:analyte.start].strip() else analyte.start
        after = self._negation_before(pos)
        if after is None:
            return False
        return not any(after <= x.start and x.end <= pos and (x.start, x.end) != (analyte.start, analyte.end)
                       and (pos == analyte.start or self.text[x.end:pos].strip()) for x in self.ents)

    def _negated_from_afar(self, analyte: Entity) -> bool:
        """A negation cue stands before the negated analyte in its sentence, and no mention or
        lower-case word runs into it with nothing between (a run-on from a missing separator, cue
        ``run_on_item``: "in subjects who did not receive antithrombotic therapy Serum albumin ≥
        3.0" is another item, not denied)."""
        start = self._sentence_span(analyte.start, analyte.end)[0]
        negs = list(cue("negation").finditer(self.text, start, analyte.start))
        if not negs:
            return False
        if cue("run_on_item").search(self.text, start, analyte.start + 2):  # (the cue ends on the analyte's first two letters)
            return False  # "... antithrombotic therapy Serum albumin": a capital after a lower-case word starts another item
        last = max((x for x in self.ents if negs[-1].end() <= x.start and x.end <= analyte.start), key=lambda x: x.end, default=None)
        return last is None or bool(self.text[last.end:analyte.start].strip())

    def _negation_before(self, pos: int) -> int | None:
        """Where the negation cue nearest before ``pos`` in its clause ends, or None: no cue, or one
        too far to reach it ("who did not receive antithrombotic therapy Serum albumin": another
        clause's)."""
        lead = self.clause_before(pos)
        cues = list(cue("negation").finditer(lead))
        if not cues:
            return None
        after = pos - len(lead) + cues[-1].end()  # the cue nearest ``pos``
        return None if len(self.text[after:pos].strip()) > _DENIAL_REACH else after

    def _close_after(self, end: int, start: int) -> bool:
        """Nothing but a short, uncoordinated stretch between an analyte and a value ("HbA1c ≤",
        "FSH levels (≥"; not "GEL in past 18 months or ≥")."""
        gap = self.text[end:start]
        return len(gap) <= 25 and not cue("or").search(gap) and not cue("and").search(gap)

    def _allergy_before(self, e: Entity, strict: bool = False) -> _Draft | None:
        """The allergy (or anaphylaxis) named before a therapy mention whose allergen it is: the
        allergen's wording between them (cue ``allergen_lead``: "to penicillin or ", "or
        hypersensitivity to "; no ``exposure_word``: not "allergy to X or current use of Y").
        ``strict`` (a condition's name inside the allergen's: "allergic reaction to a perianal
        fistula plug"): nothing but an article between the lead and the mention."""
        lex = _lex()
        for d in reversed(self.drafts):
            if d.end > e.start:
                continue
            if d.kind == Kind.CONDITION and d.present and _is_allergy(d.concept):
                gap = self._after_allergy(d.start, d.end, e.start)
                m = cue("allergen_lead").match(gap)
                if strict:
                    return d if m and gap[m.end():].strip().lower() in ("", "a", "an", "the", "any") else None
                if m and not cue("exposure_word").search(gap):
                    return d
                # "allergy to any of the antibiotics used in this study, e.g. tobramycin": an example
                # of an allergen named is one too
                named = [x.concept_id for x in self._allergens.get(id(d), []) if x.concept_id]
                return d if e.concept_id and any(lex.is_a(e.concept_id, c) for c in named) else None
            if d.kind != Kind.THERAPY:
                return None  # something else stands between them
        return None

    def _after_allergy(self, start: int, end: int, upto: int) -> str:
        """The text after an allergy mention (``start``..``end``) up to ``upto``, from its own last
        word when that is the preposition ("Allergic to| local anesthetics")."""
        last = self.text[start:end].rsplit(None, 1)[-1].lower()
        return self.text[end - len(last) if last in ("to", "of", "against") else end:upto]

    def _allergies(self) -> None:
        """An allergy to a named substance ("allergies to penicillin", "hypersensitivity to
        bovine-derived ingredients") is not any allergy: the record's allergies are not compared
        with the substance, so the reading is left open (a patient allergic to pollen is not turned
        away for it)."""
        lex = _lex()
        kept = []
        for d in self.drafts:
            # "Penicillin or Streptomycin allergy", "positive penicillin skin test": named before
            # the allergy (or a test of it, cue ``allergen_after``), what the patient reacts to
            if d.kind == Kind.THERAPY and cue("allergen_after").match(self.text[d.end:min(d.end + 60, self.crit_span[1])]):
                after = [x for x in self.drafts if x.start >= d.end and x.kind == Kind.CONDITION and _is_allergy(x.concept)]
                if after and not cue("clause_punctuation").search(self.text[d.end:after[0].start].replace(",", " ")):
                    self._allergens.setdefault(id(after[0]), []).append(
                        Entity(label="THERAPY", text=self.text[d.start:d.end], start=d.start, end=d.end, concept_id=d.concept))
                    continue
                d.unresolved.append("named as what the patient reacts to or is tested for, not an exposure")
            kept.append(d)
        self.drafts = kept
        for d in self.drafts:
            named = self._allergens.get(id(d), [])
            if d.kind != Kind.CONDITION or not d.concept or not _is_allergy(d.concept):
                continue
            if named:
                d.evidence = (d.start, max(d.end, *(e.end for e in named)))
            # its first mention names a substance after it, or one stands before it ("Allergic
            # constitution or history, or allergic to the test drug": any allergy, certain); a
            # concept that names its kind ("Drug allergy": words before the allergy word) is that
            # kind, whatever follows ("drug allergic history or anaphylaxis to 2 or more food")
            first_end = next((x.end for x in self.ents if x.start == d.start), d.end)
            words = lex.name(d.concept).lower().split()
            own_kind = len(words) > 1 and bool(cue("allergy_word").match(words[-1]))
            if any(e.end <= d.start for e in named) or ((not own_kind or named) and cue("allergen_lead").match(
                    self._after_allergy(d.start, first_end, min(first_end + 40, self.crit_span[1])))):
                what = f" ({', '.join(dict.fromkeys(e.text for e in named))})" if named else ""
                d.unresolved.append(f"an allergy to a named substance{what}: the substance is not compared with the record")

    def _time_limit(self, named: list[Entity], t: Entity) -> tuple[Entity, Entity] | None:
        """The analyte measured in time that a time right after it limits or sizes, with the time
        read as its value, in the analyte's clause: a time with no anchor, no range and no
        comparator, led by the cue ``time_limit`` ("progression to death within 24 hours": life
        expectancy < 24 hours, the analyte's ``within``; at most the time for others); or a length
        with a comparator or a range, for an analyte measured in days to years, untimed or at a
        trial event ("Duration of symptoms and signs for more than 1 month", "Disease duration of
        at least three years prior to enrollment"), or after an event for an expected time (the
        lexicon's ``within``: "life expectancy to less than 12 months from the baseline"); or
        "over" an amount right after the analyte, which the temporal grammar reads as a look-back,
        as more than it ("symptom duration is over 3 months"; not "over the past 3 months")."""
        if t.value is None or t.unit not in _TIME_CODES:
            return None
        lead = t.text[:next((i for i, ch in enumerate(t.text) if ch.isdigit()), 0)]
        over = False  # "over" an amount read as more than it: only right after the analyte (cue ``over_amount_gap``)
        if t.value_high is None and not t.anchor and t.comparator is None and cue("time_limit").search(lead):
            val = Entity(label="VALUE", text=t.text, start=t.start, end=t.end, comparator="<=", value=t.value, unit=t.unit)
            units = _TIME_CODES
        elif (t.comparator in (">", ">=", "<", "<=") or t.value_high is not None) and (
                (t.relation in (None, "before") and (not t.anchor or anchor_of(t.anchor) in TRIAL_EVENTS))
                or t.relation == "after"):
            # (a time after an event only for an expected time, counted forward from it: "life
            # expectancy to less than 12 months from the baseline assessment", "predicted lifespan of
            # less than 12 months following the end of hUC-MSCs transplantation")
            val = Entity(label="VALUE", text=t.text, start=t.start, end=t.end, comparator=t.comparator, value=t.value,
                         value_high=t.value_high, unit=t.unit)
            units = _CALENDAR_UNITS
        elif t.comparator is None and t.value_high is None and not t.anchor and cue("over_amount").match(t.text):
            # "Expecting lifetime is over three years", "symptom duration is over 3 months": "over" an
            # amount right after a time the patient has (a look-back to the temporal grammar) is more
            # than it (cue ``over_amount_gap`` between them)
            val = Entity(label="VALUE", text=t.text, start=t.start, end=t.end, comparator=">", value=t.value, unit=t.unit)
            units, over = _CALENDAR_UNITS, True
        else:
            return None
        for a in named:
            entry = _lex().entries.get(a.concept_id or "")
            gap = self.text[a.end:t.start]
            if t.relation == "after" and (entry is None or entry.within is None):
                continue
            if over and not cue("over_amount_gap").fullmatch(gap):
                continue
            if entry is not None and entry.unit in units and 0 <= len(gap) <= 40 \
                    and not cue("clause_punctuation").search(gap) and self._can_read(a, val):
                return a, (val.model_copy(update={"comparator": _within(a.concept_id)}) if val.comparator == "<=" else val)
        return None

    def _alternative_amount(self, val: Entity, analyte: Entity) -> Entity:
        """A bare amount of a scale before its analyte, after "or" and the same analyte's amount
        read before it, asides between left out, is an alternative size of the same comparison:
        "an increase of ≥1 EDSS point (if at randomization EDSS ≤ 5.0) or 0.5 EDSS point" is an
        increase of ≥ 0.5 (its comparator, and its change, taken from the first)."""
        if val.comparator is not None or val.unit != "{score}":
            return val
        prev = [d for d in self.drafts if d.kind == Kind.MEASUREMENT and d.concept == analyte.concept_id
                and d.end <= val.start and len(d.bounds) == 1 and self._aside_at(d.start) is None]
        if not prev:
            return val
        last = max(prev, key=lambda d: d.end)
        gap = cue("score_unit_word").sub("", self.without_asides(last.end, val.start), count=1)  # "≥1 EDSS point ... or"
        if not cue("coordinated_values").search(gap) or not (last.change or last.bounds[0][0] in (">", ">=", "<", "<=")):
            return val
        if last.change:
            self._changes.add(val.start)
        return val.model_copy(update={"comparator": last.bounds[0][0]})

    def _is_change(self, val: Entity) -> bool:
        """The value is the size of a change ("increase of", "drop by more than", "... rise in"),
        by the cues ``change_before`` (the clause before the value) and ``change_after`` (the
        criterion's words after it: not the next criterion's "Loss more than 10% of FVC"), or an
        alternative size of a change read before it (``_alternative_amount``)."""
        end = min(self.crit_span[1], val.end + 40)
        return val.start in self._changes or bool(cue("change_before").search(self.clause_before(val.start))
                    or cue("change_after").match(self.text[val.end:end]))

    def _bracket_owner(self, val: Entity) -> str | None:
        """The word before the brackets an age stands in at their start ("mammography (women over
        age 35)"; cue ``aside_age_group``), when it is no person, age word or group (cues
        ``person_word``, ``aside_age_owner``: "Adult patients (age 18-60 years)", "Age (20-50)"
        state the patient's own age); else None."""
        span = self._aside_span_at(val.start)
        if span is None:
            return None
        o = span[0]
        before = self.text[max(self.crit_span[0], o - 25):o]
        if not cue("aside_age_group").fullmatch(self.text[o + 1:val.start]) or cue("person_word").search(before) \
                or cue("aside_age_owner").search(before) or not before.split():
            return None
        return before.split()[-1]

    def _age_relative_to_event(self, val: Entity) -> str | None:
        """The relation word ("before", "after", "prior to") an age value is given with (cue
        ``age_relative``), when its clause names more than whom it speaks of (cue
        ``age_owner_only``: "Patients before the age of 18" is the patient's age); else None."""
        start = max(self.crit_span[0], val.start - 25)
        m = next((x for x in cue("age_relative").finditer(self.text, start, val.end) if val.start <= x.end() <= val.end), None)
        if m is None:
            return None
        said = self.clause_before(m.start(), "clause_punctuation")
        return None if cue("age_owner_only").fullmatch(said) else m.group("rel")

    def _age(self, val: Entity, rule: str = "age") -> None:
        self._age_value_ends.append(val.end)
        assert val.value is not None  # build() reads only ages that have a value
        # "relapsing or progressing before the age of 18 months": the age at an event, not today's
        m = cue("age_at_event").search(self.clause_before(val.start))
        doubts = [f"the age at an event ({m.group(0).strip()!r} ...), not the patient's current age"] if m else []
        if not m and (rel := self._age_relative_to_event(val)) is not None:
            # "Not speaking English before age 5 years", "hypoestrogenism ... before the age of 40",
            # "First major depressive episode after 50 years of age": an age before or after which
            # something the clause names happened, not the patient's own age today
            doubts.append(f"an age {rel!r} which the criterion places an event or a state, not surely the patient's current age")
        if (owner := self._bracket_owner(val)) is not None:
            # "mammography (women over age 35), Papanicolaou smear (women over age 40)": an age in
            # brackets after a test or a treatment says whom that is asked of
            doubts.append(f"an age in brackets after {owner!r}: whom that is asked of, not surely the patient's own age")
        if modal := cue("age_subgroup_modal_after").match(self.text, val.end, self.crit_span[1]):
            # "Subjects ... who are under the age of 18 years must be capable of giving consent": the
            # age names whom a requirement is asked of, not an age every patient must have
            doubts.append(f"the age of those a requirement is asked of ({modal.group(0).strip()!r} ...)")
        if stage := cue("age_life_stage").search(self.text[max(0, val.start - 60):val.start]):
            # "women of childbearing age (18-45 years) must use contraception": the range may say
            # whom the criterion speaks of, not an age every patient must have
            doubts.append(f"the ages of a life stage ({stage.group(0).strip()!r}), which may define whom the "
                          "criterion speaks of rather than the patient's age")
        for bounds, unit in _range_parts(val.comparator, val.value, val.value_high, val.low_unit, val.unit):
            self._add(Kind.AGE, val.start, val.end, bounds=bounds, unit=unit, rule=rule,
                      unresolved=[*_no_comparator(val, unit), *doubts])

    # -- main --------------------------------------------------------------------------------
    def build(self) -> None:
        conds = self._applies_if_spans()

        def condition_at(pos: int) -> tuple[int, int, str] | None:
            found = None
            for span in conds:
                if span[0] <= pos:
                    found = span
            return found

        def inside_condition(e: Entity) -> bool:
            return bool(conds) and any(s <= e.start and e.end <= end for s, end, _ in conds)

        pending: list[Entity] = []  # analytes named since the last value
        last_value_end = 0
        loose_times: list[Entity] = []  # times with a comparator and no analyte
        since_times: list[Entity] = []  # times without one, right before "since" or "after" an event
        last_comparator: str | None = None
        closed = False
        last_targets: list[Entity] = []
        last_group: dict[object, str] = {}
        seen_concepts: dict[tuple[Kind, str | None, bool, bool], _Draft] = {}
        last_presence: _Draft | None = None
        read_after: set[int] = set()  # analytes that took the value before them
        for e in self.ents:
            if e.label == "MEASUREMENT":
                if closed:
                    pending, closed = [], False
                if pending and pending[-1].concept_id == e.concept_id:
                    if pending[-1].start in read_after or self._sentence_between(pending[-1].end, e.start):
                        # named again after its value was read, or in a later sentence: the new mention
                        # is free, the one its value reaches
                        pending[-1] = e
                    continue  # "alanine aminotransferase (ALT)": one analyte
                pending.append(e)
                continue
            if e.label == "AGE" and e.value is not None:
                self._age(e)
                continue
            if e.label in _VALUE_LABELS and e.value is not None:
                if self._reference_interval(e):
                    continue  # "AST (NV: 0-35 U/L)": the laboratory's normal values, no threshold
                named = _most_specific(pending) if pending and not closed else []
                # an analyte a sentence before takes no value of the next ("... delivered prior to 37
                # weeks of gestation. Additional exclusion criteria ...: vaginal pH > 4"), unless the
                # next refers back to it (cue ``value_anaphor``: "MOCA. We will require a value ≥26")
                named = [t for t in named if not self._sentence_between(t.end, e.start)
                         or cue("value_anaphor").search(self.text, self._sentence_span(e.start, e.end)[0], e.start)]
                if named and all(t.start in read_after for t in named) and (
                        ((nxt := self._next_analyte(e)) is not None and self._can_read(nxt, e))
                        or not self._close_after(max(t.end for t in named), e.start)):
                    # "≥1 clinically documented relapse or ≥ 1 GEL", "≥1 GEL in past 18 months or ≥ 1
                    # moderate-severe relapse": an analyte read with the value before it takes no
                    # later value, but the one right after it ("8% ≤ HbA1c ≤ 11%")
                    named = []
                else:
                    # "(Grade I and II according to Wagner) at plantar site ... diagnosed by ABI ≥0.7":
                    # nor does it join the analytes named after it
                    named = [t for t in named if t.start not in read_after] or named
                targets = self._within_aside(e, self._unrestated_targets(_nearest_uncoded([t for t in named if self._can_read(t, e)])))
                if named and not targets and self._counts_next_word(e):
                    closed = True  # the analytes before it take no later value: it begins another phrase
                group = None
                band: list[_Draft] = []
                if not named and last_targets and all(self._can_read(t, e) for t in last_targets) \
                        and cue("coordinated_values").search(self.text[last_value_end:e.start]) \
                        and ((nxt := self._next_analyte(e)) is None or not self._can_read(nxt, e)):  # "≥1 relapse or ≥ 1 GEL"
                    targets = last_targets  # "> 16.8mmol/L or < 2.8mmol/L": same analyte again
                    # "> 1.5 mg/dl (males) and 1.4 mg/dl (females)": the comparator distributes
                    e = _distributed(e, last_comparator)
                    ids = {t.concept_id for t in targets}
                    earlier = [d for d in self.drafts if d.kind in (Kind.MEASUREMENT, Kind.WEIGHT, Kind.BMI)
                               and d.group is None and d.concept in ids]
                    if earlier and _one_band(earlier, e, self.text[last_value_end:e.start]):
                        # "ejection fraction of <50% and >30%": two ends joined by "and" that one value
                        # meets together bound one range, both required (inside an exclusion, together)
                        band = earlier
                    elif self._sex_of(e) is None:  # thresholds for men and for women are both required
                        targets_key = id(last_targets)
                        group = last_group.get(targets_key) or self._group()
                        last_group[targets_key] = group
                        for d in earlier:
                            d.group = group
                if (component := self._pressure_named_after(e)) is not None \
                        and all(t.concept_id in _PRESSURES for t in targets):
                    # "> 90 mmHg diastolic and/or 180 mmHg systolic", "blood pressure greater than 160
                    # mmHg systolic": the pressure named right after the value, its comparator shared
                    if cue("coordinated_values").search(self.text[last_value_end:e.start]):
                        e = _distributed(e, last_comparator)
                    self._measurement(component, e, group, condition_at(e.start))
                    last_targets, closed, last_value_end, last_comparator = [component], True, component.end, e.comparator
                    continue
                if not targets:
                    after = self._next_analyte(e)
                    if after is not None and (not self._can_read(after, e) or (
                            e.unit is None and self._unit_needed(after) and self.text[e.end:after.start].strip(" \t<>=≤≥"))):
                        # "at least one post-treatment free PSA blood test", "at least two menopausal FSH
                        # levels": a number without a unit, words before an analyte measured in one,
                        # counts something else ("19≤BMI", "10 cigarettes a day" adjoin theirs)
                        after = None
                    if (after is None or not cue("adjoining_gap").fullmatch(self.text[e.end:after.start])) \
                            and (defined := self._defined_by(e)) is not None:
                        # ("smokers with at least 10 pack-years": the analyte the value adjoins, cue
                        # ``adjoining_gap``, is read before what the condition is measured by)
                        # "severe anemia (<8 g/dL)": the threshold is what the condition means
                        self._defined_condition(e.start, defined.concept_id, e.unit)
                        self._measurement(defined, e, None, condition_at(e.start))
                        last_targets, closed, last_value_end, last_comparator = [defined], True, e.end, e.comparator
                    elif after is None and (counted := named_analyte(e.unit)) is not None:
                        # "drinking more than 5 units of alcohol per day": the unit says what is counted
                        n = len(self.drafts)
                        self._measurement(Entity(label="MEASUREMENT", text=e.text, start=e.start, end=e.end, concept_id=counted,
                                                 negated=e.negated), e, None, condition_at(e.start))
                        if self._negation_before(e.start) is not None:
                            # "Not drinking more than 2 alcoholic drinks per day": no analyte named for the
                            # negation to deny, so which side of the threshold is asked is not read
                            for d in self.drafts[n:]:
                                d.unresolved.append("a negation cue before an amount whose analyte its unit names: its scope is not read")
                        last_targets, closed, last_value_end, last_comparator = [], True, e.end, e.comparator
                    elif e.second_value is not None and e.unit == "mm[Hg]":
                        self._measurement(Entity(label="MEASUREMENT", text="", start=e.start, end=e.start), e, None,
                                          condition_at(e.start))
                    elif (e.unit in _CALENDAR_UNITS and self._age_word_before(e)) or (e.unit is None and self._age_word_before(e, close=True)):
                        self._age(e if e.unit else e.model_copy(update={"unit": "a"}), rule="age:after_age_word")
                    elif after is not None:
                        # "Score of less than or equal to 20 on the MMSE": the analyte follows
                        e = self._alternative_amount(e, after)
                        read_after.add(after.start)  # read with the value before it
                        if (defining := self._measured_by(e.start)) is not None:
                            # "smokers of more than 10 cigarettes a day", "history of smoking (less than a 3
                            # pack year history)": the threshold right after the condition is what it
                            # means, read in its place and with its polarity ("Not smoking more than 10 ...")
                            x = defining[0]
                            self._drop_condition(x)
                            after = Entity(label="MEASUREMENT", text=x.text, start=x.start, end=x.end, concept_id=after.concept_id,
                                           negated=x.negated)
                        self._measurement(after, e, None, condition_at(e.start))
                    elif (scale := self._staged(e)) is not None:
                        n = len(self.drafts)
                        self._measurement(scale, e, None, condition_at(e.start))
                        self._graded.append((scale.start, self.drafts[n:]))
                    elif (drug := self._dosed(e)) is not None:
                        self._doses.append((drug, e))
                    elif e.unit in _TIME_CODES and (e.comparator in (">", ">=", "<", "<=") or self._remission_time(e)):
                        loose_times.append(e)  # "Type 2 diabetes ... 3 years or more": read once windows are in
                    elif e.unit in _TIME_CODES and e.comparator is None and e.value_high is None and (
                            cue("since_start").match(self.text, e.end) or cue("after_start").match(self.text, e.end)):
                        since_times.append(e)  # "Four weeks from cytotoxic agents": how long ago a treatment was
                    continue  # a value with no analyte is not a constraint
                for t in targets:  # "anemia (hemoglobin < 8 g/dL)": the threshold is what the condition means
                    self._defined_condition(t.start, t.concept_id)
                cond = condition_at(e.start)
                if cond and group is None:
                    group = last_group.get(cond[2]) or self._group()
                    last_group[cond[2]] = group
                n = len(self.drafts)
                for t in targets:
                    self._measurement(t, e, group, cond)
                if band and self.effect == "exclude":
                    for d in (*band, *self.drafts[n:]):
                        d.together = f"{self.crit_id}.b{band[0].start}"
                last_targets, closed, last_value_end, last_comparator = targets, True, e.end, e.comparator
                continue
            if e.label == "TEMPORAL":
                if pending and not closed and (limit := self._time_limit(_most_specific(pending), e)) is not None:
                    # "progression to death within 24 hours": the limit of an expected time, no window
                    self._measurement(limit[0], limit[1], None, condition_at(e.start))
                    self._limits.add(e.start)
                    last_targets, closed, last_value_end, last_comparator = [limit[0]], True, e.end, limit[1].comparator
                continue  # windows attach once every constraint of the criterion exists
            state = self._function_state(e) if e.label == "OTHER" else None
            if state is not None:
                # "adequate renal function": no renal dysfunction; "abnormal liver function": hepatic dysfunction
                cid, abnormal = state
                # a function said adequate is judged so: a diagnosis filed under its dysfunction need
                # not make it inadequate ("adequate pulmonary function" and a mild asthma); an
                # impairment defined right after by what shows it is that ("Abnormal cardiac function
                # as manifested by NYHA class III or IV heart failure": cue ``defined_by_after``)
                judged = not abnormal or cue("defined_by_after").match(self.text, e.end) is not None
                self._add(Kind.CONDITION, e.start, e.end, concept=cid, present=abnormal, rule="mention:function_state",
                          unresolved=[_ADEQUACY] if judged else [])
                continue
            if e.label == "OTHER" and (entry := _lex().entries.get(e.concept_id or "")) is not None and entry.dysfunction:
                # "Renal function: creatinine < 2 mg/dL", "pulmonary function tests": a function or
                # test group said neither adequate nor impaired heads its analytes; nothing to compare
                self.stateless.append(e)
                continue
            kind = _PRESENCE_KIND.get(e.label)
            if e.concept_id in _REFERENCE_CONCEPTS:
                continue
            if kind is not None:
                if inside_condition(e):
                    continue  # "for those using anticoagulant": a qualifier, not a criterion
                if self._optional(e):
                    # "oophorectomy with or without hysterectomy", "radiotherapy +/- chemotherapy":
                    # neither required nor excluded (named in the criterion's reason)
                    self.optional.append(e)
                    continue
                if e.excepted and (m := self._required_unless(e, last_presence)) is not None:
                    # "may not participate unless they have agreed to use an effective contraceptive
                    # method", "women capable of becoming pregnant, unless they are using effective
                    # contraception": what the exception names is what the patient must have
                    barred = self.effect == "exclude" or bool(cue("barred").search(self.text[self.crit_span[0]:m]))
                    d = self._add(kind, e.start, e.end, concept=e.concept_id, present=True, rule="mention:unless",
                                  unresolved=["named by an exception ('unless ...'): read as "
                                              + ("required" if barred else "excluded") + " where the criterion applies"])
                    d.effect = "include" if barred else "exclude"
                    last_presence = d
                    continue
                if e.excepted:
                    if last_presence is not None:
                        if e.concept_id:
                            last_presence.excluded.append(e.concept_id)
                        else:
                            last_presence.unresolved.append(f"except {e.text!r}: no known concept")
                    continue
                key = (kind, e.concept_id, e.negated, e.hypothetical)
                if key in seen_concepts and not self._own_window(seen_concepts[key], e):
                    d = seen_concepts[key]
                    d.end = max(d.end, e.end)
                    continue
                if (kind == Kind.THERAPY or (kind == Kind.CONDITION and not _is_allergy(e.concept_id))) \
                        and (allergy := self._allergy_before(e, strict=kind == Kind.CONDITION)) is not None:
                    # "known allergies to penicillin or streptomycin": what the patient reacts to, not
                    # an exposure (a patient taking streptomycin without an allergy is not excluded)
                    self._allergens.setdefault(id(allergy), []).append(e)
                    continue
                if self._kind_by_negation(e):
                    continue
                d = self._presence(kind, e)
                if e.start in self._kind_heads:
                    d.unresolved.append(f"named as a kind by what it is not ({self._kind_heads[e.start]!r}): narrower than read")
                seen_concepts[key] = d
                last_presence = d
                self._infer(d, e, scope="evidence")
                continue
            if e.label == "CONSENT":
                if cue("consent_as_time").search(self.text[max(self.crit_span[0], e.start - _CONSENT_TIME_REACH):e.start]):
                    continue  # "aged ≥ 18 years at the time of consent", "(signing consent)": a time, no requirement
                if not any(d.kind == Kind.CONSENT for d in self.drafts):
                    self._add(Kind.CONSENT, e.start, e.end, present=self.effect == "include", rule="consent")
                continue
            if e.label == "JUDGEMENT":
                if not any(d.kind == Kind.JUDGEMENT for d in self.drafts):
                    self._add(Kind.JUDGEMENT, e.start, e.end, rule="judgement")
                continue
            if e.label == "SEX" and (e.start, e.end) not in self._sex_qualifiers:
                self._sex(e)
        self._allergies()
        self._analyte_states()
        self._put_doses()
        self._class_doses()
        for d in list(self.drafts):
            self._infer(d, None, scope="criterion")
        self._expand_compounds()
        self._or_groups()
        self._counted_items()
        self._scales_before_conditions()
        for t in self.ents:
            if t.label == "TEMPORAL" and t.start not in self._limits:
                self._window(t)
        for v in loose_times:
            self._loose_duration(v)
        for v in since_times:
            self._time_since(v)
        self._drop_examples()
        self._example_alternatives()
        self._pregnancy_not_required()
        self._use_frequency()
        self._age_conditions()
        self._age_group_conditions()
        self._aside_conditions()
        self._qualify()
        self._aside_condition_names()
        self._graded_together()
        self._lacking_together()
        self._target_as_subject()
        self._accompanied_together()
        self._caused_together()
        self._judged_exclusions()
        self._unread_stages()

    def _unread_stages(self) -> None:
        """A stage, grade or class of a diagnosis that no constraint reads ("COPD GOLD stage above
        II", "Chronic Kidney Disease (CKD) stages 4 and 5", "stage III or IV" before a cancer; cues
        ``stage_after_gap``, ``stage_before``, ``stage_before_gap``) is named in the reason, never
        dropped in silence; in an exclusion the diagnosis alone is then no certain reading: a
        patient at a milder stage is not what is excluded."""
        read = [d.evidence for d in self.drafts if d.kind != Kind.CONDITION and isinstance(d.evidence, tuple)]
        read += [(a.start - 40, a.end + 40) for a in self.uncoded_analytes if cue("scale_named").search(_uncoded_name(a))]
        values = [v for v in self.ents if v.label == "VALUE" and not any(a <= v.start < b for a, b in read)]
        if not values:
            return
        # a value in a unit a diagnosis can be measured in, not one named already as unfit or bare
        # ("alcohol abuse (>30g/day)"), nor a dose ("for thrombosis (≤ 100 mg/day)": the drug's)
        measured = [v for v in values if v.value is not None and v.unit != "{count}" and v.start not in self.unfit
                    and v.start not in self.bare and dimension(v.unit) not in _NO_DIAGNOSIS_THRESHOLD]
        before: list[tuple[_Draft, Entity]] = []  # drafts with the threshold written before them ("More than 5 degrees of")
        for d in self.drafts:
            if d.kind != Kind.CONDITION or not d.present:
                continue
            end = self._mention_end(d)
            if end is None:
                continue
            level = next((v for v in values if 0 <= v.start - end <= 40 and cue("stage_after_gap").fullmatch(self.text, end, v.start)), None) \
                or next((v for v in values if 0 <= d.start - v.end <= 30 and cue("stage_before_gap").fullmatch(self.text, v.end, d.start)
                         and cue("stage_before").search(self.text, max(self.crit_span[0], v.start - 12), v.start)), None)
            if level is not None:
                said = self.text[min(d.start, level.start):max(end, level.end)]
                self.unread_stages.append(said)
                if self.effect == "exclude":
                    d.unresolved.append(f"a stage or grade no record shows ({said!r})")
                continue
            # a measured threshold of the diagnosis itself, right after it or before it with "of"
            # ("scoliosis > 20°", "More than 5 degrees of varus or valgus deformity"): no record
            # shows it, and in an exclusion the plain diagnosis is not what is excluded
            level = next((v for v in measured if 0 <= v.start - end <= 3 and cue("threshold_after_gap").fullmatch(self.text, end, v.start)), None) \
                or next((v for v in measured if 0 <= d.start - v.end <= 12 and cue("threshold_before_gap").fullmatch(self.text, v.end, d.start)), None) \
                or next((v for o, v in before if self._conjuncts(o, d)), None)
            if level is None:
                continue
            if level.end <= d.start:
                before.append((d, level))
            said = self.text[min(d.start, level.start):max(end, level.end)]
            self.unread_thresholds.append(said)
            if self.effect == "exclude":
                d.unresolved.append(f"a threshold no record shows ({said!r})")

    def _target_as_subject(self) -> None:
        """Inside an exclusion, the trial's own diagnosis named with something else ("Patients
        with CLI indicated for major amputation" in a CLI trial) is whom the exclusion speaks of,
        not what it excludes: every eligible patient has it. It is dropped when another
        constraint remains and it carries no time, history or grade of its own (a "stroke within
        3 months" in a stroke trial is kept); named alone ("openings of anal fistula more than 2
        and 3", values no analyte reads) it is left open."""
        if self.effect != "exclude" or not self.targets:
            return
        lex = _lex()  # the trial's most specific diagnoses: "COVID-19 Infection" is COVID-19, not any infection
        own = {t for t in self.targets if not any(o != t and lex.is_a(o, t) for o in self.targets)}
        subject = [d for d in self.drafts if d.kind == Kind.CONDITION and d.concept in own and d.present
                   and d.window is None and not d.history and d.group is None and d.together is None
                   and not d.excluded and d.applies_if is None]
        if subject and any(d not in subject and d.kind != Kind.JUDGEMENT for d in self.drafts):
            self.drafts = [d for d in self.drafts if d not in subject]
        else:  # alone, it excludes what the trial requires: qualified by something not read
            for d in subject:
                d.unresolved.append("the trial's own diagnosis named in an exclusion, with nothing read that qualifies it")

    def _lacking_treatment_of(self, e: Entity) -> _Draft | None:
        """The condition a treatment mention qualifies by its absence: the condition read right
        before it, only a cue ``lacking_after`` ("without a functioning", "in the absence of a")
        between them."""
        before = [d for d in self.drafts if d.kind == Kind.CONDITION and d.present and d.end <= e.start]
        last = max(before, key=lambda d: d.end, default=None)
        if last is None:
            return None
        end = self._mention_end(last) or last.end
        return last if end <= e.start and cue("lacking_after").fullmatch(self.text[end:e.start]) else None

    def _lacking_together(self) -> None:
        """Each condition excluded only without a treatment forms one ALL group with that
        treatment's absence (``_lacking_treatment_of``); the absence goes with its condition
        when that was dropped (an example of another: "arrhythmia (... heart block in the absence
        of a functioning pacemaker)"), never left to exclude alone everyone without it."""
        for cond, d in self._lacking:
            if d not in self.drafts:
                continue
            if cond not in self.drafts:
                self.drafts = [x for x in self.drafts if x is not d]
            elif cond.group is None and d.group is None and cond.together is None:
                cond.together = d.together = f"{self.crit_id}.l{cond.start}"

    def _accompanied_together(self) -> None:
        """An exclusion of something only together with another ("Serum glucose level 300 to 400
        mg/dl and presence of urine ketones", "Acute systemic infection, accompanied by fever",
        "severe knee arthritis accompanied by severe varus deformity"; cue ``accompanied_by``)
        excludes only a patient who has both: what the sentence reads before the cue and after it
        form one ALL group; when nothing is read after it, what is read before is no certain
        exclusion alone. An inclusion requires all of its parts already."""
        if self.effect != "exclude":
            return
        for m in cue("accompanied_by").finditer(self.text, *self.crit_span):
            # what the cue qualifies stands right before it: nothing between but a comma ("mental
            # disorders, all diseases with the presence of the syndrome of dependence" qualifies
            # the diseases, not the disorders)
            before, after, b = self._around(m, "accompanied_gap")
            if before is None or any(d.group or d.together for d in (before, *after)):
                continue
            if after:
                g = f"{self.crit_id}.w{m.start()}"
                for d in (before, *after):
                    d.together = g
            else:
                said = " ".join(self.text[m.start():b].split())[:60]
                before.unresolved.append(f"excluded only together with what follows ({said!r}), which is not read")

    def _reading_end(self, d: _Draft) -> int:
        """Where the words a draft was read from end: a value's, for a numeric draft; the mention's
        otherwise (a window read since may have extended the draft itself)."""
        return d.end if d.kind in _NUMERIC else (self._mention_end(d) or d.end)

    def _around(self, m: Match[str], gap: str, kinds: tuple[Kind, ...] = ()) -> tuple[_Draft | None, list[_Draft], int]:
        """The exclusion drafts (of ``kinds``, or any) a cue match joins in its sentence: the
        nearest before it with nothing but cue ``gap`` between, those after it, and where the
        sentence ends."""
        a, b = self._sentence_span(m.start(), m.end())
        drafts = [d for d in self.drafts if d.effect == "exclude" and (not kinds or d.kind in kinds)]
        near = [d for d in drafts if a <= d.start and d.end <= m.start() and cue(gap).fullmatch(self.text[self._reading_end(d):m.start()])]
        after = [d for d in drafts if m.end() <= d.start and d.end <= b]
        return max(near, key=lambda d: d.end, default=None), after, b

    def _caused_together(self) -> None:
        """An exclusion of a condition caused by another ("orchitis secondary to mumps", "fatigue
        due to chronic kidney disease, iron deficiency anemia ..."; cue ``caused_by_join``)
        excludes neither alone: every patient with mumps, or with anemia, was turned away. With one
        cause read after the cue, the two form one ALL group; with several (alternatives), each is
        left to a reviewer. Either way the cause itself is what no record shows: the condition
        before the cue is not certain alone."""
        if self.effect != "exclude":
            return
        for m in cue("caused_by_join").finditer(self.text, *self.crit_span):
            before, after, b = self._around(m, "caused_gap", (Kind.CONDITION,))
            if before is None or not after or any(d.group or d.together for d in (before, *after)):
                continue
            said = " ".join(self.text[m.start():b].split())[:60]
            before.unresolved.append(f"excluded only when caused by what follows ({said!r}), which no record shows")
            if len(after) == 1:
                before.together = after[0].together = f"{self.crit_id}.c{m.start()}"
            else:
                for d in after:
                    d.unresolved.append(f"named as a cause of {self.text[before.start:self._reading_end(before)]!r}, not excluded alone")

    def _judged_exclusions(self) -> None:
        """An exclusion of a condition or value that the investigator's judgement qualifies ("any
        underlying or current medical or psychiatric condition that, in the opinion of the
        Investigator, would interfere with ...", "PT < 9 or >11.6 seconds and in the opinion of the PI
        ... contraindicated"; cues ``judged_join_before`` right before the judgement phrase,
        ``judged_head_gap`` between the mention and the join) excludes it only as the investigator
        judges: every patient with a psychiatric diagnosis was turned away. The mention the
        relative clause attaches to is left to a reviewer, with the mentions listed before it
        (cue ``judged_list_join``) and the other values of its analyte in the sentence."""
        if self.effect != "exclude":
            return

        end = self._reading_end
        for j in self.ents:
            if j.label != "JUDGEMENT" or j.concept_id != "investigator_judgement":
                continue
            a, _ = self._sentence_span(j.start, j.end)
            m = cue("judged_join_before").search(self.text, a, j.start)
            if m is None:
                continue
            before = [d for d in self.drafts if a <= d.start and d.effect == "exclude" and d.kind in (Kind.CONDITION, Kind.MEASUREMENT)
                      and end(d) <= m.start()]
            if not before:
                continue
            near = max(before, key=end)
            if not cue("judged_head_gap").fullmatch(self.text, end(near), m.start()):
                continue
            judged = [near]
            if near.kind == Kind.MEASUREMENT:
                judged += [d for d in before if d is not near and d.kind == Kind.MEASUREMENT and d.concept == near.concept]
            else:
                for d in sorted((d for d in before if d is not near and d.kind == Kind.CONDITION), key=end, reverse=True):
                    if not cue("judged_list_join").fullmatch(self.text, end(d), judged[-1].start):
                        break
                    judged.append(d)
            said = " ".join(self.text[m.start():j.end].split())
            for d in judged:
                d.unresolved.append(f"excluded only as the investigator judges ({said!r})")

    def _scales_before_conditions(self) -> None:
        """A scale's levels named right before the condition the scale stages ("NYHA Class III or
        IV heart failure", "GOLD stage 3-4 COPD") grade that condition, as a level with no
        analyte next to it does (``_staged``): the same clause, nothing but spaces or a hyphen
        between them (``_graded``)."""
        for m in self.drafts:
            if m.kind != Kind.MEASUREMENT or not m.concept or not m.bounds:
                continue
            for d in self.drafts:
                if d.kind == Kind.CONDITION and d.concept and m.end <= d.start \
                        and cue("scale_condition_gap").fullmatch(self.text[m.end:d.start]) \
                        and _lex().inherited(d.concept, "staged_by") == m.concept:
                    if not any(start == d.start and m in grades for start, grades in self._graded):
                        self._graded.append((d.start, [m]))
                    break

    def _graded_together(self) -> None:
        """An exclusion of a condition at a grade ("spondylolisthesis > grade II", "Grade III and
        IV knee OA") excludes the condition only at that grade: the condition and its grade form
        one ALL group (a patient with a milder grade is not excluded). An inclusion requires all
        of its parts already."""
        if self.effect != "exclude":
            return
        for start, grades in self._graded:
            cond = [d for d in self.drafts if d.kind == Kind.CONDITION and d.start == start and d.group is None]
            grades = [g for g in grades if g in self.drafts and g.group is None]
            if len(cond) == 1 and grades:
                g = f"{self.crit_id}.t{start}"
                for d in (*cond, *grades):
                    d.together = g

    def _required_unless(self, e: Entity, before: _Draft | None) -> int | None:
        """Where the "unless" stands whose exception ``e`` is, when that exception is no carve-out
        of the concept read before it (nothing before, or a concept ``e`` is not a kind of); else
        None (an "except"/"other than", or "malignancy, unless it is a basal cell carcinoma")."""
        a, _ = self._sentence_span(e.start, e.end)
        m = cue("unless_lead").search(self.text[a:e.start])
        if m is None:
            return None
        if before is not None and before.concept and e.concept_id and _lex().is_a(e.concept_id, before.concept):
            return None
        return a + m.start()

    def _optional(self, e: Entity) -> bool:
        """Whether ``e`` is what "with or without" (cue ``optional_lead``: also "with/without",
        "+/-", "±" before a word) leaves optional: right after the cue (a few modifiers between:
        "with or without an annular fissure"), or joined by "or" / "and" to the optional mention
        before it ("with or without an annular fissure or a contained disc herniation"; the join
        of cue ``negated_list_join``)."""
        s0 = max(self.crit_span[0], e.start - 120)
        # searched up to the mention's end: "±" is a cue only before a word (not "Day 7±1")
        leads = [m for m in cue("optional_lead").finditer(self.text, s0, e.end) if m.end() <= e.start]
        if not leads:
            return False
        lead_end = leads[-1].end()
        if cue("optional_gap").match(self.text[lead_end:e.start]):
            return True
        prev = self.optional[-1] if self.optional else None
        return prev is not None and lead_end <= prev.start and prev.end <= e.start \
            and cue("negated_list_join").fullmatch(self.text[prev.end:e.start]) is not None

    def _non_prefix(self, e: Entity) -> Match[str] | None:
        """The "non-" right before a mention (cue ``prefix_negation``: "non-smoker", "non-cardiac"),
        matched in the four characters before it, inside the criterion."""
        return cue("prefix_negation").search(self.text[max(self.crit_span[0], e.start - 4):e.start])

    def _kind_by_negation(self, e: Entity) -> bool:
        """"non-" before a mention that modifies what follows it ("Non-cardiac condition that limits
        lifespan", "non-epileptic seizures", "non-ischemic cardiomyopathy", "Non-steroid
        anti-inflammatory"; cue ``negated_kind_head``) or that is itself a modifier and its head
        ("non-hematological malignancy", "non-invasive mechanical ventilation") names a kind of the
        thing by what it is not: nothing about the patient's lack of the word negated (each was read
        as its absence: in an exclusion, every patient without heart disease, without epilepsy,
        without steroids was turned away). Named in the criterion's reason (``unread_kinds``), no
        constraint; "non-smoker", "non-pregnant women", "non-dialysis dependent" are absences."""
        s0, s1 = self.crit_span
        prefix = self._non_prefix(e)
        if prefix is None:
            return False
        head = cue("negated_kind_head").match(self.text[e.end:min(s1, e.end + 60)])
        if head is None and (len(e.text.split()) < 2 or cue("negated_state_end").search(e.text)):
            return False
        end = e.end + head.end() if head is not None else e.end
        said = self.text[max(s0, e.start - 4) + prefix.start():end]
        self.unread_kinds.append(said)
        if head is not None:
            # the thing it names a kind of, read as a mention of its own, is broader than the kind
            # ("non-diabetic renal disease" is no renal disease at large)
            self._kind_heads[e.end + head.start("head")] = said
        return True

    def _presence(self, kind: Kind, e: Entity) -> _Draft:
        unresolved = []
        if kind == Kind.CONDITION and cue("result_negative_after").match(self.text, e.end):
            # "EBV-negative", "Cytomegalovirus (CMV) sero-negativity", "EBV naïve": the result of
            # the test for it written right after the infection: the patient lacks it, in either
            # section ("Exclusion: EBV-negative" turns away the seronegative, not the infected)
            a, b = self._sentence_span(e.start, e.end)
            mixed = self.effect == "exclude" and cue("result_positive").search(self.text[a:b]) is not None
            return self._add(kind, e.start, e.end, concept=e.concept_id, present=False, rule="mention:result_negative",
                             unresolved=["a negative result named beside positive ones inside an exclusion"] if mixed else [])
        if self.effect == "include" and self._test_result(e) == "negative":
            # "negative pregnancy test", "PPD test negative": a test result, read as the
            # condition's absence (a positive result is its presence; inside an exclusion a
            # negative test restates what inclusion asks, and the exclusion is the reading)
            return self._add(kind, e.start, e.end, concept=e.concept_id, present=False, rule="mention:test_negative")
        if self._non_prefix(e) is not None:
            # "non-nursing", "non-smoker": the word itself is negated
            return self._add(kind, e.start, e.end, concept=e.concept_id, present=False, rule="mention:non_prefix")
        if cue("free_suffix").match(self.text, e.end):
            # "cancer-free for at least 5 years", "seizure free": the word itself is denied; inside an
            # exclusion it is mostly what is permitted ("(Cancer free for at least 5 years is
            # permitted)"), never a certain exclusion of the patients free of it
            return self._add(kind, e.start, e.end, concept=e.concept_id, present=False, rule="mention:free_suffix",
                             unresolved=[] if self.effect == "include" else
                             ["free of it, named inside an exclusion: what is permitted, not whom it excludes"])
        lead = self.clause_before(e.start)
        if self._refused(e, lead) or (kind == Kind.CONDITION and self._refused(e, lead, "inability_to_use")):
            # "unwilling to use contraception", "not practicing birth control", "refuses ...": a
            # refusal is the patient's own behaviour, read literally in either section (the
            # patient does not use it); "unwilling to stop X" is not a refusal of X. So is an
            # inability to use a behaviour ("not able to use contraceptives"); not a drug's ("not
            # able to use an antiarrhythmic drug" is a contraindication, no non-use)
            return self._add(kind, e.start, e.end, concept=e.concept_id, present=False, rule="mention:refusal")
        if self.effect == "exclude" and (m := cue("use_requirement").search(lead)):
            # "Exclusion: ... Females of childbearing potential must agree to use an acceptable birth
            # control method": what the patient must do, its effect that of an inclusion
            d = self._add(kind, e.start, e.end, concept=e.concept_id, present=True, rule="mention:use_requirement",
                          unresolved=[f"a requirement to use it ({m.group(0)!r}) inside an exclusion, read as required"])
            d.effect = "include"
            return d
        if (e.negated and self.effect == "exclude" and kind in (Kind.THERAPY, Kind.PROCEDURE)
                and (cond := self._lacking_treatment_of(e)) is not None):
            # "complete heart block in the absence of a pacemaker", "ventricular tachycardia without
            # an ICD": the condition is excluded only without the treatment (cue ``lacking_after``):
            # the two form one ALL group, the treatment absent (it was read as an exclusion of the
            # treatment's carriers)
            d = self._add(kind, e.start, e.end, concept=e.concept_id, present=False, rule="mention:lacking")
            self._lacking.append((cond, d))
            return d
        if e.negated and self.effect == "exclude" and cue("negation").search(lead):
            # "Exclusion: patients not on anticoagulants": a negation in the mention's own clause
            # inside an exclusion is ambiguous (the exclusion itself is the reading kept). A cue
            # that spilled over from elsewhere ("... are excluded", the next conjunct's "not") is
            # ConText's scope, not the text's: the exclusion stands.
            unresolved.append("a negation cue inside an exclusion: read as the exclusion itself")
        present = not (e.negated and self.effect == "include")
        if kind == Kind.CONDITION and (m := cue("of_another_person").search(
                self.text[self._sentence_span(e.start, e.end)[0]:e.start])):
            # "Infants of healthy mothers with uncomplicated pregnancies at term", "Infants born to
            # mothers ... HIV, Hepatitis B": the mother's condition, not the patient's (every
            # infant was turned away for not being pregnant)
            unresolved.append(f"said of another person than the patient ({m.group(0)!r})")
        # the mention's clause back to punctuation, across "or" and "and" (a cue before a list
        # governs each item), where the cues about conditions and treatments below are read
        clause = self.clause_before(e.start, "clause_punctuation") if kind in (Kind.CONDITION, Kind.THERAPY, Kind.PROCEDURE) else ""
        if kind == Kind.CONDITION:
            if m := cue("modifier_of_treatment").search(self.text[e.end:self.crit_span[1]]):
                # "leg ulcer compression bandage", "heart failure medication": the condition
                # names what a treatment is for; the criterion is about the treatment
                unresolved.append(f"the condition names what a treatment is for ({m.group(0).strip()!r})")
            elif m := cue("intolerance").search(lead):
                unresolved.append(f"about tolerating it ({m.group(0)!r}), not about having it")
            elif m := cue("cause_denied").search(clause):
                # "respiratory failure not fully explained by cardiac failure or fluid overload":
                # named as what does not cause another finding, neither required nor excluded
                unresolved.append(f"named as what does not explain another finding ({m.group(0)!r})")
            elif (self.effect == "exclude" or e.negated) \
                    and (m := cue("treatment_for_before").search(clause)):
                # "They have never received therapy for chronic GVHD", "Not taking any medications
                # for diabetes", "Exclusion: Patients receiving treatment for type 2 diabetes": the
                # condition names what a treatment is for; the criterion, its negation and its
                # exclusion are about the treatment (a cGVHD trial required no cGVHD). An inclusion
                # of "therapy for active ulcerative colitis" does imply the colitis: kept
                unresolved.append(f"the condition names what a treatment is for ({' '.join(m.group(0).split())!r})")
            elif m := cue("prevented_before").search(clause):
                # "quinolone antibiotic therapy for treatment or for prevention of infections",
                # "anticoagulation therapy (for prevention of cerebral infarction)": what is
                # prevented is not the patient's condition ("secondary prevention of ischemic
                # stroke" is: it follows one)
                unresolved.append(f"named as what is prevented ({' '.join(m.group(0).split())!r}), not a condition asked about")
            elif m := cue("caused_by_treatment").search(clause):
                # "Taking medications known to cause gingival enlargement", "drugs that may cause or
                # aggravate pulmonary fibrosis": what a treatment causes or affects, not the
                # patient's condition (the gingival-enlargement trial excluded its own patients)
                unresolved.append(f"named as what a treatment causes or affects ({' '.join(m.group(0).split())!r}), not a condition asked about")
            if self.effect == "exclude" and (m := self._severity(e)) is not None:
                # "uncontrolled hypertension", "severe renal impairment", "clinically significant
                # cardiac disease": a severity or a control no diagnosis in a record shows; a patient
                # with the plain diagnosis is for a reviewer, not turned away
                unresolved.append(f"a severity or control the record cannot show ({m.group(0)!r})")
        if kind in (Kind.THERAPY, Kind.PROCEDURE) and (m := cue("cause_suffix").match(self.text, e.end)):
            # "steroid-induced diabetes", "chemotherapy-induced neuropathy", "catheter-related
            # infection": the treatment names the cause of a condition; the criterion is about that
            unresolved.append(f"names the cause of a condition ({m.group(0).strip(' -')!r}), not a treatment asked about")
        elif kind == Kind.PROCEDURE and (m := cue("treatment_purpose_before").search(clause)):
            # "a recipient of prior stem cell/progenitor cell therapy for spinal fusion surgery": the
            # operation names what a treatment was for; the criterion is about the treatment
            unresolved.append(f"names what a treatment was for ({' '.join(m.group(0).split())!r}), not a procedure asked about")
        elif kind in (Kind.THERAPY, Kind.PROCEDURE) and (m := cue("not_candidate").search(clause)):
            # "not amenable to percutaneous coronary intervention", "not a candidate for surgery": a
            # judgement on whether it could be given, not whether it was
            unresolved.append(f"named as a treatment the patient is not a candidate for ({m.group(0)!r})")
        elif kind in (Kind.THERAPY, Kind.PROCEDURE) and (
                (m := cue("treatment_judged").search(clause))
                or (m := cue("treatment_judged_after").search(self.text[e.end:self.crit_span[1]]))):
            # "indicated for major amputation", "contraindication to anesthesia", "amputation is
            # not anticipated": whether it could or should be given, not whether it was
            unresolved.append(f"named as a treatment judged for the patient ({m.group(0).strip()!r}), not one received")
        elif kind in (Kind.THERAPY, Kind.PROCEDURE) and (m := cue("treatment_acted_on").search(clause)):
            # "medications known to significantly interact with corticosteroid", "other therapy that
            # possibly influence MSC", "as these may affect selumetinib": what another treatment
            # would act on (the trial's own, mostly), not one the patient takes
            unresolved.append(f"named as what another treatment acts on ({' '.join(m.group(0).split())!r}), not one received")
        if kind == Kind.THERAPY and self.effect == "include" and (m := cue("stable_if_taken").match(self.text, e.end, self.crit_span[1])) \
                and cue("dose_word").search(self.text, self._sentence_span(e.start, e.end)[0], m.end()):
            # "The dose of steroids must have been stable for at least 2 weeks", "Insulin dose and
            # metformin doses should be stable": asked of those who take it, not a requirement to
            unresolved.append("a stable dose asked of those who take it, read as a requirement to take it")
        naive_after = cue("treatment_naive_after").match(self.text, e.end) if kind in (Kind.THERAPY, Kind.PROCEDURE) else None
        if kind in (Kind.THERAPY, Kind.PROCEDURE) and (cue("treatment_naive").search(lead) or naive_after):
            present = False  # "naïve to TNF inhibitors", "chemotherapy-naïve": no prior exposure
            if naive_after and cue("naive_alternative").match(self.text, naive_after.end()):
                # "riluzole naive or stable dose for at least 2 months": the patient may meet the other
                unresolved.append("naïve or an alternative after 'or'")
        # "will be excluded if they have received any surgery": an exposure told in the past
        # after the hypothetical cue is a fact of the history, not a plan
        hyp = [m.end() for m in cue("hypothetical").finditer(lead)]
        planned = e.hypothetical and bool(hyp) and not cue("past_exposure").search(lead, hyp[-1])
        # "No prior chemotherapy": the past word is inside the negation's own cue, which ConText
        # keeps instead of its historical modifier (cue ``past_word``); "no chemotherapy prior to
        # enrollment": before the trial, ever (a time would make it a window)
        history = e.historical or (not present and kind in (Kind.THERAPY, Kind.PROCEDURE) and (
            cue("past_word").search(lead) is not None or cue("past_exposure").search(lead) is not None
            or cue("past_word_after").match(self.text, e.end, self.crit_span[1]) is not None))
        d = self._add(kind, e.start, e.end, concept=e.concept_id, present=present, history=history,
                      planned=planned, unresolved=unresolved, rule="mention")
        if kind == Kind.CONDITION and e.concept_id and cue("other_than_target").search(lead):
            # "other malignancy", "a different malignancy" in a cervical-cancer trial: the trial's
            # own diagnoses under the concept are carved out
            lex = _lex()
            d.excluded.extend(t for t in self.targets if t != e.concept_id and lex.is_a(t, e.concept_id))
        return d

    def _refused(self, e: Entity, lead: str, name: str = "refusal") -> bool:
        """Whether a refusal cue (``name``) in the mention's clause governs it: the mention is the
        first concept after the cue ("not willing to use contraception to prevent pregnancy"
        refuses the contraception, not the pregnancy)."""
        found = list(cue(name).finditer(lead))
        if not found:
            return False
        m = found[-1]
        after = e.start - len(lead) + m.end()
        return not any(x.concept_id and after <= x.start and x.end <= e.start for x in self.ents)

    def clause_before(self, pos: int, boundary: str = "clause_boundary") -> str:
        """The words of the criterion from the last clause boundary (punctuation, "or", "and")
        up to ``pos``: where a cue governing the word at ``pos`` must stand. ``boundary``
        "clause_punctuation": from the last punctuation only, across "or" and "and" (a cue before
        a list governs each of its items)."""
        return self.text[self.clause_start(pos, boundary):pos]

    def clause_start(self, pos: int, boundary: str = "clause_boundary") -> int:
        """Where the clause holding ``pos`` starts (``clause_before``'s words begin there)."""
        s0, _ = self.crit_span
        return s0 + max((m.end() for m in cue(boundary).finditer(self.text[s0:pos])), default=0)

    def without_asides(self, start: int, end: int) -> str:
        """The text from ``start`` to ``end`` less the parentheticals that lie wholly inside it
        ("ARDS (PaO2/FiO2 ratio <= 200 mmHg) for less than 96 hours": " for less than ")."""
        out, at = [], start
        for o, c in sorted(self._asides):
            if at <= o and c < end:
                out.append(self.text[at:o])
                at = c + 1
        return "".join(out) + self.text[at:end]

    def _test_result(self, e: Entity) -> str | None:
        """"negative" / "positive" when the mention names what a test looks for ("negative serum
        pregnancy test", "tuberculosis skin (PPD) test negative"), else None."""
        s0, s1 = self.crit_span
        if not cue("test_after").search(self.text[e.end:min(s1, e.end + 40)]):
            return None
        near = self.sentence(max(s0, e.start - 40), min(s1, e.end + 60))
        return "negative" if cue("test_negative").search(near) else None

    @cached_property
    def _sentence_ends(self) -> list[int]:
        """Where the criterion's sentences end (offsets in the eligibility text), found once."""
        s0, s1 = self.crit_span
        return [m.end() for m in cue("sentence_end").finditer(self.text, s0, s1)]

    def _sentence_between(self, end: int, start: int) -> bool:
        """Whether a sentence of the criterion ends between ``end`` and ``start``."""
        return any(end <= x <= start for x in self._sentence_ends)

    def _sentence_span(self, start: int, end: int) -> tuple[int, int]:
        s0, s1 = self.crit_span
        a = max((x for x in self._sentence_ends if x <= start), default=s0)
        b = min((x for x in self._sentence_ends if x >= end), default=s1)
        return a, b

    def sentence(self, start: int, end: int) -> str:
        """The sentence of the criterion around ``start``..``end`` (clipped to those bounds when
        they already lie inside one sentence)."""
        a, b = self._sentence_span(start, end)
        return self.text[a:b]

    def _alternatives_said(self) -> bool:
        """Whether the criterion offers alternatives: an "or" (cue ``or``) outside its values (not
        the "or" of a comparator, "greater or equal to 120 msec") or a "one of" (cue ``any_of``)."""
        values = [(x.start, x.end) for x in self.ents if x.label in _VALUE_LABELS or x.label == "AGE"]
        return any(not any(a <= m.start() and m.end() <= b for a, b in values)
                   for m in cue("or").finditer(self.text, *self.crit_span)) \
            or cue("any_of").search(self.text, *self.crit_span) is not None

    def _severity(self, e: Entity) -> Match[str] | None:
        """A severity or control word (cue ``severity_word``) in the mention, a control denied
        right after it (cue ``severity_after``: "hypertension not controlled by drugs"), or the
        last such word in the ``_SEVERITY_REACH`` characters before it, back to the sentence's
        punctuation (cue ``severity_cut``: commas and "or" kept, "clinically significant,
        uncontrolled, or active cardiovascular disease") and governing it; none when the
        concept's own name holds it ("severe aplastic anemia" is a diagnosis of its own)."""
        rx = cue("severity_word")
        entry = _lex().entries.get(e.concept_id or "")
        if entry is not None and rx.search(entry.name):
            return None
        if m := rx.search(e.text) or cue("severity_after").match(self.text, e.end, self.crit_span[1]):
            return m  # "uncontrolled hypertension", "hypertension not controlled by drugs"
        start = max(self.crit_span[0], e.start - _SEVERITY_REACH)
        before = self.text[start:e.start]
        start += max((c.end() for c in cue("severity_cut").finditer(before)), default=0)  # commas and "or" kept
        found = list(rx.finditer(self.text, start, e.start))
        if not found:
            return None
        m = found[-1]
        # the word governs this mention: no other mention and no post-modifier between ("hypertension
        # not controlled by drugs, ..., cirrhosis"; "Severe infection and cardiovascular disease")
        # (an unspecified illness is no mention: "severe concomitant diseases such as COPD" is severe COPD)
        if any((x.start, x.end) not in self._illness_spans
               and ((m.end() <= x.start and x.end <= e.start) or (x.start <= m.start() and m.end() <= x.end))
               for x in self.ents) \
                or cue("severity_gap_blocker").search(self.text, m.end(), e.start):
            return None
        return m

    def _threshold_for(self, d: _Draft) -> Match[str] | None:
        """The "for <condition>" that follows a threshold in the aside holding ``d`` ("Total
        bilirubin ≤ 1.5 × ULN (≤ 3 × ULN for Gilbert's syndrome)", "(< 5 x ULN in patients with
        liver metastases)": cue ``aside_for_condition`` right before a condition): the aside is
        an alternative threshold under that condition, like one opened by "if"."""
        span = self._aside_span_at(d.end - 1)
        if span is None:
            return None
        o, c = span
        for x in self.ents:
            if x.label != "CONDITION" or not (o < x.start < c):
                continue
            m = cue("aside_for_condition").search(self.text, o + 1, x.start)
            if m is not None and m.end() == x.start and any(
                    t.kind == Kind.MEASUREMENT and o < t.end <= m.start() for t in self.drafts):
                return m
        return None

    def _alternative_thresholds(self, d: _Draft) -> None:
        """A threshold in a conditional aside is an alternative to the same analyte's threshold
        before it ("ALT <= 2.5 x ULN (<= 5 x ULN if liver metastases)"): in an inclusion either
        qualifies (one OR group); in an exclusion the first is no longer certain on its own."""
        for o in self.drafts:
            if o is d or o.end >= d.end or o.kind != d.kind or o.concept != d.concept \
                    or any(u.startswith("read inside a conditional aside") for u in o.unresolved):
                continue
            if self.effect == "include":
                g = o.group or d.group or self._group()
                o.group = d.group = g
            elif not any(u.startswith("an alternative threshold") for u in o.unresolved):
                o.unresolved.append("an alternative threshold applies under a condition (a conditional aside after it)")

    @cached_property
    def _asides(self) -> list[tuple[int, int]]:
        """The parentheticals of the criterion, innermost first ((open, close) offsets; an
        unclosed one runs to the criterion's end)."""
        s0, s1 = self.crit_span
        seg = self.text[s0:s1]
        if "(" not in seg:
            return []
        spans: list[tuple[int, int]] = []
        opens: list[int] = []
        for i, ch in enumerate(seg):
            if ch == "(":
                opens.append(s0 + i)
            elif ch == ")" and opens:
                spans.append((opens.pop(), s0 + i))
        spans.extend((o, s1) for o in reversed(opens))
        return spans

    def _aside_span_at(self, pos: int) -> tuple[int, int] | None:
        """The (open, close) offsets of the innermost parenthetical of the criterion holding ``pos``."""
        inner = [(o, c) for o, c in self._asides if o < pos < c]
        return min(inner, key=lambda oc: oc[1] - oc[0]) if inner else None

    def _aside_at(self, pos: int) -> str | None:
        """The innermost parenthetical of the criterion holding ``pos``, without its brackets."""
        span = self._aside_span_at(pos)
        return self.text[span[0] + 1:span[1]] if span else None

    def said_of(self, d: _Draft) -> str:
        """The sentence of a draft without what qualifies something else: the parenthetical
        asides that do not hold it ("X (excluding Y if Z)"), and an exception after it ("X,
        except Y if fully excised": the "if" is the exception's)."""
        offset, b = self._sentence_span(d.start, d.end)
        said = self.text[offset:b]
        cut = next((m.start() for m in cue("exception").finditer(said) if offset + m.start() >= d.end), None)
        if cut is not None:
            # "skin cancers, except for melanoma, are permitted": a predicate after the exception's
            # closing comma (cue ``exception_resumed``) is said of the draft again
            close = said.find(",", cut)
            resumed = close > 0 and cue("exception_resumed").match(said, close + 1) is not None
            said = said[:cut] + (said[close + 1:] if resumed else "")
        out, depth, keep_from, opened = [], 0, 0, 0
        for i, ch in enumerate(said):
            if ch == "(":
                if depth == 0:
                    out.append(said[keep_from:i])
                    opened = i
                depth += 1
            elif ch == ")" and depth:
                depth -= 1
                if depth == 0:
                    inside = offset + opened <= d.start and d.end <= offset + i + 1
                    if inside:
                        out.append(said[opened:i + 1])
                    keep_from = i + 1
        out.append(said[keep_from:] if depth == 0 else said[opened:])
        return " ".join(out)

    def _age_conditions(self) -> None:
        """An age in a conditional clause (cue ``age_condition``: "Karnofsky score 60% or greater
        if 10 yrs old or older", "<= 1.5 mg/dL for patients 12 years old and older", "Lansky >= 60%
        (age <12 years)", "For children < 7 years of age ..., SpO2 > 92%") says to whom the
        thresholds of its clause apply, not the patient's age: it becomes their ``applies_if`` and
        no age constraint of its own. A condition that opens its sentence governs the thresholds
        after it in the sentence; a later one those before it, back to the sentence's start or the
        sentence's previous age condition; one that opens an aside with more after it ("(Patients
        >= 16 years of age must have a Karnofsky ...") the thresholds after it in the aside. Forward,
        a condition reaches the sentence's next age at most. An age condition that governs no
        threshold read stays an age, never certain, unless it is a bracket after the people it
        describes ("Adult patients (age 18-60 years)")."""
        ages = self._ages_by_span(lambda d: d.rule == "age")
        last_end: dict[int, int] = {}  # a sentence's start -> the end of its last age condition
        for (start, end), ds in ages.items():
            if len({d.unit for d in ds}) != 1:
                continue
            a, b = self._sentence_span(start, end)
            m = cue("age_condition").search(self.text[a:start])
            if m is None:
                continue
            aside = next(((o, c) for o, c in self._asides if o == a + m.start()), None) if m.group(0).startswith("(") else None
            after = min((s for s, _ in ages if end <= s < b), default=b)  # up to the sentence's next age
            if aside is not None and self.text[end:aside[1]].strip(" ,;:.)"):
                lo, hi = end, min(aside[1], after)  # "(Patients >= 16 years of age must have a Karnofsky ...)"
            elif not self.text[a:a + m.start()].strip(" \t\n-*•:"):
                lo, hi = end, after  # "For children < 7 years of age ..., SpO2 > 92%"
            else:
                lo, hi = last_end.get(a, a), a + m.start()
            governed = [o for o in self.drafts if o.kind in _MEASURED and o.applies_if is None and lo <= o.start and o.end <= hi]
            if not governed:
                if m.group(0).startswith("("):
                    continue  # "Adult patients (age 18-60 years)": the patient's own age, stated in brackets
                # "... and =< 1 for patients younger than 12 years old": what it conditions went unread
                for d in ds:
                    d.unresolved.append(f"an age in a conditional clause ({m.group(0).strip()!r} ...) that conditions "
                                        "nothing read, not surely the patient's own")
                continue
            self._govern(governed, AgeCondition(range=_numeric_range([x for d in ds for x in d.bounds], ds[0].unit)), ds)
            last_end[a] = end

    def _ages_by_span(self, keep: Callable[[_Draft], bool]) -> dict[tuple[int, int], list[_Draft]]:
        """The age drafts ``keep`` accepts, grouped by the span they were read from (a range gives
        one draft per end), in text order."""
        ages: dict[tuple[int, int], list[_Draft]] = {}
        for d in self.drafts:
            if d.kind == Kind.AGE and keep(d):
                ages.setdefault((d.start, d.end), []).append(d)
        return dict(sorted(ages.items()))

    def _within_aside(self, value: Entity, targets: list[Entity]) -> list[Entity]:
        """A value inside an aside that names its own analyte is that analyte's alone: "Total calcium
        values outside the normal range (corrected if albumin < LLN)" gives calcium no limit."""
        aside = self._aside_span_at(value.start)
        own = [t for t in targets if aside is not None and aside[0] < t.start]
        return own or targets

    def _unrestated_targets(self, targets: list[Entity]) -> list[Entity]:
        """The analytes that share one value, less one the next restates (cue ``analyte_restated``:
        "Weight overload expressed in body mass index (BMI) greater than 30.5" is a BMI, not a
        weight of 30.5 kg; "a blood pressure of carbon dioxide at rest (PaCO2)" is the PaCO2). A
        bracketed analyte that is one term of the ratio before it restates only that term: the
        ratio stays ("FEV1/Forced Vital Capacity (FVC) ratio")."""
        dropped: set[int] = set()
        for t, nxt in itertools.pairwise(targets):
            between = self.text[t.end:nxt.start]
            if not cue("analyte_restated").search(between):
                continue
            if between.rstrip().endswith("(") and not self.text[nxt.end:nxt.end + 3].lstrip().startswith(")"):
                continue  # the bracket holds more than the one analyte ("alanine aminotransferase (AST/ALT)")
            dropped.add(id(nxt) if self._term_of_ratio(nxt, t) else id(t))
        return [t for t in targets if id(t) not in dropped]

    @staticmethod
    def _term_of_ratio(part: Entity, whole: Entity) -> bool:
        """Whether ``part`` names one term of the ratio ``whole`` is ("FVC" of "FEV1/FVC")."""
        lex = _lex()
        w, p = lex.get(whole.concept_id or ""), lex.get(part.concept_id or "")
        if w is None or p is None:
            return False
        terms = {x for a in w.abbreviations if "/" in a for x in a.split("/")}
        return bool(terms & {part.text, *p.abbreviations})

    def _age_group_conditions(self) -> None:
        """Inside an exclusion, an age that opens its sentence after the people it describes and
        is followed by what else they are (cues ``age_group_subject``, ``age_group_restrictor``:
        "Adults over 60 with diabetes", "Patients older than 65 years who have heart failure")
        says whom the rest excludes: it becomes the ``applies_if`` of the sentence's other
        constraints after it and no exclusion by age alone (which would turn away everyone over
        60). When nothing after it was read ("Adult over 18 who are under a legal protection
        measure"), the age stays, never certain."""
        if self.effect != "exclude":
            return
        for (start, end), ds in self._ages_by_span(lambda d: d.rule.startswith("age") and d.applies_if is None).items():
            a, b = self._sentence_span(start, end)
            if len({d.unit for d in ds}) != 1 or not cue("age_group_subject").search(self.text[a:start]):
                continue
            if (m := cue("age_group_restrictor").match(self.text[end:b])) is None:
                continue
            governed = [o for o in self.drafts if o.kind in (_MEASURED | _WINDOWED) and o.applies_if is None
                        and end <= o.start and o.end <= b]
            if governed:
                self._govern(governed, AgeCondition(range=_numeric_range([x for d in ds for x in d.bounds], ds[0].unit)), ds)
                continue
            rest = " ".join(self.text[end + m.start():b].split())[:60]
            for d in ds:
                d.unresolved.append(f"an age that says whom the rest of the exclusion speaks of ({rest!r}), "
                                    "which is not read: no exclusion by age alone")

    def _aside_conditions(self) -> None:
        """A threshold inside an aside that opens with a condition (cue ``aside_condition``: "an
        increase of >=1 EDSS point (if at randomization EDSS <= 5.0)", "(for participants > 50
        kg)") is that condition, on the thresholds before the aside back to the sentence's start
        or its previous such aside: their ``applies_if``, kept as text (no typed condition holds a
        measurement; the matcher asks for a review), and no constraint of its own. Where those
        words hold a number or an analyte that nothing reads ("or 0.5 EDSS point (if at
        randomization EDSS >= 5.5)"), the condition is named in the criterion's reason instead; so
        is one that says when the value is taken another way ("Total calcium values outside the
        normal range (corrected if albumin < LLN)"), which conditions nothing. A threshold before the
        "if" ("(<= 5 x ULN if liver metastases)") is an alternative (``_qualify``)."""
        last_end: dict[int, int] = {}  # a sentence's start -> the end of its last such aside
        for o, c in sorted(self._asides):
            # a value in the aside (its analyte may be named before it: "EDSS point (if ... EDSS <= 5.0)")
            inside = [d for d in self.drafts if d.kind in _MEASURED and o < d.end <= c + 1]
            m = cue("aside_condition").match(self.text[o + 1:c]) if inside else None
            if m is None or any(d.end <= o + 1 + m.end() or d.applies_if is not None for d in inside):
                continue
            a, _ = self._sentence_span(o, c)
            governed = [d for d in self.drafts if d.kind in _MEASURED and d.applies_if is None
                        and last_end.get(a, a) <= d.start and d.end <= o]
            said = " ".join(self.text[o + 1:c].split())
            if governed and not m.group("how"):
                self._govern(governed, UnresolvedCondition(text=said), inside)
            elif m.group("how") or self._unread_before(last_end.get(a, a), o):
                # "Total calcium values outside the normal range (corrected if albumin < LLN)": when
                # the value is taken another way, no condition of eligibility; "... or 0.5 EDSS point
                # (if at randomization EDSS >= 5.5)": the condition of a number nothing reads is no
                # threshold of the patient's: named, not a constraint
                self.drafts = [d for d in self.drafts if all(d is not x for x in inside)]
                (self.reading_conditions if m.group("how") else self.unread_conditions).append(said)
            else:
                continue
            last_end[a] = c

    def _unread_before(self, start: int, end: int) -> bool:
        """Whether ``start:end`` holds a number or an analyte that no constraint reads."""
        read = [(d.start, d.end) for d in self.drafts]
        return any(ch.isdigit() for ch in self.text[start:end]) or any(
            e.label == "MEASUREMENT" and start <= e.start and e.end <= end and not any(s <= e.start < t for s, t in read)
            for e in self.ents)

    def _required_by(self, d: _Draft) -> str | None:
        """The words linking a condition right before the treatment ``d`` to it ("infection
        requiring", "exacerbation of COPD requiring"; cue ``requiring_link``), or to a treatment so
        linked that ``d`` follows in a list ("... requiring hospitalization or intravenous
        antibiotics"; cue ``required_list_join``), if any."""
        named = {c.concept for c in self.drafts if c.kind == Kind.CONDITION and c.present}
        before = [e for e in self.ents if e.label == "CONDITION" and e.concept_id in named and e.end <= d.start]
        if not before:
            return None
        gap = self.text[max(e.end for e in before):d.start]
        if cue("requiring_link").match(gap):
            link = " ".join(gap.split())
            self._required[id(d)] = link
            return link
        linked = [x for x in self.drafts if id(x) in self._required and x.start < d.start]
        last = max(linked, key=lambda x: x.start, default=None)
        mention = next((e for e in self.ents if last is not None and e.start == last.start and e.concept_id == last.concept), None)
        if last is None or mention is None or not cue("required_list_join").match(self.text[mention.end:d.start]):
            return None
        self._required[id(d)] = self._required[id(last)]
        return self._required[id(d)]

    def _same_analyte_after_or(self, d: _Draft) -> _Draft | None:
        """The next measurement of the same analyte, ungrouped, read after an "or" (cue
        ``alternative_or``, outside an aside) in ``d``'s sentence, or None."""
        end = self._sentence_span(d.end, d.end)[1]
        for x in self.drafts:
            if x is d or x.kind != Kind.MEASUREMENT or x.concept != d.concept or x.group is not None or not (d.end <= x.start < end):
                continue
            if any(self._aside_at(m.start()) is None for m in cue("alternative_or").finditer(self.text, d.end, x.start)):
                return x
        return None

    def _alternative_before(self, d: _Draft) -> str | None:
        """The words right before ``d`` that "or" joins to it as an alternative nothing reads and
        that holds no value (cue ``alternative_or``: "(ACR criteria or Kellgren and Lawrence
        grading II to IV)", "a vital capacity (VC) or DLCO below 70% predicted"), or None. They
        are looked for from the last bracket still open before ``d``, or the last comma, semicolon
        or colon, in its sentence; a threshold there is the NER's or the grammar's to read."""
        a = self._sentence_span(d.start, d.start)[0]
        opened: list[int] = []
        for i in range(a, d.start):
            ch = self.text[i]
            if ch == "(":
                opened.append(i)
            elif ch == ")" and opened:
                opened.pop()
            elif ch in ",;:":
                a = i + 1
        a = max([a, *(i + 1 for i in opened)])
        seg = self.text[a:d.start]
        # "or" right before it, or before a word or two of its own ("by clinical history or hospital
        # BP ≥140/90": cue ``alternative_or_gap``, lower-case words: a setting, not a measure named)
        m = next((m for m in cue("alternative_or").finditer(seg) if cue("alternative_or_gap").fullmatch(seg[m.end():])), None)
        if m is None or not any(ch.isalpha() for ch in seg[:m.start()]):
            return None
        if seg[m.end():].strip() and sum(any(ch.isalpha() for ch in w) for w in seg[:m.start()].split()) < 2:
            return None  # "Idiopathic or secondary osteoarthritis ... grade 2, 3, or 4": two words of one name
        said = (a, a + m.start())
        if any(x is not d and x.start < said[1] and said[0] < x.end for x in self.drafts) \
                or any(x.label in _VALUE_LABELS and said[0] <= x.start < said[1] for x in self.ents):
            return None
        return " ".join(seg[:m.end()].split())

    def _conditional(self, said: str) -> Match[str] | None:
        """The first conditional cue of ``said`` that states a condition: not the "if" after the
        criterion's own effect said of the patients at large ("the patient should be excluded if
        their blood glucose is < 3.0", "Participants will be excluded from the CISS2 trial if they
        have received ...": cue ``effect_if``, the effect of the criterion's section), which
        introduces what the criterion asks. "Patient will be included if ..." inside an exclusion
        and "will not be excluded if" are exceptions; "those with BMI up to 28 will be included if",
        "Diamond-Blackfan anemia patients will only be eligible if" speak of a group."""
        rx = cue("conditional")
        own = ("excluded", "ineligible") if self.effect == "exclude" else ("included", "eligible", "enrolled")
        m = rx.search(said)
        while m is not None and m.group(0).lower() == "if" and (
                (e := cue("effect_if").search(said, 0, m.start())) is not None and e.group("effect").lower() in own):
            m = rx.search(said, m.end())
        return m

    def _govern(self, governed: list[_Draft], condition: Applicability, read_as: list[_Draft]) -> None:
        """``condition`` becomes the ``applies_if`` of the ``governed`` drafts, and the drafts it was
        first read as are dropped."""
        for d in governed:
            d.applies_if = condition
        self.drafts = [d for d in self.drafts if all(d is not x for x in read_as)]

    def _qualify(self) -> None:
        """Qualifiers a reading leaves open, which the verdict policy will not fail a patient on
        (nlp/matching/evaluate.py): a conditional or permissive sentence, a threshold worded as
        a requirement inside an exclusion, a measurement without its unit or with a value its
        analyte cannot have, participation in *this* trial."""
        lex = _lex()
        for d in self.drafts:
            said = self.said_of(d)
            if d.applies_if is None and not d.remission and (m := self._conditional(said)):
                d.unresolved.append(f"read from a conditional sentence ({m.group(0)!r} ...)")
            aside = self._aside_at(d.end - 1)
            if d.applies_if is None and aside and (m := cue("conditional").search(aside) or self._threshold_for(d)) and not any(
                    "conditional" in u for u in d.unresolved):
                # "EDSS point (if at randomization EDSS >= 5.5)": the value is the aside's condition
                d.unresolved.append(f"read inside a conditional aside ({m.group(0)!r} ...)")
                self._alternative_thresholds(d)
            if self.effect == "exclude" and d.kind in (Kind.THERAPY, Kind.PROCEDURE) and d.present and (
                    link := self._required_by(d)) is not None:
                # "any infection requiring hospitalization", "exacerbation of COPD requiring
                # hospitalization": how severe the condition is; the treatment alone (a hospital
                # stay for another reason) is no certain exclusion
                d.unresolved.append(f"what a condition requires ({link!r}), not an exclusion of its own")
            if m := cue("permissive").search(said) or (cue("participation_allowed").search(said) if self.effect == "exclude" else None):
                # an exclusion's "(... may participate)", "those patients ... will be eligible": who
                # is let in, no certain exclusion
                d.unresolved.append(f"read from permissive wording ({m.group(0)!r})")
            elif d.effect == "include" and (m := cue("optional_if").search(self.text, *self._sentence_span(d.start, d.end))):
                # "Stable dose of antidepressants, if any, for 4 weeks" (asides read too): a requirement
                # on what the patient may not have at all, never a certain reason to turn one away (an
                # exclusion "if applicable" applies to whom it applies: it stays)
                d.unresolved.append(f"a requirement that holds only where it applies ({m.group(0)!r})")
            if d.kind == Kind.THERAPY and d.present and d.window is None and not d.washout \
                    and (m := cue("washout").search(said.replace(self.text[d.start:d.end], " ", 1))):
                # "Patients who discontinued steroids at least 4 weeks before", "off steroids for 4
                # weeks": a washout whose window is not read, no requirement to have taken it
                d.unresolved.append(f"a washout ({m.group(0)!r}) whose window is not read, not a requirement to take it")
            if d.kind in _NUMERIC and self.effect == "exclude" and (m := cue("requirement").search(said)):
                # "Exclusion: the MMSE score must be > 24": what the patient must satisfy, its
                # effect is that of an inclusion (kept uncertain: the section says otherwise)
                d.effect = "include"
                d.unresolved.append(f"a threshold worded as a requirement ({m.group(0)!r}) inside an exclusion, read as required")
            w = d.window
            if self.effect == "exclude" and w is not None and w.low_days is not None and w.high_days is None \
                    and w.relation == Relation.BEFORE and not d.washout and (m := cue("exposure_requirement").search(said)):
                # "Exclusion: ... should undergo these procedures a minimum of 3 months in advance of
                # treatment": what excludes is the event within the window, not before it
                d.window = w.model_copy(update={"low_days": None, "high_days": w.low_days})
                d.unresolved.append(f"a time worded as a requirement ({m.group(0)!r}) inside an exclusion, "
                                    "read as the exclusion of the event within it")
            if d.kind == Kind.MEASUREMENT and d.concept:
                d.unresolved.extend(_unit_doubts(lex.entries.get(d.concept), d))
                if self.effect == "exclude" and d.effect == "exclude" and not d.change and d.applies_if is None \
                        and _excludes_every_normal_value(lex.entries.get(d.concept), d):
                    # "Bilirubin, AST/ALT < 2x upper limit of normal", "unable to maintain SpO2 of more
                    # than 93%": an exclusion of every healthy value is a requirement worded in an
                    # exclusion or the trial's own population, not a certain exclusion
                    d.unresolved.append("an exclusion of every normal value of the analyte: a requirement worded "
                                        "in an exclusion, or whom the trial is for")
            if d.kind == Kind.MEASUREMENT and self.effect == "include" and d.group is None and not d.unresolved:
                # "≥1 GEL in past 18 months or ≥ 1 moderate-severe relapse and ≥1 new T2 lesion": an
                # alternative after "or" (cue ``alternative_or``, not "or older") with a value that
                # nothing reads may be what the patient meets instead
                end = self._sentence_span(d.end, d.end)[1]
                m = next((m for m in cue("alternative_or").finditer(self.text, d.end, end) if self._aside_at(m.start()) is None), None)
                unread = m is not None and any(x.label in _VALUE_LABELS and m.end() <= x.start < end for x in self.ents)
                if m and unread and not any(m.end() <= x.start < end for x in self.drafts):
                    d.unresolved.append(f"an alternative after 'or' is not read ({self.text[m.start():end].strip()[:60]!r})")
                elif (other := self._same_analyte_after_or(d)) is not None:
                    # "type 2 diabetes ... whose disease duration is more than 5 years, or whose disease
                    # duration of type 1 diabetes is more than 1 year": two thresholds of one analyte
                    # the text offers as alternatives, which no group joins
                    for x in (d, other):
                        x.unresolved.append("one of two thresholds of the analyte joined by 'or' as alternatives")
                elif (before := self._alternative_before(d)) is not None:
                    # "knee osteoarthritis (ACR criteria or Kellgren and Lawrence grading II to IV)":
                    # the criteria before "or" are what the patient may meet instead
                    d.unresolved.append(f"an alternative before 'or' is not read ({before!r})")

            if d.kind == Kind.TRIAL_PARTICIPATION:
                if cue("own_trial").search(said) and not cue("other_trial").search(said):
                    d.unresolved.append("names this trial (taking part in it), not participation in other trials")
                elif self.effect == "include" and d.present and not cue("prior_trial").search(said):
                    d.unresolved.append("an inclusion asking for trial participation without naming an earlier study")

    def _aside_condition_names(self) -> None:
        """The condition named in an aside that makes a threshold an alternative ("ALT <= 2.5 x
        ULN (<= 5 x ULN if liver metastases)") says when the alternative applies: no requirement
        of its own."""
        for o, c in self._asides:
            if any(d.kind in _MEASURED and o < d.end <= c + 1 and any("conditional aside" in u for u in d.unresolved)
                   for d in self.drafts):
                self.drafts = [d for d in self.drafts if not (d.kind == Kind.CONDITION and o < d.start < c)]

    def _infer(self, d: _Draft, e: Entity | None, scope: str) -> None:
        """Clinical inferences (data rules) triggered by draft ``d``."""
        lex = _lex()
        for rule in inference_rules():
            if rule.scope != scope or d.kind != rule.when_kind or d.inferred:
                continue
            if rule.effect != "any" and rule.effect != self.effect:
                continue
            if rule.when_concepts and not (d.concept and any(lex.is_a(d.concept, w) for w in rule.when_concepts)):
                continue
            where = e.text if (scope == "evidence" and e is not None) else self._segment()
            if not cue(rule.cue).search(where):
                continue
            if any(x.kind == rule.add.kind and x.concept and lex.is_a(x.concept, rule.add.concept) for x in self.drafts):
                continue
            self._inferred(rule, d)

    def _inferred(self, rule: InferenceRule, trigger: _Draft) -> None:
        d = _Draft(Kind(rule.add.kind), self.effect, trigger.evidence, trigger.start, trigger.end,
                   concept=rule.add.concept, history=rule.add.history, rule=f"inference:{rule.id}", inferred=True)
        if rule.scope == "evidence":
            self.drafts.insert(self.drafts.index(trigger) + 1, d)
        else:
            self.drafts.append(d)

    def _expand_compounds(self) -> None:
        """A concept the lexicon reads as several (``expands_to``: "cardiopulmonary compromise" is
        cardiac dysfunction or pulmonary disease) becomes one draft per part, in one OR group
        (ANY of them, in either section)."""
        lex = _lex()
        out: list[_Draft] = []
        for d in self.drafts:
            entry = lex.entries.get(d.concept) if d.concept else None
            if entry is None or not entry.expands_to:
                out.append(d)
                continue
            g = d.group or self._group()
            out.extend(replace(d, concept=part, group=g, excluded=list(d.excluded), unresolved=list(d.unresolved),
                               bounds=list(d.bounds)) for part in entry.expands_to)
        self.drafts = out

    def _or_groups(self) -> None:
        """Inclusion alternatives: "MS or NMO", "either not received X ... or on a stable dose of
        X", "≥1 clinically documented relapse or ≥ 1 GEL" -> one OR group (any of them qualifies)."""
        if self.effect != "include":
            return
        lead = cue("any_of_following").search(self.text, self.crit_span[0], self.crit_span[1])
        listed = [d for d in self.drafts if lead and d.start >= lead.end() and d.kind not in (Kind.CONSENT, Kind.JUDGEMENT)]
        if len(listed) > 1:
            # "as evidenced by one or more of the following: i. ≥1 clinically documented relapse ...
            # ii. ≥2 ... iii. ...": the items written inline after the lead are alternatives (an
            # alternative inside one is one more alternative)
            g = self._group()
            for d in listed:
                d.group = g
        if lead and listed and (unread := self._unread_list_item(lead.end(), listed)) is not None:
            # "at least one of the following (1) age >50 years (2) Less than 30 minutes of morning
            # stiffness (3) ...": an item nothing reads may be the one the patient meets
            for d in listed:
                d.unresolved.append(f"an alternative of the list is not read ({unread!r})")
        sharing: dict[int, list[_Draft]] = {}
        for d in self.drafts:
            if d.kind == Kind.MEASUREMENT and d.group is None:
                sharing.setdefault(d.end, []).append(d)
        for listed in sharing.values():
            # analytes listed with one threshold that asks for an abnormal value, the list joined by
            # "or": any shows it ("a vital capacity (VC) or DLCO below 70% predicted", "ALT, AST, LDH or
            # bilirubin > 2 x ULN"); one on the normal side is asked of all ("ALT or AST ≤ 2.5 x ULN")
            first, last = min(x.start for x in listed), max(x.start for x in listed)
            if len(listed) > 1 and cue("or").search(self.text, first, last) and not cue("and").search(self.text, first, last) \
                    and all(_admits_no_normal_value(_lex().entries.get(x.concept or ""), x) for x in listed):
                g = self._group()
                for x in listed:
                    x.group = g
        # (a procedure too: "prostatectomy or radiotherapy", "thrombolytic therapy or percutaneous
        # coronary revascularization" are alternatives as "chemotherapy or radiotherapy" are)
        items = [d for d in self.drafts if d.kind in (Kind.CONDITION, Kind.THERAPY, Kind.PROCEDURE, Kind.MEASUREMENT) and d.group is None]
        for a, b in itertools.pairwise(items):
            between = self.text[a.end:b.start]
            if Kind.MEASUREMENT in (a.kind, b.kind) and (a.kind != b.kind or not cue("coordinated_values").search(between)):
                continue  # values are alternatives of each other only, when nothing but "or" joins them
            if a.present is False and b.present is False and a.kind != Kind.MEASUREMENT and not cue("negation").search(between):
                # "No diabetes or hypertension", "No surgery or radiotherapy": one negation over both
                # is neither, each asked absent ("no abnormality ..., or has not ...": two, alternatives)
                continue
            if (m := cue("or").search(between)) and not cue("and").search(between) \
                    and not cue("relative_pronoun").search(between, 0, m.start()):
                # (not an "or" inside a relative clause after the first: "chronic kidney disease who
                # did not or had regular dialysis" asks for the disease, either way of dialysis)
                g = a.group or self._group()
                a.group = g
                b.group = g
        for a, b in reversed(list(itertools.pairwise(items))):
            # "diabetes, hypertension, or asthma": the items the commas list before the "or" are
            # alternatives with its last two (only the last two were), as "No A, B, or C" asks each
            # absent; a treatment and a procedure list together ("surgery, chemotherapy, or radiation")
            if b.group is not None and a.group is None and a.kind != Kind.MEASUREMENT \
                    and listed_together(a.kind, b.kind) \
                    and not (a.present is False and b.present is False) \
                    and cue("or_list_comma").fullmatch(self.text[a.end:b.start]):
                a.group = b.group

    def _counted_items(self) -> None:
        """The items after "at least N of the following" written inline (N > 1; cue
        ``n_of_following``): "RA ... defined as the presence of at least three of the following
        criteria: 3 or more painful, 2 or more swollen joints, morning stiffness ...": no item is
        asked alone, nor, in an exclusion, excludes alone."""
        counted = cue("n_of_following").search(self.text, self.crit_span[0], self.crit_span[1])
        if counted is None or (n := _children_at_least(counted.group(0)) or 1) < 2:
            return
        for d in self.drafts:
            if d.start >= counted.end() and d.kind not in (Kind.CONSENT, Kind.JUDGEMENT):
                d.unresolved.append(f"one of the items of which at least {n} are asked ({counted.group(0)!r}), not asked alone")

    def _unread_list_item(self, start: int, listed: list[_Draft]) -> str | None:
        """The first item of a list numbered or lettered inline after ``start`` ("(1) ... (2) ...",
        "1) ..., 2) ..."; cue ``list_enumerator``) in which no draft of ``listed`` lies, nor an analyte
        no vocabulary has, whose threshold a second reading gives (``build_criterion``: "4) the focus
        progress > 50%"), as written; None when every item has one or the text numbers no two items."""
        end = self.crit_span[1]
        marks = [m.start() for m in cue("list_enumerator").finditer(self.text, start, end)]
        if len(marks) < 2:
            return None
        starts = [d.start for d in listed] + [a.start for a in self.uncoded_analytes]
        for a, b in itertools.pairwise([*marks, end]):
            if not any(a <= x < b for x in starts):
                return " ".join(self.text[a:b].split()).rstrip(" ,;.")[:60]
        return None

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
        said = self.text[max(0, prior[-1].start - 30):prior[-1].end]
        if cue("age_of_other").search(said):
            return False  # "donor age > 65 years", "gestational age < 32 weeks": not the patient's
        if not close and not cue("age_life_stage").search(said):
            return True
        # a life stage's age word reads only the value right after it ("of reproductive age 18-49
        # years"), not a time further on ("childbearing age ... continued more than four weeks")
        start = max([prior[-1].end] + [end for end in self._age_value_ends if end <= v.start])
        return bool(cue("age_gap").fullmatch(self.text[start:v.start]))

    def _function_state(self, e: Entity) -> tuple[str, bool] | None:
        """A function or test group (or a test of one: "AST" is a liver function test) said to be
        normal or abnormal: the condition its abnormal state is (the lexicon's ``dysfunction``, of
        the concept or a broader one) and whether it is present. None when nothing says which
        ("renal function tests at screening")."""
        dysfunction = _lex().inherited(e.concept_id or "", "dysfunction")
        if dysfunction is None:
            return None
        lead = self.clause_before(e.start)
        if cue("function_normal").search(lead):
            return dysfunction, False
        if cue("function_abnormal").search(lead) or cue("function_abnormal_after").search(self.text[e.end:self.crit_span[1]]):
            return dysfunction, True
        # an item after another in a list of them takes its state ("impaired cardiac, renal or
        # hepatic function")
        prev = max((x for x in self.ents if x.end <= e.start and x.label == e.label
                    and _lex().inherited(x.concept_id or "", "dysfunction")), key=lambda x: x.end, default=None)
        if prev is not None and all(cue("coordination_join").match(w) for w in self.text[prev.end:e.start].replace(",", " , ").split()) \
                and (prev_state := self._function_state(prev)) is not None:
            return dysfunction, prev_state[1]
        # a state word before a short list governs each of its items ("Normal liver and renal
        # function"): the nearest state word before the clause, a few words away
        wider = self.text[self.crit_span[0]:e.start]
        wider = wider[max(wider.rfind(p) for p in ".;:()") + 1:]  # the list's sentence part, commas kept
        said = [(m.end(), state) for state, name in ((False, "function_normal"), (True, "function_abnormal"))
                for m in cue(name).finditer(wider)]
        if said:
            end, state = max(said)
            if len(wider[end:].split()) <= _LISTED_STATE_WORDS:
                return dysfunction, state
        return None

    def _dosed(self, val: Entity) -> Entity | None:
        """The drug a dose value is read for ("prednisone greater than 20 mg/d", "5 - 40 mg/day
        prednisone", "at least 15 mcg/min of norepinephrine"): a value with a comparator in a dose
        unit (cue ``dose_unit``: mass or units per day, hour or minute, per kilogram or not) right
        after the drug (cue ``dose_gap_before``: "doses", "orally") or right before it ("of")."""
        if val.comparator is None or not val.unit:
            return None
        if cue("dose_mass_unit").match(val.unit):
            # a mass alone, in an exclusion ("daily prednisolone >10mg", "prednisolone dose of > 20
            # mg": read as any dose, every patient on the drug was excluded), unless a unit the
            # grammar did not read goes on ("25 mg/week", "5 mg / kg / min"); in an inclusion a
            # dosed drug named as its class's example would become a requirement of its own
            if self.effect != "exclude" or (cue("unit_continues").match(self.text[val.end:])
                                            and not cue("daily_dose_word").match(self.text, val.end)):
                return None
        elif not cue("dose_unit").match(val.unit):
            return None
        drugs = [x for x in self.ents if x.label == "THERAPY" and x.concept_id]
        after = [x for x in drugs if x.start >= val.end and cue("dose_gap_after").match(self.text[val.end:x.start])]
        before = [x for x in drugs if x.end <= val.start and cue("dose_gap_before").match(self.text[x.end:val.start])]
        if after:
            return min(after, key=lambda x: x.start)
        return max(before, key=lambda x: x.end, default=None)

    def _class_doses(self) -> None:
        """A class named with a dosed member of it (its parent in the lexicon, not a broader class:
        "immunosuppressant (prednisone > 5mg/day)" stays) in its aside or as its equivalent (cue
        ``class_dose_lead``: "systemic corticosteroids (prednisone> 20mg/day or equivalent)",
        "Corticosteroid usage at a high dose (i.e., ... oral prednisone equivalent >10 mg/day)") is
        asked at that dose, not at any dose (every patient on a low dose was excluded): in doubt, its
        threshold the member's reading (no record holds a dose of the class)."""
        lex = _lex()
        doubted: set[int] = set()  # classes already asked at a member's dose (by identity)
        for x in self.drafts:
            if x.kind != Kind.THERAPY or not x.dose or not x.concept:
                continue
            sentence = self._sentence_span(x.start, x.end)
            start, end = x.evidence if isinstance(x.evidence, tuple) else (x.start, x.end)  # the drug and its dose
            entry = lex.entries.get(x.concept)
            parents = set(entry.parents) if entry is not None else set()  # its own class, where doses compare
            for c in self.drafts:
                if c.kind == Kind.THERAPY and not c.dose and c.concept in parents and id(c) not in doubted \
                        and c.present == x.present and sentence[0] <= c.start < x.start \
                        and cue("class_dose_lead").search(self.text, c.end, min(sentence[1], end + 25)):
                    c.unresolved.append(f"asked at the dose said of {self.text[start:end].strip()!r} (or its equivalent), "
                                        "not at any dose")
                    doubted.add(id(c))

    def _put_doses(self) -> None:
        """Each dose read (``_dosed``) on the therapy drafted from its drug mention."""
        for drug, val in self._doses:
            d = next((d for d in self.drafts if d.kind == Kind.THERAPY and d.concept == drug.concept_id
                      and d.start <= drug.start < max(d.end, drug.end)), None)
            if d is None or d.dose or val.value is None:
                continue
            [(bounds, unit)] = _range_parts(val.comparator, val.value, val.value_high, None, val.unit)
            if unit is not None and cue("dose_mass_unit").match(unit):
                # a mass is a daily dose, as criteria write a maintenance dose ("daily prednisolone
                # >10mg", "prednisolone (or equivalent) >10 mg for at least 3 weeks"), unless a
                # cumulative, single or weekly one is said beside the drug or the value (cue
                # ``not_daily_dose_word``): the mass as written then
                a, b = min(drug.start, val.start), max(drug.end, val.end)
                s0, s1 = self._sentence_span(a, b)
                if not cue("not_daily_dose_word").search(self.text, max(s0, a - 25), min(s1, b + 25)):
                    unit = f"{unit}/d"
            if self.effect == "exclude" and all(c in ("<", "<=") for c, _ in bounds):
                continue  # "steroids (≤10mg/day of prednisone or its equivalent)": the dose an exclusion allows
            d.dose, d.dose_unit = bounds, unit
            d.evidence = (min(d.start, val.start), max(d.end, val.end))

    def _analyte_states(self) -> None:
        """An analyte named with a state and no value ("Abnormal AST or ALT at screening"): the
        dysfunction its test group stands for, as "abnormal liver function" is; once per criterion.
        An analyte measured in a unit that stands for no dysfunction, right after a word for a
        level (cue ``level_word_before``): beyond the limit of normal on that side ("elevated
        ferritin" > 1 x ULN, "low platelet count" < 1 x LLN, "Abnormal CRP result" outside the
        normal range), never certain: the word names no limit."""
        read = [(d.start, d.end) for d in self.drafts if d.kind in _NUMERIC]
        have = {d.concept for d in self.drafts if d.kind == Kind.CONDITION}
        for e in self.ents:
            if e.label != "MEASUREMENT" or any(s <= e.start < t for s, t in read):
                continue
            state = self._function_state(e)
            if state is not None and state[0] not in have:
                have.add(state[0])
                self._add(Kind.CONDITION, e.start, e.end, concept=state[0], present=state[1], rule="mention:analyte_state")
            elif state is None and _lex().inherited(e.concept_id or "", "dysfunction") is None:
                self._level_word(e)

    def _quantity_reads_value(self, quantity: Entity, val: Entity) -> bool:
        """A quantity the rules named (``elig_values``) reads the values it was named by: words
        apart, or values joined to them ("diameter larger than 2 cm and smaller than 4 cm"), in
        the dimensions of the word its span ends in ("ratio" of "Glomerular sclerosis"), or a bare
        number for the things a count counts."""
        if val.end <= quantity.start and quantity_reads(quantity.text, None) and any(
                x.label in _VALUE_LABELS and x.start >= quantity.end and cue("quantity_gap").fullmatch(self.text[quantity.end:x.start])
                for x in self.ents):
            # a score with a value of its own after its name reads that one ("Class V of ICDAS score
            # 1-2": 1 to 2; "a total score of ≥ 5 on the following DIC score" has none after)
            return False
        lo, hi = (quantity.end, val.start) if quantity.end <= val.start else (val.end, quantity.start)
        values = [(e.start, e.end) for e in self.ents if e.label in _VALUE_LABELS and lo <= e.start and e.end <= hi]
        gap = "".join(self.text[a:b] for a, b in _outside(lo, hi, values))
        reads = quantity_reads(quantity.text, val.unit)
        lesion = reads is None and bool(quantity_reads(_uncoded_name(quantity), val.unit))
        if lesion:
            reads = True  # a lesion's area, named by the value's unit ("Cartilage defect greater than 2cm2")
        unit_ok = val.unit is None if reads is None else reads or val.unit in _REFERENCE_UNITS
        if reads is None and val.unit == "{score}" and cue("scale_named").search(_uncoded_name(quantity)):
            unit_ok = True  # a scale named after its levels ("Grade 1-2 according to Tonnis": "Tonnis grade")
        return unit_ok and (cue("quantity_gap").fullmatch(gap) is not None
                            or (lesion and cue("area_bearer_gap").fullmatch(gap) is not None))

    def _level_word(self, e: Entity) -> None:
        entry = _lex().entries.get(e.concept_id or "")
        unit = entry.unit if entry is not None else None
        if entry is None or unit is None or dimension(unit) in _BODY_DIMENSIONS or unit in _DIMENSIONLESS or unit.startswith("{") \
                or unit in _TIME_CODES or cue("level_analyte_of_after").match(self.text, e.end):
            return  # a scale, a count, a body's size ("low birth weight"), another thing's ("temperature of the foot")
        m = cue("level_word_before").search(self.text, max(self.crit_span[0], e.start - 40), e.start)
        if m is None or any(x.label in _VALUE_LABELS and ((m.start() < x.end and x.start < e.start) or cue("level_value_after").fullmatch(
                self.text[e.end:x.start])) for x in self.ents if x.start >= m.start()):
            return  # a value of its own said right after: "High FSH > 12 IU", "elevated FSH levels greater than 10"
        word = m.group("up") or m.group("down") or m.group("out")
        above, below = ([(">", 1.0)], "xULN"), ([("<", 1.0)], "xLLN")
        sides = [above, below] if m.group("out") else [above] if m.group("up") else [below]
        group = self._group() if len(sides) == 2 else None  # outside the normal range: either side
        for bounds, unit in sides:
            self._add(Kind.MEASUREMENT, m.start(), e.end, concept=e.concept_id, bounds=bounds, unit=unit, group=group,
                      rule="value_link:level_word", unresolved=[f"{word!r} read as beyond the limit of normal: the criterion names no limit"])

    def _sex_of(self, val: Entity) -> SexCondition | None:
        """A sex-specific threshold: the sex named right after the value ("> 450 msec for men",
        "1.4 mg/dl (females)") is the condition it applies under, not the trial's sex criterion."""
        for x in self.ents:
            if x.label == "SEX" and x.start >= val.end and x.concept_id in ("female", "male") \
                    and cue("sex_qualifier_gap").fullmatch(self.text[val.end:x.start]):
                self._sex_qualifiers.add((x.start, x.end))
                return SexCondition(sex="female" if x.concept_id == "female" else "male")
        return None

    def _staged(self, val: Entity) -> Entity | None:
        """The scale of a condition graded or staged next to a level ("Stage 5 CKD", "GvHD
        greater than or equal to grade 2", "Grade III and IV knee OA"): the lexicon's
        ``staged_by`` of the condition named right before or after the value, in its clause, or
        right before it with the level in brackets or after a colon (cue ``staged_gap``) and no
        other scale named after the level (cue ``other_scale_after``)."""
        if val.unit not in (None, "{score}"):
            return None
        near = [x for x in self.ents if x.label == "CONDITION" and x.concept_id
                and (0 <= val.start - x.end <= 24 or 0 <= x.start - val.end <= 24)
                and (not cue("clause_punctuation").search(self.text[min(x.end, val.end):max(x.start, val.start)])
                     # "Acute GVHD (grade II-IV)", "osteoarthritis (OA) (stage 3 or 4)", "Advanced CKD: Stage 5";
                     # not "hip OA (Grade 1-2 according to Tonnis classification)", a scale of its own
                     or (x.end <= val.start and cue("staged_gap").fullmatch(self.text[x.end:val.start]) is not None
                         and cue("other_scale_after").match(self.text, val.end) is None))]
        for x in sorted(near, key=lambda x: min(abs(val.start - x.end), abs(x.start - val.end))):
            if (staged_by := _lex().inherited(x.concept_id or "", "staged_by")) is not None:
                scale = Entity(label="MEASUREMENT", text=x.text, start=x.start, end=x.end, concept_id=staged_by)
                return scale if self._can_read(scale, val) else None
        return None

    def _measured_by(self, pos: int, unit: str | None = None) -> tuple[Entity, str] | None:
        """The condition whose definition starts at ``pos`` (cue ``defining_join`` between them:
        "anemia (", "fever of ", "anemia with ", "fever "), with the analyte the lexicon says
        defines it (``measured_by``), or, for a value in ``unit``, the quantity the condition's
        name ends in, no vocabulary's ("carotid stenosis (>50%": the stenosis in percent; units.json
        ``dimension_words``)."""
        # only the condition ending nearest before ``pos`` can be followed by nothing but the join
        before = [x for x in self.ents if x.label == "CONDITION" and x.concept_id and x.end <= pos]
        x = max(reversed(before), key=lambda x: x.end, default=None)
        if x is None or not cue("defining_join").fullmatch(self.text[x.end:pos]):
            return None
        analyte = _lex().inherited(x.concept_id or "", "measured_by")
        if analyte is None and unit is not None and quantity_reads(x.text, unit):
            analyte = uncoded_id(x.text)
        return (x, analyte) if analyte is not None else None

    def _pressure_named_after(self, val: Entity) -> Entity | None:
        """The systolic or diastolic pressure a value in mmHg names right after it (cue
        ``pressure_after``: "> 90 mmHg diastolic and/or 180 mmHg systolic", "≥140 mmHg
        systolic"), as an analyte read from those words; None otherwise."""
        if val.unit != "mm[Hg]" or val.second_value is not None:
            return None
        m = cue("pressure_after").match(self.text, val.end)
        if m is None:
            return None
        cid = f"{m.group('which').lower()}_blood_pressure"
        return Entity(label="MEASUREMENT", text=m.group("which"), start=m.start("which"), end=m.end("which"), concept_id=cid,
                      negated=val.negated)

    def _defined_by(self, val: Entity) -> Entity | None:
        """The analyte a value with a comparator, in brackets right after a condition a lab value
        defines, is a reading of ("severe anemia (<8g/dl)", "thrombocytopenia (<50 x 10(9)/L)"),
        if it can be one (the condition is then no constraint of its own: ``_defined_condition``)."""
        found = self._measured_by(val.start, val.unit) if val.comparator is not None else None
        if found is None:
            return None
        x, cid = found
        analyte = Entity(label="MEASUREMENT", text=x.text, start=x.start, end=x.end, concept_id=cid, negated=x.negated)
        if _uncoded_mention(analyte):
            return analyte  # the quantity its name ends in, in the value's dimension (``_measured_by``)
        return analyte if self._can_read(analyte, val) else None

    def _defined_condition(self, pos: int, analyte: str | None, unit: str | None = None) -> None:
        """Drop the condition a threshold of ``analyte`` (in ``unit``) in brackets at ``pos``
        defines ("anemia (hemoglobin < 8 g/dL)" means hemoglobin < 8, not any anemia: a patient
        with a milder anemia is not excluded by it)."""
        found = self._measured_by(pos, unit)
        if found is not None and found[1] == analyte:
            self._drop_condition(found[0])

    def _drop_condition(self, x: Entity) -> None:
        """Drop the condition mention ``x`` became (a threshold says what it means)."""
        self.drafts = [d for d in self.drafts if not (d.kind == Kind.CONDITION and d.concept == x.concept_id and d.start == x.start)]

    def _can_read(self, analyte: Entity, val: Entity) -> bool:
        """Whether the value can be a reading of the analyte: its unit is one the analyte is
        written in (units.json ``readable_as``) and, converted, it lies in what the analyte can
        measure. "PaO2/FiO2 <= 200 mmHg for less than 96 hours" gives PaO2/FiO2 no 96 hours;
        "severe anemia (< 8 g/dL), creatinine > 2.3 mg/dL" gives creatinine no 8 g/dL."""
        if _uncoded_mention(analyte):
            # an analyte no vocabulary has: a value in a unit, or a bare number or a level of what
            # its name says is a scale ("OSDI-score ≥ 33"; not "Branching fistula tract that has > 2
            # internal openings", nor "FOR PILOT ...: has stage I-III colorectal cancer"); no time
            # (a window's, a course's, an age's) and no name that says nothing alone ("stage I or
            # II", "serum level > 4.0 mg/dL")
            name = _uncoded_name(analyte)
            if (val.unit not in _REFERENCE_UNITS and quantity_reads(name, val.unit) is False) or names_nothing(name):
                return False  # "cartilage defect diameter" is a length, never a percent; "Longest diameter" names nothing
            if analyte.source == "rules":
                return self._quantity_reads_value(analyte, val)
            # a bare number with a comparator right after the name, ending its phrase, is its value too
            # ("AHI >15", "estimated intelligence quotient <80"; cues ``value_adjoins``,
            # ``value_ends_phrase``), not one that counts a word after it ("> 2 internal openings")
            bare = val.unit is None and val.comparator in ("<", "<=", ">", ">=") and analyte.end <= val.start \
                and cue("value_adjoins").fullmatch(self.text, analyte.end, val.start) is not None \
                and cue("value_ends_phrase").match(self.text, val.end) is not None
            return val.unit not in _TIME_CODES and (val.unit not in (None, "{score}") or bare or cue("scale_named").search(name) is not None) \
                and cue("generic_analyte").fullmatch(name) is None
        if analyte.end <= val.start and self._counts_next_word(val):
            return False
        entry = _lex().entries.get(analyte.concept_id or "")
        if val.unit == "xULN" and val.low_unit == "xLLN" and (analyte.concept_id in _BODY_SIZE or (entry is not None and entry.unit == "{score}")):
            return False  # "Body mass index outside the normal range, particularly >30": a laboratory's range, no body size's or scale's
        if entry is not None and _scale_span(entry, val):
            return False  # "on a 0-10 pain intensity scale", "a 100 mm visual analogue scale": the scale's own span
        # a bare number is weighed against a scale's, ratio's or count's own values below (one it
        # cannot take is no reading of it, which the matcher would compare as written: "MELD(i) =
        # 0.957 × ln(creatinine) ...", "PAD> 110" read as a Rutherford category); a bare number of
        # a measured quantity has a unit to imply, read later
        bare_scale = val.unit is None and entry is not None and entry.unit in _DIMENSIONLESS and entry.unit.startswith("{")
        if entry is None or not entry.unit or (val.unit is None and not bare_scale) or val.unit in _REFERENCE_UNITS:
            return True
        in_percent = val.unit == "%"
        if in_percent and self._is_change(val):
            return True  # a change written as a share of the value it changes from ("weight loss exceeding 10%")
        if val.unit == "{score}" and entry.unit != "{score}":
            return False  # a level of a scale ("type I or type II diabetes with HbA1c > 7%") is no lab's reading
        if not may_measure(val.unit, entry.unit, entry.id):
            if val.unit not in _TIME_CODES:  # a time is a window or a course, read apart
                self.unfit.setdefault(val.start, (analyte.text, val.text))
            return False
        if not in_percent and self._is_change(val):  # (a value in % was asked above)
            return True  # the size of a change, not a level: no plausible level bounds it ("BMI decrease of more than 2 kg/m2")
        for v in (val.value, val.value_high):
            x = None if v is None or entry.range is None else convert(v, val.unit, entry.unit, entry.id)
            if x is None and v is not None and (entry.unit == "{score}" or bare_scale):
                x = v  # a scale written in % ("Karnofsky 70%") or bare is read by its number: "< 30%" is no TIMI grade
            if x is not None and entry.range is not None and not entry.range[0] <= x <= entry.range[1]:
                self.unfit.setdefault(val.start, (analyte.text, val.text))
                return False
        return True

    def _counts_next_word(self, val: Entity) -> bool:
        """A number in words with no unit, right before a word, counts that word, and is no reading
        of an analyte before it ("Viral Loads Below Detection Level over six mouths", "BP measured
        ... at least one time before that day"; cues ``number_in_words``, ``counted_word_after``)."""
        return val.unit is None and cue("number_in_words").fullmatch(val.text) is not None \
            and cue("counted_word_after").match(self.text, val.end) is not None

    @staticmethod
    def _unit_needed(analyte: Entity) -> bool:
        """The analyte is measured in a unit (no scale or count, nor a count of things such as
        pack-years, UCUM's braced units)."""
        entry = _lex().entries.get(analyte.concept_id or "")
        return entry is not None and entry.unit is not None and entry.unit not in _DIMENSIONLESS and not entry.unit.startswith("{")

    def _next_analyte(self, v: Entity) -> Entity | None:
        """The analyte right after a value, before any other value and in its clause ("... 20 on
        the MMSE"; not "≥ 20 consecutive beats ... or Corrected for heart rate (QTc) ...")."""
        last = v
        for x in self.ents:
            if x.start < v.end:
                continue
            if x.label == "MEASUREMENT":
                gap = self.text[last.end:x.start]
                if not _close_in_clause(gap):
                    return None
                if cue("clause_boundary").search(gap) and self._valued(x):
                    return None  # "ankle pressure ≤ 70 mm Hg or TcPO2 ≤ 60 mmHg": the next conjunct's analyte has its own
                return x
            if x.label in _VALUE_LABELS and self._scale_span_before(x):
                last = x  # "at least 40 mm on a 100 mm visual analog scale": the scale's own span
                continue
            if x.label in _VALUE_LABELS and x.unit is not None and x.unit == last.unit and x.value is not None \
                    and cue("value_pair_join").fullmatch(self.text, last.end, x.start):
                last = x  # "at least 40mm and not more than 90mm of 100mm on ... VAS": both the scale's
                continue
            if x.label in _VALUE_LABELS or x.label == "AGE":
                return None
        return None

    def _scale_span_before(self, v: Entity) -> bool:
        """Whether a value is the span of the scale named right after it ("a 100 mm visual analog
        scale", "0-10 numeric rating scale"), no threshold."""
        nxt = next((x for x in self.ents if x.start >= v.end and x.label == "MEASUREMENT"), None)
        if nxt is None or not cue("scale_span_gap").fullmatch(self.text, v.end, nxt.start):
            return False
        entry = _lex().entries.get(nxt.concept_id or "")
        return entry is not None and _scale_span(entry, v)

    def _valued(self, analyte: Entity) -> bool:
        """A value follows the analyte closely, in its clause ("TcPO2 ≤ 60 mmHg")."""
        nxt = next((x for x in self.ents if x.start >= analyte.end and x.label != "MEASUREMENT"), None)
        if nxt is None or nxt.label not in _VALUE_LABELS:
            return False
        gap = self.text[analyte.end:nxt.start]
        return len(gap) <= 15 and not cue("clause_boundary").search(gap)

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
        said = self.text[self.crit_span[0]:self.crit_span[1]]
        if value != "all" and (cue("sex_subgroup_lead").search(self.text[max(self.crit_span[0], e.start - 12):e.start])
                               or cue("reproductive_subgroup").search(said)
                               or (cue("reproductive_life_stage").search(said)
                                   and any(x.label in _REQUIREMENT_LABELS for x in self.ents))):
            # "Negative pregnancy test in women", "For male: Norwood-Hamilton grade III to IV",
            # "female patients must use a reliable contraception method", "Women of childbearing
            # potential who are breastfeeding": the sex names whom the rest is asked of, no
            # requirement that every patient be of it; "female patients of reproductive age 18-49
            # years" asks nothing else of them, and is one
            return
        nxt = next((x for x in self.ents if x.start >= e.end), None)
        if nxt is not None and nxt.label in _VALUE_LABELS and nxt.comparator and not self.text[e.end:nxt.start].strip(" :"):
            return  # "Men < 12.5 grams/dL" in a list of hemoglobin thresholds: whom a threshold is for
        existing = [d for d in self.drafts if d.kind == Kind.SEX]
        if existing:
            if existing[0].sex != value:
                existing[0].sex = "all"
            return
        self._add(Kind.SEX, e.start, e.end, sex=value, rule="sex")

    def _window(self, t: Entity) -> None:
        # (a course's length before it is no window: "anticoagulation for more than 48 hours in the
        # two days prior to consent" is timed by both)
        prev_t = max((x.end for x in self.ents if x.label == "TEMPORAL" and x.end <= t.start and x.start not in self._courses),
                     default=-1)
        targets = [d for d in self.drafts if d.kind in _WINDOWED and prev_t <= d.start < t.start and d.window is None]
        opens_clause = bool(targets) and cue("clause_opener").search(self.text[max(d.end for d in targets):t.start])
        if not targets and prev_t < 0 and cue("window_closes_conjunct").match(self.text[t.end:self.crit_span[1]]) \
                and not any(x < t.start for x in [*(d.start for d in self.drafts), *(a.start for a in self.uncoded_analytes)]) \
                and any(ch.isalpha() for ch in self.text[self.crit_span[0]:t.start]):
            # "Participated in a gene transfer trial within the last 6 months or in a clinical trial
            # with an investigational drug within the last 12 weeks": a window before "or" closes
            # its conjunct, whose head nothing reads (nothing is read before it); it times nothing
            # after the "or" (an "and" may go on with what the window times: "... within 6 months
            # before procedure and intent to participate in any other investigational drug study")
            return
        if not targets or opens_clause:
            # "..., or within 14 days prior to ..., any infected persons ...": the window
            # opens a new clause and belongs to what follows
            nxt = [x.start for x in self.ents if x.label == "TEMPORAL" and x.start > t.end]
            limit = min(nxt) if nxt else 10**9
            following = [d for d in self.drafts if d.kind in _WINDOWED and t.end <= d.start < limit]
            if nxt and following:
                # another window follows: the conjunct right before it is that window's ("(or received
                # within four weeks of screening) experimental agents ... or enrolled in clinical trials
                # in the prior 3 months"; cue ``window_conjunct_cut``)
                cuts = [m.start() for m in cue("window_conjunct_cut").finditer(self.text, min(d.end for d in following), limit)]
                if cuts:
                    following = [d for d in following if d.start < cuts[-1]]
            if following or not targets:
                targets = following
        if (not targets and self.effect == "include" and t.relation == "after" and t.window_days is not None
                and anchor_of(t.anchor) in (Anchor.ONSET, Anchor.DIAGNOSIS)
                and not any(d.kind in _WINDOWED for d in self.drafts)):
            # "3-10 days after stroke symptom onset", "less than 4 years from diagnosis": the time
            # since the diagnosis the anchor names (the trial's target diagnosis at match time)
            self._duration(t, certain=True)
            return
        if (targets and self.effect == "include" and t.relation == "after" and t.window_days is not None
                and anchor_of(t.anchor) in (Anchor.ONSET, Anchor.DIAGNOSIS)
                and all(d.kind in (Kind.THERAPY, Kind.PROCEDURE) for d in targets)
                and cue("exposure_requirement").search(self.text[min(d.start for d in targets):t.start])):
            # "stem cell transplantation procedure must be performed between 3-10 days after stroke
            # symptom onset": the trial's own treatment, planned, timed from the onset: the time
            # since the onset (at treatment), not a past exposure in a window
            for d in targets:
                d.planned = True
            self._duration(t, certain=True, planned=True)
            return
        if not targets and self._measurement_window(t, prev_t):
            return
        if targets:
            # "... fingolimod) as evidenced by one or more of the following: i. ≥1 clinically
            # documented relapse in past 12 months": measurements after a clause break are nearer
            last = max(d.end for d in targets)
            after = [d.start for d in self.drafts if d.kind == Kind.MEASUREMENT and last <= d.start and d.end <= t.start]
            if after and cue("clause_punctuation").search(self.text[last:min(after)]) and self._measurement_window(t, min(after)):
                return
        if self._unlinked_lasting(t):
            return
        if t.window_days is None or not targets:
            return
        # a time since the diagnosis: a range, a time after an event, or a condition present "for at
        # least 30 minutes"
        trial_event = anchor_of(t.anchor) in TRIAL_EVENTS | {Anchor.LAST_DOSE}
        # "present for at least 30 minutes", "ARDS for less than 96 hours"
        lasting = t.relation is None and t.comparator in (">", ">=", "<", "<=")  # relation None: a duration
        # a time after a treatment is not the time since the diagnosis: "an incomplete response at
        # least 3 months following treatment with ATG/CsA", "acute GvHD occurring within 100 days
        # after transplant" (the onset's time after the transplant), "fibrosis ... in 3 months
        # following operation"
        treated = t.relation == "after" and bool(t.anchor) and (
            anchor_of(t.anchor) in (Anchor.SURGERY, Anchor.TRANSPLANT) or bool(cue("treatment_word").search(t.anchor or "")))
        # "Asthma diagnosed by a physician at least 1 year prior to study enrollment", "a spinal cord
        # injury that occurred at least twelve (12) months prior to the Screening Visit": the event
        # lies further back than the amount, its time since at least the amount (the diagnosis'
        # own, in its clause: below)
        onset_before = t.relation == "before" and t.comparator in (">", ">=") and t.window_days_low is None \
            and anchor_of(t.anchor) in TRIAL_EVENTS and not cue("period_for").match(t.text) \
            and not cue("treatment_word").search(t.text)  # ("more than 28 days since the last dose": the dose's time)
        # "Diabetes for at least 5 years before screening", "knee pain for at least 3 months prior to
        # screening": a period lasting up to the trial's event, the time since the diagnosis (a
        # treatment's is its course: below)
        period_before = t.relation == "before" and t.comparator in (">", ">=", "<", "<=") and t.window_days_low is None \
            and anchor_of(t.anchor) in TRIAL_EVENTS and bool(cue("period_for").match(t.text))
        duration = (t.window_days_low is not None or t.relation == "after" or lasting or onset_before) \
            and self.effect == "include" \
            and not (t.relation == "after" and t.anchor and trial_event) and not treated  # "within 6 months after the last dose": the future
        if lasting and self._remission_time(t):
            # "a different malignancy ..., except if they have been disease-free for at least 5 years"
            self._remission_window(t)
            return
        referent = self._anaphor_referent(t) if lasting or period_before else None
        # "type 1 diabetes diagnosed less than 2 years before enrolment", "Crohn Disease ... diagnosed
        # within 12 months": a look-back window on the diagnosis itself (cue ``diagnosis_event``) is
        # the time since it, at most the amount, not the disease active at some time in the window
        recent = self.effect == "include" and t.relation in (None, "before") and t.window_days_low is None \
            and t.comparator in (None, "<", "<=") and (not t.anchor or anchor_of(t.anchor) in TRIAL_EVENTS) \
            and not cue("period_for").match(t.text)
        for d in targets:
            # a mention repeated later in the criterion extends the draft past the window: the gap
            # runs from the mention nearest before it
            end = max((x.end for x in self.ents if x.concept_id == d.concept and d.start <= x.start and x.end <= t.start),
                      default=d.end) if d.concept else d.end
            gap = self.without_asides(end, t.start) if end <= t.start else ""
            if recent and d.kind == Kind.CONDITION and d.present and d.concept not in PATIENT_STATES \
                    and self._diagnosed_in(d, t, end, gap):
                self._duration(t, certain=True)
                continue
            if lasting and d is not referent and not (gap and _close_in_clause(gap) and not cue("treatment_word").search(gap)):
                # "ILD ... under conventional therapy for at least 6 months": the duration of
                # something else; only a phrase right after the diagnosis is its duration (a
                # treatment's course is read apart: "corticosteroid therapy for at least 4 weeks")
                if d.kind in (Kind.THERAPY, Kind.PROCEDURE) and end <= t.start:
                    self._course_length(d, t, self._course_gap(end, t))
                continue
            # the period is the diagnosis' own only right after it, no treatment named between ("A
            # stable Parkinson's disease symptomatic therapy for at least 90 days": the therapy's)
            own_period = period_before and self.effect == "include" and (d is referent or (
                bool(gap) and _close_in_clause(gap) and not cue("treatment_word").search(gap)))
            if (duration or own_period) and d.kind == Kind.CONDITION and d.present and d.concept not in PATIENT_STATES:
                # certain when the window names the diagnosis' own event ("3-10 days after stroke
                # onset") or follows the diagnosis in its clause ("diagnosis of ischemic stroke
                # within 3-12 months before enrollment"); a window further away is a guess
                onset = anchor_of(t.anchor) in (Anchor.ONSET, Anchor.DIAGNOSIS)
                # (the onset's time right after the diagnosis, or naming it: not "SCI at the time of
                # injury with or without subsequent improvement within 1 year of injury")
                own = (onset and t.relation != "before" and (end > t.start or len(gap) <= 40)) or (
                    not onset and end <= t.start and not cue("clause_boundary").search(self.without_asides(end, t.start)))
                # ("the disease has entered the progressive stage for at least 6 months": the anaphor's
                # diagnosis, a reading, not certain)
                anaphoric = d is referent and not own
                # a time before a trial event is the diagnosis' own only in its clause, with no
                # treatment or its end named before it ("their last dose of biological therapy ... used
                # to treat their cancer at least 7 days prior", "stopped smoking at least 1 year ago"):
                # else a window (below)
                said = self.text[max(prev_t, self._sentence_span(d.start, d.end)[0]):t.start] if onset_before and (own or anaphoric) else ""
                if not onset_before or ((own or anaphoric) and not cue("treatment_word").search(said) and not cue("washout").search(said)):
                    if not own and not anaphoric and any(x.label in _VALUE_LABELS and end <= x.start and x.end <= t.start for x in self.ents):
                        # "COVID-19 ... imaging shows that the focus progress > 50% within 24-48 hours": a
                        # window after another threshold is that value's time frame, not the diagnosis'
                        continue
                    # "within 3-9 days prior to stroke": a time before the onset is something else's
                    # (last seen normal), read as the time since the onset only as a guess
                    self._duration(t, certain=own)
                    continue
            if end <= t.start and self._course_length(d, t, self._course_gap(end, t)):
                continue
            relation = relation_of(t.relation if t.relation in ("before", "after") else None)
            washout = d.kind == Kind.THERAPY and relation.value == "before" and bool(cue("washout").search(self.said_of(d)))
            low: int | None = t.window_days_low
            high: int | None = t.window_days
            if d.kind == Kind.THERAPY and not washout and self.effect == "include" and t.relation == "before" \
                    and t.comparator in (">", ">=") and low is None and not cue("period_for").match(t.text) and end <= t.start:
                # a treatment at least an amount before the trial's event: "Cytotoxic chemotherapy last
                # dose must have been received at least 28 days prior to enrollment" (its end named,
                # cue ``exposure_end``, in the words that lead to this time) is none within the amount,
                # a washout; "chest radiation therapy at least 3 months earlier", "BMT greater than 5
                # years ago" lie further back than it. Not a course the patient is on ("on stable
                # ... therapy": cue ``stable_course``)
                said = self.text[max(self._sentence_span(d.start, d.end)[0], prev_t):t.start]
                if cue("exposure_end").search(said):
                    washout = True
                elif not cue("stable_course").search(said):
                    low, high = high, None
            if t.relation in ("before", "after") and t.comparator in (">", ">=") and low is None \
                    and d.kind in (Kind.CONDITION, Kind.PROCEDURE) and not cue("period_for").match(t.text) \
                    and not cue("washout").search(self.said_of(d).replace(self.text[d.start:d.end], " ", 1)):
                # (said_of only where it can matter: it costs; the mention's own name is no cue:
                # "stopped smoking at least 1 year ago" is a former smoker since more than a year)
                # "surgery more than 6 months before enrollment", "an injury that occurred at least 12
                # months prior": the event lies further back than the amount. A drug's window stays
                # the time to be free of it or on it ("last dose at least 28 days prior", "stable for
                # at least 2 weeks before"), as does "for at least 4 weeks after the treatment"
                low, high = high, None
            d.window = Window(low_days=low, high_days=high, relation=relation, anchor=anchor_of(t.anchor), anchor_text=t.anchor)
            for start, grades in self._graded:  # "within 6 months ... of NYHA Class III or IV heart failure": the grade's too
                for g in grades:
                    if start == d.start and g.window is None:
                        g.window = d.window
            if self.effect == "exclude" and d.kind in (Kind.THERAPY, Kind.PROCEDURE) and not washout \
                    and t.comparator is not None and cue("period_for").match(t.text):
                # "inotropic support for more than 36 hours", "mechanical ventilation for more than 72
                # hours", "NSAIDs without a stable dosing regimen for at least 4 weeks": how long the
                # exposure lasts, which the window (any use in its span) over-reaches: never a
                # certain exclusion of every recent use
                d.unresolved.append("the time the exposure lasts ('for ...'), read as a window of any use")
            if washout:
                d.washout = True  # "must have been discontinued at least 4 weeks before": a washout
                if self.effect == "exclude":  # what inclusion asks, worded inside an exclusion
                    d.unresolved.append("washout wording inside an exclusion")
            d.end = max(d.end, t.end)
            d.evidence = (min(d.start, t.start), max(d.end, t.end))

    def _course_gap(self, end: int, t: Entity) -> str:
        """The words between a treatment's mention ending at ``end`` and the time ``t`` after it,
        asides left out; a mention inside an aside closed before the time counts from the close
        ("prednisone, or equivalent of another GC (methylprednisolone 4 mg/day, or prednisone 10 mg
        every other day) for a minimum of 4 consecutive weeks")."""
        aside = self._aside_span_at(end - 1)
        return self.without_asides(aside[1] + 1 if aside and aside[1] < t.start else end, t.start)

    def _course_length(self, d: _Draft, t: Entity, gap: str) -> bool:
        """A time "for" a comparison right after a treatment taken ("corticosteroids for a minimum
        of 4 consecutive weeks prior to enrollment", "mechanical ventilation for more than 72
        hours", "under conventional therapy for at least 6 months but less than 24 months") is how
        long its course lasted: the draft's ``duration``, no window. Not a washout ("off steroids
        for 4 weeks", "no steroids for at least 4 weeks"), a time after an event ("for at least 28
        days after the last dose"), a time after a negation or a clause break ("NSAIDs without a
        stable dosing regimen for at least 4 weeks"), nor a stable course (cue ``stable_course``),
        which reaches the present: the window of its use."""
        if d.kind not in (Kind.THERAPY, Kind.PROCEDURE) or not d.present or d.duration or t.value is None or not t.unit \
                or any("negation" in u for u in d.unresolved):
            return False
        # "for" a time, or a value of time right after the treatment ("Intubated > 72 continuous hours")
        said_for = cue("period_for").match(t.text) is not None or (
            t.label in _VALUE_LABELS and not gap.strip() and cue("time_relation_after").match(self.text, t.end) is None)
        if t.comparator not in (">", ">=", "<", "<=", "between") or not said_for or t.relation == "after":
            return False  # "for at least 28 days after the last dose": a time after an event
        said = self.said_of(d).replace(self.text[d.start:d.end], " ", 1)
        if not _close_in_clause(gap) or cue("negation").search(gap) \
                or cue("washout").search(said) or cue("stable_course").search(said):
            # ("on a stable regimen of psychotropic medication for at least three months": a course
            # reaching the present, kept as the window of its use)
            return False
        if t.comparator == "between" and t.value_high is not None:
            d.duration = [(">=", t.value), ("<=", t.value_high)]
        else:
            d.duration = [(t.comparator, t.value)]
        d.duration_unit = t.unit
        self._courses.add(t.start)
        d.end = max(d.end, t.end)
        d.evidence = (min(d.start, t.start), max(d.end, t.end))
        return True

    def _anaphor_referent(self, t: Entity) -> _Draft | None:
        """The diagnosis a time's subject refers back to ("Diabetic foot ulcer, the ulcer lasted for
        more than 1 month", "Progressive MS ... confirmation ... that the disease has entered the
        progressive stage for at least 6 months prior to enrollment"; cue ``condition_anaphor`` in
        the clause right before the time): the last diagnosis named before the anaphor in its
        sentence, none named between."""
        sentence_start = self._sentence_span(t.start, t.end)[0]
        clause = self.text[sentence_start:t.start]
        m = max(cue("condition_anaphor").finditer(clause), key=lambda x: x.start(), default=None)
        if m is None or cue("clause_punctuation").search(clause, m.end()):
            return None
        at = sentence_start + m.start()
        before = [d for d in self.drafts if d.kind == Kind.CONDITION and d.present and sentence_start <= d.start and d.end <= at]
        named_between = any(x.label == "CONDITION" and at <= x.start and x.end <= t.start for x in self.ents)
        return None if named_between or not before else max(before, key=lambda d: d.end)

    def _remission_time(self, v: Entity) -> bool:
        """The time an exception of an exclusion says the disease has been gone ("unless ... with no
        evidence of disease for > 3 years", "except ... in complete remission for 5 years"): cue
        ``remission_exception`` right before it."""
        return self.effect == "exclude" and v.comparator in (None, "=", ">", ">=") \
            and bool(cue("remission_exception").search(self.text[max(0, v.start - _REMISSION_REACH):v.start]))

    def _remission_window(self, v: Entity) -> None:
        """The conditions named before a remission time (a value or a duration) in its sentence
        count only within it (a window, as "within the past 3 years"), resolved or not."""
        days = to_days(v.value, v.unit) if v.value is not None else None
        if days is None:
            return
        sentence_start = self._sentence_span(v.start, v.end)[0]
        for d in self.drafts:
            if d.kind == Kind.CONDITION and d.present and d.window is None and sentence_start <= d.start and d.end <= v.start:
                d.window = Window(low_days=None, high_days=round(days), relation=Relation.BEFORE, anchor=Anchor.ENROLLMENT)
                d.history = d.remission = True
                d.evidence = (d.start, max(d.end, v.end))

    def _measurement_window(self, t: Entity, prev_t: int) -> bool:
        """A look-back window after values with nothing else to time ("ejection fraction of less
        than or equal to 50% by gated blood pool scan ... within the prior six months", "≥1 GEL at
        MRI performed within the last 12 months"): the time the values must be measured in, for the
        measurements before it in its sentence. Not a duration, a range or a time after an event."""
        if not t.window_days or t.window_days_low is not None or t.comparator is not None or t.relation not in (None, "before"):
            return False
        anchor = anchor_of(t.anchor)
        if anchor not in TRIAL_EVENTS:
            return False
        sentence_start = self._sentence_span(t.start, t.end)[0]
        lex = _lex()
        # the window follows the measurements' own values: no other value between ("creatinine
        # clearance ... with urine output of >=0.3 mLs/kg/hour over the last 8 hours")
        read = [(d.start, d.end) for d in self.drafts if d.kind == Kind.MEASUREMENT]
        last_value = max((x.end for x in self.ents if x.label in _VALUE_LABELS and x.end <= t.start
                          and not any(s <= x.start and x.end <= e for s, e in read)), default=-1)
        found = [d for d in self.drafts if d.kind == Kind.MEASUREMENT and d.window is None and max(prev_t, sentence_start) <= d.start
                 and last_value <= d.end <= t.start and (e := lex.entries.get(d.concept or "")) is not None
                 and e.unit not in _TIME_CODES]
        for d in found:
            d.window = Window(low_days=None, high_days=t.window_days, relation=Relation.BEFORE, anchor=anchor, anchor_text=t.anchor)
            d.evidence = (min(d.start, t.start), max(d.end, t.end))
        return bool(found)

    def _loose_duration(self, v: Entity) -> None:
        """A time with a comparator that no analyte, age or window took: the length of the course
        of a treatment after "of" ("at least 6 months of conservative treatment"; cue
        ``course_of``), the other end of a duration just read ("for more than 4 weeks but less
        than 52 weeks"), or, right after a diagnosis an inclusion asks for, its duration ("Type 2
        diabetes according to the ADA 3 years or more"; a reading, not certain)."""
        if self._remission_time(v):
            self._remission_window(v)
            return
        if self._time_since(v):
            return
        after = [d for d in self.drafts if d.start >= v.end and d.kind in (Kind.THERAPY, Kind.PROCEDURE)]
        nxt = min(after, key=lambda d: d.start, default=None)
        if nxt is not None and nxt.present and not nxt.duration and v.value is not None and v.unit \
                and v.comparator in (">", ">=", "<", "<=") and cue("course_of").fullmatch(self.text[v.end:nxt.start]):
            # "in spite of at least 6 months of conservative treatment": how long its course lasted
            nxt.duration, nxt.duration_unit = [(v.comparator, v.value)], v.unit
            nxt.evidence = (min(nxt.start, v.start), max(nxt.end, v.end))
            return
        before = [d for d in self.drafts if d.end <= v.start]
        last = max(before, key=lambda d: d.end, default=None)
        if last is None:
            return
        if last.kind in (Kind.THERAPY, Kind.PROCEDURE) and self._course_length(last, v, self._course_gap(last.end, v)):
            return  # "Intubated > 72 continuous hours": how long the course lasted
        gap = self.text[last.end:v.start]
        course = last.kind in (Kind.THERAPY, Kind.PROCEDURE) and len(last.duration) == 1
        if ((last.kind == Kind.MEASUREMENT and last.concept == "disease_duration" and len(last.bounds) == 1) or course) \
                and cue("duration_join").fullmatch(gap):
            (cmp0, _), = last.duration if course else last.bounds
            # one unit per draft: the other end in the first's unit
            unit = last.duration_unit if course else last.unit
            x = convert(v.value, v.unit, unit) if v.value is not None else None
            if v.comparator and x is not None and (cmp0 in (">", ">=")) != (v.comparator in (">", ">=")):
                # "for more than 4 weeks but less than 52 weeks"; "under conventional therapy for at
                # least 6 months but less than 24 months"
                (last.duration if course else last.bounds).append((v.comparator, x))
                last.end = max(last.end, v.end)
            return
        if (self.effect == "include" and last.kind == Kind.CONDITION and last.present and last.concept not in PATIENT_STATES
                and _close_in_clause(gap) and not cue("treatment_word").search(gap)):
            t = v.model_copy(update={"label": "TEMPORAL"})
            self._duration(t, certain=False)

    def _time_since(self, v: Entity) -> bool:
        """A time with a comparator before "since" and the start of what follows (cue
        ``since_start``: "Greater than 72 hours since first meeting ARDS criteria", "More than 7 days
        since initiation of mechanical ventilation"): how long ago that began. A diagnosis' is its
        duration, in place of its presence (an exclusion of ARDS past 72 hours excludes no patient
        for having ARDS), a reading (unresolved); a treatment's or a procedure's is
        a look-back window on it, further back than the time or within it, a reading (unresolved); since
        its last one (cue ``since_last``), more than the time is none within it. After or from a
        treatment or procedure of the patient's (cue ``after_start``, ``_after_treatment``) likewise,
        a drug's course counted from its end ("At least 4 weeks after chemotherapy": none within
        them); a time without a comparator is at least the time in an inclusion ("Four weeks from
        cytotoxic agents"), at most it in an exclusion."""
        m = cue("since_start").match(self.text, v.end)
        after = m is None and (m := cue("after_start").match(self.text, v.end)) is not None
        if m is None or v.value is None or v.value_high is not None or (days := to_days(v.value, v.unit)) is None:
            return False
        d = min((d for d in self.drafts if d.start >= m.end() and d.kind in _WINDOWED), key=lambda d: d.start, default=None)
        if d is None or d.window is not None or not (d.present or d.kind != Kind.CONDITION) \
                or cue("clause_punctuation").search(self.without_asides(m.end(), d.start)) or d.start - m.end() > 40:
            return False
        comparator = v.comparator
        if after and not self._after_treatment(v, m.end(), d):
            return False
        if comparator is None:
            # no comparator: "Four weeks from cytotoxic agents" in an inclusion is at least the time
            # (a washout), in an exclusion at most it
            if d.kind == Kind.CONDITION:
                return False
            comparator = "<=" if self.effect == "exclude" else ">="
        if d.kind == Kind.CONDITION:
            if d.concept in PATIENT_STATES:
                return False
            if self.effect == "exclude":
                self.drafts.remove(d)
            t = v.model_copy(update={"label": "TEMPORAL"})
            # a reading, never certain: without the diagnosis beside it the duration is the trial's
            # diagnoses', which may have begun long before this one ("Greater than 24h since first
            # meeting ARDS criteria" in a trial of COVID-19 ARDS)
            self._duration(t, certain=False,
                           guess=f"the time since a diagnosis ({self.text[d.start:d.end]!r}), read as the trial's disease duration")
            return True
        # a course of drugs counts from its end: "after" one is since its last dose
        last = cue("since_last").match(self.text, v.end) is not None or (after and (
            d.kind == Kind.THERAPY or cue("after_last").match(self.text, v.end) is not None))
        # "3 weeks from procarbazine or Temozolomide": the time is each listed treatment's
        timed = [d]
        for x in sorted((x for x in self.drafts if x.start >= d.end and x.kind == d.kind and x.window is None), key=lambda x: x.start):
            gap = self.text[timed[-1].end:x.start]
            if not gap.strip() or not all(cue("coordination_join").match(w) for w in gap.lower().replace(",", " , ").split()):
                break
            timed.append(x)
        for x in timed:
            if comparator in (">", ">=") and not last:
                x.window = Window(low_days=round(days), high_days=None, relation=Relation.BEFORE, anchor=Anchor.ENROLLMENT)
            else:
                # "At least two weeks since the last focal radiotherapy": none within the time (a washout in
                # an inclusion; in an exclusion, one within it is what is excluded)
                x.window = Window(low_days=None, high_days=round(days), relation=Relation.BEFORE, anchor=Anchor.ENROLLMENT)
                x.washout = last and comparator in (">", ">=") and self.effect == "include"
            x.evidence = (min(x.start, v.start), max(x.end, v.end))
            x.unresolved.append("the time since a treatment or procedure began, read as a window on it")
        return True

    def _after_treatment(self, v: Entity, end: int, d: _Draft) -> bool:
        """Whether the time ``v`` "after" or "from" (ending at ``end``) is how long ago the patient
        had the treatment or procedure ``d`` ("Less than 3 months after radiotherapy", "≤ 4 weeks
        from major surgery"): not the trial's own (its dosing: "after MSC infusion"; a period led
        by "for" or "until", cue ``period_lead``: "for a period of at least 16 weeks after
        surgery"), not another event's time (a measurement or a condition before it in its clause:
        "LVEF ≤45% ... more than 24 hours after revascularization", "relapsed more than 3 months
        after stopping corticosteroids"), the treatment named right after the word (not "from time
        of neutrophil engraftment post AHCT"), and in an exclusion not a time past it (a washout
        excluded, a reading too far from the words)."""
        if d.kind not in (Kind.THERAPY, Kind.PROCEDURE) or d.planned or anchor_of(self.text[end:d.end]) == Anchor.FIRST_DOSE:
            return False
        if cue("period_lead").search(self.text[max(0, v.start - 40):v.start]):
            return False
        if d.start - end > 25 or any(end <= x.start and x.end <= d.start for x in self.ents):
            return False
        clause = self.clause_start(v.start, "clause_punctuation")
        if any(x.kind in (Kind.MEASUREMENT, Kind.CONDITION) and clause <= x.start < v.start for x in self.drafts):
            return False
        return not (self.effect == "exclude" and v.comparator in (">", ">="))

    def _unlinked_lasting(self, t: Entity) -> bool:
        """In an inclusion, a duration ("for at least 3 months") right after a condition that the
        NER found and no vocabulary names ("Pain and / or decreased shoulder function for at least 3
        months", "non-healing ulcers present for > 4 weeks", "neurological symptoms for at least 12
        weeks"): how long that condition has lasted, read as the time since the trial's diagnosis, a
        guess (unresolved). Not after a treatment word or a clause break."""
        if self.effect != "include" or t.relation is not None or t.comparator not in (">", ">=", "<", "<=") \
                or not cue("period_for").match(t.text) or t.value is None or to_days(t.value, t.unit) is None:
            return False
        last = max((x for x in (*self.ents, *self.unlinked) if x.end <= t.start), key=lambda x: x.end, default=None)
        if last is None or last not in self.unlinked:
            return False
        gap = self.without_asides(last.end, t.start)
        if not _close_in_clause(gap) or cue("reproductive_state").search(last.text):
            return False  # ("has not been postmenopausal for at least 24 consecutive months": a life stage)
        if any(m.end() == last.end for m in cue("condition_anaphor").finditer(self.text, max(0, last.start - 8), last.end)):
            return False  # "Diabetic foot ulcer. Then the pain lasted ...": an anaphor, whose referent is read apart
        # the clause names no treatment and no value the time could be of ("failed anti-rheumatoid drug
        # due to adverse event or inefficacy for at least 12 week", "(PaO2:FiO2) ≤ 300 while the
        # patient is breathing oxygen through NHF for at least 15 minutes")
        clause = self.clause_start(last.start, "clause_punctuation")
        if cue("treatment_word").search(self.text, clause, t.start) \
                or any(x.label in _VALUE_LABELS and clause <= x.start and x.end <= last.start and self.text[x.end:last.start].strip()
                       for x in self.ents):  # (a count of the condition itself is none: "one or more neurological symptoms")
            return False
        self._duration(t, certain=False, guess=f"how long an unlinked condition ({last.text!r}) has lasted, read as the time since the diagnosis")
        return True

    def _diagnosed_in(self, d: _Draft, t: Entity, end: int, gap: str) -> bool:
        """Whether the window ``t`` after the diagnosis ``d`` (its mention ending at ``end``, ``gap``
        the words between, asides left out) times the diagnosis itself: a diagnosis, onset or
        occurrence word in the gap (cue ``diagnosis_event``) or a lead right before the mention (cue
        ``diagnosis_lead``: "Diagnosis of type 1 diabetes within the last 6 months"; not "previously
        diagnosed or undiagnosed chronic liver disease acute decompensated within 4 weeks"), no
        anchor after the window that the text leaves unread, no clause break and no other thing named in
        the gap that the window could time ("SARS-CoV-2 infection as determined by PCR ... within 21
        days": the test's)."""
        gap = gap.lstrip(" )]")  # (the mention's own abbreviation closed: "Crohn Disease (CD) at screening ...")
        if end > t.start or not _close_in_clause(gap, 60):
            return False
        if any(x.label not in ("TEMPORAL", "VALUE") and end <= x.start and x.end <= t.start for x in self.ents):
            return False
        if not t.anchor and cue("time_relation_after").match(self.text, t.end):
            return False  # "occurring within 100 days of HCT": timed from another event
        return bool(cue("diagnosis_event").search(gap)
                    or cue("diagnosis_lead").search(self.without_asides(self.clause_start(d.start, "clause_punctuation"), d.start)))

    def _duration(self, t: Entity, certain: bool, planned: bool = False, guess: str | None = None) -> None:
        """"within 3-12 months before enrollment" on a diagnosis: disease duration 3..12 months;
        "present for at least 30 minutes": at least 30 minutes; "less than 4 years from diagnosis":
        under 4 years. ``planned``: the time of the trial's own treatment, which may follow
        screening by days: the lower end of a range is then only a guess of the time at screening."""
        if any(d.kind == Kind.MEASUREMENT and d.concept == "disease_duration" and d.start == t.start for d in self.drafts):
            return
        lo, hi = t.value, t.value_high
        assert lo is not None  # a temporal entity always has its amount
        if planned and hi is not None:
            # "must be performed between 3-10 days after stroke onset": past 10 days at screening is
            # too late for certain; under 3 days the treatment can still come on day 3
            self._add(Kind.MEASUREMENT, t.start, t.end, concept="disease_duration", bounds=[(">=", lo)], unit=t.unit,
                      rule="window:disease_duration", unresolved=[_PLANNED_LOW])
            self._add(Kind.MEASUREMENT, t.start, t.end, concept="disease_duration", bounds=[("<=", hi)], unit=t.unit,
                      rule="window:disease_duration", unresolved=[] if certain else ["a time window away from the diagnosis, read as the time since it"])
            return
        if hi is not None:
            bounds = [(">=", lo), ("<=", hi)]
        elif t.comparator in (">", ">=", "<"):
            bounds = [(t.comparator, lo)]
        else:
            bounds = [("<=", lo)]
        self._add(Kind.MEASUREMENT, t.start, t.end, concept="disease_duration", bounds=bounds, unit=t.unit,
                  rule="window:disease_duration",
                  unresolved=[] if certain else [guess or "a time window away from the diagnosis, read as the time since it"])

    def _led_as_example(self, x: _Draft, d: _Draft) -> bool:
        """Whether ``d`` stands after ``x`` as its example: after an example lead (cue
        ``example_lead``: "including", "such as") or a colon ("Uncontrolled arrhythmia, defined as:
        atrial fibrillation with rapid ventricular response"), or inside a bracket opened after it
        ("Severe cardiovascular disease (angina, arrhythmia, cardiac failure)")."""
        end = self._mention_end(x, any_concept=True) or x.end
        aside = self._aside_span_at(d.start)
        return bool(cue("example_lead").search(self.text, end, d.start)) or ":" in self.text[end:d.start] \
            or (aside is not None and aside[0] >= end)

    def _mention_end(self, d: _Draft, any_concept: bool = False) -> int | None:
        """Where the mention a draft was read from ends (a window read since may have extended
        the draft itself), or None; ``any_concept``: whatever concept the mention was read as
        ("adequate cardiac function": the function's mention, read as no cardiac dysfunction)."""
        return next((e.end for e in self.ents if e.start == d.start and (any_concept or e.concept_id == d.concept)), None)

    def _conjuncts(self, a: _Draft, b: _Draft) -> bool:
        """Whether the mention ``a`` is read from is joined to ``b``'s by a coordinator alone."""
        end = self._mention_end(a)
        return end is not None and end <= b.start and bool(cue("coordination_join").match(self.text[end:b.start].strip().lower()))

    def _pregnancy_not_required(self) -> None:
        """A pregnancy or lactation named as what is prevented, planned, reported or tested for
        (cues ``pregnancy_not_state_before`` / ``_after``: "birth control to prevent pregnancy",
        "females becoming pregnant during the study", "must undergo pregnancy test", "report any
        pregnancy") is no requirement that the patient be pregnant (an inclusion read as
        pregnant) or not be (an exclusion of the women "not willing ... to avoid pregnancy" read
        as an exclusion of everyone not pregnant): that reading is dropped (a "negative pregnancy
        test" in an inclusion stays: it is read as not pregnant). A past pregnancy ("complications
        in a previous pregnancy", "at least one past pregnancy"; cue ``pregnancy_past_before``) is
        obstetric history, no reading of the current state in either section. Nor is "nursing" before "home",
        "student", "staff" (cue ``nursing_not_lactation``) breastfeeding."""
        keep = []
        for d in self.drafts:
            if d.kind == Kind.CONDITION and d.concept == "lactation" and self.text[d.start:d.end].lower() == "nursing" \
                    and cue("nursing_not_lactation").match(self.text[d.end:d.end + 30]):
                continue  # "Nursing home residents", "nursing student": no breastfeeding
            # inside an inclusion the patient would have to be pregnant; inside an exclusion, not to be
            required = d.present if self.effect == "include" else not d.present
            if d.kind == Kind.CONDITION and d.concept in ("pregnancy", "lactation"):
                before = self.text[max(self.crit_span[0], d.start - 40):d.start]
                if cue("pregnancy_past_before").search(before):
                    continue  # "complications in a previous pregnancy": obstetric history, no current state either way
                # after the mention itself (a window read since may have extended the draft: "pregnancy
                # test performed within 72 hours prior to initiation of treatment")
                end = self._mention_end(d) or d.end
                if (required and self.effect == "include" and d.concept == "pregnancy"
                        and not cue("pregnancy_not_state_before").search(before) and cue("pregnancy_test_after").match(self.text[end:end + 40])):
                    # "must have a pregnancy test performed within 72 hours prior to initiation of
                    # treatment": a test asked for, whose negative result the inclusion implies: not
                    # pregnant, inferred (never certain on its own)
                    d.present, d.inferred, d.rule = False, True, "mention:test_required"
                    keep.append(d)
                    continue
                if required and (cue("pregnancy_not_state_before").search(before)
                                 or cue("pregnancy_not_state_after").match(self.text[end:end + 30])):
                    continue
            keep.append(d)
        self.drafts = keep

    def _use_frequency(self) -> None:
        """A treatment said to be used more or less often than a rate (cue ``use_frequency_after``:
        "not taking pain medication more than once per week", "Regular intake of pain medication
        (more than 4 times per week)"): how often it is taken is not read, so its use or absence
        alone is no certain reading."""
        for d in self.drafts:
            if d.kind in (Kind.THERAPY, Kind.PROCEDURE) and (m := cue("use_frequency_after").match(self.text, d.end)):
                d.unresolved.append(f"how often it is used is not read ({' '.join(m.group(0).split()).lstrip('( ')!r})")

    def _drop_examples(self) -> None:
        """"immunosuppressive drugs (e.g., steroids)": a narrower concept named after its broader
        one in the same criterion is an example of it, not a constraint of its own ("ALF defined as
        ... impairment of liver function": named first, the narrower one is what is asked)."""
        lex = _lex()
        ids = {d.concept for d in self.drafts if d.kind in (Kind.THERAPY, Kind.CONDITION) and d.concept}
        keep = []
        for d in self.drafts:
            if d.kind in (Kind.THERAPY, Kind.CONDITION) and d.concept and lex.ancestors(d.concept) & ids and not d.inferred \
                    and not d.dose:  # "steroid (>7.5 mg/d prednisone or equivalent)": the dose is said of it
                # "liver failure ... no chronic liver disease": not an example; nor a conjunct
                # ("subarachnoid or intracerebral hemorrhage": the one "or" between them)
                broader = [x for x in self.drafts if x.concept and x.concept in lex.ancestors(d.concept)
                           and x.present == d.present and x.start < d.start
                           # a certain reading after a doubtful one is no example of it unless
                           # led as one ("Adequate cardiac function with no evidence of congestive
                           # heart failure"; not "Severe respiratory disorder, including acute asthma")
                           and (d.unresolved or not x.unresolved or self._led_as_example(x, d))
                           and not self._conjuncts(x, d)
                           # "... hepatitis virus, toxoplasmosis, HIV ..., as well as ... hepatitis C
                           # PCR positivity": named in addition, no example
                           and not cue("additive_join").search(self.text[x.end:d.start])]
                days = d.window.high_days if d.window else None
                if any((x.window.high_days if x.window else None) == days for x in broader):
                    continue
            if d.kind in (Kind.THERAPY, Kind.PROCEDURE) and any(
                    x.concept in STATES_BY_MEANS and x.start < d.start and self._led_as_example(x, d) for x in self.drafts):
                # "not using appropriate method of contraception (appropriate method includes hormones,
                # bilateral tubal ligation ...)": the means of the state, not a treatment asked of its own
                continue
            keep.append(d)
        self.drafts = keep

    def _example_alternatives(self) -> None:
        """Examples are alternatives: in an inclusion, what an example lead (cue ``example_lead``:
        "such as", "e.g.", "including") lists, to the end of its bracket or sentence, asks for any
        one of them, however they are joined ("TNF-antagonist therapy (e.g. infliximab,
        etanercept, adalimumab)", "symptoms ... such as fatigue, cough, headache", "RAAS drugs
        (e.g. ACE Inhibitors, Angiotensin Receptor Blockers)"): one OR group, an OR group already
        among them joined to it. What is asked absent stays each on its own ("no infection
        (e.g. HBV, HIV)": none of them)."""
        if self.effect != "include":
            return  # an exclusion is met by any of its readings already
        s0, s1 = self.crit_span
        kinds = (Kind.CONDITION, Kind.THERAPY, Kind.PROCEDURE)
        lex = _lex()
        for lead in cue("example_lead").finditer(self.text, s0, s1):
            aside = self._aside_span_at(lead.start())
            # (past the lead's own full stop: "i.e." ends no sentence)
            end = aside[1] if aside is not None else self._sentence_span(lead.end(), min(lead.end() + 1, s1))[1]
            listed = [d for d in self.drafts if lead.end() <= d.start < end and d.present and not d.inferred and d.kind in kinds]
            # the concept the examples are of, right before the lead, when some of them are its
            # kinds ("autoimmune disease such as lupus ... and psoriasis": lupus dropped as its
            # example, psoriasis is its alternative; not "Crohn's disease (i.e., standard of care
            # such as antibiotics)", whose examples are of something else)
            head = max((d for d in self.drafts if d.present and not d.inferred and d.kind in kinds
                        and (e := self._mention_end(d, any_concept=True) or d.end) <= lead.start()
                        and cue("example_head_gap").fullmatch(self.text, e, lead.start())),
                       key=lambda d: d.start, default=None)
            if head is not None and head.concept and any(
                    x.concept_id and lead.end() <= x.start < end and head.concept in lex.ancestors(x.concept_id) for x in self.ents):
                listed.insert(0, head)
            if len(listed) < 2:
                continue
            g = next((d.group for d in listed if d.group), None) or self._group()
            joined = {d.group for d in listed if d.group and d.group != g}
            members = {id(d) for d in listed}  # drafts by identity: two of equal fields are two constraints
            for d in self.drafts:
                if id(d) in members or (d.group is not None and d.group in joined):
                    d.group = g

    # -- freezing into model v2 ----------------------------------------------------------------
    def freeze(self) -> tuple[list[AnyConstraint], dict[str, str], dict[str, str]]:
        """The constraints, their OR groups and their ALL groups (constraint id -> group id)."""
        out: list[AnyConstraint] = []
        groups: dict[str, str] = {}
        together: dict[str, str] = {}
        model = {(e.start, e.end): e.linked_by for e in self.ents if e.source == "model" and e.concept_id}
        named = {e.concept_id for e in self.ents if e.source == "rules" and (e.concept_id or "").startswith(UNCODED)}
        for n, d in enumerate(self.drafts, start=1):
            cid = f"{self.crit_id}.c{n}"
            how = next((h for (s, e), h in model.items() if s <= d.start and d.end <= e), None)
            if d.concept in named:
                how, d.rule = None, "quantity:uncoded"  # a quantity the rules named: no code, so a person reads it
            elif (d.concept or "").startswith(UNCODED):
                how = "uncoded"  # an analyte only the statistical NER found: never a certain reading
            if how is not None:  # read from the statistical NER's span: never a certain reading
                d.rule = f"model:{how}"
            out.append(freeze_draft(d, cid, self.crit_id, source="model" if how is not None else "rules", text=self.text))
            if d.group:
                groups[cid] = d.group
            if d.together:
                together[cid] = d.together
        return out, groups, together


def _concept_set(d: _Draft) -> ConceptSet | None:
    return _concept_set_of(d.concept, tuple(dict.fromkeys(d.excluded))) if d.concept else None


@lru_cache(maxsize=4096)
def _concept_set_of(cid: str, excluded: tuple[str, ...]) -> ConceptSet:
    """One shared frozen ConceptSet per (concept, carve-outs)."""
    return ConceptSet(concept=_concept(cid), excluded=tuple(_concept(e) for e in excluded))


def _numeric_range(bounds: list[tuple[str, float]], unit: str | None) -> NumericRange:
    lo = [(c, v) for c, v in bounds if c in (">", ">=", "=")]
    hi = [(c, v) for c, v in bounds if c in ("<", "<=", "=")]
    if lo and hi and lo[0][1] > hi[-1][1]:  # a range written high to low: "eGFR 60 to 0"
        lo, hi = [(lo[0][0], hi[-1][1])], [(hi[-1][0], lo[0][1])]
    return NumericRange(low=lo[0][1] if lo else None, low_inclusive=not lo or lo[0][0] != ">",
                        high=hi[-1][1] if hi else None, high_inclusive=not hi or hi[-1][0] != "<", unit=unit)


def _one_band(earlier: Sequence[_Draft], val: Entity, between: str) -> bool:
    """Whether a value joined by "and", "but" or "to" (cue ``range_ends_join``) to the single
    thresholds read just before it, of the same analyte in its unit (or none written), bounds the
    other side of one range a value meets with them ("<50% and >30%", "≥ 0.5 but ≤ 4.0 cm2"), not
    an alternative ("> 16.8 mmol/L or < 2.8 mmol/L"; "<30% and >50%", which no value meets, stays one)."""
    if not cue("range_ends_join").fullmatch(between) or val.comparator not in _BOUND_SIDE or val.value is None:
        return False
    side = _BOUND_SIDE[val.comparator]
    for d in earlier:
        if len(d.bounds) != 1 or (val.unit is not None and d.unit != val.unit) or _BOUND_SIDE.get(d.bounds[0][0]) in (None, side):
            return False
        low, high = (val.value, d.bounds[0][1]) if side == "low" else (d.bounds[0][1], val.value)
        if low >= high:
            return False
    return True


_BOUND_SIDE = {">": "low", ">=": "low", "<": "high", "<=": "high"}


_CONTRADICTION = ("required together with another reading of the same quantity or concept that no patient meets with it "
                  "(disjoint ranges, present and absent): read as alternatives or a restatement")


def _disjoint(a: NumericRange, b: NumericRange) -> bool:
    """No value lies in both ranges (in one unit)."""
    def below(high: float | None, high_in: bool, low: float | None, low_in: bool) -> bool:
        return high is not None and low is not None and (high < low or (high == low and not (high_in and low_in)))
    return below(a.high, a.high_inclusive, b.low, b.low_inclusive) or below(b.high, b.high_inclusive, a.low, a.low_inclusive)


def _quantity(c: AnyConstraint) -> str | None:
    """The concept a constraint's range measures (None: age, weight or BMI, which the kind names)."""
    concepts = getattr(c, "concepts", None)
    return concepts.concept.id if concepts is not None else None


def _contradictions_doubted(constraints: list[AnyConstraint], logic: Group | None) -> list[AnyConstraint]:
    """Ranges of one quantity (or one concept present and absent) the criterion's top ALL requires
    together though no value meets them both ("Grade 1 or Grade 2 Osteoarthritis" read as grade 1
    and grade 2; "BMI between 18 and 40 (i.e., subjects with a BMI >40 and <18 will be excluded)"
    read as three requirements): the reading is certainly wrong, and every patient would fail it;
    each is kept, in doubt.
    Only certain ranges: beside one already in doubt ("Age 14-70 (≥14, ≤70) one year old") the
    certain one is the reading to keep."""
    if logic is None or logic.op != "ALL":
        return constraints
    top = {i for i in logic.items if isinstance(i, str)}
    ranged: list[tuple[AnyConstraint, NumericRange]] = [
        (c, r) for c in constraints if c.id in top and c.effect == "include" and c.provenance.certain
        and isinstance(r := getattr(c, "range", None), NumericRange)
        and not getattr(c, "change", False) and getattr(c, "applies_if", None) is None]
    doubted: set[str] = set()
    for i, (a, ra) in enumerate(ranged):
        for b, rb in ranged[i + 1:]:
            if _quantity(a) == _quantity(b) and a.kind == b.kind and ra.unit == rb.unit and _disjoint(ra, rb):
                doubted |= {a.id, b.id}
    # one concept required and required absent at once ("Pregnant women who have not had any
    # complication of pregnancy", "who did not or had regular dialysis"), with no time to tell them apart
    stated: dict[tuple[str, str | None, Any], AnyConstraint] = {}
    for c in constraints:
        present = getattr(c, "present", None)
        if c.id not in top or c.effect != "include" or not c.provenance.certain or present is None \
                or getattr(c, "window", None) is not None or getattr(c, "applies_if", None) is not None:
            continue
        key = (c.kind, _quantity(c), getattr(c, "exposure", None))
        other = stated.setdefault(key, c)
        if getattr(other, "present", None) is not present:
            doubted |= {other.id, c.id}
    if not doubted:
        return constraints
    return [c.model_copy(update={"provenance": c.provenance.model_copy(update={
        "unresolved": (*c.provenance.unresolved, _CONTRADICTION), "confidence": min(c.provenance.confidence, QUALIFIED)})})
        if c.id in doubted else c for c in constraints]


def freeze_draft(d: _Draft, cid: str, criterion: str | None, source: ProvenanceSource = "rules", text: str = "") -> AnyConstraint:
    """The frozen v2 constraint of a draft; ``text`` is the eligibility text its evidence offsets index."""
    unresolved = tuple(d.unresolved)
    confidence = INFERRED if d.inferred else (QUALIFIED if unresolved else CERTAIN)
    if source == "model":
        confidence = min(confidence, MODEL)
    fields: dict[str, Any] = {
        "id": cid, "criterion": criterion, "effect": d.effect,
        "evidence": _evidence(text, *d.evidence) if isinstance(d.evidence, tuple) else d.evidence,
        "provenance": Provenance(source=source, rule=d.rule, inferred=d.inferred,
                                 confidence=confidence, unresolved=unresolved),
    }
    k = d.kind
    if k in _NUMERIC:
        fields["range"] = _numeric_range(d.bounds, d.unit)
        if k != Kind.AGE:
            fields["applies_if"] = d.applies_if
        if k == Kind.MEASUREMENT:
            fields.update(concepts=_concept_set(d), window=d.window, change=d.change)
    elif k == Kind.SEX:
        fields["sex"] = d.sex
    elif k == Kind.CONSENT:
        fields["present"] = d.present
    elif k in _WINDOWED:
        fields.update(present=d.present, applies_if=d.applies_if)
        if k != Kind.TRIAL_PARTICIPATION:
            cs = _concept_set(d)
            if cs is None:
                cs = ConceptSet(concept=Concept(id="unspecified", name=k.value.replace("_", " ")))
                fields["provenance"] = fields["provenance"].model_copy(update={"unresolved": (*unresolved, "no concept")})
            fields["concepts"] = cs
        if k == Kind.THERAPY and d.dose:
            fields["dose"] = _numeric_range(d.dose, d.dose_unit)
        if k in _EXPOSURE_KINDS and d.duration:
            fields["duration"] = _numeric_range(d.duration, d.duration_unit)
        if k in _EXPOSURE_KINDS:
            if d.planned:
                fields["exposure"] = Exposure.PLANNED
            elif d.window is not None:
                fields.update(exposure=Exposure.WASHOUT if d.washout else Exposure.IN_WINDOW, window=d.window)
            elif d.history or (d.effect == "include" and d.present):
                # an inclusion that asks for a treatment asks for it ever; one that denies it with no
                # word of the past ("not requiring mechanical ventilation", "not on steroids") denies
                # its current use
                fields["exposure"] = Exposure.EVER
            else:
                fields["exposure"] = Exposure.CURRENT
        else:
            fields.update(history=d.history, window=d.window)
            if d.planned:
                fields["provenance"] = fields["provenance"].model_copy(
                    update={"unresolved": (*fields["provenance"].unresolved, "a planned or hypothetical condition")})
    return KIND_MODELS[k](**fields)


def build_criterion(crit_id: str, section: str, entities: Sequence[Entity], eligibility_text: str,
                    span: tuple[int, int], children: Sequence[str] = (), lead: str = "",
                    targets: Sequence[str] = ()) -> CriterionConstraints:
    """Constraints, logic and computability of one criterion. ``lead`` is the criterion's own
    text, read for "one of the following" when it has sub-criteria; ``targets`` are the concepts
    of the trial's titles and condition list ("other malignancy" in a breast-cancer trial
    carves breast cancer out)."""
    own = span
    if children and lead and (at := eligibility_text.find(lead, span[0], span[1])) >= 0:
        own = (span[0], at + len(lead))  # a lead-in's own words, without its sub-criteria
    analytes = {id(e) for e in entities if _uncoded_analyte(e) and (
        e.label == "MEASUREMENT" or _value_adjoins(e, entities, eligibility_text))}

    def uncoded_analyte(e: Entity) -> bool:
        return id(e) in analytes

    unnamed = [e for e in entities if e.source == "model" and not e.concept_id and e.label == "CONDITION" and not uncoded_analyte(e)]
    uncoded_spans = [e for e in entities if uncoded_analyte(e) and cue("generic_analyte").fullmatch(_uncoded_name(e)) is None]
    b = _Builder(crit_id, section, [e for e in entities if (e.source == "rules" or e.concept_id) and not uncoded_analyte(e)],
                 eligibility_text, span, targets, own, unnamed, uncoded_spans)
    b.build()
    constraints, groups, together = b.freeze()
    if any(uncoded_analyte(e) for e in entities) and any(e.label in _VALUE_LABELS and e.value is not None for e in entities):
        # an analyte the NER found and no vocabulary has keeps a threshold that nothing else
        # reads, under its name as written: read again with it, kept only when every other
        # constraint reads as before ("ankle pressure ≤ 70 mm Hg"; not "ACLF of grade 2 or 3
        # according to EASL-CLIF definition", whose grade the ACLF takes), and grouped no stricter
        # (an "or" between two others stays theirs: "failed pregnancies in at least two cycles of
        # IVF or ICSI"; one it joins into an or-list is welcome: "ABPI ≤ 0.6 or ankle pressure ≤ 70
        # mm Hg or TcPO2 ≤ 60 mmHg")
        more = [e.model_copy(update={"concept_id": uncoded_id(_uncoded_name(e)), "linked_by": "uncoded", "label": "MEASUREMENT"})
                if uncoded_analyte(e) else e
                for e in entities if e.source == "rules" or e.concept_id or uncoded_analyte(e)]
        b2 = _Builder(crit_id, section, more, eligibility_text, span, targets, own, unnamed, uncoded_spans)
        b2.build()
        again = b2.freeze()
        if [_comparable(c) for c in again[0] if not _is_uncoded(c)] == [_comparable(c) for c in constraints] \
                and _no_stricter(_grouping(constraints, groups, together), _grouping(*again)):
            b, (constraints, groups, together) = b2, again
    uncoded = _quoted([c.concepts.concept.name for c in constraints if _is_uncoded(c)])
    read = {c.concepts.concept.id for c in constraints if _is_uncoded(c)}
    unlinked = [e.text for e in entities if e.source == "model" and not e.concept_id and uncoded_id(_uncoded_name(e)) not in read]
    # a scale the rules named ("Grade 1-2 according to Tonnis classification": ``elig_values``) that
    # no value was read for: named too (a count's or a size's name is only a guess of the grammar)
    unvalued = [n for e in entities if e.source == "rules" and uncoded_analyte(e) and uncoded_id(n := _uncoded_name(e)) not in read
                and cue("scale_named").search(n)]
    at_least = _children_at_least(lead) if children else None
    logic = build_logic(section, [c.id for c in constraints], groups, children, at_least, together)
    constraints = _contradictions_doubted(constraints, logic)
    kinds = {c.kind for c in constraints}
    optional = _quoted([e.text for e in b.optional])
    # a value an analyte named could not take, read by no constraint: named, never dropped in silence
    unfit = _values_unread(b.unfit, constraints)
    bare = _values_unread(b.bare, constraints)
    if not constraints:
        if children:
            return CriterionConstraints((), False, f"container: its sub-criteria {children[0]}..{children[-1]} carry the constraints", logic)
        if optional:
            return CriterionConstraints((), False, f"nothing required: 'with or without' leaves {optional} optional", logic)
        if b.unread_conditions:
            return CriterionConstraints((), False, f"not recognised: what the condition {_quoted(b.unread_conditions)} governs", logic)
        if b.reading_conditions:
            return CriterionConstraints((), False, f"not recognised: only how a value is taken ({_quoted(b.reading_conditions)})", logic)
        said = eligibility_text[own[0]:own[1]]
        if (topic := next((why for name, why in _RECORD_LESS if cue(name).search(said)), None)) is not None:
            return CriterionConstraints((), False, f"not computable: {topic}, which no patient record holds", logic)
        if unfit:
            return CriterionConstraints((), False, f"not computable: {_UNFIT} ({unfit})", logic)
        if bare:
            return CriterionConstraints((), False, f"not computable: {_BARE} ({bare})", logic)
        if unlinked:
            return CriterionConstraints((), False, f"not recognised: {_unlinked(unlinked)}", logic)
        if unvalued:
            return CriterionConstraints((), False, f"not recognised: {_unvalued(unvalued)}", logic)
        if b.unread_kinds:
            return CriterionConstraints((), False, f"not computable: {_KIND_BY_NEGATION} ({_quoted(b.unread_kinds)})", logic)
        if b.stateless:
            named = _quoted([e.text for e in b.stateless])
            return CriterionConstraints((), False, f"not computable: {named} named with no state or value to compare", logic)
        return CriterionConstraints((), False, "not recognised: no computable concept, value or judgement found", logic)
    if kinds == {Kind.JUDGEMENT}:
        return CriterionConstraints(tuple(constraints), False, "left to the investigator's judgement", logic)
    if uncoded and all(_is_uncoded(c) for c in constraints):
        also = f"; partly not recognised: {_unlinked(unlinked)}" if unlinked else ""  # what the NER found, never dropped in silence
        also += f"; partly not recognised: {_unvalued(unvalued)}" if unvalued else ""
        return CriterionConstraints(tuple(constraints), False, f"not computable: {_uncoded(uncoded)}{also}", logic)
    # what the criterion says beyond its constraints is named, never dropped in silence
    notes = ["partly left to the investigator's judgement"] if Kind.JUDGEMENT in kinds else []
    if uncoded:
        notes.append(f"partly not computable: {_uncoded(uncoded)}")
    if unlinked:
        notes.append(f"partly not recognised: {_unlinked(unlinked)}")
    if unvalued:
        notes.append(f"partly not recognised: {_unvalued(unvalued)}")
    if unfit:
        notes.append(f"partly not computable: {_UNFIT} ({unfit})")
    if bare:
        notes.append(f"partly not computable: {_BARE} ({bare})")
    if optional:
        notes.append(f"{optional} optional ('with or without'): no requirement")
    if b.unread_conditions:
        notes.append(f"partly not recognised: what the condition {_quoted(b.unread_conditions)} governs")
    if b.unread_stages:
        notes.append(f"partly not computable: a stage or grade the vocabularies do not measure ({_quoted(b.unread_stages)})")
    if b.unread_thresholds:
        notes.append(f"partly not computable: a threshold of a diagnosis the vocabularies do not measure ({_quoted(b.unread_thresholds)})")
    if b.reading_conditions:
        notes.append(f"how a value is taken ({_quoted(b.reading_conditions)}): no condition of eligibility")
    if b.unread_kinds:
        notes.append(f"partly not computable: {_KIND_BY_NEGATION} ({_quoted(b.unread_kinds)})")
    return CriterionConstraints(tuple(constraints), True, "; ".join(notes) or None, logic)


# what a criterion may ask that no patient record holds (cue name, why): it is named, not left as
# "not recognised" (LCT: "Unable to understand and speak English", "Patient affiliated to a social
# security system", "Prisoners")
_RECORD_LESS = (
    ("language_requirement", "a language the patient must speak, read or understand"),
    ("legal_status_requirement", "a legal or administrative status (social security or insurance, guardianship, detention)"),
)


def _quoted(texts: Sequence[str]) -> str:
    """Each text once, in order, quoted."""
    return ", ".join(repr(t) for t in dict.fromkeys(texts))


def _unvalued(names: Sequence[str]) -> str:
    """What the rules named as a scale no vocabulary has, with no value read for it."""
    return f"no value read for {_quoted(names)}, named as a scale no vocabulary has"


def _unlinked(texts: Sequence[str]) -> str:
    """What the statistical NER found and no vocabulary linked, each text once, in order."""
    names = _quoted(texts)
    return f"unlinked span of the statistical NER ({names}: no concept in the vocabularies)"


_NAME_EDGE = " \t\n,;:.([{-"  # what a span of the NER may carry at its ends that is no part of a name


def _grouping(constraints: Sequence[AnyConstraint], groups: dict[str, str], together: dict[str, str]) -> tuple[frozenset[frozenset[int]], ...]:
    """How a reading groups its coded constraints (by their order among them): which share an
    alternative group, which go together."""
    at = {c.id: n for n, c in enumerate(c for c in constraints if not _is_uncoded(c))}

    def parts(by: dict[str, str]) -> frozenset[frozenset[int]]:
        out: dict[str, set[int]] = {}
        for cid, g in by.items():
            if cid in at:
                out.setdefault(g, set()).add(at[cid])
        return frozenset(frozenset(v) for v in out.values() if len(v) > 1)  # one coded constraint alone groups nothing

    return parts(groups), parts(together)


def _no_stricter(before: tuple[frozenset[frozenset[int]], ...], after: tuple[frozenset[frozenset[int]], ...]) -> bool:
    """Whether ``after`` groups the coded constraints no stricter than ``before``: every set of
    alternatives stays within one, and nothing is bound together that was not."""
    (alt0, tog0), (alt1, tog1) = before, after
    return all(any(a <= b for b in alt1) for a in alt0) and all(any(t <= u for u in tog0) for t in tog1)


def _outside(lo: int, hi: int, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of [lo, hi) outside the (sorted, disjoint) ``spans``."""
    out, at = [], lo
    for a, b in spans:
        out.append((at, a))
        at = b
    return [*out, (at, hi)]


def _uncoded_analyte(e: Entity) -> bool:
    """An analyte no vocabulary links: the statistical NER's, or a quantity the rules named by
    what it measures ("cartilage defect diameter": ``elig_values``), or a span the NER took for a
    condition, procedure or therapy whose name ends in a word that names a quantity ("Gingival
    index", "central macular thickness (CMT)", "probing depth (PS)": ``_names_quantity``)."""
    if e.concept_id or not _uncoded_name(e):
        return False
    if e.label == "MEASUREMENT":
        return e.source == "model" or e.concept_name is not None
    return e.source == "model" and e.label in ("CONDITION", "PROCEDURE", "THERAPY") and _names_quantity(_uncoded_name(e))


def _value_adjoins(e: Entity, entities: Sequence[Entity], text: str) -> bool:
    """Whether a value follows the span right after it (cue ``value_adjoins``): what a span the NER
    took for a condition or a procedure must have to be read as a quantity ("Gingival index <1";
    not "a high index of suspicion for discogenic pain, (i.e., ... protrusions < 5 mm)", nor
    "painful area, >2 mm in diameter with visible depth"), and a number, or a level only of what
    its name says is graded (cue ``graded_name``: "Outerbridge Grade 4", "Modic Grade I or II"; not
    "anti-HLA Class I or II", "high risk class II": what kind, no quantity)."""
    graded = cue("graded_name").search(_uncoded_name(e)) is not None
    return any(v.label in _VALUE_LABELS and v.start >= e.end and (v.unit != "{score}" or graded)
               and cue("value_adjoins").fullmatch(text, e.end, v.start) is not None for v in entities)


def _names_quantity(name: str) -> bool:
    """Whether a name ends in a word that names a quantity (units.json ``dimension_words``) or a
    scale (cue ``scale_named``), its abbreviation in brackets after it aside."""
    words = cue("trailing_abbreviation").sub("", name).split()
    return bool(words) and (bool(quantity_dimensions(words[-1])) or cue("scale_named").fullmatch(words[-1]) is not None)


def _uncoded_name(e: Entity) -> str:
    """The name an analyte no vocabulary links is read under: the quantity's as the rules named
    it, else the NER span's text."""
    return (e.concept_name or e.text).strip(_NAME_EDGE)


def _is_uncoded(c: AnyConstraint) -> TypeGuard[MeasurementConstraint]:
    return isinstance(c, MeasurementConstraint) and c.concepts.concept.id.startswith(UNCODED)


def _comparable(c: AnyConstraint) -> AnyConstraint:
    """A constraint as two readings of one criterion compare it (its id and groups aside)."""
    return c.model_copy(update={"id": ""})


def _uncoded(names: str) -> str:
    """What a criterion's reason says of the analytes no vocabulary has that it reads."""
    return f"no code for the analyte {names} in the vocabularies (its threshold is read under the name as written)"


def _children_at_least(lead: str) -> int | None:
    m = cue("at_least_n_of").search(lead)
    if m:
        n = m.group("n").lower()
        return int(n) if n.isdigit() else _NUMBER_WORDS.get(n, 1)
    return 1 if cue("any_of").search(lead) else None


def structured_constraints(record: TrialRecord) -> list[AnyConstraint]:
    out: list[AnyConstraint] = []
    unit_of = {"year": "a", "month": "mo", "week": "wk", "day": "d", "hour": "h", "minute": "min"}

    def age(limit: AgeLimit, cmp_: str, label: str) -> None:
        d = _Draft(Kind.AGE, "include", Evidence(text=f"{label}: {limit.text}", start=0, end=0),
                   bounds=[(cmp_, limit.value)], unit=unit_of[limit.unit], rule=f"record:{label.replace(' ', '_')}")
        out.append(freeze_draft(d, f"S{len(out) + 1}", None, source="record"))

    if record.minimum_age:
        age(record.minimum_age, ">=", "minimum age")
    if record.maximum_age:
        age(record.maximum_age, "<=", "maximum age")
    if record.sex:
        d = _Draft(Kind.SEX, "include", Evidence(text=f"sex: {record.sex}", start=0, end=0), sex=record.sex.lower(),
                   rule="record:sex")
        out.append(freeze_draft(d, f"S{len(out) + 1}", None, source="record"))
    return out
