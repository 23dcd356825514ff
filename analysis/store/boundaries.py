"""The boundary files, checked once and summed up in the store, so a start needs no geopandas.

Reading ``areas.geojson`` and ``lsoa.geojson`` through :func:`analysis.load.geo.load_boundaries`
takes geopandas, shapely, pyproj and pyogrio: about a second of imports and 40 MiB, before any
page asks for a map. What a start needs is small: each file's report, whether it is usable, and
the areas' codes and names (the hubs when there is no hubs.csv). :func:`boundary_summaries` keeps
that in ``boundaries/<file>.json`` in the store, keyed by the file's size, modification time and
SHA-256 (as the manifest keys the geography), and rebuilds it when the file changes.

The geometry, checked and repaired as :func:`~analysis.load.geo.load_boundaries` leaves it, is kept
beside as GeoParquet (``boundaries/<file>.parquet``): :class:`LazyBoundaries` reads it when a page
first asks for geometry, with pyarrow and shapely, never GDAL (pyogrio: about 30 MiB more).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.load.report import FileReport, empty_rejected
from analysis.store.files import hash_file, write_atomic

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "BOUNDARY_FILES",
    "SUMMARY_DIR",
    "BoundarySummary",
    "LazyBoundaries",
    "boundary_summaries",
    "prepared_boundaries",
]

log = logging.getLogger(__name__)

#: The boundary files of a data folder, as :func:`analysis.load.geo.load_boundaries` names them.
BOUNDARY_FILES: tuple[str, ...] = ("areas.geojson", "lsoa.geojson")
#: The store's folder of summaries (the ingest's sweep leaves it alone).
SUMMARY_DIR = "boundaries"
#: Written into each summary: a summary of another version is made again.
_VERSION = 2


@dataclass(frozen=True)
class BoundarySummary:
    """What a start needs to know of one boundary file, without its geometry.

    Attributes
    ----------
    report : FileReport or None
        As :func:`analysis.load.geo.load_boundaries` reports the file; None when it is absent.
    usable : bool
        True when the file gave boundaries (a frame), even if some features were rejected.
    names : pandas.DataFrame
        ``area_code`` and, where the file has them, ``area_name`` of each accepted feature, in order.
    geometry : Path or None
        The accepted features as GeoParquet, when the store holds them.
    """

    report: FileReport | None
    usable: bool
    names: pd.DataFrame = field(default_factory=pd.DataFrame)
    geometry: Path | None = None


class LazyBoundaries:
    """One boundary file of a folder, read (with geopandas) when its geometry is first asked for.

    One object is shared by a dataset and the datasets cut from it, so the file is read once:
    from the store's GeoParquet when given, else (or when that cannot be read) from the file itself.
    """

    def __init__(self, folder: Path, kind: str, prepared: Path | None = None) -> None:
        self.folder, self.kind, self.prepared = Path(folder), kind, prepared
        self._frame: gpd.GeoDataFrame | None = None
        self._read = False

    def frame(self) -> gpd.GeoDataFrame | None:
        """The boundaries as :func:`analysis.load.geo.load_boundaries` reads them (None when unusable)."""
        if not self._read:
            self._frame = self._prepared() if self.prepared is not None else None
            if self._frame is None:
                from analysis.load.geo import load_boundaries  # geopandas: only once a page needs geometry

                self._frame, _ = load_boundaries(self.folder, self.kind)
            self._read = True
        return self._frame

    def _prepared(self) -> gpd.GeoDataFrame | None:
        import geopandas as gpd

        try:
            return gpd.read_parquet(self.prepared)
        except (OSError, ValueError) as e:  # gone or damaged: read from the file instead
            log.warning("The prepared boundaries %s could not be read (%s).", self.prepared, type(e).__name__)
            return None

    def __repr__(self) -> str:
        return f"LazyBoundaries({str(self.folder / self.kind)!r}, read={self._read})"


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _to_json(kind: str, stamp: list[int], digest: str, frame, report: FileReport) -> dict:
    columns = [c for c in ("area_code", "area_name") if frame is not None and c in frame.columns]
    return {
        "version": _VERSION,
        "file": kind,
        "stamp": stamp,
        "sha256": digest,
        "usable": frame is not None,
        "names": {c: frame[c].astype("str").tolist() for c in columns},
        "report": {
            "file": report.file,
            "kind": report.kind,
            "rows_read": report.rows_read,
            "rows_accepted": report.rows_accepted,
            "problem": report.problem,
            "notes": list(report.notes),
            "rejected": report.rejected.astype({"line": "int64"}).to_dict("list"),
        },
    }


def _from_json(summary: dict) -> BoundarySummary:
    given = summary["report"]
    rejected = empty_rejected()
    if given["rejected"]["line"]:
        rejected = pd.DataFrame(given["rejected"]).astype(rejected.dtypes.to_dict())
    report = FileReport(
        given["file"],
        given["kind"],
        rows_read=given["rows_read"],
        rows_accepted=given["rows_accepted"],
        rejected=rejected,
        problem=given["problem"],
        notes=list(given["notes"]),
    )
    names = pd.DataFrame({c: pd.Series(v, dtype="str") for c, v in summary["names"].items()})
    return BoundarySummary(report, bool(summary["usable"]), names)


def _with_geometry(summary: BoundarySummary, target: Path | None) -> BoundarySummary:
    geometry = None if target is None else target.with_suffix(".parquet")
    if geometry is None or not summary.usable or not geometry.is_file():
        return summary
    return BoundarySummary(summary.report, summary.usable, summary.names, geometry)


def _read_summary(path: Path) -> dict | None:
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) and summary.get("version") == _VERSION else None


def _summary(folder: Path, kind: str, store: Path | None) -> BoundarySummary:
    source = folder / kind
    if not source.is_file():
        return BoundarySummary(None, False)
    target = None if store is None else store / SUMMARY_DIR / f"{kind}.json"
    kept = None if target is None else _read_summary(target)
    if kept is not None and kept["usable"] and not target.with_suffix(".parquet").is_file():
        kept = None  # its geometry is gone: made again
    stamp = _stamp(source)
    if kept is not None and kept["stamp"] == stamp:
        return _with_geometry(_from_json(kept), target)
    digest = hash_file(source)
    if kept is not None and kept["sha256"] == digest:  # touched, not changed: the same summary, newly stamped
        summary = {**kept, "stamp": stamp}
    else:
        from analysis.load.geo import load_boundaries  # geopandas: only when the file is new or changed

        frame, report = load_boundaries(folder, kind)
        summary = _to_json(kind, stamp, digest, frame, report)
        if target is not None and frame is not None:
            _keep(target.with_suffix(".parquet"), frame.to_parquet)  # first: the summary names a written file
    if target is not None:
        _keep(target, lambda temp: temp.write_text(json.dumps(summary), encoding="utf-8"))
    return _with_geometry(_from_json(summary), target)


def _keep(path: Path, write) -> None:
    try:
        write_atomic(path, write)
    except OSError as e:  # a store that cannot be written: the summary is made again next time
        log.warning("The boundary summary %s could not be written (%s).", path, type(e).__name__)


def boundary_summaries(folder: Path | str, store: Path | None) -> dict[str, BoundarySummary]:
    """Each boundary file's summary, from the store when the file is unchanged, else made and kept there.

    Parameters
    ----------
    folder : path
        The data folder.
    store : Path or None
        The folder's store (:func:`analysis.store.location.store_location`); None keeps nothing.

    Returns
    -------
    dict
        ``{"areas.geojson": BoundarySummary, "lsoa.geojson": BoundarySummary}``; an absent file's
        summary has no report and is not usable.

    Examples
    --------
    >>> import tempfile
    >>> boundary_summaries(tempfile.mkdtemp(), None)["areas.geojson"].usable
    False
    """
    return {kind: _summary(Path(folder), kind, store) for kind in BOUNDARY_FILES}


def _attributes(path: Path) -> pd.DataFrame:
    """A kept GeoParquet's columns but its geometry, as ``geopandas.read_parquet`` gives them (none decoded)."""
    import pyarrow.parquet as pq

    meta = json.loads(pq.read_schema(path).metadata[b"geo"])
    columns = [c for c in pq.read_schema(path).names if c not in meta["columns"]]
    return pq.read_table(path, columns=columns).to_pandas()


