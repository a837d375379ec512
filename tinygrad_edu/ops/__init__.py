"""The op library: one ``Function`` per op, forward and gradient rule side by side.

Families, one module each:

- ``arithmetic``: ``+ - * / **``, negation, ``exp log sqrt abs``, ``clip``,
  ``maximum minimum where``
- ``activations``: ``tanh sigmoid relu leaky_relu softmax log_softmax``
- ``reductions``: ``sum mean max``
- ``matmul``: ``@``
- ``shape``: ``reshape transpose``, indexing, ``concatenate stack``
- ``losses``: binary cross-entropy (plain and with logits), cross-entropy, MSE

Each class's docstring starts with its rule in the course's notation
(``dout`` is the gradient arriving from above, ``dx`` the one sent to ``x``).
Gradients are written at the shape of the op's result; the engine sums away
broadcast axes afterwards (``autograd.unbroadcast``).
"""

from .activations import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .arithmetic import (
    Abs,
    Add,
    Clip,
    Div,
    Exp,
    Log,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Sqrt,
    Sub,
    Where,
)
from .losses import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, CrossEntropy, MSELoss
from .matmul import MatMul
from .reductions import Max, Mean, Sum
from .shape import Concatenate, GetItem, Reshape, Stack, Transpose

__all__ = [
    "Abs", "Add", "BinaryCrossEntropy", "BinaryCrossEntropyWithLogits", "Clip",
    "Concatenate", "CrossEntropy", "Div", "Exp", "GetItem", "LeakyReLU", "Log",
    "LogSoftmax", "MSELoss", "MatMul", "Max", "Maximum", "Mean", "Minimum", "Mul",
    "Neg", "Pow", "ReLU", "Reshape", "Sigmoid", "Softmax", "Sqrt", "Stack", "Sub",
    "Sum", "Tanh", "Transpose", "Where",
]  # fmt: skip
