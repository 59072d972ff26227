"""The persistent artifact: one JSON document per parsed trial, with a ``schema_version``.

Later stages add fields (entities, constraints) to the same document; a consumer checks
``schema_version`` before reading.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from spacy.language import Language

from nlp import __version__
from nlp.constraints.builder import age_warnings, build_criterion, structured_constraints
from nlp.constraints.model import Constraint
from nlp.criteria import Criterion, Header, split_criteria
from nlp.pipeline.annotate import Entity, annotate_criteria
from nlp.pipeline.criterion_classifier import CriterionClassifier
from nlp.records import TrialRecord

SCHEMA_VERSION = 1


class Generator(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = "elig-analyzer"
    version: str = __version__


class AnnotatedCriterion(Criterion):
    """A criterion with the entities tagged in its own text, and the constraints built from
    them; ``computable`` is false (with ``reason``) when nothing computable could be built."""

    entities: tuple[Entity, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    computable: bool = False
    reason: str | None = "not analysed: parsed without the NLP pipeline"
    # set by the criterion classifier (models/classifier) where the rules built nothing computable
    category: str | None = None


class ParsedTrial(BaseModel):
    model_config = ConfigDict(frozen=True)

    schema_version: Literal[1] = SCHEMA_VERSION
    generator: Generator = Field(default_factory=Generator)
    record: TrialRecord
    headers: tuple[Header, ...]
    criteria: tuple[AnnotatedCriterion, ...]
    record_constraints: tuple[Constraint, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.record.label


def criteria_for_quote(doc: ParsedTrial, quote: str, overlap: bool = False) -> list[AnnotatedCriterion]:
    """The criteria holding ``quote`` (first occurrence in the eligibility text): those that
    contain it, or with ``overlap`` those that overlap it."""
    pos = doc.record.eligibility_text.find(quote)
    if pos < 0:
        return []
    end = pos + len(quote)
    if overlap:
        return [c for c in doc.criteria if c.start < end and pos < c.end]
    return [c for c in doc.criteria if c.start <= pos and end <= c.end]


def parse_record(record: TrialRecord, nlp: Language | None = None, *, ner_model: Language | None = None,
                 classifier: CriterionClassifier | None = None) -> ParsedTrial:
    """Split the record's criteria and, with a pipeline, tag entities in each. ``ner_model``
    adds the statistical NER's spans where no rule span overlaps (``source="model"``; they are
    shown, constraints are built from the rule spans only); ``classifier`` names the category
    of criteria the rules could not compute (``category``, ``reason``)."""
    split = split_criteria(record.eligibility_text)
    entities = annotate_criteria(nlp, split.criteria, ner_model=ner_model) if nlp is not None else {}
    warnings: list[str] = []
    if not split.criteria:
        warnings.append("no criteria found in the eligibility text (headers only)")
    elif not split.headers:
        warnings.append("no inclusion/exclusion headers: all criteria are in section 'unspecified'")
    children: dict[str, list[str]] = {}
    for c in split.criteria:
        if c.parent:
            children.setdefault(c.parent, []).append(c.id)
    criteria = []
    text_constraints = []
    for c in split.criteria:
        if nlp is None:
            criteria.append(AnnotatedCriterion(**c.model_dump()))
            continue
        rule_ents = tuple(e for e in entities.get(c.id, ()) if e.source == "rules")
        built = build_criterion(c.id, c.section, rule_ents, record.eligibility_text,
                                (c.start, c.end), children.get(c.id, ()))
        text_constraints.extend(built.constraints)
        criteria.append(AnnotatedCriterion(
            **c.model_dump(), entities=entities.get(c.id, ()), constraints=built.constraints,
            computable=built.computable, reason=built.reason,
        ))
    if classifier is not None:
        criteria = _classify(criteria, classifier)
    record_constraints = tuple(structured_constraints(record))
    warnings.extend(age_warnings(record, text_constraints))
    return ParsedTrial(record=record, headers=split.headers, criteria=tuple(criteria),
                       record_constraints=record_constraints, warnings=tuple(warnings))


def _classify(criteria: list[AnnotatedCriterion], classifier: CriterionClassifier) -> list[AnnotatedCriterion]:
    """Category and reason for the criteria the rules found nothing computable in (containers
    and judgement-only criteria keep the rules' reason)."""
    todo = [i for i, c in enumerate(criteria) if not c.computable and c.text.strip()
            and (c.reason or "").startswith("not recognised")]
    for i, (cat, p) in zip(todo, classifier.predict([criteria[i].text for i in todo]), strict=True):
        criteria[i] = criteria[i].model_copy(update={"category": cat, "reason": classifier.reason(cat, p)})
    return criteria
