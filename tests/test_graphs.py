"""Random computation graphs with shared sub-expressions against finite differences.

This is what exercises the topological order and the accumulation of
gradients: nodes feed several later nodes, inputs of different shapes
broadcast together, and the cost reuses an earlier node once more.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given

from tinygrad_edu import gradcheck, numerical_gradient
from tinygrad_edu.testing import RandomGraph, random_graphs


@given(graph=random_graphs())
def test_random_graph_gradients_match_finite_differences(graph: RandomGraph) -> None:
    leaves = graph.leaves()
    graph(*leaves).backward()
    expected = numerical_gradient(graph, graph.inputs)
    for leaf, grad_approx in zip(leaves, expected):
        # An input the graph never uses keeps grad None (as in PyTorch): its derivative is 0.
        grad = leaf.grad if leaf.grad is not None else np.zeros_like(leaf.data)
        # same tolerance and reasoning as tests/test_ops.py
        np.testing.assert_allclose(grad, grad_approx, rtol=1e-5, atol=1e-6, err_msg=graph.program())


@given(graph=random_graphs(max_steps=12))
def test_random_graphs_pass_the_course_gradient_check(graph: RandomGraph) -> None:
    # J can be a sum of terms of size ~1 that cancel (weights of opposite sign on
    # equal rows), so gradients below ε_machine·1/ε ≈ 2e-10 per entry are rounding
    # noise that |J| does not reveal; any wrong rule errs far above this floor.
    result = gradcheck(graph, graph.leaves(), atol=1e-8)
    assert result, f"{graph.program()}\n{result}"


@given(graph=random_graphs())
def test_backward_twice_with_retain_graph_doubles_every_gradient(graph: RandomGraph) -> None:
    leaves = graph.leaves()
    J = graph(*leaves)
    J.backward(retain_graph=True)
    once = [None if leaf.grad is None else leaf.grad.copy() for leaf in leaves]
    J.backward()
    for leaf, g in zip(leaves, once):
        if g is None:
            assert leaf.grad is None  # unused input
        else:
            np.testing.assert_allclose(leaf.grad, 2 * g, rtol=1e-12, atol=1e-15)
