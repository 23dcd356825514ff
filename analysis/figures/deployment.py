"""Figures of the Deployment vs ASB page: the timeline, the lagged correlation and an operation's weeks and months.

No streamlit here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.figures.shared import PALETTE
from analysis.figures.style import style_figure

if TYPE_CHECKING:  # only named in annotations: the operations module draws with these figures
    from analysis.measures.deployment.operations import WeekOfAction

__all__ = ["asb_around_figure", "lag_figure", "MAX_NAMED_OPERATIONS", "timeline_figure", "week_of_action_figure"]


_CORE, _PRECEPT, _ASB, _SHADE = PALETTE[0], PALETTE[1], PALETTE[6], "rgba(120, 120, 120, 0.18)"


def _window_styles(operation: str) -> dict[str, tuple[str, str, str]]:
    """Name, colour and hatching of the windows around an operation; ``operation`` is its window's name."""
    return {
        "before": ("Before", PALETTE[4], ""),
        operation: ("Operation", PALETTE[1], "/"),
        "after": ("After", PALETTE[2], ""),
    }


#: With more operations than this, bands are numbered (the page lists the numbers) instead of named.
MAX_NAMED_OPERATIONS = 4


def _operation_shading(operations: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """Grey bands for operations, each labelled at the top (never colour alone).

    Up to ``MAX_NAMED_OPERATIONS`` bands carry the operation's name; more carry
    their number (1 = the earliest) so labels do not pile up. Built as plain layout
    dicts and set once: plotly's ``add_vrect`` re-validates every shape on each
    call, which is slow with many operations.
    """
    shapes, labels = [], []
    numbered = len(operations) > MAX_NAMED_OPERATIONS
    for i, op in enumerate(operations.itertuples(index=False)):
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": op.start,
                "x1": op.end + pd.Timedelta(days=1),
                "y0": 0,
                "y1": 1,
                "fillcolor": _SHADE,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        labels.append(
            {
                "x": op.start,
                "y": 1.0 - 0.075 * (i % 3),
                "xref": "x",
                "yref": "paper",
                "text": str(i + 1) if numbered else str(op.name),
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
                "font": {"size": 12, "color": "#333333"},
                "bgcolor": "rgba(255, 255, 255, 0.75)",
            }
        )
    return shapes, labels


def timeline_figure(
    patrol: pd.DataFrame | None,
    asb: pd.Series,
    *,
    weekly: bool,
    operations: pd.DataFrame | None = None,
    launched: pd.Timestamp | None = None,
    title: str | None = None,
) -> go.Figure:
    """Core and precept patrol hours (stacked) against ASB, with operations shaded.

    Parameters
    ----------
    patrol : pandas.DataFrame or None
        ``week`` (weekly) or ``month`` (monthly), ``core_hours, precept_hours``; None
        when there is no deployment data (the chart then shows ASB alone).
    asb : pandas.Series
        ASB records per month, indexed by month.
    weekly : bool
        Patrol hours by week (ASB still monthly, drawn as steps across each month).
    operations : pandas.DataFrame, optional
        ``name, start, end`` of operations to shade.
    launched : pandas.Timestamp, optional
        The hub's launch date, marked with a labelled line.
    title : str, optional
        The chart title.
    """
    has_patrol = patrol is not None and not patrol.empty
    figure = make_subplots(specs=[[{"secondary_y": has_patrol}]])
    unit = "week" if weekly else "month"
    if has_patrol:
        x = patrol["week"] if weekly else patrol["month"].dt.to_timestamp()
        for column, name, colour in (
            ("core_hours", "Core-funded patrol hours", _CORE),
            ("precept_hours", "Precept-funded patrol hours", _PRECEPT),
        ):
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=patrol[column],
                    name=name,
                    mode="lines",
                    stackgroup="patrol",
                    line={"color": colour, "width": 1},
                    fillcolor=colour,
                    hovertemplate=f"%{{y:,.0f}} hours<extra>{name}</extra>",
                ),
                secondary_y=False,
            )
    months = pd.PeriodIndex(asb.index, freq="M")
    asb_x = months.to_timestamp()
    asb_y = asb.to_numpy(dtype=float)
    if weekly and len(months):
        # A step across each month: police.uk ASB has no day, so no weekly values exist.
        asb_x = asb_x.append(pd.DatetimeIndex([months[-1].end_time.normalize() + pd.Timedelta(days=1)]))
        asb_y = np.append(asb_y, asb_y[-1])
    figure.add_trace(
        go.Scatter(
            x=asb_x,
            y=asb_y,
            name="ASB incidents in the month" if weekly else "ASB incidents",
            mode="lines" if weekly else "lines+markers",
            line={"color": _ASB, "width": 3, "shape": "hv" if weekly else "linear"},
            marker={"symbol": "diamond", "size": 8},
            hovertemplate="%{y:,.0f} ASB in the month<extra></extra>",
        ),
        secondary_y=True if has_patrol else None,
    )
    shapes, labels = _operation_shading(operations) if operations is not None else ([], [])
    if launched is not None and pd.notna(launched):
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": launched,
                "x1": launched,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#333333", "dash": "dash", "width": 2},
            }
        )
        labels.append(
            {
                "x": launched,
                "y": 0.02,
                "xref": "x",
                "yref": "paper",
                "text": "Hub launched",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 13},
                "bgcolor": "rgba(255, 255, 255, 0.75)",
            }
        )
    style_figure(
        figure,
        500,
        title,
        # Short spans get one tick a month: plotly's automatic ticks would repeat month names.
        x={"tickformat": "%b %Y", **({"dtick": "M1"} if len(months) <= 14 else {})},
        y={"title": f"Patrol hours a {unit}" if has_patrol else "ASB a month", "rangemode": "tozero"},
        axes={
            "yaxis2": {
                "title": "ASB a month",
                "showgrid": False,
                "rangemode": "tozero",
                "tickmode": "auto",
                "nticks": 6,
            }
        }
        if has_patrol
        else None,
        hovermode="x unified",
        shapes=shapes,
        annotations=labels,
    )
    return figure


