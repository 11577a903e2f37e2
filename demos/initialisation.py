"""Initialisation: why a network must not start with all its weights equal.

Run it with ``python -m demos.initialisation [--out DIR] [--quick]`` (or
``python -m demos initialisation``); it also opens as a notebook (jupytext
percent format), one step per cell.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import engine
from nn import MLP, Layer
from nn.data import make_moons
from nn.optim import Adam
from nn.train import accuracy, fit
from demos import _plots
from demos._common import linspace, say
from demos._lesson import Lesson

ORDER = 7
SUMMARY = "equal starting weights keep hidden units identical forever; Xavier/He break the tie"

lesson = Lesson("initialisation")

# %% [markdown]
# # Where the weights start
#
# Gradient descent has to start somewhere. The tempting choice, every weight 0,
# is the one that never works, and the reason is *symmetry*: two hidden units
# that start with the same weights compute the same output for every input, so
# backprop hands them the same gradient, so the update keeps them equal, and so
# on forever. Sixteen identical units are worth one.
#
# We train the same network (2 → 16 → 16 → 1) on the moons four times, changing
# only the starting weights:
#
# | start | every weight | what to expect |
# |---|---|---|
# | zeros | 0 | nothing flows at all: with tanh, `tanh(0) = 0`, so every hidden unit outputs 0 and every weight gradient is 0 |
# | constant | 0.5 | gradients flow, but every unit of a layer gets the same one; units stay clones |
# | Xavier | `U(-a, a)`, `a = √(6 / (fan_in + fan_out))` | random, so units differ; scaled for tanh |
# | He | `U(-a, a)`, `a = √(6 / fan_in)` | random, scaled for ReLU (which outputs 0 for about half of its inputs) |
#
# Biases start at 0 in all four; randomness in the weights is enough to break
# the tie. Every model here names its scheme with `init=`: a model given none
# starts as micrograd's do, each weight drawn from U(-1, 1), and `init="auto"`
# picks He for ReLU layers and Xavier for the rest.
#
# The functions come first, in cells that print nothing; the steps that use them
# follow, one cell each, and each shows what it found.

# %%
def constant(fan_in: int, fan_out: int, rng: random.Random) -> float:
    """Every weight 0.5: an initialiser with no randomness at all."""
    return 0.5


# name -> (hidden activation, initialiser)
STARTS = {
    "zeros": ("tanh", "zeros"),
    "constant 0.5": ("tanh", constant),
    "Xavier (tanh)": ("tanh", "xavier_uniform"),
    "He (ReLU)": ("relu", "he_uniform"),
}

# %% [markdown]
# ## Looking inside: the hidden units
#
# After training we run every point through the first hidden layer and keep
# each unit's output. If symmetry never broke, all sixteen rows of that table
# are the same numbers; we also compare the units' incoming weights directly.

# %%
def hidden_activations(model: MLP, X: list) -> list[list[float]]:
    """Outputs of the first hidden layer: one row per unit, one column per point."""
    with engine.no_grad():
        columns = [[v.data for v in model.layers[0](x)] for x in X]
    return [list(row) for row in zip(*columns)]


def spread(rows: list[list[float]]) -> float:
    """Largest difference between any unit's row and the first unit's row."""
    return max(abs(a - b) for row in rows[1:] for a, b in zip(row, rows[0]))


def weight_rows(layer: Layer) -> list[list[float]]:
    """Each neuron's incoming weights and bias, as one row of numbers."""
    return [[w.data for w in n.w] + [n.b.data] for n in layer.neurons]


# %% [markdown]
# ## Training each start
#
# Same data, same optimizer (Adam), same number of epochs, same hinge loss; only
# the starting weights differ.

# %%
def train_all(X: list, y: list[int], epochs: int, lr: float) -> tuple[dict, dict]:
    """Train one model per start; returns models and their histories."""
    models, histories = {}, {}
    for name, (activation, init) in STARTS.items():
        model = MLP(2, [16, 16, 1], activation=activation, init=init, seed=3)
        history = fit(model, X, y, loss="hinge", optimizer=Adam(model.parameters(), lr=lr),
                      epochs=epochs)
        models[name], histories[name] = model, history
    return models, histories


