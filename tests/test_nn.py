"""``tinygrad_edu.nn`` (layers in the course's column layout) and ``tinygrad_edu.optim.SGD``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, nn, no_grad
from tinygrad_edu.manual import activations as manual_activations
from tinygrad_edu.manual import deep, two_layer
from tinygrad_edu.optim import SGD, Optimizer

ACTIVATION_LAYERS = {
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
}


# ---------------------------------------------------------------------------
# Linear
# ---------------------------------------------------------------------------


@settings(deadline=None)
@given(
    n_in=st.integers(1, 8),
    n_out=st.integers(1, 8),
    m=st.integers(1, 16),
    seed=st.integers(0, 2**32 - 1),
)
def test_linear_shapes_and_value(n_in: int, n_out: int, m: int, seed: int) -> None:
    layer = nn.Linear(n_in, n_out, seed=seed)
    assert layer.W.shape == (n_out, n_in) and layer.b.shape == (n_out, 1)
    assert layer.W.requires_grad and layer.b.requires_grad
    assert layer.W.is_leaf and layer.b.is_leaf
    assert layer.W.dtype == np.float64 and layer.b.dtype == np.float64
    rng = np.random.RandomState(seed)
    layer.b.data = rng.randn(n_out, 1)
    A = rng.randn(n_in, m)
    Z = layer(A)
    assert Z.shape == (n_out, m)
    np.testing.assert_array_equal(Z.data, layer.W.data @ A + layer.b.data)  # Z = W·A + b
    # …and the same through a Tensor input
    np.testing.assert_array_equal(layer(Tensor(A)).data, Z.data)


def test_linear_gradients_are_the_course_dW_and_db() -> None:
    rng = np.random.RandomState(0)
    layer = nn.Linear(3, 2, seed=1)
    A, dZ = rng.randn(3, 5), rng.randn(2, 5)
    layer(A).backward(dZ)
    np.testing.assert_allclose(layer.W.grad, dZ @ A.T, rtol=1e-14)  # dW = dZ · Aᵀ
    np.testing.assert_allclose(layer.b.grad, dZ.sum(axis=1, keepdims=True), rtol=1e-14)
    assert layer.b.grad.shape == (2, 1)


@pytest.mark.parametrize(
    "init, scale", [("small", 0.01), ("he", np.sqrt(2 / 5)), ("xavier", np.sqrt(1 / 5))]
)
def test_linear_init(init: str, scale: float) -> None:
    layer = nn.Linear(5, 3, init=init, seed=7)
    np.testing.assert_array_equal(layer.W.data, np.random.RandomState(7).randn(3, 5) * scale)
    np.testing.assert_array_equal(layer.b.data, np.zeros((3, 1)))
    assert repr(layer) == "Linear(n_in=5, n_out=3)"


def test_linear_same_seed_same_weights_and_global_state_untouched() -> None:
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    a, b = nn.Linear(4, 3, seed=11), nn.Linear(4, 3, seed=11)
    np.testing.assert_array_equal(a.W.data, b.W.data)
    assert not np.array_equal(a.W.data, nn.Linear(4, 3, seed=12).W.data)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_linear_rejects_an_unknown_init() -> None:
    with pytest.raises(ValueError, match="'uniform'") as info:
        nn.Linear(2, 3, init="uniform")
    assert "'he'" in str(info.value) and "'small'" in str(info.value)


@pytest.mark.parametrize("n_in", [0, -1])
def test_linear_rejects_a_non_positive_input_size(n_in: int) -> None:
    """A ValueError naming n_in, like manual's init_params. Today n_in = 0 raises
    ZeroDivisionError and n_in = −1 a RuntimeWarning, both from computing the
    "he" scale √(2/n_in) even when init="small" (nn/layers.py, Linear.__init__)."""
    with pytest.raises(ValueError, match="n_in"):
        nn.Linear(n_in, 3)


# ---------------------------------------------------------------------------
# Module: parameters, zero_grad, train/eval
# ---------------------------------------------------------------------------


def test_parameters_in_course_order_and_unique() -> None:
    first, second = nn.Linear(2, 4, seed=1), nn.Linear(4, 1, seed=2)
    model = nn.Sequential(first, nn.Tanh(), second)
    params = model.parameters()
    assert [p.shape for p in params] == [(4, 2), (4, 1), (1, 4), (1, 1)]
    assert params[0] is first.W and params[1] is first.b
    assert params[2] is second.W and params[3] is second.b
    assert [name for name, _ in model.named_parameters()] == [
        "layers.0.W",
        "layers.0.b",
        "layers.2.W",
        "layers.2.b",
    ]
    # A layer used twice is one set of parameters, listed once.
    square = nn.Linear(3, 3, seed=3)
    shared = nn.Sequential(square, nn.ReLU(), square)
    assert len(list(shared.named_parameters())) == 4
    assert [id(p) for p in shared.parameters()] == [id(square.W), id(square.b)]
    assert nn.Tanh().parameters() == []


def test_parameters_skip_tensors_that_need_no_grad() -> None:
    layer = nn.Linear(2, 2, seed=0)
    layer.mask = Tensor(np.ones((2, 2)))  # a buffer, not a parameter
    assert layer.parameters() == [layer.W, layer.b]


def test_zero_grad_clears_every_parameter() -> None:
    model = nn.two_layer_network(2, 3)
    X, Y = np.ones((2, 4)), np.array([[0.0, 1.0, 1.0, 0.0]])
    F.binary_cross_entropy_with_logits(model(X), Y).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_gradients_accumulate_until_zero_grad() -> None:
    model = nn.two_layer_network(2, 3)
    X, Y = np.arange(8.0).reshape(2, 4) / 8, np.array([[0.0, 1.0, 1.0, 0.0]])
    F.binary_cross_entropy_with_logits(model(X), Y).backward()
    once = [p.grad.copy() for p in model.parameters()]
    F.binary_cross_entropy_with_logits(model(X), Y).backward()
    for p, g in zip(model.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-15)


def test_train_and_eval_flags_propagate() -> None:
    inner = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    model = nn.Sequential(inner, nn.Linear(2, 1))
    modules = list(model.modules())
    assert len(modules) == 5  # model, inner, its Linear and ReLU, the last Linear
    assert all(module.training for module in modules)
    assert model.eval() is model
    assert not any(module.training for module in modules)
    assert model.train() is model
    assert all(module.training for module in modules)
    inner.eval()  # only the sub-tree
    assert model.training and model.layers[1].training
    assert not inner.training and not inner.layers[0].training and not inner.layers[1].training


def test_module_forward_must_be_defined() -> None:
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        nn.Module()(np.ones(2))


# ---------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ACTIVATION_LAYERS))
def test_activation_by_name_matches_manual(name: str) -> None:
    layer = nn.activation(name)
    assert type(layer) is ACTIVATION_LAYERS[name]
    assert layer.parameters() == []
    Z = np.linspace(-3, 3, 13).reshape(1, 13) + 0.01  # no exact 0
    g, _ = manual_activations.get(name)
    np.testing.assert_array_equal(layer(Tensor(Z)).data, g(Z))


def test_activation_names_match_manual() -> None:
    assert sorted(nn.ACTIVATIONS) == sorted(manual_activations.ACTIVATIONS)
    assert nn.LeakyReLU().slope == 0.01
    assert [repr(nn.activation(name)) for name in ("tanh", "sigmoid", "relu", "leaky_relu")] == [
        "Tanh()",
        "Sigmoid()",
        "ReLU()",
        "LeakyReLU(slope=0.01)",
    ]


@pytest.mark.parametrize("name", ["softmax", "Tanh", "", "gelu"])
def test_activation_rejects_unknown_names(name: str) -> None:
    with pytest.raises(ValueError, match="unknown activation") as info:
        nn.activation(name)
    assert repr(name) in str(info.value)
    for valid in ("'leaky_relu'", "'relu'", "'sigmoid'", "'tanh'"):
        assert valid in str(info.value)


# ---------------------------------------------------------------------------
# Sequential, deep_network, two_layer_network
# ---------------------------------------------------------------------------


def test_sequential_applies_layers_in_order_and_indexes() -> None:
    first, second = nn.Linear(2, 3, seed=1), nn.Linear(3, 1, seed=2)
    model = nn.Sequential(first, nn.Sigmoid(), second)
    X = np.array([[0.5, -1.0], [2.0, 0.25]])
    expected = second.W.data @ (1 / (1 + np.exp(-(first.W.data @ X)))) + second.b.data
    np.testing.assert_allclose(model(X).data, expected, rtol=1e-15)
    assert len(model) == 3 and model[0] is first and model[2] is second
    assert model.linear_layers() == [first, second]


def test_sequential_rejects_non_modules() -> None:
    with pytest.raises(TypeError, match="argument 1 is function"):
        nn.Sequential(nn.Linear(2, 2), lambda Z: Z.tanh())
    with pytest.raises(TypeError, match="argument 0 is Tensor"):
        nn.Sequential(Tensor([1.0]))


@pytest.mark.parametrize(
    "layer_dims, activation",
    [([2, 1], "relu"), ([2, 4, 1], "tanh"), ([5, 4, 3, 2, 1], "leaky_relu")],
)
def test_deep_network_structure(layer_dims: list[int], activation: str) -> None:
    model = nn.deep_network(layer_dims, activation)
    L = len(layer_dims) - 1
    assert len(model) == 2 * L - 1
    for i, layer in enumerate(model.layers):
        if i % 2 == 0:
            l = i // 2 + 1
            assert type(layer) is nn.Linear
            assert layer.W.shape == (layer_dims[l], layer_dims[l - 1])
            assert layer.b.shape == (layer_dims[l], 1)
            # seeded by layer: the same network every time
            expected = nn.Linear(layer_dims[l - 1], layer_dims[l], seed=l).W.data
            np.testing.assert_array_equal(layer.W.data, expected)
        else:
            assert type(layer) is ACTIVATION_LAYERS[activation]
    assert type(model.layers[-1]) is nn.Linear  # logits out, no sigmoid


def test_deep_network_default_activation_is_relu_and_errors() -> None:
    assert type(nn.deep_network([3, 2, 1])[1]) is nn.ReLU
    with pytest.raises(ValueError, match=r"at least \[n_x, n_y\]"):
        nn.deep_network([3])
    with pytest.raises(ValueError, match="'swish'"):
        nn.deep_network([3, 2, 1], "swish")


def test_two_layer_network_structure() -> None:
    model = nn.two_layer_network(2, 4)
    assert [type(layer) for layer in model.layers] == [nn.Linear, nn.Tanh, nn.Linear]
    assert [p.shape for p in model.parameters()] == [(4, 2), (4, 1), (1, 4), (1, 1)]
    relu = nn.two_layer_network(3, 5, 2, activation="relu")
    assert [type(layer) for layer in relu.layers] == [nn.Linear, nn.ReLU, nn.Linear]
    assert [p.shape for p in relu.parameters()] == [(5, 3), (5, 1), (2, 5), (2, 1)]


# ---------------------------------------------------------------------------
# load_params / course_params
# ---------------------------------------------------------------------------


def test_load_params_round_trips_two_layer_init_params() -> None:
    params = two_layer.init_params(2, 4, 1, seed=2)
    model = nn.two_layer_network(2, 4).load_params(params)
    assert model.linear_layers()[0].W.data is not params["W1"]  # copied in
    back = model.course_params()
    assert list(back) == ["W1", "b1", "W2", "b2"]
    for key, value in params.items():
        np.testing.assert_array_equal(back[key], value)
        assert back[key] is not model.linear_layers()[int(key[1]) - 1].W.data  # copied out
    # the model then computes exactly what manual computes
    X = np.random.RandomState(0).randn(2, 7)
    A2, cache = two_layer.forward(X, params, "tanh")
    Z2 = model(X)
    np.testing.assert_array_equal(Z2.data, cache["Z2"])
    np.testing.assert_array_equal(Z2.sigmoid().data, A2)


@pytest.mark.parametrize("method", ["small", "he", "xavier", "zeros"])
def test_load_params_round_trips_deep_init_params(method: str) -> None:
    layer_dims = [3, 5, 4, 2, 1]
    params = deep.init_params(layer_dims, seed=3, method=method)
    model = nn.deep_network(layer_dims, "relu").load_params(params)
    back = model.course_params()
    assert list(back) == ["W1", "b1", "W2", "b2", "W3", "b3", "W4", "b4"]
    for key, value in params.items():
        np.testing.assert_array_equal(back[key], value)
    X = np.random.RandomState(1).randn(3, 6)
    AL, caches = deep.model_forward(X, params, "relu")
    np.testing.assert_array_equal(model(X).data, caches[-1][1])


def test_load_params_clears_gradients_and_returns_the_model() -> None:
    model = nn.two_layer_network(2, 3)
    F.binary_cross_entropy_with_logits(model(np.ones((2, 2))), np.ones((1, 2))).backward()
    assert model.load_params(two_layer.init_params(2, 3, 1)) is model
    assert all(p.grad is None for p in model.parameters())


def test_mutating_course_params_leaves_the_model_alone() -> None:
    model = nn.two_layer_network(2, 3)
    before = model.linear_layers()[0].W.data.copy()
    model.course_params()["W1"][:] = 99.0
    np.testing.assert_array_equal(model.linear_layers()[0].W.data, before)


@pytest.mark.parametrize(
    "change, named",
    [
        (lambda p: p.pop("b2"), "b2"),
        (lambda p: p.update(W3=np.ones((1, 1))), "W3"),
        (lambda p: p.update(w1=p.pop("W1")), "w1"),
    ],
)
def test_load_params_rejects_wrong_keys(change, named: str) -> None:
    params = two_layer.init_params(2, 4, 1)
    change(params)
    with pytest.raises(ValueError, match="2 linear layers") as info:
        nn.two_layer_network(2, 4).load_params(params)
    message = str(info.value)
    assert "['W1', 'W2', 'b1', 'b2']" in message  # what it needs
    assert str(sorted(params)) in message and named in message  # what it got


@pytest.mark.parametrize(
    "key, shape",
    [("W1", (2, 4)), ("b1", (4,)), ("W2", (1, 5)), ("b2", (1, 2))],
)
def test_load_params_rejects_wrong_shapes(key: str, shape: tuple[int, ...]) -> None:
    params = two_layer.init_params(2, 4, 1)
    params[key] = np.zeros(shape)
    with pytest.raises(ValueError, match=f"{key} has shape") as info:
        nn.two_layer_network(2, 4).load_params(params)
    expected = two_layer.init_params(2, 4, 1)[key].shape
    assert str(shape) in str(info.value) and f"needs {expected}" in str(info.value)


# ---------------------------------------------------------------------------
# forward_named
# ---------------------------------------------------------------------------


def test_forward_named_names_and_retains_grads() -> None:
    layer_dims = [3, 4, 2, 1]
    params = deep.init_params(layer_dims, seed=1, method="he")
    model = nn.deep_network(layer_dims, "tanh").load_params(params)
    rng = np.random.RandomState(2)
    X, Y = rng.randn(3, 5), rng.randint(0, 2, (1, 5)).astype(np.float64)
    Z3, named = model.forward_named(X)
    assert list(named) == ["Z1", "A1", "Z2", "A2", "Z3"]
    assert named["Z3"] is Z3
    assert all(named[name].name == name for name in named)
    np.testing.assert_array_equal(Z3.data, model(X).data)

    F.binary_cross_entropy_with_logits(Z3, Y).backward()
    AL, caches = deep.model_forward(X, params, "tanh")
    grads = deep.model_backward(AL, Y, caches, "tanh")
    for name, tensor in named.items():
        assert tensor.grad is not None and tensor.grad.shape == tensor.shape, name
        # the 1/m convention: Z.grad = dZ / m, A.grad = dA / m
        np.testing.assert_allclose(5 * tensor.grad, grads["d" + name], rtol=1e-12, atol=1e-15)


def test_forward_named_under_no_grad_keeps_nothing() -> None:
    model = nn.two_layer_network(2, 3)
    with no_grad():
        Z2, named = model.forward_named(np.ones((2, 4)))
    assert list(named) == ["Z1", "A1", "Z2"]
    assert not Z2.requires_grad and Z2.grad_fn is None


# ---------------------------------------------------------------------------
# optim.SGD
# ---------------------------------------------------------------------------


def course_step():
    """The course's network on a few flower-like points: params, autodiff model, grads."""
    rng = np.random.RandomState(4)
    X, Y = rng.randn(2, 9), rng.randint(0, 2, (1, 9)).astype(np.float64)
    params = two_layer.init_params(2, 4, 1, seed=2)
    params["b1"] = rng.randn(4, 1) * 0.1
    model = nn.two_layer_network(2, 4).load_params(params)
    F.binary_cross_entropy_with_logits(model(X), Y).backward()
    grads = {"d" + name: p.grad.copy() for name, p in zip(params, model.parameters())}
    return params, model, grads, X, Y


