"""The Hub map assembled once: what the page draws, the bench measures and the tests check.

:func:`hub_map` turns a :class:`MapRequest` (period, hubs, one family of records, the
level, rate or count, hotspots) into a :class:`HubMap`: the figure, its table, its summary
and the notes around it. :func:`map_side` gives the charts beside the map for what was
clicked. No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.shared import trend_figure
from analysis.load.dataset import Dataset
from analysis.load.records import Where
from analysis.measures.maps import figures, hexagons, rates, view, words
from analysis.schema import ASB, UNASSIGNED
from analysis.text.a11y import chart_summary, table_view

if TYPE_CHECKING:
    import geopandas as gpd

#: The map's first level: every hub area (the other levels are one hub's LSOAs).
ALL_HUBS = "All hub areas"
RATE, COUNT = "Rate per 1,000 residents", "Count"
ASB_FAMILY, CRIME_FAMILY = "ASB", "Crime"
MAP_HEIGHT_PX = 560
#: The drawing area the view is fitted to: the column's width, the figure less its title and colour bar.
VIEW_PX = (480, MAP_HEIGHT_PX - 120)
SNAPPED = "police.uk points are approximate (snapped to anonymous map points)"


def families(chosen_types: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """ASB and crime are mapped apart (ASB is never added into crime): those the type filter keeps."""
    found = {}
    if ASB in chosen_types:
        found[ASB_FAMILY] = (ASB,)
    crimes = tuple(t for t in chosen_types if t != ASB)
    if crimes:
        found[CRIME_FAMILY] = crimes
    return found


def map_hubs(dataset: Dataset, chosen: tuple[str, ...]) -> tuple[str, ...]:
    """The chosen hubs that have an area to draw, in hubs.csv order (Unassigned has none)."""
    return tuple(h for h in dataset.hubs["hub"] if h in chosen)


@dataclass(frozen=True)
class MapRequest:
    """What to map: the period, the hubs on the map, one family of records, the level and the layers."""

    start: pd.Period
    end: pd.Period
    hubs: tuple[str, ...]
    crime_types: tuple[str, ...]
    level: str = ALL_HUBS
    rate: bool = True
    hotspots: bool = False
    period_label: str = ""

    @property
    def months(self) -> pd.PeriodIndex:
        """Every month of the period."""
        return pd.period_range(self.start, self.end, freq="M")

    @property
    def is_asb(self) -> bool:
        """True when the records mapped are ASB (never mixed with crime)."""
        return tuple(self.crime_types) == (ASB,)

    @property
    def what(self) -> str:
        """The records mapped, in words."""
        return "ASB incidents" if self.is_asb else "Crimes (excl. ASB)"


@dataclass(frozen=True)
class HubMap:
    """The map and everything said around it.

    ``figure`` is None when none of the mapped areas has a boundary (``no_boundary`` says
    why); ``rate_fallback`` is True when a rate was asked for but no area has residents.
    """

    request: MapRequest
    rate: bool
    rate_fallback: bool
    value_title: str
    table: pd.DataFrame
    width_m: float = 0.0
    no_boundary: str | None = None
    figure: go.Figure | None = None
    values: pd.DataFrame | None = None
    summary: str = ""
    note_caption: str | None = None
    hotspots: pd.DataFrame | None = None
    placement: str = ""
    file_name: str = ""


def map_where(request: MapRequest) -> Where:
    """The records the map counts (the period, the family's types, the hubs or the one hub), with Unassigned's.

    Unassigned is asked for with them so that one question also counts the records no hub holds.
    """
    hubs = request.hubs if request.level == ALL_HUBS else tuple(h for h in request.hubs if h == request.level)
    return Where(request.start, request.end, (*hubs, UNASSIGNED), tuple(request.crime_types))


def map_columns(request: MapRequest) -> list[str]:
    """What a map counts records by: hubs; and LSOAs, for one hub's; and map points, for hotspots."""
    lsoa = ["lsoa_code"] if request.level != ALL_HUBS else []
    return ["hub", *lsoa, *(["longitude", "latitude"] if request.hotspots else [])]


def map_counts(dataset: Dataset, request: MapRequest) -> pd.DataFrame:
    """The one question a map asks: records per :func:`map_columns` (``*map_columns(request), records``).

    Unassigned's records are among them (for the placement note); :func:`mapped_counts` leaves them out.
    Only the columns the request needs are asked for: points for hotspots only, so few groups leave the store.
    """
    return dataset.records.count(map_columns(request), map_where(request))


def mapped_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """The counts of records on the map: those placed in a hub."""
    return counts.loc[counts["hub"] != UNASSIGNED]


def hub_area(dataset: Dataset, hub: str) -> str:
    """The area code a hub covers."""
    return str(dataset.hubs.set_index("hub").loc[hub, "area_code"])


def area_table(dataset: Dataset, request: MapRequest, counts: pd.DataFrame) -> pd.DataFrame:
    """Records, residents and rate per mapped area: ``name, code, count, residents, rate_per_1000``.

    ``counts`` are the mapped records (:func:`mapped_counts`) per ``hub`` (and ``lsoa_code`` for one hub's LSOAs).

    Rates are per month supplied: a month not supplied adds no residents x months to the denominator.
    """
    months = request.months
    months = months[dataset.coverage.supplied("asb" if request.is_asb else "crime", None, months).to_numpy()]
    population = dataset.table("population.csv")
    if request.level == ALL_HUBS:
        mapped = dataset.hubs.loc[dataset.hubs["hub"].isin(request.hubs)]
        return rates.hub_rates(counts, mapped, population, months).rename(columns={"hub": "name", "area_code": "code"})
    table = rates.lsoa_rates(counts, dataset.lsoa, population, months, hub_area(dataset, request.level))
    return table.rename(columns={"lsoa_name": "name", "lsoa_code": "code"})


def map_boundaries(dataset: Dataset, level: str, codes) -> tuple[gpd.GeoDataFrame, str]:
    """The boundaries of the mapped areas (hub areas, or one hub's LSOAs) and their code column."""
    if level == ALL_HUBS:
        return dataset.areas.loc[dataset.areas["area_code"].isin(codes)], "area_code"
    return dataset.lsoa.loc[dataset.lsoa["lsoa_code"].isin(codes)], "lsoa_code"


@dataclass(frozen=True)
class Drawn:
    """The boundaries a map draws, as sent: their codes, bounds and GeoJSON (``geojson`` None when none)."""

    codes: frozenset[str]
    bounds: tuple[float, ...]
    geojson: dict | None


def drawn_boundaries(dataset: Dataset, level: str, codes) -> Drawn:
    """:func:`map_boundaries` simplified for the view, made once per dataset, level and set of codes.

    Every choice of months, records and shading that maps the same areas draws the same shapes,
    so they are simplified and written as GeoJSON once. Shared: never change what it returns.
    """
    codes = tuple(sorted({str(c) for c in codes}))

    def draw() -> Drawn:
        boundaries, key = map_boundaries(dataset, level, codes)
        if boundaries.empty:
            return Drawn(frozenset(), (), None)
        bounds = tuple(float(b) for b in boundaries.total_bounds)
        geojson = view.map_geojson(boundaries, key, view.tolerance_for_view(bounds, VIEW_PX[0]))
        return Drawn(frozenset(boundaries[key]), bounds, geojson)

    return dataset.records.kept(("map boundaries", level, codes), draw)


def metric_crs(dataset: Dataset):
    """:func:`~analysis.measures.maps.hexagons.metric_crs` of the dataset's areas, worked out once per dataset."""
    return dataset.records.kept(("metric crs",), lambda: hexagons.metric_crs(dataset.areas))


def hotspot_layer(dataset: Dataset, counts: pd.DataFrame, width_m: float) -> tuple[pd.DataFrame, dict]:
    """Records per hexagon (``cell_id, count, longitude, latitude`` ...) and the hexagons' GeoJSON.

    ``counts`` are the mapped records per map point (``longitude, latitude, records``): each point
    is binned once, weighed by its records.
    """
    crs = metric_crs(dataset)
    q, r = hexagons.hex_cells(*hexagons.project_points(counts["longitude"], counts["latitude"], crs), width_m)
    polygons = hexagons.hex_polygons(hexagons.hexbin_counts(q, r, counts["records"]), width_m, crs)
    table = pd.DataFrame(polygons.drop(columns="geometry")).round({"longitude": 4, "latitude": 4})
    return table, view.map_geojson(polygons, "cell_id", decimals=4)


def mapped_values(table: pd.DataFrame, value: str, unit: str) -> pd.DataFrame:
    """The mapped numbers as a table (highest first): the map never relies on colour alone."""
    shown = table.sort_values(value, ascending=False, na_position="last", kind="stable")
    return table_view(
        shown.assign(rate_per_1000=shown["rate_per_1000"].round(2)),
        {
            "name": "Hub" if unit == "hub" else "LSOA",
            "code": "Code",
            "count": "Records",
            "residents": "Residents",
            "rate_per_1000": "Per 1,000 a month",
        },
    )


def placement_note(dataset: Dataset, request: MapRequest, counts: pd.DataFrame, undrawn: list[str]) -> str:
    """Records that are not on the map, counted: never silently dropped.

    ``counts`` are :func:`map_counts` (Unassigned's records among them).
    """
    unplaced = int(counts.loc[counts["hub"] == UNASSIGNED, "records"].sum())
    counts = mapped_counts(counts)
    notes = [f"**{unplaced:,} records could not be placed in a hub area** (no usable LSOA code or location)."]
    if undrawn:
        notes.append(f"No boundary to draw for: {', '.join(undrawn)} (numbers in the table).")
    if request.level != ALL_HUBS:
        outside = int(counts.loc[~counts["lsoa_code"].isin(set(dataset.lsoa["lsoa_code"])), "records"].sum())
        if outside:
            notes.append(
                f"{outside:,} of {request.level}'s records have no LSOA in lsoa.geojson, so no LSOA shows them."
            )
    if request.hotspots:
        notes.append(f"Hotspots: {SNAPPED}, so they are counted per hexagon; no individual points are shown.")
        no_place = int(counts.loc[counts["longitude"].isna(), "records"].sum())
        if no_place:
            notes.append(f"{no_place:,} records have no location and are not in the hotspots.")
    return " ".join(notes)


def _note_caption(note: str | None, generated: bool) -> str | None:
    if note == view.SCHEMATIC_NOTE:
        why = "generated sample" if generated else "so marked in areas.geojson"
        return f":material/warning: **{note}** ({why})."
    if note:
        return (
            f":material/science: **{note}**: ONS district and LSOA boundaries; the records are invented "
            "(generated sample), each placed at a real police.uk map point."
        )
    return None


def hub_map(dataset: Dataset, request: MapRequest) -> HubMap:
    """The hub map for ``request``: the figure, the table beside it, its summary and its notes."""
    counts = map_counts(dataset, request)
    table = area_table(dataset, request, mapped_counts(counts))
    fallback = request.rate and bool(table["rate_per_1000"].isna().all())
    rate = request.rate and not fallback
    value = "rate_per_1000" if rate else "count"
    what, level = request.what, request.level
    value_title = f"{what} {rates.RATE_TITLE}" if rate else what
    made = {"request": request, "rate": rate, "rate_fallback": fallback, "value_title": value_title, "table": table}

    shapes = drawn_boundaries(dataset, level, table["code"])
    if shapes.geojson is None:
        why = (
            f"None of the mapped areas has a boundary in {'areas' if level == ALL_HUBS else 'lsoa'}.geojson: "
            "check that its codes match hubs.csv."
        )
        return HubMap(**made, no_boundary=why)
    drawn, bounds, geojson = shapes.codes, shapes.bounds, shapes.geojson
    note = view.boundary_note(dataset.areas, dataset.is_generated)

    width_m = view.nice_hex_width(bounds)
    hotspots = hotspot_geojson = None
    if request.hotspots:
        hotspots, hotspot_geojson = hotspot_layer(dataset, mapped_counts(counts), width_m)
    place = "hub areas" if level == ALL_HUBS else f"LSOAs of {level}"
    shaded = f"{what} per {width_m / 1000:g} km hexagon (hotspots)" if request.hotspots else value_title
    title = f"{shaded}, {place}<br><sup>{request.period_label}"
    title += f" · {note}</sup>" if note else "</sup>"
    figure = figures.map_figure(
        table,
        geojson,
        code="code",
        name="name",
        value=value,
        value_title=value_title,
        value_format=",.2f" if rate else ",.0f",
        view=view.fit_view(bounds, *VIEW_PX),
        title=title,
        hotspots=hotspots,
        hotspot_geojson=hotspot_geojson,
        hotspot_title=f"Records per {width_m / 1000:g} km hexagon",
        height=MAP_HEIGHT_PX,
        revision=level,
    )
    unit = "hub" if level == ALL_HUBS else "LSOA"
    summary = words.area_summary(
        table,
        value=value,
        what=value_title if level == ALL_HUBS else f"{value_title} in {level}",
        unit=unit,
        period=request.period_label,
        value_format="{:,.2f}" if rate else "{:,.0f}",
    )
    hotspot_table = None
    if hotspots is not None:
        summary = f"{words.hotspot_summary(hotspots, width_m)} {summary}"
        hotspot_table = table_view(
            hotspots.assign(hexagon_width_m=width_m),
            {
                "cell_id": "Hexagon",
                "count": "Records",
                "latitude": "Centre latitude",
                "longitude": "Centre longitude",
                "hexagon_width_m": "Width (m)",
            },
        )
    undrawn = sorted(set(table["name"][~table["code"].isin(drawn)]))
    return HubMap(
        **made,
        width_m=width_m,
        figure=figure,
        values=mapped_values(table, value, unit),
        summary=summary,
        note_caption=_note_caption(note, dataset.is_generated),
        hotspots=hotspot_table,
        placement=placement_note(dataset, request, counts, undrawn),
        file_name="hub_map_areas.csv" if level == ALL_HUBS else f"hub_map_lsoas_{level}.csv",
    )


@dataclass(frozen=True)
class Chart:
    """One chart beside the map: the figure, its numbers as a table, and its summary in words."""

    figure: go.Figure
    table: pd.DataFrame
    summary: str


@dataclass(frozen=True)
class MapSide:
    """The charts beside the map for what was clicked (every mapped area when nothing)."""

    label: str
    trend: Chart
    types: Chart | None


def _cell_ids(dataset: Dataset, counts: pd.DataFrame, width_m: float) -> pd.Series:
    """The ``q_r`` hexagon of each map point of ``counts`` (``<NA>_<NA>`` without a location)."""
    crs = metric_crs(dataset)
    q, r = hexagons.hex_cells(*hexagons.project_points(counts["longitude"], counts["latitude"], crs), width_m)
    cells = pd.DataFrame({"q": q, "r": r}, index=counts.index)
    return cells["q"].astype("Int64").astype("str") + "_" + cells["r"].astype("Int64").astype("str")


def side_counts(dataset: Dataset, mapped: HubMap, picked: pd.DataFrame, picked_cells: list[str]) -> pd.DataFrame:
    """Records per month (and crime type) of the mapped records in the ``picked`` areas and hexagons.

    One question: the clicked hubs narrow it; clicked LSOAs and hexagons are chosen from its answer.
    """
    request = mapped.request
    by_lsoa = request.level != ALL_HUBS and not picked.empty
    by = ["month", *([] if request.is_asb else ["crime_type"]), *(["lsoa_code"] if by_lsoa else [])]
    by += ["longitude", "latitude"] if picked_cells else []
    where = map_where(request)
    hubs = tuple(h for h in where.hubs if h != UNASSIGNED)
    if request.level == ALL_HUBS and not picked.empty:
        hubs = tuple(h for h in hubs if h in set(picked["name"]))
    counts = dataset.records.count(by, Where(where.first, where.last, hubs, where.crime_types))
    if by_lsoa:
        counts = counts.loc[counts["lsoa_code"].isin(picked["code"])]
    if picked_cells:
        counts = counts.loc[_cell_ids(dataset, counts, mapped.width_m).isin(picked_cells).to_numpy()]
    return counts


def map_side(dataset: Dataset, mapped: HubMap, picked_codes: list[str], picked_cells: list[str]) -> MapSide:
    """Monthly trend and crime types of the areas and hexagons clicked (every mapped area when nothing)."""
    request, table = mapped.request, mapped.table
    level, what = request.level, request.what
    picked = table.loc[table["code"].isin(picked_codes)]
    selected = side_counts(dataset, mapped, picked, picked_cells)
    names = picked["name"].tolist()
    if picked_cells:
        names.append(f"{len(picked_cells)} hotspot hexagon{'s' if len(picked_cells) > 1 else ''}")
    label = " + ".join(names) if names else ("every mapped hub" if level == ALL_HUBS else f"all of {level}")
    people = (picked if not picked.empty else table)["residents"]
    residents = float(people.sum())
    # a rate only when every area shown has residents (a partial denominator would inflate it)
    use_rate = mapped.rate and not picked_cells and people.notna().all() and residents > 0
    supplied = dataset.coverage.supplied("asb" if request.is_asb else "crime", None, request.months)
    gaps = list(request.months[~supplied.to_numpy()])
    trend = rates.trend_table(selected, request.months, residents if use_rate else None, supplied)
    y = "rate_per_1000" if use_rate else "count"
    figure = trend_figure(
        trend,
        x="month",
        y=y,
        series=None,
        y_title=f"{what} {rates.RATE_TITLE}" if use_rate else what,
        title=f"{what} by month: {label}",
        hover_format=",.2f" if use_rate else ",.0f",
        not_supplied=gaps,
    )
    in_words = f"{what} {rates.RATE_TITLE}" if use_rate else f"{what} a month"
    trend_chart = Chart(
        figure.update_layout(height=280, showlegend=False, title_font_size=14, yaxis_title_font_size=12),
        table_view(
            trend.assign(rate_per_1000=trend["rate_per_1000"].round(2)),
            {"month": "Month", "count": "Records"} | ({"rate_per_1000": "Per 1,000 residents"} if use_rate else {}),
        ),
        chart_summary(
            trend,
            x="month",
            y=y,
            what=f"{in_words}, {label}",
            value_format="{:,.2f}" if use_rate else "{:,.0f}",
            not_supplied=gaps,
        ),
    )
    types_chart = None
    if not request.is_asb:
        types = rates.type_counts(selected, [t for t in request.crime_types if t != ASB])
        types_chart = Chart(
            figures.crime_type_figure(types, title=f"Crimes by type: {label}", height=90 + 26 * len(types)),
            table_view(
                types.sort_values("count", ascending=False, kind="stable"),
                {"crime_type": "Crime type", "count": "Records"},
            ),
            chart_summary(types, x="crime_type", y="count", what=f"Crimes, {label},"),
        )
    return MapSide(label, trend_chart, types_chart)
