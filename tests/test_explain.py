"""``equations``: the backward pass written as NumPy code reproduces the engine bit for bit.

Bit for bit (``assert_array_equal``, no tolerance) because the generated code
performs the NumPy calls of the ops' ``backward`` methods in the engine's
order; any difference means the code and the engine disagree on a rule.
"""

from __future__ import annotations

import numpy as np
import pytest
from cli_support import run_main
from hypothesis import given
from hypothesis import strategies as st
from test_ops import CASES, Case

import tinygrad_edu as tge
from tinygrad_edu import Function, Tensor, nn
from tinygrad_edu import functional as F
from tinygrad_edu.explain import Equations, equations, explain
from tinygrad_edu.manual import deep, two_layer
from tinygrad_edu.testing import arrays, random_graphs


def two_layer_graph(m: int = 5) -> tuple[Tensor, dict[str, Tensor]]:
    """The course's network on ``m`` examples, every tensor named as in the course."""
    rng = np.random.RandomState(1)
    params = two_layer.init_params(2, 4, 1)
    t = {k: Tensor(v, requires_grad=True, name=k) for k, v in params.items()}
    t["X"] = Tensor(rng.randn(2, m), name="X")
    t["Y"] = Tensor((rng.rand(1, m) > 0.5).astype(float), name="Y")
    t["Z1"] = t["W1"] @ t["X"] + t["b1"]
    t["A1"] = t["Z1"].tanh()
    t["Z2"] = t["W2"] @ t["A1"] + t["b2"]
    t["J"] = F.binary_cross_entropy_with_logits(t["Z2"], t["Y"])
    for name in ("Z1", "A1", "Z2", "J"):
        t[name].name = name
        t[name].retain_grad()
    return t["J"], t


def assert_reproduces_engine(eq: Equations, leaves: dict[str, Tensor], run: dict) -> None:
    for name, leaf in leaves.items():
        if leaf.grad is None:  # not used on the way to J
            assert "d" + name not in run
            continue
        np.testing.assert_array_equal(run["d" + name], leaf.grad, err_msg=f"d{name}")


# --------------------------------------------------------------------------- #
# The course's network
# --------------------------------------------------------------------------- #


def test_two_layer_network_reads_like_the_course() -> None:
    J, t = two_layer_graph()
    code = equations(J).code().splitlines()
    assert code == [
        "m = 5",
        "dJ = np.ones(())",
        "dZ2 = (sigmoid(Z2) - Y) / m",
        "db2 = dZ2.sum(axis=1, keepdims=True)",
        "dW2 = dZ2 @ A1.T",
        "dA1 = W2.T @ dZ2",
        "dZ1 = dA1 * (1 - A1 * A1)",
        "db1 = dZ1.sum(axis=1, keepdims=True)",
        "dW1 = dZ1 @ X.T",
    ]


def test_two_layer_code_reproduces_every_gradient_bit_for_bit() -> None:
    J, t = two_layer_graph(m=400)
    eq = equations(J)
    result = eq.run()
    J.backward()
    assert_reproduces_engine(eq, {k: t[k] for k in ("W1", "b1", "W2", "b2")}, result)
    for name in ("Z2", "A1", "Z1"):  # the retained intermediates too
        np.testing.assert_array_equal(result["d" + name], t[name].grad)
    # and, with the 1/m moved, the course's own equations (manual/two_layer.py)
    params = {k: t[k].data for k in ("W1", "b1", "W2", "b2")}
    _, cache = two_layer.forward(t["X"].data, params)
    course = two_layer.backward(params, cache, t["X"].data, t["Y"].data)
    np.testing.assert_array_equal(result["dZ2"], course["dZ2"] / 400)  # (A2 − Y) / m
    for name in ("dW1", "db1", "dW2", "db2"):
        np.testing.assert_allclose(result[name], course[name], rtol=1e-12, atol=1e-15)


def test_the_note_says_where_the_one_over_m_went() -> None:
    J, _ = two_layer_graph()
    eq = equations(J)
    assert "1/m" in eq.note and "dZ = A − Y" in eq.note
    assert "m = 5  # examples" in eq.source


