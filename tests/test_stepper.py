"""The backward-pass stepper page: self-contained, well formed, and true to the engine's trace.

These read the HTML file; tests/test_browser.py clicks through it in Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from browser_support import Page, norm, two_layer_loss
from hypothesis import given, settings

import tinygrad_edu as tge
from tinygrad_edu import Function, Tensor, nn, stepper
from tinygrad_edu.explain import equations
from tinygrad_edu.testing import RandomGraph, random_graphs
from tinygrad_edu.viz import Trace

NEEDS_DOT = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot program is not installed (CI installs it: see .ci/run)",
)
LAYOUTS = [pytest.param("dot", marks=NEEDS_DOT), "layered"]
COURSE_OPS = ["BinaryCrossEntropyWithLogits", "Add", "MatMul", "Tanh", "Add", "MatMul"]


def traced(J: Tensor) -> Trace:
    """The trace of an actual backward pass through J's graph (kept for the page)."""
    with tge.trace() as t:
        J.backward(retain_graph=True)
    return t


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_page_needs_nothing_from_outside(tmp_path: Path, layout: str) -> None:
    J, _ = two_layer_loss()
    text = stepper.to_html(J, tmp_path / "page.html", layout=layout).read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text  # no CDN, not even an xmlns
    assert not re.search(r"\b(?:src|href)\s*=", text)  # no external script, style or image
    assert "<link" not in text and "@import" not in text
    assert re.findall(r"url\(([^)]*)\)", text) and all(  # only the page's own markers
        ref.startswith("#") for ref in re.findall(r"url\(([^)]*)\)", text)
    )


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_page_is_well_formed_with_the_hooks_the_browser_test_reads(
    tmp_path: Path, layout: str
) -> None:
    J, _ = two_layer_loss()
    page = Page.read(stepper.to_html(J, tmp_path / "page.html", layout=layout))  # nesting, ids
    assert page.elements[0].tag == "html" and page.elements_of("body")[0].attrs["data-step"] == "0"
    for element_id in ("graph", "next", "prev", "rule", "source", "steps"):
        page.by_id(element_id)
    assert page.by_id("graph").attrs["data-layout"] == layout
    nodes = page.nodes()
    ops = [n for n in nodes if "op" in n.classes]
    tensors = {n.attrs["data-node"]: n for n in nodes if "op" not in n.classes}
    assert len(ops) == 6 and len(tensors) == 12  # as viz.to_dot draws it
    assert sorted(n.attrs["data-op"] for n in ops) == sorted(COURSE_OPS)
    assert {name for name, n in tensors.items() if "parameter" in n.classes} == {
        "W1", "b1", "W2", "b2"
    }  # fmt: skip
    assert {name for name, n in tensors.items() if "constant" in n.classes} == {"X", "Y"}
    assert {"Z1", "A1", "Z2", "J"} <= set(tensors) and "root" in tensors["J"].classes
    assert not any("current" in n.classes for n in nodes)  # step 0: nothing highlighted
    edges = [e for e in page.elements_of("path") if "edge" in e.classes]
    ids = {n.attrs["id"] for n in nodes}
    assert len(edges) == 17 and all(
        {e.attrs["data-from"], e.attrs["data-to"]} <= ids for e in edges
    )


