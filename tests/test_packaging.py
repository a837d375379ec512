"""Release hygiene: one version, the type marker shipped, the licence, the changelog.

The checks of the installed package run anywhere; the ones that read the repository's
files (setup.cfg, pyproject.toml, LICENSE, CHANGELOG.md) skip outside it.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

import tinygrad_edu

ROOT = Path(__file__).resolve().parent.parent
needs_repository = pytest.mark.skipif(
    not (ROOT / "setup.cfg").is_file() or not (ROOT / "tinygrad_edu").is_dir(),
    reason="the repository's packaging files are absent (running outside the repository)",
)


def test_the_version_is_a_release_number() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?", tinygrad_edu.__version__)


def test_the_installed_package_ships_its_type_marker() -> None:
    assert (Path(tinygrad_edu.__file__).parent / "py.typed").is_file()


@needs_repository
def test_setup_cfg_reads_the_version_from_the_package_and_ships_py_typed() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    assert config["metadata"]["version"].strip() == "attr: tinygrad_edu.__version__"
    assert config["options.package_data"]["tinygrad_edu"].split() == ["py.typed"]
    assert config["metadata"]["license"] == "MIT"
    classifiers = config["metadata"]["classifiers"]
    assert "Typing :: Typed" in classifiers
    assert "Programming Language :: Python :: 3.10" in classifiers
    for tool in ("ruff", "mypy", "coverage", "build", "twine"):
        assert tool in config["options.extras_require"]["dev"], tool


@needs_repository
def test_no_other_file_states_the_version() -> None:
    """`__init__.py` is the one place: setup.cfg reads it, pyproject.toml has only the build."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    tables = re.findall(r"^\[([^\]]+)\]", pyproject, re.M)
    assert tables == ["build-system"]
    assert "version" not in pyproject


@needs_repository
def test_the_licence_is_mit() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text


@needs_repository
def test_the_changelog_has_an_entry_for_this_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    released = re.findall(r"^## \[(\d+\.\d+\.\d+[^\]]*)\]", text, re.M)
    assert "## [Unreleased]" in text
    assert released and released[0] == tinygrad_edu.__version__
