"""The backward pass: a topological order, then the chain rule node by node.

For every node, in reverse topological order, each input receives
``contribution = local × upstream``, where ``upstream`` is the node's own
gradient (d root / d node, complete by the time the node is reached) and
``local`` is d node / d input, stored when the node was made.

``backward()`` and the step-through generator ``backward_steps()`` are the
same code: ``backward()`` just runs the steps without looking at them.

>>> from engine import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b"); c = Value(10.0, label="c")
>>> e = a * b; e.label = "e"
>>> d = e + c; d.label = "d"
>>> steps = d.backward_steps()
>>> print(next(steps))
step 1 of 2: d = e + c = 4
  upstream ∂d/∂d = 1
  e: local ∂d/∂e = 1;  contribution 1 × 1 = 1;  e.grad += 1 → 1
  c: local ∂d/∂c = 1;  contribution 1 × 1 = 1;  c.grad += 1 → 1
>>> print(next(steps))
step 2 of 2: e = a * b = -6
  upstream ∂d/∂e = 1
  a: local ∂e/∂a = b = -3;  contribution -3 × 1 = -3;  a.grad += -3 → -3
  b: local ∂e/∂b = a = 2;  contribution 2 × 1 = 2;  b.grad += 2 → 2
"""

from __future__ import annotations

import math
from collections import Counter, deque
from itertools import filterfalse, repeat
from math import isfinite
from operator import mul
from typing import Iterator, List, Optional

from . import numeric as num
from .modes import MODE, AnomalyError
from .naming import NodeNames, display_name, fmt, node_kind  # noqa: F401 - re-exported for old imports
from .ops import CLOSURE


def topological_order(root) -> list:
    """Every node ``root`` depends on, inputs before outputs, ``root`` last.

    Iterative (an explicit stack, so a million-node chain is fine) and
    deterministic: a depth-first walk over each node's inputs in order.

    >>> from engine import Value
    >>> a = Value(1.0, label="a"); b = a * a; b.label = "b"
    >>> [v.label for v in topological_order(b)]
    ['a', 'b']
    """
    if not hasattr(root, "inputs"):
        raise TypeError(f"topological_order needs a Value, got {type(root).__name__}")
    order: list = []
    seen: set = set()
    stack = [root]
    pop, push, extend, mark, emit = stack.pop, stack.append, stack.extend, seen.add, order.append
    covered, known = seen.issuperset, seen.__contains__
    # Stack entries are nodes to expand, or _EMIT followed (below it) by a node
    # whose inputs are all done. The input scans run in C (issuperset,
    # filterfalse): a graph has many more edges than nodes.
    while stack:
        v = pop()
        if v is _EMIT:
            emit(pop())
        elif v not in seen:
            mark(v)
            inputs = v.inputs
            if not inputs or covered(inputs):
                # In a DAG a seen input is already emitted (one still in progress
                # would sit above it on the DFS path: a cycle), so v is done too.
                emit(v)
            elif len(inputs) == 1 and covered(inputs[0].inputs):
                mark(inputs[0])  # an activation of a node that is ready: both, at once
                emit(inputs[0])
                emit(v)
            else:
                push(v)
                push(_EMIT)
                extend(filterfalse(known, reversed(inputs)))
    return order


_EMIT = object()


def _prepare(root) -> list:
    """Topological order with the gradients of all non-leaf nodes reset and root seeded."""
    order = topological_order(root)
    for v in order:
        if v.inputs:
            v.grad = 0.0
    if root.inputs:
        root.grad = 1.0
    else:
        root.grad += 1.0  # a lone leaf accumulates, as every leaf does
    return order


def _propagate(order: list) -> Iterator:
    """Apply the chain rule at each non-leaf node, last to first; yield the node after.

    This loop is the engine's only chain-rule step: ``backward()``,
    ``backward_steps()`` and ``node._backward()`` all run it.
    """
    check = MODE.anomaly
    for v in reversed(order):
        inputs = v.inputs
        if inputs:
            upstream = v.grad
            try:
                if len(inputs) == 1:  # the common unary node, without a zip
                    inputs[0].grad += v.local[0] * upstream
                elif upstream != 0.0 or not isfinite(sum(v.local)):
                    for inp, contribution in zip(inputs, map(mul, v.local, repeat(upstream))):
                        inp.grad += contribution  # local * upstream, the products made in C
                # else: zero upstream times finite locals would add only zeros (a ReLU
                # that is off, a sample the hinge loss is done with), so skip the loop.
            except TypeError:
                if v.op is not CLOSURE:  # a node made by micrograd's constructor has no locals
                    raise
                v._backward()  # the learner's closure (a no-op if none was set)
            else:
                if check:
                    _check_grads(v)
            yield v


def backward(root) -> None:
    """Set ``root.grad = 1`` and fill in ``grad`` for every node below it.

    Leaf gradients accumulate across calls (as in PyTorch); gradients of
    intermediate nodes are recomputed from zero every time.
    """
    deque(_propagate(_prepare(root)), maxlen=0)  # run the steps without keeping them


