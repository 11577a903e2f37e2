"""The checkers of exercises 7 to 9: a neuron, zero_grad and SGD, Adam; each ends against the nn reference."""

from __future__ import annotations

import math
import random
from typing import Callable, Dict, List, Optional, Tuple

from engine import Value
from engine.naming import fmt

from ._result import (ERROR, PASSED, WRONG, Result, _away, _checker, _fit, _mistake, _real, _run, _safe, _Stop,
                      _Variant, close, show)


# --- 7. a neuron's forward pass ---------------------------------------------------------------------

EX7 = "Exercise 7 · a neuron"


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _neuron_cases(rng: random.Random) -> List[Tuple[List[float], List[float], float]]:
    cases = [([0.5, -1.0, 0.25], [1.0, 0.5, -2.0], 1.2)]
    sizes = [1, 2, 4, 3, 2]
    for k, nin in enumerate(sizes):
        sign = -1.0 if k % 2 == 0 else 1.0  # alternate the sign of w·x + b: relu must show itself
        while True:
            w = [round(rng.uniform(-1, 1), 3) for _ in range(nin)]
            x = [round(rng.uniform(-2, 2), 3) for _ in range(nin)]
            b = _away(rng, 0.3, 1.0)
            z = sum(wi * xi for wi, xi in zip(w, x)) + b
            if 0.4 < sign * z < 2.5 and abs(z - b) > 0.1:
                break
        cases.append((w, x, b))
    return cases


@_checker(EX7)
def check_neuron(neuron_forward: Callable, *, seed: Optional[int] = None) -> Result:
    """Grade ``neuron_forward(w, x, b)`` = tanh(w·x + b) against ``nn.Neuron``, value and gradients."""
    import nn

    rng = random.Random(seed)
    cases = _neuron_cases(rng)
    outs, wants, grads, want_grads = [], [], [], []
    for w, x, b in cases:
        ws = [Value(wi, label=f"w{i}") for i, wi in enumerate(w)]
        bv = Value(b, label="b")
        case = f"w = {show(w)}, x = {show(x)}, b = {fmt(b)}"
        reference = nn.Neuron(len(w), "tanh", seed=0)
        for p, wi in zip(reference.w, w):
            p.data = wi
        reference.b.data = b
        y = reference(list(x))
        y.backward()
        try:
            out = _run(EX7, "neuron_forward", neuron_forward, ws, list(x), bv)
        except _Stop as stop:
            if stop.result.status == ERROR and "is not a plain number" in stop.result.headline:
                return _mistake(EX7, "math_on_value", case, y.data, "a TypeError", [stop.result.headline])
            raise
        if out is None:
            return _mistake(EX7, "returned_none", case, y.data, None)
        if not isinstance(out, Value):
            if _real(out) is None:
                return Result(EX7, WRONG, f"it returned a {type(out).__name__}", None, case, y.data, out,
                              "return the output Value")
            return _mistake(EX7, "not_a_value", case, y.data, out)
        outs.append(out.data)
        wants.append(y.data)
        _run(EX7, "backward() on your output", out.backward)
        grads.append([p.grad for p in ws] + [bv.grad])
        want_grads.append([p.grad for p in reference.w] + [reference.b.grad])

    def where(i: int) -> str:
        w, x, b = cases[i]
        return f"w = {show(w)}, x = {show(x)}, b = {fmt(b)}"

    rel, abs_ = 1e-9, 1e-12
    if not all(close(o, e, rel, abs_) for o, e in zip(outs, wants)):
        dots = [sum(wi * xi for wi, xi in zip(w, x)) for w, x, _ in cases]
        variants = [
            _Variant("no_bias", [math.tanh(d) for d in dots]),
            _Variant("no_activation", [d + b for d, (_, _, b) in zip(dots, cases)]),
            _Variant("bias_after_activation", [math.tanh(d) + b for d, (_, _, b) in zip(dots, cases)]),
            _Variant("wrong_activation", [max(d + b, 0.0) for d, (_, _, b) in zip(dots, cases)], "it is relu"),
            _Variant("wrong_activation", [_sigmoid(d + b) for d, (_, _, b) in zip(dots, cases)], "it is sigmoid"),
        ]
        first = next(i for i, (o, e) in enumerate(zip(outs, wants)) if not close(o, e, rel, abs_))
        found = _fit(outs, wants, variants, rel, abs_)
        if found is not None:
            return _mistake(EX7, found.key, where(first), wants[first], outs[first], detail=found.detail)
        return Result(EX7, WRONG, "the output is not tanh(w·x + b)", None, where(first), wants[first],
                      outs[first], "multiply each weight by its input, add them all and b, then .tanh()")
    if not all(close(g, e, 1e-9, 1e-12) for g, e in zip(grads, want_grads)):
        first = next(i for i, (g, e) in enumerate(zip(grads, want_grads)) if not close(g, e, 1e-9, 1e-12))
        names = [f"w{i}" for i in range(len(cases[first][0]))] + ["b"]
        expected = dict(zip(names, want_grads[first]))
        got = dict(zip(names, grads[first]))
        if all(g == 0.0 for g in grads[first]):
            return _mistake(EX7, "graph_cut", where(first) + ", the grads after backward()", expected, got)
        return Result(EX7, WRONG, "the output is right, but backward() gives the wrong grads", None,
                      where(first) + ", the grads after backward()", expected, got,
                      "use each weight and the bias exactly once, in one expression")
    return Result(EX7, PASSED, f"tanh(w·x + b) on {len(cases)} neurons, with the same value and the same "
                  "gradients as nn.Neuron")


