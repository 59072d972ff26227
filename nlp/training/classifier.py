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
from typing import TYPE_CHECKING

from nlp.corpora.chia import CHIA_DIR, ROOT, Mapping
from nlp.corpora.classes import CLASSES, chia_data, gold_data
from nlp.evaluation.classifier import scores

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

SEED = 20261123


def make_model(c: float) -> Pipeline:
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
