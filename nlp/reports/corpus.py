"""Corpus insights over many parsed trials, accumulated one trial at a time (nothing kept per
trial but a few numbers, so memory stays flat): prevalence of constraint kinds and concepts,
threshold distributions per analyte, age ranges, the not-computable share and its reasons,
the parser's coverage, and consistency findings by kind. HTML (inline SVG plots) or JSON."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from nlp.core.document import ParsedTrial
from nlp.core.normal import allowed_interval, criterion_facets, must_comparator
from nlp.core.units import convert, display, ucum
from nlp.core.wording import quantity
from nlp.reports.findings import trial_findings
from nlp.reports.html import esc, figure, page, table
from nlp.reports.matrix import BOUND, fmt_num, is_numeric


class ThresholdRow(TypedDict):
    """One analyte side of ``CorpusStats.threshold_table``."""

    key: str
    name: str
    unit: str | None
    trials: int
    values: list[float]
    common: list[tuple[float, int]]  # the most common cut-offs, with their counts
    other_units: list[str]
    highlight: float | None  # the highlighted trial's cut-off, in ``unit`` (None: it sets none)

CORPUS_FORMATS = (".html", ".json")
_AGE_UNIT = {"year": "a", "month": "mo", "week": "wk", "day": "d", "hour": "h", "minute": "min"}


def _years(value: float, unit: str | None) -> float | None:
    v = convert(value, unit, "a")
    return None if v is None else round(v, 3)


@dataclass
class CorpusStats:
    trials: int = 0
    failures: list[str] = field(default_factory=list)
    criteria: int = 0
    containers: int = 0
    not_computable: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    reason_detail: Counter[str] = field(default_factory=Counter)  # what the not-recognised ones hold
    criteria_with_entities: int = 0
    criteria_with_constraints: int = 0
    trials_with_headers: int = 0
    trials_without_criteria: int = 0
    trials_with_constraints: int = 0
    criteria_per_trial: list[int] = field(default_factory=list)
    kind_trials: Counter[str] = field(default_factory=Counter)
    kind_constraints: Counter[str] = field(default_factory=Counter)
    concept_trials: Counter[str] = field(default_factory=Counter)
    concept_names: dict[str, str] = field(default_factory=dict)
    thresholds: dict[str, list[tuple[float, str | None]]] = field(default_factory=dict)
    # the highlighted trial (``elig report --highlight``): its label and its cut-offs per analyte side
    highlight: str | None = None
    highlighted: dict[str, tuple[float, str | None]] | None = None
    trials_without_entities: int = 0  # documents from a store (no tagged entities kept)
    threshold_names: dict[str, str] = field(default_factory=dict)
    min_age_structured: list[float] = field(default_factory=list)
    max_age_structured: list[float] = field(default_factory=list)
    min_age_text: list[float] = field(default_factory=list)
    max_age_text: list[float] = field(default_factory=list)
    findings: Counter[str] = field(default_factory=Counter)
    finding_trials: Counter[str] = field(default_factory=Counter)
    warnings: int = 0

    def add(self, doc: ParsedTrial) -> None:
        self.trials += 1
        rec = doc.record
        if doc.headers:
            self.trials_with_headers += 1
        if not doc.criteria:
            self.trials_without_criteria += 1
        self.warnings += len(doc.warnings)
        # read from an `elig index` store, which keeps no entities: constraints (read from
        # entities) without a single entity
        stored = any(c.constraints for c in doc.criteria) and not any(c.entities for c in doc.criteria)
        self.trials_without_entities += stored
        n = 0
        kinds: set[str] = set()
        concepts: set[str] = set()
        bounds: dict[str, tuple[float, str | None]] = {}
        for c in doc.criteria:
            if c.reason and c.reason.startswith("container:"):
                self.containers += 1
                continue
            n += 1
            if c.entities:
                self.criteria_with_entities += 1
            if c.constraints:
                self.criteria_with_constraints += 1
            if not c.computable:
                self.not_computable += 1
                self.reasons[_reason_class(c.reason)] += 1
                if not stored:  # the detail is what the tagger found: unknown without the entities
                    self.reason_detail[_detail(c)] += 1
            counted: set[str] = set()
            for k in criterion_facets(c):
                if k.id not in counted:  # a range is one constraint with two facets
                    counted.add(k.id)
                    self.kind_constraints[k.kind] += 1
                kinds.add(k.kind)
                if k.concept:
                    key = f"{k.kind}:{k.concept.id}"
                    concepts.add(key)
                    self.concept_names.setdefault(key, k.concept.name)
                if is_numeric(k) and k.kind == "measurement" and k.concept and not k.applies_if:
                    side = BOUND[must_comparator(k)]
                    tkey = f"{k.concept.id}:{side}"
                    iv = allowed_interval(k)
                    v = iv.hi if iv is not None and side == "max" else (iv.lo if iv is not None else None)
                    if v is not None and tkey not in bounds:  # one value per trial and analyte side
                        bounds[tkey] = (float(v), ucum(k.unit))
                        self.threshold_names.setdefault(tkey, f"{k.concept.name} {'≤' if side == 'max' else '≥'}"
                                                        if side != "eq" else k.concept.name)
                if k.kind == "age" and k.effect == "include" and isinstance(k.value, float | int):
                    y = _years(float(k.value), k.unit)
                    if y is not None and k.comparator in (">", ">="):
                        self.min_age_text.append(y)
                    elif y is not None and k.comparator in ("<", "<="):
                        self.max_age_text.append(y)
        self.criteria += n
        self.criteria_per_trial.append(n)
        if kinds:
            self.trials_with_constraints += 1
        self.kind_trials.update(kinds)
        self.concept_trials.update(concepts)
        for k2, v2 in bounds.items():
            self.thresholds.setdefault(k2, []).append(v2)
        if self.highlight is not None and self.highlight in (rec.nct_id, rec.label):
            self.highlighted = bounds
        for limit, dest in ((rec.minimum_age, self.min_age_structured), (rec.maximum_age, self.max_age_structured)):
            if limit is not None:
                y = _years(limit.value, _AGE_UNIT.get(limit.unit))
                if y is not None:
                    dest.append(y)
        kinds_found = set()
        for f in trial_findings(rec.label, doc):
            self.findings[f"{f.kind} ({f.severity})"] += 1
            kinds_found.add(f"{f.kind} ({f.severity})")
        self.finding_trials.update(kinds_found)

    # -- summaries ----------------------------------------------------------------------------
    def threshold_table(self, min_trials: int = 5) -> list[ThresholdRow]:
        """Per analyte side: values in the most used unit (others converted when possible)."""
        out: list[ThresholdRow] = []
        for key, vals in self.thresholds.items():
            units = Counter(u for _, u in vals)
            unit = units.most_common(1)[0][0]
            analyte = key.rsplit(":", 1)[0]
            conv = []
            for v, u in vals:
                x = v if u == unit else convert(v, u, unit, analyte)
                if x is not None:
                    conv.append(round(float(x), 6))
            if len(conv) < min_trials:
                continue
            common = Counter(conv).most_common(3)
            mine = (self.highlighted or {}).get(key)
            hv = None if mine is None else (mine[0] if mine[1] == unit else convert(mine[0], mine[1], unit, analyte))
            out.append({"key": key, "name": self.threshold_names.get(key, key), "unit": unit, "trials": len(conv),
                        "values": sorted(conv), "common": common,
                        "other_units": sorted(u or "(none)" for u in units if u != unit),
                        "highlight": None if hv is None else round(float(hv), 6)})
        out.sort(key=lambda d: (-d["trials"], d["key"]))
        return out

    def as_dict(self) -> dict[str, object]:
        crit = self.criteria or 1
        return {
            "report": "elig report", "version": 1, "trials": self.trials, "failures": self.failures,
            "criteria": self.criteria, "containers": self.containers,
            "not_computable": self.not_computable, "share_not_computable": round(self.not_computable / crit, 4),
            "reasons": sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0])),
            "reason_detail": sorted(self.reason_detail.items(), key=lambda kv: (-kv[1], kv[0]))[:30],
            "coverage": {
                "trials_with_headers": self.trials_with_headers,
                "trials_without_criteria": self.trials_without_criteria,
                "trials_with_constraints": self.trials_with_constraints,
                "criteria_with_entities": self.criteria_with_entities,
                "criteria_with_constraints": self.criteria_with_constraints,
                "share_criteria_with_entities": round(self.criteria_with_entities / crit, 4),
                "share_criteria_computable": round(1 - self.not_computable / crit, 4),
                "criteria_per_trial_median": _median(self.criteria_per_trial),
                "warnings": self.warnings,
            },
            "kind_trials": sorted(self.kind_trials.items()), "kind_constraints": sorted(self.kind_constraints.items()),
            "concepts": [{"key": k, "name": self.concept_names.get(k, k), "trials": n}
                         for k, n in sorted(self.concept_trials.items(), key=lambda kv: (-kv[1], kv[0]))],
            "thresholds": [{k: v for k, v in d.items() if k != "values"} | {"values": d["values"]}
                           for d in self.threshold_table()],
            "highlight": self.highlight, "highlight_found": self.highlighted is not None,
            "trials_without_entities": self.trials_without_entities,
            "ages": {"min_structured": sorted(self.min_age_structured), "max_structured": sorted(self.max_age_structured),
                     "min_text": sorted(self.min_age_text), "max_text": sorted(self.max_age_text)},
            "findings": sorted(self.findings.items()), "finding_trials": sorted(self.finding_trials.items()),
        }


def _cut(d: ThresholdRow) -> str:
    """The highlighted trial's cut-off with its display unit (the side is in the analyte's name)."""
    assert d["highlight"] is not None
    return quantity(d["highlight"], d["unit"])


def _highlight_html(s: CorpusStats, tt: list[ThresholdRow]) -> str:
    """Where the highlighted trial's cut-offs sit among the others: per analyte side, how many
    trials are stricter, the same, or looser."""
    if s.highlighted is None:
        return f"<p>{esc(s.highlight)} is not among the trials read.</p>"
    rows = []
    for d in tt:
        v = d["highlight"]
        if v is None:
            continue
        side = d["key"].rsplit(":", 1)[1]
        vals = d["values"]
        below, same = sum(x < v for x in vals), sum(x == v for x in vals)
        above = len(vals) - below - same
        stricter, looser = (below, above) if side == "max" else (above, below) if side == "min" else (0, 0)
        rows.append([esc(d["name"]), esc(_cut(d)), str(stricter), str(same - 1), str(looser), str(d["trials"])])
    if not rows:
        return f"<p>{esc(s.highlight)} sets no threshold shared by enough trials to compare.</p>"
    return (f"<p>Where {esc(s.highlight)}'s cut-offs sit among the other trials:</p>"
            + table(["analyte", "its cut-off", "trials stricter", "same", "looser", "trials with this analyte"], rows,
                    "highlight"))


def _detail(c: object) -> str:
    """Why a criterion ended not computable, one level down: which entity labels it had."""
    reason = getattr(c, "reason", None) or "?"
    if not reason.startswith("not recognised"):
        return _reason_class(reason)
    ents = getattr(c, "entities", ())
    labels = sorted({e.label for e in ents if e.source == "rules" or e.concept_id})
    unlinked = sorted({e.label for e in ents if e.source == "model" and not e.concept_id})
    if not labels:
        return "not recognised: no entity tagged" + (f", unlinked NER {', '.join(unlinked)}" if unlinked else "")
    return "not recognised: only " + ", ".join(labels) + " tagged"


def _reason_class(reason: str | None) -> str:
    """Group reasons: "not recognised: …" variants keep their first clause."""
    r = reason or "?"
    return r.split(" (")[0]


def _median(xs: Sequence[float]) -> float:
    if not xs:
        return 0.0
    s = sorted(xs)
    m = len(s) // 2
    return float(s[m]) if len(s) % 2 else (s[m - 1] + s[m]) / 2


def _pct(n: int, d: int) -> str:
    return f"{n / d:.1%}" if d else "–"


def render_corpus(stats: CorpusStats, suffix: str) -> str:
    suffix = suffix.lower()
    if suffix == ".json":
        return json.dumps(stats.as_dict(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if suffix in (".html", ".htm"):
        return to_html(stats)
    raise ValueError(f"unknown report format {suffix!r} (use one of {', '.join(CORPUS_FORMATS)})")


def to_html(s: CorpusStats) -> str:
    from nlp.reports import plots

    T = s.trials
    parts = [f"<h1>Corpus report: {T} trials</h1>"]
    if s.failures:
        items = "".join(f"<li>{esc(f)}</li>" for f in s.failures[:50])
        parts.append(f"<details><summary>{len(s.failures)} input(s) could not be read</summary><ul>{items}</ul></details>")
    # coverage
    crit = s.criteria
    parts.append('<h2 id="coverage">Parser coverage</h2>')
    parts.append(table(["measure", "value"], [
        ["trials read", str(T)],
        ["trials with inclusion/exclusion headers", f"{s.trials_with_headers} ({_pct(s.trials_with_headers, T)})"],
        ["trials with no criteria found", f"{s.trials_without_criteria} ({_pct(s.trials_without_criteria, T)})"],
        ["trials with at least one constraint", f"{s.trials_with_constraints} ({_pct(s.trials_with_constraints, T)})"],
        ["criteria (containers not counted)", f"{crit} (+{s.containers} containers)"],
        ["criteria per trial (median)", fmt_num(_median(s.criteria_per_trial))],
        ["criteria with entities", f"{s.criteria_with_entities} ({_pct(s.criteria_with_entities, crit)})"],
        ["criteria with constraints", f"{s.criteria_with_constraints} ({_pct(s.criteria_with_constraints, crit)})"],
        ["parse warnings (age mismatches, missing headers)", str(s.warnings)],
    ], "coverage"))
    parts.append(figure(plots.histograms([("criteria per trial", s.criteria_per_trial)], "Criteria per trial",
                                         "criteria"), "Criteria per trial.", "plot-criteria"))
    # not computable
    parts.append('<h2 id="not-computable">Not computable</h2>')
    parts.append(f"<p>{s.not_computable} of {crit} criteria ({_pct(s.not_computable, crit)}) are not computable.</p>")
    parts.append(table(["reason", "criteria", "share"], [[esc(r), str(n), _pct(n, s.not_computable)]
                                                         for r, n in sorted(s.reasons.items(), key=lambda kv: (-kv[1], kv[0]))]))
    top = sorted(s.reason_detail.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    note = (f" ({s.trials_without_entities} trial(s) came without their tagged entities, as an `elig index` "
            "store keeps them, and are left out of this table)" if s.trials_without_entities else "")
    parts.append(f"<p class='small'>The same criteria by what the tagger found in them{esc(note)}:</p>")
    parts.append(table(["reason (detail)", "criteria", "share"], [[esc(r), str(n), _pct(n, s.not_computable)] for r, n in top]))
    parts.append(figure(plots.bars([(r[:80], n) for r, n in top], "Top reasons a criterion is not computable",
                                   "criteria"), "Top reasons, by the entities tagged.", "plot-reasons"))
    # prevalence
    parts.append('<h2 id="prevalence">Prevalence</h2>')
    kinds = sorted(s.kind_trials.items(), key=lambda kv: (-kv[1], kv[0]))
    parts.append(table(["constraint kind", "trials", "share of trials", "constraints"], [
        [esc(k), str(n), _pct(n, T), str(s.kind_constraints[k])] for k, n in kinds]))
    parts.append(figure(plots.bars([(k, n / T * 100) for k, n in kinds], "Trials with each constraint kind",
                                   "% of trials"), "Constraint kinds.", "plot-kinds"))
    concepts = sorted(s.concept_trials.items(), key=lambda kv: (-kv[1], kv[0]))[:40]
    parts.append(table(["concept", "kind", "trials", "share"], [
        [esc(s.concept_names.get(k, k)), esc(k.split(":")[0]), str(n), _pct(n, T)] for k, n in concepts]))
    parts.append(figure(plots.bars([(f"{s.concept_names.get(k, k)} ({k.split(':')[0]})", n / T * 100)
                                    for k, n in concepts], "Most frequent concepts", "% of trials"),
                        "Top 40 concepts.", "plot-concepts"))
    # thresholds
    parts.append('<h2 id="thresholds">Thresholds</h2><p class="small">The bound a patient must meet '
                 "(an exclusion \"ALT &gt; 2.5 × ULN\" counts as ALT ≤ 2.5 × ULN), one value per trial, in the "
                 "analyte's most used unit.</p>")
    tt = s.threshold_table()
    if s.highlight is not None:
        parts.append(_highlight_html(s, tt))
    header = ["analyte", "unit", "trials", "most common cut-offs", "other units seen"]
    parts.append(table(header + ([esc(s.highlight)] if s.highlight else []), [
        [esc(d["name"]), esc(display(d["unit"])), str(d["trials"]),
         esc(", ".join(f"{quantity(v, d['unit'])} ({n})" for v, n in d["common"])),
         esc(", ".join(display(u) if u != "(none)" else u for u in d["other_units"]))]
        + ([esc(_cut(d)) if d["highlight"] is not None else "—"] if s.highlight else [])
        for d in tt]))
    shown = [d for d in tt if d["highlight"] is not None][:12] if s.highlight else []
    shown += [d for d in tt if d not in shown][:12 - len(shown)]
    parts.append(figure(plots.strips([(d["name"], display(d["unit"]) or "no unit", d["values"], d["highlight"])
                                      for d in shown], "Threshold distributions (one dot per trial)", s.highlight),
                        "Cut-offs per analyte" + (f"; {s.highlight} marked" if s.highlight else "") + ".",
                        "plot-thresholds"))
    # ages
    parts.append('<h2 id="ages">Age ranges</h2>')
    parts.append(table(["", "trials", "median (years)"], [
        ["structured minimum age", str(len(s.min_age_structured)), fmt_num(_median(s.min_age_structured))],
        ["structured maximum age", str(len(s.max_age_structured)), fmt_num(_median(s.max_age_structured))],
        ["minimum age stated in the text", str(len(s.min_age_text)), fmt_num(_median(s.min_age_text))],
        ["maximum age stated in the text", str(len(s.max_age_text)), fmt_num(_median(s.max_age_text))],
    ]))
    parts.append(figure(plots.histograms([("minimum age", s.min_age_structured), ("maximum age", s.max_age_structured)],
                                         "Structured age limits", "years"), "Age limits.", "plot-ages"))
    # findings
    parts.append('<h2 id="findings">Consistency findings</h2>')
    parts.append(table(["finding", "count", "trials"], [
        [esc(k), str(n), f"{s.finding_trials[k]} ({_pct(s.finding_trials[k], T)})"]
        for k, n in sorted(s.findings.items(), key=lambda kv: (-kv[1], kv[0]))]))
    return page(f"elig report: {T} trials", "\n".join(parts))
