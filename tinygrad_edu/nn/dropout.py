"""Inverted dropout in the course's column layout, and an L-layer network that uses it.

In training, each forward draws a fresh mask ``D = (rand(n, m) < keep_prob)``
and returns ``A · D / keep_prob``: a unit is kept with probability
``keep_prob``, and dividing by it keeps the expected value of ``A`` unchanged.
The output is a multiplication by the constant ``D`` followed by a division
by a constant, so autodiff's backward reuses the same mask without being told:
``dA = dout · D / keep_prob``. In evaluation mode (``model.eval()``) dropout is
the identity.

Masks come from ``rng.rand(n, m)`` of a ``np.random.RandomState``. Give
several Dropout layers one ``RandomState`` (as ``dropout_network`` does) and
they draw their masks from it in the order the forward pass reaches them,
D1, D2, …: exactly the masks of
``manual.regularization.forward_with_dropout(X, params, keep_prob, seed)``.

>>> import numpy as np
>>> from tinygrad_edu import Tensor
>>> drop = Dropout(0.5, seed=1)
>>> drop(Tensor(np.ones((2, 3)))).data  # kept units doubled, dropped ones 0
array([[2., 0., 2.],
       [2., 2., 2.]])
>>> drop.mask
array([[1., 0., 1.],
       [1., 1., 1.]])
>>> drop.eval()(Tensor(np.ones((2, 3)))).data  # evaluation: the identity
array([[1., 1., 1.],
       [1., 1., 1.]])
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from ..tensor import ArrayLike, Tensor
from .containers import Sequential
from .layers import Linear, activation
from .module import Module


def check_keep_prob(keep_prob: object, where: str = "Dropout") -> float:
    """``keep_prob`` as a float, or a ValueError (TypeError for a non-number) unless 0 < it ≤ 1."""
    if isinstance(keep_prob, bool) or not isinstance(keep_prob, Real):
        raise TypeError(f"{where}: keep_prob must be a number in (0, 1], got {keep_prob!r}")
    value = float(keep_prob)
    if not 0 < value <= 1:  # also rejects nan
        raise ValueError(
            f"{where}: keep_prob must be in (0, 1] (the probability of keeping a unit), "
            f"got {keep_prob}"
        )
    return value


class Dropout(Module):
    """Inverted dropout: ``A · D / keep_prob`` with ``D = (rand(n, m) < keep_prob)`` in training.

    ``seed`` is an int (this layer gets its own ``RandomState(seed)``), a
    ``RandomState`` to share with other layers, or None (unseeded). After each
    training forward the mask ``D`` (0s and 1s, the input's dtype) is
    ``self.mask``; in evaluation mode the input is returned unchanged and
    ``self.mask`` is None.
    """

    def __init__(
        self, keep_prob: float = 0.5, seed: int | np.random.RandomState | None = None
    ) -> None:
        self.keep_prob = check_keep_prob(keep_prob)
        if isinstance(seed, np.random.RandomState):
            self.rng = seed
        else:
            self.rng = np.random.RandomState(seed)
        self.mask: np.ndarray | None = None

    def forward(self, A: ArrayLike) -> Tensor:
        A = A if isinstance(A, Tensor) else Tensor(A)
        if not self.training:
            self.mask = None
            return A
        D = self.rng.rand(*A.shape) < self.keep_prob  # the course's D[l], a boolean mask
        self.mask = D.astype(A.dtype)
        return (A * self.mask) / self.keep_prob  # a Mul and a Div by constants

    def __repr__(self) -> str:
        return f"Dropout(keep_prob={self.keep_prob})"


def dropout_network(
    layer_dims: list[int],
    keep_prob: float,
    seed: int = 1,
    hidden_activation: str = "relu",
) -> Sequential:
    """``deep_network`` with a Dropout after every hidden activation (none on the output).

    All the Dropout layers share one ``RandomState(seed)``, so they draw D1,
    D2, … in order as ``manual.regularization.forward_with_dropout`` does.
    The weights are ``Linear``'s defaults; load the course's with
    ``load_params`` (or ``nn.init.initialize``) to match the manual network.
    """
    if len(layer_dims) < 2:
        raise ValueError(f"layer_dims needs at least [n_x, n_y], got {layer_dims}")
    keep_prob = check_keep_prob(keep_prob, "dropout_network")
    rng = np.random.RandomState(seed)
    layers: list[Module] = []
    L = len(layer_dims) - 1
    for l in range(1, L + 1):
        linear = Linear(layer_dims[l - 1], layer_dims[l], seed=l)
        linear.W.name, linear.b.name = f"W{l}", f"b{l}"
        layers.append(linear)
        if l < L:
            layers.append(activation(hidden_activation))
            layers.append(Dropout(keep_prob, seed=rng))
    return Sequential(*layers)
