"""Optimizers: plain SGD, SGD with momentum and Adam on the same problem from the same start.

Run it with ``python -m demos.optimizers [--out DIR] [--quick]`` (or
``python -m demos optimizers``); it also opens as a notebook (jupytext percent
format), one step per cell.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from engine import Value
from nn import MLP
from nn.data import make_moons
from nn.optim import SGD, Adam
from nn.train import accuracy, fit
from demos import _plots
from demos._common import linspace, say
from demos._lesson import Lesson

ORDER = 9
SUMMARY = "SGD, momentum and Adam from the same start, on a toy valley and on the moons"

lesson = Lesson("optimizers")

# %% [markdown]
# # Turning gradients into steps
#
# Backprop tells us, for every parameter, which way is uphill and how steep it
# is. The *optimizer* decides how far to step the other way. Three classics:
#
# * **SGD**: `p ← p - lr · g`. Simple, but one learning rate must suit every
#   direction: too big for the steep ones (it overshoots and zigzags), too small
#   for the flat ones (it crawls).
# * **SGD with momentum**: keep a running velocity `v ← μ·v + g` and step
#   `p ← p - lr · v`. Gradients that keep pointing the same way add up (up to
#   `1/(1 - μ)` times, 10× for `μ = 0.9`), while gradients that flip sign from
#   step to step cancel out.
# * **Adam**: keep running averages of the gradient, `m ← β₁m + (1-β₁)g`, and
#   of its square, `v ← β₂v + (1-β₂)g²`, correct them for starting at 0
#   (`m̂ = m/(1-β₁ᵗ)`, `v̂ = v/(1-β₂ᵗ)`), and step `p ← p - lr · m̂/(√v̂ + ε)`.
#   Dividing by `√v̂` gives every parameter a step of about `lr` whatever the size
#   of its gradient. Defaults: `lr = 0.001`, `β₁ = 0.9`, `β₂ = 0.999`, `ε = 1e-8`.
#
# All three are in `nn.optim`, with the same `zero_grad()` / `step()` interface.
#
# The functions come first, in cells that print nothing; the steps that use them
# follow, one cell each, and each shows what it found.

# %% [markdown]
# ## A valley you can see
#
# First a loss with just two parameters, so the whole landscape fits in one
# picture: `f(a, b) = a²/50 + b²`, a long narrow valley, fifty times steeper
# across (`b`) than along (`a`). The minimum is at (0, 0). Each optimizer starts
# at the same point and takes the same number of steps; the gradients come from
# `backward()` on two Values.

# %%
def valley(a: Value, b: Value) -> Value:
    """The toy loss: a long valley along the a-axis."""
    return a * a / 50 + b * b


START = (-6.0, 1.6)

# name -> function making the optimizer for the two parameters
TOY_OPTIMIZERS = {
    "SGD, lr 0.9": lambda ps: SGD(ps, lr=0.9),
    "momentum 0.9, lr 0.2": lambda ps: SGD(ps, lr=0.2, momentum=0.9),
    "Adam, lr 0.3": lambda ps: Adam(ps, lr=0.3),
}


def descend(make_optimizer: Callable, start: tuple, steps: int) -> list[tuple[float, float]]:
    """The path ``[(a, b), ...]`` an optimizer takes on the valley."""
    a, b = Value(start[0], label="a"), Value(start[1], label="b")
    opt = make_optimizer([a, b])
    path = [(a.data, b.data)]
    for _ in range(steps):
        opt.zero_grad()
        valley(a, b).backward()
        opt.step()
        path.append((a.data, b.data))
    return path


def plot_valley(paths: dict, out: Path) -> Path:
    """The valley's contour lines with every optimizer's path on top."""
    fig, (ax,) = _plots.figure(1, size=(8.0, 3.9))
    first = next(iter(paths.values()))
    steps = len(first) - 1
    xs, ys = linspace(-6.5, 2.5, 201), linspace(-2.0, 2.0, 121)
    zz = [[valley(Value(x), Value(yv)).data for x in xs] for yv in ys]
    ax.contourf(xs, ys, zz, levels=20, cmap="Greys", alpha=0.35)
    ax.contour(xs, ys, zz, levels=20, colors="#888888", linewidths=0.4)
    for i, (name, path) in enumerate(paths.items()):
        ax.plot([p[0] for p in path], [p[1] for p in path], "o-", markersize=3,
                color=_plots.LINE_COLOURS[i], linewidth=1.4, label=name)
    ax.plot([0], [0], "*", color="black", markersize=14, label="minimum")
    ax.plot([first[0][0]], [first[0][1]], "s",
            color="black", markersize=7, label="start")
    ax.set_xlabel("a (shallow direction)")
    ax.set_ylabel("b (steep direction)")
    ax.set_aspect("equal", adjustable="box")
    ax.legend(loc="lower right", fontsize=9)
    return _plots.save(fig, out, "valley_paths.png",
                       title=f"{steps} steps on f(a, b) = a²/50 + b²")


# %% [markdown]
# ## A real network
#
# Now the moons and a 2 → 16 → 16 → 1 network with binary cross-entropy, in
# minibatches of 10. Every run starts from the *same* weights (same seed) and
# sees the *same* batches (same shuffling seed); only the optimizer changes.
# Adam runs twice: with its default learning rate of 0.001, and ten times that.

# %%
def moons_runs(X: list, y: list[int], epochs: int, batch: int) -> tuple[dict, dict, dict]:
    """Train one identically started model per optimizer; histories and final accuracies."""
    makers = {
        "SGD, lr 0.1": lambda ps: SGD(ps, lr=0.1),
        "SGD + momentum 0.9, lr 0.1": lambda ps: SGD(ps, lr=0.1, momentum=0.9),
        "Adam (defaults, lr 0.001)": lambda ps: Adam(ps),
        "Adam, lr 0.01": lambda ps: Adam(ps, lr=0.01),
    }
    histories, accuracies, seconds = {}, {}, {}
    for name, make in makers.items():
        model = MLP(2, [16, 16, 1], init="auto", seed=0)
        start = time.perf_counter()
        histories[name] = fit(model, X, y, loss="bce", optimizer=make(model.parameters()),
                              epochs=epochs, batch_size=batch, seed=0)
        seconds[name] = time.perf_counter() - start
        accuracies[name] = accuracy(model, X, y)
    return histories, accuracies, seconds


def plot_moons(histories: dict, out: Path) -> Path:
    """Every optimizer's loss per epoch on one chart (log scale)."""
    fig, (ax,) = _plots.figure(1, size=(7.0, 4.4))
    _plots.curves(ax, {k: h.loss for k, h in histories.items()}, log=True, start=1,
                  title="Moons, same start, same batches: training loss per epoch",
                  xlabel="epoch", ylabel="binary cross-entropy (log scale)")
    return _plots.save(fig, out, "loss_curves.png")


