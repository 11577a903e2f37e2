"""The classic picture of a network: layers as columns of circles, weights as edges.

Inputs, hidden layers and the output layer are columns; every connection is
an edge whose colour gives the weight's sign (blue positive, red negative)
and whose width and strength give its size; each neuron shows its activation
and its bias. Works for an :class:`~nn.MLP`, a :class:`~nn.Layer`, a single
:class:`~nn.Neuron` and a :class:`~nn.Perceptron`.

Names follow the rest of chainrule: the inputs are ``x1`` … ``xn`` (as in the
walkthroughs), each neuron is called by the prefix of its parameters' labels
(``L0.N3``, whose weights are ``L0.N3.w0`` …) and its output is its activation
``a``. After ``backward()`` every edge also carries its weight's gradient
(``∇``), written on the edge when the weights are.

DOT ids: input ``i`` is ``x{i}``, neuron ``j`` of layer ``l`` is ``L{l}N{j}``,
the weight from unit ``i`` of the previous column is the edge ``L{l}N{j}_w{i}``
and the arrow out of output neuron ``j`` ends at ``out{j}``.

>>> from nn import MLP
>>> g = draw_network(MLP(2, [3, 1], seed=0))
>>> sum(" -> L" in line and "invis" not in line for line in g.source.splitlines())  # 2*3 + 3*1
9
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from engine.draw import (FONT, GraphDrawing, format_number, html_text, legend_table,
                         plain_text)
from engine.frames import PinnedDrawing

from ._checks import positive_int
from .activations import activation_name

__all__ = ["draw_network", "MAX_WEIGHTS"]

MAX_WEIGHTS = 3000
"""Most connections ``draw_network`` draws by default (dot lays out ~3000 in a few seconds)."""

POSITIVE, NEGATIVE, ZERO = "#2563eb", "#dc2626", "#9ca3af"
GRAD = "#c2410c"
NEURON = ("#ede9fe", "#7c3aed")
INPUT = ("#dbeafe", "#2563eb")
AUTO_WEIGHT_LABELS = 24  # write the weight on each edge up to this many edges


def _number(x: Any) -> float:
    """The number of a weight: a Value's (or any duck-typed weight's) ``.data``, or ``x`` itself."""
    return float(getattr(x, "data", x))


def _grad(x: object) -> Optional[float]:
    grad = getattr(x, "grad", None)
    return None if grad is None else float(grad)


def _columns(model) -> List[list]:
    """The model's layers as lists of neurons (anything with ``.w`` and ``.b``)."""
    if hasattr(model, "layers"):
        columns = [list(layer.neurons) for layer in model.layers]
    elif hasattr(model, "neurons"):
        columns = [list(model.neurons)]
    elif hasattr(model, "w") and hasattr(model, "b"):
        columns = [[model]]
    else:
        raise TypeError("draw_network needs an MLP, a Layer, a Neuron or a Perceptron, "
                        f"got {type(model).__name__}")
    for column in columns:
        if not column or any(not isinstance(n.w, (list, tuple)) for n in column):
            raise TypeError(f"{type(model).__name__} has a layer without neurons or weights")
    return columns


def _activation(model, neuron) -> str:
    if hasattr(neuron, "activation"):
        return activation_name(neuron.activation)
    return "step" if hasattr(model, "predict") else ""


