"""Matplotlib figures as inline SVG strings (self-contained HTML, no files, no network).

SVG output is deterministic: fixed ``svg.hashsalt``, no date metadata, text drawn as paths
(``svg.fonttype = "path"``, so no record text reaches the SVG as markup either).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")  # no display needed; we only write SVG
import matplotlib.pyplot as plt
import numpy as np

from nlp.core.normal import allowed_interval
from nlp.core.units import display
from nlp.core.wording import age_span
from nlp.reports.matrix import Row, is_numeric

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

_RC: dict[RcKeyType, Any] = {"svg.hashsalt": "elig-analyzer", "svg.fonttype": "none", "font.size": 9,
       "axes.titlesize": 9, "figure.dpi": 100}


def to_svg(fig: plt.Figure) -> str:
    buf = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and doctype for inline use


def _fig(w: float, h: float) -> tuple[plt.Figure, plt.Axes]:
    with matplotlib.rc_context(_RC):
        return plt.subplots(figsize=(w, h))


def _years(row: Row | None, label: str, side: str) -> float | None:
    if row is None or label not in row.cells:
        return None
    iv = allowed_interval(row.cells[label].representative, "a")
    if iv is None:
        return None
    v = iv.lo if side == "min" else iv.hi
    return float(v) if math.isfinite(v) else None


def age_ranges(rows: Sequence[Row], labels: Sequence[str]) -> str | None:
    by_key = {r.key: r for r in rows}
    lo_row, hi_row = by_key.get("age:age:min"), by_key.get("age:age:max")
    if lo_row is None and hi_row is None:
        return None
    spans = [(t, _years(lo_row, t, "min"), _years(hi_row, t, "max")) for t in labels]
    top = max([h for _, _, h in spans if h is not None] + [lo for _, lo, _ in spans if lo is not None] + [18.0]) + 10
    with matplotlib.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(7, 0.45 * len(labels) + 1.0))
        for i, (_t, lo, hi) in enumerate(spans):
            a, b = lo if lo is not None else 0.0, hi if hi is not None else top
            ax.barh(i, b - a, left=a, height=0.5, color="#6baed6" if hi is not None else "#c6dbef")
            ax.text(b + 0.5, i, age_span(lo, hi), va="center", fontsize=8)
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_xlim(0, top + 12)
        ax.set_xlabel("age (years); a pale bar has no upper limit")
        ax.set_ylabel("trial")
        ax.set_title("Age range per trial")
    return to_svg(fig)


def thresholds(rows: Sequence[Row], labels: Sequence[str], max_units: int = 6) -> str | None:
    """Dot plot of the bound each trial sets per analyte, one panel per unit (xULN, 10*9/L, ...),
    values converted to the row's first unit; one colour per trial; ◀ an upper, ▶ a lower bound."""
    num = [r for r in rows if r.kind in ("measurement", "weight", "bmi")
           and is_numeric(next(iter(r.cells.values())).representative)]
    by_unit: dict[str, list[Row]] = {}
    for r in num:
        by_unit.setdefault(next(iter(r.cells.values())).representative.unit or "(no unit)", []).append(r)
    units = sorted(by_unit, key=lambda u: (-len(by_unit[u]), u))[:max_units]
    if not units:
        return None
    colors = plt.get_cmap("tab10")
    heights = [max(2, len(by_unit[u])) for u in units]
    with matplotlib.rc_context(_RC):
        fig, axes = plt.subplots(len(units), 1, figsize=(8, 0.3 * sum(heights) + 1.1 * len(units) + 0.6),
                                 gridspec_kw={"height_ratios": heights}, squeeze=False, layout="constrained")
        for ax, unit in zip(axes[:, 0], units, strict=True):
            urows = sorted(by_unit[unit], key=lambda r: r.label)
            xs_all = []
            for j, t in enumerate(labels):
                xs, ys, marks = [], [], []
                for i, row in enumerate(urows):
                    if t not in row.cells:
                        continue
                    side = row.key.rsplit(":", 1)[1]
                    iv = allowed_interval(row.cells[t].representative, None if unit == "(no unit)" else unit)
                    if iv is None:
                        continue
                    v = iv.hi if side == "max" else iv.lo
                    if math.isfinite(v):
                        xs.append(v)
                        ys.append(i + (j - (len(labels) - 1) / 2) * 0.08)
                        marks.append("<" if side == "max" else ">")
                xs_all += xs
                for m in set(marks):
                    pts = [(x, y) for x, y, mk in zip(xs, ys, marks, strict=True) if mk == m]
                    ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=m, color=colors(j % 10), s=28,
                               label=t if m == marks[0] else None, zorder=3)
            ax.set_yticks(range(len(urows)), [r.label for r in urows], fontsize=7)
            ax.set_ylim(len(urows) - 0.5, -0.5)
            if xs_all and min(xs_all) > 0 and max(xs_all) / min(xs_all) > 30:
                ax.set_xscale("log")
            ax.grid(axis="x", alpha=0.3)
            ax.set_xlabel(display(unit) if unit != "(no unit)" else "no unit", fontsize=7)
        handles, names = [], []
        for ax in axes[:, 0]:
            for h, n in zip(*ax.get_legend_handles_labels(), strict=True):
                if n not in names:
                    handles.append(h)
                    names.append(n)
        if handles:
            axes[0, 0].legend(handles, names, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
        axes[0, 0].set_title("Thresholds the patient must meet (◀ at most, ▶ at least), by unit")
    return to_svg(fig)


def presence_heatmap(rows: Sequence[Row], labels: Sequence[str], limit: int = 60) -> str | None:
    pres = [r for r in rows if not is_numeric(next(iter(r.cells.values())).representative) and r.kind not in ("sex",)]
    pres = sorted(pres, key=lambda r: (-len(r.cells), r.kind, r.label))[:limit]
    if not pres:
        return None
    from matplotlib.colors import ListedColormap

    from nlp.core.normal import must_comparator
    grid = np.zeros((len(pres), len(labels)))
    for i, r in enumerate(pres):
        for j, t in enumerate(labels):
            if t in r.cells:
                grid[i, j] = 1 if must_comparator(r.cells[t].representative) == "absent" else 2
    with matplotlib.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(1.2 + 0.6 * len(labels) + 2.5, 0.22 * len(pres) + 1.5))
        ax.imshow(grid, cmap=ListedColormap(["#f7f7f7", "#ef8a62", "#67a9cf"]), vmin=0, vmax=2, aspect="auto",
                  interpolation="nearest")
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=7)
        ax.tick_params(axis="x", top=True, labeltop=True)  # a tall map keeps its trials in view
        for tick in ax.xaxis.get_major_ticks():
            tick.label2.set(rotation=45, ha="left", rotation_mode="anchor", fontsize=7)
        ax.set_xlabel("trial")
        ax.set_yticks(range(len(pres)), [f"{r.kind}: {r.label}" for r in pres], fontsize=7)
        ax.set_title("Concepts per trial (orange: must be absent, blue: must be present)", pad=40)
    return to_svg(fig)


