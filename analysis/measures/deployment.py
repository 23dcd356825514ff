"""Visible patrol hours against ASB: the series, their lagged correlation, and operations.

police.uk gives ASB by month only (no day), so anything weekly about ASB is
impossible from police.uk data: weekly views show patrol hours by week with ASB as
monthly steps, and the lagged correlation is computed on months.

A correlation is not an effect: patrols are sent where ASB is high, so the two move
together for reasons other than patrols changing ASB. The correlation here is of
detrended, deseasonalised series, with a 95% interval that allows for the
autocorrelation left in them.

No streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from scipy import stats

from analysis.figures.shared import PALETTE
from analysis.measures.performance import poisson_interval, rate_ratio, style_figure
from analysis.text.a11y import chart_summary, table_view

__all__ = [
    "COUNTY",
    "MAX_NAMED_OPERATIONS",
    "MIN_PAIRS",
    "area_total",
    "asb_around",
    "asb_around_figure",
    "asb_around_summary",
    "asb_around_view",
    "deseasonalise",
    "effective_pairs",
    "fisher_interval",
    "lag_figure",
    "lag_summary",
    "lag_view",
    "lagged_correlation",
    "monthly_patrol_asb",
    "operation_weeks",
    "operations_in_view",
    "timeline_figure",
    "timeline_summary",
    "timeline_view",
    "week_of_action",
    "week_of_action_figure",
    "week_of_action_summary",
    "week_of_action_view",
    "weekly_patrol",
    "WeekOfAction",
]

#: The name of the county line: the sum over the chosen hubs.
COUNTY = "County (chosen hubs)"
#: Fewest pairs of months a lagged correlation accepts.
MIN_PAIRS = 12

_Z = 1.959963984540054


# --------------------------------------------------------------------------- series


def weekly_patrol(resourcing: pd.DataFrame, hubs: Iterable[str] | None = None) -> pd.DataFrame:
    """Visible patrol hours per hub and week, split into core- and precept-funded.

    Parameters
    ----------
    resourcing : pandas.DataFrame
        ``week, hub, funding, visible_patrol_hours`` (one row per hub, week, role, funding).
    hubs : iterable of str, optional
        Hubs to keep (default: all).

    Returns
    -------
    pandas.DataFrame
        ``hub, week, month, core_hours, precept_hours, patrol_hours`` where ``month`` is
        the month of the week's Monday (as :func:`analysis.measures.metrics.monthly_patrol` counts it).
        Weeks with no row for a hub are absent, not zero.

    Examples
    --------
    >>> resourcing = pd.DataFrame({"week": pd.to_datetime(["2019-01-07"] * 3), "hub": ["A"] * 3,
    ...                            "funding": ["core", "core", "precept"], "visible_patrol_hours": [10.0, 5.0, 2.0]})
    >>> weekly_patrol(resourcing)[["core_hours", "precept_hours", "patrol_hours"]].values.tolist()
    [[15.0, 2.0, 17.0]]
    """
    rows = resourcing.assign(hub=resourcing["hub"].astype("str"))
    if hubs is not None:
        rows = rows.loc[rows["hub"].isin(list(hubs))]
    is_precept = rows["funding"].astype("str") == "precept"
    hours = rows["visible_patrol_hours"].astype(float)
    per_week = (
        rows.assign(core_hours=hours.where(~is_precept, 0.0), precept_hours=hours.where(is_precept, 0.0))
        .groupby(["hub", "week"], as_index=False, sort=True)[["core_hours", "precept_hours"]]
        .sum()
    )
    return per_week.assign(
        month=per_week["week"].dt.to_period("M"),
        patrol_hours=per_week["core_hours"] + per_week["precept_hours"],
    )[["hub", "week", "month", "core_hours", "precept_hours", "patrol_hours"]]


def monthly_patrol_asb(weekly: pd.DataFrame, asb: pd.DataFrame) -> pd.DataFrame:
    """Patrol hours (core, precept) and ASB per hub and month.

    Parameters
    ----------
    weekly : pandas.DataFrame
        From :func:`weekly_patrol`.
    asb : pandas.DataFrame
        ``hub, month, asb``: ASB records per hub and month.

    Returns
    -------
    pandas.DataFrame
        ``hub, month, core_hours, precept_hours, patrol_hours, asb``: every hub-month of
        ``asb``; patrol columns are NaN where no week of patrol data falls in the month.
    """
    monthly = weekly.groupby(["hub", "month"], as_index=False)[["core_hours", "precept_hours", "patrol_hours"]].sum()
    out = (
        asb[["hub", "month", "asb"]]
        .assign(hub=asb["hub"].astype("str"))
        .merge(monthly, on=["hub", "month"], how="left")
    )
    return out[["hub", "month", "core_hours", "precept_hours", "patrol_hours", "asb"]]


def area_total(frame: pd.DataFrame, hubs: Iterable[str], by: str, columns: Iterable[str]) -> pd.DataFrame:
    """Sum ``columns`` over ``hubs`` for each value of ``by`` (a week or a month).

    A period in which any of the hubs has no value is NaN (``min_count``), so a
    missing week never looks like a quiet one.

    Examples
    --------
    >>> frame = pd.DataFrame({"hub": ["A", "B", "A"], "month": [1, 1, 2], "asb": [1.0, 2.0, 4.0]})
    >>> area_total(frame, ["A", "B"], "month", ["asb"])["asb"].tolist()
    [3.0, nan]
    """
    hubs = list(hubs)
    columns = list(columns)
    inside = frame.loc[frame["hub"].astype("str").isin(hubs)]
    full = pd.MultiIndex.from_product([inside[by].drop_duplicates().sort_values(), hubs], names=[by, "hub"])
    grid = inside.set_index([by, inside["hub"].astype("str").rename("hub")])[columns].reindex(full)
    return grid.groupby(level=by).sum(min_count=len(hubs)).reset_index()


# --------------------------------------------------------------------------- lagged correlation


def deseasonalise(series: pd.Series) -> tuple[pd.Series, int, str]:
    """Residuals of a series after a linear trend and, with 24+ monthly values, month-of-year means.

    Parameters
    ----------
    series : pandas.Series
        Indexed by a regular :class:`pandas.PeriodIndex` (gaps as NaN).

    Returns
    -------
    tuple
        ``(residuals, controls, description)``: ``controls`` is the number of terms
        removed besides the mean (1 for the trend, plus 11 month-of-year terms), which
        the correlation's interval uses.

    Examples
    --------
    >>> s = pd.Series([1.0, 2.0, 3.0, 5.0], index=pd.period_range("2019-01", periods=4, freq="M"))
    >>> deseasonalise(s)[0].round(2).tolist()
    [0.2, -0.1, -0.4, 0.3]
    """
    values = series.to_numpy(dtype=float)
    t = np.arange(len(values), dtype=float)
    ok = np.isfinite(values)
    columns = [np.ones(len(values)), t - t.mean()]
    description = "a linear trend"
    index = series.index
    seasonal = isinstance(index, pd.PeriodIndex) and index.freqstr.startswith("M") and ok.sum() >= 24
    if seasonal:
        moy = np.asarray(index.month)
        columns += [(moy == k).astype(float) for k in range(2, 13)]
        description = "a linear trend and month-of-year means"
    X = np.column_stack(columns)
    coef, *_ = np.linalg.lstsq(X[ok], values[ok], rcond=None)
    residuals = np.where(ok, values - X @ coef, np.nan)
    return pd.Series(residuals, index=series.index, name=series.name), X.shape[1] - 1, description


def _lag1(values: np.ndarray) -> float:
    """Lag-1 autocorrelation of a residual series (NaN-aware)."""
    a, b = values[:-1], values[1:]
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3 or np.std(a[ok]) == 0 or np.std(b[ok]) == 0:
        return 0.0
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def effective_pairs(n: int, r1: float, s1: float) -> float:
    """Pairs of values worth as many independent ones, for two autocorrelated series (Bartlett).

    ``n (1 - r1 s1) / (1 + r1 s1)``, never above ``n``, where ``r1`` and ``s1`` are the
    series' lag-1 autocorrelations.

    Examples
    --------
    >>> effective_pairs(40, 0.5, 0.5)
    24.0
    >>> effective_pairs(40, 0.5, -0.5)
    40.0
    """
    product = r1 * s1
    return float(min(n, n * (1 - product) / (1 + product)))


def fisher_interval(r: float, n_eff: float, controls: int = 0) -> tuple[float, float]:
    """95% interval of a (partial) correlation by Fisher's z: ``tanh(atanh(r) +/- 1.96 / sqrt(n_eff - 3 - controls))``.

    Returns ``(nan, nan)`` when ``n_eff - 3 - controls`` is not positive.

    Examples
    --------
    >>> [round(v, 4) for v in fisher_interval(0.5, 28)]
    [0.156, 0.7358]
    """
    dof = n_eff - 3 - controls
    if not dof > 0:
        return math.nan, math.nan
    z, half = math.atanh(max(min(r, 0.999999), -0.999999)), _Z / math.sqrt(dof)
    return math.tanh(z - half), math.tanh(z + half)


def lagged_correlation(
    patrol: pd.Series,
    asb: pd.Series,
    lags: Iterable[int] = range(0, 9),
    *,
    min_pairs: int = MIN_PAIRS,
) -> pd.DataFrame:
    """Correlation of patrol hours with ASB ``lag`` periods later, with a 95% interval.

    Both series are first reduced to residuals by :func:`deseasonalise`, so shared
    trends and seasons do not count as association. For lag ``k`` the pairs are
    ``(patrol[t], asb[t + k])``; a negative ``k`` has ASB leading patrol hours.
    The interval is Fisher's z with standard error ``1 / sqrt(n_eff - 3 - controls)``
    where ``n_eff = n (1 - r1 s1) / (1 + r1 s1)`` (never above ``n``) shrinks the
    number of pairs for the lag-1 autocorrelations ``r1, s1`` of the residuals
    (Bartlett's adjustment) and ``controls`` are the terms removed.

    Parameters
    ----------
    patrol, asb : pandas.Series
        Indexed by the same kind of :class:`pandas.PeriodIndex`; aligned on it.
    lags : iterable of int
        Lags in periods of the index.
    min_pairs : int
        Fewest pairs for a correlation; fewer gives NaN with a note.

    Returns
    -------
    pandas.DataFrame
        ``lag, r, ci_low, ci_high, pairs, n_eff, note``.
    """
    columns = ["lag", "r", "ci_low", "ci_high", "pairs", "n_eff", "note"]
    both = pd.concat({"patrol": patrol, "asb": asb}, axis=1).sort_index()
    if both.empty:
        return pd.DataFrame({"lag": list(lags)}).reindex(columns=columns).assign(note="No data.")
    full = pd.period_range(both.index.min(), both.index.max(), freq=both.index.freq)
    both = both.reindex(full)
    x, controls, _ = deseasonalise(both["patrol"])
    y, _, _ = deseasonalise(both["asb"])
    x, y = x.to_numpy(), y.to_numpy()
    r1, s1 = _lag1(x), _lag1(y)
    rows = []
    for lag in lags:
        # A lag as long as the series leaves no pairs (and must not wrap round).
        if lag >= 0:
            a, b = x[: max(len(x) - lag, 0)], y[lag:]
        else:
            a, b = x[-lag:], y[: max(len(y) + lag, 0)]
        ok = np.isfinite(a) & np.isfinite(b)
        n = int(ok.sum())
        row = {"lag": int(lag), "pairs": n}
        if n < min_pairs:
            rows.append(row | {"note": f"Only {n} pairs of months at this lag; {min_pairs} are needed."})
            continue
        if np.std(a[ok]) == 0 or np.std(b[ok]) == 0:
            rows.append(row | {"note": "One series does not vary once trend and season are removed."})
            continue
        r = float(np.corrcoef(a[ok], b[ok])[0, 1])
        n_eff = effective_pairs(n, r1, s1)
        low, high = fisher_interval(r, n_eff, controls)
        note = "" if math.isfinite(low) else "Too few independent months for an interval at this lag."
        rows.append(row | {"r": r, "ci_low": low, "ci_high": high, "n_eff": n_eff, "note": note})
    return pd.DataFrame(rows).reindex(columns=columns).astype({"note": "object"}).fillna({"note": ""})


# --------------------------------------------------------------------------- operations


def operations_in_view(operations: pd.DataFrame, hubs: Iterable[str], start: pd.Period, end: pd.Period) -> pd.DataFrame:
    """Operations for the chosen hubs (or "All") that overlap the months ``start`` to ``end``.

    Returns
    -------
    pandas.DataFrame
        ``name, hub, start, end, focus, label`` sorted by start; ``label`` is
        "name (hub, focus)" for legends and lists.
    """
    columns = ["name", "hub", "start", "end", "focus", "label"]
    hubs = set(hubs)
    hub_col = operations["hub"].astype("str")
    keep = (
        ((hub_col.str.casefold() == "all") | hub_col.isin(hubs))
        & (operations["end"] >= start.start_time)
        & (operations["start"] <= end.end_time)
    )
    chosen = operations.loc[keep].sort_values(["start", "name"])
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    label = (
        chosen["name"].astype("str") + " (" + chosen["hub"].astype("str") + ", " + chosen["focus"].astype("str") + ")"
    )
    return chosen.assign(label=label)[columns].reset_index(drop=True)


def operation_weeks(weeks: pd.Series | pd.DatetimeIndex, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Which weeks (given by their Monday) overlap an operation from ``start`` to ``end``, inclusive.

    Examples
    --------
    >>> weeks = pd.Series(pd.to_datetime(["2019-07-15", "2019-07-22", "2019-07-29"]))
    >>> operation_weeks(weeks, pd.Timestamp("2019-07-22"), pd.Timestamp("2019-07-28")).tolist()
    [False, True, False]
    """
    mondays = pd.DatetimeIndex(weeks)
    return np.asarray((mondays <= end) & (mondays + pd.Timedelta(days=6) >= start))


@dataclass(frozen=True)
class WeekOfAction:
    """An operation's patrol hours against the weeks around it.

    Attributes
    ----------
    weeks : pandas.DataFrame
        ``week, patrol_hours, window`` with window "before", "operation" or "after".
    operation_mean, before_mean, after_mean : float
        Mean weekly patrol hours in each window.
    before_sd : float
        Standard deviation of the weeks before.
    usual_low, usual_high : float
        95% prediction interval for the mean of as many usual weeks as the operation
        lasts, from the weeks before: ``mean +/- t * sd * sqrt(1/m + 1/n)``.
    position : str
        "above", "within" or "below" that range, or "not available".
    difference, difference_low, difference_high : float
        Operation mean minus the mean of the weeks before, with that interval.
    after_difference, after_low, after_high : float
        Mean of the weeks after minus the weeks before (Welch 95% interval): did
        patrol hours stay up?
    """

    weeks: pd.DataFrame
    operation_mean: float
    before_mean: float
    after_mean: float
    before_sd: float
    usual_low: float
    usual_high: float
    position: str
    difference: float
    difference_low: float
    difference_high: float
    after_difference: float
    after_low: float
    after_high: float


def week_of_action(weekly: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, n_weeks: int = 4) -> WeekOfAction:
    """Patrol hours during an operation against the ``n_weeks`` weeks before and after.

    Parameters
    ----------
    weekly : pandas.DataFrame
        ``week, patrol_hours`` for one area (one row per week).
    start, end : pandas.Timestamp
        The operation's first and last day.
    n_weeks : int
        Weeks each side.

    Returns
    -------
    WeekOfAction

    Raises
    ------
    ValueError
        When no week of ``weekly`` overlaps the operation.
    """
    if n_weeks < 2:
        raise ValueError(f"n_weeks must be at least 2, got {n_weeks}")
    series = weekly[["week", "patrol_hours"]].dropna().sort_values("week").reset_index(drop=True)
    during = operation_weeks(series["week"], start, end)
    if not during.any():
        raise ValueError(f"No patrol hours for the weeks of the operation ({start:%d %b %Y} to {end:%d %b %Y}).")
    first, last = np.flatnonzero(during)[[0, -1]]
    before = series.iloc[max(0, first - n_weeks) : first]
    after = series.iloc[last + 1 : last + 1 + n_weeks]
    op = series.iloc[first : last + 1]
    window = pd.Series("operation", index=op.index)
    table = pd.concat(
        [before.assign(window="before"), op.assign(window=window), after.assign(window="after")], ignore_index=True
    )
    op_mean = float(op["patrol_hours"].mean())
    b = before["patrol_hours"].to_numpy(float)
    a = after["patrol_hours"].to_numpy(float)
    b_mean = float(b.mean()) if len(b) else math.nan
    a_mean = float(a.mean()) if len(a) else math.nan
    b_sd = float(b.std(ddof=1)) if len(b) >= 2 else math.nan
    if len(b) >= 2:
        t = float(stats.t.ppf(0.975, len(b) - 1))
        half = t * b_sd * math.sqrt(1 / len(op) + 1 / len(b))
        low, high = b_mean - half, b_mean + half
        position = "above" if op_mean > high else "below" if op_mean < low else "within"
    else:
        low = high = math.nan
        half = math.nan
        position = "not available"
    if len(a) >= 2 and len(b) >= 2:
        welch = stats.ttest_ind(a, b, equal_var=False)
        ci = welch.confidence_interval(0.95)
        after_low, after_high = float(ci.low), float(ci.high)
    else:
        after_low = after_high = math.nan
    return WeekOfAction(
        weeks=table,
        operation_mean=op_mean,
        before_mean=b_mean,
        after_mean=a_mean,
        before_sd=b_sd,
        usual_low=low,
        usual_high=high,
        position=position,
        difference=op_mean - b_mean,
        difference_low=op_mean - b_mean - half,
        difference_high=op_mean - b_mean + half,
        after_difference=a_mean - b_mean,
        after_low=after_low,
        after_high=after_high,
    )


def asb_around(asb: pd.Series, month: pd.Period, n_months: int = 3) -> tuple[pd.DataFrame, tuple[float, float, float]]:
    """Monthly ASB around an operation's month, with exact Poisson intervals.

    Parameters
    ----------
    asb : pandas.Series
        ASB records per month for one area, indexed by month.
    month : pandas.Period
        The operation's month.
    n_months : int
        Months each side.

    Returns
    -------
    tuple
        ``(table, ratio)``: ``table`` has ``month, asb, ci_low, ci_high, window``
        (before, operation month, after; months absent from ``asb`` are left out);
        ``ratio`` is the operation month's count over the mean of the months before,
        with its exact 95% interval (NaN without months before). ASB is monthly, so
        a week's operation is one week in a month of counts.
    """
    wanted = pd.period_range(month - n_months, month + n_months, freq="M")
    present = asb.reindex(wanted).dropna()
    bounds = [poisson_interval(float(v)) for v in present]
    window = np.where(present.index < month, "before", np.where(present.index > month, "after", "operation month"))
    table = pd.DataFrame(
        {
            "month": present.index,
            "asb": present.to_numpy(float),
            "ci_low": [lo for lo, _ in bounds],
            "ci_high": [hi for _, hi in bounds],
            "window": window,
        }
    )
    before = table.loc[table["window"] == "before", "asb"]
    during = table.loc[table["window"] == "operation month", "asb"]
    if len(before) and len(during):
        ratio = rate_ratio(float(during.iloc[0]), float(before.sum()), 1.0, float(len(before)))
    else:
        ratio = (math.nan, math.nan, math.nan)
    return table, ratio


# --------------------------------------------------------------------------- figures

_CORE, _PRECEPT, _ASB, _SHADE = PALETTE[0], PALETTE[1], PALETTE[6], "rgba(120, 120, 120, 0.18)"


#: With more operations than this, bands are numbered (the page lists the numbers) instead of named.
MAX_NAMED_OPERATIONS = 4


def _operation_shading(operations: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """Grey bands for operations, each labelled at the top (never colour alone).

    Up to ``MAX_NAMED_OPERATIONS`` bands carry the operation's name; more carry
    their number (1 = the earliest) so labels do not pile up. Built as plain layout
    dicts and set once: plotly's ``add_vrect`` re-validates every shape on each
    call, which is slow with many operations.
    """
    shapes, labels = [], []
    numbered = len(operations) > MAX_NAMED_OPERATIONS
    for i, op in enumerate(operations.itertuples(index=False)):
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": op.start,
                "x1": op.end + pd.Timedelta(days=1),
                "y0": 0,
                "y1": 1,
                "fillcolor": _SHADE,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        labels.append(
            {
                "x": op.start,
                "y": 1.0 - 0.075 * (i % 3),
                "xref": "x",
                "yref": "paper",
                "text": str(i + 1) if numbered else str(op.name),
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
                "font": {"size": 12, "color": "#333333"},
                "bgcolor": "rgba(255, 255, 255, 0.75)",
            }
        )
    return shapes, labels


def timeline_figure(
    patrol: pd.DataFrame | None,
    asb: pd.Series,
    *,
    weekly: bool,
    operations: pd.DataFrame | None = None,
    launched: pd.Timestamp | None = None,
    title: str | None = None,
) -> go.Figure:
    """Core and precept patrol hours (stacked) against ASB, with operations shaded.

    Parameters
    ----------
    patrol : pandas.DataFrame or None
        ``week`` (weekly) or ``month`` (monthly), ``core_hours, precept_hours``; None
        when there is no deployment data (the chart then shows ASB alone).
    asb : pandas.Series
        ASB records per month, indexed by month.
    weekly : bool
        Patrol hours by week (ASB still monthly, drawn as steps across each month).
    operations : pandas.DataFrame, optional
        ``name, start, end`` of operations to shade.
    launched : pandas.Timestamp, optional
        The hub's launch date, marked with a labelled line.
    title : str, optional
        The chart title.
    """
    has_patrol = patrol is not None and not patrol.empty
    figure = make_subplots(specs=[[{"secondary_y": has_patrol}]])
    unit = "week" if weekly else "month"
    if has_patrol:
        x = patrol["week"] if weekly else patrol["month"].dt.to_timestamp()
        for column, name, colour in (
            ("core_hours", "Core-funded patrol hours", _CORE),
            ("precept_hours", "Precept-funded patrol hours", _PRECEPT),
        ):
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=patrol[column],
                    name=name,
                    mode="lines",
                    stackgroup="patrol",
                    line={"color": colour, "width": 1},
                    fillcolor=colour,
                    hovertemplate=f"%{{y:,.0f}} hours<extra>{name}</extra>",
                ),
                secondary_y=False,
            )
    months = pd.PeriodIndex(asb.index, freq="M")
    asb_x = months.to_timestamp()
    asb_y = asb.to_numpy(dtype=float)
    if weekly and len(months):
        # A step across each month: police.uk ASB has no day, so no weekly values exist.
        asb_x = asb_x.append(pd.DatetimeIndex([months[-1].end_time.normalize() + pd.Timedelta(days=1)]))
        asb_y = np.append(asb_y, asb_y[-1])
    figure.add_trace(
        go.Scatter(
            x=asb_x,
            y=asb_y,
            name="ASB incidents in the month" if weekly else "ASB incidents",
            mode="lines" if weekly else "lines+markers",
            line={"color": _ASB, "width": 3, "shape": "hv" if weekly else "linear"},
            marker={"symbol": "diamond", "size": 8},
            hovertemplate="%{y:,.0f} ASB in the month<extra></extra>",
        ),
        secondary_y=True if has_patrol else None,
    )
    shapes, labels = _operation_shading(operations) if operations is not None else ([], [])
    if launched is not None and pd.notna(launched):
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": launched,
                "x1": launched,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#333333", "dash": "dash", "width": 2},
            }
        )
        labels.append(
            {
                "x": launched,
                "y": 0.02,
                "xref": "x",
                "yref": "paper",
                "text": "Hub launched",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 13},
                "bgcolor": "rgba(255, 255, 255, 0.75)",
            }
        )
    style_figure(
        figure,
        500,
        title,
        # Short spans get one tick a month: plotly's automatic ticks would repeat month names.
        x={"tickformat": "%b %Y", **({"dtick": "M1"} if len(months) <= 14 else {})},
        y={"title": f"Patrol hours a {unit}" if has_patrol else "ASB a month", "rangemode": "tozero"},
        axes={
            "yaxis2": {
                "title": "ASB a month",
                "showgrid": False,
                "rangemode": "tozero",
                "tickmode": "auto",
                "nticks": 6,
            }
        }
        if has_patrol
        else None,
        hovermode="x unified",
        shapes=shapes,
        annotations=labels,
    )
    return figure


