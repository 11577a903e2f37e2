"""nn.init: each scheme's range and spread match the textbook formulas (and torch.nn.init)."""

import math
import random
import statistics

import pytest

from nn import MLP, SGD, Layer, hinge_loss
from nn.init import INITIALIZERS, get_initializer, init_value, make_rng

FAN_IN, FAN_OUT, N = 20, 30, 10000

# (bound of the support or None, standard deviation) for each scheme at FAN_IN, FAN_OUT.
SPEC = {
    "zeros": (0.0, 0.0),
    "uniform": (1.0, 1.0 / math.sqrt(3.0)),
    "xavier_uniform": (math.sqrt(6.0 / (FAN_IN + FAN_OUT)), math.sqrt(2.0 / (FAN_IN + FAN_OUT))),
    "xavier_normal": (None, math.sqrt(2.0 / (FAN_IN + FAN_OUT))),
    "he_uniform": (math.sqrt(6.0 / FAN_IN), math.sqrt(2.0 / FAN_IN)),
    "he_normal": (None, math.sqrt(2.0 / FAN_IN)),
}


def draws(name, seed=0):
    rng = random.Random(seed)
    return [init_value(name, FAN_IN, FAN_OUT, rng) for _ in range(N)]


def test_every_scheme_of_the_issue_exists():
    assert list(INITIALIZERS) == list(SPEC)


@pytest.mark.parametrize("name", list(SPEC))
def test_support_mean_and_spread(name):
    xs = draws(name)
    bound, std = SPEC[name]
    if bound is not None:
        assert max(abs(x) for x in xs) <= bound
        if bound:
            assert max(abs(x) for x in xs) > 0.99 * bound  # the whole range is used
    assert abs(statistics.fmean(xs)) <= 4 * std / math.sqrt(N) + 1e-300
    assert statistics.pstdev(xs) == pytest.approx(std, rel=0.03, abs=1e-300)


@pytest.mark.parametrize("name, torch_fn", [
    ("xavier_uniform", "xavier_uniform_"), ("xavier_normal", "xavier_normal_"),
    ("he_uniform", "kaiming_uniform_"), ("he_normal", "kaiming_normal_"),
    ("uniform", "uniform_"), ("zeros", "zeros_"),
])
def test_spread_matches_torch_nn_init(name, torch_fn):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    w = torch.empty(FAN_OUT * 10, FAN_IN, dtype=torch.float64)  # torch: fan_in = columns
    kwargs = {"a": -1.0, "b": 1.0} if torch_fn == "uniform_" else {}
    if torch_fn.startswith("kaiming"):
        kwargs = {"a": 0.0, "mode": "fan_in", "nonlinearity": "relu"}
    getattr(torch.nn.init, torch_fn)(w, **kwargs)
    # xavier in torch uses fan_out = rows; compare with our formula at that fan_out
    ours_fan_out = FAN_OUT * 10
    rng = random.Random(1)
    ours = [init_value(name, FAN_IN, ours_fan_out, rng) for _ in range(N)]
    theirs = w.flatten().tolist()
    if name.endswith("uniform"):  # same support
        assert max(map(abs, ours)) == pytest.approx(max(map(abs, theirs)), rel=0.02)
    assert statistics.pstdev(ours) == pytest.approx(statistics.pstdev(theirs), rel=0.04, abs=1e-300)


def test_same_rng_state_gives_same_draws():
    assert draws("he_normal", seed=3) == draws("he_normal", seed=3)
    assert draws("he_normal", seed=3) != draws("he_normal", seed=4)


def test_bad_names_fans_and_rngs():
    with pytest.raises(ValueError, match="unknown init 'glorot'; valid names: zeros, uniform"):
        get_initializer("glorot")
    with pytest.raises(TypeError, match="init must be a scheme name"):
        get_initializer(0.5)
    with pytest.raises(ValueError, match="fan_in must be a positive int"):
        init_value("he_uniform", 0, 3, random.Random(0))
    with pytest.raises(ValueError, match="fan_out must be a positive int"):
        init_value("he_uniform", 3, 2.0, random.Random(0))
    with pytest.raises(TypeError):
        make_rng("seed")


