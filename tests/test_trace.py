"""engine.trace: replay equals eager (values and grads), frozen branches are caught."""

import math
import random
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import RULES, Value, define_op, remove_op, trace
from engine.trace import TraceError
from replay_helpers import eager, replayed  # noqa: E402


def close(a: float, b: float, scale: float = 1.0) -> bool:
    if a != a or b != b:
        return a != a and b != b
    return a == b or abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b), scale)


def test_mlp_like_graph_matches_eager_on_new_numbers():
    rng = random.Random(0)
    ws = [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(4)]
    bs = [Value(rng.uniform(-1, 1)) for _ in range(4)]
    params = [p for row in ws for p in row] + bs

    def fn(a, b, c):
        hidden = [engine.dot(w, [a, b, c], bias).relu() for w, bias in zip(ws, bs)]
        return engine.sum(h * h for h in hidden) / 4.0 + (a - b).tanh() * c.sigmoid()

    t = trace(fn, 0.1, 0.2, 0.3)
    for _ in range(5):
        xs = [rng.uniform(-2, 2) for _ in range(3)]
        e_out, e_p, e_in = eager(fn, params, *xs)
        r_out, r_p, r_in = replayed(t, params, *xs)
        assert close(e_out, r_out)
        assert all(close(a, b) for a, b in zip(e_p, r_p))
        assert all(close(a, b) for a, b in zip(e_in, r_in))
        assert t.forward(*xs) == r_out


def test_parameter_changes_are_read_on_every_replay_and_grads_accumulate():
    w = Value(2.0)
    t = trace(lambda x: w * x, 3.0)
    w.data = 5.0
    assert t(3.0) == 15.0 and w.grad == 3.0
    t(4.0)
    assert w.grad == 7.0  # accumulates, as backward() does on leaves


def test_nested_inputs_layout_is_checked():
    t = trace(lambda rows: engine.sum(x * y for x, y in rows), [[1.0, 2.0], [3.0, 4.0]])
    assert t([[1.0, 1.0], [2.0, 2.0]]) == 5.0
    assert t.input_grads == (1.0, 1.0, 2.0, 2.0)
    with pytest.raises(ValueError, match="layout"):
        t([[1.0, 1.0]])
    with pytest.raises(TypeError, match="str"):
        t([[1.0, "a"], [2.0, 2.0]])


def test_bad_trace_arguments():
    with pytest.raises(TypeError, match="function"):
        trace(3.0)
    with pytest.raises(TypeError, match="must return a Value"):
        trace(lambda x: 3.0, 1.0)
    with pytest.raises(TypeError, match="str"):
        trace(lambda x: x, "1")
    with pytest.raises(ValueError, match="leaf"):
        trace(lambda x: x, Value(1.0) * 2)


def test_python_branch_on_a_comparison_is_frozen_and_detected():
    def fn(x):
        return x * 2 if x > 0 else -x

    t = trace(fn, 1.0)
    assert t(3.0) == 6.0
    with pytest.raises(TraceError, match="another branch"):
        t(-1.0)
    t_neg = trace(fn, -1.0)
    assert t_neg(-4.0) == 4.0


@pytest.mark.parametrize("mode", ["codegen", "tape"])
def test_a_frozen_branch_error_names_the_compared_values_and_says_what_to_do(mode):
    # an unlabelled input is named by its position among the inputs
    with pytest.raises(TraceError, match=r"`input 0 > 0` was True; with the new numbers it is False"):
        trace(lambda x: x * x if x > 0 else -x, 2.0, mode=mode)(-1.0)
    # a labelled one by its label
    with pytest.raises(TraceError, match=r"`x > 0` was True") as caught:
        trace(lambda x: x * x if x > 0 else -x, Value(2.0, label="x"), mode=mode)(-1.0)
    message = str(caught.value)
    assert "node 0" not in message
    assert "relu" in message and "trace once per branch" in message and "eager" in message
    # a computed value by the op that made it, from its inputs' names
    w = Value(0.5)
    with pytest.raises(TraceError, match=r"`input 1 > mul\(input 0, parameter 0\)` was True"):
        trace(lambda xs: xs[0] if xs[1] > xs[0] * w else -xs[0], [1.0, 2.0], mode=mode)([3.0, 1.0])


def test_relu_kink_is_not_frozen():
    t = trace(lambda x: x.relu(), 1.0)
    assert t(-2.0) == 0.0 and t.input_grads == (0.0,)
    assert t(2.0) == 2.0 and t.input_grads == (1.0,)


def test_float_of_a_value_is_refused_while_tracing_too():
    with pytest.raises(TypeError, match=r"v\.data"):
        trace(lambda x: x * float(x), 2.0)


