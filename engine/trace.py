"""Traced replay: record a function's graph once, then rerun it on new numbers.

Eager mode builds a fresh graph of :class:`~engine.Value` nodes on every
call, which is what makes it drawable and steppable, and also what makes it
slow. :func:`trace` runs ``fn`` once, eagerly, on example inputs, takes the
graph it built and turns it into one straight-line Python function (one line
per node, written from each op's code template in the rule table). Calling the
:class:`Trace` reruns forward and backward on new numbers without making a
single Value, with the same arithmetic in the same order as eager mode.

>>> from engine import Value
>>> w = Value(0.5, label="w")
>>> t = trace(lambda x: (w * x + 1.0).tanh(), 2.0)
>>> out = t(2.0)              # forward and backward, like fn(2.0).backward()
>>> eager = (w * 2.0 + 1.0).tanh(); g = w.grad; w.grad = 0.0; eager.backward()
>>> out == eager.data, g == w.grad
(True, True)
>>> t.forward(-1.0) == (w * -1.0 + 1.0).tanh().data
True

What a trace freezes: the *shape* of the graph. Plain numbers in ``fn`` stay
the numbers they were; anything computed from ``.data`` is a constant; and
Python decisions (``if``, ``max``, loops) follow the example inputs. A
comparison of Values made while tracing is recorded, and a replay whose
numbers would answer it differently raises :class:`TraceError` instead of
silently computing a different function. Kinks inside ops (ReLU at 0) are
not frozen: the op's rule decides on every replay. The trace holds the leaf
Values it read (a model's parameters): changing their ``.data`` is seen by the
next replay, replacing them with new Value objects is not - trace again then.

``Trace.vectorised()`` replays the same record level by level with NumPy
(see :mod:`engine.vectorised`).

Graphs larger than ``MAX_NODES`` are not compiled: they replay from a
:class:`~engine.tape.Tape` (flat lists run by a loop over the rule table's
functions), with the same results and checks: 4 to 16 times slower per replay
than compiled code, but quick to record and about 42 bytes per node held
(see :func:`trace`).
"""

from __future__ import annotations

from typing import Callable, List, Optional

from .modes import MODE, enable_grad
from .recording import FrozenValueWarning, Recording, TraceError, check_finite, flatten, layout
from .tape import Tape
from .trace_codegen import _Codegen
from .value import WATCH, Value, as_real, is_real

__all__ = ["trace", "Trace", "TraceError", "FrozenValueWarning"]

MAX_NODES = 200_000
"""Largest graph ``trace`` compiles (one line of Python per node, about 6 KB each while
compiling); ``mode="auto"`` replays larger graphs from a :class:`~engine.tape.Tape`."""

_MODES = ("auto", "codegen", "tape")


def trace(fn: Callable[..., Value], *example_inputs: object, input_grads: bool = True,
          mode: str = "auto") -> "Trace":
    """Record ``fn(*example_inputs)`` once and return a :class:`Trace` that replays it.

    Inputs may be numbers, leaf Values, or (nested) lists and tuples of them;
    a replay takes new numbers in the same layout. Leaf Values that ``fn``
    reaches but that are not inputs (a model's parameters) are read afresh
    on every replay, and their ``grad`` accumulates as with ``backward()``.
    ``input_grads=False`` skips the gradients with respect to the inputs (a
    batch of data needs none; it can be a large part of the backward pass).

    ``mode`` picks the replay: ``"codegen"`` compiles straight-line Python
    (fastest, readable as ``.source``, up to ``MAX_NODES`` nodes); ``"tape"``
    interprets a :class:`~engine.tape.Tape` (any size; no ``.source`` and no
    ``.vectorised()``); ``"auto"`` (default) compiles up to ``MAX_NODES`` nodes
    and uses a tape above. Measured (tracemalloc) for a chain ``y = y * w + b``
    of 1,000,000 nodes on a 2-core machine: recording the tape takes about
    2.7 s and peaks at 130 bytes per node (the graph's topological order and
    index, freed after); the tape then holds 42 bytes per node, and a
    forward+backward replay takes about 1.3 s and 64 bytes per node while it
    runs. That is on top of the eager graph ``fn`` built (about 600 bytes per
    node), which the tape does not keep alive.

    >>> t = trace(lambda xs: xs[0] * xs[1], [3.0, 4.0])
    >>> t([5.0, 6.0]), t.input_grads
    (30.0, (6.0, 5.0))
    """
    if not callable(fn):
        raise TypeError(f"trace needs a function, got {type(fn).__name__}")
    if mode not in _MODES:
        raise ValueError(f"trace mode must be one of {', '.join(map(repr, _MODES))}, got {mode!r}")
    leaves: list = []
    structured = _rebuild(example_inputs, leaves)
    log: list = []
    previous, WATCH.log = WATCH.log, log
    try:
        with enable_grad():
            root = fn(*structured)  # type: ignore[misc]  # a tuple, rebuilt
    finally:
        WATCH.log = previous
    if not isinstance(root, Value):
        raise TypeError(f"the traced function must return a Value, got {type(root).__name__}")
    rec = Recording(root, leaves, log)  # the one walk of the graph
    if mode != "tape":
        size = len(rec.order)
        if size > MAX_NODES and mode == "auto":
            mode = "tape"
        elif size > MAX_NODES:  # refuse before generating source the compiler would choke on
            raise ValueError(f"the traced graph has {size} nodes, more than MAX_NODES={MAX_NODES} "
                             f"(engine/trace.py): compiling it would need about {size * 6 // 1000} "
                             "MB. Use mode='tape' (or 'auto'), or trace a smaller function (one "
                             "minibatch's loss, called per batch) instead")
    return Trace(rec, layout(example_inputs), input_grads, tape=mode == "tape")


