"""Code generation for :mod:`engine.trace`: a recorded graph becomes Python source.

Forward: one line per node, from the op's code template in the rule table (or a
call of the op's own functions). Backward: ``grad += local * upstream`` lines in
exactly the order ``backward()`` adds them. The result is compiled once.
"""

from __future__ import annotations

import math
from typing import Callable, List, Optional

from . import numeric as num
from .backprop import topological_order
from .ops import RULES
from .value import Value, as_real

# Security note: the generated source is compiled and run, so it is built only
# from (1) identifiers we make from integers (v12, g12, F3), (2) float literals
# written by repr() after checking the type is exactly float, and (3) the code
# templates of the *built-in* ops, copied here when the engine is imported.
# Labels, learner-defined ops and any other user text never reach the source:
# learner ops are called through their Python functions, passed as objects.
_TEMPLATES = {op: op.code for op in RULES.values() if op.builtin and op.code is not None}
_MAX_TERMS = 200  # longer sums are split over several lines (the compiler recurses)
_NAMESPACE = {"div": num.div, "exp": num.exp, "log": num.log, "tanh": math.tanh,
              "sigmoid": num.sigmoid, "INF": math.inf, "NAN": math.nan}


# Ops whose local derivatives are finite whenever the output is: a zero upstream
# gradient then adds only zeros, so replay may skip the node, as backward() does.
_FINITE_LOCALS = {RULES[name] for name in ("add", "sub", "neg", "sum", "relu")}
_FINITE_IF_OUTPUT = {RULES[name] for name in ("mul", "dot")}  # locals are the inputs


def _skip_test(v: Value, k: int) -> Optional[str]:
    if v.op in _FINITE_LOCALS:
        return f"g{k} != 0.0"
    if v.op in _FINITE_IF_OUTPUT:  # w*x finite means w and x are finite
        return f"g{k} != 0.0 or v{k} - v{k} != 0.0"
    return None


def recorded_order(root: Value, extra: list) -> tuple:
    """The nodes a replay computes, and how many of them backward runs over.

    First ``root``'s topological order (the nodes backward visits), then any
    nodes only the frozen-comparison checks in ``extra`` need.
    """
    order = topological_order(root)
    in_graph = len(order)
    known = set(order)
    for v in extra:
        for u in topological_order(v):
            if u not in known:
                known.add(u)
                order.append(u)
    return order, in_graph


def _literal(x: float) -> str:
    """Python source for the float ``x`` (checked to be a float: nothing else gets in)."""
    if type(x) is not float:
        raise TypeError(f"internal: literal of a {type(x).__name__}")
    if x != x:
        return "NAN"
    if x in (math.inf, -math.inf):
        return "INF" if x > 0 else "(-INF)"
    return f"({x!r})"


