"""Matching at registry scale: one patient against every stored trial, many synthetic patients,
and how time grows with trials x patients. Prints one table.

    python benchmarks/matching_scale.py [--data ../shared/data/ctgov-msc] [--patients 1000]

Synthetic patients are drawn with a fixed seed (ages, sex, a stroke / MS / osteoarthritis
diagnosis, ALT with a reference range, sometimes HIV, pregnancy or a past MSC infusion).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def synthetic_patients(n: int, seed: int = 13):  # type: ignore[no-untyped-def]
    from nlp.matching import Patient

    rng = random.Random(seed)
    out = []
    for i in range(n):
        conds = [{"name": rng.choice(["ischemic stroke", "multiple sclerosis", "knee osteoarthritis", "liver cirrhosis"]),
                  "onset": "2025-06-01", "status": "active"}]
        if rng.random() < 0.05:
            conds.append({"name": "HIV infection", "status": "active"})
        therapies = [{"name": "mesenchymal stem cells", "start": "2024-01-01", "end": "2024-01-01"}] if rng.random() < 0.1 else []
        out.append(Patient.model_validate({
            "id": f"s{i}", "as_of": "2026-11-01", "age": rng.randint(1, 90), "sex": rng.choice(["female", "male"]),
            "conditions": conds, "therapies": therapies,
            "observations": [{"name": "ALT", "value": rng.uniform(10, 200), "unit": "U/L", "reference_range": {"high": 40}, "date": "2026-10-01"}],
            "pregnant": rng.random() < 0.03, "lactating": False, "trial_participation": [], "consent": True,
        }))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "ctgov-msc")
    ap.add_argument("--patients", type=int, default=1000)
    args = ap.parse_args()
    if not args.data.exists():
        sys.exit(f"benchmark: data not found at {args.data}")
    from nlp.analyze import parse_record
    from nlp.matching import Matcher, rank
    from nlp.matching.store import TrialStore
    from nlp.pipeline import load_pipeline
    from nlp.records import read_path

    nlp = load_pipeline()
    t0 = time.perf_counter()
    docs = [parse_record(r, nlp) for r in read_path(args.data) if not hasattr(r, "problem")]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "t.duckdb"
        with TrialStore(db) as store:
            store.put(docs)
        index_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with TrialStore(db) as store:
            trials = list(store.trials())
        load_s = time.perf_counter() - t0
    matcher = Matcher()
    patients = synthetic_patients(args.patients)
    rank(matcher, patients[0], trials[:5])  # warm the concept cache for the patient vocabulary
    rows = []
    t0 = time.perf_counter()
    rank(matcher, patients[1], trials)
    one_s = time.perf_counter() - t0
    rows.append(("1 patient x all trials (rank)", 1, len(trials), one_s))
    for n_trials, n_pat in ((100, 100), (300, 100), (len(trials), 100), (len(trials), args.patients)):
        t0 = time.perf_counter()
        for p in patients[:n_pat]:
            for t in trials[:n_trials]:
                matcher.match(t, p)
        rows.append((f"{n_pat} patients x {n_trials} trials", n_pat, n_trials, time.perf_counter() - t0))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"index {len(docs)} trials (parse + store): {index_s:.1f} s; load all from DuckDB: {load_s:.2f} s; peak RSS {peak:.0f} MB")
    print(f"{'run':<34} {'patients':>8} {'trials':>7} {'seconds':>8} {'matches/s':>10} {'us/match':>9}")
    for name, p, t, s in rows:
        print(f"{name:<34} {p:>8} {t:>7} {s:>8.2f} {p * t / s:>10.0f} {s / (p * t) * 1e6:>9.1f}")


if __name__ == "__main__":
    main()
