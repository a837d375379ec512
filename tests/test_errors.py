"""Every bad input fails loudly, at the call that made it, with the right built-in type.

ValueError for shapes, data and values; TypeError for wrong types; RuntimeError
for graph state; IndexError for bad indices. Each message is checked for what
was wrong (the op, the shapes, the values) and, where the library says it,
what to do.
"""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tge
import tinygrad_edu.functional as F
from tinygrad_edu import Function, Tensor

PACKAGE_DIR = Path(tge.__file__).resolve().parent


def leaf(*shape):
    """A float64 leaf of ``shape`` with distinct positive entries (1, 2, 3, ...)."""
    return Tensor(np.arange(1.0, np.prod(shape, dtype=int) + 1).reshape(shape), requires_grad=True)


def const(*shape):
    """A constant (no gradient) of ``shape`` with entries 0.5, 1.5, ..."""
    return Tensor(np.arange(0.5, np.prod(shape, dtype=int)).reshape(shape))


# --------------------------------------------------------------------------- #
# Matrix product
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "a_shape, b_shape, pattern",
    [
        ((3, 4), (5, 2), r"MatMul.*\(3, 4\).*\(5, 2\).*\(4\).*\(5\)"),
        ((3,), (4,), r"MatMul.*\(3,\).*\(4,\)"),
        ((3,), (4, 2), r"MatMul.*\(3,\).*\(4, 2\)"),
        ((2, 3), (4,), r"MatMul.*\(2, 3\).*\(4,\)"),
        ((2, 3, 4), (2, 5, 6), r"MatMul.*\(2, 3, 4\).*\(2, 5, 6\)"),
        ((2, 3, 4), (3, 4, 5), r"MatMul.*\(2, 3, 4\).*\(3, 4, 5\)"),
    ],
)
def test_matmul_mismatched_shapes_name_both_shapes(a_shape, b_shape, pattern):
    with pytest.raises(ValueError, match=pattern):
        leaf(*a_shape) @ const(*b_shape)


def test_matmul_2d_mismatch_says_what_to_do():
    with pytest.raises(ValueError, match=r"transpose"):
        leaf(3, 4) @ leaf(5, 2)


@pytest.mark.parametrize("a_shape, b_shape", [((), (3,)), ((3,), ()), ((), ())])
def test_matmul_with_a_0d_operand(a_shape, b_shape):
    a = Tensor(np.ones(a_shape), requires_grad=True)
    b = Tensor(np.ones(b_shape))
    pattern = re.escape(f"{a_shape} and {b_shape}") + r".*at least one dimension.*\*"
    with pytest.raises(ValueError, match=pattern):
        a @ b


def test_matmul_mismatch_from_an_ndarray_on_the_left():
    with pytest.raises(ValueError, match=r"MatMul.*\(5, 2\).*\(3, 4\)"):
        np.ones((5, 2)) @ leaf(3, 4)


# --------------------------------------------------------------------------- #
# Broadcasting
# --------------------------------------------------------------------------- #

BINARY_OPS = [
    ("Add", lambda a, b: a + b),
    ("Sub", lambda a, b: a - b),
    ("Mul", lambda a, b: a * b),
    ("Div", lambda a, b: a / b),
    ("Pow", lambda a, b: a**b),
    ("Maximum", F.maximum),
    ("Minimum", F.minimum),
    ("Where", lambda a, b: F.where(np.ones(a.shape, dtype=bool), a, b)),
]


@pytest.mark.parametrize("op_name, op", BINARY_OPS, ids=[name for name, _ in BINARY_OPS])
def test_non_broadcastable_shapes_name_the_op_and_both_shapes(op_name, op):
    with pytest.raises(ValueError, match=rf"{op_name}: shapes .*\(2, 3\).*\(4,\).*broadcast"):
        op(leaf(2, 3), const(4))


@pytest.mark.parametrize("op_name, op", BINARY_OPS[:5], ids=[name for name, _ in BINARY_OPS[:5]])
def test_non_broadcastable_ndarray_on_the_left(op_name, op):
    with pytest.raises(ValueError, match=rf"{op_name}: shapes \(4,\) and \(2, 3\)"):
        op(np.ones(4), leaf(2, 3))


def test_broadcast_message_says_what_to_do():
    with pytest.raises(ValueError, match=r"reshape"):
        leaf(3, 1).T + leaf(3, 2)