def chain_rule_step(v) -> None:
    """Node ``v``'s own step: each input's ``grad += local × v.grad`` (micrograd's ``_backward``).

    The same loop as :func:`backward`, run over this one node.
    """
    deque(_propagate([v]), maxlen=0)


def backward_steps(root) -> Iterator["Step"]:
    """Backpropagate one node at a time, yielding a :class:`Step` after each.

    The order is computed up front; steps are made lazily, so stepping a huge
    graph costs memory only for the steps you keep.
    """
    order = _prepare(root)
    names = NodeNames(order)
    total = sum(1 for v in order if v.inputs)
    for index, v in enumerate(_propagate(order), 1):
        yield Step(v, index, total, names, root)


def _check_grads(v) -> None:
    upstream = v.grad
    for inp, local in zip(v.inputs, v.local):
        if inp.requires_grad and not num.isfinite(local * upstream):
            raise AnomalyError(
                f"non-finite gradient {local * upstream} flowed from the {v.op.name} node "
                f"{display_name(v)!r} into {display_name(inp)!r} "
                f"(local {local}, upstream {upstream}; backward pass)")


class Step:
    """One node's turn in the backward pass, after its contributions were added.

    ``node`` is the node, ``upstream`` its gradient, and ``inputs``, ``locals``,
    ``contributions`` and ``grads_after`` hold, per input in order, the input,
    its local derivative, what was added to its grad and its grad afterwards.
    """

    def __init__(self, node, index: int, total: int, names: NodeNames, root) -> None:
        self.node = node
        self.index = index
        self.total = total
        self.upstream = node.grad
        self.inputs = node.inputs
        self.explained = node.op is not CLOSURE
        """False for a node made by a learner's closure: the engine has no rule to show."""
        if self.explained:
            self.locals = node.local
            self.contributions = tuple(local * self.upstream for local in node.local)
        else:  # unknown: only the closure knows what it added
            self.locals = self.contributions = (math.nan,) * len(node.inputs)
        self.grads_after = tuple(inp.grad for inp in node.inputs)
        self._names = names
        self._root = root
        self._input_names: Optional[List[str]] = None  # made on first use, once per step

    def name(self, v) -> str:
        """The name this walkthrough uses for node ``v``."""
        return self._names(v)

    @property
    def op(self):
        return self.node.op

    def formula(self, i: int) -> str:
        """The local derivative of input ``i`` as a formula over the names."""
        if self._input_names is None:
            self._input_names = [self._names(v) for v in self.inputs]
        if not self.explained:
            return "unknown (a learner's _backward closure)"
        return self.op.describe_local(i, self._input_names, self._names(self.node), self.node.attr)

    def lines(self) -> List[str]:
        """The chain-rule arithmetic of this step, one line per input."""
        node, name = self.node, self._names
        names = [name(v) for v in self.inputs]
        out = name(node)
        if not self.explained:
            return [f"step {self.index} of {self.total}: {out} = {node._op}({', '.join(names)}) = "
                    f"{fmt(node.data)}",
                    f"  upstream ∂{name(self._root)}/∂{out} = {fmt(self.upstream)}",
                    "  the engine has no rule for this node (made as Value(data, _children, _op)), "
                    "so it cannot explain the step: it ran the node's _backward closure, after which",
                    *(f"  {n}.grad = {fmt(g)}" for n, g in zip(names, self.grads_after))]
        head = (f"step {self.index} of {self.total}: {out} = "
                f"{self.op.describe_forward(names, node.attr)} = {fmt(node.data)}")
        lines = [head, f"  upstream ∂{name(self._root)}/∂{out} = {fmt(self.upstream)}"]
        uses = Counter(self.inputs)
        seen: dict = {}
        after = self._grads_after_each_use()
        for i, inp in enumerate(self.inputs):
            local, contribution = self.locals[i], self.contributions[i]
            repeat = seen.get(inp, 0)
            seen[inp] = repeat + 1
            suffix = f" (use {repeat + 1})" if uses[inp] > 1 else ""
            formula = self.op.describe_local(i, names, out, node.attr)  # names made once: linear
            lines.append(
                f"  {names[i]}{suffix}: local ∂{out}/∂{names[i]} = {_formula_and_value(formula, local)};"
                f"  contribution {fmt(local)} × {fmt(self.upstream)} = {fmt(contribution)};"
                f"  {names[i]}.grad += {fmt(contribution)} → {fmt(after[i])}")
        return lines

    def _grads_after_each_use(self) -> List[float]:
        # For an input used several times by this node, its grad after *that* use: the
        # final grad minus what the later uses added (one pass from the end, not n²).
        later: dict = {}
        after = list(self.grads_after)
        for i in range(len(self.inputs) - 1, -1, -1):
            inp = self.inputs[i]
            if inp in later:
                after[i] -= later[inp]
            later[inp] = later.get(inp, 0.0) + self.contributions[i]
        return after

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return (f"<Step {self.index}/{self.total} {self._names(self.node)} "
                f"op={self.op.name} upstream={fmt(self.upstream)}>")


def _formula_and_value(formula: str, value: float) -> str:
    number = fmt(value)
    return number if formula == number else f"{formula} = {number}"
