"""A page that steps through the backward pass: ``to_html(J, "backprop.html")``.

The page is one HTML file with everything inline (CSS, script, SVG, data), so
it opens from disk in any browser, with no server and no network. It draws
the graph that made ``J``, and Next / Previous (or the Right / Left arrow
keys) walk the backward pass one step at a time, in the engine's order: step
``k`` highlights the op node that runs, the inputs it sends gradients to, and
shows its rule, the gradient it received, what it sent, and the lines of
``equations(J)`` it wrote. Step 0 is the forward graph alone.

**Layout.** Graphviz's ``dot`` places the nodes when it is installed
(``layout="dot"``): its ranking and crossing reduction are hard to match in a
few lines. Without it a small layered layout of our own does (rank = depth in
the graph, nodes of a rank spread evenly). Either way only the positions come
from the layout; the SVG is written here, so both pages have the same ids and
classes, and no 2 MB WASM build of Graphviz has to ride inside every page.

**Hooks for tests and scripts.** ``<body data-step="k">`` holds the current
step; each node is an SVG group with ``data-node`` = its code name in
``equations`` (``"Z2"``) and an id (``op-Z2`` for the op that made ``Z2``,
``t-Z2`` for the tensor); the op of the current step has class ``current``,
the inputs it sends to class ``target``; the rule is in ``#rule``. The steps
are a JSON ``<script type="application/json" id="steps">``, with each gradient
summarized (shape, first entries, norm), never whole arrays.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import autograd
from .autograd import Context
from .explain import Equations, EquationStep, _graph_of, equations
from .tensor import Tensor

LAYOUTS = ("auto", "dot", "layered")
ENTRIES = 4
"""How many entries of each gradient the page shows (the norm stands for the rest)."""

# Sizes in SVG pixels: a node is sized to its text, estimated from the character count
# (the page cannot measure text before it is drawn, and dot needs the sizes up front).
FONT_SIZE = 13
CHAR_WIDTH = 7.6
NODE_HEIGHT = 38
RANK_GAP = 26  # vertical space between ranks (layered layout)
NODE_GAP = 22  # horizontal space between nodes of a rank
MARGIN = 12
POINTS_PER_INCH = 72  # dot -Tplain speaks inches; SVG pixels are points here
DOT_TIMEOUT = 60  # seconds


@dataclass
class _Node:
    """One drawn node: a tensor box or an op ellipse, centred at ``(x, y)``."""

    dom_id: str
    name: str  # the code name in equations: "Z2", "W1", "X"
    kind: str  # "op", "output", "parameter" or "constant"
    lines: tuple[str, ...]  # its text: (name, shape) or (op, "step k")
    tooltip: str
    width: float = 0.0
    height: float = NODE_HEIGHT
    x: float = 0.0
    y: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)  # more data- attributes


@dataclass
class _Edge:
    source: str  # dom ids
    target: str
    path: str = ""  # the SVG path, set by the layout


@dataclass
class _Graph:
    nodes: list[_Node]  # in forward order: every node after its inputs
    edges: list[_Edge]
    op_of: dict[int, str]  # id(Context) -> dom id of its op
    tensor_of: dict[int, str]  # id(Context, leaf or constant) -> dom id of its tensor
    layout: str = ""  # which layout placed the nodes: "dot" or "layered"
    width: float = 0.0
    height: float = 0.0


def to_html(
    loss: Tensor,
    path: str | Path,
    names: Mapping[str, Tensor] | None = None,
    layout: str = "auto",
) -> Path:
    """Write a self-contained HTML page that steps through ``loss``'s backward pass.

    ``loss`` must still have its graph (call this before ``backward()``, or
    after ``backward(retain_graph=True)``); no backward is run. ``names``
    labels tensors that have no name, e.g. ``{"W1": model[0].W}``, as in
    ``equations``. ``layout`` is ``"auto"`` (Graphviz's ``dot`` if it is on
    the PATH, else ``"layered"``), ``"dot"`` or ``"layered"``. Returns the path.

    >>> from tinygrad_edu import Tensor
    >>> W = Tensor([[1.0, 2.0]], requires_grad=True, name="W")      # (1, 2)
    >>> X = Tensor([[3.0], [4.0]], name="X")                         # (2, 1)
    >>> J = (W @ X).tanh().sum()
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = to_html(J, Path(folder) / "backprop.html", layout="layered")
    ...     page.read_text(encoding="utf-8").count('class="node op')
    3
    """
    if layout not in LAYOUTS:
        raise ValueError(f"to_html: layout={layout!r}; choose one of {', '.join(LAYOUTS)}")
    if not isinstance(loss, Tensor):
        raise TypeError(f"to_html steps through the graph of a Tensor, got {type(loss).__name__}")
    _graph_of(loss, "to_html")  # no graph, or freed: says so, and how to keep it
    eq = equations(loss, names=names)
    graph = _build_graph(eq, names)
    if layout == "dot" or (layout == "auto" and shutil.which("dot") is not None):
        _dot_layout(graph)
    else:
        _layered_layout(graph)
    path = Path(path)
    path.write_text(_page(eq, graph, _payload(eq, graph)), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- #
# The graph: which nodes are drawn, with what text
# --------------------------------------------------------------------------- #


def _dom_id(prefix: str, name: str) -> str:
    """``t-Z2``: an element id. Code names are distinct Python identifiers, so ids are too."""
    return prefix + name


def _text_width(lines: Sequence[str]) -> float:
    return max(len(line) for line in lines) * CHAR_WIDTH


def _build_graph(eq: Equations, names: Mapping[str, Tensor] | None = None) -> _Graph:
    """The nodes and edges, as ``viz.to_dot`` draws them: a box per tensor (parameters,
    named constants such as ``X``, op outputs), an ellipse per op, edges along the data.
    Unnamed constants (Python numbers) are not drawn.

    A node shows its code name, except an unnamed op output: the code never names it
    (its gradient is its user's, ``dZ2`` for ``W2·A1``), so it shows the expression
    that the code's comments and the trace call it by.
    """
    step_of = {id(step.ctx): step for step in eq.steps}
    given = {id(t.grad_fn if t.grad_fn is not None else t) for t in (names or {}).values()}
    ops = [n for n in autograd.topological_order(eq.root)[::-1] if type(n) is Context]
    nodes: list[_Node] = []
    edges: list[_Edge] = []
    op_of: dict[int, str] = {}
    tensor_of: dict[int, str] = {}

    def tensor_node(key: Any, kind: str, shape: tuple[int, ...]) -> str:
        name = label = eq.name_of(key)
        unnamed = type(key) is Context and key.output_name is None and id(key) not in given
        if unnamed and not re.fullmatch(r"t\d+", eq.label_of(key)):  # not viz's own t3
            label = eq.label_of(key)
        dom_id = _dom_id("t-", name)
        lines = (label, str(shape))
        width = _text_width(lines) + 24
        what = f"the output of {key.name}" if type(key) is Context else f"a {kind}"
        nodes.append(_Node(dom_id, name, kind, lines, f"{label}: {what}, shape {shape}", width))
        tensor_of[id(key)] = dom_id
        return dom_id

    for ctx in ops:
        step = step_of.get(id(ctx))
        name = eq.name_of(ctx)
        for position, parent in enumerate(ctx.parents):
            source: Any = parent if parent is not None else ctx.named_constants.get(position)
            if source is None:
                continue  # an unnamed constant: not drawn
            if id(source) not in tensor_of:  # a leaf, drawn where it is first used
                kind = "parameter" if parent is not None else "constant"
                tensor_node(source, kind, tuple(source.shape))
        lines = (ctx.name,) if step is None else (ctx.name, f"step {step.index}")
        rule = step.rule if step is not None else ""
        op = _Node(
            _dom_id("op-", name),
            name,
            "op",
            lines,
            f"{ctx.name}: {rule}" if rule else ctx.name,
            _text_width(lines) * 1.2 + 28,  # an ellipse needs room around its text
            extra={"op": ctx.name, "step": str(step.index) if step else ""},
        )
        nodes.append(op)
        op_of[id(ctx)] = op.dom_id
        for position, parent in enumerate(ctx.parents):
            source = parent if parent is not None else ctx.named_constants.get(position)
            if source is not None:
                edges.append(_Edge(tensor_of[id(source)], op.dom_id))
        output = tensor_node(ctx, "output", tuple(ctx.shape))
        edges.append(_Edge(op.dom_id, output))
    nodes[-1].kind = "output root"  # the loss: the last node made, where the pass starts
    return _Graph(nodes, edges, op_of, tensor_of)


# --------------------------------------------------------------------------- #
# Layouts: positions for the nodes, paths for the edges
# --------------------------------------------------------------------------- #


def _layered_layout(graph: _Graph) -> None:
    """Rank = depth, nodes of a rank in a centred row; edges as gentle S-curves.

    A node's rank is one more than its deepest input's; a leaf (a parameter
    or ``X``) sits one rank above its first user rather than at the top, so
    ``W2`` is drawn beside ``A1``, where it is used. Within a rank, a few
    sweeps order nodes by the mean position of their neighbours, which
    removes most crossings of a small graph.
    """
    inputs: dict[str, list[str]] = {n.dom_id: [] for n in graph.nodes}
    users: dict[str, list[str]] = {n.dom_id: [] for n in graph.nodes}
    for edge in graph.edges:
        inputs[edge.target].append(edge.source)
        users[edge.source].append(edge.target)
    rank: dict[str, int] = {}
    for node in graph.nodes:  # forward order: inputs are ranked first
        rank[node.dom_id] = 1 + max((rank[i] for i in inputs[node.dom_id]), default=-1)
    for node in graph.nodes:
        if not inputs[node.dom_id]:
            rank[node.dom_id] = min(rank[u] for u in users[node.dom_id]) - 1
    rows: list[list[str]] = [[] for _ in range(max(rank.values()) + 1)]
    for node in graph.nodes:
        rows[rank[node.dom_id]].append(node.dom_id)

    def reorder(row: list[str], neighbours: dict[str, list[str]], index: dict[str, int]) -> None:
        def centre(n: str) -> float:
            placed = [index[m] for m in neighbours[n] if m in index]
            return sum(placed) / len(placed) if placed else index.get(n, 0)

        row.sort(key=centre)  # a stable sort: ties keep their order

    for _ in range(2):
        for r in range(1, len(rows)):  # down: follow the inputs
            reorder(rows[r], inputs, {n: i for i, n in enumerate(rows[r - 1])})
        for r in range(len(rows) - 2, -1, -1):  # up: follow the users
            reorder(rows[r], users, {n: i for i, n in enumerate(rows[r + 1])})

    graph.layout = "layered"
    by_id = {n.dom_id: n for n in graph.nodes}
    row_width = [sum(by_id[n].width for n in row) + NODE_GAP * (len(row) - 1) for row in rows]
    graph.width = max(row_width) + 2 * MARGIN
    for r, row in enumerate(rows):
        left = (graph.width - row_width[r]) / 2
        for n in row:
            node = by_id[n]
            node.x = left + node.width / 2
            node.y = MARGIN + r * (NODE_HEIGHT + RANK_GAP) + NODE_HEIGHT / 2
            left += node.width + NODE_GAP
    graph.height = len(rows) * (NODE_HEIGHT + RANK_GAP) - RANK_GAP + 2 * MARGIN
    for edge in graph.edges:
        a, b = by_id[edge.source], by_id[edge.target]
        x1, y1, x2, y2 = a.x, a.y + a.height / 2, b.x, b.y - b.height / 2  # bottom to top
        ym = (y1 + y2) / 2  # control points at mid-height: the curve leaves and arrives upright
        edge.path = f"M{x1:.1f},{y1:.1f} C{x1:.1f},{ym:.1f} {x2:.1f},{ym:.1f} {x2:.1f},{y2:.1f}"


def _dot_layout(graph: _Graph) -> None:
    """Positions and edge splines from Graphviz's ``dot -Tplain``, for our own SVG.

    Nodes are given to dot with the size we will draw them and no label, so
    its output is pure geometry: centres in inches, y upwards, and each edge
    as the control points of a cubic B-spline (a chain of Bézier segments).
    """
    program = shutil.which("dot")
    if program is None:
        raise RuntimeError(
            "to_html(layout='dot') needs Graphviz's dot program on the PATH "
            "(e.g. apt-get install graphviz); or pass layout='layered' (or 'auto')"
        )
    short = {n.dom_id: f"n{i}" for i, n in enumerate(graph.nodes)}  # ids dot needs no quotes for
    lines = [
        "digraph G {",
        "  rankdir=TB; nodesep=0.3; ranksep=0.32;",
        '  node [fixedsize=true, label=""]; edge [arrowhead=none];',
    ]
    for node in graph.nodes:
        shape = "ellipse" if node.kind == "op" else "box"
        width, height = node.width / POINTS_PER_INCH, node.height / POINTS_PER_INCH
        size = f"width={width:.3f}, height={height:.3f}"
        lines.append(f"  {short[node.dom_id]} [shape={shape}, {size}];")
    lines += [f"  {short[e.source]} -> {short[e.target]};" for e in graph.edges]
    lines.append("}")
    try:
        result = subprocess.run(
            [program, "-Tplain"],
            input="\n".join(lines),
            capture_output=True,
            text=True,
            timeout=DOT_TIMEOUT,
            check=True,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        detail = getattr(error, "stderr", "") or error
        raise RuntimeError(
            f"to_html: Graphviz's dot failed ({detail}); pass layout='layered' to draw without it"
        ) from None
    graph.layout = "dot"
    node_of = {short[n.dom_id]: n for n in graph.nodes}
    paths: dict[tuple[str, str], list[str]] = {}  # a pair used twice (x * x) has two edges
    height = 0.0
    for line in result.stdout.splitlines():
        fields = line.split()
        if fields[:1] == ["graph"]:
            graph.width = float(fields[2]) * POINTS_PER_INCH + 2 * MARGIN
            height = float(fields[3]) * POINTS_PER_INCH
            graph.height = height + 2 * MARGIN
        elif fields[:1] == ["node"]:
            node = node_of[fields[1]]
            node.x = float(fields[2]) * POINTS_PER_INCH + MARGIN
            node.y = height - float(fields[3]) * POINTS_PER_INCH + MARGIN  # y downwards
        elif fields[:1] == ["edge"]:
            count = int(fields[3])
            xy = [float(v) * POINTS_PER_INCH for v in fields[4 : 4 + 2 * count]]
            points = [(x + MARGIN, height - y + MARGIN) for x, y in zip(xy[::2], xy[1::2])]
            text = [f"{x:.1f},{y:.1f}" for x, y in points]
            path = f"M{text[0]} C" + " ".join(text[1:])  # 1 + 3k points: k Bézier segments
            paths.setdefault((fields[1], fields[2]), []).append(path)
    for edge in graph.edges:
        edge.path = paths[(short[edge.source], short[edge.target])].pop(0)


# --------------------------------------------------------------------------- #
# The data of each step, summarized
# --------------------------------------------------------------------------- #


def _number(value: float) -> str:
    return f"{value:.4g}"


def _summary(array: Any) -> dict[str, Any]:
    """What the page shows of an array: its shape, first entries and norm, as text.

    Text, not JSON numbers, so that ``nan`` and ``inf`` survive (JSON has no
    spelling for them) and the page prints exactly what Python formatted.

    >>> _summary(np.array([[3.0, 4.0]]))
    {'shape': '(1, 2)', 'entries': ['3', '4'], 'more': 0, 'norm': '5'}
    """
    values = np.asarray(array, dtype=float)
    flat = values.ravel()
    return {
        "shape": str(tuple(values.shape)),
        "entries": [_number(v) for v in flat[:ENTRIES]],
        "more": max(flat.size - ENTRIES, 0),
        "norm": _number(float(np.linalg.norm(flat))),
    }


def _source_lines(source: Sequence[str], steps: Sequence[EquationStep]) -> list[list[int]]:
    """For each step, the numbers (0-based) of the lines of ``eq.source`` it wrote.

    The steps wrote the source in order, so each is looked for after the last
    line the previous step matched: a line written twice is not confused.
    """
    found, start = [], 0
    for step in steps:
        numbers = []
        for text in step.lines:
            for i in range(start, len(source)):
                if source[i] == text:
                    numbers.append(i)
                    start = i + 1
                    break
        found.append(numbers)
    return found


def _payload(eq: Equations, graph: _Graph) -> dict[str, Any]:
    """The JSON the page's script reads: one entry per step.

    Nodes are found by identity, not by name: an unnamed tensor that only
    passes its gradient on (``W2·A1``) shares its gradient's variable (``dZ2``).
    """
    source = eq.source.splitlines()
    label_of = {n.dom_id: n.lines[0] for n in graph.nodes}
    steps = []
    for step, numbers in zip(eq.steps, _source_lines(source, eq.steps)):
        ctx = step.ctx
        sent = []
        for grad in step.sent:
            parent = ctx.parents[grad.input]
            target = parent if parent is not None else ctx.named_constants.get(grad.input)
            node = graph.tensor_of[id(target)]
            shown = {"name": grad.name, "to": label_of[node], "node": node}
            sent.append({**shown, **_summary(grad.value)})
        steps.append(
            {
                "index": step.index,
                "op": step.op,
                "output": step.output,
                "label": label_of[graph.tensor_of[id(ctx)]],
                "expression": step.expression,
                "inputs": list(step.inputs),
                "node": graph.op_of[id(ctx)],
                "tensor": graph.tensor_of[id(ctx)],
                "rule": step.rule,
                "lines": list(step.lines),
                "source_lines": numbers,
                "received": {"name": step.received_name, **_summary(step.received)},
                "sent": sent,
            }
        )
    return {"steps": steps, "loss": eq.name_of(eq.root)}


# --------------------------------------------------------------------------- #
# The page
# --------------------------------------------------------------------------- #


def _svg(graph: _Graph) -> str:
    width, height = f"{graph.width:.0f}", f"{graph.height:.0f}"
    out = [
        f'<svg id="graph" data-layout="{graph.layout}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="the computation graph">',
        "<defs>",
        *(
            f'<marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
            'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
            '<path d="M0,0 L10,5 L0,10 z"/></marker>'
            for marker in ("arrow", "arrow-active", "arrow-incoming")
        ),
        "</defs>",
        '<g class="edges">',
    ]
    for edge in graph.edges:
        out.append(
            f'<path class="edge" data-from="{edge.source}" data-to="{edge.target}" '
            f'd="{edge.path}" marker-end="url(#arrow)"/>'
        )
    out.append('</g><g class="nodes">')
    for node in graph.nodes:
        attributes = "".join(f' data-{k}="{html.escape(v)}"' for k, v in node.extra.items())
        out.append(
            f'<g id="{node.dom_id}" class="node {node.kind}" data-node="{html.escape(node.name)}"'
            f'{attributes} transform="translate({node.x:.1f},{node.y:.1f})">'
            f"<title>{html.escape(node.tooltip)}</title>"
        )
        w, h = node.width, node.height
        if node.kind == "op":
            out.append(f'<ellipse rx="{w / 2:.1f}" ry="{h / 2:.1f}"/>')
        else:
            corner = f'x="{-w / 2:.1f}" y="{-h / 2:.1f}"'
            out.append(f'<rect {corner} width="{w:.1f}" height="{h:.1f}" rx="6"/>')
        first = -(len(node.lines) - 1) * FONT_SIZE * 0.6
        for i, text in enumerate(node.lines):
            css = "name" if i == 0 else "detail"
            y = first + i * FONT_SIZE * 1.2
            out.append(f'<text class="{css}" y="{y:.1f}" dy="0.35em">{html.escape(text)}</text>')
        out.append("</g>")
    out.append("</g></svg>")
    return "\n".join(out)


def _listing(source: Sequence[str]) -> str:
    return "".join(
        f'<span class="line" data-line="{i}">{html.escape(text) or " "}</span>'
        for i, text in enumerate(source)
    )


def _json_for_script(data: Any) -> str:
    """JSON that cannot close its ``<script>`` element early (``</script>`` in a name)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(eq: Equations, graph: _Graph, payload: dict[str, Any]) -> str:
    title = f"Backward pass of {payload['loss']}: {len(eq.steps)} steps"
    replacements = {
        "{{title}}": html.escape(title),
        "{{svg}}": _svg(graph),
        "{{source}}": _listing(eq.source.splitlines()),
        "{{note}}": html.escape(eq.note),
        "{{hidden}}": "" if eq.note else " hidden",
        "{{total}}": str(len(eq.steps)),
        "{{loss}}": html.escape(payload["loss"]),
        "{{data}}": _json_for_script(payload),
    }
    # One pass, so that a tensor named "{{svg}}" is never taken for a marker.
    return re.sub(r"\{\{\w+\}\}", lambda match: replacements[match.group(0)], _TEMPLATE)


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>
:root { --ink: #1d2433; --muted: #5f6b7a; --line: #d6dbe3; --current: #d9480f;
  --current-bg: #ffe3cc; --target: #2b8a3e; --target-bg: #d3f9d8; --code-bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--ink); display: grid; grid-template-columns: minmax(0, 1fr) minmax(460px, 1.25fr);
  grid-template-rows: auto minmax(0, 1fr); height: 100vh; }
header { grid-column: 1 / 3; display: flex; align-items: center; gap: 12px;
  padding: 8px 16px; border-bottom: 1px solid var(--line); background: #fbfcfd; }
header h1 { font-size: 16px; margin: 0 auto 0 0; font-weight: 600; }
button { font: inherit; padding: 4px 14px; border: 1px solid #9aa5b4; border-radius: 6px;
  background: white; cursor: pointer; }
button:disabled { opacity: 0.4; cursor: default; }
#counter { min-width: 90px; text-align: center; font-variant-numeric: tabular-nums; }
#canvas { overflow: auto; padding: 12px; }
#graph { max-width: 100%; height: auto; display: block; margin: 0 auto; }
#panel { overflow: auto; padding: 12px 16px; border-left: 1px solid var(--line); }
#panel h2 { font-size: 13px; text-transform: uppercase; letter-spacing: 0.04em;
  color: var(--muted); margin: 14px 0 4px; }
#op { font-size: 16px; font-weight: 600; margin: 0; }
#rule, #lines, #source { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace;
  font-size: 12.5px; background: var(--code-bg); border: 1px solid var(--line);
  border-radius: 6px; padding: 6px 8px; margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
#source { max-height: 46vh; overflow: auto; position: relative; }
#source .line { display: block; padding-left: 2ch; text-indent: -2ch; }
#source .line.hl { background: var(--current-bg); box-shadow: inset 3px 0 var(--current); }
.grad { margin: 0 0 6px; font-size: 12.5px; }
.grad .name { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-weight: 600; }
.grad .shape, .grad .norm { color: var(--muted); margin-left: 10px; }
.grad .values { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace;
  color: var(--muted); padding-left: 12px; }
#note, .hint { color: var(--muted); font-size: 12.5px; }
.legend { display: flex; gap: 12px; flex-wrap: wrap; font-size: 12px; color: var(--muted); }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px;
  vertical-align: -2px; margin-right: 4px; border: 1.5px solid; }