def test_where_condition_that_does_not_broadcast():
    with pytest.raises(ValueError, match=r"Where: shapes \(5,\) and \(2, 3\)"):
        F.where(np.ones(5, dtype=bool), leaf(2, 3), 0.0)


# --------------------------------------------------------------------------- #
# backward(): graph state and the seed gradient
# --------------------------------------------------------------------------- #


def test_backward_without_grad_on_a_non_scalar():
    y = leaf(2, 3) * 2
    with pytest.raises(RuntimeError, match=r"\(2, 3\).*grad="):
        y.backward()


def test_backward_with_a_grad_of_the_wrong_shape():
    y = leaf(2, 3) * 2
    with pytest.raises(ValueError, match=r"grad has shape \(3, 2\).*tensor has shape \(2, 3\)"):
        y.backward(np.ones((3, 2)))


def test_backward_with_a_grad_that_would_only_broadcast():
    y = leaf(2, 3) * 2
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 3\)"):
        y.backward(np.ones(3))


def test_backward_on_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match=r"does not require grad.*requires_grad=True"):
        (const(2, 3) * 2).sum().backward()


def test_backward_on_a_result_made_under_no_grad():
    x = leaf(3)
    with tge.no_grad():
        J = (x * x).sum()
    with pytest.raises(RuntimeError, match=r"does not require grad"):
        J.backward()
    assert x.grad is None


def test_second_backward_through_a_released_graph():
    x = leaf(3)
    J = (x * x).sum()
    J.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])
    with pytest.raises(RuntimeError, match=r"released.*retain_graph=True"):
        J.backward()
    # The check comes before any gradient moves: nothing was added the second time.
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])


def test_second_backward_through_a_shared_released_subgraph():
    x = leaf(3)
    h = x.exp()
    (h * 2).sum().backward()
    with pytest.raises(RuntimeError, match=r"Exp.*retain_graph"):
        (h * 3).sum().backward()


def test_saved_tensors_of_a_released_node_name_retain_graph():
    x = leaf(3)
    y = x * x
    y.sum().backward()
    with pytest.raises(RuntimeError, match=r"Mul.*released.*retain_graph=True"):
        _ = y.grad_fn.saved_tensors


def test_retain_graph_allows_a_second_backward_and_accumulates():
    x = leaf(3)
    J = (x * x).sum()
    J.backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])
    J.backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad, [4.0, 8.0, 12.0])
    J.backward()  # the last one may release
    np.testing.assert_array_equal(x.grad, [6.0, 12.0, 18.0])
    with pytest.raises(RuntimeError, match=r"retain_graph"):
        J.backward()


# --------------------------------------------------------------------------- #
# Data given to Tensor()
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("data", [[[1, 2], [3]], [[1.0, 2.0], [3.0, [4.0]]], [[[1]], [2]]])
def test_ragged_data(data):
    with pytest.raises(ValueError, match=r"ragged.*same length"):
        Tensor(data)


NON_NUMERIC = [
    pytest.param("abc", id="str"),
    pytest.param("1.5", id="numeric-str"),
    pytest.param(["1", "2"], id="list-of-str"),
    pytest.param(None, id="None"),
    pytest.param([1.0, None], id="list-with-None"),
    pytest.param(object(), id="object"),
    pytest.param({"a": 1}, id="dict"),
    pytest.param(1 + 2j, id="complex"),
    pytest.param(np.array([1 + 2j, 3.0]), id="complex-array"),
]


@pytest.mark.parametrize("data", NON_NUMERIC)
def test_non_numeric_data_is_a_type_error(data):
    with pytest.raises(TypeError, match=r"must be (real )?numbers"):
        Tensor(data)


@pytest.mark.parametrize("data", NON_NUMERIC)
def test_non_numeric_data_is_a_type_error_with_an_explicit_dtype(data):
    # An explicit dtype must not turn None into nan, "1.5" into 1.5 or drop an
    # imaginary part: the data are still not real numbers.
    with pytest.raises(TypeError):
        Tensor(data, dtype=np.float64)


@pytest.mark.parametrize(
    "operand", [pytest.param("ab", id="str"), pytest.param(1 + 2j, id="complex")]
)
def test_non_numeric_operand_is_a_type_error(operand):
    with pytest.raises(TypeError, match=r"real numbers"):
        leaf(2) + operand
    with pytest.raises(TypeError, match=r"real numbers"):
        operand * leaf(2)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: Tensor([True, False], dtype=bool, requires_grad=True), id="ctor"),
        pytest.param(lambda: (leaf(3) > 1).requires_grad_(), id="comparison"),
    ],
)
def test_requires_grad_on_a_bool_tensor(make):
    with pytest.raises(TypeError, match=r"floating.*bool"):
        make()


