"""What a trace records of a graph, shared by every replay (code, tape, arrays).

One walk of the graph makes a :class:`Recording`: the nodes in topological
order, which leaves are the replay's inputs and which are parameters read
afresh on every replay, and the comparisons Python made while tracing.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from . import numeric as num
from .backprop import topological_order
from .modes import AnomalyError
from .naming import display_name
from .ops import CLOSURE
from .value import Value, as_real, is_real

__all__ = ["TraceError", "FrozenValueWarning", "Recording"]


class TraceError(RuntimeError):
    """A replay's numbers would make ``fn`` take a different path than when traced."""


class FrozenValueWarning(UserWarning):
    """Kept for old imports: ``float(v)`` of a Value now raises TypeError instead of freezing."""


class Recording:
    """A graph laid out for replay: ``order`` (backward's nodes first, then check-only ones).

    ``in_graph`` counts the nodes backward visits; ``input_of`` maps a node's
    position to its input slot, ``param_of`` to its place in ``params`` (leaf
    Values that need a gradient, read on every replay); ``checks`` are the
    recorded comparisons ``(how, a, b, outcome)``.
    """

    def __init__(self, root: Any, inputs: Sequence[Any], checks: Sequence[tuple]) -> None:
        order = topological_order(root)
        self.in_graph = len(order)
        known = set(order)
        for v in (x for _, a, b, _ in checks for x in (a, b) if hasattr(x, "inputs")):
            for u in topological_order(v):
                if u not in known:
                    known.add(u)
                    order.append(u)
        self.order: List[Any] = order
        self.index: Dict[Any, int] = {v: k for k, v in enumerate(order)}
        self.inputs = list(inputs)
        self.checks = list(checks)
        slot = {v: j for j, v in enumerate(inputs)}
        self.input_of: Dict[int, int] = {}
        self.param_of: Dict[int, int] = {}
        self.params: List[Any] = []
        for k, v in enumerate(order):
            if v.op is CLOSURE:
                raise TraceError(
                    f"the traced graph has a node made as Value(data, _children, _op) "
                    f"({display_name(v)!r}, op {v.attr!r}) whose derivatives live in a _backward "
                    "closure: a trace can only replay ops of the rule table. Write the op with "
                    "engine.define_op(name, forward=..., local=...) to trace it")
            if v.inputs:
                continue
            if v in slot:
                self.input_of[k] = slot[v]
            elif v.requires_grad or type(v.data) is not float:
                self.param_of[k] = len(self.params)
                self.params.append(v)
        # named now, while every node has its place (a tape forgets the graph after this)
        self.check_names: List[Tuple[str, str]] = [
            (self.describe(a), self.describe(b) if hasattr(b, "inputs")
             else format(as_real(b, "compared number"), "g"))
            for _, a, b, _ in self.checks]

    def frozen_error(self, i: int) -> TraceError:
        """The error for recorded comparison ``i`` answered differently on replay."""
        how, _, _, outcome = self.checks[i]
        left, right = self.check_names[i]
        return TraceError(
            f"while tracing, `{left} {how} {right}` was {outcome}; with the new "
            f"numbers it is {not outcome}, so the traced function would take another branch. "
            "A trace keeps only the branch it saw. Write the choice as an op that decides on "
            "every replay (relu, abs, leaky_relu, or your own with engine.define_op), trace "
            "once per branch and pick the trace in Python, or keep this part eager.")

    def describe(self, v: Any, depth: int = 2) -> str:
        """How an error names a recorded node: its label, else its place among the inputs,
        else the op that made it from (the names of) its inputs, ``mul(input 0, 2)``."""
        if v.label:
            return v.label
        k = self.index[v]
        if k in self.input_of:
            return f"input {self.input_of[k]}"
        if k in self.param_of:
            return f"parameter {self.param_of[k]}"
        if not v.inputs:
            return format(v.data, "g")
        if depth == 0:
            return f"node {k}"
        args = [self.describe(u, depth - 1) for u in v.inputs]
        if v.attr is not None:
            args.append(format(as_real(v.attr, "attr"), "g") if is_real(v.attr) else repr(v.attr))
        return f"{v.op.name}({', '.join(args)})"


def check_finite(out: float, grads: Sequence[float]) -> None:
    """Under ``detect_anomaly()``: a replay's output and gradients must be finite numbers."""
    bad = [x for x in [out, *grads] if not num.isfinite(x)]
    if bad:
        raise AnomalyError(f"a traced replay gave {bad[0]} (detect_anomaly is on); a trace cannot "
                           "name the op: run the function eagerly under detect_anomaly() to find it")


def layout(obj: object) -> object:
    """The nesting of ``obj``: a count of numbers per list, recursively."""
    if isinstance(obj, (list, tuple)):
        if all(not isinstance(x, (list, tuple)) for x in obj):
            return len(obj)
        return tuple(layout(x) for x in obj)
    return 1


def flatten(obj: Sequence[object], out: List[float]) -> None:
    """Append every number of the nested lists ``obj`` to ``out`` (Values give their data)."""
    for x in obj:
        if type(x) is float:
            out.append(x)
        elif isinstance(x, (list, tuple)):
            flatten(x, out)
        elif isinstance(x, Value):
            out.append(x.data)
        elif is_real(x):
            out.append(as_real(x, "replay input"))  # an int beyond float range is inf
        else:
            raise TypeError(f"replay inputs must be numbers, Values or lists of them, "
                            f"got {type(x).__name__}")


def pairs(mapping: Dict[int, int], limit: int) -> Tuple[List[int], List[int]]:
    """The (node, slot) pairs of ``mapping`` for nodes below ``limit``, as two lists."""
    kept = [(k, j) for k, j in mapping.items() if k < limit]
    return [k for k, _ in kept], [j for _, j in kept]
