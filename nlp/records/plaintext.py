"""Plain text holding only eligibility criteria."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath

from nlp.errors import InputError
from nlp.records.model import TrialRecord


def read_plaintext(text: str, source: str) -> Iterator[TrialRecord | InputError]:
    if not text.strip():
        yield InputError(source, "no eligibility text (file has only whitespace)")
        return
    stem = PurePath(source).stem
    nct = stem.upper() if re.fullmatch(r"NCT\d{8}", stem, re.I) else None
    yield TrialRecord(source=source, format="text", nct_id=nct, eligibility_text=text)
