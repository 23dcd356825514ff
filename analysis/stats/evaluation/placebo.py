"""Placebo checks: fake launch dates and crime types patrols should not move."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.schema import ASB, CRIME_TYPES
from analysis.stats.evaluation.did import (
    _NO_LAUNCH,
    _did,
)
from analysis.stats.evaluation.its import (
    _pooled_its,
)
from analysis.stats.evaluation.panel import (
    _Counts,
    _known_launches,
    _Panel,
    _parse,
)
from analysis.stats.evaluation.results import (
    MIN_MONTHS_AFTER,
    MIN_MONTHS_BEFORE,
    PLACEBO_OUTCOMES,
    PLACEBO_SHIFTS,
    Estimate,
    InsufficientData,
    PlaceboResult,
)

__all__ = ["placebo_checks"]

Method = Literal["stacked_did", "pooled_its"]


def _estimate(panel: _Panel, launches: dict[str, pd.Period], method: Method, pre: int, post: int) -> Estimate:
    if method == "stacked_did":
        return _did(panel, launches, pre, post)
    return _pooled_its(panel, launches)


def _placebo_result(
    name: str, kind: Literal["fake_launch", "other_crime_type"], method: Method, run: Any
) -> PlaceboResult:
    try:
        est = run()
    except InsufficientData as exc:
        return PlaceboResult(name, kind, None, None, None, None, method, str(exc))
    flagged = not est.covers_zero
    return PlaceboResult(name, kind, est.effect_pct, est.ci_low_pct, est.ci_high_pct, flagged, method)


def _placebo(
    parsed: _Counts,
    panel: _Panel,
    method: Method,
    shifts: Sequence[int],
    outcomes: Sequence[str],
    pre: int,
    post: int,
) -> list[PlaceboResult]:
    launches = _known_launches(panel)
    results = []
    # Fake launches: keep only months before each hub's real launch, then pretend
    # the launch came `shift` months earlier. A real effect cannot show up here.
    truncated = panel.y.copy()
    for hub, launch in launches.items():
        truncated[panel.hubs.index(hub), max(panel.index(launch), 0) :] = np.nan
    pre_only = panel.with_y(truncated)
    for shift in shifts:
        fake = {hub: launch - shift for hub, launch in launches.items()}
        name = f"Launch dates moved {shift} months earlier (pre-launch data only)"
        results.append(
            _placebo_result(name, "fake_launch", method, lambda f=fake: _estimate(pre_only, f, method, pre, post))
        )
    for crime_type in outcomes:
        name = f"{crime_type} (should not respond to visible patrols)"
        if not parsed.has(crime_type):
            reason = f"No {crime_type} counts in the data."
            results.append(PlaceboResult(name, "other_crime_type", None, None, None, None, method, reason))
            continue
        other = parsed.panel(crime_type)
        results.append(
            _placebo_result(name, "other_crime_type", method, lambda o=other: _estimate(o, launches, method, pre, post))
        )
    return results


def placebo_checks(
    counts: pd.DataFrame,
    hubs: pd.DataFrame,
    *,
    method: Method = "stacked_did",
    outcome: str = ASB,
    shifts: Sequence[int] = PLACEBO_SHIFTS,
    outcomes: Sequence[str] = PLACEBO_OUTCOMES,
    pre_months: int = MIN_MONTHS_BEFORE,
    post_months: int = MIN_MONTHS_AFTER,
) -> list[PlaceboResult]:
    """Placebo checks: estimates that should show no change, through the same estimator.

    (a) Fake launches: each hub's data is cut at its real launch, and each launch
    is moved ``shift`` months earlier; only pre-launch data is used, so a real
    effect of the hubs cannot appear. (b) Other crime types (default
    :data:`PLACEBO_OUTCOMES`) with the real launch dates. A check is *flagged*
    when its 95% interval excludes zero. With no true effect each check flags
    about 1 time in 20 by chance; several flags, or a large one, suggest something
    other than the launch moved ASB.

    Parameters
    ----------
    counts, hubs : pandas.DataFrame
        As for :func:`evaluate`.
    method : {"stacked_did", "pooled_its"}, default "stacked_did"
        The estimator to run (use the headline's).
    outcome : str, default ASB
        The outcome whose launch dates are faked.
    shifts : sequence of int, default (6, 12)
        Months to move launches earlier.
    outcomes : sequence of str, default PLACEBO_OUTCOMES
        Crime types that patrols should not move.
    pre_months, post_months : int
        Window for the stacked DiD.

    Returns
    -------
    list of PlaceboResult
        One per shift, then one per crime type; not-estimable checks carry a reason.
    """
    if method not in ("stacked_did", "pooled_its"):
        raise ValueError(f"`method` must be 'stacked_did' or 'pooled_its', got {method!r}.")
    unknown = [c for c in outcomes if c not in CRIME_TYPES]
    if unknown:
        raise ValueError(f"`outcomes` has unknown crime type(s): {', '.join(unknown)}.")
    parsed = _parse(counts, hubs)
    panel = parsed.panel(outcome)
    if not _known_launches(panel):
        raise InsufficientData(_NO_LAUNCH)
    return _placebo(parsed, panel, method, shifts, outcomes, pre_months, post_months)