# %% [markdown]
# ## The signal through depth, as a function
#
# Random is necessary, but not any random will do. A unit adds up `fan_in`
# products, so the spread of its sum grows with `fan_in` unless each weight
# shrinks like `1/√fan_in`. Too small and the signal dies out layer by layer;
# too big and tanh units saturate at ±1 (where their slope, and so the gradient,
# is nearly 0). Xavier and He pick the scale that keeps the spread roughly
# constant from layer to layer. The function below measures the standard
# deviation of the activations, layer by layer, in a deep tanh network at
# initialisation.

# %%
DEPTH_STARTS = {
    "N(0, 0.05²)": lambda fi, fo, rng: rng.gauss(0.0, 0.05),
    "U(-1, 1)": "uniform",
    "Xavier": "xavier_uniform",
}


def signal_by_depth(X: list, depth: int, width: int) -> tuple[dict, dict]:
    """Std. of each layer's activations over the points, and the top layer's values, per start."""
    result, top = {}, {}
    for name, init in DEPTH_STARTS.items():
        model = MLP(2, [width] * depth, activation="tanh", output_activation="tanh",
                       init=init, seed=0)
        stds = [0.0] * depth
        with engine.no_grad():
            per_layer = [[] for _ in range(depth)]
            for x in X:
                values = list(x)
                for k, layer in enumerate(model.layers):
                    values = [v.data for v in layer(values)]
                    per_layer[k].extend(values)
        for k, vals in enumerate(per_layer):
            mean = sum(vals) / len(vals)
            stds[k] = (sum((v - mean) ** 2 for v in vals) / len(vals)) ** 0.5
        result[name] = stds
        top[name] = per_layer[-1]
    return result, top


# %% [markdown]
# ## The pictures, as functions

# %%
def plot_hidden(models: dict, X: list, y: list[int], out: Path) -> Path:
    """Heat maps of the first hidden layer's outputs (units x points), one per start."""
    order = sorted(range(len(X)), key=lambda i: (y[i], X[i][0]))
    points = [X[i] for i in order]
    fig, axes = _plots.figure(len(models), size=(3.8, 3.6))
    for ax, (name, model) in zip(axes, models.items()):
        rows = hidden_activations(model, points)
        top = max(abs(v) for row in rows for v in row) or 1.0  # all-zero: any scale will do
        image = ax.imshow(rows, aspect="auto", cmap="RdBu_r", vmin=-top, vmax=top,
                          interpolation="nearest")
        gap = spread(rows)
        verdict = (f"all {len(rows)} units identical" if gap == 0
                   else f"units differ by up to {gap:.2g}")
        ax.set_title(f"{name}\n({verdict})", fontsize=10)
        ax.set_xlabel("training point (class 0 | class 1)")
        ax.set_ylabel("hidden unit")
        ax.axvline(y.count(0) - 0.5, color="black", linewidth=0.8)
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return _plots.save(fig, out, "hidden_units.png",
                       title="First hidden layer after training: "
                             "identical rows mean identical units")


def plot_training(histories: dict, out: Path) -> Path:
    """All loss curves on one chart, all accuracy curves on another."""
    fig, (left, right) = _plots.figure(2, size=(5.4, 4.0))
    _plots.curves(left, {k: h.loss for k, h in histories.items()}, title="Training loss",
                  xlabel="epoch", start=1)
    _plots.curves(right, {k: [100 * a for a in h.accuracy] for k, h in histories.items()},
                  title="Training accuracy", xlabel="epoch", ylabel="accuracy (%)", start=1,
                  legend=False)
    right.set_ylim(35, 102)
    return _plots.save(fig, out, "training.png", title="Same network, four starting points")


