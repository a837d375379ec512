"""Run the benchmarks, print the report: ``python -m benchmarks`` or ``python benchmarks/run.py``.

Options: ``--quick`` (under a minute), ``--cases planar,chain`` (names or
groups; ``--list`` shows them), ``--json PATH`` (everything, raw samples
included, for comparing runs), ``--no-memory`` (skip the memory probes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The package comes before NumPy: importing it pins BLAS to one thread.
import benchmarks  # noqa: E402, I001
import numpy as np  # noqa: E402

from benchmarks import cases, memory, timing  # noqa: E402
from benchmarks.timing import format_bytes, format_seconds  # noqa: E402

PER_OP_TARGET_SECONDS = 2.5e-6  # autodiff time per op of the 1,000-op chain
LINEAR_SCALING_TARGET = 2.1  # time(2·10⁵ ops) / time(10⁵ ops)
BYTES_PER_NODE_TARGET = 512


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions: under a minute")
    parser.add_argument("--cases", help="comma-separated case or group names (default: all)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory probes")
    parser.add_argument("--list", action="store_true", help="list the cases and groups, then exit")
    args = parser.parse_args(argv)
    try:
        args.selected = cases.select(args.cases)
    except ValueError as error:
        parser.error(str(error))
    return args


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:  # NumPy ≥ 1.26 returns its build configuration as a dict
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas_name = f"{blas['name']} {blas.get('version', '')}".strip()
    except Exception:
        blas_name = "unknown"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_name,
        "load_average_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_case(name: str, quick: bool) -> dict[str, Any]:
    """Check the gradients, then time the implementations round-robin; errors go in the row."""
    spec = cases.SPECS[name]
    mode = 1 if quick else 0
    row: dict[str, Any] = {"case": name, "title": name, "target_ratio": spec.target_ratio}
    row.update(repeats=spec.repeats[mode], warmup=spec.warmup[mode])
    try:
        bench = spec.build()
        row.update(title=bench.title, per=bench.per, unit=bench.unit, nodes=bench.nodes)
        log(f"{name}: checking gradients")
        bench.autodiff.step()  # one step each from the same start, then compare
        bench.manual.step()
        timing.check_gradients(bench.autodiff.grads(), bench.manual.grads())
        functions = {"autodiff": bench.autodiff.step, "manual": bench.manual.step}
        if bench.torch is not None:
            try:  # a torch problem drops the torch column of this row, nothing else
                bench.torch.step()
                timing.check_gradients(bench.torch.grads(), bench.manual.grads())
                functions["torch"] = bench.torch.step
            except Exception as error:
                row["torch_error"] = f"torch not timed: {type(error).__name__}: {error}"
        log(f"{name}: timing {row['repeats']} round-robin repetitions of {', '.join(functions)}")
        samples = timing.interleaved(functions, row["repeats"], row["warmup"])
    except timing.GradientMismatch as error:
        row["error"] = f"gradient mismatch, not timed: {error}"
        log(f"{name}: {row['error']}")
        return row
    except Exception as error:
        row["error"] = f"{type(error).__name__}: {error}"
        log(f"{name}: failed: {row['error']}")
        return row
    row["samples"] = samples
    for impl, times in samples.items():
        row[f"{impl}_median"] = timing.median(times)
    row["ratio"] = row["autodiff_median"] / row["manual_median"]
    if spec.target_ratio is not None:
        row["met"] = row["ratio"] <= spec.target_ratio
    return row


def add_memory(row: dict[str, Any]) -> None:
    for impl in ("autodiff", "manual"):
        try:
            row[f"{impl}_peak_bytes"] = memory.measure(row["case"], impl)
        except Exception as error:
            row.setdefault("memory_error", str(error))
            log(str(error))


def extra_targets(rows: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The targets that are not a plain autodiff / manual time ratio."""
    checks = []

    def add(check: str, value: float | None, shown: str, target: str, met: bool | None) -> None:
        checks.append(dict(check=check, value=value, shown=shown, target=target, met=met))

    per_op = rows.get("per_op", {})
    if "autodiff_median" in per_op:
        seconds = per_op["autodiff_median"] / per_op["per"]
        add(
            "per-op overhead, autodiff time per op",
            seconds,
            format_seconds(seconds),
            f"≤ {format_seconds(PER_OP_TARGET_SECONDS)}",
            seconds <= PER_OP_TARGET_SECONDS,
        )
    short, long = rows.get("chain_1e5", {}), rows.get("chain_2e5", {})
    if "autodiff_median" in short and "autodiff_median" in long:
        scaling = long["autodiff_median"] / short["autodiff_median"]
        met = scaling <= LINEAR_SCALING_TARGET
        target = f"≤ {LINEAR_SCALING_TARGET}"
        add("deep graph, time 2·10⁵ / 10⁵ ops (linear = 2)", scaling, f"{scaling:.2f}", target, met)
    for name in ("chain_1e5", "chain_2e5"):
        row = rows.get(name, {})
        if row.get("autodiff_peak_bytes") is not None and row.get("nodes"):
            per_node = row["autodiff_peak_bytes"] / row["nodes"]
            add(
                f"deep graph, peak bytes per node ({row['title'].split('of ')[-1]})",
                per_node,
                f"{per_node:.0f} B",
                f"≤ {BYTES_PER_NODE_TARGET} B",
                per_node <= BYTES_PER_NODE_TARGET,
            )
    large = rows.get("large", {})
    if large.get("autodiff_peak_bytes") is not None and large.get("manual_peak_bytes"):
        autodiff_peak, manual_peak = large["autodiff_peak_bytes"], large["manual_peak_bytes"]
        add(
            "two-layer large, peak memory autodiff / manual",
            autodiff_peak / manual_peak,
            f"{format_bytes(autodiff_peak)} / {format_bytes(manual_peak)}",
            "≤ manual's",
            autodiff_peak <= manual_peak,
        )
    return checks


