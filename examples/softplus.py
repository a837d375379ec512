"""Write your own op: softplus, its gradient rule, and gradcheck catching a wrong rule.

    python examples/softplus.py

The walk-through is docs/write_your_own_op.md. Exit code 0 when the right rule
passes the gradient check and the wrong one fails it.
"""

from __future__ import annotations

import sys

import numpy as np

import tinygrad_edu as tge
from tinygrad_edu import Function, Tensor, gradcheck


class Softplus(Function):
    """out = ln(1 + eˣ);  dx = dout · σ(x)

    Saves x; np.logaddexp(0, x) is ln(1 + eˣ) without overflow for large x.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0, x)

    @staticmethod
    def backward(ctx, dout):
        (x,) = ctx.saved_tensors
        return dout / (1 + np.exp(-x))  # dout · σ(x)


class WrongSoftplus(Softplus):
    """out = ln(1 + eˣ);  dx = dout · σ(−x)   (a sign slip: the derivative is σ(x))"""

    @staticmethod
    def backward(ctx, dout):
        (x,) = ctx.saved_tensors
        return dout / (1 + np.exp(x))  # dout · σ(−x): wrong


def main() -> int:
    x = Tensor(np.linspace(-3, 3, 7), name="x")

    # The op returns a vector, so gradcheck checks J = Σ u · softplus(x) for a random u.
    right = gradcheck(lambda x: Softplus.apply(x), [x])
    print("Softplus with dx = dout · σ(x):")
    print(right)

    wrong = gradcheck(lambda x: WrongSoftplus.apply(x), [x])
    print("\nWrongSoftplus with dx = dout · σ(−x):")
    print(wrong)

    # The trace shows your op's rule, taken from line 1 of its docstring.
    w = Tensor([-1.0, 0.0, 2.0], requires_grad=True, name="w")
    a = Softplus.apply(w)
    a.name = "a"
    J = a.sum()
    J.name = "J"
    with tge.trace() as t:
        J.backward()
    print()
    print(t)
    return 0 if right and not wrong else 1


if __name__ == "__main__":
    sys.exit(main())
