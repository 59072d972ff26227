"""Stage 5a: ParsedTrial x Patient -> MatchReport."""

from nlp.matching.evaluate import Matcher, MatchReport, rank
from nlp.matching.patient import Patient, load_patient

__all__ = ["MatchReport", "Matcher", "Patient", "load_patient", "rank"]
