"""Annotations, trained models and `elig evaluate ner/classifier` (issue 5)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, MSC_DIR, ROOT, need

from nlp.corpora.chia import (
    CHIA_DIR,
    Mapping,
    Stats,
    load_split,
    make_split,
    read_corpus,
    read_document,
)
from nlp.evaluation.ner import score

BRAT = FIXTURES / "brat"
NER_MODEL = ROOT / "models" / "ner" / "model"
CLASSIFIER = ROOT / "models" / "classifier" / "classifier.joblib"


# --- converter -------------------------------------------------------------------------------


def test_converter_on_tiny_brat_fixture() -> None:
    stats = Stats()
    examples = read_document(BRAT / "NCT00000001_inc.txt", Mapping(), stats)
    assert [ex.text for ex in examples] == [
        "Age >= 18 years", "Breast or ovarian cancer within 6 months",
        "Hemoglobin < 9 g/dL; ALT > 2.5 x ULN", "Pregnant women"]  # CRLF stripped, offsets kept
    got = [[(s.label, s.text) for s in ex.spans] for ex in examples]
    assert got[0] == [("AGE", ">= 18 years")]  # Value linked from Person 'Age'; the word is dropped
    # discontinuous 'Breast ... cancer' -> covering span; the nested 'ovarian cancer' loses
    assert got[1] == [("CONDITION", "Breast or ovarian cancer"), ("TEMPORAL", "within 6 months")]
    assert got[2] == [("MEASUREMENT", "Hemoglobin"), ("VALUE", "< 9 g/dL"), ("MEASUREMENT", "ALT"),
                      ("REF_RANGE", "> 2.5 x ULN")]
    assert got[3] == [("PREGNANCY", "Pregnant"), ("SEX", "women")]
    assert examples[3].flags == {"Pregnancy_considerations"}
    for ex in examples:  # offsets index the line text
        assert all(ex.text[s.start:s.end] == s.text for s in ex.spans)
    assert stats.misaligned == 1  # T13: its text does not match the document
    assert stats.cross_line == 1  # T15 crosses a line break
    assert stats.discontinuous == 1 and stats.overlap_dropped == 1


def test_mapping_covers_every_chia_type_seen() -> None:
    need(CHIA_DIR)
    mapping = Mapping()
    stats = Stats()
    for _ in read_corpus(CHIA_DIR, stats=stats):
        pass
    unknown = [t for t in stats.types if not mapping.known(t)]
    assert not unknown, f"types missing from annotations/chia_mapping.json: {unknown}"
    assert stats.misaligned + stats.cross_line == 14  # the known misaligned spans, skipped and counted


def test_mapping_file_knows_the_fixture_types() -> None:
    stats = Stats()
    read_document(BRAT / "NCT00000001_inc.txt", Mapping(), stats)
    assert all(Mapping().known(t) for t in stats.types)
    assert not Mapping().known("Made_up_type")


# --- split -----------------------------------------------------------------------------------


def test_split_is_disjoint_and_deterministic() -> None:
    ids = [f"NCT{i:08d}" for i in range(200)]
    a, b = make_split(ids), make_split(list(reversed(ids)))
    assert a == b
    assert set(a["train"]).isdisjoint(a["dev"]) and set(a["train"]).isdisjoint(a["test"])
    assert set(a["dev"]).isdisjoint(a["test"])
    assert sorted(a["train"] + a["dev"] + a["test"]) == ids
    assert make_split(ids, seed=1) != a


def test_committed_split_matches_the_seeded_split() -> None:
    need(CHIA_DIR)
    from nlp.corpora.chia import trial_ids

    assert load_split() == make_split(trial_ids())


# --- evaluator math --------------------------------------------------------------------------


def test_strict_and_relaxed_scores_by_hand() -> None:
    gold = [[(0, 5, "A"), (10, 15, "B"), (20, 25, "A")], [(0, 3, "B")]]
    pred = [[(0, 5, "A"), (11, 15, "B"), (30, 35, "A")], [(0, 3, "A")]]
    r = score(gold, pred)
    # strict: A tp 1 fp 2 fn 1; B tp 0 fp 1 fn 2
    assert r["per_label"]["A"]["strict"] == {"p": 0.3333, "r": 0.5, "f1": 0.4}
    assert r["per_label"]["B"]["strict"] == {"p": 0.0, "r": 0.0, "f1": 0.0}
    assert r["micro"]["strict"] == {"p": 0.25, "r": 0.25, "f1": 0.25}  # tp 1, fp 3, fn 3
    # relaxed: B (11,15) overlaps gold (10,15) -> B p 1/1, r 1/2; A p 1/3, r 1/2
    assert r["per_label"]["B"]["relaxed"] == {"p": 1.0, "r": 0.5, "f1": 0.6667}
    assert r["micro"]["relaxed"] == {"p": 0.5, "r": 0.5, "f1": 0.5}  # 2 of 4 predictions, 2 of 4 gold
    assert r["macro"]["strict"]["f1"] == pytest.approx((0.4 + 0.0) / 2, abs=1e-4)
    # restricting the labels drops the others from both sides
    only_b = score(gold, pred, labels=("B",))
    assert only_b["gold_spans"] == 2 and only_b["pred_spans"] == 1


def test_perfect_prediction_scores_one_and_mismatched_lengths_fail() -> None:
    gold = [[(0, 4, "X")]]
    assert score(gold, gold)["micro"]["strict"]["f1"] == 1.0
    with pytest.raises(ValueError):
        score(gold, [])


def test_combination_never_overlaps_rule_spans() -> None:
    from nlp.pipeline.model_ner import combine

    rules = [(0, 10, "CONDITION"), (20, 25, "VALUE")]
    model = [(5, 12, "CONDITION"), (12, 18, "THERAPY"), (24, 30, "VALUE"), (30, 31, "X")]
    out = combine(rules, model)
    assert [(s, e, src) for s, e, _, src in out] == [(0, 10, "rules"), (12, 18, "model"), (20, 25, "rules"), (30, 31, "model")]
    added = [o for o in out if o[3] == "model"]
    assert all(not (s < re and rs < e) for s, e, _, _ in added for rs, re, _ in rules)


# --- trained models --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ner_model():  # type: ignore[no-untyped-def]
    from nlp.pipeline.model_ner import load_ner_model

    if not NER_MODEL.exists():
        pytest.fail(f"{NER_MODEL} missing: train it with python -m nlp.training.ner --out models/ner")
    return load_ner_model()


def test_ner_model_loads_and_tags_a_sentence(ner_model) -> None:  # type: ignore[no-untyped-def]
    doc = ner_model("History of chronic lymphocytic leukemia treated with ibrutinib within 6 months")
    labels = {e.label_ for e in doc.ents}
    assert labels & {"CONDITION", "THERAPY", "TEMPORAL"}, [(e.text, e.label_) for e in doc.ents]
    from nlp.corpora.chia import NER_LABELS

    assert set(ner_model.get_pipe("ner").labels) == set(NER_LABELS)
    size = sum(p.stat().st_size for p in NER_MODEL.rglob("*") if p.is_file())
    assert size < 20 * 1024 * 1024


def test_parse_with_model_adds_only_non_overlapping_spans() -> None:
    """The default pipeline runs the NER first: its spans no rule span overlaps are kept, linked
    to a concept (their constraints then say ``source`` "model" and are never certain) or kept
    without one; the rules' own output is what the rules-only pipeline gives."""
    from nlp.analyze import parse_record
    from nlp.pipeline import load_pipeline
    from nlp.records import read_path

    record = next(r for r in read_path(need(MSC_DIR) / "NCT01087996.json") if not hasattr(r, "problem"))
    plain = parse_record(record, load_pipeline(ner=False))
    both = parse_record(record, load_pipeline())
    n_model = 0
    for a, b in zip(plain.criteria, both.criteria, strict=True):
        rules = [e for e in b.entities if e.source == "rules"]
        assert [(e.start, e.end, e.label) for e in rules] == [(e.start, e.end, e.label) for e in a.entities]
        for m in (e for e in b.entities if e.source == "model"):
            n_model += 1
            assert record.eligibility_text[m.start:m.end] == m.text
            assert not any(m.start < r.end and r.start < m.end for r in rules)
        for c in b.constraints:
            if c.provenance.source == "model":
                assert not c.provenance.certain
    assert n_model > 0


