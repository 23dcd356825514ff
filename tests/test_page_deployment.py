"""The Deployment vs ASB page in AppTest: filters and widgets change what the charts and figures show."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.load.dataset import load_dataset
from analysis.schema import UNASSIGNED
from tests import apptest

PAGE = "pages/deployment.py"


def open_page(folder, monkeypatch) -> AppTest:
    return apptest.open_page(folder, monkeypatch, PAGE)


def choose_period(at: AppTest, start: str, end: str) -> None:
    """Move the sidebar's period slider, as a person would; the next run uses it."""
    at.sidebar.select_slider(key="f_period").set_value((start, end))


def charts(at: AppTest) -> dict[str, dict]:
    """Every plotly chart on the page by its title."""
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return {s["layout"]["title"]["text"]: s for s in specs}


def trace(spec: dict, name: str) -> dict:
    return next(d for d in spec["data"] if d.get("name") == name)


def chart_views(at: AppTest) -> dict[str, tuple[dict, str, pd.DataFrame]]:
    """Every chart drawn through chart_with_table, by its key: (plotly spec, summary in words, table view).

    The summary is the chart's alt text and its caption; the table view is the dataframe in the
    "Table view" expander that follows the chart.
    """
    charts_ = list(at.get("plotly_chart"))
    views = [e for e in at.expander if e.label == "Table view"]
    assert len(views) == len(charts_), "every chart has one table view"
    out = {}
    for chart, view in zip(charts_, views, strict=True):
        key = re.search(r"-([^-]+)_chart$", chart.proto.id).group(1)
        out[key] = (json.loads(chart.proto.spec), chart.proto.alt, view.dataframe[0].value)
    return out


def captions(at: AppTest) -> list[str]:
    """Captions as read: Markdown escapes of plain text removed."""
    return [re.sub(r"\\(.)", r"\1", c.value) for c in at.caption]


def downloads(at: AppTest) -> list[str]:
    """The labels of every download button on the page."""
    return [b.proto.label for b in at.get("download_button")]


