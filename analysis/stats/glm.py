"""A Poisson GLM with log link, fitted by IRLS in numpy: the answers statsmodels gives, without its import.

statsmodels (with the scipy.stats it pulls in) costs the server about 90 MiB and a
second of import for the few numbers the expected range and the evaluation use.
This module follows statsmodels' ``GLM(y, X, family=Poisson()).fit()`` (read in 0.15.0)
step by step, in the same floating-point operation order, so that its answers are
the same to the last digit or nearly so (``tests/test_glm.py`` holds it to
statsmodels on a table of designs):

- start at ``mu = (y + mean(y)) / 2``, ``eta = log(mu)``;
- each iteration a weighted least squares on the working response, solved with
  ``numpy.linalg.lstsq``; stop when the deviance changes by at most ``tol``
  (absolute), after at most ``maxiter`` iterations;
- the final coefficients and their normalised covariance from one more weighted
  least squares on the last working response, solved with the pseudo-inverse;
- the Poisson scale is fixed at 1, so the nonrobust covariance is the normalised one;
- the HC0 sandwich is what statsmodels' ``fit(cov_type="HC0")`` gives a GLM: the
  inverse observed Hessian around the outer product of the score. statsmodels gives
  a GLM the same matrix for "HC1" (it applies no small-sample factor to a GLM), so
  :func:`poisson_hc1` is HC0 times ``n / (n - k)``: the HC1 the evaluation names.

No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FitFailed", "PoissonFit", "poisson_glm", "poisson_hc0", "poisson_hc1"]

#: Machine epsilon: where statsmodels clips a mean before dividing by it or taking its log.
_EPS = np.finfo(float).eps


class FitFailed(ValueError):
    """The counts give IRLS nothing finite to work on (statsmodels raises a ValueError there too)."""


@dataclass(frozen=True)
class PoissonFit:
    """A fitted Poisson GLM with log link.

    Attributes
    ----------
    params : numpy.ndarray
        The coefficients, one per column of the design.
    converged : bool
        Whether the deviance settled within ``maxiter`` iterations.
    iterations : int
        Iterations run.
    df_resid : float
        Rows less the rank of the design.
    fitted : numpy.ndarray
        The fitted means ``exp(X @ params)``.
    normalized_cov : numpy.ndarray
        ``pinv(W^(1/2) X) pinv(W^(1/2) X)^T`` at the last iteration's weights: the
        Poisson covariance of ``params`` (the scale is 1).
    pearson_chi2 : float
        ``sum((y - mu)^2 / mu)``.
    deviance : float
        The Poisson deviance at ``fitted``.
    """

    params: np.ndarray
    converged: bool
    iterations: int
    df_resid: float
    fitted: np.ndarray
    normalized_cov: np.ndarray
    pearson_chi2: float
    deviance: float


def _clip(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, _EPS)  # np.clip(x, eps, inf), as statsmodels clips, for less


def _deviance(y: np.ndarray, mu: np.ndarray) -> float:
    """Poisson deviance, as statsmodels' ``Poisson.deviance`` sums it."""
    resid_dev = 2 * (y * np.log(_clip(y / mu)) - (y - mu))
    return float(np.sum(resid_dev))


def _pinv_extended(x: np.ndarray, rcond: float = 1e-15) -> np.ndarray:
    """The pseudo-inverse exactly as ``statsmodels.tools.tools.pinv_extended`` forms it."""
    u, s, vt = np.linalg.svd(x, False)
    cutoff = rcond * np.maximum.reduce(s)
    keep = s > cutoff
    s = np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0)
    return np.dot(np.transpose(vt), np.multiply(s[:, np.newaxis], np.transpose(u)))


def poisson_glm(y: np.ndarray, X: np.ndarray, *, maxiter: int = 100, tol: float = 1e-8) -> PoissonFit:
    """Fit a Poisson GLM with log link by iteratively reweighted least squares.

    Parameters
    ----------
    y : numpy.ndarray
        Counts, shape ``(n,)``.
    X : numpy.ndarray
        Design, shape ``(n, k)``; may be rank-deficient (the pseudo-inverse then picks
        the minimum-norm coefficients, as statsmodels does).
    maxiter : int, default 100
        Most iterations.
    tol : float, default 1e-8
        Absolute change in deviance that counts as converged.

    Returns
    -------
    PoissonFit
        Coefficients, convergence, fitted means and covariance.

    Raises
    ------
    FitFailed
        When the first deviance, a working weight or a working response is not finite,
        as when every count is zero (statsmodels raises a ValueError in the same places).

    Examples
    --------
    >>> fit = poisson_glm(np.array([2.0, 3.0, 5.0, 4.0]), np.ones((4, 1)))
    >>> round(float(np.exp(fit.params[0])), 6), fit.converged
    (3.5, True)
    """
    if maxiter < 1:
        raise ValueError("maxiter must be at least 1")
    with np.errstate(all="ignore"):  # a mean that under- or overflows is judged by the checks below
        return _irls(np.asarray(y, dtype=float), np.asarray(X, dtype=float), maxiter, tol)