def test_each_step_of_the_page_is_the_step_the_engine_took(tmp_path: Path) -> None:
    J, _ = two_layer_loss()
    eq = equations(J)
    page = Page.read(stepper.to_html(J, tmp_path / "page.html"))
    t = traced(J)
    steps = page.payload()["steps"]
    assert len(steps) == len(t.steps) == 6
    assert [s["op"] for s in steps] == [s.op for s in t.steps] == COURSE_OPS
    node_by_id = {n.attrs["id"]: n for n in page.nodes()}
    source = eq.source.splitlines()
    for shown, step in zip(steps, t.steps):
        op_node = node_by_id[shown["node"]]
        assert op_node.attrs["data-node"] == eq.name_of(step.ctx)
        assert op_node.attrs["data-op"] == step.op and op_node.attrs["data-step"] == str(step.index)
        assert shown["rule"] == step.rule
        assert float(shown["received"]["norm"]) == pytest.approx(norm(step.received.value), 1e-3)
        assert shown["received"]["shape"] == str(step.received.shape)
        inputs = [step.ctx.parents[g.input] for g in step.sent]
        targets = [node_by_id[s["node"]].attrs["data-node"] for s in shown["sent"]]
        assert targets == [eq.name_of(node) for node in inputs]
        for sent, g in zip(shown["sent"], step.sent):
            assert sent["shape"] == str(g.shape)
            assert float(sent["norm"]) == pytest.approx(norm(g.value), 1e-3)
            assert [float(v) for v in sent["entries"]] == pytest.approx(g.value.ravel()[:4], 1e-3)
        # the listing lines highlighted are the lines this step wrote
        assert [source[i] for i in shown["source_lines"]] == shown["lines"]
    assert "dW2 = dZ2 @ A1.T" in steps[2]["lines"]


def test_values_are_summarized_so_the_file_stays_small(tmp_path: Path) -> None:
    J, _ = two_layer_loss(m=400)  # the course's 400 examples: gradients of 400 columns
    page = stepper.to_html(J, tmp_path / "page.html")
    size = page.stat().st_size
    assert size < 2_000_000  # the limit the issue sets
    assert size < 60_000  # and far below: a few entries and a norm per gradient, not the arrays
    steps = Page.read(page).payload()["steps"]
    assert steps[0]["received"] == {"name": "dJ", "shape": "()", "entries": ["1"], "more": 0,
                                    "norm": "1"}  # fmt: skip
    assert steps[0]["sent"][0]["shape"] == "(1, 400)" and steps[0]["sent"][0]["more"] == 396


