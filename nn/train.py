"""Optional sugar: a ``fit`` loop with minibatches, a progress bar and a history.

The plain loop stays the first way to train - a handful of lines, each one a
step of backpropagation you can see::

    for step in range(100):
        loss = hinge_loss([model(x) for x in X], [2 * t - 1 for t in y])
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad

``fit`` runs the same loop with a loss and an optimizer chosen by name,
optional shuffled minibatches, a tqdm progress bar (only when stderr is a
terminal) and a :class:`History` of loss and accuracy per epoch.

>>> from nn import MLP, make_blobs
>>> X, y = make_blobs(20, centers=2, std=0.5)
>>> model = MLP(2, [4, 1], seed=0)
>>> history = fit(model, X, y, epochs=20, lr=0.1)
>>> len(history.loss), history.accuracy[-1]
(20, 1.0)
"""

from __future__ import annotations

import math
import random
import sys
import warnings
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Union

from engine import Value, no_grad
from engine.value import as_real, is_real

from ._checks import positive_int
from .live import live_view
from .module import Module

LOSSES = ("hinge", "mse", "bce", "cross_entropy")
"""Loss names ``fit`` understands (or pass a function ``(outputs, targets) -> Value``)."""


@dataclass
class History:
    """Per-epoch mean training ``loss`` and ``accuracy`` recorded by :func:`fit`."""

    loss: List[float] = field(default_factory=list)
    accuracy: List[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)


def _predict(output: Union[Value, Sequence[Value]], threshold: float) -> int:
    """The class an output means: argmax of a list, else whether one score beats ``threshold``."""
    if isinstance(output, Value):
        return int(output.data > threshold)
    return max(range(len(output)), key=lambda i: output[i].data)


def _hit(output: Union[Value, Sequence[Value]], label: float, threshold: float) -> bool:
    """Whether ``output`` predicts ``label`` (for one score, labels 0/1 and -1/+1 both work)."""
    guess = _predict(output, threshold)
    return guess == (label > 0) if isinstance(output, Value) else guess == label


def accuracy(model: Module, X: Sequence, y: Sequence[int], threshold: float = 0.0) -> float:
    """Fraction of rows whose predicted class equals the label.

    One output: class 1 when it is above ``threshold`` (0 suits logits and
    hinge scores; use 0.5 for probabilities), compared with labels 0/1 or
    -1/+1. Several outputs: the argmax, compared with labels 0..k-1.

    >>> from nn import Neuron
    >>> n = Neuron(1, "linear"); n.w[0].data = 1.0
    >>> accuracy(n, [[-1.0], [2.0], [3.0]], [0, 1, 0])
    0.6666666666666666
    >>> accuracy(n, [[-1.0], [2.0], [3.0]], [-1, 1, -1])
    0.6666666666666666
    """
    _check_data(X, y, model)
    with no_grad():
        hits = sum(_hit(model(x), t, threshold) for x, t in zip(X, y))
    return hits / len(X)


def _check_data(X: Sequence, y: Sequence, model: Optional[Module] = None) -> None:
    """Two non-empty lists of the same length, every label a number, every row fitting ``model``."""
    for name, data in (("X", X), ("y", y)):
        if isinstance(data, (str, bytes, dict)) or not hasattr(data, "__len__"):
            raise TypeError(f"{name} must be a list (rows of inputs, and their labels), "
                            f"got {type(data).__name__}")
    if len(X) != len(y) or not len(X):
        raise ValueError(f"X and y must be non-empty and the same length, got {len(X)} and {len(y)}")
    for i, t in enumerate(y):
        if not is_real(t):
            raise TypeError(f"y[{i}] must be a number (a class label or target), got {type(t).__name__}")
    nin = getattr(model, "nin", None)
    if type(nin) is int:  # every row fits, checked before a step: a bad row found mid-epoch
        for i, row in enumerate(X):  # would leave the model half-trained
            if isinstance(row, (str, bytes, dict)) or not hasattr(row, "__len__"):
                raise TypeError(f"X[{i}] must be a list of {nin} numbers, got {type(row).__name__}")
            if len(row) != nin:
                raise ValueError(f"X[{i}] has {len(row)} inputs; the model expects {nin}")
            for j, x in enumerate(row):
                if not (is_real(x) or isinstance(x, Value)):
                    raise TypeError(f"X[{i}][{j}] must be a number, got {type(x).__name__}")


