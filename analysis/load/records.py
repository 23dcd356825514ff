"""The folder's accepted records, asked for as counts: in pandas over rows, or in DuckDB over the store.

Every measure that looks at incidents asks one question: how many records are there per
some columns, among the records of some months, hubs, crime types and forces? Asked of a
:class:`FrameRecords` (rows held in memory) or of a :class:`StoreRecords` (the Parquet store,
read by DuckDB where it lies), the answer is the same small frame, so a server that reads the
store holds aggregates, never rows.

    >>> records.count(["hub", "month"], Where(crime_types=(ASB,)))   # doctest: +SKIP
         hub    month  records
    0  Barrow  2018-10      153
    ...
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["BASE", "COUNTABLE", "FrameRecords", "Records", "StoreRecords", "Where"]

#: The columns records can be counted by, with the kind of value each holds in a count.
COUNTABLE: dict[str, str] = {
    "force": "text",
    "hub": "text",
    "month": "month",
    "crime_type": "text",
    "is_asb": "bool",
    "lsoa_code": "text",
    "lsoa_name": "text",
    "area_code": "text",
    "outcome": "text",
    "falls_within": "text",
    "reported_by": "text",
    "source_file": "text",
    "assigned_by": "text",
    "longitude": "number",
    "latitude": "number",
}


@dataclass(frozen=True)
class Where:
    """Which records to count: a span of months (inclusive), some hubs, crime types, forces (None: all)."""

    first: pd.Period | None = None
    last: pd.Period | None = None
    hubs: tuple[str, ...] | None = None
    crime_types: tuple[str, ...] | None = None
    forces: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("hubs", "crime_types", "forces"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(str(v) for v in value))


def _check(by: Sequence[str]) -> list[str]:
    by = list(by)
    unknown = [c for c in by if c not in COUNTABLE]
    if unknown:
        raise ValueError(f"records cannot be counted by {unknown}: one of {list(COUNTABLE)}")
    if len(set(by)) != len(by):
        raise ValueError(f"a column is named twice in {by}")
    return by


def _months(values: pd.Series) -> pd.PeriodIndex:
    """``YYYY-MM`` texts as monthly periods: each distinct month parsed once (a count has few months, many rows)."""
    codes, distinct = pd.factorize(values.astype("str"), use_na_sentinel=True)
    return pd.PeriodIndex(distinct, freq="M").take(codes)


def _finish(counted: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One shape for every answer: text as str ('' for none), months as periods, sorted by ``by``."""
    columns = {}
    for c in by:
        kind, values = COUNTABLE[c], counted[c]
        if kind == "text":
            columns[c] = values.astype("object").where(values.notna(), "").astype("str")
        elif kind == "month":
            columns[c] = values if isinstance(values.dtype, pd.PeriodDtype) else _months(values)
        elif kind == "bool":
            columns[c] = values.astype("bool")
        else:
            columns[c] = values.astype("float64")
    frame = pd.DataFrame(columns, index=counted.index).assign(records=counted["records"].astype("int64"))
    if by:
        frame = frame.sort_values(by, kind="stable", na_position="last")
    return frame.reset_index(drop=True)[[*by, "records"]]


class Records:
    """What every kind of records answers."""

    def count(self, by: Sequence[str] = (), where: Where | None = None) -> pd.DataFrame:
        """Records per distinct value of ``by`` among those ``where`` chooses; only groups that have records.

        Parameters
        ----------
        by : sequence of str
            Columns of :data:`COUNTABLE`; none gives one row, the total.
        where : Where, optional
            The records to count (default: all).

        Returns
        -------
        pandas.DataFrame
            ``*by, records``, sorted by ``by``: text as ``str`` (a blank value is ``""``), ``month``
            as monthly periods, ``is_asb`` as bool, coordinates as float (NaN where none).
        """
        raise NotImplementedError

    def total(self, where: Where | None = None) -> int:
        """How many records ``where`` chooses."""
        counted = self.count((), where)
        return int(counted["records"].sum()) if len(counted) else 0

    @property
    def empty(self) -> bool:
        """True when there is no record at all."""
        return self.total() == 0

    def kept(self, question: tuple, make):
        """``make()``, made once for these records and ``question`` and kept with their counts.

        For what a page derives from one dataset again and again (a map's boundaries drawn, a
        summary of every month): ``question`` names it and everything it depends on besides the
        dataset. What it returns is shared: never change it.
        """
        answers = getattr(self, "_answers", None)
        return make() if answers is None else answers.get(("kept", *question), make)


