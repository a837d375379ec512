"""The course's hand-derived equations, in plain NumPy.

`two_layer` is the network with one hidden layer (forward, cost, the six
backprop equations, update); `deep` is the L-layer network built from
per-layer forward and backward blocks joined by caches; `activations` holds
each g beside its derivative g'; `optimizers` holds momentum, RMSProp and
Adam on the course's parameter dicts. Nothing here uses autodiff: these
functions are the oracle the autodiff engine is checked against, number for
number.
"""

from . import activations, deep, optimizers, two_layer

__all__ = ["activations", "deep", "optimizers", "two_layer"]
