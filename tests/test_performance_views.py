"""What the Hub performance page shows, worked out without Streamlit: scope, hub comparison, outcomes, cases."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.load.dataset import load_dataset
from analysis.load.records import FrameRecords
from analysis.measures.performance.cases import case_report
from analysis.measures.performance.comparison import comparison_view, hub_comparison
from analysis.measures.performance.outcomes import crime_outcomes
from analysis.measures.performance.rates import hub_months
from analysis.measures.performance.scope import scope
from analysis.schema import ASB, CRIME_TYPES, OPEN_OUTCOMES, UNASSIGNED
from tests.conftest import REAL_DIR, SAMPLE_DIR, need_shared, store_only

M = pd.Period


def months(start: str, n: int) -> pd.PeriodIndex:
    return pd.period_range(start, periods=n, freq="M")


# --------------------------------------------------------------------------- scope


def incidents(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["month", "hub", "crime_type"])
    return frame.assign(month=pd.PeriodIndex(frame["month"], freq="M"))


def test_scope_counts_only_the_chosen_records_in_no_hub():
    rows = incidents(
        [
            ("2020-01", "A", ASB),
            ("2020-01", UNASSIGNED, ASB),
            ("2020-01", UNASSIGNED, "Drugs"),  # type not chosen
            ("2020-03", UNASSIGNED, ASB),  # outside the months
        ]
    )
    chosen = scope(FrameRecords(rows), ("A", UNASSIGNED), (ASB,), M("2020-01", "M"), M("2020-02", "M"))
    assert chosen.hubs == ("A",)
    assert chosen.unplaced == 1
    assert chosen.measures == ["ASB"] and chosen.other_types == []
    assert chosen.caption("Jan 2020 to Feb 2020", "Note.") == (
        "**Jan 2020 to Feb 2020**, 1 hub(s). Crime means the chosen crime types except ASB (0 type(s)). Note. "
        "1 chosen records are not placed in any hub and are left out here."
    )


def test_scope_without_unassigned_leaves_nothing_out():
    rows = incidents([("2020-01", UNASSIGNED, ASB), ("2020-01", "A", "Drugs")])
    chosen = scope(FrameRecords(rows), ("A",), (ASB, "Drugs"), M("2020-01", "M"), M("2020-01", "M"))
    assert chosen.unplaced == 0
    assert chosen.measures == ["ASB", "Crime"]
    assert chosen.caption("P", "N.").endswith("(1 type(s)). N.")


# --------------------------------------------------------------------------- hub comparison


def monthly_counts(n: int, asb: list[int] | None = None) -> pd.DataFrame:
    """Two hubs, n months, ASB and Drugs counts."""
    rows = []
    for hub, scale in (("A", 1), ("B", 2)):
        for i, month in enumerate(months("2019-01", n)):
            rows.append((hub, month, ASB, (asb[i] if asb else 10) * scale))
            rows.append((hub, month, "Drugs", 3))
    return pd.DataFrame(rows, columns=["hub", "month", "crime_type", "count"])


def test_hub_months_adds_residents_or_nan():
    counts = monthly_counts(2)
    residents = pd.DataFrame({"hub": ["A", "A"], "month": months("2019-01", 2), "population": [1000.0, 1000.0]})
    with_people = hub_months(counts, residents, (ASB, "Drugs"))
    assert with_people.loc[with_people["hub"] == "A", "population"].tolist() == [1000.0, 1000.0]
    assert with_people.loc[with_people["hub"] == "B", "population"].isna().all()
    assert with_people["crime"].tolist() == [3, 3, 3, 3]
    without = hub_months(counts, residents.iloc[:0], (ASB,))
    assert without["population"].isna().all() and without["crime"].tolist() == [0, 0, 0, 0]


def test_hub_comparison_uses_history_before_the_period():
    monthly = hub_months(monthly_counts(30, asb=[10] * 29 + [40]), pd.DataFrame(), (ASB,))
    result = hub_comparison(monthly, ("A", "B"), M("2021-04", "M"), M("2021-06", "M"), M("2019-01", "M"), "asb")
    assert result.window == 3
    assert result.rates["count"].tolist() == [60, 120]  # three months of the period only
    assert not result.per_1000
    # the last 3 months (10, 10, 40) against the 3 before (10 a month): a doubling
    assert result.trend["ratio"].tolist() == pytest.approx([2.0, 2.0])
    assert result.trend["recent"].iloc[0] == "Apr-Jun 2021"
    assert result.expected["position"].tolist() == ["above", "above"]


def test_hub_comparison_of_one_month_has_no_trend():
    monthly = hub_months(monthly_counts(1), pd.DataFrame(), (ASB,))
    one = M("2019-01", "M")
    result = hub_comparison(monthly, ("A", "B"), one, one, one, "asb")
    assert result.window == 0
    assert result.trend["note"].tolist() == ["Not available: one month.", "Not available: one month."]
    assert result.trend["ratio"].isna().all()
    view = comparison_view(result, "ASB", "Jan 2019 to Jan 2019 (1 months)", one)
    assert view.expected is None
    assert view.expected_note == "Not available: needs 6 supplied months before Jan 2019, the data have 0."
    assert view.notes.startswith("Not available: one month.")
    assert view.notes.count("Not available:") == 1  # one prefix, the reasons after it
    assert view.rate_tab == "Records"
    assert "(no population.csv here, so the charts compare counts)" in view.method


def test_comparison_view_names_its_charts_and_titles():
    monthly = hub_months(monthly_counts(30), pd.DataFrame(), (ASB, "Drugs"))
    end = M("2021-06", "M")
    result = hub_comparison(monthly, ("A", "B"), M("2021-01", "M"), end, M("2019-01", "M"), "crime")
    view = comparison_view(result, "Crime", "PERIOD", end)
    assert [c.key for c in (view.rate, view.change, view.expected)] == ["perf_rate", "perf_change", "perf_expected"]
    assert view.rate.file_name == "hub_rates.csv"
    assert view.rate.figure.layout.title.text == "Crimes, PERIOD (no population: counts)"
    assert view.expected.figure.layout.title.text == "Crimes in Jun 2021 against the expected range"
    assert view.change.summary.startswith("Crimes, change per hub. Recent trend")
    assert list(view.table.columns)[:2] == ["Hub", "Crime records"]
    assert view.notes is None


# --------------------------------------------------------------------------- outcomes


def test_crime_outcomes_keep_chosen_crimes_and_flag_open_recent_months():
    rows = []
    for month in months("2020-01", 12):
        recent = month >= M("2020-10", "M")
        for i in range(40):
            outcome = "Under investigation" if (recent and i < 30) or i == 0 else "Unable to prosecute"
            rows.append((month, "A", "Drugs", outcome, False))
        rows.append((month, "A", ASB, "", True))
        rows.append((month, "B", "Drugs", "Under investigation", False))  # another hub
    frame = pd.DataFrame(rows, columns=["month", "hub", "crime_type", "outcome", "is_asb"])
    result = crime_outcomes(
        FrameRecords(frame), (ASB, "Drugs"), ("A",), M("2020-01", "M"), M("2020-12", "M"), M("2020-12", "M")
    )
    assert result.distribution["crimes"].sum() == 480
    assert result.by_month["flagged"].tolist() == [False] * 9 + [True] * 3
    assert result.warning.startswith("Outcomes of the latest months are still open: Oct 2020, Nov 2020, Dec 2020 have")
    outcome, open_share = result.charts("PERIOD")
    assert (outcome.key, open_share.key) == ("perf_outcomes", "perf_open")
    assert outcome.figure.layout.title.text == "Last outcome of crimes, PERIOD"
    quiet = crime_outcomes(
        FrameRecords(frame), ("Drugs",), ("A",), M("2020-01", "M"), M("2020-06", "M"), M("2020-12", "M")
    )
    assert quiet.warning is None


# --------------------------------------------------------------------------- cases


def cases() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": ["c1", "c2", "c3", "c4"],
            "hub": ["A", "A", "B", "B"],
            "opened": pd.to_datetime(["2020-01-05", "2020-01-10", "2020-02-01", "2019-06-01"]),
            "closed": pd.to_datetime(["2020-01-15", None, "2020-02-21", "2019-07-01"]),
            "issue": ["Noise", "Noise", "Litter", "Noise"],
            "agencies": ["Police; Council", "Police", "Council", "Police"],
            "status": ["closed", "open", "closed", "closed"],
            "summary": ["secret"] * 4,
        }
    )


def test_case_report_counts_the_period_and_never_keeps_summaries():
    report = case_report(cases(), ["A", "B"], M("2020-01", "M"), M("2020-03", "M"))
    assert (report.overall["opened"], report.overall["open"], report.overall["closed"]) == (3, 1, 2)
    assert report.overall["median_days_to_close"] == 15.0  # 10 and 20 days
    assert report.km_median == "20"
    assert "summary" not in report.table.columns and "agencies" not in report.days.columns
    assert report.per_hub["hub"].tolist() == ["A", "B"]
    assert [c.key for c in report.charts()] == ["perf_cases", "perf_days", "perf_agencies", "perf_issues"]
    caption = report.caption("PERIOD", generated=True)
    assert caption.startswith("Cases opened in PERIOD; open or closed as at the end of the period. Median of closed")
    assert "(middle half 12 to 18)" in caption
    assert "Generated sample data: not real cases. Case summaries are never shown." in caption
    assert "Generated" not in report.caption("PERIOD", generated=False)


def test_case_report_with_most_still_open_has_no_median_yet():
    table = cases().assign(closed=pd.NaT)
    report = case_report(table, ["A"], M("2020-01", "M"), M("2020-03", "M"))
    assert math.isnan(report.overall["km_median_days"])
    assert report.km_median == "not yet known"
    assert case_report(cases(), ["C"], M("2020-01", "M"), M("2020-03", "M")) is None


@pytest.fixture(scope="module", params=["sample", "real"])
def both(request):
    """A dataset with its rows, and the same dataset counted by DuckDB over its store with none."""
    folder = SAMPLE_DIR if request.param == "sample" else need_shared(REAL_DIR / "incidents").parent
    dataset = load_dataset(folder)
    return dataset, store_only(dataset)


@pytest.mark.parametrize(
    "hubs,types,first,last",
    [
        (None, None, 0, -1),
        (("Eden", UNASSIGNED), None, 1, 3),
        (("Carlisle", "Barrow"), (ASB,), 0, -1),
        ((UNASSIGNED, "Copeland"), ("Burglary", "Vehicle crime", ASB), 2, -1),
    ],
)
def test_scope_and_outcomes_are_the_same_counted_by_duckdb_over_the_store(both, hubs, types, first, last):
    dataset, stored = both
    hubs, types = hubs or tuple(dataset.hub_names), types or tuple(CRIME_TYPES)
    start, end, latest = dataset.months[first], dataset.months[last], dataset.months[-1]
    chosen = scope(dataset.records, hubs, types, start, end)
    assert scope(stored.records, hubs, types, start, end) == chosen
    got = crime_outcomes(dataset.records, chosen.crime_types, chosen.hubs, start, end, latest)
    from_store = crime_outcomes(stored.records, chosen.crime_types, chosen.hubs, start, end, latest)
    pd.testing.assert_frame_equal(got.distribution, from_store.distribution, check_exact=True)
    pd.testing.assert_frame_equal(got.by_month, from_store.by_month, check_exact=True)
    assert got.warning == from_store.warning
    for chart, other in zip(got.charts("P"), from_store.charts("P"), strict=True):
        assert chart.figure.to_json() == other.figure.to_json() and chart.summary == other.summary
    # against the rows, counted here
    rows = dataset.incidents
    rows = rows.loc[rows["month"].between(start, end) & rows["crime_type"].isin(types)]
    assert chosen.unplaced == (int((rows["hub"] == UNASSIGNED).sum()) if UNASSIGNED in hubs else 0)
    crimes = rows.loc[rows["hub"].isin(chosen.hubs) & ~rows["is_asb"]]
    assert int(got.distribution["crimes"].sum()) == len(crimes)
    assert got.by_month["open"].sum() == int(crimes["outcome"].isin(OPEN_OUTCOMES).sum())
