"""Fetch a force's months from the police.uk API into a data folder, as the street CSVs a download gives.

For each month police.uk holds (``crimes-street-dates``), street-level crimes and ASB are
asked for by polygon, one per hub area of ``areas.geojson`` (with its LSOAs, and a small
margin so points snapped just outside a simplified outline are not missed; the force's
neighbourhood boundaries where the folder has no areas); a polygon police.uk refuses for
holding too many crimes is split in halves until it answers. Crimes without a place come
from ``crimes-no-location``. Records seen twice across polygons are kept once (by ``id``).

Each month is written whole (a temporary file, then a rename), so an interrupted fetch
leaves whole months only and the same command carries on where it stopped.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from tqdm import tqdm

from analysis.errors import DataProblem
from analysis.fetch.monthfiles import (
    check_force_id,
    month_file,
    month_range,
    months_present,
    parse_month,
    read_month_file,
    write_month,
)
from analysis.fetch.police_api import NotPublished, PoliceAPI, TooManyCrimes, poly_text
from analysis.load.geo import load_boundaries
from analysis.schema import POLICE_UK_COLUMNS

if TYPE_CHECKING:  # geopandas and shapely are imported by the fetch itself: the app imports this module at start
    import geopandas as gpd
    from shapely.geometry import Polygon

__all__ = [
    "CATEGORY_NAMES",
    "Changes",
    "FetchSummary",
    "MonthResult",
    "add_fetch_arguments",
    "compare_months",
    "fetch",
    "fetch_command",
    "query_polygons",
    "records_to_rows",
    "split_polygon",
]

#: police.uk API category slugs to the names its CSVs use.
CATEGORY_NAMES: dict[str, str] = {
    "anti-social-behaviour": "Anti-social behaviour",
    "bicycle-theft": "Bicycle theft",
    "burglary": "Burglary",
    "criminal-damage-arson": "Criminal damage and arson",
    "drugs": "Drugs",
    "other-crime": "Other crime",
    "other-theft": "Other theft",
    "possession-of-weapons": "Possession of weapons",
    "public-order": "Public order",
    "robbery": "Robbery",
    "shoplifting": "Shoplifting",
    "theft-from-the-person": "Theft from the person",
    "vehicle-crime": "Vehicle crime",
    "violent-crime": "Violence and sexual offences",
}
#: Metres added around each area: police.uk snaps points to map points, some just off a simplified outline.
MARGIN_M = 150.0
#: Metres the query polygons are simplified by (a shorter request; still covers MARGIN_M - SIMPLIFY_M).
SIMPLIFY_M = 50.0
#: How far (metres) a point outside every LSOA may be from one and still take its code.
LSOA_TOLERANCE_M = MARGIN_M - SIMPLIFY_M
#: Halvings of a refused polygon before giving up (2**8 pieces).
MAX_SPLIT_DEPTH = 8
#: How many recent months ``--update`` fetches again (police.uk re-supplies their outcomes).
REFETCH_MONTHS = 3
_GRID = 27700  # British National Grid: metres

#: (months done, months in all, what is happening) -> None
Progress = Callable[[float, int, str], None]


@dataclass
class Changes:
    """What a re-fetch changed in a month."""

    added: int = 0
    removed: int = 0
    outcome_changed: int = 0

    def __str__(self) -> str:
        if not (self.added or self.removed or self.outcome_changed):
            return "no change"
        return f"{self.added:,} records added, {self.removed:,} removed, {self.outcome_changed:,} outcomes changed"


@dataclass
class MonthResult:
    """One month of a fetch: ``fetched``, ``replaced``, ``kept`` or ``not supplied``."""

    month: str
    status: str
    records: int = 0
    no_location: int = 0
    note: str = ""
    changes: Changes | None = None


@dataclass
class FetchSummary:
    """What a fetch did, month by month."""

    folder: str
    force: str
    force_name: str
    source: str
    months: list[MonthResult] = field(default_factory=list)
    #: Notes about the whole run (such as archive entries refused).
    notes: list[str] = field(default_factory=list)

    def _with(self, *statuses: str) -> list[MonthResult]:
        return [m for m in self.months if m.status in statuses]

    @property
    def records(self) -> int:
        """Records written by this fetch."""
        return sum(m.records for m in self._with("fetched", "replaced"))

    def lines(self) -> list[str]:
        """The plain summary: months fetched, records, months police.uk does not have."""
        written = self._with("fetched", "replaced")
        lines = [
            f"Fetched {len(written)} month(s) of police.uk street-level data for {self.force_name} "
            f"into {self.folder} from {self.source}: {self.records:,} records"
            + (f" ({sum(m.no_location for m in written):,} without a place)." if written else ".")
        ]
        if written:
            lines.append(f"Months written: {_month_list([m.month for m in written])}.")
        kept = self._with("kept")
        if kept:
            lines.append(
                f"Kept {len(kept)} month(s) already in the folder: {_month_list([m.month for m in kept])}"
                " (--replace fetches them again)."
            )
        missing = self._with("not supplied")
        if missing:
            lines.append(
                f"police.uk does not have {len(missing)} month(s) for {self.force}: "
                f"{_month_list([m.month for m in missing])} (not supplied: a gap, not zero)."
            )
        lines += [f"{m.month}: {m.note}" for m in self.months if m.note]
        lines += [f"{m.month} fetched again: {m.changes}." for m in self.months if m.changes is not None]
        lines += self.notes
        return lines

    def to_dict(self) -> dict:
        """JSON-ready."""
        return asdict(self) | {"records": self.records}


def _month_list(months: list[str]) -> str:
    return ", ".join(months) if len(months) <= 6 else f"{months[0]} to {months[-1]}, {len(months)} months"


# -- polygons ---------------------------------------------------------------------------------


def _polygons(geometry) -> list[Polygon]:
    """The polygons of a geometry, outer rings only (police.uk's poly cannot hold a hole)."""
    import shapely
    from shapely.geometry import Polygon

    parts = shapely.get_parts(geometry)
    return [Polygon(p.exterior) for p in parts if isinstance(p, Polygon) and not p.is_empty]


def query_polygons(folder: Path, api: PoliceAPI | None = None, force: str | None = None) -> tuple[list[Polygon], str]:
    """The polygons to ask police.uk for, in WGS84, and where they come from.

    Each hub area of ``areas.geojson``, joined with its LSOAs of ``lsoa.geojson`` (the
    LSOA outline is often finer on coasts), widened by :data:`MARGIN_M` and simplified.
    Without areas: the LSOAs; without either, the force's neighbourhood boundaries.

    Raises
    ------
    DataProblem
        When there is nothing to ask by.
    """
    import geopandas as gpd
    from shapely.geometry import Polygon

    areas, _ = load_boundaries(folder, "areas.geojson")
    lsoa, _ = load_boundaries(folder, "lsoa.geojson")
    shapes = None
    if areas is not None and len(areas):
        shapes, where = areas[["area_code", "geometry"]], "the hub areas of areas.geojson"
        if lsoa is not None and "area_code" in lsoa.columns:  # LSOAs outside every hub area are not asked for
            inside = lsoa[lsoa["area_code"].isin(set(areas["area_code"]))]
            shapes = pd.concat([shapes, inside[["area_code", "geometry"]]], ignore_index=True)
    elif lsoa is not None and len(lsoa):
        codes = lsoa["area_code"] if "area_code" in lsoa.columns else "all"
        shapes, where = lsoa.assign(area_code=codes)[["area_code", "geometry"]], "the LSOAs of lsoa.geojson"
    if shapes is not None:
        grouped = gpd.GeoDataFrame(shapes, geometry="geometry", crs=4326).dissolve("area_code").to_crs(_GRID)
    elif api is not None and force is not None:
        rings = [api.boundary(force, str(n["id"])) for n in api.neighbourhoods(force)]
        grouped = gpd.GeoDataFrame(geometry=[Polygon(r) for r in rings if len(r) >= 3], crs=4326).to_crs(_GRID)
        where = f"the {len(rings)} neighbourhood boundaries police.uk gives for {force}"
    else:
        raise DataProblem("The folder has no areas.geojson or lsoa.geojson, so there is no area to fetch crimes for.")
    widened = grouped.geometry.buffer(MARGIN_M).simplify(SIMPLIFY_M).to_crs(4326)
    polygons = [p for geometry in widened for p in _polygons(geometry)]
    if not polygons:
        raise DataProblem("The folder's boundaries hold no usable polygon to fetch crimes for.")
    return polygons, where


def split_polygon(polygon: Polygon) -> list[Polygon]:
    """Halve a polygon across its longer side (each half intersected with the polygon)."""
    from shapely.geometry import box

    minx, miny, maxx, maxy = polygon.bounds
    if maxx - minx >= maxy - miny:
        middle = (minx + maxx) / 2
        halves = (box(minx, miny, middle, maxy), box(middle, miny, maxx, maxy))
    else:
        middle = (miny + maxy) / 2
        halves = (box(minx, miny, maxx, middle), box(minx, middle, maxx, maxy))
    return [p for half in halves for p in _polygons(polygon.intersection(half))]


def _crimes_in(api: PoliceAPI, polygon: Polygon, month: str, depth: int = 0) -> tuple[list[dict], int]:
    """Every record in ``polygon``, splitting it while police.uk refuses; returns (records, splits)."""
    try:
        return api.street_crimes(poly_text(polygon.exterior.coords), month), 0
    except TooManyCrimes:
        if depth >= MAX_SPLIT_DEPTH:
            raise DataProblem(
                f"police.uk refused even a 1/{2**MAX_SPLIT_DEPTH} piece of an area for {month} (HTTP 503): "
                "it may be down, so try again later."
            ) from None
    records, splits = [], 1
    for piece in split_polygon(polygon):
        found, more = _crimes_in(api, piece, month, depth + 1)
        records += found
        splits += more
    return records, splits


# -- records to rows --------------------------------------------------------------------------


def _lsoa_of(lon: pd.Series, lat: pd.Series, lsoa: gpd.GeoDataFrame | None) -> tuple[pd.Series, pd.Series]:
    """LSOA code and name by point in polygon; else the nearest within LSOA_TOLERANCE_M; else blank."""
    import geopandas as gpd

    code = pd.Series("", index=lon.index, dtype="str")
    name = pd.Series("", index=lon.index, dtype="str")
    located = lon.notna() & lat.notna()
    if lsoa is None or not located.any():
        return code, name
    shapes = lsoa[["lsoa_code", "geometry"]].assign(
        lsoa_name=lsoa["lsoa_name"].astype("str") if "lsoa_name" in lsoa.columns else ""
    )
    points = gpd.GeoDataFrame(
        index=lon.index[located], geometry=gpd.points_from_xy(lon[located], lat[located]), crs=4326
    )
    inside = gpd.sjoin(points, shapes, how="inner", predicate="within")
    inside = inside[~inside.index.duplicated(keep="first")]
    rest = points.loc[~points.index.isin(inside.index)]
    near = gpd.sjoin_nearest(rest.to_crs(_GRID), shapes.to_crs(_GRID), how="inner", max_distance=LSOA_TOLERANCE_M)
    near = near[~near.index.duplicated(keep="first")]
    for found in (inside, near):
        code.loc[found.index] = found["lsoa_code"].astype("str").to_numpy()
        name.loc[found.index] = found["lsoa_name"].astype("str").to_numpy()
    return code, name


def records_to_rows(records: list[dict], force_name: str, lsoa: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """API records as police.uk street CSV rows (text columns, header order).

    Crime ID from ``persistent_id`` (blank for ASB), "Reported by" and "Falls within" the
    force's name, the street as police.uk names it ("On or near ..."; "No Location"
    without a place), the category's police.uk name, the last outcome, and the LSOA
    filled from ``lsoa.geojson`` (the API gives none).
    """
    if not records:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in POLICE_UK_COLUMNS})
    rows = []
    for r in records:
        place = r.get("location") or {}
        outcome = r.get("outcome_status") or {}
        category = str(r.get("category", ""))
        rows.append(
            {
                "Crime ID": r.get("persistent_id") or "",
                "Month": r.get("month") or "",
                "Reported by": force_name,
                "Falls within": force_name,
                "Longitude": str(place.get("longitude") or ""),
                "Latitude": str(place.get("latitude") or ""),
                "Location": (place.get("street") or {}).get("name") or ("No Location" if not place else ""),
                "Crime type": CATEGORY_NAMES.get(category, category),
                "Last outcome category": outcome.get("category") or "",
                "Context": r.get("context") or "",
            }
        )
    frame = pd.DataFrame(rows, dtype="str")
    lon = pd.to_numeric(frame["Longitude"], errors="coerce")
    lat = pd.to_numeric(frame["Latitude"], errors="coerce")
    frame["LSOA code"], frame["LSOA name"] = _lsoa_of(lon, lat, lsoa)
    return frame[list(POLICE_UK_COLUMNS)]


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def compare_months(old: pd.DataFrame, new: pd.DataFrame) -> Changes:
    """What changed between two versions of a month's rows.

    Crimes are matched by Crime ID (an outcome change is counted once per crime); ASB,
    which has no ID, by its month, place, street and type.
    """
    keys = ["Month", "Longitude", "Latitude", "Location", "Crime type"]
    old_ids, new_ids = old[old["Crime ID"] != ""], new[new["Crime ID"] != ""]
    old_asb = Counter(map(tuple, old.loc[old["Crime ID"] == "", keys].to_numpy().tolist()))
    new_asb = Counter(map(tuple, new.loc[new["Crime ID"] == "", keys].to_numpy().tolist()))
    before = dict(zip(old_ids["Crime ID"], old_ids["Last outcome category"], strict=False))
    after = dict(zip(new_ids["Crime ID"], new_ids["Last outcome category"], strict=False))
    return Changes(
        added=len(after.keys() - before.keys()) + sum((new_asb - old_asb).values()),
        removed=len(before.keys() - after.keys()) + sum((old_asb - new_asb).values()),
        outcome_changed=sum(1 for k in after.keys() & before.keys() if after[k] != before[k]),
    )


