"""The backward trace: order, labels, rules and numbers, against the course's equations."""

from __future__ import annotations

import re
import threading

import numpy as np
import pytest

import tinygrad_edu as tge
import tinygrad_edu.functional as F
from tinygrad_edu import Function, Tensor, autograd, nn
from tinygrad_edu.manual import two_layer
from tinygrad_edu.viz import Trace, summarize

M = 5


def two_layer_graph(retain: bool = False):
    """The course's network on 5 examples, every tensor named: (J, tensors, course grads)."""
    rng = np.random.RandomState(1)
    X = rng.randn(2, M)
    Y = np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
    params = two_layer.init_params(2, 4, 1)
    A2, cache = two_layer.forward(X, params)
    course = two_layer.backward(params, cache, X, Y)
    course["A2"], course["Y"] = A2, Y
    t = {k: Tensor(v, requires_grad=True, name=k) for k, v in params.items()}
    t["X"], t["Y"] = Tensor(X, name="X"), Tensor(Y, name="Y")
    t["Z1"] = t["W1"] @ t["X"] + t["b1"]
    t["A1"] = t["Z1"].tanh()
    t["Z2"] = t["W2"] @ t["A1"] + t["b2"]
    t["J"] = F.binary_cross_entropy_with_logits(t["Z2"], t["Y"])
    for name in ("Z1", "A1", "Z2", "J"):
        t[name].name = name
        if retain:
            t[name].retain_grad()
    return t["J"], t, course


def traced_two_layer():
    J, tensors, course = two_layer_graph()
    with tge.trace() as t:
        J.backward()
    return t, tensors, course


def test_steps_follow_the_engine_order_one_rule_per_node() -> None:
    t, _, _ = traced_two_layer()
    assert [s.op for s in t.steps] == [
        "BinaryCrossEntropyWithLogits",
        "Add",
        "MatMul",
        "Tanh",
        "Add",
        "MatMul",
    ]
    assert [s.index for s in t.steps] == [1, 2, 3, 4, 5, 6]
    assert [s.output for s in t.steps] == ["J", "Z2", "W2·A1", "A1", "Z1", "W1·X"]
    assert [s.received.name for s in t.steps] == ["dJ", "dZ2", "d(W2·A1)", "dA1", "dZ1", "d(W1·X)"]
    assert [[g.name for g in s.sent] for s in t.steps] == [
        ["dZ2"],  # Y needs no gradient
        ["d(W2·A1)", "db2"],
        ["dW2", "dA1"],
        ["dZ1"],
        ["d(W1·X)", "db1"],
        ["dW1"],  # X needs no gradient
    ]


def test_printed_trace_names_the_course_gradients_in_the_engine_order() -> None:
    """db2 comes before dW2: b2 is added last, so its gradient leaves the Add node
    (step 2) before the MatMul node (step 3) makes dW2. Likewise db1 before dW1."""
    t, _, _ = traced_two_layer()
    text = str(t)
    course_names = {"dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"}
    first_seen = []
    for token in re.findall(r"\bd[A-Za-z]\w*", text):
        if token in course_names and token not in first_seen:
            first_seen.append(token)
    assert first_seen == ["dZ2", "db2", "dW2", "dA1", "dZ1", "db1", "dW1"]
    assert list(t.gradients()) == [
        "dZ2",
        "d(W2·A1)",
        "db2",
        "dW2",
        "dA1",
        "dZ1",
        "d(W1·X)",
        "db1",
        "dW1",
    ]


def test_gradients_are_the_course_equations_with_the_1_over_m_applied() -> None:
    t, tensors, course = traced_two_layer()
    g = t.gradients()
    A2, Y = course["A2"], course["Y"]
    np.testing.assert_array_equal(g["dZ2"], (A2 - Y) / M)  # bit for bit, as promised
    np.testing.assert_allclose(M * g["dZ2"], course["dZ2"], rtol=1e-12)
    np.testing.assert_allclose(g["dW2"], course["dW2"], rtol=1e-10)
    np.testing.assert_allclose(g["db2"], course["db2"], rtol=1e-10)
    np.testing.assert_allclose(M * g["dA1"], tensors["W2"].data.T @ course["dZ2"], rtol=1e-10)
    np.testing.assert_allclose(M * g["dZ1"], course["dZ1"], rtol=1e-10)
    np.testing.assert_allclose(g["dW1"], course["dW1"], rtol=1e-10)
    np.testing.assert_allclose(g["db1"], course["db1"], rtol=1e-10)
    for name in ("W1", "b1", "W2", "b2"):  # what the trace saw is what .grad holds
        np.testing.assert_array_equal(g["d" + name], tensors[name].grad)


