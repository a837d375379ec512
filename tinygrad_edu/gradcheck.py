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
from typing import Any, cast

import numpy as np

from .autograd import no_grad
from .tensor import Tensor

DEFAULT_EPS = 1e-6
"""Step ε. The centred difference errs by about ε²·|J'''| (1e-12) from truncation
and ε_machine·|J|/ε (1e-10) from rounding; 1e-6 balances the two in float64."""

DEFAULT_TOL = 1e-7
"""The course's threshold on the relative difference."""

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


def uncertainty(
    grad_approx: np.ndarray, grad_approx_2eps: np.ndarray, cost: float, eps: float
) -> float:
    """What a centred difference can resolve, in ‖·‖₂: the larger of two estimates.

    - By theory: J(θ ± ε) is computed to about ε_machine·|J|, so each entry
      of g(ε) carries about ε_machine·|J|/ε of rounding noise (``cost`` is the
      largest |J| that was differenced).
    - By experiment: g(ε) and g(2ε) differ by their noise and their truncation
      error, so their gap shows what the theory misses (a J that is a sum of
      large terms cancelling to almost nothing).

    Ten times the larger. A small gradient (db2 while the classes balance) has
    a relative difference made of that noise, so it also passes when its whole
    error is within this bound: centred differences cannot see any closer.
    """
    theory: float = np.finfo(np.float64).eps * abs(cost) / eps * np.sqrt(grad_approx.size)
    experiment = float(np.linalg.norm(np.ravel(grad_approx - grad_approx_2eps)))
    return 10 * max(theory, experiment)


def _check_eps(eps: float) -> None:
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive finite step, got {eps!r} (try 1e-6)")


def _prepare(inputs: Inputs) -> list[Any]:
    """Floating inputs become float64 leaves (C-ordered copies); integer and boolean
    inputs (labels, indices) are passed through unchanged and are not checked."""
    if isinstance(inputs, (Tensor, np.ndarray)):
        raise TypeError("pass the inputs as a list or tuple, e.g. gradcheck(f, [W, b])")
    prepared: list[Any] = []
    for x in inputs:
        data = np.asarray(x.data if isinstance(x, Tensor) else x)
        if data.dtype.kind in "biu":
            prepared.append(x)
            continue
        leaf = Tensor(np.array(data, dtype=np.float64, order="C"), requires_grad=True)
        leaf.name = getattr(x, "name", None)
        prepared.append(leaf)
    return prepared


def numerical_gradient(
    fn: Callable[..., Any],
    inputs: Inputs,
    eps: float = DEFAULT_EPS,
    grad_output: Any = None,
) -> list[np.ndarray | None]:
    """Centred-difference gradient of ``J = fn(*inputs)`` with respect to every floating input.

    ``inputs`` is a list of Tensors or arrays, evaluated in float64; the
    originals are not modified. Returns one ndarray per input, of its shape,
    and ``None`` for integer or boolean inputs (labels, indices), which are
    passed to ``fn`` unchanged.

    >>> numerical_gradient(lambda x: (x * x).sum(), [np.array([1.0, 2.0])])
    [array([2., 4.])]
    """
    grads, _ = _centred_differences(fn, inputs, eps, grad_output)
    return grads


