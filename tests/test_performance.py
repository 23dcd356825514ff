"""Hub performance metrics on tiny tables worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.figures.performance import (
    agency_figure,
    case_status_figure,
    change_figure,
    days_to_close_figure,
    expected_range_figure,
    issue_figure,
    open_share_figure,
    outcome_figure,
    rate_figure,
)
from analysis.load.records import FrameRecords
from analysis.measures.performance.cases import agency_counts, case_summary, case_table, issue_counts
from analysis.measures.performance.comparison import comparison_table
from analysis.measures.performance.outcomes import open_outcomes_by_month, outcome_distribution
from analysis.measures.performance.rates import compare_windows, monthly_measures, period_rate, trend_window
from analysis.schema import ASB
from analysis.stats.expected import expected_range
from analysis.stats.intervals import poisson_interval, rate_ratio, wilson_interval
from analysis.stats.survival import kaplan_meier_median
from analysis.text.changes import change_words


def months(start: str, n: int) -> pd.PeriodIndex:
    return pd.period_range(start, periods=n, freq="M")


def monthly(counts: list[int], start: str = "2019-01", hub: str = "A", population: list[float] | None = None):
    frame = pd.DataFrame({"hub": hub, "month": months(start, len(counts)), "asb": counts})
    return frame if population is None else frame.assign(population=population)


# --------------------------------------------------------------------------- intervals


@pytest.mark.parametrize(
    "count, low, high",
    [
        # Garwood exact limits, as printed in standard tables.
        (0, 0.0, 3.689),
        (1, 0.0253, 5.572),
        (10, 4.795, 18.390),
        (40, 28.577, 54.469),
    ],
)
def test_poisson_interval(count, low, high):
    got = poisson_interval(count)
    assert got == pytest.approx((low, high), abs=2e-3)


def test_poisson_interval_rejects_negative():
    with pytest.raises(ValueError, match="non-negative"):
        poisson_interval(-1)


@pytest.mark.parametrize(
    "successes, trials, low, high",
    [
        (5, 10, 0.2366, 0.7634),
        # 0 of n: upper limit z^2 / (n + z^2) = 3.8415 / 13.8415.
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_interval(successes, trials, low, high):
    assert wilson_interval(successes, trials) == pytest.approx((low, high), abs=1e-4)


def test_wilson_interval_without_trials_is_nan():
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


@pytest.mark.parametrize(
    "args, expected",
    [
        # 10 of 20: Clopper-Pearson (0.27196, 0.72804) -> ratio p / (1 - p).
        ((10, 10), (1.0, 0.3735, 2.6770)),
        # Twice the exposure halves the ratio and both limits.
        ((10, 10, 2.0, 1.0), (0.5, 0.1868, 1.3385)),
        # 0 of 5: upper p = 1 - 0.025 ** (1/5) = 0.52182 -> 1.0913.
        ((0, 5), (0.0, 0.0, 1.0913)),
        # 5 of 5: lower p = 0.025 ** (1/5) = 0.47818 -> 0.9164; no upper limit.
        ((5, 0), (math.inf, 0.9164, math.inf)),
    ],
)
def test_rate_ratio(args, expected):
    assert rate_ratio(*args) == pytest.approx(expected, abs=1e-4)


def test_rate_ratio_of_nothing_is_nan():
    assert all(math.isnan(v) for v in rate_ratio(0, 0))


@pytest.mark.parametrize(
    "ratio, low, high, words, compact",
    [
        (0.92, 0.85, 1.01, "8% lower (95% CI 15% lower to 1% higher)", "-8% (-15% to +1%)"),
        (1.0, 0.9, 1.1, "no change (95% CI 10% lower to 10% higher)", "+0% (-10% to +10%)"),
        (2.0, 1.1, math.inf, "100% higher (95% CI 10% higher to no upper limit)", "+100% (+10% to no upper limit)"),
        (math.nan, math.nan, math.nan, "not available", "not available"),
    ],
)
def test_ratio_in_words(ratio, low, high, words, compact):
    assert change_words(ratio, low, high) == words
    assert change_words(ratio, low, high, compact=True) == compact


@pytest.mark.parametrize("available, window", [(48, 3), (6, 3), (5, 2), (3, 1), (1, 0)])
def test_trend_window(available, window):
    assert trend_window(available) == window


# --------------------------------------------------------------------------- hub comparison


def test_monthly_measures_keeps_asb_apart_and_sums_chosen_types():
    counts = pd.DataFrame(
        {
            "hub": ["A"] * 4 + ["B"] * 4,
            "month": pd.PeriodIndex(["2019-01"] * 8, freq="M"),
            "crime_type": [ASB, "Drugs", "Robbery", "Burglary"] * 2,
            "count": [5, 2, 1, 4, 0, 3, 0, 0],
        }
    )
    got = monthly_measures(counts, [ASB, "Drugs", "Burglary"]).set_index("hub")
    assert got.loc["A", ["asb", "crime"]].tolist() == [5, 6]
    assert got.loc["B", ["asb", "crime"]].tolist() == [0, 3]
    without_asb = monthly_measures(counts, ["Robbery"]).set_index("hub")
    assert without_asb.loc["A", ["asb", "crime"]].tolist() == [0, 1]


def test_period_rate_per_1000_a_month():
    table = monthly([10, 30, 99], population=[10_000, 10_000, 10_000])
    got = period_rate(table, "asb", months("2019-01", 2)).iloc[0]
    # 40 records / 2 months / 10,000 residents x 1,000 = 2.0; interval = Poisson(40) x 0.05.
    assert got["count"] == 40
    assert got["rate_per_1000"] == pytest.approx(2.0)
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((28.577 * 0.05, 54.469 * 0.05), abs=1e-3)


def test_period_rate_without_population_is_nan():
    got = period_rate(monthly([10, 30]), "asb", months("2019-01", 2)).iloc[0]
    assert got["count"] == 40 and math.isnan(got["rate_per_1000"])


@pytest.mark.parametrize(
    "counts, population, window, offset, ratio, recent, baseline",
    [
        # Last two months against the two before: 10 / 20.
        ([10, 10, 5, 5], None, 2, 2, 0.5, "Mar-Apr 2019", "Jan-Feb 2019"),
        # Residents doubled in the recent window: the rate halves again.
        ([10, 10, 5, 5], [100, 100, 200, 200], 2, 2, 0.25, "Mar-Apr 2019", "Jan-Feb 2019"),
        # Same month a year earlier.
        ([8] + [0] * 11 + [12], None, 1, 12, 1.5, "Jan 2020", "Jan 2019"),
    ],
)
def test_compare_windows(counts, population, window, offset, ratio, recent, baseline):
    table = monthly(counts, population=population)
    end = table["month"].iloc[-1]
    got = compare_windows(table, "asb", end, window, offset).iloc[0]
    assert got["ratio"] == pytest.approx(ratio)
    assert got["ci_low"] < ratio < got["ci_high"]
    assert (got["recent"], got["baseline"]) == (recent, baseline)
    assert got["note"] == ""


def test_compare_windows_says_when_the_data_do_not_reach_back():
    got = compare_windows(monthly([5, 6, 7, 8, 9]), "asb", pd.Period("2019-05", "M"), 3, 12).iloc[0]
    assert math.isnan(got["ratio"])
    assert got["note"] == "Not available: 2018-03 to 2018-05 not supplied."


def test_compare_windows_never_compares_across_a_month_not_supplied():
    table = monthly([5, 6, 7, 8, 9]).assign(asb=[5, None, 7, 8, 9])
    got = compare_windows(table, "asb", pd.Period("2019-05", "M"), 2, 2).iloc[0]
    assert math.isnan(got["ratio"]) and got["note"] == "Not available: 2019-02 not supplied."


def test_compare_windows_checks_its_arguments():
    with pytest.raises(ValueError, match="offset >= window"):
        compare_windows(monthly([1, 2]), "asb", pd.Period("2019-02", "M"), 2, 1)


@pytest.mark.parametrize(
    "observed, position",
    [
        # Six months of 10, level only: mu = 10, var(log mu) = 1/60, so the range is
        # 10 +/- 1.96 * sqrt(10 + 100/60) = 3.31 to 16.69.
        (17, "above"),
        (16, "within"),
        (4, "within"),
        (3, "below"),
    ],
)
def test_expected_range_level_only(observed, position):
    table = monthly([10] * 6 + [observed])
    got = expected_range(table, "asb", pd.Period("2019-07", "M")).iloc[0]
    assert got["expected"] == pytest.approx(10.0)
    assert (got["low"], got["high"]) == pytest.approx((3.305, 16.695), abs=1e-3)
    assert got["position"] == position
    assert got["history_months"] == 6
    assert "not seasonal" in got["model"]


def test_expected_range_is_seasonal_with_two_years():
    # A clean seasonal pattern (double in July): July's expected value follows it.
    season = [20 if m == 7 else 10 for m in range(1, 13)]
    table = monthly(season * 2 + season[:7])
    got = expected_range(table, "asb", pd.Period("2021-07", "M")).iloc[0]
    assert got["expected"] == pytest.approx(20.0, rel=1e-3)
    assert got["position"] == "within"
    assert "month of year" in got["model"]


@pytest.mark.parametrize(
    "counts, position, reason",
    [
        ([5, 5, 5, 5, 5], "not available", "needs 6 supplied months before May 2019, the data have 4"),
        ([0] * 8 + [2], "above", "No records in the 8 months before."),
    ],
)
def test_expected_range_without_usable_history(counts, position, reason):
    table = monthly(counts)
    got = expected_range(table, "asb", table["month"].iloc[-1]).iloc[0]
    assert got["position"] == position
    assert reason in got["model"]


def test_comparison_table_puts_months_in_headers_and_intervals_in_cells():
    table = monthly([10, 10, 5, 5], population=[1000] * 4)
    end = pd.Period("2019-04", "M")
    rates = period_rate(table, "asb", months("2019-01", 4))
    trend = compare_windows(table, "asb", end, 2, 2)
    last_year = compare_windows(table, "asb", end, 2, 12)
    expected = expected_range(table, "asb", end)
    got, notes = comparison_table(rates, trend, last_year, expected, "ASB")
    assert list(got.columns) == [
        "Hub",
        "ASB records",
        "Per 1,000 a month",
        "Mar-Apr 2019 vs Jan-Feb 2019",
        "Mar-Apr 2019 vs Mar-Apr 2018",
        "Apr 2019 (expected)",
    ]
    row = got.iloc[0]
    # 30 records / 4 months / 1,000 residents x 1,000 = 7.50.
    assert row["Per 1,000 a month"].startswith("7.50 (")
    assert row["Mar-Apr 2019 vs Jan-Feb 2019"].startswith("-50% (")
    assert row["Mar-Apr 2019 vs Mar-Apr 2018"] == "not available"
    assert row["Apr 2019 (expected)"] == "not available"
    assert notes == [
        "Not available: 2018-03 to 2018-04 not supplied.",
        "Not available: needs 6 supplied months before Apr 2019, the data have 3.",
    ]


# --------------------------------------------------------------------------- outcomes


def crimes(rows: list[tuple[str, str, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["month", "outcome", "is_asb"]).assign(
        month=lambda d: pd.PeriodIndex(d["month"], freq="M")
    )


def crime_counts(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The crimes' records per ``by``, as crime_outcomes asks for them (ASB has no outcome and is left out)."""
    return FrameRecords(rows.loc[~rows["is_asb"]]).count(by)


