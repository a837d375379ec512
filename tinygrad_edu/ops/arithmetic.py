"""Elementwise arithmetic: each rule is the derivative of one line of school algebra.

Binary ops broadcast as NumPy does; their backward returns gradients at the
result's shape and the engine sums them back to each input's shape.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Context, Function


class Add(Function):
    """out = a + b;  da = dout,  db = dout"""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return dout, dout


class Sub(Function):
    """out = a − b;  da = dout,  db = −dout"""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a - b

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        return dout, (-dout if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """out = a · b;  da = dout · b,  db = dout · a"""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        a, b = ctx.saved_tensors
        da = dout * b if ctx.needs_input_grad[0] else None
        db = dout * a if ctx.needs_input_grad[1] else None
        return da, db


class Div(Function):
    """out = a / b;  da = dout / b,  db = −dout · out / b   (= −dout · a / b²)

    Written with ``out`` rather than b², which would overflow or vanish for
    very large or small b long before the gradient itself does.
    """

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = a / b
        ctx.save_for_backward(b, out)
        return out

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        b, out = ctx.saved_tensors
        da = dout / b if ctx.needs_input_grad[0] else None
        db = -dout * out / b if ctx.needs_input_grad[1] else None
        return da, db


class Pow(Function):
    """out = aᵇ;  da = dout · b · aᵇ⁻¹,  db = dout · out · ln a

    ``db`` is only computed when the exponent needs a gradient, so ``x ** 2``
    with a negative ``x`` never takes a logarithm. Where a term is 0 times an
    infinity (b = 0 at a = 0; out = 0 at a = 0) its limit, 0, is used.
    """

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> tuple[np.ndarray | None, ...]:
        a, b, out = ctx.saved_tensors
        da = db = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if ctx.needs_input_grad[0]:
                da = dout * np.where(b == 0, 0.0, b * a ** (b - 1))
            if ctx.needs_input_grad[1]:
                db = dout * np.where(out == 0, 0.0, out * np.log(a))
        return da, db


class Neg(Function):
    """out = −x;  dx = −dout"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return -x

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> np.ndarray:
        return -dout


class Exp(Function):
    """out = eˣ;  dx = dout · out

    Saves ``out``: the derivative of eˣ is itself, so backward needs no second exp.
    """

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> np.ndarray:
        (out,) = ctx.saved_tensors
        return dout * out


class Log(Function):
    """out = ln x;  dx = dout / x"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return dout / x


class Sqrt(Function):
    """out = √x;  dx = dout / (2 · out)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> np.ndarray:
        (out,) = ctx.saved_tensors
        return dout / (2 * out)


class Abs(Function):
    """out = |x|;  dx = dout · sign(x)   (0 at x = 0)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return dout * np.sign(x)


class Clip(Function):
    """out = min(max(x, lo), hi);  dx = dout · [lo ≤ x ≤ hi]"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
        if lo is None and hi is None:
            raise ValueError("clip needs at least one bound; pass lo=..., hi=... or both")
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"clip bounds are reversed: lo={lo} > hi={hi}")
        inside = np.ones(x.shape, dtype=bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        ctx.save_for_backward(inside)
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> np.ndarray:
        (inside,) = ctx.saved_tensors
        return dout * inside


class Maximum(Function):
    """out = max(a, b);  da = dout · [a > b],  db = dout · [b > a]   (ties: half each)"""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = ctx.saved_tensors
        share_a = (a > b) + 0.5 * (a == b)
        return dout * share_a, dout * (1 - share_a)


class Minimum(Function):
    """out = min(a, b);  da = dout · [a < b],  db = dout · [b < a]   (ties: half each)"""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = ctx.saved_tensors
        share_a = (a < b) + 0.5 * (a == b)
        return dout * share_a, dout * (1 - share_a)


class Where(Function):
    """out = a where condition else b;  da = dout · [condition],  db = dout · [not condition]

    The condition is a selector, not a variable: it gets no gradient.
    """

    @staticmethod
    def forward(ctx: Context, condition: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        condition = condition.astype(bool)
        ctx.save_for_backward(condition)
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx: Context, dout: np.ndarray) -> tuple[None, np.ndarray, np.ndarray]:
        (condition,) = ctx.saved_tensors
        return None, dout * condition, dout * ~condition
