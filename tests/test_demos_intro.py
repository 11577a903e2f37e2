"""The first five walkthroughs run headless in quick mode, write their pictures and make their point.

Each test runs ``main(["--quick", "--out", tmp])`` and then checks the claim the
walkthrough teaches against an independent computation where one exists.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

import engine  # noqa: E402
from demo_runs import run_once  # noqa: E402
from demos._common import graph_tool  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

HAS_DOT = graph_tool("engine", "draw_dot") is not None


neuron = run_once("one_neuron")
activations = run_once("activations")


def assert_picture(path: Path, min_bytes: int = 5_000) -> None:
    assert path.is_file(), f"{path.name} was not written"
    assert path.stat().st_size > min_bytes, f"{path.name} is suspiciously small"
    if path.suffix == ".png":
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- one_neuron -----------------------------------------------------------------------


def test_one_neuron_gradients_match_the_hand_derived_chain_rule(neuron):
    result = neuron.result
    s = __import__("demos.one_neuron", fromlist=["START"]).START
    o = math.tanh(s["x1"] * s["w1"] + s["x2"] * s["w2"] + s["b"])
    dn = 1 - o * o
    expected = {"x1": dn * s["w1"], "x2": dn * s["w2"], "w1": dn * s["x1"],
                "w2": dn * s["x2"], "b": dn}
    assert result["output"] == pytest.approx(o, abs=1e-15)
    for name, grad in expected.items():
        assert result["grads"][name] == pytest.approx(grad, abs=1e-12)


def test_one_neuron_moving_along_the_gradients_raises_the_output(neuron):
    assert neuron.result["nudged"] > neuron.result["output"] + 0.01


def test_one_neuron_gradients_match_finite_differences(neuron):
    result = neuron.result
    assert result["gradcheck"] is True
    for name, (analytic, numeric) in result["table"].items():
        assert analytic == pytest.approx(numeric, abs=1e-7), name
    assert_picture(neuron.out / "slopes.png", 30_000)


@pytest.mark.needs_dot
@pytest.mark.skipif(not HAS_DOT, reason="needs engine.draw_dot and the Graphviz dot binary")
def test_one_neuron_draws_the_graph_and_one_picture_per_step(neuron):
    tmp_path = neuron.out
    assert_picture(tmp_path / "graph.svg", 2_000)
    steps = sorted(tmp_path.glob("step_*.svg"))
    assert [p.name for p in steps] == [f"step_{k:02d}.svg" for k in range(1, 6)]
    assert "<svg" in steps[0].read_text()
    assert_picture(tmp_path / "forward.svg", 2_000)
    if hasattr(engine, "save_player"):
        html = (tmp_path / "player.html").read_text()
        assert "<html" in html.lower()


def test_one_neuron_player_does_not_double_the_gradients(neuron):
    # save_player runs its own backward pass; the walkthrough must not leave leaf grads doubled
    for name, grad in neuron.result["grads"].items():
        assert neuron.result["grads_at_end"][name] == pytest.approx(grad, abs=1e-15)


def test_one_neuron_prints_every_backward_step(neuron):
    text = neuron.text
    for k in range(1, 6):
        assert f"step {k} of 5" in text
    assert "o = tanh(n)" in text
    assert "Pictures:" in text


# --- activations ----------------------------------------------------------------------


def test_activations_gelu_approximation_is_close_but_not_equal(activations):
    result, tmp_path = activations.result, activations.out
    assert 1e-5 < result["gelu_gap"] < 1e-3
    assert 1e-5 < result["gelu_slope_gap"] < 2e-3
    assert_picture(tmp_path / "activations.png", 50_000)
    assert_picture(tmp_path / "linear_collapse.png", 30_000)


def test_activations_slopes_are_the_textbook_derivatives(activations):
    result = activations.result
    xs, table = result["xs"], result["table"]
    for i in range(0, len(xs), 7):
        x = xs[i]
        s = 1 / (1 + math.exp(-x))
        assert table["sigmoid"][1][i] == pytest.approx(s * (1 - s), abs=1e-12)
        assert table["tanh"][1][i] == pytest.approx(1 - math.tanh(x) ** 2, abs=1e-12)
        assert table["ReLU"][1][i] == (1.0 if x > 0 else 0.0)
        assert table["SiLU"][1][i] == pytest.approx(s * (1 + x * (1 - s)), abs=1e-12)
        phi = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
        cdf = 0.5 * (1 + math.erf(x / math.sqrt(2)))
        assert table["GELU (exact)"][1][i] == pytest.approx(cdf + x * phi, abs=1e-12)


def test_activations_stacked_linear_layers_are_one_linear_map(activations):
    result = activations.result
    assert result["collapse_error"] < 1e-12


# --- the command line -----------------------------------------------------------------


def test_python_m_demos_lists_these_walkthroughs_in_teaching_order():
    done = subprocess.run([sys.executable, "-m", "demos"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    names = [line.split()[0] for line in done.stdout.splitlines()[1:] if line.strip()]
    assert names[:5] == ["perceptron", "one_neuron", "activations", "forward_pass", "hidden_units"]


# --- perceptron -----------------------------------------------------------------------

perceptron = run_once("perceptron")


def test_perceptron_learns_and_or_and_the_blobs_but_not_xor(perceptron):
    result = perceptron.result
    assert result["converged"] == {"AND": True, "OR": True, "XOR": False}
    assert result["blobs_converged"] is True and result["blob_mistakes"][-1] == 0
    assert min(result["errors"]["XOR"]) >= 1  # not one clean pass, ever
    for name in ("perceptron_and_or.png", "perceptron_blobs.png", "perceptron_xor.png"):
        assert_picture(perceptron.out / name, 30_000)
    if graph_tool("nn", "draw_network") is not None:
        assert "<svg" in (perceptron.out / "perceptron_and.svg").read_text()


def test_perceptron_line_search_finds_no_line_for_xor(perceptron):
    found = perceptron.result["separating_lines"]
    assert found["XOR"] == 0
    assert found["AND"] > 0 and found["OR"] > 0


def test_perceptron_learned_and_really_computes_and():
    from nn.perceptron import Perceptron
    from demos.perceptron import CORNERS, GATES, snapshots

    p = Perceptron(2)
    lines, mistakes = snapshots(p, CORNERS, GATES["AND"], epochs=50)
    assert mistakes[-1] == 0 and len(lines) == len(mistakes)
    assert [p.predict(x) for x in CORNERS] == GATES["AND"]


# --- forward_pass ---------------------------------------------------------------------

forward = run_once("forward_pass")


def test_forward_pass_matrix_form_equals_neuron_by_neuron(forward):
    result = forward.result
    assert len(result["by_neuron"]) == 4
    assert result["layer_gap"] < 1e-12
    assert result["network_gap"] < 1e-12
    if result["numpy_gap"] is not None:
        assert result["numpy_gap"] < 1e-12
    assert_picture(forward.out / "layer_as_matrices.png", 30_000)
    assert_picture(forward.out / "network_activations.png", 30_000)
    if graph_tool("nn", "draw_network") is not None:
        assert "<svg" in (forward.out / "network.svg").read_text()


def test_forward_pass_matrix_form_holds_for_other_inputs():
    import random
    from engine import no_grad
    from demos.forward_pass import layer_as_matrices, layer_matrix, make_model

    model = make_model(seed=5)
    rng = random.Random(0)
    for layer in model.layers[:1]:
        W, b = layer_matrix(layer)
        for _ in range(5):
            a = [rng.uniform(-3, 3) for _ in range(layer.nin)]
            with no_grad():
                expected = [n(a).data for n in layer.neurons]
            assert layer_as_matrices(W, b, a)[1] == pytest.approx(expected, abs=1e-12)


# --- hidden_units ---------------------------------------------------------------------

hidden = run_once("hidden_units")


def test_hidden_units_relu_pieces_sum_to_the_model_output(hidden):
    result = hidden.result
    assert result["sum_gap"] < 1e-12
    assert result["curve_loss"][-1] < 0.25 * result["curve_loss"][0]  # it did learn the curve
    assert_picture(hidden.out / "relu_pieces.png", 50_000)


def test_hidden_units_decomposition_holds_for_any_relu_network():
    import nn
    from engine import no_grad
    from demos.hidden_units import relu_pieces

    model = nn.MLP(1, [5, 1], seed=11)
    xs = [-2.0 + 0.25 * k for k in range(17)]
    pieces, bias = relu_pieces(model, xs)
    with no_grad():
        outputs = [model([x]).data for x in xs]
    assert len(pieces) == 5
    assert [bias + sum(col) for col in zip(*pieces)] == pytest.approx(outputs, abs=1e-12)


def test_hidden_units_make_xor_linearly_separable(hidden):
    result = hidden.result
    assert result["xor_input_best_line"] <= 0.8          # no line works on the raw inputs
    assert result["xor_hidden_best_line"] == 1.0          # one does on the hidden units
    assert result["xor_separated"] == result["xor_points"]
    assert_picture(hidden.out / "xor_hidden_space.png", 50_000)


def test_best_line_accuracy_is_exact_on_small_cases():
    from demos.hidden_units import best_line_accuracy

    corners = [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert best_line_accuracy(corners, [0, 0, 0, 1]) == 1.0   # AND
    assert best_line_accuracy(corners, [0, 1, 1, 0]) == 0.75  # XOR: three of four at best
