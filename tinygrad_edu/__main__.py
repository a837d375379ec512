"""``python -m tinygrad_edu``: a first look at backprop.

Builds a tiny network with one hidden layer on a few columns of data, runs
``backward`` and prints every parameter's gradient beside its centred
finite-difference estimate and the course's relative difference.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from . import __version__
from . import functional as F
from .gradcheck import gradcheck
from .tensor import Tensor


def demo(seed: int = 1, m: int = 5) -> bool:
    """Print the demo; return True when every gradient passes the check."""
    rng = np.random.RandomState(seed)
    X = Tensor(rng.randn(2, m), name="X")  # (n_x, m): one column per example
    Y = Tensor((rng.rand(1, m) > 0.5).astype(float), name="Y")  # (1, m)
    params = [
        Tensor(rng.randn(3, 2) * 0.5, requires_grad=True, name="W1"),  # (n_h, n_x)
        Tensor(np.zeros((3, 1)), requires_grad=True, name="b1"),  # (n_h, 1)
        Tensor(rng.randn(1, 3) * 0.5, requires_grad=True, name="W2"),  # (1, n_h)
        Tensor(np.zeros((1, 1)), requires_grad=True, name="b2"),  # (1, 1)
    ]

    def cost(W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor) -> Tensor:
        A1 = (W1 @ X + b1).tanh()
        Z2 = W2 @ A1 + b2
        return F.binary_cross_entropy_with_logits(Z2, Y)

    J = cost(*params)
    print(f"tinygrad_edu {__version__}: a network with one hidden layer, tanh then sigmoid")
    print(f"X {X.shape}, Y {Y.shape}, m = {m}")
    print(f"J = {J.item():.6f}   (made by {J.grad_fn!r})")
    J.backward()
    result = gradcheck(cost, params)
    print("\nevery gradient, by backprop and by centred differences (J(θ+ε) − J(θ−ε)) / 2ε:")
    print(f"{'entry':<10} {'backprop':>14} {'numerical':>14} {'|difference|':>13}")
    for p, row in zip(params, result.rows):
        for index in np.ndindex(p.shape):
            grad, approx = p.grad[index], row.grad_approx[index]
            entry = f"d{p.name}[{','.join(map(str, index))}]"
            print(f"{entry:<10} {grad:>14.9f} {approx:>14.9f} {abs(grad - approx):>13.2e}")
    print("\nthe course's check, per parameter:")
    print(result)
    return bool(result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tinygrad_edu",
        description="Build a small graph, run backward, and check every gradient "
        "against finite differences.",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the data and weights (default 1)")
    parser.add_argument("--examples", "-m", type=int, default=5, help="number of examples m (default 5)")
    parser.add_argument("--version", action="version", version=f"tinygrad_edu {__version__}")
    args = parser.parse_args(argv)
    if args.examples < 1:
        parser.error("--examples must be at least 1")
    return 0 if demo(args.seed, args.examples) else 1


if __name__ == "__main__":
    sys.exit(main())
