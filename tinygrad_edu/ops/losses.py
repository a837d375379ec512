"""Losses: each returns the mean cost ``J`` and sends back ``dJ/dinput``, 1/m included.

They are single ops with hand-written rules because their gradients are the
course's famous shortcuts: for sigmoid + binary cross-entropy,
``dJ/dZ = (A − Y)/m``; for softmax + cross-entropy, ``dJ/dZ = (S − Y)/m``.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function
from .activations import sigmoid
from .reductions import normalize_axis


def _same_shape(op: str, a: np.ndarray, y: np.ndarray, a_name: str) -> None:
    if a.shape != y.shape:
        raise ValueError(
            f"{op}: {a_name} has shape {a.shape} but Y has shape {y.shape}; they must "
            f"match (in the course layout both are (1, m), one column per example)."
        )


class BinaryCrossEntropy(Function):
    """J = −(1/N) Σ [Y ln A + (1 − Y) ln(1 − A)];  dA = dJ · (−Y/A + (1 − Y)/(1 − A)) / N

    Expects probabilities A in [0, 1] (e.g. a sigmoid's output). A term whose
    weight is 0 (Y = 0, or 1 − Y = 0) counts 0 even where its log is −∞, so a
    saturated sigmoid (A = 1 with Y = 1) costs 0 rather than nan. For Y the
    rule is dY = dJ · (ln(1 − A) − ln A) / N.
    """

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        _same_shape("binary_cross_entropy", a, y, "A")
        if a.size and (a.min() < 0 or a.max() > 1):
            raise ValueError(
                f"binary_cross_entropy: A must hold probabilities in [0, 1], got values "
                f"from {a.min():.4g} to {a.max():.4g}; apply sigmoid first, or use "
                "binary_cross_entropy_with_logits on the logits Z."
            )
        ctx.save_for_backward(a, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            y_log_a = np.where(y != 0, y * np.log(a), 0.0)
            rest_log = np.where(y != 1, (1 - y) * np.log(1 - a), 0.0)
        return -(y_log_a + rest_log).mean()

    @staticmethod
    def backward(ctx: Context, dj: np.ndarray) -> tuple[np.ndarray | None, ...]:
        a, y = ctx.saved_tensors
        n = a.size
        da = dy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if ctx.needs_input_grad[0]:
                from_y = np.where(y != 0, -y / a, 0.0)
                from_rest = np.where(y != 1, (1 - y) / (1 - a), 0.0)
                da = dj * (from_y + from_rest) / n
            if ctx.needs_input_grad[1]:
                dy = dj * (np.log(1 - a) - np.log(a)) / n
        return da, dy


class BinaryCrossEntropyWithLogits(Function):
    """J = (1/N) Σ [max(Z, 0) − Z Y + ln(1 + e^−|Z|)];  dZ = dJ · (σ(Z) − Y) / N,  dY = −dJ · Z / N

    The same cost as ``binary_cross_entropy(sigmoid(Z), Y)``, written so that no
    exp overflows and no log sees 0, even for |Z| of 1000. With dJ = 1 the
    gradient is exactly (σ(Z) − Y)/m: the course's dZ = A − Y, over m.
    """

    @staticmethod
    def forward(ctx: Context, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        _same_shape("binary_cross_entropy_with_logits", z, y, "Z")
        ctx.save_for_backward(z, y)
        return (np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))).mean()

    @staticmethod
    def backward(ctx: Context, dj: np.ndarray) -> tuple[np.ndarray | None, ...]:
        z, y = ctx.saved_tensors
        n = z.size
        dz = dj * (sigmoid(z) - y) / n if ctx.needs_input_grad[0] else None
        dy = -dj * z / n if ctx.needs_input_grad[1] else None
        return dz, dy


class CrossEntropy(Function):
    """J = −(1/m) Σ Y · log softmax(Z);  dZ = dJ · (softmax(Z) · ΣY − Y) / m

    For one-hot Y (or probabilities) each example's ΣY is 1 and the rule is
    the course's dZ = (S − Y)/m.

    Classes lie along ``axis`` (0 in the course layout, Z is (n_classes, m));
    m is the number of examples. Y is one-hot (Z's shape) or integer labels
    (Z's shape without the class axis, or with it as size 1), which become
    one-hot here. For a one-hot Y that needs a gradient, dY = −dJ · log softmax(Z) / m.
    """

    @staticmethod
    def forward(ctx: Context, z: np.ndarray, y: np.ndarray, axis: int = 0) -> np.ndarray:
        axis = normalize_axis(axis, z.ndim, "cross_entropy")
        labels_given = y.shape != z.shape
        if labels_given:
            y = _one_hot(y, z.shape, axis, z.dtype)
        shifted = z - z.max(axis=axis, keepdims=True)
        log_s = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        m = z.size // z.shape[axis]
        ctx.save_for_backward(log_s, y, axis, m, labels_given)
        return -(y * log_s).sum() / m

    @staticmethod
    def backward(ctx: Context, dj: np.ndarray) -> tuple[np.ndarray | None, ...]:
        log_s, y, axis, m, labels_given = ctx.saved_tensors
        dz = None
        if ctx.needs_input_grad[0]:
            label_mass = 1 if labels_given else y.sum(axis=axis, keepdims=True)
            dz = dj * (np.exp(log_s) * label_mass - y) / m
        dy = None  # integer labels are not a variable; a one-hot Y may be
        if ctx.needs_input_grad[1] and not labels_given:
            dy = -dj * log_s / m
        return dz, dy


def _one_hot(labels: np.ndarray, shape: tuple[int, ...], axis: int, dtype: np.dtype) -> np.ndarray:
    """Integer class labels → one-hot array of ``shape`` with classes along ``axis``."""
    n_classes = shape[axis]
    without_axis = shape[:axis] + shape[axis + 1 :]
    if labels.shape == without_axis:
        labels = np.expand_dims(labels, axis)
    kept = shape[:axis] + (1,) + shape[axis + 1 :]
    if labels.shape != kept:
        raise ValueError(
            f"cross_entropy: Y of shape {labels.shape} fits logits of shape {shape} "
            f"neither as one-hot (shape {shape}) nor as integer labels (shape "
            f"{without_axis} or {kept})."
        )
    bad = (labels != np.round(labels)) | (labels < 0) | (labels >= n_classes)
    if np.any(bad):
        raise ValueError(
            f"cross_entropy: integer labels must be whole numbers from 0 to "
            f"{n_classes - 1} (there are {n_classes} classes on axis {axis}); got "
            f"{labels[bad].ravel()[0]:g} among them."
        )
    classes = np.arange(n_classes).reshape([-1 if i == axis else 1 for i in range(len(shape))])
    return (labels == classes).astype(dtype)


class MSELoss(Function):
    """J = (1/N) Σ (A − Y)²;  dA = dJ · 2 (A − Y) / N,  dY = −dA"""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        _same_shape("mse_loss", a, y, "A")
        diff = a - y
        ctx.save_for_backward(diff)
        return (diff * diff).mean()

    @staticmethod
    def backward(ctx: Context, dj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        (diff,) = ctx.saved_tensors
        da = dj * 2 * diff / diff.size
        return da, -da
