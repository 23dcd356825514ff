"""Figures of the Hub performance page: rates, changes, expected ranges, outcomes and cases. No streamlit here.

Each is drawn from the small aggregated table its measure returns (see :mod:`analysis.measures.performance`).
"""

from __future__ import annotations

import copy
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.figures.shared import PALETTE
from analysis.figures.style import figure_from, interval_dict, merged, style_layout, styled
from analysis.measures.performance.rates import rate_points

__all__ = [
    "agency_figure",
    "case_status_figure",
    "change_figure",
    "days_to_close_figure",
    "expected_range_figure",
    "issue_figure",
    "open_share_figure",
    "outcome_figure",
    "rate_figure",
]


def rate_figure(rates: pd.DataFrame, what: str, per_1000: bool, title: str | None = None) -> go.Figure:
    """Each hub's rate per 1,000 residents a month (or its count) with the 95% interval.

    Parameters
    ----------
    rates : pandas.DataFrame
        From :func:`period_rate`.
    what : str
        What is counted ("ASB incidents", "crimes").
    per_1000 : bool
        Rates (True) or counts with their intervals (False, without population).
    title : str, optional
        The chart title.
    """
    ordered = rate_points(rates, per_1000)
    x, low, high = ordered["value"], ordered["low"], ordered["high"]
    axis = f"{what} per 1,000 residents a month" if per_1000 else f"{what} in the period (no population: counts)"
    trace = interval_dict(
        ordered["hub"],
        x,
        low,
        high,
        name="Estimate (95% interval)",
        marker={"size": 13, "color": PALETTE[0], "symbol": "diamond"},
        hovertemplate="%{y}: %{x:,.2f}<extra></extra>",
    )
    layout = style_layout(
        120 + 45 * len(ordered),
        title,
        legend=False,
        x={"title": axis, "rangemode": "tozero"},
        y={"type": "category"},
    )
    return figure_from([trace], merged({}, layout))


def _trace(kind: str, **properties: object) -> dict:
    """A plain trace dict (``type`` and properties) for :func:`styled`, which validates it once in the figure.

    A ``go.Bar(...)`` object there would be validated twice: when made and again in the figure.
    """
    return {"type": kind, **properties}


@cache
def _two_panels() -> dict:
    """The layout plotly's ``make_subplots`` gives two panels side by side sharing the y axis (titles to replace)."""
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=["left", "right"], horizontal_spacing=0.06)
    layout = figure.layout.to_plotly_json()
    layout.pop("template", None)
    return layout


