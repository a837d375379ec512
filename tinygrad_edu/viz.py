"""See the graph, watch the backward pass: Graphviz drawings and a step-by-step trace.

Three tools, all built on what the engine already keeps (``grad_fn``, each
node's ``parents``, the op's docstring) and on its backward observer:

- ``trace()``: ``with trace() as t: J.backward()`` records every step of the
  backward pass in the order the engine took it: the node, its op, the rule
  applied (line 1 of the op's docstring), the gradient it received and the
  gradients it sent, with their shapes, a small numeric summary and the axes
  the engine summed to undo broadcasting (where ``db = Σ_columns dZ`` comes
  from). ``print(t)`` shows it as a table, ``t.steps`` gives the data.
- ``to_dot(J)``: the graph as Graphviz DOT source, with no dependency.
- ``draw(J, "graph.png")``: the graph rendered through the ``graphviz``
  package and the ``dot`` program (``pip install tinygrad_edu[viz]`` plus the
  Graphviz system package); without them, it writes ``graph.dot`` and says in
  one line how to render it. In Jupyter the returned ``Graph`` shows inline.

**Labels.** A tensor is labelled by its name (``t.name = "Z1"``, or the
``names`` dict, e.g. ``{"W1": model[0].W}``). An unnamed op output gets an
expression built from its op and its inputs' labels, such as ``W2·A1``
(``t1``, ``t2``, … when that would be long); a Python number is ``c``. The
gradient of ``T`` is labelled ``dT``: it is ``dJ/dT``, so for the course's
``Z`` and ``A`` it is the course's ``dZ / m`` (see "The 1/m convention").

**Numbering by backward order.** The engine keeps no record of the order it
visited the nodes, so ``to_dot(J, trace=t)`` takes the trace of that backward
pass and numbers each op node with its step.

>>> from tinygrad_edu import Tensor
>>> W = Tensor([[1.0, 2.0]], requires_grad=True, name="W")
>>> X = Tensor([[3.0], [4.0]], name="X")
>>> Z = W @ X
>>> with trace() as t:
...     Z.backward()
>>> [(step.op, [g.name for g in step.sent]) for step in t.steps]
[('MatMul', ['dW'])]
>>> to_dot(Z, trace=t).count("->")
3
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import autograd
from .autograd import BackwardStep, Context
from .tensor import Tensor

LONGEST_EXPRESSION = 20
"""An unnamed tensor is labelled by its expression (``W2·A1``) up to this length, else ``t3``."""

CONSTANT = "c"
"""The label of an input that is an unnamed constant (a Python number or array)."""

# How an unnamed op output is written in terms of its inputs.
_INFIX = {"Add": " + ", "Sub": " − ", "Mul": "*", "Div": "/", "MatMul": "·", "Pow": "**"}
_FUNCTION = {
    "Tanh": "tanh",
    "Sigmoid": "σ",
    "ReLU": "relu",
    "LeakyReLU": "leaky_relu",
    "Exp": "exp",
    "Log": "ln",
    "Sqrt": "sqrt",
    "Abs": "abs",
    "Sum": "Σ",
    "Mean": "mean",
    "Max": "max",
    "Softmax": "softmax",
    "LogSoftmax": "log_softmax",
    "BinaryCrossEntropy": "binary_cross_entropy",
    "BinaryCrossEntropyWithLogits": "binary_cross_entropy_with_logits",
    "CrossEntropy": "cross_entropy",
    "MSELoss": "mse_loss",
}

_PLAIN_LABEL = re.compile(r"^[\w.#\[\]]+$")  # "W2", "t3", "W#2": no brackets needed


# --------------------------------------------------------------------------- #
# Labels and summaries, shared by the drawing and the trace
# --------------------------------------------------------------------------- #


def summarize(array: np.ndarray | None) -> str:
    """A short numeric summary: the value of a single number, else mean, min and max.

    >>> summarize(np.array(0.693147))
    '0.6931'
    >>> summarize(np.array([[1.0, -2.0, 4.0]]))
    'mean 1  min -2  max 4'
    """
    if array is None:
        return ""
    array = np.asarray(array).astype(float, copy=False)  # booleans too
    if array.size == 0:
        return "empty"
    if array.size == 1:
        return f"{array.item():.4g}"
    return f"mean {array.mean():.3g}  min {array.min():.3g}  max {array.max():.3g}"


def _grad_name(label: str) -> str:
    """``W2`` → ``dW2``; ``W2·A1`` → ``d(W2·A1)``."""
    return "d" + _operand(label)


def _operand(label: str) -> str:
    """The label as an operand of a larger expression: bracketed unless it is one name."""
    return label if _PLAIN_LABEL.match(label) else f"({label})"


def _level(label: str) -> int:
    """How tightly ``label`` binds: 1 for a sum (``a + b``), 2 for a product (``a·b``),
    3 for a power, 4 for a name or a call (``tanh(Z1)``): only what sits outside brackets counts."""
    depth, level, i = 0, 4, 0
    while i < len(label):
        ch = label[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and ch in "+−":
            return 1
        elif depth == 0 and label.startswith("**", i):
            level, i = min(level, 3), i + 1
        elif depth == 0 and ch in "*/·":
            level = 2
        i += 1
    return level


_LEVEL = {"Add": 1, "Sub": 1, "Mul": 2, "Div": 2, "MatMul": 2, "Pow": 3}


def _expression(op: str, inputs: Sequence[str]) -> str:
    """How the output of ``op`` on inputs labelled ``inputs`` is written: ``W2·A1 + b2``.

    An input is bracketed where the order of operations needs it.
    """
    if op in _INFIX and len(inputs) == 2:
        left, right = inputs
        if _level(left) < _LEVEL[op]:
            left = f"({left})"
        if _level(right) < _LEVEL[op] or (_level(right) == _LEVEL[op] and op != "Add"):
            right = f"({right})"
        return left + _INFIX[op] + right
    if op == "Neg" and len(inputs) == 1:
        return "−" + (inputs[0] if _level(inputs[0]) > 1 else f"({inputs[0]})")
    if op == "Transpose" and len(inputs) == 1:
        return _operand(inputs[0]) + "ᵀ"
    if op == "GetItem" and len(inputs) == 1:
        return _operand(inputs[0]) + "[…]"
    return f"{_FUNCTION.get(op, op)}({', '.join(inputs)})"


class _Labels:
    """The label of every tensor of a graph: its name, an expression, or ``t1``, ``t2``, …

    Labels are given in forward order (each node after its inputs), found from
    the engine's topological order, so no recursion is needed.
    """

    def __init__(self, names: Mapping[str, Tensor] | None = None) -> None:
        self.of: dict[int, str] = {}  # id(leaf tensor or Context) -> label
        self.tensors: dict[int, Tensor] = {}  # id(leaf or Context) -> a tensor holding its data
        self._given: dict[int, str] = {}
        self._used: dict[str, int] = {}  # label -> how many nodes have it
        self._unnamed = 0
        for name, tensor in (names or {}).items():
            if not isinstance(tensor, Tensor):
                raise TypeError(
                    f"names[{name!r}] is a {type(tensor).__name__}; names maps each "
                    "label to a Tensor, e.g. {'W1': model[0].W}"
                )
            key = id(tensor.grad_fn if tensor.grad_fn is not None else tensor)
            self._given[key] = name
            self.tensors[key] = tensor

    def add_graph(self, root: Context) -> list[Context]:
        """Label every tensor of ``root``'s graph; returns its ops in forward order.

        Ops are labelled in forward order (each after its inputs), and a leaf
        when an op first uses it, so that layer 1's ``W`` comes before layer 2's.
        """
        ops = [node for node in autograd.topological_order(root)[::-1] if type(node) is Context]
        for ctx in ops:
            if id(ctx) in self.of:
                continue
            for parent in ctx.parents:
                if parent is not None and id(parent) not in self.of:  # a leaf, first used here
                    self.tensors.setdefault(id(parent), parent)
                    name = self._given.get(id(parent), parent.name)
                    self.of[id(parent)] = self._unique(
                        name if name is not None else self._next_id()
                    )
            name = self._given.get(id(ctx), ctx.output_name)
            self.of[id(ctx)] = self._unique(
                name if name is not None else self._expression_or_id(ctx)
            )
        return ops

    def _unique(self, label: str) -> str:
        """Two tensors with one name (two layers' ``W``) are told apart: ``W``, ``W#2``."""
        self._used[label] = self._used.get(label, 0) + 1
        count = self._used[label]
        return label if count == 1 else self._unique(f"{label}#{count}")

    def inputs(self, ctx: Context) -> list[str]:
        """The labels of ``ctx``'s inputs, in order (``c`` for an unnamed constant)."""
        labels = []
        for position, parent in enumerate(ctx.parents):
            if parent is not None:
                labels.append(self.of[id(parent)])
            elif position in ctx.named_constants:
                constant = ctx.named_constants[position]
                labels.append(self._given.get(id(constant), constant.name))  # type: ignore[arg-type]
            else:
                labels.append(CONSTANT)
        return labels

    def _expression_or_id(self, ctx: Context) -> str:
        expression = _expression(ctx.name, self.inputs(ctx))
        return expression if len(expression) <= LONGEST_EXPRESSION else self._next_id()

    def _next_id(self) -> str:
        self._unnamed += 1
        return f"t{self._unnamed}"


def _rule(function: type) -> tuple[str, str]:
    """(forward, rule) from line 1 of the op's docstring, ``"out = A · B;  dA = …"``."""
    doc = (function.__doc__ or "").strip()
    if not doc:
        return "", f"(no rule: give {function.__name__} a docstring 'out = …;  dx = …')"
    line = doc.splitlines()[0].strip()
    if ";" not in line:
        return "", line
    forward, rule = line.split(";", 1)
    return forward.strip(), rule.strip()


_SYMBOL = re.compile(r"[A-Za-z]+")
_GRAD_CLAUSE = re.compile(r"(?:^|,)\s*d([A-Za-z]+)\s*=")


def _instantiate(
    forward: str, rule: str, inputs: Sequence[str], output: str, sent: Sequence[Gradient | None]
) -> str | None:
    """The rule written with this node's labels, for the inputs that get a gradient.

    ``out = A · B;  dA = dout · Bᵀ,  dB = Aᵀ · dout`` at ``W2·A1`` becomes
    ``dW2 = d(W2·A1) · A1ᵀ,  dA1 = W2ᵀ · d(W2·A1)``; where the engine then summed
    broadcast axes it says so: ``db2 = Σ_columns dZ2``. Returns None when the
    docstring does not name one gradient per input (``dA = …, dB = …``) or the
    output (``out = …``), so that nothing is guessed.
    """
    lhs = re.match(r"\s*([A-Za-z]+)\s*=", forward)
    starts = list(_GRAD_CLAUSE.finditer(rule))
    symbols = [match.group(1) for match in starts]
    if lhs is None or len(symbols) != len(inputs) or len(set(symbols)) != len(symbols):
        return None
    out = lhs.group(1)
    if out in symbols or not any(sent):
        return None
    names = {out: _operand(output), "d" + out: _grad_name(output), "dout": _grad_name(output)}
    for symbol, label in zip(symbols, inputs):
        names[symbol] = _operand(label)
        names["d" + symbol] = _grad_name(label)
    clauses = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(rule)
        if sent[i] is None:
            continue
        clause = rule[match.start() : end].lstrip(", ").strip()
        clause = _SYMBOL.sub(lambda m: names.get(m.group(0), m.group(0)), clause)
        if sent[i].summed_axes:  # type: ignore[union-attr]
            lhs_text, rhs = (part.strip() for part in clause.split("=", 1))
            clause = f"{lhs_text} = {_sum_symbol(sent[i])} {_operand(rhs)}"  # type: ignore[arg-type]
        clauses.append(clause)
    return ",  ".join(clauses)


def _sum_symbol(grad: Gradient) -> str:
    """``Σ_columns`` for axis 1 of a matrix (how ``db`` is made), else ``Σ_axis0``, …"""
    if len(grad.rule_shape) == 2 and grad.summed_axes in ((0,), (1,)):
        return "Σ_rows" if grad.summed_axes == (0,) else "Σ_columns"
    return "Σ_axis" + ",".join(map(str, grad.summed_axes))


# --------------------------------------------------------------------------- #
# The backward trace
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Gradient:
    """One gradient in the trace: ``name`` is ``dT`` for the tensor ``T`` it belongs to.

    ``value`` is a copy of the array (of ``shape``). ``rule_shape`` is the
    shape the op's rule returned: where it differs from ``shape``, the engine
    summed ``summed_axes`` away because the input was broadcast (``b`` of
    shape ``(n, 1)`` added to ``(n, m)``: summed over axis 1, the columns).
    ``part = (k, n)`` when the tensor was used ``n`` times, so its gradient is
    the sum of ``n`` parts. ``input`` is the position of the input it was sent
    to (None for the gradient a step received).
    """

    name: str
    shape: tuple[int, ...]
    value: np.ndarray
    rule_shape: tuple[int, ...]
    summed_axes: tuple[int, ...] = ()
    part: tuple[int, int] | None = None
    input: int | None = None


@dataclass(frozen=True)
class TraceStep:
    """One step of the backward pass: at node ``output``, the op ``op`` applied ``rule``.

    ``received`` is ``d<output>``, the gradient that reached the node; ``sent``
    the gradients it passed to its inputs (inputs that need none get none).
    ``equation`` is the rule in this node's labels, when the docstring allows.
    """

    index: int
    backward_pass: int
    op: str
    output: str
    inputs: tuple[str, ...]
    forward: str
    rule: str
    equation: str | None
    received: Gradient
    sent: tuple[Gradient, ...]
    ctx: Context

    @property
    def expression(self) -> str:
        """How the output is computed from the inputs, e.g. ``W2·A1 + b2``."""
        return _expression(self.op, self.inputs)


@dataclass
class _Record:
    """What the observer saw at one node, kept until labels can be given."""

    backward_pass: int
    ctx: Context
    received: np.ndarray
    rule_shapes: tuple[tuple[int, ...] | None, ...]
    fitted: tuple[np.ndarray | None, ...]


def _copy(array: Any) -> np.ndarray | None:
    return None if array is None else np.array(array, copy=True)


def _summed_axes(rule_shape: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """The axes of a gradient of ``rule_shape`` that were summed to reach ``shape``."""
    extra = len(rule_shape) - len(shape)
    leading = tuple(range(extra))
    stretched = tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and rule_shape[extra + i] != 1
    )
    return leading + stretched


class Trace:
    """The steps of the backward passes run inside ``with trace() as t:``.

    ``t.steps`` is the list of ``TraceStep``; ``print(t)`` shows them as a
    table; ``t.gradients()`` maps each gradient's name to its array. Records
    only in the thread that entered it; traces may be nested.
    """

    def __init__(self, names: Mapping[str, Tensor] | None = None) -> None:
        self._names = dict(names or {})
        _Labels(self._names)  # check the names now, not at the first print
        self._records: list[_Record] = []
        self._steps: list[TraceStep] | None = None
        self._passes = 0
        self._expected: set[int] = set()  # ids of nodes the current pass has sent to
        self._previous: Any = None
        self._recording = False

    def __enter__(self) -> Trace:
        if self._recording:
            raise RuntimeError("this trace is already recording; use a new trace() to nest one")
        self._previous = autograd.set_backward_observer(self._observe)
        self._recording = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        autograd.set_backward_observer(self._previous)
        self._recording = False

    def _observe(self, step: BackwardStep) -> None:
        ctx = step.ctx
        if id(ctx) not in self._expected:  # no earlier step sent to it: a new backward pass
            self._passes += 1
            self._expected = set()
        for parent, grad in zip(ctx.parents, step.fitted_grads):
            if parent is not None and grad is not None:
                self._expected.add(id(parent))
        self._records.append(
            _Record(
                self._passes,
                ctx,
                _copy(step.grad_output),  # type: ignore[arg-type]
                tuple(None if g is None else np.shape(g) for g in step.input_grads),
                tuple(_copy(g) for g in step.fitted_grads),
            )
        )
        self._steps = None
        if self._previous is not None:  # an enclosing trace sees the step too
            self._previous(step)

    @property
    def steps(self) -> list[TraceStep]:
        """Every step, in the order the engine took them (numbered from 1)."""
        if self._steps is None:
            self._steps = self._build_steps()
        return self._steps

    def _build_steps(self) -> list[TraceStep]:
        labels = _Labels(self._names)
        for record in self._records:
            if id(record.ctx) not in labels.of:  # the root of a graph not labelled yet
                labels.add_graph(record.ctx)
        uses: dict[tuple[int, int], int] = {}  # (pass, id(node)) -> gradients sent to it
        for record in self._records:
            for parent, grad in zip(record.ctx.parents, record.fitted):
                if parent is not None and grad is not None:
                    key = (record.backward_pass, id(parent))
                    uses[key] = uses.get(key, 0) + 1
        seen: dict[tuple[int, int], int] = {}
        steps = []
        for index, record in enumerate(self._records, start=1):
            ctx = record.ctx
            output = labels.of[id(ctx)]
            inputs = labels.inputs(ctx)
            sent = []
            for position, (parent, label, rule_shape, grad) in enumerate(
                zip(ctx.parents, inputs, record.rule_shapes, record.fitted)
            ):
                if parent is None or grad is None:
                    continue
                key = (record.backward_pass, id(parent))
                seen[key] = seen.get(key, 0) + 1
                part = (seen[key], uses[key]) if uses[key] > 1 else None
                shape = grad.shape
                summed = _summed_axes(rule_shape, shape) if rule_shape != shape else ()  # type: ignore[arg-type]
                sent.append(
                    Gradient(_grad_name(label), shape, grad, rule_shape, summed, part, position)  # type: ignore[arg-type]
                )
            forward, rule = _rule(ctx.function)
            by_input: list[Gradient | None] = [None] * len(inputs)
            for g in sent:
                by_input[g.input] = g  # type: ignore[index]
            received = Gradient(
                _grad_name(output), record.received.shape, record.received, record.received.shape
            )
            steps.append(
                TraceStep(
                    index=index,
                    backward_pass=record.backward_pass,
                    op=ctx.name,
                    output=output,
                    inputs=tuple(inputs),
                    forward=forward,
                    rule=rule,
                    equation=_instantiate(forward, rule, inputs, output, by_input),
                    received=received,
                    sent=tuple(sent),
                    ctx=ctx,
                )
            )
        return steps

    def gradients(self) -> dict[str, np.ndarray]:
        """Every gradient sent, by name, in the order first sent (parts added up).

        For the two-layer network: ``dZ2``, ``d(W2·A1)``, ``db2``, ``dW2``, ``dA1``, …
        """
        total: dict[str, np.ndarray] = {}
        for step in self.steps:
            for grad in step.sent:
                total[grad.name] = (
                    total[grad.name] + grad.value if grad.name in total else grad.value
                )
        return total

    def order(self) -> dict[int, int]:
        """``id(node) → step`` of the last backward pass (what ``to_dot`` numbers nodes by)."""
        last = self.steps[-1].backward_pass if self.steps else 0
        return {id(s.ctx): s.index for s in self.steps if s.backward_pass == last}

    def __len__(self) -> int:
        return len(self._records)

    def __str__(self) -> str:
        steps = self.steps
        if not steps:
            return "backward trace: no steps (was backward() called inside `with trace()`?)"
        grads = [g for s in steps for g in (s.received, *s.sent)]
        name_width = max(len(g.name) for g in grads)
        shape_width = max(len(str(g.shape)) for g in grads)
        pad = " " * len(f"step {len(steps)}  ")
        lines = [
            f"backward trace: {len(steps)} steps, in the order the engine took them",
            f"dT = d{steps[0].output}/dT, the gradient of {steps[0].output} with respect to T "
            "(for the course's Z and A this is dZ/m, dA/m)",
        ]
        current_pass = 1
        for s in steps:
            if s.backward_pass != current_pass:
                current_pass = s.backward_pass
                lines.append(f"-- backward pass {current_pass} --")
            node = s.expression if s.output == s.expression else f"{s.output} = {s.expression}"
            if not s.expression.startswith(s.op + "("):
                node += f"   ({s.op})"
            lines.append(f"step {s.index:<{len(pad) - 7}}  {node}")
            lines.append(f"{pad}rule   {s.rule}")
            if s.equation is not None and s.equation != s.rule:
                lines.append(f"{pad}here   {s.equation}")
            for tag, g in [("gets", s.received)] + [("sends", g) for g in s.sent]:
                if tag == "sends" and g is not s.sent[0]:
                    tag = ""
                notes = [summarize(g.value)]
                if g.summed_axes:
                    axes = ", ".join(map(str, g.summed_axes))
                    columns = g.summed_axes == (1,) and len(g.rule_shape) == 2
                    where = " (the columns)" if columns else ""
                    notes.append(f"the rule's {g.rule_shape} summed over axis {axes}{where}")
                if g.part is not None:
                    notes.append(f"part {g.part[0]} of {g.part[1]}: the parts add up")
                head = f"{tag:<5}  {g.name:<{name_width}}  {str(g.shape):<{shape_width}}"
                lines.append(f"{pad}{head}  {'  ·  '.join(notes)}".rstrip())
        return "\n".join(lines)

    __repr__ = __str__


def trace(names: Mapping[str, Tensor] | None = None) -> Trace:
    """Record the backward passes run inside ``with trace() as t:``, step by step.

    ``names`` labels tensors that have no name of their own, e.g.
    ``{"W1": model[0].W, "b1": model[0].b}``. See ``Trace``.
    """
    return Trace(names)


# --------------------------------------------------------------------------- #
# The graph as DOT
# --------------------------------------------------------------------------- #

_PARAMETER_STYLE = 'shape=box, style="rounded,filled", fillcolor="#cfe2ff", color="#1f4e99"'
_CONSTANT_STYLE = 'shape=box, style="rounded,dashed", color="#777777", fontcolor="#444444"'
_TENSOR_STYLE = 'shape=box, style="rounded"'
_OP_STYLE = 'shape=ellipse, style=filled, fillcolor="#fff3c4", color="#b38f00"'


def _quote(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, newlines as DOT's ``\\n``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _root_node(tensor: Any, caller: str) -> Context:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{caller} draws the graph of a Tensor, got {type(tensor).__name__}")
    if tensor.grad_fn is None:
        raise RuntimeError(
            f"{caller}: this tensor has no graph: no op made it "
            f"({'a leaf' if tensor.requires_grad else 'a constant, or made under no_grad()'}). "
            "Draw a tensor computed from leaves with requires_grad=True, e.g. the cost J."
        )
    return tensor.grad_fn


def to_dot(
    tensor: Tensor,
    show_data: bool = False,
    show_grad: bool = False,
    names: Mapping[str, Tensor] | None = None,
    trace: Trace | None = None,
) -> str:
    """The graph that made ``tensor``, as Graphviz DOT source (no dependency needed).

    One box per tensor (its label and shape: parameters, the leaves that
    require grad, filled blue; named constants such as ``X``, ``Y`` dashed;
    the result with a double border) and one ellipse per op, edges in the
    direction data flows. Unnamed constants (Python numbers) are not drawn.

    - ``show_data``: a summary of each tensor's values, where the data is at
      hand: leaves, named constants, ``tensor`` itself, and op outputs that are
      in ``names`` or kept with ``retain_grad()`` (as ``forward_named`` does).
    - ``show_grad``: a summary of each gradient: from ``trace`` for every
      tensor if given, otherwise ``.grad`` of leaves and retained outputs.
    - ``names``: labels (and data) for tensors, e.g. ``{"W1": model[0].W}``.
    - ``trace``: a ``Trace`` of a backward pass through this graph; each op is
      numbered with its step in that pass.

    >>> from tinygrad_edu import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    >>> dot = to_dot((x * x).sum())
    >>> dot.count("->"), '"Mul"' in dot
    (5, True)
    """
    root = _root_node(tensor, "to_dot")
    labels = _Labels(names)
    labels.tensors.setdefault(id(root), tensor)
    ops = labels.add_graph(root)
    step_of = trace.order() if trace is not None else {}
    sent = _gradients_by_node(trace) if trace is not None and show_grad else {}

    def describe(label: str, shape: tuple[int, ...], data_of: Any, grad: Any) -> str:
        lines = [label, str(shape)]
        if show_data and data_of is not None:
            lines.append(f"value {summarize(data_of.data)}")
        if show_grad and grad is not None:
            lines.append(f"grad {summarize(grad)}")
        return "\n".join(lines)

    out = [
        f"digraph {_quote(labels.of[id(root)])} {{",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [color="#555555"];',
    ]
    ids: dict[int, str] = {}  # id(leaf, constant or op) -> its tensor's DOT node
    for ctx in ops:
        key = id(ctx)
        op_id, tensor_id = f"op{len(ids)}", f"t{len(ids)}"
        ids[key] = tensor_id
        for position, parent in enumerate(ctx.parents):
            if parent is None and position not in ctx.named_constants:
                continue  # an unnamed constant (a Python number): not drawn
            source = parent if parent is not None else ctx.named_constants[position]
            if id(source) not in ids:  # a leaf: a parameter, or a named constant
                if parent is not None:
                    ids[id(source)] = f"leaf{len(ids)}"
                    grad = sent.get(id(source), source.grad)
                    text = describe(labels.of[id(source)], source.shape, source, grad)
                    style = _PARAMETER_STYLE
                else:
                    ids[id(source)] = f"const{len(ids)}"
                    label = labels.inputs(ctx)[position]
                    text, style = describe(label, source.shape, source, None), _CONSTANT_STYLE
                out.append(f"  {ids[id(source)]} [label={_quote(text)}, {style}];")
            out.append(f"  {ids[id(source)]} -> {op_id};")
        op_label = ctx.name if key not in step_of else f"{ctx.name}\nstep {step_of[key]}"
        tooltip = "; ".join(part for part in _rule(ctx.function) if part)
        out.append(f"  {op_id} [label={_quote(op_label)}, tooltip={_quote(tooltip)}, {_OP_STYLE}];")
        output = labels.tensors.get(key)
        if output is None and ctx.retained is not None:
            output = ctx.retained()
        grad = sent.get(key, output.grad if output is not None else None)
        text = describe(labels.of[key], ctx.shape, output, grad)
        border = ", peripheries=2" if ctx is root else ""
        out.append(f"  {tensor_id} [label={_quote(text)}, {_TENSOR_STYLE}{border}];")
        out.append(f"  {op_id} -> {tensor_id};")
    out.append("}")
    return "\n".join(out) + "\n"


def _gradients_by_node(trace: Trace) -> dict[int, np.ndarray]:
    """``id(node) → dJ/d(node)`` from the last pass of a trace (a leaf's parts added up)."""
    steps = trace.steps
    last = steps[-1].backward_pass if steps else 0
    grads: dict[int, np.ndarray] = {}
    for step in steps:
        if step.backward_pass != last:
            continue
        grads[id(step.ctx)] = step.received.value
        for g in step.sent:
            key = id(step.ctx.parents[g.input])  # type: ignore[index]
            if type(step.ctx.parents[g.input]) is not Context:  # type: ignore[index]  # a leaf: add up its parts
                grads[key] = grads[key] + g.value if key in grads else g.value
    return grads


# --------------------------------------------------------------------------- #
# Drawing: SVG / PNG through Graphviz, or a .dot file
# --------------------------------------------------------------------------- #

RENDERED = (".svg", ".png", ".pdf")
DOT_SUFFIXES = (".dot", ".gv")
VIZ_HINT = (
    "install tinygrad_edu[viz] and the Graphviz system package (e.g. apt-get install graphviz)"
)


class Graph:
    """DOT source that renders itself: ``save(path)``, and inline display in Jupyter."""

    def __init__(self, source: str) -> None:
        self.source = source

    def render(self, format: str = "svg") -> bytes:
        """The drawing as bytes (``"svg"``, ``"png"``, ``"pdf"``) through Graphviz's ``dot``.

        Raises RuntimeError, saying what to install, when the ``graphviz``
        package or the ``dot`` program is missing.
        """
        try:
            import graphviz
        except ImportError:
            raise RuntimeError(f"rendering a graph needs Graphviz: {VIZ_HINT}") from None
        try:
            return graphviz.Source(self.source).pipe(format=format)
        except graphviz.ExecutableNotFound:
            raise RuntimeError(
                f"rendering a graph needs Graphviz's dot program on the PATH: {VIZ_HINT}"
            ) from None

    def save(self, path: str | Path) -> Path:
        """Write the drawing to ``path`` (``.svg``, ``.png``, ``.pdf``, or ``.dot``); returns
        the file written: ``path``, or ``path`` with ``.dot`` when Graphviz is missing (then
        one line says how to render it)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in DOT_SUFFIXES:
            path.write_text(self.source, encoding="utf-8")
            return path
        if suffix not in RENDERED:
            raise ValueError(
                f"draw: cannot tell the format of {str(path)!r}; end the file name with one of "
                f"{', '.join(RENDERED + DOT_SUFFIXES)}"
            )
        try:
            image = self.render(suffix[1:])
        except RuntimeError:
            dot_path = path.with_suffix(".dot")
            dot_path.write_text(self.source, encoding="utf-8")
            print(
                f"wrote {dot_path} instead of {path.name}: to render it, {VIZ_HINT}, "
                f"or run: dot -T{suffix[1:]} {dot_path} -o {path}"
            )
            return dot_path
        path.write_bytes(image)
        return path

    def _repr_svg_(self) -> str | None:
        """Jupyter shows the graph inline (nothing, and no error, without Graphviz)."""
        try:
            return self.render("svg").decode("utf-8")
        except RuntimeError:
            return None

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        nodes = sum(1 for line in self.source.splitlines() if "[label=" in line)
        return f"<Graph: {nodes} nodes; .source is its DOT, .save(path) draws it>"


def draw(
    tensor: Tensor,
    path: str | Path | None = None,
    show_data: bool = False,
    show_grad: bool = False,
    names: Mapping[str, Tensor] | None = None,
    trace: Trace | None = None,
) -> Graph:
    """Draw the graph that made ``tensor``; save it to ``path`` if given.

    The format follows the suffix: ``.svg``, ``.png``, ``.pdf`` are rendered
    with Graphviz (``pip install tinygrad_edu[viz]`` and the Graphviz system
    package); without it the DOT is written to ``path`` with ``.dot`` and one
    line says how to render it. ``.dot`` writes the source. The returned
    ``Graph`` displays inline in Jupyter. Options as in ``to_dot``.
    """
    graph = Graph(to_dot(tensor, show_data, show_grad, names, trace))
    if path is not None:
        graph.save(path)
    return graph
