"""What the evaluation returns: the result dataclasses, their JSON shape, and the limits every estimate accepts."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.errors import DataProblem
from analysis.stats.evaluation.words import plain_english

__all__ = [
    "MIN_MONTHS_BEFORE",
    "MIN_MONTHS_AFTER",
    "PLACEBO_OUTCOMES",
    "PLACEBO_SHIFTS",
    "InsufficientData",
    "Estimate",
    "HubEstimate",
    "PlaceboResult",
    "EventStudyPoint",
    "DoseResponse",
    "Evaluation",
]

#: Fewest months of data before a launch that any estimate accepts.
MIN_MONTHS_BEFORE = 12
#: Fewest months from the launch month onward that any estimate accepts.
MIN_MONTHS_AFTER = 6

#: Crime types used as placebo outcomes. Visible street patrols have the least
#: plausible route to these: burglary happens mostly inside homes, often at
#: night; shoplifting inside shops, driven by retailers' security and reporting;
#: vehicle crime mostly overnight on residential streets and drives. Each has
#: enough volume per hub and month for the check to have some power (bicycle theft
#: does not: a placebo too noisy to ever flag checks nothing). Crime types that
#: policing activity itself generates (drugs, possession of weapons, public
#: order) or that sit beside ASB (criminal damage) are deliberately left out. A
#: flag is a warning to look for something else that changed at launch (a
#: recording change, a wider trend), not proof the ASB estimate is wrong.
PLACEBO_OUTCOMES: tuple[str, ...] = ("Burglary", "Shoplifting", "Vehicle crime")

#: Months by which launch dates are moved earlier for the fake-launch placebo.
PLACEBO_SHIFTS: tuple[int, ...] = (6, 12)

_LEVEL = 0.95


class InsufficientData(DataProblem):
    """The data cannot support an estimate; the message says why in a plain sentence."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Estimate:
    """One pooled estimate of the change at launch.

    Attributes
    ----------
    effect_pct : float
        Estimated percent change in the outcome at launch (negative = lower).
    ci_low_pct, ci_high_pct : float
        95% confidence interval of ``effect_pct``.
    method : str
        The method, named so a reader can look it up.
    months_before, months_after : int
        Months of data before launch and from the launch month onward that each
        launching hub contributes (the fewest over hubs, for the pooled ITS).
    first_month, last_month : str
        First and last month (``YYYY-MM``) of data the estimate uses.
    assumptions : tuple of str
        Plain-English sentences: what must be true for the estimate to mean what
        it says.
    log_ratio, std_error : float
        The coefficient on the log scale and its standard error.
    details : dict
        Method-specific facts (hubs, launch groups, controls), JSON-ready.
    """

    effect_pct: float
    ci_low_pct: float
    ci_high_pct: float
    method: str
    months_before: int
    months_after: int
    first_month: str
    last_month: str
    assumptions: tuple[str, ...]
    log_ratio: float
    std_error: float
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def covers_zero(self) -> bool:
        """Whether the 95% interval includes no change."""
        return self.ci_low_pct <= 0.0 <= self.ci_high_pct

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready shape used by the CLI."""
        return _record(
            self,
            (
                "effect_pct",
                "ci_low_pct",
                "ci_high_pct",
                "method",
                "months_before",
                "months_after",
                "first_month",
                "last_month",
                "assumptions",
                "details",
            ),
        )


@dataclass(frozen=True)
class HubEstimate:
    """The interrupted-time-series estimate for one hub, or the reason there is none.

    Attributes
    ----------
    hub : str
        Hub name.
    launched : str or None
        Launch date (ISO) or None when unknown.
    effect_pct, ci_low_pct, ci_high_pct : float or None
        Percent change at launch and its 95% interval; None when not estimated.
    months_before, months_after : int
        Months of data before launch and from the launch month onward.
    method : str
        The method used.
    reason : str or None
        Why there is no estimate (None when there is one).
    series : pandas.DataFrame or None
        Month-by-month ``month, observed, fitted, counterfactual, cf_low, cf_high``
        for the figure (not serialised).
    """

    hub: str
    launched: str | None
    effect_pct: float | None
    ci_low_pct: float | None
    ci_high_pct: float | None
    months_before: int
    months_after: int
    method: str
    reason: str | None = None
    series: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready shape used by the CLI."""
        return _record(
            self,
            (
                "hub",
                "launched",
                "effect_pct",
                "ci_low_pct",
                "ci_high_pct",
                "months_before",
                "months_after",
                "method",
                "reason",
            ),
        )


@dataclass(frozen=True)
class PlaceboResult:
    """One placebo check: an estimate that should show no change.

    Attributes
    ----------
    name : str
        What was checked, in words.
    kind : {"fake_launch", "other_crime_type"}
        Launch dates moved earlier, or a crime type patrols should not move.
    effect_pct, ci_low_pct, ci_high_pct : float or None
        The placebo estimate and its 95% interval; None when not estimable.
    flagged : bool or None
        True when the interval excludes zero (a warning sign); None when not
        estimable.
    method : str
        The estimator used (the same as the headline's).
    reason : str or None
        Why there is no estimate.
    """

    name: str
    kind: Literal["fake_launch", "other_crime_type"]
    effect_pct: float | None
    ci_low_pct: float | None
    ci_high_pct: float | None
    flagged: bool | None
    method: str
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready shape used by the CLI."""
        return _record(self, ("name", "kind", "effect_pct", "ci_low_pct", "ci_high_pct", "flagged", "method", "reason"))


@dataclass(frozen=True)
class EventStudyPoint:
    """The change in one month relative to the month before launch.

    Attributes
    ----------
    relative_month : int
        Months after launch (0 = launch month, negative = before).
    effect_pct, ci_low_pct, ci_high_pct : float or None
        Percent difference from the reference month, with its 95% interval;
        the reference month (-1) has effect 0 and no interval.
    reference : bool
        True for the reference month.
    """

    relative_month: int
    effect_pct: float
    ci_low_pct: float | None
    ci_high_pct: float | None
    reference: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready shape used by the CLI."""
        return _record(self, ("relative_month", "effect_pct", "ci_low_pct", "ci_high_pct", "reference"))


