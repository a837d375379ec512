"""Hypothesis strategies for tensors, shapes and random computation graphs.

They are public so that a student who writes a new op can property-test it
the way the library tests its own::

    from hypothesis import given
    from tinygrad_edu.testing import arrays, random_graphs

Needs the ``test`` extra: ``pip install "tinygrad_edu[test]"``.
"""

try:
    import hypothesis  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError(
        'tinygrad_edu.testing needs Hypothesis: pip install "tinygrad_edu[test]"'
    ) from None

from .strategies import (
    GRAPH_OPS,
    RandomGraph,
    arrays,
    broadcastable_shapes,
    distinct_arrays,
    random_graphs,
    shapes,
    tensors,
)

__all__ = [
    "GRAPH_OPS",
    "RandomGraph",
    "arrays",
    "broadcastable_shapes",
    "distinct_arrays",
    "random_graphs",
    "shapes",
    "tensors",
]
