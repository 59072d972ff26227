"""The statistical NER (``models/ner/model``, trained by ``python -m nlp.training.ner``) beside
the rule pipeline: rules keep what they tag (with concept ids and values); the model adds the
spans where the rules found nothing (no overlap with any rule span), marked ``source="model"``.

Models live in the repository's top-level ``models/`` folder, not in the package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from spacy.language import Language

import nlp as _pkg
from nlp.core.entity import Entity
from nlp.criteria import Criterion
from nlp.errors import InputError

MODELS_DIR = Path(_pkg.__file__).resolve().parent.parent / "models"
NER_MODEL_DIR = MODELS_DIR / "ner" / "model"


def _missing(path: Path, what: str, how: str) -> InputError:
    return InputError(str(path), f"{what} not found (train it with `{how}`)")


@lru_cache(maxsize=2)
def load_ner_model(path: str | None = None) -> Language:
    """The trained NER pipeline (cached per path); ``InputError`` naming the path if missing."""
    import spacy

    from nlp.pipeline import tokenizer  # noqa: F401  (registers elig.tokenizer.v1)

    p = Path(path) if path else NER_MODEL_DIR
    if not (p / "meta.json").is_file():
        raise _missing(p, "NER model", "python -m nlp.training.ner --out models/ner")
    return spacy.load(p)


def overlaps(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def combine(rule_spans: Sequence[tuple[int, int, str]],
            model_spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str, str]]:
    """Rule spans, plus the model spans overlapping none of them; each with its source."""
    out = [(s, e, label, "rules") for s, e, label in rule_spans]
    taken = [(s, e) for s, e, _ in rule_spans]
    out += [(s, e, label, "model") for s, e, label in model_spans if not overlaps((s, e), taken)]
    return sorted(out)


def model_entities(model: Language, criteria: Sequence[Criterion],
                   rule_entities: Mapping[str, Sequence[Entity]], batch_size: int = 256) -> list[tuple]:
    """Per criterion, the model's entities that overlap no rule entity of that criterion."""
    out = []
    for crit, doc in zip(criteria, model.pipe((c.text for c in criteria), batch_size=batch_size), strict=True):
        taken = [(e.start, e.end) for e in rule_entities.get(crit.id, ())]
        extra = []
        for ent in doc.ents:
            s, e = crit.source_span(ent.start_char, ent.end_char)
            if not overlaps((s, e), taken):
                extra.append(Entity(label=ent.label_, text=ent.text, start=s, end=e, source="model"))
        out.append(tuple(extra))
    return out
