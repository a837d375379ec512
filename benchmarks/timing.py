"""Timing helpers: round-robin timing, the gradient check that comes first, formatting."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping

import numpy as np

GRAD_RTOL = 1e-9  # autodiff must give the manual gradients to (almost) the last digits


class GradientMismatch(RuntimeError):
    """Autodiff and the manual implementation disagree: the case is not timed."""


def check_gradients(got: Mapping[str, np.ndarray], expected: Mapping[str, np.ndarray]) -> None:
    """Raise GradientMismatch unless every ``got[k]`` is allclose to ``expected[k]``.

    ``rtol = 1e-9``; ``atol = 1e-9 · max|expected[k]|``, so that entries which
    are zero up to rounding compare on the array's own scale rather than on
    NumPy's default absolute 1e-8 (which would pass any small gradient).
    """
    for name, want in expected.items():
        have = got.get(name)
        if have is None:
            raise GradientMismatch(f"{name}: autodiff produced no gradient")
        have, want = np.asarray(have), np.asarray(want)
        if have.shape != want.shape:
            raise GradientMismatch(f"{name}: shape {have.shape}, manual has {want.shape}")
        scale = float(np.max(np.abs(want))) if want.size else 0.0
        if not np.allclose(have, want, rtol=GRAD_RTOL, atol=GRAD_RTOL * scale):
            worst = float(np.max(np.abs(have - want)))
            raise GradientMismatch(
                f"{name}: gradients differ (max |difference| {worst:.3g}, max |manual| "
                f"{scale:.3g}, rtol {GRAD_RTOL})"
            )


def interleaved(
    functions: Mapping[str, Callable[[], object]], repeats: int, warmup: int
) -> dict[str, list[float]]:
    """Seconds per call of each function, timed round-robin: a, b, a, b, … after warm-up.

    Each repetition times one call of every function in turn, so slow drifts of
    the machine (clock speed, other load) touch all of them alike. The garbage
    collector stays on: collecting a graph's cycles is part of what autodiff costs.
    """
    for _ in range(warmup):
        for function in functions.values():
            function()
    gc.collect()
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            samples[name].append(time.perf_counter() - start)
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def format_seconds(seconds: float | None, per: int = 1) -> str:
    """``0.000123`` → ``"123 µs"``; with ``per=1000`` the time of one of 1000 units."""
    if seconds is None:
        return "—"
    seconds /= per
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_bytes(size: float | None) -> str:
    if size is None:
        return "—"
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size:.0f} B"
