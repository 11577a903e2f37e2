"""Losses: squared error, binary cross-entropy and softmax cross-entropy on a 3-class spiral.

Run it with ``python -m demos.losses [--out DIR] [--quick]``; it also opens as
a notebook (jupytext percent format).
"""

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

# %%
import math
import time
from pathlib import Path
from typing import Callable, Optional

import engine
from engine import Value
from nn import MLP
from nn.data import make_spirals
from nn.losses import binary_cross_entropy_with_logits, cross_entropy, softmax
from nn.optim import SGD
from nn.train import History, accuracy, fit
from demos import _plots
from demos._common import linspace, one_hot, options, say

NAME = "losses"
ORDER = 8
SUMMARY = "MSE vs binary vs softmax cross-entropy: the gradients they send back, their decision regions"

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


def loss_and_slope(fn: Callable[[Value], Value], z: float) -> tuple[float, float]:
    """``fn`` at logit ``z`` and its derivative d fn / dz, both from the engine."""
    leaf = Value(z, label="z")
    out = fn(leaf)
    out.backward()
    return out.data, leaf.grad


def plot_shapes(out: Path, zs: list[float]) -> Path:
    """Both losses and both derivatives over a range of logits."""
    fig, (left, right) = _plots.figure(2, size=(5.2, 3.9))
    shapes = {"squared error": mse_of_logit, "binary cross-entropy": bce_of_logit}
    for i, (name, fn) in enumerate(shapes.items()):
        pairs = [loss_and_slope(fn, z) for z in zs]
        colour = _plots.LINE_COLOURS[i]
        left.plot(zs, [p[0] for p in pairs], color=colour, linewidth=2, label=name)
        right.plot(zs, [p[1] for p in pairs], color=colour, linewidth=2, label=name)
    for ax, label, title in ((left, "loss", "Loss for a class-1 example"),
                             (right, "dL/dz (from backward)", "Gradient sent back to the logit")):
        ax.axvspan(zs[0], -2, color="#999999", alpha=0.15)
        ax.set_xlabel("logit z")
        ax.set_ylabel(label)
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend()
    left.text((zs[0] - 2) / 2, 0.03, "confidently\nwrong", fontsize=9, color="#555555", ha="center",
              va="bottom", transform=left.get_xaxis_transform())  # in the shaded band, under the curves
    return _plots.save(fig, out, "loss_shapes.png",
                       title="Squared error goes quiet exactly when the model is most wrong")


# %% [markdown]
# ## Three classes: the spiral
#
# Now a real problem: three interleaved spiral arms, a network 2 → 16 → 16 → 3
# with one logit per class, and three ways to score those three logits:
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
# ## Pictures: learning curves and decision regions


# %%
def plot_curves(histories: dict, out: Path) -> Path:
    """Accuracy per epoch for the three losses on one chart (their losses are not comparable)."""
    fig, (ax,) = _plots.figure(1, size=(6.6, 4.2))
    _plots.curves(ax, {k: [100 * a for a in h.accuracy] for k, h in histories.items()},
                  title="Training accuracy on the spiral (same start, same SGD)",
                  xlabel="epoch", ylabel="accuracy (%)", start=1)
    ax.axhline(100 / 3, color="#999999", linestyle=":", linewidth=1)
    ax.text(0.2, 100 / 3 + 1.5, "chance", color="#777777", fontsize=8)
    ax.set_ylim(0, 102)
    return _plots.save(fig, out, "training.png")


def plot_regions(models: dict, X: list, y: list[int], out: Path, steps: int) -> Path:
    """The three trained models' decision regions side by side."""
    fig, axes = _plots.regions_figure(len(models), X, width=4.2)
    for i, (ax, (name, model)) in enumerate(zip(axes, models.items())):
        _plots.decision_regions(ax, model, X, y, title=name, steps=steps, legend=i == 0)
    return _plots.save(fig, out, "decision_regions.png",
                       title="Three losses, one network, one spiral")


# %% [markdown]
# ## Putting it together


# %%
def main(argv=None) -> dict:
    """Run the walkthrough; returns the slopes, accuracies and figures."""
    opts = options(NAME, argv)
    n, epochs, grid = (150, 12, 50) if opts.quick else (300, 30, 100)
    result = {"figures": []}

    zs = linspace(-8.0, 8.0, 161)
    result["figures"].append(plot_shapes(opts.out, zs))
    mse_slope, bce_slope = (loss_and_slope(fn, -5.0)[1] for fn in (mse_of_logit, bce_of_logit))
    result["slopes_at_minus_5"] = {"mse": mse_slope, "bce": bce_slope}
    say(f"""
        A class-1 example scored z = -5 (p = σ(-5) = {1 / (1 + math.exp(5)):.3f}): backward gives
        dL/dz = {mse_slope:.4f} for squared error but {bce_slope:.4f} for cross-entropy,
        {abs(bce_slope / mse_slope):.0f} times more push where it is needed most.
        """)

    X, y = make_spirals(n, k=3, noise=0.2, seed=0)
    say(f"""
        Now {n} points on three spiral arms, a 2 → 16 → 16 → 3 network, and {epochs}
        epochs of SGD (lr 0.1, momentum 0.9, batches of 30) for each loss.
        """)
    models, histories, seconds = train_each(X, y, epochs, batch=30)
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
    result["figures"] += [plot_curves(histories, opts.out),
                          plot_regions(models, X, y, opts.out, grid)]
    return result


# %%
if __name__ == "__main__":
    main()
