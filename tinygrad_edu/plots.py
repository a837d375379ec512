"""Pictures of training: the cost curve and a classifier's decision boundary (matplotlib).

Needs the ``plot`` extra (``pip install tinygrad_edu[plot]``); without it each
function raises ImportError saying so. Figures are drawn with matplotlib's
Agg backend directly (no pyplot, no window, the global backend untouched), so
this works on a server and in tests; in Jupyter a returned ``Figure`` shows
inline.

>>> from tinygrad_edu.training import train
>>> from tinygrad_edu.data import planar_flower
>>> X, Y = planar_flower()
>>> result = train(X, Y, [2, 4, 1], iterations=100)
>>> figure = plot_costs(result.costs)                        # doctest: +SKIP
>>> figure = plot_decision_boundary(result.predict, X, Y)    # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

PLOT_HINT = "install tinygrad_edu[plot]"
COST_FILE = "cost.png"
BOUNDARY_FILE = "decision_boundary.png"
GRID_POINTS = 300  # grid points along each axis of the decision-boundary picture
MARGIN = 1.0  # how far the picture extends beyond the data, in data units
POINT_COLORS = ("#b2182b", "#2166ac")  # class 0 red, class 1 blue
REGION_COLORS = ("#f4a582", "#92c5de")  # the same, lighter
LINE_STYLES = ("-", "--", ":", "-.")  # curves that coincide (autodiff, manual) stay visible


def require_matplotlib() -> None:
    """Raise ImportError, saying what to install, unless matplotlib can be imported."""
    _figure_class()


def _figure_class() -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError(f"plots need matplotlib: {PLOT_HINT}") from None

    def new_figure(**kwargs: Any) -> Any:
        figure = Figure(**kwargs)
        FigureCanvasAgg(figure)  # render with Agg
        return figure

    return new_figure


def _save(figure: Any, path: str | Path | None) -> None:
    if path is not None:
        figure.savefig(Path(path), dpi=100)


def plot_costs(
    costs: Sequence[float] | Mapping[str, Sequence[float]],
    path: str | Path | None = None,
    title: str = "Cost J over the iterations of gradient descent",
) -> Any:
    """The cost curve: ``costs[i]`` is J before update ``i``. Several named curves (e.g.
    ``{"autodiff": …, "manual": …}``) share the axes. Saved as PNG to ``path`` if given;
    returns the matplotlib Figure."""
    figure = _figure_class()(figsize=(6, 4))
    axes = figure.add_subplot()
    curves = costs if isinstance(costs, Mapping) else {"cost": costs}
    for i, (name, values) in enumerate(curves.items()):
        style = LINE_STYLES[i % len(LINE_STYLES)]
        axes.plot(np.arange(len(values)), np.asarray(values, dtype=float), style, label=name)
    axes.set_xlabel("iteration")
    axes.set_ylabel("cost J")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    if isinstance(costs, Mapping):
        axes.legend()
    figure.tight_layout()
    _save(figure, path)
    return figure


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    path: str | Path | None = None,
    title: str = "Decision boundary",
) -> Any:
    """The regions a classifier labels 0 and 1, with the examples on top.

    ``predict`` maps points ``(2, k)`` (columns, as ``X``) to labels ``(1, k)``;
    ``X`` is ``(2, m)`` and ``Y`` ``(1, m)``. Saved as PNG to ``path`` if given;
    returns the matplotlib Figure.
    """
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(f"X has shape {X.shape}; a decision boundary needs two features, (2, m)")
    if Y.shape != (1, X.shape[1]):
        raise ValueError(f"Y has shape {Y.shape}; it must be (1, m) = (1, {X.shape[1]})")
    figure = _figure_class()(figsize=(6, 5))
    axes = figure.add_subplot()
    x0 = np.linspace(X[0].min() - MARGIN, X[0].max() + MARGIN, GRID_POINTS)
    x1 = np.linspace(X[1].min() - MARGIN, X[1].max() + MARGIN, GRID_POINTS)
    grid0, grid1 = np.meshgrid(x0, x1)
    points = np.stack([grid0.ravel(), grid1.ravel()])  # (2, k): one point per column
    labels = np.asarray(predict(points)).reshape(grid0.shape)
    axes.contourf(grid0, grid1, labels, levels=[-0.5, 0.5, 1.5], colors=REGION_COLORS)
    for label, color in enumerate(POINT_COLORS):
        mine = Y[0] == label
        axes.scatter(X[0, mine], X[1, mine], color=color, edgecolors="k", linewidths=0.4, s=16,
                     label=f"y = {label}")  # fmt: skip
    axes.legend(loc="upper right")
    axes.set_xlabel("x₁")
    axes.set_ylabel("x₂")
    axes.set_title(title)
    figure.tight_layout()
    _save(figure, path)
    return figure


def save_training_plots(
    costs: Mapping[str, Sequence[float]],
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    directory: str | Path,
    title: str = "",
) -> list[Path]:
    """Write ``cost.png`` and ``decision_boundary.png`` into ``directory`` (made if missing)."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"--plot {directory}: this is a file; give a directory for the pictures")
    directory.mkdir(parents=True, exist_ok=True)
    cost_path, boundary_path = directory / COST_FILE, directory / BOUNDARY_FILE
    suffix = f": {title}" if title else ""
    plot_costs(costs, cost_path, title=f"Cost J{suffix}")
    plot_decision_boundary(predict, X, Y, boundary_path, title=f"Decision boundary{suffix}")
    return [cost_path, boundary_path]
