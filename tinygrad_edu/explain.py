"""Backprop, explained: the backward pass of *your* graph written out as NumPy code.

``equations(J)`` reads the graph that made ``J`` and writes the backward pass
the engine would run as straight-line NumPy, one step per node in the
engine's order, in the course's notation: each gradient is ``d<name>`` of its
tensor (``dZ2``, ``dW2``, ``dA1``), each right-hand side is the op's rule with
this node's names put in. Nothing is run on the graph itself: no ``.grad``
changes.

- A tensor used twice gets its gradients added: ``dx = dx + …``. (Not
  ``dx += …``: the first part may be the very array another gradient holds,
  since ``Add`` hands the same ``dout`` to both inputs, and ``+=`` would
  change both.)
- Where broadcasting stretched an input (``b`` of shape ``(n, 1)`` added to
  ``(n, m)``) the code shows the sum that undoes it:
  ``db2 = dZ2.sum(axis=1, keepdims=True)``.
- The ``1/m`` appears where the mean put it: in the cost's rule (``/ m``).
- An unnamed tensor that only passes its gradient on (``W2·A1`` inside
  ``Z2 = W2·A1 + b2``) gets no variable of its own: ``dW2 = dZ2 @ A1.T``.

The code runs: ``equations(J).run()`` executes it on the forward values the
graph saved (``.values``) and returns every gradient. It performs the NumPy
calls the ops' ``backward`` methods perform, in the same order, so its
results equal the engine's to the last bit; the tests check that on random
graphs.

``explain(J, x)`` answers "why is ``x.grad`` what it is?" for a small graph:
every path from ``J`` down to ``x``, the local derivative on each edge, the
product along each path, and their sum, which is ``x.grad``.

>>> from tinygrad_edu import Tensor
>>> W = Tensor([[0.5, -1.0]], requires_grad=True, name="W")   # (1, 2)
>>> X = Tensor([[1.0, 2.0], [3.0, 4.0]], name="X")            # (2, m = 2)
>>> Z = W @ X
>>> A = Z.tanh()
>>> J = A.mean()
>>> Z.name, A.name, J.name = "Z", "A", "J"
>>> print(equations(J).code())
m = 2
dJ = np.ones(())
dA = np.broadcast_to(dJ.reshape((1, 1)) / m, (1, 2))
dZ = dA * (1 - A * A)
dW = dZ @ X.T
"""

from __future__ import annotations

import ast
import keyword
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import ops
from .autograd import Context, Function, _fit, topological_order
from .ops.activations import sigmoid
from .ops.shape import _may_repeat
from .tensor import Tensor
from .viz import (
    _GRAD_CLAUSE,
    Gradient,
    _expression,
    _grad_name,
    _instantiate,
    _Labels,
    _operand,
    _rule,
)

MAX_PATHS = 64
"""``explain`` lists at most this many paths; beyond that, read ``equations`` instead."""

CONSTANT_TEXT = "c"
"""How an unnamed constant input (a Python number) is shown in a step's inputs."""

# --------------------------------------------------------------------------- #
# Each op's backward, as the NumPy code it runs
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Code:
    """An op's backward written with symbols: ``dout``, ``out``, its inputs and saved values.

    ``inputs`` names the op's inputs in order, ``saved`` the values it passed
    to ``save_for_backward`` in order (an input's symbol, ``out``, or a new
    symbol such as ``z_positive`` for a value the op derived), ``grads`` the
    expression of each input's gradient (None: the rule gives it none).
    ``counts`` gives, from the saved values, each number the rule divides by
    and the shape of what was averaged (None: it counts examples by definition).
    ``meaning`` says what a derived value is, in the input symbols.
    """

    inputs: tuple[str, ...]
    saved: tuple[str, ...]
    grads: tuple[str | None, ...]
    counts: Callable[[tuple[Any, ...]], dict[str, tuple[int, Any]]] | None = None
    meaning: Mapping[str, str] = field(default_factory=dict)


def _size_of_first(saved: tuple[Any, ...]) -> dict[str, tuple[int, Any]]:
    return {"N": (int(np.size(saved[0])), np.shape(saved[0]))}


def _mean_count(saved: tuple[Any, ...]) -> dict[str, tuple[int, Any]]:
    x_shape, _, count = saved
    return {"N": (count, x_shape)}


def _examples(saved: tuple[Any, ...]) -> dict[str, tuple[int, Any]]:
    return {"m": (saved[3], None)}


_MAX_SHARE = "(a > b) + 0.5 * (a == b)"
_MIN_SHARE = "(a < b) + 0.5 * (a == b)"

