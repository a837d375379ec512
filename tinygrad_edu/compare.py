"""Manual vs autodiff vs finite differences, side by side, for every gradient of a network.

``compare(X, Y, params)`` runs the network whose parameters are ``params``
(the course's dict ``W1 b1 … WL bL``) three ways on the same data:

- **manual**: the course's hand-derived equations (``manual.two_layer`` for
  one hidden layer, ``manual.deep`` otherwise), in plain NumPy;
- **autodiff**: the same network built from ``nn`` layers, ``J.backward()``;
- **numerical**: centred differences of the cost ``J``.

and returns one row per gradient: ``dW[l]``, ``db[l]`` and the intermediates
``dZ[l]``, ``dA[l]`` (read off with ``retain_grad``).

**The 1/m convention**: the course's ``dZ`` and ``dA`` are derivatives of one
example's loss, autodiff's ``Z.grad`` the derivative of the mean cost ``J``,
so the table compares ``m · Z.grad`` with ``dZ`` (and ``m · ∂J/∂Z`` by
differences). ``W.grad`` and ``b.grad`` are compared with ``dW``, ``db`` as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from . import functional as F
from .gradcheck import (
    DEFAULT_EPS,
    DEFAULT_TOL,
    numerical_gradient,
    relative_difference,
    uncertainty,
)
from .manual import deep, two_layer
from .nn import Sequential, deep_network
from .tensor import Tensor

LOSSES = {
    "logits": "binary_cross_entropy_with_logits(Z[L], Y)",
    "sigmoid": "binary_cross_entropy(sigmoid(Z[L]), Y)",
}

MANUAL_AGREEMENT = 1e-10
"""manual and autodiff do the same arithmetic in a different order: they agree to rounding."""


@dataclass
class ComparisonRow:
    """One gradient three ways; ``max_abs_diff`` is manual vs autodiff (1/m applied)."""

    name: str
    shape: tuple[int, ...]
    max_abs_diff: float
    rel_diff_manual: float
    rel_diff_autodiff: float
    passed: bool
    near_zero: bool
    scaled_by_m: bool
    manual: np.ndarray = field(repr=False)
    autodiff: np.ndarray = field(repr=False)
    numerical: np.ndarray = field(repr=False)


@dataclass
class ComparisonReport:
    """The rows, in the order the backward pass produces them; ``bool()`` is all passed."""

    rows: list[ComparisonRow]
    m: int
    loss: str
    manual_source: str
    tol: float
    shortcut_bit_exact: bool
    shortcut_max_diff: float
    kinks: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return all(row.passed for row in self.rows)

    def __getitem__(self, name: str) -> ComparisonRow:
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(f"no row {name!r}; rows are {[row.name for row in self.rows]}")

    def to_dicts(self) -> list[dict[str, Any]]:
        """The rows as plain dicts (without the arrays), e.g. for a DataFrame or JSON."""
        keys = ("name", "shape", "max_abs_diff", "rel_diff_manual", "rel_diff_autodiff", "passed")
        return [{key: asdict(row)[key] for key in keys} for row in self.rows]

    def __str__(self) -> str:
        header = (
            "gradient",
            "shape",
            "|manual − autodiff|",
            "manual vs numerical",
            "autodiff vs numerical",
            "",
        )
        lines = []
        for row in self.rows:
            label = f"{row.name}  (m·{row.name[1:]}.grad)" if row.scaled_by_m else row.name
            lines.append(
                (
                    label,
                    str(row.shape),
                    f"{row.max_abs_diff:.2e}",
                    f"{row.rel_diff_manual:.2e}",
                    f"{row.rel_diff_autodiff:.2e}",
                    _verdict(row, bool(self.kinks)),
                )
            )
        widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        out = [
            f"Gradients three ways: manual ({self.manual_source}), autodiff (backward), "
            f"numerical (centred differences); m = {self.m} examples.",
            f"Cost: J = {LOSSES[self.loss]}, the mean over the m examples.",
            "1/m convention: the course's dZ, dA are per-example; autodiff's Z.grad is "
            "dJ/dZ = dZ / m, so rows marked m·… compare m · Z.grad with dZ. "
            "dW and db are compared as they are.",
            "",
            fmt.format(*header).rstrip(),
            fmt.format(*("-" * w for w in widths)).rstrip(),
        ]
        out += [fmt.format(*line).rstrip() for line in lines]
        if self:
            out.append(
                f"all agree: each relative difference is below {self.tol:g} (or, ok*, within "
                f"rounding noise) and manual equals autodiff to {MANUAL_AGREEMENT:g}."
            )
        else:
            out.append(
                f"SOME DISAGREE: rows marked FAIL miss the {self.tol:g} relative difference "
                f"or the {MANUAL_AGREEMENT:g} agreement of manual and autodiff."
            )
        if any(row.passed and row.near_zero for row in self.rows):
            out.append(
                "ok*: a small gradient (db2 ≈ 0 while the classes balance, say): its relative "
                "difference measures the rounding noise of the centred difference, and its "
                "absolute error is within that noise."
            )
        if self.kinks and not self:
            where = ", ".join(f"{count} in {name}" for name, count in self.kinks.items())
            out.append(
                f"FAIL†: entries of Z sit on the kink of the activation at 0 ({where}), e.g. a "
                "column where every unit below is off, so Z = b = 0. There the derivative "
                "is a convention (g′(0) = 0) and the centred difference straddles the kink, "
                "so they disagree by design; try another seed, or tanh."
            )
        out.append(self._shortcut_line())
        return "\n".join(out)

    def _shortcut_line(self) -> str:
        L = self.rows[0].name[2:] if self.rows else "L"
        if self.loss == "logits":
            exact = "bit for bit" if self.shortcut_bit_exact else "NOT bit for bit"
            return (
                f"Shortcut dZ{L} = A{L} − Y: with binary_cross_entropy_with_logits, Z{L}.grad "
                f"equals (A{L} − Y)/m {exact}; m · Z{L}.grad differs from A{L} − Y by at most "
                f"{self.shortcut_max_diff:.1e} (one rounding of × m)."
            )
        return (
            f"Shortcut dZ{L} = A{L} − Y: through sigmoid then binary_cross_entropy, autodiff "
            f"applies dA{L} · σ'(Z{L}) and matches A{L} − Y to rounding: "
            f"max |m · Z{L}.grad − (A{L} − Y)| = {self.shortcut_max_diff:.1e}."
        )

    __repr__ = __str__


def _verdict(row: ComparisonRow, kinks: bool) -> str:
    if row.passed:
        return "ok*" if row.near_zero else "ok"
    return "FAIL†" if kinks else "FAIL"


def _num_layers(params: Mapping[str, Any]) -> int:
    L = sum(1 for key in params if key.startswith("W"))
    expected = {f"{k}{l}" for l in range(1, L + 1) for k in "Wb"}
    if L == 0 or set(params) != expected:
        raise ValueError(f"params must hold W1, b1, …, WL, bL; got keys {sorted(params)}")
    return L


def _manual_gradients(
    X: np.ndarray, Y: np.ndarray, params: Mapping[str, np.ndarray], hidden_activation: str
) -> tuple[dict[str, np.ndarray], str]:
    """Every course gradient by hand: the two-layer equations when L = 2, else the deep blocks."""
    L = _num_layers(params)
    AL, caches = deep.model_forward(X, dict(params), hidden_activation)
    grads = deep.model_backward(AL, Y, caches, hidden_activation)
    source = "manual.deep.model_backward"
    if L == 2:
        A2, cache = two_layer.forward(X, dict(params), hidden_activation)
        grads.update(two_layer.backward(dict(params), cache, X, Y, hidden_activation))
        source = "manual.two_layer.backward, the course's six equations"
    return grads, source


def _cost_from(model: Sequential, start: int, value: Tensor, Y: np.ndarray, loss: str) -> Tensor:
    """J computed from the output of layer ``start`` on (-1: from the input X;
    ``len(model)``: from the output probabilities A[L] of the sigmoid loss)."""
    if start == len(model):
        return F.binary_cross_entropy(value, Y)
    out = value
    for layer in model.layers[start + 1 :]:
        out = layer(out)
    if loss == "logits":
        return F.binary_cross_entropy_with_logits(out, Y)
    return F.binary_cross_entropy(out.sigmoid(), Y)


def compare(
    X: Any,
    Y: Any,
    params: Mapping[str, Any],
    hidden_activation: str = "tanh",
    loss: str = "logits",
    eps: float = DEFAULT_EPS,
    tol: float = DEFAULT_TOL,
) -> ComparisonReport:
    """Every gradient of the network ``params`` on ``X (n_x, m)``, ``Y (1, m)``, three ways.

    ``loss="logits"`` ends the graph with ``binary_cross_entropy_with_logits``
    on ``Z[L]``; ``loss="sigmoid"`` with ``sigmoid`` then ``binary_cross_entropy``
    (and adds a row for ``dA[L]``).

    >>> from tinygrad_edu.data import planar_flower
    >>> X, Y = planar_flower()
    >>> report = compare(X[:, :20], Y[:, :20], two_layer.init_params(2, 4, 1))
    >>> bool(report), [row.name for row in report.rows]
    (True, ['dZ2', 'dW2', 'db2', 'dA1', 'dZ1', 'dW1', 'db1'])
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {loss!r}")
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    params = {key: np.asarray(value, dtype=np.float64) for key, value in params.items()}
    L = _num_layers(params)
    check_single_output(Y)
    m = X.shape[1]
    manual, source = _manual_gradients(X, Y, params, hidden_activation)

    layer_dims = [params["W1"].shape[1]] + [params[f"W{l}"].shape[0] for l in range(1, L + 1)]
    model = deep_network(layer_dims, hidden_activation).load_params(params)
    Z_L, named = model.forward_named(X)
    if loss == "sigmoid":
        A_L = Z_L.sigmoid()
        A_L.name = f"A{L}"
        A_L.retain_grad()
        named[A_L.name] = A_L
        J = F.binary_cross_entropy(A_L, Y)
    else:
        J = F.binary_cross_entropy_with_logits(Z_L, Y)
    J.backward()

    layer_of = {tensor.name: index for index, tensor in enumerate(named.values())}
    rows = []
    for name in _row_names(L, loss):
        kind, l = name[1], int(name[2:])
        if kind in "Wb":
            param = getattr(model.linear_layers()[l - 1], kind)
            autodiff = param.grad

            def cost(value: Tensor, param: Tensor = param) -> Tensor:
                trained = param.data  # evaluate J with this one parameter swapped in
                param.data = value.data
                try:
                    return _cost_from(model, -1, Tensor(X), Y, loss)
                finally:
                    param.data = trained

            step = eps
            (numerical,) = numerical_gradient(cost, [params[name[1:]]], eps=step)
            (numerical_2eps,) = numerical_gradient(cost, [params[name[1:]]], eps=2 * step)
            scaled = False
        else:
            tensor = named[name[1:]]
            autodiff = m * tensor.grad

            def cost(value: Tensor, start: int = layer_of[name[1:]]) -> Tensor:  # type: ignore[misc]
                return _cost_from(model, start, value, Y, loss)

            step = eps if name != f"dA{L}" else _step_inside_0_1(tensor.data, eps)
            (numerical,) = numerical_gradient(cost, [tensor.data], eps=step)
            (numerical_2eps,) = numerical_gradient(cost, [tensor.data], eps=2 * step)
            numerical, numerical_2eps = m * numerical, m * numerical_2eps
            scaled = True
        rows.append(
            _row(
                name,
                manual[name],
                autodiff,
                numerical,  # type: ignore[arg-type]
                uncertainty(numerical, numerical_2eps, J.item() * (m if scaled else 1), step),  # type: ignore[arg-type]
                tol=tol,
                scaled=scaled,
            )
        )

    if loss == "logits":
        A_L_manual = deep.model_forward(X, params, hidden_activation)[0]
        bit_exact = bool(np.array_equal(Z_L.grad, (A_L_manual - Y) / m))  # type: ignore[arg-type]
    else:
        A_L_manual = A_L.data
        bit_exact = False
    shortcut_max = float(np.max(np.abs(m * Z_L.grad - (A_L_manual - Y))))
    kinks = {}
    if hidden_activation in ("relu", "leaky_relu"):
        for l in range(1, L):
            on_kink = int(np.sum(np.abs(named[f"Z{l}"].data) < eps))
            if on_kink:
                kinks[f"Z{l}"] = on_kink
    return ComparisonReport(rows, m, loss, source, tol, bit_exact, shortcut_max, kinks)


