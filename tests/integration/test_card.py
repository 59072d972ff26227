"""`elig card` and the reports read from stored results, as a user runs them: the eligibility card
(golden Markdown for the five seeds, reviewed when they change), cards, comparisons and corpus
reports from `elig parse` outputs and `elig index` stores without building the pipeline, the
corpus report's highlighted trial, and no UCUM code in what a person reads.

Regenerate the golden cards after a reviewed change with:
    ELIG_UPDATE_GOLDEN=1 python -m pytest tests/integration/test_card.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS_DIR, need
from report_fixtures import XSS_CRITERIA, XSS_IMG, XSS_SCRIPT, parse, write_study
from units_text import ucum_leaks

from nlp.reports.card import build_card, render_cards

GOLDEN = Path(__file__).resolve().parents[1] / "regression" / "golden" / "cards"
EXAMPLES = [ROOT / "examples" / "NCT05697718.txt", ROOT / "examples" / "NCT01985464.json"]


def elig(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nlp", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


@pytest.fixture(scope="module")
def seeds(nlp):  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record
    from nlp.records import read_path

    return [parse_record(r, nlp) for r in read_path(need(SEEDS_DIR))]


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """The two bundled examples as `elig parse` outputs (a directory) and as an `elig index` store."""
    d = tmp_path_factory.mktemp("stored")
    res = elig("parse", *map(str, EXAMPLES), "--out", str(d / "parsed"))
    assert res.returncode == 0, res.stderr
    res = elig("index", str(d / "parsed"), "--db", str(d / "trials.duckdb"))
    assert res.returncode == 0, res.stderr
    return d


def test_card_seed_golden(seeds) -> None:  # type: ignore[no-untyped-def]
    for doc in seeds:
        text = render_cards([build_card(doc)], ".md")
        path = GOLDEN / f"{doc.record.nct_id}.md"
        if os.environ.get("ELIG_UPDATE_GOLDEN"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        assert text == path.read_text(encoding="utf-8"), f"golden card {path.name} differs: review, then regenerate"


def test_card_reads_groups_reasons_and_evidence(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000501", "Inclusion Criteria:\n\n* Diagnosis of multiple sclerosis or neuromyelitis optica\n"
                "* Blue eyes\n\nExclusion Criteria:\n\n* ALT > 2.5 x ULN or AST > 3 x ULN\n"
                "* Any condition that, in the opinion of the investigator, makes the patient unsuitable\n")
    md = render_cards([build_card(doc)], ".md")
    assert "Requires any one of:\n    - multiple sclerosis\n    - neuromyelitis optica" in md
    assert "- Not computable: not recognised" in md  # "Blue eyes": the reason is kept
    assert ("Exclude if any of:\n    - ALT is above 2.5 × the upper limit of normal\n"
            "    - AST is above 3 × the upper limit of normal") in md
    assert "Needs the investigator: “Any condition that, in the opinion of the investigator" in md
    assert "**ALT > 2.5 x ULN**" in md.replace("\\>", ">")  # the words read, in bold
    card = build_card(doc)
    assert card.counts() == {"computable": 2, "judgement": 1, "not_computable": 1}


def test_card_escapes_record_text(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = parse(nlp, "NCT00000099", XSS_CRITERIA, title=f"Title {XSS_SCRIPT}", conditions=(XSS_IMG,))
    html = render_cards([build_card(doc)], ".html")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    md = render_cards([build_card(doc)], ".md")
    assert not re.search(r"(?<!\\)<(script|img)", md) and "\\<script\\>" in md  # escaped, shown as text
    with pytest.raises(ValueError, match="unknown card format"):
        render_cards([build_card(doc)], ".pdf")


def test_no_ucum_code_in_markdown_or_plain_outputs(seeds) -> None:  # type: ignore[no-untyped-def]
    from nlp.reports import build_comparison, render_comparison

    sources = [d.record.eligibility_text for d in seeds]
    cards = render_cards([build_card(d) for d in seeds], ".md")
    compare = render_comparison(build_comparison(seeds), ".md")
    assert ucum_leaks(cards, sources) == []
    assert ucum_leaks(compare, sources) == []
    # the check can fail: the machine's codes are found
    assert ucum_leaks("≥ 18 a; ≤ 2.5 xULN; 100 10*9/L; 6 {score}; 110 mm[Hg]", sources) == \
        ["100 10*9/L", "110 mm[Hg]", "18 a", "2.5 xULN", "6 {score}"]


def test_cli_card_from_parse_outputs_and_store_without_the_pipeline(parsed: Path, tmp_path: Path) -> None:
    """A card from stored results is the card from the parse outputs, and neither imports spaCy."""
    outs = {}
    for name, src in (("parsed", parsed / "parsed"), ("store", parsed / "trials.duckdb")):
        out = tmp_path / f"{name}.md"
        res = subprocess.run([sys.executable, "-X", "importtime", "-m", "nlp", "card", str(src), "--trial", "NCT05697718",
                              "-o", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300)
        assert res.returncode == 0, res.stderr[-2000:]
        assert "| spacy" not in res.stderr and "nlp.pipeline" not in res.stderr
        outs[name] = out.read_text(encoding="utf-8")
    assert outs["parsed"] == outs["store"]
    assert outs["parsed"].startswith("# Eligibility card: NCT05697718")


def test_cli_card_errors_are_one_line(parsed: Path, tmp_path: Path) -> None:
    res = elig("card", str(parsed / "parsed"), "--trial", "NCT99999999", "-o", str(tmp_path / "c.md"))
    assert res.returncode == 1 and "NCT99999999: no such trial in the input" in res.stderr
    assert "Traceback" not in res.stderr
    res = elig("card", str(parsed / "parsed"), "-o", str(tmp_path / "c.pdf"))
    assert res.returncode == 2 and "unknown report format '.pdf'" in res.stderr
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"\x00" * 8 + b"DUCK" + b"\x00" * 100)  # a DuckDB header and nothing behind it
    res = elig("card", str(bad), "-o", str(tmp_path / "c.md"))
    assert res.returncode == 1 and "cannot read the trial store" in res.stderr and "Traceback" not in res.stderr
    res = elig("card", str(EXAMPLES[0]))  # a record: parsed, Markdown on standard output
    assert res.returncode == 0 and res.stdout.startswith("# Eligibility card: NCT05697718")


def test_cli_report_and_compare_from_a_store_match_the_parse_outputs(parsed: Path, tmp_path: Path) -> None:
    reports = {}
    for name, src in (("parsed", parsed / "parsed"), ("store", parsed / "trials.duckdb")):
        out = tmp_path / f"{name}.json"
        res = elig("report", str(src), "-o", str(out))
        assert res.returncode == 0, res.stderr
        reports[name] = json.loads(out.read_text(encoding="utf-8"))
        cmp = tmp_path / f"{name}-compare.json"
        assert elig("compare", str(src), "-o", str(cmp)).returncode == 0
        reports[name + "-compare"] = json.loads(cmp.read_text(encoding="utf-8"))
    a, b = reports["parsed"], reports["store"]
    # a store keeps no tagged entities: only the detail of the not-computable reasons differs
    assert b["trials_without_entities"] == 2 and a["trials_without_entities"] == 0 and b["reason_detail"] == []
    skip = {"reason_detail", "trials_without_entities", "coverage"}
    assert {k: v for k, v in a.items() if k not in skip} == {k: v for k, v in b.items() if k not in skip}
    assert reports["parsed-compare"] == reports["store-compare"]


def test_corpus_report_highlights_a_trial(nlp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from nlp.reports.corpus import CorpusStats, render_corpus

    s = CorpusStats(highlight="NCT00000702")
    for i, v in enumerate(("2", "2.5", "3", "3", "5")):
        s.add(parse(nlp, f"NCT0000070{i}", f"Exclusion Criteria:\n\n* ALT > {v} x ULN\n"))
    [alt] = [d for d in s.threshold_table() if d["key"] == "alt:max"]
    assert alt["highlight"] == 3.0 and alt["values"] == [2.0, 2.5, 3.0, 3.0, 5.0]
    html = render_corpus(s, ".html")
    assert "Where NCT00000702's cut-offs sit among the other trials" in html
    # ALT <= 3 x ULN: two trials stricter (2, 2.5), one the same, one looser (5)
    assert "<td>ALT ≤</td><td>3 × ULN</td><td>2</td><td>1</td><td>1</td><td>5</td>" in html
    missing = CorpusStats(highlight="NCT09999999")
    missing.add(parse(nlp, "NCT00000799", "Exclusion Criteria:\n\n* ALT > 2 x ULN\n"))
    assert "NCT09999999 is not among the trials read" in render_corpus(missing, ".html")
    assert json.loads(render_corpus(missing, ".json"))["highlight_found"] is False


def test_cli_report_records_build_the_pipeline_only_when_needed(tmp_path: Path) -> None:
    """A directory of records still parses (the pipeline is built for the first record)."""
    d = tmp_path / "trials"
    d.mkdir()
    write_study(d, "NCT00000601", "Exclusion Criteria:\n\n* ALT > 2.5 x ULN\n")
    res = elig("report", str(d), "-o", str(tmp_path / "r.json"), "--highlight", "NCT00000601")
    assert res.returncode == 0, res.stderr
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["trials"] == 1 and data["highlight_found"] is True
