"""The dashboard's aggregations as SQL over the store, run by DuckDB: the server holds aggregates, not rows.

Every function reads the store's Parquet files where they are, through one
:class:`StoreReader` (the files its manifest named, read under a shared lock), and
returns the same small frame as the pandas function it stands for:

=========================  ====================================================
this                       the same answer as
=========================  ====================================================
:func:`monthly_counts`     :func:`analysis.measures.metrics.monthly_counts`
:func:`lsoa_counts`        ``incidents["lsoa_code"].value_counts()`` in :func:`analysis.measures.maps.rates.lsoa_rates`
:func:`outcome_counts`     :func:`analysis.measures.performance.outcomes.outcome_distribution`
:func:`hexbin_counts`      :func:`~analysis.measures.maps.hexagons.hexbin_counts` of its ``hex_cells``
:func:`coverage`           records per month for street records and for ASB (per hub on request)
=========================  ====================================================

Values always travel as bound parameters (``?``), never inside the SQL text. The
same SQL runs unchanged on any engine that reads Parquet (MotherDuck, a warehouse over
object storage): the files are plain Parquet laid out ``force=<force>/month=<YYYY-MM>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from analysis.measures.maps.hexagons import hex_cells, project_points
from analysis.schema import ASB, CRIME_TYPES, OPEN_OUTCOMES
from analysis.store.ingest import open_store

if TYPE_CHECKING:  # pyproj is imported where points are projected (the hub map), not by every count
    import pyproj

__all__ = ["Filter", "StoreReader", "coverage", "hexbin_counts", "lsoa_counts", "monthly_counts", "outcome_counts"]


@dataclass(frozen=True)
class Filter:
    """Which records to count: a span of months, some hubs, crime types, forces (None: all).

    :class:`analysis.load.records.Where` has the same fields, so either may be given.
    """

    first: pd.Period | None = None
    last: pd.Period | None = None
    hubs: Sequence[str] | None = None
    crime_types: Sequence[str] | None = None
    forces: Sequence[str] | None = None

    def parameters(self) -> list:
        """The bound values for the ``chosen`` part of the query, in order."""
        first = None if self.first is None else str(self.first)
        last = None if self.last is None else str(self.last)
        hubs = None if self.hubs is None else [str(h) for h in self.hubs]
        types = None if self.crime_types is None else [str(t) for t in self.crime_types]
        forces = None if self.forces is None else [str(f) for f in self.forces]
        return [first, first, last, last, hubs, hubs, types, types, forces, forces]


def _query(store: Path, sql: str, parameters: Sequence = (), where: Filter | None = None) -> pd.DataFrame | None:
    """Run ``sql`` (which reads ``chosen``) over the store once; None when the store holds no record."""
    reader = StoreReader(Path(store))
    try:
        return reader.query(sql, parameters, where)
    finally:
        reader.close()


def _hub_names(store: Path) -> list[str]:
    with open_store(Path(store)) as manifest:
        return list(manifest["hub_names"] or [])


def monthly_counts(
    store: Path,
    hubs: list[str] | None = None,
    months: pd.PeriodIndex | None = None,
    where: Filter | None = None,
) -> pd.DataFrame:
    """Records per hub, month and crime type, zeros included: :func:`analysis.measures.metrics.monthly_counts` in SQL.

    Parameters
    ----------
    store : Path
        The store's folder.
    hubs : list of str, optional
        Hubs to include, in this order (default: every hub of the store, then Unassigned).
    months : pandas.PeriodIndex, optional
        Months to include (default: first to last month in the store).
    where : Filter, optional
        Records to count.

    Returns
    -------
    pandas.DataFrame
        ``hub, month, crime_type, count``.
    """
    counted = _query(
        store,
        "SELECT hub, month, CAST(crime_type AS VARCHAR) AS crime_type, count(*) AS count FROM chosen GROUP BY ALL",
        where=where,
    )
    if counted is None:
        counted = pd.DataFrame({"hub": [], "month": [], "crime_type": [], "count": []})
    hubs = _hub_names(store) if hubs is None else hubs
    counted = counted.assign(month=pd.PeriodIndex(counted["month"].astype("str"), freq="M"))
    if months is None:
        months = (
            pd.period_range(counted["month"].min(), counted["month"].max(), freq="M")
            if len(counted)
            else pd.PeriodIndex([], freq="M")
        )
    series = counted.set_index(["hub", "month", "crime_type"])["count"]
    grid = pd.MultiIndex.from_product([hubs, months, list(CRIME_TYPES)], names=["hub", "month", "crime_type"])
    return series.reindex(grid, fill_value=0).astype("int64").reset_index()


def lsoa_counts(store: Path, where: Filter | None = None) -> pd.Series:
    """Records per LSOA code (blank code included), most first; as ``value_counts`` gives them."""
    counted = _query(
        store,
        "SELECT CAST(lsoa_code AS VARCHAR) AS lsoa_code, count(*) AS count FROM chosen GROUP BY ALL"
        " ORDER BY count DESC, lsoa_code",
        where=where,
    )
    if counted is None:
        return pd.Series(dtype="int64", name="count", index=pd.Index([], dtype="str", name="lsoa_code"))
    return counted.set_index(counted["lsoa_code"].astype("str"))["count"].astype("int64")


def outcome_counts(store: Path, where: Filter | None = None) -> pd.DataFrame:
    """Crimes by last outcome in SQL, no ASB: :func:`analysis.measures.performance.outcomes.outcome_distribution`.

    Returns
    -------
    pandas.DataFrame
        ``outcome, crimes, share, is_open``; a blank outcome is "Not recorded".
    """
    counted = _query(
        store,
        """SELECT CASE WHEN CAST(outcome AS VARCHAR) = '' THEN 'Not recorded' ELSE CAST(outcome AS VARCHAR) END
                  AS outcome, count(*) AS crimes
           FROM chosen WHERE NOT is_asb GROUP BY ALL ORDER BY crimes DESC, outcome""",
        where=where,
    )
    if counted is None:
        counted = pd.DataFrame({"outcome": pd.Series(dtype="str"), "crimes": pd.Series(dtype="int64")})
    counted = counted.astype({"outcome": "str", "crimes": "int64"})
    total = counted["crimes"].sum()
    return counted.assign(
        share=counted["crimes"] / total if total else np.nan,
        is_open=counted["outcome"].isin(OPEN_OUTCOMES),
    ).reset_index(drop=True)


def hexbin_counts(store: Path, width_m: float, crs: pyproj.CRS, where: Filter | None = None) -> pd.DataFrame:
    """Records per hexagon ``width_m`` across: SQL counts each distinct point, pandas bins the few points.

    police.uk snaps every record to one of a few thousand map points, so the points
    that leave the database are far fewer than the records.

    Returns
    -------
    pandas.DataFrame
        ``q, r, count`` as :func:`analysis.measures.maps.hexagons.hexbin_counts` gives them.
    """
    points = _query(
        store,
        "SELECT longitude, latitude, count(*) AS n FROM chosen"
        " WHERE longitude IS NOT NULL AND latitude IS NOT NULL GROUP BY ALL",
        where=where,
    )
    if points is None or points.empty:
        return pd.DataFrame({"q": pd.Series(dtype="int64"), "r": pd.Series(dtype="int64"), "count": []}).astype(
            {"count": "int64"}
        )
    x, y = project_points(points["longitude"], points["latitude"], crs)
    q, r = hex_cells(x, y, width_m)
    cells = pd.DataFrame({"q": q, "r": r, "count": points["n"].to_numpy()}).dropna()
    counted = cells.groupby(["q", "r"], as_index=False)["count"].sum()
    counted = counted.astype({"q": "int64", "r": "int64", "count": "int64"})
    return counted.sort_values(["count", "q", "r"], ascending=[False, True, True], ignore_index=True)


def coverage(store: Path, by_hub: bool = False) -> pd.DataFrame:
    """For every month from the first to the last: street records and ASB records, and whether each was supplied.

    A month with no record of a stream is not supplied for it (a gap, never a zero).

    Parameters
    ----------
    store : Path
        The store's folder.
    by_hub : bool
        One row per hub and month (every hub of the store) instead of per month.

    Returns
    -------
    pandas.DataFrame
        ``[hub,] month, street_records, asb_records, street_supplied, asb_supplied``.
    """
    keys = ["hub", "month"] if by_hub else ["month"]
    counted = _query(
        store,
        f"""SELECT {", ".join(keys)}, count(*) FILTER (WHERE crime_type <> ?) AS street_records,
                  count(*) FILTER (WHERE crime_type = ?) AS asb_records
           FROM chosen GROUP BY ALL""",
        [ASB, ASB],
    )
    columns = [*keys, "street_records", "asb_records", "street_supplied", "asb_supplied"]
    if counted is None or counted.empty:
        return pd.DataFrame(columns=columns)
    counted = counted.assign(month=pd.PeriodIndex(counted["month"].astype("str"), freq="M"))
    months = pd.period_range(counted["month"].min(), counted["month"].max(), freq="M")
    index = pd.MultiIndex.from_product([_hub_names(store), months], names=keys) if by_hub else months.rename("month")
    table = counted.set_index(keys)[["street_records", "asb_records"]].reindex(index, fill_value=0).astype("int64")
    table = table.assign(street_supplied=table["street_records"] > 0, asb_supplied=table["asb_records"] > 0)
    return table.reset_index()[columns]


#: How each countable column is selected: text never NULL (a blank is ''), months as 'YYYY-MM'.
_SELECT = {
    "force": "force",
    "hub": "COALESCE(hub, '')",
    "month": "month",
    "crime_type": "CAST(crime_type AS VARCHAR)",
    "is_asb": "is_asb",
    "longitude": "CAST(longitude AS DOUBLE)",
    "latitude": "CAST(latitude AS DOUBLE)",
}
_TEXT = "COALESCE(CAST({0} AS VARCHAR), '')"
_WHERE = """
WHERE (? IS NULL OR month >= ?) AND (? IS NULL OR month <= ?)
  AND (? IS NULL OR list_contains(?, hub)) AND (? IS NULL OR list_contains(?, CAST(crime_type AS VARCHAR)))
  AND (? IS NULL OR list_contains(?, force))
