"""Matrix product: the op behind ``Z = W · A`` and, backwards, ``dW = dZ · Aᵀ``."""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function


class MatMul(Function):
    """out = A · B;  dA = dout · Bᵀ,  dB = Aᵀ · dout

    For 2-D operands that is the whole rule. A 1-D operand is treated as a
    row (left) or column (right) vector and stacked operands as batches, as
    NumPy's ``@`` does; the rule is the same on each matrix of the batch.
    """

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_shapes(a.shape, b.shape)
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:
            return (dout @ b.T if need_a else None), (a.T @ dout if need_b else None)
        return _backward_nd(a, b, dout, need_a, need_b)


def _backward_nd(a: np.ndarray, b: np.ndarray, dout: np.ndarray, need_a: bool, need_b: bool):
    """The same rule for 1-D and stacked operands: make them matrices, apply, undo."""
    a2 = a.reshape(1, -1) if a.ndim == 1 else a  # row vector
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b  # column vector
    if b.ndim == 1:  # put back the axes that @ removed: first the column's...
        dout = dout[..., np.newaxis]
    if a.ndim == 1:  # ...then the row's
        dout = np.expand_dims(dout, -2)
    da = db = None
    if need_a:
        da = dout @ np.swapaxes(b2, -1, -2)
        if a.ndim == 1:
            da = da.squeeze(-2)  # batch axes, if any, are summed by the engine
    if need_b:
        db = np.swapaxes(a2, -1, -2) @ dout
        if b.ndim == 1:
            db = db.squeeze(-1)
    return da, db


def _check_shapes(a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> None:
    if not a_shape or not b_shape:
        raise ValueError(
            f"MatMul: shapes {a_shape} and {b_shape}: @ needs operands with at least "
            "one dimension; multiply by a scalar with * instead."
        )
    inner_a = a_shape[-1]
    inner_b = b_shape[-2] if len(b_shape) > 1 else b_shape[0]
    if inner_a != inner_b:
        raise ValueError(
            f"MatMul: shapes {a_shape} and {b_shape} are not aligned: the last axis of "
            f"the left operand ({inner_a}) must equal the "
            f"{'first' if len(b_shape) == 1 else 'second-to-last'} axis of the right "
            f"one ({inner_b}). In the course layout W[l] is (n[l], n[l-1]) and A[l-1] "
            "is (n[l-1], m), so Z = W @ A; check the order of the operands or transpose one."
        )
