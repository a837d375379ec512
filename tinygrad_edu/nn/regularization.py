"""L2 regularisation as a cost term, so that autodiff derives its gradient.

The course's regularised cost adds ``(λ / 2m) Σ_l ‖W[l]‖²`` (the squared
Frobenius norms of the weights; biases are not penalised) to the
cross-entropy ``J``. Its derivative with respect to ``W[l]`` is ``(λ/m) W[l]``,
so backward through ``J + l2_penalty(model, λ, m)`` gives exactly the course's
``dW[l] = (1/m) dZ[l] A[l-1]ᵀ + (λ/m) W[l]`` and leaves ``db[l]`` alone:
no new backward rule, only a new term in the cost.

>>> from tinygrad_edu import nn
>>> model = nn.deep_network([2, 3, 1])
>>> model[0].W.data[:] = 1.0
>>> model[2].W.data[:] = 2.0
>>> float(l2_penalty(model, lambd=0.5, m=4).data)  # 0.5/8 · (6 · 1² + 3 · 2²)
1.125
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np

from ..tensor import Tensor
from .layers import Linear
from .module import Module

ModelOrParams = Module | Mapping[str, Tensor] | Iterable[Tensor]


def weights_of(model_or_params: ModelOrParams) -> list[Tensor]:
    """The weights that L2 penalises.

    - a Module: the ``W`` of each of its Linear layers (never the biases);
    - a Mapping such as ``{"W1": …, "b1": …}``: the entries whose key starts with ``"W"``;
    - any other iterable of Tensors: every Tensor given (pass only the weights).
    """
    if isinstance(model_or_params, Module):
        return [m.W for m in model_or_params.modules() if isinstance(m, Linear)]
    if isinstance(model_or_params, Mapping):
        items = [value for key, value in model_or_params.items() if str(key).startswith("W")]
    else:
        items = list(model_or_params)
    for item in items:
        if not isinstance(item, Tensor):
            raise TypeError(
                f"l2_penalty: expected Tensors (the weights), got {type(item).__name__}"
            )
    return items


def l2_penalty(model_or_params: ModelOrParams, lambd: float, m: int) -> Tensor:
    """``(λ / 2m) Σ_l ‖W[l]‖²``, a scalar Tensor to add to the cost ``J``.

    ``m`` is the number of examples the cost averages over (``Y.shape[1]``);
    ``lambd`` (``lambda`` is a Python keyword) is λ ≥ 0. The gradient it adds
    to each ``W.grad`` is ``(λ/m) W``.
    """
    if isinstance(lambd, bool) or not isinstance(lambd, Real):
        raise TypeError(f"l2_penalty: lambd must be a number, got {lambd!r}")
    if not lambd >= 0:
        raise ValueError(f"l2_penalty: lambd (λ) must be non-negative, got {lambd}")
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(
            f"l2_penalty: m (the number of examples) must be a positive int, got {m!r}"
        )
    weights = weights_of(model_or_params)
    if not weights:
        raise ValueError("l2_penalty: found no weights to penalise")
    total = (weights[0] * weights[0]).sum()
    for W in weights[1:]:
        total = total + (W * W).sum()
    return (lambd / (2 * m)) * total
