"""Mini-batch gradient descent in the training loop and on the command line."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import data
from tinygrad_edu.__main__ import main
from tinygrad_edu.manual import deep
from tinygrad_edu.minibatch import minibatches
from tinygrad_edu.training import train

X, Y = data.noisy_moons(m=150, seed=1)
DIMS = [2, 5, 2, 1]


def test_both_engines_follow_the_same_mini_batch_trajectory() -> None:
    runs = [
        train(X, Y, DIMS, "relu", 0.3, 15, seed=3, init="he", batch_size=32, engine=engine)
        for engine in ("autodiff", "manual")
    ]
    np.testing.assert_allclose(runs[0].costs, runs[1].costs, rtol=1e-12)
    for key in runs[1].params:
        np.testing.assert_allclose(runs[0].params[key], runs[1].params[key], rtol=1e-10)


def test_one_epoch_is_the_course_loop_over_shuffled_batches() -> None:
    """Epoch 0 by hand: batches from minibatches(seed=0), one update per batch."""
    params = deep.init_params(DIMS, seed=3, method="he")
    total = 0.0
    for Xb, Yb in minibatches(X, Y, 32, seed=0):
        AL, caches = deep.model_forward(Xb, params, "relu")
        total += deep.cost(AL, Yb) * Xb.shape[1]
        params = deep.update(params, deep.model_backward(AL, Yb, caches, "relu"), 0.3)
    result = train(X, Y, DIMS, "relu", 0.3, 1, seed=3, init="he", batch_size=32, engine="manual")
    assert result.costs[0] == pytest.approx(total / X.shape[1], rel=1e-14)
    for key in params:
        np.testing.assert_array_equal(result.params[key], params[key])


def test_a_batch_as_large_as_the_set_is_batch_gradient_descent() -> None:
    full = train(X, Y, DIMS, "relu", 0.3, 5, seed=3, init="he")
    batched = train(X, Y, DIMS, "relu", 0.3, 5, seed=3, init="he", batch_size=X.shape[1])
    # the same columns in another order: the same sums up to rounding
    np.testing.assert_allclose(batched.costs, full.costs, rtol=1e-12)


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        train(X, Y, DIMS, batch_size=0)


def test_the_command_line_trains_with_mini_batches(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["train", "--dataset", "moons", "--hidden", "5", "2", "--activation", "relu"]
    argv += ["--init", "he", "--lr", "0.3", "--iterations", "20", "--batch-size", "64"]
    assert main([*argv, "--engine", "both", "--print-every", "10"]) == 0
    out = capsys.readouterr().out
    assert "autodiff: training accuracy" in out and "manual: training accuracy" in out
    gap = float(out.split("cost histories: ")[1].split()[0])
    assert gap < 1e-12
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--batch-size", "0"])
    assert exit_info.value.code == 2
