"""The five seeds' files and, for each, a patient the trial should take (the target diagnosis,
inside every range, nothing excluded); shared by the matching tests and the golden files."""

from __future__ import annotations

import json
from typing import Any

from nlp.matching import Patient

SEED_FILES = {
    "NCT07177677": "000_d01229d3a460b5c5.txt", "NCT06997939": "001_a4c26ba2dfa6c1ae.txt",
    "NCT02218437": "002_67df80b097f3259b.txt", "NCT01364246": "003_96a07c5ded227966.txt",
    "NCT05697718": "004_6ea2a21b818082ae.txt",
}
# a patient each seed should take: the target diagnosis, inside every range, nothing excluded
BASE: dict[str, dict[str, Any]] = {
    "NCT07177677": {"birth_date": "2016-05-01", "weight": {"value": 25, "unit": "kg"},
                    "conditions": [{"name": "autism spectrum disorder", "onset": "2019-01-01", "status": "active"}]},
    "NCT06997939": {"birth_date": "1970-01-01",
                    "conditions": [{"name": "ischemic stroke", "onset": "2026-05-01", "status": "active"}],
                    "observations": [{"name": "NIHSS", "value": 8, "date": "2026-10-20"},
                                     {"name": "modified Rankin Scale", "value": 4, "date": "2026-10-20"},
                                     {"name": "systolic blood pressure", "value": 130, "unit": "mmHg", "date": "2026-10-20"},
                                     {"name": "diastolic blood pressure", "value": 80, "unit": "mmHg", "date": "2026-10-20"}]},
    "NCT02218437": {"birth_date": "2015-01-01",
                    "conditions": [{"name": "non-severe aplastic anemia", "onset": "2025-01-01", "status": "active"}]},
    "NCT01364246": {"birth_date": "1980-01-01",
                    "conditions": [{"name": "multiple sclerosis", "onset": "2020-01-01", "status": "active"}],
                    "observations": [{"name": "ALT", "value": 30, "unit": "U/L", "reference_range": {"low": 7, "high": 40}, "date": "2026-10-20"},
                                     {"name": "AST", "value": 30, "unit": "U/L", "reference_range": {"low": 7, "high": 40}, "date": "2026-10-20"},
                                     {"name": "total bilirubin", "value": 10, "unit": "umol/L", "reference_range": {"low": 3, "high": 21}, "date": "2026-10-20"},
                                     {"name": "systolic blood pressure", "value": 125, "unit": "mmHg", "date": "2026-10-20"},
                                     {"name": "diastolic blood pressure", "value": 80, "unit": "mmHg", "date": "2026-10-20"}],
                    "therapies": [{"name": "methylprednisolone", "start": "2025-01-01", "end": "2025-02-01"}]},
    "NCT05697718": {"birth_date": "1960-06-01",
                    "conditions": [{"name": "ischemic stroke", "onset": "2026-07-01", "status": "active"}],
                    "observations": [{"name": "NIHSS", "value": 8, "date": "2026-10-20"},
                                     {"name": "ALT", "value": 30, "unit": "U/L", "reference_range": {"low": 7, "high": 40}, "date": "2026-10-20"},
                                     {"name": "AST", "value": 30, "unit": "U/L", "reference_range": {"low": 7, "high": 40}, "date": "2026-10-20"},
                                     {"name": "ANC", "value": 3.0, "unit": "10*9/L", "date": "2026-10-20"},
                                     {"name": "platelets", "value": 250, "unit": "10*9/L", "date": "2026-10-20"},
                                     {"name": "hemoglobin", "value": 130, "unit": "g/L", "date": "2026-10-20"}]},
}


def patient(nct: str, **changes: Any) -> Patient:
    data: dict[str, Any] = {"id": f"p-{nct}", "as_of": "2026-11-01", "sex": "female", "pregnant": False,
                            "lactating": False, "trial_participation": [], "consent": True}
    data.update(json.loads(json.dumps(BASE[nct])))
    for key, value in changes.items():
        if key.startswith("add_"):
            data.setdefault(key[4:], []).append(value)
        else:
            data[key] = value
    return Patient.model_validate(data)
