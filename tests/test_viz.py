"""Graph drawing: the DOT structure, labels, backward numbering, rendering and its fallback."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_edu as tge
import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, nn, no_grad
from tinygrad_edu.manual import two_layer
from tinygrad_edu.viz import Graph

NODE = re.compile(r'^  (\w+) \[label="((?:[^"\\]|\\.)*)"(.*)\];$')
EDGE = re.compile(r"^  (\w+) -> (\w+);$")
DOT_MISSING = shutil.which("dot") is None
NEEDS_DOT = pytest.mark.skipif(
    DOT_MISSING, reason="Graphviz's dot program is not installed (CI installs it: see .ci/run)"
)


def two_layer_graph(retain: bool = False) -> tuple[Tensor, dict[str, Tensor]]:
    """The course's network on 5 examples, every tensor named."""
    rng = np.random.RandomState(1)
    params = two_layer.init_params(2, 4, 1)
    t = {k: Tensor(v, requires_grad=True, name=k) for k, v in params.items()}
    t["X"] = Tensor(rng.randn(2, 5), name="X")
    t["Y"] = Tensor([[0.0, 1.0, 1.0, 0.0, 1.0]], name="Y")
    t["Z1"] = t["W1"] @ t["X"] + t["b1"]
    t["A1"] = t["Z1"].tanh()
    t["Z2"] = t["W2"] @ t["A1"] + t["b2"]
    t["J"] = F.binary_cross_entropy_with_logits(t["Z2"], t["Y"])
    for name in ("Z1", "A1", "Z2", "J"):
        t[name].name = name
        if retain:
            t[name].retain_grad()
    return t["J"], t


def parse(dot: str) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str]]]:
    """``{id: (label, attributes)}`` and the edges ``(from, to)`` of our DOT output."""
    nodes, edges = {}, []
    for line in dot.splitlines():
        if match := NODE.match(line):
            nodes[match[1]] = (match[2].replace("\\n", "\n"), match[3])
        elif match := EDGE.match(line):
            edges.append((match[1], match[2]))
    return nodes, edges


def by_label(nodes: dict[str, tuple[str, str]]) -> dict[str, str]:
    """First line of each label (two ops may share a name: keep their step) -> node id."""
    out = {}
    for node_id, (label, _) in nodes.items():
        lines = label.split("\n")
        key = lines[0] if not node_id.startswith("op") else " ".join(lines)
        out[key] = node_id
    return out


def test_two_layer_graph_structure() -> None:
    J, _ = two_layer_graph()
    dot = tge.to_dot(J)
    assert dot.startswith('digraph "J" {') and dot.rstrip().endswith("}")
    nodes, edges = parse(dot)
    kinds = {kind: sorted(i for i in nodes if i.startswith(kind)) for kind in ("leaf", "const")}
    ops = [label for i, (label, _) in nodes.items() if i.startswith("op")]
    tensors = [label.split("\n")[0] for i, (label, _) in nodes.items() if not i.startswith("op")]
    assert len(nodes) == 18 and len(edges) == 17
    assert sorted(ops) == sorted(
        ["MatMul", "Add", "Tanh", "MatMul", "Add", "BinaryCrossEntropyWithLogits"]
    )
    assert sorted(tensors) == sorted(
        ["W1", "b1", "W2", "b2", "X", "Y", "W1·X", "Z1", "A1", "W2·A1", "Z2", "J"]
    )
    assert len(kinds["leaf"]) == 4 and len(kinds["const"]) == 2
    assert {nodes[i][0].split("\n")[0] for i in kinds["leaf"]} == {"W1", "b1", "W2", "b2"}
    assert {nodes[i][0].split("\n")[0] for i in kinds["const"]} == {"X", "Y"}
    assert nodes[by_label(nodes)["Z1"]][0] == "Z1\n(4, 5)"  # name and shape
    assert nodes[by_label(nodes)["J"]][0] == "J\n()"
    assert "peripheries=2" in nodes[by_label(nodes)["J"]][1]  # the result stands out
    assert "fillcolor" in nodes[by_label(nodes)["W1"]][1]  # parameters are filled
    assert "dashed" in nodes[by_label(nodes)["X"]][1]  # constants are dashed
    assert "step" not in dot  # no trace, no numbering


def test_edges_follow_the_data() -> None:
    J, _ = two_layer_graph()
    with tge.trace() as t:
        J.backward()
    nodes, edges = parse(tge.to_dot(J, trace=t))
    ids = by_label(nodes)
    expected = [
        ("W1", "MatMul step 6"),
        ("X", "MatMul step 6"),
        ("MatMul step 6", "W1·X"),
        ("W1·X", "Add step 5"),
        ("b1", "Add step 5"),
        ("Add step 5", "Z1"),
        ("Z1", "Tanh step 4"),
        ("Tanh step 4", "A1"),
        ("W2", "MatMul step 3"),
        ("A1", "MatMul step 3"),
        ("MatMul step 3", "W2·A1"),
        ("W2·A1", "Add step 2"),
        ("b2", "Add step 2"),
        ("Add step 2", "Z2"),
        ("Z2", "BinaryCrossEntropyWithLogits step 1"),
        ("Y", "BinaryCrossEntropyWithLogits step 1"),
        ("BinaryCrossEntropyWithLogits step 1", "J"),
    ]
    assert sorted(edges) == sorted((ids[a], ids[b]) for a, b in expected)