def lag_figure(correlations: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Correlation at each lag with its 95% interval, against a line at zero.

    Parameters
    ----------
    correlations : pandas.DataFrame
        From :func:`lagged_correlation`.
    title : str, optional
        The chart title.
    """
    shown = correlations.dropna(subset=["r"])
    figure = go.Figure(
        go.Scatter(
            x=shown["lag"],
            y=shown["r"],
            mode="markers",
            name="Correlation (95% interval)",
            marker={"size": 12, "color": _CORE, "symbol": "circle"},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": shown["ci_high"] - shown["r"],
                "arrayminus": shown["r"] - shown["ci_low"],
                "thickness": 2,
                "width": 6,
            },
            customdata=np.column_stack([shown["ci_low"], shown["ci_high"], shown["pairs"]]),
            hovertemplate=(
                "Lag %{x} months: r = %{y:.2f} (95% CI %{customdata[0]:.2f} to %{customdata[1]:.2f}), "
                "%{customdata[2]} pairs of months<extra></extra>"
            ),
        )
    )
    style_figure(
        figure,
        400,
        title,
        x={"title": "Lag in months (ASB this many months after patrol hours)", "dtick": 1},
        y={
            "title": "Correlation, r",
            "range": [-1, 1],
            "dtick": 0.25,
            "zeroline": True,
            "zerolinewidth": 2,
            "zerolinecolor": "#333333",
        },
    )
    return figure


def week_of_action_figure(result: WeekOfAction, title: str | None = None) -> go.Figure:
    """Weekly patrol hours before, during and after an operation, with the usual range shaded.

    The operation's weeks are hatched as well as coloured, and every window is
    named in the legend.
    """
    figure = go.Figure()
    styles = {
        "before": ("Before", PALETTE[4], ""),
        "operation": ("Operation", PALETTE[1], "/"),
        "after": ("After", PALETTE[2], ""),
    }
    for window, (name, colour, pattern) in styles.items():
        part = result.weeks.loc[result.weeks["window"] == window]
        if part.empty:
            continue
        figure.add_trace(
            go.Bar(
                x=part["week"],
                y=part["patrol_hours"],
                name=name,
                marker={"color": colour, "pattern": {"shape": pattern, "solidity": 0.4}},
                hovertemplate="Week of %{x|%d %b %Y}: %{y:,.0f} hours<extra>" + name + "</extra>",
            )
        )
    shapes, labels = [], []
    if math.isfinite(result.usual_low):
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": result.usual_low,
                "y1": result.usual_high,
                "fillcolor": "rgba(0, 0, 0, 0.08)",
                "line": {"color": "#555555", "dash": "dot", "width": 1},
                "layer": "above",
            }
        )
        labels.append(
            {
                "xref": "paper",
                "yref": "y",
                "x": 0,
                "y": result.usual_high,
                "text": "Usual range (95%, from the weeks before)",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 13},
                "bgcolor": "rgba(255, 255, 255, 0.8)",
            }
        )
    style_figure(
        figure,
        400,
        title,
        x={"title": "Week (Monday)", "tickformat": "%d %b %Y"},
        y={"title": "Patrol hours a week", "rangemode": "tozero"},
        bargap=0.15,
        shapes=shapes,
        annotations=labels,
    )
    return figure


def asb_around_figure(table: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Monthly ASB around an operation, with exact 95% Poisson intervals; the operation's month hatched."""
    figure = go.Figure()
    styles = {
        "before": ("Before", PALETTE[4], ""),
        "operation month": ("Operation", PALETTE[1], "/"),
        "after": ("After", PALETTE[2], ""),
    }
    for window, (name, colour, pattern) in styles.items():
        part = table.loc[table["window"] == window]
        if part.empty:
            continue
        figure.add_trace(
            go.Bar(
                x=pd.PeriodIndex(part["month"], freq="M").strftime("%b %Y"),
                y=part["asb"],
                name=name,
                marker={"color": colour, "pattern": {"shape": pattern, "solidity": 0.4}},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": part["ci_high"] - part["asb"],
                    "arrayminus": part["asb"] - part["ci_low"],
                    "color": "#333333",
                },
                hovertemplate="%{x}: %{y:,.0f} ASB<extra>" + name + "</extra>",
            )
        )
    style_figure(
        figure,
        400,
        title,
        x={"title": "Month (police.uk ASB is monthly)", "type": "category"},
        y={"title": "ASB a month", "rangemode": "tozero"},
        bargap=0.15,
    )
    return figure


