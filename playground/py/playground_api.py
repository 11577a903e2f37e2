"""What the playground page asks Python for: every number comes from engine and nn.

The page's JavaScript only draws; it calls these functions through Pyodide and
gets JSON back. Nothing here re-implements the engine: the lab parses with
``engine.expr.parse_expression`` and steps with ``engine.backward_steps``, the
trainer builds an ``nn.MLP`` and runs the same loop as ``nn.fit``.
"""

from __future__ import annotations

import ast
import json
import random

import nn
from engine import no_grad
from engine.backprop import backward_steps, topological_order
from engine.cli import forward_lines
from engine.draw import draw_dot
from engine.expr import parse_expression, unary_functions
from engine.naming import NodeNames, fmt
from nn.train import _hit, _optimizer, _task

LIMITS = {"layers": (0, 6), "neurons": (1, 16), "lr": (1e-5, 10.0), "batch": (1, 500),
          "noise": (0.0, 1.0), "points": (10, 400), "test": (0.0, 0.9)}
DATASETS = {"moons": nn.make_moons, "circles": nn.make_circles, "xor": nn.make_xor,
            "spirals": lambda n, noise, seed: nn.make_spirals(n, k=2, noise=noise, seed=seed),
            "blobs": lambda n, noise, seed: nn.make_blobs(n, centers=2, seed=seed)}


def leaf_names(text: str) -> list:
    """The variable names of ``text`` in order of first use (a syntax error yields none)."""
    try:
        tree = ast.parse(text.strip() or "0", mode="eval")
    except SyntaxError:
        return []
    skip = set(unary_functions()) | {"sum"}
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in skip and node.id not in names:
            names.append(node.id)
    return names


def lab(text: str, values_json: str) -> str:
    """Parse, run forward and backward, and describe every step, node and edge as JSON."""
    given = json.loads(values_json)
    values = {name: float(given.get(name, 1.0)) for name in leaf_names(text)}
    try:
        root = parse_expression(text, values)
    except (ValueError, TypeError) as e:
        return json.dumps({"error": str(e), "names": list(values)})
    forward = forward_lines(root)
    order = topological_order(root)
    names = NodeNames(order)
    steps = []
    for step in backward_steps(root):
        steps.append({"text": str(step), "dot": draw_dot(root, highlight=step).source})
    nodes = {f"n{k}": {"name": names(v), "data": v.data, "grad": v.grad} for k, v in enumerate(order)}
    edges = {}
    for k, v in enumerate(order):
        for i, inp in enumerate(v.inputs):
            local = v.local[i] if hasattr(v, "local") else float("nan")
            edges[f"n{k}op_in{i}"] = {
                "from": names(inp), "to": names(v), "local": local, "upstream": v.grad,
                "contribution": local * v.grad,
                "formula": v.op.describe_local(i, [names(x) for x in v.inputs], names(v), v.attr)}
    leaves = {names(v): v.grad for v in order if not v.inputs and v.requires_grad}
    return json.dumps({"names": list(values), "values": values, "out": root.data,
                       "forward": forward, "steps": steps, "dot": draw_dot(root).source,
                       "nodes": nodes, "edges": edges, "grads": leaves,
                       "fmt": {k: fmt(g) for k, g in leaves.items()}}, allow_nan=True)


def nudge(text: str, values_json: str, name: str, h: float) -> str:
    """Predicted change grad × h of the output beside the actual change when ``name`` moves by h."""
    values = {n: float(x) for n, x in json.loads(values_json).items()}
    root = parse_expression(text, values)
    root.backward()
    leaf = next(v for v in topological_order(root) if not v.inputs and v.label == name)
    moved = dict(values, **{name: values[name] + h})
    with no_grad():
        after = parse_expression(text, moved).data
    return json.dumps({"predicted": leaf.grad * h, "actual": after - root.data})


def check_settings(s: dict) -> list:
    """Messages for every setting outside its bounds (empty when all are sane)."""
    problems = []
    for key, (low, high) in LIMITS.items():
        if key not in s:
            continue
        try:
            x = float(s[key])
        except (TypeError, ValueError):
            problems.append(f"{key} must be a number, got {s[key]!r}")
            continue
        if not low <= x <= high:
            problems.append(f"{key} = {s[key]} is out of bounds: expected {low} to {high}")
    if s.get("dataset") not in DATASETS:
        problems.append(f"unknown dataset {s.get('dataset')!r}; expected one of {sorted(DATASETS)}")
    if s.get("activation") not in nn.ACTIVATIONS:
        problems.append(f"unknown activation {s.get('activation')!r}")
    if s.get("loss") not in ("hinge", "bce", "mse"):
        problems.append(f"unknown loss {s.get('loss')!r}; expected hinge, bce or mse")
    if s.get("optimizer") not in nn.OPTIMIZERS:
        problems.append(f"unknown optimizer {s.get('optimizer')!r}")
    return problems


