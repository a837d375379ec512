"""The backward engine's semantics: order, accumulation, graph release, hooks, grad mode."""

from __future__ import annotations

import gc
import threading
import weakref

import numpy as np
import pytest

import tinygrad_edu as tge
from tinygrad_edu import Function, Tensor, no_grad
from tinygrad_edu.autograd import topological_order


class CountingSquare(Function):
    """out = x²;  dx = dout · 2x   (counts its backward calls)"""

    calls = 0

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, dout):
        CountingSquare.calls += 1
        (x,) = ctx.saved_tensors
        return dout * 2 * x


def test_each_node_is_visited_once_in_a_diamond() -> None:
    """x → s = x² → (a = s·3, b = s·5) → a + b: s is reached by two paths, run once."""
    CountingSquare.calls = 0
    x = Tensor([2.0], requires_grad=True)
    s = CountingSquare.apply(x)
    (s * 3.0 + s * 5.0).backward(np.ones(1))
    assert CountingSquare.calls == 1
    np.testing.assert_array_equal(x.grad, [8 * 2 * 2.0])  # d(8x²)/dx = 16x


def test_topological_order_puts_every_user_before_its_inputs() -> None:
    x = Tensor([1.0], requires_grad=True)
    a = x * 2.0
    b = a.exp()
    c = a + b  # a is used by b and by c
    order = topological_order(c.grad_fn)
    assert order[0] is c.grad_fn
    position = {id(node): i for i, node in enumerate(order)}
    for node in order:
        for parent in getattr(node, "parents", ()):
            if parent is not None:
                assert position[id(node)] < position[id(parent)]
    assert [node.name for node in order[:-1]] == ["Add", "Exp", "Mul"]
    assert order[-1] is x  # the leaf comes last, once


def test_the_graph_does_not_keep_intermediate_arrays_alive() -> None:
    """Add saves nothing, so the graph needs neither of its inputs' arrays."""
    x = Tensor(np.ones(3), requires_grad=True)
    h = x * 2.0
    probe = weakref.ref(h)
    y = (h + 1.0).sum()
    del h
    assert probe() is None  # only the user held h; the graph links nodes
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_gradients_sum_where_a_tensor_is_used_several_times() -> None:
    x = Tensor([3.0], requires_grad=True)
    y = x * x + x * 4.0 + x  # dy/dx = 2x + 5
    y.backward(np.ones(1))
    np.testing.assert_array_equal(x.grad, [11.0])


def test_gradients_accumulate_across_backward_calls_until_zeroed() -> None:
    W = Tensor([[1.0, -2.0]], requires_grad=True)
    for _ in range(3):
        (W * W).sum().backward()
    np.testing.assert_array_equal(W.grad, 3 * 2 * W.data)
    W.zero_grad()
    assert W.grad is None
    (W * W).sum().backward()
    np.testing.assert_array_equal(W.grad, 2 * W.data)


def test_leaf_grad_is_its_own_buffer() -> None:
    """Add passes dout straight through; the leaf must still get a private copy."""
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    upstream = np.array([1.0, 1.0])
    (a + b).backward(upstream)
    assert a.grad is not b.grad and a.grad is not upstream
    a.grad += 10
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    np.testing.assert_array_equal(upstream, [1.0, 1.0])


def test_only_inputs_that_need_a_gradient_get_one() -> None:
    seen = {}

    class Spy(Function):
        """out = a · b;  da = dout · b,  db = dout · a"""

        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, dout):
            seen["needs"] = ctx.needs_input_grad
            a, b = ctx.saved_tensors
            return dout * b, (dout * a if ctx.needs_input_grad[1] else None)

    a = Tensor([2.0], requires_grad=True)
    b = Tensor([5.0])
    Spy.apply(a, b).backward(np.ones(1))
    assert seen["needs"] == (True, False)
    np.testing.assert_array_equal(a.grad, [5.0])
    assert b.grad is None


