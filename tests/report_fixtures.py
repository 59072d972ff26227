"""Hand-built trials for the report tests: CT.gov API v2 study objects written as JSON."""

from __future__ import annotations

import json
from pathlib import Path

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"


def study(nct: str, criteria: str, title: str = "A stem cell trial", conditions: tuple[str, ...] = (),
          min_age: str | None = "18 Years", max_age: str | None = "65 Years", sex: str = "ALL") -> dict:
    elig: dict[str, object] = {"eligibilityCriteria": criteria, "sex": sex}
    if min_age:
        elig["minimumAge"] = min_age
    if max_age:
        elig["maximumAge"] = max_age
    return {"protocolSection": {
        "identificationModule": {"nctId": nct, "briefTitle": title},
        "conditionsModule": {"conditions": list(conditions)},
        "eligibilityModule": elig,
    }}


def write_study(directory: Path, nct: str, criteria: str, **kw: object) -> Path:
    p = directory / f"{nct}.json"
    p.write_text(json.dumps(study(nct, criteria, **kw)), encoding="utf-8")  # type: ignore[arg-type]
    return p


def parse(nlp, nct: str, criteria: str, **kw: object):  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record
    from nlp.records import read_text

    [rec] = list(read_text(json.dumps(study(nct, criteria, **kw)), f"{nct}.json"))  # type: ignore[arg-type]
    return parse_record(rec, nlp)


XSS_CRITERIA = (f"Inclusion Criteria:\n\n* Age 18 to 65 years {XSS_SCRIPT}\n* Informed consent {XSS_IMG}\n\n"
                f"Exclusion Criteria:\n\n* ALT > 2.5 x ULN \"quoted\" & 'single' {XSS_SCRIPT}\n* Pregnancy\n")
