"""The store: police.uk records validated once, kept as plain Parquet, read back fast.

``ingest(folder)`` reads, validates and places every street-level file once and writes
a store beside the data (``DATA_DIR/.local-focus-store/``) or, when the data folder is
not writable, under ``$XDG_CACHE_HOME/local-focus/<hash of the folder's path>/``::

    manifest.json                      what is in the store, keyed on each source file
    incidents/force=cumbria/month=2018-10/part-<key>.parquet   accepted records
    rejected/<key>.parquet             rows a file's own checks rejected
    repeats-<id>.parquet               rows rejected across files: a month loaded from another file,
                                       later copies of a Crime ID
    places.parquet                     each distinct place: its area, hub and how it was placed
    lock                               held (fcntl.flock) while the store is written or read

Only new or changed files are read again (size and modification time first, a content
hash when they moved); a removed file's rows leave the store. Every file is written to
a temporary name and renamed, the manifest last, so a reader never sees half a store;
a store that fails any check is rebuilt, never trusted. Rows keep their place in their
file (``_pos``) so reading back gives exactly the frame :func:`load_incidents` builds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import shutil
import time
import uuid
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.load.checks import Answers
from analysis.load.force_names import force_of_file, force_slug
from analysis.load.incidents import IncidentSource, find_incident_sources, read_typed
from analysis.load.textio import RawTable
from analysis.schema import UNASSIGNED
from analysis.store.files import LOCK, hash_bytes, hash_file, locked, write_atomic, write_parquet
from analysis.store.location import (
    STORE_DIR_ENV,
    STORE_DIR_NAME,
    STORE_ENV,
    can_write,
    store_enabled,
    store_location,
)
from analysis.store.places import PLACE_KEYS, Places, group_codes
from analysis.store.rows import repeats as find_repeats
from analysis.store.rows import resupplied, resupplied_rows

__all__ = [
    "GEOGRAPHY_FILES",
    "STORE_DIR_ENV",
    "STORE_DIR_NAME",
    "STORE_ENV",
    "STORE_VERSION",
    "CorruptStore",
    "IngestReport",
    "can_write",
    "ingest",
    "open_store",
    "store_enabled",
    "store_location",
]

#: Bumped whenever what the store holds or how it is laid out changes: another version is rebuilt.
STORE_VERSION = 3
#: The files hub assignment depends on: any change re-assigns every place.
GEOGRAPHY_FILES: tuple[str, ...] = ("hubs.csv", "areas.geojson", "lsoa.geojson")

_MANIFEST = "manifest.json"
_PLACES = "places.parquet"
_REPEATS = "repeats.parquet"

log = logging.getLogger(__name__)


class CorruptStore(Exception):
    """The store cannot be trusted (unreadable, truncated, another version): it must be rebuilt."""


@dataclass
class IngestReport:
    """What one ingest did.

    Attributes
    ----------
    folder, store : Path
        The data folder and its store.
    ingested, unchanged, removed : list of str
        Source files read now, found as they were, and gone since the last ingest.
    rows : int
        Accepted records in the store after the ingest (repeats excluded).
    rows_read : int
        Records read from the files ingested now.
    seconds : float
    rebuilt, reassigned : bool
        Whether the store was rebuilt from nothing; whether every place was placed again.
    messages : list of str
        Sentences for the person running it (why a store was rebuilt, where it is).
    """

    folder: Path
    store: Path
    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rows: int = 0
    rows_read: int = 0
    seconds: float = 0.0
    rebuilt: bool = False
    reassigned: bool = False
    messages: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the ingest wrote anything."""
        return bool(self.ingested or self.removed or self.rebuilt or self.reassigned)

    def to_dict(self) -> dict:
        """A JSON-ready summary."""
        return {
            "data_dir": str(self.folder),
            "store": str(self.store),
            "files_ingested": len(self.ingested),
            "files_unchanged": len(self.unchanged),
            "files_removed": len(self.removed),
            "ingested": list(self.ingested),
            "removed": list(self.removed),
            "rows": self.rows,
            "rows_read": self.rows_read,
            "seconds": round(self.seconds, 3),
            "rebuilt": self.rebuilt,
            "reassigned": self.reassigned,
            "messages": list(self.messages),
        }


# ---------------------------------------------------------------- the manifest


