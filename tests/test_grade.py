"""engine.grade and engine.MISTAKES: every mistake's gradients are worked out here by hand.

Each case builds a small graph where the mistake matters and writes down, with
plain maths (not the engine), the gradients the correct rules and the mistaken
rules give. Backward order is the reverse of ``topological_order`` (inputs in
order, depth first), which fixes "first wrong" and what "last write" means.
"""

import math

import pytest
from hypothesis import assume, given, strategies as st

import engine
from engine import MISTAKES, RULES, Value, grade, topological_order
from engine.mistakes import simulate

A, B, C, X, W = 0.37, -1.29, 0.83, 0.61, 1.7


def leaves(**numbers):
    return {k: Value(v, label=k) for k, v in numbers.items()}


def named(v, label):
    v.label = label
    return v


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def case_overwrite():
    # y = f*f, f = e + a, e = a*b; backward order y, f, e, b, a.
    n = leaves(a=A, b=B)
    e = named(n["a"] * n["b"], "e")
    f = named(e + n["a"], "f")
    y = named(f * f, "y")
    fv = A * B + A
    right = {"y": 1, "f": 2 * fv, "e": 2 * fv, "a": 2 * fv * B + 2 * fv, "b": 2 * fv * A}
    # '=' everywhere: f keeps only the second use (f*1); at f, e and a get f;
    # at e, a is overwritten with b*f and b gets a*f.
    wrong = {"y": 1, "f": fv, "e": fv, "a": B * fv, "b": A * fv}
    return y, right, wrong, "f"


def _unary_case(method, d_right, d_wrong):
    # y = g(x*w) for a one-input op g; backward order y, m, w, x.
    n = leaves(x=X, w=W)
    m = named(n["x"] * n["w"], "m")
    y = named(getattr(m, method)(), "y")
    dr, dw = d_right(X * W), d_wrong(X * W)
    right = {"y": 1, "m": dr, "w": dr * X, "x": dr * W}
    wrong = {"y": 1, "m": dw, "w": dw * X, "x": dw * W}
    return y, right, wrong, "m"


def case_tanh():
    return _unary_case("tanh", lambda z: 1 - math.tanh(z) ** 2, lambda z: 1 - z * z)


def case_exp():
    return _unary_case("exp", math.exp, lambda z: z)


def case_sigmoid():
    return _unary_case("sigmoid", lambda z: sig(z) * (1 - sig(z)), lambda z: z * (1 - z))


def case_log():
    return _unary_case("log", lambda z: 1 / z, lambda z: 1 / math.log(z))


def case_relu():
    return _unary_case("relu", lambda z: 1.0, lambda z: z)


def _times_c(make):
    # y = q * c with q = make(a, b); backward order y, c, q, b, a.
    n = leaves(a=A, b=B, c=C)
    q = named(make(n["a"], n["b"]), "q")
    return named(q * n["c"], "y")


def case_sub():
    y = _times_c(lambda a, b: a - b)
    right = {"y": 1, "c": A - B, "q": C, "a": C, "b": -C}
    return y, right, dict(right, b=C), "b"


def case_neg():
    # y = (-a) * b; backward order y, b, q, a.
    n = leaves(a=A, b=B)
    y = named(named(-n["a"], "q") * n["b"], "y")
    right = {"y": 1, "b": -A, "q": B, "a": -B}
    return y, right, dict(right, a=B), "a"


def case_div():
    y = _times_c(lambda a, b: a / b)
    right = {"y": 1, "c": A / B, "q": C, "a": C / B, "b": -C * A / B ** 2}
    return y, right, dict(right, b=C * A / B ** 2), "b"


def case_div_square():
    y, right, _, _ = case_div()
    return y, right, dict(right, b=-C * A / B), "b"


def _pow_case(d_wrong):
    n = leaves(x=X, c=C)
    y = named(named(n["x"] ** 3, "p") * n["c"], "y")   # backward order y, c, p, x
    right = {"y": 1, "c": X ** 3, "p": C, "x": C * 3 * X ** 2}
    return y, right, dict(right, x=C * d_wrong(X)), "x"


def case_pow_factor():
    return _pow_case(lambda x: x ** 2)


