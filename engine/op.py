"""``Op``: one operation of the graph and every rule about it, and the table of them.

An :class:`Op` holds an operation's maths, written once over a number
interface ``F`` (see :mod:`engine.evaluators`): ``forward(F, x, attr)`` gives
the output from the tuple of inputs ``x``, and ``local(F, x, out, attr)`` the
local derivative of the output with respect to each ordered input. The same
two functions compute floats for the eager engine, Values for derivatives of
derivatives, Python source for traced replay and NumPy arrays for vectorised
replay. Beside the maths sit the symbol drawn in diagrams and the formula text
shown when stepping through backpropagation.

:data:`RULES` is every op by name. The built-in ops are defined (and
registered) in :mod:`engine.ops`, the module to import ``Op`` and ``RULES``
from: importing it fills the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, ClassVar, Dict, List, Optional, Sequence, Tuple, Union

from .evaluators import CODE_NAMESPACE, FLOATS, TEXT, Code, as_code, is_finite_constant, run_generated

Expression = Union[str, Callable[[List[str], str], str]]  # text, or (names, attr) -> text
Formula = Union[Sequence[str], Callable[[int, int], str]]  # per input, or (i, n) -> text
Maths = Callable[..., Any]


@dataclass(frozen=True, eq=False)
class Op:
    """One operation of the graph and every rule about it.

    ``maths_forward(F, x, attr)`` and ``maths_local(F, x, out, attr)`` are the
    maths over a number interface ``F``; ``forward(x, attr)`` and
    ``local(x, out, attr)`` are the float versions the eager engine calls.
    ``arity`` is the number of inputs, or ``None`` for n-ary ops (sum, dot).
    ``expression`` and ``formula`` are teaching text templates (or functions
    ``(i, n) -> template`` for n-ary ops). ``domain`` is where the op is smooth
    enough for finite-difference checks, ``kinks`` are points where its slope
    jumps and ``attrs`` example settings; tests read all three. ``commutative``
    ops draw their input edges unnumbered; ``activation`` and ``torch_module``
    tell ``nn`` which ops are activations and what PyTorch calls them.
    """

    # The built-in ops, as Op.ADD, Op.TANH, ... (set below, declared here for type checkers).
    ADD: ClassVar["Op"]
    SUB: ClassVar["Op"]
    MUL: ClassVar["Op"]
    DIV: ClassVar["Op"]
    NEG: ClassVar["Op"]
    POW_CONST: ClassVar["Op"]
    CONST_POW: ClassVar["Op"]
    POW: ClassVar["Op"]
    EXP: ClassVar["Op"]
    LOG: ClassVar["Op"]
    SQRT: ClassVar["Op"]
    ABS: ClassVar["Op"]
    ERF: ClassVar["Op"]
    TANH: ClassVar["Op"]
    SIGMOID: ClassVar["Op"]
    RELU: ClassVar["Op"]
    LEAKY_RELU: ClassVar["Op"]
    GELU: ClassVar["Op"]
    GELU_TANH: ClassVar["Op"]
    SILU: ClassVar["Op"]
    SOFTPLUS: ClassVar["Op"]
    BCE: ClassVar["Op"]
    SUM: ClassVar["Op"]
    DOT: ClassVar["Op"]

    name: str
    symbol: str
    maths_forward: Maths = field(repr=False)
    maths_local: Maths = field(repr=False)
    expression: Expression = field(repr=False)
    formula: Formula = field(repr=False)
    arity: Optional[int] = 1
    domain: tuple = field(default=(-3.0, 3.0), repr=False)
    kinks: tuple = field(default=(), repr=False)
    attrs: tuple = field(default=(), repr=False)
    builtin: bool = field(default=True, repr=False)
    commutative: bool = field(default=False, repr=False)
    # For nn: "relu-like" or "saturating" marks an activation (He or Xavier init suits it);
    # ``torch_module(torch.nn)`` builds the matching PyTorch module for nn.to_torch.
    activation: str = field(default="", repr=False)
    torch_module: Optional[Callable] = field(default=None, repr=False)
    forward: Callable[[tuple, object], float] = field(default=None, repr=False)  # type: ignore[assignment]
    local: Callable[[tuple, float, object], tuple] = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.forward is None:  # the float evaluator, made from the maths
            forward, local = _float_functions(self)
            object.__setattr__(self, "forward", forward)
            object.__setattr__(self, "local", local)

    def __repr__(self) -> str:
        return f"Op.{self.name.upper()}"

    def label(self, attr: object = None) -> str:
        """The symbol drawn for a node of this op, with its setting filled in."""
        return self.symbol.format(attr=_fmt_attr(attr))

    def describe_local(self, i: int, names: Sequence[str], out: str, attr: object = None) -> str:
        """Formula text for the local derivative of the output w.r.t. input ``i``."""
        formula = self.formula
        template = formula(i, len(names)) if callable(formula) else formula[i]
        return template.format(*names, out=out, attr=_fmt_attr(attr))

    def describe_forward(self, names: Sequence[str], attr: object = None) -> str:
        """Formula text for how the output is computed from the named inputs."""
        if callable(self.expression):
            return self.expression(list(names), _fmt_attr(attr))
        return self.expression.format(*names, attr=_fmt_attr(attr))

    # --- the code-text evaluator (engine.trace reads these) -----------------------

    def code_forward(self, inputs: Sequence[object], attr: object = None) -> str:
        """Python source computing the output from input snippets (names or literals)."""
        return str(self.maths_forward(TEXT, tuple(map(as_code, inputs)), attr))

    def code_local(self, inputs: Sequence[object], out: object, attr: object = None) -> list:
        """Python source for each local derivative, over input and output snippets."""
        locals_ = self.maths_local(TEXT, tuple(map(as_code, inputs)), as_code(out), attr)
        return [str(as_code(d)) for d in locals_]

    def finite_locals(self, n: int) -> bool:
        """True when every local derivative is a finite number whatever the inputs (add, relu)."""
        symbols = tuple(Code(f"x{i}") for i in range(n))
        locals_ = self.maths_local(TEXT, symbols, Code("out"), Code("a"))
        return all(is_finite_constant(d) for d in locals_)


def _fmt_attr(attr: object) -> str:
    if isinstance(attr, float):
        return format(attr, "g")
    return "" if attr is None else str(attr)


def _float_functions(op: Op) -> Tuple[Any, Any]:
    """The float ``forward(x, attr)`` and ``local(x, out, attr)`` of ``op``.

    For fixed-arity ops they are compiled from the code text of the maths:
    the eager engine and traced replay then run literally the same
    expressions, and ``F.where`` costs no call. N-ary ops (and learner ops,
    whose maths is plain Python) get the maths bound to the float evaluator.
    """
    if op.arity is None or not op.builtin:
        return (partial(op.maths_forward, FLOATS), partial(op.maths_local, FLOATS))
    xs = tuple(Code(f"x[{i}]") for i in range(op.arity))
    attr = Code("a")
    forward_text = str(op.maths_forward(TEXT, xs, attr))
    locals_ = [as_code(d) for d in op.maths_local(TEXT, xs, Code("o"), attr)]
    namespace = dict(CODE_NAMESPACE)
    choice = locals_[0].choice if len(locals_) == 1 else None
    if isinstance(choice, tuple):  # one local, a choice of two numbers: return ready-made tuples
        condition, a_value, b_value = choice
        namespace["_A"], namespace["_B"] = (a_value,), (b_value,)
        local_text = f"(_A if {condition} else _B)"
    else:
        local_text = "(" + "".join(f"{d}, " for d in locals_) + ")"
    source = (f"forward = lambda x, a: {forward_text}\n"
              f"local = lambda x, o, a: {local_text}\n")
    run_generated(source, f"<rule {op.name}>", namespace)  # built-in rules only (see above)
    forward, local = namespace["forward"], namespace["local"]
    forward.__doc__ = f"{op.name} forward, compiled from: {forward_text}"
    local.__doc__ = f"{op.name} local derivatives, compiled from: {local_text}"
    return forward, local


RULES: Dict[str, Op] = {}
"""Every op by name, built-in and learner-defined, in definition order."""


def register(op: Op) -> Op:
    """Add ``op`` to :data:`RULES` (names are unique)."""
    if op.name in RULES:
        raise ValueError(f"an op named {op.name!r} is already defined; pick another name")
    RULES[op.name] = op
    return op
