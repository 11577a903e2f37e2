"""Losses: squared error, binary cross-entropy and softmax cross-entropy on a 3-class spiral.

Run it with ``python -m demos.losses [--out DIR] [--quick]`` (or
``python -m demos losses``); it also opens as a notebook (jupytext percent
format), one step per cell.
"""

from __future__ import annotations

import math
import random
import time
from typing import Callable, Optional

import engine
from engine import Value
from nn import MLP
from nn.data import make_spirals
from nn.losses import binary_cross_entropy_with_logits, cross_entropy, softmax
from nn.optim import SGD
from nn.train import History, accuracy, fit
from demos import _plots
from demos._common import linspace, one_hot, say
from demos._figures.losses import plot_curves, plot_regions, plot_shapes
from demos._lesson import Lesson

ORDER = 8
SUMMARY = "MSE vs binary vs softmax cross-entropy: the gradients they send back, their decision regions"

lesson = Lesson("losses")

# %% [markdown]
# # Which number to minimise?
#
# Training lowers one number, the loss, so the loss decides what "better"
# means. For classification the network ends in raw scores called *logits*,
# `z`, and three classic ways of grading them are:
#
# * **squared error (MSE)**: turn the logits into probabilities and charge the
#   squared distance to the right answer, `(p - y)²`. Natural for regression.
# * **binary cross-entropy (BCE)**: one yes/no question, probability
#   `p = σ(z)`, charge `-log p` when the answer is yes and `-log(1 - p)` when no.
# * **softmax cross-entropy**: `k` classes at once, probabilities
#   `p_j = e^{z_j} / Σ_i e^{z_i}`, charge `-log p_target`.
#
# Backprop does not care which you pick: each is just more nodes on top of the
# network. What differs is the *gradient* each one sends back, and that is what
# this walkthrough looks at.
#
# The functions come first, in cells that print nothing; the steps that use them
# follow, one cell each, and each shows what it found.

# %% [markdown]
# ## One example, one logit
#
# Take a single example whose true class is 1 and let the logit `z` range over
# the line. With `p = σ(z)`:
#
# * MSE: `L = (p - 1)²`, and by the chain rule `dL/dz = 2(p - 1) · p(1 - p)`;
# * BCE: `L = -log p`, and `dL/dz = p - 1`.
#
# The factor `p(1 - p)` is the slope of the sigmoid, nearly 0 once the sigmoid
# is saturated. So when the network is *confidently wrong* (`z` very negative,
# `p ≈ 0`) squared error barely pushes, while cross-entropy pushes with
# almost full force. We let the engine compute both derivatives with
# `backward()` rather than trusting the algebra.

# %%
def mse_of_logit(z: Value) -> Value:
    """Squared error of sigmoid(z) against the target 1."""
    return (z.sigmoid() - 1.0) ** 2


def bce_of_logit(z: Value) -> Value:
    """Binary cross-entropy of sigmoid(z) against the target 1."""
    return binary_cross_entropy_with_logits(z, 1.0)


SHAPES = {"squared error": mse_of_logit, "binary cross-entropy": bce_of_logit}
WRONG_BELOW = -2.0  # logits below this count as confidently wrong (p < 0.12)


def loss_and_slope(fn: Callable[[Value], Value], z: float) -> tuple[float, float]:
    """``fn`` at logit ``z`` and its derivative d fn / dz, both from the engine."""
    leaf = Value(z, label="z")
    out = fn(leaf)
    out.backward()
    return out.data, leaf.grad


# %% [markdown]
# ## Three classes, three losses
#
# A network 2 → 16 → 16 → 3 with one logit per class, and three ways to score
# those three logits:
#
# * **MSE**: softmax the logits, then the mean of `(p_j - y_j)²` against the
#   one-hot answer `y`;
# * **BCE, one question per class**: logit `j` answers "is this class `j`?", a
#   separate binary cross-entropy for each of the three;
# * **softmax cross-entropy**: `-log softmax(z)[target]`, one question with
#   three answers.
#
# The prediction is the largest logit in every case. Everything else is shared:
# the same starting weights, the same minibatches, the same optimizer. We use
# plain SGD with momentum here, not Adam, because Adam rescales every gradient
# to a similar size and would hide how hard each loss pushes.

