"""Numbers, months and names as the briefing's sentences say them."""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["about", "month_span", "month_words"]


def about(value: float) -> str:
    """A number for a sentence: under 1,000 as it is, else to three significant figures (52,340 -> '52,300')."""
    if value < 1000:
        return f"{round(value):,}"
    magnitude = int(math.floor(math.log10(value)))
    return f"{round(value, 2 - magnitude):,.0f}"


def month_words(month: pd.Period) -> str:
    """'December 2020'."""
    return month.strftime("%B %Y")


def month_span(first: pd.Period, last: pd.Period) -> str:
    """'January 2020 to December 2020'."""
    return f"{month_words(first)} to {month_words(last)}"
