"""Numeric values in criteria: comparator, number(s), unit (UCUM), multiples of the normal range.

Pure functions over text (no spaCy), used by the ``elig_values`` component. Recognises e.g.
"≥ 17 kg", "\\< 1.5×109/L" (a lost superscript: 10^9/L), "> 2.5×ULN", "higher than 1.5 times of
upper limit of normal value", "between 18 and 65 years", "6-20 points", "≥180/110 mmHg",
"2 or more", "no more than 10 mg/day".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- units ---------------------------------------------------------------------------------
# (regex for the written unit, UCUM code); tried longest-first via one alternation.
_UNIT_TABLE: list[tuple[str, str]] = [
    (r"m[lL]\s*/\s*min(?:ute)?\s*/\s*1[.,]73\s*m(?:2|²|\^2)", "mL/min/{1.73_m2}"),
    (r"m[lL]\s*/\s*min(?:ute)?", "mL/min"),
    (r"cc\s*/\s*min(?:ute)?\s*/\s*1[.,]73\s*m(?:2|²|\^2)", "mL/min/{1.73_m2}"),  # cc = mL
    (r"cc\s*/\s*min(?:ute)?", "mL/min"),
    (r"(?:cells?\s*)?/\s*(?:µ|μ|u|micro|mc)[lL]", "/uL"),
    # CJK compatibility unit characters (one code point each: ㎎ = mg), as in East Asian registries
    (r"㎎\s*/\s*㎗", "mg/dL"),
    (r"㎎\s*/\s*[lL]", "mg/L"),
    (r"㎍\s*/\s*㎖", "ug/mL"),
    (r"㎎", "mg"),
    (r"㎏", "kg"),
    (r"㎍", "ug"),
    (r"㎖", "mL"),
    (r"㎜", "mm"),
    (r"㎝", "cm"),
    (r"(?:cells?\s*)?/\s*mm(?:3|³|\^3)", "/uL"),
    (r"(?:cells?\s*)?/\s*c(?:u\.?\s*)?mm", "/uL"),
    (r"copies\s*/\s*m[lL]", "{copies}/mL"),
    (r"(?:µ|μ|u|micro)mol\s*/\s*[lL]", "umol/L"),
    (r"mmol\s*/\s*mol", "mmol/mol"),
    (r"mmol\s*/\s*[lL]", "mmol/L"),
    (r"mg\s*/\s*kg\s*/\s*d(?:ay)?", "mg/kg/d"),
    (r"mg\s*/\s*(?:m2|m²)", "mg/m2"),
    (r"mg\s*/\s*d[lL]", "mg/dL"),
    (r"mg\s*/\s*[lL]", "mg/L"),
    (r"mg\s*/\s*(?:d(?:ay)?\b|24\s*h)", "mg/d"),
    (r"(?:µ|μ|u|mc)g\s*/\s*[lL]", "ug/L"),
    (r"(?:µ|μ|u|mc)g\s*/\s*d[lL]", "ug/dL"),
    (r"ng\s*/\s*m[lL]", "ng/mL"),
    (r"pg\s*/\s*m[lL]", "pg/mL"),
    (r"g\s*/\s*d[lL]", "g/dL"),
    (r"g\s*/\s*[lL]", "g/L"),
    (r"m?IU\s*/\s*m[lL]", "[iU]/mL"),
    (r"(?:I?U|IU|iu|u)\s*/\s*[lL]", "U/L"),
    (r"kg\s*/\s*(?:m2|m²|m\^2|m\s*2)", "kg/m2"),
    (r"mm\s*Hg|mmHG|mmhg", "mm[Hg]"),
    (r"beats?\s*(?:/|per)\s*min(?:ute)?|bpm", "/min"),
    (r"mg\b", "mg"),
    (r"kg\b", "kg"),
    (r"(?:µ|μ|mc)g\b", "ug"),
    (r"ms(?:ec)?\b", "ms"),
    (r"(?:sec(?:onds?)?|s)\b(?!\s*[/])", "s"),
    (r"cm\b", "cm"),
    (r"mm\b", "mm"),
    (r"m[lL]\b", "mL"),
    (r"%", "%"),
    (r"points?\b|score\b", "{score}"),
]
TIME_UNITS: list[tuple[str, str]] = [
    (r"years?|yrs?\.?|y\b|yo\b|years?-old", "a"),
    (r"months?|mos?\b|mths?\b", "mo"),
    (r"weeks?|wks?\b", "wk"),
    (r"days?|d\b", "d"),
    (r"hours?|hrs?\b|h\b", "h"),
    (r"minutes?|mins?\b", "min"),
]
DAYS_PER = {"a": 365, "mo": 30, "wk": 7, "d": 1, "h": 0, "min": 0}

_SCI = (
    r"(?:[x×X*✕]\s*10\s*(?:\^|\*|E|e)\s*\(?\s*\d{1,2}\s*\)?|"
    r"[x×X*✕]\s*10\s*\(\s*\d{1,2}\s*\)|"
    r"[x×X*✕]\s*10(?:9|12|6|3)(?=\s*/)|"  # "×109/L": a lost superscript
    r"[x×X*✕]\s*10[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
    r"(?:\s*(?:cells?\s*)?/\s*(?:[lL]\b|(?:µ|μ|u)[lL]|mm(?:3|³)))?"
)
_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
UNIT_RE = "|".join(f"(?:{p})" for p, _ in _UNIT_TABLE + TIME_UNITS)
_UNIT_ONE = [(re.compile(p, re.I if not p.startswith("m[lL]") else 0), u) for p, u in _UNIT_TABLE + TIME_UNITS]

_REF = (
    r"(?P<ref>"
    r"(?:the\s+)?(?:institutional\s+)?(?:ULN|ULRR|LLN|N)\b(?:\s*\((?:ULN|LLN)\))?"
    r"|(?:of\s+)?(?:the\s+)?(?:institutional\s+|normal\s+)?(?:upper|lower)\s+(?:limits?|levels?|bounds?)\s+of\s+(?:the\s+)?normal(?:\s+(?:range|values?|limits?|levels?))?(?:\s*\((?:ULN|LLN)\))?"
    r"|(?:of\s+)?(?:the\s+)?(?:upper|lower)\s+(?:normal\s+)?(?:limits?|levels?)(?:\s+of\s+normal)?(?:\s*\((?:ULN|LLN)\))?"
    r"|(?:of\s+)?(?:the\s+)?normal\s+(?:upper|lower)\s+limits?(?:\s*\((?:ULN|LLN)\))?"
    r"|(?:of\s+)?(?:the\s+)?normal\s+(?:limits?|range|values?|maximum(?:\s+\w+)?)(?:\s*\((?:ULN|LLN)\))?"
    r")"
)
_TIMES = r"(?:[x×X*✕]|times?|-?fold)"

_CMP_WORDS: list[tuple[str, str]] = [
    (r"greater\s+than\s+or\s+equal\s+(?:to\b\s*)?|more\s+than\s+or\s+equal\s+(?:to\b\s*)?|higher\s+than\s+or\s+equal\s+(?:to\b\s*)?|equal\s+to\s+or\s+(?:greater|more|higher)\s+than|(?:at|a)\s+least|no\s+less\s+than|not\s+less\s+than|a\s+minimum\s+of|minimum(?:\s+of)?|≥|>=|=>|≧|＞=|≥=", ">="),
    (r"less\s+than\s+or\s+equal\s+(?:to\b\s*)?|lower\s+than\s+or\s+equal\s+(?:to\b\s*)?|equal\s+to\s+or\s+(?:less|lower)\s+than|(?:at|a)\s+most|no\s+more\s+than|not\s+more\s+than|no\s+greater\s+than|not\s+greater\s+than|not\s+(?:to\b\s*)?exceed(?:ing)?|up\s+to|a\s+maximum\s+of|maximum(?:\s+of)?|≤|<=|=<|≦|＜=|≤=", "<="),
    (r"greater\s+than|more\s+than|higher\s+than|larger\s+than|superior\s+to|older\s+than|exceed(?:s|ing)?|above|over|in\s+excess\s+of|>|＞|elevated\s+(?:above|over)", ">"),
    (r"less\s+than|lower\s+than|fewer\s+than|smaller\s+than|inferior\s+to|younger\s+than|below|under|<|＜", "<"),
    (r"equal\s+to|=|of", "="),
]
_CMP_RE = "|".join(f"(?:{p})" for p, _ in _CMP_WORDS)
_CMP_ONE = [(re.compile(rf"^(?:{p})\s*$", re.I), c) for p, c in _CMP_WORDS]
_SUFFIX_CMP = [
    (re.compile(r"^\s*(?:or|and)\s+(?:more|greater|higher|above|over|older)\b", re.I), ">="),
    (re.compile(r"^\s*(?:or|and)\s+(?:less|lower|below|under|younger|fewer)\b", re.I), "<="),
    (re.compile(r"^\s*\+(?!\d)", re.I), ">="),
]

_WORD_NUM = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "a": 1, "an": 1,
}
NUM = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:[.,·]\d+)?|\.\d+)"
WORD_NUM = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
NUM_ANY = rf"(?:{NUM}|\b{WORD_NUM}\b)"

_VALUE_RE = re.compile(
    rf"""
    (?P<cmp>(?:{_CMP_RE}))?\s*
    (?:between\s+|from\s+)?
    (?P<n1>{NUM_ANY})\s*(?P<sci1>{_SCI})?\s*
    (?:(?P<u1>{UNIT_RE})\s*)?
    (?:(?P<range>-|–|—|~|～|to|and|through)\s*
        (?P<n2>{NUM_ANY})\s*(?P<sci2>{_SCI})?\s*)?
    (?:(?P<times>{_TIMES})\s*(?:of\s+|the\s+)*{_REF}|(?P<u2>{UNIT_RE}))?
    """,
    re.X | re.I,
)
_BP_RE = re.compile(
    rf"(?P<cmp>(?:{_CMP_RE}))?\s*(?P<n1>\d{{2,3}})\s*(?:mm\s*Hg|mmHg)?\s*/\s*(?P<n2>\d{{2,3}})\s*(?P<u>mm\s*Hg|mmHg)",
    re.I,
)
_REF_FIRST = re.compile(
    rf"(?P<ref0>ULN|LLN|upper\s+limit\s+of\s+normal)\s*(?:[x×X*✕]|times)\s*(?P<n1>{NUM})", re.I
)


@dataclass(frozen=True, slots=True)
class ValueMatch:
    start: int
    end: int
    comparator: str | None  # ">", ">=", "<", "<=", "=", "between", or None (not stated)
    value: float
    value_high: float | None
    unit: str | None  # UCUM, "xULN" / "xLLN" for multiples of the reference range
    unit_text: str | None
    second_value: float | None = None  # "180/110 mmHg": the diastolic part
    low_unit: str | None = None  # "1 month to 18 years": the low end's own unit

    @property
    def is_time(self) -> bool:
        return self.unit in DAYS_PER


def _num(text: str) -> float:
    if text.lower() in _WORD_NUM:
        return float(_WORD_NUM[text.lower()])
    t = text.replace("·", ".")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", t):
        return float(t.replace(",", ""))
    return float(t.replace(",", "."))


def ucum_unit(written: str | None) -> str | None:
    if not written:
        return None
    w = written.strip()
    for rx, code in _UNIT_ONE:
        if rx.fullmatch(w):
            return code
    return None


def comparator_of(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    for rx, code in _CMP_ONE:
        if rx.match(text.strip()):
            return code
    return None


_SCI_PARTS = re.compile(
    r"\s*[x×X*✕]\s*10\s*(?:(?:\^|\*|E|e)\s*\(?\s*(\d{1,2})\s*\)?|\(\s*(\d{1,2})\s*\)|(9|12|6|3)(?=\s*/)"
    r"|([⁰¹²³⁴⁵⁶⁷⁸⁹]+))\s*(?:cells?\s*)?(/\s*\S+)?"
)


def _sci_unit(m: re.Match[str], group: str, unit_text: str | None) -> str | None:
    """UCUM unit of a "×10^9/L"-style multiplier ("10*9/L"; "/uL" per microlitre)."""
    sci = m.group(group)
    if not sci:
        return None
    parts = _SCI_PARTS.match(sci)
    if not parts:
        return None
    power = parts.group(1) or parts.group(2) or parts.group(3) or (parts.group(4) or "").translate(_SUP)
    per_text = (parts.group(5) or unit_text or "/L").lower()
    per = "/uL" if any(k in per_text for k in ("µ", "μ", "ul", "mm")) else "/L"
    return f"10*{power}{per}"


_HAS_NUMBER = re.compile(rf"\d|\b{WORD_NUM}\b", re.I)
_NUMBER = re.compile(NUM_ANY, re.I)


def _iter_value_matches(text: str):  # type: ignore[no-untyped-def]
    """Like ``_VALUE_RE.finditer(text)``, but only tried near numbers (much faster): each
    number is matched from at most 40 characters before it, where its comparator may stand,
    and at most 100 after it (units, ranges, "times the upper limit of normal")."""
    last_end = 0
    n = len(text)
    for num in _NUMBER.finditer(text):
        p = num.start()
        if p < last_end:
            continue
        bound = min(n, num.end() + 100)
        m = _VALUE_RE.search(text, max(last_end, p - 40), bound)
        while m is not None and m.start("n1") < p and m.end() <= p:
            m = _VALUE_RE.search(text, m.end(), bound)
        if m is None or m.start("n1") != p:
            m = _VALUE_RE.match(text, p, bound)
        if m is None:
            continue
        last_end = m.end()
        yield m


def find_values(text: str) -> list[ValueMatch]:
    """All value expressions in ``text``, left to right, non-overlapping."""
    if not _HAS_NUMBER.search(text):
        return []
    out: list[ValueMatch] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    low = text.lower()
    for m in _BP_RE.finditer(text) if "mm" in low and "/" in text else ():
        cmp_ = comparator_of(m.group("cmp"))
        out.append(ValueMatch(m.start() if m.group("cmp") else m.start("n1"), m.end(), cmp_,
                              float(m.group("n1")), None, "mm[Hg]", m.group("u"), float(m.group("n2"))))
        taken.append((out[-1].start, out[-1].end))
    has_ref = "uln" in low or "lln" in low or "upper limit" in low
    for m in _REF_FIRST.finditer(text) if has_ref else ():
        if free(m.start(), m.end()):
            ref = m.group("ref0").lower()
            unit = "xLLN" if ref.startswith("lln") or "lower" in ref else "xULN"
            out.append(ValueMatch(m.start(), m.end(), None, _num(m.group("n1")), None, unit, m.group("ref0")))
            taken.append((m.start(), m.end()))
    for m in _iter_value_matches(text):
        if not m.group("n1"):
            continue
        s, e = m.start(), m.end()
        if m.group("cmp") is None:
            s = m.start("n1")
            if m.group("range") is None or m.group("n2") is None:
                # bare number: keep only with a unit, a reference multiple or a suffix comparator
                pass
        # trim trailing whitespace
        while e > s and text[e - 1].isspace():
            e -= 1
        if not free(s, e):
            continue
        # numbers glued to letters on the left are part of a name ("HbA1c", "CD4", "W12")
        if s > 0 and (text[s - 1].isalnum() or text[s - 1] in "-_") and m.group("cmp") is None:
            continue
        if m.start("n1") > 0 and text[m.start("n1") - 1].isalpha():
            continue
        n1 = _num(m.group("n1"))
        n2 = _num(m.group("n2")) if m.group("n2") else None
        range_word = (m.group("range") or "").lower()
        if n2 is not None and range_word == "and" and not re.search(r"between\s*$", text[max(0, s - 12): m.start("n1")], re.I) \
                and "between" not in (m.group(0)[: m.start("n1") - m.start()].lower()):
            # "X and Y" is a range only after "between"; otherwise drop the second number
            n2 = None
            e = m.end("n1") if not m.group("u1") else m.end("u1")
            if m.group("sci1"):
                e = max(e, m.end("sci1"))
            while e > s and text[e - 1].isspace():
                e -= 1
        unit_text = m.group("u2") if (n2 is not None or not m.group("u1")) else m.group("u1")
        if n2 is None and m.group("u2") and not m.group("u1") and m.group("range") is None:
            unit_text = m.group("u2")
        unit = None
        if m.group("times") and m.group("ref") and (n2 is not None or m.group("range") is None):
            ref = m.group("ref").lower()
            unit = "xLLN" if ("lower" in ref or "lln" in ref) else "xULN"
            unit_text = m.group("ref")
        else:
            unit = _sci_unit(m, "sci2" if n2 is not None and m.group("sci2") else "sci1", unit_text) or ucum_unit(unit_text)
            if unit is None and m.group("u1") and n2 is not None:
                unit = ucum_unit(m.group("u1"))
                unit_text = m.group("u1")
        cmp_ = comparator_of(m.group("cmp"))
        has_between = bool(re.search(r"between", m.group(0), re.I))
        if n2 is not None:
            cmp_ = "between"
        else:
            for rx, code in _SUFFIX_CMP:
                sm = rx.match(text[e:])
                if sm and cmp_ is None:
                    cmp_ = code
                    e += sm.end()
                    break
        if has_between and n2 is None:
            continue
        if m.group("cmp") and cmp_ == "=" and m.group("cmp").strip().lower() == "of":
            cmp_ = None
            s = m.start("n1")
        if cmp_ is None and unit is None and n2 is None:
            continue  # a bare number (a year, an item number) is not a value
        # a dangling range word ("3 to") was matched without its second number
        if m.group("range") and n2 is None:
            e = min(e, m.start("range"))
            while e > s and text[e - 1].isspace():
                e -= 1
        low_unit = None
        if n2 is not None and m.group("u1") and unit is not None:
            u1 = ucum_unit(m.group("u1"))
            if u1 is not None and u1 != unit:
                low_unit = u1
        out.append(ValueMatch(s, e, cmp_, n1, n2, unit, unit_text, None, low_unit))
        taken.append((s, e))
    out.sort(key=lambda v: v.start)
    return out


def word_number(text: str) -> float | None:
    t = text.strip().lower()
    if t in _WORD_NUM:
        return float(_WORD_NUM[t])
    try:
        return _num(t)
    except ValueError:
        return None
