"""Score the matcher on synthetic patients made from answer keys (``acceptance/dev/patients``).

``expected.json`` lists, per patient file, the trial, what a correct matcher must say and the key
fact the patient breaks: ``not_ineligible`` for a base patient who satisfies every key fact,
``ineligible`` for a patient who breaks exactly one fact, ``not_eligible`` where the broken fact is
vague enough that needs_review is acceptable. Two figures: base patients never turned away (the
verdict policy's promise; must be 100 %), and single violations caught. A violation is also
counted as *caught by its criterion* when a criterion that holds the fact's quote is among the
failing ones (an ineligible verdict for another reason is caught, but not by the right criterion).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.core.document import ParsedTrial, criteria_for_quote
from nlp.errors import InputError
from nlp.matching.evaluate import Matcher, MatchReport
from nlp.matching.patient import load_patient


@dataclass
class PatientScore:
    base: int = 0
    base_ok: int = 0
    violations: int = 0
    caught: int = 0
    caught_by_criterion: int = 0
    unreadable: list[str] = field(default_factory=list)
    turned_away: list[tuple[str, MatchReport]] = field(default_factory=list)  # base patients declared ineligible
    missed: list[tuple[str, str]] = field(default_factory=list)  # (patient, overall) of uncaught violations


def read_expected(directory: Path) -> list[dict[str, Any]]:
    f = directory / "expected.json"
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(f), "no expected.json in the patients directory") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(str(f), f"unreadable expectations ({type(exc).__name__})") from None
    if not isinstance(data, list):
        raise InputError(str(f), "expected a JSON array of {patient, trial, expect, fact}")
    return data


def score_patients(trials: Iterable[ParsedTrial], directory: Path, matcher: Matcher | None = None) -> PatientScore:
    docs = {t.record.nct_id: t for t in trials if t.record.nct_id}
    m = matcher or Matcher()
    s = PatientScore()
    for e in read_expected(directory):
        doc = docs.get(str(e.get("trial", "")))
        if doc is None:
            continue
        try:
            patient = load_patient(directory / e["patient"])
        except InputError as exc:
            s.unreadable.append(str(exc))
            continue
        r = m.match(doc, patient)
        if e["expect"] == "not_ineligible":
            s.base += 1
            if r.overall != "ineligible":
                s.base_ok += 1
            else:
                s.turned_away.append((e["patient"], r))
            continue
        s.violations += 1
        ok = r.overall == "ineligible" or (e["expect"] == "not_eligible" and r.overall != "eligible")
        s.caught += ok
        if not ok:
            s.missed.append((e["patient"], r.overall))
        quote = (e.get("fact") or {}).get("quote") or ""
        held = {c.id for c in criteria_for_quote(doc, quote)} if quote else set()
        s.caught_by_criterion += bool(held & _failing_criteria(r))
    return s


def _failing_criteria(r: MatchReport) -> set[str]:
    return {c.criterion for c in r.criteria if c.verdict == "fail"}


def format_report(s: PatientScore) -> str:
    def pct(a: int, b: int) -> str:
        return f"{a}/{b} = {a / b:.3f}" if b else "0/0"

    lines = [
        f"base patients not ineligible: {pct(s.base_ok, s.base)}",
        f"single violations caught:     {pct(s.caught, s.violations)}",
        f"  ... by the violated criterion: {pct(s.caught_by_criterion, s.violations)}",
    ]
    lines += [f"unreadable patients: {len(s.unreadable)} (reported on stderr)"] if s.unreadable else []
    for name, r in s.turned_away:
        lines.append(f"TURNED AWAY {name}: fails {', '.join(r.failing)}")
    return "\n".join(lines)
