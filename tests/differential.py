"""What the differential fuzz and its regression cases share: programs, evaluators, reproducers.

A :class:`Program` is leaf numbers, constants and steps ``(op name, input indices,
setting)``, where index ``-1 - k`` is constant ``k``. :func:`disagreements` runs it
five ways (eager backward, backward_steps, code, tape and vectorised replay) and lists
each evaluator whose output or leaf grads differ from eager in any bit (every nan alike).
``CASES`` are the disagreements tests/test_differential.py found, each with its cause.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

import pytest

import engine
from engine import RULES, Value

REFUSALS = (engine.TraceError,)


@dataclass(frozen=True)
class Program:
    """Leaves, constants and steps ``(op name, input indices, setting)``; index ``-1 - k`` is constant k."""

    leaves: Tuple[float, ...]
    steps: Tuple[Tuple[str, Tuple[int, ...], Optional[float]], ...]
    constants: Tuple[float, ...] = (2.0, -0.0)

    def __repr__(self) -> str:  # short enough to paste into an @example
        return f"Program({self.leaves!r}, {self.steps!r}, {self.constants!r})"


def build(program: Program, leaves) -> Value:
    """The graph of ``program`` over ``leaves``; the root sums every node nothing consumed."""
    pool = list(leaves)
    used = set()
    for name, inputs, attr in program.steps:
        args = []
        for i in inputs:
            args.append(program.constants[-1 - i] if i < 0 else pool[i])
            used.add(i)
        pool.append(engine.apply(RULES[name], args, attr))
    sinks = [v for i, v in enumerate(pool) if i not in used and i >= len(leaves)]
    return sinks[0] if len(sinks) == 1 else engine.sum(sinks)


def bits(x: float) -> object:
    """What "the same number" means here: every nan alike, otherwise the exact bit pattern."""
    return "nan" if x != x else struct.pack("<d", x)


Result = Tuple[float, List[float]]


def run_eager(program: Program, xs) -> Result:
    leaves = [Value(x) for x in xs]
    root = build(program, leaves)
    root.backward()
    return root.data, [v.grad for v in leaves]


def run_steps(program: Program, xs) -> Result:
    leaves = [Value(x) for x in xs]
    root = build(program, leaves)
    for _ in engine.backward_steps(root):
        pass
    return root.data, [v.grad for v in leaves]


def _traced(mode: str) -> Callable:
    def run(program: Program, xs, recorded_at) -> Result:
        t = engine.trace(lambda *vs: build(program, vs), *recorded_at, mode=mode)
        out = t(*xs)
        return out, list(t.input_grads)
    return run


def run_vectorised(program: Program, xs, recorded_at) -> Result:
    pytest.importorskip("numpy")
    t = engine.trace(lambda *vs: build(program, vs), *recorded_at, mode="codegen")
    vt = t.vectorised()
    out = vt(*xs)
    return float(out), list(vt.input_grads)


REPLAYS: Dict[str, Callable] = {
    "codegen": _traced("codegen"),
    "tape": _traced("tape"),
    "vectorised": run_vectorised,
}


def disagreements(program: Program, xs, recorded_at) -> List[tuple]:
    """Every evaluator whose output or leaf grads differ from eager, with both results."""
    reference = run_eager(program, xs)
    want = (bits(reference[0]), [bits(g) for g in reference[1]])
    results = {"backward_steps": run_steps(program, xs)}
    for name, replay in REPLAYS.items():
        try:
            results[name] = replay(program, xs, recorded_at)
        except REFUSALS:
            continue
    found = []
    for name, (out, grads) in results.items():
        if (bits(out), [bits(g) for g in grads]) != want:
            found.append((name, (out, grads), reference))
    return found



# --- reproducers: graphs on which a replay disagreed with eager -------------------------


class Case(NamedTuple):
    """One reproducer: the program, the replay numbers, the traced-at numbers and the cause."""

    name: str
    program: object
    xs: Tuple[float, ...]
    recorded_at: Tuple[float, ...]
    why: str


def _cases() -> Tuple[Case, ...]:
    sum_zero = "eager sum()/dot start from the int 0, so -0.0 terms add up to +0.0; the code " \
               "template '{0} + {1}' keeps -0.0"
    return (
        Case("codegen_sum_of_negative_zero", Program((-0.0,), (("sum", (0,), None),), ()),
             (-0.0,), (0.7,), sum_zero + " (eager 0.0, codegen -0.0)"),
        Case("codegen_dot_of_negative_zero", Program((0.0, -0.0), (("dot", (0, 1), None),), ()),
             (0.0, -0.0), (0.7, 0.7), sum_zero + " (0.0 * -0.0: eager 0.0, codegen -0.0)"),
        Case("codegen_sqrt_after_dot_flips_an_infinite_grad",
             Program((5e-324,), (("dot", (-1, 0), None), ("sqrt", (1,), None)), (-0.5,)),
             (5e-324,), (0.7,),
             sum_zero + ": -0.5 * 5e-324 underflows to -0.0, so sqrt's local 0.5/out is +inf in "
             "eager and -inf in codegen; leaf grad eager -inf, codegen +inf"),
        Case("vectorised_exp_differs_by_one_ulp", Program((-0.125,), (("exp", (0,), None),), ()),
             (-0.125,), (0.7,),
             "np.exp is not math.exp: exp(-0.125) is 0.8824969025845955 eagerly, "
             "0.8824969025845953 vectorised (output and grad)"),
        Case("vectorised_tanh_differs_by_one_ulp",
             Program((-1.017372224233887,), (("tanh", (0,), None),), ()),
             (-1.017372224233887,), (0.7,),
             "np.tanh is not math.tanh: eager -0.768794061155063, vectorised -0.7687940611550629"),
        Case("vectorised_grad_sums_in_another_order",
             Program((0.0, 0.0, 0.0), (("abs", (2,), None), ("dot", (-1, 3, 0, 2, 3, 0), None),
                                        ("abs", (0,), None), ("mul", (3, 4), None)), (2.0, 0.0)),
             (0.0, 0.0, 1.943525346926741e16), (0.0, 0.0, 0.0),
             "vectorised adds each (level, op) group's contributions with np.bincount, not one "
             "by one in backward()'s order: leaf 2's grad eager 1.1331872322440125e+33, "
             "vectorised 1.1331872322440127e+33"),
        Case("vectorised_grad_cancels_in_another_order",
             Program((1e308, -1.0), (("relu", (0,), None), ("dot", (2, 1, 1), None),
                                     ("abs", (1,), None), ("mul", (0, 4), None),
                                     ("sum", (3, 5), None)), ()),
             (1e308, -1.0), (0.7, 0.7),
             "same cause, with cancellation: eager adds -1e308, +1e308, +1 into x's grad (1.0); "
             "vectorised adds (1e308 + 1) as one bincount, then -1e308 (0.0)"),
    )


CASES: Tuple[Case, ...] = _cases()
