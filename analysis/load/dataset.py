"""One data folder, loaded whole: incidents placed in hubs, every other file, and the reports.

``load_dataset`` is the one entry point the pages and the command line share. The
app caches it on :func:`fingerprint`, which changes whenever a file is added,
removed or modified.

Read through the store (the default), a dataset holds no record: its ``records`` are counted
by DuckDB over the Parquet files, and its coverage, hubs and forces come from those counts.
Its ``incidents`` are read from the store only when some code asks for them, once; each such
read is logged and counted (:func:`rows_read`), so a test can show that no page or command
needs them.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from analysis.errors import DataProblem
from analysis.load.coverage import Coverage, compute_coverage, coverage_from_counts
from analysis.load.force_names import incident_forces
from analysis.load.geo import load_boundaries
from analysis.load.hubs import assign_hubs, district_hubs, forces_listed, hubs_from_lsoa_names
from analysis.load.incidents import load_incidents
from analysis.load.records import FrameRecords, Records, StoreRecords, Where
from analysis.load.report import FileReport
from analysis.load.tables import load_table
from analysis.schema import ABOUT_FILE, REQUIRED_COLUMNS, UNASSIGNED
from analysis.store.boundaries import BOUNDARY_FILES, LazyBoundaries, boundary_summaries
from analysis.store.location import STORE_DIR_NAME, store_enabled, store_location
from analysis.store.read import open_stored, read_rows

if TYPE_CHECKING:  # geopandas is imported where geometry is read, not by every start
    import geopandas as gpd

__all__ = [
    "DATA_DIR_ENV",
    "Dataset",
    "default_data_dir",
    "fingerprint",
    "load_dataset",
    "read_geography",
    "rows_read",
]

log = logging.getLogger(__name__)

#: How many times a store-backed dataset's rows were read into memory, in this process.
_ROWS_READ = {"count": 0}


def rows_read() -> int:
    """How many times, in this process, a store-backed dataset had to read its rows (none, when every reader counts)."""
    return _ROWS_READ["count"]


@dataclass(frozen=True)
class _StoredRows:
    """Reads a store's rows when a dataset is first asked for them (a plain object: datasets stay picklable)."""

    store: Path
    #: (hubs, areas, lsoa); the boundaries may be :class:`LazyBoundaries`, read only for a store without records.
    geography: tuple

    def __call__(self) -> tuple[pd.DataFrame, pd.Series]:
        _ROWS_READ["count"] += 1
        log.info("The rows of the store at %s were read into memory (a measure asked for rows).", self.store)
        hubs, areas, lsoa = self.geography
        rows = read_rows(self.store, (hubs, _geometry(areas), _geometry(lsoa)))
        return rows, incident_forces(rows)


@dataclass(frozen=True)
class _ForceRows:
    """One force's rows, cut from the whole folder's when first asked for."""

    parent: Dataset
    force: str
    hubs: tuple[str, ...]

    def __call__(self) -> tuple[pd.DataFrame, pd.Series]:
        return _cut(self.parent.incidents, self.parent.incident_forces, self.force, list(self.hubs))


