"""Vectorised replay of a trace with NumPy: one array operation per level and op.

Nodes at the same depth (longest path from the leaves) do not depend on each
other, so all the ``dot`` nodes of a layer, or all its ReLUs, can be computed
by a single NumPy operation on gathered inputs; the backward pass goes level by
level in reverse and scatter-adds ``local × upstream`` with ``np.bincount``.
Ops without an array form here are computed node by node with the rule
table's own functions. Needs the optional ``numpy`` dependency (extra ``fast``).

>>> import engine
>>> w = engine.Value(0.5)
>>> vt = engine.trace(lambda x: (w * x).relu() + x, 2.0).vectorised()
>>> vt(3.0), w.grad, vt.input_grads
(4.5, 3.0, (1.5,))
"""

from __future__ import annotations

import operator
from typing import Callable, Dict, List, Tuple

import numpy as np

from .modes import MODE
from .ops import RULES
from .value import as_real

__all__ = ["VectorisedTrace"]

_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _dot_forward(X):
    h = X.shape[1] // 2
    out = np.einsum("ij,ij->i", X[:, :h], X[:, h:2 * h])
    return out + X[:, -1] if X.shape[1] % 2 else out


def _dot_local(X, out):
    h = X.shape[1] // 2
    parts = [X[:, h:2 * h], X[:, :h]]
    if X.shape[1] % 2:
        parts.append(np.ones((X.shape[0], 1)))
    return np.concatenate(parts, axis=1)


