"""Months not supplied: every run shaded, labels spaced so they never pile onto each other."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.shared import shade_gaps


def _months(*spans: tuple[str, str]) -> list[pd.Period]:
    return [m for first, last in spans for m in pd.period_range(first, last, freq="M")]


def _figure(first: str, last: str) -> go.Figure:
    x = pd.period_range(first, last, freq="M").to_timestamp()
    return go.Figure(go.Scatter(x=x, y=[1] * len(x)))


def test_every_run_is_shaded_and_close_runs_share_one_label():
    # cumbria12's ASB: runs of 23, 6, 6 and 51 months over a 98-month chart
    gaps = _months(("2016-04", "2018-02"), ("2018-04", "2018-09"), ("2019-03", "2019-08"), ("2019-10", "2023-12"))
    figure = shade_gaps(_figure("2016-03", "2024-04"), gaps)
    assert len(figure.layout.shapes) == 4
    assert {a.text for a in figure.layout.annotations} == {"not supplied"}  # no unlabelled run's "new text"
    labels = [a.x for a in figure.layout.annotations]
    assert len(labels) == 2  # 2016-04, then 2019-10 (42 months on); 2018-04 and 2019-03 are too close
    assert pd.Timestamp(labels[1]) > pd.Timestamp("2019-09-01")


def test_runs_far_apart_are_each_labelled_and_single_months_are_not():
    gaps = _months(("2019-02", "2019-04"), ("2020-01", "2020-01"), ("2021-01", "2021-06"))
    figure = shade_gaps(_figure("2019-01", "2021-12"), gaps)
    assert len(figure.layout.shapes) == 3
    assert [a.text for a in figure.layout.annotations] == ["not supplied"] * 2


def test_a_figure_without_dates_still_shades():
    figure = shade_gaps(go.Figure(go.Bar(x=["A", "B"], y=[1, 2])), _months(("2020-01", "2020-03")))
    assert len(figure.layout.shapes) == 1 and len(figure.layout.annotations) == 1
