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
       "initialisation", "losses", "optimizers", "digits", "tracing", "hyperparameters",
       "training_health", "matrix_backprop", "gradient_paths", "forward_reverse"]


def test_every_walkthrough_is_listed_here():
    listed = sorted(p.stem for p in (ROOT / "demos").glob("*.py") if not p.stem.startswith("_"))
    assert listed == sorted(ALL)


@pytest.mark.parametrize("name", ALL)
def test_walkthrough_reads_as_a_notebook_with_prose_and_code(name):
    cells = _cells(name)
    kinds = [c.cell_type for c in cells]
    assert kinds.count("markdown") >= 2, f"{name} should explain itself in markdown cells"
    assert kinds.count("code") >= 3
    # executing the notebook runs the walkthrough: its steps run cell by cell
    # (demos/_lesson.py), or the last code cell calls main()
    code = [c for c in cells if c.cell_type == "code"]
    assert "@lesson.step" in "".join(c.source for c in code) or "main()" in code[-1].source


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


LESSONS = [name for name in ALL if "@lesson.step" in (ROOT / "demos" / f"{name}.py").read_text()]


def test_every_walkthrough_is_a_lesson_of_cells():
    assert LESSONS == ALL, f"not yet cell by cell: {sorted(set(ALL) - set(LESSONS))}"


@pytest.mark.slow
@pytest.mark.parametrize("name", LESSONS)
def test_each_step_of_a_lesson_shows_its_result_in_its_own_cell(name, tmp_path, monkeypatch):
    notebook = jupytext.read(ROOT / "demos" / f"{name}.py")
    monkeypatch.setenv("CHAINRULE_DEMO_ARGS", f"--quick --out {tmp_path}")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute(env=dict(os.environ))
    steps = [c for c in notebook.cells if c.cell_type == "code" and "@lesson.step" in c.source]
    assert len(steps) >= 5, f"{name} should show its results in at least five cells"
    for cell in steps:
        assert cell.outputs, f"step cell without output:\n{cell.source[:200]}"
        assert not [o for o in cell.outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in steps[-1].outputs)
    assert text.startswith("Pictures:") and str(tmp_path) in text
