"""Temporal expressions in criteria: windows ("within 3 months prior to enrollment", "in the past
year"), ranges ("at 12-24 weeks after onset", "within 3-12 months before enrollment") and
durations ("for at least three months"). Pure functions over text, used by ``elig_temporal``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from nlp.core import comparators
from nlp.core.knowledge import cue
from nlp.core.labels import TRIAL_ENTRY, Anchor
from nlp.core.units import time_units, to_days
from nlp.core.windows import anchor_of
from nlp.pipeline.values import AMOUNT_FILLER_RE, NUM_ANY, NUMBER_START, TIME_UNIT_RE, ucum_unit, word_number

# time units and comparator phrases come from nlp/resources/time_units.json and comparators.json
# "in the past year": units that make a window without a number, after a preposition / always
_BARE_PREP = "|".join(t.name for t in time_units() if t.bare_window in ("always", "after_preposition"))
_BARE = "|".join(t.name for t in time_units() if t.bare_window == "always")
_OFFSET_CMP = comparators.alternation("temporal_offset")  # "less than 3 months before ..."
_FOR_CMP = comparators.alternation("temporal_for")  # "for at least 3 months after ..."
_DURATION_CMP = comparators.alternation("temporal_duration")  # "for at least three months"
_AMOUNT = rf"(?P<n1>{NUM_ANY})(?:\s*(?:-|–|~|to)\s*(?P<n2>{NUM_ANY}))?\s*(?:(?:{AMOUNT_FILLER_RE})\s+)?(?P<unit>{TIME_UNIT_RE})"
_ANCHOR = (
    r"(?P<anchor>(?:the\s+)?(?:(?:first|last|initial|index)\s+)?"
    r"(?:[\w\-]+\s+){0,5}?"
    r"(?:enrol(?:l)?ment|screening|randomi[sz]ation|baseline|inclusion|entry|consent|onset|"
    r"admission|diagnosis|infusion|injection|administration|application|transplant(?:ation)?|treatment|dosing|dose|surgery|"
    r"visit|day\s*(?:0|1)|study(?:\s+(?:start|entry|drug|treatment|day\s*\d))?|trial|"
    r"(?:test|study|trial|investigational|experimental)\s+(?:drug|product|treatment|medication)(?:\s+treatment)?|"
    r"signing(?:\s+(?:the\s+)?(?:informed\s+)?consent(?:\s+form)?)?|symptoms?(?:\s+onset)?|stroke|injury|birth|"
    r"operation|procedure|participation|registration|the\s+study|this\s+study))"
)
# an offset says "before" in words: "3 months of treatment" is a duration, "within 3 months of screening" a window
_BEFORE_OFFSET = r"(?:prior\s+to|before|preceding|previous\s+to|ahead\s+of|in\s+advance\s+of)"
_BEFORE = rf"(?:{_BEFORE_OFFSET}|of)"
_AFTER = r"(?:after|following|post|from|since)"
# events of the patient's own disease, always behind at screening: a time "of" them runs after them
_PAST_EVENTS = (Anchor.ONSET, Anchor.DIAGNOSIS)

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # recent (<6 months), (≤ 3 months): a bracketed upper bound is a look-back window ("(< 12
    # years)" is left to the age grammar)
    (re.compile(rf"\(\s*(?:<|≤|<=|&lt;|less\s+than|under)\s*{_AMOUNT}\s*\)", re.I), "bracket"),
    # within (the last|past) 3 months (prior to|before) enrollment ("for over 6 months" is a duration)
    (re.compile(
        rf"\b(?:within|in|during|(?<!for\s)over)\s+(?:the\s+)?(?:(?:past|last|previous|preceding|prior)\s+)?{_AMOUNT}"
        rf"(?:\s*(?P<rel>{_BEFORE}|{_AFTER})\s+{_ANCHOR})?", re.I), "within"),
    # in the past/last/previous year (no number)
    (re.compile(
        rf"\b(?:in|within|during|over)\s+(?:the\s+)?(?P<w>past|last|previous|preceding|prior)\s+(?P<unit>{_BARE_PREP})s?\b"
        rf"(?:\s*(?P<rel>{_BEFORE}|{_AFTER})\s+{_ANCHOR})?", re.I), "within"),
    # at 12-24 weeks after onset / 3 months after stroke / 2 weeks before screening / 6 months ago
    (re.compile(
        rf"(?:\b(?P<pre>at|by|for(?:\s+(?P<cmp2>{_FOR_CMP}))?)\s+|(?P<cmp>{_OFFSET_CMP})\s*)?\b{_AMOUNT}\s*"
        rf"(?:(?P<rel>{_BEFORE_OFFSET}|{_AFTER})\s+{_ANCHOR}|(?P<ago>ago|earlier|previously|prior(?!\s+to\b)|or\s+(?:more|longer)\s+(?:ago|before|prior)))", re.I), "offset"),
    # for at least three months / for more than 6 months / for ≥1 year / for > 4 weeks (a duration;
    # a symbol may stand against the number)
    (re.compile(
        rf"\bfor\s+(?P<cmp>{_DURATION_CMP})(?:\s+|(?<=[<>=≤≥])\s*){_AMOUNT}(?!\w|\s*(?:/|per\b))",
        re.I), "duration"),
    # past year / last year / previous 6 months without a preposition
    (re.compile(rf"\b(?P<w>past|last|previous|preceding)\s+{_AMOUNT}", re.I), "within"),
    (re.compile(rf"\b(?:in\s+the\s+)?(?P<w>past|last|previous|preceding)\s+(?P<unit>{_BARE})\b", re.I), "within"),
]


# the "offset" pattern (its prefix is at most 40 characters: "for no more than"): tried only at the
# starts of the words and symbols right before each time amount, instead of at every position
_PREFIX_SPAN = 40
_AMOUNT_AT = re.compile(rf"{NUMBER_START}\b{_AMOUNT}", re.I)
_WORD_OR_SYMBOL_START = re.compile(r"(?<!\w)\w|[^\w\s]")


def _matches(rx: re.Pattern[str], kind: str, text: str) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)``; for the offset pattern, the leftmost match at a word's or a symbol's
    start within ``_PREFIX_SPAN`` characters before each amount (a match starts at its prefix or
    its amount)."""
    if kind != "offset":
        yield from rx.finditer(text)
        return
    last_end = 0
    for a in _AMOUNT_AT.finditer(text):
        p = a.start()
        if p < last_end:
            continue
        starts = [c.start() for c in _WORD_OR_SYMBOL_START.finditer(text, max(last_end, p - _PREFIX_SPAN), p)]
        m = next((m for q in (*starts, p) if (m := rx.match(text, q)) is not None), None)
        if m is not None:
            yield m
            last_end = m.end()