class FrameRecords(Records):
    """Records held as rows in memory (the typed incidents frame of :func:`analysis.load.dataset.load_dataset`).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Typed incidents with ``hub``, ``area_code`` and ``assigned_by``.
    forces : pandas.Series, optional
        The force of each row, aligned with ``incidents`` (:func:`analysis.load.force_names.incident_forces`).
    """

    def __init__(self, incidents: pd.DataFrame, forces: pd.Series | None = None) -> None:
        self.incidents = incidents
        self.forces = forces
        self._answers = _Answers()

    def for_forces(self, forces: tuple[str, ...]) -> FrameRecords:
        """Only these forces' records."""
        keep = self._column("force").astype("str").isin(forces).to_numpy()
        chosen = None if self.forces is None else self.forces.loc[keep].reset_index(drop=True)
        return FrameRecords(self.incidents.loc[keep].reset_index(drop=True), chosen)

    def _column(self, name: str) -> pd.Series:
        if name == "force":
            if self.forces is None:
                return pd.Series("", index=self.incidents.index, dtype="str")
            return self.forces.set_axis(self.incidents.index)
        return self.incidents[name]

    def _mask(self, where: Where | None) -> np.ndarray | None:
        if where is None:
            return None
        rows = self.incidents
        keep = np.ones(len(rows), dtype=bool)
        if where.first is not None:
            keep &= (rows["month"] >= where.first).to_numpy()
        if where.last is not None:
            keep &= (rows["month"] <= where.last).to_numpy()
        for name, values in (("hub", where.hubs), ("crime_type", where.crime_types), ("force", where.forces)):
            if values is not None:
                keep &= self._column(name).astype("str").isin(values).to_numpy()
        return keep

    def count(self, by: Sequence[str] = (), where: Where | None = None) -> pd.DataFrame:
        """Counted in pandas over the rows (see :meth:`Records.count`)."""
        by = _check(by)
        keep = self._mask(where)
        if not by:
            n = len(self.incidents) if keep is None else int(keep.sum())
            return pd.DataFrame({"records": [n]} if n else {"records": pd.Series(dtype="int64")})
        columns = {}
        for c in by:
            values = self._column(c)
            if COUNTABLE[c] == "text":
                values = values.astype("object").where(values.notna(), "").astype("str")
            columns[c] = (values if keep is None else values[keep]).reset_index(drop=True)
        frame = pd.DataFrame(columns)
        counted = frame.groupby(by, dropna=False, sort=False).size().rename("records").reset_index()
        return _finish(counted, by)


