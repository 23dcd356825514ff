"""Time to an event when some have not had it yet: the Kaplan-Meier median. No streamlit here."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["kaplan_meier_median"]


def kaplan_meier_median(durations: np.ndarray | pd.Series, closed: np.ndarray | pd.Series) -> float:
    """Median time to close, counting still-open cases up to their current age (Kaplan-Meier).

    Parameters
    ----------
    durations : array of float
        Days to close (closed cases) or days open so far (open cases).
    closed : array of bool
        True when the case closed.

    Returns
    -------
    float
        The first duration at which the share still open falls to 0.5 or below; NaN
        when it never does (too many cases still open) or there are no cases.

    Examples
    --------
    >>> kaplan_meier_median([10, 20, 30, 40], [True, True, True, True])
    20.0
    >>> kaplan_meier_median([10, 20, 30, 40], [True, False, False, False])
    nan
    """
    d = np.asarray(durations, dtype=float)
    c = np.asarray(closed, dtype=bool)
    if len(d) != len(c):
        raise ValueError(f"durations and closed must have the same length, got {len(d)} and {len(c)}")
    keep = np.isfinite(d)
    d, c = d[keep], c[keep]
    survival = 1.0
    for t in np.unique(d[c]):
        at_risk = np.sum(d >= t)
        events = np.sum((d == t) & c)
        survival *= 1 - events / at_risk
        if survival <= 0.5 + 1e-12:
            return float(t)
    return math.nan