"""


class StoreReader:
    """One DuckDB connection over one state of a store: its files named once, queried many times.

    The files are those the manifest named when the reader was made (a shared lock held
    while it was read); a later ingest makes a new folder fingerprint, so a new reader.
    Each query runs on its own cursor, so sessions on several threads may ask at once.
    The connection holds views, never rows: every query reads the Parquet files where they lie.
    """

    def __init__(self, store: Path) -> None:
        self.store = Path(store)
        self._con = duckdb.connect()
        with open_store(self.store) as manifest:
            files = [str(self.store / part["file"]) for entry in manifest["sources"] for part in entry["parts"]]
            self.has_records = bool(files)
            if not files:
                return
            self._con.read_parquet(files, hive_partitioning=True, union_by_name=True).create_view("parts")
            places = self._con.read_parquet(str(self.store / manifest["places"]["file"]))
            places.project("place_id, area_code, hub, assigned_by").create_view("places")
            self._con.read_parquet(str(self.store / manifest["repeats"]["file"])).create_view("repeats")
        self._con.execute(
            """CREATE VIEW incidents AS
               SELECT parts.* REPLACE (CAST(month AS VARCHAR) AS month, CAST(force AS VARCHAR) AS force),
                      places.area_code, places.hub, places.assigned_by
               FROM parts JOIN places USING (place_id)
               ANTI JOIN repeats ON repeats.source_file = CAST(parts.source_file AS VARCHAR)
                                AND repeats._pos = parts._pos"""
        )

    def count(self, by: Sequence[str], where=None) -> pd.DataFrame:
        """Records per distinct value of ``by``: the SQL behind :meth:`analysis.load.records.StoreRecords.count`.

        Parameters
        ----------
        by : sequence of str
            Columns of :data:`analysis.load.records.COUNTABLE` (checked by the caller).
        where : Filter or Where, optional
            The records to count (default: all).

        Returns
        -------
        pandas.DataFrame
            ``*by, records`` (empty, with those columns, when the store holds no record).
        """
        selected = [f"{_SELECT.get(c) or _TEXT.format(c)} AS {c}" for c in by]
        sql = f"SELECT {', '.join([*selected, 'count(*) AS records'])} FROM chosen"
        if by:
            sql += " GROUP BY ALL"
        counted = self.query(sql, where=where)
        if counted is None:
            return pd.DataFrame({**{c: pd.Series(dtype="object") for c in by}, "records": pd.Series(dtype="int64")})
        return counted

    def query(self, sql: str, parameters: Sequence = (), where=None) -> pd.DataFrame | None:
        """Run ``sql``, which reads ``chosen`` (the records ``where`` chooses); None when the store holds no record.

        Values travel as bound parameters: ``where``'s first, then ``parameters``.
        """
        if not self.has_records:
            return None
        chosen = f"WITH chosen AS (SELECT * FROM incidents {_WHERE}) "
        return self._con.cursor().execute(chosen + sql, [*Filter.parameters(where or Filter()), *parameters]).df()

    def close(self) -> None:
        """Close the connection."""
        self._con.close()
