from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, SEEDS_DIR, need

EXAMPLE = ROOT / "examples" / "NCT05697718.txt"


def elig(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nlp", *args], input=stdin, capture_output=True, text=True, cwd=ROOT,
        timeout=120,
    )


def test_cli_parse_example_to_stdout() -> None:
    res = elig("parse", str(EXAMPLE))
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == 2
    assert doc["record"]["nct_id"] == "NCT05697718"
    tops = [c for c in doc["criteria"] if c["parent"] is None]
    assert sum(c["section"] == "exclusion" for c in tops) == 17


def test_cli_parse_stdin_plain_text() -> None:
    res = elig("parse", "-", stdin="Inclusion Criteria:\n- Age 18 or older\n")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["criteria"][0]["text"] == "Age 18 or older"


def test_cli_parse_out_dir_and_jsonl(tmp_path: Path) -> None:
    res = elig("parse", str(need(SEEDS_DIR)), "--out", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(["NCT07177677.json", "NCT06997939.json", "NCT02218437.json", "NCT01364246.json", "NCT05697718.json"])
    res = elig("parse", str(SEEDS_DIR), "-o", str(tmp_path / "all.jsonl"))
    assert res.returncode == 0
    lines = (tmp_path / "all.jsonl").read_text().splitlines()
    assert len(lines) == 5 and all(json.loads(x)["schema_version"] == 2 for x in lines)
    res = elig("parse", str(SEEDS_DIR), "-o", str(tmp_path / "all.json"))
    assert isinstance(json.loads((tmp_path / "all.json").read_text()), list)


def test_cli_parse_forced_format() -> None:
    res = elig("parse", "--format", "ctgov-xml", str(FIXTURES / "legacy_study.xml"))
    assert res.returncode == 0 and json.loads(res.stdout)["record"]["format"] == "ctgov-xml"
    res = elig("parse", "--format", "bogus", str(FIXTURES / "legacy_study.xml"))
    assert res.returncode == 2 and "unknown format" in res.stderr


def _mixed_dir(tmp_path: Path) -> Path:
    d = tmp_path / "mixed"
    d.mkdir()
    (d / "malformed.json").write_text('{"a": ')
    (d / "malformed.xml").write_text("<clinical_study><id_info>")
    (d / "not_a_study.json").write_text('{"foo": 1}')
    (d / "empty.txt").write_text("")
    (d / "binary.txt").write_bytes(b"\x00\x01\x02\x03\xff")
    (d / "no_elig.json").write_text(json.dumps({"protocolSection": {"identificationModule": {"nctId": "NCT09990009"}}}))
    shutil.copy(EXAMPLE, d / "good.txt")
    shutil.copy(FIXTURES / "legacy_study.xml", d / "good.xml")
    return d


def test_cli_parse_mixed_directory_reports_bad_writes_good(tmp_path: Path) -> None:
    d = _mixed_dir(tmp_path)
    out = tmp_path / "out"
    res = elig("parse", str(d), "--out", str(out))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    for name, problem in [
        ("malformed.json", "malformed JSON"), ("malformed.xml", "malformed XML"),
        ("not_a_study.json", "protocolSection"), ("empty.txt", "empty file"),
        ("binary.txt", "binary"), ("no_elig.json", "no eligibility text"),
    ]:
        lines = [ln for ln in res.stderr.splitlines() if name in ln]
        assert len(lines) == 1 and problem in lines[0], (name, res.stderr)
    assert sorted(p.name for p in out.iterdir()) == ["NCT05697718.json", "NCT09990001.json"]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_cli_missing_file_is_one_line_no_traceback() -> None:
    res = elig("parse", "/no/such/file.json")
    assert res.returncode == 1
    assert "no such file" in res.stderr and "Traceback" not in res.stderr


def test_cli_version() -> None:
    res = elig("version")
    assert res.returncode == 0 and "schema_version 2" in res.stdout


def test_cli_progress_only_on_a_terminal(tmp_path: Path) -> None:
    import os
    import pty

    d = _mixed_dir(tmp_path)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nlp", "parse", str(d), "--out", str(tmp_path / "o")],
        stdin=slave, stdout=slave, stderr=slave, close_fds=True, cwd=ROOT,
    )
    os.close(slave)
    buf = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
    proc.wait(timeout=120)
    os.close(master)
    assert b"parse: 8/8 files" in buf
    piped = elig("parse", str(d), "--out", str(tmp_path / "o2"))
    assert "files" not in piped.stderr.replace("failed", "")


def test_cli_parse_output_has_entities_with_offsets() -> None:
    res = elig("parse", str(EXAMPLE))
    doc = json.loads(res.stdout)
    text = doc["record"]["eligibility_text"]
    ents = [e for c in doc["criteria"] for e in c["entities"]]
    assert ents, "no entities tagged"
    for e in ents:
        assert 0 <= e["start"] < e["end"] <= len(text)
        # offsets point into the original text; escapes (\<) may sit inside the span
        assert text[e["start"]:e["end"]].replace("\\", "") == e["text"].replace("\\", "")
    alt = [e for e in ents if e["concept_id"] == "alt"]
    assert alt and {"system": "http://loinc.org", "code": "1742-6"} in alt[0]["codes"]


def test_cli_parse_no_nlp_skips_entities() -> None:
    res = elig("parse", "--no-nlp", str(EXAMPLE))
    assert res.returncode == 0
    assert all(c["entities"] == [] for c in json.loads(res.stdout)["criteria"])


