"""Throughput of the full parse (split, rules, constraints) with and without the trained models,
in one process, over the ctgov-msc records:

    python benchmarks/model_throughput.py [--data ../shared/data/ctgov-msc] [--limit N]

Configurations: rules only (``elig parse --no-ner``), rules + NER model (``elig parse``, the
default), rules + NER model + classifier (``--classifier``). Criteria counted are the analysed ones (items
and ';' clauses, as in pipeline_throughput.py). Each configuration runs twice over the data;
the second (warm) pass is timed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "ctgov-msc")
    ap.add_argument("--limit", type=int, default=None, help="only the first N trials")
    args = ap.parse_args()
    if not args.data.exists():
        sys.exit(f"benchmark: data not found at {args.data}")
    from nlp.analyze import parse_record
    from nlp.pipeline import load_pipeline
    from nlp.pipeline.annotate import nlp_targets
    from nlp.pipeline.criterion_classifier import load_classifier
    from nlp.records import read_path

    records = [r for r in read_path(args.data) if not hasattr(r, "problem")][: args.limit]
    configs = {  # the pipeline (rules only, or with the NER in front: the default) and keyword arguments
        "rules": (load_pipeline(ner=False), {}),
        "rules+ner": (load_pipeline(), {}),
        "rules+ner+classifier": (load_pipeline(), {"classifier": load_classifier()}),
    }
    print(f"{'configuration':<22} {'trials':>7} {'criteria':>9} {'seconds':>8} {'criteria/s':>11} {'model spans':>12}")
    for name, (nlp, kw) in configs.items():
        for _ in range(2):
            t0 = time.perf_counter()
            n_crit = n_model = 0
            for rec in records:
                doc = parse_record(rec, nlp, **kw)  # type: ignore[arg-type]
                n_crit += len(nlp_targets(doc.criteria))
                n_model += sum(1 for c in doc.criteria for e in c.entities if e.source == "model")
            secs = time.perf_counter() - t0
        print(f"{name:<22} {len(records):>7} {n_crit:>9} {secs:>8.2f} {n_crit / secs:>11.0f} {n_model:>12}")


if __name__ == "__main__":
    main()
