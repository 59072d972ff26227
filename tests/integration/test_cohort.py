"""`elig cohort`: OMOP CDM cohort SQL (``nlp/matching/cohort.py``) gives every person the verdict
`elig match --omop` gives the same person, on DuckDB and on PostgreSQL:

- hand-built trials, one per rule of the matcher (each constraint kind, exposure mode, window
  relation and anchor, unit conversion, × ULN, applies_if, the verdict policy's doubts, ALL / ANY /
  AT_LEAST in both sections, nested criteria), against 400 random patients;
- the 48 dev trials and the 5 seeds parsed, against the synthetic warehouse of the dev patients
  and the seeds' patients;
- the SQL script it writes runs alone and gives the same verdicts; bad input is one line."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import MSC_DIR, ROOT, SHARED, need
from seed_patients import SEED_FILES, patient

from nlp.core.constraints import (
    AgeCondition,
    AgeConstraint,
    BmiConstraint,
    ConceptCondition,
    ConceptSet,
    ConditionConstraint,
    ConsentConstraint,
    Evidence,
    Group,
    JudgementConstraint,
    MeasurementConstraint,
    NumericRange,
    ProcedureConstraint,
    Provenance,
    SexCondition,
    SexConstraint,
    TherapyConstraint,
    TrialParticipationConstraint,
    WeightConstraint,
    Window,
)
from nlp.core.criterion import Criterion
from nlp.core.document import AnnotatedCriterion, ParsedTrial
from nlp.core.labels import Anchor, Exposure, GroupOp, Relation
from nlp.core.lexicon import ICD10CM, LOINC, SNOMED, Lexicon
from nlp.core.record import TrialRecord
from nlp.core.topics import Topic
from nlp.errors import InputError
from nlp.matching import Matcher, Patient, load_patient
from nlp.matching.cohort import UNBORN, run
from nlp.matching.omop import connect, read_patient, write_warehouse

DEV = SHARED / "acceptance" / "dev"
EV = Evidence(text="x", start=0, end=1)
AS_OF = dt.date(2026, 11, 1)


def elig(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nlp", *args], capture_output=True, text=True, cwd=ROOT, timeout=900)


# -- hand-built trials: one per rule ---------------------------------------------------------------
def _cs(cid: str, *excluded: str, descendants: bool = True) -> ConceptSet:
    lex = Lexicon.load()
    return ConceptSet(concept=lex.concept(cid), include_descendants=descendants,
                      excluded=tuple(lex.concept(x) for x in excluded))


def _trial(name: str, section: str, *constraints: Any, logic: Group | None = None, child: Any = None,
           topics: tuple[str, ...] = ("type_2_diabetes",), group: str | None = None) -> ParsedTrial:
    ids = [c.id for c in constraints]
    crits = []
    if child is not None:
        kid = AnnotatedCriterion(**Criterion(id="C1.1", section=section, text="k", start=0, end=1, text_start=0,
                                             parent="C1").model_dump(),
                                 constraints=(child,), logic=Group(items=(child.id,)), computable=True, reason=None)
        ids.append("C1.1")
        crits.append(kid)
    top = AnnotatedCriterion(**Criterion(id="C1", section=section, text="x", start=0, end=1, text_start=0,
                                         group=group).model_dump(),
                             constraints=tuple(constraints), logic=logic or Group(items=tuple(ids)),
                             computable=True, reason=None)
    rec = TrialRecord(source=name, format="text", eligibility_text="x", nct_id=name)
    return ParsedTrial(record=rec, headers=(), criteria=(top, *crits),
                       topics=tuple(Topic(concept_id=t, where="conditions", text=t) for t in topics))


def _effect(section: str) -> str:
    return "include" if section == "inclusion" else "exclude"


def _catalog() -> list[ParsedTrial]:
    """Trials of one criterion each, in both sections: every rule the matcher applies."""
    p = Provenance(rule="t")
    w = Window
    makers: list[tuple[str, Any]] = [
        ("age", lambda e, i: AgeConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                           range=NumericRange(low=18, high=65, unit="a"))),
        ("age-open", lambda e, i: AgeConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                range=NumericRange(low=40, low_inclusive=False, unit="a"))),
        ("age-months", lambda e, i: AgeConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                  range=NumericRange(high=600, high_inclusive=False, unit="mo"))),
        ("age-weeks", lambda e, i: AgeConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                 range=NumericRange(low=2000, unit="wk"))),
        ("sex", lambda e, i: SexConstraint(id=i, criterion="C1", effect=e, provenance=p, sex="female")),
        ("alt-uln", lambda e, i: MeasurementConstraint(id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("alt"),
                                                       range=NumericRange(low=2.5, low_inclusive=False, unit="xULN"))),
        ("glucose-mmol", lambda e, i: MeasurementConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                            concepts=_cs("glucose"), range=NumericRange(high=7.0, unit="mmol/L"))),
        ("creatinine", lambda e, i: MeasurementConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                          concepts=_cs("creatinine"), range=NumericRange(high=1.5, unit="mg/dL"))),
        ("nihss", lambda e, i: MeasurementConstraint(id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("nihss"),
                                                     range=NumericRange(low=4, high=25, unit="{score}"))),
        ("weight", lambda e, i: WeightConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                 range=NumericRange(low=40, unit="kg"))),
        ("bmi", lambda e, i: BmiConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                           range=NumericRange(high=35, high_inclusive=False, unit="kg/m2"))),
        ("duration", lambda e, i: MeasurementConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                        concepts=_cs("disease_duration"), range=NumericRange(low=2, unit="a"))),
        ("hb-if-anticoag", lambda e, i: MeasurementConstraint(
            id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("hemoglobin"), range=NumericRange(low=9, unit="g/dL"),
            applies_if=ConceptCondition(concepts=_cs("anticoagulant")))),
        ("hb-180d", lambda e, i: MeasurementConstraint(  # "hemoglobin >= 9 g/dL within the prior six months"
            id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("hemoglobin"), range=NumericRange(low=9, unit="g/dL"),
            window=w(high_days=180))),
        ("alt-after-ms", lambda e, i: MeasurementConstraint(  # a window the record may not place
            id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("alt"), range=NumericRange(high=3, unit="xULN"),
            window=w(low_days=30, high_days=3000, relation=Relation.AFTER, anchor=Anchor.DIAGNOSIS,
                     anchor_text="multiple sclerosis"))),
        ("hb-if-female", lambda e, i: MeasurementConstraint(
            id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("hemoglobin"), range=NumericRange(low=10, unit="g/dL"),
            applies_if=SexCondition(sex="female"))),
        ("diabetes-if-old", lambda e, i: ConditionConstraint(
            id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("diabetes"),
            applies_if=AgeCondition(range=NumericRange(low=60, unit="a")))),
        ("diabetes", lambda e, i: ConditionConstraint(id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("diabetes"))),
        ("t2d-exact", lambda e, i: ConditionConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                       concepts=_cs("type_2_diabetes", descendants=False))),
        ("malignancy-but-breast", lambda e, i: ConditionConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                                   concepts=_cs("malignancy", "breast_cancer"))),
        ("malignancy-history", lambda e, i: ConditionConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                                concepts=_cs("malignancy"), history=True)),
        ("no-stroke-1y", lambda e, i: ConditionConstraint(id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("stroke"),
                                                          present=False, window=w(high_days=365))),
        ("stroke-after-ms", lambda e, i: ConditionConstraint(
            id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("stroke"),
            window=w(low_days=30, high_days=3000, relation=Relation.AFTER, anchor=Anchor.DIAGNOSIS,
                     anchor_text="multiple sclerosis"))),
        ("steroid-90d", lambda e, i: TherapyConstraint(id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("corticosteroid"),
                                                       exposure=Exposure.IN_WINDOW, window=w(high_days=90))),
        ("steroid-60-365", lambda e, i: TherapyConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                          concepts=_cs("corticosteroid"), exposure=Exposure.IN_WINDOW,
                                                          window=w(low_days=60, high_days=365))),
        ("anticoag-now", lambda e, i: TherapyConstraint(id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("anticoagulant"),
                                                        exposure=Exposure.CURRENT)),
        ("steroid-dose", lambda e, i: TherapyConstraint(id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("corticosteroid"),
                                                        exposure=Exposure.IN_WINDOW, window=w(high_days=90),
                                                        dose=NumericRange(low=20, low_inclusive=False, unit="mg/d"))),
        ("immunosup-ever", lambda e, i: TherapyConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                          concepts=_cs("immunosuppressant"))),
        # how long a course lasted ("for at least 6 months"), from its dates, a day either way unsure
        ("steroid-course", lambda e, i: TherapyConstraint(id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("corticosteroid"),
                                                          duration=NumericRange(low=6, unit="mo"))),
        ("steroid-course-band", lambda e, i: TherapyConstraint(
            id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("corticosteroid"), exposure=Exposure.CURRENT,
            duration=NumericRange(low=30, low_inclusive=False, high=400, high_inclusive=False, unit="d"))),
        ("steroid-course-window", lambda e, i: TherapyConstraint(
            id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("corticosteroid"), exposure=Exposure.IN_WINDOW,
            window=w(high_days=400), duration=NumericRange(high=8, unit="wk"))),
        ("transplant-course", lambda e, i: ProcedureConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                               concepts=_cs("organ_transplantation"), duration=NumericRange(low=48, unit="h"))),
        ("steroid-washout", lambda e, i: TherapyConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                           concepts=_cs("corticosteroid"), exposure=Exposure.WASHOUT,
                                                           window=w(high_days=28))),
        ("steroid-planned", lambda e, i: TherapyConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                           concepts=_cs("corticosteroid"), exposure=Exposure.PLANNED)),
        ("after-warfarin", lambda e, i: TherapyConstraint(
            id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("corticosteroid"), exposure=Exposure.IN_WINDOW,
            window=w(high_days=60, relation=Relation.AFTER, anchor=Anchor.LAST_DOSE, anchor_text="warfarin"))),
        ("steroid-since-onset", lambda e, i: TherapyConstraint(
            id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("corticosteroid"), exposure=Exposure.IN_WINDOW,
            window=w(low_days=0, high_days=400, relation=Relation.AFTER, anchor=Anchor.ONSET))),
        ("steroid-after-surgery", lambda e, i: TherapyConstraint(
            id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("corticosteroid"), exposure=Exposure.IN_WINDOW,
            window=w(high_days=200, relation=Relation.AFTER, anchor=Anchor.SURGERY))),
        ("during", lambda e, i: TherapyConstraint(
            id=i, criterion="C1", effect=e, provenance=p, concepts=_cs("corticosteroid"), exposure=Exposure.IN_WINDOW,
            window=w(high_days=10, relation=Relation.DURING, anchor=Anchor.TRANSPLANT))),
        ("transplant", lambda e, i: ProcedureConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                        concepts=_cs("organ_transplantation"))),
        ("transplant-now", lambda e, i: ProcedureConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                            concepts=_cs("organ_transplantation"), exposure=Exposure.CURRENT)),
        ("transplant-2y", lambda e, i: ProcedureConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                           concepts=_cs("organ_transplantation"), exposure=Exposure.IN_WINDOW,
                                                           window=w(high_days=730))),
        ("inferred", lambda e, i: ConditionConstraint(id=i, criterion="C1", effect=e, concepts=_cs("malignancy"),
                                                      provenance=Provenance(rule="t", inferred=True))),
        ("model", lambda e, i: ConditionConstraint(id=i, criterion="C1", effect=e, concepts=_cs("malignancy"),
                                                   provenance=Provenance(rule="t", source="model", confidence=0.9))),
        ("consent", lambda e, i: ConsentConstraint(id=i, criterion="C1", effect=e, provenance=p)),
        ("trials", lambda e, i: TrialParticipationConstraint(id=i, criterion="C1", effect=e, provenance=p,
                                                             exposure=Exposure.IN_WINDOW, window=w(high_days=30))),
        ("judgement", lambda e, i: JudgementConstraint(id=i, criterion="C1", effect=e, provenance=p)),
    ]
    trials = [_trial(f"{name}-{section[:3]}", section, make(_effect(section), "C1.c1"))
              for name, make in makers for section in ("inclusion", "exclusion")]
    by = dict(makers)
    for section in ("inclusion", "exclusion"):  # groups: ALL, ANY, AT_LEAST 2 of 3, nested, a child criterion
        e = _effect(section)
        three = [by["diabetes"](e, "C1.c1"), by["steroid-90d"](e, "C1.c2"), by["glucose-mmol"](e, "C1.c3")]
        ids = tuple(c.id for c in three)
        s = section[:3]
        trials += [
            _trial(f"any-{s}", section, *three, logic=Group(op=GroupOp.ANY, items=ids)),
            _trial(f"atleast-{s}", section, *three, logic=Group(op=GroupOp.AT_LEAST, n=2, items=ids)),
            _trial(f"nested-{s}", section, *three, logic=Group(items=(ids[0], Group(op=GroupOp.ANY, items=ids[1:])))),
            _trial(f"child-{s}", section, three[0], child=by["transplant"](e, "C1.1.c1"),
                   logic=Group(op=GroupOp.ANY, items=(ids[0], "C1.1"))),
            _trial(f"missing-item-{s}", section, three[0], logic=Group(items=(ids[0], "C9"))),
            # a criterion of one group of the trial ("Donor inclusion criteria:") never fails
            _trial(f"group-{s}", section, *three, logic=Group(op=GroupOp.ANY, items=ids), group="donor"),
        ]
    return trials


def _day(rng: random.Random, lo: int = 2010, hi: int = 2027) -> dt.date | None:
    if rng.random() < 0.1:
        return None
    return dt.date(rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28))


def _random_patients(n: int, seed: int = 7) -> list[Patient]:
    """Patients drawn from small pools, so that every rule meets matches, misses and gaps."""
    rng = random.Random(seed)
    conditions = [("type 2 diabetes mellitus", None), ("diabetes", {"system": ICD10CM, "code": "E11.9"}),
                  ("ischemic stroke", None), ("breast cancer", None), ("lung cancer", None), ("multiple sclerosis", None),
                  ("unknownitis", None)]
    therapies = ["prednisone", "warfarin", "tacrolimus", "vitamin C", "methylprednisolone"]
    procedures = ["kidney transplantation", "surgery", "liver transplantation", "appendectomy"]
    labs = [("ALT", None, ["U/L"]), ("glucose", None, ["mg/dL", "mmol/L", "g/L", "xyz", None]),
            ("creatinine", {"system": LOINC, "code": "2160-0"}, ["mg/dL", "umol/L"]), ("NIHSS", None, [None]),
            ("hemoglobin", None, ["g/dL", "g/L"]), ("Body weight", None, ["kg", "[lb_av]"]), ("BMI", None, ["kg/m2"])]
    out: list[Patient] = []
    while len(out) < n:
        rec: dict[str, Any] = {"id": f"r{len(out)}", "as_of": AS_OF.isoformat(), "sex": rng.choice(["male", "female", None])}
        if rng.random() < 0.9:
            rec["birth_date"] = dt.date(rng.randint(1930, 2025), rng.randint(1, 12), rng.randint(1, 28)).isoformat()
        rec["conditions"] = []
        for _ in range(rng.randint(0, 4)):
            name, code = rng.choice(conditions)
            onset, end = _day(rng), _day(rng) if rng.random() < 0.3 else None
            rec["conditions"].append({"name": name, **({"code": code} if code else {}), "onset": onset and onset.isoformat(),
                                      "abatement": end and end.isoformat(),
                                      "status": rng.choice([None, "active", "resolved", "inactive", "remission", "recurrence"])})
        rec["therapies"] = []
        for _ in range(rng.randint(0, 3)):
            start, end = _day(rng, 2024), _day(rng, 2025) if rng.random() < 0.7 else None
            rec["therapies"].append({"name": rng.choice(therapies), "start": start and start.isoformat(), "end": end and end.isoformat()})
        rec["procedures"] = [{"name": rng.choice(procedures), "date": (d := _day(rng, 2022)) and d.isoformat()}
                             for _ in range(rng.randint(0, 2))]
        rec["observations"] = []
        for _ in range(rng.randint(0, 5)):
            name, code, units = rng.choice(labs)
            ref = rng.choice([None, {"low": 7, "high": 40}, {"high": 0}, {"low": 3}])
            rec["observations"].append({"name": name, **({"code": code} if code else {}), "value": round(rng.uniform(0, 300), 2),
                                        "unit": rng.choice(units), "reference_range": ref,
                                        "date": (d := _day(rng, 2025)) and d.isoformat()})
        try:
            out.append(Patient.model_validate(rec))
        except ValueError:  # an end before its start, and the like: drawn again
            continue
    return out


def _compare(con: Any, trials: list[ParsedTrial], dialect: str = "duckdb", as_of: dt.date | None = None) -> dict[str, int]:
    """Every person's SQL verdict (and, when ineligible, the failing criteria) against the
    matcher's on the person read back from the same warehouse; the verdicts seen."""
    matcher = Matcher()
    seen: dict[str, int] = {}
    people: dict[int, Patient | None] = {}
    for trial, rows in run(con, trials, matcher, as_of, dialect):
        for r in rows:
            if r.person_id not in people:
                try:
                    people[r.person_id] = read_patient(con, r.person_id, as_of)
                except InputError:  # born after the record's date: no patient; the SQL asks for a review
                    people[r.person_id] = None
            if people[r.person_id] is None:
                assert (r.verdict, r.deciding) == ("needs_review", (UNBORN,))
                seen["unborn"] = seen.get("unborn", 0) + 1
                continue
            rep = matcher.match(trial, people[r.person_id])  # type: ignore[arg-type]
            got = (r.verdict, r.deciding if r.verdict == "ineligible" else ())
            assert got == (rep.overall, rep.failing if rep.overall == "ineligible" else ()), \
                (trial.record.nct_id, r.person_id, rep.missing)
            seen[r.verdict] = seen.get(r.verdict, 0) + 1
    return seen


