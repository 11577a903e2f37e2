"""``chainrule step --quiz``: the learner types every gradient, and each is checked at once.

:class:`engine.quiz.Quiz` makes the questions (from the output back to the
inputs), checks each answer and diagnoses a wrong one; this module asks them in
a terminal, one answer per line: a number or arithmetic such as ``1 - 0.5**2``
(read by :func:`engine.expr.parse_expression`, never evaluated by Python),
Enter to be shown the gradient, ``q`` to stop.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Union

from .expr import parse_expression
from .terminal import TextStream

if TYPE_CHECKING:
    from .quiz import Quiz

QUIZ_HELP = ("type each gradient (a number, or arithmetic such as 1 - 0.5**2); "
             "Enter shows it; q stops")


def ask_all(quiz: Quiz, out: TextStream) -> None:
    """Ask every question of ``quiz`` in turn, printing each verdict, then the summary."""
    root_name = quiz.questions[0].name if quiz.questions else "out"
    print(f"\nquiz: work out ∂{root_name}/∂x for every node x, from the output back to the inputs.",
          file=out)
    print(f"  ({QUIZ_HELP})", file=out)
    echo = sys.stdin is None or not sys.stdin.isatty()  # scripted answers: show them in the transcript
    for question in quiz.questions:
        claimed = read_answer(f"\n{question.name}.grad = ? ", out, echo)
        if isinstance(claimed, str):  # "q"
            print("(stopped)", file=out)
            break
        print(str(quiz.answer(question, claimed)), file=out)
    print("", file=out)
    print("\n".join(quiz.summary_lines()), file=out)


def read_answer(prompt: str, out: TextStream, echo: bool) -> Union[float, None, str]:
    """One answer: a float, None (show me), or "q" (stop; also at the end of the input)."""
    while True:
        print(prompt, end="", file=out, flush=True)
        try:
            line = sys.stdin.readline() if sys.stdin is not None else ""
        except (EOFError, OSError):
            line = ""
        if not line:
            print("(end of input)" if echo else "", file=out)
            return "q"
        text = line.strip()
        if echo:
            print(text, file=out)
        if text.lower() in ("q", "quit"):
            return "q"
        if not text:
            return None
        try:
            number = parse_expression(text, {}).data
        except (ValueError, TypeError, SyntaxError):
            number = math.nan
        if math.isfinite(number):
            return number
        print(f"  {text!r} is not a number: {QUIZ_HELP}", file=out)


