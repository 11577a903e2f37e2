"""Activation functions by name, each one a function from a Value to a Value.

Every named activation is a single op of the engine's rule table, so it shows
up as one node in drawings and one step in the backward walkthrough.

>>> from engine import Value
>>> sorted(ACTIVATIONS)
['gelu', 'gelu_tanh', 'leaky_relu', 'linear', 'relu', 'sigmoid', 'silu', 'softplus', 'tanh']
>>> get_activation("relu")(Value(-2.0)).data
0.0
>>> get_activation("tanh")(Value(0.0)).data
0.0
"""

from __future__ import annotations

from typing import Callable, Dict, Optional, Union

from engine import RULES, Value, no_grad
from engine.ops import LEAKY_RELU_SLOPE  # noqa: F401 - nn's name for it

Activation = Callable[[Value], Value]
ActivationSpec = Union[str, Activation]

def linear(v: Value) -> Value:
    """The identity: no activation at all (adds no node to the graph)."""
    return v


# The named activations are the ops of the engine's rule table marked as activations,
# each called through its Value method (one op node, no wrapper in between).
ACTIVATIONS: Dict[str, Activation] = {"linear": linear, **{
    name: getattr(Value, name) for name, op in RULES.items() if op.activation}}
"""Every activation by name."""

RELU_FAMILY = frozenset(name for name, op in RULES.items() if op.activation == "relu-like")
"""Activations that zero (or nearly zero) half their input range; He init suits them."""

relu, leaky_relu, tanh, sigmoid = Value.relu, Value.leaky_relu, Value.tanh, Value.sigmoid
gelu, gelu_tanh, silu, softplus = Value.gelu, Value.gelu_tanh, Value.silu, Value.softplus


def get_activation(activation: ActivationSpec) -> Activation:
    """The function for an activation name, or a callable passed through after a check.

    A callable must map a Value to a Value; it is tried once on ``Value(0.5)``.

    >>> get_activation("silu").__name__
    'silu'
    >>> get_activation("swish")
    Traceback (most recent call last):
    ...
    ValueError: unknown activation 'swish'; valid names: linear, relu, leaky_relu, tanh, sigmoid, gelu, gelu_tanh, silu, softplus (or pass a function from Value to Value)
    """
    if isinstance(activation, str):
        fn = ACTIVATIONS.get(activation)
        if fn is None:
            raise ValueError(f"unknown activation {activation!r}; valid names: "
                             f"{', '.join(ACTIVATIONS)} (or pass a function from Value to Value)")
        return fn
    if not callable(activation):
        raise TypeError(f"activation must be a name ({', '.join(ACTIVATIONS)}) or a function "
                        f"from Value to Value, got {type(activation).__name__}")
    with no_grad():
        probe = activation(Value(0.5))
    if not isinstance(probe, Value):
        raise TypeError(f"activation {activation_name(activation)} must return a Value, "
                        f"got {type(probe).__name__}")
    return activation


def activation_name(activation: object) -> str:
    """A short name for an activation: its registered name, else the function's name.

    >>> activation_name("tanh"), activation_name(lambda v: v)
    ('tanh', '<lambda>')
    """
    if isinstance(activation, str):
        return activation
    for name, fn in ACTIVATIONS.items():
        if fn is activation:
            return name
    return getattr(activation, "__name__", type(activation).__name__)


def default_init(activation: ActivationSpec) -> str:
    """The initialisation a layer uses when none is given.

    ``he_uniform`` for the ReLU family (relu, leaky_relu, gelu, gelu_tanh, silu,
    softplus); ``xavier_uniform`` for tanh, sigmoid, linear and custom functions.

    >>> default_init("relu"), default_init("tanh"), default_init("linear")
    ('he_uniform', 'xavier_uniform', 'xavier_uniform')
    """
    name: Optional[str]
    if isinstance(activation, str):
        name = activation
    else:  # a registered function counts by its name; any other callable is "custom"
        name = next((n for n, fn in ACTIVATIONS.items() if fn is activation), None)
    return "he_uniform" if name in RELU_FAMILY else "xavier_uniform"


def resolve_activation(activation: Union[ActivationSpec, bool, None],
                       nonlin: Optional[bool] = None) -> ActivationSpec:
    """The activation from ours (``activation=``) or micrograd's keyword (``nonlin=``).

    micrograd's ``nonlin`` is a flag: True is ReLU, False is no activation. A
    bool in the ``activation`` slot means the same (micrograd's second
    positional argument is ``nonlin``).
    """
    if nonlin is not None:
        if not isinstance(nonlin, bool):
            raise TypeError(f"nonlin must be True (ReLU) or False (linear), got {nonlin!r}")
        if activation is not None:
            raise ValueError(f"pass activation= or micrograd's nonlin=, not both "
                             f"(got activation={activation_name(activation)!r}, nonlin={nonlin})")
        activation = nonlin
    if activation is None:
        return "relu"
    if isinstance(activation, bool):
        return "relu" if activation else "linear"
    return activation