def test_classifier_predicts_judgement_for_investigator_opinion() -> None:
    from nlp.pipeline.criterion_classifier import load_classifier

    if not CLASSIFIER.exists():
        pytest.fail(f"{CLASSIFIER} missing: train it with python -m nlp.training.classifier --out models/classifier")
    clf = load_classifier()
    [(cls, p)] = clf.predict(["Any condition that, in the opinion of the investigator, would make the patient unsuitable for the study"])
    assert cls == "judgement", (cls, p)
    [(cls2, _)] = clf.predict(["Signed written informed consent"])
    assert cls2 == "consent"


def test_classifier_file_problems_are_one_line_errors(tmp_path: Path) -> None:
    from nlp.errors import InputError
    from nlp.pipeline.criterion_classifier import load_classifier

    with pytest.raises(InputError, match="not found"):
        load_classifier(str(tmp_path / "none.joblib"))
    bad = tmp_path / "bad.joblib"
    bad.write_text("not a pickle")
    with pytest.raises(InputError, match="not a criterion classifier"):
        load_classifier(str(bad))


# --- gold loader -----------------------------------------------------------------------------


def test_gold_loader_checks_sha_and_span_text(tmp_path: Path) -> None:
    import hashlib

    from nlp.corpora.gold import eligibility_text, load_gold

    need(MSC_DIR)
    text = eligibility_text("NCT01087996")
    sha = hashlib.sha1(text.encode("utf-8")).hexdigest()
    i = text.index("Inclusion") if "Inclusion" in text else 0
    good = {"trial_id": "NCT01087996", "split": "train", "text_sha1": sha, "annotator": "t",
            "spans": [{"start": i, "end": i + 5, "label": "OTHER", "text": text[i:i + 5]},
                      {"start": i, "end": i + 5, "label": "OTHER", "text": "WRONG"}]}
    bad_sha = {**good, "trial_id": "NCT02290041", "text_sha1": "0" * 40}
    (tmp_path / "msc_gold_x.jsonl").write_text(json.dumps(good) + "\n" + json.dumps(bad_sha) + "\n{oops\n")
    gs = load_gold(tmp_path)
    assert [t.trial_id for t in gs.trials] == ["NCT01087996"]
    assert len(gs.trials[0].spans) == 1
    assert len(gs.problems) == 3  # wrong span text, wrong sha, broken line