def draw_network(model, *, rankdir: str = "LR", show_weights: Optional[bool] = None,
                 input_names: Optional[Sequence[str]] = None, precision: int = 3,
                 legend: bool = True, max_weights: int = MAX_WEIGHTS,
                 title: Optional[str] = None, show_grads: Optional[bool] = None) -> GraphDrawing:
    """Draw ``model`` as layered columns of neurons joined by weight-coloured edges.

    ``show_weights`` writes each weight on its edge (default: only when
    there are at most 24 edges); ``show_grads`` writes each weight's
    gradient there too (default: when some gradient is not 0, as after
    ``backward()``, and the weights are written); every edge's tooltip has
    both. ``input_names`` names the input circles (default ``x1`` … ``xn``).
    Numbers use ``precision`` significant digits. Networks with more than
    ``max_weights`` connections are refused.

    >>> from nn import Perceptron
    >>> p = Perceptron(2); p.w, p.b = [1.0, -2.0], 0.5
    >>> source = draw_network(p).source
    >>> "b 0.5" in source, "step" in source, source.count(' -> L0N0 ')
    (True, True, 2)
    """
    columns = _columns(model)
    _check(rankdir, show_weights, precision, max_weights)
    nin = len(columns[0][0].w)
    names = _input_names(input_names, nin)
    weights = [[[_number(w) for w in n.w] for n in column] for column in columns]
    total = sum(len(row) for column in weights for row in column)
    if total > max_weights:
        raise ValueError(f"this network has {total} weights, more than max_weights={max_weights}; "
                         "dot would be slow and the picture unreadable. Draw a smaller model "
                         "(or one Layer/Neuron of it), or pass a larger max_weights=.")
    largest = max([abs(w) for column in weights for row in column for w in row
                   if abs(w) < float("inf")] + [0.0])
    labelled = total <= AUTO_WEIGHT_LABELS if show_weights is None else show_weights
    grads = [[[_grad(w) for w in n.w] for n in column] for column in columns]
    has_grads = any(g for column in grads for row in column for g in row)
    if show_grads not in (None, True, False):
        raise TypeError(f"show_grads must be None, True or False, got {show_grads!r}")
    grads_written = (has_grads and labelled) if show_grads is None else show_grads

    # Every circle has a place fixed in advance (columns by layer, rows in order) and the
    # picture is drawn with neato -n2, which keeps them: dot's own ordering could draw the
    # inputs of a column as x3, x1, x2.
    sizes = [nin] + [len(column) for column in columns]
    place = _Grid(sizes, rankdir, 190.0 if labelled else 150.0)
    g = PinnedDrawing("network")
    g.attr(fontname=FONT, bgcolor="white", splines="line", outputorder="nodesfirst")
    g.attr("node", fontname=FONT, fontsize="10", shape="circle", style="filled", penwidth="1.2",
           fixedsize="true")
    g.attr("edge", fontname=FONT, fontsize="8", arrowsize="0.5")
    if title:
        g.attr(label=f"<{html_text(title, 200)}>", labelloc="t", fontsize="12")
    previous = [f"x{i}" for i in range(nin)]
    _column(g, "input", "inputs", place, 0, [
        (node_id, f"<{html_text(name, 20)}>", INPUT, plain_text(f"input {name}"))
        for node_id, name in zip(previous, names)])
    prefix = "L{layer_no}.N{j}" if len(columns) > 1 or hasattr(model, "layers") else \
        ("N{j}" if hasattr(model, "neurons") else "")
    for layer_no, column in enumerate(columns):
        ids = [f"L{layer_no}N{j}" for j in range(len(column))]
        kind = "output" if layer_no == len(columns) - 1 else f"hidden {layer_no + 1}"
        act = _activation(model, column[0])
        _column(g, f"layer{layer_no}", f"{kind}{' (' + act + ')' if act else ''}", place, layer_no + 1, [
            (node_id, _neuron_label(model, n, precision, prefix.format(layer_no=layer_no, j=j)), NEURON,
             plain_text(_neuron_tip(n, layer_no, j)))
            for j, (node_id, n) in enumerate(zip(ids, column))])
        for j, row in enumerate(weights[layer_no]):
            if len(row) != len(previous):
                raise ValueError(f"neuron {j} of layer {layer_no} has {len(row)} weights but the "
                                 f"previous layer has {len(previous)} outputs")
            for i, w in enumerate(row):
                _weight_edge(g, previous[i], ids[j], f"{ids[j]}_w{i}", w, largest, labelled,
                             precision, grads[layer_no][j][i] if has_grads else None, grads_written)
        previous = ids
    last = len(columns)
    for j, node_id in enumerate(previous):
        g.node(f"out{j}", "", shape="point", width="0.05", style="invis",
               pos=place(last + 0.45, j, sizes[last]))
        g.edge(node_id, f"out{j}", color="#64748b", arrowsize="0.7", id=f"out{j}_edge")
    if legend:  # in the column after the outputs, clear of the weights
        g.node("legend", legend_table([(POSITIVE, POSITIVE, "positive weight"),
                                       (NEGATIVE, NEGATIVE, "negative weight"),
                                       ("#ffffff", "#64748b", "edge width ~ |weight|"),
                                       (NEURON[0], NEURON[1], "neuron: activation, bias b")]
                                      + ([("#ffffff", GRAD, "∇ gradient of the weight")]
                                         if grads_written else [])),
               shape="plain", style="", id="legend", fixedsize="false",
               pos=place(last + 1.4, 0, max(sizes)))
    return g


ROW = 68.0  # points between circles of a column