class StoreRecords(Records):
    """Records in a Parquet store, counted by DuckDB where they lie (:mod:`analysis.store.sql`).

    A store's state never changes under a reader (a later ingest makes a new folder
    fingerprint, so a new dataset), so every answer is kept (:class:`_Answers`) and a
    question asked again costs a copy of a small frame. A count by the columns of
    :data:`BASE` (forces, hubs, months, crime types) is cut from one count of the whole
    store by all of them, in pandas: one DuckDB query serves every such question. A count
    by any other column (LSOAs, outcomes, map points) is asked of the store per question.

    Parameters
    ----------
    store : Path
        The store's folder.
    forces : tuple of str, optional
        Only these forces' records (one force of a folder of several).
    """

    def __init__(self, store: Path, forces: tuple[str, ...] | None = None, reader=None, answers=None) -> None:
        self.store = Path(store)
        self.forces = forces
        self._reader = reader
        self._answers = answers if answers is not None else _Answers()

    def kept(self, question: tuple, make):
        """As :meth:`Records.kept`, apart for each choice of forces (the force views share one memo)."""
        return self._answers.get(("kept", self.forces, *question), make)

    def _read(self):
        if self._reader is None:
            from analysis.store.sql import StoreReader  # sql imports the store, which imports the loaders

            self._reader = StoreReader(self.store)
        return self._reader

    def for_forces(self, forces: tuple[str, ...]) -> StoreRecords:
        """The same store, only these forces' records (sharing one connection and the answers kept)."""
        return StoreRecords(self.store, forces, self._read(), self._answers)

    def count(self, by: Sequence[str] = (), where: Where | None = None) -> pd.DataFrame:
        """Counted in SQL over the store's Parquet files (see :meth:`Records.count`)."""
        by = _check(by)
        where = where or Where()
        if self.forces is not None:
            forces = self.forces if where.forces is None else tuple(f for f in where.forces if f in self.forces)
            where = Where(where.first, where.last, where.hubs, where.crime_types, forces)
        return self._answers.get((tuple(by), where), lambda: self._count(by, where)).copy()

    def _count(self, by: list[str], where: Where) -> pd.DataFrame:
        if set(by) <= set(BASE):
            whole = self._answers.get((BASE, Where()), lambda: self._counted(list(BASE), Where()))
            return _cut(whole, by, where)
        # By LSOA, outcome, map point ...: asked of the store for this choice alone. A count of the whole
        # store by such a column and BASE, kept to cut from, cost four times one question on a county
        # folder (made at the first such choice), and on a national one was too large to keep at all.
        return self._counted(by, where)

    def _counted(self, by: list[str], where: Where) -> pd.DataFrame:
        counted = self._read().count(by, where)
        if not by:
            n = int(counted["records"].sum()) if len(counted) else 0
            return pd.DataFrame({"records": [n]} if n else {"records": pd.Series(dtype="int64")})
        return _finish(counted, by)


#: The columns one count of the whole store is kept by; a count by some of them is cut from it.
BASE: tuple[str, ...] = ("force", "falls_within", "hub", "month", "crime_type", "is_asb")


def _cut(whole: pd.DataFrame, by: list[str], where: Where) -> pd.DataFrame:
    """``whole`` (records per :data:`BASE`, as :func:`_finish` shapes them) cut down to ``where`` and summed by ``by``.

    The same answer as the SQL: months compared as ``YYYY-MM`` text, a blank hub, type or force
    chosen only when ``""`` is named.
    """
    keep = np.ones(len(whole), dtype=bool)
    months = whole["month"].astype("str")
    if where.first is not None:
        keep &= (months >= str(where.first)).to_numpy()
    if where.last is not None:
        keep &= (months <= str(where.last)).to_numpy()
    for name, values in (("hub", where.hubs), ("crime_type", where.crime_types), ("force", where.forces)):
        if values is not None:
            keep &= whole[name].isin(values).to_numpy()
    chosen = whole.loc[keep]
    if not by:
        n = int(chosen["records"].sum())
        return pd.DataFrame({"records": [n]} if n else {"records": pd.Series(dtype="int64")})
    counted = chosen.groupby(by, sort=False, dropna=False)["records"].sum().reset_index()
    return _finish(counted[counted["records"] > 0], by)


_ASKED = object()


class _Answers:
    """Counts kept per question (a bounded, thread-safe memo shared by a store's force views).

    Each answer is kept as made and handed out as a copy, so no caller can change what another reads.
    """

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._kept: dict[tuple, pd.DataFrame | None] = {}
        self._lock = threading.Lock()

    def get(self, question: tuple, make) -> pd.DataFrame | None:
        """The answer kept for ``question``, or ``make()``'s, kept (None is kept too: "not worth keeping")."""
        with self._lock:
            kept = self._kept.get(question, _ASKED)
        if kept is _ASKED:
            kept = make()
            with self._lock:
                if len(self._kept) >= self._size:
                    self._kept.pop(next(iter(self._kept)))
                self._kept[question] = kept
        return kept
