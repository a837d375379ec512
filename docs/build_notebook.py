"""Build docs/tutorial.ipynb from docs/tutorial.md, so that the two never diverge.

    python docs/build_notebook.py           # rewrite the notebook
    python docs/build_notebook.py --check   # exit 1 if the notebook is out of date

Prose becomes markdown cells and each ```python block a code cell; a ```text
block right after a code block is the output the page shows, so it is left
out (the notebook makes its own when run). Other blocks (```bash) stay in the
prose. The notebook is written as plain JSON (nbformat 4.5) with fixed cell
ids and no outputs, so the same markdown always gives the same file; no
package beyond Python is needed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
MARKDOWN = DOCS / "tutorial.md"
NOTEBOOK = DOCS / "tutorial.ipynb"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```[ \t]*\n?", re.S | re.M)
NOTE = (
    "*This notebook is generated from `docs/tutorial.md` by `docs/build_notebook.py`: "
    "edit the markdown, then rebuild.*"
)


def split_blocks(markdown: str) -> list[tuple[str, str]]:
    """The page as ``(kind, text)`` pieces in order: ``"markdown"``, ``"code"``, ``"output"``.

    A ```text block directly after a ```python block (only blank lines between)
    is that code's output; any other fenced block stays in the markdown.
    """
    pieces: list[tuple[str, str]] = []
    prose, position = "", 0
    for match in FENCE.finditer(markdown):
        language, body = match.group(1), match.group(2)
        between = markdown[position : match.start()]
        follows_code = bool(pieces) and pieces[-1][0] == "code" and not between.strip()
        if language == "python" or (language == "text" and follows_code and not prose.strip()):
            prose += between
            if prose.strip():
                pieces.append(("markdown", prose.strip("\n")))
            pieces.append(("code" if language == "python" else "output", body.rstrip("\n")))
            prose = ""
        else:
            prose += between + match.group(0)
        position = match.end()
    prose += markdown[position:]
    if prose.strip():
        pieces.append(("markdown", prose.strip("\n")))
    return pieces


def _source(text: str) -> list[str]:
    """Notebook source: a list of lines, each but the last ending in a newline."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def build(markdown: str) -> str:
    """The notebook for ``markdown``, as the JSON text to write."""
    cells = [{"cell_type": "markdown", "id": "note", "metadata": {}, "source": [NOTE]}]
    for kind, text in split_blocks(markdown):
        if kind == "output":
            continue
        cell: dict = {
            "cell_type": kind,
            "id": f"cell-{len(cells)}",
            "metadata": {},
            "source": _source(text),
        }
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = build(MARKDOWN.read_text(encoding="utf-8"))
    if "--check" in argv:
        current = NOTEBOOK.read_text(encoding="utf-8") if NOTEBOOK.exists() else ""
        if current != text:
            print(f"{NOTEBOOK} is out of date: run python docs/build_notebook.py")
            return 1
        print(f"{NOTEBOOK} is up to date")
        return 0
    NOTEBOOK.write_text(text, encoding="utf-8")
    print(f"wrote {NOTEBOOK}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
