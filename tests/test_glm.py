"""Tests for analysis.stats.glm: the numpy Poisson GLM gives what statsmodels gives; the app no longer imports it."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from analysis.stats.evaluation.fitting import _fit_poisson
from analysis.stats.evaluation.results import InsufficientData
from analysis.stats.glm import FitFailed, poisson_glm, poisson_hc0, poisson_hc1

ROOT = Path(__file__).resolve().parent.parent

N = 36
T = np.arange(N) / 12.0
ONE = np.ones(N)
MOY = np.arange(N) % 12
SEASONS = np.column_stack([(MOY == k).astype(float) for k in range(1, 12)])
STEP = (np.arange(N) >= 24).astype(float)


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _stacked() -> tuple[np.ndarray, np.ndarray]:
    """Twenty clusters of six rows: a fixed effect each and one treated-after step."""
    cluster = np.repeat(np.arange(20), 6)
    X = np.zeros((120, 20))
    X[np.arange(120), cluster] = 1.0
    after = np.tile(np.arange(6) >= 3, 20) & (cluster < 10)
    X = np.column_stack([X, after.astype(float)])
    y = _rng(7).poisson(np.exp(1.0 + 0.2 * (cluster % 4) - 0.3 * after)).astype(float)
    return y, X


def _with_zeros() -> np.ndarray:
    y = _rng(3).poisson(3.0, N).astype(float)
    y[:10] = 0.0
    return y


def _separated() -> tuple[np.ndarray, np.ndarray]:
    """A column that is 1 only where every count is 0: its coefficient runs off to minus infinity."""
    y = _rng(4).poisson(4.0, N).astype(float)
    y[:5] = 0.0
    return y, np.column_stack([ONE, (np.arange(N) < 5).astype(float)])


# name -> (counts, design)
CASES = {
    "flat series, level only": (np.full(N, 4.0), ONE[:, None]),
    "flat series, level and trend": (np.full(N, 4.0), np.column_stack([ONE, T])),
    "trend": (_rng(1).poisson(np.exp(1.0 + 0.3 * T)).astype(float), np.column_stack([ONE, T])),
    "whole-number counts": (_rng(1).poisson(np.exp(1.0 + 0.3 * T)), np.column_stack([ONE, T])),
    "seasonal dummies": (
        _rng(2).poisson(np.exp(2.0 + 0.1 * T + 0.4 * (MOY == 5))).astype(float),
        np.column_stack([ONE, T, SEASONS]),
    ),
    "seasonal, column-major design": (
        _rng(2).poisson(np.exp(2.0 + 0.1 * T + 0.4 * (MOY == 5))).astype(float),
        np.asfortranarray(np.column_stack([ONE, T, SEASONS])),
    ),
    "zeros among the counts": (_with_zeros(), np.column_stack([ONE, T])),
    "over-dispersed": (_rng(5).negative_binomial(2, 0.2, N).astype(float), np.column_stack([ONE, T, SEASONS, STEP])),
    "rank-deficient (a column twice)": (_rng(6).poisson(5.0, N).astype(float), np.column_stack([ONE, T, 2 * T, ONE])),
    "all-zero column": (_rng(6).poisson(5.0, N).astype(float), np.column_stack([ONE, T, np.zeros(N)])),
    "perfect separation": _separated(),
    "stacked clusters": _stacked(),
    "few rows, one free": (np.array([3.0, 5.0, 4.0]), np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])),
}


def _statsmodels(y: np.ndarray, X: np.ndarray, **fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GLM(y, X, family=families.Poisson()).fit(**fit)


def _same(ours, theirs) -> None:
    theirs = np.asarray(theirs, dtype=float)
    scale = max(float(np.max(np.abs(theirs), initial=0.0)), 1e-300)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-13 * scale)


@pytest.mark.parametrize("name", list(CASES))
def test_the_fit_is_what_statsmodels_gives(name):
    y, X = CASES[name]
    ours, theirs = poisson_glm(y, X), _statsmodels(y, X)
    assert ours.converged is bool(theirs.converged)
    assert ours.iterations == theirs.fit_history["iteration"]
    assert ours.df_resid == float(theirs.df_resid)
    _same(ours.params, theirs.params)
    _same(ours.fitted, theirs.fittedvalues)
    _same(ours.normalized_cov, theirs.normalized_cov_params)
    _same(ours.normalized_cov, theirs.cov_params())  # the Poisson scale is 1
    _same(ours.pearson_chi2, theirs.pearson_chi2)
    _same(ours.deviance, theirs.deviance)


@pytest.mark.parametrize("name", [n for n in CASES if "rank-deficient" not in n and "all-zero column" not in n])
def test_the_hc0_sandwich_is_what_statsmodels_gives_and_hc1_adds_the_small_sample_factor(name):
    y, X = CASES[name]
    theirs = _statsmodels(y, X, cov_type="HC0")
    fit = poisson_glm(y, X)
    _same(poisson_hc0(y, X, fit), theirs.cov_params())
    # statsmodels' "HC1" for a GLM is its HC0; the HC1 the evaluation reports has n / (n - k).
    _same(_statsmodels(y, X, cov_type="HC1").cov_params(), theirs.cov_params())
    factor = len(y) / max(float(theirs.df_resid), 1.0)
    _same(poisson_hc1(y, X, fit), theirs.cov_params() * factor)
    assert factor > 1


@pytest.mark.parametrize("name", ["rank-deficient (a column twice)", "all-zero column"])
def test_a_singular_hessian_fails_as_in_statsmodels(name):
    y, X = CASES[name]
    with pytest.raises(np.linalg.LinAlgError):
        _statsmodels(y, X, cov_type="HC1")
    with pytest.raises(np.linalg.LinAlgError):
        poisson_hc1(y, X, poisson_glm(y, X))
    with pytest.raises(InsufficientData, match="could not measure the uncertainty"):
        _fit_poisson(y, X, cov="hc1")


@pytest.mark.parametrize("maxiter", [1, 2, 3])
def test_a_fit_stopped_early_is_not_converged_as_in_statsmodels(maxiter):
    y, X = CASES["perfect separation"]
    ours, theirs = poisson_glm(y, X, maxiter=maxiter), _statsmodels(y, X, maxiter=maxiter)
    assert ours.converged is bool(theirs.converged) is False
    _same(ours.params, theirs.params)
    _same(ours.normalized_cov, theirs.normalized_cov_params)


def test_all_zero_counts_cannot_be_fitted_as_in_statsmodels():
    y, X = np.zeros(N), np.column_stack([ONE, T])
    with pytest.raises(ValueError, match="deviance"):
        _statsmodels(y, X)
    with pytest.raises(FitFailed, match="deviance"):
        poisson_glm(y, X)
    with pytest.raises(InsufficientData, match="could not be fitted"):
        _fit_poisson(y, X, cov="quasi")


@pytest.mark.parametrize("cov", ["quasi", "hc1"])
def test_fit_poisson_uses_the_numpy_fit(cov):
    y, X = CASES["over-dispersed"]
    params, covariance, df = _fit_poisson(y, X, cov=cov)
    theirs = _statsmodels(y, X, **({"cov_type": "HC0"} if cov == "hc1" else {}))
    _same(params, theirs.params)
    if cov == "hc1":
        _same(covariance, theirs.cov_params() * len(y) / float(theirs.df_resid))
    else:
        dispersion = max(float(theirs.pearson_chi2) / theirs.df_resid, 1.0)
        _same(covariance, theirs.cov_params() * dispersion)
    assert list(df) == [float(theirs.df_resid)]


# Imports every module of the app (not the pages, which are scripts), then fits what the
# Hub performance page and the Precept evaluation fit; prints the heavy modules loaded.
_FIT_IMPORTS = """
import importlib, pkgutil, sys
import numpy as np, pandas as pd
import analysis, ui
for package in (analysis, ui):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
from analysis.stats.expected import expected_range
from analysis.stats.evaluation.evaluate import evaluate
from data.generate import DEFAULT_LAUNCHES, simulate_counts
months = pd.period_range("2019-01", periods=30, freq="M")
monthly = pd.DataFrame({"hub": "A", "month": months, "asb": np.arange(30) % 7 + 10.0})
ranged = expected_range(monthly, "asb", months[-1])
assert ranged["position"].iloc[0] in ("above", "within", "below"), ranged
counts = simulate_counts(months=36)
hubs = pd.DataFrame({"hub": list(DEFAULT_LAUNCHES), "launched": pd.to_datetime(list(DEFAULT_LAUNCHES.values()))})
grid = counts[["hub", "month"]].drop_duplicates()
patrol = grid.assign(patrol_hours=100.0 + 7.0 * np.arange(len(grid)) % 50)
result = evaluate(counts, hubs, patrol)
assert result.dose_response is not None, result.dose_response_reason
assert any(h.effect_pct is not None for h in result.hubs), result.hubs
print(sorted(m for m in ("scipy.stats", "statsmodels") if m in sys.modules))
"""


def test_fitting_imports_neither_statsmodels_nor_scipy_stats():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _FIT_IMPORTS], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_expected_range_equals_the_statsmodels_interval():
    # The page's interval, worked out here from statsmodels' fit of a design built here: the same to rounding.
    from analysis.stats.expected import expected_range
    from analysis.stats.intervals import Z95

    months = pd.period_range("2019-01", periods=31, freq="M")
    counts = _rng(9).poisson(np.exp(2.5 + 0.2 * np.arange(31) / 12)).astype(float)
    monthly = pd.DataFrame({"hub": "A", "month": months, "asb": counts})
    row = expected_range(monthly, "asb", months[-1]).iloc[0]
    moy = np.asarray(months.month)
    design = np.column_stack([np.ones(31), np.arange(31) / 12.0] + [(moy == k).astype(float) for k in range(2, 13)])
    fit = _statsmodels(counts[:-1], design[:-1])
    phi = max(1.0, float(fit.pearson_chi2) / fit.df_resid)
    x_new = design[-1]
    mu = float(np.exp(x_new @ fit.params))
    half = Z95 * np.sqrt(phi * mu + mu * mu * float(x_new @ (fit.normalized_cov_params * phi) @ x_new))
    assert row["position"] != "not available" and row["history_months"] == 30
    assert row["expected"] == pytest.approx(mu, rel=1e-12)
    assert (row["low"], row["high"]) == pytest.approx((max(0.0, mu - half), mu + half), rel=1e-12)
