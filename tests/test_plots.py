"""Pictures of training, and the command line's --plot, with and without matplotlib."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from cli_support import run_main as run  # tests/cli_support.py

from tinygrad_edu import plots
from tinygrad_edu.data import planar_flower
from tinygrad_edu.training import train

PNG = b"\x89PNG\r\n\x1a\n"
MATPLOTLIB_MODULES = ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg")


@pytest.fixture
def without_matplotlib(monkeypatch):
    for name in MATPLOTLIB_MODULES:
        monkeypatch.setitem(sys.modules, name, None)  # import matplotlib now fails


@pytest.fixture
def with_matplotlib():
    pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")


def test_cost_curve_and_decision_boundary(tmp_path, with_matplotlib) -> None:
    X, Y = planar_flower()
    result = train(X, Y, [2, 4, 1], iterations=200)
    figure = plots.plot_costs(result.costs, tmp_path / "cost.png")
    (axes,) = figure.axes
    np.testing.assert_allclose(axes.lines[0].get_ydata(), result.costs)
    assert axes.get_xlabel() == "iteration" and axes.get_ylabel() == "cost J"
    figure = plots.plot_decision_boundary(result.predict, X, Y, tmp_path / "boundary.png")
    assert figure.axes[0].get_title() == "Decision boundary"
    for name in ("cost.png", "boundary.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG
    two = plots.plot_costs({"autodiff": [1.0, 0.5], "manual": [1.0, 0.5]})
    assert [line.get_label() for line in two.axes[0].lines] == ["autodiff", "manual"]
    assert two.axes[0].lines[1].get_linestyle() == "--"  # coinciding curves stay visible


def test_decision_boundary_checks_shapes(with_matplotlib) -> None:
    X, Y = planar_flower(m=10)
    with pytest.raises(ValueError, match="two features, \\(2, m\\)"):
        plots.plot_decision_boundary(lambda P: P[:1] > 0, np.vstack([X, X]), Y)
    with pytest.raises(ValueError, match="must be \\(1, m\\) = \\(1, 10\\)"):
        plots.plot_decision_boundary(lambda P: P[:1] > 0, X, Y[:, :5])


def test_train_plot_saves_the_pictures(tmp_path, capsys, with_matplotlib) -> None:
    target = tmp_path / "new" / "dir"
    code, out, err = run(
        capsys, "train", "--iterations", "50", "--print-every", "0", "--engine", "both",
        "--plot", str(target),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        f"saved {target / 'cost.png'} and {target / 'decision_boundary.png'}"
    )
    for name in ("cost.png", "decision_boundary.png"):
        assert (target / name).read_bytes()[:8] == PNG


def test_course_run_plot(tmp_path, capsys, with_matplotlib) -> None:
    code, out, _ = run(capsys, "--plot", str(tmp_path))
    assert code == 0 and "training accuracy 90.75%" in out
    assert (tmp_path / "decision_boundary.png").read_bytes()[:8] == PNG


def test_plot_into_a_file_is_refused(tmp_path, capsys, with_matplotlib) -> None:
    file = tmp_path / "file.txt"
    file.write_text("")
    code, _, err = run(capsys, "train", "--iterations", "1", "--plot", str(file))
    assert code == 2 and "this is a file; give a directory" in err


def test_plot_only_with_training(tmp_path, capsys) -> None:
    code, _, err = run(capsys, "--plot", str(tmp_path), "compare")
    assert code == 2 and "--plot goes with the course run or train" in err


def test_without_matplotlib_one_line_and_exit_2(tmp_path, capsys, without_matplotlib) -> None:
    for argv in (["train", "--plot", str(tmp_path)], ["--plot", str(tmp_path)]):
        code, out, err = run(capsys, *argv)
        assert code == 2
        assert out == ""  # nothing was trained first
        assert err.count("\n") == 1 and "install tinygrad_edu[plot]" in err
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ImportError, match="install tinygrad_edu\\[plot\\]"):
        plots.plot_costs([1.0, 0.5])
    code, out, _ = run(capsys, "train", "--iterations", "3", "--print-every", "0")
    assert code == 0 and "training accuracy" in out  # without --plot nothing changes