# %%
def softmax_mse(outputs: list, targets: list[int]) -> Value:
    """Mean squared error between the softmax probabilities and the one-hot targets."""
    terms = []
    for row, t in zip(outputs, targets):
        terms += [(p - y) ** 2 for p, y in zip(softmax(row), one_hot(t, len(row)))]
    return engine.sum(terms) / len(terms)


def one_vs_rest_bce(outputs: list, targets: list[int]) -> Value:
    """Binary cross-entropy of every logit against "is it this class?"."""
    logits = [z for row in outputs for z in row]
    answers = [y for row, t in zip(outputs, targets) for y in one_hot(t, len(row))]
    return binary_cross_entropy_with_logits(logits, answers)


LOSSES = {
    "MSE on softmax": softmax_mse,
    "BCE per class": one_vs_rest_bce,
    "softmax cross-entropy": lambda outputs, targets: cross_entropy(outputs, list(targets)),
}


def train_each(X: list, y: list[int], epochs: int, batch: int) -> tuple[dict, dict, dict]:
    """One identically started model per loss; returns models, histories and seconds."""
    models, histories, seconds = {}, {}, {}
    for name, loss in LOSSES.items():
        model = MLP(2, [16, 16, 3], init="auto", seed=0)
        start = time.perf_counter()
        histories[name] = fit(model, X, y, loss=loss, epochs=epochs, batch_size=batch,
                              optimizer=SGD(model.parameters(), lr=0.1, momentum=0.9))
        seconds[name] = time.perf_counter() - start
        models[name] = model
    return models, histories, seconds


def first_epoch_reaching(history: History, level: float) -> Optional[int]:
    """The first epoch whose training accuracy reached ``level``, or None."""
    return next((i + 1 for i, a in enumerate(history.accuracy) if a >= level), None)


# %% [markdown]
# ## Points the model is sure are something else
#
# The loss-shape picture says the losses differ most on examples the network is
# confidently wrong about. A clean spiral has few of those by the end, so there
# the three losses end up drawing much the same regions. To see the difference
# we plant three small groups of points outside the arms, each labelled with a
# class other than the one whose territory it sits in (the way a handful of
# mislabelled or unusual examples might), and train again.

# %%
# (centre, label) of each planted group, in the corners the spiral arms leave empty
PLANTED = (((-0.95, 0.95), 0), ((0.95, -0.95), 2), ((1.0, 0.95), 0))


def planted_points(per_group: int, seed: int = 0) -> tuple[list, list[int]]:
    """``per_group`` points around each planted centre, with that group's label."""
    rng = random.Random(seed)
    X, y = [], []
    for (cx, cy), label in PLANTED:
        for _ in range(per_group):
            X.append([cx + rng.gauss(0.0, 0.06), cy + rng.gauss(0.0, 0.06)])
            y.append(label)
    return X, y


def claimed(model: MLP, X: list, y: list[int]) -> int:
    """How many of the points ``model`` puts in their own class."""
    return sum(int(p == t) for p, t in zip(_plots.classify(model, X), y))


# %% [markdown]
# ## Step 1: the push at one logit
#
# Both losses and their slopes, from `backward()`, at a few logits of a class-1
# example. Negative `z` means the model leans towards the wrong answer.

