"""Each replay disagreement found by the differential fuzz, as a named test (see differential.py).

A case passes when eager backward, backward_steps and the code, tape and vectorised
replays give the same bits (or a replay refuses with a TraceError).
"""

from __future__ import annotations

import pytest

from differential import CASES, disagreements


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_replay_agrees_with_eager(case):
    found = disagreements(case.program, list(case.xs), list(case.recorded_at))
    assert not found, f"{case.why}\n{found}"


def test_every_case_is_a_distinct_named_program():
    names = [case.name for case in CASES]
    assert len(set(names)) == len(names)
    assert all(len(case.xs) == len(case.recorded_at) == len(case.program.leaves) for case in CASES)
