"""A deep link as a server's very first request still runs through dashboard.py's navigation.

Streamlit's older multipage mode (a ``pages/`` folder beside the entry point) would run the
page alone on a fresh server; ui/navigation.py mends it with public API. If a Streamlit release
changes this, this test fails loudly: the page would show Streamlit's file-name navigation, or
no navigation, or the entry point's page config would be missing.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import _server, open_app
from tests.conftest import SAMPLE_DIR


def test_a_deep_link_on_a_fresh_server_gets_the_apps_navigation(page):
    for server in _server(SAMPLE_DIR):  # a server of its own: its first request is this deep link
        open_app(page, server, "hub_map")
        nav = page.get_by_test_id("stSidebarNav")
        # The app's own titles, not the file names the older mode would list ("hub map", "data").
        expect(nav.get_by_text("Hub performance", exact=True)).to_be_attached()
        expect(nav.get_by_text("Deployment vs ASB", exact=True)).to_be_attached()
        expect(page.locator('[data-testid="stMainBlockContainer"] h1')).to_have_text("Hub map")
        expect(page).to_have_title("Local Focus")  # the entry point's page config ran
        expect(page.get_by_test_id("stException")).to_have_count(0)
        assert page.url.endswith("/hub_map")
