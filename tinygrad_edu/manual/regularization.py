"""L2 regularisation and inverted dropout for the L-layer network, by hand.

Built from ``deep``'s blocks (relu hidden layers by default, sigmoid output).

L2 regularisation adds the squared weights to the cost and one term to dW::

    J_reg = J + (λ / 2m) Σ_l ‖W[l]‖²          (biases are not penalised)
    dW[l] = (1/m) dZ[l] A[l-1]ᵀ + (λ/m) W[l]  (db[l], dZ[l], dA[l] unchanged)

Inverted dropout on the hidden layers (never on the output)::

    forward:   D[l] = rand(n[l], m) < keep_prob
               A[l] = A[l] * D[l] / keep_prob
    backward:  dA[l] = dA[l] * D[l] / keep_prob   (the same mask, the same scale)

The masks are drawn from one ``np.random.RandomState(seed)`` as
``rng.rand(n[l], m)``, layer by layer in order D1, D2, …, D[L-1]; the
autodiff twin ``tinygrad_edu.nn.dropout_network(layer_dims, keep_prob,
seed)`` draws exactly the same ones, so the two give the same gradients.
"""

from __future__ import annotations

import numpy as np

from . import activations, deep
from ._checks import as_array, check_matrix, check_same_shape

Params = dict[str, np.ndarray]

# The output layer's activation, as in deep.model_forward.
OUTPUT_ACTIVATION = "sigmoid"


def _check_lambd(lambd: float) -> None:
    if not lambd >= 0:
        raise ValueError(f"lambd (λ) must be non-negative, got {lambd}")


def _check_keep_prob(keep_prob: float) -> None:
    if isinstance(keep_prob, bool) or not 0 < keep_prob <= 1:
        raise ValueError(
            f"keep_prob must be in (0, 1] (the probability of keeping a unit), got {keep_prob!r}"
        )


def l2_cost(params: Params, lambd: float, m: int) -> float:
    """The penalty (λ / 2m) Σ_l ‖W[l]‖², summed over the weights W1 … WL only."""
    _check_lambd(lambd)
    L = deep.num_layers(params)
    squares = sum(float(np.sum(np.square(params[f"W{l}"]))) for l in range(1, L + 1))
    return lambd / (2 * m) * squares


def cost_with_l2(AL: np.ndarray, Y: np.ndarray, params: Params, lambd: float) -> float:
    """J + (λ / 2m) Σ_l ‖W[l]‖², with J the cross-entropy cost of ``deep.cost``.

    >>> params = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    >>> AL, Y = np.full((1, 4), 0.5), np.ones((1, 4))
    >>> round(cost_with_l2(AL, Y, params, lambd=0.8) - deep.cost(AL, Y), 12)  # 0.8/8 · 4
    0.4
    """
    m = as_array(Y).shape[1]
    return deep.cost(AL, Y) + l2_cost(params, lambd, m)


