"""Hostile inputs to the engine: every bad call gets a clear TypeError/ValueError, fast.

Each row of a table is one bad input: the call, the exception type it must raise and a
fragment of the message saying what was wrong or what was expected. A row fails if the
call succeeds (a silent wrong number), raises anything else (an AttributeError, KeyError,
OverflowError or RecursionError from deep inside) or takes longer than ``TIME_LIMIT``.
The nn library's table is ``tests/test_hostile_nn.py``; the expression parser, the CLI,
hostile labels, drawing, player and file options are ``tests/test_hostile_text.py``.
"""

from __future__ import annotations

import atexit
import math
import os
import re
import shutil
import tempfile
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine import Op, Value
from engine.draw import draw_dot
from engine.expr import parse_expression

TIME_LIMIT = 2.0  # seconds: a rejection must be quick, never a hang
NAN, INF = math.nan, math.inf


def expect(call, exc, fragment):
    """Run ``call``; it must raise ``exc`` with ``fragment`` in the message within TIME_LIMIT."""
    start = time.perf_counter()
    with pytest.raises(exc) as info:
        call()
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_LIMIT, f"took {elapsed:.2f}s to reject"
    assert type(info.value) not in (AttributeError, KeyError, IndexError, RecursionError,
                                    OverflowError, UnicodeError, ZeroDivisionError)
    assert re.search(fragment, str(info.value)), f"message {str(info.value)!r} lacks {fragment!r}"
    return info.value


def rows(table):
    return [pytest.param(call, exc, frag, id=name) for name, call, exc, frag in table]


v = Value(0.5, label="v")
JUNK = {"None": None, "str": "1", "complex": 1j, "list": [1.0], "dict": {}, "object": object()}
UNSUPPORTED = "unsupported operand|can't multiply sequence|can only concatenate"


def _binary(symbol):
    import operator
    return {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
            "**": operator.pow}[symbol]


OPERATORS = [(f"Value {s} {k}", (lambda f=_binary(s), x=x: f(v, x)), TypeError, UNSUPPORTED)
             for s in ("+", "-", "*", "/", "**") for k, x in JUNK.items()]
OPERATORS += [(f"{k} {s} Value", (lambda f=_binary(s), x=x: f(x, v)), TypeError, UNSUPPORTED)
              for s in ("+", "-", "*", "/", "**") for k, x in JUNK.items() if k != "list"]
OPERATORS += [(f"Value < {k}", (lambda x=x: v < x), TypeError, "not supported")
              for k, x in JUNK.items()]