class _Codegen:
    """Turns one recorded graph into the source of a replay function."""

    def __init__(self, root: Value, inputs: list, extra: list, checks: list,
                 want_input_grads: bool = True) -> None:
        self.want_input_grads = want_input_grads
        order, self.in_graph = recorded_order(root, extra)
        self.order, self.root, self.checks = order, root, checks
        self.index = {v: k for k, v in enumerate(order)}
        slot = {v: j for j, v in enumerate(inputs)}
        self.inputs = inputs
        self.input_of: dict = {}
        self.params: List[Value] = []
        self.param_of: dict = {}
        for k, v in enumerate(order):
            if v.inputs:
                continue
            if v in slot:
                self.input_of[k] = slot[v]
            elif v.requires_grad or type(v.data) is not float:
                self.param_of[k] = len(self.params)
                self.params.append(v)
        self.namespace = dict(_NAMESPACE)
        self.namespace["__builtins__"] = {}
        self.templates: dict = {}
        self.expr = [self._leaf_expr(k, v) for k, v in enumerate(order)]
        self.forward_lines = self._forward_lines()

    def _leaf_expr(self, k: int, v: Value) -> str:
        if v.inputs or k in self.input_of or k in self.param_of:
            return f"v{k}"
        return _literal(v.data)  # a constant: its number is part of the trace

    def _fallback(self, k: int, v: Value) -> str:
        self.namespace[f"F{k}"], self.namespace[f"L{k}"] = v.op.forward, v.op.local
        self.namespace[f"A{k}"] = v.attr
        return "(" + "".join(self.expr[self.index[u]] + ", " for u in v.inputs) + ")"

    def _template(self, v: Value) -> Optional[tuple]:
        code = _TEMPLATES.get(v.op)
        n = len(v.inputs)
        if code is None or (v.attr is not None and type(v.attr) is not float) or n > 1000:
            return None
        forward, locals_ = code
        return (forward(n) if callable(forward) else forward,
                [locals_(i, n) for i in range(n)] if callable(locals_) else list(locals_))

    def _forward_lines(self) -> List[str]:
        lines = []
        for k, v in enumerate(self.order):
            if not v.inputs:
                continue
            template = self._template(v)
            args = [self.expr[self.index[u]] for u in v.inputs]
            if template is None:
                packed = self._fallback(k, v)
                lines.append(f"    v{k} = F{k}({packed}, A{k})")
            else:
                self.templates[k] = template
                attr = "None" if v.attr is None else _literal(v.attr)
                lines.append(f"    v{k} = " + template[0].format(*args, out=f"v{k}", attr=attr))
        for i, (how, a, b, outcome) in enumerate(self.checks):
            if how not in ("<", "<=", ">", ">="):
                raise ValueError(f"internal: unknown comparison {how!r}")
            right = self.expr[self.index[b]] if isinstance(b, Value) else _literal(as_real(b, "compared number"))
            test = f"{self.expr[self.index[a]]} {how} {right}"
            lines.append(f"    if {'not ' if outcome else ''}({test}): frozen({i})")
        if self.checks:
            self.namespace["frozen"] = self._frozen
        return lines

    def _frozen(self, i: int) -> None:
        how, a, b, outcome = self.checks[i]
        name = a.label or f"node {self.index[a]}"
        other = (b.label or f"node {self.index[b]}") if isinstance(b, Value) else format(b, "g")
        from .trace import TraceError  # defined with the public API
        raise TraceError(
            f"while tracing, `{name} {how} {other}` was {outcome}; with the new numbers it is "
            f"{not outcome}, so the traced function would take another branch. "
            "Trace again with these inputs, or keep this part eager.")

    def _backward_lines(self) -> tuple:
        """The chain rule, node by node in reverse order, as ``grad += local * upstream`` lines.

        The same additions in the same order as ``backward()``; like it, a node
        whose upstream gradient is exactly 0 is skipped when its local
        derivatives are surely finite (they would only add zeros).
        """
        order, index, needs = self.order, self.index, set()
        for k in range(self.in_graph):
            v = order[k]
            if (k in self.input_of and self.want_input_grads) or k in self.param_of or \
                    any(index[u] in needs for u in v.inputs):
                needs.add(k)
        root = self.in_graph - 1
        start = {k: f"G[{self.param_of[k]}]" if k in self.param_of else "0.0" for k in sorted(needs)}
        lines = [f"    g{k} = {value}" for k, value in start.items() if value != "0.0"]
        zeros = [f"g{k}" for k, value in start.items() if value == "0.0"]
        for i in range(0, len(zeros), _MAX_TERMS):
            lines.append(f"    {' = '.join(zeros[i:i + _MAX_TERMS])} = 0.0")
        if root in needs:
            lines.append(f"    g{root} += 1.0")
        for k in range(root, -1, -1):
            v = order[k]
            if k not in needs or not v.inputs:
                continue
            template = self.templates.get(k)
            block = [] if template else [f"l{k} = L{k}({self._fallback(k, v)}, v{k}, A{k})"]
            args = [self.expr[index[u]] for u in v.inputs]
            attr = "None" if v.attr is None or template is None else _literal(v.attr)
            for i, u in enumerate(v.inputs):
                if index[u] not in needs:
                    continue
                local = f"l{k}[{i}]" if template is None else \
                    template[1][i].format(*args, out=f"v{k}", attr=attr)
                target = f"g{index[u]}"
                block.append(f"{target} += g{k}" if local == "1" else f"{target} -= g{k}"
                             if local == "-1" else f"{target} += ({local}) * g{k}")
            test = _skip_test(v, k) if len(block) > 2 and k != root else None
            if test:
                lines.append(f"    if {test}:")
            lines += [("        " if test else "    ") + line for line in block]
        input_grads = ["0.0"] * len(self.inputs)  # an input fn never used has grad 0
        for k, j in self.input_of.items():
            if k in needs:
                input_grads[j] = f"g{k}"
        param_grads = [f"g{k}" if k in needs else f"G[{j}]" for k, j in self.param_of.items()]
        return lines, input_grads, param_grads

    def source(self, backward: bool) -> str:
        """The replay function: ``replay(I, P[, G])`` returns the output (and grads)."""
        slot_names = [f"u{j}" for j in range(len(self.inputs))]  # inputs fn never used
        for k, j in self.input_of.items():
            slot_names[j] = f"v{k}"
        head = [f"def replay(I, P{', G' if backward else ''}):"]
        if slot_names:
            head.append(f"    {''.join(name + ', ' for name in slot_names)}= I")
        if self.param_of:
            head.append(f"    {''.join(f'v{k}, ' for k in self.param_of)}= P")
        out = self.expr[self.in_graph - 1]
        if not backward:
            return "\n".join(head + self.forward_lines + [f"    return {out}", ""])
        lines, input_grads, param_grads = self._backward_lines()
        tail = [f"    return {out}, ({''.join(g + ', ' for g in input_grads)}), "
                f"({''.join(g + ', ' for g in param_grads)})", ""]
        return "\n".join(head + self.forward_lines + lines + tail)

    def compile(self, backward: bool) -> Callable:
        namespace = self.namespace
        exec(compile(self.source(backward), "<engine.trace>", "exec"), namespace)  # noqa: S102 - see the security note above
        return namespace.pop("replay")
