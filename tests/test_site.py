"""The documentation site: every page's code runs and prints what it shows; mkdocs builds.

tests/test_examples.py covers tutorial.md and write_your_own_op.md; this file
covers every other page under docs/, with the same runner (one namespace per
page, blocks in order, shown output checked with doctest's OutputChecker and
ELLIPSIS), and builds the site with ``mkdocs build --strict`` when the ``docs``
extra is installed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

import pytest
from test_examples import DOCS, REPO, builder, run_markdown  # tests/ is on sys.path under pytest

COVERED_ELSEWHERE = {"tutorial.md", "write_your_own_op.md"}  # tests/test_examples.py
PAGES = sorted(
    path.relative_to(DOCS).as_posix()
    for path in DOCS.rglob("*.md")
    if path.relative_to(DOCS).as_posix() not in COVERED_ELSEWHERE
)
PAGES_WITH_CODE = [
    page
    for page in PAGES
    if any(k == "code" for k, _ in builder.split_blocks((DOCS / page).read_text("utf-8")))
]
MKDOCS_YML = REPO / "mkdocs.yml"


@pytest.mark.parametrize("page", PAGES_WITH_CODE)
def test_site_page_runs_and_prints_what_it_shows(page, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # anything a page writes lands here
    monkeypatch.setattr(sys, "argv", ["tinygrad_edu"])
    printed, checked = run_markdown(DOCS / page)
    shown = sum(
        kind == "output" for kind, _ in builder.split_blocks((DOCS / page).read_text("utf-8"))
    )
    assert printed and checked == shown


def test_the_pages_with_code_are_the_ones_expected() -> None:
    """A page that silently lost its code blocks (or a typo in a fence) is caught here."""
    expected = {"index.md", "equations.md", "manual.md", "cli.md", "faq.md", "benchmarks.md"}
    assert expected <= set(PAGES_WITH_CODE)


def test_every_page_is_in_the_navigation() -> None:
    nav = MKDOCS_YML.read_text(encoding="utf-8").split("\nnav:", 1)[1]
    listed = set(re.findall(r"([\w/]+\.md)", nav))
    all_pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert all_pages == listed, (
        f"not in nav: {all_pages - listed}; missing files: {listed - all_pages}"
    )


def test_the_api_reference_covers_the_public_modules() -> None:
    text = "".join(path.read_text(encoding="utf-8") for path in (DOCS / "api").glob("*.md"))
    for module in (
        "tensor.Tensor", "autograd", "functional", "nn.", "optim.", "gradcheck", "testing.",
        "viz", "compare", "manual", "data",
    ):  # fmt: skip
        assert f"::: tinygrad_edu.{module}" in text, module


def test_no_web_inventories_are_configured() -> None:
    """The build must not need the network: no `import:` of objects.inv from the web."""
    assert "import:" not in MKDOCS_YML.read_text(encoding="utf-8")


def test_the_doctest_fences_extension() -> None:
    spec = importlib.util.spec_from_file_location("griffe_doctest", DOCS / "griffe_doctest.py")
    if importlib.util.find_spec("griffe") is None:
        pytest.skip("griffe (the docs extra) is not installed")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = "Rule::\n\n    a = b\n\n>>> x = [1]\n>>> x\n[1]\n\nAfter."
    assert module.fence_doctests(text) == (
        "Rule:\n\n    a = b\n\n```pycon\n>>> x = [1]\n>>> x\n[1]\n```\n\nAfter."
    )


@pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None
    or importlib.util.find_spec("mkdocstrings_handlers") is None
    or importlib.util.find_spec("material") is None,
    reason="mkdocs, mkdocs-material, mkdocstrings[python] are missing: pip install '.[docs]'",
)
def test_mkdocs_build_strict(tmp_path) -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site = tmp_path / "site"
    assert (site / "api" / "tensor" / "index.html").exists()
    tensor_page = (site / "api" / "tensor" / "index.html").read_text(encoding="utf-8")
    assert "backward" in tensor_page and "retain_grad" in tensor_page  # docstrings rendered
