"""Boundaries: hub areas (``areas.geojson``) and optional LSOAs (``lsoa.geojson``).

ONS downloads name their properties ``LAD19CD``, ``LSOA11CD``, ``LSOA21CD`` and the
like; those are accepted beside ours. Geometry ends up in WGS84.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.load.report import FileReport

if TYPE_CHECKING:  # geopandas is imported when a file is read: a start that reads none needs none
    import geopandas as gpd

__all__ = ["load_boundaries", "normalise_properties", "simplified"]

_AREA_ALIASES = (
    (re.compile(r"^(area_code|code|lad\d{2}cd|lad_code|ctyua\d{2}cd|cmlad\d{2}cd)$", re.I), "area_code"),
    (re.compile(r"^(area_name|name|lad\d{2}nm|lad_name|ctyua\d{2}nm|cmlad\d{2}nm)$", re.I), "area_name"),
)
_LSOA_ALIASES = (
    (re.compile(r"^(lsoa_code|lsoa\d{2}cd)$", re.I), "lsoa_code"),
    (re.compile(r"^(lsoa_name|lsoa\d{2}nm)$", re.I), "lsoa_name"),
    (re.compile(r"^(area_code|lad\d{2}cd|lad_code)$", re.I), "area_code"),
    (re.compile(r"^(area_name|lad\d{2}nm|lad_name)$", re.I), "area_name"),
)
_KEY = {"areas.geojson": "area_code", "lsoa.geojson": "lsoa_code"}
#: Each kind's name property: a feature without one is named by its code.
_NAME = {"areas.geojson": "area_name", "lsoa.geojson": "lsoa_name"}


def normalise_properties(columns: list[str], kind: str) -> dict[str, str]:
    """Map ONS property names to ours (first match wins; existing names are kept).

    Examples
    --------
    >>> normalise_properties(["LAD19CD", "LAD19NM", "geometry"], "areas.geojson")
    {'LAD19CD': 'area_code', 'LAD19NM': 'area_name'}
    """
    aliases = _AREA_ALIASES if kind == "areas.geojson" else _LSOA_ALIASES
    renames: dict[str, str] = {}
    taken = set()
    for pattern, ours in aliases:
        if ours in columns:
            taken.add(ours)
            continue
        for column in columns:
            if column not in renames and pattern.match(column) and ours not in taken:
                renames[column] = ours
                taken.add(ours)
                break
    return renames


def load_boundaries(folder: Path | str, kind: str) -> tuple[gpd.GeoDataFrame | None, FileReport | None]:
    """Load ``areas.geojson`` or ``lsoa.geojson`` from ``folder`` when present.

    Features without a code or with an empty or invalid geometry are rejected with
    their feature number as the "line" and their properties as the text; a feature
    without a name is named by its code (a note says how many).

    Returns
    -------
    boundaries : geopandas.GeoDataFrame or None
    report : FileReport or None (None when the file is absent)
    """
    if kind not in _KEY:
        raise ValueError(f"kind must be 'areas.geojson' or 'lsoa.geojson', got {kind!r}")
    path = Path(folder) / kind
    if not path.is_file():
        return None, None
    import geopandas as gpd

    report = FileReport(kind, kind)
    key = _KEY[kind]
    try:
        frame = gpd.read_file(path)
    except Exception as e:  # pyogrio raises several types for a broken file
        report.problem = f"{kind} could not be read as GeoJSON ({type(e).__name__}): download the boundaries again."
        return None, report
    frame = frame.rename(columns=normalise_properties(list(frame.columns), kind))
    if key not in frame.columns:
        report.problem = (
            f"{kind} has no '{key}' property (nor an ONS one such as "
            f"{'LAD19CD' if key == 'area_code' else 'LSOA11CD'}): add it to each feature."
        )
        return None, report  # an unusable file: no feature read, so none accepted or rejected
    report.rows_read = len(frame)
    if frame.crs is None:
        frame = frame.set_crs(4326)
        report.notes.append("no CRS given: read as WGS84")
    elif frame.crs.to_epsg() != 4326:
        report.notes.append(f"reprojected from {frame.crs.to_string()} to WGS84")
        frame = frame.to_crs(4326)
    code = frame[key].astype("str").str.strip().where(frame[key].notna(), "")
    problems = pd.Series("", index=frame.index)
    problems = problems.where(code != "", f"{key} is blank")
    empty = frame.geometry.isna() | frame.geometry.is_empty
    problems = problems.where(~empty, (problems + "; geometry is empty").str.lstrip("; "))
    invalid = ~empty & ~frame.geometry.is_valid
    if invalid.any():
        frame.loc[invalid, "geometry"] = frame.loc[invalid].geometry.make_valid()
        report.notes.append(f"{int(invalid.sum())} invalid geometries repaired")
    bad = problems != ""
    if bad.any():
        texts = frame.loc[bad].drop(columns="geometry").astype("str").to_dict("records")
        report.rejected = pd.DataFrame(
            {
                "file": kind,
                "line": (frame.index[bad] + 1).astype("int64"),
                "text": [json.dumps(t) for t in texts],
                "reasons": problems[bad].to_numpy(),
            }
        )
    frame = frame.loc[~bad].assign(**{key: code[~bad]}).reset_index(drop=True)
    name = _NAME[kind]
    if name in frame.columns:
        named = frame[name].astype("str").str.strip().where(frame[name].notna(), "")
        if (named == "").any():
            n = int((named == "").sum())
            report.notes.append(f"{n} {'feature has' if n == 1 else 'features have'} no {name}: named by its {key}")
        frame[name] = named.where(named != "", frame[key])
    report.rows_accepted = len(frame)
    return frame, report


def simplified(boundaries: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Simplify geometry by roughly ``tolerance_m`` metres (kept in WGS84).

    Topology between neighbours is not preserved exactly; at map zoom it does not show.
    """
    degrees = tolerance_m / 111_000
    return boundaries.assign(geometry=boundaries.geometry.simplify(degrees, preserve_topology=True))