def test_cohort_sql_equals_the_matcher_rule_by_rule(tmp_path: Path) -> None:
    import duckdb

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    write_warehouse(_random_patients(400), con)
    trials = _catalog()
    seen = _compare(con, trials)
    assert sum(seen.values()) == 400 * len(trials)
    assert min(seen.values()) > 1000, seen  # every verdict is met many times
    # and on another record date
    con.close()
    seen = _compare(duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True), trials[:20], as_of=dt.date(2020, 6, 15))
    assert {"eligible", "ineligible", "needs_review", "unborn"} <= set(seen)


def _ages_and_glucose(same_criterion: bool) -> ParsedTrial:
    p = Provenance(rule="t")
    kids = AgeConstraint(id="C1.c1", criterion="C1", effect="include", provenance=p, evidence=EV,
                         range=NumericRange(low=1, high=17, unit="a"))
    adults = AgeConstraint(id="C1.c2" if same_criterion else "C1.1.c1", criterion="C1" if same_criterion else "C1.1",
                           effect="include", provenance=p, evidence=EV, range=NumericRange(low=18, unit="a"))
    glucose = MeasurementConstraint(id="C1.c3", criterion="C1", effect="include", provenance=p, evidence=EV,
                                    concepts=_cs("glucose"), range=NumericRange(high=7.0, unit="mmol/L"))
    if same_criterion:
        return _trial("conflict", "inclusion", kids, adults, glucose)
    return _trial("alternatives", "inclusion", kids, glucose, child=adults)


