"""L2 regularisation and inverted dropout, by autodiff and by hand.

- ``nn.l2_penalty`` adds exactly ``(λ/m) W`` to every ``W.grad`` and nothing to
  ``b.grad``; ``manual.regularization.backward_with_l2`` gives the same ``dW``,
  ``db`` to rounding, and the penalty passes the course's gradient check.
- ``nn.Dropout`` reuses its mask in backward (``dA = dout · D / keep_prob``), is
  the identity in evaluation mode, and, given the same seed, draws the same masks
  as ``manual.regularization.forward_with_dropout``, so manual and autodiff
  gradients agree.

Manual and autodiff are compared as in ``test_course_equations``: to rtol 1e-10
(plus an absolute 1e-13 for entries that are sums cancelling to nearly 0). The
outputs are kept off saturation (``|Z[L]| < 8``, the output weights drawn small,
examples beyond rejected): the course's ``dAL = −(Y/AL − (1 − Y)/(1 − AL))`` loses
relative precision as ``AL`` nears 0 or 1, and its cost is ``log 0`` there.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, gradcheck, nn
from tinygrad_edu.manual import deep
from tinygrad_edu.manual import regularization as manual_reg

RTOL = 1e-10
ATOL = 1e-13

# [n_x, n_1, …, 1]: one sigmoid output, where the course's cost and F's BCE (a mean over all
# entries) are the same J.
layer_dims = st.lists(st.integers(1, 6), min_size=1, max_size=4).map(lambda dims: [*dims, 1])
batch = st.integers(1, 12)
seeds = st.integers(0, 2**32 - 1)
lambdas = st.floats(0.0, 5.0)
keep_probs = st.floats(0.05, 1.0)


def _data(
    dims: list[int], m: int, seed: int
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.RandomState(seed)
    X = rng.randn(dims[0], m)
    Y = (rng.rand(dims[-1], m) > 0.5).astype(np.float64)
    params = deep.init_params(dims, seed=seed, method="he")
    L = len(dims) - 1
    for l in range(1, L + 1):  # nonzero biases, so that b.grad is a real check too
        params[f"b{l}"] = 0.1 * rng.randn(dims[l], 1)
    params[f"W{L}"] *= 0.1  # keeps the output off saturation (see the module docstring)
    return X, Y, params


MAX_LOGIT = 8.0


def _off_saturation(caches: list[deep.LayerCache]) -> bool:
    ZL = caches[-1][1]
    return bool(np.all(np.abs(ZL) < MAX_LOGIT))


def _autodiff_grads(model: nn.Sequential) -> dict[str, np.ndarray]:
    grads = {}
    for l, layer in enumerate(model.linear_layers(), start=1):
        grads[f"dW{l}"] = layer.W.grad
        grads[f"db{l}"] = layer.b.grad
    return grads


# ---------------------------------------------------------------------------
# L2
# ---------------------------------------------------------------------------


@settings(deadline=None)
@given(dims=layer_dims, m=batch, seed=seeds, lambd=lambdas)
def test_l2_adds_exactly_lambda_over_m_times_W(
    dims: list[int], m: int, seed: int, lambd: float
) -> None:
    X, Y, params = _data(dims, m, seed)
    model = nn.deep_network(dims).load_params(params)

    F.binary_cross_entropy_with_logits(model(X), Y).backward()
    plain = _autodiff_grads(model)
    model.zero_grad()
    J = F.binary_cross_entropy_with_logits(model(X), Y) + nn.l2_penalty(model, lambd, m)
    J.backward()
    regularised = _autodiff_grads(model)

    for l, layer in enumerate(model.linear_layers(), start=1):
        np.testing.assert_allclose(
            regularised[f"dW{l}"] - plain[f"dW{l}"],
            (lambd / m) * layer.W.data,
            rtol=1e-9,
            atol=1e-13,
        )
        np.testing.assert_array_equal(regularised[f"db{l}"], plain[f"db{l}"])


@settings(deadline=None)
@given(dims=layer_dims, m=batch, seed=seeds, lambd=lambdas)
def test_manual_l2_equals_autodiff(dims: list[int], m: int, seed: int, lambd: float) -> None:
    X, Y, params = _data(dims, m, seed)
    AL, caches = deep.model_forward(X, params)
    assume(_off_saturation(caches))
    manual_cost = manual_reg.cost_with_l2(AL, Y, params, lambd)
    manual = manual_reg.backward_with_l2(AL, Y, caches, lambd)

    model = nn.deep_network(dims).load_params(params)
    J = F.binary_cross_entropy_with_logits(model(X), Y) + nn.l2_penalty(model, lambd, m)
    J.backward()

    assert J.item() == pytest.approx(manual_cost, rel=1e-10)
    for name, value in _autodiff_grads(model).items():
        np.testing.assert_allclose(value, manual[name], rtol=RTOL, atol=ATOL, err_msg=name)


def test_manual_l2_with_lambda_zero_is_deep_model_backward() -> None:
    X, Y, params = _data([3, 4, 2, 1], 6, 0)
    AL, caches = deep.model_forward(X, params)
    plain = deep.model_backward(AL, Y, caches)
    regularised = manual_reg.backward_with_l2(AL, Y, caches, lambd=0.0)
    assert plain.keys() == regularised.keys()
    for name in plain:
        np.testing.assert_array_equal(regularised[name], plain[name], err_msg=name)
    assert manual_reg.cost_with_l2(AL, Y, params, 0.0) == deep.cost(AL, Y)


def test_manual_l2_cost_is_the_course_formula() -> None:
    params = {
        "W1": np.array([[1.0, -2.0]]),
        "b1": np.array([[5.0]]),
        "W2": np.array([[3.0]]),
        "b2": np.array([[7.0]]),
    }
    AL, Y = np.array([[0.25, 0.75]]), np.array([[0.0, 1.0]])
    # λ/(2m) Σ‖W‖² = 0.4/4 · (1 + 4 + 9); the biases are not penalised.
    assert manual_reg.cost_with_l2(AL, Y, params, 0.4) == pytest.approx(deep.cost(AL, Y) + 1.4)


@settings(deadline=None)
@given(dims=layer_dims, m=batch, seed=seeds, lambd=st.floats(0.01, 5.0))
def test_l2_penalty_passes_gradcheck(dims: list[int], m: int, seed: int, lambd: float) -> None:
    params = deep.init_params(dims, seed=seed, method="xavier")
    weights = [Tensor(params[f"W{l}"]) for l in range(1, len(dims))]
    result = gradcheck(lambda *Ws: nn.l2_penalty(list(Ws), lambd, m), weights)
    assert bool(result), result


def test_l2_penalty_value_and_its_three_forms() -> None:
    model = nn.deep_network([2, 3, 1])
    model[0].W.data[:] = 1.0
    model[2].W.data[:] = 2.0
    model[0].b.data[:] = 100.0  # biases are never penalised
    expected = 0.5 / 8 * (6 * 1.0 + 3 * 4.0)
    named = {"W1": model[0].W, "b1": model[0].b, "W2": model[2].W, "b2": model[2].b}
    for form in (model, named, [model[0].W, model[2].W]):
        assert nn.l2_penalty(form, lambd=0.5, m=4).item() == pytest.approx(expected)
    manual = {name: t.data for name, t in named.items()}
    assert manual_reg.l2_cost(manual, 0.5, 4) == pytest.approx(expected)


@pytest.mark.parametrize("lambd", [-0.1, float("nan")])
def test_l2_penalty_rejects_a_negative_lambda(lambd: float) -> None:
    with pytest.raises(ValueError, match="lambd"):
        nn.l2_penalty(nn.deep_network([2, 1]), lambd, 4)
    with pytest.raises(ValueError, match="lambd"):
        manual_reg.l2_cost(deep.init_params([2, 1]), lambd, 4)


@pytest.mark.parametrize("m", [0, -3, 2.5, True])
def test_l2_penalty_rejects_a_bad_m(m: object) -> None:
    with pytest.raises(ValueError, match="m"):
        nn.l2_penalty(nn.deep_network([2, 1]), 0.1, m)  # type: ignore[arg-type]


def test_l2_penalty_type_errors_and_no_weights() -> None:
    with pytest.raises(TypeError, match="lambd"):
        nn.l2_penalty(nn.deep_network([2, 1]), "0.1", 4)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ndarray"):
        nn.l2_penalty([np.ones((2, 2))], 0.1, 4)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="no weights"):
        nn.l2_penalty(nn.Sequential(nn.ReLU()), 0.1, 4)


# ---------------------------------------------------------------------------
# Dropout
# ---------------------------------------------------------------------------


@settings(deadline=None)
@given(n=st.integers(1, 8), m=batch, keep_prob=keep_probs, seed=seeds)
def test_dropout_reuses_its_mask_and_scale_in_backward(
    n: int, m: int, keep_prob: float, seed: int
) -> None:
    rng = np.random.RandomState(seed)
    A = Tensor(rng.randn(n, m), requires_grad=True)
    upstream = rng.randn(n, m)
    drop = nn.Dropout(keep_prob, seed=seed)
    out = drop(A)
    D = drop.mask
    assert D is not None and D.shape == (n, m) and set(np.unique(D)) <= {0.0, 1.0}
    np.testing.assert_array_equal(D, np.random.RandomState(seed).rand(n, m) < keep_prob)
    np.testing.assert_array_equal(out.data, A.data * D / keep_prob)
    out.backward(upstream)
    np.testing.assert_array_equal(A.grad, upstream * D / keep_prob)


def test_dropout_draws_a_new_mask_each_forward() -> None:
    drop = nn.Dropout(0.5, seed=0)
    drop(Tensor(np.ones((6, 6))))
    first = drop.mask
    drop(Tensor(np.ones((6, 6))))
    assert not np.array_equal(first, drop.mask)


def test_dropout_in_eval_mode_is_the_identity_and_deterministic() -> None:
    A = Tensor(np.random.RandomState(0).randn(4, 5), requires_grad=True)
    drop = nn.Dropout(0.3, seed=2)
    drop.eval()
    outputs = [drop(A) for _ in range(3)]
    for out in outputs:
        assert out is A
    assert drop.mask is None
    # Evaluation drew nothing: back in training, the first mask is the seed's first.
    drop.train()
    drop(A)
    np.testing.assert_array_equal(drop.mask, np.random.RandomState(2).rand(4, 5) < 0.3)


def test_model_eval_switches_off_every_dropout() -> None:
    dims = [3, 5, 4, 1]
    X, _, params = _data(dims, 7, 0)
    model = nn.dropout_network(dims, keep_prob=0.5, seed=0).load_params(params)
    plain = nn.deep_network(dims).load_params(params)
    model.eval()
    np.testing.assert_array_equal(model(X).data, plain(X).data)
    model.train()
    assert not np.array_equal(model(X).data, plain(X).data)


def test_keep_prob_one_keeps_everything() -> None:
    A = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    out = nn.Dropout(1.0, seed=0)(A)
    np.testing.assert_array_equal(out.data, A.data)


@pytest.mark.parametrize("keep_prob", [0, 0.0, -0.5, 1.5, float("nan")])
def test_keep_prob_outside_zero_one_is_a_value_error_naming_it(keep_prob: float) -> None:
    with pytest.raises(ValueError, match="keep_prob"):
        nn.Dropout(keep_prob)
    with pytest.raises(ValueError, match="keep_prob"):
        nn.dropout_network([2, 3, 1], keep_prob)
    with pytest.raises(ValueError, match="keep_prob"):
        manual_reg.forward_with_dropout(np.ones((2, 3)), deep.init_params([2, 3, 1]), keep_prob)


@pytest.mark.parametrize("keep_prob", ["0.5", True, None])
def test_keep_prob_of_the_wrong_type_is_a_type_error(keep_prob: object) -> None:
    with pytest.raises(TypeError, match="keep_prob"):
        nn.Dropout(keep_prob)  # type: ignore[arg-type]


@settings(deadline=None)
@given(dims=layer_dims, m=batch, seed=seeds, keep_prob=keep_probs)
def test_manual_dropout_equals_autodiff_with_the_same_masks(
    dims: list[int], m: int, seed: int, keep_prob: float
) -> None:
    X, Y, params = _data(dims, m, seed)
    AL, caches, masks = manual_reg.forward_with_dropout(X, params, keep_prob, seed=seed)
    assume(_off_saturation(caches))
    manual = manual_reg.backward_with_dropout(AL, Y, caches, masks, keep_prob)

    model = nn.dropout_network(dims, keep_prob, seed=seed).load_params(params)
    ZL = model(X)
    F.binary_cross_entropy_with_logits(ZL, Y).backward()

    drops = [layer for layer in model.layers if isinstance(layer, nn.Dropout)]
    assert sorted(masks) == [f"D{l}" for l in range(1, len(dims) - 1)]
    for l, drop in enumerate(drops, start=1):
        np.testing.assert_array_equal(drop.mask, masks[f"D{l}"])
    np.testing.assert_allclose(ZL.sigmoid().data, AL, rtol=RTOL, atol=ATOL)
    for name, value in _autodiff_grads(model).items():
        np.testing.assert_allclose(value, manual[name], rtol=RTOL, atol=ATOL, err_msg=name)


def test_manual_dropout_with_keep_prob_one_is_the_plain_network() -> None:
    X, Y, params = _data([3, 4, 4, 1], 5, 1)
    AL, caches, masks = manual_reg.forward_with_dropout(X, params, 1.0, seed=0)
    plain_AL, plain_caches = deep.model_forward(X, params)
    np.testing.assert_array_equal(AL, plain_AL)
    grads = manual_reg.backward_with_dropout(AL, Y, caches, masks, 1.0)
    plain = deep.model_backward(plain_AL, Y, plain_caches)
    for name in plain:
        np.testing.assert_array_equal(grads[name], plain[name], err_msg=name)


def test_manual_dropout_masks_are_the_courses_draws_in_order() -> None:
    X, _, params = _data([3, 4, 2, 1], 5, 0)
    _, _, masks = manual_reg.forward_with_dropout(X, params, 0.7, seed=4)
    rng = np.random.RandomState(4)
    np.testing.assert_array_equal(masks["D1"], rng.rand(4, 5) < 0.7)
    np.testing.assert_array_equal(masks["D2"], rng.rand(2, 5) < 0.7)


def test_backward_with_dropout_needs_every_mask() -> None:
    X, Y, params = _data([3, 4, 2, 1], 5, 0)
    AL, caches, masks = manual_reg.forward_with_dropout(X, params, 0.7)
    del masks["D2"]
    with pytest.raises(ValueError, match="D2"):
        manual_reg.backward_with_dropout(AL, Y, caches, masks, 0.7)


def test_dropout_network_layout_and_repr() -> None:
    model = nn.dropout_network([3, 4, 2, 1], keep_prob=0.8)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "ReLU", "Dropout", "Linear", "ReLU", "Dropout", "Linear"]
    assert repr(model[2]) == "Dropout(keep_prob=0.8)"
    assert model[2].rng is model[5].rng  # one RandomState: D1, D2, … in order
    with pytest.raises(ValueError, match="layer_dims"):
        nn.dropout_network([3], keep_prob=0.8)