def _irls(y: np.ndarray, X: np.ndarray, maxiter: int, tol: float) -> PoissonFit:
    mu = (y + y.mean()) / 2.0
    lin_pred = np.log(_clip(mu))
    deviances = [np.inf, _deviance(y, mu)]
    if np.isnan(deviances[-1]):
        raise FitFailed("The first guess on the deviance function returned a nan.")
    converged = False
    iteration = 0
    for iteration in range(maxiter):  # noqa: B007 (the count is reported)
        # Working weights 1 / (g'(mu)^2 V(mu)) and response eta + g'(mu) (y - mu), in statsmodels' order.
        deriv = 1.0 / _clip(mu)
        weights = 1.0 / (deriv**2 * np.fabs(mu))
        wls_y = lin_pred + deriv * (y - mu)
        w_half = np.sqrt(weights)
        if not np.all(np.isfinite(w_half)):
            raise FitFailed("NaN, inf or invalid value detected in weights, estimation infeasible.")
        if not np.all(np.isfinite(wls_y)):
            raise FitFailed("NaN, inf or invalid value detected in endog, estimation infeasible.")
        params = np.linalg.lstsq(w_half[:, None] * X, w_half * wls_y, rcond=-1)[0]
        lin_pred = np.dot(X, params)
        mu = np.exp(lin_pred)
        deviances.append(_deviance(y, mu))
        # np.allclose(previous, deviance, atol=tol, rtol=0), as statsmodels checks, on two floats.
        previous, deviance = deviances[-2], deviances[-1]
        converged = previous == deviance or abs(previous - deviance) <= tol
        if converged:
            break
    # The reported fit: one more least squares on the last working response, by pseudo-inverse.
    w_root = np.sqrt(weights)
    pinv = _pinv_extended(w_root[:, None] * X)
    params = np.dot(pinv, wls_y * w_root)
    normalized_cov = np.dot(pinv, np.transpose(pinv))
    fitted = np.exp(np.dot(X, params))
    pearson = float(np.sum((y - fitted) ** 2 / np.fabs(fitted)))
    df_resid = float(X.shape[0] - (np.linalg.matrix_rank(X) - 1) - 1)
    return PoissonFit(
        params=params,
        converged=converged,
        iterations=iteration + 1,
        df_resid=df_resid,
        fitted=fitted,
        normalized_cov=normalized_cov,
        pearson_chi2=pearson,
        deviance=_deviance(y, fitted),
    )


def poisson_hc0(y: np.ndarray, X: np.ndarray, fit: PoissonFit) -> np.ndarray:
    """The heteroskedasticity-robust (HC0) sandwich of a Poisson GLM, as statsmodels' ``cov_type="HC0"``.

    ``H^-1 (S^T S) H^-T`` with ``S`` the score per row and ``H`` the observed Hessian,
    both at ``fit.params``.

    Parameters
    ----------
    y, X : numpy.ndarray
        The counts and design ``fit`` was fitted to.
    fit : PoissonFit
        From :func:`poisson_glm`.

    Returns
    -------
    numpy.ndarray
        ``(k, k)`` covariance of ``fit.params``.

    Raises
    ------
    numpy.linalg.LinAlgError
        When the Hessian is exactly singular (statsmodels raises the same).
    """
    with np.errstate(all="ignore"):
        return _sandwich(np.asarray(y, dtype=float), np.asarray(X, dtype=float), fit.fitted)


def poisson_hc1(y: np.ndarray, X: np.ndarray, fit: PoissonFit) -> np.ndarray:
    """HC1: :func:`poisson_hc0` times ``n / (n - k)``, the small-sample factor (``n - k`` at least 1).

    HC0 is too small when a model has many coefficients for its rows (hub and month-of-year
    terms on a few years of months); statsmodels' "HC1" for a GLM leaves the factor out.
    Parameters, returns and raises as :func:`poisson_hc0`.
    """
    n = len(np.asarray(y))
    return poisson_hc0(y, X, fit) * (n / max(fit.df_resid, 1.0))


def _sandwich(y: np.ndarray, X: np.ndarray, mu: np.ndarray) -> np.ndarray:
    variance = np.fabs(mu)
    deriv = 1.0 / _clip(mu)
    score_factor = (y - mu) / deriv
    score_factor /= variance
    score = score_factor[:, None] * X
    # The observed Hessian factor: eim * (1 + score * (V g'' + V' g')), which is eim up to rounding.
    eim = 1 / (deriv**2 * variance)
    tmp = variance * (-1.0 / _clip(mu) ** 2)
    tmp += 1.0 * np.fabs(mu) ** 0.0 * deriv
    tmp = score_factor * tmp
    factor = eim * (1 + tmp)
    weighted = np.empty_like(X, dtype=float)
    np.multiply(X.T, factor, out=weighted.T)
    hessian_inv = np.linalg.inv(-weighted.T.dot(X))
    return np.dot(np.dot(hessian_inv, np.dot(score.T, score)), hessian_inv.T)
