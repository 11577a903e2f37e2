"""engine.backprop: order, backward (reuse, twice, deep), stepping, node names."""

import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine import Value, backward, numeric, topological_order
from engine.backprop import NodeNames, fmt
from engine.expr import parse_expression
from test_ops import TORCH  # the op -> torch reference table lives with the op tests

ROOT = Path(__file__).resolve().parent.parent


def assert_valid_order(order, root):
    """Every reachable node exactly once, each after all its inputs, root last."""
    position = {v: i for i, v in enumerate(order)}
    assert len(position) == len(order) and order[-1] is root
    stack, reachable = [root], set()
    while stack:
        v = stack.pop()
        if v not in reachable:
            reachable.add(v)
            stack.extend(v.inputs)
    assert reachable == set(order)
    for v in order:
        assert all(position[inp] < position[v] for inp in v.inputs)


# --- reused nodes -----------------------------------------------------------------------------


def test_a_plus_a_counts_both_edges():
    a = Value(3.0, label="a")
    b = a + a
    assert b.inputs == (a, a)
    b.backward()
    assert a.grad == 2.0


@given(st.floats(-100.0, 100.0))
def test_a_times_a_has_two_inputs_and_grad_2a(x):
    a = Value(x, label="a")
    b = a * a
    assert b.inputs == (a, a) and b.local == (x, x)
    b.backward()
    assert a.grad == 2.0 * x


def test_doubling_twice_gives_four():
    a = Value(1.5, label="a")
    b = a + a
    c = b + b
    c.backward()
    assert (a.grad, b.grad, c.grad) == (4.0, 2.0, 1.0)


def test_diamond():
    a = Value(2.0, label="a")
    left, right = a * 3.0, a.tanh()
    d = left * right  # d = 3a tanh(a): dd/da = 3 tanh(a) + 3a (1 - tanh(a)^2)
    d.backward()
    t = math.tanh(2.0)
    assert a.grad == pytest.approx(3 * t + 3 * 2.0 * (1 - t * t), rel=1e-15)
    assert [v for v in topological_order(d) if v is a] == [a]


def test_backward_twice_doubles_leaves_but_not_intermediates():
    a, b = Value(2.0, label="a"), Value(-1.0, label="b")
    h = a * b
    out = h * h + h
    out.backward()
    first = (a.grad, b.grad, h.grad, out.grad)
    out.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])
    assert (h.grad, out.grad) == first[2:]
    h.grad = 99.0  # stale intermediate grads are reset, never added to
    out.backward()
    assert h.grad == first[2] and a.grad == 3 * first[0]


def test_a_lone_leaf_accumulates_like_any_leaf():
    a = Value(5.0)
    a.backward()
    a.backward()
    assert a.grad == 2.0


def test_function_and_method_agree():
    a = Value(0.3)
    y = (a * a).sigmoid()
    backward(y)
    g = a.grad
    a.grad = 0.0
    y.backward()
    assert a.grad == g


# --- order ------------------------------------------------------------------------------------

def wide_graph_order() -> str:
    """Labels, in topological order, of a graph full of sharing (what a set would shuffle)."""
    leaves = [Value(float(i), label=f"x{i}") for i in range(12)]
    layer = leaves
    for depth in range(4):
        layer = [(layer[i] * layer[-1 - i] + layer[(i * 5) % len(layer)]).tanh()
                 for i in range(len(layer))]
        for i, v in enumerate(layer):
            v.label = f"d{depth}_{i}"
    root = engine.sum(layer + leaves[::3])
    root.label = "root"
    return " ".join(v.label or repr(v.data) for v in topological_order(root))


def order_in_subprocess(hash_seed: str) -> str:
    code = ("import sys; sys.path.insert(0, 'tests'); "
            "from test_backprop import wide_graph_order; print(wide_graph_order())")
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_order_is_deterministic_across_builds_and_processes():
    here = wide_graph_order()
    assert here == wide_graph_order() and len(here.split()) > 60
    assert order_in_subprocess("1") == order_in_subprocess("12345") == here


