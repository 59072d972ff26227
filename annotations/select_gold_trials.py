"""Choose the ctgov-msc trials for hand annotation (run once; the result is gold/trials.json).

Seeded, stratified by what the eligibility text mentions (regexes on the raw text, not the
pipeline, so the choice does not favour what the rules already find): each trial must have
8-30 criteria lines and at least two of labs / infections / prior therapies / time windows.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MSC = ROOT.parent / "shared" / "data" / "ctgov-msc"
SEED = 20261122
N_TRIALS, N_TEST = 44, 12

THEMES = {
    "labs": re.compile(r"\b(ULN|creatinine|bilirubin|ALT|AST|platelet|hemoglobin|neutrophil|eGFR|INR)\b", re.I),
    "infections": re.compile(r"\b(HIV|hepatitis|HBV|HCV|syphilis|tuberculosis|infection)\b", re.I),
    "therapies": re.compile(r"\b(stem cell|chemotherap|immunosuppress|steroid|transplant|radiotherap)\w*", re.I),
    "windows": re.compile(r"\bwithin \d+|\b\d+\s*(days|weeks|months)\b", re.I),
}


def main() -> None:
    rng = random.Random(SEED)
    pool = []
    for path in sorted(MSC.glob("NCT*.json")):
        study = json.loads(path.read_text(encoding="utf-8"))
        text = study.get("protocolSection", {}).get("eligibilityModule", {}).get("eligibilityCriteria", "")
        lines = [ln for ln in text.splitlines() if ln.strip()]
        themes = [k for k, rx in THEMES.items() if rx.search(text)]
        if 8 <= len(lines) <= 30 and len(themes) >= 2:
            pool.append(path.stem)
    chosen = sorted(rng.sample(pool, N_TRIALS))
    test = sorted(rng.sample(chosen, N_TEST))
    out = {"seed": SEED, "pool_size": len(pool), "train": [t for t in chosen if t not in test], "test": test}
    (ROOT / "annotations" / "gold" / "trials.json").write_text(json.dumps(out, indent=1) + "\n")
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
