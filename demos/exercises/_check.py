"""The checkers behind the exercises: each grades what a learner wrote and names the slip behind it.

Every ``check_*`` function runs the learner's code (or reads their numbers) on
several cases, most of them drawn at random, prints a short report and returns
a :class:`Result` with ``passed``, ``status``, ``mistake``, the ``case`` it went
wrong on with ``expected`` and ``got``, and a ``hint``.

A mistake is named only when it explains *every* number the learner produced:
for each known slip the checker works out what that slip would have given on
the very same cases, and names the first one that reproduces all of them (and
differs from the right answer on at least one). Anything else is reported as
plain "wrong", with the first case where it differs. Code that still raises
``NotImplementedError`` (the shipped stubs) is "not written yet", not an error.
"""

from __future__ import annotations

import functools
import math
import numbers
import random
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from engine import MISTAKES, Value, define_op, grade, remove_op, topological_order
from engine import backprop as _backprop
from engine.naming import fmt

PASSED, MISTAKE, WRONG, NOT_WRITTEN, ERROR = "passed", "mistake", "wrong", "not_written", "error"
STATUSES = (PASSED, MISTAKE, WRONG, NOT_WRITTEN, ERROR)

HERE = Path(__file__).resolve().parent
ENGINE_DIRS = tuple(str(HERE.parent.parent / d) for d in ("engine", "nn"))


# --- the slips this package knows about, beside engine.MISTAKES ---------------------------


@dataclass(frozen=True)
class Slip:
    """One named mistake an exercise recognises: what the learner did, and how to fix it."""

    key: str
    summary: str
    hint: str


_SIDES = "step both ways, (f(x + h) − f(x − h)) / (2h): the slope errors of the two sides cancel"

