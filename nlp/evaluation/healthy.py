"""Healthy controls: how often the matcher turns away a person with nothing against them.

    elig evaluate healthy ../shared/data/ctgov-msc

Four synthetic 45-year-olds, a woman and a man, each once with an empty record and once with
every analyte the lexicon gives a normal interval and a LOINC code measured at the middle of that
interval (``LexiconEntry.normal``), are matched against every trial. Needs no answer key, so it
reads trials nobody annotated. A certain failure is not always an error (a paediatric trial fails
a 45-year-old, a trial of pregnant women a woman who is not pregnant): the report counts the trials
each control is ineligible for and the failing constraints by section and kind, and lists the
failing criteria for review. An exclusion failed on an empty record or on normal values is
usually a misreading (an exclusion list read as inclusions, a sex or an age that only names whom
a requirement is for).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from nlp.core.document import ParsedTrial
from nlp.core.lexicon import Lexicon
from nlp.matching.evaluate import Matcher
from nlp.matching.patient import Patient

AS_OF = dt.date(2026, 11, 1)
BIRTH = dt.date(1981, 3, 15)  # 45 years old on AS_OF
_LOINC = "http://loinc.org"


def normal_observations(lexicon: Lexicon | None = None) -> list[dict[str, Any]]:
    """One observation per curated analyte with a normal interval and a LOINC code: the middle
    of the interval, in the analyte's own unit, with the interval as its reference range."""
    lex = lexicon or Lexicon.load()
    out = []
    for cid in sorted(lex.entries):
        if not lex.entries.is_curated(cid):
            continue
        e = lex.entries[cid]
        code = next((c.code for c in e.codes if c.system == _LOINC), None)
        if e.normal is None or code is None:
            continue
        lo, hi = e.normal
        out.append({"name": e.name, "code": {"system": _LOINC, "code": code}, "value": round((lo + hi) / 2, 3),
                    "unit": e.unit, "reference_range": {"low": lo, "high": hi}, "date": AS_OF - dt.timedelta(days=5)})
    return out


def controls(lexicon: Lexicon | None = None) -> list[Patient]:
    """The four healthy controls: female and male, with an empty record and with normal labs."""
    labs = normal_observations(lexicon)
    out = []
    for sex in ("female", "male"):
        for name, obs in (("empty", []), ("normal-labs", labs)):
            out.append(Patient.model_validate({
                "id": f"healthy-{sex}-{name}", "as_of": AS_OF, "birth_date": BIRTH, "sex": sex,
                "weight": {"value": 70.0, "unit": "kg"}, "observations": obs, "pregnant": False,
                "lactating": False, "consent": True}))
    return out


def healthy_report(trials: Iterable[ParsedTrial], matcher: Matcher | None = None) -> dict[str, Any]:
    """Per control: the trials it is ineligible for, and its certain failures by section and kind;
    with every failing criterion (trial, criterion, section, kinds, text) once for review."""
    m = matcher or Matcher()
    people = controls()
    docs = list(trials)
    per: dict[str, dict[str, Any]] = {}
    failing: dict[tuple[str, str], dict[str, Any]] = {}
    for p in people:
        kinds: Counter[str] = Counter()
        ineligible = 0
        for doc in docs:
            r = m.match(doc, p)
            ineligible += r.overall == "ineligible"
            for c in r.criteria:
                if c.verdict != "fail":
                    continue
                ks = sorted({k.kind for k in c.constraints if k.verdict == "fail"})
                for kind in ks:
                    kinds[f"{c.section} {kind}"] += 1
                row = failing.setdefault((doc.record.nct_id or doc.record.source, c.criterion), {
                    "trial": doc.record.nct_id or doc.record.source, "criterion": c.criterion,
                    "section": c.section, "kinds": ks, "text": " ".join((c.evidence or "").split())[:160], "controls": []})
                row["controls"].append(p.id)
            for rc in r.record:  # the record's structured fields (minimum and maximum age, sex)
                if rc.verdict == "fail":
                    kinds[f"record {rc.kind}"] += 1
        per[p.id] = {"ineligible_trials": ineligible, "failures": dict(kinds.most_common())}
    return {"trials": len(docs), "controls": per, "failing_criteria": list(failing.values())}


def format_healthy(res: dict[str, Any], limit: int = 40) -> str:
    lines = [f"{res['trials']} trials; healthy 45-year-old controls turned away (ineligible):"]
    for pid, r in res["controls"].items():
        fails = ", ".join(f"{k} {n}" for k, n in r["failures"].items())
        lines.append(f"  {pid:<28} {r['ineligible_trials']:>5} trials   certain failures: {fails or 'none'}")
    rows = sorted(res["failing_criteria"], key=lambda r: (r["section"] != "exclusion", r["trial"], r["criterion"]))
    lines.append(f"failing criteria ({len(rows)}; exclusions first, first {min(limit, len(rows))}):")
    for r in rows[:limit]:
        lines.append(f"  {r['trial']} {r['criterion']} ({r['section']}: {', '.join(r['kinds'])}) {r['text']!r}")
    return "\n".join(lines)


def run(trials: Iterable[ParsedTrial], limit: int = 40) -> tuple[str, dict[str, Any]]:
    """The report as text and as data (``elig evaluate healthy``)."""
    res = healthy_report(trials)
    return format_healthy(res, limit), res
