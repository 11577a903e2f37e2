"""Code generation for :mod:`engine.trace`: a recorded graph becomes Python source.

Forward: one line per node, the op's maths run through the code-text
evaluator (the very text the eager engine's float functions are compiled
from). Backward: ``grad += local * upstream`` lines in exactly the order
``backward()`` adds them, with the same test for skipping a node whose
upstream gradient is 0. The result is compiled once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Tuple

from .evaluators import CODE_NAMESPACE, Code, literal, run_generated
from .ops import RULES, Op
from .recording import Recording
from .value import Value, as_real

# Security note: the generated source is compiled and run, so it is built only
# from (1) identifiers we make from integers (v12, g12, F3), (2) float literals
# written by repr() after checking the type is exactly float, and (3) the code
# text of the *built-in* ops' maths. Labels, learner-defined ops and any other
# user text never reach the source: learner ops are called through their
# Python functions, passed as objects.
_MAX_TERMS = 200  # longer sums are split over several lines (the compiler recurses)
_MAX_INLINE = 1000  # n-ary nodes with more inputs are called, not written out
Templates = Tuple[str, List[str]]


def _is_rule(op: Op) -> bool:
    return op.builtin and RULES.get(op.name) is op


class _TemplateCache:
    """Code templates per (op, number of inputs, setting), over ``{0}``, ``{1}``, ``{out}``."""

    def __init__(self) -> None:
        self._cache: Dict[tuple, Templates] = {}

    def get(self, v: Any) -> Optional[Templates]:
        n, attr = len(v.inputs), v.attr
        if not _is_rule(v.op) or n > _MAX_INLINE or (attr is not None and type(attr) is not float):
            return None
        key = (v.op, n, attr)
        if key not in self._cache:
            slots = [Code("{%d}" % i) for i in range(n)]
            self._cache[key] = (v.op.code_forward(slots, attr),
                                v.op.code_local(slots, Code("{out}"), attr))
        return self._cache[key]


class _Codegen:
    """Turns one recording into the source of a replay function."""

    def __init__(self, rec: Recording, want_input_grads: bool = True) -> None:
        self.rec, self.want_input_grads = rec, want_input_grads
        self.order, self.index, self.in_graph = rec.order, rec.index, rec.in_graph
        self.inputs, self.params = rec.inputs, rec.params
        self.input_of, self.param_of = rec.input_of, rec.param_of
        self.namespace: dict = dict(CODE_NAMESPACE)
        self.namespace["__builtins__"] = {}
        self.namespace["isfinite"] = _isfinite
        self.namespace["addup"] = sum  # the same sum(v.local) as backward()
        self.templates: Dict[int, Templates] = {}
        cache = _TemplateCache()
        self.expr = [self._leaf_expr(k, v) for k, v in enumerate(self.order)]
        self.forward_lines = [line for k, v in enumerate(self.order) if v.inputs
                              for line in [self._forward_line(k, v, cache)]]
        self.forward_lines += self._check_lines()

    def _leaf_expr(self, k: int, v: Value) -> str:
        if v.inputs or k in self.input_of or k in self.param_of:
            return f"v{k}"
        return literal(v.data)  # a constant: its number is part of the trace

    def _args(self, v: Value) -> List[str]:
        return [self.expr[self.index[u]] for u in v.inputs]

    def _packed(self, k: int, v: Any) -> str:
        self.namespace[f"F{k}"], self.namespace[f"L{k}"] = v.op.forward, v.op.local
        self.namespace[f"A{k}"] = v.attr
        return "(" + "".join(a + ", " for a in self._args(v)) + ")"

    def _forward_line(self, k: int, v: Value, cache: _TemplateCache) -> str:
        template = cache.get(v)
        if template is None:
            return f"    v{k} = F{k}({self._packed(k, v)}, A{k})"
        self.templates[k] = template
        return f"    v{k} = " + template[0].format(*self._args(v), out=f"v{k}")

    def _check_lines(self) -> List[str]:
        lines = []
        for i, (how, a, b, outcome) in enumerate(self.rec.checks):
            if how not in ("<", "<=", ">", ">="):
                raise ValueError(f"internal: unknown comparison {how!r}")
            right = self.expr[self.index[b]] if isinstance(b, Value) else \
                literal(as_real(b, "compared number"))
            test = f"{self.expr[self.index[a]]} {how} {right}"
            lines.append(f"    if {'not ' if outcome else ''}({test}): frozen({i})")
        if self.rec.checks:
            self.namespace["frozen"] = self._frozen
        return lines

    def _frozen(self, i: int) -> None:
        raise self.rec.frozen_error(i)

    # --- backward -------------------------------------------------------------------

    def _needs(self) -> set:
        """Nodes whose gradient leads to a reported one (inputs, parameters)."""
        needs: set = set()
        for k in range(self.in_graph):
            v = self.order[k]
            if (k in self.input_of and self.want_input_grads) or k in self.param_of or \
                    any(self.index[u] in needs for u in v.inputs):
                needs.add(k)
        return needs

    def _start_lines(self, needs: set) -> List[str]:
        start = {k: f"G[{self.param_of[k]}]" if k in self.param_of else "0.0" for k in sorted(needs)}
        lines = [f"    g{k} = {value}" for k, value in start.items() if value != "0.0"]
        zeros = [f"g{k}" for k, value in start.items() if value == "0.0"]
        for i in range(0, len(zeros), _MAX_TERMS):
            lines.append(f"    {' = '.join(zeros[i:i + _MAX_TERMS])} = 0.0")
        return lines

    def _locals(self, k: int, v: Value) -> Tuple[List[str], List[str]]:
        """(lines binding the node's local derivatives, their expressions), in input order."""
        template = self.templates.get(k)
        if template is None:
            return [f"l{k} = L{k}({self._packed(k, v)}, v{k}, A{k})"], \
                [f"l{k}[{i}]" for i in range(len(v.inputs))]
        args = self._args(v)
        texts = [t.format(*args, out=f"v{k}") for t in template[1]]
        if len(texts) == 1:
            return [], texts
        bind, names = [], []
        for i, text in enumerate(texts):  # bind each once: the skip test reads them all
            if text.isidentifier() or _is_float(text):
                names.append(text)
            else:
                bind.append(f"t{k}_{i} = {text}")
                names.append(f"t{k}_{i}")
        return bind, names

    def _node_lines(self, k: int, v: Value, needs: set, root: int) -> List[str]:
        bind, locals_ = self._locals(k, v)
        block = []
        for i, u in enumerate(v.inputs):
            target = self.index[u]
            if target in needs:
                local = locals_[i]
                block.append(f"g{target} += g{k}" if local == "1.0" else f"g{target} -= g{k}"
                             if local == "(-1.0)" else f"g{target} += {local} * g{k}")
        if len(v.inputs) == 1 or k == root:  # as backward(): a unary node always adds
            return ["    " + line for line in bind + block]
        # as backward(): a zero upstream with finite locals would add only zeros: skipped
        test = f"g{k} != 0.0" if _finite_locals(v.op, len(v.inputs)) else \
            f"g{k} != 0.0 or not isfinite(addup(({''.join(n + ', ' for n in locals_)})))"
        return ["    " + line for line in bind] + [f"    if {test}:"] + \
            ["        " + line for line in block or ["pass"]]

    def _backward_lines(self) -> tuple:
        """The chain rule, node by node in reverse order, as ``grad += local * upstream`` lines."""
        needs = self._needs()
        root = self.in_graph - 1
        lines = self._start_lines(needs)
        if root in needs:
            lines.append(f"    g{root} += 1.0")
        for k in range(root, -1, -1):
            v = self.order[k]
            if k in needs and v.inputs:
                lines += self._node_lines(k, v, needs, root)
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
        """The replay function, compiled."""
        namespace = self.namespace
        run_generated(self.source(backward), "<engine.trace>", namespace)  # see the security note above
        return namespace.pop("replay")


@lru_cache(maxsize=None)
def _finite_locals(op: Op, n: int) -> bool:
    return _is_rule(op) and op.finite_locals(n)


def _isfinite(x: float) -> bool:
    return x - x == 0.0


def _is_float(text: str) -> bool:
    try:
        float(text.strip("()"))
    except ValueError:
        return False
    return True
