"""The hand-derived equations of tinygrad_edu.manual against centred differences.

Everything here is plain NumPy: the oracle is a centred difference written in
this file (not tinygrad_edu.gradcheck), and the course's relative difference
‖g − g_approx‖₂ / (‖g‖₂ + ‖g_approx‖₂).

The 1/m convention: the course's dZ[l] and dA[l] are per-example derivatives
∂L/∂Z, while J = (1/m) Σ L is the averaged cost, so ∂J/∂Z[l] = dZ[l] / m
(and the same for dA); dZ[l] / m is what is compared. dW[l] and db[l] already
carry the 1/m and equal ∂J/∂W[l], ∂J/∂b[l] directly.
"""

from __future__ import annotations

import copy
import warnings
from functools import partial

import numpy as np
import oracles  # tests/oracles.py
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from tinygrad_edu.manual import activations, deep, two_layer

# ---------------------------------------------------------------------------
# The oracle: centred differences and the course's relative difference
# ---------------------------------------------------------------------------

# The course uses ε = 1e-7. In float64 a centred difference has a truncation
# error of about ε² |J'''| / 6 and a rounding error of about u |J| / ε
# (u = 2.2e-16, the float64 unit round-off). At ε = 1e-7 the rounding term is
# ~2e-9 per entry, already more than 1e-7 of a modest gradient; ε = 1e-6
# divides it by ten while the truncation term stays near 1e-12.
EPS = 1e-6
# The course's threshold: a relative difference below 1e-7 means "right".
TOLERANCE = 1e-7
# Float64 cannot resolve J(θ + ε) − J(θ − ε) more finely than a few u |J|, so
# no centred difference is more accurate than u |J| / ε per entry. When a
# gradient is itself that small (a deep sigmoid chain, a leaky relu mostly on
# its slope-0.01 side) the relative difference measures rounding noise, not
# the gradient. Below ten times that floor an entry is as right as the check
# can tell; any real mistake is as large as the gradient and far above it.
ROUNDING = np.finfo(np.float64).eps

ACTIVATION_NAMES = ["sigmoid", "tanh", "relu", "leaky_relu"]
KINKED = {"relu", "leaky_relu"}
# Every hidden Z keeps at least this distance from relu's kink at 0. A
# perturbation of ε = 1e-6 in any input moves Z by far less, so the centred
# difference never straddles the kink.
KINK_MARGIN = 1e-3
# The output A[L] stays in [0.05, 0.95]: near 0 or 1, 1 − A[L] loses digits
# and log(1 − A[L]) amplifies the rounding error of J.
OUTPUT_MARGIN = 0.05


def centred_difference(f, x: np.ndarray, eps: float = EPS) -> np.ndarray:
    return oracles.centred_difference(f, x, eps)


def assert_gradient_matches(name: str, g: np.ndarray, g_approx: np.ndarray, J: float):
    """The course's check: relative difference < 1e-7, or every entry within the rounding floor."""
    assert g.shape == g_approx.shape, f"{name}: shape {g.shape} != {g_approx.shape}"
    difference = oracles.relative_difference(g, g_approx)
    floor = 10 * ROUNDING * max(1.0, abs(J)) / EPS
    worst = float(np.max(np.abs(g - g_approx)))
    assert difference < TOLERANCE or worst < floor, (
        f"{name}: relative difference {difference:.3e} (tolerance {TOLERANCE:g}), "
        f"largest error {worst:.3e} (rounding floor {floor:.3e})\n"
        f"analytic:\n{g}\nnumerical:\n{g_approx}"
    )


# ---------------------------------------------------------------------------
# An independent reference, written here, for the forward pass
# ---------------------------------------------------------------------------

REFERENCE_G = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
}


def reference_forward(X, params, hidden_activation):
    """Plain-NumPy forward: the list Z[1..L] and the output A[L]."""
    L = len(params) // 2
    A, Zs = X, []
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        Zs.append(Z)
        A = REFERENCE_G[hidden_activation if l < L else "sigmoid"](Z)
    return Zs, A


def reference_cost(A, Y):
    """J = −(1/m) Σ (Y log A + (1 − Y) log(1 − A))."""
    return -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / Y.shape[1]


# ---------------------------------------------------------------------------
# Random, well-conditioned problems
# ---------------------------------------------------------------------------


