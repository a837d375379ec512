"""The reverse-mode engine: grad mode, ``Function`` and its context, and ``backward``.

The whole of backpropagation is here:

1. every op is a ``Function``; ``Function.apply`` runs its ``forward`` on
   plain ndarrays and, when a gradient may be needed, keeps a ``Context``
   (the node of the graph) as the output's ``grad_fn``;
2. ``backward`` orders the tensors of the graph so that each one comes after
   every tensor that uses it (reverse topological order), then walks that
   order once, asking each node's ``Function.backward`` for the gradients of
   its inputs and *adding* them to what those inputs already received.

How this module and ``tensor.py`` are wired: this module never imports
``tensor.py``. ``tensor.py`` imports this one and, once ``Tensor`` is defined,
hands the class over with ``_bind_tensor_class``; ``Function.apply`` uses it to
wrap outputs. The engine only reads attributes every ``Tensor`` has
(``grad_fn``, ``requires_grad``, ``grad``, ``shape``, ``dtype``).
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

import numpy as np

if TYPE_CHECKING:  # for type checkers only; no import cycle at run time
    from .tensor import Tensor

    _Hook = Callable[[np.ndarray], Any]
    _G = TypeVar("_G", bound="_GradMode")

_Tensor: type[Tensor] = None  # type: ignore[assignment]  # the Tensor class, handed over by tensor.py


def _bind_tensor_class(tensor_class: type) -> None:
    global _Tensor
    _Tensor = tensor_class


# --------------------------------------------------------------------------- #
# Grad mode: whether new ops record the graph. One flag per thread.
# --------------------------------------------------------------------------- #


class _GradModeState(threading.local):
    enabled = True  # each new thread starts recording


_grad_mode = _GradModeState()


def is_grad_enabled() -> bool:
    """True when new ops record the graph in this thread (the default)."""
    return _grad_mode.enabled


def set_grad_enabled(enabled: bool) -> None:
    """Switch graph recording on or off for this thread."""
    _grad_mode.enabled = bool(enabled)


F = TypeVar("F", bound=Callable[..., Any])


class _GradMode:
    """Context manager and decorator that sets grad mode, then restores it.

    Use it as ``with no_grad():``, ``@no_grad()`` or ``@no_grad``.
    """

    enabled: bool
    _previous: list[bool]  # the modes to restore, innermost last (a with-block may nest)

    @overload
    def __new__(cls: type[_G], func: None = None) -> _G: ...
    @overload
    def __new__(cls, func: F) -> F: ...  # type: ignore[misc]  # bare @no_grad: the wrapper
    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        self = super().__new__(cls)
        self._previous = []
        return self(func) if func is not None else self  # bare @no_grad

    def __enter__(self) -> None:
        self._previous.append(is_grad_enabled())
        set_grad_enabled(self.enabled)

    def __exit__(self, *exc_info: object) -> None:
        set_grad_enabled(self._previous.pop())

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):
    """Ops inside record no graph: for evaluation and parameter updates.

    >>> from tinygrad_edu import Tensor
    >>> W = Tensor([1.0, 2.0], requires_grad=True)
    >>> (W * W).sum().backward()
    >>> with no_grad():          # an SGD step: nothing here is recorded
    ...     W -= 0.1 * W.grad
    >>> W
    Tensor([0.8, 1.6], requires_grad=True)
    """

    enabled = False


class enable_grad(_GradMode):
    """Turn recording back on, e.g. inside a ``no_grad`` block."""

    enabled = True


# --------------------------------------------------------------------------- #
# Watching the backward pass (the trace in viz.py uses this; one per thread)
# --------------------------------------------------------------------------- #


class _Observer(threading.local):
    callback: Callable[[BackwardStep], None] | None = None


_observer = _Observer()


class BackwardStep:
    """What the engine did at one node: the rule applied, what came in, what went out.

    ``input_grads[i]`` is the gradient sent to input ``i`` as the rule returned
    it (None if none), ``fitted_grads[i]`` the same after summing broadcast
    axes back to the input's shape.
    """

    __slots__ = ("ctx", "grad_output", "input_grads", "fitted_grads")

    def __init__(
        self,
        ctx: Context,
        grad_output: np.ndarray,
        input_grads: tuple[Any, ...],
        fitted_grads: tuple[np.ndarray | None, ...],
    ) -> None:
        self.ctx = ctx
        self.grad_output = grad_output
        self.input_grads = input_grads
        self.fitted_grads = fitted_grads


def set_backward_observer(
    callback: Callable[[BackwardStep], None] | None,
) -> Callable[[BackwardStep], None] | None:
    """Have ``callback(step)`` called at each node of every backward pass in this
    thread (None: stop); returns the previous callback so it can be restored."""
    previous = _observer.callback
    _observer.callback = callback
    return previous


# --------------------------------------------------------------------------- #
# Function and its context (the graph node)
# --------------------------------------------------------------------------- #


class Context:
    """One node of the graph: the op, where its inputs came from, what backward needs.

    ``grad_fn`` of a tensor is the ``Context`` of the op that made it.
    ``parents`` has one entry per input: the input's own ``grad_fn`` if an op
    made it, the input itself if it is a leaf that requires grad, or None if
    it needs no gradient. The graph links nodes, not the intermediate tensors,
    so an intermediate's array is freed as soon as neither the user nor a
    ``save_for_backward`` keeps it (an ``Add`` saves nothing). Ops store
    arrays with ``save_for_backward`` and read them from ``saved_tensors``;
    after a backward without ``retain_graph=True`` they are released.
    """

    # __dict__ stays available so custom ops can keep extra values
    # (``ctx.axis = axis``) as in PyTorch, and for the rarely set attributes below.
    __slots__ = (
        "function",
        "parents",
        "shape",
        "dtype",
        "_saved",
        "__dict__",
        "__weakref__",
    )

    shape: tuple[int, ...]  # the output's shape and dtype, set when the op is recorded
    dtype: np.dtype[Any]
    # hooks of the output tensor (a tuple until the first register_hook makes it a list)
    hooks: tuple[_Hook, ...] | list[_Hook] = ()
    retained: Any = None  # weakref to the output, if it called retain_grad()
    output_name: str | None = None  # the output tensor's name, for drawings and traces
    named_constants: dict[int, Tensor] = {}  # position -> a named input needing no grad (X, Y)

    def __init__(self, function: type[Function], inputs: tuple[Any, ...]) -> None:
        self.function = function
        parents: list[Node] = []
        for t in inputs:
            if not isinstance(t, _Tensor):  # a constant, such as the 2 of x * 2
                parents.append(None)
            elif t.grad_fn is not None:  # made by an op: link to that op's node
                parents.append(t.grad_fn)
            elif t.requires_grad:
                parents.append(t)
            else:
                parents.append(None)
                if t._name is not None:  # kept so that drawings can show it
                    self.named_constants = {**self.named_constants, len(parents) - 1: t}
        self.parents = tuple(parents)
        self._saved: tuple[Any, ...] | None = ()  # None once released

    @property
    def name(self) -> str:
        """The op's name, e.g. ``"MatMul"``."""
        return self.function.__name__

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input, whether it needs a gradient (backward may skip the others)."""
        parents = self.parents
        if len(parents) == 2:  # most ops that ask have two inputs: no list to build
            return (parents[0] is not None, parents[1] is not None)
        return tuple([parent is not None for parent in parents])

    @property
    def released(self) -> bool:
        """True after a backward without ``retain_graph=True`` freed the saved values."""
        return self._saved is None

    def save_for_backward(self, *values: Any) -> None:
        """Keep the arrays (or other values) that ``backward`` will need."""
        self._saved = values

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        if self._saved is None:
            raise RuntimeError(
                f"{self.name}: its saved values were released by an earlier "
                "backward(). To call backward through the same graph twice, pass "
                "retain_graph=True to the first backward(), or run the forward again."
            )
        return self._saved

    def release(self) -> None:
        """Free the saved buffers; the graph's shape (parents) is kept for drawing."""
        self._saved = None

    def __repr__(self) -> str:
        return f"<{self.name}Backward>"


