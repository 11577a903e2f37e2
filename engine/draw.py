"""Draw a computation graph with Graphviz: every Value a box, every op its own node.

Each Value shows its name, ``data`` and ``grad``; each op node shows the
symbol from the rule table; an edge runs from every input (in order, so
``a * a`` has two) into the op, and from the op to its output. Leaves that
need a gradient, constants, intermediate nodes and the root get different
colours, explained by a small legend.

The DOT text is deterministic: value ``k`` of ``topological_order(root)`` is
the DOT node ``n{k}`` and the op that made it is ``n{k}op``; the edge from
input ``i`` into that op has the id ``n{k}op_in{i}`` and the edge out of it
``n{k}op_out``. The text is available as ``.source`` without the ``dot``
program; rendering (``.pipe()``, ``.render()``, Jupyter) needs it.

>>> from engine import Value
>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> e = a - b; e.label = "e"
>>> g = draw_dot(e)
>>> [line.split(" [")[0].strip() for line in g.source.splitlines() if " -> " in line]
['n0 -> n2op', 'n1 -> n2op', 'n2op -> n2']
>>> "0</font>" in g.source and "1</font>" in g.source  # a - b: operands numbered
True
"""

from __future__ import annotations

import numbers
from typing import Optional

from .backprop import Step, topological_order
from .levels import LEVELS
from .naming import NodeNames, node_kind
from .provenance import neuron_groups
from .draw_levels import draw_units
from .draw_style import FONT, MUTED, STYLE, legend_table  # noqa: F401 - engine.draw.STYLE, as before
from .graphviz_io import (GraphDrawing, GraphvizNotFound, dot_available,  # noqa: F401
                          format_number, html_text, plain_text)

__all__ = ["draw_dot", "dot_available", "GraphDrawing", "GraphvizNotFound", "format_number",
           "DEFAULT_MAX_NODES"]

DEFAULT_MAX_NODES = 1000
"""Most Values ``draw_dot`` lays out by default (dot: about 1.3 s CPU for a 979-value MLP)."""
BENDS_PER_NODE = 8
"""Most long-edge bends per allowed value (8000 bends took ``dot`` about 2 s here)."""

LAYOUT_LABELS_UP_TO = 150  # values; larger graphs get edge labels placed after layout
EDGE = "#94a3b8"


# --- the drawing ------------------------------------------------------------------------


def _check_options(rankdir: str, max_nodes: int, precision: Optional[int], highlight,
                   title: Optional[str]) -> None:
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be one of 'LR', 'RL', 'TB', 'BT', got {rankdir!r}")
    # Counts follow nn's positive_int: whole numbers (NumPy ints too), never bools.
    if not _whole(max_nodes) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    if precision is not None and (not _whole(precision) or not 1 <= precision <= 17):
        raise ValueError(f"precision must be None or an int from 1 to 17, got {precision!r}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, got {type(title).__name__}")
    if highlight is not None and not isinstance(highlight, Step):
        raise TypeError("highlight must be a Step from backward_steps() or None, "
                        f"got {type(highlight).__name__}")


def _whole(n: object) -> bool:
    return isinstance(n, numbers.Integral) and not isinstance(n, bool)


def _check_budget(order: list, max_nodes: int) -> None:
    """Refuse graphs that would keep ``dot`` busy for long, saying how to draw less."""
    advice = ("Draw part of it instead (pass a sub-expression, e.g. one neuron's output, as the "
              "root) or pass a larger max_nodes= if you are willing to wait.")
    if len(order) > max_nodes:
        ops = sum(1 for v in order if v.inputs)
        raise ValueError(f"this graph has {len(order)} values and {ops} ops, more than "
                         f"max_nodes={max_nodes}; Graphviz would be slow to lay it out. {advice}")
    bends = _long_edge_bends(order)
    if bends > BENDS_PER_NODE * max_nodes:
        raise ValueError(
            f"this graph has only {len(order)} values, but values used far from where they are "
            f"made give it long edges with about {bends} bends, more than the "
            f"{BENDS_PER_NODE * max_nodes} allowed ({BENDS_PER_NODE} per value of "
            f"max_nodes={max_nodes}); Graphviz would take from seconds to minutes. {advice}")


