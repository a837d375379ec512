"""Linear layers and activation layers, in the course's column layout."""

from __future__ import annotations

import numpy as np

from ..tensor import ArrayLike, Tensor
from .module import Module


class Linear(Module):
    """``Z = W · A + b``: ``W (n_out, n_in)``, ``b (n_out, 1)``, ``A (n_in, m)`` → ``Z (n_out, m)``.

    Weights start as the course's small random numbers (``randn × 0.01``,
    from ``RandomState(seed)``) or with ``init="he"`` (``× √(2/n_in)``) or
    ``"xavier"`` (``× √(1/n_in)``); biases start at zero.
    """

    def __init__(self, n_in: int, n_out: int, init: str = "small", seed: int | None = None) -> None:
        for name, size in (("n_in", n_in), ("n_out", n_out)):
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
                raise TypeError(f"Linear: {name} must be an integer, got {size!r}")
            if size < 1:
                raise ValueError(f"Linear: {name} must be at least 1, got {size}")
        if init == "small":
            scale = 0.01
        elif init == "he":
            scale = np.sqrt(2 / n_in)
        elif init == "xavier":
            scale = np.sqrt(1 / n_in)
        else:
            raise ValueError(f"Linear: unknown init {init!r}; choose 'small', 'he' or 'xavier'")
        rng = np.random.RandomState(seed)
        self.W = Tensor(rng.randn(n_out, n_in) * scale, requires_grad=True, name="W")
        self.b = Tensor(np.zeros((n_out, 1)), requires_grad=True, name="b")

    def forward(self, A: ArrayLike) -> Tensor:
        return self.W @ A + self.b

    def __repr__(self) -> str:
        n_out, n_in = self.W.shape
        return f"Linear(n_in={n_in}, n_out={n_out})"


class Tanh(Module):
    """``A = tanh(Z)``"""

    def forward(self, Z: Tensor) -> Tensor:
        return Z.tanh()

    def __repr__(self) -> str:
        return "Tanh()"


class Sigmoid(Module):
    """``A = σ(Z)``"""

    def forward(self, Z: Tensor) -> Tensor:
        return Z.sigmoid()

    def __repr__(self) -> str:
        return "Sigmoid()"


class ReLU(Module):
    """``A = max(0, Z)``"""

    def forward(self, Z: Tensor) -> Tensor:
        return Z.relu()

    def __repr__(self) -> str:
        return "ReLU()"


class LeakyReLU(Module):
    """``A = Z if Z > 0 else slope · Z``"""

    def __init__(self, slope: float = 0.01) -> None:
        self.slope = slope

    def forward(self, Z: Tensor) -> Tensor:
        return Z.leaky_relu(self.slope)

    def __repr__(self) -> str:
        return f"LeakyReLU(slope={self.slope})"


ACTIVATIONS: dict[str, type[Module]] = {
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
}


def activation(name: str) -> Module:
    """The layer ``name``: ``"tanh"``, ``"sigmoid"``, ``"relu"``, ``"leaky_relu"``."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]()
