"""Multi-class output: manual.softmax (by hand) against autodiff (nn.deep_network + F.cross_entropy)
and against centred differences.

The 1/m convention: the course's dZ[l] is the per-example derivative, so
autodiff of the averaged cost J gives Z[l].grad = dZ[l] / m, i.e.
m · ZL.grad = A[L] − Y; dW[l] and db[l] equal W[l].grad and b[l].grad directly.
"""

from __future__ import annotations

import numpy as np
import oracles  # tests/oracles.py
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, gradcheck, nn
from tinygrad_edu.data import blobs
from tinygrad_edu.manual import deep
from tinygrad_edu.manual import softmax as manual

RTOL = 1e-10
# Hidden Z stay this far from relu's kink at 0, so a centred difference never straddles it.
KINK_MARGIN = 1e-3
EPS = 1e-6  # the centred differences' step (see tests/test_manual.py for the choice)


def assert_close(name: str, actual: np.ndarray, expected: np.ndarray) -> None:
    """rtol 1e-10, with an absolute floor of 1e-10 × the largest entry for entries near 0."""
    scale = float(np.max(np.abs(expected)))
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=RTOL * scale, err_msg=name)


def random_problem(
    layer_dims: list[int], m: int, seed: int
) -> tuple[np.ndarray, np.ndarray, deep.Params]:
    """X (n_x, m), a one-hot Y (C, m) and He-initialised params with small random biases."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(layer_dims[0], m))
    Y = manual.one_hot(rng.integers(0, layer_dims[-1], size=m), layer_dims[-1])
    params = deep.init_params(layer_dims, seed=seed % 2**31, method="he")
    for l in range(1, len(layer_dims)):
        params[f"b{l}"] = rng.normal(size=(layer_dims[l], 1)) * 0.1
    return X, Y, params


def autodiff_grads(
    X: np.ndarray, Y: np.ndarray, params: deep.Params, layer_dims: list[int], hidden: str
) -> tuple[float, dict[str, np.ndarray]]:
    """J and the gradients of the same network by autodiff: W.grad, b.grad and Z.grad."""
    model = nn.deep_network(layer_dims, hidden_activation=hidden).load_params(params)
    ZL, named = model.forward_named(X)
    J = F.cross_entropy(ZL, Y)
    J.backward()
    grads = {}
    for l, layer in enumerate(model.linear_layers(), start=1):
        grads[f"dW{l}"], grads[f"db{l}"] = layer.W.grad, layer.b.grad
        grads[f"Z{l}.grad"] = named[f"Z{l}"].grad
    return J.item(), grads


def assert_manual_equals_autodiff(
    X: np.ndarray, Y: np.ndarray, params: deep.Params, layer_dims: list[int], hidden: str
) -> None:
    m = X.shape[1]
    AL, caches = manual.model_forward(X, params, hidden)
    grads = manual.model_backward(AL, Y, caches, hidden)
    J, auto = autodiff_grads(X, Y, params, layer_dims, hidden)
    np.testing.assert_allclose(manual.cost(AL, Y), J, rtol=RTOL)
    for l in range(1, len(layer_dims)):
        assert_close(f"dW{l}", grads[f"dW{l}"], auto[f"dW{l}"])
        assert_close(f"db{l}", grads[f"db{l}"], auto[f"db{l}"])
        assert_close(f"dZ{l} / m", grads[f"dZ{l}"] / m, auto[f"Z{l}.grad"])


layer_sizes = st.lists(st.integers(1, 5), min_size=0, max_size=2)  # the hidden layers


# ---------------------------------------------------------------------------
# The output layer on its own
# ---------------------------------------------------------------------------


@given(C=st.integers(2, 5), m=st.integers(1, 10), seed=st.integers(0, 2**32 - 1))
def test_m_times_ZL_grad_is_AL_minus_Y(C: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ZL = Tensor(rng.normal(size=(C, m)) * 3, requires_grad=True)
    Y = manual.one_hot(rng.integers(0, C, size=m), C)
    J = F.cross_entropy(ZL, Y)
    J.backward()
    AL = manual.softmax(ZL.data)
    assert_close("m · ZL.grad vs A[L] − Y", m * ZL.grad, manual.output_backward(AL, Y))
    np.testing.assert_allclose(manual.cost(AL, Y), J.item(), rtol=RTOL)
    assert_close("softmax", AL, F.softmax(ZL.data).data)


def test_softmax_is_stable_and_columns_sum_to_one() -> None:
    Z = np.array([[1000.0, -1000.0, 0.0], [999.0, -1001.0, 0.0], [0.0, 0.0, 0.0]])
    A = manual.softmax(Z)
    assert np.all(np.isfinite(A))
    np.testing.assert_allclose(A.sum(axis=0), 1.0, rtol=1e-15)
    np.testing.assert_allclose(A[:, 2], 1 / 3)
    np.testing.assert_allclose(A[0, 0] / A[1, 0], np.e)


def test_cost_ignores_zero_probabilities_of_wrong_classes() -> None:
    AL = np.array([[1.0, 0.5], [0.0, 0.5]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert manual.cost(AL, Y) == pytest.approx(-np.log(0.5) / 2)


# ---------------------------------------------------------------------------
# The whole network
# ---------------------------------------------------------------------------


@given(
    hidden_dims=layer_sizes,
    n_x=st.integers(1, 4),
    C=st.integers(2, 5),
    m=st.integers(1, 12),
    hidden=st.sampled_from(["relu", "tanh"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_manual_softmax_network_equals_autodiff(
    hidden_dims: list[int], n_x: int, C: int, m: int, hidden: str, seed: int
) -> None:
    layer_dims = [n_x, *hidden_dims, C]
    X, Y, params = random_problem(layer_dims, m, seed)
    assert_manual_equals_autodiff(X, Y, params, layer_dims, hidden)


def finite_difference_check(X: np.ndarray, Y: np.ndarray, params: deep.Params, hidden: str) -> None:
    """Every dW, db of the manual network against centred differences of manual.cost."""
    AL, caches = manual.model_forward(X, params, hidden)
    grads = manual.model_backward(AL, Y, caches, hidden)
    params = {name: value.copy() for name, value in params.items()}  # perturbed in place

    def J() -> float:
        return manual.cost(manual.model_forward(X, params, hidden)[0], Y)

    # A centred difference resolves no better than u |J| / ε per entry (u, the float64
    # round-off): for a tiny gradient (a deep chain of one-unit tanh layers) the relative
    # difference measures that noise, so an error ten times below it passes, as in test_manual.
    rounding_floor = 10 * np.finfo(np.float64).eps * max(1.0, J()) / EPS
    for name in sorted(params):
        g_approx = oracles.centred_difference(J, params[name], EPS)
        difference = oracles.relative_difference(grads["d" + name], g_approx)
        worst = float(np.max(np.abs(grads["d" + name] - g_approx)))
        assert difference < 1e-7 or worst < rounding_floor, (
            f"d{name}: relative difference {difference:.2e}, largest error {worst:.2e} "
            f"(rounding floor {rounding_floor:.2e})"
        )


@given(
    hidden_dims=st.lists(st.integers(1, 4), min_size=1, max_size=2),
    C=st.integers(2, 5),
    m=st.integers(1, 6),
    hidden=st.sampled_from(["relu", "tanh"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_manual_softmax_network_matches_finite_differences(
    hidden_dims: list[int], C: int, m: int, hidden: str, seed: int
) -> None:
    layer_dims = [3, *hidden_dims, C]
    X, Y, params = random_problem(layer_dims, m, seed)
    if hidden == "relu":
        _, caches = manual.model_forward(X, params, hidden)
        assume(all(np.min(np.abs(Z)) > KINK_MARGIN for _, Z in caches[:-1]))
    finite_difference_check(X, Y, params, hidden)


def test_three_blobs_manual_autodiff_and_finite_differences_agree() -> None:
    X, labels = blobs(60, centers=3)
    Y = manual.one_hot(labels, 3)
    layer_dims = [2, 5, 3]
    params = deep.init_params(layer_dims, seed=1, method="xavier")
    assert_manual_equals_autodiff(X, Y, params, layer_dims, "tanh")
    finite_difference_check(X, Y, params, "tanh")
    # The autodiff network passes tinygrad_edu.gradcheck on the same data.
    model = nn.deep_network(layer_dims, hidden_activation="tanh").load_params(params)

    def J(*leaves: Tensor) -> Tensor:
        for layer, (W, b) in zip(model.linear_layers(), zip(leaves[::2], leaves[1::2])):
            layer.W, layer.b = W, b
        return F.cross_entropy(model(X), Y)

    result = gradcheck(J, model.parameters())
    assert result, str(result)
    # Gradient descent with the manual gradients learns the three classes.
    costs = []
    for _ in range(200):
        AL, caches = manual.model_forward(X, params, "tanh")
        costs.append(manual.cost(AL, Y))
        params = deep.update(params, manual.model_backward(AL, Y, caches, "tanh"), 0.5)
    assert costs[-1] < 0.2 * costs[0]
    assert np.mean(manual.predict(X, params, "tanh") == labels.ravel()) > 0.9


def test_integer_labels_give_the_same_cost_as_one_hot() -> None:
    X, labels = blobs(30, centers=3, seed=2)
    params = deep.init_params([2, 4, 3], seed=2)
    AL, _ = manual.model_forward(X, params, "relu")
    ZL = nn.deep_network([2, 4, 3]).load_params(params)(X)
    np.testing.assert_allclose(
        F.cross_entropy(ZL, labels).item(), manual.cost(AL, manual.one_hot(labels, 3)), rtol=RTOL
    )


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ValueError, match="AL has shape"):
        manual.cost(np.full((3, 2), 1 / 3), np.ones((2, 2)))
    with pytest.raises(ValueError, match="labels must be whole numbers from 0 to 2"):
        manual.one_hot(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match="unknown activation"):
        manual.model_forward(np.ones((2, 1)), deep.init_params([2, 3]), "softplus")
