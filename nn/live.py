"""Live training view for Jupyter: one IPython display handle redrawn in place each epoch."""

from __future__ import annotations

import sys
from typing import Any, List, Optional, Sequence

from engine import no_grad


def in_notebook() -> bool:
    """True when running under an IPython kernel (a notebook), not a plain interpreter."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _polyline(values: Sequence[float], width: int, height: int) -> str:
    """SVG points for ``values`` scaled into a width x height box (higher values drawn higher)."""
    finite = [v for v in values if v == v and abs(v) != float("inf")] or [0.0]
    low, high = min(finite), max(finite)
    span = (high - low) or 1.0
    step = width / max(len(values) - 1, 1)
    return " ".join(f"{i * step:.1f},{height - (min(max(v, low), high) - low) / span * height:.1f}"
                    for i, v in enumerate(values))


def _boundary(model: Any, X: Sequence, size: int = 20) -> str:
    """SVG squares coloured by the model's first output over the data's 2-D bounding box."""
    xs, ys = [row[0] for row in X], [row[1] for row in X]
    cells: List[str] = []
    cell = 160 / size
    for r in range(size):
        for c in range(size):
            x = min(xs) + (max(xs) - min(xs)) * (c + 0.5) / size
            y = max(ys) - (max(ys) - min(ys)) * (r + 0.5) / size
            with no_grad():
                out = model([x, y])
            score = (out[0] if isinstance(out, list) else out).data
            colour = "#f4a582" if score > 0 else "#92c5de"
            cells.append(f'<rect x="{c * cell:.1f}" y="{r * cell:.1f}" width="{cell + 0.5:.1f}" '
                         f'height="{cell + 0.5:.1f}" fill="{colour}"/>')
    return "".join(cells)


def _network(model: Any, width: int = 220, height: int = 160) -> str:
    """SVG of the model's neurons in columns, each edge coloured by its weight's sign, width by size."""
    layers = getattr(model, "layers", None) or [model]
    neurons = [getattr(layer, "neurons", None) or [layer] for layer in layers]
    sizes = [len(getattr(neurons[0][0], "w", []))] + [len(column) for column in neurons]
    if any(n > 64 for n in sizes):
        return ""  # too many neurons for a picture this small
    def at(k: int, j: int) -> tuple:
        x = 10 + (width - 20) * k / max(len(sizes) - 1, 1)
        return x, height * (j + 1) / (sizes[k] + 1)
    weights = [abs(w.data) for column in neurons for n in column for w in getattr(n, "w", [])] or [1.0]
    biggest = max(weights) or 1.0
    parts: List[str] = []
    for k, column in enumerate(neurons):
        for j, neuron in enumerate(column):
            (x2, y2) = at(k + 1, j)
            for i, w in enumerate(getattr(neuron, "w", [])):
                (x1, y1) = at(k, i)
                colour = "#c0392b" if w.data > 0 else "#2471a3"
                parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
                             f'stroke-width="{0.3 + 3.5 * abs(w.data) / biggest:.2f}"/>')
    for k, n in enumerate(sizes):
        for j in range(n):
            x, y = at(k, j)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#fff" stroke="#333"/>')
    return f'<svg class="network" width="{width}" height="{height}">{"".join(parts)}</svg>'


class LiveView:
    """Loss and accuracy curves, the decision boundary (2-D inputs) and the network's weights, redrawn in place."""

    def __init__(self, model: Any, X: Sequence) -> None:
        """Open one display handle under the current cell."""
        from IPython.display import HTML, display
        self.model, self.X, self._html = model, X, HTML
        self.handle = display(HTML("<i>training...</i>"), display_id=True)

    def render(self, loss: Sequence[float], accuracy: Sequence[float]) -> str:
        """The HTML for the current epoch."""
        weights = [p.data for p in self.model.parameters()]
        boundary = (f'<svg width="160" height="160">{_boundary(self.model, self.X)}</svg>'
                    if len(self.X[0]) == 2 else "")
        return (f'<div><b>epoch {len(loss)}</b> loss {loss[-1]:.4f} accuracy {accuracy[-1]:.3f} '
                f'weights in [{min(weights):.3f}, {max(weights):.3f}]<br>'
                f'<svg width="300" height="100"><polyline fill="none" stroke="#c0392b" '
                f'points="{_polyline(loss, 300, 100)}"/><polyline fill="none" stroke="#2471a3" '
                f'points="{_polyline(accuracy, 300, 100)}"/></svg>{boundary}{_network(self.model)}</div>')

    def update(self, loss: Sequence[float], accuracy: Sequence[float]) -> None:
        """Redraw the handle's output in place."""
        self.handle.update(self._html(self.render(loss, accuracy)))


def live_view(live: bool, model: Any, X: Sequence) -> Optional[LiveView]:
    """A LiveView when ``live`` and inside a notebook, else None (the caller keeps its progress bar)."""
    return LiveView(model, X) if live and in_notebook() else None
