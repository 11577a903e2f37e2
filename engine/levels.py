"""One graph seen at three levels: scalar Values, neurons, layers.

At the **neuron** level every call of a neuron is one unit: its weighted sum
``z``, its activation ``a`` and the products and sums in between fold into it;
its parameters become the weights on the edges coming in. Values made outside
any module (the inputs, the loss) stay units of their own. At the **layer**
level the neurons of one layer that read the same inputs (one call of the
layer) fold into one unit. Provenance comes from :mod:`engine.provenance`.

Units are listed inputs first, so a unit's sources always come before it, and
each has a column (its depth) and a row: a layout that needs no Graphviz.

>>> from engine import Value, dot
>>> x = [Value(1.0, label="x1"), Value(2.0, label="x2")]
>>> w = [Value(0.5, label="N0.w0"), Value(-1.0, label="N0.w1")]
>>> a = dot(w, x, Value(0.1, label="N0.b")).tanh(); a.inputs[0].label = "N0.z"; a.label = "N0.a"
>>> from engine import topological_order
>>> [(u.name, u.kind, u.column) for u in network_units(topological_order(a))]
[('x1', 'value', 0), ('x2', 'value', 0), ('N0', 'neuron', 1)]
"""

from __future__ import annotations

from typing import Dict, List, Optional

from .provenance import origin

__all__ = ["Unit", "network_units", "layer_units", "LEVELS"]

LEVELS = ("scalar", "neuron", "layer")


class Unit:
    """One box of a coarse view: a neuron call, a layer call, or a single Value."""

    __slots__ = ("kind", "name", "key", "out", "members", "sources", "weights", "column", "row",
                 "layer", "width")

    def __init__(self, kind: str, name: str, out: int, members: List[int], key=None) -> None:
        self.kind = kind          # "neuron", "layer" or "value"
        self.name = name
        self.key = key            # (layer, neuron) of a neuron; (layer,) of a layer
        self.out = out            # position (in the topological order) of the unit's output
        self.members = members    # positions of every Value folded into the unit
        self.sources: List[int] = []   # units feeding this one, in input order
        self.weights: List[Optional[int]] = []  # per source: position of the weight on that edge
        self.column = 0
        self.row = 0
        self.layer: Optional[int] = None
        self.width = 1            # neurons in a layer unit

    def __repr__(self) -> str:
        return f"<Unit {self.kind} {self.name} out={self.out}>"


def network_units(order: list, names=None) -> Optional[List[Unit]]:
    """The neuron-level units of a graph, or ``None`` when no module made any of it.

    ``names`` (a callable, e.g. :class:`engine.backprop.NodeNames`) names the
    value units; by default their labels, else ``n<k>``.
    """
    index = {v: k for k, v in enumerate(order)}
    origins = [origin(v) if v.label else None for v in order]
    outputs = [(k, place) for k, place in enumerate(origins)
               if place is not None and place.part == "activation" and order[k].inputs]
    if not outputs:
        return None
    name_of = names or (lambda v: v.label or f"n{index[v]}")
    owner: Dict[int, int] = {}
    units: List[Unit] = []
    calls: Dict[tuple, int] = {}
    for k, place in outputs:
        key = place.key
        calls[key] = calls.get(key, 0) + 1
        members = _claim(order, index, origins, k, key)
        unit = Unit("neuron", place.neuron_name, k, members, key)
        unit.layer = place.layer
        for m in members:
            owner[m] = len(units)
        units.append(unit)
    repeated = {key for key, n in calls.items() if n > 1}
    seen: Dict[tuple, int] = {}
    for unit in units:  # a neuron called for several examples: L0.N3 #1, #2, ...
        if unit.key in repeated:
            seen[unit.key] = seen.get(unit.key, 0) + 1
            unit.name += f" #{seen[unit.key]}"
    readers: Dict[int, List[int]] = {}
    for j, v in enumerate(order):
        for u in v.inputs:
            readers.setdefault(index[u], []).append(j)
    for k, v in enumerate(order):
        o = origins[k]
        if k in owner:
            continue
        if o is not None and o.part in ("weight", "bias") and not v.inputs and all(
                j in owner and units[owner[j]].key == o.key for j in readers.get(k, ())):
            continue  # read only inside its own neuron: the weight of an edge, not a unit
        owner[k] = len(units)
        units.append(Unit("value", name_of(v), k, [k]))
    units.sort(key=lambda u: u.out)
    owner = {m: i for i, u in enumerate(units) for m in u.members}
    for i, unit in enumerate(units):
        _connect(unit, i, order, index, origins, owner)
    _place(units)
    return units


