"""How each hub is doing: rates, trends, expected ranges, outcomes and multi-agency cases.

Every comparison here comes with its 95% interval, the months it covers and what it
assumes; nothing returns a bare percent change. Counts are treated as Poisson (or
over-dispersed Poisson) counts, which is what monthly police.uk records are.

ASB is counted apart from crime and never added into a crime total. ASB has no outcome,
so outcome figures use crimes only. The free-text ``summary`` column of cases.csv never
leaves this module.

No streamlit here.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import statsmodels.api as sm
from plotly.subplots import make_subplots
from scipy import stats

from analysis.figures.shared import PALETTE
from analysis.schema import ASB, CRIME_TYPES, OPEN_OUTCOMES
from analysis.stats.compare import change_words, compare_months, month_span
from analysis.text.a11y import chart_summary, table_view

__all__ = [
    "CASE_COLUMNS",
    "MIN_HISTORY",
    "OPEN_SHARE_FLOOR",
    "RECENT_MONTHS",
    "agency_counts",
    "agency_figure",
    "agency_summary",
    "agency_view",
    "case_status_figure",
    "case_status_summary",
    "case_status_view",
    "case_summary",
    "case_table",
    "change_figure",
    "change_summary",
    "change_view",
    "compare_windows",
    "comparison_table",
    "days_to_close_figure",
    "days_to_close_stats",
    "days_to_close_summary",
    "days_to_close_view",
    "expected_range",
    "expected_range_figure",
    "expected_summary",
    "expected_view",
    "issue_counts",
    "issue_figure",
    "issue_summary",
    "issue_view",
    "kaplan_meier_median",
    "monthly_measures",
    "open_outcomes_by_month",
    "open_share_figure",
    "open_share_summary",
    "open_share_view",
    "outcome_distribution",
    "outcome_figure",
    "outcome_summary",
    "outcome_view",
    "period_rate",
    "poisson_interval",
    "rate_figure",
    "rate_points",
    "rate_ratio",
    "rate_summary",
    "rate_view",
    "style_figure",
    "trend_window",
    "wilson_interval",
]

_Z = 1.959963984540054

#: Fewest months of history before the latest month that an expected range accepts.
MIN_HISTORY = 6
#: Months treated as recent: their outcomes may still be open.
RECENT_MONTHS = 3
#: A recent month is flagged when its open share is surely above this (or twice the earlier share).
OPEN_SHARE_FLOOR = 0.05
#: The case columns that may be shown or downloaded (never the free-text summary).
CASE_COLUMNS: tuple[str, ...] = ("case_id", "hub", "opened", "closed", "issue", "agencies", "status")


# --------------------------------------------------------------------------- intervals


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
    if count < 0 or not math.isfinite(count):
        raise ValueError(f"count must be a non-negative number, got {count!r}")
    alpha = 1 - level
    low = 0.0 if count == 0 else float(stats.chi2.ppf(alpha / 2, 2 * count) / 2)
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2)
    return low, high


def wilson_interval(successes: float, trials: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion; ``(nan, nan)`` when ``trials`` is 0.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(5, 10)]
    [0.2366, 0.7634]
    """
    if trials <= 0:
        return math.nan, math.nan
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and trials ({trials}), got {successes!r}")
    z = float(stats.norm.ppf(1 - (1 - level) / 2))
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
    if count < 0 or base_count < 0:
        raise ValueError(f"counts must be non-negative, got {count!r} and {base_count!r}")
    if exposure <= 0 or base_exposure <= 0:
        raise ValueError(f"exposures must be positive, got {exposure!r} and {base_exposure!r}")
    if count + base_count == 0:
        return math.nan, math.nan, math.nan
    alpha = 1 - level
    scale = base_exposure / exposure
    p_low = 0.0 if count == 0 else float(stats.beta.ppf(alpha / 2, count, base_count + 1))
    p_high = 1.0 if base_count == 0 else float(stats.beta.ppf(1 - alpha / 2, count + 1, base_count))
    ratio = math.inf if base_count == 0 else count / base_count * scale
    low = p_low / (1 - p_low) * scale
    high = math.inf if p_high >= 1 else p_high / (1 - p_high) * scale
    return ratio, low, high


# --------------------------------------------------------------------------- hub comparison


def monthly_measures(counts: pd.DataFrame, crime_types: tuple[str, ...] | list[str] = CRIME_TYPES) -> pd.DataFrame:
    """ASB and crime (the chosen types except ASB) per hub and month.

    Parameters
    ----------
    counts : pandas.DataFrame
        ``hub, month, crime_type, count`` as :func:`analysis.measures.metrics.monthly_counts` returns.
    crime_types : sequence of str
        The chosen types; ASB counts only when it is among them, crime sums the rest.

    Returns
    -------
    pandas.DataFrame
        ``hub, month, asb, crime`` (int; float with NaN where a stream was not supplied);
        ``asb`` is 0 when ASB is not chosen.

    Examples
    --------
    >>> counts = pd.DataFrame({"hub": ["A"] * 3, "month": pd.PeriodIndex(["2019-01"] * 3, freq="M"),
    ...                        "crime_type": [ASB, "Drugs", "Robbery"], "count": [5, 2, 1]})
    >>> monthly_measures(counts, [ASB, "Drugs"])[["asb", "crime"]].values.tolist()
    [[5, 2]]
    """
    chosen = set(crime_types)
    keep = counts["crime_type"].astype("str").isin(chosen)
    rows = counts.loc[keep]
    is_asb = rows["crime_type"].astype("str") == ASB
    tagged = rows.assign(
        asb=rows["count"].where(is_asb, 0),
        crime=rows["count"].where(~is_asb, 0),
        hub=rows["hub"].astype("str"),
    )
    grid = counts[["hub", "month"]].drop_duplicates().assign(hub=lambda d: d["hub"].astype("str"))
    # A stream not supplied is NaN in every one of its cells: the sum stays NaN, never a partial total or 0.
    summed = tagged.groupby(["hub", "month"], as_index=False, sort=False)[["asb", "crime"]].agg(
        lambda v: v.sum(skipna=False)
    )
    out = grid.merge(summed, on=["hub", "month"], how="left").reset_index(drop=True)
    if out[["asb", "crime"]].isna().to_numpy().any():
        return out.astype({"asb": "float64", "crime": "float64"})
    return out.astype({"asb": "int64", "crime": "int64"})


def _has_population(monthly: pd.DataFrame) -> bool:
    return "population" in monthly.columns and bool(monthly["population"].notna().any())


def period_rate(monthly: pd.DataFrame, measure: str, months: pd.PeriodIndex) -> pd.DataFrame:
    """Per hub: the count in ``months``, and the rate per 1,000 residents a month with its 95% interval.

    Parameters
    ----------
    monthly : pandas.DataFrame
        ``hub, month, <measure>`` and optionally ``population`` (residents in that month).
    measure : str
        The count column, e.g. ``"asb"``.
    months : pandas.PeriodIndex
        The months to total.

    Returns
    -------
    pandas.DataFrame
        ``hub, count, months, population, rate_per_1000, ci_low, ci_high``: the rate is
        ``count / months / mean population * 1000``; its interval is the exact Poisson
        interval of the count scaled the same way. NaN rates without population.

    Examples
    --------
    >>> monthly = pd.DataFrame({"hub": ["A", "A"], "month": pd.PeriodIndex(["2019-01", "2019-02"], freq="M"),
    ...                         "asb": [10, 30], "population": [10_000, 10_000]})
    >>> period_rate(monthly, "asb", monthly["month"].unique())["rate_per_1000"].item()
    2.0
    """
    columns = ["hub", "count", "months", "population", "rate_per_1000", "ci_low", "ci_high"]
    # Months not supplied (NaN) are left out: the rate is per month supplied.
    inside = monthly.loc[monthly["month"].isin(months) & monthly[measure].notna()]
    if inside.empty:
        return pd.DataFrame(columns=columns)
    population = inside["population"] if _has_population(inside) else pd.Series(np.nan, index=inside.index)
    per_hub = (
        inside.assign(population=population)
        .groupby("hub", sort=False)
        .agg(count=(measure, "sum"), months=("month", "nunique"), population=("population", "mean"))
        .reset_index()
    )
    bounds = [poisson_interval(c) for c in per_hub["count"]]
    scale = 1000 / (per_hub["months"] * per_hub["population"])
    return per_hub.assign(
        rate_per_1000=per_hub["count"] * scale,
        ci_low=[b[0] for b in bounds] * scale,
        ci_high=[b[1] for b in bounds] * scale,
    )[columns]


