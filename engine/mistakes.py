"""The catalogue of backprop mistakes learners make, each a wrong variant of the rule table.

A :class:`Mistake` changes one thing about the backward pass: the local
derivative of some ops (``locals``, keyed by op name, given the input numbers,
the output, the op's setting and the correct locals from ``engine.RULES``),
how a contribution is made from ``local`` and ``upstream``, whether a grad is
overwritten instead of accumulated, the root's seed, or how many backward
passes ran without resetting. :func:`simulate` is the one backward pass that
every variant (and the correct rules, ``mistake=None``) runs through.

>>> from engine import Value
>>> x = Value(0.5, label="x"); y = x.tanh(); y.label = "y"
>>> right, wrong = simulate(y), simulate(y, MISTAKES["tanh_from_input"])
>>> round(right[x], 4), round(wrong[x], 4)
(0.7864, 0.75)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional

from . import numeric as num
from .backprop import topological_order
from .ops import RULES

# (inputs' numbers, output, attr, correct locals) -> the wrong locals
LocalHook = Callable[[tuple, float, object, tuple], tuple]


@dataclass(frozen=True)
class Mistake:
    """One named, deliberately wrong variant of the backward rules."""

    key: str
    summary: str  # one line: what the learner did
    hint: str  # one line: how to put it right
    locals: Mapping[str, LocalHook] = field(default_factory=dict, repr=False)
    chain: bool = True  # False: contribution = local (upstream never multiplied in)
    accumulate: bool = True  # False: inp.grad = contribution (last write wins)
    seed: float = 1.0  # the root's grad before the pass
    passes: int = 1  # backward passes run on the same graph
    keep: str = "leaves"  # between passes: grads kept by "leaves" only, or by "all" nodes

    def local(self, v) -> tuple:
        """The local derivatives this variant uses at node ``v``."""
        rule = RULES[v.op.name]
        xs = tuple(x.data for x in v.inputs)
        correct = tuple(rule.local(xs, v.data, v.attr))
        hook = self.locals.get(v.op.name)
        return correct if hook is None else tuple(hook(xs, v.data, v.attr, correct))


CORRECT = Mistake("correct", "the rules as they are", "")


def simulate(root, mistake: Optional[Mistake] = None, *, pinned: Optional[Mapping] = None,
             order: Optional[list] = None) -> dict:
    """Every node's grad under ``mistake`` (None: the correct rules), without touching ``.grad``.

    ``pinned`` maps nodes to grads the learner was told: the variant's number
    for such a node is still recorded, but the pinned one flows on below it.
    """
    rules = CORRECT if mistake is None else mistake
    order = topological_order(root) if order is None else order
    pinned = pinned or {}
    grads = dict.fromkeys(order, 0.0)
    for _ in range(rules.passes):
        for v in order:
            if v.inputs and rules.keep != "all":
                grads[v] = 0.0
        grads[root] = rules.seed + (0.0 if root.inputs else grads[root])
        grads = _one_pass(order, rules, grads, pinned)
    return grads


def _one_pass(order: list, rules: Mistake, grads: dict, pinned: Mapping) -> dict:
    seen = dict(grads)  # the number each node holds when its turn comes (before pinning)
    for v in reversed(order):
        seen[v] = grads[v]
        if v in pinned:
            grads[v] = pinned[v]
        if not v.inputs:
            continue
        upstream = grads[v]
        for inp, local in zip(v.inputs, rules.local(v)):
            contribution = local * upstream if rules.chain else local
            grads[inp] = grads[inp] + contribution if rules.accumulate else contribution
    return seen


def _neg_second(xs, out, attr, c):
    return (c[0], -c[1])


def _mul_own(xs, out, attr, c):
    return xs


def _dot_own(xs, out, attr, c):
    n = len(xs) // 2
    return xs[:2 * n] + ((1.0,) if len(xs) % 2 else ())


def _pow_no_factor(xs, out, c, correct):
    return (0.0 if c == 0.0 else num.power(xs[0], c - 1.0),)


def _pow_not_lowered(xs, out, c, correct):
    return (c * out,)


def _pow2_no_factor(xs, out, attr, correct):
    base, e = xs
    return (0.0 if e == 0.0 else num.power(base, e - 1.0), correct[1])


def _catalogue(*entries: Mistake) -> dict:
    return {m.key: m for m in entries}


MISTAKES: dict = _catalogue(
    Mistake("overwrite_not_accumulate",
            "a node used more than once had its grad overwritten (=) instead of summed (+=)",
            "every use of a node adds its contribution: write grad += local × upstream",
            accumulate=False),
    Mistake("tanh_from_input",
            "tanh's local derivative was taken as 1 − x² from its input x, not 1 − tanh(x)²",
            "use tanh's output: local = 1 − out², where out = tanh(x)",
            locals={"tanh": lambda xs, out, a, c: (1.0 - xs[0] * xs[0],)}),
    Mistake("exp_from_input",
            "exp's local derivative was taken as its input x, not as exp(x)",
            "d/dx exp(x) = exp(x): the local derivative is exp's own output",
            locals={"exp": lambda xs, out, a, c: (xs[0],)}),
    Mistake("sigmoid_from_input",
            "σ's local derivative was taken as x(1 − x) from its input, not σ(x)(1 − σ(x))",
            "use σ's output: local = out × (1 − out), where out = σ(x)",
            locals={"sigmoid": lambda xs, out, a, c: (xs[0] * (1.0 - xs[0]),)}),
    Mistake("sub_sign",
            "the minus sign was dropped: the subtracted input (or −x) got local +1 instead of −1",
            "in a − b the local derivative for b is −1 (and for −x it is −1)",
            locals={"sub": lambda xs, out, a, c: (1.0, 1.0), "neg": lambda xs, out, a, c: (1.0,)}),
    Mistake("div_sign",
            "the divisor of a / b got +a/b² instead of −a/b²",
            "d(a/b)/db = −a / b²: making b bigger makes a/b smaller (for a, b > 0)",
            locals={"div": _neg_second}),
    Mistake("div_forgot_square",
            "the divisor of a / b got −a/b instead of −a/b²",
            "a/b = a·b⁻¹, so d/db = −a·b⁻²: divide by b twice",
            locals={"div": lambda xs, out, a, c: (c[0], -out)}),
    Mistake("pow_forgot_exponent",
            "x ** n got local x^(n−1), without the factor n in front",
            "the power rule brings the exponent down: d/dx xⁿ = n·xⁿ⁻¹",
            locals={"pow_const": _pow_no_factor, "pow": _pow2_no_factor}),
    Mistake("pow_kept_exponent",
            "x ** n got local n·xⁿ, the exponent not lowered by one",
            "the power rule lowers the exponent: d/dx xⁿ = n·xⁿ⁻¹",
            locals={"pow_const": _pow_not_lowered}),
    Mistake("mul_own_input",
            "in a * b each input got its own value as local (∂(a·b)/∂a taken as a)",
            "∂(a·b)/∂a = b: each factor's local derivative is the *other* factor",
            locals={"mul": _mul_own, "dot": _dot_own}),
    Mistake("log_from_output",
            "log's local derivative was taken as 1 / log(x), not 1 / x",
            "d/dx log(x) = 1 / x: divide by log's input, not its output",
            locals={"log": lambda xs, out, a, c: (num.div(1.0, out),)}),
    Mistake("relu_at_output",
            "ReLU's local derivative was taken as its output max(x, 0) instead of a 0/1 step",
            "ReLU passes the upstream grad through unchanged where x > 0: local = 1 there, 0 elsewhere",
            locals={"relu": lambda xs, out, a, c: (out,)}),
    Mistake("no_chain",
            "the local derivative was added on its own, not multiplied by the upstream grad",
            "chain rule: contribution = local × upstream, where upstream is the node's own grad",
            chain=False),
    Mistake("root_not_seeded",
            "the output's grad was left at 0, so nothing flowed back",
            "start the backward pass with root.grad = 1 (d root / d root)",
            seed=0.0),
    Mistake("forgot_zero_grad",
            "the leaves' grads hold two backward passes: zero_grad() was missing before backward()",
            "leaf grads accumulate across backward() calls: call zero_grad() before each one",
            passes=2),
    Mistake("backward_twice_no_reset",
            "backward ran twice and no grad (not even intermediate ones) was reset in between",
            "reset every grad to 0 (and the root's to 1) before a backward pass; run it once",
            passes=2, keep="all"),
)
"""Every catalogued mistake by key, in the order :func:`engine.grade` tries them."""


def close(claimed: float, value: float, rel_tol: float, abs_tol: float) -> bool:
    """True when a claimed number matches ``value`` within the tolerances (nan never does)."""
    return math.isclose(claimed, value, rel_tol=rel_tol, abs_tol=abs_tol)