class Trace:
    """A recorded graph, replayable on new numbers (see :func:`trace`).

    ``nodes`` counts the graph's nodes, ``params`` lists the captured leaf
    Values, ``input_grads`` holds d output / d input from the last call, and
    ``source`` is the generated Python, to read. ``tape=True`` replays from a
    :class:`~engine.tape.Tape` instead of compiled code (``source`` and
    ``vectorised()`` then raise ValueError).
    """

    def __init__(self, rec: Recording, layout: object, input_grads: bool = True,
                 tape: bool = False) -> None:
        self._layout = layout
        self.input_grads: tuple = ()
        self.value = rec.order[rec.in_graph - 1].data
        self._want_input_grads = input_grads
        self._forward: Optional[Callable] = None
        self._code: Optional[_Codegen] = None
        self._tape: Optional[Tape] = None
        self.params: List[Value] = rec.params
        self.nodes = len(rec.order)
        self._inputs = len(rec.inputs)
        if tape:
            self._tape = Tape(rec, input_grads)
            self._tape.forget_graph()  # the tape holds numbers and ops, not the Values
            self._backward, self._forward = self._tape.replay, self._tape.forward
        else:
            self._code = _Codegen(rec, input_grads)
            self._backward = self._code.compile(backward=True)

    def _compiled(self, what: str) -> _Codegen:
        if self._code is None:
            raise ValueError(f"this trace of {self.nodes} nodes replays from a tape, so it has no "
                             f"{what}; trace with mode='codegen' (up to MAX_NODES={MAX_NODES} "
                             "nodes) for that")
        return self._code

    @property
    def source(self) -> str:
        """The generated forward+backward function, as Python source (compiled traces only)."""
        return self._compiled("generated source").source(backward=True)

    def __call__(self, *inputs: object) -> float:
        """Forward and backward on new numbers: returns the output, adds into ``p.grad``."""
        params = self.params
        out, input_grads, grads = self._backward(
            self._numbers(inputs), [p.data for p in params], [p.grad for p in params])
        if MODE.anomaly:  # no Values are made, so check what comes out (before touching p.grad)
            check_finite(out, [*input_grads, *grads])
        for p, g in zip(params, grads):
            p.grad = g
        self.input_grads = input_grads if self._want_input_grads else ()
        return out

    def forward(self, *inputs: object) -> float:
        """Only the forward pass: the output number for new inputs."""
        if self._forward is None:
            self._forward = self._compiled("forward code").compile(backward=False)
        out = self._forward(self._numbers(inputs), [p.data for p in self.params])
        if MODE.anomaly:
            check_finite(out, [])
        return out

    def vectorised(self):
        """This trace replayed level by level with NumPy arrays (needs numpy).

        Returns an :class:`engine.vectorised.VectorisedTrace`, called like the trace.
        """
        from .vectorised import VectorisedTrace
        tape = self._tape if self._tape is not None else Tape(self._compiled("a tape").rec)
        return VectorisedTrace(tape)

    def _numbers(self, inputs: tuple) -> list:
        numbers: list = []
        flatten(inputs, numbers)
        if layout(inputs) != self._layout:
            raise ValueError(f"replay inputs must have the traced layout {self._layout!r}, "
                             f"got {layout(inputs)!r}")
        return numbers

    def __repr__(self) -> str:
        mode = "" if self._code else ", replayed from a tape"
        return (f"<Trace of {self.nodes} nodes{mode}, {self._inputs} input(s), "
                f"{len(self.params)} parameter(s)>")


# --- inputs: numbers, Values and nested lists of them ------------------------------


def _rebuild(obj: object, leaves: list) -> object:
    """``obj`` with every number replaced by a fresh leaf Value (collected in ``leaves``)."""
    if isinstance(obj, (list, tuple)):
        return type(obj)(_rebuild(x, leaves) for x in obj) if type(obj) in (list, tuple) \
            else [_rebuild(x, leaves) for x in obj]
    if isinstance(obj, Value):
        if obj.inputs:
            raise ValueError("trace inputs must be numbers or leaf Values, got a Value made by "
                             f"{obj._op}; pass its .data instead")
        if any(obj is v for v in leaves):
            raise ValueError("the same Value appears twice among the trace inputs")
        leaves.append(obj)
        return obj
    if is_real(obj):
        v = Value(as_real(obj, "trace input"))
        leaves.append(v)
        return v
    raise TypeError(f"trace inputs must be numbers, Values or lists of them, got {type(obj).__name__}")
