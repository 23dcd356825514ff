"""What the Deployment vs ASB page shows, worked out without Streamlit: the area, lags, an operation, the estimate."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis.load.dataset import load_dataset
from analysis.measures.deployment.dose import patrol_estimate
from analysis.measures.deployment.lag import patrol_asb_lags, strongest_lag
from analysis.measures.deployment.operations import operation_choices, operation_view, operations_in_view
from analysis.measures.deployment.series import COUNTY, hub_month_asb, weekly_patrol
from analysis.measures.deployment.timeline import area_view

M = pd.Period


@pytest.fixture(scope="module")
def sample(sample_dir):
    dataset = load_dataset(sample_dir)
    return dataset, hub_month_asb(dataset), weekly_patrol(dataset.table("resourcing.csv"))


def test_hub_month_asb_has_every_hub_and_month(sample):
    dataset, asb, _ = sample
    assert len(asb) == len(dataset.hubs) * len(dataset.months)
    rows = dataset.incidents
    placed = rows["is_asb"] & rows["hub"].isin(dataset.hubs["hub"])
    assert asb["asb"].sum() == placed.sum()  # every ASB record placed in a hub, once


def test_area_view_of_the_county_and_of_one_hub(sample):
    dataset, asb, weekly = sample
    start, end = M("2019-01", "M"), M("2019-12", "M")
    county = area_view(dataset, asb, weekly, ["Carlisle", "Eden"], COUNTY, start, end)
    assert county.name == "the county (2 hubs)" and county.hubs == ["Carlisle", "Eden"] and county.warning is None
    assert county.has_patrol and county.launched is None
    inside = asb.loc[asb["hub"].isin(["Carlisle", "Eden"]) & asb["month"].between(start, end)]
    assert county.asb.sum() == inside["asb"].sum() and len(county.asb) == 12
    assert county.by_month["asb"].tolist() == county.asb.tolist()
    assert county.by_month["patrol_hours"].sum() == pytest.approx(county.by_week["patrol_hours"].sum())
    assert county.has_operations
    assert county.operations["name"].tolist() == ["Week of Action 2019", "Operation Kestrel", "Operation Curlew"]
    assert county.operations_note.startswith("Grey bands are operations, named at the top: Week of Action 2019 (All, ")
    eden = area_view(dataset, asb, weekly, ["Carlisle", "Eden"], "Eden", start, end)
    assert eden.name == "Eden" and eden.launched == pd.Timestamp("2020-01-01")
    chart = eden.timeline(weekly=True)
    assert (
        chart.key == "dep_timeline" and chart.figure.layout.title.text == "Visible patrol hours and ASB by week, Eden"
    )


def test_area_view_leaves_out_hubs_without_patrol_hours(sample):
    dataset, asb, weekly = sample
    some = weekly.loc[weekly["hub"] != "Eden"]
    view = area_view(dataset, asb, some, ["Carlisle", "Eden"], COUNTY, M("2019-01", "M"), M("2019-06", "M"))
    assert view.hubs == ["Carlisle"]
    assert view.name == "the county (1 hub with patrol data)"
    assert view.warning.startswith("resourcing.csv has no patrol hours for Eden in this period")
    alone = area_view(dataset, asb, some, ["Carlisle", "Eden"], "Eden", M("2019-01", "M"), M("2019-06", "M"))
    assert alone.hubs == ["Eden"] and not alone.has_patrol and alone.by_month is None
    assert alone.timeline(weekly=False).figure.layout.title.text == "ASB by month, Eden"
    none = area_view(dataset, asb, None, ["Eden"], "Eden", M("2019-01", "M"), M("2019-06", "M"))
    assert none.warning is None and not none.has_patrol
    quiet = area_view(dataset, asb, weekly, ["Eden"], "Eden", M("2017-01", "M"), M("2017-03", "M"))
    assert quiet.operations is not None and not quiet.has_operations


def test_strongest_lag_in_words():
    nan = float("nan")
    frame = pd.DataFrame({"lag": [0, 1], "r": [0.3, -0.1], "ci_low": [-0.1, -0.4], "ci_high": [0.6, 0.2]})
    assert strongest_lag(frame.assign(pairs=[20, 19])) == (
        "The strongest correlation is at a lag of **0 months**: r = 0.30 (95% interval -0.10 to 0.60, 20 pairs). "
        "Its interval includes zero: no clear relationship."
    )
    no_ci = frame.assign(ci_low=nan, ci_high=nan, pairs=[13, 12])
    assert "(13 pairs; too few for an interval). Its interval includes zero" in strongest_lag(no_ci)
    assert strongest_lag(frame.assign(r=nan, pairs=0)) is None


def test_patrol_asb_lags_both_ways():
    index = pd.period_range("2018-01", periods=36, freq="M")
    rng = np.random.default_rng(1)
    by_month = pd.DataFrame({"month": index, "patrol_hours": rng.normal(100, 10, 36), "asb": rng.poisson(50, 36)})
    lags = patrol_asb_lags(by_month, "Eden", both_ways=True)
    assert lags.correlations["lag"].tolist() == list(range(-8, 9))
    assert lags.chart.key == "dep_lag"
    assert lags.chart.figure.layout.title.text == "Patrol hours against ASB some months later, Eden"
    assert lags.strongest.startswith("The strongest correlation is at a lag of **")
    assert patrol_asb_lags(by_month, "Eden", both_ways=False).correlations["lag"].tolist() == list(range(9))


def test_operation_choices_prefer_the_latest_week_of_action():
    operations = pd.DataFrame({"label": ["Week of Action 2018 (All, ASB)", "Op Quiet (Eden, Noise)"]})
    assert operation_choices(operations) == (list(operations["label"]), "Week of Action 2018 (All, ASB)")
    assert operation_choices(operations.iloc[1:])[1] == "Op Quiet (Eden, Noise)"


def test_operation_view_of_a_week_of_action(sample):
    dataset, asb, weekly = sample
    operations = operations_in_view(dataset.table("operations.csv"), ["Carlisle"], M("2019-01", "M"), M("2019-12", "M"))
    label = operations["label"].iloc[0]
    view = operation_view(operations, label, weekly, asb, ["Carlisle"], "Carlisle", 4)
    assert view.caption == (
        "Week of Action 2019: 22 Jul 2019 to 28 Jul 2019, focus ASB, compared on the figures of Carlisle."
    )
    assert view.patrol.key == "dep_woa_patrol" and view.asb.key == "dep_woa_asb"
    assert re.fullmatch(r"[\d,]+", view.patrol_mean)
    assert view.patrol_words.startswith("That is **") and "the usual range" in view.patrol_words
    assert view.asb_words.startswith("ASB in Jul 2019 against the mean of the months before: **")
    without = operation_view(operations, label, None, asb, ["Carlisle"], "Carlisle", 4)
    assert without.patrol is None and without.patrol_note == "Patrol hours need resourcing.csv."


def test_patrol_estimate_on_the_sample_and_without_patrol_hours(sample):
    dataset, asb, weekly = sample
    hubs = tuple(dataset.hub_names[:6])
    estimate = patrol_estimate(asb, weekly, dataset.hubs, hubs, M("2017-01", "M"), M("2020-12", "M"))
    assert estimate.error is None
    assert re.fullmatch(r"[+-]\d+\.\d% \([+-]\d+\.\d% to [+-]\d+\.\d%\)", estimate.headline)
    assert estimate.source.startswith("From ") and estimate.source.endswith(f"hubs: {', '.join(sorted(hubs))}.")
    assert estimate.method.startswith("**Method:** ") and estimate.assumptions.startswith("**It assumes:** ")
    assert len(estimate.table) == 1 and "effect_per_10pct_pct" in estimate.table.columns
    missing = patrol_estimate(asb, None, dataset.hubs, hubs, M("2017-01", "M"), M("2020-12", "M"))
    assert missing.error == "No patrol hours: resourcing.csv is missing." and missing.table is None