# --- 8. zero_grad and an SGD step -------------------------------------------------------------------

EX8 = "Exercise 8 · zero_grad and SGD"

_TOY_DATA = [(-1.0, -3.0), (0.5, 0.0), (2.0, 3.0)]


def toy_problem() -> Tuple[List[Value], Callable[[], Value]]:
    """Two parameters w, b and the mean squared error of w·x + b on three points (y = 2x − 1)."""
    w, b = Value(0.5, label="w"), Value(-0.3, label="b")

    def loss() -> Value:
        return sum(((w * x + b - y) ** 2 for x, y in _TOY_DATA), Value(0.0)) / len(_TOY_DATA)
    return [w, b], loss


def _params(rng: random.Random, n: int = 4) -> List[Value]:
    params = []
    for i in range(n):
        p = Value(round(rng.uniform(-2, 2), 3), label=f"p{i}")
        p.grad = _away(rng, 0.2, 2.0)
        params.append(p)
    return params


@_checker(EX8)
def check_sgd(zero_grad: Callable, sgd_step: Callable, *, seed: Optional[int] = None) -> Result:
    """Grade ``zero_grad(params)`` and ``sgd_step(params, lr)``, then a short training run with them."""
    from nn import SGD

    rng = random.Random(seed)
    # zero_grad on its own
    params = _params(rng)
    data, grads = [p.data for p in params], [p.grad for p in params]
    _run(EX8, "zero_grad", zero_grad, params)
    after_data, after_grads = [p.data for p in params], [p.grad for p in params]
    case = "parameters with data " + show(data) + " and grads " + show(grads)
    if not (close(after_grads, [0.0] * len(params)) and close(after_data, data)):
        if close(after_data, [0.0] * len(params)) and close(after_grads, grads):
            return _mistake(EX8, "zeroed_data", case + ", after zero_grad", [0.0] * len(params), after_grads,
                            ["(expected and got: the grads; the data became all zeros)"])
        if close(after_grads, grads) and close(after_data, data):
            return _mistake(EX8, "forgot_zero_grad", case + ", the grads after zero_grad",
                            [0.0] * len(params), after_grads,
                            ["backward() adds into .grad (+=), so without zeroing, step 2 would follow the sum "
                             "of the gradients of steps 1 and 2"])
        return Result(EX8, WRONG, "after zero_grad the grads should all be 0 and the data unchanged", None,
                      case, {"data": data, "grad": [0.0] * len(params)},
                      {"data": after_data, "grad": after_grads}, "for p in params: p.grad = 0.0")
    # one SGD step on its own, three times with random numbers
    cases, got, expected = [], [], []
    for _ in range(3):
        params = _params(rng)
        lr = round(rng.uniform(0.05, 0.5), 3)
        data, grads = [p.data for p in params], [p.grad for p in params]
        _run(EX8, "sgd_step", sgd_step, params, lr)
        cases.append((data, grads, lr))
        got.append([p.data for p in params])
        expected.append([d - lr * g for d, g in zip(data, grads)])
    for values in got:
        for x in values:
            if _real(x) is None:
                return Result(EX8, WRONG, f"a parameter's data became a {type(x).__name__}", None, "",
                              None, x, "keep p.data a float: p.data -= lr * p.grad")
    rel, abs_ = 1e-9, 1e-12
    if not all(close(g, e, rel, abs_) for g, e in zip(got, expected)):
        variants = [
            _Variant("data_unchanged", [d for d, _, _ in cases]),
            _Variant("ascent", [[x + lr * g for x, g in zip(d, gs)] for d, gs, lr in cases]),
            _Variant("no_lr", [[x - g for x, g in zip(d, gs)] for d, gs, lr in cases]),
        ]
        first = next(i for i, (g, e) in enumerate(zip(got, expected)) if not close(g, e, rel, abs_))
        d, gs, lr = cases[first]
        where = f"data {show(d)}, grads {show(gs)} and lr = {fmt(lr)}, the data after sgd_step"
        found = _fit(got, expected, variants, rel, abs_)
        if found is not None:
            return _mistake(EX8, found.key, where, expected[first], got[first])
        return Result(EX8, WRONG, "the step is not p.data − lr × p.grad", None, where, expected[first],
                      got[first], "for p in params: p.data -= lr * p.grad")
    # both together: a short training run, step for step against nn.SGD
    steps, lr = 5, 0.1
    params, loss = toy_problem()
    mine, losses = [], []
    for _ in range(steps):
        _run(EX8, "zero_grad", zero_grad, params)
        value = loss()
        value.backward()
        _run(EX8, "sgd_step", sgd_step, params, lr)
        mine.append([p.data for p in params])
        losses.append(value.data)
    ref_params, ref_loss = toy_problem()
    opt = SGD(ref_params, lr=lr)
    theirs = []
    for _ in range(steps):
        opt.zero_grad()
        ref_loss().backward()
        opt.step()
        theirs.append([p.data for p in ref_params])
    if not all(close(a, b, rel, abs_) for a, b in zip(mine, theirs)):
        k = next(i for i, (a, b) in enumerate(zip(mine, theirs)) if not close(a, b, rel, abs_))
        return Result(EX8, WRONG, "each function is right alone, but a training run with them drifts from "
                      "nn.SGD", None, f"step {k + 1} of fitting w·x + b to three points, (w, b) after the step",
                      theirs[k], mine[k], "zero_grad must zero every time it is called; sgd_step must "
                      "change only p.data")
    return Result(EX8, PASSED, f"zero_grad and sgd_step are right, and {steps} training steps with them "
                  "match nn.SGD step for step",
                  notes=[f"the loss went from {fmt(losses[0])} to {fmt(losses[-1])}"])


