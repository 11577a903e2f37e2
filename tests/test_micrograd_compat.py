"""micrograd's moons demo, run on chainrule and on micrograd with the same code.

The loop below is written the way code for micrograd is written: seed
Python's global ``random`` module, draw the data, build ``MLP(2, [16, 16, 1])``
with no other argument, wrap inputs with ``map(Value, row)``, a max-margin
loss ``relu(1 - y * score)`` averaged with Python's ``sum``, an L2 penalty of
1e-4 on every parameter, ``zero_grad()``, ``backward()`` and the update
``p.data -= lr * p.grad`` with the learning rate falling from 1.0 to 0.1 over
100 steps. The data are ``nn.make_moons(n_samples=100, noise=0.1)`` drawn from
the seeded global stream (micrograd's notebook takes them from scikit-learn),
so both engines see the same points and, because the models are built after
the same draws, start from the same weights.
"""

import gc
import random

import pytest

from engine import Value
from nn import MLP, Layer, Neuron, make_moons

STEPS = 100
ALPHA = 1e-4
DEMO_SEED = 1337  # the seed micrograd's demo notebook uses


def max_margin_loss(Value, model, X, y):
    """Mean hinge loss plus L2 penalty, and the accuracy of the scores it was built from."""
    rows = [list(map(Value, row)) for row in X]
    scores = list(map(model, rows))
    margins = [(1 + -label * score).relu() for label, score in zip(y, scores)]
    data_loss = sum(margins) * (1.0 / len(margins))
    penalty = ALPHA * sum(p * p for p in model.parameters())
    hits = sum((label > 0) == (score.data > 0) for label, score in zip(y, scores))
    return data_loss + penalty, hits / len(y)


def demo(Value, MLP, seed=DEMO_SEED, steps=STEPS):
    """The demo from its first cell: seed, data, model, loop; the loss and accuracy of each step.

    micrograd's graphs are reference cycles, so the cyclic collector is run
    once per step instead of whenever it likes (it would otherwise dominate
    micrograd's time); that changes no number.
    """
    random.seed(seed)
    X, y = make_moons(n_samples=100, noise=0.1)
    y = [2 * label - 1 for label in y]  # the demo's labels are -1 and +1
    model = MLP(2, [16, 16, 1])
    history = []
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for k in range(steps):
            total_loss, acc = max_margin_loss(Value, model, X, y)
            model.zero_grad()
            total_loss.backward()
            learning_rate = 1.0 - 0.9 * k / STEPS
            for p in model.parameters():
                p.data -= learning_rate * p.grad
            history.append((total_loss.data, acc))
            del total_loss
            gc.collect()
    finally:
        if was_enabled:
            gc.enable()
    return history, model


def micrograd():
    """micrograd's Value and nn module, or a skip when it is not installed."""
    pytest.importorskip("micrograd")
    from micrograd import nn as their_nn
    from micrograd.engine import Value as TheirValue
    return TheirValue, their_nn


def numbers(model):
    return [float(p.data) for p in model.parameters()]


@pytest.mark.parametrize("seed", [0, 1, DEMO_SEED])
def test_unseeded_mlp_has_micrograds_weights_for_the_same_seed(seed):
    _, their_nn = micrograd()
    random.seed(seed)
    ours = MLP(2, [16, 16, 1])
    our_next = random.random()
    random.seed(seed)
    theirs = their_nn.MLP(2, [16, 16, 1])
    their_next = random.random()
    assert len(ours.parameters()) == len(theirs.parameters()) == 337
    assert numbers(ours) == numbers(theirs)  # the same draws, in the same order, biases 0
    assert our_next == their_next  # and both took exactly as many draws


def test_neuron_and_layer_take_micrograds_arguments_and_give_its_numbers():
    _, their_nn = micrograd()
    x = [0.5, -1.5, 2.0]
    for nonlin in (True, False):
        random.seed(3)
        ours = Neuron(3, nonlin=nonlin)
        random.seed(3)
        theirs = their_nn.Neuron(3, nonlin=nonlin)
        assert numbers(ours) == numbers(theirs)
        assert ours(x).data == pytest.approx(theirs(x).data, rel=1e-15, abs=1e-15)
    random.seed(4)
    ours = Layer(3, 1, nonlin=False)
    random.seed(4)
    theirs = their_nn.Layer(3, 1, nonlin=False)
    one, their_one = ours(x), theirs(x)
    assert isinstance(one, Value) and isinstance(their_one, type(theirs.neurons[0].b))
    assert one.data == pytest.approx(their_one.data, rel=1e-15)


@pytest.mark.slow
def test_demo_loop_gives_micrograds_loss_at_every_step():
    """Measured: the losses agree to 4e-15 relative at every step; both end at 100%."""
    TheirValue, their_nn = micrograd()
    ours, our_model = demo(Value, MLP)
    theirs, their_model = demo(TheirValue, their_nn.MLP)
    assert len(ours) == len(theirs) == STEPS
    for k, ((our_loss, our_acc), (their_loss, their_acc)) in enumerate(zip(ours, theirs)):
        assert our_loss == pytest.approx(their_loss, rel=1e-9), f"step {k}"
        assert our_acc == their_acc, f"step {k}"
    assert ours[-1][1] == theirs[-1][1] == 1.0
    assert ours[-1][0] < 0.05 * ours[0][0]
    assert numbers(our_model) == pytest.approx(numbers(their_model), rel=1e-9, abs=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_demo_loop_learns_the_moons_for_other_seeds(seed):
    """One seed fixes the data and then the weights, as the notebook's random.seed does.

    Measured on seeds 0-9: every run reaches 100% training accuracy (first at
    steps 16 to 70); seed 0 ends the 100 steps one point short, at 99%.
    """
    history, model = demo(Value, MLP, seed=seed)
    losses, accuracies = [loss for loss, _ in history], [acc for _, acc in history]
    assert len(model.parameters()) == 337
    assert losses[-1] < 0.1 * losses[0]
    assert 1.0 in accuracies and accuracies[-1] >= 0.99, f"accuracy per step: {accuracies}"
