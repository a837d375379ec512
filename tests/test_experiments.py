"""The course's experiments (``python -m tinygrad_edu experiment NAME``): tables, lessons, CLI.

Every test runs the quick version (each under about a second); the lessons
asserted are the ones that hold for the fixed seeds in the quick and the
full runs alike.
"""

from __future__ import annotations

import math
import sys

import pytest
from cli_support import run_main as run_cli  # tests/cli_support.py

from tinygrad_edu import experiments

PNG = b"\x89PNG\r\n\x1a\n"
MATPLOTLIB_MODULES = ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg")


@pytest.fixture(scope="module")
def quick_results() -> dict[str, experiments.ExperimentResult]:
    """Each experiment's quick run, once for the whole file."""
    return {name: experiments.run(name, quick=True) for name in experiments.EXPERIMENTS}


def test_the_experiments_are_the_four_of_the_course() -> None:
    assert list(experiments.EXPERIMENTS) == ["init", "regularization", "optimizers", "batchnorm"]


@pytest.mark.parametrize("name", list(experiments.EXPERIMENTS))
def test_table_has_a_header_a_rule_and_one_aligned_row_per_variant(quick_results, name) -> None:
    result = quick_results[name]
    lines = result.table().splitlines()
    header, rule, body = lines[0], lines[1], lines[2:]
    assert [variant for variant, _ in result.rows] == list(result.metrics) == list(result.curves)
    assert len(body) == len(result.rows) >= 2
    for column in result.columns:
        assert column in header
    assert set(rule) == {"-", " "}
    for line, (variant, cells) in zip(body, result.rows):
        assert line.startswith(variant)
        assert line.split()[-1] == cells[-1].split()[-1]
        assert len(line) <= len(rule)
    # every column's cells end where its rule ends: right-aligned numbers
    rule_ends = [i + 1 for i, char in enumerate(rule) if char == "-" and rule[i + 1 : i + 2] != "-"]
    for line in body:
        for end in rule_ends[1:]:
            assert line[end - 1] != " "
    assert str(result).startswith(f"{name}: ")


def test_zeros_never_breaks_symmetry_large_starts_huge_he_learns(quick_results) -> None:
    metrics = quick_results["init"].metrics
    zeros, large, he = metrics["zeros"], metrics["large (×10)"], metrics["he"]
    assert zeros["train accuracy"] == 0.5  # σ(0) = 0.5 everywhere on balanced classes
    assert zeros["first cost"] == pytest.approx(math.log(2))
    assert zeros["final cost"] == pytest.approx(math.log(2))
    assert large["first cost"] > 100 * he["first cost"]
    assert he["train accuracy"] > large["train accuracy"] > zeros["train accuracy"]


def test_l2_and_dropout_narrow_the_gap_between_train_and_test(quick_results) -> None:
    metrics = quick_results["regularization"].metrics
    none = metrics["none"]
    for regularised in (metrics["L2 (λ = 0.7)"], metrics["dropout (keep 0.86)"]):
        assert regularised["gap"] < none["gap"]
        assert regularised["test accuracy"] >= none["test accuracy"] - 0.01
    assert metrics["L2 (λ = 0.7)"]["train cost"] > none["train cost"]  # it pays for λ‖W‖²


def test_adam_beats_plain_and_momentum_gradient_descent(quick_results) -> None:
    result = quick_results["optimizers"]
    metrics = result.metrics
    adam = metrics["adam"]
    for slower in (metrics["gradient descent"], metrics["momentum"]):
        assert adam["final cost"] < slower["final cost"]
        assert adam["train accuracy"] > slower["train accuracy"]
    for costs in result.curves.values():
        assert costs[-1] < costs[0]
    assert len(result.curves["adam"]) == experiments.OPTIMIZER_EPOCHS[1]


def test_batchnorm_lets_the_deep_net_with_small_weights_learn(quick_results) -> None:
    metrics = quick_results["batchnorm"].metrics
    without, with_bn = metrics["without batch norm"], metrics["with batch norm"]
    assert without["final cost"] == pytest.approx(math.log(2), abs=1e-3)  # stuck
    assert with_bn["final cost"] < 0.5 * without["final cost"]
    assert with_bn["train accuracy"] > without["train accuracy"]


def test_the_runs_are_deterministic(quick_results) -> None:
    again = experiments.run("batchnorm", quick=True)
    assert again.table() == quick_results["batchnorm"].table()


def test_unknown_experiment_raises_value_error_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown experiment 'dropout'.*'init'"):
        experiments.run("dropout")


def test_cli_prints_the_title_and_the_table(capsys, quick_results) -> None:
    code, out, err = run_cli(capsys, "experiment", "init", "--quick")
    assert code == 0 and err == ""
    assert out.startswith("init: relu net [2, 10, 5, 1]")
    assert quick_results["init"].table() in out
    assert out.rstrip().endswith(" s)")


def test_cli_rejects_an_unknown_experiment_with_exit_2(capsys) -> None:
    code, out, err = run_cli(capsys, "experiment", "dropout")
    assert code == 2 and out == ""
    assert "invalid choice: 'dropout'" in err and "'batchnorm'" in err


def test_cli_needs_an_experiment_name(capsys) -> None:
    code, _, err = run_cli(capsys, "experiment")
    assert code == 2 and "NAME" in err


def test_cli_saves_the_cost_curves_with_plot(tmp_path, capsys) -> None:
    pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")
    code, out, _ = run_cli(capsys, "experiment", "batchnorm", "--quick", "--plot", str(tmp_path))
    path = tmp_path / "experiment_batchnorm.png"
    assert code == 0 and f"saved {path}" in out
    assert path.read_bytes().startswith(PNG)


def test_save_plot_refuses_a_file_for_the_directory(tmp_path, quick_results) -> None:
    pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    with pytest.raises(ValueError, match="give a directory"):
        experiments.save_plot(quick_results["init"], a_file)


def test_cli_plot_without_matplotlib_says_what_to_install_before_training(
    tmp_path, capsys, monkeypatch
) -> None:
    for name in MATPLOTLIB_MODULES:
        monkeypatch.setitem(sys.modules, name, None)  # import matplotlib now fails
    monkeypatch.setattr(experiments, "run", lambda *args, **kwargs: pytest.fail("trained"))
    code, out, err = run_cli(capsys, "experiment", "init", "--plot", str(tmp_path))
    assert code == 2 and out == ""
    assert err.strip().endswith("install tinygrad_edu[plot]")
    assert len(err.strip().splitlines()) == 1