def _sigmoid(x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


# Array forms of built-in ops: forward(X) with X of shape (nodes, arity) -> (nodes,),
# local(X, out) -> (nodes, arity). Tests compare each with the scalar rule.
_ARRAY_OPS: Dict[str, Tuple[Callable, Callable]] = {
    "add": (lambda X: X[:, 0] + X[:, 1], lambda X, o: np.ones_like(X)),
    "sub": (lambda X: X[:, 0] - X[:, 1],
            lambda X, o: np.broadcast_to(np.array([1.0, -1.0]), X.shape)),
    "mul": (lambda X: X[:, 0] * X[:, 1], lambda X, o: X[:, ::-1]),
    "neg": (lambda X: -X[:, 0], lambda X, o: -np.ones_like(X)),
    "relu": (lambda X: np.where(X[:, 0] <= 0.0, 0.0, X[:, 0]),
             lambda X, o: np.where(X <= 0.0, 0.0, 1.0)),
    "tanh": (lambda X: np.tanh(X[:, 0]), lambda X, o: (1.0 - o * o)[:, None]),
    "exp": (lambda X: np.exp(X[:, 0]), lambda X, o: o[:, None]),
    "sigmoid": (lambda X: _sigmoid(X[:, 0]), lambda X, o: (o * (1.0 - o))[:, None]),
    "sum": (lambda X: X.sum(axis=1), lambda X, o: np.ones_like(X)),
    "dot": (_dot_forward, _dot_local),
}


class _Group:
    """Nodes of one level with the same op, arity and setting."""

    def __init__(self, op, attr, out: List[int], inputs: List[List[int]]) -> None:
        self.op, self.attr = op, attr
        self.out = np.array(out, dtype=np.intp)
        self.inputs = np.array(inputs, dtype=np.intp)
        self.array = _ARRAY_OPS.get(op.name) if op.builtin and RULES.get(op.name) is op \
            and attr is None else None

    def forward(self, values: np.ndarray) -> np.ndarray:
        """Compute this group's outputs into ``values``; return the gathered inputs."""
        X = values[self.inputs]
        if self.array is not None:
            values[self.out] = self.array[0](X)
        else:
            forward, attr = self.op.forward, self.attr
            values[self.out] = [forward(tuple(row), attr) for row in X.tolist()]
        return X

    def backward(self, X: np.ndarray, values: np.ndarray, grads: np.ndarray, size: int) -> None:
        """Scatter-add ``local × upstream`` into the grads of this group's inputs."""
        upstream = grads[self.out]
        if self.array is not None:
            local = self.array[1](X, values[self.out])
        else:
            op, attr = self.op, self.attr
            local = np.array([op.local(tuple(row), out, attr)
                              for row, out in zip(X.tolist(), values[self.out].tolist())])
        contributions = (local * upstream[:, None]).ravel()
        grads += np.bincount(self.inputs.ravel(), weights=contributions, minlength=size)


class VectorisedTrace:
    """A trace replayed level by level with NumPy arrays (see :meth:`engine.Trace.vectorised`)."""

    def __init__(self, code) -> None:
        order, index = code.order[:code.in_graph], code.index
        self.size = len(order)
        self.params = code.params
        self.param_idx = np.array([k for k in code.param_of if k < self.size], dtype=np.intp)
        self.param_pos = np.array([j for k, j in code.param_of.items() if k < self.size],
                                  dtype=np.intp)
        self.input_slots = len(code.inputs)
        pairs = [(k, j) for k, j in code.input_of.items() if k < self.size]
        self.input_idx = np.array([k for k, _ in pairs], dtype=np.intp)
        self.input_pos = np.array([j for _, j in pairs], dtype=np.intp)
        self.start = np.zeros(self.size)
        level = [0] * self.size
        groups: Dict[tuple, tuple] = {}
        for k, v in enumerate(order):
            if not v.inputs:
                self.start[k] = v.data  # constants keep these; inputs and params are overwritten
                continue
            ins = [index[u] for u in v.inputs]
            level[k] = 1 + max(level[i] for i in ins)
            attr = v.attr if isinstance(v.attr, (float, int, str, type(None))) else id(v.attr)
            key = (level[k], v.op, len(ins), attr)
            out, rows = groups.setdefault(key, ([], []))
            out.append(k)
            rows.append(ins)
        self.groups = [_Group(key[1], order[out[0]].attr, out, rows)
                       for key, (out, rows) in sorted(groups.items(), key=lambda kv: kv[0][0])]
        self.input_grads: tuple = ()
        self.checks = []  # the comparisons recorded while tracing, re-asked after each forward
        for i, (how, a, b, outcome) in enumerate(code.checks):
            if index[a] >= self.size or (hasattr(b, "inputs") and index[b] >= self.size):
                raise ValueError("this trace compares values outside its output's graph; "
                                 "use the scalar replay (the Trace itself)")
            other = index[b] if hasattr(b, "inputs") else as_real(b, "compared number")
            self.checks.append((i, _COMPARE[how], index[a], other, outcome))
        self.frozen = code._frozen

    def replay(self, inputs: np.ndarray, params: np.ndarray) -> Tuple[float, np.ndarray, np.ndarray]:
        """Forward and backward on arrays: (output, input grads, parameter grads)."""
        values = self.start.copy()
        values[self.input_idx] = inputs[self.input_pos]
        values[self.param_idx] = params[self.param_pos]
        with np.errstate(all="ignore"):  # IEEE results (inf, nan) as in eager mode, silently
            gathered = [group.forward(values) for group in self.groups]
            for i, compare, a, b, outcome in self.checks:
                right = values[b] if isinstance(b, int) else b
                if compare(float(values[a]), float(right)) is not outcome:
                    self.frozen(i)
            grads = np.zeros(self.size)
            grads[self.size - 1] = 1.0
            for group, X in zip(reversed(self.groups), reversed(gathered)):
                group.backward(X, values, grads, self.size)
        input_grads = np.zeros(self.input_slots)
        input_grads[self.input_pos] = grads[self.input_idx]
        param_grads = np.zeros(len(self.params))
        param_grads[self.param_pos] = grads[self.param_idx]
        return float(values[self.size - 1]), input_grads, param_grads

    def __call__(self, *inputs: object) -> float:
        """Like :meth:`engine.Trace.__call__`: returns the output, adds into ``p.grad``."""
        from .trace import _flatten
        numbers: list = []
        _flatten(inputs, numbers)
        if len(numbers) != self.input_slots:
            raise ValueError(f"replay needs {self.input_slots} input number(s), got {len(numbers)}")
        params = self.params
        out, input_grads, grads = self.replay(np.array(numbers, dtype=float),
                                              np.array([p.data for p in params], dtype=float))
        if MODE.anomaly:  # as Trace.__call__: check before touching p.grad
            from .trace import _check_finite
            _check_finite(float(out), [*input_grads.tolist(), *grads.tolist()])
        for p, g in zip(params, grads.tolist()):
            p.grad += g
        self.input_grads = tuple(input_grads.tolist())
        return out
