"""Does the pipeline tag what each answer-key fact needs? (analyte / concept, value, comparator,
unit or xULN, window) — checked per fact, within the criterion holding the fact's quote.

This scores tagging only (issue: "every fact has its entities tagged"); turning entities into
constraints is scored separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nlp.core.document import AnnotatedCriterion, ParsedTrial, criteria_for_quote
from nlp.core.entity import Entity
from nlp.core.lexicon import Lexicon, load_lexicon
from nlp.evaluation.facts import window_days_as_parsed

_CMP_FLIP = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}
_UNIT_ALIASES = {
    "year": "a", "month": "mo", "week": "wk", "day": "d", "score": "{score}", "mmHg": "mm[Hg]",
    "ratio": None, "count": None, "mg/day": "mg/d", "kg/m2": "kg/m2",
}


# kinds whose fact is found when the criterion has an entity of this label
_LABEL_OF_KIND = {
    "trial_participation": "TRIAL_PARTICIPATION", "consent": "CONSENT", "judgement": "JUDGEMENT",
    "sex": "SEX",
}


# kinds whose key may name a generic concept ("target_diagnosis", "other"): any entity of
# these labels then carries it; otherwise the tagged concept (or an ancestor) must match
_GENERIC_CONCEPT = {
    "condition": ("target_diagnosis", {"CONDITION", "PREGNANCY"}),
    "therapy": ("other", {"THERAPY", "PROCEDURE"}),
}


@dataclass(frozen=True)
class FactResult:
    index: int
    kind: str
    quote: str
    ok: bool
    missing: tuple[str, ...]


def _names() -> dict[str, str]:
    return {e.id: e.name.lower() for e in load_lexicon()}


def _ents_in(crits: Sequence[AnnotatedCriterion]) -> list[Entity]:
    return [e for c in crits for e in c.entities]


def _unit_ok(fact_unit: str | None, ent: Entity) -> bool:
    if fact_unit is None:
        return True
    want = _UNIT_ALIASES.get(fact_unit, fact_unit)
    if want is None:
        return ent.unit is None or ent.unit in {"{ratio}", "{count}"}
    return ent.unit == want or (ent.unit is None and want == "{score}")


def _value_ok(fact: dict[str, Any], ents: list[Entity], labels: set[str]) -> bool:
    v, cmp_ = fact["value"], fact["comparator"]
    for e in ents:
        if e.label not in labels or e.value is None:
            continue
        if e.comparator == "between":
            ok_v = (cmp_ in (">=", ">") and e.value == v) or (cmp_ in ("<=", "<") and e.value_high == v)
        elif e.second_value is not None and e.second_value == v:
            ok_v = e.comparator == cmp_
        else:
            ok_v = e.value == v and (e.comparator == cmp_ or e.comparator is None)
        if ok_v and _unit_ok(fact.get("unit"), e):
            return True
    return False


def check_facts(doc: ParsedTrial, facts: Sequence[dict[str, Any]]) -> list[FactResult]:
    anc = {cid: set(Lexicon.load().ancestors(cid)) | {cid} for cid in Lexicon.load().entries}
    names = _names()
    results: list[FactResult] = []
    for i, fact in enumerate(facts):
        kind = fact["kind"]
        crits = criteria_for_quote(doc, fact["quote"])
        ents = _ents_in(crits)
        missing: list[str] = []
        if not crits:
            missing.append("quote not found in any criterion")
        concept_ids = {e.concept_id for e in ents if e.concept_id}
        with_anc = set().union(*(anc.get(c, {c}) for c in concept_ids)) if concept_ids else set()
        if kind == "measurement":
            analyte = fact["analyte"].lower()
            # a pair value ("180/110 mmHg") on a grouping concept covers its children (SBP, DBP)
            pair_children = {
                cid for cid, a in anc.items()
                if any(e.second_value is not None for e in ents) and a & concept_ids
            }
            # "within 3-12 months before enrollment": the duration is carried by a temporal range
            duration = analyte == "disease duration" and any(
                e.label == "TEMPORAL" and e.value_high is not None for e in ents
            )
            if not duration and not any(names.get(c) == analyte for c in with_anc | pair_children):
                missing.append(f"analyte {fact['analyte']!r}")
            if not _value_ok(fact, ents, {"VALUE", "REF_RANGE", "AGE", "TEMPORAL"}):
                missing.append(f"value {fact['comparator']} {fact['value']} {fact.get('unit')}")
        elif kind in ("age", "weight", "bmi"):
            if not _value_ok(fact, ents, {"AGE", "VALUE"}):
                missing.append(f"{kind} value {fact['comparator']} {fact['value']} {fact.get('unit')}")
        elif kind in _GENERIC_CONCEPT:
            concept = fact["concept"]
            generic, labels = _GENERIC_CONCEPT[kind]
            if concept == generic:
                if not any(e.label in labels for e in ents):
                    missing.append(f"{kind} concept")
            elif concept not in with_anc:
                missing.append(f"concept {concept!r}")
        elif kind in _LABEL_OF_KIND:
            label = _LABEL_OF_KIND[kind]
            if not any(e.label == label for e in ents):
                missing.append(label)
        if fact.get("window_days") is not None:
            days = window_days_as_parsed(fact["window_days"])  # the keys count a month as 30 days
            if not any(e.label == "TEMPORAL" and e.window_days in days for e in ents):
                missing.append(f"window {fact['window_days']}d")
        results.append(FactResult(i, kind, fact["quote"], not missing, tuple(missing)))
    return results