# --------------------------------------------------------------------------- charts in words and tables
# Each chart above has a summary in words (alt text and caption) and a table view of its numbers.


def _week(day: pd.Timestamp) -> str:
    """A week by its Monday: 'week of 1 Jul 2019' (never just 'Jul 2019')."""
    return f"week of {day.day} {day:%b %Y}"


def _weekly_extremes(weekly: pd.DataFrame, column: str, what: str) -> str:
    points = weekly.dropna(subset=[column]).sort_values("week")
    if points.empty:
        return f"{what}: no values."
    high, low = points.loc[points[column].idxmax()], points.loc[points[column].idxmin()]
    last = points.iloc[-1]
    return (
        f"{what}, {_week(points['week'].iloc[0])} to {_week(last['week'])}: highest {_week(high['week'])} "
        f"({high[column]:,.0f}), lowest {_week(low['week'])} ({low[column]:,.0f}); "
        f"latest {_week(last['week'])} ({last[column]:,.0f})."
    )


def timeline_summary(
    patrol: pd.DataFrame | None,
    asb: pd.Series,
    *,
    weekly: bool,
    area: str,
    operations: pd.DataFrame | None = None,
    launched: pd.Timestamp | None = None,
) -> str:
    """The timeline chart in words: ASB and patrol hours (highest, lowest, latest), the precept share, operations.

    Parameters
    ----------
    patrol, asb, weekly, operations, launched
        As for :func:`timeline_figure`.
    area : str
        The area the chart is about, e.g. "Eden".

    Examples
    --------
    >>> asb = pd.Series([10.0, 30.0], index=pd.period_range("2020-01", periods=2, freq="M"))
    >>> patrol = pd.DataFrame({"month": asb.index, "core_hours": [90.0, 60.0], "precept_hours": [10.0, 40.0],
    ...                        "patrol_hours": [100.0, 100.0]})
    >>> timeline_summary(patrol, asb, weekly=False, area="Eden")
    'ASB incidents a month, Eden, Jan 2020 to Feb 2020: highest Feb 2020 (30), lowest Jan 2020 (10); latest Feb 2020 \
(30). Visible patrol hours a month, Jan 2020 to Feb 2020: highest Jan 2020 (100), lowest Jan 2020 (100); latest \
Feb 2020 (100). Precept-funded hours are 25% of the patrol hours shown.'
    """
    asb_table = asb.rename("asb").rename_axis("month").reset_index().dropna(subset=["asb"])
    sentences = [chart_summary(asb_table, x="month", y="asb", what=f"ASB incidents a month, {area}")]
    if patrol is not None and not patrol.empty:
        if weekly:
            sentences.append(_weekly_extremes(patrol, "patrol_hours", "Visible patrol hours a week"))
        else:
            shown = patrol.dropna(subset=["patrol_hours"])
            sentences.append(
                chart_summary(shown, x="month", y="patrol_hours", what="Visible patrol hours a month")
                if len(shown)
                else "Visible patrol hours a month: no month has them for every hub."
            )
        gaps = int(patrol["patrol_hours"].isna().sum())
        if gaps:
            unit = "week" if weekly else "month"
            sentences.append(f"{gaps} {unit}{'s' if gaps != 1 else ''} without patrol hours for every hub are gaps.")
        total = patrol["patrol_hours"].sum()
        if total > 0:
            sentences.append(
                f"Precept-funded hours are {patrol['precept_hours'].sum() / total:.0%} of the patrol hours shown."
            )
    if operations is not None and len(operations):
        sentences.append(f"{len(operations)} operation{'s are' if len(operations) != 1 else ' is'} shaded.")
    if launched is not None and pd.notna(launched):
        sentences.append(f"The hub launched on {launched.day} {launched:%b %Y}.")
    return " ".join(sentences)