def test_cohort_sql_withholds_a_fail_with_alternatives_as_the_matcher_does(tmp_path: Path) -> None:
    """Two numeric inclusions no value meets together ("1 to 17 years", "18 years or older", a
    criterion and its sub-criterion): a person failing one but not the other is needs_review in
    the SQL as in the matcher (``evaluate.alternatives``); one failing both (or, here, neither
    applies) is decided as before, and so is the glucose beside them."""
    import duckdb

    trial = _ages_and_glucose(same_criterion=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    write_warehouse(_random_patients(300), con)
    seen = _compare(con, [trial])
    assert seen.get("needs_review", 0) > 50 and seen.get("ineligible", 0) > 20, seen
    person = Patient.model_validate({"id": "x", "as_of": "2026-11-01", "birth_date": "1980-01-01"})
    report = Matcher().match(trial, person)
    assert any("alternatives its text does not mark" in k.reason for c in report.criteria for k in c.constraints)


def test_cohort_sql_withholds_every_fail_of_a_criterion_read_as_requiring_two_values_no_one_has(tmp_path: Path) -> None:
    """The same two ages as items of one criterion, joined as both required
    (``alternatives.conflict``: "neutrophil count < 0.5 x 109/L platelets < 20 x 109/L ... nSAA
    ... neutrophil count > 0.5 x 109/L" on one line, NCT01305694): the reading cannot be right,
    so no fail of that criterion is certain, its glucose's neither; the SQL agrees with the
    matcher person by person."""
    import duckdb

    trial = _ages_and_glucose(same_criterion=True)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    write_warehouse(_random_patients(300), con)
    seen = _compare(con, [trial])
    assert seen.get("needs_review", 0) > 50 and "ineligible" not in seen, seen
    person = Patient.model_validate({"id": "x", "as_of": "2026-11-01", "birth_date": "1980-01-01",
                                     "observations": [{"name": "glucose", "value": 12.0, "unit": "mmol/L", "date": "2026-10-01"}]})
    report = Matcher().match(trial, person)
    assert report.overall == "needs_review"
    assert any("read as both required, which no value meets" in k.reason for c in report.criteria for k in c.constraints)


def _ancestor_trials() -> list[ParsedTrial]:
    p = Provenance(rule="t")
    return [_trial("anc-incl", "inclusion", ConditionConstraint(id="k", criterion="C1", effect="include", provenance=p,
                                                                concepts=_cs("diabetes")), topics=()),
            _trial("anc-excl", "exclusion", ConditionConstraint(id="k", criterion="C1", effect="exclude", provenance=p,
                                                                concepts=_cs("diabetes")), topics=()),
            _trial("anc-exact", "inclusion", ConditionConstraint(id="k", criterion="C1", effect="include", provenance=p,
                                                                 concepts=_cs("type_2_diabetes", descendants=False)), topics=())]


@pytest.mark.parametrize("engine", ["duckdb", "postgres"])
def test_concept_ancestor_rolls_a_code_the_lexicon_lacks_up_to_one_it_knows(engine: str, tmp_path: Path,
                                                                           request: pytest.FixtureRequest) -> None:
    """A condition coded SNOMED 999000111 (unknown to our lexicon, a name it cannot read) whose
    ancestor in the warehouse's concept_ancestor is 44054006 (type 2 diabetes): the matcher on
    the person read back and the SQL both count it as diabetes, not exactly type 2 diabetes; without
    concept_ancestor it is nothing."""
    import duckdb

    person = Patient.model_validate({"id": "a", "as_of": "2026-11-01", "birth_date": "1970-01-01", "sex": "male",
                                     "conditions": [{"name": "Synthetic finding zq",
                                                     "code": {"system": SNOMED, "code": "999000111"}}]})
    if engine == "duckdb":
        con: Any = duckdb.connect(str(tmp_path / "w.duckdb"))
    else:
        con = connect(_pg_schema(request.getfixturevalue("pg_url"), "cohort_ancestor"), write=True)[0]
    try:
        write_warehouse([person], con)
        trials = _ancestor_trials()

        def drop_run_tables() -> None:
            for t in ("elig_person", "elig_cond", "elig_drug", "elig_proc", "elig_obs", "elig_concept_map"):
                con.execute(f"DROP TABLE {t}")

        def verdicts_now() -> list[str]:
            _compare(con, trials, dialect=engine)  # SQL = matcher, person by person
            drop_run_tables()
            out = [rows[0].verdict for _, rows in run(con, trials, dialect=engine)]
            drop_run_tables()
            return out

        before = verdicts_now()
        assert read_patient(con, 1).conditions[0].code.broader == ()  # type: ignore[union-attr]
        con.execute("INSERT INTO concept SELECT 2100000001, 'SYNTHETIC type 2 diabetes', domain_id, vocabulary_id, "
                    "concept_class_id, standard_concept, '44054006', valid_start_date, valid_end_date, invalid_reason "
                    "FROM concept WHERE concept_code = '999000111'")
        con.execute("CREATE TABLE concept_ancestor (ancestor_concept_id BIGINT, descendant_concept_id BIGINT, "
                    "min_levels_of_separation INTEGER, max_levels_of_separation INTEGER)")
        con.execute("INSERT INTO concept_ancestor SELECT 2100000001, concept_id, 1, 1 FROM concept WHERE concept_code = '999000111' "
                    "UNION ALL SELECT concept_id, concept_id, 0, 0 FROM concept WHERE concept_code = '999000111'")
        after = verdicts_now()
        assert [b.code for b in read_patient(con, 1).conditions[0].code.broader] == ["44054006"]  # type: ignore[union-attr]
    finally:
        con.close()
    assert before == ["needs_review", "eligible", "needs_review"]
    assert after == ["eligible", "ineligible", "needs_review"]


# -- the dev trials and the seeds, parsed ----------------------------------------------------------
@pytest.fixture(scope="module")
def dev_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Patient]]:
    people = []
    for f in sorted(need(DEV / "patients").glob("*.json")):
        try:
            people.append(load_patient(f))
        except InputError:  # expected.json and the one invalid dev patient (birth after as_of)
            continue
    people += [patient(nct) for nct in SEED_FILES]
    db = tmp_path_factory.mktemp("cohort") / "synthetic-omop.duckdb"
    con, _ = connect(str(db), write=True)
    write_warehouse(people, con)
    con.close()
    return db, people


