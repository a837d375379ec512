"""Peak memory of one call of one implementation, each in a fresh process, by tracemalloc.

``python -m benchmarks.memory CASE IMPL`` builds the case, makes one call
untraced (warm-up: lazy imports and first-time buffers are not counted), then
traces a second call and prints ``{"peak_bytes": …}``: the most memory that
call had allocated and not yet freed at any moment. tracemalloc sees Python
objects and NumPy's array buffers (NumPy reports them to it), so the graph,
the saved arrays and the gradients all count; the inputs made before the call
do not. A fresh process per measurement keeps one case's leftovers (and
tracemalloc's slowdown) away from the others and from the timings.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

from benchmarks import cases

METHOD = (
    "tracemalloc peak of one call (Python objects and NumPy buffers allocated during it), "
    "after one warm-up call, each in a fresh process"
)
REPO_ROOT = Path(__file__).resolve().parent.parent


def peak_bytes(case: str, impl: str) -> int:
    """Peak bytes allocated during one call of ``impl`` ("autodiff" or "manual") of ``case``."""
    step = getattr(cases.SPECS[case].build(), impl).step
    step()
    gc.collect()
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def measure(case: str, impl: str, timeout: float = 600) -> int:
    """Run ``peak_bytes`` in a fresh Python process; RuntimeError if that process fails."""
    command = [sys.executable, "-m", "benchmarks.memory", case, impl]
    done = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        last_line = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"memory probe {case} {impl} failed: {last_line}")
    return int(json.loads(done.stdout)["peak_bytes"])


if __name__ == "__main__":
    case_name, impl_name = sys.argv[1:3]
    print(
        json.dumps({"case": case_name, "impl": impl_name, "peak_bytes": peak_bytes(*sys.argv[1:3])})
    )
