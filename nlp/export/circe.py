"""A parsed trial as an OHDSI Circe cohort definition (the JSON ATLAS reads and Circe turns into
OMOP CDM SQL).

- **Entry**: every person's latest observation period (``ObservationPeriod``, limit ``Last``);
  windows are counted back from its end (``UseIndexEnd``), the nearest thing in a warehouse to
  the screening date the matcher calls ``as_of``.
- **Concept sets**: one per distinct concept set of the trial, its items our source codes
  (SNOMED CT, ICD-10(-CM), LOINC, RxNorm, ATC, MeSH) with ``includeDescendants`` as the constraint
  says and the carve-outs as ``isExcluded`` items. OMOP concept ids come from a vocabulary
  database (``resolve``: the warehouse's own Athena tables, ``concept`` and
  ``concept_relationship`` 'Maps to'); without one, ``CONCEPT_ID`` is 0 and every code is
  reported unresolved.
- **Inclusion rules**: one per top-level criterion, plus the record's structured age and sex. An
  inclusion's logic is the group's ``Type`` (``ALL`` / ``ANY`` / ``AT_LEAST`` with ``Count``); an
  exclusion is its negation (De Morgan: an exclusion of any of its items is ``ALL`` of them
  absent, each ``Occurrence`` exactly 0).
- **Values**: ``Measurement`` with ``ValueAsNumber`` (``Op`` gt/gte/lt/lte/bt/eq), × ULN as
  ``RangeHighRatio`` (× LLN ``RangeLowRatio``); age and sex as ``DemographicCriteriaList``
  (gender concepts 8507 male, 8532 female); windows in days (``StartWindow``).
- **What Circe cannot say**: it has no "unknown". A criterion that is not computable (the
  investigator's judgement, nothing read, a reading the verdict policy calls uncertain: inferred,
  from the statistical model, with a qualifier not read; a concept with no code in the vocabulary
  where leaving it out would make the rule stricter; a numeric inclusion no value meets together
  with another, ``nlp.core.alternatives``) becomes a rule with an empty expression, which every person
  passes, named ``[not computable]`` with the reason: the cohort is then a superset to review, never
  a reason to turn someone away. Parts left out where that only loosens a rule are named in the
  rule's description. A measurement is checked on any value on record, not only the latest (Circe
  has no "latest value" filter); the matcher reads the latest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nlp.core.alternatives import criterion_doubt, trial_alternatives
from nlp.core.constraints import (
    AgeConstraint,
    AnyConstraint,
    BmiConstraint,
    Concept,
    ConceptSet,
    ConditionConstraint,
    Group,
    MeasurementConstraint,
    NumericRange,
    OtherConstraint,
    ProcedureConstraint,
    SexConstraint,
    TherapyConstraint,
    WeightConstraint,
    Window,
)
from nlp.core.document import AnnotatedCriterion, ParsedTrial
from nlp.core.entity import CodeRef
from nlp.core.labels import Exposure, GroupOp, Relation
from nlp.core.lexicon import LOINC, OMOP_GENDER, OMOP_VOCABULARY
from nlp.core.units import convert, ucum
from nlp.core.wording import sentence
from nlp.io import connect_duckdb

GENDER = {sex: {"CONCEPT_ID": cid, "CONCEPT_NAME": sex.upper(), "CONCEPT_CODE": sex[0].upper(),
                 "DOMAIN_ID": "Gender", "VOCABULARY_ID": "Gender"} for sex, cid in OMOP_GENDER.items()}
_DOMAIN = {"condition": "ConditionOccurrence", "other": "Observation", "therapy": "DrugExposure",
           "procedure": "ProcedureOccurrence"}  # constraint kind -> the Circe criteria of its OMOP table
_OP = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "=": "eq"}
# what a (vocabulary_id, concept_code) resolves to: the OMOP concept as Circe writes it, or None
Resolver = Callable[[str, str], dict[str, Any] | None]


@dataclass
class CirceExport:
    """A trial's cohort definition and the source codes no OMOP concept was found for."""

    trial: str
    expression: dict[str, Any]
    unresolved: list[tuple[str, str]] = field(default_factory=list)  # (vocabulary_id, code)
    uncoded: list[str] = field(default_factory=list)  # concept names with no code of an OMOP vocabulary


