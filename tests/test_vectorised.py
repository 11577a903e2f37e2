"""engine.vectorised: level-by-level NumPy replay equals eager backward."""

import math
import random

import pytest

np = pytest.importorskip("numpy")

import engine  # noqa: E402
from engine import RULES, Value, trace  # noqa: E402


def close(a, b):
    if a != a or b != b:
        return a != a and b != b
    return a == b or abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def run_both(fn, params, xs):
    leaves = [Value(x) for x in xs]
    for p in params:
        p.grad = 0.0
    out = fn(*leaves)
    out.backward()
    eager = (out.data, [p.grad for p in params], [v.grad for v in leaves])
    vt = trace(fn, *xs).vectorised()
    for p in params:
        p.grad = 0.0
    got = vt(*xs)
    return eager, (got, [p.grad for p in params], list(vt.input_grads))


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_op_matches_eager(name):
    op = RULES[name]
    arity = op.arity or 5
    rng = random.Random(name)
    for attr in op.attrs or (None,):
        for _ in range(3):
            xs = [rng.uniform(*op.domain) for _ in range(arity)]
            (e_out, _, e_in), (v_out, _, v_in) = run_both(
                lambda *vs: engine.apply(op, vs, attr), [], xs)
            assert close(e_out, v_out), (name, xs)
            assert all(close(a, b) for a, b in zip(e_in, v_in)), (name, xs, e_in, v_in)


def test_mlp_with_parameters_and_shared_inputs():
    rng = random.Random(1)
    w1 = [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(5)]
    w2 = [Value(rng.uniform(-1, 1)) for _ in range(5)]
    params = [p for row in w1 for p in row] + w2

    def fn(a, b, c):
        hidden = [engine.dot(row, [a, b, c]).relu() for row in w1]
        return (engine.dot(w2, hidden).tanh() - a * b) / 2.0 + engine.sum(hidden).sigmoid()

    for xs in ([0.3, -0.2, 0.9], [-1.0, 2.0, 0.0]):
        eager, vec = run_both(fn, params, xs)
        assert close(eager[0], vec[0])
        assert all(close(a, b) for a, b in zip(eager[1], vec[1]))
        assert all(close(a, b) for a, b in zip(eager[2], vec[2]))


def test_non_finite_values_follow_ieee_like_eager():
    for x in (math.inf, -math.inf, math.nan, 0.0):
        (e_out, _, e_in), (v_out, _, v_in) = run_both(
            lambda a, b: (a * b).relu() + (a - b).exp() * 0.0, [], [x, 2.0])
        assert close(e_out, v_out) and all(close(p, q) for p, q in zip(e_in, v_in))


def test_frozen_branch_is_checked_and_bad_input_count_refused():
    vt = trace(lambda x: x * 3 if x > 1 else x, 2.0).vectorised()
    assert vt(5.0) == 15.0
    with pytest.raises(engine.TraceError):
        vt(0.0)
    with pytest.raises(ValueError, match="1 input"):
        vt(1.0, 2.0)
