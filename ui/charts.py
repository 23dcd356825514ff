"""Charts every reader can use: each one with a summary in words and a table view.

``chart_with_table`` is the one way pages draw a chart: the plotly figure (with the
summary as its alt text), the summary as a caption, and an expander holding the
numbers behind it as a table, with a CSV download. Build the summary with
:func:`analysis.text.a11y.chart_summary` and the table with :func:`analysis.text.a11y.table_view`.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui.common import csv_download

__all__ = ["chart_with_table", "plain", "table_expander"]

#: Characters Streamlit's Markdown gives a meaning to (``$`` starts LaTeX, ``:`` an icon or emoji).
_MARKDOWN = set("\\`*_{}[]()#+-.!|~<>$:")


def plain(text: object) -> str:
    r"""Text from data made safe for Markdown elements: every character with a meaning is escaped.

    Examples
    --------
    >>> plain("Eden [north] *1* $5")
    'Eden \\[north\\] \\*1\\* \\$5'
    """
    return "".join(f"\\{c}" if c in _MARKDOWN else c for c in str(text))


def table_expander(
    table: pd.DataFrame,
    key: str,
    *,
    summary: str | None = None,
    file_name: str | None = None,
    label: str = "Table view",
) -> None:
    """The numbers behind a chart, in a closed expander (with the summary first when given)."""
    with st.expander(label, icon=":material/table:", key=f"{key}_expander"):
        if summary:
            st.markdown(plain(summary))
        st.dataframe(table, hide_index=True, key=f"{key}_table", width="stretch")
        if file_name:
            csv_download(table, "Download this table (CSV)", file_name, key=f"{key}_csv")


def chart_with_table(
    figure: go.Figure,
    table: pd.DataFrame,
    summary: str,
    key: str,
    *,
    file_name: str | None = None,
    height: int | Literal["content", "stretch"] = "content",
    theme: Literal["streamlit"] | None = "streamlit",
    config: dict | None = None,
    caption: bool = True,
    **plotly_options: object,
) -> object:
    """Draw a chart with its summary in words and a table view of its numbers.

    Parameters
    ----------
    figure : plotly Figure
        Built from an already-aggregated table.
    table : pandas.DataFrame
        The numbers the chart draws, ready to read (see ``analysis.text.a11y.table_view``).
    summary : str
        The chart in words (``analysis.text.a11y.chart_summary``): alt text and caption (shown as plain text).
    key : str
        Stable, unique on the page; the chart, table and download keys derive from it.
    file_name : str, optional
        Offer the table as a CSV download under this name.
    height, theme, config
        Passed to ``st.plotly_chart``.
    caption : bool
        Show the summary as a caption under the chart (else first thing in the table view).
    **plotly_options
        Anything else ``st.plotly_chart`` takes, e.g. ``on_select="rerun"`` and ``selection_mode``.

    Returns
    -------
    object
        What ``st.plotly_chart`` returns: the selection state when ``on_select`` is set.
    """
    event = st.plotly_chart(
        figure, key=f"{key}_chart", alt=summary, height=height, theme=theme, config=config or {}, **plotly_options
    )
    if caption:
        st.caption(plain(summary))
    table_expander(table, key, summary=None if caption else summary, file_name=file_name)
    return event
