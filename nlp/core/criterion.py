"""The criteria stage's output types."""

from __future__ import annotations

from bisect import bisect_right
from typing import Literal

from pydantic import BaseModel, ConfigDict

from nlp.core.labels import Section


class Header(BaseModel):
    """A section header found in the eligibility text."""

    model_config = ConfigDict(frozen=True)

    section: Section
    text: str
    start: int
    end: int


class Criterion(BaseModel):
    """One criterion. ``start``/``end`` index the original eligibility text and cover the item's
    marker, its text and its descendants; ``text`` is the item's content with markdown escapes
    read as plain characters (``\\<`` -> ``<``) and without the marker. ``text_start`` is where
    ``text`` begins in the eligibility text; ``escapes`` lists (as offsets into ``text``) the
    characters that were backslash-escaped in the original, so any offset into ``text`` maps
    back with :meth:`source_offset`.

    ``kind`` is "item" for a line / bullet / numbered item, "clause" for a piece of an item
    that joined independent criteria with ";" (its parent's ``text`` then holds all clauses).
    For an "item" parent, ``text`` is only the item's own lines (e.g. a lead-in "...:") and
    its children follow it."""

    model_config = ConfigDict(frozen=True)

    id: str
    section: Section
    text: str
    start: int
    end: int
    text_start: int
    marker: str | None = None
    parent: str | None = None
    depth: int = 0
    escapes: tuple[int, ...] = ()

    kind: Literal["item", "clause"] = "item"
    # the group of the trial its header names ("MSC donor", "control group", "2 stage") where the
    # record lists its inclusions per group: whether the patient is of that group is not known
    group: str | None = None

    @property
    def group_doubt(self) -> str | None:
        """Why no fail of this criterion is certain when it is one group's (``group``), else None:
        the matcher, the cohort SQL and the Circe export withhold it alike."""
        if self.group is None:
            return None
        return f"a criterion of the group {self.group!r} of the trial, and the patient's group is not known"

    def source_offset(self, i: int) -> int:
        """Offset into the eligibility text of character ``i`` of ``text``."""
        return self.text_start + i + bisect_right(self.escapes, i)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of ``text`` to the eligibility text."""
        if end <= start:
            s = self.source_offset(start)
            return s, s
        return self.source_offset(start), self.source_offset(end - 1) + 1


class CriteriaSplit(BaseModel):
    model_config = ConfigDict(frozen=True)

    headers: tuple[Header, ...]
    criteria: tuple[Criterion, ...]

    def top_level(self, section: Section | None = None) -> list[Criterion]:
        return [c for c in self.criteria if c.parent is None and (section is None or c.section == section)]

    def children(self, criterion_id: str) -> list[Criterion]:
        return [c for c in self.criteria if c.parent == criterion_id]