def test_the_source_runs_on_its_own() -> None:
    J, t = two_layer_graph()
    eq = equations(J)
    namespace = dict(eq.values)
    exec(eq.source, namespace)  # imports numpy and sigmoid itself
    J.backward()
    np.testing.assert_array_equal(namespace["dW1"], t["W1"].grad)


def test_steps_follow_the_engines_order_and_rules() -> None:
    J, _ = two_layer_graph()
    eq = equations(J)
    with tge.trace() as trace:
        J.backward()
    assert [s.op for s in eq.steps] == [s.op for s in trace.steps]
    assert [s.rule for s in eq.steps] == [s.rule for s in trace.steps]
    assert [s.index for s in eq.steps] == list(range(1, 7))
    for ours, theirs in zip(eq.steps, trace.steps):
        np.testing.assert_array_equal(ours.received, theirs.received.value)
        assert [g.input for g in ours.sent] == [g.input for g in theirs.sent]
        for a, b in zip(ours.sent, theirs.sent):
            np.testing.assert_array_equal(a.value, b.value)
    step2 = eq.steps[1]
    assert step2.op == "Add" and step2.output == "Z2" and step2.inputs == ("t2", "b2")
    assert "# d(W2·A1) is dZ2 (Add passes it on unchanged)" in step2.lines
    assert [g.name for g in step2.sent] == ["dZ2", "db2"]


def test_values_are_what_the_graph_saved_and_can_be_replaced() -> None:
    J, t = two_layer_graph()
    eq = equations(J)
    assert set(eq.values) == {"Z2", "Y", "W2", "A1", "W1", "X"}
    assert eq.values["X"] is t["X"].data
    doubled = eq.run({"X": 2 * t["X"].data})
    np.testing.assert_array_equal(doubled["dW1"], eq.gradients["dZ1"] @ (2 * t["X"].data).T)


