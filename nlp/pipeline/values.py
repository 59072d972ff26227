"""Numeric values in criteria: comparator, number(s), unit (UCUM), multiples of the normal range.

Pure functions over text (no spaCy), used by the ``elig_values`` component. Recognises e.g.
"≥ 17 kg", "\\< 1.5×109/L" (a lost superscript: 10^9/L), "> 2.5×ULN", "higher than 1.5 times of
upper limit of normal value", "between 18 and 65 years", "6-20 points", "≥180/110 mmHg",
"2 or more", "no more than 10 mg/day".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from nlp.core import comparators
from nlp.core.knowledge import cue, read_cues
from nlp.core.lexicon import Lexicon
from nlp.core.units import amount_fillers, convert, time_unit_codes, time_units, written_units

# --- units ---------------------------------------------------------------------------------
# Written forms -> UCUM code, from nlp/resources/units.json and time_units.json (one table each):
# tried in table order (longest first) via one alternation, units before time units.
_UNIT_TABLE: list[tuple[str, str, int]] = [(w.pattern, w.code, w.flags) for w in written_units()]
TIME_UNITS: list[tuple[str, str]] = [(t.pattern, t.code) for t in time_units()]
_TIME_CODES = frozenset(time_unit_codes())

_SCI = (
    r"(?:[x×X*✕]\s*10\s*(?:\^|\*|E|e)\s*\(?\s*\d{1,2}\s*\)?|"
    r"[x×X*✕]\s*10\s*\(\s*\d{1,2}\s*\)|"
    r"[x×X*✕]\s*10(?:9|12|6|3)(?=\s*/)|"  # "×109/L": a lost superscript
    r"[x×X*✕]\s*10[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
    r"(?:\s*(?:cells?\s*)?/\s*(?:[lL]\b|(?:µ|μ|u)[lL]|mm(?:3|³)))?"
)
_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
TIME_UNIT_RE = "|".join(f"(?:{p})" for p, _ in TIME_UNITS)
UNIT_RE = "|".join(f"(?:{p})" for p, _, _ in _UNIT_TABLE) + "|" + TIME_UNIT_RE
# "> 72 continuous hours", "4 consecutive weeks", "12 calendar months": words between an amount and
# its time unit (time_units.json ``amount_fillers``) that leave the amount as it is
AMOUNT_FILLER_RE = "|".join(amount_fillers())
_TIME_FILLER = rf"(?:(?:{AMOUNT_FILLER_RE})\s+(?=(?:{TIME_UNIT_RE})))"
_UNIT_ONE = [(re.compile(p, flags), u) for p, u, flags in _UNIT_TABLE] + [(re.compile(p, re.I), u) for p, u in TIME_UNITS]

_REF_ABBR = r"ULN|UNL|ULRR|LLN"  # the normal range's limits abbreviated (UNL: the common misspelling)
_REF = (
    r"(?P<ref>"
    rf"(?:the\s+)?(?:institutional\s+)?(?:{_REF_ABBR}|N)\b(?:\s*\((?:ULN|LLN)\))?"
    r"|(?:of\s+)?(?:the\s+)?(?:institutional\s+|normal\s+)?(?:upper|lower)\s+(?:limits?|levels?|bounds?)\s+of\s+(?:the\s+)?normal(?:\s+(?:range|values?|limits?|levels?))?(?:\s*\((?:ULN|LLN)\))?"
    r"|(?:of\s+)?(?:the\s+)?(?:upper|lower)\s+(?:normal\s+)?(?:limits?|levels?)(?:\s+of\s+normal)?(?:\s*\((?:ULN|LLN)\))?"
    r"|(?:of\s+)?(?:the\s+)?normal\s+(?:upper|lower)\s+limits?(?:\s*\((?:ULN|LLN)\))?"
    r"|(?:of\s+)?(?:the\s+)?normal\s+(?:limits?|range|values?|maximum(?:\s+\w+)?)(?:\s*\((?:ULN|LLN)\))?"
    r"|(?:of\s+)?(?:the\s+)?normal\b"  # "5xnormal", "2 times normal"
    r"|(?:the\s+)?control(?:\s+values?)?\b"  # "aPTT <1.5 x control": the control value, read as the limit (a doubt)
    r")"
)
_TIMES = r"(?:[x×X*✕]|times?|-?fold)"

# comparator phrases before a number, and after it ("2 or more"), from nlp/resources/comparators.json
_CMP_RE = comparators.alternation("value")
_SUFFIX_CMP = comparators.suffixes()

_WORD_NUM = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "a": 1, "an": 1,
}
NUM = (r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?=[ \u00a0\u2009\u202f]\d{3})(?:[ \u00a0\u2009\u202f]\d{3})+"
       r"(?=\s*(?:/\s*(?:mm|µ|μ|u|mc|micro|c)|cells))"  # "80 000/mm3"
       r"|\d+(?:[.,·]\d+)?|\.\d+)")
WORD_NUM = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
NUM_ANY = rf"(?:{NUM}|\b{WORD_NUM}\b(?:\s*\(\s*\d{{1,4}}\s*\))?)"  # "thirty (30)": the number restated

_VALUE_RE = re.compile(
    rf"""
    (?:(?<![^\W\d_])|(?=[\W\d_]))  # no comparator word starts inside a word ("moreover 5"); cheap for search
    (?P<cmp>(?:{_CMP_RE}))?\s*
    (?(cmp)(?:an?\s+(?=\d))?)  # "less than a 5 pack-year history": an article after the comparator
    (?:\(\s*(?:[<>≤≥]=?|=)\s*\)\s*)?  # "greater than (>) 90": the symbol restated
    (?:(?<=[^\W\d_]\s)(?:grade|stage|class|degree|level)\s+)?  # "greater than or equal to grade 2"
    (?:between(?:\s+|(?=\d))(?:(?:the\s+)?ages?\s+(?:of\s+)?)?|from\s+)?  # "between70 and 85 years": glued too
    (?P<sign>(?<![\w.,])[-−+](?=\d))?  # "T score <= -1.0", "-2.5 or less", "z-score < +1.5"
    (?P<n1>{NUM_ANY})\s*(?P<sci1>{_SCI})?\s*
    (?:{_TIME_FILLER}?(?P<u1>{UNIT_RE})\s*)?
    (?:{read_cues().cues['range_end_inclusive']}\s*(?=(?:to|and|-|–)\s*\d))?  # "aged at 18 years (including) to 75"
    (?:(?P<range>-|–|—|~|～|to|and|through)\s*
        (?P<n2>{NUM_ANY})\s*(?P<sci2>{_SCI})?\s*)?
    (?:(?P<times>{_TIMES})\s*(?:(?P<tcmp>{read_cues().cues['multiple_comparator']})\s+)?(?:of\s+|the\s+)*{_REF}
       |(?<=\d)(?P<nref>N)\b|(?P<bref>{_REF_ABBR}|upper\s+limits?\s+of\s+(?:the\s+)?normal(?:\s+range)?)\b|(?P<u2>{UNIT_RE})  # "< 2.5 ULN", "≥ 2 upper limit of the normal range": a multiple without its "x"
       |(?P<dangle>times|-?fold)(?=\s*(?:[,;)]|or\b|and\b|$)))?
    """,
    re.X | re.I,
)
_MMHG = "|".join(f"(?:{p})" for p, code, _ in _UNIT_TABLE if code == "mm[Hg]")
_HAS_MMHG = re.compile(_MMHG, re.I)
_BP_RE = re.compile(
    rf"(?P<cmp>(?:{_CMP_RE}))?\s*(?P<n1>\d{{2,3}})\s*(?:{_MMHG})?\s*/\s*(?P<n2>\d{{2,3}})\s*(?P<u>{_MMHG})",
    re.I,
)
# a pair with no unit after a blood pressure's words and a comparator ("Uncontrolled high blood pressure
# (>180/110)", "BP less than 90/60"; cue ``pressure_pair_before``): systolic over diastolic, in mmHg, the
# first the higher, each in its pressure's plausible range (the lexicon's; no date, ratio or fraction)
_BP_BARE_RE = re.compile(
    rf"(?P<cmp>(?:{_CMP_RE}))\s*(?<![\d./])(?P<n1>\d{{2,3}})\s*/\s*(?P<n2>\d{{2,3}})(?![\d/]|[.,]\d|\s*(?:%|(?:{UNIT_RE})\b))",
    re.I,
)
# the limit of the normal range itself, named after a comparator with no number ("CRP greater than
# upper limit of normal (ULN)", "serum creatinine ≤ the upper limit of normal", "Phosphate level <
# LLN"): one times it; a bare "normal" ("above normal") is no limit, a multiple after it
# ("≥ upper limit of normal x 3.0") is _REF_FIRST's
_REF_LIMIT = (
    rf"(?:{_REF_ABBR})\b"
    r"|(?:upper|lower)\s+(?:limits?|levels?|bounds?)\s+of\s+(?:the\s+)?normal(?:\s+(?:range|values?|limits?|levels?))?"
    r"|normal\s+(?:upper|lower)\s+limits?"
    r"|(?:upper|lower)\s+normal\s+limits?"  # "Total bilirubin =< upper normal limit"
    # the range as a whole after a comparator ("higher than the normal value", "below normal reference
    # range"): its limit on the comparator's side; a range written out after it is read instead
    r"|(?P<range>(?:normal|reference)\s+(?:(?:institutional|laboratory|reference)\s+)?(?:limits?|ranges?|intervals?|values?)\b"
    r"(?!\s*[(\[][^)\]\d]{0,12}\d))"
)
_REF_BARE = re.compile(
    rf"(?<![^\W\d_])(?P<cmp>{_CMP_RE})\s*(?:the\s+)?(?:institutional\s+|laboratory\s+|local\s+)?(?P<ref>{_REF_LIMIT})"
    rf"(?:\s*\((?:{_REF_ABBR})\))?(?!\s*(?:[x×X*✕]|times)\s*\d)",
    re.I,
)
# a multiple of the normal range written as a word ("more than twice the upper limit of normal",
# "twice higher than the ULN", "double the normal values"): 2 or 3 times it
_WORD_MULTIPLE = {"twice": 2.0, "double": 2.0, "thrice": 3.0, "triple": 3.0}
_REF_WORD = re.compile(
    rf"(?<![^\W\d_])(?:(?P<cmp>{_CMP_RE})\s*)?(?P<word>{'|'.join(_WORD_MULTIPLE)})(?:\s+times)?\s*"
    rf"(?:(?P<tcmp>{read_cues().cues['multiple_comparator']})\s+)?(?:of\s+|the\s+)*{_REF}",
    re.I,
)
_REF_FIRST = re.compile(  # "ULN x 1.5", "Normal 1.5 times"; "higher than the ULN 3 times", "exceeded the
    # upper limit of normal by 1.4 times": a comparator before the reference is the multiple's
    rf"(?:(?<![^\W\d_])(?P<cmp>{_CMP_RE})\s*(?:the\s+)?)?(?P<ref0>ULN|UNL|LLN|upper\s+limit\s+of\s+normal|normal)\s*"
    rf"(?:(?:[x×X*✕]|times)\s*(?P<n1>{NUM})|(?:by\s+)?(?P<n1b>{NUM})\s*(?:times|-?fold)\b)", re.I
)


# --- levels of a clinical scale: "NYHA class III or IV", "ECOG performance status of 0, 1, or 2",
# "> grade II", "Grade Ⅲ and Ⅳ": a list of levels after a scale word (cues.json scale_level_word);
# Roman numerals only there, never alone ("type II diabetes" names no level of anything)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6,
          "ⅰ": 1, "ⅱ": 2, "ⅲ": 3, "ⅳ": 4, "ⅴ": 5, "ⅵ": 6, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "Ⅵ": 6}
# a grade and its category written together, Roman then Arabic ("Rutherford II-4, III-5 or III-6":
# categories 4 to 6): the level is the category (``_level``)
_PAIRED_LEVEL = r"(?:i{1,3}|[ⅰ-ⅲⅠ-Ⅲ])\s*-\s*\d(?!\d)"
# a sub-stage letter after a level ("CKD stage 3b", "Steinberg IIA", "ⅢA") is read as its stage (the
# builder notes it: cue ``sub_stage_level``)
_LEVEL = rf"(?:{_PAIRED_LEVEL}|(?:vi|iv|v|i{{1,3}}|[ⅰ-ⅵⅠ-Ⅵ]|\d{{1,2}}(?:\.5)?)(?:[a-c](?![^\W_]))?)(?![\w.,]\d|[^\W_])"  # not "22" of "220"
_LEVEL_JOIN = r"(?:\s*,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+|\s*/\s*|\s*[-–~]\s*|\s+to\s+)"
_LEVELS = rf"""
    (?:score\s+)?
    (?:(?:of|is|was|at)\s+|:\s*|=\s*)?
    (?P<cmp2>(?:{_CMP_RE}))?\s*
    (?P<list>{_LEVEL}(?:{_LEVEL_JOIN}{_LEVEL})*)(?!{_LEVEL_JOIN}\d)  # "status 70-100": a range of numbers, no levels
    (?P<suffix>\s*(?:or|and)\s+(?:above|higher|more|greater|worse|over|below|lower|less|better|under))?
    """
_SCALE_RE = re.compile(rf"(?:{read_cues().cues['scale_level_word']}\s*)+{_LEVELS}", re.X | re.I)
# the same levels right after a scale's own name ("ECOG 0, 1, or 2", "NYHA III or IV"; ``levels_after``),
# "(ASA) I or II": after its bracket too; "Rutherford- II-4": after a dash right after the name and
# a space ("Autism Diagnostic Observation Schedule - 2" is the scale's version)
# "Kellgren-Lawrence grading II-IV": the scale's word after its name too
_LEVELS_AFTER = re.compile(rf"(?:[-–]\s+|[\s)\]]*)(?:(?:{read_cues().cues['scale_level_word']})\s*)?{_LEVELS}", re.X | re.I)
_UNIT_FIRST = re.compile(rf"\s*(?:{UNIT_RE})(?![^\W\d_])", re.I)
_PLUS_MINUS = re.compile(r"\s*\(?\s*(?:\+\s*/\s*-|±)")  # "MoCA of 23 (+/- 4)": an approximate score, no level
_CMP_BEFORE_SCALE = re.compile(rf"(?P<cmp>(?:{_CMP_RE}))\s*\Z", re.X | re.I)  # "> grade II"
_LEVEL_ONE = re.compile(_LEVEL, re.I)
_DOWNWARD = re.compile(r"below|lower|less|better|under", re.I)


def _level(text: str) -> float:
    if "-" in text:  # a grade and its category ("II-4"): the category
        text = text.rsplit("-", 1)[1].strip()
    if len(text) > 1 and text[-1] in "abcABC":  # a sub-stage ("3b", "IIIA"): its stage
        text = text[:-1]
    roman = _ROMAN.get(text) or _ROMAN.get(text.lower())
    return float(roman) if roman else float(text)


@dataclass(frozen=True, slots=True)
class ValueMatch:
    start: int
    end: int
    comparator: str | None  # ">", ">=", "<", "<=", "=", "between", "outside", or None (not stated)
    value: float
    value_high: float | None
    unit: str | None  # UCUM, "xULN" / "xLLN" for multiples of the reference range
    unit_text: str | None
    second_value: float | None = None  # "180/110 mmHg": the diastolic part
    low_unit: str | None = None  # "1 month to 18 years": the low end's own unit

    @property
    def is_time(self) -> bool:
        return self.unit in _TIME_CODES


_RESTATED = re.compile(r"\(\s*(\d+)\s*\)")


def _num(text: str) -> float:
    if restated := _RESTATED.search(text):  # "thirty (30)"
        return float(restated.group(1))
    if text.lower() in _WORD_NUM:
        return float(_WORD_NUM[text.lower()])
    t = text.replace("·", ".")
    if re.fullmatch(r"\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+", t):  # "80 000"
        return float(re.sub(r"\D", "", t))
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


def _ref_unit(ref: str) -> str:
    """"xLLN" for a multiple of the lower limit of normal ("LLN", "lower limit of normal"), else "xULN"."""
    low = ref.lower()
    return "xLLN" if "lower" in low or "lln" in low else "xULN"


def comparator_of(text: str | None) -> str | None:
    return comparators.canonical(text)


def _stated(text: str | None) -> str | None:
    """The comparator ``text`` states, None for none or a word that only introduces a value ("of")."""
    said = comparators.phrase(text)
    return said.canonical if said is not None and said.states_comparator else None


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


_CMP_BEFORE_NAME = re.compile(r"\s*(?P<c>[<>≤≥＜＞≦≧]=?)\s*(?=[^\W\d_])")
_DOTTED_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_PER_UL = frozenset({"/uL", "{cells}/uL"})  # per microlitre: cell counts written in thousands


_HAS_SCALE_WORD = re.compile(read_cues().cues["scale_level_word"], re.I)
_SCALE_WORD_STEMS = ("class", "grade", "stage", "degree", "categor", "status")  # a cheap test before the cue


def _scale_value(text: str, m: re.Match[str]) -> ValueMatch | None:
    """One reading of a scale-level list: a level with its comparator ("> grade II", "degree II or
    above"), a range of contiguous levels ("III or IV", "0, 1, or 2", "3~4") as between; a list
    with gaps ("I, VI") is not one range and gives nothing."""
    before = _CMP_BEFORE_SCALE.search(text, max(0, m.start() - 40), m.start())
    said = [comparators.phrase(before.group("cmp") if before else None), comparators.phrase(m.group("cmp2"))]
    cmps = [p.canonical for p in said if p is not None and p.states_comparator]
    written = [x.group(0) for x in _LEVEL_ONE.finditer(m.group("list"))]
    levels = [_level(x) for x in written]
    if any(x[-1] in "abcABC" for x in written):  # "IIA, IIB, or IIC": sub-stages of one stage, listed once
        levels = list(dict.fromkeys(levels))
    stated = [p is not None and p.states_comparator for p in said]
    start = before.start("cmp") if before and stated[0] else m.start("cmp2") if stated[1] else m.start("list")
    end = m.end("list")
    if len(levels) == 1:
        cmp_ = cmps[0] if cmps else None
        if m.group("suffix"):  # "II or above", "grade 2 or worse"
            cmp_ = "<=" if _DOWNWARD.search(m.group("suffix")) else ">="
            end = m.end("suffix")
        return ValueMatch(start, end, cmp_ or "=", levels[0], None, "{score}", None)
    if cmps or m.group("suffix") or len(set(levels)) != len(levels):
        return None
    lo, hi = min(levels), max(levels)
    ranged = len(levels) == 2 and re.search(r"[-–~]|\bto\b", m.group("list"))
    if not ranged and sorted(levels) != [lo + i for i in range(len(levels))]:
        return None
    return ValueMatch(start, end, "between", lo, hi, "{score}", None)


# the levels after "type" right before the condition a scale stages ("type II, III, or IV lupus
# nephritis": its classes; ``levels_before``); "type" alone is no scale word ("type 2 diabetes")
# ("type III or type IV, or type V": the word may stand before each; no comparator or suffix is read)
_TYPE_LEVELS = re.compile(
    rf"\btypes?\s+(?P<cmp2>(?!))?(?P<list>{_LEVEL}(?:{_LEVEL_JOIN}(?:types?\s+)?{_LEVEL})*)(?P<suffix>(?!))?\s*\Z", re.X | re.I)


def _levels_within(m: re.Match[str], low: float, high: float) -> bool:
    """Whether every level of a level list lies in a scale's range ``low``..``high``."""
    return all(low <= _level(x.group(0)) <= high for x in _LEVEL_ONE.finditer(m.group("list")))


def levels_before(text: str, pos: int, low: float, high: float) -> ValueMatch | None:
    """The levels written after "type" right before a condition a scale stages, which starts at
    ``pos`` ("type V lupus nephritis" -> 5), only when every level lies in the scale's range."""
    m = _TYPE_LEVELS.search(text, max(0, pos - 60), pos)
    return _scale_value(text, m) if m is not None and _levels_within(m, low, high) else None


def levels_after(text: str, pos: int, low: float, high: float) -> ValueMatch | None:
    """The levels written right after a scale's name that ends at ``pos`` ("ECOG 0, 1, or 2" ->
    between 0 and 2, "NYHA III or IV", "ECOG ≤ 2" is found by the value grammar itself), only when
    every level lies in the scale's range ``low``..``high`` and no unit follows ("ECOG 2 weeks")."""
    m = _LEVELS_AFTER.match(text, pos)
    if m is None or (m.end() < len(text) and (_UNIT_FIRST.match(text, m.end()) or _PLUS_MINUS.match(text, m.end()))):
        return None
    return _scale_value(text, m) if _levels_within(m, low, high) else None


_CLASS_LETTER = re.compile(r"(?<![\w-])[A-Z](?![\w-])")


def classes_after(text: str, pos: int, classes: dict[str, tuple[float, float]], low: float, high: float) -> ValueMatch | None:
    """The class letters written right after the name of a scale whose classes are bands of its
    points, ending at ``pos`` (cue ``scale_class_letters``: "Child-Pugh B or C", "Child-Pugh grade
    C", "child pugh B or worse"): the band they span, as a limit where it reaches an end of the
    scale ("B or C" is 7 or more of 5-15). Only letters that are the scale's classes, contiguous."""
    m = cue("scale_class_letters").match(text, pos)
    if m is None:
        return None
    letters = _CLASS_LETTER.findall(m.group("list"))
    order = sorted(classes, key=lambda c: classes[c][0])
    if not letters or any(x not in classes for x in letters):
        return None
    at = sorted({order.index(x) for x in letters})
    if at != list(range(at[0], at[-1] + 1)):
        return None  # "A or C": no one band
    lo, hi = classes[order[at[0]]][0], classes[order[at[-1]]][1]
    end = m.end("list")
    if m.group("suffix"):  # "B or worse": to the scale's end
        end = m.end("suffix")
        lo, hi = (low, hi) if _DOWNWARD.search(m.group("suffix")) else (lo, high)
    if lo <= low and hi >= high:
        return None
    if hi >= high:
        return ValueMatch(m.start("list"), end, ">=", lo, None, "{score}", None)
    if lo <= low:
        return ValueMatch(m.start("list"), end, "<=", hi, None, "{score}", None)
    return ValueMatch(m.start("list"), end, "between", lo, hi, "{score}", None)


def _shared_units(text: str, values: list[ValueMatch]) -> list[ValueMatch]:
    """A unit written once after coordinated comparisons (only a coordinator between them, cue
    ``coordinated_comparisons``: "< 3.0 or > 20.0 mmol/L", "> 0.7 to < 1.3", "≥ 0.5 but ≤ 4.0
    cm2") belongs to each of them: "blood glucose < 3.0 or > 20.0 mmol/L" is two comparisons in mmol/L."""
    values = sorted(values, key=lambda v: v.start)
    for i in range(len(values) - 2, -1, -1):
        v, w = values[i], values[i + 1]
        if (v.unit is None and w.unit is not None and v.comparator not in (None, "between")
                and w.comparator not in (None, "between") and cue("coordinated_comparisons").match(text[v.end:w.start])):
            values[i] = ValueMatch(v.start, v.end, v.comparator, v.value, v.value_high, w.unit, w.unit_text,
                                   v.second_value, v.low_unit)
    return values


# the first letters a number may start with (a digit, "." or a number word's): one character class
# tried per position before the alternation, which halves a scan of the text
NUMBER_START = r"(?=[\d.otfsen])"
_HAS_NUMBER = re.compile(rf"{NUMBER_START}(?:\d|\b{WORD_NUM}\b)", re.I)
_NUMBER = re.compile(rf"{NUMBER_START}(?:{NUM_ANY})", re.I)



# a line opened by a list bullet: a value ends before it
_NEXT_ITEM = re.compile(r"\n[^\S\n]*[-–—•*·▪]")


def _iter_value_matches(text: str) -> Iterator[re.Match[str]]:
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
        if (item := _NEXT_ITEM.search(text, num.end(), bound)) is not None:
            bound = item.start()  # "Left atrium size < 50mm\n  -  3. ...": the dash opens the next item, no range
        m = _VALUE_RE.search(text, max(last_end, p - 40), bound)
        while m is not None and m.start("n1") < p and m.end() <= p:
            m = _VALUE_RE.search(text, m.end(), bound)
        if m is None or m.start("n1") != p:
            m = _VALUE_RE.match(text, p, bound)
        if m is None:
            continue
        last_end = m.end()
        yield m


# a unit's equivalence ("(1mmHg = 0.133kPa)", ", 1mmHg=0.133kPa") converts units; it states no value
_UNIT_EQUIVALENCE = re.compile(r"(?<![\w.])1\s*(?P<u1>[A-Za-z][A-Za-z/ ]{0,6}?)\s*=\s*\d+(?:\.\d+)?\s*[A-Za-z][A-Za-z/]{0,6}(?![\w/])")


def _plausible(analyte: str, value: float) -> bool:
    """Whether ``value`` lies in the lexicon's plausible range of ``analyte`` (in its own unit)."""
    entry = Lexicon.load().entries.get(analyte)
    return entry is not None and entry.range is not None and entry.range[0] <= value <= entry.range[1]


def find_values(text: str) -> list[ValueMatch]:
    """All value expressions in ``text``, left to right, non-overlapping."""
    low = text.lower()
    has_scale = any(w in low for w in _SCALE_WORD_STEMS) and _HAS_SCALE_WORD.search(text) is not None
    has_ref = "uln" in low or "lln" in low or "upper limit" in low or "unl" in low or "normal" in low
    # the limit itself named ("ULN", "upper limit of normal", "normal upper limit"), a multiple in words
    has_limit = has_ref and ("uln" in low or "lln" in low or "unl" in low or "ulrr" in low or "limit" in low)
    has_word = has_ref and any(w in low for w in _WORD_MULTIPLE)
    has_range = ("normal" in low or "reference" in low) and ("range" in low or "limit" in low or "interval" in low or "value" in low)
    if not has_scale and not _HAS_NUMBER.search(text) and not has_range \
            and not (((has_limit or has_range) and _REF_BARE.search(text)) or (has_word and _REF_WORD.search(text))):
        return []
    out: list[ValueMatch] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in _UNIT_EQUIVALENCE.finditer(text) if "=" in text else ():
        if ucum_unit(m.group("u1")) is not None:
            taken.append((m.start(), m.end()))

    for m in _BP_RE.finditer(text) if "/" in text and _HAS_MMHG.search(text) else ():
        cmp_ = comparator_of(m.group("cmp"))
        out.append(ValueMatch(m.start() if m.group("cmp") else m.start("n1"), m.end(), cmp_,
                              float(m.group("n1")), None, "mm[Hg]", m.group("u"), float(m.group("n2"))))
        taken.append((out[-1].start, out[-1].end))
    for m in _BP_BARE_RE.finditer(text) if "/" in text else ():
        sys_, dia = float(m.group("n1")), float(m.group("n2"))
        start = m.start()
        if free(start, m.end()) and dia < sys_ and _plausible("systolic_blood_pressure", sys_) \
                and _plausible("diastolic_blood_pressure", dia) \
                and cue("pressure_pair_before").search(text, max(0, start - 60), start):
            out.append(ValueMatch(start, m.end(), comparator_of(m.group("cmp")), sys_, None, "mm[Hg]", "", dia))
            taken.append((start, m.end()))
    for m in _SCALE_RE.finditer(text) if has_scale else ():
        v = _scale_value(text, m)
        if v is not None and free(v.start, v.end):
            out.append(v)
            taken.append((v.start, v.end))
    for m in _REF_FIRST.finditer(text) if has_ref else ():
        cmp_ = _stated(m.group("cmp"))
        start = m.start() if cmp_ is not None else m.start("ref0")
        if free(start, m.end()):
            out.append(ValueMatch(start, m.end(), cmp_, _num(m.group("n1") or m.group("n1b")), None,
                                  _ref_unit(m.group("ref0")), m.group("ref0")))
            taken.append((start, m.end()))
    for m in _REF_WORD.finditer(text) if has_word else ():
        cmp_ = _stated(m.group("cmp"))
        if cmp_ is None and m.group("tcmp"):  # "twice higher than the ULN": the comparator after the multiple
            cmp_ = "<" if _DOWNWARD.search(m.group("tcmp")) else ">"
        start = m.start() if cmp_ is not None and m.group("cmp") else m.start("word")
        if free(start, m.end()):
            out.append(ValueMatch(start, m.end(), cmp_, _WORD_MULTIPLE[m.group("word").lower()], None,
                                  _ref_unit(m.group("ref")), m.group("ref")))
            taken.append((start, m.end()))
    bare: list[ValueMatch] = []  # numbers before a dangling range word ("2 to"), no values of their own
    dangling: list[int] = []  # "AST and/or ALT ≥ 2 times or bilirubin ≥ 2.0 times normal": the next reference's
    for m in _iter_value_matches(text):
        if not m.group("n1"):
            continue
        s, e = m.start(), m.end()
        if m.group("cmp") is None:
            s = m.start("sign") if m.group("sign") else m.start("n1")
            if m.group("range") is None or m.group("n2") is None:
                # bare number: keep only with a unit, a reference multiple or a suffix comparator
                pass
        # trim trailing whitespace
        while e > s and text[e - 1].isspace():
            e -= 1
        if not free(s, e):
            continue
        # numbers glued to letters on the left are part of a name ("HbA1c", "CD4", "W12"), but for
        # an age word or "between" glued to its number ("ages18 to 75", cue age_lead; "between70 and 85 years old")
        glued_lead = (s > 0 and text[s - 1].isalpha() and bool(cue("age_lead").search(text[max(0, s - 8):s]))) \
            or m.group(0).lstrip()[:7].lower() == "between"
        if s > 0 and (text[s - 1].isalnum() or text[s - 1] in "-_") and m.group("cmp") is None and not glued_lead:
            continue
        glued_cmp = m.group("cmp") is not None and m.end("cmp") == m.start("n1")  # "greater than100"
        if m.start("n1") > 0 and text[m.start("n1") - 1].isalpha() and not glued_lead and not glued_cmp:
            continue
        n1 = -_num(m.group("n1")) if m.group("sign") in ("-", "−") else _num(m.group("n1"))
        n2 = _num(m.group("n2")) if m.group("n2") else None
        range_word = (m.group("range") or "").lower()
        if n2 is not None and range_word == "and" and not re.search(r"between\s+(?:(?:the\s+)?ages?\s+(?:of\s+)?)?$", text[max(0, s - 24): m.start("n1")], re.I) \
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
        unit: str | None = None
        dangles = False
        if m.group("nref"):  # "> 5N"
            unit, unit_text = "xULN", "N"
        elif m.group("bref"):  # "ALT and AST < 2.5 ULN"
            unit, unit_text = _ref_unit(m.group("bref")), m.group("bref")  # ULN, UNL, ULRR, LLN
        elif m.group("dangle") and n2 is None:
            dangles = True  # its index is kept once the value is (a bare number is dropped below)
        elif m.group("times") and m.group("ref") and (n2 is not None or m.group("range") is None):
            unit, unit_text = _ref_unit(m.group("ref")), m.group("ref")
        else:
            unit = _sci_unit(m, "sci2" if n2 is not None and m.group("sci2") else "sci1", unit_text) or ucum_unit(unit_text)
            if unit is None and m.group("u1") and n2 is not None:
                unit = ucum_unit(m.group("u1"))
                unit_text = m.group("u1")
        if n2 is not None and n2 < n1 and unit is None and m.group("cmp") is None and range_word in ("-", "–", "—"):
            continue  # "Cancer antigen 15-3", "CA 19-9": a name's number, no range (a range runs upward)
        cmp_ = comparator_of(m.group("cmp"))
        if cmp_ is None and m.group("tcmp") and n2 is None:
            # "2 times higher than the normal value": the comparator written between the multiple and its reference
            cmp_ = "<" if _DOWNWARD.search(m.group("tcmp")) else ">"
        has_between = bool(re.search(r"between", m.group(0), re.I))
        if n2 is not None:
            cmp_ = "between"
        else:
            old_word = cue("age_unit_filler").match(text[e:]) if unit in _TIME_CODES else None  # "18 years-old or older", "18 years of age or older"
            skip = old_word.end() if old_word else 0
            intro = comparators.phrase(m.group("cmp"))  # "a score of 220 or less": "of" states none
            open_ = cmp_ is None or (intro is not None and not intro.states_comparator)
            rest = text[e + skip:]
            for rx, code in _SUFFIX_CMP:
                sm = rx.match(rest)
                if sm and open_:
                    cmp_ = code
                    e += skip + sm.end()
                    break
        if has_between and n2 is None:
            continue
        said = comparators.phrase(m.group("cmp"))
        if said is not None and not said.states_comparator and cmp_ == said.canonical:
            # "a score of 5": the word introduces the value, no comparator is stated
            cmp_ = None
            s = m.start("sign") if m.group("sign") else m.start("n1")
        if cmp_ is None and n2 is None:
            # "8% ≤ HbA1c ≤ 11%", "100 mmHg < PaO2/FiO2": the value written first, the analyte after
            # ("18 years old ≤ age ≤ 65": past the age word after the unit)
            old_word = cue("age_unit_filler").match(text[e:]) if unit in _TIME_CODES else None
            before = _CMP_BEFORE_NAME.match(text, e + (old_word.end() if old_word else 0))
            if before is not None:
                cmp_ = comparators.MIRROR[comparator_of(before.group("c")) or "="]
                e = before.end("c")
        if cmp_ is None and unit is None and n2 is None:
            if cue("range_join").match(text, m.end("n1")):  # "2 to <12 years": the lower end of the range the next value closes
                bare.append(ValueMatch(s, m.end("n1"), None, n1, None, None, None, None, None))
            continue  # a bare number (a year, an item number) is not a value
        if unit in _PER_UL and n2 is None and _DOTTED_THOUSANDS.fullmatch(m.group("n1")):
            n1 = float(m.group("n1").replace(".", ""))  # "30.000/mm3": a thousands separator
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
        if dangles:
            dangling.append(len(out))
        out.append(ValueMatch(s, e, cmp_, n1, n2, unit, unit_text, None, low_unit))
        taken.append((s, e))
    for m in cue("normal_range").finditer(text) if has_range else ():
        if free(m.start(), m.end()):
            # "Serum creatinine within the normal range", "Total calcium values outside the normal
            # range": from the lower limit to the upper one, or beyond either
            inside = m.group("side").lower() in ("within", "in")
            out.append(ValueMatch(m.start(), m.end(), "between" if inside else "outside", 1.0, 1.0, "xULN",
                                  m.group(0), None, "xLLN"))
            taken.append((m.start(), m.end()))
    for m in _REF_BARE.finditer(text) if has_limit or has_range else ():
        said = comparators.phrase(m.group("cmp"))
        if said is not None and said.states_comparator and free(m.start(), m.end()) \
                and not cue("amount_before_reference").search(text[max(0, m.start() - 25):m.start()]):
            # not "twice higher than the ULN", "elevates 20g/L more than normal upper limit"
            unit = _ref_unit(m.group("ref")) if not m.group("range") else \
                "xULN" if said.canonical in (">", ">=") else "xLLN"  # the range's limit on the comparator's side
            out.append(ValueMatch(m.start(), m.end(), said.canonical, 1.0, None, unit, m.group("ref")))
            taken.append((m.start(), m.end()))
    # a number of points of a scale named by its abbreviation between them (cue ``scale_points``:
    # "0.5 EDSS point"; the abbreviation as written, upper case first)
    for m in cue("scale_points").finditer(text) if " point" in low or " step" in low else ():
        if free(m.start(), m.end("n")):
            # "or 0.5 EDSS point": points of the scale named between the number and the word
            out.append(ValueMatch(m.start(), m.end("n"), None, _num(m.group("n")), None, "{score}", m.group("u")))
            taken.append((m.start(), m.end("n")))
    for i in dangling:  # a multiple without its reference takes the next one written ("... times normal")
        v = out[i]
        ref = next((w for w in sorted(out, key=lambda w: w.start) if w.start > v.start and w.unit in ("xULN", "xLLN")), None)
        if ref is not None:
            out[i] = ValueMatch(v.start, v.end, v.comparator, v.value, v.value_high, ref.unit, ref.unit_text, None, None)
    return _restated_in_other_units(text, _lower_ends(text, _shared_units(text, _weeks_and_days(text, _weeks_plus_days(text, out))), bare))  # sorted by start


def _weeks_plus_days(text: str, values: list[ValueMatch]) -> list[ValueMatch]:
    """A gestational age written weeks plus days ("≥36+0 weeks", "35+6 weeks", "16 0/7 to 22 0/7
    weeks"; cue ``weeks_plus_days``): one value, in weeks when no day is added, else in days, with
    the comparator written before it; the numbers inside it no values of their own ("0 weeks")."""
    if "/7" not in text and "+" not in text:
        return values
    out = list(values)
    for m in cue("weeks_plus_days").finditer(text):
        ends = [(int(m.group(f"w{n}")), int(m.group(f"p{n}") or m.group(f"s{n}"))) for n in (1, 2) if m.group(f"w{n}")]
        days = any(d for _, d in ends)
        amounts = [w * 7 + d if days else float(w) for w, d in ends]
        before = [v for v in out if v.start <= m.start() < v.end]  # "≥36" of "≥36+0 weeks": its comparator
        cmp_ = next((v.comparator for v in before if v.comparator in (">", ">=", "<", "<=")), None)
        start = min([m.start(), *(v.start for v in before)])
        out = [v for v in out if v.end <= start or v.start >= m.end()]
        unit = "d" if days else "wk"
        if len(amounts) == 2:
            out.append(ValueMatch(start, m.end(), "between", float(amounts[0]), float(amounts[1]), unit, m.group(0), low_unit=unit))
        else:
            out.append(ValueMatch(start, m.end(), cmp_, float(amounts[0]), None, unit, m.group(0)))
    return sorted(out, key=lambda v: v.start)


def _weeks_and_days(text: str, values: list[ValueMatch]) -> list[ValueMatch]:
    """A duration in weeks completed by days ("< 23 weeks 6 days", "23 weeks to 24 weeks 6 days",
    how gestational ages are written; cue ``weeks_days_tail``): one value in days (the high end
    of a range; its low end keeps weeks as ``low_unit``), the days no value of their own."""
    if not any(v.unit == "wk" for v in values):
        return values
    tail = cue("weeks_days_tail")
    out: list[ValueMatch] = []
    covered_to = -1
    for v in sorted(values, key=lambda w: w.start):
        if v.start < covered_to:
            continue  # the days of the value before
        m = tail.match(text[v.end:v.end + 16]) if v.unit == "wk" else None
        if m is not None:
            days, end = int(m.group("d")), v.end + m.end()
            if v.value_high is not None:
                v = replace(v, end=end, value_high=v.value_high * 7 + days, unit="d", low_unit=v.low_unit or "wk")
            else:
                v = replace(v, end=end, value=v.value * 7 + days, unit="d")
            covered_to = end
        out.append(v)
    return out


def _restated_in_other_units(text: str, values: list[ValueMatch]) -> list[ValueMatch]:
    """A value restated in brackets in another unit of its dimension ("under 55 kg (121 lbs)",
    "> 50 kg (110 lb)"; cue ``unit_restatement_gap``) is the same threshold, no second one: the
    restatement is dropped when the two agree within 3%."""
    if len(values) < 2 or ("(" not in text and "[" not in text):
        return values
    out = [values[0]]
    for b in values[1:]:
        a = out[-1]
        if a.unit and b.unit and a.unit != b.unit and a.value_high is None and b.value_high is None \
                and cue("unit_restatement_gap").fullmatch(text[a.end:b.start]):
            x = convert(b.value, b.unit, a.unit)
            if x is not None and abs(x - a.value) <= 0.03 * abs(a.value):
                continue
        out.append(b)
    return out


def _lower_ends(text: str, values: list[ValueMatch], bare: Sequence[ValueMatch] = ()) -> list[ValueMatch]:
    """A value without comparator joined by "and" or "to" (cue range_join) to an upper limit above
    it is the range's lower end: "aged 18 years and less than 65 years" is 18 to under 65. A ``bare``
    number (no unit either: "2 to <12 years old") is one only before a limit with a unit, whose unit
    it takes ("Visit 1 and less than a 5 pack-year history" has none); else it is no value."""
    merged = sorted([*values, *bare], key=lambda v: v.start) if bare else values
    out: list[ValueMatch] = []
    for i, a in enumerate(merged):
        b = merged[i + 1] if i + 1 < len(merged) else None
        is_bare = a in bare
        if (b is not None and a.comparator is None and a.value_high is None and b.comparator in ("<", "<=")
                and b.value > a.value and (a.unit == b.unit or a.unit is None or b.unit is None)
                and (b.unit is not None or not is_bare) and cue("range_join").fullmatch(text[a.end:b.start])):
            a = ValueMatch(a.start, a.end, ">=", a.value, None, b.unit if is_bare else a.unit, a.unit_text,
                           a.second_value, a.low_unit)
        elif is_bare:
            continue
        out.append(a)
    return out


def word_number(text: str) -> float | None:
    if restated := _RESTATED.search(text):  # "thirty (30)"
        return float(restated.group(1))
    t = text.strip().lower()
    if t in _WORD_NUM:
        return float(_WORD_NUM[t])
    try:
        return _num(t)
    except ValueError:
        return None
