"""A Griffe extension for the API reference: docstring examples shown as code.

The package's docstrings carry doctest examples (``>>>`` lines and their
output) outside any "Examples:" section, and reST literal blocks introduced by
``::``. Markdown would read ``>>> x`` as a nested quote and ``[...]`` output as
a link, so this wraps each run of doctest lines in a ```` ```pycon ```` fence and
turns a trailing ``::`` into ``:`` (the indented block after it is already code
in Markdown). The docstrings themselves stay plain doctest, run by
tests/test_docs.py. Loaded by mkdocs.yml (mkdocstrings, ``extensions:``).
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """``text`` with each block of ``>>>`` lines (plus their output) fenced as ``pycon``."""
    out: list[str] = []
    in_example = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">>>") and not in_example:
            if out and out[-1].strip():
                out.append("")
            out.append("```pycon")
            in_example = True
        elif in_example and not stripped:  # a blank line ends a doctest example
            out.append("```")
            in_example = False
        if not in_example and stripped.endswith("::") and not stripped.startswith(">>>"):
            line = line[:-1]
        out.append(line.strip() if in_example else line)
    if in_example:
        out.append("```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Rewrites every docstring the loader visits (modules, classes, functions, attributes)."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
