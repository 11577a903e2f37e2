"""nn.draw: the layered network picture, checked as DOT text and, where dot exists, as SVG."""

import re
import shutil

import pytest

from nn import MLP, Layer, Neuron, Perceptron
from nn.draw import NEGATIVE, POSITIVE, ZERO, draw_network

needs_dot = pytest.mark.needs_dot
skip_without_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")


def edge_attrs(source):
    """Weight edges: id -> (tail, head, attribute text)."""
    found = {}
    for m in re.finditer(r"^\s*(\w+) -> (\w+) \[(.*)\]$", source, re.M):
        edge_id = re.search(r"\bid=(\w+)", m.group(3)).group(1)
        found[edge_id] = (m.group(1), m.group(2), m.group(3))
    return found


def penwidth(attrs):
    return float(re.search(r"penwidth=([\d.]+)", attrs).group(1))


def test_every_weight_is_one_edge_between_the_right_columns():
    model = MLP(3, [4, 2], seed=0)
    found = edge_attrs(draw_network(model).source)
    weights = {k: e for k, e in found.items() if "_w" in k}
    assert len(weights) == 3 * 4 + 4 * 2
    for l, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for i in range(len(neuron.w)):
                tail, head, _ = weights[f"L{l}N{j}_w{i}"]
                assert head == f"L{l}N{j}"
                assert tail == (f"x{i}" if l == 0 else f"L{l - 1}N{i}")
    assert {k for k in found if k.startswith("out")} == {"out0_edge", "out1_edge"}


def test_colour_gives_the_sign_and_width_the_size():
    model = MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[0].w[0].data = 0.0
    found = edge_attrs(draw_network(model).source)
    pairs = []
    for l, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for i, w in enumerate(neuron.w):
                attrs = found[f"L{l}N{j}_w{i}"][2]
                colour = POSITIVE if w.data > 0 else NEGATIVE if w.data < 0 else ZERO
                assert f'color="{colour}' in attrs
                pairs.append((abs(w.data), penwidth(attrs)))
    pairs.sort()
    assert [p for _, p in pairs] == sorted(p for _, p in pairs)  # wider for bigger |w|
    assert pairs[-1][1] == 4.0 and pairs[0] == (0.0, 0.4)


def test_biases_and_activations_are_shown_in_the_neurons():
    model = MLP(2, [2, 1], activation="tanh", output_activation="sigmoid", seed=0)
    model.layers[0].neurons[1].b.data = -1.25
    source = draw_network(model).source
    label = re.search(r"L0N1 \[label=(<.*?>) ", source).group(1)
    assert label == ('<<font point-size="7" color="#6b7280">L0.N1</font><br/><b>tanh</b>'
                     '<br/><font point-size="8">b -1.25</font>>')
    assert "<b>sigmoid</b>" in source
    assert "hidden 1 (tanh)" in source and "output (sigmoid)" in source
    unbiased = draw_network(MLP(2, [2], bias=False, seed=0)).source
    assert "b 0" not in unbiased and "no bias" in unbiased


def test_perceptron_neuron_and_layer_are_drawn_too():
    p = Perceptron(2)
    p.w, p.b = [1.5, -0.5], -0.25
    source = draw_network(p).source
    assert "<b>step</b>" in source and "b -0.25" in source
    assert f'color="{POSITIVE}' in edge_attrs(source)["L0N0_w0"][2]
    assert f'color="{NEGATIVE}' in edge_attrs(source)["L0N0_w1"][2]
    assert len([k for k in edge_attrs(draw_network(Neuron(5, seed=1)).source) if "_w" in k]) == 5
    layer = edge_attrs(draw_network(Layer(3, 2, seed=1)).source)
    assert len([k for k in layer if "_w" in k]) == 6


def test_weights_are_written_on_small_networks_only_unless_asked():
    small = draw_network(Neuron(3, seed=0)).source
    assert all("label=" in a for k, (_, _, a) in edge_attrs(small).items() if "_w" in k)
    big = MLP(2, [8, 2], seed=0)  # 2*8 + 8*2 = 32 weights, more than 24
    assert not any("label=" in a for _, _, a in edge_attrs(draw_network(big).source).values())
    forced = edge_attrs(draw_network(big, show_weights=True).source)
    assert all("label=" in a for k, (_, _, a) in forced.items() if "_w" in k)
    assert "label=" not in str(edge_attrs(draw_network(Neuron(3, seed=0), show_weights=False)
                                          .source))


def test_precision_and_odd_weights():
    n = Neuron(3, seed=0)
    n.w[0].data, n.w[1].data, n.w[2].data = float("nan"), float("inf"), 1 / 3
    found = edge_attrs(draw_network(n, precision=2).source)
    assert "0.33" in found["L0N0_w2"][2] and "0.333" not in found["L0N0_w2"][2]
    assert penwidth(found["L0N0_w1"][2]) == 4.0 and penwidth(found["L0N0_w0"][2]) == 0.4
    assert "nan" not in re.sub(r'label=<<font color="#9ca3af">nan</font>>|w = nan', "",
                               found["L0N0_w0"][2])