# The backward method of each op, line for line (see ops/): same NumPy calls, same order.
NUMPY_RULES: dict[type[Function], _Code] = {
    ops.Add: _Code(("a", "b"), (), ("dout", "dout")),
    ops.Sub: _Code(("a", "b"), (), ("dout", "-dout")),
    ops.Mul: _Code(("a", "b"), ("a", "b"), ("dout * b", "dout * a")),
    ops.Div: _Code(("a", "b"), ("b", "out"), ("dout / b", "-dout * out / b")),
    ops.Pow: _Code(
        ("a", "b"),
        ("a", "b", "out"),
        (
            "dout * np.where(b == 0, 0.0, b * a ** (b - 1))",
            "dout * np.where(out == 0, 0.0, out * np.log(a))",
        ),
    ),
    ops.Neg: _Code(("x",), (), ("-dout",)),
    ops.Exp: _Code(("x",), ("out",), ("dout * out",)),
    ops.Log: _Code(("x",), ("x",), ("dout / x",)),
    ops.Sqrt: _Code(("x",), ("out",), ("dout / (2 * out)",)),
    ops.Abs: _Code(("x",), ("x",), ("dout * np.sign(x)",)),
    ops.Clip: _Code(
        ("x",), ("x_inside",), ("dout * x_inside",), meaning={"x_inside": "lo <= x <= hi"}
    ),
    ops.Maximum: _Code(
        ("a", "b"), ("a", "b"), (f"dout * ({_MAX_SHARE})", f"dout * (1 - ({_MAX_SHARE}))")
    ),
    ops.Minimum: _Code(
        ("a", "b"), ("a", "b"), (f"dout * ({_MIN_SHARE})", f"dout * (1 - ({_MIN_SHARE}))")
    ),
    ops.Where: _Code(
        ("condition", "a", "b"),
        ("condition",),
        (None, "dout * condition", "dout * ~condition"),
    ),
    ops.Sigmoid: _Code(("z",), ("out",), ("dout * out * (1 - out)",)),
    ops.Tanh: _Code(("z",), ("out",), ("dout * (1 - out * out)",)),
    ops.ReLU: _Code(
        ("z",), ("z_positive",), ("dout * z_positive",), meaning={"z_positive": "z > 0"}
    ),
    ops.LeakyReLU: _Code(
        ("z",), ("z_slope",), ("dout * z_slope",), meaning={"z_slope": "1 where z > 0, else slope"}
    ),
    ops.Softmax: _Code(
        ("z",), ("out", "ax"), ("out * (dout - (dout * out).sum(axis=ax, keepdims=True))",)
    ),
    ops.LogSoftmax: _Code(
        ("z",), ("out", "ax"), ("dout - np.exp(out) * dout.sum(axis=ax, keepdims=True)",)
    ),
    ops.Sum: _Code(
        ("x",), ("x_shape", "kept_shape"), ("np.broadcast_to(dout.reshape(kept_shape), x_shape)",)
    ),
    ops.Mean: _Code(
        ("x",),
        ("x_shape", "kept_shape", "N"),
        ("np.broadcast_to(dout.reshape(kept_shape) / N, x_shape)",),
        _mean_count,
    ),
    ops.Max: _Code(
        ("x",),
        ("x_share", "kept_shape"),
        ("x_share * dout.reshape(kept_shape)",),
        meaning={"x_share": "(x == max) / number of maxima"},
    ),
    ops.MatMul: _Code(("A", "B"), ("A", "B"), ("dout @ B.T", "A.T @ dout")),
    ops.Reshape: _Code(("x",), ("x_shape",), ("dout.reshape(x_shape)",)),
    ops.Transpose: _Code(("x",), ("inverse",), ("dout.transpose(inverse)",)),
    ops.BinaryCrossEntropy: _Code(
        ("A", "Y"),
        ("A", "Y"),
        (
            "dout * (np.where(Y != 0, -Y / A, 0.0) + np.where(Y != 1, (1 - Y) / (1 - A), 0.0)) / N",
            "dout * (np.log(1 - A) - np.log(A)) / N",
        ),
        counts=_size_of_first,
    ),
    ops.BinaryCrossEntropyWithLogits: _Code(
        ("Z", "Y"), ("Z", "Y"), ("dout * (sigmoid(Z) - Y) / N", "-dout * Z / N"), _size_of_first
    ),
    ops.MSELoss: _Code(
        ("A", "Y"),
        ("A_minus_Y",),
        ("dout * 2 * A_minus_Y / N", "-(dout * 2 * A_minus_Y / N)"),
        _size_of_first,
        {"A_minus_Y": "A - Y"},
    ),
}

# Cross-entropy's rule depends on whether Y came as integer labels (then one-hot
# was made inside the op, and Y gets no gradient): two variants.
_CROSS_ENTROPY_ONE_HOT = _Code(
    ("Z", "Y"),
    ("Z_log_softmax", "Y", "ax", "m", "labels_given"),
    (
        "dout * (np.exp(Z_log_softmax) * Y.sum(axis=ax, keepdims=True) - Y) / m",
        "-dout * Z_log_softmax / m",
    ),
    _examples,
    {"Z_log_softmax": "log softmax(Z)"},
)
_CROSS_ENTROPY_LABELS = _Code(
    ("Z", "Y"),
    ("Z_log_softmax", "Y_one_hot", "ax", "m", "labels_given"),
    ("dout * (np.exp(Z_log_softmax) * 1 - Y_one_hot) / m", None),
    _examples,
    {"Z_log_softmax": "log softmax(Z)", "Y_one_hot": "Y as one-hot columns"},
)

# Ops whose backward is not one expression per input: written as a few lines each.
_LINES = (ops.GetItem, ops.Concatenate, ops.Stack)


def _code_for(ctx: Context) -> _Code | None:
    """The op's code, or None where the code calls its ``backward`` (custom ops)."""
    if ctx.function is ops.CrossEntropy:
        labels_given = ctx.saved_tensors[4]
        return _CROSS_ENTROPY_LABELS if labels_given else _CROSS_ENTROPY_ONE_HOT
    if ctx.function is ops.MatMul and any(np.ndim(a) != 2 for a in ctx.saved_tensors):
        return None  # 1-D or batched operands: ops/matmul.py reshapes first
    return NUMPY_RULES.get(ctx.function)


# --------------------------------------------------------------------------- #
# Names and literals
# --------------------------------------------------------------------------- #

_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_SYMBOL = re.compile(r"(?<![.\w])([A-Za-z_]\w*)(?!\s*=[^=])")  # not an attribute or a keyword=
_RESERVED = {"np", "sigmoid", "m"} | set(keyword.kwlist) | {"True", "False", "None"}


