"""Adam: momentum and RMSProp together, with bias correction."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor
from ._checks import check_beta, check_non_negative, check_positive
from .sgd import Optimizer


class Adam(Optimizer):
    """``v := β1 v + (1−β1) dθ;  s := β2 s + (1−β2) dθ²;  θ := θ − lr · v̂ / (√ŝ + ε)``.

    The bias corrections ``v̂ = v / (1 − β1ᵗ)`` and ``ŝ = s / (1 − β2ᵗ)``
    undo the pull towards the zeros that v and s start from; t counts the
    calls to ``step()``, from 1. ``self.v[i]`` and ``self.s[i]`` belong to
    ``params[i]``. At t = 1, v̂ = dθ and ŝ = dθ², so the first step is
    ``lr · dθ / (|dθ| + ε)``: about lr, whatever the gradient's scale.

    >>> from tinygrad_edu import Tensor
    >>> W = Tensor([1.0, 2.0], requires_grad=True)
    >>> W.grad = np.array([0.5, -4.0])
    >>> Adam([W], lr=0.1, eps=0.0).step()
    >>> W
    Tensor([0.9, 2.1], requires_grad=True)
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params)
        self.lr = check_positive("lr", lr)
        self.beta1 = check_beta("beta1", beta1)
        self.beta2 = check_beta("beta2", beta2)
        self.eps = check_non_negative("eps", eps)
        self.t = 0
        self.v = self.zeros_per_param()
        self.s = self.zeros_per_param()

    @no_grad()
    def step(self) -> None:
        self.t += 1
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            self.v[i] = self.beta1 * self.v[i] + (1 - self.beta1) * p.grad
            v_corrected = self.v[i] / (1 - np.power(self.beta1, self.t))
            self.s[i] = self.beta2 * self.s[i] + (1 - self.beta2) * np.power(p.grad, 2)
            s_corrected = self.s[i] / (1 - np.power(self.beta2, self.t))
            p -= self.lr * v_corrected / (np.sqrt(s_corrected) + self.eps)
