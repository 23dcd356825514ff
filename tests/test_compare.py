"""The one period comparison: hand-computed cases, gaps that refuse, and its wording."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.stats.compare import Comparison, compare_months
from analysis.text.changes import change_words


def months(n, start="2019-01"):
    return pd.period_range(start, periods=n, freq="M")


def test_hand_computed_quasi_poisson():
    m = months(4)
    got = compare_months(pd.Series([100, 100, 80, 80], index=m), m[2:], m[:2])
    assert (got.recent_total, got.earlier_total) == (160, 200)
    assert got.ratio == pytest.approx(0.8)
    assert got.dispersion == 1.0  # no spread beyond Poisson
    se = (1 / 160 + 1 / 200) ** 0.5
    assert got.ci_low == pytest.approx(0.8 * math.exp(-1.959963984540054 * se))
    assert got.ci_high == pytest.approx(0.8 * math.exp(1.959963984540054 * se))
    assert got.verdict == "lower"
    assert "20% lower" in got.sentence() and "the whole interval is lower" in got.sentence()


def test_widens_with_overdispersion_but_not_seasonality():
    m = months(4)
    seasonal = compare_months(pd.Series([50, 150, 50, 150], index=m), m[2:], m[:2])
    assert seasonal.dispersion == 1.0 and seasonal.ratio == 1.0
    noisy = compare_months(pd.Series([50, 150, 150, 50], index=m), m[2:], m[:2])
    assert noisy.dispersion > 10
    assert noisy.ci_low < seasonal.ci_low and "includes no change" in noisy.sentence()


def test_exposure_makes_a_rate_ratio():
    m = months(2)
    got = compare_months(pd.Series([100, 100], index=m), m[1:], m[:1], recent_exposure=2000, earlier_exposure=1000)
    assert got.ratio == pytest.approx(0.5)


@pytest.mark.parametrize(
    "values,reason",
    [
        ([10, None, 12, 11], "not available: 2019-02 not supplied"),
        ([None, None, 12, None], "not available: 2019-01 to 2019-02, 2019-04 not supplied"),
        ([0, 0, 5, 5], "not available: no records in Jan-Feb 2019"),
    ],
)
def test_refuses_with_a_reason_and_no_number(values, reason):
    m = months(4)
    got = compare_months(pd.Series(values, index=m, dtype="float64"), m[2:], m[:2])
    assert not got.available and got.reason == reason
    assert math.isnan(got.ratio) and math.isnan(got.ci_low) and math.isnan(got.ci_high)
    assert got.words() == reason and got.in_words() == reason
    assert "%" not in got.sentence()


def test_months_outside_the_series_are_not_supplied():
    m = months(3)
    got = compare_months(pd.Series([5, 6, 7], index=m), m[1:], m[1:] - 12)
    assert got.reason == "not available: 2018-02 to 2018-03 not supplied"


def test_windows_must_match():
    with pytest.raises(ValueError, match="same, non-zero length"):
        compare_months(pd.Series([1, 2, 3], index=months(3)), months(2), months(1))


@pytest.mark.parametrize(
    "ratio,low,high,words,compact",
    [
        (0.92, 0.85, 1.01, "8% lower (95% CI 15% lower to 1% higher)", "-8% (-15% to +1%)"),
        (1.5, 1.2, math.inf, "50% higher (95% CI 20% higher to no upper limit)", "+50% (+20% to no upper limit)"),
        (1.002, 0.9, 1.1, "no change (95% CI 10% lower to 10% higher)", "+0% (-10% to +10%)"),
        (math.nan, math.nan, math.nan, "not available", "not available"),
    ],
)
def test_change_words_never_a_bare_percent(ratio, low, high, words, compact):
    assert change_words(ratio, low, high) == words
    assert change_words(ratio, low, high, compact=compact is not None) == compact


def _pair(this, before):
    """Two windows of len(this) months a year apart, as compare_months takes them."""
    recent = months(len(this), "2020-01")
    earlier = recent - 12
    series = pd.Series([*before, *this], index=earlier.append(recent), dtype="float64")
    return compare_months(series, recent, earlier)


def test_by_hand_three_months():
    # 300 against 450: ratio 2/3. Each month fits its level exactly, so the dispersion is 1 and
    # se = sqrt(1/300 + 1/450) = 0.074536; interval 2/3 * exp(-/+1.96 * se) = 0.5761 to 0.7715.
    change = _pair([100, 100, 100], [150, 150, 150])
    assert (change.recent_total, change.earlier_total) == (300, 450)
    assert change.ratio == pytest.approx(2 / 3)
    assert (change.ci_low, change.ci_high) == (pytest.approx(0.5761, abs=1e-4), pytest.approx(0.7715, abs=1e-4))
    assert change.verdict == "lower"


def test_scales_by_month_to_month_variation():
    # Ratio 1; Pearson = 4 * 10**2 / 100 = 4 on 1 degree of freedom: se = sqrt(4 * (1/200 + 1/200)) = 0.2.
    change = _pair([90, 110], [110, 90])
    assert change.ratio == 1
    assert (change.ci_low, change.ci_high) == (pytest.approx(0.6757, abs=1e-4), pytest.approx(1.4799, abs=1e-4))
    assert change.verdict == "no clear change"


def test_seasonality_cancels_when_months_are_matched():
    before = [50, 80, 120, 200, 260, 300, 280, 220, 150, 100, 70, 60]
    change = _pair([round(b * 0.9) for b in before], before)
    assert change.verdict == "lower" and change.ci_high < 1


@pytest.mark.parametrize(
    "low,high,range_words,in_words",
    [
        (0.80, 0.95, "between 5% and 20% lower", "a fall of between 5% and 20%, more than normal variation"),
        (1.04, 1.30, "between 4% and 30% higher", "a rise of between 4% and 30%, more than normal variation"),
        (
            0.90,
            1.12,
            "between 10% lower and 12% higher",
            "a change within normal variation (between 10% lower and 12% higher)",
        ),
        (0.70, 0.996, "between 0.4% and 30% lower", "a fall of between 0.4% and 30%, more than normal variation"),
    ],
)
def test_public_words_never_a_bare_percent(low, high, range_words, in_words):
    m = months(1)
    change = Comparison(m[0], m[0], m[0] - 12, m[0] - 12, 100, 110, math.sqrt(low * high), low, high, 1.0)
    assert change.range_words() == range_words
    assert change.in_words() == in_words
