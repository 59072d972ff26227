"""Windows: the anchor event a written anchor names (``nlp/resources/anchors.json``)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from nlp.core.labels import Anchor, Relation
from nlp.core.tables import check_pattern, read_table


class AnchorRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    anchor: Anchor
    patterns: tuple[Annotated[str, AfterValidator(check_pattern)], ...]


class AnchorTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = ""
    anchors: tuple[AnchorRule, ...]


def read_anchor_table(source: str | Path = "anchors.json") -> AnchorTable:
    return read_table(source, AnchorTable)


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[Anchor, re.Pattern[str]], ...]:
    table = read_anchor_table()
    return tuple((r.anchor, re.compile(p, re.I)) for r in table.anchors for p in r.patterns)


@lru_cache(maxsize=4096)  # anchors repeat ("enrollment", "the first dose"): read each wording once
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
