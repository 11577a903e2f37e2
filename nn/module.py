"""Neural-network modules built from engine Values: Neuron, Layer, MLP.

All three are :class:`~nn.base.Module` subclasses (the base class, which finds
parameters and submodules among the attributes, lives in :mod:`nn.base` and is
importable from here too).

A :class:`Neuron` computes ``activation(w·x + b)``. By default the weighted
sum is one ``dot`` node (``fused=True``), so a neuron adds two nodes to the
graph; ``fused=False`` spells it out as ``w0*x0 + w1*x1 + ... + b`` with one
node per multiplication and addition, which is what you want in a picture.

With no ``init`` and no ``seed`` the weights are micrograd's: each one
``random.uniform(-1, 1)`` from Python's global ``random`` stream, neuron by
neuron and layer by layer, every bias 0. ``init=`` names another scheme
(``"auto"``: He for ReLU layers, Xavier for the rest) and ``seed=`` gives a
private, reproducible stream.

>>> model = MLP(2, [16, 16, 1], seed=0)
>>> len(model.parameters())
337
>>> out = model([0.5, -1.0]); out.backward()
>>> model.layers[0].neurons[3].w[1].label
'L0.N3.w1'
>>> model.named_parameters()[0][0]
'layers.0.neurons.0.w.0'
"""

from __future__ import annotations

import random
from typing import List, Optional, Sequence, Tuple, Union, cast

from engine import Value, dot
from engine.value import lift

from ._checks import finite_number, positive_int
from .activations import ActivationSpec, activation_name, get_activation, linear, resolve_activation
from .base import Module
from .init import Initializer, get_initializer, make_rng, resolve_init

Inputs = Sequence[Union[float, Value]]


def _lift_inputs(x: Inputs, nin: int, who: str) -> tuple:
    """The inputs as a tuple of Values (numbers become constants), length-checked."""
    if isinstance(x, (dict, set, frozenset)) or not hasattr(x, "__len__"):  # no order, or no length
        raise TypeError(f"{who} expects a list of {nin} numbers or Values, "
                        f"got {type(x).__name__}")
    n = len(x)
    if n != nin:
        raise ValueError(f"expected {nin} inputs, got {n}")
    out = []
    for i, v in enumerate(x):
        if type(v) is not Value:
            item, v = v, lift(v)
            if v is None:
                raise TypeError(f"{who} input {i} must be a number or a Value, "
                                f"got {type(item).__name__}")
        out.append(v)
    return tuple(out)


