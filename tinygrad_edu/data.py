"""Small generated datasets in the course's column layout.

Every generator returns ``X, Y`` with X of shape (2, m) (one example per
column, two features) and Y of shape (1, m), both float64. Binary datasets
label their examples 0.0 / 1.0; ``blobs`` and ``gaussian_quantiles`` with k
classes use the integer labels 0, 1, …, k−1, stored as float64 so that Y has
the same dtype everywhere.

Each generator draws from its own ``np.random.RandomState(seed)``: the same
seed always gives the same data, and NumPy's global random state is never
touched. Examples come ordered by class (class 0 first) unless
``shuffle=True``; full-batch gradient descent does not care about the order.

>>> X, Y = load("flower")
>>> X.shape, Y.shape
((2, 400), (1, 400))
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Dataset = tuple[np.ndarray, np.ndarray]

FLOWER_MAX_RADIUS = 4  # the course's a: how far the petals reach
FLOWER_SPAN = 3.12  # each class sweeps an angle of about π
FLOWER_NOISE = 0.2  # standard deviation of the angle and radius noise


def _check_count(name: str, value: int, minimum: int = 1) -> None:
    """Raise TypeError unless value is an integer, ValueError unless it is ≥ minimum."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")


def _check_non_negative(name: str, value: float) -> None:
    """Raise ValueError unless value is a number ≥ 0."""
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number ≥ 0, got {value!r}")


