"""Vectorised replay of a trace with NumPy: one array operation per level and op.

Nodes at the same depth (longest path from the leaves) do not depend on each
other, so all the ``dot`` nodes of a layer, or all its ReLUs, are computed by
one run of the op's maths on arrays (the rule table's own maths, through the
NumPy evaluator of :mod:`engine.evaluators`). The backward pass goes level by
level in reverse. To give the eager engine's numbers bit for bit, each
node's gradient adds its contributions in exactly the order ``backward()``
adds them, and skips them where ``backward()`` does: contributions wait in one
array (a skipped one as -0.0, the exact identity of IEEE addition), and each
level sums them with ``np.add.accumulate``, which adds strictly one after
another (``np.sum`` and ``np.bincount`` may pair terms differently). Needs the
optional ``numpy`` dependency (extra ``fast``).

>>> import engine
>>> w = engine.Value(0.5)
>>> vt = engine.trace(lambda x: (w * x).relu() + x, 2.0).vectorised()
>>> vt(3.0), w.grad, vt.input_grads
(4.5, 3.0, (1.5,))
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Tuple

import numpy as np

from .evaluators import arrays
from .modes import MODE
from .ops import RULES
from .recording import check_finite, flatten
from .tape import _UNARY, Tape

__all__ = ["VectorisedTrace"]


class _Group:
    """Nodes of one level with the same op, number of inputs and setting."""

    def __init__(self, op, attr, out: List[int], inputs: List[List[int]], first_edge: int) -> None:
        self.op, self.attr = op, attr
        self.out = np.array(out, dtype=np.intp)
        self.inputs = np.array(inputs, dtype=np.intp)
        self.edges = slice(first_edge, first_edge + self.inputs.size)  # input-major: (n, m)
        self.unary = self.inputs.shape[1] == 1
        self.maths = op.builtin and RULES.get(op.name) is op
        # locals that are finite numbers whatever the inputs (add, sum): only upstream decides
        self.finite = self.maths and not self.unary and op.finite_locals(self.inputs.shape[1])

    @staticmethod
    def _rows(result, m: int) -> np.ndarray:
        out = np.empty((len(result), m))
        for j, row in enumerate(result):  # an array per input, or a number for all nodes
            out[j] = row
        return out

    def forward(self, values: np.ndarray) -> np.ndarray:
        """Compute this group's outputs into ``values``; return the gathered inputs."""
        X = values[self.inputs]
        if self.maths:
            out = self.op.maths_forward(arrays(), tuple(X.T), self.attr)
            values[self.out] = np.broadcast_to(np.asarray(out, dtype=float), self.out.shape)
        else:
            forward, attr = self.op.forward, self.attr
            values[self.out] = [forward(tuple(row), attr) for row in X.tolist()]
        return X

    def contributions(self, X: np.ndarray, values: np.ndarray, grads: np.ndarray,
                      C: np.ndarray) -> None:
        """Store what backward() adds along every edge: ``local × upstream``, or -0.0 if skipped."""
        upstream = grads[self.out]
        m = len(self.out)
        if self.maths:  # one row per input: local derivatives of all the group's nodes
            local = self._rows(self.op.maths_local(arrays(), tuple(X.T), values[self.out],
                                                   self.attr), m)
        else:
            op, attr = self.op, self.attr
            local = np.array([op.local(tuple(row), out, attr) for row, out in
                              zip(X.tolist(), values[self.out].tolist())]).reshape(m, -1).T
        edges = self.edges
        contribution = local * upstream
        if self.unary:  # as backward(): a unary node always adds
            C[edges] = contribution.ravel()
            return
        adds = upstream != 0.0
        if not self.finite:  # sum(v.local) left to right, as backward(): accumulate adds in order
            total = np.add.accumulate(local, axis=0)[-1]
            adds |= ~(total - total == 0.0)
        # a skipped contribution adds -0.0, the exact identity of IEEE addition (x + -0.0 == x)
        C[edges] = np.where(adds, contribution, -0.0).ravel()


