"""The generated datasets: layout, balance, determinism and the course's flower."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import data
from tinygrad_edu.manual import two_layer

NAMES = sorted(data.DATASETS)


def global_state_unchanged(action):
    """Run action and report whether NumPy's global random state is as before."""
    before = np.random.get_state()
    action()
    after = np.random.get_state()
    return before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


def course_flower():
    """The course notebook's procedure, step by step: global seed 1, then the loop.

    Rows are examples here, as in the notebook; the result is transposed to
    the column layout at the end. NumPy's global state is restored afterwards.
    """
    saved = np.random.get_state()
    try:
        np.random.seed(1)
        m, N, a = 400, 200, 4
        X = np.zeros((m, 2))
        Y = np.zeros((m, 1))
        for j in range(2):
            rows = range(N * j, N * (j + 1))
            t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2
            r = a * np.sin(4 * t) + np.random.randn(N) * 0.2
            X[rows] = np.c_[r * np.sin(t), r * np.cos(t)]
            Y[rows] = j
    finally:
        np.random.set_state(saved)
    return X.T, Y.T


def test_flower_matches_the_course_notebook_exactly():
    X, Y = data.planar_flower()
    course_X, course_Y = course_flower()
    np.testing.assert_array_equal(X, course_X)
    np.testing.assert_array_equal(Y, course_Y)


@pytest.mark.parametrize("name", NAMES)
def test_layout_and_dtype(name):
    X, Y = data.load(name)
    assert X.shape == (2, 400) and Y.shape == (1, 400)
    assert X.dtype == np.float64 and Y.dtype == np.float64
    assert np.all(np.isfinite(X))
    np.testing.assert_array_equal(Y, np.round(Y))


@pytest.mark.parametrize("name", NAMES)
def test_binary_by_default_and_balanced(name):
    _, Y = data.load(name)
    labels, counts = np.unique(Y, return_counts=True)
    np.testing.assert_array_equal(labels, [0.0, 1.0])
    np.testing.assert_array_equal(counts, [200, 200])


@pytest.mark.parametrize(
    "name, kwargs, expected_counts",
    [
        ("blobs", {"m": 400, "centers": 3}, [134, 133, 133]),
        ("quantiles", {"m": 400, "n_classes": 4}, [100, 100, 100, 100]),
        ("moons", {"m": 101}, [51, 50]),
        ("circles", {"m": 7}, [4, 3]),
        ("flower", {"m": 10}, [5, 5]),
    ],
)
def test_classes_split_as_evenly_as_possible(name, kwargs, expected_counts):
    X, Y = data.load(name, **kwargs)
    assert X.shape == (2, kwargs["m"]) and Y.shape == (1, kwargs["m"])
    labels, counts = np.unique(Y, return_counts=True)
    np.testing.assert_array_equal(labels, np.arange(len(expected_counts)))
    np.testing.assert_array_equal(counts, expected_counts)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_other_seed_other_data(name):
    X1, Y1 = data.load(name, seed=5)
    X2, Y2 = data.load(name, seed=5)
    X3, _ = data.load(name, seed=6)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", NAMES)
def test_global_random_state_is_neither_used_nor_changed(name):
    assert global_state_unchanged(lambda: data.load(name))
    saved = np.random.get_state()
    try:
        np.random.seed(0)
        X1, _ = data.load(name)
        np.random.seed(1)
        X2, _ = data.load(name)
    finally:
        np.random.set_state(saved)
    np.testing.assert_array_equal(X1, X2)


@pytest.mark.parametrize("name", ["moons", "circles", "blobs", "quantiles"])
def test_shuffle_permutes_examples_with_their_labels(name):
    X, Y = data.load(name, m=60)
    Xs, Ys = data.load(name, m=60, shuffle=True)
    assert not np.array_equal(X, Xs)

    def columns(X, Y):
        return sorted(map(tuple, np.vstack([X, Y]).T))

    assert columns(X, Y) == columns(Xs, Ys)