def test_outcome_distribution_of_the_crimes_counted_per_outcome():
    rows = crimes(
        [
            ("2019-01", "Under investigation", False),
            ("2019-01", "Local resolution", False),
            ("2019-01", "Local resolution", False),
            ("2019-01", "", False),
            ("2019-01", "", True),
        ]
    )
    got = outcome_distribution(crime_counts(rows, ["outcome"]))
    assert got[["outcome", "crimes"]].values.tolist() == [
        ["Local resolution", 2],
        ["Not recorded", 1],
        ["Under investigation", 1],
    ]
    assert got["share"].tolist() == [0.5, 0.25, 0.25]
    assert got["is_open"].tolist() == [False, False, True]


def test_open_outcomes_flag_only_recent_months_with_many_open():
    rows = []
    for month, n_crimes, n_open in [
        ("2019-01", 10, 0),
        ("2019-02", 10, 2),  # 20% open, but not recent: not flagged
        ("2019-03", 10, 0),
        # Earlier months: 2 of 30 open, so a recent month must be surely above 2 x 6.7% = 13.3%.
        ("2019-04", 10, 9),  # recent, 9/10 open: Wilson lower bound 0.596
        ("2019-05", 100, 3),  # recent, 3%: lower bound 0.010
        ("2019-06", 10, 1),  # recent, 10%: lower bound 0.018
    ]:
        rows += [(month, "Under investigation", False)] * n_open
        rows += [(month, "Local resolution", False)] * (n_crimes - n_open)
    rows += [("2019-06", "", True)] * 50  # ASB has no outcome and is left out
    got = open_outcomes_by_month(crime_counts(crimes(rows), ["month", "outcome"]), pd.Period("2019-06", "M")).set_index(
        "month"
    )
    assert got["crimes"].tolist() == [10, 10, 10, 10, 100, 10]
    assert got["recent"].tolist() == [False, False, False, True, True, True]
    assert got["flagged"].tolist() == [False, False, False, True, False, False]
    assert got.loc[pd.Period("2019-04", "M"), "ci_low"] == pytest.approx(0.5958, abs=1e-4)


