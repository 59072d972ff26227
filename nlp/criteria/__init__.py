"""Stage 2: TrialRecord eligibility text -> sections and a tree of criteria with offsets."""

from nlp.criteria.model import CriteriaSplit, Criterion, Header
from nlp.criteria.splitter import coverage_problems, split_criteria

__all__ = ["CriteriaSplit", "Criterion", "Header", "coverage_problems", "split_criteria"]
