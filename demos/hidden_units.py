"""Hidden units: a network's output is a sum of ReLU pieces, and hidden units re-represent the data.

Fits a 1-D curve with ``nn.MLP(1, [8, 1])`` and takes the trained network apart
into its eight ``w2_j * relu(w1_j x + b1_j)`` pieces, whose sum (plus the output
bias) is exactly the network; then trains a 2-2-1 network on XOR and shows the
two hidden units moving the points to a place where one line separates them.

Run it: ``python -m demos.hidden_units [--out DIR] [--quick]``.
"""

from __future__ import annotations

import math
import random

import nn
from engine import no_grad
from nn.losses import binary_cross_entropy_with_logits, mse_loss

from demos._common import linspace, progress, say
from demos._figures.hidden_units import plot_pieces, plot_xor
from demos._lesson import Lesson

ORDER = 5
SUMMARY = "a ReLU network is a sum of ReLU pieces; hidden units re-represent XOR so a line separates it"

lesson = Lesson("hidden_units")

# %% [markdown]
# # Hidden units
#
# ## Deep learning is adding up ReLUs
#
# Take a network with one input, one hidden layer of ReLU units and one linear
# output. Hidden unit $j$ computes $h_j = \mathrm{relu}(w_j x + b_j)$: a flat line
# at zero that bends upwards (or downwards) at the point $x = -b_j / w_j$. The output
# unit multiplies each $h_j$ by its own weight $v_j$ and adds them, plus a bias $c$:
#
# $$\hat y(x) = c + \sum_j v_j\,\mathrm{relu}(w_j x + b_j).$$
#
# So the whole network is a sum of hinge-shaped pieces, each placed (by $w_j, b_j$)
# and scaled (by $v_j$) by training. Adding enough hinges can trace any reasonable
# curve. We fit a wiggly curve with eight hidden units and then take the trained
# network apart, piece by piece.

# %%
def target(x: float) -> float:
    """The curve to fit: a wave on a gentle slope."""
    return math.sin(1.6 * x) + 0.3 * x


def train(model, X: list, y: list, loss_fn, *, steps: int, lr: float, desc: str) -> list:
    """Full-batch Adam on ``loss_fn(outputs, y)``; returns the loss after each step."""
    opt = nn.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in progress(range(steps), total=steps, desc=desc):
        loss = loss_fn([model(x) for x in X], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.data)
    return losses


def relu_pieces(model: nn.MLP, xs: list) -> tuple:
    """Each hidden unit's contribution ``v_j relu(w_j x + b_j)`` at every x, and the output bias."""
    hidden, out = model.layers
    v = [w.data for w in out.neurons[0].w]
    pieces = []
    for j, unit in enumerate(hidden.neurons):
        w, b = unit.w[0].data, unit.b.data
        pieces.append([v[j] * max(w * x + b, 0.0) for x in xs])
    return pieces, out.neurons[0].b.data


def kinks(model: nn.MLP) -> list:
    """Where each hidden unit bends: ``x = -b_j / w_j`` (None for a unit with w = 0)."""
    return [(-u.b.data / u.w[0].data) if u.w[0].data else None for u in model.layers[0].neurons]

# %% [markdown]
# ## Fitting the curve
#
# Twenty-four points of the curve (forty in the full run) on $[-3, 3]$, and a
# 1 → 8 → 1 ReLU network trained on them with Adam, all points at every step. The
# mean squared error at the first step and at the last tells how well it learned.

# %%
@lesson.step
def fit_curve(run):
    """Train a 1 → 8 → 1 ReLU network on points of the curve."""
    say("""Part 1: fit y = sin(1.6 x) + 0.3 x on [-3, 3] with a 1 -> 8 -> 1 network of
        ReLU units, trained by Adam on the mean squared error. init="auto" starts
        the ReLU layer with He weights and the linear output with Xavier weights.""")
    X = linspace(-3.0, 3.0, 24 if run.quick else 40)
    y = [target(x) for x in X]
    model = nn.MLP(1, [8, 1], activation="relu", init="auto", seed=2)  # He, then Xavier
    steps = 150 if run.quick else 600
    losses = train(model, [[x] for x in X], y, mse_loss, steps=steps, lr=0.03, desc="curve")
    print(f"  mean squared error: {losses[0]:.4f} at the start, {losses[-1]:.5f} after {steps} steps\n")
    run.notes.update(curve_model=model, X=X, y=y)
    run.result["curve_loss"] = losses

# %% [markdown]
# ## Taking the network apart
#
# Read each hidden unit's weight and bias, and the output weight that scales it, and
# compute that unit's hinge on its own over a fine grid of $x$. Where does each one
# bend, how many of them matter on the plotted range, and do they, with the output
# bias, add up to exactly what the network computes?

