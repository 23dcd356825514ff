"""Counting in SQL over the store, run by DuckDB: the server holds counts, not rows.

:class:`StoreReader` is the SQL behind :class:`analysis.load.records.StoreRecords`: one
connection over the files a store's manifest named (read under a shared lock), views only,
and one question, :meth:`StoreReader.count`, the records per distinct value of some columns,
which every page and command asks (through ``dataset.records``).

Values always travel as bound parameters (``?``), never inside the SQL text. The
same SQL runs unchanged on any engine that reads Parquet (MotherDuck, a warehouse over
object storage): the files are plain Parquet laid out ``force=<force>/month=<YYYY-MM>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from analysis.store.ingest import open_store

__all__ = ["StoreReader"]


def _parameters(where) -> list:
    """The bound values for the ``chosen`` part of a query, in order (``where``: a Where, or None for all)."""

    def listed(values):
        return None if values is None else [str(v) for v in values]

    first = None if where is None or where.first is None else str(where.first)
    last = None if where is None or where.last is None else str(where.last)
    if where is None:
        return [first, first, last, last, None, None, None, None, None, None]
    hubs, types, forces = listed(where.hubs), listed(where.crime_types), listed(where.forces)
    return [first, first, last, last, hubs, hubs, types, types, forces, forces]


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
        where : Where, optional
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
        return self._con.cursor().execute(chosen + sql, [*_parameters(where), *parameters]).df()

    def close(self) -> None:
        """Close the connection."""
        self._con.close()