def case_pow_kept():
    return _pow_case(lambda x: 3 * x ** 3)


def _tanh_ab():
    # y = tanh(a*b); backward order y, n, b, a.
    n = leaves(a=A, b=B)
    y = named(named(n["a"] * n["b"], "n").tanh(), "y")
    dn = 1 - math.tanh(A * B) ** 2
    return y, {"y": 1, "n": dn, "a": dn * B, "b": dn * A}, dn


def case_mul_own():
    y, right, dn = _tanh_ab()
    return y, right, dict(right, a=dn * A, b=dn * B), "b"


def case_no_chain():
    y, right, dn = _tanh_ab()
    return y, right, dict(right, a=B, b=A), "b"  # each input gets its bare local


def case_root():
    y, right, dn = _tanh_ab()
    return y, right, {k: 0.0 for k in right}, "y"


def case_zero_grad():
    y, right, dn = _tanh_ab()
    return y, right, dict(right, a=2 * right["a"], b=2 * right["b"]), "b"


def case_twice():
    # second pass, nothing reset: n holds dn + dn; a, b add b*2dn, a*2dn to one dn's worth.
    y, right, dn = _tanh_ab()
    return y, right, {"y": 1, "n": 2 * dn, "a": 3 * dn * B, "b": 3 * dn * A}, "n"


CASES = {
    "overwrite_not_accumulate": case_overwrite, "tanh_from_input": case_tanh,
    "exp_from_input": case_exp, "sigmoid_from_input": case_sigmoid, "sub_sign": case_sub,
    "div_sign": case_div, "div_forgot_square": case_div_square,
    "pow_forgot_exponent": case_pow_factor, "pow_kept_exponent": case_pow_kept,
    "mul_own_input": case_mul_own, "log_from_output": case_log, "relu_at_output": case_relu,
    "no_chain": case_no_chain, "root_not_seeded": case_root, "forgot_zero_grad": case_zero_grad,
    "backward_twice_no_reset": case_twice,
}
REQUIRED = {"overwrite_not_accumulate", "tanh_from_input", "exp_from_input", "sigmoid_from_input",
            "sub_sign", "div_sign", "pow_forgot_exponent", "no_chain", "root_not_seeded",
            "mul_own_input"}


def test_every_catalogued_mistake_has_a_hand_worked_case():
    assert REQUIRED <= set(MISTAKES)
    assert set(CASES) == set(MISTAKES)


@pytest.mark.parametrize("key", sorted(CASES))
def test_grade_names_the_mistake_and_the_first_wrong_node(key):
    root, right, wrong, first = CASES[key]()
    assert grade(root, right).correct
    report = grade(root, wrong)
    assert not report.correct
    assert report.mistake == key, str(report)
    assert report.first_wrong == first
    assert key in str(report) and MISTAKES[key].hint in str(report)


@pytest.mark.parametrize("key", sorted(CASES))
def test_the_variant_reproduces_the_hand_worked_numbers(key):
    root, right, wrong, _ = CASES[key]()
    grads = simulate(root, MISTAKES[key])
    by_label = {v.label: grads[v] for v in topological_order(root) if v.label}
    for label, number in wrong.items():
        assert by_label[label] == pytest.approx(number, rel=1e-12, abs=1e-12), label


@pytest.mark.parametrize("key", sorted(CASES))
def test_a_subset_of_the_answers_is_enough(key):
    root, right, wrong, first = CASES[key]()
    report = grade(root, {first: wrong[first]})
    assert report.first_wrong == first and key in report.candidates


def test_the_correct_simulation_is_the_engine_backward():
    for name, op in RULES.items():
        if not op.builtin or op.arity is None:
            continue
        lo, hi = op.domain
        inputs = [Value(lo + (hi - lo) * (0.31 + 0.23 * i), label=f"x{i}") for i in range(op.arity)]
        out = engine.apply(op, inputs, op.attrs[0] if op.attrs else None)
        root = out * out + inputs[0]
        grads = simulate(root)
        root.backward()
        for v in topological_order(root):
            assert grads[v] == pytest.approx(v.grad, rel=1e-12, abs=1e-12), name


