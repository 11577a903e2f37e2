"""Derivatives of derivatives: the backward pass built out of Values.

The rule table's maths is written over a number interface ``F``. Here ``F``
is :data:`VALUES`, whose functions make graph nodes, so running the same
rules backwards gives gradients that are themselves Values, with a graph that
can be drawn, stepped through and differentiated again.

>>> from engine import Value
>>> x = Value(0.5, label="x")
>>> y = x.tanh(); y.backward(create_graph=True)
>>> dy = x.grad                      # a Value: 1 - tanh(x)²
>>> round(dy.data, 6)
0.786448
>>> [round(d.data, 6) for d in gradients(dy, [x])]   # d²y/dx² = -2 tanh(x) (1 - tanh(x)²)
[-0.726862]
"""

from __future__ import annotations

import operator
from functools import reduce
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Sequence

from . import numeric as num
from .backprop import topological_order


def _is_value(x: object) -> bool:
    return hasattr(x, "inputs")


def _method(name: str, on_float: Callable[[float], float]) -> Callable[[Any], Any]:
    return lambda x: getattr(x, name)() if _is_value(x) else on_float(x)


def _data(x: object) -> float:
    return x.data if _is_value(x) else x  # type: ignore[attr-defined,return-value]


def _both(on_values: Callable[[Any, Any], Any], on_floats: Callable[[float, float], float]):
    return lambda a, b: on_values(a, b) if _is_value(a) or _is_value(b) else on_floats(a, b)


VALUES = SimpleNamespace(
    **{name: _method(name, getattr(num, name)) for name in ("exp", "log", "sqrt", "sigmoid",
                                                             "softplus")},
    tanh=_method("tanh", num.tanh), erf=_method("erf", num.erf),
    log1p=lambda x: (1.0 + x).log() if _is_value(x) else num.log1p(x),
    abs=abs, div=_both(operator.truediv, num.div), power=_both(operator.pow, num.power),
    sum=lambda xs: reduce(operator.add, xs),
    where=lambda c, a, b: a if c else b,
    eq=lambda a, b: _data(a) == _data(b), ne=lambda a, b: _data(a) != _data(b),
    and_=lambda p, q: p and q, maximum=lambda a, b: b if b > a else a,
)
"""The Value evaluator: rules applied to Values give Values (numbers stay numbers)."""


def _times(local: object, upstream: object) -> object:
    """``local × upstream``, without a node for a local derivative of ±1."""
    if type(local) is float:
        if local == 1.0:
            return upstream
        if local == -1.0:
            return -upstream  # type: ignore[operator]
    return local * upstream  # type: ignore[operator]


def _reverse(order: Sequence[Any], root: Any, needed: Callable[[Any], bool]) -> Dict[Any, Any]:
    """The chain rule over ``order`` with Values: d root / d node, for the ``needed`` nodes."""
    grads: Dict[Any, Any] = {root: 1.0}
    for v in reversed(order):
        if not v.inputs or v not in grads:
            continue
        upstream = grads[v]
        locals_ = v.op.maths_local(VALUES, v.inputs, v, v.attr)
        for inp, local in zip(v.inputs, locals_):
            if needed(inp):
                contribution = _times(local, upstream)
                grads[inp] = contribution if inp not in grads else grads[inp] + contribution
    return grads


def gradients(root: Any, wrt: Sequence[Any]) -> List[Any]:
    """d root / d w for each Value ``w`` in ``wrt``, as Values (0.0 where root does not depend on w).

    Nothing is written into ``.grad``: the results are new nodes, which can be
    differentiated again.
    """
    order = topological_order(root)
    targets = set(wrt)
    leads: set = set()  # nodes with a path down to one of the targets
    for v in order:
        if v in targets or any(u in leads for u in v.inputs):
            leads.add(v)
    grads = _reverse(order, root, leads.__contains__)
    return [grads.get(w, 0.0) for w in wrt]


def backward_with_graph(root: Any) -> None:
    """``root.backward(create_graph=True)``: every ``grad`` becomes a Value.

    As in plain ``backward()``, leaf gradients accumulate and intermediate
    ones start from zero.
    """
    order = topological_order(root)
    grads = _reverse(order, root, lambda v: True)
    for v in order:
        g = grads.get(v, 0.0)
        if v.inputs:
            v.grad = g
        elif v.requires_grad:
            v.grad = g if type(v.grad) is float and v.grad == 0.0 else v.grad + g
