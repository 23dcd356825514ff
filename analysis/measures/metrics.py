"""Counts, rates and patrol hours per hub and month: the numbers every page and the CLI share.

ASB is counted apart from crime and never added into a crime total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.load.coverage import Coverage, stream_of
from analysis.load.dataset import Dataset
from analysis.load.records import FrameRecords, Where
from analysis.schema import ASB, CRIME_TYPES, UNASSIGNED

__all__ = [
    "BY_TYPE",
    "counts_by_type",
    "dataset_summary",
    "hub_categories",
    "hub_month_counts",
    "hub_names",
    "monthly_counts",
    "monthly_patrol",
    "hub_population",
    "summary",
    "summary_of_counts",
]


#: The columns :func:`counts_by_type` needs records counted by (``records.count(BY_TYPE)``).
BY_TYPE = ["hub", "month", "crime_type"]


def hub_categories(hubs: pd.DataFrame) -> list[str]:
    """Every hub a record can be placed in: the listed hubs, then Unassigned (the loaders' hub categories)."""
    return list(dict.fromkeys([*hubs["hub"].astype("str"), UNASSIGNED]))


def hub_names(dataset: Dataset) -> list[str]:
    """The hubs in file order, then Unassigned when any record is unassigned (``Dataset.hub_names``, from counts)."""
    names = list(dataset.hubs["hub"])
    if UNASSIGNED in set(dataset.records.count(["hub"])["hub"]):
        names.append(UNASSIGNED)
    return names


def hub_month_counts(dataset: Dataset) -> pd.DataFrame:
    """:func:`counts_by_type` of every record of the dataset: each of :func:`hub_names`, each month of its span."""
    counted = dataset.records.count(BY_TYPE)
    return counts_by_type(counted, hub_names(dataset), dataset.months, coverage=dataset.coverage)


def monthly_counts(
    incidents: pd.DataFrame,
    hubs: list[str] | None = None,
    months: pd.PeriodIndex | None = None,
    *,
    coverage: Coverage | None,
) -> pd.DataFrame:
    """:func:`counts_by_type` of rows in memory (typed incidents with ``hub``, ``month``, ``crime_type``).

    ``hubs`` defaults to every category of the rows' ``hub`` (else the hubs in them, sorted),
    ``months`` to their first to last month; the rest is as :func:`counts_by_type` says.

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
    return counts_by_type(FrameRecords(incidents).count(BY_TYPE), hubs, months, coverage=coverage)


def counts_by_type(
    counted: pd.DataFrame,
    hubs: list[str] | None = None,
    months: pd.PeriodIndex | None = None,
    *,
    coverage: Coverage | None,
) -> pd.DataFrame:
    """Records per hub, month and crime type: zeros where supplied, NaN where not supplied.

    Parameters
    ----------
    counted : pandas.DataFrame
        Records counted by :data:`BY_TYPE` (``hub, month, crime_type, records``), as
        :meth:`analysis.load.records.Records.count` gives them.
    hubs : list of str, optional
        Hubs to include (default: those counted, sorted).
    months : pandas.PeriodIndex, optional
        Months to include (default: first to last month counted).
    coverage : Coverage or None
        What was supplied (``Dataset.coverage``): a cell whose hub, month and stream was not
        supplied is NaN, never 0. ``None`` only for tables known to be complete (built by hand).

    Returns
    -------
    pandas.DataFrame
        Columns ``hub, month, crime_type, count``; one row per combination. ``count`` is int64
        when every cell was supplied, else float64 with NaN for the cells not supplied.
    """
    counted = counted.loc[counted["records"] > 0]
    if hubs is None:
        hubs = sorted(counted["hub"].astype("str").unique())
    if months is None:
        month = pd.PeriodIndex(counted["month"], freq="M")
        months = pd.period_range(month.min(), month.max(), freq="M") if len(month) else pd.PeriodIndex([], freq="M")
    by_cell = counted.set_index(
        [counted["hub"].astype("str"), pd.PeriodIndex(counted["month"], freq="M"), counted["crime_type"].astype("str")]
    )["records"]
    grid = pd.MultiIndex.from_product([hubs, months, list(CRIME_TYPES)], names=["hub", "month", "crime_type"])
    counts = by_cell.groupby(level=[0, 1, 2]).sum().reindex(grid, fill_value=0).astype("int64").rename("count")
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
    """Per hub and month of rows in memory: :func:`summary_of_counts` of the rows counted.

    Every hub category of ``incidents`` gets its rows (only the listed hubs when there is no row).
    """
    hub_names = list(incidents["hub"].cat.categories) if len(incidents) else list(hubs["hub"])
    counted = FrameRecords(incidents).count(BY_TYPE)
    return summary_of_counts(counted, hubs, population, resourcing, coverage=coverage, hub_names=hub_names)


def dataset_summary(dataset: Dataset, where: Where | None = None) -> pd.DataFrame:
    """:func:`summary_of_counts` of the dataset's records ``where`` chooses, with its population and resourcing."""
    return summary_of_counts(
        dataset.records.count(BY_TYPE, where),
        dataset.hubs,
        dataset.table("population.csv"),
        dataset.table("resourcing.csv"),
        coverage=dataset.coverage,
    )


def summary_of_counts(
    counted: pd.DataFrame,
    hubs: pd.DataFrame,
    population: pd.DataFrame | None = None,
    resourcing: pd.DataFrame | None = None,
    *,
    coverage: Coverage | None,
    hub_names: list[str] | None = None,
) -> pd.DataFrame:
    """Per hub and month: counts by crime type, ASB, other crime, rates per 1,000 and patrol hours.

    Parameters
    ----------
    counted : pandas.DataFrame
        Records counted by :data:`BY_TYPE` (``hub, month, crime_type, records``); the months run
        from the first to the last month counted.
    hubs : pandas.DataFrame
        The hubs (``hub``, ``area_code``).
    population, resourcing : pandas.DataFrame, optional
        population.csv and resourcing.csv.
    coverage : Coverage or None
        What was supplied (see :func:`counts_by_type`).
    hub_names : list of str, optional
        The hubs to give rows (default: :func:`hub_categories` of ``hubs``, or only the listed
        hubs when nothing was counted).

    Returns
    -------
    pandas.DataFrame
        One row per hub and month with ``asb``, ``crime`` (every type but ASB), one
        column per crime type, ``population``, ``asb_rate_per_1000``,
        ``crime_rate_per_1000`` (NaN without population) and ``patrol_hours``,
        ``precept_patrol_hours`` (NaN without resourcing). Counts and rates of a stream that
        was not supplied for that hub and month are NaN.
    """
    if hub_names is None:
        hub_names = hub_categories(hubs) if (counted["records"] > 0).any() else list(hubs["hub"])
    counts = counts_by_type(counted, hubs=hub_names, coverage=coverage)
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
