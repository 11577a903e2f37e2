"""Adding an op is one rule: nothing else in the engine needs to change.

A throwaway op (softsign, x / (1 + |x|)) is written once, as maths over ``F``, and
registered; then eager backward, stepping, drawing, code replay, tape replay, vectorised
replay and derivatives of derivatives all work, with no other table touched.
"""

import math
import struct

import pytest

import engine
from engine import RULES, Value, apply
from engine.ops import Op, register


def same(a: float, b: float) -> bool:
    """Bit for bit (nan equals nan, the sign of zero counts)."""
    return struct.pack("<d", a) == struct.pack("<d", b)


@pytest.fixture
def softsign():
    op = register(Op(
        "softsign_test", "softsign",
        lambda F, x, a: F.div(x[0], 1.0 + F.abs(x[0])),
        lambda F, x, o, a: (F.div(1.0, (1.0 + F.abs(x[0])) * (1.0 + F.abs(x[0]))),),
        "{0} / (1 + |{0}|)", ("1 / (1 + |{0}|)²",)))
    yield op
    del RULES[op.name]


def program(op, w):
    return lambda x: (apply(op, [x * w]) * x + apply(op, [x])).tanh()


def test_one_rule_is_enough_for_every_evaluator(softsign):
    w = Value(0.7, label="w")
    fn = program(softsign, w)
    for x in (0.3, -2.0, 0.0, -0.0, 1e300, math.inf, math.nan):
        leaf = Value(x)
        w.grad = 0.0
        out = fn(leaf)
        out.backward()
        eager = (out.data, leaf.grad, w.grad)
        for mode in ("codegen", "tape"):
            w.grad = 0.0
            t = engine.trace(fn, x, mode=mode)
            w.grad = 0.0
            replay = (t(x), t.input_grads[0], w.grad)
            assert all(map(same, eager, replay)), (mode, x, eager, replay)
        pytest.importorskip("numpy")
        w.grad = 0.0
        vt = engine.trace(fn, x).vectorised()
        w.grad = 0.0
        vec = (vt(x), vt.input_grads[0], w.grad)
        assert all(map(same, eager, vec)), ("vectorised", x, eager, vec)


def test_one_rule_steps_draws_checks_and_differentiates_twice(softsign):
    x = Value(0.5, label="x")
    y = apply(softsign, [x])
    y.label = "y"
    (step,) = y.backward_steps()
    assert "1 / (1 + |x|)² = 0.444444" in str(step)
    assert "softsign" in engine.draw_dot(y).source
    assert engine.gradcheck(lambda v: apply(softsign, [v * 3.0]), [0.4])
    d2 = engine.grad(engine.grad(lambda v: apply(softsign, [v])))(0.5).data
    assert d2 == pytest.approx(-2.0 / 1.5 ** 3)  # d²/dx² x/(1+x) = -2/(1+x)³ for x > 0
