"""demos/exercises: each checker passes a right solution and names the mistake in typical wrong ones.

The reference solutions live here, not in the exercise files (those ship stubs).
Every checker draws random cases; the tests run them unseeded and with a few
seeds, so a diagnosis must hold whatever the cases are.
"""

from __future__ import annotations

import copy
import importlib
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import engine
from engine import RULES, Value, topological_order
from engine import backprop
from demos import exercises
from demos.exercises import _check as chk

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["ex1_finite_differences", "ex2_local_derivatives", "ex3_one_step", "ex4_graph_by_hand",
         "ex5_topological_order", "ex6_backward_loop", "ex7_neuron", "ex8_sgd", "ex9_adam"]
SEEDS = [None, 0, 1, 2]


# --- reference solutions ---------------------------------------------------------------------


def central_difference(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


OPS = {
    "exp": (math.exp, lambda x, out: (out,)),
    "cube": (lambda x: x ** 3, lambda x, out: (3 * x * x,)),
    "divide": (lambda a, b: a / b, lambda a, b, out: (1 / b, -a / (b * b))),
}

_T = math.tanh(0.5)
STEP_ANSWERS = {1: {"a": -3.0, "b": 4.5}, 2: {"a": -2.0, "b": 2.0}, 3: {"x": 3.0},
                4: {"n": 2 * (1 - _T * _T)}, 5: {"z": 3 * math.e}, 6: {"a": 2.0, "b": -3.0}}

GRAPH_ANSWERS = {"L": 1, "f": 12, "d": 24, "e": -24, "c": 24, "b": -48, "a": 60}


def graph():
    a, b, c = Value(2.0, label="a"), Value(-1.0, label="b"), Value(1.0, label="c")
    e = a * b; e.label = "e"
    d = c - e; d.label = "d"
    f = d * a; f.label = "f"
    L = f ** 2; L.label = "L"
    return L


def topo_order(root):
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            for i in v.inputs:
                visit(i)
            order.append(v)
    visit(root)
    return order


def backward(root):
    root.grad = 1.0
    for v in reversed(topo_order(root)):
        for inp, local in zip(v.inputs, v.local):
            inp.grad += local * v.grad


def neuron_forward(w, x, b):
    return (sum(wi * xi for wi, xi in zip(w, x)) + b).tanh()


def zero_grad(params):
    for p in params:
        p.grad = 0.0


def sgd_step(params, lr):
    for p in params:
        p.data -= lr * p.grad


def adam_update(p, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return p - lr * m_hat / (math.sqrt(v_hat) + eps), m, v


# --- the right solutions pass --------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_every_checker_passes_the_reference_solutions(seed, capsys):
    results = [chk.check_central_difference(central_difference, seed=seed)]
    results += [chk.check_op(kind, fwd, loc, seed=seed) for kind, (fwd, loc) in OPS.items()]
    results += [chk.check_one_step(STEP_ANSWERS), chk.check_graph_by_hand(graph(), GRAPH_ANSWERS),
                chk.check_topological_order(topo_order, seed=seed), chk.check_backward(backward, seed=seed),
                chk.check_neuron(neuron_forward, seed=seed), chk.check_sgd(zero_grad, sgd_step, seed=seed),
                chk.check_adam(adam_update, seed=seed)]
    for result in results:
        assert result.passed, str(result)
        assert result.mistake is None and result["passed"] is True
    assert capsys.readouterr().out.count("✓ Right") == len(results)


def test_rounded_hand_answers_pass():
    rounded = {k: {n: round(v, 2) for n, v in answers.items()} for k, answers in STEP_ANSWERS.items()}
    assert chk.check_one_step(rounded, quiet=True).passed
    assert chk.check_graph_by_hand(graph(), {k: float(v) for k, v in GRAPH_ANSWERS.items()}, quiet=True).passed


def test_the_torch_style_adam_also_passes():
    def folded(p, g, m, v, t, lr, beta1, beta2, eps):  # nn.Adam's and torch's arrangement
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        denom = math.sqrt(v) / math.sqrt(1 - beta2 ** t) + eps
        return p - lr / (1 - beta1 ** t) * m / denom, m, v
    assert chk.check_adam(folded, quiet=True).passed


def test_the_reference_adam_matches_torch():
    torch = pytest.importorskip("torch")
    start = [0.7, -1.3]
    params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in start]
    opt = torch.optim.Adam(params, lr=0.05, betas=(0.85, 0.99), eps=1e-3)
    mine, state = list(start), [(0.0, 0.0), (0.0, 0.0)]
    for t in range(1, 11):
        opt.zero_grad()
        loss = (params[0] * 2 - 1) ** 2 + (params[0] * params[1] + 0.5) ** 2
        loss.backward()
        grads = [p.grad.item() for p in params]
        for i, g in enumerate(grads):
            mine[i], m, v = adam_update(mine[i], g, *state[i], t, 0.05, 0.85, 0.99, 1e-3)
            state[i] = (m, v)
        opt.step()
        # the gradient is taken at torch's parameters; keep both at the same point
        assert [p.item() for p in params] == pytest.approx(mine, rel=1e-12, abs=1e-14)


# --- typical wrong solutions are named -------------------------------------------------------------


def _c(fn):
    return lambda f, x, h=1e-5: fn(f, x, h)


DIFFERENCES = {
    "forward_difference": _c(lambda f, x, h: (f(x + h) - f(x)) / h),
    "backward_difference": _c(lambda f, x, h: (f(x) - f(x - h)) / h),
    "forgot_the_2": _c(lambda f, x, h: (f(x + h) - f(x - h)) / h),
    "forgot_to_divide": _c(lambda f, x, h: f(x + h) - f(x - h)),
    "difference_reversed": _c(lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h)),
    "half_steps": _c(lambda f, x, h: (f(x + h / 2) - f(x - h / 2)) / h),
    "ignored_h": _c(lambda f, x, h: (f(x + 1e-6) - f(x - 1e-6)) / 2e-6),
    "returned_none": _c(lambda f, x, h: None),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mistake", sorted(DIFFERENCES))
def test_ex1_names_the_finite_difference_mistake(mistake, seed):
    result = chk.check_central_difference(DIFFERENCES[mistake], seed=seed, quiet=True)
    assert (result.status, result.mistake) == ("mistake", mistake), str(result)
    assert result.expected is not None and "h =" in result.case and result.hint


WRONG_LOCALS = [
    ("exp", lambda x, out: (x,), "exp_from_input"),
    ("exp", lambda x, out: (-out,), "local_sign"),
    ("exp", lambda x, out: out, "bare_number"),
    ("cube", lambda x, out: (x * x,), "pow_forgot_exponent"),
    ("cube", lambda x, out: (3 * x ** 3,), "pow_kept_exponent"),
    ("cube", lambda x, out: (3 * out * out,), "cube_from_output"),
    ("cube", lambda x, out: (-3 * x * x,), "local_sign"),
    ("divide", lambda a, b, out: (1 / b, a / (b * b)), "div_sign"),
    ("divide", lambda a, b, out: (1 / b, -a / b), "div_forgot_square"),
    ("divide", lambda a, b, out: (-a / (b * b), 1 / b), "locals_swapped"),
    ("divide", lambda a, b, out: (-1 / b, a / (b * b)), "local_sign"),
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind, local, mistake", WRONG_LOCALS)
def test_ex2_names_the_local_derivative_mistake(kind, local, mistake, seed):
    result = chk.check_op(kind, OPS[kind][0], local, seed=seed, quiet=True)
    assert (result.status, result.mistake) == ("mistake", mistake), str(result)


def test_ex2_removes_its_ops_and_grades_the_forward_first():
    before = set(RULES)
    wrong_forward = chk.check_op("cube", lambda x: 3 * x, OPS["cube"][1], quiet=True)
    assert (wrong_forward.status, wrong_forward.mistake) == ("wrong", None)
    assert "does not compute x³" in wrong_forward.headline
    one_number = chk.check_op("divide", OPS["divide"][0], lambda a, b, out: (1 / b,), quiet=True)
    assert one_number.status == "wrong" and "1 number;" in one_number.headline
    chk.check_op("exp", math.exp, lambda x, out: (x,), quiet=True)
    assert set(RULES) == before
    with pytest.raises(ValueError, match="unknown op"):
        chk.check_op("sine", math.sin, lambda x, out: (math.cos(x),))


STEP_SLIPS = [
    (1, {"a": 4.5, "b": -3.0}, "mul_own_input"),
    (1, {"a": -2.0, "b": 3.0}, "no_chain"),
    (2, {"a": -2.0, "b": -2.0}, "sub_sign"),
    (3, {"x": 1.0}, "pow_forgot_exponent"),
    (3, {"x": 6.0}, "pow_kept_exponent"),
    (4, {"n": 1.5}, "tanh_from_input"),
    (5, {"z": 3.0}, "exp_from_input"),
    (6, {"a": 2.0, "b": 3.0}, "div_sign"),
    (6, {"a": 2.0, "b": -6.0}, "div_forgot_square"),
]


@pytest.mark.parametrize("problem, answer, mistake", STEP_SLIPS)
def test_ex3_names_the_mistake_at_the_wrong_node(problem, answer, mistake):
    answers = copy.deepcopy(STEP_ANSWERS)
    answers[problem] = answer
    result = chk.check_one_step(answers, quiet=True)
    assert (result.status, result.mistake) == ("mistake", mistake), str(result)
    assert f"problem {problem}" in result.case
    assert result.extra["mistakes"] == {problem: mistake}


def test_ex3_partial_answers_and_unknown_numbers():
    partial = {k: v if k < 4 else {n: ... for n in v} for k, v in STEP_ANSWERS.items()}
    result = chk.check_one_step(partial, quiet=True)
    assert result.status == "not_written" and "3 of 6" in result.headline
    off = {**STEP_ANSWERS, 6: {"a": 2.0, "b": 7.0}}
    result = chk.check_one_step(off, quiet=True)
    assert (result.status, result.mistake) == ("wrong", None)
    assert result.expected == {"a": 2.0, "b": -3.0} and result.got == {"a": 2.0, "b": 7.0}
    assert chk.check_one_step({1: {"c": 1.0}}, quiet=True).status == "error"


GRAPH_SLIPS = [
    ({"a": 24}, "overwrite_not_accumulate", "a"),
    ({"e": 24, "b": 48, "a": 12}, "sub_sign", "e"),
    ({k: v / 2 if k != "L" else 1 for k, v in GRAPH_ANSWERS.items()}, "pow_forgot_exponent", "f"),
    ({k: 0 for k in GRAPH_ANSWERS}, "root_not_seeded", "L"),
    ({"c": 36, "a": -48, "b": 36, "e": -36, "d": 36}, "mul_own_input", "d"),
]


@pytest.mark.parametrize("change, mistake, first_wrong", GRAPH_SLIPS)
def test_ex4_grade_names_the_mistake_and_the_first_wrong_node(change, mistake, first_wrong):
    result = chk.check_graph_by_hand(graph(), dict(GRAPH_ANSWERS, **change), quiet=True)
    assert (result.status, result.mistake, result.first_wrong) == ("mistake", mistake, first_wrong), str(result)
    report = result.extra["report"]
    assert report.mistake == mistake and report.first_wrong == first_wrong
    assert f"{first_wrong}.grad is the first wrong number" in str(result)


def test_ex4_an_unexplained_number_is_wrong_not_misdiagnosed():
    result = chk.check_graph_by_hand(graph(), dict(GRAPH_ANSWERS, a=36), quiet=True)
    assert (result.status, result.mistake, result.first_wrong) == ("wrong", None, "a")
    assert (result.expected, result.got) == (60, 36)
    partial = chk.check_graph_by_hand(graph(), {"L": 1, "f": 12, "d": ...}, quiet=True)
    assert partial.status == "not_written" and "2 of 7" in partial.headline
    assert chk.check_graph_by_hand(graph(), {"x": 1}, quiet=True).status == "error"


def test_ex4_grades_the_graph_built_in_the_exercise(capsys):
    module = importlib.import_module("demos.exercises.ex4_graph_by_hand")
    assert chk.check_graph_by_hand(module.L, GRAPH_ANSWERS, quiet=True).passed


def _dfs(root, *, seen_set=True, append_first=False):
    order, seen = [], set()

    def visit(v):
        if seen_set:
            if v in seen:
                return
            seen.add(v)
        if append_first:
            order.append(v)
        for i in v.inputs:
            visit(i)
        if not append_first:
            order.append(v)
    visit(root)
    return order


def _swap_first_pair(root):
    order = topo_order(root)
    for k, v in enumerate(order):  # move the first inner node before its first input
        if v.inputs:
            j = order.index(v.inputs[0])
            order.insert(j, order.pop(k))
            return order


TOPO_SLIPS = {
    "duplicate_nodes": lambda root: _dfs(root, seen_set=False),
    "child_after_parent": _swap_first_pair,
    "missing_nodes": lambda root: list(root.inputs) + [root],
    "reversed_order": lambda root: topo_order(root)[::-1],
    "returned_none": lambda root: None,
    "not_nodes": lambda root: [v.label for v in topo_order(root)],
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mistake", sorted(TOPO_SLIPS))
def test_ex5_names_the_ordering_mistake(mistake, seed):
    result = chk.check_topological_order(TOPO_SLIPS[mistake], seed=seed, quiet=True)
    assert (result.status, result.mistake) == ("mistake", mistake), str(result)
    assert result.case.startswith("the graph")


def test_ex5_appending_before_recursing_puts_a_child_after_its_parent():
    result = chk.check_topological_order(lambda r: _dfs(r, append_first=True), quiet=True)
    assert result.mistake == "child_after_parent"
    assert any("appended before their inputs" in note for note in result.notes)
    duplicate = chk.check_topological_order(lambda r: _dfs(r, seen_set=False), quiet=True)
    assert "x appears 3 times; it is an input of u, v" in duplicate.notes[0]


def test_ex5_accepts_any_valid_order_not_just_the_engines():
    def breadth_last(root):  # Kahn's algorithm: a different valid order
        nodes = topological_order(root)
        users = {v: 0 for v in nodes}
        for v in nodes:
            for i in set(v.inputs):
                users[i] += 1
        ready, out = [root], []
        while ready:
            v = ready.pop(0)
            out.append(v)
            for i in dict.fromkeys(v.inputs):
                users[i] -= 1
                if users[i] == 0:
                    ready.append(i)
        return out[::-1]
    assert chk.check_topological_order(breadth_last, quiet=True).passed


def _loop(*, seed=1.0, reverse=True, accumulate=True, chain=True):
    def run(root):
        root.grad = seed
        order = topological_order(root)
        for v in (reversed(order) if reverse else order):
            for inp, local in zip(v.inputs, v.local):
                c = local * v.grad if chain else local
                if accumulate:
                    inp.grad += c
                else:
                    inp.grad = c
    return run


def _micrograd_style(root):
    root.grad = 1.0
    for v in reversed(topological_order(root)):
        v._backward()


BACKWARD_SLIPS = {
    "root_not_seeded": _loop(seed=0.0),
    "forward_order": _loop(reverse=False),
    "overwrite_not_accumulate": _loop(accumulate=False),
    "no_chain": _loop(chain=False),
    "used_engine": lambda root: root.backward(),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mistake", sorted(BACKWARD_SLIPS))
def test_ex6_names_the_backward_loop_mistake(mistake, seed):
    result = chk.check_backward(BACKWARD_SLIPS[mistake], seed=seed, quiet=True)
    assert (result.status, result.mistake) == ("mistake", mistake), str(result)
    assert backprop._propagate.__name__ == "_propagate"  # the engine's loop is back in place


def test_ex6_engine_calls_are_refused_and_the_engine_still_works_after():
    assert chk.check_backward(_micrograd_style, quiet=True).mistake == "used_engine"
    assert chk.check_backward(lambda root: 1 / 0, quiet=True).status == "error"
    x = Value(0.5)
    y = x * x
    y.backward()
    assert x.grad == 1.0


def test_ex6_grads_wrong_in_an_unknown_way_are_just_wrong():
    def doubled(root):
        backward(root)
        for v in topological_order(root):
            v.grad *= 2
    result = chk.check_backward(doubled, quiet=True)
    assert (result.status, result.mistake) == ("wrong", None)
    assert result.first_wrong == "L" and (result.expected, result.got) == (1.0, 2.0)


def _z(w, x):
    return sum(wi * xi for wi, xi in zip(w, x))


def _math_tanh(w, x, b):
    return math.tanh(_z(w, x) + b)


NEURON_SLIPS = {
    "no_bias": lambda w, x, b: _z(w, x).tanh(),
    "no_activation": lambda w, x, b: _z(w, x) + b,
    "wrong_activation": lambda w, x, b: (_z(w, x) + b).relu(),
    "bias_after_activation": lambda w, x, b: _z(w, x).tanh() + b,
    "not_a_value": lambda w, x, b: math.tanh(sum(wi.data * xi for wi, xi in zip(w, x)) + b.data),
    "graph_cut": lambda w, x, b: Value(math.tanh(sum(wi.data * xi for wi, xi in zip(w, x)) + b.data)),
    "math_on_value": _math_tanh,
    "returned_none": lambda w, x, b: None,
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mistake", sorted(NEURON_SLIPS))
def test_ex7_names_the_neuron_mistake(mistake, seed):
    result = chk.check_neuron(NEURON_SLIPS[mistake], seed=seed, quiet=True)
    assert (result.status, result.mistake) == ("mistake", mistake), str(result)


def test_ex7_says_which_wrong_activation():
    result = chk.check_neuron(lambda w, x, b: (_z(w, x) + b).sigmoid(), quiet=True)
    assert result.mistake == "wrong_activation" and "sigmoid" in result.headline
    scaled = chk.check_neuron(lambda w, x, b: (2 * _z(w, x) + b).tanh(), quiet=True)
    assert (scaled.status, scaled.mistake) == ("wrong", None)


def _skip(params):
    pass


def _zero_data(params):
    for p in params:
        p.data = 0.0


def _ascent(params, lr):
    for p in params:
        p.data += lr * p.grad


def _no_lr(params, lr):
    for p in params:
        p.data -= p.grad


def _rebind(params, lr):
    for p in params:
        p = p.data - lr * p.grad  # noqa: F841 - the slip under test


SGD_SLIPS = {
    "forgot_zero_grad": (_skip, sgd_step),
    "zeroed_data": (_zero_data, sgd_step),
    "ascent": (zero_grad, _ascent),
    "no_lr": (zero_grad, _no_lr),
    "data_unchanged": (zero_grad, _rebind),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mistake", sorted(SGD_SLIPS))
def test_ex8_names_the_sgd_mistake(mistake, seed):
    result = chk.check_sgd(*SGD_SLIPS[mistake], seed=seed, quiet=True)
    assert (result.status, result.mistake) == ("mistake", mistake), str(result)


def test_ex8_a_zero_grad_that_works_only_once_is_caught_in_the_training_run():
    calls = []

    def once(params):
        if not calls:
            zero_grad(params)
        calls.append(1)
    result = chk.check_sgd(once, sgd_step, quiet=True)
    assert (result.status, result.mistake) == ("wrong", None)
    assert "nn.SGD" in result.headline


def _adam(**slip):
    """The reference update with one thing changed."""
    def update(p, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        m1 = beta1 * m + (1 - beta1) * g
        v1 = beta2 * v + (1 - beta2) * (abs(g) if slip.get("v_not_squared") else g * g)
        c1 = 1.0 if slip.get("no_correction") else 1 - beta1 ** t
        c2 = 1.0 if slip.get("no_correction") else 1 - beta2 ** t
        m_hat, v_hat = m1 / c1, v1 / c2
        if slip.get("no_sqrt"):
            step = m_hat / (v_hat + eps)
        elif slip.get("eps_inside"):
            step = m_hat / math.sqrt(v_hat + eps)
        else:
            step = m_hat / (math.sqrt(v_hat) + eps)
        if slip.get("stale_state"):
            return p - lr * step, m, v
        if slip.get("v_not_squared"):
            return p - lr * m_hat / (math.sqrt(v_hat) + eps), m1, v1
        return p - lr * step, m1, v1
    return update


ADAM_SLIPS = {
    "no_bias_correction": _adam(no_correction=True),
    "no_sqrt": _adam(no_sqrt=True),
    "eps_misplaced": _adam(eps_inside=True),
    "moments_not_updated": _adam(stale_state=True),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mistake", sorted(ADAM_SLIPS))
def test_ex9_names_the_adam_mistake(mistake, seed):
    result = chk.check_adam(ADAM_SLIPS[mistake], seed=seed, quiet=True)
    assert (result.status, result.mistake) == ("mistake", mistake), str(result)


def test_ex9_more_adam_mistakes_and_their_details():
    def square_root_of_v_with_eps_before_correction(p, g, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        return p - lr * (m / (1 - beta1 ** t)) * math.sqrt(1 - beta2 ** t) / (math.sqrt(v) + eps), m, v
    result = chk.check_adam(square_root_of_v_with_eps_before_correction, quiet=True)
    assert result.mistake == "eps_misplaced" and "before v's bias correction" in result.headline
    inside = chk.check_adam(_adam(eps_inside=True), quiet=True)
    assert "inside the square root" in inside.headline
    assert chk.check_adam(_adam(v_not_squared=True), quiet=True).mistake == "v_not_squared"

    def ascent(*args):
        p, m, v = adam_update(*args)
        return 2 * args[0] - p, m, v
    assert chk.check_adam(ascent, quiet=True).mistake == "adam_ascent"
    halved = chk.check_adam(lambda *a: (adam_update(*a)[0] / 2, *adam_update(*a)[1:]), quiet=True)
    assert (halved.status, halved.mistake) == ("wrong", None)


# --- hard to fool ------------------------------------------------------------------------------


def test_an_answer_hard_coded_for_the_first_case_fails():
    first = central_difference(lambda x: x ** 3 - 2 * x, 0.7, 0.1)
    assert chk.check_central_difference(lambda f, x, h=1e-5: first, quiet=True).status == "wrong"
    assert not chk.check_neuron(lambda w, x, b: Value(0.604368), quiet=True).passed


def test_random_cases_differ_between_runs():
    import random
    a = chk._adam_cases(random.Random(0))
    b = chk._adam_cases(random.Random(1))
    assert a[0] == b[0] and a[1:] != b[1:]


# --- the shipped stubs ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_each_stub_reports_not_written_yet_without_raising(name, capsys):
    module = importlib.import_module(f"demos.exercises.{name}")
    results = [v for v in vars(module).values() if isinstance(v, chk.Result)]
    assert results, f"{name} should keep its check's Result in a variable"
    for result in results:
        assert result.status == "not_written" and not result.passed and result.mistake is None
    source = (ROOT / "demos" / "exercises" / f"{name}.py").read_text(encoding="utf-8")
    assert "NotImplementedError" in source or "..." in source
    assert isinstance(module.STAGE, int) and module.SUMMARY and module.__doc__


def test_the_stub_functions_themselves_are_not_written(capsys):
    ex = {n: importlib.import_module(f"demos.exercises.{n}") for n in NAMES}
    capsys.readouterr()  # what importing printed (each file runs its own check)
    stubs = [
        chk.check_central_difference(ex["ex1_finite_differences"].central_difference),
        chk.check_op("exp", ex["ex2_local_derivatives"].exp_forward, ex["ex2_local_derivatives"].exp_local),
        chk.check_op("exp", math.exp, ex["ex2_local_derivatives"].exp_local),
        chk.check_one_step(ex["ex3_one_step"].answers),
        chk.check_graph_by_hand(ex["ex4_graph_by_hand"].L, ex["ex4_graph_by_hand"].answers),
        chk.check_topological_order(ex["ex5_topological_order"].topo_order),
        chk.check_backward(ex["ex6_backward_loop"].backward),
        chk.check_neuron(ex["ex7_neuron"].neuron_forward),
        chk.check_sgd(ex["ex8_sgd"].zero_grad, ex["ex8_sgd"].sgd_step),
        chk.check_sgd(zero_grad, ex["ex8_sgd"].sgd_step),
        chk.check_adam(ex["ex9_adam"].adam_update),
    ]
    assert [r.status for r in stubs] == ["not_written"] * len(stubs)
    out = capsys.readouterr().out
    assert out.count("Not written yet") == len(stubs) and "Traceback" not in out
    assert "exp_local still raises NotImplementedError" in out


def test_no_reference_solution_ships_in_an_exercise_file():
    for name in NAMES:
        source = (ROOT / "demos" / "exercises" / f"{name}.py").read_text(encoding="utf-8")
        for giveaway in ("(f(x + h) - f(x - h)) /", "inp.grad +=", "p.data -= lr", "math.sqrt(v_hat)",
                         "return (out,)", "beta1 * m +"):
            assert giveaway not in source, f"{name} gives away {giveaway!r}"


def test_result_reads_as_an_object_and_as_a_mapping():
    result = chk.check_central_difference(DIFFERENCES["forward_difference"], quiet=True)
    assert result["mistake"] == result.mistake == "forward_difference"
    assert result["passed"] is False and "status" in result.keys()
    assert repr(result) == ("<Result 'Exercise 1 · finite differences' status='mistake' "
                            "mistake='forward_difference'>")
    text = str(result)
    assert "forward_difference" in text and "expected" in text and "got" in text and "Hint:" in text
    with pytest.raises(KeyError):
        result["nope"]
    with pytest.raises(ValueError):
        chk.Result("x", "maybe", "")


def test_every_named_mistake_has_words():
    for key in chk.SLIPS:
        summary, hint = chk.describe(key)
        assert summary and hint
    for key in ("exp_from_input", "overwrite_not_accumulate"):
        assert chk.describe(key) == (engine.MISTAKES[key].summary, engine.MISTAKES[key].hint)


# --- listing and running --------------------------------------------------------------------------


def _demos(*args):
    return subprocess.run([sys.executable, "-m", "demos", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})


def test_python_m_demos_lists_the_nine_exercises_after_the_walkthroughs():
    done = _demos()
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Walkthroughs (run one with: python -m demos NAME")
    start = next(i for i, line in enumerate(lines) if line.startswith("Exercises"))
    walkthrough = [line for line in lines[1:start] if line.strip()]
    assert walkthrough
    for line in walkthrough:  # the walkthroughs' format is unchanged
        name, summary = line.split(None, 1)
        assert line == f"  {name:<16} {summary}"
    listed = [line.split()[0] for line in lines[start + 1:] if line.strip()]
    assert listed == NAMES == list(exercises.exercises())
    summaries = dict(line.split(None, 1) for line in lines[start + 1:] if line.strip())
    assert all(summaries[n].strip() for n in NAMES)


def test_python_m_demos_name_runs_an_exercise():
    done = _demos("ex1_finite_differences")
    assert done.returncode == 0, done.stderr
    assert "Not written yet: central_difference" in done.stdout
    short = _demos("ex3")
    assert short.returncode == 0 and "1. c = a * b" in short.stdout
    assert _demos("ex3", "--quick").returncode == 2
    assert exercises.find("ex1") == "ex1_finite_differences" and exercises.find("ex") is None


def test_python_m_demos_exercises_name_runs_too():
    done = subprocess.run([sys.executable, "-m", "demos.exercises.ex9_adam"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Not written yet: adam_update" in done.stdout and "Traceback" not in done.stderr


# --- as notebooks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_exercise_reads_as_a_notebook(name):
    jupytext = pytest.importorskip("jupytext")
    cells = jupytext.read(ROOT / "demos" / "exercises" / f"{name}.py").cells
    kinds = [c.cell_type for c in cells]
    assert kinds.count("markdown") >= 2, f"{name} should explain itself in markdown cells"
    code = [c.source for c in cells if c.cell_type == "code"]
    assert any("NotImplementedError" in c or "..." in c for c in code), "a cell for the learner's code"
    assert "check_" in code[-1], "the last code cell runs the checker"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_exercise_executes_as_a_notebook_without_errors(name):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = jupytext.read(ROOT / "demos" / "exercises" / f"{name}.py")
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute(env={**os.environ, "MPLBACKEND": "Agg"})
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    last = [c for c in notebook.cells if c.cell_type == "code"][-1]
    assert "Not written yet" in "".join(o.get("text", "") for o in last.outputs)
