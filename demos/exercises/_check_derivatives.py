"""The checkers of exercises 1 to 3: finite differences, local derivatives with define_op, one backward step."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from engine import MISTAKES, Value, define_op, remove_op
from engine.naming import fmt

from ._result import (ERROR, NOT_WRITTEN, PASSED, WRONG, Result, _away, _checker, _fit, _forward_text, _mistake,
                      _real, _run, _safe, _unanswered, _Variant, close, show)


# --- 1. finite differences -----------------------------------------------------------------------

EX1 = "Exercise 1 · finite differences"

_FUNCTIONS = [
    ("x³ − 2x", lambda x: x ** 3 - 2 * x, lambda x: 3 * x * x - 2),
    ("sin(x) + x²", lambda x: math.sin(x) + x * x, lambda x: math.cos(x) + 2 * x),
    ("exp(x / 2)", lambda x: math.exp(x / 2), lambda x: math.exp(x / 2) / 2),
    ("1 / (1 + x²)", lambda x: 1 / (1 + x * x), lambda x: -2 * x / (1 + x * x) ** 2),
    ("x · cos(x)", lambda x: x * math.cos(x), lambda x: math.cos(x) - x * math.sin(x)),
]


def central(f: Callable[[float], float], x: float, h: float) -> float:
    """The central difference (f(x + h) − f(x − h)) / 2h (the checker's own, for reference)."""
    return (f(x + h) - f(x - h)) / (2 * h)


_DIFFERENCE_SLIPS: List[Tuple[str, Callable]] = [
    ("forward_difference", lambda f, df, x, h: (f(x + h) - f(x)) / h),
    ("backward_difference", lambda f, df, x, h: (f(x) - f(x - h)) / h),
    ("forgot_the_2", lambda f, df, x, h: (f(x + h) - f(x - h)) / h),
    ("forgot_to_divide", lambda f, df, x, h: f(x + h) - f(x - h)),
    ("difference_reversed", lambda f, df, x, h: (f(x - h) - f(x + h)) / (2 * h)),
    ("half_steps", lambda f, df, x, h: (f(x + h / 2) - f(x - h / 2)) / h),
]


@_checker(EX1)
def check_central_difference(central_difference: Callable, *, seed: Optional[int] = None) -> Result:
    """Grade ``central_difference(f, x, h)`` on ten (function, x, h) cases, nine of them random."""
    rng = random.Random(seed)
    cases = [(0, 0.7, 0.1)]
    steps = [0.2, 0.05, 0.01, 1e-3]
    for i in range(9):
        cases.append(((i + 1) % len(_FUNCTIONS), round(rng.uniform(-2, 2), 3), steps[i % len(steps)]))
    got, expected = [], []
    for k, x, h in cases:
        _, f, _ = _FUNCTIONS[k]
        answer = _run(EX1, "central_difference", central_difference, f, x, h)
        got.append(answer)
        expected.append(central(f, x, h))

    def where(i: int) -> str:
        k, x, h = cases[i]
        return f"f(x) = {_FUNCTIONS[k][0]} at x = {fmt(x)} with h = {fmt(h)}"

    for i, answer in enumerate(got):
        if answer is None:
            return _mistake(EX1, "returned_none", where(i), expected[i], None)
        if _real(answer) is None:
            return Result(EX1, WRONG, f"it returned a {type(answer).__name__}, not a number", None, where(i),
                          expected[i], answer, "return the slope as a float")
    rel, abs_ = 1e-6, 1e-9
    if all(close(g, e, rel, abs_) for g, e in zip(got, expected)):
        k, x, _ = cases[0]
        _, f, df = _FUNCTIONS[k]
        notes = [f"On f(x) = {_FUNCTIONS[k][0]} at x = {fmt(x)} (exact slope {fmt(df(x))}) the error "
                 "shrinks like h², a hundredfold for each tenfold smaller h:"]
        for h in (0.1, 0.01, 0.001):
            estimate = _real(_run(EX1, "central_difference", central_difference, f, x, h))
            notes.append(f"    h = {h:<6g} estimate {fmt(estimate):>10}   error {abs(estimate - df(x)):.1e}")
        return Result(EX1, PASSED, f"central_difference matches (f(x + h) − f(x − h)) / 2h on all "
                      f"{len(cases)} cases", notes=notes)
    variants = []
    for key, slip in _DIFFERENCE_SLIPS:
        variants.append(_Variant(key, [_safe(slip, _FUNCTIONS[k][1], _FUNCTIONS[k][2], x, h)
                                       for k, x, h in cases]))
    variants.append(_Variant("ignored_h", [_FUNCTIONS[k][2](x) for k, x, h in cases], rel=1e-4, abs_=1e-6))
    first = next(i for i, (g, e) in enumerate(zip(got, expected)) if not close(g, e, rel, abs_))
    found = _fit(got, expected, variants, rel, abs_)
    if found is not None:
        return _mistake(EX1, found.key, where(first), expected[first], got[first])
    return Result(EX1, WRONG, "the estimates differ from (f(x + h) − f(x − h)) / 2h", None, where(first),
                  expected[first], got[first], "evaluate f at x + h and at x − h and divide their "
                  "difference by 2h; print a few values to compare")


# --- 2. local derivatives with define_op -----------------------------------------------------------

EX2 = "Exercise 2 · local derivatives"


@dataclass(frozen=True)
class _OpSpec:
    kind: str
    inputs: Tuple[str, ...]
    text: str
    forward: Callable
    local: Callable
    builtin: str  # the engine op whose catalogued mistakes apply
    attr: Any
    sample: Callable[[random.Random], tuple]
    extra: Tuple[Tuple[str, Callable], ...]  # (key, (xs, out, correct) -> wrong locals)


_OPS: Dict[str, _OpSpec] = {
    "exp": _OpSpec("exp", ("x",), "exp(x)", math.exp, lambda x, out: (out,), "exp", None,
                   lambda r: (round(r.uniform(-2, 2), 3),),
                   (("local_sign", lambda xs, out, c: (-c[0],)),)),
    "cube": _OpSpec("cube", ("x",), "x³", lambda x: x ** 3, lambda x, out: (3 * x * x,), "pow_const", 3.0,
                    lambda r: (_away(r, 0.4, 2.0),),
                    (("local_sign", lambda xs, out, c: (-c[0],)),
                     ("cube_from_output", lambda xs, out, c: (3 * out * out,)))),
    "divide": _OpSpec("divide", ("a", "b"), "a / b", lambda a, b: a / b,
                      lambda a, b, out: (1 / b, -a / (b * b)), "div", None,
                      lambda r: (_away(r, 0.3, 2.0), _away(r, 0.5, 2.0)),
                      (("local_sign", lambda xs, out, c: (-c[0], -c[1])),
                       ("locals_swapped", lambda xs, out, c: (c[1], c[0])))),
}
"""The ops of exercise 2, by the name the learner's functions carry."""

_fresh = iter(range(1, 10 ** 9))


def _numeric_locals(spec: _OpSpec, xs: tuple, h: float = 1e-5) -> tuple:
    out = []
    for i in range(len(xs)):
        up = list(xs); up[i] += h
        down = list(xs); down[i] -= h
        out.append((spec.forward(*up) - spec.forward(*down)) / (2 * h))
    return tuple(out)


@_checker(EX2)
def check_op(kind: str, forward: Callable, local: Callable, *, seed: Optional[int] = None) -> Result:
    """Register ``forward``/``local`` with ``define_op`` and grade the op ``kind`` (exp, cube, divide)."""
    if kind not in _OPS:
        raise ValueError(f"unknown op {kind!r}; exercise 2 has {', '.join(_OPS)}")
    spec = _OPS[kind]
    name = f"{kind}_forward"
    rng = random.Random(seed)
    cases = [spec.sample(rng) for _ in range(8)]
    args = ", ".join(spec.inputs)

    def where(xs: tuple) -> str:
        return f"{spec.text} with " + ", ".join(f"{n} = {fmt(x)}" for n, x in zip(spec.inputs, xs))

    # the forward pass first: the local derivatives are judged against it
    for xs in cases:
        out = _run(EX2, name, forward, *xs)
        want = spec.forward(*xs)
        if out is None:
            return _mistake(EX2, "returned_none", where(xs), want, None, detail=name)
        if not close(out, want, 1e-9, 1e-12):
            return Result(EX2, WRONG, f"{name}({args}) does not compute {spec.text}", None, where(xs), want, out,
                          f"forward gets the input number(s) and returns the output, {spec.text}")
    lname = f"{kind}_local"
    xs = cases[0]
    raw = _run(EX2, lname, local, *xs, spec.forward(*xs))
    if raw is None:
        return _mistake(EX2, "returned_none", where(xs), spec.local(*xs, spec.forward(*xs)), None, detail=lname)
    if _real(raw) is not None:
        return _mistake(EX2, "bare_number", where(xs), spec.local(*xs, spec.forward(*xs)), raw)
    if not isinstance(raw, (tuple, list)) or len(raw) != len(spec.inputs):
        what = (f"{len(raw)} number{'' if len(raw) == 1 else 's'}" if isinstance(raw, (tuple, list))
                else f"a {type(raw).__name__}")
        return Result(EX2, WRONG, f"{lname} returned {what}; {spec.text} has {len(spec.inputs)} input{'s' if len(spec.inputs) > 1 else ''}, "
                      "so it needs one local derivative each", None, where(xs),
                      spec.local(*xs, spec.forward(*xs)), raw, "return a tuple: (∂out/∂" + ", ∂out/∂".join(
                          spec.inputs) + ")")
    # now through the engine: define the op, run backward, read the inputs' grads
    op_name = f"ex2_{kind}_{next(_fresh)}"
    apply_op = define_op(op_name, forward=forward, local=local, arity=len(spec.inputs))
    got, numeric = [], []
    try:
        for xs in cases:
            leaves = [Value(x, label=n) for n, x in zip(spec.inputs, xs)]
            y = _run(EX2, lname, apply_op, *leaves)
            _run(EX2, lname, y.backward)
            got.append(tuple(leaf.grad for leaf in leaves))
            numeric.append(_numeric_locals(spec, xs))
    finally:
        remove_op(op_name)
    rel, abs_ = 1e-5, 1e-7
    if all(close(g, n, rel, abs_) for g, n in zip(got, numeric)):
        return Result(EX2, PASSED, f"define_op({kind!r}, ...) works: backward() through {spec.text} agrees "
                      f"with finite differences on {len(cases)} random inputs",
                      notes=[f"e.g. at {where(cases[0])}: your local derivative(s) {show(got[0])}, "
                             f"finite differences {show(numeric[0])}"])
    variants = []
    for key, mistake in MISTAKES.items():
        hook = mistake.locals.get(spec.builtin)
        if hook is not None:
            variants.append(_Variant(key, [hook(xs, spec.forward(*xs), spec.attr, spec.local(*xs, spec.forward(*xs)))
                                           for xs in cases]))
    for key, hook in spec.extra:
        variants.append(_Variant(key, [hook(xs, spec.forward(*xs), spec.local(*xs, spec.forward(*xs)))
                                       for xs in cases]))
    first = next(i for i, (g, n) in enumerate(zip(got, numeric)) if not close(g, n, rel, abs_))
    found = _fit(got, [spec.local(*xs, spec.forward(*xs)) for xs in cases], variants, 1e-6, 1e-9)
    note = [f"(expected: the finite-difference slope{'s' if len(spec.inputs) > 1 else ''} of {spec.text}; "
            f"got: the input grad{'s' if len(spec.inputs) > 1 else ''} backward() made from your local)"]
    if found is not None:
        return _mistake(EX2, found.key, where(cases[first]), numeric[first], got[first], note)
    return Result(EX2, WRONG, f"the local derivative of {spec.text} disagrees with finite differences", None,
                  where(cases[first]), numeric[first], got[first],
                  "differentiate the formula by hand, then compare with a finite difference at one point",
                  note)


# --- 3. one backward step by hand ------------------------------------------------------------------

EX3 = "Exercise 3 · one backward step"


def step_problems() -> List[Tuple[Value, float]]:
    """The six nodes of exercise 3, each with the upstream grad ∂L/∂node the learner is given."""
    def leaf(x: float, name: str) -> Value:
        return Value(x, label=name)

    def named(v: Value, name: str) -> Value:
        v.label = name
        return v

    return [(named(leaf(3.0, "a") * leaf(-2.0, "b"), "c"), 1.5),
            (named(leaf(1.5, "a") - leaf(4.0, "b"), "s"), -2.0),
            (named(leaf(2.0, "x") ** 3, "p"), 0.25),
            (named(leaf(0.5, "n").tanh(), "t"), 2.0),
            (named(leaf(1.0, "z").exp(), "e"), 3.0),
            (named(leaf(3.0, "a") / leaf(2.0, "b"), "q"), 4.0)]


def show_step_problems() -> None:
    """Print the six nodes of exercise 3 with their inputs and upstream grads."""
    for k, (v, upstream) in enumerate(step_problems(), 1):
        inputs = ", ".join(f"{u.label} = {fmt(u.data)}" for u in v.inputs)
        if len(v.inputs) == 1 and v.op.name in ("tanh", "exp"):
            inputs += f", so {v.label} = {fmt(v.data)}"
        wanted = ", ".join(f"∂L/∂{u.label}" for u in v.inputs)
        print(f"{k}. {_forward_text(v):<12} {inputs:<28} upstream ∂L/∂{v.label} = {fmt(upstream):<5} "
              f"→ give {wanted}")


def _step_mistake(node, upstream: float, expected: dict, claimed: dict, tol: float) -> Optional[str]:
    """The first catalogued mistake whose step at ``node`` gives every claimed number, or None."""
    for key, mistake in MISTAKES.items():
        if node.op.name not in mistake.locals and mistake.chain:
            continue  # this catalogued mistake changes nothing at this node
        variant = {u.label: loc * upstream if mistake.chain else loc
                   for u, loc in zip(node.inputs, mistake.local(node))}
        if all(close(claimed[n], variant[n], tol, 1e-6) for n in claimed) and \
                not all(close(variant[n], expected[n], tol, 1e-6) for n in claimed):
            return key
    return None


@_checker(EX3)
def check_one_step(answers: Any) -> Result:
    """Grade ``answers = {1: {"a": ..., "b": ...}, 2: {...}, ...}``: each input's grad for each node."""
    problems = step_problems()
    if not isinstance(answers, dict):
        return Result(EX3, ERROR, f"answers should be a dict like {{1: {{'a': ..., 'b': ...}}, ...}}, "
                      f"got {type(answers).__name__}")
    unknown = [k for k in answers if k not in range(1, len(problems) + 1)]
    if unknown:
        return Result(EX3, ERROR, f"answers has key(s) {unknown!r}; the problems are numbered 1 to "
                      f"{len(problems)}")
    lines, pending, wrong = [], 0, []
    tol = 5e-3
    for k, (node, upstream) in enumerate(problems, 1):
        given = answers.get(k, {})
        labels = [u.label for u in node.inputs]
        if not isinstance(given, dict):
            return Result(EX3, ERROR, f"answers[{k}] should be a dict like {{'{labels[0]}': ...}}, got "
                          f"{type(given).__name__}")
        extra = [name for name in given if name not in labels]
        if extra:
            return Result(EX3, ERROR, f"answers[{k}] names {extra!r}, but {_forward_text(node)} has inputs "
                          f"{', '.join(labels)}")
        filled = {name: given[name] for name in labels if name in given and not _unanswered(given[name])}
        for name, value in filled.items():
            if _real(value) is None:
                return Result(EX3, ERROR, f"answers[{k}][{name!r}] should be a number, got {value!r}")
        complete = len(filled) == len(labels)
        expected = {u.label: loc * upstream for u, loc in zip(node.inputs, node.local)}
        claimed = {name: float(v) for name, v in filled.items()}
        if all(close(claimed[n], expected[n], tol, 1e-6) for n in claimed):
            pending += not complete
            lines.append(f"{k}. {_forward_text(node)}: " + ("✓" if complete else "not answered yet"))
            continue
        found = _step_mistake(node, upstream, expected, claimed, tol)
        bad = [n for n in claimed if not close(claimed[n], expected[n], tol, 1e-6)]
        detail = ", ".join(f"∂L/∂{n}: expected {fmt(expected[n])}, got {fmt(claimed[n])}" for n in bad)
        lines.append(f"{k}. {_forward_text(node)}: ✗ {detail}" + (f" — {found}" if found else ""))
        wrong.append((k, node, upstream, expected, claimed, found))
    extra_info = {"mistakes": {k: found for k, _, _, _, _, found in wrong}}
    if wrong:
        k, node, upstream, expected, claimed, found = wrong[0]
        inputs = ", ".join(f"{u.label} = {fmt(u.data)}" for u in node.inputs)
        case = f"problem {k}, {_forward_text(node)} with {inputs} and upstream ∂L/∂{node.label} = {fmt(upstream)}"
        want = {n: expected[n] for n in claimed}
        if found:
            return _mistake(EX3, found, case, want, claimed, lines, extra=extra_info)
        return Result(EX3, WRONG, f"problem {k} is off", None, case, want, claimed,
                      "each input's grad is (local derivative of the node for that input) × upstream",
                      lines, extra=extra_info)
    if pending == len(problems):
        return Result(EX3, NOT_WRITTEN, "every answer is still `...`.",
                      hint="replace each ... with the number you work out, run that cell, then this one")
    if pending:
        return Result(EX3, NOT_WRITTEN, f"{pending} of {len(problems)} problems still have a `...`; "
                      "the answers so far are right.", notes=lines)
    return Result(EX3, PASSED, f"all {len(problems)} steps are right: each input got local × upstream",
                  notes=lines)
