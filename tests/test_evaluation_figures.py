"""Tests for analysis.figures.evaluation: the event study, one hub's before-and-after chart and launch marks."""

from __future__ import annotations

import pickle

import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.figures.evaluation import before_after_figure, before_after_summary, event_study_figure, mark_dates
from analysis.stats.evaluation.results import EventStudyPoint

POINTS = [
    EventStudyPoint(-3, 4.0, -10.0, 20.0),
    EventStudyPoint(-2, -2.0, -15.0, 12.0),
    EventStudyPoint(-1, 0.0, None, None, reference=True),
    EventStudyPoint(0, -12.0, -25.0, 1.0),
    EventStudyPoint(1, -20.0, -30.0, -8.0),
]


def test_event_study_figure_draws_each_month_with_its_interval():
    figure = event_study_figure(POINTS, title="Event study")
    before, after, reference = figure.data
    assert before.name == "Before launch (95% CI)" and list(before.x) == [-3, -2]
    assert list(before.error_y.array) == pytest.approx([16.0, 14.0])  # up to the interval's high end
    assert list(before.error_y.arrayminus) == pytest.approx([14.0, 13.0])
    assert after.name == "From launch onward (95% CI)" and list(after.y) == [-12.0, -20.0]
    assert {before.marker.symbol, after.marker.symbol, reference.marker.symbol} == {"circle", "diamond", "square-open"}
    assert list(reference.x) == [-1] and list(reference.y) == [0.0]
    assert ("line", -0.5) in {(s.type, s.x0) for s in figure.layout.shapes}  # the launch, between -1 and 0


def test_before_after_figure_draws_recorded_expected_and_band():
    series = pd.DataFrame(
        {
            "month": pd.period_range("2018-01", periods=4, freq="M"),
            "observed": [10.0, 12.0, 8.0, 7.0],
            "counterfactual": [10.0, 11.0, 11.0, 11.0],
            "cf_low": [8.0, 9.0, 9.0, 9.0],
            "cf_high": [12.0, 13.0, 13.0, 13.0],
        }
    )
    figure = before_after_figure(series, hub="Carlisle", launched=pd.Timestamp("2018-03-01"))
    names = [t.name for t in figure.data]
    assert names == [
        "95% range of the expectation",
        "Expected without the launch (trend and season before it)",
        "Recorded ASB",
    ]
    assert list(figure.data[2].y) == [10.0, 12.0, 8.0, 7.0]
    assert [a.text for a in figure.layout.annotations] == ["Carlisle hub launched (Mar 2018)"]


def test_before_after_summary_counts_months_against_the_expectation():
    series = pd.DataFrame(
        {
            "month": pd.period_range("2019-01", periods=4, freq="M"),
            "observed": [10, 12, 6, 15],
            "counterfactual": [10, 12, 11, 11],
            "cf_low": [8, 9, 8, 8],
            "cf_high": [12, 15, 14, 14],
            "after_launch": [False, False, True, True],
        }
    )
    text = before_after_summary(series)
    assert "11 a month in the 2 months before the launch and 10.5 a month in the 2 months from it" in text
    assert "below the expectation in 1 of 2 months, below its 95% range in 1 and above it in 1." in text


def test_mark_dates_labels_each_date_on_alternate_sides():
    figure = mark_dates(go.Figure(), [(pd.Timestamp("2019-06-01"), "B"), (pd.Timestamp("2018-01-01"), "A")])
    assert [a.text for a in figure.layout.annotations] == ["A", "B"]
    assert [a.xanchor for a in figure.layout.annotations] == ["right", "left"]


def test_figures_survive_the_cache():
    """The page caches the event study figure (st.cache_data pickles it)."""
    figure = pickle.loads(pickle.dumps(event_study_figure(POINTS)))
    assert len(figure.data) == 3