class Function:
    """Base class of every op. Subclass it and write two static methods.

    ``forward(ctx, *arrays, **options)`` takes and returns ndarrays;
    ``backward(ctx, grad_output)`` returns one gradient (or ``None``) per
    input, each of the shape of the forward's *result* broadcast as NumPy did:
    the engine sums the broadcast axes away (see ``unbroadcast``).

    >>> from tinygrad_edu import Tensor
    >>> class Square(Function):
    ...     '''out = x²;  dx = dout · 2x'''
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, dout):
    ...         (x,) = ctx.saved_tensors
    ...         return dout * 2 * x
    >>> x = Tensor([3.0], requires_grad=True)
    >>> Square.apply(x).backward(np.ones(1))
    >>> x.grad
    array([6.])
    """

    @staticmethod
    def forward(ctx: Context, *args: Any, **kwargs: Any) -> np.ndarray:
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx: Context, grad_output: np.ndarray) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, dout)")

    @classmethod
    def apply(cls, *inputs: Any, **kwargs: Any) -> Tensor:
        """Run the op on tensors (or anything ``Tensor`` accepts) and record it.

        Inputs that are not Tensors are constants: they get no gradient, and
        a float ndarray among them is used as it is, without a copy.
        """
        if kwargs:
            _check_keywords(cls, kwargs)
        ctx = Context(cls, inputs)
        arrays = []
        for x in inputs:
            if isinstance(x, _Tensor):
                arrays.append(x.data)
            elif type(x) is np.ndarray and x.dtype.kind == "f":
                arrays.append(x)  # a constant, used as it is
            else:  # numbers, lists, int arrays: converted as Tensor() converts them
                arrays.append(_Tensor(x).data)
        try:
            data = cls.forward(ctx, *arrays, **kwargs)
        except ValueError as error:
            if "could not be broadcast" not in str(error):
                raise
            # NumPy's broadcast error, told in terms of this op and what to do.
            shapes = " and ".join(str(array.shape) for array in arrays)
            raise ValueError(
                f"{cls.__name__}: shapes {shapes} do not broadcast together. Compared "
                "from the last axis, each pair of sizes must be equal or one of them 1; "
                "reshape an input (e.g. b.reshape(n, 1)) so that its axes line up."
            ) from error
        if _grad_mode.enabled:
            for parent in ctx.parents:
                if parent is not None:  # some input needs a gradient: record the op
                    out = _Tensor._from_op(data, ctx)
                    shape = out.data.shape
                    if len(_shapes) > 10_000:  # a program of ever new shapes: start afresh
                        _shapes.clear()
                    ctx.shape, ctx.dtype = _shapes.setdefault(shape, shape), out.data.dtype
                    return out
        return _Tensor._from_op(data, None)


