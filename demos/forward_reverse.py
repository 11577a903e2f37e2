"""Forward mode, reverse mode, and the gradient of a gradient.

The same gradient of a loss of n parameters two ways: n forward-mode passes
(``engine.jvp``) or one reverse pass (``backward``); then the work each needs as
n grows, and a second derivative from ``engine.grad(engine.grad(f))``.

Run it: ``python -m demos.forward_reverse [--out DIR] [--quick]``.
"""

from __future__ import annotations

import inspect

from demos._common import pyplot, save_figure, say
from demos._lesson import Lesson
from engine import Value, grad, jvp, topological_order

ORDER = 16
SUMMARY = "engine.jvp (forward) vs backward and engine.grad (reverse), grad of grad; op counts"

lesson = Lesson("forward_reverse")

# %% [markdown]
# # Forward mode, reverse mode, and the gradient of a gradient
#
# The chain rule can be run in either direction through a graph.
#
# *Forward mode* (`engine.jvp`) picks one direction in parameter space and
# pushes a "tangent" along with the values: every node learns how fast it
# changes when the inputs move in that direction. One pass gives one
# directional derivative. To get all $n$ partial derivatives, move along each
# axis in turn: $n$ passes.
#
# *Reverse mode* (`backward()`, `engine.grad`) starts at the output and sends
# gradients back: one pass gives the derivative of that one output with
# respect to every parameter at once.
#
# Training has one loss and many parameters, which is why everything else in
# this project runs backwards. Here we check that the two modes agree, count
# the work each one does, and finish with a second derivative.

# %%
def loss(*ws):
    """A loss of n parameters: sum of tanh(w_i * c_i)^2 plus a coupling product."""
    total = Value(0.0)
    for i, w in enumerate(ws):
        total = total + ((w * (0.3 + 0.1 * i)).tanh()) ** 2
    return total + ws[0] * ws[-1]


def graph_size(n: int) -> int:
    """Nodes in the loss graph for n parameters."""
    return len(topological_order(loss(*[Value(0.5) for _ in range(n)])))


def start(n: int) -> list:
    """The point the gradients are taken at: 0.1, 0.2, ..., 0.1 n."""
    return [0.1 * (i + 1) for i in range(n)]


def forward_partials(n: int) -> list:
    """All n partial derivatives by forward mode: one jvp pass per coordinate axis."""
    point = start(n)
    return [jvp(loss, point, [1.0 if j == i else 0.0 for j in range(n)])[1] for i in range(n)]


def reverse_partials(n: int) -> list:
    """All n partial derivatives by one backward pass."""
    ws = [Value(p) for p in start(n)]
    loss(*ws).backward()
    return [w.grad for w in ws]


def gradients_both_ways(n: int) -> tuple:
    """All n partial derivatives by n forward passes and by one reverse pass."""
    return forward_partials(n), reverse_partials(n)


def cube(x):
    """x cubed: first derivative 3x^2, second 6x."""
    return x ** 3


def plot(sizes: list, work: dict, path):
    """Node visits for the full gradient, forward against reverse, as n grows."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.8))
    ax.plot(sizes, [work[k]["forward"] for k in sizes], "o-", label="forward mode: n passes")
    ax.plot(sizes, [work[k]["reverse"] for k in sizes], "s-", label="reverse mode: 1 forward + 1 backward")
    ax.set_xlabel("number of parameters n")
    ax.set_ylabel("node visits for the full gradient")
    ax.legend()
    return save_figure(fig, path, title="Why reverse mode wins for one loss")


# %% [markdown]
# ## The function
#
# A loss of $n$ parameters: each $w_i$ is scaled, squashed by tanh and squared,
# the squares are added, and a product $w_0 w_{n-1}$ ties the first and last
# together so that not every partial derivative looks alike. Here is the code
# and its value at the point $w = (0.1, 0.2, \dots)$.

# %%
@lesson.step
def the_loss(run):
    """Show the loss's code and its value at the starting point."""
    n = 6 if run.quick else 20
    run.notes["n"] = n
    print(inspect.getsource(loss))
    point = start(n)
    print(f"n = {n}, w = ({', '.join(f'{p:g}' for p in point)})")
    print(f"loss(w) = {loss(*[Value(p) for p in point]).data:.6f}; its graph has {graph_size(n)} nodes")


