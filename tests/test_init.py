"""The course's initialisations: ``nn.init.initialize`` (on a model) and
``manual.init.init_params`` (a parameter dict) draw the same arrays for the same
seed; each method is its formula; zeros never breaks symmetry."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu.functional as F
from tinygrad_edu import nn
from tinygrad_edu.manual import deep
from tinygrad_edu.manual import init as manual_init
from tinygrad_edu.nn import init as nn_init
from tinygrad_edu.optim import SGD

METHODS = ["zeros", "small", "large", "he", "xavier"]
SCALES = {
    "zeros": lambda n_prev: 0.0,
    "small": lambda n_prev: 0.01,
    "large": lambda n_prev: 10.0,
    "he": lambda n_prev: np.sqrt(2 / n_prev),
    "xavier": lambda n_prev: np.sqrt(1 / n_prev),
}

layer_dims = st.lists(st.integers(1, 7), min_size=2, max_size=5)
seeds = st.integers(0, 2**32 - 1)


@settings(deadline=None)
@given(dims=layer_dims, method=st.sampled_from(METHODS), seed=seeds)
def test_nn_and_manual_give_identical_arrays(dims: list[int], method: str, seed: int) -> None:
    model = nn_init.initialize(nn.deep_network(dims), method, seed)
    manual = manual_init.init_params(dims, method, seed)
    assert model.course_params().keys() == manual.keys()
    for name, value in model.course_params().items():
        np.testing.assert_array_equal(value, manual[name], err_msg=name)


@settings(deadline=None)
@given(dims=layer_dims, method=st.sampled_from(METHODS), seed=seeds)
def test_each_method_is_its_formula(dims: list[int], method: str, seed: int) -> None:
    params = manual_init.init_params(dims, method, seed)
    rng = np.random.RandomState(seed)
    for l in range(1, len(dims)):
        n, n_prev = dims[l], dims[l - 1]
        if method == "zeros":
            expected = np.zeros((n, n_prev))  # nothing is drawn
        else:
            expected = rng.randn(n, n_prev) * SCALES[method](n_prev)
        np.testing.assert_array_equal(params[f"W{l}"], expected)
        np.testing.assert_array_equal(params[f"b{l}"], np.zeros((n, 1)))
        assert params[f"W{l}"].dtype == np.float64


@pytest.mark.parametrize("method", ["zeros", "small", "he", "xavier"])
def test_manual_init_reuses_deep_init_params(method: str) -> None:
    dims = [4, 5, 3, 1]
    expected = deep.init_params(dims, seed=7, method=method)
    got = manual_init.init_params(dims, method, seed=7)
    for name in expected:
        np.testing.assert_array_equal(got[name], expected[name])


def test_scale_gives_the_course_factors() -> None:
    for method, factor in SCALES.items():
        assert nn_init.scale(method, 8) == pytest.approx(factor(8))


def test_initialize_keeps_the_same_tensors_and_leaves_the_global_rng_alone() -> None:
    model = nn.deep_network([3, 4, 2])
    W1, b1 = model[0].W, model[0].b
    state = np.random.get_state()[1].copy()
    returned = nn_init.initialize(model, "he", seed=0)
    assert returned is model
    assert model[0].W is W1 and model[0].b is b1
    assert W1.requires_grad and W1.is_leaf and W1.grad_fn is None
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    np.testing.assert_array_equal(b1.data, np.zeros((4, 1)))


def test_initialize_keeps_the_dtype_of_float32_layers() -> None:
    model = nn.deep_network([3, 2])
    model[0].W.data = model[0].W.data.astype(np.float32)
    nn_init.initialize(model, "xavier", seed=1)
    assert model[0].W.dtype == np.float32
    expected = np.random.RandomState(1).randn(2, 3) * np.sqrt(1 / 3)
    np.testing.assert_allclose(model[0].W.data, expected, rtol=1e-6)


def test_an_optimiser_made_before_initialize_updates_the_new_weights() -> None:
    model = nn.deep_network([2, 3, 1])
    opt = SGD(model.parameters(), lr=0.1)
    nn_init.initialize(model, "he", seed=0)
    X, Y = np.random.RandomState(0).randn(2, 5), np.ones((1, 5))
    before = model[0].W.data.copy()
    F.binary_cross_entropy_with_logits(model(X), Y).backward()
    opt.step()
    np.testing.assert_allclose(model[0].W.data, before - 0.1 * model[0].W.grad)


def _train_from(method: str, steps: int = 300) -> nn.Sequential:
    """A two-layer network (sigmoid hidden units, so that zeros still learns) trained by SGD."""
    rng = np.random.RandomState(0)
    X = rng.randn(2, 40)
    Y = (X[0:1] * X[1:2] > 0).astype(np.float64)  # XOR-like: needs several different units
    model = nn.two_layer_network(2, 4, activation="sigmoid")
    nn_init.initialize(model, method, seed=1)
    opt = SGD(model.parameters(), lr=1.0)
    for _ in range(steps):
        model.zero_grad()
        F.binary_cross_entropy_with_logits(model(X), Y).backward()
        opt.step()
    return model


def test_zeros_never_breaks_symmetry() -> None:
    model = _train_from("zeros")
    W1, b1, W2 = model[0].W.data, model[0].b.data, model[2].W.data
    # Every hidden unit receives the same gradient at every step, so all stay identical ...
    for row in range(1, W1.shape[0]):
        np.testing.assert_array_equal(W1[row], W1[0])
        np.testing.assert_array_equal(b1[row], b1[0])
    np.testing.assert_array_equal(W2, np.full_like(W2, W2[0, 0]))
    # ... although they did learn: the weights moved away from zero.
    assert np.abs(W2).max() > 1e-3
    assert np.abs(b1).max() > 0


def test_random_initialisation_breaks_symmetry() -> None:
    W1 = _train_from("small")[0].W.data
    assert not np.allclose(W1[0], W1[1])


@pytest.mark.parametrize("bad", ["uniform", "He", ""])
def test_unknown_method_is_a_value_error_naming_it(bad: str) -> None:
    with pytest.raises(ValueError, match=repr(bad)):
        nn_init.initialize(nn.deep_network([2, 1]), bad)
    with pytest.raises(ValueError, match=repr(bad)):
        manual_init.init_params([2, 1], bad)


def test_a_model_without_linear_layers_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="no Linear layers"):
        nn_init.initialize(nn.Sequential(nn.ReLU()), "he")


def test_large_checks_the_layer_sizes_like_deep() -> None:
    with pytest.raises(ValueError, match="at least two sizes"):
        manual_init.init_params([3], "large")
    with pytest.raises(ValueError, match="positive"):
        manual_init.init_params([3, 0], "large")
