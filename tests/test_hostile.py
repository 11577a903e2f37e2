"""Hostile inputs across the public API: every bad call gets a clear TypeError/ValueError, fast.

Each row of a table is one bad input: the call, the exception type it must raise and a
fragment of the message saying what was wrong or what was expected. A row fails if the
call succeeds (a silent wrong number), raises anything else (an AttributeError, KeyError,
OverflowError or RecursionError from deep inside) or takes longer than ``TIME_LIMIT``.
The expression parser, the CLI and hostile labels live in ``tests/test_hostile_text.py``.
"""

from __future__ import annotations

import math
import random
import re
import time

import pytest

import engine
import nn
from engine import Op, Value
from nn import losses as L

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


@pytest.mark.parametrize("call, expected", [
    pytest.param(lambda: Value(HUGE).data, INF, id="Value(10**400)"),
    pytest.param(lambda: Value(-HUGE).data, -INF, id="Value(-10**400)"),
    pytest.param(lambda: (v + HUGE).data, INF, id="v + 10**400"),
    pytest.param(lambda: (HUGE * v).data, INF, id="10**400 * v"),
    pytest.param(lambda: (v ** HUGE).data, 0.0, id="0.5 ** 10**400"),
    pytest.param(lambda: (2 ** Value(HUGE)).data, INF, id="2 ** Value(10**400)"),
    pytest.param(lambda: v < HUGE, True, id="v < 10**400"),
    pytest.param(lambda: engine.trace(lambda x: x * 2, 1.0)(HUGE), INF, id="trace replay 10**400"),
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


MODEL = nn.MLP(2, [3, 1], seed=0)
MODEL3 = nn.MLP(2, [3, 3], seed=0)
NEURON = nn.Neuron(2, seed=0)
X2, Y2 = nn.make_moons(8)

NN = [
    (f"{cls.__name__}(nin={n!r})", (lambda cls=cls, n=n: cls(n, *extra)), ValueError,
     "nin must be a positive int") for cls, extra in ((nn.Neuron, ()), (nn.Layer, (2,)),
                                                      (nn.MLP, ([1],)))
    for n in (0, -1, 2.0, True, None, "2")
] + [
    ("Layer(nout=0)", lambda: nn.Layer(2, 0), ValueError, "nout must be a positive int"),
    ("Layer(nout=-3)", lambda: nn.Layer(2, -3), ValueError, "nout must be a positive int"),
    ("MLP nouts []", lambda: nn.MLP(2, []), ValueError, "non-empty list of layer widths"),
    ("MLP nouts int", lambda: nn.MLP(2, 3), ValueError, "non-empty list of layer widths"),
    ("MLP nouts str", lambda: nn.MLP(2, "16"), ValueError, "non-empty list of layer widths"),
    ("MLP width 0", lambda: nn.MLP(2, [4, 0]), ValueError, r"nouts\[1\] must be a positive"),
    ("MLP width -1", lambda: nn.MLP(2, [-1]), ValueError, r"nouts\[0\] must be a positive"),
    ("MLP width float", lambda: nn.MLP(2, [2.5]), ValueError, r"nouts\[0\].*2.5"),
    ("unknown activation", lambda: nn.Neuron(2, "swish"), ValueError,
     "unknown activation 'swish'; valid names: linear"),
    ("unknown hidden activation, one layer", lambda: nn.MLP(2, [1], activation="Relu"),
     ValueError, "unknown activation 'Relu'"),
    ("unknown output activation", lambda: nn.MLP(2, [1], output_activation="softmax"),
     ValueError, "unknown activation 'softmax'"),
    ("activation None", lambda: nn.Neuron(2, None), TypeError, "activation must be a name"),
    ("activation returns float", lambda: nn.Neuron(2, lambda x: 1.0), TypeError,
     "must return a Value"),
    ("unknown init", lambda: nn.Neuron(2, init="glorot"), ValueError,
     "unknown init 'glorot'; valid names: zeros"),
    ("init int", lambda: nn.Neuron(2, init=3), TypeError, "init must be a scheme name"),
    ("init gives str", lambda: nn.Neuron(2, init=lambda a, b, r: "x"), TypeError,
     "init.*must be a number.*str"),
    ("init gives nan", lambda: nn.Neuron(2, init=lambda a, b, r: NAN), ValueError,
     "init.*not finite"),
    ("init_value unknown", lambda: nn.init_value("he", 1, 1, random.Random(0)), ValueError,
     "unknown init 'he'"),
    ("init_value fan_in 0", lambda: nn.init_value("uniform", 0, 1, random.Random(0)), ValueError,
     "fan_in must be a positive int"),
    ("bias=1", lambda: nn.Neuron(2, bias=1), TypeError, "bias must be True or False"),
    ("seed str", lambda: nn.Neuron(2, seed="a"), TypeError, "seed must be an int"),
    ("rng int", lambda: nn.Neuron(2, rng=3), TypeError, "rng must be a random.Random"),
    ("seed and rng", lambda: nn.Neuron(2, seed=1, rng=random.Random(1)), ValueError, "either"),
    ("too few inputs", lambda: NEURON([1.0]), ValueError, "expected 2 inputs, got 1"),
    ("too many inputs", lambda: MODEL([1.0, 2.0, 3.0]), ValueError, "expected 2 inputs, got 3"),
    ("empty input", lambda: MODEL([]), ValueError, "expected 2 inputs, got 0"),
    ("input None", lambda: MODEL(None), TypeError, "list of 2 numbers or Values.*NoneType"),
    ("input int", lambda: NEURON(3), TypeError, "list of 2 numbers"),
    ("input generator", lambda: MODEL(x for x in (1, 2)), TypeError, "generator"),
    ("input dict", lambda: MODEL({"a": 1.0, "b": 2.0}), TypeError, "dict"),
    ("input str", lambda: NEURON("ab"), TypeError, "input 0 must be a number.*str"),
    ("input item None", lambda: MODEL([None, 1.0]), TypeError, "input 0 must be a number.*None"),
    ("input item complex", lambda: MODEL([1.0, 1j]), TypeError, "input 1 must be a number.*complex"),
    ("state_dict None", lambda: MODEL.load_state_dict(None), TypeError, "dict of name -> number"),
    ("state_dict empty", lambda: MODEL.load_state_dict({}), ValueError, "missing 'layers.0"),
    ("state_dict nan", lambda: MODEL.load_state_dict({**MODEL.state_dict(),
                                                      "layers.0.neurons.0.b": NAN}),
     ValueError, "'layers.0.neurons.0.b' is not finite"),
    ("state_dict str", lambda: MODEL.load_state_dict({**MODEL.state_dict(),
                                                      "layers.0.neurons.0.b": "0"}),
     TypeError, "'layers.0.neurons.0.b' must be a number"),
    ("state_dict extra", lambda: MODEL.load_state_dict({**MODEL.state_dict(), "bogus": 1.0}),
     ValueError, "unexpected 'bogus'"),
    ("Perceptron nin 0", lambda: nn.Perceptron(0), ValueError, "nin must be a positive int"),
    ("Perceptron lr 0", lambda: nn.Perceptron(2, lr=0), ValueError, "lr must be positive"),
    ("Perceptron lr nan", lambda: nn.Perceptron(2, lr=NAN), ValueError, "finite number"),
    ("Perceptron labels", lambda: nn.Perceptron(2).fit([[0, 0]], [2]), ValueError, "0 or 1"),
    ("Perceptron empty", lambda: nn.Perceptron(2).fit([], []), ValueError, "at least one"),
    ("Perceptron epochs", lambda: nn.Perceptron(2).fit([[0, 0]], [0], epochs=0), ValueError,
     "epochs must be a positive int"),
    ("Perceptron nan input", lambda: nn.Perceptron(2).predict([NAN, 1]), ValueError,
     "input 0 must be a finite number"),
    ("Perceptron input None", lambda: nn.Perceptron(2).predict(None), TypeError, "list of 2"),
]

LOSS_FUNCTIONS = [L.mse_loss, L.binary_cross_entropy, L.binary_cross_entropy_with_logits,
                  L.hinge_loss]
LOSSES = [
    row for fn in LOSS_FUNCTIONS for row in [
        (f"{fn.__name__} empty batch", lambda fn=fn: fn([], []), ValueError,
         "at least one.*empty batch"),
        (f"{fn.__name__} None preds", lambda fn=fn: fn(None, 1), TypeError, "got NoneType"),
        (f"{fn.__name__} None targets", lambda fn=fn: fn(v, None), TypeError, "targets|labels"),
        (f"{fn.__name__} lengths", lambda fn=fn: fn([v], [1, 1]), ValueError, "same length"),
        (f"{fn.__name__} one pred, two targets", lambda fn=fn: fn(v, [1, 1]), ValueError,
         "single.*give one per"),
        (f"{fn.__name__} complex", lambda fn=fn: fn(1j, 1), TypeError, "complex"),
        (f"{fn.__name__} str targets", lambda fn=fn: fn([v], ["1"]), TypeError, r"\[0\].*str"),
        (f"{fn.__name__} nested", lambda fn=fn: fn([[v]], [1]), TypeError, r"\[0\].*list"),
        (f"{fn.__name__} reduction", lambda fn=fn: fn(v, 1, reduction="avg"), ValueError,
         "reduction must be one of mean, sum, none"),
    ]
] + [
    ("bce p > 1", lambda: L.binary_cross_entropy(1.5, 1), ValueError, r"in \[0, 1\].*sigmoid"),
    ("bce p nan", lambda: L.binary_cross_entropy(NAN, 1), ValueError, r"in \[0, 1\], got nan"),
    ("bce target 2", lambda: L.binary_cross_entropy(v, 2), ValueError, "probability in"),
    ("bce target nan", lambda: L.binary_cross_entropy_with_logits(v, NAN), ValueError,
     "probability in"),
    ("bce target Value", lambda: L.binary_cross_entropy(v, Value(1.0)), TypeError, "plain number"),
    ("hinge 0/1 label", lambda: L.hinge_loss(v, 0), ValueError, "\\+1 or -1.*not 0/1"),
    ("hinge nan label", lambda: L.hinge_loss(v, NAN), ValueError, "\\+1 or -1"),
    ("ce class too big", lambda: L.cross_entropy([1.0, 2.0], 2), ValueError,
     "2, out of range for 2 classes.*0..1"),
    ("ce class negative", lambda: L.cross_entropy([1.0, 2.0], -1), ValueError, "out of range"),
    ("ce batch class", lambda: L.cross_entropy([[1.0, 2.0]] * 2, [0, 5]), ValueError,
     r"targets\[1\] is 5, out of range"),
    ("ce float class", lambda: L.cross_entropy([1.0, 2.0], 1.0), TypeError, "int class index"),
    ("ce bool class", lambda: L.cross_entropy([1.0, 2.0], True), TypeError, "int class index"),
    ("ce None class", lambda: L.cross_entropy([1.0, 2.0], None), TypeError, "int class index"),
    ("ce empty", lambda: L.cross_entropy([], 0), ValueError, "at least one sample"),
    ("ce empty row", lambda: L.cross_entropy([[1.0], []], [0, 0]), ValueError, "is empty"),
    ("ce ragged", lambda: L.cross_entropy([[1.0, 2.0], [1.0]], [0, 0]), ValueError,
     "same number"),
    ("ce rows vs targets", lambda: L.cross_entropy([[1.0, 2.0]], [0, 1]), ValueError,
     "same length"),
    ("ce batch, one target", lambda: L.cross_entropy([[1.0, 2.0]], 0), ValueError,
     "single target"),
    ("ce None logit", lambda: L.cross_entropy([None, 1.0], 0), TypeError,
     r"logits\[0\] must be a Value or a real number"),
    ("ce None logit in batch", lambda: L.cross_entropy([[None, 1.0]], [0]), TypeError,
     r"logits\[0\]\[0\].*NoneType"),
    ("softmax empty", lambda: L.softmax([]), ValueError, "empty"),
    ("softmax None", lambda: L.softmax(None), TypeError, "list of logits"),
    ("log_softmax int", lambda: L.log_softmax(3), TypeError, "list of logits"),
]

w = Value(1.0, label="w")
OPTIM = [
    row for cls in (nn.SGD, nn.Adam, nn.AdamW) for row in [
        (f"{cls.__name__} no params", lambda c=cls: c([], lr=0.1), ValueError, "empty parameter"),
        (f"{cls.__name__} None", lambda c=cls: c(None, lr=0.1), TypeError, "iterable of Values"),
        (f"{cls.__name__} model", lambda c=cls: c(MODEL, lr=0.1), TypeError,
         r"call model.parameters\(\)"),
        (f"{cls.__name__} float param", lambda c=cls: c([1.0], lr=0.1), TypeError, "must be a Value"),
        (f"{cls.__name__} twice", lambda c=cls: c([w, w], lr=0.1), ValueError, "appears twice"),
        (f"{cls.__name__} non-leaf", lambda c=cls: c([w * 2], lr=0.1), ValueError, "only leaf"),
        (f"{cls.__name__} lr -1", lambda c=cls: c([w], lr=-1), ValueError, "invalid lr -1.0"),
        (f"{cls.__name__} lr nan", lambda c=cls: c([w], lr=NAN), ValueError, "invalid lr nan"),
        (f"{cls.__name__} lr inf", lambda c=cls: c([w], lr=INF), ValueError, "invalid lr inf"),
        (f"{cls.__name__} lr str", lambda c=cls: c([w], lr="0.1"), TypeError, "lr must be a real"),
        (f"{cls.__name__} lr complex", lambda c=cls: c([w], lr=1j), TypeError, "lr must be a real"),
        (f"{cls.__name__} decay -1", lambda c=cls: c([w], lr=0.1, weight_decay=-1), ValueError,
         "invalid weight_decay"),
    ]
] + [
    ("SGD momentum -1", lambda: nn.SGD([w], lr=0.1, momentum=-1), ValueError, "invalid momentum"),
    ("SGD nesterov", lambda: nn.SGD([w], lr=0.1, nesterov=True), ValueError, "momentum > 0"),
    ("Adam beta 1", lambda: nn.Adam([w], betas=(1.0, 0.9)), ValueError, r"betas\[0\]"),
    ("Adam betas scalar", lambda: nn.Adam([w], betas=0.9), TypeError, "pair"),
    ("Adam eps -1", lambda: nn.Adam([w], eps=-1), ValueError, "invalid eps"),
    ("lr changed later", lambda: _later_lr(), ValueError, "invalid lr -5.0"),
    ("load_state_dict junk", lambda: nn.SGD([w], lr=0.1).load_state_dict({}), ValueError,
     "must have keys"),
]


def _later_lr():
    opt = nn.SGD([w], lr=0.1)
    opt.lr = -5
    opt.step()


DATA = [
    (f"{fn.__name__}(n={n!r})", (lambda fn=fn, n=n: fn(n)), ValueError, "n must be a positive int")
    for fn in (nn.make_moons, nn.make_circles, nn.make_xor, nn.make_spirals, nn.make_blobs)
    for n in (0, -5, 2.5, None, True, "10")
] + [
    (f"{fn.__name__} seed str", (lambda fn=fn: fn(10, seed="a")), TypeError, "seed must be an int")
    for fn in (nn.make_moons, nn.make_circles, nn.make_xor, nn.make_spirals, nn.make_blobs)
] + [
    ("moons noise -1", lambda: nn.make_moons(10, noise=-1), ValueError, "noise must be.*>= 0"),
    ("moons noise nan", lambda: nn.make_moons(10, noise=NAN), ValueError, "noise must be"),
    ("xor noise inf", lambda: nn.make_xor(10, noise=INF), ValueError, "noise must be"),
    ("blobs std -1", lambda: nn.make_blobs(10, std=-1), ValueError, "std must be"),
    ("spirals k 0", lambda: nn.make_spirals(10, k=0), ValueError, "k must be a positive int"),
    ("blobs centers 0", lambda: nn.make_blobs(10, centers=0), ValueError, "centers"),
    ("blobs centers []", lambda: nn.make_blobs(10, centers=[]), ValueError, "non-empty list"),
    ("blobs centre nan", lambda: nn.make_blobs(10, centers=[[NAN, 1.0]]), ValueError, "finite"),
    ("circles factor 1", lambda: nn.make_circles(10, factor=1), ValueError, "between 0 and 1"),
    ("split empty", lambda: nn.train_test_split([], []), ValueError, "at least 2 rows"),
    ("split lengths", lambda: nn.train_test_split([[1], [2]], [1]), ValueError, "same length"),
    ("split None", lambda: nn.train_test_split(None, None), TypeError, "X.*list.*NoneType"),
    ("split size 0", lambda: nn.train_test_split([[1]] * 3, [0] * 3, test_size=0), ValueError,
     "at least one row on each side"),
    ("split size 1.0", lambda: nn.train_test_split([[1]] * 3, [0] * 3, test_size=1.0), ValueError,
     "between 0 and 1"),
    ("split size nan", lambda: nn.train_test_split([[1]] * 3, [0] * 3, test_size=NAN), ValueError,
     "between 0 and 1"),
    ("split size str", lambda: nn.train_test_split([[1]] * 3, [0] * 3, test_size="0.2"),
     TypeError, "fraction or a count"),
]

FIT = [
    ("unknown loss", lambda: nn.fit(MODEL, X2, Y2, loss="hinge2"), ValueError,
     "unknown loss 'hinge2'; valid names: hinge, mse"),
    ("loss int", lambda: nn.fit(MODEL, X2, Y2, loss=3), ValueError, "unknown loss 3"),
    ("unknown optimizer", lambda: nn.fit(MODEL, X2, Y2, optimizer="rmsprop"), ValueError,
     "unknown optimizer 'rmsprop'; valid names: sgd, adam, adamw"),
    ("optimizer int", lambda: nn.fit(MODEL, X2, Y2, optimizer=3), TypeError, "step"),
    ("epochs 0", lambda: nn.fit(MODEL, X2, Y2, epochs=0), ValueError, "epochs must be a positive"),
    ("epochs -1", lambda: nn.fit(MODEL, X2, Y2, epochs=-1), ValueError, "epochs must be a positive"),
    ("epochs 1.5", lambda: nn.fit(MODEL, X2, Y2, epochs=1.5), ValueError, "epochs"),
    ("batch 0", lambda: nn.fit(MODEL, X2, Y2, batch_size=0), ValueError, "batch_size must be"),
    ("batch -2", lambda: nn.fit(MODEL, X2, Y2, batch_size=-2), ValueError, "batch_size must be"),
    ("empty batch", lambda: nn.fit(MODEL, [], []), ValueError, "non-empty"),
    ("lengths", lambda: nn.fit(MODEL, X2, Y2[:-1]), ValueError, "same length, got 8 and 7"),
    ("X None", lambda: nn.fit(MODEL, None, None), TypeError, "X.*list.*NoneType"),
    ("row width", lambda: nn.fit(MODEL, [[1, 2, 3]] * 2, [0, 1], epochs=1), ValueError,
     "expected 2 inputs, got 3"),
    ("lr -1", lambda: nn.fit(MODEL, X2, Y2, lr=-1, epochs=1), ValueError, "invalid lr"),
    ("hinge label 2", lambda: nn.fit(MODEL, X2, [2] * 8, epochs=1), ValueError, "\\+1 or -1"),
    ("label str", lambda: nn.fit(MODEL, X2, ["a"] * 8, epochs=1), TypeError, r"y\[0\].*str"),
    ("label None mse", lambda: nn.fit(MODEL, X2, [None] * 8, loss="mse", epochs=1), TypeError,
     r"y\[0\].*NoneType"),
    ("bce label 2", lambda: nn.fit(MODEL, X2, [2] * 8, loss="bce", epochs=1), ValueError,
     "probability in"),
    ("ce class out of range", lambda: nn.fit(MODEL3, X2, [3] * 8, loss="cross_entropy",
                                             epochs=1), ValueError, "out of range for 3 classes"),
    ("ce with one output", lambda: nn.fit(MODEL, X2, Y2, loss="cross_entropy", epochs=1),
     ValueError, "cross_entropy"),
    ("loss returns float", lambda: nn.fit(MODEL, X2, Y2, loss=lambda o, t: 1.0, epochs=1),
     TypeError, "loss.*must return a Value.*float"),
    ("accuracy empty", lambda: nn.accuracy(MODEL, [], []), ValueError, "non-empty"),
    ("accuracy None", lambda: nn.accuracy(MODEL, None, None), TypeError, "X.*list.*NoneType"),
]


@pytest.mark.parametrize("call, exc, fragment", rows(OPERATORS + ENGINE))
def test_engine_rejects(call, exc, fragment):
    expect(call, exc, fragment)


@pytest.mark.parametrize("call, exc, fragment", rows(NN + LOSSES + OPTIM + DATA + FIT))
def test_nn_rejects(call, exc, fragment):
    state = MODEL.state_dict()
    expect(call, exc, fragment)
    assert MODEL.state_dict() == state  # a rejected call changes nothing


def count_cases() -> int:
    """How many bad inputs this module tries (reported by the hardening note)."""
    return len(OPERATORS + ENGINE + NN + LOSSES + OPTIM + DATA + FIT) + 7
