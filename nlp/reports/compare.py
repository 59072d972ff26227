"""Build a comparison of parsed trials: matrix, findings, similarity (plots are drawn at render
time, only for HTML)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nlp.core.document import ParsedTrial
from nlp.reports.findings import Finding, trial_findings
from nlp.reports.matrix import Row, build_rows
from nlp.reports.similarity import Similarity, similarity


@dataclass
class Comparison:
    trials: list[tuple[str, ParsedTrial]]  # (column label, trial), in input order
    rows: list[Row]
    findings: dict[str, list[Finding]]
    similarity: Similarity | None

    @property
    def labels(self) -> list[str]:
        return [t for t, _ in self.trials]


def column_labels(docs: Sequence[ParsedTrial]) -> list[str]:
    """NCT id (or source), made unique when the same trial is given twice."""
    used: dict[str, int] = {}
    out = []
    for d in docs:
        base = d.record.label
        used[base] = used.get(base, 0) + 1
        out.append(base if used[base] == 1 else f"{base} ({used[base]})")
    return out


def build_comparison(docs: Sequence[ParsedTrial]) -> Comparison:
    """``nlp`` (the pipeline) tags titles and condition lists for title/criteria conflicts;
    without it those findings are skipped."""
    trials = list(zip(column_labels(docs), docs, strict=True))
    rows = build_rows(trials)
    findings = {t: trial_findings(t, d) for t, d in trials}
    return Comparison(trials=trials, rows=rows, findings=findings, similarity=similarity(rows, trials))