@dataclass(frozen=True, slots=True)
class TemporalMatch:
    start: int
    end: int
    kind: str  # "within" (a look-back window), "offset" (at/after an event), "duration"
    days: int | None  # window length or offset in days (upper end for a range)
    days_low: int | None  # lower end for a range ("3-12 months": 90)
    relation: str | None  # "before" | "after" | None
    anchor: str | None  # "enrollment", "receiving the test drug treatment", ...
    value: float | None
    value_high: float | None
    unit: str | None  # UCUM time unit
    core_end: int = -1  # end of the part before the anchor ("within 14 days prior to")
    comparator: str | None = None  # the comparator written ("at least 30 minutes": ">="), canonical
    rel_word: str | None = None  # the relation word as written, lower-cased ("since", "from", "of")
    led: bool = False  # a preposition leads the amount ("at", "by", "for": "for 3 months after ...")


def _days(value: float | None, unit: str | None) -> int | None:
    """Whole days (rounded): "3 months" -> 91, "1 year" -> 365, "48 hours" -> 2."""
    days = to_days(value, unit)
    return None if days is None else round(days)


# a quick test before the patterns: a time unit's name, or a number followed by a time unit (tried
# only where a name's first letter or a digit stands: one character class per position)
_HAS_TIME_WORD = re.compile(
    "(?=[\\d" + "".join(sorted({t.name[0] for t in time_units()})) + "])(?:"
    + "|".join(t.name for t in time_units()) + rf"|\d\s*(?:{TIME_UNIT_RE}))", re.I
)


def find_temporal(text: str) -> list[TemporalMatch]:
    if not _HAS_TIME_WORD.search(text):
        return []
    out: list[TemporalMatch] = []
    taken: list[tuple[int, int]] = []
    for rx, kind in _PATTERNS:
        for m in _matches(rx, kind, text):
            s, e = m.span()
            if any(not (e <= a or s >= b) for a, b in taken):
                continue
            gd = m.groupdict()
            unit = ucum_unit(gd.get("unit") or "")
            if unit is None or (kind == "bracket" and unit == "a"):
                continue
            found = "within" if kind == "bracket" else kind
            n1 = word_number(gd["n1"]) if gd.get("n1") else (1.0 if gd.get("w") else None)
            n2 = word_number(gd["n2"]) if gd.get("n2") else None
            if n1 is None:
                continue
            rel_word = (gd.get("rel") or "").lower()
            anchor = (gd.get("anchor") or "").strip() or None
            if rel_word == "since" and anchor and (anchor_of(anchor) == Anchor.LAST_DOSE or cue("treatment_word").search(anchor)):
                # "<= 3 months since treatment with any immunosuppressive therapy", "more than 28 days
                # since the last dose of vaccination": the time from the treatment to now, the
                # treatment a look-back window's (before the trial's event), not a time after it
                relation, anchor = "before", None
            elif rel_word == "from" and found == "within" and anchor_of(anchor) in TRIAL_ENTRY:
                # "within 6 months from Screening", "within 30 days from Visit 2": a window back from
                # the trial's entry, as "within 3 months of screening" (a time after it would lie
                # beyond any record read at screening)
                relation = "before"
            elif rel_word and re.match(_AFTER, rel_word):
                relation = "after"
            elif rel_word == "of" and anchor_of(anchor) in _PAST_EVENTS:
                # "within 48 hours of onset of ARDS", "within 72 hours of symptom onset": the disease's
                # own event lies behind, the time is after it (as "within 3 months of screening" is
                # before the trial's event)
                relation = "after"
            elif rel_word or gd.get("ago") or found == "within":
                relation = "before"
            else:
                relation = None
            if anchor and anchor.lower().startswith("the "):
                anchor = anchor[4:]
            high = n2 if n2 is not None else n1
            core_end = m.start("anchor") if gd.get("anchor") else e
            out.append(TemporalMatch(
                s, e, found, _days(high, unit), _days(n1, unit) if n2 is not None else None,
                relation, anchor, n1, n2, unit, core_end,
                comparators.canonical(gd.get("cmp") or gd.get("cmp2")) if n2 is None else None,
                rel_word or None, bool(gd.get("pre")),
            ))
            taken.append((s, e))
    out.sort(key=lambda t: t.start)
    return out
