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

from demos._common import graph_tool, options, pyplot, save_figure, say, write_svg, wrote

ORDER = 2
SUMMARY = "one neuron built from labelled Values: forward, backward step by step, graph, gradient check"

TITLE = "one neuron, o = tanh(x1·w1 + x2·w2 + b)"

# The numbers of this walkthrough: two inputs, two weights, a bias.
START = {"x1": 1.5, "x2": -0.5, "w1": 0.8, "w2": -1.2, "b": -0.9}

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


def draw_dot():
    """``engine.draw_dot`` when it and Graphviz's ``dot`` program are available, else None."""
    return graph_tool("engine", "draw_dot")


def nudge(start: dict, grads: dict, rate: float) -> float:
    """o after moving the weights and the bias (not the inputs) by ``rate`` times their gradients."""
    moved = {name: value + (rate * grads[name] if name in ("w1", "w2", "b") else 0.0)
             for name, value in start.items()}
    with no_grad():
        return neuron_output(**moved).data

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
# ## Pictures of the graph
#
# The same graph, drawn: every value is a box showing its number and (after the
# backward pass) its gradient, every operation is a small node between them. One
# picture per backward step shows where the chain rule is working at that moment,
# and the HTML player lets you step forwards and backwards through the whole pass
# in a browser.

# %%
def graph_pictures_available() -> str:
    """Empty when graphs can be drawn, else the reason they cannot."""
    if draw_dot() is None:
        return "they need engine.draw_dot and the Graphviz 'dot' program (apt install graphviz)"
    return ""


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

# %%
def main(argv=None) -> dict:
    """Run the walkthrough; returns the gradients and the check's verdict."""
    opts = options("one_neuron", argv)
    out = opts.out
    written = []

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
        written.append(write_svg(draw_dot()(o, show_grad=False, title="forward pass: " + TITLE),
                                 out / "forward.svg"))

    say("""Backward pass. Each step takes one node, reads the gradient that has already
        reached it (upstream), multiplies by the node's local derivative for each input
        and adds the result to that input's grad.""")
    written += step_backward(o, out, draw=not why_not)
    grads = {name: nodes[name].grad for name in START}
    say("""Two patterns to notice. An addition node hands its upstream gradient to every
        input unchanged (its local derivatives are all 1). A multiplication node hands
        each input the upstream gradient times the *other* factor: w1 receives x1 times
        the upstream gradient, and x1 receives w1 times it.""")
    stepped = nudge(START, grads, 0.1)
    say(f"""What the gradients are for: they say which way to move each parameter. To make o
        larger, move w1, w2 and b a little along their gradients (w <- w + 0.1 * do/dw):
        o goes from {o.data:.6f} to {stepped:.6f}. Training does the same thing with a
        loss instead of o, moving downhill instead of up.""")

    say("""Finite-difference check: nudge each leaf by h = 1e-6 in both directions and
        measure how o changes. Backprop should agree to many decimal places.""")
    table = check_gradients(nodes, START)
    passed = engine.gradcheck(neuron_output, list(START.values()))
    print(f"  engine.gradcheck(...) -> {passed}\n")

    written.append(plot_slopes(START, table, out / "slopes.png", 41 if opts.quick else 201))
    if why_not:
        print(f"  (no graph pictures: {why_not})")
    else:
        written.append(write_svg(draw_dot()(o, title="after the backward pass: " + TITLE),
                                 out / "graph.svg"))
    player = write_player(o, out / "player.html")
    if player is not None:
        written.append(player)

    guide = {"graph.svg": "the graph with every value and gradient",
             "step_01.svg": "the backward pass one node at a time (step_01 ... step_05)",
             "backward.gif": "the same steps as an animation",
             "player.html": "open in a browser and step through backprop",
             "slopes.png": "what the gradients mean, and the finite-difference check",
             "forward.svg": "the graph after the forward pass, before any gradient"}
    print("Pictures:")
    for path in written:
        if path.name in guide:
            print(f"  {path}  - {guide[path.name]}")
    return {"grads": grads, "table": table,
            "grads_at_end": {name: nodes[name].grad for name in START}, "nudged": stepped,
            "gradcheck": passed, "output": o.data, "files": written}

# %%
if __name__ == "__main__":
    main()
