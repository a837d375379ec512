"""The public Tensor contract (design.md, "Public contract"), checked value by value."""

import threading

import numpy as np
import pytest

import tinygrad_edu as tge
import tinygrad_edu.functional as F
from tinygrad_edu import Function, Tensor, enable_grad, no_grad

WAIT_SECONDS = 10  # upper bound for thread hand-offs; a healthy run takes microseconds


def leaf(*shape, dtype=np.float64):
    """A leaf of ``shape`` with distinct positive entries 1, 2, 3, ..."""
    data = np.arange(1.0, np.prod(shape, dtype=int) + 1).reshape(shape).astype(dtype)
    return Tensor(data, requires_grad=True)


def upstream(*shape):
    """A non-uniform upstream gradient (ones would hide transposed rules)."""
    return np.arange(1.0, np.prod(shape, dtype=int) + 1).reshape(shape) / 7.0


# --------------------------------------------------------------------------- #
# Construction and dtypes
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "data, dtype",
    [
        pytest.param(3, np.float64, id="int"),
        pytest.param(2.5, np.float64, id="float"),
        pytest.param(True, np.float64, id="bool"),
        pytest.param([1, 2, 3], np.float64, id="int-list"),
        pytest.param([[1.5, 2.0], [3.0, 4.0]], np.float64, id="float-list"),
        pytest.param([True, False], np.float64, id="bool-list"),
        pytest.param(np.array([1, 2], dtype=np.int32), np.float64, id="int32-array"),
        pytest.param(np.array([1, 2], dtype=np.int64), np.float64, id="int64-array"),
        pytest.param(np.array([1, 2], dtype=np.uint8), np.float64, id="uint8-array"),
        pytest.param(np.array([True, False]), np.float64, id="bool-array"),
        pytest.param(np.array([1.0, 2.0]), np.float64, id="float64-array"),
        pytest.param(np.array([1.0, 2.0], dtype=np.float32), np.float32, id="float32-array"),
        pytest.param(np.float32(1.5), np.float32, id="float32-scalar"),
    ],
)
def test_construction_dtype_rules(data, dtype):
    t = Tensor(data)
    assert isinstance(t.data, np.ndarray)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=dtype))


@pytest.mark.parametrize(
    "data, dtype",
    [
        ([1, 2], np.float32),
        (np.array([1.0, 2.0]), np.float32),
        (np.array([1.0, 2.0], dtype=np.float32), np.float64),
        (np.array([1, 2], dtype=np.int64), np.float32),
    ],
)
def test_explicit_dtype(data, dtype):
    t = Tensor(data, dtype=dtype)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.data, [1.0, 2.0])


FLOAT32_WITH_SCALARS = {
    "x*2": lambda x: x * 2.0,
    "2*x": lambda x: 2 * x,
    "x+1": lambda x: x + 1,
    "1-x": lambda x: 1.0 - x,
    "x/3": lambda x: x / 3,
    "3/x": lambda x: 3.0 / x,
    "x**2": lambda x: x**2,
    "2**x": lambda x: 2.0**x,
    "-x": lambda x: -x,
    "np.float64*x": lambda x: np.float64(0.5) * x,
    "mean": lambda x: x.mean(),
    "exp-sum": lambda x: x.exp().sum(axis=0),
    "leaky_relu": lambda x: x.leaky_relu(0.1),
    "clip": lambda x: x.clip(0.5, 1.5),
}


@pytest.mark.parametrize("case", FLOAT32_WITH_SCALARS)
def test_float32_with_a_python_scalar_stays_float32(case):
    x = leaf(2, 2, dtype=np.float32)
    y = FLOAT32_WITH_SCALARS[case](x)
    assert y.dtype == np.float32
    y.backward(np.ones(y.shape))
    assert x.grad.dtype == np.float32 and x.grad.shape == (2, 2)


FUNCTIONAL_WITH_SCALARS = {
    "F.add": lambda x: F.add(x, 1.0),
    "F.mul": lambda x: F.mul(2.0, x),
    "F.maximum": lambda x: F.maximum(x, 0.0),
    "F.minimum": lambda x: F.minimum(x, 1.0),
    "F.where": lambda x: F.where(x > 1, x, 0.0),
}


@pytest.mark.parametrize("case", FUNCTIONAL_WITH_SCALARS)
def test_float32_with_a_python_scalar_stays_float32_in_the_functional_api(case):
    # x + 1.0 stays float32; F.add(x, 1.0) and F.maximum(Z, 0.0) should too.
    y = FUNCTIONAL_WITH_SCALARS[case](leaf(2, 2, dtype=np.float32))
    assert y.dtype == np.float32


def test_float32_leaf_gets_a_float32_grad_when_mixed_with_float64():
    W = leaf(2, 3, dtype=np.float32)
    X = Tensor(np.ones((3, 4)))  # float64 data
    Z = W @ X
    assert Z.dtype == np.float64
    Z.backward(upstream(2, 4))
    assert W.grad.dtype == np.float32
    np.testing.assert_allclose(W.grad, upstream(2, 4) @ np.ones((4, 3)), rtol=1e-6)


def test_data_is_copied_from_a_user_ndarray():
    source = np.array([1.0, 2.0, 3.0])
    t = Tensor(source)
    source[0] = 100.0
    np.testing.assert_array_equal(t.data, [1.0, 2.0, 3.0])
    t.data[1] = -5.0
    np.testing.assert_array_equal(source, [100.0, 2.0, 3.0])


def test_data_is_copied_from_another_tensor():
    a = leaf(3)
    b = Tensor(a)
    a.data[0] = 100.0
    np.testing.assert_array_equal(b.data, [1.0, 2.0, 3.0])
    assert b.is_leaf and not b.requires_grad


def test_data_is_copied_from_a_float32_array():
    source = np.array([1.0, 2.0], dtype=np.float32)
    t = Tensor(source)
    source[:] = 0
    np.testing.assert_array_equal(t.data, [1.0, 2.0])