@pytest.fixture(scope="module")
def dev_trials(nlp: Any) -> list[ParsedTrial]:
    from nlp.analyze import parse_record
    from nlp.records import read_path

    files = [need(MSC_DIR) / f.name.replace(".facts.json", ".json") for f in sorted(need(DEV).glob("*.facts.json"))]
    files += [SHARED / "seeds" / name for name in SEED_FILES.values()]
    return [parse_record(rec, nlp) for f in files for rec in read_path(f)]


def test_cohort_sql_equals_the_matcher_on_dev_and_seed_trials(dev_warehouse: tuple[Path, list[Patient]],
                                                               dev_trials: list[ParsedTrial]) -> None:
    import duckdb

    db, people = dev_warehouse
    assert len(dev_trials) == 53
    seen = _compare(duckdb.connect(str(db), read_only=True), dev_trials)
    assert sum(seen.values()) == len(people) * 53 and seen.get("ineligible", 0) > 10_000


def test_cohort_cli_and_its_sql_script(dev_warehouse: tuple[Path, list[Patient]], tmp_path: Path) -> None:
    """`elig cohort` on the seeds: one summary line a trial, the verdicts as JSON, and the SQL
    script it writes gives the same verdicts when run alone in a fresh session."""
    import duckdb

    db, people = dev_warehouse
    out, sql = tmp_path / "v.json", tmp_path / "cohort.sql"
    res = elig("cohort", str(SHARED / "seeds"), "--db", str(db), "-o", str(out), "--sql", str(sql))
    assert res.returncode == 0, res.stderr
    import re

    summaries = re.findall(r"^NCT\d{8}: \d+ eligible, \d+ needs_review, \d+ ineligible$", res.stderr, re.M)
    assert len(summaries) == 5 and "NCT05697718: " in res.stderr
    rows = json.loads(out.read_text())
    assert len(rows) == 5 * len(people) and {r["verdict"] for r in rows} <= {"eligible", "needs_review", "ineligible"}
    con = duckdb.connect(str(db), read_only=True)
    got = []
    for stmt in sql.read_text().split(";\n"):
        body = "\n".join(ln for ln in stmt.splitlines() if not ln.startswith("--")).strip()
        if body:
            res_rows = con.execute(body).fetchall()
            if body.startswith("SELECT"):
                got += [{"trial": t, "person_id": p, "verdict": v, "deciding": d.split()} for t, p, v, d in res_rows]
    assert got == rows
    # another engine's dialect: transpiled by sqlglot, parsed back (no server of theirs to run it on)
    import sqlglot

    spark = tmp_path / "spark.sql"
    res = elig("cohort", str(SHARED / "seeds" / SEED_FILES["NCT05697718"]), "--db", str(db), "-o", str(tmp_path / "s.tsv"),
               "--sql", str(spark), "--dialect", "spark")
    assert res.returncode == 0, res.stderr
    text = spark.read_text()
    assert "DOUBLE PRECISION" not in text and len(sqlglot.parse(text, read="spark")) > 5