class Neuron(Module):
    """One unit: ``activation(w·x + b)`` with ``nin`` weights and a bias.

    ``activation`` defaults to relu; micrograd's ``nonlin=False`` (or
    ``Neuron(n, False)``) means linear and ``nonlin=True`` relu. ``init``
    defaults to ``uniform``, micrograd's U(-1, 1); ``init="auto"`` picks
    ``he_uniform`` for the ReLU family and ``xavier_uniform`` for tanh,
    sigmoid, linear and custom activations; any name of
    :data:`nn.INITIALIZERS` or a function works too. The bias starts at 0.
    ``seed`` (or ``rng``, a ``random.Random``) gives a private, reproducible
    stream; without either the weights come straight from Python's global
    ``random`` stream (so ``random.seed(n)`` repeats them, as in micrograd).
    ``fan_out`` is the layer width the Xavier formulas use (1 for a neuron
    on its own).

    >>> n = Neuron(2, "tanh", init="uniform", seed=1)
    >>> [w.label for w in n.w], n.b.label
    (['w0', 'w1'], 'b')
    >>> y = n([1.0, 2.0]); y.op.name, y.inputs[0].op.name
    ('tanh', 'dot')
    >>> Neuron(2, fused=False, seed=1)([1.0, 2.0]).inputs[0].op.name
    'add'
    >>> Neuron(2, nonlin=False).activation, Neuron(2, "tanh", init="auto").init
    ('linear', 'xavier_uniform')
    """

    def __init__(self, nin: int, activation: Union[ActivationSpec, bool, None] = None, *,
                 nonlin: Optional[bool] = None,
                 init: Union[str, Initializer, None] = None, bias: bool = True,
                 seed: Optional[int] = None, rng: Optional[random.Random] = None,
                 fused: bool = True, fan_out: int = 1) -> None:
        self.nin = positive_int(nin, "nin")
        activation = resolve_activation(activation, nonlin)
        self._act = get_activation(activation)
        self.activation = activation if isinstance(activation, str) else self._act
        self.init = resolve_init(init, activation)
        draw = get_initializer(self.init)
        positive_int(fan_out, "fan_out")
        for flag, what in ((bias, "bias"), (fused, "fused")):
            if not isinstance(flag, bool):
                raise TypeError(f"{what} must be True or False, got {flag!r}")
        self.fused = fused
        rng = make_rng(seed, rng)
        what = f"init {activation_name(self.init)!r} weight"
        self.w = [Value(finite_number(draw(nin, fan_out, rng), what), label=f"w{i}")
                  for i in range(nin)]
        self.b = Value(0.0, label="b") if bias else None
        # Provenance: the labels this neuron gives its pre-activation and activation
        # nodes (a Layer or MLP prefixes them, as it does the parameters' labels).
        self._tags: Tuple[str, ...] = ("z", "a")

    def __call__(self, x: Inputs) -> Value:
        return self._fire(_lift_inputs(x, self.nin, "Neuron"))

    forward = __call__

    def _fire(self, xs: Sequence[Value]) -> Value:
        """The neuron's output for inputs already lifted to Values (no checks)."""
        if self.fused:
            total = dot(self.w, xs, self.b)  # one node: w0*x0 + ... + b
        else:
            total = self.w[0] * xs[0]
            for w, x in zip(self.w[1:], xs[1:]):
                total = total + w * x
            if self.b is not None:
                total = total + self.b
        total.label = self._tags[0]
        out = self._act(total)
        out.label = self._tags[1]  # a linear neuron's z is its a: the node says "a"
        return out

    def extra_repr(self) -> str:
        text = f"nin={self.nin}, activation={activation_name(self.activation)!r}"
        if self.b is None:
            text += ", bias=False"
        return text + ("" if self.fused else ", fused=False")


def _relabel(module: Module, prefix: str) -> None:
    for p in module.parameters():
        p.label = f"{prefix}.{p.label}"
    for _, m in module.named_modules():  # provenance of the computed nodes too
        if isinstance(m, Neuron):
            m._tags = tuple(f"{prefix}.{t}" for t in m._tags)


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; calling it gives a list of Values.

    Parameter labels read ``N<j>.w<i>`` and ``N<j>.b``. ``activation``,
    ``nonlin`` and ``init`` work as in :class:`Neuron` (weights drawn neuron by
    neuron); all neurons share the layer's activation and ``fused`` setting.
    As in micrograd, a layer of one neuron returns that Value, not a list.

    >>> layer = Layer(3, 2, activation="sigmoid", seed=0)
    >>> out = layer([1.0, 0.0, -1.0]); len(out), layer.neurons[1].b.label
    (2, 'N1.b')
    >>> Layer(3, 1, nonlin=False, seed=0)([1.0, 2.0, 3.0]).op.name
    'dot'
    """

    def __init__(self, nin: int, nout: int, activation: Union[ActivationSpec, bool, None] = None, *,
                 nonlin: Optional[bool] = None,
                 init: Union[str, Initializer, None] = None, bias: bool = True,
                 seed: Optional[int] = None, rng: Optional[random.Random] = None,
                 fused: bool = True) -> None:
        self.nin = positive_int(nin, "nin")
        self.nout = positive_int(nout, "nout")
        activation = resolve_activation(activation, nonlin)
        rng = make_rng(seed, rng)
        self.neurons = [Neuron(nin, activation, init=init, bias=bias, rng=rng, fused=fused,
                               fan_out=nout) for _ in range(nout)]
        for j, neuron in enumerate(self.neurons):
            _relabel(neuron, f"N{j}")
        first = self.neurons[0]
        self.activation, self.init, self.fused = first.activation, first.init, fused
        self._act = None if first._act is linear else first._act  # shared by every neuron

    def __call__(self, x: Inputs) -> Union[Value, List[Value]]:
        out = self._forward(_lift_inputs(x, self.nin, "Layer"))
        return out[0] if len(out) == 1 else out

    def _forward(self, xs: Sequence[Value]) -> List[Value]:
        """The layer's outputs for inputs already lifted to Values (no checks)."""
        # The hot loop of every network: one dot node and one activation node per
        # neuron, with no Python call in between that the maths does not need.
        # Each node is labelled with where it comes from (engine.provenance reads
        # "L0.N3.z" / "L0.N3.a"): one store of a string made when the model was built.
        act = self._act
        if not self.fused:
            return [n._fire(xs) for n in self.neurons]
        out: List[Value] = []
        append = out.append
        for n in self.neurons:
            z = dot(n.w, xs, n.b)
            tags = n._tags
            if act is None:
                z.label = tags[1]
                append(z)
            else:
                z.label = tags[0]
                a = act(z)
                a.label = tags[1]
                append(a)
        return out

    forward = __call__

    def extra_repr(self) -> str:
        init = self.init if isinstance(self.init, str) else getattr(self.init, "__name__", "custom")
        text = (f"nin={self.nin}, nout={self.nout}, "
                f"activation={activation_name(self.activation)!r}, init={init!r}")
        if self.neurons[0].b is None:
            text += ", bias=False"
        return text + ("" if self.fused else ", fused=False")

    def _repr_children(self) -> list:
        return []  # sixteen identical neuron lines would hide the shape; extra_repr says it all


