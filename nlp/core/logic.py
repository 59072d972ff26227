"""A criterion's logic: how its constraints and sub-criteria combine (nested ALL / ANY /
AT_LEAST groups, read at the content level: "has X or Y" is ANY(X, Y) in either section).

Defaults, as a coordinator reads a list: an inclusion requires all of its parts; an exclusion
excludes on any of its parts. Alternatives the text joins with "or" form a nested ANY group;
a lead-in "one of the following" / "at least two of" makes its sub-criteria ANY / AT_LEAST(n).
"""

from __future__ import annotations

from collections.abc import Sequence

from nlp.core.constraints import Group
from nlp.core.labels import GroupOp


def build_logic(section: str, constraint_ids: Sequence[str], groups: dict[str, str],
                children: Sequence[str] = (), children_at_least: int | None = None) -> Group | None:
    """``groups`` maps a constraint id to the id of its OR group; ``children_at_least`` is n when
    the lead-in asks for n of its sub-criteria (1: any of them), None when all are required."""
    items: list[str | Group] = []
    members: dict[str, list[str]] = {}
    for cid in constraint_ids:
        g = groups.get(cid)
        if g is None:
            items.append(cid)
            continue
        if g not in members:
            members[g] = []
            items.append(g)  # placeholder, replaced below
        members[g].append(cid)
    items = [Group(op=GroupOp.ANY, items=tuple(members[it])) if isinstance(it, str) and it in members
             and len(members[it]) > 1 else (members[it][0] if isinstance(it, str) and it in members else it)
             for it in items]
    exclusion = section == "exclusion"
    kids: list[str | Group] = list(children)
    if kids and children_at_least is not None and not exclusion:
        n = children_at_least
        kid_group = Group(op=GroupOp.ANY, items=tuple(kids)) if n <= 1 else \
            Group(op=GroupOp.AT_LEAST, n=n, items=tuple(kids))
        kids = [kid_group] if len(children) > 1 or n > 1 else list(children)
    parts = items + kids
    if not parts:
        return None
    return Group(op=GroupOp.ANY if exclusion else GroupOp.ALL, items=tuple(parts))
