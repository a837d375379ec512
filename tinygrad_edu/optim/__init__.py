"""Optimisers: each ``step()`` updates the parameters from their ``.grad``, outside the graph."""

from .sgd import SGD, Optimizer

__all__ = ["SGD", "Optimizer"]