def test_an_l_layer_relu_network_reproduces_the_engine() -> None:
    rng = np.random.RandomState(3)
    model = nn.deep_network([3, 5, 4, 1], hidden_activation="relu")
    X, Y = rng.randn(3, 16), (rng.rand(1, 16) > 0.5).astype(float)
    Z, named = model.forward_named(Tensor(X, name="X"))
    J = F.binary_cross_entropy_with_logits(Z, Tensor(Y, name="Y"))
    eq = equations(J)
    code = eq.code()
    assert "dZ1 = dA1 * Z1_positive" in code and "dW3 = dZ3 @ A2.T" in code
    result = eq.run()
    J.backward()
    for l, layer in enumerate(model.linear_layers(), start=1):
        np.testing.assert_array_equal(result[f"dW{l}"], layer.W.grad)
        np.testing.assert_array_equal(result[f"db{l}"], layer.b.grad)
    # the building blocks of manual/deep.py give the same dW, to rounding
    params = model.course_params()
    AL, caches = deep.model_forward(X, params, hidden_activation="relu")
    grads = deep.model_backward(AL, Y, caches, hidden_activation="relu")
    np.testing.assert_allclose(result["dW1"], grads["dW1"], rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------- #
# Every op, and random graphs
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("case", CASES, ids=str)
@given(data=st.data())
def test_every_op_reproduces_its_backward_bit_for_bit(case: Case, data: st.DataObject) -> None:
    drawn = data.draw(case.draw)
    leaves = {
        f"v{i}": Tensor(x, requires_grad=True, name=f"v{i}") for i, x in enumerate(drawn.inputs)
    }
    out = drawn.fn(*leaves.values())
    upstream = data.draw(arrays(out.shape, -1.0, 1.0), label="upstream gradient")
    eq = equations(out, grad=upstream)
    result = eq.run()
    out.backward(upstream)
    assert_reproduces_engine(eq, leaves, result)


@given(graph=random_graphs())
def test_random_graphs_reproduce_the_engine_bit_for_bit(graph) -> None:
    leaves = graph.leaves()
    J = graph(*leaves)
    eq = equations(J)
    result = eq.run()
    with tge.trace() as trace:
        J.backward()
    assert_reproduces_engine(eq, {leaf.name: leaf for leaf in leaves}, result)
    assert [s.op for s in eq.steps] == [s.op for s in trace.steps], graph.program()


@given(graph=random_graphs())
def test_after_backward_with_retain_graph_the_code_still_runs(graph) -> None:
    leaves = graph.leaves()
    J = graph(*leaves)
    J.backward(retain_graph=True)
    result = equations(J).run()
    assert_reproduces_engine(None, {leaf.name: leaf for leaf in leaves}, result)


def test_a_tensor_used_twice_adds_its_gradients() -> None:
    x = Tensor([1.0, -2.0], requires_grad=True, name="x")
    y = x * x
    y.name = "y"
    eq = equations((y + x).sum())
    assert eq.code().splitlines()[-4:] == [
        "dy = dt1",  # Add hands the same array to both inputs...
        "dx = dt1",
        "dx = dx + dy * x",  # ...so the parts are added into a new one, never +=
        "dx = dx + dy * x",
    ]
    assert "# x is used again: the gradients add up" in eq.source
    result = eq.run()
    (y + x).sum().backward()
    np.testing.assert_array_equal(result["dx"], x.grad)


def test_a_subtraction_added_to_an_earlier_part_is_bracketed() -> None:
    x = Tensor([[0.5, -1.0]], requires_grad=True, name="x")
    s = x.log_softmax(axis=1)
    s.name = "s"
    J = (s * x).sum()
    eq = equations(J)
    assert "dx = dx + (ds - np.exp(s) * ds.sum(axis=1, keepdims=True))" in eq.code()
    result = eq.run()
    J.backward()
    np.testing.assert_array_equal(result["dx"], x.grad)


def test_indexing_and_joins() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True, name="x")
    picked = x[[0, 0, 2]]
    sliced = x[1:]
    J = (picked * picked).sum() + F.concatenate([sliced, x]).sum() + F.stack([x, x]).max()
    eq = equations(J)
    code = eq.code()
    assert "np.add.at(" in code and "[1:] = " in code and "np.split(" in code
    assert "np.moveaxis(" in code
    result = eq.run()
    J.backward()
    np.testing.assert_array_equal(result["dx"], x.grad)


def test_a_python_number_is_written_as_a_literal() -> None:
    x = Tensor([1.5, 2.0], requires_grad=True, name="x")
    eq = equations((x**2 * 3.0).sum())
    code = eq.code()
    assert "* 3.0" in code and "2.0 * x ** (2.0 - 1)" in code
    assert set(eq.values) == {"x", "t1"}  # no constant needs a name


# --------------------------------------------------------------------------- #
# Custom ops, hooks, and bad input
# --------------------------------------------------------------------------- #


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, dout):
        (x,) = ctx.saved_tensors
        return dout * 3 * x * x


def test_a_custom_op_without_a_rule_still_appears_and_runs() -> None:
    x = Tensor([1.0, -2.0], requires_grad=True, name="x")
    J = Cube.apply(x).sum()
    eq = equations(J)
    (cube,) = [s for s in eq.steps if s.op == "Cube"]
    assert cube.rule == "rule not documented"
    assert "Cube: rule not documented" in cube.lines[0]
    assert "Cube.backward(" in eq.code()
    result = eq.run()
    J.backward()
    np.testing.assert_array_equal(result["dx"], x.grad)


def test_a_hook_is_mentioned() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    x.register_hook(lambda g: None)
    assert "x has a hook" in equations((x * x).sum()).source


def test_no_graph_is_a_runtime_error_that_says_how_to_keep_it() -> None:
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="no graph.*a leaf"):
        equations(x)
    with pytest.raises(RuntimeError, match="no graph.*constant"):
        equations(Tensor([1.0]) * 2)
    J = (x * x).sum()
    J.backward()
    with pytest.raises(RuntimeError, match="freed.*retain_graph=True"):
        equations(J)
    with pytest.raises(TypeError, match="Tensor"):
        equations(np.ones(2))  # type: ignore[arg-type]


