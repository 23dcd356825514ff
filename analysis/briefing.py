"""The public briefing: one idea per screen, the same screens on the page and in the PDF pack.

:func:`make_briefing` turns a :class:`~analysis.dataset.Dataset` into screens, each
with one chart (or table), one plain sentence computed from the data, a text summary
and a table view. The Briefing page shows them one at a time; :func:`build_briefing`
writes them as a PDF pack (title page, one page per screen, method page) and a PNG of
each chart for slides. ``python -m analysis briefing DATA_DIR --out FILE.pdf [--public]``
calls :func:`build_briefing`.

Public mode (``public=True``) never reads case texts, applies the disclosure rules of
:mod:`analysis.disclosure` to every count (counts below 10 at hub and LSOA level shown
as "fewer than 10", secondary suppression, LSOA counts rounded to 5) and goes no finer
than an LSOA. Comparisons with a year before carry a 95% interval, never a bare
percent change. Chart images are drawn by kaleido with Debian chromium; the PDF by fpdf2.
No streamlit here.
"""

from __future__ import annotations

import argparse
import io
import logging
import math
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from analysis.a11y import chart_summary, format_x
from analysis.compare import compare_months
from analysis.coverage import NOT_SUPPLIED, Coverage, month_ranges
from analysis.dataset import Dataset, load_dataset
from analysis.disclosure import (
    ROUNDING_BASE,
    SUPPRESSED_LABEL,
    THRESHOLD,
    TOTAL,
    disclose,
    disclose_by_group,
)
from analysis.errors import DataProblem
from analysis.figures import MARKERS, PALETTE
from analysis.maps import is_schematic
from analysis.metrics import hub_population, monthly_patrol
from analysis.schema import UNASSIGNED

__all__ = [
    "CHART_HEIGHT",
    "CHART_WIDTH",
    "GENERATED_NOTE",
    "LOCATION_NOTE",
    "Briefing",
    "BriefingResult",
    "Screen",
    "add_briefing_arguments",
    "briefing_command",
    "briefing_pdf",
    "build_briefing",
    "chart_images",
    "charts_zip",
    "make_briefing",
]

#: Size of chart images for the PDF and for slides (16:9), in pixels.
CHART_WIDTH, CHART_HEIGHT = 1600, 900
#: Charts are laid out at this width and scaled up to CHART_WIDTH, so their type reads from the back of a hall.
_LAYOUT_WIDTH = 1120
#: Said wherever places appear: police.uk points are approximate.
LOCATION_NOTE = (
    "police.uk locations are approximate (moved to a nearby anonymous point, never an address), "
    "so nothing here is finer than a neighbourhood (LSOA)."
)
#: The note on every screen of a generated sample.
GENERATED_NOTE = "Generated sample data: not real."
#: Neighbourhoods on the "where" screen.
TOP_AREAS = 5
#: The Chromium kaleido uses to draw chart images: LOCAL_FOCUS_CHROMIUM when set, else Debian chromium.
CHROMIUM = os.environ.get("LOCAL_FOCUS_CHROMIUM") or "/usr/bin/chromium"

_FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
_INK = "#111111"
_GRID = "#C8C8C8"
_Z = 1.959963984540054


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Screen:
    """One screen of the briefing: one idea.

    Attributes
    ----------
    key : str
        Stable slug, used for file names and widget keys.
    title : str
        The heading.
    sentence : str
        One plain sentence computed from the data.
    summary : str
        What the chart shows, in words (alt text and caption).
    figure : plotly Figure or None
        None for a screen that is a table only.
    table : pandas.DataFrame
        The table view: the numbers behind the chart, public-safe in public mode.
    notes : tuple of str
        Caveats printed under the chart (generated data, suppression, locations).
    """

    key: str
    title: str
    sentence: str
    summary: str
    figure: go.Figure | None
    table: pd.DataFrame
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Briefing:
    """Every screen plus what the title and method pages say."""

    area: str
    start: pd.Period
    end: pd.Period
    last_month: pd.Period
    sources: tuple[str, ...]
    generated: bool
    public: bool
    screens: tuple[Screen, ...]
    method: tuple[str, ...]

    @property
    def months(self) -> int:
        """Months in the briefing period."""
        return (self.end - self.start).n + 1

    @property
    def period_label(self) -> str:
        """E.g. 'January 2020 to December 2020 (12 months)'."""
        return f"{self.start.strftime('%B %Y')} to {self.end.strftime('%B %Y')} ({self.months} months)"

    @property
    def mode_label(self) -> str:
        """Public or internal, in words."""
        if self.public:
            return "Public version: counts below 10 are hidden and small-area counts rounded."
        return "INTERNAL version: exact small numbers. Not for public display."


@dataclass(frozen=True)
class BriefingResult:
    """What :func:`build_briefing` wrote."""

    pdf: Path
    pages: int
    charts: tuple[Path, ...]
    briefing: Briefing = field(repr=False)


# --------------------------------------------------------------------------- figures


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


def _trend_chart(monthly: pd.DataFrame, start: pd.Period) -> go.Figure:
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


def _change_chart(changes: pd.DataFrame) -> go.Figure:
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