def _literal(value: Any) -> str | None:
    """Python source for a small value (a number, a shape, an axis), or None if it needs a name."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return repr(None if value is None else bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, float) and np.isfinite(value):
        return repr(value)
    if isinstance(value, tuple) and all(isinstance(v, (int, np.integer)) for v in value):
        return repr(tuple(int(v) for v in value))
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iu" and value.ndim == 1 and value.size <= 8:
            return repr(tuple(int(v) for v in value))
        if value.dtype == np.float64 and value.ndim == 0 and np.isfinite(value):
            text = repr(float(value))
            return f"({text})" if text.startswith("-") else text
    return None


def _index_literal(index: Any) -> str | None:
    """``[0, 1:3]``-style source for a basic index (ints, slices, None, ...), else None."""
    parts = index if isinstance(index, tuple) else (index,)
    texts = []
    for part in parts:
        if isinstance(part, (int, np.integer)) and not isinstance(part, bool):
            texts.append(str(int(part)))
        elif isinstance(part, slice):
            bounds = [part.start, part.stop, part.step]
            if not all(b is None or isinstance(b, (int, np.integer)) for b in bounds):
                return None
            text = ":".join("" if b is None else str(int(b)) for b in bounds)
            texts.append(text[:-1] if text.endswith(":") else text)
        elif part is None:
            texts.append("None")
        elif part is Ellipsis:
            texts.append("...")
        else:
            return None
    return ", ".join(texts) + ("," if len(texts) == 1 and isinstance(index, tuple) else "")


def _atom(expression: str) -> str:
    """The expression bracketed unless it is one name, attribute or subscript."""
    return expression if re.fullmatch(r"[\w.]+(\[[^\[\]]*\])?", expression) else f"({expression})"


def _substitute(template: str, symbols: Mapping[str, str]) -> str:
    return _SYMBOL.sub(lambda match: symbols.get(match.group(1), match.group(1)), template)


class _Namer:
    """Identifiers for the generated code, each used once: ``W``, ``W_2``, …"""

    def __init__(self) -> None:
        self.used = set(_RESERVED)

    def claim(self, wanted: str) -> str:
        base = re.sub(r"\W", "_", wanted)
        if not _IDENTIFIER.fullmatch(base):
            base = "t_" + base
        name, count = base, 1
        while name in self.used:
            count += 1
            name = f"{base}_{count}"
        self.used.add(name)
        return name


# --------------------------------------------------------------------------- #
# equations()
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class SentGradient:
    """A gradient one step sent to an input: ``name`` is the variable that holds it.

    ``of`` is the code name of the input; ``input`` its position; ``value`` the
    gradient after broadcast axes were summed (the input's shape). For an
    unnamed tensor that only passes its gradient on, ``name`` is the variable it
    shares (``dZ2`` for ``W2·A1``).
    """

    name: str
    of: str
    input: int
    value: np.ndarray


@dataclass(frozen=True)
class EquationStep:
    """One step of the backward pass: the node, its rule, and the lines of code it wrote.

    ``received`` is the gradient that reached the node and ``received_name`` the
    variable holding it (``dZ2`` also at ``W2·A1``, which only passes it on).
    """

    index: int
    ctx: Context
    op: str
    output: str
    inputs: tuple[str, ...]
    expression: str
    rule: str
    lines: tuple[str, ...]
    received: np.ndarray
    sent: tuple[SentGradient, ...]
    received_name: str


class Equations:
    """The backward pass of one graph as NumPy code; see ``equations``.

    ``source`` is the program (``str(eq)`` too); ``steps`` its steps in the
    engine's order; ``values`` the forward values it reads, by name;
    ``gradients`` what it computes, by name; ``run(values)`` executes it.
    """

    def __init__(
        self,
        root: Context,
        header: list[str],
        steps: list[EquationStep],
        values: dict[str, Any],
        gradients: dict[str, np.ndarray],
        variables: dict[str, str],
        names: dict[int, str],
        labels: dict[int, str],
        note: str,
    ) -> None:
        self.root = root
        self.steps = steps
        self.values = values
        self.gradients = gradients
        self.note = note
        self._header = header
        self._variables = variables  # gradient name -> the variable holding it
        self._names = names  # id(node) -> code name
        self._labels = labels  # id(node) -> the trace's label

    @property
    def source(self) -> str:
        """The whole program: imports, constants, the seed gradient, then each step."""
        lines = list(self._header)
        for step in self.steps:
            lines.append("")
            lines.extend(step.lines)
        return "\n".join(lines) + "\n"

    def code(self) -> str:
        """The assignments alone, without comments, imports or blank lines."""
        lines = self._header + [line for step in self.steps for line in step.lines]
        code = [
            line.split("  #")[0] for line in lines if not line.startswith(("#", "import", "from"))
        ]
        return "\n".join(code)

    def name_of(self, node: Any) -> str:
        """The code name of a node: an op's ``Context`` (its output), a leaf or a constant."""
        return self._names[self._key(node)]

    def label_of(self, node: Any) -> str:
        """How ``trace`` and the code's comments call a node: its name, else its
        expression (``W2·A1``), else ``t3``."""
        return self._labels[self._key(node)]

    def _key(self, node: Any) -> int:
        key = (
            id(node.grad_fn) if isinstance(node, Tensor) and node.grad_fn is not None else id(node)
        )
        if key not in self._names:
            raise KeyError(f"{node!r} is not a tensor or node of this graph")
        return key

    def run(self, values: Mapping[str, Any] | None = None) -> dict[str, np.ndarray]:
        """Execute ``source`` on ``values`` (default: ``self.values``, what the graph saved).

        Returns every gradient by name (``dW1``, ``dZ1``, …), as arrays.
        """
        namespace: dict[str, Any] = {"np": np, "sigmoid": sigmoid}
        namespace.update(self.values)
        if values is not None:
            namespace.update(values)
        with np.errstate(all="ignore"):  # as the ops' backward methods run
            exec(compile(self.source, "<equations>", "exec"), namespace)
        return {name: np.asarray(namespace[var]) for name, var in self._variables.items()}

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"<Equations: {len(self.steps)} steps; print() it to read the code>"


def equations(
    loss: Tensor, names: Mapping[str, Tensor] | None = None, grad: Any = None
) -> Equations:
    """The backward pass of ``loss``'s graph, written as NumPy code in the course's notation.

    ``names`` labels tensors that have no name (``{"W1": model[0].W}``).
    ``grad`` is ``dJ/dloss`` for a loss of more than one number, as
    ``backward(grad)`` takes it. Call it before ``loss.backward()``, or after
    ``loss.backward(retain_graph=True)``: the code reads the values the graph
    saved for its backward pass.

    >>> from tinygrad_edu import Tensor
    >>> W = Tensor([[1.0, 2.0]], requires_grad=True, name="W")
    >>> X = Tensor([[3.0], [4.0]], name="X")
    >>> Z = W @ X
    >>> Z.name = "Z"
    >>> print(equations(Z.sum()).code())
    dt1 = np.ones(())
    dZ = np.broadcast_to(dt1.reshape((1, 1)), (1, 1))
    dW = dZ @ X.T
    """
    root = _graph_of(loss, "equations")
    return _Writer(root, names).write(grad)


def _graph_of(tensor: Any, caller: str) -> Context:
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"{caller} takes the Tensor at the end of a graph, got {type(tensor).__name__}"
        )
    if tensor.grad_fn is None:
        kind = "a leaf" if tensor.requires_grad else "a constant, or made under no_grad()"
        raise RuntimeError(
            f"{caller}: this tensor has no graph ({kind}); no op recorded how it was made. "
            "Pass the tensor at the end of the computation, e.g. the cost J."
        )
    released = [
        node
        for node in topological_order(tensor.grad_fn)
        if type(node) is Context and node.released
    ]
    if released:
        raise RuntimeError(
            f"{caller}: the graph's saved values were freed by an earlier backward() "
            f"(at {released[0].name}). Call {caller} before backward(), or call "
            "backward(retain_graph=True) to keep the graph, or run the forward pass again."
        )
    return tensor.grad_fn


