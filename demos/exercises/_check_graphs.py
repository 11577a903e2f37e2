"""The checkers of exercises 4 to 6: a graph by hand, topological order, the backward loop; and their graphs."""

from __future__ import annotations

import random
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from engine import Value, grade, topological_order
from engine import backprop as _backprop
from engine.naming import fmt

from ._result import (ERROR, MISTAKE, NOT_WRITTEN, PASSED, WRONG, Result, _checker, _fit, _forward_text, _mistake,
                      _real, _run, _unanswered, _UsedEngine, _Variant, close)
from ._slips import describe


# --- 4. a whole graph by hand, graded by engine.grade -------------------------------------------------

EX4 = "Exercise 4 · a graph by hand"


@_checker(EX4)
def check_graph_by_hand(root: Any, answers: Any) -> Result:
    """Grade ``answers`` (label → ∂root/∂node) for the graph ending at ``root`` with ``engine.grade``."""
    if not isinstance(root, Value):
        return Result(EX4, ERROR, f"the first argument should be the graph's root Value, got "
                      f"{type(root).__name__}")
    if not isinstance(answers, dict):
        return Result(EX4, ERROR, f"answers should be a dict of label -> number, got {type(answers).__name__}")
    order = topological_order(root)
    labels = [v.label for v in reversed(order) if v.label]
    filled = {k: v for k, v in answers.items() if not _unanswered(v)}
    if not filled:
        return Result(EX4, NOT_WRITTEN, "every answer is still `...`.",
                      hint="start at the root (its grad is 1) and work backwards, one node at a time")
    try:
        report = grade(root, filled, rel_tol=5e-3)
    except (TypeError, ValueError) as error:
        return Result(EX4, ERROR, f"{error}")
    missing = [n for n in labels if n not in filled]
    table = report.lines()[2:3 + len(report.rows)]  # the header and one row per claimed node
    notes = table + ([f"{report.first_wrong}.grad is the first wrong number; {report.where}"]
                     if report.first_wrong else [])
    if len(report.candidates) > 1:
        notes.append(f"(your numbers fit {', '.join(report.candidates[1:])} as well)")
    extra = {"report": report}
    if report.correct:
        if missing:
            return Result(EX4, NOT_WRITTEN, f"{len(filled)} of {len(labels)} grads so far, all right; still to "
                          f"do: {', '.join(missing)}.", notes=notes, extra=extra)
        shared = [v.label for v in order if sum(i is v for u in order for i in u.inputs) > 1]
        also = f", including {', '.join(shared)}, whose grad sums its uses" if shared else ""
        return Result(EX4, PASSED, f"all {len(labels)} grads are right{also}", notes=notes, extra=extra)
    row = next(r for r in report.rows if r.name == report.first_wrong)
    case = f"node {report.first_wrong}, the first wrong one going backwards"
    if report.mistake:
        summary, hint = describe(report.mistake)
        return Result(EX4, MISTAKE, summary, report.mistake, case, row.expected, row.claimed, hint, notes,
                      report.first_wrong, extra)
    return Result(EX4, WRONG, report.summary(), None, case, row.expected, row.claimed,
                  "a node's grad is the sum, over the nodes that use it, of local × their grad", notes,
                  report.first_wrong, extra)


# --- graphs for exercises 5 and 6 ----------------------------------------------------------------


def teaching_graph() -> Value:
    """x and y, u = x·y, v = u + x, w = u·v, L = tanh(w): two nodes used twice."""
    x, y = Value(0.5, label="x"), Value(-1.5, label="y")
    u = x * y; u.label = "u"
    v = u + x; v.label = "v"
    w = u * v; w.label = "w"
    L = w.tanh(); L.label = "L"
    return L


def random_graph(rng: random.Random, leaves: int = 3, inner: int = 7) -> Value:
    """A random graph of + − × tanh and squares, with fan-out; every node feeds the root L."""
    nodes = [Value(round(rng.uniform(0.2, 1.2) * rng.choice((-1, 1)), 2), label=chr(ord("a") + i))
             for i in range(leaves)]
    for k in range(inner):
        kind = rng.choice(("add", "mul", "mul", "sub", "tanh", "square"))
        x = rng.choice(nodes[-4:]) if rng.random() < 0.7 else rng.choice(nodes)
        y = rng.choice(nodes)
        if kind == "tanh":
            v = x.tanh()
        elif kind == "square":
            v = x * x
        elif kind == "add":
            v = x + y
        elif kind == "sub":
            v = x - y
        else:
            v = x * y
        v.label = f"n{k + 1}"
        nodes.append(v)
    used = {id(i) for v in nodes for i in v.inputs}
    tops = [v for v in nodes if id(v) not in used]
    root = tops[0]
    for k, v in enumerate(tops[1:], 1):
        root = root + v
        root.label = f"s{k}"
    if not root.inputs:  # a lone leaf: give the graph at least one op
        root = root * root
    root.label = "L"
    return root