class _Grid:
    """``place(column, row, rows_in_column)`` -> a pinned ``pos``: columns centred on the tallest."""

    def __init__(self, sizes: List[int], rankdir: str, across: float) -> None:
        self.tallest = max(sizes)
        self.rankdir = rankdir
        self.across = across
        self.across_x = rankdir in ("LR", "RL")  # columns side by side, each a tall box

    def __call__(self, column: float, row: float, rows: int) -> str:
        along = column * self.across
        down = (row + (self.tallest - rows) / 2) * ROW
        x, y = {"LR": (along, -down), "RL": (-along, -down),
                "TB": (down, -along), "BT": (down, along)}[self.rankdir]
        return f"{x:.1f},{y:.1f}!"


def _check(rankdir: str, show_weights, precision, max_weights) -> None:
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir!r}")
    if show_weights not in (None, True, False):
        raise TypeError(f"show_weights must be None, True or False, got {show_weights!r}")
    positive_int(precision, "precision")
    positive_int(max_weights, "max_weights")
    if precision > 17:
        raise ValueError(f"precision must be at most 17 significant digits, got {precision}")


def _input_names(names: Optional[Sequence[str]], nin: int) -> List[str]:
    if names is None:
        return [f"x{i + 1}" for i in range(nin)]  # x1 ... xn, as in every walkthrough
    if isinstance(names, str) or len(names) != nin or not all(isinstance(n, str) for n in names):
        raise ValueError(f"input_names must be a list of {nin} strings, got {names!r}")
    return list(names)


def _column(g: GraphDrawing, name: str, caption: str, place: _Grid, column: int, nodes: list) -> None:
    """One layer: a dashed box with its caption, drawn behind its circles, which sit in order."""
    rows = len(nodes)
    size = 0.5 if name == "input" else 0.8  # inches: an input's name; activation, name and bias
    pos = place(column, (rows - 1) / 2, rows).rstrip("!")
    x, y = (float(t) for t in pos.split(","))
    tall = rows * ROW / 72 + 0.25
    wide = max(size + 0.35, len(caption) * 0.075 + 0.2)  # wide enough for its caption
    w, h = (wide, tall) if place.across_x else (tall, wide)
    g.node(f"cluster_{name}", f"<<b>{html_text(caption, 40)}</b>>", shape="box",
           style="rounded,dashed", color="#cbd5e1", fontcolor="#475569", fontsize="10",
           labelloc="t", width=f"{w:.2f}", height=f"{h + 0.25:.2f}",
           pos=f"{x:.1f},{y + 9:.1f}!", id=f"cluster_{name}", fillcolor="none")
    for j, (node_id, label, (fill, border), tooltip) in enumerate(nodes):
        g.node(node_id, label, fillcolor=fill, color=border, id=node_id, tooltip=tooltip,
               width=str(size), height=str(size), pos=place(column, j, rows))


def _neuron_label(model, neuron, precision: int, name: str = "") -> str:
    act = html_text(_activation(model, neuron), 14)
    text = f'<font point-size="7" color="#6b7280">{html_text(name, 14)}</font><br/>' if name else ""
    text += f"<b>{act}</b>" if act else ""
    if neuron.b is not None:
        bias = format_number(_number(neuron.b), precision)
        text += f'{"<br/>" if text else ""}<font point-size="8">b {bias}</font>'
    return f"<{text or ' '}>"


def _neuron_tip(neuron, layer: int, j: int) -> str:
    bias = "no bias" if neuron.b is None else f"bias {format_number(_number(neuron.b))}"
    return f"layer {layer} neuron {j}: {bias}"


def _weight_edge(g: GraphDrawing, tail: str, head: str, edge_id: str, w: float, largest: float,
                 labelled: bool, precision: int, grad: Optional[float] = None,
                 grad_written: bool = False) -> None:
    # Width and opacity grow with |w| relative to the largest finite weight.
    share = min(1.0, abs(w) / largest) if largest > 0 and w == w else 0.0
    share = 1.0 if abs(w) == float("inf") else share
    colour = POSITIVE if w > 0 else NEGATIVE if w < 0 else ZERO
    alpha = format(int(round(255 * (0.3 + 0.7 * share))), "02x")
    text = format_number(w, precision)
    grad_text = None if grad is None else format_number(grad, precision)
    tip = f"w = {text}" + (f", gradient ∇ = {grad_text}" if grad_text is not None else "")
    attrs = dict(color=colour + alpha, penwidth=format(0.4 + 3.6 * share, ".2f"), id=edge_id,
                 tooltip=plain_text(tip))
    label = f'<font color="{colour}">{html_text(text)}</font>' if labelled else ""
    if grad_written and grad_text is not None:
        label += ("<br/>" if label else "") + f'<font color="{GRAD}">∇ {html_text(grad_text)}</font>'
    if label:
        attrs.update(label=f"<{label}>", fontcolor=colour)
    g.edge(tail, head, **attrs)