@dataclass
class _Task:
    """What a loss needs: the function, targets prepared for it, classes for accuracy."""

    loss: Callable
    targets: list
    classes: list
    threshold: float = 0.0


OUTPUTS = {"hinge": "one", "bce": "one", "mse": "one", "cross_entropy": "many"}
"""How many outputs per row each named loss reads: one score, or one per class."""


def _task(loss: Union[str, Callable], y: Sequence) -> _Task:
    """The loss function and the label bookkeeping ``fit`` uses for ``loss``."""
    if callable(loss):
        return _Task(loss, list(y), list(y))
    from . import losses  # written alongside; imported here so nn.train loads without it
    if loss == "hinge":
        if set(y) <= {0, 1}:
            return _Task(losses.hinge_loss, [2.0 * t - 1.0 for t in y], list(y))
        if not set(y) <= {-1, 1}:
            raise ValueError(f"loss 'hinge' needs labels +1 or -1 (or 0/1, read as -1/+1), "
                             f"got the values {sorted(set(y))[:6]}")
        return _Task(losses.hinge_loss, [as_real(t, "y") for t in y], [int(t > 0) for t in y])
    if loss == "bce":  # targets are probabilities; the loss itself checks they are in [0, 1]
        return _Task(losses.binary_cross_entropy_with_logits, [as_real(t, "y") for t in y],
                     [int(t >= 0.5) for t in y])
    if loss == "mse":  # 0/1 labels, or any numbers to regress (then accuracy means little)
        return _Task(losses.mse_loss, [as_real(t, "y") for t in y], list(y), 0.5)
    if loss == "cross_entropy":
        return _Task(losses.cross_entropy, list(y), list(y))
    raise ValueError(f"unknown loss {loss!r}; valid names: {', '.join(LOSSES)} "
                     "(or pass a function (outputs, targets) -> Value)")


def _check_outputs(model: Module, x: Sequence, loss: object) -> None:
    """Fail early, and clearly, when the model's output does not suit a named loss."""
    wants = OUTPUTS.get(loss) if isinstance(loss, str) else None
    if wants is None:
        return
    with no_grad():
        out = model(x)
    many = isinstance(out, list)
    if wants == "one" and many:
        raise ValueError(f"loss {loss!r} needs a model with one output (a score per row), but "
                         f"{type(model).__name__} gives {len(out)}; use loss='cross_entropy' "
                         "for several classes")
    if wants == "many" and not many:
        raise ValueError(f"loss 'cross_entropy' needs one output per class, but "
                         f"{type(model).__name__} gives a single score; use loss='bce' or 'hinge' "
                         "for two classes")


def _optimizer(optimizer: object, model: Module, lr: float):
    from . import optim
    if optimizer is None:
        return optim.SGD(model.parameters(), lr=lr)
    if isinstance(optimizer, str):
        cls = optim.OPTIMIZERS.get(optimizer)
        if cls is None:
            raise ValueError(f"unknown optimizer {optimizer!r}; valid names: {', '.join(optim.OPTIMIZERS)}")
        return cls(model.parameters(), lr=lr)
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad")):
        raise TypeError(f"optimizer must be None, a name or an object with step() and zero_grad(), "
                        f"got {type(optimizer).__name__}")
    return optimizer


def _progress_bar(progress: Optional[bool], epochs: int):
    """A tqdm bar over the epochs, or None: on when ``progress`` is True, auto (a TTY) when None."""
    if progress is None:
        progress = sys.stderr.isatty()
        if progress:
            try:
                import tqdm  # noqa: F401
            except ImportError:
                return None
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError("progress=True needs tqdm: pip install 'chainrule[progress]'") from None
    return tqdm(total=epochs, unit="epoch", file=sys.stderr)


