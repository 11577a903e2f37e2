"""One neuron by hand: the forward pass, the chain rule step by step, and a check.

The flagship walkthrough (``make demo``). It builds ``o = tanh(x1*w1 + x2*w2 + b)``
out of labelled Values, prints every number, backpropagates one node at a time
with the arithmetic spelled out, draws the graph (SVG, one picture per backward
step, and the HTML backprop player) and checks every gradient against finite
differences.

Run it: ``python -m demos.one_neuron [--out DIR] [--quick]`` (or ``python -m demos one_neuron``).
"""

from __future__ import annotations

from pathlib import Path

import engine
from engine import Value, no_grad
from engine.backprop import fmt

from demos._common import graph_tool, pyplot, save_figure, say, write_svg, wrote
from demos._lesson import Lesson

ORDER = 2
SUMMARY = "one neuron built from labelled Values: forward, backward step by step, graph, gradient check"

TITLE = "one neuron, o = tanh(x1·w1 + x2·w2 + b)"

# The numbers of this walkthrough: two inputs, two weights, a bias.
START = {"x1": 1.5, "x2": -0.5, "w1": 0.8, "w2": -1.2, "b": -0.9}

lesson = Lesson("one_neuron")

# %% [markdown]
# # One neuron, by hand
#
# A neuron does three small things. It multiplies each input by its own weight,
# adds the products together with a bias, and pushes that total through an
# activation function:
#
# $$o = \tanh(x_1 w_1 + x_2 w_2 + b)$$
#
# The weights say how much each input matters; the bias shifts the point where
# the neuron starts to respond. Here every one of those numbers is a `Value`
# with a name, so the engine remembers how `o` was made and can later tell us
# how `o` would change if any of them moved.

# %%
def build_neuron(x1: float, x2: float, w1: float, w2: float, b: float) -> dict:
    """The neuron as a graph of labelled Values; returns every node by its label."""
    nodes = {"x1": Value(x1, label="x1"), "x2": Value(x2, label="x2"),
             "w1": Value(w1, label="w1"), "w2": Value(w2, label="w2"),
             "b": Value(b, label="b")}
    nodes["x1w1"] = nodes["x1"] * nodes["w1"]
    nodes["x2w2"] = nodes["x2"] * nodes["w2"]
    nodes["s"] = nodes["x1w1"] + nodes["x2w2"]   # the weighted sum
    nodes["n"] = nodes["s"] + nodes["b"]         # ... plus the bias
    nodes["o"] = nodes["n"].tanh()               # ... through the activation
    for name, v in nodes.items():
        v.label = name
    return nodes


def neuron_output(x1, x2, w1, w2, b) -> Value:
    """Just ``o``, for finite differences and ``engine.gradcheck`` (takes Values or floats)."""
    return (x1 * w1 + x2 * w2 + _as_value(b)).tanh()


def _as_value(v) -> Value:
    return v if isinstance(v, Value) else Value(v)


def show_forward(nodes: dict) -> None:
    """Print every node's value, inputs first, the output last."""
    for name, v in nodes.items():
        how = "" if v.is_leaf else f"  = {v.op.describe_forward([u.label for u in v.inputs], v.attr)}"
        print(f"  {name:>5} = {fmt(v.data):>10}{how}")
    print()


def draw_dot():
    """``engine.draw_dot`` when it and Graphviz's ``dot`` program are available, else None."""
    return graph_tool("engine", "draw_dot")


def graph_pictures_available() -> str:
    """Empty when graphs can be drawn, else the reason they cannot."""
    if draw_dot() is None:
        return "they need engine.draw_dot and the Graphviz 'dot' program (apt install graphviz)"
    return ""

# %% [markdown]
# ## Forward: every number in the neuron
#
# Build the neuron from the numbers in `START` and print each node of the graph,
# the five inputs first and `o` last. Each line after the inputs says which
# operation made the node and from what. When Graphviz is installed the same graph
# is drawn too, before any gradient has been computed.