OPERATORS += [  # operators a scalar autograd engine does not define: Python's own TypeError
    ("Value // 2", lambda: v // 2, TypeError, "unsupported operand type.*//"),
    ("Value % 2", lambda: v % 2, TypeError, "unsupported operand type.*%"),
    ("Value @ Value", lambda: v @ v, TypeError, "unsupported operand type.*@"),
    ("Value << 1", lambda: v << 1, TypeError, "unsupported operand type.*<<"),
    ("Value & 1", lambda: v & 1, TypeError, "unsupported operand type.*&"),
    ("divmod(Value, 2)", lambda: divmod(v, 2), TypeError, "unsupported operand type.*divmod"),
    ("~Value", lambda: ~v, TypeError, "bad operand type for unary ~"),
    ("pow(Value, 2, 3)", lambda: pow(v, 2, 3), TypeError, "unsupported operand type|pow"),
]

ENGINE = [
    ("Value(None)", lambda: Value(None), TypeError, "real number.*NoneType"),
    ("Value(str)", lambda: Value("1.5"), TypeError, "real number.*str"),
    ("Value(complex)", lambda: Value(1 + 2j), TypeError, "real number.*complex"),
    ("Value(list)", lambda: Value([1.0]), TypeError, "real number.*list"),
    ("Value(Value)", lambda: Value(Value(1.0)), TypeError, "plain number.*use its .data"),
    ("Value label int", lambda: Value(1.0, label=3), TypeError, "label must be a str"),
    ("leaky_relu slope str", lambda: v.leaky_relu("0.1"), TypeError, "slope must be a real"),
    ("leaky_relu slope complex", lambda: v.leaky_relu(1j), TypeError, "slope must be a real"),
    ("gelu approximate", lambda: v.gelu("erf"), ValueError, "'none' or 'tanh'.*'erf'"),
    ("sum(None)", lambda: engine.sum(None), TypeError, "iterable of Values or numbers"),
    ("sum(str)", lambda: engine.sum("ab"), TypeError, "iterable.*got str"),
    ("sum([None])", lambda: engine.sum([v, None]), TypeError, r"values\[1\].*NoneType"),
    ("dot lengths", lambda: engine.dot([v], [1.0, 2.0]), ValueError, "as many ws as xs.*1 ws and 2"),
    ("dot empty", lambda: engine.dot([], []), ValueError, "at least one"),
    ("dot junk x", lambda: engine.dot([v], ["x"]), TypeError, r"xs\[0\].*str"),
    ("dot junk bias", lambda: engine.dot([v], [v], "b"), TypeError, "bias.*str"),
    ("dot of Values", lambda: engine.dot(v, v), TypeError, "ws must be an iterable"),
    ("topological_order(None)", lambda: engine.topological_order(None), TypeError, "needs a Value"),
    ("backward(3)", lambda: engine.backward(3), TypeError, "needs a Value.*int"),
    ("backward_steps(None)", lambda: next(engine.backward_steps(None)), TypeError, "needs a Value"),
    ("apply name str", lambda: engine.apply("add", [1, 2]), TypeError, "Op.*str"),
    ("apply arity", lambda: engine.apply(Op.ADD, [1.0]), TypeError, "add takes 2 input"),
    ("apply junk input", lambda: engine.apply(Op.MUL, [v, None]), TypeError, "mul takes Values"),
    ("apply pow_const no attr", lambda: engine.apply(Op.POW_CONST, [v]), TypeError,
     "pow_const needs.*setting"),
    ("apply leaky no attr", lambda: engine.apply(Op.LEAKY_RELU, [v]), TypeError,
     "leaky_relu needs.*setting"),
    ("apply attr str", lambda: engine.apply(Op.POW_CONST, [v], "2"), TypeError, "setting.*real"),
    ("apply sum of nothing", lambda: engine.apply(Op.SUM, []), ValueError, "at least one input"),
    ("gradcheck fn", lambda: engine.gradcheck(3, [1.0]), TypeError, "function of Values"),
    ("gradcheck no inputs", lambda: engine.gradcheck(lambda: v, []), ValueError, "at least one"),
    ("gradcheck returns float", lambda: engine.gradcheck(lambda x: 1.0, [1.0]), TypeError,
     "must return a Value"),
    ("gradcheck input str", lambda: engine.gradcheck(lambda x: x, ["1"]), TypeError, "real number"),
    ("gradcheck eps 0", lambda: engine.gradcheck(lambda x: x * x, [1.0], eps=0), ValueError,
     "eps must be a positive finite number, got 0"),
    ("gradcheck eps nan", lambda: engine.gradcheck(lambda x: x * x, [1.0], eps=NAN), ValueError,
     "eps must be a positive finite number"),
    ("gradcheck atol str", lambda: engine.gradcheck(lambda x: x * x, [1.0], atol="a"), TypeError,
     "atol must be a real number"),
    ("gradcheck rtol -1", lambda: engine.gradcheck(lambda x: x * x, [1.0], rtol=-1), ValueError,
     "rtol must be a finite number >= 0"),
    ("define_op symbol int", lambda: engine.define_op("zz", forward=abs, local=abs, symbol=3),
     TypeError, "symbol must be a str"),
    ("define_op symbol list", lambda: engine.define_op("zz", forward=abs, local=abs, symbol=["x"]),
     TypeError, "symbol must be a str"),
    ("define_op kinks int", lambda: engine.define_op("zz", forward=abs, local=abs, kinks=5),
     TypeError, "kinks must be a sequence of numbers"),
    ("define_op domain str", lambda: engine.define_op("zz", forward=abs, local=abs, domain="ab"),
     ValueError, r"domain must be a pair \(lo, hi\) of numbers with lo < hi"),
    ("define_op domain reversed", lambda: engine.define_op("zz", forward=abs, local=abs,
                                                           domain=(3, 1)), ValueError, "lo < hi"),
    ("trace fn", lambda: engine.trace(3, 1.0), TypeError, "trace needs a function"),
    ("trace returns float", lambda: engine.trace(lambda x: 1.0, 1.0), TypeError, "must return a Value"),
    ("trace input str", lambda: engine.trace(lambda x: x, "a"), TypeError, "trace inputs must be"),
    ("trace replay count", lambda: engine.trace(lambda x, y: x * y, 1.0, 2.0)(1.0), ValueError,
     "traced layout"),
    ("trace replay None", lambda: engine.trace(lambda x: x * 2, 1.0)(None), TypeError,
     "replay inputs must be numbers"),
    ("trace replay branch", lambda: engine.trace(lambda x: x if x > 0 else -x, 1.0)(-1.0),
     engine.TraceError, "another branch"),
    ("define_op name", lambda: engine.define_op("1x", forward=abs, local=abs), ValueError,
     "identifier"),
    ("define_op taken", lambda: engine.define_op("add", forward=abs, local=abs), ValueError,
     "already defined"),
    ("define_op forward", lambda: engine.define_op("zz", forward=1, local=abs), TypeError,
     "callables"),
    ("define_op arity", lambda: engine.define_op("zz", forward=abs, local=abs, arity=0),
     ValueError, "positive int"),
    ("remove builtin", lambda: engine.remove_op("add"), ValueError, "built-in"),
]


def _learner_op(name, forward, local=lambda x, out: (1.0,)):
    """Apply a throwaway learner op to ``v`` (removed again afterwards)."""
    def call():
        f = engine.define_op(name, forward=forward, local=local)
        try:
            return f(v)
        finally:
            engine.remove_op(name)
    return call


ENGINE += [
    ("learner forward str", _learner_op("h_str", lambda x: "s"), TypeError,
     "forward of .h_str. must return a real number, got str"),
    ("learner forward complex", _learner_op("h_cx", lambda x: 1j), TypeError,
     "forward of .h_cx. must return a real number, got complex"),
    ("learner local count", _learner_op("h_loc", lambda x: x, lambda x, o: (1.0, 2.0)), ValueError,
     "must give 1 number"),
    ("learner divides by zero", _learner_op("h_div", lambda x: 1.0 / (x - x)), ValueError,
     "forward of 'h_div' raised ZeroDivisionError.*inf/nan instead"),
    ("learner local divides by zero", _learner_op("h_ldiv", lambda x: x, lambda x, o: (1 / (o - o),)),
     ValueError, "local of 'h_ldiv' raised ZeroDivisionError"),
]

HUGE = 10 ** 400  # an int no float can hold: IEEE rounds it to inf, never OverflowError


def _vectorised(fn):
    pytest.importorskip("numpy")
    return engine.trace(fn, 1.0).vectorised()


@pytest.mark.parametrize("call, expected", [
    pytest.param(lambda: Value(HUGE).data, INF, id="Value(10**400)"),
    pytest.param(lambda: Value(-HUGE).data, -INF, id="Value(-10**400)"),
    pytest.param(lambda: (v + HUGE).data, INF, id="v + 10**400"),
    pytest.param(lambda: (HUGE * v).data, INF, id="10**400 * v"),
    pytest.param(lambda: (v ** HUGE).data, 0.0, id="0.5 ** 10**400"),
    pytest.param(lambda: (2 ** Value(HUGE)).data, INF, id="2 ** Value(10**400)"),
    pytest.param(lambda: v < HUGE, True, id="v < 10**400"),
    pytest.param(lambda: engine.trace(lambda x: x * 2, 1.0)(HUGE), INF, id="trace replay 10**400"),
    pytest.param(lambda: _learner_op("h_big", lambda x: -HUGE)().data, -INF, id="learner op gives -10**400"),
    pytest.param(lambda: engine.trace(lambda x: x if x < HUGE else -x, 1.0)(2.0), 2.0,
                 id="trace of x < 10**400"),
    pytest.param(lambda: _vectorised(lambda x: x if x > -HUGE else -x)(2.0), 2.0,
                 id="vectorised trace of x > -10**400"),
])
def test_integers_too_big_for_a_float_round_to_inf(call, expected):
    assert call() == expected


def test_an_op_the_forward_of_which_overflows_gives_a_clear_error_or_inf():
    # A learner's forward that raises OverflowError (math.exp) is their bug, but the
    # engine must name the op instead of letting a bare "math range error" out.
    f = engine.define_op("h_ovf", forward=math.exp, local=lambda x, out: (out,))
    try:
        expect(lambda: f(Value(1000.0)), ValueError, "forward of .h_ovf. raised OverflowError")
    finally:
        engine.remove_op("h_ovf")


@pytest.mark.parametrize("call, exc, fragment", rows(OPERATORS + ENGINE))
def test_engine_rejects(call, exc, fragment):
    expect(call, exc, fragment)


# --- junk arguments, generated: only TypeError/ValueError/OSError (or success) may come out -----

JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.integers() | st.floats() | st.text(max_size=4)
    | st.just(1j) | st.just(10 ** 400) | st.floats(-3, 3).map(Value) | st.just(object()),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=6)
