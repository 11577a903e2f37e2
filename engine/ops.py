"""The rule table: everything the engine knows about each operation, in one place.

Each op is an :class:`Op` (see :mod:`engine.op`): its maths, written once over
a number interface ``F``, the symbol drawn in diagrams and the formula text shown
when stepping (checked against the maths by a property test).

Formula templates use ``{0}``, ``{1}``, ... for the names of the inputs,
``{out}`` for the output and ``{attr}`` for the op's setting (the exponent of
``x ** c``, the slope of leaky ReLU).

The class :class:`Op` and the table :data:`RULES` are defined in
:mod:`engine.op`; this module defines the built-in ops and is the one to
import ``Op``, ``RULES`` and ``register`` from (importing it fills the table).

>>> RULES["tanh"].symbol
'tanh'
>>> RULES["mul"].describe_local(0, ["a", "b"], "out")
'b'
>>> RULES["tanh"].local((0.5,), 0.25, None)  # the float evaluator: 1 - out²
(0.9375,)
>>> RULES["tanh"].code_local(["x"], "y")     # the code-text evaluator, same maths
['(1.0 - (y * y))']
"""

from __future__ import annotations

import operator
from typing import Any

from . import numeric as num
from .op import RULES, Expression, Formula, Maths, Op, register


def _rule(name: str, symbol: str, forward: Maths, local: Maths, expression: Expression,
          formula: Formula, **kw: Any) -> Op:
    return register(Op(name, symbol, forward, local, expression, formula, **kw))


# --- arithmetic -----------------------------------------------------------------

ADD = _rule("add", "+", lambda F, x, a: x[0] + x[1], lambda F, x, o, a: (1.0, 1.0),
            "{0} + {1}", ("1", "1"), arity=2, commutative=True)
SUB = _rule("sub", "-", lambda F, x, a: x[0] - x[1], lambda F, x, o, a: (1.0, -1.0),
            "{0} - {1}", ("1", "-1"), arity=2)
MUL = _rule("mul", "*", lambda F, x, a: x[0] * x[1], lambda F, x, o, a: (x[1], x[0]),
            "{0} * {1}", ("{1}", "{0}"), arity=2, commutative=True)
DIV = _rule("div", "/", lambda F, x, a: F.div(x[0], x[1]),
            lambda F, x, o, a: (F.div(1.0, x[1]), -F.div(o, x[1])),
            "{0} / {1}", ("1 / {1}", "-{out} / {1}"), arity=2, domain=(0.2, 3.0))
NEG = _rule("neg", "neg", lambda F, x, a: -x[0], lambda F, x, o, a: (-1.0,), "-{0}", ("-1",))

# d/dx x**c = c x**(c-1), defined as 0 when c == 0 (even at x == 0), as PyTorch does.
POW_CONST = _rule(
    "pow_const", "** {attr}", lambda F, x, c: F.power(x[0], c),
    lambda F, x, o, c: (F.where(F.eq(c, 0.0), 0.0, c * F.power(x[0], c - 1.0)),),
    "{0} ** {attr}", ("{attr} * {0} ** ({attr} - 1)",), domain=(0.2, 3.0),
    attrs=(2.0, 3.0, -1.0, 0.5, -2.5))
# d/dx c**x = c**x ln c; 0 where the base is 0 and x >= 0 (flat there), as PyTorch does.
CONST_POW = _rule(
    "const_pow", "{attr} **", lambda F, x, c: F.power(c, x[0]),
    lambda F, x, o, c: (F.where(F.and_(F.eq(c, 0.0), x[0] >= 0.0), 0.0, o * F.log(c)),),
    "{attr} ** {0}", ("{out} * ln({attr})",), attrs=(2.0, 0.5, 10.0))
POW = _rule(
    "pow", "**", lambda F, x, a: F.power(x[0], x[1]),
    lambda F, x, o, a: (F.where(F.eq(x[1], 0.0), 0.0, x[1] * F.power(x[0], x[1] - 1.0)),
                        F.where(F.and_(F.eq(x[0], 0.0), x[1] >= 0.0), 0.0, o * F.log(x[0]))),
    "{0} ** {1}", ("{1} * {0} ** ({1} - 1)", "{out} * ln({0})"), arity=2, domain=(0.2, 3.0))

# --- elementary functions --------------------------------------------------------

EXP = _rule("exp", "exp", lambda F, x, a: F.exp(x[0]), lambda F, x, o, a: (o,),
            "exp({0})", ("exp({0}) = {out}",))
