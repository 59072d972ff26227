"""Pasted web pages of trial registries (text copied from a browser, or saved HTML).

Layouts seen: a registry-aggregator page ("Eligibility Criteria / Inclusion Criteria / ... /
Minimum Eligible Age / Eligible Sex"), the classic ClinicalTrials.gov page ("Inclusion Criteria:",
"Ages Eligible for Study: | 18 Years to 60 Years (Adult) |"), and a Veeva page ("Inclusion
criteria", "Ages" / "1 month to 18 years old", "Sex" / "All"). The reader does not depend on
one layout: it finds the criteria block by its section headers and ends it at the first line
that is a page landmark, then reads labelled structured fields from the rest of the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import ClassVar

from nlp.errors import InputError
from nlp.records.ages import parse_age, parse_age_range
from nlp.records.model import AgeLimit, Sex, TrialRecord
from nlp.textutil import lines_with_offsets, match_header

NCT_RE = re.compile(r"\bNCT\d{8}\b")
_LABELLED_NCT = re.compile(
    r"(?:NCT\s*(?:ID|Number|No\.?)|ClinicalTrials\.gov\s+(?:Identifier|ID)|Identifiers?)"
    r"\s*[:|]?\s*\|?\s*\n*\s*(NCT\d{8})",
    re.I,
)
# Lines that end the criteria block: page landmarks of the layouts we know and common ones.
_LANDMARKS = re.compile(
    r"^\s*(?:minimum eligible age|maximum eligible age|eligible sex|eligible ages?|"
    r"accepts healthy volunteers|sponsors?(?: and collaborators)?|collaborators|locations?|"
    r"countries|contacts(?: and locations)?|central contacts?|study contacts?|"
    r"to learn more about this study.*|choosing to participate in a study.*|more information|"
    r"publications?(?: of results)?|responsible party|trial design|trial contacts and locations|"
    r"central trial contact|data sourced from clinicaltrials\.gov|outcome measures|"
    r"study design|arms and interventions|investigators?|principal investigators|"
    r"other identifiers|more related trials|layout table for .*|"
    r"information from the national library of medicine.*|sexes eligible for study|"
    r"ages eligible for study)\s*[:|]*\s*(?:\|.*)?$",
    re.I,
)
_BARE_AGE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s+(?:years?|months?|weeks?|days?|hours?)|N/A)\s*$", re.I)
_BARE_SEX = re.compile(r"^\s*(ALL|FEMALE|MALE|BOTH)\s*$", re.I)
_BARE_YESNO = re.compile(r"^\s*(yes|no)\s*$", re.I)
_PAGE_HINTS = re.compile(
    r"ClinicalTrials\.gov Identifier|NCT ID\s*:|Eligibility Criteria|Ages Eligible for Study|"
    r"Eligible Sex|Minimum Eligible Age|ClinicalTrials\.Veeva|Accepts Healthy Volunteers|"
    r"Study type|Recruitment Status",
    re.I,
)
_BOILERPLATE_TITLE = {"clinicaltrials.veeva", "menu", "skip to main content", "back to search"}
_SEX_VALUES: dict[str, Sex] = {"all": "ALL", "both": "ALL", "female": "FEMALE", "male": "MALE"}


def looks_like_webpage(text: str) -> bool:
    return bool(NCT_RE.search(text)) and bool(_PAGE_HINTS.search(text))


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:2000].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


class _TextExtractor(HTMLParser):
    _BLOCK: ClassVar[frozenset[str]] = frozenset({"p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
              "section", "table", "dt", "dd", "header", "footer", "article"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "noscript", "template"}:
            self._skip += 1
        elif tag == "li":
            self.parts.append("\n* ")
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "noscript", "template"}:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\u00a0]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text)


def _nonblank(lines: list[tuple[int, int, str]], start: int) -> Iterator[tuple[int, str]]:
    for k in range(start, len(lines)):
        if lines[k][2].strip():
            yield k, lines[k][2].strip()


def _field(lines: list[tuple[int, int, str]], skip: range, label: str) -> str | None:
    """Value of a labelled field: "Label: value", "Label | value |", "Label value" or the
    label alone on its line with the value on the next non-blank line."""
    rx = re.compile(rf"^\s*{label}\s*(?:[:|]\s*)*(?P<v>.*?)\s*\|?\s*$", re.I)
    for k, (_, _, line) in enumerate(lines):
        if k in skip:
            continue
        m = rx.match(line)
        if not m:
            continue
        value = m.group("v").strip(" |:")
        if value:
            return value
        nxt = next(_nonblank(lines, k + 1), None)
        if nxt is not None and nxt[0] not in skip:
            return nxt[1]
    return None


def _title(lines: list[tuple[int, int, str]]) -> str | None:
    for _, _, line in lines:
        s = line.strip().strip("|").strip()
        if not s or s.lower() in _BOILERPLATE_TITLE or s.startswith("!["):
            continue
        return s
    return None


def _find_block(lines: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    """Line range [first, last] of the criteria block, or None."""
    # Prefer headers after an "Eligibility Criteria" / "Eligibility" page heading if there is one.
    first_allowed = 0
    for k, (_, _, line) in enumerate(lines):
        if re.fullmatch(r"\s*(?:eligibility(?: criteria)?|participation criteria)\s*:?\s*", line, re.I):
            first_allowed = k + 1
            break
    first = None
    for k in range(first_allowed, len(lines)):
        line = lines[k][2]
        hm = match_header(line.strip())
        if hm is not None and hm.section != "unspecified":
            first = k
            break
    if first is None:
        return None
    last = first
    for k in range(first + 1, len(lines)):
        line = lines[k][2]
        if _LANDMARKS.match(line) or _BARE_AGE.match(line):
            break
        if line.strip():
            last = k
    return first, last


def _structured_after(lines: list[tuple[int, int, str]], last: int) -> dict[str, str]:
    """Unlabelled trailer lines after the criteria ("18 Years", "65 Years", "ALL", "No")."""
    out: dict[str, str] = {}
    ages: list[str] = []
    for _, value in _nonblank(lines, last + 1):
        if _BARE_AGE.match(value) and "sex" not in out and len(ages) < 2:
            ages.append(value)
        elif _BARE_SEX.match(value) and "sex" not in out:
            out["sex"] = value
        elif _BARE_YESNO.match(value) and "hv" not in out and "sex" in out:
            out["hv"] = value
            break
        else:
            break
    if ages:
        out["min_age"] = ages[0]
        if len(ages) > 1:
            out["max_age"] = ages[1]
    return out


def _hv(value: str | None) -> bool | None:
    if not value:
        return None
    v = value.strip().lower()
    if v in {"yes", "true"} or v.startswith("accepts healthy"):
        return True
    if v in {"no", "false"} or v.startswith(("no healthy", "does not accept")):
        return False
    return None


def read_webpage(text: str, source: str) -> Iterator[TrialRecord | InputError]:
    page = html_to_text(text) if looks_like_html(text) else text
    lines = lines_with_offsets(page)
    m = _LABELLED_NCT.search(page) or NCT_RE.search(page)
    nct = (m.group(1) if m and m.groups() else m.group(0)) if m else None
    where = f"{source} ({nct})" if nct else source
    block = _find_block(lines)
    if block is None:
        yield InputError(where, "no eligibility criteria found in the page (no 'Inclusion Criteria' / 'Exclusion Criteria' header)")
        return
    first, last = block
    start = lines[first][0]
    end = lines[last][1]
    eligibility = page[start:end]
    skip = range(first, last + 1)
    trailer = _structured_after(lines, last)
    min_age: AgeLimit | None = None
    max_age: AgeLimit | None = None
    try:
        min_text = _field(lines, skip, r"minimum (?:eligible )?age") or trailer.get("min_age")
        max_text = _field(lines, skip, r"maximum (?:eligible )?age") or trailer.get("max_age")
        min_age, max_age = parse_age(min_text), parse_age(max_text)
        if min_age is None and max_age is None:
            range_text = _field(lines, skip, r"(?:ages eligible for study|eligible ages|ages?)")
            if range_text and re.search(r"\d", range_text):
                min_age, max_age = parse_age_range(range_text)
    except ValueError as exc:
        yield InputError(where, f"structured age field: {exc}")
        return
    sex_text = (
        _field(lines, skip, r"(?:eligible sex|sexes eligible for study|genders? eligible for study|sex|gender)")
        or trailer.get("sex")
    )
    sex_word = (sex_text or "").split()[0].lower() if sex_text else ""
    hv_text = _field(lines, skip, r"(?:accepts healthy volunteers|healthy volunteers|volunteers)")
    hv = _hv(hv_text)
    if hv is None:
        hv = _hv(trailer.get("hv"))
    official = _field(lines, skip, r"official title")
    yield TrialRecord(
        source=source,
        format="webpage",
        nct_id=nct,
        brief_title=_title(lines),
        official_title=official,
        conditions=tuple(_conditions(lines, skip)),
        eligibility_text=eligibility,
        sex=_SEX_VALUES.get(sex_word),
        minimum_age=min_age,
        maximum_age=max_age,
        healthy_volunteers=hv,
    )


_SECTION_AFTER_CONDITIONS = re.compile(
    r"^\s*(?:study design|treatments?|interventions?|keywords?|study type|phase|enrollment|"
    r"sponsors?|eligibility criteria|details and patient eligibility|about)\s*$",
    re.I,
)


def _conditions(lines: list[tuple[int, int, str]], skip: range) -> list[str]:
    out: list[str] = []
    for k, (_, _, line) in enumerate(lines):
        if k in skip or not re.fullmatch(r"\s*conditions?\s*:?\s*", line, re.I):
            continue
        for j, value in _nonblank(lines, k + 1):
            if j in skip or _SECTION_AFTER_CONDITIONS.match(value) or len(out) >= 10:
                break
            if value.lower().startswith("see the medical") or len(value) > 200:
                continue
            out.append(value)
        break
    return out
