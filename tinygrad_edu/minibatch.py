"""Shuffled mini-batches in the course's column layout: X (n_x, m), Y (n_y, m), examples as columns.

Plain NumPy, so it serves the autodiff engine and the hand-derived equations
alike (it is its own "manual" twin).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

Batch = tuple[np.ndarray, np.ndarray]


def minibatches(
    X: np.ndarray, Y: np.ndarray, batch_size: int = 64, seed: int | None = 0
) -> Iterator[Batch]:
    """Yield (X_batch, Y_batch) pairs that cover every column of X and Y exactly once.

    As the course does it: shuffle the columns with one random permutation,
    then cut consecutive slices of ``batch_size`` columns; the last batch
    holds the remainder, ``m % batch_size`` columns, when m is not a multiple.
    The permutation comes from its own ``np.random.RandomState(seed)``, so
    NumPy's global random state is untouched and a seed always gives the same
    batches (the course's ``np.random.seed(seed)`` then ``np.random.permutation(m)``
    gives the same order). Pass a new seed each epoch for a new shuffle.
    Arguments are checked at the call, before the first batch.

    >>> X, Y = np.arange(10.0).reshape(2, 5), np.arange(5.0).reshape(1, 5)
    >>> [xb.shape for xb, yb in minibatches(X, Y, batch_size=2)]
    [(2, 2), (2, 2), (2, 1)]
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be an integer, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    X, Y = np.asarray(X), np.asarray(Y)
    for name, array, expected in (("X", X, "(n_x, m)"), ("Y", Y, "(n_y, m)")):
        if array.ndim != 2:
            raise ValueError(
                f"{name} must be a 2-D array of shape {expected} (one example per column), "
                f"got shape {array.shape}"
            )
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X has shape {X.shape} and Y has shape {Y.shape}: they must have the same "
            f"number of columns m (one example per column)"
        )
    permutation = np.random.RandomState(seed).permutation(X.shape[1])
    return _slices(X[:, permutation], Y[:, permutation], batch_size)


def _slices(shuffled_X: np.ndarray, shuffled_Y: np.ndarray, batch_size: int) -> Iterator[Batch]:
    """Consecutive column slices of ``batch_size``; the last one may be shorter."""
    m = shuffled_X.shape[1]
    for start in range(0, m, batch_size):
        yield shuffled_X[:, start : start + batch_size], shuffled_Y[:, start : start + batch_size]
