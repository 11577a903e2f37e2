"""nn.losses: values and gradients against torch.nn.functional, finite differences, bad input."""

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine import RULES, Value, gradcheck, topological_order
from nn.losses import (binary_cross_entropy, binary_cross_entropy_with_logits,
                       cross_entropy, hinge_loss, log_softmax, mse_loss, softmax)

TOL = 1e-9


def close(a, b):
    return abs(a - b) <= TOL * max(1.0, abs(b)) or (math.isnan(a) and math.isnan(b))


def leaves(rows):
    """Values shaped like ``rows`` (a list of numbers or a list of lists)."""
    if rows and isinstance(rows[0], list):
        return [[Value(x) for x in row] for row in rows]
    return [Value(x) for x in rows]


def flat(xs):
    return [v for row in xs for v in row] if xs and isinstance(xs[0], list) else list(xs)


def ours(fn, inputs, *args, **kwargs):
    xs = leaves(inputs)
    out = fn(xs, *args, **kwargs)
    out.backward()
    return out.data, [v.grad for v in flat(xs)]


def theirs(torch, fn, inputs, *args, **kwargs):
    x = torch.tensor(inputs, dtype=torch.float64, requires_grad=True)
    out = fn(x, *args, **kwargs)
    out.backward()
    return out.item(), x.grad.flatten().tolist()


def assert_match(ours_result, theirs_result):
    (v1, g1), (v2, g2) = ours_result, theirs_result
    assert close(v1, v2), f"value {v1!r} vs torch {v2!r}"
    assert len(g1) == len(g2)
    bad = [(i, a, b) for i, (a, b) in enumerate(zip(g1, g2)) if not close(a, b)]
    assert not bad, f"gradients differ (index, ours, torch): {bad}"


