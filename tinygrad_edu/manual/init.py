"""The course's initialisations of an L-layer network, as a parameter dict.

``init_params(layer_dims, method, seed)`` returns ``{"W1": …, "b1": …, …}``
with ``W[l]`` of shape ``(n[l], n[l-1])`` and zero biases ``(n[l], 1)``; the
weights are drawn in order W1, W2, … from one ``RandomState(seed)``::

    zeros    W[l] = 0                              (never breaks symmetry)
    small    W[l] = randn(n[l], n[l-1]) × 0.01
    large    W[l] = randn(n[l], n[l-1]) × 10
    he       W[l] = randn(n[l], n[l-1]) × √(2 / n[l-1])
    xavier   W[l] = randn(n[l], n[l-1]) × √(1 / n[l-1])

"zeros", "small", "he" and "xavier" are ``deep.init_params``; this module
adds "large". The autodiff twin is ``tinygrad_edu.nn.init.initialize``, which
gives the same arrays for the same seed.
"""

from __future__ import annotations

import numpy as np

from . import deep

Params = dict[str, np.ndarray]


def _large(rng: np.random.RandomState, n: int, n_prev: int) -> np.ndarray:
    """randn × 10: sigmoid and tanh units saturate, so the first cost is huge."""
    return rng.randn(n, n_prev) * 10


METHODS = ("zeros", "small", "large", "he", "xavier")


def init_params(layer_dims: list[int], method: str, seed: int = 3) -> Params:
    """W1 … WL by ``method`` and zero biases b1 … bL for sizes ``[n[0], n[1], …, n[L]]``.

    >>> params = init_params([2, 3, 1], "large", seed=0)
    >>> params["W1"].shape, params["b2"].shape
    ((3, 2), (1, 1))
    >>> round(float(params["W1"][0, 0]), 4)  # 10 × RandomState(0).randn()
    17.6405
    """
    if method != "large":
        if method not in METHODS:
            valid = ", ".join(repr(name) for name in METHODS)
            raise ValueError(f"unknown init method {method!r}; choose one of {valid}")
        return deep.init_params(layer_dims, seed=seed, method=method)
    # The shapes (and their checks) from deep.init_params; then the draws, W1 first.
    params = deep.init_params(layer_dims, seed=seed, method="zeros")
    rng = np.random.RandomState(seed)
    for l in range(1, deep.num_layers(params) + 1):
        n, n_prev = params[f"W{l}"].shape
        params[f"W{l}"] = _large(rng, n, n_prev)
    return params