def prepared_boundaries(folder: Path | str, store: Path | None) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(areas, lsoa) as :func:`analysis.load.geo.load_boundaries` reads them, from the store when it has them checked.

    A file whose summary in the store (:func:`boundary_summaries`, made when a start reads the
    folder) is of this very file (size and modification time) is read back from its GeoParquet,
    not through GDAL and its checks again; any other is read from the file, and nothing is
    written (the summaries stay the start's to make). Placing records needs only the LSOAs'
    codes, so a kept ``lsoa`` holds its columns without geometry; ``areas`` is a GeoDataFrame
    (points are placed in it). An unusable or absent file gives None.

    Parameters
    ----------
    folder : path
        The data folder.
    store : Path or None
        The folder's store; None reads the files themselves.
    """
    folder = Path(folder)
    found = []
    for kind in BOUNDARY_FILES:
        source = folder / kind
        target = None if store is None else store / SUMMARY_DIR / f"{kind}.json"
        kept = None if target is None or not source.is_file() else _read_summary(target)
        if kept is not None and kept["stamp"] == _stamp(source):
            path = target.with_suffix(".parquet")
            found.append(_read_kept(folder, kind, path, geometry=kind == "areas.geojson") if kept["usable"] else None)
            continue
        from analysis.load.geo import load_boundaries  # geopandas: only when the file is new or changed

        found.append(load_boundaries(folder, kind)[0])
    return found[0], found[1]


def _read_kept(folder: Path, kind: str, path: Path | None, geometry: bool) -> pd.DataFrame | None:
    """A file's checked boundaries from the store (its columns only, unless ``geometry``), else from the file."""
    if path is not None:
        try:
            if not geometry:
                return _attributes(path)
            import geopandas as gpd

            return gpd.read_parquet(path)
        except (OSError, ValueError, KeyError, TypeError) as e:  # gone or damaged: read from the file instead
            log.warning("The prepared boundaries %s could not be read (%s).", path, type(e).__name__)
    from analysis.load.geo import load_boundaries

    return load_boundaries(folder, kind)[0]
