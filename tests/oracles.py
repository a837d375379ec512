"""Plain-NumPy oracles shared by the tests: no tinygrad_edu inside, so they
check the library's own gradcheck as much as the gradients."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def centred_difference(f: Callable[[], float], x: np.ndarray, eps: float) -> np.ndarray:
    """(f() with x[i] + ε − f() with x[i] − ε) / 2ε for every entry i (x is restored)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        f_plus = f()
        x[i] = original - eps
        f_minus = f()
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_difference(g: np.ndarray, g_approx: np.ndarray) -> float:
    """The course's ‖g − g_approx‖₂ / (‖g‖₂ + ‖g_approx‖₂); 0 when both are exactly 0."""
    denominator = np.linalg.norm(g) + np.linalg.norm(g_approx)
    return float(np.linalg.norm(g - g_approx) / denominator) if denominator else 0.0
