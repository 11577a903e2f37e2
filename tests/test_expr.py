"""engine/expr.py: the whitelist expression parser."""

import ast as pyast
import math
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Value, backward, define_op, remove_op
from engine.expr import MAX_DEPTH, MAX_LENGTH, parse_expression, unary_functions

VALUES = {"a": 2.0, "b": -3.0, "c": 10.0, "x": 0.5}


def by_hand():
    a, b, c = (Value(VALUES[k], label=k) for k in "abc")
    return a, b, c, (a * b + c).tanh()


def test_builds_the_same_graph_and_grads_as_python_operators():
    a, b, c, expected = by_hand()
    expected.backward()
    y = parse_expression("(a*b + c).tanh()", VALUES)
    y.backward()
    leaves = {v.label: v for v in _leaves(y)}
    assert y.data == expected.data
    assert [leaves[k].grad for k in "abc"] == [a.grad, b.grad, c.grad]
    assert y.op.name == "tanh" and y.inputs[0].op.name == "add"


def _leaves(root):
    from engine import topological_order
    return [v for v in topological_order(root) if v.is_leaf]


def test_a_name_used_twice_is_one_leaf_with_two_edges():
    y = parse_expression("a * a", VALUES)
    assert y.inputs[0] is y.inputs[1]
    y.backward()
    assert y.inputs[0].grad == 2 * VALUES["a"]


def test_labels_leaves_by_name_and_intermediates_by_fresh_short_names():
    y = parse_expression("(a*b + c).tanh()", VALUES)
    assert y.label == "out"
    assert y.inputs[0].label == "e"
    assert [v.label for v in y.inputs[0].inputs] == ["d", "c"]


def test_fresh_names_avoid_the_variable_names():
    y = parse_expression("(d*e + out) * f", {"d": 1.0, "e": 2.0, "f": 3.0, "out": 4.0})
    labels = [v.label for v in _all(y)]
    assert len(labels) == len(set(labels))
    assert y.label == "result"
    assert {"d", "e", "f", "out"} <= set(labels)


def test_a_bare_name_keeps_its_label():
    a = Value(2.0, label="a")
    assert parse_expression("a", {"a": a}) is a
    assert parse_expression("+a", {"a": a}).label == "a"


def _all(root):
    from engine import topological_order
    return topological_order(root)


def test_literal_exponents_and_bases_use_the_constant_power_rules():
    y = parse_expression("x ** 2 + 2 ** x - x ** -1", VALUES)
    ops = [v.op.name for v in y.inputs[0].inputs] + [y.inputs[1].op.name]
    assert ops == ["pow_const", "const_pow", "pow_const"]
    assert y.inputs[1].attr == -1.0


@pytest.mark.parametrize("text", ["9**9**9", "9 ** 9 ** 9 ** 9", "10.0 ** 400", "(-8) ** 999999999999",
                                  "1" + "0" * 400])
def test_huge_powers_are_ieee_and_instant(text):
    start = time.perf_counter()
    y = parse_expression(text, {})
    assert time.perf_counter() - start < 0.5
    assert math.isinf(y.data)
    assert isinstance(y, Value)


def test_division_by_zero_is_ieee():
    assert math.isinf(parse_expression("a / 0", VALUES).data)
    assert math.isnan(parse_expression("0 / 0", VALUES).data)


@pytest.mark.parametrize("text, op", [
    ("x.tanh()", "tanh"), ("tanh(x)", "tanh"), ("x.relu()", "relu"), ("abs(b)", "abs"),
    ("x.sigmoid()", "sigmoid"), ("x.exp()", "exp"), ("x.log()", "log"), ("x.sqrt()", "sqrt"),
    ("x.silu()", "silu"), ("x.softplus()", "softplus"), ("x.gelu()", "gelu"),
    ("x.gelu(approximate='tanh')", "gelu_tanh"), ("gelu(x, 'tanh')", "gelu_tanh"),
    ("b.leaky_relu(0.2)", "leaky_relu"), ("leaky_relu(b, slope=0.3)", "leaky_relu"),
    ("sum(a, b, c, 1)", "sum"), ("-a", "neg"),
])
def test_every_allowed_function(text, op):
    y = parse_expression(text, VALUES)
    assert y.op.name == op