def describe_graph(root: Value) -> str:
    """The graph as text: the leaves' numbers, then each node's formula, inputs first."""
    order = topological_order(root)
    parts = [f"{v.label} = {fmt(v.data)}" for v in order if not v.inputs]
    parts += [_forward_text(v) for v in order if v.inputs]
    return "the graph " + "; ".join(parts)


def _names(nodes: Sequence[Any]) -> str:
    return "[" + ", ".join(getattr(v, "label", None) or repr(v) for v in nodes) + "]"


# --- 5. topological order ----------------------------------------------------------------------

EX5 = "Exercise 5 · topological order"


def _judge_order(root: Value, got: Any) -> Optional[Result]:
    """None if ``got`` is a topological order of the graph of ``root``, else the Result saying why not."""
    right = topological_order(root)
    case = describe_graph(root)
    want = _names(right) + "  (one valid order of several)"
    if got is None:
        return _mistake(EX5, "returned_none", case, want, None)
    if isinstance(got, (set, frozenset, dict)) or isinstance(got, (str, bytes)) or not hasattr(got, "__iter__"):
        return Result(EX5, WRONG, f"it returned a {type(got).__name__}, which has no order", None, case,
                      want, got, "return a list of the nodes")
    got = list(got)
    strays = [x for x in got if not isinstance(x, Value)]
    if strays:
        return _mistake(EX5, "not_nodes", case, want, got[:8],
                        [f"the first item that is not a Value is {strays[0]!r} ({type(strays[0]).__name__})"])
    counts: Dict[int, int] = {}
    for v in got:
        counts[id(v)] = counts.get(id(v), 0) + 1
    members = {id(v): v for v in right}
    twice = [members.get(i) for i, n in counts.items() if n > 1]
    missing = [v for v in right if id(v) not in counts]
    foreign = [v for v in got if id(v) not in members]
    if twice:
        v = twice[0] or next(x for x in got if counts[id(x)] > 1)
        users = [u.label for u in right if any(i is v for i in u.inputs)]
        notes = [f"{v.label} appears {counts[id(v)]} times; it is an input of {', '.join(users) or 'nothing'}"]
        if missing:
            notes.append(f"(also missing: {_names(missing)})")
        return _mistake(EX5, "duplicate_nodes", case, want, _names(got), notes)
    if missing:
        notes = [f"missing: {_names(missing)}"]
        if root in missing:
            notes.append("the root itself belongs in the list too, last")
        return _mistake(EX5, "missing_nodes", case, want, _names(got), notes)
    if foreign:
        return Result(EX5, WRONG, "the list holds nodes that are not in this graph", None, case, want,
                      _names(got), "start from the root you are given and follow v.inputs")
    position = {id(v): k for k, v in enumerate(got)}

    def violations(order_pos: Dict[int, int]) -> List[Tuple[Value, Value]]:
        return [(v, i) for v in got for i in v.inputs if order_pos[id(i)] > order_pos[id(v)]]

    bad = violations(position)
    if not bad:
        return None
    backwards = {id(v): len(got) - 1 - k for k, v in enumerate(got)}
    if not violations(backwards):
        return _mistake(EX5, "reversed_order", case, want, _names(got))
    user, child = bad[0]
    notes = [f"{child.label} is an input of {user.label} but comes after it"]
    if got[0] is root:
        notes.append("the root comes first: nodes were appended before their inputs were visited")
    return _mistake(EX5, "child_after_parent", case, want, _names(got), notes)