def timeline_view(patrol: pd.DataFrame | None, asb: pd.Series, *, weekly: bool) -> pd.DataFrame:
    """The timeline chart as a table: per month (or week) the patrol hours and the month's ASB."""
    asb_table = asb.rename("asb").rename_axis("month").reset_index()
    hours = {"core_hours": "Core-funded patrol hours", "precept_hours": "Precept-funded patrol hours"}
    hours["patrol_hours"] = "Patrol hours"
    if patrol is None or patrol.empty:
        return table_view(asb_table, {"month": "Month", "asb": "ASB incidents"})
    patrol = patrol.drop(columns=["asb"], errors="ignore")
    if weekly:
        rows = patrol.assign(month=patrol["week"].dt.to_period("M")).merge(asb_table, on="month", how="left")
        rows = rows.assign(week=[f"{d.day} {d:%b %Y}" for d in rows["week"]])
        columns = {"week": "Week (Monday)", "month": "Month", **hours, "asb": "ASB incidents in the month"}
    else:
        rows = patrol.merge(asb_table, on="month", how="left")
        columns = {"month": "Month", **hours, "asb": "ASB incidents"}
    return table_view(rows.assign(**{c: rows[c].round(1) for c in hours}), columns)


def lag_summary(correlations: pd.DataFrame, area: str) -> str:
    """The lagged-correlation chart in words: the strongest lag with its interval, and how many intervals include 0.

    Examples
    --------
    >>> nan = float("nan")
    >>> correlations = pd.DataFrame({"lag": [0, 1, 2], "r": [0.1, -0.4, nan], "ci_low": [-0.2, -0.6, nan],
    ...                              "ci_high": [0.4, -0.1, nan], "pairs": [20, 19, 5]})
    >>> lag_summary(correlations, "Eden")
    'Correlation of monthly patrol hours with ASB 0 to 2 months later, Eden: strongest at a lag of 1 month (r = -0.40, \
95% interval -0.60 to -0.10); 1 of 2 intervals include zero. 1 lag has too few pairs of months.'
    """
    lags = correlations["lag"]
    head = f"Correlation of monthly patrol hours with ASB {lags.min()} to {lags.max()} months later, {area}"
    if lags.min() < 0:
        head += " (a negative lag: ASB first)"
    shown = correlations.dropna(subset=["r"])
    if shown.empty:
        return f"{head}: too few months for a correlation at any lag."
    best = shown.loc[shown["r"].abs().idxmax()]
    unit = "month" if abs(best["lag"]) == 1 else "months"
    text = f"{head}: strongest at a lag of {int(best['lag'])} {unit} (r = {best['r']:.2f}"
    if math.isfinite(best["ci_low"]):
        text += f", 95% interval {best['ci_low']:.2f} to {best['ci_high']:.2f})"
    else:
        text += ", too few months for an interval)"
    with_ci = shown.loc[np.isfinite(shown["ci_low"])]
    if len(with_ci):
        zero = int(((with_ci["ci_low"] <= 0) & (with_ci["ci_high"] >= 0)).sum())
        text += f"; {zero} of {len(with_ci)} intervals include zero."
    else:
        text += "."
    missing = len(correlations) - len(shown)
    if missing:
        text += f" {missing} lag{'s have' if missing != 1 else ' has'} too few pairs of months."
    return text


