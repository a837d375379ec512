"""Gradient descent, the course's update rule ``θ := θ − α dθ``."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor


class Optimizer:
    """Holds the parameters to update; ``zero_grad()`` clears their gradients."""

    def __init__(self, params: Iterable[Tensor]) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimiser got no parameters; pass model.parameters()")
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise TypeError(f"parameter {i} is not a Tensor that requires grad")

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def zeros_per_param(self) -> dict[int, np.ndarray]:
        """A running average's starting state: zeros shaped like each parameter, by position."""
        return {i: np.zeros_like(p.data) for i, p in enumerate(self.params)}

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """``θ := θ − lr · dθ`` for every parameter that has a gradient.

    >>> from tinygrad_edu import Tensor
    >>> W = Tensor([1.0, 2.0], requires_grad=True)
    >>> (W * W).sum().backward()
    >>> SGD([W], lr=0.1).step()
    >>> W
    Tensor([0.8, 1.6], requires_grad=True)
    """

    def __init__(self, params: Iterable[Tensor], lr: float) -> None:
        super().__init__(params)
        if not lr > 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        self.lr = lr

    @no_grad()
    def step(self) -> None:
        for p in self.params:
            if p.grad is not None:
                p -= self.lr * p.grad  # in place: the same leaf, its version bumped
