"""nn.perceptron: the Rosenblatt rule learns AND and OR, and cannot learn XOR."""

import itertools

import pytest

from nn import Perceptron, PerceptronResult, make_blobs

INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]]
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0]}


@pytest.mark.parametrize("gate", sorted(GATES))
@pytest.mark.parametrize("seed", [None, 0, 1, 2])
def test_learns_linearly_separable_gates(gate, seed):
    p = Perceptron(2, seed=seed)
    result = p.fit(INPUTS, GATES[gate])
    assert isinstance(result, PerceptronResult)
    assert result.converged
    assert result.errors[-1] == 0 and all(e > 0 for e in result.errors[:-1])
    assert result.epochs == len(result.errors) < 100
    assert [p.predict(x) for x in INPUTS] == GATES[gate]


@pytest.mark.parametrize("seed", [None, 0, 1, 2, 3])
@pytest.mark.parametrize("lr", [1.0, 0.1])
def test_never_converges_on_xor(seed, lr):
    p = Perceptron(2, lr=lr, seed=seed)
    result = p.fit(INPUTS, [0, 1, 1, 0], epochs=200)
    assert not result.converged
    assert result.epochs == 200 and len(result.errors) == 200
    assert min(result.errors) >= 1  # every sweep makes a mistake
    assert [p.predict(x) for x in INPUTS] != [0, 1, 1, 0]


def test_no_line_separates_xor():
    """Why: a grid search over lines finds one for AND but none for XOR."""
    grid = [i / 4 for i in range(-8, 9)]

    def separable(labels):
        for w0, w1, b in itertools.product(grid, grid, grid):
            if all((w0 * x0 + w1 * x1 + b > 0) == bool(t) for (x0, x1), t in zip(INPUTS, labels)):
                return True
        return False

    assert separable(GATES["AND"])
    assert not separable([0, 1, 1, 0])


def test_update_rule_by_hand():
    p = Perceptron(2, lr=0.5)
    result = p.fit([[1.0, 2.0]], [1], epochs=1)
    # predicted 0 for a 1: w += lr * x, b += lr
    assert p.w == [0.5, 1.0] and p.b == 0.5
    assert result.errors == [1] and not result.converged
    p.fit([[1.0, 2.0]], [0], epochs=1)
    assert p.w == [0.0, 0.0] and p.b == 0.0


def test_separable_blobs_converge():
    X, y = make_blobs(60, centers=[[-3.0, -3.0], [3.0, 3.0]], std=0.5, seed=1)
    p = Perceptron(2)
    assert p.fit(X, y).converged
    assert [p.predict(x) for x in X] == y
    assert p.score(X[0]) == pytest.approx(sum(w * v for w, v in zip(p.w, X[0])) + p.b)


def test_seeded_start_is_reproducible():
    assert Perceptron(3, seed=5).w == Perceptron(3, seed=5).w
    assert Perceptron(3).w == [0.0, 0.0, 0.0] and Perceptron(3).b == 0.0


def test_bad_input():
    p = Perceptron(2)
    with pytest.raises(ValueError, match="labels must be 0 or 1, got -1 at index 1"):
        p.fit(INPUTS, [0, -1, 1, 1])
    with pytest.raises(ValueError, match="same length"):
        p.fit(INPUTS, [0, 1])
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        p.predict([1, 2, 3])
    with pytest.raises(TypeError, match="list of 2 numbers"):
        p.predict("ab")
    with pytest.raises(ValueError, match="input 0 must be a finite number"):
        p.predict([float("nan"), 1.0])
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        p.fit(INPUTS, GATES["OR"], epochs=0)
    with pytest.raises(ValueError, match="at least one example"):
        p.fit([], [])
    with pytest.raises(ValueError, match="lr must be positive"):
        Perceptron(2, lr=0.0)
    with pytest.raises(ValueError, match="nin must be a positive int"):
        Perceptron(0)
