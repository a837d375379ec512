"""The building blocks of an L-layer network, as the course describes them.

Column layout: A[0] = X is (n[0], m), W[l] is (n[l], n[l-1]), b[l] is
(n[l], 1), Z[l] and A[l] are (n[l], m). Hidden layers use one activation g
("relu" by default); the output layer L uses the sigmoid.

Each layer has a forward step and its mirror-image backward step, joined by a
cache::

    forward:   A[l-1] -> Z[l] = W[l] A[l-1] + b[l] -> A[l] = g(Z[l])
               cache = ((A[l-1], W[l], b[l]), Z[l])
    backward:  dA[l] -> dZ[l] = dA[l] * g'(Z[l])
               dW[l] = (1/m) dZ[l] A[l-1]ᵀ,  db[l] = (1/m) Σ_columns dZ[l]
               dA[l-1] = W[l]ᵀ dZ[l]

dZ and dA are the course's per-example derivatives; autodiff of the averaged
cost J gives Z.grad = dZ / m (and A.grad = dA / m), while dW and db equal
W.grad and b.grad.
"""

from __future__ import annotations

import numpy as np

from . import activations
from ._checks import (
    as_array,
    check_bias,
    check_layer_input,
    check_matrix,
    check_same_shape,
)

Params = dict[str, np.ndarray]
LinearCache = tuple[np.ndarray, np.ndarray, np.ndarray]  # (A_prev, W, b)
LayerCache = tuple[LinearCache, np.ndarray]  # (linear_cache, Z)

OUTPUT_ACTIVATION = "sigmoid"


def _small(rng: np.random.RandomState, n: int, n_prev: int) -> np.ndarray:
    """randn × 0.01, the course's first choice."""
    return rng.randn(n, n_prev) * 0.01


def _he(rng: np.random.RandomState, n: int, n_prev: int) -> np.ndarray:
    """randn × √(2 / n[l-1]): keeps the variance of Z steady through relu layers."""
    return rng.randn(n, n_prev) * np.sqrt(2 / n_prev)


def _xavier(rng: np.random.RandomState, n: int, n_prev: int) -> np.ndarray:
    """randn × √(1 / n[l-1]): the same idea for tanh layers."""
    return rng.randn(n, n_prev) * np.sqrt(1 / n_prev)


def _zeros(rng: np.random.RandomState, n: int, n_prev: int) -> np.ndarray:
    """All zeros: every unit of a layer stays identical (the symmetry problem)."""
    return np.zeros((n, n_prev))


INIT_METHODS = {"small": _small, "he": _he, "xavier": _xavier, "zeros": _zeros}


def init_params(layer_dims: list[int], seed: int = 3, method: str = "small") -> Params:
    """Weights W1 … WL and zero biases b1 … bL for layer sizes [n[0], n[1], …, n[L]].

    W[l] is (n[l], n[l-1]) and b[l] is (n[l], 1). The weights are drawn in
    order W1, W2, … from a legacy RandomState(seed) of their own, so NumPy's
    global random state is untouched; method is "small" (randn × 0.01),
    "he" (× √(2/n[l-1])), "xavier" (× √(1/n[l-1])) or "zeros".

    >>> sorted(init_params([5, 4, 3]))
    ['W1', 'W2', 'b1', 'b2']
    """
    if method not in INIT_METHODS:
        valid = ", ".join(repr(name) for name in INIT_METHODS)
        raise ValueError(f"unknown init method {method!r}; choose one of {valid}")
    dims = list(layer_dims)
    if len(dims) < 2:
        raise ValueError(f"layer_dims needs at least two sizes [n_x, ..., n_y], got {dims}")
    for n in dims:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"layer sizes must be integers, got {dims}")
        if n < 1:
            raise ValueError(f"layer sizes must be positive, got {dims}")

    rng = np.random.RandomState(seed)
    draw = INIT_METHODS[method]
    params: Params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = draw(rng, dims[l], dims[l - 1])
        params[f"b{l}"] = np.zeros((dims[l], 1))
    return params


def num_layers(params: Params) -> int:
    """L, the number of layers with parameters (W1 … WL; the input is layer 0)."""
    L = 0
    while f"W{L + 1}" in params:
        L += 1
    if L == 0:
        raise ValueError("params has no 'W1'; expected keys W1, b1, …, WL, bL")
    for l in range(1, L + 1):
        if f"b{l}" not in params:
            raise ValueError(f"params has 'W{l}' but no 'b{l}'")
    return L


def linear_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, LinearCache]:
    """Z = W A_prev + b; returns Z (n[l], m) and the cache (A_prev, W, b)."""
    A_prev, W, b = as_array(A_prev), as_array(W), as_array(b)
    check_matrix(A_prev, "A_prev", "(n[l-1], m)")
    check_layer_input(W, "W", A_prev, "A_prev")
    check_bias(b, "b", W, "W")
    Z = W @ A_prev + b
    return Z, (A_prev, W, b)


def linear_activation_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> tuple[np.ndarray, LayerCache]:
    """A = g(W A_prev + b); returns A (n[l], m) and the cache (linear_cache, Z)."""
    g, _ = activations.get(activation)
    Z, linear_cache = linear_forward(A_prev, W, b)
    A = g(Z)
    return A, (linear_cache, Z)