@st.composite
def random_graph(draw):
    """A DAG with reuse: (leaf values, steps) where a step is (op name, input indices)."""
    n_leaves = draw(st.integers(1, 4))
    xs = draw(st.lists(st.floats(-2.0, 2.0), min_size=n_leaves, max_size=n_leaves))
    steps = []
    for k in range(draw(st.integers(1, 12))):
        name = draw(st.sampled_from(["add", "sub", "mul", "tanh", "sigmoid", "sum", "dot"]))
        arity = {"tanh": 1, "sigmoid": 1, "sum": draw(st.integers(1, 4)), "dot": 4}.get(name, 2)
        pick = st.integers(0, n_leaves + k - 1)
        steps.append((name, [draw(pick) for _ in range(arity)]))
    return xs, steps


def build(xs, steps):
    nodes = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    for name, picks in steps:
        nodes.append(engine.apply(engine.RULES[name], [nodes[i] for i in picks]))
    return nodes[:len(xs)], nodes[-1]


@given(random_graph())
def test_random_graphs_order_backward_and_steps(graph):
    xs, steps = graph
    leaves, root = build(xs, steps)
    order = topological_order(root)
    assert_valid_order(order, root)
    assert topological_order(root) == order
    root.backward()
    grads = [v.grad for v in leaves]
    stepped_leaves, stepped_root = build(xs, steps)
    made = list(stepped_root.backward_steps())
    assert [v.grad for v in stepped_leaves] == grads
    assert len(made) == sum(1 for v in topological_order(stepped_root) if v.inputs)
    for i, g in enumerate(grads):
        h = 1e-6
        plus, minus = list(xs), list(xs)
        plus[i] += h
        minus[i] -= h
        numeric = (build(plus, steps)[1].data - build(minus, steps)[1].data) / (plus[i] - minus[i])
        assert g == pytest.approx(numeric, rel=1e-5, abs=1e-6)


def test_no_recursion_anywhere():
    a = Value(0.5, label="a")
    v = a
    for _ in range(5000):
        v = v * 0.999 + a
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100)
    try:
        order = topological_order(v)
        v.backward()
        steps = sum(1 for _ in v.backward_steps())
    finally:
        sys.setrecursionlimit(limit)
    assert len(order) == 1 + 3 * 5000 and steps == 10000
    assert math.isfinite(a.grad) and a.grad > 0


@pytest.mark.slow  # ~4 s to build and ~4 s to backpropagate on a loaded 2-core machine
def test_million_node_chain():
    x, step = Value(0.0, label="x"), Value(1.0, label="step")
    v = x
    for _ in range(1_000_000):
        v = v + step
    start = time.perf_counter()
    v.backward()
    elapsed = time.perf_counter() - start
    assert v.data == 1e6 and x.grad == 1.0 and step.grad == 1e6
    assert elapsed < 60, f"backward over 1,000,000 nodes took {elapsed:.1f}s"


def test_topological_order_rejects_non_values():
    with pytest.raises(TypeError, match="needs a Value, got float"):
        topological_order(1.0)


# --- stepping -----------------------------------------------------------------------------------


def test_steps_are_lazy_and_spell_out_the_chain_rule():
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    c = b + 1.0
    c.label = "c"
    steps = c.backward_steps()
    first = next(steps)
    assert (first.node, first.index, first.total, first.upstream) == (c, 1, 2, 1.0)
    assert b.grad == 1.0 and a.grad == 0.0  # a's turn has not come yet
    second = next(steps)
    assert second.inputs == (a, a) and second.locals == (3.0, 3.0)
    assert second.contributions == (3.0, 3.0) and second.grads_after == (6.0, 6.0)
    assert second.name(a) == "a" and second.formula(0) == "a" and second.op is engine.Op.MUL
    text = str(second)
    assert text.splitlines() == second.lines() and len(second.lines()) == 4
    assert "step 2 of 2: b = a * a = 9" in text and "upstream ∂c/∂b = 1" in text
    assert "a (use 1): local ∂b/∂a = a = 3;  contribution 3 × 1 = 3;  a.grad += 3 → 3" in text
    assert "a (use 2)" in text and "a.grad += 3 → 6" in text
    assert repr(second) == "<Step 2/2 b op=mul upstream=1>"
    with pytest.raises(StopIteration):
        next(steps)


def test_node_names_use_labels_numbers_and_positions():
    a = Value(2.0, label="a")
    u = a * 0.5
    out = u.exp()
    order = topological_order(out)
    names = NodeNames(order)
    assert [names(v) for v in order] == ["a", "0.5", "n2", "n3"]
    assert names(Value(1.0)) == "n?"