# One tuple per distinct output shape, shared by all nodes of that shape:
# ``array.shape`` makes a new tuple each time, and one per node would cost
# 64 bytes and, in a long graph, a quarter of the objects that Python's cyclic
# garbage collector counts and walks while the forward pass records.
_shapes: dict[tuple[int, ...], tuple[int, ...]] = {}


def _check_keywords(function: type[Function], kwargs: dict[str, Any]) -> None:
    for name, value in kwargs.items():
        if isinstance(value, _Tensor) and value.requires_grad:
            raise TypeError(
                f"{function.__name__}.apply: the keyword argument {name!r} is a Tensor that "
                "requires grad; pass it positionally so that it gets a gradient."
            )


# --------------------------------------------------------------------------- #
# The backward pass
# --------------------------------------------------------------------------- #


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched to reach ``shape``.

    This is where ``db = Σ_columns dZ`` comes from: ``b`` of shape ``(n, 1)``
    was stretched over ``m`` columns, so its gradient sums over them.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra < 0:
        raise ValueError(f"a gradient of shape {grad.shape} cannot come from shape {shape}")
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    if grad.shape != shape:
        raise ValueError(f"a gradient of shape {grad.shape} cannot come from shape {shape}")
    return grad


Node = Any  # a Context, or a leaf Tensor that requires grad


def topological_order(root: Node) -> list[Node]:
    """The nodes of ``root``'s graph, ``root`` first, each after every node that uses it.

    A node is an op's ``Context`` or a leaf tensor. Each one's gradient is
    complete when it is reached. Depth-first with an explicit stack: no
    recursion, so a chain of a million ops is fine.
    """
    post_order: list[Node] = []
    visited = {root}  # nodes hash and compare by identity (see _backward)
    # Two stacks side by side: the nodes being visited and, for each, its parents
    # still to visit (cheaper than a stack of (node, parents) pairs).
    path = [root]
    unvisited = [iter(_parents(root))]
    while unvisited:
        for parent in unvisited[-1]:
            if parent is not None and parent not in visited:
                visited.add(parent)
                path.append(parent)
                unvisited.append(iter(_parents(parent)))
                break
        else:  # every parent of the last node is placed: now place it
            unvisited.pop()
            post_order.append(path.pop())
    post_order.reverse()
    return post_order


def _parents(node: Node) -> tuple[Node, ...]:
    return node.parents if type(node) is Context else ()


def backward(root: Tensor, grad: np.ndarray, retain_graph: bool = False) -> None:
    """Propagate ``grad`` (dJ/droot) to every leaf of ``root``'s graph that needs it."""
    # The pass makes no reference cycles, so Python's cycle collector has nothing
    # to find here; pausing it saves its repeated walks over a large graph.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _backward(root, grad, retain_graph)
    finally:
        if collecting:
            gc.enable()


