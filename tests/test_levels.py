"""engine/levels.py: a network's graph as neuron units and layer units."""

from engine import Value, dot, topological_order
from engine.levels import layer_units, network_units
from nn import MLP


def loss_over(model, points):
    loss = Value(0.0, label="zero")
    for x in points:
        loss = loss + (model(x) - 1.0) ** 2
    loss.label = "loss"
    return loss


def test_one_unit_per_neuron_call_with_its_weights_on_the_edges():
    model = MLP(2, [3, 2], seed=0)
    outs = model([0.5, -1.0])
    root = outs[0] + outs[1]
    order = topological_order(root)
    units = network_units(order)
    neurons = [u for u in units if u.kind == "neuron"]
    assert [u.name for u in neurons] == ["L0.N0", "L0.N1", "L0.N2", "L1.N0", "L1.N1"]
    first = neurons[3]
    assert [units[s].name for s in first.sources] == ["L0.N0", "L0.N1", "L0.N2"]
    assert [order[w].label for w in first.weights] == ["L1.N0.w0", "L1.N0.w1", "L1.N0.w2"]
    assert all(units[s].out < u.out for u in units for s in u.sources)  # sources come first
    assert [u.column for u in neurons] == [1, 1, 1, 2, 2]
    assert [u.row for u in neurons] == [0, 1, 2, 0, 1]
    params = {id(p) for p in model.parameters()}
    assert not any(id(order[u.out]) in params for u in units)  # weights are edges, not units


def test_a_neuron_called_for_several_examples_is_numbered_and_layers_fold_calls():
    model = MLP(2, [4, 1], seed=0)
    loss = loss_over(model, [[0.1, 0.2], [0.3, -0.4], [1.0, 0.0]])
    units = network_units(topological_order(loss))
    names = [u.name for u in units if u.kind == "neuron"]
    assert names.count("L0.N2 #3") == 1 and "L1.N0 #1" in names
    layers = layer_units(units)
    called = [u for u in layers if u.kind == "layer"]
    assert [u.name for u in called] == ["L0 #1", "L1 #1", "L0 #2", "L1 #2", "L0 #3", "L1 #3"]
    assert [u.width for u in called] == [4, 1] * 3
    assert sum(len(u.members) for u in called) == sum(len(u.members) for u in units
                                                      if u.kind == "neuron")


def test_graphs_made_without_modules_have_no_units():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert network_units(topological_order((a * b).tanh())) is None
    w = [Value(0.5, label="w0")]
    assert network_units(topological_order(dot(w, [2.0]))) is None