# --------------------------------------------------------------------------- #
# Attributes
# --------------------------------------------------------------------------- #


def test_attributes_of_a_leaf():
    W = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True, name="W")
    assert isinstance(W.data, np.ndarray)
    assert W.grad is None
    assert W.requires_grad is True
    assert W.is_leaf is True
    assert W.grad_fn is None
    assert W.name == "W"
    assert W.shape == (2, 3) and isinstance(W.shape, tuple)
    assert W.ndim == 2
    assert W.size == 6
    assert W.dtype == np.float64


def test_attributes_of_a_result():
    W = leaf(2, 3)
    Y = W * 2
    assert Y.requires_grad is True
    assert Y.is_leaf is False
    assert repr(Y.grad_fn) == "<MulBackward>"
    assert Y.grad_fn.parents[0] is W
    assert Y.name is None
    assert Y.grad is None


def test_constant_result_is_a_leaf_without_grad():
    c = Tensor([1.0, 2.0]) * 3
    assert c.requires_grad is False
    assert c.is_leaf is True
    assert c.grad_fn is None


def test_defaults_of_a_plain_tensor():
    t = Tensor([1.0])
    assert t.requires_grad is False and t.is_leaf and t.grad_fn is None
    assert t.name is None and t.grad is None


def test_grad_has_the_shape_and_dtype_of_the_data():
    for dtype in (np.float64, np.float32):
        b = leaf(3, 1, dtype=dtype)
        (b + np.ones((3, 5))).backward(upstream(3, 5))
        assert isinstance(b.grad, np.ndarray)
        assert b.grad.shape == (3, 1) and b.grad.dtype == dtype
        np.testing.assert_allclose(b.grad, upstream(3, 5).sum(axis=1, keepdims=True), rtol=1e-6)


@pytest.mark.parametrize("shape", [(2, 3), (4,), (2, 3, 4)])
def test_T_reverses_the_axes_and_records_the_graph(shape):
    x = leaf(*shape)
    y = x.T
    np.testing.assert_array_equal(y.data, x.data.T)
    assert repr(y.grad_fn) == "<TransposeBackward>"
    y.backward(upstream(*y.shape))
    np.testing.assert_array_equal(x.grad, upstream(*y.shape).T)


def test_numpy_returns_the_data():
    x = leaf(2, 3)
    out = x.numpy()
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, np.arange(1.0, 7.0).reshape(2, 3))


@pytest.mark.parametrize("data", [4.5, [4.5], [[4.5]], np.array([[[4.5]]], dtype=np.float32)])
def test_item_of_a_one_element_tensor(data):
    value = Tensor(data).item()
    assert type(value) is float
    assert value == 4.5


def test_item_of_a_cost():
    J = (leaf(3) * 2).sum()
    assert J.item() == 12.0


def test_np_asarray_gives_the_data():
    x = leaf(2, 3, dtype=np.float32)
    array = np.asarray(x)
    assert isinstance(array, np.ndarray)
    assert array.dtype == np.float32
    np.testing.assert_array_equal(array, x.data)
    np.testing.assert_array_equal(np.asarray(x, dtype=np.float64), x.data.astype(np.float64))
    np.testing.assert_array_equal(np.array(x), x.data)


def test_numpy_functions_accept_a_tensor():
    x = leaf(2, 3)
    assert np.sum(np.asarray(x)) == 21.0
    np.testing.assert_array_equal(np.array(x) * 2, x.data * 2)


# --------------------------------------------------------------------------- #
# Operators, both ways round, with Python scalars and ndarrays
# --------------------------------------------------------------------------- #

C_ARRAY = np.array([[0.5, 1.5, 2.5]])  # (1, 3): broadcasts against x of shape (2, 3)
C_SCALAR = 2.0

# name: (x op c, c op x, d(x op c)/dx, d(c op x)/dx), as NumPy functions of (x, c)
OPERATORS = {
    "+": (
        lambda x, c: x + c,
        lambda x, c: c + x,
        lambda x, c: np.ones_like(x),
        lambda x, c: np.ones_like(x),
    ),
    "-": (
        lambda x, c: x - c,
        lambda x, c: c - x,
        lambda x, c: np.ones_like(x),
        lambda x, c: -np.ones_like(x),
    ),
    "*": (
        lambda x, c: x * c,
        lambda x, c: c * x,
        lambda x, c: np.broadcast_to(c, x.shape),
        lambda x, c: np.broadcast_to(c, x.shape),
    ),
    "/": (
        lambda x, c: x / c,
        lambda x, c: c / x,
        lambda x, c: np.broadcast_to(1 / c, x.shape),
        lambda x, c: -c / x**2,
    ),
    "**": (
        lambda x, c: x**c,
        lambda x, c: c**x,
        lambda x, c: c * x ** (c - 1),
        lambda x, c: c**x * np.log(c),
    ),
}
BACKWARD_NAMES = {"+": "Add", "-": "Sub", "*": "Mul", "/": "Div", "**": "Pow"}


@pytest.mark.parametrize("tensor_on", ["left", "right"])
@pytest.mark.parametrize("other", [C_SCALAR, C_ARRAY], ids=["scalar", "ndarray"])
@pytest.mark.parametrize("op", OPERATORS)
def test_operators_with_scalars_and_ndarrays(op, other, tensor_on):
    forward_left, forward_right, local_left, local_right = OPERATORS[op]
    forward, local = (
        (forward_left, local_left) if tensor_on == "left" else (forward_right, local_right)
    )
    x = leaf(2, 3)
    y = forward(x, other)
    assert isinstance(y, Tensor)
    assert repr(y.grad_fn) == f"<{BACKWARD_NAMES[op]}Backward>"
    np.testing.assert_allclose(y.data, forward(x.data, other), rtol=1e-12)
    G = upstream(2, 3)
    y.backward(G)
    np.testing.assert_allclose(x.grad, G * local(x.data, other), rtol=1e-12)


