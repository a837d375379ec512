"""The course's equations three ways: ``manual`` (by hand), autodiff (``backward``) and
centred finite differences, on random networks.

Random layer sizes (1–6 layers with parameters, widths 1–8), batch sizes (1–32),
hidden activations (tanh, sigmoid, relu, leaky_relu) and seeds. For every one:

- manual equals autodiff to rtol 1e-10 for every ``dW[l]``, ``db[l]``, and, under the
  1/m convention, for every ``dZ[l]`` and ``dA[l]``: the course's ``dZ`` is the
  per-example derivative, autodiff's ``Z.grad`` that of the mean cost ``J``, so
  ``m · Z.grad`` is compared with ``dZ``;
- both agree with centred differences at the course's relative difference < 1e-7
  (or, for a gradient that is nearly 0, to within the rounding noise of the
  centred difference, see ``assert_matches_finite_differences``);
- ``tinygrad_edu.compare.compare`` reaches the same verdict, row by row.

Inputs are kept off the kink of relu and leaky relu (every hidden ``|Z| ≥ 1e-3``,
biases drawn small and nonzero so that a column whose units are all off does not
give ``Z = b = 0``) and the outputs off saturation, by redrawing from the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import oracles  # tests/oracles.py
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tinygrad_edu.functional as F
from tinygrad_edu.compare import MANUAL_AGREEMENT, compare
from tinygrad_edu.manual import deep, two_layer
from tinygrad_edu.nn import deep_network

ACTIVATIONS = ["tanh", "sigmoid", "relu", "leaky_relu"]
KINKED = {"relu", "leaky_relu"}

# Manual and autodiff run the same arithmetic in a different order (1/m before or
# after a sum, say), so they agree to rounding. RTOL is the brief's 1e-10. An entry
# that is a sum of terms of order ≤ 1 which nearly cancel (db2 on balanced labels)
# carries an absolute rounding error of a few m·u ≈ 1e-14 whatever its size, so
# entries are also equal when within ATOL of each other; a real mistake in a rule
# is as large as the gradient, far above both.
RTOL = 1e-10
ATOL = 1e-13

# The course's gradient check: ε for the centred difference, and the threshold on
# ‖g − g_approx‖₂ / (‖g‖₂ + ‖g_approx‖₂).
EPS = 1e-6
TOLERANCE = 1e-7
# A centred difference cannot resolve J(θ + ε) − J(θ − ε) more finely than a few
# u·|J| (u the float64 unit round-off), so each of its entries carries noise of
# about u·|J|/ε ≈ 1e-10. Where the gradient itself is that small (a deep sigmoid
# chain, a leaky relu on its slope-0.01 side, a dead relu unit) the relative
# difference measures only that noise; such a gradient passes when every entry is
# within ten times the noise (m times more for the m-scaled dZ).
ROUNDING = np.finfo(np.float64).eps

# Every hidden Z keeps this distance from the kink at 0: a step of ε = 1e-6 in any
# parameter moves Z by far less, so the centred difference never straddles it.
KINK_MARGIN = 1e-3
# Every output σ(Z[L]) stays in [0.05, 0.95]: near 0 or 1 the course's
# dA[L] = −(Y/A − (1 − Y)/(1 − A)) loses digits to the cancellation in 1 − A.
OUTPUT_MARGIN = 0.05


# ---------------------------------------------------------------------------
# An independent plain-NumPy forward pass and cost, written here
# ---------------------------------------------------------------------------

G = {
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
}


def cost_from_logits(ZL: np.ndarray, Y: np.ndarray) -> float:
    """J = (1/m) Σ L(σ(Z[L]), Y), written the stable way (no log of 0)."""
    losses = np.maximum(ZL, 0) - ZL * Y + np.log1p(np.exp(-np.abs(ZL)))
    return float(np.sum(losses) / Y.shape[1])


def logits_from(l: int, Z: np.ndarray, params: dict, activation: str) -> np.ndarray:
    """Z[L] given Z[l]: A[l] = g(Z[l]), then layers l + 1 … L (l = 0 means Z is X)."""
    L = len(params) // 2
    for k in range(l + 1, L + 1):
        A = Z if k == 1 else G[activation](Z)
        Z = params[f"W{k}"] @ A + params[f"b{k}"]
    return Z


def forward_Zs(X: np.ndarray, params: dict, activation: str) -> list[np.ndarray]:
    """[Z1, …, ZL]."""
    L = len(params) // 2
    Zs, A = [], X
    for l in range(1, L + 1):
        Zs.append(params[f"W{l}"] @ A + params[f"b{l}"])
        A = G[activation](Zs[-1])
    return Zs


def centred_difference(f, x: np.ndarray, eps: float = EPS) -> np.ndarray:
    return oracles.centred_difference(f, x, eps)


def assert_matches_finite_differences(
    name: str, g: np.ndarray, g_approx: np.ndarray, J: float, scale: float = 1.0
) -> None:
    """Relative difference < 1e-7, or every entry within the rounding noise of g_approx."""
    assert g.shape == g_approx.shape, f"{name}: shape {g.shape} != {g_approx.shape}"
    difference = oracles.relative_difference(g, g_approx)
    floor = 10 * ROUNDING * max(1.0, abs(J)) / EPS * scale
    worst = float(np.max(np.abs(g - g_approx)))
    assert difference < TOLERANCE or worst <= floor, (
        f"{name}: relative difference {difference:.3e} (tolerance {TOLERANCE:g}), largest "
        f"error {worst:.3e} (rounding floor {floor:.3e})\nbackprop:\n{g}\nnumerical:\n{g_approx}"
    )


def assert_same(name: str, autodiff: np.ndarray, manual: np.ndarray) -> None:
    assert autodiff.shape == manual.shape, f"{name}: {autodiff.shape} != {manual.shape}"
    np.testing.assert_allclose(autodiff, manual, rtol=RTOL, atol=ATOL, err_msg=name)


# ---------------------------------------------------------------------------
# Random, well-conditioned problems
# ---------------------------------------------------------------------------


@dataclass
class Problem:
    layer_dims: list[int]
    activation: str
    X: np.ndarray
    Y: np.ndarray
    params: dict[str, np.ndarray]

    @property
    def L(self) -> int:
        return len(self.layer_dims) - 1

    @property
    def m(self) -> int:
        return self.X.shape[1]


def draw_problem(layer_dims: list[int], m: int, activation: str, seed: int) -> Problem | None:
    """X, Y and params from ``RandomState(seed)``, redrawn until off the kinks and unsaturated.

    Weights ~ N(0, 1/n[l-1]) keep Z of order 1; biases ~ N(0, 0.25), nonzero.
    Returns None when no draw in 200 qualifies (the caller rejects the example).
    """
    rng = np.random.RandomState(seed)
    for _attempt in range(200):
        params = {}
        for l in range(1, len(layer_dims)):
            n, n_prev = layer_dims[l], layer_dims[l - 1]
            params[f"W{l}"] = rng.randn(n, n_prev) / np.sqrt(n_prev)
            params[f"b{l}"] = rng.randn(n, 1) * 0.5
        X = rng.randn(layer_dims[0], m)
        Y = rng.randint(0, 2, size=(1, m)).astype(np.float64)
        Zs = forward_Zs(X, params, activation)
        off_kink = activation not in KINKED or all(
            np.min(np.abs(Z)) >= KINK_MARGIN for Z in Zs[:-1]
        )
        A_L = G["sigmoid"](Zs[-1])
        unsaturated = OUTPUT_MARGIN < np.min(A_L) and np.max(A_L) < 1 - OUTPUT_MARGIN
        if off_kink and unsaturated:
            return Problem(list(layer_dims), activation, X, Y, params)
    return None


@st.composite
def problems(draw, max_layers: int = 6, max_width: int = 8, max_m: int = 32) -> Problem:
    """A network of 1–6 layers (widths 1–8, one sigmoid output), 1–32 examples, a seed."""
    L = draw(st.integers(1, max_layers))
    layer_dims = [draw(st.integers(1, max_width)) for _ in range(L)] + [1]
    m = draw(st.integers(1, max_m))
    activation = draw(st.sampled_from(ACTIVATIONS))
    seed = draw(st.integers(0, 2**32 - 1))
    problem = draw_problem(layer_dims, m, activation, seed)
    assume(problem is not None)
    return problem


def autodiff_gradients(problem: Problem):
    """Backward through the nn network: the model, J and the named Z1, A1, …, ZL."""
    model = deep_network(problem.layer_dims, problem.activation).load_params(problem.params)
    Z_L, named = model.forward_named(problem.X)
    J = F.binary_cross_entropy_with_logits(Z_L, problem.Y)
    J.backward()
    return model, J, named


# ---------------------------------------------------------------------------
# manual == autodiff
# ---------------------------------------------------------------------------


@settings(deadline=None)
@given(problem=problems())
def test_manual_equals_autodiff_for_every_gradient(problem: Problem) -> None:
    check_manual_equals_autodiff(problem)


def check_manual_equals_autodiff(problem: Problem) -> None:
    L, m = problem.L, problem.m
    model, J, named = autodiff_gradients(problem)

    AL, caches = deep.model_forward(problem.X, problem.params, problem.activation)
    grads = deep.model_backward(AL, problem.Y, caches, problem.activation)

    # The forward passes are the same arithmetic: equal bit for bit.
    for l in range(1, L + 1):
        np.testing.assert_array_equal(named[f"Z{l}"].data, caches[l - 1][1], err_msg=f"Z{l}")
    assert J.item() == pytest.approx(deep.cost(AL, problem.Y), rel=1e-12)

    for l, layer in enumerate(model.linear_layers(), start=1):
        assert_same(f"dW{l}", layer.W.grad, grads[f"dW{l}"])
        assert_same(f"db{l}", layer.b.grad, grads[f"db{l}"])
        # The 1/m convention: Z.grad = ∂J/∂Z = dZ / m.
        assert_same(f"dZ{l}", m * named[f"Z{l}"].grad, grads[f"dZ{l}"])
    for l in range(1, L):
        assert_same(f"dA{l}", m * named[f"A{l}"].grad, grads[f"dA{l}"])
    # The output layer's shortcut: dZ[L] = A[L] − Y (to rounding, through dA[L] · σ′).
    assert_same(f"dZ{L}", m * named[f"Z{L}"].grad, AL - problem.Y)

    if L == 2:  # the course's six equations, as written for one hidden layer
        A2, cache = two_layer.forward(problem.X, problem.params, problem.activation)
        six = two_layer.backward(problem.params, cache, problem.X, problem.Y, problem.activation)
        assert sorted(six) == ["dW1", "dW2", "dZ1", "dZ2", "db1", "db2"]
        assert_same("dW1", model[0].W.grad, six["dW1"])
        assert_same("db1", model[0].b.grad, six["db1"])
        assert_same("dW2", model[2].W.grad, six["dW2"])
        assert_same("db2", model[2].b.grad, six["db2"])
        assert_same("dZ1", m * named["Z1"].grad, six["dZ1"])
        # dZ2 = A2 − Y: with the logits loss autodiff's Z2.grad is (A2 − Y)/m bit for bit.
        np.testing.assert_array_equal(named["Z2"].grad, (A2 - problem.Y) / m)


# ---------------------------------------------------------------------------
# manual and autodiff against centred differences
# ---------------------------------------------------------------------------


@settings(deadline=None)
@given(problem=problems())
def test_manual_and_autodiff_match_finite_differences(problem: Problem) -> None:
    check_finite_differences(problem)


def check_finite_differences(problem: Problem) -> None:
    L, m, params, activation = problem.L, problem.m, problem.params, problem.activation
    X, Y = problem.X, problem.Y
    model, J, named = autodiff_gradients(problem)
    AL, caches = deep.model_forward(X, params, activation)
    manual = deep.model_backward(AL, Y, caches, activation)
    cost = cost_from_logits(logits_from(0, X, params, activation), Y)
    assert J.item() == pytest.approx(cost, rel=1e-12)

    work = {key: value.copy() for key, value in params.items()}  # perturbed in place
    for l, layer in enumerate(model.linear_layers(), start=1):
        for kind, autodiff in (("W", layer.W.grad), ("b", layer.b.grad)):
            name = f"{kind}{l}"
            approx = centred_difference(
                lambda: cost_from_logits(logits_from(0, X, work, activation), Y), work[name]
            )
            assert_matches_finite_differences(f"manual d{name}", manual[f"d{name}"], approx, cost)
            assert_matches_finite_differences(f"autodiff d{name}", autodiff, approx, cost)

    for l in range(1, L + 1):
        Z = named[f"Z{l}"].data.copy()
        # m · ∂J/∂Z[l] by differences, beside the course's dZ[l] and m · Z[l].grad.
        approx = m * centred_difference(
            lambda: cost_from_logits(logits_from(l, Z, params, activation), Y), Z
        )
        assert_matches_finite_differences(f"manual dZ{l}", manual[f"dZ{l}"], approx, cost, m)
        assert_matches_finite_differences(
            f"autodiff m·Z{l}.grad", m * named[f"Z{l}"].grad, approx, cost, m
        )


# ---------------------------------------------------------------------------
# compare: the same verdicts, row by row
# ---------------------------------------------------------------------------


def expected_rows(L: int, loss: str) -> list[str]:
    names = [f"dA{L}"] if loss == "sigmoid" else []
    for l in range(L, 0, -1):
        names += [f"dZ{l}", f"dW{l}", f"db{l}"] + ([f"dA{l - 1}"] if l > 1 else [])
    return names


@settings(deadline=None)
@given(problem=problems(), loss=st.sampled_from(["logits", "sigmoid"]))
def test_compare_agrees_row_by_row(problem: Problem, loss: str) -> None:
    L, m = problem.L, problem.m
    report = compare(problem.X, problem.Y, problem.params, problem.activation, loss=loss)
    assert bool(report), str(report)
    assert report.m == m and report.loss == loss and report.kinks == {}
    assert [row.name for row in report.rows] == expected_rows(L, loss)
    assert report.manual_source == (
        "manual.two_layer.backward, the course's six equations"
        if L == 2
        else "manual.deep.model_backward"
    )

    AL, caches = deep.model_forward(problem.X, problem.params, problem.activation)
    manual = deep.model_backward(AL, problem.Y, caches, problem.activation)
    shapes = {f"dZ{l}": caches[l - 1][1].shape for l in range(1, L + 1)}
    shapes.update({f"dA{l}": (problem.layer_dims[l], m) for l in range(1, L + 1)})
    shapes.update({f"d{key}": value.shape for key, value in problem.params.items()})
    for row in report.rows:
        assert row.passed, row.name
        assert row.shape == shapes[row.name] == row.manual.shape == row.autodiff.shape
        assert row.scaled_by_m == (row.name[1] in "ZA"), row.name
        np.testing.assert_allclose(row.manual, manual[row.name], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(row.autodiff, row.manual, rtol=RTOL, atol=ATOL)
        assert row.max_abs_diff == pytest.approx(np.max(np.abs(row.manual - row.autodiff)))
        assert row.max_abs_diff <= MANUAL_AGREEMENT * max(1.0, np.max(np.abs(row.manual)))
        exact = row.rel_diff_manual < TOLERANCE and row.rel_diff_autodiff < TOLERANCE
        assert row.near_zero == (not exact), row.name
        assert row.rel_diff_manual == pytest.approx(
            oracles.relative_difference(row.manual, row.numerical), rel=1e-12, abs=1e-300
        )
        assert row.rel_diff_autodiff == pytest.approx(
            oracles.relative_difference(row.autodiff, row.numerical), rel=1e-12, abs=1e-300
        )
        # ok* only ever means: within the rounding noise of the centred difference
        if row.near_zero:
            noise = 10 * ROUNDING * max(1.0, cost_from_logits(caches[-1][1], problem.Y)) / EPS
            bound = noise * np.sqrt(row.numerical.size) * (m if row.scaled_by_m else 1)
            assert np.linalg.norm(row.autodiff - row.numerical) <= bound * (1 + 1e-9)

    if loss == "logits":
        assert report.shortcut_bit_exact
    else:
        assert not report.shortcut_bit_exact
    assert report.shortcut_max_diff < 1e-15


# ---------------------------------------------------------------------------
# Deterministic corners the strategy may not draw
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_deepest_widest_largest_batch(activation: str) -> None:
    """Six layers of width 8 on 32 examples: the largest networks the properties draw."""
    problem = draw_problem([8, 8, 8, 8, 8, 8, 1], 32, activation, seed=0)
    assert problem is not None
    check_manual_equals_autodiff(problem)
    check_finite_differences(problem)


@pytest.mark.parametrize("layer_dims", [[1, 1], [1, 1, 1], [3, 1, 1, 1]])
def test_single_units_and_a_single_example(layer_dims: list[int]) -> None:
    """Width 1 and m = 1: every matrix is 1 × 1, every sum has one term."""
    for activation in ACTIVATIONS:
        problem = draw_problem(layer_dims, 1, activation, seed=1)
        assert problem is not None
        check_manual_equals_autodiff(problem)
        check_finite_differences(problem)


def test_a_column_of_dead_relu_units_with_zero_biases_sits_on_the_kink() -> None:
    """Why the biases are drawn nonzero: with b = 0, a column whose units below are all
    off gives Z = b = 0 exactly, on the kink, and compare flags it (FAIL†, kinks)."""
    X = np.array([[1.0, -1.0, 2.0]])
    Y = np.array([[1.0, 0.0, 1.0]])
    params = {
        "W1": np.array([[1.0], [0.5]]),  # both units are off for the column x = −1
        "b1": np.zeros((2, 1)),
        "W2": np.array([[0.7, -0.4]]),
        "b2": np.zeros((1, 1)),
        "W3": np.array([[0.9]]),
        "b3": np.zeros((1, 1)),
    }
    Zs = forward_Zs(X, params, "relu")
    assert Zs[1][0, 1] == 0.0  # Z2 = W2 · 0 + b2 = 0 exactly
    report = compare(X, Y, params, "relu")
    assert not report
    assert report.kinks == {"Z2": 1}
    # the rows whose centred difference straddles the kink: through Z2 and A1 = relu(Z1) = 0
    assert [row.name for row in report.rows if not row.passed] == ["dZ2", "db2", "dA1"]
    assert "FAIL†" in str(report) and "(1 in Z2)" in str(report)
    # With a small nonzero b2 the same column is off the kink and everything agrees.
    params["b2"] = np.array([[0.01]])
    report = compare(X, Y, params, "relu")
    assert report.kinks == {} and bool(report), str(report)