def make_problem(layer_dims, m, hidden_activation, seed):
    """Random X (n[0], m), labels Y (n[L], m) and params, kept off kinks and saturation.

    Weights ~ N(0, 1/n[l-1]) and biases ~ N(0, 0.25), so Z stays of order 1;
    draws that land a hidden Z within KINK_MARGIN of relu's kink, or an output
    within OUTPUT_MARGIN of 0 or 1, are thrown away and redrawn.
    """
    rng = np.random.RandomState(seed)
    for _attempt in range(1000):
        params = {}
        for l in range(1, len(layer_dims)):
            n, n_prev = layer_dims[l], layer_dims[l - 1]
            params[f"W{l}"] = rng.randn(n, n_prev) / np.sqrt(n_prev)
            params[f"b{l}"] = rng.randn(n, 1) * 0.5
        X = rng.randn(layer_dims[0], m)
        Y = rng.randint(0, 2, size=(layer_dims[-1], m)).astype(np.float64)
        Zs, AL = reference_forward(X, params, hidden_activation)
        off_kink = hidden_activation not in KINKED or all(
            np.min(np.abs(Z)) > KINK_MARGIN for Z in Zs[:-1]
        )
        unsaturated = OUTPUT_MARGIN < np.min(AL) and np.max(AL) < 1 - OUTPUT_MARGIN
        if off_kink and unsaturated:
            return X, Y, params
    raise RuntimeError(f"no well-conditioned draw for {layer_dims}, m={m}")


@st.composite
def deep_problems(draw, min_hidden=1, max_hidden=4):
    """(layer_dims, m, hidden activation, seed) with 1–4 hidden layers of width 1–6."""
    n_hidden = draw(st.integers(min_hidden, max_hidden))
    n_x = draw(st.integers(1, 6))
    hidden = [draw(st.integers(1, 6)) for _ in range(n_hidden)]
    n_y = draw(st.integers(1, 2))
    m = draw(st.integers(1, 16))
    activation = draw(st.sampled_from(ACTIVATION_NAMES))
    seed = draw(st.integers(0, 2**32 - 1))
    return [n_x, *hidden, n_y], m, activation, seed


# ---------------------------------------------------------------------------
# activations: each g' against centred differences of g
# ---------------------------------------------------------------------------

# Keep |z| ≥ 1e-3, away from relu's kink, and |z| ≤ 3, where tanh' ≥ 0.01 is
# large beside the rounding error u / ε ≈ 2e-10 of the centred difference.
away_from_zero = st.one_of(st.floats(-3, -1e-3), st.floats(1e-3, 3))


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
@settings(deadline=None, max_examples=25)
@given(
    Z=arrays(
        np.float64,
        array_shapes(min_dims=1, max_dims=2, max_side=6),
        elements=away_from_zero,
    )
)
def test_activation_derivative_matches_centred_difference(name, Z):
    g, g_prime = activations.get(name)
    # g acts entry by entry, so perturbing all of Z at once gives every ∂g/∂z.
    numerical = (g(Z + EPS) - g(Z - EPS)) / (2 * EPS)
    assert oracles.relative_difference(g_prime(Z), numerical) < TOLERANCE
    assert g(Z).shape == Z.shape and g_prime(Z).shape == Z.shape


def test_activation_values():
    Z = np.array([[-2.0, -0.5, 0.5, 2.0]])
    np.testing.assert_allclose(activations.sigmoid(Z), 1 / (1 + np.exp(-Z)))
    np.testing.assert_allclose(activations.tanh_derivative(Z), 1 - np.tanh(Z) ** 2)
    np.testing.assert_array_equal(activations.relu(Z), [[0, 0, 0.5, 2]])
    np.testing.assert_array_equal(activations.relu_derivative(Z), [[0, 0, 1, 1]])
    np.testing.assert_allclose(activations.leaky_relu(Z), [[-0.02, -0.005, 0.5, 2]])
    np.testing.assert_allclose(activations.leaky_relu(Z, slope=0.2), [[-0.4, -0.1, 0.5, 2]])
    np.testing.assert_array_equal(activations.leaky_relu_derivative(Z), [[0.01, 0.01, 1, 1]])
    # At the kink the course takes the derivative to be that of the left side.
    assert activations.relu_derivative(np.array(0.0)) == 0
    assert activations.leaky_relu_derivative(np.array(0.0)) == 0.01


