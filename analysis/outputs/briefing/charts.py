"""The briefing's figures in projector style: large dark type on white, shapes as well as colour."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.shared import MARKERS, PALETTE, gap_marks
from analysis.figures.style import figure_from, merged

__all__ = ["bar_chart", "change_chart", "dumbbell", "trend_chart"]

_FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
_INK = "#111111"
_GRID = "#C8C8C8"


#: Every axis of a briefing chart.
_AXIS = {
    "showgrid": True,
    "gridcolor": _GRID,
    "showline": True,
    "linecolor": _INK,
    "zeroline": False,
    "tickfont": {"size": 22, "color": _INK},
    "automargin": True,
}


def _layout(
    *, x_title: str | None = None, y_title: str | None = None, x: dict | None = None, y: dict | None = None, **layout
) -> dict:
    """Projector style as a layout dict: large dark type on white, light grid, no chart title (the screen has one).

    ``x`` and ``y`` are added to the axes' settings, ``layout`` to the rest (merged, as ``update_layout`` does).
    """
    style = {
        "template": "none",  # "plotly_white" costs a deep copy per figure; the style is set here instead
        "font": {"family": _FONT, "size": 22, "color": _INK},
        "paper_bgcolor": "#FFFFFF",
        "plot_bgcolor": "#FFFFFF",
        "margin": {"l": 10, "r": 30, "t": 20, "b": 10},
        "hoverlabel": {"font": {"size": 22}},
        "showlegend": False,
        "xaxis": {**({"title": {"text": x_title}} if x_title else {}), **_AXIS},
        "yaxis": {**({"title": {"text": y_title}} if y_title else {}), **_AXIS},
    }
    return merged(style, {**layout, "xaxis": x or {}, "yaxis": y or {}})


def _band(x0: pd.Timestamp, x1: pd.Timestamp, colour: str) -> dict:
    """A shaded band across the plot from ``x0`` to ``x1``, below the data (what ``add_vrect`` adds)."""
    return {
        "type": "rect",
        "x0": x0,
        "x1": x1,
        "xref": "x",
        "y0": 0,
        "y1": 1,
        "yref": "y domain",
        "fillcolor": colour,
        "line": {"width": 0},
        "layer": "below",
    }


def _label(x: object, text: str, **placing: object) -> dict:
    """Text above the plot at ``x`` (what ``add_annotation`` adds)."""
    return (
        {"x": x, "y": 1, "yref": "paper", "yanchor": "bottom", "text": text, "showarrow": False}
        | placing
        | {"font": {"size": 22, "color": _INK}}
    )


def trend_chart(monthly: pd.DataFrame, start: pd.Period, not_supplied: Sequence[pd.Period] = ()) -> go.Figure:
    """ASB a month as a line with markers; the briefing period (from ``start``) shaded and labelled.

    Months ``not_supplied`` are shaded and labelled "not supplied" as on every other page's
    trend, so a gap in the line never reads as a fall to zero.
    """
    xs = monthly["month"].dt.to_timestamp()
    line = {
        "type": "scatter",
        "x": xs,
        "y": monthly["asb"],
        "mode": "lines+markers",
        "line": {"color": PALETTE[0], "width": 4},
        "marker": {"symbol": MARKERS[0], "size": 11},
        "hovertemplate": "%{x|%b %Y}: %{y:,.0f} ASB incidents<extra></extra>",
    }
    marks = {}
    if monthly["month"].min() < start:
        # The briefing period is marked by a shaded band and a label, not by colour alone.
        begin = start.to_timestamp() - pd.Timedelta(days=15)
        marks = {
            "shapes": [_band(begin, monthly["month"].max().to_timestamp() + pd.Timedelta(days=15), "#E8E8E8")],
            "annotations": [_label(begin, "this period (shaded)", xanchor="left")],
        }
    if not_supplied:
        drawn = [monthly["month"].min(), monthly["month"].max()] if len(monthly) else []
        shapes, annotations = gap_marks(not_supplied, drawn, font_size=20)
        marks = {
            "shapes": [*marks.get("shapes", []), *shapes],
            "annotations": [*marks.get("annotations", []), *annotations],
        }
    layout = _layout(
        y_title="ASB incidents a month",
        x={"tickformat": "%b %Y", "nticks": 8},
        y={"rangemode": "tozero", "tickformat": ","},
        margin={"t": 45},
        **marks,
    )
    return figure_from([line], layout)


_VERDICT_SYMBOL = {"lower": "triangle-down", "higher": "triangle-up", "no clear change": "circle"}


def change_chart(changes: pd.DataFrame) -> go.Figure:
    """A point per hub at the estimated change, its 95% interval, and the verdict in words at the interval's end."""
    rows = changes.iloc[::-1]
    pct, low, high = (rows["ratio"] - 1) * 100, (rows["low"] - 1) * 100, (rows["high"] - 1) * 100
    span = max(float(high.max()), 0.0) - min(float(low.min()), 0.0)
    points = {
        "type": "scatter",
        "x": pct,
        "y": rows["hub"],
        "mode": "markers",
        "marker": {
            "symbol": [_VERDICT_SYMBOL[v] for v in rows["verdict"]],
            "size": 22,
            "color": PALETTE[0],
            "line": {"color": _INK, "width": 1.5},
        },
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": high - pct,
            "arrayminus": pct - low,
            "color": _INK,
            "thickness": 3,
            "width": 10,
        },
        "customdata": rows["range"],
        "hovertemplate": "%{y}: %{customdata}<extra></extra>",
    }
    verdicts = {
        "type": "scatter",
        "x": high + span * 0.03,
        "y": rows["hub"],
        "mode": "text",
        "text": rows["verdict"],
        "textposition": "middle right",
        "textfont": {"size": 22, "color": _INK},
        "hoverinfo": "skip",
    }
    no_change = {"type": "line", "x0": 0, "x1": 0, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}
    layout = _layout(
        x_title="Change from a year before (%), with 95% interval",
        x={
            "ticksuffix": "%",
            "zeroline": False,
            "range": [min(float(low.min()), 0.0) - span * 0.05, max(float(high.max()), 0.0) + span * 0.4],
        },
        y={"showgrid": False, "range": [-0.6, len(rows) - 0.4]},
        margin={"t": 40},
        shapes=[no_change | {"line": {"color": _INK, "width": 2, "dash": "dash"}}],
        annotations=[_label(0, "no change")],
    )
    return figure_from([points, verdicts], layout)