def test_input_names_are_escaped_and_checked():
    source = draw_network(Neuron(2, seed=0), input_names=["<x&1>", 'q"\\N']).source
    assert "&lt;x&amp;1&gt;" in source and "q&quot;\\\\N" in source
    with pytest.raises(ValueError, match="2 strings"):
        draw_network(Neuron(2, seed=0), input_names=["only one"])
    with pytest.raises(ValueError, match="2 strings"):
        draw_network(Neuron(2, seed=0), input_names="ab")


def test_columns_are_clusters_of_one_rank_and_the_source_is_deterministic():
    source = draw_network(MLP(2, [3, 3, 1], seed=4), legend=False).source
    assert source.count("id=cluster_") == 4 and "legend" not in source  # a box per column
    assert source == draw_network(MLP(2, [3, 3, 1], seed=4), legend=False).source
    with_legend = draw_network(MLP(2, [3, 3, 1], seed=4)).source
    assert "id=legend" in with_legend and "cluster_layer2" in with_legend


def test_bad_arguments_are_refused_clearly():
    with pytest.raises(TypeError, match="MLP, a Layer, a Neuron or a Perceptron"):
        draw_network([1, 2, 3])
    with pytest.raises(ValueError, match="rankdir"):
        draw_network(Neuron(2, seed=0), rankdir="up")
    with pytest.raises(TypeError, match="show_weights"):
        draw_network(Neuron(2, seed=0), show_weights="yes")
    with pytest.raises(ValueError, match="precision"):
        draw_network(Neuron(2, seed=0), precision=0)
    with pytest.raises(ValueError, match="max_weights must be a positive int"):
        draw_network(Neuron(2, seed=0), max_weights="many")
    with pytest.raises(ValueError, match=r"has 304 weights.*max_weights=100"):
        draw_network(MLP(2, [16, 16, 1], seed=0), max_weights=100)


@needs_dot
@skip_without_dot
def test_svg_renders_with_ids_and_keeps_neurons_in_order():
    model = MLP(2, [4, 4, 1], seed=0)
    svg = draw_network(model, title="MLP(2, [4, 4, 1])").pipe(format="svg", encoding="utf-8")
    centres = {m.group(1): float(m.group(2)) for m in re.finditer(
        r'<g id="(L\dN\d|x\d)" class="node">.*?<ellipse[^>]*cy="([-\d.]+)"', svg, re.S)}
    assert len(centres) == 2 + 4 + 4 + 1
    for l in (0, 1):  # neuron 0 on top, then 1, 2, 3
        ys = [centres[f"L{l}N{j}"] for j in range(4)]
        assert ys == sorted(ys)  # SVG y grows downwards
    assert 'id="L1N2_w3"' in svg
    for name in ("positive weight", "hidden 2 (relu)", "output (linear)"):
        assert name in svg


def test_one_naming_scheme_inputs_in_order_and_gradients_on_the_edges():
    model = MLP(3, [2, 1], activation="tanh", seed=0)
    before = draw_network(model).source
    assert "∇" not in before  # no backward pass yet: no gradients to draw
    for i in range(3):
        assert re.search(rf"\bx{i} \[label=<x{i + 1}>", before)  # x1 ... xn, as the walkthroughs
    # every circle pinned in order, top to bottom (dot's own ordering once drew x3, x1, x2)
    ys = {m.group(1): float(m.group(2)) for m in re.finditer(r'id=(\w+) pos="[-\d.]+,([-\d.]+)!"', before)}
    assert ys["x0"] > ys["x1"] > ys["x2"] and ys["L0N0"] > ys["L0N1"]
    assert 'L0.N1</font>' in before and 'L1.N0</font>' in before  # neurons named like their labels
    model([0.5, -1.0, 2.0]).backward()
    after = edge_attrs(draw_network(model).source)
    w = model.layers[0].neurons[1].w[2]
    assert f"∇ {w.grad:.3g}" in after["L0N1_w2"][2] and f"gradient ∇ = {w.grad:.3g}" in after["L0N1_w2"][2]
    hidden = draw_network(model, show_weights=False).source
    assert "∇ " not in re.sub(r'tooltip="[^"]*"', "", hidden)  # not written, still in the tooltip
    assert "∇" in draw_network(model, show_weights=False, show_grads=True).source
    with pytest.raises(TypeError, match="show_grads"):
        draw_network(model, show_grads="yes")


@pytest.mark.needs_dot
@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")
def test_inputs_are_drawn_top_to_bottom_in_order():
    svg = draw_network(MLP(3, [4, 2], seed=0)).pipe(format="svg").decode()
    ys = [float(re.search(rf'<g id="x{i}" class="node">.*?cy="(-?[\d.]+)"', svg, re.S).group(1))
          for i in range(3)]
    assert ys == sorted(ys)  # x1 on top (SVG y grows downwards)
