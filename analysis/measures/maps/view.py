"""What the map draws and where it opens: GeoJSON sent to the browser, the view, hexagon sizes, boundary notes.

The map sends only what it draws: GeoJSON carrying just an ``id`` per feature, geometry
simplified to about one screen pixel at the view's zoom and coordinates rounded to
5 decimals (about a metre).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from analysis.load.geo import simplified

if TYPE_CHECKING:  # geopandas and shapely are imported where a map is drawn, not by every page
    import geopandas as gpd

#: What the map says of areas marked ``schematic: true``.
SCHEMATIC_NOTE = "Schematic areas — not real boundaries"
#: What the map says of the generated sample: real ground, invented records.
SAMPLE_NOTE = "Real boundaries, generated incidents"
#: MapLibre draws a zoom-0 world 512 pixels wide.
_TILE_PX = 512
_METRES_PER_DEGREE = 111_320.0


def nice_hex_width(bounds: Sequence[float], across: int = 40) -> float:
    """A round hexagon width (250 m ... 10 km) giving about ``across`` hexagons over the bounds' width.

    Parameters
    ----------
    bounds : sequence of float
        ``minx, miny, maxx, maxy`` in WGS84 degrees.
    across : int
        Hexagons wanted from west to east.
    """
    minx, miny, maxx, maxy = bounds
    width_m = (maxx - minx) * _METRES_PER_DEGREE * math.cos(math.radians((miny + maxy) / 2.0))
    wanted = width_m / max(across, 1)
    steps = (250.0, 500.0, 1000.0, 2000.0, 5000.0, 10_000.0)
    return min(steps, key=lambda step: abs(math.log(step / wanted)) if wanted > 0 else step)


def tolerance_for_view(bounds: Sequence[float], width_px: int) -> float:
    """Simplification tolerance in metres: about one screen pixel when the bounds fill ``width_px``.

    Rounded to 10 m so the value (a cache key) is stable.

    Examples
    --------
    >>> tolerance_for_view((0.0, 0.0, 1.0, 0.0), 1113)  # one degree at the equator over 1,113 px
    100.0
    """
    minx, miny, maxx, maxy = bounds
    width_m = (maxx - minx) * _METRES_PER_DEGREE * math.cos(math.radians((miny + maxy) / 2.0))
    return max(10.0, round(width_m / max(width_px, 1) / 10.0) * 10.0)


def map_geojson(boundaries: gpd.GeoDataFrame, key: str, tolerance_m: float = 0.0, decimals: int = 5) -> dict:
    """A FeatureCollection to draw: ``id`` = ``key``, no other properties, geometry simplified and rounded.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Polygons in WGS84.
    key : str
        The column whose value identifies each feature (e.g. ``area_code``).
    tolerance_m : float
        Simplify by about this many metres (0 keeps every vertex).
    decimals : int
        Decimal places kept in each coordinate (5 is about a metre).

    Returns
    -------
    dict
        GeoJSON; empty or missing geometries are left out.
    """
    import shapely
    from shapely.geometry import mapping

    if key not in boundaries.columns:
        raise ValueError(f"key {key!r} is not a column of the boundaries; got {list(boundaries.columns)}")
    if boundaries.crs is not None and boundaries.crs.to_epsg() != 4326:
        boundaries = boundaries.to_crs(4326)
    shapes = simplified(boundaries, tolerance_m) if tolerance_m > 0 else boundaries
    geometry = shapely.transform(shapes.geometry.to_numpy(), lambda xy: np.round(xy, decimals))
    features = [
        {"type": "Feature", "id": str(code), "geometry": mapping(shape)}
        for code, shape in zip(shapes[key], geometry, strict=True)
        if shape is not None and not shape.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class MapView:
    """Where the map opens: its centre and MapLibre zoom."""

    lat: float
    lon: float
    zoom: float


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0511), -85.0511)
    return math.log(math.tan(math.pi / 4.0 + math.radians(lat) / 2.0))


def fit_view(bounds: Sequence[float], width_px: int, height_px: int, padding: float = 0.08) -> MapView:
    """Centre and zoom that fit ``bounds`` into a ``width_px`` x ``height_px`` map.

    Parameters
    ----------
    bounds : sequence of float
        ``minx, miny, maxx, maxy`` in WGS84 degrees.
    width_px, height_px : int
        The map's size on screen.
    padding : float
        Share of the map left free around the bounds.

    Examples
    --------
    >>> fit_view((-180.0, -85.0511, 180.0, 85.0511), 512, 512, padding=0.0)
    MapView(lat=0.0, lon=0.0, zoom=0.0)
    """
    minx, miny, maxx, maxy = bounds
    y0, y1 = _mercator_y(miny), _mercator_y(maxy)
    x_share = max((maxx - minx) / 360.0, 1e-9)
    y_share = max((y1 - y0) / (2.0 * math.pi), 1e-9)
    usable = 1.0 - padding
    zoom = math.log2(min(width_px * usable / (_TILE_PX * x_share), height_px * usable / (_TILE_PX * y_share)))
    lat = math.degrees(math.atan(math.sinh((y0 + y1) / 2.0)))
    return MapView(
        lat=round(float(lat), 5) + 0.0, lon=round(float(minx + maxx) / 2.0, 5) + 0.0, zoom=round(zoom, 2) + 0.0
    )


def is_schematic(boundaries: gpd.GeoDataFrame | None) -> bool:
    """True when the areas are not real boundaries: features marked ``schematic: true``."""
    if boundaries is None or "schematic" not in boundaries.columns:
        return False
    flags = boundaries["schematic"]
    if flags.dtype == "bool":
        return bool(flags.any())
    return bool(flags.astype("str").str.strip().str.lower().isin({"true", "1", "yes"}).any())


def boundary_note(boundaries: gpd.GeoDataFrame | None, generated: bool = False) -> str | None:
    """What a map must say about its areas and records, or None for real records on real boundaries.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame or None
        The areas drawn.
    generated : bool
        Whether the records are a generated sample.

    Returns
    -------
    str or None
        :data:`SCHEMATIC_NOTE` for areas marked schematic, else :data:`SAMPLE_NOTE`
        for generated records (the sample sits on the real boundaries), else None.
    """
    if is_schematic(boundaries):
        return SCHEMATIC_NOTE
    return SAMPLE_NOTE if generated else None