def _same(a: Any, b: Any) -> bool:
    """True when two forward values are one and the same (identity, or equal arrays)."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    return False


def _needs_brackets_after_plus(expression: str) -> bool:
    """``dx + (a - b)`` needs brackets (a sum is not associative in floating point)."""
    node = ast.parse(expression, mode="eval").body
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call, ast.UnaryOp)):
        return False
    return not (isinstance(node, ast.BinOp) and not isinstance(node.op, (ast.Add, ast.Sub)))


class _Writer:
    """Walks the graph as ``autograd.backward`` does and writes the code of each step.

    Every line is run as soon as it is written (a dry run on the saved values),
    which tells the shapes that decide where broadcast axes must be summed and
    gives each step's values.
    """

    def __init__(self, root: Context, names: Mapping[str, Tensor] | None) -> None:
        self.root = root
        self.labels = _Labels(names)
        ops_forward = self.labels.add_graph(root)
        self.namer = _Namer()
        self.names: dict[int, str] = {}  # id(node or named constant) -> code name
        self.user_named: set[int] = set()
        self.values: dict[str, Any] = {}
        self.value_notes: dict[str, str] = {}
        self.ns: dict[str, Any] = {"np": np, "sigmoid": sigmoid}  # where the dry run runs
        self.m: int | None = None
        self.m_from = ""
        self._name_nodes(ops_forward, names)

    # -- names and values -------------------------------------------------- #

    def _name_nodes(self, ops_forward: list[Context], names: Mapping[str, Tensor] | None) -> None:
        """Code names in forward order: a tensor's own name, else ``t1``, ``t2``, …"""
        given = {id(t.grad_fn if t.grad_fn is not None else t): n for n, t in (names or {}).items()}
        unnamed = 0
        for ctx in ops_forward:
            nodes = [(p, p.name) for p in ctx.parents if p is not None]
            nodes += [(c, c.name) for c in ctx.named_constants.values()]
            nodes.append((ctx, ctx.output_name))
            for node, own_name in nodes:
                key = id(node)
                if key in self.names:
                    continue
                wanted = given.get(key, own_name)
                if wanted is None:
                    unnamed += 1
                    wanted = f"t{unnamed}"
                else:
                    self.user_named.add(key)
                self.names[key] = self.namer.claim(wanted)

    def _input_name(self, ctx: Context, position: int) -> str | None:
        """The code name of input ``position``, or None for an unnamed constant."""
        parent = ctx.parents[position]
        if parent is not None:
            return self.names[id(parent)]
        constant = ctx.named_constants.get(position)
        return None if constant is None else self.names[id(constant)]

    def _value(self, wanted: str, value: Any, note: str = "") -> str:
        """The name a forward value is read by: ``wanted``, or ``wanted_2`` if that is another."""
        name = wanted
        while name in self.values and not _same(self.values[name], value):
            name = self.namer.claim(wanted)
        if name not in self.values:
            self.namer.used.add(name)
            self.values[name] = self.ns[name] = value
            if note:
                self.value_notes[name] = note
        return name

    def _count(self, value: int, averaged_shape: tuple[int, ...] | None, source: str) -> str:
        """A count the rule divides by: ``m`` when it is the number of examples, else the number."""
        examples = averaged_shape is None or (
            len(averaged_shape) == 2 and averaged_shape[0] == 1 and averaged_shape[1] == value
        )
        if examples and self.m in (None, value):
            self.m, self.m_from = value, self.m_from or source
            self.ns["m"] = value
            return "m"
        return str(value)

    # -- one step ---------------------------------------------------------- #

    def _run(self, line: str, lines: list[str]) -> None:
        with np.errstate(all="ignore"):  # as the ops' backward methods run
            exec(line, self.ns)
        lines.append(line)

    def _eval(self, expression: str) -> Any:
        with np.errstate(all="ignore"):
            return eval(expression, self.ns)

    def _symbols(self, ctx: Context, code: _Code, dout: str) -> dict[str, str]:
        """What each symbol of the op's code stands for at this node."""
        output = self.names[id(ctx)]
        inputs = [self._input_name(ctx, i) for i in range(len(code.inputs))]
        symbols = {"dout": dout}
        saved = ctx.saved_tensors
        counts = code.counts(saved) if code.counts is not None else {}
        for symbol, (value, averaged_shape) in counts.items():
            symbols[symbol] = self._count(
                value, averaged_shape, f"the columns of {inputs[0] or 'its input'}"
            )
        for symbol, value in zip(code.saved, saved):
            if symbol in counts:
                continue
            if symbol == "out":
                symbols[symbol] = self._value(output, value)
            elif symbol in code.inputs:
                name = inputs[code.inputs.index(symbol)]
                literal = _literal(value) if name is None else None
                symbols[symbol] = literal or self._value(name or "c", value)
            else:
                literal = _literal(value)
                if literal is not None:
                    symbols[symbol] = literal
                    continue
                parts = [
                    (inputs[code.inputs.index(p)] or "c") if p in code.inputs else p
                    for p in symbol.split("_")
                ]
                note = code.meaning.get(symbol, "")
                for s, name in zip(code.inputs, inputs):
                    note = re.sub(rf"\b{s}\b", name or "c", note)
                symbols[symbol] = self._value("_".join(parts), value, note)
        return symbols

    def _rule(
        self, ctx: Context, dout: str, seed_is_one: bool, lines: list[str]
    ) -> list[tuple[int, str]]:
        """(input position, expression of its gradient as the rule returns it), per input
        that gets one; lines the rule needs first are run and added to ``lines``."""
        code = None if ctx.function in _LINES else _code_for(ctx)
        wanted = [i for i, p in enumerate(ctx.parents) if p is not None]
        output = self.names[id(ctx)]
        if code is not None:
            symbols = self._symbols(ctx, code, dout)
            result = []
            for i in wanted:
                template = code.grads[i]
                if template is None:
                    continue
                if seed_is_one and template.startswith("dout * "):
                    template = template[len("dout * ") :]  # 1 · x is x, bit for bit
                expression = _substitute(template, symbols)
                expression = self._tidy(expression, dout)
                result.append((i, expression))
            return result
        saved = ctx.saved_tensors
        if ctx.function is ops.GetItem:
            x_shape, index = saved
            (i,) = wanted
            target = self.names[id(ctx.parents[0])]
            grad = self.namer.claim(f"d{target}_from_{output}")
            dtype = np.asarray(self.ns[dout]).dtype
            zeros = (
                f"np.zeros({x_shape!r})"
                if dtype == np.float64
                else f"np.zeros({x_shape!r}, dtype=np.{dtype})"
            )
            self._run(f"{grad} = {zeros}", lines)
            basic = _index_literal(index)
            if basic is not None:
                self._run(f"{grad}[{basic}] = {dout}", lines)
            else:
                name = self._value(f"{target}_index", index, "the index used in the forward pass")
                if _may_repeat(index):
                    self._run(
                        f"np.add.at({grad}, {name}, {dout})  # a repeated index adds up", lines
                    )
                else:
                    self._run(f"{grad}[{name}] = {dout}", lines)
            return [(i, grad)]
        parts = self.namer.claim(f"d{output}_parts")
        if ctx.function is ops.Concatenate:
            boundaries, axis = saved
            where = _literal(boundaries) or list(boundaries)
            self._run(f"{parts} = np.split({dout}, {where}, axis={axis})", lines)
        elif ctx.function is ops.Stack:
            self._run(f"{parts} = np.moveaxis({dout}, {saved[0]}, 0)", lines)
        else:  # no NumPy rule known (a custom op, a batched MatMul): call its backward
            function = self._value(ctx.name, ctx.function)
            node = self._value(f"{output}_node", ctx, f"the graph node of {output}")
            self._run(f"{parts} = {function}.backward({node}, {dout})", lines)
            if not isinstance(self.ns[parts], (tuple, list)):
                return [(wanted[0], parts)] if wanted and self.ns[parts] is not None else []
        return [(i, f"{parts}[{i}]") for i in wanted if self.ns[parts][i] is not None]

    def _tidy(self, expression: str, dout: str) -> str:
        """Drop no-op reshapes and write a matrix's transpose as ``.T`` (same values, same bits)."""
        shape = np.shape(self.ns[dout])
        expression = expression.replace(f"{dout}.reshape({shape!r})", dout)
        if len(shape) == 2:
            expression = expression.replace(f"{dout}.transpose((1, 0))", f"{dout}.T")
        return expression

    def _fit(self, expression: str, parent: Any) -> tuple[str, str]:
        """The expression summed over broadcast axes and cast to the input's dtype, as the
        engine's ``unbroadcast`` does; and a comment saying why (or "")."""
        value = self._eval(expression)
        rule_shape, shape = np.shape(value), parent.shape
        comment = ""
        if rule_shape != shape:  # the summing only moves shapes; the dtype check below holds
            extra = len(rule_shape) - len(shape)
            leading = tuple(range(extra))
            if leading:
                axis = leading[0] if extra == 1 else leading
                expression = f"{_atom(expression)}.sum(axis={axis})"
            stretched = tuple(
                i for i, n in enumerate(shape) if n == 1 and rule_shape[extra + i] != 1
            )
            if stretched:
                axis = stretched[0] if len(stretched) == 1 else stretched
                expression = f"{_atom(expression)}.sum(axis={axis}, keepdims=True)"
            summed = ", ".join(map(str, leading + stretched))
            comment = f"  # broadcast in the forward pass: summed over axis {summed}"
        if np.asarray(value).dtype != parent.dtype:
            expression = f"{_atom(expression)}.astype(np.{parent.dtype})"
        return expression, comment

    # -- the walk ---------------------------------------------------------- #

    def write(self, grad: Any) -> Equations:
        root = self.root
        root_name = self.names[id(root)]
        seed_lines: list[str] = []
        if grad is None:
            if int(np.prod(root.shape)) != 1:
                raise RuntimeError(
                    f"equations: the tensor has shape {root.shape}, not one number; pass "
                    "grad= (dJ/dtensor, an array of that shape) as backward() needs, or "
                    "reduce it first (e.g. .sum())."
                )
            seed = self.namer.claim("d" + root_name)
            why = f"d{root_name}/d{root_name} = 1: the pass starts here"
            self._run(f"{seed} = np.ones({root.shape!r})  # {why}", seed_lines)
            seed_is_one = root.shape == ()
        else:
            value = np.asarray(grad, dtype=root.dtype)
            if value.shape != root.shape:
                raise ValueError(
                    f"equations: grad has shape {value.shape} but the tensor has shape "
                    f"{root.shape}; pass dJ/dtensor, an array of the tensor's shape."
                )
            seed = self._value("d" + root_name, value, "the gradient the pass starts from")
            seed_is_one = False

        variables: dict[int, str] = {id(root): seed}  # id(node) -> variable of its gradient
        uses = self._uses()
        steps: list[EquationStep] = []
        hooks: list[str] = []
        for node in topological_order(root):
            key = id(node)
            if key not in variables:
                continue  # no gradient reached it
            if node._hooks if type(node) is not Context else node.hooks:
                hooks.append(self.names[key])
            if type(node) is not Context:
                continue
            ctx, dout = node, variables[key]
            lines: list[str] = []
            sent = []
            for position, expression in self._rule(ctx, dout, seed_is_one and ctx is root, lines):
                parent = ctx.parents[position]
                pkey, target = id(parent), self.names[id(parent)]
                expression, comment = self._fit(expression, parent)
                if pkey in variables:
                    var = variables[pkey]
                    if _needs_brackets_after_plus(expression):
                        expression = f"({expression})"
                    why = f"{target} is used again: the gradients add up"
                    self._run(f"{var} = {var} + {expression}  # {why}", lines)
                elif (
                    type(parent) is Context
                    and pkey not in self.user_named
                    and uses[pkey] == 1
                    and _IDENTIFIER.fullmatch(expression)
                ):  # an unnamed tensor that passes its gradient on: no variable of its own
                    variables[pkey] = expression
                    label = _grad_name(self.labels.of[pkey])
                    lines.append(f"# {label} is {expression} ({ctx.name} passes it on unchanged)")
                else:
                    var = variables[pkey] = self.namer.claim("d" + target)
                    self._run(f"{var} = {expression}{comment}", lines)
                sent.append(
                    SentGradient(
                        variables[pkey],
                        target,
                        position,
                        np.asarray(self.ns[variables[pkey]]).copy(),
                    )
                )
            steps.append(self._step(len(steps) + 1, ctx, lines, dout, sent))

        gradients = {"d" + self.names[k]: var for k, var in variables.items()}
        return Equations(
            root=root,
            header=self._header(
                seed_lines, hooks, any("sigmoid(" in line for s in steps for line in s.lines)
            ),
            steps=steps,
            values=dict(self.values),
            gradients={name: np.asarray(self.ns[var]) for name, var in gradients.items()},
            variables=gradients,
            names=dict(self.names),
            labels=dict(self.labels.of),
            note=self._note(),
        )

    def _uses(self) -> dict[int, int]:
        """How many gradients each node can receive: one per edge from an op that uses it."""
        uses: dict[int, int] = {}
        for node in topological_order(self.root):
            if type(node) is Context:
                for parent in node.parents:
                    if parent is not None:
                        uses[id(parent)] = uses.get(id(parent), 0) + 1
        return uses

    def _step(
        self, index: int, ctx: Context, lines: list[str], dout: str, sent: list[SentGradient]
    ) -> EquationStep:
        label = self.labels.of[id(ctx)]
        expression = _expression(ctx.name, self.labels.inputs(ctx))
        node = expression if label == expression else f"{label} = {expression}"
        _, rule = _rule(ctx.function)
        if not (ctx.function.__doc__ or "").strip():
            rule = "rule not documented"
        inputs = tuple(self._input_name(ctx, i) or CONSTANT_TEXT for i in range(len(ctx.parents)))
        return EquationStep(
            index=index,
            ctx=ctx,
            op=ctx.name,
            output=self.names[id(ctx)],
            inputs=inputs,
            expression=expression,
            rule=rule,
            lines=(f"# step {index}: {node}   ({ctx.name}: {rule})", *lines),
            received=np.asarray(self.ns[dout]).copy(),
            sent=tuple(sent),
            received_name=dout,
        )

    def _header(self, seed_lines: list[str], hooks: list[str], uses_sigmoid: bool) -> list[str]:
        lines = [
            f"# The backward pass of {self.names[id(self.root)]}, in the engine's order.",
            "# Forward values it reads (Equations.values):",
        ]
        for name, value in self.values.items():
            what = f"{np.shape(value)}" if isinstance(value, np.ndarray) else type(value).__name__
            note = f" = {self.value_notes[name]}" if name in self.value_notes else ""
            lines.append(f"#   {name} {what}{note}")
        lines.append("import numpy as np")
        if uses_sigmoid:
            lines.append("from tinygrad_edu.ops.activations import sigmoid  # 1 / (1 + e⁻ᶻ)")
        if self.m is not None:
            lines.append(f"m = {self.m}  # examples: {self.m_from}")
        lines.extend(seed_lines)
        for name in hooks:
            lines.append(
                f"# note: {name} has a hook; the engine runs it on d{name}, this code does not"
            )
        return lines

    def _note(self) -> str:
        if self.m is None:
            return ""
        return textwrap.fill(
            "Where this differs from the course: the course writes dZ = A − Y for the output "
            "layer and puts 1/m into dW and db. Here the pass starts from J, the mean over the "
            "m examples, so the 1/m enters once, in the cost's rule (the `/ m` of step 1), and "
            "every gradient below J carries it: each dZ and dA here is the course's dZ / m and "
            "dA / m, while dW and db are the course's dW and db exactly.",
            width=88,
        )