@pytest.mark.parametrize("x, text", [(1.0, "1"), (-0.0, "0"), (1 / 3, "0.333333"),
                                     (1234567.0, "1.23457e+06"), (math.inf, "inf")])
def test_fmt(x, text):
    assert fmt(x) == text


def test_zero_upstream_still_follows_ieee():
    a, b = Value(0.0, label="a"), Value(2.0, label="b")
    off = engine.dot([a.log(), b], [1.0, 1.0]).relu() * 0.0  # upstream 0 reaches every node
    off.backward()
    assert math.isnan(a.grad)  # 0 × (local 1/0 = inf) is nan, as in torch
    assert b.grad == 0.0
    w = Value(3.0)
    engine.dot([w], [Value(-1.0)]).relu().backward()  # an off ReLU: zero upstream, finite locals
    assert w.grad == 0.0


def test_stepping_a_leaf_yields_nothing_and_seeds_it():
    a = Value(1.0)
    assert list(a.backward_steps()) == [] and a.grad == 1.0


@given(random_graph())
def test_random_graphs_match_torch_autograd(graph):
    torch = pytest.importorskip("torch")
    xs, steps = graph
    leaves, root = build(xs, steps)
    root.backward()
    nodes = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    for name, picks in steps:
        nodes.append(TORCH[name](torch, [nodes[i] for i in picks], None))
    nodes[-1].backward()
    theirs = [0.0 if t.grad is None else t.grad.item() for t in nodes[:len(xs)]]
    assert root.data == pytest.approx(nodes[-1].item(), rel=1e-12, abs=1e-12)
    assert [v.grad for v in leaves] == pytest.approx(theirs, rel=1e-12, abs=1e-12)


# --- the formula text shown to learners is the derivative that is used -----------------------

SPELLING = [("²", " ** 2"), ("³", " ** 3"), ("√(2/π)", "sqrt(2 / pi)"), ("2/√π", "2 / sqrt(pi)"), ("ln(", "log("),
            ("σ(", "sigmoid(")]
CHOICE = re.compile(r"^(.+?) if (\w+) > 0 else (.+)$")  # relu, leaky_relu


def evaluate_formula(text: str, values: dict) -> float:
    """A formula of the rule table, read with the engine's own safe expression parser."""
    values = dict(values, pi=math.pi)
    choice = CHOICE.match(text)
    if choice:
        positive, name, otherwise = choice.groups()
        return evaluate_formula(positive if values[name] > 0 else otherwise, values)
    text = re.sub(r"max\((\w+), 0\)", r"relu(\1)", re.sub(r"\|(\w+)\|", r"abs(\1)", text))
    if text.startswith("sign("):
        x = values[text[5:-1]]
        return (x > 0) - (x < 0)
    for symbol, python in SPELLING:
        text = text.replace(symbol, python)
    for name, x in list(values.items()):
        text = text.replace(f"Φ({name})", f"Phi_{name}").replace(f"φ({name})", f"phi_{name}")
        values[f"Phi_{name}"], values[f"phi_{name}"] = numeric.normal_cdf(x), numeric.normal_pdf(x)
    return parse_expression(text, values).data


@pytest.mark.parametrize("name", [n for n, op in engine.RULES.items() if op.builtin])
def test_formula_texts_compute_the_output_and_local_derivatives(name):
    op = engine.RULES[name]
    lo, hi = op.domain
    for point in (0.3, 0.8):
        xs = [lo + (hi - lo) * (point - 0.07 * i) for i in range(op.arity or 5)]
        for attr in op.attrs or (None,):
            leaves = [Value(x, label=label) for x, label in zip(xs, "abcfg")]
            out = engine.apply(op, leaves, attr)
            out.label = "out"
            (step,) = out.backward_steps()
            values = {v.label: v.data for v in leaves + [out]}
            forward = op.describe_forward([v.label for v in leaves], attr)
            assert evaluate_formula(forward, values) == pytest.approx(out.data, rel=1e-12), forward
            for i, local in enumerate(step.locals):
                for side in step.formula(i).split(" = "):  # "exp(a) = out": both sides
                    assert evaluate_formula(side, values) == pytest.approx(local, rel=1e-12), (
                        f"{name}: formula {step.formula(i)!r} for input {i}")