def test_sigmoid_saturates_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = activations.sigmoid(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]))
    np.testing.assert_array_equal(values[[0, 2, 4]], [0.0, 0.5, 1.0])
    assert 0 < values[1] < 1e-20


def test_activations_table_pairs_each_g_with_its_derivative():
    assert set(activations.ACTIVATIONS) == set(ACTIVATION_NAMES)
    assert activations.get("tanh") == (activations.tanh, activations.tanh_derivative)
    assert activations.get("leaky_relu")[1] is activations.leaky_relu_derivative


def test_unknown_activation_names_the_bad_one_and_the_valid_ones():
    with pytest.raises(ValueError, match="swish") as error:
        activations.get("swish")
    for name in ACTIVATION_NAMES:
        assert repr(name) in str(error.value)


# ---------------------------------------------------------------------------
# two_layer: the six backprop equations against centred differences
# ---------------------------------------------------------------------------


@settings(deadline=None, max_examples=25)
@given(problem=deep_problems(min_hidden=1, max_hidden=1))
def test_two_layer_gradients_match_centred_differences(problem):
    layer_dims, m, activation, seed = problem
    X, Y, params = make_problem(layer_dims, m, activation, seed)
    A2, cache = two_layer.forward(X, params, activation)
    grads = two_layer.backward(params, cache, X, Y, activation)
    J = two_layer.cost(A2, Y)

    def J_of_params():
        return two_layer.cost(two_layer.forward(X, params, activation)[0], Y)

    for name in ("W1", "b1", "W2", "b2"):
        numerical = centred_difference(J_of_params, params[name])
        assert_gradient_matches("d" + name, grads["d" + name], numerical, J)

    # dZ is per example, so ∂J/∂Z[l] = dZ[l] / m (the 1/m convention).
    g = REFERENCE_G[activation]
    W2, b2 = params["W2"], params["b2"]
    Z1, Z2 = cache["Z1"].copy(), cache["Z2"].copy()
    numerical_dZ1 = centred_difference(
        lambda: reference_cost(REFERENCE_G["sigmoid"](W2 @ g(Z1) + b2), Y), Z1
    )
    numerical_dZ2 = centred_difference(lambda: reference_cost(REFERENCE_G["sigmoid"](Z2), Y), Z2)
    assert_gradient_matches("dZ1 / m", grads["dZ1"] / m, numerical_dZ1, J)
    assert_gradient_matches("dZ2 / m", grads["dZ2"] / m, numerical_dZ2, J)


