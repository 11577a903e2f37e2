"""engine.numeric: IEEE-754 results (inf/nan, never an exception), checked against math and torch."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import numeric as num

INF, NAN = math.inf, math.nan
any_float = st.floats(allow_nan=True, allow_infinity=True)
EXTREMES = [0.0, -0.0, 1e-320, -1e-320, 1.0, -1.0, 0.5, -2.0, 3.0, -3.0, 709.0, 710.0,
            -745.0, -746.0, 1e308, -1e308, INF, -INF, NAN]


def same(a: float, b: float, rel: float = 1e-12) -> bool:
    """Equal up to ``rel``, treating nan as equal to nan and keeping the sign of zero."""
    if a == 0.0 and b == 0.0:
        return math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == pytest.approx(b, rel=rel, abs=0.0, nan_ok=True)


@given(any_float)
def test_isfinite_matches_math(x):
    assert num.isfinite(x) == math.isfinite(x)


@given(any_float)
def test_exp_is_math_exp_or_inf(x):
    try:
        expected = math.exp(x)
    except OverflowError:
        expected = INF
    assert same(num.exp(x), expected, rel=0.0)


@given(any_float)
def test_log_and_sqrt_follow_ieee(x):
    if x > 0.0:
        assert num.log(x) == math.log(x) and num.sqrt(x) == math.sqrt(x)
    elif x == 0.0:
        assert num.log(x) == -INF and same(num.sqrt(x), x)  # sqrt(-0.0) is -0.0
    else:
        assert math.isnan(num.log(x)) and math.isnan(num.sqrt(x))


@given(any_float, any_float)
def test_div_is_true_division_with_ieee_zero_division(a, b):
    if b != 0.0:
        assert same(num.div(a, b), a / b, rel=0.0)
    elif a != a or a == 0.0:
        assert math.isnan(num.div(a, b))
    else:
        sign = math.copysign(1.0, a) * math.copysign(1.0, b)
        assert num.div(a, b) == sign * INF


def test_documented_specials():
    assert (num.exp(1000.0), num.log(0.0), num.div(1.0, 0.0), num.div(-1.0, 0.0)) == (INF, -INF, INF, -INF)
    assert num.div(1.0, -0.0) == -INF and math.isnan(num.div(0.0, 0.0))
    assert math.isnan(num.power(-8.0, 1 / 3)) and num.power(-2.0, 3.0) == -8.0
    assert num.power(0.0, -1.0) == INF and num.power(-0.0, -1.0) == -INF and num.power(0.0, -2.0) == INF
    assert num.power(1e200, 2.0) == INF and num.power(-1e200, 3.0) == -INF


@pytest.mark.parametrize("f", [num.exp, num.log, num.sqrt, num.tanh, num.sigmoid, num.softplus,
                               num.erf, num.normal_cdf, num.normal_pdf])
def test_unary_helpers_never_raise_and_propagate_nan(f):
    for x in EXTREMES:
        assert isinstance(f(x), float)
    assert math.isnan(f(NAN)), f"{f.__name__}(nan) must be nan, not a number"


@given(st.floats(-700.0, 700.0))
def test_sigmoid_and_softplus_match_their_definitions(x):
    assert num.sigmoid(x) == pytest.approx(1.0 / (1.0 + math.exp(-x)), rel=1e-14)
    assert num.softplus(x) == pytest.approx(math.log1p(math.exp(x)), rel=1e-14, abs=1e-300)


def test_stable_forms_are_exact_at_the_tails():
    assert num.sigmoid(1000.0) == 1.0 and num.sigmoid(-1000.0) == 0.0
    assert num.softplus(1000.0) == 1000.0 and num.softplus(-1000.0) == 0.0
    assert num.sigmoid(-700.0) == pytest.approx(math.exp(-700.0), rel=1e-14)
    assert num.softplus(-700.0) == pytest.approx(math.exp(-700.0), rel=1e-14)


@given(st.floats(-30.0, 30.0))
def test_normal_cdf_and_pdf_match_their_definitions(x):
    assert num.normal_cdf(x) == pytest.approx(0.5 * math.erfc(-x / math.sqrt(2.0)), rel=1e-9, abs=1e-15)
    pdf = math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    assert num.normal_pdf(x) == pytest.approx(pdf, rel=1e-14, abs=1e-300)
    assert num.erf(x) == math.erf(x) and num.tanh(x) == math.tanh(x)


# --- PyTorch as a second reference (float64) ----------------------------------------------


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def _t(torch, x):
    return torch.tensor(x, dtype=torch.float64)


@given(x=any_float)
def test_unary_helpers_match_torch(torch, x):
    t = _t(torch, x)
    pairs = [(num.exp(x), torch.exp(t)), (num.log(x), torch.log(t)), (num.sqrt(x), torch.sqrt(t)),
             (num.tanh(x), torch.tanh(t)), (num.sigmoid(x), torch.sigmoid(t)),
             # threshold=40: beyond it log1p(e^-x) is below half an ulp of x, so torch is exact too
             (num.softplus(x), torch.nn.functional.softplus(t, threshold=40.0)),
             (num.erf(x), torch.erf(t))]
    for ours, theirs in pairs:
        assert ours == pytest.approx(theirs.item(), rel=1e-12, abs=1e-300, nan_ok=True)


@given(a=any_float, b=any_float)
def test_div_and_power_match_torch(torch, a, b):
    assert same(num.div(a, b), (_t(torch, a) / _t(torch, b)).item(), rel=0.0)
    # torch.pow(tensor, tensor) is C's pow; only a NaN's sign bit may differ
    assert same(num.power(a, b), torch.pow(_t(torch, a), _t(torch, b)).item(), rel=0.0)


def test_power_matches_torch_on_edge_grid(torch):
    for a in EXTREMES:
        for b in EXTREMES + [-0.5, 0.5, 2.0, 1 / 3, -2.5]:
            assert same(num.power(a, b), torch.pow(_t(torch, a), _t(torch, b)).item(), rel=0.0), (a, b)