class VectorisedTrace:
    """A trace replayed level by level with NumPy arrays (see :meth:`engine.Trace.vectorised`)."""

    def __init__(self, tape: Tape) -> None:
        size = self.size = tape.in_graph
        self.params = tape.params
        self.input_slots = tape.inputs
        self.start = np.array(tape.start[:size], dtype=float)
        pairs = [(k, j) for k, j in tape.param_of if k < size]
        self.param_idx = np.array([k for k, _ in pairs], dtype=np.intp)
        self.param_pos = np.array([j for _, j in pairs], dtype=np.intp)
        pairs = [(k, j) for k, j in tape.input_of if k < size]
        self.input_idx = np.array([k for k, _ in pairs], dtype=np.intp)
        self.input_pos = np.array([j for _, j in pairs], dtype=np.intp)
        level = [0] * size
        groups: Dict[tuple, tuple] = {}
        for k in range(size):
            op = tape.ops[k]
            if op is None:
                continue
            s = tape.second[k]
            ins = [tape.first[k]] if s == _UNARY else [tape.first[k], s] if s >= 0 else \
                list(tape.wide[k])
            level[k] = 1 + max(level[i] for i in ins)
            attr = tape.attrs[k]
            key = (level[k], op, len(ins), attr if isinstance(attr, (float, type(None))) else id(attr))
            out, rows = groups.setdefault(key, ([], []))
            out.append(k)
            rows.append(ins)
        ordered = sorted(groups.items(), key=lambda kv: kv[0][0])
        # Each group's edges are one block of the contribution array, input-major, so that
        # storing a group's contributions is one slice; `incoming` lists, per node, the
        # edges into it as (-consumer, input position, edge): backward()'s order when sorted.
        incoming: Dict[int, List[Tuple[int, int, int]]] = defaultdict(list)
        self.groups, n_edges = [], 0
        self.by_level: Dict[int, List[_Group]] = defaultdict(list)
        for key, (out, rows) in ordered:
            m, n = len(out), key[2]
            group = _Group(key[1], tape.attrs[out[0]], out, rows, n_edges)
            for j, (k, ins) in enumerate(zip(out, rows)):
                for i, u in enumerate(ins):
                    if tape.needs[u]:  # a gradient nobody reads (a constant's) is not summed
                        incoming[u].append((-k, i, n_edges + i * m + j))
            n_edges += m * n
            self.groups.append(group)
            self.by_level[key[0]].append(group)
        self.top = max(level) if level else 0
        self.edges = n_edges + 1  # the last edge is the dummy that adds -0.0
        self.additions = self._additions(incoming, level, n_edges)
        self.input_grads: tuple = ()
        self.checks = []  # the comparisons recorded while tracing, re-asked after each forward
        for i, (compare, a, is_node, right, outcome) in enumerate(tape._tests):
            if a >= size or (is_node and right >= size):
                raise ValueError("this trace compares values outside its output's graph; "
                                 "use the scalar replay (the Trace itself)")
            self.checks.append((i, compare, a, is_node, right, outcome))
        self.frozen = tape._frozen

    @staticmethod
    def _additions(incoming: dict, level: list, dummy: int) -> Dict[int, tuple]:
        """Per level: its nodes with contributions, and a matrix of their edges in backward()'s order.

        Row r holds every node's r-th contribution (``dummy``, an edge that adds -0.0,
        where a node has fewer).
        """
        by_level: Dict[int, list] = defaultdict(list)
        for u, contributions in incoming.items():
            by_level[level[u]].append((u, [e for _, _, e in sorted(contributions)]))
        out = {}
        for lv, rows in by_level.items():
            depth = max(len(edges) for _, edges in rows)
            matrix = np.full((depth, len(rows)), dummy, dtype=np.intp)
            for j, (_, edges) in enumerate(rows):
                matrix[:len(edges), j] = edges
            out[lv] = (np.array([u for u, _ in rows], dtype=np.intp), matrix)
        return out

    def _add(self, lv: int, grads: np.ndarray, C: np.ndarray) -> None:
        # Each node's contributions, added to its gradient one after another in backward()'s
        # order (np.add.accumulate adds row after row; skipped ones and padding add -0.0).
        if lv not in self.additions:
            return
        nodes, matrix = self.additions[lv]
        terms = C[matrix]
        terms[0] += grads[nodes]
        grads[nodes] = np.add.accumulate(terms, axis=0)[-1]

    def replay(self, inputs: np.ndarray, params: np.ndarray, start_grads: np.ndarray
               ) -> Tuple[float, np.ndarray, np.ndarray]:
        """Forward and backward on arrays: (output, input grads, parameter grads)."""
        values = self.start.copy()
        values[self.input_idx] = inputs[self.input_pos]
        values[self.param_idx] = params[self.param_pos]
        with np.errstate(all="ignore"):  # IEEE results (inf, nan) as in eager mode, silently
            gathered = {id(g): g.forward(values) for g in self.groups}
            for i, compare, a, is_node, right, outcome in self.checks:
                other = values[right] if is_node else right
                if compare(float(values[a]), float(other)) is not outcome:
                    self.frozen(i)
            grads = np.zeros(self.size)
            grads[self.param_idx] = start_grads[self.param_pos]
            grads[self.size - 1] += 1.0
            C = np.full(self.edges, -0.0)
            for lv in range(self.top, 0, -1):
                self._add(lv, grads, C)
                for group in self.by_level.get(lv, ()):
                    group.contributions(gathered[id(group)], values, grads, C)
            self._add(0, grads, C)
        input_grads = np.zeros(self.input_slots)
        input_grads[self.input_pos] = grads[self.input_idx]
        param_grads = start_grads.copy()
        param_grads[self.param_pos] = grads[self.param_idx]
        return float(values[self.size - 1]), input_grads, param_grads

    def __call__(self, *inputs: object) -> float:
        """Like :meth:`engine.Trace.__call__`: returns the output, sets ``p.grad``."""
        numbers: list = []
        flatten(inputs, numbers)
        if len(numbers) != self.input_slots:
            raise ValueError(f"replay needs {self.input_slots} input number(s), got {len(numbers)}")
        params = self.params
        out, input_grads, grads = self.replay(np.array(numbers, dtype=float),
                                              np.array([p.data for p in params], dtype=float),
                                              np.array([p.grad for p in params], dtype=float))
        if MODE.anomaly:  # as Trace.__call__: check before touching p.grad
            check_finite(float(out), [*input_grads.tolist(), *grads.tolist()])
        for p, g in zip(params, grads.tolist()):
            p.grad = g
        self.input_grads = tuple(input_grads.tolist())
        return out
