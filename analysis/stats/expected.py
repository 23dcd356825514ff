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


def _design(ordinals: np.ndarray, origin: int, trend: bool, seasonal: bool) -> np.ndarray:
    """Level, trend in years since ``origin`` and month-of-year dummies, from monthly period ordinals."""
    t = (np.asarray(ordinals) - origin).astype(float) / 12.0
    columns = [np.ones(len(t))]
    if trend:
        columns.append(t)
    if seasonal:
        moy = np.asarray(ordinals) % 12 + 1  # ordinal 0 is January 1970
        columns += [(moy == k).astype(float) for k in range(2, 13)]
    return np.column_stack(columns)


def _month(ordinal: int) -> pd.Period:
    return pd.Period(ordinal=int(ordinal), freq="M")


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
    columns = ["hub", "month", "observed", "expected", "low", "high", "position", "history_months", "model"]
    # One pass over the rows, then each hub's months as arrays (no pandas per hub).
    codes, hubs = pd.factorize(monthly["hub"], sort=False)
    ordinals = np.asarray(pd.PeriodIndex(monthly["month"], freq="M").asi8)
    values = monthly[measure].to_numpy(dtype="float64")
    order = np.lexsort((ordinals, codes))
    bounds = np.searchsorted(codes[order], np.arange(len(hubs) + 1))
    now = latest.ordinal
    rows = []
    for h, hub in enumerate(hubs):
        mine = order[bounds[h] : bounds[h + 1]]
        hub_months, hub_values = ordinals[mine], values[mine]
        at_latest = hub_values[hub_months == now]
        observed = float(at_latest[0]) if len(at_latest) else math.nan
        # Fitted on the months supplied only: a month not supplied is not a zero to fit.
        used = (hub_months < now) & (hub_months >= now - max_history) & ~np.isnan(hub_values)
        history_months, history = hub_months[used], hub_values[used]
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
        origin = int(history_months[0])
        X = _design(history_months, origin, trend, seasonal)
        x_new = _design(np.array([now]), origin, trend, seasonal)[0]
        # A perfectly flat history "separates" perfectly; the fit is still right.
        fit = poisson_glm(history, X)
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
            f"Quasi-Poisson on {n} supplied months ({month_span(_month(origin), _month(history_months[-1]))}): "
            + ", ".join(parts)
            + ("" if seasonal else " (not seasonal: fewer than 24 months)")
            + f"; over-dispersion {phi:.1f}."
        )
        rows.append(row | {"expected": mu, "low": low, "high": high, "position": position, "model": model})
    return pd.DataFrame(rows, columns=columns)