def test_ndarray_matmul_tensor_both_ways():
    A = np.array([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0], [0.0, -1.0]])  # (4, 2)
    B = np.array([[1.0, 0.0], [2.0, -1.0], [0.5, 0.5]])  # (3, 2)
    x = leaf(2, 3)

    left = A @ x  # ndarray @ Tensor: (4, 2) @ (2, 3)
    assert isinstance(left, Tensor) and repr(left.grad_fn) == "<MatMulBackward>"
    np.testing.assert_array_equal(left.data, A @ x.data)
    left.backward(upstream(4, 3))
    np.testing.assert_allclose(x.grad, A.T @ upstream(4, 3))

    x.zero_grad()
    right = x @ B  # Tensor @ ndarray: (2, 3) @ (3, 2)
    assert isinstance(right, Tensor) and repr(right.grad_fn) == "<MatMulBackward>"
    np.testing.assert_array_equal(right.data, x.data @ B)
    right.backward(upstream(2, 2))
    np.testing.assert_allclose(x.grad, upstream(2, 2) @ B.T)


def test_matmul_with_1d_operands():
    v = leaf(3)
    M = np.arange(6.0).reshape(3, 2)
    y = v @ M  # (3,) @ (3, 2) -> (2,)
    np.testing.assert_array_equal(y.data, v.data @ M)
    y.backward(np.array([1.0, -1.0]))
    np.testing.assert_allclose(v.grad, M @ np.array([1.0, -1.0]))

    w = leaf(3)
    dot = np.array([2.0, -1.0, 0.5]) @ w  # ndarray (3,) @ Tensor (3,) -> ()
    assert dot.shape == ()
    dot.backward()
    np.testing.assert_array_equal(w.grad, [2.0, -1.0, 0.5])


def test_operators_between_two_tensors_record_both_inputs():
    a, b = leaf(2, 3), leaf(3) * 1.0
    y = a * b
    assert y.grad_fn.parents[0] is a and y.grad_fn.parents[1] is b.grad_fn  # a leaf; a node
    y.backward(upstream(2, 3))
    np.testing.assert_allclose(a.grad, upstream(2, 3) * b.data)


