"""A person opens the app: the Overview's headline figures are there, and no exception."""

from playwright.sync_api import expect

from tests.browser.conftest import open_app


def test_overview_headline_figures(page, sample_server):
    open_app(page, sample_server)
    metrics = page.get_by_test_id("stMetric")
    expect(metrics.first).to_be_visible()
    expect(page.get_by_text("ASB incidents", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_have_text(__import__("re").compile(r"\d"))
    expect(page.get_by_text("Generated sample data")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
