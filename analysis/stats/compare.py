"""One way to compare two periods (the words for the result are in :mod:`analysis.text.changes`).

Every period comparison in Local Focus (the Overview's year on year, Hub performance's
recent trend and same months last year, the Briefing's sentence) goes through
:func:`compare_months`. It compares only when every month of both windows was supplied:
a month that was never supplied is not a zero, so a comparison that would need it says
"not available: 2019-03 not supplied" instead of giving a number.

The interval is quasi-Poisson: the two windows' months are paired by position (the same
calendar month when the windows are a year apart), a 2 x n table whose independence model
absorbs a shared seasonal pattern; its Pearson dispersion (never below 1) widens the
Poisson variance ``1/a + 1/b`` of the log ratio for the rest. With exposures (residents x
months) the ratio is of rates; without, of counts. It describes change, not its cause.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.load.coverage import month_ranges
from analysis.stats.intervals import Z95
from analysis.text.changes import change_words, month_span, percent

__all__ = ["Comparison", "compare_counts", "compare_months"]


@dataclass(frozen=True)
class Comparison:
    """A recent window against an earlier one of the same length, with a 95% interval.

    When ``reason`` is not empty there is no estimate (ratio and interval are NaN) and the
    reason says why, e.g. "not available: 2019-03 not supplied".
    """

    recent_start: pd.Period
    recent_end: pd.Period
    earlier_start: pd.Period
    earlier_end: pd.Period
    recent_total: float
    earlier_total: float
    ratio: float
    ci_low: float
    ci_high: float
    dispersion: float
    reason: str = ""

    @property
    def available(self) -> bool:
        """True when there is an estimate."""
        return not self.reason

    @property
    def months(self) -> int:
        """Months in each window."""
        return (self.recent_end - self.recent_start).n + 1

    @property
    def recent_label(self) -> str:
        """The recent window in short, e.g. "Oct-Dec 2020"."""
        return month_span(self.recent_start, self.recent_end)

    @property
    def earlier_label(self) -> str:
        """The earlier window in short."""
        return month_span(self.earlier_start, self.earlier_end)

    @property
    def verdict(self) -> str:
        """'lower', 'higher', 'no clear change' (the interval includes no change) or 'not available'."""
        if not self.available:
            return "not available"
        if self.ci_high < 1:
            return "lower"
        if self.ci_low > 1:
            return "higher"
        return "no clear change"

    def words(self, *, compact: bool = False) -> str:
        """The change with its interval (:func:`analysis.text.changes.change_words`), or why there is none."""
        if not self.available:
            return self.reason
        return change_words(self.ratio, self.ci_low, self.ci_high, compact=compact)

    def sentence(self, what: str = "ASB") -> str:
        """The comparison in a sentence, with both periods, totals and the interval."""
        fmt = "%b %Y"
        periods = (
            f"{self.recent_start.strftime(fmt)}–{self.recent_end.strftime(fmt)} against "
            f"{self.earlier_start.strftime(fmt)}–{self.earlier_end.strftime(fmt)}"
        )
        if not self.available:
            return f"{what}, {periods}: {self.reason}."
        verdict = (
            "the interval includes no change"
            if self.verdict == "no clear change"
            else (f"the whole interval is {self.verdict}")
        )
        return (
            f"{what} in {self.recent_start.strftime(fmt)}–{self.recent_end.strftime(fmt)} was "
            f"{self.recent_total:,.0f} records against {self.earlier_total:,.0f} in "
            f"{self.earlier_start.strftime(fmt)}–{self.earlier_end.strftime(fmt)}: {self.words()}; {verdict}."
        )

    def range_words(self) -> str:
        """The interval in plain words for the public, e.g. 'between 3% and 20% lower'."""
        low, high = (self.ci_low - 1) * 100, (self.ci_high - 1) * 100
        if self.verdict == "lower":
            return f"between {percent(-high)} and {percent(-low)} lower"
        if self.verdict == "higher":
            return f"between {percent(low)} and {percent(high)} higher"
        return f"between {percent(-low)} lower and {percent(high)} higher"

    def in_words(self) -> str:
        """The change for a public sentence: 'a fall of between 8% and 13%, more than normal variation'."""
        if not self.available:
            return self.reason
        if self.verdict == "no clear change":
            return f"a change within normal variation ({self.range_words()})"
        size = self.range_words().removesuffix(" lower").removesuffix(" higher")
        return f"{'a fall' if self.verdict == 'lower' else 'a rise'} of {size}, more than normal variation"


def _window(series: pd.Series, months: pd.PeriodIndex) -> np.ndarray:
    return series.reindex(months).to_numpy(dtype="float64")


def _monthly(months: pd.PeriodIndex) -> pd.PeriodIndex:
    return months if isinstance(months, pd.PeriodIndex) and months.freqstr == "M" else pd.PeriodIndex(months, freq="M")


def _windows(recent: pd.PeriodIndex, earlier: pd.PeriodIndex) -> tuple[pd.PeriodIndex, pd.PeriodIndex]:
    recent, earlier = _monthly(recent), _monthly(earlier)
    if len(recent) != len(earlier) or len(recent) == 0:
        raise ValueError(f"the windows must have the same, non-zero length, got {len(recent)} and {len(earlier)}")
    return recent, earlier


def compare_months(
    monthly: pd.Series,
    recent: pd.PeriodIndex,
    earlier: pd.PeriodIndex,
    *,
    recent_exposure: float | None = None,
    earlier_exposure: float | None = None,
) -> Comparison:
    """Compare the counts of two windows of the same length, month paired with month.

    Parameters
    ----------
    monthly : pandas.Series
        Counts indexed by monthly periods; NaN (or absent) for a month not supplied.
    recent, earlier : pandas.PeriodIndex
        The two windows, of the same length; ``earlier[i]`` is paired with ``recent[i]``.
    recent_exposure, earlier_exposure : float, optional
        What each window's count is per (e.g. residents x months): the ratio is then of rates.

    Returns
    -------
    Comparison
        With ``reason`` set (and no number) when a month of either window was not supplied
        or either window has no records.

    Raises
    ------
    ValueError
        When the windows differ in length or are empty.

    Examples
    --------
    >>> months = pd.period_range("2019-01", periods=4, freq="M")
    >>> c = compare_months(pd.Series([100, 100, 80, 80], index=months), months[2:], months[:2])
    >>> round(c.ratio, 2), c.verdict
    (0.8, 'lower')
    >>> compare_months(pd.Series([100, None, 80, 80], index=months), months[2:], months[:2]).reason
    'not available: 2019-02 not supplied'
    """
    recent, earlier = _windows(recent, earlier)
    return compare_counts(
        _window(monthly, recent),
        _window(monthly, earlier),
        recent,
        earlier,
        recent_exposure=recent_exposure,
        earlier_exposure=earlier_exposure,
    )


def compare_counts(
    recent_counts: np.ndarray,
    earlier_counts: np.ndarray,
    recent: pd.PeriodIndex,
    earlier: pd.PeriodIndex,
    *,
    recent_exposure: float | None = None,
    earlier_exposure: float | None = None,
) -> Comparison:
    """:func:`compare_months` of counts already lined up with the two windows' months (NaN: not supplied).

    For a caller holding many series as arrays (one hub per row), so that each comparison
    skips a pandas reindex; the arithmetic is the same.

    Parameters
    ----------
    recent_counts, earlier_counts : numpy.ndarray
        float64, one count per month of ``recent`` and ``earlier``.
    recent, earlier, recent_exposure, earlier_exposure
        As :func:`compare_months`.

    Returns
    -------
    Comparison
        As :func:`compare_months`.

    Examples
    --------
    >>> months = pd.period_range("2019-01", periods=4, freq="M")
    >>> round(compare_counts(np.array([80.0, 80.0]), np.array([100.0, 100.0]), months[2:], months[:2]).ratio, 2)
    0.8
    """
    recent, earlier = _windows(recent, earlier)
    a_months = np.asarray(recent_counts, dtype="float64")
    b_months = np.asarray(earlier_counts, dtype="float64")
    nan = math.nan

    def result(a: float, b: float, ratio: float, low: float, high: float, dispersion: float, reason: str = ""):
        return Comparison(recent[0], recent[-1], earlier[0], earlier[-1], a, b, ratio, low, high, dispersion, reason)

    missing_a, missing_b = np.isnan(a_months), np.isnan(b_months)
    if missing_a.any() or missing_b.any():
        missing = list(recent[missing_a]) + list(earlier[missing_b])
        return result(nan, nan, nan, nan, nan, nan, f"not available: {month_ranges(missing)} not supplied")
    a, b = float(a_months.sum()), float(b_months.sum())
    if a <= 0 or b <= 0:
        empty = month_span(recent[0], recent[-1]) if a <= 0 else month_span(earlier[0], earlier[-1])
        return result(a, b, nan, nan, nan, nan, f"not available: no records in {empty}")
    table = np.vstack([a_months, b_months])
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    pearson = np.where(expected > 0, (table - expected) ** 2 / np.where(expected > 0, expected, 1), 0).sum()
    dof = len(recent) - 1
    dispersion = max(1.0, float(pearson) / dof) if dof > 0 else 1.0
    se = math.sqrt(dispersion * (1 / a + 1 / b))
    scale = 1.0
    if recent_exposure and earlier_exposure and recent_exposure > 0 and earlier_exposure > 0:
        scale = earlier_exposure / recent_exposure
    ratio = a / b * scale
    return result(a, b, ratio, ratio * math.exp(-Z95 * se), ratio * math.exp(Z95 * se), dispersion)
