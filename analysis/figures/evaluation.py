"""Figures for the launch evaluation (:mod:`analysis.stats.evaluation`). No streamlit here.

The event study (months around launch), one hub's recorded ASB against the expectation
without its launch, and the launch-date marks other charts carry.

Every figure shows its uncertainty (error bars or a shaded band) and carries its
meaning in marker shape, line style and text as well as colour, so nothing rests
on colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.shared import PALETTE
from analysis.schema import ASB
from analysis.stats.evaluation.results import Evaluation, EventStudyPoint
from analysis.text.a11y import format_x

__all__ = ["before_after_figure", "before_after_summary", "event_study_figure", "mark_dates"]

_BEFORE = PALETTE[0]  # blue
_AFTER = PALETTE[5]  # vermillion
_GREY = "#555555"
_LAUNCH_LINE = {"color": "#000000", "width": 1.5, "dash": "dash"}


def _what(outcome: str) -> str:
    return "ASB" if outcome == ASB else outcome


def _empty(message: str, title: str | None) -> go.Figure:
    figure = go.Figure()
    figure.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 16})
    figure.update_layout(title=title, xaxis={"visible": False}, yaxis={"visible": False}, height=300)
    return figure


def event_study_figure(
    evaluation: Evaluation | Sequence[EventStudyPoint], *, title: str | None = None, outcome: str = ASB
) -> go.Figure:
    """Change month by month around launch, with 95% confidence intervals.

    Months before launch are blue circles, months from launch onward vermillion
    diamonds; the reference month (-1) is a hollow square at zero. A horizontal
    line marks no change and a dashed vertical line the launch.

    Parameters
    ----------
    evaluation : Evaluation or sequence of EventStudyPoint
        The result of :func:`analysis.stats.evaluation.evaluate.evaluate`, or its event study.
    title : str, optional
        The chart title.
    outcome : str, default ASB
        Only used when ``evaluation`` is a list of points.

    Returns
    -------
    plotly.graph_objects.Figure
        The chart, or a figure with a message when there is no event study.
    """
    if isinstance(evaluation, Evaluation):
        points, outcome = list(evaluation.event_study), evaluation.outcome
        reason = evaluation.event_study_reason
    else:
        points, reason = list(evaluation), None
    what = _what(outcome)
    if not points:
        return _empty(f"No event study: {reason or 'not enough data.'}", title)
    table = pd.DataFrame([p.to_dict() for p in points])
    figure = go.Figure()
    for name, part, colour, symbol in (
        ("Before launch", table[(table["relative_month"] < 0) & ~table["reference"]], _BEFORE, "circle"),
        ("From launch onward", table[table["relative_month"] >= 0], _AFTER, "diamond"),
    ):
        if part.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=part["relative_month"],
                y=part["effect_pct"],
                name=f"{name} (95% CI)",
                mode="markers",
                marker={"color": colour, "symbol": symbol, "size": 11, "line": {"color": "#000000", "width": 1}},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": part["ci_high_pct"] - part["effect_pct"],
                    "arrayminus": part["effect_pct"] - part["ci_low_pct"],
                    "color": colour,
                    "thickness": 2,
                    "width": 6,
                },
                customdata=part[["ci_low_pct", "ci_high_pct"]].to_numpy(),
                hovertemplate=(
                    "Month %{x} from launch: %{y:+.1f}%<br>95% CI %{customdata[0]:+.1f}% "
                    "to %{customdata[1]:+.1f}%<extra></extra>"
                ),
            )
        )
    reference = table[table["reference"]]
    if not reference.empty:
        figure.add_trace(
            go.Scatter(
                x=reference["relative_month"],
                y=reference["effect_pct"],
                name="Reference month (set to 0)",
                mode="markers+text",
                marker={"color": _GREY, "symbol": "square-open", "size": 12, "line": {"color": _GREY, "width": 2}},
                text=["reference"],
                textposition="bottom center",
                textfont={"size": 14},
                hovertemplate="Month -1: the reference month<extra></extra>",
            )
        )
    figure.add_hline(y=0, line={"color": _GREY, "width": 1})
    figure.add_vline(x=-0.5, line=_LAUNCH_LINE)
    figure.add_annotation(
        x=-0.5,
        y=1.0,
        xref="x",
        yref="paper",
        text="Launch",
        showarrow=False,
        xanchor="left",
        yanchor="top",
        font={"size": 15},
    )
    # Sized for a projector: large text, the legend under the axis, clear of the title.
    figure.update_layout(
        title=title,
        font={"size": 15},
        xaxis_title="Months from launch (0 = launch month)",
        yaxis_title=f"{what} vs the month before launch (%)",
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0, "font": {"size": 15}},
        margin={"l": 10, "r": 10, "t": 60 if title else 30, "b": 10},
        hovermode="closest",
        height=480,
    )
    figure.update_xaxes(dtick=1, zeroline=False, tickfont={"size": 15}, title_font={"size": 16})
    figure.update_yaxes(ticksuffix="%", zeroline=False, tickfont={"size": 15}, title_font={"size": 16})
    return figure


def mark_dates(figure: go.Figure, marks: list[tuple[pd.Timestamp, str]]) -> go.Figure:
    """Draw a dotted vertical line with a text label at each date (labels alternate sides so they do not overlap)."""
    marks = sorted(marks, key=lambda m: m[0])
    for i, (when, text) in enumerate(marks):
        figure.add_vline(x=pd.Timestamp(when), line={"color": "#555555", "width": 1, "dash": "dot"})
        figure.add_annotation(
            x=pd.Timestamp(when),
            y=1.0,
            yref="paper",
            text=text,
            showarrow=False,
            xanchor="left" if (len(marks) - 1 - i) % 2 == 0 else "right",
            yanchor="top",
            font={"size": 12, "color": "#333333"},
            bgcolor="rgba(255,255,255,0.8)",
        )
    return figure


def before_after_figure(
    series: pd.DataFrame, *, hub: str, launched: pd.Timestamp | None, what: str = "ASB"
) -> go.Figure:
    """Recorded ASB in one hub against what the model expects without the launch, with its 95% band.

    Parameters
    ----------
    series : pandas.DataFrame
        ``month`` (Period or datetime), ``observed``, ``counterfactual``, ``cf_low``,
        ``cf_high`` (from :class:`analysis.stats.evaluation.results.HubEstimate`'s ``series``).
    hub : str
        The hub's name, for the title.
    launched : Timestamp, optional
        The launch date to mark.
    what : str
        The outcome's short name.
    """
    months = series["month"].dt.to_timestamp() if isinstance(series["month"].dtype, pd.PeriodDtype) else series["month"]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=list(months) + list(months[::-1]),
            y=list(series["cf_high"]) + list(series["cf_low"][::-1]),
            fill="toself",
            fillcolor="rgba(213,94,0,0.15)",
            line={"width": 0},
            hoverinfo="skip",
            name="95% range of the expectation",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=series["counterfactual"],
            mode="lines",
            line={"color": PALETTE[5], "width": 2, "dash": "dash"},
            name="Expected without the launch (trend and season before it)",
            hovertemplate="%{x|%b %Y}: expected %{y:,.0f}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=series["observed"],
            mode="lines+markers",
            line={"color": PALETTE[0], "width": 2.5},
            marker={"symbol": "circle", "size": 6},
            name=f"Recorded {what}",
            hovertemplate="%{x|%b %Y}: recorded %{y:,.0f}<extra></extra>",
        )
    )
    if launched is not None and pd.notna(launched):
        mark_dates(figure, [(pd.Timestamp(launched), f"{hub} hub launched ({pd.Timestamp(launched):%b %Y})")])
    figure.update_layout(
        title=f"{hub}: recorded {what} a month against the expectation without the launch",
        yaxis_title=f"{what} incidents a month",
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        height=440,
    )
    figure.update_xaxes(tickformat="%b %Y")
    figure.update_yaxes(rangemode="tozero")
    return figure


def before_after_summary(series: pd.DataFrame, what: str = "ASB") -> str:
    """:func:`before_after_figure` in words: recorded against expected, before and from the launch.

    Parameters
    ----------
    series : pandas.DataFrame
        ``month, observed, counterfactual, cf_low, cf_high, after_launch``.
    what : str
        The outcome's short name.

    Examples
    --------
    >>> s = pd.DataFrame({"month": pd.period_range("2019-01", periods=4, freq="M"), "observed": [10, 12, 6, 9],
    ...                   "counterfactual": [10, 12, 11, 11], "cf_low": [8, 9, 8, 8], "cf_high": [12, 15, 14, 14],
    ...                   "after_launch": [False, False, True, True]})
    >>> print(before_after_summary(s))
    Recorded ASB averaged 11 a month in the 2 months before the launch and 7.5 a month in the 2 months from it \
(Mar 2019 to Apr 2019), against 11 a month expected without the launch. From the launch, recorded ASB was below \
the expectation in 2 of 2 months, below its 95% range in 1 and above it in 0.
    """
    after = series["after_launch"].astype("bool")
    before_rows, after_rows = series.loc[~after], series.loc[after]
    if after_rows.empty:
        return f"Recorded {what} a month; no months after the launch yet."

    def avg(values: pd.Series) -> str:
        return f"{values.mean():,.1f}".removesuffix(".0")

    span = f"{format_x(after_rows['month'].iloc[0])} to {format_x(after_rows['month'].iloc[-1])}"
    text = f"Recorded {what} averaged "
    if len(before_rows):
        text += f"{avg(before_rows['observed'])} a month in the {len(before_rows)} months before the launch and "
    text += (
        f"{avg(after_rows['observed'])} a month in the {len(after_rows)} months from it ({span}), against "
        f"{avg(after_rows['counterfactual'])} a month expected without the launch."
    )
    observed = after_rows["observed"]
    below = int((observed < after_rows["counterfactual"]).sum())
    under = int((observed < after_rows["cf_low"]).sum())
    over = int((observed > after_rows["cf_high"]).sum())
    return (
        f"{text} From the launch, recorded {what} was below the expectation in {below} of {len(after_rows)} months, "
        f"below its 95% range in {under} and above it in {over}."
    )