def test_the_layered_layout_ranks_nodes_by_depth(tmp_path: Path) -> None:
    J, _ = two_layer_loss()
    page = Page.read(stepper.to_html(J, tmp_path / "page.html", layout="layered"))
    y = {n.attrs["id"]: position(n)[1] for n in page.nodes()}  # op-Z1 made the tensor t-Z1
    chain = ["t-X", "op-t1", "t-t1", "op-Z1", "t-Z1", "op-A1", "t-A1", "op-t2", "t-t2", "op-Z2",
             "t-Z2", "op-J", "t-J"]  # fmt: skip
    assert [y[name] for name in chain] == sorted(y[name] for name in chain)
    assert len({y[name] for name in chain}) == len(chain)  # one rank per depth
    assert y["t-W1"] == y["t-X"]  # a leaf sits just above its first use, not at the top
    assert y["t-W2"] == y["t-A1"] and y["t-b2"] == y["t-t2"] and y["t-Y"] == y["t-Z2"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_edges_run_from_node_to_node_and_nodes_do_not_overlap(tmp_path: Path, layout: str) -> None:
    J, _ = two_layer_loss()
    text = stepper.to_html(J, tmp_path / "page.html", layout=layout).read_text(encoding="utf-8")
    boxes = node_boxes(text)
    for a in boxes:
        for b in boxes:
            if a < b:
                assert not overlap(boxes[a], boxes[b]), (a, b)
    for source, target, path in re.findall(
        r'<path class="edge" data-from="([^"]+)" data-to="([^"]+)" d="([^"]+)"', text
    ):
        points = [tuple(map(float, p)) for p in re.findall(r"(-?[\d.]+),(-?[\d.]+)", path)]
        assert inside(points[0], boxes[source]) and inside(points[-1], boxes[target]), path
        assert points[-1][1] > points[0][1]  # data flows down the page


def test_auto_draws_with_dot_only_when_it_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    J, _ = two_layer_loss()
    monkeypatch.setattr(stepper.shutil, "which", lambda program: None)
    page = Page.read(stepper.to_html(J, tmp_path / "page.html"))
    assert page.by_id("graph").attrs["data-layout"] == "layered"
    with pytest.raises(RuntimeError, match=r"dot program .* layout='layered'"):
        stepper.to_html(J, tmp_path / "dot.html", layout="dot")
    assert not (tmp_path / "dot.html").exists()


@NEEDS_DOT
def test_auto_draws_with_dot_when_it_is_installed(tmp_path: Path) -> None:
    J, _ = two_layer_loss()
    assert (
        Page.read(stepper.to_html(J, tmp_path / "p.html")).by_id("graph").attrs["data-layout"]
        == "dot"
    )


def test_a_failing_dot_names_the_way_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_dot(*args: object, **kwargs: object) -> None:
        raise subprocess.CalledProcessError(1, "dot", stderr="Error: syntax error in line 3")

    monkeypatch.setattr(stepper.shutil, "which", lambda program: "/usr/bin/dot")
    monkeypatch.setattr(stepper.subprocess, "run", broken_dot)
    J, _ = two_layer_loss()
    with pytest.raises(RuntimeError, match=r"dot failed \(Error: syntax .* layout='layered'"):
        stepper.to_html(J, tmp_path / "page.html", layout="dot")


def test_each_step_highlights_its_own_lines_of_the_listing() -> None:
    """A line written twice (``dx = dx + …`` on a tensor used three times) is matched in order;
    a line that is not in the listing is left out, not matched elsewhere."""
    source = ["dy = 1", "dx = dy", "dx = dx + dy", "dx = dx + dy", "dz = 2"]
    steps = [SimpleNamespace(lines=lines) for lines in (["dy = 1"], ["dx = dy", "dx = dx + dy"],
             ["dx = dx + dy", "not there"], ["dz = 2"])]  # fmt: skip
    assert stepper._source_lines(source, steps) == [[0], [1, 2], [3], [4]]  # type: ignore[arg-type]


def test_a_tensor_used_twice_draws_both_edges_and_steps_like_the_engine(tmp_path: Path) -> None:
    x = Tensor([1.0, -2.0], requires_grad=True, name="x")
    y = x * x + x
    y.name = "y"
    J = y.sum()
    for layout in ("layered", *(["dot"] if shutil.which("dot") else [])):
        page = Page.read(stepper.to_html(J, tmp_path / f"{layout}.html", layout=layout))
        into_mul = [e for e in page.elements_of("path") if e.attrs.get("data-to") == "op-t1"]
        assert [e.attrs["data-from"] for e in into_mul] == ["t-x", "t-x"]
    t = traced(J)
    steps = page.payload()["steps"]
    assert [s["op"] for s in steps] == [s.op for s in t.steps] == ["Sum", "Add", "Mul"]
    assert [g["to"] for g in steps[2]["sent"]] == ["x", "x"]


@settings(max_examples=15)
@given(graph=random_graphs())
def test_random_graphs_step_like_the_engine_and_are_drawn_cleanly(graph: RandomGraph) -> None:
    J = graph(*graph.leaves())
    with tempfile.TemporaryDirectory() as folder:  # Hypothesis runs this many times: no tmp_path
        path = stepper.to_html(J, Path(folder) / "page.html", layout="layered")
        text = path.read_text(encoding="utf-8")
        page = Page.read(path)
    t = traced(J)
    steps = page.payload()["steps"]
    assert [s["op"] for s in steps] == [s.op for s in t.steps], graph.program()
    assert len(page.nodes()) == len(node_boxes(text))
    boxes = list(node_boxes(text).values())
    assert not any(overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_names_label_tensors_that_have_none(tmp_path: Path) -> None:
    plain = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))  # every W is just "W"
    names = {f"{kind}{l}": getattr(layer, kind) for l, layer in
             enumerate([plain[0], plain[2]], start=1) for kind in "Wb"}  # fmt: skip
    J = plain(Tensor(np.ones((2, 4)), name="X")).sum()
    page = Page.read(stepper.to_html(J, tmp_path / "page.html", names=names, layout="layered"))
    parameters = {n.attrs["data-node"] for n in page.nodes() if "parameter" in n.classes}
    assert parameters == {"W1", "b1", "W2", "b2"}


