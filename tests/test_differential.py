"""Differential fuzz: every way of running a graph gives the same bits as eager ``backward()``.

Random graphs over the whole rule table (``engine.RULES`` is read when each example is
drawn, so a new op is fuzzed with no change here; ops with a setting use their example
``attrs``; ``sum`` and ``dot`` get 1 to 7 inputs), with leaves and constants drawn from
the edges of floating point: 0, -0.0, ±1e-308, ±1e308, ±inf, nan and ordinary numbers.
Five evaluators must agree bit for bit on the output and on every leaf's gradient
(nan equals nan whatever its payload; the sign of zero counts):

* eager ``root.backward()``;
* ``engine.backward_steps`` run to the end on a fresh graph;
* traced code replay (``engine.trace(..., mode="codegen")``);
* tape replay (``mode="tape"``);
* vectorised replay (``Trace.vectorised()``, with numpy).

Traces are recorded at one set of numbers and replayed at another, so a replay
template that handles an edge differently from its eager rule shows up. A documented
refusal (:class:`engine.TraceError`) is allowed. ``@example`` rows are the disagreements
this fuzz found (tests/differential.py lists them with their causes;
tests/test_replay_regressions.py runs each as a named test).
"""

from __future__ import annotations

import math
import os

from hypothesis import example, given, settings
from hypothesis import strategies as st

import nn.losses  # noqa: F401 - registers the 'bce' op, so it is fuzzed too
from engine import RULES

from differential import CASES, Program, bits, disagreements

EDGES = (0.0, -0.0, 1e-308, -1e-308, 1e308, -1e308, math.inf, -math.inf, math.nan,
         5e-324, 1.0, -1.0, 0.5, -2.0)
NUMBERS = st.one_of(st.sampled_from(EDGES), st.floats(-3.0, 3.0),
                    st.floats(allow_nan=True, allow_infinity=True))

# Fixed, so CI stays bounded (derandomized by the ci profile); DIFFERENTIAL_EXAMPLES=5000 or
# HYPOTHESIS_PROFILE=thorough runs more.
EXAMPLES = int(os.environ.get("DIFFERENTIAL_EXAMPLES", "300"))


def _input_count(op, draw) -> int:
    if op.arity is not None:
        return op.arity
    if op.name == "dot":
        return 2 * draw(st.integers(1, 3)) + draw(st.integers(0, 1))
    return draw(st.integers(1, 4))


@st.composite
def programs(draw, max_steps: int = 8) -> Program:
    """A random graph over the rule table as it is now, at edge numbers."""
    n = draw(st.integers(1, 3))
    leaves = tuple(draw(NUMBERS) for _ in range(n))
    constants = (draw(NUMBERS), draw(NUMBERS))
    names = sorted(RULES)
    steps = []
    for k in range(draw(st.integers(1, max_steps))):
        op = RULES[draw(st.sampled_from(names))]
        attr = draw(st.sampled_from(op.attrs)) if op.attrs else None
        index = st.integers(-len(constants), n + k - 1)
        steps.append((op.name, tuple(draw(index) for _ in range(_input_count(op, draw))), attr))
    return Program(leaves, tuple(steps), constants)


# --- the disagreements this fuzz found (each also a named test in test_replay_regressions.py) ---


def _with_examples(test):
    for case in reversed(CASES):
        test = example(program=case.program, xs=case.xs, recorded_at=case.recorded_at)(test)
    return test


@settings(max_examples=max(EXAMPLES, settings.default.max_examples))
@given(program=programs(), xs=st.lists(NUMBERS, min_size=3, max_size=3),
       recorded_at=st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3))
@_with_examples
def test_every_replay_agrees_with_eager_bit_for_bit(program, xs, recorded_at):
    n = len(program.leaves)
    xs, recorded_at = list(xs[:n]), list(recorded_at[:n])
    found = disagreements(program, xs, recorded_at)
    assert not found, (program, xs, recorded_at, found)


@given(program=programs(max_steps=3))
@settings(max_examples=50)
def test_a_graph_replayed_at_its_own_numbers_agrees(program):
    """Recorded and replayed at the same edge numbers (the leaves it was drawn with)."""
    found = disagreements(program, list(program.leaves), list(program.leaves))
    assert not found, (program, found)


def test_bits_tell_zero_signs_apart_and_every_nan_alike():
    assert bits(0.0) != bits(-0.0)
    assert bits(math.nan) == bits(-math.nan) == bits(float("nan"))
    assert bits(1.0) != bits(math.nextafter(1.0, 2.0))


def test_every_op_of_the_table_can_be_drawn():
    """The strategy reads RULES: a program can use any op, with a setting where it needs one."""
    seen = set()
    @settings(max_examples=400, database=None)
    @given(programs(max_steps=8))
    def collect(program):
        for name, _, attr in program.steps:
            seen.add(name)
            assert (attr is None) == (not RULES[name].attrs)
    collect()
    assert seen == set(RULES)