# -- the fetch --------------------------------------------------------------------------------


def _plan(
    present: dict[str, list[str]], available: list[str], start: str | None, end: str | None, update: bool
) -> tuple[list[str], set[str]]:
    """The months to look at, and those to fetch again even though present (``--update``)."""
    if not available:
        raise DataProblem("police.uk lists no month of street-level crime at the moment: try again later.")
    held = f"police.uk holds street-level crime from {available[0]} to {available[-1]}"
    if update:
        if start or end:
            raise DataProblem("Use either --update or --from/--to, not both.")
        if not present:
            raise DataProblem("--update needs months already in the folder: run fetch with --from and --to first.")
        last = parse_month(max(present))
        again = {str(last - k) for k in range(REFETCH_MONTHS)}
        newer = [m for m in available if m > str(last)]
        return sorted(again | set(newer)), again
    first = parse_month(start, "--from month") if start else parse_month(available[0])
    last = parse_month(end, "--to month") if end else parse_month(available[-1])
    if first > last:
        raise DataProblem(f"--from {first} is after --to {last}: give the earlier month first.")
    months = month_range(first, last)
    if not set(months) & set(available):
        raise DataProblem(
            f"{held}, so it has none of {first} to {last}: ask for months in that range "
            "(older months come from the police.uk archive, with --archive)."
        )
    return months, set()


