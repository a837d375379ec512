"""``tinygrad_edu.compare``: every gradient three ways (manual, autodiff, numerical), as a report.

The property tests over random networks live in tests/test_course_equations.py;
here: the report's rows and their order, its table and header, its dict and
key access, the output-layer shortcut, that it catches a wrong gradient rule,
and its errors.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import tinygrad_edu.functional as F
from tinygrad_edu import ops
from tinygrad_edu.compare import LOSSES, MANUAL_AGREEMENT, ComparisonReport, compare
from tinygrad_edu.data import planar_flower
from tinygrad_edu.manual import deep, two_layer
from tinygrad_edu.nn import deep_network

TOLERANCE = 1e-7
L2_LOGITS_ROWS = ["dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]
L2_SIGMOID_ROWS = ["dA2", *L2_LOGITS_ROWS]
DICT_KEYS = ["name", "shape", "max_abs_diff", "rel_diff_manual", "rel_diff_autodiff", "passed"]


def random_problem(layer_dims: list[int], m: int, seed: int = 0):
    """X (n_x, m), Y (1, m) of 0/1 and params with Z of order 1 and nonzero biases."""
    rng = np.random.RandomState(seed)
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = rng.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        params[f"b{l}"] = rng.randn(layer_dims[l], 1) * 0.5
    X = rng.randn(layer_dims[0], m)
    Y = (np.arange(m) % 2).astype(np.float64).reshape(1, m)
    return X, Y, params


@pytest.fixture(scope="module")
def flower():
    """The course's data (first 100 examples, both classes) and its initial weights."""
    X, Y = planar_flower()
    X, Y = X[:, 150:250], Y[:, 150:250]
    assert set(Y.ravel()) == {0.0, 1.0}
    return X, Y, two_layer.init_params(2, 4, 1, seed=2)


@pytest.fixture(scope="module")
def course_report(flower) -> ComparisonReport:
    X, Y, params = flower
    return compare(X, Y, params, hidden_activation="tanh")


@pytest.fixture(scope="module")
def sigmoid_report(flower) -> ComparisonReport:
    X, Y, params = flower
    return compare(X, Y, params, hidden_activation="tanh", loss="sigmoid")


# ---------------------------------------------------------------------------
# Rows: order, values, fields
# ---------------------------------------------------------------------------


def test_rows_are_in_backprop_order(course_report, sigmoid_report) -> None:
    assert [row.name for row in course_report.rows] == L2_LOGITS_ROWS
    assert [row.name for row in sigmoid_report.rows] == L2_SIGMOID_ROWS


@pytest.mark.parametrize(
    "layer_dims, expected",
    [
        ([3, 1], ["dZ1", "dW1", "db1"]),
        (
            [3, 4, 2, 1],
            ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"],
        ),
    ],
)
def test_rows_for_one_and_three_layers(layer_dims, expected) -> None:
    X, Y, params = random_problem(layer_dims, m=6)
    report = compare(X, Y, params, "sigmoid")
    assert bool(report), str(report)
    assert [row.name for row in report.rows] == expected
    report = compare(X, Y, params, "sigmoid", loss="sigmoid")
    assert [row.name for row in report.rows] == [f"dA{len(layer_dims) - 1}", *expected]
    assert report.manual_source == "manual.deep.model_backward"


def test_course_report_passes_with_the_course_equations(course_report, flower) -> None:
    X, Y, params = flower
    m = X.shape[1]
    assert bool(course_report), str(course_report)
    assert course_report.m == m and course_report.loss == "logits"
    assert course_report.tol == TOLERANCE
    assert course_report.manual_source == "manual.two_layer.backward, the course's six equations"
    assert course_report.kinks == {}

    A2, cache = two_layer.forward(X, params, "tanh")
    six = two_layer.backward(params, cache, X, Y, "tanh")
    for name, value in six.items():
        np.testing.assert_array_equal(course_report[name].manual, value)
    # dA1 is not one of the six: it comes from the deep blocks, dA1 = W2ᵀ dZ2
    np.testing.assert_allclose(course_report["dA1"].manual, params["W2"].T @ (A2 - Y), rtol=1e-14)

    # autodiff, read off independently: W.grad as it is, m · Z.grad for dZ and dA
    model = deep_network([2, 4, 1], "tanh").load_params(params)
    Z2, named = model.forward_named(X)
    F.binary_cross_entropy_with_logits(Z2, Y).backward()
    expected = {
        "dZ2": m * named["Z2"].grad,
        "dW2": model[2].W.grad,
        "db2": model[2].b.grad,
        "dA1": m * named["A1"].grad,
        "dZ1": m * named["Z1"].grad,
        "dW1": model[0].W.grad,
        "db1": model[0].b.grad,
    }
    for row in course_report.rows:
        np.testing.assert_array_equal(row.autodiff, expected[row.name], err_msg=row.name)
        assert row.shape == expected[row.name].shape
        assert row.scaled_by_m == (row.name in ("dZ2", "dA1", "dZ1"))
        assert row.max_abs_diff == float(np.max(np.abs(row.manual - row.autodiff)))
        assert row.max_abs_diff < 1e-15
        assert row.passed
        if not row.near_zero:
            assert row.rel_diff_manual < TOLERANCE and row.rel_diff_autodiff < TOLERANCE
    # The course's weights (× 0.01) leave W·X small, so these are far from rounding noise.
    for name in ("dZ2", "dW2", "dW1"):
        assert not course_report[name].near_zero, name


