"""Rosenblatt's perceptron (1958): a step function of ``w·x + b``, trained without gradients.

The learning rule looks only at mistakes: when the unit predicts 0 for a
point labelled 1, add ``lr * x`` to ``w`` (and ``lr`` to ``b``); when it
predicts 1 for a 0, subtract them. If some line separates the two classes,
the perceptron convergence theorem promises that this stops making mistakes
after finitely many updates. XOR has no such line - any ``w, b`` that puts
(0,1) and (1,0) on the positive side puts one of (0,0) and (1,1) there too -
so on XOR the rule cycles for ever and ``fit`` reports ``converged=False``.

>>> AND = [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1]
>>> p = Perceptron(2)
>>> result = p.fit(*AND)
>>> result.converged, [p.predict(x) for x in AND[0]]
(True, [0, 0, 0, 1])
>>> Perceptron(2).fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]).converged
False
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

from engine.value import as_real

from ._checks import positive_int


@dataclass
class PerceptronResult:
    """What :meth:`Perceptron.fit` did: ``converged`` (an epoch with no mistakes),
    the number of ``epochs`` run and the mistakes made in each one (``errors``)."""

    converged: bool
    epochs: int
    errors: List[int] = field(default_factory=list)


def _number(x: object, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(as_real(x, what)):
        raise ValueError(f"{what} must be a finite number, got {x!r}")
    return float(x)


class Perceptron:
    """One threshold unit: ``predict(x) = 1 if w·x + b > 0 else 0``.

    Weights and bias start at 0 (the textbook start), or at small random
    numbers in U(-0.5, 0.5) when a ``seed`` is given. ``lr`` scales each update.
    No Values, no gradients: this is the model before backpropagation.
    """

    def __init__(self, nin: int, *, lr: float = 1.0, seed: Optional[int] = None) -> None:
        nin = positive_int(nin, "nin")
        self.lr = _number(lr, "lr")
        if self.lr <= 0.0:
            raise ValueError(f"lr must be positive, got {lr!r}")
        self.nin = nin
        if seed is None:
            self.w = [0.0] * nin
            self.b = 0.0
        else:
            rng = random.Random(seed)
            self.w = [rng.uniform(-0.5, 0.5) for _ in range(nin)]
            self.b = rng.uniform(-0.5, 0.5)

    def _row(self, x: Sequence[float]) -> List[float]:
        if not isinstance(x, (list, tuple)):
            raise TypeError(f"a perceptron input must be a list of {self.nin} numbers, "
                            f"got {type(x).__name__}")
        if len(x) != self.nin:
            raise ValueError(f"expected {self.nin} inputs, got {len(x)}")
        return [_number(v, f"input {i}") for i, v in enumerate(x)]

    def _weighted(self, row: List[float]) -> float:
        return sum(w * v for w, v in zip(self.w, row)) + self.b

    def score(self, x: Sequence[float]) -> float:
        """The weighted sum ``w·x + b`` before the step."""
        return self._weighted(self._row(x))

    def predict(self, x: Sequence[float]) -> int:
        """The step of the score: 1 if ``w·x + b > 0``, else 0.

        >>> p = Perceptron(2); p.w, p.b = [1.0, 1.0], -1.5
        >>> p.predict([1, 1]), p.predict([1, 0])
        (1, 0)
        """
        return 1 if self._weighted(self._row(x)) > 0.0 else 0

    def fit(self, X: Sequence[Sequence[float]], y: Sequence[int], epochs: int = 100) -> PerceptronResult:
        """Sweep the data in order up to ``epochs`` times, updating on every mistake.

        Stops after the first sweep without a mistake (``converged=True``).
        Labels must be 0 or 1.
        """
        epochs = positive_int(epochs, "epochs")
        if len(X) != len(y):
            raise ValueError(f"X and y must have the same length, got {len(X)} rows and {len(y)} labels")
        if not X:
            raise ValueError("fit needs at least one example")
        rows = [self._row(x) for x in X]
        for i, label in enumerate(y):
            if label not in (0, 1) or isinstance(label, bool):
                raise ValueError(f"perceptron labels must be 0 or 1, got {label!r} at index {i}")
        errors: List[int] = []
        for epoch in range(1, epochs + 1):
            mistakes = 0
            for row, label in zip(rows, y):
                guess = 1 if self._weighted(row) > 0.0 else 0
                if guess != label:
                    step = self.lr * (label - guess)  # +lr for a missed 1, -lr for a false 1
                    self.w = [w + step * v for w, v in zip(self.w, row)]
                    self.b += step
                    mistakes += 1
            errors.append(mistakes)
            if mistakes == 0:
                return PerceptronResult(True, epoch, errors)
        return PerceptronResult(False, epochs, errors)

    def __repr__(self) -> str:
        return f"Perceptron(nin={self.nin}, lr={self.lr:g})"
