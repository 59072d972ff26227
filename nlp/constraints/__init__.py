"""Stage 4: entities -> typed constraints (model v2, ``nlp.core.constraints``), logic, inferences."""

from nlp.constraints.builder import build_criterion, structured_constraints

__all__ = ["build_criterion", "structured_constraints"]
