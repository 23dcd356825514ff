"""The Hub performance page in AppTest: filters and widgets change the table, charts and figures."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_page_deployment import charts, choose_period, values

PAGE = "pages/performance.py"
SAMPLE_HUBS = ["Carlisle", "Eden", "Allerdale", "Copeland", "Barrow", "South Lakeland"]


def open_page(folder, monkeypatch) -> AppTest:
    monkeypatch.setenv("LOCAL_FOCUS_DATA", str(folder))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_hubs_side_by_side_on_the_sample(sample_dir, monkeypatch):
    at = open_page(sample_dir, monkeypatch)
    table = at.dataframe[0].value
    assert table["Hub"].tolist() == SAMPLE_HUBS
    assert list(table.columns) == [
        "Hub",
        "ASB records",
        "Per 1,000 a month",
        "Oct-Dec 2020 vs Jul-Sep 2020",
        "Oct-Dec 2020 vs Oct-Dec 2019",
        "Dec 2020 (expected)",
    ]
    # Every comparison carries its interval.
    assert table["Oct-Dec 2020 vs Oct-Dec 2019"].str.fullmatch(r"[+-]\d+% \([+-]\d+% to [+-]\d+%\)").all()
    assert table["Dec 2020 (expected)"].str.contains(r", (?:above|within|below) \(").all()
    # Switching to crime recounts the table.
    at.radio(key="perf_measure").set_value("Crime").run()
    crime = at.dataframe[0].value
    assert "Crime records" in crime.columns
    assert crime["Crime records"].tolist() != table["ASB records"].tolist()
    figures = charts(at)
    assert "Crimes per 1,000 residents a month, Jan 2017 to Dec 2020 (48 months)" in figures


def test_outcomes_flag_the_latest_months(sample_dir, monkeypatch):
    at = open_page(sample_dir, monkeypatch)
    warning = next(w.value for w in at.warning if w.value.startswith("Outcomes of the latest months"))
    assert "Oct 2020, Nov 2020, Dec 2020" in warning
    open_share = charts(at)["Crimes whose outcome is still open, by month"]
    assert open_share["data"][1]["text"] == ["still open"] * 3
    # Only ASB chosen: no outcomes, and only the ASB comparison.
    at.multiselect(key="f_types").set_value(["Anti-social behaviour"]).run()
    assert any(i.value.startswith("Outcomes are for crimes: ASB has none") for i in at.info)
    assert at.radio(key="perf_measure").options == ["ASB"]


def test_cases_follow_the_hub_and_period_filters(sample_dir, monkeypatch):
    cases = pd.read_csv(sample_dir / "cases.csv", parse_dates=["opened", "closed"])
    at = open_page(sample_dir, monkeypatch)
    assert metric(at, "Cases opened") == f"{len(cases):,}"
    assert metric(at, "Still open at the period's end") == f"{cases['closed'].isna().sum():,}"
    assert all("summary" not in (c.value if isinstance(c.value, str) else "") for c in at.caption)

    at.multiselect(key="f_hubs").set_value(["Carlisle"]).run()
    carlisle = cases.loc[cases["hub"] == "Carlisle"]
    assert at.dataframe[0].value["Hub"].tolist() == ["Carlisle"]
    assert metric(at, "Cases opened") == f"{len(carlisle):,}"
    agencies = charts(at)["Agencies involved (cases each agency is part of)"]["data"][0]
    police = dict(zip(agencies["y"], values(agencies["x"]), strict=True))["Police"]
    assert police == carlisle["agencies"].str.contains("Police").sum()

    # To the end of 2019: cases opened by then, open if not closed by 31 Dec 2019.
    choose_period(at, "2017-01", "2019-12")
    at.run()
    by_2019 = carlisle.loc[carlisle["opened"] <= "2019-12-31"]
    still_open = by_2019["closed"].isna() | (by_2019["closed"] > "2019-12-31")
    assert metric(at, "Cases opened") == f"{len(by_2019):,}"
    assert metric(at, "Still open at the period's end") == f"{still_open.sum():,}"
    table = at.dataframe[0].value
    assert "Oct-Dec 2019 vs Jul-Sep 2019" in table.columns


def test_real_data_says_what_it_cannot_show(real_dir, monkeypatch):
    at = open_page(real_dir, monkeypatch)
    table = at.dataframe[0].value
    # Five months: a two-month trend, no year before, too little history for an expected range.
    assert list(table.columns)[3:] == [
        "Jan-Feb 2019 vs Nov-Dec 2018",
        "Jan-Feb 2019 vs Jan-Feb 2018",
        "Feb 2019 (expected)",
    ]
    assert (table["Jan-Feb 2019 vs Jan-Feb 2018"] == "not available").all()
    assert (table["Feb 2019 (expected)"] == "not available").all()
    assert table["Jan-Feb 2019 vs Nov-Dec 2018"].str.contains(" to ").all()
    notes = " ".join(c.value for c in at.caption)
    assert "the data do not cover Jan-Feb 2018" in notes
    assert "needs 6 months before Feb 2019, the data have 4" in notes
    assert any(i.value.startswith("No cases.csv") for i in at.info)
