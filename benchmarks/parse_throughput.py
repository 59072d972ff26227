"""End-to-end ``elig parse`` throughput, scaling, cold start, and the medspaCy baseline.

    python benchmarks/parse_throughput.py [--data ../shared/data/ctgov-msc] [--sizes 100,300,all,4x]
                                          [--baseline DIR]

Every row runs the real command line (``elig parse DIR --out TMP``: read, split, tag, build
constraints, write one JSON per trial) in a fresh process, so wall time includes start-up and
peak RSS is the command's own (``ru_maxrss`` of the child). ``4x`` is the whole set repeated four
times (symlinks under other names). Each size runs with ``--jobs 1`` and ``--jobs 2``.
Then: cold start (``elig parse`` of one bundled trial, best and median of 5), and the pipeline
alone against medspaCy's default pipeline over the same criteria texts (the
``pipeline_throughput.py`` configurations). Prints one table; ``--json FILE`` also saves it.

``--baseline DIR`` runs every end-to-end row a second time with the code checked out in DIR (e.g.
``git worktree add /tmp/elig-base <commit>``), right after the current code's run of the same row,
in the same environment: the two columns are measured side by side, under the same machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ELIG = [sys.executable, "-m", "nlp"]


def _timed(cmd: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one command run in a fresh process."""
    code = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "dt = time.perf_counter() - t\n"
        "print(json.dumps([r.returncode, dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))\n"
    )
    # ``python -m nlp`` imports the package from the working directory first: ``cwd`` picks the code
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, cwd=cwd)
    rc, secs, peak = json.loads(out.stdout.strip().splitlines()[-1])
    if rc not in (0, 1):  # 1: some record in the set has no eligibility text (reported, not fatal)
        sys.exit(f"benchmark: {' '.join(cmd)} exited {rc}:\n{out.stderr[-2000:]}")
    return secs, peak


def _make_input(files: list[Path], copies: int, into: Path) -> Path:
    into.mkdir(parents=True)
    for k in range(copies):
        for f in files:
            (into / f"{f.stem}_{k}{f.suffix}").symlink_to(f.resolve())
    return into


def _count(out_dir: Path) -> tuple[int, int]:
    trials = criteria = 0
    for f in out_dir.glob("*.json"):
        trials += 1
        criteria += len(json.loads(f.read_text(encoding="utf-8"))["criteria"])
    return trials, criteria


def end_to_end(data: Path, sizes: list[str], jobs: tuple[int, ...], baseline: Path | None = None) -> list[dict[str, object]]:
    files = sorted(data.glob("*.json"))
    rows = []
    with tempfile.TemporaryDirectory(prefix="elig-bench-") as tmp:
        for size in sizes:
            if size.endswith("x"):
                sel, copies = files, int(size[:-1])
            else:
                sel, copies = (files if size == "all" else files[: int(size)]), 1
            src = _make_input(sel, copies, Path(tmp) / f"in-{size}")
            for j in jobs:
                out = Path(tmp) / f"out-{size}-{j}"
                secs, peak = _timed([*ELIG, "parse", str(src), "--out", str(out), "--jobs", str(j)])
                trials, criteria = _count(out)
                row: dict[str, object] = {"input": size, "jobs": j, "trials": trials, "criteria": criteria,
                                          "seconds": secs, "criteria_per_s": criteria / secs,
                                          "trials_per_s": trials / secs, "peak_rss_mb": peak}
                shutil.rmtree(out)
                if baseline is not None:
                    b_secs, b_peak = _timed([*ELIG, "parse", str(src), "--out", str(out), "--jobs", str(j)], cwd=baseline)
                    b_trials, b_criteria = _count(out)
                    row.update(baseline_seconds=b_secs, baseline_criteria_per_s=b_criteria / b_secs,
                               baseline_peak_rss_mb=b_peak, baseline_trials=b_trials)
                    shutil.rmtree(out)
                rows.append(row)
    return rows


def cold_start(runs: int = 5) -> dict[str, float]:
    example = ROOT / "examples" / "NCT05697718.txt"
    times = [_timed([*ELIG, "parse", str(example)])[0] for _ in range(runs)]
    return {"best_s": min(times), "median_s": statistics.median(times)}


def pipeline_vs_medspacy(data: Path) -> dict[str, dict[str, float]]:
    rows = {}
    script = ROOT / "benchmarks" / "pipeline_throughput.py"
    for config in ("ours", "ours-rules", "medspacy-default"):
        out = subprocess.run([sys.executable, str(script), "--config", config, "--data", str(data)],
                             capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "PYTHONWARNINGS": "ignore"})
        if out.returncode != 0:
            sys.exit(f"benchmark: {config} failed:\n{out.stderr[-2000:]}")
        rows[config] = json.loads(out.stdout.strip().splitlines()[-1])
    return rows