def _class_sizes(m: int, k: int) -> list[int]:
    """Split m examples into k classes as evenly as possible (the first ones get the extras)."""
    return [m // k + (1 if i < m % k else 0) for i in range(k)]


def _labels(sizes: list[int]) -> np.ndarray:
    """Y (1, m) holding class i, as float64, for sizes[i] consecutive examples."""
    return np.repeat(np.arange(len(sizes), dtype=np.float64), sizes)[np.newaxis, :]


def _maybe_shuffle(
    X: np.ndarray, Y: np.ndarray, rng: np.random.RandomState, shuffle: bool
) -> Dataset:
    """Permute the columns of X and Y together when asked (after all other draws)."""
    if not shuffle:
        return X, Y
    order = rng.permutation(X.shape[1])
    return X[:, order], Y[:, order]


def planar_flower(seed: int = 1, m: int = 400) -> Dataset:
    """The course's "flower": two classes of m // 2 points each, in four petals.

    For class j in (0, 1): angles t = linspace(3.12 j, 3.12 (j+1), m/2) plus
    noise, radii r = 4 sin(4t) plus noise, points (r sin t, r cos t). Drawing
    the angle noise, then the radius noise, class 0 then class 1, from
    RandomState(1) reproduces the course notebook's data exactly.
    Returns X (2, m) and Y (1, m) of 0.0 / 1.0.
    """
    _check_count("m", m, minimum=2)
    if m % 2 != 0:
        raise ValueError(f"m must be even (m // 2 points per class), got {m}")
    rng = np.random.RandomState(seed)
    n = m // 2
    X = np.zeros((2, m))
    Y = np.zeros((1, m))
    for j in (0, 1):
        t = np.linspace(FLOWER_SPAN * j, FLOWER_SPAN * (j + 1), n)
        t = t + rng.randn(n) * FLOWER_NOISE
        r = FLOWER_MAX_RADIUS * np.sin(4 * t) + rng.randn(n) * FLOWER_NOISE
        columns = slice(j * n, (j + 1) * n)
        X[0, columns] = r * np.sin(t)
        X[1, columns] = r * np.cos(t)
        Y[0, columns] = j
    return X, Y


def noisy_moons(m: int = 400, noise: float = 0.2, seed: int = 0, shuffle: bool = False) -> Dataset:
    """Two interleaving half circles: class 0 on top, class 1 below and shifted right.

    Class 0: (cos θ, sin θ); class 1: (1 − cos θ, 1/2 − sin θ), θ evenly
    spaced in [0, π]; then Gaussian noise of standard deviation `noise` on
    every coordinate. Returns X (2, m) and Y (1, m) of 0.0 / 1.0.
    """
    _check_count("m", m, minimum=2)
    _check_non_negative("noise", noise)
    rng = np.random.RandomState(seed)
    sizes = _class_sizes(m, 2)
    theta0 = np.linspace(0, np.pi, sizes[0])
    theta1 = np.linspace(0, np.pi, sizes[1])
    upper = np.stack([np.cos(theta0), np.sin(theta0)])
    lower = np.stack([1 - np.cos(theta1), 0.5 - np.sin(theta1)])
    X = np.concatenate([upper, lower], axis=1) + noise * rng.randn(2, m)
    return _maybe_shuffle(X, _labels(sizes), rng, shuffle)


def noisy_circles(
    m: int = 400,
    noise: float = 0.05,
    factor: float = 0.5,
    seed: int = 0,
    shuffle: bool = False,
) -> Dataset:
    """Two concentric circles: class 0 of radius 1, class 1 of radius `factor` (0 < factor < 1).

    Points are evenly spaced in angle, then Gaussian noise of standard
    deviation `noise` is added. Returns X (2, m) and Y (1, m) of 0.0 / 1.0.
    """
    _check_count("m", m, minimum=2)
    _check_non_negative("noise", noise)
    if not 0 < factor < 1:
        raise ValueError(f"factor must be between 0 and 1 (inner / outer radius), got {factor!r}")
    rng = np.random.RandomState(seed)
    sizes = _class_sizes(m, 2)
    theta0 = np.linspace(0, 2 * np.pi, sizes[0], endpoint=False)
    theta1 = np.linspace(0, 2 * np.pi, sizes[1], endpoint=False)
    outer = np.stack([np.cos(theta0), np.sin(theta0)])
    inner = factor * np.stack([np.cos(theta1), np.sin(theta1)])
    X = np.concatenate([outer, inner], axis=1) + noise * rng.randn(2, m)
    return _maybe_shuffle(X, _labels(sizes), rng, shuffle)


def blobs(
    m: int = 400,
    centers: int | np.ndarray = 2,
    std: float = 1.0,
    seed: int = 0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = False,
) -> Dataset:
    """Isotropic Gaussian clusters, one per class, labelled 0 … k−1.

    `centers` is either k, the number of clusters (their centres drawn
    uniformly in `center_box` on each axis), or the centres themselves as a
    (2, k) array, one centre per column. Class i gets about m / k points
    around centre i with standard deviation `std`. Returns X (2, m) and
    Y (1, m) holding the class index as float64.
    """
    _check_count("m", m)
    _check_non_negative("std", std)
    rng = np.random.RandomState(seed)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        _check_count("centers", centers)
        low, high = center_box
        if not low < high:
            raise ValueError(f"center_box must be (low, high) with low < high, got {center_box!r}")
        centres = rng.uniform(low, high, size=(2, centers))
    else:
        centres = np.asarray(centers, dtype=np.float64)
        if centres.ndim != 2 or centres.shape[0] != 2 or centres.shape[1] < 1:
            raise ValueError(
                f"centers must be an int k or a (2, k) array with one centre per "
                f"column, got shape {centres.shape}"
            )
    k = centres.shape[1]
    if m < k:
        raise ValueError(f"m = {m} is too small for {k} classes: need m ≥ {k}")
    sizes = _class_sizes(m, k)
    X = np.concatenate(
        [centres[:, [i]] + std * rng.randn(2, size) for i, size in enumerate(sizes)],
        axis=1,
    )
    return _maybe_shuffle(X, _labels(sizes), rng, shuffle)


def gaussian_quantiles(
    m: int = 400,
    n_classes: int = 2,
    seed: int = 0,
    std: float = 1.0,
    shuffle: bool = False,
) -> Dataset:
    """One 2-D Gaussian cut into `n_classes` rings of equal size by distance from its centre.

    Points are drawn from N(0, std² I), sorted by distance from the origin,
    and class i is the i-th ring (class 0 innermost). The classes are not
    linearly separable. Returns X (2, m) and Y (1, m) holding the class index
    as float64.
    """
    _check_count("m", m)
    _check_count("n_classes", n_classes)
    if m < n_classes:
        raise ValueError(f"m = {m} is too small for {n_classes} classes: need m ≥ {n_classes}")
    if not np.isfinite(std) or std <= 0:
        raise ValueError(f"std must be a finite number > 0, got {std!r}")
    rng = np.random.RandomState(seed)
    X = std * rng.randn(2, m)
    # Sorting by distance lines the examples up ring by ring, so equal-sized
    # consecutive blocks are the quantile classes.
    order = np.argsort(np.sum(X**2, axis=0), kind="stable")
    X = X[:, order]
    return _maybe_shuffle(X, _labels(_class_sizes(m, n_classes)), rng, shuffle)


DATASETS: dict[str, Callable[..., Dataset]] = {
    "flower": planar_flower,
    "moons": noisy_moons,
    "circles": noisy_circles,
    "blobs": blobs,
    "quantiles": gaussian_quantiles,
}


def load(name: str, **kwargs) -> Dataset:
    """A dataset by name, e.g. load("moons", m=200, noise=0.1); returns X (2, m), Y (1, m)."""
    if name not in DATASETS:
        valid = ", ".join(repr(n) for n in DATASETS)
        raise ValueError(f"unknown dataset {name!r}; choose one of {valid}")
    return DATASETS[name](**kwargs)
