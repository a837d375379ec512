"""The course's weight initialisations, applied to a model's Linear layers in place.

Every method draws ``W[l]`` of shape ``(n[l], n[l-1])`` as ``randn × scale``
and sets ``b[l]`` to zeros ``(n[l], 1)``; the layers are filled in order
W1, W2, … from one ``np.random.RandomState(seed)`` of their own (NumPy's
global random state is untouched), so ``initialize(model, method, seed)``
gives exactly the arrays of ``manual.init.init_params(layer_dims, method, seed)``.

Methods (the scale of ``randn``, and what the course shows with it)::

    zeros    0 (no draw)        every hidden unit stays identical: no symmetry breaking
    small    0.01               the first choice; fine for shallow networks
    large    10                 sigmoid and tanh saturate, the first cost is huge
    he       √(2 / n[l-1])      keeps the variance of Z steady through relu layers
    xavier   √(1 / n[l-1])      the same idea for tanh

>>> from tinygrad_edu import nn
>>> model = initialize(nn.deep_network([3, 4, 1]), "zeros")
>>> model[0].W.data.tolist()[0], model[0].b.data.shape
([0.0, 0.0, 0.0], (4, 1))
"""

from __future__ import annotations

import numpy as np

from ..autograd import no_grad
from .layers import Linear
from .module import Module

METHODS = ("zeros", "small", "large", "he", "xavier")


def scale(method: str, n_prev: int) -> float:
    """The factor multiplying ``randn(n[l], n[l-1])`` for ``method`` (0 for ``"zeros"``).

    >>> scale("he", 8)
    0.5
    """
    if method == "zeros":
        return 0.0
    if method == "small":
        return 0.01
    if method == "large":
        return 10.0
    if method == "he":
        return float(np.sqrt(2 / n_prev))
    if method == "xavier":
        return float(np.sqrt(1 / n_prev))
    valid = ", ".join(repr(name) for name in METHODS)
    raise ValueError(f"unknown init method {method!r}; choose one of {valid}")


def initialize(model: Module, method: str, seed: int = 3) -> Module:
    """Fill the weights of every Linear layer of ``model`` by ``method``, biases with zeros.

    The layers are visited in order (W1 first) and drawn from one
    ``RandomState(seed)``; the same Tensors are kept (their ``.data`` is
    replaced, under ``no_grad``), so an optimiser made before still holds
    them. Returns ``model``.

    >>> from tinygrad_edu import nn
    >>> model = initialize(nn.deep_network([2, 3, 1]), "large", seed=0)
    >>> round(float(model[0].W.data[0, 0]), 4)  # 10 × RandomState(0).randn()
    17.6405
    """
    scale(method, 1)  # fail on a bad name before touching the model
    layers = [module for module in model.modules() if isinstance(module, Linear)]
    if not layers:
        raise ValueError(f"initialize: {type(model).__name__} has no Linear layers to fill")
    rng = np.random.RandomState(seed)
    with no_grad():
        for layer in layers:
            n, n_prev = layer.W.shape
            if method == "zeros":
                W = np.zeros((n, n_prev))  # nothing drawn, as in manual.deep
            else:
                W = rng.randn(n, n_prev) * scale(method, n_prev)
            layer.W.data = W.astype(layer.W.dtype, copy=False)
            layer.b.data = np.zeros(layer.b.shape, dtype=layer.b.dtype)
    return model
