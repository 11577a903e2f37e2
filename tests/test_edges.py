"""Numerics at the edges: activations and losses at ±1e3, ±1e308, subnormals, -0.0, inf, nan.

Finite and correct where the mathematics is finite (compared with torch float64, down
to the sign of zero); IEEE ``inf``/``nan`` where it is not - or, where the mathematics
has a limit that torch misses, that limit (documented below). Non-finite data flows
through silently by default and is caught, with the op named, under ``detect_anomaly``.
"""

from __future__ import annotations

import itertools
import math

import pytest

import engine
import nn
from engine import AnomalyError, Value
from nn import losses as L

from numbers_alike import same as alike

INF, NAN = math.inf, math.nan
FINITE_EDGES = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 1.0, -1.0,
                20.0, -20.0, 40.0, -40.0, 709.0, -745.0, 1e3, -1e3, 1e308, -1e308]
EDGES = FINITE_EDGES + [INF, -INF, NAN]
ACTIVATIONS = ["sigmoid", "softplus", "tanh", "exp", "log", "gelu", "gelu_tanh", "silu", "relu",
               "leaky_relu", "sqrt", "abs"]


def same(ours: float, theirs: float, rel: float = 1e-12, signed: bool = True) -> bool:
    """Equal to ``rel`` (and, for zeros, in sign unless ``signed=False``), or both nan."""
    return alike(ours, theirs, rel, signed)


TINY = 2.2250738585072014e-308  # the smallest normal double


def like_torch(ours: float, theirs: float, rel: float = 1e-12) -> bool:
    """Equal to torch, where two documented differences are allowed.

    * the sign of a zero: a gradient accumulates onto +0.0 (so a -0.0 contribution reads
      0.0), and a value whose true size is below ~1e-300 rounds to either zero;
    * below the smallest normal double: torch's sigmoid and SiLU round e**-745 to 0; we
      keep the subnormal (sigmoid(-745) is 5e-324, as it should be).
    """
    return same(ours, theirs, rel, signed=False) or abs(ours - theirs) < TINY


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


def ours_unary(name: str, x: float):
    v = Value(x)
    out = v.gelu(approximate="tanh") if name == "gelu_tanh" else getattr(v, name)()
    out.backward()
    return out.data, v.grad


def torch_unary(torch, name: str, x: float):
    F = torch.nn.functional
    fns = {"gelu": F.gelu, "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"), "silu": F.silu,
           "softplus": lambda t: F.softplus(t, threshold=40.0), "leaky_relu": F.leaky_relu}
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = fns.get(name, getattr(torch, name, None))(t)
    out.backward()
    return out.item(), t.grad.item()


def torch_deviates(name: str, x: float) -> bool:
    """Where we knowingly give the limit instead of torch's nan (see tests/test_ops.py)."""
    return (name in ("gelu", "gelu_tanh", "silu") and x == -INF) or (
        name == "gelu_tanh" and abs(x) > 1e100)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_match_torch_at_every_edge_including_the_sign_of_zero(torch, name):
    bad = []
    for x in EDGES:
        if torch_deviates(name, x):
            continue
        (value, grad), (t_value, t_grad) = ours_unary(name, x), torch_unary(torch, name, x)
        if not (like_torch(value, t_value) and like_torch(grad, t_grad, rel=1e-11)):
            bad.append((x, value, t_value, grad, t_grad))
    assert not bad, f"{name}: (x, ours, torch, grad, torch grad) {bad}"


