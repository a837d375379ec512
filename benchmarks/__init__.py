"""Benchmarks: autodiff against the hand-derived NumPy floor, in one process, as ratios.

Run ``python -m benchmarks`` (or ``python benchmarks/run.py``); see README.md.

Importing this package pins BLAS to one thread, so it must come before any
import of NumPy: the thread-count variables are read once, when NumPy loads
its BLAS. This module imports nothing that imports NumPy.
"""

from __future__ import annotations

import os
import sys

BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

_limiter = None  # keeps threadpoolctl's limits object alive, when it is used


def pin_blas_threads() -> str:
    """Limit BLAS to one thread; return one sentence saying how (or that it could not)."""
    global _limiter
    if "numpy" not in sys.modules:
        for variable in BLAS_THREAD_VARIABLES:
            os.environ[variable] = "1"
        variables = ", ".join(BLAS_THREAD_VARIABLES)
        return f"BLAS pinned to 1 thread: {variables}=1 set before NumPy was imported"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return (
            "NumPy was imported before the benchmarks and threadpoolctl is not installed: "
            "BLAS threads NOT pinned (may use every core)"
        )
    _limiter = threadpool_limits(limits=1)
    return "BLAS limited to 1 thread with threadpoolctl (NumPy was already imported)"


THREADING_NOTE = pin_blas_threads()
