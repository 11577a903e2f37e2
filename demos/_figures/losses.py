"""The drawing code of the losses walkthrough (``demos/losses.py``).

The shapes of the losses and their slopes over one logit, the training curves of the
three losses, and the decision regions of their networks. The losses and the trained
models come from the walkthrough; these functions only draw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from demos import _plots


def plot_shapes(out: Path, zs: list[float], shapes: dict, wrong_below: float, *,
                loss_and_slope: Callable) -> Path:
    """Both losses and both derivatives over a range of logits.

    ``shapes`` maps a name to a loss of one logit; ``loss_and_slope(fn, z)`` is the walkthrough's
    (the loss and its derivative at ``z``, from the engine); logits below ``wrong_below`` are shaded.
    """
    fig, (left, right) = _plots.figure(2, size=(5.2, 3.9))
    for i, (name, fn) in enumerate(shapes.items()):
        pairs = [loss_and_slope(fn, z) for z in zs]
        colour = _plots.LINE_COLOURS[i]
        left.plot(zs, [p[0] for p in pairs], color=colour, linewidth=2, label=name)
        right.plot(zs, [p[1] for p in pairs], color=colour, linewidth=2, label=name)
    for ax, label, title in ((left, "loss", "Loss for a class-1 example"),
                             (right, "dL/dz (from backward)", "Gradient sent back to the logit")):
        ax.axvspan(zs[0], wrong_below, color="#999999", alpha=0.15)
        ax.set_xlabel("logit z")
        ax.set_ylabel(label)
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend()
    style = dict(fontsize=9, color="#555555", ha="center", linespacing=1.1)
    # Left: in the top of the band, right of where cross-entropy climbs (it is below
    # 4.5 there) and far above squared error (at most 1).
    left.text(0.5 * (wrong_below - 4.6), 0.96, "confidently\nwrong", va="top",
              transform=left.get_xaxis_transform(), **style)
    # Right: halfway between the two slopes, which sit near 0 and near -1 in the band.
    right.text(0.5 * (zs[0] + wrong_below), -0.5, "confidently\nwrong", va="center", **style)
    return _plots.save(fig, out, "loss_shapes.png",
                       title="Squared error goes quiet exactly when the model is most wrong")


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


def plot_regions(clean: dict, X: list, y: list[int], planted: dict, Xp: list, yp: list[int],
                 out: Path, steps: int, epochs: tuple = (30, 30)) -> Path:
    """Top row: the models trained on the spiral; bottom row: those trained with planted points."""
    X_all, y_all = X + Xp, y + yp
    xs, ys, _ = _plots.plane_grid(X_all, 2)
    width = 4.2
    fig, axes = _plots.figure(len(clean), 2,
                              size=(width, 0.8 * width * (ys[-1] - ys[0]) / (xs[-1] - xs[0]) + 1.1))
    top, bottom = axes[:len(clean)], axes[len(clean):]
    for i, (ax, (name, model)) in enumerate(zip(top, clean.items())):
        _plots.decision_regions(ax, model, X, y, title=f"{name}\nspiral only, {epochs[0]} epochs", steps=steps,
                                legend=i == 0)
    for i, (ax, (name, model)) in enumerate(zip(bottom, planted.items())):
        _plots.decision_regions(ax, model, X_all, y_all, steps=steps, legend=False,
                                title=f"{name}\nspiral + {len(Xp)} planted, {epochs[1]} epochs")
        ring = ax.scatter([p[0] for p in Xp], [p[1] for p in Xp], s=110, facecolors="none",
                          edgecolors="black", linewidths=1.2, zorder=4, label="planted point")
        if i == 0:
            ax.legend(handles=[ring], loc="lower center", fontsize=8, framealpha=0.85)
    return _plots.save(fig, out, "decision_regions.png",
                       title="Three losses, one network: the spiral alone (top), "
                             "and with planted points (bottom)")
