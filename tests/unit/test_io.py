from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from nlp.io import _UMASK, write_atomic


def test_write_atomic_gives_the_mode_of_a_plain_open(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.json"
    write_atomic(target, "{}\n")
    assert target.read_text() == "{}\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_UMASK
    assert [p.name for p in target.parent.iterdir()] == ["out.json"]


def test_write_atomic_leaves_no_partial_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old\n")

    with pytest.raises(TypeError):
        write_atomic(target, object())  # type: ignore[arg-type]
    assert target.read_text() == "old\n"  # the previous version is untouched
    assert sorted(os.listdir(tmp_path)) == ["out.json"]  # no temp file left behind