def test_a_tensor_of_many_numbers_needs_grad() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(2,\).*grad="):
        equations(x * x)
    with pytest.raises(ValueError, match=r"grad has shape \(3,\)"):
        equations(x * x, grad=np.ones(3))


def test_equations_change_nothing_in_the_graph() -> None:
    J, t = two_layer_graph()
    equations(J)
    assert all(t[k].grad is None for k in ("W1", "b1", "W2", "b2"))
    J.backward()  # the graph is intact
    assert t["W1"].grad is not None


# --------------------------------------------------------------------------- #
# explain(): every path from the loss, summed, is the gradient
# --------------------------------------------------------------------------- #


def test_a_value_used_twice_has_two_paths_that_add_up() -> None:
    x = Tensor([1.0, -2.0], requires_grad=True, name="x")
    y = x * x
    y.name = "y"
    J = (y + x).sum()
    J.name = "J"
    why = explain(J, x)
    assert len(why.paths) == 3
    assert [e.role for e in why.paths[0].edges][-1] == "a"
    assert [e.role for e in why.paths[1].edges][-1] == "b"
    np.testing.assert_array_equal(why.paths[0].product, [1.0, -2.0])  # dy · x, one factor
    np.testing.assert_array_equal(why.paths[2].product, [1.0, 1.0])  # the direct use
    np.testing.assert_array_equal(why.paths[0].edges[-1].jacobian, np.diag([1.0, -2.0]))
    text = str(why)
    assert "3 paths from J down to x" in text and "(x as Mul's a)" in text
    assert "∂y/∂x = diag(1, -2)  (elementwise)" in text and "(equal)" in text
    J.backward()
    np.testing.assert_array_equal(why.total, x.grad)
    np.testing.assert_array_equal(why.gradient, x.grad)


def test_the_course_network_paths_to_w1_sum_to_its_gradient() -> None:
    J, t = two_layer_graph(m=3)
    why = explain(J, t["W1"])
    assert len(why.paths) == 1  # one chain: J ← Z2 ← W2·A1 ← A1 ← Z1 ← W1·X ← W1
    assert [e.op for e in why.paths[0].edges] == [
        "BinaryCrossEntropyWithLogits",
        "Add",
        "MatMul",
        "Tanh",
        "Add",
        "MatMul",
    ]
    assert why.paths[0].edges[2].rule == "dA1 = W2ᵀ · d(W2·A1)"
    J.backward()
    np.testing.assert_allclose(why.total, t["W1"].grad, rtol=1e-12, atol=1e-15)
    # a tensor inside the graph: Z1, reached through A1
    J2, t2 = two_layer_graph(m=3)
    why_z1 = explain(J2, t2["Z1"])
    J2.backward()
    np.testing.assert_allclose(why_z1.total, t2["Z1"].grad, rtol=1e-12, atol=1e-15)


@given(graph=random_graphs(max_steps=5))
def test_path_sums_equal_the_gradient_on_random_graphs(graph) -> None:
    leaves = graph.leaves()
    J = graph(*leaves)
    explained = {}
    for leaf in leaves:
        try:
            explained[leaf.name] = explain(J, leaf)
        except ValueError as error:  # unused, or too many paths to list
            assert "not in the graph" in str(error) or "more than the 64" in str(error)
    J.backward()
    for leaf in leaves:
        if leaf.name in explained:
            why = explained[leaf.name]
            assert why.equal
            np.testing.assert_allclose(why.total, leaf.grad, rtol=1e-9, atol=1e-12)
            np.testing.assert_array_equal(why.gradient, leaf.grad)


def test_too_many_paths_suggest_equations() -> None:
    x = Tensor(0.5, requires_grad=True, name="x")
    y = x
    for _ in range(7):  # each level doubles the paths: 2**7 = 128
        y = y * y
    with pytest.raises(ValueError, match=r"128 paths.*more than the 64.*equations\(loss\)"):
        explain(y, x)


