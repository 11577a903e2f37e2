"""Function transforms: ``grad`` (to any order), ``hvp`` and forward-mode ``jvp``.

>>> import engine
>>> f = lambda x: x ** 3
>>> d1 = engine.grad(f); d2 = engine.grad(d1); d3 = engine.grad(d2)
>>> d1(2.0).data, d2(2.0).data, d3(2.0).data     # 3x², 6x, 6
(12.0, 12.0, 6.0)
>>> engine.jvp(lambda x, y: x * y, (3.0, 4.0), (1.0, 0.0))   # (value, d/dx)
(12.0, 4.0)
>>> engine.hvp(lambda x, y: x * x * y, (3.0, 4.0), (1.0, 0.0))  # H @ v, H = [[2y, 2x], [2x, 0]]
(36.0, (8.0, 6.0))
"""

from __future__ import annotations

from typing import Any, Callable, List, Sequence, Tuple, Union

from .backprop import topological_order
from .higher import gradients
from .modes import enable_grad
from .value import Value, as_real, is_real, lift

__all__ = ["grad", "hvp", "jvp"]

ArgNums = Union[int, Sequence[int]]


def _leafify(x: object, what: str) -> Any:
    """A Value as is (so an outer ``grad`` sees through), numbers as new leaves; lists kept."""
    if isinstance(x, Value):
        return x
    if is_real(x):
        return Value(as_real(x, what))
    if isinstance(x, (list, tuple)):
        return type(x)(_leafify(item, what) for item in x) if type(x) in (list, tuple) \
            else [_leafify(item, what) for item in x]
    raise TypeError(f"{what} must be a number, a Value or a list of them, got {type(x).__name__}")


def _flat(x: object) -> List[Value]:
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _flat(item)]
    return [x]  # type: ignore[list-item]


def _unflat(like: object, flat: List[Any]) -> Any:
    if isinstance(like, (list, tuple)):
        return type(like)(_unflat(item, flat) for item in like)
    return flat.pop(0)


def _argnums(argnums: ArgNums, n: int) -> Tuple[int, ...]:
    single = isinstance(argnums, int) and not isinstance(argnums, bool)
    nums: Tuple[int, ...] = (argnums,) if single else tuple(argnums)  # type: ignore[assignment,arg-type]
    for i in nums:
        if not isinstance(i, int) or isinstance(i, bool) or not -n <= i < n:
            raise ValueError(f"argnums {argnums!r} must name arguments 0..{n - 1} of the function")
    return nums


def _call(f: Callable, args: Sequence[object]) -> Value:
    with enable_grad():
        out = f(*args)
    if not isinstance(out, Value):
        raise TypeError(f"the function must return a Value (a scalar), got {type(out).__name__}")
    return out


def grad(f: Callable[..., Value], argnums: ArgNums = 0) -> Callable[..., Any]:
    """A function giving the derivative(s) of ``f`` with respect to argument(s) ``argnums``.

    The derivatives are Values (constants where they do not depend on the
    inputs), so ``grad(grad(f))`` gives second derivatives,
    and so on to any order. An argument may be a number, a Value or a list of
    them (the derivative then has the same shape); ``argnums`` a position or
    a tuple of positions (the result is then a tuple). Works through any
    Values code: ``nn`` modules, losses, ``engine.sum`` and ``engine.dot``.
    """
    if not callable(f):
        raise TypeError(f"grad needs a function, got {type(f).__name__}")

    def derivative(*args: object) -> Any:
        nums = _argnums(argnums, len(args))
        leaves = [_leafify(a, f"argument {i}") if i in nums or i - len(args) in nums else a
                  for i, a in enumerate(args)]
        out = _call(f, leaves)
        chosen = [leaves[i] for i in nums]
        flat = [v for c in chosen for v in _flat(c)]
        grads = [g if isinstance(g, Value) else lift(g) for g in gradients(out, flat)]
        shaped = [_unflat(c, grads) for c in chosen]
        return shaped[0] if isinstance(argnums, int) else tuple(shaped)

    derivative.__name__ = f"grad_{getattr(f, '__name__', 'f')}"
    derivative.__doc__ = f"The derivative of {getattr(f, '__name__', 'f')} (engine.grad)."
    return derivative


def _numbers(xs: Any, what: str) -> List[float]:
    if isinstance(xs, (str, bytes)) or not hasattr(xs, "__iter__"):
        raise TypeError(f"{what} must be a tuple of numbers, got {type(xs).__name__}")
    return [as_real(x, what) for x in xs]


def jvp(f: Callable[..., Value], primals: Sequence[float], tangents: Sequence[float]
        ) -> Tuple[float, float]:
    """Forward mode: ``(f(*primals), directional derivative of f along tangents)``.

    Tangents travel forward alongside the values: each node's tangent is the
    sum over its inputs of local derivative × input tangent, with the same
    local derivatives (from the rule table) that reverse mode multiplies by
    upstream gradients. One pass gives the derivative along one direction for
    every output; reverse mode gives every input's derivative for one output.
    """
    xs, ts = _numbers(primals, "jvp primals"), _numbers(tangents, "jvp tangents")
    if len(xs) != len(ts):
        raise ValueError(f"jvp needs one tangent per primal, got {len(xs)} primals "
                         f"and {len(ts)} tangents")
    leaves = [Value(x) for x in xs]
    out = _call(f, leaves)
    tangent = {leaf: t for leaf, t in zip(leaves, ts)}
    for v in topological_order(out):
        if v.inputs and v.local is not None:
            carried = [(local, tangent[u]) for u, local in zip(v.inputs, v.local) if u in tangent]
            if carried:
                total = 0.0
                for local, t in carried:
                    total += local * t
                tangent[v] = total
        elif v.inputs:
            raise TypeError("jvp cannot carry tangents through a node made by a learner's "
                            "_backward closure (the engine has no local derivatives for it)")
    return out.data, tangent.get(out, 0.0)


def hvp(f: Callable[..., Value], primals: Sequence[float], vector: Sequence[float]
        ) -> Tuple[float, Tuple[float, ...]]:
    """Hessian-vector product: ``(f(*primals), H v)`` with H the matrix of second derivatives.

    Computed as the gradient of ``grad f · v`` (reverse over reverse), never
    forming H: it costs about two backward passes whatever the size.
    """
    xs, vs = _numbers(primals, "hvp primals"), _numbers(vector, "hvp vector")
    if len(xs) != len(vs):
        raise ValueError(f"hvp needs one vector entry per primal, got {len(xs)} and {len(vs)}")
    leaves = [Value(x) for x in xs]
    out = _call(f, leaves)
    first = gradients(out, leaves)
    dot = 0.0
    for g, v in zip(first, vs):
        dot = dot + g * v
    if not isinstance(dot, Value):  # f is linear in its inputs: no second derivatives
        return out.data, tuple(0.0 for _ in xs)
    second = gradients(dot, leaves)
    return out.data, tuple(float(s.data) if isinstance(s, Value) else float(s) for s in second)
