"""Stage 3: all spaCy code. ``load_pipeline()`` assembles the rule pipeline from
``nlp/resources/pipeline.cfg`` (no training, no downloads); ``annotate_criteria`` runs it over a
trial's criteria (one Doc per criterion) and returns entities with offsets into the eligibility
text."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from spacy.language import Language

CONFIG_PATH = Path(str(resources.files("nlp.resources") / "pipeline.cfg"))


def assemble(config_path: str | Path | None = None) -> Language:
    """Build and initialise the rule pipeline from its config."""
    from spacy import util

    from nlp.pipeline import components, tokenizer  # noqa: F401  (register factories)

    config = util.load_config(Path(config_path) if config_path else CONFIG_PATH)
    nlp = util.load_model_from_config(config, auto_fill=True, validate=True)
    nlp.initialize()
    return nlp


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """The shared rule pipeline (assembled once per process)."""
    return assemble()
