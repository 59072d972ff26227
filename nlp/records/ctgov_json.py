"""ClinicalTrials.gov API v2 JSON: one study, a search page ({"studies": [...]}), a list, or JSONL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from nlp.errors import InputError
from nlp.records.ages import parse_age
from nlp.records.model import Intervention, Sex, TrialRecord

_SEX: dict[str, Sex] = {"ALL": "ALL", "BOTH": "ALL", "FEMALE": "FEMALE", "MALE": "MALE"}


def _json_error(source: str, exc: json.JSONDecodeError) -> InputError:
    return InputError(source, f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")


def iter_json_documents(text: str, source: str) -> Iterator[tuple[str, Any] | InputError]:
    """Yield (label, study object) for each study in a JSON or JSONL text."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if exc.msg != "Extra data" or len(lines) < 2:
            yield _json_error(source, exc)
            return
        # JSON Lines: one study per line; a bad line is reported, the others go on.
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            label = f"{source}:{n}"
            try:
                yield from _studies_in(json.loads(line), label)
            except json.JSONDecodeError as line_exc:
                yield InputError(label, f"malformed JSON line: {line_exc.msg}")
        return
    yield from _studies_in(doc, source)


def _studies_in(doc: Any, label: str) -> Iterator[tuple[str, Any] | InputError]:
    if isinstance(doc, dict) and "studies" in doc and isinstance(doc["studies"], list):
        if not doc["studies"]:
            yield InputError(label, "search page with an empty 'studies' list: no studies")
        for i, study in enumerate(doc["studies"]):
            yield (f"{label}[studies][{i}]", study)
    elif isinstance(doc, list):
        if not doc:
            yield InputError(label, "empty JSON list: no studies")
        for i, study in enumerate(doc):
            yield (f"{label}[{i}]", study)
    else:
        yield (label, doc)


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def _opt_str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def study_to_record(study: Any, source: str) -> TrialRecord:
    """Convert one API v2 study object. Raises InputError if it is not a usable study."""
    if not isinstance(study, dict):
        raise InputError(source, f"not a ClinicalTrials.gov study (a JSON {type(study).__name__})")
    proto = study.get("protocolSection")
    if not isinstance(proto, dict):
        raise InputError(source, "not a ClinicalTrials.gov API v2 study: no 'protocolSection'")
    ident = proto.get("identificationModule") or {}
    elig = proto.get("eligibilityModule") or {}
    text = elig.get("eligibilityCriteria") if isinstance(elig, dict) else None
    nct = _opt_str(_get(ident, "nctId"))
    where = f"{source} ({nct})" if nct and nct not in source else source
    if not isinstance(text, str) or not text.strip():
        raise InputError(where, "record has no eligibility text (eligibilityModule.eligibilityCriteria)")
    try:
        min_age = parse_age(_opt_str(elig.get("minimumAge")))
        max_age = parse_age(_opt_str(elig.get("maximumAge")))
    except ValueError as exc:
        raise InputError(where, str(exc)) from None
    sex_raw = _opt_str(elig.get("sex"))
    interventions = []
    for item in _get(proto, "armsInterventionsModule", "interventions") or []:
        if isinstance(item, dict) and _opt_str(item.get("name")):
            interventions.append(
                Intervention(name=item["name"].strip(), type=_opt_str(item.get("type")))
            )
    conditions = _get(proto, "conditionsModule", "conditions") or []
    hv = elig.get("healthyVolunteers")
    return TrialRecord(
        source=source,
        format="ctgov-json",
        nct_id=nct,
        brief_title=_opt_str(ident.get("briefTitle")),
        official_title=_opt_str(ident.get("officialTitle")),
        conditions=tuple(c.strip() for c in conditions if isinstance(c, str) and c.strip()),
        interventions=tuple(interventions),
        eligibility_text=text,
        sex=_SEX.get(sex_raw.upper()) if sex_raw else None,
        minimum_age=min_age,
        maximum_age=max_age,
        healthy_volunteers=hv if isinstance(hv, bool) else None,
        std_ages=tuple(a for a in elig.get("stdAges") or [] if isinstance(a, str)),
    )


def read_ctgov_json(text: str, source: str) -> Iterator[TrialRecord | InputError]:
    for item in iter_json_documents(text, source):
        if isinstance(item, InputError):
            yield item
            continue
        label, study = item
        try:
            yield study_to_record(study, label)
        except InputError as exc:
            yield exc
