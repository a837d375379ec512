"""The course's two-layer network as an ``nn`` model: its backward trace and its graph.

    python examples/two_layer_graph.py [PATH]     # default: two_layer_graph.png

Prints the trace of one backward pass and draws the graph, each op numbered
by its backward step, to PATH (.png, .svg, .pdf or .dot). This script made
docs/img/two_layer_graph.png:

    python examples/two_layer_graph.py docs/img/two_layer_graph.png
"""

from __future__ import annotations

import sys

import numpy as np

import tinygrad_edu as tge
import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, nn
from tinygrad_edu.manual import two_layer


def main(argv: list[str]) -> int:
    path = argv[0] if argv else "two_layer_graph.png"
    rng = np.random.RandomState(1)
    X = Tensor(rng.randn(2, 5), name="X")  # (n_x, m)
    Y = Tensor([[0.0, 1.0, 1.0, 0.0, 1.0]], name="Y")  # (1, m)

    model = nn.two_layer_network(n_x=2, n_h=4, n_y=1)
    model.load_params(two_layer.init_params(2, 4, 1))  # the course's initial weights
    # The layers call their parameters W and b; give them the course's names.
    names = {}
    for l, layer in enumerate(model.linear_layers(), start=1):
        names[f"W{l}"], names[f"b{l}"] = layer.W, layer.b

    Z2, named = model.forward_named(X)  # names Z1, A1, Z2
    J = F.binary_cross_entropy_with_logits(Z2, Y)
    J.name = "J"
    with tge.trace(names=names) as t:
        J.backward()
    print(t)
    tge.draw(J, path, names=names, trace=t)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
