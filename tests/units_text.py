"""Finding UCUM codes in text meant for people: a number followed by a unit code whose display
form differs ("65 a", "≥ 1.5 10*9/L", "6 {score}", "110 mm[Hg]", "2.5 xULN"). A match that the
trials' own eligibility text contains is a quote of the record, not a leak."""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.core.units import load_time_units, load_units


def _codes() -> list[str]:
    shown = [u.code for u in load_units().units if u.display != u.code]
    times = [t.code for t in load_time_units().units if t.code in ("a", "mo", "wk")]
    return sorted(set(shown + times), key=len, reverse=True)


_PATTERN = re.compile(r"\d+(?:[.,]\d+)?\s?(?:" + "|".join(re.escape(c) for c in _codes()) + r")(?![\w\]}/])")


def ucum_leaks(text: str, sources: Sequence[str]) -> list[str]:
    """The unit codes after numbers in ``text`` that no source text contains."""
    return sorted({m.group(0) for m in _PATTERN.finditer(text) if not any(m.group(0) in s for s in sources)})