# --------------------------------------------------------------------------- #
# Axes
# --------------------------------------------------------------------------- #

AXIS_OPS = {
    "sum": lambda x, axis: x.sum(axis=axis),
    "mean": lambda x, axis: x.mean(axis=axis),
    "max": lambda x, axis: x.max(axis=axis),
    "softmax": lambda x, axis: x.softmax(axis=axis),
    "log_softmax": lambda x, axis: x.log_softmax(axis=axis),
    "cross_entropy": lambda x, axis: F.cross_entropy(x, np.zeros(3), axis=axis),
    "concatenate": lambda x, axis: F.concatenate([x, x], axis=axis),
}


@pytest.mark.parametrize("axis", [2, -3, 5])
@pytest.mark.parametrize("op", AXIS_OPS)
def test_axis_out_of_range_names_the_axis(op, axis):
    with pytest.raises(ValueError, match=rf"axis {axis}\b.*(dimension|shape \(2, 3\))"):
        AXIS_OPS[op](leaf(2, 3), axis)


@pytest.mark.parametrize("op", AXIS_OPS)
def test_axis_out_of_range_names_the_op(op):
    # sum: axis 2 is out of range ...; style: "error messages that name the op".
    with pytest.raises(ValueError, match=rf"(?i)^{op}\b.*axis 2"):
        AXIS_OPS[op](leaf(2, 3), 2)


@pytest.mark.parametrize("op", ["sum", "mean", "max"])
def test_axis_out_of_range_is_also_an_index_error_for_reductions(op):
    # NumPy's AxisError is both; code written for NumPy catches either.
    with pytest.raises(IndexError, match=r"valid axes are -2 to 1"):
        AXIS_OPS[op](leaf(2, 3), 2)


@pytest.mark.parametrize("op", ["sum", "mean", "max"])
def test_axis_on_a_0d_tensor(op):
    with pytest.raises(ValueError, match=rf"{op}: axis 0 .*0-d.*axis=None"):
        AXIS_OPS[op](Tensor(3.0, requires_grad=True), 0)


@pytest.mark.parametrize("axis", [(0, 0), (1, -1), (0, 1, 0)])
@pytest.mark.parametrize("op", ["sum", "mean", "max"])
def test_repeated_axis(op, axis):
    with pytest.raises(ValueError, match=rf"{op}: axis {re.escape(str(axis))} names the same axis"):
        AXIS_OPS[op](leaf(2, 3), axis)


@pytest.mark.parametrize("op", AXIS_OPS)
def test_non_int_axis_is_a_type_error(op):
    with pytest.raises(TypeError, match=r"int"):
        AXIS_OPS[op](leaf(2, 3), 1.5)


@pytest.mark.parametrize("axis", [1.0, True, [0, 1], "0", (0, 1.0)])
@pytest.mark.parametrize("op", ["sum", "mean", "max"])
def test_non_int_axis_of_a_reduction_names_it(op, axis):
    with pytest.raises(TypeError, match=rf"{op}: axis must be an int.*{re.escape(repr(axis))}"):
        AXIS_OPS[op](leaf(2, 3), axis)


# --------------------------------------------------------------------------- #
# Shape ops and indexing
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "shape, pattern",
    [
        ((4,), r"\(2, 3\) \(6 elements\) into \(4,\).*multiply to 6"),
        ((4, 2), r"\(2, 3\).*into \(4, 2\)"),
        ((-1, 4), r"\(2, 3\).*into \(-1, 4\)"),
        ((-1, -1), r"\(2, 3\).*into \(-1, -1\)"),
    ],
)
def test_reshape_to_an_incompatible_size(shape, pattern):
    with pytest.raises(ValueError, match=pattern):
        leaf(2, 3).reshape(*shape)
    with pytest.raises(ValueError, match=pattern):
        leaf(2, 3).reshape(shape)


@pytest.mark.parametrize("axes", [(0, 0), (0, 1, 2), (1,), (0, 2), (2, 0)])
def test_transpose_with_a_bad_permutation(axes):
    pattern = rf"transpose: axes {re.escape(str(axes))} .*permutation.*\(2, 3\)"
    with pytest.raises(ValueError, match=pattern):
        leaf(2, 3).transpose(*axes)


