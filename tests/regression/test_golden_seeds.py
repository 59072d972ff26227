"""Golden files for the five seeds: the full ``ParsedTrial`` (schema_version 2) and the
``MatchReport`` of each seed's base patient (``tests/seed_patients.py``).

A change in any of them fails here with the first differing lines; a person reviews the diff
(``git diff tests/regression/golden``) and, when it is right, regenerates them with:
    ELIG_UPDATE_GOLDEN=1 python -m pytest tests/regression/test_golden_seeds.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from conftest import SEEDS_DIR, need
from seed_patients import SEED_FILES, patient

from nlp.analyze import parse_record
from nlp.core.document import ParsedTrial, parsed_from_json
from nlp.matching import Matcher
from nlp.records import read_path

GOLDEN = Path(__file__).parent / "golden" / "seeds"
UPDATE = os.environ.get("ELIG_UPDATE_GOLDEN") == "1"


def _parsed(nlp, name: str) -> ParsedTrial:  # type: ignore[no-untyped-def]
    [rec] = list(read_path(need(SEEDS_DIR) / name))
    # the source path depends on where the repo sits: keep the file name only
    return parse_record(rec.model_copy(update={"source": name}), nlp)


def _check(path: Path, text: str) -> None:
    if UPDATE:
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} missing: run with ELIG_UPDATE_GOLDEN=1 and review it"
    want = path.read_text(encoding="utf-8")
    if text != want:
        diff = "".join(list(difflib.unified_diff(want.splitlines(True), text.splitlines(True), str(path), "now", n=1))[:60])
        pytest.fail(f"{path.name} changed; review the diff and regenerate if it is right:\n{diff}")


@pytest.mark.parametrize("nct", list(SEED_FILES))
def test_golden_seed_parsed_trial(nlp, nct: str) -> None:  # type: ignore[no-untyped-def]
    doc = _parsed(nlp, SEED_FILES[nct])
    _check(GOLDEN / f"{nct}.parsed.json", doc.model_dump_json(by_alias=True, indent=1) + "\n")


@pytest.mark.parametrize("nct", list(SEED_FILES))
def test_golden_seed_match_report(nlp, nct: str) -> None:  # type: ignore[no-untyped-def]
    report = Matcher().match(_parsed(nlp, SEED_FILES[nct]), patient(nct))
    assert report.overall != "ineligible", report.failing
    _check(GOLDEN / f"{nct}.match.json", report.model_dump_json(indent=1) + "\n")


@pytest.mark.parametrize("nct", list(SEED_FILES))
def test_golden_seed_round_trips_through_json(nlp, nct: str) -> None:  # type: ignore[no-untyped-def]
    doc = _parsed(nlp, SEED_FILES[nct])
    assert parsed_from_json(doc.model_dump_json(by_alias=True)) == doc
