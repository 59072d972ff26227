"""How much of a corpus the analyzer can compute: the share of criteria marked not computable
and the top reasons.

    python -m nlp.evaluation.computable ../shared/data/ctgov-msc

Containers (lead-ins and ';'-split items whose sub-criteria carry the constraints) are counted
apart: they are structure, not requirements.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from typing import TypedDict

from nlp.core.document import ParsedTrial


class ComputableStats(TypedDict):
    trials: int
    criteria: int
    containers: int
    not_computable: int
    share_not_computable: float
    reasons: list[tuple[str, int]]  # most common first
    constraint_kinds: list[tuple[str, int]]


def computable_stats(docs: Iterable[ParsedTrial]) -> ComputableStats:
    trials = criteria = containers = not_computable = 0
    reasons: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for doc in docs:
        trials += 1
        for c in doc.criteria:
            if c.reason and c.reason.startswith("container:"):
                containers += 1
                continue
            criteria += 1
            for k in c.constraints:
                kinds[k.kind] += 1
            if not c.computable:
                not_computable += 1
                reasons[c.reason or "?"] += 1
    return {
        "trials": trials, "criteria": criteria, "containers": containers,
        "not_computable": not_computable,
        "share_not_computable": not_computable / criteria if criteria else 0.0,
        "reasons": reasons.most_common(), "constraint_kinds": kinds.most_common(),
    }


def main(argv: list[str] | None = None) -> int:
    from nlp.analyze import parse_record
    from nlp.pipeline import load_pipeline
    from nlp.records import read_path

    args = argv if argv is not None else sys.argv[1:]
    if not args:
        print("usage: python -m nlp.evaluation.computable PATH...", file=sys.stderr)
        return 2
    nlp = load_pipeline()
    docs = (parse_record(r, nlp) for p in args for r in read_path(p) if not hasattr(r, "problem"))
    s = computable_stats(docs)
    print(f"trials {s['trials']}, criteria {s['criteria']} (+{s['containers']} containers), "
          f"not computable {s['not_computable']} = {s['share_not_computable']:.1%}")
    for reason, n in s["reasons"]:
        print(f"  {n:>6}  {reason}")
    print("constraints by kind: " + ", ".join(f"{k} {n}" for k, n in s["constraint_kinds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
