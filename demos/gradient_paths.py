"""Where a gradient comes from: a sum over paths, and what it promises about a nudge.

One weight reaches the loss along two paths; its gradient is the sum of the two
path products. Then the nudge test: does changing w by h change the loss by
about grad * h? Yes for a smooth unit, barely for a saturated tanh, and not at
all at a ReLU's kink.

Run it: ``python -m demos.gradient_paths [--out DIR] [--quick]``.
"""

from __future__ import annotations

import math

from demos._common import linspace, pyplot, save_figure, say
from demos._lesson import Lesson
from engine import Value

ORDER = 15
SUMMARY = "one weight's gradient as a sum over paths; the nudge test grad*h vs actual and where it breaks"

X, U1, U2 = 0.8, 1.5, -0.7

lesson = Lesson("gradient_paths")

# %% [markdown]
# # Where a gradient comes from
#
# The chain rule, read on a graph, says: to get the derivative of the loss with
# respect to a weight, follow every path from the weight to the loss, multiply
# the local derivatives along each path, and add up what the paths give. When
# a value is used twice, its gradient has two terms.
#
# The graph here is as small as that gets. One weight $w$ times an input $x$
# gives $z$; an activation gives $a$; $a$ is used twice, scaled by $u_1$ and by
# $u_2$, and both results are squared and added:
#
# $$L = (a u_1)^2 + (a u_2)^2, \qquad a = \tanh(w x).$$
#
# Then we ask what the gradient is good for. It predicts that nudging $w$ by
# $h$ changes the loss by about $\text{grad} \times h$. We test that with real
# nudges and look at where the promise fails.

# %%
def loss_of(w: float, act: str = "tanh", x: float = X) -> tuple:
    """L = (a*u1)^2 + (a*u2)^2 with a = act(w*x): one weight, two paths to the loss."""
    wv = Value(w, label="w")
    z = wv * x
    a = z.tanh() if act == "tanh" else z.relu()
    loss = (a * U1) ** 2 + (a * U2) ** 2
    loss.backward()
    return loss.data, wv.grad, z.data, a.data


def paths(w: float, x: float = X) -> list:
    """The two path products dL/do_k * do_k/da * da/dz * dz/dw for the tanh version."""
    z = w * x
    a = math.tanh(z)
    shared = (1 - a * a) * x                                  # da/dz * dz/dw, on both paths
    return [2 * a * U1 * U1 * shared, 2 * a * U2 * U2 * shared]


def nudge(w: float, hs: list, act: str = "tanh", x: float = X) -> list:
    """(h, predicted grad*h, actual L(w+h) - L(w)) for each nudge h."""
    base, g, _, _ = loss_of(w, act, x)
    return [(h, g * h, loss_of(w + h, act, x)[0] - base) for h in hs]


def nudge_table(rows: list) -> None:
    """Print the nudges of size 0.1, 0.2 and 0.5 (either sign): prediction, actual change, gap."""
    wanted = [-0.5, -0.2, -0.1, 0.1, 0.2, 0.5]
    shown = [min(rows, key=lambda r: abs(r[0] - h)) for h in wanted]
    print(f"  {'h':>6}  {'grad x h':>10}  {'actual':>10}  {'gap':>10}")
    for h, predicted, actual in shown:
        gap = actual - predicted
        print(f"  {h:+6.2f}  {predicted + 0.0:+10.5f}  {actual + 0.0:+10.5f}  {gap + 0.0:+10.5f}")
    print()


def last_line(name: str, rows: list) -> None:
    """The largest nudge of a case in one line: what was predicted and what happened."""
    h, pred, actual = rows[-1]
    print(f"{name:24s} h = {h:+.2f}: predicted {pred:+.5f}, actual {actual:+.5f}")


