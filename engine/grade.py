"""``grade(root, answers)``: check gradients computed by hand and name the mistake behind them.

``answers`` maps node labels (or the nodes themselves) to the grads a learner
worked out, for any subset of the graph. The report says which are right,
the first wrong one in backward order, and, when one variant from
:data:`engine.MISTAKES` reproduces every claimed number (and differs from
the right answer on at least one), which mistake that is.

>>> from engine import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> d = a - b; d.label = "d"
>>> y = d * d; y.label = "y"
>>> report = grade(y, {"y": 1, "d": 10, "a": 10, "b": 10})
>>> report.correct, report.first_wrong, report.mistake
(False, 'b', 'sub_sign')
>>> grade(y, {"a": 10, "b": -10}).correct
True
"""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional

from .backprop import topological_order
from .naming import fmt
from .mistakes import MISTAKES, Mistake, close, simulate

REL_TOL = 1e-3
"""Default relative tolerance: numbers worked out by hand are rounded."""
ABS_TOL = 1e-6


@dataclass(frozen=True)
class Row:
    """One claimed node: its name, the right grad, the learner's and the named mistake's."""

    name: str
    expected: float
    claimed: float
    ok: bool
    variant: Optional[float] = None


class GradeReport:
    """What :func:`grade` found: ``correct``, ``first_wrong``, ``mistake`` and the rows."""

    def __init__(self, rows: List[Row], mistake: Optional[str], candidates: List[str],
                 where: str) -> None:
        self.rows = rows
        self.correct = all(r.ok for r in rows)
        wrong = [r.name for r in rows if not r.ok]
        self.first_wrong: Optional[str] = wrong[0] if wrong else None
        self.mistake = mistake
        self.candidates = candidates  # every catalogued mistake that fits, best first
        self.where = where  # how the first wrong node's grad is made

    @property
    def info(self) -> Optional[Mistake]:
        """The catalogue entry of the named mistake, or None."""
        return MISTAKES[self.mistake] if self.mistake else None

    def summary(self) -> str:
        """One line: right, or where it first goes wrong and which mistake fits."""
        right = sum(r.ok for r in self.rows)
        if self.correct:
            return f"all {len(self.rows)} gradient(s) right"
        line = f"{right} of {len(self.rows)} gradient(s) right; first wrong: {self.first_wrong}"
        return line + (f" — looks like {self.mistake}" if self.mistake else "")

    def lines(self) -> List[str]:
        """The explanation as text lines: a table in backward order, then the diagnosis."""
        width = max([4] + [len(r.name) for r in self.rows])
        head = f"  {'node':<{width}}  {'expected':>11}  {'claimed':>11}"
        if self.mistake:
            head += f"  {self.mistake:>11}"
        out = [self.summary(), "", head]
        for r in self.rows:
            line = f"  {r.name:<{width}}  {fmt(r.expected):>11}  {fmt(r.claimed):>11}"
            if self.mistake and r.variant is not None:  # a variant is recorded with every mistake
                line += f"  {fmt(r.variant):>11}"
            out.append(line + ("  ✓" if r.ok else "  ✗"))
        if self.first_wrong:
            out += ["", f"{self.first_wrong}.grad is the first wrong number; {self.where}"]
        if self.info:
            out += ["", f"Every claimed number matches the mistake {self.mistake}:",
                    f"  {self.info.summary}.", f"  Hint: {self.info.hint}."]
            others = self.candidates[1:]
            if others:
                out.append(f"  (these numbers fit {', '.join(others)} as well)")
        elif not self.correct:
            out += ["", "No catalogued mistake reproduces all these numbers: "
                        "recheck the arithmetic of the first wrong node."]
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return (f"<GradeReport correct={self.correct} first_wrong={self.first_wrong!r} "
                f"mistake={self.mistake!r}>")

    def _repr_html_(self) -> str:
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in
                        ["node", "expected", "claimed"] + ([self.mistake] if self.mistake else []) + [""])
        body = []
        for r in self.rows:
            values = [r.name, fmt(r.expected), fmt(r.claimed)]
            values += [fmt(r.variant)] if self.mistake and r.variant is not None else []
            mark = "✓" if r.ok else "✗"
            colour = "#15803d" if r.ok else "#b91c1c"
            body.append("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in values)
                        + f'<td style="color:{colour}">{mark}</td></tr>')
        notes = "".join(f"<p>{html.escape(line)}</p>" for line in self.lines()[len(self.rows) + 3:]
                        if line.strip())
        return (f"<div><p><b>{html.escape(self.summary())}</b></p><table><tr>{cells}</tr>"
                f"{''.join(body)}</table>{notes}</div>")


