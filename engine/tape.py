"""Interpreted replay for :mod:`engine.trace`: a recorded graph as flat lists, run by a loop.

Generating and compiling one line of Python per node (the default replay of
:func:`engine.trace`) costs about 6 KB per node while compiling, too much for a
million-node graph. A :class:`Tape` keeps only, per node, its op, the slots of
its inputs and its setting, and replays forward and backward by calling each
op's own ``forward`` and ``local`` functions from the rule table: the same
arithmetic, with the additions in the same order, as ``backward()``.

>>> from engine import Value
>>> w, x = Value(0.5), Value(2.0)
>>> tape = Tape(Recording(w * x + 1.0, [x], []))
>>> tape.replay([3.0], [0.25], [0.0])  # output, input grads, parameter grads
(1.75, (0.25,), (3.0,))

Memory (measured with tracemalloc): 42 bytes per node held (one op, one
setting, two input slots and one starting number per node), plus 64 bytes per
node while a replay runs (a number and a gradient per node); building it peaks
at about 130 bytes per node. The tape does not keep the recorded Values, only
the leaves it reads on every replay (``params``). Each replay calls the ops'
functions, about 1 µs per node: 4 to 16 times slower than compiled code.

Frozen comparisons recorded while tracing are re-asked after every forward
pass and raise :class:`engine.TraceError` exactly as the compiled replay does.
"""

from __future__ import annotations

import operator
from array import array
from math import isfinite
from typing import List

from .recording import Recording
from .value import Value, as_real

__all__ = ["Tape"]

_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_UNARY, _WIDE = -1, -2  # markers in the second-input slot


class Tape:
    """A recorded graph as flat lists, replayed by a loop (see :mod:`engine.tape`).

    Built from the same :class:`~engine.recording.Recording` as the code
    generator of :mod:`engine.trace`. ``replay(X, P, G)`` and
    ``forward(X, P)`` take the input numbers, the parameters' data (and grads)
    and return what the compiled replay functions return.
    """

    def __init__(self, rec: Recording, want_input_grads: bool = True) -> None:
        order, self.in_graph, index = rec.order, rec.in_graph, rec.index
        self.nodes = len(order)
        self.want_input_grads = want_input_grads
        self.inputs = len(rec.inputs)
        self.rec = rec
        n = len(order)
        self.ops: list = [None] * n     # the Op of each node, None for a leaf
        self.attrs: list = [None] * n   # each node's setting
        self.first = array("q", bytes(8 * n))   # slot of the first input
        self.second = array("q", bytes(8 * n))  # slot of the second, _UNARY or _WIDE
        self.wide: dict = {}            # node -> tuple of input slots, for 3+ inputs
        self.start: list = [0.0] * n    # constants' numbers (others are overwritten)
        self.input_of: List[tuple] = []  # (node, input slot)
        self.param_of: List[tuple] = []  # (node, parameter position)
        needs = bytearray(n)            # 1: the node leads to a gradient that is reported
        for k, v in enumerate(order):
            ins = v.inputs
            if not ins:
                self.start[k] = v.data
                if k in rec.input_of:
                    self.input_of.append((k, rec.input_of[k]))
                    needs[k] = want_input_grads and k < self.in_graph
                elif k in rec.param_of:
                    self.param_of.append((k, rec.param_of[k]))
                    needs[k] = k < self.in_graph
                continue
            self.ops[k], self.attrs[k] = v.op, v.attr
            if len(ins) <= 2:
                self.first[k] = index[ins[0]]
                self.second[k] = index[ins[1]] if len(ins) == 2 else _UNARY
            else:
                self.wide[k] = tuple(index[u] for u in ins)
                self.second[k] = _WIDE
            needs[k] = k < self.in_graph and any(needs[index[u]] for u in ins)
        self.params: List[Value] = rec.params
        self.needs = needs
        self._tests: list = []  # the comparisons, by slot
        for how, a, b, outcome in rec.checks:
            if how not in _COMPARE:
                raise ValueError(f"internal: unknown comparison {how!r}")
            right = index[b] if isinstance(b, Value) else as_real(b, "compared number")
            self._tests.append((_COMPARE[how], index[a], isinstance(b, Value), right, outcome))

    def forget_graph(self) -> None:
        """Let go of the recorded Values: keep only numbers, ops and what error messages name."""
        rec = self.rec
        named = {v for _, a, b, _ in rec.checks for v in (a, b) if isinstance(v, Value)}
        rec.index = {v: rec.index[v] for v in named}
        rec.order = []

    def _frozen(self, i: int) -> None:
        raise self.rec.frozen_error(i)

    def _run_forward(self, X: list, P: list) -> list:
        """Every node's number for input numbers ``X`` and parameter numbers ``P``."""
        values = self.start.copy()
        for k, j in self.input_of:
            values[k] = X[j]
        for k, j in self.param_of:
            values[k] = P[j]
        first, second, wide = self.first, self.second, self.wide
        for k, (op, attr) in enumerate(zip(self.ops, self.attrs)):
            if op is None:
                continue
            s = second[k]
            if s >= 0:
                values[k] = op.forward((values[first[k]], values[s]), attr)
            elif s == _UNARY:
                values[k] = op.forward((values[first[k]],), attr)
            else:
                values[k] = op.forward(tuple([values[i] for i in wide[k]]), attr)
        for i, (compare, a, is_node, right, outcome) in enumerate(self._tests):
            if compare(values[a], values[right] if is_node else right) is not outcome:
                self._frozen(i)
        return values

    def forward(self, X: list, P: list) -> float:
        """Only the forward pass: the output number."""
        return self._run_forward(X, P)[self.in_graph - 1]

    def replay(self, X: list, P: list, G: list) -> tuple:
        """Forward and backward: ``(output, input grads, parameter grads)``, grads from ``G``."""
        values = self._run_forward(X, P)
        size, needs = self.in_graph, self.needs
        grads = [0.0] * size
        for k, j in self.param_of:
            if k < size:
                grads[k] = G[j]
        root = size - 1
        grads[root] += 1.0
        ops, attrs, first, second = self.ops, self.attrs, self.first, self.second
        for k in range(root, -1, -1):
            op = ops[k]
            if op is None or not needs[k]:
                continue
            upstream = grads[k]
            s = second[k]
            if s == _UNARY:  # as backward(): a unary node always adds
                i = first[k]
                if needs[i]:
                    grads[i] += op.local((values[i],), values[k], attrs[k])[0] * upstream
                continue
            slots = (first[k], s) if s >= 0 else self.wide[k]
            local = op.local(tuple([values[i] for i in slots]), values[k], attrs[k])
            if upstream != 0.0 or not isfinite(sum(local)):  # else only zeros would be added
                for i, d in zip(slots, local):
                    if needs[i]:
                        grads[i] += d * upstream
        input_grads = [0.0] * self.inputs  # an input fn never used has grad 0
        for k, j in self.input_of:
            if needs[k]:
                input_grads[j] = grads[k]
        param_grads = list(G)
        for k, j in self.param_of:
            if k < size:
                param_grads[j] = grads[k]
        return values[root], tuple(input_grads), tuple(param_grads)

    def __repr__(self) -> str:
        return f"<Tape of {self.nodes} nodes, {self.inputs} input(s), {len(self.params)} parameter(s)>"
