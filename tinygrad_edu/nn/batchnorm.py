"""Batch normalisation in the course's column layout: each unit (row) normalised over the batch.

Training mode, for Z of shape (n, m)::

    μ = (1/m) Σ_columns Z                  (n, 1)
    σ² = (1/m) Σ_columns (Z − μ)²          (n, 1)
    Ẑ = (Z − μ) / √(σ² + ε)                (n, m)
    Z̃ = γ · Ẑ + β                          (n, m), γ and β learnable (n, 1)

It is built from Tensor operators (mean, −, **, sqrt, /, ·), so autodiff gives
its gradient with no new Function; ``manual.batchnorm`` derives the same
gradient by hand. In evaluation mode (``model.eval()``) μ and σ² are replaced
by running averages kept during training.
"""

from __future__ import annotations

import numpy as np

from ..tensor import ArrayLike, Tensor
from .module import Module

# PyTorch's default; the course leaves ε unspecified ("a small number").
DEFAULT_EPS = 1e-5
# The course's exponentially weighted average v := β v + (1 − β) θ with β = 0.9.
DEFAULT_MOMENTUM = 0.9


class BatchNorm(Module):
    """``Z̃ = γ · (Z − μ) / √(σ² + ε) + β`` per unit (row), statistics over the batch (columns).

    ``Z (n_units, m)`` → ``Z̃ (n_units, m)``; ``gamma`` starts at ones and
    ``beta`` at zeros, both ``(n_units, 1)``. During training the running
    statistics follow the course's exponentially weighted average
    ``running := momentum · running + (1 − momentum) · batch`` (so
    ``momentum=0.9`` here is PyTorch's ``momentum=0.1``), with the biased
    variance ``σ² = (1/m) Σ (Z − μ)²`` as in the course. They start at
    ``running_mean = 0``, ``running_var = 1`` and replace μ and σ² in
    evaluation mode.

    >>> bn = BatchNorm(2)
    >>> Z = Tensor([[1.0, 3.0], [-2.0, 2.0]])
    >>> bn(Z).data.round(3)
    array([[-1., 1.],
           [-1., 1.]])
    >>> bn.running_mean
    array([[0.2],
           [0. ]])
    """

    def __init__(
        self, n_units: int, eps: float = DEFAULT_EPS, momentum: float = DEFAULT_MOMENTUM
    ) -> None:
        if isinstance(n_units, bool) or not isinstance(n_units, (int, np.integer)):
            raise TypeError(f"BatchNorm: n_units must be an integer, got {n_units!r}")
        if n_units < 1:
            raise ValueError(f"BatchNorm: n_units must be at least 1, got {n_units}")
        if not eps > 0:
            raise ValueError(f"BatchNorm: eps must be positive, got {eps!r}")
        if not 0 <= momentum < 1:
            raise ValueError(f"BatchNorm: momentum must be in [0, 1), got {momentum!r}")
        self.n_units = int(n_units)
        self.eps = float(eps)
        self.momentum = float(momentum)
        self.gamma = Tensor(np.ones((n_units, 1)), requires_grad=True, name="gamma")
        self.beta = Tensor(np.zeros((n_units, 1)), requires_grad=True, name="beta")
        # Plain arrays, not parameters: they are averaged, never learned by gradient.
        self.running_mean = np.zeros((n_units, 1))
        self.running_var = np.ones((n_units, 1))

    def forward(self, Z: ArrayLike) -> Tensor:
        Z = Z if isinstance(Z, Tensor) else Tensor(Z)
        if Z.ndim != 2 or Z.shape[0] != self.n_units:
            raise ValueError(
                f"BatchNorm({self.n_units}): Z must have shape ({self.n_units}, m), one unit "
                f"per row and one example per column; got shape {Z.shape}"
            )
        if self.training:
            mu = Z.mean(axis=1, keepdims=True)  # μ (n, 1)
            centred = Z - mu  # Z − μ (n, m)
            var = (centred**2).mean(axis=1, keepdims=True)  # σ² (n, 1)
            Z_hat = centred / (var + self.eps).sqrt()  # Ẑ (n, m)
            self._update_running_stats(mu.data, var.data)
        else:
            Z_hat = (Z - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return self.gamma * Z_hat + self.beta  # Z̃ = γ Ẑ + β

    def _update_running_stats(self, mu: np.ndarray, var: np.ndarray) -> None:
        """running := momentum · running + (1 − momentum) · batch statistic."""
        beta = self.momentum
        self.running_mean = beta * self.running_mean + (1 - beta) * mu
        self.running_var = beta * self.running_var + (1 - beta) * var

    def __repr__(self) -> str:
        return f"BatchNorm(n_units={self.n_units}, eps={self.eps:g}, momentum={self.momentum:g})"
