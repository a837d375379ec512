"""``Tensor``: an ndarray that remembers how it was made.

Every operator and method below names the op it runs (``a * b`` is
``ops.Mul.apply(a, b)``), so a reader can go from an expression to its
gradient rule with one search. The graph is recorded by ``Function.apply``
in ``autograd.py``; ``backward`` hands it to the engine there.
"""

from __future__ import annotations

import numbers
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Union

import numpy as np

from . import autograd, ops
from .autograd import Context, is_grad_enabled

ArrayLike = Union["Tensor", np.ndarray, Sequence[Any], float, int, bool]
Hook = Callable[[np.ndarray], np.ndarray | None]


def _to_array(data: Any, dtype: Any = None, copy: bool = True) -> np.ndarray:
    """Turn user data into a floating ndarray (float64 unless told otherwise).

    Checks the data as given before any requested dtype is applied, so that
    ``None``, strings or complex numbers are refused rather than converted.
    """
    if isinstance(data, Tensor):
        data = data.data
    try:
        array = np.asarray(data)
    except ValueError as error:
        if "inhomogeneous" in str(error) or "sequence" in str(error):
            raise ValueError(
                "Tensor data is ragged: its nested lists have different lengths, so "
                "it is not a rectangular array. Give every row the same length."
            ) from None
        raise ValueError(f"Tensor data could not be converted to numbers: {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"Tensor data must be real numbers, got {type(data).__name__} holding "
            f"dtype {array.dtype}; convert it to float first."
        )
    if dtype is not None:
        target = np.dtype(dtype)
        if target.kind not in "fb":
            raise TypeError(f"a Tensor holds floats (or booleans), not {target}; use a float dtype")
    elif array.dtype.kind in "biu":
        target = np.dtype(np.float64)  # ints and bools become float64, as the course computes
    else:
        target = array.dtype
    if array.dtype != target:
        return array.astype(target)
    return array.copy() if copy and isinstance(data, np.ndarray) else array