# %%
@lesson.step
def one_logit(run):
    """Loss and dL/dz of both losses at a few logits; the push at z = -5."""
    print(f"  {'z':>5}  {'p = σ(z)':>9}  {'MSE':>8}  {'MSE dL/dz':>10}  {'BCE':>8}  {'BCE dL/dz':>10}")
    for z in (-8.0, -5.0, -2.0, 0.0, 2.0, 5.0):
        (m, dm), (b, db) = (loss_and_slope(fn, z) for fn in SHAPES.values())
        print(f"  {z:>5g}  {1 / (1 + math.exp(-z)):>9.4f}  {m:>8.4f}  {dm:>10.4f}  {b:>8.4f}  {db:>10.4f}")
    print()
    mse_slope, bce_slope = (loss_and_slope(fn, -5.0)[1] for fn in (mse_of_logit, bce_of_logit))
    run.result["slopes_at_minus_5"] = {"mse": mse_slope, "bce": bce_slope}
    say(f"""
        A class-1 example scored z = -5 (p = σ(-5) = {1 / (1 + math.exp(5)):.3f}): backward gives
        dL/dz = {mse_slope:.4f} for squared error but {bce_slope:.4f} for cross-entropy,
        {abs(bce_slope / mse_slope):.0f} times more push where it is needed most.
        """)


# %% [markdown]
# ## Step 2: the whole line of logits
#
# The same two losses and slopes for every `z` from -8 to 8. The grey band is
# where the model is confidently wrong.

# %%
@lesson.step
def shapes(run):
    """Draw both losses and their slopes over the logits."""
    zs = linspace(-8.0, 8.0, 161)
    band = [z for z in zs if z < WRONG_BELOW]
    loudest = max(abs(loss_and_slope(mse_of_logit, z)[1]) for z in band)
    weakest = min(abs(loss_and_slope(bce_of_logit, z)[1]) for z in band)
    print(f"  where z < {WRONG_BELOW:g} (the grey band): squared error's slope is at most "
          f"{loudest:.3f} in size,\n  cross-entropy's at least {weakest:.3f}")
    run.keep(plot_shapes(run.out, zs, SHAPES, WRONG_BELOW, loss_and_slope=loss_and_slope))


# %% [markdown]
# ## Step 3: train on the spiral with each loss
#
# Three interleaved spiral arms (150 points in quick mode, 300 otherwise), one
# network per loss, all started from the same weights. The table gives the
# final training accuracy and the first epoch at which each reached 90%.

# %%
@lesson.step
def spiral(run):
    """Train one network per loss on the three-class spiral."""
    n, epochs = (150, 12) if run.quick else (300, 30)
    X, y = make_spirals(n, k=3, noise=0.2, seed=0)
    say(f"""
        Now {n} points on three spiral arms, a 2 → 16 → 16 → 3 network, and {epochs}
        epochs of SGD (lr 0.1, momentum 0.9, batches of 30) for each loss.
        """)
    models, histories, seconds = train_each(X, y, epochs, batch=30)
    result = run.result
    result["accuracy"], result["epochs_to_90"] = {}, {}
    for name, model in models.items():
        acc = accuracy(model, X, y)
        reach = first_epoch_reaching(histories[name], 0.9)
        result["accuracy"][name], result["epochs_to_90"][name] = acc, reach
        print(f"  {name:<22} accuracy {acc:>4.0%}   90% first reached in epoch "
              f"{reach if reach else '-'}   ({seconds[name]:.1f} s)")
    fastest = min(result["epochs_to_90"].items(),
                  key=lambda kv: kv[1] if kv[1] is not None else float("inf"))
    first = (f"{fastest[0]} got to 90% first (epoch {fastest[1]})" if fastest[1]
             else "none of them reached 90% in this short run")
    ending = ("All three solve the spiral in the end" if min(result["accuracy"].values()) >= 0.9
              else "Not all of them got there in this short run")
    say(f"""
        With the same start and the same optimizer, {first}. {ending}; what the loss
        changes is how strongly wrong answers are pushed, and so how fast a network
        learns with a plain optimizer.
        """)
    run.notes.update(X=X, y=y, models=models, histories=histories, epochs=epochs)


# %% [markdown]
# ## Step 4: the learning curves
#
# Accuracy per epoch for the three losses. (Their loss values are not
# comparable with each other, so we plot accuracy.)

