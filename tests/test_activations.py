"""nn.activations: names map to single engine ops; unknown names and bad callables are refused."""

import math

import pytest

from engine import Value
from nn.activations import (ACTIVATIONS, RELU_FAMILY, activation_name, default_init,
                            get_activation)

EXPECTED_OP = {"relu": "relu", "leaky_relu": "leaky_relu", "tanh": "tanh", "sigmoid": "sigmoid",
               "gelu": "gelu", "gelu_tanh": "gelu_tanh", "silu": "silu", "softplus": "softplus"}

REFERENCE = {
    "linear": lambda x: x,
    "relu": lambda x: max(x, 0.0),
    "leaky_relu": lambda x: x if x > 0 else 0.01 * x,
    "tanh": math.tanh,
    "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x)),
    "gelu": lambda x: 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0))),
    "gelu_tanh": lambda x: 0.5 * x * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3))),
    "silu": lambda x: x / (1.0 + math.exp(-x)),
    "softplus": lambda x: math.log1p(math.exp(x)),
}


def test_the_issue_names_are_all_there():
    assert set(ACTIVATIONS) == set(REFERENCE)


@pytest.mark.parametrize("name", sorted(EXPECTED_OP))
def test_each_named_activation_is_one_node_of_its_op(name):
    x = Value(0.7)
    y = get_activation(name)(x)
    assert y.op.name == EXPECTED_OP[name]
    assert y.inputs == (x,)


@pytest.mark.parametrize("name", sorted(REFERENCE))
@pytest.mark.parametrize("x", [-2.5, -0.3, 0.4, 3.0])
def test_values_match_the_textbook_formulas(name, x):
    assert get_activation(name)(Value(x)).data == pytest.approx(REFERENCE[name](x), rel=1e-12, abs=1e-15)


def test_linear_is_the_identity_and_adds_no_node():
    x = Value(1.5)
    assert get_activation("linear")(x) is x


def test_unknown_name_lists_every_valid_name():
    with pytest.raises(ValueError) as err:
        get_activation("swish")
    for name in ACTIVATIONS:
        assert name in str(err.value)


def test_callables_pass_through_after_a_probe():
    def square(v):
        return v * v

    assert get_activation(square) is square
    with pytest.raises(TypeError, match="must return a Value, got float"):
        get_activation(lambda v: 1.0)
    with pytest.raises(TypeError, match="name .* or a function"):
        get_activation(3)


def test_activation_names():
    assert activation_name(ACTIVATIONS["gelu"]) == "gelu"
    assert activation_name("tanh") == "tanh"

    def bump(v):
        return v

    assert activation_name(bump) == "bump"


def test_default_init_follows_the_activation():
    for name in ACTIVATIONS:
        expected = "he_uniform" if name in RELU_FAMILY else "xavier_uniform"
        assert default_init(name) == expected
        assert default_init(ACTIVATIONS[name]) == expected
    assert default_init(lambda v: v.relu()) == "xavier_uniform"
    assert {"tanh", "sigmoid", "linear"}.isdisjoint(RELU_FAMILY)


def test_leaky_relu_slope_is_the_engine_default():
    import inspect

    from nn.activations import LEAKY_RELU_SLOPE

    assert inspect.signature(Value.leaky_relu).parameters["slope"].default == LEAKY_RELU_SLOPE
    assert get_activation("leaky_relu")(Value(-2.0)).data == -2.0 * LEAKY_RELU_SLOPE
