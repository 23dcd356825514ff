"""Counts, rates and patrol hours per hub and month: the numbers every page and the CLI share.

ASB is counted apart from crime and never added into a crime total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.schema import ASB, CRIME_TYPES

__all__ = [
    "PeriodComparison",
    "compare_periods",
    "monthly_counts",
    "monthly_patrol",
    "hub_population",
    "summary",
]


def monthly_counts(
    incidents: pd.DataFrame, hubs: list[str] | None = None, months: pd.PeriodIndex | None = None
) -> pd.DataFrame:
    """Records per hub, month and crime type, zeros included.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Typed incidents with ``hub``, ``month`` and ``crime_type``.
    hubs : list of str, optional
        Hubs to include (default: every hub category).
    months : pandas.PeriodIndex, optional
        Months to include (default: first to last month in the data).

    Returns
    -------
    pandas.DataFrame
        Columns ``hub, month, crime_type, count``; one row per combination.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"hub": ["A", "A"], "month": pd.PeriodIndex(["2019-01", "2019-03"], freq="M"),
    ...                      "crime_type": ["Drugs", "Drugs"]})
    >>> monthly_counts(rows).query("crime_type == 'Drugs'")["count"].tolist()
    [1, 0, 1]
    """
    if hubs is None:
        hub_col = incidents["hub"]
        hubs = (
            list(hub_col.cat.categories) if isinstance(hub_col.dtype, pd.CategoricalDtype) else sorted(hub_col.unique())
        )
    if months is None:
        months = (
            pd.period_range(incidents["month"].min(), incidents["month"].max(), freq="M")
            if len(incidents)
            else pd.PeriodIndex([], freq="M")
        )
    counted = (
        incidents.groupby([incidents["hub"].astype("str"), "month", incidents["crime_type"].astype("str")])
        .size()
        .rename("count")
    )
    grid = pd.MultiIndex.from_product([hubs, months, list(CRIME_TYPES)], names=["hub", "month", "crime_type"])
    return counted.reindex(grid, fill_value=0).astype("int64").reset_index()


def monthly_patrol(resourcing: pd.DataFrame | None) -> pd.DataFrame:
    """Visible patrol hours and FTE per hub and month (a week counts in the month of its Monday).

    Returns
    -------
    pandas.DataFrame
        ``hub, month, patrol_hours, precept_patrol_hours, fte, precept_fte`` where
        FTE is the mean weekly FTE in the month. Empty when ``resourcing`` is None.
    """
    columns = ["hub", "month", "patrol_hours", "precept_patrol_hours", "fte", "precept_fte"]
    if resourcing is None or resourcing.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    weekly = resourcing.assign(
        hub=resourcing["hub"].astype("str"),
        is_precept=resourcing["funding"].astype("str") == "precept",
    ).assign(
        precept_hours=lambda d: d["visible_patrol_hours"].where(d["is_precept"], 0.0),
        precept_fte=lambda d: d["fte"].where(d["is_precept"], 0.0),
    )
    per_week = weekly.groupby(["hub", "week"], as_index=False)[
        ["visible_patrol_hours", "precept_hours", "fte", "precept_fte"]
    ].sum()
    per_week = per_week.assign(month=per_week["week"].dt.to_period("M"))
    monthly = per_week.groupby(["hub", "month"], as_index=False).agg(
        patrol_hours=("visible_patrol_hours", "sum"),
        precept_patrol_hours=("precept_hours", "sum"),
        fte=("fte", "mean"),
        precept_fte=("precept_fte", "mean"),
    )
    return monthly[columns]


def hub_population(hubs: pd.DataFrame, population: pd.DataFrame | None, months: pd.PeriodIndex) -> pd.DataFrame:
    """Residents of each hub's area for each month: the latest year not after the month, else the earliest.

    Returns
    -------
    pandas.DataFrame
        ``hub, month, population, population_year``; empty when ``population`` is None.
    """
    columns = ["hub", "month", "population", "population_year"]
    if population is None or population.empty or len(months) == 0:
        return pd.DataFrame(columns=columns)
    areas = hubs[["hub", "area_code"]].merge(population[["area_code", "year", "population"]], on="area_code")
    if areas.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for hub, by_year in areas.groupby("hub", sort=False):
        years = by_year.drop_duplicates("year", keep="last").set_index("year")["population"].sort_index()
        for month in months:
            usable = years.loc[: month.year]
            year = int(usable.index[-1]) if len(usable) else int(years.index[0])
            rows.append((hub, month, float(years.loc[year]), year))
    return pd.DataFrame(rows, columns=columns)


def summary(
    incidents: pd.DataFrame,
    hubs: pd.DataFrame,
    population: pd.DataFrame | None = None,
    resourcing: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per hub and month: counts by crime type, ASB, other crime, rates per 1,000 and patrol hours.

    Returns
    -------
    pandas.DataFrame
        One row per hub and month with ``asb``, ``crime`` (every type but ASB), one
        column per crime type, ``population``, ``asb_rate_per_1000``,
        ``crime_rate_per_1000`` (NaN without population) and ``patrol_hours``,
        ``precept_patrol_hours`` (NaN without resourcing).
    """
    hub_names = list(incidents["hub"].cat.categories) if len(incidents) else list(hubs["hub"])
    counts = monthly_counts(incidents, hubs=hub_names)
    wide = counts.pivot_table(
        index=["hub", "month"], columns="crime_type", values="count", aggfunc="sum", observed=False, sort=False
    )
    wide = wide.reindex(columns=list(CRIME_TYPES), fill_value=0)
    wide.columns.name = None
    crime_types = [t for t in CRIME_TYPES if t != ASB]
    table = wide.assign(asb=wide[ASB], crime=wide[crime_types].sum(axis=1)).reset_index()
    months = pd.PeriodIndex(table["month"].unique(), freq="M")
    people = hub_population(hubs, population, months)
    table = (
        table.merge(people, on=["hub", "month"], how="left")
        if len(people)
        else table.assign(population=float("nan"), population_year=float("nan"))
    )
    table = table.assign(
        asb_rate_per_1000=table["asb"] / table["population"] * 1000,
        crime_rate_per_1000=table["crime"] / table["population"] * 1000,
    )
    patrol = monthly_patrol(resourcing)
    if len(patrol):
        table = table.merge(
            patrol[["hub", "month", "patrol_hours", "precept_patrol_hours"]], on=["hub", "month"], how="left"
        )
    else:
        table = table.assign(patrol_hours=float("nan"), precept_patrol_hours=float("nan"))
    order = {hub: i for i, hub in enumerate(hub_names)}
    return table.sort_values(["hub", "month"], key=lambda s: s.map(order) if s.name == "hub" else s, ignore_index=True)


