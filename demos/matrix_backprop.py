"""Backprop in matrix form: the layer formulas in NumPy give the scalar engine's gradients.

A small tanh network on the moons: its gradients once from the scalar graph
(``backward()``), once from the matrix formulas (deltas and ``dW = delta a^T``),
compared entry by entry; then one matrix entry taken apart into its scalar edges.

Run it: ``python -m demos.matrix_backprop [--out DIR] [--quick]``.
"""

from __future__ import annotations

import numpy as np

from demos._common import pyplot, save_figure, say
from demos._lesson import Lesson
from nn import MLP, make_moons, mse_loss

ORDER = 14
SUMMARY = "backprop in matrix form: NumPy's delta and dW = delta a^T equal the scalar graph's grads to 1e-12"

lesson = Lesson("matrix_backprop")

# %% [markdown]
# # Backprop in matrix form
#
# The scalar engine works one edge of the graph at a time: every multiply, add
# and tanh gets its own node, and `backward()` hands a gradient along each edge.
# Nothing in it knows about layers. Yet if we collect the numbers of one layer
# into arrays, the same arithmetic turns into a handful of matrix products:
#
# - the output layer's error signal is $\delta_L = \partial\,\text{Loss} / \partial z_L$;
# - a hidden layer's signal comes from the layer above, pulled back through its
#   weights and then through the activation's slope:
#   $\delta_l = (W_{l+1}^\top \delta_{l+1}) \odot f'(z_l)$;
# - each weight matrix's gradient is an outer product summed over the samples,
#   $\partial\,\text{Loss}/\partial W_l = \delta_l\, a_{l-1}^\top$, and each bias
#   gets the row sums of $\delta_l$.
#
# This walkthrough computes both and checks that they are the same numbers.
# The helpers below do the work; the steps after them show each piece.

# %%
def scalar_grads(model: MLP, X: list, y: list) -> float:
    """Run the scalar engine's backward pass on the MSE loss; return the loss."""
    loss = mse_loss([model(x) for x in X], y)
    model.zero_grad()
    loss.backward()
    return loss.data


def weights(layer) -> tuple:
    """A layer's weights, biases and their grads as NumPy arrays."""
    W = np.array([[w.data for w in n.w] for n in layer.neurons])
    dW = np.array([[w.grad for w in n.w] for n in layer.neurons])
    db = np.array([n.b.grad for n in layer.neurons])
    b = np.array([n.b.data for n in layer.neurons])
    return W, b, dW, db


def matrix_backprop(model: MLP, X: list, y: list) -> dict:
    """The layer formulas in NumPy (tanh hidden layer, linear output, MSE)."""
    (W1, b1, _, _), (W2, b2, _, _) = weights(model.layers[0]), weights(model.layers[1])
    A0 = np.array(X, dtype=float).T            # inputs, one column per sample
    Z1 = W1 @ A0 + b1[:, None]
    A1 = np.tanh(Z1)
    Z2 = W2 @ A1 + b2[:, None]
    n = A0.shape[1]
    d2 = 2.0 * (Z2 - np.array(y, dtype=float)[None, :]) / n     # output layer's delta
    d1 = (W2.T @ d2) * (1.0 - A1 ** 2)                          # hidden layer's delta
    return {"dW2": d2 @ A1.T, "db2": d2.sum(1), "dW1": d1 @ A0.T, "db1": d1.sum(1),
            "d1": d1, "d2": d2, "A0": A0, "A1": A1, "Z2": Z2}


def compare(model: MLP, X: list, y: list) -> float:
    """Largest |NumPy - scalar engine| over every weight and bias gradient."""
    scalar_grads(model, X, y)
    m = matrix_backprop(model, X, y)
    (_, _, dW1, db1), (_, _, dW2, db2) = weights(model.layers[0]), weights(model.layers[1])
    return max(float(np.max(np.abs(a - b))) for a, b in
               ((m["dW1"], dW1), (m["db1"], db1), (m["dW2"], dW2), (m["db2"], db2)))


