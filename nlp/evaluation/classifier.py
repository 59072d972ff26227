"""Criterion-category scores (per-class precision, recall, F1; macro; accuracy) for three
systems on the same criteria:

- rules: the class of the labels the rule pipeline tags in the criterion
  (:func:`nlp.corpora.classes.criterion_class`, the same derivation as the reference);
- model: the trained classifier (``models/classifier``);
- combined: what ``elig parse --classifier`` does: the rules' class where the rules build a
  computable constraint, the classifier's class where they do not.

The reference class comes from Chia's annotations (entities and flag types) or from our gold
spans, as documented in :mod:`nlp.training.classifier`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nlp.corpora.classes import CLASSES

SYSTEMS = ("rules", "model", "combined")


def predict(texts: Sequence[str], classifier_path: Path | None = None) -> dict[str, list[str]]:
    from nlp.constraints.builder import build_criterion
    from nlp.core.criterion import Criterion
    from nlp.corpora.classes import criterion_class
    from nlp.pipeline import load_pipeline
    from nlp.pipeline.annotate import doc_entities
    from nlp.pipeline.criterion_classifier import load_classifier

    clf = load_classifier(str(classifier_path) if classifier_path else None)
    rules, computable = [], []
    for text, doc in zip(texts, load_pipeline().pipe(texts, batch_size=256), strict=True):
        rules.append(criterion_class(e.label_ for e in doc.ents))
        crit = Criterion(id="c1", section="inclusion", text=text, start=0, end=len(text), text_start=0)
        built = build_criterion("c1", "inclusion", doc_entities(doc, crit), text, (0, len(text)))
        computable.append(built.computable)
    model = [c for c, _ in clf.predict(texts)]
    combined = [r if ok else m for r, m, ok in zip(rules, model, computable, strict=True)]
    return {"rules": rules, "model": model, "combined": combined}


def evaluate(data: str = "chia:test", classifier_path: Path | None = None) -> dict:
    """``data``: ``chia:PART`` or ``gold:PART``."""
    from nlp.corpora.classes import chia_data, gold_data

    source, part = data.split(":", 1)
    texts, ref = chia_data(part) if source == "chia" else gold_data(part)
    res: dict = {"data": data, "criteria": len(texts)}
    if not texts:
        return res
    for name, pred in predict(texts, classifier_path).items():
        res[name] = scores(ref, pred)
    return res


def format_report(res: dict) -> str:
    lines = [f"{res['data']}: {res['criteria']} criteria"]
    for name in SYSTEMS:
        r = res.get(name)
        if r is None:
            continue
        lines += ["", f"== {name} == accuracy {r['accuracy']:.3f}",
                  f"{'class':<22}{'n':>6}{'P':>8}{'R':>7}{'F1':>7}"]
        for cls, v in r["per_class"].items():
            lines.append(f"{cls:<22}{v['support']:>6}{v['p']:>8.3f}{v['r']:>7.3f}{v['f1']:>7.3f}")
        m = r["macro"]
        lines.append(f"{'macro':<22}{'':>6}{m['p']:>8.3f}{m['r']:>7.3f}{m['f1']:>7.3f}")
    return "\n".join(lines)


def run(target: str, classifier_path: Path | None = None) -> tuple[str, dict]:
    """``elig evaluate classifier``: ``chia:PART`` or ``gold:PART``; input problems raise
    ``InputError`` (one line naming the path)."""
    import re

    from nlp.corpora.chia import CHIA_DIR
    from nlp.corpora.gold import GOLD_DIR
    from nlp.errors import InputError
    from nlp.pipeline.criterion_classifier import load_classifier

    load_classifier(str(classifier_path) if classifier_path else None)  # missing model: one line
    m = re.fullmatch(r"(?:(chia|gold):)?(train|dev|test)", target)
    if not m:
        raise InputError(target, "unknown data: give chia:train|dev|test or gold:train|test")
    source, part = m.group(1) or "chia", m.group(2)
    if source == "chia" and not CHIA_DIR.is_dir():
        raise InputError(str(CHIA_DIR), "Chia corpus not found (../shared/data beside the repo)")
    if source == "gold" and not any(GOLD_DIR.glob("msc_gold_*.jsonl")):
        raise InputError(str(GOLD_DIR), "no msc_gold_*.jsonl gold files")
    res = evaluate(f"{source}:{part}", classifier_path)
    return format_report(res), res


def scores(y_true: list[str], y_pred: list[str]) -> dict:
    from sklearn.metrics import precision_recall_fscore_support

    labels = [c for c in CLASSES if c in set(y_true) | set(y_pred)]
    p, r, f, n = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    per = {lab: {"p": round(float(a), 4), "r": round(float(b), 4), "f1": round(float(c), 4), "support": int(d)}
           for lab, a, b, c, d in zip(labels, p, r, f, n, strict=True)}
    mp, mr, mf, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, average="macro", zero_division=0)
    acc = sum(a == b for a, b in zip(y_true, y_pred, strict=True)) / len(y_true) if y_true else 0.0
    return {"n": len(y_true), "accuracy": round(acc, 4), "per_class": per,
            "macro": {"p": round(float(mp), 4), "r": round(float(mr), 4), "f1": round(float(mf), 4)}}
