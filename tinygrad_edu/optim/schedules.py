"""Learning-rate decay: smaller steps as training goes on, so that mini-batch noise settles.

``inverse_time_decay`` lowers the rate every epoch; ``step_inverse_time_decay``
lowers it once every ``interval`` epochs (the course's fixed-interval
schedule), which avoids shrinking it to almost nothing over many epochs.
``InverseTimeDecay`` applies either one to an optimiser's ``lr`` each epoch.
"""

from __future__ import annotations

from typing import Any

from ._checks import check_integer, check_non_negative, check_positive


def inverse_time_decay(lr0: float, decay_rate: float, epoch: int) -> float:
    """``α = α₀ / (1 + decay_rate · epoch)``.

    >>> inverse_time_decay(0.5, 1.0, 3)
    0.125
    """
    lr0 = check_positive("lr0", lr0)
    decay_rate = check_non_negative("decay_rate", decay_rate)
    epoch = check_integer("epoch", epoch, minimum=0)
    return lr0 / (1 + decay_rate * epoch)


def step_inverse_time_decay(
    lr0: float, decay_rate: float, epoch: int, interval: int = 1000
) -> float:
    """``α = α₀ / (1 + decay_rate · ⌊epoch / interval⌋)``: the rate drops once per interval.

    >>> [step_inverse_time_decay(0.5, 1.0, epoch, interval=10) for epoch in (0, 9, 10, 25)]
    [0.5, 0.5, 0.25, 0.16666666666666666]
    """
    lr0 = check_positive("lr0", lr0)
    decay_rate = check_non_negative("decay_rate", decay_rate)
    epoch = check_integer("epoch", epoch, minimum=0)
    interval = check_integer("interval", interval, minimum=1)
    return lr0 / (1 + decay_rate * (epoch // interval))


class InverseTimeDecay:
    """Sets ``optimizer.lr = α₀ / (1 + decay_rate · ⌊epoch / interval⌋)`` at each ``step()``.

    α₀ is the optimiser's lr when the scheduler is made; ``interval=1`` is
    ``inverse_time_decay``. Like PyTorch's schedulers, ``step()`` goes after
    the epoch's optimiser steps.

    >>> from tinygrad_edu import Tensor
    >>> from tinygrad_edu.optim import SGD
    >>> optimizer = SGD([Tensor([1.0], requires_grad=True)], lr=0.5)
    >>> scheduler = InverseTimeDecay(optimizer, decay_rate=1.0)
    >>> [scheduler.step() for epoch in range(3)]
    [0.25, 0.16666666666666666, 0.125]
    >>> optimizer.lr
    0.125
    """

    def __init__(self, optimizer: Any, decay_rate: float, interval: int = 1) -> None:
        if not hasattr(optimizer, "lr"):
            raise TypeError(f"optimizer must have an lr attribute, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.lr0 = check_positive("optimizer.lr", optimizer.lr)
        self.decay_rate = check_non_negative("decay_rate", decay_rate)
        self.interval = check_integer("interval", interval, minimum=1)
        self.epoch = 0

    def step(self) -> float:
        """End of an epoch: count it and set (and return) the optimiser's new lr."""
        self.epoch += 1
        lr = step_inverse_time_decay(self.lr0, self.decay_rate, self.epoch, self.interval)
        self.optimizer.lr = lr
        return lr
