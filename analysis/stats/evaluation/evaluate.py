"""Run every estimator and pick the headline; or say, in a sentence, why the data cannot tell yet."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.load.coverage import month_ranges
from analysis.schema import ASB
from analysis.stats.evaluation.did import (
    _NO_LAUNCH,
    _did,
    _event_study,
)
from analysis.stats.evaluation.dose import _dose_response
from analysis.stats.evaluation.its import (
    _its_hub,
    _pooled_its,
)
from analysis.stats.evaluation.panel import (
    _known_launches,
    _Panel,
    _parse,
)
from analysis.stats.evaluation.placebo import Method, _placebo
from analysis.stats.evaluation.results import (
    MIN_MONTHS_AFTER,
    MIN_MONTHS_BEFORE,
    PLACEBO_OUTCOMES,
    PLACEBO_SHIFTS,
    DoseResponse,
    Evaluation,
    EventStudyPoint,
    InsufficientData,
    _month_text,
)

__all__ = ["evaluate"]


def _not_enough_message(panel: _Panel, launches: dict[str, pd.Period]) -> str:
    """Why no estimate: supplied months around each launch, and the months not supplied that it needed."""
    first, last = panel.months[0], panel.months[-1]
    n = len(panel.months)
    supplied = ~np.isnan(panel.y).all(axis=0) if panel.y.size else np.zeros(n, dtype=bool)
    found, needed_gaps = [], []
    for launch in sorted(set(launches.values())):
        g = min(max(panel.index(launch), 0), n)
        before, after = int(supplied[:g].sum()), int(supplied[g:].sum())
        hubs = sorted(h for h, m in launches.items() if m == launch)
        who = hubs[0] if len(hubs) == 1 else f"{len(hubs)} hubs"
        found.append(f"launch {_month_text(launch)} ({who}): {before} before and {after} from launch onward")
        window = pd.period_range(launch - MIN_MONTHS_BEFORE, launch + (MIN_MONTHS_AFTER - 1), freq="M")
        inside = window[(window >= first) & (window <= last)]
        gaps = [m for m in inside if not supplied[panel.index(m)]]
        needed_gaps += gaps + [m for m in window if m < first or m > last]
    missing = int((~supplied).sum())
    cover = f"{n} months" + (f", {missing} of them not supplied" if missing else "")
    message = (
        f"Cannot tell yet: the data cover {_month_text(first)} to {_month_text(last)} ({cover}), but an "
        f"estimate needs at least {MIN_MONTHS_BEFORE} supplied months before a hub's launch and "
        f"{MIN_MONTHS_AFTER} from the launch onward, and no hub has that ({'; '.join(found)})."
    )
    if needed_gaps:
        message += f" Months it would need that are not in the data: {month_ranges(needed_gaps)}."
    return message


def evaluate(
    counts: pd.DataFrame,
    hubs: pd.DataFrame,
    patrol: pd.DataFrame | None = None,
    *,
    outcome: str = ASB,
    pre_months: int = MIN_MONTHS_BEFORE,
    post_months: int = MIN_MONTHS_AFTER,
    placebo_shifts: Sequence[int] = PLACEBO_SHIFTS,
    placebo_outcomes: Sequence[str] = PLACEBO_OUTCOMES,
) -> Evaluation:
    """Estimate whether hub launches changed ASB, with every check alongside.

    Runs the per-hub interrupted time series, the pooled ITS, the stacked
    difference-in-differences (with its event study), the placebo checks through
    the headline estimator and, when ``patrol`` is given, the dose-response.
    The headline (``overall``) is the stacked DiD when at least one launch has a
    hub still waiting to launch as a control, otherwise the pooled ITS; its
    ``method`` says which. The hub "Unassigned" is excluded.

    Parameters
    ----------
    counts : pandas.DataFrame
        ``hub, month (Period M), crime_type, count``; a full grid including zeros.
    hubs : pandas.DataFrame
        ``hub, launched`` (datetime64, NaT when unknown).
    patrol : pandas.DataFrame, optional
        ``hub, month (Period M), patrol_hours``: monthly visible patrol hours.
    outcome : str, default ASB
        The crime type evaluated.
    pre_months, post_months : int, default 12 and 6
        The stacked DiD window around each launch.
    placebo_shifts : sequence of int, default (6, 12)
        Months by which launch dates are moved earlier for the fake-launch checks.
    placebo_outcomes : sequence of str, default PLACEBO_OUTCOMES
        Crime types patrols should not move.

    Returns
    -------
    Evaluation
        ``to_dict()`` / ``to_json()`` give the CLI's JSON; :func:`plain_english`
        the PCC-readable sentences.

    Raises
    ------
    InsufficientData
        With a plain sentence and no number, when no launch dates are known or no
        hub has at least 12 months of data before its launch and 6 from it onward.

    Examples
    --------
    >>> from data.generate import simulate_counts  # doctest: +SKIP
    >>> counts = simulate_counts(seed=1)  # doctest: +SKIP
    >>> hubs = pd.DataFrame({"hub": ["Carlisle"], "launched": pd.to_datetime(["2018-10-01"])})  # doctest: +SKIP
    >>> evaluate(counts, hubs).overall.method  # doctest: +SKIP
    """
    parsed = _parse(counts, hubs)
    panel = parsed.panel(outcome)
    launches = _known_launches(panel)
    if not launches:
        raise InsufficientData(_NO_LAUNCH)
    hub_results = [_its_hub(panel, h, panel.launch.get(h)) for h in panel.hubs]
    did = its = None
    try:
        did = _did(panel, launches, pre_months, post_months)
    except InsufficientData:
        pass  # no clean control: the pooled time series is the headline
    try:
        its = _pooled_its(panel, launches)
    except InsufficientData:
        pass
    if did is None and its is None:
        raise InsufficientData(_not_enough_message(panel, launches))
    overall = did if did is not None else its
    alternatives = [its] if did is not None and its is not None else []
    method: Method = "stacked_did" if did is not None else "pooled_its"

    event_points: list[EventStudyPoint] = []
    event_reason: str | None = None
    if did is None:
        event_reason = "No launch has a hub still waiting to launch to compare with, so there is no event study."
    else:
        for lags in (6, post_months - 1):
            try:
                event_points = _event_study(panel, launches, max(pre_months, 7), 6, lags)
                event_reason = None
                break
            except InsufficientData as exc:
                event_reason = str(exc)

    placebo = _placebo(parsed, panel, method, placebo_shifts, placebo_outcomes, pre_months, post_months)

    dose: DoseResponse | None = None
    if patrol is None:
        dose_reason = "No patrol hours were supplied."
    else:
        try:
            dose = _dose_response(panel, patrol)
            dose_reason = None
        except InsufficientData as exc:
            dose_reason = str(exc)
    return Evaluation(
        outcome=outcome,
        overall=overall,
        hubs=hub_results,
        placebo=placebo,
        event_study=event_points,
        event_study_reason=event_reason,
        dose_response=dose,
        dose_response_reason=dose_reason,
        alternatives=alternatives,
    )