def test_explain_errors() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    other = Tensor([1.0], requires_grad=True, name="other")
    J = (x * x).sum()
    with pytest.raises(ValueError, match="not in the graph"):
        explain(J, other)
    with pytest.raises(ValueError, match="needs no gradient"):
        explain(J, Tensor([1.0]))
    with pytest.raises(TypeError, match="must be a Tensor"):
        explain(J, np.ones(2))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="not one number|one number"):
        explain(x * x, x)
    with pytest.raises(RuntimeError, match="no graph"):
        explain(x, x)
    J.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        explain(J, x)


def test_a_large_local_derivative_is_not_printed() -> None:
    x = Tensor(np.linspace(-1, 1, 20), requires_grad=True, name="x")
    why = explain(x.tanh().sum(), x)
    assert why.paths[0].edges[-1].jacobian is None
    assert "too large to print" in str(why)


# --------------------------------------------------------------------------- #
# The command line
# --------------------------------------------------------------------------- #


def test_equations_command_prints_the_course_networks_code(capsys) -> None:
    code, out, err = run_main(capsys, "equations")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("# flower data, m = 400; layers [2, 4, 1], tanh hidden")
    for line in ("m = 400  # examples: the columns of Z2", "dZ2 = (sigmoid(Z2) - Y) / m"):
        assert line in lines
    assert "dW1 = dZ1 @ X.T" in lines and "# Where this differs from the course" in out
    namespace: dict = {}
    with pytest.raises(NameError):  # the code reads forward values it does not define
        exec(out, namespace)


def test_equations_command_deeper_relu(capsys) -> None:
    code, out, _ = run_main(capsys, "equations", "--hidden", "5", "3", "--activation", "relu")
    assert code == 0
    assert "dZ2 = dA2 * Z2_positive" in out and "dW3 = dZ3 @ A2.T" in out


def test_explain_command(capsys, tmp_path) -> None:
    code, out, err = run_main(capsys, "explain", "--examples", "3", "--wrt", "b1")
    assert code == 0 and err == ""
    assert "dJ/db1: 1 path from J down to b1." in out and "(equal)" in out
    code, out, err = run_main(capsys, "explain", "--wrt", "Q")
    assert code == 2 and "no such tensor; choose one of Z1, A1, Z2, W1, b1, W2, b2" in err


def test_names_reprs_and_lookups() -> None:
    J, t = two_layer_graph()
    eq = equations(J)
    assert str(eq) == eq.source and repr(eq) == "<Equations: 6 steps; print() it to read the code>"
    assert eq.name_of(t["Z1"]) == "Z1" and eq.name_of(t["W1"]) == "W1" and eq.name_of(t["X"]) == "X"
    assert eq.name_of(t["Z1"].grad_fn) == "Z1"
    with pytest.raises(KeyError, match="not a tensor or node of this graph"):
        eq.name_of(Tensor([1.0]))


def test_a_tensor_changed_between_two_uses_gets_two_names() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True, name="w")
    c = Tensor([3.0, 4.0], name="c")
    first = w * c
    with tge.no_grad():
        c += 1.0  # a new array: the first product saved the old one
    J = (first + w * c).sum()
    eq = equations(J)
    assert {"c", "c_2"} <= set(eq.values)
    result = eq.run()
    J.backward()
    np.testing.assert_array_equal(result["dw"], w.grad)


def test_float32_graphs_keep_their_dtype() -> None:
    x = Tensor(np.array([[0.5, -1.5]], dtype=np.float32), requires_grad=True, name="x")
    J = (x.tanh() * 3.0 + x[:, None, 0]).mean()
    eq = equations(J)
    result = eq.run()
    J.backward()
    assert result["dx"].dtype == np.float32
    np.testing.assert_array_equal(result["dx"], x.grad)


def test_explain_command_writes_the_stepper_page(capsys, tmp_path) -> None:
    page = tmp_path / "backprop.html"
    code, out, err = run_main(capsys, "explain", "--examples", "4", "--html", str(page))
    assert code == 0 and err == ""
    assert f"wrote {page}" in out
    text = page.read_text("utf-8")
    assert '<script type="application/json" id="steps">' in text and "dW1 = dZ1 @ X.T" in text