def _long_edge_bends(order: list) -> int:
    """About how many hidden points ``dot`` adds to route edges that skip layers.

    Each value sits one level after its deepest computed input and each leaf
    just before its first use; an edge that skips layers gets a point per
    layer skipped (two layers per level: values and ops). Layout time grows
    quickly with these points, far more than with the number of values.
    """
    level: dict = {}
    for v in order:
        if v.inputs:
            level[v] = 1 + max([level[u] for u in v.inputs if u.inputs], default=0)
    for v in order:
        for u in v.inputs:
            if not u.inputs:
                level[u] = min(level.get(u, level[v] - 1), level[v] - 1)
    return sum(2 * (level[v] - level[u]) - 2 for v in order for u in v.inputs)


def _value_label(name: str, named: bool, data: str, grad: Optional[str], kind: str,
                 style: str, note: str = "", rounded: bool = True) -> str:
    """A value's box; ``rounded=False`` (big graphs) also drops the rules between the cells."""
    fill, border, ink, _ = STYLE[style]
    rule = "<vr/>" if rounded else ""
    thickness = 2 if style in ("root", "current") else 1
    if kind == "const":
        cells = f'<td><font color="{ink}">{data}</font></td>'
    else:
        title = (f"<b>{html_text(name)}</b>" if named
                 else f'<i><font color="{MUTED}">{html_text(name)}</font></i>')
        cells = (f'<td>{title}</td>{rule}<td><font point-size="9" color="{MUTED}">data</font> '
                 f'{data}</td>')
        if grad is not None:
            cells += (f'{rule}<td><font point-size="9" color="{MUTED}">grad</font> <b>{grad}</b>'
                      + (f' <font point-size="9" color="{MUTED}">{note}</font>' if note else "")
                      + '</td>')
    # A rounded box is a 25-point path drawn twice; a square one is 5 points (half the bytes).
    corners = 'style="rounded" ' if rounded else ""
    return (f'<<table border="{thickness}" cellborder="0" cellspacing="0" cellpadding="5" '
            f'{corners}bgcolor="{fill}" color="{border}"><tr>{cells}</tr></table>>')


