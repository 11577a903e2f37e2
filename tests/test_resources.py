"""Resources: a 1,000,000-node graph, memory over long training, and per-thread modes.

Budgets checked here (measured on the shared 2-core test machine, with slack):

* a million-node graph costs under ``BUILD_BYTES_PER_NODE`` of RSS to build; backward adds
  under ``BACKWARD_BYTES_PER_NODE`` (the topological order and its visited set);
* ``backward_steps`` is lazy: the first steps arrive before any deep gradient is touched;
* ``engine.trace`` replays a graph that large from a tape instead of compiling it (one line of
  Python per node, ~6 KB each); ``draw_dot`` refuses it at once, saying what to do instead;
* a long training loop holds traced memory flat: no growth trend over hundreds of steps;
* ``no_grad`` and ``detect_anomaly`` are per thread: switching them in one thread never
  changes what another thread records or raises.
"""

from __future__ import annotations

import array
import gc
import math
import threading
import time
import tracemalloc

import pytest

import engine
import nn
from engine import AnomalyError, Value
from replay_helpers import rss_bytes  # noqa: E402

N = 1_000_000
BUILD_BYTES_PER_NODE = 600
BACKWARD_BYTES_PER_NODE = 200


@pytest.fixture(scope="module")
def chain():
    """``v = v * w + b`` half a million times: 1,000,000 op nodes over three shared leaves."""
    gc.collect()
    before = rss_bytes()
    x, w, b = Value(0.5, label="x"), Value(1.0, label="w"), Value(1e-6, label="b")
    v = x
    start = time.perf_counter()
    for _ in range(N // 2):
        v = v * w + b
    built = time.perf_counter() - start
    yield {"root": v, "x": x, "w": w, "b": b, "bytes": rss_bytes() - before, "seconds": built}
    del v


@pytest.mark.slow
def test_a_million_node_graph_builds_within_budget(chain):
    assert chain["root"].data == pytest.approx(0.5 + N // 2 * 1e-6)
    if chain["bytes"]:
        assert chain["bytes"] / N < BUILD_BYTES_PER_NODE, f"{chain['bytes'] / N:.0f} bytes per node"


@pytest.mark.slow
def test_backward_over_a_million_nodes(chain):
    root, x, w, b = chain["root"], chain["x"], chain["w"], chain["b"]
    for leaf in (x, w, b):
        leaf.grad = 0.0
    before = rss_bytes()
    start = time.perf_counter()
    root.backward()
    elapsed = time.perf_counter() - start
    grown = rss_bytes() - before
    assert x.grad == 1.0 and b.grad == N // 2
    # d root / d w = the sum of every intermediate before a multiply: 0.5 + k * 1e-6
    assert w.grad == pytest.approx(sum(0.5 + k * 1e-6 for k in range(N // 2)), rel=1e-9)
    assert elapsed < 60, f"{elapsed:.1f}s"
    assert grown / N < BACKWARD_BYTES_PER_NODE, f"{grown / N:.0f} bytes per node"


@pytest.mark.slow
def test_stepping_a_million_nodes_is_lazy(chain):
    root, x, w, b = chain["root"], chain["x"], chain["w"], chain["b"]
    for leaf in (x, w, b):
        leaf.grad = 0.0
    start = time.perf_counter()
    steps = root.backward_steps()
    first = [next(steps) for _ in range(3)]
    elapsed = time.perf_counter() - start
    assert [s.index for s in first] == [1, 2, 3] and first[0].total == N
    assert first[0].node is root and "step 1 of 1000000" in str(first[0])
    # Lazy: after three steps only the top of the chain has gradients; x is untouched.
    assert x.grad == 0.0 and b.grad == 2.0
    assert elapsed < 30, f"{elapsed:.1f}s for the first steps"
    steps.close()


@pytest.mark.slow
def test_tracing_a_million_nodes_replays_from_a_tape(chain):
    trace = getattr(engine, "trace", None)
    if trace is None:
        pytest.skip("engine.trace does not exist")
    root, x, w, b = chain["root"], chain["x"], chain["w"], chain["b"]
    for leaf in (x, w, b):
        leaf.grad = 0.0
    root.backward()
    expected = (x.grad, w.grad, b.grad)
    for leaf in (x, w, b):
        leaf.grad = 0.0
    before = rss_bytes()
    start = time.perf_counter()
    t = trace(lambda x: root + x, 1.0)  # above MAX_NODES: interpreted from a tape, not compiled
    out = t(2.0)
    assert time.perf_counter() - start < 20
    assert (rss_bytes() - before) / N < BACKWARD_BYTES_PER_NODE  # nothing compiled
    assert t.nodes == 1000005 and "replayed from a tape" in repr(t)
    assert out == root.data + 2.0 and t.input_grads == (1.0,)
    assert (x.grad, w.grad, b.grad) == expected
    with pytest.raises(ValueError, match=r"has 1000005 nodes, more than MAX_NODES=200000"):
        trace(lambda x: root + x, 1.0, mode="codegen")


@pytest.mark.slow
def test_drawing_a_million_nodes_is_refused_with_advice(chain):
    draw_dot = pytest.importorskip("engine.draw").draw_dot
    start = time.perf_counter()
    with pytest.raises(ValueError, match="1000003 values and 1000000 ops, more than max_nodes") as info:
        draw_dot(chain["root"])
    assert "sub-expression" in str(info.value)
    assert time.perf_counter() - start < 20


@pytest.mark.slow
def test_the_player_refuses_a_million_nodes_with_advice(chain, tmp_path):
    # an HTML player of 1,000,000 nodes would be ~900 MB of page and ~2.6 GB to build
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"1000003 values.*more than MAX_NODES=.*sub-expression"):
        engine.save_player(chain["root"], tmp_path / "p.html")
    assert time.perf_counter() - start < 20
    assert not list(tmp_path.iterdir())


def test_the_text_of_a_wide_step_takes_linear_time():
    # regression: a sum over 16,000 inputs (the mean loss of a big batch) took 268 s to print,
    # because every line rebuilt all the names and rescanned all the later inputs
    xs = [Value(float(i), label=f"x{i}") for i in range(20_000)]
    a = Value(2.0, label="a")
    total = engine.sum(xs + [a, a, a])
    step = next(total.backward_steps())
    start = time.perf_counter()
    lines = step.lines()
    assert time.perf_counter() - start < 5.0
    assert len(lines) == 2 + 20_003 and lines[2].startswith("  x0: local")
    assert lines[-3].startswith("  a (use 1)") and lines[-1].endswith("a.grad += 1 → 3")
    assert lines[-3].endswith("a.grad += 1 → 1") and lines[-2].endswith("→ 2")


def test_the_player_data_of_a_wide_step_takes_linear_time():
    # regression: Step.formula(i) named every input again for each i, so the player's data
    # for a 5,000-input sum took 11 s (quadratic); a wide sum is a big batch's mean loss
    from engine.player import player_data
    total = engine.sum([Value(float(i)) for i in range(10_000)])
    start = time.perf_counter()
    data = player_data(total)
    assert time.perf_counter() - start < 5.0
    assert len(data["steps"][0]["rows"]) == 10_000 and data["steps"][0]["rows"][-1]["formula"] == "1"


# --- memory over a long training run ----------------------------------------------------------


def _slope(samples: list) -> float:
    """Least-squares slope of ``samples`` against their index (bytes per step)."""
    n = len(samples)
    mean_x, mean_y = (n - 1) / 2, sum(samples) / n
    num = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(samples))
    return num / sum((i - mean_x) ** 2 for i in range(n))


def _traced_memory_per_step(step, steps: int) -> list:
    for _ in range(3):
        step()  # warm up: optimizer state, caches, interned strings
    samples = array.array("q", bytes(8 * steps))  # preallocated: storing a sample allocates nothing
    tracemalloc.start()
    try:
        for i in range(steps):
            step()
            samples[i] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return list(samples)


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_long_training_loop_holds_memory_flat(optimizer):
    X, y = nn.make_moons(16, seed=1)
    model = nn.MLP(2, [6, 6, 1], seed=0)
    opt = nn.OPTIMIZERS[optimizer](model.parameters(), lr=0.05)

    def step():
        loss = nn.hinge_loss([model(x) for x in X], [2 * t - 1 for t in y])
        opt.zero_grad()
        loss.backward()
        opt.step()

    samples = _traced_memory_per_step(step, 300)
    half = len(samples) // 2
    growth = sum(samples[half:]) / half - sum(samples[:half]) / half
    assert abs(_slope(samples)) < 16, f"{_slope(samples):.0f} bytes per step"  # 24 B/step leak: 32
    assert growth < 32_000, f"second half holds {growth:.0f} more bytes on average"


@pytest.mark.slow
def test_fit_over_many_epochs_holds_memory_flat():
    X, y = nn.make_blobs(24, seed=2)
    model = nn.MLP(2, [6, 1], seed=0)
    samples = _traced_memory_per_step(
        lambda: nn.fit(model, X, y, epochs=1, batch_size=8, progress=False), 300)
    assert abs(_slope(samples)) < 16, f"{_slope(samples):.0f} bytes per epoch"


# --- modes are per thread ------------------------------------------------------------------


def _in_thread(body):
    """Run ``body(entered, release)`` in a thread; yield once it is inside its block."""
    entered, release, errors = threading.Event(), threading.Event(), []

    def run():
        try:
            body(entered, release)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
            entered.set()

    thread = threading.Thread(target=run)
    thread.start()
    assert entered.wait(10)
    return thread, release, errors


def test_no_grad_in_one_thread_does_not_stop_recording_in_another():
    def body(entered, release):
        with engine.no_grad():
            assert (Value(1.0) * 2).op is None
            entered.set()
            release.wait(10)
            assert not engine.is_grad_enabled()

    thread, release, errors = _in_thread(body)
    try:
        assert engine.is_grad_enabled()
        y = Value(2.0) * 3
        assert y.op is not None and len(y.inputs) == 2
    finally:
        release.set()
        thread.join(10)
    assert not errors, errors


def test_detect_anomaly_in_one_thread_does_not_raise_in_another():
    def body(entered, release):
        with engine.detect_anomaly():
            with pytest.raises(AnomalyError):
                Value(0.0).log()
            entered.set()
            release.wait(10)
            with pytest.raises(AnomalyError):
                Value(-1.0).sqrt()

    thread, release, errors = _in_thread(body)
    try:
        assert not engine.is_anomaly_enabled()
        out = Value(0.0, label="z").log()  # would raise if the switch leaked
        out.backward()
        assert out.data == -math.inf
    finally:
        release.set()
        thread.join(10)
    assert not errors, errors


def test_anomaly_in_the_main_thread_does_not_reach_workers():
    results = []

    def worker():
        results.append((engine.is_anomaly_enabled(), Value(math.nan).exp().data))

    with engine.detect_anomaly():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(10)
    assert results and results[0][0] is False and math.isnan(results[0][1])


def test_many_threads_switching_modes_never_see_each_other():
    barrier, errors = threading.Barrier(8), []

    def worker(k):
        try:
            barrier.wait(10)
            for i in range(300):
                if (i + k) % 2:
                    with engine.no_grad():
                        assert (Value(1.0) + 1).op is None
                        assert engine.is_grad_enabled() is False
                else:
                    with engine.detect_anomaly():
                        assert engine.is_anomaly_enabled() and engine.is_grad_enabled()
                        assert (Value(1.0) + 1).op is not None
                assert engine.is_grad_enabled() and not engine.is_anomaly_enabled()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors[:3]


def test_comparisons_in_another_thread_do_not_enter_a_trace():
    trace = getattr(engine, "trace", None)
    if trace is None:
        pytest.skip("engine.trace does not exist")
    tracing, done = threading.Event(), threading.Event()

    def slow(x):
        tracing.set()
        done.wait(10)  # another thread compares Values meanwhile
        return x * 2 + 1

    holder = {}
    thread = threading.Thread(target=lambda: holder.setdefault("t", trace(slow, 1.0)))
    thread.start()
    assert tracing.wait(10)
    a = Value(3.0)
    for _ in range(100):
        assert a > 1 and not a < 1
    done.set()
    thread.join(10)
    traced = holder["t"]
    assert traced.nodes == 5  # x, 2, x*2, 1, +: nothing from this thread's comparisons
    assert traced(-4.0) == -7.0  # a recorded comparison of `a` would not change this, but
    assert traced.input_grads == (2.0,)  # the node count above would have grown
