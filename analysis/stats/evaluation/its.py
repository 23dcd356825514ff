"""Interrupted time series: each hub against its own trend and season, and pooled across hubs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.schema import ASB
from analysis.stats.evaluation.fitting import _dummies, _fit_poisson, _interval, _season
from analysis.stats.evaluation.panel import (
    _NO_LAUNCH,
    _known_launches,
    _Panel,
    _panel,
)
from analysis.stats.evaluation.results import (
    MIN_MONTHS_AFTER,
    MIN_MONTHS_BEFORE,
    Estimate,
    HubEstimate,
    InsufficientData,
    _month_text,
)

__all__ = ["its_hub", "its_by_hub", "pooled_its"]

_ASSUME_ITS = (
    "Without the launch, ASB in each hub would have carried on along its own straight-line "
    "trend and usual seasonal pattern.",
    "Nothing else that moves ASB (a recording change, a big event, another initiative) "
    "happened at the same time as the launch.",
    "The launch changed ASB by a one-off step from the launch month onward that then stayed "
    "the same; the launch month counts as 'after'.",
    "Once trend and season are allowed for, one month's count does not carry over into the "
    "next; strong carry-over would make the interval too narrow.",
)


# --------------------------------------------------------------------------- ITS


def _months_around(obs: np.ndarray, launch_idx: int) -> tuple[int, int]:
    idx = np.flatnonzero(obs)
    return int(np.sum(idx < launch_idx)), int(np.sum(idx >= launch_idx))


def _its_hub(
    panel: _Panel,
    hub: str,
    launch: pd.Period | None,
    *,
    min_before: int = MIN_MONTHS_BEFORE,
    min_after: int = MIN_MONTHS_AFTER,
) -> HubEstimate:
    method = "Interrupted time series (quasi-Poisson regression: trend, season, step at launch)"
    if launch is None:
        return HubEstimate(hub, None, None, None, None, 0, 0, method, "Launch date unknown.")
    h = panel.hubs.index(hub)
    y = panel.y[h]
    obs = np.isfinite(y)
    launch_idx = panel.index(launch)
    before, after = _months_around(obs, launch_idx)
    launched = panel.launched.get(hub)
    if before < min_before or after < min_after:
        reason = (
            f"Only {before} month(s) of data before launch and {after} from launch onward; "
            f"at least {min_before} before and {min_after} after are needed."
        )
        return HubEstimate(hub, launched, None, None, None, before, after, method, reason)
    if np.nansum(y) == 0:
        return HubEstimate(hub, launched, None, None, None, before, after, method, "No recorded incidents.")
    t_idx = np.flatnonzero(obs)
    moy = np.array([panel.months[i].month for i in t_idx])
    trend = (t_idx - launch_idx) / 12.0
    step = (t_idx >= launch_idx).astype(float)
    season, season_name = _season(moy, t_idx[-1] - t_idx[0] + 1)
    X = np.column_stack([np.ones(len(t_idx)), trend, season, step])
    try:
        params, cov, df = _fit_poisson(y[obs], X, cov="quasi")
        effect, low, high = _interval(params[-1], math.sqrt(cov[-1, -1]), df[0])
    except InsufficientData as exc:
        return HubEstimate(hub, launched, None, None, None, before, after, method, str(exc))
    X0 = X.copy()
    X0[:, -1] = 0.0
    eta0 = X0 @ params
    se0 = np.sqrt(np.einsum("ij,jk,ik->i", X0, cov, X0))
    from scipy import special  # the t quantile scipy.stats.t.ppf gives; imported when needed

    q = float(special.stdtrit(df[0], 0.975))
    series = pd.DataFrame(
        {
            "month": panel.months[t_idx],
            "observed": y[obs],
            "fitted": np.exp(X @ params),
            "counterfactual": np.exp(eta0),
            "cf_low": np.exp(eta0 - q * se0),
            "cf_high": np.exp(eta0 + q * se0),
            "after_launch": step.astype(bool),
        }
    )
    method = f"Interrupted time series (quasi-Poisson regression: trend, {season_name}, step at launch)"
    return HubEstimate(hub, launched, effect, low, high, before, after, method, None, series)


def its_hub(counts: pd.DataFrame, hubs: pd.DataFrame, hub: str, *, outcome: str = ASB) -> HubEstimate:
    """Interrupted time series for one hub.

    A Poisson regression of the hub's monthly counts on a linear trend, seasonal
    terms (11 month-of-year dummies with 24+ months of data, otherwise one annual
    sine/cosine wave) and a step from the launch month onward. Standard errors are
    scaled by the Pearson dispersion (quasi-Poisson, never below Poisson) and the
    interval uses Student's t with the residual degrees of freedom, so
    over-dispersed counts do not give falsely narrow intervals.

    Parameters
    ----------
    counts : pandas.DataFrame
        ``hub, month (Period M), crime_type, count``; a full grid including zeros.
    hubs : pandas.DataFrame
        ``hub, launched`` (datetime, NaT when unknown).
    hub : str
        The hub to estimate.
    outcome : str, default ASB
        The crime type to model.

    Returns
    -------
    HubEstimate
        The change at launch, or (``effect_pct`` None) the reason there is none.

    Raises
    ------
    InsufficientData
        When the hub has no launch date or too few months around it.
    """
    panel = _panel(counts, hubs, outcome)
    if hub not in panel.hubs:
        raise ValueError(f"`hub` {hub!r} is not in the data; hubs are {', '.join(panel.hubs)}.")
    result = _its_hub(panel, hub, panel.launch.get(hub))
    if result.reason is not None:
        raise InsufficientData(f"{hub}: {result.reason}")
    return result


def its_by_hub(counts: pd.DataFrame, hubs: pd.DataFrame, *, outcome: str = ASB) -> list[HubEstimate]:
    """Interrupted time series for every hub (see :func:`its_hub`).

    Hubs that cannot be estimated are listed with a reason and no number.
    "Unassigned" is excluded.

    Parameters
    ----------
    counts, hubs : pandas.DataFrame
        As for :func:`evaluate`.
    outcome : str, default ASB
        The crime type to model.

    Returns
    -------
    list of HubEstimate
        One per hub, in name order.
    """
    panel = _panel(counts, hubs, outcome)
    return [_its_hub(panel, h, panel.launch.get(h)) for h in panel.hubs]


def _pooled_its(panel: _Panel, launches: dict[str, pd.Period]) -> Estimate:
    rows_y, rows_hub, rows_t, rows_step, used, before_n, after_n, skipped = [], [], [], [], [], [], [], {}
    for hub, launch in sorted(launches.items()):
        h = panel.hubs.index(hub)
        obs = np.isfinite(panel.y[h])
        launch_idx = panel.index(launch)
        before, after = _months_around(obs, launch_idx)
        if before < MIN_MONTHS_BEFORE or after < MIN_MONTHS_AFTER:
            skipped[hub] = f"{before} months before launch and {after} after"
            continue
        if np.nansum(panel.y[h]) == 0:
            skipped[hub] = "no recorded incidents"
            continue
        t_idx = np.flatnonzero(obs)
        rows_y.append(panel.y[h, t_idx])
        rows_hub.append(np.full(len(t_idx), len(used)))
        rows_t.append(t_idx)
        rows_step.append((t_idx >= launch_idx).astype(float))
        used.append(hub)
        before_n.append(before)
        after_n.append(after)
    if not used:
        raise InsufficientData(
            f"No hub has at least {MIN_MONTHS_BEFORE} months of data before its launch and "
            f"{MIN_MONTHS_AFTER} from launch onward, so the pooled time series cannot be estimated."
        )
    y = np.concatenate(rows_y)
    hub_code = np.concatenate(rows_hub)
    t_idx = np.concatenate(rows_t)
    step = np.concatenate(rows_step)
    moy = np.array([panel.months[i].month for i in t_idx])
    centre = t_idx.mean()
    hub_fe = _dummies(hub_code)
    trends = hub_fe * ((t_idx - centre) / 12.0)[:, None]
    season, season_name = _season(moy, int(t_idx.max() - t_idx.min() + 1))
    X = np.column_stack([hub_fe, trends, season, step])
    params, cov, df = _fit_poisson(y, X, cov="hc1")
    beta, se = float(params[-1]), math.sqrt(cov[-1, -1])
    effect, low, high = _interval(beta, se, df[0])
    return Estimate(
        effect_pct=effect,
        ci_low_pct=low,
        ci_high_pct=high,
        method=(
            "Pooled interrupted time series (Poisson regression with a level and trend per hub, "
            f"{season_name} and one common step at each hub's launch; robust HC1 standard errors)"
        ),
        months_before=int(min(before_n)),
        months_after=int(min(after_n)),
        first_month=_month_text(panel.months[int(t_idx.min())]),
        last_month=_month_text(panel.months[int(t_idx.max())]),
        assumptions=_ASSUME_ITS,
        log_ratio=beta,
        std_error=se,
        details={"hubs": used, "hubs_left_out": skipped},
    )


def pooled_its(counts: pd.DataFrame, hubs: pd.DataFrame, *, outcome: str = ASB) -> Estimate:
    """Pooled interrupted time series across hubs: one common step at each launch.

    A Poisson regression of monthly counts with a level and a linear trend per hub,
    common month-of-year terms and one step from each hub's launch month onward.
    Standard errors are heteroskedasticity-robust (HC1), so hubs of different sizes
    and over-dispersed counts do not give falsely narrow intervals. Hubs with fewer
    than 12 months before launch or 6 after are left out (listed in ``details``).

    Parameters
    ----------
    counts, hubs : pandas.DataFrame
        As for :func:`evaluate`.
    outcome : str, default ASB
        The crime type to model.

    Returns
    -------
    Estimate
        The common change at launch.

    Raises
    ------
    InsufficientData
        When no hub has enough months around a known launch.
    """
    panel = _panel(counts, hubs, outcome)
    launches = _known_launches(panel)
    if not launches:
        raise InsufficientData(_NO_LAUNCH)
    return _pooled_its(panel, launches)
