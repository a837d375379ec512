"""Momentum, RMSProp and Adam on the course's parameter dicts, in plain NumPy.

``params`` is ``{"W1": …, "b1": …, …, "WL": …, "bL": …}`` and ``grads`` is
``{"dW1": …, "db1": …, …}`` (as ``two_layer.backward`` or
``deep.model_backward`` return them); the running averages ``v`` and ``s``
are keyed like the gradients. Each update returns new dicts and leaves its
inputs unchanged. These are the twins of ``tinygrad_edu.optim``'s
``Momentum``, ``RMSProp`` and ``Adam``.

Momentum::

    v = β v + (1 − β) dW                 W = W − α v

RMSProp::

    s = β s + (1 − β) dW²                W = W − α dW / (√s + ε)

Adam (t counts the updates, from 1)::

    v = β1 v + (1 − β1) dW               v_corrected = v / (1 − β1ᵗ)
    s = β2 s + (1 − β2) dW²              s_corrected = s / (1 − β2ᵗ)
    W = W − α v_corrected / (√s_corrected + ε)
"""

from __future__ import annotations

import numpy as np

Params = dict[str, np.ndarray]


def _num_layers(params: Params) -> int:
    """L, the number of layers, with a ValueError unless params holds exactly W1, b1, …, WL, bL."""
    L = len(params) // 2
    expected = {f"{kind}{l}" for l in range(1, L + 1) for kind in "Wb"}
    if set(params) != expected:
        raise ValueError(
            f"params must hold W1, b1, …, WL, bL (the course's keys), got {sorted(params)}"
        )
    return L


def _check_keys(d: dict[str, np.ndarray], name: str, L: int) -> None:
    """ValueError unless d (grads, v or s) holds dW1, db1, …, dWL, dbL."""
    missing = [f"d{kind}{l}" for l in range(1, L + 1) for kind in "Wb" if f"d{kind}{l}" not in d]
    if missing:
        raise ValueError(f"{name} is missing {missing}; it needs dW1, db1, … for each layer")


def _check_beta(name: str, beta: float) -> None:
    if not 0 <= beta < 1:
        raise ValueError(f"{name} must be in [0, 1), got {beta}")


def initialize_velocity(params: Params) -> Params:
    """Zeros shaped like each parameter: ``{"dW1": 0, "db1": 0, …}``.

    >>> v = initialize_velocity({"W1": np.ones((3, 2)), "b1": np.ones((3, 1))})
    >>> v["dW1"].shape, v["db1"].shape
    ((3, 2), (3, 1))
    """
    L = _num_layers(params)
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros_like(params["W" + str(l)])
        v["db" + str(l)] = np.zeros_like(params["b" + str(l)])
    return v


def update_with_momentum(
    params: Params, grads: Params, v: Params, beta: float, learning_rate: float
) -> tuple[Params, Params]:
    """One step of momentum, ``v = β v + (1 − β) dW;  W = W − α v``; returns (params, v).

    >>> params = {"W1": np.array([[1.0]]), "b1": np.array([[0.0]])}
    >>> grads = {"dW1": np.array([[1.0]]), "db1": np.array([[-2.0]])}
    >>> params, v = update_with_momentum(params, grads, initialize_velocity(params), 0.5, 1.0)
    >>> params["W1"], params["b1"]
    (array([[0.5]]), array([[1.]]))
    """
    L = _num_layers(params)
    _check_keys(grads, "grads", L)
    _check_keys(v, "v", L)
    _check_beta("beta", beta)
    new_params, new_v = {}, {}
    for l in range(1, L + 1):
        for kind in ("W", "b"):
            key, dkey = kind + str(l), "d" + kind + str(l)
            new_v[dkey] = beta * v[dkey] + (1 - beta) * grads[dkey]
            new_params[key] = params[key] - learning_rate * new_v[dkey]
    return new_params, new_v


def initialize_rmsprop(params: Params) -> Params:
    """Zeros shaped like each parameter: ``{"dW1": 0, "db1": 0, …}``, the running mean squares s."""
    return initialize_velocity(params)


def update_with_rmsprop(
    params: Params,
    grads: Params,
    s: Params,
    beta: float = 0.999,
    learning_rate: float = 0.01,
    epsilon: float = 1e-8,
) -> tuple[Params, Params]:
    """One RMSProp step, ``s = β s + (1 − β) dW²;  W = W − α dW / (√s + ε)``; returns (params, s).

    >>> params = {"W1": np.array([[1.0]]), "b1": np.array([[0.0]])}
    >>> grads = {"dW1": np.array([[2.0]]), "db1": np.array([[-2.0]])}
    >>> s = initialize_rmsprop(params)
    >>> params, s = update_with_rmsprop(params, grads, s, 0.75, 0.1, 0.0)  # s = 1
    >>> params["W1"], params["b1"]
    (array([[0.8]]), array([[0.2]]))
    """
    L = _num_layers(params)
    _check_keys(grads, "grads", L)
    _check_keys(s, "s", L)
    _check_beta("beta", beta)
    new_params, new_s = {}, {}
    for l in range(1, L + 1):
        for kind in ("W", "b"):
            key, dkey = kind + str(l), "d" + kind + str(l)
            new_s[dkey] = beta * s[dkey] + (1 - beta) * np.power(grads[dkey], 2)
            new_params[key] = params[key] - learning_rate * grads[dkey] / (
                np.sqrt(new_s[dkey]) + epsilon
            )
    return new_params, new_s


def initialize_adam(params: Params) -> tuple[Params, Params]:
    """Zeros shaped like each parameter for both averages: returns (v, s)."""
    return initialize_velocity(params), initialize_velocity(params)


def update_with_adam(
    params: Params,
    grads: Params,
    v: Params,
    s: Params,
    t: int,
    learning_rate: float = 0.01,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
) -> tuple[Params, Params, Params]:
    """One Adam step with bias correction; t is the step's number, from 1. Returns (params, v, s).

    >>> params = {"W1": np.array([[1.0]]), "b1": np.array([[0.0]])}
    >>> grads = {"dW1": np.array([[0.5]]), "db1": np.array([[-4.0]])}
    >>> v, s = initialize_adam(params)
    >>> params, v, s = update_with_adam(params, grads, v, s, 1, learning_rate=0.1, epsilon=0.0)
    >>> params["W1"], params["b1"]  # the first step is α · dW / |dW|
    (array([[0.9]]), array([[0.1]]))
    """
    L = _num_layers(params)
    _check_keys(grads, "grads", L)
    _check_keys(v, "v", L)
    _check_keys(s, "s", L)
    _check_beta("beta1", beta1)
    _check_beta("beta2", beta2)
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 1:
        raise ValueError(
            f"t counts the Adam updates from 1 (bias correction divides by 1 − β1ᵗ), got {t!r}"
        )
    new_params, new_v, new_s = {}, {}, {}
    for l in range(1, L + 1):
        for kind in ("W", "b"):
            key, dkey = kind + str(l), "d" + kind + str(l)
            new_v[dkey] = beta1 * v[dkey] + (1 - beta1) * grads[dkey]
            v_corrected = new_v[dkey] / (1 - np.power(beta1, t))
            new_s[dkey] = beta2 * s[dkey] + (1 - beta2) * np.power(grads[dkey], 2)
            s_corrected = new_s[dkey] / (1 - np.power(beta2, t))
            new_params[key] = params[key] - learning_rate * v_corrected / (
                np.sqrt(s_corrected) + epsilon
            )
    return new_params, new_v, new_s