# %% [markdown]
# ## Forward mode: one pass per parameter
#
# `jvp(loss, point, direction)` returns the loss and its derivative along
# `direction`. Along the $i$-th axis, $(0, \dots, 1, \dots, 0)$, that is the
# partial derivative $\partial L/\partial w_i$. Each line below is a separate
# forward pass through the whole graph.

# %%
@lesson.step
def forward_mode(run):
    """n jvp passes, one per axis."""
    forward = forward_partials(run.notes["n"])
    run.notes["forward"] = forward
    for i, d in enumerate(forward):
        print(f"  pass {i + 1:2d}, direction e_{i}: dL/dw_{i} = {d:+.12f}")


# %% [markdown]
# ## Reverse mode: one pass for all of them
#
# One forward pass to build the graph, one `backward()`, and every parameter's
# `.grad` is filled in. The two lists should agree up to rounding, since both
# multiply the same local derivatives, only in a different order.

# %%
@lesson.step
def reverse_mode(run):
    """One backward pass, compared with the forward-mode partials."""
    n, forward = run.notes["n"], run.notes["forward"]
    reverse = reverse_partials(n)
    for i, (f, r) in enumerate(zip(forward, reverse)):
        print(f"  w_{i}.grad = {r:+.12f}   (forward mode: {f:+.12f})")
    print()
    biggest = max(abs(a - b) for a, b in zip(forward, reverse))
    say(f"{n} parameters: forward mode and reverse mode agree to {biggest:.1e}.")
    run.result["max_difference"] = biggest


# %% [markdown]
# ## Counting the work
#
# Count node visits. A pass through a graph of $N$ nodes in forward mode visits
# each node once, carrying its value and its tangent: call it $2N$. A full
# gradient needs $n$ of them. Reverse mode needs one forward pass and one
# backward pass, $2N$ in all, whatever $n$ is. The ratio is $n$, and it grows
# with the model.

# %%
@lesson.step
def counting(run):
    """Node visits for the full gradient, forward and reverse, as n grows."""
    sizes = [2, 4, 8, 16] if run.quick else [2, 4, 8, 16, 32, 64]
    counts = {k: graph_size(k) for k in sizes}
    work = {k: {"forward": k * 2 * counts[k], "reverse": 2 * counts[k]} for k in sizes}
    for k in sizes:
        print(f"n = {k:3d}: graph {counts[k]:4d} nodes; forward mode {work[k]['forward']:6d} node visits,"
              f" reverse {work[k]['reverse']:5d}")
    run.notes["sizes"] = sizes
    run.result["work"] = work


# %% [markdown]
# ## A gradient of a gradient
#
# `engine.grad(f)` returns a function whose results are Values, built from the
# same operations as any other Values. So its result has a graph too, and
# `grad` can be applied again. For $x^3$ the first derivative is $3x^2$ and the
# second $6x$, which is 12 at $x = 2$.

# %%
@lesson.step
def second_derivative(run):
    """grad(grad(x ** 3)) at x = 2."""
    first = grad(cube)(2.0)
    second = grad(grad(cube))(2.0)
    first = first.data if isinstance(first, Value) else first
    second = second.data if isinstance(second, Value) else second
    print(f"grad(x**3) at x = 2 is {first} (= 3x^2 = 12).")
    say(f"grad(grad(x**3)) at x = 2 is {second} (= 6x = 12).")
    run.result["second"] = second


# %% [markdown]
# ## The picture
#
# Node visits for the full gradient against the number of parameters: forward
# mode climbs with $n$ times the graph's size, reverse mode only with the
# graph's size.

# %%
@lesson.step
def picture(run):
    """Draw forward and reverse work against n."""
    run.keep(plot(run.notes["sizes"], run.result["work"], run.out / "op_counts.png"))


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