# %% [markdown]
# ## Step 1: one step of each
#
# Before any path, the very first step. At the start, (-6, 1.6), the gradient is
# `(2a/50, 2b) = (-0.24, 3.2)`: over ten times larger across the valley than
# along it. Plain SGD and momentum step in proportion to the gradient, so their
# first step is mostly across; Adam divides each gradient by its own size, so
# its first step is the same length, `lr`, in both directions.

# %%
@lesson.step
def first_step(run):
    """The size of each optimizer's first step, along and across the valley."""
    print(f"  {'optimizer':<22} {'step along a':>13} {'step across b':>14}")
    for name, make in TOY_OPTIMIZERS.items():
        (a0, b0), (a1, b1) = descend(make, START, 1)
        print(f"  {name:<22} {a1 - a0:>+13.3f} {b1 - b0:>+14.3f}")
    print()


# %% [markdown]
# ## Step 2: the whole descent on the valley
#
# Now 30 steps each (40 with the full settings), from the same start. The table
# gives where each optimizer ended and the loss there.

# %%
@lesson.step
def valley_descent(run):
    """Run each optimizer on the valley and report where it ended."""
    steps = 30 if run.quick else 40
    paths = {name: descend(make, START, steps) for name, make in TOY_OPTIMIZERS.items()}
    run.notes.update(paths=paths, toy_steps=steps)
    run.result["toy_final"] = {}
    for name, path in paths.items():
        a, b = path[-1]
        run.result["toy_final"][name] = valley(Value(a), Value(b)).data
        print(f"  {name:<22} after {steps} steps at ({a:+.3f}, {b:+.3f}),"
              f" f = {run.result['toy_final'][name]:.2e}")
    print()


