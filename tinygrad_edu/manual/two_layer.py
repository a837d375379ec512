"""A network with one hidden layer, written exactly as the course writes it.

Column layout: X is (n_x, m), Y is (n_y, m), W1 is (n_h, n_x), b1 is (n_h, 1),
W2 is (n_y, n_h), b2 is (n_y, 1). The output activation is the sigmoid
(binary classification); the hidden activation g is "tanh" by default.

Forward propagation (four equations)::

    Z1 = W1 X + b1        A1 = g(Z1)
    Z2 = W2 A1 + b2       A2 = σ(Z2)

Back propagation (six equations)::

    dZ2 = A2 − Y
    dW2 = (1/m) dZ2 A1ᵀ       db2 = (1/m) Σ_columns dZ2
    dZ1 = W2ᵀ dZ2 * g'(Z1)
    dW1 = (1/m) dZ1 Xᵀ        db1 = (1/m) Σ_columns dZ1

dZ is the course's per-example derivative ∂L/∂Z; autodiff of the averaged
cost J gives Z.grad = dZ / m, while dW and db equal W.grad and b.grad.
"""

from __future__ import annotations

import numpy as np

from . import activations
from ._checks import (
    as_array,
    check_bias,
    check_layer_input,
    check_matrix,
    check_same_columns,
    check_same_shape,
)

Params = dict[str, np.ndarray]

PARAM_NAMES = ("W1", "b1", "W2", "b2")


