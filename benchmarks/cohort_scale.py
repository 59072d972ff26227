"""``elig cohort`` at warehouse scale: every stored trial's cohort SQL over synthetic OMOP
warehouses of growing size, side by side with ``elig rank`` in Python on a sample of the same
persons, in one run.

    python benchmarks/cohort_scale.py --store STORE [--sizes 10000,100000] [--sample 100]
                                      [--workdir DIR] [--json FILE]

``STORE``: an ``elig index`` store (e.g. of the 1,099 ctgov-msc trials). Per size, a warehouse
of that many synthetic persons (``omop_synth.py``, seed 7; kept in ``--workdir`` and reused) is
opened read-only in DuckDB and:

- ``cohort SQL``: ``Cohort.prepare`` (the temporary tables and concept map), then each trial's
  query run and its rows fetched (``nlp.matching.cohort.verdicts``, what ``elig cohort`` does
  before writing): seconds per trial (mean, median, 95th percentile, max) and in total, persons x
  trials per second;
- ``rank in Python``: the first ``--sample`` persons read back (``read_patient``) and ranked
  against every trial (``rank_patients``, one process, as ``elig rank --omop`` does per person):
  seconds per person, and that rate carried to every person of the warehouse (an estimate, marked
  so); the sample's verdicts are compared with the SQL's (they must be equal).

Peak RSS is the process's (DuckDB runs in it). Prints one table; ``--json FILE`` saves the rows.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(db: Path, trials: list[Any], sample: int) -> dict[str, Any]:
    import duckdb

    from nlp.matching import Matcher
    from nlp.matching.batch import rank_patients
    from nlp.matching.cohort import Cohort, verdicts
    from nlp.matching.omop import read_patient

    con = duckdb.connect(str(db), read_only=True)
    persons = con.execute("SELECT count(*) FROM person").fetchone()[0]
    matcher = Matcher()
    cohort = Cohort(matcher)
    t0 = time.perf_counter()
    cohort.prepare(con)
    prepare_s = time.perf_counter() - t0
    per_trial, counts, sql_sample = [], {"eligible": 0, "ineligible": 0, "needs_review": 0}, {}
    t0 = time.perf_counter()
    for t in trials:
        t1 = time.perf_counter()
        rows = verdicts(con, cohort, t)
        per_trial.append(time.perf_counter() - t1)
        for r in rows:
            counts[r.verdict] += 1
            if r.person_id <= sample:
                sql_sample[(t.record.nct_id, r.person_id)] = (r.verdict, r.deciding if r.verdict == "ineligible" else ())
    sql_s = time.perf_counter() - t0
    per_trial.sort()
    # the same persons, one at a time in Python
    t0 = time.perf_counter()
    people = [read_patient(con, pid) for pid in range(1, sample + 1)]
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    mismatches = 0
    for pid, ranking in enumerate(rank_patients(trials, people, 1, Matcher()), start=1):
        for e in ranking:
            if sql_sample[(e.trial, pid)] != (e.overall, e.failing if e.overall == "ineligible" else ()):
                mismatches += 1
    rank_s = time.perf_counter() - t0
    con.close()
    per_person = (read_s + rank_s) / sample
    return {
        "persons": persons, "trials": len(trials), "prepare_s": round(prepare_s, 2), "sql_s": round(sql_s, 1),
        "per_trial_mean_s": round(sql_s / len(trials), 3), "per_trial_median_s": round(statistics.median(per_trial), 3),
        "per_trial_p95_s": round(per_trial[int(0.95 * (len(per_trial) - 1))], 3), "per_trial_max_s": round(per_trial[-1], 3),
        "pairs_per_s_sql": round(persons * len(trials) / (prepare_s + sql_s)), "verdicts": counts,
        "sample": sample, "read_s": round(read_s, 2), "rank_s": round(rank_s, 1),
        "python_per_person_s": round(per_person, 3), "python_all_persons_est_s": round(per_person * persons),
        "pairs_per_s_python": round(len(trials) / per_person), "sample_mismatches": mismatches,
        "peak_rss_mb": round(_rss_mb()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True, help="an elig index store of the trials")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--sample", type=int, default=100, help="persons ranked in Python per size")
    ap.add_argument("--workdir", type=Path, help="where the warehouses are kept (default: a temporary folder)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not args.store.exists():
        sys.exit(f"benchmark: no such store {args.store}")
    import omop_synth

    from nlp.matching.store import TrialStore

    with TrialStore(args.store, read_only=True) as store:
        trials = list(store.trials())
    tmp = tempfile.TemporaryDirectory() if args.workdir is None else None
    work = args.workdir or Path(tmp.name)  # type: ignore[union-attr]
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        db = work / f"synthetic-omop-{n}.duckdb"
        made = None
        if not db.exists():
            made = round(omop_synth.write(db, n)[1], 1)
        row = bench(db, trials, min(args.sample, n))
        row["generate_s"] = made
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    cols = ("persons", "trials", "generate_s", "prepare_s", "sql_s", "per_trial_mean_s", "per_trial_median_s",
            "per_trial_p95_s", "per_trial_max_s", "pairs_per_s_sql", "python_per_person_s", "python_all_persons_est_s",
            "pairs_per_s_python", "sample_mismatches", "peak_rss_mb")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(str(r[c]) for c in cols) + " |")
    for r in rows:
        print(f"{r['persons']} persons: verdicts {r['verdicts']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
