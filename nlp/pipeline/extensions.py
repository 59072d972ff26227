"""Custom attributes set by the pipeline: plain values only (str, bool, int, float, tuples), so
``Doc.to_bytes()``, pickling and ``nlp.pipe(n_process=2)`` work."""

from __future__ import annotations

from spacy.tokens import Doc, Span

# spaCy keeps an extension's value in ``doc.user_data`` under ("._.", name, start_char, end_char)
# for a span, ("._.", name, None, None) for the Doc itself.
ExtensionKey = tuple[str, str, int | None, int | None]

SPAN_ATTRS: dict[str, object] = {
    # lexicon concept (its name, category and codes: the pipeline's ``Lexicon``, nlp.core.lexicon)
    "concept_id": None,
    # a quantity no vocabulary has: the name it is read under (``elig_values``: "cartilage defect diameter")
    "concept_name": None,
    # values
    "comparator": None, "value": None, "value_high": None, "unit": None, "second_value": None,
    "low_unit": None,
    # temporal
    "window_days": None, "window_days_low": None, "relation": None, "anchor": None,
    "temporal_kind": None,
    # context (copied from medspaCy ConText, then the Python objects are cleared)
    "negated": False, "historical": False, "hypothetical": False, "family": False,
    "excepted": False, "positive": False,
    # who found the span: "rules", or "model" (the statistical NER, where no rule span overlaps)
    # with how its concept was linked ("exact", "head", "ngram"; None: unlinked)
    "source": "rules", "linked_by": None,
}


def user_data(doc: Doc) -> dict[str | ExtensionKey, object]:
    """``doc.user_data`` as spaCy fills it: the pipeline's own string keys, and extension values
    under ``ExtensionKey`` tuples (read there directly: much faster than ``span._``)."""
    # spaCy's stub (spacy/tokens/doc.pyi) declares Dict[str, Any], but spaCy's Underscore stores
    # every extension value under a tuple key, so the stub's key type is wrong.
    return doc.user_data  # type: ignore[return-value]


def register_extensions() -> None:
    for name, default in SPAN_ATTRS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


register_extensions()
