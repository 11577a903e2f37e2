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

    def frozen_error(self, i: int) -> TraceError:
        """The error for recorded comparison ``i`` answered differently on replay."""
        how, a, b, outcome = self.checks[i]
        name = a.label or f"node {self.index[a]}"
        other = (b.label or f"node {self.index[b]}") if hasattr(b, "inputs") else format(b, "g")
        return TraceError(
            f"while tracing, `{name} {how} {other}` was {outcome}; with the new numbers it is "
            f"{not outcome}, so the traced function would take another branch. "
            "Trace again with these inputs, or keep this part eager.")


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