def model_forward(
    X: np.ndarray, params: Params, hidden_activation: str = "relu"
) -> tuple[np.ndarray, list[LayerCache]]:
    """Forward through all L layers; returns AL (n[L], m) and the L caches, layer 1 first.

    Layers 1 … L−1 use hidden_activation; layer L uses the sigmoid.
    """
    activations.get(hidden_activation)  # fail on a bad name before any work
    L = num_layers(params)
    A = as_array(X)
    check_matrix(A, "X", "(n_x, m)")
    caches: list[LayerCache] = []
    for l in range(1, L + 1):
        activation = hidden_activation if l < L else OUTPUT_ACTIVATION
        W, b = as_array(params[f"W{l}"]), as_array(params[f"b{l}"])
        # Checked here too so that a mismatch is reported as W3 and A2, say,
        # rather than the generic W and A_prev of linear_forward.
        check_layer_input(W, f"W{l}", A, "X" if l == 1 else f"A{l - 1}")
        check_bias(b, f"b{l}", W, f"W{l}")
        A, cache = linear_activation_forward(A, W, b, activation)
        caches.append(cache)
    return A, caches


def cost(AL: np.ndarray, Y: np.ndarray) -> float:
    """Cross-entropy cost J = −(1/m) Σ (Y log AL + (1 − Y) log(1 − AL)), a Python float.

    AL and Y are both (n[L], m); the sum runs over every entry.
    """
    AL, Y = as_array(AL), as_array(Y)
    check_matrix(Y, "Y", "(n_y, m)")
    check_same_shape(AL, "AL", Y, "Y")
    m = Y.shape[1]
    J = -(1 / m) * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    return float(J)


def linear_backward(
    dZ: np.ndarray, cache: LinearCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From dZ (n[l], m): dA_prev = Wᵀ dZ, dW = (1/m) dZ A_prevᵀ, db = (1/m) Σ_columns dZ."""
    A_prev, W, _ = cache  # b is not needed: ∂Z/∂b is the identity
    m = A_prev.shape[1]
    dW = (1 / m) * dZ @ A_prev.T
    # keepdims=True keeps db a (n[l], 1) column, not a rank-1 array.
    db = (1 / m) * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def activation_backward(dA: np.ndarray, Z: np.ndarray, activation: str) -> np.ndarray:
    """dZ = dA * g'(Z), element by element; dA and Z are (n[l], m)."""
    _, g_prime = activations.get(activation)
    return dA * g_prime(Z)


def linear_activation_backward(
    dA: np.ndarray, cache: LayerCache, activation: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One layer backward: dZ = dA * g'(Z), then linear_backward; returns dA_prev, dW, db."""
    linear_cache, Z = cache
    dZ = activation_backward(dA, Z, activation)
    return linear_backward(dZ, linear_cache)


def model_backward(
    AL: np.ndarray,
    Y: np.ndarray,
    caches: list[LayerCache],
    hidden_activation: str = "relu",
) -> dict[str, np.ndarray]:
    """Backward through all L layers; returns dA{l}, dZ{l}, dW{l}, db{l} as in the course.

    Starts from dAL = −(Y/AL − (1 − Y)/(1 − AL)), the derivative of the loss
    with respect to AL. For the sigmoid output, dZ{L} = dAL · σ'(ZL) equals
    AL − Y up to rounding. Keys run from dA{L} (= dAL) down to dA0, the
    derivative with respect to X, which training does not need but which is
    honest to report.
    """
    activations.get(hidden_activation)
    AL, Y = as_array(AL), as_array(Y)
    check_matrix(Y, "Y", "(n_y, m)")
    check_same_shape(AL, "AL", Y, "Y")
    L = len(caches)
    grads: dict[str, np.ndarray] = {}

    # ∂L/∂a of the per-example loss L(a, y) = −(y log a + (1 − y) log(1 − a)).
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    grads[f"dA{L}"] = dA
    # The output layer L first (sigmoid), then the hidden layers L−1, …, 1.
    for l in range(L, 0, -1):
        activation = hidden_activation if l < L else OUTPUT_ACTIVATION
        linear_cache, Z = caches[l - 1]
        dZ = activation_backward(dA, Z, activation)
        dA, dW, db = linear_backward(dZ, linear_cache)
        grads[f"dZ{l}"] = dZ
        grads[f"dW{l}"] = dW
        grads[f"db{l}"] = db
        grads[f"dA{l - 1}"] = dA
    return grads


def update(params: Params, grads: dict[str, np.ndarray], learning_rate: float) -> Params:
    """One gradient-descent step W[l] := W[l] − α dW[l], b[l] := b[l] − α db[l]; returns a new dict.

    The input dict and its arrays are left unchanged.
    """
    L = num_layers(params)
    new_params: Params = {}
    for l in range(1, L + 1):
        for name in (f"W{l}", f"b{l}"):
            if "d" + name not in grads:
                raise ValueError(f"grads has no 'd{name}' to update '{name}' with")
            new_params[name] = params[name] - learning_rate * grads["d" + name]
    return new_params


def predict(X: np.ndarray, params: Params, hidden_activation: str = "relu") -> np.ndarray:
    """Predicted labels (n[L], m): 1.0 where AL > 0.5, else 0.0 (float64, like Y)."""
    AL, _ = model_forward(X, params, hidden_activation)
    return (AL > 0.5).astype(np.float64)
