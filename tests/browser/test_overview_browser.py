"""A person opens the app: the Overview's headline figures are there, right, and no exception."""

from playwright.sync_api import expect

from analysis.load.dataset import load_dataset
from tests.browser.conftest import open_app
from tests.conftest import SAMPLE_DIR


def test_overview_headline_figures(page, sample_server):
    incidents = load_dataset(SAMPLE_DIR).incidents
    open_app(page, sample_server)
    asb = page.get_by_test_id("stMetric").filter(has=page.get_by_test_id("stMetricLabel").get_by_text("ASB incidents"))
    expect(asb.get_by_test_id("stMetricValue")).to_have_text(f"{int(incidents['is_asb'].sum()):,}")
    crime = page.get_by_test_id("stMetric").filter(has_text="Crimes (excluding ASB)")
    expect(crime.get_by_test_id("stMetricValue")).to_have_text(f"{int((~incidents['is_asb']).sum()):,}")
    expect(page.get_by_test_id("stMetric").filter(has_text="Data to")).to_contain_text("Dec 2020")
    expect(page.get_by_text("Generated sample data — not real").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
