"""The training walkthroughs (6-10) run headless in quick mode, write their pictures and make their point.

Each walkthrough runs once per module (``main(["--quick", "--out", tmp])``); the
tests then check the claim it teaches, against an independent computation where
one exists.
"""

from __future__ import annotations

import importlib
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

import engine  # noqa: E402
from nn import MLP, fit  # noqa: E402
from nn.data import make_moons  # noqa: E402
from nn.optim import Adam  # noqa: E402
from demo_runs import Run, run_once  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["backprop_mlp", "initialisation", "losses", "optimizers", "digits"]


backprop = run_once("backprop_mlp")
init = run_once("initialisation")
losses = run_once("losses")
optimizers = run_once("optimizers")


def assert_pictures(run: Run, *names: str) -> None:
    for name in names:
        path = run.out / name
        assert path.is_file(), f"{name} was not written"
        assert path.stat().st_size > 10_000, f"{name} is suspiciously small"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"wrote {path}" in run.text


# --- backprop_mlp -------------------------------------------------------------------------


def test_backprop_mlp_reaches_every_training_point(backprop):
    result = backprop.result
    assert result["accuracy"] == 1.0
    assert result["losses"][-1] < result["losses"][0] / 10
    assert "100%" in backprop.text
    assert_pictures(backprop, "training.png", "decision_boundary.png", "gradient_slopes.png")


def test_backprop_mlp_gradients_match_finite_differences(backprop):
    rows = backprop.result["gradients"]
    assert len(rows) >= 5
    assert {r.name.split(".")[0] for r in rows} == {"L0", "L1", "L2"}
    for r in rows:
        assert r.agrees, r
        assert r.analytic == pytest.approx(r.numeric, abs=1e-6)


def test_backprop_mlp_finite_difference_is_independent_of_backward():
    # The walkthrough's finite difference must not read any grad: a wrong grad
    # planted on the parameter leaves it unchanged.
    from demos import backprop_mlp as demo
    X, _, signs = demo.moons(12)
    model = MLP(2, [4, 1], seed=1)
    p = model.parameters()[0]
    before = demo.finite_difference(model, X, signs, p)
    p.grad = 123.0
    assert demo.finite_difference(model, X, signs, p) == before
    loss, _ = demo.loss_and_accuracy(model, X, signs)
    model.zero_grad()
    loss.backward()
    assert p.grad == pytest.approx(before, abs=1e-6)


# --- initialisation -----------------------------------------------------------------------


def test_initialisation_equal_starts_keep_hidden_units_identical(init):
    result = init.result
    for name in ("zeros", "constant 0.5"):
        assert result["spread"][name] == 0.0, name
        assert result["weight_spread"][name] == 0.0, name
    for name in ("Xavier (tanh)", "He (ReLU)"):
        assert result["spread"][name] > 0.1, name
        assert result["weight_spread"][name] > 0.1, name
    assert_pictures(init, "training.png", "hidden_units.png", "decision_regions.png",
                    "signal_by_depth.png")


def test_initialisation_random_starts_learn_more_than_equal_ones(init):
    acc = init.result["accuracy"]
    assert acc["zeros"] == pytest.approx(0.5)   # one constant answer for the balanced moons
    assert min(acc["Xavier (tanh)"], acc["He (ReLU)"]) > acc["constant 0.5"]


def test_initialisation_symmetry_holds_for_any_constant_start():
    # Independent of the walkthrough: a different constant, optimizer and loss.
    from demos.initialisation import spread, weight_rows
    X, y = make_moons(20, noise=0.1, seed=4)
    model = MLP(2, [5, 5, 1], activation="tanh", init=lambda fi, fo, rng: -0.7, seed=0)
    fit(model, X, y, loss="bce", optimizer=Adam(model.parameters(), lr=0.05), epochs=5,
        progress=False)
    for layer in model.layers[:2]:
        assert spread(weight_rows(layer)) == 0.0
    assert weight_rows(model.layers[0])[0] != [-0.7, -0.7, 0.0]   # it did train


def test_initialisation_depth_picture_matches_the_story(init):
    stds = init.result["depth_std"]
    small, uniform, xavier = stds["N(0, 0.05²)"], stds["U(-1, 1)"], stds["Xavier"]
    assert small[-1] < 1e-3 < small[0]              # dies out layer by layer
    assert uniform[-1] > 0.5                        # saturated near ±1
    assert 0.05 < xavier[-1] < uniform[-1]


# --- losses -------------------------------------------------------------------------------


def test_losses_slopes_are_the_chain_rule_formulas(losses):
    slopes = losses.result["slopes_at_minus_5"]
    p = 1 / (1 + math.exp(5))
    assert slopes["bce"] == pytest.approx(p - 1, rel=1e-12)
    assert slopes["mse"] == pytest.approx(2 * (p - 1) * p * (1 - p), rel=1e-12)
    assert abs(slopes["bce"]) > 50 * abs(slopes["mse"])


def test_losses_softmax_cross_entropy_learns_the_spiral_fastest(losses):
    acc = losses.result["accuracy"]
    assert set(acc) == {"MSE on softmax", "BCE per class", "softmax cross-entropy"}
    assert all(a > 0.5 for a in acc.values())        # chance is 1/3
    assert acc["softmax cross-entropy"] == max(acc.values())
    assert_pictures(losses, "loss_shapes.png", "training.png", "decision_regions.png")


