"""Activation functions: their curves, their slopes (from the engine's own backward), and why we need them.

Draws sigmoid, tanh, ReLU, leaky ReLU, GELU (exact and its tanh approximation),
SiLU and the gap between the two GELUs on one sheet, each with the derivative
that ``backward()`` computes; then shows, with numbers and a picture, that
linear layers stacked without an activation collapse into one linear map.

Run it: ``python -m demos.activations [--out DIR] [--quick]``.
"""

from __future__ import annotations

import random
from pathlib import Path

import engine
from engine import Value, no_grad

from demos._common import linspace, matvec, pyplot, save_figure, say
from demos._lesson import Lesson

ORDER = 3
SUMMARY = "sigmoid, tanh, ReLU, leaky ReLU, GELU, SiLU with engine-computed slopes; stacked linear layers collapse"

LEAKY_SLOPE = 0.1  # bigger than the usual 0.01 so the leak is visible in the picture

lesson = Lesson("activations")

# %% [markdown]
# # Activation functions
#
# A neuron's weighted sum can be any number at all. The activation function then
# decides what the neuron passes on. The classic choices squash: the **sigmoid**
# $\sigma(x) = 1/(1+e^{-x})$ lands in $(0, 1)$, handy when the answer should read
# like a probability, and $\tanh$ lands in $(-1, 1)$, centred on zero. Modern
# hidden layers mostly prefer functions that do not flatten out for large inputs:
# **ReLU** $\max(x, 0)$ simply zeroes negative inputs; **leaky ReLU** lets a small
# fraction of them through; **SiLU** $x\,\sigma(x)$ and **GELU** $x\,\Phi(x)$ are
# smooth cousins of ReLU that dip slightly below zero.
#
# GELU weights its input by $\Phi(x)$, the probability that a standard normal
# variable is below $x$. $\Phi$ has no formula in elementary functions
# ($\Phi(x) = \tfrac12[1 + \mathrm{erf}(x/\sqrt2)]$, with the error function
# $\mathrm{erf}(z) = \tfrac{2}{\sqrt\pi}\int_0^z e^{-t^2}dt$), so a cheaper stand-in
# is popular: $\tfrac12 x\,[1 + \tanh(\sqrt{2/\pi}\,(x + 0.044715\,x^3))]$. We draw
# both and measure how far apart they are.
#
# Training needs each function's **slope** too: backprop multiplies by it at every
# neuron. Rather than typing the derivative formulas in, we ask the engine: build
# `f(x)` from a `Value`, call `backward()`, read `x.grad`.

# %%
ACTIVATIONS = {
    "sigmoid": lambda v: v.sigmoid(),
    "tanh": lambda v: v.tanh(),
    "ReLU": lambda v: v.relu(),
    f"leaky ReLU (slope {LEAKY_SLOPE:g})": lambda v: v.leaky_relu(LEAKY_SLOPE),
    "GELU (exact)": lambda v: v.gelu(),
    "GELU (tanh approximation)": lambda v: v.gelu(approximate="tanh"),
    "SiLU": lambda v: v.silu(),
}


def curve_and_slope(fn, xs: list) -> tuple:
    """``fn(x)`` and ``d fn / dx`` at each x, the slope taken from the engine's backward()."""
    ys, slopes = [], []
    for x in xs:
        v = Value(x, label="x")
        y = fn(v)
        y.backward()
        ys.append(y.data)
        slopes.append(v.grad)
    return ys, slopes

# %% [markdown]
# ## Every curve and its slope, from `backward()`
#
# For each of the seven functions, evaluate it on a row of points from -4 to 4
# and, at every point, run the backward pass to read the slope. The two GELUs are
# then compared point by point: how far apart are the values, and the slopes?

# %%
@lesson.step
def curves(run):
    """Each activation and its slope on [-4, 4]; how far the two GELUs are apart."""
    xs = linspace(-4.0, 4.0, 81 if run.quick else 401)
    say("""Activation functions. For every function we build f(x) from a Value, call
        backward() and read x.grad: the slope curves on the sheet come from the same
        chain-rule code that trains networks, not from hand-written formulas.""")
    table = {name: curve_and_slope(fn, xs) for name, fn in ACTIVATIONS.items()}
    exact, approx = table["GELU (exact)"], table["GELU (tanh approximation)"]
    value_gap = [e - a for e, a in zip(exact[0], approx[0])]
    slope_gap = [e - a for e, a in zip(exact[1], approx[1])]
    gelu_gap = max(abs(g) for g in value_gap)
    gelu_slope_gap = max(abs(g) for g in slope_gap)
    where = xs[max(range(len(xs)), key=lambda i: abs(value_gap[i]))]
    say(f"""GELU, exact against its tanh approximation on [-4, 4]: the values never
        differ by more than {gelu_gap:.2e} (largest near x = ±{abs(where):.2f}; the gap is symmetric) and the
        slopes by at most {gelu_slope_gap:.2e}. The approximation is good to about
        three decimal places, which is why it is a popular shortcut.""")
    run.notes["gap"] = (value_gap, slope_gap)
    run.result.update(gelu_gap=gelu_gap, gelu_slope_gap=gelu_slope_gap, table=table, xs=xs)

