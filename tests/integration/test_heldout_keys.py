"""The held-out answer keys (annotations/heldout): each reads as the guideline's shape and every
quote stands in its trial's eligibility text, so `elig evaluate facts` can find the criterion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import MSC_DIR, ROOT, need

from nlp.evaluation.facts import load_keys

HELDOUT = ROOT / "annotations" / "heldout"
KINDS = {"age", "sex", "weight", "bmi", "measurement", "condition", "therapy", "trial_participation", "consent", "judgement"}
COMPARATORS = {">", ">=", "<", "<=", "="}
KEY_FILES = sorted(HELDOUT.glob("set*/*.facts.json"))


def test_heldout_keys_are_there() -> None:
    assert len(KEY_FILES) == 108
    assert [len(load_keys(HELDOUT / s)) for s in ("set1", "set2", "set3", "set4", "set5", "set6", "set7", "set8")] == [24, 12, 12, 12, 12, 12, 12, 12]


@pytest.mark.parametrize("path", KEY_FILES, ids=lambda p: p.stem.split(".")[0])
def test_heldout_key_reads_and_quotes_its_trial(path: Path) -> None:
    key = json.loads(path.read_text(encoding="utf-8"))
    record = need(MSC_DIR / f"{key['trial_id']}.json")
    text = json.loads(record.read_text(encoding="utf-8"))["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    assert key["facts"]
    for fact in key["facts"]:
        assert fact["kind"] in KINDS, fact
        assert fact["effect"] in ("include", "exclude"), fact
        assert fact["quote"] in text, fact["quote"]
        if "comparator" in fact:
            assert fact["comparator"] in COMPARATORS, fact
