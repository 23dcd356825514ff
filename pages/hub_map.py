"""Hub map: where records concentrate, as a rate per 1,000 residents, with an LSOA drill-down and hotspots."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from analysis.figures.shared import trend_figure
from analysis.load.dataset import Dataset
from analysis.measures import maps
from analysis.schema import ASB, UNASSIGNED
from analysis.text.a11y import chart_summary, table_view
from ui import cache
from ui.charts import chart_with_table, table_expander
from ui.common import (
    Filters,
    apply_filters,
    asb_and_crime_note,
    attribution,
    get_dataset,
    missing_note,
    page_header,
    sidebar_filters,
)

ALL_HUBS = cache.ALL_HUBS
RATE, COUNT = "Rate per 1,000 residents", "Count"
ASB_FAMILY, CRIME_FAMILY = "ASB", "Crime"
MAP_HEIGHT_PX = 560
#: The drawing area the view is fitted to: the column's width, the figure less its title and colour bar.
VIEW_PX = (480, MAP_HEIGHT_PX - 120)
SNAPPED = "police.uk points are approximate (snapped to anonymous map points)"


# --- cached computations: keyed on the folder fingerprint and filter values, never on a whole frame ---


def families(chosen_types: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """ASB and crime are mapped apart (ASB is never added into crime): those the type filter keeps."""
    found = {}
    if ASB in chosen_types:
        found[ASB_FAMILY] = (ASB,)
    crimes = tuple(t for t in chosen_types if t != ASB)
    if crimes:
        found[CRIME_FAMILY] = crimes
    return found


# --- the panels ---


@st.fragment
def map_panel(dataset: Dataset, filters: Filters) -> None:
    """The map, its controls and the charts it filters; reruns on its own when clicked."""
    fp = dataset.fingerprint
    has_population = dataset.table("population.csv") is not None
    has_lsoa = dataset.lsoa is not None
    hubs_on_map = [h for h in dataset.hubs["hub"] if h in filters.hubs]
    if not hubs_on_map:
        st.info(
            f"Records in {UNASSIGNED} have no hub area to draw: choose at least one hub in the sidebar.",
            icon=":material/info:",
        )
        return
    kinds = families(filters.crime_types)
    controls = st.columns([1.1, 1.7, 1.4, 0.9], vertical_alignment="bottom")
    family = controls[0].radio(
        "Records",
        list(kinds),
        key="map_family",
        horizontal=True,
        help="ASB and crime are mapped apart: ASB is never added into crime. Crime excludes ASB.",
    )
    measure = controls[1].radio(
        "Shade by",
        [RATE, COUNT] if has_population else [COUNT],
        key="map_measure" if has_population else "map_measure_counts_only",
        horizontal=True,
        disabled=not has_population,
        help="Raw counts mostly map where people live: rates per 1,000 residents compare areas fairly.",
    )
    level = controls[2].selectbox(
        "Areas",
        [ALL_HUBS, *hubs_on_map],
        key="map_level",
        disabled=not has_lsoa,
        help="Pick a hub to shade its LSOAs." if has_lsoa else dataset.missing("lsoa.geojson"),
    )
    hotspots_on = controls[3].toggle(
        "Hotspots", key="map_hotspots", help=f"Records per hexagon. {SNAPPED}: no individual points are shown."
    )
    if not has_population:
        missing_note(dataset, "population.csv")
    elif measure == COUNT:
        st.caption(":material/info: Raw counts mostly map where people live: compare rates per 1,000 residents.")

    types = kinds[family]
    chosen = dataclasses.replace(filters, crime_types=types)
    rows = apply_filters(dataset.incidents, chosen)
    rows = rows.loc[rows["hub"] == level] if level != ALL_HUBS else rows.loc[rows["hub"] != UNASSIGNED]
    key = (fp, str(filters.start), str(filters.end), tuple(hubs_on_map), types, level)
    table = cache.mapped_table(rows, dataset, key)
    if measure == RATE and table["rate_per_1000"].isna().all():
        st.info(
            "population.csv has no residents for these areas, so counts are shown. "
            "Add rows for these area codes (ONS population estimates) to see rates.",
            icon=":material/info:",
        )
        measure = COUNT
    value = "rate_per_1000" if measure == RATE else "count"
    what = "ASB incidents" if family == ASB_FAMILY else "Crimes (excl. ASB)"
    value_title = f"{what} {maps.RATE_TITLE}" if measure == RATE else what

    if level == ALL_HUBS:
        boundaries = dataset.areas.loc[dataset.areas["area_code"].isin(table["code"])]
        drawn = set(boundaries["area_code"])
    else:
        boundaries = dataset.lsoa.loc[dataset.lsoa["lsoa_code"].isin(table["code"])]
        drawn = set(boundaries["lsoa_code"])
    if boundaries.empty:
        st.info(
            f"None of the mapped areas has a boundary in {'areas' if level == ALL_HUBS else 'lsoa'}.geojson: "
            "check that its codes match hubs.csv.",
            icon=":material/info:",
        )
        return
    bounds = tuple(float(b) for b in boundaries.total_bounds)
    view = maps.fit_view(bounds, *VIEW_PX)
    tolerance = maps.tolerance_for_view(bounds, VIEW_PX[0])
    geojson = cache.area_geojson(dataset, fp, level, tuple(sorted(drawn)), tolerance)
    note = maps.boundary_note(dataset.areas, dataset.is_generated)

    width_m = maps.nice_hex_width(bounds)
    hotspots = hotspot_geojson = None
    if hotspots_on:
        hotspots, hotspot_geojson = cache.hotspot_layer(
            cache.hex_index(dataset, fp, width_m).loc[rows.index], dataset, key, width_m
        )
    place = "hub areas" if level == ALL_HUBS else f"LSOAs of {level}"
    shaded = f"{what} per {width_m / 1000:g} km hexagon (hotspots)" if hotspots_on else value_title
    title = f"{shaded}, {place}<br><sup>{filters.period_label}"
    title += f" · {note}</sup>" if note else "</sup>"
    figure = maps.map_figure(
        table,
        geojson,
        code="code",
        name="name",
        value=value,
        value_title=value_title,
        value_format=",.2f" if measure == RATE else ",.0f",
        view=view,
        title=title,
        hotspots=hotspots,
        hotspot_geojson=hotspot_geojson,
        hotspot_title=f"Records per {width_m / 1000:g} km hexagon",
        height=MAP_HEIGHT_PX,
        revision=level,
    )

    left, right = st.columns([3, 2], gap="medium")
    with left:
        if note == maps.SCHEMATIC_NOTE:
            why = "generated sample" if dataset.is_generated else "so marked in areas.geojson"
            st.caption(f":material/warning: **{note}** ({why}).")
        elif note:
            st.caption(
                f":material/science: **{note}**: ONS district and LSOA boundaries; the records are invented "
                "(generated sample), each placed at a real police.uk map point."
            )
        unit = "hub" if level == ALL_HUBS else "LSOA"
        summary = maps.area_summary(
            table,
            value=value,
            what=value_title if level == ALL_HUBS else f"{value_title} in {level}",
            unit=unit,
            period=filters.period_label,
            value_format="{:,.2f}" if measure == RATE else "{:,.0f}",
        )
        if hotspots is not None:
            summary = f"{maps.hotspot_summary(hotspots, width_m)} {summary}"
        event = chart_with_table(
            figure,
            mapped_values(table, value, unit),
            summary,
            key="map",
            file_name="hub_map_areas.csv" if level == ALL_HUBS else f"hub_map_lsoas_{level}.csv",
            config={"scrollZoom": True, "displaylogo": False},
            on_select="rerun",
            selection_mode=("points",),
        )
        points = event.selection.points if event and event.selection else []
        if hotspots is not None:
            table_expander(
                table_view(
                    hotspots.assign(hexagon_width_m=width_m),
                    {
                        "cell_id": "Hexagon",
                        "count": "Records",
                        "latitude": "Centre latitude",
                        "longitude": "Centre longitude",
                        "hexagon_width_m": "Width (m)",
                    },
                ),
                "map_hotspots",
                file_name="hub_map_hotspots.csv",
                label="Hotspot hexagons table",
            )
        placement_notes(
            dataset, chosen, rows, level, hotspots_on, sorted(set(table["name"][~table["code"].isin(drawn)]))
        )
    with right:
        picked_codes = maps.selection_locations(points, 0)
        picked_cells = maps.selection_locations(points, 1) if hotspots_on else []
        cells = cache.hex_index(dataset, fp, width_m) if picked_cells else None
        side_charts(filters, rows, table, picked_codes, picked_cells, cells, level, measure, what)


def placement_notes(
    dataset: Dataset, chosen: Filters, rows: pd.DataFrame, level: str, hotspots_on: bool, undrawn: list[str]
) -> None:
    """Records that are not on the map, counted: never silently dropped."""
    in_period = dataset.incidents["month"].between(chosen.start, chosen.end)
    of_type = dataset.incidents["crime_type"].isin(chosen.crime_types)
    unplaced = int(((dataset.incidents["hub"] == UNASSIGNED) & in_period & of_type).sum())
    notes = [f"**{unplaced:,} records could not be placed in a hub area** (no usable LSOA code or location)."]
    if undrawn:
        notes.append(f"No boundary to draw for: {', '.join(undrawn)} (numbers in the table).")
    if level != ALL_HUBS:
        outside = int((~rows["lsoa_code"].astype("str").isin(set(dataset.lsoa["lsoa_code"]))).sum())
        if outside:
            notes.append(f"{outside:,} of {level}'s records have no LSOA in lsoa.geojson, so no LSOA shows them.")
    if hotspots_on:
        notes.append(f"Hotspots: {SNAPPED}, so they are counted per hexagon; no individual points are shown.")
        no_place = int(rows["longitude"].isna().sum())
        if no_place:
            notes.append(f"{no_place:,} records have no location and are not in the hotspots.")
    st.caption(" ".join(notes))


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


def side_charts(
    filters: Filters,
    rows: pd.DataFrame,
    table: pd.DataFrame,
    picked_codes: list[str],
    picked_cells: list[str],
    cells: pd.DataFrame | None,
    level: str,
    measure: str,
    what: str,
) -> None:
    """Monthly trend and crime types of what was clicked on the map (every mapped area when nothing)."""
    picked = table.loc[table["code"].isin(picked_codes)]
    selected = rows
    if not picked.empty:
        if level == ALL_HUBS:
            selected = selected.loc[selected["hub"].astype("str").isin(picked["name"])]
        else:
            selected = selected.loc[selected["lsoa_code"].astype("str").isin(picked["code"])]
    names = picked["name"].tolist()
    if picked_cells and cells is not None:
        ids = cells.loc[selected.index].pipe(
            lambda c: c["q"].astype("Int64").astype("str") + "_" + c["r"].astype("Int64").astype("str")
        )
        selected = selected.loc[ids.isin(picked_cells).to_numpy()]
        names.append(f"{len(picked_cells)} hotspot hexagon{'s' if len(picked_cells) > 1 else ''}")
    label = " + ".join(names) if names else ("every mapped hub" if level == ALL_HUBS else f"all of {level}")
    st.markdown(f"**Showing: {label}**")
    st.caption("Click areas on the map to filter these charts (shift-click for more); double-click the map to clear.")
    people = (picked if not picked.empty else table)["residents"]
    residents = float(people.sum())
    # a rate only when every area shown has residents (a partial denominator would inflate it)
    use_rate = measure == RATE and not picked_cells and people.notna().all() and residents > 0
    stream = "asb" if what == "ASB incidents" else "crime"
    supplied = dataset.coverage.supplied(stream, None, filters.months)
    gaps = list(filters.months[~supplied.to_numpy()])
    trend = maps.trend_table(selected, filters.months, residents if use_rate else None, supplied)
    y = "rate_per_1000" if use_rate else "count"
    figure = trend_figure(
        trend,
        x="month",
        y=y,
        series=None,
        y_title=f"{what} {maps.RATE_TITLE}" if use_rate else what,
        title=f"{what} by month: {label}",
        hover_format=",.2f" if use_rate else ",.0f",
        not_supplied=gaps,
    )
    in_words = f"{what} {maps.RATE_TITLE}" if use_rate else f"{what} a month"
    chart_with_table(
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
        key="map_trend",
        file_name="hub_map_trend.csv",
    )
    if what != "ASB incidents":
        types = maps.type_counts(selected, [t for t in filters.crime_types if t != ASB])
        chart_with_table(
            maps.crime_type_figure(types, title=f"Crimes by type: {label}", height=90 + 26 * len(types)),
            table_view(
                types.sort_values("count", ascending=False, kind="stable"),
                {"crime_type": "Crime type", "count": "Records"},
            ),
            chart_summary(types, x="crime_type", y="count", what=f"Crimes, {label},"),
            key="map_types",
            file_name="hub_map_types.csv",
        )


# --- the page ---

dataset = get_dataset()
page_header(
    "Hub map",
    dataset,
    "Where records concentrate, per 1,000 residents. Click an area to filter the charts beside the map.",
)
filters = sidebar_filters(dataset)
if dataset.incidents.empty:
    st.warning("No incident records are loaded. Open the Data page to see why and to add police.uk files.")
elif not families(filters.crime_types):
    st.info("Choose at least one crime type in the sidebar.", icon=":material/info:")
elif missing_note(dataset, "areas.geojson"):
    st.caption("Without boundaries the map cannot be drawn: the Overview page has the numbers per hub.")
else:
    map_panel(dataset, filters)
st.caption(asb_and_crime_note())
attribution()