def test_ops_are_numbered_by_the_steps_of_the_backward_pass() -> None:
    J, _ = two_layer_graph()
    with tge.trace() as t:
        J.backward()
    nodes, _ = parse(tge.to_dot(J, trace=t))
    steps = sorted(
        (int(label.split("step ")[1]), label.split("\n")[0])
        for i, (label, _) in nodes.items()
        if i.startswith("op")
    )
    assert steps == [
        (1, "BinaryCrossEntropyWithLogits"),
        (2, "Add"),
        (3, "MatMul"),
        (4, "Tanh"),
        (5, "Add"),
        (6, "MatMul"),
    ]
    matmul = nodes[by_label(nodes)["MatMul step 3"]][1]
    assert 'tooltip="out = A · B; dA = dout · Bᵀ,  dB = Aᵀ · dout"' in matmul


def test_values_and_gradients() -> None:
    J, t = two_layer_graph(retain=True)
    with tge.trace() as tr:
        J.backward()
    plain, _ = parse(tge.to_dot(J, show_data=True, show_grad=True))
    labels = {label.split("\n")[0]: label for label, _ in plain.values()}
    assert labels["J"] == f"J\n()\nvalue {J.item():.4g}\ngrad 1"
    assert labels["b2"].endswith(f"grad {t['b2'].grad.item():.4g}")
    assert "value mean" in labels["X"] and "grad" not in labels["X"]  # constants: no gradient
    assert "value" in labels["Z1"] and "grad" in labels["Z1"]  # retained: kept by retain_grad
    assert labels["W1·X"] == "W1·X\n(4, 5)"  # dropped intermediate: nothing at hand
    traced, _ = parse(tge.to_dot(J, show_grad=True, trace=tr))
    labels = {label.split("\n")[0]: label for label, _ in traced.values()}
    assert labels["W1·X"].startswith("W1·X\n(4, 5)\ngrad mean")  # the trace saw it


def test_a_model_labelled_through_names() -> None:
    model = nn.two_layer_network(2, 3, 1)
    names = {f"{kind}{l}": getattr(layer, kind) for l, layer in
             enumerate(model.linear_layers(), start=1) for kind in "Wb"}  # fmt: skip
    Z2, named = model.forward_named(Tensor(np.ones((2, 4)), name="X"))
    nodes, _ = parse(tge.to_dot(Z2, names=names, show_data=True))
    labels = {label.split("\n")[0] for i, (label, _) in nodes.items() if not i.startswith("op")}
    assert labels == {"W1", "b1", "W2", "b2", "X", "W1·X", "Z1", "A1", "W2·A1", "Z2"}
    nodes, _ = parse(tge.to_dot(Z2))  # without names: the course network's W1, b1, …
    labels = {label.split("\n")[0] for i, (label, _) in nodes.items() if not i.startswith("op")}
    assert {"W1", "b1", "W2", "b2", "W1·X", "W2·A1"} <= labels
    plain = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    nodes, _ = parse(tge.to_dot(plain(Tensor(np.ones((2, 4)), name="X"))))
    labels = {label.split("\n")[0] for i, (label, _) in nodes.items() if not i.startswith("op")}
    # plain Linear layers all call their parameters W and b: the second pair is told apart
    assert {"W", "b", "W#2", "b#2", "W·X", "W#2·tanh(W·X + b)"} <= labels


def test_shared_nodes_and_unnamed_constants() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = x * x + 3  # x used twice by Mul; 3 is an unnamed constant (not drawn)
    nodes, edges = parse(tge.to_dot(y.sum()))
    assert len(nodes) == 1 + 3 * 2  # x, and (op, output) for Mul, Add, Sum
    assert edges.count(("leaf1", "op0")) == 2  # both inputs of x * x
    assert [label.split("\n")[0] for i, (label, _) in nodes.items() if i.startswith("t")] == [
        "x*x",
        "x*x + c",
        "Σ(x*x + c)",
    ]


def test_expressions_are_bracketed_only_where_needed() -> None:
    a, b, c = (Tensor([1.0], requires_grad=True, name=n) for n in "abc")
    cases = {
        "a − (b + c)": a - (b + c),
        "a + b + c": (a + b) + c,
        "a + b*c": a + b * c,
        "(a + b)*c": (a + b) * c,
        "a/(b*c)": a / (b * c),
        "−(a + b)": -(a + b),
        "tanh(a + b)": (a + b).tanh(),
        "aᵀ": a.T,
        "(a*b)**c": (a * b) ** c,
    }
    for expected, tensor in cases.items():
        nodes, _ = parse(tge.to_dot(tensor))
        (root,) = [label for label, attributes in nodes.values() if "peripheries=2" in attributes]
        assert root == f"{expected}\n(1,)"


