"""Patrol hours against ASB: series, lagged correlation and operations, on tables worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.figures.deployment import (
    MAX_NAMED_OPERATIONS,
    asb_around_figure,
    lag_figure,
    timeline_figure,
    week_of_action_figure,
)
from analysis.measures.deployment.lag import deseasonalise, lagged_correlation
from analysis.measures.deployment.operations import asb_around, operation_weeks, operations_in_view, week_of_action
from analysis.measures.deployment.series import area_total, monthly_patrol_asb, weekly_patrol
from analysis.stats.intervals import effective_pairs, fisher_interval, rate_ratio


def resourcing(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["week", "hub", "funding", "visible_patrol_hours"]).assign(
        week=lambda d: pd.to_datetime(d["week"]), role="PC", fte=1.0
    )


def test_weekly_patrol_splits_core_and_precept_and_dates_weeks_by_monday():
    rows = resourcing(
        [
            ("2019-04-29", "A", "core", 10.0),
            ("2019-04-29", "A", "core", 5.0),
            ("2019-04-29", "A", "precept", 2.0),
            ("2019-05-06", "A", "precept", 4.0),
            ("2019-04-29", "B", "core", 7.0),
        ]
    )
    got = weekly_patrol(rows)
    assert got[["hub", "core_hours", "precept_hours", "patrol_hours"]].values.tolist() == [
        ["A", 15.0, 2.0, 17.0],
        ["A", 0.0, 4.0, 4.0],
        ["B", 7.0, 0.0, 7.0],
    ]
    # The week of Monday 29 April counts in April although most of it is in May.
    assert [str(m) for m in got["month"]] == ["2019-04", "2019-05", "2019-04"]
    assert weekly_patrol(rows, hubs=["B"])["hub"].tolist() == ["B"]


def test_monthly_patrol_asb_keeps_every_asb_month_and_leaves_unknown_patrol_blank():
    weekly = weekly_patrol(resourcing([("2019-01-07", "A", "core", 10.0), ("2019-01-14", "A", "precept", 5.0)]))
    asb = pd.DataFrame({"hub": ["A", "A"], "month": pd.PeriodIndex(["2019-01", "2019-02"], freq="M"), "asb": [3, 4]})
    got = monthly_patrol_asb(weekly, asb)
    assert got.iloc[0][["core_hours", "precept_hours", "patrol_hours", "asb"]].tolist() == [10.0, 5.0, 15.0, 3]
    assert math.isnan(got.iloc[1]["patrol_hours"]) and got.iloc[1]["asb"] == 4


@pytest.mark.parametrize(
    "hubs, expected",
    [
        (["A", "B"], [3.0, math.nan]),  # B has no month 2: the county total is unknown, not low
        (["A"], [1.0, 4.0]),
    ],
)
def test_area_total(hubs, expected):
    frame = pd.DataFrame({"hub": ["A", "B", "A"], "month": [1, 1, 2], "asb": [1.0, 2.0, 4.0]})
    got = area_total(frame, hubs, "month", ["asb"])["asb"].tolist()
    assert got == pytest.approx(expected, nan_ok=True)


# --------------------------------------------------------------------------- lagged correlation


def test_deseasonalise_removes_trend_and_season():
    index = pd.period_range("2017-01", periods=36, freq="M")
    season = np.array([5.0 if m.month in (6, 7, 8) else 0.0 for m in index])
    series = pd.Series(100 + 2.0 * np.arange(36) + season, index=index)
    residuals, controls, description = deseasonalise(series)
    assert np.allclose(residuals, 0.0, atol=1e-9)
    assert controls == 12
    assert description == "a linear trend and month-of-year means"


def test_deseasonalise_short_series_removes_trend_only():
    series = pd.Series([1.0, 2.0, 3.0, 5.0], index=pd.period_range("2019-01", periods=4, freq="M"))
    residuals, controls, description = deseasonalise(series)
    # Least-squares line: slope 1.3, fitted 0.8, 2.1, 3.4, 4.7.
    assert residuals.tolist() == pytest.approx([0.2, -0.1, -0.4, 0.3])
    assert (controls, description) == (1, "a linear trend")


@pytest.mark.parametrize(
    "n, r1, s1, expected",
    [
        (40, 0.5, 0.5, 24.0),  # 40 x 0.75 / 1.25
        (40, 0.0, 0.9, 40.0),
        (40, 0.5, -0.5, 40.0),  # never more than the pairs there are
    ],
)
def test_effective_pairs(n, r1, s1, expected):
    assert effective_pairs(n, r1, s1) == pytest.approx(expected)


@pytest.mark.parametrize(
    "r, n_eff, controls, expected",
    [
        # se = 1/sqrt(25) = 0.2: tanh(0.5493 -/+ 0.392) = 0.1560, 0.7358.
        (0.5, 28, 0, (0.1560, 0.7358)),
        # Twelve terms removed cost twelve degrees of freedom: same interval from 40 pairs.
        (0.5, 40, 12, (0.1560, 0.7358)),
        (0.0, 7, 0, (-0.7531, 0.7531)),  # se = 0.5: tanh(0.98) = 6.0993 / 8.0993
        (0.3, 15, 12, (math.nan, math.nan)),
    ],
)
def test_fisher_interval(r, n_eff, controls, expected):
    assert fisher_interval(r, n_eff, controls) == pytest.approx(expected, abs=1e-4, nan_ok=True)


def series(values, start="2017-01") -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float), index=pd.period_range(start, periods=len(values), freq="M"))


def test_lagged_correlation_finds_the_lag_at_which_asb_follows_patrol():
    rng = np.random.default_rng(7)
    patrol = rng.normal(1000, 50, 40)
    # ASB two months after patrol is an exact linear function of it.
    asb = np.r_[300.0, 300.0, 500 - 0.2 * patrol[:-2]]
    got = lagged_correlation(series(patrol), series(asb), range(0, 5)).set_index("lag")
    assert got["r"].abs().idxmax() == 2
    assert got.loc[2, "r"] < -0.99
    assert got["pairs"].tolist() == [40, 39, 38, 37, 36]
    assert (got["ci_low"] <= got["r"]).all() and (got["r"] <= got["ci_high"]).all()


def test_lagged_correlation_negative_lags_have_asb_leading():
    rng = np.random.default_rng(3)
    asb = rng.normal(200, 10, 30)
    patrol = np.r_[900.0, 500 + 2 * asb[:-1]]  # patrol follows ASB by one month
    got = lagged_correlation(series(patrol), series(asb), [-1, 0, 1]).set_index("lag")
    assert got.loc[-1, "r"] > 0.95
    assert abs(got.loc[1, "r"]) < 0.9


def test_lagged_correlation_too_few_months_says_so():
    got = lagged_correlation(series(range(10)), series([3, 1, 4, 1, 5, 9, 2, 6, 5, 3]), [0, 1])
    assert got["r"].isna().all()
    assert got["note"].tolist() == [
        "Only 10 pairs of months at this lag; 12 are needed.",
        "Only 9 pairs of months at this lag; 12 are needed.",
    ]


def test_lagged_correlation_lags_longer_than_the_series_have_no_pairs():
    got = lagged_correlation(series(range(6)), series([3, 1, 4, 1, 5, 9]), [-8, -6, 6, 8])
    assert got["pairs"].tolist() == [0, 0, 0, 0]
    assert got["r"].isna().all()


def test_lagged_correlation_aligns_on_months_and_skips_gaps():
    rng = np.random.default_rng(11)
    patrol = series(rng.normal(100, 5, 20))
    asb = series(rng.normal(50, 5, 20)).drop(pd.Period("2017-05", "M"))
    got = lagged_correlation(patrol, asb, [0]).iloc[0]
    assert got["pairs"] == 19


# --------------------------------------------------------------------------- operations


@pytest.fixture
def operations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["Week of Action", "Op Kestrel", "Op Wren", "Op Old"],
            "hub": ["All", "A", "B", "A"],
            "start": pd.to_datetime(["2019-07-22", "2019-09-02", "2019-09-09", "2018-01-01"]),
            "end": pd.to_datetime(["2019-07-28", "2019-09-29", "2019-09-15", "2018-01-07"]),
            "focus": ["ASB", "ASB", "shoplifting", "ASB"],
        }
    )


def test_operations_in_view_by_hub_and_period(operations):
    got = operations_in_view(operations, ["A"], pd.Period("2019-01", "M"), pd.Period("2019-12", "M"))
    assert got["name"].tolist() == ["Week of Action", "Op Kestrel"]
    assert got["label"].tolist() == ["Week of Action (All, ASB)", "Op Kestrel (A, ASB)"]
    # An operation overlapping the period's last month counts.
    got = operations_in_view(operations, ["A", "B"], pd.Period("2019-01", "M"), pd.Period("2019-09", "M"))
    assert got["name"].tolist() == ["Week of Action", "Op Kestrel", "Op Wren"]
    assert operations_in_view(operations, ["C"], pd.Period("2020-01", "M"), pd.Period("2020-12", "M")).empty


@pytest.mark.parametrize(
    "start, end, expected",
    [
        ("2019-07-22", "2019-07-28", [False, True, False]),
        ("2019-07-21", "2019-07-22", [True, True, False]),  # Sunday of the week before, Monday of this one
        ("2019-07-28", "2019-07-29", [False, True, True]),
    ],
)
def test_operation_weeks_overlap(start, end, expected):
    weeks = pd.Series(pd.to_datetime(["2019-07-15", "2019-07-22", "2019-07-29"]))
    assert operation_weeks(weeks, pd.Timestamp(start), pd.Timestamp(end)).tolist() == expected


def weekly_hours(values: list[float], first: str = "2019-06-24") -> pd.DataFrame:
    return pd.DataFrame({"week": pd.date_range(first, periods=len(values), freq="7D"), "patrol_hours": values})


def test_week_of_action_against_the_weeks_around_it():
    weekly = weekly_hours([100, 110, 90, 100, 150, 105, 95, 100, 100])
    got = week_of_action(weekly, pd.Timestamp("2019-07-22"), pd.Timestamp("2019-07-28"), n_weeks=4)
    assert got.weeks["window"].tolist() == ["before"] * 4 + ["operation"] + ["after"] * 4
    assert (got.operation_mean, got.before_mean, got.after_mean) == (150, 100, 100)
    # sd of the weeks before = sqrt(200 / 3) = 8.165; t(0.975, 3) = 3.1824;
    # half-width = 3.1824 x 8.165 x sqrt(1 + 1/4) = 29.05.
    assert got.before_sd == pytest.approx(8.165, abs=1e-3)
    assert (got.usual_low, got.usual_high) == pytest.approx((70.95, 129.05), abs=0.01)
    assert got.position == "above"
    assert (got.difference, got.difference_low, got.difference_high) == pytest.approx((50, 20.95, 79.05), abs=0.01)
    # After against before: 0, Welch interval symmetric with se = sqrt(66.67/4 + 16.67/4) = 4.564 and
    # df about 4.4, so the half-width lies between t(4) x se = 11.73 and t(5) x se = 12.67.
    assert got.after_difference == 0
    half = got.after_high
    assert got.after_low == pytest.approx(-half)
    assert 11.73 < half < 12.67


def test_week_of_action_needs_patrol_data_for_the_operation():
    with pytest.raises(ValueError, match="No patrol hours for the weeks of the operation"):
        week_of_action(weekly_hours([100, 100]), pd.Timestamp("2020-01-06"), pd.Timestamp("2020-01-12"))


def test_week_of_action_with_too_few_weeks_before_has_no_range():
    got = week_of_action(weekly_hours([100, 150, 100, 100]), pd.Timestamp("2019-07-01"), pd.Timestamp("2019-07-07"))
    assert got.position == "not available"
    assert math.isnan(got.usual_low)


def test_asb_around_an_operation_month():
    asb = series([10, 10, 10, 20, 12, 11, 9], start="2019-04")
    table, ratio = asb_around(asb, pd.Period("2019-07", "M"), 3)
    assert table["window"].tolist() == ["before"] * 3 + ["operation month"] + ["after"] * 3
    assert table["ci_low"].iloc[3] < 20 < table["ci_high"].iloc[3]
    # 20 in the month against a mean of 10 in the three months before.
    assert ratio == pytest.approx(rate_ratio(20, 30, 1.0, 3.0))
    assert ratio[0] == pytest.approx(2.0)


def test_asb_around_without_months_before_has_no_ratio():
    table, ratio = asb_around(series([20, 12], start="2019-07"), pd.Period("2019-07", "M"), 3)
    assert table["window"].tolist() == ["operation month", "after"]
    assert all(math.isnan(v) for v in ratio)


# --------------------------------------------------------------------------- figures


def test_timeline_figure_patrol_stacked_asb_on_its_own_axis(operations):
    patrol = pd.DataFrame(
        {"month": pd.period_range("2019-06", periods=4, freq="M"), "core_hours": [10.0] * 4, "precept_hours": [2.0] * 4}
    )
    asb = series([5, 6, 7, 8], start="2019-06")
    shown = operations_in_view(operations, ["A"], pd.Period("2019-06", "M"), pd.Period("2019-09", "M"))
    figure = timeline_figure(patrol, asb, weekly=False, operations=shown, launched=pd.Timestamp("2019-07-01"))
    assert [t.name for t in figure.data] == ["Core-funded patrol hours", "Precept-funded patrol hours", "ASB incidents"]
    assert figure.data[2].yaxis == "y2"
    assert figure.layout.yaxis.title.text == "Patrol hours a month"
    assert figure.layout.yaxis2.title.text == "ASB a month"
    # Two operations are few enough to be named on the chart; the launch is labelled too.
    assert [a.text for a in figure.layout.annotations] == ["Week of Action", "Op Kestrel", "Hub launched"]
    assert len(figure.layout.shapes) == 3


def test_timeline_figure_weekly_draws_asb_as_monthly_steps():
    weeks = pd.date_range("2019-06-03", periods=9, freq="7D")
    patrol = pd.DataFrame({"week": weeks, "core_hours": 1.0, "precept_hours": 0.0})
    figure = timeline_figure(patrol, series([5, 6], start="2019-06"), weekly=True)
    asb = figure.data[2]
    assert asb.line.shape == "hv" and asb.name == "ASB incidents in the month"
    # One step per month plus the end of the last month.
    assert list(asb.y) == [5, 6, 6]
    assert figure.layout.yaxis.title.text == "Patrol hours a week"


def test_timeline_figure_numbers_many_operations():
    many = pd.DataFrame(
        {
            "name": [f"Op {i}" for i in range(MAX_NAMED_OPERATIONS + 1)],
            "start": pd.date_range("2019-01-07", periods=MAX_NAMED_OPERATIONS + 1, freq="14D"),
        }
    ).assign(end=lambda d: d["start"] + pd.Timedelta(days=6))
    figure = timeline_figure(None, series([5, 6, 7], start="2019-01"), weekly=False, operations=many)
    assert [a.text for a in figure.layout.annotations] == [str(i) for i in range(1, MAX_NAMED_OPERATIONS + 2)]
    assert figure.layout.yaxis.title.text == "ASB a month"


def test_lag_and_operation_figures():
    correlations = pd.DataFrame(
        {"lag": [0, 1], "r": [0.2, math.nan], "ci_low": [-0.1, math.nan], "ci_high": [0.5, math.nan], "pairs": [20, 9]}
    )
    figure = lag_figure(correlations)
    assert list(figure.data[0].x) == [0]
    assert figure.layout.yaxis.range == (-1, 1)

    result = week_of_action(
        weekly_hours([100, 110, 90, 100, 150, 105]), pd.Timestamp("2019-07-22"), pd.Timestamp("2019-07-28")
    )
    figure = week_of_action_figure(result)
    assert [t.name for t in figure.data] == ["Before", "Operation", "After"]
    assert figure.data[1].marker.pattern.shape == "/"
    assert figure.layout.shapes[0].y0 == pytest.approx(result.usual_low)

    table, _ = asb_around(series([10, 10, 10, 20], start="2019-04"), pd.Period("2019-07", "M"), 3)
    figure = asb_around_figure(table)
    assert [t.name for t in figure.data] == ["Before", "Operation"]
    assert list(figure.data[0].x) == ["Apr 2019", "May 2019", "Jun 2019"]
