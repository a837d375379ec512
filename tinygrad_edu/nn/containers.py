"""``Sequential`` and the course's two networks built from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np

from ..tensor import Tensor
from .layers import Linear, activation
from .module import Module


class Sequential(Module):
    """Layers applied in order: ``Sequential(Linear(2, 4), Tanh(), Linear(4, 1))``.

    Its Linear layers are the course's layers 1 … L, so the model reads and
    writes the course's parameter dict ``{"W1": …, "b1": …, …}``.
    """

    def __init__(self, *layers: Module) -> None:
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential takes Modules; argument {i} is {type(layer).__name__}")
        self.layers = list(layers)

    def forward(self, X: Any) -> Tensor:
        out = X
        for layer in self.layers:
            out = layer(out)
        return cast(Tensor, out)  # a Tensor from the last layer (X as given if there is none)

    def forward_named(self, X: Any) -> tuple[Tensor, dict[str, Tensor]]:
        """Forward pass that names each intermediate as the course does: Z1, A1, Z2, …

        Returns the output and ``{"Z1": Z1, "A1": A1, …}``; every intermediate
        keeps its gradient (``retain_grad``) so ``Z1.grad`` can be read after
        backward.
        """
        named: dict[str, Tensor] = {}
        out = X if isinstance(X, Tensor) else Tensor(X)
        layer_index = 0
        for layer in self.layers:
            out = layer(out)
            if isinstance(layer, Linear):
                layer_index += 1
                prefix = "Z"
            else:
                prefix = "A"
            out.name = f"{prefix}{layer_index}"
            if out.requires_grad:
                out.retain_grad()
            named[out.name] = out
        return out, named

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def linear_layers(self) -> list[Any]:
        return [layer for layer in self.layers if isinstance(layer, Linear)]

    def course_params(self) -> dict[str, np.ndarray]:
        """The parameters as the course's dict of arrays (copies): ``{"W1": …, "b1": …}``."""
        params = {}
        for l, layer in enumerate(self.linear_layers(), start=1):
            params[f"W{l}"] = layer.W.data.copy()
            params[f"b{l}"] = layer.b.data.copy()
        return params

    def load_params(self, params: Mapping[str, Any]) -> Sequential:
        """Copy the course's parameter dict (e.g. from ``manual``) into the Linear layers."""
        layers = self.linear_layers()
        expected = {f"{kind}{l}" for l in range(1, len(layers) + 1) for kind in "Wb"}
        if set(params) != expected:
            raise ValueError(
                f"load_params: the model has {len(layers)} linear layers and needs keys "
                f"{sorted(expected)}, got {sorted(params)}"
            )
        for l, layer in enumerate(layers, start=1):
            for kind in "Wb":
                target = getattr(layer, kind)
                value = np.asarray(params[f"{kind}{l}"], dtype=target.dtype)
                if value.shape != target.shape:
                    raise ValueError(
                        f"load_params: {kind}{l} has shape {value.shape}, the layer "
                        f"needs {target.shape}"
                    )
                target.data = value.copy()
                target.grad = None
        return self


def two_layer_network(n_x: int, n_h: int, n_y: int = 1, activation: str = "tanh") -> Sequential:
    """The course's network with one hidden layer; it outputs the logits Z2 (no sigmoid).

    Pair it with ``F.binary_cross_entropy_with_logits``; weights as
    ``manual.two_layer.init_params`` draws them (load them to match exactly).
    """
    return deep_network([n_x, n_h, n_y], hidden_activation=activation)


def deep_network(layer_dims: list[int], hidden_activation: str = "relu") -> Sequential:
    """L Linear layers of sizes ``[n0, n1, …, nL]``, ``hidden_activation`` between, logits out."""
    if len(layer_dims) < 2:
        raise ValueError(f"layer_dims needs at least [n_x, n_y], got {layer_dims}")
    layers: list[Module] = []
    for l in range(1, len(layer_dims)):
        linear = Linear(layer_dims[l - 1], layer_dims[l], seed=l)
        linear.W.name, linear.b.name = f"W{l}", f"b{l}"  # the course's names, in traces too
        layers.append(linear)
        if l < len(layer_dims) - 1:
            layers.append(activation(hidden_activation))
    return Sequential(*layers)
