"""The functional API: every op as a function of tensors, and the losses.

``import tinygrad_edu.functional as F``. Arguments that are not Tensors
(ndarrays, lists, numbers) are turned into constant tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .tensor import ArrayLike, Tensor

Axis = int | tuple[int, ...] | None

__all__ = [
    "abs", "add", "binary_cross_entropy", "binary_cross_entropy_with_logits", "clip",
    "concatenate", "cross_entropy", "div", "exp", "leaky_relu", "log", "log_softmax",
    "matmul", "max", "maximum", "mean", "minimum", "mse_loss", "mul", "neg", "pow",
    "relu", "reshape", "sigmoid", "softmax", "sqrt", "stack", "sub", "sum", "tanh",
    "transpose", "where",
]  # fmt: skip


def _tensor(x: ArrayLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _tensors(*xs: ArrayLike) -> list[Tensor | np.ndarray]:
    """Operands of one op; Python numbers take the dtype of a Tensor among them, as in ``x + 1``."""
    like = next((x for x in xs if isinstance(x, Tensor)), None)
    if like is None:
        return [Tensor(x) for x in xs]
    return [like._operand(x) for x in xs]


# Arithmetic ---------------------------------------------------------------


def add(a: ArrayLike, b: ArrayLike) -> Tensor:
    return ops.Add.apply(*_tensors(a, b))


def sub(a: ArrayLike, b: ArrayLike) -> Tensor:
    return ops.Sub.apply(*_tensors(a, b))


def mul(a: ArrayLike, b: ArrayLike) -> Tensor:
    return ops.Mul.apply(*_tensors(a, b))


def div(a: ArrayLike, b: ArrayLike) -> Tensor:
    return ops.Div.apply(*_tensors(a, b))


def pow(a: ArrayLike, b: ArrayLike) -> Tensor:  # noqa: A001 - mirrors the operator
    return ops.Pow.apply(*_tensors(a, b))


def neg(x: ArrayLike) -> Tensor:
    return ops.Neg.apply(_tensor(x))


def matmul(a: ArrayLike, b: ArrayLike) -> Tensor:
    """``a @ b``: for ``W (n, k)`` and ``A (k, m)`` the result is ``(n, m)``."""
    return ops.MatMul.apply(*_tensors(a, b))


def exp(x: ArrayLike) -> Tensor:
    return ops.Exp.apply(_tensor(x))


def log(x: ArrayLike) -> Tensor:
    return ops.Log.apply(_tensor(x))


def sqrt(x: ArrayLike) -> Tensor:
    return ops.Sqrt.apply(_tensor(x))


def abs(x: ArrayLike) -> Tensor:  # noqa: A001
    return ops.Abs.apply(_tensor(x))


def clip(x: ArrayLike, lo: float | None = None, hi: float | None = None) -> Tensor:
    return ops.Clip.apply(_tensor(x), lo=lo, hi=hi)


def maximum(a: ArrayLike, b: ArrayLike) -> Tensor:
    """Elementwise max; where ``a == b`` each gets half the gradient."""
    return ops.Maximum.apply(*_tensors(a, b))


def minimum(a: ArrayLike, b: ArrayLike) -> Tensor:
    """Elementwise min; where ``a == b`` each gets half the gradient."""
    return ops.Minimum.apply(*_tensors(a, b))


def where(condition: ArrayLike, a: ArrayLike, b: ArrayLike) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (broadcast together)."""
    a, b = _tensors(a, b)
    return ops.Where.apply(_tensor(condition), a, b)


# Activations --------------------------------------------------------------


def tanh(x: ArrayLike) -> Tensor:
    return ops.Tanh.apply(_tensor(x))


def sigmoid(x: ArrayLike) -> Tensor:
    return ops.Sigmoid.apply(_tensor(x))


def relu(x: ArrayLike) -> Tensor:
    return ops.ReLU.apply(_tensor(x))


def leaky_relu(x: ArrayLike, slope: float = 0.01) -> Tensor:
    return ops.LeakyReLU.apply(_tensor(x), slope=slope)


def softmax(x: ArrayLike, axis: int = 0) -> Tensor:
    return ops.Softmax.apply(_tensor(x), axis=axis)


def log_softmax(x: ArrayLike, axis: int = 0) -> Tensor:
    return ops.LogSoftmax.apply(_tensor(x), axis=axis)


# Reductions and shape -----------------------------------------------------


def sum(x: ArrayLike, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return ops.Sum.apply(_tensor(x), axis=axis, keepdims=keepdims)


def mean(x: ArrayLike, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return ops.Mean.apply(_tensor(x), axis=axis, keepdims=keepdims)


def max(x: ArrayLike, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return ops.Max.apply(_tensor(x), axis=axis, keepdims=keepdims)


def reshape(x: ArrayLike, *shape: Any) -> Tensor:
    return _tensor(x).reshape(*shape)


def transpose(x: ArrayLike, *axes: Any) -> Tensor:
    return _tensor(x).transpose(*axes)


def concatenate(tensors: list[ArrayLike] | tuple[ArrayLike, ...], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (e.g. two batches of columns: ``axis=1``)."""
    return ops.Concatenate.apply(*[_tensor(t) for t in tensors], axis=axis)


def stack(tensors: list[ArrayLike] | tuple[ArrayLike, ...], axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis."""
    return ops.Stack.apply(*[_tensor(t) for t in tensors], axis=axis)


# Losses: each returns the mean cost J --------------------------------------


def binary_cross_entropy(A: ArrayLike, Y: ArrayLike) -> Tensor:
    """``J = −(1/m) Σ [Y ln A + (1 − Y) ln(1 − A)]``, probabilities ``A``, labels ``Y``, ``(1, m)``.

    Averages over all elements (the course's ``J`` for the ``(1, m)`` layout).
    """
    return ops.BinaryCrossEntropy.apply(_tensor(A), _tensor(Y))


def binary_cross_entropy_with_logits(Z: ArrayLike, Y: ArrayLike) -> Tensor:
    """The same cost from the logits ``Z`` (before the sigmoid), numerically stable.

    Its gradient is exactly ``(sigmoid(Z) − Y) / m``: the course's ``dZ = A − Y`` over ``m``.
    """
    return ops.BinaryCrossEntropyWithLogits.apply(_tensor(Z), _tensor(Y))


def cross_entropy(logits: ArrayLike, Y: ArrayLike, axis: int = 0) -> Tensor:
    """Softmax cross-entropy, summed over classes (on ``axis``) and averaged over examples.

    ``logits`` is ``(n_classes, m)`` in the course layout; ``Y`` is one-hot of
    the same shape, or integer labels of shape ``(m,)`` or ``(1, m)``.
    """
    return ops.CrossEntropy.apply(_tensor(logits), _tensor(Y), axis=axis)


def mse_loss(A: ArrayLike, Y: ArrayLike) -> Tensor:
    """``J = mean((A − Y)²)`` over all elements."""
    return ops.MSELoss.apply(_tensor(A), _tensor(Y))