LOG = _rule("log", "log", lambda F, x, a: F.log(x[0]), lambda F, x, o, a: (F.div(1.0, x[0]),),
            "log({0})", ("1 / {0}",), domain=(0.1, 5.0))
SQRT = _rule("sqrt", "sqrt", lambda F, x, a: F.sqrt(x[0]), lambda F, x, o, a: (F.div(0.5, o),),
             "sqrt({0})", ("1 / (2 * {out})",), domain=(0.1, 5.0))
ABS = _rule("abs", "abs", lambda F, x, a: F.abs(x[0]),
            lambda F, x, o, a: (F.where(x[0] > 0.0, 1.0, F.where(x[0] < 0.0, -1.0, 0.0)),),
            "|{0}|", ("sign({0})",), kinks=(0.0,))
ERF = _rule("erf", "erf", lambda F, x, a: F.erf(x[0]),
            lambda F, x, o, a: (num.TWO_OVER_SQRT_PI * F.exp(-(x[0] * x[0])),),
            "erf({0})", ("2/√π * exp(-{0}²)",))

# --- activations -----------------------------------------------------------------

# relu(-0.0) is -0.0 and relu(nan) is nan, as in PyTorch (and micrograd's `0 if x < 0 else x`)
RELU = _rule("relu", "ReLU", lambda F, x, a: F.where(x[0] < 0.0, 0.0, x[0]),
             lambda F, x, o, a: (F.where(x[0] <= 0.0, 0.0, 1.0),),
             "max({0}, 0)", ("1 if {0} > 0 else 0",), kinks=(0.0,), activation="relu-like",
             torch_module=lambda nn: nn.ReLU())
LEAKY_RELU = _rule("leaky_relu", "LeakyReLU({attr})",
                   lambda F, x, s: F.where(x[0] > 0.0, x[0], s * x[0]),
                   lambda F, x, o, s: (F.where(x[0] > 0.0, 1.0, s),),
                   "{0} if {0} > 0 else {attr} * {0}", ("1 if {0} > 0 else {attr}",),
                   kinks=(0.0,), attrs=(0.01, 0.2), activation="relu-like",
                   torch_module=lambda nn: nn.LeakyReLU(LEAKY_RELU_SLOPE))


TANH = _rule("tanh", "tanh", lambda F, x, a: F.tanh(x[0]), lambda F, x, o, a: (1.0 - o * o,),
             "tanh({0})", ("1 - {out}²",), activation="saturating",
             torch_module=lambda nn: nn.Tanh())
SIGMOID = _rule("sigmoid", "σ", lambda F, x, a: F.sigmoid(x[0]),
                lambda F, x, o, a: (o * (1.0 - o),), "σ({0})", ("{out} * (1 - {out})",),
                activation="saturating", torch_module=lambda nn: nn.Sigmoid())
LEAKY_RELU_SLOPE = 0.01
"""Slope of leaky ReLU for negative inputs when none is given (PyTorch's default)."""


def _times(F, x, y):
    """``x * y``, with ``-inf * 0`` taken as its limit -0 (GELU's and SiLU's left tails)."""
    return F.where(F.eq(y, 0.0), F.where(x < 0.0, -0.0, 0.0), x * y)


def _normal_cdf(F, v):
    return 0.5 * (1.0 + F.erf(v * num.INV_SQRT_2))


GELU = _rule("gelu", "GELU", lambda F, x, a: _times(F, x[0], _normal_cdf(F, x[0])),
             lambda F, x, o, a: (_normal_cdf(F, x[0]) + F.where(
                 x[0] > -40.0, x[0] * (num.INV_SQRT_2PI * F.exp(-0.5 * x[0] * x[0])), 0.0),),
             "{0} * Φ({0})", ("Φ({0}) + {0} * φ({0})",), activation="relu-like",
             torch_module=lambda nn: nn.GELU())


def _gelu_tanh_t(F, v):
    # inner is ±inf for huge |v| (tanh gives ±1); nan only for nan
    return F.tanh(num.SQRT_2_OVER_PI * (v + num.GELU_TANH_C * v * v * v))


def _gelu_tanh_local(F, x, o, a):
    v = x[0]
    t = _gelu_tanh_t(F, v)
    sech2 = 1.0 - t * t
    slope = F.where(F.ne(sech2, 0.0), 0.5 * v * sech2 * num.SQRT_2_OVER_PI
                    * (1.0 + 3.0 * num.GELU_TANH_C * v * v), 0.0)
    return (0.5 * (1.0 + t) + slope,)


