"""FHIR R4 Bundle -> Patient, reading only the fields the matcher needs (each checked, no
FHIR library: the few fields are validated here).

Patient (birthDate, gender), Observation (code.coding, valueQuantity, referenceRange,
effectiveDateTime), Condition (code, onsetDateTime, abatementDateTime, clinicalStatus),
MedicationStatement (medicationCodeableConcept, effectivePeriod / effectiveDateTime),
MedicationRequest (medicationCodeableConcept, authoredOn), Procedure (code, performedDateTime /
performedPeriod). Other resources are ignored.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from nlp.errors import InputError

_GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}
_STATUS = {"active", "recurrence", "relapse", "inactive", "remission", "resolved"}


def _concept(cc: Any, where: str) -> tuple[str, dict[str, str] | None]:
    if not isinstance(cc, dict):
        raise ValueError(f"{where}: missing CodeableConcept")
    codings = [c for c in cc.get("coding") or [] if isinstance(c, dict)]
    name = cc.get("text") or next((c.get("display") for c in codings if c.get("display")), None)
    code = next(({"system": c["system"], "code": c["code"]} for c in codings if c.get("system") and c.get("code")), None)
    if name:
        return name, code
    if code is None:
        raise ValueError(f"{where}: no text, display or coding")
    return code["code"], code


def _day(value: Any, where: str) -> str | None:
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None
    return value[:10]


def bundle_to_patient(bundle: dict[str, Any], as_of: str | None = None) -> dict[str, Any]:
    """Patient JSON (the matcher's own format) from a FHIR R4 Bundle."""
    if bundle.get("resourceType") != "Bundle":
        raise ValueError("not a FHIR Bundle")
    out: dict[str, Any] = {"conditions": [], "observations": [], "therapies": [], "procedures": []}
    for i, entry in enumerate(bundle.get("entry") or []):
        res = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(res, dict):
            continue
        rt = res.get("resourceType")
        where = f"entry[{i}] {rt}"
        if rt == "Patient":
            out["id"] = str(res.get("id") or "patient")
            out["birth_date"] = _day(res.get("birthDate"), f"{where}.birthDate")
            if res.get("gender") is not None:
                out["sex"] = _GENDER.get(res["gender"], "unknown")
        elif rt == "Observation":
            name, code = _concept(res.get("code"), f"{where}.code")
            q = res.get("valueQuantity")
            if not isinstance(q, dict) or not isinstance(q.get("value"), (int, float)):
                continue  # no numeric value: nothing to compare
            obs: dict[str, Any] = {"name": name, "code": code, "value": q["value"],
                                   "unit": q.get("code") or q.get("unit"),
                                   "date": _day(res.get("effectiveDateTime"), f"{where}.effectiveDateTime")}
            rr = (res.get("referenceRange") or [None])[0]
            if isinstance(rr, dict):
                obs["reference_range"] = {k: rr[k]["value"] for k in ("low", "high")
                                          if isinstance(rr.get(k), dict) and isinstance(rr[k].get("value"), (int, float))}
            out["observations"].append(obs)
        elif rt == "Condition":
            name, code = _concept(res.get("code"), f"{where}.code")
            status = None
            cs = res.get("clinicalStatus")
            if isinstance(cs, dict):
                raw = next((c.get("code") for c in cs.get("coding") or [] if isinstance(c, dict)), None)
                status = {"relapse": "recurrence"}.get(raw, raw) if raw in _STATUS else None
            out["conditions"].append({"name": name, "code": code, "status": status,
                                      "onset": _day(res.get("onsetDateTime"), f"{where}.onsetDateTime"),
                                      "abatement": _day(res.get("abatementDateTime"), f"{where}.abatementDateTime")})
        elif rt in ("MedicationStatement", "MedicationRequest"):
            name, code = _concept(res.get("medicationCodeableConcept"), f"{where}.medicationCodeableConcept")
            period = res.get("effectivePeriod")
            if not isinstance(period, dict):
                period = {}
            start = period.get("start") or res.get("effectiveDateTime") or res.get("authoredOn")
            out["therapies"].append({"name": name, "code": code, "start": _day(start, f"{where}.start"),
                                     "end": _day(period.get("end"), f"{where}.end")})
        elif rt == "Procedure":
            name, code = _concept(res.get("code"), f"{where}.code")
            performed = res.get("performedDateTime") or (res.get("performedPeriod") or {}).get("start")
            out["procedures"].append({"name": name, "code": code, "date": _day(performed, f"{where}.performed")})
    if "id" not in out:
        raise ValueError("the Bundle has no Patient resource")
    if as_of:
        out["as_of"] = as_of
    return out


def load_fhir_patient(bundle: dict[str, Any], source: str, as_of: str | None = None) -> dict[str, Any]:
    try:
        return bundle_to_patient(bundle, as_of)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(source, f"FHIR Bundle: {exc}") from None
