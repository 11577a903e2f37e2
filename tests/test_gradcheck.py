"""engine.gradcheck: backward against central finite differences, with a per-input report."""

import math

import pytest

import engine
from engine import GradcheckError, Value, gradcheck
from engine.gradcheck import analytic_grads, numeric_grads


def test_passes_on_a_correct_function_with_values_ints_and_floats():
    f = lambda x, y, z: (x * y + z.exp()).tanh() / (1 + y.sigmoid()) + (x ** 2).log()  # noqa: E731
    assert gradcheck(f, [Value(0.3), -1, 0.25]) is True


def test_every_op_in_the_table_passes():
    engine.define_op("softsign_t", forward=lambda x: x / (1 + abs(x)),
                     local=lambda x, out: (1 / (1 + abs(x)) ** 2,))
    try:
        assert list(engine.RULES)[-1] == "softsign_t"
        for op in engine.RULES.values():
            lo, hi = op.domain
            xs = [lo + (hi - lo) * (0.37 + 0.05 * i) for i in range(op.arity or 5)]
            attr = op.attrs[0] if op.attrs else None
            assert gradcheck(lambda *vs, op=op, attr=attr: engine.apply(op, vs, attr), xs), op.name
    finally:
        engine.remove_op("softsign_t")


@pytest.fixture
def learner_op():
    """A learner op whose second derivative is deliberately wrong (2 instead of x)."""
    engine.define_op("half_wrong_t", arity=2, forward=lambda x, y: x * y,
                     local=lambda x, y, out: (y, 2.0 if abs(x - 0.8) < 0.5 else x))
    yield engine.RULES["half_wrong_t"]
    engine.remove_op("half_wrong_t")


def test_a_wrong_learner_derivative_is_reported_per_input(learner_op):
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda a, b: engine.apply(learner_op, [a, b]), [0.8, 1.5])
    rows = caught.value.rows
    assert [(i, x, good) for i, x, _, _, good in rows] == [(0, 0.8, True), (1, 1.5, False)]
    assert rows[0][2] == 1.5 and rows[1][2] == 2.0 and rows[1][3] == pytest.approx(0.8, rel=1e-6)
    lines = str(caught.value).splitlines()
    assert lines[0] == "backward() disagrees with finite differences:"
    assert "analytic" in lines[1] and "numeric" in lines[1]
    assert lines[2].split()[:2] == ["x0", "0.8"] and "mismatch" not in lines[2]
    assert lines[3].split()[:4] == ["x1", "1.5", "2", "0.8"] and lines[3].endswith("<- mismatch")
    assert isinstance(caught.value, ValueError)


def test_returns_false_instead_of_raising_when_asked(learner_op):
    assert gradcheck(lambda a, b: engine.apply(learner_op, [a, b]), [0.8, 1.5],
                     raise_exception=False) is False


def test_tolerances_are_honoured():
    slightly_off = engine.define_op("slightly_off_t", forward=lambda x: 3.0 * x,
                                    local=lambda x, out: (3.0 * (1 + 1e-4),))
    try:
        assert gradcheck(slightly_off, [1.0], rtol=1e-3)
        assert not gradcheck(slightly_off, [1.0], rtol=1e-6, atol=0.0, raise_exception=False)
    finally:
        engine.remove_op("slightly_off_t")


def test_non_finite_gradients_never_pass():
    assert not gradcheck(lambda x: x.sqrt(), [0.0], raise_exception=False)
    assert not gradcheck(lambda x: x.log(), [-1.0], raise_exception=False)


def test_helpers():
    f = lambda x, y: x * y.exp()  # noqa: E731
    assert analytic_grads(f, [2.0, 0.0]) == [1.0, 2.0]
    assert numeric_grads(f, [2.0, 0.0]) == pytest.approx([1.0, 2.0], rel=1e-8)
    assert numeric_grads(f, [2.0, 0.0], eps=1e-3) == pytest.approx([1.0, 2.0], rel=1e-6)


@pytest.mark.parametrize("fn, inputs, error, message", [
    (3, [1.0], TypeError, "function of Values, got int"),
    (lambda x: 1.0, [1.0], TypeError, "must return a Value, got float"),
    (lambda: Value(1.0), [], ValueError, "at least one input"),
    (lambda x: x, ["1"], TypeError, "gradcheck input must be a real number.*got str"),
])
def test_bad_use_is_reported(fn, inputs, error, message):
    with pytest.raises(error, match=message):
        gradcheck(fn, inputs)


def test_a_kink_is_a_real_disagreement():
    # at relu's kink the finite difference is 1/2, backward's convention is 0
    with pytest.raises(GradcheckError):
        gradcheck(lambda x: x.relu(), [0.0])
    assert math.isclose(numeric_grads(lambda x: x.relu(), [0.0])[0], 0.5)


def test_works_inside_no_grad():
    # regression: inside no_grad() nothing was recorded, so every gradient looked wrong
    with engine.no_grad():
        assert gradcheck(lambda x: x * x.tanh(), [0.7])
        assert not engine.is_grad_enabled()
