"""The slips the exercises name, beside the engine's catalogue (:data:`engine.MISTAKES`), and their words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple

from engine import MISTAKES


# --- the slips this package knows about, beside engine.MISTAKES ---------------------------


@dataclass(frozen=True)
class Slip:
    """One named mistake an exercise recognises: what the learner did, and how to fix it."""

    key: str
    summary: str
    hint: str


_SIDES = "step both ways, (f(x + h) − f(x − h)) / (2h): the slope errors of the two sides cancel"

SLIPS: Dict[str, Slip] = {s.key: s for s in [
    Slip("returned_none", "the function returned None",
         "a function without a return statement gives None: end it with `return ...`"),
    # 1: finite differences
    Slip("forward_difference", "this is the one-sided difference (f(x + h) − f(x)) / h", _SIDES),
    Slip("backward_difference", "this is the one-sided difference (f(x) − f(x − h)) / h", _SIDES),
    Slip("forgot_the_2", "every slope is twice too big: the rise was divided by h, "
         "but x − h and x + h are 2h apart", "divide by the run between the two points, 2h"),
    Slip("forgot_to_divide", "this is the rise f(x + h) − f(x − h) alone, not divided by the run",
         "a slope is rise over run: divide by 2h"),
    Slip("difference_reversed", "every slope has the wrong sign: the subtraction is f(x − h) − f(x + h)",
         "subtract the left point from the right one: f(x + h) − f(x − h)"),
    Slip("half_steps", "the points used are x ± h/2, so the estimate belongs to a step of h/2",
         "evaluate f at x + h and at x − h, and divide by 2h"),
    Slip("ignored_h", "the answer does not change with h: the function uses a step of its own",
         "use the h it is given (1e-5 is only its default value)"),
    # 2: local derivatives
    Slip("local_sign", "every local derivative has the wrong sign",
         "check the sign of each derivative, e.g. on a point where you know which way the op goes"),
    Slip("locals_swapped", "the two local derivatives come in the wrong order",
         "return (∂out/∂a, ∂out/∂b): one number per input, in the order of the inputs"),
    Slip("cube_from_output", "the local derivative 3·out² puts the output x³ where the input x belongs",
         "d/dx x³ = 3·x²: square the input x, not the output"),
    Slip("bare_number", "local returned a bare number, not a tuple of numbers",
         "return a tuple with one local derivative per input, e.g. (2 * x,) — the trailing comma "
         "makes it a tuple"),
    # 5: topological order
    Slip("duplicate_nodes", "a node used by more than one node appears more than once",
         "keep a set of the nodes already visited and skip a node you have seen"),
    Slip("missing_nodes", "some nodes of the graph are not in the order",
         "visit every input of every node, recursively, and append each node once its inputs are in"),
    Slip("reversed_order", "the order is reversed: the root comes first and every node before its inputs",
         "append a node only after all its inputs (recurse first, append second); backward() reverses "
         "the list itself"),
    Slip("child_after_parent", "an input (a child) comes after a node that uses it (its parent)",
         "a node may be appended only after every one of its inputs has been"),
    Slip("not_nodes", "the list holds something other than the graph's Value nodes",
         "append the nodes themselves (v), not their labels or numbers"),
    # 6: the backward loop
    Slip("forward_order", "the loop walked the order forwards, so most nodes passed on a grad that was "
         "still 0", "walk reversed(order): a node's grad is complete only after every node that uses "
         "it has been handled"),
    Slip("used_engine", "the loop called the engine's own backward pass",
         "write the loop yourself with v.inputs and v.local; do not call backward() or _backward()"),
    # 7: a neuron
    Slip("no_bias", "the bias b was left out: the output is tanh(w·x)",
         "add b to the weighted sum before the activation: tanh(w·x + b)"),
    Slip("no_activation", "the activation was left out: the output is w·x + b itself",
         "pass the weighted sum through tanh: (w·x + b).tanh()"),
    Slip("wrong_activation", "the activation is not tanh", "this neuron uses tanh: call .tanh() on w·x + b"),
    Slip("bias_after_activation", "the bias was added after the activation: tanh(w·x) + b",
         "the bias belongs inside: tanh(w·x + b)"),
    Slip("not_a_value", "the neuron returned a plain number, not a Value",
         "build the output from the Values w and b with Value arithmetic, so backward() can reach them"),
    Slip("graph_cut", "the output has the right number but gradients do not reach w and b",
         "stay inside the graph: use Value arithmetic and v.tanh(), never math functions or .data"),
    Slip("math_on_value", "a math-module function (or float()) was applied to a Value",
         "call the Value's own method, e.g. z.tanh(), so the node stays in the graph"),
    # 8: zero_grad and SGD
    Slip("forgot_zero_grad", "zero_grad left the grads as they were, so each backward() adds onto "
         "the last step's gradients", "set p.grad = 0.0 for every parameter p"),
    Slip("zeroed_data", "zero_grad set the parameters' data to 0 instead of their grads",
         "zero the gradient, p.grad = 0.0, and leave p.data alone"),
    Slip("ascent", "the step went up the gradient (+) instead of down (−), so the loss grows",
         "subtract: p.data -= lr * p.grad"),
    Slip("no_lr", "the step used the whole gradient, not the gradient times the learning rate",
         "scale the step: p.data -= lr * p.grad"),
    Slip("data_unchanged", "the parameters' data did not change",
         "assign to p.data itself (p.data -= lr * p.grad); rebinding a loop variable changes nothing"),
    # 9: Adam
    Slip("moments_not_updated", "the returned m and v are the ones passed in, so Adam forgets every step",
         "return the new averages: m = β₁·m + (1 − β₁)·g and v = β₂·v + (1 − β₂)·g²"),
    Slip("v_not_squared", "v averages g instead of g²", "v is the running average of the squared "
         "gradient: v = β₂·v + (1 − β₂)·g·g"),
    Slip("betas_swapped", "β₁ and β₂ are swapped: m used β₂ and v used β₁",
         "m (the gradient's average) uses β₁; v (the squared gradient's) uses β₂"),
    Slip("ema_weights_swapped", "the weights of the running averages are swapped: m = (1 − β₁)·m + β₁·g",
         "keep most of the old average: m = β₁·m + (1 − β₁)·g"),
    Slip("no_bias_correction", "a bias correction is missing",
         "divide m by (1 − β₁ᵗ) and v by (1 − β₂ᵗ) before using them; without that, the first "
         "steps have the wrong size, because m and v start at 0"),
    Slip("no_sqrt", "the step divides by v̂ + ε, not by √v̂ + ε",
         "v̂ is a squared size: take its square root before dividing"),
    Slip("eps_misplaced", "ε is in the wrong place",
         "add ε after the square root and after the bias correction: m̂ / (√v̂ + ε), as PyTorch does"),
    Slip("old_moments", "the step used the m and v passed in, before this step's update",
         "update m and v with this g first, then step with the new ones"),
    Slip("adam_ascent", "the step went up (+) instead of down (−)", "subtract: p − lr·m̂ / (√v̂ + ε)"),
]}
"""Every slip the exercises name, besides the engine's catalogue (:data:`engine.MISTAKES`)."""


def describe(key: str) -> Tuple[str, str]:
    """The summary and hint of a mistake: an exercise slip, else the engine's catalogue entry."""
    if key in SLIPS:
        return SLIPS[key].summary, SLIPS[key].hint
    if key in MISTAKES:
        return MISTAKES[key].summary, MISTAKES[key].hint
    return key, ""
