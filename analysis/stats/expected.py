"""The range a month's count is expected in, from its own history (a quasi-Poisson prediction interval).

No streamlit here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.stats.glm import poisson_glm
from analysis.stats.intervals import Z95
from analysis.text.changes import month_span

__all__ = ["expected_range", "MIN_HISTORY"]


#: Fewest months of history before the latest month that an expected range accepts.
MIN_HISTORY = 6


def _design(months: pd.PeriodIndex, origin: pd.Period, trend: bool, seasonal: bool) -> np.ndarray:
    t = np.array([(m - origin).n for m in months], dtype=float) / 12.0
    columns = [np.ones(len(months))]
    if trend:
        columns.append(t)
    if seasonal:
        moy = np.array([m.month for m in months])
        columns += [(moy == k).astype(float) for k in range(2, 13)]
    return np.column_stack(columns)


def expected_range(
    monthly: pd.DataFrame,
    measure: str,
    latest: pd.Period,
    *,
    min_history: int = MIN_HISTORY,
    max_history: int = 36,
) -> pd.DataFrame:
    """Per hub: the latest month's count against the range expected from the hub's own history.

    A quasi-Poisson regression on up to ``max_history`` months before ``latest``:
    a level only with fewer than 12 months, plus a linear trend from 12 months, plus
    month-of-year terms from 24 months (so the range is seasonal only then). The
    95% prediction interval for the latest month is
    ``mu +/- 1.96 * sqrt(phi * mu + mu**2 * var(log mu))``, with ``phi`` (at least 1)
    the over-dispersion, floored at zero.

    Parameters
    ----------
    monthly : pandas.DataFrame
        ``hub, month, <measure>``; history before the chosen period is used.
    measure : str
        The count column.
    latest : pandas.Period
        The month judged.
    min_history, max_history : int
        Fewest and most months of history used.

    Returns
    -------
    pandas.DataFrame
        ``hub, month, observed, expected, low, high, position, history_months, model``
        where ``position`` is "above", "within" or "below", or "not available" with the
        reason in ``model``.
    """
    # Imported here: statsmodels is a heavy import that only a fitted model needs (not the first page).

    columns = ["hub", "month", "observed", "expected", "low", "high", "position", "history_months", "model"]
    rows = []
    for hub, part in monthly.groupby("hub", sort=False):
        by_month = part.set_index("month")[measure].astype(float)
        observed = float(by_month.get(latest, math.nan))
        history = by_month.loc[(by_month.index < latest) & (by_month.index >= latest - max_history)].sort_index()
        # Fitted on the months supplied only: a month not supplied is not a zero to fit.
        history = history.dropna()
        n = len(history)
        row = {"hub": hub, "month": latest, "observed": observed, "history_months": n}
        if n < min_history or not math.isfinite(observed):
            reason = (
                f"Not available: needs {min_history} supplied months before {latest.strftime('%b %Y')}, "
                f"the data have {n}."
                if n < min_history
                else f"Not available: {latest} not supplied."
            )
            rows.append(row | {"expected": math.nan, "low": math.nan, "high": math.nan, "position": "not available"})
            rows[-1]["model"] = reason
            continue
        if history.sum() == 0:
            rows.append(
                row
                | {
                    "expected": 0.0,
                    "low": 0.0,
                    "high": 0.0,
                    "position": "above" if observed > 0 else "within",
                    "model": f"No records in the {n} months before.",
                }
            )
            continue
        trend, seasonal = n >= 12, n >= 24
        months = pd.PeriodIndex(history.index, freq="M")
        X = _design(months, months[0], trend, seasonal)
        x_new = _design(pd.PeriodIndex([latest], freq="M"), months[0], trend, seasonal)[0]
        # A perfectly flat history "separates" perfectly; the fit is still right.
        fit = poisson_glm(history.to_numpy(), X)
        # Over-dispersion from the Pearson statistic, at least 1 (a perfect fit gives 0).
        dispersion = float(fit.pearson_chi2) / fit.df_resid if fit.df_resid > 0 else 1.0
        phi = max(1.0, dispersion) if math.isfinite(dispersion) else 1.0
        cov = fit.normalized_cov * phi
        eta = float(x_new @ fit.params)
        var_eta = float(x_new @ cov @ x_new.T)
        mu = math.exp(eta)
        half = Z95 * math.sqrt(phi * mu + mu * mu * var_eta)
        low, high = max(0.0, mu - half), mu + half
        position = "above" if observed > high else "below" if observed < low else "within"
        parts = ["level"] + (["trend"] if trend else []) + (["month of year"] if seasonal else [])
        model = (
            f"Quasi-Poisson on {n} supplied months ({month_span(months[0], months[-1])}): "
            + ", ".join(parts)
            + ("" if seasonal else " (not seasonal: fewer than 24 months)")
            + f"; over-dispersion {phi:.1f}."
        )
        rows.append(row | {"expected": mu, "low": low, "high": high, "position": position, "model": model})
    return pd.DataFrame(rows, columns=columns)
