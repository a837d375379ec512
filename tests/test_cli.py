"""The command line, ``python -m tinygrad_edu``.

Everything runs in-process through ``tinygrad_edu.__main__.main([...])`` with
pytest's ``capsys``, except one real subprocess run of the default course run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import run_main as run  # tests/cli_support.py

import tinygrad_edu

REPO = Path(tinygrad_edu.__file__).resolve().parent.parent
ONE_OVER_M = "1/m convention: the course's dZ, dA are per-example; autodiff's Z.grad is dJ/dZ"
ITERATION = re.compile(r"^  iteration +(\d+)  \[[#.]{20}\]  cost (\d+\.\d{6})$")


def iterations(out: str) -> list[tuple[int, str]]:
    """The (iteration, printed cost) pairs of the progress lines, in order."""
    return [
        (int(match[1]), match[2]) for line in out.splitlines() if (match := ITERATION.match(line))
    ]


def table_rows(out: str) -> list[list[str]]:
    """The cells of the comparison table's rows (cut at the header's column starts)."""
    lines = out.splitlines()
    dashes = next(i for i, line in enumerate(lines) if line.startswith("----------------  "))
    starts = [
        i
        for i, ch in enumerate(lines[dashes])
        if ch == "-" and lines[dashes][i - 1 : i] in ("", " ")
    ]
    rows = []
    for line in lines[dashes + 1 :]:
        if not line.startswith("d"):
            break
        bounds = [*starts[1:], len(line)]
        rows.append([line[a:b].strip() for a, b in zip(starts, bounds)])
    return rows


# ---------------------------------------------------------------------------
# The course run, for real, in a subprocess
# ---------------------------------------------------------------------------


def test_course_run_subprocess() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = done.stdout
    lines = out.splitlines()
    assert (
        lines[0]
        == f"tinygrad_edu {tinygrad_edu.__version__}: the course's network with one hidden layer"
    )
    # the comparison table, with the 1/m convention stated in its header
    assert any(line.startswith(ONE_OVER_M) for line in lines)
    rows = table_rows(out)
    assert [row[0].split()[0] for row in rows] == ["dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]
    assert all(row[-1] in ("ok", "ok*") for row in rows)
    assert any(line.startswith("all agree:") for line in lines)
    assert "gradient descent with autodiff: 10000 iterations, learning rate 1.2" in lines
    # the cost every 1000 iterations (and at the last), the course's numbers at 0 and 1000
    printed = iterations(out)
    assert [i for i, _ in printed] == [*range(0, 10_000, 1000), 9999]
    costs = dict(printed)
    assert costs[0] == "0.693048" and costs[1000] == "0.288083"
    assert float(costs[0]) > float(costs[1000]) > float(costs[2000]) > float(costs[3000])
    # the training accuracy, ≥ 90% (the course reports 90%)
    (accuracy,) = [line for line in lines if "training accuracy" in line]
    match = re.match(
        r"autodiff: training accuracy (\d+\.\d\d)% after 10000 iterations \(", accuracy
    )
    assert match and float(match[1]) >= 90.0, accuracy


# ---------------------------------------------------------------------------
# Subcommands in-process
# ---------------------------------------------------------------------------


def test_train_both_engines(capsys) -> None:
    code, out, err = run(capsys, "train", "--engine", "both", "--iterations", "200")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == (
        "flower: X (2, 400), Y (1, 400); layers [2, 4, 1], tanh hidden, sigmoid output; "
        "learning rate 1.2"
    )
    # both engines print their progress, with the same numbers
    printed = iterations(out)
    assert printed == [(0, "0.693048"), (199, printed[1][1])] * 2
    assert [line.split(":")[0] for line in lines if "training accuracy" in line] == [
        "autodiff",
        "manual",
    ]
    assert all("after 200 iterations" in line for line in lines if "training accuracy" in line)
    (gap_line,) = [line for line in lines if line.startswith("largest difference")]
    match = re.fullmatch(r"largest difference between the two cost histories: (\S+)", gap_line)
    assert match and float(match[1]) < 1e-10


def test_train_options(capsys) -> None:
    code, out, err = run(
        capsys,
        *("train", "--dataset", "moons", "--examples", "60", "--hidden", "5", "3"),
        *("--activation", "relu", "--init", "he", "--lr", "0.1", "--iterations", "25"),
        *("--print-every", "10", "--engine", "manual"),
    )
    assert code == 0 and err == ""
    assert out.splitlines()[0] == (
        "moons: X (2, 60), Y (1, 60); layers [2, 5, 3, 1], relu hidden, sigmoid output; "
        "learning rate 0.1"
    )
    assert [i for i, _ in iterations(out)] == [0, 10, 20, 24]
    assert "manual: training accuracy" in out and "autodiff:" not in out
    assert "largest difference" not in out


def test_train_print_every_zero_prints_no_progress(capsys) -> None:
    code, out, _ = run(capsys, "train", "--iterations", "10", "--print-every", "0")
    assert code == 0
    assert iterations(out) == []
    assert "autodiff: training accuracy" in out


def test_compare_prints_the_table(capsys) -> None:
    code, out, err = run(capsys, "compare", "--examples", "100")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Gradients three ways: manual (manual.two_layer.backward")
    assert lines[0].endswith("m = 100 examples.")
    assert any(line.startswith(ONE_OVER_M) for line in lines)
    rows = table_rows(out)
    assert [row[0] for row in rows] == [
        "dZ2  (m·Z2.grad)",
        "dW2",
        "db2",
        "dA1  (m·A1.grad)",
        "dZ1  (m·Z1.grad)",
        "dW1",
        "db1",
    ]
    assert all(row[1].startswith("(") and row[-1] in ("ok", "ok*") for row in rows)
    assert lines[-1].startswith("Shortcut dZ2 = A2 − Y:") and "bit for bit" in lines[-1]


def test_compare_sigmoid_loss_deeper(capsys) -> None:
    code, out, _ = run(
        capsys, "compare", "--examples", "40", "--hidden", "3", "2", "--loss", "sigmoid"
    )
    assert code == 0
    names = [row[0].split()[0] for row in table_rows(out)]
    assert names[:3] == ["dA3", "dZ3", "dW3"] and names[-1] == "db1" and len(names) == 12
    assert "Cost: J = binary_cross_entropy(sigmoid(Z[L]), Y)" in out


def test_compare_exits_1_when_gradients_disagree(capsys) -> None:
    # relu with zero biases: columns whose units are all off give Z2 = 0, on the kink
    code, out, err = run(
        capsys, "compare", "--activation", "relu", "--hidden", "3", "2", "--examples", "100"
    )
    assert code == 1 and err == ""
    assert "SOME DISAGREE" in out and "FAIL†" in out


def test_gradcheck_passes(capsys) -> None:
    code, out, err = run(capsys, "gradcheck")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "gradient check of J for layers [2, 4, 1] (tanh) on flower, m = 400"
    assert [line.split()[0] for line in lines[3:7]] == ["W1", "b1", "W2", "b2"]
    assert lines[-1].startswith("gradcheck PASSED")


def test_gradcheck_options(capsys) -> None:
    code, out, _ = run(
        capsys,
        *("gradcheck", "--dataset", "moons", "--examples", "60"),
        *("--hidden", "3", "2", "--activation", "sigmoid"),
    )
    assert code == 0
    assert out.splitlines()[0] == (
        "gradient check of J for layers [2, 3, 2, 1] (sigmoid) on moons, m = 60"
    )
    assert "PASSED" in out.splitlines()[-1]


@pytest.mark.parametrize(
    "argv, expected",
    [
        ([], ["usage: python -m tinygrad_edu", "train", "compare", "gradcheck", "--version"]),
        (["train"], ["usage: python -m tinygrad_edu train", "--engine", "--lr", "--iterations"]),
        (["compare"], ["usage: python -m tinygrad_edu compare", "--loss", "--hidden"]),
        (["gradcheck"], ["usage: python -m tinygrad_edu gradcheck", "--activation", "--init"]),
    ],
)
def test_help(capsys, argv, expected) -> None:
    code, out, err = run(capsys, *argv, "--help")
    assert code == 0 and err == ""
    for text in expected:
        assert text in out


def test_version(capsys) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out == f"tinygrad_edu {tinygrad_edu.__version__}\n"


# ---------------------------------------------------------------------------
# Bad arguments: exit code 2, one line "error: …" on stderr, no traceback
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, prog, says",
    [
        (["bogus"], "python -m tinygrad_edu", "invalid choice: 'bogus'"),
        (
            ["train", "--hidden", "0"],
            "python -m tinygrad_edu train",
            "--hidden: must be at least 1",
        ),
        (["train", "--lr", "-1"], "python -m tinygrad_edu train", "--lr: must be positive"),
        (["train", "--lr", "x"], "python -m tinygrad_edu train", "--lr: not a number: 'x'"),
        (
            ["train", "--iterations", "x"],
            "python -m tinygrad_edu train",
            "--iterations: not a whole number: 'x'",
        ),
        (
            ["train", "--iterations", "-5"],
            "python -m tinygrad_edu train",
            "--iterations: must not be negative",
        ),
        (
            ["compare", "--dataset", "iris"],
            "python -m tinygrad_edu compare",
            "--dataset: invalid choice: 'iris'",
        ),
        (
            ["gradcheck", "--activation", "gelu"],
            "python -m tinygrad_edu gradcheck",
            "--activation: invalid choice: 'gelu'",
        ),
        (
            ["train", "--engine", "torch"],
            "python -m tinygrad_edu train",
            "--engine: invalid choice: 'torch'",
        ),
        (["compare", "--examples", "0"], "python -m tinygrad_edu compare", "--examples"),
        (["train", "--bogus-flag"], "python -m tinygrad_edu", "unrecognized arguments"),
    ],
)
def test_bad_arguments_exit_2_with_one_error_line(capsys, argv, prog, says) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    error_lines = [line for line in err.splitlines() if "error:" in line]
    assert len(error_lines) == 1, err
    assert err.splitlines()[-1] == error_lines[0]
    assert error_lines[0].startswith(f"{prog}: error: ")
    assert says in error_lines[0]


def test_a_value_error_at_run_time_exits_2_without_traceback(capsys) -> None:
    # argparse accepts any int as a seed; NumPy's RandomState refuses a negative one
    code, _, err = run(capsys, "train", "--seed", "-1", "--iterations", "1")
    assert code == 2
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if "error:" in line] == err.splitlines()
    assert err.startswith("python -m tinygrad_edu: error: ")
