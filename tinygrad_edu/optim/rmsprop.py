"""RMSProp: divide each step by a running root mean square of the gradient."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor
from ._checks import check_beta, check_non_negative, check_positive
from .sgd import Optimizer


class RMSProp(Optimizer):
    """``s := β s + (1 − β) dθ²;  θ := θ − lr · dθ / (√s + ε)`` for every parameter with a gradient.

    Directions whose gradient is large (and oscillates) are damped, small ones
    are sped up. ε only guards against dividing by zero. ``self.s[i]`` is the
    running mean square of ``params[i]``'s gradient, zeros to start with.

    >>> from tinygrad_edu import Tensor
    >>> W = Tensor([1.0, 2.0], requires_grad=True)
    >>> W.grad = np.array([2.0, -2.0])
    >>> RMSProp([W], lr=0.1, beta=0.75, eps=0.0).step()  # s = 1, so θ −= 0.1 · dθ
    >>> W
    Tensor([0.8, 2.2], requires_grad=True)
    """

    def __init__(
        self, params: Iterable[Tensor], lr: float, beta: float = 0.999, eps: float = 1e-8
    ) -> None:
        super().__init__(params)
        self.lr = check_positive("lr", lr)
        self.beta = check_beta("beta", beta)
        self.eps = check_non_negative("eps", eps)
        self.s = self.zeros_per_param()

    @no_grad()
    def step(self) -> None:
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            self.s[i] = self.beta * self.s[i] + (1 - self.beta) * np.power(p.grad, 2)
            p -= self.lr * p.grad / (np.sqrt(self.s[i]) + self.eps)