# %%
@lesson.step
def forward(run):
    """Build the neuron, print every value, and draw the graph before backward."""
    say("""One neuron, by hand. Two inputs x1 and x2, one weight for each, and a bias:
        the neuron computes n = x1*w1 + x2*w2 + b and answers o = tanh(n). Every
        number is a labelled Value, so the engine keeps the whole recipe.""")
    nodes = build_neuron(**START)
    o = nodes["o"]
    print("Forward pass (inputs first):")
    show_forward(nodes)
    why_not = graph_pictures_available()
    if not why_not:
        o.grad = 0.0  # nothing has flowed back yet: draw the forward pass with empty gradients
        run.keep(write_svg(draw_dot()(o, show_grad=False, title="forward pass: " + TITLE),
                           run.out / "forward.svg"))
    run.notes.update(nodes=nodes, why_not=why_not)
    run.result["output"] = o.data

# %% [markdown]
# ## Backward: the chain rule, one node at a time
#
# We want $\partial o / \partial v$ for every value $v$ in the graph. Start at the
# output, where $\partial o / \partial o = 1$, and walk the graph backwards. Each
# node already knows its *local* derivatives: how its own output moves when one of
# its inputs moves (for a product $x_1 w_1$, the local derivative with respect to
# $w_1$ is $x_1$; for $\tanh$ it is $1 - o^2$). The chain rule says the gradient an
# input receives is that local derivative times the *upstream* gradient that has
# already arrived at the node:
#
# $$\text{contribution} = \text{local} \times \text{upstream}$$
#
# `backward_steps()` runs exactly the same code as `backward()`, but pauses after
# every node so we can read the arithmetic.

# %%
def step_backward(root: Value, out: Path, *, draw: bool) -> list:
    """Backpropagate from ``root`` step by step, printing each; optionally draw each step.

    The pictures share one layout and one canvas (only the colours, the grads and
    the caption change), and an animated GIF plays them in turn.
    """
    steps = []
    for step in root.backward_steps():
        print(step)
        print()
        steps.append(step)
    if not draw:
        return []
    from engine.frames import save_animation, step_frames
    frames = step_frames(root, steps=steps, title=TITLE)
    written = [write_svg(frame, out / f"step_{step.index:02d}.svg", quiet=True)
               for frame, step in zip(frames, steps)]
    print(f"  wrote {written[0]} ... {written[-1].name} (one picture per step, one layout)")
    try:
        written.append(wrote(save_animation(frames, out / "backward.gif")))
    except ImportError as e:  # Pillow is in the plot extra
        print(f"  (no animation: {e})")
    print()
    return written


def nudge(start: dict, grads: dict, rate: float) -> float:
    """o after moving the weights and the bias (not the inputs) by ``rate`` times their gradients."""
    moved = {name: value + (rate * grads[name] if name in ("w1", "w2", "b") else 0.0)
             for name, value in start.items()}
    with no_grad():
        return neuron_output(**moved).data

# %% [markdown]
# ### Running it
#
# Five backward steps, from `o` down to the leaves. Each one prints the node it is
# working on, the upstream gradient it received, and what each input gets. With
# Graphviz, every step is also drawn (the node being worked on is highlighted)
# and the drawings are put together into an animation.

# %%
@lesson.step
def backward(run):
    """Backpropagate one node at a time, with the arithmetic of every step."""
    nodes = run.notes["nodes"]
    say("""Backward pass. Each step takes one node, reads the gradient that has already
        reached it (upstream), multiplies by the node's local derivative for each input
        and adds the result to that input's grad.""")
    run.keep(step_backward(nodes["o"], run.out, draw=not run.notes["why_not"]))
    run.result["grads"] = {name: nodes[name].grad for name in START}
    say("""Two patterns to notice. An addition node hands its upstream gradient to every
        input unchanged (its local derivatives are all 1). A multiplication node hands
        each input the upstream gradient times the *other* factor: w1 receives x1 times
        the upstream gradient, and x1 receives w1 times it.""")

# %% [markdown]
# ## What the gradients are for
#
# A gradient tells which way to move a number to make the output bigger, and how
# strongly the output reacts. So take a small step with the weights and the bias,
# each along its own gradient (the inputs are data, we leave them alone), and
# compute the neuron again: `o` should go up.

