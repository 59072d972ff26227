"""Train the criterion classifier (TF-IDF word + character n-grams, logistic regression) on Chia
train plus our gold train; C is chosen on Chia dev; scored once on Chia test.

    python -m nlp.training.classifier --out models/classifier

Classes (issue 5): demographic, measurement, condition, therapy, procedure, pregnancy (and
contraception), trial_participation, consent, judgement (not computable), other.

How a criterion's class is derived (the same function for Chia and our gold, see
:func:`criterion_class`): the labels found in the criterion, with Chia's flag types mapped to
pseudo-labels by ``annotations/chia_mapping.json`` ("flag"): Subjective_judgement and
Non-query-able -> JUDGEMENT, Informed_consent -> CONSENT, Competing_trial -> TRIAL_PARTICIPATION,
Pregnancy_considerations -> PREGNANCY. The first class in this order whose labels occur wins:
consent (CONSENT), trial_participation (TRIAL_PARTICIPATION), judgement (JUDGEMENT), pregnancy
(PREGNANCY), measurement (MEASUREMENT, REF_RANGE), therapy (THERAPY), procedure (PROCEDURE),
condition (CONDITION), demographic (AGE, SEX); otherwise other.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from nlp.training.chia import CHIA_DIR, ROOT, Mapping, load_split, read_corpus

CLASSES = ("demographic", "measurement", "condition", "therapy", "procedure", "pregnancy",
           "trial_participation", "consent", "judgement", "other")
_ORDER = (
    ("consent", {"CONSENT"}), ("trial_participation", {"TRIAL_PARTICIPATION"}),
    ("judgement", {"JUDGEMENT"}), ("pregnancy", {"PREGNANCY"}),
    ("measurement", {"MEASUREMENT", "REF_RANGE"}), ("therapy", {"THERAPY"}),
    ("procedure", {"PROCEDURE"}), ("condition", {"CONDITION"}), ("demographic", {"AGE", "SEX"}),
)
_FLAG_LABEL = {"judgement": "JUDGEMENT", "consent": "CONSENT",
               "trial_participation": "TRIAL_PARTICIPATION", "pregnancy": "PREGNANCY"}
SEED = 20261123


def criterion_class(labels: Iterable[str]) -> str:
    found = set(labels)
    for cls, want in _ORDER:
        if found & want:
            return cls
    return "other"


def chia_data(part: str, mapping: Mapping | None = None) -> tuple[list[str], list[str]]:
    mapping = mapping or Mapping()
    texts, ys = [], []
    for ex in read_corpus(CHIA_DIR, load_split()[part], mapping=mapping):
        labels = {s.label for s in ex.spans}
        labels |= {_FLAG_LABEL[mapping.flag[f]] for f in ex.flags if mapping.flag.get(f) in _FLAG_LABEL}
        texts.append(ex.text)
        ys.append(criterion_class(labels))
    return texts, ys


def gold_data(part: str) -> tuple[list[str], list[str]]:
    """Our gold trials' analysed criteria with the class of the labels inside each."""
    from nlp.criteria import split_criteria
    from nlp.pipeline.annotate import nlp_targets
    from nlp.training.gold import load_gold

    texts, ys = [], []
    for t in load_gold().split(part):
        for c in nlp_targets(split_criteria(t.text).criteria):
            a, b = c.source_offset(0), c.source_offset(max(len(c.text) - 1, 0)) + 1
            labels = {s.label for s in t.spans if a <= s.start and s.end <= b}
            texts.append(c.text)
            ys.append(criterion_class(labels))
    return texts, ys


def make_model(c: float):  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    feats = FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True,
                                  max_features=60000)),
    ])
    return Pipeline([("features", feats),
                     ("clf", LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=SEED))])


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


def train(out: Path, c_grid: Iterable[float] = (1.0, 4.0, 16.0)) -> dict:
    import joblib
    import sklearn

    t0 = time.perf_counter()
    mapping = Mapping()
    xtr, ytr = chia_data("train", mapping)
    gx, gy = gold_data("train")
    xdev, ydev = chia_data("dev", mapping)
    tuning = {}
    for c in c_grid:
        m = make_model(c).fit(xtr + gx, ytr + gy)
        s = scores(ydev, list(m.predict(xdev)))
        tuning[str(c)] = {"dev_macro_f1": s["macro"]["f1"], "dev_judgement_f1": s["per_class"].get("judgement", {}).get("f1")}
    best_c = max(c_grid, key=lambda c: (tuning[str(c)]["dev_macro_f1"], -c))
    model = make_model(best_c).fit(xtr + gx, ytr + gy)
    train_s = time.perf_counter() - t0
    xte, yte = chia_data("test", mapping)
    gtx, gty = gold_data("test")
    out.mkdir(parents=True, exist_ok=True)
    path = out / "classifier.joblib"
    joblib.dump({"model": model, "classes": CLASSES, "sklearn_version": sklearn.__version__, "C": best_c}, path, compress=3)
    metrics = {
        "command": "python -m nlp.training.classifier --out models/classifier",
        "seed": SEED, "C": best_c, "tuning_on_chia_dev": tuning, "train_wall_s": round(train_s, 1),
        "data": {"chia_train": len(xtr), "gold_train": len(gx), "chia_dev": len(xdev), "chia_test": len(xte),
                 "gold_test": len(gtx), "train_classes": dict(Counter(ytr + gy).most_common())},
        "sklearn": sklearn.__version__, "python": platform.python_version(),
        "chia_dev": scores(ydev, list(model.predict(xdev))),
        "chia_test": scores(yte, list(model.predict(xte))),
        "gold_test": scores(gty, list(model.predict(gtx))) if gtx else None,
        "model_bytes": path.stat().st_size,
    }
    from nlp.training.cards import classifier_card, write_metrics_and_card

    write_metrics_and_card(out, metrics, classifier_card(metrics))
    return metrics


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "classifier")
    args = ap.parse_args(argv)
    if not CHIA_DIR.is_dir():
        print(f"nlp.training.classifier: error: {CHIA_DIR}: Chia corpus not found (../shared/data beside the repo)", file=sys.stderr)
        return 1
    m = train(args.out)
    print(json.dumps({k: m[k] for k in ("C", "train_wall_s", "model_bytes", "tuning_on_chia_dev")}, indent=1))
    print(json.dumps({"chia_test_judgement": m["chia_test"]["per_class"].get("judgement"),
                      "chia_test_macro": m["chia_test"]["macro"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