class _Builder:
    def __init__(self, resolve: Resolver | None) -> None:
        self.resolve = resolve
        self.sets: list[dict[str, Any]] = []
        self._ids: dict[str, int] = {}
        self.unresolved: set[tuple[str, str]] = set()
        self.uncoded: set[str] = set()

    # -- concept sets --------------------------------------------------------------------------
    def _items(self, concept: Any, descendants: bool, excluded: bool) -> list[dict[str, Any]]:
        out = []
        for code in concept.codes:
            vocab = OMOP_VOCABULARY.get(code.system)
            if vocab is None:
                continue
            found = self.resolve(vocab, code.code) if self.resolve else None
            if found is None:
                self.unresolved.add((vocab, code.code))
                if self.resolve is not None:
                    continue  # a vocabulary was given and has no such concept: left out
                found = {"CONCEPT_ID": 0, "CONCEPT_NAME": concept.name, "CONCEPT_CODE": code.code,
                         "VOCABULARY_ID": vocab, "DOMAIN_ID": "", "STANDARD_CONCEPT": None}
            out.append({"concept": found, "includeDescendants": descendants, "includeMapped": False,
                        "isExcluded": excluded})
        return out

    def codeset(self, cs: ConceptSet) -> int | None:
        """The id of the trial's concept set for ``cs``; None when it has no item (no code of an
        OMOP vocabulary, or none the vocabulary database knows)."""
        key = cs.model_dump_json(include={"concept": {"id"}, "include_descendants": True, "excluded": {"__all__": {"id"}}})
        if key in self._ids:
            return self._ids[key]
        items = self._items(cs.concept, cs.include_descendants, False)
        if not items:
            self.uncoded.add(cs.concept.name)
            return None
        for x in cs.excluded:
            items += self._items(x, True, True)
        cid = len(self.sets)
        self.sets.append({"id": cid, "name": cs.concept.name, "expression": {"items": items}})
        self._ids[key] = cid
        return cid


def _numeric(r: NumericRange) -> dict[str, Any] | None:
    """A range as Circe's NumericRange (``bt`` for two inclusive ends); None when it needs two
    comparisons with an exclusive end (``_split`` gives them)."""
    bounds = r.bounds()
    if len(bounds) == 1:
        op, v = bounds[0]
        return {"Value": v, "Op": _OP[op]}
    if r.low_inclusive and r.high_inclusive:
        return {"Value": r.low, "Op": "bt", "Extent": r.high}
    return None


def _split(r: NumericRange) -> list[NumericRange]:
    """A range with an exclusive end beside another end, as its two one-sided ranges."""
    return [NumericRange(low=r.low, low_inclusive=r.low_inclusive, unit=r.unit),
            NumericRange(high=r.high, high_inclusive=r.high_inclusive, unit=r.unit)]


def _window(w: Window | None) -> dict[str, Any]:
    """Days around the index end: all history by default, the window's days where it has one
    (before: negative coefficient)."""
    if w is None or w.relation == Relation.DURING:
        return {"Start": {"Coeff": -1}, "End": {"Days": 0, "Coeff": 1}, "UseIndexEnd": True}
    coeff = -1 if w.relation == Relation.BEFORE else 1
    far, near = w.high_days, w.low_days or 0
    start = {"Days": far, "Coeff": coeff} if far is not None else {"Coeff": coeff}
    end = {"Days": near, "Coeff": coeff}
    if coeff < 0:
        return {"Start": start, "End": end, "UseIndexEnd": True}
    return {"Start": end, "End": start, "UseIndexEnd": True}


def _occurrence(present: bool) -> dict[str, int]:
    return {"Type": 2, "Count": 1} if present else {"Type": 0, "Count": 0}


@dataclass
class _Part:
    """A constraint or sub-criterion in Circe: criteria and demographic lists and nested groups,
    each saying what holds when the text's content holds; ``None`` parts are not computable."""

    criteria: list[dict[str, Any]] = field(default_factory=list)
    demographics: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)


def _negate_demographic(d: dict[str, Any]) -> dict[str, Any] | None:
    """The complement of an age or sex demographic (None when it cannot be written)."""
    if "Age" in d:
        a = d["Age"]
        flip = {"gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt", "bt": "!bt", "!bt": "bt"}
        return {"Age": a | {"Op": flip[a["Op"]]}} if a["Op"] in flip else None
    return None


