"""Stacked difference-in-differences with not-yet-launched controls, and its event study."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.schema import ASB
from analysis.stats.evaluation.fitting import _dummies, _fit_poisson, _interval
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
    EventStudyPoint,
    InsufficientData,
    _month_text,
)

__all__ = ["stacked_did", "event_study"]


def _assume_did(pre: int, post: int) -> tuple[str, ...]:
    return (
        "Hubs that had not launched yet show what would have happened in the launching hub "
        f"without its launch: before launch their ASB moved in step (checked over {pre} months "
        "before each launch, and by the event study and placebo checks).",
        "Nothing else that moves ASB (a recording change, a big event, another initiative) "
        "happened in the launching hub at the same time as its launch.",
        f"The estimate is the average change over the first {post} months after launch "
        "(the launch month counts as 'after'); the effect later on may differ.",
        "ASB did not change ahead of a launch in anticipation of it, and one hub's launch did "
        "not move ASB in the hubs used for comparison.",
        "Once hub, month and season are allowed for, one month's count does not carry over "
        "into the next; strong carry-over would make the interval too narrow.",
    )


# --------------------------------------------------------------------------- stacked DiD


@dataclass(frozen=True)
class _Stack:
    y: np.ndarray
    unit: np.ndarray  # sub-experiment x hub code
    time: np.ndarray  # sub-experiment x month code
    cohort_of_time: np.ndarray  # sub-experiment of each time code
    cluster: np.ndarray  # original hub x month code
    treated_rel: np.ndarray  # months since launch for treated rows, else a sentinel
    treated: np.ndarray  # bool
    cohorts: list[dict[str, Any]]
    skipped: dict[str, str]
    first: int
    last: int


_NOT_TREATED = -10_000


def _stack(panel: _Panel, launches: dict[str, pd.Period], pre: int, post: int) -> _Stack:
    """Build the stacked clean-control data: one sub-experiment per launch month."""
    n_months = len(panel.months)
    by_month: dict[pd.Period, list[str]] = {}
    for hub, launch in launches.items():
        by_month.setdefault(launch, []).append(hub)
    parts: list[dict[str, np.ndarray]] = []
    cohorts: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    for launch in sorted(by_month):
        g = panel.index(launch)
        lo, hi = g - pre, g + post - 1
        label = _month_text(launch)
        if lo < 0 or hi >= n_months:
            have_before, have_after = max(min(g, n_months), 0), max(n_months - max(g, 0), 0)
            skipped[label] = (
                f"{have_before} month(s) of data before this launch and {have_after} from it onward; "
                f"{pre} before and {post} after are needed."
            )
            continue
        # A hub takes part when most of its window was supplied: at least half the months before
        # launch and half from launch onward. Months not supplied are left out (never zeros).
        finite = np.isfinite(panel.y)
        full = (finite[:, lo:g].sum(axis=1) >= (pre + 1) // 2) & (finite[:, g : hi + 1].sum(axis=1) >= (post + 1) // 2)
        treated = [h for h in sorted(by_month[launch]) if full[panel.hubs.index(h)]]
        controls = [
            h for h, other in sorted(launches.items()) if other > launch + (post - 1) and full[panel.hubs.index(h)]
        ]
        if not treated:
            skipped[label] = "the launching hub(s) have too many months not supplied around launch."
            continue
        if not controls:
            skipped[label] = f"no hub was still waiting to launch {post} months later, so there is no clean comparison."
            continue
        k = len(cohorts)
        members = treated + controls
        rows = np.array([panel.hubs.index(h) for h in members])
        months = np.arange(lo, hi + 1)
        hh, mm = np.meshgrid(rows, months, indexing="ij")
        is_treated = np.repeat(np.array([h in treated for h in members]), len(months))
        rel = np.where(is_treated, mm.ravel() - g, _NOT_TREATED)
        parts.append(
            {
                "y": panel.y[hh.ravel(), mm.ravel()],
                "unit": np.repeat(np.arange(len(members)), len(months)) + 1000 * k,
                "time": (mm.ravel() - lo) + 1000 * k,
                "cohort": np.full(hh.size, k),
                "cluster": hh.ravel() * n_months + mm.ravel(),
                "rel": rel,
                "treated": is_treated,
            }
        )
        cohorts.append(
            {
                "launch_month": label,
                "treated": treated,
                "controls": controls,
                "first_month": _month_text(panel.months[lo]),
                "last_month": _month_text(panel.months[hi]),
            }
        )
    if not parts:
        reasons = "; ".join(f"launch {m}: {r}" for m, r in skipped.items())
        raise InsufficientData(
            "No launch has a clean comparison: the difference-in-differences needs a hub still "
            f"waiting to launch, {pre} months of data before the launch and {post} after ({reasons})"
        )
    cat = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    supplied = np.isfinite(cat["y"])
    cat = {key: value[supplied] for key, value in cat.items()}
    # Drop sub-experiment x hub and x month groups with no incidents at all: their
    # fixed effect would run to minus infinity and they carry no information.
    keep = np.ones(len(cat["y"]), dtype=bool)
    for key in ("unit", "time"):
        totals = pd.Series(cat["y"]).groupby(cat[key]).transform("sum").to_numpy()
        keep &= totals > 0
    cat = {key: value[keep] for key, value in cat.items()}
    unit = pd.factorize(cat["unit"], sort=True)[0]
    time, time_levels = pd.factorize(cat["time"], sort=True)
    cohort_of_time = np.asarray(time_levels) // 1000
    firsts = [c["first_month"] for c in cohorts]
    lasts = [c["last_month"] for c in cohorts]
    return _Stack(
        y=cat["y"],
        unit=unit,
        time=time,
        cohort_of_time=cohort_of_time,
        cluster=cat["cluster"],
        treated_rel=cat["rel"],
        treated=cat["treated"],
        cohorts=cohorts,
        skipped=skipped,
        first=panel.index(pd.Period(min(firsts), freq="M")),
        last=panel.index(pd.Period(max(lasts), freq="M")),
    )


def _fe_design(stack: _Stack) -> np.ndarray:
    """Fixed effects: every sub-experiment x hub, and sub-experiment x month less one per sub-experiment."""
    first_time_per_cohort = np.unique(stack.cohort_of_time, return_index=True)[1]
    return np.column_stack([_dummies(stack.unit), _dummies(stack.time, drop=first_time_per_cohort)])


def _did(panel: _Panel, launches: dict[str, pd.Period], pre: int, post: int) -> Estimate:
    stack = _stack(panel, launches, pre, post)
    post_treated = (stack.treated & (stack.treated_rel >= 0)).astype(float)
    if post_treated.sum() == 0 or np.sum(stack.y[stack.treated]) == 0:
        raise InsufficientData("The launching hubs recorded no incidents in the window, so no change can be measured.")
    X = np.column_stack([_fe_design(stack), post_treated])
    params, cov, df = _fit_poisson(stack.y, X, cov="cr2", groups=stack.cluster)
    beta, se = float(params[-1]), math.sqrt(cov[-1, -1])
    effect, low, high = _interval(beta, se, df[0])
    return Estimate(
        effect_pct=effect,
        ci_low_pct=low,
        ci_high_pct=high,
        method=(
            "Stacked difference-in-differences (Poisson regression; each launch compared with hubs "
            "not yet launched; fixed effects per launch group x hub and launch group x month; "
            "bias-reduced CR2 standard errors clustered by hub-month)"
        ),
        months_before=pre,
        months_after=post,
        first_month=_month_text(panel.months[stack.first]),
        last_month=_month_text(panel.months[stack.last]),
        assumptions=_assume_did(pre, post),
        log_ratio=beta,
        std_error=se,
        details={"launch_groups": stack.cohorts, "launch_groups_left_out": stack.skipped},
    )


def stacked_did(
    counts: pd.DataFrame,
    hubs: pd.DataFrame,
    *,
    outcome: str = ASB,
    pre_months: int = MIN_MONTHS_BEFORE,
    post_months: int = MIN_MONTHS_AFTER,
) -> Estimate:
    """Stacked difference-in-differences with clean (not-yet-launched) controls.

    For each launch month, a sub-experiment spans ``pre_months`` before the launch
    and ``post_months`` from it onward. The hubs launching that month are treated;
    the controls are hubs whose launch comes after the window ends (a hub that
    launched earlier, or launches inside the window, is never a control: that is
    what keeps staggered adoption from biasing the estimate). The sub-experiments
    are stacked and a Poisson regression is fitted with fixed effects for each
    sub-experiment x hub and sub-experiment x month, and one indicator for treated
    hub-months from launch onward. Standard errors are clustered on the original
    hub-month, because a control's month appears in several sub-experiments, and
    are robust to over-dispersion; they use the bias-reduced CR2 sandwich with
    Bell-McCaffrey degrees of freedom, because the plain cluster sandwich is too
    small when each month effect is estimated from two to five hubs (in the
    generator's sweep it covered the truth about 88% of the time, CR2 about 93%).

    Parameters
    ----------
    counts, hubs : pandas.DataFrame
        As for :func:`evaluate`.
    outcome : str, default ASB
        The crime type to model.
    pre_months : int, default 12
        Months before each launch in its window (at least 12).
    post_months : int, default 6
        Months from each launch onward in its window (at least 6).

    Returns
    -------
    Estimate
        The average change over the first ``post_months`` months after launch.

    Raises
    ------
    InsufficientData
        When no launch has a clean control and enough months of data.
    """
    if pre_months < MIN_MONTHS_BEFORE or post_months < MIN_MONTHS_AFTER:
        raise ValueError(
            f"`pre_months` must be at least {MIN_MONTHS_BEFORE} and `post_months` at least "
            f"{MIN_MONTHS_AFTER}; got {pre_months} and {post_months}."
        )
    panel = _panel(counts, hubs, outcome)
    launches = _known_launches(panel)
    if not launches:
        raise InsufficientData(_NO_LAUNCH)
    return _did(panel, launches, pre_months, post_months)


def _event_study(
    panel: _Panel, launches: dict[str, pd.Period], pre: int, leads: int, lags: int
) -> list[EventStudyPoint]:
    stack = _stack(panel, launches, pre, lags + 1)
    rel_values = [k for k in range(-pre, lags + 1) if k != -1]
    cols = [((stack.treated_rel == k) & stack.treated).astype(float) for k in rel_values]
    present = [i for i, c in enumerate(cols) if c.any()]
    rel_values = [rel_values[i] for i in present]
    X = np.column_stack([_fe_design(stack)] + [cols[i] for i in present])
    n_fe = X.shape[1] - len(rel_values)
    shown = [(n_fe + j, k) for j, k in enumerate(rel_values) if -leads <= k <= lags]
    params, cov, df = _fit_poisson(stack.y, X, cov="cr2", groups=stack.cluster, coefs=[i for i, _ in shown])
    points = []
    for (idx, k), dof in zip(shown, df, strict=True):
        effect, low, high = _interval(float(params[idx]), math.sqrt(cov[idx, idx]), float(dof))
        points.append(EventStudyPoint(k, effect, low, high))
    points.append(EventStudyPoint(-1, 0.0, None, None, reference=True))
    return sorted(points, key=lambda p: p.relative_month)


def event_study(
    counts: pd.DataFrame,
    hubs: pd.DataFrame,
    *,
    outcome: str = ASB,
    leads: int = 6,
    lags: int = 6,
    pre_months: int = MIN_MONTHS_BEFORE,
) -> list[EventStudyPoint]:
    """Event study on the stacked clean-control design: the change month by month.

    The same stacked data as :func:`stacked_did` (window ``pre_months`` before to
    ``lags`` after launch), with one indicator per month relative to launch for the
    treated hubs instead of a single step; the month before launch (-1) is the
    reference. Leads (negative months) near zero support the assumption that
    treated and control hubs moved in step before launch; lags show how the
    change builds or fades.

    Parameters
    ----------
    counts, hubs : pandas.DataFrame
        As for :func:`evaluate`.
    outcome : str, default ASB
        The crime type to model.
    leads, lags : int, default 6
        Months before and after launch to report.
    pre_months : int, default 12
        Months before launch in each window (at least ``leads`` + 1 and 12).

    Returns
    -------
    list of EventStudyPoint
        From ``-leads`` to ``lags``, including the reference month -1.

    Raises
    ------
    InsufficientData
        When no launch has a clean control and enough months of data.
    """
    if pre_months < max(MIN_MONTHS_BEFORE, leads + 1) or lags + 1 < MIN_MONTHS_AFTER:
        raise ValueError(
            f"`pre_months` must be at least {max(MIN_MONTHS_BEFORE, leads + 1)} and `lags` at least "
            f"{MIN_MONTHS_AFTER - 1}; got {pre_months} and {lags}."
        )
    panel = _panel(counts, hubs, outcome)
    launches = _known_launches(panel)
    if not launches:
        raise InsufficientData(_NO_LAUNCH)
    return _event_study(panel, launches, pre_months, leads, lags)