class MLP(Module):
    """A multi-layer perceptron: layers of widths ``nouts`` on ``nin`` inputs.

    Hidden layers use ``activation`` (default relu); the last layer uses
    ``output_activation`` (default linear), as micrograd's MLP does. With no
    ``init`` every layer draws micrograd's U(-1, 1); ``init`` names one scheme
    for all layers, and ``init="auto"`` picks per layer (he_uniform for ReLU
    layers, xavier_uniform for the linear output). Calling it returns one
    Value when the last layer has one output, else a list. Parameter labels
    read ``L<k>.N<j>.w<i>``.

    >>> model = MLP(3, [4, 2], init="auto", seed=0)
    >>> model
    MLP(
      (layers.0): Layer(nin=3, nout=4, activation='relu', init='he_uniform')
      (layers.1): Layer(nin=4, nout=2, activation='linear', init='xavier_uniform')
    )
    >>> a, b = model([1.0, 2.0, 3.0]), MLP(3, [4, 2], init="auto", seed=0)([1, 2, 3])
    >>> [v.data for v in a] == [v.data for v in b]
    True
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: ActivationSpec = "relu",
                 output_activation: ActivationSpec = "linear", *,
                 init: Union[str, Initializer, None] = None, bias: bool = True,
                 seed: Optional[int] = None, rng: Optional[random.Random] = None,
                 fused: bool = True) -> None:
        self.nin = positive_int(nin, "nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, (list, tuple)) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer widths, got {nouts!r}")
        self.nouts = [positive_int(n, f"layer width nouts[{i}]") for i, n in enumerate(nouts)]
        get_activation(activation)  # a typo fails here even when no hidden layer uses it
        rng = make_rng(seed, rng)
        sizes = [self.nin] + self.nouts
        last = len(self.nouts) - 1
        self.layers = [Layer(sizes[k], sizes[k + 1],
                             output_activation if k == last else activation,
                             init=init, bias=bias, rng=rng, fused=fused)
                       for k in range(len(self.nouts))]
        for k, layer in enumerate(self.layers):
            _relabel(layer, f"L{k}")
        self.activation, self.output_activation = activation, output_activation
        self.init, self.fused = init, fused

    def __call__(self, x: Inputs) -> Union[Value, List[Value]]:
        xs: Sequence[Value] = _lift_inputs(x, self.nin, "MLP")  # numbers become Values once, not per neuron
        for layer in self.layers:
            xs = layer._forward(xs)
        # a list: the last layer's outputs (an MLP has at least one layer)
        return xs[0] if len(xs) == 1 else cast(List[Value], xs)

    forward = __call__


__all__ = ["Module", "Neuron", "Layer", "MLP"]
