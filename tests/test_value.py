"""engine.Value: construction, operators, constants, methods as shims, repr and micrograd spellings."""

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import RULES, Constant, Op, Value, apply

finite = st.floats(-1e6, 1e6)


# --- construction ------------------------------------------------------------------------


@pytest.mark.parametrize("data, expected", [(3, 3.0), (2.5, 2.5), (Fraction(1, 4), 0.25),
                                            (-0.0, -0.0), (math.inf, math.inf)])
def test_data_becomes_a_float(data, expected):
    v = Value(data)
    assert type(v.data) is float and v.data == expected and v.grad == 0.0
    assert v.op is None and v.inputs == () and v.label == "" and v.is_leaf and v.requires_grad


@pytest.mark.parametrize("bad, type_name", [("x", "str"), (None, "NoneType"), (1j, "complex"),
                                            ([1], "list"), (b"1", "bytes"), ({1: 2}, "dict")])
def test_non_real_data_raises_type_error_naming_the_type(bad, type_name):
    with pytest.raises(TypeError, match=rf"real number.*got {type_name}$"):
        Value(bad)


def test_value_of_a_value_is_refused_with_a_hint():
    with pytest.raises(TypeError, match=r"got a Value \(use its \.data\)"):
        Value(Value(1.0))


@pytest.mark.parametrize("label", [3, None, b"a", ["a"]])
def test_label_must_be_a_string(label):
    with pytest.raises(TypeError, match=f"label must be a str, got {type(label).__name__}"):
        Value(1.0, label=label)


def test_numpy_scalars_are_real_numbers():
    np = pytest.importorskip("numpy")
    assert Value(np.float64(1.5)).data == 1.5 and type(Value(np.int32(2)).data) is float
    a = Value(3.0)
    for out in (np.float64(2.0) * a, a * np.float32(2.0), np.int64(2) * a):
        assert type(out) is Value and out.data == 6.0 and type(out.inputs[0].data) is float


# --- operators -------------------------------------------------------------------------------


@given(finite, finite)
def test_arithmetic_is_float_arithmetic(x, y):
    a, b = Value(x), Value(y)
    assert (a + b).data == x + y and (a - b).data == x - y and (a * b).data == x * y
    assert (-a).data == -x and abs(a).data == abs(x)
    if y != 0.0:
        assert (a / b).data == x / y
    assert (a + y).data == (x + b).data == x + y  # numbers on either side


@pytest.mark.parametrize("expr, op, first_is_a", [
    (lambda a: a + 2, Op.ADD, True), (lambda a: 2 + a, Op.ADD, False),
    (lambda a: a - 2, Op.SUB, True), (lambda a: 2 - a, Op.SUB, False),
    (lambda a: a * 2, Op.MUL, True), (lambda a: 2 * a, Op.MUL, False),
    (lambda a: a / 2, Op.DIV, True), (lambda a: 2 / a, Op.DIV, False),
])
def test_a_plain_number_becomes_a_constant_input_in_order(expr, op, first_is_a):
    a = Value(-3.0, label="a")
    out = expr(a)
    assert out.op is op and len(out.inputs) == 2
    mine, const = out.inputs if first_is_a else out.inputs[::-1]
    assert mine is a and isinstance(const, Constant) and const.data == 2.0
    assert const.is_leaf and not const.requires_grad and repr(const) == "Constant(2.0)"


def test_order_of_inputs_matters():
    a, b = Value(5.0, label="a"), Value(2.0, label="b")
    ab, ba = a - b, b - a
    assert ab.inputs == (a, b) and ba.inputs == (b, a) and ab.data == -ba.data == 3.0
    ab.backward()
    assert (a.grad, b.grad) == (1.0, -1.0)