class _Trial:
    def __init__(self, builder: _Builder, alternatives: frozenset[str] = frozenset()) -> None:
        self.b = builder
        self.alternatives = alternatives  # numeric inclusions no value meets together with another

    def constraint(self, c: AnyConstraint, negate: bool) -> _Part | None:
        """What holds when the constraint's content holds (``negate``: when it does not)."""
        if not c.provenance.certain:  # the verdict policy: an uncertain reading never turns anyone away
            return None
        if c.id in self.alternatives:  # alternatives the text does not mark (``nlp.core.alternatives``)
            return None
        if getattr(c, "applies_if", None) is not None:
            return None  # "… for those on anticoagulants": not written (the rule decides whether to leave it out)
        if isinstance(c, AgeConstraint):
            r = c.range
            if ucum(r.unit) not in (None, "a"):  # Circe's age is in years
                r = NumericRange(low=convert(r.low, r.unit, "a") if r.low is not None else None,
                                 high=convert(r.high, r.unit, "a") if r.high is not None else None,
                                 low_inclusive=r.low_inclusive, high_inclusive=r.high_inclusive, unit="a")
            demos = [{"Age": _numeric(x)} for x in ([r] if _numeric(r) is not None else _split(r))]
            if negate:
                if len(demos) != 1 or (neg := _negate_demographic(demos[0])) is None:
                    return None
                demos = [neg]
            return _Part(demographics=demos)
        if isinstance(c, SexConstraint):
            if c.sex == "all":
                return _Part()
            sex = c.sex if not negate else {"male": "female", "female": "male"}[c.sex]
            return _Part(demographics=[{"Gender": [GENDER[sex]]}])
        if isinstance(c, MeasurementConstraint | WeightConstraint | BmiConstraint):
            return self._measurement(c, negate)
        if isinstance(c, ConditionConstraint | OtherConstraint | TherapyConstraint | ProcedureConstraint):
            domain = _DOMAIN[c.kind.value]
            cid = self.b.codeset(c.concepts)
            if cid is None:
                return None
            exposure = getattr(c, "exposure", None)
            if exposure in (Exposure.CURRENT, Exposure.PLANNED):
                return None  # ongoing use at the index date, or a plan: not a record Circe can read
            if getattr(c, "dose", None) is not None or getattr(c, "duration", None) is not None:
                return None  # a dose or a course's length: not exported rather than widened to any use of the drug
            present = c.present if exposure != Exposure.WASHOUT else not c.present
            if negate:
                present = not present
            return _Part(criteria=[{"Criteria": {domain: {"CodesetId": cid}}, "StartWindow": _window(c.window),
                                    "Occurrence": _occurrence(present)}])
        return None  # consent, trial participation, judgement: nothing a warehouse records

    def _measurement(self, c: MeasurementConstraint | WeightConstraint | BmiConstraint, negate: bool) -> _Part | None:
        if isinstance(c, MeasurementConstraint):
            if c.change:
                return None  # a change from a baseline: no single measurement's value in a range
            cid = self.b.codeset(c.concepts)
        else:
            code = "29463-7" if isinstance(c, WeightConstraint) else "39156-5"
            name = "Body weight" if isinstance(c, WeightConstraint) else "Body mass index"
            cid = self.b.codeset(ConceptSet(concept=Concept(id=name, name=name, codes=(CodeRef(system=LOINC, code=code),))))
        if cid is None or c.applies_if is not None:
            return None
        unit = ucum(c.range.unit)
        ranges = [c.range] if _numeric(c.range) is not None else _split(c.range)
        out = []
        for r in ranges:
            value = _numeric(r)
            if value is None:
                return None
            field_name = {"xULN": "RangeHighRatio", "xLLN": "RangeLowRatio"}.get(unit or "", "ValueAsNumber")
            window = c.window if isinstance(c, MeasurementConstraint) else None
            out.append({"Criteria": {"Measurement": {"CodesetId": cid, field_name: value}},
                        "StartWindow": _window(window), "Occurrence": _occurrence(True)})
        if negate:  # none of the values on record in the range
            return _Part(criteria=[x | {"Occurrence": _occurrence(False)} for x in out]) if len(out) == 1 else None
        return _Part(criteria=out)

    # -- criteria ------------------------------------------------------------------------------
    def group(self, crit: AnnotatedCriterion, g: Group, exclusion: bool,
              children: dict[str, list[AnnotatedCriterion]], dropped: list[str]) -> dict[str, Any] | None:
        """A criteria group of what must hold for the patient to pass (exclusions negated);
        None when it cannot be written without turning away someone it should keep."""
        by_id = {c.id: c for c in crit.constraints}
        kids = {k.id: k for k in children.get(crit.id, [])}
        op = g.op
        if exclusion:  # De Morgan: not ANY -> ALL of not; not ALL -> ANY of not
            op = {GroupOp.ALL: GroupOp.ANY, GroupOp.ANY: GroupOp.ALL}.get(op, op)
            if g.op == GroupOp.AT_LEAST:
                return None  # "fewer than n hold" is not a Circe group
        out: dict[str, Any] = {"Type": op.value, "CriteriaList": [], "DemographicCriteriaList": [], "Groups": []}
        if op == GroupOp.AT_LEAST:
            out["Count"] = g.n
        # leaving an item out loosens an ALL group (fewer things to meet) and tightens an ANY one
        can_drop = op == GroupOp.ALL
        for x in g.items:
            part: _Part | None
            if isinstance(x, Group):
                sub = self.group(crit, x, exclusion, children, dropped)
                part = _Part(groups=[sub]) if sub is not None else None
            elif x in by_id:
                part = self.constraint(by_id[x], negate=exclusion)
            elif x in kids:
                k = kids[x]
                sub = self.group(k, k.logic, exclusion, children, dropped) if k.logic and k.logic.items else None
                part = _Part(groups=[sub]) if sub is not None else None
            else:
                part = None
            if part is None:
                if not can_drop:
                    return None
                dropped.append(x if isinstance(x, str) else "a group")
                continue
            if len(part.criteria) + len(part.demographics) + len(part.groups) > 1:  # one item: all of its parts
                part = _Part(groups=[{"Type": "ALL", "CriteriaList": part.criteria,
                                      "DemographicCriteriaList": part.demographics, "Groups": part.groups}])
            out["CriteriaList"] += part.criteria
            out["DemographicCriteriaList"] += part.demographics
            out["Groups"] += part.groups
        if not (out["CriteriaList"] or out["DemographicCriteriaList"] or out["Groups"]):
            return None
        return out

    def rule(self, crit: AnnotatedCriterion, children: dict[str, list[AnnotatedCriterion]]) -> dict[str, Any]:
        exclusion = crit.section == "exclusion"
        reading = "; ".join(sentence(c, crit.text) for c in crit.constraints)
        name = f"{crit.id}: {crit.text}"[:250]
        dropped: list[str] = []
        expr = self.group(crit, crit.logic, exclusion, children, dropped) if crit.logic and crit.logic.items else None
        doubt = criterion_doubt(crit)
        if expr is None or crit.section == "unspecified" or doubt:
            why = crit.reason.removeprefix("not computable: ") if crit.reason else ("the record does not say whether it includes or excludes"
                                  if crit.section == "unspecified" else doubt or "no part of it can be written in Circe")
            return {"name": f"[not computable] {name}"[:255],
                    "description": f"Not computable: {why}. Every person passes this rule: review it. "
                                   + (f"Read as: {reading}" if reading else ""),
                    "expression": {"Type": "ALL", "CriteriaList": [], "DemographicCriteriaList": [], "Groups": []}}
        desc = f"Read as: {reading}" if reading else ""
        if dropped:
            desc += (f" Left out (an uncertain reading, an alternative to another requirement, no OMOP code, or not "
                     f"recorded in a warehouse; the rule is "
                     f"looser): {', '.join(dropped)}.")
        return {"name": name, "description": desc.strip(), "expression": expr}


