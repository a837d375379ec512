"""``Module``: what every layer and model has (parameters, zero_grad, train/eval)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..tensor import Tensor


class Module:
    """Base class of layers and models: finds its parameters, zeroes their gradients.

    A parameter is any attribute that is a Tensor requiring grad; attributes
    that are Modules (or lists of Modules) are searched too, in the order
    they were set.
    """

    training: bool = True

    def forward(self, *inputs: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *inputs: Any) -> Tensor:
        return self.forward(*inputs)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        for name, value in vars(self).items():
            if isinstance(value, Tensor) and value.requires_grad:
                yield prefix + name, value
            elif isinstance(value, Module):
                yield from value.named_parameters(f"{prefix}{name}.")
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield from item.named_parameters(f"{prefix}{name}.{i}.")

    def parameters(self) -> list[Tensor]:
        """Every parameter, each once, in a stable order."""
        seen: dict[int, Tensor] = {}
        for _, p in self.named_parameters():
            seen.setdefault(id(p), p)
        return list(seen.values())

    def zero_grad(self) -> None:
        """Forget the accumulated gradients (call before each backward in a training loop)."""
        for p in self.parameters():
            p.grad = None

    def modules(self) -> Iterator[Module]:
        yield self
        for value in vars(self).values():
            children = value if isinstance(value, (list, tuple)) else [value]
            for child in children:
                if isinstance(child, Module):
                    yield from child.modules()

    def train(self, mode: bool = True) -> Module:
        """Training mode (the default); layers such as dropout behave differently in it."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)