def test_power_forms_pick_their_rule_and_both_gradients_flow():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a ** b
    assert c.op is Op.POW and c.data == 8.0
    c.backward()
    assert a.grad == 12.0 and b.grad == pytest.approx(8.0 * math.log(2.0), rel=1e-15)
    x = Value(3.0)
    assert (x ** 2).op is Op.POW_CONST and (x ** 2).attr == 2.0
    y = 2 ** x
    assert y.op is Op.CONST_POW and y.attr == 2.0 and y.data == 8.0
    y.backward()
    assert x.grad == pytest.approx(8.0 * math.log(2.0), rel=1e-15)


def test_negative_base_squared_has_no_nan_anywhere():
    a = Value(-3.0, label="a")
    out = a ** 2
    out.backward()
    numbers = [out.data, a.grad, out.grad, *out.local] + [v.data for v in out.inputs]
    assert numbers == [9.0, -6.0, 1.0, -6.0, -3.0] and not any(map(math.isnan, numbers))
    b = Value(-3.0)
    loss = (b * 2 - 1) ** 2 / 4 + (b ** 3)  # constants on every side
    loss.backward()
    assert math.isfinite(loss.data) and math.isfinite(b.grad) and b.grad == pytest.approx(-7.0 + 27.0)


@pytest.mark.parametrize("other", ["a", None, [1.0], 1j, {"x": 1}])
def test_unsupported_operand_types_raise_type_error_the_python_way(other):
    a = Value(1.0)
    for method in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
                   "__truediv__", "__rtruediv__", "__pow__", "__rpow__", "__lt__", "__ge__"):
        assert getattr(a, method)(other) is NotImplemented, method
    for expr in (lambda: a + other, lambda: other + a, lambda: a * other, lambda: other / a,
                 lambda: a ** other, lambda: other ** a, lambda: a < other):
        with pytest.raises(TypeError, match="Value"):
            expr()


def test_pos_is_identity_and_float_is_refused():
    import math
    a = Value(2.5)
    assert +a is a
    for cut in (float, math.tanh, math.exp):  # each would silently cut the graph
        with pytest.raises(TypeError, match=r"v\.tanh\(\).*v\.data \(= 2\.5\)"):
            cut(a)


def test_ordering_compares_data_but_equality_is_identity():
    a, b = Value(1.0), Value(2.0)
    assert a < b and b > a and a <= 1 and 2 >= a and a < 1.5 and not (b < a)
    same_number = Value(1.0)
    assert a != same_number and a == a and len({a, same_number}) == 2


# --- methods are thin shims onto the rule table -----------------------------------------------

METHODS = [
    (lambda v: v.exp(), "exp", None), (lambda v: v.log(), "log", None),
    (lambda v: v.sqrt(), "sqrt", None), (lambda v: v.abs(), "abs", None),
    (lambda v: abs(v), "abs", None), (lambda v: -v, "neg", None),
    (lambda v: v.tanh(), "tanh", None), (lambda v: v.sigmoid(), "sigmoid", None),
    (lambda v: v.relu(), "relu", None), (lambda v: v.leaky_relu(), "leaky_relu", 0.01),
    (lambda v: v.leaky_relu(0.2), "leaky_relu", 0.2), (lambda v: v.gelu(), "gelu", None),
    (lambda v: v.gelu(approximate="tanh"), "gelu_tanh", None), (lambda v: v.silu(), "silu", None),
    (lambda v: v.softplus(), "softplus", None), (lambda v: v.erf(), "erf", None),
]


@pytest.mark.parametrize("call, name, attr", METHODS)
@given(x=st.floats(-50.0, 50.0))
def test_methods_apply_their_rule(call, name, attr, x):
    v = Value(x)
    out = call(v)
    op = RULES[name]
    assert out.op is op and out.inputs == (v,) and out.attr == attr
    assert out.data == pytest.approx(op.forward((x,), attr), nan_ok=True, rel=0.0, abs=0.0)
    assert out.local == pytest.approx(op.local((x,), out.data, attr), nan_ok=True, rel=0.0, abs=0.0)


