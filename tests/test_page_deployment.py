"""The Deployment vs ASB page in AppTest: filters and widgets change what the charts and figures show."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.dataset import load_dataset
from analysis.schema import UNASSIGNED
from tests.conftest import ROOT

PAGE = "pages/deployment.py"


def open_page(folder, monkeypatch) -> AppTest:
    monkeypatch.setenv("LOCAL_FOCUS_DATA", str(folder))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def choose_period(at: AppTest, start: str, end: str) -> None:
    """Move the sidebar's period slider, as a person would; the next run uses it."""
    at.sidebar.select_slider(key="f_period").set_value((start, end))


def charts(at: AppTest) -> dict[str, dict]:
    """Every plotly chart on the page by its title."""
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return {s["layout"]["title"]["text"]: s for s in specs}


def trace(spec: dict, name: str) -> dict:
    return next(d for d in spec["data"] if d.get("name") == name)


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
