"""nn.data: reproducible toy datasets with the documented shapes, and train_test_split."""

import math
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn.data import make_blobs, make_circles, make_moons, make_spirals, make_xor, train_test_split

GENERATORS = [make_moons, make_circles, make_xor, make_spirals, make_blobs]


@pytest.mark.parametrize("make", GENERATORS)
def test_same_seed_same_data_and_seed_matters(make):
    X, y = make(seed=0)
    assert (X, y) == make(seed=0) == make(random_state=0) == make(seed=random.Random(0))
    assert make(seed=1) != (X, y)
    assert all(type(v) is float for row in X for v in row)
    assert all(type(t) is int for t in y)


@pytest.mark.parametrize("make, n, classes", [
    (make_moons, 101, 2), (make_circles, 7, 2), (make_xor, 40, 2), (make_spirals, 10, 3),
    (make_blobs, 9, 2)])
def test_sizes_and_balanced_labels(make, n, classes):
    X, y = make(n)
    assert len(X) == len(y) == n
    counts = Counter(y)
    assert sorted(counts) == list(range(classes))
    assert max(counts.values()) - min(counts.values()) <= 1


@pytest.mark.parametrize("make", GENERATORS)
def test_no_seed_draws_from_the_global_stream(make):
    random.seed(1337)
    first = make()
    after = random.random()
    random.seed(1337)
    assert make() == first  # random.seed reproduces the data...
    assert random.random() == after  # ...because the data took its draws from that stream
    assert make() != first


@pytest.mark.parametrize("make", GENERATORS)
def test_seeded_data_leaves_the_global_stream_alone(make):
    random.seed(5)
    expected = random.random()
    random.seed(5)
    make(seed=3)
    assert random.random() == expected


@pytest.mark.parametrize("make", GENERATORS)
def test_scikit_learn_spellings_mean_the_same(make):
    assert make(n_samples=12, random_state=4) == make(12, seed=4)
    X, y = make(n_samples=12, random_state=4, shuffle=False)
    assert y == sorted(y) and sorted(map(tuple, X)) == sorted(map(tuple, make(12, seed=4)[0]))


@pytest.mark.parametrize("call, message", [
    (lambda: make_moons(10, n_samples=10), "pass n= or scikit-learn's n_samples=, not both"),
    (lambda: make_xor(seed=1, random_state=1), "pass seed= or scikit-learn's random_state=, not both"),
    (lambda: make_blobs(std=0.5, cluster_std=0.5), "pass std= or scikit-learn's cluster_std=, not both"),
    (lambda: train_test_split([[1]] * 4, [0] * 4, seed=0, random_state=0), "seed= or scikit-learn's random_state"),
    (lambda: make_circles(random_state="7"), "random_state must be an int, a random.Random or None"),
    (lambda: make_spirals(shuffle=None), "shuffle must be True or False"),
])
def test_conflicting_or_wrong_spellings_are_type_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_wrong_sizes_name_the_spelling_used():
    with pytest.raises(ValueError, match="n_samples must be a positive int"):
        make_blobs(n_samples=0)
    with pytest.raises(ValueError, match=r"n_samples\[1\] must be a positive int"):
        make_moons(n_samples=(3, 0))
    with pytest.raises(ValueError, match=r"n_samples as a tuple must be \(outer, inner\)"):
        make_circles(n_samples=(1, 2, 3))


def test_defaults_match_the_documented_sizes():
    assert len(make_moons()[0]) == 100
    assert len(make_spirals()[0]) == 300 and set(make_spirals()[1]) == {0, 1, 2}
    assert len(make_blobs()[0]) == 100


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = make_moons(50, noise=0.0)
    for (a, b), label in zip(X, y):
        if label == 0:
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12


def test_noise_moves_points_by_about_noise():
    def off_curve(X, y):
        return [abs(math.hypot(a, b) - 1.0) if t == 0 else abs(math.hypot(a - 1.0, b - 0.5) - 1.0)
                for (a, b), t in zip(X, y)]

    assert max(off_curve(*make_moons(400, noise=0.0, seed=3))) < 1e-12
    spread = sum(off_curve(*make_moons(400, noise=0.1, seed=3))) / 400
    assert 0.04 < spread < 0.12  # mean |N(0, 0.1²)| distance is about 0.08


def test_circles_radii_and_factor():
    X, y = make_circles(40, noise=0.0, factor=0.3)
    for (a, b), label in zip(X, y):
        assert math.hypot(a, b) == pytest.approx(1.0 if label == 0 else 0.3)


def test_xor_labels_follow_the_quadrant():
    X, y = make_xor(200, noise=0.0)
    for (a, b), label in zip(X, y):
        assert label == int(a * b < 0)
        assert 0.1 <= abs(a) <= 1.0 and 0.1 <= abs(b) <= 1.0
    assert Counter((a > 0, b > 0) for a, b in X) == Counter({k: 50 for k in
                                                            [(True, True), (True, False), (False, True), (False, False)]})


def test_spirals_arms_grow_from_the_centre():
    X, y = make_spirals(60, k=2, noise=0.0)
    radii = sorted(math.hypot(a, b) for (a, b), t in zip(X, y) if t == 1)
    assert radii[0] == pytest.approx(0.0) and radii[-1] == pytest.approx(1.0)


