"""chainrule's neural-network library: perceptron to MLP, built from engine Values.

Everything a network computes is a graph of :class:`engine.Value` nodes, so any
model's forward pass can be drawn and its backward pass stepped through.
Training is a plain loop first - forward, loss, zero_grad, backward, update:

>>> from nn import MLP, make_moons, hinge_loss
>>> X, y = make_moons(20, seed=0)
>>> labels = [2 * t - 1 for t in y]          # hinge loss wants -1 / +1
>>> model = MLP(2, [8, 1], seed=0)
>>> for step in range(20):
...     loss = hinge_loss([model(x) for x in X], labels)
...     model.zero_grad()
...     loss.backward()
...     for p in model.parameters():
...         p.data -= 0.1 * p.grad
>>> len(model.parameters()), round(loss.data, 2)  # from 1.02 at the first step
(33, 0.52)

``nn.fit`` wraps the same loop with minibatches, a progress bar and a history.
"""

from .activations import ACTIVATIONS, get_activation
from .data import (make_blobs, make_circles, make_moons, make_spirals, make_xor,
                   train_test_split)
from .draw import draw_network
from .init import INITIALIZERS, init_value
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                     hinge_loss, log_softmax, mse_loss, softmax)
from .module import MLP, Layer, Module, Neuron
from .optim import OPTIMIZERS, SGD, Adam, AdamW, Optimizer
from .perceptron import Perceptron, PerceptronResult
from .serialize import load, save
from .torch_bridge import from_torch, to_torch
from .sweep import sweep
from .train import History, accuracy, fit

__all__ = [
    "sweep",
    "Module", "Neuron", "Layer", "MLP", "Perceptron", "PerceptronResult",
    "ACTIVATIONS", "get_activation", "INITIALIZERS", "init_value",
    "make_moons", "make_circles", "make_xor", "make_spirals", "make_blobs", "train_test_split",
    "fit", "accuracy", "History", "save", "load", "to_torch", "from_torch", "draw_network",
    "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
    "hinge_loss", "softmax", "log_softmax", "Optimizer", "SGD", "Adam", "AdamW", "OPTIMIZERS",
]
