"""Optimizers: turn the gradients left by ``backward()`` into parameter updates.

Each one follows the update rule of its ``torch.optim`` namesake exactly, so a
run here and the same run in PyTorch (in float64) trace the same path.
The loop is always the same three lines:

>>> from engine import Value
>>> w = Value(3.0, label="w")
>>> opt = SGD([w], lr=0.1)
>>> for _ in range(3):
...     opt.zero_grad()
...     loss = (w - 1.0) ** 2
...     loss.backward()
...     opt.step()
>>> round(w.data, 6)
2.024
"""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, List, Optional, Tuple

from engine import Value
from engine import numeric as num
from engine.value import as_real, is_real


def _real(name: str, x: object) -> float:
    if isinstance(x, bool) or not is_real(x):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} {x!r}")
    return as_real(x, name)  # an int beyond float range is inf (then refused as not finite)


def _at_least_zero(name: str, x: object) -> float:
    x = _real(name, x)
    if not 0.0 <= x < math.inf:  # also rejects nan
        raise ValueError(f"invalid {name} {x}: expected a finite number >= 0")
    return x


def _check_params(params: object, owner: str) -> List[Value]:
    if isinstance(params, Value) or not hasattr(params, "__iter__"):
        hint = " (call model.parameters())" if callable(getattr(params, "parameters", None)) else ""
        raise TypeError(f"{owner} params must be an iterable of Values{hint}, "
                        f"got {type(params).__name__}")
    out, seen = [], set()
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"{owner} params[{i}] must be a Value, got {type(p).__name__}")
        if not p.is_leaf:
            raise ValueError(f"{owner} params[{i}] was made by a {p._op!r} node; only leaf "
                             f"Values (parameters) can be optimized")
        if not p.requires_grad:
            raise ValueError(f"{owner} params[{i}] is a Constant; it has no gradient to follow")
        if p in seen:
            raise ValueError(f"{owner} params[{i}] ({p.label or p.data}) appears twice; "
                             f"it would be updated twice per step")
        seen.add(p)
        out.append(p)
    if not out:
        raise ValueError(f"{owner} got an empty parameter list")
    return out


