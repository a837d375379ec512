"""Batch normalisation and its backward pass, derived by hand in plain NumPy.

Column layout: Z is (n, m), one unit per row and one example per column;
γ, β, μ and σ² are (n, 1) columns. Every Σ below runs over the batch (the
columns, axis 1) with keepdims, so sums stay (n, 1) columns. Training mode::

    forward:   μ = (1/m) Σ Z,   σ² = (1/m) Σ (Z − μ)²
               Ẑ = (Z − μ) / √(σ² + ε),   Z̃ = γ Ẑ + β
    backward:  dβ = (1/m) Σ dZ̃,   dγ = (1/m) Σ dZ̃ · Ẑ
               dZ = (1/m) · γ / √(σ² + ε) · (m dZ̃ − Σ dZ̃ − Ẑ · Σ (dZ̃ · Ẑ))

Where the dZ formula comes from: dẐ = γ dZ̃; each Z[i, j] reaches the cost
through Ẑ[i, j] directly and through μ and σ², which every example of its row
shares. Those two shared paths are the − Σ dZ̃ and − Ẑ Σ (dZ̃ Ẑ) terms; without
them this would be the plain affine map dZ = γ dZ̃ / √(σ² + ε), which is what
evaluation mode (fixed running statistics) has.

The 1/m convention, as in ``deep``: dZ̃ and dZ are the course's per-example
derivatives, m times ∂J/∂Z̃ and ∂J/∂Z, while dγ and dβ carry the 1/m (like dW
and db) and equal ∂J/∂γ, ∂J/∂β, i.e. ``gamma.grad`` and ``beta.grad``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_array, check_matrix

# (Z_hat, gamma, mu, var, eps): what the backward needs, plus μ and σ² for the running averages.
BatchNormCache = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]
# (Z_hat, gamma, running_var, eps): the evaluation-mode forward's cache.
EvalCache = tuple[np.ndarray, np.ndarray, np.ndarray, float]

DEFAULT_EPS = 1e-5  # the same as nn.BatchNorm
DEFAULT_MOMENTUM = 0.9


def _check_column(x: np.ndarray, name: str, n: int) -> None:
    if x.shape != (n, 1):
        raise ValueError(
            f"{name} must be a column of shape ({n}, 1), one entry per unit; got {x.shape}"
        )


def batchnorm_forward(
    Z: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = DEFAULT_EPS
) -> tuple[np.ndarray, BatchNormCache]:
    """Training mode: Z̃ = γ (Z − μ) / √(σ² + ε) + β with the batch's μ, σ²; Z (n, m) → Z̃ (n, m).

    Returns Z̃ and the cache (Ẑ, γ, μ, σ², ε).

    >>> Z_tilde, _ = batchnorm_forward(np.array([[1.0, 3.0]]), np.ones((1, 1)), np.zeros((1, 1)))
    >>> Z_tilde.round(3)
    array([[-1.,  1.]])
    """
    Z, gamma, beta = as_array(Z), as_array(gamma), as_array(beta)
    check_matrix(Z, "Z", "(n, m)")
    _check_column(gamma, "gamma", Z.shape[0])
    _check_column(beta, "beta", Z.shape[0])
    mu = np.mean(Z, axis=1, keepdims=True)  # μ = (1/m) Σ Z
    var = np.mean((Z - mu) ** 2, axis=1, keepdims=True)  # σ² = (1/m) Σ (Z − μ)²
    Z_hat = (Z - mu) / np.sqrt(var + eps)  # Ẑ = (Z − μ) / √(σ² + ε)
    Z_tilde = gamma * Z_hat + beta  # Z̃ = γ Ẑ + β
    return Z_tilde, (Z_hat, gamma, mu, var, eps)


def batchnorm_backward(
    dZ_tilde: np.ndarray, cache: BatchNormCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training mode backward: from dZ̃ (n, m) to dZ (n, m), dγ (n, 1), dβ (n, 1).

    dZ = (1/m) · γ / √(σ² + ε) · (m dZ̃ − Σ dZ̃ − Ẑ · Σ (dZ̃ · Ẑ)),
    dγ = (1/m) Σ dZ̃ · Ẑ,  dβ = (1/m) Σ dZ̃.
    """
    Z_hat, gamma, _, var, eps = cache
    m = Z_hat.shape[1]
    sum_dZ_tilde = np.sum(dZ_tilde, axis=1, keepdims=True)  # Σ dZ̃
    sum_dZ_tilde_Z_hat = np.sum(dZ_tilde * Z_hat, axis=1, keepdims=True)  # Σ dZ̃ · Ẑ
    dZ = (
        (1 / m)
        * gamma
        / np.sqrt(var + eps)
        * (m * dZ_tilde - sum_dZ_tilde - Z_hat * sum_dZ_tilde_Z_hat)
    )
    dgamma = (1 / m) * sum_dZ_tilde_Z_hat
    dbeta = (1 / m) * sum_dZ_tilde
    return dZ, dgamma, dbeta


def batchnorm_forward_eval(
    Z: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    eps: float = DEFAULT_EPS,
) -> tuple[np.ndarray, EvalCache]:
    """Evaluation mode: Z̃ = γ (Z − μ_run) / √(σ²_run + ε) + β, each column on its own.

    Returns Z̃ (n, m) and the cache (Ẑ, γ, σ²_run, ε).
    """
    Z, gamma, beta = as_array(Z), as_array(gamma), as_array(beta)
    running_mean, running_var = as_array(running_mean), as_array(running_var)
    check_matrix(Z, "Z", "(n, m)")
    for x, name in (
        (gamma, "gamma"),
        (beta, "beta"),
        (running_mean, "running_mean"),
        (running_var, "running_var"),
    ):
        _check_column(x, name, Z.shape[0])
    Z_hat = (Z - running_mean) / np.sqrt(running_var + eps)
    return gamma * Z_hat + beta, (Z_hat, gamma, running_var, eps)


def batchnorm_backward_eval(
    dZ_tilde: np.ndarray, cache: EvalCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluation mode backward, a per-unit affine map: dZ = γ / √(σ²_run + ε) · dZ̃.

    dγ = (1/m) Σ dZ̃ · Ẑ and dβ = (1/m) Σ dZ̃ as in training mode.
    """
    Z_hat, gamma, running_var, eps = cache
    m = Z_hat.shape[1]
    dZ = gamma / np.sqrt(running_var + eps) * dZ_tilde
    dgamma = (1 / m) * np.sum(dZ_tilde * Z_hat, axis=1, keepdims=True)
    dbeta = (1 / m) * np.sum(dZ_tilde, axis=1, keepdims=True)
    return dZ, dgamma, dbeta


def update_running_stats(
    running_mean: np.ndarray,
    running_var: np.ndarray,
    mu: np.ndarray,
    var: np.ndarray,
    momentum: float = DEFAULT_MOMENTUM,
) -> tuple[np.ndarray, np.ndarray]:
    """The exponentially weighted averages v := momentum · v + (1 − momentum) · θ, for μ and σ².

    Returns the new (running_mean, running_var); the inputs are not changed.
    """
    new_mean = momentum * running_mean + (1 - momentum) * mu
    new_var = momentum * running_var + (1 - momentum) * var
    return new_mean, new_var
