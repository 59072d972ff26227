"""The statistical NER (``models/ner/model``, trained by ``python -m nlp.training.ner``). The
default pipeline runs it in front of the rule components (``nlp.pipeline.add_ner_model``): rules
keep what they tag; the model's spans no rule span overlaps are linked to concepts
(``nlp.pipeline.linker``) and marked ``source="model"``. ``combine`` is the same precedence on
plain offsets, for the evaluation against Chia.

Models live in the repository's top-level ``models/`` folder, not in the package.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from spacy.language import Language

import nlp as _pkg
from nlp.errors import InputError

MODELS_DIR = Path(_pkg.__file__).resolve().parent.parent / "models"
NER_MODEL_DIR = MODELS_DIR / "ner" / "model"


def _missing(path: Path, what: str, how: str) -> InputError:
    return InputError(str(path), f"{what} not found (train it with `{how}`)")


def _model_dir(path: str | None) -> Path:
    """The NER model's directory (the trained one by default); ``InputError`` naming it if missing."""
    p = Path(path) if path else NER_MODEL_DIR
    if not (p / "meta.json").is_file():
        raise _missing(p, "NER model", "python -m nlp.training.ner --out models/ner")
    return p


@lru_cache(maxsize=2)
def load_ner_model(path: str | None = None) -> Language:
    """The trained NER pipeline (cached per path); ``InputError`` naming the path if missing."""
    import spacy

    from nlp.pipeline import tokenizer  # noqa: F401  (registers elig.tokenizer.v1)

    return spacy.load(_model_dir(path))


@lru_cache(maxsize=2)
def load_ner_components(path: str | None = None) -> Language:
    """The trained NER's components (``tok2vec``, ``ner``) for sourcing into another pipeline, on
    a bare tokenizer: the model's own is never run there, and building it (the English exceptions)
    is a tenth of a cold start. ``InputError`` naming the path if missing."""
    import spacy

    from nlp.pipeline import tokenizer  # noqa: F401  (registers elig.bare_tokenizer.v1)

    return spacy.load(_model_dir(path), exclude=["tokenizer"],
                      config={"nlp": {"tokenizer": {"@tokenizers": "elig.bare_tokenizer.v1"}}})


def overlaps(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def combine(rule_spans: Sequence[tuple[int, int, str]],
            model_spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str, str]]:
    """Rule spans, plus the model spans overlapping none of them; each with its source."""
    out = [(s, e, label, "rules") for s, e, label in rule_spans]
    taken = [(s, e) for s, e, _ in rule_spans]
    out += [(s, e, label, "model") for s, e, label in model_spans if not overlaps((s, e), taken)]
    return sorted(out)