@pytest.mark.parametrize(
    "index, pattern",
    [
        (5, r"index 5 .*size 3"),
        (-4, r"index -4 .*size 3"),
        ((0, 0), r"too many indices"),
        ([0, 3], r"index 3 .*size 3"),
        (1.5, r"integers"),
        (Tensor([0.5, 1.0]), r"whole numbers.*0\.5"),
        (Tensor([3.0]), r"index 3 .*size 3"),
    ],
    ids=["int", "negative", "too-many", "int-array", "float", "tensor-float", "tensor-range"],
)
def test_bad_indices(index, pattern):
    x = leaf(3)
    with pytest.raises(IndexError, match=pattern):
        x[index]


# --------------------------------------------------------------------------- #
# Python protocols
# --------------------------------------------------------------------------- #


def test_item_on_a_multi_element_tensor():
    with pytest.raises(ValueError, match=r"one element.*\(2, 3\).*\.sum\(\)"):
        leaf(2, 3).item()


def test_len_of_a_0d_tensor():
    with pytest.raises(TypeError, match=r"len\(\) of a 0-d tensor"):
        len(Tensor(2.0))


@pytest.mark.parametrize("shape", [(3,), (2, 3), (0,)])
def test_bool_of_a_tensor_without_exactly_one_element(shape):
    with pytest.raises(ValueError, match=rf"{re.escape(str(shape))} is ambiguous.*any\(\)"):
        bool(Tensor(np.ones(shape)))


def test_if_on_a_comparison_of_many_elements():
    x = leaf(3)
    with pytest.raises(ValueError, match=r"ambiguous"):
        if x > 1:
            pass


# --------------------------------------------------------------------------- #
# Clip and the losses
# --------------------------------------------------------------------------- #


def test_clip_with_lo_above_hi():
    with pytest.raises(ValueError, match=r"reversed: lo=2 > hi=1"):
        leaf(3).clip(2, 1)
    with pytest.raises(ValueError, match=r"lo=0\.5 > hi=-0\.5"):
        F.clip(leaf(3), lo=0.5, hi=-0.5)


def test_clip_without_bounds():
    with pytest.raises(ValueError, match=r"at least one bound.*lo=.*hi="):
        leaf(3).clip()


@pytest.mark.parametrize(
    "A, pattern",
    [
        ([[0.5, 1.5]], r"\[0, 1\].*from 0\.5 to 1\.5.*sigmoid.*with_logits"),
        ([[-0.25, 0.5]], r"\[0, 1\].*from -0\.25 to 0\.5"),
    ],
)
def test_binary_cross_entropy_with_values_outside_0_1(A, pattern):
    with pytest.raises(
        ValueError, match=rf"binary_cross_entropy: A must hold probabilities in {pattern}"
    ):
        F.binary_cross_entropy(Tensor(A, requires_grad=True), Tensor([[0.0, 1.0]]))


LOSSES_SAME_SHAPE = [
    ("binary_cross_entropy", "A", F.binary_cross_entropy),
    ("binary_cross_entropy_with_logits", "Z", F.binary_cross_entropy_with_logits),
    ("mse_loss", "A", F.mse_loss),
]


@pytest.mark.parametrize(
    "name, arg, loss", LOSSES_SAME_SHAPE, ids=[name for name, _, _ in LOSSES_SAME_SHAPE]
)
@pytest.mark.parametrize("y_shape", [(4,), (4, 1), (1, 3)])
def test_losses_with_mismatched_shapes(name, arg, loss, y_shape):
    A = Tensor(np.full((1, 4), 0.5), requires_grad=True)
    Y = Tensor(np.zeros(y_shape))
    pattern = rf"^{name}: {arg} has shape \(1, 4\) but Y has shape {re.escape(str(y_shape))}"
    with pytest.raises(ValueError, match=pattern):
        loss(A, Y)


@pytest.mark.parametrize(
    "labels, pattern",
    [
        ([0, 1, 3, 2], r"from 0 to 2 \(there are 3 classes on axis 0\); got 3 among them"),
        ([0, -1, 1, 2], r"from 0 to 2.*got -1 among them"),
        ([[0, 1, 2, 7]], r"got 7 among them"),
    ],
)
def test_cross_entropy_labels_out_of_range(labels, pattern):
    with pytest.raises(ValueError, match=rf"cross_entropy: integer labels .*{pattern}"):
        F.cross_entropy(leaf(3, 4), np.array(labels))


