"""Ops applied as functions: :func:`apply` for any op of the rule table, and n-ary nodes.

``apply(op, inputs, attr)`` checks its inputs (numbers become constants)
and makes the op's node, as ``engine.apply(engine.Op.ADD, [a, b])``.

``sum`` and ``dot`` make one node for a whole sum or weighted sum. A
neuron's ``w1*x1 + ... + wn*xn + b`` as binary ops is 2n nodes; as one
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
from typing import Iterable, Optional, Sequence

from .evaluators import FLOATS
from .modes import MODE
from .ops import Op
from .value import Constant, Value, as_real, lift, node

_sum = builtins.sum


def _lifted(values: Iterable, what: str) -> tuple:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{what} must be an iterable of Values or numbers, got {type(values).__name__}")
    values = tuple(values)
    if _VALUE_TYPES.issuperset(map(type, values)):
        return values
    out = []
    for i, x in enumerate(values):
        v = x if type(x) is Value else lift(x)
        if v is None:
            raise TypeError(f"{what}[{i}] must be a Value or a real number, got {type(x).__name__}")
        out.append(v)
    return tuple(out)


def apply(op: Op, inputs, attr: object = None) -> Value:
    """Apply any op of the rule table to Values or numbers (numbers become constants)."""
    if not isinstance(op, Op):
        raise TypeError(f"apply needs an Op from engine.RULES (e.g. engine.Op.ADD), "
                        f"got {type(op).__name__}")
    if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__"):
        raise TypeError(f"{op.name} inputs must be a list of Values or numbers, "
                        f"got {type(inputs).__name__}")
    if op.attrs:  # ops with a setting (x ** c, c ** x, leaky slope) cannot run without it
        if attr is None:
            raise TypeError(f"{op.name} needs its setting as attr= (e.g. {op.attrs[0]!r})")
        attr = as_real(attr, f"{op.name} setting attr")
    lifted = []
    for x in inputs:
        v = lift(x)
        if v is None:
            raise TypeError(f"{op.name} takes Values or real numbers, got {type(x).__name__}")
        lifted.append(v)
    if op.arity is not None and len(lifted) != op.arity:
        raise TypeError(f"{op.name} takes {op.arity} input(s), got {len(lifted)}")
    if not lifted:
        raise ValueError(f"{op.name} needs at least one input")
    inputs = tuple(lifted)
    return node(op, inputs, tuple([v.data for v in inputs]), attr)


def sum(values: Iterable) -> Value:  # noqa: A001 - engine.sum is the documented name
    """One ``Σ`` node adding all ``values`` (local derivative 1 for each).

    The sum of nothing is a constant 0.
    """
    inputs = _sequence(values)
    if inputs is None or not _VALUE_TYPES.issuperset(map(type, inputs)):
        inputs = _lifted(values if inputs is None else inputs, "sum values")
    if not inputs:
        return Constant(0.0)
    return node(Op.SUM, tuple(inputs), tuple([v.data for v in inputs]))


def dot(ws: Iterable, xs: Iterable, bias: Optional[object] = None) -> Value:
    """One node for ``Σ ws[i] * xs[i]`` (``+ bias`` when given).

    Its inputs are ``ws``, then ``xs``, then the bias; the local derivative
    for ``ws[i]`` is ``xs[i]`` and for ``xs[i]`` is ``ws[i]``.
    """
    if (type(ws) is list or type(ws) is tuple) and (type(xs) is list or type(xs) is tuple):
        w, x = ws, xs
    else:
        w, x = _lifted(ws, "dot ws"), _lifted(xs, "dot xs")
    n = len(w)
    if n != len(x):
        raise ValueError(f"dot needs as many ws as xs, got {n} ws and {len(x)} xs")
    if not n:
        raise ValueError("dot needs at least one (w, x) pair")
    inputs = (*w, *x) if bias is None else (*w, *x, bias)
    # Fast path: everything is already a Value (one C-level scan); else lift
    # numbers to constants, with messages naming the offending position.
    if not _VALUE_TYPES.issuperset(map(type, inputs)):
        inputs = _lifted(w, "dot ws") + _lifted(x, "dot xs")
        if bias is not None:
            inputs += _lifted((bias,), "dot bias")
    xs = tuple([v.data for v in inputs])
    if not MODE.plain:
        return node(_DOT, inputs, xs)
    # node() inlined for the common case: a neuron's weighted sum is the hottest
    # constructor of a training step. The maths is still the rule table's.
    v = _new(Value)
    v.data = out = _dot_forward(FLOATS, xs, None)  # the rule's maths, called without a wrapper
    v.grad = 0.0
    v.op = _DOT
    v.inputs = inputs
    v.local = _dot_local(FLOATS, xs, out, None)
    return v


_DOT = Op.DOT
_dot_forward, _dot_local = _DOT.maths_forward, _DOT.maths_local
_new = object.__new__
_VALUE_TYPES = frozenset((Value, Constant))


def _sequence(values: object) -> Optional[Sequence]:
    """``values`` itself when it is a list or tuple, else None (the slow path checks it)."""
    return values if type(values) is list or type(values) is tuple else None
