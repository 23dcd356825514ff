"""The Hub performance page in AppTest: filters and widgets change the table, charts and figures."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.load.dataset import load_dataset
from analysis.schema import UNASSIGNED
from tests import apptest
from tests.test_page_deployment import captions, chart_views, charts, choose_period, downloads, values

PAGE = "pages/performance.py"
SAMPLE_HUBS = ["Carlisle", "Eden", "Allerdale", "Copeland", "Barrow", "South Lakeland"]


def open_page(folder, monkeypatch) -> AppTest:
    return apptest.open_page(folder, monkeypatch, PAGE)


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
    assert "2018-01 to 2018-02 not supplied" in notes
    assert "needs 6 supplied months before Feb 2019, the data have 4" in notes
    assert any(i.value.startswith("No cases.csv") for i in at.info)
    # No expected-range chart without the history; the charts drawn say what is missing in words.
    views = chart_views(at)
    assert list(views) == ["perf_rate", "perf_change", "perf_outcomes", "perf_open"]
    assert views["perf_change"][1].endswith("Against the same months last year: not available for these months.")
    assert downloads(at) == ["Download this table (CSV)"] * 4


def test_every_chart_has_a_summary_and_a_table_view(sample_dir, monkeypatch):
    at = open_page(sample_dir, monkeypatch)
    views = chart_views(at)
    assert list(views) == [
        "perf_rate",
        "perf_change",
        "perf_expected",
        "perf_outcomes",
        "perf_open",
        "perf_cases",
        "perf_days",
        "perf_agencies",
        "perf_issues",
    ]
    shown = captions(at)
    for key, (_, summary, table) in views.items():
        assert summary in shown, f"{key}: the summary is also the caption"
        assert len(table), f"{key}: the table view is empty"
    # One download per chart; days to close offers every case's days instead of its per-hub table.
    table_csv = "Download this table (CSV)"
    assert downloads(at) == [table_csv] * 6 + ["Download every case's days (CSV)"] + [table_csv] * 2

    # Rates: the summary and the table hold what the chart draws (hubs lowest first on the chart).
    spec, summary, table = views["perf_rate"]
    hubs, rates = spec["data"][0]["y"], values(spec["data"][0]["x"])
    assert table["Hub"].tolist() == hubs[::-1]
    assert table["Per 1,000 a month"].tolist() == pytest.approx(rates[::-1], abs=5e-4)
    assert summary.startswith("ASB incidents per 1,000 residents a month by hub, Jan 2017 to Dec 2020 (48 months): ")
    assert f"highest {hubs[-1]} ({rates[-1]:,.2f}), lowest {hubs[0]} ({rates[0]:,.2f}); 6 shown." in summary

    # Expected range: every hub the chart marks above or below is named so in words.
    spec, summary, table = views["perf_expected"]
    latest = next(t for t in spec["data"] if t["name"] == "Latest month")
    for hub, position in zip(latest["y"], latest["text"], strict=True):
        assert (f"{position} in " in summary and hub in summary) if position else hub in summary
    assert table["Position"].tolist() == [p or "within" for p in latest["text"]]

    # Outcomes: every crime placed in a hub, counted here from the records.
    dataset = load_dataset(sample_dir)
    crimes = int((~dataset.incidents["is_asb"] & (dataset.incidents["hub"] != UNASSIGNED)).sum())
    _, summary, table = views["perf_outcomes"]
    assert summary.startswith(f"Last outcome of {crimes:,} crimes, Jan 2017 to Dec 2020 (48 months): most often ")
    assert table["Crimes"].sum() == crimes
    _, summary, table = views["perf_open"]
    assert summary.endswith("Flagged as recent with many outcomes still open: Oct 2020, Nov 2020 and Dec 2020.")
    assert table.loc[table["Flagged"] == "yes", "Month"].tolist() == ["Oct 2020", "Nov 2020", "Dec 2020"]
    assert table["Crimes"].sum() == crimes

    # Cases, counted here from cases.csv.
    cases = pd.read_csv(sample_dir / "cases.csv", parse_dates=["opened", "closed"])
    still_open = int(cases["closed"].isna().sum())
    _, summary, table = views["perf_cases"]
    assert summary.endswith(f"{still_open} of {len(cases)} cases are still open at the period's end.")
    assert table["Opened"].sum() == len(cases) and table["Still open"].sum() == still_open
    days = (cases["closed"] - cases["opened"]).dt.days.dropna()
    _, summary, table = views["perf_days"]
    assert summary.endswith(f"Over all {len(days)} closed cases the median is {days.median():,.0f} days.")
    assert table["Closed cases"].sum() == len(days)
    assert table["Longest"].max() == days.max() and table["Shortest (days)"].min() == days.min()
    police = int(cases["agencies"].str.contains("Police").sum())
    _, summary, table = views["perf_agencies"]
    assert summary.startswith(f"Cases by agency: highest Police ({police}), ")
    assert table.loc[table["Agency"] == "Police", "Cases"].item() == police
    issues = cases["issue"].value_counts()
    _, summary, table = views["perf_issues"]
    assert summary.startswith(f"Cases by issue: highest {issues.index[0]} ({issues.iloc[0]}), ")
    assert table.set_index("Issue")["Cases"].to_dict() == issues.to_dict()
    assert (table["Closed"] + table["Open"] == table["Cases"]).all()