def _read_manifest(store: Path) -> dict | None:
    """The manifest, None for a new store; raises CorruptStore when it cannot be trusted."""
    path = store / _MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise CorruptStore("its manifest could not be read") from e
    if not isinstance(manifest, dict) or not isinstance(manifest.get("sources"), list):
        raise CorruptStore("its manifest is not a store manifest")
    if manifest.get("version") != STORE_VERSION:
        raise CorruptStore(f"it was written by another version (store version {manifest.get('version')!r})")
    return manifest


def _check_files(store: Path, manifest: dict) -> None:
    """Every file the manifest names exists with the size it was written with."""
    for rel, size in _referenced(manifest).items():
        path = store / rel
        try:
            actual = path.stat().st_size
        except OSError:
            raise CorruptStore(f"{rel} is missing") from None
        if actual != size:
            raise CorruptStore(f"{rel} has {actual} bytes where {size} were written (truncated or changed)")


def _referenced(manifest: dict) -> dict[str, int]:
    files: dict[str, int] = {}
    for entry in manifest["sources"]:
        for part in entry.get("parts", []):
            files[part["file"]] = part["bytes"]
        if entry.get("rejected"):
            files[entry["rejected"]["file"]] = entry["rejected"]["bytes"]
    for key in ("places", "repeats"):
        if manifest.get(key):
            files[manifest[key]["file"]] = manifest[key]["bytes"]
    return files


def _clear(store: Path) -> None:
    """Remove everything in the store but its lock."""
    for child in store.iterdir():
        if child.name == LOCK:
            continue
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                child.unlink()


def _sweep(store: Path, manifest: dict) -> None:
    """Delete files no manifest entry names (left by a replaced source or an interrupted ingest)."""
    keep = set(_referenced(manifest)) | {_MANIFEST, LOCK}
    for path in sorted(store.rglob("*"), reverse=True):
        rel = path.relative_to(store).as_posix()
        if rel.startswith("boundaries/"):  # analysis/store/boundaries.py's summaries, kept by their own key
            continue
        if path.is_file() and rel not in keep:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            with contextlib.suppress(OSError):
                path.rmdir()


# ---------------------------------------------------------------- sources and what identifies them


def _stamp(source: IncidentSource, zips: dict[Path, dict[str, zipfile.ZipInfo]]) -> tuple[list[int], str | None]:
    """(size, mtime_ns) of a file, or (size, CRC-32) of a zip member with its CRC as the hash."""
    if source.member is None:
        stat = source.path.stat()
        return [stat.st_size, stat.st_mtime_ns], None
    if source.path not in zips:
        with zipfile.ZipFile(source.path) as archive:
            zips[source.path] = {info.filename: info for info in archive.infolist()}
    info = zips[source.path][source.member]
    return [info.file_size, info.CRC], f"crc32:{info.CRC:08x}:{info.file_size}"


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """The codes (one per row) and values of a dictionary column."""
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return array.indices.to_numpy(zero_copy_only=False).astype(np.intp), array.dictionary


def _force(source: IncidentSource, falls_within: pa.ChunkedArray) -> tuple[np.ndarray, pd.Index]:
    """The force of each row as codes and names: from ``YYYY-MM-<force>-street.csv``, else from ``Falls within``."""
    named = force_of_file(source.member or source.path.name)
    if named:
        return np.zeros(len(falls_within), dtype=np.intp), pd.Index([named], dtype=object)
    codes, names = _codes(falls_within)
    slugs = np.array([force_slug(c) for c in names.to_pylist()], dtype=object)
    return pd.factorize(pd.Series(slugs[codes]))


# ---------------------------------------------------------------- places: where each row is assigned


def _geography_hash(folder: Path) -> dict[str, str | None]:
    return {name: hash_file(folder / name) if (folder / name).is_file() else None for name in GEOGRAPHY_FILES}


# ---------------------------------------------------------------- ingest


def _source_key(name: str, content: str) -> str:
    return hashlib.blake2b(f"{name}\0{content}".encode(), digest_size=8).hexdigest()


def _in_threads(work: Callable, todo: list[tuple], workers: int = 2) -> Iterator[tuple[tuple, object]]:
    """``work(item)`` for each item of ``todo`` on ``workers`` threads, yielded in order.

    Parsing, hashing, Arrow compute and Parquet writes release the GIL, so a second thread
    keeps the second core busy; at most ``workers`` files are in hand at once.
    """
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for item in todo:
            pending.append((item, pool.submit(work, item)))
            if len(pending) >= workers:
                head, future = pending.popleft()
                yield head, future.result()
        while pending:
            head, future = pending.popleft()
            yield head, future.result()