def test_cohort_bad_input_is_one_line(dev_warehouse: tuple[Path, list[Patient]], tmp_path: Path) -> None:
    import duckdb

    db, _ = dev_warehouse
    seed = str(SHARED / "seeds" / SEED_FILES["NCT05697718"])
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    for args, code, said in [
        ((seed, "--db", str(tmp_path / "none" / "x.duckdb")), 1, "cannot open the OMOP database"),
        ((seed, "--db", str(empty)), 1, "is it an OMOP CDM v5.4 database?"),
        ((seed, "--db", "postgresql://x:secret@127.0.0.1:1/none"), 1, "cannot connect to the OMOP database"),
        ((seed, "--db", str(db), "--as-of", "yesterday"), 2, "not an ISO date"),
        ((seed, "--db", str(db), "-o", str(tmp_path / "v.xlsx")), 2, "unknown output type"),
        ((seed, "--db", str(db), "--sql", str(tmp_path / "x.sql"), "--dialect", "cobol"), 2, "--dialect 'cobol': unknown"),
        ((str(tmp_path / "missing.json"), "--db", str(db)), 1, "no such file"),
    ]:
        res = elig("cohort", *args)
        assert res.returncode == code, (args, res.stderr)
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert any(said in ln for ln in lines) and "Traceback" not in res.stderr, (args, res.stderr)
        assert "secret" not in res.stderr


