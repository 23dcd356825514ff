"""Hotspots: incidents projected to metres and counted per hexagon, and the hexagons drawn back in WGS84.

police.uk points are snapped to anonymous map points, so hotspots are counted per
hexagon on the server and only the hexagons are drawn, never a point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # geopandas, pyproj, shapely: imported where a map is drawn (the store counts import this module)
    import geopandas as gpd
    import pyproj

ArrayLike = Sequence[float] | np.ndarray | pd.Series

_SQRT3 = math.sqrt(3.0)


def metric_crs(boundaries: gpd.GeoDataFrame) -> pyproj.CRS:
    """A metre-based CRS for the boundaries' region: the WGS84 UTM zone of their centre.

    Worked out from the bounds (``estimate_utm_crs`` asks the PROJ database, which takes
    a fifth of a second: too slow for a filter change).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> metric_crs(gpd.GeoDataFrame(geometry=[box(-3.6, 54.0, -2.2, 55.2)], crs="EPSG:4326")).to_epsg()
    32630
    """
    import pyproj

    if boundaries.crs is None:
        raise ValueError("boundaries have no CRS: set one (WGS84 is EPSG:4326) before measuring in metres")
    minx, miny, maxx, maxy = boundaries.to_crs(4326).total_bounds
    lon, lat = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def project_points(longitude: ArrayLike, latitude: ArrayLike, crs: pyproj.CRS) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude to ``crs`` metres; NaN stays NaN."""
    import pyproj

    transformer = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    x, y = transformer.transform(np.asarray(longitude, dtype="float64"), np.asarray(latitude, dtype="float64"))
    x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    bad = ~np.isfinite(x) | ~np.isfinite(y)
    x[bad] = np.nan
    y[bad] = np.nan
    return x, y


def hex_cells(x: ArrayLike, y: ArrayLike, width_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The pointy-top hexagon (axial ``q, r``) each point falls in.

    Hexagons are ``width_m`` across their flat sides; hexagon ``(0, 0)`` is centred on
    the CRS origin, so the grid does not move when the points change.

    Parameters
    ----------
    x, y : array-like
        Coordinates in metres (see :func:`project_points`).
    width_m : float
        Distance across flats, in metres; must be positive.

    Returns
    -------
    q, r : numpy.ndarray
        Float arrays of whole numbers; NaN where a coordinate is NaN.

    Examples
    --------
    >>> q, r = hex_cells([0.0, 1000.0, 500.0], [0.0, 0.0, 866.0], 1000.0)
    >>> q.tolist(), r.tolist()
    ([0.0, 1.0, 0.0], [0.0, 0.0, 1.0])
    """
    if not width_m > 0:
        raise ValueError(f"width_m must be positive, got {width_m!r}")
    radius = width_m / _SQRT3
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    qf = (_SQRT3 / 3.0 * x - y / 3.0) / radius
    rf = (2.0 / 3.0 * y) / radius
    sf = -qf - rf
    q, r, s = np.round(qf), np.round(rf), np.round(sf)
    dq, dr, ds = np.abs(q - qf), np.abs(r - rf), np.abs(s - sf)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    q = np.where(fix_q, -r - s, q)
    r = np.where(fix_r, -q - s, r)
    missing = np.isnan(x) | np.isnan(y)
    q[missing] = np.nan
    r[missing] = np.nan
    return q + 0.0, r + 0.0  # + 0.0 turns -0.0 into 0.0


def hexbin_counts(q: ArrayLike, r: ArrayLike, records: ArrayLike | None = None) -> pd.DataFrame:
    """Records per hexagon, from the cells of :func:`hex_cells` (NaN cells are not counted).

    ``records`` weighs each cell: the records at each distinct point, when the points are
    counted first (police.uk snaps records to few points); default one record each.

    Returns
    -------
    pandas.DataFrame
        ``q, r`` (int64) and ``count``, one row per hexagon holding any record,
        most records first (ties by ``q, r``).
    """
    q, r = np.asarray(q, dtype="float64"), np.asarray(r, dtype="float64")
    weight = np.ones(len(q), dtype="int64") if records is None else np.asarray(records, dtype="int64")
    cells = pd.DataFrame({"q": q, "r": r, "count": weight}).dropna()
    counted = cells.groupby(["q", "r"], as_index=False)["count"].sum()
    counted = counted.astype({"q": "int64", "r": "int64", "count": "int64"})
    return counted.sort_values(["count", "q", "r"], ascending=[False, True, True], ignore_index=True)


def hex_polygons(cells: pd.DataFrame, width_m: float, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    """Hexagon polygons in WGS84 for the cells of :func:`hexbin_counts`.

    Returns
    -------
    geopandas.GeoDataFrame
        The columns of ``cells`` plus ``cell_id`` (``"q_r"``), ``longitude`` and
        ``latitude`` of each centre, and the hexagon ``geometry`` (EPSG:4326).
    """
    import geopandas as gpd
    import pyproj
    import shapely

    radius = width_m / _SQRT3
    q = cells["q"].to_numpy(dtype="float64")
    r = cells["r"].to_numpy(dtype="float64")
    cx = radius * _SQRT3 * (q + r / 2.0)
    cy = radius * 1.5 * r
    angles = np.radians(30.0 + 60.0 * np.arange(6))
    ring_x = cx[:, None] + radius * np.cos(angles)[None, :]
    ring_y = cy[:, None] + radius * np.sin(angles)[None, :]
    rings = np.stack([ring_x, ring_y], axis=-1)
    polygons = shapely.polygons(np.concatenate([rings, rings[:, :1]], axis=1)) if len(cells) else []
    to_wgs84 = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    lon, lat = to_wgs84.transform(cx, cy)
    frame = cells.assign(
        cell_id=[f"{a}_{b}" for a, b in zip(cells["q"], cells["r"], strict=True)],
        longitude=np.asarray(lon, dtype="float64"),
        latitude=np.asarray(lat, dtype="float64"),
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(polygons, index=cells.index, crs=crs)).to_crs(4326)