def test_cross_entropy_non_integer_labels():
    with pytest.raises(ValueError, match=r"cross_entropy: integer labels must be whole numbers"):
        F.cross_entropy(leaf(3, 4), np.array([0.0, 1.5, 1.0, 2.0]))


@pytest.mark.parametrize("y_shape", [(3,), (4, 3), (2, 4), (3, 4, 1)])
def test_cross_entropy_with_a_wrong_label_shape(y_shape):
    pattern = (
        rf"cross_entropy: Y of shape {re.escape(str(y_shape))} fits logits of shape \(3, 4\)"
        r".*one-hot \(shape \(3, 4\)\).*integer labels \(shape \(4,\) or \(1, 4\)\)"
    )
    with pytest.raises(ValueError, match=pattern):
        F.cross_entropy(leaf(3, 4), np.zeros(y_shape))


# --------------------------------------------------------------------------- #
# User-written Functions: what backward returns
# --------------------------------------------------------------------------- #


class AddPair(Function):
    """out = a + b; backward returns as many gradients as ``ctx.count`` says (to test the check)."""

    @staticmethod
    def forward(ctx, a, b, count=2):
        ctx.count = count
        return a + b

    @staticmethod
    def backward(ctx, dout):
        grads = tuple(dout for _ in range(ctx.count))
        return grads[0] if ctx.count == 1 else grads


@pytest.mark.parametrize("count", [1, 3])
def test_custom_backward_returning_the_wrong_number_of_gradients(count):
    a, b = leaf(2), leaf(2)
    y = AddPair.apply(a, b, count=count)
    pattern = rf"AddPair\.backward returned {count} gradients for 2 inputs.*None"
    with pytest.raises(RuntimeError, match=pattern):
        y.sum().backward()


def make_op_with_gradient_shape(grad_shape):
    class BadShape(Function):
        """out = x; backward returns a gradient of a fixed (wrong) shape."""

        @staticmethod
        def forward(ctx, x):
            return x.copy()

        @staticmethod
        def backward(ctx, dout):
            return np.arange(float(np.prod(grad_shape))).reshape(grad_shape)

    return BadShape


@pytest.mark.parametrize(
    "x_shape, grad_shape",
    [
        pytest.param((3,), (5,), id="(3,)<-(5,)"),
        pytest.param((2, 3), (4, 3), id="(2,3)<-(4,3)"),
        pytest.param((2, 3), (2, 3, 1), id="(2,3)<-(2,3,1)"),
        pytest.param((1, 3), (3,), id="(1,3)<-(3,)"),
        # Same number of elements: the engine silently reshapes instead of refusing.
        pytest.param((2, 3), (3, 2), id="(2,3)<-(3,2)-transposed"),
        pytest.param((2, 3), (6,), id="(2,3)<-(6,)-flattened"),
        pytest.param((2, 3), (1, 6), id="(2,3)<-(1,6)"),
        # Fewer dimensions than a size-1 input axis: a bare IndexError escapes.
        pytest.param((3, 1), (3,), id="(3,1)<-(3,)"),
        pytest.param((2, 1), (5,), id="(2,1)<-(5,)"),
    ],
)
def test_custom_backward_returning_a_gradient_of_an_incompatible_shape(x_shape, grad_shape):
    x = leaf(*x_shape)
    y = make_op_with_gradient_shape(grad_shape).apply(x)
    pattern = (
        rf"BadShape\.backward returned a gradient of shape {re.escape(str(grad_shape))} "
        rf"for an input of shape {re.escape(str(x_shape))}"
    )
    with pytest.raises(RuntimeError, match=pattern):
        y.backward(np.ones(x_shape))
    assert x.grad is None


def test_custom_backward_returning_a_broadcast_shaped_gradient_is_summed():
    # The positive twin of the test above: a gradient at a shape that broadcasts
    # from the input's is allowed, and summed over the broadcast axes.
    x = leaf(2, 3)
    y = make_op_with_gradient_shape((4, 2, 3)).apply(x)
    y.backward(np.ones((2, 3)))
    expected = np.arange(24.0).reshape(4, 2, 3).sum(axis=0)
    np.testing.assert_array_equal(x.grad, expected)


