"""Read the store back: the same incidents frame and reports as loading the files in memory.

Each file was typed on its own when it was ingested; reading puts the rows back in file
order, drops the repeats rejected across files, and rebuilds every categorical as the
in-memory loader builds it (categories in order of first appearance), so that
``load_dataset(folder, store=True)`` and ``store=False`` give equal frames.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.load.hubs import ASSIGNED_BY, assign_hubs, district_hubs
from analysis.load.incidents import empty_incidents
from analysis.load.report import FileReport, empty_rejected
from analysis.load.resupply import Resupply
from analysis.schema import CRIME_TYPES
from analysis.store.ingest import CorruptStore, ingest, open_store, store_location

__all__ = ["Stored", "load_stored_incidents", "open_stored", "read_rows", "read_store"]

#: Columns typed as categoricals in order of first appearance (analysis.load.incidents._typed).
_FIRST_SEEN = ("reported_by", "falls_within", "location", "outcome", "source_file", "lsoa_code", "lsoa_name")

log = logging.getLogger(__name__)


def _first_seen(values: pd.Series) -> pd.Categorical:
    """The categorical with only the categories used, in order of first appearance."""
    codes = values.cat.codes.to_numpy()
    used = pd.unique(codes)
    used = used[used >= 0]
    remap = np.full(len(values.cat.categories) + 1, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    categories = pd.Index(np.asarray(values.cat.categories, dtype=object)[used], dtype="str")
    return pd.Categorical.from_codes(remap[codes], categories=categories)


def _column_order(manifest: dict) -> list[str]:
    """Columns in the order concatenating the files in memory gives them (``is_asb`` last)."""
    order: dict[str, None] = {}
    for entry in manifest["sources"]:
        if entry["parts"]:
            order.update(dict.fromkeys(c for c in entry["columns"] if c != "is_asb"))
    return [*order, "is_asb"]


def _reports(store: Path, manifest: dict, repeats: pd.DataFrame) -> list[FileReport]:
    reports = [
        FileReport(r["file"], r["kind"], problem=r["problem"], notes=list(r["notes"])) for r in manifest["skipped"]
    ]
    by_file = dict(tuple(repeats.groupby("source_file", sort=False))) if len(repeats) else {}
    for entry in manifest["sources"]:
        meta = entry["report"]
        report = FileReport(meta["file"], meta["kind"], meta["rows_read"], meta["rows_accepted"])
        report.problem, report.notes = meta["problem"], list(meta["notes"])
        parts = [pd.read_parquet(store / entry["rejected"]["file"])] if entry.get("rejected") else []
        later = by_file.get(entry["name"])
        if later is not None:
            parts.append(later.assign(file=entry["name"])[["file", "line", "text", "reasons"]])
            report.rows_accepted -= len(later)
        if parts:
            rejected = pd.concat(parts, ignore_index=True).astype({"line": "int64"})
            report.rejected = rejected.sort_values("line", ignore_index=True)
        else:
            report.rejected = empty_rejected()
        reports.append(report)
    by_name = {r.file: r for r in reports}
    for clash in manifest.get("resupplied", []):
        month = Resupply(clash["force"], clash["month"], clash["winner"], clash["loser"])
        by_name[month.loser].notes.append(month.loser_note(clash["rows"]))
        by_name[month.winner].notes.append(month.winner_note)
    return reports


def _placed(frame: pd.DataFrame, places: pd.DataFrame, hub_names: list[str]) -> pd.DataFrame:
    """Add ``area_code``, ``hub`` and ``assigned_by`` from each row's place."""
    places = places.sort_values("place_id")
    size = int(places["place_id"].max()) + 1 if len(places) else 0
    ids = frame.pop("place_id").to_numpy()
    area_codes, area_names = pd.factorize(places["area_code"])
    area_of = np.full(size, -1, dtype=np.int64)
    area_of[places["place_id"].to_numpy()] = area_codes
    row_area = area_of[ids]
    used = np.unique(row_area[row_area >= 0])
    sorted_names = np.sort(np.asarray(area_names, dtype=object)[used])
    remap = np.full(len(area_names) + 1, -1, dtype=np.int64)
    remap[used] = pd.Index(sorted_names).get_indexer(np.asarray(area_names, dtype=object)[used])
    hub_index = pd.Index(hub_names)
    hub_of = np.zeros(size, dtype=np.int64)
    hub_of[places["place_id"].to_numpy()] = hub_index.get_indexer(places["hub"])
    by_of = np.zeros(size, dtype=np.int64)
    by_of[places["place_id"].to_numpy()] = pd.Index(ASSIGNED_BY).get_indexer(places["assigned_by"])
    return frame.assign(
        # astype("category") on codes that are all missing gives categories of dtype object
        area_code=pd.Categorical.from_codes(
            remap[row_area], categories=pd.Index(sorted_names, dtype="str" if len(used) else object)
        ),
        hub=pd.Categorical.from_codes(hub_of[ids], categories=hub_index),
        assigned_by=pd.Categorical.from_codes(by_of[ids], categories=list(ASSIGNED_BY)),
    )


def read_store(store: Path) -> tuple[pd.DataFrame | None, list[FileReport]]:
    """The incidents (None when no file has an accepted row) and the incident files' reports.

    Raises
    ------
    CorruptStore
        When a file of the store cannot be read.
    """
    with open_store(store) as manifest:
        try:
            repeats = _repeats(store, manifest)
            return _rows(store, manifest, repeats), _reports(store, manifest, repeats)
        except (OSError, pa.ArrowException, ValueError, KeyError) as e:
            raise CorruptStore(f"a file of the store could not be read ({type(e).__name__})") from e


