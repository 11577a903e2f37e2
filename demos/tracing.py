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

import inspect
import warnings

import engine
from engine import Value

from demos._common import say
from demos._figures.tracing import bar_chart
from demos._lesson import Lesson
from demos._tracing_runs import side_by_side, timings

ORDER = 11
SUMMARY = "engine.trace: the generated replay code, same numbers as eager, timings, what freezes"

lesson = Lesson("tracing")

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
# that eager mode uses.

# %%
def tiny_trace():
    """A one-neuron trace and its generated source."""
    w = Value(0.8, label="w")
    b = Value(-0.3, label="b")

    def neuron(x):
        return (w * x + b).tanh()

    return w, b, engine.trace(neuron, 1.5)


def show_source(fn) -> None:
    """Print a function's code, so the output says what ran."""
    print(inspect.getsource(fn))


# %% [markdown]
# ## One neuron, traced
#
# The function below builds a neuron $o = \tanh(w x + b)$ with two parameters
# and traces it at $x = 1.5$. Read the generated source as the chain rule
# written out once. `v0, v1, ...` are the numbers of the nodes; the forward
# half computes them in order. The backward half seeds the output's gradient
# with `1.0`, then walks the nodes from the output back and adds
# `local derivative × upstream gradient` into each input's gradient: the very
# additions `backward()` makes, in the same order, with the local derivative's
# formula written in place. `G` holds the parameters' current gradients, so
# replayed gradients add up across calls just like eager ones. (A node whose
# upstream gradient is exactly 0, such as a ReLU that is off, is skipped, as
# `backward()` skips it.)

# %%
@lesson.step
def one_neuron(run):
    """Trace a tiny neuron and print the replay code it becomes."""
    say("""Eager mode builds a graph of Values on every call; a trace records that graph
        once and replays it as plain Python arithmetic. First, the replay code of one
        neuron, o = tanh(w*x + b), traced at x = 1.5.""")
    show_source(tiny_trace)
    w, b, traced = tiny_trace()
    print(traced.source)
    run.notes.update(w=w, b=b, traced=traced)


# %% [markdown]
# ## Replaying it
#
# Calling the trace with a new $x$ runs that code: it returns the output, adds
# $\partial o/\partial w$ and $\partial o/\partial b$ into the parameters'
# `.grad`, and leaves $\partial o/\partial x$ in `traced.input_grads`. No Value
# is made on the way.

# %%
@lesson.step
def replay(run):
    """Replay the neuron's trace at x = 2.0 and read the gradients."""
    w, b, traced = run.notes["w"], run.notes["b"], run.notes["traced"]
    out = traced(2.0)
    eager = Value(2.0)
    check = (w.data * eager + b.data).tanh()
    check.backward()
    say(f"""Replaying at x = 2.0 gives o = {out:.6f}, with do/dw = {w.grad:.6f} and
        do/db = {b.grad:.6f} added into the parameters' grads, and do/dx =
        {traced.input_grads[0]:.6f} in traced.input_grads.""")
    print(f"  eagerly, tanh(0.8 * 2.0 - 0.3) = {check.data:.6f} and d/dx = {eager.grad:.6f}\n")


# %% [markdown]
# ## Same numbers as eager mode
#
# Now something the size of a real exercise: micrograd's moons demo, an MLP
# with two hidden layers of 16 units, a hinge loss over the data plus a little
# L2 penalty. Two identical copies train side by side, one the ordinary way
# (build the graph, `backward()`, update) and one by replaying a trace of the
# loss. The replay does the same arithmetic in the same order, so the losses
# should agree exactly, not merely closely.

# %% [markdown]
# The loss of every step from both copies, printed to 17 decimal places:

# %%
@lesson.step
def same_numbers_as_eager(run):
    """Train an eager copy and a traced copy side by side and compare their losses."""
    rows = side_by_side(run.quick)
    print(f"  {'step':>4}  {'eager loss':>20}  {'replayed loss':>20}")
    for k, (a, b) in enumerate(rows, start=1):
        print(f"  {k:4d}  {a:20.17f}  {b:20.17f}")
    print()
    worst = max(abs(a - b) / max(abs(a), 1e-300) for a, b in rows)
    say(f"""Same numbers: two copies of micrograd's moons model, one trained eagerly and
        one by replaying a trace, agree at every step to a relative {worst:.1e}. The
        replay does the same arithmetic in the same order.""")
    run.result["worst"] = worst