# --- CLI -------------------------------------------------------------------------------------


def _elig(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nlp", *args], capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_evaluate_ner_missing_inputs_are_one_line_errors(tmp_path: Path) -> None:
    res = _elig("evaluate", "ner", "--model", str(tmp_path / "nope"))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr and res.stderr.count("\n") == 1
    assert "nope" in res.stderr and "NER model not found" in res.stderr
    if NER_MODEL.exists():
        res = _elig("evaluate", "ner", "--gold", str(tmp_path / "missing_dir"))
        assert res.returncode == 1 and "missing_dir: not found" in res.stderr and "Traceback" not in res.stderr


def test_evaluate_classifier_missing_model_is_one_line_error(tmp_path: Path) -> None:
    res = _elig("evaluate", "classifier", "--model", str(tmp_path / "x.joblib"))
    assert res.returncode == 1 and res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert "x.joblib: criterion classifier not found" in res.stderr


def test_evaluate_ner_smoke_on_brat_fixture(tmp_path: Path) -> None:
    if not NER_MODEL.exists():
        pytest.fail(f"{NER_MODEL} missing")
    out = tmp_path / "scores.json"
    res = _elig("evaluate", "ner", "--gold", str(BRAT), "--json", str(out))
    assert res.returncode == 0, res.stderr
    for name in ("== rules ==", "== model ==", "== combined ==", "== model_first ==", "micro", "macro"):
        assert name in res.stdout
    data = json.loads(out.read_text())
    assert data["criteria"] == 4 and data["rules"]["gold_spans"] == 9


def test_parse_cli_with_models(tmp_path: Path) -> None:
    if not (NER_MODEL.exists() and CLASSIFIER.exists()):
        pytest.fail("models missing: train them (see models/README.md)")
    src = need(MSC_DIR) / "NCT01087996.json"
    out = tmp_path / "o.json"
    res = _elig("parse", str(src), "-o", str(out), "--classifier")
    assert res.returncode == 0, res.stderr
    doc = json.loads(out.read_text())
    ents = [e for c in doc["criteria"] for e in c["entities"]]
    assert {e["source"] for e in ents} == {"rules", "model"}
    cats = [c for c in doc["criteria"] if c["category"] is not None]
    assert cats and all(not c["computable"] and "classifier:" in c["reason"] for c in cats)
    plain = _elig("parse", str(src), "-o", str(tmp_path / "p.json"), "--no-ner")
    assert plain.returncode == 0
    p = json.loads((tmp_path / "p.json").read_text())
    assert all(e["source"] == "rules" for c in p["criteria"] for e in c["entities"])
    assert all(c["category"] is None for c in p["criteria"])
