"""Where a Value comes from: the layer, the neuron and the part of it that made it.

``nn`` labels what its modules make: a parameter ``L0.N3.w1`` (weight 1 of
neuron 3 of layer 0) or ``L0.N3.b``, a neuron's weighted sum ``L0.N3.z`` (its
pre-activation) and its output ``L0.N3.a`` (its activation; a linear neuron's
``z`` is its ``a``). A lone Layer drops the ``L``, a lone Neuron the ``N``.
The record costs nothing per node: the label slot exists anyway and the strings
are made once, when the model is built. This module only reads labels, so the
engine never imports ``nn``.

>>> from engine import Value
>>> origin(Value(0.5, label="L1.N3.w0"))
Origin(layer=1, neuron=3, part='weight', index=0)
>>> origin("L0.N2.a").part, origin("x1")
('activation', None)
"""

from __future__ import annotations

import re
from typing import Dict, List, NamedTuple, Optional, Tuple

__all__ = ["Origin", "origin", "neuron_groups", "natural_key", "PARTS"]

PARTS = {"w": "weight", "b": "bias", "z": "pre-activation", "a": "activation"}

_LABEL = re.compile(r"^(?:L(\d+)\.)?N(\d+)\.(?:w(\d+)|([bza]))$")


class Origin(NamedTuple):
    """The place of a Value in a network: ``layer`` (``None`` outside one) and ``neuron`` numbers."""

    layer: Optional[int]
    neuron: int
    part: str
    # Which weight. A field may shadow tuple.index in a NamedTuple (``Origin.index`` is
    # the field, as it has always been), but mypy checks it against the method.
    index: Optional[int] = None  # type: ignore[assignment]

    @property
    def key(self) -> Tuple[int, int]:
        """``(layer, neuron)``, with -1 for a missing layer: the neuron this belongs to."""
        return (-1 if self.layer is None else self.layer, self.neuron)

    @property
    def neuron_name(self) -> str:
        """``L0.N3`` (or ``N3`` without a layer)."""
        return ("" if self.layer is None else f"L{self.layer}.") + f"N{self.neuron}"


def origin(v) -> Optional[Origin]:
    """The :class:`Origin` a Value's label records, or ``None`` for a Value made outside a module.

    Only labels with a neuron number count (``N3.b``, ``L0.N3.a``): a bare
    ``a`` or ``b`` is too common a name to mean "activation" or "bias".
    """
    label = v if isinstance(v, str) else getattr(v, "label", "")
    m = _LABEL.match(label) if label else None
    if m is None:
        return None
    layer, neuron, weight, part = m.groups()
    return Origin(None if layer is None else int(layer), int(neuron),
                  "weight" if weight is not None else PARTS[part],
                  None if weight is None else int(weight))


def neuron_groups(order: list) -> Dict[Tuple[int, int], List[int]]:
    """Positions in ``order`` (a topological order) of every node of each neuron, by neuron key.

    A neuron owns its parameters, its ``z`` and ``a`` and the unlabelled nodes
    between its inputs and its ``z`` (the products and partial sums of an
    unfused neuron). Keys come in network order (layer, then neuron).
    """
    index = {v: k for k, v in enumerate(order)}
    owner: Dict[int, Tuple[int, int]] = {}
    origins: Dict[int, Origin] = {}
    for k, v in enumerate(order):
        o = origin(v)
        if o is not None:
            owner[k] = o.key
            origins[k] = o
    for k in list(owner):  # claim the unlabelled nodes under each z
        if origins[k].part not in ("pre-activation", "activation"):
            continue
        stack = list(order[k].inputs)
        while stack:
            u = stack.pop()
            j = index.get(u)
            if j is None or j in owner or not u.inputs:
                continue
            owner[j] = owner[k]
            stack.extend(u.inputs)
    groups: Dict[Tuple[int, int], List[int]] = {}
    for k in sorted(owner):
        groups.setdefault(owner[k], []).append(k)
    return dict(sorted(groups.items()))


_PART_RANK = {"weight": 0, "bias": 1, "pre-activation": 2, "activation": 3}


def natural_key(label: str) -> tuple:
    """A sort key that puts ``L0.N0.w0, w1, …, w10, b`` then ``L0.N1…`` in reading order.

    >>> sorted(["L1.N3.b", "L1.N3.w10", "L0.N0.w1", "L1.N3.w2", "x2", "x10"], key=natural_key)
    ['x2', 'x10', 'L0.N0.w1', 'L1.N3.w2', 'L1.N3.w10', 'L1.N3.b']
    """
    o = origin(label)
    if o is not None:
        return (1, o.key, _PART_RANK[o.part], o.index or 0, label)
    parts = re.split(r"(\d+)", label)
    return (0, tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p), label)