def test_open_outcomes_flag_against_twice_the_earlier_share():
    # Earlier months 40% open: a recent 60% (lower bound 0.31) is not above twice that.
    rows = [("2019-01", "Under investigation", False)] * 4 + [("2019-01", "Local resolution", False)] * 6
    rows += [("2019-04", "Awaiting court outcome", False)] * 6 + [("2019-04", "Local resolution", False)] * 4
    got = open_outcomes_by_month(crime_counts(crimes(rows), ["month", "outcome"]), pd.Period("2019-04", "M"))
    assert got["flagged"].tolist() == [False, False]


# --------------------------------------------------------------------------- cases


@pytest.mark.parametrize(
    "durations, closed, median",
    [
        ([10, 20, 30, 40], [True] * 4, 20.0),
        # The case open at 20 days leaves the risk set: S = 0.75 after 10, 0.375 after 30.
        ([10, 20, 30, 40], [True, False, True, True], 30.0),
        ([5, 5, 10], [True, True, False], 5.0),
        ([10, 20, 30, 40], [True, False, False, False], math.nan),
        ([], [], math.nan),
    ],
)
def test_kaplan_meier_median(durations, closed, median):
    got = kaplan_meier_median(durations, closed)
    assert (math.isnan(got) and math.isnan(median)) or got == median


