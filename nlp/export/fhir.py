"""A parsed trial as FHIR R5: a ``Bundle`` (type ``collection``) holding the ``ResearchStudy`` and
the ``EvidenceVariable`` its ``recruitment.eligibility`` points to.

One characteristic per criterion (top level; sub-criteria nested), with ``exclude`` for an
exclusion, and one per structured-field constraint of the record:

- a constraint becomes a characteristic: ``definitionByTypeAndValue`` for values (age, weight,
  BMI, a measurement: the type coded (LOINC where the lexicon has it), ``valueQuantity`` with its
  comparator for one bound, ``valueRange`` for two inclusive ones, UCUM units; a multiple of the
  normal range is the bare multiple with ``offset`` UNL / LNL); ``definitionCodeableConcept`` for a
  condition, therapy or procedure (the concept's codes, its name as text); ``exclude`` when the
  text names an absence ("no history of X");
- a window is ``timeFromEvent`` (the anchor as ``eventCodeableConcept``, the range in days,
  negative before the event);
- a criterion's logic is ``definitionByCombination`` (``all-of`` / ``any-of`` / ``at-least`` with
  its ``threshold``); a condition of application ("for those on anticoagulants") is a combination
  too: an inclusion holds when the condition does not apply or the content holds (``any-of``),
  an exclusion needs both (``all-of``);
- what is not computable (the investigator's judgement, a criterion nothing could be read from)
  stays as ``description`` text with the reason, ``definitionCodeableConcept.text`` naming it, so
  no criterion is dropped;
- every characteristic's ``description`` is the plain-language sentence of ``nlp.core.wording``.

Plain dicts (JSON-ready); the tests validate them with the ``fhir.resources`` R5 models.
"""

from __future__ import annotations

import uuid
from typing import Any

from nlp.core.constraints import (
    AgeCondition,
    AgeConstraint,
    AnyConstraint,
    Applicability,
    BmiConstraint,
    ConceptCondition,
    ConceptSet,
    ConsentConstraint,
    Group,
    JudgementConstraint,
    MeasurementConstraint,
    NumericRange,
    SexCondition,
    SexConstraint,
    TrialParticipationConstraint,
    WeightConstraint,
    Window,
)
from nlp.core.document import AnnotatedCriterion, ParsedTrial
from nlp.core.labels import Exposure, GroupOp, Relation
from nlp.core.units import display, ucum
from nlp.core.wording import anchor_words, condition_words, phrase, range_words, sentence, window_words

UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
OFFSET = "http://terminology.hl7.org/CodeSystem/characteristic-offset"
GENDER = "http://hl7.org/fhir/administrative-gender"
# the types of the values every trial states (LOINC)
_TYPES = {
    "age": {"system": LOINC, "code": "30525-0", "display": "Age"},
    "weight": {"system": LOINC, "code": "29463-7", "display": "Body weight"},
    "bmi": {"system": LOINC, "code": "39156-5", "display": "Body mass index (BMI) [Ratio]"},
    "sex": {"system": LOINC, "code": "46098-0", "display": "Sex"},
}
_REF = {"xULN": "UNL", "xLLN": "LNL"}
_COMBINE = {GroupOp.ALL: "all-of", GroupOp.ANY: "any-of", GroupOp.AT_LEAST: "at-least"}
_NAMESPACE = uuid.UUID("6f1c2b1e-2f5d-4f7e-9a57-3d1f0c8e4b21")  # urn:uuid ids from the trial's id


