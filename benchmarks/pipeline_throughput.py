"""Pipeline throughput over the ctgov-msc criteria: our pipeline (the default: the trained NER in
front of the rules; ``ours-rules``: without it) vs medspaCy's default.

    python benchmarks/pipeline_throughput.py [--data ../shared/data/ctgov-msc] [--repeat 1]

Each configuration runs in its own process (so peak RSS is its own) over the same criteria
texts (the analysed criteria of every record: items and ';' clauses). Prints one table.
The baseline is what a user would pick instead: ``medspacy.load()`` (PyRuSH sentence splitter,
TargetMatcher with our lexicon as target rules, ConText with medspaCy's default rules).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def criteria_texts(data: Path, limit: int | None = None) -> list[str]:
    from nlp.criteria import split_criteria
    from nlp.pipeline.annotate import nlp_targets
    from nlp.records import read_path

    texts: list[str] = []
    for n, rec in enumerate(r for r in read_path(data) if not hasattr(r, "problem")):
        if limit is not None and n >= limit:
            break
        texts.extend(c.text for c in nlp_targets(split_criteria(rec.eligibility_text).criteria))
    return texts


def _ours(ner: bool = True):  # type: ignore[no-untyped-def]
    from nlp.pipeline import load_pipeline

    return load_pipeline(ner=ner)


def _medspacy_default():  # type: ignore[no-untyped-def]
    import logging

    from loguru import logger

    logger.remove()  # PyRuSH logs every document otherwise
    logging.disable(logging.WARNING)
    import medspacy
    from medspacy.target_matcher import TargetRule

    from nlp.core.lexicon import load_lexicon

    nlp = medspacy.load()
    matcher = nlp.get_pipe("medspacy_target_matcher")
    rules = []
    for e in load_lexicon():
        for term in (*e.synonyms, *e.abbreviations):
            rules.append(TargetRule(term, e.label))
    matcher.add(rules)
    return nlp


def run_one(config: str, data: Path, repeat: int, limit: int | None) -> dict[str, float]:
    texts = criteria_texts(data, limit) * repeat
    t0 = time.perf_counter()
    nlp = _ours(ner=config != "ours-rules") if config.startswith("ours") else _medspacy_default()
    load_s = time.perf_counter() - t0
    n_process = 2 if config == "ours-2proc" else 1
    if config == "ours-2proc":
        nlp = _ours()
    t0 = time.perf_counter()
    n_ents = 0
    for doc in nlp.pipe(texts, batch_size=256, n_process=n_process):
        n_ents += len(doc.ents)
    secs = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"criteria": len(texts), "seconds": secs, "per_s": len(texts) / secs, "load_s": load_s,
            "peak_mb": peak_mb, "entities": n_ents}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "ctgov-msc")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None, help="only the first N trials")
    ap.add_argument("--config", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.data.exists():
        sys.exit(f"benchmark: data not found at {args.data}")
    if args.config:
        print(json.dumps(run_one(args.config, args.data, args.repeat, args.limit)))
        return
    rows = {}
    for config in ("ours", "ours-rules", "ours-2proc", "medspacy-default"):
        cmd = [sys.executable, __file__, "--config", config, "--data", str(args.data), "--repeat", str(args.repeat)]
        if args.limit:
            cmd += ["--limit", str(args.limit)]
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        if out.returncode != 0:
            sys.exit(f"benchmark: {config} failed:\n{out.stderr[-2000:]}")
        rows[config] = json.loads(out.stdout.strip().splitlines()[-1])
    base = rows["medspacy-default"]["per_s"]
    print(f"{'pipeline':<18} {'criteria':>9} {'seconds':>8} {'criteria/s':>11} {'x medspaCy':>10} {'load s':>7} {'peak RSS MB':>12} {'entities':>9}")
    for name, r in rows.items():
        print(f"{name:<18} {r['criteria']:>9} {r['seconds']:>8.2f} {r['per_s']:>11.0f} {r['per_s'] / base:>10.2f} {r['load_s']:>7.2f} {r['peak_mb']:>12.0f} {r['entities']:>9}")


if __name__ == "__main__":
    main()
