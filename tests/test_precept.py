"""Tests for analysis.measures.precept: what the Precept outcomes page shows, without Streamlit."""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import pandas as pd
import pytest

from analysis.load.dataset import load_dataset
from analysis.measures import precept
from analysis.stats.evaluation.words import plain_english
from analysis.text.changes import percent_words
from tests.conftest import SAMPLE_DIR


@dataclass(frozen=True)
class Choices:
    hubs: tuple[str, ...]
    start: pd.Period
    end: pd.Period

    @property
    def months(self) -> pd.PeriodIndex:
        return pd.period_range(self.start, self.end, freq="M")

    @property
    def period_label(self) -> str:
        return f"{self.start:%b %Y} to {self.end:%b %Y}"


WORKFORCE = pd.DataFrame(
    {
        "as_at_date": pd.to_datetime(["2018-03-31", "2018-09-30", "2019-03-31", "2019-09-30"]),
        "worker_type": ["pcsos"] * 4,
        "fte": [96.0, 97.0, 94.0, 96.0],
    }
)
PLEDGES = pd.DataFrame(
    {
        "pledge": ["PCSOs at 95"],
        "worker_type": ["pcsos"],
        "target": [95],
        "kind": ["level"],
        "from_date": pd.to_datetime(["2018-04-01"]),
    }
)


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE_DIR)


@pytest.fixture(scope="module")
def evaluation(sample):
    from analysis.cli import run_evaluation

    return run_evaluation(sample)


def test_pledge_card_says_the_latest_result_and_its_record():
    view = precept.pledge_view(PLEDGES, WORKFORCE, pd.Timestamp("2018-06-01"))
    [card] = view.cards
    assert (card.pledge, card.state, card.badge) == ("PCSOs at 95", "met", "Met at 30 Sep 2019")
    assert (card.icon, card.colour) == (":material/check_circle:", "green")
    assert card.history == "Met at 2 of the 3 published dates since 1 Apr 2018."
    assert view.error is None and view.chart.file_name == "pledges_and_headcount.csv"
    assert view.chart.table["Published FTE"].tolist() == [96.0, 97.0, 94.0, 96.0]


def test_pledge_card_not_met_everywhere_and_unassessable():
    low = WORKFORCE.assign(fte=[90.0, 91.0, 92.0, 93.0])
    [card] = precept.pledge_view(PLEDGES, low, None).cards
    assert (card.state, card.colour) == ("not met", "red")
    assert card.history == "Not met at any of the 3 published dates since 1 Apr 2018."
    early = WORKFORCE.iloc[:1]  # nothing published since the pledge started
    [card] = precept.pledge_view(PLEDGES, early, None).cards
    assert (card.state, card.badge, card.history) == ("unknown", "Cannot be assessed yet", None)


def test_pledges_that_cannot_be_assessed_say_why():
    view = precept.pledge_view(PLEDGES.drop(columns="kind"), WORKFORCE, None)
    assert view.cards == () and view.chart is None
    assert view.error.startswith("The pledges could not be assessed. ")


def test_patrol_view_totals_the_chosen_hubs_and_period(sample):
    choices = Choices(("Carlisle", "Eden"), pd.Period("2019-01", "M"), pd.Period("2019-06", "M"))
    view = precept.patrol_view(sample.table("resourcing.csv"), choices, None)
    assert set(view.by_hub["hub"]) == {"Carlisle", "Eden"}
    monthly = view.chart.table
    assert set(monthly["Month"]) == {f"{m:%b %Y}" for m in choices.months}
    totals = monthly.groupby("Hub")["Precept patrol hours"].sum()
    assert totals.to_dict() == pytest.approx(view.by_hub.set_index("hub")["precept_patrol_hours"].to_dict(), abs=1)
    share = view.by_hub["precept_patrol_hours"] / view.by_hub["patrol_hours"] * 100
    assert view.by_hub["precept_share_of_patrol_pct"].tolist() == pytest.approx(share.round(1).tolist())
    none = precept.patrol_view(sample.table("resourcing.csv"), Choices(("Atlantis",), choices.start, choices.end), None)
    assert none.chart is None and none.by_hub.empty


def test_recorded_asb_counts_only_asb_in_hubs(sample):
    choices = Choices(("Carlisle", "Unassigned"), pd.Period("2019-01", "M"), pd.Period("2019-03", "M"))
    chart = precept.recorded_asb_chart(sample, choices, pd.Timestamp("2019-02-01"))
    incidents = sample.incidents
    jan = incidents[(incidents["hub"] == "Carlisle") & incidents["is_asb"] & (incidents["month"] == choices.start)]
    assert chart.table["Hub"].unique().tolist() == ["Carlisle"]
    assert chart.table.set_index("Month").loc["Jan 2019", "ASB incidents"] == len(jan)
    assert [a.text for a in chart.figure.layout.annotations] == ["First hub launch (Feb 2019)"]


def test_evaluation_view_names_the_headline_checks_and_tables(evaluation, sample):
    view = precept.evaluation_view(evaluation, tuple(sample.hubs["hub"]))
    words = plain_english(evaluation)
    assert view.words == words
    assert view.checks == words.alternatives + (words.placebo,)
    o = evaluation.overall
    assert view.change == percent_words(o.effect_pct)
    assert view.months == f"{pd.Period(o.first_month, 'M'):%b %Y} to {pd.Period(o.last_month, 'M'):%b %Y}"
    assert view.method == f"**Method.** {o.method}." and view.assumptions.count("\n- ") == len(o.assumptions) - 1
    assert list(view.hubs_table.columns[:4]) == ["hub", "launched", "change", "interval"]
    assert view.hubs_table["change"].tolist() == [percent_words(h.effect_pct) for h in evaluation.hubs]
    assert set(view.placebo_table["result"]) <= {"warning", "no change, as expected", "not checked"}
    assert view.hub_choices == tuple(h.hub for h in evaluation.hubs if h.series is not None)
    assert precept.evaluation_view(evaluation, ("Eden",)).hub_choices == ("Eden",)
    pickle.dumps(view)  # the page caches it


def test_event_study_chart_has_every_month_and_its_reading(evaluation, sample):
    chart = precept.evaluation_view(evaluation, ()).event_study
    table = chart.table
    assert table["Months from launch"].tolist() == [p.relative_month for p in evaluation.event_study]
    reference = table[table["Months from launch"] == -1]
    assert reference["Reading"].tolist() == ["reference (set to 0)"]
    for point, reading in zip(evaluation.event_study, table["Reading"], strict=True):
        if not point.reference:
            lower, higher = point.ci_high_pct < 0, point.ci_low_pct > 0
            assert reading == ("lower" if lower else "higher" if higher else "includes no change")
    assert chart.summary.startswith("Change in ASB in the launching hubs")
    assert chart.figure.layout.title.text == "Event study: ASB month by month around each launch"


def test_hub_chart_summary_and_table(evaluation):
    hub = next(h for h in evaluation.hubs if h.series is not None)
    chart = precept.hub_chart(evaluation, hub.hub)
    assert chart.summary.startswith(f"{hub.hub}: {percent_words(hub.effect_pct)} after launch")
    assert set(chart.table["Launch"]) == {"before", "after"}
    assert (chart.table["Launch"] == "after").sum() == hub.months_after
    assert chart.file_name == f"asb_before_after_{hub.hub.lower().replace(' ', '_')}.csv"
