"""The number interfaces that every rule of the table is written against.

A rule's maths is ordinary Python over a namespace ``F``: ``F.exp``,
``F.div``, ``F.where``, ... plus the operators ``+ - *`` and comparisons.
Each evaluator supplies its own ``F``, so one definition of a derivative
serves them all:

- :data:`FLOATS` runs on Python floats (the eager engine; its functions are
  compiled from the rule's code text, see :mod:`engine.ops`);
- :data:`TEXT` runs on :class:`Code` snippets and yields Python source (the
  code that ``engine.trace`` replays, and that the float functions are made of);
- :func:`arrays` runs on NumPy arrays, element for element the same IEEE
  operations (vectorised replay);
- ``engine.higher.VALUES`` runs on :class:`~engine.Value` nodes (derivatives
  of derivatives).

Division goes through ``F.div`` and powers through ``F.power`` (Python's ``/``
and ``**`` raise where IEEE 754 gives inf or nan); choices between two
results go through ``F.where(condition, a, b)``, never ``if``, so that code
text and arrays can follow them.

>>> x, out = Code("x"), Code("out")
>>> str(1.0 - out * out)
'(1.0 - (out * out))'
>>> str(TEXT.where(x <= 0.0, 0.0, 1.0))
'(0.0 if (x <= 0.0) else 1.0)'
"""

from __future__ import annotations

import math
import operator
import re
import sys
from functools import reduce
from types import SimpleNamespace
from typing import Any, Callable, Iterable

from . import numeric as num

Number = Any  # a float, a Code snippet, an array or a Value, depending on the evaluator


def _fold_sum(values: Iterable) -> float:
    """Left-to-right ``0.0 + v0 + v1 + ...`` (Python >= 3.12's ``sum`` compensates)."""
    return reduce(operator.add, values, 0.0)


# Python 3.11's built-in sum of floats is exactly the left fold (in C, so faster).
_sequential_sum: Callable[[Iterable], float] = sum if sys.version_info < (3, 12) else _fold_sum


def _float_where(condition: bool, a: float, b: float) -> float:
    return a if condition else b


FLOATS = SimpleNamespace(
    exp=num.exp, log=num.log, log1p=num.log1p, sqrt=num.sqrt, tanh=math.tanh,
    sigmoid=num.sigmoid, softplus=num.softplus, erf=math.erf, abs=abs,
    div=num.div, power=num.power, sum=_sequential_sum,
    where=_float_where, eq=operator.eq, ne=operator.ne, and_=lambda p, q: p and q,
    maximum=lambda a, b: b if b > a else a,  # Python's max(a, b): a nan first stays nan
)
"""The float evaluator: IEEE-754 helpers from :mod:`engine.numeric`."""

# Names the generated code may call, for compiling float functions and traced replays.
CODE_NAMESPACE = {
    "exp": num.exp, "log": num.log, "log1p": num.log1p, "sqrt": num.sqrt, "tanh": math.tanh,
    "sigmoid": num.sigmoid, "softplus": num.softplus, "erf": math.erf, "abs": abs,
    "div": num.div, "power": num.power, "INF": math.inf, "NAN": math.nan,
}


# What generated source may contain: names, numbers, operators, brackets. No quote, '#', '\\',
# ';' or '@', so no string, comment, escape or decorator can be spelled, whatever got in.
_GENERATED = re.compile(r"[A-Za-z0-9_ \n.,:()\[\]+\-*/<>=!]*")


def run_generated(source: str, filename: str, namespace: dict) -> None:
    """Compile and run source the engine generated, in ``namespace``.

    Defence in depth: the source is built only from names made from integers,
    :func:`literal` floats and the built-in rules' maths text; it is refused if
    it holds any character outside that alphabet.
    """
    if _GENERATED.fullmatch(source) is None:
        odd = sorted({c for c in source if _GENERATED.fullmatch(c) is None})[:5]
        raise ValueError(f"internal: refusing to run generated code {filename} with characters {odd!r}")
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - checked above, built by the engine


def literal(x: float) -> str:
    """Python source for the float ``x`` (checked to be a float: nothing else gets in)."""
    if type(x) is not float:
        raise TypeError(f"internal: literal of a {type(x).__name__}")
    if x != x:
        return "NAN"
    if x in (math.inf, -math.inf):
        return "INF" if x > 0 else "(-INF)"
    return repr(x) if x >= 0.0 and math.copysign(1.0, x) > 0 else f"({x!r})"


def _code(x: object) -> str:
    if isinstance(x, Code):
        return x.text
    if type(x) is int:
        x = float(x)
    return literal(x)  # type: ignore[arg-type]