def test_callable_init_is_used_for_every_weight():
    layer = Layer(3, 2, init=lambda fan_in, fan_out, rng: fan_in * 10 + fan_out)
    assert [w.data for n in layer.neurons for w in n.w] == [32.0] * 6
    assert all(n.b.data == 0.0 for n in layer.neurons)


def test_default_init_is_micrograds_uniform_for_every_activation():
    for model in (MLP(2, [16, 16, 1], seed=0), MLP(2, [4, 1], "tanh", "sigmoid", seed=0)):
        assert {layer.init for layer in model.layers} == {"uniform"}
        weights = [w.data for layer in model.layers for n in layer.neurons for w in n.w]
        rng = random.Random(0)  # seed=0: the same U(-1, 1) draws from a private stream
        assert weights == [rng.uniform(-1.0, 1.0) for _ in weights]
        assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)


def test_auto_init_follows_the_activation():
    model = MLP(2, [16, 16, 1], init="auto", seed=0)  # relu hidden, linear output
    assert [layer.init for layer in model.layers] == ["he_uniform", "he_uniform", "xavier_uniform"]
    first = [w.data for n in model.layers[0].neurons for w in n.w]
    assert max(map(abs, first)) <= math.sqrt(6.0 / 2)
    assert max(abs(w.data) for w in model.layers[2].neurons[0].w) <= math.sqrt(6.0 / 17)
    assert [layer.init for layer in MLP(2, [4, 1], "tanh", "sigmoid", init="auto").layers] == \
        ["xavier_uniform", "xavier_uniform"]
    assert [layer.init for layer in MLP(2, [4, 1], init="uniform").layers] == ["uniform", "uniform"]


def test_zeros_init_shows_the_symmetry_problem():
    """With every weight 0, all hidden neurons get the same gradient and stay clones."""
    model = MLP(2, [4, 1], activation="sigmoid", init="zeros")
    X, y = [[0.5, -1.0], [1.0, 2.0], [-1.5, 0.3]], [1, -1, 1]
    opt = SGD(model.parameters(), lr=0.5)
    for _ in range(5):
        loss = hinge_loss([model(x) for x in X], y)
        opt.zero_grad(); loss.backward(); opt.step()
    rows = [[w.data for w in n.w] + [n.b.data] for n in model.layers[0].neurons]
    assert any(v != 0.0 for v in rows[0])  # it did learn something...
    assert all(row == rows[0] for row in rows)  # ...but the four neurons are one neuron


def test_unseeded_models_follow_the_global_random_seed():
    random.seed(1337)
    a = MLP(2, [3, 1]).state_dict()
    random.seed(1337)
    b = MLP(2, [3, 1]).state_dict()
    c = MLP(2, [3, 1]).state_dict()
    assert a == b != c


def test_unseeded_weights_are_the_global_streams_uniform_draws_in_order():
    """Neuron by neuron, layer by layer, one random.uniform(-1, 1) per weight; biases draw nothing."""
    random.seed(7)
    model = MLP(3, [4, 2])
    after_model = random.random()
    random.seed(7)
    expected = [random.uniform(-1, 1) for _ in range(3 * 4 + 4 * 2)]
    assert random.random() == after_model  # the model took exactly those draws
    weights = [w.data for layer in model.layers for n in layer.neurons for w in n.w]
    assert weights == expected
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)


def test_a_seeded_model_leaves_the_global_stream_alone():
    random.seed(11)
    expected = random.random()
    random.seed(11)
    first = MLP(2, [3, 1], seed=5, init="he_normal").state_dict()
    assert random.random() == expected
    assert MLP(2, [3, 1], seed=5, init="he_normal").state_dict() == first
