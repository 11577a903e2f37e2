# %% [markdown]
# # Where a gradient comes from
#
# A weight's gradient is a sum over every path from the loss back to it; each
# path contributes the product of the local derivatives on its edges. The
# nudge test then asks what the gradient promises: changing w by h should
# change the loss by about grad * h - until a ReLU kink or a saturated tanh.

# %%
from __future__ import annotations

import math

from demos._common import linspace, options, pyplot, save_figure, say
from engine import Value

ORDER = 15
SUMMARY = "one weight's gradient as a sum over paths; the nudge test grad*h vs actual and where it breaks"

X, U1, U2 = 0.8, 1.5, -0.7


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
    z = w * x; a = math.tanh(z)
    shared = (1 - a * a) * x                                  # da/dz * dz/dw, on both paths
    return [2 * a * U1 * U1 * shared, 2 * a * U2 * U2 * shared]


# %%
def nudge(w: float, hs: list, act: str = "tanh", x: float = X) -> list:
    """(h, predicted grad*h, actual L(w+h) - L(w)) for each nudge h."""
    base, g, _, _ = loss_of(w, act, x)
    return [(h, g * h, loss_of(w + h, act, x)[0] - base) for h in hs]


# %% [markdown]
# ## Paths and nudges
#
# The cell below sums one weight's gradient over its paths and then tests the prediction with real nudges.

# %%
def main(argv=None) -> dict:
    """Run the walkthrough; returns the path sum, the grad and the nudge errors."""
    opts = options("gradient_paths", argv)
    w = 0.6
    _, grad, _, _ = loss_of(w)
    parts = paths(w)
    say(f"""w.grad from backward() = {grad:.12f}; the two paths contribute {parts[0]:.6f} and
        {parts[1]:.6f}, sum {sum(parts):.12f}.""")
    assert abs(sum(parts) - grad) < 1e-12
    hs = linspace(-0.5, 0.5, 11 if opts.quick else 41)
    cases = {"tanh, w = 0.6": nudge(0.6, hs), "tanh saturated, w = 4": nudge(4.0, hs),
             "relu at its kink, w = 0": nudge(0.0, hs, "relu")}
    small = {k: abs(v[len(hs) // 2 + 1][1] - v[len(hs) // 2 + 1][2]) for k, v in cases.items()}
    for k, v in cases.items():
        h, pred, actual = v[-1]
        print(f"{k:24s} h = {h:+.2f}: predicted {pred:+.5f}, actual {actual:+.5f}")
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), layout="constrained")
    for ax, (k, v) in zip(axes, cases.items()):
        ax.plot([r[0] for r in v], [r[2] for r in v], "o-", label="actual change")
        ax.plot([r[0] for r in v], [r[1] for r in v], "--", label="predicted grad x h")
        ax.set_title(k); ax.set_xlabel("nudge h"); ax.set_ylabel("change in loss"); ax.legend()
    print("Pictures written:")
    save_figure(fig, opts.out / "nudge.png", title="The nudge test", layout=False)
    return {"grad": grad, "path_sum": sum(parts), "cases": cases, "small_error": small}


# %%
if __name__ == "__main__":
    main()
