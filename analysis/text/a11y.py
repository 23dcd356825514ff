"""Text alternatives for charts: a summary in words and a table a screen reader can read.

Every chart in the app and in the briefing pack carries the summary from
:func:`chart_summary` (as alt text and as a visible caption) and a table view of the
numbers behind it (:func:`table_view`). No streamlit here; ``ui.charts`` renders them.
"""

from __future__ import annotations

import pandas as pd

from analysis.load.coverage import NOT_SUPPLIED, month_ranges

__all__ = ["chart_summary", "format_x", "table_view"]


def format_x(value: object) -> str:
    """A month as 'Mar 2020', a date as '2 Mar 2020', anything else as text."""
    if isinstance(value, pd.Period):
        return value.strftime("%b %Y") if value.freqstr.startswith("M") else str(value)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%b %Y") if value.day == 1 else value.strftime("%-d %b %Y")
    return str(value)


def _fmt(value: float, value_format: str) -> str:
    return value_format.format(value)


def _extremes(points: pd.DataFrame, key: str, y: str, value_format: str) -> str:
    highest = points.loc[points[y].idxmax()]
    lowest = points.loc[points[y].idxmin()]
    if len(points) == 1:
        return f"{format_x(highest[key])}: {_fmt(highest[y], value_format)}"
    return (
        f"highest {format_x(highest[key])} ({_fmt(highest[y], value_format)}), "
        f"lowest {format_x(lowest[key])} ({_fmt(lowest[y], value_format)})"
    )


def chart_summary(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    what: str,
    series: str | None = None,
    value_format: str = "{:,.0f}",
    not_supplied: list[pd.Period] | tuple[pd.Period, ...] = (),
) -> str:
    """One or two sentences saying what a chart shows, for alt text and captions.

    Parameters
    ----------
    table : pandas.DataFrame
        The aggregated table the chart draws (long form).
    x, y : str
        The columns on the axes; ``x`` holding months or dates makes a time summary.
    what : str
        What ``y`` measures, in words (e.g. "ASB incidents per month").
    series : str, optional
        The column naming each line or bar group.
    value_format : str
        ``str.format`` pattern for values.
    not_supplied : sequence of Period
        Months that were never supplied: their missing values are gaps, said as such
        (never counted as hidden, never as zeros).

    Returns
    -------
    str
        E.g. "ASB incidents per month, Jan 2019 to Dec 2020: highest Jul 2019 (1,234),
        lowest Feb 2020 (800); latest Dec 2020 (950)." Values that are missing (hidden
        to protect small numbers) are left out and counted.

    Raises
    ------
    ValueError
        When a column named by ``x``, ``y`` or ``series`` is absent.

    Examples
    --------
    >>> t = pd.DataFrame({"hub": ["A", "B", "C"], "rate": [3.0, 1.5, 2.25]})
    >>> chart_summary(t, x="hub", y="rate", what="ASB per 1,000 residents", value_format="{:.1f}")
    'ASB per 1,000 residents by hub: highest A (3.0), lowest B (1.5); 3 shown.'
    """
    missing = [c for c in (x, y, series) if c is not None and c not in table.columns]
    if missing:
        raise ValueError(f"chart_summary: table has no column(s) {', '.join(missing)}")
    values = pd.to_numeric(table[y], errors="coerce")
    points = table.assign(**{y: values}).loc[values.notna()]
    gaps = sorted(set(not_supplied))
    gap_rows = values.isna() & table[x].isin(gaps) if gaps else pd.Series(False, index=table.index)
    hidden = int(values.isna().sum() - gap_rows.sum())
    hidden_note = f" {hidden} value(s) hidden to protect small numbers." if hidden else ""
    if gaps:
        plural = "s" if len(gaps) > 1 else ""
        hidden_note += f" Not supplied: {month_ranges(gaps)} ({len(gaps)} month{plural}; gaps, not zeros)."
    if points.empty:
        return f"{what}: no values to show.{hidden_note}"
    is_time = isinstance(points[x].dtype, pd.PeriodDtype) or pd.api.types.is_datetime64_any_dtype(points[x])
    if not is_time:
        if series is None:
            extremes = _extremes(points, x, y, value_format)
            return f"{what} by {x.replace('_', ' ')}: {extremes}; {len(points)} shown.{hidden_note}"
        parts = [
            f"{name}: {_extremes(group, x, y, value_format)}"
            for name, group in points.groupby(series, sort=False, observed=True)
        ]
        return f"{what} by {x.replace('_', ' ')}. " + "; ".join(parts) + "." + hidden_note
    first, last = points[x].min(), points[x].max()
    span = f"{format_x(first)} to {format_x(last)}" if first != last else format_x(first)
    if series is None:
        latest = points.loc[points[x] == last, y].iloc[-1]
        if first == last:
            return f"{what}, {span}: {_fmt(latest, value_format)}.{hidden_note}"
        return (
            f"{what}, {span}: {_extremes(points, x, y, value_format)}; "
            f"latest {format_x(last)} ({_fmt(latest, value_format)}).{hidden_note}"
        )
    latest = points.loc[points[x] == last]
    names = points[series].astype("str").unique()
    return (
        f"{what} for {len(names)} {series.replace('_', ' ')}s, {span}. "
        f"In {format_x(last)}: {_extremes(latest, series, y, value_format)}.{hidden_note}"
    )


def _numbers_as_text(values: pd.Series, label: str = NOT_SUPPLIED) -> pd.Series:
    """Numbers as text ("1,234" or "2.35"), "not supplied" where missing: one type per column."""
    present = values.dropna()
    whole = bool((present == present.round()).all())
    pattern = "{:,.0f}" if whole else "{:,.2f}"
    return values.map(lambda v: label if pd.isna(v) else pattern.format(v)).astype("str")


def table_view(table: pd.DataFrame, columns: dict[str, str], *, missing: str | None = NOT_SUPPLIED) -> pd.DataFrame:
    """The chart's numbers as a readable table: chosen columns, renamed, months as text, gaps as "not supplied".

    Parameters
    ----------
    table : pandas.DataFrame
        The aggregated table the chart draws.
    columns : dict
        ``{column: heading}`` in the order to show; absent columns are an error.
    missing : str or None
        How a missing number reads (default "not supplied"); None keeps the numbers as they are,
        for tables where a blank means "does not apply" rather than a month never supplied.

    Raises
    ------
    ValueError
        When a column in ``columns`` is absent.
    """
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"table_view: table has no column(s) {', '.join(missing)}")
    view = table[list(columns)]
    as_text = {
        c: view[c].map(format_x)
        for c in columns
        if isinstance(view[c].dtype, pd.PeriodDtype) or pd.api.types.is_datetime64_any_dtype(view[c])
    }
    # A number that is missing was not supplied: say so, never leave a blank a reader takes for 0.
    as_text |= {
        c: _numbers_as_text(view[c], missing or NOT_SUPPLIED)
        for c in columns
        if missing and c not in as_text and pd.api.types.is_numeric_dtype(view[c]) and view[c].isna().any()
    }
    return view.assign(**as_text).rename(columns=columns).reset_index(drop=True)
