"""Shared by the stepper tests: the course's network, a strict reader of the page, Chromium.

The page is read with the standard library's HTML parser, which forgives
everything; ``Page`` adds the checks a browser would not report: every
element closed in order, ids unique, one JSON payload.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu import Tensor, data, nn
from tinygrad_edu import functional as F

# HTML elements that have no end tag.
VOID = {"meta", "link", "br", "hr", "img", "input", "source", "area", "base", "col", "wbr"}

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium on a machine with no network stalls on refused connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str | None:
    """The system Chromium (Debian's package), or None: never a downloaded browser."""
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


def two_layer_loss(m: int = 400) -> tuple[Tensor, dict[str, Tensor]]:
    """The course's network on the flower data: ``J`` and its named tensors (X, Y, Z1, A1, Z2)."""
    X, Y = data.planar_flower(m=m)
    model = nn.two_layer_network(2, 4, 1)
    Z2, named = model.forward_named(Tensor(X, name="X"))
    named["X"], named["Y"] = Tensor(X, name="X"), Tensor(Y, name="Y")
    J = F.binary_cross_entropy_with_logits(Z2, named["Y"])
    J.name = "J"
    return J, named


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Page(HTMLParser):
    """The elements of a page, in order, and its JSON payload; raises on bad nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[str] = []  # the elements not closed yet, outermost first
        self.scripts: dict[str, str] = {}  # script type -> its text

    @classmethod
    def read(cls, path: Path) -> Page:
        page = cls()
        page.feed(path.read_text(encoding="utf-8"))
        page.close()
        if page.open:
            raise AssertionError(f"elements never closed: {page.open}")
        ids = [e.attrs["id"] for e in page.elements if "id" in e.attrs]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise AssertionError(f"ids used twice: {sorted(duplicates)}")
        return page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))  # <path … />

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise AssertionError(f"</{tag}> closes <{self.open[-1] if self.open else None}>")
        self.open.pop()

    def handle_data(self, text: str) -> None:
        if self.open and self.open[-1] == "script":
            kind = self.elements_of("script")[-1].attrs.get("type", "text/javascript")
            self.scripts[kind] = self.scripts.get(kind, "") + text

    def elements_of(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]

    def by_id(self, element_id: str) -> Element:
        (element,) = [e for e in self.elements if e.attrs.get("id") == element_id]
        return element

    def nodes(self) -> list[Element]:
        """The graph's nodes: SVG groups of class ``node``."""
        return [e for e in self.elements_of("g") if "node" in e.classes]

    def payload(self) -> dict[str, Any]:
        return json.loads(self.scripts["application/json"])


def norm(array: Any) -> float:
    return float(np.linalg.norm(np.asarray(array, dtype=float).ravel()))
