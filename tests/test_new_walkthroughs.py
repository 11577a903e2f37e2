"""The new walkthroughs run in --quick mode and their key claims hold."""

import numpy as np

from demos import matrix_backprop
from nn import MLP, make_moons


def test_matrix_backprop_walkthrough(tmp_path):
    result = matrix_backprop.main(["--quick", "--out", str(tmp_path)])
    assert result["max_difference"] < 1e-12
    assert abs(result["edge_sum"] - result["entry"]) < 1e-12
    assert (tmp_path / "matrix_backprop.png").stat().st_size > 10_000


def test_matrix_formulas_equal_scalar_grads_on_another_net():
    X, t = make_moons(12, seed=7)
    y = [2.0 * v - 1.0 for v in t]
    model = MLP(2, [5, 1], activation="tanh", seed=4)
    assert matrix_backprop.compare(model, X, y) < 1e-12
    m = matrix_backprop.matrix_backprop(model, X, y)
    assert np.any(np.abs(m["dW1"]) > 1e-3)  # the check compares real, non-zero gradients