def values(data: object) -> list:
    """A plotly array as a list: plain, or typed-array encoded (``{"bdata": ..., "dtype": ...}``)."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def test_county_by_month_on_the_sample(sample_dir, monkeypatch):
    at = open_page(sample_dir, monkeypatch)
    figures = charts(at)
    timeline = figures["Visible patrol hours and ASB by month, the county (6 hubs)"]
    asb = trace(timeline, "ASB incidents")
    # 48 months, and the county's ASB is every hub's ASB (records not placed in a hub excluded).
    resourcing = pd.read_csv(sample_dir / "resourcing.csv")
    assert len(values(asb["y"])) == 48
    dataset = load_dataset(sample_dir)
    in_hubs = dataset.incidents["is_asb"] & (dataset.incidents["hub"] != UNASSIGNED)
    assert sum(values(asb["y"])) == int(in_hubs.sum())
    core = trace(timeline, "Core-funded patrol hours")
    precept = trace(timeline, "Precept-funded patrol hours")
    total = resourcing["visible_patrol_hours"].sum()
    assert sum(values(core["y"])) + sum(values(precept["y"])) == pytest.approx(total)
    assert sum(values(precept["y"])) == pytest.approx(
        resourcing.loc[resourcing["funding"] == "precept", "visible_patrol_hours"].sum()
    )
    lag = figures["Patrol hours against ASB some months later, the county (6 hubs)"]
    assert values(lag["data"][0]["x"]) == list(range(0, 9))
    # The evaluation's dose-response is shown with its interval.
    metric = next(m for m in at.metric if m.label.startswith("ASB in months with 10% more"))
    assert "% to " in metric.value


def test_one_hub_by_week_and_its_week_of_action(sample_dir, monkeypatch):
    at = open_page(sample_dir, monkeypatch)
    at.selectbox(key="dep_area").select("Copeland").run()
    at.radio(key="dep_step").set_value("Week").run()
    assert not at.exception
    figures = charts(at)
    timeline = figures["Visible patrol hours and ASB by week, Copeland"]
    asb = trace(timeline, "ASB incidents in the month")
    assert asb["line"]["shape"] == "hv"
    assert any("police.uk gives ASB by month only" in c.value for c in at.caption)
    assert "Hub launched" in [a["text"] for a in timeline["layout"]["annotations"]]
    # In words: weeks named by their Monday, and the hub's launch (1 Apr 2019 in hubs.csv).
    _, summary, table = chart_views(at)["dep_timeline"]
    assert "Visible patrol hours a week, week of 2 Jan 2017 to week of 28 Dec 2020: highest week of " in summary
    assert summary.endswith("The hub launched on 1 Apr 2019.")
    assert list(table.columns)[:2] == ["Week (Monday)", "Month"]
    assert table["Week (Monday)"].iloc[0] == "2 Jan 2017"

    # The latest Week of Action (for all hubs) is compared on Copeland's own patrol hours.
    assert at.selectbox(key="dep_operation").value == "Week of Action 2020 (All, ASB)"
    resourcing = pd.read_csv(sample_dir / "resourcing.csv", parse_dates=["week"])
    week = resourcing.loc[(resourcing["hub"] == "Copeland") & (resourcing["week"] == "2020-07-20")]
    metric = next(m for m in at.metric if m.label == "Patrol hours a week during the operation")
    assert metric.value == f"{week['visible_patrol_hours'].sum():,.0f}"
    woa = figures["Patrol hours a week"]
    assert [d["name"] for d in woa["data"]] == ["Before", "Operation", "After"]
    assert len(values(woa["data"][0]["x"])) == 4

    at.slider(key="dep_weeks").set_value(6).run()
    assert len(values(charts(at)["Patrol hours a week"]["data"][0]["x"])) == 6


def test_negative_lags_and_a_short_period(sample_dir, monkeypatch):
    at = open_page(sample_dir, monkeypatch)
    at.checkbox(key="dep_negative_lags").check().run()
    lag = charts(at)["Patrol hours against ASB some months later, the county (6 hubs)"]
    assert values(lag["data"][0]["x"])[0] == -8
    # Twelve months: too short for the evaluation's estimate, which says so; only lag 0 has
    # the 12 pairs of months a correlation needs.
    choose_period(at, "2019-01", "2019-12")
    at.run()
    assert not at.exception
    assert any(i.value.startswith("No estimate: ") for i in at.info)
    lag = charts(at)["Patrol hours against ASB some months later, the county (6 hubs)"]
    assert values(lag["data"][0]["x"]) == [0]
    choose_period(at, "2019-01", "2019-06")
    at.run()
    assert any("Too few months" in i.value for i in at.info)


def test_real_data_has_no_deployment_and_says_so(real_dir, monkeypatch):
    at = open_page(real_dir, monkeypatch)
    messages = " ".join(i.value for i in at.info)
    assert "No resourcing.csv" in messages and "No operations.csv" in messages
    figures = charts(at)
    assert list(figures) == ["ASB by month, the county (6 hubs)"]
    asb = figures["ASB by month, the county (6 hubs)"]["data"][0]
    dataset = load_dataset(real_dir)
    assert sum(values(asb["y"])) == int((dataset.incidents["is_asb"] & (dataset.incidents["hub"] != UNASSIGNED)).sum())
    assert len(values(asb["y"])) == 5
    # ASB alone, in words and as a table, with the one download.
    _, summary, table = chart_views(at)["dep_timeline"]
    assert summary.startswith("ASB incidents a month, the county (6 hubs), Oct 2018 to Feb 2019: highest ")
    assert "patrol" not in summary
    assert list(table.columns) == ["Month", "ASB incidents"]
    assert table["ASB incidents"].tolist() == values(asb["y"])
    assert downloads(at) == ["Download this table (CSV)"]


def test_every_chart_has_a_summary_and_a_table_view(sample_dir, monkeypatch):
    at = open_page(sample_dir, monkeypatch)
    views = chart_views(at)
    assert list(views) == ["dep_timeline", "dep_lag", "dep_woa_patrol", "dep_woa_asb"]
    shown = captions(at)
    for key, (_, summary, table) in views.items():
        assert summary in shown, f"{key}: the summary is also the caption"
        assert len(table), f"{key}: the table view is empty"
    # One download per chart (the table view's), plus the evaluation's estimate.
    assert downloads(at) == ["Download this table (CSV)"] * 4 + ["Download this estimate"]

    # Timeline: the county's ASB, counted here from the records, in words and in the table.
    dataset = load_dataset(sample_dir)
    rows = dataset.incidents.loc[dataset.incidents["is_asb"] & (dataset.incidents["hub"] != UNASSIGNED)]
    by_month = rows.groupby("month").size()
    peak, low = by_month.idxmax(), by_month.idxmin()
    spec, summary, table = views["dep_timeline"]
    assert summary.startswith("ASB incidents a month, the county (6 hubs), Jan 2017 to Dec 2020: ")
    assert f"highest {peak:%b %Y} ({by_month[peak]:,})" in summary
    assert f"lowest {low:%b %Y} ({by_month[low]:,})" in summary
    assert f"latest Dec 2020 ({by_month[pd.Period('2020-12', 'M')]:,})" in summary
    resourcing = pd.read_csv(sample_dir / "resourcing.csv")
    precept = resourcing.loc[resourcing["funding"] == "precept", "visible_patrol_hours"].sum()
    assert f"Precept-funded hours are {precept / resourcing['visible_patrol_hours'].sum():.0%}" in summary
    assert table["Month"].iloc[0] == "Jan 2017" and len(table) == 48
    assert table["ASB incidents"].tolist() == by_month.tolist()
    assert table["Patrol hours"].sum() == pytest.approx(resourcing["visible_patrol_hours"].sum(), abs=0.05 * 48)

    # Lagged correlation: the table holds the points drawn, the summary names the strongest.
    spec, summary, table = views["dep_lag"]
    assert table["Lag (months)"].tolist() == list(range(0, 9))
    drawn = dict(zip(values(spec["data"][0]["x"]), values(spec["data"][0]["y"]), strict=True))
    assert table["Correlation r"].tolist() == pytest.approx([drawn[lag] for lag in range(9)], abs=5e-4)
    strongest = max(drawn, key=lambda lag: abs(drawn[lag]))
    assert f"strongest at a lag of {strongest} month" in summary
    assert f"r = {drawn[strongest]:.2f}" in summary

    # The Week of Action 2020 (20-26 Jul): the weeks and months either side, as drawn.
    spec, summary, table = views["dep_woa_patrol"]
    assert table["Window"].tolist() == ["before"] * 4 + ["operation"] + ["after"] * 4
    assert table["Week (Monday)"].tolist()[4] == "20 Jul 2020"
    drawn = [y for trace in spec["data"] for y in values(trace["y"])]
    assert table["Patrol hours"].tolist() == pytest.approx(drawn, abs=0.05)
    during = resourcing.loc[resourcing["week"] == "2020-07-20", "visible_patrol_hours"].sum()
    assert summary.startswith("Patrol hours a week around Week of Action 2020: 4 weeks before averaged ")
    assert f"the operation's 1 week {during:,.0f}" in summary
    spec, summary, table = views["dep_woa_asb"]
    assert table["Month"].tolist() == [m.strftime("%b %Y") for m in pd.period_range("2020-04", "2020-10", freq="M")]
    july = pd.Period("2020-07", "M")
    assert table["ASB incidents"].tolist() == by_month.loc[july - 3 : july + 3].tolist()
    assert f"Operation month Jul 2020: {by_month[july]:,}" in summary
