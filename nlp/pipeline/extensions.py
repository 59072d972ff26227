"""Custom attributes set by the pipeline: plain values only (str, bool, int, float, tuples), so
``Doc.to_bytes()``, pickling and ``nlp.pipe(n_process=2)`` work."""

from __future__ import annotations

from spacy.tokens import Span

SPAN_ATTRS: dict[str, object] = {
    # lexicon concept (its name, category and codes: the pipeline's ``Lexicon``, nlp.core.lexicon)
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


register_extensions()
