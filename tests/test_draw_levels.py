"""engine/draw_levels.py and draw_dot's levels: a network's graph per Value, neuron or layer."""

import re
import shutil

import pytest

from engine import Value, draw_dot, topological_order
from nn import MLP

skip_without_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")


def ten_example_loss():
    """The loss of MLP(2, [4, 4, 1]) over 10 examples: the graph issue 13 measured at 951 KB."""
    model = MLP(2, [4, 4, 1], seed=0)
    loss = Value(0.0, label="zero")
    for i in range(10):
        loss = loss + (model([0.1 * i - 0.5, 0.3 - 0.07 * i]) - (1.0 if i % 2 else -1.0)) ** 2
    loss.label = "loss"
    loss.backward()
    return model, loss


def test_neuron_level_one_box_per_neuron_call_with_activation_grad_and_weights():
    model = MLP(2, [3, 1], seed=0)
    out = model([0.5, -1.0])
    out.backward()
    source = draw_dot(out, level="neuron").source
    boxes = dict(re.findall(r"^\s*(u\d+) \[label=<(.*)> id=", source, re.M))
    assert len(boxes) == 2 + 3 + 1  # x1, x2, three hidden neurons, the output neuron
    hidden = next(label for label in boxes.values() if "<b>L0.N1</b>" in label)
    n = model.layers[0].neurons[1]
    assert f"{n.w[0].data:.6g}" in hidden and f"{n.w[0].grad:.6g}" in hidden  # weights, grads
    assert ">a</font>" in hidden and ">grad</font>" in hidden
    assert "<b>x1</b>" in source and "<b>x2</b>" in source  # the inputs, as in the walkthroughs
    weighted = re.findall(r"-> u\d+ \[color=\"(#[0-9a-f]+)\" id=u\d+_in\d+ penwidth=([\d.]+)", source)
    assert len(weighted) == 2 * 3 + 3 and len({w for _, w in weighted}) > 3


def test_layer_level_folds_the_neurons_of_each_call():
    _, loss = ten_example_loss()
    source = draw_dot(loss, level="layer").source
    names = re.findall(r"<b>(L\d #\d+)</b>", source)
    assert len(names) == 30 and "L2 #10" in names
    assert "4 neurons" in source and "4×4" in source


def test_scalar_level_boxes_each_neuron_inside_its_layer():
    _, loss = ten_example_loss()
    source = draw_dot(loss).source
    assert source.count("subgraph cluster_L") == 3 + 9  # three layers, nine neurons
    assert re.search(r"subgraph cluster_L0 \{.*?subgraph cluster_L0N2 \{", source, re.S)


@skip_without_dot
@pytest.mark.needs_dot
def test_the_ten_example_loss_is_smaller_at_every_level():
    _, loss = ten_example_loss()
    sizes = {level: len(draw_dot(loss, level=level).pipe(format="svg"))
             for level in ("scalar", "neuron", "layer")}
    assert sizes["scalar"] < 700_000  # was 951 KB before the boxes and the compact SVG
    assert sizes["layer"] < sizes["neuron"] < sizes["scalar"]
    svg = draw_dot(loss).pipe(format="svg").decode()
    assert svg.count("<!--") == 1 and svg.count("font-family=") < 5  # no comment per element,
    # and the font named once


def test_levels_are_checked():
    a = Value(1.0, label="a")
    with pytest.raises(ValueError, match="level must be one of 'scalar', 'neuron', 'layer'"):
        draw_dot(a * 2, level="neurons")
    with pytest.raises(ValueError, match="needs a graph made by nn modules"):
        draw_dot(a * 2, level="neuron")
    with pytest.raises(TypeError, match="expand_dot must be True or False"):
        draw_dot(a * 2, expand_dot="yes")
    out = MLP(2, [1], seed=0)([1.0, 2.0])
    step = next(out.backward_steps())
    with pytest.raises(ValueError, match="use level='scalar'"):
        draw_dot(out, level="neuron", highlight=step)


def test_expand_dot_draws_the_products_and_the_sum():
    model = MLP(2, [1], seed=0)
    out = model([0.5, -1.0])
    out.backward()
    fused = draw_dot(out).source
    spelled = draw_dot(out, expand_dot=True).source
    k = len(topological_order(out)) - 1
    assert f"n{k}op_m0" not in fused
    for i in range(2):
        assert f"n{k}op_m{i} [label=<*>" in spelled and f"n{k}p{i} [label=" in spelled
    n = model.layers[0].neurons[0]
    product = n.w[1].data * -1.0
    assert f"{product:.6g}" in spelled  # the product's number, with its grad = the sum's grad
    assert re.search(rf"n{k}op \[label=<\+>", spelled)
    assert spelled.count(f"-> n{k}op ") == 3  # two products and the bias
