"""The micrograd lecture's engine cells, written our own way: hand-driven ``_backward``,
micrograd's constructor with learner closures, attributes on Values, and graph cuts refused."""

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import engine
from engine import Value, draw_dot, gradcheck


def neuron():
    """A tanh neuron with two inputs, built one binary op at a time as the lecture does."""
    x1 = Value(2.0, label="x1"); x2 = Value(0.0, label="x2")
    w1 = Value(-3.0, label="w1"); w2 = Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1; x1w1.label = "x1*w1"
    x2w2 = x2 * w2; x2w2.label = "x2*w2"
    s = x1w1 + x2w2; s.label = "x1*w1 + x2*w2"
    n = s + b; n.label = "n"
    o = n.tanh(); o.label = "o"
    return o, dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, x1w1=x1w1, x2w2=x2w2, s=s, n=n)


def test_backprop_by_hand_node_by_node_gives_the_lecture_numbers():
    o, v = neuron()
    o.grad = 1.0
    for node in (o, v["n"], v["s"], v["x2w2"], v["x1w1"]):  # the lecture's order of cells
        node._backward()
    by_hand = {k: x.grad for k, x in v.items()}
    assert by_hand["n"] == pytest.approx(0.5) and by_hand["b"] == pytest.approx(0.5)
    assert by_hand["x1"] == pytest.approx(-1.5) and by_hand["w1"] == pytest.approx(1.0)
    assert by_hand["x2"] == pytest.approx(0.5) and by_hand["w2"] == 0.0
    o2, v2 = neuron()
    o2.backward()
    assert {k: x.grad for k, x in v2.items()} == by_hand  # the very same step code, bit for bit


def test_manual_topological_loop_of_backward_calls_equals_backward():
    o, v = neuron()
    o.grad = 1.0
    for node in reversed(engine.topological_order(o)):
        node._backward()
    o2, v2 = neuron()
    o2.backward()
    assert [x.grad for x in v.values()] == [x.grad for x in v2.values()]


def square(x: Value) -> Value:
    """An op written the lecture's way: micrograd's constructor plus a _backward closure."""
    out = Value(x.data ** 2, (x,), "**2")

    def _backward():
        x.grad += 2 * x.data * out.grad
    out._backward = _backward
    return out


def test_a_closure_op_is_a_full_member_of_the_graph():
    a = Value(3.0, label="a")
    y = (square(a) * a).tanh()  # a is used twice: once through the closure node
    y.backward()
    expected = (1 - math.tanh(27.0) ** 2) * 27.0
    assert a.grad == pytest.approx(expected)
    node = y.inputs[0].inputs[0]
    assert node._op == "**2" and node._prev == (a,) and node.op is engine.ops.CLOSURE
    assert gradcheck(lambda x: (square(x) * x).tanh() + x, [0.3])
    assert "**2" in draw_dot(y).source


def test_stepping_says_the_engine_cannot_explain_a_closure_step():
    a = Value(3.0, label="a")
    y = square(a) + 1.0
    y.label = "y"
    steps = list(y.backward_steps())
    text = str(steps[-1])
    assert "no rule" in text and "_backward closure" in text and "a.grad = 6" in text
    assert not steps[-1].explained and steps[0].explained


def test_tracing_refuses_a_closure_node_with_a_clear_error():
    with pytest.raises(engine.TraceError, match="_backward closure.*define_op"):
        engine.trace(lambda x: square(x) + 1.0, 2.0)


def test_a_closure_node_without_a_closure_passes_nothing_on_as_in_micrograd():
    a = Value(2.0)
    y = Value(4.0, (a,), "sq") * 3.0
    y.backward()
    assert a.grad == 0.0


def test_micrograd_constructor_spellings_and_bad_children():
    a, b = Value(1.0), Value(2.0)
    c = Value(3.0, (a, b), "+", label="c")  # micrograd's positional order: data, _children, _op
    assert c.inputs == (a, b) and c._op == "+" and c.label == "c" and not c.is_leaf
    assert Value(1.0, (), "")._op == "" and Value(1.0).is_leaf
    with pytest.raises(TypeError, match=r"_children\[1\] must be a Value"):
        Value(1.0, (a, 2.0), "+")
    with pytest.raises(TypeError, match="_op must be a str"):
        Value(1.0, (a,), 5)


def test_anything_can_be_attached_to_a_value():
    p = Value(0.5, label="w")
    p.m, p.v, p.colour = 0.0, 0.0, "red"  # an optimiser's moments, a drawing colour
    assert (p.m, p.v, p.colour) == (0.0, 0.0, "red")
    q = p * 2.0
    assert q.label == "" and q.__dict__ == {}  # nothing attached: the dict is empty


def test_op_nodes_take_attributes_too_and_labels_cost_no_new_dict():
    node = Value(1.0) * 2.0
    node.colour = "red"  # any Value, not only leaves
    node.label = "n"
    assert node.colour == "red" and node.label == "n" and type(node) is Value


def test_math_functions_on_a_value_are_refused_not_silently_cut():
    v = Value(0.3)
    for fn in (math.tanh, math.exp, math.log, float):
        with pytest.raises(TypeError, match=r"v\.tanh\(\).*v\.data"):
            fn(v)


def test_lecture_cells_run_as_a_script_with_only_the_imports_changed(tmp_path):
    script = tmp_path / "cells.py"
    script.write_text(
        "from engine import Value, draw_dot\n"
        "a = Value(2.0, label='a'); b = Value(-3.0, label='b'); c = Value(10.0, label='c')\n"
        "e = a*b; e.label = 'e'\n"
        "d = e + c; d.label = 'd'\n"
        "f = Value(-2.0, label='f')\n"
        "L = d * f; L.label = 'L'\n"
        "L.grad = 1.0\n"
        "L._backward(); d._backward(); e._backward()\n"
        "print(a.grad, b.grad, c.grad, f.grad)\n"
        "dot = draw_dot(L)\n")
    root = str(Path(engine.__file__).resolve().parent.parent)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": root})
    assert out.stdout.split() == ["6.0", "-4.0", "-2.0", "4.0"]