def plot(cases: dict, path):
    """One panel per case: the actual change in the loss and the straight-line prediction."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), layout="constrained")
    for ax, (k, v) in zip(axes, cases.items()):
        ax.plot([r[0] for r in v], [r[2] for r in v], "o-", label="actual change")
        ax.plot([r[0] for r in v], [r[1] for r in v], "--", label="predicted grad x h")
        ax.set_title(k)
        ax.set_xlabel("nudge h")
        ax.set_ylabel("change in loss")
        ax.legend()
    return save_figure(fig, path, title="The nudge test", layout=False)


# %% [markdown]
# ## The forward pass
#
# At $w = 0.6$ and $x = 0.8$, with $u_1 = 1.5$ and $u_2 = -0.7$, here are the
# numbers on the way to the loss, and the gradient `backward()` leaves in `w.grad`.

# %%
@lesson.step
def forward(run):
    """Evaluate the loss at w = 0.6 and read w.grad."""
    w = 0.6
    loss, grad, z, a = loss_of(w)
    print(f"w = {w}, x = {X}, u1 = {U1}, u2 = {U2}")
    print(f"  z = w * x          = {z:.6f}")
    print(f"  a = tanh(z)        = {a:.6f}")
    print(f"  L = (a u1)^2 + (a u2)^2 = {loss:.6f}")
    print(f"  w.grad after backward() = {grad:.12f}")
    run.notes.update(w=w, a=a)
    run.result["grad"] = grad


# %% [markdown]
# ## Two paths, two products
#
# From $w$ to $L$ there are two routes: through $a u_1$ and through $a u_2$.
# Both share the first two edges, $dz/dw = x$ and $da/dz = 1 - a^2$. Then they
# split: along the first, $d(a u_1)/da = u_1$ and $dL/d(a u_1) = 2 a u_1$;
# along the second the same with $u_2$. Multiply the edges of each path and
# add the two products: that should be `w.grad` exactly.

# %%
@lesson.step
def two_paths(run):
    """The gradient as the sum of its two path products."""
    a, grad = run.notes["a"], run.result["grad"]
    parts = paths(run.notes["w"])
    shared = (1 - a * a) * X
    for k, u in enumerate((U1, U2), start=1):
        print(f"  path {k}: dz/dw * da/dz * d(a u{k})/da * dL/d(a u{k}) = {X} * {1 - a * a:.5f}"
              f" * {u} * {2 * a * u:+.5f} = {shared * u * 2 * a * u:.6f}")
    print()
    say(f"""w.grad from backward() = {grad:.12f}; the two paths contribute {parts[0]:.6f} and
        {parts[1]:.6f}, sum {sum(parts):.12f}.""")
    assert abs(sum(parts) - grad) < 1e-12
    run.result["path_sum"] = sum(parts)


# %% [markdown]
# ## The nudge test, where it works
#
# A gradient is a slope: it describes the loss near $w$ as a straight line.
# So move $w$ by $h$, recompute the loss for real, and compare the change with
# $\text{grad} \times h$. For small $h$ the two agree closely; the gap grows
# with $h$ because the loss curves away from its tangent line.

# %%
@lesson.step
def smooth(run):
    """Nudges around w = 0.6, where tanh is far from flat."""
    hs = linspace(-0.5, 0.5, 11 if run.quick else 41)
    run.notes["hs"] = hs
    rows = nudge(0.6, hs)
    run.notes["cases"] = {"tanh, w = 0.6": rows}
    nudge_table(rows)
    last_line("tanh, w = 0.6", rows)


# %% [markdown]
# ## A saturated tanh
#
# At $w = 4$, $z = 3.2$ and tanh is almost flat there, so its slope $1 - a^2$
# is tiny and so is the gradient. The prediction is a small number, and the
# actual changes are small too, but now the curve bends a lot compared with its
# slope: a nudge down changes the loss by more than predicted, a nudge up by
# less, and for the biggest nudges the gap is a third to a half of the change
# itself. A small gradient says the loss is flat *here*, not that it stays flat
# nearby.

# %%
@lesson.step
def saturated(run):
    """Nudges around w = 4, deep in tanh's flat part."""
    rows = nudge(4.0, run.notes["hs"])
    run.notes["cases"]["tanh saturated, w = 4"] = rows
    nudge_table(rows)
    last_line("tanh saturated, w = 4", rows)


# %% [markdown]
# ## At a ReLU's kink
#
# Swap tanh for ReLU and start at $w = 0$, right on the kink. ReLU has no slope
# at 0; the engine uses 0 there, as most libraries do, so the gradient is 0 and
# predicts no change at all. Nudging left indeed changes nothing (the unit stays
# off), but nudging right switches it on and the loss grows. The gradient is one
# number, and at a kink one number cannot describe both sides.

# %%
@lesson.step
def kink(run):
    """Nudges around w = 0 with a ReLU: gradient 0, yet the loss moves."""
    hs = run.notes["hs"]
    rows = nudge(0.0, hs, "relu")
    cases = run.notes["cases"]
    cases["relu at its kink, w = 0"] = rows
    nudge_table(rows)
    last_line("relu at its kink, w = 0", rows)
    small = {k: abs(v[len(hs) // 2 + 1][1] - v[len(hs) // 2 + 1][2]) for k, v in cases.items()}
    run.result.update(cases=cases, small_error=small)


# %% [markdown]
# ## All three in one picture
#
# The dots are the actual changes, the dashed line the gradient's prediction.
# Where the two lie on top of each other, the gradient is a good guide.

# %%
@lesson.step
def picture(run):
    """Draw the three nudge tests side by side."""
    run.keep(plot(run.notes["cases"], run.out / "nudge.png"))


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
