"""One data folder, loaded whole: incidents placed in hubs, every other file, and the reports.

``load_dataset`` is the one entry point the pages and the command line share. The
app caches it on :func:`fingerprint`, which changes whenever a file is added,
removed or modified.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.errors import DataProblem
from analysis.load.coverage import Coverage, compute_coverage
from analysis.load.geo import load_boundaries
from analysis.load.hubs import assign_hubs, hubs_from_lsoa_names
from analysis.load.incidents import force_slug, incident_forces, load_incidents
from analysis.load.records import FrameRecords, Records
from analysis.load.report import FileReport
from analysis.load.tables import load_table
from analysis.schema import ABOUT_FILE, REQUIRED_COLUMNS, UNASSIGNED
from analysis.store.ingest import STORE_DIR_NAME, store_enabled
from analysis.store.read import load_stored_incidents

__all__ = ["DATA_DIR_ENV", "Dataset", "default_data_dir", "fingerprint", "load_dataset", "read_geography"]

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
        Typed police.uk records with ``hub``, ``area_code`` and ``assigned_by``.
    hubs : pandas.DataFrame
        Always present: from hubs.csv, or one hub per area when hubs.csv is absent.
    tables : dict
        The optional CSVs that loaded (``resourcing.csv`` ...), typed.
    areas, lsoa : GeoDataFrame or None
    reports : list of FileReport
    """

    folder: Path
    about: dict
    incidents: pd.DataFrame
    hubs: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    areas: gpd.GeoDataFrame | None = None
    lsoa: gpd.GeoDataFrame | None = None
    reports: list[FileReport] = field(default_factory=list)
    #: What identified the folder's content when it was loaded: a hashable cache key.
    fingerprint: tuple = ()
    #: Which months were supplied, for crime and ASB, force-wide and per hub.
    coverage: Coverage = field(default_factory=lambda: compute_coverage(pd.DataFrame()))
    #: Where the hubs came from: hubs.csv, the areas, or the districts in the LSOA names.
    hubs_source: str = "hubs.csv"
    #: How messages name the folder; None names it by its folder name (a public site says "the data folder").
    folder_label: str | None = None
    #: The force of each incident (aligned with ``incidents``): from its file's police.uk name, else ``Falls within``.
    incident_forces: pd.Series | None = None
    #: The folder's forces, as police.uk's file names write them (``cumbria``), with their names as the files give them.
    force_names: dict[str, str] = field(default_factory=dict)
    #: The force of each hub (None for a hub no force can be told for: it is listed under every force).
    hub_forces: dict[str, str | None] = field(default_factory=dict)
    #: The one force this dataset was cut down to (:meth:`for_force`), None for the whole folder.
    force: str | None = None
    #: The accepted records, asked for as counts (:mod:`analysis.load.records`): what measures read.
    records: Records | None = None

    def __post_init__(self) -> None:
        if self.records is None and self.incidents is not None:
            self.records = FrameRecords(self.incidents, self.incident_forces)

    @property
    def forces(self) -> list[str]:
        """The folder's forces (several when it holds several forces' files), in order of their names."""
        return list(self.force_names)

    def for_force(self, force: str | None) -> Dataset:
        """The folder as one force sees it: its records, its hubs, its own coverage (None: the whole folder).

        Reports, tables and boundaries stay those of the folder; the fingerprint gains the force, so
        caches keyed on it keep each force's results apart.
        """
        if force is None or self.incident_forces is None or force not in self.force_names:
            return self
        keep = (self.incident_forces == force).to_numpy()
        incidents = self.incidents.loc[keep]
        used = set(incidents["hub"].astype("str"))
        names = [h for h in self.hubs["hub"].astype("str") if self.hub_forces.get(h) in (force, None) or h in used]
        hubs = self.hubs.loc[self.hubs["hub"].astype("str").isin(names)].reset_index(drop=True)
        incidents = incidents.assign(
            hub=incidents["hub"].cat.set_categories(list(dict.fromkeys([*names, UNASSIGNED])))
        ).reset_index(drop=True)
        return dataclasses.replace(
            self,
            incidents=incidents,
            hubs=hubs,
            fingerprint=(*self.fingerprint, ("force", force)),
            coverage=compute_coverage(incidents, names),
            incident_forces=self.incident_forces.loc[keep].reset_index(drop=True),
            force=force,
            records=None,
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
            present = self.areas is not None
        elif kind == "lsoa.geojson":
            present = self.lsoa is not None
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

    @property
    def hub_names(self) -> list[str]:
        """Hubs in file order, then Unassigned when any incident is unassigned."""
        names = list(self.hubs["hub"])
        if (self.incidents["hub"] == UNASSIGNED).any():
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


def _hubs_from_areas(areas: gpd.GeoDataFrame | None) -> pd.DataFrame:
    """Without hubs.csv, each area is its own hub, named after the area."""
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


def read_geography(folder: Path) -> tuple[pd.DataFrame, gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """What hub assignment needs from a data folder: (hubs, areas, lsoa)."""
    areas, _ = load_boundaries(folder, "areas.geojson")
    lsoa, _ = load_boundaries(folder, "lsoa.geojson")
    hubs, _ = load_table(folder, "hubs.csv")
    return (_hubs_from_areas(areas) if hubs is None else hubs), areas, lsoa


def _use_store(store: bool | None) -> bool:
    return store_enabled() if store is None else store


def load_dataset(folder: Path | str, store: bool | None = None) -> Dataset:
    """Load a whole data folder.

    Parameters
    ----------
    folder : path
        A folder laid out as the data contract describes.
    store : bool, optional
        Read incidents through the Parquet store (ingesting what is new first), or in
        memory from the files. Default: in memory, unless ``LOCAL_FOCUS_STORE=on``.
        Both give the same Dataset.

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
    areas, areas_report = load_boundaries(folder, "areas.geojson")
    lsoa, lsoa_report = load_boundaries(folder, "lsoa.geojson")
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
        hubs, hubs_source = _hubs_from_areas(areas), "one hub per area of areas.geojson (no hubs.csv)"
    use_store = _use_store(store)
    if use_store:
        incidents, incident_reports = load_stored_incidents(
            folder, (_hubs_from_areas(None) if hubs is None else hubs, areas, lsoa)
        )
    else:
        incidents, incident_reports = load_incidents(folder / "incidents")
    forces = incident_forces(incidents)
    several = len(forces.cat.categories) > 1
    if hubs is None:
        # No hubs.csv and no boundaries (another force): its districts, named in the LSOA names, are its hubs.
        hubs = hubs_from_lsoa_names(incidents) if len(incidents) and not several else _hubs_from_areas(None)
        hubs_source = "districts named in the LSOA names (no hubs.csv, no areas.geojson)"
        incidents = assign_hubs(incidents, hubs, areas, lsoa)
    elif not use_store:
        incidents = assign_hubs(incidents, hubs, areas, lsoa)
    hubs, incidents, hub_forces = _hubs_of_forces(hubs, incidents, forces)
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
    reports = incident_reports + reports
    coverage = compute_coverage(incidents, [str(h) for h in hubs["hub"]])
    return Dataset(
        folder.resolve(),
        _read_about(folder),
        incidents,
        hubs,
        tables,
        areas,
        lsoa,
        reports,
        key,
        coverage,
        hubs_source,
        incident_forces=forces,
        force_names=_force_names(incidents, forces),
        hub_forces=hub_forces,
    )


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
    listed = {}
    if "force" in hubs.columns:
        given = hubs["force"].astype("object").fillna("").astype("str")
        listed = {h: force_slug(f) for h, f in zip(names, given, strict=True) if f.strip()}
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