def test_function_list_follows_the_rule_table():
    names = unary_functions()
    assert {"tanh", "relu", "leaky_relu", "gelu", "exp"} <= set(names)
    assert "gelu_tanh" in names and "pow_const" not in names  # every unary method, none with a setting of its own
    cube = define_op("cube_expr_test", forward=lambda v: v ** 3, local=lambda v, out: (3 * v * v,))
    try:
        assert parse_expression("cube_expr_test(a)", VALUES).data == 8.0
        with pytest.raises(ValueError, match="unknown method"):
            parse_expression("a.cube_expr_test()", VALUES)
    finally:
        remove_op(cube.__name__)
    with pytest.raises(ValueError, match="not allowed"):
        parse_expression("cube_expr_test(a)", VALUES)


def test_leaky_relu_slope_and_gelu_mode_are_used():
    assert parse_expression("b.leaky_relu(0.2)", VALUES).data == pytest.approx(-0.6)
    assert parse_expression("b.leaky_relu(-0.5)", VALUES).data == pytest.approx(1.5)
    assert parse_expression("b.leaky_relu()", VALUES).data == pytest.approx(-0.03)


def test_given_values_may_be_values():
    w = Value(1.5, label="w")
    y = parse_expression("w * 2", {"w": w})
    assert y.inputs[0] is w


HOSTILE = [
    ("__import__('os').system('true')", "unknown method 'system'"),
    ("__import__('os')", "calls of '__import__' are not allowed"),
    ("a.__class__", "attribute access"),
    ("a.__class__.__bases__[0].__subclasses__()", "unknown method"),
    ("(1).__class__", "attribute access"),
    ("a.data", "attribute access"),
    ("lambda: 1", "lambda"),
    ("[v for v in (a, b)]", "comprehension"),
    ("(v for v in a)", "generator"),
    ("a[0]", "indexing"),
    ("'text'", "str"),
    ("b'x'", "bytes"),
    ("f'{a}'", "f-string"),
    ("open('/etc/passwd')", "'open'"),
    ("eval('1')", "'eval'"),
    ("a if b else c", "conditional"),
    ("a < b", "comparison"),
    ("a and b", "and/or"),
    ("a // b", r"only \+ - \* / \*\*"),
    ("a % b", r"only \+ - \* / \*\*"),
    ("~a", "unary minus"),
    ("(y := a)", "':='"),
    ("a, b", "tuple"),
    ("{a: b}", "dict"),
    ("True", "bool"),
    ("1j", "complex"),
    ("d + 1", "unknown name 'd'"),
    ("tanh", "it is a function"),
    ("a.tanh(1)", "takes no settings"),
    ("a.tanh(*b)", "unpacking"),
    ("a.gelu(approximate='exact')", "approximate"),
    ("a.leaky_relu(b)", "plain number"),
    ("a; b", "syntax error"),
    ("a +", "syntax error"),
    ("import os", "syntax error"),
    ("", "empty"),
]


@pytest.mark.parametrize("text, message", HOSTILE)
def test_hostile_inputs_are_rejected_quickly_with_a_pointer(text, message):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=message) as info:
        parse_expression(text, VALUES)
    assert time.perf_counter() - start < 0.5
    if text:
        assert "^" in str(info.value) and "column" in str(info.value)


def test_caret_points_at_an_unknown_method_name():
    with pytest.raises(ValueError) as info:
        parse_expression("(a * b).system()", VALUES)
    lines = str(info.value).splitlines()
    assert lines[2].strip() == "^" * len("system")
    assert lines[1][lines[2].index("^"):].startswith("system")


def test_caret_points_at_the_offending_part():
    with pytest.raises(ValueError) as info:
        parse_expression("a * b + open('x')", VALUES)
    message = str(info.value)
    lines = message.splitlines()
    assert "column 9" in lines[0]
    caret = lines[2].index("^")
    assert lines[1][caret:caret + 4] == "open"


@pytest.mark.parametrize("text", [
    "x" + "+x" * 999,
    "-" * 1999 + "x",
    "(" * 300 + "x" + ")" * 300,
    "x" + "**x" * 600,
    "a" * (MAX_LENGTH + 1),
    "x.exp()" + ".exp()" * (MAX_DEPTH + 10),
])
def test_deep_or_long_inputs_give_value_error_not_recursion(text):
    start = time.perf_counter()
    with pytest.raises(ValueError, match="nested too deeply|characters long|nested parentheses"):
        parse_expression(text, {"x": 1.0, "a": 1.0})
    assert time.perf_counter() - start < 1.0