GELU_TANH = _rule(
    "gelu_tanh", "GELU(tanh)",
    lambda F, x, a: _times(F, 0.5 * x[0], 1.0 + _gelu_tanh_t(F, x[0])), _gelu_tanh_local,
    "0.5 * {0} * (1 + tanh(√(2/π) * ({0} + 0.044715 * {0}³)))",
    # spelled out in full: a "where t = ..." clause would read as t = (the value shown after it)
    ("0.5 * (1 + tanh(√(2/π) * ({0} + 0.044715 * {0}³))) + 0.5 * {0} * "
     "(1 - tanh(√(2/π) * ({0} + 0.044715 * {0}³))²) * √(2/π) * (1 + 3 * 0.044715 * {0}²)",),
    activation="relu-like", torch_module=lambda nn: nn.GELU(approximate="tanh"))


def _silu_local(F, x, o, a):
    s = F.sigmoid(x[0])
    return (F.where(F.ne(s, 0.0), s * (1.0 + x[0] * (1.0 - s)), 0.0),)


SILU = _rule("silu", "SiLU", lambda F, x, a: _times(F, x[0], F.sigmoid(x[0])), _silu_local,
             "{0} * σ({0})", ("σ({0}) * (1 + {0} * (1 - σ({0})))",), activation="relu-like",
             torch_module=lambda nn: nn.SiLU())
SOFTPLUS = _rule("softplus", "softplus", lambda F, x, a: F.softplus(x[0]),
                 lambda F, x, o, a: (F.sigmoid(x[0]),), "log(1 + exp({0}))", ("σ({0})",),
                 activation="relu-like")  # nn.to_torch builds an exact softplus module

# --- binary cross-entropy, one fused node ------------------------------------------
#
# Built from log nodes, BCE would have local derivative 1/p = inf at p == 0, and the
# chain rule would multiply it by a zero upstream into nan. PyTorch fuses it into one
# op whose derivative is (p - y) / max(p(1 - p), eps), with log clamped at -100.

LOG_CLAMP = -100.0
"""PyTorch clamps BCE's logarithms at -100, so a wrong certain answer costs 100, not inf."""
BCE_GRAD_EPS = 9.999999960041972e-13
"""PyTorch's floor for ``p (1 - p)`` in BCE's gradient (1e-12 rounded through float32)."""


def _bce_logs(F, p):
    return F.maximum(F.log(p), LOG_CLAMP), F.maximum(F.log1p(-p), LOG_CLAMP)


def _bce_forward(F, x, a):
    p, y = x
    log_p, log_q = _bce_logs(F, p)
    return (y - 1.0) * log_q - y * log_p  # PyTorch's order of operations: the same zeros' signs


def _bce_local(F, x, o, a):
    p, y = x
    log_p, log_q = _bce_logs(F, p)
    return (F.div(p - y, F.maximum(p * (1.0 - p), BCE_GRAD_EPS)), log_q - log_p)


BCE = _rule("bce", "BCE", _bce_forward, _bce_local,
            "-({1} * log({0}) + (1 - {1}) * log(1 - {0}))",
            ("({0} - {1}) / ({0} * (1 - {0}))", "log(1 - {0}) - log({0})"),
            arity=2, domain=(0.05, 0.95))

# --- n-ary nodes -----------------------------------------------------------------

SUM = _rule("sum", "Σ", lambda F, x, a: F.sum(x), lambda F, x, o, a: (1.0,) * len(x),
            lambda names, attr: " + ".join(names), lambda i, n: "1", arity=None,
            commutative=True)


def _dot_forward(F, x, a):
    n = len(x) // 2
    total = F.sum(map(operator.mul, x, x[n:2 * n]))  # map stops after the n pairs
    return total + x[-1] if len(x) % 2 else total


def _dot_local(F, x, o, a):
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


DOT = _rule("dot", "w·x", _dot_forward, _dot_local, _dot_expression, _dot_formula, arity=None)


# --- nodes made by learner-written closures (micrograd's style) --------------------


def _closure_maths(*args):
    raise TypeError("a node made as Value(data, _children, _op) has no rule in the table: "
                    "its _backward closure is all the engine knows of it")


CLOSURE = Op("closure", "{attr}", _closure_maths, _closure_maths, "{attr}(…)", (), arity=None,
             builtin=False, forward=_closure_maths, local=_closure_maths)
"""The op of nodes made with micrograd's constructor, ``Value(data, _children, _op)``.

It is not in :data:`RULES`: backward calls the node's own ``_backward`` closure.
"""

for _op in RULES.values():
    setattr(Op, _op.name.upper(), _op)
