"""The criterion classifier (``models/classifier/classifier.joblib``, trained by
``python -m nlp.training.classifier``) beside the rule pipeline: for a criterion where the rules
built nothing computable, it names the criterion's category in ``category`` and ``reason``
(``computable`` stays false). Loaded with joblib; the scikit-learn version it was saved with
must match the installed one (major.minor)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp.errors import InputError
from nlp.pipeline.model_ner import MODELS_DIR

CLASSIFIER_PATH = MODELS_DIR / "classifier" / "classifier.joblib"

REASONS = {
    "judgement": "left to the investigator's judgement",
    "consent": "consent (no computable constraint built)",
    "trial_participation": "trial participation (no computable constraint built)",
    "pregnancy": "pregnancy or contraception (no computable constraint built)",
    "demographic": "demographic (no computable constraint built)",
    "measurement": "measurement (no computable constraint built)",
    "condition": "condition (no computable constraint built)",
    "therapy": "therapy (no computable constraint built)",
    "procedure": "procedure (no computable constraint built)",
    "other": "no computable concept, value or judgement found",
}


@dataclass(frozen=True)
class CriterionClassifier:
    model: Any
    classes: tuple[str, ...]
    sklearn_version: str

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(class, probability) per text."""
        if not texts:
            return []
        probs = self.model.predict_proba(list(texts))
        names = list(self.model.classes_)
        return [(names[int(row.argmax())], float(row.max())) for row in probs]

    @staticmethod
    def reason(category: str, prob: float) -> str:
        return f"not recognised by the rules; classifier: {REASONS.get(category, category)} ({category}, p={prob:.2f})"


@lru_cache(maxsize=2)
def load_classifier(path: str | None = None) -> CriterionClassifier:
    """The trained classifier (cached); ``InputError`` naming the file if missing or unusable."""
    import joblib
    import sklearn

    p = Path(path) if path else CLASSIFIER_PATH
    if not p.is_file():
        raise InputError(str(p), "criterion classifier not found (train it with "
                                 "`python -m nlp.training.classifier --out models/classifier`)")
    saved = None
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a version mismatch is reported below, in one line
            data = joblib.load(p)
        saved = str(data["sklearn_version"])
        if saved.split(".")[:2] != sklearn.__version__.split(".")[:2]:
            raise InputError(str(p), f"saved with scikit-learn {saved}, installed {sklearn.__version__}: retrain it")
        return CriterionClassifier(data["model"], tuple(data["classes"]), saved)
    except InputError:
        raise
    except Exception as exc:  # a corrupt or foreign file
        raise InputError(str(p), f"not a criterion classifier ({type(exc).__name__}: {exc})") from None