def _urn(*parts: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _cc(cs: ConceptSet) -> dict[str, Any]:
    out: dict[str, Any] = {"text": cs.concept.name}
    if cs.concept.codes:
        out["coding"] = [{"system": c.system, "code": c.code} for c in cs.concept.codes]
    return out


def _quantity(value: float, unit: str | None, comparator: str | None = None) -> dict[str, Any]:
    q: dict[str, Any] = {"value": value}
    if comparator is not None:
        q["comparator"] = comparator
    code = ucum(unit)
    if code is not None and code not in _REF:
        q.update({"unit": display(code), "system": UCUM, "code": code})
    return q


def _value(r: NumericRange) -> dict[str, Any] | list[dict[str, Any]]:
    """``valueQuantity`` with its comparator for one bound, ``valueRange`` for two inclusive ends;
    two ends of which one is exclusive: two comparisons (the caller combines them, all-of)."""
    bounds = r.bounds()
    if len(bounds) == 1:
        op, v = bounds[0]
        if op == "=":
            return {"valueQuantity": _quantity(v, r.unit)}
        return {"valueQuantity": _quantity(v, r.unit, op)}
    if r.low_inclusive and r.high_inclusive:
        assert r.low is not None and r.high is not None
        return {"valueRange": {"low": _quantity(r.low, r.unit), "high": _quantity(r.high, r.unit)}}
    return [{"valueQuantity": _quantity(v, r.unit, op)} for op, v in bounds]


def _by_type_and_value(type_cc: dict[str, Any], r: NumericRange) -> dict[str, Any]:
    """A value characteristic's definition, or a combination of two when the range has an
    exclusive end beside another end."""
    value = _value(r)
    offset = _REF.get(ucum(r.unit) or "")

    def one(v: dict[str, Any]) -> dict[str, Any]:
        d: dict[str, Any] = {"type": type_cc} | v
        if offset is not None:
            d["offset"] = {"coding": [{"system": OFFSET, "code": offset}]}
        return {"definitionByTypeAndValue": d}

    if isinstance(value, list):
        return {"definitionByCombination": {"code": "all-of", "characteristic": [one(v) for v in value]}}
    return one(value)


def _time_from_event(w: Window) -> dict[str, Any]:
    """The window in days from its anchor, negative before it (after: positive)."""
    sign = -1 if w.relation == Relation.BEFORE else 1
    ends = [x * sign for x in (w.low_days, w.high_days) if x is not None]
    out: dict[str, Any] = {"description": window_words(w),
                           "eventCodeableConcept": {"text": anchor_words(w)}}
    if w.relation == Relation.DURING:
        return out
    if w.low_days is not None and w.high_days is not None:
        lo, hi = sorted(ends)
        out["range"] = {"low": _quantity(lo, "d"), "high": _quantity(hi, "d")}
    else:
        out["quantity"] = _quantity(ends[0], "d", ("<=" if sign < 0 else ">=") if w.high_days is None else
                                    (">=" if sign < 0 else "<="))
    return out


def _content(c: AnyConstraint) -> dict[str, Any]:
    """What the constraint names, as a characteristic (``exclude`` for an absence the text names);
    the trial's effect is applied by the caller."""
    out: dict[str, Any] = {"description": phrase(c)}
    if isinstance(c, AgeConstraint | WeightConstraint | BmiConstraint):
        return out | _by_type_and_value({"coding": [_TYPES[c.kind.value]]}, c.range)
    if isinstance(c, MeasurementConstraint):
        out |= _by_type_and_value(_cc(c.concepts), c.range)
        if c.change:  # no coded slot for it: said in the note
            out["note"] = [{"text": "the change from a baseline, not a level"}]
        return out | ({"timeFromEvent": [_time_from_event(c.window)]} if c.window is not None else {})
    if isinstance(c, SexConstraint):
        if c.sex == "all":
            return out | {"definitionCodeableConcept": {"text": "any sex"}}
        return out | {"definitionByTypeAndValue": {"type": {"coding": [_TYPES["sex"]]}, "valueCodeableConcept": {
            "coding": [{"system": GENDER, "code": c.sex}]}}}
    if isinstance(c, JudgementConstraint):
        return out | {"definitionCodeableConcept": {"text": "not computable: left to the investigator's judgement"}}
    if isinstance(c, ConsentConstraint):
        return out | {"definitionCodeableConcept": {"text": "informed consent"}, "exclude": not c.present}
    if isinstance(c, TrialParticipationConstraint):
        cc = {"text": "participation in another clinical trial"}
    else:
        cc = _cc(c.concepts)  # conditions, therapies, procedures, other
    present = getattr(c, "present", True)
    exposure = getattr(c, "exposure", None)
    if exposure == Exposure.WASHOUT:
        present = not present  # a washout: none in its window
    out |= {"definitionCodeableConcept": cc, "exclude": not present}
    window = getattr(c, "window", None)
    if window is not None:
        out["timeFromEvent"] = [_time_from_event(window)]
    notes = []
    if getattr(c, "history", False):
        notes.append("now or in the past")
    if exposure == Exposure.CURRENT:
        notes.append("current")
    if exposure == Exposure.PLANNED:
        notes.append("planned during the trial")
    if (dose := getattr(c, "dose", None)) is not None:  # no coded slot for it: said in the note
        notes.append(f"at a dose {range_words(dose)}")
    if (duration := getattr(c, "duration", None)) is not None:  # the length of one course: said in the note
        notes.append(f"for {range_words(duration)}")
    if notes:
        out["note"] = [{"text": "; ".join(notes)}]
    return out


def _condition(cond: Applicability) -> dict[str, Any]:
    """A condition of application as a characteristic ("with anticoagulant")."""
    d: dict[str, Any] = {"description": condition_words(cond)}
    if isinstance(cond, ConceptCondition):
        return d | {"definitionCodeableConcept": _cc(cond.concepts), "exclude": not cond.present}
    if isinstance(cond, SexCondition):
        return d | {"definitionByTypeAndValue": {"type": {"coding": [_TYPES["sex"]]}, "valueCodeableConcept": {
            "coding": [{"system": GENDER, "code": cond.sex}]}}}
    if isinstance(cond, AgeCondition):
        return d | _by_type_and_value({"coding": [_TYPES["age"]]}, cond.range)
    return d | {"definitionCodeableConcept": {"text": f"not computable: {cond.text}"}}


def _top(content: dict[str, Any], exclusion: bool) -> dict[str, Any]:
    """A characteristic of what the text names, with the trial's effect applied: an exclusion
    excludes what it names, and "exclude if no X" requires X (``exclude`` is the exclusive or)."""
    return content | {"exclude": exclusion != bool(content.get("exclude", False))}


def constraint_characteristic(c: AnyConstraint, nested: bool = False) -> dict[str, Any]:
    """One constraint as a characteristic of what it names; at the top (``nested`` False) with the
    trial's effect applied and its sentence as the description."""
    content = _content(c)
    cond = getattr(c, "applies_if", None)
    if cond is not None:
        applies = _condition(cond)
        if c.effect == "exclude":  # excluded when the condition applies and the content holds
            combo = {"code": "all-of", "characteristic": [applies, content]}
        else:  # required only where the condition applies: it does not, or the content holds
            combo = {"code": "any-of", "characteristic": [
                applies | {"exclude": not applies.get("exclude", False)}, content]}
        content = {"description": phrase(c), "definitionByCombination": combo}
    if nested:
        return content
    return _top(content, c.effect == "exclude") | {"description": sentence(c)}


def _reading(crit: AnnotatedCriterion, children: dict[str, list[AnnotatedCriterion]]) -> dict[str, Any]:
    """What a criterion names, as one characteristic: its single constraint, or its logic as a
    combination of its constraints and sub-criteria; not computable: its reason as text."""
    by_id = {c.id: c for c in crit.constraints}
    kids = {k.id: k for k in children.get(crit.id, [])}

    def item(x: str | Group) -> dict[str, Any]:
        if isinstance(x, Group):
            return {"definitionByCombination": combination(x)}
        if x in by_id:
            return constraint_characteristic(by_id[x], nested=True)
        if x in kids:
            return _reading(kids[x], children) | {"description": kids[x].text}
        return {"description": f"criterion {x}", "definitionCodeableConcept": {"text": "not computable: unknown part"}}

    def combination(g: Group) -> dict[str, Any]:
        comb: dict[str, Any] = {"code": _COMBINE[g.op], "characteristic": [item(y) for y in g.items]}
        if g.op == GroupOp.AT_LEAST:
            comb["threshold"] = g.n
        return comb

    logic = crit.logic
    if logic is None or not logic.items:
        return {"definitionCodeableConcept": {"text": f"not computable: {crit.reason or 'nothing could be read'}"}}
    if len(logic.items) == 1:
        return item(logic.items[0])
    return {"definitionByCombination": combination(logic)}


def _criterion(crit: AnnotatedCriterion, children: dict[str, list[AnnotatedCriterion]]) -> dict[str, Any]:
    """A top-level criterion: its text as the description, its reading in words as a note, the
    effect of its section applied."""
    out = _top(_reading(crit, children), crit.section == "exclusion")
    out = {"linkId": crit.id, "description": crit.text} | {k: v for k, v in out.items() if k != "description"}
    reading = [sentence(c, crit.text) for c in crit.constraints]
    if crit.reason:
        reading.append(crit.reason)
    if reading:
        out["note"] = [{"text": "read as: " + "; ".join(reading)}, *out.get("note", [])]
    return out


def evidence_variable(doc: ParsedTrial) -> dict[str, Any]:
    """The trial's eligibility as an EvidenceVariable (``actual`` false: a definition)."""
    rec = doc.record
    label = rec.nct_id or rec.source
    children: dict[str, list[AnnotatedCriterion]] = {}
    for c in doc.criteria:
        if c.parent:
            children.setdefault(c.parent, []).append(c)
    chars = [constraint_characteristic(c) | {"linkId": f"record-{c.id}"} for c in doc.record_constraints
             if not (isinstance(c, SexConstraint) and c.sex == "all")]
    chars += [_criterion(c, children) for c in doc.criteria if not c.parent]
    return {"resourceType": "EvidenceVariable", "id": _id(label) + "-eligibility", "status": "draft", "actual": False,
            "title": f"Eligibility of {label}", "description": "Read by elig-analyzer from the record's eligibility "
            "text; each characteristic's description says the reading in words.", "characteristic": chars}


def _id(label: str) -> str:
    """A FHIR id (letters, digits, '-' and '.', at most 64)."""
    out = "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in label)
    return out[:50] or "trial"


def research_study(doc: ParsedTrial, eligibility_url: str) -> dict[str, Any]:
    rec = doc.record
    label = rec.nct_id or rec.source
    out: dict[str, Any] = {"resourceType": "ResearchStudy", "id": _id(label), "status": "active",
                           "recruitment": {"eligibility": {"reference": eligibility_url}}}
    if rec.nct_id:
        out["identifier"] = [{"system": "https://clinicaltrials.gov", "value": rec.nct_id}]
    if rec.brief_title:
        out["title"] = rec.brief_title
    if rec.conditions:
        out["condition"] = [{"text": c} for c in rec.conditions]
    return out


def trial_bundle(doc: ParsedTrial) -> dict[str, Any]:
    """The ResearchStudy and its EvidenceVariable in one ``collection`` Bundle."""
    label = doc.record.nct_id or doc.record.source
    ev_url, rs_url = _urn(label, "EvidenceVariable"), _urn(label, "ResearchStudy")
    return {"resourceType": "Bundle", "id": _id(label) + "-bundle", "type": "collection", "entry": [
        {"fullUrl": rs_url, "resource": research_study(doc, ev_url)},
        {"fullUrl": ev_url, "resource": evidence_variable(doc)},
    ]}


__all__ = ["constraint_characteristic", "evidence_variable", "research_study", "trial_bundle"]
