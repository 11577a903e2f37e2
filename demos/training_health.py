"""Training health: what to watch while a network learns.

A ``fit`` callback reads the model after every step: the update:data ratio of
each layer. After training, the share of saturated tanh units and dead ReLUs;
then the gradient of each layer of three deep stacks: steady with tanh and
Xavier, vanishing with saturated sigmoids, and growing towards the input
without an activation.

Run it: ``python -m demos.training_health [--out DIR] [--quick]``.
"""

from __future__ import annotations

import math

from demos._common import pyplot, save_figure, say
from demos._lesson import Lesson
from nn import MLP, fit, make_moons

ORDER = 13
SUMMARY = "fit callbacks: update:data ratio per layer, saturated tanh, dead ReLUs, gradients vs depth"

lesson = Lesson("training_health")

# %% [markdown]
# # Training health: what to watch while a network learns
#
# A falling loss is the headline, but it can hide trouble: a learning rate so
# small the weights hardly move, units stuck where their slope is zero, or
# gradients that fade (or blow up) on their way through many layers. Each of
# these can be measured directly, and `fit` makes that easy: any function
# passed in `callbacks=[...]` is called after every step with the model.
#
# We measure three things: how much each step changes each layer's weights,
# how many hidden units are saturated or dead, and how large each layer's
# gradient is in deep stacks of three kinds.

# %%
def norm(values: list) -> float:
    """Euclidean norm of a list of numbers."""
    return math.sqrt(sum(v * v for v in values))


class Ratios:
    """A fit callback: per layer, |update| / |weights| after every step."""

    def __init__(self, model: MLP):
        self.before = [[p.data for p in layer.parameters()] for layer in model.layers]
        self.history: list = []

    def __call__(self, info: dict) -> None:
        now = [[p.data for p in layer.parameters()] for layer in info["model"].layers]
        self.history.append([norm([a - b for a, b in zip(n, o)]) / (norm(n) or 1.0)
                             for n, o in zip(now, self.before)])
        self.before = now


def unit_health(model: MLP, X: list) -> dict:
    """Share of hidden units saturated (|tanh| > 0.97) or dead (ReLU output 0 on every input)."""
    first = model.layers[0]
    acts = [[n(x).data for n in first.neurons] for x in X]
    k = len(first.neurons)
    return {"saturated": sum(abs(a) > 0.97 for row in acts for a in row) / (len(X) * k),
            "dead": sum(all(row[j] == 0.0 for row in acts) for j in range(k)) / k}


def grad_by_layer(depth: int, X: list, y: list, activation: str, init: str) -> list:
    """Mean |grad| of each layer's weights after one backward pass on a depth-layer stack."""
    model = MLP(2, [8] * depth + [1], activation=activation, init=init, seed=0)
    fit(model, X, y, epochs=1, lr=0.0, progress=False)   # lr 0: only the grads of the first step
    return [sum(abs(p.grad) for p in layer.parameters()) / len(layer.parameters())
            for layer in model.layers]


def delta_by_layer(depth: int, X: list, y: list, activation: str, init: str) -> list:
    """Mean |grad| of each layer's biases: the error signal (delta) that reaches the layer."""
    model = MLP(2, [8] * depth + [1], activation=activation, init=init, seed=0)
    fit(model, X, y, epochs=1, lr=0.0, progress=False)
    return [sum(abs(n.b.grad) for n in layer.neurons) / len(layer.neurons) for layer in model.layers]


def print_by_layer(grads: list) -> None:
    """Each layer's mean |grad|, and its ratio to the layer after it."""
    for j, g in enumerate(grads):
        after = f"  ({g / grads[j + 1]:.2f} x the layer after)" if j + 1 < len(grads) and grads[j + 1] else ""
        print(f"  layer {j}: mean |grad| {g:.2e}{after}")