def lag_view(correlations: pd.DataFrame) -> pd.DataFrame:
    """The lagged-correlation chart as a table: r and its 95% interval at each lag, with the pairs used."""
    rounded = correlations.assign(
        r=correlations["r"].round(3),
        ci_low=correlations["ci_low"].round(3),
        ci_high=correlations["ci_high"].round(3),
        n_eff=correlations["n_eff"].round(1),
    )
    return table_view(
        rounded,
        {
            "lag": "Lag (months)",
            "r": "Correlation r",
            "ci_low": "95% low",
            "ci_high": "95% high",
            "pairs": "Pairs of months",
            "n_eff": "Effective pairs",
            "note": "Note",
        },
    )


def week_of_action_summary(result: WeekOfAction, name: str) -> str:
    """The Week of Action patrol chart in words: the mean before, during and after, and the usual range.

    Examples
    --------
    >>> weeks = pd.DataFrame({"week": pd.date_range("2020-06-22", periods=7, freq="W-MON"),
    ...                       "patrol_hours": [100.0, 104.0, 96.0, 100.0, 200.0, 120.0, 100.0]})
    >>> result = week_of_action(weeks, pd.Timestamp("2020-07-20"), pd.Timestamp("2020-07-26"), 4)
    >>> week_of_action_summary(result, "Op X")
    "Patrol hours a week around Op X: 4 weeks before averaged 100; the operation's 1 week 200, above the usual range \
(88 to 112); 2 weeks after averaged 110."
    """
    weeks = result.weeks
    counts = {w: int((weeks["window"] == w).sum()) for w in ("before", "operation", "after")}

    def n(k: int) -> str:
        return f"{k} week{'s' if k != 1 else ''}"

    parts = []
    if counts["before"]:
        parts.append(f"{n(counts['before'])} before averaged {result.before_mean:,.0f}")
    during = f"the operation's {n(counts['operation'])} {result.operation_mean:,.0f}"
    if math.isfinite(result.usual_low):
        during += f", {result.position} the usual range ({result.usual_low:,.0f} to {result.usual_high:,.0f})"
    else:
        during += " (too few weeks before for a usual range)"
    parts.append(during)
    if counts["after"]:
        parts.append(f"{n(counts['after'])} after averaged {result.after_mean:,.0f}")
    return f"Patrol hours a week around {name}: " + "; ".join(parts) + "."