@settings(deadline=None, max_examples=25)
@given(problem=deep_problems(min_hidden=1, max_hidden=1))
def test_two_layer_shapes_and_forward_values(problem):
    (n_x, n_h, n_y), m, activation, seed = problem
    X, Y, params = make_problem([n_x, n_h, n_y], m, activation, seed)
    A2, cache = two_layer.forward(X, params, activation)
    grads = two_layer.backward(params, cache, X, Y, activation)

    assert set(cache) == {"Z1", "A1", "Z2", "A2"}
    assert cache["Z1"].shape == cache["A1"].shape == (n_h, m)
    assert cache["Z2"].shape == cache["A2"].shape == A2.shape == (n_y, m)
    assert cache["A2"] is A2
    assert set(grads) == {"dZ2", "dW2", "db2", "dZ1", "dW1", "db1"}
    assert grads["dZ1"].shape == (n_h, m) and grads["dZ2"].shape == (n_y, m)
    for name in ("W1", "b1", "W2", "b2"):
        assert grads["d" + name].shape == params[name].shape
        assert grads["d" + name].dtype == np.float64

    Zs, AL = reference_forward(X, params, activation)
    np.testing.assert_allclose(cache["Z1"], Zs[0], rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(A2, AL, rtol=1e-14)
    assert two_layer.cost(A2, Y) == pytest.approx(reference_cost(AL, Y), rel=1e-14)
    assert isinstance(two_layer.cost(A2, Y), float)
    np.testing.assert_array_equal(two_layer.predict(X, params, activation), (AL > 0.5) * 1.0)
    # dZ2 = A2 − Y: sigmoid output and cross-entropy together.
    np.testing.assert_array_equal(grads["dZ2"], A2 - Y)


def test_two_layer_tanh_backward_uses_one_minus_A1_squared():
    X, Y, params = make_problem([3, 4, 1], 7, "tanh", seed=0)
    _, cache = two_layer.forward(X, params, "tanh")
    grads = two_layer.backward(params, cache, X, Y, "tanh")
    expected = (params["W2"].T @ grads["dZ2"]) * (1 - cache["A1"] ** 2)
    np.testing.assert_array_equal(grads["dZ1"], expected)
    generic = (params["W2"].T @ grads["dZ2"]) * activations.tanh_derivative(cache["Z1"])
    np.testing.assert_allclose(grads["dZ1"], generic, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------
# deep: the L-layer building blocks against centred differences
# ---------------------------------------------------------------------------


def forward_from(layer, A, params, hidden_activation):
    """Run layers layer+1 … L of the network from the activation A = A[layer]."""
    L = deep.num_layers(params)
    for l in range(layer + 1, L + 1):
        activation = hidden_activation if l < L else "sigmoid"
        A, _ = deep.linear_activation_forward(A, params[f"W{l}"], params[f"b{l}"], activation)
    return A


@settings(deadline=None, max_examples=25)
@given(problem=deep_problems())
def test_deep_gradients_match_centred_differences(problem):
    layer_dims, m, activation, seed = problem
    X, Y, params = make_problem(layer_dims, m, activation, seed)
    L = len(layer_dims) - 1
    AL, caches = deep.model_forward(X, params, activation)
    grads = deep.model_backward(AL, Y, caches, activation)
    J = deep.cost(AL, Y)

    def J_of_params():
        return deep.cost(deep.model_forward(X, params, activation)[0], Y)

    for l in range(1, L + 1):
        for name in (f"W{l}", f"b{l}"):
            numerical = centred_difference(J_of_params, params[name])
            assert_gradient_matches("d" + name, grads["d" + name], numerical, J)

    def J_of_A(l, A):
        return deep.cost(forward_from(l, A, params, activation), Y)

    def J_of_Z(l, Z):
        g = REFERENCE_G[activation if l < L else "sigmoid"]
        return J_of_A(l, g(Z))

    # dA[l] and dZ[l] are per example: ∂J/∂A[l] = dA[l] / m, ∂J/∂Z[l] = dZ[l] / m.
    # (dA0 is the derivative with respect to X.)
    for l in range(L + 1):
        A = X.copy() if l == 0 else caches[l][0][0].copy() if l < L else AL.copy()
        numerical = centred_difference(partial(J_of_A, l, A), A)
        assert_gradient_matches(f"dA{l} / m", grads[f"dA{l}"] / m, numerical, J)
    for l in range(1, L + 1):
        Z = caches[l - 1][1].copy()
        numerical = centred_difference(partial(J_of_Z, l, Z), Z)
        assert_gradient_matches(f"dZ{l} / m", grads[f"dZ{l}"] / m, numerical, J)


@settings(deadline=None, max_examples=25)
@given(problem=deep_problems())
def test_deep_shapes_caches_and_forward_values(problem):
    layer_dims, m, activation, seed = problem
    X, Y, params = make_problem(layer_dims, m, activation, seed)
    L = len(layer_dims) - 1
    AL, caches = deep.model_forward(X, params, activation)
    grads = deep.model_backward(AL, Y, caches, activation)

    assert len(caches) == L
    Zs, reference_AL = reference_forward(X, params, activation)
    A_prev = X
    for l, ((cached_A_prev, W, b), Z) in enumerate(caches, start=1):
        assert cached_A_prev.shape == (layer_dims[l - 1], m)
        np.testing.assert_array_equal(cached_A_prev, A_prev)
        assert W is params[f"W{l}"] and b is params[f"b{l}"]
        assert Z.shape == (layer_dims[l], m)
        np.testing.assert_allclose(Z, Zs[l - 1], rtol=1e-13, atol=1e-14)
        A_prev = REFERENCE_G[activation if l < L else "sigmoid"](Z)
    assert caches[0][0][0] is X
    np.testing.assert_allclose(AL, reference_AL, rtol=1e-13)
    assert deep.cost(AL, Y) == pytest.approx(reference_cost(reference_AL, Y), rel=1e-13)

    expected_keys = {f"dA{l}" for l in range(L + 1)}
    for l in range(1, L + 1):
        expected_keys |= {f"dZ{l}", f"dW{l}", f"db{l}"}
    assert set(grads) == expected_keys
    for l in range(1, L + 1):
        assert grads[f"dZ{l}"].shape == (layer_dims[l], m)
        assert grads[f"dW{l}"].shape == params[f"W{l}"].shape
        assert grads[f"db{l}"].shape == params[f"b{l}"].shape
    for l in range(L + 1):
        assert grads[f"dA{l}"].shape == (layer_dims[l], m)
    np.testing.assert_array_equal(grads[f"dA{L}"], -(Y / AL - (1 - Y) / (1 - AL)))
    # dZ[L] = dA[L] · σ'(Z[L]) is the course's A[L] − Y, up to rounding.
    np.testing.assert_allclose(grads[f"dZ{L}"], AL - Y, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(deep.predict(X, params, activation), (AL > 0.5) * 1.0)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_linear_activation_backward_is_activation_then_linear(activation):
    X, _, params = make_problem([3, 5, 1], 6, activation, seed=1)
    _, caches = deep.model_forward(X, params, activation)
    dA1 = np.random.RandomState(0).randn(5, 6)
    dA0, dW1, db1 = deep.linear_activation_backward(dA1, caches[0], activation)
    (A_prev, W, _), Z = caches[0]
    dZ1 = deep.activation_backward(dA1, Z, activation)
    np.testing.assert_array_equal(dZ1, dA1 * activations.get(activation)[1](Z))
    np.testing.assert_array_equal(dW1, (1 / 6) * dZ1 @ A_prev.T)
    np.testing.assert_array_equal(db1, (1 / 6) * np.sum(dZ1, axis=1, keepdims=True))
    np.testing.assert_array_equal(dA0, W.T @ dZ1)


# ---------------------------------------------------------------------------
# two_layer and deep are the same network
# ---------------------------------------------------------------------------


@settings(deadline=None, max_examples=25)
@given(problem=deep_problems(min_hidden=1, max_hidden=1))
def test_two_layer_and_one_hidden_layer_deep_agree(problem):
    layer_dims, m, activation, seed = problem
    X, Y, params = make_problem(layer_dims, m, activation, seed)
    A2, cache = two_layer.forward(X, params, activation)
    AL, caches = deep.model_forward(X, params, hidden_activation=activation)
    np.testing.assert_array_equal(A2, AL)
    assert two_layer.cost(A2, Y) == deep.cost(AL, Y)

    two = two_layer.backward(params, cache, X, Y, activation)
    many = deep.model_backward(AL, Y, caches, hidden_activation=activation)
    # The same equations; deep reaches dZ2 through dA2 · σ'(Z2) instead of
    # A2 − Y, so the two agree to rounding rather than bit for bit.
    for name in ("dZ2", "dW2", "db2", "dZ1", "dW1", "db1"):
        np.testing.assert_allclose(two[name], many[name], rtol=1e-10, atol=1e-14, err_msg=name)


def test_course_tanh_network_two_ways():
    params = two_layer.init_params(2, 4, 1)
    X, Y, _ = make_problem([2, 4, 1], 5, "tanh", seed=3)
    two = two_layer.backward(params, two_layer.forward(X, params)[1], X, Y)
    AL, caches = deep.model_forward(X, params, hidden_activation="tanh")
    many = deep.model_backward(AL, Y, caches, hidden_activation="tanh")
    for name in two:
        np.testing.assert_allclose(two[name], many[name], rtol=1e-10, atol=1e-16, err_msg=name)


# ---------------------------------------------------------------------------
# Initialisation
# ---------------------------------------------------------------------------


def test_two_layer_init_reproduces_the_course_notebook():
    params = two_layer.init_params(2, 4, 1)
    expected_W1 = [
        [-0.00416758, -0.00056267],
        [-0.02136196, 0.01640271],
        [-0.01793436, -0.00841747],
        [0.00502881, -0.01245288],
    ]
    expected_W2 = [[-0.01057952, -0.00909008, 0.00551454, 0.02292208]]
    np.testing.assert_allclose(params["W1"], expected_W1, atol=5e-9)
    np.testing.assert_allclose(params["W2"], expected_W2, atol=5e-9)
    np.testing.assert_array_equal(params["b1"], np.zeros((4, 1)))
    np.testing.assert_array_equal(params["b2"], np.zeros((1, 1)))
    assert list(params) == ["W1", "b1", "W2", "b2"]


def test_deep_init_reproduces_the_course_notebook():
    params = deep.init_params([5, 4, 3])
    np.testing.assert_allclose(
        params["W1"][0],
        [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388],
        atol=5e-9,
    )
    np.testing.assert_allclose(
        params["W2"][2], [-0.00768836, -0.00230031, 0.00745056, 0.01976111], atol=5e-9
    )
    assert list(params) == ["W1", "b1", "W2", "b2"]
    assert params["W1"].shape == (4, 5) and params["b1"].shape == (4, 1)
    assert params["W2"].shape == (3, 4) and params["b2"].shape == (3, 1)


@pytest.mark.parametrize(
    "method, scale",
    [
        ("small", lambda n_prev: 0.01),
        ("he", lambda n_prev: np.sqrt(2 / n_prev)),
        ("xavier", lambda n_prev: np.sqrt(1 / n_prev)),
        ("zeros", lambda n_prev: 0.0),
    ],
)
def test_deep_init_methods(method, scale):
    dims = [3, 5, 2, 1]
    params = deep.init_params(dims, seed=7, method=method)
    rng = np.random.RandomState(7)
    for l in range(1, len(dims)):
        expected = rng.randn(dims[l], dims[l - 1]) * scale(dims[l - 1])
        if method == "zeros":
            expected = np.zeros((dims[l], dims[l - 1]))
        np.testing.assert_array_equal(params[f"W{l}"], expected)
        np.testing.assert_array_equal(params[f"b{l}"], np.zeros((dims[l], 1)))


def global_state_unchanged(action):
    """Run action and report whether NumPy's global random state is as before."""
    before = np.random.get_state()
    action()
    after = np.random.get_state()
    return before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


@pytest.mark.parametrize(
    "init",
    [
        lambda seed: two_layer.init_params(3, 4, 1, seed=seed),
        lambda seed: deep.init_params([3, 4, 4, 1], seed=seed, method="he"),
    ],
    ids=["two_layer", "deep"],
)
def test_init_is_reproducible_and_leaves_global_state_alone(init):
    first, again, other = init(11), init(11), init(12)
    for name in first:
        np.testing.assert_array_equal(first[name], again[name])
    assert not np.array_equal(first["W1"], other["W1"])
    assert global_state_unchanged(lambda: init(11))
    # ...and does not depend on it either.
    saved = np.random.get_state()
    try:
        np.random.seed(0)
        a = init(5)
        np.random.seed(1)
        b = init(5)
    finally:
        np.random.set_state(saved)
    np.testing.assert_array_equal(a["W1"], b["W1"])


def test_bad_init_arguments_raise():
    with pytest.raises(ValueError, match="'kaiming'.*'he'"):
        deep.init_params([2, 3, 1], method="kaiming")
    with pytest.raises(ValueError, match="at least two"):
        deep.init_params([4])
    with pytest.raises(ValueError, match="positive"):
        deep.init_params([2, 0, 1])
    with pytest.raises(TypeError, match="integers"):
        deep.init_params([2, 3.5, 1])
    with pytest.raises(ValueError, match="n_h"):
        two_layer.init_params(2, 0, 1)


# ---------------------------------------------------------------------------
# update and training
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("module", [two_layer, deep], ids=["two_layer", "deep"])
def test_update_returns_new_params_and_does_not_mutate(module):
    X, Y, params = make_problem([2, 3, 1], 4, "tanh", seed=2)
    if module is two_layer:
        A, cache = two_layer.forward(X, params)
        grads = two_layer.backward(params, cache, X, Y)
    else:
        A, caches = deep.model_forward(X, params, "tanh")
        grads = deep.model_backward(A, Y, caches, "tanh")
    params_before, grads_before = copy.deepcopy(params), copy.deepcopy(grads)

    new = module.update(params, grads, learning_rate=0.5)

    assert new is not params and set(new) == set(params)
    for name in params:
        np.testing.assert_array_equal(params[name], params_before[name])
        np.testing.assert_array_equal(new[name], params[name] - 0.5 * grads["d" + name])
        assert new[name] is not params[name]
    for name in grads:
        np.testing.assert_array_equal(grads[name], grads_before[name])


def test_deep_update_names_a_missing_gradient():
    params = deep.init_params([2, 3, 1])
    with pytest.raises(ValueError, match="dW2"):
        deep.update(params, {"dW1": 0, "db1": 0}, 0.1)


def test_two_layer_train_lowers_the_cost():
    X, Y, _ = make_problem([2, 3, 1], 20, "tanh", seed=4)
    params, costs = two_layer.train(X, Y, n_h=3, num_iterations=200, learning_rate=0.5)
    assert len(costs) == 200 and all(isinstance(c, float) for c in costs)
    assert costs[-1] < costs[0]
    assert costs[0] == pytest.approx(np.log(2), abs=1e-3)  # tiny weights: A2 ≈ 0.5
    assert set(params) == {"W1", "b1", "W2", "b2"}


# ---------------------------------------------------------------------------
# Errors: the type, and a message naming both shapes
# ---------------------------------------------------------------------------


def test_two_layer_rejects_mismatched_shapes():
    params = two_layer.init_params(2, 4, 1)
    X = np.zeros((2, 5))
    Y = np.zeros((1, 5))
    A2, cache = two_layer.forward(X, params)

    with pytest.raises(ValueError, match=r"\(3, 5\).*\(4, 2\)|\(4, 2\).*\(3, 5\)") as error:
        two_layer.forward(np.zeros((3, 5)), params)
    assert "column" in str(error.value)
    with pytest.raises(ValueError, match=r"\(n_x, m\).*\(5,\)"):
        two_layer.forward(np.zeros(5), params)
    # Examples as rows: the classic mistake.
    with pytest.raises(ValueError, match=r"\(2, 5\).*\(5, 1\)"):
        two_layer.backward(params, cache, X, Y.T)
    with pytest.raises(ValueError, match=r"\(2, 5\).*\(1, 4\)"):
        two_layer.backward(params, cache, X, np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"\(1, 5\).*\(5, 1\)"):
        two_layer.cost(A2, Y.T)
    with pytest.raises(ValueError, match=r"\(2, 5\).*\(5, 1\)"):
        two_layer.train(X, Y.T, n_h=2, num_iterations=1)
    bad = dict(params, b1=np.zeros(4))
    with pytest.raises(ValueError, match=r"b1.*\(4,\).*\(4, 2\)"):
        two_layer.forward(X, bad)
    with pytest.raises(ValueError, match="missing"):
        two_layer.forward(X, {"W1": params["W1"]})


def test_deep_rejects_mismatched_shapes():
    params = deep.init_params([2, 3, 3, 1])
    X = np.zeros((2, 5))
    with pytest.raises(ValueError, match=r"W1.*\(3, 2\).*X.*\(4, 5\)") as error:
        deep.model_forward(np.zeros((4, 5)), params)
    assert "column" in str(error.value)
    bad = dict(params, W3=np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"W3.*\(1, 4\).*A2.*\(3, 5\)"):
        deep.model_forward(X, bad)
    AL, caches = deep.model_forward(X, params)
    with pytest.raises(ValueError, match=r"\(1, 5\).*\(5, 1\)"):
        deep.cost(AL, np.zeros((5, 1)))
    with pytest.raises(ValueError, match=r"\(1, 5\).*\(5, 1\)"):
        deep.model_backward(AL, np.zeros((5, 1)), caches)
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(4, 5\)"):
        deep.linear_forward(np.zeros((4, 5)), params["W1"], params["b1"])
    with pytest.raises(ValueError, match=r"\(3,\).*\(3, 2\)"):
        deep.linear_forward(X, params["W1"], np.zeros(3))
    with pytest.raises(ValueError, match="W1"):
        deep.model_forward(X, {})


@pytest.mark.parametrize(
    "call",
    [
        lambda X, p: two_layer.forward(X, p, activation="softsign"),
        lambda X, p: two_layer.predict(X, p, activation="softsign"),
        lambda X, p: deep.model_forward(X, p, hidden_activation="softsign"),
        lambda X, p: deep.linear_activation_forward(X, p["W1"], p["b1"], "softsign"),
        lambda X, p: two_layer.train(X, np.zeros((1, 3)), 2, activation="softsign"),
    ],
)
def test_unknown_activation_raises(call):
    with pytest.raises(ValueError, match="softsign.*'relu'"):
        call(np.zeros((2, 3)), two_layer.init_params(2, 4, 1))


def test_lists_and_integers_become_float64():
    params = two_layer.init_params(2, 2, 1)
    A2, _ = two_layer.forward([[1, 2, 3], [4, 5, 6]], params)
    assert A2.dtype == np.float64 and A2.shape == (1, 3)
    assert isinstance(deep.cost(A2, [[1, 0, 1]]), float)
