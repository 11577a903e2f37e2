"""Hostile inputs to the nn library: modules, activations, init, losses, optimizers, data, fit.

The table format and the ``expect`` helper are those of ``tests/test_hostile.py``: each row is
a bad call, the exception type it must raise and a fragment of its message. A rejected call
must also leave the model it was given unchanged.
"""

from __future__ import annotations

import math
import random

import pytest

import nn
from engine import Value
from nn import losses as L

from test_hostile import JUNK, expect, rows

NAN, INF = math.nan, math.inf
v = Value(0.5, label="v")

MODEL = nn.MLP(2, [3, 1], seed=0)
MODEL3 = nn.MLP(2, [3, 3], seed=0)
NEURON = nn.Neuron(2, seed=0)
X2, Y2 = nn.make_moons(8, seed=0)

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
    ("activation 0", lambda: nn.Neuron(2, 0), TypeError, "activation must be a name"),
    ("nonlin str", lambda: nn.Neuron(2, nonlin="yes"), TypeError, "nonlin must be True.*or False"),
    ("nonlin and activation", lambda: nn.Layer(2, 2, "tanh", nonlin=False), ValueError,
     "activation= or micrograd's nonlin=, not both"),
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
    ("state_dict 10**400", lambda: MODEL.load_state_dict({**MODEL.state_dict(),
                                                         "layers.0.neurons.0.b": 10 ** 400}),
     ValueError, "'layers.0.neurons.0.b' is not finite \\(inf\\)"),
    ("init gives 10**400", lambda: nn.Neuron(2, init=lambda a, b, r: 10 ** 400), ValueError,
     "init.*not finite"),
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
    ("Adam betas dict", lambda: nn.Adam([w], betas={"b1": 0.9, "b2": 0.99}), TypeError, "pair"),
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
    for n in (0, -5, 2.5, [10], True, "10")  # None is the default size
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
     "3 inputs; the model expects 2"),
    # a bad row late in X must be found before the first step, not after half an epoch
    ("late row too wide", lambda: nn.fit(MODEL, X2[:3] + [[1.0, 2.0, 3.0]], [0, 1, 0, 1], epochs=2,
                                         batch_size=2), ValueError, r"X\[3\] has 3 inputs; the model expects 2"),
    ("late row None", lambda: nn.fit(MODEL, X2[:3] + [[0.5, None]], [0, 1, 0, 1], epochs=2,
                                     batch_size=2), TypeError, r"X\[3\]\[1\] must be a number.*NoneType"),
    ("late row str", lambda: nn.fit(MODEL, X2[:3] + ["ab"], [0, 1, 0, 1], epochs=2, batch_size=2),
     TypeError, r"X\[3\] must be a list of 2 numbers"),
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


@pytest.mark.parametrize("call, exc, fragment", rows(NN + LOSSES + OPTIM + DATA + FIT))
def test_nn_rejects(call, exc, fragment):
    state = MODEL.state_dict()
    expect(call, exc, fragment)
    assert MODEL.state_dict() == state  # a rejected call changes nothing


# --- junk arguments, generated: only TypeError/ValueError (or success) may come out --------

from hypothesis import HealthCheck, given, settings  # noqa: E402

import engine  # noqa: E402

TARGETS = {
    "Value": lambda a, b: Value(a, b), "apply": lambda a, b: engine.apply(engine.Op.ADD, a, b),
    "sum": lambda a, b: engine.sum(a), "dot": lambda a, b: engine.dot(a, b),
    "mse_loss": L.mse_loss, "binary_cross_entropy": L.binary_cross_entropy,
    "bce_with_logits": L.binary_cross_entropy_with_logits, "hinge_loss": L.hinge_loss,
    "cross_entropy": L.cross_entropy, "softmax": lambda a, b: L.softmax(a),
    "MLP": lambda a, b: nn.MLP(a, b), "Neuron": lambda a, b: nn.Neuron(2, a, init=b),
    "model call": lambda a, b: MODEL(a), "load_state_dict": lambda a, b: nn.MLP(2, [1]).load_state_dict(a),
    "SGD": lambda a, b: nn.SGD(a, lr=b), "Adam": lambda a, b: nn.Adam([Value(1.0)], betas=a, eps=b),
    "Adam.load_state_dict": lambda a, b: nn.Adam([Value(1.0)]).load_state_dict(a),
    "fit": lambda a, b: nn.fit(nn.MLP(2, [2, 1], seed=0), a, b, epochs=1, progress=False),
    "accuracy": lambda a, b: nn.accuracy(MODEL, a, b), "train_test_split": nn.train_test_split,
    "make_blobs": lambda a, b: nn.make_blobs(5, centers=a), "Perceptron.fit":
    lambda a, b: nn.Perceptron(2).fit(a, b, epochs=2),
    "gradcheck": lambda a, b: engine.gradcheck(lambda *x: engine.sum(list(x)), a),
    "init_value": lambda a, b: nn.init_value("uniform", a, b, random.Random(0)),
}


