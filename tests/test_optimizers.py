"""``optim.Momentum``, ``optim.RMSProp``, ``optim.Adam``, ``optim.schedules`` and their
hand-derived twins in ``manual.optimizers``.

Each optimiser is written in the same arithmetic order as its twin, so fed the
same gradients the two give the same parameters bit for bit, step after step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, enable_grad, nn
from tinygrad_edu import functional as F
from tinygrad_edu.data import planar_flower
from tinygrad_edu.manual import optimizers as manual
from tinygrad_edu.manual import two_layer
from tinygrad_edu.optim import SGD, Adam, Momentum, Optimizer, RMSProp, schedules
from tinygrad_edu.optim.schedules import (
    InverseTimeDecay,
    inverse_time_decay,
    step_inverse_time_decay,
)

Params = dict[str, np.ndarray]
NAMES = ("W1", "b1", "W2", "b2")  # the order of model.parameters() in the course's network


# ---------------------------------------------------------------------------
# Each optimiser beside its twin: how to make one, how to run the other
# ---------------------------------------------------------------------------


class Twin:
    """An autodiff optimiser and the manual update it must reproduce, for given hyperparameters."""

    def __init__(self, kind: str, hp: dict[str, float]) -> None:
        self.kind, self.hp = kind, hp

    def optimizer(self, params: list[Tensor]) -> Optimizer:
        hp = self.hp
        if self.kind == "momentum":
            return Momentum(params, lr=hp["lr"], beta=hp["beta"])
        if self.kind == "rmsprop":
            return RMSProp(params, lr=hp["lr"], beta=hp["beta"], eps=hp["eps"])
        return Adam(params, lr=hp["lr"], beta1=hp["beta1"], beta2=hp["beta2"], eps=hp["eps"])

    def init(self, params: Params) -> Any:
        if self.kind == "momentum":
            return manual.initialize_velocity(params)
        if self.kind == "rmsprop":
            return manual.initialize_rmsprop(params)
        return manual.initialize_adam(params)

    def update(self, params: Params, grads: Params, state: Any, t: int) -> tuple[Params, Any]:
        """One manual step; t is the step's number, from 1."""
        hp = self.hp
        if self.kind == "momentum":
            return manual.update_with_momentum(params, grads, state, hp["beta"], hp["lr"])
        if self.kind == "rmsprop":
            return manual.update_with_rmsprop(params, grads, state, hp["beta"], hp["lr"], hp["eps"])
        v, s = state
        params, v, s = manual.update_with_adam(
            params, grads, v, s, t, hp["lr"], hp["beta1"], hp["beta2"], hp["eps"]
        )
        return params, (v, s)