def cohort_expression(doc: ParsedTrial, resolve: Resolver | None = None) -> CirceExport:
    """The trial's Circe cohort definition; ``resolve`` looks up OMOP concepts (``vocabulary_resolver``)."""
    b = _Builder(resolve)
    t = _Trial(b, frozenset(trial_alternatives(doc)))
    children: dict[str, list[AnnotatedCriterion]] = {}
    for c in doc.criteria:
        if c.parent:
            children.setdefault(c.parent, []).append(c)
    rules = []
    for k in doc.record_constraints:
        part = t.constraint(k, negate=k.effect == "exclude")
        if part is not None and (part.demographics or part.criteria):
            rules.append({"name": f"record: {sentence(k)}"[:255], "description": "From the record's structured fields.",
                          "expression": {"Type": "ALL", "CriteriaList": part.criteria,
                                         "DemographicCriteriaList": part.demographics, "Groups": []}})
    rules += [t.rule(c, children) for c in doc.criteria if not c.parent]
    label = doc.record.nct_id or doc.record.source
    expression = {
        "cdmVersionRange": ">=5.0.0",
        "Title": f"Eligibility of {label}"[:255],
        "ConceptSets": b.sets,
        "PrimaryCriteria": {"CriteriaList": [{"ObservationPeriod": {}}],
                            "ObservationWindow": {"PriorDays": 0, "PostDays": 0},
                            "PrimaryCriteriaLimit": {"Type": "Last"}},
        "QualifiedLimit": {"Type": "Last"},
        "ExpressionLimit": {"Type": "Last"},
        "InclusionRules": rules,
        "CensoringCriteria": [],
        "CollapseSettings": {"CollapseType": "ERA", "EraPad": 0},
        "CensorWindow": {},
    }
    return CirceExport(label, expression, sorted(b.unresolved), sorted(b.uncoded))