_A = Value(1.0, label="a")
_ROOT = (_A * 2).tanh()


_TMP = tempfile.mkdtemp(prefix="hostile-")
atexit.register(shutil.rmtree, _TMP, True)


def _in_tmp(path):
    """A string path becomes one file name in a scratch folder (no '/', so no '..' or absolute
    path can leave it); other junk stays junk."""
    return os.path.join(_TMP, "p_" + path.replace(os.sep, "_")) if isinstance(path, str) else path


def _define_and_remove(**kwargs):
    try:
        engine.define_op("junk_op", forward=lambda x: x, local=lambda x, out: (1.0,), **kwargs)
    finally:
        if "junk_op" in engine.RULES:
            engine.remove_op("junk_op")


TARGETS = {
    "draw_dot options": lambda x, y: draw_dot(_ROOT, rankdir=x, precision=y),
    "draw_dot limits": lambda x, y: draw_dot(_ROOT, max_nodes=x, highlight=y),
    "draw_dot root": lambda x, y: draw_dot(x),
    "save_player": lambda x, y: engine.save_player(_ROOT, _in_tmp(x), title=y),
    "parse_expression": lambda x, y: parse_expression(x, y),
    "parse_expression values": lambda x, y: parse_expression("a * 2", {"a": x}),
    "trace inputs": lambda x, y: engine.trace(lambda *v: Value(1.0) + 0, x, y),
    "trace replay": lambda x, y: engine.trace(lambda p, q: p * q, 1.0, 2.0)(x, y),
    "gradcheck options": lambda x, y: engine.gradcheck(lambda v: v * v, [1.0], eps=x, atol=y),
    "define_op symbol/formula": lambda x, y: _define_and_remove(symbol=x, formula=y),
    "define_op domain/kinks": lambda x, y: _define_and_remove(domain=x, kinks=y),
    "leaky_relu slope": lambda x, y: _A.leaky_relu(x),
    "gelu approximate": lambda x, y: _A.gelu(x),
    "apply setting": lambda x, y: engine.apply(Op.POW_CONST, [_A], x),
    "topological_order": lambda x, y: engine.topological_order(x),
}


@pytest.mark.parametrize("name", sorted(TARGETS))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=JUNK, y=JUNK)
def test_junk_arguments_raise_only_type_value_or_os_errors(name, x, y):
    try:
        TARGETS[name](x, y)
    except (TypeError, ValueError, OSError):
        pass
    assert "junk_op" not in engine.RULES



def test_generated_code_with_a_quote_comment_or_escape_is_never_run():
    from engine.evaluators import run_generated
    namespace = {}
    for source in ['x = "text"\n', "x = 1  # note\n", "x = 1; y = 2\n", "x = '\\x41'\n", "@f\ndef g(): pass\n"]:
        with pytest.raises(ValueError, match="refusing to run generated code"):
            run_generated(source, "<test>", namespace)
    assert "x" not in namespace
    run_generated("x = (1.5 * 2.0)\n", "<test>", namespace)
    assert namespace["x"] == 3.0
