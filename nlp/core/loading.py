"""Bulk loading of long-lived data (a lexicon, the vocabulary, the linker's index, the pipeline)."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TypeVar

V = TypeVar("V")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a bulk load builds long-lived objects: each
    collection would traverse every object built so far, again and again, and none of them is
    garbage (a fifth of a cold start). Nested uses are fine: the collector runs again when the
    outermost one ends, if it ran before."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class DecodedOnUse(Mapping[str, V]):
    """Values kept as their text by key and decoded when first asked for, then kept (``_decode``:
    the subclass's reading of one text): the vocabulary's entries, a store's constraint contents,
    of which one run reads a share."""

    def __init__(self, texts: dict[str, str]) -> None:
        self._text = texts
        self._decoded: dict[str, V] = {}

    def _decode(self, key: str, text: str) -> V:
        raise NotImplementedError

    def __getitem__(self, key: str) -> V:
        v = self._decoded.get(key)
        if v is None:
            v = self._decoded[key] = self._decode(key, self._text[key])  # KeyError: no such key
        return v

    def __contains__(self, key: object) -> bool:
        return key in self._text

    def __iter__(self) -> Iterator[str]:
        return iter(self._text)

    def __len__(self) -> int:
        return len(self._text)
