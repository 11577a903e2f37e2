"""What every checker shares: the Result it returns, running learner code, comparing numbers, fitting slips.

A ``_Stop`` raised anywhere while grading ends it with the Result it carries
(code that still raises ``NotImplementedError`` is "not written yet", any other
exception is reported as an error on the learner's own line); ``_fit`` names the
first known slip that reproduces every number the learner produced.
"""

from __future__ import annotations

import functools
import math
import numbers
import random
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from engine import Value
from engine.naming import fmt

from ._slips import describe

PASSED, MISTAKE, WRONG, NOT_WRITTEN, ERROR = "passed", "mistake", "wrong", "not_written", "error"
STATUSES = (PASSED, MISTAKE, WRONG, NOT_WRITTEN, ERROR)

HERE = Path(__file__).resolve().parent
ENGINE_DIRS = tuple(str(HERE.parent.parent / d) for d in ("engine", "nn"))

# The checker's own modules: a frame in one of them is never the learner's line.
CHECKER_FILES = frozenset(("_check.py", "_slips.py", "_result.py", "_check_derivatives.py", "_check_graphs.py",
                           "_check_training.py"))


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
    mine = [f for f in frames
            if not f.filename.startswith(ENGINE_DIRS) and Path(f.filename).name not in CHECKER_FILES]
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


# --- reading what the learner wrote --------------------------------------------------------------


def _forward_text(v: Value) -> str:
    return f"{v.label} = {v.op.describe_forward([u.label for u in v.inputs], v.attr)}"


def _unanswered(x: Any) -> bool:
    return x is None or x is Ellipsis
