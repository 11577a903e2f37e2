# %% [markdown]
# # Forward mode, reverse mode, and the gradient of a gradient
#
# Forward mode (`engine.jvp`) carries one tangent forward with the values: one
# pass per input direction. Reverse mode (`backward`, `engine.grad`) carries
# gradients back from one output: one pass gives every parameter's derivative.
# For one loss and many parameters, reverse mode wins by a factor of the
# parameter count.

# %%
from __future__ import annotations

from demos._common import options, pyplot, save_figure, say
from engine import Value, grad, jvp, topological_order

ORDER = 16
SUMMARY = "engine.jvp (forward) vs backward and engine.grad (reverse), grad of grad; op counts"


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


# %%
def gradients_both_ways(n: int) -> tuple:
    """All n partial derivatives by n forward passes and by one reverse pass."""
    point = [0.1 * (i + 1) for i in range(n)]
    forward = [jvp(loss, point, [1.0 if j == i else 0.0 for j in range(n)])[1] for i in range(n)]
    ws = [Value(p) for p in point]
    loss(*ws).backward()
    return forward, [w.grad for w in ws]


# %% [markdown]
# ## Counting the work
#
# The cell below computes the same gradient both ways and counts the operations each mode needs.

# %%
def main(argv=None) -> dict:
    """Run the walkthrough; returns the gradients, the op counts and a second derivative."""
    opts = options("forward_reverse", argv)
    n = 6 if opts.quick else 20
    forward, reverse = gradients_both_ways(n)
    biggest = max(abs(a - b) for a, b in zip(forward, reverse))
    say(f"{n} parameters: forward mode and reverse mode agree to {biggest:.1e}.")
    sizes = [2, 4, 8, 16] if opts.quick else [2, 4, 8, 16, 32, 64]
    counts = {k: graph_size(k) for k in sizes}
    work = {k: {"forward": k * 2 * counts[k], "reverse": 2 * counts[k]} for k in sizes}
    for k in sizes:
        print(f"n = {k:3d}: graph {counts[k]:4d} nodes; forward mode {work[k]['forward']:6d} node visits,"
              f" reverse {work[k]['reverse']:5d}")
    cube = lambda x: x ** 3
    second = grad(grad(cube))(2.0)
    second = second.data if isinstance(second, Value) else second
    say(f"grad(grad(x**3)) at x = 2 is {second} (= 6x = 12).")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.8))
    ax.plot(sizes, [work[k]["forward"] for k in sizes], "o-", label="forward mode: n passes")
    ax.plot(sizes, [work[k]["reverse"] for k in sizes], "s-", label="reverse mode: 1 forward + 1 backward")
    ax.set_xlabel("number of parameters n"); ax.set_ylabel("node visits for the full gradient")
    ax.legend()
    print("Pictures written:")
    save_figure(fig, opts.out / "op_counts.png", title="Why reverse mode wins for one loss")
    return {"max_difference": biggest, "work": work, "second": second}


# %%
if __name__ == "__main__":
    main()
