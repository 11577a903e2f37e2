"""``draw_dot(level='neuron' | 'layer')``: a network's graph drawn one box per neuron or layer.

A neuron box shows the neuron's name, its activation ``a`` and grad, and the
weights coming in with their grads; an edge's colour is its weight's sign
(blue positive, red negative) and its width the weight's size. A layer box
says how many neurons it holds. Values made outside any module (inputs,
the loss) are drawn as small boxes of their own. DOT ids: unit ``u`` of
:func:`engine.levels.network_units` is ``u{u}``, its edges ``u{u}_in{i}``.
"""

from __future__ import annotations

from typing import Optional

from .naming import NodeNames, node_kind
from .graphviz_io import GraphDrawing, format_number, html_text, plain_text
from .draw_style import FONT, MUTED, STYLE, legend_table
from .levels import Unit, layer_units, network_units

POSITIVE, NEGATIVE, ZERO = "#2563eb", "#dc2626", "#9ca3af"
MAX_WEIGHT_ROWS = 16  # weights listed in a neuron's box; more are summarised


def units_for(order: list, level: str, names=None) -> list:
    """The units of ``level`` (``'neuron'`` or ``'layer'``) of a graph made by modules."""
    units = network_units(order, names or NodeNames(order))
    if units is None:
        raise ValueError(f"level={level!r} needs a graph made by nn modules (Neuron, Layer, MLP): "
                         "no Value of this graph records a neuron (labels like L0.N3.a)")
    name_inputs(units, order)
    return units if level == "neuron" else layer_units(units)


def name_inputs(units: list, order: list) -> None:
    """Unlabelled leaves read by a first-layer neuron are the network's inputs: ``x1`` … ``xn``."""
    for unit in units:
        if unit.kind != "neuron" or any(units[s].kind == "neuron" for s in unit.sources):
            continue
        for i, s in enumerate(unit.sources):
            u = units[s]
            if u.kind == "value" and not order[u.out].label and not order[u.out].inputs:
                u.name = f"x{i + 1}"


def draw_units(root, order: list, level: str, *, rankdir: str, legend: bool,
               precision: Optional[int], title: Optional[str], show_grad: bool) -> GraphDrawing:
    """The neuron- or layer-level drawing (see the module docstring)."""
    units = units_for(order, level)
    largest = max([abs(order[w].data) for u in units for w in u.weights if w is not None]
                  + [0.0])
    g = GraphDrawing(f"{level}_graph")
    g.attr(rankdir=rankdir, fontname=FONT, bgcolor="white", nodesep="0.2", ranksep="0.9",
           newrank="true", ordering="in")
    g.attr("node", fontname=FONT, fontsize="10", shape="plain")
    g.attr("edge", fontname=FONT, fontsize="8", arrowsize="0.5")
    if title:
        g.attr(label=f"<{html_text(title, 200)}>", labelloc="t", labeljust="l", fontsize="11")
    fmt = lambda x: format_number(x, precision)  # noqa: E731
    for i, u in enumerate(units):
        v = order[u.out]
        kind = "neuron" if u.kind != "value" else node_kind(v, root)
        g.node(f"u{i}", _label(u, v, order, kind, fmt, show_grad, STYLE, MUTED), id=f"u{i}",
               tooltip=plain_text(f"{u.name}: data {fmt(v.data)}, grad {fmt(v.grad)}"))
        for p, (s, w) in enumerate(zip(u.sources, u.weights)):
            attrs = {"color": "#94a3b8"}
            if w is not None:
                weight = order[w]
                share = min(1.0, abs(weight.data) / largest) if largest > 0 else 0.0
                colour = POSITIVE if weight.data > 0 else NEGATIVE if weight.data < 0 else ZERO
                attrs = {"color": colour, "penwidth": format(0.5 + 3 * share, ".2f"),
                         "tooltip": plain_text(f"{weight.label} = {fmt(weight.data)}"
                                               + (f", grad {fmt(weight.grad)}" if show_grad else ""))}
            elif u.kind == "layer":
                width = units[s].width if units[s].kind == "layer" else 1
                attrs["label"] = f"<{width}×{u.width}>"
            g.edge(f"u{s}", f"u{i}", id=f"u{i}_in{p}", **attrs)
    if legend:
        g.node("legend", legend_table([(STYLE["op"][0], STYLE["op"][1], f"one {level}"),
                                       (POSITIVE, POSITIVE, "positive weight"),
                                       (NEGATIVE, NEGATIVE, "negative weight")]), id="legend")
    return g


def _label(u: Unit, v, order: list, kind: str, fmt, show_grad: bool, STYLE: dict,
           MUTED: str) -> str:
    fill, border, ink, _ = STYLE["op" if kind == "neuron" else kind]
    small = f'<font point-size="8" color="{MUTED}">'
    grad = f" {small}grad</font> <b>{fmt(v.grad)}</b>" if show_grad and kind != "const" else ""
    rows = [f'<tr><td align="left"><b>{html_text(u.name)}</b></td></tr>']
    if u.kind == "neuron":
        rows.append(f'<tr><td align="left">{small}a</font> {fmt(v.data)}{grad}</td></tr>')
        shown = [w for w in u.weights if w is not None]
        for w in shown[:MAX_WEIGHT_ROWS]:
            p = order[w]
            name = html_text(p.label.rsplit(".", 1)[-1])
            g = f" {small}grad</font> {fmt(p.grad)}" if show_grad else ""
            rows.append(f'<tr><td align="left">{small}{name}</font> {fmt(p.data)}{g}</td></tr>')
        if len(shown) > MAX_WEIGHT_ROWS:
            rows.append(f'<tr><td align="left">{small}… {len(shown) - MAX_WEIGHT_ROWS} more '
                        'weights</font></td></tr>')
    elif u.kind == "layer":
        rows.append(f'<tr><td align="left">{small}{u.width} neuron'
                    f'{"s" if u.width > 1 else ""}</font></td></tr>')
    else:
        rows.append(f'<tr><td align="left">{small}data</font> {fmt(v.data)}{grad}</td></tr>')
    return (f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="3" style="rounded" '
            f'bgcolor="{fill}" color="{border}">{"".join(rows)}</table>>')
