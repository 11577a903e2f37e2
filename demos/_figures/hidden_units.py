"""The drawing code of the hidden-units walkthrough (``demos/hidden_units.py``).

The ReLU pieces of the curve fit, added up one at a time, and XOR in the input plane
and in the hidden plane. The numbers come from the walkthrough; these functions only draw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import nn

from demos._common import pyplot, save_figure
from demos._plots import CLASS_COLOURS

PIECE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                 "#882255", "#999933", "#44AA99", "#AA4499", "#117733", "#332288")


def plot_pieces(xs: list, pieces: list, bias: float, model_out: list, X: list, y: list,
                bends: list, path: Path, *, target: Callable) -> Path:
    """Left: every ReLU piece; middle: adding them one at a time; right: the fit.

    ``target`` is the true curve, drawn dotted under the fit.
    """
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(16, 5.6))
    ax = axes[0]
    for j, piece in enumerate(pieces):
        colour = PIECE_COLOURS[j % len(PIECE_COLOURS)]
        ax.plot(xs, piece, color=colour, linewidth=1.8, label=f"unit {j}")
        if bends[j] is not None and xs[0] <= bends[j] <= xs[-1]:
            ax.axvline(bends[j], color=colour, linewidth=0.7, linestyle=":")
    ax.axhline(bias, color="#333333", linewidth=1.2, linestyle="--", label=f"output bias {bias:+.2f}")
    ax.set_title("each hidden unit's piece  $v_j\\,\\mathrm{relu}(w_j x + b_j)$")
    ax.legend(fontsize=8, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False)

    bx = axes[1]
    running = [bias] * len(xs)
    bx.plot(xs, running, color="#BBBBBB", linewidth=1.0)
    order = sorted(range(len(pieces)), key=lambda j: bends[j] if bends[j] is not None else 0.0)
    for n, j in enumerate(order):
        running = [r + p for r, p in zip(running, pieces[j])]
        last = n == len(order) - 1
        bx.plot(xs, running, color="#000000" if last else PIECE_COLOURS[j % len(PIECE_COLOURS)],
                linewidth=2.6 if last else 1.1, alpha=1.0 if last else 0.8,
                label="bias + all eight pieces" if last else None)
    bx.plot([], [], color="#888888", linewidth=1.1,
            label="running total after adding unit j (in unit j's colour)")
    bx.set_title("adding the pieces one at a time, in order of their bends")
    bx.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False)

    cx = axes[2]
    total = [bias + sum(col) for col in zip(*pieces)]
    cx.scatter(X, y, s=18, color="#777777", zorder=3, label="training points")
    cx.plot(xs, [target(x) for x in xs], color="#009E73", linewidth=1.2, linestyle=":",
            label="the true curve")
    cx.plot(xs, model_out, color="#D55E00", linewidth=3.5, alpha=0.6, label="the network's output")
    cx.plot(xs, total, color="#000000", linewidth=1.2, linestyle="--", label="sum of the pieces")
    cx.set_title("the sum of the pieces IS the network")
    cx.legend(fontsize=8, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False)
    for a in axes:
        a.set_xlabel("x")
        a.grid(True, alpha=0.3)
    axes[0].set_ylabel("y")
    return save_figure(fig, path, title="A 1 → 8 → 1 ReLU network is a bias plus eight hinges")


def plot_xor(model: nn.MLP, X: list, y: list, path: Path, steps: int, *,
             scores: Callable, hidden_coordinates: Callable) -> Path:
    """Left: input space with the hidden units' lines; right: hidden space with the output line.

    ``scores(model, points)`` and ``hidden_coordinates(model, points)`` are the walkthrough's
    own: the output unit's score and the hidden layer's outputs for each point.
    """
    plt = pyplot()
    import numpy as np

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(12.5, 6.6), layout="constrained")
    lo, hi = -0.6, 1.6
    gx, gy = np.meshgrid(np.linspace(lo, hi, steps), np.linspace(lo, hi, steps))
    pts = list(zip(gx.ravel().tolist(), gy.ravel().tolist()))
    zz = np.array(scores(model, pts)).reshape(gx.shape)
    ax.contourf(gx, gy, (zz > 0).astype(float), levels=[-0.5, 0.5, 1.5], colors=CLASS_COLOURS[:2],
                alpha=0.14)
    ax.contour(gx, gy, zz, levels=[0.0], colors="#222222", linewidths=1.8)
    unit_colours = ("#009E73", "#CC79A7")
    for j, unit in enumerate(model.layers[0].neurons):
        w1, w2, b = unit.w[0].data, unit.w[1].data, unit.b.data
        ax.contour(gx, gy, w1 * gx + w2 * gy + b, levels=[0.0], colors=[unit_colours[j]],
                   linewidths=1.6, linestyles="--")
        ax.plot([], [], color=unit_colours[j], linestyle="--", label=f"hidden unit {j + 1}: $h_{j + 1} = 0$")
    ax.plot([], [], color="#222222", label="the network's decision")
    for k in (0, 1):
        pk = [p for p, t in zip(X, y) if t == k]
        ax.scatter([p[0] for p in pk], [p[1] for p in pk], s=26, color=CLASS_COLOURS[k],
                   edgecolors="white", linewidths=0.6, zorder=3, label=f"label {k}")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title("input space: no single line separates the colours")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)

    for c in np.linspace(lo, hi, 9):
        for line in ([(c, t) for t in np.linspace(lo, hi, 60)], [(t, c) for t in np.linspace(lo, hi, 60)]):
            h = hidden_coordinates(model, line)
            bx.plot([p[0] for p in h], [p[1] for p in h], color="#BBBBBB", linewidth=0.8, zorder=1)
    H = hidden_coordinates(model, X)
    for k in (0, 1):
        hk = [h for h, t in zip(H, y) if t == k]
        bx.scatter([h[0] for h in hk], [h[1] for h in hk], s=26, color=CLASS_COLOURS[k],
                   edgecolors="white", linewidths=0.6, zorder=3, label=f"label {k}")
    out = model.layers[1].neurons[0]
    v1, v2, c = out.w[0].data, out.w[1].data, out.b.data
    hx, hy = np.meshgrid(np.linspace(-1.1, 1.1, steps), np.linspace(-1.1, 1.1, steps))
    score = v1 * hx + v2 * hy + c
    bx.contourf(hx, hy, (score > 0).astype(float), levels=[-0.5, 0.5, 1.5], colors=CLASS_COLOURS[:2],
                alpha=0.14)
    bx.contour(hx, hy, score, levels=[0.0], colors="#222222", linewidths=1.8)
    bx.plot([], [], color="#222222", label=f"output line {v1:+.2f} h1 {v2:+.2f} h2 {c:+.2f} = 0")
    bx.plot([], [], color="#BBBBBB", label="where the input plane's grid lines land")
    bx.set_xlim(-1.1, 1.1)
    bx.set_ylim(-1.1, 1.1)
    bx.set_aspect("equal")
    bx.set_xlabel("$h_1$ (hidden unit 1)")
    bx.set_ylabel("$h_2$ (hidden unit 2)")
    bx.set_title("hidden space: one straight line separates them")
    bx.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    return save_figure(fig, path,
                       title="XOR through two hidden units (2 → 2 → 1, tanh)", layout=False, bbox_inches="tight")
