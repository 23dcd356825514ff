"""Plotly figures shared by the pages and the briefing pack. No streamlit here.

Figures are built from small, already-aggregated tables: aggregate before plotting.
Lines carry markers of different shapes as well as colours, so no meaning rests on
colour alone.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

__all__ = ["MARKERS", "PALETTE", "trend_figure"]

#: Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
MARKERS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down")


def trend_figure(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str | None,
    y_title: str,
    title: str | None = None,
    hover_format: str = ",.0f",
) -> go.Figure:
    """A line per series over months, each with its own marker shape.

    Parameters
    ----------
    table : pandas.DataFrame
        Long table; ``x`` may hold periods (converted to month starts).
    x, y : str
        Columns for the axes.
    series : str or None
        Column naming each line, or None for a single line.
    y_title : str
        The y-axis title, with its unit.
    title : str, optional
        The chart title.
    hover_format : str
        d3 format of the values on hover.
    """
    figure = go.Figure()
    groups = table.groupby(series, sort=False, observed=True) if series else [(y_title, table)]
    for i, (name, part) in enumerate(groups):
        xs = part[x].dt.to_timestamp() if isinstance(part[x].dtype, pd.PeriodDtype) else part[x]
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=part[y],
                name=str(name),
                mode="lines+markers",
                line={"color": PALETTE[i % len(PALETTE)], "width": 2.5},
                marker={"symbol": MARKERS[i % len(MARKERS)], "size": 8},
                hovertemplate=f"%{{x|%b %Y}}: %{{y:{hover_format}}}<extra>{name}</extra>",
            )
        )
    figure.update_layout(
        title=title,
        yaxis_title=y_title,
        xaxis_title=None,
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 10, "r": 10, "t": 90 if title else 40, "b": 10},
    )
    months = table[x].nunique() if len(table) else 0
    # Short series: one tick a month, otherwise plotly repeats month labels between points.
    figure.update_xaxes(tickformat="%b %Y", dtick="M1" if 0 < months <= 13 else None)
    figure.update_yaxes(rangemode="tozero")
    return figure
