"""Activation functions g(Z), each beside its derivative g'(Z).

Every function takes Z of any shape (usually (n[l], m)) and returns an array
of the same shape, applied element by element. The derivatives are the ones
the course derives by hand; backprop uses them as dZ = dA * g'(Z).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Activation = Callable[[np.ndarray], np.ndarray]


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """σ(Z) = 1 / (1 + e^(-Z))."""
    # For very negative Z, e^(-Z) overflows to inf and 1 / (1 + inf) is 0, which
    # is the correct limit. The overflow is harmless, so silence its warning
    # rather than rewrite the course's formula.
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-Z))


def sigmoid_derivative(Z: np.ndarray) -> np.ndarray:
    """σ'(Z) = σ(Z) (1 − σ(Z))."""
    s = sigmoid(Z)
    return s * (1 - s)


def tanh(Z: np.ndarray) -> np.ndarray:
    """tanh(Z) = (e^Z − e^(-Z)) / (e^Z + e^(-Z))."""
    return np.tanh(Z)


def tanh_derivative(Z: np.ndarray) -> np.ndarray:
    """tanh'(Z) = 1 − tanh(Z)²."""
    return 1 - np.tanh(Z) ** 2


def relu(Z: np.ndarray) -> np.ndarray:
    """relu(Z) = max(0, Z)."""
    return np.maximum(0, Z)


def relu_derivative(Z: np.ndarray) -> np.ndarray:
    """relu'(Z) = 1 where Z > 0, else 0 (the course's choice at Z = 0)."""
    return np.where(Z > 0, 1.0, 0.0)


def leaky_relu(Z: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """leaky_relu(Z) = Z where Z > 0, else slope · Z."""
    return np.where(Z > 0, Z, slope * Z)


def leaky_relu_derivative(Z: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """leaky_relu'(Z) = 1 where Z > 0, else slope."""
    return np.where(Z > 0, 1.0, slope)


# name -> (g, g'): what the networks look up when given activation="tanh" etc.
ACTIVATIONS: dict[str, tuple[Activation, Activation]] = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
}


def get(name: str) -> tuple[Activation, Activation]:
    """Return the pair (g, g') for an activation name, e.g. get("tanh").

    Raises ValueError naming the bad name and listing the valid ones.
    """
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        valid = ", ".join(repr(n) for n in ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; choose one of {valid}") from None
