"""Activations, each with the derivative ``g′(Z)`` the course teaches, written by hand.

They are ops of their own (not built from exp and division) so that the
backward pass shows ``dZ = dA · g′(Z)`` in one step, as a student writes it.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function
from .reductions import normalize_axis


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e⁻ᶻ), the course's formula, bit for bit as ``manual`` computes it."""
    # For z < −709, e⁻ᶻ overflows to inf and 1 / (1 + inf) = 0 is the right limit,
    # so the overflow warning is noise; the formula is accurate for every other z.
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


class Sigmoid(Function):
    """A = σ(Z);  dZ = dA · A · (1 − A)

    Saves A, not Z: σ′ is written in terms of σ, so backward needs no second exp.
    """

    @staticmethod
    def forward(ctx: Context, z: np.ndarray) -> np.ndarray:
        a = sigmoid(z)
        ctx.save_for_backward(a)
        return a

    @staticmethod
    def backward(ctx: Context, da: np.ndarray) -> np.ndarray:
        (a,) = ctx.saved_tensors
        return da * a * (1 - a)


class Tanh(Function):
    """A = tanh(Z);  dZ = dA · (1 − A²)

    Saves A, not Z, as the course's ``1 - np.power(A1, 2)`` does.
    """

    @staticmethod
    def forward(ctx: Context, z: np.ndarray) -> np.ndarray:
        a = np.tanh(z)
        ctx.save_for_backward(a)
        return a

    @staticmethod
    def backward(ctx: Context, da: np.ndarray) -> np.ndarray:
        (a,) = ctx.saved_tensors
        return da * (1 - a * a)


class ReLU(Function):
    """A = max(0, Z);  dZ = dA · [Z > 0]   (0 at Z = 0)"""

    @staticmethod
    def forward(ctx: Context, z: np.ndarray) -> np.ndarray:
        positive = z > 0
        ctx.save_for_backward(positive)
        return np.maximum(z, 0)

    @staticmethod
    def backward(ctx: Context, da: np.ndarray) -> np.ndarray:
        (positive,) = ctx.saved_tensors
        return da * positive


class LeakyReLU(Function):
    """A = Z if Z > 0 else slope · Z;  dZ = dA · (1 if Z > 0 else slope)"""

    @staticmethod
    def forward(ctx: Context, z: np.ndarray, slope: float = 0.01) -> np.ndarray:
        local_slope = np.where(z > 0, 1.0, slope).astype(z.dtype, copy=False)
        ctx.save_for_backward(local_slope)
        return z * local_slope

    @staticmethod
    def backward(ctx: Context, da: np.ndarray) -> np.ndarray:
        (local_slope,) = ctx.saved_tensors
        return da * local_slope


class Softmax(Function):
    """S = eᶻ / Σ eᶻ;  dZ = S · (dS − Σ(dS · S))   (sums along the class axis)

    Subtracts the largest logit first: the result is the same and eᶻ cannot overflow.
    """

    @staticmethod
    def forward(ctx: Context, z: np.ndarray, axis: int = 0) -> np.ndarray:
        axis = normalize_axis(axis, z.ndim, "softmax")
        e = np.exp(z - z.max(axis=axis, keepdims=True))
        s = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(s, axis)
        return s

    @staticmethod
    def backward(ctx: Context, ds: np.ndarray) -> np.ndarray:
        s, axis = ctx.saved_tensors
        return s * (ds - (ds * s).sum(axis=axis, keepdims=True))


class LogSoftmax(Function):
    """out = Z − log Σ eᶻ;  dZ = dout − softmax(Z) · Σ dout   (sums along the class axis)"""

    @staticmethod
    def forward(ctx: Context, z: np.ndarray, axis: int = 0) -> np.ndarray:
        axis = normalize_axis(axis, z.ndim, "log_softmax")
        shifted = z - z.max(axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(out, axis)
        return out

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> np.ndarray:
        out, axis = ctx.saved_tensors
        return dout - np.exp(out) * dout.sum(axis=axis, keepdims=True)