def entry_as_edges(m: dict, i: int, j: int) -> list:
    """dW1[i, j] as its per-sample scalar edges delta1[i, s] * x[j, s]."""
    return [float(m["d1"][i, s] * m["A0"][j, s]) for s in range(m["A0"].shape[1])]


def show(name: str, array) -> None:
    """Print an array under its name and shape, rows indented (long rows cut in the middle)."""
    array = np.asarray(array)
    text = np.array2string(array, precision=4, suppress_small=True, floatmode="fixed",
                           sign="+", max_line_width=100, threshold=40, edgeitems=4)
    print(f"  {name} {array.shape}:\n    " + text.replace("\n", "\n    "))


def plot(edges: list, scalar, matrix, biggest: float, path):
    """Left: one entry of dW1 as a sum of its edges; right: every weight, scalar against NumPy."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    axes[0].bar(range(len(edges)), edges, color="tab:blue")
    axes[0].axhline(sum(edges), color="tab:red", label=f"sum = dW1[0,1] = {sum(edges):+.4f}")
    axes[0].set_xlabel("sample s")
    axes[0].set_ylabel("edge delta1[0,s] x[1,s]")
    axes[0].legend(loc="upper left")
    axes[0].set_title("one matrix entry = sum of scalar edges")
    axes[1].scatter(scalar, matrix, color="tab:green")
    axes[1].set_xlabel("scalar engine grad")
    axes[1].set_ylabel("NumPy dW = delta a^T")
    axes[1].set_title(f"every weight: max |diff| = {biggest:.1e}")
    return save_figure(fig, path, title="Backprop in matrix form")


# %% [markdown]
# ## The network and its data
#
# A few points from the two moons, with the class labels 0 and 1 turned into
# targets -1 and +1, and a network with one hidden layer of four tanh units and
# one linear output. The loss is the mean squared error. Laid out as matrices,
# the inputs are a 2 × n array with one column per sample.

# %%
@lesson.step
def network(run):
    """Make the data and the network, and show their shapes."""
    X, t = make_moons(8 if run.quick else 40, seed=3)
    y = [2.0 * v - 1.0 for v in t]
    model = MLP(2, [4, 1], activation="tanh", seed=1)
    run.notes.update(X=X, y=y, model=model)
    print(f"{len(X)} points, targets {sorted(set(y))}; the network:")
    print(model)
    print(f"{len(model.parameters())} parameters: W1 is 4 x 2, b1 has 4, W2 is 1 x 4, b2 has 1.")
    show("inputs A0 = X^T", np.array(X).T)


# %% [markdown]
# ## The scalar engine's answer
#
# First the ordinary way: evaluate the loss one sample at a time, call
# `backward()`, and read each parameter's `.grad`. Below are the hidden layer's
# weight gradients collected into a 4 × 2 array, one row per hidden unit.

# %%
@lesson.step
def scalar_engine(run):
    """Backward through the scalar graph; show the gradients it leaves behind."""
    model = run.notes["model"]
    loss = scalar_grads(model, run.notes["X"], run.notes["y"])
    (_, _, dW1, db1), (_, _, dW2, db2) = weights(model.layers[0]), weights(model.layers[1])
    print(f"loss = {loss:.6f}; gradients read from each Value's .grad:")
    show("dW1", dW1)
    show("db1", db1)
    show("dW2", dW2)
    show("db2", db2)


# %% [markdown]
# ## Deltas, layer by layer
#
# Now with whole arrays. The forward pass is $Z_1 = W_1 A_0 + b_1$,
# $A_1 = \tanh Z_1$, $Z_2 = W_2 A_1 + b_2$. For the mean squared error the
# output's delta is $2(Z_2 - y)/n$, one number per sample. The hidden delta
# sends it back through $W_2^\top$ and multiplies by tanh's slope
# $1 - A_1^2$: a 4 × n array, one row per hidden unit and one column per sample.

# %%
@lesson.step
def deltas(run):
    """The forward pass and both deltas as arrays."""
    m = matrix_backprop(run.notes["model"], run.notes["X"], run.notes["y"])
    run.notes["m"] = m
    show("output Z2", m["Z2"])
    show("output delta d2 = 2 (Z2 - y) / n", m["d2"])
    show("hidden delta d1 = (W2^T d2) * (1 - A1^2)", m["d1"])


# %% [markdown]
# ## Weight gradients as outer products
#
# Each weight gradient is the delta of its layer times the activations that
# came into it, $\delta_l\, a_{l-1}^\top$. The product sums over the samples,
# which is exactly what the scalar engine does when a weight is used once per
# sample and its gradient accumulates. Compare these arrays with the ones the
# scalar engine printed above.

# %%
@lesson.step
def outer_products(run):
    """dW = delta a^T and db = row sums of delta."""
    m = run.notes["m"]
    show("dW1 = d1 A0^T", m["dW1"])
    show("db1 = row sums of d1", m["db1"])
    show("dW2 = d2 A1^T", m["dW2"])
    show("db2 = row sums of d2", m["db2"])


# %% [markdown]
# ## Every gradient, compared
#
# By eye the two sets look alike; here is the check in numbers. Both computations
# run again from scratch and we take the largest absolute difference over all
# weights and biases. Anything near $10^{-16}$ is rounding in the last bit:
# the two are the same calculation done in a different order.

# %%
@lesson.step
def compared(run):
    """The largest difference between the scalar and the matrix gradients."""
    model = run.notes["model"]
    biggest = compare(model, run.notes["X"], run.notes["y"])
    say(f"""Scalar engine against the matrix formulas: the largest difference over all
        {len(model.parameters())} gradients is {biggest:.2e}.""")
    assert biggest < 1e-12, biggest
    run.result["max_difference"] = biggest


# %% [markdown]
# ## One matrix entry, taken apart
#
# Where did the sum over samples go in the scalar engine? Take the entry
# $dW_1[0, 1]$: hidden unit 0's weight on input 1. In the scalar graph this
# weight feeds one multiply per sample, and each of those edges contributes
# $\delta_1[0, s]\, x[1, s]$ to its gradient. The matrix product adds the same
# contributions in one go.

# %%
@lesson.step
def one_entry(run):
    """dW1[0, 1] as the sum of its per-sample edges."""
    m = run.notes["m"]
    edges = entry_as_edges(m, 0, 1)
    for s, e in enumerate(edges):
        if len(edges) > 10 and 5 <= s < len(edges) - 3:
            if s == 5:
                print(f"  ... {len(edges) - 8} more samples ...")
            continue
        print(f"  sample {s}: delta1[0, {s}] * x[1, {s}] = {m['d1'][0, s]:+.5f} * {m['A0'][1, s]:+.5f}"
              f" = {e:+.6f}")
    print()
    say(f"""dW1[0, 1] = {m['dW1'][0, 1]:+.6f} is the sum of {len(edges)} scalar edges, one per
        sample (delta1[0, s] * x[1, s]): their sum is {sum(edges):+.6f}.""")
    run.notes["edges"] = edges
    run.result.update(edge_sum=sum(edges), entry=float(m["dW1"][0, 1]))


# %% [markdown]
# ## The picture
#
# On the left, the edges of that one entry as bars, with their sum as a red
# line. On the right, every weight's gradient: the scalar engine's value across,
# the matrix formula's up. All points sit on the diagonal.

# %%
@lesson.step
def picture(run):
    """Draw the edge sum and the scalar-against-matrix scatter."""
    model, m = run.notes["model"], run.notes["m"]
    scalar = np.concatenate([weights(model.layers[0])[2].ravel(), weights(model.layers[1])[2].ravel()])
    matrix = np.concatenate([m["dW1"].ravel(), m["dW2"].ravel()])
    run.keep(plot(run.notes["edges"], scalar, matrix, run.result["max_difference"],
                  run.out / "matrix_backprop.png"))


# %% [markdown]
# ## What was drawn
#
# The files this run wrote, to open outside the notebook.

# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew."""
    run.list_pictures()


main = lesson.main