def draw_dot(root, *, rankdir: str = "LR", show_grad: bool = True, highlight: Optional[Step] = None,
             max_nodes: int = DEFAULT_MAX_NODES, legend: bool = True,
             precision: Optional[int] = None, title: Optional[str] = None,
             level: str = "scalar", expand_dot: bool = False) -> GraphDrawing:
    """Draw the computation graph that ends at ``root`` as a ``graphviz.Digraph``.

    ``show_grad`` adds each node's grad; ``highlight`` (a step of
    ``backward_steps()``) marks the node of that step, its inputs and the
    contribution each input receives, and prints the step's arithmetic as the
    title; grads are shown as they stand at that step (``…`` where more
    contributions are still to come), so the steps drawn in a row tell the
    story of the backward pass even when drawn after it. ``title`` is printed
    above the graph (before the step's text). ``precision`` is the number of
    significant digits (default: 6, as in the step text). Graphs with more than
    ``max_nodes`` Values (or whose long edges would make ``dot`` as slow) are
    refused with a ``ValueError`` saying how to draw part of them.

    ``level`` is ``'scalar'`` (every Value; the Values a module made are
    grouped in a box per neuron inside a box per layer), ``'neuron'`` (one box
    per neuron call: its activation, its grad and its incoming weights with
    their grads) or ``'layer'`` (one box per layer call); see
    :mod:`engine.levels`. ``expand_dot=True`` draws each fused ``dot`` node
    (``w·x + b``) as the products and the sum it stands for, as a neuron is
    drawn by hand, with each product's number and grad.

    >>> from engine import Value
    >>> x = Value(0.5, label="x"); y = (x * x).tanh(); y.label = "y"
    >>> g = draw_dot(y, legend=False)
    >>> [line.split()[0] for line in g.source.splitlines()[1:] if "[" in line][:5]
    ['node', 'edge', 'n0', 'n1', 'n1op']
    >>> sum("-> n1op" in line for line in g.source.splitlines())  # x * x: two edges
    2
    """
    _check_options(rankdir, max_nodes, precision, highlight, title)
    if not hasattr(root, "inputs") or not hasattr(root, "data"):
        raise TypeError(f"draw_dot needs a Value, got {type(root).__name__}")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(map(repr, LEVELS))}, got {level!r}")
    if not isinstance(expand_dot, bool):
        raise TypeError(f"expand_dot must be True or False, got {expand_dot!r}")
    order = topological_order(root)
    if level != "scalar":
        if highlight is not None:
            raise ValueError("highlight= draws one step of the scalar graph: use level='scalar'")
        return draw_units(root, order, level, rankdir=rankdir, legend=legend,
                          precision=precision, title=title, show_grad=show_grad)
    _check_budget(order, max_nodes)
    index = {v: k for k, v in enumerate(order)}
    names = NodeNames(order)
    step_grads, contributions = _highlight_maps(highlight, index)
    pending = _pending(order, index[highlight.node]) if highlight is not None else set()

    g = GraphDrawing("computation_graph")
    # nslimit caps the network-simplex passes that place nodes: without it a value
    # used far down a long chain can make dot run for minutes (27 s CPU for 211 values).
    g.attr(rankdir=rankdir, fontname=FONT, bgcolor="white", nodesep="0.25", ranksep="0.35",
           nslimit="4")
    g.attr("node", fontname=FONT, fontsize="11", shape="plain")
    g.attr("edge", fontname=FONT, fontsize="9", color=EDGE, arrowsize="0.6")
    step_text = str(highlight) if highlight is not None else None
    caption = "\n".join(t for t in (title, step_text) if t)
    if caption:
        g.attr(label=f'<{html_text(caption, limit=4000)}<br align="left"/>>', labelloc="t",
               labeljust="l", fontsize="11")

    # An edge label is laid out as a node of its own, which doubles dot's layers
    # (3x slower for an 868-value loss); big graphs place labels after layout.
    small = len(order) <= LAYOUT_LABELS_UP_TO
    label_key = "label" if small else "xlabel"
    kinds_seen: dict = {}
    box = _Boxes(g, order)
    for k, v in enumerate(order):
        kind = node_kind(v, root)
        style = "current" if highlight is not None and v is highlight.node else kind
        style = "input" if k in step_grads and style != "current" else style
        kinds_seen[style] = True
        shown_grad, note = None, ""
        if show_grad and kind != "const":
            if k in step_grads or k not in pending:
                shown_grad = format_number(step_grads.get(k, v.grad), precision)
                note = "so far" if k in pending else ""
            else:
                shown_grad, note = "…", "pending"
                kinds_seen["pending"] = True
        data = format_number(v.data, precision)
        name = names(v)
        tooltip = plain_text(f"{name}: data {data}"
                             + (f", grad {shown_grad} {note}".rstrip() if shown_grad else ""))
        where = box(k)
        where.node(f"n{k}", _value_label(name, bool(v.label), data, shown_grad, kind, style, note,
                                         rounded=small),
                   id=f"n{k}", tooltip=tooltip)
        if v.inputs:
            kinds_seen["op"] = True
            current = style == "current"
            if expand_dot and v.op.name == "dot":
                _draw_dot_spelled_out(g, where, k, v, index, current, precision, show_grad,
                                      shown_grad)
            else:
                _draw_op(g, where, k, v, index, contributions, current, precision, label_key)
    box.close()
    if legend:
        entries = [(STYLE[k][0], STYLE[k][1], STYLE[k][3]) for k in STYLE if k in kinds_seen]
        g.node("legend", legend_table(entries, across=rankdir in ("TB", "BT")), id="legend")
    return g


def _op_node(where, op_id: str, text: str, tooltip: str, current: bool) -> None:
    fill, border, ink, _ = STYLE["current" if current else "op"]
    where.node(op_id, f"<{html_text(text, 30)}>", id=op_id, shape="ellipse",
               style="filled", fillcolor=fill, color=border, fontcolor=ink, margin="0.04,0.02",
               width="0.4", height="0.3", fontsize="12", tooltip=plain_text(tooltip),
               penwidth="2" if current else "1")


def _draw_op(g: GraphDrawing, where, k: int, v, index: dict, contributions: dict, current: bool,
             precision: Optional[int], label_key: str) -> None:
    """The op node that made value ``k``; its edges go in ``g``, never inside a box."""
    op_id = f"n{k}op"
    _op_node(where, op_id, v.op.label(v.attr), v.op.name, current)
    # Number the operands where order matters (a - b, a / b); an n-ary node's
    # inputs are named by their labels instead, since a number on each of many
    # edges is clutter that also slows dot down.
    numbered = 1 < len(v.inputs) <= 3 and not v.op.commutative
    for i, inp in enumerate(v.inputs):
        attrs = {}
        text = str(i) if numbered else ""
        if current:
            added = format_number(contributions[i], precision)
            text = (text + ": " if text else "") + "grad += " + added
            attrs = dict(color=STYLE["current"][1], fontcolor=STYLE["current"][1], penwidth="2")
        if text:
            attrs[label_key] = f'<<font point-size="9">{html_text(text)}</font>>'
        g.edge(f"n{index[inp]}", op_id, id=f"{op_id}_in{i}", **attrs)
    g.edge(op_id, f"n{k}", id=f"{op_id}_out",
           **(dict(color=STYLE["current"][1], penwidth="2") if current else {}))


