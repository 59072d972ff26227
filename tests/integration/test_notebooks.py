"""The numbered notebooks run top to bottom (so they cannot rot), import only from ``nlp`` and
the standard library, and are committed without outputs.

They run in a subprocess: the kernel talks to its client over ZMQ on localhost, which the
no-network fixture of this suite (socket.connect refused in-process) must not block."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

RUNNER = textwrap.dedent("""
    import sys, nbformat
    from nbclient import NotebookClient
    path, cwd = sys.argv[1], sys.argv[2]
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": cwd}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    sys.exit(1 if errors else 0)
""")


def _code(nb_path) -> list[str]:  # type: ignore[no-untyped-def]
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_notebooks_at_least_three() -> None:
    names = [p.stem for p in NOTEBOOKS]
    assert len(names) >= 3 and names == sorted(names)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(nb) -> None:  # type: ignore[no-untyped-def]
    res = subprocess.run([sys.executable, "-c", RUNNER, str(nb), str(nb.parent)], capture_output=True, text=True,
                         timeout=600, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-4000:]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_imports_only_nlp_and_stdlib(nb) -> None:  # type: ignore[no-untyped-def]
    for src in _code(nb):
        for node in ast.walk(ast.parse(src)):
            mods = []
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            for m in mods:
                top = m.split(".")[0]
                assert top == "nlp" or top in sys.stdlib_module_names, f"{nb.name} imports {m}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_committed_without_outputs(nb) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(nb.read_text(encoding="utf-8"))
    for c in data["cells"]:
        if c["cell_type"] == "code":
            assert c["outputs"] == [] and c["execution_count"] is None
