"""IEEE-754 arithmetic for scalars, the way PyTorch does it.

Python's ``math`` module raises ``OverflowError``, ``ZeroDivisionError`` or
``ValueError('math domain error')`` where IEEE 754 (and PyTorch) simply give
``inf`` or ``nan``. Every op in the rule table goes through these helpers so no
such exception ever escapes from an operation on a :class:`~engine.Value`.

>>> exp(1000.0), log(0.0), div(1.0, 0.0), div(0.0, 0.0)
(inf, -inf, inf, nan)
>>> power(-8.0, 1 / 3), power(0.0, -1.0), power(-2.0, 3.0)
(nan, inf, -8.0)
>>> sigmoid(-1000.0), sigmoid(1000.0), softplus(1000.0)
(0.0, 1.0, 1000.0)
"""

from __future__ import annotations

import math

INF = math.inf
NAN = math.nan
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2 = 1.0 / math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
GELU_TANH_C = 0.044715


def isfinite(x: float) -> bool:
    """True when ``x`` is neither infinite nor NaN."""
    return x - x == 0.0


def exp(x: float) -> float:
    """``e**x``, ``inf`` on overflow."""
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def log(x: float) -> float:
    """Natural log: ``-inf`` at 0, ``nan`` below 0."""
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        return -INF
    return NAN


def log1p(x: float) -> float:
    """``log(1 + x)``, exact for tiny ``x``: ``-inf`` at -1, ``nan`` below."""
    if x > -1.0:
        return math.log1p(x)
    return -INF if x == -1.0 else NAN


def sqrt(x: float) -> float:
    """Square root, ``nan`` below 0 (``sqrt(-0.0)`` is ``-0.0``)."""
    return math.sqrt(x) if x >= 0.0 else NAN


def div(a: float, b: float) -> float:
    """``a / b`` with IEEE division by zero: ``±inf``, or ``nan`` for ``0/0``."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0.0:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def _is_odd_integer(y: float) -> bool:
    return isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0.0


def power(x: float, y: float) -> float:
    """``x ** y`` as C's ``pow``: ``inf`` on overflow, ``nan`` for a negative
    base with a non-integer exponent, ``±inf`` for zero to a negative power."""
    try:
        return math.pow(x, y)
    except OverflowError:
        return -INF if x < 0.0 and _is_odd_integer(y) else INF
    except ValueError:
        if x == 0.0:  # zero to a negative power
            return math.copysign(INF, x) if _is_odd_integer(y) else INF
        return NAN


def tanh(x: float) -> float:
    """Hyperbolic tangent (never overflows)."""
    return math.tanh(x)


def sigmoid(x: float) -> float:
    """Logistic function in the form that cannot overflow for any ``x``."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    if x != x:
        return x  # nan in, nan out (it would fall through to 0 below)
    z = math.exp(x) if x > -745.2 else 0.0
    return z / (1.0 + z)


def softplus(x: float) -> float:
    """``log(1 + e**x)`` computed as ``max(x, 0) + log1p(e**-|x|)``: exact at ±1000."""
    if x != x:
        return x
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def erf(x: float) -> float:
    """The error function."""
    return math.erf(x)


def normal_cdf(x: float) -> float:
    """Phi(x), the standard normal cumulative distribution."""
    return 0.5 * (1.0 + math.erf(x * INV_SQRT_2))


def normal_pdf(x: float) -> float:
    """phi(x), the standard normal density (0 far from the centre, never overflow)."""
    return INV_SQRT_2PI * exp(-0.5 * x * x)
