"""``elig rank`` at registry scale, run as a user runs it (a fresh process, load included), side by
side with an older checkout of the code.

    python benchmarks/rank_scale.py --baseline /tmp/elig-base [--parsed DIR | --data DIR]
                                    [--sizes 250,500,all] [--patients 1000] [--repeat 5] [--json FILE]

Set-up: the trials of ``--data`` are parsed once with the current code (``elig parse -j 2``; or
``--parsed`` names a directory of ``elig parse`` outputs), then each code indexes the first 250,
500 and all of them into its own store with its own ``elig index`` (timed). Synthetic patients
(``matching_scale.synthetic_patients``, fixed seed) are written one JSON file each.

Rows:
- ``start-up``: ``elig version`` (imports, no work): the floor of any command;
- ``load all trials``: one process reads every stored trial, as a library caller ranking many
  patients does (imports included): ``TrialStore.match_forms()`` against the baseline's own
  (``list(TrialStore.trials())`` where it has none), timed inside the process;
- ``1 patient``: ``elig rank examples/patient.json --db STORE`` (the ranking printed) per store
  size; ``--repeat`` runs of each code, alternating, best and median wall time, peak RSS; then
  with ``-o`` (every full report written; half as many runs), whose two codes' reports are
  compared (they must be identical);
- ``N patients``: the current code's ``elig rank DIR --db STORE --jobs 1`` and ``--jobs 2`` (``-o``
  written), once each, against the baseline's own ``elig rank DIR --jobs 1`` where it has one
  (``nlp/matching/batch.py``), else its library loop (one process loads the store with
  ``TrialStore.trials()``, builds one ``Matcher`` and calls ``rank`` per patient, as
  ``matching_scale.py`` does); the three rankings are compared (trial, overall, failing criteria,
  number of open items per patient-trial).

Every child runs with a bytecode cache (``PYTHONPYCACHEPREFIX`` in a temporary folder, after a
warm-up run), as an installed package would; peak RSS is that of the largest process (a worker
included), with the 1-minute load average when the row ended. Prints one table; ``--json FILE`` also saves the rows.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

# The baseline's multi-patient path: what a caller of the old code does for many patients.
BASELINE_LOOP = """
import json, sys
from nlp.matching import Matcher, load_patient, rank
from nlp.matching.store import TrialStore
db, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
with TrialStore(db) as store:
    trials = list(store.trials())
matcher = Matcher()
with open(out, "w", encoding="utf-8") as fh:
    fh.write("[")
    for i, f in enumerate(files):
        p = load_patient(f)
        ranking = [{"trial": r.trial, "overall": r.overall, "failing": list(r.failing), "missing": len(r.missing)}
                   for r in rank(matcher, p, trials)]
        fh.write(("\\n" if i == 0 else ",\\n") + json.dumps({"file": f, "patient": p.id, "ranking": ranking}))
    fh.write("\\n]\\n")
"""


# Loading every stored trial in one process, as a library caller does before ranking many patients:
# the current code's match forms, the baseline's documents.
LOAD_NEW = """
import sys, time
t = time.perf_counter()
from nlp.matching.store import TrialStore
with TrialStore(sys.argv[1], read_only=True) as store:
    trials = store.match_forms()
print(time.perf_counter() - t, len(trials))
"""
LOAD_BASELINE = """
import sys, time
t = time.perf_counter()
from nlp.matching.store import TrialStore
with TrialStore(sys.argv[1]) as store:  # its match forms where it has them, else its documents
    trials = store.match_forms() if hasattr(store, "match_forms") else list(store.trials())
