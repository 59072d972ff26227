"""Output helpers: atomic file writes (temp file + rename) so a batch never leaves half a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once, at import (os.umask can only be read by setting it)


def write_atomic(path: str | Path, text: str) -> None:
    with open_atomic(path) as fh:
        fh.write(text)


@contextlib.contextmanager
def open_atomic(path: str | Path) -> Iterator[TextIO]:
    """A text file to write bit by bit that appears at ``path`` only when the block ends without
    an error (a temp file beside it, then a rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        # mkstemp creates the file 0600; give it the mode a plain open() would have
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def connect_duckdb(path: str, read_only: bool = False) -> Any:
    """A DuckDB connection with its progress bar off: DuckDB draws one on stdout for any query
    that runs over two seconds, which would land in a command's output (``elig rank`` lines,
    JSON written to stdout)."""
    import duckdb

    con = duckdb.connect(path, read_only=read_only)
    con.execute("SET enable_progress_bar = false")
    return con