def plot_regions(models: dict, X: list, y: list[int], out: Path, steps: int) -> Path:
    """Decision regions of the four trained models side by side."""
    fig, axes = _plots.regions_figure(len(models), X)
    for i, (ax, (name, model)) in enumerate(zip(axes, models.items())):
        _plots.decision_regions(ax, model, X, y, title=name, steps=steps, legend=i == 0)
    return _plots.save(fig, out, "decision_regions.png", title="What each start learned")


def plot_depth(stds: dict, last_layer: dict, out: Path) -> Path:
    """Activation spread per layer, and the top layer's values, for each scale of random start."""
    fig, (left, right) = _plots.figure(2, size=(5.4, 4.0))
    for i, (name, values) in enumerate(stds.items()):
        left.plot(range(1, len(values) + 1), values, "o-", color=_plots.LINE_COLOURS[i], label=name)
    left.set_yscale("log")
    left.set_xlabel("layer")
    left.set_ylabel("std. of activations")
    left.set_title("Spread of the activations, layer by layer")
    left.grid(True, alpha=0.3)
    left.legend()
    bins = linspace(-1.0, 1.0, 41)
    for i, (name, values) in enumerate(last_layer.items()):
        colour = _plots.LINE_COLOURS[i]
        right.hist(values, bins=bins, color=colour, alpha=0.25, density=True)
        right.hist(values, bins=bins, color=colour, histtype="step", linewidth=1.8,
                   density=True, label=name)
    right.set_yscale("log")
    right.set_xlabel("activation of the top layer (tanh)")
    right.set_ylabel("density")
    right.set_title("Top layer: dead, saturated, or in between")
    right.legend()
    return _plots.save(fig, out, "signal_by_depth.png",
                       title="A deep tanh network at initialisation")


# %% [markdown]
# ## Step 1: train the four starts
#
# The moons (40 points in quick mode, 100 otherwise), and four copies of the
# network trained one after the other. The line per start shows its training
# loss in the first epoch and in the last.

# %%
@lesson.step
def four_starts(run):
    """Train the same network from each of the four starts."""
    n, epochs = (40, 15) if run.quick else (100, 60)
    X, y = make_moons(n, noise=0.1, seed=0)
    say(f"""
        Four copies of the same 2 → 16 → 16 → 1 network, trained on {n} moon points
        for {epochs} epochs, differing only in their starting weights.
        """)
    start = time.perf_counter()
    models, histories = train_all(X, y, epochs, lr=0.05)
    seconds = time.perf_counter() - start
    for name, h in histories.items():
        print(f"  {name:<14} hinge loss {h.loss[0]:.4f} in epoch 1, {h.loss[-1]:.4f} in "
              f"epoch {epochs}")
    print()
    run.notes.update(X=X, y=y, models=models, histories=histories, seconds=seconds)
    run.result.update(spread={}, weight_spread={}, accuracy={})


# %% [markdown]
# ## Step 2: did the units stay clones?
#
# For each trained model: its accuracy, how far apart the sixteen first-layer
# units' outputs are (0 means every unit computes exactly the same thing), and
# how far apart their incoming weights are.

# %%
@lesson.step
def symmetry(run):
    """Measure how different the hidden units of each trained model are."""
    X, y = run.notes["X"], run.notes["y"]
    result = run.result
    for name, model in run.notes["models"].items():
        result["spread"][name] = spread(hidden_activations(model, X))
        result["weight_spread"][name] = spread(weight_rows(model.layers[0]))
        result["accuracy"][name] = accuracy(model, X, y)
        print(f"  {name:<14} accuracy {result['accuracy'][name]:>5.0%}   "
              f"hidden units differ by {result['spread'][name]:.3g}   "
              f"weight rows differ by {result['weight_spread'][name]:.3g}")
    say(f"""
        Training took {run.notes['seconds']:.1f} s. With every weight 0 the hidden units are not just
        identical but silent: all their outputs are 0, so no gradient ever reaches a
        weight. With every weight 0.5 the gradients do flow, yet after training the 16
        units of the first layer still have exactly the same weights, so the network
        can only draw the boundary one unit could: a straight line. Random starts
        break the tie and the units specialise.
        """)