def duckdb_resolver(path: str) -> Resolver:
    """``vocabulary_resolver`` on an OMOP vocabulary DuckDB file, opened read-only."""
    import duckdb

    try:
        con = connect_duckdb(path, read_only=True)
    except duckdb.Error as exc:
        raise ValueError(f"not an OMOP vocabulary database ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
    return vocabulary_resolver(con)


def vocabulary_resolver(con: Any) -> Resolver:
    """Look up (vocabulary_id, concept_code) in an OMOP vocabulary (tables ``concept`` and
    ``concept_relationship``) on ``con``, a DuckDB connection or any with ``execute(sql, params)``
    taking ``?`` placeholders (``nlp.matching.omop.PgConnection``), following 'Maps to' from a
    non-standard concept to its standard one. Raises ``ValueError`` naming the problem when its
    tables cannot be read."""
    try:
        con.execute("SELECT concept_id, concept_name, standard_concept, concept_code, domain_id, vocabulary_id, "
                    "concept_class_id, invalid_reason FROM concept LIMIT 0").fetchall()
        con.execute("SELECT concept_id_1, concept_id_2, relationship_id FROM concept_relationship LIMIT 0").fetchall()
    except Exception as exc:  # the engine's own error class: duckdb.Error, psycopg.Error
        raise ValueError(f"not an OMOP vocabulary database ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
    cache: dict[tuple[str, str], dict[str, Any] | None] = {}
    cols = ("c.concept_id, c.concept_name, c.standard_concept, c.concept_code, c.domain_id, c.vocabulary_id, "
            "c.concept_class_id, c.invalid_reason")
    keys = ("CONCEPT_ID", "CONCEPT_NAME", "STANDARD_CONCEPT", "CONCEPT_CODE", "DOMAIN_ID", "VOCABULARY_ID",
            "CONCEPT_CLASS_ID", "INVALID_REASON")

    def resolve(vocabulary: str, code: str) -> dict[str, Any] | None:
        if (vocabulary, code) not in cache:
            row = con.execute(f"SELECT {cols} FROM concept c WHERE c.vocabulary_id = ? AND c.concept_code = ?",
                              [vocabulary, code]).fetchone()
            if row is not None and row[2] != "S":
                mapped = con.execute(
                    f"SELECT {cols} FROM concept_relationship r JOIN concept c ON c.concept_id = r.concept_id_2 "
                    "WHERE r.concept_id_1 = ? AND r.relationship_id = 'Maps to' AND c.standard_concept = 'S' "
                    "ORDER BY c.concept_id LIMIT 1", [row[0]]).fetchone()
                row = mapped or row
            cache[(vocabulary, code)] = dict(zip(keys, row, strict=True)) if row is not None else None
        return cache[(vocabulary, code)]

    return resolve
