"""Argument checks shared across ``nn``: one wording for each kind of bad input.

>>> positive_int(3, "nin")
3
>>> positive_int(0, "nin")
Traceback (most recent call last):
...
ValueError: nin must be a positive int, got 0
"""

from __future__ import annotations

import math
import numbers

from engine.value import as_real, is_real


def positive_int(n: object, what: str) -> int:
    """``n`` as an int when it is a whole number >= 1 (NumPy ints too, bools not)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return int(n)


def finite_number(x: object, what: str) -> float:
    """``float(x)`` for a finite real number; ``TypeError``/``ValueError`` naming ``what`` otherwise."""
    if isinstance(x, bool) or not is_real(x):
        raise TypeError(f"{what} must be a number, got {type(x).__name__}")
    x = as_real(x, what)  # an int beyond float range is inf (float() would raise OverflowError)
    if not math.isfinite(x):
        raise ValueError(f"{what} is not finite ({x})")
    return x
