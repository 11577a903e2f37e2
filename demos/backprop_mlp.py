"""Backpropagation on a real MLP: 337 parameters learn to separate two interleaved moons.

Run it with ``python -m demos.backprop_mlp [--out DIR] [--quick]`` (or
``python -m demos backprop_mlp``); it also opens as a notebook (jupytext percent
format), one step per cell.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import engine
from nn import MLP
from nn.data import make_moons
from nn.losses import hinge_loss
from demos._common import progress, say
from demos._figures.backprop_mlp import plot_boundaries, plot_slopes, plot_training
from demos._lesson import Lesson

ORDER = 6
SUMMARY = "a 337-parameter MLP learns the two moons to 100% by plain gradient descent; gradients checked"

lesson = Lesson("backprop_mlp")

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
#
# The functions come first, in cells that print nothing; the steps that use them
# follow, one cell each, and each shows what it found.

# %% [markdown]
# ## The data and the loss
#
# Two half-moons that hook into each other: no straight line separates them,
# so a single perceptron cannot, but a network with hidden layers can bend its
# decision boundary around them. For the loss the labels become signs: class 1
# is `+1`, class 0 is `-1`.
#
# The network gives each point a score `s`; its sign is the predicted class.
# The *hinge* loss of a point with sign `y` is `max(0, 1 - y·s)`: zero once the
# point sits on the correct side with a margin of at least 1, and growing
# linearly the further it is from that. Averaged over all points, plus
# `α·Σ p²` with a small `α`, which keeps the weights from growing without need.
# The whole thing is one scalar `Value` whose graph reaches every parameter.

# %%
ALPHA = 1e-4


def moons(n: int) -> tuple[list, list[int], list[float]]:
    """The points, their 0/1 classes and the same classes as -1/+1 signs."""
    X, y = make_moons(n, noise=0.1, seed=0)
    return X, y, [1.0 if t == 1 else -1.0 for t in y]


def loss_and_accuracy(model: MLP, X: list, signs: list[float]) -> tuple[engine.Value, float]:
    """The regularised hinge loss (a Value) and the fraction of points on the right side."""
    scores = [model(x) for x in X]
    data_loss = hinge_loss(scores, signs)
    penalty = ALPHA * engine.sum(p * p for p in model.parameters())
    right = sum(1 for s, t in zip(scores, signs) if (s.data > 0) == (t > 0))
    return data_loss + penalty, right / len(signs)


# %% [markdown]
# ## A finite-difference check, as functions
#
# A derivative is a slope: nudge one parameter by a tiny `ε` up and down and
# watch the loss, `(L(p+ε) - L(p-ε)) / 2ε`. That costs two forward passes per
# parameter (674 for this network), while backward delivers all 337 gradients
# in one sweep. So we compare on a handful of parameters from every layer. The
# nudged losses are computed under `engine.no_grad()`: we only want the
# numbers, not a graph.
#
# A central difference with `ε = 1e-6` is itself only good to about `1e-9`
# (rounding in the two losses, divided by `2ε`), so the table shows both
# gradients rounded to the same 8 decimals, next to their absolute difference.

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


DECIMALS = 8  # the finite difference is good to about 1e-9; more decimals would be noise


def shown(v: float) -> str:
    """A gradient for the table: fixed decimals, and no sign on a value that rounds to 0."""
    v = round(v, DECIMALS)
    return f"{0.0:.{DECIMALS}f}" if v == 0 else f"{v:+.{DECIMALS}f}"


def check_gradients(model: MLP, X: list, signs: list[float], names: list[str]) -> list[GradRow]:
    """Backward's gradient vs. the finite difference for each named parameter."""
    loss, _ = loss_and_accuracy(model, X, signs)
    model.zero_grad()
    loss.backward()
    params = {p.label: p for p in model.parameters()}
    return [GradRow(name, params[name].grad, finite_difference(model, X, signs, params[name]))
            for name in names]


def gradient_table(rows: list[GradRow]) -> None:
    """Print backward's and the finite difference's gradients side by side."""
    print(f"  {'parameter':<10}{'backward':>14}{'finite diff.':>15}{'|difference|':>15}  agree?")
    for r in rows:
        print(f"  {r.name:<10}{shown(r.analytic):>14}{shown(r.numeric):>15}"
              f"{r.difference:>15.1e}  {'yes' if r.agrees else 'NO'}")
    zero = any(round(v, DECIMALS) == 0 for r in rows for v in (r.analytic, r.numeric))
    print(f"  (both rounded to {DECIMALS} decimals" + (
        f"; a 0 is a gradient smaller than {0.5 * 10 ** -DECIMALS:.0e})" if zero else ")"))
    print()


# %% [markdown]
# ## The training loop, as a function
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
# ## Step 1: the moons
#
# We draw the points (40 in quick mode, 100 otherwise) and turn their classes into
# signs. The two classes are the same size, so a network that always answers
# the same class is right exactly half of the time.

# %%
@lesson.step
def data(run):
    """Make the two moons and show a few points with their classes and signs."""
    n = 40 if run.quick else 100
    X, y, signs = moons(n)
    run.notes.update(X=X, y=y, signs=signs)
    print(f"  {n} points: {y.count(0)} of class 0 (sign -1), {y.count(1)} of class 1 (sign +1)")
    for x, t, s in list(zip(X, y, signs))[:4]:
        print(f"    x = ({x[0]:+.3f}, {x[1]:+.3f})   class {t}   sign {s:+.0f}")
    print("    ...")
    print()