SLIPS: Dict[str, Slip] = {s.key: s for s in [
    Slip("returned_none", "the function returned None",
         "a function without a return statement gives None: end it with `return ...`"),
    # 1: finite differences
    Slip("forward_difference", "this is the one-sided difference (f(x + h) − f(x)) / h", _SIDES),
    Slip("backward_difference", "this is the one-sided difference (f(x) − f(x − h)) / h", _SIDES),
    Slip("forgot_the_2", "every slope is twice too big: the rise was divided by h, "
         "but x − h and x + h are 2h apart", "divide by the run between the two points, 2h"),
    Slip("forgot_to_divide", "this is the rise f(x + h) − f(x − h) alone, not divided by the run",
         "a slope is rise over run: divide by 2h"),
    Slip("difference_reversed", "every slope has the wrong sign: the subtraction is f(x − h) − f(x + h)",
         "subtract the left point from the right one: f(x + h) − f(x − h)"),
    Slip("half_steps", "the points used are x ± h/2, so the estimate belongs to a step of h/2",
         "evaluate f at x + h and at x − h, and divide by 2h"),
    Slip("ignored_h", "the answer does not change with h: the function uses a step of its own",
         "use the h it is given (1e-5 is only its default value)"),
    # 2: local derivatives
    Slip("local_sign", "every local derivative has the wrong sign",
         "check the sign of each derivative, e.g. on a point where you know which way the op goes"),
    Slip("locals_swapped", "the two local derivatives come in the wrong order",
         "return (∂out/∂a, ∂out/∂b): one number per input, in the order of the inputs"),
    Slip("cube_from_output", "the local derivative 3·out² puts the output x³ where the input x belongs",
         "d/dx x³ = 3·x²: square the input x, not the output"),
    Slip("bare_number", "local returned a bare number, not a tuple of numbers",
         "return a tuple with one local derivative per input, e.g. (2 * x,) — the trailing comma "
         "makes it a tuple"),
    # 5: topological order
    Slip("duplicate_nodes", "a node used by more than one node appears more than once",
         "keep a set of the nodes already visited and skip a node you have seen"),
    Slip("missing_nodes", "some nodes of the graph are not in the order",
         "visit every input of every node, recursively, and append each node once its inputs are in"),
    Slip("reversed_order", "the order is reversed: the root comes first and every node before its inputs",
         "append a node only after all its inputs (recurse first, append second); backward() reverses "
         "the list itself"),
    Slip("child_after_parent", "an input (a child) comes after a node that uses it (its parent)",
         "a node may be appended only after every one of its inputs has been"),
    Slip("not_nodes", "the list holds something other than the graph's Value nodes",
         "append the nodes themselves (v), not their labels or numbers"),
    # 6: the backward loop
    Slip("forward_order", "the loop walked the order forwards, so most nodes passed on a grad that was "
         "still 0", "walk reversed(order): a node's grad is complete only after every node that uses "
         "it has been handled"),
    Slip("used_engine", "the loop called the engine's own backward pass",
         "write the loop yourself with v.inputs and v.local; do not call backward() or _backward()"),
    # 7: a neuron
    Slip("no_bias", "the bias b was left out: the output is tanh(w·x)",
         "add b to the weighted sum before the activation: tanh(w·x + b)"),
    Slip("no_activation", "the activation was left out: the output is w·x + b itself",
         "pass the weighted sum through tanh: (w·x + b).tanh()"),
    Slip("wrong_activation", "the activation is not tanh", "this neuron uses tanh: call .tanh() on w·x + b"),
    Slip("bias_after_activation", "the bias was added after the activation: tanh(w·x) + b",
         "the bias belongs inside: tanh(w·x + b)"),
    Slip("not_a_value", "the neuron returned a plain number, not a Value",
         "build the output from the Values w and b with Value arithmetic, so backward() can reach them"),
    Slip("graph_cut", "the output has the right number but gradients do not reach w and b",
         "stay inside the graph: use Value arithmetic and v.tanh(), never math functions or .data"),
    Slip("math_on_value", "a math-module function (or float()) was applied to a Value",
         "call the Value's own method, e.g. z.tanh(), so the node stays in the graph"),
    # 8: zero_grad and SGD
    Slip("forgot_zero_grad", "zero_grad left the grads as they were, so each backward() adds onto "
         "the last step's gradients", "set p.grad = 0.0 for every parameter p"),
    Slip("zeroed_data", "zero_grad set the parameters' data to 0 instead of their grads",
         "zero the gradient, p.grad = 0.0, and leave p.data alone"),
    Slip("ascent", "the step went up the gradient (+) instead of down (−), so the loss grows",
         "subtract: p.data -= lr * p.grad"),
    Slip("no_lr", "the step used the whole gradient, not the gradient times the learning rate",
         "scale the step: p.data -= lr * p.grad"),
    Slip("data_unchanged", "the parameters' data did not change",
         "assign to p.data itself (p.data -= lr * p.grad); rebinding a loop variable changes nothing"),
    # 9: Adam
    Slip("moments_not_updated", "the returned m and v are the ones passed in, so Adam forgets every step",
         "return the new averages: m = β₁·m + (1 − β₁)·g and v = β₂·v + (1 − β₂)·g²"),
    Slip("v_not_squared", "v averages g instead of g²", "v is the running average of the squared "
         "gradient: v = β₂·v + (1 − β₂)·g·g"),
    Slip("betas_swapped", "β₁ and β₂ are swapped: m used β₂ and v used β₁",
         "m (the gradient's average) uses β₁; v (the squared gradient's) uses β₂"),
    Slip("ema_weights_swapped", "the weights of the running averages are swapped: m = (1 − β₁)·m + β₁·g",
         "keep most of the old average: m = β₁·m + (1 − β₁)·g"),
    Slip("no_bias_correction", "a bias correction is missing",
         "divide m by (1 − β₁ᵗ) and v by (1 − β₂ᵗ) before using them; without that, the first "
         "steps have the wrong size, because m and v start at 0"),
    Slip("no_sqrt", "the step divides by v̂ + ε, not by √v̂ + ε",
         "v̂ is a squared size: take its square root before dividing"),
    Slip("eps_misplaced", "ε is in the wrong place",
         "add ε after the square root and after the bias correction: m̂ / (√v̂ + ε), as PyTorch does"),
    Slip("old_moments", "the step used the m and v passed in, before this step's update",
         "update m and v with this g first, then step with the new ones"),
    Slip("adam_ascent", "the step went up (+) instead of down (−)", "subtract: p − lr·m̂ / (√v̂ + ε)"),
]}
"""Every slip the exercises name, besides the engine's catalogue (:data:`engine.MISTAKES`)."""


def describe(key: str) -> Tuple[str, str]:
    """The summary and hint of a mistake: an exercise slip, else the engine's catalogue entry."""
    if key in SLIPS:
        return SLIPS[key].summary, SLIPS[key].hint
    if key in MISTAKES:
        return MISTAKES[key].summary, MISTAKES[key].hint
    return key, ""


# --- what a checker returns ------------------------------------------------------------------


