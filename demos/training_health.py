# %% [markdown]
# # Training health: what to watch while a network learns
#
# A `fit` callback sees the model after every step. From it we read the
# update:data ratio of each layer (how much one step changes the weights,
# relative to their size), and after training the share of saturated tanh
# units and dead ReLUs. A deep tanh stack shows gradients shrinking layer by layer.

# %%
from __future__ import annotations

import math

from demos._common import options, pyplot, save_figure, say
from nn import MLP, fit, make_moons

ORDER = 13
SUMMARY = "fit callbacks: update:data ratio per layer, saturated tanh, dead ReLUs, gradients vs depth"


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


# %%
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


# %% [markdown]
# ## Watching a network train
#
# The cell below trains with a callback that records the diagnostics at every step, then plots them.

# %%
def main(argv=None) -> dict:
    """Run the walkthrough; returns ratios, unit health and per-layer gradients."""
    opts = options("training_health", argv)
    X, y = make_moons(24 if opts.quick else 80, seed=2)
    model = MLP(2, [8, 8, 1], activation="tanh", seed=0)
    ratios = Ratios(model)
    fit(model, X, y, lr=0.1, epochs=5 if opts.quick else 40, batch_size=8, progress=False,
        callbacks=[ratios])
    say(f"{len(ratios.history)} steps; last update:data ratios per layer: "
        + ", ".join(f"{r:.1e}" for r in ratios.history[-1]))
    health = {"tanh, uniform(-1,1) x 6": unit_health(MLP(2, [8, 1], activation="tanh", init="uniform",
                                                          seed=0), [[6 * a for a in x] for x in X]),
              "relu": unit_health(MLP(2, [8, 1], activation="relu", seed=0), X)}
    for k, v in health.items():
        print(f"{k:26s} saturated {v['saturated']:.2f}, dead {v['dead']:.2f}")
    depth = 4 if opts.quick else 8
    vanish = grad_by_layer(depth, X, y, "tanh", "xavier_uniform")
    explode = grad_by_layer(depth, X, y, "linear", "uniform")
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    for j in range(len(ratios.history[0])):
        axes[0].plot([r[j] for r in ratios.history], label=f"layer {j}")
    axes[0].set_yscale("log"); axes[0].set_xlabel("step"); axes[0].set_ylabel("|update| / |weights|")
    axes[0].axhline(1e-3, color="grey", ls=":", label="1e-3 rule of thumb"); axes[0].legend()
    axes[1].plot(range(len(vanish)), vanish, "o-", label="tanh, xavier")
    axes[1].plot(range(len(explode)), explode, "s-", label="linear, uniform(-1,1)")
    axes[1].set_yscale("log"); axes[1].set_xlabel("layer (0 = input side)"); axes[1].set_ylabel("mean |grad|")
    axes[1].legend()
    print("Pictures written:")
    save_figure(fig, opts.out / "training_health.png", title="Training health", layout=False)
    return {"ratios": ratios.history, "health": health, "vanish": vanish, "explode": explode}


# %%
if __name__ == "__main__":
    main()
