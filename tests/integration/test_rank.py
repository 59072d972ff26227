"""`elig rank` at scale: the store's match form gives the same reports as the full documents, an
older store without it still ranks, and many patients rank the same with one or two workers."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from seed_patients import SEED_FILES, patient

from nlp.core.document import ParsedTrial
from nlp.matching import Matcher, MatchReport, Patient, load_patient
from nlp.matching.batch import RankEntry, rank_patients
from nlp.matching.evaluate import MatchForm
from nlp.matching.store import FORM_VERSION, TrialStore, as_trial, compact, match_form


def _patients() -> list[Patient]:
    """Each seed's patient and variants that fail, open or flip criteria of every kind."""
    out = [load_patient(ROOT / "examples" / "patient.json"), Patient.model_validate({"id": "empty", "as_of": "2026-11-01"})]
    for nct in SEED_FILES:
        out += [
            patient(nct),
            patient(nct, birth_date="1940-01-01", sex="male"),
            patient(nct, birth_date="2020-01-01", pregnant=True, consent=None),
            patient(nct, add_conditions={"name": "HIV infection", "status": "active"},
                    add_therapies={"name": "stem cell therapy", "start": "2026-03-01", "end": "2026-03-01"}),
            patient(nct, observations=[{"name": "ALT", "value": 104, "unit": "U/L",
                                        "reference_range": {"low": 7, "high": 40}, "date": "2026-10-20"}],
                    trial_participation=[{"end": "2026-10-01"}]),
        ]
    return out


@pytest.fixture
def store(trials: dict[str, ParsedTrial], tmp_path: Path) -> Path:
    db = tmp_path / "t.duckdb"
    with TrialStore(db) as s:
        s.put(trials.values())
    return db


def _verdicts(r: MatchReport) -> MatchReport:
    """The report without the evidence quotes (the match form leaves them out: explanations of a
    ranking read them from the document)."""
    return r.model_copy(update={"criteria": tuple(
        c.model_copy(update={"constraints": tuple(k.model_copy(update={"evidence": ""}) for k in c.constraints)})
        for c in r.criteria), "record": tuple(k.model_copy(update={"evidence": ""}) for k in r.record)})


def test_rank_match_form_gives_the_full_documents_reports(trials: dict[str, ParsedTrial], store: Path) -> None:
    with TrialStore(store, read_only=True) as s:
        forms = {f.trial.record.nct_id: f for f in s.match_forms()}
        n_contents = len(s.contents())
        stored = [f for (f,) in s.con.execute("SELECT form FROM match_forms").fetchall()]
    assert sorted(forms) == sorted(trials)
    for nct, form in forms.items():
        # the form is what was stored: the document's match form, its constraints in the contents
        doc = trials[nct]
        assert as_trial(form) == match_form(doc) and form.trial.record.eligibility_text == "" and form.trial.topics == doc.topics
        assert not any(cr.constraints for cr in form.trial.criteria) and not form.trial.record_constraints
        assert all(not cr.entities for cr in form.trial.criteria)
        assert [s.id for slots in form.slots for s in slots] == [c.id for cr in doc.criteria for c in cr.constraints]
    # each content once: fewer contents than constraints, one shared object per content
    slots = [s for f in forms.values() for ss in (*f.slots, f.record) for s in ss]
    assert n_contents == len({s.key for s in slots}) < len(slots)
    assert len({id(s.constraint) for s in slots}) == n_contents
    assert sum(map(len, stored)) < sum(len(compact(d).model_dump_json()) for d in trials.values()) / 2  # the `trials` rows
    matcher = Matcher()
    reports = 0
    for p in _patients():
        for nct, doc in trials.items():
            assert _verdicts(matcher.match(forms[nct], p)) == _verdicts(matcher.match(doc, p)), (nct, p.id)
            reports += 1
    assert reports == 5 * 27


