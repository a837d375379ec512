"""``tinygrad_edu.training.train``: the autodiff and the manual engines give the same training.

Both start from the same parameters, see the same data and apply
``θ := θ − α dθ``; they differ only in how ``dθ`` is found (``backward`` or the
course's equations), so their cost histories agree to rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu.data import planar_flower
from tinygrad_edu.manual import deep, two_layer
from tinygrad_edu.training import ENGINES, TrainingResult, init_params, train

# Rounding differences between the engines are ~1e-16 per step; after 100 steps
# the histories and the parameters still agree far inside this.
AGREEMENT = 1e-10
COURSE_COST_0 = 0.693048  # the course notebook: "Cost after iteration 0: 0.693048"
COURSE_COST_1000 = 0.288083  # "Cost after iteration 1000: 0.288083"


@pytest.fixture(scope="module")
def flower():
    return planar_flower()


def both_engines(*args, **kwargs) -> tuple[TrainingResult, TrainingResult]:
    return tuple(train(*args, engine=engine, **kwargs) for engine in ENGINES)


def assert_same_training(autodiff: TrainingResult, manual: TrainingResult, iterations: int):
    assert autodiff.engine == "autodiff" and manual.engine == "manual"
    assert len(autodiff.costs) == len(manual.costs) == iterations
    assert all(isinstance(cost, float) for cost in autodiff.costs + manual.costs)
    np.testing.assert_allclose(autodiff.costs, manual.costs, rtol=0, atol=AGREEMENT)
    assert list(autodiff.params) == list(manual.params)
    for key in manual.params:
        assert autodiff.params[key].shape == manual.params[key].shape
        np.testing.assert_allclose(
            autodiff.params[key], manual.params[key], rtol=0, atol=AGREEMENT, err_msg=key
        )


def test_two_layer_tanh_on_the_flower(flower) -> None:
    X, Y = flower
    autodiff, manual = both_engines(X, Y, [2, 4, 1], "tanh", learning_rate=1.2, iterations=100)
    assert_same_training(autodiff, manual, 100)
    assert round(autodiff.costs[0], 6) == round(manual.costs[0], 6) == COURSE_COST_0
    assert np.all(np.diff(autodiff.costs[:20]) < 0)  # the first steps go downhill
    assert autodiff.costs[-1] < 0.65
    assert autodiff.layer_dims == manual.layer_dims == [2, 4, 1]
    assert autodiff.hidden_activation == manual.hidden_activation == "tanh"
    # the engines' parameters move: they are not just the initial weights
    start = two_layer.init_params(2, 4, 1, seed=2)
    assert np.max(np.abs(autodiff.params["W1"] - start["W1"])) > 0.1


def test_the_course_costs_at_iterations_0_and_1000(flower) -> None:
    X, Y = flower
    for result in both_engines(X, Y, [2, 4, 1], "tanh", learning_rate=1.2, iterations=1001):
        assert round(result.costs[0], 6) == COURSE_COST_0, result.engine
        assert round(result.costs[1000], 6) == COURSE_COST_1000, result.engine


def test_deeper_relu_net(flower) -> None:
    X, Y = flower
    layer_dims = [2, 8, 6, 4, 1]
    autodiff, manual = both_engines(
        X, Y, layer_dims, "relu", learning_rate=0.3, iterations=100, init="he", seed=1
    )
    assert_same_training(autodiff, manual, 100)
    start = deep.init_params(layer_dims, seed=1, method="he")
    AL, _ = deep.model_forward(X, start, "relu")
    assert autodiff.costs[0] == pytest.approx(deep.cost(AL, Y), rel=1e-14)
    assert autodiff.costs[-1] < autodiff.costs[0] - 0.1
    assert autodiff.accuracy(X, Y) == manual.accuracy(X, Y) > 0.7


@settings(deadline=None)
@given(
    hidden=st.lists(st.integers(1, 8), min_size=0, max_size=3),
    n_x=st.integers(1, 4),
    m=st.integers(1, 32),
    activation=st.sampled_from(["tanh", "sigmoid", "relu", "leaky_relu"]),
    init=st.sampled_from(["small", "he", "xavier"]),
    learning_rate=st.floats(0.01, 0.3),
    seed=st.integers(0, 2**32 - 1),
)
def test_engines_agree_on_random_networks(hidden, n_x, m, activation, init, learning_rate, seed):
    rng = np.random.RandomState(seed)
    X, Y = rng.randn(n_x, m), rng.randint(0, 2, (1, m)).astype(np.float64)
    layer_dims = [n_x, *hidden, 1]
    autodiff, manual = both_engines(
        X, Y, layer_dims, activation, learning_rate=learning_rate, iterations=20, init=init
    )
    assert_same_training(autodiff, manual, 20)


def test_callback_sees_every_iteration(flower) -> None:
    X, Y = flower
    for engine in ENGINES:
        seen: list[tuple[int, float]] = []
        result = train(
            X,
            Y,
            [2, 3, 1],
            iterations=7,
            engine=engine,
            callback=lambda i, cost: seen.append((i, cost)),
        )
        assert seen == list(enumerate(result.costs)), engine


def test_given_params_are_the_start_and_are_not_modified() -> None:
    rng = np.random.RandomState(0)
    X, Y = rng.randn(3, 10), rng.randint(0, 2, (1, 10)).astype(np.float64)
    params = deep.init_params([3, 4, 2, 1], seed=5, method="xavier")
    params["b2"] = rng.randn(2, 1)
    copies = {key: value.copy() for key, value in params.items()}
    autodiff, manual = both_engines(X, Y, [3, 4, 2, 1], "tanh", iterations=5, params=params)
    assert_same_training(autodiff, manual, 5)
    AL, _ = deep.model_forward(X, copies, "tanh")
    assert manual.costs[0] == deep.cost(AL, Y)
    for key, value in params.items():
        np.testing.assert_array_equal(value, copies[key])


def test_zero_iterations_return_the_starting_params() -> None:
    X, Y = planar_flower(m=20)
    for engine in ENGINES:
        result = train(X, Y, [2, 4, 1], iterations=0, engine=engine)
        assert result.costs == []
        start = two_layer.init_params(2, 4, 1, seed=2)
        for key, value in start.items():
            np.testing.assert_array_equal(result.params[key], value)


def test_predict_and_accuracy(flower) -> None:
    X, Y = flower
    result = train(X, Y, [2, 4, 1], iterations=300)
    AL, _ = deep.model_forward(X, result.params, "tanh")
    predictions = result.predict(X)
    assert predictions.shape == (1, 400) and predictions.dtype == np.float64
    np.testing.assert_array_equal(predictions, (AL > 0.5).astype(np.float64))
    np.testing.assert_array_equal(predictions, two_layer.predict(X, result.params, "tanh"))
    assert result.accuracy(X, Y) == float(np.mean(predictions == Y))
    assert 0.8 < result.accuracy(X, Y) <= 1.0


def test_init_params_are_the_courses() -> None:
    for key, value in init_params([2, 4, 1]).items():  # the notebook's weights, seed 2
        np.testing.assert_array_equal(value, two_layer.init_params(2, 4, 1, seed=2)[key])
    deep_params = init_params([2, 3, 2, 1], seed=3)
    for key, value in deep.init_params([2, 3, 2, 1], seed=3).items():
        np.testing.assert_array_equal(deep_params[key], value)
    he = init_params([2, 4, 1], seed=3, init="he")
    for key, value in deep.init_params([2, 4, 1], seed=3, method="he").items():
        np.testing.assert_array_equal(he[key], value)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(engine="numpy"), "engine must be one of"),
        (dict(engine="both"), "'both'"),
        (dict(learning_rate=0), "learning_rate must be positive, got 0"),
        (dict(learning_rate=-1.2), "learning_rate must be positive, got -1.2"),
        (dict(learning_rate=float("nan")), "learning_rate must be positive, got nan"),
        (dict(iterations=-1), "iterations must be at least 0, got -1"),
        (dict(hidden_activation="softplus"), "'softplus'"),
        (dict(init="orthogonal"), "'orthogonal'"),
    ],
)
def test_bad_arguments_raise_value_errors(kwargs, match) -> None:
    X, Y = planar_flower(m=10)
    with pytest.raises(ValueError, match=match):
        train(X, Y, [2, 3, 2, 1], **{"iterations": 2, **kwargs})


def test_two_output_units_train_the_same_cost_or_are_refused() -> None:
    """Y of shape (2, m): the manual engine's cost is the course's (1/m) Σ over every
    entry (manual.deep.cost), the autodiff engine's binary_cross_entropy_with_logits the
    mean over all 2m entries, half as much; today the two engines silently follow
    different cost histories (manual's costs are exactly twice autodiff's at step 0).
    train must either train the same cost with both engines or refuse n_y > 1 with a
    ValueError naming Y's shape."""
    rng = np.random.RandomState(0)
    X, Y = rng.randn(3, 8), rng.randint(0, 2, (2, 8)).astype(np.float64)
    try:
        autodiff, manual = both_engines(X, Y, [3, 4, 2], "tanh", iterations=5)
    except ValueError as error:
        assert "(2, 8)" in str(error), str(error)
    else:
        assert_same_training(autodiff, manual, 5)