# %% [markdown]
# ## Step 3: the learning curves
#
# Loss and accuracy per epoch for the four starts on one chart each.

# %%
@lesson.step
def training_curves(run):
    """Draw every start's loss and accuracy per epoch."""
    best = max(run.result["accuracy"], key=run.result["accuracy"].get)
    print(f"  highest final training accuracy: {best} ({run.result['accuracy'][best]:.0%})")
    run.keep(plot_training(run.notes["histories"], run.out))


# %% [markdown]
# ## Step 4: the hidden layer, unit by unit
#
# One heat map per start: a row for each of the 16 first-layer units, a column
# for each training point (class 0 on the left, class 1 on the right), coloured
# by that unit's output. Identical rows are identical units.

# %%
@lesson.step
def hidden_units(run):
    """Draw the first hidden layer's outputs for every start."""
    same = [name for name, gap in run.result["spread"].items() if gap == 0]
    print(f"  starts whose 16 units are all identical: {', '.join(same) if same else 'none'}")
    run.keep(plot_hidden(run.notes["models"], run.notes["X"], run.notes["y"], run.out))


# %% [markdown]
# ## Step 5: what each start learned
#
# The plane coloured by each trained model's answer, with the moons on top. A
# layer of clones can only draw what a single unit draws.

# %%
@lesson.step
def regions(run):
    """Draw the four trained models' decision regions."""
    grid = 45 if run.quick else 90
    print("  accuracy on the training points: " + ", ".join(
        f"{name} {acc:.0%}" for name, acc in run.result["accuracy"].items()))
    run.keep(plot_regions(run.notes["models"], run.notes["X"], run.notes["y"], run.out, grid))


# %% [markdown]
# ## Step 6: the scale of a random start
#
# No training now: a deep tanh network (6 layers of 16 in quick mode, 10 of 32
# otherwise) right after initialisation, with three random starts of different
# sizes. The table shows the standard deviation of each layer's outputs over a
# few moon points.

# %%
@lesson.step
def depth(run):
    """Measure the spread of the activations layer by layer, for three scales of random start."""
    X = run.notes["X"]
    layers, width = (6, 16) if run.quick else (10, 32)
    stds, top = signal_by_depth(X[:30] if run.quick else X[:60], layers, width)
    run.notes["depth"] = (stds, top)
    run.result["depth_std"] = stds
    print("  layer  " + "".join(f"{name:>13}" for name in stds))
    for k in range(layers):
        print(f"  {k + 1:>5}  " + "".join(f"{values[k]:>13.2e}" for values in stds.values()))
    print()
    say(f"""
        At initialisation, with {layers} tanh layers of {width} units: weights that are too
        small shrink the signal in every layer (std. {stds['N(0, 0.05²)'][-1]:.1e} at the top),
        U(-1, 1) saturates the units (std. {stds['U(-1, 1)'][-1]:.2f}, the values pile up at ±1),
        and Xavier keeps it in a useful range ({stds['Xavier'][-1]:.2f}).
        """)


# %% [markdown]
# ## Step 7: the signal, drawn
#
# Left, the table above as lines on a log scale; right, how the top layer's
# outputs are spread between -1 and 1 for each start.

# %%
@lesson.step
def depth_picture(run):
    """Draw the spread per layer and the top layer's values."""
    stds, top = run.notes["depth"]
    edge = {name: sum(1 for v in values if abs(v) > 0.9) / len(values) for name, values in top.items()}
    print("  share of the top layer's outputs beyond ±0.9: " + ", ".join(
        f"{name} {share:.0%}" for name, share in edge.items()))
    run.keep(plot_depth(stds, top, run.out))


# %% [markdown]
# ## The pictures this run wrote

# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew."""
    run.result["figures"] = run.list_pictures()


main = lesson.main
