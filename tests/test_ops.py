"""The rule table: every op, built-in or learner-defined, checked without writing a test for it.

Properties loop over ``engine.RULES``, so a new op is checked against central finite
differences (and, for built-ins, against PyTorch in float64) the moment it is added.
"""

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine import RULES, Op, Value, apply

BUILTIN = [name for name, op in RULES.items() if op.builtin]
# per op, so 22 x 100 examples per property in CI; the thorough profile raises it
PER_OP = settings(max_examples=max(100, settings.default.max_examples // 2))
KINK_MARGIN = 1e-3  # finite differences stay this far from a kink (their step is ~1e-6)
EXTREMES = [0.0, -0.0, 1e-320, -1e-320, 1.0, -2.0, 1000.0, -1000.0,
            1e308, -1e308, math.inf, -math.inf, math.nan]


# --- drawing a case for any op ------------------------------------------------------------


def input_count(op: Op, draw) -> int:
    """Fixed arity as is; dot: 1..3 (w, x) pairs with or without a bias; other n-ary: 1..6."""
    if op.arity is not None:
        return op.arity
    if op is Op.DOT:
        return 2 * draw(st.integers(1, 3)) + draw(st.booleans())
    return draw(st.integers(1, 6))


def away_from_kinks(x: float, op: Op) -> float:
    for kink in op.kinks:
        if abs(x - kink) < KINK_MARGIN:
            x = kink + KINK_MARGIN if x >= kink else kink - KINK_MARGIN
    return x


def draw_case(data, op: Op):
    """Inputs inside ``op.domain`` (clear of ``op.kinks``) and one of ``op.attrs``."""
    lo, hi = op.domain
    n = input_count(op, data.draw)
    xs = [away_from_kinks(data.draw(st.floats(lo, hi), label=f"x{i}"), op) for i in range(n)]
    attr = data.draw(st.sampled_from(op.attrs or (None,)), label="attr")
    return xs, attr


def backward_grads(op: Op, xs, attr):
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    out = apply(op, leaves, attr)
    out.backward()
    return out, [v.grad for v in leaves]


def central_differences(op: Op, xs, attr):
    grads = []
    for i, x in enumerate(xs):
        h = 1e-6 * max(1.0, abs(x))
        plus, minus = list(xs), list(xs)
        plus[i], minus[i] = x + h, x - h
        f_plus, f_minus = apply(op, plus, attr).data, apply(op, minus, attr).data
        grads.append((f_plus - f_minus) / (plus[i] - minus[i]))
    return grads


def check_against_finite_differences(op: Op, xs, attr) -> None:
    out, analytic = backward_grads(op, xs, attr)
    assert out.op is op and len(out.inputs) == len(xs) and len(out.local) == len(xs)
    assert out.local == tuple(analytic)  # distinct leaves: each grad is that local derivative
    for i, (a, n) in enumerate(zip(analytic, central_differences(op, xs, attr))):
        assert abs(a - n) <= 1e-6 + 1e-5 * abs(n), (
            f"{op.name}{tuple(xs)} attr={attr}: d/dx{i} backward {a} vs finite differences {n}")


def check_stepping_equals_backward(op: Op, xs, attr) -> None:
    """Steps through a graph using ``op`` twice give exactly backward()'s grads."""
    def build():
        leaves = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
        y = apply(op, leaves, attr)
        return leaves, (y * 0.5 + y.tanh() * y)
    leaves_a, root_a = build()
    root_a.backward()
    leaves_b, root_b = build()
    steps = list(root_b.backward_steps())
    assert [v.grad for v in leaves_a] == [v.grad for v in leaves_b]
    assert [s.index for s in steps] == list(range(1, 6)) and steps[-1].node.op is op
    for s in steps:
        assert s.total == 5 and s.contributions == tuple(x * s.upstream for x in s.locals)
        text = str(s).splitlines()
        assert text[0].startswith(f"step {s.index} of 5: ") and len(text) == 2 + len(s.inputs)


def test_documented_ops_are_built_in():
    assert set(BUILTIN) >= {"add", "sub", "mul", "div", "neg", "pow_const", "const_pow", "pow",
                            "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "leaky_relu", "gelu",
                            "gelu_tanh", "silu", "softplus", "sum", "dot"}


@pytest.mark.parametrize("name", BUILTIN)
@PER_OP
@given(data=st.data())
def test_builtin_op_matches_finite_differences_and_steps(name, data):
    op = RULES[name]
    xs, attr = draw_case(data, op)
    check_against_finite_differences(op, xs, attr)
    check_stepping_equals_backward(op, xs, attr)


# --- learner-defined ops go through the very same checks ------------------------------------


@pytest.fixture
def learner_ops():
    """Define a few ops the way a learner would, and take them out of the table afterwards."""
    made = [
        engine.define_op("cube_t", forward=lambda x: x ** 3, local=lambda x, out: (3 * x * x,),
                         formula=["3 * {0}²"]),
        engine.define_op("hypot_t", forward=math.hypot, arity=2, domain=(0.5, 3.0),
                         local=lambda x, y, out: (x / out, y / out), symbol="‖·‖",
                         formula=["{0} / {out}", "{1} / {out}"]),
        engine.define_op("ramp_t", forward=lambda x: max(x - 1.0, 0.0), kinks=(1.0,),
                         local=lambda x, out: (1.0 if x > 1.0 else 0.0,)),
    ]
    yield [f.op for f in made]
    for f in made:
        engine.remove_op(f.op.name)
    assert not any(f.op.name in RULES for f in made)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the ops stay valid
@given(data=st.data())
def test_learner_ops_match_finite_differences_and_steps(learner_ops, data):
    learned = [op for op in RULES.values() if not op.builtin]
    assert set(learned) >= set(learner_ops)
    for op in learned:
        xs, attr = draw_case(data, op)
        check_against_finite_differences(op, xs, attr)
        check_stepping_equals_backward(op, xs, attr)


def test_the_property_catches_a_wrong_derivative():
    wrong = engine.define_op("wrong_t", forward=math.sin, local=lambda x, out: (math.sin(x),))
    try:
        with pytest.raises(AssertionError, match="wrong_t"):
            check_against_finite_differences(wrong.op, [0.7], None)
    finally:
        engine.remove_op("wrong_t")


# --- the table itself ------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUILTIN)
def test_rule_is_complete_and_consistent(name):
    op = RULES[name]
    assert op.name == name and getattr(Op, name.upper()) is op and repr(op) == f"Op.{name.upper()}"
    lo, hi = op.domain
    assert lo < hi and all(lo < k < hi for k in op.kinks)
    n = op.arity or 5
    names = [f"v{i}" for i in range(n)]
    for attr in op.attrs or (None,):
        assert op.label(attr).strip() and "{" not in op.label(attr)
        forward_text = op.describe_forward(names, attr)
        assert "{" not in forward_text and any(v in forward_text for v in names)
        for i in range(n):
            text = op.describe_local(i, names, "out", attr)
            assert text and "{" not in text
    if op.arity is not None:
        assert len(op.formula) == op.arity


def test_describe_spells_out_attr_and_dot_terms():
    assert RULES["pow_const"].label(2.0) == "** 2"
    assert RULES["pow_const"].describe_local(0, ["x"], "y", 3.0) == "3 * x ** (3 - 1)"
    assert RULES["leaky_relu"].describe_local(0, ["x"], "y", 0.2) == "1 if x > 0 else 0.2"
    assert RULES["dot"].describe_forward(["w0", "w1", "a", "b", "c"]) == "w0*a + w1*b + c"
    dot_locals = [RULES["dot"].describe_local(i, ["w0", "w1", "a", "b", "c"], "y") for i in range(5)]
    assert dot_locals == ["a", "b", "w0", "w1", "1"]


def test_define_op_rejects_bad_definitions():
    ok = dict(forward=lambda x: x, local=lambda x, out: (1.0,))
    with pytest.raises(ValueError, match="identifier"):
        engine.define_op("not a name", **ok)
    with pytest.raises(TypeError, match="callable"):
        engine.define_op("bad_fwd", forward=1.0, local=ok["local"])
    with pytest.raises(ValueError, match="arity"):
        engine.define_op("bad_arity", arity=0, **ok)
    with pytest.raises(ValueError, match="formula"):
        engine.define_op("bad_formula", formula=["1", "2"], **ok)
    with pytest.raises(ValueError, match="already defined"):
        engine.define_op("tanh", **ok)
    assert not {"bad_fwd", "bad_arity", "bad_formula"} & set(RULES)


def test_remove_op_only_removes_learner_ops():
    with pytest.raises(ValueError, match="built-in"):
        engine.remove_op("tanh")
    with pytest.raises(KeyError):
        engine.remove_op("no_such_op")
    assert RULES["tanh"] is Op.TANH


def test_learner_op_misuse_is_reported():
    f = engine.define_op("two_locals_t", forward=lambda x: x, local=lambda x, out: (1.0, 2.0))
    try:
        with pytest.raises(ValueError, match="two_locals_t.*1 number"):
            f(Value(1.0))
        with pytest.raises(TypeError, match="1 input"):
            f(Value(1.0), Value(2.0))
        with pytest.raises(TypeError, match="takes 1 input"):
            apply(f.op, [1.0, 2.0])
    finally:
        engine.remove_op("two_locals_t")


# --- extreme inputs: IEEE results, never a Python exception ----------------------------------


def extreme_cases(op: Op):
    """Every combination of EXTREMES (n-ary: pairs and triples), with extra pow settings."""
    settings = op.attrs or (None,)
    if op.name in ("pow_const", "const_pow"):
        settings += (0.0, -0.0, 1.0, -3.0, 1 / 3, math.inf, -math.inf, math.nan)
    if op.arity is None:
        inputs = [list(p) for p in itertools.product(EXTREMES, repeat=2)] + [[x] * 3 for x in EXTREMES]
    else:
        inputs = [list(p) for p in itertools.product(EXTREMES, repeat=op.arity)]
    return [(xs, attr) for attr in settings for xs in inputs]


@pytest.mark.parametrize("name", BUILTIN)  # a learner op runs the learner's own Python
def test_extreme_inputs_give_floats_never_exceptions(name):
    op = RULES[name]
    for xs, attr in extreme_cases(op):
        leaves = [Value(x) for x in xs]
        out = apply(op, leaves, attr)
        out.backward()
        assert type(out.data) is float and len(out.local) == len(xs), (xs, attr)
        assert all(type(v) is float for v in out.local + tuple(v.grad for v in leaves)), (xs, attr)
        if any(x != x for x in xs) and op.name not in ("pow_const", "pow", "const_pow"):
            assert math.isnan(out.data), f"{name}{tuple(xs)}: nan input must give nan, got {out.data}"


def test_nan_is_never_swallowed_by_a_local_derivative():
    # regressions: relu(nan) was 0.0; gelu_tanh(nan) had local 1.0; const_pow with base 0 at a
    # negative exponent had local 0.0 where torch gives (0**x) * ln 0 = -inf
    assert math.isnan(Value(math.nan).relu().data)
    assert math.isnan(Value(math.nan).gelu(approximate="tanh").local[0])
    assert apply(Op.CONST_POW, [-1.0], 0.0).local == (-math.inf,)
    assert math.isnan(apply(Op.CONST_POW, [math.nan], 0.0).local[0])
    assert apply(Op.CONST_POW, [2.0], 0.0).local == (0.0,)  # 0**x is flat for x > 0


# --- PyTorch as a second reference, float64 ---------------------------------------------------


def _torch_dot(torch, xs, attr):
    n = len(xs) // 2
    total = torch.dot(torch.stack(xs[:n]), torch.stack(xs[n:2 * n]))
    return total + xs[-1] if len(xs) % 2 else total


TORCH = {
    "add": lambda torch, x, a: x[0] + x[1],
    "sub": lambda torch, x, a: x[0] - x[1],
    "mul": lambda torch, x, a: x[0] * x[1],
    "div": lambda torch, x, a: x[0] / x[1],
    "neg": lambda torch, x, a: -x[0],
    "pow_const": lambda torch, x, a: torch.pow(x[0], a),
    "const_pow": lambda torch, x, a: torch.pow(a, x[0]),
    "pow": lambda torch, x, a: torch.pow(x[0], x[1]),
    "exp": lambda torch, x, a: torch.exp(x[0]),
    "log": lambda torch, x, a: torch.log(x[0]),
    "sqrt": lambda torch, x, a: torch.sqrt(x[0]),
    "abs": lambda torch, x, a: torch.abs(x[0]),
    "tanh": lambda torch, x, a: torch.tanh(x[0]),
    "sigmoid": lambda torch, x, a: torch.sigmoid(x[0]),
    "relu": lambda torch, x, a: torch.relu(x[0]),
    "leaky_relu": lambda torch, x, a: torch.nn.functional.leaky_relu(x[0], a),
    "gelu": lambda torch, x, a: torch.nn.functional.gelu(x[0]),
    "gelu_tanh": lambda torch, x, a: torch.nn.functional.gelu(x[0], approximate="tanh"),
    "silu": lambda torch, x, a: torch.nn.functional.silu(x[0]),
    # torch's default threshold=20 returns x itself from 20 on (off by up to 2e-9); from 40 on
    # log1p(e**-x) is below half an ulp of x, so threshold=40 makes torch exact everywhere.
    "softplus": lambda torch, x, a: torch.nn.functional.softplus(x[0], threshold=40.0),
    "sum": lambda torch, x, a: torch.stack(x).sum(),
    "dot": _torch_dot,
    "erf": lambda torch, x, a: torch.erf(x[0]),
    "bce": lambda torch, x, a: torch.nn.functional.binary_cross_entropy(x[0], x[1], reduction="none"),
}


def torch_deviates(name: str, xs, attr) -> bool:
    """Inputs where we knowingly differ from torch (and why)."""
    # torch computes x**0.5 and x**-0.5 as sqrt/rsqrt: sqrt(-0.0) = -0.0 and sqrt(-inf) = nan,
    # where C's pow (which we follow) gives +0.0 and +inf.
    if name == "pow_const" and attr in (0.5, -0.5) and xs[0] in (-0.0, -math.inf):
        return True
    # at -inf we return the limit 0 of x * (something -> 0); torch computes -inf * 0 = nan
    if name in ("gelu", "gelu_tanh", "silu") and xs[0] == -math.inf:
        return True
    # torch's BCE refuses p outside [0, 1]; its target gradient log(1-p) - log(p) is not
    # clamped, where we clamp both logs at -100 as the forward pass does (the derivative of
    # the clamped loss; docs/torch-differences.md)
    if name == "bce" and not (math.exp(-100) < xs[0] < 1.0 - math.exp(-100) and 0.0 <= xs[1] <= 1.0):
        return True
    # torch's GELU(tanh) gradient overflows to nan once x**3 does; we give the limits 1 and 0
    return name == "gelu_tanh" and abs(xs[0]) > 1e100


def torch_result(torch, name, xs, attr):
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = TORCH[name](torch, ts, attr)
    out.backward()
    return out.item(), [t.grad.item() for t in ts]


def assert_matches_torch(torch, name, xs, attr, rel=1e-12) -> None:
    out, grads = backward_grads(RULES[name], xs, attr)
    t_out, t_grads = torch_result(torch, name, xs, attr)
    # n-ary sums may add in another order: scale the tolerance by the size of the terms
    terms = [abs(x) for x in xs] if name == "sum" else (
        [abs(w * x) for w, x in zip(xs[:len(xs) // 2], xs[len(xs) // 2:])] + [abs(xs[-1])]
        if name == "dot" else [0.0])
    floor = max([1e-300] + [rel * len(terms) * t for t in terms if math.isfinite(t)])
    # A derivative computed from a rounded output, like tanh's 1 - out², is only good to a
    # few ulp of 1 in absolute terms (torch's and ours differ there by 1e-11 relative at x = 7).
    grad_floor = max(floor, 4 * 2.0 ** -52)
    for ours, theirs, what, tol in [(out.data, t_out, "value", floor)] + [
            (g, tg, f"grad x{i}", grad_floor) for i, (g, tg) in enumerate(zip(grads, t_grads))]:
        assert ours == pytest.approx(theirs, rel=rel, abs=tol, nan_ok=True), (
            f"{name}{tuple(xs)} attr={attr}: {what} {ours} vs torch {theirs}")


def test_torch_mapping_covers_every_builtin_op():
    assert set(TORCH) == set(BUILTIN), "add a torch reference for the new op to TORCH"


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


wide = st.one_of(st.floats(-30.0, 30.0), st.sampled_from([0.0, -0.0, 1.0, -1.0, 40.0, -40.0]))


@pytest.mark.parametrize("name", BUILTIN)
@PER_OP
@given(data=st.data())
def test_builtin_op_matches_torch(torch, name, data):
    op = RULES[name]
    xs = [data.draw(wide, label=f"x{i}") for i in range(input_count(op, data.draw))]
    attr = data.draw(st.sampled_from(op.attrs or (None,)), label="attr")
    if not torch_deviates(name, xs, attr):
        assert_matches_torch(torch, name, xs, attr)


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_op_matches_torch_on_extreme_inputs(torch, name):
    for xs, attr in extreme_cases(RULES[name]):
        if not torch_deviates(name, xs, attr):
            assert_matches_torch(torch, name, xs, attr)


@pytest.mark.parametrize("name, xs, attr, value, grads", [
    ("sigmoid", [1000.0], None, 1.0, [0.0]), ("sigmoid", [-1000.0], None, 0.0, [0.0]),
    ("softplus", [1000.0], None, 1000.0, [1.0]), ("softplus", [-1000.0], None, 0.0, [0.0]),
    ("tanh", [-1000.0], None, -1.0, [0.0]), ("gelu", [-1000.0], None, 0.0, [0.0]),
    ("gelu_tanh", [1000.0], None, 1000.0, [1.0]), ("silu", [1000.0], None, 1000.0, [1.0]),
    ("relu", [0.0], None, 0.0, [0.0]), ("abs", [0.0], None, 0.0, [0.0]),
    ("leaky_relu", [0.0], 0.2, 0.0, [0.2]),
    ("exp", [1000.0], None, math.inf, [math.inf]), ("log", [0.0], None, -math.inf, [math.inf]),
    ("div", [1.0, 0.0], None, math.inf, [math.inf, -math.inf]),
    ("div", [0.0, 0.0], None, math.nan, [math.inf, math.nan]),
    ("pow_const", [-2.0], 3.0, -8.0, [12.0]), ("pow_const", [-8.0], 1 / 3, math.nan, [math.nan]),
    ("pow", [-2.0, 3.0], None, -8.0, [12.0, math.nan]),
    ("pow", [-2.0, 0.5], None, math.nan, [math.nan, math.nan]),
    ("pow_const", [0.0], -1.0, math.inf, [-math.inf]), ("pow", [0.0, -2.0], None, math.inf,
                                                        [-math.inf, -math.inf]),
    ("const_pow", [-1.0], 0.0, math.inf, [-math.inf]),
])
def test_documented_edge_values(torch, name, xs, attr, value, grads):
    out, ours = backward_grads(RULES[name], xs, attr)
    assert [out.data] + ours == pytest.approx([value] + grads, nan_ok=True)
    assert_matches_torch(torch, name, xs, attr)


def test_learner_symbols_are_literal_and_formulas_are_checked_up_front():
    # regression: symbol "x^{2}" made repr() and drawing raise KeyError/IndexError later on
    f = engine.define_op("braces_t", forward=lambda x: x * x, local=lambda x, out: (2 * x,),
                         symbol="x^{2}", formula=["2 * {0}"])
    try:
        y = f(Value(3.0))
        assert y._op == "x^{2}" and "x^{2}" in repr(y)
    finally:
        engine.remove_op("braces_t")
    with pytest.raises(ValueError, match=r"\{x\}.*\{0\}"):
        engine.define_op("bad_template_t", forward=lambda x: x, local=lambda x, out: (1.0,),
                         formula=["2 * {x}"])
    assert "bad_template_t" not in RULES
