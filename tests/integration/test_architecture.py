"""The architecture as a user of the library meets it: reading results never needs spaCy."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def _imports_spacy(code: str) -> list[str]:
    probe = code + "\nimport sys\nprint(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'medspacy', 'scispacy', 'thinc')))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return eval(out.stdout.strip().splitlines()[-1])  # a printed list of module names


def test_architecture_matching_compare_report_do_not_import_spacy() -> None:
    loaded = _imports_spacy(
        "import nlp.matching, nlp.matching.store, nlp.reports, nlp.reports.corpus, nlp.reports.plots, nlp.show\n"
        "import nlp.core.document, nlp.core.normal, nlp.core.upgrade, nlp.constraints\n"
    )
    assert loaded == []


def test_architecture_the_orchestrator_does_import_spacy() -> None:
    # the probe itself can fail: the orchestrator of stages 1-4 needs the pipeline
    assert "spacy" in _imports_spacy("import nlp.analyze\n")
