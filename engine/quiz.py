"""Quiz mode: the learner types every gradient before it is shown, and slips are named.

A :class:`Quiz` asks for each gradient in backward order, root first. Every
answer is followed by the right number, so each question starts from correct
upstream grads; a wrong answer is checked against the variants of
:data:`engine.MISTAKES`, computed with those revealed grads held fixed (the
``given`` of :func:`engine.grade`, which gives the same verdicts). A number
that no catalogued mistake produces is only called wrong, never blamed on one.
Mistakes about running ``backward()`` twice are left out: a quiz is one pass.

>>> from engine import Value
>>> x = Value(0.5, label="x"); y = x.tanh(); y.label = "y"
>>> quiz = Quiz(y)
>>> [q.name for q in quiz.questions]
['y', 'x']
>>> quiz.answer(quiz.questions[0], 1).ok
True
>>> verdict = quiz.answer(quiz.questions[1], 0.75)
>>> verdict.ok, verdict.mistake
(False, 'tanh_from_input')
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .backprop import topological_order
from .grade import ABS_TOL, REL_TOL
from .mistakes import MISTAKES, close, simulate
from .naming import NodeNames, fmt

MAX_QUESTIONS = 200
"""A quiz over more gradients than this is refused: nobody types 10,000 numbers."""


@dataclass(frozen=True)
class Question:
    """One gradient to work out: the node, its name, the right number and how it is made."""

    node: object
    name: str
    expected: float
    how: str  # the chain-rule sum that makes it, with the (revealed) upstream numbers
    variants: Dict[str, float] = field(default_factory=dict, repr=False)
    """What each catalogued mistake gives here (only those that differ from ``expected``)."""

    def to_json(self) -> dict:
        return {"name": self.name, "expected": self.expected, "how": self.how,
                "variants": self.variants}


@dataclass(frozen=True)
class Verdict:
    """What one typed answer was: right, or wrong and (perhaps) which mistake fits."""

    question: Question
    claimed: Optional[float]  # None: the learner asked to see it
    ok: bool
    mistake: Optional[str] = None
    also: tuple = ()  # other mistakes that give the same number

    def lines(self) -> List[str]:
        q = self.question
        if self.claimed is None:
            return [f"  shown: {q.name}.grad = {fmt(q.expected)}", f"    {q.how}"]
        if self.ok:
            return [f"  ✓ {q.name}.grad = {fmt(q.expected)}"]
        out = [f"  ✗ {q.name}.grad is {fmt(q.expected)}, not {fmt(self.claimed)}", f"    {q.how}"]
        if self.mistake:
            info = MISTAKES[self.mistake]
            out += [f"    Looks like {self.mistake}: {info.summary}.", f"    Hint: {info.hint}."]
            if self.also:
                out.append(f"    (the same number comes from {', '.join(self.also)} too)")
        else:
            out.append("    No catalogued mistake gives that number: recheck the arithmetic.")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


class Quiz:
    """The questions of one graph, and the answers given so far."""

    def __init__(self, root, *, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL,
                 order: Optional[list] = None) -> None:
        if not hasattr(root, "inputs") or not hasattr(root, "data"):
            raise TypeError(f"a quiz needs the root Value of a graph, got {type(root).__name__}")
        self.root = root
        self.rel_tol, self.abs_tol = rel_tol, abs_tol
        order = topological_order(root) if order is None else order  # a caller's walk is reused
        asked = [v for v in reversed(order) if v.requires_grad]
        if len(asked) > MAX_QUESTIONS:
            raise ValueError(f"this graph has {len(asked)} gradients to work out; a quiz asks for "
                             f"at most {MAX_QUESTIONS} gradients: quiz a smaller expression")
        names = NodeNames(order)
        expected = simulate(root, order=order)
        endless = [names(v) for v in asked if not math.isfinite(expected[v])]
        if endless:
            raise ValueError(f"{', '.join(endless[:3])}{' ...' if len(endless) > 3 else ''}: the "
                             "gradient is nan or infinite, which nobody can work out by hand; "
                             "quiz an expression whose gradients are finite numbers")
        # Every earlier answer is revealed, so each variant is judged from correct upstream grads:
        # pin every node, and read what the variant made at each node before its pin took over.
        pinned = dict(expected)
        variants: Dict[object, Dict[str, float]] = {v: {} for v in asked}
        for key, mistake in MISTAKES.items():
            if mistake.passes > 1:  # about running backward() twice, not about one worked answer
                continue
            grads = simulate(root, mistake, pinned=pinned, order=order)
            for v in asked:
                g = grads[v]
                if math.isfinite(g) and not close(g, expected[v], rel_tol, abs_tol):
                    variants[v][key] = g
        users: Dict[object, list] = {v: [] for v in order}
        for u in order:
            for i, x in enumerate(u.inputs):
                users[x].append((u, i))
        self.questions: List[Question] = [
            Question(v, names(v), expected[v], _how(v, root, users[v], expected, names), variants[v])
            for v in asked]
        self.verdicts: List[Verdict] = []

    def answer(self, question: Question, claimed: Optional[float]) -> Verdict:
        """Record the learner's number for ``question`` (None: show me) and judge it."""
        if claimed is None:
            verdict = Verdict(question, None, False)
        else:
            claimed = float(claimed)
            if not math.isfinite(claimed):
                raise ValueError(f"an answer must be a finite number, got {claimed!r}")
            ok = close(claimed, question.expected, self.rel_tol, self.abs_tol)
            fits = [] if ok else [k for k, g in question.variants.items()
                                  if close(claimed, g, self.rel_tol, self.abs_tol)]
            fits.sort(key=lambda k: -self._seen(k))  # a mistake made before is the likelier one
            verdict = Verdict(question, claimed, ok, fits[0] if fits else None, tuple(fits[1:]))
        self.verdicts.append(verdict)
        return verdict

    def _seen(self, key: str) -> int:
        return sum(1 for v in self.verdicts if v.mistake == key)

    def summary_lines(self) -> List[str]:
        """How the session went: right first time, wrong, shown, and the mistakes seen."""
        total = len(self.questions)
        right = sum(v.ok for v in self.verdicts)
        shown = sum(v.claimed is None for v in self.verdicts)
        wrong = len(self.verdicts) - right - shown
        lines = [f"quiz summary: {right} of {total} gradient(s) right, {wrong} wrong, {shown} shown"
                 + (f", {total - len(self.verdicts)} not reached" if len(self.verdicts) < total else "")]
        mistakes = Counter(v.mistake for v in self.verdicts if v.mistake)
        for key, count in mistakes.most_common():
            where = ", ".join(v.question.name for v in self.verdicts if v.mistake == key)
            lines.append(f"  {key} ({count}×: {where}) — {MISTAKES[key].hint}")
        unexplained = [v.question.name for v in self.verdicts
                       if not v.ok and v.claimed is not None and not v.mistake]
        if unexplained:
            lines.append(f"  arithmetic to recheck: {', '.join(unexplained)}")
        if total and right == total:
            lines.append("  every gradient right: that is the whole backward pass, by hand")
        return lines

    def to_json(self) -> list:
        """The questions as plain data, for the HTML player's quiz."""
        return [q.to_json() for q in self.questions]


def _how(v, root, uses: list, grads: dict, names: NodeNames) -> str:
    """``v``'s grad as the sum of its uses' contributions, with the numbers."""
    name = names(v)
    if v is root:
        return f"{name} is the output: ∂{name}/∂{name} = 1"
    if not uses:
        return f"nothing uses {name}, so its grad is 0"
    terms, numbers = [], []
    for u, i in uses:
        inputs = [names(x) for x in u.inputs]
        local = u.op.describe_local(i, inputs, names(u), u.attr)
        value = u.local[i]
        terms.append(f"{_factor(local)} × {names(u)}.grad")
        numbers.append(f"{fmt(value)} × {fmt(grads[u])}")
    total = fmt(grads[v])
    if len(uses) == 1:
        return f"{name}.grad = {terms[0]} = {numbers[0]} = {total}"
    return (f"{name} is used {len(uses)} times, so its grad is a sum: {name}.grad = "
            + " + ".join(terms) + " = " + " + ".join(numbers) + f" = {total}")


def _factor(formula: str) -> str:
    """A local-derivative formula as a factor: bracketed unless it is one name or number."""
    plain = formula.replace(".", "").replace("_", "").lstrip("-")
    return formula if plain.isalnum() else f"({formula})"
