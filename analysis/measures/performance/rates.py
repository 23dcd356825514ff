"""Each hub's ASB and crime per month, its rate per 1,000 residents, and its change between two windows of months.

Every rate and change comes with its 95% interval and the months it covers. ASB is counted apart
from crime and never added into a crime total. No streamlit here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.schema import ASB, CRIME_TYPES
from analysis.stats.compare import compare_counts
from analysis.stats.intervals import poisson_interval

__all__ = ["compare_windows", "hub_months", "monthly_measures", "period_rate", "rate_points", "trend_window"]


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
    types = counts["crime_type"].astype("str")
    keep = types.isin(chosen).to_numpy()
    is_asb = (types == ASB).to_numpy()
    # Each (hub, month) in the order it first appears, as drop_duplicates gives it; then one sum per pair.
    hub_codes, hubs = pd.factorize(counts["hub"].astype("str"), sort=False)
    month_codes, months = pd.factorize(counts["month"], sort=False)
    pair_codes, pairs = pd.factorize(hub_codes * max(len(months), 1) + month_codes, sort=False)
    values = counts["count"].to_numpy(dtype="float64")
    sums = {}
    for name, mine in (("asb", keep & is_asb), ("crime", keep & ~is_asb)):
        total = np.zeros(len(pairs))
        # A stream not supplied is NaN in every one of its cells: the sum stays NaN, never a partial total or 0.
        np.add.at(total, pair_codes[mine], values[mine])
        sums[name] = total
    chosen_rows = np.bincount(pair_codes[keep], minlength=len(pairs)) > 0
    out = pd.DataFrame(
        {
            "hub": hubs[pairs // max(len(months), 1)],
            "month": months[pairs % max(len(months), 1)],
            "asb": np.where(chosen_rows, sums["asb"], np.nan),
            "crime": np.where(chosen_rows, sums["crime"], np.nan),
        }
    )
    if out[["asb", "crime"]].isna().to_numpy().any():
        return out
    return out.astype({"asb": "int64", "crime": "int64"})


def _has_population(monthly: pd.DataFrame) -> bool:
    return "population" in monthly.columns and bool(monthly["population"].notna().any())


def month_ordinals(months: pd.Series | pd.PeriodIndex) -> np.ndarray:
    """Monthly periods as their integer ordinals (months since Jan 1970), for array arithmetic.

    Examples
    --------
    >>> month_ordinals(pd.PeriodIndex(["1970-01", "2019-03"], freq="M")).tolist()
    [0, 590]
    """
    return np.asarray(pd.PeriodIndex(months, freq="M").asi8)


class HubGrid:
    """One column of ``hub, month, ...`` rows as a hub x month array (NaN: no row, or a month not supplied).

    Hubs are in the order they first appear, as ``groupby("hub", sort=False)`` visits them; the
    months run from the earliest to the latest present, one column each. Built once, so that
    each hub's windows are array slices instead of a pandas ``set_index`` and ``reindex`` per hub.
    """

    def __init__(self, monthly: pd.DataFrame, column: str) -> None:
        codes, names = pd.factorize(monthly["hub"], sort=False)
        ordinals = month_ordinals(monthly["month"])
        self.hubs: list = list(names)
        self.first = int(ordinals.min()) if len(ordinals) else 0
        width = int(ordinals.max()) - self.first + 1 if len(ordinals) else 0
        self.values = np.full((len(self.hubs), width), np.nan)
        self.values[codes, ordinals - self.first] = monthly[column].to_numpy(dtype="float64")

    def window(self, months: pd.PeriodIndex) -> np.ndarray:
        """Every hub's values in ``months``, one row per hub (NaN outside the grid): ``Series.reindex(months)``."""
        cols = month_ordinals(months) - self.first
        width = self.values.shape[1]
        if width == 0:
            return np.full((len(self.hubs), len(cols)), np.nan)
        inside = (cols >= 0) & (cols < width)
        return np.where(inside, self.values[:, np.clip(cols, 0, width - 1)], np.nan)


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
    # Per hub in the order hubs first appear (as groupby(sort=False)), with arrays, not a groupby per column.
    codes, hubs = pd.factorize(inside["hub"], sort=False)
    values = inside[measure].to_numpy()
    count = np.zeros(len(hubs), dtype=values.dtype)
    np.add.at(count, codes, values)
    pairs = np.unique(np.column_stack([codes, month_ordinals(inside["month"])]), axis=0)
    months_supplied = np.bincount(pairs[:, 0], minlength=len(hubs))
    if _has_population(inside):
        # The mean by pandas' groupby, whose compensated sum the rates have always used.
        population = inside["population"].groupby(codes).mean().to_numpy()
    else:
        population = np.full(len(hubs), np.nan)
    per_hub = pd.DataFrame({"hub": hubs, "count": count, "months": months_supplied, "population": population})
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
    through :func:`analysis.stats.compare.compare_counts` (:func:`~analysis.stats.compare.compare_months`
    on arrays), the one comparison of the project.

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
    counts = HubGrid(monthly, measure)
    recent_counts, baseline_counts = counts.window(recent), counts.window(baseline)
    with_population = _has_population(monthly)
    if with_population:
        # Series.sum of each hub's reindexed months: a month without residents adds nothing.
        people = HubGrid(monthly, "population")
        recent_people = np.where(np.isnan(p := people.window(recent)), 0.0, p)
        baseline_people = np.where(np.isnan(p := people.window(baseline)), 0.0, p)
    rows = []
    for h, hub in enumerate(counts.hubs):
        exposure = {}
        if with_population:
            exposure = {
                "recent_exposure": float(recent_people[h].sum()),
                "earlier_exposure": float(baseline_people[h].sum()),
            }
        c = compare_counts(recent_counts[h], baseline_counts[h], recent, baseline, **exposure)
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


def hub_months(counts: pd.DataFrame, residents: pd.DataFrame, crime_types: tuple[str, ...]) -> pd.DataFrame:
    """ASB and crime (the chosen types) per hub and month, with residents where population.csv has them.

    Parameters
    ----------
    counts : pandas.DataFrame
        ``hub, month, crime_type, count`` as :func:`analysis.measures.metrics.monthly_counts` returns.
    residents : pandas.DataFrame
        ``hub, month, population`` as :func:`analysis.measures.metrics.hub_population` returns (empty
        without population.csv).
    crime_types : tuple of str
        The chosen types.

    Returns
    -------
    pandas.DataFrame
        :func:`monthly_measures` with a ``population`` column (NaN without residents).
    """
    monthly = monthly_measures(counts, crime_types)
    if len(residents):
        return monthly.merge(residents[["hub", "month", "population"]], on=["hub", "month"], how="left")
    return monthly.assign(population=float("nan"))