def change_figure(trend: pd.DataFrame, last_year: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Percent change with 95% intervals, per hub: recent trend and against last year, side by side.

    Parameters
    ----------
    trend, last_year : pandas.DataFrame
        From :func:`compare_windows`.
    title : str, optional
        The chart title.
    """
    panels = [(trend, "Recent trend"), (last_year, "Against the same months last year")]
    subtitles = []
    for frame, name in panels:
        spans = frame.dropna(subset=["ratio"])
        subtitles.append(
            f"{name}<br><span style='font-size:13px'>{spans['recent'].iloc[0]} vs {spans['baseline'].iloc[0]}</span>"
            if len(spans)
            else f"{name}<br><span style='font-size:13px'>not available for these months</span>"
        )
    base = copy.deepcopy(_two_panels())
    traces = []
    for col, ((frame, name), symbol) in enumerate(zip(panels, ("circle", "square"), strict=True), start=1):
        shown = frame.loc[np.isfinite(frame["ratio"]) & np.isfinite(frame["ci_high"])]
        pct = (shown["ratio"] - 1) * 100
        trace = interval_dict(
            shown["hub"],
            pct,
            (shown["ci_low"] - 1) * 100,
            (shown["ci_high"] - 1) * 100,
            name=name,
            marker={"size": 12, "color": PALETTE[col - 1], "symbol": symbol},
            hovertemplate="%{y}: %{x:+.0f}%<extra>" + name + "</extra>",
        )
        traces.append(trace | {"xaxis": "x" if col == 1 else f"x{col}", "yaxis": "y" if col == 1 else f"y{col}"})
    hubs = list(dict.fromkeys(list(trend["hub"]) + list(last_year["hub"])))
    annotations = [
        a | {"text": text, "font": {"size": 15}} for a, text in zip(base["annotations"], subtitles, strict=True)
    ]
    present = [k for k in base if k.startswith(("xaxis", "yaxis"))]
    layout = style_layout(
        160 + 45 * len(hubs),
        title,
        legend=False,
        x={
            "title": "Change, % (95% interval)",
            "ticksuffix": "%",
            "zeroline": True,
            "zerolinewidth": 2,
            "zerolinecolor": "#333333",
        },
        y={"type": "category", "categoryorder": "array", "categoryarray": hubs[::-1]},
        present=present,
        annotations=annotations,
    )
    return figure_from(traces, merged(base, layout))


def expected_range_figure(expected: pd.DataFrame, what: str, title: str | None = None) -> go.Figure:
    """The latest month per hub against its expected range; "above"/"below" written beside it.

    Parameters
    ----------
    expected : pandas.DataFrame
        From :func:`expected_range`.
    what : str
        What is counted ("ASB incidents", "crimes").
    title : str, optional
        The chart title.
    """
    shown = expected.loc[expected["position"] != "not available"]
    traces = [
        {
            "type": "bar",
            "y": shown["hub"],
            "x": shown["high"] - shown["low"],
            "base": shown["low"],
            "orientation": "h",
            "name": "Expected range (95%)",
            "marker": {"color": "rgba(86, 180, 233, 0.35)", "line": {"color": PALETTE[4], "width": 1}},
            "width": 0.5,
            "hovertemplate": "%{y}: expected %{base:,.0f} to %{x:,.0f} wide<extra></extra>",
        },
        {
            "type": "scatter",
            "y": shown["hub"],
            "x": shown["expected"],
            "mode": "markers",
            "name": "Expected",
            "marker": {
                "symbol": "line-ns-open",
                "size": 22,
                "color": "#333333",
                "line": {"width": 3, "color": "#333333"},
            },
            "hovertemplate": "%{y}: expected %{x:,.0f}<extra></extra>",
        },
        {
            "type": "scatter",
            "y": shown["hub"],
            "x": shown["observed"],
            "mode": "markers+text",
            "name": "Latest month",
            "text": [p if p != "within" else "" for p in shown["position"]],
            "textposition": "middle right",
            "textfont": {"size": 14},
            "marker": {"symbol": "diamond", "size": 14, "color": PALETTE[5]},
            "hovertemplate": "%{y}: %{x:,.0f} (%{text})<extra>Latest month</extra>",
        },
    ]
    month = shown["month"].iloc[0].strftime("%b %Y") if len(shown) else ""
    layout = style_layout(
        150 + 45 * max(len(shown), 1),
        title,
        x={"title": f"{what} in {month}".strip(), "rangemode": "tozero"},
        y={"type": "category"},
    )
    return figure_from(traces, merged({}, layout))


def outcome_figure(distribution: pd.DataFrame, title: str | None = None, min_share: float = 0.01) -> go.Figure:
    """Share of crimes by last outcome; still-open outcomes hatched and marked "(open)".

    Parameters
    ----------
    distribution : pandas.DataFrame
        From :func:`outcome_distribution`.
    title : str, optional
        The chart title.
    min_share : float
        Outcomes below this share (and not open) are drawn as one "Other outcomes" bar.
    """
    keep = (distribution["share"] >= min_share) | distribution["is_open"]
    rest = distribution.loc[~keep]
    shown = distribution.loc[keep]
    if len(rest):
        other = pd.DataFrame(
            {
                "outcome": [
                    f"Other outcomes ({len(rest)} kind{'s' if len(rest) != 1 else ''}, each under {min_share:.0%})"
                ],
                "crimes": [rest["crimes"].sum()],
                "share": [rest["share"].sum()],
                "is_open": [False],
            }
        )
        shown = pd.concat([shown, other], ignore_index=True)
    ordered = shown.iloc[::-1]
    labels = [
        f"{o} (open)" if is_open else o for o, is_open in zip(ordered["outcome"], ordered["is_open"], strict=True)
    ]
    # A plain trace dict: the figure validates it once (a go.Bar here would be validated twice).
    bars = {
        "type": "bar",
        "y": labels,
        "x": ordered["share"] * 100,
        "orientation": "h",
        "name": "Share of crimes",
        "marker": {
            "color": [PALETTE[1] if o else PALETTE[0] for o in ordered["is_open"]],
            "pattern": {"shape": ["/" if o else "" for o in ordered["is_open"]], "solidity": 0.4},
        },
        "customdata": ordered["crimes"],
        "hovertemplate": "%{y}: %{x:.1f}% (%{customdata:,} crimes)<extra></extra>",
    }
    return styled(
        [bars],
        140 + 26 * len(ordered),
        title,
        legend=False,
        x={"title": "Share of crimes, %", "ticksuffix": "%", "rangemode": "tozero"},
        y={"tickfont": {"size": 13}},
    )


def open_share_figure(by_month: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Share of crimes still open by month, with 95% intervals; flagged months labelled "still open".

    Parameters
    ----------
    by_month : pandas.DataFrame
        From :func:`open_outcomes_by_month`.
    title : str, optional
        The chart title.
    """
    x = pd.PeriodIndex(by_month["month"], freq="M").to_timestamp()
    share, low, high = by_month["share"] * 100, by_month["ci_low"] * 100, by_month["ci_high"] * 100
    traces = [  # plain trace dicts, validated once by the figure
        {
            "type": "scatter",
            "x": x,
            "y": share,
            "mode": "lines+markers",
            "name": "Open share (95% interval)",
            "line": {"color": PALETTE[0], "width": 2.5},
            "marker": {"size": 7},
            "error_y": {"type": "data", "symmetric": False, "array": high - share, "arrayminus": share - low},
            "hovertemplate": "%{x|%b %Y}: %{y:.1f}% still open<extra></extra>",
        }
    ]
    flagged = by_month["flagged"].to_numpy(bool)
    if flagged.any():
        traces.append(
            {
                "type": "scatter",
                "x": x[flagged],
                "y": share[flagged],
                "mode": "markers+text",
                "name": "Recent: outcomes still open",
                "text": ["still open"] * int(flagged.sum()),
                "textposition": "middle left",
                "marker": {"symbol": "star", "size": 16, "color": PALETTE[5]},
                "hoverinfo": "skip",
            }
        )
    return styled(
        traces,
        380,
        title,
        x={"tickformat": "%b %Y"},
        y={"title": "Crimes still open, %", "ticksuffix": "%", "rangemode": "tozero"},
    )


def case_status_figure(summary: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Cases per hub, closed and still open at the period's end (stacked; open hatched).

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`case_summary`.
    title : str, optional
        The chart title.
    """
    traces = []
    for column, name, colour, pattern in (
        ("closed", "Closed", PALETTE[2], ""),
        ("open", "Open", PALETTE[1], "/"),
    ):
        traces.append(
            _trace(
                "bar",
                x=summary["hub"],
                y=summary[column],
                name=name,
                marker={"color": colour, "pattern": {"shape": pattern, "solidity": 0.4}},
                text=[f"{v} {name.lower()}" if v else "" for v in summary[column]],
                textposition="outside" if column == "open" else "inside",
                textangle=0,
                cliponaxis=False,
                hovertemplate="%{x}: %{y} " + name.lower() + "<extra></extra>",
            )
        )
    return styled(traces, 380, title, y={"title": "Cases opened in the period"}, barmode="stack")


def days_to_close_figure(table: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Days to close per hub (closed cases): a box with every case as a point.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`case_table`.
    title : str, optional
        The chart title.
    """
    closed = table.loc[table["closed_by_end"]]
    traces = []
    for i, (hub, part) in enumerate(closed.groupby("hub", sort=False)):
        traces.append(
            _trace(
                "box",
                x=[hub] * len(part),
                y=part["days_to_close"],
                name=hub,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"size": 5, "color": PALETTE[i % len(PALETTE)], "opacity": 0.6},
                line={"color": "#333333"},
                fillcolor="rgba(0, 0, 0, 0.05)",
                hovertemplate="%{y} days<extra>" + hub + "</extra>",
            )
        )
    y = {"title": "Days from opening to closing", "rangemode": "tozero"}
    return styled(traces, 400, title, legend=False, y=y)


def agency_figure(agencies: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Cases each agency is involved in (all chosen hubs together).

    Parameters
    ----------
    agencies : pandas.DataFrame
        From :func:`agency_counts`.
    title : str, optional
        The chart title.
    """
    totals = agencies.groupby("agency", sort=False)["cases"].sum().sort_values()
    bars = _trace(
        "bar",
        y=totals.index,
        x=totals.to_numpy(),
        orientation="h",
        marker={"color": PALETTE[0]},
        text=totals.to_numpy(),
        textposition="outside",
        hovertemplate="%{y}: %{x} cases<extra></extra>",
    )
    return styled(
        [bars],
        140 + 34 * len(totals),
        title,
        legend=False,
        x={"title": "Cases the agency is involved in", "rangemode": "tozero"},
    )


def issue_figure(issues: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Cases by issue type (all chosen hubs together), closed and open stacked.

    Parameters
    ----------
    issues : pandas.DataFrame
        From :func:`issue_counts`.
    title : str, optional
        The chart title.
    """
    totals = issues.groupby("issue", sort=False)[["cases", "open"]].sum().sort_values("cases")
    traces = []
    for values, name, colour, pattern in (
        (totals["cases"] - totals["open"], "Closed", PALETTE[2], ""),
        (totals["open"], "Open", PALETTE[1], "/"),
    ):
        traces.append(
            _trace(
                "bar",
                y=totals.index,
                x=values,
                orientation="h",
                name=name,
                marker={"color": colour, "pattern": {"shape": pattern, "solidity": 0.4}},
                hovertemplate="%{y}: %{x} " + name.lower() + "<extra></extra>",
            )
        )
    return styled(
        traces,
        160 + 34 * len(totals),
        title,
        x={"title": "Cases opened in the period", "rangemode": "tozero"},
        barmode="stack",
    )
