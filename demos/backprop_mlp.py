"""Backpropagation on a real MLP: 337 parameters learn to separate two interleaved moons.

Run it with ``python -m demos.backprop_mlp [--out DIR] [--quick]``; it also
opens as a notebook (jupytext percent format).
"""

# %% [markdown]
# # Backpropagation on a real MLP
#
# The earlier walkthroughs pushed gradients through one neuron by hand. Here the
# same engine trains a whole network: two hidden layers of 16 ReLU units and one
# output, 337 numbers in all. Each training step is the same three moves:
#
# 1. **forward**: run every example through the network and combine the scores
#    into one number, the loss, that says how wrong the network is;
# 2. **backward**: one call to `loss.backward()` applies the chain rule from the
#    loss down to every parameter, so each `p.grad` holds ∂loss/∂p;
# 3. **update**: nudge every parameter a little against its gradient,
#    `p.data -= lr * p.grad`, which lowers the loss for a small enough `lr`.
#
# Before trusting step 2 we check it against the definition of a derivative.

# %%
import time
from dataclasses import dataclass, field
from pathlib import Path

import engine
from nn import MLP
from nn.data import make_moons
from nn.losses import hinge_loss
from demos import _plots
from demos._common import linspace, options, progress, say

NAME = "backprop_mlp"
ORDER = 6
SUMMARY = "a 337-parameter MLP learns the two moons to 100% by plain gradient descent; gradients checked"

# %% [markdown]
# ## The data
#
# Two half-moons that hook into each other: no straight line separates them,
# so a single perceptron cannot, but a network with hidden layers can bend its
# decision boundary around them. For the loss below the labels become signs:
# class 1 is `+1`, class 0 is `-1`.


# %%
def moons(n: int) -> tuple[list, list[int], list[float]]:
    """The points, their 0/1 classes and the same classes as -1/+1 signs."""
    X, y = make_moons(n, noise=0.1, seed=0)
    return X, y, [1.0 if t == 1 else -1.0 for t in y]


# %% [markdown]
# ## The loss: a margin, plus a little weight decay
#
# The network gives each point a score `s`; its sign is the predicted class.
# The *hinge* loss of a point with sign `y` is `max(0, 1 - y·s)`: zero once the
# point sits on the correct side with a margin of at least 1, and growing
# linearly the further it is from that. Averaged over all points, plus
# `α·Σ p²` with a small `α`, which keeps the weights from growing without need.
# The whole thing is one scalar `Value` whose graph reaches every parameter.


# %%
ALPHA = 1e-4


def loss_and_accuracy(model: MLP, X: list, signs: list[float]) -> tuple[engine.Value, float]:
    """The regularised hinge loss (a Value) and the fraction of points on the right side."""
    scores = [model(x) for x in X]
    data_loss = hinge_loss(scores, signs)
    penalty = ALPHA * engine.sum(p * p for p in model.parameters())
    right = sum(1 for s, t in zip(scores, signs) if (s.data > 0) == (t > 0))
    return data_loss + penalty, right / len(signs)


# %% [markdown]
# ## Is backward right? A finite-difference check
#
# A derivative is a slope: nudge one parameter by a tiny `ε` up and down and
# watch the loss, `(L(p+ε) - L(p-ε)) / 2ε`. That costs two forward passes per
# parameter (674 for this network), while backward delivers all 337 gradients
# in one sweep. So we compare on a handful of parameters from every layer. The
# nudged losses are computed under `engine.no_grad()`: we only want the
# numbers, not a graph.


# %%
@dataclass
class GradRow:
    """One parameter's gradient from backward and from finite differences."""

    name: str
    analytic: float
    numeric: float

    @property
    def difference(self) -> float:
        """How far apart the two gradients are."""
        return abs(self.analytic - self.numeric)

    @property
    def agrees(self) -> bool:
        """Equal up to the error of a central difference with eps = 1e-6."""
        return self.difference <= 1e-7 + 1e-5 * abs(self.numeric)


