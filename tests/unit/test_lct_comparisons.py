"""The LCT comparison check of the quantity grammar (`elig evaluate comparisons`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED

from nlp.evaluation.comparisons import score_comparisons

TEXT = "Age > 21 years. Platelets at least 100 x 10^9/L. Hemoglobin 9-12 g/dL. Within 6 months of surgery. ECOG 0 or 1.\n"
ANN = "\n".join([
    "T1\tEq-Operator 4 5\t>", "T2\tEq-Value 6 8\t21", "T3\tEq-Comparison 4 14\t> 21 years",
    "T4\tEq-Operator 26 34\tat least", "T5\tEq-Value 35 38\t100", "T6\tEq-Comparison 26 47\tat least 100 x 10^9/L",
    "T7\tEq-Operator 61 62\t-", "T8\tEq-Value 60 61\t9", "T9\tEq-Value 62 64\t12", "T10\tEq-Comparison 60 69\t9-12 g/dL",
    "T11\tEq-Operator 71 77\tWithin", "T12\tEq-Value 78 79\t6", "T13\tEq-Comparison 71 86\tWithin 6 months",
    "T14\tEq-Operator 106 108\tor", "T15\tEq-Value 109 110\t1", "T16\tEq-Comparison 104 110\t0 or 1",
    "E1\tEq-Comparison:T3 Operator:T1 Value:T2 Temporal-Unit:T3", "E2\tEq-Comparison:T6 Operator:T4 Value:T5",
    "E3\tEq-Comparison:T10 Operator:T7 Value:T8 Value2:T9", "E4\tEq-Comparison:T13 Operator:T11 Value:T12",
    "E5\tEq-Comparison:T16 Operator:T14 Value:T15",
    "A1\tEq-Operator-Value T1 GT", "A2\tEq-Operator-Value T4 GTEQ", "A3\tEq-Operator-Value T7 BETWEEN",
    "A4\tEq-Operator-Value T11 LTEQ", "A5\tEq-Operator-Value T14 LTEQ",
]) + "\n"


def test_lct_comparisons_scored_read_and_skipped(tmp_path: Path) -> None:
    assert TEXT[4:14] == "> 21 years" and TEXT[60:69] == "9-12 g/dL" and TEXT[104:110] == "0 or 1"
    (tmp_path / "NCT00000001.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "NCT00000001.ann").write_text(ANN, encoding="utf-8")
    s = score_comparisons(tmp_path)
    # read: "> 21 years" (time), "at least 100", "9-12"; not read: "0 or 1" (a bare list, no scale word);
    # the window "Within 6 months" is the temporal grammar's, not scored
    assert (dict(s.scored), dict(s.read)) == ({"time": 1, "value": 3}, {"time": 1, "value": 2})
    assert s.skipped["a window (temporal grammar)"] == 1 and len(s.misses) == 1


def test_lct_comparisons_recall_on_the_corpus() -> None:
    lct = SHARED / "data" / "lct" / "brat"
    if not lct.is_dir():
        pytest.skip(f"LCT corpus not found at {lct} (../shared missing)")
    s = score_comparisons(lct)
    # measured 1,466/1,578 = 0.929 (0.924 with the code before the issue-14 grammar work); never
    # tuned on: a drop is a regression of the quantity grammar
    assert sum(s.scored.values()) >= 1500 and s.recall >= 0.92, (s.read, s.scored, s.why)