def test_numerical_column_is_centred_differences_scaled_by_m(course_report, flower) -> None:
    X, Y, params = flower
    eps = 1e-6

    def J(p):
        A2, _ = two_layer.forward(X, p, "tanh")
        return two_layer.cost(A2, Y)

    plus = {**params, "b2": params["b2"] + eps}
    minus = {**params, "b2": params["b2"] - eps}
    approx_db2 = (J(plus) - J(minus)) / (2 * eps)
    assert course_report["db2"].numerical[0, 0] == pytest.approx(approx_db2, abs=1e-9)
    # m-scaled rows: the numerical column is m · ∂J/∂Z2 = A2 − Y up to differencing error
    A2, _ = two_layer.forward(X, params, "tanh")
    np.testing.assert_allclose(course_report["dZ2"].numerical, A2 - Y, atol=1e-7)


def test_compare_leaves_its_inputs_alone(flower) -> None:
    X, Y, params = flower
    before = (X.copy(), Y.copy(), {key: value.copy() for key, value in params.items()})
    compare(X, Y, params, loss="sigmoid")
    np.testing.assert_array_equal(X, before[0])
    np.testing.assert_array_equal(Y, before[1])
    for key, value in params.items():
        np.testing.assert_array_equal(value, before[2][key])


def test_lists_and_integer_arrays_are_accepted() -> None:
    X, Y, params = random_problem([2, 3, 1], m=4)
    from_lists = compare(
        X.tolist(), Y.astype(int).tolist(), {k: v.tolist() for k, v in params.items()}
    )
    from_arrays = compare(X, Y, params)
    assert bool(from_lists) and bool(from_arrays)
    for a, b in zip(from_lists.rows, from_arrays.rows):
        np.testing.assert_array_equal(a.manual, b.manual)
        np.testing.assert_array_equal(a.autodiff, b.autodiff)


# ---------------------------------------------------------------------------
# The printed report
# ---------------------------------------------------------------------------


def table_lines(text: str) -> tuple[list[str], list[str]]:
    """The header, the dashes and the data rows of the printed table."""
    lines = text.splitlines()
    dashes = next(i for i, line in enumerate(lines) if line.startswith("----"))
    header = lines[dashes - 1]
    rows = lines[dashes + 1 : dashes + 1 + sum(1 for line in lines if line.startswith("d"))]
    return [header, lines[dashes]], rows


def column_starts(dashes: str) -> list[int]:
    """Where each column begins: the first '-' of each run in the dashes line."""
    return [i for i, ch in enumerate(dashes) if ch == "-" and (i == 0 or dashes[i - 1] == " ")]


def cells(line: str, starts: list[int]) -> list[str]:
    """The line cut at the column starts, each cell stripped."""
    bounds = [*starts[1:], len(line)]
    return [line[a:b].strip() for a, b in zip(starts, bounds)]


def test_str_states_the_1_over_m_convention_in_its_header(course_report) -> None:
    text = str(course_report)
    lines = text.splitlines()
    assert lines[0].startswith("Gradients three ways: manual (manual.two_layer.backward")
    assert lines[0].endswith("m = 100 examples.")
    assert lines[1] == (
        "Cost: J = binary_cross_entropy_with_logits(Z[L], Y), the mean over the m examples."
    )
    assert lines[2].startswith("1/m convention: the course's dZ, dA are per-example;")
    assert "Z.grad is dJ/dZ = dZ / m" in lines[2]
    assert "compare m · Z.grad with dZ" in lines[2]
    assert "dW and db are compared as they are" in lines[2]
    assert repr(course_report) == text