# %%
@lesson.step
def uphill(run):
    """Move w1, w2 and b a little along their gradients and recompute o."""
    stepped = nudge(START, run.result["grads"], 0.1)
    say(f"""What the gradients are for: they say which way to move each parameter. To make o
        larger, move w1, w2 and b a little along their gradients (w <- w + 0.1 * do/dw):
        o goes from {run.result["output"]:.6f} to {stepped:.6f}. Training does the same thing with a
        loss instead of o, moving downhill instead of up.""")
    run.result["nudged"] = stepped

# %% [markdown]
# ## Is it right? Nudge each number and watch the output
#
# A gradient is a promise: if $w_1$ moves by a tiny $h$, then $o$ moves by about
# $h \cdot \partial o/\partial w_1$. We can test the promise without any calculus by
# evaluating the neuron twice, once at $w_1 + h$ and once at $w_1 - h$:
#
# $$\frac{\partial o}{\partial w_1} \approx \frac{o(w_1 + h) - o(w_1 - h)}{2h}$$
#
# This *central difference* is slow (two forward passes per number) but needs no
# derivative rules at all, which makes it the perfect referee for backprop.

# %%
def central_difference(start: dict, name: str, h: float = 1e-6) -> float:
    """``(o(v + h) - o(v - h)) / 2h`` for the input called ``name``."""
    with no_grad():
        up = dict(start, **{name: start[name] + h})
        down = dict(start, **{name: start[name] - h})
        return (neuron_output(**up).data - neuron_output(**down).data) / (2 * h)


def check_gradients(nodes: dict, start: dict) -> dict:
    """Compare backprop with central differences for every leaf; print a table."""
    table = {}
    print(f"  {'value':>5} {'backprop':>12} {'finite diff':>12} {'difference':>11}")
    for name in start:
        analytic = nodes[name].grad
        numeric = central_difference(start, name)
        table[name] = (analytic, numeric)
        print(f"  {name:>5} {analytic:>12.8f} {numeric:>12.8f} {abs(analytic - numeric):>11.1e}")
    print()
    return table

# %% [markdown]
# ### The check, for all five leaves
#
# One row per leaf: the gradient from backprop, the central difference, and how
# far apart they are. Then `engine.gradcheck` makes the same comparison on its own
# and answers with a single True or False.

# %%
@lesson.step
def check(run):
    """Compare every gradient with a central difference, then ask engine.gradcheck."""
    say("""Finite-difference check: nudge each leaf by h = 1e-6 in both directions and
        measure how o changes. Backprop should agree to many decimal places.""")
    run.result["table"] = check_gradients(run.notes["nodes"], START)
    passed = engine.gradcheck(neuron_output, list(START.values()))
    print(f"  engine.gradcheck(...) -> {passed}\n")
    run.result["gradcheck"] = passed

# %% [markdown]
# ## The gradient is a slope
#
# Hold everything fixed except one number, sweep that number, and plot $o$. The
# gradient backprop computed is the slope of that curve where we stand: the
# tangent line drawn with it touches the curve exactly there.