# --------------------------------------------------------------------------- #
# explain(): every path from the loss to one tensor
# --------------------------------------------------------------------------- #

LARGEST_JACOBIAN = 16
"""A local derivative is shown as numbers when its Jacobian has at most this many entries."""


@dataclass(frozen=True)
class Edge:
    """One edge of a path: ``output`` of the op ``op`` depends on its input ``input``.

    ``role`` is the input's symbol in the op's rule (``a``, ``b``: which
    factor of ``a · b`` it is). ``rule`` is the op's rule for that input in this node's names
    (``dA1 = W2ᵀ · dZ2``); ``jacobian`` is ∂output/∂input as a matrix of
    shape ``(output size, input size)``, or None when it would be larger than
    ``LARGEST_JACOBIAN`` entries.
    """

    op: str
    output: str
    input: str
    position: int
    role: str
    rule: str
    jacobian: np.ndarray | None
    repeated: bool = False  # the op takes this input in more than one place (x * x)


@dataclass(frozen=True)
class Path:
    """A path from the loss down to the tensor: its edges, and what it contributes to the gradient.

    ``product`` is the chain of local derivatives along the path applied to
    ``dJ/dJ = 1``: this path's part of the gradient, of the tensor's shape.
    """

    edges: tuple[Edge, ...]
    product: np.ndarray


