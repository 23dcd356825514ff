"""Changes in words, written once: "12% lower", "95% CI 15% lower to 1% higher", "Oct-Dec 2020".

Every sentence and table cell in Local Focus that says how much something changed uses
these functions. Two roundings are in use and both are kept, chosen by a parameter:

- the default rounds to whole percents and says ``same`` ("no change") under 0.5%;
- ``fine=True`` (the evaluation) shows one decimal under 1%, so an interval bound is never
  rounded to zero, and says ``same`` only under 0.05%.
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["change_words", "interval_words", "month_span", "percent", "percent_words", "ratio_words"]


def percent_words(pct: float, digits: int = 0, *, fine: bool = False, same: str = "no change") -> str:
    """A percent change in words: "12% lower", "3% higher", or ``same`` when it rounds to none.

    Examples
    --------
    >>> percent_words(-12.4), percent_words(0.4), percent_words(0.4, fine=True)
    ('12% lower', 'no change', '0.4% higher')
    >>> percent_words(0.01, fine=True, same="no different"), percent_words(-4.26, 1, fine=True)
    ('no different', '4.3% lower')
    """
    shown = (max(digits, 1) if abs(pct) < 1 else digits) if fine else digits
    if abs(pct) < 0.5 * 10 ** -(max(digits, 1) if fine else digits):
        return same
    return f"{abs(pct):.{shown}f}% {'lower' if pct < 0 else 'higher'}"


def ratio_words(ratio: float) -> str:
    """A ratio as a change in words (0.92 -> "8% lower"); "no upper limit" when infinite."""
    if not math.isfinite(ratio):
        return "no upper limit"
    return percent_words((ratio - 1) * 100)


def interval_words(low: float, high: float, digits: int = 0, *, fine: bool = False) -> str:
    """A 95% interval of percent changes: "95% CI 15% lower to 1% higher"."""
    return f"95% CI {percent_words(low, digits, fine=fine)} to {percent_words(high, digits, fine=fine)}"


def change_words(ratio: float, low: float, high: float, *, compact: bool = False) -> str:
    """A ratio in words, always with its interval: "8% lower (95% CI 15% lower to 1% higher)".

    ``compact`` gives the table form "-8% (-15% to +1%)". Never a bare percent.

    Examples
    --------
    >>> change_words(0.92, 0.85, 1.01)
    '8% lower (95% CI 15% lower to 1% higher)'
    >>> change_words(0.92, 0.85, 1.01, compact=True)
    '-8% (-15% to +1%)'
    >>> change_words(float("nan"), float("nan"), float("nan"))
    'not available'
    """
    if not all(math.isfinite(v) for v in (ratio, low)) or math.isnan(high):
        return "not available"
    if compact:

        def pct(r: float) -> str:
            return "no upper limit" if not math.isfinite(r) else f"{(r - 1) * 100:+.0f}%"

        return f"{pct(ratio)} ({pct(low)} to {pct(high)})"
    return f"{ratio_words(ratio)} (95% CI {ratio_words(low)} to {ratio_words(high)})"


def percent(value: float) -> str:
    """A bare percent size for a phrase that says the direction itself: "12%", "0.4%"."""
    return f"{value:.0f}%" if abs(value) >= 1 else f"{value:.1f}%"


def month_span(first: pd.Period, last: pd.Period) -> str:
    """Months in short: "Dec 2020", "Oct-Dec 2020", "Nov 2020-Jan 2021"."""
    if first == last:
        return first.strftime("%b %Y")
    if first.year == last.year:
        return f"{first.strftime('%b')}-{last.strftime('%b %Y')}"
    return f"{first.strftime('%b %Y')}-{last.strftime('%b %Y')}"
