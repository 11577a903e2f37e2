"""The ``chainrule`` command: step through backpropagation in a terminal.

``chainrule step "(a*b + c).tanh()" a=2 b=-3 c=10`` prints the forward pass,
then walks the backward pass one step per Enter (all at once with ``--all``
or when the input is not a terminal) and can write the graph as SVG or as an
HTML player. The expression is read by :func:`engine.expr.parse_expression`,
a whitelist parser; nothing typed is ever evaluated by Python.

>>> main(["step", "a*b", "a=2", "b=-3", "--all"])  # doctest: +ELLIPSIS
a*b  with a=2, b=-3
<BLANKLINE>
forward pass (inputs before outputs):
  a   = 2
  b   = -3
  out = a * b = 2 * (-3) = -6
<BLANKLINE>
backward pass: 1 step
<BLANKLINE>
step 1 of 1: out = a * b = -6
  upstream ∂out/∂out = 1
...
gradients:
  a.grad = -3
  b.grad = 2
0
"""

from __future__ import annotations

import argparse
import keyword
import os
import sys
from typing import TYPE_CHECKING, List, Optional, Sequence

from .backprop import backward_steps, topological_order
from .cli_quiz import QUIZ_HELP, ask_all  # noqa: F401 - engine.cli.QUIZ_HELP, as before
from .expr import MAX_LENGTH, expression_names, normal_name, parse_expression, unary_functions
from .naming import NodeNames, fmt
# ASCII_SPELLINGS: engine.cli's name for it, as before
from .terminal import ASCII_SPELLINGS, TerminalWriter, showable, stream_encoding  # noqa: F401

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

    from .value import Value

EXAMPLES = """\
examples:
  chainrule step "(a*b + c).tanh()" a=2 b=-3 c=10
  chainrule step "(x1*w1 + x2*w2 + b).tanh()" x1=2 x2=0 w1=-3 w2=1 b=6.8813735870195432 --all
  chainrule step "x**2 + 2**x" x=3 --svg graph.svg --html player.html
  chainrule step --quiz "(a*b + a).tanh()" a=0.5 b=-1
  chainrule step -- "-a * b" a=2 b=3        (use -- before an expression starting with -)
  chainrule functions
"""

EXPRESSION_HELP = """\
The expression may use the given names, int/float numbers, + - * / ** and
unary -, and the engine's one-input functions as methods or calls:
x.tanh() or tanh(x), x.relu(), x.leaky_relu(0.2), x.gelu(approximate='tanh'),
sum(a, b, c). Nothing else is allowed (no attributes, indexing, strings, ...).
"""


