"""Read the Chia brat corpus (Kury et al., Scientific Data 7, 281 (2020), CC BY 4.0) into
criteria with spans in our labels, following ``annotations/chia_mapping.json``.

One Chia document (``NCT..._inc.txt`` / ``_exc.txt``) holds one criterion per line; each line
becomes one example (like one criterion Doc in the rule pipeline). Conversion rules:

- a discontinuous span (``Condition 10 20;30 40``) becomes its covering span (10-40): Chia
  uses them for "greater than ... 10 g/dL" and "breast ... cancer" where the covering text is
  the phrase we want;
- a span whose text does not equal the document text at its offsets is skipped and counted
  (``misaligned``), as is a span crossing a line break (``cross_line``);
- leading/trailing whitespace is trimmed from spans;
- overlapping spans of our labels: the longest wins (then the earliest), like
  ``spacy.util.filter_spans``; the losers are counted (``overlap_dropped``).
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SHARED = ROOT.parent / "shared"
CHIA_DIR = SHARED / "data" / "chia" / "brat"
MAPPING_PATH = ROOT / "annotations" / "chia_mapping.json"
SPLIT_DIR = ROOT / "annotations" / "splits"
SPLIT_SEED = 20261123
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)  # train, dev, test (of trial ids)

# the labels the statistical NER learns (Chia's entity types mapped to ours)
NER_LABELS = ("AGE", "SEX", "CONDITION", "PREGNANCY", "THERAPY", "PROCEDURE", "MEASUREMENT",
              "VALUE", "REF_RANGE", "TEMPORAL")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    text: str


@dataclass
class Example:
    """One criterion: its text, spans in our labels and Chia flag types seen in it."""

    doc_id: str  # NCT..._inc / _exc
    line: int
    text: str
    spans: list[Span]
    flags: set[str] = field(default_factory=set)
    chia_types: set[str] = field(default_factory=set)

    @property
    def trial_id(self) -> str:
        return self.doc_id.split("_")[0]


@dataclass
class Stats:
    documents: int = 0
    entities: int = 0
    misaligned: int = 0
    cross_line: int = 0
    overlap_dropped: int = 0
    discontinuous: int = 0
    types: Counter[str] = field(default_factory=Counter)
    mapped: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {"documents": self.documents, "entities": self.entities,
                "misaligned_skipped": self.misaligned, "cross_line_skipped": self.cross_line,
                "overlap_dropped": self.overlap_dropped, "discontinuous_covered": self.discontinuous,
                "chia_types": dict(self.types.most_common()), "mapped_labels": dict(self.mapped.most_common())}


class Mapping:
    """``annotations/chia_mapping.json`` as code."""

    def __init__(self, path: Path = MAPPING_PATH) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.entity: dict[str, dict] = data["entity"]
        self.flag: dict[str, str] = data["flag"]
        self.drop: dict[str, str] = data["drop"]
        self._rx: dict[str, list[tuple[re.Pattern[str] | None, dict]]] = {}
        for t, spec in self.entity.items():
            rules = []
            for r in spec.get("rules", []):
                rx = re.compile(r["if_text_matches"], re.I) if "if_text_matches" in r else None
                rules.append((rx, r))
            self._rx[t] = rules

    def known(self, chia_type: str) -> bool:
        return chia_type in self.entity or chia_type in self.flag or chia_type in self.drop

    def label(self, chia_type: str, text: str, age_value: bool = False) -> str | None:
        spec = self.entity.get(chia_type)
        if spec is None:
            return None
        for rx, rule in self._rx[chia_type]:
            if rule.get("if_linked_from_person_age") and age_value:
                return rule["label"]
            if rx is not None and rx.search(text.strip()):
                return rule["label"]
        return spec.get("label")


_AGE_PERSON = re.compile(r"^(age[sd]?|old|years?( old)?|of age|older|younger|year-old|years-old)$", re.I)


def _parse_ann(ann: str) -> tuple[dict[str, tuple[str, list[tuple[int, int]], str]], list[tuple[str, str, str]]]:
    ents: dict[str, tuple[str, list[tuple[int, int]], str]] = {}
    rels: list[tuple[str, str, str]] = []
    for raw in ann.split("\n"):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 3:
            head = parts[1].split(" ", 1)
            if len(head) < 2:
                continue
            try:
                frags = [(int(a), int(b)) for a, b in (f.split() for f in head[1].split(";"))]
            except ValueError:
                continue
            ents[parts[0]] = (head[0], frags, parts[2])
        elif line.startswith("R") and len(parts) >= 2:
            bits = parts[1].split()
            if len(bits) == 3:
                rels.append((bits[0], bits[1].split(":", 1)[-1], bits[2].split(":", 1)[-1]))
    return ents, rels


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, without its line break (\\n, \\r\\n or \\r)."""
    out, pos = [], 0
    for m in re.finditer(r"\r\n|\n|\r", text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text)))
    return out


def _filter(spans: list[Span]) -> tuple[list[Span], int]:
    kept: list[Span] = []
    for s in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if all(s.end <= k.start or s.start >= k.end for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: s.start), len(spans) - len(kept)


