"""Batch normalisation: nn.BatchNorm (autodiff) against manual.batchnorm (by hand) and against
centred differences (tinygrad_edu.gradcheck), in training and evaluation mode.

The 1/m convention: manual.batchnorm's dZ̃ and dZ are per-example derivatives,
m times ∂J/∂Z̃ and ∂J/∂Z; its dγ and dβ carry the 1/m and equal ∂J/∂γ, ∂J/∂β.
Autodiff is driven with a random upstream gradient G = ∂J/∂Z̃, so the manual
backward is given dZ̃ = m · G and Z.grad is compared with dZ / m.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, gradcheck, nn
from tinygrad_edu.manual import batchnorm as manual_bn

RTOL = 1e-10


def random_case(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Z (n, m) with per-unit offsets and scales, random γ, β (n, 1) and an upstream gradient G."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, 1)) * 3 + rng.uniform(0.5, 2.0, size=(n, 1)) * rng.normal(size=(n, m))
    gamma = rng.uniform(0.5, 2.0, size=(n, 1)) * rng.choice([-1.0, 1.0], size=(n, 1))
    beta = rng.normal(size=(n, 1))
    G = rng.normal(size=(n, m))
    return Z, gamma, beta, G


def layer_with(gamma: np.ndarray | Tensor, beta: np.ndarray | Tensor) -> nn.BatchNorm:
    layer = nn.BatchNorm(gamma.shape[0])
    layer.gamma = gamma if isinstance(gamma, Tensor) else Tensor(gamma, requires_grad=True)
    layer.beta = beta if isinstance(beta, Tensor) else Tensor(beta, requires_grad=True)
    return layer


def assert_close(
    name: str, actual: np.ndarray, expected: np.ndarray, scale: float | None = None
) -> None:
    """rtol 1e-10, with an absolute floor of 1e-10 × scale (default: the largest entry).

    The floor is for entries near 0, which are differences of larger terms: rounding
    leaves them an error relative to those terms, not to the difference.
    """
    if scale is None:
        scale = float(np.max(np.abs(expected)))
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=RTOL * scale, err_msg=name)


sizes = dict(n=st.integers(1, 6), m=st.integers(2, 32), seed=st.integers(0, 2**32 - 1))


# ---------------------------------------------------------------------------
# Training mode
# ---------------------------------------------------------------------------


@given(**sizes)
def test_training_forward_matches_manual_and_normalises(n: int, m: int, seed: int) -> None:
    Z, gamma, beta, _ = random_case(n, m, seed)
    out = layer_with(gamma, beta)(Tensor(Z))
    Z_tilde, (Z_hat, _, mu, var, _) = manual_bn.batchnorm_forward(Z, gamma, beta)
    assert_close("Z_tilde", out.data, Z_tilde)
    np.testing.assert_allclose(mu, Z.mean(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(var, Z.var(axis=1, keepdims=True), rtol=1e-12)
    # Ẑ has mean 0 and variance σ²/(σ² + ε) ≈ 1 in every row.
    np.testing.assert_allclose(Z_hat.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(Z_hat.var(axis=1), (var / (var + 1e-5)).ravel(), rtol=1e-10)


@given(**sizes)
def test_training_backward_manual_equals_autodiff(n: int, m: int, seed: int) -> None:
    Z, gamma, beta, G = random_case(n, m, seed)
    Z_t = Tensor(Z, requires_grad=True)
    layer = layer_with(gamma, beta)
    layer(Z_t).backward(G)

    _, cache = manual_bn.batchnorm_forward(Z, gamma, beta)
    dZ, dgamma, dbeta = manual_bn.batchnorm_backward(m * G, cache)  # dZ̃ = m · ∂J/∂Z̃
    assert dZ.shape == (n, m) and dgamma.shape == (n, 1) and dbeta.shape == (n, 1)
    # dZ's three terms are each about γ G / √(σ² + ε) and can nearly cancel (with m = 2,
    # Ẑ = ±1 whatever Z is, so dZ is close to 0): that size sets the absolute floor.
    terms = float(np.max(np.abs(gamma * G / np.sqrt(cache[3] + 1e-5))))
    assert_close("dZ / m vs Z.grad", dZ / m, Z_t.grad, scale=terms)
    assert_close("dgamma vs gamma.grad", dgamma, layer.gamma.grad)
    assert_close("dbeta vs beta.grad", dbeta, layer.beta.grad)


@given(n=st.integers(1, 4), m=st.integers(2, 8), seed=st.integers(0, 2**32 - 1))
def test_training_gradient_matches_finite_differences(n: int, m: int, seed: int) -> None:
    Z, gamma, beta, _ = random_case(n, m, seed)

    def f(Z: Tensor, gamma: Tensor, beta: Tensor) -> Tensor:
        return layer_with(gamma, beta)(Z)

    result = gradcheck(f, [Tensor(Z), Tensor(gamma), Tensor(beta)], seed=seed)
    assert result, str(result)


def test_the_gradient_of_a_row_sums_to_zero() -> None:
    """Shifting a whole row of Z leaves Ẑ unchanged, so each row of dZ sums to 0."""
    Z, gamma, beta, G = random_case(3, 10, seed=1)
    _, cache = manual_bn.batchnorm_forward(Z, gamma, beta)
    dZ, _, _ = manual_bn.batchnorm_backward(G, cache)
    np.testing.assert_allclose(dZ.sum(axis=1), 0, atol=1e-12)


def test_running_stats_update_rule_exactly() -> None:
    Z1, _, _, _ = random_case(3, 7, seed=2)
    Z2, _, _, _ = random_case(3, 5, seed=3)
    layer = nn.BatchNorm(3, momentum=0.8)
    np.testing.assert_array_equal(layer.running_mean, np.zeros((3, 1)))
    np.testing.assert_array_equal(layer.running_var, np.ones((3, 1)))
    mean, var = np.zeros((3, 1)), np.ones((3, 1))
    manual_mean, manual_var = mean, var
    for Z in (Z1, Z2):
        layer(Tensor(Z))
        mu = Z.sum(axis=1, keepdims=True) / Z.shape[1]
        sigma2 = ((Z - mu) ** 2).sum(axis=1, keepdims=True) / Z.shape[1]  # biased, as the course
        mean, var = 0.8 * mean + (1 - 0.8) * mu, 0.8 * var + (1 - 0.8) * sigma2
        np.testing.assert_array_equal(layer.running_mean, mean)
        np.testing.assert_array_equal(layer.running_var, var)
        manual_mean, manual_var = manual_bn.update_running_stats(
            manual_mean, manual_var, mu, sigma2, momentum=0.8
        )
        np.testing.assert_array_equal(manual_mean, mean)
        np.testing.assert_array_equal(manual_var, var)


# ---------------------------------------------------------------------------
# Evaluation mode
# ---------------------------------------------------------------------------


def trained_layer(n: int, seed: int) -> nn.BatchNorm:
    """A layer whose running statistics have seen a few batches, with random γ, β."""
    _, gamma, beta, _ = random_case(n, 2, seed)
    layer = layer_with(gamma, beta)
    for step in range(3):
        layer(Tensor(random_case(n, 6, seed + step + 1)[0]))
    return layer


@given(**sizes)
def test_eval_mode_uses_running_stats_and_is_deterministic(n: int, m: int, seed: int) -> None:
    layer = trained_layer(n, seed % 1000)
    running_mean, running_var = layer.running_mean.copy(), layer.running_var.copy()
    layer.eval()
    assert layer.training is False
    Z = random_case(n, m, seed)[0]
    out = layer(Tensor(Z)).data
    expected, _ = manual_bn.batchnorm_forward_eval(
        Z, layer.gamma.data, layer.beta.data, running_mean, running_var
    )
    assert_close("eval Z_tilde", out, expected)
    # The same again, the running stats untouched, and each column independent of the batch.
    np.testing.assert_array_equal(layer(Tensor(Z)).data, out)
    np.testing.assert_array_equal(layer.running_mean, running_mean)
    np.testing.assert_array_equal(layer.running_var, running_var)
    np.testing.assert_allclose(layer(Tensor(Z[:, :1])).data, out[:, :1], rtol=1e-14)
    # And back in training mode it uses the batch's own statistics again.
    layer.train()
    train_out, _ = manual_bn.batchnorm_forward(Z, layer.gamma.data, layer.beta.data)
    assert_close("train Z_tilde", layer(Tensor(Z)).data, train_out)


@given(**sizes)
def test_eval_backward_manual_equals_autodiff(n: int, m: int, seed: int) -> None:
    layer = trained_layer(n, seed % 1000)
    layer.eval()
    Z, _, _, G = random_case(n, m, seed)
    Z_t = Tensor(Z, requires_grad=True)
    layer(Z_t).backward(G)
    _, cache = manual_bn.batchnorm_forward_eval(
        Z, layer.gamma.data, layer.beta.data, layer.running_mean, layer.running_var
    )
    dZ, dgamma, dbeta = manual_bn.batchnorm_backward_eval(m * G, cache)
    assert_close("eval dZ / m vs Z.grad", dZ / m, Z_t.grad)
    assert_close("eval dgamma", dgamma, layer.gamma.grad)
    assert_close("eval dbeta", dbeta, layer.beta.grad)
    # A per-unit affine map: ∂Z̃/∂Z is γ / √(σ²_run + ε) in each row.
    scale = layer.gamma.data / np.sqrt(layer.running_var + layer.eps)
    assert_close("eval dZ is an affine map", Z_t.grad, scale * G)


def test_eval_gradient_matches_finite_differences() -> None:
    layer = trained_layer(3, seed=4)
    layer.eval()
    Z, gamma, beta, _ = random_case(3, 5, seed=5)

    def f(Z: Tensor, gamma: Tensor, beta: Tensor) -> Tensor:
        layer.gamma, layer.beta = gamma, beta
        return layer(Z)

    result = gradcheck(f, [Tensor(Z), Tensor(gamma), Tensor(beta)])
    assert result, str(result)


# ---------------------------------------------------------------------------
# The layer as a Module
# ---------------------------------------------------------------------------


def test_parameters_start_as_ones_and_zeros() -> None:
    layer = nn.BatchNorm(4)
    assert layer.parameters() == [layer.gamma, layer.beta]
    np.testing.assert_array_equal(layer.gamma.data, np.ones((4, 1)))
    np.testing.assert_array_equal(layer.beta.data, np.zeros((4, 1)))
    assert (layer.eps, layer.momentum) == (1e-5, 0.9)
    assert repr(layer) == "BatchNorm(n_units=4, eps=1e-05, momentum=0.9)"


def test_in_a_sequential_network_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(6)
    model = nn.Sequential(
        nn.Linear(3, 4, seed=1), nn.BatchNorm(4), nn.Tanh(), nn.Linear(4, 2, seed=2)
    )
    X, Y = rng.normal(size=(3, 9)), rng.integers(0, 2, size=(2, 9)).astype(float)
    W1, gamma = model[0].W, model[1].gamma
    gamma.data = rng.uniform(0.5, 2.0, size=(4, 1))

    def f(W1: Tensor, gamma: Tensor) -> Tensor:
        model[0].W, model[1].gamma = W1, gamma
        return F.mse_loss(model(X), Y)

    result = gradcheck(f, [W1, gamma])
    assert result, str(result)
    model.eval()  # reaches the BatchNorm inside
    assert model[1].training is False


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (dict(n_units=2.0), TypeError, "n_units must be an integer"),
        (dict(n_units=0), ValueError, "n_units must be at least 1"),
        (dict(n_units=2, eps=0.0), ValueError, "eps must be positive"),
        (dict(n_units=2, momentum=1.0), ValueError, "momentum must be in"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        nn.BatchNorm(**kwargs)


def test_a_transposed_batch_is_rejected_with_the_layout() -> None:
    with pytest.raises(ValueError, match=r"BatchNorm\(3\): Z must have shape \(3, m\).*\(5, 3\)"):
        nn.BatchNorm(3)(Tensor(np.zeros((5, 3))))
    with pytest.raises(ValueError, match=r"gamma must be a column of shape \(2, 1\)"):
        manual_bn.batchnorm_forward(np.zeros((2, 4)), np.ones((1, 2)), np.zeros((2, 1)))