def format_ratio(ratio: float) -> str:
    return f"{ratio:.3f}×" if ratio < 10 else f"{ratio:.1f}×"


def yes_no(met: bool | None) -> str:
    return "—" if met is None else ("yes" if met else "**no**")


def markdown_table(header: list[str], lines: list[list[str]]) -> str:
    rows = [header, ["---"] * len(header), *lines]
    return "\n".join(
        "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |" for cells in rows
    )


def report(rows: list[dict[str, Any]], checks: list[dict[str, Any]], info: dict[str, Any]) -> str:
    with_torch = info["torch_available"]
    header = ["case", "autodiff median", "manual (floor) median", "ratio", "target", "met?"]
    header.append("peak memory autodiff / manual")
    if with_torch:
        header.append("torch median (÷ manual)")
    lines = []
    for row in rows:
        if "error" in row:
            lines.append([row["title"], f"**error**: {row['error']}"] + [""] * (len(header) - 2))
            continue
        per, unit = row["per"], row["unit"]
        target = row["target_ratio"]
        cells = [
            row["title"],
            f"{format_seconds(row['autodiff_median'], per)}/{unit}",
            f"{format_seconds(row['manual_median'], per)}/{unit}",
            format_ratio(row["ratio"]),
            "—" if target is None else f"≤ {target}×",
            yes_no(row.get("met")),
            f"{format_bytes(row.get('autodiff_peak_bytes'))} / "
            f"{format_bytes(row.get('manual_peak_bytes'))}",
        ]
        if with_torch:
            if "torch_median" in row:
                torch_ratio = row["torch_median"] / row["manual_median"]
                torch_time = format_seconds(row["torch_median"], per)
                cells.append(f"{torch_time}/{unit} ({format_ratio(torch_ratio)})")
            else:
                cells.append(row.get("torch_error", "—"))
        lines.append(cells)
    parts = [markdown_table(header, lines)]
    if checks:
        check_lines = [[c["check"], c["shown"], c["target"], yes_no(c["met"])] for c in checks]
        parts.append(markdown_table(["other target", "value", "target", "met?"], check_lines))
    return "\n\n".join(parts)


def header_lines(info: dict[str, Any], quick: bool) -> str:
    load = info["load_average_at_start"]
    load = "unknown" if load is None else f"{load:.2f}"
    return "\n".join(
        [
            f"# tinygrad_edu benchmarks ({'quick' if quick else 'full'} run)",
            "",
            f"- machine: {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable); "
            f"{info['platform']}",
            f"- load average (1 min) at start: {load}; other processes on these cores make the "
            "timings noisy",
            f"- Python {info['python']}, NumPy {info['numpy']}, BLAS {info['blas']}",
            f"- threads: {info['threading']}",
            f"- {info['torch']}",
            "- timing: gradients checked first (np.allclose, rtol 1e-9), then autodiff, manual"
            f"{', torch' if info['torch_available'] else ''} timed round-robin, one call each per "
            "repetition, after warm-up; medians shown",
            f"- memory: {info['memory']}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        print("cases:", ", ".join(cases.SPECS))
        print("groups:", ", ".join(f"{name} = {'+'.join(m)}" for name, m in cases.GROUPS.items()))
        return 0
    started = time.perf_counter()
    torch, torch_note = cases.torch_module()
    info = machine_info()
    info.update(
        threading=benchmarks.THREADING_NOTE,
        torch=torch_note,
        torch_available=torch is not None,
        memory="skipped (--no-memory)" if args.no_memory else memory.METHOD,
    )
    rows = [run_case(name, args.quick) for name in args.selected]
    if not args.no_memory:
        for row in rows:
            if "error" not in row:
                log(f"{row['case']}: measuring peak memory in fresh processes")
                add_memory(row)
    checks = extra_targets({row["case"]: row for row in rows})
    info["wall_seconds"] = time.perf_counter() - started
    print(header_lines(info, args.quick))
    print()
    print(report(rows, checks, info))
    print()
    print(f"Wall time: {info['wall_seconds']:.2f} s")
    if args.json:
        result = {"quick": args.quick, "info": info, "rows": rows, "other_targets": checks}
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
        print(f"JSON written to {args.json}")
    return 1 if any("error" in row for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
