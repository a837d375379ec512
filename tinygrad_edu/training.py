"""Batch gradient descent on the course's networks, by autodiff or by the hand-derived equations.

Both engines start from the same parameters (the course's initialisation),
see the same data and apply the same update ``θ := θ − α dθ``, so their cost
histories agree to rounding: the test that autodiff *is* the course's backprop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import functional as F
from .compare import check_single_output
from .manual import deep, two_layer
from .minibatch import minibatches
from .nn import deep_network
from .optim import SGD

ENGINES = ("autodiff", "manual")

Params = dict[str, np.ndarray]
Callback = Callable[[int, float], None]


@dataclass
class TrainingResult:
    """The trained parameters (course dict), the cost before each update, and the engine used."""

    params: Params
    costs: list[float]
    engine: str
    layer_dims: list[int]
    hidden_activation: str
    history: dict[str, Any] = field(default_factory=dict)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """0/1 predictions ``(1, m)``: 1 where the network's output σ(Z[L]) > 0.5."""
        AL, _ = deep.model_forward(
            np.asarray(X, dtype=np.float64), self.params, self.hidden_activation
        )
        return (AL > 0.5).astype(np.float64)

    def accuracy(self, X: np.ndarray, Y: np.ndarray) -> float:
        """Fraction of the columns of ``X`` whose prediction equals ``Y``."""
        return float(np.mean(self.predict(X) == np.asarray(Y)))


def init_params(layer_dims: list[int], seed: int = 2, init: str = "small") -> Params:
    """The course's starting point: for one hidden layer, ``manual.two_layer.init_params``
    (seed 2 gives the notebook's weights); otherwise ``manual.deep.init_params``."""
    if len(layer_dims) == 3 and init == "small":
        return two_layer.init_params(*layer_dims, seed=seed)  # type: ignore[misc]  # 3 sizes
    return deep.init_params(layer_dims, seed=seed, method=init)


def train(
    X: np.ndarray,
    Y: np.ndarray,
    layer_dims: list[int],
    hidden_activation: str = "tanh",
    learning_rate: float = 1.2,
    iterations: int = 10_000,
    seed: int = 2,
    engine: str = "autodiff",
    init: str = "small",
    params: Params | None = None,
    callback: Callback | None = None,
    batch_size: int | None = None,
) -> TrainingResult:
    """Train the network ``layer_dims = [n_x, n_h, …, n_y]`` for ``iterations`` steps.

    ``engine="autodiff"`` builds it from ``nn`` layers and calls ``backward``;
    ``engine="manual"`` uses the course's equations. ``callback(i, cost)`` is
    called after every iteration ``i`` (0-based) with the cost before its update.
    With ``batch_size``, each iteration is an epoch of mini-batch gradient
    descent (``minibatch.minibatches``, reshuffled with seed = epoch), and its
    cost is the mean over the epoch's examples of the costs before each update.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate}")
    if iterations < 0:
        raise ValueError(f"iterations must be at least 0, got {iterations}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    check_single_output(Y)
    start = (
        {key: np.array(value, dtype=np.float64) for key, value in params.items()}
        if params
        else init_params(layer_dims, seed, init)
    )
    step = _autodiff_steps if engine == "autodiff" else _manual_steps
    batches = _epochs(X, Y, iterations, batch_size)
    final, costs = step(batches, layer_dims, hidden_activation, learning_rate, start, callback)
    return TrainingResult(final, costs, engine, list(layer_dims), hidden_activation)


Batches = list[tuple[np.ndarray, np.ndarray]]


def _epochs(
    X: np.ndarray, Y: np.ndarray, iterations: int, batch_size: int | None
) -> Iterator[Batches]:
    """Each iteration's batches: the whole set, or an epoch of shuffled mini-batches."""
    for epoch in range(iterations):
        if batch_size is None:
            yield [(X, Y)]
        else:
            yield list(minibatches(X, Y, batch_size, seed=epoch))


def _epoch_cost(batch_costs: list[float], batches: Batches) -> float:
    """The mean cost over the epoch's examples (each batch weighs its own size)."""
    sizes = [Xb.shape[1] for Xb, _ in batches]
    return float(sum(c * n for c, n in zip(batch_costs, sizes)) / sum(sizes))


def _autodiff_steps(epochs, layer_dims, activation, learning_rate, params, callback):
    model = deep_network(layer_dims, activation).load_params(params)
    optimizer = SGD(model.parameters(), lr=learning_rate)
    costs = []
    for i, batches in enumerate(epochs):
        batch_costs = []
        for Xb, Yb in batches:
            optimizer.zero_grad()
            J = F.binary_cross_entropy_with_logits(model(Xb), Yb)
            J.backward()
            optimizer.step()
            batch_costs.append(J.item())
        costs.append(_epoch_cost(batch_costs, batches))
        if callback is not None:
            callback(i, costs[-1])
    return model.course_params(), costs


def _manual_steps(epochs, layer_dims, activation, learning_rate, params, callback):
    costs = []
    for i, batches in enumerate(epochs):
        batch_costs = []
        for Xb, Yb in batches:
            if len(layer_dims) == 3:  # the course's one-hidden-layer equations
                A2, cache = two_layer.forward(Xb, params, activation)
                batch_costs.append(two_layer.cost(A2, Yb))
                grads = two_layer.backward(params, cache, Xb, Yb, activation)
                params = two_layer.update(params, grads, learning_rate)
            else:
                AL, caches = deep.model_forward(Xb, params, activation)
                batch_costs.append(deep.cost(AL, Yb))
                grads = deep.model_backward(AL, Yb, caches, activation)
                params = deep.update(params, grads, learning_rate)
        costs.append(_epoch_cost(batch_costs, batches))
        if callback is not None:
            callback(i, costs[-1])
    return params, costs
