"""The drawing code of the perceptron walkthrough (``demos/perceptron.py``).

Each picture takes the numbers the walkthrough computed (the lines after each pass,
the mistakes per pass, the corners and their labels) and only draws them.
"""

from __future__ import annotations

from pathlib import Path

from nn.perceptron import Perceptron

from demos._common import graph_tool, pyplot, save_figure, write_svg
from demos._plots import CLASS_COLOURS

LINE_COLOUR = "#222222"


def shade(ax, w: list, b: float, box: tuple, steps: int) -> None:
    """Colour the plane by the perceptron's answer and draw its decision line."""
    import numpy as np
    from matplotlib.colors import ListedColormap

    x0, x1, y0, y1 = box
    gx, gy = np.meshgrid(np.linspace(x0, x1, steps), np.linspace(y0, y1, steps))
    answer = (w[0] * gx + w[1] * gy + b > 0).astype(float)
    ax.imshow(answer, extent=box, origin="lower", cmap=ListedColormap(CLASS_COLOURS[:2]), vmin=0, vmax=1,
              alpha=0.13, interpolation="nearest", aspect="auto", zorder=0)
    draw_line(ax, w, b, box, color=LINE_COLOUR, linewidth=1.6)


def draw_line(ax, w: list, b: float, box: tuple, **style) -> None:
    """The line ``w[0] x + w[1] y + b = 0`` across ``box`` (nothing when w is all zero)."""
    x0, x1, y0, y1 = box
    if abs(w[1]) >= abs(w[0]) and w[1] != 0.0:
        ax.plot([x0, x1], [-(w[0] * x0 + b) / w[1], -(w[0] * x1 + b) / w[1]], **style)
    elif w[0] != 0.0:
        ax.plot([-(w[1] * y0 + b) / w[0], -(w[1] * y1 + b) / w[0]], [y0, y1], **style)


def scatter(ax, X: list, y: list, p: Perceptron | None = None, size: float = 70) -> None:
    """The points coloured by label; points ``p`` gets wrong are ringed in black."""
    for k in (0, 1):
        pts = [x for x, t in zip(X, y) if t == k]
        ax.scatter([q[0] for q in pts], [q[1] for q in pts], s=size, color=CLASS_COLOURS[k],
                   edgecolors="white", linewidths=0.8, zorder=3, label=f"label {k}")
    if p is not None:
        wrong = [x for x, t in zip(X, y) if p.predict(x) != t]
        ax.scatter([q[0] for q in wrong], [q[1] for q in wrong], s=size * 3.2,
                   facecolors="none", edgecolors="black", linewidths=1.6, zorder=4,
                   label="wrong")


def at(w: list, b: float) -> Perceptron:
    """A perceptron frozen at weights ``w`` and bias ``b`` (for drawing)."""
    p = Perceptron(len(w))
    p.w, p.b = list(w), b
    return p


def plot_gates(histories: dict, corners: list, gates: dict, path: Path, steps: int) -> Path:
    """One row per gate, one panel per pass: the line after that pass."""
    plt = pyplot()
    cols = max(len(lines) for lines, _ in histories.values())
    fig, axes = plt.subplots(len(histories), cols, figsize=(2.6 * cols, 3.3 * len(histories) + 0.6),
                             squeeze=False)
    box = (-0.5, 1.5, -0.5, 1.5)
    for row, (gate, (lines, _mistakes)) in zip(axes, histories.items()):
        for k, ax in enumerate(row):
            if k >= len(lines):
                ax.axis("off")
                continue
            w, b = lines[k]
            shade(ax, w, b, box, steps)
            scatter(ax, corners, gates[gate], at(w, b))
            ax.set_xlim(box[0], box[1])
            ax.set_ylim(box[2], box[3])
            ax.set_aspect("equal")
            ax.set_xticks([0, 1])
            ax.set_yticks([0, 1])
            done = " (clean)" if k == len(lines) - 1 else ""
            ax.set_title(f"{gate}, after pass {k + 1}{done}\n"
                         f"w=({w[0]:g}, {w[1]:g}) b={b:g}", fontsize=9)
            if k == 0:
                ax.set_ylabel("$x_2$")
            ax.set_xlabel("$x_1$")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, ["label 0", "label 1", "still wrong after this pass"], loc="lower center",
               ncol=3, fontsize=9, frameon=False)
    return save_figure(fig, path,
                       title="The perceptron learning AND and OR, one pass over the data at a time", layout=(0, 0.05, 1, 1))