def week_of_action_view(result: WeekOfAction) -> pd.DataFrame:
    """The Week of Action patrol chart as a table: each week, its window and patrol hours."""
    weeks = result.weeks
    return table_view(
        weeks.assign(
            week=[f"{d.day} {d:%b %Y}" for d in weeks["week"]],
            patrol_hours=weeks["patrol_hours"].round(1),
        ),
        {"week": "Week (Monday)", "window": "Window", "patrol_hours": "Patrol hours"},
    )


def asb_around_summary(table: pd.DataFrame, name: str) -> str:
    """The ASB-around-an-operation chart in words: the operation month against the months either side.

    Examples
    --------
    >>> table = pd.DataFrame({"month": pd.period_range("2020-06", periods=3, freq="M"), "asb": [10.0, 16.0, 12.0],
    ...                       "ci_low": [4.8, 9.1, 6.2], "ci_high": [18.4, 26.0, 21.0],
    ...                       "window": ["before", "operation month", "after"]})
    >>> asb_around_summary(table, "Op X")
    'ASB a month around Op X, Jun 2020 to Aug 2020: highest Jul 2020 (16), lowest Jun 2020 (10); latest Aug 2020 (12). \
Operation month Jul 2020: 16 (95% interval 9 to 26); the 1 month before averaged 10, the 1 month after 12.'
    """
    text = chart_summary(table, x="month", y="asb", what=f"ASB a month around {name}")
    during = table.loc[table["window"] == "operation month"]
    if len(during):
        row = during.iloc[0]
        text += (
            f" Operation month {row['month']:%b %Y}: {row['asb']:,.0f} "
            f"(95% interval {row['ci_low']:,.0f} to {row['ci_high']:,.0f})"
        )
        sides = []
        for window in ("before", "after"):
            part = table.loc[table["window"] == window, "asb"]
            if len(part):
                label = f"the {len(part)} month{'s' if len(part) != 1 else ''} {window}"
                sides.append(f"{label} averaged {part.mean():,.0f}" if not sides else f"{label} {part.mean():,.0f}")
        text += ("; " + ", ".join(sides) if sides else "") + "."
    return text


def asb_around_view(table: pd.DataFrame) -> pd.DataFrame:
    """The ASB-around-an-operation chart as a table: each month's ASB with its exact 95% interval."""
    return table_view(
        table.assign(
            asb=table["asb"].round().astype("Int64"), ci_low=table["ci_low"].round(1), ci_high=table["ci_high"].round(1)
        ),
        {"month": "Month", "window": "Window", "asb": "ASB incidents", "ci_low": "95% low", "ci_high": "95% high"},
    )
