"""A criterion's logic: how its constraints and sub-criteria combine (nested ALL / ANY /
AT_LEAST groups, read at the content level: "has X or Y" is ANY(X, Y) in either section).

Defaults, as a coordinator reads a list: an inclusion requires all of its parts; an exclusion
excludes on any of its parts. Alternatives the text joins with "or" form a nested ANY group; a
condition an exclusion names at a grade forms a nested ALL group with that grade;
a lead-in "one of the following" / "at least two of" makes its sub-criteria ANY / AT_LEAST(n).
"""

from __future__ import annotations

from collections.abc import Sequence

from nlp.core.constraints import Group
from nlp.core.labels import GroupOp


def build_logic(section: str, constraint_ids: Sequence[str], groups: dict[str, str],
                children: Sequence[str] = (), children_at_least: int | None = None,
                together: dict[str, str] | None = None) -> Group | None:
    """``groups`` maps a constraint id to the id of its OR group, ``together`` to the id of its
    ALL group (a condition and the grade that qualifies it, inside an exclusion; an OR group
    wins); ``children_at_least`` is n when the lead-in asks for n of its sub-criteria (1: any of
    them), None when all are required."""
    slots: list[tuple[str, str]] = []  # ("id", constraint) | ("any", OR group) | ("all", ALL group), in order
    members: dict[tuple[str, str], list[str]] = {}
    for cid in constraint_ids:
        if cid in groups:
            slot = ("any", groups[cid])
        elif together and cid in together:
            slot = ("all", together[cid])
        else:
            slots.append(("id", cid))
            continue
        if slot not in members:
            members[slot] = []
            slots.append(slot)
        members[slot].append(cid)

    def item(slot: tuple[str, str]) -> str | Group:
        ids = members.get(slot, [slot[1]])
        if len(ids) == 1:
            return ids[0]
        return Group(op=GroupOp.ALL if slot[0] == "all" else GroupOp.ANY, items=tuple(ids))

    items = [item(s) for s in slots]
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
