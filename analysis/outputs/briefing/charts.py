"""The briefing's figures in projector style: large dark type on white, shapes as well as colour."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.shared import MARKERS, PALETTE

__all__ = ["bar_chart", "change_chart", "dumbbell", "trend_chart"]

_FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
_INK = "#111111"
_GRID = "#C8C8C8"


def _style(figure: go.Figure, *, x_title: str | None = None, y_title: str | None = None) -> go.Figure:
    """Projector style: large dark type on white, light grid, no chart title (the screen has one)."""
    figure.update_layout(
        template="none",  # "plotly_white" costs a deep copy per figure; the style is set here instead
        font={"family": _FONT, "size": 22, "color": _INK},
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        margin={"l": 10, "r": 30, "t": 20, "b": 10},
        hoverlabel={"font": {"size": 22}},
        showlegend=False,
    )
    axis = {
        "showgrid": True,
        "gridcolor": _GRID,
        "showline": True,
        "linecolor": _INK,
        "zeroline": False,
        "tickfont": {"size": 22, "color": _INK},
        "automargin": True,
    }
    figure.update_xaxes(title=x_title, **axis)
    figure.update_yaxes(title=y_title, **axis)
    return figure


def trend_chart(monthly: pd.DataFrame, start: pd.Period) -> go.Figure:
    """ASB a month as a line with markers; the briefing period (from ``start``) shaded and labelled."""
    xs = monthly["month"].dt.to_timestamp()
    figure = go.Figure(
        go.Scatter(
            x=xs,
            y=monthly["asb"],
            mode="lines+markers",
            line={"color": PALETTE[0], "width": 4},
            marker={"symbol": MARKERS[0], "size": 11},
            hovertemplate="%{x|%b %Y}: %{y:,.0f} ASB incidents<extra></extra>",
        )
    )
    if monthly["month"].min() < start:
        # The briefing period is marked by a shaded band and a label, not by colour alone.
        figure.add_vrect(
            x0=start.to_timestamp() - pd.Timedelta(days=15),
            x1=monthly["month"].max().to_timestamp() + pd.Timedelta(days=15),
            fillcolor="#E8E8E8",
            line_width=0,
            layer="below",
        )
        figure.add_annotation(
            x=start.to_timestamp() - pd.Timedelta(days=15),
            y=1,
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            text="this period (shaded)",
            showarrow=False,
            font={"size": 22, "color": _INK},
        )
    _style(figure, y_title="ASB incidents a month")
    figure.update_layout(margin={"t": 45})
    figure.update_xaxes(tickformat="%b %Y", nticks=8)
    figure.update_yaxes(rangemode="tozero", tickformat=",")
    return figure


_VERDICT_SYMBOL = {"lower": "triangle-down", "higher": "triangle-up", "no clear change": "circle"}


def change_chart(changes: pd.DataFrame) -> go.Figure:
    """A point per hub at the estimated change, its 95% interval, and the verdict in words at the interval's end."""
    rows = changes.iloc[::-1]
    pct, low, high = (rows["ratio"] - 1) * 100, (rows["low"] - 1) * 100, (rows["high"] - 1) * 100
    span = max(float(high.max()), 0.0) - min(float(low.min()), 0.0)
    figure = go.Figure(
        go.Scatter(
            x=pct,
            y=rows["hub"],
            mode="markers",
            marker={
                "symbol": [_VERDICT_SYMBOL[v] for v in rows["verdict"]],
                "size": 22,
                "color": PALETTE[0],
                "line": {"color": _INK, "width": 1.5},
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": high - pct,
                "arrayminus": pct - low,
                "color": _INK,
                "thickness": 3,
                "width": 10,
            },
            customdata=rows["range"],
            hovertemplate="%{y}: %{customdata}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=high + span * 0.03,
            y=rows["hub"],
            mode="text",
            text=rows["verdict"],
            textposition="middle right",
            textfont={"size": 22, "color": _INK},
            hoverinfo="skip",
        )
    )
    figure.add_vline(x=0, line={"color": _INK, "width": 2, "dash": "dash"})
    figure.add_annotation(
        x=0, y=1, yref="paper", yanchor="bottom", text="no change", showarrow=False, font={"size": 22, "color": _INK}
    )
    _style(figure, x_title="Change from a year before (%), with 95% interval")
    figure.update_layout(margin={"t": 40})
    figure.update_yaxes(showgrid=False, range=[-0.6, len(rows) - 0.4])
    figure.update_xaxes(
        ticksuffix="%",
        zeroline=False,
        range=[min(float(low.min()), 0.0) - span * 0.05, max(float(high.max()), 0.0) + span * 0.4],
    )
    return figure


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
    figure = go.Figure(
        go.Bar(
            x=numeric[::-1],
            y=labels[::-1],
            orientation="h",
            marker={"color": PALETTE[0], "line": {"color": _INK, "width": 1}, "pattern": {"shape": pattern}},
            text=texts[::-1],
            textposition="outside",
            textfont={"size": 22, "color": _INK},
            constraintext="none",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    _style(figure, x_title=x_title)
    figure.update_layout(margin={"r": 140})
    figure.update_yaxes(showgrid=False)
    figure.update_xaxes(rangemode="tozero", tickformat=",")
    return figure


def dumbbell(labels: list[str], before: list[float], this: list[float], *, period: str, x_title: str) -> go.Figure:
    """Per label, a hollow circle a year before joined to a filled diamond this period, the latter labelled.

    Shapes, not colours, tell the two years apart; the legend names them.
    """
    rows, before_r, this_r = labels[::-1], before[::-1], this[::-1]
    figure = go.Figure()
    for label, a, b in zip(rows, before_r, this_r, strict=True):
        figure.add_trace(
            go.Scatter(x=[a, b], y=[label, label], mode="lines", line={"color": _GRID, "width": 6}, hoverinfo="skip")
        )
    figure.add_trace(
        go.Scatter(
            x=before_r,
            y=rows,
            name="a year before (hollow circle)",
            mode="markers",
            marker={"symbol": "circle-open", "size": 22, "color": PALETTE[1], "line": {"width": 4}},
            hovertemplate="%{y}, a year before: %{x:,.0f}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=this_r,
            y=rows,
            name=f"{period} (filled diamond)",
            mode="markers+text",
            marker={"symbol": "diamond", "size": 22, "color": PALETTE[0], "line": {"color": _INK, "width": 1.5}},
            text=[f"{v:,.0f}" for v in this_r],
            textposition=["middle right" if b >= a else "middle left" for a, b in zip(before_r, this_r, strict=True)],
            textfont={"size": 22, "color": _INK},
            hovertemplate=f"%{{y}}, {period}: %{{x:,.0f}}<extra></extra>",
        )
    )
    _style(figure, x_title=x_title)
    for trace in figure.data[: len(rows)]:
        trace.showlegend = False
    figure.update_layout(
        showlegend=True,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0, "font": {"size": 22}},
        margin={"r": 40, "t": 50},
    )
    figure.update_yaxes(showgrid=False, range=[-0.6, len(rows) - 0.4])
    high = max([*before, *this, 1])
    figure.update_xaxes(rangemode="tozero", tickformat=",", range=[0, high * 1.18])
    return figure