# -- PostgreSQL: the same SQL, the same verdicts ------------------------------------------------------
def _pg_schema(pg_url: str, schema: str) -> str:
    """A fresh schema in the session's test database: the URL that works in it."""
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute(f"CREATE SCHEMA {schema}")
    return pg_url + ("&" if "?" in pg_url else "?") + f"options=-csearch_path%3D{schema}"


def test_cohort_sql_on_postgres_equals_the_matcher_rule_by_rule(pg_url: str) -> None:
    con, _ = connect(_pg_schema(pg_url, "cohort_rules"), write=True)
    try:
        write_warehouse(_random_patients(150, seed=11), con)
        seen = _compare(con, _catalog(), dialect="postgres")
        assert {"eligible", "ineligible", "needs_review"} <= set(seen)
    finally:
        con.close()


def test_cohort_sql_on_postgres_equals_duckdb_on_dev_and_seed_trials(
        pg_url: str, dev_warehouse: tuple[Path, list[Patient]], dev_trials: list[ParsedTrial]) -> None:
    """The dev and seed trials on the same persons in PostgreSQL give DuckDB's verdicts, which
    test_cohort_sql_equals_the_matcher_on_dev_and_seed_trials holds equal to the matcher's."""
    import duckdb

    db, people = dev_warehouse
    con, _ = connect(_pg_schema(pg_url, "cohort_dev"), write=True)
    try:
        write_warehouse(people, con)
        on_pg = {(t.record.nct_id, r.person_id): r for t, rows in run(con, dev_trials, dialect="postgres") for r in rows}
    finally:
        con.close()
    on_duck = {(t.record.nct_id, r.person_id): r for t, rows in run(duckdb.connect(str(db), read_only=True), dev_trials)
               for r in rows}
    assert len(on_pg) == len(people) * 53 and on_pg == on_duck


