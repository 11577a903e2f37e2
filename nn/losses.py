"""Loss functions: one number that says how wrong a prediction is, built from Values.

Every loss here is a small graph of engine ops, so calling ``backward()`` on it
sends gradients into whatever network produced the predictions, and the graph
can be drawn and stepped through like any other. A batch is reduced to its
mean (``reduction='sum'`` adds instead, ``'none'`` keeps one loss per sample).
Values and gradients follow ``torch.nn.functional``.

>>> from engine import Value
>>> p = Value(0.8, label="p")
>>> loss = mse_loss(p, 1.0); loss.backward()
>>> round(loss.data, 12), round(p.grad, 12)
(0.04, -0.4)
>>> round(cross_entropy([2.0, 0.5, -1.0], 0).data, 6)
0.241311
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import engine
from engine import RULES, Value, apply
from engine import numeric as num
from engine.value import as_real, is_real, lift

Scalar = Union[Value, float, int]
Batch = Union[Scalar, Sequence[Scalar]]

from engine.ops import BCE_GRAD_EPS, LOG_CLAMP  # noqa: E402,F401 - PyTorch's clamps, nn's names

REDUCTIONS = ("mean", "sum", "none")


# --- the fused binary cross-entropy node ---------------------------------------------
#
# One BCE term is one engine op (engine.ops.BCE): built from log nodes it would have
# local derivative 1/p = inf at p == 0, and the chain rule would make that nan.

BCE_OP = RULES["bce"]
"""The rule-table op for one binary cross-entropy term: inputs ``(p, y)``."""


# --- input checking ------------------------------------------------------------------


def _one(plural: str) -> str:
    return "probability" if plural == "probabilities" else plural[:-1]


def _is_single(x: object) -> bool:
    return isinstance(x, Value) or is_real(x)


def _as_list(x: object, what: str, fname: str) -> list:
    if isinstance(x, (str, bytes, dict)) or not hasattr(x, "__iter__"):
        raise TypeError(f"{fname} {what} must be a Value, a number or a list of them, "
                        f"got {type(x).__name__}")
    return list(x)


def _pair(preds: object, targets: object, fname: str, names: Tuple[str, str]
          ) -> Tuple[list, list, bool]:
    """Both single (``single=True``), or non-empty lists of the same length."""
    what, whom = names
    if _is_single(preds):
        if not _is_single(targets):
            ts = _as_list(targets, whom, fname)
            raise ValueError(f"{fname} got a single {_one(what)} but {len(ts)} {whom}; "
                             f"give one per {_one(what)}")
        return [preds], [targets], True
    ps = _as_list(preds, what, fname)
    if _is_single(targets):
        raise ValueError(f"{fname} got {len(ps)} {what} but a single {_one(whom)}; "
                         f"give one per {_one(what)}")
    ts = _as_list(targets, whom, fname)
    if len(ps) != len(ts):
        raise ValueError(f"{fname} got {len(ps)} {what} and {len(ts)} {whom}; "
                         f"they must have the same length")
    if not ps:
        raise ValueError(f"{fname} needs at least one {_one(what)}, got an empty batch")
    return ps, ts, False


def _value(x: object, where: str) -> Value:
    v = lift(x)
    if v is None:
        raise TypeError(f"{where} must be a Value or a real number, got {type(x).__name__}")
    return v


def _number(x: object, where: str) -> float:
    if isinstance(x, Value):
        raise TypeError(f"{where} must be a plain number, got a Value (targets get no gradient; "
                        f"use its .data)")
    if not is_real(x):
        raise TypeError(f"{where} must be a real number, got {type(x).__name__}")
    return as_real(x, where)  # an int beyond float range is inf


def _probability(x: object, where: str) -> float:
    p = _number(x, where)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{where} must be a probability in [0, 1], got {p}")
    return p


def _check_reduction(reduction: object, fname: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{fname} reduction must be one of {', '.join(REDUCTIONS)}, "
                         f"got {reduction!r}")


def _reduce(terms: List[Value], single: bool, reduction: str) -> Union[Value, List[Value]]:
    if reduction == "none":
        return terms[0] if single else terms
    if len(terms) == 1:
        return terms[0]
    total = engine.sum(terms)
    return total / len(terms) if reduction == "mean" else total


def _elementwise(fname: str, names: Tuple[str, str], preds: object, targets: object,
                 reduction: str, target_check: Callable[[object, str], object],
                 term: Callable[[Value, Any], Value],
                 pred_check: Optional[Callable[[Value, str], None]] = None
                 ) -> Union[Value, List[Value]]:
    """One ``term(prediction, target)`` per sample, then the reduction."""
    _check_reduction(reduction, fname)
    ps, ts, single = _pair(preds, targets, fname, names)
    terms = []
    what, whom = (_one(n) for n in names) if single else names
    for i, (p, t) in enumerate(zip(ps, ts)):
        at = "" if single else f"[{i}]"
        v = _value(p, f"{fname} {what}{at}")
        if pred_check is not None:
            pred_check(v, f"{fname} {what}{at}")
        terms.append(term(v, target_check(t, f"{fname} {whom}{at}")))
    return _reduce(terms, single, reduction)


# --- regression and binary classification --------------------------------------------


def mse_loss(preds: Batch, targets: Batch, *, reduction: str = "mean") -> Union[Value, List[Value]]:
    """Mean squared error ``mean((pred - target)**2)``.

    Targets may be numbers or Values (then they get gradients too).

    >>> mse_loss([1.0, 2.0], [0.0, 4.0]).data
    2.5
    """
    return _elementwise("mse_loss", ("predictions", "targets"), preds, targets, reduction, _value,
                        lambda p, t: (p - t) ** 2)


def binary_cross_entropy(probs: Batch, targets: Batch, *,
                         reduction: str = "mean") -> Union[Value, List[Value]]:
    """``-(y log p + (1 - y) log(1 - p))`` for probabilities ``p`` and targets ``y`` in [0, 1].

    Each log is clamped at -100 (as PyTorch does), so ``p`` of exactly 0 or 1 gives
    a finite loss and a finite gradient. Each sample is one ``BCE`` node.

    >>> round(binary_cross_entropy([0.9, 0.2], [1, 0]).data, 6)
    0.164252
    >>> binary_cross_entropy(0.0, 1.0).data
    100.0
    """
    def in_range(p: Value, where: str) -> None:
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(f"{where} must be in [0, 1], got {p.data} (apply sigmoid "
                             f"first, or use binary_cross_entropy_with_logits)")

    return _elementwise("binary_cross_entropy", ("probabilities", "targets"), probs, targets,
                        reduction, _probability, lambda p, y: apply(BCE_OP, (p, y)), in_range)


def binary_cross_entropy_with_logits(logits: Batch, targets: Batch, *,
                                     reduction: str = "mean") -> Union[Value, List[Value]]:
    """BCE of ``sigmoid(x)`` computed from the logit ``x`` directly: ``softplus(x) - y x``.

    ``softplus`` is exact for any ``x`` and its local derivative is ``sigmoid(x)``, so the
    gradient is ``sigmoid(x) - y`` even for logits of ±1000. (The textbook form
    ``max(x, 0) - x y + log(1 + e**-|x|)`` has the same value, but built from relu and
    abs nodes its gradient at exactly ``x = 0`` comes out as ``-y`` instead of ``0.5 - y``.)
    For ``x >= 0`` the same function is spelled ``(1 - y) x + softplus(-x)``: two terms
    that are never negative, so a confident correct logit keeps its tiny loss
    (``softplus(40) - 40`` would round to 0 instead of 4.2e-18).

    >>> round(binary_cross_entropy_with_logits([2.0, -1.0], [1, 0]).data, 6)
    0.220095
    >>> binary_cross_entropy_with_logits(-1000.0, 1).data
    1000.0
    """
    return _elementwise("binary_cross_entropy_with_logits", ("logits", "targets"), logits, targets,
                        reduction, _probability, _bce_logit_term)


def _bce_logit_term(x: Value, y: float) -> Value:
    """One sample's BCE from its logit, as a sum of non-negative terms on either side of 0."""
    if x.data >= 0.0:
        return (1.0 - y) * x + (-x).softplus()
    return x.softplus() - x * y