def plot(history: list, vanish: list, explode: list, path, sigmoid: list = ()):
    """Left: update:data ratio per layer and step; right: mean |grad| per layer for two deep stacks."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    for j in range(len(history[0])):
        axes[0].plot([r[j] for r in history], label=f"layer {j}")
    axes[0].set_yscale("log")
    axes[0].set_xlabel("step")
    axes[0].set_ylabel("|update| / |weights|")
    axes[0].axhline(1e-3, color="grey", ls=":", label="1e-3 rule of thumb")
    axes[0].legend()
    axes[1].plot(range(len(vanish)), vanish, "o-", label="tanh, xavier")
    axes[1].plot(range(len(explode)), explode, "s-", label="linear, uniform(-1,1)")
    if sigmoid:
        axes[1].plot(range(len(sigmoid)), sigmoid, "^-", label="sigmoid, uniform(-1,1), 8 hidden layers")
    axes[1].set_yscale("log")
    axes[1].set_xlabel("layer (0 = input side)")
    axes[1].set_ylabel("mean |grad|")
    axes[1].legend()
    return save_figure(fig, path, title="Training health", layout=False)


# %% [markdown]
# ## Data and network
#
# The two moons and a network with two hidden tanh layers of eight units.

# %%
@lesson.step
def setup(run):
    """Make the data and the network."""
    X, y = make_moons(24 if run.quick else 80, seed=2)
    model = MLP(2, [8, 8, 1], activation="tanh", seed=0)
    run.notes.update(X=X, y=y, model=model)
    print(f"{len(X)} points of the moons; the network:")
    print(model)


# %% [markdown]
# ## Update:data ratio, one callback call per step
#
# `Ratios` remembers each layer's weights and, after every step, divides the
# size of the change by the size of the weights. A common rule of thumb is
# that this ratio should sit around $10^{-3}$: much lower and the layer is
# barely learning, much higher and each step is throwing away a large part of
# what the weights held. Training runs in batches of eight, so there are
# several steps per epoch.
#
# With a learning rate of 0.1 on a network this small the ratios come out
# around $10^{-2}$, ten times the rule of thumb: quick learning, which a problem
# this easy tolerates. In a long run some steps show a ratio of exactly 0:
# every point of that batch is already past the hinge loss's margin, so the
# loss and its gradient are 0 and no weight moves.

# %%
@lesson.step
def update_ratios(run):
    """Train with the Ratios callback and show what it recorded."""
    X, y, model = run.notes["X"], run.notes["y"], run.notes["model"]
    ratios = Ratios(model)
    fit(model, X, y, lr=0.1, epochs=5 if run.quick else 40, batch_size=8, progress=False,
        callbacks=[ratios])
    history = ratios.history
    every = max(1, len(history) // 8)
    print("  step  " + "  ".join(f"layer {j}" for j in range(len(history[0]))))
    for k in list(range(0, len(history), every)) + ([len(history) - 1] if (len(history) - 1) % every else []):
        print(f"  {k + 1:4d}  " + "  ".join(f"{r:7.1e}" for r in history[k]))
    print()
    say(f"{len(history)} steps; last update:data ratios per layer: "
        + ", ".join(f"{r:.1e}" for r in history[-1]))
    run.result["ratios"] = history


# %% [markdown]
# ## Saturated and dead units
#
# A tanh unit whose output is close to ±1 has almost no slope, so almost no
# gradient flows through it: it is *saturated*. We provoke that on purpose with
# large initial weights (uniform in (-1, 1)) and inputs stretched six times.
# A ReLU unit that outputs 0 for every input is *dead*: its gradient is zero
# everywhere, so nothing will ever revive it. The numbers are the share of
# (input, unit) pairs that are saturated and the share of units that are dead.
# For the ReLU row only the dead share means anything: a ReLU has no flat top,
# so its "saturated" figure merely counts outputs above 0.97.

# %%
@lesson.step
def unit_states(run):
    """Share of saturated tanh units and dead ReLUs in the first layer."""
    X = run.notes["X"]
    health = {"tanh, uniform(-1,1) x 6": unit_health(MLP(2, [8, 1], activation="tanh", init="uniform",
                                                          seed=0), [[6 * a for a in x] for x in X]),
              "relu": unit_health(MLP(2, [8, 1], activation="relu", seed=0), X)}
    for k, v in health.items():
        print(f"{k:26s} saturated {v['saturated']:.2f}, dead {v['dead']:.2f}")
    run.result["health"] = health


# %% [markdown]
# ## Gradients that fade with depth
#
# Each layer's gradient is the loss's gradient multiplied back through every
# layer above it: by the weights, and by each activation's slope. If those
# factors are below 1 on average, the gradient shrinks with every layer it
# crosses, and the layers near the input learn slowly or not at all.
#
# First a deeper stack of tanh layers with Xavier initialisation, and one
# backward pass (the learning rate is 0, so the weights stay put). Xavier
# scales the initial weights so that signals keep roughly their size from
# layer to layer, and that is what we see: between neighbouring layers the
# mean gradient changes by less than a factor of 3, up or down, with no steady
# decline towards the input.

# %%
@lesson.step
def steady(run):
    """Mean |grad| per layer of a deep tanh stack with Xavier initialisation."""
    depth = 4 if run.quick else 8
    run.notes["depth"] = depth
    vanish = grad_by_layer(depth, run.notes["X"], run.notes["y"], "tanh", "xavier_uniform")
    print(f"{depth} hidden tanh layers, Xavier initialisation:")
    print_by_layer(vanish)
    run.result["vanish"] = vanish


# %% [markdown]
# Now sigmoid units with large weights, uniform in (-1, 1), eight layers deep
# even in the quick run. A sigmoid's slope is at most 1/4, and large weights push
# units towards the flat ends where it is far smaller. Going from the output
# towards the input, every layer gets a fraction of the gradient of the one
# after it, and those fractions multiply: the gradient *vanishes*.

# %%
@lesson.step
def vanishing(run):
    """Mean |grad| per layer of a deep sigmoid stack with large weights."""
    sigmoid = grad_by_layer(8, run.notes["X"], run.notes["y"], "sigmoid", "uniform")
    print("8 hidden sigmoid layers, uniform(-1, 1) initialisation:")
    print_by_layer(sigmoid)
    print(f"\nthe first layer gets {sigmoid[0] / sigmoid[-1]:.1e} of the output layer's gradient")
    run.notes["sigmoid"] = sigmoid


# %% [markdown]
# ## Gradients that grow with depth
#
# The opposite: the tanh stack's depth with no activation at all and weights
# uniform in (-1, 1). With eight inputs per unit, weights that size tend to
# make the signal bigger at every layer it crosses, forwards and backwards.
# The error signal each layer receives (the gradient of its biases, second
# column) grows from the output towards the input. The weights' gradients
# (first column) grow less, because a weight's gradient is that signal times
# the layer's input, and those inputs are small near the data and large near
# the output: the two trends partly cancel. Every layer's gradient is larger
# than in the tanh stack (last column), and the gap widens with depth: compare
# a quick run (4 layers) with a full one (8).

# %%
@lesson.step
def exploding(run):
    """Mean |grad| of weights and biases per layer of a deep linear stack with large weights."""
    depth = run.notes["depth"]
    X, y = run.notes["X"], run.notes["y"]
    explode = grad_by_layer(depth, X, y, "linear", "uniform")
    deltas = delta_by_layer(depth, X, y, "linear", "uniform")
    print(f"{depth} hidden linear layers, uniform(-1, 1) initialisation:")
    print(f"  {'layer':>5}  {'mean |grad|':>11}  {'bias |grad|':>11}  {'vs tanh':>8}")
    for j, (g, d, t) in enumerate(zip(explode, deltas, run.result["vanish"])):
        print(f"  {j:5d}  {g:11.2e}  {d:11.2e}  {g / t:7.1f}x")
    print(f"\nthe error signal at layer 0 is {deltas[0] / deltas[-1]:.1f} times the one at the output layer")
    run.result["explode"] = explode


# %% [markdown]
# ## The picture
#
# Left: each layer's update:data ratio at every step, on a log scale, with the
# $10^{-3}$ rule of thumb dotted (steps with a ratio of 0 leave gaps). Right:
# the mean gradient per layer for the three deep stacks, also on a log scale,
# where the same factor at every layer shows as a straight line: the sigmoid
# stack's line falls steadily towards the input.

# %%
@lesson.step
def picture(run):
    """Draw the ratios and the per-layer gradients."""
    run.keep(plot(run.result["ratios"], run.result["vanish"], run.result["explode"],
                  run.out / "training_health.png", sigmoid=run.notes["sigmoid"]))


# %% [markdown]
# ## What was drawn
#
# The files this run wrote.

# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew."""
    run.list_pictures()


main = lesson.main
