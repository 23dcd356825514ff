"""Figures for the launch evaluation (:mod:`analysis.stats.evaluate`). No streamlit here.

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
from analysis.stats.evaluate import Evaluation, EventStudyPoint, HubEstimate

__all__ = ["event_study_figure", "its_figure", "forest_figure"]

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
        The result of :func:`analysis.stats.evaluate.evaluate`, or its event study.
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
                hovertemplate="Month -1: the reference month<extra></extra>",
            )
        )
    figure.add_hline(y=0, line={"color": _GREY, "width": 1})
    figure.add_vline(x=-0.5, line=_LAUNCH_LINE)
    figure.add_annotation(
        x=-0.5, y=1.0, xref="x", yref="paper", text="Launch", showarrow=False, xanchor="left", yanchor="top"
    )
    figure.update_layout(
        title=title,
        xaxis_title="Months relative to launch (0 = launch month)",
        yaxis_title=f"Change in {what} vs the month before launch (%)",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 10, "r": 10, "t": 60 if title else 30, "b": 10},
        hovermode="closest",
    )
    figure.update_xaxes(dtick=1, zeroline=False)
    figure.update_yaxes(ticksuffix="%", zeroline=False)
    return figure


def its_figure(
    evaluation: Evaluation | HubEstimate, hub: str | None = None, *, title: str | None = None, outcome: str = ASB
) -> go.Figure:
    """Observed monthly counts for one hub against the no-launch counterfactual.

    Observed counts are black circles joined by a thin line; the fitted model is a
    solid line; the counterfactual (the same model with the launch step removed)
    is a dashed line with its 95% band, drawn from launch onward where it matters.
    The dashed vertical line marks the launch.

    Parameters
    ----------
    evaluation : Evaluation or HubEstimate
        The result of :func:`analysis.stats.evaluate.evaluate` (then name ``hub``), or one
        hub's estimate.
    hub : str, optional
        The hub to draw, when ``evaluation`` is an Evaluation.
    title : str, optional
        The chart title.
    outcome : str, default ASB
        Only used when ``evaluation`` is a HubEstimate.

    Returns
    -------
    plotly.graph_objects.Figure
        The chart, or a figure with the reason when the hub has no estimate.

    Raises
    ------
    ValueError
        When ``hub`` is missing or not in the evaluation.
    """
    if isinstance(evaluation, Evaluation):
        names = [h.hub for h in evaluation.hubs]
        if hub not in names:
            raise ValueError(f"`hub` must be one of {', '.join(names)}; got {hub!r}.")
        estimate = evaluation.hubs[names.index(hub)]
        outcome = evaluation.outcome
    else:
        estimate = evaluation
    what = _what(outcome)
    if estimate.series is None or estimate.effect_pct is None:
        return _empty(f"{estimate.hub}: no estimate ({estimate.reason or 'not enough data'}).", title)
    series = estimate.series
    months = series["month"].dt.to_timestamp()
    after = series["after_launch"].to_numpy()
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=months[after].tolist() + months[after].tolist()[::-1],
            y=series.loc[after, "cf_high"].tolist() + series.loc[after, "cf_low"].tolist()[::-1],
            fill="toself",
            fillcolor="rgba(0, 114, 178, 0.15)",
            line={"width": 0},
            name="Without launch: 95% range",
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=months[after],
            y=series.loc[after, "counterfactual"],
            name="Expected without launch",
            mode="lines",
            line={"color": _BEFORE, "width": 2.5, "dash": "dash"},
            hovertemplate="%{x|%b %Y}: %{y:,.0f} expected without launch<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=series["fitted"],
            name="Model fit",
            mode="lines",
            line={"color": _AFTER, "width": 2.5},
            hovertemplate="%{x|%b %Y}: %{y:,.0f} fitted<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=series["observed"],
            name=f"Recorded {what}",
            mode="lines+markers",
            line={"color": "#000000", "width": 1},
            marker={"color": "#000000", "symbol": "circle", "size": 7},
            hovertemplate="%{x|%b %Y}: %{y:,.0f} recorded<extra></extra>",
        )
    )
    launch = months[after].iloc[0]
    figure.add_vline(x=launch, line=_LAUNCH_LINE)
    figure.add_annotation(
        x=launch,
        y=1.0,
        xref="x",
        yref="paper",
        text=(
            f"Launch: {estimate.effect_pct:+.0f}% (95% CI {estimate.ci_low_pct:+.0f}% to {estimate.ci_high_pct:+.0f}%)"
        ),
        showarrow=False,
        xanchor="left",
        yanchor="top",
        bgcolor="rgba(255, 255, 255, 0.8)",
    )
    figure.update_layout(
        title=title,
        xaxis_title="Month",
        yaxis_title=f"{what} records per month",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 10, "r": 10, "t": 60 if title else 30, "b": 10},
        hovermode="x unified",
    )
    figure.update_xaxes(tickformat="%b %Y")
    figure.update_yaxes(rangemode="tozero")
    return figure


def forest_figure(evaluation: Evaluation, *, title: str | None = None) -> go.Figure:
    """Every estimate on one axis: headline, other method, hubs and placebo checks.

    Each row is a point with its 95% interval; the row label says what it is and
    the marker shape says which kind (diamond: pooled, circle: one hub, square:
    placebo, hollow when the placebo flags). Rows without an estimate are labelled
    with "no estimate".

    Parameters
    ----------
    evaluation : Evaluation
        The result of :func:`analysis.stats.evaluate.evaluate`.
    title : str, optional
        The chart title.

    Returns
    -------
    plotly.graph_objects.Figure
        A horizontal forest plot of percent changes.
    """
    rows: list[dict[str, object]] = []
    o = evaluation.overall
    rows.append({"label": "Headline: " + o.method.split(" (")[0], "kind": "Pooled", **_ci(o.effect_pct, o)})
    for alt in evaluation.alternatives:
        rows.append({"label": "Also: " + alt.method.split(" (")[0], "kind": "Pooled", **_ci(alt.effect_pct, alt)})
    for h in evaluation.hubs:
        label = h.hub if h.effect_pct is not None else f"{h.hub} (no estimate)"
        rows.append({"label": label, "kind": "Hub", **_ci(h.effect_pct, h)})
    for p in evaluation.placebo:
        label = "Placebo: " + p.name.split(" (")[0] + ("" if p.effect_pct is not None else " (no estimate)")
        kind = "Placebo (flags)" if p.flagged else "Placebo"
        rows.append({"label": label, "kind": kind, **_ci(p.effect_pct, p)})
    table = pd.DataFrame(rows)
    styles = {
        "Pooled": ("diamond", PALETTE[0]),
        "Hub": ("circle", PALETTE[2]),
        "Placebo": ("square", _GREY),
        "Placebo (flags)": ("square-open", PALETTE[5]),
    }
    figure = go.Figure()
    for kind, (symbol, colour) in styles.items():
        part = table[(table["kind"] == kind)]
        if part.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=part["effect"],
                y=part["label"],
                name=kind,
                mode="markers",
                marker={"symbol": symbol, "color": colour, "size": 11, "line": {"color": colour, "width": 2}},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": part["high"] - part["effect"],
                    "arrayminus": part["effect"] - part["low"],
                    "color": colour,
                    "thickness": 2,
                },
                hovertemplate="%{y}: %{x:+.1f}%<extra></extra>",
            )
        )
    figure.add_vline(x=0, line={"color": _GREY, "width": 1})
    figure.update_layout(
        title=title,
        xaxis_title=f"Change in {_what(evaluation.outcome)} at launch (%), with 95% CI",
        yaxis={"categoryorder": "array", "categoryarray": table["label"].tolist()[::-1], "title": None},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 10, "r": 10, "t": 60 if title else 30, "b": 10},
        height=max(320, 34 * len(table) + 120),
    )
    figure.update_xaxes(ticksuffix="%")
    return figure


def _ci(effect: float | None, source: object) -> dict[str, float | None]:
    return {
        "effect": effect,
        "low": getattr(source, "ci_low_pct", None),
        "high": getattr(source, "ci_high_pct", None),
    }