def test_str_is_an_aligned_table(course_report, sigmoid_report) -> None:
    for report in (course_report, sigmoid_report):
        (header, dashes), rows = table_lines(str(report))
        assert header.split("  ")[0] == "gradient"
        for title in (
            "shape",
            "|manual − autodiff|",
            "manual vs numerical",
            "autodiff vs numerical",
        ):
            assert title in header
        starts = column_starts(dashes)
        assert len(starts) == 6
        assert len(rows) == len(report.rows)
        for line, row in zip(rows, report.rows):
            for start in starts:
                assert line[start] != " ", (line, start)
                assert start == 0 or line[start - 2 : start] == "  ", (line, start)
            assert line.split()[0] == row.name
            assert cells(line, starts)[-1] in ("ok", "ok*")
        for start in starts[:-1]:  # the verdict column has no title
            assert header[start] != " " and (start == 0 or header[start - 2 : start] == "  ")
        labels = {row.name: line[: starts[1]].rstrip() for line, row in zip(rows, report.rows)}
        assert labels["dZ2"] == "dZ2  (m·Z2.grad)"
        assert labels["dA1"] == "dA1  (m·A1.grad)"
        assert labels["dW1"] == "dW1"


def test_str_cells_show_each_rows_numbers(course_report) -> None:
    (_, dashes), rows = table_lines(str(course_report))
    starts = column_starts(dashes)
    for line, row in zip(rows, course_report.rows):
        row_cells = cells(line, starts)
        assert row_cells[1] == str(row.shape)
        assert row_cells[2:5] == [
            f"{row.max_abs_diff:.2e}",
            f"{row.rel_diff_manual:.2e}",
            f"{row.rel_diff_autodiff:.2e}",
        ]
        assert row_cells[5] == ("ok*" if row.near_zero else "ok")


def test_str_summary_lines(course_report) -> None:
    lines = str(course_report).splitlines()
    assert (
        f"all agree: each relative difference is below {TOLERANCE:g} (or, ok*, within "
        f"rounding noise) and manual equals autodiff to {MANUAL_AGREEMENT:g}." in lines
    )
    if any(row.near_zero for row in course_report.rows):
        assert any(line.startswith("ok*: a small gradient") for line in lines)
    assert not any("SOME DISAGREE" in line or "FAIL" in line for line in lines)


# ---------------------------------------------------------------------------
# to_dicts and key access
# ---------------------------------------------------------------------------


def test_to_dicts_gives_plain_dicts_with_the_documented_keys(course_report) -> None:
    dicts = course_report.to_dicts()
    assert [d["name"] for d in dicts] == L2_LOGITS_ROWS
    for d, row in zip(dicts, course_report.rows):
        assert type(d) is dict and list(d) == DICT_KEYS
        assert d == {
            "name": row.name,
            "shape": row.shape,
            "max_abs_diff": row.max_abs_diff,
            "rel_diff_manual": row.rel_diff_manual,
            "rel_diff_autodiff": row.rel_diff_autodiff,
            "passed": True,
        }
        assert type(d["shape"]) is tuple and all(type(n) is int for n in d["shape"])
        for key in ("max_abs_diff", "rel_diff_manual", "rel_diff_autodiff"):
            assert type(d[key]) is float
        assert type(d["passed"]) is bool
    json.dumps(dicts)  # no arrays, no NumPy scalars


def test_getitem_by_name_and_keyerror(course_report) -> None:
    assert course_report["dW1"] is course_report.rows[5]
    assert course_report["dW1"].name == "dW1" and course_report["dW1"].shape == (4, 2)
    with pytest.raises(KeyError, match="dW3"):
        course_report["dW3"]
    with pytest.raises(KeyError) as info:
        course_report["dA2"]  # only with loss="sigmoid"
    assert "dZ2" in str(info.value) and "db1" in str(info.value)


# ---------------------------------------------------------------------------
# The shortcut dZ[L] = A[L] − Y
# ---------------------------------------------------------------------------


