"""Tests for analysis.text.changes: the one wording of changes, in both its roundings."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.text.changes import change_words, interval_words, month_span, percent, percent_words, ratio_words


@pytest.mark.parametrize(
    ("pct", "words"),
    [(-12.4, "12% lower"), (3.6, "4% higher"), (0.49, "no change"), (-0.6, "1% lower"), (0.7, "1% higher")],
)
def test_whole_percents_by_default(pct, words):
    assert percent_words(pct) == words


@pytest.mark.parametrize(
    ("pct", "digits", "words"),
    [
        (0.04, 0, "no different"),  # under 0.05%: the same
        (0.4, 0, "0.4% higher"),  # one decimal under 1%, so a bound is never rounded to zero
        (-0.96, 0, "1.0% lower"),
        (-12.4, 0, "12% lower"),
        (-4.26, 1, "4.3% lower"),
        (0.04, 1, "no different"),
    ],
)
def test_fine_rounding_keeps_small_changes(pct, digits, words):
    assert percent_words(pct, digits, fine=True, same="no different") == words


def test_interval_words_says_no_change_at_an_end_that_rounds_to_none():
    assert interval_words(-15.2, 0.01, fine=True) == "95% CI 15% lower to no change"
    assert interval_words(-15.2, 0.3) == "95% CI 15% lower to no change"
    assert interval_words(-15.2, 0.3, fine=True) == "95% CI 15% lower to 0.3% higher"


def test_ratios_read_as_changes():
    assert ratio_words(0.92) == "8% lower"
    assert ratio_words(1.004) == "no change"
    assert ratio_words(math.inf) == "no upper limit"
    assert change_words(0.92, 0.85, math.inf) == "8% lower (95% CI 15% lower to no upper limit)"
    assert change_words(0.92, 0.85, math.inf, compact=True) == "-8% (-15% to no upper limit)"


def test_percent_and_month_span():
    assert (percent(12.4), percent(0.44), percent(-3.0)) == ("12%", "0.4%", "-3%")
    p = pd.Period
    assert month_span(p("2020-12", "M"), p("2020-12", "M")) == "Dec 2020"
    assert month_span(p("2020-10", "M"), p("2020-12", "M")) == "Oct-Dec 2020"
    assert month_span(p("2020-11", "M"), p("2021-01", "M")) == "Nov 2020-Jan 2021"
