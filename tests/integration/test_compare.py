"""`elig compare` and `elig report` as a user runs them, and golden files for the five seeds.

Regenerate the golden files after a reviewed change with:
    ELIG_UPDATE_GOLDEN=1 python -m pytest tests/integration/test_compare.py
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import MSC_DIR, ROOT, SEEDS_DIR, need
from report_fixtures import XSS_CRITERIA, write_study

GOLDEN = Path(__file__).resolve().parents[1] / "regression" / "golden" / "compare"
EXAMPLES = [ROOT / "examples" / "NCT05697718.txt", ROOT / "examples" / "NCT01985464.json"]


def elig(*args: str, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nlp", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


def _one_line_error(res: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in res.stderr, res.stderr


# -- compare ------------------------------------------------------------------------------------
def test_cli_compare_examples_markdown(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    res = elig("compare", *map(str, EXAMPLES), "--out", str(out))
    assert res.returncode == 0, res.stderr
    md = out.read_text(encoding="utf-8")
    assert "| constraint | NCT05697718 | NCT01985464 |" in md
    assert "wrote" in res.stderr


def test_cli_compare_from_parse_outputs_to_json(tmp_path: Path) -> None:
    parsed = tmp_path / "parsed.json"
    assert elig("parse", *map(str, EXAMPLES), "-o", str(parsed)).returncode == 0
    out = tmp_path / "r.json"
    res = elig("compare", str(parsed), "--out", str(out))
    assert res.returncode == 0, res.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["report"] == "elig compare" and [t["label"] for t in data["trials"]] == ["NCT05697718", "NCT01985464"]


def test_cli_compare_unknown_extension(tmp_path: Path) -> None:
    res = elig("compare", str(EXAMPLES[0]), "--out", str(tmp_path / "r.pdf"))
    assert res.returncode == 2
    assert "unknown report format '.pdf'" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r.pdf").exists()


def test_cli_compare_missing_file(tmp_path: Path) -> None:
    res = elig("compare", str(tmp_path / "nope.json"), "--out", str(tmp_path / "r.md"))
    assert res.returncode == 1
    _one_line_error(res)
    assert "nope.json: no such file or directory" in res.stderr


def test_cli_compare_bad_record_reported_rest_compared(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    out = tmp_path / "r.csv"
    res = elig("compare", str(bad), *map(str, EXAMPLES), "--out", str(out))
    assert res.returncode == 1
    _one_line_error(res)
    assert "bad.json" in res.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {r["trial"] for r in rows} == {"NCT05697718", "NCT01985464"}


def test_cli_compare_xss_record_escaped(tmp_path: Path) -> None:
    f = write_study(tmp_path, "NCT00000099", XSS_CRITERIA, title="<script>alert(1)</script>")
    out = tmp_path / "r.html"
    res = elig("compare", str(f), str(EXAMPLES[0]), "--out", str(out))
    assert res.returncode == 0, res.stderr
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_cli_compare_seeds_takes_seconds(tmp_path: Path) -> None:
    t0 = time.monotonic()
    res = elig("compare", str(need(SEEDS_DIR)), "--out", str(tmp_path / "seeds.html"))
    elapsed = time.monotonic() - t0
    assert res.returncode == 0, res.stderr
    assert elapsed < 60, f"compare on 5 seeds took {elapsed:.1f} s"


# -- report ---------------------------------------------------------------------------------------
def test_cli_report_directory_with_one_bad_file(tmp_path: Path) -> None:
    d = tmp_path / "trials"
    d.mkdir()
    for p in EXAMPLES:
        (d / p.name).write_bytes(p.read_bytes())
    (d / "broken.json").write_text("[1, 2", encoding="utf-8")
    out = tmp_path / "corpus.json"
    res = elig("report", str(d), "--out", str(out))
    assert res.returncode == 1
    _one_line_error(res)
    assert "broken.json" in res.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["trials"] == 2 and len(data["failures"]) == 1


def test_cli_report_unknown_extension_and_empty_dir(tmp_path: Path) -> None:
    res = elig("report", str(tmp_path), "--out", str(tmp_path / "c.xlsx"))
    assert res.returncode == 2 and "unknown report format" in res.stderr
    res = elig("report", str(tmp_path), "--out", str(tmp_path / "c.html"))
    assert res.returncode == 1 and "no trial records found" in res.stderr
    _one_line_error(res)


def test_cli_report_whole_corpus_under_a_minute(tmp_path: Path) -> None:
    t0 = time.monotonic()
    res = elig("report", str(need(MSC_DIR)), "--out", str(tmp_path / "corpus.json"), timeout=300)
    elapsed = time.monotonic() - t0
    assert res.returncode == 0, res.stderr[-2000:]
    data = json.loads((tmp_path / "corpus.json").read_text(encoding="utf-8"))
    assert data["trials"] == 1099 and not data["failures"]
    assert 0.1 < data["share_not_computable"] < 0.6
    alt = [t for t in data["thresholds"] if t["key"] == "alt:max"]
    assert alt and alt[0]["unit"] == "xULN" and alt[0]["trials"] >= 20
    assert elapsed < 90, f"elig report over 1,099 trials took {elapsed:.1f} s"


# -- golden files for the five seeds ----------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_comparison():  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record
    from nlp.pipeline import load_pipeline
    from nlp.records import read_path
    from nlp.reports import build_comparison

    nlp = load_pipeline()
    docs = [parse_record(r, nlp) for r in read_path(need(SEEDS_DIR))]
    return build_comparison(docs)


@pytest.mark.parametrize("suffix", [".md", ".csv"])
def test_seed_compare_golden(seed_comparison, suffix: str) -> None:  # type: ignore[no-untyped-def]
    from nlp.reports import render_comparison

    text = render_comparison(seed_comparison, suffix)
    path = GOLDEN / f"seeds{suffix}"
    if os.environ.get("ELIG_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"golden file {path.name} differs: review, then regenerate (see module docstring)"


def test_seed_compare_findings(seed_comparison) -> None:  # type: ignore[no-untyped-def]
    f = seed_comparison.findings
    saa = [x for x in f["NCT02218437"] if x.kind == "title_conflict"]
    assert {x.criteria for x in saa} == {("E1",), ("I1",)}
    assert {x.kind for x in f["NCT01364246"]} >= {"age_mismatch"}
    assert not [x for x in f["NCT02218437"] if x.kind == "duplicate"]  # severe vs non-severe are not duplicates


def test_cli_report_progress_on_a_terminal(tmp_path: Path) -> None:
    import pty

    d = tmp_path / "trials"
    d.mkdir()
    for p in EXAMPLES:
        (d / p.name).write_bytes(p.read_bytes())
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "nlp", "report", str(d), "--out", str(tmp_path / "c.json")],
                            stdout=subprocess.DEVNULL, stderr=follower, cwd=ROOT)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=180) == 0
    os.close(leader)
    assert "parse: 2/2 files" in b"".join(chunks).decode("utf-8", "replace")