def read_document(txt_path: Path, mapping: Mapping, stats: Stats | None = None) -> list[Example]:
    """The criteria (lines) of one brat document with their mapped spans."""
    stats = stats if stats is not None else Stats()
    with open(txt_path, encoding="utf-8", newline="") as fh:
        text = fh.read()
    ann_path = txt_path.with_suffix(".ann")
    ann = ann_path.read_text(encoding="utf-8") if ann_path.exists() else ""
    ents, rels = _parse_ann(ann)
    stats.documents += 1
    age_values = {b for r, a, b in rels if r == "Has_value" and a in ents and ents[a][0] == "Person"
                  and _AGE_PERSON.match(ents[a][2].strip())}
    lines = _lines(text)
    per_line: dict[int, list[Span]] = {}
    flags: dict[int, set[str]] = {}
    types: dict[int, set[str]] = {}

    def line_of(pos: int) -> int:
        for i, (a, b) in enumerate(lines):
            if a <= pos <= b:
                return i
        return -1

    for tid, (etype, frags, etext) in ents.items():
        stats.entities += 1
        stats.types[etype] += 1
        covered = " ".join(text[a:b] for a, b in frags)
        if any(a < 0 or b > len(text) or a >= b for a, b in frags) or \
                re.sub(r"\s+", " ", covered).strip() != re.sub(r"\s+", " ", etext).strip():
            stats.misaligned += 1
            continue
        start, end = frags[0][0], frags[-1][1]
        li = line_of(start)
        if li < 0 or end > lines[li][1]:
            stats.cross_line += 1
            continue
        types.setdefault(li, set()).add(etype)
        if etype in mapping.flag:
            flags.setdefault(li, set()).add(etype)
            continue
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        label = mapping.label(etype, text[start:end], age_value=tid in age_values)
        if label is None:
            continue
        if len(frags) > 1:
            stats.discontinuous += 1
        per_line.setdefault(li, []).append(Span(start, end, label, text[start:end]))
    out = []
    for i, (a, b) in enumerate(lines):
        line_text = text[a:b]
        if not line_text.strip():
            continue
        kept, dropped = _filter(per_line.get(i, []))
        stats.overlap_dropped += dropped
        spans = [Span(s.start - a, s.end - a, s.label, s.text) for s in kept]
        for s in spans:
            stats.mapped[s.label] += 1
        out.append(Example(txt_path.stem, i, line_text, spans, flags.get(i, set()), types.get(i, set())))
    return out


def trial_ids(chia_dir: Path = CHIA_DIR) -> list[str]:
    return sorted({p.stem.split("_")[0] for p in chia_dir.glob("NCT*.txt")})


def make_split(ids: Iterable[str], seed: int = SPLIT_SEED) -> dict[str, list[str]]:
    """Seeded split of trial ids into train/dev/test (a trial's _inc and _exc stay together)."""
    ids = sorted(set(ids))
    random.Random(seed).shuffle(ids)
    n_train = round(len(ids) * SPLIT_FRACTIONS[0])
    n_dev = round(len(ids) * SPLIT_FRACTIONS[1])
    parts = {"train": ids[:n_train], "dev": ids[n_train:n_train + n_dev], "test": ids[n_train + n_dev:]}
    return {k: sorted(v) for k, v in parts.items()}


def load_split(split_dir: Path = SPLIT_DIR) -> dict[str, list[str]]:
    """The committed id lists (``annotations/splits/chia_{train,dev,test}.txt``)."""
    out = {}
    for part in ("train", "dev", "test"):
        path = split_dir / f"chia_{part}.txt"
        if not path.exists():
            raise FileNotFoundError(f"{path}: split id list not found (run python -m nlp.corpora.chia --write-split)")
        out[part] = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return out


def read_corpus(chia_dir: Path = CHIA_DIR, ids: Iterable[str] | None = None,
                mapping: Mapping | None = None, stats: Stats | None = None) -> Iterator[Example]:
    """Examples of the given trials (all when ``ids`` is None), in file-name order."""
    if not chia_dir.is_dir():
        raise FileNotFoundError(f"{chia_dir}: Chia brat directory not found")
    mapping = mapping or Mapping()
    wanted = set(ids) if ids is not None else None
    for txt in sorted(chia_dir.glob("NCT*.txt")):
        if wanted is not None and txt.stem.split("_")[0] not in wanted:
            continue
        yield from read_document(txt, mapping, stats)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Chia corpus: write the split id lists / print conversion stats.")
    ap.add_argument("--write-split", action="store_true", help="(re)write annotations/splits/chia_*.txt")
    ap.add_argument("--chia", type=Path, default=CHIA_DIR)
    args = ap.parse_args(argv)
    if args.write_split:
        SPLIT_DIR.mkdir(parents=True, exist_ok=True)
        for part, ids in make_split(trial_ids(args.chia)).items():
            (SPLIT_DIR / f"chia_{part}.txt").write_text("\n".join(ids) + "\n", encoding="utf-8")
    stats = Stats()
    n = sum(1 for _ in read_corpus(args.chia, stats=stats))
    print(json.dumps({"criteria": n, **stats.as_dict()}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
