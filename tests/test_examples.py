"""The learning material runs: docs/*.md code blocks (with the outputs they show), the
example scripts, and the notebook, which must match the markdown it is built from."""

from __future__ import annotations

import contextlib
import doctest
import importlib.util
import io
import os
import runpy
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
EXAMPLES = REPO / "examples"
if not (DOCS / "build_notebook.py").is_file() or not EXAMPLES.is_dir():
    pytest.skip(
        "docs/ and examples/ are not beside tests/ (running outside the repository)",
        allow_module_level=True,
    )
CHECKER = doctest.OutputChecker()
OUTPUT_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE  # "..." stands for noise


def load_builder():
    spec = importlib.util.spec_from_file_location("build_notebook", DOCS / "build_notebook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = load_builder()


def run_markdown(path: Path) -> tuple[list[str], int]:
    """Run the page's python blocks in order in one namespace; check each shown output.

    Returns what each block printed and how many outputs were checked.
    """
    pieces = builder.split_blocks(path.read_text(encoding="utf-8"))
    namespace: dict = {"__name__": "__main__"}
    printed: list[str] = []
    checked = 0
    for i, (kind, text) in enumerate(pieces):
        if kind != "code":
            continue
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(text + "\n", f"{path.name}, block {len(printed) + 1}", "exec"), namespace)
        got = buffer.getvalue()
        printed.append(got)
        following = pieces[i + 1] if i + 1 < len(pieces) else ("", "")
        if following[0] == "output":
            want = following[1] + "\n"
            checked += 1
            assert CHECKER.check_output(want, got, OUTPUT_FLAGS), (
                f"{path.name}, block {len(printed)}: "
                + CHECKER.output_difference(doctest.Example("", want), got, OUTPUT_FLAGS)
            )
    return printed, checked


@pytest.mark.parametrize("page", ["tutorial.md", "write_your_own_op.md"])
def test_markdown_pages_run_and_print_what_they_show(page, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # files the page writes land here
    printed, checked = run_markdown(DOCS / page)
    shown = sum(kind == "output" for kind, _ in builder.split_blocks((DOCS / page).read_text()))
    assert checked == shown >= 4 and len(printed) >= checked


def test_tutorial_draws_the_graph(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        run_markdown(DOCS / "tutorial.md")
    written = {path.name for path in tmp_path.iterdir()}
    assert written & {"two_layer_graph.png", "two_layer_graph.dot"}  # PNG, or DOT without Graphviz


def test_outputs_shown_are_checked() -> None:
    """The checker is not a rubber stamp: a wrong output fails."""
    assert not CHECKER.check_output("True\n", "False\n", OUTPUT_FLAGS)
    assert CHECKER.check_output("x  ...  ok\n", "x  1.2e-10  ok\n", OUTPUT_FLAGS)


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_scripts_run(script, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [script, str(tmp_path / "out.dot")])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    assert exit_.value.code == 0
    assert "backward trace" in capsys.readouterr().out


def test_two_layer_example_draws_the_committed_graph(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "argv", ["two_layer_graph.py", str(tmp_path / "graph.dot")])
    with pytest.raises(SystemExit):
        runpy.run_path(str(EXAMPLES / "two_layer_graph.py"), run_name="__main__")
    source = (tmp_path / "graph.dot").read_text(encoding="utf-8")
    assert source.count("->") == 17 and "MatMul\\nstep 3" in source
    assert (DOCS / "img" / "two_layer_graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    steps = capsys.readouterr().out
    assert "here   dW2 = d(W2·A1) · A1ᵀ,  dA1 = W2ᵀ · d(W2·A1)" in steps


def test_the_notebook_is_built_from_the_tutorial() -> None:
    expected = builder.build((DOCS / "tutorial.md").read_text(encoding="utf-8"))
    assert (DOCS / "tutorial.ipynb").read_text(encoding="utf-8") == expected, (
        "docs/tutorial.ipynb is out of date: run python docs/build_notebook.py"
    )


def test_the_builder_splits_prose_code_and_shown_output() -> None:
    page = "Intro\n\n```python\nprint(1)\n```\n\n```text\n1\n```\n\nMore\n\n```bash\nls\n```\n"
    assert builder.split_blocks(page) == [
        ("markdown", "Intro"),
        ("code", "print(1)"),
        ("output", "1"),
        ("markdown", "More\n\n```bash\nls\n```"),
    ]


def test_the_notebook_executes(tmp_path, monkeypatch) -> None:
    nbformat = pytest.importorskip(
        "nbformat", reason="the notebook extra (nbformat, nbclient, ipykernel) is not installed"
    )
    nbclient = pytest.importorskip("nbclient", reason="the notebook extra is not installed")
    pytest.importorskip("ipykernel", reason="the notebook extra is not installed")
    notebook = nbformat.read(DOCS / "tutorial.ipynb", as_version=4)
    nbformat.validate(notebook)
    # the kernel is a new process: let it import this working tree's tinygrad_edu
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    outputs = [
        "".join(output.get("text", "") for output in cell.outputs)
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]
    assert any("step 6  W1·X   (MatMul)" in text for text in outputs)
    assert any("18 nodes, 17 edges" in text for text in outputs)
    displayed = [list(o.get("data", {})) for c in notebook.cells for o in c.get("outputs", [])]
    if shutil.which("dot") and importlib.util.find_spec("graphviz"):
        assert ["image/svg+xml", "text/plain"] in [sorted(d) for d in displayed]  # inline graph