# --- 9. an Adam step ---------------------------------------------------------------------------------

EX9 = "Exercise 9 · Adam"


def adam_reference(p: float, g: float, m: float, v: float, t: int, lr: float, b1: float, b2: float,
                   eps: float) -> Tuple[float, float, float]:
    """One Adam update of one number, as torch.optim.Adam does it (the checker's own, for reference)."""
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return p - lr * m_hat / (math.sqrt(v_hat) + eps), m, v


def _adam_cases(rng: random.Random) -> List[tuple]:
    cases = [(1.0, 0.5, 0.0, 0.0, 1, 0.1, 0.9, 0.999, 1e-8)]
    for k in range(11):
        small = k < 3  # tiny gradients and a big eps: where eps sits matters
        g = _away(rng, 0.01, 0.08) if small else _away(rng, 0.1, 2.0)
        m = round(rng.uniform(-0.05, 0.05) if small else rng.uniform(-0.8, 0.8), 4)
        v = round(rng.uniform(0.0, 0.004) if small else rng.uniform(0.0, 1.0), 5)
        t = rng.choice((1, 2, 3, 5, 10, 40))
        eps = rng.choice((0.1, 0.3)) if small else rng.choice((1e-8, 1e-3, 0.05))
        cases.append((round(rng.uniform(-2, 2), 3), g, m, v, t, round(rng.uniform(0.001, 0.1), 4),
                      round(rng.uniform(0.8, 0.95), 3), round(rng.uniform(0.9, 0.999), 4), eps))
    return cases