def test_a_long_expression_becomes_a_short_id() -> None:
    x = Tensor([0.5], requires_grad=True, name="x")
    y = ((x.tanh() + x.sigmoid()) * (x.exp() - x.relu())).sum()
    labels = [label.split("\n")[0] for label, _ in parse(tge.to_dot(y))[0].values()]
    assert "(tanh(x) + σ(x))*(exp(x) − relu(x))" not in labels
    assert "t1" in labels and "Σ(t1)" in labels


def test_labels_are_escaped() -> None:
    x = Tensor([1.0], requires_grad=True, name='say "hi" \\ bye')
    dot = tge.to_dot(x * 2)
    assert '"say \\"hi\\" \\\\ bye\\n(1,)"' in dot


def test_a_released_graph_can_still_be_drawn() -> None:
    J, _ = two_layer_graph()
    J.backward()  # releases the saved arrays, keeps the links
    assert len(parse(tge.to_dot(J))[1]) == 17


def test_a_deep_chain_needs_no_recursion() -> None:
    x = Tensor([1.0], requires_grad=True, name="x")
    y = x
    for _ in range(3 * sys.getrecursionlimit()):
        y = y * 1.0
    dot = tge.to_dot(y)
    assert dot.count("->") == 2 * 3 * sys.getrecursionlimit()


def test_errors_say_what_to_do() -> None:
    with pytest.raises(TypeError, match="draws the graph of a Tensor, got ndarray"):
        tge.to_dot(np.ones(3))
    with pytest.raises(RuntimeError, match="no graph: no op made it \\(a leaf\\)"):
        tge.to_dot(Tensor([1.0], requires_grad=True))
    with pytest.raises(RuntimeError, match="a constant, or made under no_grad"):
        tge.to_dot(Tensor([1.0]) * 2)
    with no_grad():
        y = Tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="e.g. the cost J"):
        tge.draw(y)
    J, _ = two_layer_graph()
    with pytest.raises(ValueError, match="end the file name with one of .svg, .png"):
        tge.draw(J, "graph.jpeg")
    with pytest.raises(TypeError, match="names maps each label to a Tensor"):
        tge.to_dot(J, names={"W1": [1.0]})


def test_draw_writes_dot_source(tmp_path) -> None:
    J, _ = two_layer_graph()
    graph = tge.draw(J, tmp_path / "graph.dot")
    assert isinstance(graph, Graph) and str(graph) == graph.source == tge.to_dot(J)
    assert (tmp_path / "graph.dot").read_text(encoding="utf-8") == graph.source
    assert repr(graph) == "<Graph: 18 nodes; .source is its DOT, .save(path) draws it>"


def test_without_graphviz_draw_writes_dot_and_says_how_to_render(
    tmp_path, monkeypatch, capsys
) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz now fails
    J, _ = two_layer_graph()
    graph = tge.draw(J, tmp_path / "graph.png")
    out = capsys.readouterr().out
    assert not (tmp_path / "graph.png").exists()
    assert (tmp_path / "graph.dot").read_text(encoding="utf-8") == graph.source
    assert out.count("\n") == 1 and "install tinygrad_edu[viz]" in out
    assert f"dot -Tpng {tmp_path / 'graph.dot'} -o {tmp_path / 'graph.png'}" in out
    assert graph._repr_svg_() is None  # Jupyter falls back to the text repr, no error
    with pytest.raises(RuntimeError, match="install tinygrad_edu\\[viz\\]"):
        graph.render("svg")


@NEEDS_DOT
def test_the_real_dot_program_parses_it_as_intended() -> None:
    J, _ = two_layer_graph(retain=True)
    with tge.trace() as t:
        J.backward()
    source = tge.to_dot(J, show_data=True, show_grad=True, trace=t)
    plain = subprocess.run(
        ["dot", "-Tplain"], input=source.encode(), capture_output=True, check=True, timeout=60
    ).stdout.decode()
    lines = plain.splitlines()
    assert sum(line.startswith("node ") for line in lines) == 18
    assert sum(line.startswith("edge ") for line in lines) == 17
    odd = Tensor([1.0], requires_grad=True, name='a "quoted" \\ name;{}') * 2
    subprocess.run(["dot", "-Tsvg"], input=tge.to_dot(odd).encode(), check=True, timeout=60)


@NEEDS_DOT
def test_draw_renders_png_and_svg(tmp_path) -> None:
    pytest.importorskip("graphviz", reason="the viz extra (graphviz package) is not installed")
    J, _ = two_layer_graph()
    graph = tge.draw(J, tmp_path / "graph.png")
    assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    graph.save(tmp_path / "graph.svg")
    assert "<svg" in (tmp_path / "graph.svg").read_text(encoding="utf-8")
    svg = graph._repr_svg_()
    assert svg is not None and "BinaryCrossEntropyWithLogits" in svg
