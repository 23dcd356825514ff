"""Hubs side by side: rate, recent change, the same months a year before, and the latest month against expected.

No streamlit here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.figures.chart import Chart
from analysis.figures.performance import change_figure, expected_range_figure, rate_figure
from analysis.measures.performance.rates import compare_windows, period_rate, rate_points, trend_window
from analysis.stats.expected import expected_range
from analysis.text.a11y import chart_summary, table_view
from analysis.text.changes import change_words
from analysis.text.names import join_names

__all__ = [
    "ComparisonView",
    "HubComparison",
    "MEASURES",
    "comparison_view",
    "hub_comparison",
    "change_summary",
    "change_view",
    "comparison_table",
    "expected_summary",
    "expected_view",
    "rate_summary",
    "rate_view",
]


def comparison_table(
    rates: pd.DataFrame,
    trend: pd.DataFrame,
    last_year: pd.DataFrame,
    expected: pd.DataFrame,
    what: str = "Records",
) -> tuple[pd.DataFrame, list[str]]:
    """One row per hub, each figure with its 95% interval; the months compared are the headers.

    Parameters
    ----------
    rates : pandas.DataFrame
        From :func:`period_rate`.
    trend, last_year : pandas.DataFrame
        From :func:`compare_windows` (every hub compares the same months).
    expected : pandas.DataFrame
        From :func:`expected_range`.
    what : str
        What is counted, for the headers ("ASB", "Crime").

    Returns
    -------
    tuple
        ``(table, notes)``: the table to show, and the distinct reasons why any cell
        is "not available".
    """

    def span(frame: pd.DataFrame) -> str:
        return f"{frame['recent'].iloc[0]} vs {frame['baseline'].iloc[0]}" if len(frame) else ""

    def changes(frame: pd.DataFrame) -> dict:
        rows = frame[["ratio", "ci_low", "ci_high"]].to_numpy()
        return dict(zip(frame["hub"], [change_words(*v, compact=True) for v in rows], strict=True))

    def rate_text(rate: float, low: float, high: float) -> str:
        if not math.isfinite(rate):
            return "no population"
        return f"{rate:.2f} ({low:.2f}-{high:.2f})"

    def expected_text(position: str, observed: float, low: float, high: float) -> str:
        if position == "not available":
            return "not available"
        return f"{observed:,.0f}, {position} ({low:,.0f}-{high:,.0f})"

    latest = expected["month"].iloc[0].strftime("%b %Y") if len(expected) else "latest month"
    headers = {
        "count": f"{what} records",
        "rate": "Per 1,000 a month",
        "trend": span(trend) or "Recent change",
        "year": span(last_year) or "Against last year",
        "latest": f"{latest} (expected)",
    }
    # Each hub's cells looked up by hub (a left join on the rates' hubs), built as plain lists.
    in_expected = expected[["hub", "position", "observed", "low", "high"]].itertuples(index=False)
    latest_text = {row[0]: expected_text(*row[1:]) for row in in_expected}
    hubs = rates["hub"].tolist()
    rate_columns = rates[["rate_per_1000", "ci_low", "ci_high"]].to_numpy(dtype=float)

    def looked_up(cells: dict) -> pd.Series:
        return pd.Series([cells.get(h, np.nan) for h in hubs], dtype="str")

    table = pd.DataFrame(
        {
            "hub": rates["hub"].reset_index(drop=True),
            "count": pd.Series([f"{c:,.0f}" for c in rates["count"]], dtype="str"),
            "rate": pd.Series([rate_text(*v) for v in rate_columns], dtype="str") if len(rates) else "",
            "trend": looked_up(changes(trend)),
            "year": looked_up(changes(last_year)),
            "latest": looked_up(latest_text),
        }
    ).rename(columns={"hub": "Hub", **headers})
    notes = [n for n in trend["note"].tolist() + last_year["note"].tolist() if n]
    notes += expected.loc[expected["position"] == "not available", "model"].tolist()
    return table, list(dict.fromkeys(notes))


def rate_summary(rates: pd.DataFrame, what: str, per_1000: bool, period: str) -> str:
    """The hub rate chart in words: highest and lowest hub, and whether their intervals overlap.

    Examples
    --------
    >>> rates = pd.DataFrame({"hub": ["A", "B"], "count": [40, 10], "rate_per_1000": [4.0, 1.0],
    ...                       "ci_low": [2.9, 0.5], "ci_high": [5.4, 1.8]})
    >>> rate_summary(rates, "ASB incidents", True, "Jan 2020")
    'ASB incidents per 1,000 residents a month by hub, Jan 2020: highest A (4.00), lowest B (1.00); 2 shown. \
The 95% intervals of the highest and the lowest do not overlap: a clear difference.'
    """
    points = rate_points(rates, per_1000).dropna(subset=["value"])
    label = f"{what} per 1,000 residents a month" if per_1000 else f"{what} (counts: no population)"
    if points.empty:
        return f"{label}, {period}: no hubs to show."
    text = chart_summary(points, x="hub", y="value", what=label, value_format="{:,.2f}" if per_1000 else "{:,.0f}")
    text = text.replace(f"{label} by hub:", f"{label} by hub, {period}:", 1)
    if len(points) > 1:
        top, bottom = points.loc[points["value"].idxmax()], points.loc[points["value"].idxmin()]
        clear = bottom["high"] < top["low"]
        text += " The 95% intervals of the highest and the lowest " + (
            "do not overlap: a clear difference." if clear else "overlap: the difference may be chance."
        )
    return text


def rate_view(rates: pd.DataFrame, per_1000: bool) -> pd.DataFrame:
    """The hub rate chart as a table, highest first, with the records and residents behind each rate."""
    points = rate_points(rates, per_1000).iloc[::-1]
    if per_1000:
        points = points.merge(rates[["hub", "months", "population"]], on="hub", how="left").assign(
            population=lambda d: d["population"].round(0).astype("Int64"), value=lambda d: d["value"].round(3)
        )
        columns = {
            "hub": "Hub",
            "count": "Records",
            "months": "Months",
            "population": "Residents (mean)",
            "value": "Per 1,000 a month",
            "low": "95% low",
            "high": "95% high",
        }
    else:
        columns = {"hub": "Hub", "count": "Records", "low": "95% low", "high": "95% high"}
    digits = 3 if per_1000 else 1
    return table_view(points.assign(low=points["low"].round(digits), high=points["high"].round(digits)), columns)


def _change_part(frame: pd.DataFrame, name: str) -> str:
    shown = frame.loc[np.isfinite(frame["ratio"]) & np.isfinite(frame["ci_low"]) & ~np.isnan(frame["ci_high"])]
    if shown.empty:
        return f"{name}: not available for these months."
    span = f"{shown['recent'].iloc[0]} against {shown['baseline'].iloc[0]}"
    up = shown.loc[shown["ci_low"] > 1, "hub"].tolist()
    down = shown.loc[shown["ci_high"] < 1, "hub"].tolist()
    unclear = len(shown) - len(up) - len(down)
    parts = ([f"clearly up in {join_names(up)}"] if up else []) + (
        [f"clearly down in {join_names(down)}"] if down else []
    )
    if unclear:
        parts.append(f"no clear change in {unclear} hub{'s' if unclear != 1 else ''}")
    biggest = shown.loc[(shown["ratio"] - 1).abs().idxmax()]
    return (
        f"{name}, {span}: "
        + "; ".join(parts)
        + f". Largest change {biggest['hub']} {change_words(biggest['ratio'], biggest['ci_low'], biggest['ci_high'])}."
    )


def change_summary(trend: pd.DataFrame, last_year: pd.DataFrame) -> str:
    """The change chart in words: for each panel, which hubs clearly rose or fell, and the largest change.

    "Clearly" means the 95% interval of the ratio excludes no change.

    Examples
    --------
    >>> trend = pd.DataFrame({"hub": ["A", "B"], "recent": "Mar 2020", "baseline": "Feb 2020",
    ...                       "ratio": [1.5, 0.9], "ci_low": [1.2, 0.7], "ci_high": [1.9, 1.1]})
    >>> change_summary(trend, trend.iloc[:0])
    'Recent trend, Mar 2020 against Feb 2020: clearly up in A; no clear change in 1 hub. \
Largest change A 50% higher (95% CI 20% higher to 90% higher). Against the same months last year: \
not available for these months.'
    """
    return _change_part(trend, "Recent trend") + " " + _change_part(last_year, "Against the same months last year")


def change_view(trend: pd.DataFrame, last_year: pd.DataFrame) -> pd.DataFrame:
    """The change chart as a table: each hub and comparison, the records compared and the % change."""
    both = pd.concat(
        [trend.assign(comparison="Recent trend"), last_year.assign(comparison="Same months last year")],
        ignore_index=True,
    )

    def pct(r: pd.Series) -> pd.Series:
        return ((r - 1) * 100).round(1).where(np.isfinite(r))

    both = both.assign(
        change=pct(both["ratio"]),
        low=pct(both["ci_low"]),
        high=pct(both["ci_high"]),
        recent_count=both["recent_count"].round().astype("Int64"),
        baseline_count=both["baseline_count"].round().astype("Int64"),
    )
    return table_view(
        both,
        {
            "hub": "Hub",
            "comparison": "Comparison",
            "recent": "Months",
            "baseline": "Against",
            "recent_count": "Records",
            "baseline_count": "Records before",
            "change": "Change %",
            "low": "95% low %",
            "high": "95% high %",
            "note": "Note",
        },
    )


def expected_summary(expected: pd.DataFrame, what: str) -> str:
    """The expected-range chart in words: which hubs' latest month is above, within or below its range.

    Examples
    --------
    >>> expected = pd.DataFrame({"hub": ["A", "B"], "month": pd.Period("2020-03", "M"), "observed": [30.0, 9.0],
    ...                          "expected": [20.0, 10.0], "low": [12.0, 4.0], "high": [28.0, 16.0],
    ...                          "position": ["above", "within"]})
    >>> expected_summary(expected, "ASB incidents")
    "ASB incidents in Mar 2020 against each hub's expected range (95%): above in A (30; expected 12 to 28); \
within in B."
    """
    shown = expected.loc[expected["position"] != "not available"]
    if shown.empty:
        return f"{what}: no hub has enough history for an expected range."
    month = shown["month"].iloc[0].strftime("%b %Y")
    parts = []
    for position in ("above", "below"):
        rows = shown.loc[shown["position"] == position]
        if len(rows):
            hubs = [f"{r.hub} ({r.observed:,.0f}; expected {r.low:,.0f} to {r.high:,.0f})" for r in rows.itertuples()]
            parts.append(f"{position} in " + join_names(hubs))
    within = shown.loc[shown["position"] == "within", "hub"].tolist()
    if within:
        parts.append("within in " + join_names(within))
    missing = expected.loc[expected["position"] == "not available", "hub"].tolist()
    tail = f" Not available for {join_names(missing)}." if missing else ""
    return f"{what} in {month} against each hub's expected range (95%): " + "; ".join(parts) + "." + tail


def expected_view(expected: pd.DataFrame) -> pd.DataFrame:
    """The expected-range chart as a table: observed, expected and the 95% range per hub."""
    return table_view(
        expected.assign(
            observed=expected["observed"].astype(float).round().astype("Int64"),
            **{c: expected[c].astype(float).round(1) for c in ("expected", "low", "high")},
        ),
        {
            "hub": "Hub",
            "month": "Month",
            "observed": "Records",
            "expected": "Expected",
            "low": "Range low (95%)",
            "high": "Range high (95%)",
            "position": "Position",
            "history_months": "Months of history",
        },
    )


# --------------------------------------------------------------------------- the hub comparison of the page

#: The measures the page compares: the name in the radio, the column and what it counts.
MEASURES: dict[str, tuple[str, str]] = {"ASB": ("asb", "ASB incidents"), "Crime": ("crime", "Crimes")}


@dataclass(frozen=True)
class HubComparison:
    """The chosen hubs compared on one measure (a column of :func:`~analysis.measures.performance.rates.hub_months`).

    ``rates`` from :func:`period_rate`; ``trend`` (the last ``window`` months against the ``window`` before)
    and ``last_year`` (the same months a year before) from :func:`compare_windows`; ``expected`` (the latest
    month against its expected range) from :func:`analysis.stats.expected.expected_range`.
    """

    rates: pd.DataFrame
    trend: pd.DataFrame
    last_year: pd.DataFrame
    expected: pd.DataFrame
    window: int

    @property
    def per_1000(self) -> bool:
        """Whether the rates are per 1,000 residents (population.csv has the hubs); else counts."""
        return bool(self.rates["rate_per_1000"].notna().any())


def hub_comparison(
    monthly: pd.DataFrame,
    hubs: tuple[str, ...],
    start: pd.Period,
    end: pd.Period,
    first_month: pd.Period,
    column: str,
) -> HubComparison:
    """Rates in ``start`` to ``end``, recent change, the same months a year before, and ``end`` against expected.

    ``monthly`` holds every month of the data (``hub, month, asb, crime, population``); the changes and the
    expected range use the months before ``start`` too, back to ``first_month``, the data's first.
    """
    history = monthly.loc[monthly["hub"].isin(hubs) & (monthly["month"] <= end)]
    months = pd.period_range(start, end, freq="M")
    window = trend_window((end - first_month).n + 1)
    if window:
        trend = compare_windows(history, column, end, window, window)
    else:
        trend = pd.DataFrame(
            {"hub": list(hubs), "recent": "", "baseline": "", "ratio": math.nan, "ci_low": math.nan}
        ).assign(ci_high=math.nan, recent_count=math.nan, baseline_count=math.nan, note="Not available: one month.")
    return HubComparison(
        rates=period_rate(history, column, months),
        trend=trend,
        last_year=compare_windows(history, column, end, max(window, 1), 12),
        expected=expected_range(history, column, end),
        window=window,
    )


@dataclass(frozen=True)
class ComparisonView:
    """What the page shows of a :class:`HubComparison`: the table, its notes and method, and three charts.

    ``expected`` is None when no hub has an expected range; ``expected_note`` then says why.
    """

    table: pd.DataFrame
    notes: str | None
    method: str
    rate_tab: str
    rate: Chart
    change: Chart
    expected: Chart | None
    expected_note: str


def comparison_view(result: HubComparison, name: str, period: str, end: pd.Period) -> ComparisonView:
    """The table, notes, method and charts of the hub comparison for measure ``name`` ("ASB" or "Crime").

    ``period`` is the chosen period in words; ``end`` its last month.
    """
    what = MEASURES[name][1]
    per_1000, latest, window = result.per_1000, end.strftime("%b %Y"), result.window
    table, notes = comparison_table(result.rates, result.trend, result.last_year, result.expected, name)
    method = (
        f"- **Per 1,000 a month**: records in {period} / months / residents x 1,000, with the "
        "exact Poisson 95% interval"
        + ("." if per_1000 else " (no population.csv here, so the charts compare counts).")
        + f"\n- **Recent change**: the last {window} month(s) to {latest} against the {window} before: a ratio "
        "of rates per resident with an exact (conditional binomial) 95% interval. It does not allow for the "
        "season: autumn against summer ASB falls every year.\n"
        "- **A year before**: the same months a year earlier, which cancels the season but not other change.\n"
        f"- **{latest} (expected)**: a quasi-Poisson model of the hub's own previous months (up to 36; "
        "a level, a trend from 12 months, month of year from 24) gives a 95% prediction interval; the month is "
        "above, within or below it. One month in twenty falls outside by chance.\n"
        "- Comparisons use months before the chosen period where the data have them. Hubs are compared "
        "on residents (population.csv), which ignores visitors and commuters."
    )
    rate_title = (
        f"{what} per 1,000 residents a month, {period}" if per_1000 else f"{what}, {period} (no population: counts)"
    )
    trend, last_year, expected = result.trend, result.last_year, result.expected
    available = not (expected["position"] == "not available").all()
    return ComparisonView(
        table=table,
        notes="Not available: " + " ".join(n.removeprefix("Not available: ") for n in notes) if notes else None,
        method=method,
        rate_tab="Rate per 1,000 residents" if per_1000 else "Records",
        rate=Chart(
            rate_figure(result.rates, what, per_1000, title=rate_title),
            rate_view(result.rates, per_1000),
            rate_summary(result.rates, what, per_1000, period),
            "perf_rate",
            "hub_rates.csv",
        ),
        change=Chart(
            change_figure(trend, last_year, title=f"{what}: change with 95% intervals"),
            change_view(trend, last_year),
            f"{what}, change per hub. " + change_summary(trend, last_year),
            "perf_change",
            "hub_changes.csv",
        ),
        expected=Chart(
            expected_range_figure(expected, what, title=f"{what} in {latest} against the expected range"),
            expected_view(expected),
            expected_summary(expected, what),
            "perf_expected",
            "hub_expected_range.csv",
        )
        if available
        else None,
        expected_note="" if available else (expected["model"].iloc[0] if len(expected) else "No hubs chosen."),
    )