def test_moderate_nesting_is_fine():
    y = parse_expression("+".join(["x"] * 150), {"x": 1.0})
    backward(y)
    assert y.data == 150.0 and y.inputs[1].grad == 150.0


@pytest.mark.parametrize("values, error", [
    ({"a b": 1.0}, ValueError), ({"class": 1.0}, ValueError), ({1: 1.0}, ValueError),
    ({"a": "2"}, TypeError), ({"a": None}, TypeError), ([("a", 1.0)], TypeError),
])
def test_bad_values_are_rejected(values, error):
    with pytest.raises(error):
        parse_expression("a", values)


def test_text_must_be_a_string():
    with pytest.raises(TypeError, match="str"):
        parse_expression(b"a", VALUES)


# --- property: the parser builds what the same tree of Value operations builds ----------------

LEAF_VALUES = {"a": 0.75, "b": -1.5, "c": 2.0}


def _tree():
    ops = {"+": pyast.Add, "-": pyast.Sub, "*": pyast.Mult, "/": pyast.Div, "**": pyast.Pow}
    leaves = st.one_of(
        st.sampled_from(sorted(LEAF_VALUES)).map(lambda n: ("name", n)),
        st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 10.0]).map(lambda x: ("num", x)))

    def extend(children):  # each tree: ("bin", op, l, r), ("neg", x), ("call", method, x)
        return st.one_of(
            st.tuples(st.just("bin"), st.sampled_from(sorted(ops)), children, children),
            st.tuples(st.just("neg"), children),
            st.tuples(st.just("call"), st.sampled_from(["tanh", "relu", "sigmoid", "abs", "exp"]),
                      children))
    return st.recursive(leaves, extend, max_leaves=8), ops


TREES, OPS = _tree()


def to_ast(tree):
    kind = tree[0]
    if kind == "name":
        return pyast.Name(id=tree[1], ctx=pyast.Load())
    if kind == "num":
        return pyast.Constant(value=tree[1])
    if kind == "neg":
        return pyast.UnaryOp(op=pyast.USub(), operand=to_ast(tree[1]))
    if kind == "bin":
        return pyast.BinOp(left=to_ast(tree[2]), op=OPS[tree[1]](), right=to_ast(tree[3]))
    return pyast.Call(func=pyast.Attribute(value=to_ast(tree[2]), attr=tree[1], ctx=pyast.Load()),
                      args=[], keywords=[])


def by_values(tree, leaves):
    """The same tree built with Value operators directly (numbers stay numbers until they meet a Value)."""
    kind = tree[0]
    if kind == "name":
        return leaves[tree[1]]
    if kind == "num":
        return tree[1]
    if kind == "neg":
        x = by_values(tree[1], leaves)
        return -x
    if kind == "call":
        x = by_values(tree[2], leaves)
        x = x if isinstance(x, Value) else Value(x)
        return getattr(x, tree[1])()
    left, right = by_values(tree[2], leaves), by_values(tree[3], leaves)
    if not isinstance(left, Value) and not isinstance(right, Value):
        left = Value(left)
    return {"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
            "/": lambda: left / right, "**": lambda: left ** right}[tree[1]]()


def same(x, y):
    return (math.isnan(x) and math.isnan(y)) or x == y


@given(TREES)
def test_parser_matches_value_operators(tree):
    text = pyast.unparse(to_ast(tree))
    parsed = parse_expression(text, LEAF_VALUES)
    leaves = {k: Value(v, label=k) for k, v in LEAF_VALUES.items()}
    expected = by_values(tree, leaves)
    expected_data = expected.data if isinstance(expected, Value) else expected
    assert same(parsed.data, expected_data), text
    if isinstance(expected, Value):
        parsed.backward()
        expected.backward()
        got = {v.label: v.grad for v in _all(parsed) if v.label in LEAF_VALUES}
        for name, leaf in leaves.items():
            if name in got:
                assert same(got[name], leaf.grad), (text, name)
