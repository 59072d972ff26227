"""The condition concepts a trial's titles and condition list name: read once, while parsing, so
the reports never tag text again."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from nlp.core.lexicon import Lexicon
from nlp.core.record import TrialRecord


class Topic(BaseModel):
    """A condition concept the trial's titles or condition list name (read while parsing, so
    later stages never re-run the pipeline on them)."""

    model_config = ConfigDict(frozen=True)

    concept_id: str
    where: str  # "title", "official title", "conditions"
    text: str


def find_topics(record: TrialRecord, lexicon: Lexicon) -> tuple[Topic, ...]:
    """Condition concepts the titles and condition list name, first mention each, found with the
    lexicon's term lookup (titles are short names: no values, windows or clauses to read)."""
    found: dict[str, Topic] = {}
    sources = [("title", record.brief_title), ("official title", record.official_title)]
    sources += [("conditions", c) for c in record.conditions]
    for where, text in sources:
        for cid, start, _end in lexicon.find(text or ""):
            e = lexicon.get(cid)
            if e is None or e.label != "CONDITION" or cid in found:
                continue
            if (text or "")[:start].lower().endswith(("non-", "non ", "non")):
                continue  # "Non-ischemic cardiomyopathy" does not name ischemic cardiomyopathy
            found[cid] = Topic(concept_id=cid, where=where, text=text or "")
    return tuple(found.values())