def fetch(
    folder: Path | str,
    force: str,
    start: str | None = None,
    end: str | None = None,
    *,
    update: bool = False,
    replace: bool = False,
    api: PoliceAPI | None = None,
    progress: Progress | None = None,
) -> FetchSummary:
    """Fetch a force's months from police.uk into ``folder/incidents``.

    Parameters
    ----------
    folder : path
        The data folder (with areas.geojson, or lsoa.geojson; else neighbourhood boundaries are used).
    force : str
        police.uk force id, e.g. ``cumbria``.
    start, end : str, optional
        ``YYYY-MM``; default: every month police.uk holds.
    update : bool
        Months newer than the folder's last, and the last :data:`REFETCH_MONTHS` again.
    replace : bool
        Fetch months already in the folder again (each replaced whole).
    api : PoliceAPI, optional
        The client (default: one for ``POLICE_UK_API``).
    progress : callable, optional
        Called as ``progress(months_done, months, text)``.

    Returns
    -------
    FetchSummary

    Raises
    ------
    DataProblem
        For what the user can act on: no network, police.uk down, unknown force, a period
        police.uk does not hold. Months written before it are whole and kept.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataProblem(f"The data folder {folder} does not exist: make it (with hubs.csv and boundaries) first.")
    force = check_force_id(force)
    own_api = api is None
    api = api or PoliceAPI()
    try:
        return _fetch(folder, force, start, end, update, replace, api, progress or (lambda *_: None))
    finally:
        if own_api:
            api.close()


def _fetch(folder, force, start, end, update, replace, api: PoliceAPI, progress: Progress) -> FetchSummary:
    force_name = api.force_name(force)
    available = api.street_dates()
    present = months_present(folder, force)
    months, again = _plan(present, available, start, end, update)
    summary = FetchSummary(str(folder), force, force_name, f"the police.uk API ({api.base_url})")
    polygons: list[Polygon] | None = None
    lsoa, _ = load_boundaries(folder, "lsoa.geojson")
    for done, month in enumerate(months):
        progress(done, len(months), f"{month}")
        ours = month_file(folder, force, month)
        elsewhere = [n for n in present.get(month, []) if Path(folder, n) != ours]
        if month not in available:
            kept = " (the folder's copy is kept)" if month in present else ""
            summary.months.append(
                MonthResult(month, "not supplied", note="" if not kept else f"not on police.uk{kept}.")
            )
            continue
        if month in present and not (replace or month in again):
            summary.months.append(MonthResult(month, "kept"))
            continue
        if elsewhere:
            summary.months.append(
                MonthResult(
                    month, "kept", note=f"kept as it is in {', '.join(elsewhere)}; remove that file to fetch it."
                )
            )
            continue
        if polygons is None:
            polygons, where = query_polygons(folder, api, force)
            summary.source += f", asked by {len(polygons)} polygons of {where}"
        try:
            result = _fetch_month(folder, force, force_name, month, polygons, lsoa, api, progress, done, len(months))
        except DataProblem as e:
            written = len([m for m in summary.months if m.status in ("fetched", "replaced")])
            raise DataProblem(
                f"{str(e).rstrip('.')}; {written} whole month(s) were written before it stopped, "
                "and running the same command again carries on from there."
            ) from None
        summary.months.append(result)
    progress(len(months), len(months), "done")
    return summary


def _fetch_month(folder, force, force_name, month, polygons, lsoa, api, progress, done, total) -> MonthResult:
    """Fetch one month and write it whole; ``not supplied`` when police.uk answers 404."""
    by_id: dict[object, dict] = {}
    splits = 0
    try:
        for number, polygon in enumerate(polygons):
            progress(done + number / (len(polygons) + 1), total, f"{month}: area {number + 1} of {len(polygons)}")
            found, more = _crimes_in(api, polygon, month)
            splits += more
            for record in found:
                by_id.setdefault(record.get("id"), record)
        no_place = [r for r in api.crimes_no_location(force, month) if r.get("id") not in by_id]
    except NotPublished:
        return MonthResult(month, "not supplied")
    for record in no_place:
        by_id[record.get("id")] = record
    records = [by_id[k] for k in sorted(by_id, key=str)]
    rows = records_to_rows(records, force_name, lsoa)
    target = month_file(folder, force, month)
    existed = target.is_file()
    changes = compare_months(read_month_file(target), rows) if existed else None
    source = {
        "source": "police.uk API",
        "base_url": api.base_url,
        "force": force,
        "month": month,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": len(rows),
        "no_location": len(no_place),
        "polygons": len(polygons),
        "polygon_splits": splits,
    }
    content = _csv_bytes(rows)
    write_month(folder, force, month, lambda handle: handle.write(content), source)
    return MonthResult(month, "replaced" if existed else "fetched", len(rows), len(no_place), changes=changes)


# -- the command line -------------------------------------------------------------------------


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``fetch`` sub-command's arguments."""
    parser.add_argument("--force", required=True, help="police.uk force id, e.g. cumbria")
    parser.add_argument("--from", dest="start", metavar="YYYY-MM", help="first month (default: the oldest held)")
    parser.add_argument("--to", dest="end", metavar="YYYY-MM", help="last month (default: the newest published)")
    parser.add_argument(
        "--update", action="store_true", help="months newer than the folder's last, and its last three again"
    )
    parser.add_argument("--replace", action="store_true", help="fetch months already in the folder again")
    parser.add_argument(
        "--archive", metavar="FILE_OR_URL", help="extract the force's months from a police.uk archive zip instead"
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def fetch_command(args: argparse.Namespace) -> int:
    """``python -m analysis fetch``: progress on stderr, the summary on stdout."""
    with tqdm(total=1, unit="month", file=sys.stderr, leave=False, dynamic_ncols=True) as bar:

        def progress(done: float, total: int, text: str) -> None:
            bar.total = max(total, 1)
            bar.n = round(done, 2)
            bar.set_description_str(text, refresh=False)
            bar.refresh()

        if args.archive:
            from analysis.fetch.archive import extract_archive

            if args.update:
                raise DataProblem("--update asks the police.uk API; leave it out when extracting an archive.")
            summary = extract_archive(
                args.data_dir, args.force, args.archive, args.start, args.end, replace=args.replace, progress=progress
            )
        else:
            summary = fetch(
                args.data_dir,
                args.force,
                args.start,
                args.end,
                update=args.update,
                replace=args.replace,
                progress=progress,
            )
    print(json.dumps(summary.to_dict(), indent=2) if args.json else "\n".join(summary.lines()))
    return 0