COURSE_TWINS = [
    Twin("momentum", {"lr": 1.2, "beta": 0.9}),
    Twin("rmsprop", {"lr": 0.01, "beta": 0.999, "eps": 1e-8}),
    Twin("adam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
]
STEPS = 50


def flower_autodiff(twin: Twin, X: np.ndarray, Y: np.ndarray, params: Params, steps: int):
    """``steps`` updates by autodiff; yields (gradients used, parameters after) at each step."""
    model = nn.two_layer_network(2, 4).load_params(params)
    optimizer = twin.optimizer(model.parameters())
    for _ in range(steps):
        optimizer.zero_grad()
        F.binary_cross_entropy_with_logits(model(X), Y).backward()
        grads = {"d" + name: p.grad.copy() for name, p in zip(NAMES, model.parameters())}
        optimizer.step()
        yield grads, model.course_params()


# ---------------------------------------------------------------------------
# Trajectories: optimiser vs its manual twin
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("twin", COURSE_TWINS, ids=lambda twin: twin.kind)
def test_flower_trajectory_equals_the_manual_twin_bit_for_bit(twin: Twin) -> None:
    """The same gradient sequence (autodiff's) fed to both: identical parameters at every step."""
    X, Y = planar_flower()
    params = two_layer.init_params(2, 4, 1)
    state = twin.init(params)
    for t, (grads, after) in enumerate(flower_autodiff(twin, X, Y, params, STEPS), start=1):
        params, state = twin.update(params, grads, state, t)
        for name in NAMES:
            assert np.array_equal(after[name], params[name]), (twin.kind, t, name)


@pytest.mark.parametrize("twin", COURSE_TWINS, ids=lambda twin: twin.kind)
def test_flower_training_by_autodiff_and_by_hand_agree(twin: Twin) -> None:
    """Each engine with its own gradients: manual two_layer.backward vs autodiff backward.

    W.grad and dW agree to rounding, not bit for bit (autodiff puts 1/m in the
    cost's rule, the course in dW), and 50 steps of training carry those last-bit
    differences along: each array agrees to 1e-11 relative (in norm), measured at
    about 2e-12. Bit-for-bit agreement is the test above, with the same gradients.
    """
    X, Y = planar_flower()
    params = two_layer.init_params(2, 4, 1)
    state = twin.init(params)
    costs = []
    for t, (_, after) in enumerate(flower_autodiff(twin, X, Y, params, STEPS), start=1):
        A2, cache = two_layer.forward(X, params)
        costs.append(two_layer.cost(A2, Y))
        grads = two_layer.backward(params, cache, X, Y)
        params, state = twin.update(params, grads, state, t)
        for name in NAMES:
            difference = np.linalg.norm(after[name] - params[name])
            assert difference <= 1e-11 * np.linalg.norm(params[name]), (twin.kind, t, name)
    assert costs[-1] < costs[0] - 0.01  # it trains


@st.composite
def random_runs(draw: st.DrawFn) -> tuple[Twin, list[tuple[int, ...]], int]:
    """An optimiser with random hyperparameters, 1–2 layers of random shapes, a gradient seed."""
    kind = draw(st.sampled_from(["momentum", "rmsprop", "adam"]))
    lr = draw(st.floats(1e-4, 2.0))
    beta = st.floats(0.0, 0.999)
    eps = st.sampled_from([0.0, 1e-8, 1e-3])
    if kind == "momentum":
        hp = {"lr": lr, "beta": draw(beta)}
    elif kind == "rmsprop":
        hp = {"lr": lr, "beta": draw(beta), "eps": draw(eps)}
    else:
        hp = {"lr": lr, "beta1": draw(beta), "beta2": draw(beta), "eps": draw(eps)}
    layers = draw(st.integers(1, 2))
    side = st.integers(1, 4)
    shapes = [(draw(side), draw(side)) for _ in range(2 * layers)]
    return Twin(kind, hp), shapes, draw(st.integers(0, 2**32 - 1))


@settings(deadline=None)
@given(random_runs())
def test_random_gradients_give_the_twin_trajectory_bit_for_bit(run) -> None:
    """Gradients set by hand on ``p.grad`` (random shapes, scales 1e-3…1e3), 50 steps."""
    twin, shapes, seed = run
    rng = np.random.RandomState(seed)
    names = [f"{kind}{l}" for l in range(1, len(shapes) // 2 + 1) for kind in "Wb"]
    params = {name: rng.randn(*shape) for name, shape in zip(names, shapes)}
    tensors = [Tensor(params[name].copy(), requires_grad=True) for name in names]
    optimizer = twin.optimizer(tensors)
    state = twin.init(params)
    for t in range(1, STEPS + 1):
        grads = {
            "d" + name: rng.randn(*params[name].shape) * 10 ** rng.uniform(-3, 3) for name in names
        }
        for name, p in zip(names, tensors):
            p.grad = grads["d" + name].copy()
        optimizer.step()
        params, state = twin.update(params, grads, state, t)
        for name, p in zip(names, tensors):
            assert np.array_equal(p.data, params[name]), (twin.kind, twin.hp, t, name)


def test_manual_updates_leave_their_inputs_unchanged() -> None:
    params = two_layer.init_params(2, 4, 1)
    grads = {"d" + name: np.full_like(value, 0.5) for name, value in params.items()}
    for twin in COURSE_TWINS:
        state = twin.init(params)
        copies = [{k: v.copy() for k, v in d.items()} for d in (params, grads)]
        new_params, new_state = twin.update(params, grads, state, 1)
        for before, now in zip(copies, (params, grads)):
            for key in before:
                assert np.array_equal(before[key], now[key])
        assert new_params is not params and new_state is not state
        zeros = state if twin.kind != "adam" else {**state[0], **state[1]}
        assert all(not value.any() for value in zeros.values())  # state still all zeros


# ---------------------------------------------------------------------------
# First steps against numbers worked out by hand
# ---------------------------------------------------------------------------


def one_weight(value: float = 1.0) -> Tensor:
    return Tensor([value], requires_grad=True)


def steps_with(optimizer: Optimizer, W: Tensor, gradients: list[float]) -> list[float]:
    values = []
    for g in gradients:
        W.grad = np.array([g])
        optimizer.step()
        values.append(W.item())
    return values


@pytest.mark.parametrize("g", [0.5, -4.0, 1e-3, -1e3])
def test_adam_first_step_is_lr_g_over_abs_g_plus_eps(g: float) -> None:
    """t = 1: v̂ = g and ŝ = g², so the step is lr · g / (|g| + ε), about lr whatever g's scale."""
    lr, eps = 0.1, 1e-8
    W = one_weight()
    (after,) = steps_with(Adam([W], lr=lr, eps=eps), W, [g])
    assert 1.0 - after == pytest.approx(lr * g / (abs(g) + eps), rel=1e-12)
    assert abs(1.0 - after) == pytest.approx(lr, rel=1e-5)


def test_adam_second_step_by_hand() -> None:
    """g = 0.5 then −1, β1 = 0.9, β2 = 0.999, ε = 0, lr = 0.1."""
    W = one_weight()
    first, second = steps_with(Adam([W], lr=0.1, eps=0.0), W, [0.5, -1.0])
    assert first == pytest.approx(0.9, rel=1e-15)  # 1 − 0.1 · sign(0.5)
    v = 0.9 * (0.1 * 0.5) + 0.1 * -1.0  # −0.055
    s = 0.999 * (0.001 * 0.25) + 0.001 * 1.0  # 0.00124975
    v_hat, s_hat = v / (1 - 0.9**2), s / (1 - 0.999**2)  # −0.055 / 0.19, 0.00124975 / 0.001999
    assert v == pytest.approx(-0.055) and s == pytest.approx(0.00124975)
    assert second == pytest.approx(0.9 - 0.1 * v_hat / np.sqrt(s_hat), rel=1e-12)
    assert second == pytest.approx(0.93661035270358456, rel=1e-13)  # in 30-digit decimals


def test_adam_counts_steps_and_keeps_state_by_position() -> None:
    W, b = one_weight(), Tensor(np.zeros((2, 1)), requires_grad=True)
    optimizer = Adam([W, b])
    assert optimizer.t == 0 and set(optimizer.v) == set(optimizer.s) == {0, 1}
    W.grad, b.grad = np.array([2.0]), np.ones((2, 1))
    optimizer.step()
    optimizer.step()
    assert optimizer.t == 2
    np.testing.assert_allclose(optimizer.v[0], [2.0 * (1 - 0.9**2)], rtol=1e-12)
    np.testing.assert_allclose(optimizer.s[1], np.full((2, 1), 1 - 0.999**2), rtol=1e-12)


def test_momentum_is_the_courses_weighted_average_not_pytorchs_sum() -> None:
    """First step lr · (1 − β) · g (PyTorch's v = μv + g steps lr · g); v → g for a constant g."""
    W = one_weight()
    optimizer = Momentum([W], lr=0.5, beta=0.9)
    (after,) = steps_with(optimizer, W, [2.0])
    assert after == pytest.approx(1.0 - 0.5 * 0.1 * 2.0, rel=1e-15)
    steps_with(optimizer, W, [2.0] * 99)
    # after k steps of constant g: v = (1 − βᵏ) g
    np.testing.assert_allclose(optimizer.v[0], [(1 - 0.9**100) * 2.0], rtol=1e-12)


@pytest.mark.parametrize("g", [3.0, -0.02])
def test_rmsprop_first_step_is_lr_sign_g_over_sqrt_one_minus_beta(g: float) -> None:
    """s = (1 − β) g², so the step is lr · g / (√(1 − β) |g| + ε) ≈ lr · sign(g) / √(1 − β)."""
    lr, beta = 0.01, 0.99
    W = one_weight()
    (after,) = steps_with(RMSProp([W], lr=lr, beta=beta, eps=0.0), W, [g])
    assert 1.0 - after == pytest.approx(lr * np.sign(g) / np.sqrt(1 - beta), rel=1e-12)


# ---------------------------------------------------------------------------
# What every optimiser does: no_grad, skipping, zero_grad, dtype
# ---------------------------------------------------------------------------

ALL_KINDS = [
    lambda ps: Momentum(ps, lr=0.1),
    lambda ps: RMSProp(ps, lr=0.1),
    lambda ps: Adam(ps, lr=0.1),
]


@pytest.mark.parametrize("make", ALL_KINDS, ids=["momentum", "rmsprop", "adam"])
def test_step_updates_leaves_outside_the_graph(make: Callable[[list[Tensor]], Optimizer]) -> None:
    W = Tensor(np.ones((2, 3)), requires_grad=True)
    optimizer = make([W])
    with enable_grad():  # step() itself turns recording off
        (W * W).sum().backward()
        data = W.data
        optimizer.step()
    assert W.data is not data and np.all(W.data < 1.0)
    assert W.is_leaf and W.grad_fn is None and W.requires_grad


@pytest.mark.parametrize("make", ALL_KINDS, ids=["momentum", "rmsprop", "adam"])
def test_params_without_grad_are_skipped_and_zero_grad_clears(make) -> None:
    W, b = Tensor(np.ones((2, 2)), requires_grad=True), Tensor(np.ones((2, 1)), requires_grad=True)
    optimizer = make([W, b])
    W.grad = np.full((2, 2), 0.5)  # b.grad stays None: e.g. a parameter the cost did not use
    optimizer.step()
    np.testing.assert_array_equal(b.data, np.ones((2, 1)))
    assert np.all(W.data < 1.0)
    for state in ("v", "s"):
        if hasattr(optimizer, state):
            assert not getattr(optimizer, state)[1].any()  # b's state untouched
            assert getattr(optimizer, state)[0].all()
    optimizer.zero_grad()
    assert W.grad is None and b.grad is None
    before = W.data.copy()
    optimizer.step()
    np.testing.assert_array_equal(W.data, before)


@pytest.mark.parametrize("make", ALL_KINDS, ids=["momentum", "rmsprop", "adam"])
def test_float32_parameters_stay_float32(make) -> None:
    W = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    optimizer = make([W])
    W.grad = np.full(3, 0.5, dtype=np.float32)
    optimizer.step()
    assert W.dtype == np.float32 and W.data.dtype == np.float32


def test_each_optimiser_trains_the_course_network_on_the_flower() -> None:
    X, Y = planar_flower()
    for twin in COURSE_TWINS + [
        Twin("adam", {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8})
    ]:
        model = nn.two_layer_network(2, 4).load_params(two_layer.init_params(2, 4, 1))
        optimizer = twin.optimizer(model.parameters())
        costs = []
        for _ in range(200):
            optimizer.zero_grad()
            J = F.binary_cross_entropy_with_logits(model(X), Y)
            J.backward()
            optimizer.step()
            costs.append(J.item())
        assert costs[-1] < 0.9 * costs[0], twin.kind


# ---------------------------------------------------------------------------
# Bad hyperparameters: the error names the value
# ---------------------------------------------------------------------------

BAD_HYPERPARAMETERS = [
    (Momentum, {"lr": 0}, "lr must be a positive finite number, got 0"),
    (Momentum, {"lr": -0.1}, "lr must be a positive finite number, got -0.1"),
    (Momentum, {"lr": float("nan")}, "lr must be a positive finite number, got nan"),
    (Momentum, {"lr": float("inf")}, "lr must be a positive finite number, got inf"),
    (Momentum, {"lr": 0.1, "beta": 1.0}, r"beta must be in \[0, 1\), got 1.0"),
    (Momentum, {"lr": 0.1, "beta": -0.5}, r"beta must be in \[0, 1\), got -0.5"),
    (Momentum, {"lr": 0.1, "beta": float("nan")}, r"beta must be in \[0, 1\), got nan"),
    (RMSProp, {"lr": -1}, "lr must be a positive finite number, got -1"),
    (RMSProp, {"lr": 0.1, "beta": 1}, r"beta must be in \[0, 1\), got 1"),
    (RMSProp, {"lr": 0.1, "eps": -1e-8}, "eps must be a non-negative finite number, got -1e-08"),
    (
        RMSProp,
        {"lr": 0.1, "eps": float("inf")},
        "eps must be a non-negative finite number, got inf",
    ),
    (Adam, {"lr": 0.0}, "lr must be a positive finite number, got 0.0"),
    (Adam, {"beta1": 1.0}, r"beta1 must be in \[0, 1\), got 1.0"),
    (Adam, {"beta2": 1.5}, r"beta2 must be in \[0, 1\), got 1.5"),
    (Adam, {"beta2": -0.1}, r"beta2 must be in \[0, 1\), got -0.1"),
    (Adam, {"eps": -1.0}, "eps must be a non-negative finite number, got -1.0"),
]


@pytest.mark.parametrize("cls, kwargs, message", BAD_HYPERPARAMETERS)
def test_bad_hyperparameters_raise_value_error_naming_them(cls, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        cls([one_weight()], **kwargs)


@pytest.mark.parametrize(
    "cls, kwargs, message",
    [
        (Momentum, {"lr": "0.1"}, "lr must be a number, got '0.1'"),
        (RMSProp, {"lr": 0.1, "beta": True}, "beta must be a number, got True"),
        (Adam, {"eps": None}, "eps must be a number, got None"),
    ],
)
def test_non_numbers_raise_type_error_naming_them(cls, kwargs, message) -> None:
    with pytest.raises(TypeError, match=message):
        cls([one_weight()], **kwargs)


@pytest.mark.parametrize("cls", [Momentum, RMSProp, Adam])
def test_the_new_optimisers_check_their_params_like_sgd(cls) -> None:
    with pytest.raises(ValueError, match="no parameters"):
        cls([], lr=0.1)
    with pytest.raises(TypeError, match="parameter 1 is not a Tensor"):
        cls([one_weight(), np.ones(2)], lr=0.1)


# ---------------------------------------------------------------------------
# manual.optimizers: bad arguments
# ---------------------------------------------------------------------------


def small_course_dicts() -> tuple[Params, Params]:
    params = two_layer.init_params(2, 3, 1)
    grads = {"d" + name: np.ones_like(value) for name, value in params.items()}
    return params, grads


def test_manual_rejects_params_without_the_course_keys() -> None:
    params, grads = small_course_dicts()
    del params["b2"]
    with pytest.raises(
        ValueError, match=r"params must hold W1, b1, …, WL, bL.*got \['W1', 'W2', 'b1'\]"
    ):
        manual.initialize_velocity(params)
    with pytest.raises(ValueError, match="params must hold"):
        manual.update_with_adam(params, grads, grads, grads, 1)


@pytest.mark.parametrize("missing_from", ["grads", "v", "s"])
def test_manual_rejects_a_missing_gradient_or_average(missing_from: str) -> None:
    params, grads = small_course_dicts()
    v, s = manual.initialize_adam(params)
    dicts = {"grads": grads, "v": v, "s": s}
    del dicts[missing_from]["db2"]
    message = rf"{missing_from} is missing \['db2'\]"
    with pytest.raises(ValueError, match=message):
        manual.update_with_adam(params, grads, v, s, 1)
    if missing_from != "s":
        with pytest.raises(ValueError, match=message):
            manual.update_with_momentum(params, grads, v, 0.9, 0.1)
    if missing_from != "v":
        with pytest.raises(ValueError, match=message):
            manual.update_with_rmsprop(params, grads, s)


def test_manual_rejects_betas_outside_zero_one() -> None:
    params, grads = small_course_dicts()
    v, s = manual.initialize_adam(params)
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\), got 1"):
        manual.update_with_momentum(params, grads, v, 1, 0.1)
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\), got -0.1"):
        manual.update_with_rmsprop(params, grads, s, beta=-0.1)
    with pytest.raises(ValueError, match=r"beta1 must be in \[0, 1\), got 1.0"):
        manual.update_with_adam(params, grads, v, s, 1, beta1=1.0)
    with pytest.raises(ValueError, match=r"beta2 must be in \[0, 1\), got 2"):
        manual.update_with_adam(params, grads, v, s, 1, beta2=2)


@pytest.mark.parametrize("t", [0, -1, 1.0, True])
def test_manual_adam_needs_t_counted_from_one(t: Any) -> None:
    params, grads = small_course_dicts()
    v, s = manual.initialize_adam(params)
    with pytest.raises(ValueError, match=rf"t counts the Adam updates from 1.*got {t!r}"):
        manual.update_with_adam(params, grads, v, s, t)


# ---------------------------------------------------------------------------
# Learning-rate decay
# ---------------------------------------------------------------------------


def test_inverse_time_decay_exact_values() -> None:
    assert inverse_time_decay(0.5, 1.0, 0) == 0.5
    assert inverse_time_decay(0.5, 1.0, 3) == 0.125
    assert inverse_time_decay(1.0, 0.5, 2) == 0.5
    assert inverse_time_decay(0.1, 1, 4) == 0.1 / 5
    assert inverse_time_decay(0.3, 0.0, 1000) == 0.3  # no decay


def test_step_inverse_time_decay_exact_values() -> None:
    lr = [step_inverse_time_decay(0.5, 1.0, epoch) for epoch in (0, 999, 1000, 1999, 2000, 5500)]
    assert lr == [0.5, 0.5, 0.25, 0.25, 0.5 / 3, 0.5 / 6]
    assert step_inverse_time_decay(0.5, 0.3, 10, interval=10) == 0.5 / 1.3
    assert step_inverse_time_decay(0.5, 1.0, 7, interval=1) == inverse_time_decay(0.5, 1.0, 7)


@settings(deadline=None)
@given(
    st.floats(1e-6, 10.0),
    st.floats(0.0, 10.0),
    st.integers(0, 10**6),
    st.integers(1, 5000),
)
def test_schedules_follow_their_formulas(lr0, decay_rate, epoch, interval) -> None:
    assert inverse_time_decay(lr0, decay_rate, epoch) == lr0 / (1 + decay_rate * epoch)
    expected = lr0 / (1 + decay_rate * np.floor(epoch / interval))  # the course's np.floor
    assert step_inverse_time_decay(lr0, decay_rate, epoch, interval) == expected
    assert 0 < step_inverse_time_decay(lr0, decay_rate, epoch, interval) <= lr0


def test_scheduler_sets_the_optimiser_lr_each_epoch() -> None:
    W = one_weight()
    optimizer = Momentum([W], lr=0.5, beta=0.0)  # β = 0: plain gradient descent
    scheduler = InverseTimeDecay(optimizer, decay_rate=1.0)
    assert scheduler.step() == 0.25 and optimizer.lr == 0.25 and scheduler.epoch == 1
    W.grad = np.array([1.0])
    optimizer.step()  # uses the new lr
    assert W.item() == 1.0 - 0.25
    for epoch in range(2, 6):
        assert scheduler.step() == inverse_time_decay(0.5, 1.0, epoch)


def test_scheduler_with_an_interval_works_with_any_optimiser_that_has_lr() -> None:
    optimizer = SGD([one_weight()], lr=0.2)
    scheduler = schedules.InverseTimeDecay(optimizer, decay_rate=1.0, interval=3)
    lrs = [scheduler.step() for _ in range(7)]
    assert lrs == [0.2, 0.2, 0.1, 0.1, 0.1, 0.2 / 3, 0.2 / 3]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: inverse_time_decay(0, 1.0, 1),
            ValueError,
            "lr0 must be a positive finite number, got 0",
        ),
        (
            lambda: inverse_time_decay(0.1, -1.0, 1),
            ValueError,
            "decay_rate must be a non-negative finite number, got -1.0",
        ),
        (lambda: inverse_time_decay(0.1, 1.0, -1), ValueError, "epoch must be at least 0, got -1"),
        (lambda: inverse_time_decay(0.1, 1.0, 1.5), TypeError, "epoch must be an integer, got 1.5"),
        (lambda: inverse_time_decay("0.1", 1.0, 1), TypeError, "lr0 must be a number, got '0.1'"),
        (
            lambda: step_inverse_time_decay(0.1, 1.0, 5, interval=0),
            ValueError,
            "interval must be at least 1, got 0",
        ),
        (
            lambda: step_inverse_time_decay(0.1, 1.0, 5, interval=2.0),
            TypeError,
            "interval must be an integer, got 2.0",
        ),
        (
            lambda: step_inverse_time_decay(-0.1, 1.0, 5),
            ValueError,
            "lr0 must be a positive finite number, got -0.1",
        ),
        (
            lambda: InverseTimeDecay(object(), 1.0),
            TypeError,
            "optimizer must have an lr attribute, got object",
        ),
        (
            lambda: InverseTimeDecay(SGD([one_weight()], lr=0.1), -2),
            ValueError,
            "decay_rate must be a non-negative finite number, got -2",
        ),
        (
            lambda: InverseTimeDecay(SGD([one_weight()], lr=0.1), 1.0, interval=0),
            ValueError,
            "interval must be at least 1, got 0",
        ),
    ],
)
def test_schedule_errors_name_the_bad_value(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()
