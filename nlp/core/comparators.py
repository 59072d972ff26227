"""Comparators as validated data: the phrases the grammars read, their canonical comparator, and
the flip table.

Table: ``nlp/resources/comparators.json``. Phrases before a number ("at least", "≥", "no more
than", "inferior to") and after it ("or more", "and older", "+"), each mapped to one of
``>``, ``>=``, ``<``, ``<=``, ``=``; ``FLIP`` turns an exclusion into what the patient must
satisfy (``>`` <-> ``<=``, ``>=`` <-> ``<``, present <-> absent). Read once, validated on load;
``python -m nlp.core.comparators`` validates it and prints a summary.

spaCy-free: imports nothing from the pipeline or the constraints.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nlp.core.tables import TableError, check_pattern, fullmatches, read_table

COMPARATORS_FILE = "comparators.json"
Canonical = Literal[">", ">=", "<", "<=", "="]
# which grammar reads a phrase: the value grammar (nlp/pipeline/values.py) or the temporal one
# (nlp/pipeline/temporal.py): "less than 3 months before ...", "for at least 3 months after ...",
# "for at least three months"
Grammar = Literal["value", "temporal_offset", "temporal_for", "temporal_duration"]


class Phrase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pattern: str  # regex, matched case-insensitively
    canonical: Canonical
    grammars: tuple[Grammar, ...] = ("value",)
    # False for a word that only introduces a value ("a score of 5"): no comparator is stated
    states_comparator: bool = True
    examples: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Phrase:
        check_pattern(self.pattern)
        for ex in self.examples:
            if not fullmatches(self.pattern, ex):
                raise ValueError(f"example {ex!r} does not match pattern {self.pattern!r}")
        return self


class Suffix(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pattern: str  # regex after the number (and its unit), matched case-insensitively
    canonical: Canonical
    examples: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Suffix:
        check_pattern(self.pattern)
        for ex in self.examples:
            if not fullmatches(self.pattern, ex):
                raise ValueError(f"example {ex!r} does not match pattern {self.pattern!r}")
        return self


class ComparatorsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = ""
    phrases: tuple[Phrase, ...] = Field(min_length=1)
    suffixes: tuple[Suffix, ...] = ()
    flip: dict[str, str]

    @model_validator(mode="after")
    def _flip(self) -> ComparatorsFile:
        for c in (">", ">=", "<", "<="):
            if c not in self.flip:
                raise ValueError(f"flip: no entry for {c!r}")
        for a, b in self.flip.items():
            if self.flip.get(b) != a:
                raise ValueError(
                    f"flip: {a!r} -> {b!r}, but {b!r} -> {self.flip.get(b)!r} (must flip back)"
                )
        seen: set[str] = set()
        for p in self.phrases:
            if p.pattern in seen:
                raise ValueError(f"phrase {p.pattern!r} listed twice")
            seen.add(p.pattern)
        return self


@lru_cache(maxsize=8)
def load_comparators(path: str | None = None) -> ComparatorsFile:
    return read_table(Path(path) if path else COMPARATORS_FILE, ComparatorsFile)


@lru_cache(maxsize=1)
def _compiled() -> tuple[
    tuple[tuple[re.Pattern[str], Phrase], ...], tuple[tuple[re.Pattern[str], Suffix], ...]
]:
    table = load_comparators()
    return (
        tuple((re.compile(rf"^(?:{p.pattern})\s*$", re.I), p) for p in table.phrases),
        tuple((re.compile(rf"^\s*(?:{s.pattern})", re.I), s) for s in table.suffixes),
    )


# exclusion -> what the patient must satisfy
FLIP: dict[str, str] = dict(load_comparators().flip)
# the same comparison read from the other side ("8 % <= HbA1c" is "HbA1c >= 8 %")
MIRROR: dict[str, str] = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}


def phrases(grammar: Grammar = "value") -> tuple[Phrase, ...]:
    """The phrases ``grammar`` reads, in the order they are tried (longest first)."""
    return tuple(p for p in load_comparators().phrases if grammar in p.grammars)


def alternation(grammar: Grammar = "value") -> str:
    """One regex alternation of the phrases ``grammar`` reads, in table order."""
    return "|".join(f"(?:{p.pattern})" for p in phrases(grammar))


def suffixes() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(regex anchored at the start of the text after a value, canonical comparator), in order."""
    return tuple((rx, s.canonical) for rx, s in _compiled()[1])


@lru_cache(maxsize=4096)  # a handful of distinct comparator texts, read for every value
def phrase(text: str | None) -> Phrase | None:
    """The first phrase (in table order) the whole of ``text`` is, or None."""
    if not text or not text.strip():
        return None
    t = text.strip()
    return next((p for rx, p in _compiled()[0] if rx.match(t)), None)


@lru_cache(maxsize=4096)  # a handful of distinct comparator texts, read once per value
def canonical(text: str | None) -> str | None:
    """ ">", ">=", "<", "<=" or "=" for a comparator phrase ("at least" -> ">=", "inferior to" ->
    "<", "or more" -> ">="); None when ``text`` is not one."""
    p = phrase(text)
    if p is not None:
        return p.canonical
    if not text or not text.strip():
        return None
    t = text.strip()
    for rx, s in _compiled()[1]:
        m = rx.match(t)
        if m and m.end() == len(t):
            return s.canonical
    return None


# --- validation -----------------------------------------------------------------------------


def comparator_problems(table: ComparatorsFile) -> list[str]:
    """Quality checks: an example read as another comparator by an earlier phrase."""
    problems = []
    for p in table.phrases:
        for ex in p.examples:
            first = next(q for q in table.phrases if re.fullmatch(rf"(?:{q.pattern})\s*", ex, re.I))
            if first.canonical != p.canonical:
                problems.append(
                    f"{ex!r} (an example of {p.pattern!r}) is read as {first.canonical!r} "
                    f"by {first.pattern!r}, not {p.canonical!r}"
                )
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python -m nlp.core.comparators [comparators.json]``: validate and summarise."""
    args = argv if argv is not None else sys.argv[1:]
    try:
        table = load_comparators(args[0] if args else None)
    except TableError as exc:
        print(f"comparators: error: {exc}", file=sys.stderr)
        return 1
    problems = comparator_problems(table)
    for p in problems:
        print(f"comparators: problem: {p}", file=sys.stderr)
    by: dict[str, int] = {}
    for ph in table.phrases:
        by[ph.canonical] = by.get(ph.canonical, 0) + 1
    grammars: dict[str, int] = {}
    for ph in table.phrases:
        for g in ph.grammars:
            grammars[g] = grammars.get(g, 0) + 1
    print(
        f"{len(table.phrases)} phrases {by}, by grammar {grammars}, "
        f"{len(table.suffixes)} suffixes, flip {len(table.flip)} entries; {len(problems)} problems"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