def init_params(n_x: int, n_h: int, n_y: int, seed: int = 2) -> Params:
    """Small random weights and zero biases: W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1).

    Uses its own legacy RandomState(seed), so NumPy's global random state is
    untouched; drawing W1 then W2 with the default seed gives the course
    notebook's initial weights. Random (not zero) weights break the symmetry
    between hidden units; the factor 0.01 keeps tanh/sigmoid off their flat
    tails, where gradients vanish.

    >>> init_params(2, 4, 1)["W1"].shape
    (4, 2)
    """
    for name, value in (("n_x", n_x), ("n_h", n_h), ("n_y", n_y)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, got {value!r}")
        if value < 1:
            raise ValueError(f"{name} must be positive, got {value}")
    rng = np.random.RandomState(seed)
    W1 = rng.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = rng.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def _unpack(params: Params) -> tuple[np.ndarray, ...]:
    """Return (W1, b1, W2, b2) as arrays; ValueError if a key is missing."""
    missing = [name for name in PARAM_NAMES if name not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; expected keys {PARAM_NAMES}")
    return tuple(as_array(params[name]) for name in PARAM_NAMES)


def _check_params(
    W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, X: np.ndarray
) -> None:
    """Raise ValueError if a parameter's shape does not fit X or its neighbours."""
    check_layer_input(W1, "W1", X, "X")
    check_bias(b1, "b1", W1, "W1")
    check_matrix(W2, "W2", "(n_y, n_h)")
    if W2.shape[1] != W1.shape[0]:
        raise ValueError(
            f"W2 has shape {W2.shape} and W1 has shape {W1.shape}: W2 must have "
            f"n_h = {W1.shape[0]} columns, one per hidden unit"
        )
    check_bias(b2, "b2", W2, "W2")


def forward(
    X: np.ndarray, params: Params, activation: str = "tanh"
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Forward propagation: returns A2 (n_y, m) and the cache {Z1, A1, Z2, A2}.

    The cache keeps what back propagation needs later.

    >>> A2, cache = forward(np.zeros((2, 5)), init_params(2, 4, 1))
    >>> A2.shape, cache["A1"].shape
    ((1, 5), (4, 5))
    """
    g, _ = activations.get(activation)
    X = as_array(X)
    check_matrix(X, "X", "(n_x, m)")
    W1, b1, W2, b2 = _unpack(params)
    _check_params(W1, b1, W2, b2, X)

    Z1 = W1 @ X + b1
    A1 = g(Z1)
    Z2 = W2 @ A1 + b2
    A2 = activations.sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def cost(A2: np.ndarray, Y: np.ndarray) -> float:
    """Cross-entropy cost J = −(1/m) Σ (Y log A2 + (1 − Y) log(1 − A2)), a Python float.

    A2 and Y are both (n_y, m); the sum runs over every entry. log(0) is left
    to NumPy (inf with a warning) rather than hidden behind an epsilon.
    """
    A2, Y = as_array(A2), as_array(Y)
    check_matrix(Y, "Y", "(n_y, m)")
    check_same_shape(A2, "A2", Y, "Y")
    m = Y.shape[1]
    J = -(1 / m) * np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    return float(J)


def backward(
    params: Params,
    cache: dict[str, np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    activation: str = "tanh",
) -> dict[str, np.ndarray]:
    """Back propagation: returns {dZ2, dW2, db2, dZ1, dW1, db1}, each shaped like its twin.

    dZ2 and dZ1 are (n_y, m) and (n_h, m); dW and db match W and b.
    """
    _, g_prime = activations.get(activation)
    X, Y = as_array(X), as_array(Y)
    check_matrix(X, "X", "(n_x, m)")
    check_matrix(Y, "Y", "(n_y, m)")
    check_same_columns(X, "X", Y, "Y")
    check_same_shape(cache["A2"], "A2 (from the cache)", Y, "Y")
    W1, b1, W2, b2 = _unpack(params)
    _check_params(W1, b1, W2, b2, X)
    Z1, A1, A2 = cache["Z1"], cache["A1"], cache["A2"]
    m = X.shape[1]

    # Sigmoid output and cross-entropy cost together give this simple form.
    dZ2 = A2 - Y
    dW2 = (1 / m) * dZ2 @ A1.T
    # keepdims=True keeps db2 a (n_y, 1) column, not a rank-1 array.
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    if activation == "tanh":
        # As the course writes it: g'(Z1) = 1 − A1², reusing A1 = tanh(Z1).
        dZ1 = (W2.T @ dZ2) * (1 - np.power(A1, 2))
    else:
        dZ1 = (W2.T @ dZ2) * g_prime(Z1)
    dW1 = (1 / m) * dZ1 @ X.T
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ2": dZ2, "dW2": dW2, "db2": db2, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def update(params: Params, grads: dict[str, np.ndarray], learning_rate: float) -> Params:
    """One gradient-descent step θ := θ − α dθ for θ in W1 b1 W2 b2; returns a new dict.

    The input dict and its arrays are left unchanged.
    """
    return {name: params[name] - learning_rate * grads["d" + name] for name in PARAM_NAMES}


def predict(X: np.ndarray, params: Params, activation: str = "tanh") -> np.ndarray:
    """Predicted labels (n_y, m): 1.0 where A2 > 0.5, else 0.0 (float64, like Y)."""
    A2, _ = forward(X, params, activation)
    return (A2 > 0.5).astype(np.float64)


def train(
    X: np.ndarray,
    Y: np.ndarray,
    n_h: int,
    num_iterations: int = 10000,
    learning_rate: float = 1.2,
    activation: str = "tanh",
    seed: int = 2,
    print_cost: bool = False,
) -> tuple[Params, list[float]]:
    """Batch gradient descent with the equations above; returns (params, costs).

    costs[i] is J before the i-th update, one entry per iteration.

    >>> from tinygrad_edu.data import planar_flower
    >>> X, Y = planar_flower()
    >>> params, costs = train(X, Y, n_h=4, num_iterations=100)
    """
    X, Y = as_array(X), as_array(Y)
    check_matrix(X, "X", "(n_x, m)")
    check_matrix(Y, "Y", "(n_y, m)")
    check_same_columns(X, "X", Y, "Y")
    activations.get(activation)  # fail now on a bad name, not mid-training
    params = init_params(X.shape[0], n_h, Y.shape[0], seed=seed)
    costs: list[float] = []
    for i in range(num_iterations):
        A2, cache = forward(X, params, activation)
        costs.append(cost(A2, Y))
        grads = backward(params, cache, X, Y, activation)
        params = update(params, grads, learning_rate)
        if print_cost and i % 1000 == 0:
            print(f"Cost after iteration {i}: {costs[-1]:.6f}")
    return params, costs