def test_second_backward_needs_retain_graph() -> None:
    x = Tensor([2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()  # allowed: the first call kept the buffers
    np.testing.assert_array_equal(x.grad, [8.0])
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_released_graph_keeps_its_shape_but_not_its_buffers() -> None:
    x = Tensor([2.0], requires_grad=True)
    y = x.exp()
    y.backward(np.ones(1))
    assert y.grad_fn is not None and y.grad_fn.parents[0] is x  # still drawable
    assert y.grad_fn.released
    with pytest.raises(RuntimeError, match="retain_graph"):
        _ = y.grad_fn.saved_tensors


def test_retain_grad_keeps_the_gradient_of_an_intermediate() -> None:
    """How the course's dZ1 is read off: Z1.retain_grad(), then Z1.grad."""
    rng = np.random.default_rng(0)
    W1 = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    X = Tensor(rng.standard_normal((2, 4)))
    Z1 = W1 @ X
    Z1.retain_grad()
    A1 = Z1.tanh()
    A1.sum().backward()
    np.testing.assert_allclose(Z1.grad, 1 - A1.data**2)
    np.testing.assert_allclose(W1.grad, Z1.grad @ X.data.T)
    assert A1.grad is None  # not retained


def test_hooks_see_and_can_replace_the_gradient() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0
    seen = []
    h.register_hook(lambda g: seen.append(g.copy()))
    h.register_hook(lambda g: g * 10)  # replaces what flows on to x
    h.sum().backward()
    np.testing.assert_array_equal(seen[0], [1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [30.0, 30.0])


def test_removed_hook_is_not_called() -> None:
    x = Tensor([1.0], requires_grad=True)
    calls = []
    remove = x.register_hook(lambda g: calls.append(1))
    (x * 2.0).sum().backward()
    remove()
    (x * 2.0).sum().backward()
    assert calls == [1]


def test_no_grad_records_nothing_and_enable_grad_restores() -> None:
    x = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = x * 2.0
        with tge.enable_grad():
            z = x * 2.0
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None
    assert tge.is_grad_enabled()


def test_no_grad_as_a_decorator_and_restored_after_an_error() -> None:
    @no_grad()
    def evaluate(t):
        return t * 2.0

    x = Tensor([1.0], requires_grad=True)
    assert evaluate(x).grad_fn is None
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            raise ZeroDivisionError
    assert tge.is_grad_enabled()


def test_grad_mode_is_per_thread() -> None:
    inside = threading.Event()
    checked = threading.Event()
    result = {}

    def worker():
        with no_grad():
            inside.set()
            checked.wait(5)
            result["worker"] = tge.is_grad_enabled()

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(5)
    x = Tensor([1.0], requires_grad=True)
    result["main"] = (x * 2.0).requires_grad  # main thread still records
    checked.set()
    thread.join(5)
    assert result == {"main": True, "worker": False}


def test_detach_cuts_the_graph_and_shares_the_data() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.data, y.data)
    z = (d * x).sum()
    z.backward()
    np.testing.assert_array_equal(x.grad, y.data)  # no gradient through d


def test_sgd_step_in_place_under_no_grad_keeps_the_leaf() -> None:
    W = Tensor([[1.0, 2.0]], requires_grad=True)
    (W * W).sum().backward()
    before = W
    with no_grad():
        W -= 0.1 * W.grad
    assert W is before and W.is_leaf and W.requires_grad
    np.testing.assert_allclose(W.data, [[0.8, 1.6]])


def test_a_chain_of_a_million_ops() -> None:
    """The topological sort is iterative: no recursion limit, however deep."""
    x = Tensor([1.5], requires_grad=True)
    y = x
    for _ in range(10**6):
        y = -y
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0])  # an even number of negations
    del y  # freeing a million nested nodes must not overflow the C stack either
    gc.collect()


def test_graph_is_freed_without_the_cycle_collector() -> None:
    """Tensors point at their grad_fn and it at its inputs, never back: no cycles."""
    gc.disable()
    try:
        x = Tensor(np.ones(3), requires_grad=True)
        y = (x * 2.0).tanh()
        probe = weakref.ref(y.grad_fn)
        y.sum().backward()
        del y
        assert probe() is None
    finally:
        gc.enable()


def test_backward_through_a_float32_graph_gives_float32_grads() -> None:
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    (x * np.float64(2.0) + np.ones(2)).sum().backward()
    assert x.grad.dtype == np.float32
