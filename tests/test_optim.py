"""nn.optim: trajectories against torch.optim, validation, state saving."""

import json

import pytest

import engine
from engine import Value
from nn.losses import cross_entropy
from nn.optim import OPTIMIZERS, SGD, Adam, AdamW, Optimizer

START = (-1.2, 0.8, 0.5)
STEPS = 20
TOL = 1e-12


def objective(a, b, c):
    """Nonconvex in three parameters; the same code runs on Values and torch tensors."""
    return (1 - a) ** 2 + 5 * (b - a * a) ** 2 + (a * c).tanh() + 0.1 * c ** 4 + (b * c).sigmoid()


def run_ours(cls, kwargs, steps=STEPS):
    params = [Value(x, label=f"p{i}") for i, x in enumerate(START)]
    opt = cls(params, **kwargs)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        objective(*params).backward()
        opt.step()
        path.append([p.data for p in params])
    return path


def run_torch(torch, name, kwargs, steps=STEPS):
    params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in START]
    opt = getattr(torch.optim, name)(params, **kwargs)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        objective(*params).backward()
        opt.step()
        path.append([p.item() for p in params])
    return path


CASES = [
    ("SGD", {"lr": 0.01}),
    ("SGD", {"lr": 0.01, "momentum": 0.9}),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.01, "momentum": 0.8, "nesterov": True}),
    ("SGD", {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "betas": (0.0, 0.0)}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "betas": (0.5, 0.9)}),
]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_trajectory_matches_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    cls = OPTIMIZERS[name.lower()]
    ours = run_ours(cls, kwargs)
    theirs = run_torch(torch, name, kwargs)
    worst = max(abs(x - y) for a, b in zip(ours, theirs) for x, y in zip(a, b))
    assert worst <= TOL, f"{name}{kwargs}: max |ours - torch| = {worst:.3g}"
    # the run really moved the parameters (no trivial agreement at the start point)
    assert max(abs(x - s) for x, s in zip(ours[-1], START)) > 1e-3


def test_sgd_plain_step_is_p_minus_lr_grad():
    w = Value(2.0); w.grad = 3.0
    SGD([w], lr=0.5).step()
    assert w.data == 2.0 - 0.5 * 3.0


def test_sgd_momentum_buffer_starts_at_first_gradient():
    w = Value(0.0)
    opt = SGD([w], lr=1.0, momentum=0.9, dampening=0.5)
    w.grad = 2.0; opt.step()
    assert opt.state[0]["momentum_buffer"] == 2.0  # not (1 - dampening) * 2
    w.grad = 1.0; opt.step()
    assert opt.state[0]["momentum_buffer"] == 0.9 * 2.0 + 0.5 * 1.0


def test_adam_first_step_has_length_lr():
    # with the bias corrections, step 1 moves each parameter by lr * g / (|g| + eps)
    ws = [Value(0.0), Value(0.0)]
    ws[0].grad, ws[1].grad = 1e-3, -50.0
    Adam(ws, lr=0.1, eps=0.0).step()
    assert ws[0].data == pytest.approx(-0.1, rel=1e-12)
    assert ws[1].data == pytest.approx(0.1, rel=1e-12)


def test_adamw_decay_differs_from_adam_l2():
    a, b = Value(1.0), Value(1.0)
    a.grad = b.grad = 0.5
    Adam([a], lr=0.1, weight_decay=0.5).step()
    AdamW([b], lr=0.1, weight_decay=0.5).step()
    assert a.data != b.data
    assert AdamW([Value(0.0)]).weight_decay == 1e-2
    assert Adam([Value(0.0)]).weight_decay == 0.0


def test_zero_grad_resets_every_parameter():
    ws = [Value(1.0), Value(2.0)]
    (ws[0] * ws[1]).backward()
    opt = SGD(ws, lr=0.1)
    assert [w.grad for w in ws] == [2.0, 1.0]
    opt.zero_grad()
    assert [w.grad for w in ws] == [0.0, 0.0]


