"""Learner-defined ops: add an op to the rule table from two plain float functions.

See :func:`define_op`: the op then works with backward, stepping, drawing and tracing.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Optional, Sequence

from .evaluators import FLOATS
from .ops import RULES, Op, register
from .functional import apply

__all__ = ["define_op", "remove_op"]


def define_op(name: str, *, forward: Callable[..., float], local: Callable[..., Sequence[float]],
              symbol: Optional[str] = None, formula: Optional[Sequence[str]] = None,
              arity: int = 1, domain: tuple = (-3.0, 3.0), kinks: tuple = ()) -> Callable:
    """Add an op to the rule table and return a function that applies it to Values.

    ``forward(*xs)`` computes the output from the input numbers and
    ``local(*xs, out)`` returns one local derivative per input. The new op then
    works with ``backward()``, stepping, drawing, tracing and ``gradcheck``
    like a built-in one.

    >>> from engine import Value
    >>> cube = define_op("cube_demo", forward=lambda x: x ** 3,
    ...                  local=lambda x, out: (3 * x * x,), formula=["3 * {0}²"])
    >>> a = Value(2.0, label="a")
    >>> y = cube(a); y.backward()
    >>> y.data, a.grad
    (8.0, 12.0)
    >>> remove_op("cube_demo")
    """
    formula = _checked(name, forward, local, symbol, formula, arity, domain, kinks)

    def fwd(xs, attr):
        return _learner_number(_learner_call(forward, xs, name, "forward"), name, "forward")

    def loc(xs, out, attr):
        derivatives = tuple(_learner_number(d, name, "local derivative")
                            for d in _learner_call(local, (*xs, out), name, "local"))
        if len(derivatives) != arity:
            raise ValueError(f"local derivatives of {name!r} must give {arity} number(s), "
                             f"got {len(derivatives)}")
        return derivatives

    args = ", ".join("{%d}" % i for i in range(arity))
    literal = (symbol or name).replace("{", "{{").replace("}", "}}")  # drawn as written
    op = register(Op(name, literal, _plain(fwd), _plain(loc), f"{name}({args})", tuple(formula),
                     arity=arity, domain=tuple(domain), kinks=tuple(kinks), builtin=False,
                     forward=fwd, local=loc))
    setattr(Op, name.upper(), op)

    def apply_op(*inputs):
        if len(inputs) != arity:
            raise TypeError(f"{name}() takes {arity} input(s), got {len(inputs)}")
        return apply(op, inputs)

    apply_op.__name__ = name
    apply_op.op = op  # type: ignore[attr-defined]  # the rule, for learners who want to look
    return apply_op


def _checked(name: Any, forward: Any, local: Any, symbol: Any, formula: Any,
             arity: Any, domain: Any, kinks: Any) -> tuple:
    """Check define_op's arguments (clear errors now, not later while stepping); the formulas."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"op name must be a Python identifier, got {name!r}")
    if not callable(forward) or not callable(local):
        raise TypeError("define_op needs callables for forward= and local=")
    if not isinstance(arity, int) or isinstance(arity, bool) or arity < 1:
        raise ValueError(f"arity must be a positive int, got {arity!r}")
    if symbol is not None and not isinstance(symbol, str):
        raise TypeError(f"symbol must be a str (drawn in the op's node), got {type(symbol).__name__}")
    if isinstance(kinks, (str, bytes)) or not hasattr(kinks, "__iter__") or not all(
            isinstance(k, numbers.Real) for k in kinks):
        raise TypeError(f"kinks must be a sequence of numbers (where the slope jumps), got {kinks!r}")
    if (isinstance(domain, (str, bytes)) or not hasattr(domain, "__len__") or len(domain) != 2
            or not all(isinstance(d, numbers.Real) for d in domain) or not domain[0] < domain[1]):
        raise ValueError(f"domain must be a pair (lo, hi) of numbers with lo < hi, got {domain!r}")
    if formula is None:
        formula = tuple(f"∂{name}/∂{{{i}}}" for i in range(arity))
    if isinstance(formula, str) or len(formula) != arity:
        raise ValueError(f"formula must be a sequence of {arity} template string(s), got {formula!r}")
    for template in formula:  # fail now, not later while stepping or drawing
        try:
            template.format(*range(arity), out="out", attr="")
        except (AttributeError, LookupError, ValueError) as error:
            raise ValueError(f"formula {template!r} may use only {{0}}..{{{arity - 1}}} and {{out}} "
                             f"as placeholders ({error!r})") from None
    return tuple(formula)


def _learner_call(fn: Callable, xs: tuple, name: str, part: str):
    """``fn(*xs)`` for a learner op, an overflow reported under the op's name."""
    try:
        return fn(*xs)
    except (OverflowError, ZeroDivisionError) as error:
        raise ValueError(f"{part} of {name!r} raised {type(error).__name__} ({error}); "
                         "engine.numeric's helpers (exp, power, div) give inf/nan instead") from None


def _learner_number(out: object, name: str, part: str) -> float:
    """A learner op's result as a float, or a TypeError naming the op."""
    if not isinstance(out, numbers.Real):
        raise TypeError(f"{part} of {name!r} must return a real number, got {type(out).__name__}")
    real: Any = out
    try:
        return float(real)
    except OverflowError:  # an int beyond float range: IEEE rounds it to ±inf
        return math.inf if real > 0 else -math.inf


def remove_op(name: str) -> None:
    """Take a learner-defined op out of the rule table (built-in ops stay)."""
    op = RULES.get(name)
    if op is None:
        raise KeyError(f"no op named {name!r}")
    if op.builtin:
        raise ValueError(f"{name!r} is a built-in op and cannot be removed")
    del RULES[name]
    if getattr(Op, name.upper(), None) is op:
        delattr(Op, name.upper())


def _plain(fn: Callable) -> Callable:
    """A learner's float function seen as maths over ``F``: it can run on floats only."""
    def maths(F, *args):
        if F is not FLOATS:
            raise TypeError("a learner-defined op has float-only derivatives (plain Python), so "
                            "it cannot be replayed as code text, arrays or Values; "
                            "backward(create_graph=True) and engine.grad stop at it")
        return fn(*args)
    return maths