def _ingest_source(
    store: Path, source: IncidentSource, stamp: list[int], content: str | None, places: Places, answers: Answers
) -> tuple[dict, RawTable | None, int, tuple[pa.Array, np.ndarray] | None]:
    """Read one file and write its partitions and rejected rows (safe to run on several threads at once).

    ``content`` is the file's hash, None when it is still to be worked out; ``answers`` what the checks
    answered for the values of the files read before.
    Returns its manifest entry, its parsed text, the rows read, and its Crime IDs with their positions.
    """
    if content is None:  # a new file is hashed here, on the file's own thread, from the bytes it is read from
        with contextlib.suppress(OSError):  # one that cannot be opened is reported by read_typed
            source = dataclasses.replace(source, content=source.read_bytes())
            content = hash_bytes(source.content)
    typed, raw, report = read_typed(source, use_threads=False, answers=answers)  # two files at once, each on a thread
    content = content or hash_file(source.path)
    key = _source_key(source.name, content)
    entry: dict = {"name": source.name, "stamp": stamp, "hash": content, "key": key, "parts": []}
    meta = report.to_dict()
    entry["report"] = {k: meta[k] for k in ("file", "kind", "rows_read", "rows_accepted", "problem", "notes")}
    if len(report.rejected):
        rejected = report.rejected[["file", "line", "text", "reasons"]].astype({"line": "int64"})
        path = f"rejected/{key}.parquet"
        nbytes = write_parquet(store / path, pa.Table.from_pandas(rejected, preserve_index=False))
        entry["rejected"] = {"file": path, "bytes": nbytes}
    entry["months"] = []
    entry["columns"] = [] if typed is None else [c for c in typed.column_names if c != "_pos"]
    if typed is None or not typed.num_rows:
        return entry, raw, report.rows_read, None
    entry["months"] = _months_held(typed)
    forces, force_names = _force(source, typed["falls_within"])
    force = pa.DictionaryArray.from_arrays(pa.array(forces, type=pa.int32()), pa.array(force_names, type=pa.string()))
    keys = typed.select(PLACE_KEYS[1:]).add_column(0, "force", force)
    groups, first = group_codes(keys)
    firsts = keys.take(pa.array(first))
    with places.lock:
        place_ids = places.ids_for(firsts)[groups]
    months, month_names = _codes(typed["month"])
    body = typed.drop_columns(["month"]).append_column("place_id", pa.array(place_ids, type=pa.int32()))
    groups = forces.astype(np.int64) * len(month_names) + months
    for group in np.unique(groups):
        index = np.flatnonzero(groups == group)
        force_name = str(force_names[group // len(month_names)])
        month_name = month_names[group % len(month_names)].as_py()
        path = f"incidents/force={force_name}/month={month_name}/part-{key}.parquet"
        rows = body if len(index) == len(body) else body.take(pa.array(index))  # most files hold one force's month
        nbytes = write_parquet(store / path, rows)
        entry["parts"].append(
            {"file": path, "force": force_name, "month": month_name, "rows": len(index), "bytes": nbytes}
        )
    ids = typed["crime_id"].combine_chunks()
    return entry, raw, report.rows_read, (ids, typed["_pos"].to_numpy())


def _months_held(typed: pa.Table) -> list[list]:
    """[Falls within, month, rows] of a file's accepted records in order of first appearance (for the month rule)."""
    forces, force_names = _codes(typed["falls_within"])
    months, month_names = _codes(typed["month"])
    key = forces.astype(np.int64) * max(len(month_names), 1) + months
    groups, first = np.unique(key, return_index=True)
    counts = np.bincount(np.searchsorted(groups, key), minlength=len(groups))
    order = np.argsort(first, kind="stable")
    forces_of = np.asarray(force_names.to_pylist(), dtype=object)[groups[order] // len(month_names)]
    months_of = np.asarray(month_names.to_pylist(), dtype=object)[groups[order] % len(month_names)]
    return [[str(f), str(m), int(n)] for f, m, n in zip(forces_of, months_of, counts[order], strict=True)]


def ingest(
    folder: Path | str,
    geography: tuple | None = None,
    *,
    store: Path | None = None,
    writable: Callable[[Path], bool] = can_write,
    rebuild: bool = False,
) -> IngestReport:
    """Bring the store of ``folder`` up to date with its files.

    Parameters
    ----------
    folder : path
        A data folder.
    geography : (hubs, areas, lsoa), optional
        What hub assignment needs; read from the folder when not given.
    store : Path, optional
        The store's folder (default :func:`store_location`).
    writable : callable
        Says whether a folder can be written (injectable for tests).
    rebuild : bool
        Start from an empty store.

    Returns
    -------
    IngestReport
    """
    started = time.perf_counter()
    folder = Path(folder).resolve()
    store = Path(store) if store is not None else store_location(folder, writable)
    report = IngestReport(folder, store)
    with locked(store, exclusive=True):
        manifest = None
        if rebuild:
            _clear(store)
        else:
            try:
                manifest = _read_manifest(store)
                if manifest is not None:
                    _check_files(store, manifest)
            except CorruptStore as e:
                report.messages.append(f"The store at {store} was rebuilt: {e}.")
                log.warning(report.messages[-1])
                _clear(store)
                manifest = None
        report.rebuilt = manifest is None
        _update(folder, store, manifest, geography, report)
    report.seconds = time.perf_counter() - started
    return report


def _update(folder: Path, store: Path, manifest: dict | None, geography, report: IngestReport) -> None:
    old = {e["name"]: e for e in manifest["sources"]} if manifest else {}
    geo_hash = _geography_hash(folder)
    reassign = manifest is None or manifest.get("geography") != geo_hash
    sources, skipped = find_incident_sources(folder / "incidents")
    zips: dict[Path, dict[str, zipfile.ZipInfo]] = {}
    raws: dict[str, RawTable] = {}
    fresh: dict[str, tuple[pa.Array, np.ndarray]] = {}
    entries = []
    todo: list[tuple[int, IncidentSource, list[int], str]] = []
    for source in sources:
        stamp, content = _stamp(source, zips)
        before = old.get(source.name)
        if before is not None and before["stamp"] == stamp and (content is None or before["hash"] == content):
            entries.append(before)
            report.unchanged.append(source.name)
            continue
        if before is None:  # nothing to compare the hash with: it is worked out while the file is read
            entries.append({})
            todo.append((len(entries) - 1, source, stamp, content))
            continue
        content = content or hash_file(source.path)
        if before["hash"] == content:
            entries.append({**before, "stamp": stamp})
            report.unchanged.append(source.name)
            continue
        entries.append({})
        todo.append((len(entries) - 1, source, stamp, content))
    places = _known_places(store, manifest) if todo or reassign else None  # an unchanged folder reads none
    answers = Answers()
    work = lambda item: _ingest_source(store, item[1], item[2], item[3], places, answers)  # noqa: E731
    with ThreadPoolExecutor(max_workers=1) as aside:
        # Hub assignment needs the geography when anything is read: it is read while the files are.
        early = aside.submit(load_geography, folder, store) if geography is None and (reassign or todo) else None
        for (at, source, _, _), (entry, _, rows_read, ids) in _in_threads(work, todo):
            entries[at] = entry
            if ids is not None:
                fresh[source.name] = ids
            report.ingested.append(source.name)
            report.rows_read += rows_read
        if geography is None and early is not None and (places.new or reassign):
            geography = early.result()
    names = {s.name for s in sources}
    report.removed = [name for name in old if name not in names]
    new_manifest = {
        "version": STORE_VERSION,
        "folder": str(folder),
        "sources": entries,
        "skipped": [r.to_dict() for r in skipped],
        "geography": geo_hash,
        "hub_names": manifest.get("hub_names") if manifest else None,
        "districts": manifest.get("districts", []) if manifest else [],
        "places": manifest.get("places") if manifest else None,
        "repeats": manifest.get("repeats") if manifest else None,
    }
    placing = places is not None and bool(places.new or reassign)
    if placing:
        hubs, areas, lsoa = geography if geography is not None else load_geography(folder, store)
        places.assign(hubs, areas, lsoa, everything=reassign)
        report.reassigned = reassign and manifest is not None
    by_name = {s.name: s for s in sources}
    found = resupplied(store, new_manifest, lambda name: by_name[name].modified())
    held = {(e["name"], f, m): n for e in entries for f, m, n in e.get("months", [])}
    new_manifest["resupplied"] = [
        {
            "force": c.force,
            "month": c.month,
            "winner": c.winner,
            "loser": c.loser,
            "rows": held[c.loser, c.force, c.month],
        }
        for c in found
    ]
    before = manifest.get("resupplied") if manifest else None
    if report.ingested or report.removed or manifest is None or before != new_manifest["resupplied"]:
        known = manifest.get("repeats") if manifest else None
        previous = pd.read_parquet(store / known["file"]) if known else pd.DataFrame()
        months, dropped = resupplied_rows(store, new_manifest, found, raws, previous)
        repeats = find_repeats(store, new_manifest, raws, previous, fresh, dropped)
        repeats = pd.concat([months, repeats], ignore_index=True) if len(months) else repeats
        path = f"repeats-{uuid.uuid4().hex[:12]}.parquet"
        nbytes = write_parquet(store / path, pa.Table.from_pandas(repeats, preserve_index=False))
        new_manifest["repeats"] = {"file": path, "bytes": nbytes, "rows": len(repeats)}
    if placing or report.ingested or report.removed or new_manifest["repeats"] != (manifest or {}).get("repeats"):
        places = places if places is not None else _known_places(store, manifest)
        _settle(store, new_manifest, places, geography if geography is not None else load_geography(folder, store))
    repeats_n = (new_manifest.get("repeats") or {}).get("rows", 0)
    report.rows = sum(p["rows"] for e in entries for p in e["parts"]) - repeats_n
    if report.changed or new_manifest != manifest:
        write_atomic(
            store / _MANIFEST,  # compact: only the C encoder is fast, and it writes no indent
            lambda temp: temp.write_text(json.dumps(new_manifest, separators=(",", ":")), encoding="utf-8"),
        )
        _sweep(store, new_manifest)


def _known_places(store: Path, manifest: dict | None) -> Places:
    """The places the store holds (none for a new store), keyed from their Arrow columns."""
    if not manifest or not manifest.get("places"):
        return Places()
    path = store / manifest["places"]["file"]
    return Places(pd.read_parquet(path), pq.read_table(path, columns=PLACE_KEYS))


def _settle(store: Path, manifest: dict, places: Places, geography: tuple) -> None:
    """Place by what the records say (:meth:`Places.settle`), then write the places and their hubs."""
    hubs, _, lsoa = geography
    districts = places.settle(hubs, lsoa, lambda: _place_counts(store, manifest))
    listed = [] if hubs is None else list(hubs["hub"].astype("str"))
    manifest["hub_names"] = list(dict.fromkeys([*listed, *(d["hub"] for d in districts), UNASSIGNED]))
    manifest["districts"] = districts
    path = f"places-{uuid.uuid4().hex[:12]}.parquet"
    nbytes = write_parquet(store / path, pa.Table.from_pandas(places.frame, preserve_index=False))
    manifest["places"] = {"file": path, "bytes": nbytes}


def _place_counts(store: Path, manifest: dict) -> pd.Series:
    """Accepted records per place (repeats rejected across files left out), counted by DuckDB over the partitions."""
    files = [str(store / part["file"]) for entry in manifest["sources"] for part in entry["parts"]]
    if not files:
        return pd.Series(dtype="int64")
    with duckdb.connect() as con:
        counted = con.execute(
            """SELECT place_id, count(*) AS records
               FROM read_parquet(?, union_by_name = true) AS parts
               ANTI JOIN read_parquet(?) AS repeats
                 ON repeats.source_file = CAST(parts.source_file AS VARCHAR) AND repeats._pos = parts._pos
               GROUP BY place_id""",
            [files, str(store / manifest["repeats"]["file"])],
        ).df()
    return counted.set_index("place_id")["records"].astype("int64")


def load_geography(folder: Path, store: Path | None = None) -> tuple:
    """(hubs, areas, lsoa) of a folder to place records, as :func:`analysis.load.dataset.read_geography` reads them.

    With a store, each boundary file is checked once, when it is new or changed, and kept
    there (:func:`analysis.store.boundaries.prepared_boundaries`): an unchanged one is read back
    from its GeoParquet, never through GDAL again, and the LSOAs without their geometry.
    """
    from analysis.load.dataset import _hubs_from_areas, read_geography  # dataset imports this module

    if store is None:
        return read_geography(folder)
    from analysis.load.tables import load_table
    from analysis.store.boundaries import prepared_boundaries  # it imports this module

    areas, lsoa = prepared_boundaries(folder, store)
    hubs, _ = load_table(folder, "hubs.csv")
    if hubs is None and areas is not None:
        hubs = _hubs_from_areas(areas)
    return hubs, areas, lsoa


@contextlib.contextmanager
def open_store(store: Path) -> Iterator[dict]:
    """The manifest of a store, with a shared lock held while the caller reads its files."""
    with locked(store, exclusive=False):
        manifest = _read_manifest(store)
        if manifest is None:
            raise CorruptStore("it has no manifest")
        yield manifest