def _start_backward(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dAL = −(Y / AL − (1 − Y) / (1 − AL)), as in deep.model_backward."""
    check_matrix(Y, "Y", "(n_y, m)")
    check_same_shape(AL, "AL", Y, "Y")
    return -(Y / AL - (1 - Y) / (1 - AL))


def backward_with_l2(
    AL: np.ndarray,
    Y: np.ndarray,
    caches: list[deep.LayerCache],
    lambd: float,
    hidden_activation: str = "relu",
) -> dict[str, np.ndarray]:
    """``deep.model_backward`` of the regularised cost: each dW[l] gains (λ/m) W[l].

    ``caches`` are those of ``deep.model_forward``; returns dA{l}, dZ{l},
    dW{l}, db{l} keyed as in the course.
    """
    _check_lambd(lambd)
    activations.get(hidden_activation)
    AL, Y = as_array(AL), as_array(Y)
    dA = _start_backward(AL, Y)
    m = Y.shape[1]
    L = len(caches)
    grads: dict[str, np.ndarray] = {f"dA{L}": dA}
    for l in range(L, 0, -1):
        activation = hidden_activation if l < L else OUTPUT_ACTIVATION
        linear_cache, Z = caches[l - 1]
        dZ = deep.activation_backward(dA, Z, activation)
        dA, dW, db = deep.linear_backward(dZ, linear_cache)
        W = linear_cache[1]
        dW = dW + (lambd / m) * W  # the one new term
        grads[f"dZ{l}"], grads[f"dW{l}"], grads[f"db{l}"] = dZ, dW, db
        grads[f"dA{l - 1}"] = dA
    return grads


def forward_with_dropout(
    X: np.ndarray,
    params: Params,
    keep_prob: float,
    seed: int = 1,
    hidden_activation: str = "relu",
) -> tuple[np.ndarray, list[deep.LayerCache], dict[str, np.ndarray]]:
    """Forward through L layers, dropping units of the hidden layers 1 … L−1.

    Returns AL, the caches of ``deep`` (each layer's A_prev is the dropped,
    rescaled activation that layer really saw) and the masks
    ``{"D1": …, …, "D{L-1}": …}`` (boolean, as the course's ``D < keep_prob``).

    >>> params = deep.init_params([3, 4, 4, 1], seed=0, method="he")
    >>> AL, caches, masks = forward_with_dropout(np.ones((3, 5)), params, 0.8, seed=1)
    >>> AL.shape, sorted(masks), masks["D1"].shape
    ((1, 5), ['D1', 'D2'], (4, 5))
    """
    _check_keep_prob(keep_prob)
    activations.get(hidden_activation)
    rng = np.random.RandomState(seed)
    L = deep.num_layers(params)
    A = as_array(X)
    check_matrix(A, "X", "(n_x, m)")
    caches: list[deep.LayerCache] = []
    masks: dict[str, np.ndarray] = {}
    for l in range(1, L + 1):
        activation = hidden_activation if l < L else OUTPUT_ACTIVATION
        A, cache = deep.linear_activation_forward(A, params[f"W{l}"], params[f"b{l}"], activation)
        caches.append(cache)
        if l < L:
            D = rng.rand(A.shape[0], A.shape[1]) < keep_prob  # keep each unit with p = keep_prob
            A = A * D  # shut down the dropped units
            A = A / keep_prob  # keep the expected value of A unchanged
            masks[f"D{l}"] = D
    return A, caches, masks


def backward_with_dropout(
    AL: np.ndarray,
    Y: np.ndarray,
    caches: list[deep.LayerCache],
    masks: dict[str, np.ndarray],
    keep_prob: float,
    hidden_activation: str = "relu",
) -> dict[str, np.ndarray]:
    """Backward for ``forward_with_dropout``: each hidden dA[l] is masked by D[l] and scaled.

    Returns dA{l}, dZ{l}, dW{l}, db{l}; dA{l} is stored after the mask, i.e.
    the derivative with respect to the activation before dropout.
    """
    _check_keep_prob(keep_prob)
    activations.get(hidden_activation)
    AL, Y = as_array(AL), as_array(Y)
    dA = _start_backward(AL, Y)
    L = len(caches)
    missing = [f"D{l}" for l in range(1, L) if f"D{l}" not in masks]
    if missing:
        raise ValueError(f"masks is missing {missing}; pass those of forward_with_dropout")
    grads: dict[str, np.ndarray] = {f"dA{L}": dA}
    for l in range(L, 0, -1):
        activation = hidden_activation if l < L else OUTPUT_ACTIVATION
        linear_cache, Z = caches[l - 1]
        dZ = deep.activation_backward(dA, Z, activation)
        dA, dW, db = deep.linear_backward(dZ, linear_cache)
        if l > 1:
            dA = dA * masks[f"D{l - 1}"]  # the units dropped in forward get no gradient
            dA = dA / keep_prob  # the same scaling as in forward
        grads[f"dZ{l}"], grads[f"dW{l}"], grads[f"db{l}"] = dZ, dW, db
        grads[f"dA{l - 1}"] = dA
    return grads