# %% [markdown]
# ## Step 3: the paths, drawn
#
# The valley's contour lines with the three paths on top. Plain SGD zigzags
# across the valley and creeps along it; momentum swings from side to side in
# wide arcs while it gathers speed along the floor; Adam sets off diagonally,
# with steps of the same size in `a` and in `b`.

# %%
@lesson.step
def valley_picture(run):
    """Draw the three paths on the valley and say what they show."""
    run.keep(plot_valley(run.notes["paths"], run.out))
    best = min(run.result["toy_final"], key=run.result["toy_final"].get)
    say(f"""
        Plain SGD's learning rate is already close to the largest the steep direction
        allows (above 1 the bouncing across the valley would grow), so it bounces across
        and creeps along. Momentum builds up speed along the valley floor, and Adam's
        first steps are about as long in the shallow direction as in the steep one,
        because it divides each gradient by its own running size. Lowest loss after
        {run.notes['toy_steps']} steps: {best}.
        """)


# %% [markdown]
# ## Step 4: four optimizers on the moons
#
# The moons (60 points in quick mode, 100 otherwise), four runs of the same
# network. The table gives the final training loss and accuracy, and in how many
# epochs the loss went up rather than down.

# %%
@lesson.step
def moons_training(run):
    """Train the same network on the moons with each optimizer."""
    n, epochs = (60, 15) if run.quick else (100, 40)
    X, y = make_moons(n, noise=0.1, seed=0)
    histories, accuracies, seconds = moons_runs(X, y, epochs, batch=10)
    result = run.result
    result["final_loss"] = {k: h.loss[-1] for k, h in histories.items()}
    result["accuracy"] = accuracies
    result["rises"] = {k: sum(1 for a, b in zip(h.loss, h.loss[1:]) if b > a)
                       for k, h in histories.items()}
    for name in histories:
        print(f"  {name:<28} final loss {result['final_loss'][name]:.4f}   "
              f"accuracy {accuracies[name]:>4.0%}   loss went up in "
              f"{result['rises'][name]:>2} of {epochs - 1} epochs   ({seconds[name]:.1f} s)")
    print()
    run.notes.update(histories=histories, epochs=epochs)


# %% [markdown]
# ## Step 5: what the race says
#
# Which optimizer ended lowest, how Adam's cautious default compares with plain
# SGD, and whether momentum's speed came with a bumpier ride.

# %%
@lesson.step
def verdict(run):
    """Rank the four runs and compare them in words."""
    final = run.result["final_loss"]
    ranked = sorted(final, key=final.get)
    default, plain = "Adam (defaults, lr 0.001)", "SGD, lr 0.1"
    adam_vs_sgd = ("trails plain SGD" if final[default] > final[plain]
                   else "still beats plain SGD")
    momentum = "SGD + momentum 0.9, lr 0.1"
    ups, plain_ups = run.result["rises"][momentum], run.result["rises"][plain]
    jumpy = ("Momentum is fast but jumpy" if ups > plain_ups
             else "Momentum is fast, and here no jumpier than plain SGD")
    say(f"""
        After {run.notes['epochs']} epochs the lowest loss belongs to {ranked[0]} and the highest to
        {ranked[-1]}. Adam's default learning rate is a cautious one (each step moves a
        weight by about 0.001 at most), so on a short run like this it {adam_vs_sgd};
        with ten times that rate Adam ends at {final["Adam, lr 0.01"]:.4f}. {jumpy}: its
        loss went up in {ups}
        epochs, plain SGD's in {plain_ups}. No optimizer wins every race; what Adam offers is one
        step size that suits every parameter, whatever the size of its gradient.
        """)


# %% [markdown]
# ## Step 6: the loss curves
#
# Every run's training loss per epoch, on a log scale.

# %%
@lesson.step
def loss_curves(run):
    """Draw the four runs' loss per epoch."""
    histories = run.notes["histories"]
    half = run.notes["epochs"] // 2
    for name, h in histories.items():
        print(f"  {name:<28} loss in epoch 1 {h.loss[0]:.3f}, in epoch {half} {h.loss[half - 1]:.3f}, "
              f"in epoch {len(h.loss)} {h.loss[-1]:.3f}")
    run.keep(plot_moons(histories, run.out))


# %% [markdown]
# ## The pictures this run wrote

# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew."""
    run.result["figures"] = run.list_pictures()


main = lesson.main
