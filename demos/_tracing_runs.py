"""The training runs the tracing walkthrough compares: micrograd's moons demo, eager and replayed.

``side_by_side`` trains two copies (one eagerly, one by replaying a trace) and
``timings`` measures a step of each, and of micrograd when it is installed.
"""

from __future__ import annotations

import time

import engine
import nn
from nn.data import make_moons
from nn.losses import hinge_loss

def moons_workload(quick: bool):
    """micrograd's demo: moons, MLP(2, [16, 16, 1]), hinge loss + L2."""
    X, y = make_moons(40 if quick else 100, noise=0.1, seed=0)
    Y = [2.0 * c - 1.0 for c in y]
    model = nn.MLP(2, [16, 16, 1], init="auto", seed=1337)
    params = model.parameters()

    def loss():
        return hinge_loss([model(x) for x in X], Y) + 1e-4 * engine.dot(params, params)

    return model, params, loss


def eager_step(model, params, loss_fn, lr: float) -> float:
    """One training step the normal way: build the graph, backward, update."""
    loss = loss_fn()
    model.zero_grad()
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return loss.data


def traced_step(model, params, traced, lr: float) -> float:
    """The same step by replaying the trace."""
    model.zero_grad()
    loss = traced()
    for p in params:
        p.data -= lr * p.grad
    return loss


def side_by_side(quick: bool) -> list:
    """Train two copies, one eagerly and one by replay; (eager loss, replayed loss) per step."""
    model_a, params_a, loss_a = moons_workload(quick)
    model_b, params_b, loss_b = moons_workload(quick)
    traced = engine.trace(loss_b)
    rows = []
    for k in range(3 if quick else 20):
        lr = 1.0 - 0.9 * k / 100
        rows.append((eager_step(model_a, params_a, loss_a, lr), traced_step(model_b, params_b, traced, lr)))
    return rows


def timings(quick: bool) -> dict:
    """Median ms per training step for eager, traced and (if installed) micrograd."""
    rounds = 2 if quick else 7
    model, params, loss_fn = moons_workload(quick)
    start = time.perf_counter()
    traced = engine.trace(loss_fn)
    trace_s = time.perf_counter() - start
    steps = {"chainrule eager": lambda k: eager_step(model, params, loss_fn, 0.01),
             "chainrule traced": lambda k: traced_step(model, params, traced, 0.01)}
    micro = micrograd_step(quick)
    if micro is not None:
        steps["micrograd"] = micro
    times = {name: [] for name in steps}
    for k in range(rounds):
        for name, step in steps.items():
            t = time.perf_counter()
            step(k)
            times[name].append(1e3 * (time.perf_counter() - t))
    medians = {name: sorted(ts)[len(ts) // 2] for name, ts in times.items()}
    return {"ms": medians, "trace_s": trace_s, "nodes": traced.nodes}


def micrograd_step(quick: bool):
    """A micrograd training step on the same data, or None when it is not installed."""
    if quick:
        return None
    try:
        from micrograd.engine import Value as MicroValue
        from micrograd.nn import MLP
    except ImportError:
        return None
    X, y = make_moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1])

    def step(k):
        scores = [model([MicroValue(a) for a in row]) for row in X]
        losses = [(1 + -(2 * c - 1) * s).relu() for c, s in zip(y, scores)]
        loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad

    return step