def _backward(root: Tensor, grad: np.ndarray, retain_graph: bool) -> None:
    start = root.grad_fn if root.grad_fn is not None else root
    order = topological_order(start)
    for node in order:
        if type(node) is Context and node._saved is None:  # released
            raise RuntimeError(
                f"backward() reached {node.name}, whose saved values were "
                "released by an earlier backward(). Pass retain_graph=True to the "
                "first backward() to call it twice through the same graph."
            )

    # Gradients not yet passed on, keyed by node. A node hashes by identity, and
    # dicts and sets test identity first, so Tensor's elementwise == never runs.
    pending: dict[Node, np.ndarray] = {start: grad}
    owned: set[Node] = set()  # nodes whose pending array this pass made, so may add into
    observe = _observer.callback
    for node in order:
        grad_out = pending.pop(node, None)
        if grad_out is None:  # nothing reached this node (e.g. an unused output)
            continue
        if type(node) is not Context:  # a leaf: its gradient is complete
            for hook in tuple(node._hooks):  # a copy: hooks may remove themselves
                grad_out = _run_hook(hook, grad_out, node.shape)
            node._accumulate_grad(grad_out)
            continue

        ctx = node
        if ctx.hooks:
            for hook in tuple(ctx.hooks):  # a copy: hooks may remove themselves
                grad_out = _run_hook(hook, grad_out, ctx.shape)
        if ctx.retained is not None:
            output = ctx.retained()
            if output is not None:
                output._accumulate_grad(grad_out)

        input_grads = ctx.function.backward(ctx, grad_out)
        if type(input_grads) is not tuple:
            input_grads = tuple(input_grads) if type(input_grads) is list else (input_grads,)
        if len(input_grads) != len(ctx.parents):
            raise RuntimeError(
                f"{ctx.name}.backward returned {len(input_grads)} gradients "
                f"for {len(ctx.parents)} inputs; return one per input (None for "
                "an input that needs none)."
            )
        fitted: list[np.ndarray | None] | None = [] if observe is not None else None
        for parent, parent_grad in zip(ctx.parents, input_grads):
            if parent_grad is None or parent is None:
                if fitted is not None:
                    fitted.append(None)
                continue
            if (
                type(parent_grad) is not np.ndarray
                or parent_grad.shape != parent.shape
                or parent_grad.dtype is not parent.dtype  # `is`: the cheap test first
            ):
                parent_grad = _fit(np.asarray(parent_grad), parent, ctx)
            if fitted is not None:
                fitted.append(parent_grad)
            earlier = pending.get(parent)
            if earlier is None:  # the first gradient for this node: adopted as it is
                pending[parent] = parent_grad
            elif parent in owned:  # a node used many times: add into our own array
                np.add(earlier, parent_grad, out=earlier)
            else:
                # used a second time: its gradients add up, into a new array
                # (the first one may be shared with another node, as Add's is)
                pending[parent] = np.asarray(earlier + parent_grad)  # 0-d stays an array
                owned.add(parent)
        if observe is not None:
            fitted = cast("list[np.ndarray | None]", fitted)  # a list whenever observe is set
            observe(BackwardStep(ctx, grad_out, input_grads, tuple(fitted)))
        if not retain_graph:
            ctx._saved = None  # ctx.release(), without a method call per node


def _fit(grad: np.ndarray, parent: Node, ctx: Context) -> np.ndarray:
    """Bring an input's gradient to the input's shape and dtype."""
    if grad.shape != parent.shape:
        try:
            grad = unbroadcast(grad, parent.shape)
        except ValueError:
            raise RuntimeError(
                f"{ctx.name}.backward returned a gradient of shape {grad.shape} for "
                f"an input of shape {parent.shape}; it must have the input's shape "
                "or one that broadcasts from it."
            ) from None
    if grad.dtype != parent.dtype:
        grad = grad.astype(parent.dtype)
    return grad


def _read_only(grad: np.ndarray) -> np.ndarray:
    """A view a hook can read but not change (the array may be shared with other nodes)."""
    view: np.ndarray = grad.view()
    view.flags.writeable = False
    return view


def _run_hook(
    hook: Callable[[np.ndarray], Any], grad: np.ndarray, shape: tuple[int, ...]
) -> np.ndarray:
    """Call a tensor's hook on its gradient; a returned array replaces the gradient."""
    replaced = hook(_read_only(grad))
    if replaced is None:
        return grad
    if not isinstance(replaced, np.ndarray) or replaced.dtype.kind not in "biuf":
        raise TypeError(
            f"a hook returned {type(replaced).__name__}; return an ndarray of numbers of "
            f"shape {shape} to replace the gradient, or None to keep it."
        )
    if replaced.shape != shape:
        raise ValueError(
            f"a hook on a tensor of shape {shape} returned a gradient of "
            f"shape {replaced.shape}; return an array of the tensor's shape, or None."
        )
    return replaced