def test_omop_write_into_postgres_once(pg_url: str, tmp_path: Path) -> None:
    url = _pg_schema(pg_url, "cohort_cli")
    files = [str(f) for f in sorted(need(DEV / "patients").glob("NCT00482092-*.json"))[:3]]
    res = elig("omop", "write", *files, "--db", url)
    assert res.returncode == 0 and res.stdout.splitlines()[0].startswith("1\t"), res.stderr
    assert "elig:elig@" not in res.stderr and "(3 synthetic person(s))" in res.stderr
    again = elig("omop", "write", *files, "--db", url)
    assert again.returncode == 1 and "already holds 3 person(s)" in again.stderr
    out = tmp_path / "v.tsv"
    res = elig("cohort", str(SHARED / "seeds" / SEED_FILES["NCT05697718"]), "--db", url, "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert len(out.read_text().splitlines()) == 4


# -- the synthetic warehouse of the scale benchmark -----------------------------------------------------
def test_benchmark_warehouse_is_reproducible_and_the_sql_equals_the_matcher_on_it(
        tmp_path: Path, dev_trials: list[ParsedTrial]) -> None:
    """benchmarks/omop_synth.py: the same seed writes the same warehouse; its persons (dev items
    and coded lexicon concepts, moved and rescaled) get the matcher's verdicts from the SQL."""
    import duckdb

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import omop_synth

    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    for db in (a, b):
        omop_synth.write(db, 300, seed=3, source=need(DEV / "patients"))
    tables = ("person", "condition_occurrence", "drug_exposure", "procedure_occurrence", "measurement", "concept")
    dumps = [[duckdb.connect(str(db), read_only=True).execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables]
             for db in (a, b)]
    assert dumps[0] == dumps[1] and len(dumps[0][0]) == 300
    assert any(row[3] in ("SNOMED", "LOINC", "RxNorm", "ICD10CM") for row in dumps[0][-1])  # coded lexicon concepts
    seen = _compare(duckdb.connect(str(a), read_only=True), dev_trials[::4])
    assert sum(seen.values()) == 300 * len(dev_trials[::4]) and seen.get("ineligible", 0) > 100


def test_an_exclusion_met_only_by_what_the_trial_requires_is_reviewed_in_the_sql_as_in_the_matcher(tmp_path: Path) -> None:
    """A trial whose inclusion requires a breast cancer and whose exclusion names "malignancy"
    (no window): a person whose only malignancy is that breast cancer is needs_review, not turned
    away (``Matcher.spared``: "coinfection with other viruses or bacteria (... active infection
    ...)" in a trial that requires COVID-19 pneumonia, NCT04366323); one with a lung cancer too
    is excluded as written, and so is one with a kind of what is required where the exclusion
    names that kind ("type 2 diabetes" where a diabetes is required). The SQL agrees with the
    matcher person by person."""
    import duckdb

    p = Provenance(rule="t")

    def trial(name: str, required: str, excluded: str) -> ParsedTrial:
        inc = ConditionConstraint(id="C1.c1", criterion="C1", effect="include", provenance=p, evidence=EV, concepts=_cs(required))
        exc = ConditionConstraint(id="C2.c1", criterion="C2", effect="exclude", provenance=p, evidence=EV, concepts=_cs(excluded))
        crits = tuple(AnnotatedCriterion(**Criterion(id=k.criterion, section=sec, text="x", start=0, end=1, text_start=0).model_dump(),
                                         constraints=(k,), logic=Group(items=(k.id,)), computable=True, reason=None)
                      for k, sec in ((inc, "inclusion"), (exc, "exclusion")))
        # the record's condition list names another diagnosis: what the inclusion requires is no target
        return ParsedTrial(record=TrialRecord(source=name, format="text", eligibility_text="x", nct_id=name), headers=(), criteria=crits,
                           topics=(Topic(concept_id="ischemic_stroke", where="conditions", text="stroke"),))

    breast, diabetes = trial("spared", "breast_cancer", "malignancy"), trial("kind", "diabetes", "type_2_diabetes")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    write_warehouse(_random_patients(300), con)
    seen = _compare(con, [breast, diabetes])
    assert seen.get("needs_review", 0) > 20 and seen.get("ineligible", 0) > 20, seen
    m = Matcher()

    def person(*names: str) -> Patient:
        return Patient.model_validate({"id": "x", "as_of": "2026-11-01", "birth_date": "1980-01-01",
                                       "conditions": [{"name": n, "status": "active"} for n in names]})

    only = m.match(breast, person("breast cancer"))
    assert only.overall == "needs_review"
    assert any("only as what the trial requires (Breast cancer)" in k.reason for c in only.criteria for k in c.constraints)
    assert m.match(breast, person("breast cancer", "lung cancer")).overall == "ineligible"
    assert m.match(diabetes, person("type 2 diabetes mellitus")).overall == "ineligible"
