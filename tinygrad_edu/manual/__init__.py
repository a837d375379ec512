"""The course's hand-derived equations, in plain NumPy.

`two_layer` is the network with one hidden layer (forward, cost, the six
backprop equations, update); `deep` is the L-layer network built from
per-layer forward and backward blocks joined by caches; `activations` holds
each g beside its derivative g'; `optimizers` holds momentum, RMSProp and
Adam on the course's parameter dicts; `init`, `regularization` (L2, inverted
dropout), `batchnorm` and `softmax` (a multi-class output) are the rest of the
course's practical toolkit. Nothing here uses autodiff: these
functions are the oracle the autodiff engine is checked against, number for
number.
"""

from . import activations, batchnorm, deep, init, optimizers, regularization, softmax, two_layer

__all__ = [
    "activations",
    "batchnorm",
    "deep",
    "init",
    "optimizers",
    "regularization",
    "softmax",
    "two_layer",
]
