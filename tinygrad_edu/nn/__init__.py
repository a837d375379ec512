"""Layers in the course's column layout: ``Z = W · A + b``, ``W (n_out, n_in)``, ``b (n_out, 1)``.

>>> from tinygrad_edu import nn
>>> model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
>>> [p.shape for p in model.parameters()]
[(4, 2), (4, 1), (1, 4), (1, 1)]
"""

from . import init, regularization
from .batchnorm import BatchNorm
from .containers import Sequential, deep_network, two_layer_network
from .dropout import Dropout, dropout_network
from .layers import ACTIVATIONS, LeakyReLU, Linear, ReLU, Sigmoid, Tanh, activation
from .module import Module
from .regularization import l2_penalty

__all__ = [
    "ACTIVATIONS",
    "BatchNorm",
    "Dropout",
    "LeakyReLU",
    "Linear",
    "Module",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "activation",
    "deep_network",
    "dropout_network",
    "init",
    "l2_penalty",
    "regularization",
    "two_layer_network",
]
