"""Stage 4: entities -> typed, comparable constraints (pydantic), normalisation, comparison."""

from nlp.constraints.model import NUMERIC_KINDS, Concept, Constraint, Evidence, Window
from nlp.constraints.normal import compare, must_comparator, normal_form

__all__ = ["NUMERIC_KINDS", "Concept", "Constraint", "Evidence", "Window", "compare", "must_comparator", "normal_form"]