@pytest.mark.parametrize("lr", [1.2, 0.01, 3.0])
def test_sgd_step_equals_manual_update_bit_for_bit(lr: float) -> None:
    params, model, grads, X, Y = course_step()
    SGD(model.parameters(), lr=lr).step()
    expected = two_layer.update(params, grads, lr)
    after = model.course_params()
    for key in params:
        np.testing.assert_array_equal(after[key], expected[key])
        assert not np.array_equal(after[key], params[key])  # it did move


def test_sgd_step_with_the_manual_gradients_equals_manual_update_bit_for_bit() -> None:
    params, model, _, X, Y = course_step()
    A2, cache = two_layer.forward(X, params, "tanh")
    grads = two_layer.backward(params, cache, X, Y, "tanh")
    for name, p in zip(params, model.parameters()):
        p.grad = grads["d" + name].copy()
    SGD(model.parameters(), lr=1.2).step()
    expected = two_layer.update(params, grads, 1.2)
    for key, value in model.course_params().items():
        np.testing.assert_array_equal(value, expected[key])


def test_sgd_updates_in_place_outside_the_graph() -> None:
    _, model, _, _, _ = course_step()
    W = model.parameters()[0]
    data = W.data
    SGD([W], lr=0.5).step()
    assert W.data is not data  # a new array, so a graph that saved the old one keeps it
    assert W.is_leaf and W.grad_fn is None and W.requires_grad


