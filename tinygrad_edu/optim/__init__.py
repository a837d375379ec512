"""Optimisers: each ``step()`` updates the parameters from their ``.grad``, outside the graph.

``SGD``, ``Momentum``, ``RMSProp`` and ``Adam`` follow the course's update
rules (``tinygrad_edu.manual.optimizers`` writes the same rules on the
course's parameter dicts); ``schedules`` holds learning-rate decay.
"""

from . import schedules
from .adam import Adam
from .momentum import Momentum
from .rmsprop import RMSProp
from .sgd import SGD, Optimizer

__all__ = ["SGD", "Adam", "Momentum", "Optimizer", "RMSProp", "schedules"]