def test_a_custom_op_without_a_rule_still_appears(tmp_path: Path) -> None:
    class Twice(Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, grad_output):
            return 2 * grad_output

    x = Tensor([1.0, 3.0], requires_grad=True, name="x")
    J = Twice.apply(x).sum()
    page = Page.read(stepper.to_html(J, tmp_path / "page.html"))
    assert "Twice" in [n.attrs.get("data-op") for n in page.nodes()]
    twice = page.payload()["steps"][1]
    assert twice["op"] == "Twice" and twice["rule"] == "rule not documented"
    assert twice["sent"][0]["entries"] == ["2", "2"]


def test_without_a_graph_the_error_says_why_and_how_to_keep_it(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    leaf = Tensor([1.0], requires_grad=True, name="w")
    with pytest.raises(RuntimeError, match=r"to_html: this tensor has no graph \(a leaf\)"):
        stepper.to_html(leaf, target)
    with pytest.raises(RuntimeError, match=r"no graph \(a constant"):
        stepper.to_html(Tensor([1.0]), target)
    J, _ = two_layer_loss()
    J.backward()  # frees the graph's saved values
    with pytest.raises(RuntimeError, match=r"freed .* backward\(retain_graph=True\)"):
        stepper.to_html(J, target)
    with pytest.raises(TypeError, match="got ndarray"):
        stepper.to_html(np.ones(2), target)  # type: ignore[arg-type]
    J, _ = two_layer_loss()
    with pytest.raises(ValueError, match="layout='svg'; choose one of auto, dot, layered"):
        stepper.to_html(J, target, layout="svg")
    assert not target.exists()


def test_after_backward_with_retain_graph_the_page_can_still_be_written(tmp_path: Path) -> None:
    J, named = two_layer_loss()
    J.backward(retain_graph=True)
    grad = named["Z2"].grad.copy()
    steps = Page.read(stepper.to_html(J, tmp_path / "page.html")).payload()["steps"]
    assert len(steps) == 6
    np.testing.assert_array_equal(named["Z2"].grad, grad)  # writing the page ran no backward


def test_the_json_cannot_end_its_script_early() -> None:
    text = stepper._json_for_script({"name": "</script><b>&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><b>&"}


# --------------------------------------------------------------------------- #
# Geometry read back from the SVG
# --------------------------------------------------------------------------- #

Box = tuple[float, float, float, float]  # left, top, right, bottom


def position(node: object) -> tuple[float, float]:
    x, y = re.match(r"translate\(([-\d.]+),([-\d.]+)\)", node.attrs["transform"]).groups()  # type: ignore[attr-defined]
    return float(x), float(y)


def node_boxes(text: str) -> dict[str, Box]:
    boxes = {}
    pattern = (
        r'<g id="([^"]+)" class="node[^"]*"[^>]* transform="translate\(([-\d.]+),([-\d.]+)\)">'
        r'<title>[^<]*</title>\s*<(?:rect x="[-\d.]+" y="[-\d.]+" '
        r'width="([\d.]+)" height="([\d.]+)"|ellipse rx="([\d.]+)" ry="([\d.]+)")'
    )
    for node_id, x, y, w, h, rx, ry in re.findall(pattern, text):
        cx, cy = float(x), float(y)
        half_w, half_h = (float(w) / 2, float(h) / 2) if w else (float(rx), float(ry))
        boxes[node_id] = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    assert len(boxes) == text.count('class="node '), "every node's shape was read"
    return boxes


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(point: tuple[float, float], box: Box, slack: float = 2.0) -> bool:
    x, y = point
    return box[0] - slack <= x <= box[2] + slack and box[1] - slack <= y <= box[3] + slack
