"""Optimizers: plain SGD, SGD with momentum and Adam on the same problem from the same start.

Run it with ``python -m demos.optimizers [--out DIR] [--quick]``; it also opens
as a notebook (jupytext percent format).
"""

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

# %%
import time
from pathlib import Path
from typing import Callable

from engine import Value
from nn import MLP
from nn.data import make_moons
from nn.optim import SGD, Adam
from nn.train import accuracy, fit
from demos import _plots
from demos._common import linspace, options, say

NAME = "optimizers"
ORDER = 9
SUMMARY = "SGD, momentum and Adam from the same start, on a toy valley and on the moons"

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
# ## Putting it together


# %%
def main(argv=None) -> dict:
    """Run the walkthrough; returns the paths, final losses and figures."""
    opts = options(NAME, argv)
    toy_steps, n, epochs = (30, 60, 15) if opts.quick else (40, 100, 40)
    start = (-6.0, 1.6)
    paths = {name: descend(make, start, toy_steps) for name, make in TOY_OPTIMIZERS.items()}
    result = {"toy_final": {}, "figures": [plot_valley(paths, opts.out)]}
    for name, path in paths.items():
        a, b = path[-1]
        result["toy_final"][name] = valley(Value(a), Value(b)).data
        print(f"  {name:<22} after {toy_steps} steps at ({a:+.3f}, {b:+.3f}),"
              f" f = {result['toy_final'][name]:.2e}")
    best = min(result["toy_final"], key=result["toy_final"].get)
    say(f"""
        Plain SGD's learning rate is already close to the largest the steep direction
        allows (above 1 the bouncing across the valley would grow), so it bounces across
        and creeps along. Momentum builds up speed along the valley floor, and Adam's
        first steps are about as long in the shallow direction as in the steep one,
        because it divides each gradient by its own running size. Lowest loss after
        {toy_steps} steps: {best}.
        """)

    X, y = make_moons(n, noise=0.1, seed=0)
    histories, accuracies, seconds = moons_runs(X, y, epochs, batch=10)
    result["final_loss"] = {k: h.loss[-1] for k, h in histories.items()}
    result["accuracy"] = accuracies
    result["rises"] = {k: sum(1 for a, b in zip(h.loss, h.loss[1:]) if b > a)
                       for k, h in histories.items()}
    for name in histories:
        print(f"  {name:<28} final loss {result['final_loss'][name]:.4f}   "
              f"accuracy {accuracies[name]:>4.0%}   loss went up in "
              f"{result['rises'][name]:>2} of {epochs - 1} epochs   ({seconds[name]:.1f} s)")
    final = result["final_loss"]
    ranked = sorted(final, key=final.get)
    default, plain = "Adam (defaults, lr 0.001)", "SGD, lr 0.1"
    adam_vs_sgd = ("trails plain SGD" if final[default] > final[plain]
                   else "still beats plain SGD")
    momentum = "SGD + momentum 0.9, lr 0.1"
    ups, plain_ups = result["rises"][momentum], result["rises"][plain]
    jumpy = ("Momentum is fast but jumpy" if ups > plain_ups
             else "Momentum is fast, and here no jumpier than plain SGD")
    say(f"""
        After {epochs} epochs the lowest loss belongs to {ranked[0]} and the highest to
        {ranked[-1]}. Adam's default learning rate is a cautious one (each step moves a
        weight by about 0.001 at most), so on a short run like this it {adam_vs_sgd};
        with ten times that rate Adam ends at {final["Adam, lr 0.01"]:.4f}. {jumpy}: its
        loss went up in {ups}
        epochs, plain SGD's in {plain_ups}. No optimizer wins every race; what Adam offers is one
        step size that suits every parameter, whatever the size of its gradient.
        """)
    result["figures"].append(plot_moons(histories, opts.out))
    return result


# %%
if __name__ == "__main__":
    main()