def test_blobs_around_given_or_default_centres():
    X, y = make_blobs(300, centers=[[10.0, 0.0], [-10.0, 0.0], [0.0, 10.0]], std=0.5)
    for label, centre in enumerate([(10.0, 0.0), (-10.0, 0.0), (0.0, 10.0)]):
        pts = [p for p, t in zip(X, y) if t == label]
        mean = [sum(c) / len(pts) for c in zip(*pts)]
        assert math.dist(mean, centre) < 0.3
    X, y = make_blobs(4, centers=4, std=0.0)
    assert sorted(round(math.hypot(*p), 9) for p in X) == [3.0] * 4


@pytest.mark.parametrize("call, error, message", [
    (lambda: make_moons(0), ValueError, "n must be a positive int"),
    (lambda: make_moons(10.5), ValueError, "n must be a positive int"),
    (lambda: make_moons(noise=-0.1), ValueError, "noise must be a finite number >= 0"),
    (lambda: make_circles(factor=1.0), ValueError, "factor must be a number between 0 and 1"),
    (lambda: make_spirals(k=0), ValueError, "k must be a positive int"),
    (lambda: make_blobs(centers=[]), ValueError, "centers must be a positive int or a non-empty list"),
    (lambda: make_blobs(centers=[[0.0], [1.0, 2.0]]), ValueError, "same number of coordinates"),
    (lambda: make_blobs(centers=[[0.0, "a"]]), ValueError, r"centers\[0\] must be"),
    (lambda: make_blobs(std=math.inf), ValueError, "std must be a finite number"),
    (lambda: make_xor(seed="0"), TypeError, "seed must be an int"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_train_test_split_partitions_deterministically():
    X, y = make_moons(40, seed=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y, seed=0)
    assert len(Xte) == 10 and len(Xtr) == 30
    pairs = sorted(map(tuple, (row + [t] for row, t in zip(Xtr + Xte, ytr + yte))))
    assert pairs == sorted(map(tuple, (row + [t] for row, t in zip(X, y))))
    assert train_test_split(X, y, seed=0) == (Xtr, Xte, ytr, yte) == train_test_split(X, y, random_state=0)
    assert train_test_split(X, y, seed=1) != (Xtr, Xte, ytr, yte)
    random.seed(2)
    unseeded = train_test_split(X, y)
    random.seed(2)
    assert train_test_split(X, y) == unseeded
    assert len(train_test_split(X, y, test_size=0.1)[1]) == 4
    assert len(train_test_split(X, y, test_size=0.11)[1]) == 5  # rounded up
    assert len(train_test_split(X, y, test_size=7)[1]) == 7


@pytest.mark.parametrize("args, error, message", [
    (([[1]] * 3, [0, 1]), ValueError, "same length"),
    (([[1]], [0]), ValueError, "at least 2 rows"),
    (([[1]] * 4, [0] * 4, 1.5), ValueError, "between 0 and 1"),
    (([[1]] * 4, [0] * 4, 4), ValueError, "at least one row on each side"),
    (([[1]] * 4, [0] * 4, "half"), TypeError, "fraction or a count"),
])
def test_train_test_split_bad_arguments(args, error, message):
    with pytest.raises(error, match=message):
        train_test_split(*args)


@settings(max_examples=60)
@given(make=st.sampled_from(GENERATORS), n=st.integers(1, 60), seed=st.integers(0, 2 ** 32))
def test_any_size_and_seed_gives_finite_rows_and_valid_labels(make, n, seed):
    X, y = make(n, seed=seed)
    assert len(X) == len(y) == n
    assert all(len(row) == 2 and all(math.isfinite(v) for v in row) for row in X)
    classes = 3 if make is make_spirals else 2
    assert set(y) <= set(range(classes))
    assert make(n, seed=seed) == (X, y)


@pytest.mark.parametrize("n", [10, 11])
def test_noise_free_shapes_match_scikit_learn(n):
    datasets = pytest.importorskip("sklearn.datasets")

    def as_set(X, y):
        return sorted((round(a, 9) + 0.0, round(b, 9) + 0.0, int(t)) for (a, b), t in zip(X, y))

    theirs = datasets.make_moons(n_samples=n, noise=None, shuffle=False)
    assert as_set(*make_moons(n, noise=0.0)) == as_set(theirs[0].tolist(), theirs[1].tolist())
    theirs = datasets.make_circles(n_samples=n, noise=None, factor=0.5, shuffle=False)
    assert as_set(*make_circles(n, noise=0.0, factor=0.5)) == as_set(theirs[0].tolist(), theirs[1].tolist())


def test_scikit_learn_calls_run_unchanged_with_the_same_shapes():
    datasets = pytest.importorskip("sklearn.datasets")
    for ours, theirs in ((make_moons, datasets.make_moons), (make_circles, datasets.make_circles)):
        kwargs = dict(n_samples=(3, 5), noise=0.0, shuffle=False)
        X, y = ours(**kwargs, random_state=0)
        Xs, ys = theirs(**kwargs, random_state=0)
        assert y == ys.tolist()
        if ours is make_moons:  # circles: scikit-learn's default factor is 0.8, ours 0.5
            assert max(abs(a - b) for r, q in zip(X, Xs.tolist()) for a, b in zip(r, q)) < 1e-12