@pytest.mark.parametrize("name, x, value, grad", [
    # signed zeros where the sign is defined, subnormals kept, limits in the tails
    ("tanh", -0.0, -0.0, 1.0), ("sqrt", -0.0, -0.0, -INF), ("abs", -0.0, 0.0, 0.0),
    ("relu", -0.0, -0.0, 0.0), ("leaky_relu", -0.0, -0.0, 0.01),  # -0.0 stays -0.0, as in torch
    ("silu", -745.0, -745.0 * 5e-324, 5e-324 * (1.0 - 745.0)),
    ("sigmoid", 1e308, 1.0, 0.0), ("sigmoid", -1e308, 0.0, 0.0), ("sigmoid", -745.0, 5e-324, 5e-324),
    ("sigmoid", -0.0, 0.5, 0.25), ("sigmoid", 5e-324, 0.5, 0.25),
    ("softplus", 1e308, 1e308, 1.0), ("softplus", -1e308, 0.0, 0.0),
    ("softplus", -745.0, 5e-324, 5e-324), ("softplus", 5e-324, math.log(2.0), 0.5),
    ("tanh", 1e308, 1.0, 0.0), ("tanh", -0.0, -0.0, 1.0), ("tanh", 5e-324, 5e-324, 1.0),
    ("exp", 709.0, math.exp(709.0), math.exp(709.0)), ("exp", 710.0, INF, INF),
    ("exp", -1e308, 0.0, 0.0), ("exp", -0.0, 1.0, 1.0),
    ("log", 5e-324, math.log(5e-324), INF), ("log", -0.0, -INF, -INF),
    ("log", -5e-324, NAN, -INF), ("log", 1e308, math.log(1e308), 1e-308),
    ("gelu", 1e308, 1e308, 1.0), ("gelu", -1e308, -0.0, 0.0), ("gelu", -0.0, -0.0, 0.5),
    ("gelu_tanh", 1e308, 1e308, 1.0), ("gelu_tanh", -1e308, -0.0, 0.0),
    ("silu", 1e308, 1e308, 1.0), ("silu", -1e308, -0.0, 0.0), ("silu", -0.0, -0.0, 0.5),
    ("gelu", -INF, -0.0, 0.0), ("silu", -INF, -0.0, 0.0),  # the limits, from below (torch: nan)
    ("silu", INF, INF, NAN),  # x * (1 - σ(x)) is inf * 0 at x = inf, as in torch
    ("sigmoid", NAN, NAN, NAN), ("softplus", NAN, NAN, NAN),
    ("relu", NAN, NAN, 1.0),  # nan stays nan; the local slope is 1 (nan <= 0 is false), as in torch
])
def test_documented_edge_values_without_torch(name, x, value, grad):
    got_value, got_grad = ours_unary(name, x)
    assert same(got_value, value, rel=1e-15), (got_value, value)
    assert same(got_grad, grad, rel=1e-15, signed=False), (got_grad, grad)


@pytest.mark.parametrize("x", [-6.0, -8.0, -10.0, -20.0, -38.0, -40.0])
def test_gelu_far_left_tail_is_accurate_in_absolute_terms(x):
    # Φ(x) is computed as (1 + erf(x/√2)) / 2, as torch does: below x ≈ -6 the relative error
    # grows (the value rounds to 0 near x = -38), but the absolute error stays below 1e-15.
    true = x * 0.5 * math.erfc(-x / math.sqrt(2.0))
    value, grad = ours_unary("gelu", x)
    assert abs(value - true) < 1e-15 * abs(x)
    assert math.isfinite(grad) and abs(grad) < 1e-7


# --- losses ----------------------------------------------------------------------------------


def _ours(fn, xs, *args):
    vs = [Value(x) for x in xs]
    out = fn(vs if len(vs) > 1 else vs[0], *args)
    out.backward()
    return out.data, [v.grad for v in vs]


def _theirs(torch, fn, xs, *args):
    t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    out = fn(t if len(xs) > 1 else t[0], *args)
    out.backward()
    return out.item(), t.grad.tolist()


def _compare(ours, theirs, where):
    (value, grads), (t_value, t_grads) = ours, theirs
    assert like_torch(value, t_value), f"{where}: loss {value} vs torch {t_value}"
    # σ(x) - y is good to a few ulp of 1 in absolute terms (torch's own 1 - 1e-9 is not better)
    assert all(like_torch(g, t, rel=1e-11) or abs(g - t) <= 4 * 2.0 ** -52
               for g, t in zip(grads, t_grads)), \
        f"{where}: grads {grads} vs torch {t_grads}"


