"""Records and rates per area for the hub map: resident-months, hub and LSOA rates, the monthly trend, crime types.

Rates are "per 1,000 residents a month": records divided by resident-months in the
period (residents of each month's year, or the nearest earlier year, else the
earliest), times 1,000, so periods of different lengths compare.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.schema import CRIME_TYPES

#: What a rate means on the map.
RATE_TITLE = "per 1,000 residents a month"


def person_months(population: pd.DataFrame | None, codes: Iterable[str], months: pd.PeriodIndex) -> pd.Series:
    """Resident-months in ``months`` for each area code: the denominator of a monthly rate.

    Each month counts the residents of its own year; where that year is absent, the
    latest earlier year; where there is none, the earliest year given.

    Parameters
    ----------
    population : pandas.DataFrame or None
        ``area_code, year, population`` (district and LSOA rows may be mixed).
    codes : iterable of str
        The area codes wanted.
    months : pandas.PeriodIndex
        The months of the period.

    Returns
    -------
    pandas.Series
        Float resident-months indexed by area code; codes without any population row
        are absent. Empty when ``population`` is None or ``months`` is empty.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"area_code": ["A", "A"], "year": [2018, 2020], "population": [100, 200]})
    >>> months = pd.period_range("2018-12", "2020-01", freq="M")
    >>> # Dec 2018 at 100, 2019 at 100 (no 2019 figure: 2018's), Jan 2020 at 200
    >>> person_months(people, ["A"], months).to_dict()
    {'A': 1500.0}
    """
    wanted = pd.Index(pd.unique(pd.Series(list(codes), dtype="str")))
    if population is None or population.empty or len(months) == 0 or wanted.empty:
        return pd.Series(dtype="float64", name="person_months").rename_axis("area_code")
    rows = population.loc[population["area_code"].isin(wanted), ["area_code", "year", "population"]]
    if rows.empty:
        return pd.Series(dtype="float64", name="person_months").rename_axis("area_code")
    rows = rows.drop_duplicates(["area_code", "year"], keep="last")
    by_year = rows.pivot(index="area_code", columns="year", values="population").astype("float64")
    months_in_year = pd.Series(np.asarray(months.year), dtype="int64").value_counts()
    years = sorted(set(by_year.columns) | set(months_in_year.index))
    # ffill: the latest year not after; bfill: the earliest year for months before any figure.
    filled = by_year.reindex(columns=years).ffill(axis=1).bfill(axis=1)
    totals = sum(filled[year] * count for year, count in months_in_year.items())
    return totals.rename("person_months").rename_axis("area_code")


def _records_per(counts: pd.DataFrame, column: str) -> pd.Series:
    """The ``records`` of ``counts`` summed per value of ``column`` (as text)."""
    return counts["records"].groupby(counts[column].astype("str")).sum()


def _with_rates(table: pd.DataFrame, count: pd.Series, person: pd.Series, n_months: int) -> pd.DataFrame:
    """Add ``count``, ``residents`` (mean over the period) and ``rate_per_1000`` (a month)."""
    count = count.fillna(0).astype("int64")
    person = person.astype("float64")
    return table.assign(
        count=count.to_numpy(),
        residents=(person / max(n_months, 1)).round(0).to_numpy(),
        rate_per_1000=(count / person * 1000.0).to_numpy(),
    )


def hub_rates(
    counts: pd.DataFrame, hubs: pd.DataFrame, population: pd.DataFrame | None, months: pd.PeriodIndex
) -> pd.DataFrame:
    """Records and the rate per 1,000 residents a month for each hub.

    Parameters
    ----------
    counts : pandas.DataFrame
        Records per ``hub`` (and any other columns) among the period and types wanted: ``hub, records``
        (:meth:`analysis.load.records.Records.count`).
    hubs : pandas.DataFrame
        ``hub, area_code``: one row per hub to map (Unassigned is not a hub).
    population : pandas.DataFrame or None
        ``area_code, year, population``.
    months : pandas.PeriodIndex
        The period the incidents cover (the rate's denominator).

    Returns
    -------
    pandas.DataFrame
        ``hub, area_code, count, residents, rate_per_1000`` in ``hubs`` order, zeros
        included; ``residents`` (mean over the period) and ``rate_per_1000`` are NaN
        for hubs without population.
    """
    missing = {"hub", "area_code"} - set(hubs.columns)
    if missing:
        raise ValueError(f"hubs needs columns hub and area_code; missing {sorted(missing)}")
    table = hubs[["hub", "area_code"]].astype({"hub": "str", "area_code": "str"}).reset_index(drop=True)
    per_hub = _records_per(counts, "hub")
    residents = person_months(population, table["area_code"], months)
    return _with_rates(table, table["hub"].map(per_hub), table["area_code"].map(residents), len(months))


def lsoa_rates(
    counts: pd.DataFrame,
    lsoa: pd.DataFrame,
    population: pd.DataFrame | None,
    months: pd.PeriodIndex,
    area_code: str | None = None,
) -> pd.DataFrame:
    """Records and the rate per 1,000 residents a month for each LSOA (of one hub area).

    Parameters
    ----------
    counts : pandas.DataFrame
        Records per ``lsoa_code`` (and any other columns) among the period, types and hub wanted:
        ``lsoa_code, records``.
    lsoa : pandas.DataFrame
        ``lsoa_code`` and optionally ``lsoa_name`` and ``area_code`` (the LSOA boundaries).
    population : pandas.DataFrame or None
        With LSOA codes in ``area_code`` (as the ONS LSOA estimates are written).
    months : pandas.PeriodIndex
        The period.
    area_code : str, optional
        Keep only the LSOAs of this hub area.

    Returns
    -------
    pandas.DataFrame
        ``lsoa_code, lsoa_name, count, residents, rate_per_1000``, one row per LSOA
        (zeros included), in boundary order.
    """
    if "lsoa_code" not in lsoa.columns:
        raise ValueError(f"lsoa needs a lsoa_code column; got {list(lsoa.columns)}")
    keep = lsoa
    if area_code is not None and "area_code" in lsoa.columns:
        keep = lsoa.loc[lsoa["area_code"].astype("str") == str(area_code)]
    names = keep["lsoa_name"] if "lsoa_name" in keep.columns else keep["lsoa_code"]
    table = pd.DataFrame(
        {"lsoa_code": keep["lsoa_code"].astype("str").to_numpy(), "lsoa_name": names.astype("str").to_numpy()}
    )
    per_lsoa = _records_per(counts, "lsoa_code")
    residents = person_months(population, table["lsoa_code"], months)
    return _with_rates(table, table["lsoa_code"].map(per_lsoa), table["lsoa_code"].map(residents), len(months))


def trend_table(
    counts: pd.DataFrame,
    months: pd.PeriodIndex,
    residents: float | None = None,
    supplied: pd.Series | None = None,
) -> pd.DataFrame:
    """Records per month over ``months`` (zeros included, NaN where not supplied), with a rate when residents are known.

    Parameters
    ----------
    counts : pandas.DataFrame
        Records per ``month`` (and any other columns), already chosen: ``month, records``.
    months : pandas.PeriodIndex
        Every month to show.
    residents : float, optional
        Residents of the areas the incidents come from (for ``rate_per_1000``).
    supplied : pandas.Series, optional
        Bool per month (``Coverage.supplied``): a month not supplied is NaN, never 0.

    Returns
    -------
    pandas.DataFrame
        ``month, count, rate_per_1000`` (rate NaN without residents).
    """
    counts = counts["records"].groupby(counts["month"]).sum().reindex(months, fill_value=0).astype("int64")
    if supplied is not None and not supplied.reindex(months, fill_value=False).all():
        counts = counts.astype("float64").where(supplied.reindex(months, fill_value=False))
    rate = counts / residents * 1000.0 if residents else pd.Series(np.nan, index=months)
    return pd.DataFrame({"month": months, "count": counts.to_numpy(), "rate_per_1000": rate.to_numpy()})


def type_counts(counts: pd.DataFrame, crime_types: Iterable[str]) -> pd.DataFrame:
    """Records per crime type, zeros included, in the police.uk order of ``crime_types``.

    ``counts`` holds records per ``crime_type`` (and any other columns): ``crime_type, records``.
    """
    wanted = [t for t in CRIME_TYPES if t in set(crime_types)]
    counted = _records_per(counts, "crime_type").reindex(wanted, fill_value=0)
    return pd.DataFrame({"crime_type": wanted, "count": counted.to_numpy(dtype="int64")})
