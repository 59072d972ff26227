"""Write a ``Comparison`` as Markdown, CSV, JSON (deterministic: no timestamps, sorted keys,
fixed number formatting) or self-contained HTML (inline SVG plots, criteria with highlighted entities)."""

from __future__ import annotations

import csv
import io
import json

from nlp.core.normal import Facet, must_comparator
from nlp.reports.compare import Comparison
from nlp.reports.html import esc, figure, page, table
from nlp.reports.matrix import Cell, Row, describe, fmt_num

COMPARE_FORMATS = (".html", ".md", ".csv", ".json")


def render_comparison(comp: Comparison, suffix: str) -> str:
    suffix = suffix.lower()
    if suffix in (".html", ".htm"):
        return to_html(comp)
    if suffix == ".md":
        return to_markdown(comp)
    if suffix == ".csv":
        return to_csv(comp)
    if suffix == ".json":
        return to_json(comp)
    raise ValueError(f"unknown report format {suffix!r} (use one of {', '.join(COMPARE_FORMATS)})")


def _vs(cell: Cell) -> str:
    by_rel: dict[str, list[str]] = {}
    for other, rel in cell.relations.items():
        by_rel.setdefault(rel, []).append(other)
    return "; ".join(f"{rel} than {', '.join(ts)}" if rel in ("stricter", "looser") else f"{rel}: {', '.join(ts)}"
                     for rel, ts in sorted(by_rel.items()))


# -- JSON ---------------------------------------------------------------------------------------
def _constraint_json(c: Facet) -> dict[str, object]:
    return c.constraint.model_dump(mode="json", by_alias=True, exclude_none=True)


def as_dict(comp: Comparison) -> dict[str, object]:
    trials = []
    for label, d in comp.trials:
        r = d.record
        trials.append({"label": label, "nct_id": r.nct_id, "source": r.source, "title": r.brief_title,
                       "conditions": list(r.conditions), "criteria": len(d.criteria),
                       "constraints": sum(len(c.constraints) for c in d.criteria)})
    rows = []
    for row in comp.rows:
        cells = {}
        for t, cell in row.cells.items():
            cells[t] = {"text": cell.text(), "mark": cell.mark, "relations": dict(sorted(cell.relations.items())),
                        "criteria": cell.criteria,
                        "evidence": [{"criterion": k, "quote": q} for k, q in cell.evidence()],
                        "must": must_comparator(cell.representative),
                        "constraints": [_constraint_json(c) for c in cell.constraints]}
        rows.append({"key": row.key, "kind": row.kind, "concept": row.concept, "label": row.label,
                     "unique": row.unique, "cells": cells})
    return {
        "report": "elig compare", "version": 1, "trials": trials, "rows": rows,
        "findings": {t: [f.as_dict() for f in fs] for t, fs in comp.findings.items()},
        "similarity": comp.similarity.as_dict() if comp.similarity else None,
    }


