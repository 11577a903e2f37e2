"""Bridges to PyTorch: the same network as a ``torch.nn.Module``, and weights copied back.

``to_torch(model)`` builds a ``torch.nn.Sequential`` of float64 ``Linear``
layers and activations whose outputs match ``model`` to about 1e-12. It maps
a batch ``(N, nin)`` to ``(N, nout)``. ``from_torch(model, module)`` copies the
weights of such a module into ``model``. ``torch`` is imported only when
these functions run (``pip install chainrule[torch]``)::

    model = MLP(2, [4, 1], activation="tanh", seed=0)
    net = to_torch(model)
    out = net(torch.tensor([[0.5, -1.0]], dtype=torch.float64))
    # out.item() equals model([0.5, -1.0]).data to ~1e-16
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Tuple

from engine import RULES

from .activations import ACTIVATIONS
from .module import MLP, Layer, Module, Neuron

if TYPE_CHECKING:  # only for the annotations: torch is imported when a bridge runs
    import torch


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError("nn.to_torch/from_torch need PyTorch: pip install 'chainrule[torch]'") from None
    return torch


def _layers(model: Module) -> List[Any]:
    """The model as a list of layers (a lone Neuron counts as a layer of one)."""
    if isinstance(model, MLP):
        return list(model.layers)
    if isinstance(model, Layer):
        return [model]
    if isinstance(model, Neuron):
        return [_NeuronAsLayer(model)]
    raise TypeError(f"to_torch/from_torch know MLP, Layer and Neuron, got {type(model).__name__}")


class _NeuronAsLayer:
    """Just enough of a Layer's shape to treat one Neuron as a width-1 layer."""

    def __init__(self, neuron: Neuron) -> None:
        self.neurons = [neuron]
        self.nin, self.nout, self.activation = neuron.nin, 1, neuron.activation


def _activation_module(torch, name: object):
    nn = torch.nn
    if not (isinstance(name, str) and name in ACTIVATIONS):
        raise ValueError(f"to_torch needs named activations ({', '.join(ACTIVATIONS)}), "
                         f"got the custom function {getattr(name, '__name__', name)!r}")
    if name == "softplus":
        return _softplus_module(torch)
    if name == "linear":
        return None  # no module at all
    make: Any = RULES[name].torch_module  # the rule table says what PyTorch calls it
    return make(nn)


def _softplus_module(torch: Any) -> Any:
    # torch.nn.Softplus switches to the identity above x = 20 (an error of ~2e-9);
    # this form, max(x, 0) + log1p(exp(-|x|)), is the engine's and is exact everywhere.
    class StableSoftplus(torch.nn.Module):
        def forward(self, x):
            return torch.relu(x) + torch.log1p(torch.exp(-x.abs()))

    return StableSoftplus()


def to_torch(model: Module) -> "torch.nn.Sequential":
    """An equivalent ``torch.nn.Sequential`` in float64 (a Linear, then the activation, per layer)."""
    torch = _torch()
    modules = []
    for layer in _layers(model):
        has_bias = layer.neurons[0].b is not None
        linear = torch.nn.Linear(layer.nin, layer.nout, bias=has_bias, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons],
                                             dtype=torch.float64))
            if has_bias:
                linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons],
                                               dtype=torch.float64))
        modules.append(linear)
        act = _activation_module(torch, layer.activation)
        if act is not None:
            modules.append(act)
    return torch.nn.Sequential(*modules)


def _linear_weights(torch: Any, module: Any) -> List[Tuple[Any, Any]]:
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch needs a torch.nn.Module, got {type(module).__name__}")
    linears = [m for m in module.modules() if isinstance(m, torch.nn.Linear)]
    owned = {id(p) for m in linears for p in m.parameters()}
    stray = [name for name, p in module.named_parameters() if id(p) not in owned]
    if stray:  # e.g. a PReLU slope: copying only the Linear weights would lose it silently
        raise ValueError(f"from_torch copies Linear layers only, but the module also has the "
                         f"parameter(s) {', '.join(stray[:5])}")
    return [(m.weight, m.bias) for m in linears]


def from_torch(model: Module, module: "torch.nn.Module") -> Module:
    """Copy the weights of ``module`` (as made by :func:`to_torch`) into ``model``; return ``model``.

    The Linear layers must match the model's layers in order and shape, else
    ``ValueError`` - and then ``model`` is left unchanged.
    """
    torch = _torch()
    layers = _layers(model)
    linears = _linear_weights(torch, module)
    if len(linears) != len(layers):
        raise ValueError(f"{type(model).__name__} has {len(layers)} layer(s) but the torch module "
                         f"has {len(linears)} Linear layer(s)")
    names = [name for name, _ in model.named_parameters()]
    values = []
    for k, (layer, (weight, bias)) in enumerate(zip(layers, linears)):
        if tuple(weight.shape) != (layer.nout, layer.nin):
            raise ValueError(f"Linear layer {k} has weight shape {tuple(weight.shape)}, "
                             f"expected ({layer.nout}, {layer.nin})")
        if (bias is None) != (layer.neurons[0].b is None):
            raise ValueError(f"Linear layer {k} {'has no' if bias is None else 'has a'} bias "
                             f"but the model's layer {k} {'has' if bias is None else 'has none'}")
        rows = weight.detach().to(torch.float64).tolist()
        offsets = bias.detach().to(torch.float64).tolist() if bias is not None else None
        for j in range(layer.nout):
            values.extend(rows[j])
            if offsets is not None:
                values.append(offsets[j])
    state = dict(zip(names, values))
    model.load_state_dict(state)
    return model