def test_parameters_from_a_generator_are_kept():
    ws = [Value(1.0), Value(2.0)]
    opt = SGD((w for w in ws), lr=0.1)
    assert opt.params == ws


def test_a_subclass_without_update_says_so():
    class Half(Optimizer):
        pass
    with pytest.raises(NotImplementedError, match="Half must define update"):
        Half([Value(1.0)]).step()


def test_optimizers_registry():
    assert OPTIMIZERS == {"sgd": SGD, "adam": Adam, "adamw": AdamW}
    assert all(issubclass(c, Optimizer) for c in OPTIMIZERS.values())


def test_repr_lists_settings():
    text = repr(SGD([Value(0.0)], lr=0.1, momentum=0.9))
    assert text.startswith("SGD(1 params") and "momentum=0.9" in text


# --- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize("kwargs,match", [
    ({"lr": -0.1}, "lr"),
    ({"lr": float("nan")}, "lr"),
    ({"lr": 0.1, "momentum": -0.5}, "momentum"),
    ({"lr": 0.1, "weight_decay": -1.0}, "weight_decay"),
    ({"lr": 0.1, "nesterov": True}, "nesterov"),
    ({"lr": 0.1, "momentum": 0.9, "nesterov": True, "dampening": 0.1}, "dampening"),
])
def test_sgd_rejects_bad_hyperparameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SGD([Value(0.0)], **kwargs)


