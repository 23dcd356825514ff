"""Hub map: where records concentrate, as a rate per 1,000 residents, with an LSOA drill-down and hotspots."""

from __future__ import annotations

import streamlit as st

from analysis.load.dataset import Dataset
from analysis.measures.maps.figures import selection_locations
from analysis.measures.maps.hub_map import (
    ALL_HUBS,
    COUNT,
    RATE,
    SNAPPED,
    MapRequest,
    families,
    map_hubs,
)
from analysis.schema import UNASSIGNED
from ui import cache
from ui.charts import chart_with_table, table_expander
from ui.common import NO_INCIDENTS, Filters, asb_and_crime_note, attribution, missing_note, page_start


@st.fragment
def map_panel(dataset: Dataset, filters: Filters) -> None:
    """The map, its controls and the charts it filters; reruns on its own when clicked."""
    has_population = dataset.table("population.csv") is not None
    has_lsoa = dataset.lsoa is not None
    hubs_on_map = map_hubs(dataset, filters.hubs)
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

    request = MapRequest(
        filters.start,
        filters.end,
        hubs_on_map,
        kinds[family],
        level=level,
        rate=measure == RATE,
        hotspots=hotspots_on,
        period_label=filters.period_label,
    )
    mapped = cache.hub_map(dataset, request)
    if mapped.rate_fallback:
        st.info(
            "population.csv has no residents for these areas, so counts are shown. "
            "Add rows for these area codes (ONS population estimates) to see rates.",
            icon=":material/info:",
        )
    if mapped.figure is None:
        st.info(mapped.no_boundary, icon=":material/info:")
        return

    left, right = st.columns([3, 2], gap="medium")
    with left:
        if mapped.note_caption:
            st.caption(mapped.note_caption)
        event = chart_with_table(
            mapped.figure,
            mapped.values,
            mapped.summary,
            key="map",
            file_name=mapped.file_name,
            config={"scrollZoom": True, "displaylogo": False},
            on_select="rerun",
            selection_mode=("points",),
        )
        points = event.selection.points if event and event.selection else []
        if mapped.hotspots is not None:
            table_expander(
                mapped.hotspots, "map_hotspots", file_name="hub_map_hotspots.csv", label="Hotspot hexagons table"
            )
        st.caption(mapped.placement)
    with right:
        picked_cells = selection_locations(points, 1) if hotspots_on else []
        side = cache.hub_map_side(dataset, request, tuple(selection_locations(points, 0)), tuple(picked_cells))
        st.markdown(f"**Showing: {side.label}**")
        st.caption(
            "Click areas on the map to filter these charts (shift-click for more); double-click the map to clear."
        )
        chart_with_table(
            side.trend.figure, side.trend.table, side.trend.summary, key="map_trend", file_name="hub_map_trend.csv"
        )
        if side.types is not None:
            chart_with_table(
                side.types.figure, side.types.table, side.types.summary, key="map_types", file_name="hub_map_types.csv"
            )


start = page_start(
    "Hub map",
    "Where records concentrate, per 1,000 residents. Click an area to filter the charts beside the map.",
    need_incidents=False,
)
filters = start.filters
if start.dataset.records.empty:
    st.warning(NO_INCIDENTS)
elif not families(filters.crime_types):
    st.info("Choose at least one crime type in the sidebar.", icon=":material/info:")
elif missing_note(start.dataset, "areas.geojson"):
    st.caption("Without boundaries the map cannot be drawn: the Overview page has the numbers per hub.")
else:
    map_panel(start.dataset, filters)
st.caption(asb_and_crime_note())
attribution()