def check_single_output(Y: np.ndarray) -> None:
    """The course's networks end in one sigmoid unit: Y must be (1, m)."""
    if Y.ndim != 2 or Y.shape[0] != 1:
        raise ValueError(
            f"Y has shape {Y.shape}; the course's networks have one sigmoid output, so Y "
            "must be (1, m), one label per column."
        )


def _step_inside_0_1(A: np.ndarray, eps: float) -> float:
    """A centred-difference step that keeps every probability A ± step inside (0, 1)."""
    margin = float(min(A.min(), 1 - A.max()))
    if margin <= 1e-12:
        raise ValueError(
            f"some outputs A are saturated (within {margin:.1e} of 0 or 1), where "
            "dA = (A − Y)/(A(1 − A)) cannot be checked numerically; use loss='logits'."
        )
    return min(eps, margin / 3)  # A ± 2·step (the second estimate) stays inside too


def _row_names(L: int, loss: str) -> list[str]:
    """Gradients in the order backprop finds them: from the output layer down to layer 1."""
    names = [f"dA{L}"] if loss == "sigmoid" else []
    for l in range(L, 0, -1):
        names += [f"dZ{l}", f"dW{l}", f"db{l}"]
        if l > 1:
            names.append(f"dA{l - 1}")
    return names


def _row(
    name: str,
    manual: np.ndarray,
    autodiff: np.ndarray,
    numerical: np.ndarray,
    floor: float,
    *,
    tol: float,
    scaled: bool,
) -> ComparisonRow:
    rel_manual = relative_difference(manual, numerical)
    rel_autodiff = relative_difference(autodiff, numerical)
    # A small gradient (db2 on balanced classes, say) has a relative difference
    # made of the centred difference's noise; it passes when its whole error is
    # within what that difference can resolve (``floor``, from ``uncertainty``).

    def within(grad: np.ndarray, rel: float) -> tuple[bool, bool]:
        exact = rel < tol
        return exact, exact or float(np.linalg.norm(np.ravel(grad - numerical))) <= floor

    agree = np.allclose(manual, autodiff, rtol=MANUAL_AGREEMENT, atol=MANUAL_AGREEMENT * 1e-2)
    manual_exact, manual_ok = within(manual, rel_manual)
    autodiff_exact, autodiff_ok = within(autodiff, rel_autodiff)
    return ComparisonRow(
        name=name,
        shape=manual.shape,
        max_abs_diff=float(np.max(np.abs(manual - autodiff))) if manual.size else 0.0,
        rel_diff_manual=rel_manual,
        rel_diff_autodiff=rel_autodiff,
        passed=bool(agree and manual_ok and autodiff_ok),
        near_zero=not (manual_exact and autodiff_exact),
        scaled_by_m=scaled,
        manual=manual,
        autodiff=autodiff,
        numerical=numerical,
    )
