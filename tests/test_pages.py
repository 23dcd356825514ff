"""AppTest smoke tests: every page renders on the sample and on the real folder with no exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page
from tests.conftest import REAL_DIR, REAL_FOLDERS, ROOT, SAMPLE_DIR, need_shared
from ui.navigation import PAGES as NAVIGATION

PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_"))
FOLDERS = {"sample": SAMPLE_DIR, "real": REAL_DIR}


def run_page(page: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """Open the app on ``folder`` and switch to ``page``, as a person clicking the navigation would."""
    return open_page(folder, monkeypatch, page)


def test_every_page_is_in_the_navigation():
    listed = [path for path, _title, _icon in NAVIGATION]
    assert sorted(listed) == PAGES, "every file in pages/ is in the navigation, and nothing else"


@pytest.mark.parametrize("folder", FOLDERS, ids=list(FOLDERS))
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_exception(page, folder, monkeypatch):
    need_shared(FOLDERS[folder] / "incidents")
    at = run_page(page, FOLDERS[folder], monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} shows no title"
    badge_text = " ".join(m.value for m in at.markdown)
    expected = "Generated sample data" if folder == "sample" else "Real data"
    assert expected in badge_text, f"{page} does not name its data source"


def test_overview_headlines_on_real_data(real_dir, monkeypatch):
    at = run_page("pages/overview.py", real_dir, monkeypatch)
    values = {m.label: m.value for m in at.metric}
    # 3,315 ASB records in the five real months (counted independently in test_metrics).
    assert values["ASB incidents"] == "3,315"
    assert values["Not placed in a hub"] == "111"
    assert values["Data to"] == "Feb 2019"
    markdown = " ".join(m.value for m in at.markdown)
    assert "not enough history" in markdown  # five months cannot support a year-on-year comparison


def test_data_page_balances_rows(real_dir, monkeypatch):
    at = run_page("pages/data.py", real_dir, monkeypatch)
    values = {m.label: m.value for m in at.metric}
    assert values["Rows read"] == values["Accepted"] == "19,056"
    assert values["Rejected (kept below)"] == "0"


@pytest.mark.parametrize("folder", REAL_FOLDERS)
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_real_folders_with_gaps(page, folder, real_folders, monkeypatch):
    """Months far apart, a month without ASB, another force without hubs or boundaries: every page renders."""
    at = run_page(page, real_folders[folder], monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.error, *at.warning, *at.info])
    assert "Traceback" not in shown and "could not be drawn" not in shown and "could not be shown" not in shown
    assert "Real data" in shown


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def test_overview_on_the_gap_folder_never_turns_missing_months_into_zeros(real_folders, monkeypatch):
    at = run_page("pages/overview.py", real_folders["gap"], monkeypatch)
    values = _metrics(at)
    # Counted independently from the raw CSVs in test_cli: 2,514 ASB records in the five supplied months.
    assert values["ASB incidents"] == "2,514"
    assert {m.label: m.delta for m in at.metric}["ASB incidents"] == "5 of 98 months"
    warnings = " ".join(w.value for w in at.warning)
    assert "93 of the 98 months were not supplied" in warnings
    markdown = " ".join(m.value for m in at.markdown)
    assert "not available: 2022-05 to 2023-12 not supplied" in markdown
    assert "%" not in markdown.split("Year on year")[1].split(".")[0]
    # The coverage strip's table view: every month never supplied reads "not supplied", never 0.
    tables = [t.value for t in at.dataframe]
    coverage = next(t for t in tables if "ASB" in t.columns and "Crime" in t.columns)
    assert (coverage["ASB"] == "not supplied").sum() == 93


def test_city_of_london_may_2017_shows_asb_not_supplied_and_its_crimes(real_folders, monkeypatch):
    at = open_page(real_folders["city"], monkeypatch)
    at.sidebar.select_slider[0].set_value(("2017-05", "2017-05")).run()
    values = _metrics(at)
    assert values["ASB incidents"] == "not supplied"
    assert values["ASB per 1,000 a month"] == "—"
    # 505 crimes in the file: the City's own district plus the records placed in no hub.
    crimes = int(values["Crimes (excluding ASB)"].replace(",", ""))
    unplaced = int(values["Not placed in a hub"].replace(",", ""))
    assert crimes + unplaced == 505 or crimes == 505
