"""The record stage's output type lives in the core (``nlp.core.record``)."""

from nlp.core.record import AgeLimit, AgeUnit, Intervention, Sex, SourceFormat, TrialRecord

__all__ = ["AgeLimit", "AgeUnit", "Intervention", "Sex", "SourceFormat", "TrialRecord"]