def test_cli_show_terminal_and_html_escapes_markup(tmp_path: Path) -> None:
    rec = tmp_path / "NCT09990010.txt"
    rec.write_text(
        "Inclusion Criteria:\n- ALT > 2.5 x ULN <script>alert(1)</script>\n- <img src=x onerror=alert(2)> HIV+\n",
        encoding="utf-8",
    )
    res = elig("show", str(rec))
    assert res.returncode == 0, res.stderr
    assert "[ALT]{MEASUREMENT:alt}" in res.stdout and "[HIV]{CONDITION:hiv" in res.stdout
    out = tmp_path / "show.html"
    res = elig("show", str(rec), "--html", str(out))
    assert res.returncode == 0, res.stderr
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img" in page
    assert "MEASUREMENT" in page


def test_cli_parse_jobs_2_same_output_and_bad_inputs_reported(tmp_path: Path) -> None:
    d = _mixed_dir(tmp_path)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    r1 = elig("parse", str(d), "-o", str(one))
    r2 = elig("parse", str(d), "-o", str(two), "--jobs", "2")
    assert r1.returncode == r2.returncode == 1
    assert one.read_text() == two.read_text() and one.read_text().count("\n") == 2
    assert sorted(r1.stderr.splitlines()) == sorted(r2.stderr.splitlines())
    assert "Traceback" not in r2.stderr


MISSING = "/no/such/dir/NCT00000000.json"


@pytest.mark.parametrize("args", [
    ["parse", MISSING],
    ["parse", "--no-nlp", MISSING],
    ["show", MISSING],
    ["evaluate", "facts", MISSING],
    ["evaluate", "healthy", MISSING],
    ["match", MISSING, str(EXAMPLE)],
    ["match", str(ROOT / "examples" / "patient.json"), MISSING],
    ["index", MISSING, "--db", "{tmp}/t.duckdb"],
    ["rank", MISSING, "--db", "{tmp}/t.duckdb"],
    ["rank", str(ROOT / "examples" / "patient.json"), "--db", MISSING],
    ["compare", MISSING, "--out", "{tmp}/c.html"],
    ["report", MISSING, "--out", "{tmp}/r.html"],
    ["evaluate", "ner", "--gold", MISSING],
    ["evaluate", "classifier", "--gold", MISSING],
], ids=lambda a: " ".join(a[:2]))
def test_cli_every_command_reports_a_missing_file_in_one_line(args: list[str], tmp_path: Path) -> None:
    res = elig(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert res.returncode != 0
    assert "Traceback" not in res.stderr and res.stderr.strip(), res.stderr
    lines = [ln for ln in res.stderr.splitlines() if MISSING in ln]
    assert len(lines) == 1, res.stderr
    assert not (tmp_path / "t.duckdb").exists() or args[0] == "index"
    assert not (tmp_path / "c.html").exists() and not (tmp_path / "r.html").exists()


def test_cli_json_output_is_canonical_indented_json(tmp_path: Path) -> None:
    """The fast serializer writes exactly what json.dumps(indent=2, ensure_ascii=False) would,
    for one object, an array and the --out files."""
    two = tmp_path / "two.json"
    res = elig("parse", str(EXAMPLE), str(ROOT / "examples" / "NCT01985464.json"), "-o", str(two))
    assert res.returncode == 0, res.stderr
    single = elig("parse", str(EXAMPLE)).stdout
    for text in (two.read_text(encoding="utf-8"), single):
        assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"
    assert isinstance(json.loads(two.read_text(encoding="utf-8")), list)
    assert isinstance(json.loads(single), dict)


V1_DOC = FIXTURES / "v1" / "NCT05697718.v1.json"


def test_cli_match_reads_a_v1_document_without_the_pipeline() -> None:
    # a v1 parse output is upgraded on read; matching needs no NLP pipeline, so no spaCy import
    probe = (
        "import sys\nfrom nlp.cli import main\nsys.argv = ['elig', 'match', 'examples/patient.json', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\nelse:\n    code = 0\n"
        "print('SPACY', any(m.split('.')[0] == 'spacy' for m in sys.modules), 'EXIT', code)\n"
    )
    res = subprocess.run([sys.executable, "-c", probe, str(V1_DOC)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "Traceback" not in res.stderr, res.stderr
    assert res.stdout.splitlines()[0].startswith("NCT05697718: ")
    assert res.stdout.strip().splitlines()[-1] in ("SPACY False EXIT 0", "SPACY False EXIT None")


def test_cli_evaluate_facts_scores_parse_outputs(tmp_path: Path) -> None:
    keys = need(ROOT.parent / "shared" / "acceptance" / "seeds")
    res = elig("evaluate", "facts", str(V1_DOC), "--keys", str(keys))
    assert res.returncode == 0, res.stderr
    assert "numeric precision" in res.stdout and "NCT05697718: recall" in res.stdout
    bad = tmp_path / "v9.json"
    bad.write_text(json.dumps({"schema_version": 9}), encoding="utf-8")
    res = elig("evaluate", "facts", str(bad), "--keys", str(keys))
    assert res.returncode == 1 and "schema_version 9 is not supported" in res.stderr and "Traceback" not in res.stderr


def test_cli_evaluate_healthy_on_the_bundled_example(tmp_path: Path) -> None:
    out = tmp_path / "healthy.json"
    res = elig("evaluate", "healthy", str(EXAMPLE), "--json", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("1 trials; healthy 45-year-old controls turned away")
    assert set(json.loads(out.read_text())["controls"]) == {
        "healthy-female-empty", "healthy-female-normal-labs", "healthy-male-empty", "healthy-male-normal-labs"}
