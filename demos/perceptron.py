"""The perceptron: a line that learns from its mistakes, and the one problem it cannot learn.

Rosenblatt's threshold unit (``nn.Perceptron``) learns AND, OR and two clouds of
points, with its decision line drawn after every pass over the data; then it
meets XOR, where no line exists and the learning rule goes round in circles.

Run it: ``python -m demos.perceptron [--out DIR] [--quick]``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from nn import data
from nn.perceptron import Perceptron

from demos._common import graph_tool, pyplot, save_figure, say, write_svg
from demos._lesson import Lesson
from demos._plots import CLASS_COLOURS

ORDER = 1
SUMMARY = "Rosenblatt's perceptron learns AND, OR and two blobs, line by line; XOR defeats it"

CORNERS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}
LINE_COLOUR = "#222222"

lesson = Lesson("perceptron")

# %% [markdown]
# # The perceptron
#
# The oldest artificial neuron has the simplest job description. It takes a
# weighted sum of its inputs, adds a bias, and answers **1** if the total is
# positive and **0** otherwise:
#
# $$\hat y = \begin{cases}1 & w_1x_1 + w_2x_2 + b > 0\\ 0 & \text{otherwise}\end{cases}$$
#
# With two inputs, the points where $w_1x_1 + w_2x_2 + b = 0$ form a straight
# line across the plane; everything on one side is called 1, everything on the
# other 0. Learning means moving that line.
#
# Rosenblatt's rule moves it only when it is wrong. Visit the examples one by one;
# if the unit said 0 for a point labelled 1, add the point (times a learning rate)
# to the weights and add the learning rate to the bias, which drags the line
# towards answering 1 there. If it said 1 for a 0, subtract instead. Correct
# answers change nothing. There are no gradients here yet: the step function is
# flat everywhere, so calculus has nothing to offer. That comes later.

# %%
def snapshots(p: Perceptron, X: list, y: list, epochs: int) -> tuple:
    """Train ``p`` one pass at a time; the (w, b) after each pass, the mistakes made in each."""
    lines, mistakes = [], []
    for _ in range(epochs):
        result = p.fit(X, y, epochs=1)
        lines.append((list(p.w), p.b))
        mistakes.append(result.errors[0])
        if result.converged:
            break
    return lines, mistakes


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

# %% [markdown]
# ## AND and OR: one pass at a time
#
# Starting from all-zero weights, each panel shows the line after one more pass
# over the four corners of the unit square. Rings mark the corners the perceptron
# still gets wrong. Both gates are *linearly separable* (a line can split the 1s
# from the 0s), and for such problems the perceptron convergence theorem
# guarantees the rule stops making mistakes after finitely many updates.

# %%
def plot_gates(histories: dict, path: Path, steps: int) -> Path:
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
            scatter(ax, CORNERS, GATES[gate], at(w, b))
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

# %% [markdown]
# ## Two clouds of points
#
# The same rule on sixty points from two clouds that come close to each other but
# can still be split by a line. Every pass leaves a line; early ones are pale, later
# ones dark. The mistakes drop quickly, then a couple of stubborn points near the
# gap keep the line rocking back and forth for a few passes, until a pass is clean.

# %%
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

# %% [markdown]
# ## XOR: no line will do
#
# XOR answers 1 when exactly one input is 1. Suppose some line worked. The corner
# (0,0) must score $b \le 0$, the corners (1,0) and (0,1) must score $w_1 + b > 0$
# and $w_2 + b > 0$, and (1,1) must score $w_1 + w_2 + b \le 0$. Add the two middle
# conditions: $w_1 + w_2 + 2b > 0$, so $w_1 + w_2 + b > -b \ge 0$, which contradicts
# the last one. No line separates XOR, so the perceptron can never stop making
# mistakes: every update that fixes one corner breaks another. We check this three
# ways: the rule does not converge in many passes, a brute-force search over a grid
# of lines finds none that works (but finds plenty for AND), and a picture of the
# line chasing its own tail.

# %%
def separating_lines(labels: list, grid: list) -> int:
    """How many lines ``w1 x1 + w2 x2 + b`` with coefficients from ``grid`` get all four corners right."""
    found = 0
    for w1, w2, b in itertools.product(grid, repeat=3):
        if all((w1 * x[0] + w2 * x[1] + b > 0) == bool(t) for x, t in zip(CORNERS, labels)):
            found += 1
    return found


def xor_cycle(passes: int) -> list:
    """Run the rule on XOR one example at a time; the (w, b) after each update of the last pass."""
    p = Perceptron(2)
    updates = []
    for k in range(passes):
        for x, t in zip(CORNERS, GATES["XOR"]):
            if p.fit([x], [t], epochs=1).errors[0] and k == passes - 1:
                updates.append((list(p.w), p.b, x))
    return updates


def plot_xor(updates: list, curves: dict, path: Path, steps: int) -> Path:
    """Left: the lines of one pass of updates on XOR; right: mistakes per pass for each gate."""
    plt = pyplot()
    n = len(updates)
    fig = plt.figure(figsize=(3.0 * n + 5.5, 4.4))
    grid = fig.add_gridspec(1, n + 2)
    box = (-0.5, 1.5, -0.5, 1.5)
    for k, (w, b, fixed) in enumerate(updates):
        ax = fig.add_subplot(grid[0, k])
        shade(ax, w, b, box, steps)
        scatter(ax, CORNERS, GATES["XOR"], at(w, b), size=60)
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

# %% [markdown]
# ## AND and OR
#
# Two gates on the four corners of the unit square. Each pass over the corners
# is one epoch; the numbers are how many corners the unit got wrong in each pass.

# %%
@lesson.step
def gates(run):
    """Learn AND and OR on the four corners, and draw the line after every pass."""
    say("""The perceptron: a weighted sum, a bias, and a step. It says 1 on one side of
        a line and 0 on the other, and it learns by nudging that line every time it
        gets an example wrong.""")
    histories = {}
    for gate in ("AND", "OR"):
        lines, mistakes = snapshots(Perceptron(2), CORNERS, GATES[gate], epochs=50)
        histories[gate] = (lines, mistakes)
        w, b = lines[-1]
        print(f"  {gate}: mistakes per pass {mistakes} -> learned w = ({w[0]:g}, {w[1]:g}), b = {b:g}")
    print()
    steps = 60 if run.quick else 200
    run.keep(plot_gates(histories, run.out / "perceptron_and_or.png", steps))
    run.notes["histories"] = histories


# %% [markdown]
# ## The learned units as diagrams
#
# Each learned gate is one unit: two weighted inputs and a bias feeding a step.
# The diagrams show the numbers the rule settled on.

# %%
@lesson.step
def units(run):
    """Draw the learned AND and OR units, and say what their weights mean."""
    for gate, (lines, _) in run.notes["histories"].items():
        w, b = lines[-1]
        sign = "-" if b < 0 else "+"
        print(f"  {gate}: fires when {w[0]:g}*x1 + {w[1]:g}*x2 {sign} {abs(b):g} > 0")
    run.keep(draw_units(run.notes["histories"], run.out))


# %% [markdown]
# ## Two clouds of points
#
# Sixty points from two overlapping-free clouds. When the last pass makes no
# mistake, the perceptron has found a separating line and stops moving.

# %%
@lesson.step
def blobs(run):
    """Learn to separate two clouds of points."""
    X, y = data.make_blobs(n=60, centers=[[-1.0, -0.5], [1.0, 1.0]], std=0.7, seed=0)
    blob_lines, blob_mistakes = snapshots(Perceptron(2, lr=0.5), X, y, epochs=100)
    learned = blob_mistakes[-1] == 0
    say(f"""Two clouds of 60 points: mistakes per pass {blob_mistakes}. The last pass
        was clean, so the perceptron has found a separating line.""" if learned else
        f"""Two clouds: still {blob_mistakes[-1]} mistakes after {len(blob_mistakes)} passes.""")
    steps = 120 if run.quick else 400
    run.keep(plot_blobs(X, y, blob_lines, blob_mistakes, run.out / "perceptron_blobs.png", steps))
    run.result.update(blobs_converged=learned, blob_mistakes=blob_mistakes)


# %% [markdown]
# ## XOR
#
# Now the gate that says 1 when exactly one input is 1. Watch the mistakes per
# pass: they never reach zero, because no line has both 1-corners on one side
# and both 0-corners on the other.

# %%
@lesson.step
def xor(run):
    """Try XOR with the same rule, and count its mistakes per pass."""
    passes = 200 if run.quick else 1000
    results = {gate: Perceptron(2).fit(CORNERS, labels, epochs=passes) for gate, labels in GATES.items()}
    xor = results["XOR"]
    say(f"""XOR: after {xor.epochs} passes the perceptron has not converged (converged =
        {xor.converged}); its best pass still made {min(xor.errors)} mistakes. AND converged
        after {results['AND'].epochs} passes and OR after {results['OR'].epochs}.""")
    run.notes["results"] = results
    run.result.update(converged={gate: r.converged for gate, r in results.items()},
                      errors={gate: r.errors for gate, r in results.items()})


# %% [markdown]
# ## No line exists
#
# Trying harder cannot help. Count the lines, over a grid of weights and biases,
# that get each gate right on all four corners.

# %%
@lesson.step
def line_search(run):
    """Brute-force every line on a coarse grid and count those that solve each gate."""
    coefficients = [k / 4 for k in range(-8, 9)]  # -2, -1.75, ..., 2
    search = {gate: separating_lines(labels, coefficients) for gate, labels in GATES.items()}
    say(f"""A brute-force search over all {len(coefficients) ** 3} lines with w1, w2, b in
        -2, -1.75, ..., 2 finds {search['AND']} that get AND right, {search['OR']} for OR
        and {search['XOR']} for XOR.""")
    run.result.update(separating_lines=search)


# %% [markdown]
# ## The circle XOR goes round
#
# Each update fixes one corner and breaks another. The picture follows a few
# updates, and the mistakes per pass for all three gates.

# %%
@lesson.step
def xor_picture(run):
    """Draw the cycle of updates XOR falls into."""
    say("""That is the limit of a single unit. Put a layer of such units in front of it,
        each drawing its own line, and the last unit no longer has to separate the raw
        points: hidden_units shows how a hidden layer turns XOR into a problem one line
        can solve.""")
    curves = {gate: result.errors[:12] for gate, result in run.notes["results"].items()}
    steps = 60 if run.quick else 200
    run.keep(plot_xor(xor_cycle(passes=5), curves, run.out / "perceptron_xor.png", steps))


# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew."""
    run.list_pictures()


main = lesson.main