rng = random.Random(1234)
PREDS = [rng.uniform(-3, 3) for _ in range(6)]
TARGETS = [rng.uniform(-3, 3) for _ in range(6)]
PROBS = [rng.uniform(0.01, 0.99) for _ in range(6)]
SOFT = [rng.uniform(0, 1) for _ in range(6)]
HARD = [rng.randrange(2) for _ in range(6)]
EDGE_PROBS = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1e-300, 0.5]
EDGE_TARGETS = [1.0, 0.0, 0.0, 1.0, 0.3, 0.7, 1.0, 0.5]
BIG_LOGITS = [1000.0, -1000.0, 0.0, 1000.0, -1000.0, 0.0, 36.0, -745.0]
BIG_TARGETS = [1.0, 1.0, 0.5, 0.0, 0.0, 1.0, 0.0, 1.0]
ROWS = [[rng.uniform(-4, 4) for _ in range(4)] for _ in range(5)]
CLASSES = [rng.randrange(4) for _ in range(5)]
BIG_ROWS = [[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [0.0, 0.0, 0.0], [-1000.0, -999.0, -1000.0]]
BIG_CLASSES = [1, 2, 0, 2]


# --- agreement with torch.nn.functional -------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mse_matches_torch(reduction):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    t = torch.tensor(TARGETS, dtype=torch.float64)
    assert_match(ours(mse_loss, PREDS, TARGETS, reduction=reduction),
                 theirs(torch, F.mse_loss, PREDS, t, reduction=reduction))


def test_mse_target_values_get_gradients_too():
    torch = pytest.importorskip("torch")
    p, t = Value(0.5), Value(2.0)
    mse_loss([p], [t]).backward()
    tp = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    tt = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.mse_loss(tp, tt).backward()
    assert (p.grad, t.grad) == (tp.grad.item(), tt.grad.item())


@pytest.mark.parametrize("probs,targets", [(PROBS, SOFT), (PROBS, HARD), (EDGE_PROBS, EDGE_TARGETS)],
                         ids=["soft", "hard", "exact-0-and-1"])
def test_bce_matches_torch(probs, targets):
    torch = pytest.importorskip("torch")
    t = torch.tensor(targets, dtype=torch.float64)
    mine = ours(binary_cross_entropy, probs, targets)
    assert math.isfinite(mine[0]) and all(math.isfinite(g) for g in mine[1])
    assert_match(mine, theirs(torch, torch.nn.functional.binary_cross_entropy, probs, t))


def test_bce_through_a_saturated_sigmoid_gives_zero_gradient_not_nan():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    t = torch.tensor([0.0, 1.0], dtype=torch.float64)
    logits = [40.0, -40.0]  # sigmoid rounds to exactly 1.0 and to 3e-18
    assert_match(ours(lambda xs, y: binary_cross_entropy([x.sigmoid() for x in xs], y), logits, [0.0, 1.0]),
                 theirs(torch, lambda x, y: F.binary_cross_entropy(torch.sigmoid(x), y), logits, t))


@pytest.mark.parametrize("logits,targets", [(PREDS, SOFT), (PREDS, HARD), (BIG_LOGITS, BIG_TARGETS)],
                         ids=["soft", "hard", "logits-of-1000"])
def test_bce_with_logits_matches_torch(logits, targets):
    torch = pytest.importorskip("torch")
    t = torch.tensor(targets, dtype=torch.float64)
    mine = ours(binary_cross_entropy_with_logits, logits, targets)
    assert math.isfinite(mine[0])
    assert_match(mine, theirs(torch, torch.nn.functional.binary_cross_entropy_with_logits, logits, t))


def test_bce_with_logits_gradient_at_zero_is_half_minus_target():
    x = Value(0.0)
    binary_cross_entropy_with_logits(x, 1.0).backward()
    assert x.grad == -0.5


@pytest.mark.parametrize("rows,classes", [(ROWS, CLASSES), (BIG_ROWS, BIG_CLASSES)],
                         ids=["random", "logits-of-1000"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_batch_matches_torch(rows, classes, reduction):
    torch = pytest.importorskip("torch")
    t = torch.tensor(classes)
    mine = ours(cross_entropy, rows, classes, reduction=reduction)
    assert math.isfinite(mine[0])
    assert_match(mine, theirs(torch, torch.nn.functional.cross_entropy, rows, t, reduction=reduction))


def test_cross_entropy_single_sample_matches_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    assert_match(ours(cross_entropy, ROWS[0], 2),
                 theirs(torch, lambda x: F.cross_entropy(x.unsqueeze(0), torch.tensor([2])), ROWS[0]))


@pytest.mark.parametrize("fn,name", [(softmax, "softmax"), (log_softmax, "log_softmax")])
@pytest.mark.parametrize("row", [ROWS[0], BIG_ROWS[1], [3.0]], ids=["random", "big", "one"])
def test_softmax_family_matches_torch(fn, name, row):
    torch = pytest.importorskip("torch")
    weights = [0.3, -1.2, 2.0, 0.7][:len(row)]  # a scalar that depends on every output

    def mine(xs):
        return engine.dot(weights, fn(xs))

    def torchs(x):
        return (getattr(torch.nn.functional, name)(x, dim=0) * torch.tensor(weights, dtype=torch.float64)).sum()

    assert_match(ours(mine, row), theirs(torch, torchs, row))
    outputs = [v.data for v in fn(row)]
    expected = getattr(torch.nn.functional, name)(torch.tensor(row, dtype=torch.float64), dim=0).tolist()
    assert all(close(a, b) for a, b in zip(outputs, expected))


def test_hinge_matches_torch_formula():
    torch = pytest.importorskip("torch")
    labels = [1, -1, 1, -1, 1.0, -1.0]
    scores = [2.0, 0.5, 0.3, -3.0, 1.0, -0.2]  # includes a margin of exactly 1
    y = torch.tensor(labels, dtype=torch.float64)
    assert_match(ours(hinge_loss, scores, labels),
                 theirs(torch, lambda s: torch.relu(1 - y * s).mean(), scores))


def test_reduction_none_gives_one_loss_per_sample():
    torch = pytest.importorskip("torch")
    per_sample = cross_entropy(ROWS, CLASSES, reduction="none")
    expected = torch.nn.functional.cross_entropy(
        torch.tensor(ROWS, dtype=torch.float64), torch.tensor(CLASSES), reduction="none").tolist()
    assert len(per_sample) == len(ROWS)
    assert all(close(v.data, e) for v, e in zip(per_sample, expected))
    assert isinstance(mse_loss(Value(1.0), 0.0, reduction="none"), Value)


# --- finite differences and properties ---------------------------------------------------


@pytest.mark.parametrize("loss,targets", [
    (mse_loss, [0.5, -1.0, 2.0]),
    (binary_cross_entropy_with_logits, [1.0, 0.0, 0.25]),
    (hinge_loss, [1, -1, 1]),
    (lambda xs, t: cross_entropy(xs, t), 1),
    (lambda xs, t: engine.dot([1.0, -2.0, 0.5], softmax(xs)), None),
    (lambda xs, t: engine.dot([1.0, -2.0, 0.5], log_softmax(xs)), None),
], ids=["mse", "bce_logits", "hinge", "cross_entropy", "softmax", "log_softmax"])
def test_gradients_match_finite_differences(loss, targets):
    assert gradcheck(lambda *xs: loss(list(xs), targets), [0.3, -1.7, 2.2])


def test_bce_gradients_match_finite_differences():
    assert gradcheck(lambda *ps: binary_cross_entropy(list(ps), [1.0, 0.0, 0.6]), [0.3, 0.8, 0.45])


logits_rows = st.lists(st.floats(-30, 30), min_size=1, max_size=6)


@given(logits_rows, st.data())
def test_cross_entropy_gradient_is_softmax_minus_one_hot(row, data):
    k = data.draw(st.integers(0, len(row) - 1))
    xs = [Value(x) for x in row]
    cross_entropy(xs, k).backward()
    probs = [p.data for p in softmax(row)]
    for i, x in enumerate(xs):
        assert abs(x.grad - (probs[i] - (1.0 if i == k else 0.0))) <= 1e-12


@given(logits_rows, st.floats(-500, 500))
def test_softmax_sums_to_one_and_ignores_a_shift(row, shift):
    probs = [p.data for p in softmax(row)]
    assert abs(sum(probs) - 1.0) <= 1e-12
    shifted = [p.data for p in softmax([x + shift for x in row])]
    assert all(abs(a - b) <= 1e-9 for a, b in zip(probs, shifted))
    logs = [v.data for v in log_softmax(row)]
    assert all(abs(math.exp(a) - b) <= 1e-12 for a, b in zip(logs, probs))


@given(st.lists(st.tuples(st.floats(-9, 9), st.sampled_from([0.0, 1.0])), min_size=1, max_size=5))
def test_bce_with_logits_equals_bce_of_sigmoid_for_moderate_logits(pairs):
    xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
    direct = binary_cross_entropy_with_logits(xs, ys).data
    probs = [Value(x).sigmoid().data for x in xs]
    assert abs(direct - binary_cross_entropy(probs, ys).data) <= 1e-9 * max(1.0, direct)
    assert direct >= 0.0


def test_logits_version_keeps_precision_the_probability_version_loses():
    # sigmoid(20) rounds to 1 - 2.06e-9 with a relative error of 1e-16 / 2e-9 in 1 - p,
    # so BCE on the probability is off in the 8th digit; from the logit it is exact.
    exact = 20.0 + math.log1p(math.exp(-20.0))
    from_logit = binary_cross_entropy_with_logits(20.0, 0.0).data
    from_prob = binary_cross_entropy(Value(20.0).sigmoid(), 0.0).data
    assert abs(from_logit - exact) <= 1e-14
    assert abs(from_prob - exact) > 1e-9


# --- graph shape ---------------------------------------------------------------------------


def test_batch_losses_use_one_sum_node_per_reduction():
    xs = leaves(ROWS)
    loss = cross_entropy(xs, CLASSES)
    ops = [v.op.name for v in topological_order(loss) if v.op is not None]
    assert ops.count("sum") == len(ROWS) + 1  # one Σ per log-sum-exp, one for the batch mean
    assert ops.count("exp") == len(ROWS) * len(ROWS[0])
    assert ops[-1] == "div"
    single = mse_loss(Value(2.0), 1.0)
    assert single.op.name == "pow_const"  # a batch of one adds no mean node


def test_bce_is_one_rule_table_node_that_steps_through():
    p = Value(0.25, label="p")
    loss = binary_cross_entropy(p, 1.0)
    assert loss.op is RULES["bce"] and loss.inputs[0] is p
    step = next(loss.backward_steps())
    assert "p" in str(step)
    assert RULES["bce"].describe_local(0, ["p", "y"], "out") == "(p - y) / (p * (1 - p))"
    assert p.grad == pytest.approx(-1 / 0.25)


def test_losses_accept_plain_floats_and_single_values():
    assert mse_loss(3.0, 1.0).data == 4.0
    assert hinge_loss(0.5, -1).data == 1.5
    assert binary_cross_entropy(1.0, 1).data == 0.0


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("call,error,match", [
    (lambda: mse_loss([1.0, 2.0], [1.0]), ValueError, "2 predictions and 1 targets"),
    (lambda: mse_loss([], []), ValueError, "at least one prediction, got an empty batch"),
    (lambda: mse_loss([1.0], 1.0), ValueError, "single target"),
    (lambda: mse_loss(1.0, [1.0]), ValueError, "single prediction but 1 targets"),
    (lambda: mse_loss(["a"], [1.0]), TypeError, r"predictions\[0\] must be a Value"),
    (lambda: mse_loss("ab", "cd"), TypeError, "list of them"),
    (lambda: binary_cross_entropy([0.5], [1.5]), ValueError, r"targets\[0\] must be a probability"),
    (lambda: binary_cross_entropy([0.5, 1.2], [1.0, 1.0]), ValueError, r"probabilities\[1\] must be in"),
    (lambda: binary_cross_entropy(float("nan"), 1.0), ValueError, "probability must be in"),
    (lambda: mse_loss(1.0, [1.0, 2.0]), ValueError, "single prediction but 2 targets"),
    (lambda: hinge_loss(1.0, None), TypeError, "labels must be"),
    (lambda: binary_cross_entropy([0.5], [Value(1.0)]), TypeError, "plain number"),
    (lambda: binary_cross_entropy_with_logits([0.5], [-1.0]), ValueError, "probability"),
    (lambda: hinge_loss([0.5, 1.0], [1, 0]), ValueError, r"labels\[1\] must be \+1 or -1"),
    (lambda: cross_entropy([1.0, 2.0], 2), ValueError, "out of range for 2 classes"),
    (lambda: cross_entropy([1.0, 2.0], -1), ValueError, "out of range"),
    (lambda: cross_entropy([1.0, 2.0], 1.0), TypeError, "int class index"),
    (lambda: cross_entropy([1.0, 2.0], True), TypeError, "int class index"),
    (lambda: cross_entropy([[1.0, 2.0]], 0), ValueError, "single target"),
    (lambda: cross_entropy([[1.0, 2.0], [1.0]], [0, 0]), ValueError, r"logits\[1\] has 1 classes"),
    (lambda: cross_entropy([[1.0, 2.0]], [0, 1]), ValueError, "1 logit rows and 2 targets"),
    (lambda: cross_entropy([[1.0, 2.0], 3.0], [0, 1]), TypeError, r"logits\[1\] must be a list"),
    (lambda: cross_entropy([], 0), ValueError, "at least one sample"),
    (lambda: cross_entropy([Value(0.3), Value(-1.0)], [0, 1]), ValueError, "one sample's logits"),
    (lambda: cross_entropy([[]], [0]), ValueError, "empty"),
    (lambda: softmax([]), ValueError, "empty"),
    (lambda: log_softmax(3.0), TypeError, "list of logits"),
    (lambda: mse_loss([1.0], [1.0], reduction="avg"), ValueError, "reduction"),
])
def test_bad_input_is_refused_clearly(call, error, match):
    with pytest.raises(error, match=match):
        call()
