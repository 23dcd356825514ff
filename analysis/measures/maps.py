"""The hub map: rates per area, LSOA rates, hexbin hotspots, map-ready GeoJSON and the figures.

No streamlit here. The map is plotly's MapLibre ``choroplethmap`` on the built-in
``white-bg`` style: a plain background layer with no tile, glyph or sprite source, so
the boundaries draw with no internet. (plotly's ``geo`` maps fetch a world topojson
from a CDN whenever a trace sets ``locationmode``, which every GeoJSON choropleth
does, and stay blank offline.) Nothing on the map is text drawn by MapLibre, so its
glyph URL is never requested; the numbers are in the hover text and the table beside.

The map sends only what it draws: one choropleth trace whose GeoJSON carries just an
``id`` per feature, geometry simplified to about one screen pixel at the view's zoom
and coordinates rounded to 5 decimals (about a metre).

police.uk points are snapped to anonymous map points, so hotspots are counted per
hexagon on the server and only the hexagons are drawn, never a point.

Rates are "per 1,000 residents a month": records divided by resident-months in the
period (residents of each month's year, or the nearest earlier year, else the
earliest), times 1,000, so periods of different lengths compare.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io
import pyproj
import shapely
from shapely.geometry import mapping

from analysis.load.geo import simplified
from analysis.schema import CRIME_TYPES
from analysis.text.a11y import chart_summary

__all__ = [
    "MAP_STYLE",
    "RATE_TITLE",
    "MapView",
    "SCHEMATIC_NOTE",
    "SAMPLE_NOTE",
    "area_summary",
    "boundary_note",
    "crime_type_figure",
    "figure_bytes",
    "fit_view",
    "hex_cells",
    "hex_polygons",
    "hexbin_counts",
    "hotspot_summary",
    "hub_rates",
    "is_schematic",
    "lsoa_rates",
    "map_figure",
    "map_geojson",
    "metric_crs",
    "nice_hex_width",
    "person_months",
    "project_points",
    "selection_locations",
    "tolerance_for_view",
    "trend_table",
    "type_counts",
]

ArrayLike = Sequence[float] | np.ndarray | pd.Series

#: plotly's built-in MapLibre style: a white background layer and no sources.
MAP_STYLE = "white-bg"
#: What a rate means on this page.
RATE_TITLE = "per 1,000 residents a month"
#: What the map says of areas marked ``schematic: true``.
SCHEMATIC_NOTE = "Schematic areas — not real boundaries"
#: What the map says of the generated sample: real ground, invented records.
SAMPLE_NOTE = "Real boundaries, generated incidents"
#: MapLibre draws a zoom-0 world 512 pixels wide.
_TILE_PX = 512
_METRES_PER_DEGREE = 111_320.0
_SQRT3 = math.sqrt(3.0)
_AREA_COLOURS = "Blues"
#: Light orange to dark red: even the quietest hexagon stands out from the grey areas beneath.
_HOTSPOT_COLOURS = [[0.0, "#fdbb84"], [0.35, "#fc8d59"], [0.7, "#d7301f"], [1.0, "#7f0000"]]
_QUIET_FILL = [[0.0, "#eef1f4"], [1.0, "#eef1f4"]]


def person_months(population: pd.DataFrame | None, codes: Iterable[str], months: pd.PeriodIndex) -> pd.Series:
    """Resident-months in ``months`` for each area code: the denominator of a monthly rate.

    Each month counts the residents of its own year; where that year is absent, the
    latest earlier year; where there is none, the earliest year given.

    Parameters
    ----------
    population : pandas.DataFrame or None
        ``area_code, year, population`` (district and LSOA rows may be mixed).
    codes : iterable of str
        The area codes wanted.
    months : pandas.PeriodIndex
        The months of the period.

    Returns
    -------
    pandas.Series
        Float resident-months indexed by area code; codes without any population row
        are absent. Empty when ``population`` is None or ``months`` is empty.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"area_code": ["A", "A"], "year": [2018, 2020], "population": [100, 200]})
    >>> months = pd.period_range("2018-12", "2020-01", freq="M")
    >>> # Dec 2018 at 100, 2019 at 100 (no 2019 figure: 2018's), Jan 2020 at 200
    >>> person_months(people, ["A"], months).to_dict()
    {'A': 1500.0}
    """
    wanted = pd.Index(pd.unique(pd.Series(list(codes), dtype="str")))
    if population is None or population.empty or len(months) == 0 or wanted.empty:
        return pd.Series(dtype="float64", name="person_months").rename_axis("area_code")
    rows = population.loc[population["area_code"].isin(wanted), ["area_code", "year", "population"]]
    if rows.empty:
        return pd.Series(dtype="float64", name="person_months").rename_axis("area_code")
    rows = rows.drop_duplicates(["area_code", "year"], keep="last")
    by_year = rows.pivot(index="area_code", columns="year", values="population").astype("float64")
    months_in_year = pd.Series(np.asarray(months.year), dtype="int64").value_counts()
    years = sorted(set(by_year.columns) | set(months_in_year.index))
    # ffill: the latest year not after; bfill: the earliest year for months before any figure.
    filled = by_year.reindex(columns=years).ffill(axis=1).bfill(axis=1)
    totals = sum(filled[year] * count for year, count in months_in_year.items())
    return totals.rename("person_months").rename_axis("area_code")


def _with_rates(table: pd.DataFrame, count: pd.Series, person: pd.Series, n_months: int) -> pd.DataFrame:
    """Add ``count``, ``residents`` (mean over the period) and ``rate_per_1000`` (a month)."""
    count = count.fillna(0).astype("int64")
    person = person.astype("float64")
    return table.assign(
        count=count.to_numpy(),
        residents=(person / max(n_months, 1)).round(0).to_numpy(),
        rate_per_1000=(count / person * 1000.0).to_numpy(),
    )


def hub_rates(
    incidents: pd.DataFrame, hubs: pd.DataFrame, population: pd.DataFrame | None, months: pd.PeriodIndex
) -> pd.DataFrame:
    """Records and the rate per 1,000 residents a month for each hub.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Already filtered to the period and types wanted; needs ``hub``.
    hubs : pandas.DataFrame
        ``hub, area_code``: one row per hub to map (Unassigned is not a hub).
    population : pandas.DataFrame or None
        ``area_code, year, population``.
    months : pandas.PeriodIndex
        The period the incidents cover (the rate's denominator).

    Returns
    -------
    pandas.DataFrame
        ``hub, area_code, count, residents, rate_per_1000`` in ``hubs`` order, zeros
        included; ``residents`` (mean over the period) and ``rate_per_1000`` are NaN
        for hubs without population.
    """
    missing = {"hub", "area_code"} - set(hubs.columns)
    if missing:
        raise ValueError(f"hubs needs columns hub and area_code; missing {sorted(missing)}")
    table = hubs[["hub", "area_code"]].astype({"hub": "str", "area_code": "str"}).reset_index(drop=True)
    counts = incidents["hub"].astype("str").value_counts()
    residents = person_months(population, table["area_code"], months)
    return _with_rates(table, table["hub"].map(counts), table["area_code"].map(residents), len(months))


def lsoa_rates(
    incidents: pd.DataFrame,
    lsoa: pd.DataFrame,
    population: pd.DataFrame | None,
    months: pd.PeriodIndex,
    area_code: str | None = None,
) -> pd.DataFrame:
    """Records and the rate per 1,000 residents a month for each LSOA (of one hub area).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Already filtered to the period, types and hub wanted; needs ``lsoa_code``.
    lsoa : pandas.DataFrame
        ``lsoa_code`` and optionally ``lsoa_name`` and ``area_code`` (the LSOA boundaries).
    population : pandas.DataFrame or None
        With LSOA codes in ``area_code`` (as the ONS LSOA estimates are written).
    months : pandas.PeriodIndex
        The period.
    area_code : str, optional
        Keep only the LSOAs of this hub area.

    Returns
    -------
    pandas.DataFrame
        ``lsoa_code, lsoa_name, count, residents, rate_per_1000``, one row per LSOA
        (zeros included), in boundary order.
    """
    if "lsoa_code" not in lsoa.columns:
        raise ValueError(f"lsoa needs a lsoa_code column; got {list(lsoa.columns)}")
    keep = lsoa
    if area_code is not None and "area_code" in lsoa.columns:
        keep = lsoa.loc[lsoa["area_code"].astype("str") == str(area_code)]
    names = keep["lsoa_name"] if "lsoa_name" in keep.columns else keep["lsoa_code"]
    table = pd.DataFrame(
        {"lsoa_code": keep["lsoa_code"].astype("str").to_numpy(), "lsoa_name": names.astype("str").to_numpy()}
    )
    counts = incidents["lsoa_code"].astype("str").value_counts()
    residents = person_months(population, table["lsoa_code"], months)
    return _with_rates(table, table["lsoa_code"].map(counts), table["lsoa_code"].map(residents), len(months))


def trend_table(
    incidents: pd.DataFrame,
    months: pd.PeriodIndex,
    residents: float | None = None,
    supplied: pd.Series | None = None,
) -> pd.DataFrame:
    """Records per month over ``months`` (zeros included, NaN where not supplied), with a rate when residents are known.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Already filtered; needs ``month``.
    months : pandas.PeriodIndex
        Every month to show.
    residents : float, optional
        Residents of the areas the incidents come from (for ``rate_per_1000``).
    supplied : pandas.Series, optional
        Bool per month (``Coverage.supplied``): a month not supplied is NaN, never 0.

    Returns
    -------
    pandas.DataFrame
        ``month, count, rate_per_1000`` (rate NaN without residents).
    """
    counts = incidents["month"].value_counts().reindex(months, fill_value=0).astype("int64")
    if supplied is not None and not supplied.reindex(months, fill_value=False).all():
        counts = counts.astype("float64").where(supplied.reindex(months, fill_value=False))
    rate = counts / residents * 1000.0 if residents else pd.Series(np.nan, index=months)
    return pd.DataFrame({"month": months, "count": counts.to_numpy(), "rate_per_1000": rate.to_numpy()})


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
    if boundaries.crs is None:
        raise ValueError("boundaries have no CRS: set one (WGS84 is EPSG:4326) before measuring in metres")
    minx, miny, maxx, maxy = boundaries.to_crs(4326).total_bounds
    lon, lat = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def project_points(longitude: ArrayLike, latitude: ArrayLike, crs: pyproj.CRS) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude to ``crs`` metres; NaN stays NaN."""
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


def hexbin_counts(q: ArrayLike, r: ArrayLike) -> pd.DataFrame:
    """Records per hexagon, from the cells of :func:`hex_cells` (NaN cells are not counted).

    Returns
    -------
    pandas.DataFrame
        ``q, r`` (int64) and ``count``, one row per hexagon holding any record,
        most records first (ties by ``q, r``).
    """
    cells = pd.DataFrame({"q": np.asarray(q, dtype="float64"), "r": np.asarray(r, dtype="float64")}).dropna()
    counted = cells.groupby(["q", "r"]).size().rename("count").reset_index()
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


def _log_ticks(top: float) -> list[int]:
    """1, 2, 5, 10, 20, 50 ... up to the first tick at or above ``top``.

    Examples
    --------
    >>> _log_ticks(37)
    [1, 2, 5, 10, 20, 50]
    """
    ticks = [1]
    while ticks[-1] < top:
        ticks.append(ticks[-1] * (2.5 if str(ticks[-1]).startswith("2") else 2))
    return [int(t) for t in ticks]


def _colorbar(title: str) -> dict:
    """A horizontal colour bar under the map, so the map keeps the full width."""
    return {
        "title": {"text": title, "side": "top"},
        "orientation": "h",
        "x": 0.5,
        "xanchor": "center",
        "y": 0.0,
        "yanchor": "top",
        "thickness": 12,
        "len": 0.8,
    }


def map_figure(
    areas: pd.DataFrame,
    geojson: dict,
    *,
    code: str,
    name: str,
    value: str,
    value_title: str,
    view: MapView,
    title: str,
    value_format: str = ",.0f",
    hotspots: pd.DataFrame | None = None,
    hotspot_geojson: dict | None = None,
    hotspot_title: str = "Records per hexagon",
    height: int = 560,
    revision: str = "map",
) -> go.Figure:
    """The hub map: one choropleth trace of areas, and optionally one trace of hotspot hexagons.

    Parameters
    ----------
    areas : pandas.DataFrame
        One row per area with ``code``, ``name``, ``value``, ``count`` and ``residents``.
    geojson : dict
        From :func:`map_geojson`, with feature ids matching ``areas[code]``.
    code, name, value : str
        Columns of ``areas``: the feature id, the label and the number mapped.
    value_title : str
        What the number is (colour bar title and hover).
    view : MapView
        Where the map opens (see :func:`fit_view`).
    title : str
        The chart title.
    value_format : str
        d3 format of the value on hover.
    hotspots, hotspot_geojson : optional
        ``cell_id, count`` and the hexagons (from :func:`hex_polygons` and
        :func:`map_geojson`). With them, areas are drawn as quiet outlines and the
        colour scale belongs to the hexagons.
    hotspot_title : str
        Colour bar title of the hexagons.
    height : int
        Figure height in pixels.
    revision : str
        ``uirevision``: the user's pan and zoom are kept while it stays the same.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    for column in (code, name, value, "count", "residents"):
        if column not in areas.columns:
            raise ValueError(f"areas needs a {column!r} column; got {list(areas.columns)}")
    layered = hotspots is not None and hotspot_geojson is not None
    residents = areas["residents"].map(lambda v: f"{v:,.0f}" if pd.notna(v) else "not known")
    custom = np.column_stack([areas[name].astype("str"), areas["count"].map("{:,}".format), residents])
    hover = (
        "<b>%{customdata[0]}</b><br>"
        f"{value_title}: %{{z:{value_format}}}<br>"
        "Records: %{customdata[1]}<br>Residents: %{customdata[2]}<extra></extra>"
    )
    top = float(np.nanmax(areas[value].to_numpy(dtype="float64"))) if areas[value].notna().any() else 1.0
    figure = go.Figure(
        go.Choroplethmap(
            geojson=geojson,
            locations=areas[code].astype("str"),
            z=areas[value].astype("float64"),
            customdata=custom,
            hovertemplate=hover,
            name="areas",
            colorscale=_QUIET_FILL if layered else _AREA_COLOURS,
            zmin=0.0,
            zmax=top if top > 0 else 1.0,
            showscale=not layered,
            colorbar=_colorbar(value_title),
            marker={"line": {"color": "#1f2d3a", "width": 1.5 if layered else 1.0}, "opacity": 0.9},
            selected={"marker": {"opacity": 1.0}},
            unselected={"marker": {"opacity": 0.35}},
        )
    )
    if layered:
        # Hotspot counts are heavily skewed (a town centre against the fells): a log colour scale keeps the
        # quiet hexagons visible; the colour bar is labelled in records and the hover gives the exact count.
        counts = hotspots["count"].astype("float64")
        ticks = _log_ticks(float(counts.max()) if len(counts) else 1.0)
        figure.add_trace(
            go.Choroplethmap(
                geojson=hotspot_geojson,
                locations=hotspots["cell_id"].astype("str"),
                z=np.log10(counts.clip(lower=1.0)),
                customdata=counts.to_numpy()[:, None],
                name="hotspots",
                colorscale=_HOTSPOT_COLOURS,
                zmin=0.0,
                zmax=max(math.log10(ticks[-1]), 1.0),
                marker={"line": {"width": 0}, "opacity": 0.9},
                colorbar={
                    **_colorbar(hotspot_title + " (log scale)"),
                    "tickvals": [math.log10(t) for t in ticks],
                    "ticktext": [f"{t:,}" for t in ticks],
                },
                hovertemplate=f"{hotspot_title}: %{{customdata[0]:,.0f}}<extra></extra>",
                selected={"marker": {"opacity": 1.0}},
                unselected={"marker": {"opacity": 0.4}},
            )
        )
    figure.update_layout(
        title={"text": title, "font": {"size": 15}},
        map={"style": MAP_STYLE, "center": {"lat": view.lat, "lon": view.lon}, "zoom": view.zoom},
        height=height,
        margin={"l": 0, "r": 0, "t": 56, "b": 64},
        clickmode="event+select",
        dragmode="pan",
        uirevision=revision,
        showlegend=False,
    )
    return figure


def crime_type_figure(counts: pd.DataFrame, *, title: str, height: int = 360) -> go.Figure:
    """Records by crime type as labelled horizontal bars (largest at the top).

    Parameters
    ----------
    counts : pandas.DataFrame
        ``crime_type, count``.
    title : str
        The chart title.
    height : int
        Figure height in pixels.
    """
    ordered = counts.sort_values("count", ascending=True, kind="stable")
    figure = go.Figure(
        go.Bar(
            x=ordered["count"],
            y=ordered["crime_type"].astype("str"),
            orientation="h",
            text=ordered["count"].map("{:,}".format),
            textposition="outside",
            cliponaxis=False,
            marker={"color": "#0072B2"},
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    figure.update_layout(
        title={"text": title, "font": {"size": 15}},
        height=height,
        margin={"l": 10, "r": 40, "t": 48, "b": 10},
        xaxis={"title": "Records", "rangemode": "tozero"},
        yaxis={"title": None},
        showlegend=False,
    )
    return figure


def type_counts(incidents: pd.DataFrame, crime_types: Iterable[str]) -> pd.DataFrame:
    """Records per crime type, zeros included, in the police.uk order of ``crime_types``."""
    wanted = [t for t in CRIME_TYPES if t in set(crime_types)]
    counted = incidents["crime_type"].astype("str").value_counts().reindex(wanted, fill_value=0)
    return pd.DataFrame({"crime_type": wanted, "count": counted.to_numpy(dtype="int64")})


def selection_locations(points: Iterable[dict], curve: int) -> list[str]:
    """The ``location`` of each selected point of trace ``curve``, in order, without repeats.

    Parameters
    ----------
    points : iterable of dict
        ``event.selection.points`` from ``st.plotly_chart(..., on_select="rerun")``.
    curve : int
        The trace wanted (0: areas, 1: hotspot hexagons).

    Examples
    --------
    >>> selection_locations([{"curve_number": 0, "location": "E07000028"}, {"curve_number": 1, "location": "3_4"}], 0)
    ['E07000028']
    """
    found: list[str] = []
    for point in points:
        location = point.get("location")
        if point.get("curve_number", 0) == curve and location is not None and str(location) not in found:
            found.append(str(location))
    return found


def figure_bytes(figure: go.Figure) -> int:
    """Bytes of JSON the figure sends to the browser (as ``st.plotly_chart`` serialises it)."""
    return len(plotly.io.to_json(figure, validate=False).encode("utf-8"))


def area_summary(
    table: pd.DataFrame, *, value: str, what: str, unit: str, period: str, value_format: str = "{:,.0f}"
) -> str:
    """The map in words: the highest and lowest area, how many records in all, areas without a rate.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per mapped area: ``name``, ``count`` and ``value`` (from :func:`hub_rates`
        or :func:`lsoa_rates`, names in ``name``).
    value : str
        The column shaded (``rate_per_1000`` or ``count``).
    what : str
        What it measures, in words.
    unit : str
        What an area is ("hub", "LSOA").
    period : str
        The period the records cover, in words.
    value_format : str
        ``str.format`` pattern for the value.

    Examples
    --------
    >>> t = pd.DataFrame({"name": ["A", "B"], "count": [4, 1], "rate_per_1000": [2.0, float("nan")]})
    >>> area_summary(t, value="rate_per_1000", what="ASB per 1,000", unit="hub", period="Jan 2020")
    'ASB per 1,000 by hub: A: 2; 1 shown. 5 records in all, Jan 2020. 1 hub has no residents figure, so no rate.'
    """
    shown = table.loc[table[value].notna(), ["name", value]].rename(columns={"name": unit})
    text = chart_summary(shown, x=unit, y=value, what=what, value_format=value_format)
    text += f" {int(table['count'].sum()):,} records in all, {period}."
    unknown = int(table[value].isna().sum())
    if unknown:
        text += f" {unknown} {unit}{'s have' if unknown > 1 else ' has'} no residents figure, so no rate."
    return text


def hotspot_summary(hotspots: pd.DataFrame, width_m: float) -> str:
    """The hotspot layer in words: how many hexagons hold records, the busiest, how concentrated they are.

    Parameters
    ----------
    hotspots : pandas.DataFrame
        ``count, longitude, latitude`` per hexagon (from :func:`hex_polygons`).
    width_m : float
        The hexagons' width in metres.

    Examples
    --------
    >>> h = pd.DataFrame({"count": [1, 6, 3], "longitude": [-2.9, -2.93, -2.5], "latitude": [54.9, 54.89, 54.6]})
    >>> print(hotspot_summary(h, 2000))
    Hotspots: 3 hexagons 2 km across hold 10 records; the busiest holds 6 (centre 54.8900 N, 2.9300 W); \
half of the records are in the busiest 1.
    """
    across = f"{width_m / 1000:g} km across"
    if hotspots.empty or int(hotspots["count"].sum()) == 0:
        return f"Hotspots: no records with a location, so no hexagon {across} is shaded."
    ordered = hotspots.sort_values("count", ascending=False, kind="stable")
    total = int(ordered["count"].sum())
    busiest = ordered.iloc[0]
    half = int((ordered["count"].cumsum() < total / 2).sum()) + 1
    lat, lon = float(busiest["latitude"]), float(busiest["longitude"])
    centre = f"{abs(lat):.4f} {'N' if lat >= 0 else 'S'}, {abs(lon):.4f} {'E' if lon >= 0 else 'W'}"
    return (
        f"Hotspots: {len(ordered):,} hexagons {across} hold {total:,} records; the busiest holds "
        f"{int(busiest['count']):,} (centre {centre}); half of the records are in the busiest {half:,}."
    )
