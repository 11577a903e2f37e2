"""Turn a typed expression such as ``"(a*b + c).tanh()"`` into a graph of Values.

The text is parsed with :mod:`ast` (checked first by :mod:`engine.expr_syntax`,
which also points error messages at the offending part) and then walked by a
strict whitelist: only names given in ``values``, int/float literals,
``+ - * / **``, unary minus and the engine's one-input functions (as methods,
``x.tanh()``, or as calls, ``tanh(x)``) are accepted. Nothing is ever evaluated by Python: each operation
becomes an engine node, and plain numbers become constant nodes, so even
``9 ** 9 ** 9`` is IEEE arithmetic (``inf``) that finishes at once.

Anything else gets a ``ValueError`` that shows the offending part with a caret.

>>> y = parse_expression("(a*b + c).tanh()", {"a": 2, "b": -3, "c": 10})
>>> round(y.data, 6), y.label
(0.999329, 'out')
>>> [v.label for v in y.inputs[0].inputs]
['d', 'c']
>>> parse_expression("a.__class__", {"a": 1})
Traceback (most recent call last):
...
ValueError: attribute access is not allowed (only calls such as x.tanh()) at column 1:
  a.__class__
  ^^^^^^^^^^^
"""

from __future__ import annotations

import ast
import keyword
import operator
from typing import Mapping, Sequence, Union

# MAX_DEPTH, MAX_LENGTH and expression_names: engine.expr's names for them, as before
from .expr_syntax import (MAX_DEPTH, MAX_LENGTH, checked_tree, expression_names,  # noqa: F401
                          normal_name, pointed_at)
from .functional import apply, sum as value_sum
from .ops import RULES, Op
from .value import Value, as_real, lift

# Names for intermediate results, in the spirit of "e = a*b; d = e + c" (skipping given names
# and letters easily misread: i, j, l, o).
_NAMES = list("defghkmnpqrstuvz")
ROOT_NAMES = ("out", "result", "root")

# Each allowed operator, applied to Values (the engine's rule table does the arithmetic).
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow}

_FORBIDDEN = {
    "Lambda": "lambda", "ListComp": "a comprehension", "SetComp": "a comprehension",
    "DictComp": "a comprehension", "GeneratorExp": "a generator expression",
    "Subscript": "indexing", "Slice": "slicing", "Compare": "a comparison",
    "BoolOp": "and/or", "IfExp": "a conditional expression", "NamedExpr": "':='",
    "Tuple": "a tuple", "List": "a list", "Dict": "a dict", "Set": "a set",
    "Starred": "'*' unpacking", "JoinedStr": "an f-string", "FormattedValue": "an f-string",
    "Await": "await", "Yield": "yield", "YieldFrom": "yield",
}

Number = Union[int, float]


def unary_functions() -> dict:
    """Name -> Op of every one-input function an expression may call.

    The built-in methods of :class:`Value` (``tanh``, ``relu``, ``leaky_relu``, ...)
    plus any one-input op added with :func:`engine.define_op`.

    >>> sorted(unary_functions())[:4]
    ['abs', 'erf', 'exp', 'gelu']
    """
    found = {}
    for name, op in RULES.items():
        if op.arity != 1:
            continue
        if not op.builtin or callable(getattr(Value, name, None)):
            found[name] = op
    return found


def parse_expression(text: str, values: Mapping[str, Union[Number, Value]]) -> Value:
    """Build the graph of ``text`` over the named ``values`` (numbers or Values).

    Leaves are named by their variable names (a name used twice is one node);
    intermediate results get short free names (``d``, ``e``, ...) in the order
    they are computed, and the result is called ``out``.

    >>> y = parse_expression("x ** 2 + 2 ** x", {"x": 3})
    >>> y.data, [v.op.name for v in y.inputs]
    (17.0, ['pow_const', 'const_pow'])
    >>> parse_expression("9 ** 9 ** 9", {}).data
    inf
    """
    if not isinstance(values, Mapping):
        raise TypeError(f"values must be a dict of name -> number, got {type(values).__name__}")
    leaves = _leaves(values)
    tree = checked_tree(text)
    builder = _Builder(text, leaves)
    out = builder.build(tree.body)
    if not isinstance(out, Value):  # a bare number: still a node, never a Python float
        out = lift(out)
    if out.inputs and out.label and out not in leaves.values():
        builder.used.discard(out.label)
        out.label = builder.fresh_name(ROOT_NAMES)
    return out


