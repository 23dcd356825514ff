"""Dose-response: ASB against patrol hours (an association, not proof of cause)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.schema import ASB, UNASSIGNED
from analysis.stats.evaluation.fitting import _dummies, _fit_poisson, _pct, _season
from analysis.stats.evaluation.panel import (
    _as_period,
    _check_columns,
    _Panel,
    _panel,
)
from analysis.stats.evaluation.results import (
    MIN_MONTHS_AFTER,
    MIN_MONTHS_BEFORE,
    DoseResponse,
    InsufficientData,
    _month_text,
)

__all__ = ["dose_response"]

_CAVEAT_DOSE = (
    "This is an association, not proof that patrols cause the change: patrols are sent where "
    "and when ASB is high, and patrol hours rose when the hubs launched, so the figure mixes "
    "any effect of patrols with those choices and with everything else the launch changed."
)


# --------------------------------------------------------------------------- dose-response


def _dose_response(panel: _Panel, patrol: pd.DataFrame) -> DoseResponse:
    _check_columns(patrol, "patrol", ("hub", "month", "patrol_hours"))
    frame = patrol.loc[patrol["hub"].astype("str") != UNASSIGNED, ["hub", "month", "patrol_hours"]]
    frame = frame.assign(hub=frame["hub"].astype("str"), month=_as_period(frame["month"]))
    frame = frame.groupby(["hub", "month"], as_index=False)["patrol_hours"].sum()
    frame = frame.loc[frame["hub"].isin(panel.hubs) & frame["month"].between(panel.months[0], panel.months[-1])]
    frame = frame.assign(
        count=[panel.y[panel.hubs.index(h), panel.index(m)] for h, m in zip(frame["hub"], frame["month"], strict=True)]
    )
    frame = frame.loc[np.isfinite(frame["count"]) & (frame["patrol_hours"] > 0) & np.isfinite(frame["patrol_hours"])]
    frame = frame.assign(log_patrol=np.log(frame["patrol_hours"]))
    varies = frame.groupby("hub")["log_patrol"].transform("std").fillna(0) > 1e-9
    totals = frame.groupby("hub")["count"].transform("sum") > 0
    frame = frame.loc[varies & totals]
    n_months = frame["month"].nunique()
    if n_months < MIN_MONTHS_BEFORE + MIN_MONTHS_AFTER:
        raise InsufficientData(
            f"Patrol hours and ASB overlap in only {n_months} month(s) with patrol hours that vary; "
            f"at least {MIN_MONTHS_BEFORE + MIN_MONTHS_AFTER} are needed."
        )
    hub_code, hub_names = pd.factorize(frame["hub"], sort=True)
    t_idx = np.array([panel.index(m) for m in frame["month"]])
    moy = np.array([m.month for m in frame["month"]])
    season, season_name = _season(moy, int(t_idx.max() - t_idx.min() + 1))
    trend = (t_idx - t_idx.mean()) / 12.0
    X = np.column_stack([_dummies(hub_code), trend, season, frame["log_patrol"].to_numpy()])
    params, cov, df = _fit_poisson(frame["count"].to_numpy(dtype=float), X, cov="hc1")
    beta, se = float(params[-1]), math.sqrt(cov[-1, -1])
    from scipy import special  # the t quantile scipy.stats.t.ppf gives; imported when needed

    q = float(special.stdtrit(df[0], 0.975))
    lo, hi = beta - q * se, beta + q * se
    per10 = math.log(1.1)
    return DoseResponse(
        elasticity=beta,
        elasticity_ci_low=lo,
        elasticity_ci_high=hi,
        effect_per_10pct_pct=_pct(beta * per10),
        ci_low_pct=_pct(lo * per10),
        ci_high_pct=_pct(hi * per10),
        months=len(frame),
        first_month=_month_text(frame["month"].min()),
        last_month=_month_text(frame["month"].max()),
        hubs=tuple(str(h) for h in hub_names),
        method=(
            "Poisson regression of monthly ASB on log visible patrol hours, with a level per hub, "
            f"a common linear trend and {season_name}; robust HC1 standard errors"
        ),
        assumptions=(
            "Differences in patrol hours within a hub from month to month are compared after "
            "allowing for each hub's usual level, the season and a common trend.",
            "ASB changes in proportion to patrol hours raised to a fixed power (the elasticity), "
            "the same in every hub.",
            "One month's count does not carry over into the next once these are allowed for.",
        ),
        caveat=_CAVEAT_DOSE,
    )


def dose_response(
    counts: pd.DataFrame, patrol: pd.DataFrame, *, outcome: str = ASB, hubs: pd.DataFrame | None = None
) -> DoseResponse:
    """ASB against visible patrol hours: an elasticity, associational only.

    A Poisson regression of monthly counts on log patrol hours, with a level per
    hub, a common linear trend and month-of-year terms, and robust (HC1) standard
    errors. The coefficient is an elasticity: ASB changes by about ``b``% for 1%
    more patrol hours; reported as the % change for 10% more, ``1.1**b - 1``.
    Hub-months with no patrol hours (log undefined) and hubs whose patrol hours
    never vary are left out.

    Parameters
    ----------
    counts : pandas.DataFrame
        As for :func:`evaluate`.
    patrol : pandas.DataFrame
        ``hub, month (Period M), patrol_hours``.
    outcome : str, default ASB
        The crime type to model.
    hubs : pandas.DataFrame, optional
        The hubs table (only used to list hubs; launch dates are not needed).

    Returns
    -------
    DoseResponse
        The elasticity with its interval, months covered and caveat.

    Raises
    ------
    InsufficientData
        When fewer than 18 months of varying patrol hours overlap the counts.
    """
    if hubs is None:
        hubs = pd.DataFrame({"hub": pd.Series(dtype="str"), "launched": pd.Series(dtype="datetime64[ns]")})
    return _dose_response(_panel(counts, hubs, outcome), patrol)