def _cut(incidents: pd.DataFrame, forces: pd.Series, force: str, hubs: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    keep = (forces == force).to_numpy()
    chosen = incidents.loc[keep]
    chosen = chosen.assign(hub=chosen["hub"].cat.set_categories(list(dict.fromkeys([*hubs, UNASSIGNED])))).reset_index(
        drop=True
    )
    return chosen, forces.loc[keep].reset_index(drop=True)


#: The environment variable that points the app at another data folder.
DATA_DIR_ENV = "LOCAL_FOCUS_DATA"

#: What to tell a user when an optional file is absent.
HOW_TO_ADD: dict[str, str] = {
    "hubs.csv": "Add hubs.csv (hub, region, station, area_code, launched) to the data folder.",
    "areas.geojson": "Add areas.geojson: hub-area polygons with an area_code property (ONS LAD boundaries work).",
    "lsoa.geojson": "Add lsoa.geojson (ONS LSOA boundaries) for the LSOA drill-down.",
    "population.csv": "Add population.csv (area_code, year, population) to see rates per 1,000 residents.",
    "resourcing.csv": (
        "Deployment is not public: add resourcing.csv (week, hub, role, funding, fte, visible_patrol_hours) "
        "from the force's duty system, or upload it on the Data page."
    ),
    "operations.csv": "Add operations.csv (name, hub, start, end, focus) to mark operations on timelines.",
    "cases.csv": "Multi-agency case data is not public: add cases.csv from the hub case log.",
    "workforce.csv": "Add workforce.csv (as_at_date, worker_type, fte, source) from the Home Office workforce tables.",
    "pledges.csv": "Add pledges.csv (pledge, worker_type, target, kind, from_date, source).",
}


def default_data_dir() -> Path:
    """The folder named by ``LOCAL_FOCUS_DATA``, else the bundled sample."""
    configured = os.environ.get(DATA_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    return (Path(__file__).resolve().parents[2] / "data" / "sample").resolve()


def fingerprint(folder: Path | str) -> tuple:
    """What identifies the folder's content: every file's path, size and modification time (the store aside)."""
    folder = Path(folder)
    if not folder.is_dir():
        return (str(folder), "missing")
    entries = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and STORE_DIR_NAME not in path.relative_to(folder).parts:
            stat = path.stat()
            entries.append((path.relative_to(folder).as_posix(), stat.st_size, stat.st_mtime_ns))
    return (str(folder), tuple(entries))


@dataclass
class Dataset:
    """Everything read from one data folder.

    Attributes
    ----------
    folder : Path
    about : dict
        From ``about.json``; ``{"generated": true}`` marks a generated sample.
    incidents : pandas.DataFrame
        Typed police.uk records with ``hub``, ``area_code`` and ``assigned_by``; a store-backed
        dataset reads them only when first asked (measures ask ``records`` instead).
    hubs : pandas.DataFrame
        Always present: from hubs.csv, or one hub per area when hubs.csv is absent (or the
        districts named in the LSOA names, when there are no boundaries either).
    tables : dict
        The optional CSVs that loaded (``resourcing.csv`` ...), typed.
    areas, lsoa : GeoDataFrame or None
        Read when first asked for, in a store-backed dataset (geopandas is a heavy import).
    reports : list of FileReport
    """

    folder: Path
    about: dict
    #: The rows, when held (None for a store-backed dataset until some code asks for ``incidents``).
    _rows: pd.DataFrame | None
    hubs: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: The boundaries (see :attr:`areas`, :attr:`lsoa`): frames, or files read when first asked for; None when unusable.
    _areas: gpd.GeoDataFrame | LazyBoundaries | None = None
    _lsoa: gpd.GeoDataFrame | LazyBoundaries | None = None
    reports: list[FileReport] = field(default_factory=list)
    #: What identified the folder's content when it was loaded: a hashable cache key.
    fingerprint: tuple = ()
    #: Which months were supplied, for crime and ASB, force-wide and per hub.
    coverage: Coverage = field(default_factory=lambda: compute_coverage(pd.DataFrame()))
    #: Where the hubs came from: hubs.csv, the areas, or the districts in the LSOA names.
    hubs_source: str = "hubs.csv"
    #: How messages name the folder; None names it by its folder name (a public site says "the data folder").
    folder_label: str | None = None
    #: The force of each row of ``_rows`` (see :attr:`incident_forces`).
    _row_forces: pd.Series | None = None
    #: The folder's forces, as police.uk's file names write them (``cumbria``), with their names as the files give them.
    force_names: dict[str, str] = field(default_factory=dict)
    #: The force of each hub (None for a hub no force can be told for: it is listed under every force).
    hub_forces: dict[str, str | None] = field(default_factory=dict)
    #: The one force this dataset was cut down to (:meth:`for_force`), None for the whole folder.
    force: str | None = None
    #: The accepted records, asked for as counts (:mod:`analysis.load.records`): what measures read.
    records: Records | None = None
    #: Reads the rows when they are not held: ``() -> (incidents, incident_forces)``.
    read_rows: object = None

    def __post_init__(self) -> None:
        if self.records is None and self._rows is not None:
            self.records = FrameRecords(self._rows, self._row_forces)

    @property
    def areas(self) -> gpd.GeoDataFrame | None:
        """Hub-area polygons (``area_code``, ``area_name``) in WGS84; None when areas.geojson is absent or unusable."""
        return _geometry(self._areas)

    @property
    def lsoa(self) -> gpd.GeoDataFrame | None:
        """LSOA polygons (``lsoa_code``, ``area_code`` ...) in WGS84; None when lsoa.geojson is absent or unusable."""
        return _geometry(self._lsoa)

    @property
    def incidents(self) -> pd.DataFrame:
        """Typed police.uk records with ``hub``, ``area_code`` and ``assigned_by`` (from the store when first asked)."""
        if self._rows is None and self.read_rows is not None:
            self._rows, self._row_forces = self.read_rows()
        return self._rows

    @property
    def incident_forces(self) -> pd.Series | None:
        """The force of each incident (aligned with ``incidents``): its file's police.uk name, else ``Falls within``."""
        if self._rows is None and self.read_rows is not None:
            self.incidents  # noqa: B018  (reads the rows and their forces together)
        return self._row_forces

    @property
    def forces(self) -> list[str]:
        """The folder's forces (several when it holds several forces' files), in order of their names."""
        return list(self.force_names)

    def for_force(self, force: str | None) -> Dataset:
        """The folder as one force sees it: its records, its hubs, its own coverage (None: the whole folder).

        Reports, tables and boundaries stay those of the folder; the fingerprint gains the force, so
        caches keyed on it keep each force's results apart.
        """
        if force is None or force not in self.force_names or self.records is None:
            return self
        records = self.records.for_forces((force,))
        used = set(records.count(["hub"])["hub"])
        names = [h for h in self.hubs["hub"].astype("str") if self.hub_forces.get(h) in (force, None) or h in used]
        hubs = self.hubs.loc[self.hubs["hub"].astype("str").isin(names)].reset_index(drop=True)
        rows, forces, read = None, None, _ForceRows(self, force, tuple(names))
        if self._rows is not None:
            rows, forces = _cut(self._rows, self._row_forces, force, names)
            records, read = FrameRecords(rows, forces), None
        return dataclasses.replace(
            self,
            _rows=rows,
            _row_forces=forces,
            hubs=hubs,
            fingerprint=(*self.fingerprint, ("force", force)),
            coverage=coverage_from_counts(records.count(["hub", "month", "is_asb"]), names),
            force=force,
            records=records,
            read_rows=read,
        )

    @property
    def is_generated(self) -> bool:
        """True for generated (not real) data."""
        return bool(self.about.get("generated", False))

    def table(self, kind: str) -> pd.DataFrame | None:
        """An optional table, or None when it is absent or unusable."""
        return self.tables.get(kind)

    def missing(self, kind: str) -> str | None:
        """None when ``kind`` loaded; else a sentence saying what is missing and how to add it."""
        if kind == "areas.geojson":
            present = self._areas is not None
        elif kind == "lsoa.geojson":
            present = self._lsoa is not None
        else:
            present = kind in self.tables
        if present:
            return None
        problem = next((r.problem for r in self.reports if r.kind == kind and r.problem), None)
        if problem:
            return f"{problem} {HOW_TO_ADD.get(kind, '')}".strip()
        return f"No {kind} in {self.folder_label or self.folder.name}. {HOW_TO_ADD.get(kind, '')}".strip()

    @property
    def usable(self) -> bool:
        """True when every file present can be used (rows may still be rejected)."""
        return all(r.usable for r in self.reports)

    @property
    def months(self) -> pd.PeriodIndex:
        """Every month from the first to the last in the incidents (gaps included: see ``coverage``)."""
        return self.coverage.span

    @cached_property
    def _any_unassigned(self) -> bool:
        return self.records is not None and self.records.total(Where(hubs=(UNASSIGNED,))) > 0

    @property
    def hub_names(self) -> list[str]:
        """Hubs in file order, then Unassigned when any incident is unassigned."""
        names = list(self.hubs["hub"])
        if self._any_unassigned:
            names.append(UNASSIGNED)
        return names


def _read_about(folder: Path) -> dict:
    path = folder / ABOUT_FILE
    if not path.is_file():
        return {}
    try:
        about = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return about if isinstance(about, dict) else {}


def _geometry(boundaries: gpd.GeoDataFrame | LazyBoundaries | None) -> gpd.GeoDataFrame | None:
    return boundaries.frame() if isinstance(boundaries, LazyBoundaries) else boundaries


def _hubs_from_areas(areas: pd.DataFrame | None) -> pd.DataFrame:
    """Without hubs.csv, each area is its own hub, named after the area (``areas``: its codes and names)."""
    columns = list(REQUIRED_COLUMNS["hubs.csv"])
    if areas is None:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in columns}).assign(
            launched=pd.Series(dtype="datetime64[us]")
        )
    names = areas["area_name"] if "area_name" in areas.columns else areas["area_code"]
    return pd.DataFrame(
        {
            "hub": names.astype("str").to_numpy(),
            "region": "",
            "station": "",
            "area_code": areas["area_code"].astype("str").to_numpy(),
            "launched": pd.Series(pd.NaT, index=range(len(areas)), dtype="datetime64[us]"),
        }
    )


