"""engine.sum and engine.dot: one n-ary node each."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine import Constant, Op, Value

floats = st.floats(-1e3, 1e3)


@given(st.lists(floats, min_size=1, max_size=20))
def test_sum_is_one_node_with_unit_locals(xs):
    vs = [Value(x) for x in xs]
    out = engine.sum(vs)
    assert out.op is Op.SUM and out.inputs == tuple(vs) and out.local == (1.0,) * len(xs)
    assert out.data == pytest.approx(math.fsum(xs), rel=1e-12, abs=1e-9)
    out.backward()
    assert [v.grad for v in vs] == [1.0] * len(xs)


def test_sum_counts_a_repeated_input_and_lifts_numbers():
    a = Value(2.0, label="a")
    out = engine.sum(x for x in (a, 3, a, 0.5))  # any iterable
    assert out.data == 7.5 and isinstance(out.inputs[1], Constant)
    out.backward()
    assert a.grad == 2.0


def test_sum_of_nothing_is_a_constant_zero():
    out = engine.sum([])
    assert isinstance(out, Constant) and out.data == 0.0 and not out.requires_grad


@pytest.mark.parametrize("bad, message", [(5, "iterable.*got int"), ("abc", "iterable.*got str"),
                                          ([1.0, "x"], r"values\[1\] must be a Value.*got str"),
                                          ([None], r"values\[0\].*got NoneType")])
def test_sum_rejects_bad_input(bad, message):
    with pytest.raises(TypeError, match=message):
        engine.sum(bad)


@given(st.lists(st.tuples(floats, floats), min_size=1, max_size=10), st.one_of(st.none(), floats))
def test_dot_is_one_node_with_the_right_locals(pairs, bias):
    ws = [Value(w, label=f"w{i}") for i, (w, _) in enumerate(pairs)]
    xs = [Value(x, label=f"x{i}") for i, (_, x) in enumerate(pairs)]
    b = None if bias is None else Value(bias, label="b")
    out = engine.dot(ws, xs, b)
    assert out.op is Op.DOT and out.inputs == tuple(ws + xs + ([b] if b is not None else []))
    expected = math.fsum([w * x for w, x in pairs] + ([bias] if bias is not None else []))
    assert out.data == pytest.approx(expected, rel=1e-12, abs=1e-6)
    out.backward()
    assert [w.grad for w in ws] == [x for _, x in pairs]
    assert [x.grad for x in xs] == [w for w, _ in pairs]
    assert b is None or b.grad == 1.0


def test_dot_with_numbers_and_a_shared_value():
    a = Value(3.0, label="a")
    out = engine.dot([a, 2.0], [a, -1.0], 0.5)  # a*a - 2 + 0.5
    assert out.data == 7.5 and len(out.inputs) == 5
    assert isinstance(out.inputs[1], Constant) and isinstance(out.inputs[4], Constant)
    out.backward()
    assert a.grad == 6.0


def test_a_zero_bias_is_still_an_input_but_none_is_not():
    assert len(engine.dot([1.0], [2.0], 0.0).inputs) == 3
    assert len(engine.dot([1.0], [2.0]).inputs) == 2


@pytest.mark.parametrize("args, error, message", [
    (([1.0, 2.0], [1.0]), ValueError, "as many ws as xs, got 2 ws and 1 xs"),
    (([], []), ValueError, "at least one"),
    ((1.0, [1.0]), TypeError, "dot ws must be an iterable.*got float"),
    (([1.0], ["x"]), TypeError, r"dot xs\[0\] must be a Value.*got str"),
    (([1.0], [1.0], "b"), TypeError, r"dot bias.*must be a Value.*got str"),
])
def test_dot_rejects_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        engine.dot(*args)