def compare_windows(monthly: pd.DataFrame, measure: str, end: pd.Period, window: int, offset: int) -> pd.DataFrame:
    """Per hub: the ``window`` months to ``end`` against the same number of months ``offset`` months earlier.

    ``offset=window`` compares with the months just before (a short-term trend);
    ``offset=12`` with the same months a year before (which cancels the season).
    With population the ratio is of rates per resident, else of counts. Each hub goes
    through :func:`analysis.stats.compare.compare_months`, the one comparison of the project.

    Parameters
    ----------
    monthly : pandas.DataFrame
        ``hub, month, <measure>`` (NaN where not supplied) and optionally ``population``;
        must hold the earlier months too (history before the chosen period is used).
    measure : str
        The count column.
    end : pandas.Period
        The last month of the recent window.
    window : int
        Months in each window (at least 1).
    offset : int
        Months between the windows' ends (at least ``window``, so they do not overlap).

    Returns
    -------
    pandas.DataFrame
        ``hub, recent, baseline, recent_count, baseline_count, ratio, ci_low, ci_high, note``
        (``recent``/``baseline`` name the months). When a month of either window was not
        supplied, the ratio is NaN and ``note`` says which.

    Examples
    --------
    >>> monthly = pd.DataFrame({"hub": ["A"] * 4, "asb": [10, 10, 5, 5],
    ...                         "month": pd.period_range("2019-01", periods=4, freq="M")})
    >>> compare_windows(monthly, "asb", pd.Period("2019-04", "M"), 2, 2)["ratio"].item()
    0.5
    """
    if window < 1 or offset < window:
        raise ValueError(f"window must be >= 1 and offset >= window, got window={window}, offset={offset}")
    recent = pd.period_range(end - window + 1, end, freq="M")
    baseline = recent - offset
    with_population = _has_population(monthly)
    rows = []
    for hub, part in monthly.groupby("hub", sort=False):
        by_month = part.set_index("month")
        exposure = {}
        if with_population:
            people = by_month["population"]
            exposure = {
                "recent_exposure": float(people.reindex(recent).sum()),
                "earlier_exposure": float(people.reindex(baseline).sum()),
            }
        c = compare_months(by_month[measure], recent, baseline, **exposure)
        note = "" if c.available else f"{c.reason[0].upper()}{c.reason[1:]}."
        rows.append(
            {
                "hub": hub,
                "recent": c.recent_label,
                "baseline": c.earlier_label,
                "recent_count": c.recent_total,
                "baseline_count": c.earlier_total,
                "ratio": c.ratio,
                "ci_low": c.ci_low,
                "ci_high": c.ci_high,
                "note": note,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["hub", "recent", "baseline", "recent_count", "baseline_count", "ratio", "ci_low", "ci_high", "note"],
    )


def trend_window(available: int, preferred: int = 3) -> int:
    """Months per window for "recent against the months before": ``preferred``, fewer when the data are short.

    Parameters
    ----------
    available : int
        Months of data up to and including the latest month.
    preferred : int
        The window wanted.

    Returns
    -------
    int
        ``min(preferred, available // 2)``; 0 when there are fewer than 2 months.

    Examples
    --------
    >>> trend_window(48), trend_window(5), trend_window(1)
    (3, 2, 0)
    """
    return max(0, min(preferred, available // 2))


def _design(months: pd.PeriodIndex, origin: pd.Period, trend: bool, seasonal: bool) -> np.ndarray:
    t = np.array([(m - origin).n for m in months], dtype=float) / 12.0
    columns = [np.ones(len(months))]
    if trend:
        columns.append(t)
    if seasonal:
        moy = np.array([m.month for m in months])
        columns += [(moy == k).astype(float) for k in range(2, 13)]
    return np.column_stack(columns)


def expected_range(
    monthly: pd.DataFrame,
    measure: str,
    latest: pd.Period,
    *,
    min_history: int = MIN_HISTORY,
    max_history: int = 36,
) -> pd.DataFrame:
    """Per hub: the latest month's count against the range expected from the hub's own history.

    A quasi-Poisson regression on up to ``max_history`` months before ``latest``:
    a level only with fewer than 12 months, plus a linear trend from 12 months, plus
    month-of-year terms from 24 months (so the range is seasonal only then). The
    95% prediction interval for the latest month is
    ``mu +/- 1.96 * sqrt(phi * mu + mu**2 * var(log mu))``, with ``phi`` (at least 1)
    the over-dispersion, floored at zero.

    Parameters
    ----------
    monthly : pandas.DataFrame
        ``hub, month, <measure>``; history before the chosen period is used.
    measure : str
        The count column.
    latest : pandas.Period
        The month judged.
    min_history, max_history : int
        Fewest and most months of history used.

    Returns
    -------
    pandas.DataFrame
        ``hub, month, observed, expected, low, high, position, history_months, model``
        where ``position`` is "above", "within" or "below", or "not available" with the
        reason in ``model``.
    """
    columns = ["hub", "month", "observed", "expected", "low", "high", "position", "history_months", "model"]
    rows = []
    for hub, part in monthly.groupby("hub", sort=False):
        by_month = part.set_index("month")[measure].astype(float)
        observed = float(by_month.get(latest, math.nan))
        history = by_month.loc[(by_month.index < latest) & (by_month.index >= latest - max_history)].sort_index()
        # Fitted on the months supplied only: a month not supplied is not a zero to fit.
        history = history.dropna()
        n = len(history)
        row = {"hub": hub, "month": latest, "observed": observed, "history_months": n}
        if n < min_history or not math.isfinite(observed):
            reason = (
                f"Not available: needs {min_history} supplied months before {latest.strftime('%b %Y')}, "
                f"the data have {n}."
                if n < min_history
                else f"Not available: {latest} not supplied."
            )
            rows.append(row | {"expected": math.nan, "low": math.nan, "high": math.nan, "position": "not available"})
            rows[-1]["model"] = reason
            continue
        if history.sum() == 0:
            rows.append(
                row
                | {
                    "expected": 0.0,
                    "low": 0.0,
                    "high": 0.0,
                    "position": "above" if observed > 0 else "within",
                    "model": f"No records in the {n} months before.",
                }
            )
            continue
        trend, seasonal = n >= 12, n >= 24
        months = pd.PeriodIndex(history.index, freq="M")
        X = _design(months, months[0], trend, seasonal)
        x_new = _design(pd.PeriodIndex([latest], freq="M"), months[0], trend, seasonal)[0]
        with warnings.catch_warnings():
            # A perfectly flat history "separates" perfectly; the fit is still right.
            warnings.simplefilter("ignore")
            fit = sm.GLM(history.to_numpy(), X, family=sm.families.Poisson()).fit()
        # Over-dispersion from the Pearson statistic, at least 1 (a perfect fit gives 0).
        dispersion = float(fit.pearson_chi2) / fit.df_resid if fit.df_resid > 0 else 1.0
        phi = max(1.0, dispersion) if math.isfinite(dispersion) else 1.0
        cov = np.asarray(fit.normalized_cov_params) * phi
        eta = float(x_new @ fit.params)
        var_eta = float(x_new @ cov @ x_new.T)
        mu = math.exp(eta)
        half = _Z * math.sqrt(phi * mu + mu * mu * var_eta)
        low, high = max(0.0, mu - half), mu + half
        position = "above" if observed > high else "below" if observed < low else "within"
        parts = ["level"] + (["trend"] if trend else []) + (["month of year"] if seasonal else [])
        model = (
            f"Quasi-Poisson on {n} supplied months ({month_span(months[0], months[-1])}): "
            + ", ".join(parts)
            + ("" if seasonal else " (not seasonal: fewer than 24 months)")
            + f"; over-dispersion {phi:.1f}."
        )
        rows.append(row | {"expected": mu, "low": low, "high": high, "position": position, "model": model})
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------- outcomes


def outcome_distribution(incidents: pd.DataFrame) -> pd.DataFrame:
    """Crimes by ``Last outcome category`` (ASB has none and is left out).

    Returns
    -------
    pandas.DataFrame
        ``outcome, crimes, share, is_open`` sorted by ``crimes`` descending; a blank
        outcome is named "Not recorded".

    Examples
    --------
    >>> rows = pd.DataFrame({"is_asb": [False, False, True],
    ...                      "outcome": ["Under investigation", "Local resolution", ""]})
    >>> outcome_distribution(rows)[["outcome", "crimes"]].values.tolist()
    [['Local resolution', 1], ['Under investigation', 1]]
    """
    crimes = incidents.loc[~incidents["is_asb"], "outcome"]
    counted = crimes.value_counts().rename_axis("outcome").reset_index(name="crimes")
    counted = counted.assign(outcome=counted["outcome"].astype("str").replace("", "Not recorded"))
    counted = counted.groupby("outcome", as_index=False, sort=False)["crimes"].sum()
    counted = counted.loc[counted["crimes"] > 0].sort_values(["crimes", "outcome"], ascending=[False, True])
    total = counted["crimes"].sum()
    return counted.assign(
        share=counted["crimes"] / total if total else np.nan,
        is_open=counted["outcome"].isin(OPEN_OUTCOMES),
    ).reset_index(drop=True)


def open_outcomes_by_month(
    incidents: pd.DataFrame,
    latest: pd.Period,
    *,
    recent: int = RECENT_MONTHS,
    floor: float = OPEN_SHARE_FLOOR,
) -> pd.DataFrame:
    """Per month: the share of crimes whose outcome is still open, recent months flagged.

    Open means ``OPEN_OUTCOMES`` ("Under investigation", "Awaiting court outcome").
    A month is flagged when it is one of the ``recent`` months up to ``latest`` (the
    data's last month) and its Wilson 95% lower bound is above both ``floor`` and twice
    the pooled open share of the earlier months in ``incidents``.

    Returns
    -------
    pandas.DataFrame
        ``month, crimes, open, share, ci_low, ci_high, recent, flagged``.
    """
    columns = ["month", "crimes", "open", "share", "ci_low", "ci_high", "recent", "flagged"]
    crimes = incidents.loc[~incidents["is_asb"], ["month", "outcome"]]
    if crimes.empty:
        return pd.DataFrame(columns=columns)
    per_month = (
        crimes.assign(open=crimes["outcome"].isin(OPEN_OUTCOMES))
        .groupby("month", sort=True)
        .agg(crimes=("open", "size"), open=("open", "sum"))
        .reset_index()
    )
    is_recent = per_month["month"] > latest - recent
    earlier = per_month.loc[~is_recent]
    baseline = earlier["open"].sum() / earlier["crimes"].sum() if earlier["crimes"].sum() else 0.0
    bounds = [wilson_interval(o, c) for o, c in zip(per_month["open"], per_month["crimes"], strict=True)]
    low = pd.Series([b[0] for b in bounds], index=per_month.index)
    return per_month.assign(
        share=per_month["open"] / per_month["crimes"],
        ci_low=low,
        ci_high=[b[1] for b in bounds],
        recent=is_recent,
        flagged=is_recent & (low > max(floor, 2 * baseline)),
    )[columns]


# --------------------------------------------------------------------------- cases


def case_table(
    cases: pd.DataFrame, hubs: list[str] | tuple[str, ...], start: pd.Period, end: pd.Period
) -> pd.DataFrame:
    """Cases opened in the period in the chosen hubs, with their state at the period's end.

    A case closed after the period's end counts as open at the end. The free-text
    ``summary`` column (and any other extra column) is dropped.

    Returns
    -------
    pandas.DataFrame
        ``case_id, hub, opened, closed, issue, agencies, status, closed_by_end,
        days_to_close`` (closed by the end) and ``days_open`` (open at the end: days from
        opening to the end of the period).
    """
    as_of = end.end_time.normalize()
    inside = cases.loc[
        cases["hub"].astype("str").isin(hubs)
        & (cases["opened"] >= start.start_time)
        & (cases["opened"] <= end.end_time)
    ]
    inside = inside[[c for c in CASE_COLUMNS if c in inside.columns]]
    closed_by_end = inside["closed"].notna() & (inside["closed"] <= end.end_time)
    return inside.assign(
        hub=inside["hub"].astype("str"),
        closed_by_end=closed_by_end,
        days_to_close=(inside["closed"] - inside["opened"]).dt.days.where(closed_by_end),
        days_open=(as_of - inside["opened"]).dt.days.where(~closed_by_end),
    ).reset_index(drop=True)


def kaplan_meier_median(durations: np.ndarray | pd.Series, closed: np.ndarray | pd.Series) -> float:
    """Median time to close, counting still-open cases up to their current age (Kaplan-Meier).

    Parameters
    ----------
    durations : array of float
        Days to close (closed cases) or days open so far (open cases).
    closed : array of bool
        True when the case closed.

    Returns
    -------
    float
        The first duration at which the share still open falls to 0.5 or below; NaN
        when it never does (too many cases still open) or there are no cases.

    Examples
    --------
    >>> kaplan_meier_median([10, 20, 30, 40], [True, True, True, True])
    20.0
    >>> kaplan_meier_median([10, 20, 30, 40], [True, False, False, False])
    nan
    """
    d = np.asarray(durations, dtype=float)
    c = np.asarray(closed, dtype=bool)
    if len(d) != len(c):
        raise ValueError(f"durations and closed must have the same length, got {len(d)} and {len(c)}")
    keep = np.isfinite(d)
    d, c = d[keep], c[keep]
    survival = 1.0
    for t in np.unique(d[c]):
        at_risk = np.sum(d >= t)
        events = np.sum((d == t) & c)
        survival *= 1 - events / at_risk
        if survival <= 0.5 + 1e-12:
            return float(t)
    return math.nan


def case_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per hub: cases opened, open and closed at the period's end, and days to close.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`case_table`.

    Returns
    -------
    pandas.DataFrame
        ``hub, opened, open, closed, median_days_to_close`` (closed cases only, which
        favours quick cases) and ``km_median_days`` (Kaplan-Meier: open cases count
        as not closed yet), plus ``q1_days, q3_days`` of closed cases.
    """
    columns = ["hub", "opened", "open", "closed", "median_days_to_close", "q1_days", "q3_days", "km_median_days"]
    rows = []
    for hub, part in table.groupby("hub", sort=False):
        closed = part["closed_by_end"].to_numpy(bool)
        done = part["days_to_close"].to_numpy(float)[closed]
        q1, median, q3 = np.percentile(done, [25, 50, 75]) if len(done) else (math.nan,) * 3
        durations = part["days_to_close"].fillna(part["days_open"]).to_numpy(float)
        rows.append(
            {
                "hub": hub,
                "opened": len(part),
                "open": int((~closed).sum()),
                "closed": int(closed.sum()),
                "median_days_to_close": float(median),
                "q1_days": float(q1),
                "q3_days": float(q3),
                "km_median_days": kaplan_meier_median(durations, closed),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def agency_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Cases each agency is involved in, per hub, from the semicolon-separated ``agencies`` list.

    Examples
    --------
    >>> cases = pd.DataFrame({"hub": ["A", "A"], "agencies": ["Police; Council", "Police;Housing"]})
    >>> agency_counts(cases).values.tolist()
    [['A', 'Police', 2], ['A', 'Council', 1], ['A', 'Housing', 1]]
    """
    columns = ["hub", "agency", "cases"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    listed = (
        table[["hub", "agencies"]]
        .assign(hub=table["hub"].astype("str"), agency=table["agencies"].fillna("").astype("str").str.split(";"))
        .explode("agency")
    )
    listed = listed.assign(agency=listed["agency"].str.strip(), case=listed.index)
    # An agency named twice in one case counts once.
    listed = listed.loc[listed["agency"] != ""].drop_duplicates(subset=["case", "agency"])
    counted = listed.groupby(["hub", "agency"], sort=False).size().reset_index(name="cases")
    return counted.sort_values(["hub", "cases"], ascending=[True, False], kind="stable").reset_index(drop=True)[columns]


def issue_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Cases per hub and issue type, with how many are still open at the period's end.

    Returns
    -------
    pandas.DataFrame
        ``hub, issue, cases, open``.
    """
    columns = ["hub", "issue", "cases", "open"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    counted = (
        table.assign(issue=table["issue"].astype("str"), is_open=~table["closed_by_end"])
        .groupby(["hub", "issue"], sort=False)
        .agg(cases=("case_id", "size"), open=("is_open", "sum"))
        .reset_index()
    )
    return counted.sort_values(["hub", "cases"], ascending=[True, False], kind="stable").reset_index(drop=True)[columns]


# --------------------------------------------------------------------------- the table a person reads


def comparison_table(
    rates: pd.DataFrame,
    trend: pd.DataFrame,
    last_year: pd.DataFrame,
    expected: pd.DataFrame,
    what: str = "Records",
) -> tuple[pd.DataFrame, list[str]]:
    """One row per hub, each figure with its 95% interval; the months compared are the headers.

    Parameters
    ----------
    rates : pandas.DataFrame
        From :func:`period_rate`.
    trend, last_year : pandas.DataFrame
        From :func:`compare_windows` (every hub compares the same months).
    expected : pandas.DataFrame
        From :func:`expected_range`.
    what : str
        What is counted, for the headers ("ASB", "Crime").

    Returns
    -------
    tuple
        ``(table, notes)``: the table to show, and the distinct reasons why any cell
        is "not available".
    """

    def span(frame: pd.DataFrame) -> str:
        return f"{frame['recent'].iloc[0]} vs {frame['baseline'].iloc[0]}" if len(frame) else ""

    def changes(frame: pd.DataFrame) -> list[str]:
        return [change_words(*v, compact=True) for v in frame[["ratio", "ci_low", "ci_high"]].to_numpy()]

    def rate_text(row: pd.Series) -> str:
        if not math.isfinite(row["rate_per_1000"]):
            return "no population"
        return f"{row['rate_per_1000']:.2f} ({row['ci_low']:.2f}-{row['ci_high']:.2f})"

    def expected_text(row: pd.Series) -> str:
        if row["position"] == "not available":
            return "not available"
        return f"{row['observed']:,.0f}, {row['position']} ({row['low']:,.0f}-{row['high']:,.0f})"

    latest = expected["month"].iloc[0].strftime("%b %Y") if len(expected) else "latest month"
    headers = {
        "count": f"{what} records",
        "rate": "Per 1,000 a month",
        "trend": span(trend) or "Recent change",
        "year": span(last_year) or "Against last year",
        "latest": f"{latest} (expected)",
    }
    table = (
        rates[["hub"]]
        .assign(
            count=[f"{c:,.0f}" for c in rates["count"]],
            rate=rates.apply(rate_text, axis=1) if len(rates) else "",
        )
        .merge(trend.assign(trend=changes(trend))[["hub", "trend"]], on="hub", how="left")
        .merge(last_year.assign(year=changes(last_year))[["hub", "year"]], on="hub", how="left")
        .merge(
            expected.assign(latest=expected.apply(expected_text, axis=1) if len(expected) else "")[["hub", "latest"]],
            on="hub",
            how="left",
        )
        .rename(columns={"hub": "Hub", **headers})
    )
    notes = [n for n in trend["note"].tolist() + last_year["note"].tolist() if n]
    notes += expected.loc[expected["position"] == "not available", "model"].tolist()
    return table, list(dict.fromkeys(notes))


# --------------------------------------------------------------------------- figures


def _axis(settings: dict | None) -> dict:
    """An axis dict with readable fonts; a string ``title`` becomes ``{"text": title}``."""
    axis = {"tickfont": {"size": 14}, "title": {"font": {"size": 15}}}
    for name, value in (settings or {}).items():
        if name == "title":
            axis["title"] = {"text": value, "font": {"size": 15}}
        elif name == "tickfont":
            axis["tickfont"] = value
        else:
            axis[name] = value
    return axis


def style_figure(
    figure: go.Figure,
    height: int,
    title: str | None,
    *,
    legend: bool = True,
    x: dict | None = None,
    y: dict | None = None,
    axes: dict[str, dict] | None = None,
    **layout: object,
) -> go.Figure:
    """Readable at 1280x800 and on a projector: 15px text, 14px ticks, the legend under the title.

    Everything is set in one ``update_layout`` call: plotly re-validates the whole
    layout on each update, so many small updates make a page slow.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        The figure, changed in place.
    height : int
        Height in pixels.
    title : str or None
        The chart title (also named in downloads of the PNG).
    legend : bool
        Whether to show the legend (horizontal, between the title and the plot).
    x, y : dict, optional
        Settings for every x (y) axis; ``title`` may be a plain string.
    axes : dict, optional
        Settings for named axes (``"yaxis2"``), applied after ``x`` and ``y``.
    **layout
        Any other layout settings (``barmode``, ``hovermode`` ...).
    """
    top = (45 if title else 10) + (40 if legend else 0)
    present = [k for k in figure.layout.to_plotly_json() if k.startswith(("xaxis", "yaxis"))]
    updates: dict[str, object] = {
        "title": {"text": title, "font": {"size": 18}, "y": 0.98, "yanchor": "top", "x": 0, "xanchor": "left"}
        if title
        else None,
        "height": height,
        "font": {"size": 15},
        "hovermode": "closest",
        "hoverlabel": {"font": {"size": 14}},
        "showlegend": legend,
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.01,
            "x": 0,
            "xanchor": "left",
            "font": {"size": 14},
            "bgcolor": "rgba(0, 0, 0, 0)",
        },
        "margin": {"l": 10, "r": 20, "t": top + 20, "b": 10},
    }
    for name in dict.fromkeys(["xaxis", "yaxis", *present]):
        updates[name] = _axis(x if name.startswith("x") else y)
    for name, settings in (axes or {}).items():
        updates[name] = _axis({**((x if name.startswith("x") else y) or {}), **settings})
    updates.update(layout)
    figure.update_layout(updates)
    return figure


def _interval_trace(y: pd.Series, x: pd.Series, low: pd.Series, high: pd.Series, **kwargs: object) -> go.Scatter:
    return go.Scatter(
        x=x,
        y=y,
        mode="markers",
        error_x={"type": "data", "symmetric": False, "array": high - x, "arrayminus": x - low, "thickness": 2.5},
        **kwargs,
    )


def rate_figure(rates: pd.DataFrame, what: str, per_1000: bool, title: str | None = None) -> go.Figure:
    """Each hub's rate per 1,000 residents a month (or its count) with the 95% interval.

    Parameters
    ----------
    rates : pandas.DataFrame
        From :func:`period_rate`.
    what : str
        What is counted ("ASB incidents", "crimes").
    per_1000 : bool
        Rates (True) or counts with their intervals (False, without population).
    title : str, optional
        The chart title.
    """
    ordered = rate_points(rates, per_1000)
    x, low, high = ordered["value"], ordered["low"], ordered["high"]
    axis = f"{what} per 1,000 residents a month" if per_1000 else f"{what} in the period (no population: counts)"
    figure = go.Figure(
        _interval_trace(
            ordered["hub"],
            x,
            low,
            high,
            name="Estimate (95% interval)",
            marker={"size": 13, "color": PALETTE[0], "symbol": "diamond"},
            hovertemplate="%{y}: %{x:,.2f}<extra></extra>",
        )
    )
    style_figure(
        figure,
        120 + 45 * len(ordered),
        title,
        legend=False,
        x={"title": axis, "rangemode": "tozero"},
        y={"type": "category"},
    )
    return figure


def change_figure(trend: pd.DataFrame, last_year: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Percent change with 95% intervals, per hub: recent trend and against last year, side by side.

    Parameters
    ----------
    trend, last_year : pandas.DataFrame
        From :func:`compare_windows`.
    title : str, optional
        The chart title.
    """
    panels = [(trend, "Recent trend"), (last_year, "Against the same months last year")]
    subtitles = []
    for frame, name in panels:
        spans = frame.dropna(subset=["ratio"])
        subtitles.append(
            f"{name}<br><span style='font-size:13px'>{spans['recent'].iloc[0]} vs {spans['baseline'].iloc[0]}</span>"
            if len(spans)
            else f"{name}<br><span style='font-size:13px'>not available for these months</span>"
        )
    figure = make_subplots(rows=1, cols=2, shared_yaxes=True, subplot_titles=subtitles, horizontal_spacing=0.06)
    for col, ((frame, name), symbol) in enumerate(zip(panels, ("circle", "square"), strict=True), start=1):
        shown = frame.loc[np.isfinite(frame["ratio"]) & np.isfinite(frame["ci_high"])]
        pct = (shown["ratio"] - 1) * 100
        figure.add_trace(
            _interval_trace(
                shown["hub"],
                pct,
                (shown["ci_low"] - 1) * 100,
                (shown["ci_high"] - 1) * 100,
                name=name,
                marker={"size": 12, "color": PALETTE[col - 1], "symbol": symbol},
                hovertemplate="%{y}: %{x:+.0f}%<extra>" + name + "</extra>",
            ),
            row=1,
            col=col,
        )
    hubs = list(dict.fromkeys(list(trend["hub"]) + list(last_year["hub"])))
    annotations = [a.to_plotly_json() | {"font": {"size": 15}} for a in figure.layout.annotations]
    style_figure(
        figure,
        160 + 45 * len(hubs),
        title,
        legend=False,
        x={
            "title": "Change, % (95% interval)",
            "ticksuffix": "%",
            "zeroline": True,
            "zerolinewidth": 2,
            "zerolinecolor": "#333333",
        },
        y={"type": "category", "categoryorder": "array", "categoryarray": hubs[::-1]},
        annotations=annotations,
    )
    return figure


def expected_range_figure(expected: pd.DataFrame, what: str, title: str | None = None) -> go.Figure:
    """The latest month per hub against its expected range; "above"/"below" written beside it.

    Parameters
    ----------
    expected : pandas.DataFrame
        From :func:`expected_range`.
    what : str
        What is counted ("ASB incidents", "crimes").
    title : str, optional
        The chart title.
    """
    shown = expected.loc[expected["position"] != "not available"]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            y=shown["hub"],
            x=shown["high"] - shown["low"],
            base=shown["low"],
            orientation="h",
            name="Expected range (95%)",
            marker={"color": "rgba(86, 180, 233, 0.35)", "line": {"color": PALETTE[4], "width": 1}},
            width=0.5,
            hovertemplate="%{y}: expected %{base:,.0f} to %{x:,.0f} wide<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            y=shown["hub"],
            x=shown["expected"],
            mode="markers",
            name="Expected",
            marker={"symbol": "line-ns-open", "size": 22, "color": "#333333", "line": {"width": 3, "color": "#333333"}},
            hovertemplate="%{y}: expected %{x:,.0f}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            y=shown["hub"],
            x=shown["observed"],
            mode="markers+text",
            name="Latest month",
            text=[p if p != "within" else "" for p in shown["position"]],
            textposition="middle right",
            textfont={"size": 14},
            marker={"symbol": "diamond", "size": 14, "color": PALETTE[5]},
            hovertemplate="%{y}: %{x:,.0f} (%{text})<extra>Latest month</extra>",
        )
    )
    month = shown["month"].iloc[0].strftime("%b %Y") if len(shown) else ""
    style_figure(
        figure,
        150 + 45 * max(len(shown), 1),
        title,
        x={"title": f"{what} in {month}".strip(), "rangemode": "tozero"},
        y={"type": "category"},
    )
    return figure


def outcome_figure(distribution: pd.DataFrame, title: str | None = None, min_share: float = 0.01) -> go.Figure:
    """Share of crimes by last outcome; still-open outcomes hatched and marked "(open)".

    Parameters
    ----------
    distribution : pandas.DataFrame
        From :func:`outcome_distribution`.
    title : str, optional
        The chart title.
    min_share : float
        Outcomes below this share (and not open) are drawn as one "Other outcomes" bar.
    """
    keep = (distribution["share"] >= min_share) | distribution["is_open"]
    rest = distribution.loc[~keep]
    shown = distribution.loc[keep]
    if len(rest):
        other = pd.DataFrame(
            {
                "outcome": [
                    f"Other outcomes ({len(rest)} kind{'s' if len(rest) != 1 else ''}, each under {min_share:.0%})"
                ],
                "crimes": [rest["crimes"].sum()],
                "share": [rest["share"].sum()],
                "is_open": [False],
            }
        )
        shown = pd.concat([shown, other], ignore_index=True)
    ordered = shown.iloc[::-1]
    labels = [
        f"{o} (open)" if is_open else o for o, is_open in zip(ordered["outcome"], ordered["is_open"], strict=True)
    ]
    figure = go.Figure(
        go.Bar(
            y=labels,
            x=ordered["share"] * 100,
            orientation="h",
            name="Share of crimes",
            marker={
                "color": [PALETTE[1] if o else PALETTE[0] for o in ordered["is_open"]],
                "pattern": {"shape": ["/" if o else "" for o in ordered["is_open"]], "solidity": 0.4},
            },
            customdata=ordered["crimes"],
            hovertemplate="%{y}: %{x:.1f}% (%{customdata:,} crimes)<extra></extra>",
        )
    )
    style_figure(
        figure,
        140 + 26 * len(ordered),
        title,
        legend=False,
        x={"title": "Share of crimes, %", "ticksuffix": "%", "rangemode": "tozero"},
        y={"tickfont": {"size": 13}},
    )
    return figure


def open_share_figure(by_month: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Share of crimes still open by month, with 95% intervals; flagged months labelled "still open".

    Parameters
    ----------
    by_month : pandas.DataFrame
        From :func:`open_outcomes_by_month`.
    title : str, optional
        The chart title.
    """
    x = pd.PeriodIndex(by_month["month"], freq="M").to_timestamp()
    share, low, high = by_month["share"] * 100, by_month["ci_low"] * 100, by_month["ci_high"] * 100
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=x,
            y=share,
            mode="lines+markers",
            name="Open share (95% interval)",
            line={"color": PALETTE[0], "width": 2.5},
            marker={"size": 7},
            error_y={"type": "data", "symmetric": False, "array": high - share, "arrayminus": share - low},
            hovertemplate="%{x|%b %Y}: %{y:.1f}% still open<extra></extra>",
        )
    )
    flagged = by_month["flagged"].to_numpy(bool)
    if flagged.any():
        figure.add_trace(
            go.Scatter(
                x=x[flagged],
                y=share[flagged],
                mode="markers+text",
                name="Recent: outcomes still open",
                text=["still open"] * int(flagged.sum()),
                textposition="middle left",
                marker={"symbol": "star", "size": 16, "color": PALETTE[5]},
                hoverinfo="skip",
            )
        )
    style_figure(
        figure,
        380,
        title,
        x={"tickformat": "%b %Y"},
        y={"title": "Crimes still open, %", "ticksuffix": "%", "rangemode": "tozero"},
    )
    return figure


def case_status_figure(summary: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Cases per hub, closed and still open at the period's end (stacked; open hatched).

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`case_summary`.
    title : str, optional
        The chart title.
    """
    figure = go.Figure()
    for column, name, colour, pattern in (
        ("closed", "Closed", PALETTE[2], ""),
        ("open", "Open", PALETTE[1], "/"),
    ):
        figure.add_trace(
            go.Bar(
                x=summary["hub"],
                y=summary[column],
                name=name,
                marker={"color": colour, "pattern": {"shape": pattern, "solidity": 0.4}},
                text=[f"{v} {name.lower()}" if v else "" for v in summary[column]],
                textposition="outside" if column == "open" else "inside",
                textangle=0,
                cliponaxis=False,
                hovertemplate="%{x}: %{y} " + name.lower() + "<extra></extra>",
            )
        )
    style_figure(figure, 380, title, y={"title": "Cases opened in the period"}, barmode="stack")
    return figure


def days_to_close_figure(table: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Days to close per hub (closed cases): a box with every case as a point.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`case_table`.
    title : str, optional
        The chart title.
    """
    closed = table.loc[table["closed_by_end"]]
    figure = go.Figure()
    for i, (hub, part) in enumerate(closed.groupby("hub", sort=False)):
        figure.add_trace(
            go.Box(
                x=[hub] * len(part),
                y=part["days_to_close"],
                name=hub,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"size": 5, "color": PALETTE[i % len(PALETTE)], "opacity": 0.6},
                line={"color": "#333333"},
                fillcolor="rgba(0, 0, 0, 0.05)",
                hovertemplate="%{y} days<extra>" + hub + "</extra>",
            )
        )
    style_figure(figure, 400, title, legend=False, y={"title": "Days from opening to closing", "rangemode": "tozero"})
    return figure


def agency_figure(agencies: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Cases each agency is involved in (all chosen hubs together).

    Parameters
    ----------
    agencies : pandas.DataFrame
        From :func:`agency_counts`.
    title : str, optional
        The chart title.
    """
    totals = agencies.groupby("agency", sort=False)["cases"].sum().sort_values()
    figure = go.Figure(
        go.Bar(
            y=totals.index,
            x=totals.to_numpy(),
            orientation="h",
            marker={"color": PALETTE[0]},
            text=totals.to_numpy(),
            textposition="outside",
            hovertemplate="%{y}: %{x} cases<extra></extra>",
        )
    )
    style_figure(
        figure,
        140 + 34 * len(totals),
        title,
        legend=False,
        x={"title": "Cases the agency is involved in", "rangemode": "tozero"},
    )
    return figure


def issue_figure(issues: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Cases by issue type (all chosen hubs together), closed and open stacked.

    Parameters
    ----------
    issues : pandas.DataFrame
        From :func:`issue_counts`.
    title : str, optional
        The chart title.
    """
    totals = issues.groupby("issue", sort=False)[["cases", "open"]].sum().sort_values("cases")
    figure = go.Figure()
    for values, name, colour, pattern in (
        (totals["cases"] - totals["open"], "Closed", PALETTE[2], ""),
        (totals["open"], "Open", PALETTE[1], "/"),
    ):
        figure.add_trace(
            go.Bar(
                y=totals.index,
                x=values,
                orientation="h",
                name=name,
                marker={"color": colour, "pattern": {"shape": pattern, "solidity": 0.4}},
                hovertemplate="%{y}: %{x} " + name.lower() + "<extra></extra>",
            )
        )
    style_figure(
        figure,
        160 + 34 * len(totals),
        title,
        x={"title": "Cases opened in the period", "rangemode": "tozero"},
        barmode="stack",
    )
    return figure


# --------------------------------------------------------------------------- charts in words and tables
# Each chart above has a summary in words (alt text and caption) and a table view of its numbers,
# built from the same aggregated table the figure draws.


def _names(items: list[str]) -> str:
    """Names joined for a sentence: "A", "A and B", "A, B and C"."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def rate_points(rates: pd.DataFrame, per_1000: bool) -> pd.DataFrame:
    """What :func:`rate_figure` draws: ``hub, count, value, low, high``, lowest first.

    ``value`` is the rate per 1,000 residents a month (``per_1000``) or the count,
    with its exact 95% Poisson interval.

    Examples
    --------
    >>> rates = pd.DataFrame({"hub": ["A", "B"], "count": [9, 4], "rate_per_1000": [float("nan")] * 2,
    ...                       "ci_low": [float("nan")] * 2, "ci_high": [float("nan")] * 2})
    >>> rate_points(rates, per_1000=False)[["hub", "value"]].values.tolist()
    [['B', 4.0], ['A', 9.0]]
    """
    ordered = rates.sort_values("rate_per_1000" if per_1000 else "count")
    if per_1000:
        value, low, high = ordered["rate_per_1000"], ordered["ci_low"], ordered["ci_high"]
    else:
        bounds = [poisson_interval(c) for c in ordered["count"]]
        value = ordered["count"].astype(float)
        low = pd.Series([b[0] for b in bounds], index=ordered.index, dtype=float)
        high = pd.Series([b[1] for b in bounds], index=ordered.index, dtype=float)
    return pd.DataFrame(
        {"hub": ordered["hub"], "count": ordered["count"], "value": value, "low": low, "high": high}
    ).reset_index(drop=True)


def rate_summary(rates: pd.DataFrame, what: str, per_1000: bool, period: str) -> str:
    """The hub rate chart in words: highest and lowest hub, and whether their intervals overlap.

    Examples
    --------
    >>> rates = pd.DataFrame({"hub": ["A", "B"], "count": [40, 10], "rate_per_1000": [4.0, 1.0],
    ...                       "ci_low": [2.9, 0.5], "ci_high": [5.4, 1.8]})
    >>> rate_summary(rates, "ASB incidents", True, "Jan 2020")
    'ASB incidents per 1,000 residents a month by hub, Jan 2020: highest A (4.00), lowest B (1.00); 2 shown. \
The 95% intervals of the highest and the lowest do not overlap: a clear difference.'
    """
    points = rate_points(rates, per_1000).dropna(subset=["value"])
    label = f"{what} per 1,000 residents a month" if per_1000 else f"{what} (counts: no population)"
    if points.empty:
        return f"{label}, {period}: no hubs to show."
    text = chart_summary(points, x="hub", y="value", what=label, value_format="{:,.2f}" if per_1000 else "{:,.0f}")
    text = text.replace(f"{label} by hub:", f"{label} by hub, {period}:", 1)
    if len(points) > 1:
        top, bottom = points.loc[points["value"].idxmax()], points.loc[points["value"].idxmin()]
        clear = bottom["high"] < top["low"]
        text += " The 95% intervals of the highest and the lowest " + (
            "do not overlap: a clear difference." if clear else "overlap: the difference may be chance."
        )
    return text


def rate_view(rates: pd.DataFrame, per_1000: bool) -> pd.DataFrame:
    """The hub rate chart as a table, highest first, with the records and residents behind each rate."""
    points = rate_points(rates, per_1000).iloc[::-1]
    if per_1000:
        points = points.merge(rates[["hub", "months", "population"]], on="hub", how="left").assign(
            population=lambda d: d["population"].round(0).astype("Int64"), value=lambda d: d["value"].round(3)
        )
        columns = {
            "hub": "Hub",
            "count": "Records",
            "months": "Months",
            "population": "Residents (mean)",
            "value": "Per 1,000 a month",
            "low": "95% low",
            "high": "95% high",
        }
    else:
        columns = {"hub": "Hub", "count": "Records", "low": "95% low", "high": "95% high"}
    digits = 3 if per_1000 else 1
    return table_view(points.assign(low=points["low"].round(digits), high=points["high"].round(digits)), columns)


def _change_part(frame: pd.DataFrame, name: str) -> str:
    shown = frame.loc[np.isfinite(frame["ratio"]) & np.isfinite(frame["ci_low"]) & ~np.isnan(frame["ci_high"])]
    if shown.empty:
        return f"{name}: not available for these months."
    span = f"{shown['recent'].iloc[0]} against {shown['baseline'].iloc[0]}"
    up = shown.loc[shown["ci_low"] > 1, "hub"].tolist()
    down = shown.loc[shown["ci_high"] < 1, "hub"].tolist()
    unclear = len(shown) - len(up) - len(down)
    parts = ([f"clearly up in {_names(up)}"] if up else []) + ([f"clearly down in {_names(down)}"] if down else [])
    if unclear:
        parts.append(f"no clear change in {unclear} hub{'s' if unclear != 1 else ''}")
    biggest = shown.loc[(shown["ratio"] - 1).abs().idxmax()]
    return (
        f"{name}, {span}: "
        + "; ".join(parts)
        + f". Largest change {biggest['hub']} {change_words(biggest['ratio'], biggest['ci_low'], biggest['ci_high'])}."
    )


def change_summary(trend: pd.DataFrame, last_year: pd.DataFrame) -> str:
    """The change chart in words: for each panel, which hubs clearly rose or fell, and the largest change.

    "Clearly" means the 95% interval of the ratio excludes no change.

    Examples
    --------
    >>> trend = pd.DataFrame({"hub": ["A", "B"], "recent": "Mar 2020", "baseline": "Feb 2020",
    ...                       "ratio": [1.5, 0.9], "ci_low": [1.2, 0.7], "ci_high": [1.9, 1.1]})
    >>> change_summary(trend, trend.iloc[:0])
    'Recent trend, Mar 2020 against Feb 2020: clearly up in A; no clear change in 1 hub. \
Largest change A +50% (95% CI +20% to +90%). Against the same months last year: not available for these months.'
    """
    return _change_part(trend, "Recent trend") + " " + _change_part(last_year, "Against the same months last year")


def change_view(trend: pd.DataFrame, last_year: pd.DataFrame) -> pd.DataFrame:
    """The change chart as a table: each hub and comparison, the records compared and the % change."""
    both = pd.concat(
        [trend.assign(comparison="Recent trend"), last_year.assign(comparison="Same months last year")],
        ignore_index=True,
    )

    def pct(r: pd.Series) -> pd.Series:
        return ((r - 1) * 100).round(1).where(np.isfinite(r))

    both = both.assign(
        change=pct(both["ratio"]),
        low=pct(both["ci_low"]),
        high=pct(both["ci_high"]),
        recent_count=both["recent_count"].round().astype("Int64"),
        baseline_count=both["baseline_count"].round().astype("Int64"),
    )
    return table_view(
        both,
        {
            "hub": "Hub",
            "comparison": "Comparison",
            "recent": "Months",
            "baseline": "Against",
            "recent_count": "Records",
            "baseline_count": "Records before",
            "change": "Change %",
            "low": "95% low %",
            "high": "95% high %",
            "note": "Note",
        },
    )


def expected_summary(expected: pd.DataFrame, what: str) -> str:
    """The expected-range chart in words: which hubs' latest month is above, within or below its range.

    Examples
    --------
    >>> expected = pd.DataFrame({"hub": ["A", "B"], "month": pd.Period("2020-03", "M"), "observed": [30.0, 9.0],
    ...                          "expected": [20.0, 10.0], "low": [12.0, 4.0], "high": [28.0, 16.0],
    ...                          "position": ["above", "within"]})
    >>> expected_summary(expected, "ASB incidents")
    "ASB incidents in Mar 2020 against each hub's expected range (95%): above in A (30; expected 12 to 28); \
within in B."
    """
    shown = expected.loc[expected["position"] != "not available"]
    if shown.empty:
        return f"{what}: no hub has enough history for an expected range."
    month = shown["month"].iloc[0].strftime("%b %Y")
    parts = []
    for position in ("above", "below"):
        rows = shown.loc[shown["position"] == position]
        if len(rows):
            hubs = [f"{r.hub} ({r.observed:,.0f}; expected {r.low:,.0f} to {r.high:,.0f})" for r in rows.itertuples()]
            parts.append(f"{position} in " + _names(hubs))
    within = shown.loc[shown["position"] == "within", "hub"].tolist()
    if within:
        parts.append("within in " + _names(within))
    missing = expected.loc[expected["position"] == "not available", "hub"].tolist()
    tail = f" Not available for {_names(missing)}." if missing else ""
    return f"{what} in {month} against each hub's expected range (95%): " + "; ".join(parts) + "." + tail


def expected_view(expected: pd.DataFrame) -> pd.DataFrame:
    """The expected-range chart as a table: observed, expected and the 95% range per hub."""
    return table_view(
        expected.assign(
            observed=expected["observed"].astype(float).round().astype("Int64"),
            **{c: expected[c].astype(float).round(1) for c in ("expected", "low", "high")},
        ),
        {
            "hub": "Hub",
            "month": "Month",
            "observed": "Records",
            "expected": "Expected",
            "low": "Range low (95%)",
            "high": "Range high (95%)",
            "position": "Position",
            "history_months": "Months of history",
        },
    )


def outcome_summary(distribution: pd.DataFrame, period: str) -> str:
    """The outcome chart in words: the commonest outcomes and the share still open.

    Examples
    --------
    >>> distribution = pd.DataFrame({"outcome": ["Unable to prosecute", "Under investigation"],
    ...                              "crimes": [30, 10], "share": [0.75, 0.25], "is_open": [False, True]})
    >>> outcome_summary(distribution, "Jan 2020")
    'Last outcome of 40 crimes, Jan 2020: most often Unable to prosecute (75.0%), then Under investigation (25.0%). \
25.0% are still open (under investigation or awaiting court outcome).'
    """
    if distribution.empty:
        return f"Last outcome of crimes, {period}: no crimes."
    top = distribution.sort_values("crimes", ascending=False, kind="stable").head(3)
    named = [f"{r.outcome} ({r.share:.1%})" for r in top.itertuples()]
    ranked = named[0] + (", then " + _names(named[1:]) if len(named) > 1 else "")
    open_share = distribution.loc[distribution["is_open"], "share"].sum()
    return (
        f"Last outcome of {distribution['crimes'].sum():,} crimes, {period}: most often {ranked}. "
        f"{open_share:.1%} are still open (under investigation or awaiting court outcome)."
    )


def outcome_view(distribution: pd.DataFrame) -> pd.DataFrame:
    """The outcome chart as a table: every outcome (small ones too), its crimes and share."""
    return table_view(
        distribution.assign(
            share=(distribution["share"] * 100).round(1),
            is_open=distribution["is_open"].map({True: "yes", False: "no"}),
        ),
        {"outcome": "Last outcome", "crimes": "Crimes", "share": "Share %", "is_open": "Still open"},
    )


def open_share_summary(by_month: pd.DataFrame) -> str:
    """The open-share chart in words: highest, lowest and latest month, and the months flagged."""
    points = by_month.assign(share_pct=by_month["share"] * 100)
    text = chart_summary(points, x="month", y="share_pct", what="Share of crimes still open", value_format="{:.1f}%")
    flagged = by_month.loc[by_month["flagged"].astype(bool), "month"]
    if len(flagged):
        text += " Flagged as recent with many outcomes still open: " + _names([m.strftime("%b %Y") for m in flagged])
        text += "."
    return text


def open_share_view(by_month: pd.DataFrame) -> pd.DataFrame:
    """The open-share chart as a table: crimes, open and the share with its interval per month."""

    def pct(s: pd.Series) -> pd.Series:
        return (s.astype(float) * 100).round(1)

    return table_view(
        by_month.assign(
            share=pct(by_month["share"]),
            ci_low=pct(by_month["ci_low"]),
            ci_high=pct(by_month["ci_high"]),
            flagged=by_month["flagged"].astype(bool).map({True: "yes", False: "no"}),
        ),
        {
            "month": "Month",
            "crimes": "Crimes",
            "open": "Still open",
            "share": "Open %",
            "ci_low": "95% low %",
            "ci_high": "95% high %",
            "flagged": "Flagged",
        },
    )


def case_status_summary(summary: pd.DataFrame) -> str:
    """The cases-per-hub chart in words: most and fewest cases, and how many are still open.

    Examples
    --------
    >>> summary = pd.DataFrame({"hub": ["A", "B"], "opened": [10, 4], "open": [3, 0], "closed": [7, 4]})
    >>> case_status_summary(summary)
    "Cases opened by hub: highest A (10), lowest B (4); 2 shown. 3 of 14 cases are still open at the period's end."
    """
    text = chart_summary(summary, x="hub", y="opened", what="Cases opened")
    return f"{text} {summary['open'].sum():,} of {summary['opened'].sum():,} cases are still open at the period's end."


def case_status_view(summary: pd.DataFrame) -> pd.DataFrame:
    """The cases-per-hub chart as a table."""
    return table_view(summary, {"hub": "Hub", "opened": "Opened", "closed": "Closed", "open": "Still open"})


def days_to_close_stats(table: pd.DataFrame) -> pd.DataFrame:
    """Per hub, what the box plot of :func:`days_to_close_figure` draws (closed cases only).

    Returns
    -------
    pandas.DataFrame
        ``hub, closed, shortest, q1, median, q3, longest`` in days.

    Examples
    --------
    >>> table = pd.DataFrame({"hub": ["A"] * 4, "closed_by_end": [True] * 4, "days_to_close": [10, 20, 30, 40]})
    >>> days_to_close_stats(table)[["closed", "median", "q1"]].values.tolist()
    [[4.0, 25.0, 17.5]]
    """
    columns = ["hub", "closed", "shortest", "q1", "median", "q3", "longest"]
    closed = table.loc[table["closed_by_end"].astype(bool)]
    if closed.empty:
        return pd.DataFrame(columns=columns)
    days = closed.assign(hub=closed["hub"].astype("str")).groupby("hub", sort=False)["days_to_close"]
    return (
        days.agg(
            closed="size",
            shortest="min",
            q1=lambda d: d.quantile(0.25),
            median="median",
            q3=lambda d: d.quantile(0.75),
            longest="max",
        )
        .astype(float)
        .reset_index()[columns]
    )


def days_to_close_summary(table: pd.DataFrame) -> str:
    """The days-to-close chart in words: the hubs with the longest and shortest median, and overall."""
    stats_table = days_to_close_stats(table)
    if stats_table.empty:
        return "Days from opening to closing: no case closed by the period's end."
    text = chart_summary(stats_table, x="hub", y="median", what="Median days from opening to closing")
    closed = table.loc[table["closed_by_end"].astype(bool), "days_to_close"]
    return f"{text} Over all {len(closed):,} closed cases the median is {closed.median():,.0f} days."


def days_to_close_view(table: pd.DataFrame) -> pd.DataFrame:
    """The days-to-close chart as a table: the box plot's numbers per hub."""
    stats_table = days_to_close_stats(table).round(1)
    counts = {c: stats_table[c].astype("Int64") for c in ("closed", "shortest", "longest")}
    return table_view(
        stats_table.assign(**counts),
        {
            "hub": "Hub",
            "closed": "Closed cases",
            "shortest": "Shortest (days)",
            "q1": "Lower quartile",
            "median": "Median",
            "q3": "Upper quartile",
            "longest": "Longest",
        },
    )


def _totals_by(frame: pd.DataFrame, column: str, values: list[str]) -> pd.DataFrame:
    """Totals over hubs per ``column``, largest first, with a column of cases per hub."""
    totals = frame.groupby(column, sort=False)[values].sum().sort_values(values[0], ascending=False, kind="stable")
    per_hub = frame.pivot_table(index=column, columns="hub", values="cases", aggfunc="sum", fill_value=0, sort=False)
    per_hub.columns = [str(c) for c in per_hub.columns]
    return totals.join(per_hub.astype(int)).reset_index()


def agency_summary(agencies: pd.DataFrame, cases: int) -> str:
    """The agency chart in words: the agencies in most and fewest cases, out of how many.

    Examples
    --------
    >>> agencies = pd.DataFrame({"hub": ["A", "A", "B"], "agency": ["Police", "Council", "Police"], "cases": [2, 1, 3]})
    >>> agency_summary(agencies, 5)
    'Cases by agency: highest Police (5), lowest Council (1); 2 shown. 5 cases in all; \
a case counts once for each agency in it.'
    """
    if agencies.empty:
        return "Cases each agency is involved in: no agencies named."
    totals = agencies.groupby("agency", sort=False, as_index=False)["cases"].sum()
    text = chart_summary(totals, x="agency", y="cases", what="Cases")
    return f"{text} {cases:,} case{'s' if cases != 1 else ''} in all; a case counts once for each agency in it."


def agency_view(agencies: pd.DataFrame) -> pd.DataFrame:
    """The agency chart as a table: cases per agency over the chosen hubs, then per hub."""
    if agencies.empty:
        return pd.DataFrame(columns=["Agency", "Cases"])
    return _totals_by(agencies, "agency", ["cases"]).rename(columns={"agency": "Agency", "cases": "Cases"})


def issue_summary(issues: pd.DataFrame) -> str:
    """The issue chart in words: the commonest and rarest issues, and how many cases are still open."""
    if issues.empty:
        return "Cases by issue type: no cases."
    totals = issues.groupby("issue", sort=False, as_index=False)[["cases", "open"]].sum()
    text = chart_summary(totals, x="issue", y="cases", what="Cases")
    return f"{text} {totals['open'].sum():,} of {totals['cases'].sum():,} are still open at the period's end."


def issue_view(issues: pd.DataFrame) -> pd.DataFrame:
    """The issue chart as a table: cases, closed and open per issue type, then cases per hub."""
    if issues.empty:
        return pd.DataFrame(columns=["Issue", "Cases", "Closed", "Open"])
    table = _totals_by(issues, "issue", ["cases", "open"])
    table.insert(2, "closed", table["cases"] - table["open"])
    return table.rename(columns={"issue": "Issue", "cases": "Cases", "closed": "Closed", "open": "Open"})