@dataclass(frozen=True)
class DoseResponse:
    """How ASB moves with visible patrol hours (an association).

    Attributes
    ----------
    elasticity : float
        Coefficient on log patrol hours: % change in ASB per 1% more patrol.
    elasticity_ci_low, elasticity_ci_high : float
        Its 95% interval.
    effect_per_10pct_pct, ci_low_pct, ci_high_pct : float
        Percent change in ASB for 10% more patrol hours, with 95% interval.
    months : int
        Hub-months used.
    first_month, last_month : str
        Months covered.
    hubs : tuple of str
        Hubs used.
    method : str
        The method used.
    assumptions : tuple of str
        Plain-English assumptions.
    caveat : str
        Why this is an association and not proof of cause.
    """

    elasticity: float
    elasticity_ci_low: float
    elasticity_ci_high: float
    effect_per_10pct_pct: float
    ci_low_pct: float
    ci_high_pct: float
    months: int
    first_month: str
    last_month: str
    hubs: tuple[str, ...]
    method: str
    assumptions: tuple[str, ...]
    caveat: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready shape used by the CLI."""
        return _record(
            self,
            (
                "elasticity",
                "elasticity_ci_low",
                "elasticity_ci_high",
                "effect_per_10pct_pct",
                "ci_low_pct",
                "ci_high_pct",
                "months",
                "first_month",
                "last_month",
                "hubs",
                "method",
                "assumptions",
                "caveat",
            ),
            precise=("elasticity", "elasticity_ci_low", "elasticity_ci_high"),
        )


@dataclass(frozen=True)
class Evaluation:
    """Everything :func:`evaluate` found.

    Attributes
    ----------
    outcome : str
        The crime type evaluated (ASB by default).
    overall : Estimate
        The headline estimate (stacked DiD, or pooled ITS when no control exists).
    hubs : list of HubEstimate
        One per hub: an ITS estimate or the reason there is none.
    placebo : list of PlaceboResult
        Fake launch dates and other crime types through the headline's estimator.
    event_study : list of EventStudyPoint
        Leads and lags of the launch (empty when not estimable).
    event_study_reason : str or None
        Why the event study is empty.
    dose_response : DoseResponse or None
        ASB against patrol hours, or None.
    dose_response_reason : str or None
        Why ``dose_response`` is None.
    alternatives : list of Estimate
        The other pooled estimate(s), to show whether the answer depends on method.
    """

    outcome: str
    overall: Estimate
    hubs: list[HubEstimate]
    placebo: list[PlaceboResult]
    event_study: list[EventStudyPoint]
    event_study_reason: str | None
    dose_response: DoseResponse | None
    dose_response_reason: str | None
    alternatives: list[Estimate] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (the CLI's ``--json`` shape)."""
        return {
            "outcome": self.outcome,
            "overall": self.overall.to_dict(),
            "hubs": [h.to_dict() for h in self.hubs],
            "placebo": [p.to_dict() for p in self.placebo],
            "event_study": [e.to_dict() for e in self.event_study],
            "event_study_reason": self.event_study_reason,
            "dose_response": None if self.dose_response is None else self.dose_response.to_dict(),
            "dose_response_reason": self.dose_response_reason,
            "alternatives": [a.to_dict() for a in self.alternatives],
            "summary": plain_english(self).lines(),
        }

    def to_json(self, **kwargs: Any) -> str:
        """Return :meth:`to_dict` as a JSON string (``kwargs`` go to :func:`json.dumps`)."""
        return json.dumps(self.to_dict(), **kwargs)


# --------------------------------------------------------------------------- JSON helpers


def _month_text(month: pd.Period) -> str:
    return month.strftime("%Y-%m")


def _record(obj: Any, names: tuple[str, ...], *, precise: tuple[str, ...] = ()) -> dict[str, Any]:
    """The named fields of a result as JSON-ready values.

    Floats are rounded (2 places, 4 for ``precise`` names; NaN becomes None), whole
    numbers become ``int``, booleans and text stay as they are, and containers go
    through :func:`_jsonable`.
    """
    record: dict[str, Any] = {}
    for name in names:
        value = getattr(obj, name)
        if value is None or isinstance(value, bool | str):
            record[name] = value
        elif isinstance(value, int | np.integer):
            record[name] = int(value)
        elif isinstance(value, float | np.floating):
            record[name] = _r(value, 4 if name in precise else 2)
        else:
            record[name] = _jsonable(value)
    return record


def _r(value: float | None, digits: int = 2) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, pd.Period):
        return _month_text(value)
    if isinstance(value, np.generic):
        return value.item()
    return value