def test_operators_with_a_list_operand():
    # Tensor() takes any array-like; so should the operand of an operator.
    x = leaf(3)
    y = x + [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(y.data, [2.0, 4.0, 6.0])
    z = [2.0, 2.0, 2.0] * x
    np.testing.assert_array_equal(z.data, [2.0, 4.0, 6.0])
    np.testing.assert_array_equal((x > [0, 5, 1]).data, [True, False, True])


def test_unary_minus():
    x = leaf(2, 3)
    y = -x
    assert repr(y.grad_fn) == "<NegBackward>"
    np.testing.assert_array_equal(y.data, -x.data)
    y.backward(upstream(2, 3))
    np.testing.assert_array_equal(x.grad, -upstream(2, 3))


def test_unary_plus_is_the_tensor_itself():
    x = leaf(2)
    assert +x is x


# --------------------------------------------------------------------------- #
# repr
# --------------------------------------------------------------------------- #


def test_repr_of_a_named_leaf():
    W = Tensor([[1.0, 2.0]], requires_grad=True, name="W")
    text = repr(W)
    assert text.startswith("Tensor([[1., 2.]]")
    assert "requires_grad=True" in text
    assert "name='W'" in text
    assert "grad_fn" not in text


def test_repr_shows_the_op_that_made_it():
    W = Tensor([[1.0, 2.0]], requires_grad=True, name="W")
    Z = W @ Tensor([[3.0], [4.0]])
    assert repr(Z) == "Tensor([[11.]], grad_fn=<MatMulBackward>)"
    Z.name = "Z1"
    assert repr(Z) == "Tensor([[11.]], grad_fn=<MatMulBackward>, name='Z1')"
    assert "grad_fn=<SigmoidBackward>" in repr(Z.sigmoid())
    assert "grad_fn=<SumBackward>" in repr(W.sum())


def test_repr_of_a_constant_and_of_float32():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    assert repr(Tensor(np.array([1.0], dtype=np.float32))) == "Tensor([1.], dtype=float32)"


# --------------------------------------------------------------------------- #
# Comparisons
# --------------------------------------------------------------------------- #

COMPARISONS = {
    "<": (lambda a, b: a < b, np.less),
    "<=": (lambda a, b: a <= b, np.less_equal),
    ">": (lambda a, b: a > b, np.greater),
    ">=": (lambda a, b: a >= b, np.greater_equal),
    "==": (lambda a, b: a == b, np.equal),
    "!=": (lambda a, b: a != b, np.not_equal),
}


@pytest.mark.parametrize(
    "other",
    [2.0, np.array([3.0, 2.0, 1.0]), Tensor([3.0, 2.0, 1.0], requires_grad=True)],
    ids=["scalar", "ndarray", "tensor"],
)
@pytest.mark.parametrize("op", COMPARISONS)
def test_comparisons_give_bool_tensors_that_need_no_grad(op, other):
    compare, reference = COMPARISONS[op]
    x = leaf(3)
    other_data = other.data if isinstance(other, Tensor) else other
    for result, expected in [
        (compare(x, other), reference(x.data, other_data)),
        (compare(other, x), reference(other_data, x.data)),
    ]:
        assert isinstance(result, Tensor)
        assert result.dtype == np.bool_
        assert result.requires_grad is False
        assert result.grad_fn is None and result.is_leaf
        np.testing.assert_array_equal(result.data, expected)


def test_comparison_as_a_mask_in_where_does_not_block_gradients():
    x = Tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    y = F.where(x > 0, x, x * 0.1)
    y.backward(np.ones(4))
    np.testing.assert_allclose(x.grad, [0.1, 1.0, 0.1, 1.0])


# --------------------------------------------------------------------------- #
# Indexing
# --------------------------------------------------------------------------- #


def test_boolean_mask_indexing_and_its_gradient():
    x = Tensor([[-1.0, 2.0, -3.0], [4.0, -5.0, 6.0]], requires_grad=True)
    y = x[x > 0]
    np.testing.assert_array_equal(y.data, [2.0, 4.0, 6.0])
    assert repr(y.grad_fn) == "<GetItemBackward>"
    y.backward(np.array([10.0, 20.0, 30.0]))
    np.testing.assert_array_equal(x.grad, [[0.0, 10.0, 0.0], [20.0, 0.0, 30.0]])


def test_boolean_ndarray_mask():
    x = leaf(4)
    x[np.array([True, False, False, True])].backward(np.array([5.0, 7.0]))
    np.testing.assert_array_equal(x.grad, [5.0, 0.0, 0.0, 7.0])


def test_integer_array_indexing_with_repeats_accumulates():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[[0, 0, 1]]
    np.testing.assert_array_equal(y.data, [1.0, 1.0, 2.0])
    y.backward(np.array([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(x.grad, [11.0, 100.0, 0.0])


def test_integer_array_indexing_with_repeats_in_two_dimensions():
    M = leaf(2, 3)
    y = M[[0, 0, 1], [2, 2, 0]]
    np.testing.assert_array_equal(y.data, [3.0, 3.0, 4.0])
    y.sum().backward()
    np.testing.assert_array_equal(M.grad, [[0.0, 0.0, 2.0], [1.0, 0.0, 0.0]])


def test_rows_picked_twice_by_an_ndarray_index_accumulate():
    M = leaf(3, 2)
    M[np.array([2, 2, 0])].backward(np.ones((3, 2)))
    np.testing.assert_array_equal(M.grad, [[1.0, 1.0], [0.0, 0.0], [2.0, 2.0]])


def test_indexing_with_a_tensor_of_integers():
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    index = Tensor([2, 2, 0])  # int data becomes float64, yet works as an index
    y = x[index]
    np.testing.assert_array_equal(y.data, [30.0, 30.0, 10.0])
    y.backward(np.array([1.0, 2.0, 4.0]))
    np.testing.assert_array_equal(x.grad, [4.0, 0.0, 3.0])


@pytest.mark.parametrize(
    "index",
    [
        np.s_[1],
        np.s_[:, 1:],
        np.s_[::-1, 0],
        np.s_[..., 2],
        np.s_[None, 1],
        np.s_[1, -1],
        np.s_[:, [2, 0]],
    ],
    ids=["int", "slice", "reversed", "ellipsis", "newaxis", "scalar", "mixed"],
)
def test_basic_indexing_and_slicing(index):
    M = leaf(2, 3)
    y = M[index]
    np.testing.assert_array_equal(y.data, M.data[index])
    G = upstream(*y.shape) if y.shape else np.array(3.0)
    y.backward(G)
    expected = np.zeros((2, 3))
    expected[index] += G
    np.testing.assert_array_equal(M.grad, expected)


# --------------------------------------------------------------------------- #
# Shape methods
# --------------------------------------------------------------------------- #


def test_reshape_with_separate_ints_or_a_tuple():
    x = leaf(6)
    a = x.reshape(2, 3)
    b = x.reshape((2, 3))
    c = x.reshape([2, -1])
    for y in (a, b, c):
        assert y.shape == (2, 3)
        np.testing.assert_array_equal(y.data, np.arange(1.0, 7.0).reshape(2, 3))
        assert repr(y.grad_fn) == "<ReshapeBackward>"
    a.backward(upstream(2, 3))
    np.testing.assert_array_equal(x.grad, upstream(6))


def test_reshape_to_and_from_a_scalar():
    x = Tensor([5.0], requires_grad=True)
    s = x.reshape(())
    assert s.shape == ()
    s.backward()
    np.testing.assert_array_equal(x.grad, [1.0])


def test_transpose_without_axes_reverses_them():
    x = leaf(2, 3, 4)
    y = x.transpose()
    assert y.shape == (4, 3, 2)
    np.testing.assert_array_equal(y.data, x.data.transpose())
    y.backward(upstream(4, 3, 2))
    np.testing.assert_array_equal(x.grad, upstream(4, 3, 2).transpose())


@pytest.mark.parametrize(
    "axes",
    [(1, 0, 2), (2, 0, 1), (0, 2, 1), (-1, 0, 1), (1, -1, 0)],
    ids=["102", "201", "021", "negative-first", "negative-middle"],
)
def test_transpose_with_a_permutation(axes):
    x = leaf(2, 3, 4)
    y1 = x.transpose(*axes)
    y2 = x.transpose(axes)
    expected = np.transpose(x.data, axes)
    for y in (y1, y2):
        assert y.shape == expected.shape
        np.testing.assert_array_equal(y.data, expected)
    G = upstream(*expected.shape)
    y1.backward(G)
    np.testing.assert_array_equal(x.grad, np.transpose(G, np.argsort(np.array(axes) % 3)))


def test_T_of_a_matrix_equals_transpose():
    W = leaf(2, 3)
    np.testing.assert_array_equal(W.T.data, W.transpose().data)
    np.testing.assert_array_equal(W.T.data, W.transpose(1, 0).data)
    assert W.T.shape == (3, 2)


# --------------------------------------------------------------------------- #
# detach, requires_grad_, zero_grad
# --------------------------------------------------------------------------- #


def test_detach_shares_data_but_cuts_the_graph():
    x = leaf(3)
    d = x.detach()
    assert np.shares_memory(d.data, x.data)
    assert d.requires_grad is False and d.is_leaf and d.grad_fn is None
    x.data[0] = 10.0
    assert d.data[0] == 10.0

    y = (d * x).sum()  # only the second factor carries a gradient
    y.backward()
    np.testing.assert_array_equal(x.grad, x.data)  # not 2x
    assert d.grad is None


def test_detach_of_a_result():
    x = leaf(3)
    h = x * 2
    d = h.detach()
    assert d.is_leaf and d.grad_fn is None and not d.requires_grad
    np.testing.assert_array_equal(d.data, [2.0, 4.0, 6.0])


def test_requires_grad_underscore():
    t = Tensor([1.0, 2.0])
    assert t.requires_grad_() is t
    assert t.requires_grad is True
    (t * t).sum().backward()
    np.testing.assert_array_equal(t.grad, [2.0, 4.0])
    t.requires_grad_(False)
    assert t.requires_grad is False
    assert (t * 3).grad_fn is None


def test_detach_then_requires_grad_gives_a_new_variable():
    x = leaf(2)
    h = (x * 3).detach().requires_grad_()
    (h * h).sum().backward()
    np.testing.assert_array_equal(h.grad, [6.0, 12.0])
    assert x.grad is None


def test_gradients_accumulate_and_zero_grad_clears_them():
    x = leaf(3)
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [5.0, 5.0, 5.0])
    x.zero_grad()
    assert x.grad is None
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])


def test_grad_is_the_leafs_own_array():
    x = leaf(3)
    G = np.array([1.0, 2.0, 3.0])
    x.backward(G)  # a leaf's backward: grad flows straight into .grad
    G[0] = 100.0
    np.testing.assert_array_equal(x.grad, [1.0, 2.0, 3.0])


# --------------------------------------------------------------------------- #
# retain_grad: the course's Z1.grad and Z2.grad
# --------------------------------------------------------------------------- #


def test_retain_grad_gives_the_course_dZ_over_m():
    rng = np.random.default_rng(0)
    n_x, n_h, m = 3, 4, 5
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    W1 = Tensor(rng.standard_normal((n_h, n_x)) * 0.5, requires_grad=True)
    b1 = Tensor(rng.standard_normal((n_h, 1)) * 0.1, requires_grad=True)
    W2 = Tensor(rng.standard_normal((1, n_h)) * 0.5, requires_grad=True)
    b2 = Tensor(rng.standard_normal((1, 1)) * 0.1, requires_grad=True)

    Z1 = W1 @ X + b1
    A1 = Z1.tanh()
    Z2 = W2 @ A1 + b2
    A2 = Z2.sigmoid()
    assert Z1.retain_grad() is Z1
    Z2.retain_grad()
    J = F.binary_cross_entropy(A2, Y)
    J.backward()

    # The course's equations (per-example dZ), in plain NumPy.
    dZ2 = A2.data - Y
    dW2 = dZ2 @ A1.data.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (W2.data.T @ dZ2) * (1 - A1.data**2)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m

    np.testing.assert_allclose(Z2.grad, dZ2 / m, rtol=1e-10)  # the 1/m convention
    np.testing.assert_allclose(Z1.grad, dZ1 / m, rtol=1e-10)
    np.testing.assert_allclose(W2.grad, dW2, rtol=1e-10)
    np.testing.assert_allclose(b2.grad, db2, rtol=1e-10)
    np.testing.assert_allclose(W1.grad, dW1, rtol=1e-10)
    np.testing.assert_allclose(b1.grad, db1, rtol=1e-10)
    assert A1.grad is None  # not retained


def test_non_leaf_without_retain_grad_has_no_grad():
    x = leaf(3)
    h = x * 2
    (h * h).sum().backward()
    assert h.grad is None
    np.testing.assert_array_equal(x.grad, 8 * x.data)


def test_retain_grad_on_the_root():
    x = leaf(3)
    y = (x * 2).retain_grad()
    y.backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(y.grad, [1.0, 2.0, 3.0])


# --------------------------------------------------------------------------- #
# Hooks
# --------------------------------------------------------------------------- #


def test_hook_is_called_with_the_gradient():
    x = leaf(3)
    h = x * 2
    seen = []
    assert h.register_hook(lambda grad: seen.append(grad.copy())) is not None
    (h * np.array([1.0, 10.0, 100.0])).sum().backward()
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [1.0, 10.0, 100.0])
    np.testing.assert_array_equal(x.grad, [2.0, 20.0, 200.0])


