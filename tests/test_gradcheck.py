"""gradcheck and numerical_gradient: the course's check, and that it catches a wrong rule."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Function, Tensor, gradcheck, numerical_gradient, relative_difference


class WrongSigmoid(Function):
    """A = σ(Z);  dZ = dA · A   (deliberately wrong: forgets the factor 1 − A)"""

    @staticmethod
    def forward(ctx, z):
        a = 1 / (1 + np.exp(-z))
        ctx.save_for_backward(a)
        return a

    @staticmethod
    def backward(ctx, da):
        (a,) = ctx.saved_tensors
        return da * a


class TransposedMatMul(Function):
    """out = A · B;  dA = dout · B,  dB = A · dout   (deliberately wrong: no transposes)"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, dout):
        a, b = ctx.saved_tensors
        return dout @ b, a @ dout


def test_numerical_gradient_of_a_known_function() -> None:
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    (grad,) = numerical_gradient(lambda t: (t * t * t).sum(), [x])
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-9)


def test_numerical_gradient_leaves_its_inputs_alone() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    before = x.data.copy()
    numerical_gradient(lambda t: (t * t).sum(), [x])
    np.testing.assert_array_equal(x.data, before)
    assert x.grad is None


def test_gradcheck_passes_a_right_rule_and_reports_each_input() -> None:
    rng = np.random.default_rng(0)
    W = Tensor(rng.standard_normal((3, 2)), name="W")
    b = Tensor(rng.standard_normal((3, 1)), name="b")
    X = rng.standard_normal((2, 5))
    result = gradcheck(lambda W, b: (W @ X + b).sigmoid().mean(), [W, b])
    assert result
    assert [row.name for row in result.rows] == ["W", "b"]
    assert all(row.difference < 1e-7 for row in result.rows)
    text = str(result)
    assert "W" in text and "(3, 2)" in text and "PASSED" in text
    assert W.grad is None  # the user's tensors are untouched


def test_gradcheck_catches_a_wrong_sigmoid_rule() -> None:
    Z = Tensor(np.random.default_rng(1).standard_normal((2, 4)), name="Z")
    result = gradcheck(lambda z: WrongSigmoid.apply(z).sum(), [Z])
    assert not result
    assert result.rows[0].difference > 1e-3
    assert "FAILED" in str(result) and "WRONG" in str(result)


def test_gradcheck_catches_a_rule_that_forgets_a_transpose() -> None:
    """Square matrices, so the wrong rule has the right shapes and only numbers can tell."""
    rng = np.random.default_rng(2)
    A, B = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    result = gradcheck(lambda a, b: TransposedMatMul.apply(a, b), [A, B])  # random upstream u
    assert not result
    assert all(row.difference > 1e-3 for row in result.rows)


def test_gradcheck_of_a_non_scalar_output_uses_the_given_upstream() -> None:
    x = Tensor([1.0, 2.0, 3.0])
    result = gradcheck(lambda t: t * t, [x], grad_output=np.array([1.0, 0.0, -1.0]))
    assert result
    np.testing.assert_allclose(result.rows[0].grad, [2.0, 0.0, -6.0])


def test_a_zero_gradient_passes_despite_rounding_noise() -> None:
    x = Tensor([0.3, 0.7])
    result = gradcheck(lambda t: (t - t).sum() + 1.0, [x])
    assert result and result.rows[0].abs_error <= 1e-8


def test_relative_difference_is_the_course_formula() -> None:
    g, h = np.array([3.0, 4.0]), np.array([3.0, 4.0 + 1e-3])
    expected = 1e-3 / (5.0 + np.linalg.norm(h))
    assert relative_difference(g, h) == pytest.approx(expected, rel=1e-12)
    assert relative_difference(np.zeros(2), np.zeros(2)) == 0.0
