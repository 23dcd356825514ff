"""A chart as a page shows it: the figure, its numbers as a table, and its summary in words.

A page draws one with ``ui.charts.chart_with_table(chart.figure, chart.table, chart.summary, key=chart.key,
file_name=chart.file_name)``. No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

__all__ = ["Chart"]


@dataclass(frozen=True)
class Chart:
    """One chart: ``figure`` drawn from ``table``'s numbers, described by ``summary`` (its alt text and caption).

    ``key`` names its widgets on the page; ``file_name`` is the name of its table's download (None: no download).
    """

    figure: go.Figure
    table: pd.DataFrame
    summary: str
    key: str
    file_name: str | None = None
