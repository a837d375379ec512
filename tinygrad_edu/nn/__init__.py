"""Layers in the course's column layout: ``Z = W · A + b``, ``W (n_out, n_in)``, ``b (n_out, 1)``.

>>> from tinygrad_edu import nn
>>> model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
>>> [p.shape for p in model.parameters()]
[(4, 2), (4, 1), (1, 4), (1, 1)]
"""

from .containers import Sequential, deep_network, two_layer_network
from .layers import ACTIVATIONS, LeakyReLU, Linear, ReLU, Sigmoid, Tanh, activation
from .module import Module

__all__ = [
    "ACTIVATIONS",
    "LeakyReLU",
    "Linear",
    "Module",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "activation",
    "deep_network",
    "two_layer_network",
]
