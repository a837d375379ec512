"""Bugs found by review, each pinned by the smallest example that showed it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu.functional as F
from tinygrad_edu import Function, Tensor, gradcheck, no_grad, numerical_gradient
from tinygrad_edu.testing import arrays, distinct_arrays, random_graphs, shapes

# --------------------------------------------------------------------------- #
# Silently wrong numbers
# --------------------------------------------------------------------------- #


def test_numerical_gradient_of_a_fortran_ordered_float32_input() -> None:
    x = np.arange(6, dtype=np.float32).reshape(2, 3).T  # F-ordered, not float64
    (grad,) = numerical_gradient(lambda t: (t * t).sum(), [x])
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-6)


def test_updating_a_detached_copy_leaves_the_recorded_graph_alone() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    J = (x * x).sum()
    d = x.detach()
    d += 10
    J.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_updating_a_view_leaves_the_recorded_graph_alone() -> None:
    W = Tensor([[1.0, 2.0]], requires_grad=True)
    X = Tensor([[3.0], [4.0]])
    Z = W @ X
    Xt = X.T
    Xt += 100
    Z.backward(np.ones((1, 1)))
    np.testing.assert_array_equal(W.grad, [[3.0, 4.0]])


def test_an_update_after_forward_does_not_stop_backward() -> None:
    """Add saves nothing; the graph computes with the values it saw."""
    x = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([0.5, 0.5])
    y = (x + b).sum()
    with no_grad():
        x += 1
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_an_index_array_nested_in_a_tuple_accumulates() -> None:
    x = Tensor([3.0, 1.0, 2.0], requires_grad=True)
    x[((0, 0),)].sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 0.0])


def test_an_index_array_changed_after_forward_does_not_move_the_gradient() -> None:
    x = Tensor([3.0, 1.0, 2.0], requires_grad=True)
    index = np.array([0, 2])
    y = x[index].sum()
    index[:] = 1
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0])


@pytest.mark.parametrize("scale", [1e-200, 1e200])
def test_division_gradient_at_extreme_magnitudes(scale: float) -> None:
    a = Tensor([scale], requires_grad=True)
    b = Tensor([scale], requires_grad=True)
    (a / b).sum().backward()
    np.testing.assert_allclose(a.grad, [1 / scale])
    np.testing.assert_allclose(b.grad, [-1 / scale])


def test_pow_gradient_at_zero_uses_the_limit() -> None:
    x = Tensor([0.0, 2.0], requires_grad=True)
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    base = Tensor([0.0, 2.0], requires_grad=True)
    exponent = Tensor([2.0, 3.0], requires_grad=True)
    (base**exponent).sum().backward()
    np.testing.assert_allclose(exponent.grad, [0.0, 8 * np.log(2.0)])
    np.testing.assert_allclose(base.grad, [0.0, 12.0])


@pytest.mark.parametrize("z, y", [(40.0, 1.0), (-40.0, 0.0)])
def test_binary_cross_entropy_of_a_saturated_sigmoid_is_finite(z: float, y: float) -> None:
    Z = Tensor([z], requires_grad=True)
    J = F.binary_cross_entropy(Z.sigmoid(), np.array([y]))
    J.backward()
    assert np.isfinite(J.item()) and J.item() == pytest.approx(0.0, abs=1e-15)
    assert np.all(np.isfinite(Z.grad)) and abs(Z.grad[0]) < 1e-15


def test_cross_entropy_keeps_float32_with_integer_labels() -> None:
    Z = Tensor(np.zeros((3, 2), dtype=np.float32), requires_grad=True)
    J = F.cross_entropy(Z, np.array([0, 2]))
    assert J.dtype == np.float32
    J.backward()
    assert Z.grad.dtype == np.float32


# --------------------------------------------------------------------------- #
# gradcheck verdicts
# --------------------------------------------------------------------------- #


class TinyWrongSign(Function):
    """out = 1e-9 · x;  dx = −1e-9 · dout   (deliberately wrong sign)"""

    @staticmethod
    def forward(ctx, x):
        return 1e-9 * x

    @staticmethod
    def backward(ctx, dout):
        return -1e-9 * dout


def test_gradcheck_fails_a_wrong_rule_even_when_the_gradient_is_tiny() -> None:
    result = gradcheck(lambda x: TinyWrongSign.apply(x).sum(), [np.ones(5)])
    assert not result
    assert "FAILED" in str(result)


def test_gradcheck_leaves_labels_and_indices_alone() -> None:
    Z = np.random.default_rng(0).standard_normal((3, 2))
    result = gradcheck(lambda z, y: F.cross_entropy(z, y), [Z, np.array([0, 2])])
    assert result and len(result.rows) == 1
    assert bool(gradcheck(lambda a, i: a[i].sum(), [Z, np.array([0, 0])]))
    grads = numerical_gradient(lambda z, y: F.cross_entropy(z, y), [Z, np.array([1, 1])])
    assert grads[1] is None and grads[0].shape == (3, 2)


@pytest.mark.parametrize("eps", [0.0, -1e-6, float("nan"), float("inf")])
def test_gradcheck_refuses_a_step_that_is_not_positive_and_finite(eps: float) -> None:
    with pytest.raises(ValueError, match="eps"):
        gradcheck(lambda x: (x * x).sum(), [np.ones(2)], eps=eps)
    with pytest.raises(ValueError, match="eps"):
        numerical_gradient(lambda x: (x * x).sum(), [np.ones(2)], eps=eps)


def test_numerical_gradient_accepts_a_list_as_grad_output() -> None:
    (grad,) = numerical_gradient(lambda x: x * x, [np.array([1.0, 2.0])], grad_output=[1.0, 0.5])
    np.testing.assert_allclose(grad, [2.0, 2.0], rtol=1e-8)


def test_gradcheck_passes_a_graph_whose_paths_cancel() -> None:
    """J ≡ 0 through cancelling weights: the true gradient is 0, the estimate is noise."""
    w = np.array([[0.25, 0.25], [-0.25, -0.25]])
    result = gradcheck(lambda v: (2 * v * w).sum() + (v * w).sum(), [np.ones((1, 2))])
    assert result


# --------------------------------------------------------------------------- #
# Engine: hooks, custom Functions, errors
# --------------------------------------------------------------------------- #


def test_a_hook_removing_itself_does_not_skip_the_next() -> None:
    x = Tensor([1.0], requires_grad=True)
    calls = []
    handles = {}

    def first(grad):
        calls.append(1)
        handles["first"]()

    handles["first"] = x.register_hook(first)
    x.register_hook(lambda grad: calls.append(2))
    (x * 2.0).sum().backward()
    assert calls == [1, 2]


def test_a_hook_cannot_change_a_gradient_shared_with_a_sibling() -> None:
    x = Tensor([3.0], requires_grad=True)
    w = Tensor([1.0], requires_grad=True)
    x.register_hook(lambda g: g.__imul__(10))
    with pytest.raises(ValueError, match="read-only"):
        (w + x).backward(np.ones(1))


def test_a_hook_returning_a_non_array_is_a_type_error() -> None:
    x = Tensor([1.0], requires_grad=True)
    x.register_hook(lambda g: "oops")
    with pytest.raises(TypeError, match="hook returned str"):
        (x * 2.0).sum().backward()


def test_an_ops_own_value_error_mentioning_broadcast_is_kept() -> None:
    class Picky(Function):
        """out = x;  dx = dout"""

        @staticmethod
        def forward(ctx, x, k=1):
            raise ValueError("k must broadcast to the number of heads")

        @staticmethod
        def backward(ctx, dout):
            return dout

    with pytest.raises(ValueError, match="k must broadcast to the number of heads"):
        Picky.apply(Tensor([1.0]), k=3)


def test_a_tensor_keyword_argument_that_needs_a_gradient_is_refused() -> None:
    class Scale(Function):
        """out = x · factor;  dx = dout · factor"""

        @staticmethod
        def forward(ctx, x, factor=1.0):
            return x * factor

        @staticmethod
        def backward(ctx, dout):
            return dout

    k = Tensor([2.0], requires_grad=True)
    with pytest.raises(TypeError, match="'factor'.*positionally"):
        Scale.apply(Tensor([1.0], requires_grad=True), factor=k)


def test_backward_may_return_a_list() -> None:
    class MulList(Function):
        """out = a · b;  da = dout · b,  db = dout · a"""

        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, dout):
            a, b = ctx.saved_tensors
            return [dout * b, dout * a]

    a = Tensor([2.0], requires_grad=True)
    b = Tensor([5.0], requires_grad=True)
    MulList.apply(a, b).sum().backward()
    assert a.grad[0] == 5.0 and b.grad[0] == 2.0


# --------------------------------------------------------------------------- #
# Smaller gaps
# --------------------------------------------------------------------------- #


def test_max_over_a_non_empty_axis_of_an_empty_tensor() -> None:
    x = Tensor(np.zeros((2, 0)))
    assert x.max(axis=0).shape == (0,)
    with pytest.raises(ValueError, match="empty"):
        x.max(axis=1)


@pytest.mark.parametrize("axis", [None, (0,), (0, 1)])
def test_softmax_wants_one_axis(axis) -> None:
    with pytest.raises(TypeError, match="one int"):
        Tensor(np.ones((2, 2))).softmax(axis=axis)


def test_softmax_of_a_0d_tensor() -> None:
    with pytest.raises(ValueError, match="softmax needs a tensor with at least one axis"):
        Tensor(1.0).softmax()


def test_iterating_over_a_tensor() -> None:
    with pytest.raises(TypeError, match="0-d"):
        list(Tensor(3.0))
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert [r.shape for r in rows] == [(2,), (2,)]
    (rows[0] * rows[1]).sum().backward()
    np.testing.assert_array_equal(x.grad, [[3.0, 4.0], [1.0, 2.0]])


# --------------------------------------------------------------------------- #
# The strategies keep their promises
# --------------------------------------------------------------------------- #


@given(values=distinct_arrays(shapes(min_dims=1), gap=0.1))
def test_distinct_arrays_keep_their_gap_and_stay_off_zero(values: np.ndarray) -> None:
    flat = np.sort(values.ravel())
    assert np.all(np.diff(flat) >= 0.1 - 1e-12)  # up to the rounding of the arithmetic
    assert np.all(np.abs(flat) >= 0.01 - 1e-12)


@given(values=arrays(shapes(min_dims=1), -1.0, 1.0, avoid=(1.0, -1.0, 0.0), margin=0.1))
def test_pushed_off_values_stay_in_bounds(values: np.ndarray) -> None:
    assert np.all(values >= -1.0) and np.all(values <= 1.0)
    for kink in (1.0, -1.0, 0.0):
        assert np.all(np.abs(values - kink) >= 0.1 - 1e-12)


@given(graph=random_graphs())
def test_random_graphs_always_share_a_node_and_weigh_every_path(graph) -> None:
    uses = [i for _, operands in graph.steps for i in operands]
    assert graph.shared in uses  # used by a step and again by J
    assert np.all(np.abs(graph.weights) >= 0.25)


@given(st.data())
def test_random_graphs_cost_is_finite(data: st.DataObject) -> None:
    graph = data.draw(random_graphs())
    assert np.isfinite(graph(*graph.leaves()).item())


def test_gradcheck_atol_covers_terms_that_cancel_inside_j() -> None:
    """J = Σ w·σ(v0/v1) + Σ w·v0 with weights ∓0.25 on equal rows: the σ terms (≈ 0.125)
    cancel exactly, so J ≈ 1e-150 and hides their rounding noise; dJ/dv1 ≈ ±6e-152 is
    below what centred differences resolve. Only an explicit floor can say so."""
    w = np.array([[-0.25], [0.25]])

    def cost(v0, v1):
        return (w * (v0 / v1).sigmoid()).sum() + (w * v0).sum()

    inputs = [np.array([[9.6e-150]]), np.ones((2, 1))]
    assert not gradcheck(cost, inputs)  # strict by default: the noise is invisible in J
    assert gradcheck(cost, inputs, atol=1e-8)


# --------------------------------------------------------------------------- #
# Error paths the other files did not reach
# --------------------------------------------------------------------------- #


def test_a_function_without_forward_or_backward_says_what_is_missing() -> None:
    with pytest.raises(NotImplementedError, match="must define forward"):
        Function.apply(Tensor([1.0]))

    class ForwardOnly(Function):
        """out = x / 2;  dx: not written"""

        @staticmethod
        def forward(ctx, x):
            return x * 0.5

    with pytest.raises(NotImplementedError, match="must define backward"):
        ForwardOnly.apply(Tensor([1.0], requires_grad=True)).sum().backward()


@pytest.mark.parametrize("join, name", [(F.concatenate, "concatenate"), (F.stack, "stack")])
def test_joining_nothing(join, name) -> None:
    with pytest.raises(ValueError, match=f"{name} needs at least one tensor"):
        join([])


def test_mean_over_an_empty_axis() -> None:
    with pytest.raises(ValueError, match=r"empty axis \(tensor shape \(2, 0\)\)"):
        Tensor(np.zeros((2, 0))).mean(axis=1)


def test_an_integer_dtype_is_refused() -> None:
    with pytest.raises(TypeError, match="not int64; use a float dtype"):
        Tensor([1, 2], dtype=np.int64)
