"""engine.tape: the interpreted replay of a trace equals eager mode, at any size."""

import gc
import importlib
import math
import random
import time
import tracemalloc

import pytest

import engine
from engine import RULES, Value, apply, define_op, remove_op, trace
from engine.recording import Recording
from engine.tape import Tape
from engine.trace import TraceError
from replay_helpers import eager, replayed, rss_bytes  # noqa: E402


def close(a: float, b: float) -> bool:
    if a != a or b != b:
        return a != a and b != b
    return a == b or abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def assert_same(first, second):
    (o1, p1, i1), (o2, p2, i2) = first, second
    assert close(o1, o2), (o1, o2)
    assert len(p1) == len(p2) and all(close(a, b) for a, b in zip(p1, p2)), (p1, p2)
    assert len(i1) == len(i2) and all(close(a, b) for a, b in zip(i1, i2)), (i1, i2)


def graph_of_every_op(op, w):
    """A function of three inputs using ``op`` once, with a parameter, reused leaves and constants."""
    attr = op.attrs[0] if op.attrs else None
    lo, hi = op.domain

    def squash(v):  # into the op's domain, smoothly
        return (v.sigmoid() * (hi - lo) + lo) if (lo, hi) != (-3.0, 3.0) else v * w

    def fn(a, b, c):
        pool = [squash(a), squash(b * w), squash(c), squash(a)]
        n = op.arity if op.arity is not None else 4
        out = apply(op, pool[:n], attr)
        return out * c + a * 0.5 + w
    return fn


@pytest.mark.parametrize("name", [name for name, op in RULES.items() if op.builtin])
def test_every_op_replays_like_eager(name):
    rng = random.Random(name)
    w = Value(0.75, label="w")
    fn = graph_of_every_op(RULES[name], w)
    t = trace(fn, 0.3, -0.4, 1.1, mode="tape")
    assert "replayed from a tape" in repr(t)
    for _ in range(4):
        xs = [rng.uniform(-2, 2) for _ in range(3)]
        assert_same(eager(fn, [w], *xs), replayed(t, [w], *xs))
        assert t.forward(*xs) == t(*xs)


def test_tape_and_compiled_code_agree_on_an_mlp_like_graph():
    rng = random.Random(1)
    ws = [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(4)]
    bs = [Value(rng.uniform(-1, 1)) for _ in range(4)]
    params = [p for row in ws for p in row] + bs

    def fn(xs):
        hidden = [engine.dot(w, xs, bias).relu() for w, bias in zip(ws, bs)]
        return engine.sum(h * h for h in hidden) / 4.0 + (xs[0] - xs[1]).tanh() * xs[2].sigmoid()

    taped, compiled = trace(fn, [0.1, 0.2, 0.3], mode="tape"), trace(fn, [0.1, 0.2, 0.3])
    for _ in range(5):
        xs = [rng.uniform(-2, 2) for _ in range(3)]
        e = eager(lambda *v: fn(list(v)), params, *xs)
        assert_same(e, replayed(taped, params, xs))
        assert_same(e, replayed(compiled, params, xs))


def test_new_parameter_values_are_read_on_every_replay():
    w, b = Value(0.5), Value(-1.0)
    fn = lambda x: (w * x + b).tanh() * w + (x * x) ** 0.5  # noqa: E731
    t = trace(fn, 2.0, mode="tape")
    for w_new, b_new, x in [(1.5, 0.25, -0.7), (-0.3, 2.0, 1.9)]:
        w.data, b.data = w_new, b_new
        assert_same(eager(fn, [w, b], x), replayed(t, [w, b], x))


def test_parameter_grads_accumulate_and_input_grads_can_be_skipped():
    w = Value(3.0)
    t = trace(lambda x, y: w * x * y + x, 2.0, 5.0, input_grads=False, mode="tape")
    w.grad = 1.0
    assert t(2.0, 5.0) == 32.0 and w.grad == 11.0 and t.input_grads == ()
    t = trace(lambda x, y: w * x, 2.0, 5.0, mode="tape")  # y unused: its grad is 0
    assert t(4.0, 1.0) == 12.0 and t.input_grads == (3.0, 0.0)


def test_learner_defined_op_is_called_through_its_functions():
    cube = define_op("cube_tape_test", forward=lambda x: x ** 3, local=lambda x, out: (3 * x * x,))
    try:
        w = Value(2.0)
        fn = lambda x: cube(x * w) + engine.sum([x, x, w, 1.0])  # noqa: E731
        t = trace(fn, 1.5, mode="tape")
        for x in (0.5, -1.25):
            assert_same(eager(fn, [w], x), replayed(t, [w], x))
    finally:
        remove_op("cube_tape_test")
    assert "cube_tape_test" not in RULES


