"""``Value``: one number that remembers the op that made it and its ordered inputs.

>>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
>>> e = a * b; e.label = "e"
>>> e
Value(data=-6.0, grad=0.0, op='*', label='e')
>>> e.inputs == (a, b), e.local
(True, (-3.0, 2.0))
>>> e.backward(); a.grad, b.grad
(-3.0, 2.0)
"""

from __future__ import annotations

import numbers
import operator
import threading
from typing import Any, Iterator, Optional, Union, overload

from . import numeric as num
from .modes import MODE, AnomalyError
from .backprop import backward, backward_steps, chain_rule_step
from .higher import backward_with_graph
from .naming import display_name  # noqa: F401 - engine.value.display_name, as before
from .ops import CLOSURE, Op

_new = object.__new__


class Value:
    """A scalar node of the computation graph.

    ``data`` is the number, ``grad`` the derivative of the last ``backward()``
    root with respect to it, ``op`` the :class:`~engine.ops.Op` that made it
    (``None`` for a leaf), ``inputs`` its ordered inputs, ``local`` the local
    derivative of ``op`` with respect to each input (computed in the forward
    pass) and ``attr`` the op's setting, if any.
    """

    # ``__dict__`` lets anything be attached to a Value (micrograd's ``_backward``
    # closures, an optimiser's ``p.m``, a colour). ``label`` and ``attr`` live there
    # too, with class defaults ("" and None) for the many nodes that have neither:
    # a node costs no more bytes than with seven plain slots, and its dict is made
    # only when something is set.
    __slots__ = ("data", "grad", "op", "inputs", "local", "__dict__")
    label: str = ""
    attr: object = None

    def __init__(self, data: float, _children: tuple = (), _op: str = "", label: str = "") -> None:
        if type(data) is not float:
            data = as_real(data, "Value data")
        if type(label) is not str:
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        if type(_op) is not str:
            raise TypeError(f"Value _op must be a str (the op's text, as in micrograd), "
                            f"got {type(_op).__name__}")
        self.data = data
        self.grad = 0.0
        if label:
            self.label = label
        self.op: Optional[Op] = None
        self.inputs: tuple = ()
        self.local: Optional[tuple] = ()
        if _children or _op:
            _learner_node(self, _children, _op)
        if MODE.anomaly and not num.isfinite(data):
            raise AnomalyError(f"leaf {label or 'Value'} was created with non-finite data {data}")

    # --- reading the node ---------------------------------------------------------

    @property
    def is_leaf(self) -> bool:
        """True for a node no op produced (parameters, inputs, constants)."""
        return not self.inputs

    @property
    def requires_grad(self) -> bool:
        """False for the constants that plain numbers become in expressions."""
        return True

    @property
    def _prev(self) -> tuple:
        """micrograd's spelling of the inputs (distinct ones, in order)."""
        return tuple(dict.fromkeys(self.inputs))

    @property
    def _op(self) -> str:
        """micrograd's spelling of the op symbol ('' for a leaf)."""
        if self.op is CLOSURE:
            return self.attr  # type: ignore[return-value]  # the text given to the constructor
        return self.op.label(self.attr) if self.op is not None else ""

    def _backward(self) -> None:
        """This node's chain-rule step alone: each input's ``grad += local × self.grad``.

        micrograd's lecture calls it node by node; it is the very step
        ``backward()`` runs. A learner can set ``node._backward = closure``
        instead, as in micrograd, and ``backward()`` then calls that.
        """
        if self.op is not CLOSURE:  # a closure node with no closure set passes nothing on
            chain_rule_step(self)

    def __repr__(self) -> str:
        parts = [f"data={self.data!r}", f"grad={self.grad!r}"]
        if self.op is not None:
            parts.append(f"op={self._op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"

    def __float__(self) -> float:
        # math.tanh(v) and friends call this: a plain number would silently cut the graph.
        raise TypeError(f"a Value is not a plain number: math functions and float() would cut "
                        f"the graph here. Call the Value's own method (v.tanh(), v.exp(), ...) "
                        f"to stay in the graph, or use v.data (= {self.data!r}) for the number")

    # --- backpropagation ------------------------------------------------------------

    def backward(self, create_graph: bool = False) -> None:
        """Fill ``grad`` of every node this one depends on (see ``engine.backprop``).

        ``create_graph=True`` (PyTorch's spelling) builds the backward pass itself
        out of Values: every ``grad`` becomes a Value that can be differentiated
        again (see ``engine.higher``).
        """
        if create_graph:
            backward_with_graph(self)
        else:
            backward(self)

    def backward_steps(self) -> Iterator:
        """Backpropagate one node at a time, yielding a :class:`~engine.backprop.Step` each."""
        return backward_steps(self)

    # --- arithmetic: thin shims onto the rule table -----------------------------------

    def __add__(self, other):
        other = other if type(other) is Value else lift(other)
        return NotImplemented if other is None else node(Op.ADD, (self, other), (self.data, other.data))

    def __radd__(self, other):
        other = lift(other)
        return NotImplemented if other is None else node(Op.ADD, (other, self), (other.data, self.data))

    def __sub__(self, other):
        other = other if type(other) is Value else lift(other)
        return NotImplemented if other is None else node(Op.SUB, (self, other), (self.data, other.data))

    def __rsub__(self, other):
        other = lift(other)
        return NotImplemented if other is None else node(Op.SUB, (other, self), (other.data, self.data))

    def __mul__(self, other):
        other = other if type(other) is Value else lift(other)
        return NotImplemented if other is None else node(Op.MUL, (self, other), (self.data, other.data))

    def __rmul__(self, other):
        other = lift(other)
        return NotImplemented if other is None else node(Op.MUL, (other, self), (other.data, self.data))

    def __truediv__(self, other):
        other = other if type(other) is Value else lift(other)
        return NotImplemented if other is None else node(Op.DIV, (self, other), (self.data, other.data))

    def __rtruediv__(self, other):
        other = lift(other)
        return NotImplemented if other is None else node(Op.DIV, (other, self), (other.data, self.data))

    def __pow__(self, other):
        if isinstance(other, Value):
            return node(Op.POW, (self, other), (self.data, other.data))
        if is_real(other):
            return node(Op.POW_CONST, (self,), (self.data,), as_real(other, "exponent"))
        return NotImplemented

    def __rpow__(self, other):
        if is_real(other):
            return node(Op.CONST_POW, (self,), (self.data,), as_real(other, "base"))
        return NotImplemented

    def __neg__(self):
        return node(Op.NEG, (self,), (self.data,))

    def __pos__(self):
        return self

    def __abs__(self):
        return node(Op.ABS, (self,), (self.data,))

    # Ordering compares the numbers (handy for `if loss < 0.1`); == stays identity,
    # because a Value is a graph node and is used as a dict key.
    def __lt__(self, other):
        return _compare(self, other, "<")

    def __le__(self, other):
        return _compare(self, other, "<=")

    def __gt__(self, other):
        return _compare(self, other, ">")

    def __ge__(self, other):
        return _compare(self, other, ">=")

    __hash__ = object.__hash__

    # --- functions ------------------------------------------------------------------

    def exp(self) -> "Value":
        """``e ** self``."""
        return node(Op.EXP, (self,), (self.data,))

    def log(self) -> "Value":
        """Natural logarithm (``-inf`` at 0, ``nan`` below)."""
        return node(Op.LOG, (self,), (self.data,))

    def sqrt(self) -> "Value":
        """Square root."""
        return node(Op.SQRT, (self,), (self.data,))

    def abs(self) -> "Value":
        """Absolute value (derivative 0 at 0, as in PyTorch)."""
        return node(Op.ABS, (self,), (self.data,))

    def erf(self) -> "Value":
        """The error function (``erf(x) = 2/√π ∫₀ˣ e^(-t²) dt``)."""
        return node(Op.ERF, (self,), (self.data,))

    def tanh(self) -> "Value":
        """Hyperbolic tangent, output in (-1, 1)."""
        return node(Op.TANH, (self,), (self.data,))

    def sigmoid(self) -> "Value":
        """Logistic sigmoid ``1 / (1 + e**-x)``, output in (0, 1), stable for any x."""
        return node(Op.SIGMOID, (self,), (self.data,))

    def relu(self) -> "Value":
        """``max(x, 0)`` (derivative 0 at 0, as in PyTorch)."""
        return node(Op.RELU, (self,), (self.data,))

    def leaky_relu(self, slope: float = 0.01) -> "Value":
        """``x`` for positive x, ``slope * x`` otherwise."""
        return node(Op.LEAKY_RELU, (self,), (self.data,), as_real(slope, "leaky_relu slope"))

    def gelu(self, approximate: str = "none") -> "Value":
        """Gaussian error linear unit: exact ``x * Phi(x)`` or the ``'tanh'`` approximation."""
        if approximate == "none":
            return node(Op.GELU, (self,), (self.data,))
        if approximate == "tanh":
            return node(Op.GELU_TANH, (self,), (self.data,))
        raise ValueError(f"gelu approximate must be 'none' or 'tanh', got {approximate!r}")

    def gelu_tanh(self) -> "Value":
        """GELU with the tanh approximation (as in GPT-2): ``self.gelu("tanh")``."""
        return node(Op.GELU_TANH, (self,), (self.data,))

    def silu(self) -> "Value":
        """``x * sigmoid(x)`` (also called swish)."""
        return node(Op.SILU, (self,), (self.data,))

    def softplus(self) -> "Value":
        """``log(1 + e**x)``, a smooth ReLU, exact for large |x|."""
        return node(Op.SOFTPLUS, (self,), (self.data,))


class Constant(Value):
    """A plain number that appeared in an expression: a leaf that needs no gradient."""

    __slots__ = ()

    @property
    def requires_grad(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"Constant({self.data!r})"


# --- building nodes -------------------------------------------------------------------


def is_real(x: object) -> bool:
    """True for ints, floats and other real numbers (not complex, not Values)."""
    return type(x) is float or type(x) is int or (
        isinstance(x, numbers.Real) and not isinstance(x, Value))


def as_real(x: object, what: str) -> float:
    """``float(x)`` for a real number, else a ``TypeError`` naming ``what`` and the type."""
    if is_real(x):
        real: Any = x
        try:
            return float(real)
        except OverflowError:  # an int too big for a double: IEEE rounds it to ±inf
            return num.INF if real > 0 else -num.INF
    if isinstance(x, Value):
        raise TypeError(f"{what} must be a plain number, got a Value (use its .data)")
    raise TypeError(f"{what} must be a real number (int or float), got {type(x).__name__}")


@overload
def lift(x: Union[Value, float]) -> Value: ...
@overload
def lift(x: object) -> Optional[Value]: ...


def lift(x: object) -> Optional[Value]:
    """A Value as is, a real number as a :class:`Constant`, anything else ``None``."""
    if isinstance(x, Value):
        return x
    if is_real(x):
        c = _new(Constant)
        c.data = x if type(x) is float else as_real(x, "number")  # huge ints/Fractions: ±inf
        c.grad = 0.0; c.op = None
        c.inputs = (); c.local = ()
        return c
    return None


class _Watch(threading.local):
    # While engine.trace records a function, ``log`` collects every comparison
    # and float() taken of a Value: Python decisions the trace will freeze.
    log: Optional[list] = None


WATCH = _Watch()
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _compare(v: Value, other: object, how: str):
    number = _number(other)
    if number is None:
        return NotImplemented
    outcome = _COMPARE[how](v.data, number)
    if WATCH.log is not None:
        WATCH.log.append((how, v, other, outcome))
    return outcome


def _number(x: object) -> Optional[float]:
    if isinstance(x, Value):
        return x.data
    return as_real(x, "number") if is_real(x) else None


def node(op: Op, inputs: tuple, xs: tuple, attr: object = None) -> Value:
    """Make the output node of ``op`` applied to ``inputs`` whose numbers are ``xs``."""
    out = op.forward(xs, attr)
    v = _new(Value)
    v.data = out
    v.grad = 0.0
    if MODE.plain:
        v.op = op
        v.inputs = inputs
        v.local = op.local(xs, out, attr)
        if attr is not None:
            v.attr = attr
        return v
    if MODE.anomaly and not num.isfinite(out):
        raise AnomalyError(_forward_anomaly(op, inputs, out, attr))
    if MODE.recording:
        v.op = op; v.inputs = inputs; v.local = op.local(xs, out, attr)
        if attr is not None:
            v.attr = attr
    else:
        v.op = None; v.inputs = (); v.local = ()
    return v


class _Closures(threading.local):
    made = 0  # micrograd-style nodes made in this thread (tests read it)


CLOSURES = _Closures()


def _learner_node(v: Value, children: object, text: str) -> None:
    """Make ``v`` a node of micrograd's kind: inputs given, derivatives in a closure."""
    if isinstance(children, (str, bytes)) or not hasattr(children, "__iter__"):
        raise TypeError(f"Value _children must be a tuple of Values (the inputs), "
                        f"got {type(children).__name__}")
    inputs = tuple(children)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"Value _children[{i}] must be a Value, got {type(x).__name__}")
    if not inputs:
        return  # micrograd allows an op text on a leaf; it stays a leaf
    v.op, v.inputs, v.local, v.attr = CLOSURE, inputs, None, text or "?"
    CLOSURES.made += 1


def _forward_anomaly(op: Op, inputs: tuple, out: float, attr: object) -> str:
    args = ", ".join(
        f"{v.label}={v.data:g}" if v.label else format(v.data, "g") for v in inputs)
    setting = f" (setting {attr})" if attr is not None else ""
    return f"{op.name} of {args}{setting} gave {out} (forward pass)"