class Trainer:
    """An MLP, its data and its optimizer, stepped one minibatch at a time by the page."""

    def __init__(self, settings_json: str) -> None:
        s = json.loads(settings_json)
        self.problems = check_settings(s)
        if self.problems:
            return
        self.s = s
        seed = int(s.get("seed", 0))
        X, y = DATASETS[s["dataset"]](int(s["points"]), float(s["noise"]), seed)
        X, y = [list(p) for p in X] + s.get("extra_X", []), list(y) + s.get("extra_y", [])
        self.X, self.X_test, self.y, self.y_test = nn.train_test_split(
            X, y, test_size=float(s["test"]) if float(s["test"]) > 0 else 0, seed=seed) \
            if float(s["test"]) > 0 else (X, [], y, [])
        widths = [int(s["neurons"])] * int(s["layers"]) + [1]
        self.model = nn.MLP(2, widths, activation=s["activation"],
                            init=None if s.get("init", "default") == "default" else s["init"], seed=seed)
        self.task = _task(s["loss"], self.y)
        self.opt = _optimizer(s["optimizer"], self.model, float(s["lr"]))
        self.rng = random.Random(seed)
        self.batch = min(int(s["batch"]), len(self.X))
        self.steps, self.loss, self.acc, self.test_acc = 0, [], [], []
        self.grads: list = []

    def add_point(self, x: float, y: float, label: int) -> None:
        """Add one training point (the page's click)."""
        self.X.append([x, y])
        self.y.append(label)
        self.task = _task(self.s["loss"], self.y)

    def step(self, n: int = 1) -> str:
        """Run ``n`` minibatch steps; return the latest loss and accuracies as JSON."""
        for _ in range(n):
            batch = self.rng.sample(range(len(self.X)), self.batch)
            outputs = [self.model(self.X[i]) for i in batch]
            value = self.task.loss(outputs, [self.task.targets[i] for i in batch])
            self.opt.zero_grad()
            value.backward()
            self.grads = [p.grad for p in self.model.parameters()]
            self.opt.step()
            self.steps += 1
            self.loss.append(value.data)
        self.acc.append(self.accuracy(self.X, self.y))
        if self.X_test:
            self.test_acc.append(self.accuracy(self.X_test, self.y_test))
        return json.dumps({"steps": self.steps, "loss": self.loss[-1], "acc": self.acc[-1],
                           "test_acc": self.test_acc[-1] if self.test_acc else None})

    def accuracy(self, X: list, y: list) -> float:
        """Fraction of ``X`` classified as ``y``."""
        with no_grad():
            return sum(_hit(self.model(x), c, self.task.threshold) for x, c in zip(X, y)) / len(X)

    def view(self, grid: int = 24) -> str:
        """Data, decision-boundary grid, per-neuron grids, weights and grads, curves as JSON."""
        layers = self.model.layers
        maps = [[[] for _ in layer.neurons] for layer in layers]
        lo, hi = -2.0, 2.0
        step = (hi - lo) / (grid - 1)
        with no_grad():
            for r in range(grid):
                for c in range(grid):
                    act = [lo + c * step, hi - r * step]
                    for L, layer in enumerate(layers):
                        out = layer(act)
                        out = out if isinstance(out, list) else [out]
                        for j, v in enumerate(out):
                            maps[L][j].append(v.data)
                        act = out
        weights = [[[w.data for w in n.w] + [n.b.data if n.b is not None else 0.0] for n in layer.neurons]
                   for layer in layers]
        return json.dumps({"X": self.X, "y": self.y, "X_test": self.X_test, "y_test": self.y_test,
                           "grid": grid, "range": [lo, hi], "maps": maps, "weights": weights,
                           "grads": self.grads, "loss": self.loss, "acc": self.acc,
                           "test_acc": self.test_acc, "steps": self.steps,
                           "threshold": self.task.threshold})

    def neuron(self, layer: int, index: int, example: int = 0) -> str:
        """One neuron's scalar graph on one training example, and its backward steps."""
        act = self.X[example]
        for L in range(layer):
            out = self.model.layers[L](act)
            act = [v.data for v in (out if isinstance(out, list) else [out])]
        neuron = self.model.layers[layer].neurons[index]
        out = neuron(act)
        out.label = f"L{layer}.N{index}"
        steps = [str(s) for s in backward_steps(out)]
        return json.dumps({"dot": draw_dot(out).source, "steps": steps, "input": act})
