"""The criteria stage's output types live in the core (``nlp.core.criterion``)."""

from nlp.core.criterion import CriteriaSplit, Criterion, Header

__all__ = ["CriteriaSplit", "Criterion", "Header"]
