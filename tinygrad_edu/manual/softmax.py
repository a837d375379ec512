"""Multi-class output: an L-layer network with a softmax output layer and cross-entropy cost.

Column layout: ZL and AL are (C, m), one class per row and one example per
column; Y is one-hot (C, m). Hidden layers 1 … L−1 are ``deep``'s blocks
(relu or tanh, say); only the output layer changes::

    forward:   A[L] = softmax(Z[L]),  softmax(Z)[k, j] = e^Z[k, j] / Σ_k' e^Z[k', j]
    cost:      J = −(1/m) Σ_j Σ_k Y[k, j] log A[L][k, j]
    backward:  dZ[L] = A[L] − Y

Softmax and the cross-entropy together have this simple derivative, exactly
as the sigmoid and binary cross-entropy do, so there is no separate dA[L].
dZ[L] is the course's per-example derivative: autodiff of J gives
ZL.grad = dZ[L] / m (the 1/m convention); dW and db equal W.grad and b.grad.
"""

from __future__ import annotations

import numpy as np

from . import activations
from ._checks import as_array, check_bias, check_layer_input, check_matrix, check_same_shape
from .deep import (
    LayerCache,
    Params,
    activation_backward,
    linear_activation_forward,
    linear_backward,
    linear_forward,
    num_layers,
)


def softmax(Z: np.ndarray) -> np.ndarray:
    """softmax(Z)[k, j] = e^(Z[k, j] − max_k Z[:, j]) / Σ_k e^(Z[k, j] − max_k Z[:, j]), per column.

    Subtracting each column's largest entry changes nothing mathematically and
    keeps e^Z from overflowing. Z (C, m) → A (C, m), each column summing to 1.

    >>> softmax(np.array([[1.0, 1000.0], [1.0, 1000.0]]))
    array([[0.5, 0.5],
           [0.5, 0.5]])
    """
    Z = as_array(Z)
    exps = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Integer labels 0 … C−1, shape (m,) or (1, m), as a one-hot Y of shape (C, m), float64.

    >>> one_hot(np.array([0, 2, 1]), 3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    labels = np.asarray(labels).reshape(-1)
    if np.any((labels != np.round(labels)) | (labels < 0) | (labels >= n_classes)):
        raise ValueError(f"labels must be whole numbers from 0 to {n_classes - 1}, got {labels}")
    return (np.arange(n_classes).reshape(-1, 1) == labels.reshape(1, -1)).astype(np.float64)


def cost(AL: np.ndarray, Y: np.ndarray) -> float:
    """Cross-entropy cost J = −(1/m) Σ Y log AL, a Python float; AL and Y (one-hot) are (C, m)."""
    AL, Y = as_array(AL), as_array(Y)
    check_matrix(Y, "Y", "(n_classes, m)")
    check_same_shape(AL, "AL", Y, "Y")
    m = Y.shape[1]
    # Only the true class's log AL counts; where Y is 0 the term is 0 even if AL is.
    log_AL = np.log(AL, out=np.zeros_like(AL), where=Y != 0)
    return float(-(1 / m) * np.sum(Y * log_AL))


def output_backward(AL: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dZ[L] = A[L] − Y (C, m): the softmax and the cross-entropy differentiated together."""
    AL, Y = as_array(AL), as_array(Y)
    check_same_shape(AL, "AL", Y, "Y")
    return AL - Y


def model_forward(
    X: np.ndarray, params: Params, hidden_activation: str = "relu"
) -> tuple[np.ndarray, list[LayerCache]]:
    """Forward through L layers, softmax last; returns AL (C, m) and the L caches, layer 1 first.

    Each cache is ((A_prev, W, b), Z) as in ``deep``.
    """
    activations.get(hidden_activation)  # fail on a bad name before any work
    L = num_layers(params)
    A = as_array(X)
    check_matrix(A, "X", "(n_x, m)")
    caches: list[LayerCache] = []
    for l in range(1, L + 1):
        W, b = as_array(params[f"W{l}"]), as_array(params[f"b{l}"])
        check_layer_input(W, f"W{l}", A, "X" if l == 1 else f"A{l - 1}")
        check_bias(b, f"b{l}", W, f"W{l}")
        if l < L:
            A, cache = linear_activation_forward(A, W, b, hidden_activation)
        else:
            Z, linear_cache = linear_forward(A, W, b)  # Z[L] = W[L] A[L-1] + b[L]
            A, cache = softmax(Z), (linear_cache, Z)  # A[L] = softmax(Z[L])
        caches.append(cache)
    return A, caches


def model_backward(
    AL: np.ndarray,
    Y: np.ndarray,
    caches: list[LayerCache],
    hidden_activation: str = "relu",
) -> dict[str, np.ndarray]:
    """Backward through L layers; returns dZ{l}, dW{l}, db{l} for l = L … 1 and dA{l} for l < L.

    Starts from dZ[L] = A[L] − Y, then each hidden layer uses ``deep``'s
    ``activation_backward`` and ``linear_backward`` (the two halves of its
    ``linear_activation_backward``, kept apart so that dZ{l} can be reported).
    There is no dA{L}; dA0 is the derivative with respect to X.
    """
    activations.get(hidden_activation)
    AL, Y = as_array(AL), as_array(Y)
    check_matrix(Y, "Y", "(n_classes, m)")
    L = len(caches)
    grads: dict[str, np.ndarray] = {}

    dZ = output_backward(AL, Y)
    linear_cache, _ = caches[L - 1]
    dA, dW, db = linear_backward(dZ, linear_cache)
    grads.update({f"dZ{L}": dZ, f"dW{L}": dW, f"db{L}": db, f"dA{L - 1}": dA})
    for l in range(L - 1, 0, -1):
        linear_cache, Z = caches[l - 1]
        dZ = activation_backward(dA, Z, hidden_activation)  # dZ[l] = dA[l] * g'(Z[l])
        dA, dW, db = linear_backward(dZ, linear_cache)
        grads.update({f"dZ{l}": dZ, f"dW{l}": dW, f"db{l}": db, f"dA{l - 1}": dA})
    return grads


def predict(X: np.ndarray, params: Params, hidden_activation: str = "relu") -> np.ndarray:
    """Predicted class of each example (m,): the row of AL with the largest probability."""
    AL, _ = model_forward(X, params, hidden_activation)
    return np.argmax(AL, axis=0)
