"""Trial similarity with scikit-learn, in two views, and hierarchical clustering.

- constraint view: one feature per matrix row a trial has (its presence), plus for numeric rows
  the trial's threshold converted to the row's first unit and min-max scaled across trials;
  cosine similarity (``sklearn.metrics.pairwise.cosine_similarity``);
- text view: TF-IDF of the criteria text (``TfidfVectorizer``), cosine similarity;
- combined: the mean of the two; clusters from ``AgglomerativeClustering`` (average linkage on
  1 - similarity, cut at ``CUT``) and the leaf order of the same linkage for plots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nlp.core.document import ParsedTrial
from nlp.core.normal import allowed_interval
from nlp.reports.matrix import Row, is_numeric

CUT = 0.7  # merge clusters while their average distance (1 - similarity) is below this


@dataclass
class Similarity:
    labels: list[str]
    constraints: np.ndarray
    text: np.ndarray
    combined: np.ndarray
    clusters: list[int]  # cluster number per trial (1-based, numbered in leaf order)
    order: list[int]  # leaf order of the dendrogram
    linkage: np.ndarray | None  # scipy linkage matrix (for the dendrogram plot)

    def as_dict(self) -> dict[str, object]:
        def m(a: np.ndarray) -> list[list[float]]:
            return [[round(float(x), 3) for x in r] for r in a]
        return {"labels": self.labels, "constraints": m(self.constraints), "text": m(self.text),
                "combined": m(self.combined), "clusters": dict(zip(self.labels, self.clusters, strict=True)),
                "order": [self.labels[i] for i in self.order], "cut": CUT}


def _bound(row: Row, label: str, unit: str | None) -> float | None:
    c = row.cells[label].representative
    if not is_numeric(c):
        return None
    iv = allowed_interval(c, unit)
    if iv is None:
        return None
    v = iv.lo if row.key.endswith(":min") else iv.hi
    return float(v) if np.isfinite(v) else None


def constraint_features(rows: Sequence[Row], labels: Sequence[str]) -> np.ndarray:
    cols: list[np.ndarray] = []
    for row in rows:
        cols.append(np.array([1.0 if t in row.cells else 0.0 for t in labels]))
        if not is_numeric(next(iter(row.cells.values())).representative):
            continue
        unit = next(iter(row.cells.values())).representative.unit
        vals = [(_bound(row, t, unit) if t in row.cells else None) for t in labels]
        known = [v for v in vals if v is not None]
        if len(known) < 2 or max(known) == min(known):
            continue
        lo, hi = min(known), max(known)
        cols.append(np.array([0.0 if v is None else (v - lo) / (hi - lo) for v in vals]))
    if not cols:
        return np.zeros((len(labels), 1))
    return np.stack(cols, axis=1)


def _text(doc: ParsedTrial) -> str:
    return "\n".join(c.text for c in doc.criteria)


def similarity(rows: Sequence[Row], trials: Sequence[tuple[str, ParsedTrial]]) -> Similarity | None:
    """None with fewer than two trials."""
    if len(trials) < 2:
        return None
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    labels = [t for t, _ in trials]
    s_con = cosine_similarity(constraint_features(rows, labels))
    texts = [_text(d) for _, d in trials]
    try:
        tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=1).fit_transform(texts)
        s_txt = cosine_similarity(tfidf)
    except ValueError:  # every text empty or only stop words
        s_txt = np.eye(len(labels))
    s_all = np.clip((s_con + s_txt) / 2.0, 0.0, 1.0)
    np.fill_diagonal(s_all, 1.0)
    dist = 1.0 - s_all
    dist = (dist + dist.T) / 2.0
    np.fill_diagonal(dist, 0.0)
    link = linkage(squareform(dist, checks=False), method="average")
    order = [int(i) for i in leaves_list(link)]
    raw = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                  distance_threshold=CUT).fit(dist).labels_
    renum: dict[int, int] = {}
    for i in order:  # number clusters in leaf order so the output is stable
        renum.setdefault(int(raw[i]), len(renum) + 1)
    clusters = [renum[int(x)] for x in raw]
    return Similarity(labels, s_con, s_txt, s_all, clusters, order, link)
