"""Build ``data/basemap/``: the real Cumbria geography the generated sample sits on.

The sample's incidents are generated, but the ground under them is real: ONS district
and 2011 LSOA boundaries (simplified for the web), ONS residents, and the anonymous
map points police.uk snaps Cumbria's records to. This module derives those files once
from the real public data in ``../shared/data`` (read in place) and writes them into
the project, so that ``python -m data.generate`` and its byte-for-byte test never need
``../shared``.

What is written (all under ``data/basemap/``):

- ``areas.geojson``: the six Cumbria districts (ONS LAD December 2019, BUC),
  simplified by :data:`TOLERANCE_M` and rounded to 5 decimals;
- ``lsoa.geojson``: the 321 Cumbria LSOAs (ONS LSOA December 2011, generalised
  clipped), simplified and rounded the same way;
- ``population.csv``: ONS residents per district and LSOA: Census 2011 usual residents
  and the mid-2017, mid-2019 and mid-2020 population estimates;
- ``snap_points.csv``: the distinct police.uk snap points (longitude, latitude, the
  "On or near ..." label, 2011 LSOA code) seen in the real Cumbria street files, with
  how many records each held. Points only: no crime type, month, identifier or outcome,
  so no police.uk row is kept. Points outside their LSOA's simplified boundary are left
  out, so every generated record lies inside the LSOA it names.

Command line::

    python -m data.build_basemap [--shared ../shared/data] [--out data/basemap]
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping, shape

__all__ = [
    "BASEMAP_DIR",
    "DECIMALS",
    "SNAP_COLUMNS",
    "TOLERANCE_M",
    "build_basemap",
    "main",
    "population_table",
    "simplify_features",
    "snap_points",
    "write_basemap",
]

ROOT = Path(__file__).resolve().parent.parent
#: Where the derived files live in the project.
BASEMAP_DIR = ROOT / "data" / "basemap"
#: Simplification tolerance in metres: invisible at hub zoom, LSOAs under 400 KB.
TOLERANCE_M = 60.0
#: Decimal places kept in each coordinate (about a metre).
DECIMALS = 5
#: Columns of ``snap_points.csv``.
SNAP_COLUMNS = ("longitude", "latitude", "location", "lsoa_code", "records")

_METRES_PER_DEGREE = 111_320.0
_STREET_COLUMNS = ["Longitude", "Latitude", "Location", "LSOA code"]
_CENSUS_SOURCE = "ONS Census 2011 usual residents"
_MYE_FILES = {
    2017: "cumbria_population17_lsoa11_mid2017.csv",
    2019: "cumbria_population19_lsoa11_mid2019.csv",
    2020: "cumbria_population20_lsoa11_mid2020.csv",
}


def simplify_features(
    features: Sequence[dict[str, Any]],
    properties: Sequence[str],
    tolerance_m: float = TOLERANCE_M,
    decimals: int = DECIMALS,
) -> list[dict[str, Any]]:
    """Simplify polygons for the web, keeping only the named properties.

    Each geometry is simplified with ``preserve_topology`` in a local metric frame
    (longitude scaled by the cosine of the features' mean latitude, so the tolerance
    is in metres both ways), then snapped to a ``10**-decimals`` degree grid, which
    keeps it valid.

    Parameters
    ----------
    features : sequence of dict
        GeoJSON features (Polygon or MultiPolygon) in WGS84.
    properties : sequence of str
        The properties kept, in this order.
    tolerance_m : float
        Simplification tolerance in metres.
    decimals : int
        Decimal places kept.

    Returns
    -------
    list of dict
        New features, in the same order; geometry valid and non-empty.

    Raises
    ------
    ValueError
        When a geometry becomes empty or invalid.
    """
    geometries = np.array([shape(f["geometry"]) for f in features], dtype=object)
    lat = float(np.mean([g.centroid.y for g in geometries])) if len(geometries) else 0.0
    scale = math.cos(math.radians(lat))
    metric = shapely.transform(geometries, lambda xy: xy * [scale, 1.0])
    simple = shapely.simplify(metric, tolerance_m / _METRES_PER_DEGREE, preserve_topology=True)
    back = shapely.transform(simple, lambda xy: xy / [scale, 1.0])
    snapped = shapely.set_precision(back, 10.0**-decimals)
    rounded = shapely.transform(snapped, lambda xy: np.round(xy, decimals))
    out = []
    for feature, geometry in zip(features, rounded, strict=True):
        if geometry.is_empty or not geometry.is_valid:
            raise ValueError(f"simplifying {feature['properties']} left an empty or invalid geometry")
        out.append(
            {
                "type": "Feature",
                "properties": {k: feature["properties"][k] for k in properties},
                "geometry": mapping(geometry),
            }
        )
    return out


def snap_points(street_files: Sequence[Path], lsoa_features: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The distinct police.uk snap points of the street files, inside their LSOA.

    Parameters
    ----------
    street_files : sequence of path
        police.uk street-level CSVs.
    lsoa_features : sequence of dict
        LSOA features with ``lsoa_code``; only records with one of these codes count
        (2011 codes: rows coded to 2021 LSOAs that changed are left out).

    Returns
    -------
    pandas.DataFrame
        :data:`SNAP_COLUMNS`: one row per distinct (longitude, latitude, location,
        LSOA code) with a location and coordinates, whose point lies inside that
        LSOA's polygon; ``records`` is how many records it held. Coordinates stay as
        police.uk prints them. Sorted by LSOA code, longitude, latitude, location.
    """
    polygons = {f["properties"]["lsoa_code"]: shape(f["geometry"]) for f in lsoa_features}
    frames = [
        pd.read_csv(path, dtype="str", keep_default_na=False, usecols=_STREET_COLUMNS, encoding="utf-8-sig")
        for path in street_files
    ]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=_STREET_COLUMNS, dtype="str")
    rows = rows.loc[
        rows["LSOA code"].isin(polygons.keys())
        & (rows["Longitude"] != "")
        & (rows["Latitude"] != "")
        & rows["Location"].str.startswith("On or near ")
    ]
    points = rows.groupby(_STREET_COLUMNS, sort=False).size().rename("records").reset_index()
    points.columns = list(SNAP_COLUMNS)
    inside = [
        polygons[code].contains(shapely.Point(float(lon), float(lat)))
        for lon, lat, code in zip(points["longitude"], points["latitude"], points["lsoa_code"], strict=True)
    ]
    points = points.loc[inside].sort_values(["lsoa_code", "longitude", "latitude", "location"], kind="stable")
    return points.reset_index(drop=True).astype({"records": "int64"})