def test_hook_on_a_leaf_sees_the_total_gradient_once():
    x = leaf(2)
    seen = []
    x.register_hook(lambda grad: seen.append(grad.copy()))
    (x * 2 + x * 3).sum().backward()  # x is used twice
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [5.0, 5.0])


def test_hook_returning_an_array_replaces_a_leafs_gradient():
    x = leaf(3)
    x.register_hook(lambda grad: grad * 10)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [20.0, 40.0, 60.0])


def test_hook_on_a_non_leaf_changes_what_flows_further():
    x = leaf(3)
    h = x * 2
    h.register_hook(lambda grad: np.array([1.0, 0.0, -1.0]))
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_array_equal(h.grad, [1.0, 0.0, -1.0])
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, -2.0])


def test_hook_returning_none_keeps_the_gradient():
    x = leaf(2)
    calls = []
    x.register_hook(lambda grad: calls.append(1))
    (x * 3).sum().backward()
    assert calls == [1]
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_hooks_run_in_order_each_seeing_the_previous_result():
    x = leaf(2)
    seen = []
    x.register_hook(lambda grad: grad + 1)
    x.register_hook(lambda grad: seen.append(grad.copy()) or grad * 2)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(seen[0], [4.0, 4.0])
    np.testing.assert_array_equal(x.grad, [8.0, 8.0])


def test_handle_removes_the_hook():
    x = leaf(2)
    calls = []
    remove = x.register_hook(lambda grad: calls.append(1) or grad * 100)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [300.0, 300.0])
    remove()
    remove()  # removing twice is harmless
    x.zero_grad()
    (x * 3).sum().backward()
    assert calls == [1]
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_removing_one_hook_keeps_the_others():
    x = leaf(2)
    remove_first = x.register_hook(lambda grad: grad * 2)
    x.register_hook(lambda grad: grad + 1)
    remove_first()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [4.0, 4.0])