def _moment_slips(case: tuple) -> Dict[str, Tuple[float, float]]:
    p, g, m, v, t, lr, b1, b2, eps = case
    return {"moments_not_updated": (m, v),
            "v_not_squared": (b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g),
            "v_of_abs_g": (b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * abs(g)),
            "betas_swapped": (b2 * m + (1 - b2) * g, b1 * v + (1 - b1) * g * g),
            "ema_weights_swapped": ((1 - b1) * m + b1 * g, (1 - b2) * v + b2 * g * g)}


def _step_slips(case: tuple) -> List[Tuple[str, str, Callable[[], float]]]:
    p, g, m0, v0, t, lr, b1, b2, eps = case
    m = b1 * m0 + (1 - b1) * g
    v = b2 * v0 + (1 - b2) * g * g
    c1, c2 = 1 - b1 ** t, 1 - b2 ** t
    mh, vh = m / c1, v / c2
    return [
        ("no_bias_correction", "neither m nor v is corrected", lambda: p - lr * m / (math.sqrt(v) + eps)),
        ("no_bias_correction", "v is not corrected", lambda: p - lr * mh / (math.sqrt(v) + eps)),
        ("no_bias_correction", "m is not corrected", lambda: p - lr * m / (math.sqrt(vh) + eps)),
        ("no_sqrt", "", lambda: p - lr * mh / (vh + eps)),
        ("eps_misplaced", "it is inside the square root, √(v̂ + ε)", lambda: p - lr * mh / math.sqrt(vh + eps)),
        ("eps_misplaced", "it was added before v's bias correction, (√v + ε) / √(1 − β₂ᵗ)",
         lambda: p - lr * mh / ((math.sqrt(v) + eps) / math.sqrt(c2))),
        ("old_moments", "", lambda: p - lr * (m0 / c1) / (math.sqrt(v0 / c2) + eps)),
        ("adam_ascent", "", lambda: p + lr * mh / (math.sqrt(vh) + eps)),
    ]


