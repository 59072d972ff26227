"""Stages 1-4 in order: the one module that imports them all.

record (stage 1) -> criteria (stage 2) -> entities per criterion (stage 3, spaCy) -> typed
constraints, logic and topics (stage 4). The Doc is closed here: the ``ParsedTrial`` it returns
holds concepts, never text a later stage would have to tag again.
"""

from __future__ import annotations

from spacy.language import Language

from nlp.constraints.builder import age_warnings, build_criterion, structured_constraints
from nlp.core.checks import age_doubts, excluded_requirements
from nlp.core.constraints import AnyConstraint
from nlp.core.document import AnnotatedCriterion, ParsedTrial
from nlp.core.topics import find_topics
from nlp.criteria import split_criteria
from nlp.pipeline.annotate import annotate_criteria, pipeline_lexicon
from nlp.pipeline.criterion_classifier import CriterionClassifier
from nlp.records import TrialRecord

__all__ = ["parse_record"]


def parse_record(record: TrialRecord, nlp: Language | None = None, *,
                 classifier: CriterionClassifier | None = None) -> ParsedTrial:
    """Split the record's criteria and, with a pipeline, tag entities in each and build the
    constraints (the default pipeline runs the trained NER first: its spans no rule claims are
    linked to concepts and marked ``source="model"``, see ``nlp.pipeline.load_pipeline``);
    ``classifier`` names the category of criteria the rules could not compute (``category``,
    ``reason``)."""
    split = split_criteria(record.eligibility_text)
    context = "\n".join(t for t in (record.brief_title, record.official_title, record.eligibility_text) if t)
    entities = annotate_criteria(nlp, split.criteria, context=context) if nlp is not None else {}
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
    text_constraints: list[AnyConstraint] = []
    lexicon = pipeline_lexicon(nlp) if nlp is not None else None
    topics = find_topics(record, lexicon) if lexicon is not None else ()
    targets = tuple(dict.fromkeys(t.concept_id for t in topics))
    for c in split.criteria:
        if nlp is None:
            criteria.append(AnnotatedCriterion(**c.model_dump()))
            continue
        built = build_criterion(c.id, c.section, entities.get(c.id, ()), record.eligibility_text,
                                (c.start, c.end), children.get(c.id, ()), lead=c.text, targets=targets)
        built_constraints = tuple(age_doubts(record, built.constraints))
        text_constraints.extend(built_constraints)
        criteria.append(AnnotatedCriterion(
            **c.model_dump(), entities=entities.get(c.id, ()), constraints=built_constraints,
            logic=built.logic, computable=built.computable, reason=built.reason,
        ))
    if lexicon is not None:
        # across criteria: an exclusion that would turn away every patient the inclusion admits
        criteria = excluded_requirements(criteria, lexicon.is_a)
    if classifier is not None:
        criteria = _classify(criteria, classifier)
    record_constraints = tuple(structured_constraints(record))
    warnings.extend(age_warnings(record, text_constraints))
    return ParsedTrial(record=record, headers=split.headers, criteria=tuple(criteria),
                       record_constraints=record_constraints, topics=topics, warnings=tuple(warnings))


def _classify(criteria: list[AnnotatedCriterion], classifier: CriterionClassifier) -> list[AnnotatedCriterion]:
    """Category and reason for the criteria the rules found nothing computable in (containers
    and judgement-only criteria keep the rules' reason)."""
    todo = [i for i, c in enumerate(criteria) if not c.computable and c.text.strip()
            and (c.reason or "").startswith("not recognised")]
    for i, (cat, p) in zip(todo, classifier.predict([criteria[i].text for i in todo]), strict=True):
        criteria[i] = criteria[i].model_copy(update={"category": cat, "reason": classifier.reason(cat, p)})
    return criteria
