"""The checkers behind the exercises: each grades what a learner wrote and names the slip behind it.

Every ``check_*`` function runs the learner's code (or reads their numbers) on
several cases, most of them drawn at random, prints a short report and returns
a :class:`Result` with ``passed``, ``status``, ``mistake``, the ``case`` it went
wrong on with ``expected`` and ``got``, and a ``hint``.

A mistake is named only when it explains *every* number the learner produced:
for each known slip the checker works out what that slip would have given on
the very same cases, and names the first one that reproduces all of them (and
differs from the right answer on at least one). Anything else is reported as
plain "wrong", with the first case where it differs. Code that still raises
``NotImplementedError`` (the shipped stubs) is "not written yet", not an error.

This module is the public face: the checkers live in ``_check_derivatives``
(exercises 1–3), ``_check_graphs`` (4–6) and ``_check_training`` (7–9); what
they share is in ``_result`` (the Result, running learner code, fitting slips)
and ``_slips`` (the named mistakes and their words). Import from here.
"""

from __future__ import annotations

from ._check_derivatives import (EX1, EX2, EX3, central, check_central_difference, check_one_step, check_op,
                                 show_step_problems, step_problems)
from ._check_graphs import (EX4, EX5, EX6, check_backward, check_graph_by_hand, check_topological_order,
                            describe_graph, random_graph, teaching_graph)
from ._check_training import EX7, EX8, EX9, adam_reference, check_adam, check_neuron, check_sgd, toy_problem
from ._check_training import _adam_cases as _adam_cases  # the random Adam cases, for the tests
from ._result import ERROR, MISTAKE, NOT_WRITTEN, PASSED, STATUSES, WRONG, Result, close, show
from ._slips import SLIPS, Slip, describe

__all__ = [
    # the checkers, one per exercise
    "check_central_difference", "check_op", "check_one_step", "check_graph_by_hand", "check_topological_order",
    "check_backward", "check_neuron", "check_sgd", "check_adam",
    # what they return, and the words for each named mistake
    "Result", "STATUSES", "PASSED", "MISTAKE", "WRONG", "NOT_WRITTEN", "ERROR", "Slip", "SLIPS", "describe",
    "show", "close",
    # the exercises' own problems, graphs and references
    "EX1", "EX2", "EX3", "EX4", "EX5", "EX6", "EX7", "EX8", "EX9", "central", "step_problems",
    "show_step_problems", "teaching_graph", "random_graph", "describe_graph", "toy_problem", "adam_reference",
]