# --------------------------------------------------------------------------- #
# Hooks
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("on_leaf", [True, False], ids=["leaf", "non-leaf"])
def test_hook_returning_a_wrong_shaped_array(on_leaf):
    x = leaf(2, 3)
    h = x if on_leaf else x * 2
    h.register_hook(lambda grad: np.ones((3, 2)))
    pattern = r"hook on a tensor of shape \(2, 3\) returned a gradient of shape \(3, 2\).*None"
    with pytest.raises(ValueError, match=pattern):
        (h * 1.0).sum().backward()


@pytest.mark.parametrize("hook", [3, "print", None, np.ones(2)])
def test_register_hook_with_a_non_callable(hook):
    with pytest.raises(TypeError, match=rf"needs a callable, got {type(hook).__name__}"):
        leaf(2).register_hook(hook)


def test_register_hook_on_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match=r"register_hook\(\) on a tensor that does not require"):
        const(2).register_hook(lambda grad: None)


def test_retain_grad_on_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match=r"retain_grad\(\).*does not require grad"):
        (const(2) * 2).retain_grad()


# --------------------------------------------------------------------------- #
# In-place updates and requires_grad_
# --------------------------------------------------------------------------- #

INPLACE = [
    ("+=", lambda t, o: t.__iadd__(o)),
    ("-=", lambda t, o: t.__isub__(o)),
    ("*=", lambda t, o: t.__imul__(o)),
    ("/=", lambda t, o: t.__itruediv__(o)),
]


@pytest.mark.parametrize("name, update", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_on_a_tensor_requiring_grad_while_recording(name, update):
    x = leaf(3)
    with pytest.raises(RuntimeError, match=r"in-place update.*requires grad.*no_grad"):
        update(x, 2.0)
    np.testing.assert_array_equal(x.data, [1.0, 2.0, 3.0])


def test_inplace_with_an_operand_requiring_grad_while_recording():
    c = const(3)
    with pytest.raises(RuntimeError, match=r"in-place update.*no_grad"):
        c += leaf(3)
    np.testing.assert_array_equal(c.data, [0.5, 1.5, 2.5])


def test_plus_equals_is_allowed_inside_no_grad():
    x = leaf(3)
    with tge.no_grad():
        x += 1
    np.testing.assert_array_equal(x.data, [2.0, 3.0, 4.0])
    assert x.requires_grad and x.is_leaf


def test_inplace_on_a_constant_saved_by_the_graph_does_not_corrupt_the_gradient():
    # w * c saves c for dw = dout * c. Mutating c before backward must either
    # be refused (PyTorch raises at backward) or leave dw at the value c had.
    w = leaf(2)
    c = Tensor([3.0, 4.0])
    J = (w * c).sum()
    try:
        c += 10.0
        J.backward()
    except RuntimeError as error:
        assert "in-place" in str(error) or "modified" in str(error)
    else:
        np.testing.assert_array_equal(w.grad, [3.0, 4.0])


def test_inplace_step_between_forward_and_backward_does_not_corrupt_the_gradient():
    # J = Σ w², so dJ/dw = 2w at the w of the forward pass, i.e. [2, 4].
    w = leaf(2)
    J = (w * w).sum()
    try:
        with tge.no_grad():
            w -= 1.0
        J.backward()
    except RuntimeError as error:
        assert "in-place" in str(error) or "modified" in str(error)
    else:
        np.testing.assert_array_equal(w.grad, [2.0, 4.0])


def test_requires_grad_on_a_non_leaf():
    y = leaf(3) * 2
    with pytest.raises(RuntimeError, match=r"only be changed on a leaf.*MulBackward.*detach"):
        y.requires_grad_()
    with pytest.raises(RuntimeError, match=r"leaf"):
        y.requires_grad_(False)


# --------------------------------------------------------------------------- #
# gradcheck and numerical_gradient
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("check", [tge.gradcheck, tge.numerical_gradient])
@pytest.mark.parametrize("inputs", [leaf(3), np.ones(3)], ids=["tensor", "ndarray"])
def test_gradcheck_inputs_must_be_a_list(check, inputs):
    with pytest.raises(TypeError, match=r"list or tuple.*\[W, b\]"):
        check(lambda x: x.sum(), inputs)


def test_numerical_gradient_of_a_non_scalar_function_without_grad_output():
    with pytest.raises(ValueError, match=r"returned shape \(2, 3\).*single number J.*grad_output="):
        tge.numerical_gradient(lambda x: x * 2, [np.ones((2, 3))])


def test_numerical_gradient_with_a_grad_output_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"grad_output has shape \(3, 2\).*\(2, 3\)"):
        tge.numerical_gradient(lambda x: x * 2, [np.ones((2, 3))], grad_output=np.ones((3, 2)))


