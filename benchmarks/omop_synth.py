"""A synthetic OMOP CDM v5.4 warehouse of any size, for benchmarks (never real data).

    python benchmarks/omop_synth.py --persons 100000 --db /tmp/synth-100k.duckdb [--seed 7]
                                    [--from DIR_OF_PATIENT_JSON]

Each person is drawn, with a fixed seed, from the clinical items of template patients (default:
the synthetic dev patients in ../shared/acceptance/dev/patients, built from real trials'
criteria, so the conditions, drugs, procedures and lab values are the kind trials ask about):
a sex, a birth date (ages 1 to 95, most adults), 0-6 conditions, 0-4 therapies, 0-2 procedures
and 0-8 observations picked from the pooled items (and from one item per concept of the curated
lexicon: its name, first code, a value across its plausible range), their dates moved within ten years before the
record date and their values scaled by 0.5-1.5; weight and height for most. Pregnancy, consent and
trial participation have no OMOP table and are left out. The persons go through
``nlp.matching.omop.write_warehouse`` (made-up concept ids from 2,000,000,000, ``Synthetic``
concept class), as ``elig omop write`` writes them; person ``i`` is ``synthetic-i``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEV_PATIENTS = ROOT.parent / "shared" / "acceptance" / "dev" / "patients"
AS_OF = dt.date(2026, 11, 1)


def item_pools(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """The conditions, therapies, procedures and observations of every readable patient file."""
    from nlp.errors import InputError
    from nlp.matching import load_patient

    pools: dict[str, list[dict[str, Any]]] = {"conditions": [], "therapies": [], "procedures": [], "observations": []}
    for f in sorted(directory.glob("*.json")):
        try:
            p = load_patient(f)
        except InputError:
            continue
        for kind, pool in pools.items():
            pool += [x.model_dump(exclude_none=True) for x in getattr(p, kind)]
    if not pools["conditions"]:
        raise SystemExit(f"omop_synth: no patient with conditions in {directory}")
    return pools


def lexicon_items() -> dict[str, list[dict[str, Any]]]:
    """One item per curated lexicon concept of a clinical category (its name and first code;
    a measurement with a unit and plausible range gets a value drawn later), so that the
    warehouse also holds what other trials ask about."""
    from nlp.core.lexicon import load_lexicon

    kinds = {"condition": "conditions", "therapy": "therapies", "procedure": "procedures", "measurement": "observations"}
    pools: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds.values()}
    for e in load_lexicon():
        if e.category not in kinds or (e.category == "measurement" and not (e.unit and e.range)):
            continue
        item: dict[str, Any] = {"name": e.name}
        if e.codes:
            item["code"] = {"system": e.codes[0].system, "code": e.codes[0].code}
        if e.category == "measurement":
            item |= {"unit": e.unit, "range": e.range}
        pools[kinds[e.category]].append(item)
    return pools


def _moved(item: dict[str, Any], rng: random.Random, as_of: dt.date) -> dict[str, Any]:
    """The item with its dates moved together to end within ten years before ``as_of``, and its
    value (and a therapy's dose) scaled."""
    out = dict(item)
    days = [dt.date.fromisoformat(str(out[k])) for k in ("onset", "abatement", "start", "end", "date") if out.get(k)]
    if days:
        shift = (as_of - max(days)).days - rng.randint(0, 3650)
        for k in ("onset", "abatement", "start", "end", "date"):
            if out.get(k):
                out[k] = (dt.date.fromisoformat(str(out[k])) + dt.timedelta(days=shift)).isoformat()
    if "range" in out:  # a lexicon measurement: a value across its plausible range, now and then outside
        lo, hi = out.pop("range")
        out["value"] = round(rng.uniform(lo - 0.2 * (hi - lo), hi + 0.2 * (hi - lo)), 3)
        out["date"] = (as_of - dt.timedelta(days=rng.randint(0, 720))).isoformat()
    elif isinstance(out.get("value"), (int, float)):
        out["value"] = round(out["value"] * rng.uniform(0.5, 1.5), 3)
    return out


def synthetic_persons(n: int, pools: dict[str, list[dict[str, Any]]], seed: int = 7,
                      as_of: dt.date = AS_OF) -> list[Any]:
    """``n`` synthetic patients drawn from ``pools`` (``item_pools``), reproducible by ``seed``."""
    from nlp.matching import Patient

    rng = random.Random(seed)
    pools = {k: v + lexicon_items()[k] for k, v in pools.items()}
    caps = {"conditions": 6, "therapies": 4, "procedures": 2, "observations": 8}
    out = []
    for i in range(n):
        age_days = int(365.25 * (rng.uniform(18, 95) if rng.random() < 0.9 else rng.uniform(1, 18)))
        rec: dict[str, Any] = {"id": f"synthetic-{i + 1}", "as_of": as_of.isoformat(),
                               "sex": rng.choice(("female", "male")),
                               "birth_date": (as_of - dt.timedelta(days=age_days)).isoformat()}
        for kind, cap in caps.items():
            pool = pools[kind]
            k = min(len(pool), rng.randint(0 if kind != "conditions" else 1, cap))
            rec[kind] = [_moved(x, rng, as_of) for x in rng.sample(pool, k)]
        if rng.random() < 0.8:
            rec["weight"] = {"value": round(rng.uniform(40, 130), 1), "unit": "kg"}
            rec["height"] = {"value": round(rng.uniform(145, 200), 1), "unit": "cm"}
        out.append(Patient.model_validate(rec))
    return out


def write(db: Path, n: int, seed: int = 7, source: Path = DEV_PATIENTS) -> tuple[int, float]:
    """Write ``n`` synthetic persons into a new DuckDB file; (persons, seconds)."""
    from nlp.matching.omop import connect, write_warehouse

    if db.exists():
        raise SystemExit(f"omop_synth: {db} already exists")
    t0 = time.perf_counter()
    persons = synthetic_persons(n, item_pools(source), seed)
    con, _ = connect(str(db), write=True)
    try:
        write_warehouse(persons, con)
    finally:
        con.close()
    return n, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--db", type=Path, required=True, help="the DuckDB file to create")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--from", dest="source", type=Path, default=DEV_PATIENTS,
                    help="a directory of patient JSON files whose items are drawn (default: the dev patients)")
    args = ap.parse_args()
    if not args.source.is_dir():
        sys.exit(f"omop_synth: {args.source}: no such directory of patient files")
    n, secs = write(args.db, args.persons, args.seed, args.source)
    print(f"wrote {args.db}: {n} synthetic persons in {secs:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