# --------------------------------------------------------------------------- #
# Grad mode: no_grad and enable_grad
# --------------------------------------------------------------------------- #


def test_grad_is_enabled_by_default():
    assert tge.is_grad_enabled() is True


def test_no_grad_as_a_context_manager():
    x = leaf(3)
    with no_grad():
        assert tge.is_grad_enabled() is False
        y = x * 2
    assert tge.is_grad_enabled() is True
    assert y.requires_grad is False and y.grad_fn is None and y.is_leaf
    np.testing.assert_array_equal(y.data, [2.0, 4.0, 6.0])
    assert (x * 2).requires_grad is True


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(KeyError), no_grad():
        raise KeyError("boom")
    assert tge.is_grad_enabled() is True


def test_no_grad_and_enable_grad_as_decorators():
    x = leaf(3)

    @no_grad()
    def evaluate(t):
        """Docstring kept."""
        assert tge.is_grad_enabled() is False
        return t * 2

    @enable_grad()
    def train_step(t):
        assert tge.is_grad_enabled() is True
        return t * 3

    y = evaluate(x)
    assert y.grad_fn is None and not y.requires_grad
    assert tge.is_grad_enabled() is True
    assert evaluate.__name__ == "evaluate" and evaluate.__doc__ == "Docstring kept."

    with no_grad():
        z = train_step(x)
        assert tge.is_grad_enabled() is False  # restored after the call
    assert repr(z.grad_fn) == "<MulBackward>"
    z.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0, 3.0])


def test_nested_grad_modes():
    x = leaf(2)
    states = []
    with no_grad():
        states.append(tge.is_grad_enabled())
        with enable_grad():
            states.append(tge.is_grad_enabled())
            y = x * 2
            with no_grad():
                states.append(tge.is_grad_enabled())
                with no_grad():
                    states.append(tge.is_grad_enabled())
                states.append(tge.is_grad_enabled())
            states.append(tge.is_grad_enabled())
        states.append(tge.is_grad_enabled())
    states.append(tge.is_grad_enabled())
    assert states == [False, True, False, False, False, True, False, True]
    assert y.requires_grad and repr(y.grad_fn) == "<MulBackward>"


def test_enable_grad_outside_no_grad_changes_nothing():
    with enable_grad():
        assert tge.is_grad_enabled() is True
    assert tge.is_grad_enabled() is True


def test_set_grad_enabled():
    try:
        tge.set_grad_enabled(False)
        assert tge.is_grad_enabled() is False
        assert (leaf(2) * 2).grad_fn is None
    finally:
        tge.set_grad_enabled(True)
    assert tge.is_grad_enabled() is True


def test_decorated_function_called_from_threads_uses_each_threads_mode():
    x = leaf(2)

    @no_grad()
    def evaluate():
        return x * 2

    results = {}

    def worker():
        results["inside"] = evaluate().grad_fn
        results["after"] = tge.is_grad_enabled()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(WAIT_SECONDS)
    assert not thread.is_alive()
    assert results == {"inside": None, "after": True}


def test_no_grad_in_the_main_thread_does_not_reach_another_thread():
    x = leaf(2)
    results = {}

    def worker():
        results["enabled"] = tge.is_grad_enabled()
        results["grad_fn"] = repr((x * 2).grad_fn)

    with no_grad():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(WAIT_SECONDS)
        assert tge.is_grad_enabled() is False
    assert not thread.is_alive()
    assert results == {"enabled": True, "grad_fn": "<MulBackward>"}


def test_no_grad_is_thread_local_while_interleaved():
    """A worker sits inside no_grad() while the main thread records, then the reverse."""
    x = leaf(2)
    worker_inside = threading.Event()
    main_checked = threading.Event()
    main_inside = threading.Event()
    worker_checked = threading.Event()
    results = {}

    def worker():
        with no_grad():
            worker_inside.set()
            if not main_checked.wait(WAIT_SECONDS):
                return
            results["worker in no_grad"] = (tge.is_grad_enabled(), (x * 2).grad_fn)
        # Now the main thread is inside its own no_grad(); this thread records.
        if not main_inside.wait(WAIT_SECONDS):
            return
        results["worker after"] = (tge.is_grad_enabled(), repr((x * 3).grad_fn))
        worker_checked.set()

    thread = threading.Thread(target=worker)
    thread.start()
    assert worker_inside.wait(WAIT_SECONDS)
    results["main while worker in no_grad"] = (tge.is_grad_enabled(), repr((x * 4).grad_fn))
    main_checked.set()
    with no_grad():
        main_inside.set()
        assert worker_checked.wait(WAIT_SECONDS)
        results["main in no_grad"] = (tge.is_grad_enabled(), (x * 5).grad_fn)
    thread.join(WAIT_SECONDS)
    assert not thread.is_alive()
    assert results == {
        "main while worker in no_grad": (True, "<MulBackward>"),
        "worker in no_grad": (False, None),
        "worker after": (True, "<MulBackward>"),
        "main in no_grad": (False, None),
    }
    assert tge.is_grad_enabled() is True


# --------------------------------------------------------------------------- #
# In-place updates under no_grad: the SGD step
# --------------------------------------------------------------------------- #


def test_sgd_step_in_place_under_no_grad():
    W = Tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True, name="W")
    data_before = W.data
    J = (W * W).sum()
    J.backward()
    learning_rate = 0.1
    with no_grad():
        W -= learning_rate * W.grad
    # The tensor stays the same leaf but gets a new array: the old one, which a
    # graph recorded earlier may have saved, is left as it was.
    assert W.data is not data_before
    np.testing.assert_array_equal(data_before, [[1.0, -2.0], [3.0, 0.5]])
    np.testing.assert_allclose(W.data, [[0.8, -1.6], [2.4, 0.4]])
    assert W.is_leaf and W.requires_grad and W.grad_fn is None and W.name == "W"

    # The next step builds a fresh graph from the updated W.
    W.zero_grad()
    (W * W).sum().backward()
    np.testing.assert_allclose(W.grad, 2 * W.data)


