"""The intervals computed with scipy.special give exactly what scipy.stats gives (a table of cases, zero counts too)."""

import math

import pytest
from scipy import special, stats

from analysis.stats.evaluation.fitting import _interval, _pct
from analysis.stats.intervals import Z95, poisson_interval, rate_ratio, wilson_interval

COUNTS = [0, 1, 2, 3, 7, 10, 41, 250, 1_000, 12_345, 356_360, 2.5]
LEVELS = [0.95, 0.9, 0.99, 0.8]


def _poisson_by_stats(count: float, level: float) -> tuple[float, float]:
    alpha = 1 - level
    low = 0.0 if count == 0 else float(stats.chi2.ppf(alpha / 2, 2 * count) / 2)
    return low, float(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2)


def _rate_ratio_by_stats(count, base_count, exposure, base_exposure, level) -> tuple[float, float, float]:
    if count + base_count == 0:
        return math.nan, math.nan, math.nan
    alpha, scale = 1 - level, base_exposure / exposure
    p_low = 0.0 if count == 0 else float(stats.beta.ppf(alpha / 2, count, base_count + 1))
    p_high = 1.0 if base_count == 0 else float(stats.beta.ppf(1 - alpha / 2, count + 1, base_count))
    ratio = math.inf if base_count == 0 else count / base_count * scale
    high = math.inf if p_high >= 1 else p_high / (1 - p_high) * scale
    return ratio, p_low / (1 - p_low) * scale, high


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("count", COUNTS)
def test_poisson_interval_is_scipy_stats_chi2(count, level):
    assert poisson_interval(count, level) == _poisson_by_stats(count, level)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(
    "count,base_count,exposure,base_exposure",
    [
        (0, 0, 1, 1),
        (0, 5, 1, 1),
        (5, 0, 1, 1),
        (1, 1, 1, 1),
        (10, 10, 1, 1),
        (3, 17, 12, 12),
        (250, 300, 6, 12),
        (4_100, 3_900, 1.5, 2.0),
        (1, 12_345, 3, 1),
        (356_360, 200_000, 48, 48),
    ],
)
def test_rate_ratio_is_scipy_stats_beta(count, base_count, exposure, base_exposure, level):
    ours = rate_ratio(count, base_count, exposure, base_exposure, level)
    theirs = _rate_ratio_by_stats(count, base_count, exposure, base_exposure, level)
    assert [repr(v) for v in ours] == [repr(v) for v in theirs]  # repr: nan equals nan


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("successes,trials", [(0, 1), (0, 10), (5, 10), (10, 10), (1, 3), (999, 1_000)])
def test_wilson_interval_uses_the_normal_quantile_of_scipy_stats(successes, trials, level):
    z = float(stats.norm.ppf(1 - (1 - level) / 2))
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z / (1 + z * z / trials) * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    assert wilson_interval(successes, trials, level) == (max(0.0, centre - half), min(1.0, centre + half))


def test_wilson_interval_without_trials_is_not_a_number():
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


@pytest.mark.parametrize("df", [1, 2, 3.5, 10, 47, 355, 12_345, 999_999])
@pytest.mark.parametrize("level", [0.95, 0.975])
def test_t_quantile_by_scipy_special_is_scipy_stats_t(df, level):
    # The evaluation and the week-of-action bands take the t quantile from scipy.special.stdtrit.
    assert float(special.stdtrit(df, level)) == float(stats.t.ppf(level, df))


@pytest.mark.parametrize("beta,se,df", [(0.1, 0.05, 12), (-0.4, 0.2, 3.2), (0.0, 1.0, 1), (0.3, 0.01, 2e6)])
def test_evaluation_interval_is_the_one_scipy_stats_gives(beta, se, df):
    q = float(stats.t.ppf(0.975, df)) if df < 1e6 else Z95
    assert _interval(beta, se, df) == (_pct(beta), _pct(beta - q * se), _pct(beta + q * se))
