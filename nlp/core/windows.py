"""Windows: the anchor event a written anchor names (``nlp/resources/anchors.json``)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, field_validator

from nlp.core.labels import Anchor, Relation


class AnchorRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    anchor: Anchor
    patterns: tuple[str, ...]

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"pattern {p!r} does not compile: {exc}") from None
        return patterns


class AnchorTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    anchors: tuple[AnchorRule, ...]


def read_anchor_table(text: str) -> AnchorTable:
    data = json.loads(text)
    data.pop("_comment", None)
    return AnchorTable.model_validate(data)


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[Anchor, re.Pattern[str]], ...]:
    table = read_anchor_table((resources.files("nlp.resources") / "anchors.json").read_text(encoding="utf-8"))
    return tuple((r.anchor, re.compile(p, re.I)) for r in table.anchors for p in r.patterns)


def anchor_of(text: str | None) -> Anchor:
    """The anchor event ``text`` names; enrollment when the text names none ("within 3 months")."""
    if not text:
        return Anchor.ENROLLMENT
    t = text.strip()
    for anchor, pattern in _rules():
        if pattern.search(t):
            return anchor
    return Anchor.EVENT


def relation_of(text: str | None) -> Relation:
    return Relation(text) if text in ("before", "after", "during") else Relation.BEFORE