def _softplus(z: float) -> float:
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))  # two non-negative terms: exact


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def bce_logits_truth(x: float, y: float):
    """BCE with logits and its gradient, each spelled without cancellation for this y."""
    if y == 1.0:
        return _softplus(-x), -_sigmoid(-x)
    if y == 0.0:
        return _softplus(x), _sigmoid(x)
    if y == 0.5:  # softplus(x) - x/2 = |x|/2 + log1p(e**-|x|)
        return 0.5 * abs(x) + math.log1p(math.exp(-abs(x))), _sigmoid(x) - 0.5
    return _softplus(x) - x * y, _sigmoid(x) - y


def test_binary_cross_entropy_with_logits_is_exact_at_finite_edges(torch):
    F = torch.nn.functional
    for x, y in itertools.product(FINITE_EDGES, [0.0, 1.0, 0.5, 5e-324]):
        value, (grad,) = _ours(L.binary_cross_entropy_with_logits, [x], y)
        true_value, true_grad = bce_logits_truth(x, y)
        assert like_torch(value, true_value, rel=4e-16), (x, y, value, true_value)
        assert like_torch(grad, true_grad, rel=4e-16), (x, y, grad, true_grad)
        # torch agrees to a few ulp of its largest term (it cancels max(x, 0) against x y)
        target = torch.tensor(y, dtype=torch.float64)
        t_value, (t_grad,) = _theirs(torch, lambda t: F.binary_cross_entropy_with_logits(t, target), [x])
        assert abs(value - t_value) <= 4 * 2.0 ** -52 * max(1.0, abs(x)), (x, y, value, t_value)
        assert abs(grad - t_grad) <= 4 * 2.0 ** -52, (x, y, grad, t_grad)


def test_bce_with_logits_keeps_the_tiny_loss_of_a_confident_correct_logit():
    # regression: softplus(x) - x y cancelled to 2.06115303e-09 at x = 20 (7 digits lost)
    # and to 0.0 from x = 37 on; torch's formula cancels the same way for y = 0, x = -20
    for x in (20.0, 40.0, 700.0):
        assert L.binary_cross_entropy_with_logits(x, 1).data == pytest.approx(
            math.log1p(math.exp(-x)), rel=1e-15)
        assert L.binary_cross_entropy_with_logits(-x, 0).data == pytest.approx(
            math.log1p(math.exp(-x)), rel=1e-15)


def test_probability_bce_is_exact_for_tiny_probabilities():
    # regression: log(1 - p) lost digits for tiny p (8e-8 relative error at p = 1e-10)
    for p in (1e-300, 1e-16, 1e-10, 1e-6):
        assert L.binary_cross_entropy(p, 0).data == pytest.approx(-math.log1p(-p), rel=1e-15)


@pytest.mark.parametrize("k", [0, 1, 2])
def test_cross_entropy_matches_torch_at_finite_edges(torch, k):
    F = torch.nn.functional
    target = torch.tensor([k])
    for row in itertools.product([0.0, -0.0, 5e-324, 1e3, -1e3, 1e308, -1e308], repeat=3):
        _compare(_ours(L.cross_entropy, list(row), k),
                 _theirs(torch, lambda t: F.cross_entropy(t.unsqueeze(0), target), list(row)),
                 f"cross_entropy({row}, {k})")


def test_softmax_and_log_softmax_match_torch_at_finite_edges(torch):
    for row in itertools.product([0.0, 5e-324, 1e3, -1e3, 1e308, -1e308], repeat=2):
        ours = [p.data for p in L.softmax(list(row))]
        theirs = torch.softmax(torch.tensor(row, dtype=torch.float64), 0).tolist()
        assert all(same(a, b) for a, b in zip(ours, theirs)), (row, ours, theirs)
        ours = [p.data for p in L.log_softmax(list(row))]
        theirs = torch.log_softmax(torch.tensor(row, dtype=torch.float64), 0).tolist()
        assert all(same(a, b) for a, b in zip(ours, theirs)), (row, ours, theirs)


