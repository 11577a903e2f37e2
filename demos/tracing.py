"""Tracing: record the graph once, replay it many times - eager vs traced, and what freezes.

Every eager training step rebuilds the whole graph out of Value objects. That is
what lets you draw it and step through it, and it is also where the time goes.
``engine.trace`` runs a function once, keeps the graph it built, and turns it
into one plain Python function that replays forward and backward on new
numbers. This walkthrough shows what that function looks like, checks that it
gives the same numbers as eager mode, times both on micrograd's moons demo
(and micrograd itself, when installed), and shows what a trace cannot follow.

Run it: ``python -m demos.tracing [--out DIR] [--quick]`` (or ``python -m demos tracing``).
"""

from __future__ import annotations

import time
import warnings

import engine
import nn
from engine import Value
from nn.data import make_moons
from nn.losses import hinge_loss

from demos._common import options, pyplot, save_figure, say

ORDER = 11
SUMMARY = "engine.trace: the generated replay code, same numbers as eager, timings, what freezes"

# %% [markdown]
# # Tracing: record once, replay many times
#
# In *eager* mode (everything so far) each operation makes a new `Value` right
# away, and `backward()` walks the graph those Values form. Nothing is decided
# in advance, which is why a graph can be drawn, stepped through and changed
# from one call to the next.
#
# A *trace* is the record of one such run: the list of operations, in order,
# with which result feeds which. Replaying the record on new numbers needs no
# Values at all. `engine.trace(fn, *example_inputs)` makes the record and writes
# it out as straight-line Python, one line per node, from the same rule table
# that eager mode uses. Let us look at one for a tiny neuron.

# %%
def tiny_trace():
    """A one-neuron trace and its generated source."""
    w = Value(0.8, label="w")
    b = Value(-0.3, label="b")
    traced = engine.trace(lambda x: (w * x + b).tanh(), 1.5)
    return w, b, traced


# %% [markdown]
# Read the source below as the chain rule written out once. `v0, v1, ...` are
# the numbers of the nodes; the forward half computes them in order. The
# backward half seeds the output's gradient with `1.0`, then walks the nodes
# from the output back and adds `local derivative × upstream gradient` into
# each input's gradient - the very additions `backward()` makes, in the same
# order, with the local derivative's formula written in place. `G` holds the
# parameters' current gradients, so replayed gradients add up across calls
# just like eager ones. (In big graphs a node whose upstream gradient is
# exactly 0 - a ReLU that is off - is skipped, as `backward()` skips it.)

# %%
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


def same_numbers(quick: bool) -> float:
    """Train two copies side by side; return the largest relative loss difference."""
    model_a, params_a, loss_a = moons_workload(quick)
    model_b, params_b, loss_b = moons_workload(quick)
    traced = engine.trace(loss_b)
    worst = 0.0
    for k in range(3 if quick else 20):
        lr = 1.0 - 0.9 * k / 100
        a = eager_step(model_a, params_a, loss_a, lr)
        b = traced_step(model_b, params_b, traced, lr)
        worst = max(worst, abs(a - b) / max(abs(a), 1e-300))
    return worst


# %% [markdown]
# ## How much faster?
#
# The time of an eager step goes into making thousands of Value objects, sorting
# them into an order, and walking them back. A replay does only the arithmetic.
# micrograd, when installed, runs the same model for comparison (its graph is
# about nine times bigger, one node per multiply and add, and every node sits in
# a reference cycle the garbage collector keeps re-walking). `make bench` runs
# the full benchmark; docs/performance.md holds its table.

# %%
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


# %% [markdown]
# ## What a trace freezes
#
# A trace remembers *which* operations ran, not the Python that chose them.
# Four consequences:
#
# - A plain number in the function stays the number it was when traced.
# - An `if` on a comparison of Values took one branch while tracing. The trace
#   records every such comparison and re-checks it on each replay: if the new
#   numbers would choose the other branch, the replay raises `TraceError`
#   instead of silently computing a different function.
# - Kinks *inside* an op are not frozen: ReLU at 0 is decided by the op's own
#   rule on every replay, so a unit can switch on and off freely.
# - Whatever picks the graph's *shape* is frozen too: a class label that selects
#   one logit in cross-entropy, the batch size, the number of layers. Pass such
#   things in as numbers (one-hot targets) or trace again when they change. For
#   data batches, `engine.trace(fn, batch, input_grads=False)` also skips the
#   gradients with respect to the data, which training never reads.