def test_frozen_comparisons_are_checked():
    t = trace(lambda x: x * 2.0 if x > 0 else -x, 1.0, mode="tape")
    assert t(3.0) == 6.0
    with pytest.raises(TraceError, match="with the new numbers it is False"):
        t(-1.0)
    with pytest.raises(TraceError):
        t.forward(-1.0)


def test_anomaly_mode_checks_what_a_tape_replay_gives():
    w = Value(1.0)
    t = trace(lambda x: (w * x).log(), 2.0, mode="tape")
    assert math.isnan(t(-1.0))
    w.grad = 0.0
    with engine.detect_anomaly():
        with pytest.raises(engine.AnomalyError, match="traced replay"):
            t(-1.0)
    assert w.grad == 0.0  # checked before touching p.grad


def test_a_tape_has_no_source_but_replays_vectorised_and_bad_modes_are_refused():
    t = trace(lambda x: x * x, 2.0, mode="tape")
    with pytest.raises(ValueError, match="replays from a tape, so it has no generated source"):
        t.source
    pytest.importorskip("numpy")
    vt = t.vectorised()  # built from the tape's flat lists: the graph is gone
    assert vt(3.0) == 9.0 and vt.input_grads == (6.0,)
    with pytest.raises(ValueError, match="trace mode must be one of"):
        trace(lambda x: x, 1.0, mode="fast")
    with pytest.raises(ValueError, match="replay inputs must have the traced layout"):
        t([1.0, 2.0])


def test_a_tape_does_not_keep_the_recorded_graph():
    x = Value(1.0)
    root = (x * 2.0).exp() + 1.0
    tape = Tape(Recording(root, [x], []))
    tape.forget_graph()
    assert tape.nodes == 6 and tape.params == [] and tape.inputs == 1
    assert not any(isinstance(v, Value) for v in tape.start + tape.attrs)
    assert tape.rec.order == [] and tape.rec.index == {}


def test_codegen_mode_still_refuses_a_graph_above_max_nodes(monkeypatch):
    monkeypatch.setattr(importlib.import_module("engine.trace"), "MAX_NODES", 10)
    fn = lambda x: engine.sum([x * float(i) for i in range(10)])  # noqa: E731
    with pytest.raises(ValueError, match="more than MAX_NODES=10.*mode='tape'"):
        trace(fn, 1.0, mode="codegen")
    t = trace(fn, 1.0)  # auto: a tape above MAX_NODES
    assert "replayed from a tape" in repr(t) and t(2.0) == 90.0 and t.input_grads == (45.0,)


def chain(n: int):
    """``y = y * w + b``, n // 2 times from the input x: n op nodes over three leaves."""
    w, b = Value(1.0000001, label="w"), Value(0.5, label="b")
    x = Value(0.25, label="x")
    root = x
    for _ in range(n // 2):
        root = root * w + b
    root.backward()
    expected = (root.data, x.grad, w.grad, b.grad)
    x.grad = w.grad = b.grad = 0.0
    return root, x, w, b, expected


def test_tape_memory_per_node_measured_with_tracemalloc():
    n = 100_000
    root, x, w, b, expected = chain(n)
    gc.collect()
    tracemalloc.start()
    try:
        t = trace(lambda leaf: root, x, mode="tape")
        record_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        held = tracemalloc.get_traced_memory()[0]
        out = t(0.25)
        replay_peak = tracemalloc.get_traced_memory()[1] - held
    finally:
        tracemalloc.stop()
    print(f"\ntape of {n} nodes (tracemalloc): record peak {record_peak / n:.0f} B/node, "
          f"held {held / n:.0f} B/node, replay peak {replay_peak / n:.0f} B/node")
    assert out == expected[0] and t.input_grads == (expected[1],)
    assert (w.grad, b.grad) == expected[2:]
    assert held / n < 60 and replay_peak / n < 100 and record_peak / n < 300


@pytest.mark.slow
def test_a_million_node_chain_traces_and_replays_like_eager():
    n = 1_000_000
    root, x, w, b, expected = chain(n)
    gc.collect()
    before = rss_bytes()
    start = time.perf_counter()
    t = engine.trace(lambda leaf: root, x)  # auto: above MAX_NODES, a tape
    recorded = time.perf_counter() - start
    start = time.perf_counter()
    out = t(0.25)
    replay = time.perf_counter() - start
    grown = rss_bytes() - before
    print(f"\n1M-node tape: record {recorded:.1f}s, replay {replay:.1f}s, "
          f"RSS grew {grown / n:.0f} B/node")
    assert t.nodes == n + 3 and "replayed from a tape" in repr(t)
    assert out == expected[0] and t.input_grads == (expected[1],)
    assert (w.grad, b.grad) == expected[2:]
    assert recorded < 30 and replay < 30
    assert grown / n < 300
    assert t.forward(0.5) == t(0.5) != out
