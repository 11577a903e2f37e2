"""The forward pass as matrices: a layer is many perceptrons at once.

Runs one layer of an ``nn.MLP`` neuron by neuron, then as ``sigma(W a + b)`` with
a hand-written matrix-vector product (and numpy when it is installed), checks the
numbers agree, does the same for the whole network, and draws the layer as
matrices, the network with its activations, and the network diagram.

Run it: ``python -m demos.forward_pass [--out DIR] [--quick]``.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import nn
from engine import no_grad

from demos._common import graph_tool, matvec, pyplot, save_figure, say, write_svg, wrote
from demos._lesson import Lesson

ORDER = 4
SUMMARY = "a layer is many perceptrons at once: neuron by neuron equals sigma(W a + b)"

SIZES = (3, [4, 4, 2])      # 3 inputs, two hidden layers of 4, two outputs
INPUT = [0.9, -0.4, 0.3]

lesson = Lesson("forward_pass")

# %% [markdown]
# # The forward pass as matrices
#
# A hidden layer is nothing more exotic than several perceptrons (with a smooth
# activation instead of a step) that all read the *same* inputs. Neuron $j$ of the
# layer keeps its own row of weights $w_{j1}, \dots, w_{jn}$ and its own bias $b_j$,
# and computes
#
# $$a'_j = \sigma\Big(\sum_{i=1}^{n} w_{ji}\,a_i + b_j\Big).$$
#
# Write the rows of weights one under the other and they form a matrix $W$ with
# one row per neuron and one column per input; stack the biases into a vector
# $\mathbf b$ and the inputs into a vector $\mathbf a$. Then "every neuron at once"
# is a single line of linear algebra, with $\sigma$ applied to each entry:
#
# $$\mathbf a' = \sigma(W\mathbf a + \mathbf b).$$
#
# In a lone perceptron the inputs meet only once, in its single sum. In a layer,
# every unit reads every input with its own weights, so each $a'_j$ is a fresh
# description of the whole input, mixing all of its coordinates in its own way.
# The whole network is that line repeated, each layer's output becoming the next
# layer's input. Below we compute one layer both ways and check that the numbers
# are the same, then run the whole network layer by layer.

# %%
def make_model(seed: int = 3) -> nn.MLP:
    """A sigmoid MLP with small random biases (a fresh model's biases are all 0)."""
    model = nn.MLP(SIZES[0], SIZES[1], activation="sigmoid", output_activation="sigmoid",
                   init="auto", seed=seed)  # Xavier uniform
    rng = random.Random(seed)
    for layer in model.layers:
        for neuron in layer.neurons:
            neuron.b.data = round(rng.uniform(-0.5, 0.5), 2)
    return model


def layer_matrix(layer) -> tuple:
    """``(W, b)`` of a layer as plain numbers: row j of W is neuron j's weights."""
    W = [[w.data for w in neuron.w] for neuron in layer.neurons]
    b = [neuron.b.data for neuron in layer.neurons]
    return W, b


def sigma(z: float) -> float:
    """The logistic sigmoid of a plain number."""
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def layer_as_matrices(W: list, b: list, a: list) -> tuple:
    """``z = W a + b`` and ``a' = sigma(z)``, entry by entry, in plain Python."""
    z = [wa + bj for wa, bj in zip(matvec(W, a), b)]
    return z, [sigma(v) for v in z]


def layer_with_numpy(W: list, b: list, a: list):
    """The same layer with numpy, or ``None`` when numpy is not installed."""
    try:
        import numpy as np
    except ImportError:
        return None
    z = np.array(W) @ np.array(a) + np.array(b)
    return list(1.0 / (1.0 + np.exp(-z)))

# %%
def neuron_by_neuron(layer, a: list) -> list:
    """Run each neuron of ``layer`` on its own (engine Values), printing its sum."""
    outputs = []
    with no_grad():
        for j, neuron in enumerate(layer.neurons):
            out = neuron(a).data
            terms = " + ".join(f"({w.data:+.3f})({x:+.3f})" for w, x in zip(neuron.w, a))
            print(f"  neuron {j}: sigma({terms} + ({neuron.b.data:+.2f})) = {out:.6f}")
            outputs.append(out)
    print()
    return outputs

# %% [markdown]
# ## The first layer, one neuron at a time
#
# Make the network, then run the four neurons of its first layer separately on the
# input $\mathbf a = (0.9, -0.4, 0.3)$. Each line writes out that neuron's three
# products, adds its bias and applies the sigmoid: four perceptrons side by side,
# all reading the same three numbers.

# %%
@lesson.step
def one_at_a_time(run):
    """Run each neuron of the first layer on its own."""
    model = make_model()
    say(f"""A {SIZES[0]} → {' → '.join(map(str, SIZES[1]))} network with sigmoid units.
        First its first layer, one neuron at a time, on the input a = {INPUT}. Each line
        is one perceptron: a weighted sum of the same three inputs, plus its bias,
        through the sigmoid.""")
    run.notes["model"] = model
    run.result["by_neuron"] = neuron_by_neuron(model.layers[0], INPUT)

# %% [markdown]
# ## The same layer as $\sigma(W\mathbf a + \mathbf b)$
#
# Now copy the weights out of the neurons into a 4 × 3 matrix, one row per neuron,
# and the biases into a column. Each printed line is one row of $W$, the matching
# entry of $\mathbf a$ (there are only three, so the last line has none), the bias,
# the sum $z$ and its sigmoid.

# %%
@lesson.step
def all_at_once(run):
    """Compute the whole first layer as one matrix-vector product."""
    W, b = layer_matrix(run.notes["model"].layers[0])
    say("""Now the whole layer at once: stack the four rows of weights into W (4 × 3) and
        the biases into b, and compute sigma(W a + b).""")
    z, by_matrix = layer_as_matrices(W, b, INPUT)
    for j, (row, bj) in enumerate(zip(W, b)):
        print(f"  [{'  '.join(f'{w:+.3f}' for w in row)}]   [{INPUT[j] if j < len(INPUT) else '':>6}]"
              f"   [{bj:+.2f}]   z = {z[j]:+.6f}   sigma(z) = {by_matrix[j]:.6f}")
    run.notes.update(W=W, b=b, z=z)
    run.result["by_matrix"] = by_matrix

# %% [markdown]
# ## Do the two ways agree?
#
# Compare the four outputs neuron by neuron with the four from the matrix form, and,
# when numpy is installed, with numpy's `W @ a + b` as well. The largest difference
# is printed; the same arithmetic in a different order may differ in the last bit
# only.

# %%
@lesson.step
def check_layer(run):
    """The largest difference between the neuron-by-neuron, matrix and numpy answers."""
    by_neuron, by_matrix = run.result["by_neuron"], run.result["by_matrix"]
    layer_gap = max(abs(p - q) for p, q in zip(by_neuron, by_matrix))
    numpy_out = layer_with_numpy(run.notes["W"], run.notes["b"], INPUT)
    numpy_gap = None if numpy_out is None else max(abs(p - q) for p, q in zip(by_neuron, numpy_out))
    print(f"\n  neuron by neuron vs matrix form: largest difference {layer_gap:.1e}")
    print("  numpy is not installed: skipped the numpy version" if numpy_gap is None else
          f"  neuron by neuron vs numpy:       largest difference {numpy_gap:.1e}")
    print()
    run.result.update(layer_gap=layer_gap, numpy_gap=numpy_gap)

# %% [markdown]
# ## The whole network, layer by layer
#
# Feed the first layer's four outputs into the second layer the same way, and its
# outputs into the last layer. The final pair of numbers should be exactly what the
# model gives when it is simply called on the input.

# %%
@lesson.step
def layer_by_layer(run):
    """Run the network one matrix product per layer, and compare with the model itself."""
    model = run.notes["model"]
    say("""The whole network is the same line once per layer: the output of one layer is
        the input column of the next.""")
    a = list(INPUT)
    activations = [a]
    for k, lay in enumerate(model.layers):
        Wk, bk = layer_matrix(lay)
        _, a = layer_as_matrices(Wk, bk, a)
        activations.append(a)
        print(f"  a({k + 1}) = sigma(W{k + 1} a({k}) + b{k + 1}) = [{', '.join(f'{v:.6f}' for v in a)}]")
    with no_grad():
        engine_out = [v.data for v in model(INPUT)]
    network_gap = max(abs(p - q) for p, q in zip(engine_out, a))
    print(f"  the model itself (engine Values):   [{', '.join(f'{v:.6f}' for v in engine_out)}]")
    print(f"  largest difference: {network_gap:.1e}\n")
    run.notes["activations"] = activations
    run.result["network_gap"] = network_gap

# %% [markdown]
# ## The picture of one layer
#
# Below, the layer's matrix equation drawn literally: the weight matrix, times the
# input column, plus the bias column, gives the pre-activations $\mathbf z$; the
# sigmoid squashes each into $(0, 1)$. Blue is positive, red negative (as in the
# network diagram).

# %%
def plot_layer(W: list, a: list, b: list, z: list, out_a: list, path: Path) -> Path:
    """``W a + b = z -> sigma(z)`` drawn as coloured matrices with their numbers."""
    plt = pyplot()
    import numpy as np
    from matplotlib.colors import TwoSlopeNorm

    blocks = [("W  (one row per neuron)", W), ("a", [[x] for x in a]), ("b", [[x] for x in b]),
              ("z = W a + b", [[x] for x in z]), ("σ(z)", [[x] for x in out_a])]
    ops = ["×", "+", "=", "→"]
    widths = [len(W[0]) if i == 0 else 1 for i in range(len(blocks))]
    fig = plt.figure(figsize=(11, 4.2))
    grid = fig.add_gridspec(1, 2 * len(blocks) - 1,
                            width_ratios=[w for pair in zip(widths, [0.5] * 5) for w in pair][:-1])
    limit = max(abs(x) for _, M in blocks for row in M for x in row)
    norm = TwoSlopeNorm(vmin=-limit, vcenter=0.0, vmax=limit)
    for k, (title, M) in enumerate(blocks):
        ax = fig.add_subplot(grid[0, 2 * k])
        arr = np.array(M)
        ax.imshow(arr, cmap="RdBu", norm=norm, aspect="equal")
        for (r, c), v in np.ndenumerate(arr):
            ax.text(c, r, f"{v:+.2f}", ha="center", va="center", fontsize=9,
                    color="white" if abs(v) > 0.6 * limit else "black")
        ax.set_xticks([])
        ax.set_yticks([])
        if k == 0:
            ax.set_yticks(range(arr.shape[0]), [f"neuron {j}" for j in range(arr.shape[0])])
            ax.set_xticks(range(arr.shape[1]), [f"× a{i + 1}" for i in range(arr.shape[1])],
                          fontsize=8)
        elif k == 1:
            ax.set_yticks(range(arr.shape[0]), [f"a{i + 1}" for i in range(arr.shape[0])])
        ax.set_title(title, fontsize=10)
        if k < len(ops):
            op_ax = fig.add_subplot(grid[0, 2 * k + 1])
            op_ax.axis("off")
            op_ax.text(0.5, 0.5, ops[k], ha="center", va="center", fontsize=20)
    return save_figure(fig, path, title="One layer, every neuron at once:  a' = σ(W a + b)")


def plot_network(model: nn.MLP, activations: list, path: Path) -> Path:
    """The network as circles and lines: fill = activation, line colour/width = weight."""
    plt = pyplot()
    from matplotlib import cm
    from matplotlib.colors import Normalize, TwoSlopeNorm

    fig, ax = plt.subplots(figsize=(10, 5.6))
    sizes = [model.nin] + model.nouts
    xs = [k * 3.0 for k in range(len(sizes))]
    ys = [[(len(range(n)) - 1) / 2.0 - j for j in range(n)] for n in sizes]
    weights = [w.data for layer in model.layers for neuron in layer.neurons for w in neuron.w]
    wnorm = TwoSlopeNorm(vmin=-max(map(abs, weights)), vcenter=0, vmax=max(map(abs, weights)))
    for k, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                ax.plot([xs[k], xs[k + 1]], [ys[k][i], ys[k + 1][j]], color=cm.RdBu(wnorm(w.data)),
                        linewidth=0.6 + 3.0 * abs(w.data) / wnorm.vmax, zorder=1)
    anorm = Normalize(vmin=0, vmax=1)
    for k, values in enumerate(activations):
        for j, v in enumerate(values):
            fill = "#EEEEEE" if k == 0 else cm.viridis(anorm(v))
            ax.scatter([xs[k]], [ys[k][j]], s=900, color=fill,
                       edgecolors="#222222", linewidths=1.2, zorder=3)
            ax.text(xs[k], ys[k][j], f"{v:.2f}", ha="center", va="center", fontsize=8,
                    color="white" if (k > 0 and v < 0.55) else "black", zorder=4)
            if k == 0:
                ax.text(xs[k] - 0.45, ys[k][j], f"$a_{j + 1}$", ha="right", va="center", fontsize=11)
    names = ["inputs $a^{(0)}$"] + [f"layer {k + 1}: $a^{{({k + 1})}}$" for k in range(len(model.layers))]
    for x, name in zip(xs, names):
        ax.text(x, max(map(max, ys)) + 0.9, name, ha="center", fontsize=10)
    ax.set_xlim(-1.2, xs[-1] + 1.2)
    ax.set_ylim(min(map(min, ys)) - 0.8, max(map(max, ys)) + 1.4)
    ax.axis("off")
    bar = fig.colorbar(cm.ScalarMappable(norm=wnorm, cmap="RdBu"), ax=ax, shrink=0.7, pad=0.01)
    bar.set_label("weight (line colour; width = size)")
    bar = fig.colorbar(cm.ScalarMappable(norm=anorm, cmap="viridis"), ax=ax, shrink=0.7, pad=0.02)
    bar.set_label("activation σ(z) (circle colour)")
    ax.set_title(f"The {model.nin} → {' → '.join(map(str, model.nouts))} network on input "
                 f"{INPUT}\neach circle is σ(its row of W · the column before it + its bias)",
                 fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return wrote(path)

# %% [markdown]
# ### Drawing the first layer
#
# The matrix equation of the first layer with its real numbers: $W$ times
# $\mathbf a$, plus $\mathbf b$, gives $\mathbf z$, and the sigmoid of each entry
# is the layer's output.

# %%
@lesson.step
def layer_picture(run):
    """Draw the first layer as coloured matrices."""
    run.keep(plot_layer(run.notes["W"], INPUT, run.notes["b"], run.notes["z"],
                        run.result["by_matrix"], run.out / "layer_as_matrices.png"))

# %% [markdown]
# ### Drawing the network with its activations
#
# Every unit of the network as a circle holding its output for this input, the
# inputs $a_1, a_2, a_3$ on the left. The lines are the weights: blue for positive,
# red for negative, thicker for larger.

# %%
@lesson.step
def network_picture(run):
    """Draw the network with each unit's activation on this input."""
    run.keep(plot_network(run.notes["model"], run.notes["activations"],
                          run.out / "network_activations.png"))

# %% [markdown]
# ### The network diagram
#
# The same network drawn by `nn.draw_network`: each neuron shows its bias, each edge
# is coloured by the sign of its weight and sized by its magnitude. With 36 weights
# the numbers are left off the edges; in a browser, hovering over an edge shows its
# weight. The inputs are named $a_1, a_2, a_3$ as in the equations above. It needs
# the Graphviz `dot` program.

# %%
@lesson.step
def diagram(run):
    """Draw the network with nn.draw_network, when Graphviz is installed."""
    drawer = graph_tool("nn", "draw_network")
    if drawer is None:
        print("  (nn.draw_network or the Graphviz 'dot' program is missing: no network.svg)")
        return
    run.keep(write_svg(drawer(run.notes["model"], input_names=["a1", "a2", "a3"],
                              title=f"the {SIZES[0]} → {' → '.join(map(str, SIZES[1]))} "
                                    "sigmoid network (edge colour = weight)"),
                       run.out / "network.svg"))

# %% [markdown]
# ## The pictures
#
# Where this walkthrough's three pictures went.

# %%
@lesson.step
def pictures(run):
    """List what this walkthrough drew."""
    run.list_pictures()


main = lesson.main
