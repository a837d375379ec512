"""The strategies themselves. Values are drawn in a bounded range and moved off
the kinks of the op under test (relu at 0, |x| at 0, ties in max), so that
finite differences measure a true derivative and tolerances can stay tight.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..tensor import Tensor

Shape = tuple[int, ...]


def shapes(
    min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[Shape]:
    """Array shapes, e.g. ``()``, ``(3,)``, ``(2, 1, 4)``."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3, max_side: int = 4
) -> st.SearchStrategy[tuple[Shape, ...]]:
    """Tuples of shapes that broadcast together, e.g. ``((3, 1), (4,))``."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    ).map(lambda result: result.input_shapes)


def _push_off(
    values: np.ndarray, kinks: Sequence[float], margin: float, lo: float, hi: float
) -> np.ndarray:
    """Move every value closer than ``margin`` to a kink out to that distance,
    on whichever side keeps it inside ``[lo, hi]`` (kinks must be 2·margin apart)."""
    values = values.copy()
    for kink in kinks:
        near = np.abs(values - kink) < margin
        side = np.where(values[near] >= kink, 1.0, -1.0)
        side = np.where(kink + side * margin > hi, -1.0, side)
        side = np.where(kink + side * margin < lo, 1.0, side)
        values[near] = kink + side * margin
    return values


@st.composite
def arrays(
    draw: st.DrawFn,
    shape: Shape | st.SearchStrategy[Shape] | None = None,
    min_value: float = -3.0,
    max_value: float = 3.0,
    avoid: Sequence[float] = (),
    margin: float = 0.05,
    dtype: type = np.float64,
) -> np.ndarray:
    """Float arrays in ``[min_value, max_value]``, at least ``margin`` from each point of ``avoid``.

    ``shape`` may be a shape, a strategy of shapes, or None for any small shape.
    """
    if shape is None:
        shape = shapes()
    if isinstance(shape, st.SearchStrategy):
        shape = draw(shape)
    elements = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False, width=64)
    values = draw(hnp.arrays(np.float64, shape, elements=elements))
    return _push_off(values, avoid, margin, min_value, max_value).astype(dtype)


@st.composite
def distinct_arrays(
    draw: st.DrawFn, shape: Shape | st.SearchStrategy[Shape] | None = None, gap: float = 0.1
) -> np.ndarray:
    """Arrays whose entries all differ by at least ``gap`` and stay ``gap/10`` from 0:
    no ties for max or maximum, no value on relu's kink."""
    if shape is None:
        shape = shapes()
    if isinstance(shape, st.SearchStrategy):
        shape = draw(shape)
    size = int(np.prod(shape))
    order = draw(st.permutations(range(size)))
    # rungs 2·gap apart, each value within 0.4·gap of the rung's middle, which
    # sits half a gap off 0: neighbours stay ≥ 1.2·gap apart, and |value| ≥ 0.1·gap
    jitter = draw(hnp.arrays(np.float64, size, elements=st.floats(-0.4 * gap, 0.4 * gap)))
    rungs = np.asarray(order, dtype=np.float64) - size // 2
    return (rungs * 2 * gap + 0.5 * gap + jitter).reshape(shape)


@st.composite
def tensors(
    draw: st.DrawFn,
    /,
    shape: Shape | st.SearchStrategy[Shape] | None = None,
    requires_grad: bool = True,
    **array_options: object,
) -> Tensor:
    """Tensors whose data come from ``arrays(shape, **array_options)``."""
    return Tensor(draw(arrays(shape, **array_options)), requires_grad=requires_grad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- #
# Random computation graphs
# --------------------------------------------------------------------------- #

# Smooth ops whose results stay bounded by their inputs (|out| ≤ |a| + |b|, or
# by a constant), so a chain of them neither overflows nor hits a kink.
GRAPH_OPS: dict[str, tuple[int, Callable[..., Tensor]]] = {
    "add": (2, lambda a, b: a + b),
    "sub": (2, lambda a, b: a - b),
    "mul_tanh": (2, lambda a, b: a * b.tanh()),
    "div": (2, lambda a, b: a / (1 + b * b)),
    "tanh": (1, lambda a: a.tanh()),
    "sigmoid": (1, lambda a: a.sigmoid()),
    "neg": (1, lambda a: -a),
    "exp_tanh": (1, lambda a: a.tanh().exp()),
    "scale": (1, lambda a: 0.5 * a),
    "mean_last": (1, lambda a: a.mean(axis=-1, keepdims=True) if a.ndim else a),
    "sum_first": (1, lambda a: a.sum(axis=0, keepdims=True) if a.ndim else a),
}


@dataclass
class RandomGraph:
    """A small random program over tensors; calling it rebuilds the graph and returns a scalar J.

    ``steps[k] = (op, operands)`` makes node ``len(inputs) + k`` from earlier
    nodes; operands repeat, so nodes are shared. ``J = Σ w · last + Σ w · shared``
    reuses a node that a step already uses, so at least one node always feeds
    two places; the weights ``w`` are at least 0.25 in size, so no path is muted.
    """

    inputs: list[np.ndarray]
    steps: list[tuple[str, tuple[int, ...]]]
    shared: int
    weights: np.ndarray = field(repr=False)

    def __call__(self, *tensors: Tensor) -> Tensor:
        nodes = list(tensors)
        for op, operands in self.steps:
            nodes.append(GRAPH_OPS[op][1](*(nodes[i] for i in operands)))
        return (nodes[-1] * self.weights).sum() + (nodes[self.shared] * self.weights).sum()

    def leaves(self) -> list[Tensor]:
        """Fresh leaf tensors (requiring grad) holding copies of the inputs."""
        return [Tensor(x, requires_grad=True, name=f"v{i}") for i, x in enumerate(self.inputs)]

    def program(self) -> str:
        """The graph as straight-line code, for reading a failing example."""
        n = len(self.inputs)
        lines = [f"v{i} = input {x.shape}" for i, x in enumerate(self.inputs)]
        for k, (op, operands) in enumerate(self.steps):
            lines.append(f"v{n + k} = {op}({', '.join(f'v{i}' for i in operands)})")
        lines.append(f"J = sum(w * v{n + len(self.steps) - 1}) + sum(w * v{self.shared})")
        return "\n".join(lines)


@st.composite
def random_graphs(
    draw: st.DrawFn, max_inputs: int = 3, max_steps: int = 8, max_side: int = 3
) -> RandomGraph:
    """Random graphs over 1–``max_inputs`` inputs whose shapes broadcast to one ``(r, c)``."""
    rows, cols = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    input_shapes = st.sampled_from([(rows, cols), (1, cols), (rows, 1), (cols,), ()])
    n_inputs = draw(st.integers(1, max_inputs))
    inputs = [draw(arrays(input_shapes, -2.0, 2.0)) for _ in range(n_inputs)]
    steps = []
    for k in range(draw(st.integers(1, max_steps))):
        op = draw(st.sampled_from(sorted(GRAPH_OPS)))
        arity = GRAPH_OPS[op][0]
        available = n_inputs + k
        operands = tuple(draw(st.integers(0, available - 1)) for _ in range(arity))
        steps.append((op, operands))
    # J reuses a node that some step already uses, so it feeds two places
    used = sorted({i for _, operands in steps for i in operands})
    shared = draw(st.sampled_from(used))
    weights = draw(arrays((rows, cols), -1.0, 1.0, avoid=(0.0,), margin=0.25))
    return RandomGraph(inputs, steps, shared, weights)
