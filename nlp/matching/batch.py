"""Ranking many patients against the same trials, in forked worker processes.

The trials are loaded once, in the parent, before the workers fork: each worker inherits them
(and the matcher with its lexicon) instead of reading the store again, ranks whole patients with
``rank`` and sends back a summary per patient-trial (``RankEntry``: the verdict, the failing
criteria, how many items are open), small enough for 1,000 patients x 1,099 trials. Results come
back in input order and are the same for any number of workers.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from nlp.core.document import ParsedTrial
from nlp.matching.evaluate import Matcher, MatchReport, rank
from nlp.matching.patient import Patient
from nlp.matching.store import collector_off


class RankEntry(NamedTuple):
    """One trial in a patient's ranking, as ``elig rank`` reports it for many patients."""

    trial: str
    overall: str
    failing: tuple[str, ...]
    missing: int  # open items (missing data, judgement) listed in the full report

    @classmethod
    def of(cls, report: MatchReport) -> RankEntry:
        return cls(report.trial, report.overall, report.failing, len(report.missing))


# what a forked worker inherits from the parent (set before the pool starts)
_TRIALS: Sequence[ParsedTrial] = ()
_PATIENTS: Sequence[Patient] = ()
_MATCHER: Matcher | None = None


def _rank_one(i: int) -> list[RankEntry]:
    assert _MATCHER is not None
    with collector_off():
        return [RankEntry.of(r) for r in rank(_MATCHER, _PATIENTS[i], _TRIALS)]


def rank_patients(trials: Sequence[ParsedTrial], patients: Sequence[Patient], jobs: int = 1,
                  matcher: Matcher | None = None) -> Iterator[list[RankEntry]]:
    """Each patient's ranking (``rank`` order) in input order; ``jobs`` > 1 forks that many
    workers, which inherit ``trials`` (freeze them first for copy-on-write: see ``freeze``)."""
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


def freeze() -> None:
    """Move everything alive now (the loaded trials) out of the cyclic collector's generations:
    they live until the end, and later collections then neither rescan them nor, in forked
    workers, touch (and so copy) their memory pages."""
    gc.freeze()