def test_logits_shortcut_is_bit_exact(course_report, flower) -> None:
    X, Y, params = flower
    m = X.shape[1]
    assert course_report.shortcut_bit_exact is True
    assert course_report.shortcut_max_diff < 1e-15
    line = str(course_report).splitlines()[-1]
    assert line.startswith("Shortcut dZ2 = A2 − Y: with binary_cross_entropy_with_logits")
    assert "equals (A2 − Y)/m bit for bit" in line and "NOT" not in line
    assert f"{course_report.shortcut_max_diff:.1e}" in line
    # the claim itself, checked here
    model = deep_network([2, 4, 1], "tanh").load_params(params)
    Z2, _ = model.forward_named(X)
    F.binary_cross_entropy_with_logits(Z2, Y).backward()
    A2, _ = two_layer.forward(X, params, "tanh")
    np.testing.assert_array_equal(Z2.grad, (A2 - Y) / m)


def test_sigmoid_shortcut_matches_to_rounding(sigmoid_report, flower) -> None:
    X, Y, params = flower
    assert bool(sigmoid_report), str(sigmoid_report)
    assert sigmoid_report.loss == "sigmoid"
    assert sigmoid_report.shortcut_bit_exact is False
    assert 0 <= sigmoid_report.shortcut_max_diff < 1e-15
    text = str(sigmoid_report)
    assert "Cost: J = binary_cross_entropy(sigmoid(Z[L]), Y)" in text
    line = text.splitlines()[-1]
    assert line.startswith("Shortcut dZ2 = A2 − Y: through sigmoid then binary_cross_entropy")
    assert "matches A2 − Y to rounding" in line
    assert line.endswith(f"= {sigmoid_report.shortcut_max_diff:.1e}.")
    # dA2 is the course's −(Y/A2 − (1 − Y)/(1 − A2)), compared as m · A2.grad
    A2, _ = two_layer.forward(X, params, "tanh")
    row = sigmoid_report["dA2"]
    assert row.scaled_by_m and row.passed
    np.testing.assert_allclose(row.manual, -(Y / A2 - (1 - Y) / (1 - A2)), rtol=1e-15)
    np.testing.assert_allclose(row.autodiff, row.manual, rtol=1e-13)


def test_shortcut_line_names_layer_ten_of_a_ten_layer_network() -> None:
    """The shortcut line names dZ[L] and A[L] for L ≥ 10 too (not just L's last digit)."""
    X, Y, params = random_problem([2] + [2] * 9 + [1], m=3, seed=4)
    for loss in LOSSES:
        report = compare(X, Y, params, "tanh", loss=loss)
        assert report.rows[0].name == ("dA10" if loss == "sigmoid" else "dZ10")
        line = str(report).splitlines()[-1]
        assert line.startswith("Shortcut dZ10 = A10 − Y:"), line


# ---------------------------------------------------------------------------
# compare catches a wrong gradient
# ---------------------------------------------------------------------------


def test_a_wrong_tanh_rule_fails_the_rows_below_it(monkeypatch) -> None:
    X, Y, params = random_problem([3, 4, 1], m=8, seed=1)

    def forgot_the_square(ctx, da):  # dZ = dA · (1 − A) instead of dA · (1 − A²)
        (a,) = ctx.saved_tensors
        return da * (1 - a)

    monkeypatch.setattr(ops.Tanh, "backward", staticmethod(forgot_the_square))
    report = compare(X, Y, params, "tanh")
    assert not report
    failing = [row.name for row in report.rows if not row.passed]
    assert failing == ["dZ1", "dW1", "db1"]  # above the tanh (dZ2 dW2 db2 dA1) all is well
    for name in failing:
        row = report[name]
        assert row.rel_diff_manual < TOLERANCE  # the hand-derived equations are right
        assert row.rel_diff_autodiff > 1e-3  # "almost certainly a bug"
        assert row.max_abs_diff > 1e-3
    text = str(report)
    assert "SOME DISAGREE" in text and "all agree" not in text
    (_, dashes), rows = table_lines(text)
    for line in rows:
        verdict = cells(line, column_starts(dashes))[-1]
        assert verdict == ("FAIL" if line.split()[0] in failing else "ok"), line
    assert "FAIL†" not in text  # no kinks with tanh


def test_a_wrong_sigmoid_rule_fails_everything_below_the_output(monkeypatch) -> None:
    X, Y, params = random_problem([3, 4, 1], m=8, seed=2)

    def forgot_one_minus(ctx, da):  # dZ = dA · A instead of dA · A · (1 − A)
        (a,) = ctx.saved_tensors
        return da * a

    monkeypatch.setattr(ops.Sigmoid, "backward", staticmethod(forgot_one_minus))
    assert compare(X, Y, params, "tanh")  # the logits loss never calls Sigmoid.backward
    report = compare(X, Y, params, "tanh", loss="sigmoid")
    assert [row.name for row in report.rows if not row.passed] == L2_LOGITS_ROWS
    assert report["dA2"].passed
    assert report.shortcut_max_diff > 1e-3
    assert "SOME DISAGREE" in str(report)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["softmax", "bce", "", "LOGITS"])