print(time.perf_counter() - t, len(trials))
"""


class Runner:
    """Runs commands in fresh processes against one checkout of the code."""

    def __init__(self, tree: Path, pycache: Path) -> None:
        self.tree = tree
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env.update(PYTHONPATH=str(tree), PYTHONPYCACHEPREFIX=str(pycache))

    def timed(self, args: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
        """(wall seconds, peak RSS MB of the largest process) of ``python ARGS`` in ``tree``."""
        code = (
            "import json, resource, subprocess, sys, time\n"
            "t = time.perf_counter()\n"
            "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
            "dt = time.perf_counter() - t\n"
            "print(json.dumps([r.returncode, dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, r.stderr[-2000:]]))\n"
        )
        out = subprocess.run([sys.executable, "-c", code, sys.executable, *args], capture_output=True, text=True,
                             cwd=self.tree, env=self.env)
        rc, secs, peak, err = json.loads(out.stdout.strip().splitlines()[-1])
        if rc not in ok:
            sys.exit(f"benchmark: {self.tree}: {' '.join(args[:6])} ... exited {rc}:\n{err}")
        return secs, peak

    def elig(self, *args: str, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
        return self.timed(["-m", "nlp", *args], ok)

    def seconds_printed(self, code: str, *args: str) -> float:
        """The seconds a snippet prints as the first word of its output (its own timing)."""
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=self.tree,
                             env=self.env, check=True)
        return float(out.stdout.strip().splitlines()[-1].split()[0])  # its last line (a library may print before)


def _summary(path: Path) -> list[dict[str, object]]:
    return json.loads(path.read_text(encoding="utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=Path, required=True, help="a checkout of the code to compare with")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "ctgov-msc")
    ap.add_argument("--parsed", type=Path, help="`elig parse` outputs of --data (else parsed here)")
    ap.add_argument("--sizes", default="250,500,all")
    ap.add_argument("--patients", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not (args.baseline / "nlp" / "__init__.py").is_file():
        sys.exit(f"benchmark: {args.baseline} is not a checkout of this project")
    from matching_scale import synthetic_patients

    rows: list[dict[str, object]] = []

    def row(**kw: object) -> None:
        kw["load_1min"] = os.getloadavg()[0]  # other work on the machine, when the row ended
        rows.append(kw)
        print(json.dumps(kw), file=sys.stderr, flush=True)  # progress: the table comes at the end

    with tempfile.TemporaryDirectory(prefix="elig-rank-bench-") as tmp_name:
        tmp = Path(tmp_name)
        new, base = Runner(ROOT, tmp / "pyc-new"), Runner(args.baseline, tmp / "pyc-base")
        parsed = args.parsed
        if parsed is None:
            if not args.data.exists():
                sys.exit(f"benchmark: data not found at {args.data}")
            parsed = tmp / "parsed"
            secs, _ = new.elig("parse", str(args.data), "--out", str(parsed), "--jobs", "2", ok=(0, 1))
            print(f"parsed {args.data} in {secs:.0f} s", file=sys.stderr)
        files = sorted(parsed.glob("*.json"))
        patients_dir = tmp / "patients"
        patients_dir.mkdir()
        people = synthetic_patients(args.patients)
        for p in people:
            (patients_dir / f"{p.id}.json").write_text(p.model_dump_json(), encoding="utf-8")
        patient_files = sorted(patients_dir.glob("*.json"))
        example = str(ROOT / "examples" / "patient.json")

        for r in (new, base):  # warm-up: bytecode caches, page cache
            r.elig("version")
        for who, r in (("new", new), ("baseline", base)):
            runs = [r.elig("version") for _ in range(3)]
            row(run="start-up (elig version)", code=who, trials=0, patients=0, jobs=1, seconds=min(t for t, _ in runs),
                peak_rss_mb=max(m for _, m in runs))

        stores: dict[tuple[str, int], Path] = {}
        for size in args.sizes.split(","):
            sel = files if size == "all" else files[: int(size)]
            for who, r in (("new", new), ("baseline", base)):
                db = tmp / f"{who}-{len(sel)}.duckdb"
                secs, peak = r.elig("index", *map(str, sel), "--db", str(db))
                stores[who, len(sel)] = db
                row(run="elig index", code=who, trials=len(sel), patients=0, jobs=1, seconds=secs, peak_rss_mb=peak,
                    store_mb=db.stat().st_size / 1e6)
            times: dict[str, list[float]] = {"new": [], "baseline": []}
            full: dict[str, list[float]] = {"new": [], "baseline": []}
            peaks: dict[str, float] = {"new": 0.0, "baseline": 0.0}
            outs = {who: tmp / f"one-{who}-{len(sel)}.json" for who in times}
            for _ in range(args.repeat):  # alternating, so both see the same machine load
                for who, r in (("new", new), ("baseline", base)):
                    secs, peak = r.elig("rank", example, "--db", str(stores[who, len(sel)]))  # the ranking a user reads
                    times[who].append(secs)
                    peaks[who] = max(peaks[who], peak)
            for _ in range(max(1, args.repeat // 2)):  # with -o: every full report, compared below
                for who, r in (("new", new), ("baseline", base)):
                    full[who].append(r.elig("rank", example, "--db", str(stores[who, len(sel)]), "-o", str(outs[who]))[0])
            same = _summary(outs["new"]) == _summary(outs["baseline"])
            loads: dict[str, list[float]] = {"new": [], "baseline": []}
            for _ in range(args.repeat):
                for who, r, code in (("new", new, LOAD_NEW), ("baseline", base, LOAD_BASELINE)):
                    loads[who].append(r.seconds_printed(code, str(stores[who, len(sel)])))
            for who in loads:
                row(run="load all trials (library, in-process)", code=who, trials=len(sel), patients=0, jobs=1,
                    seconds=min(loads[who]), median_s=statistics.median(loads[who]), peak_rss_mb=0.0)
            for who in times:
                row(run="rank 1 patient", code=who, trials=len(sel), patients=1, jobs=1, seconds=min(times[who]),
                    median_s=statistics.median(times[who]), peak_rss_mb=peaks[who], same_as_baseline=same)
                row(run="rank 1 patient -o (all full reports)", code=who, trials=len(sel), patients=1, jobs=1,
                    seconds=min(full[who]), median_s=statistics.median(full[who]), peak_rss_mb=0.0, same_as_baseline=same)

        n_all = len(files)
        db_new, db_base = stores.get(("new", n_all)), stores.get(("baseline", n_all))
        if db_new is not None and db_base is not None and args.patients:
            outs = {}
            for jobs in (1, 2):
                outs[jobs] = tmp / f"many-new-{jobs}.json"
                secs, peak = new.elig("rank", str(patients_dir), "--db", str(db_new), "--jobs", str(jobs), "--top", "3",
                                      "-o", str(outs[jobs]))
                row(run=f"rank {args.patients} patients", code="new", trials=n_all, patients=args.patients, jobs=jobs,
                    seconds=secs, peak_rss_mb=peak, output_mb=outs[jobs].stat().st_size / 1e6)
            out_base = tmp / "many-base.json"
            if (args.baseline / "nlp" / "matching" / "batch.py").is_file():  # the baseline ranks many patients itself
                secs, peak = base.elig("rank", str(patients_dir), "--db", str(db_base), "--jobs", "1", "--top", "3",
                                       "-o", str(out_base))
                what = f"rank {args.patients} patients"
            else:
                secs, peak = base.timed(["-c", BASELINE_LOOP, str(db_base), str(out_base), *map(str, patient_files)])
                what = f"rank {args.patients} patients (library loop)"
            summaries = [_summary(outs[1]), _summary(outs[2]), _summary(out_base)]
            same = summaries[0] == summaries[1] == summaries[2]
            row(run=what, code="baseline", trials=n_all, patients=args.patients,
                jobs=1, seconds=secs, peak_rss_mb=peak, same_as_baseline=same)
            for r in rows:
                if r["run"] == f"rank {args.patients} patients":
                    r["same_as_baseline"] = same

    print(f"\n{'run':<38} {'code':<9} {'trials':>6} {'jobs':>4} {'seconds':>8} {'median':>7} {'peak MB':>8} {'load':>5}  notes")
    for r in rows:
        notes = []
        if "store_mb" in r:
            notes.append(f"store {r['store_mb']:.1f} MB")
        if "output_mb" in r:
            notes.append(f"-o {r['output_mb']:.0f} MB")
        if "same_as_baseline" in r:
            notes.append("same results as baseline" if r["same_as_baseline"] else "RESULTS DIFFER FROM BASELINE")
        med = f"{r['median_s']:.2f}" if "median_s" in r else ""
        print(f"{r['run']:<38} {r['code']:<9} {r['trials']:>6} {r['jobs']:>4} {r['seconds']:>8.2f} {med:>7} "
              f"{r['peak_rss_mb']:>8.0f} {r['load_1min']:>5.2f}  {'; '.join(notes)}")
    print("load: the 1-minute load average when the row ended (2 cores; other work on the machine shows here)")
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