class Tensor:
    """An n-dimensional array of floats that records the ops applied to it.

    ``Tensor(data, requires_grad=False, dtype=None, name=None)``: ``data`` is
    anything NumPy accepts (copied); Python numbers, lists, int and bool
    arrays become float64, float32 stays float32. Set ``requires_grad=True``
    on the leaves you want gradients for (the parameters ``W``, ``b``); after
    ``J.backward()`` their ``.grad`` holds ``dJ/dW`` as an ndarray of the same
    shape.

    >>> W = Tensor([[1.0, 2.0]], requires_grad=True, name="W")   # (1, 2)
    >>> X = Tensor([[3.0], [4.0]])                                # (2, 1)
    >>> Z = W @ X
    >>> Z.backward()
    >>> W.grad
    array([[3., 4.]])
    """

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "grad_fn",
        "_name",
        "_hooks",  # a leaf's hooks (an op's output keeps them on its grad_fn)
        "__weakref__",
    )

    # Keep NumPy from treating a Tensor as an array in ``ndarray + Tensor``:
    # NumPy then returns NotImplemented and Python calls Tensor.__radd__.
    __array_ufunc__ = None

    def __init__(
        self,
        data: ArrayLike,
        requires_grad: bool = False,
        dtype: Any = None,
        name: str | None = None,
    ) -> None:
        self.data: np.ndarray = _to_array(data, dtype)
        self.grad: np.ndarray | None = None
        self.grad_fn: Context | None = None
        self._name = name
        self._hooks: tuple[Hook, ...] | list[Hook] = ()
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_op(cls, data: np.ndarray, grad_fn: Context | None) -> Tensor:
        """Wrap an op's result without copying (called by ``Function.apply``)."""
        out = cls.__new__(cls)
        out.data = data if isinstance(data, np.ndarray) else np.asarray(data)
        out.grad = None
        out.grad_fn = grad_fn
        out.requires_grad = grad_fn is not None
        out._name = None
        out._hooks = ()
        return out

    # ------------------------------------------------------------------ #
    # Array facts
    # ------------------------------------------------------------------ #

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def name(self) -> str | None:
        """A name for drawings and traces, e.g. ``"Z1"``."""
        return self._name

    @name.setter
    def name(self, name: str | None) -> None:
        self._name = name
        if self.grad_fn is not None:  # the graph outlives the tensor: tell the node too
            self.grad_fn.output_name = name

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user (no ``grad_fn``); ``.grad`` fills on leaves."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        """The transpose (all axes reversed): ``Wᵀ`` for a matrix."""
        return self.transpose()

    def numpy(self) -> np.ndarray:
        """The data as an ndarray (the same memory, not a copy)."""
        return self.data

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with one element, this one has shape {self.shape}; "
                "reduce it first (e.g. .sum()) or index one element."
            )
        value: float = self.data.item()
        return value

    def detach(self) -> Tensor:
        """The same data as a new leaf outside the graph (no copy, no gradient)."""
        return Tensor._from_op(self.data, None)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor; it has no first axis")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        """Iterate over the first axis (rows of a matrix), each a tensor in the graph."""
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor; use .item() for its value")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                "use (t > 0).data.any() or .all()"
            )
        return bool(self.data)

    __hash__ = object.__hash__  # __eq__ is elementwise, identity still hashes

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extras = []
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.data.dtype != np.float64:
            extras.append(f"dtype={self.data.dtype}")
        if self.name is not None:
            extras.append(f"name={self.name!r}")
        return f"Tensor({body}{''.join(', ' + e for e in extras)})"

    # ------------------------------------------------------------------ #
    # Gradients
    # ------------------------------------------------------------------ #

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Mark a leaf as a variable whose gradient ``backward`` should fill; returns self."""
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad can only be changed on a leaf tensor; this one was made "
                f"by {self.grad_fn!r}. Use .detach() to get a leaf with the same data."
            )
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating tensors can require a gradient, this one has dtype "
                f"{self.data.dtype}"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def backward(self, grad: ArrayLike | None = None, retain_graph: bool = False) -> None:
        """Compute ``d(self)/d(leaf)`` for every leaf that requires grad, into ``leaf.grad``.

        ``grad`` is the gradient flowing into this tensor (dJ/dself, same
        shape); a one-element tensor such as a cost ``J`` may omit it (1 is
        used). Gradients *add* to whatever ``.grad`` holds (zero them between
        steps). Saved buffers are released afterwards unless
        ``retain_graph=True``.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: nothing it depends "
                "on has requires_grad=True (or it was made under no_grad()). Create the "
                "parameters with Tensor(..., requires_grad=True)."
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without a grad works only for a single-number output "
                    f"such as a cost J; this tensor has shape {self.shape}. Reduce it "
                    "first (e.g. .sum() or .mean()), or pass grad=, an array of that shape."
                )
            grad_array = np.ones_like(self.data)
        else:
            grad_array = _to_array(grad, dtype=self.data.dtype)
            if grad_array.shape != self.shape:
                raise ValueError(
                    f"backward(grad=...): grad has shape {grad_array.shape} but the "
                    f"tensor has shape {self.shape}; they must be equal."
                )
        autograd.backward(self, grad_array, retain_graph=retain_graph)

    def _accumulate_grad(self, grad: np.ndarray) -> None:
        if self.grad is None:
            self.grad = np.array(grad, dtype=self.data.dtype)  # our own copy
        else:
            self.grad += grad

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this non-leaf after backward (how ``Z1.grad`` meets ``dZ1``)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        if self.grad_fn is not None:  # a leaf keeps its gradient anyway
            self.grad_fn.retained = weakref.ref(self)
        return self

    def register_hook(self, hook: Hook) -> Callable[[], None]:
        """Call ``hook(grad)`` when this tensor's gradient is ready; a returned array replaces it.

        Returns a function that removes the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook() on a tensor that does not require grad")
        if not callable(hook):
            raise TypeError(f"register_hook() needs a callable, got {type(hook).__name__}")
        owner = self.grad_fn if self.grad_fn is not None else self
        hooks = owner.hooks if owner is self.grad_fn else self._hooks
        if isinstance(hooks, tuple):
            hooks = list(hooks)
            if owner is self.grad_fn:
                self.grad_fn.hooks = hooks
            else:
                self._hooks = hooks
        hooks.append(hook)
        return lambda: hooks.remove(hook) if hook in hooks else None

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``.grad = None``)."""
        self.grad = None

    # ------------------------------------------------------------------ #
    # Operators: each one names its op
    # ------------------------------------------------------------------ #

    def _operand(self, other: Any) -> Tensor | np.ndarray:
        """``other`` as an op input: a Tensor as it is, anything else as a constant ndarray.

        A constant never gets a gradient, so it needs no Tensor around it (one
        Tensor fewer per ``x * 2``); a Python number takes this tensor's dtype.
        """
        if isinstance(other, Tensor):
            return other
        if type(other) is float or type(other) is int or isinstance(other, numbers.Real):
            dtype = self.data.dtype
            return np.asarray(other, dtype=dtype if dtype.kind == "f" else np.float64)
        return _to_array(other, copy=False)

    def _operand_array(self, other: Any) -> np.ndarray:
        operand = self._operand(other)
        return operand.data if isinstance(operand, Tensor) else operand

    def __add__(self, other: Any) -> Tensor:
        return ops.Add.apply(self, self._operand(other))

    def __radd__(self, other: Any) -> Tensor:
        return ops.Add.apply(self._operand(other), self)

    def __sub__(self, other: Any) -> Tensor:
        return ops.Sub.apply(self, self._operand(other))

    def __rsub__(self, other: Any) -> Tensor:
        return ops.Sub.apply(self._operand(other), self)

    def __mul__(self, other: Any) -> Tensor:
        return ops.Mul.apply(self, self._operand(other))

    def __rmul__(self, other: Any) -> Tensor:
        return ops.Mul.apply(self._operand(other), self)

    def __truediv__(self, other: Any) -> Tensor:
        return ops.Div.apply(self, self._operand(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return ops.Div.apply(self._operand(other), self)

    def __pow__(self, exponent: Any) -> Tensor:
        return ops.Pow.apply(self, self._operand(exponent))

    def __rpow__(self, base: Any) -> Tensor:
        return ops.Pow.apply(self._operand(base), self)

    def __matmul__(self, other: Any) -> Tensor:
        return ops.MatMul.apply(self, self._operand(other))

    def __rmatmul__(self, other: Any) -> Tensor:
        return ops.MatMul.apply(self._operand(other), self)

    def __neg__(self) -> Tensor:
        return ops.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    # ``W -= lr * dW``: an update of a parameter outside the graph, e.g. an SGD
    # step under no_grad(). It gives the tensor a new array rather than writing
    # into the old one, so a graph recorded earlier keeps the values it saw
    # (and any array shared with it, by detach() or a view, is left alone).
    def _update(
        self, other: Any, operation: Callable[[np.ndarray, np.ndarray], np.ndarray]
    ) -> Tensor:
        if is_grad_enabled() and (self.requires_grad or getattr(other, "requires_grad", False)):
            raise RuntimeError(
                "in-place update of a tensor that requires grad while the graph is "
                "being recorded; do parameter updates inside `with no_grad():`."
            )
        new = operation(self.data, self._operand_array(other))
        if new.shape != self.shape:
            raise ValueError(
                f"an in-place update cannot change the shape: the tensor is {self.shape}, "
                f"the result would be {new.shape}"
            )
        self.data = new.astype(self.data.dtype, copy=False)
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self._update(other, np.add)

    def __isub__(self, other: Any) -> Tensor:
        return self._update(other, np.subtract)

    def __imul__(self, other: Any) -> Tensor:
        return self._update(other, np.multiply)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._update(other, np.true_divide)

    # Comparisons give plain boolean tensors: they are not differentiable.
    def _compare(
        self, other: Any, compare: Callable[[np.ndarray, np.ndarray], np.ndarray]
    ) -> Tensor:
        return Tensor._from_op(compare(self.data, self._operand_array(other)), None)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def __getitem__(self, index: Any) -> Tensor:
        return ops.GetItem.apply(self, index=_index_of(index))

    # ------------------------------------------------------------------ #
    # Methods: elementwise maths and activations
    # ------------------------------------------------------------------ #

    def exp(self) -> Tensor:
        return ops.Exp.apply(self)

    def log(self) -> Tensor:
        return ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        return ops.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return ops.Abs.apply(self)

    def tanh(self) -> Tensor:
        return ops.Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return ops.Sigmoid.apply(self)

    def relu(self) -> Tensor:
        return ops.ReLU.apply(self)

    def leaky_relu(self, slope: float = 0.01) -> Tensor:
        return ops.LeakyReLU.apply(self, slope=slope)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        return ops.Clip.apply(self, lo=lo, hi=hi)

    def softmax(self, axis: int = 0) -> Tensor:
        """Softmax along ``axis`` (0: classes are rows, examples columns, as in the course)."""
        return ops.Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = 0) -> Tensor:
        return ops.LogSoftmax.apply(self, axis=axis)

    # ------------------------------------------------------------------ #
    # Methods: reductions and shape
    # ------------------------------------------------------------------ #

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return ops.Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Largest entry along ``axis``; tied maxima share the gradient evenly."""
        return ops.Max.apply(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        """``t.reshape(2, 3)`` or ``t.reshape((2, 3))``; one size may be -1."""
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = tuple(shape[0])
        return ops.Reshape.apply(self, shape=shape)

    def transpose(self, *axes: int | Sequence[int]) -> Tensor:
        """Permute axes; with none given, reverse them (``Wᵀ`` for a matrix)."""
        if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
            axes = tuple(axes[0])
        return ops.Transpose.apply(self, axes=tuple(axes) if axes else None)


def _index_of(index: Any) -> Any:
    """The index as NumPy wants it: Tensors (e.g. a mask ``x > 0``) become their arrays.

    Array indices are copied, since backward needs them as they were.
    """
    if isinstance(index, tuple):
        return tuple(_index_of(part) for part in index)
    if isinstance(index, Tensor):
        index = index.data
        if index.dtype.kind == "f":
            if not np.all(index == np.round(index)):
                raise IndexError(f"a tensor used as an index must hold whole numbers, got {index}")
            return index.astype(np.intp)
    if isinstance(index, (list, np.ndarray)):
        return np.array(index)
    return index


autograd._bind_tensor_class(Tensor)