def test_the_unbroadcast_of_the_bias_is_shown() -> None:
    t, _, _ = traced_two_layer()
    add2 = t.steps[1]
    d_matmul, db2 = add2.sent
    assert (d_matmul.shape, d_matmul.summed_axes) == ((1, M), ())
    assert (db2.rule_shape, db2.shape, db2.summed_axes) == ((1, M), (1, 1), (1,))
    assert (t.steps[4].sent[1].rule_shape, t.steps[4].sent[1].summed_axes) == ((4, M), (1,))
    text = str(t)
    assert text.count("the rule's (1, 5) summed over axis 1 (the columns)") == 1
    assert text.count("the rule's (4, 5) summed over axis 1 (the columns)") == 1


def test_rules_come_from_the_docstrings_and_are_written_in_the_node_names() -> None:
    t, _, _ = traced_two_layer()
    rules = {s.index: s.rule for s in t.steps}
    assert rules[1] == "dZ = dJ · (σ(Z) − Y) / N,  dY = −dJ · Z / N"
    assert rules[3] == "dA = dout · Bᵀ,  dB = Aᵀ · dout"
    assert rules[4] == "dZ = dA · (1 − A²)"
    equations = {s.index: s.equation for s in t.steps}
    assert equations[1] == "dZ2 = dJ · (σ(Z2) − Y) / N"  # Y needs no gradient: no dY
    assert equations[2] == "d(W2·A1) = dZ2,  db2 = Σ_columns dZ2"
    assert equations[3] == "dW2 = d(W2·A1) · A1ᵀ,  dA1 = W2ᵀ · d(W2·A1)"
    assert equations[4] == "dZ1 = dA1 · (1 − A1²)"
    assert equations[5] == "d(W1·X) = dZ1,  db1 = Σ_columns dZ1"
    assert equations[6] == "dW1 = d(W1·X) · Xᵀ"  # no dX: X needs no gradient
    assert [s.expression for s in t.steps][:3] == [
        "binary_cross_entropy_with_logits(Z2, Y)",
        "W2·A1 + b2",
        "W2·A1",
    ]


def test_printed_step_layout() -> None:
    t, _, _ = traced_two_layer()
    lines = str(t).splitlines()
    assert lines[0] == "backward trace: 6 steps, in the order the engine took them"
    step3 = lines.index("step 3  W2·A1   (MatMul)")
    assert lines[step3 + 1] == "        rule   dA = dout · Bᵀ,  dB = Aᵀ · dout"
    assert lines[step3 + 2] == "        here   dW2 = d(W2·A1) · A1ᵀ,  dA1 = W2ᵀ · d(W2·A1)"
    assert lines[step3 + 3].split()[:4] == ["gets", "d(W2·A1)", "(1,", "5)"]
    assert lines[step3 + 4].split()[:4] == ["sends", "dW2", "(1,", "4)"]
    assert lines[step3 + 5].split()[:3] == ["dA1", "(4,", "5)"]
    assert (
        "step 1  J = binary_cross_entropy_with_logits(Z2, Y)   (BinaryCrossEntropyWithLogits)"
        in lines
    )
    assert repr(t) == str(t)


def test_summaries() -> None:
    assert summarize(np.array(2.0)) == "2"
    assert summarize(np.array([[0.5]])) == "0.5"
    assert summarize(np.array([1.0, 2.0, 6.0])) == "mean 3  min 1  max 6"
    assert summarize(np.zeros((0, 3))) == "empty"
    assert summarize(None) == ""


def test_an_nn_model_labelled_with_names() -> None:
    rng = np.random.RandomState(0)
    model = nn.two_layer_network(2, 3, 1)
    names = {}
    for l, layer in enumerate(model.linear_layers(), start=1):
        names[f"W{l}"], names[f"b{l}"] = layer.W, layer.b
    Z2, _ = model.forward_named(Tensor(rng.randn(2, 4), name="X"))
    J = F.binary_cross_entropy_with_logits(Z2, Tensor([[0.0, 1.0, 1.0, 0.0]], name="Y"))
    with tge.trace(names=names) as t:
        J.backward()
    assert list(t.gradients())[:4] == ["dZ2", "d(W2·A1)", "db2", "dW2"]
    assert t.steps[0].output == "t1"  # the unnamed cost: its expression is too long
    with tge.trace() as course:  # the course's networks name their parameters W1, b1, …
        J2 = F.binary_cross_entropy_with_logits(model(Tensor(rng.randn(2, 4))), np.ones((1, 4)))
        J2.backward()
    assert {"dW1", "db1", "dW2", "db2"} <= set(course.gradients())
    plain_model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    with tge.trace() as plain:  # plain Linear layers: their own names W and b
        J3 = F.binary_cross_entropy_with_logits(
            plain_model(Tensor(rng.randn(2, 4))), np.ones((1, 4))
        )
        J3.backward()
    # two layers' parameters share the names W and b: the second is told apart
    assert {"dW", "db", "dW#2", "db#2"} <= set(plain.gradients())
    assert plain.gradients()["dW#2"].shape == (1, 3)


