"""Shape ops move numbers around without changing them; backward moves gradients back."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Context, Function
from .reductions import normalize_axis


class Reshape(Function):
    """out = x viewed with a new shape;  dx = dout reshaped to x's shape"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        try:
            out = x.reshape(shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} "
                f"elements) into {tuple(shape)}; the sizes must multiply to {x.size}."
            ) from None
        ctx.save_for_backward(x.shape)
        return out

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> np.ndarray:
        (x_shape,) = ctx.saved_tensors
        return dout.reshape(x_shape)


class Transpose(Function):
    """out = x with axes permuted;  dx = dout with the inverse permutation

    For a matrix: out = xᵀ, dx = doutᵀ.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, axes: tuple[int, ...] | None = None) -> np.ndarray:
        if axes is None:
            axes = tuple(reversed(range(x.ndim)))
        in_range = all(-x.ndim <= a < x.ndim for a in axes)
        if not in_range or sorted(a % x.ndim for a in axes) != list(range(x.ndim)):
            raise ValueError(
                f"transpose: axes {tuple(axes)} are not a permutation of the "
                f"{x.ndim} axes of a tensor of shape {x.shape}"
            )
        axes = tuple(a % x.ndim for a in axes)
        ctx.save_for_backward(np.argsort(axes))
        return x.transpose(axes)

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> np.ndarray:
        (inverse,) = ctx.saved_tensors
        return dout.transpose(inverse)


class GetItem(Function):
    """out = x[index];  dx = zeros like x, with dout added at x[index]

    Adding (not assigning) is what makes a repeated integer index, like
    ``x[[0, 0]]``, receive the gradient of both uses.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: Any) -> np.ndarray:
        ctx.save_for_backward(x.shape, index)
        return x[index]

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> np.ndarray:
        x_shape, index = ctx.saved_tensors
        dx = np.zeros(x_shape, dtype=dout.dtype)
        if _may_repeat(index):
            np.add.at(dx, index, dout)
        else:  # slices, single integers and masks pick each element at most once
            dx[index] = dout
        return dx


def _may_repeat(index: Any) -> bool:
    """True unless every part of the index is basic (int, slice, None, ...) or a mask.

    Any other part is an integer array (a list, a tuple inside the index
    tuple, an ndarray), which may name one element twice.
    """
    parts = index if isinstance(index, tuple) else (index,)
    for part in parts:
        if part is None or part is Ellipsis or isinstance(part, (slice, int, np.integer)):
            continue
        if np.asarray(part).dtype == bool:
            continue
        return True
    return False


class Concatenate(Function):
    """out = [x₁, x₂, …] joined along axis;  dxᵢ = the slice of dout where xᵢ sits"""

    @staticmethod
    def forward(ctx: Context, *xs: np.ndarray, axis: int = 0) -> np.ndarray:
        if not xs:
            raise ValueError("concatenate needs at least one tensor")
        axis = normalize_axis(axis, xs[0].ndim, "concatenate")
        try:
            out = np.concatenate(xs, axis=axis)
        except ValueError as error:
            shapes = ", ".join(str(x.shape) for x in xs)
            raise ValueError(
                f"concatenate along axis {axis}: shapes {shapes} must agree on every "
                f"other axis ({error})"
            ) from None
        boundaries = np.cumsum([x.shape[axis] for x in xs])[:-1]
        ctx.save_for_backward(boundaries, axis)
        return out

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> tuple[np.ndarray, ...]:
        boundaries, axis = ctx.saved_tensors
        return tuple(np.split(dout, boundaries, axis=axis))


class Stack(Function):
    """out = [x₁, x₂, …] stacked along a new axis;  dxᵢ = dout[…, i, …] on that axis"""

    @staticmethod
    def forward(ctx: Context, *xs: np.ndarray, axis: int = 0) -> np.ndarray:
        if not xs:
            raise ValueError("stack needs at least one tensor")
        axis = normalize_axis(axis, xs[0].ndim + 1, "stack")  # a new axis: one more place
        try:
            out = np.stack(xs, axis=axis)
        except ValueError as error:
            shapes = ", ".join(str(x.shape) for x in xs)
            raise ValueError(
                f"stack: tensors must all have one shape, got {shapes} ({error})"
            ) from None
        ctx.save_for_backward(axis)
        return out

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> tuple[np.ndarray, ...]:
        (axis,) = ctx.saved_tensors
        return tuple(np.moveaxis(dout, axis, 0))
