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


def test_hyperparameters_walkthrough(tmp_path):
    from demos import hyperparameters
    result = hyperparameters.main(["--quick", "--out", str(tmp_path)])
    records = result["records"]
    assert len(records) == 16 and result["logged"] == records   # one JSON line per run, same data
    for name in ("accuracy_heatmap.png", "loss_by_lr.png"):
        assert (tmp_path / name).stat().st_size > 10_000
    # the key claim of the loss-curve picture: in few epochs the larger rate gets further down
    final = {lr: [r["loss"][-1] for r in records if r["lr"] == lr and r["dataset"] == "moons"]
             for lr in (0.03, 0.3)}
    assert sum(final[0.3]) / 4 < sum(final[0.03]) / 4
    assert result["best"]["moons"]["test_accuracy"] >= 0.75


def test_gradient_paths_walkthrough(tmp_path):
    from demos import gradient_paths
    result = gradient_paths.main(["--quick", "--out", str(tmp_path)])
    assert abs(result["path_sum"] - result["grad"]) < 1e-12 and abs(result["grad"]) > 0.1
    smooth = {h: (p, a) for h, p, a in result["cases"]["tanh, w = 0.6"]}
    p, a = smooth[min(smooth, key=lambda h: abs(h - 0.1))]
    assert abs(p - a) < 0.1 * abs(a)                  # a small nudge: the prediction holds
    kink = result["cases"]["relu at its kink, w = 0"]
    assert all(p == 0.0 for _, p, _ in kink) and kink[-1][2] > 0.1   # grad 0, yet the loss moves
    assert (tmp_path / "nudge.png").stat().st_size > 10_000


def test_forward_reverse_walkthrough(tmp_path):
    from demos import forward_reverse
    result = forward_reverse.main(["--quick", "--out", str(tmp_path)])
    assert result["max_difference"] < 1e-12
    assert abs(result["second"] - 12.0) < 1e-12
    work = result["work"]
    ratios = [work[n]["forward"] / work[n]["reverse"] for n in sorted(work)]
    assert ratios == sorted(work)        # forward mode costs n times reverse for the full gradient
    assert (tmp_path / "op_counts.png").stat().st_size > 10_000


def test_training_health_walkthrough(tmp_path):
    from demos import training_health
    result = training_health.main(["--quick", "--out", str(tmp_path)])
    assert len(result["ratios"]) == 15 and all(len(r) == 3 for r in result["ratios"])  # 3 batches x 5 epochs
    assert all(0.0 < v < 1.0 for row in result["ratios"] for v in row)
    assert result["health"]["tanh, uniform(-1,1) x 6"]["saturated"] > 0.3
    assert (tmp_path / "training_health.png").stat().st_size > 10_000
