"""tinygrad_edu: a small autograd engine on NumPy that shows backprop, step by step.

>>> import tinygrad_edu as tge
>>> W = tge.Tensor([[0.5, -0.3]], requires_grad=True, name="W")   # (1, 2)
>>> X = tge.Tensor([[1.0, 2.0], [3.0, 4.0]])                       # (2, m=2)
>>> J = (W @ X).tanh().mean()
>>> J.backward()
>>> W.grad.shape
(1, 2)
"""

from . import functional, nn, optim
from .autograd import Context, Function, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck, numerical_gradient, relative_difference
from .tensor import Tensor
from .viz import draw, to_dot, trace

__version__ = "0.1.0"

__all__ = [
    "Context",
    "Function",
    "Tensor",
    "draw",
    "enable_grad",
    "functional",
    "nn",
    "optim",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "numerical_gradient",
    "relative_difference",
    "set_grad_enabled",
    "to_dot",
    "trace",
]
