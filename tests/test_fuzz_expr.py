"""Fuzzing the stepper's expression parser and the CLI's NAME=NUMBER reader.

* Random text (from an alphabet full of Python's syntax) is either a graph or a
  ``ValueError`` with a caret pointing into the text - quickly, never another exception.
* Random expression trees, written out by :func:`ast.unparse` with Python's own minimal
  parentheses, parse to exactly the graph that the same tree builds from Values directly:
  the same number, bit for bit, and the same gradients (precedence, right-associative
  ``**``, unary minus, method and call spellings, constant folding in the engine).
"""

from __future__ import annotations

import ast
import time

from hypothesis import example, given
from hypothesis import strategies as st

from engine import Value
from engine.cli import UsageError, parse_values
from engine.expr import MAX_LENGTH, parse_expression
from engine.value import lift

from numbers_alike import at_least, same

VALUES = {"a": 2.0, "b": -3.0, "c": 0.5}
ALPHABET = list("abcxyz0123456789.+-*/%@()[]{},:;=<>!~^&|'\"\\ \t\n_e") + [
    "tanh", "relu", "sum", "exp", "log", "lambda", "__class__", "__import__", "import", "for",
    "in", "if", "else", "**", "//", "gelu", "approximate=", "'tanh'", "leaky_relu", "1e400"]
FUNCTIONS = ["tanh", "exp", "relu", "sigmoid", "softplus", "silu", "abs", "gelu"]


def _caret_points_into(message: str, text: str) -> bool:
    lines = message.splitlines()
    return any(set(below.strip()) == {"^"} and above.strip() for above, below in zip(lines, lines[1:]))


@at_least(400)
@given(text=st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join))
@example(text="a.__class__.__base__")
@example(text="(lambda: a)()")
@example(text="'\\\\'")
@example(text="a\n")
@example(text="\n")
def test_any_text_is_a_graph_or_a_pointed_value_error(text):
    start = time.perf_counter()
    try:
        out = parse_expression(text, VALUES)
    except ValueError as error:
        message = str(error)
        assert (_caret_points_into(message, text) or "expression is empty" in message
                or "nested too deeply" in message), message
    else:
        assert isinstance(out, Value) and isinstance(out.data, float)
    assert time.perf_counter() - start < 2.0


# --- expression trees written by Python, read by the parser ---------------------------------


def trees(depth: int = 4):
    leaf = st.one_of(st.sampled_from(sorted(VALUES)).map(lambda n: ("name", n)),
                     st.floats(0.0, 5.0).map(lambda x: ("num", x)),
                     st.integers(0, 9).map(lambda n: ("num", float(n))))

    def extend(children):
        return st.one_of(
            st.tuples(st.just("bin"), st.sampled_from(["+", "-", "*", "/", "**"]), children, children),
            st.tuples(st.just("neg"), children),
            st.tuples(st.just("call"), st.sampled_from(FUNCTIONS), children, st.booleans()),
            st.tuples(st.just("leaky"), children, st.sampled_from([0.01, 0.2, 0.5])),
            st.tuples(st.just("gelu_tanh"), children, st.booleans()),
            st.tuples(st.just("sum"), st.lists(children, min_size=1, max_size=3)),
        )

    return st.recursive(leaf, extend, max_leaves=12)


_BINARY = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "**": ast.Pow}


def to_ast(tree) -> ast.expr:
    kind = tree[0]
    if kind == "name":
        return ast.Name(tree[1], ast.Load())
    if kind == "num":
        return ast.Constant(tree[1])
    if kind == "bin":
        return ast.BinOp(to_ast(tree[2]), _BINARY[tree[1]](), to_ast(tree[3]))
    if kind == "neg":
        return ast.UnaryOp(ast.USub(), to_ast(tree[1]))
    if kind == "call":
        _, name, arg, as_method = tree
        return _call(name, to_ast(arg), as_method)
    if kind == "leaky":
        return _call("leaky_relu", to_ast(tree[1]), True, [ast.Constant(tree[2])])
    if kind == "gelu_tanh":
        keyword = [ast.keyword("approximate", ast.Constant("tanh"))]
        return _call("gelu", to_ast(tree[1]), tree[2], keywords=keyword)
    return ast.Call(ast.Name("sum", ast.Load()), [to_ast(t) for t in tree[1]], [])


def _call(name, arg, as_method, extra=(), keywords=()):
    if as_method:
        return ast.Call(ast.Attribute(arg, name, ast.Load()), list(extra), list(keywords))
    return ast.Call(ast.Name(name, ast.Load()), [arg, *extra], list(keywords))


def build(tree, leaves):
    """The graph of ``tree`` made from Values directly, numbers folded as the parser does."""
    kind = tree[0]
    if kind == "name":
        return leaves[tree[1]]
    if kind == "num":
        return tree[1]
    if kind == "bin":
        left, right = build(tree[2], leaves), build(tree[3], leaves)
        if not isinstance(left, Value) and not isinstance(right, Value):
            left = lift(left)  # two numbers: the engine computes, IEEE, never Python
        return {"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
                "/": lambda: left / right, "**": lambda: left ** right}[tree[1]]()
    if kind == "neg":
        return -build(tree[1], leaves)
    if kind == "sum":
        import engine
        return engine.sum([build(t, leaves) for t in tree[1]])
    x = build(tree[1] if kind != "call" else tree[2], leaves)
    x = x if isinstance(x, Value) else lift(x)
    if kind == "leaky":
        return x.leaky_relu(tree[2])
    if kind == "gelu_tanh":
        return x.gelu(approximate="tanh")
    return getattr(x, tree[1])()


@at_least(300)
@given(tree=trees())
@example(tree=("bin", "**", ("num", 2.0), ("bin", "**", ("num", 3.0), ("num", 2.0))))  # 2**(3**2)
@example(tree=("neg", ("bin", "**", ("num", 2.0), ("num", 2.0))))  # -(2**2), not (-2)**2
@example(tree=("bin", "-", ("name", "a"), ("bin", "-", ("name", "b"), ("name", "c"))))
@example(tree=("call", "relu", ("neg", ("name", "a")), True))  # (-a).relu()
@example(tree=("bin", "/", ("num", 0.0), ("num", 0.0)))
def test_unparsed_trees_parse_to_the_same_graph(tree):
    text = ast.unparse(ast.Expression(to_ast(tree)))
    if len(text) > MAX_LENGTH:
        return
    parsed = parse_expression(text, VALUES)
    leaves = {name: Value(x, label=name) for name, x in VALUES.items()}
    direct = build(tree, leaves)
    direct = direct if isinstance(direct, Value) else lift(direct)
    assert same(parsed.data, direct.data), (text, parsed.data, direct.data)
    parsed.backward()
    grads = {v.label: v.grad for v in _leaves(parsed)}
    direct.backward()
    for name, leaf in leaves.items():
        if name in grads:
            assert same(grads[name], leaf.grad), (text, name, grads[name], leaf.grad)


def _leaves(root):
    from engine import topological_order
    return [v for v in topological_order(root) if not v.inputs and v.label in VALUES]


@at_least(300)
@given(items=st.lists(st.text(max_size=12), max_size=4))
@example(items=["a=1e999", "b=-inf", "c=nan"])
@example(items=["a=1", "a=2"])
@example(items=["=1"])
def test_cli_values_are_numbers_or_a_usage_error(items):
    try:
        values = parse_values(items)
    except UsageError as error:
        assert "NAME=NUMBER" in str(error) or "given twice" in str(error)
    else:
        assert all(name.isidentifier() and isinstance(x, float) for name, x in values.items())
