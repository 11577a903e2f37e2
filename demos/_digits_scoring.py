"""Scoring the digits walkthrough's model: predictions, accuracy, the confusion table."""

from __future__ import annotations

from engine import no_grad
from nn import MLP, softmax

from demos import _plots


def predict(model: MLP, X: list) -> list[tuple[int, float]]:
    """Each row's predicted digit and the probability the model gives it."""
    out = []
    with no_grad():
        for x in X:
            probs = [p.data for p in softmax(model(x))]
            best = max(range(10), key=probs.__getitem__)
            out.append((best, probs[best]))
    return out


def accuracy_of(predictions: list[tuple[int, float]], y: list[int]) -> float:
    """Fraction of predictions equal to the labels."""
    return _plots.accuracy_of([digit for digit, _ in predictions], y)


def confusion(predictions: list[tuple[int, float]], y: list[int]) -> list[list[int]]:
    """10 x 10 counts: row = true digit, column = predicted digit."""
    table = [[0] * 10 for _ in range(10)]
    for (p, _), t in zip(predictions, y):
        table[t][p] += 1
    return table


def _a(digit: int) -> str:
    """The digit with its article, as read aloud: 'an 8', 'a 3'."""
    return f"an {digit}" if digit == 8 else f"a {digit}"
