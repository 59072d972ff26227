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


def add_ner_model(nlp: Language, path: str | Path | None = None) -> Language:
    """Put the trained NER (``models/ner/model``: its ``tok2vec`` and ``ner``) in front of the
    rule components: ``elig_lexicon`` keeps its spans where no rule span overlaps and links them
    to concepts (``nlp.pipeline.linker``). ``InputError`` naming the path if the model is absent."""
    from nlp.pipeline.model_ner import load_ner_components

    model = load_ner_components(str(path) if path else None)
    first = nlp.pipe_names[0]
    nlp.add_pipe("tok2vec", source=model, before=first)
    nlp.add_pipe("ner", source=model, before=first)
    return nlp


@lru_cache(maxsize=2)
def load_pipeline(ner: bool = True) -> Language:
    """The shared pipeline (assembled once per process): the rule components and, with ``ner``
    and when ``models/ner/model`` is there, the trained NER in front of them."""
    from nlp.core.loading import collector_paused
    from nlp.pipeline.model_ner import NER_MODEL_DIR

    with collector_paused():
        nlp = assemble()
        if ner and (NER_MODEL_DIR / "meta.json").is_file():
            add_ner_model(nlp)
    return nlp
