"""Upgrade a version-1 parse document to version 2, on read (no pipeline needed).

Version 1 kept one bag of optional fields per constraint, OR groups as a string id, and
``except`` / ``applies_if`` as text. The upgrade turns the texts into concepts with the lexicon's
term lookup (``Lexicon.find``); a text that names no known concept stays as an unresolved
qualifier on the constraint's provenance (so the matcher will not fail a patient on it).
"""

from __future__ import annotations

from typing import Any

from nlp.core.constraints import INFERRED, QUALIFIED
from nlp.core.knowledge import cue
from nlp.core.labels import Exposure, Kind
from nlp.core.lexicon import Lexicon
from nlp.core.logic import build_logic
from nlp.core.record import TrialRecord
from nlp.core.topics import find_topics
from nlp.core.windows import anchor_of, relation_of

_NUMERIC = {"age", "weight", "bmi", "measurement"}
_EXPOSURE = {"therapy", "procedure", "trial_participation"}


def concept_dict(lex: Lexicon, cid: str) -> dict[str, Any]:
    return lex.concept(cid).model_dump(exclude_none=True)


def _range(cmp_: str, value: float, high: float | None, unit: str | None) -> dict[str, Any]:
    if cmp_ == "=" and high is not None:
        return {"low": value, "high": high, "unit": unit}
    return {
        ">": {"low": value, "low_inclusive": False}, ">=": {"low": value}, "<": {"high": value, "high_inclusive": False},
        "<=": {"high": value}, "=": {"low": value, "high": value},
    }[cmp_] | {"unit": unit}


def _window(w: dict[str, Any] | None, days: int | None) -> dict[str, Any] | None:
    if w is None and days is None:
        return None
    w = w or {"days": days}
    return {"low_days": w.get("days_low"), "high_days": w.get("days"), "relation": relation_of(w.get("relation")).value,
            "anchor": anchor_of(w.get("anchor")).value, "anchor_text": w.get("anchor")}


def _applies_if(lex: Lexicon, text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    found = [cid for cid, _, _ in lex.find(text)]  # in text order: the first named concept, as stage 4 reads it
    if not found:
        return {"kind": "unresolved", "text": text}
    return {"kind": "concept", "concepts": {"concept": concept_dict(lex, found[0])},
            "present": not cue("negation").search(text), "current": True}


def upgrade_constraint(lex: Lexicon, c: dict[str, Any], section: str | None) -> dict[str, Any]:
    kind = c["kind"]
    unresolved: list[str] = []
    out: dict[str, Any] = {"kind": kind, "id": c["id"], "criterion": c.get("criterion"), "effect": c["effect"],
                           "evidence": c.get("evidence")}
    concept = c.get("concept")
    concepts: dict[str, Any] | None = None
    if concept:
        excluded: list[dict[str, Any]] = []
        for text in c.get("except") or ():
            ids = lex.concepts_in(text)
            if ids:
                excluded.extend(concept_dict(lex, i) for i in sorted(ids))
            else:
                unresolved.append(f"except {text!r}: no known concept")
        concepts = {"concept": {k: v for k, v in concept.items() if v is not None}, "excluded": excluded}
    if kind in _NUMERIC:
        if not isinstance(c.get("value"), int | float) or c.get("comparator") not in (">", ">=", "<", "<=", "="):
            raise ValueError(f"constraint {c['id']}: a {kind} constraint without a numeric comparison")
        out["range"] = _range(c["comparator"], float(c["value"]), c.get("value_high"), c.get("unit"))
        out["applies_if"] = _applies_if(lex, c.get("applies_if"))
        if kind == "measurement":
            if concepts is None:
                concepts = {"concept": {"id": "unspecified", "name": "unspecified analyte"}}
                unresolved.append("no analyte")
            out["concepts"] = concepts
    elif kind == "sex":
        out["sex"] = str(c.get("value") or "all").lower()
    elif kind == "consent":
        out["present"] = c.get("comparator") != "absent"
    elif kind in ("condition", "other") or kind in _EXPOSURE:
        negated = bool(c.get("negated"))
        if negated and c["effect"] == "exclude":
            unresolved.append("a negation cue inside an exclusion: read as the exclusion itself")
        out["present"] = not (negated and c["effect"] == "include")
        out["window"] = _window(c.get("window"), c.get("window_days"))
        out["applies_if"] = _applies_if(lex, c.get("applies_if"))
        if kind != "trial_participation":
            if concepts is None:
                concepts = {"concept": {"id": "unspecified", "name": kind.replace("_", " ")}}
                unresolved.append("no concept")
            out["concepts"] = concepts
        if kind in _EXPOSURE:
            if c.get("hypothetical"):
                out["exposure"] = Exposure.PLANNED.value
                out["window"] = None
            elif out["window"] is not None:
                out["exposure"] = Exposure.IN_WINDOW.value
            elif c.get("history") or c["effect"] == "include":
                out["exposure"] = Exposure.EVER.value
            else:
                out["exposure"] = Exposure.CURRENT.value
        else:
            out["history"] = bool(c.get("history"))
            if c.get("hypothetical"):
                unresolved.append("hypothetical")
    inferred = bool(c.get("inferred"))
    confidence = INFERRED if inferred else (QUALIFIED if unresolved else 1.0)
    out["provenance"] = {"source": "record" if c.get("criterion") is None else "v1", "rule": "v1",
                         "inferred": inferred, "confidence": confidence, "unresolved": unresolved}
    Kind(kind)  # an unknown kind is an error, not a silent drop
    return out


def upgrade_v1(data: dict[str, Any]) -> dict[str, Any]:
    """The version-2 form of a version-1 document (a new dict; ``data`` is not changed)."""
    lex = Lexicon.load()
    out = dict(data)
    out["schema_version"] = 2
    crits = data.get("criteria") or []
    children: dict[str, list[str]] = {}
    for crit in crits:
        if crit.get("parent"):
            children.setdefault(crit["parent"], []).append(crit["id"])
    new_crits = []
    for crit in crits:
        cons = [upgrade_constraint(lex, c, crit.get("section")) for c in crit.get("constraints") or ()]
        groups = {c["id"]: c["group"] for c in crit.get("constraints") or () if c.get("group")}
        kids = children.get(crit["id"], [])
        either = 1 if kids and cue("any_of").search(crit.get("text") or "") else None
        logic = build_logic(crit.get("section") or "inclusion", [c["id"] for c in cons], groups, kids, either)
        new_crits.append(dict(crit) | {"constraints": cons, "logic": logic.model_dump(mode="json") if logic else None})
    out["criteria"] = new_crits
    out["record_constraints"] = [upgrade_constraint(lex, c, None) for c in data.get("record_constraints") or ()]
    topics = find_topics(TrialRecord.model_validate(data["record"]), lex) if data.get("record") else ()
    out["topics"] = [t.model_dump() for t in topics]
    return out