# %% [markdown]
# ## How much faster?
#
# The time of an eager step goes into making thousands of Value objects, sorting
# them into an order, and walking them back. A replay does only the arithmetic.
# micrograd, when installed, runs the same model for comparison in a full run
# (its graph is about nine times bigger, one node per multiply and add, and
# every node sits in a reference cycle the garbage collector keeps re-walking).
# `make bench` runs the full benchmark; docs/performance.md holds its table.
# Timings on a shared machine wobble from run to run, so read the ratio, not
# the milliseconds.

# %% [markdown]
# The median time of a few steps of each kind, and a picture of the times on a
# linear scale from zero, each bar labelled with its time and its speed-up over
# the slowest.

# %%
@lesson.step
def speed(run):
    """Time an eager step against a replayed one, and draw the times."""
    t = timings(run.quick)
    lines = [f"  {name:<18} {ms:9.2f} ms per step" for name, ms in t["ms"].items()]
    print("\n".join(lines) + "\n")
    speedup = t["ms"]["chainrule eager"] / t["ms"]["chainrule traced"]
    say(f"""The trace has {t['nodes']:,} nodes and took {t['trace_s']:.2f} s to record and
        compile; after that a replay is {speedup:.0f} times faster than an eager step.""")
    picture = bar_chart(t["ms"], run.out)
    run.keep(picture)
    run.result.update(ms=t["ms"], picture=picture)


# %% [markdown]
# ## What a trace freezes
#
# A trace remembers *which* operations ran, not the Python that chose them.
# Four consequences, one step each below:
#
# 1. A plain number in the function stays the number it was when traced.
# 2. An `if` on a comparison of Values took one branch while tracing. The trace
#    records every such comparison and re-checks it on each replay: if the new
#    numbers would choose the other branch, the replay raises `TraceError`
#    instead of silently computing a different function.
# 3. Kinks *inside* an op are not frozen: ReLU at 0 is decided by the op's own
#    rule on every replay, so a unit can switch on and off freely. That is also
#    the way out of 2: write the choice with such an op.
# 4. Whatever picks the graph's *shape* is frozen too: a class label that selects
#    one logit in cross-entropy, the batch size, the number of layers. Pass such
#    things in as numbers (one-hot targets) or trace again when they change. For
#    data batches, `engine.trace(fn, batch, input_grads=False)` also skips the
#    gradients with respect to the data, which training never reads.
#
# ### 1. Plain numbers
#
# `scaled` multiplies by a setting it reads from a dictionary. We trace it with
# the setting at 2, then change the setting to 3. Called eagerly, the function
# reads the new setting; the trace still multiplies by 2, because all it kept
# was a constant node holding 2.0.

# %%
SETTINGS = {"scale": 2.0}


def scaled(x):
    return x * SETTINGS["scale"]


def frozen_constant() -> tuple:
    """Trace ``scaled`` with scale 2, change scale to 3: (eager result, replayed result) at x = 1."""
    SETTINGS["scale"] = 2.0
    traced = engine.trace(scaled, 1.0)
    SETTINGS["scale"] = 3.0
    try:
        return scaled(Value(1.0)).data, traced(1.0)
    finally:
        SETTINGS["scale"] = 2.0


# %% [markdown]
# The code of `scaled`, then the two calls after the setting changed:

# %%
@lesson.step
def plain_numbers(run):
    """A number read while tracing stays that number in the replay."""
    show_source(scaled)
    eager, replayed = frozen_constant()
    print("traced with scale = 2, then scale set to 3; at x = 1.0:")
    print(f"  eager call       {eager}")
    print(f"  replayed trace   {replayed}   (the 2 was recorded as a constant)\n")


# %% [markdown]
# ### 2. A Python `if` on a Value
#
# `bumpy` squares positive numbers and negates the others, choosing with an
# ordinary `if`. Traced at $x = 2$, it took the `x * x` branch, and that is all
# the trace holds. Replaying at 3 is fine (same branch); replaying at -1 would
# need the other branch, and the trace refuses. The error names the comparison
# (by the input's label when it has one, here `x`) and says what to do instead.

# %%
def bumpy(x):
    return x * x if x > 0 else -x  # Python picks a branch from the number