# %% [markdown]
# ## Three slopes worth remembering
#
# ReLU's slope is 0 for negative inputs and 1 for positive ones, so a unit that only
# ever sees negative sums passes no gradient back at all. The sigmoid's slope is
# never more than 1/4, and tanh's never more than 1, both reached at 0: each
# sigmoid a gradient passes through multiplies it by 1/4 at most.

# %%
@lesson.step
def slopes_at_zero(run):
    """Read off ReLU's two slopes and the largest sigmoid and tanh slopes."""
    table = run.result["table"]
    relu_slopes = table["ReLU"][1]
    print(f"  ReLU slope left of 0: {relu_slopes[0]:g}, right of 0: {relu_slopes[-1]:g}")
    print(f"  sigmoid slope is largest at 0: {max(table['sigmoid'][1]):.4f} (= 1/4)")
    print(f"  tanh slope is largest at 0: {max(table['tanh'][1]):.4f} (= 1)\n")


# %%
def plot_sheet(xs: list, table: dict, gap: tuple, path: Path) -> Path:
    """A 2 x 4 sheet: each activation with its slope, and the GELU gap panel."""
    plt = pyplot()
    fig, axes = plt.subplots(2, 4, figsize=(15, 7.2), sharex=True)
    curve_colour, slope_colour = "#0072B2", "#D55E00"
    for ax, (name, (ys, slopes)) in zip(axes.flat, table.items()):
        ax.axhline(0, color="#999999", linewidth=0.7)
        ax.axvline(0, color="#999999", linewidth=0.7)
        ax.plot(xs, ys, color=curve_colour, linewidth=2.2, label="f(x)")
        ax.plot(xs, slopes, color=slope_colour, linewidth=1.6, linestyle="--",
                label="f'(x) from backward()")
        ax.set_title(name, fontsize=11)
        ax.set_ylim(-1.3, 3.2)
        ax.grid(True, alpha=0.3)
        ax.set_xlabel("x")
        ax.legend(fontsize=8, loc="upper left")
    ax = axes.flat[-1]
    value_gap, slope_gap = gap
    ax.plot(xs, [g * 1e4 for g in value_gap], color=curve_colour, linewidth=2.0,
            label="exact − approx. (value)")
    ax.plot(xs, [g * 1e4 for g in slope_gap], color=slope_colour, linewidth=1.6,
            linestyle="--", label="exact − approx. (slope)")
    ax.axhline(0, color="#999999", linewidth=0.7)
    worst = max(abs(g) for g in value_gap)
    ax.set_title(f"GELU exact − tanh approx. (×10⁴)\nlargest gap {worst:.1e}", fontsize=11)
    ax.set_ylabel("difference × 10⁴")
    ax.set_xlabel("x")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return save_figure(fig, path,
                       title="Activation functions and their slopes (slopes computed by the engine's backward pass)")

# %% [markdown]
# ## The sheet
#
# One panel per function: the function as a solid line, the slope `backward()`
# found as a dashed one. The last panel magnifies the difference between the exact
# GELU and its tanh approximation ten thousand times, because at the sheet's scale
# the two look identical.

# %%
@lesson.step
def sheet(run):
    """Draw every activation with its slope, and the GELU gap."""
    run.keep(plot_sheet(run.result["xs"], run.result["table"], run.notes["gap"],
                        run.out / "activations.png"))

# %% [markdown]
# ## Why bother? Linear layers stacked are still one linear layer
#
# Take a layer without an activation: $\mathbf{a}' = W\mathbf{a} + \mathbf{b}$. Feed
# its output to a second one, $W_2(W_1\mathbf{a} + \mathbf{b}_1) + \mathbf{b}_2$, and
# multiply out the brackets: that is $(W_2W_1)\mathbf{a} + (W_2\mathbf{b}_1 +
# \mathbf{b}_2)$, a single matrix and a single bias. However many such layers we
# stack, the whole tower computes one linear map, so depth buys nothing. Put a
# non-linear function between the layers and the brackets no longer multiply out;
# that is what lets a network bend.
#
# Below, a three-layer network with random weights and *no* activation is computed
# with the engine, and next to it the one matrix and bias obtained by multiplying
# the layers together. They give the same answers for any input.

# %%
def random_layers(sizes: list, rng: random.Random) -> list:
    """``(W, b)`` for each layer between consecutive ``sizes``, entries uniform in [-1, 1]."""
    layers = []
    for nin, nout in zip(sizes, sizes[1:]):
        W = [[rng.uniform(-1, 1) for _ in range(nin)] for _ in range(nout)]
        b = [rng.uniform(-1, 1) for _ in range(nout)]
        layers.append((W, b))
    return layers


