"""Text helpers shared by the record and criteria stages (no spaCy, no models).

- Section headers of eligibility text ("Key Inclusion Criteria:", "Patients will be excluded if:").
- Markdown escapes of the ClinicalTrials.gov API (``\\<`` -> ``<``) and HTML character
  references left in registry text (``&lt;`` -> ``<``) with an offset map back to the original text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from nlp.core.labels import Section

__all__ = ["Section"]

# Decoration a header may carry: markdown emphasis/heading, a list bullet ("-  Exclusion Criteria"),
# an outline number ("V.1.4.", "A.", "1)", "4.1").
_DECOR = (r"[#*_\s\[【•·▪◦\-–]*(?:(?:[IVX]{1,4}|[A-Z]|\d{1,2})(?:\.\d{1,2})*[.)]\s+|\d{1,2}(?:\.\d{1,2})+\s+"
          r"|\(\s*(?:[ivxIVX]{1,4}|[a-zA-Z]|\d{1,2})\s*\)\s*)?[#*_\s\[【]*")
_PREFIX = (
    r"(?:(?:key|major|main|general|other|additional|specific|principal|primary|secondary|"
    r"patients?'?|participants?'?|subjects?'?|donors?|recipients?|msc|study|selection|basic|"
    r"clinical|medical|laboratory|disease[- ]specific)\s+){0,3}"
)
_KIND = r"(?P<kind>inclusion|exclusion|non[- ]?inclusion|eligibility|enrollment|enrolment)"
_CRITERIA = r"(?:criteria|criterion|criterias)"
# (a title after the kind: "EXCLUSION CRITERIA AUTOLOGOUS DONORS", "Inclusion Criteria (PTA group)";
# "Inclusion criteria are met" is an item)
_TAIL = (r"(?:\s+(?:for|of|in|at)\s+[^:;\n]{1,40}?"
         r"|(?!\s+(?:are|is|were|was|will|must|should|shall|have|has|apply|applies|met)\b)\s+(?:\(?[A-Z][A-Za-z]*\)?\s*){1,4}?)?")
# (the title may follow the colon in brackets, with a colon of its own: "Inclusion Criteria:(MSC donor cohort):")
_END = r"\s*[*_\]】]*\s*(?:(?P<sep>[:;.\-–])[*_\]】]*(?:\s*\([^()\n:;]{1,40}\)\s*:)?|$)"

# a word of a header's title: no function word, no verb a criterion opens with
_TITLE_WORD = (r"(?!(?:meets?|meeting|fulfil\w*|satisf\w*|see|per|absence|note|any|all|no|not|none|the|of|for|"
               r"with|without|and|or|to|in|at|on|by|if|are|is|be)\b)[\w'-]+")
_CAPITAL = r"(?=(?-i:[A-Z0-9]))"

_HEADER_RES = [
    # "Key Inclusion Criteria:", "EXCLUSION CRITERIA AUTOLOGOUS DONORS", "V.1.4. Exclusion criteria"
    re.compile(rf"^{_DECOR}{_PREFIX}{_KIND}\s+{_CRITERIA}{_TAIL}{_END}", re.I),
    # "Exclusion Criteria for both Healthy Volunteer Donors and CF Donors:", "Exclusion criteria at
    # the screening visit include any of the following (*may be re-enrolled):": a longer title, with its colon
    re.compile(rf"^{_DECOR}{_PREFIX}{_KIND}\s+{_CRITERIA}\b[^:;\n]{{1,100}}?(?P<sep>:)", re.I),
    # "Inclusion conditions:" (with its colon)
    re.compile(rf"^{_DECOR}{_PREFIX}{_KIND}\s+conditions\s*[*_\]】]*\s*(?P<sep>:)", re.I),
    # a title naming whom or what the criteria are for, with its colon ("CF Subject Inclusion
    # Criteria:", "Tooth exclusion criteria:", "1 stage Inclusion Criteria:", "Donor-Inclusion Criteria:"): words that are no
    # function word or verb, capitalised ("Absence of Exclusion Criteria:", "Meets inclusion criteria:",
    # "Signed informed consent Exclusion criteria:" are items)
    re.compile(rf"^{_DECOR}(?:\d{{1,2}}\s+{_TITLE_WORD}|{_CAPITAL}{_TITLE_WORD})(?:\s+{_CAPITAL}{_TITLE_WORD}){{0,2}}"
               rf"(?:\s+|-){_KIND}\s+{_CRITERIA}"
               rf"\s*[*_\]】]*\s*(?P<sep>:)", re.I),
    # a line in capitals opened by the criteria's kind, however long its title ("EXCLUSION CRITERIA
    # RELATED OR THIRD PARTY DONORS (ALLOGENEIC CELLS)", "INCLUSION CRITERIA COMMON TO THE TWO COHORTS")
    re.compile(rf"^(?=(?-i:[^a-z\n]*$)){_DECOR}(?:{_TITLE_WORD}\s+){{0,3}}(?P<kind>(?-i:INCLUSION|EXCLUSION|NON-INCLUSION))\s+"
               rf"(?:CRITERIA|CRITERION)\b[^:;\n]{{0,100}}(?P<sep>:?)[^\S\n]*$", re.I),
    # "Inclusion and exclusion criteria:" -> unspecified
    re.compile(
        rf"^{_DECOR}(?P<kind>inclusion\s+(?:and|&|/)\s+exclusion)\s+{_CRITERIA}{_END}", re.I
    ),
    # "Exclusions:", "Specific exclusions;", "Inclusion:" (a separator is required, or the word
    # alone on its line: "Inclusion")
    re.compile(
        rf"^{_DECOR}{_PREFIX}(?P<kind>inclusions?|exclusions?|non[- ]?inclusions?)\s*[*_]*\s*(?:(?P<sep>[:;])|$)",
        re.I,
    ),
    # "Patients will be excluded if:", "Subjects meeting any of the following will be excluded:"
    re.compile(
        r"^" + _DECOR + r"(?:patients?|subjects?|participants?|individuals?|persons?|people)"
        r"(?P<mid>[^:\n]{0,60}?)\bwill\s+(?:be|(?P<not>not)\s+be)\s+(?P<kind>excluded|included|eligible|ineligible)"
        r"[^:\n]{0,60}?(?P<sep>:)",
        re.I,
    ),
]


# the words a header lead-in holds besides its subject ("Subjects meeting any of the following
# criteria will be included:"); anything else is content ("Patients with type 2 diabetes ...")
_LEAD_FILLER = re.compile(
    r"(?:\s|[,;/]|\b(?:they|he|she|who|that|which|meeting|meet|meets|fulfil(?:l)?(?:ing|s)?|satisfying|with|having|has|have|"
    r"any|all|one|or|more|of|the|following|these|those|criteria|criterion|conditions?|characteristics|"
    r"requirements?|below|listed|above|must|should|shall|are|is|to|be|for|this|study|trial|enrol(?:l)?ment|"
    r"inclusion|participation|and|if|only|eligible|potentially|otherwise)\b)*",
    re.I,
)


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    section: Section
    end: int  # offset (in the given line) just after the header, separator included


def _section_of(kind: str) -> Section | None:
    k = kind.lower().replace("-", "").replace(" ", "")
    if k.startswith(("noninclusion", "exclu")) or k in {"ineligible"}:
        return "exclusion"
    if k.startswith(("inclusionand", "inclusion&", "inclusion/")):
        return "unspecified"
    if k.startswith("inclu") or k == "eligible":
        return "inclusion"
    if k in {"eligibility", "enrollment", "enrolment"}:
        return "unspecified"
    return None


def match_header(line: str) -> HeaderMatch | None:
    """Recognise a section header at the start of ``line`` (a single line, no newline).

    A header may be followed by content on the same line ("Exclusion Criteria: pregnancy"); the
    returned ``end`` tells where the header stops. Plain mentions ("Inclusion in other trials",
    "RRMS not fulfilling inclusion criteria") are not headers.
    """
    if len(line) > 400:
        line = line[:400]
    for rx in _HEADER_RES:
        m = rx.match(line)
        if not m:
            continue
        rest = line[m.end() :]
        kind = m.group("kind")
        mid = m.groupdict().get("mid")
        if mid and kind.lower() in ("included", "eligible") and not _LEAD_FILLER.fullmatch(mid):
            # "Patients with type 2 diabetes will be included if:": a lead-in with content of its
            # own, a criterion whose items form its group (the splitter nests them), not a header
            continue
        section = _section_of(kind)
        if m.groupdict().get("not") and section in ("inclusion", "exclusion"):
            # "Patients will not be included if they meet any of the following criteria:"
            section = "exclusion" if section == "inclusion" else "inclusion"
        if section is None:
            continue
        if rest.strip() and rest.lstrip()[:1].islower() and m.group("sep") in {".", "-", "–"}:
            continue  # "Inclusion criteria - see protocol" is not a list header
        return HeaderMatch(section=section, end=m.end())
    return None


_DECOR_RE = re.compile(_DECOR)
_TITLE_WORDS = re.compile(r"[^\W_]+")
# the words any header may hold: its kind, "criteria", the generic lead words of ``_PREFIX`` but
# the groups ("donors", "msc"), function words ("both", "all" make the title every group's)
_GENERIC_TITLE = frozenset({
    "inclusion", "inclusions", "exclusion", "exclusions", "noninclusion", "non", "eligibility", "enrollment",
    "enrolment", "criteria", "criterion", "criterias", "key", "major", "main", "general", "other",
    "additional", "specific", "principal", "primary", "secondary", "patient", "patients", "participant",
    "participants", "subject", "subjects", "study", "selection", "basic", "clinical", "medical", "laboratory",
    "disease", "for", "of", "the", "in", "at", "will", "be", "not", "included", "excluded", "eligible",
    "ineligible", "if", "are", "were", "as", "follows", "include", "includes", "following", "and",
})
_FOR_EVERY_GROUP = frozenset({"common", "both", "all", "every"})


def header_title(text: str) -> str:
    """What a header says besides its kind and the words any header may hold ("key", "patient",
    "criteria", its decoration): the group or topic it names ("msc donor", "control group",
    "1 stage"), "" when none."""
    m = _DECOR_RE.match(text)
    words = _TITLE_WORDS.findall((text[m.end():] if m else text).lower())
    if _FOR_EVERY_GROUP & set(words):
        return ""  # "INCLUSION CRITERIA COMMON TO THE TWO COHORTS", "Exclusion Criteria (both groups)"
    return " ".join(w for w in words if w not in _GENERIC_TITLE)


# ---------------------------------------------------------------------------------------------
# Markdown escapes

# a backslash escape ("\\<"), or an HTML character reference a record kept undecoded ("ejection
# fraction &lt; Normal 30%", NCT05319106)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])|&(?:[a-z]{2,6}|#\d{1,5}|#x[0-9a-f]{1,4});", re.I)


@dataclass(frozen=True, slots=True)
class Unescaped:
    """Text with markdown backslash-escapes removed, and where each removal happened.

    ``removed`` holds, for every dropped backslash, its index in the *clean* text (the index of
    the character it escaped); a character reference of n characters read as one character at
    clean index i adds i + 1 n - 1 times, so that its character maps back to the reference's
    start and the character after it past its end. ``to_source(i)`` maps a clean offset back to
    the original.
    """

    text: str
    removed: tuple[int, ...]

    def to_source(self, i: int) -> int:
        # number of removed backslashes at clean positions <= i
        lo, hi = 0, len(self.removed)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.removed[mid] <= i:
                lo = mid + 1
            else:
                hi = mid
        return i + lo


def unescape_markdown(text: str) -> Unescaped:
    if "\\" not in text and "&" not in text:
        return Unescaped(text, ())
    parts: list[str] = []
    removed: list[int] = []
    last = 0
    clean_len = 0
    for m in _ESCAPE.finditer(text):
        char = m.group(1) or html.unescape(m.group(0))
        if len(char) != 1:
            continue  # an unknown reference ("&foo;") stays as written
        chunk = text[last : m.start()]
        parts.append(chunk)
        clean_len += len(chunk)
        if m.group(1):
            removed.append(clean_len)
        else:
            removed.extend([clean_len + 1] * (len(m.group(0)) - 1))
        parts.append(char)
        clean_len += 1
        last = m.end()
    parts.append(text[last:])
    return Unescaped("".join(parts), tuple(removed))


def lines_with_offsets(text: str) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    pos = 0
    n = len(text)
    while pos <= n:
        m = _LINE.match(text, pos)
        assert m is not None
        out.append((m.start(1), m.end(1), m.group(1)))
        if m.end() == pos + len(m.group(1)) and m.end() >= n:
            break
        pos = m.end()
    return out


_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n)?")