class _Boxes:
    """Where each value's node goes: the graph, or its neuron's box inside its layer's box.

    Boxes keep a neuron's parameters next to the nodes that use them, so the
    edges of a network stay short instead of crossing the picture in a bundle.
    """

    def __init__(self, g: GraphDrawing, order: list) -> None:
        self.g = g
        self.layers: dict = {}
        self.neurons: dict = {}
        self.of: dict = {}
        for key, members in neuron_groups(order).items():
            layer, j = key
            if layer not in self.layers:
                name = "layer" if layer < 0 else f"layer {layer}"
                self.layers[layer] = _box(f"cluster_L{layer}", name, "#f8fafc", "#cbd5e1")
            name = ("" if layer < 0 else f"L{layer}.") + f"N{j}"
            self.neurons[key] = _box(f"cluster_L{layer}N{j}", name, "#ffffff", "#e2e8f0")
            for k in members:
                self.of[k] = self.neurons[key]

    def __call__(self, k: int):
        return self.of.get(k, self.g)

    def close(self) -> None:
        for (layer, _), box in self.neurons.items():
            self.layers[layer].subgraph(box)
        for box in self.layers.values():
            self.g.subgraph(box)


def _box(name: str, caption: str, fill: str, border: str):
    import graphviz
    box = graphviz.Digraph(name=name)
    box.attr(label=f"<{html_text(caption)}>", labeljust="l", fontsize="10", fontcolor=MUTED,
             style="rounded,filled", fillcolor=fill, color=border, margin="10")
    return box



def _draw_dot_spelled_out(g: GraphDrawing, where, k: int, v, index: dict, current: bool,
                          precision: Optional[int], show_grad: bool, shown_grad) -> None:
    """A fused ``dot`` node drawn as its products ``w_i × x_i`` and one ``+`` (micrograd's picture)."""
    n = len(v.inputs) // 2
    names = NodeNames([])  # only labels are needed here
    flow = dict(color=STYLE["current"][1], penwidth="2") if current else {}
    for i in range(n):
        w, x = v.inputs[i], v.inputs[n + i]
        mul_id, product_id = f"n{k}op_m{i}", f"n{k}p{i}"
        _op_node(where, mul_id, "*", "mul", False)
        g.edge(f"n{index[w]}", mul_id, id=f"{mul_id}_in0")
        g.edge(f"n{index[x]}", mul_id, id=f"{mul_id}_in1")
        # d(sum)/d(product) = 1, so each product's grad is the dot node's grad.
        title = f"{_short(names(w))}·{_short(names(x))}"
        data = format_number(w.data * x.data, precision)
        where.node(product_id, _value_label(title, False, data, shown_grad if show_grad else None,
                                            "inner", "inner"), id=product_id,
                   tooltip=plain_text(f"{title} = {data}"))
        g.edge(mul_id, product_id, id=f"{mul_id}_out")
        g.edge(product_id, f"n{k}op", id=f"n{k}op_in{i}")
    _op_node(where, f"n{k}op", "+", "sum of the products and the bias", current)
    if len(v.inputs) % 2:
        g.edge(f"n{index[v.inputs[-1]]}", f"n{k}op", id=f"n{k}op_in{n}")
    g.edge(f"n{k}op", f"n{k}", id=f"n{k}op_out", **flow)


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1] if name[:1] in "LN" and "." in name else name


def _pending(order: list, current: int) -> set:
    """Nodes whose grad is not complete at the step of node ``current``.

    Steps visit nodes from the last in the order to the first, so a node still
    waits for contributions while one of its consumers comes before ``current``.
    """
    first_consumer: dict = {}
    for k, v in enumerate(order):
        for u in v.inputs:
            first_consumer.setdefault(u, k)
    return {k for k, v in enumerate(order) if first_consumer.get(v, current) < current}


def _highlight_maps(step: Optional[Step], index: dict) -> tuple:
    """For a step: node index -> grad to show, and input position -> contribution."""
    if step is None:
        return {}, {}
    if step.node not in index:
        raise ValueError("the highlighted step belongs to another graph: pass the step of a "
                         "backward_steps() walk over this root (or a sub-graph containing it)")
    grads = {index[inp]: after for inp, after in zip(step.inputs, step.grads_after)}
    grads[index[step.node]] = step.upstream
    return grads, dict(enumerate(step.contributions))