def finite_difference(model: MLP, X: list, signs: list[float], p: engine.Value,
                      eps: float = 1e-6) -> float:
    """Central difference of the loss with respect to parameter ``p``."""
    original = p.data
    with engine.no_grad():
        p.data = original + eps
        up = loss_and_accuracy(model, X, signs)[0].data
        p.data = original - eps
        down = loss_and_accuracy(model, X, signs)[0].data
    p.data = original
    return (up - down) / (2 * eps)


NOISE = 1e-8  # below this a central difference's rounding error dominates


def _shown(v: float) -> str:
    """A gradient for the table: '≈ 0' when it is below the finite-difference noise."""
    return f"{'≈ 0':>13}" if abs(v) < NOISE else f"{v:>+13.6e}"


def check_gradients(model: MLP, X: list, signs: list[float], names: list[str]) -> list[GradRow]:
    """Backward's gradient vs. the finite difference for each named parameter."""
    loss, _ = loss_and_accuracy(model, X, signs)
    model.zero_grad()
    loss.backward()
    params = {p.label: p for p in model.parameters()}
    return [GradRow(name, params[name].grad, finite_difference(model, X, signs, params[name]))
            for name in names]


# %% [markdown]
# ## Training: the plain loop
#
# No optimizer object, no helper: forward, `zero_grad`, backward, update. The
# learning rate starts at 1 and shrinks linearly to 0.1, taking big steps while
# the loss is large and careful ones near the end. (`nn.train.fit` wraps this
# same loop; the later walkthroughs use it.) Gradients must be zeroed before
# each backward because parameters *accumulate* gradient, as in PyTorch.


# %%
@dataclass
class Training:
    """What one training run recorded."""

    losses: list = field(default_factory=list)
    accuracies: list = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)   # step -> parameter values
    seconds: float = 0.0


def train(model: MLP, X: list, signs: list[float], steps: int, snapshot_at: tuple = ()) -> Training:
    """Plain gradient descent with a linearly decaying learning rate."""
    run = Training()
    params = model.parameters()
    start = time.perf_counter()
    for step in progress(range(steps), total=steps, desc="training"):
        if step in snapshot_at:
            run.snapshots[step] = [p.data for p in params]
        loss, acc = loss_and_accuracy(model, X, signs)
        model.zero_grad()
        loss.backward()
        lr = 1.0 - 0.9 * step / steps
        for p in params:
            p.data -= lr * p.grad
        run.losses.append(loss.data)
        run.accuracies.append(acc)
    with engine.no_grad():
        loss, acc = loss_and_accuracy(model, X, signs)
    run.losses.append(loss.data)
    run.accuracies.append(acc)
    run.snapshots[steps] = [p.data for p in params]
    run.seconds = time.perf_counter() - start
    return run


# %% [markdown]
# ## Pictures
#
# The loss and accuracy over the steps, and the decision regions (the plane
# coloured by the predicted class) at a few moments of training, so you can
# watch the boundary bend around the moons.


# %%
def plot_training(run: Training, out: Path) -> Path:
    """Loss and training accuracy over the steps, side by side."""
    fig, (left, right) = _plots.figure(2, size=(5.4, 3.8))
    _plots.curves(left, {"hinge loss + L2": run.losses}, title="Loss", log=True)
    _plots.curves(right, {"training accuracy": [100 * a for a in run.accuracies]},
                  title="Accuracy", ylabel="accuracy (%)")
    right.set_ylim(40, 102)
    return _plots.save(fig, out, "training.png", title="Gradient descent on the moons")


def plot_boundaries(model: MLP, X: list, y: list[int], run: Training, out: Path,
                    steps: int) -> Path:
    """Decision regions at each snapshot of the parameters."""
    params = model.parameters()
    final = [p.data for p in params]
    moments = sorted(run.snapshots)
    fig, axes = _plots.regions_figure(len(moments), X)
    for ax, step in zip(axes, moments):
        for p, value in zip(params, run.snapshots[step]):
            p.data = value
        _plots.decision_regions(ax, model, X, y, steps=steps, title=f"after {step} steps",
                                legend=step == moments[0])
    for p, value in zip(params, final):
        p.data = value
    return _plots.save(fig, out, "decision_boundary.png",
                       title="The decision boundary bends around the moons")