class PathSum:
    """Every path from ``loss`` to ``target``, their products, and their sum (see ``explain``)."""

    def __init__(self, loss: str, target: str, paths: list[Path], gradient: np.ndarray) -> None:
        self.loss, self.target, self.paths, self.gradient = loss, target, paths, gradient
        total = np.zeros_like(gradient)
        for path in paths:
            total = total + path.product
        self.total = total

    @property
    def equal(self) -> bool:
        """True when the sum over paths equals the gradient the backward pass computes
        (to rounding: the paths add the same products in another order)."""
        return bool(np.allclose(self.total, self.gradient, rtol=1e-9, atol=1e-12))

    def __str__(self) -> str:
        J, x = self.loss, self.target
        count = len(self.paths)
        lines = [
            f"d{J}/d{x}: {count} path{'s' if count != 1 else ''} from {J} down to {x}.",
            "Along a path, the local derivatives multiply (the chain rule); where "
            f"{x} reaches {J} by several paths, the paths add up.",
        ]
        for k, path in enumerate(self.paths, start=1):
            chain = " ← ".join([path.edges[0].output] + [e.input for e in path.edges])
            roles = [f"{e.input} as {e.op}'s {e.role}" for e in path.edges if e.repeated]
            if roles:
                chain += f"   ({'; '.join(roles)})"
            lines += ["", f"path {k}: {chain}"]
            width = max(len(f"{e.output} ← {e.input}") for e in path.edges)
            for edge in path.edges:
                local = _show_jacobian(edge.jacobian)
                head = f"{edge.output} ← {edge.input}".ljust(width)
                lines.append(f"  {head}  {edge.op}, input {edge.role}: {edge.rule}")
                lines.append(
                    f"  {'':{width}}  ∂{_operand(edge.output)}/∂{_operand(edge.input)} = {local}"
                )
            lines.append(f"  product along the path: {_show(path.product)}")
        verdict = "equal" if self.equal else "NOT equal"
        lines += [
            "",
            f"sum over the paths:       {_show(self.total)}",
            f"d{x} by the backward pass: {_show(self.gradient)}   ({verdict})",
        ]
        return "\n".join(lines)

    __repr__ = __str__


