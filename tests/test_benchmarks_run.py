"""The benchmark harness runs (its figures live in benchmarks/, never in tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    not (ROOT / "benchmarks" / "__main__.py").is_file(),
    reason="benchmarks/ is not beside tests/ (running outside the repository)",
)
def test_quick_benchmark_run_prints_the_table_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--cases", "planar,per_op",
         "--no-memory", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "| case | autodiff median | manual (floor) median | ratio |" in run.stdout
    assert "two-layer planar" in run.stdout and "per-op overhead" in run.stdout
    assert "BLAS pinned to 1 thread" in run.stdout
    report = json.loads(out.read_text())
    assert report["quick"] is True
    assert len(report["rows"]) == 2
    assert all(row["ratio"] > 0 for row in report["rows"])