# %%
def plot_slopes(start: dict, table: dict, path: Path, points: int) -> Path:
    """Three panels: o against w1, w2 and b with the backprop tangent; one panel of bars."""
    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.6))
    colours = {"w1": "#0072B2", "w2": "#D55E00", "b": "#009E73"}
    for ax, name in zip(axes.flat, ("w1", "w2", "b")):
        here = start[name]
        grid = [here - 2.5 + 5.0 * i / (points - 1) for i in range(points)]
        with no_grad():
            curve = [neuron_output(**dict(start, **{name: g})).data for g in grid]
            o_here = neuron_output(**start).data
        slope = table[name][0]
        near = [g for g in grid if abs(g - here) <= 1.0]
        tangent = [o_here + slope * (g - here) for g in near]
        ax.plot(grid, curve, color=colours[name], linewidth=2.2, label=f"o as {name} varies")
        ax.plot(near, tangent, color="#333333", linestyle="--", linewidth=1.3,
                label=f"tangent, slope ∂o/∂{name} = {slope:.3f}")
        ax.scatter([here], [o_here], color="black", zorder=4, s=30, label=f"{name} = {here:g}")
        ax.set_ylim(-1.1, 1.1)
        ax.set_xlabel(name)
        ax.set_ylabel("o")
        ax.set_title(f"o = tanh(x1·w1 + x2·w2 + b) against {name}")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    ax = axes.flat[3]
    names = list(table)
    xs = range(len(names))
    ax.bar([x - 0.18 for x in xs], [table[n][0] for n in names], width=0.36,
           color="#0072B2", label="backprop")
    ax.bar([x + 0.18 for x in xs], [table[n][1] for n in names], width=0.36,
           color="#E69F00", label="finite difference")
    ax.axhline(0, color="#333333", linewidth=0.8)
    ax.set_xticks(list(xs), [f"∂o/∂{n}" for n in names])
    ax.set_ylabel("gradient")
    ax.set_title("every gradient, two ways (the bars agree)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path, title="One neuron: what backprop's numbers mean")

# %% [markdown]
# ### Drawing the slopes
#
# Three panels sweep w1, w2 and b in turn, each with its tangent line; the fourth
# puts the backprop gradients and the finite differences side by side as bars.

# %%
@lesson.step
def slopes(run):
    """Draw o against w1, w2 and b with backprop's tangents, and the two sets of gradients."""
    points = 41 if run.quick else 201
    run.keep(plot_slopes(START, run.result["table"], run.out / "slopes.png", points))

# %% [markdown]
# ## Pictures of the graph
#
# The same graph, drawn: every value is a box showing its number and (after the
# backward pass) its gradient, every operation is a small node between them. One
# picture per backward step shows where the chain rule is working at that moment,
# and the HTML player lets you step forwards and backwards through the whole pass
# in a browser.

# %%
def write_player(root: Value, path: Path) -> Path | None:
    """The self-contained HTML backprop player, or a note when the engine has none."""
    if not hasattr(engine, "save_player"):
        print("  (engine.save_player is not available: no HTML player written)")
        return None
    # The player runs its own backward pass; start the leaves from zero so their
    # gradients are not counted twice (leaf gradients accumulate, as in PyTorch).
    for v in engine.topological_order(root):
        if v.is_leaf:
            v.grad = 0.0
    return wrote(Path(engine.save_player(root, path, title=TITLE)))


GUIDE = {"graph.svg": "the graph with every value and gradient",
         "step_01.svg": "the backward pass one node at a time (step_01 ... step_05)",
         "backward.gif": "the same steps as an animation",
         "player.html": "open in a browser and step through backprop",
         "slopes.png": "what the gradients mean, and the finite-difference check",
         "forward.svg": "the graph after the forward pass, before any gradient"}

# %% [markdown]
# ### The finished graph and the player
#
# The graph again, now with every gradient filled in, and the HTML player written
# next to it. The player runs its own backward pass, so the leaves' gradients are
# reset first; the walkthrough reads them once more afterwards to make sure they
# did not double.

# %%
@lesson.step
def graph(run):
    """Draw the graph after backward, and write the HTML backprop player."""
    nodes, why_not = run.notes["nodes"], run.notes["why_not"]
    o = nodes["o"]
    if why_not:
        print(f"  (no graph pictures: {why_not})")
    else:
        run.keep(write_svg(draw_dot()(o, title="after the backward pass: " + TITLE),
                           run.out / "graph.svg"))
    run.keep(write_player(o, run.out / "player.html"))
    run.result["grads_at_end"] = {name: nodes[name].grad for name in START}

# %% [markdown]
# ## Everything this walkthrough wrote
#
# The list of files, then a line on what the main ones show.

# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew, and what each main picture shows."""
    run.list_pictures()
    shown = [(f.name, GUIDE[f.name]) for f in run.files if f.name in GUIDE]
    if shown:
        print("What they show:")
        for name, what in shown:
            print(f"  {name:<13} {what}")


main = lesson.main