def _show(array: np.ndarray) -> str:
    array = np.asarray(array)
    if array.size == 1:
        return f"{array.item():.6g}"
    if array.size <= 12:
        return np.array2string(array, precision=4, suppress_small=True, separator=", ").replace(
            "\n", ""
        )
    return f"array of shape {array.shape}, norm {np.linalg.norm(array):.4g}"


def _show_jacobian(jacobian: np.ndarray | None) -> str:
    if jacobian is None:
        return "(a Jacobian too large to print)"
    if jacobian.size == 1:
        return f"{jacobian.item():.6g}"
    rows, cols = jacobian.shape
    if rows == cols and np.count_nonzero(jacobian - np.diag(np.diag(jacobian))) == 0:
        return f"diag({', '.join(f'{v:.4g}' for v in np.diag(jacobian))})  (elementwise)"
    return np.array2string(jacobian, precision=4, suppress_small=True, separator=", ").replace(
        "\n", ""
    )


def explain(loss: Tensor, x: Tensor, names: Mapping[str, Tensor] | None = None) -> PathSum:
    """Why ``x.grad`` is what it is: every path from ``loss`` down to ``x``, summed.

    For each path the edges (each op between ``loss`` and ``x``, its rule for
    that input and its local derivative ∂output/∂input, as numbers when small),
    and the product along the path; then the sum over the paths, next to the
    gradient the backward pass computes. A tensor used twice has two paths:
    that is why gradients add up. Graphs with more than ``MAX_PATHS`` paths
    raise ValueError: read ``equations(loss)`` instead.

    Call it before ``loss.backward()`` or after ``backward(retain_graph=True)``.

    >>> from tinygrad_edu import Tensor
    >>> x = Tensor(3.0, requires_grad=True, name="x")
    >>> y = x * x
    >>> y.name = "y"
    >>> why = explain(y, x)
    >>> [float(p.product) for p in why.paths], float(why.total)
    ([3.0, 3.0], 6.0)
    """
    root = _graph_of(loss, "explain")
    if not isinstance(x, Tensor):
        raise TypeError(f"explain: x must be a Tensor of the graph, got {type(x).__name__}")
    target = x.grad_fn if x.grad_fn is not None else x
    if loss.data.size != 1:
        raise RuntimeError(
            f"explain: the loss has shape {loss.shape}; explain starts from one number, "
            "such as a cost J. Reduce it first (e.g. .sum())."
        )
    writer = _Writer(root, names)
    eq, labels = writer.write(None), writer.labels
    if not x.requires_grad or id(target) not in labels.of:
        what = "needs no gradient" if not x.requires_grad else "is not in the graph"
        raise ValueError(
            f"explain: x {what}: the loss does not depend on it through ops that "
            "pass gradients. Pass a tensor that loss was computed from, with requires_grad."
        )
    counts = _count_paths(root, target)
    count = counts[id(root)]
    if count > MAX_PATHS:
        raise ValueError(
            f"explain: {count} paths lead from the loss to {labels.of[id(target)]}, more than "
            f"the {MAX_PATHS} it lists. Read equations(loss) instead: the backward pass adds "
            "the same paths up node by node, without listing them."
        )
    paths = [
        Path(tuple(_edge(ctx, position, labels) for ctx, position in edges), product)
        for edges, product in _paths(root, target, counts)
    ]
    gradient = eq.gradients["d" + eq.name_of(target)]
    return PathSum(labels.of[id(root)], labels.of[id(target)], paths, gradient)