def test_gradcheck_of_a_function_that_returns_no_tensor():
    with pytest.raises(TypeError, match=r"fn must return a Tensor, got float"):
        tge.gradcheck(lambda x: 3.0, [np.ones(2)])


# --------------------------------------------------------------------------- #
# Errors come from the forward call, not from a later backward
# --------------------------------------------------------------------------- #

BAD_FORWARD_CALLS = {
    "matmul": (ValueError, lambda x: x @ np.ones((4, 2))),
    "broadcast": (ValueError, lambda x: x + np.ones(4)),
    "maximum": (ValueError, lambda x: F.maximum(x, np.ones(4))),
    "reshape": (ValueError, lambda x: x.reshape(4)),
    "transpose": (ValueError, lambda x: x.transpose(0, 0)),
    "sum-axis": (ValueError, lambda x: x.sum(axis=2)),
    "softmax-axis": (ValueError, lambda x: x.softmax(axis=2)),
    "index": (IndexError, lambda x: x[3]),
    "clip": (ValueError, lambda x: x.clip(1, 0)),
    "bce-values": (ValueError, lambda x: F.binary_cross_entropy(x, np.ones((2, 3)))),
    "bce-shape": (ValueError, lambda x: F.binary_cross_entropy(x / 10, np.ones(3))),
    "mse-shape": (ValueError, lambda x: F.mse_loss(x, np.ones(3))),
    "ce-labels": (ValueError, lambda x: F.cross_entropy(x, np.array([0, 1, 2]))),
    "ce-shape": (ValueError, lambda x: F.cross_entropy(x, np.zeros(2))),
    "concatenate": (ValueError, lambda x: F.concatenate([x, x.T])),
    "stack": (ValueError, lambda x: F.stack([x, x.T])),
}


@pytest.mark.parametrize("case", BAD_FORWARD_CALLS)
def test_errors_are_raised_by_the_forward_call(case):
    error_type, call = BAD_FORWARD_CALLS[case]
    x = leaf(2, 3)
    with pytest.raises(error_type) as excinfo:
        call(x)
    frames = [entry.name for entry in excinfo.traceback]
    assert "backward" not in frames, frames
    assert "forward" in frames or "apply" in frames or "__getitem__" in frames, frames
    assert x.grad is None


# --------------------------------------------------------------------------- #
# No `assert` for user errors: the checks must survive `python -O`
# --------------------------------------------------------------------------- #


def test_library_source_has_no_assert_statements():
    sources = sorted(PACKAGE_DIR.glob("*.py")) + sorted((PACKAGE_DIR / "ops").glob("*.py"))
    assert len(sources) >= 10  # tensor, autograd, functional, gradcheck, ops/*, ...
    offending = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.match(r"\s*assert\b", line)
    ]
    assert offending == []


def test_errors_are_raised_under_python_O():
    # The script starts with `assert False`: it only gets past it under -O,
    # where every assert statement is stripped.
    script = textwrap.dedent("""
        assert False, "asserts still run: this is not python -O"
        import numpy as np
        import tinygrad_edu.functional as F
        from tinygrad_edu import Tensor

        x = Tensor(np.ones((2, 3)), requires_grad=True)
        cases = [
            lambda: x @ Tensor(np.ones((4, 2))),
            lambda: x + Tensor(np.ones(4)),
            lambda: (x * 2).backward(),
            lambda: Tensor([[1, 2], [3]]),
            lambda: Tensor("abc"),
            lambda: x.sum(axis=5),
            lambda: x.reshape(4),
            lambda: x[7],
            lambda: F.cross_entropy(x, np.array([0, 1, 9])),
        ]
        for case in cases:
            try:
                case()
            except Exception as error:
                print(type(error).__name__)
            else:
                print("no error")
        """)
    result = subprocess.run(
        [sys.executable, "-O", "-c", script],
        check=False,
        capture_output=True,
        text=True,
        cwd=PACKAGE_DIR.parent,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "ValueError",
        "ValueError",
        "RuntimeError",
        "ValueError",
        "TypeError",
        "AxisError",
        "ValueError",
        "IndexError",
        "ValueError",
    ]
