# %% [markdown]
# # Backprop in matrix form
#
# The scalar engine computes one gradient per edge of the graph. Grouped by
# layer, the same numbers are matrices: for the output layer
# delta_L = dLoss/dz_L, for a hidden layer delta_l = (W_{l+1}^T delta_{l+1}) * f'(z_l),
# and every weight matrix's gradient is dW_l = delta_l a_{l-1}^T (summed over samples).

# %%
from __future__ import annotations

import numpy as np

from demos._common import options, pyplot, save_figure, say
from nn import MLP, make_moons, mse_loss

ORDER = 14
SUMMARY = "backprop in matrix form: NumPy's delta and dW = delta a^T equal the scalar graph's grads to 1e-12"


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
            "d1": d1, "A0": A0}


# %%
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


# %% [markdown]
# ## The two computations side by side
#
# The cell below runs the scalar graph and the matrix formulas on the same network and compares every entry.

# %%
def main(argv=None) -> dict:
    """Run the walkthrough; returns the largest difference and the edge-sum check."""
    opts = options("matrix_backprop", argv)
    X, t = make_moons(8 if opts.quick else 40, seed=3)
    y = [2.0 * v - 1.0 for v in t]
    model = MLP(2, [4, 1], activation="tanh", seed=1)
    biggest = compare(model, X, y)
    say(f"""Scalar engine against the matrix formulas: the largest difference over all
        {len(model.parameters())} gradients is {biggest:.2e}.""")
    assert biggest < 1e-12, biggest
    m = matrix_backprop(model, X, y)
    edges = entry_as_edges(m, 0, 1)
    say(f"""dW1[0, 1] = {m['dW1'][0, 1]:+.6f} is the sum of {len(edges)} scalar edges, one per
        sample (delta1[0, s] * x[1, s]): their sum is {sum(edges):+.6f}.""")
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    axes[0].bar(range(len(edges)), edges, color="tab:blue")
    axes[0].axhline(sum(edges), color="tab:red", label=f"sum = dW1[0,1] = {sum(edges):+.4f}")
    axes[0].set_xlabel("sample s"); axes[0].set_ylabel("edge delta1[0,s] x[1,s]"); axes[0].legend(loc="upper left")
    axes[0].set_title("one matrix entry = sum of scalar edges")
    scalar = np.concatenate([weights(model.layers[0])[2].ravel(), weights(model.layers[1])[2].ravel()])
    matrix = np.concatenate([m["dW1"].ravel(), m["dW2"].ravel()])
    axes[1].scatter(scalar, matrix, color="tab:green")
    axes[1].set_xlabel("scalar engine grad"); axes[1].set_ylabel("NumPy dW = delta a^T")
    axes[1].set_title(f"every weight: max |diff| = {biggest:.1e}")
    print("Pictures written:")
    save_figure(fig, opts.out / "matrix_backprop.png", title="Backprop in matrix form")
    return {"max_difference": biggest, "edge_sum": sum(edges), "entry": float(m["dW1"][0, 1])}


# %%
if __name__ == "__main__":
    main()
