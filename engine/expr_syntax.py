"""Reading an expression's text: its checked syntax tree, and errors that point at a part.

:func:`checked_tree` parses the text with :mod:`ast` once it has checked the
length, that the text is not blank and holds no lone surrogate, and that the
tree is not nested too deeply. :func:`pointed_at` writes a message with the
offending line and a caret under the offending part, placed by terminal
columns. :mod:`engine.expr` walks the tree into a graph of Values.

>>> type(checked_tree("a*b + c").body.op).__name__
'Add'
>>> checked_tree("")
Traceback (most recent call last):
...
ValueError: expression is empty; expected something like "(a*b + c).tanh()"
>>> print(pointed_at("not allowed", checked_tree("a + b[0]").body.right, "a + b[0]"))
not allowed at column 5:
  a + b[0]
      ^^^^
"""

from __future__ import annotations

import ast
import unicodedata
import warnings

MAX_LENGTH = 2000
"""Longest expression text accepted (characters)."""

MAX_DEPTH = 200
"""Deepest nesting of operations accepted (a chain ``x+x+...`` counts one level per ``+``)."""


def expression_names(text: str) -> list:
    """The variable names ``text`` uses, NFKC-normalised as Python reads them, in order.

    Names called as functions (``tanh(x)``) are not variables; a syntax error or a
    lone surrogate is the same ``ValueError`` :func:`engine.expr.parse_expression` gives.

    >>> expression_names("(a*b + a).tanh() + tanh(ｃ)")
    ['a', 'b', 'c']
    """
    called = set()
    found: dict = {}
    for node in ast.walk(checked_tree(text)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(id(node.func))
        elif isinstance(node, ast.Name) and id(node) not in called:
            where = (node.lineno, node.col_offset)
            found[node.id] = min(found.get(node.id, where), where)
    return sorted(found, key=found.__getitem__)


def normal_name(name: str) -> str:
    """``name`` as Python's tokenizer reads an identifier (NFKC): ``ａ``, ``𝑥``, ``ﬁ`` -> a, x, fi."""
    return unicodedata.normalize("NFKC", name)


def checked_tree(text: str) -> ast.Expression:
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
            raise ValueError(pointed_at(f"expression is nested too deeply (the limit is {MAX_DEPTH} levels)",
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


def pointed_at(message: str, node: ast.AST, text: str) -> str:
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
