"""Weight initialisation schemes, as textbook formulas over fan-in and fan-out.

``fan_in`` is the number of inputs of a neuron, ``fan_out`` the number of
neurons in its layer. The formulas match ``torch.nn.init``:

========================  ====================================================
``zeros``                 every weight 0 (shows the symmetry problem: all
                          neurons of a layer stay identical forever)
``uniform``               U(-1, 1), micrograd's choice and the default
``xavier_uniform``        U(-a, a), a = sqrt(6 / (fan_in + fan_out))  (gain 1)
``xavier_normal``         N(0, s²), s = sqrt(2 / (fan_in + fan_out))   (gain 1)
``he_uniform``            U(-a, a), a = sqrt(6 / fan_in)  (kaiming_uniform_, a=0)
``he_normal``             N(0, s²), s = sqrt(2 / fan_in)  (kaiming_normal_, a=0)
========================  ====================================================

Biases always start at 0, as in micrograd. A module given no ``init`` uses
``uniform``, drawn from Python's global ``random`` stream when it has no
``seed``, so ``random.seed(1337)`` then ``MLP(2, [16, 16, 1])`` gives the
weights micrograd gives. ``init="auto"`` picks by activation instead: He for
the ReLU family, Xavier for the rest (see :func:`nn.activations.default_init`).

>>> import random
>>> rng = random.Random(0)
>>> w = [init_value("he_uniform", 4, 8, rng) for _ in range(1000)]
>>> max(abs(x) for x in w) <= math.sqrt(6 / 4)
True
>>> init_value("zeros", 4, 8, rng)
0.0
"""

from __future__ import annotations

import math
import random
from typing import Callable, Dict, Union

from ._checks import finite_number, positive_int
from .activations import ActivationSpec, default_init

Initializer = Callable[[int, int, random.Random], float]


def zeros(fan_in: int, fan_out: int, rng: random.Random) -> float:
    """Always 0."""
    return 0.0


def uniform(fan_in: int, fan_out: int, rng: random.Random) -> float:
    """U(-1, 1), whatever the layer size."""
    return rng.uniform(-1.0, 1.0)


def xavier_uniform(fan_in: int, fan_out: int, rng: random.Random) -> float:
    """Glorot/Xavier uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out))."""
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound)


def xavier_normal(fan_in: int, fan_out: int, rng: random.Random) -> float:
    """Glorot/Xavier normal: N(0, 2 / (fan_in + fan_out))."""
    return rng.gauss(0.0, math.sqrt(2.0 / (fan_in + fan_out)))


def he_uniform(fan_in: int, fan_out: int, rng: random.Random) -> float:
    """He/Kaiming uniform for ReLU: U(-a, a) with a = sqrt(6 / fan_in)."""
    bound = math.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound)


def he_normal(fan_in: int, fan_out: int, rng: random.Random) -> float:
    """He/Kaiming normal for ReLU: N(0, 2 / fan_in)."""
    return rng.gauss(0.0, math.sqrt(2.0 / fan_in))


INITIALIZERS: Dict[str, Initializer] = {
    "zeros": zeros, "uniform": uniform, "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal, "he_uniform": he_uniform, "he_normal": he_normal,
}
"""Every initialisation scheme by name."""


def get_initializer(init: Union[str, Initializer]) -> Initializer:
    """The function for a scheme name; a callable ``(fan_in, fan_out, rng) -> float`` passes through.

    >>> get_initializer("xavier")
    Traceback (most recent call last):
    ...
    ValueError: unknown init 'xavier'; valid names: zeros, uniform, xavier_uniform, xavier_normal, he_uniform, he_normal
    """
    if isinstance(init, str):
        fn = INITIALIZERS.get(init)
        if fn is None:
            raise ValueError(f"unknown init {init!r}; valid names: {', '.join(INITIALIZERS)}")
        return fn
    if not callable(init):
        raise TypeError(f"init must be a scheme name ({', '.join(INITIALIZERS)}) or a function "
                        f"(fan_in, fan_out, rng) -> float, got {type(init).__name__}")
    return init


def init_value(name: Union[str, Initializer], fan_in: int, fan_out: int,
               rng: random.Random) -> float:
    """One initial weight drawn from scheme ``name`` for a layer of the given fans."""
    fan_in, fan_out = positive_int(fan_in, "fan_in"), positive_int(fan_out, "fan_out")
    value = get_initializer(name)(fan_in, fan_out, rng)
    return finite_number(value, f"init {getattr(name, '__name__', name)!r} value")


def global_random() -> random.Random:
    """The hidden ``random.Random`` behind the ``random`` module's functions (``random.seed`` seeds it)."""
    # typeshed types random.random as a plain callable; it is a bound method of that Random
    return random.random.__self__  # type: ignore[attr-defined]


def make_rng(seed: object = None, rng: object = None) -> random.Random:
    """The random generator a module draws from: ``rng``, else ``random.Random(seed)``.

    ``seed`` may also be a ``random.Random``. With neither, it is Python's
    global ``random`` stream itself, so ``random.seed(1337)`` before building
    a model repeats its weights, draw for draw as ``random.uniform`` would, as
    in micrograd's demo.

    >>> make_rng(3).random() == make_rng(rng=random.Random(3)).random()
    True
    >>> random.seed(1); a = make_rng().random(); random.seed(1); a == random.random()
    True
    """
    if rng is not None and seed is not None:
        raise ValueError("pass either seed= or rng=, not both")
    if isinstance(seed, random.Random):
        rng, seed = seed, None
    if rng is not None:
        if not isinstance(rng, random.Random):
            raise TypeError(f"rng must be a random.Random, got {type(rng).__name__}")
        return rng
    if seed is None:
        return global_random()
    if type(seed) is not int:
        raise TypeError(f"seed must be an int (or a random.Random), got {type(seed).__name__}")
    return random.Random(seed)


DEFAULT_INIT = "uniform"
"""The scheme a module uses when given no ``init``: micrograd's U(-1, 1)."""

AUTO_INIT = "auto"
"""``init="auto"``: He uniform for the ReLU family, Xavier uniform for other activations."""


def resolve_init(init: Union[str, Initializer, None], activation: ActivationSpec) -> Union[str, Initializer]:
    """The scheme a neuron draws from: the default, ``auto``'s pick for the activation, or ``init``."""
    if init is None:
        return DEFAULT_INIT
    if isinstance(init, str) and init == AUTO_INIT:
        return default_init(activation)
    return init
