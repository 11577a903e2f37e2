"""The rule table: everything the engine knows about each operation, in one place.

An :class:`Op` holds an operation's forward function, its local derivatives
(the partial derivative of the output with respect to each ordered input),
the symbol drawn in diagrams and the formula text shown when stepping through
backpropagation. ``Value`` methods, ``backward()``, the step-through explainer,
the graph drawings, the HTML player, tracing and the tests all read this table,
so adding an op is one entry here (or one :func:`define_op` call) and nothing
can disagree.

Formula templates use ``{0}``, ``{1}``, ... for the names of the inputs,
``{out}`` for the output and ``{attr}`` for the op's setting (the exponent of
``x ** c``, the slope of leaky ReLU).

>>> RULES["tanh"].symbol
'tanh'
>>> RULES["mul"].describe_local(0, ["a", "b"], "out")
'b'
"""

from __future__ import annotations

import math
import numbers
import operator
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence, Union

from . import numeric as num

Template = Union[str, Callable[[int, int], str]]


@dataclass(frozen=True, eq=False)
class Op:
    """One operation of the graph and every rule about it.

    ``forward(xs, attr)`` maps the tuple of input numbers to the output number;
    ``local(xs, out, attr)`` returns one local derivative per input. ``arity`` is
    the number of inputs, or ``None`` for n-ary ops (sum, dot). ``expression``
    and ``formula`` are text templates (or functions ``(i, n) -> template`` for
    n-ary ops). ``domain`` is where the op is smooth enough for finite-difference
    checks and ``kinks`` are points where its derivative jumps; tests read both.
    """

    name: str
    symbol: str
    forward: Callable[[tuple, object], float] = field(repr=False)
    local: Callable[[tuple, float, object], tuple] = field(repr=False)
    expression: Template = field(repr=False)
    formula: Union[Sequence[str], Callable[[int, int], str]] = field(repr=False)
    arity: Optional[int] = 1
    domain: tuple = field(default=(-3.0, 3.0), repr=False)
    kinks: tuple = field(default=(), repr=False)
    attrs: tuple = field(default=(), repr=False)  # example settings for tests
    builtin: bool = field(default=True, repr=False)
    # For engine.trace: Python expression templates (forward, (local_0, local_1, ...))
    # over {0}, {1}, ... (input numbers), {out} and {attr}; callables (n) / (i, n)
    # for n-ary ops. None: tracing calls forward/local themselves.
    code: Optional[tuple] = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"Op.{self.name.upper()}"

    def label(self, attr: object = None) -> str:
        """The symbol drawn for a node of this op, with its setting filled in."""
        return self.symbol.format(attr=_fmt_attr(attr))

    def describe_local(self, i: int, names: Sequence[str], out: str, attr: object = None) -> str:
        """Formula text for the local derivative of the output w.r.t. input ``i``."""
        template = self.formula(i, len(names)) if callable(self.formula) else self.formula[i]
        return template.format(*names, out=out, attr=_fmt_attr(attr))

    def describe_forward(self, names: Sequence[str], attr: object = None) -> str:
        """Formula text for how the output is computed from the named inputs."""
        if callable(self.expression):
            return self.expression(list(names), _fmt_attr(attr))
        return self.expression.format(*names, attr=_fmt_attr(attr))


def _fmt_attr(attr: object) -> str:
    if isinstance(attr, float):
        return format(attr, "g")
    return "" if attr is None else str(attr)


RULES: dict = {}
"""Every op by name, built-in and learner-defined, in definition order."""


def _register(op: Op) -> Op:
    if op.name in RULES:
        raise ValueError(f"an op named {op.name!r} is already defined; pick another name")
    RULES[op.name] = op
    setattr(Op, op.name.upper(), op)
    return op


def _rule(name, symbol, forward, local, expression, formula, **kw) -> Op:
    return _register(Op(name, symbol, forward, local, expression, formula, **kw))


# --- arithmetic -----------------------------------------------------------------

_rule("add", "+", lambda x, a: x[0] + x[1], lambda x, o, a: (1.0, 1.0),
      "{0} + {1}", ("1", "1"), arity=2,
      code=("{0} + {1}", ("1", "1")))
_rule("sub", "-", lambda x, a: x[0] - x[1], lambda x, o, a: (1.0, -1.0),
      "{0} - {1}", ("1", "-1"), arity=2,
      code=("{0} - {1}", ("1", "-1")))
_rule("mul", "*", lambda x, a: x[0] * x[1], lambda x, o, a: (x[1], x[0]),
      "{0} * {1}", ("{1}", "{0}"), arity=2,
      code=("{0} * {1}", ("{1}", "{0}")))
_rule("div", "/", lambda x, a: num.div(x[0], x[1]),
      lambda x, o, a: (num.div(1.0, x[1]), -num.div(o, x[1])),
      "{0} / {1}", ("1 / {1}", "-{out} / {1}"), arity=2, domain=(0.2, 3.0),
      code=("div({0}, {1})", ("div(1.0, {1})", "-div({out}, {1})")))