def test_every_unary_builtin_has_a_method():
    unary = {n for n, op in RULES.items() if op.builtin and op.arity == 1} - {"pow_const", "const_pow"}
    assert unary == {name for _, name, _ in METHODS}


def test_bad_method_settings_are_reported():
    with pytest.raises(ValueError, match="'none' or 'tanh', got 'fast'"):
        Value(1.0).gelu(approximate="fast")
    with pytest.raises(TypeError, match="slope must be a real number.*got str"):
        Value(1.0).leaky_relu("0.1")


@pytest.mark.parametrize("expr, expected", [
    (lambda: Value(1000).exp(), math.inf), (lambda: Value(0).log(), -math.inf),
    (lambda: Value(-1).log(), math.nan), (lambda: Value(1) / 0, math.inf),
    (lambda: Value(-1) / 0, -math.inf), (lambda: Value(0) / 0, math.nan),
    (lambda: Value(-1).sqrt(), math.nan), (lambda: 0 ** Value(-1), math.inf),
    (lambda: Value(0) ** -1, math.inf), (lambda: Value(1e200) ** 2, math.inf),
    (lambda: Value(-1000).sigmoid(), 0.0), (lambda: Value(1000).softplus(), 1000.0),
])
def test_ieee_results_instead_of_python_exceptions(expr, expected):
    assert expr().data == pytest.approx(expected, nan_ok=True)


# --- reading a node -----------------------------------------------------------------------------


def test_repr_is_short_and_readable():
    a = Value(2.0, label="a")
    assert repr(a) == "Value(data=2.0, grad=0.0, label='a')"
    b = a * 3
    assert repr(b) == "Value(data=6.0, grad=0.0, op='*')"
    assert repr(a ** 2) == "Value(data=4.0, grad=0.0, op='** 2')"
    for _ in range(2000):
        b = b + 1
    assert len(repr(b)) < 60  # never the whole graph


def test_micrograd_spellings():
    a = Value(2.0, label="a")
    b = Value(data=-3.0, label="b")
    c = a * a + b
    assert a.label == "a" and a._op == "" and a._prev == ()
    assert c._op == "+" and c._prev == (c.inputs[0], b)
    square = c.inputs[0]
    assert square.inputs == (a, a) and square._prev == (a,)  # both edges kept, listed once


def test_apply_lifts_numbers_and_checks_inputs():
    a = Value(2.0)
    out = apply(Op.MUL, [a, 4])
    assert out.data == 8.0 and out.inputs[0] is a and isinstance(out.inputs[1], Constant)
    assert apply(Op.SUM, (1, 2, 3)).data == 6.0
    assert apply(Op.LEAKY_RELU, [-1.0], 0.5).data == -0.5
    with pytest.raises(TypeError, match="mul takes Values or real numbers, got str"):
        apply(Op.MUL, [a, "4"])
    with pytest.raises(TypeError, match="tanh takes 1 input"):
        apply(Op.TANH, [a, a])
    with pytest.raises(TypeError, match="needs an Op.*got str"):
        apply("tanh", [a])
    with pytest.raises(TypeError, match="inputs must be a list.*got Value"):
        apply(Op.TANH, a)
    with pytest.raises(TypeError, match="pow_const needs its setting"):
        apply(Op.POW_CONST, [a])
    with pytest.raises(ValueError, match="sum needs at least one input"):
        apply(Op.SUM, [])


@pytest.mark.parametrize("huge", [10 ** 400, Fraction(10 ** 400), -10 ** 400])
def test_numbers_too_big_for_a_double_round_to_inf(huge):
    # regression: a huge Fraction in an expression raised OverflowError
    sign = 1.0 if huge > 0 else -1.0
    assert Value(huge).data == sign * math.inf
    assert (Value(1.0) * huge).data == sign * math.inf
    assert (huge * Value(1.0)).data == sign * math.inf
    assert (Value(1.0) < huge) == (sign > 0)