def test_rank_an_older_store_still_ranks_and_index_upgrades_it(trials: dict[str, ParsedTrial], store: Path) -> None:
    import duckdb

    p = patient("NCT05697718", birth_date="1945-10-01")
    with TrialStore(store, read_only=True) as s:
        expected = [Matcher().match(t, p) for t in s.match_forms()]
    con = duckdb.connect(str(store))
    con.execute("DROP TABLE match_forms")  # a store written before the match form existed
    con.execute("DROP TABLE contents")
    con.close()
    with TrialStore(store, read_only=True) as s:
        old = s.match_forms()
        assert all(f.trial.record.eligibility_text for f in old)  # read from the documents
        assert all(s.key is None for f in old for ss in f.slots for s in ss)  # no content keys then
        assert [_verdicts(Matcher().match(t, p)) for t in old] == [_verdicts(r) for r in expected]
    res = subprocess.run([sys.executable, "-m", "nlp", "rank", str(ROOT / "examples" / "patient.json"), "--db", str(store)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0 and len(res.stdout.splitlines()) == 5, res.stderr
    with TrialStore(store) as s:  # opening to write creates the table; the next index fills it
        s.put([trials["NCT07177677"]])
        assert s.con.execute("SELECT count(*) FROM match_forms WHERE form_version = ?", [FORM_VERSION]).fetchone() == (5,)
        s.con.execute("UPDATE match_forms SET form_version = ? WHERE trial_id = 'NCT05697718'", [FORM_VERSION + 1])
    with TrialStore(store, read_only=True) as s:  # a form of another version is not read
        loaded = {f.trial.record.nct_id: f for f in s.match_forms()}
    assert loaded["NCT05697718"].trial.record.eligibility_text and not loaded["NCT07177677"].trial.record.eligibility_text
    assert [_verdicts(Matcher().match(loaded[r.trial], p)) for r in expected] == [_verdicts(r) for r in expected]


def test_rank_a_broken_stored_form_is_one_error_line(store: Path) -> None:
    import duckdb

    con = duckdb.connect(str(store))
    con.execute("UPDATE match_forms SET form = '{\"schema_version\": 2}' WHERE trial_id = 'NCT02218437'")
    con.close()
    res = subprocess.run([sys.executable, "-m", "nlp", "rank", str(ROOT / "examples" / "patient.json"), "--db", str(store)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "stored trial NCT02218437 is not a valid parsed trial" in res.stderr


def test_rank_store_keeps_only_the_contents_its_forms_name(trials: dict[str, ParsedTrial], store: Path) -> None:
    doc = trials["NCT07177677"]
    first = doc.criteria[next(i for i, c in enumerate(doc.criteria) if c.constraints)]
    changed = first.constraints[0].model_copy(update={"effect": "exclude" if first.constraints[0].effect == "include" else "include"})
    edited = doc.model_copy(update={"criteria": tuple(
        c.model_copy(update={"constraints": (changed, *c.constraints[1:])}) if c is first else c for c in doc.criteria)})
    with TrialStore(store) as s:
        before = set(s.contents())
        s.put([edited])  # the trial indexed again with one constraint changed
        after = set(s.contents())
        named = {k for (f,) in s.con.execute("SELECT form FROM match_forms").fetchall() for k in json.loads(f)["keys"]}
        s.con.execute("UPDATE contents SET form_version = ?", [FORM_VERSION - 1])  # a store of an older version:
        s.con.execute("UPDATE match_forms SET form_version = ?", [FORM_VERSION - 1])  # every form and content rewritten
        s.put([doc])
        assert s.con.execute("SELECT DISTINCT form_version FROM contents").fetchall() == [(FORM_VERSION,)]
        assert set(s.contents()) == before
    assert after == named and len(after - before) == 1 and len(before - after) <= 1
    p = patient("NCT07177677")
    with TrialStore(store, read_only=True) as s:
        again = {f.trial.record.nct_id: f for f in s.match_forms()}["NCT07177677"]
    assert Matcher().match(again, p) == Matcher().match(MatchForm.of(match_form(doc)), p)


def test_rank_a_broken_stored_content_is_one_error_line(store: Path) -> None:
    import duckdb

    con = duckdb.connect(str(store))
    con.execute("UPDATE contents SET content = '{\"kind\": \"nonsense\"}' WHERE key = (SELECT min(key) FROM contents)")
    con.close()
    res = _rank(str(ROOT / "examples" / "patient.json"), "--db", str(store))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    key = duckdb.connect(str(store), read_only=True).execute("SELECT min(key) FROM contents").fetchone()[0]
    assert res.stderr.strip() == (f"elig: error: {store}: the stored constraint content {key} is not valid "
                                  "(ValidationError); index it again")


def test_rank_patients_is_the_same_with_two_workers(trials: dict[str, ParsedTrial]) -> None:
    docs, people = list(trials.values()), _patients()
    one = list(rank_patients(docs, people, jobs=1))
    assert one == list(rank_patients(docs, people, jobs=2))
    assert len(one) == len(people) and all(len(r) == 5 for r in one)
    assert {"needs_review", "ineligible"} <= {e.overall for r in one for e in r}
    m = Matcher()
    assert one[3] == [RankEntry.of(m.match(trials[e.trial], people[3])) for e in one[3]]


def _rank(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nlp", "rank", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_rank_many_patients_jobs_and_a_bad_file(store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "patients"
    folder.mkdir()
    people = _patients()[:12]
    for i, p in enumerate(people[1:]):
        (folder / f"p{i:02d}.json").write_text(p.model_dump_json(), encoding="utf-8")
    (folder / "p05.json").write_text('{"id": "x", "as_of": ', encoding="utf-8")  # unreadable, among the others
    (folder / "notes.txt").write_text("not a patient", encoding="utf-8")  # a directory stands for its *.json
    example = str(ROOT / "examples" / "patient.json")
    runs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"rank{jobs}.json"
        res = _rank(example, str(folder), "--db", str(store), "--top", "2", "--jobs", jobs, "-o", str(out))
        assert res.returncode == 1, res.stderr
        assert res.stderr.splitlines() == [f"elig: error: {folder / 'p05.json'}: malformed JSON: Expecting value (line 1, column 22)",
                                           "elig: error: 1 of 12 patient file(s) could not be read"]
        runs[jobs] = (res.stdout, json.loads(out.read_text(encoding="utf-8")))
    assert runs["1"] == runs["2"]
    stdout, body = runs["1"]
    assert [b["file"] for b in body] == [example] + [str(folder / f"p{i:02d}.json") for i in range(11) if i != 5]
    assert [b["patient"] for b in body] == [p.id for i, p in enumerate(people) if i != 6]
    headers = [line for line in stdout.splitlines() if not line.startswith("  ")]
    assert len(headers) == 11 and len(stdout.splitlines()) == 11 * 3
    assert headers[0].startswith(f"{example}: p-001: ") and headers[0].endswith(" ineligible")
    # each ranking is the full report's, summarised
    with TrialStore(store, read_only=True) as s:
        docs = {f.trial.record.nct_id: f for f in s.match_forms()}
    m = Matcher()
    for b, p in zip(body, [p for i, p in enumerate(people) if i != 6], strict=True):
        full = [m.match(docs[e["trial"]], p) for e in b["ranking"]]
        assert b["ranking"] == [RankEntry.of(r)._asdict() | {"failing": list(r.failing)} for r in full]


def test_rank_one_patient_keeps_the_full_reports(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "one.json"
    res = _rank(str(ROOT / "examples" / "patient.json"), "--db", str(store), "--top", "3", "-o", str(out))
    assert res.returncode == 0, res.stderr
    reports = json.loads(out.read_text(encoding="utf-8"))
    assert len(reports) == 5 and all("criteria" in r and "missing" in r for r in reports)
    assert len(res.stdout.splitlines()) == 3 and not res.stdout.startswith(str(ROOT))
    res = _rank(str(tmp_path / "missing.json"), "--db", str(store))
    assert res.returncode == 1 and res.stderr.strip() == f"elig: error: {tmp_path / 'missing.json'}: no such file"


# --- the fast path: content keys (the matcher's memo) and workers sharing one patient's trials ----

DEV_PATIENTS = ROOT.parent / "shared" / "acceptance" / "dev" / "patients"
DEV_TRIALS = ("NCT00482092", "NCT01922908", "NCT04328714")


@pytest.fixture(scope="module")
def fast_store(trials: dict[str, ParsedTrial], nlp, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Patient]]:  # type: ignore[no-untyped-def]
    """The seed trials and a few dev trials in one store, with the seeds' patients and the dev
    trials' synthetic patients (base and single violations)."""
    from conftest import MSC_DIR, need

    from nlp.analyze import parse_record
    from nlp.errors import InputError
    from nlp.records import read_path

    need(DEV_PATIENTS)
    docs = list(trials.values())
    people = _patients()
    for nct in DEV_TRIALS:
        docs += [parse_record(rec, nlp) for rec in read_path(need(MSC_DIR / f"{nct}.json"))]
        for f in sorted(DEV_PATIENTS.glob(f"{nct}-*.json")):
            with contextlib.suppress(InputError):  # one dev patient is unreadable on purpose
                people.append(load_patient(f))
    db = tmp_path_factory.mktemp("fast") / "t.duckdb"
    with TrialStore(db) as s:
        s.put(docs)
    return db, people


def _plain(path: str, rows: list[tuple[str, str | None, str | None]], contents: dict, p: Patient) -> list[str]:  # type: ignore[type-arg]
    """What `elig rank -o` wrote before the fast path: every trial matched by a fresh matcher
    without content keys, sorted by rank_key, each report as JSON."""
    from nlp.matching.batch import report_json
    from nlp.matching.evaluate import rank_key
    from nlp.matching.store import form_of_row

    m = Matcher()
    return [report_json(r) for r in sorted((m.match(as_trial(form_of_row(path, row, contents)), p) for row in rows), key=rank_key)]


def test_fast_path_gives_the_plain_matchers_reports(fast_store: tuple[Path, list[Patient]]) -> None:
    from nlp.matching.batch import rank_stored

    db, people = fast_store
    with TrialStore(db, read_only=True) as s:
        rows, contents = s.match_rows(), s.contents()
    assert len(rows) == 8 and all(form is not None for _, form, _ in rows)
    assert len(people) > 40
    matcher = Matcher()  # one matcher for all: its memo is kept per patient, reset for the next
    for p in people:
        fast = rank_stored(str(db), rows, contents, p, jobs=1, full=True, matcher=matcher)
        assert [r.report for r in fast] == _plain(str(db), rows, contents, p), p.id
        # without the reports (Matcher.summary): the same ranking, from the same verdicts
        lean = rank_stored(str(db), rows, contents, p, jobs=1, matcher=matcher)
        assert [(r.key, r.entry) for r in lean] == [(r.key, r.entry) for r in fast] and not any(r.report for r in lean)
    assert len(matcher._memo) > 0
    for p in people[:3]:  # the parent and one or two workers, each a share: the same ranking and reports
        for jobs in (2, 3):
            many = rank_stored(str(db), rows, contents, p, jobs=jobs, full=True)
            assert [r.report for r in many] == _plain(str(db), rows, contents, p)
            assert [r.entry for r in many] == [r.entry for r in rank_stored(str(db), rows, contents, p, jobs=1)]


def test_shares_cut_the_trials_for_the_parent_and_its_workers() -> None:
    """Contiguous shares covering every row once, none empty, the parent's (the first) the
    largest; never more shares than rows."""
    from nlp.matching.batch import _PARENT_SHARE, default_jobs, shares

    for n in (0, 1, 2, 3, 7, 1099):
        for jobs in (1, 2, 3, 4, 8):
            parts = shares(n, jobs)
            assert [i for lo, hi in parts for i in range(lo, hi)] == list(range(n)), (n, jobs)
            assert all(hi > lo for lo, hi in parts) and len(parts) == min(n, jobs)
            if len(parts) > 1:
                assert parts[0][1] - parts[0][0] >= max(hi - lo for lo, hi in parts[1:])
    (a, b), (c, d) = shares(1099, 2)
    assert round((b - a) / (d - c), 1) == _PARENT_SHARE
    assert 1 <= default_jobs() <= 4


def test_memo_keeps_what_depends_on_the_trials_targets(trials: dict[str, ParsedTrial]) -> None:
    """The same constraint contents under other target diagnoses (the trial without its condition
    list): outcomes that read the targets are kept per set of targets, never reused across."""
    from nlp.matching.evaluate import content_keys

    people = _patients()
    m = Matcher()
    for p in people:
        for doc in trials.values():
            other = doc.model_copy(update={"topics": ()})
            keys = content_keys(doc)
            assert content_keys(other) == keys
            for t in (doc, other, doc):
                assert m.match(t, p, keys) == Matcher().match(t, p), (doc.record.nct_id, p.id)
    assert m._memo  # (the absence of a target is read per trial outside the memo: test_verdict_policy)


def test_content_keys_name_the_content_not_the_id(trials: dict[str, ParsedTrial]) -> None:
    from nlp.matching.evaluate import all_constraints, content_keys

    doc = next(iter(trials.values()))
    cs = all_constraints(doc)
    keys = content_keys(doc)
    assert len(keys) == len(cs) and all(len(k) == 24 for k in keys)
    moved = doc.model_copy(update={"criteria": tuple(
        c.model_copy(update={"constraints": tuple(k.model_copy(update={"id": k.id + "x", "criterion": "Z9"})
                                                  for k in c.constraints)}) for c in doc.criteria)})
    assert content_keys(moved) == keys  # another id and criterion: the same content
    first = next(c for c in cs if c.criterion is not None)
    changed = first.model_copy(update={"effect": "exclude" if first.effect == "include" else "include"})
    assert content_keys(doc.model_copy(update={"criteria": tuple(
        c.model_copy(update={"constraints": tuple(changed if k is first else k for k in c.constraints)})
        for c in doc.criteria)}))[0] != keys[0]
    with pytest.raises(ValueError, match="content keys"):
        Matcher().match(doc, _patients()[0], keys[1:])


def test_rank_a_form_with_the_wrong_number_of_keys_is_one_error_line(store: Path) -> None:
    import duckdb

    con = duckdb.connect(str(store))
    row = con.execute("SELECT form FROM match_forms WHERE trial_id = 'NCT02218437'").fetchone()
    assert row is not None
    form = json.loads(row[0])
    form["keys"] = form["keys"][1:]
    con.execute("UPDATE match_forms SET form = ? WHERE trial_id = 'NCT02218437'", [json.dumps(form)])
    con.close()
    for jobs in ("1", "2"):
        res = _rank(str(ROOT / "examples" / "patient.json"), "--db", str(store), "--jobs", jobs)
        assert res.returncode == 1 and "Traceback" not in res.stderr
        assert res.stderr.strip() == (f"elig: error: {store}: stored trial NCT02218437 is not a valid parsed trial "
                                      "(ValueError); index it again")


def test_rank_one_patient_with_two_workers_writes_the_same(store: Path, tmp_path: Path) -> None:
    outs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"one{jobs}.json"
        res = _rank(str(ROOT / "examples" / "patient.json"), "--db", str(store), "--jobs", jobs, "-o", str(out))
        assert res.returncode == 0, res.stderr
        outs[jobs] = (res.stdout, out.read_bytes())
    assert outs["1"] == outs["2"]
