"""The benchmark's workload and its engines: micrograd, chainrule eager and traced, PyTorch.

The workload is micrograd's own demo: ``make_moons(100, noise=0.1)``, labels
±1, ``MLP(2, [16, 16, 1])`` (ReLU hidden, linear out), hinge loss
``mean(relu(1 - y*s)) + 1e-4 * sum(p*p)``, full-batch SGD with
``lr = 1.0 - 0.9*k/100``. Every engine starts from micrograd's seeded weights
(``random.seed(1337)``, as in its demo notebook), so their losses must agree.
"""

from __future__ import annotations

import random
from typing import List, Tuple

import engine
import nn
from nn.data import make_moons
from nn.losses import hinge_loss

SEED = 1337  # the seed micrograd's demo uses
ALPHA = 1e-4


def learning_rate(k: int) -> float:
    """The demo's schedule."""
    return 1.0 - 0.9 * k / 100


def data(n: int = 100) -> Tuple[list, list]:
    """The moons, with labels mapped to ±1."""
    X, y = make_moons(n, noise=0.1, seed=0)
    return X, [2.0 * c - 1.0 for c in y]


def micrograd_weights() -> List[List[Tuple[List[float], float]]]:
    """micrograd's seeded initial weights, per layer: [(ws, b) per neuron]."""
    from micrograd.nn import MLP
    random.seed(SEED)
    model = MLP(2, [16, 16, 1])
    return [[([float(w.data) for w in n.w], float(n.b.data)) for n in layer.neurons]
            for layer in model.layers]


class Micrograd:
    """micrograd 0.1.0, driven exactly as its demo notebook does."""

    name = "micrograd"

    def __init__(self, X: list, Y: list, weights: list) -> None:
        from micrograd.engine import Value
        from micrograd.nn import MLP
        self.Value, self.X, self.Y = Value, X, Y
        self.model = MLP(2, [16, 16, 1])
        for layer, init in zip(self.model.layers, weights):
            for neuron, (ws, b) in zip(layer.neurons, init):
                for w, x in zip(neuron.w, ws):
                    w.data = x
                neuron.b.data = b

    def loss(self):
        inputs = [list(map(self.Value, row)) for row in self.X]
        scores = list(map(self.model, inputs))
        losses = [(1 + -y * s).relu() for y, s in zip(self.Y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        return data_loss + ALPHA * sum(p * p for p in self.model.parameters())

    def step(self, k: int) -> float:
        loss = self.loss()
        self.model.zero_grad()
        loss.backward()
        lr = learning_rate(k)
        for p in self.model.parameters():
            p.data -= lr * p.grad
        return loss.data

    def nodes(self) -> int:
        """Distinct Values in one step's graph (constants' Values included)."""
        seen, stack = set(), [self.loss()]
        while stack:
            v = stack.pop()
            if v not in seen:
                seen.add(v)
                stack.extend(v._prev)
        return len(seen)


class Eager:
    """chainrule's normal engine: nn.MLP, nn.losses.hinge_loss, backward()."""

    name = "chainrule eager"

    def __init__(self, X: list, Y: list, weights: list) -> None:
        self.X, self.Y = X, Y
        self.model = nn.MLP(2, [16, 16, 1])
        for layer, init in zip(self.model.layers, weights):
            for neuron, (ws, b) in zip(layer.neurons, init):
                for w, x in zip(neuron.w, ws):
                    w.data = x
                neuron.b.data = b
        self.params = self.model.parameters()

    def loss(self) -> engine.Value:
        scores = [self.model(x) for x in self.X]
        return hinge_loss(scores, self.Y) + ALPHA * engine.dot(self.params, self.params)

    def update(self, k: int) -> None:
        lr = learning_rate(k)
        for p in self.params:
            p.data -= lr * p.grad

    def step(self, k: int) -> float:
        loss = self.loss()
        self.model.zero_grad()
        loss.backward()
        self.update(k)
        return loss.data

    def nodes(self) -> int:
        return len(engine.topological_order(self.loss()))


class Traced(Eager):
    """The same model and loss, recorded once by engine.trace and replayed."""

    name = "chainrule traced"

    def __init__(self, X: list, Y: list, weights: list) -> None:
        super().__init__(X, Y, weights)
        self.trace = engine.trace(self.loss)

    def step(self, k: int) -> float:
        self.model.zero_grad()
        loss = self.trace()
        self.update(k)
        return loss


class Torch:
    """PyTorch on the CPU, one thread, float64, the same model as tensors."""

    name = "PyTorch"

    def __init__(self, X: list, Y: list, weights: list) -> None:
        import torch
        torch.set_num_threads(1)
        self.torch = torch
        f64 = torch.float64
        self.X = torch.tensor(X, dtype=f64)
        self.Y = torch.tensor(Y, dtype=f64)
        self.params = []
        for layer in weights:
            W = torch.tensor([ws for ws, _ in layer], dtype=f64, requires_grad=True)
            b = torch.tensor([b for _, b in layer], dtype=f64, requires_grad=True)
            self.params += [W, b]

    def step(self, k: int) -> float:
        torch = self.torch
        h = self.X
        layers = list(zip(self.params[::2], self.params[1::2]))
        for i, (W, b) in enumerate(layers):
            h = h @ W.T + b
            if i < len(layers) - 1:
                h = torch.relu(h)
        scores = h[:, 0]
        loss = torch.relu(1 - self.Y * scores).mean() + ALPHA * sum((p * p).sum() for p in self.params)
        loss.backward()
        lr = learning_rate(k)
        with torch.no_grad():
            for p in self.params:
                p -= lr * p.grad
                p.grad = None
        return loss.item()


class Vectorised(Traced):
    """The trace replayed level by level with NumPy; parameters live in one array, like torch's."""

    name = "chainrule vectorised"

    def __init__(self, X: list, Y: list, weights: list) -> None:
        import numpy as np
        super().__init__(X, Y, weights)
        self.replay = self.trace.vectorised()
        self.P = np.array([p.data for p in self.replay.params])
        self.none = np.zeros(0)
        self.zero_grads = np.zeros(len(self.P))  # every step starts from zeroed grads

    def step(self, k: int) -> float:
        loss, _, grads = self.replay.replay(self.none, self.P, self.zero_grads)
        self.P -= learning_rate(k) * grads
        return loss
