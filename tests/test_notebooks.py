"""The walkthroughs open as notebooks: jupytext reads the percent script, nbclient runs it.

Skips cleanly without the notebook extra. Checks every walkthrough's cells and runs three in quick mode
(``CHAINRULE_DEMO_ARGS`` tells ``demos._common.options`` what a kernel cannot pass on
its command line).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent


def _cells(name: str):
    return jupytext.read(ROOT / "demos" / f"{name}.py").cells


ALL = ["perceptron", "one_neuron", "activations", "forward_pass", "hidden_units", "backprop_mlp",
       "initialisation", "losses", "optimizers", "digits", "tracing"]


def test_every_walkthrough_is_listed_here():
    listed = sorted(p.stem for p in (ROOT / "demos").glob("*.py") if not p.stem.startswith("_"))
    assert listed == sorted(ALL)


@pytest.mark.parametrize("name", ALL)
def test_walkthrough_reads_as_a_notebook_with_prose_and_code(name):
    cells = _cells(name)
    kinds = [c.cell_type for c in cells]
    assert kinds.count("markdown") >= 2, f"{name} should explain itself in markdown cells"
    assert kinds.count("code") >= 3
    # the last code cell runs the walkthrough, so executing the notebook runs it
    last_code = [c for c in cells if c.cell_type == "code"][-1]
    assert "main()" in last_code.source


@pytest.mark.slow
@pytest.mark.parametrize("name, picture", [("one_neuron", "slopes.png"),
                                           ("activations", "activations.png"),
                                           ("backprop_mlp", "decision_boundary.png")])
def test_walkthrough_executes_as_a_notebook(name, picture, tmp_path, monkeypatch):
    notebook = jupytext.read(ROOT / "demos" / f"{name}.py")
    out = tmp_path / name
    monkeypatch.setenv("CHAINRULE_DEMO_ARGS", f"--quick --out {out}")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute(env=dict(os.environ))
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    assert (out / picture).stat().st_size > 10_000
    assert f"wrote {out / picture}" in text
    shown = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
             if "image/png" in o.get("data", {})]
    assert shown, "the pictures should appear inside the notebook"