@dataclass(frozen=True)
class Stored:
    """What a dataset needs of its store besides the rows.

    Attributes
    ----------
    store : Path
        The store's folder.
    reports : list of FileReport
        The incident files' reports, as loading the files in memory gives them.
    districts : list of dict
        The hubs made from districts named in the LSOA names (``hub``, ``force``), in order.
    """

    store: Path
    reports: list[FileReport]
    districts: list[dict] = field(default_factory=list)


def _stored(store: Path) -> Stored:
    with open_store(store) as manifest:
        try:
            reports = _reports(store, manifest, _repeats(store, manifest))
        except (OSError, pa.ArrowException, ValueError, KeyError) as e:
            raise CorruptStore(f"a file of the store could not be read ({type(e).__name__})") from e
        return Stored(store, reports, list(manifest.get("districts") or []))


def open_stored(folder: Path | str, geography: tuple, rebuild: bool = False) -> Stored:
    """Ingest what is new in ``folder``, then read its reports from the store: no record is read.

    A store found corrupt is rebuilt once, with a message in the server log.

    Parameters
    ----------
    folder : path
        The data folder.
    geography : (hubs, areas, lsoa)
        What hub assignment needs, as :func:`analysis.load.dataset.load_dataset` read it (hubs None: none).
    rebuild : bool
        Start from an empty store (one its reader found corrupt).
    """
    store = store_location(folder)
    ingest(folder, geography, store=store, rebuild=rebuild)
    try:
        return _stored(store)
    except CorruptStore as e:
        log.warning("The store at %s was rebuilt: %s.", store, e)
        ingest(folder, geography, store=store, rebuild=True)
        return _stored(store)


def read_rows(store: Path, geography: tuple) -> pd.DataFrame:
    """Every accepted record of the store, as :func:`load_stored_incidents` gives them.

    Parameters
    ----------
    store : Path
        The store's folder.
    geography : (hubs, areas, lsoa)
        The dataset's hubs (its districts included) and boundaries: the columns of a store without records.
    """
    with open_store(store) as manifest:
        try:
            rows = _rows(store, manifest, _repeats(store, manifest))
        except (OSError, pa.ArrowException, ValueError, KeyError) as e:
            raise CorruptStore(f"a file of the store could not be read ({type(e).__name__})") from e
    return _or_empty(rows, geography)


def _or_empty(rows: pd.DataFrame | None, geography: tuple) -> pd.DataFrame:
    if rows is not None:
        return rows
    hubs, areas, lsoa = geography
    return assign_hubs(empty_incidents(), district_hubs([]) if hubs is None else hubs, areas, lsoa)


def _repeats(store: Path, manifest: dict) -> pd.DataFrame:
    return pd.read_parquet(store / manifest["repeats"]["file"]) if manifest.get("repeats") else pd.DataFrame()


def _rows(store: Path, manifest: dict, repeats: pd.DataFrame) -> pd.DataFrame | None:
    tables, months, order = [], [], []
    for i, entry in enumerate(manifest["sources"]):
        for part in entry["parts"]:
            table = pq.read_table(store / part["file"])
            if table.num_rows != part["rows"]:
                raise CorruptStore(f"{part['file']} holds {table.num_rows} rows where {part['rows']} were written")
            tables.append(table.replace_schema_metadata(None))
            months.append(np.full(table.num_rows, pd.Period(part["month"], "M").ordinal, dtype=np.int64))
            order.append(np.full(table.num_rows, i, dtype=np.int64))
    if not tables:
        return None
    frame = pa.concat_tables(tables, promote_options="permissive").to_pandas()
    source_order = np.concatenate(order)
    key = (source_order << 32) | frame["_pos"].to_numpy()
    keep = np.ones(len(frame), dtype=bool)
    if len(repeats):
        index = {entry["name"]: i for i, entry in enumerate(manifest["sources"])}
        repeat_key = (repeats["source_file"].map(index).to_numpy(dtype=np.int64) << 32) | repeats["_pos"].to_numpy()
        keep = ~np.isin(key, repeat_key)
    rows = np.flatnonzero(keep)
    if np.any(np.diff(key[rows]) < 0):
        rows = rows[np.argsort(key[rows], kind="stable")]
    frame = frame.take(rows).reset_index(drop=True)
    month = pd.PeriodIndex.from_ordinals(np.concatenate(months)[rows], freq="M")
    typed = {"month": pd.Series(month), "crime_type": frame["crime_type"].astype(pd.CategoricalDtype(CRIME_TYPES))}
    typed |= {c: pd.Series(_first_seen(frame[c])) for c in _FIRST_SEEN}
    places = pd.read_parquet(store / manifest["places"]["file"])
    frame = _placed(frame.assign(**typed), places, manifest["hub_names"])
    return frame[[*_column_order(manifest), "area_code", "hub", "assigned_by"]]


def load_stored_incidents(folder: Path | str, geography: tuple) -> tuple[pd.DataFrame, list[FileReport]]:
    """Ingest what is new in ``folder``, then read its incidents and reports from the store.

    A store found corrupt while reading is rebuilt once, with a message in the server log.

    Parameters
    ----------
    folder : path
        The data folder.
    geography : (hubs, areas, lsoa)
        What hub assignment needs, as :func:`analysis.load.dataset.load_dataset` read it.

    Returns
    -------
    incidents : pandas.DataFrame
        As :func:`analysis.load.incidents.load_incidents` then :func:`analysis.load.hubs.assign_hubs` give it.
    reports : list of FileReport
    """
    store = store_location(folder)
    ingest(folder, geography, store=store)
    try:
        incidents, reports = read_store(store)
    except CorruptStore as e:
        log.warning("The store at %s was rebuilt: %s.", store, e)
        ingest(folder, geography, store=store, rebuild=True)
        incidents, reports = read_store(store)
    return _or_empty(incidents, geography), reports