def _leaves(values: Mapping) -> dict:
    leaves = {}
    for given, x in values.items():
        name = normal_name(given) if isinstance(given, str) else given
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"variable names must be Python identifiers, got {given!r}")
        if name in leaves:
            raise ValueError(f"{name!r} is given twice (names are compared as Python reads them)")
        if isinstance(x, Value):
            leaves[name] = x
        else:
            leaves[name] = Value(as_real(x, f"value of {name!r}"), label=name)
    return leaves


class _Builder:
    """The whitelist walker: each accepted AST node becomes a number or a Value."""

    def __init__(self, text: str, leaves: dict) -> None:
        self.text = text
        self.leaves = leaves
        self.functions = unary_functions()
        self.used = set(leaves)
        self.fresh = 1

    def fail(self, message: str, node: ast.AST) -> ValueError:
        return ValueError(pointed_at(message, node, self.text))

    def build(self, node: ast.AST) -> Union[float, Value]:
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Constant):
            return self.literal(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute):
            raise self.fail("attribute access is not allowed (only calls such as x.tanh())", node)
        kind = type(node).__name__
        what = _FORBIDDEN.get(kind, f"this kind of expression ({kind})")
        raise self.fail(f"{what} is not allowed in an expression", node)

    def name(self, node: ast.Name) -> Value:
        if node.id not in self.leaves:
            known = ", ".join(sorted(self.leaves)) or "none given"
            hint = f" (it is a function: write {node.id}(x))" if node.id in self.functions else ""
            raise self.fail(f"unknown name {node.id!r}{hint}; known names: {known}", node)
        return self.leaves[node.id]

    def literal(self, node: ast.Constant) -> float:
        x = node.value
        if isinstance(x, bool) or not isinstance(x, (int, float)):  # True is an int, not a number here
            raise self.fail(f"only int and float numbers are allowed, got {type(x).__name__} "
                            f"{_short(repr(x))}", node)
        try:
            return float(x)
        except OverflowError:  # an integer literal too large for a double rounds to inf
            return float("inf")

    def unary(self, node: ast.UnaryOp) -> Union[float, Value]:
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise self.fail("only unary minus and plus are allowed", node)
        x = self.build(node.operand)
        if isinstance(node.op, ast.UAdd):
            return x
        return -x if not isinstance(x, Value) else self.named(-x, node)

    def binary(self, node: ast.BinOp) -> Value:
        operation = _BINARY.get(type(node.op))
        if operation is None:
            raise self.fail("only + - * / ** are allowed between operands", node)
        left, right = self.build(node.left), self.build(node.right)
        if not isinstance(left, Value) and not isinstance(right, Value):
            left = lift(left)  # two plain numbers: compute in the engine, never in Python
        return self.named(operation(left, right), node)

    def call(self, node: ast.Call) -> Value:
        func = node.func
        if isinstance(func, ast.Attribute):
            name, subject = func.attr, func.value
            if name not in self.functions or not self.functions[name].builtin:
                methods = ", ".join(sorted(n for n, op in self.functions.items() if op.builtin))
                raise self.fail(f"unknown method {name!r}; allowed: {methods}", _method_name(func))
            args = [subject] + list(node.args)
        elif isinstance(func, ast.Name):
            name, args = func.id, list(node.args)
            if name == "sum":
                return self.sum(node)
            if name not in self.functions:
                raise self.fail(f"calls of {name!r} are not allowed; allowed: {self.allowed()}", func)
        else:
            raise self.fail("only calls of the engine's functions are allowed", node)
        if any(isinstance(a, ast.Starred) for a in args) or any(k.arg is None for k in node.keywords):
            raise self.fail("'*' and '**' unpacking are not allowed", node)
        if not args:
            raise self.fail(f"{name}() needs an input, e.g. {name}(x)", node)
        x = self.build(args[0])
        settings = {}
        for k in node.keywords:
            settings[k.arg] = (self.setting(k.value), k.value)
        for position, extra in enumerate(args[1:]):
            settings[f"#{position}"] = (self.setting(extra), extra)
        return self.named(self.apply(name, x, settings, node), node)

    def apply(self, name: str, x: Union[float, Value], settings: dict, node: ast.Call) -> Value:
        x = x if isinstance(x, Value) else lift(x)
        if name == "leaky_relu":
            slope = self.one_setting(name, "slope", settings, node, default=0.01)
            if not isinstance(slope, float):
                raise self.fail("leaky_relu slope must be a number, e.g. x.leaky_relu(0.2)", node)
            return x.leaky_relu(slope)
        if name == "gelu":
            mode = self.one_setting(name, "approximate", settings, node, default="none")
            if mode not in ("none", "tanh"):
                raise self.fail(f"gelu approximate must be 'none' or 'tanh', got {mode!r}", node)
            return x.gelu(approximate=mode)
        if settings:
            _, first = next(iter(settings.values()))
            raise self.fail(f"{name}() takes no settings", first)
        op: Op = self.functions[name]
        return getattr(x, name)() if op.builtin else apply(op, (x,))

    def one_setting(self, name: str, key: str, settings: dict, node: ast.AST, default):
        given = dict(settings)
        value = default
        if "#0" in given:
            value = given.pop("#0")[0]
        if key in given:
            if "#0" in settings:
                raise self.fail(f"{name}() got {key} twice", node)
            value = given.pop(key)[0]
        if given:
            extra = next(iter(given.values()))[1]
            raise self.fail(f"{name}() takes only one setting ({key}=...)", extra)
        return value

    def setting(self, node: ast.AST) -> Union[float, str]:
        """A literal setting: a number (maybe negative) or the string of gelu's mode."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
                and isinstance(node.operand, ast.Constant):
            return -self.literal(node.operand)
        if isinstance(node, ast.Constant):
            return self.literal(node)
        raise self.fail("a setting must be a plain number (or 'tanh' for gelu)", node)

    def sum(self, node: ast.Call) -> Value:
        if node.keywords or not node.args or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail("sum takes the terms as inputs, e.g. sum(a, b, c)", node)
        return self.named(value_sum([self.build(a) for a in node.args]), node)

    def named(self, out: Value, node: ast.AST) -> Value:
        """Give a new intermediate node the next free short name (``d``, ``e``, ...)."""
        if out.label or not out.inputs:
            return out
        out.label = self.fresh_name()
        return out

    def fresh_name(self, preferred: Sequence[str] = ()) -> str:
        for name in list(preferred) + _NAMES:
            if name not in self.used:
                self.used.add(name)
                return name
        while f"t{self.fresh}" in self.used:
            self.fresh += 1
        self.used.add(f"t{self.fresh}")
        return f"t{self.fresh}"

    def allowed(self) -> str:
        return ", ".join(sorted(self.functions)) + ", sum"


def _method_name(func: ast.Attribute) -> ast.AST:
    """A stand-in node spanning just the method name of ``x.name`` (for the caret)."""
    spot = ast.Name(id=func.attr)
    end = func.end_col_offset if func.end_col_offset is not None else func.col_offset
    spot.lineno = spot.end_lineno = func.end_lineno or func.lineno
    spot.col_offset, spot.end_col_offset = max(func.col_offset, end - len(func.attr)), end
    return spot


def _short(text: str, width: int = 30) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."

