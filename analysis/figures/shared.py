"""Plotly figures shared by the pages and the briefing pack. No streamlit here.

Figures are built from small, already-aggregated tables: aggregate before plotting.
Lines carry markers of different shapes as well as colours, so no meaning rests on
colour alone.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.load.coverage import NOT_SUPPLIED, Coverage, month_ranges
from analysis.text.a11y import format_x

__all__ = ["MARKERS", "PALETTE", "coverage_strip", "gap_marks", "shade_gaps", "trend_figure"]

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
    not_supplied: list[pd.Period] | tuple[pd.Period, ...] = (),
) -> go.Figure:
    """A line per series over months, each with its own marker shape; months not supplied are shaded gaps.

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
    not_supplied : sequence of Period
        Months never supplied: the lines break there (no point at zero) and a grey band
        labelled "not supplied" covers each run of them.
    """
    groups = table.groupby(series, sort=False, observed=True) if series else [(y_title, table)]
    traces = []
    for i, (name, part) in enumerate(groups):
        xs = part[x].dt.to_timestamp() if isinstance(part[x].dtype, pd.PeriodDtype) else part[x]
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": part[y],
                "name": str(name),
                "mode": "lines+markers",
                "line": {"color": PALETTE[i % len(PALETTE)], "width": 2.5},
                "marker": {"symbol": MARKERS[i % len(MARKERS)], "size": 8},
                "hovertemplate": f"%{{x|%b %Y}}: %{{y:{hover_format}}}<extra>{name}</extra>",
            }
        )
    months = table[x].nunique() if len(table) else 0
    # Short series: one tick a month, otherwise plotly repeats month labels between points.
    xaxis = {"tickformat": "%b %Y"} | ({"dtick": "M1"} if 0 < months <= 13 else {})
    shapes, annotations = gap_marks(not_supplied, _ends([t["x"] for t in traces]))
    layout = {
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
        "xaxis": xaxis,
        "hovermode": "x unified",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "margin": {"l": 10, "r": 10, "t": 90 if title else 40, "b": 10},
    }
    if title is not None:
        layout["title"] = title
    if shapes:
        layout["shapes"] = shapes
    if annotations:
        layout["annotations"] = annotations
    return go.Figure({"data": traces, "layout": layout})


#: A run of months not supplied is labelled only this far (a share of the chart's span) from every other label.
LABEL_SPACING = 0.3


def _months_drawn(figure: go.Figure) -> list[pd.Period]:
    """The first and last month of each trace's x values (none for a trace whose x are not dates)."""
    return _ends([getattr(trace, "x", None) for trace in figure.data])


def _ends(xs: list) -> list[pd.Period]:
    """The first and last month of each of ``xs`` (x values of traces; none for values that are not dates)."""
    ends = []
    for x in xs:
        if x is None or not len(x):
            continue
        try:
            months = pd.PeriodIndex(pd.to_datetime(pd.Index(x)), freq="M")
        except (TypeError, ValueError):
            continue
        ends += [months.min(), months.max()]
    return ends


def _gap_runs(months: list[pd.Period] | tuple[pd.Period, ...], drawn: list[pd.Period]) -> list[tuple[list, bool]]:
    """Each run of months not supplied, and whether it is labelled (see :func:`shade_gaps`)."""
    runs: list[list[pd.Period]] = []
    for month in sorted(set(months)):
        if runs and (month - runs[-1][-1]).n == 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    shown = [r[0] for r in runs] + [r[-1] for r in runs] + drawn
    span = max(1, (max(shown) - min(shown)).n) if shown else 1
    labelled: list[pd.Period] = []
    for run in sorted(runs, key=len, reverse=True):
        if not labelled or (len(run) > 2 and all(abs((run[0] - at).n) >= LABEL_SPACING * span for at in labelled)):
            labelled.append(run[0])
    return [(run, run[0] in labelled) for run in runs]


def _band(run: list[pd.Period]) -> tuple[pd.Timestamp, pd.Timestamp]:
    return run[0].start_time - pd.Timedelta(days=14), run[-1].start_time + pd.Timedelta(days=14)


