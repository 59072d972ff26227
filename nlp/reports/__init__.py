"""Stage 6: reports over parsed trials, for people who would rather look than read.

- ``compare``: an aligned constraint matrix across trials (stricter / looser / equal marks from
  ``nlp.constraints.compare``), consistency findings per trial, similarity and clustering, plots;
  written as HTML (self-contained), Markdown, CSV or JSON (``nlp.reports.render``).
- ``corpus``: prevalence, threshold and age distributions, not-computable share and parser
  coverage over a whole directory of trials (``nlp.reports.corpus``).
"""

from __future__ import annotations

from nlp.reports.compare import Comparison, build_comparison
from nlp.reports.render import COMPARE_FORMATS, render_comparison

__all__ = ["COMPARE_FORMATS", "Comparison", "build_comparison", "render_comparison"]