.swatch.parameter { background: #cfe2ff; border-color: #1f4e99; }
.swatch.constant { border-color: #777; border-style: dashed; }
.swatch.op { background: #fff3c4; border-color: #b38f00; }
.swatch.current { background: var(--current-bg); border-color: var(--current); }
.swatch.target { background: var(--target-bg); border-color: var(--target); }
.edge { fill: none; stroke: #8a94a3; stroke-width: 1.3; }
#arrow path { fill: #8a94a3; }
#arrow-active path { fill: var(--target); }
#arrow-incoming path { fill: var(--current); }
.node rect, .node ellipse { stroke-width: 1.5; }
.node text { text-anchor: middle; font-size: 13px; fill: var(--ink); }
.node text.detail { font-size: 11px; fill: var(--muted); }
.node.op ellipse { fill: #fff3c4; stroke: #b38f00; }
.node.parameter rect { fill: #cfe2ff; stroke: #1f4e99; }
.node.constant rect { fill: white; stroke: #777; stroke-dasharray: 4 3; }
.node.output rect { fill: white; stroke: #3b4658; }
.node.root rect { stroke-width: 3; }
.node.done ellipse { fill: #eceff3; stroke: #9aa5b4; }
.node.current ellipse { fill: var(--current-bg); stroke: var(--current); stroke-width: 3; }
.node.source rect { stroke: var(--current); stroke-width: 2.5; }
.node.target rect { fill: var(--target-bg); stroke: var(--target); stroke-width: 2.5; }
.edge.active { stroke: var(--target); stroke-width: 2.5; marker-end: url(#arrow-active); }
.edge.incoming { stroke: var(--current); stroke-width: 2.5; marker-end: url(#arrow-incoming); }
</style>
</head>
<body data-step="0">
<header>
  <h1>{{title}}</h1>
  <button id="prev" type="button" title="Left arrow">&larr; Previous</button>
  <span id="counter">step 0 of {{total}}</span>
  <button id="next" type="button" title="Right arrow">Next &rarr;</button>
</header>
<div id="canvas">
  <div class="legend">
    <span><span class="swatch parameter"></span>parameter</span>
    <span><span class="swatch constant"></span>constant</span>
    <span><span class="swatch op"></span>op</span>
    <span><span class="swatch current"></span>this step</span>
    <span><span class="swatch target"></span>gets a gradient</span>
  </div>
  {{svg}}
</div>
<aside id="panel">
  <p id="intro" class="hint">The forward graph of {{loss}}. Press <b>Next</b> or the
  right arrow key to walk the backward pass, one op at a time, in the order the
  engine runs it ({{total}} steps); left goes back.</p>
  <div id="details" hidden>
    <p id="op"></p>
    <h2>Rule</h2>
    <pre id="rule"></pre>
    <h2>Receives</h2>
    <div id="received"></div>
    <h2>Sends</h2>
    <div id="sent"></div>
    <h2>Code</h2>
    <pre id="lines"></pre>
  </div>
  <h2>The whole backward pass, as code</h2>
  <pre id="source">{{source}}</pre>
  <p id="note"{{hidden}}>{{note}}</p>
</aside>
<script type="application/json" id="steps">{{data}}</script>
<script>
"use strict";
// Everything the page shows comes from the JSON above; text goes in through
// textContent only, so a tensor named "<b>" is shown, never parsed.
const data = JSON.parse(document.getElementById("steps").textContent);
const total = data.steps.length;
let current = 0;

function element(tag, css, text) {
  const el = document.createElement(tag);
  el.className = css;
  el.textContent = text;
  return el;
}

// One gradient: "dW2 -> W2  (1, 4)  norm 0.0073", then its first entries.
function gradient(g, label) {
  const box = element("div", "grad", "");
  const head = element("div", "", "");
  head.append(element("span", "name", label), element("span", "shape", g.shape),
    element("span", "norm", "norm " + g.norm));
  const more = g.more > 0 ? ", \u2026 (" + g.more + " more)" : "";
  box.append(head, element("div", "values", "[" + g.entries.join(", ") + more + "]"));
  return box;
}

function mark(selector, css, on) {
  document.querySelectorAll(selector).forEach((el) => el.classList.toggle(css, on(el)));
}

function show(k) {
  current = Math.max(0, Math.min(total, k));
  document.body.dataset.step = String(current);
  document.getElementById("counter").textContent = "step " + current + " of " + total;
  document.getElementById("prev").disabled = current === 0;
  document.getElementById("next").disabled = current === total;
  const step = current > 0 ? data.steps[current - 1] : null;
  const targets = new Set(step ? step.sent.map((g) => g.node) : []);
  const doneOps = new Set(data.steps.slice(0, Math.max(current - 1, 0)).map((s) => s.node));
  mark(".node.op", "current", (el) => step !== null && el.id === step.node);
  mark(".node.op", "done", (el) => doneOps.has(el.id));
  mark(".node", "target", (el) => targets.has(el.id));
  mark(".node", "source", (el) => step !== null && el.id === step.tensor);
  mark(".edge", "active", (el) => step !== null && el.dataset.to === step.node
    && targets.has(el.dataset.from));
  mark(".edge", "incoming", (el) => step !== null && el.dataset.from === step.node);
  const lines = new Set(step ? step.source_lines : []);
  mark("#source .line", "hl", (el) => lines.has(Number(el.dataset.line)));
  document.getElementById("intro").hidden = step !== null;
  document.getElementById("details").hidden = step === null;
  document.getElementById("panel").scrollTop = 0;
  if (!step) return;
  const made = step.expression === step.label ? "" : " = " + step.expression;
  document.getElementById("op").textContent = step.label + made + "   (" + step.op + ")";
  document.getElementById("rule").textContent = step.rule;
  document.getElementById("received").replaceChildren(
    gradient(step.received, step.received.name + " \u2190 from " + step.label));
  const sent = step.sent.map((g) => gradient(g, g.name + " \u2192 to " + g.to));
  if (sent.length === 0) sent.push(element("p", "hint", "nothing: no input needs a gradient"));
  document.getElementById("sent").replaceChildren(...sent);
  document.getElementById("lines").textContent = step.lines.join("\\n");
  const node = document.getElementById(step.node);
  if (node) node.scrollIntoView({block: "nearest", inline: "nearest"});
  // Scroll the listing alone (scrollIntoView would scroll the panel too, hiding the rule).
  const listing = document.getElementById("source");
  const first = listing.querySelector(".line.hl");
  if (first) listing.scrollTop = first.offsetTop - listing.clientHeight / 4;
}

document.getElementById("next").addEventListener("click", () => show(current + 1));
document.getElementById("prev").addEventListener("click", () => show(current - 1));
document.addEventListener("keydown", (event) => {
  if (event.key === "ArrowRight") { show(current + 1); event.preventDefault(); }
  if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
  if (event.key === "Home") show(0);
  if (event.key === "End") show(total);
});
show(0);
</script>
</body>
</html>
"""