def similarity_plot(matrix: np.ndarray, labels: Sequence[str], link: np.ndarray | None) -> str:
    from scipy.cluster.hierarchy import dendrogram

    with matplotlib.rc_context(_RC):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 0.45 * len(labels) + 2),
                                       gridspec_kw={"width_ratios": [1.2, 1], "wspace": 0.7})
        im = ax1.imshow(matrix, vmin=0, vmax=1, cmap="viridis")
        ax1.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=7)
        ax1.set_yticks(range(len(labels)), labels, fontsize=7)
        for i in range(len(labels)):
            for j in range(len(labels)):
                ax1.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", fontsize=6,
                         color="white" if matrix[i, j] < 0.6 else "black")
        fig.colorbar(im, ax=ax1, fraction=0.046)
        ax1.set_title("Similarity (mean of constraint and TF-IDF views)")
        if link is not None:
            dendrogram(link, labels=list(labels), orientation="right", ax=ax2, color_threshold=0.7,
                       leaf_font_size=7)
            ax2.set_xlabel("distance (1 - similarity), average linkage")
        ax2.set_title("Hierarchical clustering")
    return to_svg(fig)


def bars(items: Sequence[tuple[str, float]], title: str, xlabel: str) -> str | None:
    if not items:
        return None
    with matplotlib.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(7, 0.22 * len(items) + 1.2))
        ax.barh(range(len(items)), [v for _, v in items], color="#6baed6")
        ax.set_yticks(range(len(items)), [k for k, _ in items], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.set_title(title)
    return to_svg(fig)


def histograms(series: Sequence[tuple[str, Sequence[float]]], title: str, xlabel: str, bins: int = 20) -> str | None:
    series = [(k, v) for k, v in series if len(v)]
    if not series:
        return None
    with matplotlib.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(7, 3))
        lo = min(min(v) for _, v in series)
        hi = max(max(v) for _, v in series)
        edges = np.linspace(lo, hi if hi > lo else lo + 1, bins + 1)
        for k, v in series:
            ax.hist(v, bins=edges.tolist(), alpha=0.6, label=f"{k} (n={len(v)})")
        ax.legend(fontsize=7)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("trials")
        ax.set_title(title)
    return to_svg(fig)


def strips(groups: Sequence[tuple[str, str, Sequence[float], float | None]], title: str,
           highlight: str | None = None, limit: int = 12) -> str | None:
    """One panel per group (name, display unit, values, the highlighted trial's value or None):
    every value as a jittered dot, the unit on the x axis, the highlighted trial's value a marked
    line with its label."""
    groups = [g for g in groups if len(g[2])][:limit]
    if not groups:
        return None
    ncol = min(3, len(groups))
    nrow = math.ceil(len(groups) / ncol)
    rng = np.random.default_rng(0)
    with matplotlib.rc_context(_RC):
        fig, axes = plt.subplots(nrow, ncol, figsize=(3.4 * ncol, 1.6 * nrow + 0.6), squeeze=False)
        for ax in axes.flat[len(groups):]:
            ax.axis("off")
        for ax, (k, unit, v, mine) in zip(axes.flat, groups, strict=False):
            arr = np.asarray(v, dtype=float)
            ax.scatter(arr, rng.uniform(-0.3, 0.3, len(arr)), s=8, alpha=0.5, color="#6baed6", label="a trial")
            if mine is not None:
                ax.axvline(mine, color="#a50f15", linewidth=1.5, label=highlight)
                ax.legend(fontsize=6, loc="upper right")
            ax.set_yticks([])
            ax.set_ylim(-0.6, 0.6)
            ax.set_ylabel("trials", fontsize=7)
            ax.set_xlabel(unit, fontsize=7)
            ax.set_title(f"{k} (n={len(arr)})", fontsize=8)
            ax.grid(axis="x", alpha=0.3)
        fig.suptitle(title, fontsize=9)
        fig.tight_layout()
    return to_svg(fig)