def _claim(order: list, index: dict, origins: list, a: int, key: tuple) -> List[int]:
    """``a``, its ``z`` and the sums and products of the neuron between its inputs and ``z``."""
    members = [a]
    v = order[a]
    z = v.inputs[0] if len(v.inputs) == 1 else None
    zk = index.get(z) if z is not None else None
    start = a
    if zk is not None and origins[zk] is not None and origins[zk].key == key \
            and origins[zk].part == "pre-activation":
        members.append(zk)
        start = zk
    stack = [u for u in order[start].inputs]
    while stack:  # an unfused neuron: w0*x0 + w1*x1 + ... + b, nodes without labels
        u = stack.pop()
        j = index[u]
        if origins[j] is not None or not u.inputs or j in members:
            continue
        name = u.op.name
        if name == "mul" and not any(_is_param_of(order, index, origins, w, key) for w in u.inputs):
            continue
        if name not in ("add", "mul"):
            continue
        members.append(j)
        if name == "add":
            stack.extend(u.inputs)
    return sorted(members)


def _is_param_of(order, index, origins, v, key) -> bool:
    o = origins[index[v]]
    return o is not None and o.part in ("weight", "bias") and o.key == key and not v.inputs


def _connect(unit: Unit, i: int, order: list, index: dict, origins: list, owner: dict) -> None:
    """Fill ``unit.sources`` (and the weight of each edge) from its members' inputs."""
    members = set(unit.members)
    found: Dict[int, Optional[int]] = {}
    for m in unit.members:
        v = order[m]
        inputs = v.inputs
        pair: Dict[int, int] = {}
        if v.op is not None and v.op.name == "dot":
            n = len(inputs) // 2
            pair = {n + t: t for t in range(n)}
        elif v.op is not None and v.op.name == "mul" and len(inputs) == 2:
            pair = {0: 1, 1: 0}
        for p, u in enumerate(inputs):
            j = index[u]
            if j in members or (unit.kind == "neuron" and owner.get(j) is None):
                continue  # folded in, or a parameter of this neuron (the weight of an edge)
            src = owner.get(j)
            if src is None or src == i:
                continue
            w = pair.get(p)
            weight = index[inputs[w]] if w is not None and unit.kind == "neuron" and \
                owner.get(index[inputs[w]]) is None else None
            if src not in found or found[src] is None:
                found[src] = weight
    unit.sources = list(found)
    unit.weights = [found[s] for s in unit.sources]


def _place(units: List[Unit]) -> None:
    """Columns by depth (a leaf just before its first reader), rows in order within a column."""
    consumers: Dict[int, List[int]] = {}
    for i, u in enumerate(units):
        u.column = 1 + max((units[s].column for s in u.sources), default=-1)
        for s in u.sources:
            consumers.setdefault(s, []).append(i)
    for i, u in enumerate(units):
        if not u.sources and i in consumers and u.kind == "value":
            u.column = max(0, min(units[c].column for c in consumers[i]) - 1)
    rows: Dict[int, int] = {}
    for u in sorted(units, key=lambda u: (u.column, u.key is None, u.key or (), u.out)):
        u.row = rows.get(u.column, 0)
        rows[u.column] = u.row + 1


def layer_units(units: List[Unit]) -> List[Unit]:
    """The layer-level units: the neurons of a layer that read the same units become one."""
    out: List[Unit] = []
    mapped: Dict[int, int] = {}
    groups: Dict[tuple, int] = {}
    for i, u in enumerate(units):
        sources = tuple(sorted({mapped[s] for s in u.sources}))
        if u.kind == "neuron":
            group = (u.layer, sources)
            if group in groups:
                g = out[groups[group]]
                g.members = sorted(g.members + u.members)
                g.out = max(g.out, u.out)
                g.width += 1
                mapped[i] = groups[group]
                continue
            layer = Unit("layer", "layer" if u.layer is None else f"L{u.layer}", u.out,
                         list(u.members), (u.layer,))
            layer.layer = u.layer
            groups[group] = len(out)
            unit = layer
        else:
            unit = Unit("value", u.name, u.out, list(u.members))
        unit.sources = list(sources)
        unit.weights = [None] * len(sources)
        mapped[i] = len(out)
        out.append(unit)
    calls: Dict[Optional[int], int] = {}
    for u in out:
        if u.kind == "layer":
            calls[u.layer] = calls.get(u.layer, 0) + 1
    count: Dict[Optional[int], int] = {}
    for u in out:
        if u.kind == "layer" and calls[u.layer] > 1:
            count[u.layer] = count.get(u.layer, 0) + 1
            u.name += f" #{count[u.layer]}"
    order = sorted(range(len(out)), key=lambda i: out[i].out)
    if order != list(range(len(out))):  # keep sources before their readers
        renumber = {old: new for new, old in enumerate(order)}
        out = [out[i] for i in order]
        for u in out:
            u.sources = [renumber[s] for s in u.sources]
    _place(out)
    return out