class Code:
    """A snippet of Python source standing for a number: operators build bigger snippets.

    ``constant`` is the snippet's float value when it is a literal (used to
    tell derivatives that are always finite numbers).
    """

    __slots__ = ("text", "constant", "choice")

    def __init__(self, text: str, constant: object = None) -> None:
        self.text = text
        self.constant = constant  # a float, or a tuple of the floats a choice can give
        self.choice: object = None  # (condition text, a, b) for a choice of two numbers

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Code({self.text!r})"

    def _binary(self, symbol: str, other: object, reflected: bool = False) -> "Code":
        left, right = (_code(other), self.text) if reflected else (self.text, _code(other))
        return Code(f"({left} {symbol} {right})")

    def __add__(self, other): return self._binary("+", other)
    def __radd__(self, other): return self._binary("+", other, True)
    def __sub__(self, other): return self._binary("-", other)
    def __rsub__(self, other): return self._binary("-", other, True)
    def __mul__(self, other): return self._binary("*", other)
    def __rmul__(self, other): return self._binary("*", other, True)
    def __neg__(self): return Code(f"(-{self.text})")
    def __lt__(self, other): return self._binary("<", other)
    def __le__(self, other): return self._binary("<=", other)
    def __gt__(self, other): return self._binary(">", other)
    def __ge__(self, other): return self._binary(">=", other)

    def __truediv__(self, other):
        raise TypeError("rules divide with F.div (IEEE: x/0 is inf), not /")

    __rtruediv__ = __pow__ = __rpow__ = __truediv__

    def __bool__(self):
        raise TypeError("rules choose with F.where(condition, a, b), not if/and/or")


def as_code(x: object) -> Code:
    """``x`` as a :class:`Code` snippet (numbers become literals, marked constant)."""
    if isinstance(x, Code):
        return x
    if isinstance(x, str):  # a name in generated code
        return Code(x)
    return Code(_code(x), float(x))  # type: ignore[arg-type]


def _call(name: str) -> Callable[..., Code]:
    return lambda *args: Code(f"{name}({', '.join(_code(a) for a in args)})")


def _text_where(condition: object, a: object, b: object) -> Code:
    out = Code(f"({_code(a)} if {_code(condition)} else {_code(b)})")
    ca, cb = as_code(a).constant, as_code(b).constant
    if ca is not None and cb is not None:  # a choice between numbers: finite if all are
        out.constant = (ca if isinstance(ca, tuple) else (ca,)) + (cb if isinstance(cb, tuple) else (cb,))
        if not isinstance(ca, tuple) and not isinstance(cb, tuple):
            out.choice = (_code(condition), ca, cb)
    return out


def _text_sum(values: Iterable) -> Code:
    parts = [_code(v) for v in values]
    return Code("(0.0" + "".join(" + " + p for p in parts) + ")")


TEXT = SimpleNamespace(
    **{name: _call(name) for name in ("exp", "log", "log1p", "sqrt", "tanh", "sigmoid",
                                      "softplus", "erf", "abs", "div", "power")},
    sum=_text_sum, where=_text_where,
    eq=lambda a, b: Code(f"({_code(a)} == {_code(b)})"),
    ne=lambda a, b: Code(f"({_code(a)} != {_code(b)})"),
    and_=lambda p, q: Code(f"({_code(p)} and {_code(q)})"),
    maximum=lambda a, b: _text_where(Code(f"({_code(b)} > {_code(a)})"), b, a),
)
"""The code-text evaluator: a rule applied to snippets gives the Python source of its maths."""


def is_finite_constant(x: object) -> bool:
    """True when a rule's result is a finite number whatever the inputs (``1``, or a choice of two)."""
    c = as_code(x).constant if isinstance(x, (Code, int, float)) else None
    values = c if isinstance(c, tuple) else (c,)
    return all(isinstance(v, float) and num.isfinite(v) for v in values)


_ARRAYS: dict = {}


def arrays() -> SimpleNamespace:
    """The NumPy evaluator: the same IEEE operations as :data:`FLOATS`, element by element.

    Arithmetic and comparisons are NumPy's own (exact IEEE, as Python's);
    transcendental functions apply the float evaluator's functions to each
    element, so every result matches the eager engine bit for bit.
    """
    if not _ARRAYS:
        import numpy as np

        def each(fn: Callable) -> Callable:
            ufunc = np.frompyfunc(fn, 1, 1)
            return lambda x: np.asarray(ufunc(np.asarray(x, dtype=float)), dtype=float)

        def divide(a, b):
            with np.errstate(all="ignore"):
                return np.divide(np.asarray(a, dtype=float), b)

        def power(a, b):
            a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
            return np.asarray(np.frompyfunc(num.power, 2, 1)(a, b), dtype=float)

        def fold(values):
            total = 0.0
            for v in values:
                total = total + v
            return total

        _ARRAYS["ns"] = SimpleNamespace(
            **{name: each(getattr(FLOATS, name)) for name in (
                "exp", "log", "log1p", "sqrt", "tanh", "sigmoid", "softplus", "erf")},
            abs=np.abs, div=divide, power=power, sum=fold,
            where=lambda c, a, b: np.where(c, a, b), eq=np.equal, ne=np.not_equal,
            and_=np.logical_and, maximum=lambda a, b: np.where(np.greater(b, a), b, a),
        )
    return _ARRAYS["ns"]