def test_sgd_step_keeps_the_same_object():
    W = leaf(2)
    before = W
    W.backward(np.array([1.0, 1.0]))
    with no_grad():
        W -= 0.5 * W.grad
    assert W is before


@pytest.mark.parametrize(
    "name, expected",
    [("+=", [3.0, 4.0]), ("-=", [-1.0, 0.0]), ("*=", [2.0, 4.0]), ("/=", [0.5, 1.0])],
)
def test_inplace_operators_under_no_grad(name, expected):
    x = leaf(2)
    original = x
    with no_grad():
        if name == "+=":
            x += 2.0
        elif name == "-=":
            x -= np.array([2.0, 2.0])
        elif name == "*=":
            x *= Tensor(2.0)
        else:
            x /= 2
    assert x is original and x.is_leaf and x.requires_grad
    np.testing.assert_array_equal(x.data, expected)


def test_inplace_on_a_constant_is_allowed_while_recording():
    c = Tensor([1.0, 2.0])
    c += 1
    np.testing.assert_array_equal(c.data, [2.0, 3.0])


# --------------------------------------------------------------------------- #
# hash and dict keys
# --------------------------------------------------------------------------- #


def test_tensors_hash_by_identity_and_work_as_dict_keys():
    a = leaf(2)
    b = leaf(2)  # same values, different tensor
    assert hash(a) == hash(a)
    table = {a: "a", b: "b"}
    assert table[a] == "a" and table[b] == "b"
    assert len({a, b, a}) == 2
    grads = {}
    (a * b).sum().backward()
    for t in (a, b):
        grads[t] = t.grad
    np.testing.assert_array_equal(grads[a], b.data)


# --------------------------------------------------------------------------- #
# The functional API matches the methods and operators
# --------------------------------------------------------------------------- #

CONTRACT_NAMES = [
    "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "leaky_relu", "sum", "mean",
    "max", "reshape", "transpose", "clip", "softmax", "log_softmax", "concatenate", "stack",
    "where", "maximum", "minimum", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "cross_entropy", "mse_loss",
]  # fmt: skip


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_functional_names_exist(name):
    assert callable(getattr(F, name))


def test_package_exports_the_contract():
    from tinygrad_edu import gradcheck, numerical_gradient  # noqa: F401

    for name in ["Tensor", "Function", "no_grad", "enable_grad", "gradcheck", "numerical_gradient"]:
        assert hasattr(tge, name)


# name: (F call, method/operator call); x is (2, 3) with entries 1..6, y is (3, 2)
FUNCTIONAL_VS_METHODS = {
    "exp": (lambda x, y: F.exp(x), lambda x, y: x.exp()),
    "log": (lambda x, y: F.log(x), lambda x, y: x.log()),
    "sqrt": (lambda x, y: F.sqrt(x), lambda x, y: x.sqrt()),
    "abs": (lambda x, y: F.abs(-x), lambda x, y: (-x).abs()),
    "tanh": (lambda x, y: F.tanh(x / 4), lambda x, y: (x / 4).tanh()),
    "sigmoid": (lambda x, y: F.sigmoid(x - 3.5), lambda x, y: (x - 3.5).sigmoid()),
    "relu": (lambda x, y: F.relu(x - 3.5), lambda x, y: (x - 3.5).relu()),
    "leaky_relu": (
        lambda x, y: F.leaky_relu(x - 3.5, slope=0.2),
        lambda x, y: (x - 3.5).leaky_relu(0.2),
    ),
    "leaky_relu_default": (lambda x, y: F.leaky_relu(-x), lambda x, y: (-x).leaky_relu()),
    "clip": (lambda x, y: F.clip(x, 2.5, 4.5), lambda x, y: x.clip(2.5, 4.5)),
    "softmax": (lambda x, y: F.softmax(x, axis=1), lambda x, y: x.softmax(axis=1)),
    "softmax_default": (lambda x, y: F.softmax(x), lambda x, y: x.softmax()),
    "log_softmax": (lambda x, y: F.log_softmax(x), lambda x, y: x.log_softmax(axis=0)),
    "sum": (lambda x, y: F.sum(x, axis=1, keepdims=True), lambda x, y: x.sum(1, True)),
    "mean": (lambda x, y: F.mean(x, axis=0), lambda x, y: x.mean(axis=0)),
    "max": (lambda x, y: F.max(x, axis=1), lambda x, y: x.max(axis=1)),
    "reshape": (lambda x, y: F.reshape(x, 3, 2), lambda x, y: x.reshape((3, 2))),
    "transpose": (lambda x, y: F.transpose(x), lambda x, y: x.T),
    "add": (lambda x, y: F.add(x, y.T), lambda x, y: x + y.T),
    "sub": (lambda x, y: F.sub(x, y.T), lambda x, y: x - y.T),
    "mul": (lambda x, y: F.mul(x, y.T), lambda x, y: x * y.T),
    "div": (lambda x, y: F.div(x, y.T), lambda x, y: x / y.T),
    "pow": (lambda x, y: F.pow(x, y.T), lambda x, y: x**y.T),
    "neg": (lambda x, y: F.neg(x), lambda x, y: -x),
    "matmul": (lambda x, y: F.matmul(x, y), lambda x, y: x @ y),
}


@pytest.mark.parametrize("name", FUNCTIONAL_VS_METHODS)
def test_functional_matches_the_method(name):
    functional, method = FUNCTIONAL_VS_METHODS[name]
    x1, y1 = leaf(2, 3), leaf(3, 2) / 4.0
    x2, y2 = leaf(2, 3), leaf(3, 2) / 4.0
    a, b = functional(x1, y1), method(x2, y2)
    np.testing.assert_allclose(a.data, b.data, rtol=1e-14)
    assert repr(a.grad_fn) == repr(b.grad_fn)
    G = upstream(*a.shape)
    a.backward(G)
    b.backward(G)
    np.testing.assert_allclose(x1.grad, x2.grad, rtol=1e-14)


