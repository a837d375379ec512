"""Gradient descent with momentum, in the course's exponentially weighted form."""

from __future__ import annotations

from collections.abc import Iterable

from ..autograd import no_grad
from ..tensor import Tensor
from ._checks import check_beta, check_positive
from .sgd import Optimizer


class Momentum(Optimizer):
    """``v := β v + (1 − β) dθ;  θ := θ − lr · v`` for every parameter that has a gradient.

    This is the course's form: v is an exponentially weighted average of the
    gradients, so lr keeps its meaning as the step size. PyTorch's
    ``SGD(momentum=μ)`` instead sums, ``v := μ v + dθ``, a velocity about
    1/(1 − μ) times larger; the same lr does not give the same run.
    ``self.v[i]`` is the velocity of ``params[i]``, zeros to start with.

    >>> from tinygrad_edu import Tensor
    >>> import numpy as np
    >>> W = Tensor([1.0, 2.0], requires_grad=True)
    >>> W.grad = np.array([1.0, -1.0])
    >>> Momentum([W], lr=1.0, beta=0.5).step()
    >>> W
    Tensor([0.5, 2.5], requires_grad=True)
    """

    def __init__(self, params: Iterable[Tensor], lr: float, beta: float = 0.9) -> None:
        super().__init__(params)
        self.lr = check_positive("lr", lr)
        self.beta = check_beta("beta", beta)
        self.v = self.zeros_per_param()

    @no_grad()
    def step(self) -> None:
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            self.v[i] = self.beta * self.v[i] + (1 - self.beta) * p.grad
            p -= self.lr * self.v[i]
