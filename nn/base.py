"""``Module``: the base class of every network, finding its parameters among its attributes.

A subclass sets Values and submodules as attributes and implements
``__call__`` (or ``forward``); :class:`Module` then walks the attributes for
``parameters()``, ``named_parameters()``, ``named_modules()``, ``zero_grad()``,
``state_dict()`` / ``load_state_dict()`` and a nested ``repr``. The networks of
:mod:`nn.module` (Neuron, Layer, MLP) are modules; so is any model a learner writes.

>>> from engine import Value
>>> class Affine(Module):
...     def __init__(self):
...         self.w, self.b = Value(2.0), Value(0.5)
...     def forward(self, x):
...         return self.w * x + self.b
>>> model = Affine()
>>> model(3.0).data, [name for name, _ in model.named_parameters()]
(6.5, ['w', 'b'])
"""

from __future__ import annotations

import reprlib
from typing import Any, Iterator, List, Tuple, Union

from engine import Value

from ._checks import finite_number


class Module:
    """Base class: finds parameters and submodules among the attributes, in order.

    A ``Value`` attribute that is a leaf needing a gradient is a parameter; a
    ``Module`` attribute is a submodule; lists, tuples and dicts of either
    count too (their items are named ``name.0``, ``name.1``, ... or ``name.key``). Subclasses implement
    ``__call__`` (or ``forward``, which the default ``__call__`` runs).
    """

    # Any: each subclass takes and returns what it computes (a Value, a list of them, ...),
    # and narrows this signature in its own __call__ or forward.
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; override this (or ``__call__``) in a subclass."""
        raise NotImplementedError(f"{type(self).__name__} must define forward() or __call__()")

    # --- walking the attributes ---------------------------------------------------

    def _members(self) -> Iterator[Tuple[str, Union[Value, "Module"]]]:
        """(name, Value or Module) for every parameter and submodule, lists flattened."""
        for name, item in vars(self).items():
            if name.startswith("_"):
                continue
            if isinstance(item, (list, tuple, dict)):
                pairs = item.items() if isinstance(item, dict) else enumerate(item)
                for key, sub in pairs:
                    if isinstance(sub, (Value, Module)):
                        yield f"{name}.{key}", sub
            elif isinstance(item, (Value, Module)):
                yield name, item

    def named_parameters(self, prefix: str = "") -> List[Tuple[str, Value]]:
        """Every parameter with a stable dotted name such as ``layers.0.neurons.3.w.1``."""
        out: list = []
        seen: set = {self}  # modules and parameters met so far: a parent pointer is no loop
        self._named(prefix, out, seen)
        return out

    def _named(self, prefix: str, out: list, seen: set) -> None:
        for name, item in self._members():
            full = f"{prefix}.{name}" if prefix else name
            if isinstance(item, Module):
                if item not in seen:
                    seen.add(item)
                    item._named(full, out, seen)
            elif item.requires_grad and not item.inputs and item not in seen:
                seen.add(item)
                out.append((full, item))

    def parameters(self) -> List[Value]:
        """Every parameter (leaf Value with a gradient) in a stable order, each once."""
        return [p for _, p in self.named_parameters()]

    def named_modules(self, prefix: str = "") -> List[Tuple[str, "Module"]]:
        """This module (name ``prefix``) and every submodule, depth first, each once."""
        out: list = []
        seen: set = set()
        stack = [(prefix, self)]
        while stack:  # iterative, and a module met again (a parent pointer) is skipped
            name, module = stack.pop()
            if module in seen:
                continue
            seen.add(module)
            out.append((name, module))
            children = [(f"{name}.{key}" if name else key, item)
                        for key, item in module._members() if isinstance(item, Module)]
            stack.extend(reversed(children))
        return out

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (leaf grads accumulate across backward calls)."""
        for p in self.parameters():
            p.grad = 0.0

    # --- state -----------------------------------------------------------------------

    def state_dict(self) -> dict:
        """Every parameter's number by dotted name (a plain dict of floats, in order)."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict, strict: bool = True) -> None:
        """Set parameters from ``state`` (as made by :meth:`state_dict`).

        Strict by default: a missing or unexpected name, or a non-finite
        number, raises ``ValueError`` naming it, and nothing is changed.
        With ``strict=False`` missing and unexpected names are ignored.
        """
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict needs a dict of name -> number, got {type(state).__name__}")
        params = dict(self.named_parameters())
        if strict:
            missing = [name for name in params if name not in state]
            extra = [name for name in state if name not in params]
            if missing or extra:
                parts = []
                if missing:
                    parts.append(f"missing {', '.join(map(repr, missing[:5]))}"
                                 + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""))
                if extra:
                    parts.append(f"unexpected {', '.join(map(repr, extra[:5]))}"
                                 + (f" and {len(extra) - 5} more" if len(extra) > 5 else ""))
                raise ValueError(f"state dict does not match {type(self).__name__}: "
                                 + "; ".join(parts))
        updates = []
        for name, p in params.items():
            if name in state:
                updates.append((p, finite_number(state[name], f"state dict entry {name!r}")))
        for p, x in updates:
            p.data = x

    # --- printing ----------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The settings shown inside this module's parentheses."""
        return ""

    def _repr_children(self) -> List[Tuple[str, "Module"]]:
        return [(name, m) for name, m in self._members() if isinstance(m, Module)]

    @reprlib.recursive_repr()  # a module met again inside itself (a parent pointer) prints ...
    def __repr__(self) -> str:
        head = f"{type(self).__name__}({self.extra_repr()}"
        children = self._repr_children()
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {text}")
        return "\n".join(lines) + "\n)"