def gap_marks(
    months: list[pd.Period] | tuple[pd.Period, ...], drawn: list[pd.Period], font_size: int = 12
) -> tuple[list, list]:
    """:func:`shade_gaps`'s bands and labels as plain layout dicts (shapes, annotations), for one-go figures.

    ``drawn``: the first and last month of each trace (where labels may go); ``font_size``: the labels' size.
    """
    shapes, annotations = [], []
    for run, labelled in _gap_runs(months, drawn):
        start, end = _band(run)
        shapes.append(
            {
                "type": "rect",
                "x0": start,
                "x1": end,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "y domain",
                "fillcolor": "#999999",
                "opacity": 0.18,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        if labelled:
            annotations.append(
                {
                    "text": "not supplied",
                    "x": start,
                    "xanchor": "left",
                    "xref": "x",
                    "y": 1,
                    "yanchor": "top",
                    "yref": "y domain",
                    "showarrow": False,
                    "font": {"size": font_size, "color": "#444444"},
                }
            )
    return shapes, annotations


def shade_gaps(figure: go.Figure, months: list[pd.Period] | tuple[pd.Period, ...]) -> go.Figure:
    """Shade each run of months not supplied, so a gap never reads as a fall to zero.

    Every run is shaded. The longest run is labelled "not supplied", then each other run of three
    months or more, longest first, that starts at least :data:`LABEL_SPACING` of the chart's span
    from every label already placed: labels never pile onto each other on a narrow chart.
    """
    for run, labelled in _gap_runs(months, _months_drawn(figure)):
        start, end = _band(run)
        label = (
            {"annotation_text": "not supplied", "annotation_position": "top left"}
            | {"annotation_font": {"size": 12, "color": "#444444"}}
            if labelled
            else {}  # annotation_text=None would draw plotly's own "new text"
        )
        figure.add_vrect(x0=start, x1=end, fillcolor="#999999", opacity=0.18, line_width=0, layer="below", **label)
    return figure


def coverage_strip(coverage: Coverage, start: pd.Period, end: pd.Period) -> tuple[go.Figure, pd.DataFrame, str]:
    """A strip of months, one row per stream: supplied (dark) or not supplied (light, hatched).

    Returns
    -------
    tuple
        ``(figure, table, summary)``: the strip, its table view (month, crime, ASB as
        "supplied" / "not supplied") and a sentence for alt text.
    """
    months = pd.period_range(start, end, freq="M")
    rows = {"Crime": coverage.supplied("crime", None, months), "ASB": coverage.supplied("asb", None, months)}
    z = [row.to_numpy(dtype=float) for row in rows.values()]
    text = [["supplied" if v else NOT_SUPPLIED for v in row] for row in z]
    figure = go.Figure(
        go.Heatmap(
            x=months.to_timestamp(),
            y=[0, 1],
            z=z,
            text=text,
            zmin=0,
            zmax=1,
            colorscale=[[0, "#F2F2F2"], [0.5, "#F2F2F2"], [0.5, "#0072B2"], [1, "#0072B2"]],
            showscale=False,
            xgap=1,
            ygap=4,
            customdata=[[name] * len(months) for name in rows],
            hovertemplate="%{customdata}, %{x|%b %Y}: %{text}<extra></extra>",
        )
    )
    for i, row in enumerate(z):
        gaps = months[row == 0]
        if len(gaps):
            # Hatching as well as colour: "not supplied" must not rest on a pale shade alone.
            figure.add_trace(
                go.Bar(
                    x=gaps.to_timestamp(),
                    y=[1] * len(gaps),
                    base=[i - 0.5] * len(gaps),
                    width=[27 * 24 * 3600 * 1000] * len(gaps),
                    marker={"color": "rgba(0,0,0,0)", "pattern": {"shape": "/", "fgcolor": "#888888", "size": 6}},
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
    figure.update_layout(
        height=150,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        title={"text": "Months supplied (blue) and not supplied (grey, hatched)", "font": {"size": 15}},
        yaxis={"tickfont": {"size": 14}, "range": [-0.5, 1.5], "tickvals": [0, 1], "ticktext": list(rows)},
        xaxis={"tickformat": "%b %Y"},
        bargap=0,
    )
    table = pd.DataFrame(
        {"month": months, **{k: ["supplied" if v else NOT_SUPPLIED for v in r] for k, r in rows.items()}}
    )
    parts = []
    for name, row in rows.items():
        gaps = list(months[~row.to_numpy()])
        parts.append(
            f"{name}: all {len(months)} supplied"
            if not gaps
            else f"{name}: {len(gaps)} not supplied ({month_ranges(gaps)})"
        )
    summary = f"Months supplied, {format_x(start)} to {format_x(end)}. " + "; ".join(parts) + "."
    return figure, table, summary