@pytest.mark.parametrize("cls", [Adam, AdamW])
@pytest.mark.parametrize("kwargs,match", [
    ({"lr": -1e-3}, "lr"),
    ({"betas": (1.0, 0.999)}, r"betas\[0\]"),
    ({"betas": (0.9, -0.1)}, r"betas\[1\]"),
    ({"betas": (0.9, 1.5)}, r"betas\[1\]"),
    ({"eps": -1e-8}, "eps"),
    ({"weight_decay": -0.01}, "weight_decay"),
])
def test_adam_rejects_bad_hyperparameters(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls([Value(0.0)], **kwargs)


@pytest.mark.parametrize("make", [
    lambda: SGD([Value(0.0)], lr="0.1"),
    lambda: SGD([Value(0.0)], lr=Value(0.1)),
    lambda: SGD([Value(0.0)], lr=0.1, nesterov="yes"),
    lambda: Adam([Value(0.0)], betas=0.9),
    lambda: Adam([Value(0.0)], betas=(0.9, "x")),
])
def test_wrong_types_raise_type_error(make):
    with pytest.raises(TypeError):
        make()


def test_bad_learning_rate_set_later_is_caught_at_step():
    w = Value(1.0); w.grad = 1.0
    opt = SGD([w], lr=0.1)
    opt.lr = -0.1
    with pytest.raises(ValueError, match="lr"):
        opt.step()
    assert w.data == 1.0


@pytest.mark.parametrize("params,error,match", [
    (Value(1.0), TypeError, "iterable of Values"),
    ([1.0, 2.0], TypeError, r"params\[0\] must be a Value"),
    ([], ValueError, "empty"),
    ([Value(1.0) * 2], ValueError, "leaf"),
])
def test_bad_params(params, error, match):
    with pytest.raises(error, match=match):
        SGD(params, lr=0.1)


def test_duplicate_and_constant_params_are_refused():
    w = Value(1.0)
    with pytest.raises(ValueError, match="twice"):
        Adam([w, w])
    constant = (Value(1.0) + 2.0).inputs[1]
    with pytest.raises(ValueError, match="Constant"):
        Adam([constant])


def test_passing_a_model_hints_at_parameters():
    class Model:
        def parameters(self):
            return [Value(1.0)]
    with pytest.raises(TypeError, match=r"model\.parameters\(\)"):
        SGD(Model(), lr=0.1)


# --- state_dict ---------------------------------------------------------------------


@pytest.mark.parametrize("cls,kwargs", [(SGD, {"lr": 0.01, "momentum": 0.9}),
                                        (Adam, {"lr": 0.05}), (AdamW, {"lr": 0.05})])
def test_resuming_from_state_dict_continues_the_same_path(cls, kwargs):
    params = [Value(x) for x in START]
    opt = cls(params, **kwargs)

    def run(o, ps, n):
        for _ in range(n):
            o.zero_grad(); objective(*ps).backward(); o.step()

    run(opt, params, 5)
    saved = json.loads(json.dumps(opt.state_dict()))
    copies = [Value(p.data) for p in params]
    run(opt, params, 5)
    resumed = cls(copies, lr=123.0)
    resumed.load_state_dict(saved)
    assert resumed.step_count == 5 and resumed.lr == kwargs["lr"]
    run(resumed, copies, 5)
    assert [p.data for p in copies] == [p.data for p in params]


@pytest.mark.parametrize("mutate,match", [
    (lambda s: s.update(optimizer="SGD"), "not 'Adam'"),
    (lambda s: s.update(step_count=-1), "step_count"),
    (lambda s: s["state"].pop(), "one entry per parameter"),
    (lambda s: s["state"][0].update(exp_avg=float("nan")), "finite"),
    (lambda s: s["state"][0].update(exp_avg=None), "finite number, got None"),
    (lambda s: s["state"][1].pop("exp_avg_sq"), r"state\[1\]"),
    (lambda s: s["hyperparameters"].update(lr=-1.0), "lr"),
    (lambda s: s.pop("state"), "keys"),
])
def test_bad_state_dict_is_refused_and_changes_nothing(mutate, match):
    """Adam's state: a wrong entry raises ValueError naming it, and nothing is half-loaded."""
    ws = [Value(1.0), Value(2.0)]
    opt = Adam(ws, lr=0.05)
    for w in ws:
        w.grad = 1.0
    opt.step()
    good = opt.state_dict()
    bad = json.loads(json.dumps(good))
    mutate(bad)
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(bad)
    assert opt.state_dict() == good


def test_sgd_momentum_buffer_may_be_none_before_the_first_step():
    opt = SGD([Value(1.0)], lr=0.1, momentum=0.9)
    saved = json.loads(json.dumps(opt.state_dict()))
    assert saved["state"] == [{"momentum_buffer": None}]
    opt.load_state_dict(saved)
    assert opt.state == [{"momentum_buffer": None}]


def test_softmax_regression_with_adam_follows_torch():
    """Losses and optimizer together: 20 Adam steps of a 3-class linear model on 6 points."""
    torch = pytest.importorskip("torch")

    X = [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8], [2.0, -0.5], [-1.2, -0.7], [0.1, 1.9]]
    y = [0, 1, 2, 1, 0, 2]
    W0 = [[0.1, -0.2], [0.3, 0.05], [-0.15, 0.25]]
    W = [[Value(w) for w in row] for row in W0]
    b = [Value(0.0) for _ in W0]
    opt = Adam([w for row in W for w in row] + b, lr=0.1)
    tW = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    tb = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    topt = torch.optim.Adam([tW, tb], lr=0.1)
    tX, ty = torch.tensor(X, dtype=torch.float64), torch.tensor(y)
    for _ in range(STEPS):
        opt.zero_grad()
        loss = cross_entropy([[engine.dot(row, x, bias) for row, bias in zip(W, b)] for x in X], y)
        loss.backward()
        opt.step()
        topt.zero_grad()
        tloss = torch.nn.functional.cross_entropy(tX @ tW.T + tb, ty)
        tloss.backward()
        topt.step()
        assert abs(loss.data - tloss.item()) <= 1e-12
    ours = [w.data for row in W for w in row] + [v.data for v in b]
    theirs = tW.flatten().tolist() + tb.tolist()
    assert max(abs(a - t) for a, t in zip(ours, theirs)) <= TOL
