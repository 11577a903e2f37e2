"""Derivatives of derivatives, forward mode and Hessian-vector products (engine.higher, engine.transforms).

Every op of the rule table is checked to third order against finite differences of the
order below, and against PyTorch's ``create_graph`` where torch is installed. The loop
runs over ``engine.RULES``, so a new op is covered the moment it is added.
"""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
import nn
from engine import RULES, Value, apply
from test_ops import TORCH

BUILTIN = [name for name, op in RULES.items() if op.builtin]
H = 1e-5  # central-difference step; each order is checked against the exact order below it


def arity(op) -> int:
    return op.arity if op.arity is not None else 5


def points(op, count=3):
    """Inputs inside the op's smooth domain, away from its kinks."""
    lo, hi = op.domain
    rng = random.Random(op.name)
    out = []
    while len(out) < count:
        xs = [rng.uniform(lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo)) for _ in range(arity(op))]
        if all(abs(x - k) > 0.05 for x in xs for k in op.kinks):
            out.append(xs)
    return out


def derivative_numbers(f, xs, i, order):
    """d^order f / dx_i^order at xs, through engine.grad (a Value, read as a number)."""
    g = f
    for _ in range(order):
        g = engine.grad(g, argnums=i)
    out = g(*xs)
    return out.data if isinstance(out, Value) else out


@pytest.mark.parametrize("name", BUILTIN)
def test_three_orders_of_every_op_match_finite_differences(name):
    op = RULES[name]
    for attr in op.attrs or (None,):
        f = lambda *xs: apply(op, xs, attr)  # noqa: E731
        for xs in points(op):
            for i in range(len(xs)):
                for order in (1, 2, 3):
                    exact = derivative_numbers(f, xs, i, order)
                    up, down = list(xs), list(xs)
                    up[i] += H
                    down[i] -= H
                    lower = (derivative_numbers(f, up, i, order - 1)
                             - derivative_numbers(f, down, i, order - 1)) / (2 * H)
                    scale = max(1.0, abs(lower))
                    assert exact == pytest.approx(lower, abs=2e-4 * scale), \
                        f"{name} attr={attr} x={xs} d^{order}/dx{i}^{order}"


@pytest.mark.parametrize("name", BUILTIN)
def test_second_derivatives_match_torch_create_graph(name):
    torch = pytest.importorskip("torch")
    op = RULES[name]
    for attr in op.attrs or (None,):
        for xs in points(op, 2):
            leaves = [Value(x) for x in xs]
            out = apply(op, leaves, attr)
            ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
            t_out = TORCH[name](torch, ts, attr)
            t_first = torch.autograd.grad(t_out, ts, create_graph=True, allow_unused=True)
            first = engine.higher.gradients(out, leaves)
            for i in range(len(xs)):
                if t_first[i] is None or not t_first[i].requires_grad:
                    second_torch = [0.0] * len(xs)
                else:
                    grads = torch.autograd.grad(t_first[i], ts, allow_unused=True, retain_graph=True)
                    second_torch = [0.0 if g is None else g.item() for g in grads]
                ours = engine.higher.gradients(first[i], leaves) if isinstance(first[i], Value) \
                    else [0.0] * len(xs)
                ours = [g.data if isinstance(g, Value) else g for g in ours]
                assert ours == pytest.approx(second_torch, rel=1e-9, abs=1e-12), (name, attr, xs, i)


def test_grad_nests_to_any_order_and_keeps_shapes():
    f = lambda x: x ** 4  # noqa: E731
    d = f
    expected = [4 * 8.0, 12 * 4.0, 24 * 2.0, 24.0]
    for want in expected:
        d = engine.grad(d)
        assert d(2.0).data == pytest.approx(want)
    g = engine.grad(lambda xs, y: engine.sum(xs) * y, argnums=(0, 1))
    dxs, dy = g([1.0, 2.0], 3.0)
    assert [v.data for v in dxs] == [3.0, 3.0] and dy.data == 3.0


def test_mixed_partials_through_an_mlp_are_symmetric_and_match_finite_differences():
    model = nn.MLP(2, [4, 4, 1], activation="tanh", seed=3)
    f = lambda a, b: model([a, b])  # noqa: E731
    d01 = engine.grad(engine.grad(f, 0), 1)(0.3, -0.4).data
    d10 = engine.grad(engine.grad(f, 1), 0)(0.3, -0.4).data
    d0 = engine.grad(f, 0)
    fd = (d0(0.3, -0.4 + H).data - d0(0.3, -0.4 - H).data) / (2 * H)
    assert d01 == pytest.approx(d10, rel=1e-12) and d01 == pytest.approx(fd, rel=1e-5, abs=1e-8)