def run_network(layers: list, x: list, activation=None) -> list:
    """The network on input ``x`` with engine Values; ``activation`` between layers (not after the last)."""
    a = [Value(v) for v in x]
    for k, (W, b) in enumerate(layers):
        a = [engine.dot(row, a, bias) for row, bias in zip(W, b)]
        if activation is not None and k < len(layers) - 1:
            a = [activation(v) for v in a]
    return [v.data for v in a]


def matmul(A: list, B: list) -> list:
    """The matrix product ``A B`` of two lists of rows."""
    return [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))]
            for i in range(len(A))]


def collapse(layers: list) -> tuple:
    """The single ``(W, b)`` equal to the stack of linear layers: W = W_k ... W_1."""
    W, b = layers[0]
    for W_next, b_next in layers[1:]:
        b = [u + v for u, v in zip(matvec(W_next, b), b_next)]
        W = matmul(W_next, W)
    return W, b


def show_matrix(name: str, M: list) -> None:
    """Print a small matrix, one row a line."""
    print(f"  {name} =")
    for row in M:
        print("    [" + "  ".join(f"{x:+.4f}" for x in row) + "]")

# %% [markdown]
# ### Multiplying the layers out
#
# A network 2 → 3 → 3 → 2 with random weights and no activation anywhere. Its three
# matrices multiplied together give one 2 × 2 matrix, and its three biases combine
# into one bias vector: here they are.

# %%
@lesson.step
def one_matrix(run):
    """Collapse three random linear layers into one matrix and one bias."""
    say("""Now the reason activations exist. A 2 → 3 → 3 → 2 network with random weights
        and no activation, run with the engine, against the single matrix and bias you
        get by multiplying its layers together:""")
    layers = random_layers([2, 3, 3, 2], random.Random(7))
    W, b = collapse(layers)
    show_matrix("W = W3 W2 W1", W)
    print("  b = W3 (W2 b1 + b2) + b3 = [" + "  ".join(f"{x:+.4f}" for x in b) + "]\n")
    run.notes.update(layers=layers, W=W, b=b)

# %% [markdown]
# ### Same answers, either way
#
# Pick a few random inputs. For each, run the three layers with the engine and
# apply the single matrix and bias by hand; the two outputs agree up to rounding.

# %%
@lesson.step
def same_answers(run):
    """Run random inputs through the three layers and through the single map."""
    layers, W, b = run.notes["layers"], run.notes["W"], run.notes["b"]
    rng = random.Random(11)
    worst = 0.0
    for _ in range(5 if run.quick else 8):
        x = [rng.uniform(-2, 2), rng.uniform(-2, 2)]
        deep = run_network(layers, x)
        flat = [u + v for u, v in zip(matvec(W, x), b)]
        worst = max(worst, *(abs(p - q) for p, q in zip(deep, flat)))
        print(f"  x = [{x[0]:+.3f}, {x[1]:+.3f}]   three layers: [{deep[0]:+.6f}, {deep[1]:+.6f}]"
              f"   one layer: [{flat[0]:+.6f}, {flat[1]:+.6f}]")
    print(f"\n  largest difference: {worst:.1e} (rounding only)\n")
    run.result["collapse_error"] = worst

# %%
def plot_collapse(path: Path, nets: int, points: int) -> Path:
    """1-D networks 1 → 8 → 8 → 1 with random weights: none, tanh and ReLU between layers."""
    plt = pyplot()
    colours = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
    xs = linspace(-3, 3, points)
    kinds = {"no activation: always a straight line": None,
             "tanh between layers: curves": lambda v: v.tanh(),
             "ReLU between layers: bends": lambda v: v.relu()}
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.4), sharex=True)
    for ax, (title, act) in zip(axes, kinds.items()):
        for seed in range(nets):
            layers = random_layers([1, 8, 8, 1], random.Random(seed))
            with no_grad():
                ys = [run_network(layers, [x], act)[0] for x in xs]
            ax.plot(xs, ys, color=colours[seed % len(colours)], linewidth=1.8,
                    label=f"random network {seed + 1}")
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("input x")
        ax.set_ylabel("network output")
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=8)
    return save_figure(fig, path,
                       title="Three layers (1 → 8 → 8 → 1), the same random weights in each column")

# %% [markdown]
# ### With an activation, the straight lines bend
#
# Networks with one input and one output, 1 → 8 → 8 → 1, drawn as curves over the
# input. Each column uses the same random weights; only what sits between the layers
# changes: nothing, tanh, or ReLU.

# %%
@lesson.step
def bends(run):
    """Draw random 1 → 8 → 8 → 1 networks with no activation, tanh and ReLU."""
    say("""Three layers, one linear map. With tanh or ReLU between the layers the same
        weights draw curves and bends instead; the picture shows it.""")
    run.keep(plot_collapse(run.out / "linear_collapse.png", 4 if run.quick else 6,
                           61 if run.quick else 241))

# %% [markdown]
# ## The pictures
#
# Where the two figures of this walkthrough were written.

# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew."""
    run.list_pictures()


main = lesson.main