def frozen_branch() -> str:
    """Trace ``bumpy`` (its input labelled x) and replay it across the branch."""
    traced = engine.trace(bumpy, Value(2.0, label="x"))
    ok = traced(3.0)
    try:
        traced(-1.0)
    except engine.TraceError as error:
        return (f"bumpy(x) = x * x if x > 0 else -x, traced at x = 2.0 (the x * x branch): "
                f"replay at 3.0 -> {ok}; replay at -1.0 -> TraceError: {error}")
    return "no error (unexpected)"


# %% [markdown]
# The code of `bumpy`, then the two replays and the error the second one raises:

# %%
@lesson.step
def python_branch(run):
    """Replay a traced ``if`` on both sides of its condition."""
    show_source(bumpy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        branch = frozen_branch()
    say("What freezes: a Python `if` on a Value. " + branch)
    run.result["branch"] = branch


# %% [markdown]
# ### 3. A kink inside an op
#
# `double_relu` has a kink at 0 too, but the choice is made by the ReLU op, and
# the trace replays the op's rule, not the outcome it had. Traced once at
# $x = 1$ (where the unit is on), it still gives 0 and slope 0 at $x = -1$.
# `bumpy` can be written the same way, with ReLUs instead of an `if`:
# $\text{relu}(x)^2 + \text{relu}(-x)$ is $x^2$ for positive $x$ and $-x$ for
# negative $x$, and one trace then serves both sides.

# %%
def double_relu(x):
    return (2 * x).relu()


def bumpy_with_relus(x):
    return x.relu() ** 2 + (-x).relu()


def relu_switches() -> list:
    """ReLU's kink is inside the op: one trace serves both sides."""
    traced = engine.trace(double_relu, 1.0)
    return [(x, traced(x), traced.input_grads[0]) for x in (-1.0, 0.5)]


def bumpy_replays() -> list:
    """``bumpy_with_relus`` traced at 2, replayed on both sides: (x, value, slope) for each."""
    traced = engine.trace(bumpy_with_relus, 2.0)
    return [(x, traced(x), traced.input_grads[0]) for x in (3.0, -1.0)]


# %% [markdown]
# Each function's code, then its replays on both sides of the kink:

# %%
@lesson.step
def kink_inside_an_op(run):
    """One trace of a ReLU serves both sides of its kink; so does bumpy written with ReLUs."""
    show_source(double_relu)
    say("A kink inside an op is not frozen: f(x) = relu(2 * x), traced once at x = 1.0, replayed:")
    for x, y, g in relu_switches():
        print(f"  f({x:4}) = {y}, df/dx = {g}")
    print()
    show_source(bumpy_with_relus)
    print("traced once at x = 2.0, replayed:")
    for x, y, g in bumpy_replays():
        print(f"  bumpy_with_relus({x:4}) = {y}, slope {g}   (bumpy gives {bumpy(Value(x)).data})")
    print()


# %% [markdown]
# ### 4. The graph's shape
#
# The number of nodes is fixed when the trace is made. A trace of a loss over
# a batch of 40 points takes exactly 40 points; a different layout is refused
# rather than guessed at. So trace the parts whose shape does not depend on the
# numbers, and trace again when the shape changes.

# %%
def pair_product(xs):
    return xs[0] * xs[1]


# %% [markdown]
# The code of `pair_product`, traced with two numbers, then replayed with two
# and with three:

# %%
@lesson.step
def graph_shape(run):
    """A trace takes inputs of the layout it was traced with, and no other."""
    show_source(pair_product)
    traced = engine.trace(pair_product, [3.0, 4.0])
    print(f"traced with [3.0, 4.0]; replay with [5.0, 6.0] -> {traced([5.0, 6.0])}")
    try:
        traced([5.0, 6.0, 7.0])
    except ValueError as error:
        print(f"replay with [5.0, 6.0, 7.0] -> ValueError: {error}")
    print(f"{traced!r}\n")
    say("""So trace the parts whose shape does not depend on the numbers (a model and its
        loss on a batch of fixed size), keep eager mode for anything you want to draw,
        step through or branch on, and re-trace when the shape changes.""")


# %% [markdown]
# ## What was drawn
#
# The files this run wrote.

# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew."""
    run.list_pictures()


main = lesson.main
