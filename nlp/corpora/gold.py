"""Our own gold annotations of ctgov-msc trials (``annotations/gold/msc_gold_*.jsonl``).

One JSON line per trial: ``{"trial_id", "split", "text_sha1", "annotator", "spans": [{"start",
"end", "label", "text", "concept_id"}], "notes"}`` with offsets into the trial's
``protocolSection.eligibilityModule.eligibilityCriteria``. Every file matching the glob is read;
each line is checked (the text's SHA-1 and every span's text must match the record) and
problems are collected, not raised, so a partly written file still yields its good trials.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from nlp.corpora.chia import ROOT, SHARED

GOLD_DIR = ROOT / "annotations" / "gold"
MSC_DIR = SHARED / "data" / "ctgov-msc"


@dataclass(frozen=True)
class GoldSpan:
    start: int
    end: int
    label: str
    text: str
    concept_id: str | None = None


@dataclass
class GoldTrial:
    trial_id: str
    split: str
    text: str
    spans: list[GoldSpan]
    annotator: str = ""
    source: str = ""


@dataclass
class GoldSet:
    trials: list[GoldTrial] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def split(self, name: str) -> list[GoldTrial]:
        return [t for t in self.trials if t.split == name]


def eligibility_text(trial_id: str, msc_dir: Path = MSC_DIR) -> str:
    path = msc_dir / f"{trial_id}.json"
    study = json.loads(path.read_text(encoding="utf-8"))
    return study.get("protocolSection", {}).get("eligibilityModule", {}).get("eligibilityCriteria", "") or ""


def load_gold(gold_dir: Path = GOLD_DIR, msc_dir: Path = MSC_DIR, pattern: str = "msc_gold_*.jsonl") -> GoldSet:
    """Every trial in every matching file that checks out; the rest become ``problems``.
    A trial annotated in two files keeps its first occurrence (files in name order)."""
    out = GoldSet()
    seen: set[str] = set()
    for path in sorted(gold_dir.glob(pattern)):
        out.files.append(str(path))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                item = json.loads(line)
                tid = item["trial_id"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                out.problems.append(f"{where}: not a gold line ({type(exc).__name__})")
                continue
            if tid in seen:
                out.problems.append(f"{where}: {tid} already annotated in an earlier line or file; kept the first")
                continue
            try:
                text = eligibility_text(tid, msc_dir)
            except (OSError, json.JSONDecodeError):
                out.problems.append(f"{where}: {tid}: record not found in {msc_dir}")
                continue
            sha = hashlib.sha1(text.encode("utf-8")).hexdigest()
            if item.get("text_sha1") and item["text_sha1"] != sha:
                out.problems.append(f"{where}: {tid}: text_sha1 does not match the record's eligibility text")
                continue
            spans = []
            for s in item.get("spans") or []:
                try:
                    start, end, label = int(s["start"]), int(s["end"]), str(s["label"])
                except (KeyError, TypeError, ValueError):
                    out.problems.append(f"{where}: {tid}: span without start/end/label: {s!r}")
                    continue
                if not (0 <= start < end <= len(text)) or (s.get("text") is not None and text[start:end] != s["text"]):
                    out.problems.append(f"{where}: {tid}: span {start}-{end} {label} text {s.get('text')!r} "
                                        f"does not match the record ({text[start:end]!r})")
                    continue
                spans.append(GoldSpan(start, end, label, text[start:end], s.get("concept_id")))
            seen.add(tid)
            out.trials.append(GoldTrial(tid, str(item.get("split", "")), text,
                                        sorted(spans, key=lambda x: (x.start, x.end)),
                                        str(item.get("annotator", "")), where))
    return out
