"""The hub map's figures: the choropleth (with its hotspot layer), crime types as bars, and reading a click.

The map is plotly's MapLibre ``choroplethmap`` on the built-in ``white-bg`` style: a
plain background layer with no tile, glyph or sprite source, so the boundaries draw
with no internet. (plotly's ``geo`` maps fetch a world topojson from a CDN whenever a
trace sets ``locationmode``, which every GeoJSON choropleth does, and stay blank
offline.) Nothing on the map is text drawn by MapLibre, so its glyph URL is never
requested; the numbers are in the hover text and the table beside.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io

from analysis.measures.maps.view import MapView

#: plotly's built-in MapLibre style: a white background layer and no sources.
MAP_STYLE = "white-bg"
_AREA_COLOURS = "Blues"
#: Light orange to dark red: even the quietest hexagon stands out from the grey areas beneath.
_HOTSPOT_COLOURS = [[0.0, "#fdbb84"], [0.35, "#fc8d59"], [0.7, "#d7301f"], [1.0, "#7f0000"]]
_QUIET_FILL = [[0.0, "#eef1f4"], [1.0, "#eef1f4"]]


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
    traces = [
        go.Choroplethmap(
            geojson=_PLACEHOLDER,
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
    ]
    if layered:
        # Hotspot counts are heavily skewed (a town centre against the fells): a log colour scale keeps the
        # quiet hexagons visible; the colour bar is labelled in records and the hover gives the exact count.
        counts = hotspots["count"].astype("float64")
        ticks = _log_ticks(float(counts.max()) if len(counts) else 1.0)
        traces.append(
            go.Choroplethmap(
                geojson=_PLACEHOLDER,
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
    # Built in one go: the traces and the layout validated once (no add_trace or update_layout).
    layout = {
        "title": {"text": title, "font": {"size": 15}},
        "map": {"style": MAP_STYLE, "center": {"lat": view.lat, "lon": view.lon}, "zoom": view.zoom},
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 56, "b": 64},
        "clickmode": "event+select",
        "dragmode": "pan",
        "uirevision": revision,
        "showlegend": False,
    }
    figure = go.Figure({"data": traces, "layout": layout})
    # The shapes go in once the figure is made: a figure copies every trace given to it, and a copy of
    # the boundaries' GeoJSON cost more than the rest of the map. The figure then holds the GeoJSON
    # given (kept per dataset and shared, as the figure is: never changed).
    for trace, shapes in zip(figure.data, [geojson, hotspot_geojson][: len(traces)], strict=True):
        trace.geojson = shapes
    return figure


#: What a choropleth holds until its GeoJSON goes in (so the GeoJSON keeps its place among the trace's keys).
_PLACEHOLDER = {"type": "FeatureCollection", "features": []}


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
    bars = go.Bar(
        x=ordered["count"],
        y=ordered["crime_type"].astype("str"),
        orientation="h",
        text=ordered["count"].map("{:,}".format),
        textposition="outside",
        cliponaxis=False,
        marker={"color": "#0072B2"},
        hovertemplate="%{y}: %{x:,}<extra></extra>",
    )
    layout = {
        "title": {"text": title, "font": {"size": 15}},
        "height": height,
        "margin": {"l": 10, "r": 40, "t": 48, "b": 10},
        "xaxis": {"title": "Records", "rangemode": "tozero"},
        "showlegend": False,
    }
    return go.Figure({"data": [bars], "layout": layout})


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