def test_losses_one_vs_rest_bce_is_the_sum_of_binary_losses():
    from demos.losses import one_vs_rest_bce, softmax_mse
    logits = [[0.5, -1.0, 2.0], [0.0, 0.3, -0.2]]
    targets = [2, 0]
    expected = 0.0
    for row, t in zip(logits, targets):
        for j, z in enumerate(row):
            y = 1.0 if j == t else 0.0
            expected += -(y * math.log(1 / (1 + math.exp(-z)))
                          + (1 - y) * math.log(1 - 1 / (1 + math.exp(-z))))
    assert one_vs_rest_bce(logits, targets).data == pytest.approx(expected / 6, rel=1e-12)
    total = 0.0
    for row, t in zip(logits, targets):
        exps = [math.exp(z) for z in row]
        total += sum((e / sum(exps) - (1.0 if j == t else 0.0)) ** 2 for j, e in enumerate(exps))
    assert softmax_mse(logits, targets).data == pytest.approx(total / 6, rel=1e-12)


# --- optimizers ---------------------------------------------------------------------------


def test_optimizers_on_the_valley_momentum_and_adam_beat_plain_sgd(optimizers):
    final = optimizers.result["toy_final"]
    sgd = final["SGD, lr 0.9"]
    assert final["momentum 0.9, lr 0.2"] < sgd
    assert final["Adam, lr 0.3"] < sgd


def test_optimizers_on_the_moons_what_the_narrative_says(optimizers):
    final = optimizers.result["final_loss"]
    # Measured, and printed as such: momentum beats plain SGD, and Adam with its
    # cautious default rate trails plain SGD on this short run but not at 10x the rate.
    assert final["SGD + momentum 0.9, lr 0.1"] < final["SGD, lr 0.1"]
    assert final["Adam (defaults, lr 0.001)"] > final["SGD, lr 0.1"]
    assert final["Adam, lr 0.01"] < final["Adam (defaults, lr 0.001)"]
    assert "trails plain SGD" in optimizers.text
    assert_pictures(optimizers, "valley_paths.png", "loss_curves.png")


def test_optimizers_valley_gradients_come_from_backward():
    from demos.optimizers import valley
    a, b = engine.Value(3.0), engine.Value(-0.5)
    valley(a, b).backward()
    assert (a.grad, b.grad) == (pytest.approx(2 * 3.0 / 50), pytest.approx(2 * -0.5))


# --- digits -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    pytest.importorskip("sklearn")
    return Run("digits", tmp_path_factory.mktemp("digits"))


def test_digits_quick_run_beats_chance_by_far(digits):
    result = digits.result
    assert result["test_accuracy"] > 0.5             # chance is 0.1
    table = result["confusion"]
    assert sum(map(sum, table)) == 150
    assert sum(table[i][i] for i in range(10)) == round(result["test_accuracy"] * 150)
    assert_pictures(digits, "examples.png", "training.png", "confusion_matrix.png", "mistakes.png")


def test_digits_replay_equals_eager_when_the_engine_can_trace(digits):
    if not hasattr(engine, "trace"):
        pytest.skip("this engine has no engine.trace")
    assert digits.result["traced"] is True
    assert digits.result["replay_gap"] == 0.0


def test_digits_loss_is_softmax_cross_entropy():
    from demos._common import one_hot
    from demos.digits import digit_loss
    from nn.losses import cross_entropy
    logits = [engine.Value(z) for z in (0.3, -1.2, 2.5, 0.0, 1.1, -0.4, 0.9, 0.2, -2.0, 1.7)]
    for t in (0, 2, 9):
        assert digit_loss(logits, one_hot(t, 10)).data == pytest.approx(
            cross_entropy(logits, t).data, rel=1e-12)


# --- shape of the scripts -----------------------------------------------------------------


def test_python_m_demos_runs_a_training_walkthrough(tmp_path):
    done = subprocess.run([sys.executable, "-m", "demos", "optimizers", "--quick", "--out",
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "loss_curves.png").is_file()
    listing = subprocess.run([sys.executable, "-m", "demos"], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
    names = [line.split()[0] for line in listing.stdout.splitlines()[1:] if line.strip()]
    assert [n for n in names if n in NAMES] == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_training_walkthrough_reads_as_a_notebook(name):
    jupytext = pytest.importorskip("jupytext")
    cells = jupytext.read(ROOT / "demos" / f"{name}.py").cells
    kinds = [c.cell_type for c in cells]
    assert kinds.count("markdown") >= 4, f"{name} should explain itself in markdown cells"
    assert kinds.count("code") >= 4
    code = [c for c in cells if c.cell_type == "code"]
    # a lesson runs step by step as its cells execute (demos/_lesson.py); an older
    # walkthrough's last cell calls main()
    assert "@lesson.step" in "".join(c.source for c in code) or "main()" in code[-1].source
    module = importlib.import_module(f"demos.{name}")
    assert isinstance(module.ORDER, int) and module.SUMMARY and module.__doc__