def _bar_chart(
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


def _dumbbell(labels: list[str], before: list[float], this: list[float], *, period: str, x_title: str) -> go.Figure:
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


# --------------------------------------------------------------------------- helpers


def _about(value: float) -> str:
    """A number for a sentence: under 1,000 as it is, else to three significant figures (52,340 -> '52,300')."""
    if value < 1000:
        return f"{round(value):,}"
    magnitude = int(math.floor(math.log10(value)))
    return f"{round(value, 2 - magnitude):,.0f}"


def _month_words(month: pd.Period) -> str:
    return month.strftime("%B %Y")


def _count_label(value: int, public: bool) -> str:
    return SUPPRESSED_LABEL if public and value < THRESHOLD else f"{value:,}"


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class _Published:
    """Counts by label (hubs, months) and their total, as the briefing may show them.

    In public mode the numbers go through :func:`~analysis.disclosure.disclose` with
    the total published, so a hidden count cannot be worked out from the rest.
    """

    exact: pd.Series
    hidden: pd.Series
    labels: pd.Series
    total: int
    total_hidden: bool
    total_label: str

    @property
    def shown(self) -> pd.Series:
        """The counts as floats, NaN where hidden."""
        return self.exact.astype("float64").mask(self.hidden)


def _publish(counts: pd.Series, public: bool, *, with_total: bool = True) -> _Published:
    """Counts (hubs or months) with their total; in public mode, disclosed.

    Records placed in no hub describe no area, so their count is never suppressed for
    being small, but it can be withheld to protect a small hub.
    """
    exact = counts.astype("int64")
    total = int(exact.sum())
    if not public:
        labels = exact.map("{:,}".format)
        return _Published(exact, pd.Series(False, index=exact.index), labels, total, False, f"{total:,}")
    exempt = pd.DataFrame({"n": exact.index == UNASSIGNED}, index=exact.index)
    result = disclose(exact.to_frame("n"), column_totals=with_total, exempt=exempt)
    hidden, labels = result.hidden["n"], result.labels["n"]
    if not with_total:
        return _Published(exact, hidden, labels, total, True, SUPPRESSED_LABEL)
    cells = hidden.index != TOTAL
    return _Published(exact, hidden[cells], labels[cells], total, bool(hidden.iloc[-1]), str(labels.iloc[-1]))


@dataclass(frozen=True)
class _Frame:
    """What every screen builder needs: the data, the period and the hub counts it may publish."""

    dataset: Dataset
    public: bool
    start: pd.Period
    end: pd.Period
    before: pd.PeriodIndex | None
    hubs: list[str]
    force: str | None
    asb: pd.DataFrame
    hubs_this: _Published
    hubs_before: _Published | None
    #: Why there is no year-before window ("" when there is one).
    before_reason: str = ""
    #: What the period leaves out because it was not supplied ("" when nothing).
    period_note: str = ""

    @property
    def area(self) -> str:
        """The area in a sentence: 'the Cumbria Constabulary area'."""
        return f"the {self.force} area" if self.force else "the hub areas"

    @property
    def period(self) -> pd.PeriodIndex:
        return pd.period_range(self.start, self.end, freq="M")

    @property
    def n(self) -> int:
        return len(self.period)

    @property
    def in_words(self) -> str:
        """'in the 12 months to December 2020' or 'in December 2020'."""
        if self.n == 1:
            return f"in {_month_words(self.end)}"
        return f"in the {self.n} months to {_month_words(self.end)}"

    @property
    def generated_note(self) -> tuple[str, ...]:
        return (GENERATED_NOTE,) if self.dataset.is_generated else ()

    def hidden_hubs(self) -> set[str]:
        """Hubs whose count is hidden this period or a year before."""
        hidden = set(self.hubs_this.hidden[self.hubs_this.hidden].index)
        if self.hubs_before is not None:
            hidden |= set(self.hubs_before.hidden[self.hubs_before.hidden].index)
        return hidden


def _monthly_by_hub(asb: pd.DataFrame, hubs: list[str], months: pd.PeriodIndex) -> pd.DataFrame:
    """ASB per hub and month over ``months`` (zeros included), hubs (and Unassigned) as columns.

    Only for months whose ASB was supplied (the briefing's period and comparison window are
    chosen so); :func:`_monthly_asb` is the gap-aware series for the trend.
    """
    rows = asb[asb["month"].isin(months)]
    counts = rows.groupby([rows["month"], rows["hub"].astype("str")]).size().unstack(fill_value=0)
    return counts.reindex(index=months, columns=[*hubs, UNASSIGNED], fill_value=0)


def _monthly_asb(frame: _Frame, months: pd.PeriodIndex) -> pd.Series:
    """Area-wide ASB per month, NaN where ASB was not supplied (a gap, never a zero)."""
    monthly = _monthly_by_hub(frame.asb, frame.hubs, months).sum(axis=1).astype("float64")
    supplied = frame.dataset.coverage.supplied("asb", None, months).to_numpy()
    return monthly.where(supplied)


def _briefing_period(coverage: Coverage, hubs: list[str], months: int) -> tuple[pd.Period, pd.Period, str]:
    """The last ``months`` months whose ASB was supplied for every hub, ending at the data's last month.

    A period with a month not supplied would give totals that look complete but are not, so
    the period stops after the last gap, and the returned note says so.
    """
    end = coverage.span[-1]
    start = end - (min(months, len(coverage.span)) - 1)
    gaps = coverage.missing_any(start, end, hubs, streams=("asb",))
    if not gaps:
        return start, end, ""
    shortened = max(gaps) + 1
    note = (
        f"The briefing covers {_month_words(shortened)} to {_month_words(end)} only: ASB for "
        f"{month_ranges(gaps)} was not supplied, and a total across a missing month would look complete but be short."
    )
    return shortened, end, note


def _before_window(coverage: Coverage, hubs: list[str], start: pd.Period, end: pd.Period):
    """The same months a year before, or None and the reason (a month not supplied, or before the data)."""
    before = pd.period_range(start - 12, end - 12, freq="M")
    gaps = coverage.missing_any(before[0], before[-1], hubs, streams=("asb",))
    if not gaps:
        return before, ""
    if before[-1] < coverage.span[0]:
        return None, f"the data start in {_month_words(coverage.span[0])}, so there is no year before to compare with"
    return (
        None,
        f"the same months a year before were not supplied ({month_ranges(gaps)}), so there is nothing to compare",
    )


# --------------------------------------------------------------------------- screens


def _publish_months(frame: _Frame, window: pd.PeriodIndex) -> tuple[pd.Series, pd.Series]:
    """Monthly ASB over ``window`` as values (NaN where hidden) and labels.

    The period and the year before each publish their total (in the sentence), so each
    is disclosed with its total; the other months stand alone.
    """
    monthly = _monthly_asb(frame, window)
    gap = monthly.isna()
    monthly = monthly.fillna(0).astype("int64")
    values, labels = monthly.astype("float64"), monthly.map("{:,}".format)
    if not frame.public:
        return values.mask(gap), labels.mask(gap, NOT_SUPPLIED)
    segments = [(frame.period, True)]
    if frame.before is not None:
        segments.append((frame.before, True))
    covered = frame.period.append(frame.before) if frame.before is not None else frame.period
    segments.append((window[~window.isin(covered)], False))
    for months, with_total in segments:
        part = monthly[monthly.index.isin(months) & ~gap.to_numpy()]
        if part.empty:
            continue
        published = _publish(part, True, with_total=with_total)
        values[part.index] = published.shown.to_numpy()
        labels[part.index] = published.labels.to_numpy()
    return values.mask(gap), labels.mask(gap, NOT_SUPPLIED)


def _screen_trend(frame: _Frame) -> Screen:
    months = frame.dataset.months
    window = months[max(0, len(months) - max(24, frame.n)) :]
    values, labels = _publish_months(frame, window)
    monthly = pd.DataFrame({"month": window, "asb": values.to_numpy()})
    this, before = frame.hubs_this, frame.hubs_before
    if before is not None:
        comparable = not (this.total_hidden or before.total_hidden)
        series = _monthly_asb(frame, frame.period.append(frame.before))
        change = compare_months(series, frame.period, frame.before) if comparable else None
        words = change.in_words() if change else "too few to compare"
        sentence = (
            f"There were {this.total_label} ASB incidents {frame.in_words}, "
            f"against {before.total_label} in the same months a year before: {words}."
        )
    elif this.total_hidden:
        sentence = f"There were {this.total_label} ASB incidents {frame.in_words}."
    else:
        why = frame.before_reason or "the data does not reach back a year, so there is nothing yet to compare with"
        sentence = (
            f"There were {this.total_label} ASB incidents {frame.in_words}, about {this.total / frame.n:,.0f} a "
            f"month; {why}."
        )
    supplied_rows = monthly.loc[labels.to_numpy() != NOT_SUPPLIED]
    summary = chart_summary(supplied_rows, x="month", y="asb", what="ASB incidents per month across the area")
    table = pd.DataFrame({"Month": window.map(format_x), "ASB incidents": labels.to_numpy()})
    notes = [
        *frame.generated_note,
        "Anti-social behaviour (ASB) is counted apart from crime and never added into crime totals.",
    ]
    gaps = [m for m, label in zip(window, labels.to_numpy(), strict=True) if label == NOT_SUPPLIED]
    if gaps:
        notes.append(f"ASB was not supplied for {month_ranges(gaps)}: a gap in the line, not a zero.")
        summary += f" ASB not supplied for {month_ranges(gaps)} (gaps in the line)."
    if frame.period_note:
        notes.append(frame.period_note)
    if values.isna().sum() > len(gaps):
        notes.append("Months with fewer than 10 incidents are left out of the line.")
    return Screen(
        "asb-trend",
        f"Anti-social behaviour across {frame.area}",
        sentence,
        summary,
        _trend_chart(monthly, frame.start),
        table,
        tuple(notes),
    )


def _screen_hub_counts(frame: _Frame) -> Screen:
    """Without a year of history: ASB per hub this period."""
    published = frame.hubs_this
    order = sorted(frame.hubs, key=lambda h: -published.shown[h] if not published.hidden[h] else 1)
    labels = [published.labels[h] for h in order]
    values = [None if published.hidden[h] else int(published.exact[h]) for h in order]
    sentence = (
        f"Not enough history yet to compare each hub with a year before: {frame.before_reason}."
        if frame.before_reason
        else "Not enough history yet to compare each hub with a year before."
    )
    table = pd.DataFrame({"Hub": order, f"ASB incidents {frame.in_words}": labels})
    summary = chart_summary(
        pd.DataFrame({"hub": order, "asb": values}), x="hub", y="asb", what=f"ASB incidents {frame.in_words}"
    )
    return Screen(
        "asb-by-hub",
        "ASB in each hub",
        sentence,
        summary,
        _bar_chart(order, values, labels, x_title=f"ASB incidents {frame.in_words}"),
        table,
        (*frame.generated_note, "A fair comparison of hubs needs rates per resident: see the next screen."),
    )


def _screen_hub_change(frame: _Frame) -> Screen:
    if frame.before is None:
        return _screen_hub_counts(frame)
    both = _monthly_by_hub(frame.asb, frame.hubs, frame.period.append(frame.before))
    hidden = frame.hidden_hubs()
    rows = []
    for hub in frame.hubs:
        change = None if hub in hidden else compare_months(both[hub], frame.period, frame.before)
        if change is None or not change.available:
            continue
        rows.append(
            {
                "hub": hub,
                "before": int(change.earlier_total),
                "this": int(change.recent_total),
                "ratio": change.ratio,
                "low": change.ci_low,
                "high": change.ci_high,
                "verdict": change.verdict,
                "range": change.range_words(),
            }
        )
    changes = pd.DataFrame(rows, columns=["hub", "before", "this", "ratio", "low", "high", "verdict", "range"])
    left_out = [h for h in frame.hubs if h not in set(changes["hub"])]
    lower = changes.loc[changes["verdict"] == "lower", "hub"].tolist()
    higher = changes.loc[changes["verdict"] == "higher", "hub"].tolist()
    unclear = len(changes) - len(lower) - len(higher)
    parts = []
    if lower:
        parts.append(f"clearly lower in {_join(lower)}")
    if higher:
        parts.append(f"clearly higher in {_join(higher)}")
    if unclear:
        parts.append(
            f"within normal variation in {'the other ' if parts else ''}{unclear} hub{'s' if unclear > 1 else ''}"
        )
    if not parts:
        parts.append("too small in every hub to compare")
    sentence = f"Compared with the same months a year before, ASB {frame.in_words} was " + "; ".join(parts) + "."
    before_label = f"{_month_words(frame.before[0])} to {_month_words(frame.before[-1])}"
    table = pd.DataFrame(
        {
            "Hub": changes["hub"],
            f"ASB, {before_label}": changes["before"].map("{:,}".format),
            f"ASB, {_month_words(frame.start)} to {_month_words(frame.end)}": changes["this"].map("{:,}".format),
            "Change (95% interval)": changes["range"],
            "Verdict": changes["verdict"],
        }
    )
    summary = (
        "Estimated change in ASB from the same months a year before, by hub, with 95% intervals. "
        + "; ".join(f"{r.hub}: {r.verdict} ({r.range})" for r in changes.itertuples())
        + "."
    )
    notes = [
        *frame.generated_note,
        "A change is called clear only when its whole 95% interval is on one side of no change.",
    ]
    if left_out:
        notes.append(f"Left out, too few incidents to show: {_join(left_out)}.")
    return Screen(
        "asb-change",
        "ASB in each hub against a year before",
        sentence,
        summary,
        _change_chart(changes),
        table,
        tuple(notes),
    )


def _screen_rates(frame: _Frame) -> Screen | None:
    population = frame.dataset.table("population.csv")
    if population is None:
        return None
    people = hub_population(frame.dataset.hubs, population, pd.PeriodIndex([frame.end]))
    if people.empty:
        return None
    residents = people.set_index("hub")["population"]
    published = frame.hubs_this
    rates = pd.DataFrame({"hub": frame.hubs, "asb": published.exact.reindex(frame.hubs).to_numpy()})
    rates = rates.assign(residents=rates["hub"].map(residents)).dropna(subset=["residents"])
    # A rate and the residents give the count back: a hidden count hides its rate too.
    hidden = rates["hub"].map(published.hidden)
    rates = rates.assign(rate=(rates["asb"] / rates["residents"] * 1000).mask(hidden))
    rates = rates.sort_values("rate", ascending=False, na_position="last", ignore_index=True)
    if rates["rate"].notna().sum() == 0:
        return None
    digits = 1 if rates["rate"].max() < 100 else 0
    texts = [
        published.labels[h] if pd.isna(r) else f"{r:,.{digits}f}"
        for h, r in zip(rates["hub"], rates["rate"], strict=True)
    ]
    shown = rates.dropna(subset=["rate"])
    highest, lowest = shown.iloc[0], shown.iloc[-1]
    year = int(people["population_year"].max())
    sentence = (
        f"For every 1,000 residents there were {highest['rate']:,.{digits}f} ASB incidents in {highest['hub']} "
        f"and {lowest['rate']:,.{digits}f} in {lowest['hub']} {frame.in_words}: "
        f"the highest and lowest of the {len(shown)} hubs."
    )
    x_title = f"ASB incidents per 1,000 residents, {frame.in_words.removeprefix('in ')}"
    table = pd.DataFrame(
        {
            "Hub": rates["hub"],
            "ASB incidents": rates["hub"].map(published.labels).to_numpy(),
            f"Residents ({year})": rates["residents"].map("{:,.0f}".format),
            "ASB per 1,000 residents": texts,
        }
    )
    summary = chart_summary(
        rates, x="hub", y="rate", what="ASB incidents per 1,000 residents", value_format=f"{{:,.{digits}f}}"
    )
    return Screen(
        "asb-rates",
        "ASB for every 1,000 residents",
        sentence,
        summary,
        _bar_chart(rates["hub"].tolist(), rates["rate"].tolist(), texts, x_title=x_title),
        table,
        (
            *frame.generated_note,
            f"Residents from population.csv ({year}). Rates compare hubs of different size fairly.",
        ),
    )


def _exact_by_group(counts: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The internal version of the LSOA table: exact counts as text, a total row per hub."""
    parts = []
    for hub, rows in counts.groupby("hub", sort=False):
        total = {"hub": [hub], "lsoa_code": [TOTAL], "lsoa_name": [TOTAL], **{c: [int(rows[c].sum())] for c in columns}}
        parts += [rows, pd.DataFrame(total)]
    exact = pd.concat(parts, ignore_index=True)
    return exact.assign(**{c: exact[c].map("{:,}".format) for c in columns})


def _screen_neighbourhoods(frame: _Frame) -> Screen | None:
    located = frame.asb[frame.asb["lsoa_code"].notna() & frame.asb["lsoa_code"].ne("")]
    if located.empty:
        return None
    keys = ["hub", "lsoa_code", "lsoa_name"]

    def _counts(months: pd.PeriodIndex) -> pd.Series:
        rows = located[located["month"].isin(months)]
        # Plain-string keys: aligning two categorical MultiIndexes whose codes differ in width
        # (int8 against int16 once a folder holds over 127 LSOAs) fails inside pandas.
        return rows.groupby([rows[k].astype("str") for k in keys]).size()

    this_label, before_label = f"ASB {frame.in_words}", "ASB a year before"
    columns = {this_label: _counts(frame.period)}
    hubs_hidden = {this_label: frame.hubs_this.hidden}
    if frame.before is not None and frame.hubs_before is not None:
        columns[before_label] = _counts(frame.before)
        hubs_hidden[before_label] = frame.hubs_before.hidden
    counts = pd.DataFrame(columns).fillna(0).astype("int64").reset_index()
    counts.columns = [*keys, *columns]
    counts = counts.assign(**{k: counts[k].astype("str") for k in keys})
    if counts[this_label].sum() == 0:
        return None
    hub_order = {h: i for i, h in enumerate([*frame.hubs, UNASSIGNED])}
    counts = counts.sort_values(
        ["hub", this_label, "lsoa_name"],
        key=lambda s: s.map(hub_order) if s.name == "hub" else s,
        ascending=[True, False, True],
        ignore_index=True,
    )
    if frame.public:
        published = disclose_by_group(
            counts,
            group="hub",
            label_columns=["lsoa_code", "lsoa_name"],
            count_columns=list(columns),
            rounding=True,
            hidden_totals=pd.DataFrame(hubs_hidden),
        )
    else:
        published = _exact_by_group(counts, list(columns))
    areas = published[published["lsoa_code"] != TOTAL]
    shown = pd.to_numeric(areas[this_label].str.replace(",", ""), errors="coerce")
    top = (
        areas.assign(value=shown)
        .dropna(subset=["value"])
        .sort_values(["value", "lsoa_name"], ascending=[False, True])
        .head(TOP_AREAS)
    )
    if top.empty:
        return None
    total = int(counts[this_label].sum())
    share = max(1, round(total / top["value"].sum()))
    sentence = (
        f"{len(top)} of the {len(counts):,} neighbourhoods with ASB reports (LSOAs, about 1,500 residents each) "
        f"had about 1 in {share} of all ASB incidents {frame.in_words}."
    )
    labels = [r.lsoa_name if r.lsoa_name.startswith(r.hub) else f"{r.lsoa_name} ({r.hub})" for r in top.itertuples()]
    figure = _bar_chart(labels, top["value"].tolist(), [f"{v:,.0f}" for v in top["value"]], x_title=this_label)
    summary = chart_summary(
        top.assign(neighbourhood=labels),
        x="neighbourhood",
        y="value",
        what=f"{this_label}, the {len(top)} neighbourhoods with most",
    )
    table = published.rename(columns={"hub": "Hub", "lsoa_code": "LSOA code", "lsoa_name": "Neighbourhood (LSOA)"})
    notes = [*frame.generated_note, LOCATION_NOTE]
    if frame.public:
        notes.append(
            f"Neighbourhood counts under {THRESHOLD} read 'fewer than {THRESHOLD}'; the rest are rounded to "
            f"the nearest {ROUNDING_BASE}."
        )
    return Screen("neighbourhoods", "Where ASB is most reported", sentence, summary, figure, table, tuple(notes))


def _screen_patrols(frame: _Frame) -> Screen | None:
    resourcing = frame.dataset.table("resourcing.csv")
    if resourcing is None:
        return None
    patrol = monthly_patrol(resourcing)
    this = patrol[patrol["month"].isin(frame.period)].groupby("hub")["patrol_hours"].sum()
    if this.sum() <= 0:
        return None
    hubs = [h for h in frame.hubs if h in this.index]
    operations = frame.dataset.table("operations.csv")
    ops_words = ""
    if operations is not None and len(operations):
        start, end = frame.start.start_time, frame.end.end_time
        in_period = operations[(operations["start"] <= end) & (operations["end"] >= start)]
        if len(in_period):
            ops_words = (
                f", and ran {len(in_period)} operation{'s' if len(in_period) > 1 else ''} "
                f"such as {in_period['name'].astype('str').iloc[0]}"
            )
    total = float(this.sum())
    notes = (
        *frame.generated_note,
        "Deployment data is not public: it comes from the force's duty records.",
    )
    if frame.before is not None:
        before = (
            patrol[patrol["month"].isin(frame.before)].groupby("hub")["patrol_hours"].sum().reindex(hubs, fill_value=0)
        )
        sentence = (
            f"Officers and PCSOs spent about {_about(total)} hours on visible patrol in the hub areas "
            f"{frame.in_words}, against about {_about(float(before.sum()))} a year before{ops_words}."
        )
        figure = _dumbbell(
            hubs,
            before.tolist(),
            this.reindex(hubs).tolist(),
            period=frame.in_words.removeprefix("in "),
            x_title="Hours of visible patrol",
        )
        table = pd.DataFrame(
            {
                "Hub": hubs,
                "Patrol hours a year before": before.map("{:,.0f}".format).to_numpy(),
                f"Patrol hours {frame.in_words}": this.reindex(hubs).map("{:,.0f}".format).to_numpy(),
            }
        )
        long = pd.DataFrame({"hub": hubs, "hours": this.reindex(hubs).to_numpy()})
    else:
        sentence = (
            f"Officers and PCSOs spent about {_about(total)} hours on visible patrol in the hub areas "
            f"{frame.in_words}{ops_words}."
        )
        values = this.reindex(hubs)
        figure = _bar_chart(hubs, values.tolist(), [f"{v:,.0f}" for v in values], x_title="Hours of visible patrol")
        table = pd.DataFrame({"Hub": hubs, f"Patrol hours {frame.in_words}": values.map("{:,.0f}".format).to_numpy()})
        long = pd.DataFrame({"hub": hubs, "hours": values.to_numpy()})
    summary = chart_summary(long, x="hub", y="hours", what=f"Hours of visible patrol {frame.in_words}")
    return Screen("patrols", "What the hubs are doing: visible patrols", sentence, summary, figure, table, notes)


def _screen_cases(frame: _Frame) -> Screen | None:
    cases = frame.dataset.table("cases.csv")
    if cases is None:
        return None
    # Only hub, dates and status are read in public mode: never the issue or summary texts.
    opened = cases[["hub", "opened", "closed"]].assign(hub=cases["hub"].astype("str"))
    in_period = opened[opened["opened"].dt.to_period("M").isin(frame.period)]
    counts = in_period.groupby("hub").size().reindex(frame.hubs, fill_value=0)
    if counts.sum() == 0:
        return None
    closed_count = int(in_period["closed"].notna().sum())
    if frame.public:
        result = disclose(counts.to_frame("cases"), column_totals=True)
        labels = result.labels["cases"]
        hub_labels, total_label = labels.iloc[:-1].tolist(), labels.iloc[-1]
        hub_values = result.shown["cases"].iloc[:-1].tolist()
        closed_label = _count_label(closed_count, True)
    else:
        hub_labels, total_label = [f"{v:,}" for v in counts], f"{int(counts.sum()):,}"
        hub_values = counts.tolist()
        closed_label = f"{closed_count:,}"
    order = sorted(range(len(frame.hubs)), key=lambda i: -(hub_values[i] if not pd.isna(hub_values[i]) else -1))
    hubs = [frame.hubs[i] for i in order]
    sentence = (
        f"The hubs opened {total_label} cases with partners such as the council, housing and health services "
        f"{frame.in_words}; {closed_label} of them are now closed."
    )
    texts = [hub_labels[i] for i in order]
    values = [None if pd.isna(hub_values[i]) else hub_values[i] for i in order]
    table = pd.DataFrame({"Hub": hubs, f"Partnership cases opened {frame.in_words}": texts})
    if not frame.public:
        issues = in_period.join(cases["issue"]).groupby("issue").size().sort_values(ascending=False)
        table = pd.concat(
            [
                table,
                pd.DataFrame(
                    {
                        "Hub": [f"Issue: {i}" for i in issues.index],
                        table.columns[1]: issues.map("{:,}".format).to_numpy(),
                    }
                ),
            ],
            ignore_index=True,
        )
    summary = chart_summary(
        pd.DataFrame({"hub": hubs, "cases": values}),
        x="hub",
        y="cases",
        what=f"Partnership cases opened {frame.in_words}",
    )
    notes = (
        *frame.generated_note,
        "Case data is not public: only the number of cases is shown, never what a case is about.",
    )
    shown = [v for v in values if v is not None]
    # Every hub hidden: a chart of empty bars says nothing, so the screen is its table.
    figure = _bar_chart(hubs, values, texts, x_title="Partnership cases opened") if shown else None
    return Screen("cases", "What the hubs are doing: working with partners", sentence, summary, figure, table, notes)


def _screen_report(frame: _Frame) -> Screen:
    hubs = frame.dataset.hubs
    stations = hubs["station"].astype("str") if "station" in hubs.columns else pd.Series([""] * len(hubs))
    table = pd.DataFrame({"Hub": hubs["hub"].astype("str").to_numpy(), "Based at": stations.to_numpy()})
    force = frame.force or "the police"
    sentence = (
        f"Report anti-social behaviour to {force} online or on 101, call 999 in an emergency, "
        "and call Crimestoppers on 0800 555 111 to stay anonymous."
    )
    summary = f"Table of the {len(table)} Local Focus hubs and where each is based."
    return Screen(
        "how-to-report",
        "What you can do: report it",
        sentence,
        summary,
        None,
        table,
        ("Your local hub team works from the stations listed.",),
    )


# --------------------------------------------------------------------------- the briefing


def _force(dataset: Dataset) -> str | None:
    """The police force the records fall within (the most common), or None."""
    counts = dataset.incidents["falls_within"].value_counts()
    counts = counts[(counts > 0) & (counts.index.astype("str") != "")]
    return None if counts.empty else str(counts.index[0])


def _sources(dataset: Dataset, frame: _Frame) -> tuple[str, ...]:
    made_up = " (generated sample, not real)" if dataset.is_generated else ""
    first, last = dataset.months[0], dataset.months[-1]
    sources = [f"Street-level crime and ASB records, police.uk format, {format_x(first)} to {format_x(last)}{made_up}."]
    population = dataset.table("population.csv")
    if population is not None:
        named = sorted(set(population["source"].astype("str"))) if "source" in population.columns else []
        sources.append(f"Residents: {'; '.join(named) or 'population.csv'}{made_up if not named else ''}.")
    if dataset.lsoa is not None or dataset.areas is not None:
        sources.append(
            "Hub area and neighbourhood (LSOA) boundaries"
            + (" (schematic, invented)." if is_schematic(dataset.areas) else ", ONS.")
        )
    for kind, words in (
        ("resourcing.csv", "Visible patrol hours from duty records (not public)"),
        ("operations.csv", "Planned operations (Weeks of Action)"),
        ("cases.csv", "Partnership case counts from the hub case log (not public)"),
    ):
        if dataset.table(kind) is not None:
            sources.append(f"{words}{made_up}.")
    return tuple(sources)


def _method(frame: _Frame, screens: list[Screen]) -> tuple[str, ...]:
    dataset = frame.dataset
    paragraphs = [
        f"Period: {_month_words(frame.start)} to {_month_words(frame.end)}, the latest {frame.n} months of data "
        f"(data to {_month_words(dataset.months[-1])}). "
        + (
            f"Comparisons use the same months a year before ({_month_words(frame.before[0])} to "
            f"{_month_words(frame.before[-1])})."
            if frame.before is not None
            else "The data does not reach back a year, so no year-on-year comparison is made."
        ),
        "Anti-social behaviour (ASB) is counted apart from crime and never added into a crime total.",
        "Change against a year before: the ratio of the two totals, with a 95% interval from a Poisson model with "
        "one level per calendar month (so the seasons cancel) whose variance is scaled up by the month-to-month "
        "variation seen in the data (quasi-Poisson). A change is called clear only "
        "when the whole interval lies on one side of no change; otherwise it is within normal variation. "
        "It shows whether ASB moved, not why: other things change over a year too.",
        "Rates per 1,000 residents divide the period's ASB by the residents of the hub area in population.csv "
        "(the latest year up to the end of the period).",
        LOCATION_NOTE,
    ]
    if frame.public:
        paragraphs.append(
            f"Small numbers (public version): counts below {THRESHOLD} are shown as 'fewer than {THRESHOLD}' at hub "
            f"and neighbourhood level; where a total is shown, a second number is 'withheld' so a hidden count cannot "
            f"be worked out by subtraction; neighbourhood (LSOA) counts are rounded to the nearest {ROUNDING_BASE} "
            f"(the ONS 10-5 rule). Records with no location describe no area: their count shows, but may be "
            f"withheld to protect a small hub. Case texts and personal details are never shown."
        )
    else:
        paragraphs.append("INTERNAL version: exact counts, small numbers included. Do not show in public.")
    skipped = []
    keys = {s.key for s in screens}
    for key, kind, words in (
        ("asb-rates", "population.csv", "rates per resident"),
        ("patrols", "resourcing.csv", "visible patrol hours"),
        ("cases", "cases.csv", "partnership cases"),
    ):
        if key not in keys:
            skipped.append(f"{words} ({kind} missing or empty for the period)")
    if skipped:
        paragraphs.append("Not in this briefing: " + "; ".join(skipped) + ".")
    if dataset.is_generated:
        paragraphs.append("Every figure in this briefing comes from a generated sample: invented data, not real.")
    paragraphs.append(
        "Contains public sector information licensed under the Open Government Licence v3.0. "
        "Contains OS data © Crown copyright and database right."
    )
    return tuple(paragraphs)


def make_briefing(dataset: Dataset, *, public: bool = True, months: int = 12) -> Briefing:
    """Every screen of the briefing for the latest ``months`` months of ``dataset``.

    Parameters
    ----------
    dataset : Dataset
        A loaded data folder.
    public : bool
        Apply the disclosure rules and leave out anything that is not public-safe.
    months : int
        Months in the briefing period (1 to 12), ending with the last month of data;
        fewer when the data is shorter. The year before is the comparison.

    Returns
    -------
    Briefing

    Raises
    ------
    ValueError
        When ``months`` is out of range or the dataset has no incidents.
    """
    if not isinstance(months, int) or not 1 <= months <= 12:
        raise ValueError(f"months must be a whole number from 1 to 12, got {months!r}")
    if dataset.incidents.empty:
        raise DataProblem(f"No incident records in {dataset.folder.name}: a briefing needs police.uk data.")
    hubs = [str(h) for h in dataset.hubs["hub"]]
    if not dataset.coverage.force["asb"].any():
        raise DataProblem(f"No ASB records in {dataset.folder.name}: the briefing is about ASB, and none was supplied.")
    start, end, period_note = _briefing_period(dataset.coverage, hubs, months)
    before, before_reason = _before_window(dataset.coverage, hubs, start, end)
    asb = dataset.incidents.loc[dataset.incidents["is_asb"], ["month", "hub", "lsoa_code", "lsoa_name"]]
    hubs_this = _publish(_monthly_by_hub(asb, hubs, pd.period_range(start, end, freq="M")).sum(), public)
    hubs_before = _publish(_monthly_by_hub(asb, hubs, before).sum(), public) if before is not None else None
    frame = _Frame(
        dataset,
        public,
        start,
        end,
        before,
        hubs,
        _force(dataset),
        asb,
        hubs_this,
        hubs_before,
        before_reason,
        period_note,
    )
    builders = (
        _screen_trend,
        _screen_hub_change,
        _screen_rates,
        _screen_neighbourhoods,
        _screen_patrols,
        _screen_cases,
        _screen_report,
    )
    screens = [s for s in (build(frame) for build in builders) if s is not None]
    return Briefing(
        area=f"{frame.force} area" if frame.force else "Local Focus hub areas",
        start=start,
        end=end,
        last_month=end,
        sources=_sources(dataset, frame),
        generated=dataset.is_generated,
        public=public,
        screens=tuple(screens),
        method=_method(frame, screens),
    )


# --------------------------------------------------------------------------- images and PDF


def _use_debian_chromium() -> None:
    """Point kaleido at CHROMIUM when it is there (kaleido would otherwise look elsewhere first)."""
    if Path(CHROMIUM).exists() and "BROWSER_PATH" not in os.environ:
        os.environ["BROWSER_PATH"] = CHROMIUM


def chart_images(briefing: Briefing, *, width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> dict[str, bytes]:
    """PNG bytes of every screen's chart, keyed by screen key, drawn by kaleido.

    Raises
    ------
    ValueError
        When kaleido cannot start a browser (Chromium missing).
    """
    import plotly.io as pio

    _use_debian_chromium()
    screens = [s for s in briefing.screens if s.figure is not None]
    with tempfile.TemporaryDirectory(prefix="briefing-") as tmp:
        files = [Path(tmp) / f"{s.key}.png" for s in screens]
        try:
            pio.write_images(
                [s.figure for s in screens],
                files,
                width=_LAYOUT_WIDTH,
                height=round(_LAYOUT_WIDTH * height / width),
                scale=width / _LAYOUT_WIDTH,
            )
        except Exception as e:  # kaleido raises several types when chromium is missing or fails
            logging.getLogger(__name__).exception("kaleido could not draw the briefing charts")
            raise DataProblem(
                f"Chart images could not be drawn: kaleido needs Chromium ({CHROMIUM}: "
                "on Debian apt-get install chromium, elsewhere set LOCAL_FOCUS_CHROMIUM to a Chromium program)."
            ) from e
        return {s.key: f.read_bytes() for s, f in zip(screens, files, strict=True)}


def _image_name(index: int, key: str) -> str:
    return f"{index:02d}-{key}.png"


def charts_zip(briefing: Briefing, images: dict[str, bytes]) -> bytes:
    """A ZIP of the chart PNGs (for slides) with a text file of each chart's summary."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        lines = [f"Local Focus briefing: {briefing.area}, {briefing.period_label}.", briefing.mode_label, ""]
        for i, screen in enumerate(briefing.screens, start=1):
            if screen.key in images:
                name = _image_name(i, screen.key)
                archive.writestr(name, images[screen.key])
                lines += [f"{name}: {screen.title}", f"  {screen.sentence}", f"  Alt text: {screen.summary}", ""]
        archive.writestr("README.txt", "\n".join(lines))
    return buffer.getvalue()


_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class _Pack:
    """The PDF pack drawn with fpdf2 on landscape A4."""

    def __init__(self, briefing: Briefing) -> None:
        from fpdf import FPDF

        self.briefing = briefing
        self.pdf = FPDF(orientation="L", unit="mm", format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=16)
        self.pdf.set_margins(15, 12, 15)
        self.pdf.set_title(f"Local Focus briefing: {briefing.area}")
        self.pdf.set_author("Local Focus")
        self.pdf.set_lang("en-GB")
        regular, bold = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            self.pdf.add_font("Body", "", str(regular))
            self.pdf.add_font("Body", "B", str(bold))
            self.font = "Body"
        else:
            self.font = "helvetica"
        self.pdf.footer = self._footer  # type: ignore[method-assign]

    def text(self, value: str) -> str:
        if self.font == "Body":
            return value
        return value.replace("—", "-").replace("–", "-").encode("latin-1", "replace").decode("latin-1")

    def _footer(self) -> None:
        pdf, b = self.pdf, self.briefing
        pdf.set_y(-12)
        pdf.set_font(self.font, "", 9)
        pdf.set_text_color(17, 17, 17)
        marks = [f"Local Focus briefing · {b.area} · {b.period_label}"]
        if b.generated:
            marks.append("GENERATED SAMPLE DATA: NOT REAL")
        if not b.public:
            marks.append("INTERNAL: NOT FOR PUBLIC DISPLAY")
        pdf.cell(0, 5, self.text(" · ".join(marks)), align="L")
        pdf.set_x(-40)
        pdf.cell(25, 5, f"Page {pdf.page_no()} of {{nb}}", align="R")

    def heading(self, value: str, size: int = 26) -> None:
        self.pdf.set_font(self.font, "B", size)
        self.pdf.multi_cell(0, size * 0.5, self.text(value), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(2)

    def paragraph(self, value: str, size: int = 13, bold: bool = False) -> None:
        self.pdf.set_font(self.font, "B" if bold else "", size)
        self.pdf.multi_cell(0, size * 0.48, self.text(value), new_x="LMARGIN", new_y="NEXT", align="L")
        self.pdf.ln(1.5)

    def paragraph_height(self, value: str, size: int) -> float:
        """The height :meth:`paragraph` will take, measured without drawing."""
        self.pdf.set_font(self.font, "", size)
        lines = self.pdf.multi_cell(0, size * 0.48, self.text(value), dry_run=True, output="LINES")
        return len(lines) * size * 0.48 + 1.5

    def title_page(self) -> None:
        b, pdf = self.briefing, self.pdf
        pdf.add_page()
        pdf.set_text_color(17, 17, 17)
        pdf.ln(14)
        self.heading("Local Focus: public briefing" if b.public else "Local Focus: briefing (internal)", 32)
        self.paragraph(f"Area: {b.area}, Local Focus hub areas", 18)
        self.paragraph(f"Period: {b.period_label}", 18)
        self.paragraph(f"Last month of data: {b.last_month.strftime('%B %Y')}", 18)
        if b.generated:
            self.paragraph("Generated sample data: not real. For demonstration only.", 18, bold=True)
        self.paragraph(b.mode_label, 14, bold=not b.public)
        pdf.ln(4)
        self.paragraph("Data sources", 16, bold=True)
        for source in b.sources:
            self.paragraph(f"• {source}", 12)
        self.paragraph(f"Produced {date.today():%d %B %Y}.", 11)

    def screen_page(self, index: int, screen: Screen, image: bytes | None) -> None:
        pdf = self.pdf
        pdf.add_page()
        pdf.set_text_color(17, 17, 17)
        self.heading(f"{index}. {screen.title}", 22)
        self.paragraph(screen.sentence, 15, bold=True)
        if image is not None:
            below = [f"Chart in words: {screen.summary}", *screen.notes]
            room = pdf.h - pdf.b_margin - pdf.get_y() - 3 - sum(self.paragraph_height(t, 10) for t in below)
            width = min(pdf.w - pdf.l_margin - pdf.r_margin, room * CHART_WIDTH / CHART_HEIGHT)
            height = width * CHART_HEIGHT / CHART_WIDTH
            pdf.image(io.BytesIO(image), x=(pdf.w - width) / 2, w=width, h=height, alt_text=screen.summary)
            pdf.ln(2)
        else:
            self._table(screen.table)
        self.paragraph(f"Chart in words: {screen.summary}", 10)
        for note in screen.notes:
            self.paragraph(note, 10)

    def _table(self, table: pd.DataFrame) -> None:
        pdf = self.pdf
        pdf.set_font(self.font, "", 14)
        with pdf.table(text_align="LEFT", line_height=8, first_row_as_headings=True) as grid:
            grid.row([self.text(str(c)) for c in table.columns])
            for values in table.astype("str").itertuples(index=False):
                grid.row([self.text(v) for v in values])
        pdf.ln(3)

    def method_page(self) -> None:
        self.pdf.add_page()
        self.pdf.set_text_color(17, 17, 17)
        self.heading("How these figures were made", 22)
        for paragraph in self.briefing.method:
            self.paragraph(paragraph, 12)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def briefing_pdf(briefing: Briefing, images: dict[str, bytes]) -> bytes:
    """The PDF pack: title page, one page per screen (its sentence, chart and notes), method page.

    Parameters
    ----------
    briefing : Briefing
        From :func:`make_briefing`.
    images : dict
        PNG bytes per screen key, from :func:`chart_images`.
    """
    pack = _Pack(briefing)
    pack.title_page()
    for i, screen in enumerate(briefing.screens, start=1):
        pack.screen_page(i, screen, images.get(screen.key) if screen.figure is not None else None)
    pack.method_page()
    return pack.output()


def build_briefing(dataset: Dataset, out: Path, *, public: bool, months: int = 12) -> BriefingResult:
    """Write the PDF pack to ``out`` and a PNG of each chart into ``<out stem>-charts/``.

    Parameters
    ----------
    dataset : Dataset
        A loaded data folder.
    out : Path
        The PDF to write (its folder is created).
    public : bool
        The public version (disclosure rules on).
    months : int
        Months in the briefing period.

    Returns
    -------
    BriefingResult
        The PDF path, its page count (title + screens + method), the PNG paths and the briefing.
    """
    out = Path(out)
    briefing = make_briefing(dataset, public=public, months=months)
    images = chart_images(briefing)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(briefing_pdf(briefing, images))
    chart_dir = out.with_name(f"{out.stem}-charts")
    chart_dir.mkdir(exist_ok=True)
    charts = []
    for i, screen in enumerate(briefing.screens, start=1):
        if screen.key in images:
            path = chart_dir / _image_name(i, screen.key)
            path.write_bytes(images[screen.key])
            charts.append(path)
    return BriefingResult(out, len(briefing.screens) + 2, tuple(charts), briefing)


# --------------------------------------------------------------------------- command line


def add_briefing_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``briefing`` sub-command's arguments (after ``data_dir``)."""
    parser.add_argument("--out", required=True, type=Path, help="the PDF to write; chart PNGs go to <name>-charts/")
    parser.add_argument("--public", action="store_true", help="the public version: small numbers suppressed")
    parser.add_argument(
        "--months",
        type=int,
        default=12,
        help="months in the briefing period, 1 to 12 (default 12), ending with the last month of data",
    )


def briefing_command(args: argparse.Namespace) -> int:
    """Handle ``python -m analysis briefing DATA_DIR --out FILE.pdf [--public]``."""
    dataset = load_dataset(args.data_dir)
    result = build_briefing(dataset, args.out, public=args.public, months=args.months)
    b = result.briefing
    print(f"Wrote {result.pdf} ({result.pages} pages: title, {len(b.screens)} screens, method). {b.mode_label}")
    print(f"Period: {b.period_label}. Chart images: {len(result.charts)} in {result.pdf.stem}-charts/")
    return 0
