"""Ranking many patients against the same trials, and one patient against many trials, in
forked worker processes.

The trials are loaded once, in the parent, before the workers fork: each worker inherits them
(and the matcher with its lexicon) instead of reading the store again, ranks whole patients with
``rank`` and sends back a summary per patient-trial (``RankEntry``: the verdict, the failing
criteria, how many items are open), small enough for 1,000 patients x 1,099 trials. Results come
back in input order and are the same for any number of workers.

One patient (``rank_stored``): the stored rows (not yet validated) are read once, in the parent;
the parent and ``jobs - 1`` forked workers each validate and match a share of them (the workers
send back, per trial, its place in the ranking (``rank_key``), its ``RankEntry`` and, when asked,
the full report as JSON text). The parent sorts them: the same ranking, and the same JSON, as
``rank`` over all the trials.
"""

from __future__ import annotations

import gc
import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

from nlp.core.constraints import AnyConstraint
from nlp.core.document import ParsedTrial
from nlp.errors import InputError
from nlp.matching.evaluate import Matcher, MatchForm, MatchReport, Summary, rank_key
from nlp.matching.patient import Patient
from nlp.matching.store import StoredRow, collector_off, form_of_row


class RankEntry(NamedTuple):
    """One trial in a patient's ranking, as ``elig rank`` reports it for many patients."""

    trial: str
    overall: str
    failing: tuple[str, ...]
    missing: int  # open items (missing data, judgement) listed in the full report

    @classmethod
    def of(cls, report: MatchReport | Summary) -> RankEntry:
        return cls(report.trial, report.overall, report.failing, len(report.missing))


# what a forked worker inherits from the parent (set before the pool starts)
_TRIALS: Sequence[ParsedTrial | MatchForm] = ()
_PATIENTS: Sequence[Patient] = ()
_MATCHER: Matcher | None = None


def _rank_one(i: int) -> list[RankEntry]:
    assert _MATCHER is not None
    with collector_off():
        return [RankEntry.of(r) for r in sorted((_MATCHER.summary(t, _PATIENTS[i]) for t in _TRIALS), key=rank_key)]