def test_probability_bce_mse_and_hinge_match_torch_at_edges(torch):
    F = torch.nn.functional
    for p, y in itertools.product([0.0, 5e-324, 1e-300, 0.5, 1.0 - 2 ** -53, 1.0], [0.0, 1.0, 0.3]):
        target = torch.tensor(y, dtype=torch.float64)
        ours = _ours(L.binary_cross_entropy, [p], y)
        theirs = _theirs(torch, lambda t: F.binary_cross_entropy(t, target), [p])
        # torch keeps its 1e-12 gradient floor in single precision; so do we (BCE_GRAD_EPS)
        _compare(ours, theirs, f"bce({p}, {y})")
    for x, t in itertools.product(FINITE_EDGES, [0.0, -1e308, 1e308]):
        target = torch.tensor(t, dtype=torch.float64)
        _compare(_ours(L.mse_loss, [x], t), _theirs(torch, lambda u: F.mse_loss(u, target), [x]),
                 f"mse({x}, {t})")
    for s, y in itertools.product(EDGES, [1.0, -1.0]):
        value, (grad,) = _ours(L.hinge_loss, [s], y)
        expected = max(0.0, 1.0 - y * s) if s == s else NAN
        assert same(value, expected, rel=1e-15), (s, y, value)
        slope = 0.0 if 1.0 - y * s <= 0.0 else 1.0  # relu's slope, 1 at nan as in torch
        assert same(grad, -y * slope, signed=False), (s, y, grad)


@pytest.mark.parametrize("x, y, value, grad", [
    # At an infinite logit the loss is non-finite either way; where the limit exists and
    # torch gives nan (or inf where we give nan), ours is listed here as documented.
    (INF, 0.0, INF, 1.0),  # the limit, as torch gives
    (-INF, 1.0, INF, -1.0),  # the limit; torch says nan
    (INF, 1.0, NAN, 0.0),  # 0 * inf, as torch
    (NAN, 1.0, NAN, NAN),
])
def test_bce_with_logits_at_infinite_logits_is_documented(x, y, value, grad):
    got_value, (got_grad,) = _ours(L.binary_cross_entropy_with_logits, [x], y)
    assert same(got_value, value) and same(got_grad, grad), (got_value, got_grad)


def test_cross_entropy_with_an_infinite_logit_gives_limits_or_nan():
    # -log softmax: the class that lost to +inf costs inf (torch: nan) with grad -1 (torch: nan)
    value, grads = _ours(L.cross_entropy, [0.0, INF], 0)
    assert value == INF and grads[0] == -1.0 and math.isnan(grads[1])
    value, grads = _ours(L.cross_entropy, [-INF, 1.0], 1)
    assert value == 0.0 and grads == [0.0, 0.0]  # exp(-inf) = 0: the limit, as torch gives
    value, _ = _ours(L.cross_entropy, [NAN, 1.0], 1)
    assert math.isnan(value)


# --- NaN and infinite data, with and without detect_anomaly -------------------------------------

MODEL = nn.MLP(2, [3, 1], activation="tanh", seed=0)
BAD_DATA = [
    ("leaf nan", lambda: Value(NAN) * 2, "leaf Value was created with non-finite data nan"),
    ("leaf inf", lambda: Value(INF, label="x") + 1, "leaf x was created with non-finite data inf"),
    ("log of 0", lambda: Value(0.0, label="z").log(), "log of z=0 gave -inf"),
    ("exp overflow", lambda: Value(710.0, label="t").exp(), "exp of t=710 gave inf"),
    ("0/0", lambda: Value(0.0, label="a") / Value(0.0, label="b"), "div of a=0, b=0 gave nan"),
    ("inf - inf", lambda: Value(1e308, label="a") * 10 - Value(1e308) * 10, "mul of a=1e.308, 10 gave inf"),
    ("model input nan", lambda: MODEL([NAN, 1.0]), "dot of .*nan.* gave nan"),
    ("model input inf", lambda: MODEL([1.0, -INF]), "dot of .*-inf.* gave -inf"),
    ("mse of inf", lambda: L.mse_loss(Value(1e200, label="p"), 0.0), "gave inf"),
    ("cross_entropy nan logit", lambda: L.cross_entropy([Value(NAN, label="l0"), 1.0], 0),
     "non-finite data nan"),
    ("sqrt gradient at 0", lambda: Value(0.0, label="s").sqrt() * 1, "sqrt"),
]