def test_shapes_without_noise():
    X, Y = data.noisy_moons(m=50, noise=0.0)
    upper, lower = X[:, Y[0] == 0], X[:, Y[0] == 1]
    np.testing.assert_allclose(np.hypot(*upper), 1.0)
    assert np.all(upper[1] >= 0)
    np.testing.assert_allclose(np.hypot(lower[0] - 1, lower[1] - 0.5), 1.0)
    assert np.all(lower[1] <= 0.5 + 1e-12)

    X, Y = data.noisy_circles(m=50, noise=0.0, factor=0.3)
    radius = np.hypot(*X)
    np.testing.assert_allclose(radius[Y[0] == 0], 1.0)
    np.testing.assert_allclose(radius[Y[0] == 1], 0.3)

    centres = np.array([[0.0, 5.0, -5.0], [0.0, 5.0, 5.0]])
    X, Y = data.blobs(m=9, centers=centres, std=0.0)
    np.testing.assert_array_equal(X, centres[:, Y[0].astype(int)])


def test_blob_clusters_sit_around_their_centres():
    centres = np.array([[-4.0, 4.0], [0.0, 3.0]])
    X, Y = data.blobs(m=2000, centers=centres, std=0.5, seed=3)
    for k in range(2):
        points = X[:, Y[0] == k]
        np.testing.assert_allclose(points.mean(axis=1), centres[:, k], atol=0.1)
        np.testing.assert_allclose(points.std(axis=1), 0.5, atol=0.05)


def test_quantile_classes_are_nested_rings():
    X, Y = data.gaussian_quantiles(m=300, n_classes=3, seed=2)
    radius = np.hypot(*X)
    for k in range(2):
        assert radius[Y[0] == k].max() <= radius[Y[0] == k + 1].min()


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: data.planar_flower(m=0), ValueError, "m must be at least 2"),
        (lambda: data.planar_flower(m=401), ValueError, "even"),
        (lambda: data.noisy_moons(m=-3), ValueError, "m must be at least"),
        (lambda: data.noisy_moons(m=2.5), TypeError, "m must be an integer"),
        (lambda: data.noisy_moons(noise=-0.1), ValueError, "noise"),
        (lambda: data.noisy_circles(factor=1.5), ValueError, "factor"),
        (lambda: data.noisy_circles(factor=0.0), ValueError, "factor"),
        (lambda: data.blobs(m=0), ValueError, "m must be at least 1"),
        (lambda: data.blobs(centers=0), ValueError, "centers"),
        (lambda: data.blobs(m=2, centers=3), ValueError, "too small"),
        (lambda: data.blobs(centers=np.zeros((3, 2))), ValueError, r"\(3, 2\)"),
        (lambda: data.blobs(std=-1.0), ValueError, "std"),
        (lambda: data.gaussian_quantiles(n_classes=0), ValueError, "n_classes"),
        (lambda: data.gaussian_quantiles(m=3, n_classes=4), ValueError, "too small"),
        (lambda: data.gaussian_quantiles(std=0.0), ValueError, "std"),
    ],
)
def test_bad_arguments_raise(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_unknown_dataset_lists_the_valid_names():
    with pytest.raises(ValueError, match="spirals") as error:
        data.load("spirals")
    for name in NAMES:
        assert repr(name) in str(error.value)


def test_course_two_layer_network_learns_the_flower():
    """The course's run: tanh, n_h = 4, learning rate 1.2, 10,000 iterations: about 90%."""
    X, Y = data.planar_flower()
    params, costs = two_layer.train(
        X, Y, n_h=4, num_iterations=10000, learning_rate=1.2, activation="tanh"
    )
    accuracy = np.mean(two_layer.predict(X, params, activation="tanh") == Y)
    assert accuracy >= 0.88
    assert len(costs) == 10000
    assert costs[0] == pytest.approx(0.693, abs=1e-3)
    assert costs[-1] < 0.25