def test_bad_loss_name_raises(loss) -> None:
    X, Y, params = random_problem([2, 3, 1], m=4)
    with pytest.raises(ValueError, match="loss must be one of") as info:
        compare(X, Y, params, loss=loss)
    assert repr(loss) in str(info.value)
    assert "'logits'" in str(info.value) and "'sigmoid'" in str(info.value)


@pytest.mark.parametrize(
    "keys",
    [
        ["W1", "b1", "W2"],  # b2 missing
        ["W1", "b1", "W2", "b2", "W3"],  # W3 without b3
        ["W1", "b1", "W3", "b3"],  # a gap
        ["b1"],  # no weights at all
        [],
        ["W1", "b1", "W2", "b2", "dW1"],  # a gradient among the parameters
    ],
)
def test_bad_params_keys_raise(keys) -> None:
    X, Y, good = random_problem([2, 3, 1], m=4)
    extra = {"W3": np.ones((1, 1)), "b3": np.zeros((1, 1)), "dW1": np.ones((3, 2))}
    params = {key: good.get(key, extra.get(key)) for key in keys}
    with pytest.raises(ValueError, match="W1, b1, …, WL, bL") as info:
        compare(X, Y, params)
    assert str(sorted(keys)) in str(info.value)


def test_bad_shapes_and_activation_raise_value_errors() -> None:
    X, Y, params = random_problem([2, 3, 1], m=4)
    with pytest.raises(ValueError, match="W2"):
        compare(X, Y, {**params, "W2": np.ones((1, 5))})
    with pytest.raises(ValueError, match="b1"):
        compare(X, Y, {**params, "b1": np.zeros(3)})
    with pytest.raises(ValueError, match="'softplus'"):
        compare(X, Y, params, hidden_activation="softplus")
    with pytest.raises(ValueError, match="column"):
        compare(X.T, Y, params)


# ---------------------------------------------------------------------------
# Gaps found while writing these tests (see the report)
# ---------------------------------------------------------------------------


def test_sigmoid_loss_with_an_output_probability_within_eps_of_0() -> None:
    """loss="sigmoid" must still produce the report when some A[L] is below ε = 1e-6.

    Today the centred difference for the dA[L] row steps A[L] − ε below 0 and
    binary_cross_entropy raises "A must hold probabilities in [0, 1] … apply sigmoid
    first", which blames the user (python -m tinygrad_edu compare --loss sigmoid
    --hidden 3 2 --activation relu --init he exits 2 with it).
    """
    X, Y, params = random_problem([2, 3, 1], m=6, seed=3)
    params["W2"] = params["W2"] * 0.1
    params["b2"] = np.array([[-15.0]])  # σ(−15) ≈ 3.1e-7 < ε
    A2, _ = two_layer.forward(X, params, "tanh")
    assert np.all(A2 < 1e-6) and np.all(A2 > 1e-7)
    assert compare(X, Y, params, "tanh")  # the logits loss is fine here
    report = compare(X, Y, params, "tanh", loss="sigmoid")
    assert [row.name for row in report.rows] == L2_SIGMOID_ROWS
    for row in report.rows[1:]:
        assert row.passed, str(report)


def test_two_output_units_are_compared_under_one_cost_or_refused() -> None:
    """Y of shape (2, m): the course's J = (1/m) Σ over every entry (manual.deep.cost),
    while binary_cross_entropy_with_logits averages over the 2m entries. compare must
    either compare the same cost or refuse Y with a ValueError naming its shape; today it
    returns a report whose every row FAILs by the factor 2 (relative difference 1/3) and
    whose shortcut line says "NOT bit for bit … (one rounding of × m)"."""
    rng = np.random.RandomState(5)
    X, Y = rng.randn(3, 6), rng.randint(0, 2, (2, 6)).astype(np.float64)
    params = {
        "W1": rng.randn(4, 3),
        "b1": rng.randn(4, 1) * 0.5,
        "W2": rng.randn(2, 4) * 0.5,
        "b2": rng.randn(2, 1) * 0.5,
    }
    try:
        report = compare(X, Y, params)
    except ValueError as error:
        assert "(2, 6)" in str(error), str(error)
    else:
        assert report, str(report)
        assert deep.cost(deep.model_forward(X, params, "tanh")[0], Y) > 0