def population_table(
    census: pd.DataFrame, estimates: dict[int, pd.DataFrame], lsoa_area: dict[str, str]
) -> pd.DataFrame:
    """ONS residents per district and LSOA, for the census and each estimate year.

    Parameters
    ----------
    census : pandas.DataFrame
        ``area_code, year, population`` of Census 2011 (districts and LSOAs).
    estimates : dict of int to pandas.DataFrame
        Year to ONS mid-year estimates by LSOA (``lsoa11_code, total_population``).
    lsoa_area : dict of str to str
        LSOA code to district code; district estimates are the sum of their LSOAs
        (which is how ONS builds them: the mid-2019 and mid-2020 district files agree).

    Returns
    -------
    pandas.DataFrame
        ``area_code, year, population, source``: per year, districts then LSOAs, each
        sorted by code.

    Raises
    ------
    ValueError
        When an estimate misses an LSOA or holds one that is not in ``lsoa_area``.
    """
    blocks = [(2011, census.set_index("area_code")["population"].astype("int64"), _CENSUS_SOURCE)]
    for year in sorted(estimates):
        table = estimates[year]
        codes = set(table["lsoa11_code"])
        if codes != set(lsoa_area):
            raise ValueError(f"the mid-{year} estimates do not cover exactly the {len(lsoa_area)} LSOAs")
        lsoa = table.set_index("lsoa11_code")["total_population"].round().astype("int64")
        district = lsoa.groupby(lsoa.index.map(lsoa_area)).sum()
        blocks.append((year, pd.concat([district, lsoa]), f"ONS mid-{year} population estimates"))
    rows = []
    for year, values, source in blocks:
        codes = sorted(values.index, key=lambda c: (not c.startswith("E07"), c))
        rows += [(code, year, int(values[code]), source) for code in codes]
    return pd.DataFrame(rows, columns=["area_code", "year", "population", "source"])


def build_basemap(shared: Path) -> dict[str, Any]:
    """Derive every basemap file from ``../shared/data``.

    Parameters
    ----------
    shared : pathlib.Path
        The ``shared/data`` folder (``real/`` and ``police-uk/cumbria/`` and ``ons/population/``).

    Returns
    -------
    dict
        ``areas`` and ``lsoa`` (FeatureCollections), ``population`` and ``snap_points``
        (DataFrames).
    """
    real = shared / "real"
    areas = json.loads((real / "areas.geojson").read_text(encoding="utf-8"))["features"]
    lsoa = json.loads((real / "lsoa.geojson").read_text(encoding="utf-8"))["features"]
    areas = sorted(areas, key=lambda f: f["properties"]["area_code"])
    lsoa = sorted(lsoa, key=lambda f: f["properties"]["lsoa_code"])
    simple_areas = simplify_features(areas, ("area_code", "area_name"))
    simple_lsoa = simplify_features(lsoa, ("lsoa_code", "lsoa_name", "area_code"))
    streets = sorted((real / "incidents").glob("*/*-street.csv")) + sorted(
        (shared / "police-uk" / "cumbria").glob("*/*-street.csv")
    )
    census = pd.read_csv(real / "population.csv", dtype={"area_code": "str"})
    estimates = {
        year: pd.read_csv(shared / "ons" / "population" / name, usecols=["lsoa11_code", "total_population"])
        for year, name in _MYE_FILES.items()
    }
    lsoa_area = {f["properties"]["lsoa_code"]: f["properties"]["area_code"] for f in lsoa}
    return {
        "areas": {"type": "FeatureCollection", "name": "cumbria_districts", "features": simple_areas},
        "lsoa": {"type": "FeatureCollection", "name": "cumbria_lsoa_2011", "features": simple_lsoa},
        "population": population_table(census, estimates, lsoa_area),
        "snap_points": snap_points(streets, simple_lsoa),
    }


def _json_text(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def write_basemap(basemap: dict[str, Any], out: Path) -> None:
    """Write what :func:`build_basemap` returned (LF line ends, sorted JSON keys)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "areas.geojson").write_text(_json_text(basemap["areas"]), encoding="utf-8", newline="\n")
    (out / "lsoa.geojson").write_text(_json_text(basemap["lsoa"]), encoding="utf-8", newline="\n")
    for name in ("population", "snap_points"):
        basemap[name].to_csv(out / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: rebuild ``data/basemap/`` from ``../shared/data``."""
    parser = argparse.ArgumentParser(prog="python -m data.build_basemap", description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=BASEMAP_DIR)
    args = parser.parse_args(argv)
    basemap = build_basemap(args.shared)
    write_basemap(basemap, args.out)
    points = basemap["snap_points"]
    print(
        f"wrote {len(basemap['areas']['features'])} districts, {len(basemap['lsoa']['features'])} LSOAs, "
        f"{len(basemap['population'])} population rows and {len(points)} snap points "
        f"({int(points['records'].sum())} records) to {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