def test_answers_can_be_keyed_by_node_and_read_from_grads():
    root, right, _, _ = case_overwrite()
    root.backward()
    report = grade(root, {v: v.grad for v in topological_order(root)})
    assert report.correct and report.first_wrong is None and report.mistake is None


def test_given_pins_what_the_learner_was_told():
    # Told the right grad of f after a slip, the learner works on from it: a sub-sign slip
    # at b is then judged on its own, not from a wrong upstream.
    root, right, _, _ = case_sub()
    report = grade(root, {"q": 2.0, "b": C}, given={"q": C})
    assert report.first_wrong == "q" and report.mistake is None
    report = grade(root, {"q": C, "b": C}, given={"q": C})
    assert report.mistake == "sub_sign"


def test_numbers_are_compared_with_a_hand_tolerance():
    root, right, wrong, _ = case_tanh()
    rounded = {k: round(v, 4) for k, v in wrong.items()}
    assert grade(root, rounded).mistake == "tanh_from_input"
    assert grade(root, {k: round(v, 4) for k, v in right.items()}).correct
    assert not grade(root, rounded, rel_tol=1e-9, abs_tol=0).candidates


def test_the_report_reads_well():
    root, right, wrong, _ = case_div()
    report = grade(root, wrong)
    text = str(report)
    assert "first wrong: b" in text and "q = a / b" in text and "div_sign" in text
    page = report._repr_html_()
    assert page.startswith("<div>") and "div_sign" in page and "✗" in page
    assert "correct=False" in repr(report)
    assert report.info is MISTAKES["div_sign"]


@pytest.mark.parametrize("answers, error, words", [
    ({"zz": 1.0}, ValueError, "no node labelled 'zz'"),
    ({"a": "1"}, TypeError, "must be a number"),
    ({"a": None}, TypeError, "must be a number"),
    ({"a": True}, TypeError, "must be a number"),
    ({"a": Value(1.0)}, TypeError, "must be a number"),
    ({"a": float("nan")}, ValueError, "finite"),
    ({"a": float("inf")}, ValueError, "finite"),
    ({"a": 10 ** 400}, ValueError, "finite"),
    ({3: 1.0}, TypeError, "a key must be a node label"),
    ([("a", 1.0)], TypeError, "must be a dict"),
])
def test_bad_answers_are_clear_errors(answers, error, words):
    root, _, _, _ = case_sub()
    with pytest.raises(error, match=words):
        grade(root, answers)


def test_bad_root_duplicate_labels_and_foreign_nodes():
    with pytest.raises(TypeError, match="root Value"):
        grade(3.0, {})
    a, b = Value(1.0, label="t"), Value(2.0, label="t")
    with pytest.raises(ValueError, match="2 nodes are labelled 't'"):
        grade(a * b, {"t": 1.0})
    with pytest.raises(TypeError, match="node of this graph"):
        grade(a * b, {Value(5.0): 1.0})


@pytest.mark.parametrize("key", sorted(CASES))
@given(data=st.data())
def test_random_wrong_answers_are_never_blamed(key, data):
    root, right, wrong, _ = CASES[key]()
    labels = data.draw(st.lists(st.sampled_from(sorted(right)), min_size=2, max_size=len(right),
                                unique=True))
    numbers = st.floats(-20, 20, allow_nan=False)
    answers = {k: data.draw(numbers) for k in labels}
    assume(any(abs(v) > 1e-3 for v in answers.values()))  # all zeros is root_not_seeded
    assume(not all(math.isclose(answers[k], wrong[k], rel_tol=1e-2, abs_tol=1e-3) for k in labels))
    assume(not all(math.isclose(answers[k], right[k], rel_tol=1e-2, abs_tol=1e-3) for k in labels))
    report = grade(root, answers)
    assert report.mistake is None, str(report)
    assert not report.correct and report.first_wrong in labels


@given(delta=st.floats(0.01, 5), sign=st.sampled_from([-1, 1]), pick=st.integers(0, 4))
def test_one_perturbed_number_is_not_blamed_either(delta, sign, pick):
    root, right, _, _ = case_overwrite()
    label = sorted(right)[pick]
    answers = dict(right)
    answers[label] += sign * delta * max(1.0, abs(right[label]))
    report = grade(root, answers)
    assert report.first_wrong == label and report.mistake is None, str(report)
