"""Intervals for counts, proportions, rate ratios and correlations: each exact or stated, at 95% by default.

Monthly police.uk records are Poisson (or over-dispersed Poisson) counts; these are the
intervals every measure quotes. No streamlit here.
"""

from __future__ import annotations

import math

__all__ = ["Z95", "effective_pairs", "fisher_interval", "poisson_interval", "rate_ratio", "wilson_interval"]


#: The two-sided 95% normal quantile.
Z95 = 1.959963984540054


def poisson_interval(count: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) confidence interval for the mean of a Poisson count.

    Parameters
    ----------
    count : float
        The observed count (a non-negative whole number).
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    tuple of float
        ``(low, high)``; ``low`` is 0 when ``count`` is 0.

    Examples
    --------
    >>> [round(v, 3) for v in poisson_interval(0)]
    [0.0, 3.689]
    """
    # scipy.special, not scipy.stats: the quantile functions scipy.stats calls, for a third of the import;
    # imported here, not at the top, since the first page needs only Z95 of this module.
    from scipy import special

    if count < 0 or not math.isfinite(count):
        raise ValueError(f"count must be a non-negative number, got {count!r}")
    alpha = 1 - level
    low = 0.0 if count == 0 else float(special.gammaincinv(count, alpha / 2))
    high = float(special.gammaincinv(count + 1, 1 - alpha / 2))
    return low, high


def wilson_interval(successes: float, trials: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion; ``(nan, nan)`` when ``trials`` is 0.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(5, 10)]
    [0.2366, 0.7634]
    """
    from scipy import special  # see poisson_interval

    if trials <= 0:
        return math.nan, math.nan
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and trials ({trials}), got {successes!r}")
    z = float(special.ndtri(1 - (1 - level) / 2))
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z / (1 + z * z / trials) * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def rate_ratio(
    count: float, base_count: float, exposure: float = 1.0, base_exposure: float = 1.0, level: float = 0.95
) -> tuple[float, float, float]:
    """Ratio of two Poisson rates with the exact conditional (Clopper-Pearson) interval.

    Given the total ``count + base_count``, ``count`` is binomial with probability
    ``R*E / (R*E + E0)``; the interval for that probability maps to one for ``R``.

    Parameters
    ----------
    count, base_count : float
        The counts compared (``count`` over ``base_count``).
    exposure, base_exposure : float
        What each count is per (months, residents x months); equal by default.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    tuple of float
        ``(ratio, low, high)``: ``high`` is inf when ``base_count`` is 0; all NaN
        when both counts are 0.

    Examples
    --------
    >>> [round(v, 3) for v in rate_ratio(10, 10)]
    [1.0, 0.374, 2.677]
    """
    from scipy import special  # see poisson_interval

    if count < 0 or base_count < 0:
        raise ValueError(f"counts must be non-negative, got {count!r} and {base_count!r}")
    if exposure <= 0 or base_exposure <= 0:
        raise ValueError(f"exposures must be positive, got {exposure!r} and {base_exposure!r}")
    if count + base_count == 0:
        return math.nan, math.nan, math.nan
    alpha = 1 - level
    scale = base_exposure / exposure
    p_low = 0.0 if count == 0 else float(special.betaincinv(count, base_count + 1, alpha / 2))
    p_high = 1.0 if base_count == 0 else float(special.betaincinv(count + 1, base_count, 1 - alpha / 2))
    ratio = math.inf if base_count == 0 else count / base_count * scale
    low = p_low / (1 - p_low) * scale
    high = math.inf if p_high >= 1 else p_high / (1 - p_high) * scale
    return ratio, low, high


def effective_pairs(n: int, r1: float, s1: float) -> float:
    """Pairs of values worth as many independent ones, for two autocorrelated series (Bartlett).

    ``n (1 - r1 s1) / (1 + r1 s1)``, never above ``n``, where ``r1`` and ``s1`` are the
    series' lag-1 autocorrelations.

    Examples
    --------
    >>> effective_pairs(40, 0.5, 0.5)
    24.0
    >>> effective_pairs(40, 0.5, -0.5)
    40.0
    """
    product = r1 * s1
    return float(min(n, n * (1 - product) / (1 + product)))


def fisher_interval(r: float, n_eff: float, controls: int = 0) -> tuple[float, float]:
    """95% interval of a (partial) correlation by Fisher's z: ``tanh(atanh(r) +/- 1.96 / sqrt(n_eff - 3 - controls))``.

    Returns ``(nan, nan)`` when ``n_eff - 3 - controls`` is not positive.

    Examples
    --------
    >>> [round(v, 4) for v in fisher_interval(0.5, 28)]
    [0.156, 0.7358]
    """
    dof = n_eff - 3 - controls
    if not dof > 0:
        return math.nan, math.nan
    z, half = math.atanh(max(min(r, 0.999999), -0.999999)), Z95 / math.sqrt(dof)
    return math.tanh(z - half), math.tanh(z + half)