class UsageError(Exception):
    """Bad command-line input: reported with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, printing usage and errors (which may quote any text) as a TerminalWriter would."""

    def _print_message(self, message: str, file: Optional[SupportsWrite[str]] = None) -> None:
        if message:
            stream = file if file is not None else sys.stderr
            stream.write(showable(message, stream_encoding(stream)))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``chainrule`` command."""
    parser = _Parser(
        prog="chainrule", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="See backpropagation one step at a time (chainrule's scalar autograd engine).",
        epilog=EXAMPLES)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    step = sub.add_parser(
        "step", formatter_class=argparse.RawDescriptionHelpFormatter,
        help="print the forward pass of an expression, then step through its backward pass",
        description="Print the forward pass of EXPRESSION, then walk its backward pass one "
                    "chain-rule step per Enter key.\n\n" + EXPRESSION_HELP, epilog=EXAMPLES)
    step.add_argument("expression", help="e.g. \"(a*b + c).tanh()\" (quote it for the shell)")
    step.add_argument("values", nargs="*", metavar="NAME=NUMBER",
                      help="a value for every name in the expression, e.g. a=2 b=-3")
    step.add_argument("--all", action="store_true",
                      help="print every backward step at once (the default when the input "
                           "is not a terminal)")
    step.add_argument("--quiz", action="store_true",
                      help="you work out every gradient: each stays hidden until you type it, "
                           "and a wrong one is diagnosed (answers are read one per line)")
    step.add_argument("--svg", metavar="PATH", help="also write the graph, with grads, as SVG "
                                                    "(needs Graphviz's dot)")
    step.add_argument("--html", metavar="PATH",
                      help="also write a self-contained HTML backprop player")
    step.add_argument("--title", help="title of the HTML player (default: the expression and values)")
    sub.add_parser("functions", help="list the functions an expression may use")
    return parser


def parse_values(items: Sequence[str]) -> dict:
    """``["a=2", "b=-3"]`` -> ``{"a": 2.0, "b": -3.0}``, or a :class:`UsageError`.

    >>> parse_values(["a=2", "b=-3.5e-1"])
    {'a': 2.0, 'b': -0.35}
    """
    values = {}
    for item in items:
        name, sep, number = item.partition("=")
        name, number = normal_name(name.strip()), number.strip()  # as Python reads identifiers
        if not sep or not name.isidentifier() or keyword.iskeyword(name):
            raise UsageError(f"bad value {item!r}: expected NAME=NUMBER, e.g. a=2.5")
        if name in values:
            raise UsageError(f"{name!r} is given twice")
        try:
            values[name] = float(number)
        except ValueError:
            raise UsageError(f"bad number in {item!r}: expected NAME=NUMBER, e.g. {name}=2.5") from None
    return values


def forward_lines(root: "Value") -> List[str]:
    """The forward pass as text: every node in topological order with its numbers."""
    from .player import forward_numbers
    order = topological_order(root)
    names = NodeNames(order)
    shown = [names(v) for v in order]
    width = min(max(len(n) for n in shown), 24)
    lines = []
    for v, name in zip(order, shown):
        if not v.inputs:
            if v.requires_grad:
                lines.append(f"  {name:<{width}} = {fmt(v.data)}")
            continue
        formula = v.op.describe_forward([names(x) for x in v.inputs], v.attr)
        parts = [formula] if formula.replace(" ", "") != name.replace(" ", "") else []
        for part in (forward_numbers(v), fmt(v.data)):
            if not parts or part != parts[-1]:  # "-a = -2", not "-a = -2 = -2"
                parts.append(part)
        lines.append(f"  {name:<{width}} = " + " = ".join(parts))
    return lines


def check_names(expression: str, values: dict) -> None:
    """A :class:`UsageError` unless ``values`` gives exactly the names ``expression`` uses.

    >>> check_names("a*b", {"a": 2.0})
    Traceback (most recent call last):
    ...
    engine.cli.UsageError: no value for b: give b=NUMBER (e.g. b=2.5)
    >>> check_names("a*2", {"a": 2.0, "c": 1.0})
    Traceback (most recent call last):
    ...
    engine.cli.UsageError: unknown name c (c=1): the expression uses only a
    """
    try:
        used = expression_names(expression)
    except ValueError as e:
        raise UsageError(str(e)) from None
    functions = unary_functions()
    missing = [n for n in used if n not in values and n not in functions]
    if missing:
        raise UsageError(f"no value for {', '.join(missing)}: give "
                         + " ".join(f"{n}=NUMBER" for n in missing) + f" (e.g. {missing[0]}=2.5)")
    extra = [n for n in values if n not in used]
    if extra:
        known = ", ".join(used) if used else "no names"
        raise UsageError(f"unknown name{'s' if len(extra) > 1 else ''} "
                         + ", ".join(f"{n} ({n}={fmt(values[n])})" for n in extra)
                         + f": the expression uses {'only ' if used else ''}{known}")


def _step(args: argparse.Namespace, out) -> int:
    if args.quiz and args.all:
        raise UsageError("--quiz asks for every gradient in turn; leave out --all")
    values = parse_values(args.values)
    check_names(args.expression, values)
    try:
        root = parse_expression(args.expression, values)
    except ValueError as e:
        raise UsageError(str(e)) from None
    given = ", ".join(f"{k}={fmt(v)}" for k, v in values.items())
    heading = f"{args.expression}  with {given}" if given else args.expression
    if args.title is None:
        args.title = heading  # the HTML player is titled by what was typed
    print(heading, file=out)
    print("\nforward pass (inputs before outputs):", file=out)
    print("\n".join(forward_lines(root)), file=out)
    if args.quiz:
        return _quiz(root, args, out)
    interactive = not args.all and sys.stdin is not None and sys.stdin.isatty()
    steps = backward_steps(root)
    total = sum(1 for v in topological_order(root) if v.inputs)
    plural = "" if total == 1 else "s"
    hint = "  (Enter: next step, a: all the rest, q: stop)" if interactive and total else ""
    print(f"\nbackward pass: {total} step{plural}{hint}", file=out)
    for step in steps:
        print("\n" + str(step), file=out)
        if interactive and step.index < step.total:
            answer = _ask(out)
            if answer == "q":
                for _ in steps:  # finish silently so the written files show every grad
                    pass
                print("(stopped; the remaining steps ran silently)", file=out)
                break
            interactive = answer != "a"
    _print_grads(root, out)
    return _write_files(root, args, out, TerminalWriter(sys.stderr))


def _quiz(root, args: argparse.Namespace, out) -> int:
    """``--quiz``: engine.cli_quiz asks for every gradient; then the files are written."""
    from .quiz import Quiz
    try:
        quiz = Quiz(root)
    except ValueError as e:
        raise UsageError(str(e)) from None
    ask_all(quiz, out)
    if args.svg or args.html:
        root.backward()  # the drawings show the right grads
    return _write_files(root, args, out, TerminalWriter(sys.stderr))


def _ask(out) -> str:
    print("[Enter] next · a all · q stop > ", end="", file=out, flush=True)
    try:
        line = sys.stdin.readline()
    except (EOFError, OSError):
        return "a"
    if not line:  # end of input: print the rest without asking again
        return "a"
    return line.strip().lower()[:1]


def _print_grads(root, out) -> None:
    order = topological_order(root)
    names = NodeNames(order)
    leaves = [v for v in order if not v.inputs and v.requires_grad]
    print("\ngradients:" if leaves else "\n(no leaf needs a gradient)", file=out)
    for v in leaves:
        print(f"  {names(v)}.grad = {fmt(v.grad)}", file=out)


def _write_files(root, args: argparse.Namespace, out, err=None) -> int:
    status = 0
    if args.svg:
        try:
            from .draw import draw_dot
            svg = draw_dot(root).pipe(format="svg")
            with open(args.svg, "wb") as f:
                f.write(svg)
            print(f"wrote {args.svg}", file=out)
        except Exception as e:  # missing dot, too big, unwritable path: report, don't crash
            print(f"chainrule: could not write {args.svg}: {e}", file=err)
            status = 1
    if args.html:  # last: the player runs its own backward pass (leaf grads accumulate)
        from .player import save_player
        try:
            save_player(root, args.html, title=args.title, quiz=bool(getattr(args, "quiz", False)))
            print(f"wrote {args.html}", file=out)
        except OSError as e:
            print(f"chainrule: could not write {args.html}: {e}", file=err)
            status = 1
    return status


def _functions(out) -> int:
    print("functions an expression may use (as x.name() or name(x)):", file=out)
    for name, op in unary_functions().items():
        print(f"  {name:<11} {op.describe_forward(['x'], 'slope' if op.attrs else None)}", file=out)
    print("  sum        sum(a, b, c, ...): one Σ node", file=out)
    print(f"\noperators: + - * / ** and unary -; at most {MAX_LENGTH} characters.", file=out)
    return 0


BROKEN_PIPE = 141
"""Exit status when the reader of the output went away (``| head``): 128 + SIGPIPE, as a shell reports it."""


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``chainrule`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Output goes through a :class:`TerminalWriter`, so any terminal encoding works;
    a closed pipe ends the command quietly with status ``BROKEN_PIPE``.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    out = TerminalWriter(sys.stdout)
    try:
        if not argv:  # a bare `chainrule`: show what it can do
            parser.print_help(sys.stdout)
            return 0
        try:
            args = parser.parse_args(argv)
        except SystemExit as e:  # --help (0) or a usage error (2, message already printed)
            return int(e.code or 0)
        try:
            status = _functions(out) if args.command == "functions" else _step(args, out)
        except UsageError as e:
            print(f"chainrule {args.command}: error: {e}", file=TerminalWriter(sys.stderr))
            return 2
        out.flush()  # now, so a closed pipe is seen here and not while Python exits
        return status
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE
    except KeyboardInterrupt:
        print("", file=out)
        return 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so flushing the unwritable rest at exit raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        pass