@dataclass
class Result:
    """What a checker found: read ``passed``, ``status`` and ``mistake`` (also as ``result["mistake"]``)."""

    exercise: str
    status: str
    headline: str
    mistake: Optional[str] = None
    case: str = ""
    expected: Any = None
    got: Any = None
    hint: str = ""
    notes: List[str] = field(default_factory=list)
    first_wrong: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    @property
    def passed(self) -> bool:
        """True when the learner's answer is right on every case."""
        return self.status == PASSED

    def keys(self) -> List[str]:
        return ["passed", "status", "mistake", "headline", "case", "expected", "got", "hint",
                "notes", "first_wrong", "exercise"]

    def __getitem__(self, key: str) -> Any:
        if key not in self.keys():
            raise KeyError(key)
        return getattr(self, key)

    def lines(self) -> List[str]:
        """The report as text lines."""
        mark = {PASSED: "✓", NOT_WRITTEN: "…"}.get(self.status, "✗")
        if self.status == MISTAKE:
            head = f"{mark} Not yet. This looks like the mistake {self.mistake!r}: {self.headline}."
        elif self.status == WRONG:
            head = f"{mark} Not yet, and it fits none of the usual mistakes: {self.headline}."
        elif self.status == ERROR:
            head = f"{mark} Could not grade this yet: {self.headline}"
        elif self.status == NOT_WRITTEN:
            head = f"{mark} Not written yet: {self.headline}"
        else:
            head = f"{mark} Right: {self.headline}"
        out = [f"[{self.exercise}]", head]
        if self.case:
            out.append(f"  For example, on {self.case}:")
        if self.expected is not None or self.got is not None:
            out.append(f"      expected {show(self.expected)}")
            out.append(f"      got      {show(self.got)}")
        out += [f"  {note}" for note in self.notes]
        if self.hint:
            out.append(f"  Hint: {self.hint}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return f"<Result {self.exercise!r} status={self.status!r} mistake={self.mistake!r}>"


def show(x: Any) -> str:
    """Short text for a number, a sequence of numbers or anything else."""
    if isinstance(x, bool) or x is None:
        return repr(x)
    if isinstance(x, numbers.Real):
        return fmt(x)
    if isinstance(x, Value):
        return f"Value({fmt(x.data)})"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in x.items()) + "}"
    if isinstance(x, (list, tuple)):
        inner = ", ".join(show(v) for v in x)
        return f"[{inner}]" if isinstance(x, list) else f"({inner}{',' if len(x) == 1 else ''})"
    return str(x)


# --- running learner code ----------------------------------------------------------------------


class _Stop(Exception):
    """Grading ends early (not written, an error): carries the Result to hand back."""

    def __init__(self, result: Result) -> None:
        super().__init__(result.headline)
        self.result = result


class _UsedEngine(Exception):
    """Raised when a learner's backward loop calls the engine's own backward pass."""


def _where(error: BaseException) -> str:
    """The learner's line an exception came from, as text (empty if it is not found)."""
    frames = traceback.extract_tb(error.__traceback__)
    mine = [f for f in frames if not f.filename.startswith(ENGINE_DIRS) and Path(f.filename).name != "_check.py"]
    if not mine:
        return ""
    frame = mine[-1]
    line = f": {frame.line.strip()}" if frame.line else ""
    return f" (in {frame.name}, line {frame.lineno}{line})"


def _run(exercise: str, what: str, fn: Any, *args: Any) -> Any:
    """``fn(*args)``; a stub or an exception ends the grading with a friendly Result."""
    if not callable(fn):
        raise _Stop(Result(exercise, ERROR, f"{what} should be a function, got {type(fn).__name__}",
                           hint="define it with def in the cell above and run that cell"))
    try:
        return fn(*args)
    except NotImplementedError:
        raise _Stop(Result(exercise, NOT_WRITTEN,
                           f"{what} still raises NotImplementedError.",
                           hint="replace the `raise NotImplementedError` line with your code, run that "
                                "cell, then run this check again")) from None
    except (_UsedEngine, _Stop):
        raise
    except Exception as error:  # the learner's bug: a message, not a traceback
        raise _Stop(Result(exercise, ERROR, f"{what} raised {type(error).__name__}: {error}{_where(error)}",
                           hint="fix the error, run the cell with your code again, then this check")) from None


def _checker(exercise: str) -> Callable:
    """Decorate a checker: a ``_Stop`` becomes its Result; the report is printed, the Result returned."""
    def wrap(check: Callable[..., Result]) -> Callable[..., Result]:
        @functools.wraps(check)
        def run(*args: Any, quiet: bool = False, **kwargs: Any) -> Result:
            try:
                result = check(*args, **kwargs)
            except _Stop as stop:
                result = stop.result
            if not quiet:
                print(result)
            return result
        return run
    return wrap