# %%
@lesson.step
def take_apart(run):
    """Split the trained network into its eight ReLU pieces and add them back up."""
    model = run.notes["curve_model"]
    xs = linspace(-3.2, 3.2, 161 if run.quick else 641)
    pieces, bias = relu_pieces(model, xs)
    with no_grad():
        model_out = [model([x]).data for x in xs]
    total = [bias + sum(col) for col in zip(*pieces)]
    sum_gap = max(abs(a - b) for a, b in zip(total, model_out))
    bends = kinks(model)
    alive = sum(1 for p in pieces if any(abs(v) > 1e-9 for v in p))
    say(f"""Taking the trained network apart: output bias {bias:+.3f} plus eight pieces
        v_j * relu(w_j x + b_j), bending at x = {', '.join(f'{b:+.2f}' for b in sorted(b for b in bends if b is not None))}.
        {alive} of the 8 pieces are non-zero somewhere on the plotted range. Their sum
        and the network's own output differ by at most {sum_gap:.1e}: the network
        is nothing but those hinges added up.""")
    run.notes.update(xs=xs, pieces=pieces, bias=bias, model_out=model_out, bends=bends)
    run.result.update(sum_gap=sum_gap, pieces_alive=alive)

# %% [markdown]
# ### The hinges, drawn
#
# Left, each unit's piece in its own colour, with a dotted line where it bends.
# Middle, the running total as the pieces are added one by one, from the leftmost
# bend to the rightmost. Right, the finished sum lying on top of the network's own
# output and the training points.

# %%
@lesson.step
def pieces_picture(run):
    """Draw the pieces, their running total and the fit."""
    notes = run.notes
    run.keep(plot_pieces(notes["xs"], notes["pieces"], notes["bias"], notes["model_out"],
                         notes["X"], notes["y"], notes["bends"], run.out / "relu_pieces.png",
                         target=target))

# %% [markdown]
# ## Hidden units as a new representation: XOR
#
# A single perceptron cannot learn XOR because no line separates its two classes.
# A hidden layer fixes that without any magic: each hidden unit is itself a small
# perceptron drawing its own line through the input plane, and the output unit
# then looks at the data *through the hidden units' eyes*. Each point $x$ becomes
# the pair $(h_1, h_2)$ of hidden activations, a new description of the same point
# in which each coordinate has mixed information from both inputs.
#
# We train a network with two tanh hidden units and one output on XOR: small clouds
# of points around the four corners of the unit square, labelled 1 where exactly one
# coordinate is (about) 1. Left: the input
# plane with the two hidden units' lines and the network's final decision. Right:
# the same points placed at their hidden coordinates; the grey curves are the input
# plane's grid lines carried along, showing how the plane is bent. There, the output
# unit is an ordinary perceptron, and a single straight line does the job.

# %%
def xor_clouds(n: int, noise: float = 0.1, seed: int = 0) -> tuple:
    """``n`` points in small clouds around the four corners of the unit square, XOR labels."""
    rng = random.Random(seed)
    corners = [((0.0, 0.0), 0), ((0.0, 1.0), 1), ((1.0, 0.0), 1), ((1.0, 1.0), 0)]
    X, y = [], []
    for i in range(n):
        (a, b), label = corners[i % 4]
        X.append([a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)])
        y.append(label)
    return X, y


def best_line_accuracy(points: list, labels: list, directions: int = 360) -> float:
    """The best accuracy any straight line achieves on 2-D ``points`` (searched over directions).

    For each direction, project the points on it and try every threshold between
    consecutive projections, with either side called 1.
    """
    best = 0
    n = len(labels)
    for k in range(directions):
        angle = math.pi * k / directions
        u = (math.cos(angle), math.sin(angle))
        ranked = sorted(zip((p[0] * u[0] + p[1] * u[1] for p in points), labels))
        ones_below = 0
        total_ones = sum(labels)
        for i in range(n + 1):
            # threshold after the first i points: below -> 0, above -> 1 (or the reverse)
            right = (i - ones_below) + (total_ones - ones_below)
            best = max(best, right, n - right)
            if i < n:
                ones_below += ranked[i][1]
    return best / n


def hidden_coordinates(model: nn.MLP, points: list) -> list:
    """The hidden layer's outputs ``(h1, h2)`` for each point."""
    with no_grad():
        return [[h.data for h in model.layers[0](list(p))] for p in points]