def rank_patients(trials: Sequence[ParsedTrial | MatchForm], patients: Sequence[Patient], jobs: int = 1,
                  matcher: Matcher | None = None) -> Iterator[list[RankEntry]]:
    """Each patient's ranking (``rank`` order) in input order; ``jobs`` > 1 forks that many
    workers, which inherit ``trials`` (freeze them first for copy-on-write: see ``freeze``). The
    stored ``MatchForm``s (``TrialStore.match_forms``) carry content keys for the matcher's memo."""
    global _TRIALS, _PATIENTS, _MATCHER
    _TRIALS, _PATIENTS, _MATCHER = trials, patients, matcher or Matcher()
    try:
        if jobs <= 1 or len(patients) <= 1:
            yield from map(_rank_one, range(len(patients)))
            return
        import multiprocessing

        chunk = max(1, min(8, len(patients) // (4 * jobs)))
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield from pool.imap(_rank_one, range(len(patients)), chunksize=chunk)
    finally:
        _TRIALS, _PATIENTS, _MATCHER = (), (), None


class Ranked(NamedTuple):
    """One trial of one patient's ranking, as a worker sends it back."""

    key: tuple[int, bool, int, str]  # rank_key of the report
    entry: RankEntry
    report: str | None  # the full report as JSON text (``report_json``), when asked for


def report_json(report: MatchReport) -> str:
    """A report as ``elig rank -o`` writes it: the items of the JSON array of reports."""
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False)


# what a forked worker inherits for one patient (set before the pool starts)
_ROWS: Sequence[StoredRow] = ()
_CONTENTS: Mapping[str, AnyConstraint] = {}
_PATH = ""
_PATIENT: Patient | None = None
_FULL = False


def _rank_rows(bounds: tuple[int, int]) -> list[Ranked] | tuple[str, str]:
    """The rows ``lo:hi`` validated and matched; a row that does not validate gives the error's
    (source, problem) instead."""
    assert _MATCHER is not None and _PATIENT is not None
    lo, hi = bounds
    out = []
    with collector_off():  # nothing built here forms a cycle
        for row in _ROWS[lo:hi]:
            try:
                form = form_of_row(_PATH, row, _CONTENTS)
            except InputError as exc:
                return exc.source, exc.problem
            if _FULL:
                r = _MATCHER.match(form, _PATIENT)
                out.append(Ranked(rank_key(r), RankEntry.of(r), report_json(r)))
            else:
                s = _MATCHER.summary(form, _PATIENT)
                out.append(Ranked(rank_key(s), RankEntry.of(s), None))
    return out


# How much more of one patient's trials the parent takes than each forked worker: a worker's first
# writes to the inherited objects (reference counts, the matcher's memo) copy their memory pages,
# which made it about 1.2 times slower on the same share (ctgov-msc, one worker beside the parent)
_PARENT_SHARE = 1.2


def shares(n: int, jobs: int) -> list[tuple[int, int]]:
    """``0:n`` cut into ``jobs`` contiguous (lo, hi) shares, the parent's (the first) ``_PARENT_SHARE``
    times the others'; none empty."""
    jobs = max(1, min(jobs, n))
    weights = [_PARENT_SHARE] + [1.0] * (jobs - 1)
    bounds, acc = [0], 0.0
    for w in weights[:-1]:
        acc += w
        bounds.append(max(bounds[-1] + 1, min(n - (jobs - len(bounds)), round(n * acc / sum(weights)))))
    bounds.append(n)
    return [(lo, hi) for lo, hi in itertools.pairwise(bounds) if hi > lo]


def rank_stored(path: str, rows: Sequence[StoredRow], contents: Mapping[str, AnyConstraint], patient: Patient,
                jobs: int = 1, full: bool = False, matcher: Matcher | None = None) -> list[Ranked]:
    """One patient's ranking of the stored ``rows`` and ``contents`` (``TrialStore.match_rows`` and
    ``TrialStore.contents`` of the store at ``path``), in ``rank`` order; ``full``: with each full
    report as JSON text. ``jobs`` > 1 forks ``jobs - 1`` workers: the parent and each worker
    validate and match a share of the rows (``shares``; one trial built at a time, dropped once
    matched). A row that does not validate is an ``InputError`` naming the store and the trial
    (the first in trial-id order)."""
    global _ROWS, _CONTENTS, _PATH, _PATIENT, _FULL, _MATCHER
    _ROWS, _CONTENTS, _PATH, _PATIENT, _FULL, _MATCHER = rows, contents, path, patient, full, matcher or Matcher()
    try:
        parts = shares(len(rows), jobs)
        out: list[Ranked] = []
        if len(parts) <= 1:
            _collect(map(_rank_rows, parts), out)
        else:
            import multiprocessing

            with multiprocessing.get_context("fork").Pool(len(parts) - 1) as pool:
                theirs = pool.map_async(_rank_rows, parts[1:], chunksize=1)
                mine = _rank_rows(parts[0])  # the parent's share, while the workers match theirs
                _collect(iter([mine, *theirs.get()]), out)
        out.sort(key=lambda x: x.key)
        return out
    finally:
        _ROWS, _CONTENTS, _PATH, _PATIENT, _FULL, _MATCHER = (), {}, "", None, False, None


def _collect(parts: Iterator[list[Ranked] | tuple[str, str]], out: list[Ranked]) -> None:
    for part in parts:
        if isinstance(part, tuple):
            raise InputError(*part)
        out.extend(part)


def default_jobs() -> int:
    """Processes for ``elig rank`` when not told: the CPUs this process may use, at most 4 (each
    forked worker's pages become its own as it writes them)."""
    import os

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(4, cpus))


def freeze() -> None:
    """Move everything alive now (the loaded trials) out of the cyclic collector's generations:
    they live until the end, and later collections then neither rescan them nor, in forked
    workers, touch (and so copy) their memory pages."""
    gc.freeze()
