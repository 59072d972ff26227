"""Parsing of structured age fields: "18 Years", "6 Months", "N/A", "1 month to 18 years old"."""

from __future__ import annotations

import re

from nlp.records.model import AgeLimit, AgeUnit

_UNITS: dict[str, AgeUnit] = {
    "year": "year", "years": "year", "yr": "year", "yrs": "year", "y": "year",
    "month": "month", "months": "month", "mo": "month", "mos": "month",
    "week": "week", "weeks": "week", "wk": "week", "wks": "week",
    "day": "day", "days": "day", "d": "day",
    "hour": "hour", "hours": "hour", "h": "hour",
    "minute": "minute", "minutes": "minute", "min": "minute",
}
_NUM_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*([A-Za-z]+)")
_NONE = {"", "n/a", "na", "none", "not applicable", "no limit", "-"}


def parse_age(text: str | None, default_unit: AgeUnit | None = None) -> AgeLimit | None:
    """Parse one age limit. Returns None for empty / "N/A"; raises ValueError if unreadable."""
    if text is None:
        return None
    clean = text.strip()
    if clean.lower().rstrip(".") in _NONE:
        return None
    m = _NUM_UNIT.fullmatch(clean.rstrip(".")) or _NUM_UNIT.match(clean)
    if m:
        unit = _UNITS.get(m.group(2).lower())
        if unit is None:
            raise ValueError(f"unknown age unit in {text!r}")
        return AgeLimit(value=float(m.group(1)), unit=unit, text=clean)
    if re.fullmatch(r"\d+(?:\.\d+)?", clean) and default_unit:
        return AgeLimit(value=float(clean), unit=default_unit, text=clean)
    raise ValueError(f"cannot read age {text!r}")


_RANGE = re.compile(
    r"(?P<lo>\d+(?:\.\d+)?\s*[A-Za-z]*)\s*(?:to|-|–|and)\s*(?P<hi>\d+(?:\.\d+)?\s*[A-Za-z]+)",
    re.I,
)
_MIN_ONLY = re.compile(
    r"(?P<lo>\d+(?:\.\d+)?\s*[A-Za-z]+)\s*(?:and\s+(?:older|over|above)|\+|or\s+older)", re.I
)
_MAX_ONLY = re.compile(r"(?:up\s+to|under|below|less\s+than)\s+(?P<hi>\d+(?:\.\d+)?\s*[A-Za-z]+)", re.I)
_PLUS = re.compile(r"(?P<lo>\d+(?:\.\d+)?)\s*\+\s*(?P<unit>[A-Za-z]+)", re.I)


def parse_age_range(text: str) -> tuple[AgeLimit | None, AgeLimit | None]:
    """Parse a page's age line: "18 Years to 60 Years (Adult)", "1 month to 18 years old",
    "18 Years and older", "up to 18 Years", "18+ years". Returns (minimum, maximum)."""
    clean = re.sub(r"\(.*?\)", " ", text).replace("old", " ").strip()
    m = _RANGE.search(clean)
    if m:
        hi = parse_age(m.group("hi"))
        lo_text = m.group("lo").strip()
        lo = parse_age(lo_text, default_unit=hi.unit if hi else None)
        return lo, hi
    m = _PLUS.search(clean)
    if m:
        return parse_age(f"{m.group('lo')} {m.group('unit')}"), None
    m = _MIN_ONLY.search(clean)
    if m:
        return parse_age(m.group("lo")), None
    m = _MAX_ONLY.search(clean)
    if m:
        return None, parse_age(m.group("hi"))
    single = _NUM_UNIT.search(clean)
    if single:
        return parse_age(single.group(0)), None
    raise ValueError(f"cannot read age range {text!r}")
