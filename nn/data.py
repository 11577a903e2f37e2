"""Small two-dimensional toy datasets, in pure Python, the same on every machine.

With ``seed=n`` a generator draws from its own ``random.Random(n)``, so
``make_moons(seed=0)`` gives the same 100 points everywhere; with no seed it
draws from Python's global ``random`` stream, so ``random.seed(1337)`` before
it repeats the data (and the model built after it, as in micrograd's demo).
Each returns ``(X, y)``: ``X`` a list of ``[x0, x1]`` rows (floats) and ``y``
a list of int class labels ``0 .. k-1``, in shuffled order.

scikit-learn's spellings work too: ``n_samples=`` for ``n``,
``random_state=`` for ``seed``, ``cluster_std=`` for ``make_blobs``'s ``std``,
and ``shuffle=False`` (points in class order). Giving both spellings of one
argument is a ``TypeError``.

>>> X, y = make_moons(6, noise=0.0)
>>> len(X), sorted(y)
(6, [0, 0, 0, 1, 1, 1])
>>> make_moons(n_samples=50, noise=0.1, random_state=0) == make_moons(50, seed=0)
True
>>> random.seed(3); a = make_moons(); random.seed(3); a == make_moons()
True
"""

from __future__ import annotations

import math
import random
from typing import List, Optional, Sequence, Tuple, Union

from engine.value import as_real

from ._checks import positive_int
from .init import global_random

Dataset = Tuple[List[List[float]], List[int]]
Seed = Union[int, random.Random, None]
Size = Union[int, Tuple[int, int], None]


def _non_negative(x: object, what: str) -> float:
    number = math.nan if isinstance(x, bool) or not isinstance(x, (int, float)) else as_real(x, what)
    if not 0.0 <= number < math.inf:  # as_real: an int beyond float range is inf
        raise ValueError(f"{what} must be a finite number >= 0, got {x!r}")
    return number


def _either(ours: object, theirs: object, names: Tuple[str, str], default: object) -> Tuple[object, str]:
    """The value given under our name or scikit-learn's (``default`` if neither), and the name used."""
    if ours is not None and theirs is not None:
        raise TypeError(f"pass {names[0]}= or scikit-learn's {names[1]}=, not both "
                        f"(got {names[0]}={ours!r}, {names[1]}={theirs!r})")
    if theirs is not None:
        return theirs, names[1]
    return (default if ours is None else ours), names[0]


def _size(n: object, n_samples: object, default: int = 100) -> int:
    """The number of points from ``n`` or ``n_samples``."""
    value, name = _either(n, n_samples, ("n", "n_samples"), default)
    return positive_int(value, name)


def _seeded(seed: object, random_state: object = None) -> random.Random:
    """``random.Random(seed)``, the given generator, or the global stream when neither is given."""
    value, name = _either(seed, random_state, ("seed", "random_state"), None)
    if value is None:
        return global_random()
    if isinstance(value, random.Random):
        return value
    if isinstance(value, bool) or type(value) is not int:
        raise TypeError(f"{name} must be an int, a random.Random or None, got {type(value).__name__}")
    return random.Random(value)


def _two_sizes(n: object, n_samples: object) -> Tuple[int, int]:
    """Outer and inner counts: one total split as scikit-learn splits it, or a pair given as such."""
    value, name = _either(n, n_samples, ("n", "n_samples"), 100)
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ValueError(f"{name} as a tuple must be (outer, inner), got {value!r}")
        outer, inner = (positive_int(c, f"{name}[{i}]") for i, c in enumerate(value))
        return outer, inner
    return _two_way(positive_int(value, name))