class Optimizer:
    """Base class: holds the parameters and per-parameter state; subclasses define the update.

    A subclass implements ``update(p, state)`` (one step for one parameter) and
    may override ``validate()`` (check the settings; ``step()`` calls it first, so
    ``opt.lr = -1`` set later is still caught) and list ``HYPERPARAMETERS`` and
    ``STATE_KEYS`` (the per-parameter memory) for ``repr`` and ``state_dict``.

    >>> from engine import Value
    >>> class SignDescent(Optimizer):
    ...     HYPERPARAMETERS = ("lr",)
    ...     def __init__(self, params, lr):
    ...         super().__init__(params)
    ...         self.lr = lr
    ...     def update(self, p, state):
    ...         p.data -= self.lr * ((p.grad > 0) - (p.grad < 0))
    >>> w = Value(1.0); w.grad = -7.0
    >>> opt = SignDescent([w], lr=0.25); opt.step(); w.data
    1.25
    >>> opt
    SignDescent(1 params, lr=0.25)
    """

    HYPERPARAMETERS: Tuple[str, ...] = ()
    STATE_KEYS: Tuple[str, ...] = ()
    NULLABLE_STATE: Tuple[str, ...] = ()  # state entries that may be None ("not started yet")

    def __init__(self, params: Iterable[Value]) -> None:
        self.params: List[Value] = _check_params(params, type(self).__name__)
        self.state: List[Dict[str, Optional[float]]] = [self._initial_state() for _ in self.params]
        self.step_count = 0

    def _initial_state(self) -> Dict[str, Optional[float]]:
        return {key: None for key in self.STATE_KEYS}

    def validate(self) -> None:
        """Raise ``ValueError``/``TypeError`` for bad settings (nothing to check here)."""

    def update(self, p: Value, state: Dict[str, Optional[float]]) -> None:
        """Apply one step to parameter ``p``, reading and updating its ``state``."""
        raise NotImplementedError(f"{type(self).__name__} must define update(p, state)")

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients accumulate otherwise)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its current ``grad``."""
        self.validate()
        self.step_count += 1
        for p, state in zip(self.params, self.state):
            self.update(p, state)

    def hyperparameters(self) -> Dict[str, object]:
        """The settings of this optimizer by name (betas as a tuple)."""
        return {name: getattr(self, name) for name in self.HYPERPARAMETERS}

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({len(self.params)} params, {settings})"

    # --- saving and restoring -----------------------------------------------------

    def state_dict(self) -> dict:
        """Everything needed to resume: hyperparameters, step count, per-parameter state.

        Plain numbers, lists and dicts only, so ``json.dumps`` can write it.
        """
        hyper = {k: list(v) if isinstance(v, tuple) else v for k, v in self.hyperparameters().items()}
        return {"optimizer": type(self).__name__, "hyperparameters": hyper,
                "step_count": self.step_count, "state": [dict(s) for s in self.state]}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what :meth:`state_dict` gave, for the same parameters in the same order.

        Everything is checked first: on a bad entry a ``ValueError`` names it and
        the optimizer is left unchanged.
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            raise TypeError(f"{name}.load_state_dict needs a dict, got {type(state_dict).__name__}")
        expected = {"optimizer", "hyperparameters", "step_count", "state"}
        if set(state_dict) != expected:
            raise ValueError(f"optimizer state must have keys {sorted(expected)}, "
                             f"got {sorted(state_dict)}")
        if state_dict["optimizer"] != name:
            raise ValueError(f"state is for {state_dict['optimizer']!r}, not {name!r}")
        steps = state_dict["step_count"]
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"step_count must be an int >= 0, got {steps!r}")
        states = self._checked_states(state_dict["state"])
        hyper = state_dict["hyperparameters"]
        if not isinstance(hyper, dict) or set(hyper) != set(self.HYPERPARAMETERS):
            raise ValueError(f"hyperparameters must have keys {sorted(self.HYPERPARAMETERS)}, "
                             f"got {sorted(hyper) if isinstance(hyper, dict) else hyper!r}")
        before = self.hyperparameters()
        try:
            for k, v in hyper.items():
                setattr(self, k, tuple(v) if isinstance(v, list) else v)
            self.validate()
        except (TypeError, ValueError):
            for k, v in before.items():
                setattr(self, k, v)
            raise
        self.step_count = steps
        self.state = states

    def _checked_states(self, states: object) -> List[Dict[str, Optional[float]]]:
        if not isinstance(states, list) or len(states) != len(self.params):
            got = len(states) if isinstance(states, list) else type(states).__name__
            raise ValueError(f"state must be a list with one entry per parameter "
                             f"({len(self.params)}), got {got}")
        out = []
        for i, s in enumerate(states):
            if not isinstance(s, dict) or set(s) != set(self.STATE_KEYS):
                raise ValueError(f"state[{i}] must have keys {list(self.STATE_KEYS)}, got {s!r}")
            for k, v in s.items():
                if v is None and k in self.NULLABLE_STATE:
                    continue
                if isinstance(v, bool) or not is_real(v) or not num.isfinite(as_real(v, k)):
                    allowed = " or None" if k in self.NULLABLE_STATE else ""
                    raise ValueError(f"state[{i}][{k!r}] must be a finite number{allowed}, got {v!r}")
            out.append({k: None if v is None else float(v) for k, v in s.items()})
        return out


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum, dampening, Nesterov and L2 decay.

    With gradient ``g`` (plus ``weight_decay * p`` when set) and momentum ``mu``:
    ``b = g`` on the first step, then ``b = mu * b + (1 - dampening) * g``;
    the step direction is ``g + mu * b`` (Nesterov) or ``b``; then ``p -= lr * direction``.

    >>> from engine import Value
    >>> w = Value(1.0); w.grad = 2.0
    >>> SGD([w], lr=0.1, momentum=0.9).step(); w.data
    0.8
    """

    HYPERPARAMETERS = ("lr", "momentum", "dampening", "weight_decay", "nesterov")
    STATE_KEYS = ("momentum_buffer",)
    NULLABLE_STATE = ("momentum_buffer",)

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, dampening: float = 0.0) -> None:
        super().__init__(params)
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov
        self.validate()

    def validate(self) -> None:
        """Check lr, momentum, weight_decay >= 0 and that Nesterov has momentum and no dampening."""
        self.lr = _at_least_zero("lr", self.lr)
        self.momentum = _at_least_zero("momentum", self.momentum)
        self.dampening = _real("dampening", self.dampening)
        self.weight_decay = _at_least_zero("weight_decay", self.weight_decay)
        if not isinstance(self.nesterov, bool):
            raise TypeError(f"nesterov must be True or False, got {self.nesterov!r}")
        if self.nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening == 0, got "
                             f"momentum={self.momentum}, dampening={self.dampening}")

    def update(self, p: Value, state: Dict[str, Optional[float]]) -> None:
        """One SGD step for ``p``; ``state`` holds its momentum buffer."""
        g = p.grad
        if self.weight_decay != 0.0:
            g = g + self.weight_decay * p.data
        mu = self.momentum
        if mu != 0.0:
            buf = state["momentum_buffer"]
            buf = g if buf is None else mu * buf + (1.0 - self.dampening) * g
            state["momentum_buffer"] = buf
            g = g + mu * buf if self.nesterov else buf
        p.data = p.data - self.lr * g


