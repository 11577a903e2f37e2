"""Check ``backward()`` against central finite differences.

>>> from engine import Value
>>> gradcheck(lambda x, y: (x * y + x.exp()).tanh(), [0.3, -0.7])
True
"""

from __future__ import annotations

from typing import Callable, List, Sequence

from . import numeric as num
from .modes import enable_grad, no_grad
from .value import Value, as_real


class GradcheckError(ValueError):
    """``backward()`` disagreed with finite differences; ``rows`` has the details."""

    def __init__(self, message: str, rows: List[tuple]) -> None:
        super().__init__(message)
        self.rows = rows


def numeric_grads(fn: Callable[..., Value], xs: Sequence[float], eps: float = 1e-6) -> List[float]:
    """Central differences ``(f(x + eps) - f(x - eps)) / 2 eps`` for each input."""
    grads = []
    with no_grad():
        for i in range(len(xs)):
            plus = list(xs); plus[i] += eps
            minus = list(xs); minus[i] -= eps
            f_plus = _call(fn, plus).data
            f_minus = _call(fn, minus).data
            grads.append((f_plus - f_minus) / (2.0 * eps))
    return grads


def analytic_grads(fn: Callable[..., Value], xs: Sequence[float]) -> List[float]:
    """The gradients ``backward()`` gives for ``fn`` at ``xs``."""
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    with enable_grad():  # also when called inside no_grad(): backward needs the graph
        out = _require_value(fn(*leaves))
    out.backward()
    return [v.grad for v in leaves]


def gradcheck(fn: Callable[..., Value], inputs: Sequence, *, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """True when backward's gradients match finite differences at ``inputs``.

    ``fn`` takes one Value per input and returns a Value. On a mismatch it
    raises :class:`GradcheckError` listing, per input, the analytic and the
    numeric gradient (or returns False with ``raise_exception=False``).
    """
    if not callable(fn):
        raise TypeError(f"gradcheck needs a function of Values, got {type(fn).__name__}")
    xs = [x.data if isinstance(x, Value) else as_real(x, "gradcheck input") for x in inputs]
    if not xs:
        raise ValueError("gradcheck needs at least one input")
    for name, x in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        x = as_real(x, name)
        if name == "eps" and not (x > 0.0 and num.isfinite(x)):
            raise ValueError(f"eps must be a positive finite number, got {x}")
        if not (x >= 0.0 and num.isfinite(x)):
            raise ValueError(f"{name} must be a finite number >= 0, got {x}")
    analytic = analytic_grads(fn, xs)
    numeric = numeric_grads(fn, xs, eps)
    rows, ok = [], True
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        good = num.isfinite(a) and num.isfinite(n) and abs(a - n) <= atol + rtol * abs(n)
        ok = ok and good
        rows.append((i, xs[i], a, n, good))
    if ok or not raise_exception:
        return ok
    lines = ["backward() disagrees with finite differences:",
             "  input        x            analytic     numeric"]
    lines += [f"  x{i:<10} {x:<12.6g} {a:<12.6g} {n:<12.6g} {'' if good else '<- mismatch'}"
              for i, x, a, n, good in rows]
    raise GradcheckError("\n".join(lines), rows)


def _call(fn, xs):
    return _require_value(fn(*[Value(x) for x in xs]))


def _require_value(out):
    if not isinstance(out, Value):
        raise TypeError(f"the function must return a Value, got {type(out).__name__}")
    return out
