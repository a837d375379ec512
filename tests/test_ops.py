"""Every op's gradient against centred finite differences, in float64, over random shapes.

One table of cases; each case is a Hypothesis strategy that draws the inputs
(and any options: axis, keepdims, index, …) and the function of tensors to
check. The single property test below runs each case with a random upstream
gradient ``u`` (so a transposed or misplaced rule cannot hide behind
all-ones) and compares *every* element.

Tolerance: with ε = 1e-6 the centred difference errs by about ε²·|f'''|/6
(≈1e-13) plus rounding ε_machine·|J|/ε (≈1e-10·|J|), and |J| stays below
about 100 with these domains; ``atol=1e-6, rtol=1e-5`` leaves a wide margin
while still failing any wrong rule (those err by O(1)). Inputs are kept off
kinks (relu and |x| at 0, ties in max, the clip bounds) and off singular
points (log and sqrt near 0, division by ~0) instead of loosening this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, numerical_gradient
from tinygrad_edu.testing import arrays, broadcastable_shapes, distinct_arrays, shapes

ATOL, RTOL = 1e-6, 1e-5


@dataclass
class Drawn:
    """What a case draws: the function of tensors and the arrays to differentiate."""

    fn: Callable[..., Tensor]
    inputs: list[np.ndarray]


@dataclass
class Case:
    name: str
    draw: st.SearchStrategy[Drawn]

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------- #
# Case builders
# --------------------------------------------------------------------------- #


def unary(fn, lo=-3.0, hi=3.0, avoid=(), margin=0.05, shape=None):
    return st.builds(
        lambda x: Drawn(fn, [x]), arrays(shape or shapes(), lo, hi, avoid=avoid, margin=margin)
    )


@st.composite
def binary(draw, fn, a_range=(-3.0, 3.0), b_range=(-3.0, 3.0), b_avoid=(), margin=0.05):
    """Two inputs of mutually broadcastable shapes (this is what tests unbroadcast)."""
    a_shape, b_shape = draw(broadcastable_shapes(2))
    a = draw(arrays(a_shape, *a_range))
    b = draw(arrays(b_shape, *b_range, avoid=b_avoid, margin=margin))
    return Drawn(fn, [a, b])


@st.composite
def off_each_other(draw, fn):
    """Two inputs for maximum/minimum, no pair closer than 0.05 (no ties at the kink).

    Broadcasting is covered by letting one operand be 0-d and pushing the
    other one's values off it.
    """
    if draw(st.booleans()):
        shape = draw(shapes())
        a = draw(arrays(shape))
        b = draw(arrays(shape))
        near = np.abs(a - b) < 0.05
        b = np.where(near, a + np.where(b >= a, 0.05, -0.05), b)
    else:
        b = draw(arrays(()))
        a = draw(arrays(shapes(), avoid=(float(b),)))
    pair = [a, b] if draw(st.booleans()) else [b, a]
    return Drawn(fn, pair)


@st.composite
def where_case(draw):
    c_shape, a_shape, b_shape = draw(broadcastable_shapes(3))
    condition = draw(hnp.arrays(bool, c_shape))
    return Drawn(
        lambda a, b: F.where(condition, a, b), [draw(arrays(a_shape)), draw(arrays(b_shape))]
    )


@st.composite
def matmul_case(draw):
    n, k, m, batch = (draw(st.integers(1, 4)) for _ in range(4))
    a_shape, b_shape = draw(
        st.sampled_from(
            [
                ((n, k), (k, m)),  # Z = W · A, the course's case
                ((k,), (k, m)),  # row vector on the left
                ((n, k), (k,)),  # column vector on the right
                ((k,), (k,)),  # dot product
                ((batch, n, k), (k, m)),  # a batch on the left
                ((n, k), (batch, k, m)),  # a batch on the right
                ((batch, n, k), (batch, k, m)),
                ((batch, n, k), (k,)),
                ((k,), (batch, k, m)),
            ]
        )
    )
    return Drawn(lambda a, b: a @ b, [draw(arrays(a_shape)), draw(arrays(b_shape))])


@st.composite
def axis_and_keepdims(draw, ndim):
    """``axis`` as None, an int (maybe negative) or a tuple of ints; ``keepdims``."""
    if ndim == 0:
        axis = None
    else:
        axes = draw(st.lists(st.integers(0, ndim - 1), unique=True, min_size=1, max_size=ndim))
        negative = draw(st.booleans())
        axes = [a - ndim if negative else a for a in axes]
        axis = draw(st.sampled_from([None, axes[0], tuple(axes)]))
    return axis, draw(st.booleans())


@st.composite
def reduction(draw, method):
    x = draw(distinct_arrays(shapes()) if method == "max" else arrays(shapes()))
    axis, keepdims = draw(axis_and_keepdims(x.ndim))
    return Drawn(lambda t: getattr(t, method)(axis=axis, keepdims=keepdims), [x])


@st.composite
def along_axis(draw, fn):
    """A function with a class axis (softmax, log_softmax) on 1–3-D inputs."""
    x = draw(arrays(shapes(min_dims=1)))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    return Drawn(lambda t: fn(t, axis), [x])


@st.composite
def reshape_case(draw):
    x = draw(arrays(shapes()))
    sizes = [d for d in range(1, x.size + 1) if x.size % d == 0]
    first = draw(st.sampled_from(sizes))
    new_shape = draw(st.sampled_from([(first, -1), (x.size,), (first, x.size // first, 1)]))
    return Drawn(lambda t: t.reshape(*new_shape), [x])


@st.composite
def transpose_case(draw):
    x = draw(arrays(shapes()))
    axes = tuple(draw(st.permutations(range(x.ndim))))
    use_t = draw(st.booleans())
    return Drawn(lambda t: t.T if use_t else t.transpose(*axes), [x])


@st.composite
def getitem_case(draw):
    x = draw(arrays(shapes(min_dims=1)))
    kind = draw(st.sampled_from(["int", "slice", "int_array", "mask", "tuple"]))
    n = x.shape[0]
    if kind == "int":
        index = draw(st.integers(-n, n - 1))
    elif kind == "slice":
        index = slice(draw(st.integers(0, n)), None, draw(st.sampled_from([1, 2, -1])))
    elif kind == "int_array":  # repeats allowed: their gradients must add up
        index = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=6))
    elif kind == "mask":
        index = draw(hnp.arrays(bool, x.shape))
    else:
        index = (slice(None), *([0] * (x.ndim - 1))) if x.ndim > 1 else (Ellipsis,)
    return Drawn(lambda t: t[index], [x])


@st.composite
def join_case(draw, fn):
    base = draw(shapes(min_dims=1, max_dims=3))
    count = draw(st.integers(1, 3))
    if fn is F.stack:
        axis = draw(st.integers(-len(base) - 1, len(base)))
        inputs = [draw(arrays(base)) for _ in range(count)]
    else:
        axis = draw(st.integers(-len(base), len(base) - 1))
        inputs = []
        for _ in range(count):
            shape = list(base)
            shape[axis] = draw(st.integers(1, 3))
            inputs.append(draw(arrays(tuple(shape))))
    return Drawn(lambda *ts: fn(ts, axis=axis), inputs)


@st.composite
def loss_case(draw, loss):
    """Course layout: predictions and labels are (n_y, m)."""
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 5)))
    labels = draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    if loss is F.binary_cross_entropy:
        a = draw(arrays(shape, 0.05, 0.95))
        return Drawn(lambda A: loss(A, labels), [a])
    if loss is F.binary_cross_entropy_with_logits:
        return Drawn(lambda Z: loss(Z, labels), [draw(arrays(shape, -5.0, 5.0))])
    return Drawn(lambda A: loss(A, labels), [draw(arrays(shape))])


@st.composite
def loss_with_soft_labels(draw, loss, a_range):
    """Both inputs differentiated: the rule for Y is checked too."""
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 5)))
    return Drawn(loss, [draw(arrays(shape, *a_range)), draw(arrays(shape, 0.0, 1.0))])


@st.composite
def cross_entropy_case(draw):
    n_classes, m = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    logits = draw(arrays((n_classes, m)))
    labels = draw(hnp.arrays(np.int64, (m,), elements=st.integers(0, n_classes - 1)))
    form = draw(st.sampled_from(["one-hot", "labels (m,)", "labels (1, m)", "axis=1", "soft"]))
    if form == "one-hot":
        Y = np.eye(n_classes)[:, labels]
        return Drawn(lambda Z: F.cross_entropy(Z, Y), [logits])
    if form == "labels (1, m)" and n_classes > 1:  # with one class, (1, m) reads as one-hot
        return Drawn(lambda Z: F.cross_entropy(Z, labels.reshape(1, m)), [logits])
    if form in ("labels (m,)", "labels (1, m)"):
        return Drawn(lambda Z: F.cross_entropy(Z, labels), [logits])
    if form == "axis=1":  # rows are examples, PyTorch's layout
        return Drawn(lambda Z: F.cross_entropy(Z, labels, axis=1), [logits.T.copy()])
    soft = draw(arrays((n_classes, m), 0.0, 1.0))
    return Drawn(F.cross_entropy, [logits, soft])


CASES = [
    Case("add", binary(lambda a, b: a + b)),
    Case("sub", binary(lambda a, b: a - b)),
    Case("mul", binary(lambda a, b: a * b)),
    Case("div", binary(lambda a, b: a / b, b_avoid=(0.0,), margin=0.5)),
    Case("pow tensor exponent", binary(lambda a, b: a**b, a_range=(0.5, 2.0), b_range=(-2, 2))),
    Case("pow scalar exponent", unary(lambda x: x**3)),
    Case("pow fractional exponent", unary(lambda x: x**2.5, 0.2, 3.0)),
    Case("rpow scalar base", unary(lambda x: 2.0**x, -2.0, 2.0)),
    Case("radd rsub rmul rdiv", unary(lambda x: (1.5 - x) * 2.0 + 3.0 / (x * x + 1.0))),
    Case(
        "ndarray operands",
        unary(lambda x: np.ones(x.shape) * x - np.full(x.shape, 2.0) / (x * x + 1)),
    ),
    Case("neg", unary(lambda x: -x)),
    Case("exp", unary(lambda x: x.exp())),
    Case("log", unary(lambda x: x.log(), 0.1, 3.0)),
    Case("sqrt", unary(lambda x: x.sqrt(), 0.1, 3.0)),
    Case("abs", unary(lambda x: x.abs(), avoid=(0.0,))),
    Case("tanh", unary(lambda x: x.tanh())),
    Case("sigmoid", unary(lambda x: x.sigmoid(), -6.0, 6.0)),
    Case("relu", unary(lambda x: x.relu(), avoid=(0.0,))),
    Case("leaky_relu", unary(lambda x: x.leaky_relu(0.1), avoid=(0.0,))),
    Case("leaky_relu default slope", unary(lambda x: F.leaky_relu(x), avoid=(0.0,))),
    Case("clip", unary(lambda x: x.clip(-1.0, 1.5), avoid=(-1.0, 1.5))),
    Case("clip lower only", unary(lambda x: x.clip(lo=0.5), avoid=(0.5,))),
    Case("maximum", off_each_other(F.maximum)),
    Case("minimum", off_each_other(F.minimum)),
    Case("where", where_case()),
    Case("matmul", matmul_case()),
    Case("sum", reduction("sum")),
    Case("mean", reduction("mean")),
    Case("max", reduction("max")),
    Case("softmax", along_axis(lambda t, axis: t.softmax(axis=axis))),
    Case("log_softmax", along_axis(lambda t, axis: t.log_softmax(axis=axis))),
    Case("reshape", reshape_case()),
    Case("transpose", transpose_case()),
    Case("getitem", getitem_case()),
    Case("concatenate", join_case(F.concatenate)),
    Case("stack", join_case(F.stack)),
    Case("binary_cross_entropy", loss_case(F.binary_cross_entropy)),
    Case(
        "binary_cross_entropy soft labels",
        loss_with_soft_labels(F.binary_cross_entropy, (0.05, 0.95)),
    ),
    Case("binary_cross_entropy_with_logits", loss_case(F.binary_cross_entropy_with_logits)),
    Case(
        "binary_cross_entropy_with_logits soft labels",
        loss_with_soft_labels(F.binary_cross_entropy_with_logits, (-5.0, 5.0)),
    ),
    Case("cross_entropy", cross_entropy_case()),
    Case("mse_loss", loss_case(F.mse_loss)),
    Case("mse_loss both inputs", loss_with_soft_labels(F.mse_loss, (-3.0, 3.0))),
]


@pytest.mark.parametrize("case", CASES, ids=str)
@given(data=st.data())
def test_gradient_matches_finite_differences(case: Case, data: st.DataObject) -> None:
    drawn = data.draw(case.draw)
    originals = [x.copy() for x in drawn.inputs]
    leaves = [Tensor(x, requires_grad=True) for x in drawn.inputs]
    out = drawn.fn(*leaves)
    upstream = data.draw(
        arrays(out.shape, -1.0, 1.0, avoid=(0.0,), margin=0.1), label="upstream gradient"
    )

    out.backward(upstream)
    expected = numerical_gradient(drawn.fn, drawn.inputs, grad_output=upstream)

    for leaf, grad_approx in zip(leaves, expected):
        assert leaf.grad is not None and leaf.grad.shape == leaf.shape
        assert leaf.grad.dtype == np.float64
        np.testing.assert_allclose(leaf.grad, grad_approx, rtol=RTOL, atol=ATOL)
    for original, x in zip(originals, drawn.inputs):
        np.testing.assert_array_equal(original, x)  # no op mutates its inputs


# --------------------------------------------------------------------------- #
# Forward values against plain NumPy, and the rules that matter most to the course
# --------------------------------------------------------------------------- #


@given(x=arrays(shapes(min_dims=1), -50.0, 50.0))
def test_forward_values_match_numpy(x: np.ndarray) -> None:
    t = Tensor(x)
    np.testing.assert_allclose(t.tanh().data, np.tanh(x))
    np.testing.assert_allclose(t.sigmoid().data, 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_array_equal(t.relu().data, np.maximum(x, 0))
    np.testing.assert_allclose(t.leaky_relu().data, np.where(x > 0, x, 0.01 * x))
    e = np.exp(x - x.max(axis=0, keepdims=True))
    np.testing.assert_allclose(t.softmax(axis=0).data, e / e.sum(axis=0, keepdims=True))
    np.testing.assert_allclose(
        t.log_softmax(axis=0).data, np.log(e / e.sum(axis=0, keepdims=True)), atol=1e-12
    )
    np.testing.assert_allclose(t.sum(axis=0).data, x.sum(axis=0))
    np.testing.assert_allclose(t.mean().data, x.mean())
    np.testing.assert_array_equal(t.max(axis=-1, keepdims=True).data, x.max(axis=-1, keepdims=True))


def test_max_ties_share_the_gradient_evenly() -> None:
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).backward(np.array([1.0, 6.0]))
    np.testing.assert_array_equal(x.grad, [[0.0, 0.5, 0.5], [2.0, 2.0, 2.0]])


def test_maximum_tie_splits_the_gradient() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([1.0, 0.0], requires_grad=True)
    F.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1.0])
    np.testing.assert_array_equal(b.grad, [0.5, 0.0])


def test_repeated_integer_index_accumulates() -> None:
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    x[[0, 0, 2, 0]].backward(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(x.grad, [7.0, 0.0, 3.0])


def test_bias_gradient_is_the_sum_over_columns() -> None:
    """db = Σ_columns dZ: the broadcast of b over m columns, undone."""
    rng = np.random.default_rng(0)
    dZ = rng.standard_normal((3, 5))
    b = Tensor(np.zeros((3, 1)), requires_grad=True)
    Z = Tensor(rng.standard_normal((3, 5))) + b
    Z.backward(dZ)
    np.testing.assert_allclose(b.grad, dZ.sum(axis=1, keepdims=True))


@given(z=arrays(hnp.array_shapes(min_dims=2, max_dims=2, max_side=6), -1000.0, 1000.0))
def test_bce_with_logits_is_stable_and_its_gradient_is_exactly_sigmoid_minus_y(
    z: np.ndarray,
) -> None:
    y = (np.arange(z.size).reshape(z.shape) % 2).astype(float)
    Z = Tensor(z, requires_grad=True)
    J = F.binary_cross_entropy_with_logits(Z, y)
    assert np.isfinite(J.item())
    J.backward()
    A = Z.sigmoid().data
    np.testing.assert_array_equal(Z.grad, (A - y) / z.size)  # bit for bit
    # and it is the same cost as the two-step sigmoid + BCE where that one is finite
    moderate = np.abs(z) < 5  # beyond, 1 − σ(z) cancels and the two-step cost loses digits
    if moderate.all():
        two_step = F.binary_cross_entropy(Tensor(A), y).item()
        np.testing.assert_allclose(J.item(), two_step, rtol=1e-9)


def test_bce_with_logits_at_extreme_logits() -> None:
    Z = Tensor([[1000.0, -1000.0, 1000.0, -1000.0]], requires_grad=True)
    Y = np.array([[1.0, 0.0, 0.0, 1.0]])
    J = F.binary_cross_entropy_with_logits(Z, Y)
    assert J.item() == pytest.approx((0 + 0 + 1000 + 1000) / 4)
    J.backward()
    np.testing.assert_array_equal(Z.grad, [[0.0, 0.0, 0.25, -0.25]])


def test_softmax_cross_entropy_gradient_is_s_minus_y_over_m() -> None:
    rng = np.random.default_rng(1)
    Z = Tensor(rng.standard_normal((4, 6)), requires_grad=True)
    labels = np.array([0, 3, 1, 1, 2, 0])
    J = F.cross_entropy(Z, labels)
    J.backward()
    S = Z.softmax(axis=0).data
    Y = np.eye(4)[:, labels]
    np.testing.assert_allclose(Z.grad, (S - Y) / 6, atol=1e-15)
    np.testing.assert_allclose(J.item(), -np.log(S[labels, np.arange(6)]).mean())


def test_softmax_is_stable_for_large_logits() -> None:
    Z = Tensor([[1000.0, -1000.0], [999.0, -1001.0]])
    np.testing.assert_allclose(Z.softmax(axis=0).data.sum(axis=0), [1.0, 1.0])
    assert np.all(np.isfinite(Z.log_softmax(axis=0).data))


def test_losses_return_the_mean_cost() -> None:
    A = np.array([[0.9, 0.2, 0.6]])
    Y = np.array([[1.0, 0.0, 1.0]])
    expected = -(Y * np.log(A) + (1 - Y) * np.log(1 - A)).mean()
    assert F.binary_cross_entropy(A, Y).item() == pytest.approx(expected, rel=1e-14)
    assert F.mse_loss(A, Y).item() == pytest.approx(((A - Y) ** 2).mean(), rel=1e-14)


def test_float32_stays_float32_through_ops_and_gradients() -> None:
    W = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    X = Tensor(np.ones((3, 4), dtype=np.float32))
    out = ((W @ X).tanh() * 2.0 + 1).mean()
    assert out.dtype == np.float32
    out.backward()
    assert W.grad.dtype == np.float32
