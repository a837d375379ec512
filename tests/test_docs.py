"""The examples in the README and in docstrings run and print what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import tinygrad_edu

README = Path(__file__).resolve().parent.parent / "README.md"
# The README tests read the repository (README.md and the package's source files); when the
# tests run against an installed wheel from a copy of tests/ alone, those files are absent.
needs_repository = pytest.mark.skipif(
    not (README.is_file() and (README.parent / "tinygrad_edu").is_dir()),
    reason="README.md and the tinygrad_edu/ sources are absent (running outside the repository)",
)
MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(tinygrad_edu.__path__, "tinygrad_edu.")
    if not name.endswith("__main__")
)


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.failed == 0


@needs_repository
def test_readme_python_blocks_run(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})
    out = capsys.readouterr().out
    assert out.count("True") >= 2 and "PASSED" in out


@needs_repository
def test_readme_opens_with_the_two_set_up_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    commands = [line for line in first_block.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    assert commands[0].endswith("python -m tinygrad_edu")
    assert '".[test]"' in commands[1] and commands[1].endswith("python -m pytest")


@needs_repository
def test_equation_table_quotes_lines_that_exist() -> None:
    """Each code snippet in "Your equations vs autodiff" is really in the file it names."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Your equations vs autodiff")[1].split("\n## ")[0]
    package = README.parent / "tinygrad_edu"
    rows = [line for line in section.splitlines() if line.startswith("| `d")]
    assert len(rows) == 7
    for row in rows:
        _, equation, by_hand, by_autodiff, table_row, _ = row.split("|")
        hand_code = re.findall(r"`([^`]+)`", by_hand)[0]
        assert hand_code in (package / "manual" / "two_layer.py").read_text(encoding="utf-8")
        autodiff_file, *_ = re.findall(r"`([^`]+\.py)`", by_autodiff)
        autodiff_code = re.findall(r"`([^`]+)`", by_autodiff)[-1]
        assert autodiff_code in (package / autodiff_file).read_text(encoding="utf-8"), row