@pytest.mark.parametrize("name", sorted(TARGETS))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=JUNK, b=JUNK)
def test_junk_arguments_raise_only_type_or_value_errors(name, a, b):
    state = MODEL.state_dict()
    try:
        TARGETS[name](a, b)
    except (TypeError, ValueError, engine.AnomalyError):
        pass
    assert MODEL.state_dict() == state


# --- integers beyond float range: a ValueError naming the setting, or IEEE inf - never OverflowError

HUGE = 10 ** 400
_OPT_STATE = {"optimizer": "SGD", "hyperparameters": {"lr": 0.1, "momentum": 0.9, "dampening": 0.0,
                                                     "weight_decay": 0.0, "nesterov": False},
              "step_count": 1, "state": [{"momentum_buffer": HUGE}]}
HUGE_ROWS = [
    ("SGD lr", lambda: nn.SGD([Value(1.0)], lr=HUGE), ValueError, "invalid lr inf"),
    ("Adam eps", lambda: nn.Adam([Value(1.0)], eps=HUGE), ValueError, "invalid eps inf"),
    ("Adam beta", lambda: nn.Adam([Value(1.0)], betas=(HUGE, 0.9)), ValueError, r"betas\[0\] inf"),
    ("optimizer state", lambda: nn.SGD([Value(1.0)], lr=0.1, momentum=0.9).load_state_dict(_OPT_STATE),
     ValueError, "must be a finite number"),
    ("bce target", lambda: L.binary_cross_entropy(v, HUGE), ValueError, r"probability in \[0, 1\], got inf"),
    ("hinge label", lambda: L.hinge_loss(v, HUGE), ValueError, r"\+1 or -1, got inf"),
    ("moons noise", lambda: nn.make_moons(4, noise=HUGE), ValueError, "noise must be a finite number >= 0"),
    ("blobs centre", lambda: nn.make_blobs(4, centers=[[HUGE, 1]]), ValueError, "finite numbers"),
    ("Perceptron lr", lambda: nn.Perceptron(2, lr=HUGE), ValueError, "lr must be a finite number"),
    ("Perceptron input", lambda: nn.Perceptron(2).predict([HUGE, 1]), ValueError,
     "input 0 must be a finite number"),
    ("init_value", lambda: nn.init_value(lambda a, b, r: HUGE, 1, 1, random.Random(0)), ValueError,
     "not finite"),
]


@pytest.mark.parametrize("call, exc, fragment", rows(HUGE_ROWS))
def test_integers_beyond_float_range_are_named_not_overflow_errors(call, exc, fragment):
    expect(call, exc, fragment)


def test_fit_with_a_target_beyond_float_range_is_ieee():
    with pytest.warns(RuntimeWarning):
        history = nn.fit(nn.MLP(2, [1], seed=0), [[1.0, 2.0]], [HUGE], loss="mse", epochs=1,
                         progress=False)
    assert history.loss == [INF]


@pytest.mark.parametrize("make", [lambda: nn.make_spirals(10, k=10 ** 400),
                                  lambda: nn.make_blobs(10, centers=10 ** 400)],
                         ids=["spirals k=10**400", "blobs centers=10**400"])
def test_more_classes_than_points_is_quick(make):
    # regression: a list of k class sizes (a hang for 10**400), and 2 pi j / k overflowed
    import time
    start = time.perf_counter()
    X, y = make()
    assert time.perf_counter() - start < 2.0
    assert len(X) == 10 and sorted(y) == list(range(10))  # one point in each of the first 10


def test_a_module_that_refers_back_to_its_parent_is_walked_once():
    # regression: a parent pointer (layer.parent = model) made parameters(), state_dict()
    # and zero_grad() recurse for ever (RecursionError); each module is now visited once
    model = nn.MLP(2, [3, 1], seed=0)
    plain = model.named_parameters()
    modules = [name for name, _ in model.named_modules()]
    model.layers[0].parent = model
    model.layers[1].twin = model.layers[0]
    assert [name for name, _ in model.named_parameters()] == [name for name, _ in plain]
    assert model.state_dict() == nn.MLP(2, [3, 1], seed=0).state_dict()
    model.zero_grad()
    assert [name for name, _ in model.named_modules()] == modules
    assert modules[:3] == ["", "layers.0", "layers.0.neurons.0"] and len(modules) == 1 + 2 + 4


def test_repr_of_a_module_with_a_parent_pointer_ends():
    class Net(nn.Module):
        def __init__(self):
            self.a, self.b = nn.Neuron(2, seed=0), nn.Neuron(2, seed=1)
            self.a.owner = self  # a cycle: Net -> a -> Net

        def forward(self, x):
            return self.a(x) + self.b(x)

    net = Net()
    text = repr(net)  # regression: RecursionError
    assert text.startswith("Net(") and "(owner): ..." in text and "(b): Neuron(" in text
    assert len(net.parameters()) == 6