def hinge_loss(scores: Batch, labels: Batch, *, reduction: str = "mean") -> Union[Value, List[Value]]:
    """Max-margin loss ``mean(relu(1 - y * s))`` for labels ``y`` of +1 or -1.

    A sample costs nothing once its score is on the right side with margin 1.

    >>> hinge_loss([2.0, 0.5, 0.3], [1, 1, -1]).data
    0.6
    """
    def label(y: object, where: str) -> float:
        y = _number(y, where)
        if y not in (1.0, -1.0):
            raise ValueError(f"{where} must be +1 or -1, got {y:g} (hinge labels are ±1, not 0/1)")
        return y

    return _elementwise("hinge_loss", ("scores", "labels"), scores, labels, reduction, label,
                        lambda s, y: (1 - y * s).relu())


# --- softmax and multi-class cross-entropy ---------------------------------------------


def _logit_row(values: object, where: str) -> List[Value]:
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{where} must be a list of logits (Values or numbers), "
                        f"got {type(values).__name__}")
    row = [_value(x, f"{where}[{j}]") for j, x in enumerate(values)]
    if not row:
        raise ValueError(f"{where} is empty; need at least one logit")
    return row


def _shifted_exps(row: List[Value]) -> Tuple[List[Value], List[Value]]:
    """``x_i - m`` and ``exp(x_i - m)`` with ``m`` the largest logit, a constant.

    Subtracting a constant leaves softmax unchanged but keeps every exponent
    at most 0, so ``exp`` cannot overflow even for logits of 1000.
    """
    m = max(v.data for v in row)
    if not num.isfinite(m):
        m = 0.0  # inf/nan logits: no shift can help; let IEEE arithmetic say nan
    shifted = [v - m for v in row]
    return shifted, [s.exp() for s in shifted]


