"""The perceptron: a line that learns from its mistakes, and the one problem it cannot learn.

Rosenblatt's threshold unit (``nn.Perceptron``) learns AND, OR and two clouds of
points, with its decision line drawn after every pass over the data; then it
meets XOR, where no line exists and the learning rule goes round in circles.

Run it: ``python -m demos.perceptron [--out DIR] [--quick]``.
"""

from __future__ import annotations
import itertools

from nn import data
from nn.perceptron import Perceptron

from demos._common import say
from demos._figures.perceptron import draw_units, plot_blobs, plot_gates, plot_xor
from demos._lesson import Lesson

ORDER = 1
SUMMARY = "Rosenblatt's perceptron learns AND, OR and two blobs, line by line; XOR defeats it"

CORNERS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}

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


# %% [markdown]
# ## AND and OR
#
# Two gates on the four corners of the unit square. Each pass over the corners
# is one epoch; the numbers are how many corners the unit got wrong in each pass.

# %% [markdown]
# ## AND and OR: one pass at a time
#
# Starting from all-zero weights, each panel shows the line after one more pass
# over the four corners of the unit square. Rings mark the corners the perceptron
# still gets wrong. Both gates are *linearly separable* (a line can split the 1s
# from the 0s), and for such problems the perceptron convergence theorem
# guarantees the rule stops making mistakes after finitely many updates.

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
    run.keep(plot_gates(histories, CORNERS, GATES, run.out / "perceptron_and_or.png", steps))
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
#
# The same rule on sixty points from two clouds that come close to each other but
# can still be split by a line. Every pass leaves a line; early ones are pale, later
# ones dark. The mistakes drop quickly, then a couple of stubborn points near the
# gap keep the line rocking back and forth for a few passes, until a pass is clean.

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
    run.keep(plot_xor(xor_cycle(passes=5), curves, CORNERS, GATES["XOR"], run.out / "perceptron_xor.png", steps))


# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew."""
    run.list_pictures()


main = lesson.main
