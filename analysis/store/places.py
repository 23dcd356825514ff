"""Places of the store: each distinct (force, LSOA code, LSOA name, point), its area and its hub.

A place is assigned once, however many records share it, in two steps:

1. by the folder's geography (hubs.csv, areas.geojson, lsoa.geojson): :meth:`Places.assign`,
   kept in the ``geo_*`` columns so it need not be worked out again;
2. by what the records say, once every file is in (:meth:`Places.settle`): a folder with no hubs
   and no boundaries has its districts, named in the LSOA names, as hubs; in a folder of several
   forces a force no hub belongs to has its unplaced records grouped by district. Both need how
   many records each place holds, so they run over the places with their counts, never over rows.

The ``area_code``, ``hub`` and ``assigned_by`` columns are the final answer the readers join to:
the same as :func:`analysis.load.dataset.load_dataset` gives each record in memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.load.hubs import assign_hubs, forces_listed, hubs_from_lsoa_names
from analysis.schema import REQUIRED_COLUMNS, UNASSIGNED

__all__ = ["PLACE_KEYS", "Places", "group_codes"]

#: What identifies a place (the force too: in a folder of several forces one point may be placed per force).
PLACE_KEYS = ["force", "lsoa_code", "lsoa_name", "longitude", "latitude"]

#: Where each place is, as the folder's geography alone places it, and as it is finally placed.
_GEO = {"geo_area_code": "area_code", "geo_hub": "hub", "geo_assigned_by": "assigned_by"}


def group_codes(rows: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """A group number per row for distinct :data:`PLACE_KEYS`, and each group's first row.

    ``rows`` holds the keys as Arrow columns: text as dictionary columns, coordinates as
    floats (a null coordinate is one value, as NaN is one place). Groups are numbered in
    order of first appearance.
    """
    key = np.zeros(rows.num_rows, dtype=np.int64)
    span = 1  # how many values ``key`` can take: it is renumbered before it could overflow
    for column in PLACE_KEYS:
        values = rows[column].combine_chunks()
        if pa.types.is_dictionary(values.type):
            codes, size = values.indices.to_numpy(zero_copy_only=False).astype(np.int64), len(values.dictionary) + 1
        else:
            codes, uniques = pd.factorize(values.to_numpy(zero_copy_only=False), use_na_sentinel=True)
            size = len(uniques) + 1
        if span * size >= 2**62:
            key, uniques = pd.factorize(key)
            span = len(uniques)
        key, span = key * size + codes + 1, span * size
    key, _ = pd.factorize(key)
    return key, np.unique(key, return_index=True)[1]


def _records_by_name(frame: pd.DataFrame, records: pd.Series) -> dict[str, tuple[pd.Series, pd.Series]]:
    """Per force, its places' LSOA names and records, summed per name (what districts are counted over).

    :func:`~analysis.load.hubs.hubs_from_lsoa_names` sums records per district of the names, so one
    row per distinct name gives the districts every place gives, over far fewer rows.
    """
    held = records.to_numpy() > 0
    sums = records[held].groupby([frame["force"][held], frame["lsoa_name"][held]], sort=False).sum()
    found = {}
    for force, part in sums.groupby(level=0, sort=False):
        found[str(force)] = (
            pd.Series(part.index.get_level_values(1), dtype="str"),
            pd.Series(part.to_numpy(), dtype="int64"),
        )
    return found


def _no_hubs() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in REQUIRED_COLUMNS["hubs.csv"]})


class Places:
    """Distinct places with a stable id and their assignment."""

    def __init__(self, frame: pd.DataFrame | None = None, keys: pa.Table | None = None) -> None:
        """``frame``: the places known (as stored); ``keys``: its :data:`PLACE_KEYS` as Arrow, if at hand."""
        columns = {"place_id": "int32", "force": "str", "lsoa_code": "str", "lsoa_name": "str"}
        columns |= {"longitude": "float64", "latitude": "float64"}
        columns |= dict.fromkeys(["area_code", "hub", "assigned_by", *_GEO], "str")
        empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
        self.frame = empty if frame is None else frame
        if keys is None:
            keys = pa.Table.from_pandas(self.frame[PLACE_KEYS], preserve_index=False)
        ids = self.frame["place_id"].astype(int).tolist()
        self.ids = dict(zip(self.table_keys(keys), ids, strict=True))
        self.new: list[tuple] = []
        self.lock = threading.Lock()

    @staticmethod
    def _keys(rows: pd.DataFrame) -> list[tuple]:
        """The key of each row, None for a missing coordinate (NaN never equals itself)."""

        def floats(column: str) -> list:
            values = rows[column].to_numpy(dtype="float64")
            return np.where(np.isnan(values), None, values).tolist()

        def texts(column: str) -> list:
            values = rows[column]
            if isinstance(values.dtype, pd.CategoricalDtype) and not values.isna().any():
                return np.asarray(values.cat.categories, dtype=object)[values.cat.codes.to_numpy()].tolist()
            return values.astype("str").tolist()

        text = [texts(c) for c in ("force", "lsoa_code", "lsoa_name")]
        return list(zip(*text, floats("longitude"), floats("latitude"), strict=True))

    @staticmethod
    def table_keys(rows: pa.Table) -> list[tuple]:
        """What :meth:`_keys` gives for the same rows held as Arrow (text as dictionary columns or strings)."""

        def texts(column: str) -> list:
            values = rows[column].combine_chunks()
            if pa.types.is_dictionary(values.type):
                names = values.dictionary.to_pylist()
                return [names[i] for i in values.indices.to_numpy(zero_copy_only=False).tolist()]
            return values.to_pylist()

        def floats(column: str) -> list:
            return [None if v is None or v != v else v for v in rows[column].to_pylist()]  # NaN is no value

        text = [texts(c) for c in ("force", "lsoa_code", "lsoa_name")]
        return list(zip(*text, floats("longitude"), floats("latitude"), strict=True))

    def ids_for(self, firsts: pa.Table) -> np.ndarray:
        """The place id of each distinct place (:data:`PLACE_KEYS` as Arrow columns), new ones numbered last.

        New places are numbered after the known ones; hold ``lock``.
        """
        keys = self.table_keys(firsts)
        ids = np.empty(len(keys), dtype=np.int32)
        for at, key in enumerate(keys):
            found = self.ids.get(key)
            if found is None:
                found = self.ids[key] = len(self.ids)
                self.new.append(key)
            ids[at] = found
        return ids

    def _fresh(self) -> pd.DataFrame:
        """The new places as a frame of :data:`PLACE_KEYS` (built by column: a frame of tuples guesses each type)."""
        columns = list(zip(*self.new, strict=True)) if self.new else [()] * len(PLACE_KEYS)
        return pd.DataFrame(
            {
                key: pd.Series(list(values), dtype="float64" if key in ("longitude", "latitude") else "str")
                for key, values in zip(PLACE_KEYS, columns, strict=True)
            }
        )

    def assign(self, hubs: pd.DataFrame | None, areas, lsoa, everything: bool) -> None:
        """Place the new places (every place when ``everything``) by the folder's geography (``hubs`` None: none)."""
        fresh = self._fresh()
        fresh.insert(0, "place_id", np.arange(len(self.frame), len(self.frame) + len(fresh), dtype=np.int32))
        todo = pd.concat([self.frame[["place_id", *PLACE_KEYS]], fresh], ignore_index=True) if everything else fresh
        keep = None if everything else self.frame
        if len(todo):
            placed = assign_hubs(todo, _no_hubs() if hubs is None else hubs, areas, lsoa)
            geo = {
                "geo_area_code": placed["area_code"].astype("object").to_numpy(),
                "geo_hub": placed["hub"].astype("str").to_numpy(),
                "geo_assigned_by": placed["assigned_by"].astype("str").to_numpy(),
            }
            todo = todo.assign(**geo, **{final: geo[column] for column, final in _GEO.items()})
        parts = [p for p in (keep, todo) if p is not None and len(p)]
        self.frame = (pd.concat(parts, ignore_index=True) if parts else self.frame).astype(
            {"place_id": "int32", "force": "str", "lsoa_code": "str", "lsoa_name": "str"}
            | dict.fromkeys(["area_code", "hub", "assigned_by", *_GEO], "str")
        )
        self.new = []

    def settle(self, hubs: pd.DataFrame | None, lsoa, counts: Callable[[], pd.Series]) -> list[dict]:
        """Place by what the records say: districts as hubs where a folder or a force has none.

        Mirrors :func:`analysis.load.dataset.load_dataset` over rows: with no hubs (``hubs`` None)
        and one force, the districts holding :data:`~analysis.load.hubs.DISTRICT_SHARE` of the
        records are the hubs; with several forces, each force no hub belongs to gets its own
        districts, into which its unplaced records go by their LSOA names.

        Parameters
        ----------
        hubs : pandas.DataFrame or None
            The folder's hubs (hubs.csv, else one per area); None when it has neither.
        lsoa : GeoDataFrame or None
            The LSOA boundaries.
        counts : callable
            Gives the records of each place (index ``place_id``), less those rejected across files;
            asked only when the folder has no hubs or several forces.

        Returns
        -------
        list of dict
            The hubs made from districts, in order: ``{"hub": ..., "force": ...}``.
        """
        frame = self.frame.assign(**{final: self.frame[column] for column, final in _GEO.items()})
        self.frame = frame
        if hubs is not None and frame["force"].nunique() < 2:
            return []
        records = counts().reindex(frame["place_id"].to_numpy(), fill_value=0).to_numpy()
        records = pd.Series(records, index=frame.index, dtype="int64")
        forces = sorted(frame.loc[records > 0, "force"].unique())
        districts: list[dict] = []
        if hubs is None:
            hubs = _no_hubs()
            if len(forces) == 1:
                found = hubs_from_lsoa_names(frame, records=records)
                self._place(frame.index, found, lsoa)
                districts = [{"hub": h, "force": forces[0]} for h in found["hub"]]
        if len(forces) < 2:
            return districts
        names = hubs["hub"].astype("str")
        hub_forces: dict[str, str | None] = dict.fromkeys(names) | forces_listed(hubs)
        held = self.frame.loc[records > 0]
        counted = pd.crosstab(held["hub"], held["force"], values=records.loc[held.index], aggfunc="sum").fillna(0)
        for hub in names:
            if hub_forces[hub] is None and hub in counted.index:
                hub_forces[hub] = str(counted.loc[hub].idxmax())
        by_name = _records_by_name(self.frame, records)
        unplaced = self.frame["hub"] == UNASSIGNED  # placing one force's places leaves every other force's as it is
        placed = []
        for force in forces:
            if force in hub_forces.values():
                continue
            names_of, records_of = by_name[force]
            found = hubs_from_lsoa_names(pd.DataFrame({"lsoa_name": names_of}), records=records_of)
            found = found.loc[~found["hub"].isin(list(hub_forces))].reset_index(drop=True)
            if found.empty:
                continue
            todo = self.frame.index[(self.frame["force"] == force) & unplaced]
            placed.append(self._placed(todo, found, None, only_placed=True))
            hub_forces |= dict.fromkeys(found["hub"].astype("str"), force)
            districts += [{"hub": h, "force": force} for h in found["hub"]]
        if placed:
            self._apply(pd.concat(placed))
        return districts

    def _place(self, index: pd.Index, hubs: pd.DataFrame, lsoa, only_placed: bool = False) -> None:
        """Final area, hub and method of the places at ``index`` by ``hubs`` (those placed only, if asked)."""
        self._apply(self._placed(index, hubs, lsoa, only_placed))

    def _placed(self, index: pd.Index, hubs: pd.DataFrame, lsoa, only_placed: bool = False) -> pd.DataFrame:
        """Area, hub and method of the places at ``index`` by ``hubs`` (those placed only, if asked), as text."""
        placed = assign_hubs(self.frame.loc[index, PLACE_KEYS], hubs, None, lsoa)
        if only_placed:
            placed = placed.loc[placed["hub"] != UNASSIGNED]
        return pd.DataFrame(
            {
                "area_code": placed["area_code"].astype("object"),
                "hub": placed["hub"].astype("str"),
                "assigned_by": placed["assigned_by"].astype("str"),
            },
            index=placed.index,
        )

    def _apply(self, placed: pd.DataFrame) -> None:
        """Give the places at ``placed``'s index its area, hub and method (the final answer the readers join to)."""
        frame = self.frame.astype({"area_code": "object", "hub": "object", "assigned_by": "object"})
        frame.loc[placed.index, "area_code"] = placed["area_code"].astype("object")
        frame.loc[placed.index, "hub"] = placed["hub"].astype("str")
        frame.loc[placed.index, "assigned_by"] = placed["assigned_by"].astype("str")
        self.frame = frame.astype({"area_code": "str", "hub": "str", "assigned_by": "str"})
