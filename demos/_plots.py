"""Pictures the training walkthroughs share: decision regions, loss curves, saving.

One palette for classes and one for methods, so a colour means the same thing
on every sheet. matplotlib is imported only through ``demos._common.pyplot``
inside the functions that draw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from engine import Value, no_grad

from ._common import linspace, pyplot, save_figure

# Colour-blind-friendly (Okabe-Ito): class k is always CLASS_COLOURS[k].
CLASS_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
                 "#56B4E9", "#F0E442", "#000000", "#999999", "#882255")
# Methods compared on one chart (optimizers, initialisations, losses).
LINE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


def outputs(model: Callable, points: Sequence[Sequence[float]]) -> list[list[float]]:
    """The model's output numbers for each point (one list per point), without a graph."""
    rows = []
    with no_grad():
        for p in points:
            out = model(list(p))
            rows.append([out.data] if isinstance(out, Value) else [o.data for o in out])
    return rows


def labels_of(rows: Sequence[Sequence[float]], threshold: float = 0.0) -> list[int]:
    """Class per output row: ``score > threshold`` for one output, else the largest output."""
    if rows and len(rows[0]) == 1:
        return [int(r[0] > threshold) for r in rows]
    return [max(range(len(r)), key=r.__getitem__) for r in rows]


def classify(model: Callable, points: Sequence[Sequence[float]], *,
             threshold: float = 0.0) -> list[int]:
    """Class of each point: ``score > threshold`` for one output, else the largest output.

    Runs under ``engine.no_grad()``, so no graph is kept.
    """
    return labels_of(outputs(model, points), threshold)


def accuracy_of(predicted: Sequence[int], y: Sequence[int]) -> float:
    """Fraction of ``predicted`` labels equal to ``y``."""
    if len(predicted) != len(y) or not y:
        raise ValueError(f"need equal, non-empty label lists, got {len(predicted)} and {len(y)}")
    return sum(int(p == t) for p, t in zip(predicted, y)) / len(y)


def plane_grid(X: Sequence[Sequence[float]], steps: int,
               margin: float = 0.4) -> tuple[list[float], list[float], list[tuple]]:
    """A ``steps`` x ``steps`` grid covering the 2-D points ``X`` (plus a margin).

    Returns ``(xs, ys, points)``: the two axes and every grid point, row by row.
    """
    if steps < 2:
        raise ValueError(f"a grid needs at least 2 steps per axis, got {steps}")
    x0 = min(p[0] for p in X) - margin
    x1 = max(p[0] for p in X) + margin
    y0 = min(p[1] for p in X) - margin
    y1 = max(p[1] for p in X) + margin
    xs, ys = linspace(x0, x1, steps), linspace(y0, y1, steps)
    return xs, ys, [(x, yv) for yv in ys for x in xs]


def scatter_classes(ax, X: Sequence[Sequence[float]], y: Sequence[int], *,
                    size: float = 22, legend: bool = True) -> None:
    """Scatter 2-D points coloured by class, one legend entry per class."""
    for k in sorted(set(y)):
        pts = [p for p, t in zip(X, y) if t == k]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=size,
                   color=CLASS_COLOURS[k % len(CLASS_COLOURS)], edgecolors="white",
                   linewidths=0.6, label=f"class {k}", zorder=3)
    if legend:
        ax.legend(loc="upper right", fontsize=8, framealpha=0.85)


def decision_regions(ax, model: Callable, X: Sequence[Sequence[float]], y: Sequence[int], *,
                     title: Optional[str] = None, steps: int = 90, threshold: float = 0.0,
                     legend: bool = True) -> float:
    """Shade the plane by the model's predicted class, draw the data on top.

    Returns the model's accuracy on ``(X, y)``, which is also shown in the corner.
    """
    from matplotlib.colors import ListedColormap

    xs, ys, grid = plane_grid(X, steps)
    rows = outputs(model, grid)
    if len(rows[0]) == 1:
        cmap = ListedColormap(CLASS_COLOURS[:2])
        # One score: shade by its side of the threshold, and draw the boundary where
        # the score crosses it (interpolated, so the line is smooth).
        zz = [[r[0] for r in rows[j * steps:(j + 1) * steps]] for j in range(steps)]
        scores = [r[0] for r in rows]
        if min(scores) == max(scores):
            # A constant score (a network that learned nothing): one class everywhere.
            ax.set_facecolor(CLASS_COLOURS[int(scores[0] > threshold)] + "38")
        else:
            span = max(abs(v) for v in scores) + abs(threshold) + 1.0
            levels = [threshold - span, threshold, threshold + span]
            ax.contourf(xs, ys, zz, levels=levels, cmap=cmap, alpha=0.22)
            ax.contour(xs, ys, zz, levels=[threshold], colors="#333333", linewidths=1.0)
    else:
        # Class c wins where its margin z_c - max(other z) is positive; filling and
        # outlining each margin's positive part gives smooth regions and boundaries.
        for c in range(len(rows[0])):
            margin = [r[c] - max(r[:c] + r[c + 1:]) for r in rows]
            zz = [margin[j * steps:(j + 1) * steps] for j in range(steps)]
            top = max(max(margin), 0.0) + 1.0
            if max(margin) > 0:
                ax.contourf(xs, ys, zz, levels=[0.0, top],
                            colors=[CLASS_COLOURS[c % len(CLASS_COLOURS)]], alpha=0.22)
                ax.contour(xs, ys, zz, levels=[0.0], colors="#333333", linewidths=0.9)
    scatter_classes(ax, X, y, legend=legend)
    acc = accuracy_of(classify(model, X, threshold=threshold), y)
    ax.text(0.02, 0.03, f"accuracy {acc:.0%}", transform=ax.transAxes, fontsize=9,
            bbox=dict(boxstyle="round,pad=0.3", facecolor="white", alpha=0.85, edgecolor="none"))
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal", adjustable="box")
    if title:
        ax.set_title(title)
    return acc


def curves(ax, series: Mapping[str, Sequence[float]], *, title: Optional[str] = None,
           xlabel: str = "step", ylabel: str = "loss", log: bool = False, start: int = 0,
           legend: bool = True) -> None:
    """One line per named series (loss or accuracy over training), with a legend.

    Point ``i`` of a series is drawn at ``x = start + i`` (``start=1`` for per-epoch records).
    """
    for i, (name, values) in enumerate(series.items()):
        ax.plot(range(start, start + len(values)), list(values),
                color=LINE_COLOURS[i % len(LINE_COLOURS)],
                linewidth=1.8, label=name)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(fontsize=9)


def figure(ncols: int = 1, nrows: int = 1, *, size: tuple = (5.2, 4.4)) -> tuple:
    """A new figure of ``nrows`` x ``ncols`` panels, each about ``size`` inches."""
    plt = pyplot()
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows),
                             squeeze=False, layout="constrained")
    return fig, [ax for row in axes for ax in row]


def regions_figure(count: int, X: Sequence[Sequence[float]], *, width: float = 3.9) -> tuple:
    """A row of ``count`` panels shaped for :func:`decision_regions` of the points ``X``.

    The height follows the data's aspect ratio, so the equal-aspect panels fill them.
    """
    xs, ys, _ = plane_grid(X, 2)
    ratio = (ys[-1] - ys[0]) / (xs[-1] - xs[0])
    return figure(count, size=(width, 0.8 * width * ratio + 1.1))


def save(fig, out: Path, name: str, *, title: Optional[str] = None) -> Path:
    """Write ``fig`` as ``out/name`` (PNG), close it and report the path."""
    return save_figure(fig, Path(out) / name, title=title, layout=False)
