"""The drawing code of the backprop_mlp walkthrough (``demos/backprop_mlp.py``).

The walkthrough trains the network and checks its gradients; these functions draw the loss along
single parameters with backward's tangent, the learning curves, and the decision regions at the
saved moments of training.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

import engine
from nn import MLP
from demos import _plots
from demos._common import linspace

if TYPE_CHECKING:
    from demos.backprop_mlp import GradRow, Training


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


def plot_slopes(model: MLP, rows: list[GradRow], loss: Callable[[], float], out: Path,
                width: float = 0.5, points: int = 41) -> Path:
    """For a few parameters: the loss as that one parameter moves, and backward's tangent.

    ``loss()`` is the number the loss has at the model's current parameters.
    """
    params = {p.label: p for p in model.parameters()}
    fig, axes = _plots.figure(len(rows), size=(3.6, 3.3))
    for ax, row in zip(axes, rows):
        p = params[row.name]
        centre, base = p.data, loss()
        offsets = linspace(-width, width, points)
        with engine.no_grad():
            values = []
            for d in offsets:
                p.data = centre + d
                values.append(loss())
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
