"""Accessibility: axe-core (from npm, injected by Playwright) finds no serious or critical violation on any page.

Install axe-core with ``npm ci --prefix tests/browser`` (package.json and its lock are here;
node_modules is not committed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_app

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

#: Every page of the app, by URL path ("" is the default page, Overview).
PAGES = {
    "overview": "",
    "hub_map": "hub_map",
    "deployment": "deployment",
    "performance": "performance",
    "precept": "precept",
    "briefing": "briefing",
    "data": "data",
}
BLOCKING = ("serious", "critical")


def run_axe(page, options: dict | None = None) -> list[dict]:
    """Inject axe-core and return its violations for the whole document."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing ({AXE}): run npm ci --prefix tests/browser")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("async (options) => (await axe.run(document, options)).violations", options or {})


def describe(violations: list[dict]) -> str:
    """Rule, impact, help and the first few offending elements of each violation."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:4]:
            lines.append(f"    {' '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def settle(page) -> None:
    """Wait until no element is stale and charts have drawn, so axe sees the finished page."""
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
    charts = page.locator('[data-testid="stPlotlyChart"]')
    for i in range(charts.count()):
        expect(charts.nth(i).locator(".main-svg").first).to_be_attached()
    # Elements fade in; let the transition finish so colours are final.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")


@pytest.mark.parametrize("path", PAGES.values(), ids=list(PAGES))
def test_no_serious_or_critical_violations(page, sample_server, path):
    open_app(page, sample_server, path)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    settle(page)
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    if blocking:
        # Under load a rerun can still be fading elements in (transiently pale text): settle and look
        # again, so only what persists on the finished page counts.
        settle(page)
        blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe on /{path}:\n{describe(blocking)}"


def test_briefing_projector_mode_and_table_view(page, sample_server):
    open_app(page, sample_server, "briefing")
    page.get_by_text("Projector mode", exact=True).click()
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    page.get_by_text("Chart in words and table", exact=True).click()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    settle(page)
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert not blocking, f"axe on the Briefing in projector mode:\n{describe(blocking)}"