class Adam(Optimizer):
    """Adam: steps scaled by running averages of the gradient and of its square.

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g²``, then with the bias
    corrections ``m̂ = m / (1 - b1**t)`` and ``v̂ = v / (1 - b2**t)`` for step ``t``:
    ``p -= lr * m̂ / (sqrt(v̂) + eps)``. ``weight_decay`` adds ``weight_decay * p``
    to ``g`` (L2 regularisation); see :class:`AdamW` for decoupled decay.

    >>> from engine import Value
    >>> w = Value(1.0); w.grad = 5.0
    >>> Adam([w], lr=0.1).step(); round(w.data, 9)  # the first step is about lr
    0.9
    """

    HYPERPARAMETERS = ("lr", "betas", "eps", "weight_decay")
    STATE_KEYS = ("exp_avg", "exp_avg_sq")
    decoupled_weight_decay = False

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.validate()

    def _initial_state(self) -> Dict[str, Optional[float]]:
        return {"exp_avg": 0.0, "exp_avg_sq": 0.0}

    def validate(self) -> None:
        """Check lr, eps, weight_decay >= 0 and both betas in [0, 1)."""
        self.lr = _at_least_zero("lr", self.lr)
        self.eps = _at_least_zero("eps", self.eps)
        self.weight_decay = _at_least_zero("weight_decay", self.weight_decay)
        betas = self.betas
        if isinstance(betas, (str, bytes, dict)) or not hasattr(betas, "__len__") or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        b1, b2 = _real("betas[0]", betas[0]), _real("betas[1]", betas[1])
        for i, b in enumerate((b1, b2)):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"invalid betas[{i}] {b}: expected 0 <= beta < 1")
        self.betas = (b1, b2)

    def update(self, p: Value, state: Dict[str, Any]) -> None:
        """One Adam step for ``p``; ``state`` holds its two running averages."""
        lr, (b1, b2), t = self.lr, self.betas, self.step_count
        g = p.grad
        if self.weight_decay != 0.0:
            if self.decoupled_weight_decay:
                p.data = p.data * (1.0 - lr * self.weight_decay)
            else:
                g = g + self.weight_decay * p.data
        m = b1 * state["exp_avg"] + (1.0 - b1) * g
        v = b2 * state["exp_avg_sq"] + (1.0 - b2) * g * g
        state["exp_avg"], state["exp_avg_sq"] = m, v
        # m̂ / (sqrt(v̂) + eps) with the bias corrections folded into two scalars.
        step_size = lr / (1.0 - b1 ** t)
        denom = num.sqrt(v) / math.sqrt(1.0 - b2 ** t) + self.eps
        p.data = p.data - step_size * num.div(m, denom)


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay`` before the Adam step.

    Unlike L2 in :class:`Adam`, the decay is not rescaled by the adaptive step size.

    >>> from engine import Value
    >>> w = Value(1.0)  # grad 0: only the decay acts
    >>> AdamW([w], lr=0.1, weight_decay=0.5).step(); w.data
    0.95
    """

    decoupled_weight_decay = True

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


OPTIMIZERS: Dict[str, type] = {"sgd": SGD, "adam": Adam, "adamw": AdamW}
"""Every optimizer class by lower-case name."""
