"""Reading the knowledge tables of ``nlp/resources`` (JSON files validated by pydantic models).

A table is read from the package (``read_table("units.json", Model)``) or from a path the user
gives (``read_table(Path("my_units.json"), Model)``). Any problem raises :class:`TableError` with
one line naming the file, where in it, and what is wrong.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError

M = TypeVar("M", bound=BaseModel)


class TableError(ValueError):
    """A knowledge table that cannot be read or fails validation; the message names the file."""


def read_table(source: str | Path, model: type[M]) -> M:
    """``source``: a file name in ``nlp/resources`` (str) or a path to any file (Path)."""
    if isinstance(source, Path):
        path, label = source, str(source)
    else:
        path, label = Path(str(resources.files("nlp.resources") / source)), source
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TableError(f"{label}: cannot read the file ({exc.strerror or exc})") from None
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise TableError(f"{label}: {where}: {first['msg']}{more}") from None


def _fraction(v: object) -> object:
    """Numbers may be written as fractions in the tables: "1/24", "365.25/12"."""
    if isinstance(v, str):
        m = re.fullmatch(r"\s*([0-9.]+(?:[eE]-?\d+)?)\s*/\s*([0-9.]+(?:[eE]-?\d+)?)\s*", v)
        if not m:
            raise ValueError(f"{v!r} is neither a number nor a fraction 'a/b'")
        return float(m.group(1)) / float(m.group(2))
    return v


Number = Annotated[float, BeforeValidator(_fraction)]


def check_pattern(pattern: str, flags: int = re.I) -> str:
    """A written-form regex: it must compile, and survive being embedded in a verbose
    (``re.X``) pattern unchanged: no literal whitespace, no ``#``."""
    if not pattern:
        raise ValueError("empty pattern")
    if re.search(r"\s|#", pattern):
        raise ValueError(
            f"pattern {pattern!r}: literal whitespace or '#' (write \\s, and no comments)"
        )
    if flags & re.I and re.search(r"(?<!\(\?-i:)\[A-Z", pattern):
        # ("[A-Z]" read case-insensitively is any letter: sentence_cut's "a full stop before a
        # capital" cut "e.g. pacemaker")
        raise ValueError(f"pattern {pattern!r}: a capital class read case-insensitively (pin it: (?-i:[A-Z]))")
    try:
        re.compile(pattern, flags)
    except re.error as exc:
        raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from None
    return pattern


def fullmatches(pattern: str, text: str, flags: int = re.I) -> bool:
    return re.fullmatch(pattern, text, flags) is not None