def grade(root, answers: Mapping, *, given: Optional[Mapping] = None,
          rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL) -> GradeReport:
    """Compare hand-computed grads with the right ones and name the catalogued mistake that fits.

    ``answers`` maps labels (or nodes) to numbers; ``given`` maps labels (or
    nodes) to grads the learner was shown before working on (a quiz reveals
    each one), so a mistake is judged from there on.
    """
    if not hasattr(root, "inputs") or not hasattr(root, "data"):
        raise TypeError(f"grade needs the root Value of a graph, got {type(root).__name__}")
    order = topological_order(root)
    claimed = _resolve(answers, order, "answers")
    pinned = _resolve(given or {}, order, "given")
    backward = [v for v in reversed(order) if v in claimed]
    expected = simulate(root, pinned=pinned, order=order)
    ok = {v: close(claimed[v], expected[v], rel_tol, abs_tol) for v in backward}
    candidates: List[str] = []
    variants: Dict[str, dict] = {}
    if not all(ok.values()):
        for key, mistake in MISTAKES.items():
            grads = simulate(root, mistake, pinned=pinned, order=order)
            fits = all(close(claimed[v], grads[v], rel_tol, abs_tol) for v in backward)
            differs = any(not close(grads[v], expected[v], rel_tol, abs_tol) for v in backward)
            if fits and differs:
                candidates.append(key)
                variants[key] = grads
    mistake = candidates[0] if candidates else None
    names = _names(order)
    rows = [Row(names[v], expected[v], claimed[v], ok[v],
                variants[mistake][v] if mistake else None) for v in backward]
    first = next((v for v in backward if not ok[v]), None)
    return GradeReport(rows, mistake, candidates, _where(first, order, names, root) if first else "")


def _names(order: list) -> dict:
    return {v: v.label or f"n{k}" for k, v in enumerate(order)}


def _where(v, order: list, names: dict, root) -> str:
    """Which nodes a grad comes from: where to look for the slip."""
    if v is root:
        return "it is the root's own grad, d root / d root."
    users = [u for u in order if any(x is v for x in u.inputs)]
    parts = [f"{names[u]} = {u.op.describe_forward([names[x] for x in u.inputs], u.attr)}"
             for u in users]
    return f"it is summed from the contributions of {'; '.join(parts)}."


def _resolve(answers: Mapping, order: list, what: str) -> dict:
    """Map label/node keys to nodes and check every value is a finite real number."""
    if not isinstance(answers, Mapping):
        raise TypeError(f"{what} must be a dict of label -> gradient, got {type(answers).__name__}")
    by_label: Dict[str, list] = {}
    for v in order:
        if v.label:
            by_label.setdefault(v.label, []).append(v)
    members = set(order)
    resolved = {}
    for key, value in answers.items():
        if isinstance(key, str):
            found = by_label.get(key)
            if not found:
                known = ", ".join(sorted(by_label)) or "none: label the nodes first"
                raise ValueError(f"{what}: no node labelled {key!r} in this graph (labels: {known})")
            if len(found) > 1:
                raise ValueError(f"{what}: {len(found)} nodes are labelled {key!r}; "
                                 "give them different labels or key the answer by the node")
            node = found[0]
        elif hasattr(key, "inputs") and key in members:
            node = key
        else:
            raise TypeError(f"{what}: a key must be a node label (str) or a node of this graph, "
                            f"got {key!r}")
        if node in resolved:
            raise ValueError(f"{what}: {key!r} is given twice")
        resolved[node] = _number(value, key, what)
    return resolved


def _number(value: object, key: object, what: str) -> float:
    name = key if isinstance(key, str) else getattr(key, "label", "") or "a node"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what}[{name!r}] must be a number (the gradient), "
                        f"got {type(value).__name__} {value!r}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{what}[{name!r}] must be a finite number, got {value!r}")
    return number