def bar_chart(
    labels: list[str],
    values: list[float | None],
    texts: list[str],
    *,
    x_title: str,
    pattern: str = "",
) -> go.Figure:
    """Horizontal bars, largest at the top, each labelled with its value (or why it is hidden)."""
    numeric = [0 if v is None or pd.isna(v) else v for v in values]
    bars = {
        "type": "bar",
        "x": numeric[::-1],
        "y": labels[::-1],
        "orientation": "h",
        "marker": {"color": PALETTE[0], "line": {"color": _INK, "width": 1}, "pattern": {"shape": pattern}},
        "text": texts[::-1],
        "textposition": "outside",
        "textfont": {"size": 22, "color": _INK},
        "constraintext": "none",
        "cliponaxis": False,
        "hovertemplate": "%{y}: %{text}<extra></extra>",
    }
    layout = _layout(
        x_title=x_title, x={"rangemode": "tozero", "tickformat": ","}, y={"showgrid": False}, margin={"r": 140}
    )
    return figure_from([bars], layout)


def dumbbell(labels: list[str], before: list[float], this: list[float], *, period: str, x_title: str) -> go.Figure:
    """Per label, a hollow circle a year before joined to a filled diamond this period, the latter labelled.

    Shapes, not colours, tell the two years apart; the legend names them.
    """
    rows, before_r, this_r = labels[::-1], before[::-1], this[::-1]
    sides = ["middle right" if b >= a else "middle left" for a, b in zip(before_r, this_r, strict=True)]
    traces = [
        {
            "type": "scatter",
            "x": [a, b],
            "y": [label, label],
            "mode": "lines",
            "line": {"color": _GRID, "width": 6},
            "hoverinfo": "skip",
            "showlegend": False,
        }
        for label, a, b in zip(rows, before_r, this_r, strict=True)
    ]
    traces.append(
        {
            "type": "scatter",
            "x": before_r,
            "y": rows,
            "name": "a year before (hollow circle)",
            "mode": "markers",
            "marker": {"symbol": "circle-open", "size": 22, "color": PALETTE[1], "line": {"width": 4}},
            "hovertemplate": "%{y}, a year before: %{x:,.0f}<extra></extra>",
        }
    )
    traces.append(
        {
            "type": "scatter",
            "x": this_r,
            "y": rows,
            "name": f"{period} (filled diamond)",
            "mode": "markers+text",
            "marker": {"symbol": "diamond", "size": 22, "color": PALETTE[0], "line": {"color": _INK, "width": 1.5}},
            "text": [f"{v:,.0f}" for v in this_r],
            "textposition": sides,
            "textfont": {"size": 22, "color": _INK},
            "hovertemplate": f"%{{y}}, {period}: %{{x:,.0f}}<extra></extra>",
        }
    )
    high = max([*before, *this, 1])
    layout = _layout(
        x_title=x_title,
        x={"rangemode": "tozero", "tickformat": ",", "range": [0, high * 1.18]},
        y={"showgrid": False, "range": [-0.6, len(rows) - 0.4]},
        showlegend=True,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0, "font": {"size": 22}},
        margin={"r": 40, "t": 50},
    )
    return figure_from(traces, layout)