def test_learner_op_runs_through_its_functions_not_source():
    cube = define_op("cube_trace_test", forward=lambda x: x ** 3, local=lambda x, out: (3 * x * x,))
    try:
        t = trace(lambda x: cube(x) + 1.0, 2.0)
        assert t(3.0) == 28.0 and t.input_grads == (27.0,)
        assert "cube" not in t.source  # the op is called as an object, never written into code
    finally:
        remove_op("cube_trace_test")


def test_labels_never_reach_the_generated_source():
    evil = "__import__('os').system('echo hacked')"
    w = Value(1.5, label=evil)
    t = trace(lambda x: (w * x).relu(), 2.0)
    assert evil not in t.source and "import" not in t.source and "'" not in t.source


def test_replay_code_is_the_rule_maths_in_code_text():
    w = Value(0.5)
    t = trace(lambda x: (w * x).tanh(), 2.0)
    # each line is the rule's maths run through the text evaluator, as eager's float code is
    assert f"v3 = {RULES['tanh'].code_forward(['v2'])}" in t.source
    assert f"g2 += {RULES['tanh'].code_local(['v2'], 'v3')[0]} * g3" in t.source


def test_long_sums_and_shared_nodes():
    xs = [Value(0.001 * i) for i in range(1500)]
    t = trace(lambda a: engine.sum(x * a for x in xs) + engine.dot(xs, xs), 2.0)
    out, _, _ = eager(lambda a: engine.sum(x * a for x in xs) + engine.dot(xs, xs), xs, 2.0)
    assert close(t(2.0), out, scale=2000.0)


SPECIAL = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.5, -3.0, 1e-300, 1e300, math.inf, -math.inf, math.nan]


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_op_matches_eager_at_special_points(name):
    op = RULES[name]
    attrs = op.attrs or (None,)
    arity = op.arity or 3
    for attr in attrs:
        for i, x in enumerate(SPECIAL):
            xs = [x] + [SPECIAL[(i + 3 * j + 1) % len(SPECIAL)] for j in range(1, arity)]

            def fn(*vs):
                return engine.apply(op, vs, attr)

            e_out, _, e_in = eager(fn, [], *xs)
            r_out, _, r_in = replayed(trace(fn, *xs), [], *xs)
            assert close(e_out, r_out), (name, attr, xs)
            assert all(close(a, b) for a, b in zip(e_in, r_in)), (name, attr, xs, e_in, r_in)


UNARY = ["exp", "tanh", "sigmoid", "relu", "__neg__", "abs", "softplus", "silu", "gelu"]
BINARY = ["__add__", "__sub__", "__mul__", "__truediv__"]


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.floats(-3, 3), min_size=3, max_size=3))
def test_random_graphs_replay_like_eager(seed, new_inputs):
    rng = random.Random(seed)
    steps = [(rng.choice(UNARY + BINARY + ["dot", "sum"]), rng.random(), rng.random())
             for _ in range(rng.randint(1, 25))]

    def fn(a, b, c):
        pool = [a, b, c, a * 0.5]
        for kind, r1, r2 in steps:
            x, y = pool[int(r1 * len(pool))], pool[int(r2 * len(pool))]
            if kind in BINARY:
                pool.append(getattr(x, kind)(y))
            elif kind == "dot":
                pool.append(engine.dot(pool[-3:], pool[:3], x))
            elif kind == "sum":
                pool.append(engine.sum(pool[-4:]))
            else:
                pool.append(getattr(x, kind)())
        return pool[-1] + pool[len(pool) // 2]

    t = trace(fn, 0.3, -0.7, 1.1)
    e_out, _, e_in = eager(fn, [], *new_inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r_out, _, r_in = replayed(t, [], *new_inputs)
    assert close(e_out, r_out)
    assert all(close(a, b) for a, b in zip(e_in, r_in))


@pytest.mark.parametrize("a", [math.inf, -math.inf, math.nan, 2.0])
def test_zero_upstream_is_skipped_only_when_it_adds_nothing(a):
    def fn(x, y):
        inner = engine.dot([x, y], [y, x]) + x * y + (x - y).relu()
        return inner * 0.0 + y  # inner's upstream gradient is exactly 0

    e_out, _, e_in = eager(fn, [], a, 3.0)
    r_out, _, r_in = replayed(trace(fn, 1.0, 3.0), [], a, 3.0)
    assert close(e_out, r_out)
    assert all(close(p, q) for p, q in zip(e_in, r_in)), (e_in, r_in)


def test_input_grads_can_be_skipped():
    w = Value(2.0)
    t = trace(lambda x: w * x * x, 3.0, input_grads=False)
    assert t(4.0) == 32.0 and w.grad == 16.0
    assert t.input_grads == () and "g1" not in t.source  # v1 is the input: no grad line