@dataclass(frozen=True)
class PeriodComparison:
    """A recent period against an earlier one of the same length, with a 95% interval.

    The interval is quasi-Poisson: the Poisson variance of the log rate ratio is
    inflated by the dispersion (at least 1) of the monthly counts, paired month by month
    so that a shared seasonal pattern does not count as noise. It describes change; it
    does not say what caused it.
    """

    recent_start: pd.Period
    recent_end: pd.Period
    earlier_start: pd.Period
    earlier_end: pd.Period
    recent_total: int
    earlier_total: int
    ratio: float
    ci_low: float
    ci_high: float
    dispersion: float

    @property
    def months(self) -> int:
        """Months in each period."""
        return (self.recent_end - self.recent_start).n + 1

    def sentence(self, what: str = "ASB") -> str:
        """The comparison in words, with its interval and periods."""
        fmt = "%b %Y"
        change = (self.ratio - 1) * 100
        low, high = (self.ci_low - 1) * 100, (self.ci_high - 1) * 100
        direction = "lower" if change < 0 else "higher"
        if low < 0 < high:
            verdict = "the interval includes no change"
        else:
            verdict = f"the whole interval is {direction}"
        return (
            f"{what} in {self.recent_start.strftime(fmt)}–{self.recent_end.strftime(fmt)} was {self.recent_total:,} "
            f"records against {self.earlier_total:,} in {self.earlier_start.strftime(fmt)}–"
            f"{self.earlier_end.strftime(fmt)}: {abs(change):.0f}% {direction} "
            f"(95% interval {low:+.0f}% to {high:+.0f}%; {verdict})."
        )


def compare_periods(monthly: pd.Series, months: int = 12) -> PeriodComparison | None:
    """Compare the last ``months`` months with the ``months`` months before them.

    Parameters
    ----------
    monthly : pandas.Series
        Counts indexed by consecutive monthly periods.
    months : int
        Length of each period.

    Returns
    -------
    PeriodComparison or None
        None when the series is shorter than two periods or the earlier period is empty.
    """
    if months < 2:
        raise ValueError(f"months must be at least 2, got {months}")
    monthly = monthly.sort_index()
    if len(monthly) < 2 * months:
        return None
    recent, earlier = monthly.iloc[-months:], monthly.iloc[-2 * months : -months]
    a, b = int(recent.sum()), int(earlier.sum())
    if a == 0 or b == 0:
        return None
    # Months are paired by position (the same calendar month when months=12): a 2 x months table whose
    # independence model absorbs seasonality; its Pearson dispersion widens the interval for the rest.
    table = np.vstack([recent.to_numpy(dtype=float), earlier.to_numpy(dtype=float)])
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    pearson = np.where(expected > 0, (table - expected) ** 2 / np.where(expected > 0, expected, 1), 0).sum()
    dispersion = max(1.0, float(pearson) / (months - 1))
    se = np.sqrt(dispersion * (1 / a + 1 / b))
    ratio = a / b
    return PeriodComparison(
        recent.index[0],
        recent.index[-1],
        earlier.index[0],
        earlier.index[-1],
        a,
        b,
        ratio,
        float(ratio * np.exp(-1.96 * se)),
        float(ratio * np.exp(1.96 * se)),
        dispersion,
    )