def test_sgd_zero_grad_and_skipping_params_without_grad() -> None:
    params, model, grads, _, _ = course_step()
    W1, b1, W2, b2 = model.parameters()
    optimizer = SGD(model.parameters(), lr=1.0)
    b1.grad = None  # e.g. a parameter the cost did not use
    optimizer.step()
    np.testing.assert_array_equal(b1.data, params["b1"])  # skipped, unchanged
    np.testing.assert_array_equal(W1.data, params["W1"] - grads["dW1"])
    optimizer.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    before = [p.data.copy() for p in model.parameters()]
    optimizer.step()  # nothing to do
    for p, value in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, value)


@pytest.mark.parametrize("lr", [0, 0.0, -1, -1e-3, float("nan")])
def test_sgd_rejects_a_bad_learning_rate(lr: float) -> None:
    with pytest.raises(ValueError, match="learning rate must be positive"):
        SGD(nn.Linear(2, 1).parameters(), lr=lr)


def test_sgd_rejects_empty_and_non_tensor_params() -> None:
    with pytest.raises(ValueError, match="no parameters"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="no parameters"):
        SGD(nn.Tanh().parameters(), lr=0.1)
    with pytest.raises(TypeError, match="parameter 1 is not a Tensor"):
        SGD([Tensor([1.0], requires_grad=True), np.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match="parameter 0 is not a Tensor that requires grad"):
        SGD([Tensor([1.0])], lr=0.1)


def test_optimizer_base_step_is_abstract() -> None:
    optimizer = Optimizer([Tensor([1.0], requires_grad=True)])
    with pytest.raises(NotImplementedError):
        optimizer.step()


def test_sgd_training_loop_lowers_the_cost() -> None:
    _, model, _, X, Y = course_step()
    optimizer = SGD(model.parameters(), lr=1.2)
    costs = []
    for _ in range(50):
        optimizer.zero_grad()
        J = F.binary_cross_entropy_with_logits(model(X), Y)
        J.backward()
        optimizer.step()
        costs.append(J.item())
    assert costs[0] == pytest.approx(np.log(2), abs=1e-3)  # small weights: A ≈ 1/2
    assert costs[-1] < costs[0] - 0.05
