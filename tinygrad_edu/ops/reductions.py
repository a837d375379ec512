"""Reductions: the gradient of a sum is the upstream gradient copied back to every summand."""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function

Axis = int | tuple[int, ...] | None


def normalize_axes(axis: Axis, ndim: int, op: str) -> tuple[int, ...]:
    """``axis`` as a tuple of non-negative axes, or a ValueError naming the problem."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    normalized = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(
                f"{op}: axis {a} is out of range for a tensor with {ndim} dimensions "
                f"(valid axes are {-ndim} to {ndim - 1})"
                if ndim
                else f"{op}: axis {a} given for a 0-d tensor, which has no axes; use axis=None"
            )
        normalized.append(int(a) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: axis {axis!r} names the same axis twice")
    return tuple(normalized)


def normalize_axis(axis: int, ndim: int, op: str) -> int:
    """A single axis (an int, maybe negative) as a non-negative int."""
    if axis is None or isinstance(axis, tuple):
        raise TypeError(f"{op}: axis must be one int, got {axis!r}")
    if ndim == 0:
        raise ValueError(f"{op} needs a tensor with at least one axis, got a 0-d tensor")
    (normalized,) = normalize_axes(axis, ndim, op)
    return normalized


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The result's shape with the reduced axes kept as size 1 (keepdims=True)."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    """out = Σ x over axes;  dx = dout broadcast back to x's shape

    This is the op behind ``db = Σ_columns dZ``, read backwards: each summand
    gets the whole upstream gradient.
    """

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, axis: Axis = None, keepdims: bool = False
    ) -> np.ndarray:
        axes = normalize_axes(axis, x.ndim, "sum")
        ctx.save_for_backward(x.shape, _kept_shape(x.shape, axes))
        return x.sum(axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> np.ndarray:
        x_shape, kept_shape = ctx.saved_tensors
        return np.broadcast_to(dout.reshape(kept_shape), x_shape)


class Mean(Function):
    """out = (1/N) Σ x over axes;  dx = dout / N broadcast back to x's shape

    With the course's cost ``J = (1/m) Σ L`` this is where the 1/m enters the
    backward pass: every example's loss receives ``1/m``.
    """

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, axis: Axis = None, keepdims: bool = False
    ) -> np.ndarray:
        axes = normalize_axes(axis, x.ndim, "mean")
        count = int(np.prod([x.shape[a] for a in axes]))
        if count == 0:
            raise ValueError(f"mean: cannot average over an empty axis (tensor shape {x.shape})")
        ctx.save_for_backward(x.shape, _kept_shape(x.shape, axes), count)
        return x.sum(axis=axes, keepdims=keepdims) / count

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> np.ndarray:
        x_shape, kept_shape, count = ctx.saved_tensors
        return np.broadcast_to(dout.reshape(kept_shape) / count, x_shape)


class Max(Function):
    """out = max x over axes;  dx = dout · [x = out] / (number of maxima)

    Ties share the gradient evenly, so the rule stays a fair (sub)gradient.
    """

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, axis: Axis = None, keepdims: bool = False
    ) -> np.ndarray:
        axes = normalize_axes(axis, x.ndim, "max")
        if any(x.shape[a] == 0 for a in axes):
            raise ValueError(
                f"max: an axis being reduced is empty (shape {x.shape}, axis {axis}); "
                "there is no maximum"
            )
        out = x.max(axis=axes, keepdims=True)
        is_max = x == out
        share = is_max / is_max.sum(axis=axes, keepdims=True)
        ctx.save_for_backward(share, _kept_shape(x.shape, axes))
        return out if keepdims else out.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> np.ndarray:
        share, kept_shape = ctx.saved_tensors
        return share * dout.reshape(kept_shape)
