"""The Leaf Clinical Trials corpus (Dobbins et al., Scientific Data 9, 490, 2022; CC BY 4.0) as
read here: its normalised comparisons (``Eq-Comparison`` events with their operator, values and
units), an independent check of the quantity grammar on trials of every kind.

``../shared/data/lct/brat/NCT….txt/.ann``: ``T`` lines are spans, ``E`` lines events over them
(``Eq-Comparison:T10 Operator:T1 Value:T8 Value2:T7 Unit:T4 Temporal-Unit:T3``), ``A`` lines
attributes (``Eq-Operator-Value T1 GTEQ``: the normalised operator).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nlp.errors import InputError

LCT_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "lct" / "brat"


@dataclass(frozen=True, slots=True)
class Comparison:
    """One annotated comparison: its span, the operator as written and normalised (GT, GTEQ, LT,
    LTEQ, EQ, BETWEEN, PLUS-MINUS), the value texts and the unit texts (a unit may be annotated
    in pieces: "mg" "dL")."""

    trial: str
    start: int
    end: int
    text: str
    operator_text: str | None
    operator: str | None
    values: tuple[str, ...]
    units: tuple[str, ...]
    temporal: bool  # a time period, recency or unit is part of it


def _spans(ann: str) -> tuple[dict[str, tuple[str, int, int, str]], list[tuple[str, list[tuple[str, str]]]],
                               dict[str, str]]:
    spans: dict[str, tuple[str, int, int, str]] = {}
    events: list[tuple[str, list[tuple[str, str]]]] = []
    attrs: dict[str, str] = {}
    for raw in ann.split("\n"):
        parts = raw.rstrip("\r").split("\t")
        if raw.startswith("T") and len(parts) >= 3:
            head = parts[1].split(" ")
            try:
                spans[parts[0]] = (head[0], int(head[1]), int(head[-1]), parts[2])
            except (IndexError, ValueError):
                continue
        elif raw.startswith("E") and len(parts) >= 2:
            args = [tuple(a.split(":", 1)) for a in parts[1].split() if ":" in a]
            events.append((parts[0], [(k, v) for k, v in args]))
        elif raw.startswith("A") and len(parts) >= 2:
            bits = parts[1].split()
            if len(bits) == 3 and bits[0] == "Eq-Operator-Value":
                attrs[bits[1]] = bits[2]
    return spans, events, attrs


def read_comparisons(ann_path: Path) -> tuple[str, list[Comparison]]:
    """The document text and its comparisons."""
    txt_path = ann_path.with_suffix(".txt")
    try:
        text = txt_path.read_text(encoding="utf-8")
        ann = ann_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(ann_path), f"cannot read the LCT document ({exc})") from None
    spans, events, attrs = _spans(ann)
    out: list[Comparison] = []
    for _, args in events:
        if not args or args[0][0] != "Eq-Comparison" or args[0][1] not in spans:
            continue
        _, s, e, t = spans[args[0][1]]
        role = dict(args[1:])
        ops = [v for k, v in args[1:] if k.startswith("Operator")]
        values = tuple(spans[v][3] for k, v in args[1:] if k.startswith("Value") and v in spans)
        units = tuple(spans[v][3] for k, v in args[1:] if k.startswith("Unit") and v in spans)
        temporal = any(k.startswith(("Temporal-", "Per")) for k in role)
        op_text = spans[ops[0]][3] if ops and ops[0] in spans else None
        op = attrs.get(ops[0]) if ops else None
        out.append(Comparison(ann_path.stem, s, e, t, op_text, op, values, units, temporal))
    return text, out


def iter_documents(directory: Path = LCT_DIR) -> Iterator[tuple[str, str, list[Comparison]]]:
    """(trial id, text, comparisons) of every document, in id order."""
    if not directory.is_dir():
        raise InputError(str(directory), "not a directory of LCT brat files (../shared/data/lct/brat)")
    for ann in sorted(directory.glob("*.ann")):
        text, comps = read_comparisons(ann)
        yield ann.stem, text, comps
