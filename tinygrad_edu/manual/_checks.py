"""Input checks shared by `two_layer` and `deep`.

Kept apart so that the maths files read like the course's equations. Every
message names the shapes it saw and recalls the column layout, because a
transposed array (examples as rows) is the most common mistake.
"""

from __future__ import annotations

import numpy as np

LAYOUT_HINT = (
    "tinygrad_edu uses the course's column layout: one example per column, "
    "X is (n_x, m), Y is (n_y, m), W[l] is (n[l], n[l-1]), b[l] is (n[l], 1)"
)


def as_array(x: object) -> np.ndarray:
    """Return x as an ndarray; lists, ints and bools become float64, floats keep their dtype."""
    arr = np.asarray(x)
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    return arr


def check_matrix(x: np.ndarray, name: str, expected: str) -> None:
    """Raise ValueError unless x is 2-D; `expected` is the shape in symbols, e.g. "(n_x, m)"."""
    if x.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape {expected}, got shape {x.shape}. {LAYOUT_HINT}."
        )


def check_same_columns(a: np.ndarray, a_name: str, y: np.ndarray, y_name: str) -> None:
    """Raise ValueError unless a and y have the same number of examples m (columns)."""
    if a.shape[1] != y.shape[1]:
        raise ValueError(
            f"{a_name} has shape {a.shape} and {y_name} has shape {y.shape}: "
            f"they must have the same number of columns m. {LAYOUT_HINT}."
        )


def check_same_shape(a: np.ndarray, a_name: str, y: np.ndarray, y_name: str) -> None:
    """Raise ValueError unless a and y have the same shape (e.g. A[L] and Y, both (n_y, m))."""
    if a.shape != y.shape:
        raise ValueError(
            f"{a_name} has shape {a.shape} and {y_name} has shape {y.shape}: "
            f"they must have the same shape (n_y, m). {LAYOUT_HINT}."
        )


def check_layer_input(W: np.ndarray, W_name: str, A_prev: np.ndarray, A_name: str) -> None:
    """Raise ValueError unless W (n[l], n[l-1]) can multiply A_prev (n[l-1], m)."""
    check_matrix(W, W_name, "(n[l], n[l-1])")
    if W.shape[1] != A_prev.shape[0]:
        raise ValueError(
            f"{W_name} has shape {W.shape} and {A_name} has shape {A_prev.shape}: "
            f"{W_name} @ {A_name} needs {W_name}.shape[1] == {A_name}.shape[0]. "
            f"{LAYOUT_HINT}."
        )


def check_bias(b: np.ndarray, b_name: str, W: np.ndarray, W_name: str) -> None:
    """Raise ValueError unless b is the column (n[l], 1) that matches W (n[l], n[l-1])."""
    if b.shape != (W.shape[0], 1):
        raise ValueError(
            f"{b_name} has shape {b.shape} and {W_name} has shape {W.shape}: "
            f"{b_name} must be a column of shape ({W.shape[0]}, 1). {LAYOUT_HINT}."
        )
