"""The stepper page in a real browser: headless Chromium walks every step of the two-layer network.

Uses Debian's ``chromium`` driven by the ``playwright`` package (never a downloaded
browser). Skipped, with the reason, only where either is missing; .ci/run installs both.
Set TGE_SCREENSHOT_DIR to keep a screenshot of the page there (stepper_screenshot.png).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM_ARGS, chromium, two_layer_loss

from tinygrad_edu import stepper, trace
from tinygrad_edu.explain import equations

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (the test extra has it)"
)
CHROMIUM = chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; .ci/run does)"
)
LAYOUTS = [
    pytest.param(
        "dot",
        marks=pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing"),
    ),
    "layered",
]

# What the page shows, read in one round trip per step.
STATE = """() => ({
  step: document.body.dataset.step,
  counter: document.getElementById("counter").textContent,
  current: [...document.querySelectorAll(".node.current")]
    .map((n) => [n.dataset.node, n.dataset.op]),
  targets: [...document.querySelectorAll(".node.target")].map((n) => n.dataset.node).sort(),
  rule: document.getElementById("rule").textContent,
  received: document.getElementById("received").textContent,
  sent: document.getElementById("sent").textContent,
  lines: [...document.querySelectorAll("#source .line.hl")].map((l) => l.textContent),
  detailsShown: !document.getElementById("details").hidden,
  prevDisabled: document.getElementById("prev").disabled,
  nextDisabled: document.getElementById("next").disabled,
})"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        # The flags keep Chromium from stalling on a machine with no network.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def expected_steps(J: Any) -> list[dict[str, Any]]:
    """What each step must show, from the trace of a real backward pass through J's graph."""
    eq = equations(J)
    lines = [step.lines for step in eq.steps]
    with trace() as t:
        J.backward(retain_graph=True)
    return [
        {
            "node": eq.name_of(step.ctx),
            "op": step.op,
            "rule": step.rule,
            "targets": sorted(eq.name_of(step.ctx.parents[g.input]) for g in step.sent),
            "sent_to": [step.inputs[g.input] for g in step.sent],  # the trace's labels: W2·A1
            "received_shape": str(step.received.shape),
            "lines": list(lines[step.index - 1]),
        }
        for step in t.steps
    ]


def check(state: dict[str, Any], k: int, expected: list[dict[str, Any]]) -> None:
    total = len(expected)
    assert state["step"] == str(k) and state["counter"] == f"step {k} of {total}"
    assert state["prevDisabled"] == (k == 0) and state["nextDisabled"] == (k == total)
    if k == 0:
        assert state["current"] == [] and state["targets"] == [] and not state["detailsShown"]
        return
    want = expected[k - 1]
    assert state["current"] == [[want["node"], want["op"]]], f"step {k}"
    assert state["targets"] == want["targets"], f"step {k}"
    assert state["rule"] == want["rule"]
    assert want["received_shape"] in state["received"]
    assert all(f"to {label}" in state["sent"] for label in want["sent_to"])
    assert state["lines"] == want["lines"]  # the listing highlights this step's code
    assert state["detailsShown"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_next_previous_and_the_arrow_keys_walk_every_step(
    browser: Any, tmp_path: Path, layout: str
) -> None:
    J, _ = two_layer_loss()
    path = stepper.to_html(J, tmp_path / "stepper.html", layout=layout)
    expected = expected_steps(J)
    total = len(expected)
    assert total == 6

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else 0)
    page.on("request", lambda r: problems.append(r.url) if not r.url.startswith("file:") else 0)
    page.goto(path.as_uri())
    state = lambda: page.evaluate(STATE)  # noqa: E731
    check(state(), 0, expected)

    for k in range(1, total + 1):  # the Next button
        page.click("#next")
        check(state(), k, expected)
    page.click("#next", force=True)  # disabled at the end: stays on the last step
    check(state(), total, expected)
    for k in range(total - 1, -1, -1):  # the Previous button, back to the forward graph
        page.click("#prev")
        check(state(), k, expected)

    for k in range(1, total + 1):  # the right arrow key
        page.keyboard.press("ArrowRight")
        check(state(), k, expected)
        if k == 3:
            shot = page.screenshot(path=str(tmp_path / "stepper.png"))
    page.keyboard.press("ArrowRight")
    check(state(), total, expected)
    page.keyboard.press("ArrowLeft")
    check(state(), total - 1, expected)
    page.close()

    assert problems == []  # no script error, no request off the disk
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 20_000  # a drawn page, not blank
    keep = os.environ.get("TGE_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        suffix = "" if layout == "dot" else f"_{layout}"
        Path(keep, f"stepper_screenshot{suffix}.png").write_bytes(shot)
