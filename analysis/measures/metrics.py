"""Counts, rates and patrol hours per hub and month: the numbers every page and the CLI share.

ASB is counted apart from crime and never added into a crime total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.load.coverage import Coverage, stream_of
from analysis.schema import ASB, CRIME_TYPES

__all__ = [
    "monthly_counts",
    "monthly_patrol",
    "hub_population",
    "summary",
]


def monthly_counts(
    incidents: pd.DataFrame,
    hubs: list[str] | None = None,
    months: pd.PeriodIndex | None = None,
    *,
    coverage: Coverage | None,
) -> pd.DataFrame:
    """Records per hub, month and crime type: zeros where supplied, NaN where not supplied.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Typed incidents with ``hub``, ``month`` and ``crime_type``.
    hubs : list of str, optional
        Hubs to include (default: every hub category).
    months : pandas.PeriodIndex, optional
        Months to include (default: first to last month in the data).
    coverage : Coverage or None
        What was supplied (``Dataset.coverage``): a cell whose hub, month and stream was not
        supplied is NaN, never 0. ``None`` only for tables known to be complete (built by hand).

    Returns
    -------
    pandas.DataFrame
        Columns ``hub, month, crime_type, count``; one row per combination. ``count`` is int64
        when every cell was supplied, else float64 with NaN for the cells not supplied.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"hub": ["A", "A"], "month": pd.PeriodIndex(["2019-01", "2019-03"], freq="M"),
    ...                      "crime_type": ["Drugs", "Drugs"]})
    >>> monthly_counts(rows, coverage=None).query("crime_type == 'Drugs'")["count"].tolist()
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
    counts = counted.reindex(grid, fill_value=0).astype("int64")
    if coverage is not None:
        supplied = _supplied_cells(coverage, list(hubs), months)
        if not supplied.all():
            counts = counts.astype("float64").where(supplied)
    return counts.reset_index()


def _supplied_cells(coverage: Coverage, hubs: list[str], months: pd.PeriodIndex) -> np.ndarray:
    """Bool per (hub, month, crime type) cell in ``from_product`` order: True where supplied."""
    streams = np.array([stream_of(t) for t in CRIME_TYPES])
    per_stream = {s: coverage.grid(hubs, months, s) for s in ("crime", "asb")}
    cells = np.empty((len(hubs), len(months), len(CRIME_TYPES)), dtype=bool)
    for s, grid in per_stream.items():
        cells[:, :, streams == s] = grid[:, :, None] if len(hubs) else grid
    return cells.reshape(-1)


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
    """Residents of each hub's area for each month, from the population year nearest the month's year.

    Where several years are given (ONS mid-year estimates), each month takes the nearest year
    (the earlier of two equally near); ``population_year`` says which year was used.

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
        available = years.index.to_numpy()
        for month in months:
            year = int(available[np.argmin(np.abs(available - month.year))])
            rows.append((hub, month, float(years.loc[year]), year))
    return pd.DataFrame(rows, columns=columns)


def summary(
    incidents: pd.DataFrame,
    hubs: pd.DataFrame,
    population: pd.DataFrame | None = None,
    resourcing: pd.DataFrame | None = None,
    *,
    coverage: Coverage | None,
) -> pd.DataFrame:
    """Per hub and month: counts by crime type, ASB, other crime, rates per 1,000 and patrol hours.

    Returns
    -------
    pandas.DataFrame
        One row per hub and month with ``asb``, ``crime`` (every type but ASB), one
        column per crime type, ``population``, ``asb_rate_per_1000``,
        ``crime_rate_per_1000`` (NaN without population) and ``patrol_hours``,
        ``precept_patrol_hours`` (NaN without resourcing). Counts and rates of a stream that
        was not supplied for that hub and month are NaN.
    """
    hub_names = list(incidents["hub"].cat.categories) if len(incidents) else list(hubs["hub"])
    counts = monthly_counts(incidents, hubs=hub_names, coverage=coverage)
    wide = counts.set_index(["hub", "month", "crime_type"])["count"].unstack("crime_type")
    grid = pd.MultiIndex.from_product([hub_names, counts["month"].unique()])
    wide = wide.reindex(index=grid, columns=list(CRIME_TYPES))
    wide.index.names = ["hub", "month"]
    wide.columns.name = None
    crime_types = [t for t in CRIME_TYPES if t != ASB]
    table = wide.assign(asb=wide[ASB], crime=wide[crime_types].sum(axis=1, min_count=1)).reset_index()
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