_rule("neg", "neg", lambda x, a: -x[0], lambda x, o, a: (-1.0,), "-{0}", ("-1",),
      code=("-{0}", ("-1",)))


def _pow_const_local(x, out, c):
    # d/dx x**c = c * x**(c-1); PyTorch defines it as 0 when c == 0 (even at x == 0).
    return (0.0,) if c == 0.0 else (c * num.power(x[0], c - 1.0),)


_rule("pow_const", "** {attr}", lambda x, c: num.power(x[0], c), _pow_const_local,
      "{0} ** {attr}", ("{attr} * {0} ** ({attr} - 1)",), domain=(0.2, 3.0),
      attrs=(2.0, 3.0, -1.0, 0.5, -2.5))


def _const_pow_local(x, out, c):
    # d/dx c**x = c**x * ln c; 0 where the base is 0 and x >= 0 (flat there), as PyTorch does.
    return (0.0 if c == 0.0 and x[0] >= 0.0 else out * num.log(c),)


_rule("const_pow", "{attr} **", lambda x, c: num.power(c, x[0]), _const_pow_local,
      "{attr} ** {0}", ("{out} * ln({attr})",), attrs=(2.0, 0.5, 10.0))


def _pow_local(x, out, a):
    base, e = x
    d_base = 0.0 if e == 0.0 else e * num.power(base, e - 1.0)
    d_exp = 0.0 if (base == 0.0 and e >= 0.0) else out * num.log(base)
    return (d_base, d_exp)


_rule("pow", "**", lambda x, a: num.power(x[0], x[1]), _pow_local,
      "{0} ** {1}", ("{1} * {0} ** ({1} - 1)", "{out} * ln({0})"), arity=2,
      domain=(0.2, 3.0))

# --- elementary functions --------------------------------------------------------

_rule("exp", "exp", lambda x, a: num.exp(x[0]), lambda x, o, a: (o,),
      "exp({0})", ("exp({0}) = {out}",), code=("exp({0})", ("{out}",)))
_rule("log", "log", lambda x, a: num.log(x[0]), lambda x, o, a: (num.div(1.0, x[0]),),
      "log({0})", ("1 / {0}",), domain=(0.1, 5.0),
      code=("log({0})", ("div(1.0, {0})",)))
_rule("sqrt", "sqrt", lambda x, a: num.sqrt(x[0]), lambda x, o, a: (num.div(0.5, o),),
      "sqrt({0})", ("1 / (2 * {out})",), domain=(0.1, 5.0))
_rule("abs", "abs", lambda x, a: abs(x[0]),
      lambda x, o, a: (1.0 if x[0] > 0.0 else (-1.0 if x[0] < 0.0 else 0.0),),
      "|{0}|", ("sign({0})",), kinks=(0.0,))

# --- activations -----------------------------------------------------------------

_rule("tanh", "tanh", lambda x, a: math.tanh(x[0]), lambda x, o, a: (1.0 - o * o,),
      "tanh({0})", ("1 - {out}²",), code=("tanh({0})", ("1.0 - {out} * {out}",)))
_rule("sigmoid", "σ", lambda x, a: num.sigmoid(x[0]), lambda x, o, a: (o * (1.0 - o),),
      "σ({0})", ("{out} * (1 - {out})",),
      code=("sigmoid({0})", ("{out} * (1.0 - {out})",)))
_rule("relu", "ReLU", lambda x, a: 0.0 if x[0] <= 0.0 else x[0],  # nan stays nan, as in torch
      lambda x, o, a: (0.0,) if x[0] <= 0.0 else (1.0,),  # constant tuples: no allocation
      "max({0}, 0)", ("1 if {0} > 0 else 0",), kinks=(0.0,),
      code=("(0.0 if {0} <= 0.0 else {0})", ("(0.0 if {0} <= 0.0 else 1.0)",)))
_rule("leaky_relu", "LeakyReLU({attr})",
      lambda x, s: x[0] if x[0] > 0.0 else s * x[0],
      lambda x, o, s: (1.0 if x[0] > 0.0 else s,),
      "{0} if {0} > 0 else {attr} * {0}", ("1 if {0} > 0 else {attr}",), kinks=(0.0,),
      attrs=(0.01, 0.2),
      code=("({0} if {0} > 0.0 else {attr} * {0})", ("(1.0 if {0} > 0.0 else {attr})",)))


def _gelu_local(x, out, a):
    v = x[0]
    return (num.normal_cdf(v) + (v * num.normal_pdf(v) if v > -40.0 else 0.0),)


_rule("gelu", "GELU", lambda x, a: v_times(x[0], num.normal_cdf(x[0])), _gelu_local,
      "{0} * Φ({0})", ("Φ({0}) + {0} * φ({0})",))


