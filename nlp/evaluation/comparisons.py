"""The quantity grammar against the LCT corpus's normalised comparisons (an independent check: trials
of every kind, annotated by others, never used to write a rule).

A comparison is *read* when the value grammar (``nlp.pipeline.values.find_values`` over the
document text) gives a value overlapping its span with the same comparator and value(s): GT ">",
GTEQ ">=", LT "<", LTEQ "<=", EQ "=" or none stated, BETWEEN "between" with both ends. Scored:
comparisons with a normalised operator and numeric values, apart from windows (an operator like
"within", "in the past": the temporal grammar reads those) and "±". Reported by kind (with a time
unit or not) with the ways a miss went wrong.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.corpora.lct import LCT_DIR, Comparison, iter_documents
from nlp.pipeline.values import ValueMatch, find_values, word_number

_OPERATOR = {"GT": ">", "GTEQ": ">=", "LT": "<", "LTEQ": "<=", "EQ": "=", "BETWEEN": "between"}
_WINDOW_WORDS = re.compile(r"^\s*(?:within|in|during|over|past|last|prior|previous|since|before|after|ago|from)\b", re.I)


@dataclass
class ComparisonScore:
    scored: Counter[str] = field(default_factory=Counter)  # by kind: "value", "time"
    read: Counter[str] = field(default_factory=Counter)
    why: Counter[str] = field(default_factory=Counter)  # misses: no value / wrong comparator / wrong value
    skipped: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return sum(self.read.values()) / max(1, sum(self.scored.values()))


def _number(text: str) -> float | None:
    return word_number(text.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text.strip()) else text)


def _expected(c: Comparison) -> tuple[str, tuple[float, ...]] | str:
    """(comparator, values) a reading must give, or why the comparison is not scored."""
    if c.operator is None:
        return "no normalised operator"
    if c.operator not in _OPERATOR:
        return f"operator {c.operator}"
    if c.operator_text and _WINDOW_WORDS.match(c.operator_text):
        return "a window (temporal grammar)"
    nums = [_number(v) for v in c.values]
    if not nums or any(n is None for n in nums):
        return "values not numeric"
    values = tuple(float(n) for n in nums if n is not None)
    if c.operator == "BETWEEN" and len(values) != 2:
        return "a range without two values"
    return _OPERATOR[c.operator], values


def _reads(v: ValueMatch, cmp_: str, values: tuple[float, ...]) -> bool:
    if cmp_ == "between":
        return v.comparator == "between" and v.value_high is not None and \
            (min(v.value, v.value_high), max(v.value, v.value_high)) == (min(values), max(values))
    if v.comparator == "between":
        return False
    return (v.comparator or "=") == cmp_ and abs(v.value - values[0]) <= 1e-9 * max(1.0, abs(values[0]))


def score_comparisons(directory: Path = LCT_DIR, ids: set[str] | None = None) -> ComparisonScore:
    s = ComparisonScore()
    for trial, text, comps in iter_documents(directory):
        if ids is not None and trial not in ids:
            continue
        found = find_values(text)
        for c in comps:
            want = _expected(c)
            if isinstance(want, str):
                s.skipped[want] += 1
                continue
            cmp_, values = want
            kind = "time" if c.temporal else "value"
            s.scored[kind] += 1
            near = [v for v in found if v.start < c.end and c.start < v.end]
            if any(_reads(v, cmp_, values) for v in near):
                s.read[kind] += 1
                continue
            why = "no value read" if not near else (
                "comparator" if any(abs(v.value - values[0]) <= 1e-9 * max(1.0, abs(values[0])) for v in near) else "value")
            s.why[why] += 1
            got = "; ".join(f"{v.comparator} {v.value:g}{'-' + format(v.value_high, 'g') if v.value_high is not None else ''}"
                            f" {v.unit or ''}".strip() for v in near) or "-"
            s.misses.append(f"{trial} {cmp_} {'/'.join(format(x, 'g') for x in values)}: {c.text!r} -> {got}")
    return s


def format_report(s: ComparisonScore, show_misses: bool = False) -> str:
    lines = [f"{'comparisons':<24} {'read':>6} {'scored':>7} {'recall':>7}"]
    for kind, label in (("value", "values (no time)"), ("time", "with a time unit")):
        lines.append(f"{label:<24} {s.read[kind]:>6} {s.scored[kind]:>7} {s.read[kind] / max(1, s.scored[kind]):>7.3f}")
    lines.append(f"{'ALL':<24} {sum(s.read.values()):>6} {sum(s.scored.values()):>7} {s.recall:>7.3f}")
    lines.append("misses: " + ", ".join(f"{k} {n}" for k, n in s.why.most_common()))
    lines.append("not scored: " + ", ".join(f"{k} {n}" for k, n in s.skipped.most_common()))
    if show_misses:
        lines.append("missed comparisons:")
        lines.extend(f"  {m}" for m in s.misses)
    return "\n".join(lines)


def run(directory: Path, show_misses: bool = False) -> tuple[str, dict[str, Any]]:
    s = score_comparisons(directory)
    res = {"read": dict(s.read), "scored": dict(s.scored), "recall": s.recall, "misses": dict(s.why),
           "skipped": dict(s.skipped)}
    return format_report(s, show_misses), res
