"""Custom attributes set by the pipeline: plain values only (str, bool, int, float, tuples), so
``Doc.to_bytes()``, pickling and ``nlp.pipe(n_process=2)`` work."""

from __future__ import annotations

from spacy.tokens import Span

# concept id -> (name, category, codes as "system|code"): filled by the lexicon component when it
# is built; the Span getters below read it, so only the id is stored per span.
CONCEPTS: dict[str, tuple[str, str, tuple[str, ...]]] = {}


def _concept_field(i: int, default: object):  # type: ignore[no-untyped-def]
    def get(span: Span) -> object:
        info = CONCEPTS.get(span._.concept_id) if span._.concept_id else None
        return info[i] if info else default

    return get


GETTERS = {
    "concept_name": _concept_field(0, None),
    "category": _concept_field(1, None),
    "codes": _concept_field(2, ()),
}

SPAN_ATTRS: dict[str, object] = {
    # lexicon concept (name, category and codes are getters over CONCEPTS)
    "concept_id": None,
    # values
    "comparator": None, "value": None, "value_high": None, "unit": None, "second_value": None,
    "low_unit": None,
    # temporal
    "window_days": None, "window_days_low": None, "relation": None, "anchor": None,
    "temporal_kind": None,
    # context (copied from medspaCy ConText, then the Python objects are cleared)
    "negated": False, "historical": False, "hypothetical": False, "family": False,
    "excepted": False, "positive": False,
}


def register_extensions() -> None:
    for name, default in SPAN_ATTRS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    for name, getter in GETTERS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, getter=getter)


register_extensions()
