"""nn.torch_bridge: to_torch gives the same function (float64, 1e-12); from_torch copies back."""

import pytest

from nn import ACTIVATIONS, MLP, Layer, Neuron, from_torch, to_torch

torch = pytest.importorskip("torch")

TOL = 1e-12
ROWS = [[0.3, -0.7, 1.1], [1.5, 0.2, -0.4], [-2.0, 0.9, 0.05], [25.0, -30.0, 4.0]]


def ours(model, rows=ROWS):
    result = []
    for x in rows:
        out = model(x)
        result.append([v.data for v in out] if isinstance(out, list) else [out.data])
    return result


def theirs(module, rows=ROWS):
    with torch.no_grad():
        return module(torch.tensor(rows, dtype=torch.float64)).tolist()


def max_diff(a, b):
    return max(abs(u - v) for ra, rb in zip(a, b) for u, v in zip(ra, rb))


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_outputs_agree_for_every_activation(activation):
    model = MLP(3, [5, 4, 2], activation=activation, output_activation=activation, seed=1)
    net = to_torch(model)
    assert all(p.dtype == torch.float64 for p in net.parameters())
    assert max_diff(ours(model), theirs(net)) <= TOL


@pytest.mark.parametrize("activation", ["relu", "tanh", "gelu", "softplus"])
def test_parameter_gradients_agree(activation):
    model = MLP(3, [6, 6, 1], activation=activation, seed=2)
    net = to_torch(model)
    model.zero_grad()
    total = None
    for x in ROWS[:3]:
        total = model(x) if total is None else total + model(x)
    total.backward()
    net(torch.tensor(ROWS[:3], dtype=torch.float64)).sum().backward()
    torch_grads = []
    for linear in (m for m in net if isinstance(m, torch.nn.Linear)):
        for j in range(linear.out_features):
            torch_grads.extend(linear.weight.grad[j].tolist())
            torch_grads.append(linear.bias.grad[j].item())
    assert len(torch_grads) == len(model.parameters())
    assert max(abs(p.grad - g) for p, g in zip(model.parameters(), torch_grads)) <= TOL


@pytest.mark.parametrize("make", [
    lambda: Neuron(3, "sigmoid", seed=0),
    lambda: Layer(3, 4, "silu", seed=0),
    lambda: MLP(3, [4, 1], bias=False, seed=0),
    lambda: MLP(3, [1, 1, 3], activation="leaky_relu", fused=False, seed=0),
], ids=["Neuron", "Layer", "no-bias", "width-1"])
def test_neurons_layers_and_variants(make):
    model = make()
    assert max_diff(ours(model), theirs(to_torch(model))) <= TOL


def test_from_torch_copies_weights_back():
    model = MLP(3, [4, 2], activation="tanh", seed=0)
    net = to_torch(model)
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(-0.5).add_(0.25)
    before = ours(model)
    assert from_torch(model, net) is model
    assert ours(model) != before
    assert max_diff(ours(model), theirs(net)) <= TOL
    # a torch module made independently, with float32 weights, also copies
    other = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    from_torch(model, other)
    assert model.layers[1].neurons[1].b.data == other[2].bias[1].item()


def test_from_torch_mismatch_raises_and_changes_nothing():
    model = MLP(3, [4, 2], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"weight shape \(4, 2\), expected \(4, 3\)"):
        from_torch(model, torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Linear(4, 2)))
    with pytest.raises(ValueError, match="has 2 layer\\(s\\) but the torch module has 1"):
        from_torch(model, torch.nn.Linear(3, 4))
    with pytest.raises(ValueError, match="has no bias"):
        from_torch(model, torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2, bias=False)))
    bad = to_torch(model)
    with torch.no_grad():
        bad[2].weight[0, 0] = float("nan")
    with pytest.raises(ValueError, match="not finite"):
        from_torch(model, bad)
    with pytest.raises(TypeError, match="needs a torch.nn.Module"):
        from_torch(model, [1, 2])
    with pytest.raises(ValueError, match=r"Linear layers only, .* parameter\(s\) 1.weight"):
        from_torch(model, torch.nn.Sequential(torch.nn.Linear(3, 4, dtype=torch.float64),
                                              torch.nn.PReLU(), torch.nn.Linear(4, 2)))
    assert model.state_dict() == before


def test_custom_activation_or_unknown_model_is_refused():
    with pytest.raises(ValueError, match="named activations"):
        to_torch(MLP(2, [2, 1], activation=lambda v: v.tanh()))
    with pytest.raises(TypeError, match="know MLP, Layer and Neuron"):
        to_torch(object())
