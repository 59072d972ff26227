"""Stage 1: trial records from files (no spaCy).

``read_path(path)`` yields a ``TrialRecord`` per trial found, or an ``InputError`` for each
input (or record inside a batch file) that cannot be read; one bad record never stops the rest.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from nlp.errors import InputError
from nlp.records.model import AgeLimit, Intervention, TrialRecord

Format = Literal["auto", "ctgov-json", "ctgov-xml", "webpage", "text"]
FORMATS: tuple[str, ...] = ("auto", "ctgov-json", "ctgov-xml", "webpage", "text")
# format -> (module, reader function), imported when a record of that format is first read:
# commands that read no records (`elig rank`, `match` on stored trials) do not import them
_READERS = {
    "ctgov-json": ("nlp.records.ctgov_json", "read_ctgov_json"),
    "ctgov-xml": ("nlp.records.ctgov_xml", "read_ctgov_xml"),
    "webpage": ("nlp.records.webpage", "read_webpage"),
    "text": ("nlp.records.plaintext", "read_plaintext"),
}
# Files a directory walk reads; others (images, archives) are skipped, not reported.
INPUT_SUFFIXES = {".json", ".jsonl", ".ndjson", ".xml", ".txt", ".text", ".htm", ".html", ".md"}

__all__ = [
    "FORMATS",
    "AgeLimit",
    "Format",
    "InputError",
    "Intervention",
    "TrialRecord",
    "decode",
    "detect_format",
    "iter_input_files",
    "read_path",
    "read_text",
]


def decode(data: bytes, source: str) -> str:
    """Bytes -> text, refusing empty and binary input with a clear message."""
    if not data.strip():
        raise InputError(source, "empty file")
    if b"\x00" in data[:8192]:
        raise InputError(source, "binary file, not a trial record")
    for enc in ("utf-8-sig",):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    # Text pasted on Windows machines: cp1252 covers it; anything else is treated as binary.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(source, "binary or non-text file (not UTF-8)") from None
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > 8:
        raise InputError(source, "binary file, not a trial record")
    return text


def detect_format(text: str) -> str:
    from nlp.records.webpage import looks_like_html, looks_like_webpage

    head = text.lstrip()[:1]
    if head in "{[":
        return "ctgov-json"
    if head == "<":
        low = text.lstrip()[:4000].lower()
        if "<clinical_study" in low or (low.startswith("<?xml") and not looks_like_html(text)):
            return "ctgov-xml"
        if looks_like_html(text):
            return "webpage"
        return "ctgov-xml"
    if looks_like_webpage(text):
        return "webpage"
    return "text"


def read_text(text: str, source: str, fmt: str = "auto") -> Iterator[TrialRecord | InputError]:
    if fmt not in FORMATS:
        yield InputError(source, f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
        return
    if not text.strip():
        yield InputError(source, "empty file")
        return
    chosen = detect_format(text) if fmt == "auto" else fmt
    module, name = _READERS[chosen]
    yield from getattr(importlib.import_module(module), name)(text, source)


def iter_input_files(path: Path) -> Iterator[Path]:
    """A file itself, or the input files under a directory (recursively, sorted)."""
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith("."):
                yield p
    else:
        yield path


def read_path(path: str | Path, fmt: str = "auto") -> Iterator[TrialRecord | InputError]:
    """Read one file, a directory (recursively) or ``-`` (stdin)."""
    if str(path) == "-":
        try:
            data = sys.stdin.buffer.read()
            text = decode(data, "<stdin>")
        except InputError as exc:
            yield exc
            return
        yield from read_text(text, "<stdin>", fmt)
        return
    p = Path(path)
    if not p.exists():
        yield InputError(str(p), "no such file or directory")
        return
    for f in iter_input_files(p):
        try:
            text = decode(f.read_bytes(), str(f))
        except InputError as exc:
            yield exc
            continue
        except OSError as exc:
            yield InputError(str(f), f"cannot read file: {exc.strerror or exc}")
            continue
        yield from read_text(text, str(f), fmt)