@pytest.fixture
def cases() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": ["C1", "C2", "C3", "C4", "C5"],
            "hub": pd.Categorical(["A", "A", "A", "B", "A"]),
            "opened": pd.to_datetime(["2019-01-05", "2019-01-10", "2019-02-01", "2019-01-20", "2018-12-01"]),
            "closed": pd.to_datetime(["2019-01-15", "2019-03-10", None, "2019-02-19", "2019-01-01"]),
            "issue": pd.Categorical(["ASB", "Noise", "ASB", "ASB", "Noise"]),
            "agencies": ["Police; Council", "Police;Housing; Police", "Police", "Police; Council", "Police"],
            "status": ["closed", "closed", "open", "closed", "closed"],
            "summary": ["private"] * 5,
        }
    )


def test_case_table_state_at_the_end_of_the_period(cases):
    got = case_table(cases, ["A", "B"], pd.Period("2019-01", "M"), pd.Period("2019-02", "M")).set_index("case_id")
    # C5 opened before the period; C2 closed after its end, so it was open at the end.
    assert list(got.index) == ["C1", "C2", "C3", "C4"]
    assert "summary" not in got.columns
    assert got["closed_by_end"].tolist() == [True, False, False, True]
    assert got.loc["C1", "days_to_close"] == 10
    assert got.loc["C4", "days_to_close"] == 30
    # Open cases: days from opening to 28 Feb 2019.
    assert got.loc["C2", "days_open"] == 49
    assert got.loc["C3", "days_open"] == 27