def read_geography(folder: Path) -> tuple[pd.DataFrame | None, gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """What hub assignment needs from a data folder: (hubs, areas, lsoa); hubs None without hubs.csv and areas."""
    areas, _ = load_boundaries(folder, "areas.geojson")
    lsoa, _ = load_boundaries(folder, "lsoa.geojson")
    hubs, _ = load_table(folder, "hubs.csv")
    if hubs is None and areas is not None:
        hubs = _hubs_from_areas(areas)
    return hubs, areas, lsoa


def _use_store(store: bool | None) -> bool:
    return store_enabled() if store is None else store


def load_dataset(folder: Path | str, store: bool | None = None) -> Dataset:
    """Load a whole data folder.

    Parameters
    ----------
    folder : path
        A folder laid out as the data contract describes.
    store : bool, optional
        Read incidents through the Parquet store (ingesting what is new first), holding
        no row, or in memory from the files. Default: the store, unless ``LOCAL_FOCUS_STORE=off``.
        Both give the same figures.

    Returns
    -------
    Dataset

    Raises
    ------
    DataProblem
        When ``folder`` is not a folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataProblem(f"The data folder {folder} does not exist: set {DATA_DIR_ENV} to a folder of data.")
    key = fingerprint(folder)
    in_store = _use_store(store)
    (areas, area_names, areas_report), (lsoa, _, lsoa_report) = _boundaries(folder, in_store)
    tables: dict[str, pd.DataFrame] = {}
    reports: list[FileReport] = []
    # hubs.csv first: resourcing rows naming a hub it does not list are rejected with that reason.
    listed, hubs_report = load_table(folder, "hubs.csv")
    known = None if listed is None else frozenset(listed["hub"].astype("str"))
    for kind in REQUIRED_COLUMNS:
        table, report = (listed, hubs_report) if kind == "hubs.csv" else load_table(folder, kind, hubs=known)
        if report is not None:
            reports.append(report)
        if table is not None:
            tables[kind] = table
    reports += [r for r in (areas_report, lsoa_report) if r is not None]
    hubs = tables.pop("hubs.csv", None)
    hubs_source = "hubs.csv"
    if hubs is not None:
        tables["hubs.csv"] = hubs
    elif areas is not None:
        hubs, hubs_source = _hubs_from_areas(area_names), "one hub per area of areas.geojson (no hubs.csv)"
    if not in_store:
        return _in_memory(folder, hubs, hubs_source, areas, lsoa, reports, tables, key)
    # No geography given: the ingest reads it (as read_geography does) only when it has rows to place.
    stored = open_stored(folder, None)
    try:  # the first count reads every partition's footer: a part damaged in place fails here
        records = StoreRecords(stored.store)
        by_force = records.count(["force", "falls_within"])
    except duckdb.Error as e:
        log.warning("The store at %s was rebuilt: a file of it could not be read (%s).", stored.store, type(e).__name__)
        stored = open_stored(folder, None, rebuild=True)
        records = StoreRecords(stored.store)
        by_force = records.count(["force", "falls_within"])
    if hubs is None:
        hubs_source = "districts named in the LSOA names (no hubs.csv, no areas.geojson)"
    districts = district_hubs([d["hub"] for d in stored.districts])
    hubs = districts if hubs is None else pd.concat([hubs, districts], ignore_index=True) if len(districts) else hubs
    forces = sorted(set(by_force["force"]))
    hub_counts = records.count(["hub", "force"]) if len(forces) > 1 else None
    listed = {d["hub"]: d["force"] for d in stored.districts if len(forces) > 1}
    names = [str(h) for h in hubs["hub"]]
    return Dataset(
        folder.resolve(),
        _read_about(folder),
        None,
        hubs,
        tables,
        areas,
        lsoa,
        _with_incident_reports(stored.reports, reports),
        key,
        coverage_from_counts(records.count(["hub", "month", "is_asb"]), names),
        hubs_source,
        force_names=_force_names_from_counts(by_force, forces),
        hub_forces=_hub_forces_from_counts(hubs, forces, hub_counts, listed),
        records=records,
        read_rows=_StoredRows(stored.store, (hubs, areas, lsoa)),
    )


def _boundaries(folder: Path, in_store: bool) -> list[tuple]:
    """(boundaries, their codes and names, report) of areas.geojson and of lsoa.geojson.

    Read through the store, the boundaries are :class:`LazyBoundaries` (None when unusable), and the
    codes, names and reports come from the store's summaries: a start imports no geopandas.
    """
    if not in_store:
        return [(frame, frame, report) for frame, report in (load_boundaries(folder, k) for k in BOUNDARY_FILES)]
    summaries = boundary_summaries(folder, store_location(folder))
    return [
        (LazyBoundaries(folder, kind, s.geometry) if s.usable else None, s.names if s.usable else None, s.report)
        for kind, s in summaries.items()
    ]


def _with_incident_reports(incident_reports: list[FileReport], reports: list[FileReport]) -> list[FileReport]:
    """The incident files' reports first (or one saying there are none), then the other files'."""
    if not incident_reports:
        incident_reports = [
            FileReport(
                "incidents/",
                "incidents",
                problem=(
                    "No police.uk street-level files found under incidents/: add the monthly CSVs or the police.uk zip."
                ),
            )
        ]
    return incident_reports + reports


def _in_memory(folder, hubs, hubs_source, areas, lsoa, reports, tables, key) -> Dataset:
    """The dataset from the files, every row held (``LOCAL_FOCUS_STORE=off``)."""
    incidents, incident_reports = load_incidents(folder / "incidents")
    forces = incident_forces(incidents)
    several = len(forces.cat.categories) > 1
    if hubs is None:
        # No hubs.csv and no boundaries (another force): its districts, named in the LSOA names, are its hubs.
        hubs = hubs_from_lsoa_names(incidents) if len(incidents) and not several else _hubs_from_areas(None)
        hubs_source = "districts named in the LSOA names (no hubs.csv, no areas.geojson)"
    incidents = assign_hubs(incidents, hubs, areas, lsoa)
    hubs, incidents, hub_forces = _hubs_of_forces(hubs, incidents, forces)
    coverage = compute_coverage(incidents, [str(h) for h in hubs["hub"]])
    return Dataset(
        folder.resolve(),
        _read_about(folder),
        incidents,
        hubs,
        tables,
        areas,
        lsoa,
        _with_incident_reports(incident_reports, reports),
        key,
        coverage,
        hubs_source,
        _row_forces=forces,
        force_names=_force_names(incidents, forces),
        hub_forces=hub_forces,
    )


def _force_names_from_counts(by_force: pd.DataFrame, forces: list[str]) -> dict[str, str]:
    """:func:`_force_names` from records counted per force and ``Falls within``."""
    named = by_force.loc[by_force["falls_within"].str.strip() != ""]
    named = named.sort_values("records", ascending=False, kind="stable")
    common = named.drop_duplicates("force").set_index("force")["falls_within"]
    names = {f: str(common.get(f, f)).strip() for f in forces}
    return dict(sorted(names.items(), key=lambda item: item[1].casefold()))


def _hub_forces_from_counts(
    hubs: pd.DataFrame, forces: list[str], counts: pd.DataFrame | None, districts: dict[str, str]
) -> dict[str, str | None]:
    """:func:`_hubs_of_forces`'s force of each hub, from records counted per hub and force."""
    names = hubs["hub"].astype("str")
    listed = forces_listed(hubs)
    if len(forces) < 2:
        return {h: listed.get(h, forces[0] if forces else None) for h in names}
    table = counts.pivot_table(index="hub", columns="force", values="records", aggfunc="sum", fill_value=0)
    hub_forces: dict[str, str | None] = {}
    for hub in names:
        if hub in districts:
            hub_forces[hub] = districts[hub]
        elif hub in listed:
            hub_forces[hub] = listed[hub]
        else:
            hub_forces[hub] = str(table.loc[hub].idxmax()) if hub in table.index else None
    return hub_forces


def _force_names(incidents: pd.DataFrame, forces: pd.Series) -> dict[str, str]:
    """Each force's name as most of its records' ``Falls within`` give it, forces in order of their names."""
    if incidents.empty:
        return {}
    named = pd.DataFrame({"force": forces.astype("str").to_numpy(), "name": incidents["falls_within"].astype("str")})
    named = named.loc[named["name"].str.strip() != ""]
    common = named.groupby("force")["name"].agg(lambda s: s.value_counts().index[0]) if len(named) else pd.Series()
    names = {f: str(common.get(f, f)).strip() for f in forces.cat.categories}
    return dict(sorted(names.items(), key=lambda item: item[1].casefold()))


def _hubs_of_forces(
    hubs: pd.DataFrame, incidents: pd.DataFrame, forces: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str | None]]:
    """The force of each hub; in a folder of several forces, districts as hubs for a force without any.

    A hub's force is hubs.csv's ``force`` column where it gives one, else the force most of the
    hub's records come from. In a folder of several forces, a force no hub belongs to is grouped
    by district (:func:`analysis.hubs.hubs_from_lsoa_names` over its own records): its records not
    placed in a hub are placed in its districts by their LSOA names. One force: nothing changes.
    """
    names = hubs["hub"].astype("str")
    listed = forces_listed(hubs)
    categories = list(forces.cat.categories)
    if len(categories) < 2:  # one force (or none): every hub not listed otherwise is its
        return hubs, incidents, {h: listed.get(h, categories[0] if categories else None) for h in names}
    hub_forces: dict[str, str | None] = {h: listed.get(h) for h in names}
    counts = pd.crosstab(incidents["hub"].astype("str").to_numpy(), forces.astype("str").to_numpy())
    for hub in names:
        if hub_forces[hub] is None and hub in counts.index:
            hub_forces[hub] = str(counts.loc[hub].idxmax())
    for force in categories:
        if force in hub_forces.values():
            continue
        own = (forces == force).to_numpy()
        districts = hubs_from_lsoa_names(incidents.loc[own])
        districts = districts.loc[~districts["hub"].isin(list(hub_forces))].reset_index(drop=True)
        if districts.empty:
            continue
        todo = own & (incidents["hub"] == UNASSIGNED).to_numpy()
        placed = assign_hubs(incidents.loc[todo], districts)
        placed = placed.loc[placed["hub"] != UNASSIGNED]
        hub_forces |= dict.fromkeys(districts["hub"].astype("str"), force)
        hubs = pd.concat([hubs, districts], ignore_index=True)
        hub_names = list(dict.fromkeys([*hubs["hub"].astype("str"), UNASSIGNED]))
        area = incidents["area_code"].astype("object")
        area.loc[placed.index] = placed["area_code"].astype("object")
        hub = incidents["hub"].astype("object")
        hub.loc[placed.index] = placed["hub"].astype("object")
        by = incidents["assigned_by"].astype("object")
        by.loc[placed.index] = placed["assigned_by"].astype("object")
        incidents = incidents.assign(
            area_code=area.astype("category"),
            hub=pd.Categorical(hub, categories=hub_names),
            assigned_by=pd.Categorical(by, categories=incidents["assigned_by"].cat.categories),
        )
    return hubs, incidents, hub_forces