def test_backward_create_graph_makes_grads_that_are_values_and_drawable():
    x = Value(0.7, label="x")
    y = x * x * x
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == pytest.approx(3 * 0.49)
    source = engine.draw_dot(x.grad).source  # the backward pass is itself a graph
    assert source.startswith("digraph") and "x" in source
    second = engine.higher.gradients(x.grad, [x])[0]
    assert second.data == pytest.approx(6 * 0.7)


def test_plain_backward_is_unchanged_after_create_graph_and_leaves_accumulate():
    x = Value(1.5)
    y = (x * x).tanh()
    y.backward(create_graph=True)
    first = x.grad.data
    x.grad = 0.0
    y.backward()
    assert type(x.grad) is float and x.grad == pytest.approx(first, rel=1e-15)


def test_learner_ops_and_closures_refuse_higher_order_with_a_clear_error():
    cube = engine.define_op("cube_higher", forward=lambda x: x ** 3, local=lambda x, o: (3 * x * x,))
    try:
        with pytest.raises(TypeError, match="float-only derivatives"):
            engine.grad(lambda x: cube(x))(2.0)
    finally:
        engine.remove_op("cube_higher")


@settings(max_examples=60)
@given(st.lists(st.floats(-2, 2), min_size=3, max_size=3),
       st.lists(st.floats(-1, 1), min_size=3, max_size=3), st.integers(0, 10 ** 6))
def test_forward_mode_agrees_with_reverse_mode_on_random_graphs(xs, ts, seed):
    rng = random.Random(seed)
    unary = ["tanh", "sigmoid", "exp", "silu", "softplus", "gelu", "erf"]

    def f(a, b, c):
        pool = [a, b, c]
        for _ in range(6):
            u, v = rng.choice(pool), rng.choice(pool)
            pick = rng.randrange(4)
            w = u * v if pick == 0 else u + v if pick == 1 else u - v if pick == 2 else \
                apply(RULES[rng.choice(unary)], [u * 0.5])
            pool.append(w)
        return engine.sum(pool[-3:])

    state = rng.getstate()
    value, tangent = engine.jvp(f, xs, ts)
    rng.setstate(state)
    grads = engine.grad(f, argnums=(0, 1, 2))(*xs)
    reverse = sum(g.data * t if isinstance(g, Value) else g * t for g, t in zip(grads, ts))
    assert tangent == pytest.approx(reverse, rel=1e-9, abs=1e-9)


def test_jvp_and_hvp_match_torch_func():
    torch = pytest.importorskip("torch")
    f = lambda a, b: (a * b).tanh() + a.exp() * b.sigmoid()  # noqa: E731
    primals, v = (0.3, -1.2), (0.5, 2.0)
    value, tangent = engine.jvp(f, primals, v)
    tp = tuple(torch.tensor(p, dtype=torch.float64) for p in primals)
    tv = tuple(torch.tensor(x, dtype=torch.float64) for x in v)
    t_value, t_tangent = torch.func.jvp(f, tp, tv)
    assert value == pytest.approx(t_value.item(), rel=1e-14)
    assert tangent == pytest.approx(t_tangent.item(), rel=1e-12)
    out, hv = engine.hvp(f, primals, v)
    _, t_hv = torch.autograd.functional.hvp(lambda a, b: f(a, b), tp, tv)
    assert out == pytest.approx(t_value.item(), rel=1e-14)
    assert list(hv) == pytest.approx([x.item() for x in t_hv], rel=1e-12)


def test_transforms_refuse_bad_input():
    with pytest.raises(TypeError, match="grad needs a function"):
        engine.grad(3)
    with pytest.raises(ValueError, match="argnums 2 must name arguments 0..0"):
        engine.grad(lambda x: x, argnums=2)(1.0)
    with pytest.raises(TypeError, match="must return a Value"):
        engine.grad(lambda x: 3.0)(1.0)
    with pytest.raises(ValueError, match="one tangent per primal"):
        engine.jvp(lambda x: x, (1.0,), (1.0, 2.0))
    with pytest.raises(TypeError, match="argument 0 must be a number"):
        engine.grad(lambda x: x)("a")
    assert engine.hvp(lambda a, b: a + b, (1.0, 2.0), (1.0, 1.0)) == (3.0, (0.0, 0.0))
    assert math.isclose(engine.jvp(lambda x: x * 2.0, (1.0,), (1.0,))[1], 2.0)