def train_xor(X: list, y: list, steps: int, seeds=range(8)) -> tuple:
    """Train 2 → 2 → 1 tanh networks, seed after seed, until one classifies every point.

    Returns the model, its seed, its losses and the accuracy each seed tried reached.
    """
    model = losses = None
    tried = {}
    for seed in seeds:
        model = nn.MLP(2, [2, 1], activation="tanh", init="auto", seed=seed)  # Xavier
        losses = train(model, X, y, lambda outs, t: binary_cross_entropy_with_logits(outs, t),
                       steps=steps, lr=0.05, desc=f"XOR, seed {seed}")
        right = sum(int((score > 0) == bool(t)) for score, t in zip(scores(model, X), y))
        tried[seed] = right / len(y)
        if right == len(y):
            break
    return model, seed, losses, tried


def scores(model: nn.MLP, points: list) -> list:
    """The output unit's score (before the sigmoid) for each point."""
    with no_grad():
        return [model(list(p)).data for p in points]

# %% [markdown]
# ## Training on XOR
#
# Forty noisy points around the corners (sixty in the full run), and a 2 → 2 → 1
# network with tanh hidden units trained on them. Two hidden units is the bare
# minimum for XOR, and some random starts get stuck; the walkthrough tries one seed
# after another until a network gets every point right, and prints how each did.

# %%
@lesson.step
def xor_training(run):
    """Train small tanh networks on XOR, seed after seed, until one gets every point right."""
    say("""Part 2: XOR. A 2 -> 2 -> 1 network with tanh hidden units (Xavier
        initialisation, init="auto"), trained with
        binary cross-entropy (Adam) on small clouds of points around the four corners
        of the unit square.""")
    Xx, yx = xor_clouds(40 if run.quick else 60)
    xor_model, seed, xor_losses, tried = train_xor(Xx, yx, steps=150 if run.quick else 200)
    for s, acc in tried.items():
        print(f"  seed {s}: training accuracy {acc:.0%}")
    if len(tried) > 1:
        say(f"""With only two hidden units, training sometimes settles in a poor spot: the
            worst start here got {min(tried.values()):.0%} right, no better than a single line.
            A different random start fixes it.""")
    run.notes.update(xor_model=xor_model, Xx=Xx, yx=yx, xor_losses=xor_losses)
    run.result["xor_seed"] = seed

# %% [markdown]
# ## Lines in the input plane and in the hidden plane
#
# The test of the claim: search for the best straight line on the raw points
# $(x_1, x_2)$, then on the same points described by their hidden activations
# $(h_1, h_2)$. Then count how many points the output unit's own line,
# $v_1 h_1 + v_2 h_2 + c = 0$, puts on the right side.

# %%
@lesson.step
def hidden_space(run):
    """Compare the best straight line on the inputs with the best one on the hidden units."""
    xor_model, Xx, yx = run.notes["xor_model"], run.notes["Xx"], run.notes["yx"]
    xor_losses = run.notes["xor_losses"]
    H = hidden_coordinates(xor_model, Xx)
    out_unit = xor_model.layers[1].neurons[0]
    v1, v2, c = out_unit.w[0].data, out_unit.w[1].data, out_unit.b.data
    linear_right = sum(int((v1 * h[0] + v2 * h[1] + c > 0) == bool(t)) for h, t in zip(H, yx))
    input_best, hidden_best = best_line_accuracy(Xx, yx), best_line_accuracy(H, yx)
    say(f"""Seed {run.result["xor_seed"]}: loss {xor_losses[0]:.3f} -> {xor_losses[-1]:.4f}. The best any straight
        line can do on the raw inputs is {input_best:.0%} (searched over 360 directions
        and every offset). On the hidden coordinates (h1, h2) the best line gets
        {hidden_best:.0%}, and the output unit's own line {v1:+.2f} h1 {v2:+.2f} h2 {c:+.2f} = 0
        puts {linear_right} of {len(yx)} points on the correct side. The output unit is
        just a perceptron; the hidden units gave it a version of the data it can split.""")
    run.result.update(xor_separated=linear_right, xor_points=len(yx),
                      xor_input_best_line=input_best, xor_hidden_best_line=hidden_best)

# %% [markdown]
# ### The two planes, drawn
#
# Left, the input plane: the dashed lines are where each hidden unit's sum is zero,
# and the solid curve is the network's decision. Right, every point moved to its
# hidden coordinates, with the input plane's grid lines carried along, and the
# output unit's straight line cutting the two colours apart.

# %%
@lesson.step
def xor_picture(run):
    """Draw XOR in the input plane and in the hidden plane."""
    run.keep(plot_xor(run.notes["xor_model"], run.notes["Xx"], run.notes["yx"],
                      run.out / "xor_hidden_space.png", 120 if run.quick else 300,
                      scores=scores, hidden_coordinates=hidden_coordinates))

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