def test_case_summary_per_hub(cases):
    table = case_table(cases, ["A", "B"], pd.Period("2019-01", "M"), pd.Period("2019-02", "M"))
    got = case_summary(table).set_index("hub")
    assert got.loc["A", ["opened", "open", "closed"]].tolist() == [3, 2, 1]
    assert got.loc["A", "median_days_to_close"] == 10
    # Durations 10 (closed), 49 and 27 (open): S falls to 2/3 at 10 and never to 0.5.
    assert math.isnan(got.loc["A", "km_median_days"])
    assert got.loc["B", "km_median_days"] == 30


def test_agency_counts_split_the_list_and_count_an_agency_once_per_case(cases):
    table = case_table(cases, ["A", "B"], pd.Period("2019-01", "M"), pd.Period("2019-02", "M"))
    got = agency_counts(table)
    assert got.values.tolist() == [
        ["A", "Police", 3],
        ["A", "Council", 1],
        ["A", "Housing", 1],
        ["B", "Police", 1],
        ["B", "Council", 1],
    ]


def test_issue_counts_with_open_cases(cases):
    table = case_table(cases, ["A", "B"], pd.Period("2019-01", "M"), pd.Period("2019-02", "M"))
    assert issue_counts(table).values.tolist() == [["A", "ASB", 2, 1], ["A", "Noise", 1, 1], ["B", "ASB", 1, 0]]


# --------------------------------------------------------------------------- figures


def test_figures_name_what_they_show(cases):
    table = monthly([10] * 12 + [30], population=[1000] * 13)
    end = pd.Period("2020-01", "M")
    rates = period_rate(table, "asb", months("2019-01", 13))
    trend = compare_windows(table, "asb", end, 3, 3)
    last_year = compare_windows(table, "asb", end, 1, 12)
    expected = expected_range(table, "asb", end)

    rate = rate_figure(rates, "ASB", True)
    assert rate.layout.xaxis.title.text == "ASB per 1,000 residents a month"
    # 150 records / 13 months / 1,000 residents x 1,000.
    assert rate.data[0].x[0] == pytest.approx(150 / 13)

    change = change_figure(trend, last_year)
    # Jan 2020 (30) against Jan 2019 (10): +200%.
    assert change.data[1].x[0] == pytest.approx(200.0)
    assert "Jan 2020 vs Jan 2019" in change.layout.annotations[1].text

    expected_fig = expected_range_figure(expected, "ASB")
    assert list(expected_fig.data[2].text) == ["above"]

    cases_table = case_table(cases, ["A", "B"], pd.Period("2019-01", "M"), pd.Period("2019-02", "M"))
    status = case_status_figure(case_summary(cases_table))
    assert [t.name for t in status.data] == ["Closed", "Open"]
    assert list(status.data[1].text) == ["2 open", ""]
    assert len(days_to_close_figure(cases_table).data) == 2
    assert list(agency_figure(agency_counts(cases_table)).data[0].y) == ["Housing", "Council", "Police"]
    assert list(issue_figure(issue_counts(cases_table)).data[1].x) == [1, 1]


def test_outcome_figure_groups_rare_outcomes_but_keeps_open_ones():
    distribution = pd.DataFrame(
        {
            "outcome": [
                "Local resolution",
                "Offender fined",
                "Awaiting court outcome",
                "Offender deprived of property",
            ],
            "crimes": [980, 10, 5, 5],
        }
    ).assign(share=lambda d: d["crimes"] / 1000, is_open=[False, False, True, False])
    figure = outcome_figure(distribution)
    labels = list(figure.data[0].y)[::-1]
    assert labels == [
        "Local resolution",
        "Offender fined",
        "Awaiting court outcome (open)",
        "Other outcomes (1 kind, each under 1%)",
    ]
    assert np.asarray(figure.data[0].x)[::-1][-1] == pytest.approx(0.5)


def test_open_share_figure_marks_flagged_months():
    by_month = pd.DataFrame(
        {
            "month": months("2019-01", 3),
            "crimes": [10, 10, 10],
            "open": [0, 0, 9],
            "share": [0.0, 0.0, 0.9],
            "ci_low": [0.0, 0.0, 0.6],
            "ci_high": [0.3, 0.3, 0.98],
            "recent": [False, False, True],
            "flagged": [False, False, True],
        }
    )
    figure = open_share_figure(by_month)
    assert list(figure.data[1].text) == ["still open"]
    assert figure.layout.yaxis.title.text == "Crimes still open, %"