def _centred_differences(
    fn: Callable[..., Any], inputs: Inputs, eps: float, grad_output: Any
) -> tuple[list[np.ndarray | None], float]:
    """The gradients, and the largest |J| that was differenced (it sets the rounding noise)."""
    _check_eps(eps)
    if grad_output is not None:
        grad_output = np.asarray(grad_output, dtype=np.float64)
    args = _prepare(inputs)
    grads: list[np.ndarray | None] = []
    largest = 0.0
    with no_grad():
        for arg in args:
            if not isinstance(arg, Tensor) or not arg.requires_grad:
                grads.append(None)
                continue
            flat = arg.data.reshape(-1)  # a view: the data is C-ordered
            grad = np.zeros(flat.size)
            for i in range(flat.size):
                original = flat[i]
                flat[i] = original + eps
                j_plus = _scalar_output(fn(*args), grad_output)
                flat[i] = original - eps
                j_minus = _scalar_output(fn(*args), grad_output)
                flat[i] = original
                grad[i] = (j_plus - j_minus) / (2 * eps)
                largest = max(largest, abs(j_plus), abs(j_minus))
            grads.append(grad.reshape(arg.shape))
    return grads, largest


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
    floor: float
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
        criterion = f"‖g − g_approx‖ / (‖g‖ + ‖g_approx‖) < {self.tol:g} (ε = {self.eps:g})"
        if not self:
            table.append(f"gradcheck FAILED: some input misses {criterion}")
        elif any(row.difference >= self.tol for row in self.rows):
            table.append(
                f"gradcheck PASSED: {criterion}, or, for a small gradient, an error "
                "within the rounding noise of the centred differences"
            )
        else:
            table.append(f"gradcheck PASSED: {criterion}")
        return "\n".join(table)

    __repr__ = __str__


def _verdict(row: GradcheckRow, tol: float) -> str:
    if row.difference < tol:
        return "ok"
    if row.passed:
        return f"ok (small gradient; error {row.abs_error:.1e} within the noise {row.floor:.1e})"
    if row.difference > 1e-3:
        return "WRONG (almost certainly a bug)"
    return "suspicious"


def gradcheck(
    fn: Callable[..., Any],
    inputs: Inputs,
    eps: float = DEFAULT_EPS,
    tol: float = DEFAULT_TOL,
    grad_output: Any = None,
    seed: int = 0,
    atol: float = 0.0,
) -> GradcheckResult:
    """Compare backprop's gradient of ``fn(*inputs)`` with centred differences, input by input.

    ``fn`` takes Tensors and returns a cost ``J`` (one number). If it returns
    a larger tensor, ``J = Σ u · fn(...)`` is checked with a random ``u``
    (seeded), which catches transposed rules that all-ones would hide.
    Floating inputs are copied to float64 leaves and checked; integer and
    boolean inputs (labels, indices) are passed through unchanged. The
    originals and their ``.grad`` are left untouched. An input passes when the
    course's relative difference is below ``tol``, or, for a small gradient,
    when its error is within what the centred difference can resolve
    (``uncertainty``, from a second estimate at 2ε), or within ``atol``: a
    floor for functions whose J is a sum of large terms that cancel, which no
    estimate made from J alone can see.

    >>> W = Tensor([[1.0, -2.0], [0.5, 3.0]], name="W")
    >>> bool(gradcheck(lambda W: (W * W * W).sum(), [W]))
    True
    """
    _check_eps(eps)
    args = _prepare(inputs)
    out = fn(*args)
    if not isinstance(out, Tensor):
        raise TypeError(f"fn must return a Tensor, got {type(out).__name__}")
    if grad_output is None and out.size != 1:
        grad_output = np.random.default_rng(seed).standard_normal(out.shape)
    if grad_output is not None:
        grad_output = np.asarray(grad_output, dtype=np.float64)
    if out.requires_grad:
        out.backward(grad_output)
    approx, largest = _centred_differences(fn, args, eps, grad_output)
    approx_2eps, _ = _centred_differences(fn, args, 2 * eps, grad_output)
    cost = max(abs(_scalar_output(out, grad_output)), largest)
    rows = []
    for index, (arg, grad_approx, grad_2eps) in enumerate(zip(args, approx, approx_2eps)):
        if grad_approx is None:
            continue  # an integer or boolean input: a constant
        grad = arg.grad if arg.grad is not None else np.zeros_like(arg.data)
        difference = relative_difference(grad, grad_approx)
        abs_error = float(np.linalg.norm(np.ravel(grad - grad_approx)))
        floor = uncertainty(grad_approx, cast(np.ndarray, grad_2eps), cost, eps)  # None together
        passed = difference < tol or abs_error <= max(floor, atol)
        name = arg.name if arg.name is not None else f"input {index}"
        rows.append(
            GradcheckRow(
                index, name, arg.shape, grad, grad_approx, difference, abs_error, floor, passed
            )
        )
    return GradcheckResult(rows, tol, eps)