def test_a_tensor_used_twice_gets_its_gradient_in_parts() -> None:
    x = Tensor([1.0, -2.0], requires_grad=True, name="x")
    y = x * x
    y.name = "y"
    with tge.trace() as t:
        (y + x).sum().backward()
    parts = [(g.name, g.part) for s in t.steps for g in s.sent if g.name == "dx"]
    assert parts == [("dx", (1, 3)), ("dx", (2, 3)), ("dx", (3, 3))]
    np.testing.assert_allclose(t.gradients()["dx"], x.grad)
    assert "part 3 of 3: the parts add up" in str(t)


def test_unnamed_constants_and_expressions() -> None:
    x = Tensor([0.5, 1.5], requires_grad=True, name="x")
    with tge.trace() as t:
        ((x - 1) * (x + 2)).sum().backward()
    assert [s.output for s in t.steps] == [
        "Σ((x − c)*(x + c))",
        "(x − c)*(x + c)",
        "x + c",
        "x − c",
    ]
    assert t.steps[1].equation == (
        "d(x − c) = d((x − c)*(x + c)) · (x + c),  d(x + c) = d((x − c)*(x + c)) · (x − c)"
    )


def test_two_backward_passes_in_one_trace() -> None:
    J, _, _ = two_layer_graph()
    with tge.trace() as t:
        J.backward(retain_graph=True)
        J.backward()
    assert [s.backward_pass for s in t.steps] == [1] * 6 + [2] * 6
    assert "-- backward pass 2 --" in str(t)
    assert sorted(t.order().values()) == list(range(7, 13))


def test_the_observer_is_restored_even_after_an_error() -> None:
    J, _, _ = two_layer_graph()
    before = autograd.set_backward_observer(None)
    assert before is None
    with pytest.raises(ZeroDivisionError):
        with tge.trace():
            raise ZeroDivisionError
    assert autograd.set_backward_observer(None) is None
    with tge.trace() as outer:
        with tge.trace() as inner:
            J.backward()
    assert len(inner) == len(outer) == 6  # the enclosing trace sees the steps too
    assert autograd.set_backward_observer(None) is None


def test_recording_twice_at_once_is_refused() -> None:
    t = Trace()
    with t:
        with pytest.raises(RuntimeError, match="already recording"):
            t.__enter__()


def test_bad_names_are_refused_at_once() -> None:
    with pytest.raises(TypeError, match="names maps each label to a Tensor"):
        tge.trace(names={"W1": np.zeros(3)})


def test_gradients_are_copied_so_later_updates_do_not_change_the_trace() -> None:
    J, tensors, _ = two_layer_graph()
    with tge.trace() as t:
        J.backward()
    saved = t.gradients()["dW2"].copy()
    tensors["W2"].grad += 1.0  # e.g. a second backward accumulating
    np.testing.assert_array_equal(t.gradients()["dW2"], saved)


def test_only_the_thread_that_entered_records() -> None:
    J, _, _ = two_layer_graph()
    J_other, _, _ = two_layer_graph()
    with tge.trace() as t:
        worker = threading.Thread(target=J_other.backward)
        worker.start()
        worker.join()
        assert len(t) == 0
        J.backward()
    assert len(t) == 6


def test_an_op_without_a_docstring_says_what_to_write() -> None:
    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, dout):
            return 2 * dout

    x = Tensor([1.0], requires_grad=True, name="x")
    with tge.trace() as t:
        Double.apply(x).backward(np.ones(1))
    assert t.steps[0].rule == "(no rule: give Double a docstring 'out = …;  dx = …')"
    assert t.steps[0].equation is None


def test_an_empty_trace_says_so() -> None:
    with tge.trace() as t:
        pass
    assert "no steps" in str(t)
    assert t.steps == [] and t.gradients() == {} and t.order() == {}