# %%
def frozen_branch() -> str:
    """Trace a function with an ``if`` on a Value and replay it across the branch."""
    def bumpy(x):
        return x * x if x > 0 else -x  # Python picks a branch from the number

    traced = engine.trace(bumpy, 2.0)
    ok = traced(3.0)
    try:
        traced(-1.0)
    except engine.TraceError as error:
        return (f"bumpy(x) = x * x if x > 0 else -x, traced at x = 2.0 (the x * x branch): "
                f"replay at 3.0 -> {ok}; replay at -1.0 -> TraceError: {error}")
    return "no error (unexpected)"


def relu_switches() -> list:
    """ReLU's kink is inside the op: one trace serves both sides."""
    traced = engine.trace(lambda x: (2 * x).relu(), 1.0)
    return [(x, traced(x), traced.input_grads[0]) for x in (-1.0, 0.5)]


# %%
def bar_chart(ms: dict, out):
    """Milliseconds per training step: linear bars from zero, each labelled with its time and speed-up."""
    plt = pyplot()
    names = list(ms)
    slowest = max(ms.values())
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    bars = ax.barh(names, [ms[n] for n in names], color=["#8da0cb", "#66c2a5", "#fc8d62"][:len(names)])
    ax.set_xlim(0, slowest * 1.45)
    ax.set_xlabel("milliseconds per training step (lower is better)")
    for bar, name in zip(bars, names):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2,
                f" {ms[name]:.1f} ms ({slowest / ms[name]:.1f}× faster)" if ms[name] < slowest
                else f" {ms[name]:.1f} ms", va="center")
    ax.set_title("one SGD step on the moons, MLP(2, [16, 16, 1])")
    return save_figure(fig, out / "timings.png")


def main(argv=None) -> dict:
    """Run the walkthrough; returns the measured numbers."""
    opts = options("tracing", argv)
    say("""Eager mode builds a graph of Values on every call; a trace records that graph
        once and replays it as plain Python arithmetic. First, the replay code of one
        neuron, o = tanh(w*x + b), traced at x = 1.5.""")
    w, b, traced = tiny_trace()
    print(traced.source)
    out = traced(2.0)
    say(f"""Replaying at x = 2.0 gives o = {out:.6f}, with do/dw = {w.grad:.6f} and
        do/db = {b.grad:.6f} added into the parameters' grads, and do/dx =
        {traced.input_grads[0]:.6f} in traced.input_grads.""")

    worst = same_numbers(opts.quick)
    say(f"""Same numbers: two copies of micrograd's moons model, one trained eagerly and
        one by replaying a trace, agree at every step to a relative {worst:.1e}. The
        replay does the same arithmetic in the same order.""")

    t = timings(opts.quick)
    lines = [f"  {name:<18} {ms:9.2f} ms per step" for name, ms in t["ms"].items()]
    print("\n".join(lines) + "\n")
    speedup = t["ms"]["chainrule eager"] / t["ms"]["chainrule traced"]
    say(f"""The trace has {t['nodes']:,} nodes and took {t['trace_s']:.2f} s to record and
        compile; after that a replay is {speedup:.0f} times faster than an eager step.""")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        branch = frozen_branch()
    say("What freezes: a Python `if` on a Value. " + branch)
    say("A kink inside an op is not frozen: f(x) = relu(2 * x), traced once at x = 1.0, replayed:")
    for x, y, g in relu_switches():
        print(f"  f({x:4}) = {y}, df/dx = {g}")
    print()
    say("""So trace the parts whose shape does not depend on the numbers (a model and its
        loss on a batch of fixed size), keep eager mode for anything you want to draw,
        step through or branch on, and re-trace when the shape changes.""")
    picture = bar_chart(t["ms"], opts.out)
    return {"worst": worst, "ms": t["ms"], "picture": picture, "branch": branch}


if __name__ == "__main__":
    main()