def _why_not_finite(X: Sequence, y: Sequence) -> str:
    """The likely cause of a non-finite loss: bad numbers in the data, else divergence."""
    if any(not math.isfinite(as_real(getattr(v, "data", v), "x")) for row in X for v in row):
        return "some inputs are not finite numbers (nan or inf in X)"
    if any(not math.isfinite(as_real(t, "y")) for t in y):
        return "some targets are not finite numbers (nan or inf in y)"
    return "training diverged; try a smaller learning rate"


def fit(model: Module, X: Sequence, y: Sequence, *, loss: Union[str, Callable] = "hinge",
        optimizer: object = None, lr: float = 0.1, epochs: int = 100,
        batch_size: Optional[int] = None, progress: Optional[bool] = None,
        seed: int = 0, live: bool = False, callbacks: Sequence[Callable[[dict], None]] = ()) -> History:
    """Train ``model`` on ``(X, y)``; return the loss and accuracy of every epoch.

    ``loss``: ``'hinge'`` (labels 0/1 or -1/+1), ``'bce'`` (with logits;
    labels 0/1 or probabilities), ``'mse'`` (0/1 labels, or any numbers to regress; accuracy
    then means little), ``'cross_entropy'`` (one output per class, labels
    0..k-1) or a function ``(outputs, labels) -> Value``. A model whose
    output does not suit the loss is refused before training starts.
    ``optimizer``: None for ``SGD(lr=lr)``, a name from ``nn.OPTIMIZERS`` or an
    optimizer object. ``batch_size=None`` is full batch; otherwise the rows
    are shuffled each epoch with ``random.Random(seed)``. Accuracy counts the
    predictions made during the epoch, before each step. ``live=True`` in a
    notebook redraws curves, boundary and weights in place each epoch (elsewhere: the
    progress bar). Each of ``callbacks``
    is called after every optimizer step with ``{'step', 'epoch', 'loss', 'model'}``
    (grads are still those of that step's loss).
    """
    _check_data(X, y, model)
    epochs = positive_int(epochs, "epochs")
    n = len(X)
    size = n if batch_size is None else min(positive_int(batch_size, "batch_size"), n)
    _check_outputs(model, X[0], loss)
    task = _task(loss, y)
    opt = _optimizer(optimizer, model, lr)
    rng = random.Random(seed)
    history = History()
    view = live_view(live, model, X)
    bar = None if view is not None else _progress_bar(progress, epochs)
    order = list(range(n))
    if callable(callbacks) or not all(callable(c) for c in callbacks):
        raise TypeError("callbacks must be a list of functions taking one info dict")
    step = 0
    try:
        for _ in range(epochs):
            if size < n:
                rng.shuffle(order)
            total, hits = 0.0, 0
            for start in range(0, n, size):
                batch = order[start:start + size]
                outputs = [model(X[i]) for i in batch]
                value = task.loss(outputs, [task.targets[i] for i in batch])
                if not isinstance(value, Value):
                    raise TypeError(f"the loss function must return a Value, got {type(value).__name__}")
                opt.zero_grad()
                value.backward()
                opt.step()
                step += 1
                for callback in callbacks:
                    callback({"step": step, "epoch": len(history), "loss": value.data, "model": model})
                total += value.data * len(batch)
                hits += sum(_hit(o, task.classes[i], task.threshold) for o, i in zip(outputs, batch))
            history.loss.append(total / n)
            history.accuracy.append(hits / n)
            if not math.isfinite(history.loss[-1]) and (
                    len(history) == 1 or math.isfinite(history.loss[-2])):  # warn once, when it starts
                warnings.warn(f"the loss became {history.loss[-1]} in epoch {len(history)}: "
                              f"{_why_not_finite(X, y)}", RuntimeWarning, stacklevel=2)
            if view is not None:
                view.update(history.loss, history.accuracy)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{history.loss[-1]:.4f}", acc=f"{history.accuracy[-1]:.3f}")
    finally:
        if bar is not None:
            bar.close()
    return history