@pytest.mark.parametrize("make, message", [pytest.param(m, msg, id=i) for i, m, msg in BAD_DATA])
def test_non_finite_data_flows_silently_and_is_caught_under_detect_anomaly(make, message):
    try:  # without the switch: IEEE numbers, no exception
        out = make()
        out.backward()
    except AnomalyError:  # pragma: no cover - would mean the switch leaked
        pytest.fail("AnomalyError without detect_anomaly()")
    assert not (math.isfinite(out.data) and all(
        math.isfinite(v.grad) for v in engine.topological_order(out))), "expected a non-finite number"
    with engine.detect_anomaly():
        with pytest.raises(AnomalyError, match=message):
            make().backward()
    assert not engine.is_anomaly_enabled()


def test_fit_on_nan_data_reports_nan_loss_or_names_the_op_under_detect_anomaly():
    X, y = [[NAN, 1.0], [0.5, -0.5]], [0, 1]
    with pytest.warns(RuntimeWarning, match="nan"):  # fit says so once, then carries on (IEEE)
        history = nn.fit(nn.MLP(2, [3, 1], seed=0), X, y, epochs=2, progress=False)
    assert all(math.isnan(loss) for loss in history.loss)
    with engine.detect_anomaly():
        with pytest.raises(AnomalyError, match=r"dot of L0\.N0\.w0=.*nan.*gave nan \(forward pass\)"):
            nn.fit(nn.MLP(2, [3, 1], seed=0), X, y, epochs=2, progress=False)


@pytest.mark.parametrize("row, probabilities", [
    ([INF, 1.0], [NAN, 0.0]),  # inf / inf for the infinite logit; the others get the limit 0
    ([-INF, 1.0], [0.0, 1.0]),  # exp(-inf) = 0: the limit, exactly (torch agrees)
    ([NAN, 1.0], [NAN, NAN]),
    ([1e308, 1e308], [0.5, 0.5]),  # shifted by the largest logit, nothing overflows
])
def test_softmax_with_non_finite_logits_is_documented(row, probabilities):
    got = [p.data for p in L.softmax(row)]
    assert all(same(a, b) for a, b in zip(got, probabilities)), got


def test_a_traced_replay_under_detect_anomaly_does_not_pass_non_finite_numbers_silently():
    trace = getattr(engine, "trace", None)
    if trace is None:
        pytest.skip("engine.trace does not exist")
    w = Value(1.0, label="w")
    traced = trace(lambda x: (w * x).log(), 1.0)
    assert traced(0.0) == -INF  # without the switch: IEEE, like eager mode
    w.grad = 0.0
    with engine.detect_anomaly():
        with pytest.raises(AnomalyError, match="traced replay gave .*-inf.*eagerly"):
            traced(0.0)
        assert traced(2.0) == math.log(2.0)  # finite replays run as usual
        with pytest.raises(AnomalyError, match="traced replay gave"):
            traced.forward(-1.0)
    assert w.grad == 1.0  # d log(w x) / dw = 1 / w from the finite replay; the refused one added nothing


def test_a_vectorised_replay_under_detect_anomaly_is_checked_too():
    trace = getattr(engine, "trace", None)
    pytest.importorskip("numpy")
    if trace is None or not hasattr(trace(lambda x: x * 1.0, 1.0), "vectorised"):
        pytest.skip("no vectorised replay")
    vectorised = trace(lambda x: x.sqrt() + 1.0, 4.0).vectorised()
    assert math.isnan(vectorised(-1.0))
    with engine.detect_anomaly():
        with pytest.raises(AnomalyError, match="traced replay gave nan"):
            vectorised(-1.0)
        assert vectorised(4.0) == 3.0