def _fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least-squares slope and intercept of seconds against criteria."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points) or 1.0
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    return slope, my - slope * mx


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "ctgov-msc")
    ap.add_argument("--sizes", default="100,300,all,4x")
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--baseline", type=Path, help="a checkout of the code to compare with, run side by side")
    args = ap.parse_args()
    if not args.data.is_dir():
        sys.exit(f"benchmark: data not found at {args.data}")
    t0 = time.perf_counter()
    if args.baseline is not None and not (args.baseline / "nlp" / "__init__.py").is_file():
        sys.exit(f"benchmark: {args.baseline} is not a checkout of this project")
    rows = end_to_end(args.data, args.sizes.split(","), tuple(int(j) for j in args.jobs.split(",")), args.baseline)
    cold = cold_start()
    base = pipeline_vs_medspacy(args.data)
    med = base["medspacy-default"]["per_s"]

    print(f"{'input':>6} {'jobs':>4} {'trials':>7} {'criteria':>9} {'seconds':>8} {'crit/s':>7} "
          f"{'trials/s':>8} {'x medspaCy':>10} {'peak RSS MB':>11}")
    for r in rows:
        print(f"{r['input']:>6} {r['jobs']:>4} {r['trials']:>7} {r['criteria']:>9} {r['seconds']:>8.2f} "
              f"{r['criteria_per_s']:>7.0f} {r['trials_per_s']:>8.1f} {r['criteria_per_s'] / med:>10.2f} "
              f"{r['peak_rss_mb']:>11.0f}")
    for j in sorted({r["jobs"] for r in rows}):
        pts = [(r["criteria"], r["seconds"]) for r in rows if r["jobs"] == j]
        if len(pts) >= 2:
            slope, icpt = _fit(pts)
            worst = max(abs(sec - (icpt + slope * n)) / sec for n, sec in pts)
            print(f"jobs {j}: seconds = {icpt:.2f} + criteria / {1 / slope:.0f}  (least squares; "
                  f"largest residual {worst:.0%}: linear growth, start-up {icpt:.2f} s)")
    if args.baseline is not None:
        print(f"\nside by side with the baseline ({args.baseline}), each row run right after the current code's:")
        print(f"{'input':>6} {'jobs':>4} {'crit/s now':>10} {'crit/s base':>11} {'ratio':>6} {'RSS now':>8} {'RSS base':>9}")
        for r in rows:
            print(f"{r['input']:>6} {r['jobs']:>4} {r['criteria_per_s']:>10.0f} {r['baseline_criteria_per_s']:>11.0f} "
                  f"{r['criteria_per_s'] / r['baseline_criteria_per_s']:>6.2f} {r['peak_rss_mb']:>8.0f} "
                  f"{r['baseline_peak_rss_mb']:>9.0f}")
    print("\npipeline only (tag criteria texts, no reading/constraints/writing), one process:")
    for name, label in (("ours", "ours (NER+rules)"), ("ours-rules", "ours, rules only")):
        ours = base[name]
        print(f"  {label:<17}{ours['criteria']:>6} criteria  {ours['per_s']:>6.0f}/s  "
              f"{ours['per_s'] / med:5.2f}x  peak {ours['peak_mb']:.0f} MB")
    print(f"  medspaCy default {base['medspacy-default']['criteria']:>6} criteria  {med:>6.0f}/s  "
          f" 1.00x  peak {base['medspacy-default']['peak_mb']:.0f} MB")
    print(f"\ncold start (elig parse one trial, fresh process): best {cold['best_s']:.2f} s, "
          f"median {cold['median_s']:.2f} s")
    biggest = max((r for r in rows if r["jobs"] == 1), key=lambda r: r["criteria"])
    hours = 8_000_000 / biggest["criteria_per_s"] / 3600
    print(f"projection: 8 million criteria (the public registry) at {biggest['criteria_per_s']:.0f}/s "
          f"(--jobs 1, input {biggest['input']}) = {hours:.2f} h in one process")
    load = os.getloadavg()
    print(f"(machine load average during the run: {load[0]:.2f}; total {time.perf_counter() - t0:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps({"end_to_end": rows, "cold_start": cold, "pipeline": base}, indent=1))


if __name__ == "__main__":
    main()
