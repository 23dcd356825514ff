"""A person clicks through every page in the navigation: each one draws, with no error and no traceback."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_app

#: The navigation, in order, as dashboard.py lists it (each page's title is its name).
PAGES = ("Overview", "Hub map", "Deployment vs ASB", "Hub performance", "Precept outcomes", "Briefing", "Data")
ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."


def wait_for_page(page, title: str) -> None:
    """Wait until ``title``'s page has run to its end (its title shown, nothing running, attribution drawn)."""
    expect(page.locator("h1").first).to_have_text(title)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=60_000,
    )
    expect(page.get_by_text(ATTRIBUTION).last).to_be_visible(timeout=60_000)


@pytest.mark.parametrize("server", ["sample_server", "real_server"])
def test_every_page_in_the_navigation_draws_without_error(server, page, request):
    running = request.getfixturevalue(server)
    open_app(page, running)
    nav = page.get_by_test_id("stSidebarNav")
    links = nav.get_by_role("link")
    expect(links).to_have_count(len(PAGES))
    for title in PAGES:
        nav.get_by_role("link", name=re.compile(rf"{re.escape(title)}$")).click()
        wait_for_page(page, title)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.get_by_text("Traceback")).to_have_count(0)
        badge = "Generated sample data" if server == "sample_server" else "Real data"
        expect(page.get_by_text(badge).first).to_be_visible()
