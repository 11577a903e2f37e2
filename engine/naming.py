"""How the engine names and shows nodes and numbers to a person.

Display helpers shared by the stepper, the drawings, the player and error
messages. They read a node only through ``label``, ``data``, ``op``,
``inputs`` and ``requires_grad``, so this module imports nothing of the engine.

>>> fmt(0.1 + 0.2), fmt(-0.0)
('0.3', '0')
"""

from __future__ import annotations

from typing import Any, Dict, Sequence


def fmt(x: float) -> str:
    """Short text for a number in explanations: 6 significant digits.

    A gradient made by ``backward(create_graph=True)`` is a Value: its number is shown.
    """
    text = format(getattr(x, "data", x), ".6g")
    return "0" if text == "-0" else text


def node_kind(v: Any, root: Any) -> str:
    """How drawings classify a node: ``'root'``, ``'inner'``, ``'leaf'`` (needs a grad) or ``'const'``."""
    if v is root:
        return "root"
    if v.inputs:
        return "inner"
    return "leaf" if v.requires_grad else "const"


def display_name(v: Any) -> str:
    """How messages name a node: its label, or its number for an unlabelled leaf."""
    if v.label:
        return v.label
    return format(v.data, "g") if not v.inputs else f"({v.op.name} node)"


class NodeNames:
    """Names for the nodes of one graph: the label, else ``n<k>`` from the order.

    Constants are named by their number.
    """

    def __init__(self, order: Sequence[Any]) -> None:
        self._index: Dict[Any, int] = {v: k for k, v in enumerate(order)}

    def __call__(self, v: Any) -> str:
        if v.label:
            return v.label
        if not v.inputs and not v.requires_grad:
            return fmt(v.data)
        return f"n{self._index.get(v, '?')}"
