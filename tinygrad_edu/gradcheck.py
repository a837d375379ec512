"""Gradient checking as the course teaches it: centred differences and a relative difference.

For each parameter θ, nudge one entry by ±ε and measure the cost:

    dθ_approx[i] = (J(θ + ε eᵢ) − J(θ − ε eᵢ)) / 2ε

then compare with the backprop gradient ``dθ`` by

    difference = ‖dθ − dθ_approx‖₂ / (‖dθ‖₂ + ‖dθ_approx‖₂)

Below 1e-7 the gradient is right; above 1e-3 it is almost certainly a bug.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .autograd import no_grad
from .tensor import Tensor

DEFAULT_EPS = 1e-6
"""Step ε. The centred difference errs by about ε²·|J'''| (1e-12) from truncation
and ε_machine·|J|/ε (1e-10) from rounding; 1e-6 balances the two in float64."""

DEFAULT_TOL = 1e-7
"""The course's threshold on the relative difference."""

DEFAULT_ATOL = 1e-8
"""When the true gradient is 0 the relative difference of any rounding noise is 1,
so an input also passes when ‖g − g_approx‖₂ is below this absolute floor."""

Inputs = Sequence[Any]


def relative_difference(grad: np.ndarray, grad_approx: np.ndarray) -> float:
    """``‖g − g_approx‖₂ / (‖g‖₂ + ‖g_approx‖₂)``; 0 when both are zero."""
    numerator = np.linalg.norm(np.ravel(grad - grad_approx))
    denominator = np.linalg.norm(np.ravel(grad)) + np.linalg.norm(np.ravel(grad_approx))
    return float(numerator / denominator) if denominator > 0 else 0.0


def _scalar_output(out: Any, grad_output: np.ndarray | None) -> float:
    """The number J whose gradient is checked: ``out`` itself, or Σ grad_output · out."""
    data = np.asarray(out.data if isinstance(out, Tensor) else out, dtype=np.float64)
    if grad_output is None:
        if data.size != 1:
            raise ValueError(
                f"the function returned shape {data.shape}; gradient checks need a single "
                "number J, or pass grad_output= (an array of that shape) to check "
                "Σ grad_output · f instead."
            )
        return float(data.reshape(()))
    if grad_output.shape != data.shape:
        raise ValueError(f"grad_output has shape {grad_output.shape}, the output {data.shape}")
    return float(np.sum(grad_output * data))


def _as_float64_leaves(inputs: Inputs) -> list[Tensor]:
    if isinstance(inputs, (Tensor, np.ndarray)):
        raise TypeError("pass the inputs as a list or tuple, e.g. gradcheck(f, [W, b])")
    return [
        Tensor(x, dtype=np.float64, requires_grad=True, name=getattr(x, "name", None))
        for x in inputs
    ]


def numerical_gradient(
    fn: Callable[..., Any],
    inputs: Inputs,
    eps: float = DEFAULT_EPS,
    grad_output: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Centred-difference gradient of ``J = fn(*inputs)`` with respect to every input.

    ``inputs`` is a list of Tensors or arrays (evaluated in float64; the
    originals are not modified). Returns one ndarray per input, of its shape.

    >>> numerical_gradient(lambda x: (x * x).sum(), [np.array([1.0, 2.0])])
    [array([2., 4.])]
    """
    leaves = _as_float64_leaves(inputs)
    grads = []
    with no_grad():
        for leaf in leaves:
            grad = np.zeros_like(leaf.data)
            flat_data, flat_grad = leaf.data.reshape(-1), grad.reshape(-1)
            for i in range(flat_data.size):
                original = flat_data[i]
                flat_data[i] = original + eps
                j_plus = _scalar_output(fn(*leaves), grad_output)
                flat_data[i] = original - eps
                j_minus = _scalar_output(fn(*leaves), grad_output)
                flat_data[i] = original
                flat_grad[i] = (j_plus - j_minus) / (2 * eps)
            grads.append(grad)
    return grads


@dataclass
class GradcheckRow:
    """The check of one input: its backprop and numerical gradients and their difference."""

    index: int
    name: str
    shape: tuple[int, ...]
    grad: np.ndarray
    grad_approx: np.ndarray
    difference: float
    abs_error: float
    passed: bool


@dataclass
class GradcheckResult:
    """What ``gradcheck`` found; ``bool(result)`` is True when every input passed."""

    rows: list[GradcheckRow]
    tol: float
    eps: float

    def __bool__(self) -> bool:
        return all(row.passed for row in self.rows)

    @property
    def max_difference(self) -> float:
        return max((row.difference for row in self.rows), default=0.0)

    def __str__(self) -> str:
        header = ("input", "shape", "relative difference", "verdict")
        lines = [
            (row.name, str(row.shape), f"{row.difference:.3e}", _verdict(row, self.tol))
            for row in self.rows
        ]
        widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        table = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
        table += [fmt.format(*line) for line in lines]
        table = [line.rstrip() for line in table]
        overall = "PASSED" if self else "FAILED"
        table.append(
            f"gradcheck {overall}: ‖g − g_approx‖ / (‖g‖ + ‖g_approx‖) "
            f"{'<' if self else '≥'} {self.tol:g} (ε = {self.eps:g})"
        )
        return "\n".join(table)

    __repr__ = __str__


def _verdict(row: GradcheckRow, tol: float) -> str:
    if row.difference < tol:
        return "ok"
    if row.passed:
        return f"ok (both ~0: ‖g − g_approx‖ = {row.abs_error:.1e})"
    if row.difference > 1e-3:
        return "WRONG (almost certainly a bug)"
    return "suspicious"


def gradcheck(
    fn: Callable[..., Any],
    inputs: Inputs,
    eps: float = DEFAULT_EPS,
    tol: float = DEFAULT_TOL,
    grad_output: np.ndarray | None = None,
    seed: int = 0,
    atol: float = DEFAULT_ATOL,
) -> GradcheckResult:
    """Compare backprop's gradient of ``fn(*inputs)`` with centred differences, input by input.

    ``fn`` takes Tensors and returns a cost ``J`` (one number). If it returns
    a larger tensor, ``J = Σ u · fn(...)`` is checked with a random ``u``
    (seeded), which catches transposed rules that all-ones would hide.
    Inputs are copied to float64 leaves; the originals and their ``.grad``
    are left untouched.

    >>> W = Tensor([[1.0, -2.0], [0.5, 3.0]], name="W")
    >>> bool(gradcheck(lambda W: (W * W * W).sum(), [W]))
    True
    """
    leaves = _as_float64_leaves(inputs)
    out = fn(*leaves)
    if not isinstance(out, Tensor):
        raise TypeError(f"fn must return a Tensor, got {type(out).__name__}")
    if grad_output is None and out.size != 1:
        grad_output = np.random.default_rng(seed).standard_normal(out.shape)
    if grad_output is not None:
        grad_output = np.asarray(grad_output, dtype=np.float64)
    if out.requires_grad:
        out.backward(grad_output)
    approx = numerical_gradient(fn, leaves, eps=eps, grad_output=grad_output)
    rows = []
    for index, (leaf, grad_approx) in enumerate(zip(leaves, approx)):
        grad = leaf.grad if leaf.grad is not None else np.zeros_like(leaf.data)
        difference = relative_difference(grad, grad_approx)
        abs_error = float(np.linalg.norm(np.ravel(grad - grad_approx)))
        passed = difference < tol or abs_error <= atol
        name = leaf.name if leaf.name is not None else f"input {index}"
        rows.append(
            GradcheckRow(index, name, leaf.shape, grad, grad_approx, difference, abs_error, passed)
        )
    return GradcheckResult(rows, tol, eps)