def v_times(x: float, y: float) -> float:
    """``x * y`` that treats ``0 * inf`` as 0 (the limit for GELU/SiLU tails)."""
    return 0.0 if y == 0.0 else x * y


def _gelu_tanh_parts(v):
    inner = num.SQRT_2_OVER_PI * (v + num.GELU_TANH_C * v * v * v)
    return math.tanh(inner)  # inner is ±inf for huge |v| (tanh gives ±1); nan only for nan


def _gelu_tanh_forward(x, a):
    t = _gelu_tanh_parts(x[0])
    return v_times(0.5 * x[0], 1.0 + t)


def _gelu_tanh_local(x, out, a):
    v = x[0]
    t = _gelu_tanh_parts(v)
    sech2 = 1.0 - t * t
    slope = 0.0
    if sech2 != 0.0:
        slope = 0.5 * v * sech2 * num.SQRT_2_OVER_PI * (1.0 + 3.0 * num.GELU_TANH_C * v * v)
    return (0.5 * (1.0 + t) + slope,)


_rule("gelu_tanh", "GELU(tanh)", _gelu_tanh_forward, _gelu_tanh_local,
      "0.5 * {0} * (1 + tanh(√(2/π) * ({0} + 0.044715 * {0}³)))",
      # spelled out in full: a "where t = ..." clause would read as t = (the value shown after it)
      ("0.5 * (1 + tanh(√(2/π) * ({0} + 0.044715 * {0}³))) + 0.5 * {0} * "
       "(1 - tanh(√(2/π) * ({0} + 0.044715 * {0}³))²) * √(2/π) * (1 + 3 * 0.044715 * {0}²)",))


def _silu_local(x, out, a):
    s = num.sigmoid(x[0])
    return (s * (1.0 + x[0] * (1.0 - s)) if s != 0.0 else 0.0,)


_rule("silu", "SiLU", lambda x, a: v_times(x[0], num.sigmoid(x[0])), _silu_local,
      "{0} * σ({0})", ("σ({0}) * (1 + {0} * (1 - σ({0})))",))
_rule("softplus", "softplus", lambda x, a: num.softplus(x[0]),
      lambda x, o, a: (num.sigmoid(x[0]),),
      "log(1 + exp({0}))", ("σ({0})",))

# --- n-ary nodes -----------------------------------------------------------------


def _sum_local(x, out, a):
    return (1.0,) * len(x)


_rule("sum", "Σ", lambda x, a: sum(x), _sum_local,
      lambda names, attr: " + ".join(names), lambda i, n: "1", arity=None,
      code=(lambda n: " + ".join("{%d}" % i for i in range(n)), lambda i, n: "1"))


def _dot_forward(x, a):
    n = len(x) // 2
    total = sum(map(operator.mul, x, x[n:2 * n]))  # map stops after the n pairs
    return total + x[-1] if len(x) % 2 else total


def _dot_local(x, out, a):
    n = len(x) // 2
    # d/dw_i (w·x + b) = x_i, d/dx_i = w_i, d/db = 1.
    return x[n:2 * n] + x[:n] + ((1.0,) if len(x) % 2 else ())


def _dot_expression(names, attr):
    n = len(names) // 2
    terms = " + ".join(f"{w}*{x}" for w, x in zip(names[:n], names[n:2 * n]))
    return terms + (f" + {names[-1]}" if len(names) % 2 else "")


def _dot_formula(i, total):
    n = total // 2
    if i == 2 * n:
        return "1"
    return "{%d}" % (i + n if i < n else i - n)


def _dot_code(n):
    pairs = " + ".join("{%d} * {%d}" % (i, i + n // 2) for i in range(n // 2))
    return pairs + (" + {%d}" % (n - 1) if n % 2 else "")


_rule("dot", "w·x", _dot_forward, _dot_local, _dot_expression, _dot_formula, arity=None,
      code=(_dot_code, _dot_formula))


# --- learner-defined ops ---------------------------------------------------------


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
    op = _register(Op(name, literal, fwd, loc, f"{name}({args})", tuple(formula),
                      arity=arity, domain=tuple(domain), kinks=tuple(kinks), builtin=False))

    def apply_op(*inputs):
        from .value import apply
        if len(inputs) != arity:
            raise TypeError(f"{name}() takes {arity} input(s), got {len(inputs)}")
        return apply(op, inputs)

    apply_op.__name__ = name
    apply_op.op = op
    return apply_op


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
    try:
        return float(out)
    except OverflowError:  # an int beyond float range: IEEE rounds it to ±inf
        return math.inf if out > 0 else -math.inf


def remove_op(name: str) -> None:
    """Take a learner-defined op out of the rule table (built-in ops stay)."""
    op = RULES.get(name)
    if op is None:
        raise KeyError(f"no op named {name!r}")
    if op.builtin:
        raise ValueError(f"{name!r} is a built-in op and cannot be removed")
    del RULES[name]
    delattr(Op, name.upper())