def draw_units(histories: dict, out: Path) -> list:
    """The learned AND and OR units as network diagrams (SVG), when Graphviz is available."""
    drawer = graph_tool("nn", "draw_network")
    if drawer is None:
        print("  (nn.draw_network or the Graphviz 'dot' program is missing: no unit diagrams)")
        return []
    files = []
    for gate, (lines, _) in histories.items():
        w, b = lines[-1]
        files.append(write_svg(drawer(at(w, b), input_names=["x1", "x2"],
                                      title=f"the perceptron that learned {gate}"),
                               out / f"perceptron_{gate.lower()}.svg"))
    return files


def plot_blobs(X: list, y: list, lines: list, mistakes: list, path: Path, steps: int) -> Path:
    """Left: every pass's line, pale to dark; right: mistakes per pass."""
    plt = pyplot()
    from matplotlib import cm

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11.5, 4.8), gridspec_kw={"width_ratios": [1.25, 1]})
    xs0, xs1 = [p[0] for p in X], [p[1] for p in X]
    box = (min(xs0) - 0.5, max(xs0) + 0.5, min(xs1) - 0.5, max(xs1) + 0.5)
    final_w, final_b = lines[-1]
    shade(ax, final_w, final_b, box, steps)
    import numpy as np
    shades = cm.Greys(np.linspace(0.3, 0.9, len(lines)))
    for (w, b), colour in zip(lines[:-1], shades):
        draw_line(ax, w, b, box, color=colour, linewidth=1.0, linestyle="--")
    scatter(ax, X, y, size=30)
    ax.plot([], [], color="#999999", linestyle="--", label="line after earlier passes")
    ax.plot([], [], color=LINE_COLOUR, label=f"final line (pass {len(lines)})")
    ax.set_xlim(box[0], box[1])
    ax.set_ylim(box[2], box[3])
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title("decision line after each pass")
    ax.legend(fontsize=8, loc="upper left", framealpha=0.9)
    bars = bx.bar(range(1, len(mistakes) + 1), mistakes, color="#0072B2")
    bx.bar_label(bars, fontsize=8)
    bx.set_xlabel("pass over the data")
    bx.set_ylabel("mistakes (= updates) in that pass")
    bx.set_title("it stops as soon as a pass has no mistakes")
    bx.set_xticks(range(1, len(mistakes) + 1))
    bx.grid(True, axis="y", alpha=0.3)
    return save_figure(fig, path,
                       title="The perceptron on two separable clouds (60 points, weights start at 0)")


def plot_xor(updates: list, curves: dict, corners: list, labels: list, path: Path, steps: int) -> Path:
    """Left: the lines of one pass of updates on XOR; right: mistakes per pass for each gate."""
    plt = pyplot()
    n = len(updates)
    fig = plt.figure(figsize=(3.0 * n + 5.5, 4.4))
    grid = fig.add_gridspec(1, n + 2)
    box = (-0.5, 1.5, -0.5, 1.5)
    for k, (w, b, fixed) in enumerate(updates):
        ax = fig.add_subplot(grid[0, k])
        shade(ax, w, b, box, steps)
        scatter(ax, corners, labels, at(w, b), size=60)
        ax.annotate("just fixed", xy=fixed, xytext=(0.5, 0.62 if fixed[1] else 0.38), ha="center",
                    fontsize=8, arrowprops=dict(arrowstyle="->", color="#444444", shrinkB=6))
        ax.set_xlim(box[0], box[1])
        ax.set_ylim(box[2], box[3])
        ax.set_aspect("equal")
        ax.set_xticks([0, 1])
        ax.set_yticks([0, 1])
        ax.set_xlabel("$x_1$")
        if k == 0:
            ax.set_ylabel("$x_2$")
        ax.set_title(f"update {k + 1}: w=({w[0]:g}, {w[1]:g}) b={b:g}", fontsize=9)
    bx = fig.add_subplot(grid[0, n:])
    colours = {"AND": "#009E73", "OR": "#CC79A7", "XOR": "#D55E00"}
    for gate, mistakes in curves.items():
        bx.plot(range(1, len(mistakes) + 1), mistakes, marker="o", markersize=4,
                color=colours[gate], linewidth=1.8, label=gate)
    bx.set_xlabel("pass over the four corners")
    bx.set_ylabel("mistakes in that pass")
    bx.set_ylim(-0.2, 4.5)
    bx.set_title("AND and OR reach 0 and stop; XOR never does")
    bx.grid(True, alpha=0.3)
    bx.legend()
    handles, _ = fig.axes[0].get_legend_handles_labels()
    fig.legend(handles, ["label 0", "label 1", "wrong after this update"], loc="lower center",
               ncol=3, fontsize=9, frameon=False, bbox_to_anchor=(0.3, -0.02))
    fig.subplots_adjust(bottom=0.2)
    return save_figure(fig, path, title="XOR: each update fixes one corner and breaks another")
