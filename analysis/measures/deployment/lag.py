"""Do patrol hours and ASB move together? Their lagged correlation, with an interval for autocorrelated series.

A correlation is not an effect: patrols are sent where ASB is high, so the two move together
for reasons other than patrols changing ASB. The correlation here is of detrended,
deseasonalised series, with a 95% interval that allows for the autocorrelation left in them.
No streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.figures.chart import Chart
from analysis.figures.deployment import lag_figure
from analysis.stats.intervals import effective_pairs, fisher_interval
from analysis.text.a11y import table_view

__all__ = ["deseasonalise", "lag_summary", "lag_view", "lagged_correlation", "MIN_PAIRS"]


#: Fewest pairs of months a lagged correlation accepts.
MIN_PAIRS = 12


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


# --------------------------------------------------------------------------- the lagged correlation of the page

#: How the page's correlation is worked out, and what it is not.
LAG_NOTE = (
    "How: monthly patrol hours and monthly ASB (police.uk has no weekly ASB, so lags are in months) each "
    "have a linear trend and, with 24 months or more, month-of-year means removed, so shared trends and "
    "seasons do not count. The 95% interval is Fisher's z with the number of months reduced for the "
    "autocorrelation left in both series and for the terms removed. **A correlation is not an effect**: "
    "patrols are sent where and when ASB is high, which by itself makes the two move together."
)


@dataclass(frozen=True)
class Lags:
    """The lagged correlation of an area's monthly patrol hours and ASB, as a chart and its strongest lag in words.

    ``strongest`` is None when no lag has enough months for a correlation.
    """

    correlations: pd.DataFrame
    chart: Chart
    strongest: str | None


def strongest_lag(correlations: pd.DataFrame) -> str | None:
    """The strongest correlation in words, with its interval and whether it includes zero; None without any.

    Examples
    --------
    >>> correlations = pd.DataFrame({"lag": [0, 1], "r": [0.1, -0.5], "ci_low": [-0.2, -0.7],
    ...                              "ci_high": [0.4, -0.2], "pairs": [20, 19]})
    >>> strongest_lag(correlations)
    'The strongest correlation is at a lag of **1 months**: r = -0.50 (95% interval -0.70 to -0.20, 19 pairs). \
Its interval excludes zero, but with this many lags one can do so by chance.'
    """
    if not correlations["r"].notna().any():
        return None
    best = correlations.loc[correlations["r"].abs().idxmax()]
    finite = math.isfinite(best["ci_low"])
    covers = best["ci_low"] <= 0 <= best["ci_high"] if finite else True
    return (
        f"The strongest correlation is at a lag of **{int(best['lag'])} months**: r = {best['r']:.2f} "
        + (
            f"(95% interval {best['ci_low']:.2f} to {best['ci_high']:.2f}, {int(best['pairs'])} pairs). "
            if finite
            else f"({int(best['pairs'])} pairs; too few for an interval). "
        )
        + (
            "Its interval includes zero: no clear relationship."
            if covers
            else "Its interval excludes zero, but with this many lags one can do so by chance."
        )
    )


def patrol_asb_lags(by_month: pd.DataFrame, area: str, *, both_ways: bool) -> Lags:
    """Patrol hours against ASB 0 to 8 months later (-8 to 8 with ``both_ways``) for one area.

    ``by_month`` holds the area's ``month, patrol_hours, asb`` (as
    :attr:`analysis.measures.deployment.timeline.AreaView.by_month`); ``area`` names it.
    """
    series = by_month.set_index("month")
    lags = range(-8, 9) if both_ways else range(0, 9)
    correlations = lagged_correlation(series["patrol_hours"], series["asb"], lags)
    chart = Chart(
        lag_figure(correlations, title=f"Patrol hours against ASB some months later, {area}"),
        lag_view(correlations),
        lag_summary(correlations, area),
        "dep_lag",
        "lagged_correlation.csv",
    )
    return Lags(correlations, chart, strongest_lag(correlations))
