"""AppTest smoke tests: every page renders on the sample and on the real folder with no exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REAL_DIR, ROOT, SAMPLE_DIR, need_shared

PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_"))
FOLDERS = {"sample": SAMPLE_DIR, "real": REAL_DIR}


def run_page(page: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """Open the app on ``folder`` and switch to ``page``, as a person clicking the navigation would."""
    monkeypatch.setenv("LOCAL_FOCUS_DATA", str(folder))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    if page != "pages/overview.py":
        at.switch_page(page).run()
    return at


def test_every_page_is_in_the_navigation():
    source = (ROOT / "dashboard.py").read_text()
    for page in PAGES:
        assert f'"{page}"' in source, f"{page} is not listed in st.navigation"


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