def test_functional_accepts_ndarrays_and_lists():
    np.testing.assert_allclose(F.tanh(np.array([0.0, 1.0])).data, np.tanh([0.0, 1.0]))
    np.testing.assert_allclose(F.add([1.0, 2.0], 1.0).data, [2.0, 3.0])
    assert isinstance(F.relu([-1.0, 1.0]), Tensor)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_forward_values_and_gradient(axis):
    a = leaf(2, 3)
    b = Tensor(np.arange(10.0, 16.0).reshape(2, 3), requires_grad=True)
    out = F.concatenate([a, b], axis=axis)
    expected = np.concatenate([a.data, b.data], axis=axis)
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out.data, expected)
    G = upstream(*expected.shape)
    out.backward(G)
    Ga, Gb = np.split(G, [a.shape[axis]], axis=axis)
    np.testing.assert_array_equal(a.grad, Ga)
    np.testing.assert_array_equal(b.grad, Gb)


def test_concatenate_of_different_lengths_and_constants():
    a = leaf(2, 1)
    out = F.concatenate((a, np.zeros((2, 2)), [[7.0], [8.0]]), axis=1)
    np.testing.assert_array_equal(out.data, [[1.0, 0.0, 0.0, 7.0], [2.0, 0.0, 0.0, 8.0]])
    out.backward(upstream(2, 4))
    np.testing.assert_array_equal(a.grad, upstream(2, 4)[:, :1])


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack_forward_values_and_gradient(axis):
    a = leaf(2, 3)
    b = Tensor(np.arange(10.0, 16.0).reshape(2, 3), requires_grad=True)
    out = F.stack([a, b], axis=axis)
    expected = np.stack([a.data, b.data], axis=axis)
    assert out.shape == expected.shape
    np.testing.assert_array_equal(out.data, expected)
    G = upstream(*expected.shape)
    out.backward(G)
    np.testing.assert_array_equal(a.grad, np.take(G, 0, axis=axis))
    np.testing.assert_array_equal(b.grad, np.take(G, 1, axis=axis))


# --------------------------------------------------------------------------- #
# A user-written Function, end to end
# --------------------------------------------------------------------------- #


SCALED_POWER_CALLS = []  # what ScaledPower.backward saw, for the tests to inspect


class ScaledPower(Function):
    """out = w · xᵏ;  dx = dout · k · w · xᵏ⁻¹,  dw = dout · xᵏ"""

    @staticmethod
    def forward(ctx, x, w, k=2):
        ctx.save_for_backward(x, w)
        ctx.k = k
        return w * x**k

    @staticmethod
    def backward(ctx, dout):
        x, w = ctx.saved_tensors
        SCALED_POWER_CALLS.append((ctx.needs_input_grad, ctx.k))
        dx = dout * ctx.k * w * x ** (ctx.k - 1) if ctx.needs_input_grad[0] else None
        dw = dout * x**ctx.k if ctx.needs_input_grad[1] else None
        return dx, dw


def test_custom_function_end_to_end():
    SCALED_POWER_CALLS.clear()
    x = Tensor([1.0, 2.0, -1.5], requires_grad=True)
    w = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = ScaledPower.apply(x, w, k=3)
    assert repr(y.grad_fn) == "<ScaledPowerBackward>"
    assert y.grad_fn.k == 3
    assert y.grad_fn.needs_input_grad == (True, True)
    np.testing.assert_allclose(y.data, w.data * x.data**3)
    saved_x, saved_w = y.grad_fn.saved_tensors
    np.testing.assert_array_equal(saved_x, x.data)
    np.testing.assert_array_equal(saved_w, w.data)

    G = np.array([1.0, -2.0, 0.5])
    y.backward(G)
    np.testing.assert_allclose(x.grad, G * 3 * w.data * x.data**2)
    np.testing.assert_allclose(w.grad, G * x.data**3)
    assert SCALED_POWER_CALLS == [((True, True), 3)]


def test_custom_function_needs_input_grad_and_constants():
    SCALED_POWER_CALLS.clear()
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = ScaledPower.apply(x, np.array([3.0, 4.0]))  # an ndarray becomes a constant
    assert y.grad_fn.needs_input_grad == (True, False)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 2 * np.array([3.0, 4.0]) * x.data)
    assert SCALED_POWER_CALLS == [((True, False), 2)]


def test_custom_function_agrees_with_finite_differences():
    x = np.array([[0.3, -1.2], [2.0, 0.7]])
    w = np.array([[1.5, -0.5], [0.25, 2.0]])
    result = tge.gradcheck(lambda x, w: ScaledPower.apply(x, w, k=3), [x, w])
    assert bool(result), str(result)
    approx = tge.numerical_gradient(lambda x, w: ScaledPower.apply(x, w, k=3).sum(), [x, w])
    np.testing.assert_allclose(approx[0], 3 * w * x**2, rtol=1e-6)
    np.testing.assert_allclose(approx[1], x**3, rtol=1e-6)


def test_custom_function_composes_with_built_in_ops():
    x = Tensor([1.0, 2.0], requires_grad=True)
    J = (ScaledPower.apply(x.tanh(), Tensor([2.0, 2.0]), k=2) + x).sum()
    J.backward()
    t = np.tanh(x.data)
    np.testing.assert_allclose(x.grad, 2 * 2 * t * (1 - t**2) + 1)


def test_custom_function_under_no_grad_records_nothing():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        y = ScaledPower.apply(x, Tensor([1.0, 1.0]))
    assert y.grad_fn is None and not y.requires_grad
    np.testing.assert_array_equal(y.data, [1.0, 4.0])