def lag_figure(correlations: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Correlation at each lag with its 95% interval, against a line at zero.

    Parameters
    ----------
    correlations : pandas.DataFrame
        From :func:`lagged_correlation`.
    title : str, optional
        The chart title.
    """
    shown = correlations.dropna(subset=["r"])
    figure = go.Figure(
        go.Scatter(
            x=shown["lag"],
            y=shown["r"],
            mode="markers",
            name="Correlation (95% interval)",
            marker={"size": 12, "color": _CORE, "symbol": "circle"},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": shown["ci_high"] - shown["r"],
                "arrayminus": shown["r"] - shown["ci_low"],
                "thickness": 2,
                "width": 6,
            },
            customdata=np.column_stack([shown["ci_low"], shown["ci_high"], shown["pairs"]]),
            hovertemplate=(
                "Lag %{x} months: r = %{y:.2f} (95% CI %{customdata[0]:.2f} to %{customdata[1]:.2f}), "
                "%{customdata[2]} pairs of months<extra></extra>"
            ),
        )
    )
    style_figure(
        figure,
        400,
        title,
        x={"title": "Lag in months (ASB this many months after patrol hours)", "dtick": 1},
        y={
            "title": "Correlation, r",
            "range": [-1, 1],
            "dtick": 0.25,
            "zeroline": True,
            "zerolinewidth": 2,
            "zerolinecolor": "#333333",
        },
    )
    return figure


def week_of_action_figure(result: WeekOfAction, title: str | None = None) -> go.Figure:
    """Weekly patrol hours before, during and after an operation, with the usual range shaded.

    The operation's weeks are hatched as well as coloured, and every window is
    named in the legend.
    """
    figure = go.Figure()
    styles = _window_styles("operation")
    for window, (name, colour, pattern) in styles.items():
        part = result.weeks.loc[result.weeks["window"] == window]
        if part.empty:
            continue
        figure.add_trace(
            go.Bar(
                x=part["week"],
                y=part["patrol_hours"],
                name=name,
                marker={"color": colour, "pattern": {"shape": pattern, "solidity": 0.4}},
                hovertemplate="Week of %{x|%d %b %Y}: %{y:,.0f} hours<extra>" + name + "</extra>",
            )
        )
    shapes, labels = [], []
    if math.isfinite(result.usual_low):
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": result.usual_low,
                "y1": result.usual_high,
                "fillcolor": "rgba(0, 0, 0, 0.08)",
                "line": {"color": "#555555", "dash": "dot", "width": 1},
                "layer": "above",
            }
        )
        labels.append(
            {
                "xref": "paper",
                "yref": "y",
                "x": 0,
                "y": result.usual_high,
                "text": "Usual range (95%, from the weeks before)",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 13},
                "bgcolor": "rgba(255, 255, 255, 0.8)",
            }
        )
    style_figure(
        figure,
        400,
        title,
        x={"title": "Week (Monday)", "tickformat": "%d %b %Y"},
        y={"title": "Patrol hours a week", "rangemode": "tozero"},
        bargap=0.15,
        shapes=shapes,
        annotations=labels,
    )
    return figure


def asb_around_figure(table: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Monthly ASB around an operation, with exact 95% Poisson intervals; the operation's month hatched."""
    figure = go.Figure()
    styles = _window_styles("operation month")
    for window, (name, colour, pattern) in styles.items():
        part = table.loc[table["window"] == window]
        if part.empty:
            continue
        figure.add_trace(
            go.Bar(
                x=pd.PeriodIndex(part["month"], freq="M").strftime("%b %Y"),
                y=part["asb"],
                name=name,
                marker={"color": colour, "pattern": {"shape": pattern, "solidity": 0.4}},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": part["ci_high"] - part["asb"],
                    "arrayminus": part["asb"] - part["ci_low"],
                    "color": "#333333",
                },
                hovertemplate="%{x}: %{y:,.0f} ASB<extra>" + name + "</extra>",
            )
        )
    style_figure(
        figure,
        400,
        title,
        x={"title": "Month (police.uk ASB is monthly)", "type": "category"},
        y={"title": "ASB a month", "rangemode": "tozero"},
        bargap=0.15,
    )
    return figure
