"""Constraint model v2, its logic, normal form and the v1 upgrade: hand-built inputs, no pipeline."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES
from pydantic import ValidationError

from nlp.core.constraints import (
    ConceptSet,
    ConditionConstraint,
    Group,
    NumericRange,
    Provenance,
    TherapyConstraint,
    Window,
)
from nlp.core.document import SCHEMA_VERSION, ParsedTrial, parsed_from_dict, parsed_from_json
from nlp.core.labels import Anchor, Exposure, GroupOp
from nlp.core.lexicon import Lexicon
from nlp.core.logic import build_logic
from nlp.core.normal import alternatives, facets, must_comparator
from nlp.core.windows import anchor_of
from nlp.matching.evaluate import combine

P = Provenance(rule="test")


def _concepts(cid: str) -> ConceptSet:
    return ConceptSet(concept={"id": cid, "name": cid})  # type: ignore[arg-type]


# -- numeric ranges ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("cmp_", "value", "inside", "outside"), [
    (">", 2.5, 2.6, 2.5), (">=", 2.5, 2.5, 2.4), ("<", 100, 99, 100), ("<=", 100, 100, 101), ("=", 1, 1, 2),
])
def test_core_range_of_comparison(cmp_: str, value: float, inside: float, outside: float) -> None:
    r = NumericRange.of(cmp_, value, "U/L")
    assert r.contains(inside) and not r.contains(outside)
    assert r.bounds() == [(cmp_, value)]


def test_core_range_between_is_one_range_with_two_inclusive_ends() -> None:
    r = NumericRange.between(80, 18, "a")  # written high to low: still 18..80
    assert (r.low, r.high, r.low_inclusive, r.high_inclusive) == (18, 80, True, True)
    assert r.bounds() == [(">=", 18), ("<=", 80)]


def test_core_range_needs_an_end_and_order() -> None:
    with pytest.raises(ValidationError):
        NumericRange()
    with pytest.raises(ValidationError):
        NumericRange(low=5, high=2)


# -- windows and exposures ----------------------------------------------------------------------------
def test_core_window_validation_and_lookback() -> None:
    with pytest.raises(ValidationError):
        Window()
    with pytest.raises(ValidationError):
        Window(low_days=30, high_days=10)
    assert Window(high_days=90).is_lookback
    assert Window(high_days=28, anchor=Anchor.FIRST_DOSE).is_lookback
    assert not Window(high_days=180, relation="after", anchor=Anchor.LAST_DOSE).is_lookback
    assert not Window(high_days=30, anchor=Anchor.ONSET).is_lookback


def test_core_exposure_window_must_agree() -> None:
    with pytest.raises(ValidationError, match="needs a window"):
        TherapyConstraint(id="t", criterion="E1", effect="exclude", concepts=_concepts("x"), provenance=P,
                          exposure=Exposure.WASHOUT)
    with pytest.raises(ValidationError, match="a window needs"):
        TherapyConstraint(id="t", criterion="E1", effect="exclude", concepts=_concepts("x"), provenance=P,
                          exposure=Exposure.CURRENT, window=Window(high_days=28))
    ok = TherapyConstraint(id="t", criterion="I1", effect="include", concepts=_concepts("x"), provenance=P,
                           present=False, exposure=Exposure.WASHOUT, window=Window(high_days=28))
    [f] = facets(ok)
    assert (f.comparator, must_comparator(f), f.window_days) == ("absent", "absent", 28)


@pytest.mark.parametrize(("text", "anchor"), [
    (None, Anchor.ENROLLMENT), ("enrollment", Anchor.ENROLLMENT), ("the first dose of study drug", Anchor.FIRST_DOSE),
    ("receiving the test drug treatment", Anchor.FIRST_DOSE), ("the last dose", Anchor.LAST_DOSE),
    ("screening", Anchor.SCREENING), ("symptom onset", Anchor.ONSET), ("randomization", Anchor.RANDOMIZATION),
    ("the transplant", Anchor.TRANSPLANT), ("the earthquake", Anchor.EVENT),
])
def test_core_anchor_of_wording(text: str | None, anchor: Anchor) -> None:
    assert anchor_of(text) == anchor


# -- polarity and normal form ---------------------------------------------------------------------------
@pytest.mark.parametrize(("effect", "present", "must"), [
    ("include", True, "present"), ("include", False, "absent"), ("exclude", True, "absent"), ("exclude", False, "present"),
])
def test_core_presence_polarity(effect: str, present: bool, must: str) -> None:
    c = ConditionConstraint(id="c", criterion="X1", effect=effect, concepts=_concepts("hiv"), present=present, provenance=P)
    [f] = facets(c)
    assert must_comparator(f) == must


def test_core_provenance_certainty() -> None:
    assert Provenance(rule="r").certain
    assert not Provenance(rule="r", inferred=True, confidence=0.6).certain
    assert not Provenance(rule="r", unresolved=("except 'x': no known concept",)).certain


# -- logic ------------------------------------------------------------------------------------------------
def test_core_logic_defaults_inclusion_all_exclusion_any() -> None:
    assert build_logic("inclusion", ["a", "b"], {}) == Group(op=GroupOp.ALL, items=("a", "b"))
    assert build_logic("exclusion", ["a", "b"], {}) == Group(op=GroupOp.ANY, items=("a", "b"))
    assert build_logic("inclusion", [], {}) is None


def test_core_logic_or_group_and_lead_in() -> None:
    g = build_logic("inclusion", ["a", "b", "c"], {"b": "g1", "c": "g1"}, children=["I1.1", "I1.2"], children_at_least=1)
    assert g == Group(op=GroupOp.ALL, items=("a", Group(op=GroupOp.ANY, items=("b", "c")),
                                             Group(op=GroupOp.ANY, items=("I1.1", "I1.2"))))
    # an exclusion's condition at a grade: one ALL group inside the ANY; an OR group wins over it
    q = build_logic("exclusion", ["a", "b", "c"], {}, together={"a": "t1", "b": "t1"})
    assert q == Group(op=GroupOp.ANY, items=(Group(op=GroupOp.ALL, items=("a", "b")), "c"))
    assert build_logic("exclusion", ["a", "b"], {"a": "g"}, together={"a": "t", "b": "t"}) == \
        Group(op=GroupOp.ANY, items=("a", "b"))  # each alone in its group: no group
    two = build_logic("inclusion", [], {}, children=["x", "y", "z"], children_at_least=2)
    assert two == Group(op=GroupOp.ALL, items=(Group(op=GroupOp.AT_LEAST, n=2, items=("x", "y", "z")),))
    with pytest.raises(ValidationError):
        Group(op=GroupOp.AT_LEAST, items=("x",))


@pytest.mark.parametrize(("op", "section", "verdicts", "want"), [
    ("ALL", "inclusion", ["pass", "unknown"], "unknown"),
    ("ANY", "inclusion", ["fail", "pass"], "pass"),
    ("ANY", "inclusion", ["fail", "unknown"], "unknown"),
    ("ANY", "exclusion", ["pass", "fail"], "fail"),  # excluded when any holds
    ("ALL", "exclusion", ["pass", "fail"], "pass"),  # excluded only when all hold
    ("ALL", "exclusion", ["fail", "fail"], "fail"),
])
def test_core_combine_reads_groups_at_the_content_level(op: str, section: str, verdicts: list[str], want: str) -> None:
    ids = [f"c{i}" for i in range(len(verdicts))]
    g = Group(op=op, items=tuple(ids))  # type: ignore[arg-type]
    assert combine(g, section, dict(zip(ids, verdicts, strict=True))) == want  # type: ignore[arg-type]


def test_core_combine_at_least() -> None:
    g = Group(op=GroupOp.AT_LEAST, n=2, items=("a", "b", "c"))
    assert combine(g, "inclusion", {"a": "pass", "b": "pass", "c": "fail"}) == "pass"
    assert combine(g, "inclusion", {"a": "fail", "b": "fail", "c": "pass"}) == "fail"
    assert combine(g, "inclusion", {"a": "pass", "b": "unknown", "c": "fail"}) == "unknown"


# -- the lexicon without a pipeline ------------------------------------------------------------------------
def test_core_lexicon_find_longest_whole_tokens() -> None:
    lex = Lexicon.load()
    assert "prednisone" in lex.concepts_in("Prednisone 5 mg")
    assert {"corticosteroid", "immunosuppressant"} <= lex.closure(lex.concepts_in("prednisone"))
    assert "hiv" in lex.concepts_in("HIV positive") and "hiv" not in lex.concepts_in("hivalent")
    # abbreviations are matched as written: "alt" in lower case is not ALT
    assert "alt" in lex.concepts_in("ALT 30 U/L") and "alt" not in lex.concepts_in("alt key")


def test_core_lexicon_descendants_invert_ancestors() -> None:
    lex = Lexicon.load()
    assert "prednisone" in lex.descendants("immunosuppressant")
    assert lex.is_a("prednisone", "immunosuppressant") and not lex.is_a("immunosuppressant", "prednisone")


# -- the document and the v1 upgrade -------------------------------------------------------------------------
def test_core_v1_document_upgrades_on_read() -> None:
    data = json.loads((FIXTURES / "v1" / "NCT05697718.v1.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 1
    doc = parsed_from_dict(data)
    assert doc.schema_version == SCHEMA_VERSION
    cons = {c.id: c for crit in doc.criteria for c in crit.constraints}
    # a v1 range was two constraints; each keeps its id, now a one-ended range
    ages = [c for c in doc.record_constraints if c.kind == "age"]
    assert [a.range.bounds() for a in ages] == [[(">=", 18)], [("<=", 80)]]
    # v1 "except" text became concepts carved out of the concept set
    mal = next(c for c in cons.values() if c.concept_id == "malignancy")
    assert mal.concepts.excluded  # type: ignore[union-attr]
    # v1 "applies_if" text became a typed condition
    inr = [c for c in cons.values() if c.concept_id == "inr"]
    assert inr and all(c.applies_if is not None and c.applies_if.kind == "concept" for c in inr)  # type: ignore[union-attr]
    # v1 OR groups became nested ANY groups of the criterion's logic
    assert any(alternatives(crit) for crit in doc.criteria)
    # and the upgraded document is a valid v2 document
    again = parsed_from_json(doc.model_dump_json(by_alias=True))
    assert again == doc and isinstance(again, ParsedTrial)


def test_core_unknown_schema_version_is_an_error() -> None:
    with pytest.raises(ValidationError):
        parsed_from_dict({"schema_version": 3, "record": {}, "headers": [], "criteria": []})


def test_core_topics_from_titles_and_conditions() -> None:
    from nlp.core.record import TrialRecord
    from nlp.core.topics import find_topics

    rec = TrialRecord(source="t", format="text", eligibility_text="x", brief_title="MSC in non-multiple sclerosis demyelination",
                      official_title="Stem cells for multiple sclerosis", conditions=("Multiple Sclerosis", "HIV infection"))
    topics = find_topics(rec, Lexicon.load())
    # the "non-" form names nothing; the first naming source is kept, once per concept
    assert [(t.concept_id, t.where) for t in topics] == [("multiple_sclerosis", "official title"), ("hiv", "conditions")]