def _count_paths(root: Context, target: Any) -> dict[int, int]:
    """``id(node) → `` how many paths lead from the node down to ``target``, for every
    node of ``root``'s graph (visited so that each comes after the nodes it uses)."""
    counts: dict[int, int] = {}
    for node in reversed(topological_order(root)):
        if node is target:
            counts[id(node)] = 1
        elif type(node) is Context:
            counts[id(node)] = sum(counts.get(id(p), 0) for p in node.parents if p is not None)
        else:
            counts[id(node)] = 0  # another leaf
    return counts


def _pass_back(ctx: Context, position: int, grad: np.ndarray) -> np.ndarray:
    """What ``ctx``'s rule sends input ``position`` for ``grad``, at the input's shape."""
    grads = ctx.function.backward(ctx, grad)
    if type(grads) is not tuple:
        grads = tuple(grads) if type(grads) is list else (grads,)
    parent = ctx.parents[position]
    result = grads[position]
    if result is None:
        return np.zeros(parent.shape, dtype=parent.dtype)
    return _fit(np.asarray(result), parent, ctx)


def _paths(
    root: Context, target: Any, counts: dict[int, int]
) -> list[tuple[list[tuple[Context, int]], np.ndarray]]:
    """Each path as its edges (node, input position) and its product, depth first;
    ``counts`` (from ``_count_paths``) says which inputs lead to ``target`` at all."""
    found = []
    seed = np.ones(root.shape, dtype=root.dtype)
    stack: list[tuple[Any, list[tuple[Context, int]], np.ndarray]] = [(root, [], seed)]
    while stack:
        node, edges, grad = stack.pop()
        if node is target:
            found.append((edges, grad))
            continue
        if type(node) is not Context:
            continue
        for position in reversed(range(len(node.parents))):  # popped in input order
            parent = node.parents[position]
            if parent is not None and counts[id(parent)]:
                with np.errstate(all="ignore"):
                    passed = _pass_back(node, position, grad)
                stack.append((parent, [*edges, (node, position)], passed))
    return found


def _edge(ctx: Context, position: int, labels: _Labels) -> Edge:
    inputs = labels.inputs(ctx)
    output = labels.of[id(ctx)]
    forward, rule = _rule(ctx.function)
    clause = _rule_for_input(forward, rule, inputs, output, position)
    symbols = [match.group(1) for match in _GRAD_CLAUSE.finditer(rule)]
    role = symbols[position] if len(symbols) == len(inputs) else f"#{position + 1}"
    parent = ctx.parents[position]
    size_out, size_in = int(np.prod(ctx.shape)), int(np.prod(parent.shape))
    jacobian = None
    if size_out * size_in <= LARGEST_JACOBIAN:
        jacobian = np.zeros((size_out, size_in))
        for j in range(size_out):
            unit = np.zeros(size_out, dtype=ctx.dtype)
            unit[j] = 1.0
            with np.errstate(all="ignore"):
                jacobian[j] = _pass_back(ctx, position, unit.reshape(ctx.shape)).ravel()
    repeated = sum(p is parent for p in ctx.parents) > 1
    return Edge(ctx.name, output, inputs[position], position, role, clause, jacobian, repeated)


def _rule_for_input(forward: str, rule: str, inputs: list[str], output: str, position: int) -> str:
    """The op's rule for one input, in this node's names where the docstring allows."""
    if not rule:
        return "rule not documented"
    sent: list[Gradient | None] = [None] * len(inputs)
    empty = np.zeros(0)
    sent[position] = Gradient(_grad_name(inputs[position]), (), empty, ())
    here = _instantiate(forward, rule, inputs, output, sent)
    return here if here is not None else rule
