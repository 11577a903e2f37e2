"""Turn a typed expression such as ``"(a*b + c).tanh()"`` into a graph of Values.

The text is parsed with :mod:`ast` and then walked by a strict whitelist: only
names given in ``values``, int/float literals, ``+ - * / **``, unary minus and
the engine's one-input functions (as methods, ``x.tanh()``, or as calls,
``tanh(x)``) are accepted. Nothing is ever evaluated by Python: each operation
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
import unicodedata
import warnings
from typing import Mapping, Sequence, Union

from .functional import apply, sum as value_sum
from .ops import RULES, Op
from .value import Value, as_real, lift

MAX_LENGTH = 2000
"""Longest expression text accepted (characters)."""

MAX_DEPTH = 200
"""Deepest nesting of operations accepted (a chain ``x+x+...`` counts one level per ``+``)."""

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
    tree = _parse(text)
    builder = _Builder(text, leaves)
    out = builder.build(tree.body)
    if not isinstance(out, Value):  # a bare number: still a node, never a Python float
        out = lift(out)
    if out.inputs and out.label and out not in leaves.values():
        builder.used.discard(out.label)
        out.label = builder.fresh_name(ROOT_NAMES)
    return out


def expression_names(text: str) -> list:
    """The variable names ``text`` uses, NFKC-normalised as Python reads them, in order.

    Names called as functions (``tanh(x)``) are not variables; a syntax error or a
    lone surrogate is the same ``ValueError`` :func:`parse_expression` gives.

    >>> expression_names("(a*b + a).tanh() + tanh(ｃ)")
    ['a', 'b', 'c']
    """
    called = set()
    found: dict = {}
    for node in ast.walk(_parse(text)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(id(node.func))
        elif isinstance(node, ast.Name) and id(node) not in called:
            where = (node.lineno, node.col_offset)
            found[node.id] = min(found.get(node.id, where), where)
    return sorted(found, key=found.__getitem__)


def normal_name(name: str) -> str:
    """``name`` as Python's tokenizer reads an identifier (NFKC): ``ａ``, ``𝑥``, ``ﬁ`` -> a, x, fi."""
    return unicodedata.normalize("NFKC", name)


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


def _parse(text: str) -> ast.Expression:
    """The checked syntax tree of ``text`` (valid text, parsed, not nested too deeply)."""
    if not isinstance(text, str):
        raise TypeError(f"expression must be a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise ValueError("expression is empty; expected something like \"(a*b + c).tanh()\"")
    for col, char in enumerate(text):
        if "\ud800" <= char <= "\udfff":  # bytes that were not UTF-8 arrive as these
            line_start = text.rfind("\n", 0, col) + 1
            line_end = text.find("\n", col)
            line = text[line_start:line_end if line_end >= 0 else len(text)]
            raise ValueError(_pointed(f"the text holds U+{ord(char):04X}, a lone surrogate that is "
                                      "not a character (bytes that are not UTF-8?)",
                                      line, col - line_start, 1))
    tree = _syntax_tree(text)
    _check_depth(tree.body, text)
    return tree


def _syntax_tree(text: str) -> ast.Expression:
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" etc.: our own error follows
            warnings.simplefilter("ignore")
            return ast.parse(text, mode="eval")
    except SyntaxError as e:
        col = (e.offset or 1) - 1
        line = (e.text or text).rstrip("\n")
        message = _pointed(f"syntax error: {e.msg}", line, col, 1)
        if len(text.splitlines()) > 1:
            message = message.replace(" at column", f" at line {e.lineno}, column", 1)
        raise ValueError(message) from None
    except (RecursionError, MemoryError):
        raise ValueError(f"expression is nested too deeply (the limit is {MAX_DEPTH} levels)") from None


def _check_depth(root: ast.AST, text: str) -> None:
    # Iterative, so a hostile input cannot make the check itself recurse.
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(_at(f"expression is nested too deeply (the limit is {MAX_DEPTH} levels)",
                                 node, text))
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _cells(text: str) -> int:
    """Terminal columns ``text`` takes: 2 for wide (East Asian) characters, 0 for combining marks."""
    total = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def _shown(line: str) -> str:
    """The line as printed under a message: a lone surrogate shows as U+FFFD (one column)."""
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in line)


def _pointed(message: str, line: str, col: int, width: int, window: int = 60) -> str:
    """``message`` with the line and a caret under characters ``col .. col+width``.

    The caret is placed by terminal columns, so it stays under its part of a line
    holding wide characters (``日本``) or combining marks (``é`` spelled ``e`` + U+0301).
    """
    col = max(0, min(col, len(line)))
    width = max(1, min(width, len(line) - col))
    where = f" at column {col + 1}:"
    if len(line) > window:  # show only the part around the offending column
        start = max(0, min(col - window // 3, len(line) - window))
        shown = line[start:start + window]
        prefix = "..." if start else ""
        suffix = "..." if start + window < len(line) else ""
        col, width = col - start + len(prefix), min(width, window - (col - start))
        line = prefix + shown + suffix
    line = _shown(line)
    carets = max(1, _cells(line[col:col + width]))
    return f"{message}{where}\n  {line}\n  {' ' * _cells(line[:col])}{'^' * carets}"


def _at(message: str, node: ast.AST, text: str) -> str:
    """``message`` plus the line of ``text`` holding ``node`` with a caret under it."""
    lines = text.splitlines() or [text]
    lineno = getattr(node, "lineno", 1)
    line = lines[min(lineno, len(lines)) - 1]
    # ast counts columns in UTF-8 bytes; the caret needs characters
    col = _characters(line, getattr(node, "col_offset", 0))
    end = getattr(node, "end_col_offset", None)
    same_line = getattr(node, "end_lineno", lineno) == lineno
    width = (_characters(line, end) - col) if (end is not None and same_line) else len(line) - col
    where = f"line {lineno}, " if len(lines) > 1 else ""
    return _pointed(message, line, col, width).replace(" at column", f" at {where}column", 1)


def _characters(line: str, byte_offset: int) -> int:
    """The character index of a UTF-8 byte offset into ``line``."""
    return len(line.encode("utf-8", "surrogatepass")[:byte_offset].decode("utf-8", "ignore"))


class _Builder:
    """The whitelist walker: each accepted AST node becomes a number or a Value."""

    def __init__(self, text: str, leaves: dict) -> None:
        self.text = text
        self.leaves = leaves
        self.functions = unary_functions()
        self.used = set(leaves)
        self.fresh = 1

    def fail(self, message: str, node: ast.AST) -> ValueError:
        return ValueError(_at(message, node, self.text))

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

