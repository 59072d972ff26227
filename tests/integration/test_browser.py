"""The HTML reports as a user sees them, in headless Chromium (a subprocess, file:// URL, network
blocked): they load with no console messages, render the matrix and plots (the screenshot is not
blank), and record text with markup in it stays text.

CI sets ELIG_REQUIRE_BROWSER=1: a missing Chromium then fails these tests instead of skipping."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import distinct_colours, load, screenshot
from conftest import ROOT, SEEDS_DIR
from report_fixtures import XSS_CRITERIA, XSS_IMG, XSS_SCRIPT, parse


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _tags(dom: str) -> _Tags:
    p = _Tags()
    p.feed(dom)
    return p


pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pages(tmp_path_factory):  # type: ignore[no-untyped-def]
    from nlp.analyze import parse_record
    from nlp.pipeline import load_pipeline
    from nlp.records import read_path
    from nlp.reports import build_comparison, render_comparison
    from nlp.reports.corpus import CorpusStats, render_corpus

    nlp = load_pipeline()
    src = [SEEDS_DIR] if SEEDS_DIR.exists() else [ROOT / "examples" / "NCT05697718.txt", ROOT / "examples" / "NCT01985464.json"]
    docs = [parse_record(r, nlp) for p in src for r in read_path(p)]
    d = tmp_path_factory.mktemp("html")
    out = {}
    out["compare"] = d / "compare.html"
    out["compare"].write_text(render_comparison(build_comparison(docs), ".html"), encoding="utf-8")
    xss = parse(nlp, "NCT00000099", XSS_CRITERIA, title=f"Title {XSS_SCRIPT}", conditions=(XSS_IMG,))
    out["xss"] = d / "xss.html"
    out["xss"].write_text(render_comparison(build_comparison([xss, docs[0]]), ".html"), encoding="utf-8")
    stats = CorpusStats()
    for doc in [*docs, xss]:
        stats.add(doc)
    stats.failures = [f"trials/{XSS_SCRIPT}.json: malformed JSON"]  # file names reach the page too
    out["corpus"] = d / "corpus.html"
    out["corpus"].write_text(render_corpus(stats, ".html"), encoding="utf-8")
    # the match explanations: a patient whose id carries markup, against the seeds and the XSS trial
    from nlp.matching import Matcher, Patient
    from nlp.matching.explain import explain_html

    who = Patient.model_validate({"id": f"p {XSS_SCRIPT}", "as_of": "2026-11-01", "birth_date": "1950-01-01", "sex": "female",
                                  "conditions": [{"name": "HIV infection", "status": "active"}]})
    m = Matcher()
    out["match"] = d / "match.html"
    out["match"].write_text(explain_html([m.match(t, who) for t in [xss, *docs]]), encoding="utf-8")
    from nlp.reports.card import build_card, render_cards

    out["card"] = d / "card.html"
    out["card"].write_text(render_cards([build_card(t) for t in [*docs, xss]], ".html"), encoding="utf-8")
    out["_sources"] = [t.record.eligibility_text for t in [*docs, xss]]  # type: ignore[assignment]
    return out


def test_browser_console_check_detects_errors(tmp_path: Path) -> None:
    """The console check can fail: a page with a script error is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><p>x</p><script>nosuchfunction()</script>", encoding="utf-8")
    page = load(bad)
    assert any("nosuchfunction" in line for line in page.console)


@pytest.mark.parametrize("name", ["compare", "corpus", "match", "card"])
def test_browser_report_loads_without_console_messages(pages, name: str) -> None:  # type: ignore[no-untyped-def]
    page = load(pages[name])
    assert page.console == []
    assert "</html>" in page.dom


