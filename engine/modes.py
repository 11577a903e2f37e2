"""Per-thread switches: recording the graph, and catching non-finite numbers.

Both are thread-local, so ``no_grad()`` in one thread never changes what
another thread records.

>>> from engine import Value
>>> a = Value(2.0)
>>> with no_grad():
...     b = a * 3
>>> b.op is None, b.inputs
(True, ())
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator


class AnomalyError(FloatingPointError):
    """A non-finite value or gradient appeared while ``detect_anomaly()`` was on."""


class _Mode(threading.local):
    # ``plain`` is the one flag the hot path reads: recording on, anomaly checks off.
    recording = True
    anomaly = False
    plain = True

    def update(self) -> None:
        self.plain = self.recording and not self.anomaly


MODE = _Mode()


def is_grad_enabled() -> bool:
    """Whether ops in this thread currently record the graph."""
    return MODE.recording


def is_anomaly_enabled() -> bool:
    """Whether ``detect_anomaly()`` is active in this thread."""
    return MODE.anomaly


@contextmanager
def _switch(name: str, value: bool) -> Iterator[None]:
    previous = getattr(MODE, name)
    setattr(MODE, name, value)
    MODE.update()
    try:
        yield
    finally:
        setattr(MODE, name, previous)
        MODE.update()


def no_grad():
    """Context manager: ops inside compute numbers but record no graph.

    Results are leaves (no op, no inputs), as in ``torch.no_grad()``.
    """
    return _switch("recording", False)


def enable_grad():
    """Context manager: record the graph again inside a ``no_grad()`` block."""
    return _switch("recording", True)


def detect_anomaly():
    """Context manager: raise :class:`AnomalyError` where a value or gradient
    first becomes ``inf`` or ``nan``, naming the op and the node's label.

    >>> from engine import Value
    >>> with detect_anomaly():
    ...     Value(0.0, label="x").log()
    Traceback (most recent call last):
    ...
    engine.modes.AnomalyError: log of x=0 gave -inf (forward pass)
    """
    return _switch("anomaly", True)