@_checker(EX9)
def check_adam(adam_update: Callable, *, seed: Optional[int] = None) -> Result:
    """Grade ``adam_update(p, g, m, v, t, lr, beta1, beta2, eps) -> (p, m, v)``, then a run against nn.Adam."""
    from nn import Adam

    rng = random.Random(seed)
    cases = _adam_cases(rng)
    got = []
    for case in cases:
        out = _run(EX9, "adam_update", adam_update, *case)
        if out is None:
            return _mistake(EX9, "returned_none", _adam_case(case), adam_reference(*case), None)
        if not isinstance(out, (tuple, list)) or len(out) != 3 or any(_real(x) is None for x in out):
            return Result(EX9, WRONG, "adam_update should return three numbers, (p, m, v)", None,
                          _adam_case(case), adam_reference(*case), out, "return p, m, v")
        got.append(tuple(float(x) for x in out))
    expected = [adam_reference(*case) for case in cases]
    rel, abs_ = 1e-9, 1e-12
    moments, want_moments = [g[1:] for g in got], [e[1:] for e in expected]
    if not all(close(a, b, rel, abs_) for a, b in zip(moments, want_moments)):
        first = next(i for i, (a, b) in enumerate(zip(moments, want_moments)) if not close(a, b, rel, abs_))
        where = _adam_case(cases[first]) + ", the returned (m, v)"
        variants = [_Variant(key.replace("v_of_abs_g", "v_not_squared"), [_moment_slips(c)[key] for c in cases],
                             "it averages |g|" if key == "v_of_abs_g" else "")
                    for key in _moment_slips(cases[0])]
        found = _fit(moments, want_moments, variants, rel, abs_)
        if found is not None:
            return _mistake(EX9, found.key, where, want_moments[first], moments[first], detail=found.detail)
        return Result(EX9, WRONG, "the returned m and v are not the updated running averages", None, where,
                      want_moments[first], moments[first],
                      "m = β₁·m + (1 − β₁)·g and v = β₂·v + (1 − β₂)·g²")
    steps, want_steps = [g[0] for g in got], [e[0] for e in expected]
    if not all(close(a, b, rel, abs_) for a, b in zip(steps, want_steps)):
        first = next(i for i, (a, b) in enumerate(zip(steps, want_steps)) if not close(a, b, rel, abs_))
        where = _adam_case(cases[first]) + ", the new p"
        slips = [_step_slips(c) for c in cases]
        variants = [_Variant(key, [_safe(s[j][2]) for s in slips], detail)
                    for j, (key, detail, _) in enumerate(slips[0])]
        found = _fit(steps, want_steps, variants, rel, abs_)
        if found is not None:
            return _mistake(EX9, found.key, where, want_steps[first], steps[first], detail=found.detail)
        return Result(EX9, WRONG, "m and v are right, but the new p is not", None, where, want_steps[first],
                      steps[first], "p − lr · m̂ / (√v̂ + ε) with m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ)")
    # a short run with Values, step for step against nn.Adam
    n, lr, betas, eps = 8, 0.05, (0.9, 0.999), 1e-8
    params, loss = toy_problem()
    state = [(0.0, 0.0) for _ in params]
    mine = []
    for t in range(1, n + 1):
        for p in params:
            p.grad = 0.0
        loss().backward()
        for i, p in enumerate(params):
            m, v = state[i]
            new_p, m, v = _run(EX9, "adam_update", adam_update, p.data, p.grad, m, v, t, lr, *betas, eps)
            p.data, state[i] = float(new_p), (float(m), float(v))
        mine.append([p.data for p in params])
    ref_params, ref_loss = toy_problem()
    opt = Adam(ref_params, lr=lr, betas=betas, eps=eps)
    theirs = []
    for _ in range(n):
        opt.zero_grad()
        ref_loss().backward()
        opt.step()
        theirs.append([p.data for p in ref_params])
    if not all(close(a, b, 1e-9, 1e-12) for a, b in zip(mine, theirs)):
        k = next(i for i, (a, b) in enumerate(zip(mine, theirs)) if not close(a, b, 1e-9, 1e-12))
        return Result(EX9, WRONG, "single updates are right, but a run with them drifts from nn.Adam", None,
                      f"step {k + 1} of fitting w·x + b, (w, b) after the step", theirs[k], mine[k],
                      "the update must depend only on its arguments (keep no state of your own)")
    return Result(EX9, PASSED, f"adam_update is right on {len(cases)} cases, and {n} steps with it match "
                  "nn.Adam (which follows torch.optim.Adam) step for step")


def _adam_case(case: tuple) -> str:
    p, g, m, v, t, lr, b1, b2, eps = case
    return (f"p = {fmt(p)}, g = {fmt(g)}, m = {fmt(m)}, v = {fmt(v)}, t = {t}, lr = {fmt(lr)}, "
            f"β₁ = {fmt(b1)}, β₂ = {fmt(b2)}, ε = {fmt(eps)}")