@_checker(EX5)
def check_topological_order(topo_order: Callable, *, seed: Optional[int] = None) -> Result:
    """Grade ``topo_order(root)`` on a graph with shared nodes and six random graphs."""
    rng = random.Random(seed)
    graphs = [teaching_graph()] + [random_graph(rng, leaves=rng.randint(2, 4), inner=rng.randint(4, 9))
                                   for _ in range(6)]
    for root in graphs:
        verdict = _judge_order(root, _run(EX5, "topo_order", topo_order, root))
        if verdict is not None:
            return verdict
    sizes = ", ".join(str(len(topological_order(r))) for r in graphs)
    return Result(EX5, PASSED, f"every node once, each after its inputs, on {len(graphs)} graphs "
                  f"({sizes} nodes)")


# --- 6. the backward loop -------------------------------------------------------------------------

EX6 = "Exercise 6 · the backward loop"


def _loop(order: list, root: Value, *, seed: float = 1.0, reverse: bool = True, accumulate: bool = True,
          chain: bool = True) -> Dict[int, float]:
    """Every node's grad after one backward loop run the given (possibly wrong) way."""
    grads = {id(v): 0.0 for v in order}
    grads[id(root)] = seed
    for v in (reversed(order) if reverse else order):
        for inp, local in zip(v.inputs, v.local):
            contribution = local * grads[id(v)] if chain else local
            grads[id(inp)] = grads[id(inp)] + contribution if accumulate else contribution
    return grads


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise _UsedEngine()


@_checker(EX6)
def check_backward(backward: Callable, *, seed: Optional[int] = None) -> Result:
    """Grade ``backward(root)``: every node's grad, on a graph with fan-out and six random graphs."""
    rng = random.Random(seed)
    graphs = [teaching_graph()] + [random_graph(rng, leaves=rng.randint(2, 4), inner=rng.randint(5, 9))
                                   for _ in range(6)]
    got, expected, orders = [], [], []
    for root in graphs:
        order = topological_order(root)
        saved = _backprop._propagate
        _backprop._propagate = _refuse  # the engine's chain-rule loop: backward(), _backward() and steps
        try:
            _run(EX6, "backward", backward, root)
        except _UsedEngine:
            return _mistake(EX6, "used_engine", describe_graph(root), None, None)
        finally:
            _backprop._propagate = saved
        orders.append((root, order))
        grads = [v.grad for v in order]
        for v, g in zip(order, grads):
            if _real(g) is None:
                return Result(EX6, WRONG, f"{v.label}.grad is a {type(g).__name__}, not a number", None,
                              describe_graph(root), None, g, "add numbers: inp.grad += local * v.grad")
        got.append([float(g) for g in grads])
        want = _loop(order, root)
        expected.append([want[id(v)] for v in order])
    rel, abs_ = 1e-9, 1e-12
    if all(close(g, e, rel, abs_) for g, e in zip(got, expected)):
        return Result(EX6, PASSED, f"every node's grad is right on {len(graphs)} graphs, including nodes "
                      "used more than once")
    variants = [
        _Variant("root_not_seeded", [[_loop(o, r, seed=0.0)[id(v)] for v in o] for r, o in orders]),
        _Variant("forward_order", [[_loop(o, r, reverse=False)[id(v)] for v in o] for r, o in orders]),
        _Variant("overwrite_not_accumulate", [[_loop(o, r, accumulate=False)[id(v)] for v in o] for r, o in orders]),
        _Variant("no_chain", [[_loop(o, r, chain=False)[id(v)] for v in o] for r, o in orders]),
    ]
    k = next(i for i, (g, e) in enumerate(zip(got, expected)) if not close(g, e, rel, abs_))
    root, order = orders[k]
    backwards = list(range(len(order)))[::-1]
    j = next(i for i in backwards if not close(got[k][i], expected[k][i], rel, abs_))
    node = order[j]
    width = max(4, *(len(v.label) for v in order))
    table = [f"{'node':<{width}}  {'expected':>11}  {'got':>11}"] + [
        f"{order[i].label:<{width}}  {fmt(expected[k][i]):>11}  {fmt(got[k][i]):>11}"
        + ("" if close(got[k][i], expected[k][i], rel, abs_) else "  ✗") for i in backwards]
    case = describe_graph(root) + f", at {node.label}.grad (the first wrong one, going backwards)"
    found = _fit(got, expected, variants, rel, abs_)
    if found is not None:
        return _mistake(EX6, found.key, case, expected[k][j], got[k][j], table, first_wrong=node.label)
    return Result(EX6, WRONG, "some grads are off", None, case, expected[k][j], got[k][j],
                  "seed root.grad = 1, then for v in reversed(order): for each input, "
                  "inp.grad += local × v.grad", table, node.label)