def plot_slopes(model: MLP, X: list, signs: list[float], rows: list[GradRow], out: Path,
                width: float = 0.5, points: int = 41) -> Path:
    """For a few parameters: the loss as that one parameter moves, and backward's tangent."""
    params = {p.label: p for p in model.parameters()}
    fig, axes = _plots.figure(len(rows), size=(3.6, 3.3))
    for ax, row in zip(axes, rows):
        p = params[row.name]
        centre, base = p.data, loss_and_accuracy(model, X, signs)[0].data
        offsets = linspace(-width, width, points)
        with engine.no_grad():
            values = []
            for d in offsets:
                p.data = centre + d
                values.append(loss_and_accuracy(model, X, signs)[0].data)
        p.data = centre
        ax.plot([centre + d for d in offsets], values, color=_plots.LINE_COLOURS[0],
                linewidth=2.4, label="loss as p moves")
        ax.plot([centre + d for d in offsets], [base + row.analytic * d for d in offsets], "--",
                color=_plots.LINE_COLOURS[1], linewidth=1.6,
                label=f"tangent, slope = p.grad = {row.analytic:.3g}")
        ax.plot([centre], [base], "o", color="black", markersize=4)
        ax.set_xlabel(f"value of {row.name}")
        ax.set_ylabel("loss")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    return _plots.save(fig, out, "gradient_slopes.png",
                       title="A gradient is the slope of the loss along one parameter")


# %% [markdown]
# ## Putting it together


# %%
@dataclass
class Result:
    """What the walkthrough found (the tests read this)."""

    accuracy: float
    losses: list
    gradients: list
    figures: list
    seconds: float


def main(argv=None) -> Result:
    """Run the walkthrough: check gradients, train, draw."""
    opts = options(NAME, argv)
    n, steps, grid = (40, 100, 40) if opts.quick else (100, 100, 90)
    X, y, signs = moons(n)
    model = MLP(2, [16, 16, 1], init="auto", seed=1337)
    loss, _ = loss_and_accuracy(model, X, signs)
    nodes = engine.topological_order(loss)
    ops = sum(1 for v in nodes if v.op is not None)
    say(f"""
        Two moons of {n} points, and an MLP with layers 2 → 16 → 16 → 1 (ReLU hidden
        units, a plain linear score at the top): {len(model.parameters())} parameters,
        every one a Value the loss will reach. One forward pass over all the points
        builds a graph of {len(nodes)} nodes ({ops} of them made by an op), and one
        backward pass visits each of those once.
        """)

    names = ["L0.N0.w0", "L0.N5.b", "L1.N3.w7", "L1.N9.b", "L2.N0.w2", "L2.N0.b"]
    rows = check_gradients(model, X, signs, names)
    print("  parameter       backward     finite diff.   difference")
    for r in rows:
        print(f"  {r.name:<12}{_shown(r.analytic)}  {_shown(r.numeric)}   {r.difference:.1e}")
    if any(abs(v) < NOISE for r in rows for v in (r.analytic, r.numeric)):
        print(f"  (≈ 0: smaller than {NOISE:.0e}, the finite difference's rounding noise; its sign means nothing)")
    worst = max(r.difference for r in rows)
    say(f"""
        Before training, backward's gradients agree with the finite differences on
        parameters from all three layers: the largest disagreement is {worst:.0e},
        which is the size of the finite difference's own rounding error.
        {"" if all(r.agrees for r in rows) else "(Some rows disagree: something is wrong!)"}
        """)

    figures = [plot_slopes(model, X, signs, rows[:3], opts.out, points=15 if opts.quick else 41)]
    run = train(model, X, signs, steps, snapshot_at=(0, steps // 10, steps // 4))
    acc = run.accuracies[-1]
    say(f"""
        {steps} steps of gradient descent took {run.seconds:.1f} s. The loss fell from
        {run.losses[0]:.3f} to {run.losses[-1]:.4f} and the network now puts
        {acc:.0%} of the training points on the right side{
        '' if acc == 1.0 else ' (short of 100%: more steps would help)'}.
        """)
    figures.append(plot_training(run, opts.out))
    figures.append(plot_boundaries(model, X, y, run, opts.out, grid))
    return Result(acc, run.losses, rows, figures, run.seconds)


# %%
if __name__ == "__main__":
    main()
