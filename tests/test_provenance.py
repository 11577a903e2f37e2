"""engine/provenance.py and the labels nn writes: where every Value of a network comes from."""

import pytest

from engine import Value, topological_order
from engine.provenance import Origin, natural_key, neuron_groups, origin
from nn import MLP, Layer, Neuron


def test_every_value_a_module_makes_says_where_it_comes_from():
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    out = model([0.5, -1.0])
    assert origin(out) == Origin(1, 0, "activation")  # linear output: its z is its a
    hidden = out.inputs[3]  # dot inputs: 3 weights, then the 3 hidden activations
    assert origin(hidden) == Origin(0, 0, "activation")
    assert origin(hidden.inputs[0]) == Origin(0, 0, "pre-activation")
    assert origin(model.layers[0].neurons[2].w[1]) == Origin(0, 2, "weight", 1)
    assert origin(model.layers[1].neurons[0].b) == Origin(1, 0, "bias")
    parts = {origin(v).part for v in topological_order(out) if origin(v)}
    assert parts == {"weight", "bias", "pre-activation", "activation"}


@pytest.mark.parametrize("fused", [True, False])
def test_a_layer_and_a_neuron_alone_record_it_too(fused):
    layer = Layer(2, 2, activation="relu", seed=0, fused=fused)
    a = layer([1.0, 2.0])[1]
    assert origin(a) == Origin(None, 1, "activation") and a.label == "N1.a"
    assert origin(a.inputs[0]) == Origin(None, 1, "pre-activation")
    n = Neuron(2, "tanh", seed=0, fused=fused)
    y = n([1.0, 2.0])
    assert (y.label, y.inputs[0].label) == ("a", "z")
    assert origin(y) is None  # a bare "a" is too common a name to mean an activation


def test_bare_names_and_other_labels_have_no_origin():
    for label in ("a", "b", "w1", "x1", "loss", "L0.w1", "N3", "L0.N3.q", ""):
        assert origin(label) is None, label
    assert origin(Value(1.0)) is None


def test_unfused_neurons_own_their_products_and_sums():
    model = MLP(2, [2, 1], seed=1, fused=False)
    out = model([0.5, -1.0])
    order = topological_order(out)
    groups = neuron_groups(order)
    assert list(groups) == [(0, 0), (0, 1), (1, 0)]
    owned = {k for members in groups.values() for k in members}
    computed = [k for k, v in enumerate(order) if v.inputs]
    assert set(computed) <= owned  # every product and partial sum belongs to a neuron
    # ... and each neuron's box holds its own parameters
    for (layer, j), members in groups.items():
        labels = {order[k].label for k in members if order[k].label}
        assert f"L{layer}.N{j}.b" in labels and f"L{layer}.N{j}.w0" in labels


def test_natural_order_of_labels():
    labels = ["L1.N3.b", "L1.N3.w10", "L1.N3.w2", "L0.N0.b", "L0.N0.w1", "L0.N0.w0", "L0.N1.w0",
              "x2", "x10", "x1", "L1.N0.w0"]
    assert sorted(labels, key=natural_key) == [
        "x1", "x2", "x10", "L0.N0.w0", "L0.N0.w1", "L0.N0.b", "L0.N1.w0", "L1.N0.w0",
        "L1.N3.w2", "L1.N3.w10", "L1.N3.b"]


def test_provenance_costs_no_bytes_per_node():
    # The record is a label (a slot every Value has), made once per model: the strings
    # stored on the nodes of two calls are the very same objects.
    model = MLP(2, [4, 1], seed=0)
    first, second = model([0.1, 0.2]), model([0.3, 0.4])
    assert first.label is second.label
    # ... and a node carrying such a label takes no more memory than one without
    import gc
    import tracemalloc

    from engine import Value

    a = Value(0.3)

    def bytes_per_node(label):
        gc.collect()
        tracemalloc.start()
        nodes = []
        for _ in range(5000):
            node = a.tanh()
            if label:
                node.label = label
            nodes.append(node)
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        return size / len(nodes)

    plain, labelled = bytes_per_node(None), bytes_per_node(first.label)
    assert labelled - plain < 8, (plain, labelled)