def test_browser_compare_renders_matrix_plots_and_criteria(pages) -> None:  # type: ignore[no-untyped-def]
    tags = _tags(load(pages["compare"]).dom)
    names = [t for t, _ in tags.tags]
    assert any(t == "table" and a.get("id") == "constraint-matrix" for t, a in tags.tags)
    assert names.count("tr") > 20
    figures = {a.get("id") for t, a in tags.tags if t == "figure"}
    assert {"plot-age", "plot-thresholds", "plot-presence", "plot-similarity"} <= figures
    assert names.count("svg") >= 4 and names.count("details") >= 5
    assert any(t == "div" and a.get("class") == "entities" for t, a in tags.tags)  # the highlighted criteria


def test_browser_corpus_renders_plots(pages) -> None:  # type: ignore[no-untyped-def]
    tags = _tags(load(pages["corpus"]).dom)
    figures = {a.get("id") for t, a in tags.tags if t == "figure"}
    assert {"plot-kinds", "plot-concepts", "plot-ages"} <= figures


@pytest.mark.parametrize("name", ["compare", "corpus", "match", "card"])
def test_browser_screenshot_not_blank(pages, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    png = screenshot(pages[name], tmp_path / f"{name}.png")
    assert distinct_colours(png) > 50


def test_browser_blank_page_screenshot_is_blank(tmp_path: Path) -> None:
    """The non-blank check can fail: an empty page has a single colour."""
    empty = tmp_path / "empty.html"
    empty.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    assert distinct_colours(screenshot(empty, tmp_path / "empty.png", size="400,300")) == 1


@pytest.mark.parametrize("name", ["xss", "corpus", "match", "card"])
def test_browser_markup_in_records_stays_text(pages, name: str) -> None:  # type: ignore[no-untyped-def]
    raw = pages[name].read_text(encoding="utf-8")
    assert "<script" not in raw.lower() and "<img" not in raw.lower()
    tags = _tags(load(pages[name]).dom)
    names = {t for t, _ in tags.tags}
    assert "script" not in names and "img" not in names
    assert not any(k.startswith("on") for _, a in tags.tags for k in a)
    text = "".join(tags.text)
    assert XSS_SCRIPT in text  # shown to the reader, as text
    if name in ("xss", "card"):
        assert XSS_IMG in text


@pytest.mark.parametrize("name", ["compare", "corpus", "match", "card"])
def test_browser_no_ucum_code_in_what_a_person_reads(pages, name: str) -> None:  # type: ignore[no-untyped-def]
    """Units as people write them: a UCUM code after a number ("65 a", "10*9/L", "{score}",
    "mm[Hg]", "xULN") appears in the rendered text only where the record itself wrote it."""
    import re

    from units_text import ucum_leaks

    dom = re.sub(r"<style>.*?</style>", "", load(pages[name]).dom, flags=re.S)  # text shown, not the style sheet
    assert ucum_leaks(" ".join(_tags(dom).text), pages["_sources"]) == []


def test_browser_card_shows_each_criterion_beside_its_reading(pages) -> None:  # type: ignore[no-untyped-def]
    tags = _tags(load(pages["card"]).dom)
    text = "".join(tags.text)
    assert "Exclude if ALT is above 2.5 × the upper limit of normal" in text
    assert "Exclude if any of:" in text and "Requires any one of:" in text
    assert "Needs the investigator" in text or "the investigator's judgement" in text
    crits = [a for t, a in tags.tags if t == "div" and a.get("class") == "card-crit"]
    assert len(crits) > 60 and {a.get("data-status") for a in crits} >= {"computable", "container"}
    assert sum(1 for t, _ in tags.tags if t == "mark") > 50  # the words read, highlighted in the source


def test_browser_match_page_explains_the_verdicts(pages) -> None:  # type: ignore[no-untyped-def]
    tags = _tags(load(pages["match"]).dom)
    text = "".join(tags.text)
    assert "INELIGIBLE" in text and "NEEDS REVIEW" in text  # the HIV exclusion fails somewhere, others need review
    assert text.count("read from") >= 3 and "used: HIV infection" in text
    assert sum(1 for t, a in tags.tags if t == "blockquote") >= 3
