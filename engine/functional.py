"""N-ary nodes: one node for a whole sum or weighted sum.

A neuron's ``w1*x1 + ... + wn*xn + b`` as binary ops is 2n nodes; as one
``dot`` node it is one, which makes graphs smaller to draw and backward faster.

>>> from engine import Value
>>> w = [Value(0.5, label="w0"), Value(-1.0, label="w1")]
>>> y = dot(w, [2.0, 3.0], Value(0.25, label="b"))
>>> y.data, len(y.inputs)
(-1.75, 5)
>>> y.backward(); [v.grad for v in w]
[2.0, 3.0]
"""

from __future__ import annotations

import builtins
from typing import Iterable, Optional

from .ops import Op
from .value import Value, lift, node

_sum = builtins.sum


def _lifted(values: Iterable, what: str) -> tuple:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{what} must be an iterable of Values or numbers, got {type(values).__name__}")
    out = []
    for i, x in enumerate(values):
        v = x if type(x) is Value else lift(x)
        if v is None:
            raise TypeError(f"{what}[{i}] must be a Value or a real number, got {type(x).__name__}")
        out.append(v)
    return tuple(out)


def sum(values: Iterable) -> Value:  # noqa: A001 - engine.sum is the documented name
    """One ``Σ`` node adding all ``values`` (local derivative 1 for each).

    The sum of nothing is a constant 0.
    """
    inputs = _lifted(values, "sum values")
    if not inputs:
        return lift(0.0)
    return node(Op.SUM, inputs, tuple([v.data for v in inputs]))


def dot(ws: Iterable, xs: Iterable, bias: Optional[object] = None) -> Value:
    """One node for ``Σ ws[i] * xs[i]`` (``+ bias`` when given).

    Its inputs are ``ws``, then ``xs``, then the bias; the local derivative
    for ``ws[i]`` is ``xs[i]`` and for ``xs[i]`` is ``ws[i]``.
    """
    w = _lifted(ws, "dot ws")
    x = _lifted(xs, "dot xs")
    if len(w) != len(x):
        raise ValueError(f"dot needs as many ws as xs, got {len(w)} ws and {len(x)} xs")
    if not w:
        raise ValueError("dot needs at least one (w, x) pair")
    inputs = w + x
    if bias is not None:
        inputs += _lifted((bias,), "dot bias")
    return node(Op.DOT, inputs, tuple([v.data for v in inputs]))