# %%
@lesson.step
def curves(run):
    """Draw the training accuracy per epoch for the three losses."""
    for name, h in run.notes["histories"].items():
        marks = {e: h.accuracy[e - 1] for e in (1, len(h.accuracy) // 2, len(h.accuracy))}
        print(f"  {name:<22} " + "   ".join(f"epoch {e}: {a:.0%}" for e, a in marks.items()))
    run.keep(plot_curves(run.notes["histories"], run.out))


# %% [markdown]
# ## Step 5: train again, with planted points
#
# The same spiral plus the three planted groups (4 points each in quick mode, 6
# otherwise), 30 epochs per loss, the same start and settings. First we ask the
# networks of step 3, which never saw these points, what they make of them; then
# we count how many each new network puts in the class it was told.

# %%
@lesson.step
def planted(run):
    """Train one network per loss on the spiral plus planted points; count what each claims."""
    X, y = run.notes["X"], run.notes["y"]
    Xp, yp = planted_points(4 if run.quick else 6)
    outside = {name: len(Xp) - claimed(m, Xp, yp) for name, m in run.notes["models"].items()}
    low, high = min(outside.values()), max(outside.values())
    print(f"  the networks of step 3, which never saw them, put {low if low == high else f'{low} to {high}'}"
          f" of the {len(Xp)} planted points in a class other than their label")
    epochs = 30
    models, _, seconds = train_each(X + Xp, y + yp, epochs, batch=30)
    got = {name: claimed(m, Xp, yp) for name, m in models.items()}
    arms = {name: accuracy(m, X, y) for name, m in models.items()}
    for name in models:
        print(f"  {name:<22} planted points in their label's class {got[name]:>2} of {len(Xp)}   "
              f"spiral points right {arms[name]:>4.0%}   ({seconds[name]:.1f} s)")
    print()
    mse, bce, ce = (got[name] for name in LOSSES)
    if mse < min(bce, ce):
        verdict = """Squared error, whose push fades once a point is confidently wrong, gives
            up on more of them than either cross-entropy, which keeps pushing on a wrong point
            however sure the model is."""
    else:
        verdict = """Here squared error did not give up on them more than the cross-entropies
            did, so this run does not show its push fading."""
    say(f"""
        With {len(Xp)} planted points and {epochs} epochs, squared error puts {mse} of them
        in their label's class, BCE per class {bce} and softmax cross-entropy {ce}. {verdict}
        On the spiral points alone the three get {arms['MSE on softmax']:.0%},
        {arms['BCE per class']:.0%} and {arms['softmax cross-entropy']:.0%}. Whether claiming
        such points is right depends on what they are: a rare but real kind of example
        deserves its own region, a mislabelled one does not.
        """)
    run.notes.update(Xp=Xp, yp=yp, planted_models=models, planted_epochs=epochs)
    run.result["planted"] = {"points": len(Xp), "claimed": got, "spiral_accuracy": arms}


# %% [markdown]
# ## Step 6: the decision regions
#
# Top row: the networks of step 3, trained on the spiral alone. Bottom row: the
# networks of step 5; the planted points are ringed. The accuracy in each corner
# counts every point drawn in that panel.

# %%
@lesson.step
def regions(run):
    """Draw the decision regions of all six networks."""
    grid = 50 if run.quick else 100
    notes = run.notes
    print("  spiral only, accuracy: " + ", ".join(
        f"{name} {acc:.0%}" for name, acc in run.result["accuracy"].items()))
    Xa, ya = notes["X"] + notes["Xp"], notes["y"] + notes["yp"]
    print("  with planted points, accuracy over all points: " + ", ".join(
        f"{name} {accuracy(m, Xa, ya):.0%}" for name, m in notes["planted_models"].items()))
    run.keep(plot_regions(notes["models"], notes["X"], notes["y"], notes["planted_models"],
                          notes["Xp"], notes["yp"], run.out, grid,
                          epochs=(notes["epochs"], notes["planted_epochs"])))


# %% [markdown]
# ## The pictures this run wrote

# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew."""
    run.result["figures"] = run.list_pictures()


main = lesson.main