# %% [markdown]
# ## Step 2: the network and the size of its graph
#
# `MLP(2, [16, 16, 1])`: 2 inputs, two hidden layers of 16 ReLU units, one
# linear output. One forward pass over every point, plus the loss on top,
# builds a graph of Values; backward will visit every node of it once.

# %%
@lesson.step
def network(run):
    """Build the MLP, compute the loss once and count the nodes of its graph."""
    X, signs = run.notes["X"], run.notes["signs"]
    model = MLP(2, [16, 16, 1], init="auto", seed=1337)
    run.notes["model"] = model
    loss, acc = loss_and_accuracy(model, X, signs)
    nodes = engine.topological_order(loss)
    ops = sum(1 for v in nodes if v.op is not None)
    say(f"""
        Two moons of {len(X)} points, and an MLP with layers 2 → 16 → 16 → 1 (ReLU hidden
        units, a plain linear score at the top): {len(model.parameters())} parameters,
        every one a Value the loss will reach. One forward pass over all the points
        builds a graph of {len(nodes)} nodes ({ops} of them made by an op), and one
        backward pass visits each of those once.
        """)
    print(f"  before training: loss {loss.data:.4f}, {acc:.0%} of the points on the right side")
    print()


# %% [markdown]
# ## Step 3: is backward right?
#
# Six parameters, two from each layer (a weight and a bias, or two of the output
# unit's), each checked against its own finite difference. The check runs on the
# untrained network, before any update.

# %%
@lesson.step
def gradient_check(run):
    """Compare backward's gradients with finite differences on parameters from every layer."""
    model, X, signs = run.notes["model"], run.notes["X"], run.notes["signs"]
    names = ["L0.N0.w0", "L0.N5.b", "L1.N3.w7", "L1.N9.b", "L2.N0.w2", "L2.N0.b"]
    rows = check_gradients(model, X, signs, names)
    gradient_table(rows)
    worst = max(r.difference for r in rows)
    say(f"""
        Before training, backward's gradients agree with the finite differences on
        parameters from all three layers: the largest disagreement is {worst:.0e},
        which is the size of the finite difference's own rounding error.
        {"" if all(r.agrees for r in rows) else "(Some rows disagree: something is wrong!)"}
        """)
    run.result["gradients"] = rows


# %% [markdown]
# ## Step 4: a gradient is a slope
#
# For the first three parameters of the table we move that one parameter across
# a range, keep everything else fixed, and plot the loss. Backward's gradient is
# the slope of that curve where the parameter sits now: the dashed tangent.

# %%
@lesson.step
def slopes(run):
    """Draw the loss along three single parameters, with backward's tangent."""
    model, X, signs = run.notes["model"], run.notes["X"], run.notes["signs"]
    rows = run.result["gradients"][:3]
    for r in rows:
        print(f"  {r.name}: slope of the tangent = p.grad = {r.analytic:+.4f}")
    run.keep(plot_slopes(model, rows, lambda: loss_and_accuracy(model, X, signs)[0].data, run.out,
                         points=15 if run.quick else 41))


# %% [markdown]
# ## Step 5: training
#
# 100 steps of the plain loop above, over all the points at once. We keep a copy
# of the parameters at a few moments, for the pictures.

# %%
@lesson.step
def training(run):
    """Train with plain gradient descent and report the loss and accuracy it reached."""
    model, X, signs = run.notes["model"], run.notes["X"], run.notes["signs"]
    steps = 100
    record = train(model, X, signs, steps, snapshot_at=(0, steps // 10, steps // 4))
    run.notes["training"] = record
    acc = record.accuracies[-1]
    say(f"""
        {steps} steps of gradient descent took {record.seconds:.1f} s. The loss fell from
        {record.losses[0]:.3f} to {record.losses[-1]:.4f} and the network now puts
        {acc:.0%} of the training points on the right side{
        '' if acc == 1.0 else ' (short of 100%: more steps would help)'}.
        """)
    run.result.update(accuracy=acc, losses=record.losses, seconds=record.seconds)


# %% [markdown]
# ## Step 6: the learning curves
#
# The loss on a log scale, and the share of points on the right side, after
# every step.

# %%
@lesson.step
def curves(run):
    """Draw the loss and the accuracy over the steps."""
    record = run.notes["training"]
    for step in (0, 10, 25, 50, len(record.losses) - 1):
        print(f"  step {step:>3}: loss {record.losses[step]:.4f}, "
              f"accuracy {record.accuracies[step]:.0%}")
    run.keep(plot_training(record, run.out))


# %% [markdown]
# ## Step 7: the boundary bending into shape
#
# The plane coloured by the predicted class, with the parameters as they were
# before training, after 10 and 25 steps, and at the end.

# %%
@lesson.step
def boundaries(run):
    """Draw the decision regions at the saved moments of training."""
    grid = 40 if run.quick else 90
    record = run.notes["training"]
    print("  snapshots after " + ", ".join(str(s) for s in sorted(record.snapshots)) + " steps")
    run.keep(plot_boundaries(run.notes["model"], run.notes["X"], run.notes["y"], record,
                             run.out, grid))


# %% [markdown]
# ## The pictures this run wrote

# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew."""
    run.result["figures"] = run.list_pictures()


main = lesson.main
