"""Patients that violate exactly one answer-key fact, built from a seed's passing base patient
(test data generation: the analyzer never sees the keys)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from nlp.core.lexicon import load_lexicon

AS_OF = date(2026, 11, 1)
_FLIP = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}
_PROCEDURES = {"surgery", "transfusion", "dialysis"}
_UNIT_DAYS = {"year": 365.25, "month": 30.44, "week": 7, "day": 1}


def _must(fact: dict[str, Any]) -> str:
    cmp_ = fact["comparator"]
    return cmp_ if fact["effect"] == "include" else _FLIP[cmp_]


def _violating_value(fact: dict[str, Any]) -> float:
    v = float(fact["value"])
    must = _must(fact)
    step = max(abs(v) * 0.04, 0.01 if v < 10 else 1.0)
    return {">=": v - step, ">": v, "<=": v + step, "<": v}[must]


def _name(concept: str) -> str:
    names = {e.id: e.name for e in load_lexicon()}
    return names.get(concept, concept.replace("_", " "))


def skip_reason(fact: dict[str, Any]) -> str | None:
    kind = fact["kind"]
    if kind in ("judgement", "sex"):
        return f"{kind} facts cannot be violated by patient data"
    if fact.get("group") and fact["effect"] == "include":
        return "one alternative of an inclusion OR group"
    if kind == "consent" and fact["effect"] == "exclude":
        return "inability to understand or consent is not a patient-record field"
    if kind == "condition" and fact.get("concept") in ("contraception",):
        return "contraception refusal is not in the patient record"
    if kind == "measurement" and fact.get("unit") in ("count", "mg/day"):
        return "counts of allergies and steroid doses are not modelled"
    if fact["quote"] == "A positive skin test result":
        return "the key reads a bare skin test as an allergy test (a judgement call)"
    return None


def violate(base: dict[str, Any], fact: dict[str, Any], condition_name: str | None = None) -> dict[str, Any]:
    """``condition_name`` names the patient's condition when the quote does not name it (the
    constraint was inferred, e.g. uncontrolled hypertension from a blood-pressure threshold)."""
    p = json.loads(json.dumps(base))
    kind = fact["kind"]
    recent = (AS_OF - timedelta(days=3)).isoformat()
    if kind == "age":
        v = _violating_value(fact)
        years = v if fact["unit"] == "year" else v / 12
        p.pop("birth_date", None)
        p["age"] = years
        if _must(fact) in (">=", ">"):
            p["age"] = max(0.0, years - (0.5 if _must(fact) == ">=" else 0))
        else:
            p["age"] = years + (1.0 if _must(fact) == ">" else 0)
    elif kind == "weight":
        p["weight"] = {"value": _violating_value(fact), "unit": "kg"}
    elif kind == "measurement":
        analyte = fact["analyte"]
        if analyte == "disease duration":
            days = _violating_value(fact) * _UNIT_DAYS[fact["unit"]]
            for c in p.get("conditions", []):
                c["onset"] = (AS_OF - timedelta(days=int(days))).isoformat()
        else:
            v = _violating_value(fact)
            obs: dict[str, Any] = {"name": analyte, "value": v, "date": recent}
            if fact["unit"] == "xULN":
                obs = {"name": analyte, "value": v * 40, "unit": "U/L", "reference_range": {"low": 5, "high": 40}, "date": recent}
            elif fact["unit"] not in ("score", "ratio"):
                obs["unit"] = {"10*9/L": "10*9/L", "mmHg": "mmHg", "month": "mo", "year": "a"}.get(fact["unit"], fact["unit"])
            p["observations"] = [o for o in p.get("observations", []) if o["name"] != analyte] + [obs]
            cond = (fact.get("condition_text") or "").lower()
            if "on anticoagulant" in cond and "not" not in cond:
                p.setdefault("therapies", []).append({"name": "warfarin", "start": "2026-01-01"})
    elif kind == "condition":
        concept = fact["concept"]
        if concept == "target_diagnosis":
            p["conditions"] = []
        elif concept == "pregnancy":
            p["pregnant"] = True
        elif concept == "lactation":
            p["lactating"] = True
        elif fact["effect"] == "exclude" or fact.get("negated"):
            # the patient has what the criterion describes (its own words name the condition),
            # without the carve-out the criterion makes ("(except cured skin cancer)")
            name = condition_name or (fact["quote"].split("(")[0] if fact.get("except") else fact["quote"])
            p.setdefault("conditions", []).append({"name": name, "onset": recent, "status": "active"})
        else:
            p["conditions"] = []
    elif kind == "therapy":
        name = fact.get("name") or _name(fact["concept"])
        if fact["concept"] in _PROCEDURES:
            p.setdefault("procedures", []).append({"name": name, "date": recent})
        elif fact["effect"] == "exclude" or fact.get("negated"):
            ongoing = fact.get("window_days") is None
            p.setdefault("therapies", []).append({"name": name, "start": recent, "end": None if ongoing else recent})
        else:
            p["therapies"] = []
    elif kind == "trial_participation":
        p["trial_participation"] = [{"end": recent}]
    elif kind == "consent":
        p["consent"] = False
    return p
