"""The course's practical experiments with autodiff: ``python -m tinygrad_edu experiment NAME``.

Each experiment trains a few networks that differ in one choice and prints a
small table of what the course found:

    init            zeros vs large random (×10) vs He initialisation
    regularization  no regularisation vs L2 (λ = 0.7) vs dropout (keep_prob = 0.86)
    optimizers      mini-batch gradient descent vs momentum vs Adam
    batchnorm       a deep network with and without batch normalisation

The training loops use the library's autodiff path (``nn`` models,
``functional`` costs, ``optim`` optimisers); data, weights, dropout masks and
mini-batches are all seeded, so every run prints the same table.
``quick=True`` runs a shorter version (fewer iterations) for tests and a first
look; the qualitative outcome is the same, the numbers are not.

>>> result = run("init", quick=True)
>>> [name for name, _ in result.rows]
['zeros', 'large (×10)', 'he']
>>> result.metrics["zeros"]["train accuracy"]
0.5
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import data, nn
from . import functional as F
from .autograd import no_grad
from .minibatch import minibatches
from .nn.module import Module
from .optim import SGD, Adam, Momentum, Optimizer
from .tensor import Tensor

PLOT_FILE = "experiment_{name}.png"
# (full, quick) iterations of batch gradient descent, or epochs of mini-batches: the quick
# runs are long enough for the qualitative outcome, not for the full run's numbers.
INIT_ITERATIONS = (3_000, 1_500)
REGULARIZATION_ITERATIONS = (8_000, 2_000)
OPTIMIZER_EPOCHS = (2_000, 200)
BATCHNORM_ITERATIONS = (2_000, 200)


@dataclass
class ExperimentResult:
    """What an experiment found: one table row and one cost curve per variant.

    ``rows`` are ``(variant, cells)`` with the cells already formatted under
    ``columns``; ``metrics[variant]`` holds the same numbers unformatted (for
    tests); ``curves[variant]`` is the cost recorded during training, one
    value every ``curve_step`` iterations (or epochs).
    """

    name: str
    title: str
    columns: list[str]
    rows: list[tuple[str, list[str]]] = field(default_factory=list)
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    curves: dict[str, list[float]] = field(default_factory=dict)
    curve_label: str = "iteration"

    def add(
        self, variant: str, metrics: dict[str, float], cells: list[str], costs: list[float]
    ) -> None:
        """Record one variant: its numbers, their formatted cells, its cost curve."""
        self.metrics[variant] = metrics
        self.rows.append((variant, cells))
        self.curves[variant] = costs

    def table(self) -> str:
        """The rows as an aligned text table: variant names left, numbers right."""
        header = ["", *self.columns]
        body = [[variant, *cells] for variant, cells in self.rows]
        widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

        def line(row: Sequence[str]) -> str:
            first = row[0].ljust(widths[0])
            rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
            return "  ".join([first, *rest]).rstrip()

        rule = "  ".join("-" * width for width in widths)
        return "\n".join([line(header), rule, *(line(row) for row in body)])

    def __str__(self) -> str:
        return f"{self.title}\n\n{self.table()}"


# The training loop shared by every experiment ---------------------------------------------


def _steps(steps: tuple[int, int], quick: bool) -> int:
    """The (full, quick) number of iterations or epochs: the second one when ``quick``."""
    return steps[1] if quick else steps[0]


def _cost(model: Module, X: np.ndarray, Y: np.ndarray, lambd: float) -> Tensor:
    """J = BCE(σ(Z[L]), Y), plus (λ / 2m) Σ ‖W[l]‖² when λ > 0."""
    J = F.binary_cross_entropy_with_logits(model(X), Y)
    if lambd > 0:
        J = J + nn.l2_penalty(model, lambd, X.shape[1])
    return J


def _fit(
    model: Module,
    optimizer: Optimizer,
    X: np.ndarray,
    Y: np.ndarray,
    epochs: int,
    batch_size: int | None = None,
    lambd: float = 0.0,
) -> list[float]:
    """Train ``model`` for ``epochs`` passes over (X, Y); returns the cost of each epoch.

    ``batch_size=None`` is batch gradient descent (one step per epoch, the
    cost before it); otherwise each epoch reshuffles with seed = epoch and the
    epoch's cost is the average of its mini-batch costs, weighted by size.
    """
    costs = []
    for epoch in range(epochs):
        batches = [(X, Y)] if batch_size is None else minibatches(X, Y, batch_size, seed=epoch)
        total = 0.0
        for X_batch, Y_batch in batches:
            optimizer.zero_grad()
            J = _cost(model, X_batch, Y_batch, lambd)
            J.backward()
            optimizer.step()
            total += J.item() * X_batch.shape[1]
        costs.append(total / X.shape[1])
    return costs


def _evaluate(model: Module, X: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
    """(cost J, accuracy) of ``model`` on (X, Y) in evaluation mode; left in training mode after."""
    model.eval()
    with no_grad():
        Z = model(X)
        J = F.binary_cross_entropy_with_logits(Z, Y).item()
    model.train()
    accuracy = float(np.mean((Z.data > 0) == Y))  # σ(Z) > 0.5 exactly when Z > 0
    return J, accuracy


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.1f} %"


def _he(model: Module, seed: int = 3) -> Module:
    return nn.init.initialize(model, "he", seed=seed)


# The experiments -------------------------------------------------------------------------


def init_experiment(quick: bool = False) -> ExperimentResult:
    """Zeros, large random (randn × 10) and He weights for a relu net [2, 10, 5, 1] on circles.

    Batch gradient descent, learning rate 0.01, 3,000 iterations (1,500 quick).
    Zeros never breaks symmetry (every unit of a layer stays identical, and here
    every weight stays 0): the cost stays ln 2 and the accuracy 50 %. Large
    weights start with an enormous cost and learn slowly; He learns well.
    """
    X, Y = data.noisy_circles(m=300, noise=0.08, factor=0.5, seed=1)
    iterations = _steps(INIT_ITERATIONS, quick)
    result = ExperimentResult(
        "init",
        f"init: relu net [2, 10, 5, 1] on noisy circles (m = 300), batch gradient descent, "
        f"learning rate 0.01, {iterations} iterations",
        ["first cost", "final cost", "train accuracy"],
    )
    for method, label in (("zeros", "zeros"), ("large", "large (×10)"), ("he", "he")):
        model = nn.init.initialize(nn.deep_network([2, 10, 5, 1]), method, seed=3)
        costs = _fit(model, SGD(model.parameters(), lr=0.01), X, Y, iterations)
        final, accuracy = _evaluate(model, X, Y)
        metrics = {"first cost": costs[0], "final cost": final, "train accuracy": accuracy}
        cells = [f"{costs[0]:.4g}", f"{final:.4f}", _percent(accuracy)]
        result.add(label, metrics, cells, costs)
    return result


def regularization_experiment(quick: bool = False) -> ExperimentResult:
    """No regularisation, L2 (λ = 0.7) and dropout (keep_prob = 0.86) on a small noisy training set.

    Noisy moons (noise 0.3, seed 2, shuffled): the first 100 examples train, the
    other 400 test. A relu net [2, 40, 20, 1] with He weights, batch gradient
    descent at learning rate 0.3, 8,000 iterations (2,000 quick). Unregularised,
    it fits the training set's noise; L2 and dropout give up some training
    accuracy and generalise better.
    """
    X, Y = data.noisy_moons(m=500, noise=0.3, seed=2, shuffle=True)
    n_train = 100
    X_train, Y_train, X_test, Y_test = (
        X[:, :n_train],
        Y[:, :n_train],
        X[:, n_train:],
        Y[:, n_train:],
    )
    layer_dims = [2, 40, 20, 1]
    iterations = _steps(REGULARIZATION_ITERATIONS, quick)
    result = ExperimentResult(
        "regularization",
        f"regularization: relu net {layer_dims} on noisy moons (100 train, 400 test), "
        f"He weights, learning rate 0.3, {iterations} iterations",
        ["train cost", "train accuracy", "test accuracy", "gap"],
    )
    variants: list[tuple[str, Module, float]] = [
        ("none", nn.deep_network(layer_dims), 0.0),
        ("L2 (λ = 0.7)", nn.deep_network(layer_dims), 0.7),
        ("dropout (keep 0.86)", nn.dropout_network(layer_dims, keep_prob=0.86, seed=1), 0.0),
    ]
    for label, model, lambd in variants:
        _he(model)
        optimizer = SGD(model.parameters(), lr=0.3)
        costs = _fit(model, optimizer, X_train, Y_train, iterations, lambd=lambd)
        train_cost, train_accuracy = _evaluate(model, X_train, Y_train)
        _, test_accuracy = _evaluate(model, X_test, Y_test)
        gap = train_accuracy - test_accuracy
        metrics = {
            "train cost": train_cost,
            "train accuracy": train_accuracy,
            "test accuracy": test_accuracy,
            "gap": gap,
        }
        cells = [f"{train_cost:.4f}", _percent(train_accuracy), _percent(test_accuracy)]
        result.add(label, metrics, [*cells, _percent(gap)], costs)
    return result


def optimizers_experiment(quick: bool = False) -> ExperimentResult:
    """Mini-batch gradient descent, momentum (β = 0.9) and Adam on noisy moons, same learning rate.

    Noisy moons (m = 300, noise 0.2, seed 3), mini-batches of 64 reshuffled every
    epoch, a relu net [2, 5, 2, 1] with He weights, learning rate 0.0007 (the
    course's), 2,000 epochs (200 quick). The table shows the epoch's average
    mini-batch cost at a few epochs, then the final training accuracy.
    """
    X, Y = data.noisy_moons(m=300, noise=0.2, seed=3)
    epochs = _steps(OPTIMIZER_EPOCHS, quick)
    shown = sorted({0, epochs // 4, epochs // 2, 3 * epochs // 4, epochs - 1})
    result = ExperimentResult(
        "optimizers",
        f"optimizers: relu net [2, 5, 2, 1] on noisy moons (m = 300), mini-batches of 64, "
        f"He weights, learning rate 0.0007, {epochs} epochs",
        [*(f"epoch {epoch}" for epoch in shown), "train accuracy"],
        curve_label="epoch",
    )
    makers: list[tuple[str, Callable[[list[Tensor]], Optimizer]]] = [
        ("gradient descent", lambda params: SGD(params, lr=0.0007)),
        ("momentum", lambda params: Momentum(params, lr=0.0007, beta=0.9)),
        ("adam", lambda params: Adam(params, lr=0.0007)),
    ]
    for label, make in makers:
        model = _he(nn.deep_network([2, 5, 2, 1]))
        costs = _fit(model, make(model.parameters()), X, Y, epochs, batch_size=64)
        _, accuracy = _evaluate(model, X, Y)
        metrics = {"first cost": costs[0], "final cost": costs[-1], "train accuracy": accuracy}
        cells = [f"{costs[epoch]:.4f}" for epoch in shown]
        result.add(label, metrics, [*cells, _percent(accuracy)], costs)
    return result


def _batchnorm_network(layer_dims: list[int]) -> nn.Sequential:
    """Linear → BatchNorm → relu for every hidden layer, then a Linear output (logits)."""
    layers: list[Module] = []
    for l in range(1, len(layer_dims)):
        layers.append(nn.Linear(layer_dims[l - 1], layer_dims[l]))
        if l < len(layer_dims) - 1:
            layers.append(nn.BatchNorm(layer_dims[l]))
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def batchnorm_experiment(quick: bool = False) -> ExperimentResult:
    """A five-layer relu net with and without BatchNorm, the same small weights and learning rate.

    Gaussian quantiles (m = 300, two rings, seed 0); the net [2, 16, 16, 16, 16, 1]
    starts from the course's "small" weights (randn × 0.01), batch gradient
    descent at learning rate 0.1, 2,000 iterations (200 quick). Without batch
    norm the signal shrinks by about 100 at every layer and the gradients of
    the first layers vanish; with it every layer's Z is rescaled to mean 0,
    variance 1 and the network learns.
    """
    X, Y = data.gaussian_quantiles(m=300, n_classes=2, seed=0)
    layer_dims = [2, 16, 16, 16, 16, 1]
    iterations = _steps(BATCHNORM_ITERATIONS, quick)
    result = ExperimentResult(
        "batchnorm",
        f"batchnorm: relu net {layer_dims} on gaussian quantiles (m = 300), weights "
        f"randn × 0.01, batch gradient descent, learning rate 0.1, {iterations} iterations",
        ["first cost", "final cost", "train accuracy"],
    )
    variants = [
        ("without batch norm", nn.deep_network(layer_dims)),
        ("with batch norm", _batchnorm_network(layer_dims)),
    ]
    for label, model in variants:
        nn.init.initialize(model, "small", seed=3)
        costs = _fit(model, SGD(model.parameters(), lr=0.1), X, Y, iterations)
        final, accuracy = _evaluate(model, X, Y)
        metrics = {"first cost": costs[0], "final cost": final, "train accuracy": accuracy}
        cells = [f"{costs[0]:.4f}", f"{final:.4f}", _percent(accuracy)]
        result.add(label, metrics, cells, costs)
    return result


EXPERIMENTS: dict[str, Callable[..., ExperimentResult]] = {
    "init": init_experiment,
    "regularization": regularization_experiment,
    "optimizers": optimizers_experiment,
    "batchnorm": batchnorm_experiment,
}


def run(name: str, quick: bool = False) -> ExperimentResult:
    """Run the experiment ``name`` (one of ``EXPERIMENTS``); ``quick=True`` for a short version."""
    if name not in EXPERIMENTS:
        valid = ", ".join(repr(n) for n in EXPERIMENTS)
        raise ValueError(f"unknown experiment {name!r}; choose one of {valid}")
    return EXPERIMENTS[name](quick=quick)


def save_plot(result: ExperimentResult, directory: str | Path) -> Path:
    """Draw ``result``'s cost curves (log scale) as ``experiment_NAME.png`` in ``directory``.

    Uses ``plots.plot_costs`` (Agg, no window); needs the ``plot`` extra, and
    raises ImportError saying so without it.
    """
    from . import plots

    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"--plot {directory}: this is a file; give a directory for the pictures")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / PLOT_FILE.format(name=result.name)
    figure: Any = plots.plot_costs(result.curves, title=f"Cost J: {result.name}")
    axes = figure.axes[0]
    axes.set_yscale("log")  # the costs of one experiment can differ by orders of magnitude
    axes.set_xlabel(result.curve_label)
    figure.savefig(path, dpi=100)
    return path
