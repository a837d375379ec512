"""``tinygrad_edu.minibatch.minibatches``: seeded, shuffled mini-batches over the columns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor
from tinygrad_edu.data import planar_flower
from tinygrad_edu.minibatch import minibatches


def labelled(n_x: int, n_y: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """X whose column j is all j (so a column names its example), Y = 10 j in each row."""
    X = np.tile(np.arange(m, dtype=np.float64), (n_x, 1))
    Y = np.tile(10.0 * np.arange(m), (n_y, 1))
    return X, Y


@settings(deadline=None)
@given(
    n_x=st.integers(1, 4),
    n_y=st.integers(1, 3),
    m=st.integers(1, 300),
    batch_size=st.integers(1, 100),
    seed=st.integers(0, 2**32 - 1),
)
def test_batches_cover_every_column_once_with_the_remainder_last(n_x, n_y, m, batch_size, seed):
    X, Y = labelled(n_x, n_y, m)
    batches = list(minibatches(X, Y, batch_size=batch_size, seed=seed))
    complete, remainder = divmod(m, batch_size)
    sizes = [xb.shape[1] for xb, _ in batches]
    assert sizes == [batch_size] * complete + ([remainder] if remainder else [])
    for xb, yb in batches:
        assert xb.shape == (n_x, xb.shape[1]) and yb.shape == (n_y, xb.shape[1])
        np.testing.assert_array_equal(yb, 10.0 * xb[:1].repeat(n_y, axis=0))  # pairs kept
    columns = np.concatenate([xb[0] for xb, _ in batches])
    np.testing.assert_array_equal(np.sort(columns), np.arange(m))  # each column exactly once


def test_the_flower_in_batches_of_64() -> None:
    X, Y = planar_flower()  # m = 400 = 6 · 64 + 16
    batches = list(minibatches(X, Y, batch_size=64, seed=0))
    assert [xb.shape for xb, _ in batches] == [(2, 64)] * 6 + [(2, 16)]
    assert [yb.shape for _, yb in batches] == [(1, 64)] * 6 + [(1, 16)]


def test_the_order_is_the_courses_permutation() -> None:
    """Same as the course's np.random.seed(seed); np.random.permutation(m), then slices."""
    X, Y = labelled(2, 1, 10)
    batches = list(minibatches(X, Y, batch_size=4, seed=3))
    permutation = np.random.RandomState(3).permutation(10)
    np.testing.assert_array_equal(np.concatenate([xb[0] for xb, _ in batches]), permutation)
    np.testing.assert_array_equal(batches[0][0], X[:, permutation[:4]])
    np.testing.assert_array_equal(batches[-1][1], Y[:, permutation[8:]])


def test_a_seed_gives_the_same_batches_and_other_seeds_differ() -> None:
    X, Y = labelled(3, 1, 50)

    def order(seed: int) -> np.ndarray:
        return np.concatenate([xb[0] for xb, _ in minibatches(X, Y, batch_size=8, seed=seed)])

    np.testing.assert_array_equal(order(7), order(7))
    orders = {tuple(order(seed)) for seed in range(10)}
    assert len(orders) == 10


def test_the_global_random_state_is_untouched() -> None:
    np.random.seed(123)
    before = np.random.get_state()
    X, Y = labelled(2, 1, 30)
    list(minibatches(X, Y, batch_size=7, seed=1))
    list(minibatches(X, Y, batch_size=7, seed=None))
    after = np.random.get_state()
    assert before[0] == after[0] and before[2:] == after[2:]
    np.testing.assert_array_equal(before[1], after[1])


def test_inputs_are_left_unchanged_and_batch_larger_than_m_is_one_batch() -> None:
    X, Y = labelled(2, 1, 5)
    X_before, Y_before = X.copy(), Y.copy()
    ((xb, yb),) = list(minibatches(X, Y, batch_size=64))
    assert xb.shape == (2, 5) and yb.shape == (1, 5)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(Y, Y_before)


def test_tensors_and_numpy_integer_batch_sizes_are_accepted() -> None:
    X, Y = labelled(2, 1, 6)
    batches = list(minibatches(Tensor(X), Tensor(Y), batch_size=np.int64(4)))
    assert [xb.shape[1] for xb, _ in batches] == [4, 2]


@pytest.mark.parametrize("batch_size", [0, -3])
def test_batch_size_below_one_raises(batch_size: int) -> None:
    X, Y = labelled(2, 1, 6)
    with pytest.raises(ValueError, match=f"batch_size must be at least 1, got {batch_size}"):
        minibatches(X, Y, batch_size=batch_size)  # at the call, before any batch


@pytest.mark.parametrize("batch_size", [2.0, True, "64", None])
def test_batch_size_must_be_an_integer(batch_size: object) -> None:
    X, Y = labelled(2, 1, 6)
    with pytest.raises(TypeError, match="batch_size must be an integer, got"):
        minibatches(X, Y, batch_size=batch_size)


def test_different_numbers_of_columns_raise_naming_the_shapes() -> None:
    X, Y = labelled(2, 1, 6)
    message = r"X has shape \(2, 6\) and Y has shape \(1, 5\): .*same number of columns m"
    with pytest.raises(ValueError, match=message):
        minibatches(X, Y[:, :5])


@pytest.mark.parametrize(
    "X, Y, message",
    [
        (
            np.zeros(6),
            np.zeros((1, 6)),
            r"X must be a 2-D array of shape \(n_x, m\).*got shape \(6,\)",
        ),
        (
            np.zeros((2, 6)),
            np.zeros(6),
            r"Y must be a 2-D array of shape \(n_y, m\).*got shape \(6,\)",
        ),
        (np.zeros((2, 6, 1)), np.zeros((1, 6)), r"X must be a 2-D array.*got shape \(2, 6, 1\)"),
    ],
)
def test_arrays_that_are_not_2d_raise_naming_the_shape(X, Y, message) -> None:
    with pytest.raises(ValueError, match=message):
        minibatches(X, Y)