def _log_softmax_parts(row: List[Value]) -> Tuple[List[Value], Value]:
    """Shifted logits and ``log Σ exp(shifted)``; log-softmax is their difference."""
    shifted, exps = _shifted_exps(row)
    return shifted, engine.sum(exps).log()


def softmax(values: Sequence[Scalar]) -> List[Value]:
    """``exp(x_i) / Σ_j exp(x_j)``: logits to probabilities that sum to 1.

    >>> [round(p.data, 4) for p in softmax([1.0, 2.0, 3.0])]
    [0.09, 0.2447, 0.6652]
    >>> [p.data for p in softmax([1000.0, -1000.0])]
    [1.0, 0.0]
    """
    _, exps = _shifted_exps(_logit_row(values, "softmax values"))
    total = engine.sum(exps)
    return [e / total for e in exps]


def log_softmax(values: Sequence[Scalar]) -> List[Value]:
    """``x_i - log Σ_j exp(x_j)``, computed stably (the log of :func:`softmax`).

    >>> [round(v.data, 4) for v in log_softmax([1.0, 2.0, 3.0])]
    [-2.4076, -1.4076, -0.4076]
    >>> [v.data for v in log_softmax([1000.0, -1000.0])]
    [0.0, -2000.0]
    """
    shifted, lse = _log_softmax_parts(_logit_row(values, "log_softmax values"))
    return [s - lse for s in shifted]


def _class_index(t: object, classes: int, where: str) -> int:
    if isinstance(t, bool) or not isinstance(t, numbers.Integral):
        raise TypeError(f"{where} must be an int class index, got {type(t).__name__} {t!r}")
    t = int(t)
    if not 0 <= t < classes:
        raise ValueError(f"{where} is {t}, out of range for {classes} classes "
                         f"(expected 0..{classes - 1})")
    return t


def cross_entropy(logits: Union[Sequence[Scalar], Sequence[Sequence[Scalar]]],
                  targets: Union[int, Sequence[int]], *,
                  reduction: str = "mean") -> Union[Value, List[Value]]:
    """``-log_softmax(logits)[target]``: one sample (a list of logits and an int), or a batch.

    A batch is a list of logit rows, all with the same number of classes, and a list
    of class indices. Each sample costs ``log Σ exp(x_j - m) - (x_target - m)``,
    with the largest logit ``m`` subtracted as a constant so nothing overflows.

    >>> round(cross_entropy([[2.0, 0.5], [0.1, 0.3]], [0, 1]).data, 6)
    0.399776
    >>> cross_entropy([1000.0, -1000.0], 1).data
    2000.0
    """
    fname = "cross_entropy"
    _check_reduction(reduction, fname)
    rows = _as_list(logits, "logits", fname)
    if not rows:
        raise ValueError(f"{fname} needs at least one sample, got empty logits")
    # One sample unless the first item is itself a row (a junk logit is reported as one).
    single = _is_single(rows[0]) or isinstance(rows[0], (str, bytes, dict)) \
        or not hasattr(rows[0], "__iter__")
    if single:
        if not isinstance(targets, (str, bytes)) and hasattr(targets, "__iter__"):
            raise ValueError(f"{fname} got one sample's logits (a list of {len(rows)} numbers) but "
                             f"a list of targets; a batch is a list of logit rows")
        rows, ts = [rows], [targets]
    else:
        if _is_single(targets) or isinstance(targets, bool):
            raise ValueError(f"{fname} got a batch of {len(rows)} logit rows but a single target; "
                             f"give a list of {len(rows)} class indices")
        ts = _as_list(targets, "targets", fname)
        if len(ts) != len(rows):
            raise ValueError(f"{fname} got {len(rows)} logit rows and {len(ts)} targets; "
                             f"they must have the same length")
    terms, classes = [], None
    for i, (row, t) in enumerate(zip(rows, ts)):
        at = "" if single else f"[{i}]"
        if not single and _is_single(row):
            raise TypeError(f"{fname} logits{at} must be a list of logits (a batch is a list of "
                            f"rows), got a single {type(row).__name__}")
        row = _logit_row(row, f"{fname} logits{at}")
        if classes is None:
            classes = len(row)
        elif len(row) != classes:
            raise ValueError(f"{fname} logits{at} has {len(row)} classes but logits[0] "
                             f"has {classes}; every row needs the same number")
        k = _class_index(t, len(row), f"{fname} target" + (f"s{at}" if at else ""))
        shifted, lse = _log_softmax_parts(row)
        terms.append(lse - shifted[k])
    return _reduce(terms, single, reduction)