def _real(x: Any) -> Optional[float]:
    """``x`` as a float if it is a real number (not a bool, not a Value), else None."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    return float(x)


def _flat(x: Any) -> List[Any]:
    if isinstance(x, (list, tuple)):
        return [y for item in x for y in _flat(item)]
    return [x]


def close(got: Any, want: Any, rel: float = 1e-9, abs_: float = 1e-12) -> bool:
    """True when every number of ``got`` is within tolerance of the one in ``want`` (same shape)."""
    a, b = _flat(got), _flat(want)
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        x, y = _real(x), _real(y)
        if x is None or y is None or not math.isclose(x, y, rel_tol=rel, abs_tol=abs_):
            return False
    return True


@dataclass
class _Variant:
    """What one mistake would have produced on every case (None where it cannot be computed)."""

    key: str
    values: List[Any]
    detail: str = ""
    rel: Optional[float] = None
    abs_: Optional[float] = None


def _fit(got: Sequence, expected: Sequence, variants: Sequence[_Variant], rel: float, abs_: float):
    """The first variant that reproduces every case of ``got`` and differs from ``expected`` somewhere."""
    for variant in variants:
        r = rel if variant.rel is None else variant.rel
        a = abs_ if variant.abs_ is None else variant.abs_
        values = variant.values
        if any(v is None for v in values) or len(values) != len(got):
            continue
        if all(close(g, v, r, a) for g, v in zip(got, values)) and \
                not all(close(v, e, rel, abs_) for v, e in zip(values, expected)):
            return variant
    return None


def _safe(fn: Callable, *args: Any) -> Any:
    try:
        return fn(*args)
    except (ArithmeticError, ValueError):
        return None


def _mistake(exercise: str, key: str, case: str, expected: Any, got: Any, notes: Sequence[str] = (),
             detail: str = "", **kw: Any) -> Result:
    summary, hint = describe(key)
    return Result(exercise, MISTAKE, summary + (f" ({detail})" if detail else ""), key, case, expected, got,
                  hint, list(notes), **kw)


def _away(rng: random.Random, lo: float, hi: float, digits: int = 3) -> float:
    """A random number with lo <= |x| <= hi and a random sign."""
    return round(rng.choice((-1.0, 1.0)) * rng.uniform(lo, hi), digits)


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


def _forward_text(v: Value) -> str:
    return f"{v.label} = {v.op.describe_forward([u.label for u in v.inputs], v.attr)}"


def show_step_problems() -> None:
    """Print the six nodes of exercise 3 with their inputs and upstream grads."""
    for k, (v, upstream) in enumerate(step_problems(), 1):
        inputs = ", ".join(f"{u.label} = {fmt(u.data)}" for u in v.inputs)
        if len(v.inputs) == 1 and v.op.name in ("tanh", "exp"):
            inputs += f", so {v.label} = {fmt(v.data)}"
        wanted = ", ".join(f"∂L/∂{u.label}" for u in v.inputs)
        print(f"{k}. {_forward_text(v):<12} {inputs:<28} upstream ∂L/∂{v.label} = {fmt(upstream):<5} "
              f"→ give {wanted}")


def _unanswered(x: Any) -> bool:
    return x is None or x is Ellipsis


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
        found = None
        for key, mistake in MISTAKES.items():
            if node.op.name not in mistake.locals and mistake.chain:
                continue  # this catalogued mistake changes nothing at this node
            wrong_locals = mistake.local(node)
            variant = {u.label: loc * upstream if mistake.chain else loc
                       for u, loc in zip(node.inputs, wrong_locals)}
            if all(close(claimed[n], variant[n], tol, 1e-6) for n in claimed) and \
                    not all(close(variant[n], expected[n], tol, 1e-6) for n in claimed):
                found = key
                break
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


# --- 7. a neuron's forward pass ---------------------------------------------------------------------

EX7 = "Exercise 7 · a neuron"


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _neuron_cases(rng: random.Random) -> List[Tuple[List[float], List[float], float]]:
    cases = [([0.5, -1.0, 0.25], [1.0, 0.5, -2.0], 1.2)]
    sizes = [1, 2, 4, 3, 2]
    for k, nin in enumerate(sizes):
        sign = -1.0 if k % 2 == 0 else 1.0  # alternate the sign of w·x + b: relu must show itself
        while True:
            w = [round(rng.uniform(-1, 1), 3) for _ in range(nin)]
            x = [round(rng.uniform(-2, 2), 3) for _ in range(nin)]
            b = _away(rng, 0.3, 1.0)
            z = sum(wi * xi for wi, xi in zip(w, x)) + b
            if 0.4 < sign * z < 2.5 and abs(z - b) > 0.1:
                break
        cases.append((w, x, b))
    return cases


@_checker(EX7)
def check_neuron(neuron_forward: Callable, *, seed: Optional[int] = None) -> Result:
    """Grade ``neuron_forward(w, x, b)`` = tanh(w·x + b) against ``nn.Neuron``, value and gradients."""
    import nn

    rng = random.Random(seed)
    cases = _neuron_cases(rng)
    outs, wants, grads, want_grads = [], [], [], []
    for w, x, b in cases:
        ws = [Value(wi, label=f"w{i}") for i, wi in enumerate(w)]
        bv = Value(b, label="b")
        case = f"w = {show(w)}, x = {show(x)}, b = {fmt(b)}"
        reference = nn.Neuron(len(w), "tanh", seed=0)
        for p, wi in zip(reference.w, w):
            p.data = wi
        reference.b.data = b
        y = reference(list(x))
        y.backward()
        try:
            out = _run(EX7, "neuron_forward", neuron_forward, ws, list(x), bv)
        except _Stop as stop:
            if stop.result.status == ERROR and "is not a plain number" in stop.result.headline:
                return _mistake(EX7, "math_on_value", case, y.data, "a TypeError", [stop.result.headline])
            raise
        if out is None:
            return _mistake(EX7, "returned_none", case, y.data, None)
        if not isinstance(out, Value):
            if _real(out) is None:
                return Result(EX7, WRONG, f"it returned a {type(out).__name__}", None, case, y.data, out,
                              "return the output Value")
            return _mistake(EX7, "not_a_value", case, y.data, out)
        outs.append(out.data)
        wants.append(y.data)
        _run(EX7, "backward() on your output", out.backward)
        grads.append([p.grad for p in ws] + [bv.grad])
        want_grads.append([p.grad for p in reference.w] + [reference.b.grad])

    def where(i: int) -> str:
        w, x, b = cases[i]
        return f"w = {show(w)}, x = {show(x)}, b = {fmt(b)}"

    rel, abs_ = 1e-9, 1e-12
    if not all(close(o, e, rel, abs_) for o, e in zip(outs, wants)):
        dots = [sum(wi * xi for wi, xi in zip(w, x)) for w, x, _ in cases]
        variants = [
            _Variant("no_bias", [math.tanh(d) for d in dots]),
            _Variant("no_activation", [d + b for d, (_, _, b) in zip(dots, cases)]),
            _Variant("bias_after_activation", [math.tanh(d) + b for d, (_, _, b) in zip(dots, cases)]),
            _Variant("wrong_activation", [max(d + b, 0.0) for d, (_, _, b) in zip(dots, cases)], "it is relu"),
            _Variant("wrong_activation", [_sigmoid(d + b) for d, (_, _, b) in zip(dots, cases)], "it is sigmoid"),
        ]
        first = next(i for i, (o, e) in enumerate(zip(outs, wants)) if not close(o, e, rel, abs_))
        found = _fit(outs, wants, variants, rel, abs_)
        if found is not None:
            return _mistake(EX7, found.key, where(first), wants[first], outs[first], detail=found.detail)
        return Result(EX7, WRONG, "the output is not tanh(w·x + b)", None, where(first), wants[first],
                      outs[first], "multiply each weight by its input, add them all and b, then .tanh()")
    if not all(close(g, e, 1e-9, 1e-12) for g, e in zip(grads, want_grads)):
        first = next(i for i, (g, e) in enumerate(zip(grads, want_grads)) if not close(g, e, 1e-9, 1e-12))
        names = [f"w{i}" for i in range(len(cases[first][0]))] + ["b"]
        expected = dict(zip(names, want_grads[first]))
        got = dict(zip(names, grads[first]))
        if all(g == 0.0 for g in grads[first]):
            return _mistake(EX7, "graph_cut", where(first) + ", the grads after backward()", expected, got)
        return Result(EX7, WRONG, "the output is right, but backward() gives the wrong grads", None,
                      where(first) + ", the grads after backward()", expected, got,
                      "use each weight and the bias exactly once, in one expression")
    return Result(EX7, PASSED, f"tanh(w·x + b) on {len(cases)} neurons, with the same value and the same "
                  "gradients as nn.Neuron")


# --- 8. zero_grad and an SGD step -------------------------------------------------------------------

EX8 = "Exercise 8 · zero_grad and SGD"

_TOY_DATA = [(-1.0, -3.0), (0.5, 0.0), (2.0, 3.0)]


def toy_problem() -> Tuple[List[Value], Callable[[], Value]]:
    """Two parameters w, b and the mean squared error of w·x + b on three points (y = 2x − 1)."""
    w, b = Value(0.5, label="w"), Value(-0.3, label="b")

    def loss() -> Value:
        return sum(((w * x + b - y) ** 2 for x, y in _TOY_DATA), Value(0.0)) / len(_TOY_DATA)
    return [w, b], loss


def _params(rng: random.Random, n: int = 4) -> List[Value]:
    params = []
    for i in range(n):
        p = Value(round(rng.uniform(-2, 2), 3), label=f"p{i}")
        p.grad = _away(rng, 0.2, 2.0)
        params.append(p)
    return params


@_checker(EX8)
def check_sgd(zero_grad: Callable, sgd_step: Callable, *, seed: Optional[int] = None) -> Result:
    """Grade ``zero_grad(params)`` and ``sgd_step(params, lr)``, then a short training run with them."""
    from nn import SGD

    rng = random.Random(seed)
    # zero_grad on its own
    params = _params(rng)
    data, grads = [p.data for p in params], [p.grad for p in params]
    _run(EX8, "zero_grad", zero_grad, params)
    after_data, after_grads = [p.data for p in params], [p.grad for p in params]
    case = "parameters with data " + show(data) + " and grads " + show(grads)
    if not (close(after_grads, [0.0] * len(params)) and close(after_data, data)):
        if close(after_data, [0.0] * len(params)) and close(after_grads, grads):
            return _mistake(EX8, "zeroed_data", case + ", after zero_grad", [0.0] * len(params), after_grads,
                            ["(expected and got: the grads; the data became all zeros)"])
        if close(after_grads, grads) and close(after_data, data):
            return _mistake(EX8, "forgot_zero_grad", case + ", the grads after zero_grad",
                            [0.0] * len(params), after_grads,
                            ["backward() adds into .grad (+=), so without zeroing, step 2 would follow the sum "
                             "of the gradients of steps 1 and 2"])
        return Result(EX8, WRONG, "after zero_grad the grads should all be 0 and the data unchanged", None,
                      case, {"data": data, "grad": [0.0] * len(params)},
                      {"data": after_data, "grad": after_grads}, "for p in params: p.grad = 0.0")
    # one SGD step on its own, three times with random numbers
    cases, got, expected = [], [], []
    for _ in range(3):
        params = _params(rng)
        lr = round(rng.uniform(0.05, 0.5), 3)
        data, grads = [p.data for p in params], [p.grad for p in params]
        _run(EX8, "sgd_step", sgd_step, params, lr)
        cases.append((data, grads, lr))
        got.append([p.data for p in params])
        expected.append([d - lr * g for d, g in zip(data, grads)])
    for values in got:
        for x in values:
            if _real(x) is None:
                return Result(EX8, WRONG, f"a parameter's data became a {type(x).__name__}", None, "",
                              None, x, "keep p.data a float: p.data -= lr * p.grad")
    rel, abs_ = 1e-9, 1e-12
    if not all(close(g, e, rel, abs_) for g, e in zip(got, expected)):
        variants = [
            _Variant("data_unchanged", [d for d, _, _ in cases]),
            _Variant("ascent", [[x + lr * g for x, g in zip(d, gs)] for d, gs, lr in cases]),
            _Variant("no_lr", [[x - g for x, g in zip(d, gs)] for d, gs, lr in cases]),
        ]
        first = next(i for i, (g, e) in enumerate(zip(got, expected)) if not close(g, e, rel, abs_))
        d, gs, lr = cases[first]
        where = f"data {show(d)}, grads {show(gs)} and lr = {fmt(lr)}, the data after sgd_step"
        found = _fit(got, expected, variants, rel, abs_)
        if found is not None:
            return _mistake(EX8, found.key, where, expected[first], got[first])
        return Result(EX8, WRONG, "the step is not p.data − lr × p.grad", None, where, expected[first],
                      got[first], "for p in params: p.data -= lr * p.grad")
    # both together: a short training run, step for step against nn.SGD
    steps, lr = 5, 0.1
    params, loss = toy_problem()
    mine, losses = [], []
    for _ in range(steps):
        _run(EX8, "zero_grad", zero_grad, params)
        value = loss()
        value.backward()
        _run(EX8, "sgd_step", sgd_step, params, lr)
        mine.append([p.data for p in params])
        losses.append(value.data)
    ref_params, ref_loss = toy_problem()
    opt = SGD(ref_params, lr=lr)
    theirs = []
    for _ in range(steps):
        opt.zero_grad()
        ref_loss().backward()
        opt.step()
        theirs.append([p.data for p in ref_params])
    if not all(close(a, b, rel, abs_) for a, b in zip(mine, theirs)):
        k = next(i for i, (a, b) in enumerate(zip(mine, theirs)) if not close(a, b, rel, abs_))
        return Result(EX8, WRONG, "each function is right alone, but a training run with them drifts from "
                      "nn.SGD", None, f"step {k + 1} of fitting w·x + b to three points, (w, b) after the step",
                      theirs[k], mine[k], "zero_grad must zero every time it is called; sgd_step must "
                      "change only p.data")
    return Result(EX8, PASSED, f"zero_grad and sgd_step are right, and {steps} training steps with them "
                  "match nn.SGD step for step",
                  notes=[f"the loss went from {fmt(losses[0])} to {fmt(losses[-1])}"])


# --- 9. an Adam step ---------------------------------------------------------------------------------

EX9 = "Exercise 9 · Adam"


def adam_reference(p: float, g: float, m: float, v: float, t: int, lr: float, b1: float, b2: float,
                   eps: float) -> Tuple[float, float, float]:
    """One Adam update of one number, as torch.optim.Adam does it (the checker's own, for reference)."""
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return p - lr * m_hat / (math.sqrt(v_hat) + eps), m, v


def _adam_cases(rng: random.Random) -> List[tuple]:
    cases = [(1.0, 0.5, 0.0, 0.0, 1, 0.1, 0.9, 0.999, 1e-8)]
    for k in range(11):
        small = k < 3  # tiny gradients and a big eps: where eps sits matters
        g = _away(rng, 0.01, 0.08) if small else _away(rng, 0.1, 2.0)
        m = round(rng.uniform(-0.05, 0.05) if small else rng.uniform(-0.8, 0.8), 4)
        v = round(rng.uniform(0.0, 0.004) if small else rng.uniform(0.0, 1.0), 5)
        t = rng.choice((1, 2, 3, 5, 10, 40))
        eps = rng.choice((0.1, 0.3)) if small else rng.choice((1e-8, 1e-3, 0.05))
        cases.append((round(rng.uniform(-2, 2), 3), g, m, v, t, round(rng.uniform(0.001, 0.1), 4),
                      round(rng.uniform(0.8, 0.95), 3), round(rng.uniform(0.9, 0.999), 4), eps))
    return cases


def _moment_slips(case: tuple) -> Dict[str, Tuple[float, float]]:
    p, g, m, v, t, lr, b1, b2, eps = case
    return {"moments_not_updated": (m, v),
            "v_not_squared": (b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g),
            "v_of_abs_g": (b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * abs(g)),
            "betas_swapped": (b2 * m + (1 - b2) * g, b1 * v + (1 - b1) * g * g),
            "ema_weights_swapped": ((1 - b1) * m + b1 * g, (1 - b2) * v + b2 * g * g)}


def _step_slips(case: tuple) -> List[Tuple[str, str, Callable[[], float]]]:
    p, g, m0, v0, t, lr, b1, b2, eps = case
    m = b1 * m0 + (1 - b1) * g
    v = b2 * v0 + (1 - b2) * g * g
    c1, c2 = 1 - b1 ** t, 1 - b2 ** t
    mh, vh = m / c1, v / c2
    return [
        ("no_bias_correction", "neither m nor v is corrected", lambda: p - lr * m / (math.sqrt(v) + eps)),
        ("no_bias_correction", "v is not corrected", lambda: p - lr * mh / (math.sqrt(v) + eps)),
        ("no_bias_correction", "m is not corrected", lambda: p - lr * m / (math.sqrt(vh) + eps)),
        ("no_sqrt", "", lambda: p - lr * mh / (vh + eps)),
        ("eps_misplaced", "it is inside the square root, √(v̂ + ε)", lambda: p - lr * mh / math.sqrt(vh + eps)),
        ("eps_misplaced", "it was added before v's bias correction, (√v + ε) / √(1 − β₂ᵗ)",
         lambda: p - lr * mh / ((math.sqrt(v) + eps) / math.sqrt(c2))),
        ("old_moments", "", lambda: p - lr * (m0 / c1) / (math.sqrt(v0 / c2) + eps)),
        ("adam_ascent", "", lambda: p + lr * mh / (math.sqrt(vh) + eps)),
    ]


@_checker(EX9)
def check_adam(adam_update: Callable, *, seed: Optional[int] = None) -> Result:
    """Grade ``adam_update(p, g, m, v, t, lr, beta1, beta2, eps) -> (p, m, v)``, then a run against nn.Adam."""
    from nn import Adam

    rng = random.Random(seed)
    cases = _adam_cases(rng)
    got = []
    for case in cases:
        out = _run(EX9, "adam_update", adam_update, *case)
        if out is None:
            return _mistake(EX9, "returned_none", _adam_case(case), adam_reference(*case), None)
        if not isinstance(out, (tuple, list)) or len(out) != 3 or any(_real(x) is None for x in out):
            return Result(EX9, WRONG, "adam_update should return three numbers, (p, m, v)", None,
                          _adam_case(case), adam_reference(*case), out, "return p, m, v")
        got.append(tuple(float(x) for x in out))
    expected = [adam_reference(*case) for case in cases]
    rel, abs_ = 1e-9, 1e-12
    moments, want_moments = [g[1:] for g in got], [e[1:] for e in expected]
    if not all(close(a, b, rel, abs_) for a, b in zip(moments, want_moments)):
        first = next(i for i, (a, b) in enumerate(zip(moments, want_moments)) if not close(a, b, rel, abs_))
        where = _adam_case(cases[first]) + ", the returned (m, v)"
        variants = [_Variant(key.replace("v_of_abs_g", "v_not_squared"), [_moment_slips(c)[key] for c in cases],
                             "it averages |g|" if key == "v_of_abs_g" else "")
                    for key in _moment_slips(cases[0])]
        found = _fit(moments, want_moments, variants, rel, abs_)
        if found is not None:
            return _mistake(EX9, found.key, where, want_moments[first], moments[first], detail=found.detail)
        return Result(EX9, WRONG, "the returned m and v are not the updated running averages", None, where,
                      want_moments[first], moments[first],
                      "m = β₁·m + (1 − β₁)·g and v = β₂·v + (1 − β₂)·g²")
    steps, want_steps = [g[0] for g in got], [e[0] for e in expected]
    if not all(close(a, b, rel, abs_) for a, b in zip(steps, want_steps)):
        first = next(i for i, (a, b) in enumerate(zip(steps, want_steps)) if not close(a, b, rel, abs_))
        where = _adam_case(cases[first]) + ", the new p"
        slips = [_step_slips(c) for c in cases]
        variants = [_Variant(key, [_safe(s[j][2]) for s in slips], detail)
                    for j, (key, detail, _) in enumerate(slips[0])]
        found = _fit(steps, want_steps, variants, rel, abs_)
        if found is not None:
            return _mistake(EX9, found.key, where, want_steps[first], steps[first], detail=found.detail)
        return Result(EX9, WRONG, "m and v are right, but the new p is not", None, where, want_steps[first],
                      steps[first], "p − lr · m̂ / (√v̂ + ε) with m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ)")
    # a short run with Values, step for step against nn.Adam
    n, lr, betas, eps = 8, 0.05, (0.9, 0.999), 1e-8
    params, loss = toy_problem()
    state = [(0.0, 0.0) for _ in params]
    mine = []
    for t in range(1, n + 1):
        for p in params:
            p.grad = 0.0
        loss().backward()
        for i, p in enumerate(params):
            m, v = state[i]
            new_p, m, v = _run(EX9, "adam_update", adam_update, p.data, p.grad, m, v, t, lr, *betas, eps)
            p.data, state[i] = float(new_p), (float(m), float(v))
        mine.append([p.data for p in params])
    ref_params, ref_loss = toy_problem()
    opt = Adam(ref_params, lr=lr, betas=betas, eps=eps)
    theirs = []
    for _ in range(n):
        opt.zero_grad()
        ref_loss().backward()
        opt.step()
        theirs.append([p.data for p in ref_params])
    if not all(close(a, b, 1e-9, 1e-12) for a, b in zip(mine, theirs)):
        k = next(i for i, (a, b) in enumerate(zip(mine, theirs)) if not close(a, b, 1e-9, 1e-12))
        return Result(EX9, WRONG, "single updates are right, but a run with them drifts from nn.Adam", None,
                      f"step {k + 1} of fitting w·x + b, (w, b) after the step", theirs[k], mine[k],
                      "the update must depend only on its arguments (keep no state of your own)")
    return Result(EX9, PASSED, f"adam_update is right on {len(cases)} cases, and {n} steps with it match "
                  "nn.Adam (which follows torch.optim.Adam) step for step")


def _adam_case(case: tuple) -> str:
    p, g, m, v, t, lr, b1, b2, eps = case
    return (f"p = {fmt(p)}, g = {fmt(g)}, m = {fmt(m)}, v = {fmt(v)}, t = {t}, lr = {fmt(lr)}, "
            f"β₁ = {fmt(b1)}, β₂ = {fmt(b2)}, ε = {fmt(eps)}")