def _split(n: int, k: int) -> List[int]:
    """``n`` points over ``k`` classes as evenly as possible (earlier classes get the extra).

    Classes past the n-th would get no point, so they are left out (k may be huge).
    """
    return [n // k + (1 if j < n % k else 0) for j in range(min(k, n))]


def _two_way(n: int) -> Tuple[int, int]:
    """Outer and inner counts as scikit-learn splits them (the inner class gets the odd one)."""
    return n // 2, n - n // 2


def _arc(i: int, count: int, span: float) -> float:
    """The i-th of ``count`` evenly spaced angles over ``[0, span]``."""
    return span * i / (count - 1) if count > 1 else 0.0


def _jitter(point: Sequence[float], noise: float, rng: random.Random) -> tuple:
    """``point`` with independent Gaussian noise of size ``noise`` on each coordinate."""
    return tuple(v + rng.gauss(0.0, noise) for v in point) if noise else tuple(point)


def _shuffled(points: list, rng: random.Random, shuffle: bool = True) -> Dataset:
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    if shuffle:
        rng.shuffle(points)
    else:  # class by class, as scikit-learn leaves them
        points.sort(key=lambda point: point[1])
    return [list(p) for p, _ in points], [label for _, label in points]


def make_moons(n: Size = None, noise: float = 0.1, seed: Seed = None, *,
               n_samples: Size = None, random_state: Seed = None, shuffle: bool = True) -> Dataset:
    """Two interleaving half circles (class 0 on top, class 1 below), plus Gaussian noise.

    The shape of scikit-learn's ``make_moons``: the outer moon is
    ``(cos t, sin t)``, the inner ``(1 - cos t, 0.5 - sin t)``, t in [0, pi].
    ``n`` (default 100) may be a pair ``(outer, inner)``, as in scikit-learn.

    >>> X, y = make_moons(4, noise=0.0, seed=1)
    >>> sorted((round(a, 3), round(b, 3), c) for (a, b), c in zip(X, y))
    [(-1.0, 0.0, 0), (0.0, 0.5, 1), (1.0, 0.0, 0), (2.0, 0.5, 1)]
    """
    outer, inner = _two_sizes(n, n_samples)
    noise = _non_negative(noise, "noise")
    rng = _seeded(seed, random_state)
    points = []
    for i in range(outer):
        t = _arc(i, outer, math.pi)
        points.append(((math.cos(t), math.sin(t)), 0))
    for i in range(inner):
        t = _arc(i, inner, math.pi)
        points.append(((1.0 - math.cos(t), 0.5 - math.sin(t)), 1))
    points = [(_jitter(p, noise, rng), c) for p, c in points]
    return _shuffled(points, rng, shuffle)


def make_circles(n: Size = None, noise: float = 0.05, factor: float = 0.5,
                 seed: Seed = None, *, n_samples: Size = None, random_state: Seed = None,
                 shuffle: bool = True) -> Dataset:
    """A circle of radius 1 (class 0) around a circle of radius ``factor`` (class 1).

    ``n`` (default 100) may be a pair ``(outer, inner)``, as in scikit-learn
    (whose defaults differ: ``noise=None``, ``factor=0.8``).

    >>> X, y = make_circles(8, noise=0.0)
    >>> sorted({round(math.hypot(*p), 6) for p in X})
    [0.5, 1.0]
    """
    counts = _two_sizes(n, n_samples)
    noise = _non_negative(noise, "noise")
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be a number between 0 and 1 (exclusive), got {factor!r}")
    rng = _seeded(seed, random_state)
    points = []
    for label, (count, radius) in enumerate(zip(counts, (1.0, float(factor)))):
        for i in range(count):
            t = 2.0 * math.pi * i / count
            points.append((_jitter((radius * math.cos(t), radius * math.sin(t)), noise, rng), label))
    return _shuffled(points, rng, shuffle)


def make_xor(n: Optional[int] = None, noise: float = 0.1, seed: Seed = None, *,
             n_samples: Optional[int] = None, random_state: Seed = None,
             shuffle: bool = True) -> Dataset:
    """Points in the four quadrants: class 1 where exactly one coordinate is negative.

    Each point is a random point of its quadrant (coordinates 0.1 to 1 away
    from the axes) plus Gaussian noise; the quadrants take turns, so the
    classes are balanced.

    >>> X, y = make_xor(8, noise=0.0)
    >>> all((a * b < 0) == (c == 1) for (a, b), c in zip(X, y))
    True
    """
    n = _size(n, n_samples)
    noise = _non_negative(noise, "noise")
    rng = _seeded(seed, random_state)
    points = []
    for i in range(n):
        sx, sy = (1.0 if i % 2 else -1.0), (1.0 if (i // 2) % 2 else -1.0)
        corner = (sx * rng.uniform(0.1, 1.0), sy * rng.uniform(0.1, 1.0))
        points.append((_jitter(corner, noise, rng), int(sx != sy)))
    return _shuffled(points, rng, shuffle)


def make_spirals(n: Optional[int] = None, k: int = 3, noise: float = 0.2, seed: Seed = None, *,
                 n_samples: Optional[int] = None, random_state: Seed = None,
                 shuffle: bool = True) -> Dataset:
    """``k`` interleaved spiral arms, one class each (the classic CS231n toy set).

    Along arm ``j`` the radius grows from 0 to 1 while the angle runs over
    ``[4j, 4j + 4]`` radians, jittered by Gaussian noise of size ``noise``.

    >>> X, y = make_spirals(9, k=3)
    >>> sorted(y)
    [0, 0, 0, 1, 1, 1, 2, 2, 2]
    """
    n = _size(n, n_samples, default=300)
    k = positive_int(k, "k")
    noise = _non_negative(noise, "noise")
    rng = _seeded(seed, random_state)
    points = []
    for label, count in enumerate(_split(n, k)):
        for i in range(count):
            r = _arc(i, count, 1.0)
            t = 4.0 * label + _arc(i, count, 4.0) + (rng.gauss(0.0, noise) if noise else 0.0)
            points.append(((r * math.sin(t), r * math.cos(t)), label))
    return _shuffled(points, rng, shuffle)


def make_blobs(n: Optional[int] = None, centers: Union[int, Sequence[Sequence[float]]] = 2,
               std: Optional[float] = None, seed: Seed = None, *, n_samples: Optional[int] = None,
               cluster_std: Optional[float] = None, random_state: Seed = None,
               shuffle: bool = True) -> Dataset:
    """Gaussian clouds of spread ``std`` (default 1, scikit-learn's ``cluster_std``) around ``centers``.

    One class per centre. ``centers`` is a list of points (any dimension), or
    a count ``k``: then the centres sit evenly on a circle of radius 3 around
    the origin (scikit-learn places them at random in a box instead).

    >>> X, y = make_blobs(10, centers=[[0.0, 0.0, 0.0], [5.0, 5.0, 5.0]], std=0.0)
    >>> sorted(map(tuple, X))[0], sorted(y)
    ((0.0, 0.0, 0.0), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    """
    n = _size(n, n_samples)
    given_std, std_name = _either(std, cluster_std, ("std", "cluster_std"), 1.0)
    std = _non_negative(given_std, std_name)
    if isinstance(centers, int) and not isinstance(centers, bool):
        k = positive_int(centers, "centers")
        # only the centres that get points; j / k first, exact even for a huge int k
        centres = [[3.0 * math.cos(2.0 * math.pi * (j / k)), 3.0 * math.sin(2.0 * math.pi * (j / k))]
                   for j in range(min(k, n))]
    elif isinstance(centers, (list, tuple)) and centers:
        centres = [_point(c, f"centers[{j}]") for j, c in enumerate(centers)]
        if len({len(c) for c in centres}) != 1:
            raise ValueError("all centers must have the same number of coordinates")
    else:
        raise ValueError(f"centers must be a positive int or a non-empty list of points, got {centers!r}")
    rng = _seeded(seed, random_state)
    points = []
    for label, count in enumerate(_split(n, len(centres))):
        for _ in range(count):
            points.append((_jitter(centres[label], std, rng), label))
    return _shuffled(points, rng, shuffle)


def _point(c: object, what: str) -> List[float]:
    if not isinstance(c, (list, tuple)) or not c or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(as_real(v, what))
            for v in c):
        raise ValueError(f"{what} must be a non-empty list of finite numbers, got {c!r}")
    return [float(v) for v in c]


def train_test_split(X: Sequence, y: Sequence, test_size: Union[float, int] = 0.25,
                     seed: Seed = None, *, random_state: Seed = None) -> Tuple[list, list, list, list]:
    """Shuffle and split into ``X_train, X_test, y_train, y_test``.

    ``test_size`` is a fraction in (0, 1) (rounded up, as scikit-learn does)
    or a count of test rows. ``seed`` (or ``random_state``) fixes the shuffle;
    without one it comes from the global ``random`` stream.

    >>> Xtr, Xte, ytr, yte = train_test_split([[i] for i in range(8)], list(range(8)), seed=0)
    >>> len(Xtr), len(Xte), sorted(ytr + yte) == list(range(8))
    (6, 2, True)
    """
    for name, data in (("X", X), ("y", y)):
        if isinstance(data, (str, bytes, dict)) or not hasattr(data, "__len__"):
            raise TypeError(f"{name} must be a list (rows, and their labels), got {type(data).__name__}")
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(X)} rows and {len(y)} labels")
    n = len(X)
    if n < 2:
        raise ValueError(f"need at least 2 rows to split, got {n}")
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)):
        raise TypeError(f"test_size must be a fraction or a count, got {type(test_size).__name__}")
    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"test_size as a fraction must be between 0 and 1, got {test_size}")
        n_test = math.ceil(test_size * n)
    else:
        n_test = test_size
    if not 1 <= n_test <= n - 1:
        raise ValueError(f"test_size must leave at least one row on each side; "
                         f"got {n_test} test rows of {n}")
    order = list(range(n))
    _seeded(seed, random_state).shuffle(order)
    test, train = order[:n_test], order[n_test:]
    return ([X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test])
