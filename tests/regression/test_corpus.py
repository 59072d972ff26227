"""Whole-corpus checks on the 1,099 ctgov-msc records (skipped without ../shared)."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import MSC_DIR, need

from nlp.analyze import parse_record
from nlp.core.document import ParsedTrial
from nlp.errors import InputError
from nlp.evaluation.computable import computable_stats
from nlp.pipeline import load_pipeline
from nlp.records import read_path


@pytest.fixture(scope="module")
def corpus() -> list[ParsedTrial]:
    nlp = load_pipeline()
    docs = []
    for rec in read_path(need(MSC_DIR)):
        assert not isinstance(rec, InputError), str(rec)
        docs.append(parse_record(rec, nlp))
    return docs


def test_corpus_every_record_parses_and_round_trips(corpus: list[ParsedTrial]) -> None:
    assert len(corpus) >= 1099
    for doc in corpus:
        again = ParsedTrial.model_validate_json(doc.model_dump_json(by_alias=True))
        assert again == doc, doc.record.nct_id


def test_corpus_no_silent_criterion(corpus: list[ParsedTrial]) -> None:
    for doc in corpus:
        for c in doc.criteria:
            assert c.constraints or (not c.computable and c.reason), (doc.record.nct_id, c.id)
            for k in c.constraints:
                ev = k.evidence
                assert ev is not None and doc.record.eligibility_text[ev.start:ev.end] == ev.text


def test_corpus_sample_is_schema_valid(corpus: list[ParsedTrial]) -> None:
    validator = jsonschema.Draft202012Validator(ParsedTrial.model_json_schema(by_alias=True))
    for doc in corpus[::20]:  # the whole set takes minutes; every record round-trips above
        validator.validate(json.loads(doc.model_dump_json(by_alias=True)))


def test_corpus_computable_share_is_reported(corpus: list[ParsedTrial]) -> None:
    stats = computable_stats(corpus)
    assert stats["criteria"] > 18000
    # a regression guard, not a target: today about 30% is not computable
    assert stats["share_not_computable"] < 0.35