def to_json(comp: Comparison) -> str:
    return json.dumps(as_dict(comp), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# -- CSV: one line per (row, trial) cell ----------------------------------------------------------
CSV_COLUMNS = ["row", "kind", "concept", "label", "trial", "must", "text", "mark", "versus", "criteria", "evidence"]


def to_csv(comp: Comparison) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for row in comp.rows:
        for t in comp.labels:
            cell = row.cells.get(t)
            if cell is None:
                continue
            w.writerow([row.key, row.kind, row.concept or "", row.label, t, must_comparator(cell.representative),
                        cell.text(), cell.mark, _vs(cell), " ".join(cell.criteria),
                        " | ".join(f"{k}: {q}" for k, q in cell.evidence())])
    return buf.getvalue()


# -- Markdown -------------------------------------------------------------------------------------
def _md(text: object) -> str:
    """Table-safe Markdown text: pipes escaped, newlines flattened, HTML-ish brackets escaped."""
    s = " ".join(str(text).split())
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def to_markdown(comp: Comparison) -> str:
    labels = comp.labels
    out = ["# Trial comparison", ""]
    out += ["| trial | title | criteria | constraints |", "|---|---|---|---|"]
    for label, d in comp.trials:
        out.append(f"| {_md(label)} | {_md(d.record.brief_title or '')} | {len(d.criteria)} | "
                   f"{sum(len(c.constraints) for c in d.criteria)} |")
    out += ["", "## Constraint matrix", "",
            ("Each cell is what the patient must satisfy; the mark compares it with the other trials "
            "(stricter / looser / equal / disjoint / mixed; **unique**: only this trial has it)."), ""]
    out.append("| constraint | " + " | ".join(_md(t) for t in labels) + " |")
    out.append("|---|" + "---|" * len(labels))
    for row in comp.rows:
        cells = []
        for t in labels:
            c = row.cells.get(t)
            if c is None:
                cells.append("—")
            else:
                mark = "**unique**" if c.mark == "unique" else c.mark
                cells.append(f"{_md(c.text())} ({mark}; {_md(' '.join(c.criteria) or 'record')})")
        out.append(f"| {_md(row.kind)}: {_md(row.label)} | " + " | ".join(cells) + " |")
    out += ["", "## Consistency findings", ""]
    for t in labels:
        fs = comp.findings.get(t, [])
        out.append(f"### {_md(t)}")
        out.append("")
        if not fs:
            out.append("No findings.")
        for f in fs:
            out.append(f"- **{f.kind}** ({f.severity}): {_md(f.message)}")
        out.append("")
    sim = comp.similarity
    out += ["## Similarity", ""]
    if sim is None:
        out += ["Needs at least two trials.", ""]
    else:
        out.append("Mean of the constraint view and the TF-IDF text view (cosine similarity).")
        out.append("")
        out.append("| | " + " | ".join(_md(t) for t in sim.labels) + " |")
        out.append("|---|" + "---|" * len(sim.labels))
        for i, t in enumerate(sim.labels):
            out.append(f"| {_md(t)} | " + " | ".join(f"{sim.combined[i, j]:.2f}" for j in range(len(sim.labels))) + " |")
        out += ["", "Clusters (average linkage, cut at distance 0.7): "
                + "; ".join(f"{k}: " + ", ".join(t for t, c in zip(sim.labels, sim.clusters, strict=True) if c == k)
                            for k in sorted(set(sim.clusters))), ""]
    out += ["## Evidence", ""]
    for row in comp.rows:
        for t in labels:
            c = row.cells.get(t)
            if c is None:
                continue
            quotes = "; ".join(f"{k}: “{q}”" for k, q in c.evidence())
            out.append(f"- {_md(row.label)} · {_md(t)}: {_md(quotes)}")
    return "\n".join(out).rstrip() + "\n"


# -- HTML -------------------------------------------------------------------------------------------
def _cell_html(row: Row, t: str) -> str:
    c = row.cells.get(t)
    if c is None:
        return '<span class="none">—</span>'
    ev = "".join(f"<li><b>{esc(k)}</b>: {esc(q)}</li>" for k, q in c.evidence())
    title = " | ".join(f"{k}: {q}" for k, q in c.evidence())
    vs = _vs(c)
    return (f'<span class="val" title="{esc(title)}">{esc(c.text())}</span>'
            f'<span class="mark m-{esc(c.mark)}" title="{esc(vs)}">{esc(c.mark)}</span>'
            f'<details class="ev"><summary>evidence</summary><ul>{ev}</ul>'
            + (f'<div class="small">{esc(vs)}</div>' if vs else "") + "</details>")


def to_html(comp: Comparison) -> str:
    from nlp.reports import plots
    from nlp.show import render_criteria_html

    labels = comp.labels
    parts = [f"<h1>Trial comparison: {esc(', '.join(labels))}</h1>"]
    parts.append(table(["trial", "title", "conditions", "criteria", "constraints"], [
        [esc(t), esc(d.record.brief_title or ""), esc("; ".join(d.record.conditions)), str(len(d.criteria)),
         str(sum(len(c.constraints) for c in d.criteria))] for t, d in comp.trials], "trials"))
    # matrix
    head = "".join(f"<th>{esc(t)}</th>" for t in labels)
    body = []
    for row in comp.rows:
        cells = "".join(f'<td class="cell">{_cell_html(row, t)}</td>' for t in labels)
        cls = "unique" if row.unique and len(labels) > 1 else ""
        body.append(f'<tr class="{cls}" data-key="{esc(row.key)}"><th>{esc(row.kind)}: {esc(row.label)}</th>{cells}</tr>')
    parts.append('<h2 id="matrix">Constraint matrix</h2><p class="small">Each cell: what the patient must '
                 "satisfy, its mark against the other trials (hover for details), the evidence quote on expand. "
                 "Rows only one trial has are highlighted.</p>")
    parts.append(f'<table id="constraint-matrix"><thead><tr><th>constraint</th>{head}</tr></thead>'
                 f"<tbody>{''.join(body)}</tbody></table>")
    # findings
    parts.append('<h2 id="findings">Consistency findings</h2>')
    for t in labels:
        fs = comp.findings.get(t, [])
        items = "".join(f'<li class="finding {esc(f.severity)}"><b>{esc(f.kind)}</b>: {esc(f.message)}</li>' for f in fs)
        parts.append(f"<h3>{esc(t)}</h3>" + (f"<ul>{items}</ul>" if items else "<p>No findings.</p>"))
    # plots
    parts.append('<h2 id="plots">Plots</h2>')
    parts.append(figure(plots.age_ranges(comp.rows, labels), "Age range per trial (years).", "plot-age"))
    parts.append(figure(plots.thresholds(comp.rows, labels), "Thresholds per analyte, in the first trial's unit.",
                        "plot-thresholds"))
    parts.append(figure(plots.presence_heatmap(comp.rows, labels), "Concepts per trial.", "plot-presence"))
    sim = comp.similarity
    parts.append('<h2 id="similarity">Similarity</h2>')
    if sim is None:
        parts.append("<p>Needs at least two trials.</p>")
    else:
        parts.append(figure(plots.similarity_plot(sim.combined, sim.labels, sim.linkage),
                            "Similarity matrix and dendrogram.", "plot-similarity"))
        rows = [[esc(t)] + [f"{sim.constraints[i, j]:.2f} / {sim.text[i, j]:.2f}" for j in range(len(labels))]
                for i, t in enumerate(sim.labels)]
        parts.append("<p class='small'>constraint view / TF-IDF text view</p>" + table(["", *map(esc, sim.labels)], rows))
        parts.append("<p>Clusters: " + esc("; ".join(
            f"{k}: " + ", ".join(t for t, c in zip(sim.labels, sim.clusters, strict=True) if c == k)
            for k in sorted(set(sim.clusters)))) + "</p>")
    # criteria
    parts.append('<h2 id="criteria">Criteria</h2>')
    for t, d in comp.trials:
        parts.append(f'<details class="trial"><summary>{esc(t)} {esc(d.record.brief_title or "")}</summary>'
                     f"{render_criteria_html(d)}</details>")
    return page("elig compare: " + ", ".join(labels), "\n".join(parts))


__all__ = ["COMPARE_FORMATS", "as_dict", "describe", "fmt_num", "render_comparison", "to_csv", "to_html",
           "to_json", "to_markdown"]
