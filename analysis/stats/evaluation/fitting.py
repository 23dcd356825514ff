"""Poisson fits with honest standard errors (quasi-Poisson, HC1, CR2 with Bell-McCaffrey df)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from analysis.stats.evaluation.results import (
    _LEVEL,
    InsufficientData,
)
from analysis.stats.glm import FitFailed, poisson_glm, poisson_hc1
from analysis.stats.intervals import Z95


def _fit_poisson(
    y: np.ndarray,
    X: np.ndarray,
    *,
    cov: Literal["quasi", "hc1", "cr2"],
    groups: np.ndarray | None = None,
    coefs: Sequence[int] = (-1,),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit a Poisson GLM; return params, covariance and t degrees of freedom for ``coefs``.

    ``quasi`` scales the Poisson covariance by the Pearson dispersion (never below
    1, so never claims less noise than Poisson), with the residual degrees of
    freedom. ``hc1`` is the heteroskedasticity-robust sandwich. ``cr2`` is the
    bias-reduced cluster-robust sandwich on ``groups`` (Bell and McCaffrey 2002),
    with Bell-McCaffrey degrees of freedom for each of ``coefs``: the plain
    cluster sandwich is too small when many fixed effects are each estimated from
    a handful of observations, as in a stacked design.
    """
    try:
        res = poisson_glm(y, X)
    except FitFailed:
        raise InsufficientData("The model could not be fitted to these counts.") from None
    if not res.converged or not np.all(np.isfinite(res.params)):
        raise InsufficientData("The model could not be fitted to these counts (it did not converge).")
    params = res.params
    df = np.full(len(coefs), max(res.df_resid, 1.0))
    if cov == "hc1":
        try:
            return params, poisson_hc1(y, X, res), df
        except np.linalg.LinAlgError:
            raise InsufficientData("The model could not measure the uncertainty of this estimate.") from None
    mu = np.maximum(res.fitted, 1e-12)
    if cov == "quasi":
        pearson = float(np.sum((y - mu) ** 2 / mu))
        dispersion = max(pearson / df[0], 1.0)
        return params, res.normalized_cov * dispersion, df
    cov_params, df = _cr2(X, y, mu, np.asarray(groups), coefs)
    return params, cov_params, df


def _cr2(
    X: np.ndarray, y: np.ndarray, mu: np.ndarray, groups: np.ndarray, coefs: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """CR2 cluster-robust covariance of a Poisson GLM and Bell-McCaffrey df for ``coefs``.

    Clusters of the same size are handled together, as stacked small matrices.
    """
    root = np.sqrt(mu)
    Xw = X * root[:, None]  # working design, W^(1/2) X
    resid = (y - mu) / root  # working residuals
    bread = np.linalg.pinv(Xw.T @ Xw)
    hat_cols = Xw @ bread  # the hat matrix is hat_cols @ Xw.T
    bc = bread[:, list(coefs)]  # K x m
    codes = pd.factorize(groups)[0]
    sizes = np.bincount(codes)
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    scores, g_parts = [], []
    for size in np.unique(sizes):
        which = np.flatnonzero(sizes == size)
        idx = order[starts[which][:, None] + np.arange(size)]  # clusters x size
        Xg = Xw[idx]  # clusters x size x K
        Xg_t = Xg.transpose(0, 2, 1)
        Hgg = Xg @ bread @ Xg_t
        vals, vecs = np.linalg.eigh(np.eye(size) - Hgg)
        inv_root = np.where(vals > 1e-10, 1.0 / np.sqrt(np.clip(vals, 1e-10, None)), 0.0)
        A = (vecs * inv_root[:, None, :]) @ vecs.transpose(0, 2, 1)  # (I - H_gg)^(-1/2)
        scores.append((Xg_t @ (A @ resid[idx][..., None]))[..., 0])
        # Bell-McCaffrey: column g of (I - H) A_g Xw_g bread c, one per coefficient.
        v = A @ (Xg @ bc)  # clusters x size x m
        col = -(hat_cols @ (Xg_t @ v))  # clusters x n x m
        col[np.arange(len(which))[:, None], idx, :] += v
        g_parts.append(col)
    S = np.concatenate(scores)
    cov = bread @ (S.T @ S) @ bread
    G = np.concatenate(g_parts)  # clusters x n x m
    df = np.empty(len(coefs))
    for j in range(len(coefs)):
        GtG = G[:, :, j] @ G[:, :, j].T
        df[j] = np.trace(GtG) ** 2 / max(float(np.sum(GtG * GtG)), 1e-300)
    return cov, np.maximum(df, 1.0)


def _interval(beta: float, se: float, df: float) -> tuple[float, float, float]:
    """Return percent effect and 95% interval from a log-scale coefficient."""
    if not (math.isfinite(se) and se > 0):
        raise InsufficientData("The model could not measure the uncertainty of this estimate.")
    from scipy import special  # the t quantile scipy.stats.t.ppf gives; imported when needed

    q = float(special.stdtrit(df, 0.5 + _LEVEL / 2)) if df < 1e6 else Z95
    return _pct(beta), _pct(beta - q * se), _pct(beta + q * se)


def _pct(log_ratio: float) -> float:
    return 100.0 * math.expm1(log_ratio)


def _season(moy: np.ndarray, span_months: int) -> tuple[np.ndarray, str]:
    """Month-of-year terms: 11 dummies with 24+ months of data, else one annual wave."""
    if span_months >= 24:
        present = np.unique(moy)
        cols = [(moy == m).astype(float) for m in present[1:]]
        return (np.column_stack(cols) if cols else np.empty((len(moy), 0))), "month-of-year terms"
    angle = 2 * np.pi * (moy - 1) / 12
    return np.column_stack([np.sin(angle), np.cos(angle)]), "an annual seasonal wave"


def _dummies(codes: np.ndarray, *, drop: np.ndarray | None = None) -> np.ndarray:
    """One column per code (0..k-1), without the codes listed in ``drop``."""
    k = int(codes.max()) + 1
    out = np.zeros((len(codes), k))
    out[np.arange(len(codes)), codes] = 1.0
    if drop is not None and len(drop):
        out = np.delete(out, drop, axis=1)
    return out
