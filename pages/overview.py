"""Overview: the headline figures, the period they cover, and ASB over time — readable in 30 seconds."""

import streamlit as st

from analysis.measures.overview import VIEWS
from analysis.schema import UNASSIGNED
from ui import cache
from ui.charts import chart_with_table
from ui.common import asb_and_crime_note, attribution, csv_download, page_start

start = page_start("Overview", "What is happening across the Local Focus hub areas, month by month.", crime_types=False)
dataset, filters = start.dataset, start.filters

# The view's widget is drawn further down; its value is known from the session before then.
view = st.session_state.get("overview_view") or VIEWS[0]
figures, trend, strip = cache.overview_charts(dataset, filters, view if view in VIEWS else VIEWS[0])
gaps = sorted(set(figures.missing["asb"]) | set(figures.missing["crime"]))

hub_count = len(start.hubs)
st.caption(
    f"Figures cover **{filters.period_label}**, {hub_count} hub area{'s' if hub_count != 1 else ''}"
    f"{' and records not placed in a hub' if UNASSIGNED in filters.hubs else ''}. {asb_and_crime_note()}"
)
if gaps:
    st.warning(filters.gap_note or "", icon=":material/event_busy:")


def _count(value: float | None) -> str:
    return "not supplied" if value is None else f"{value:,.0f}"


def _months_note(stream: str) -> str | None:
    missing = len(figures.missing[stream])
    return f"{figures.months - missing} of {figures.months} months" if missing else None


columns = st.columns(5)
columns[0].metric(
    "ASB incidents",
    _count(figures.asb),
    delta=_months_note("asb"),
    delta_color="off",
    delta_arrow="off",
    help="Anti-social behaviour records in the months supplied.",
)
columns[1].metric(
    "Crimes (excluding ASB)", _count(figures.crime), delta=_months_note("crime"), delta_color="off", delta_arrow="off"
)
if figures.asb_per_1000_month is not None:
    years = ", ".join(str(y) for y in figures.population_years)
    columns[2].metric(
        "ASB per 1,000 a month",
        f"{figures.asb_per_1000_month:.2f}",
        help=f"Over the months supplied only. Residents: population of {years} (the nearest year to each month).",
    )
else:
    no_rate = "ASB not supplied for this period." if figures.asb is None else "No population.csv: no rates."
    columns[2].metric("ASB per 1,000 a month", "—", help=no_rate)
columns[3].metric("Data to", dataset.months[-1].strftime("%b %Y"), help="The latest month in the police.uk files.")
columns[4].metric(
    "Not placed in a hub",
    "not supplied" if figures.unassigned is None else f"{figures.unassigned:,.0f}",
    help="Records with no LSOA and no point inside a hub area: counted here, never dropped.",
)

with st.container(border=True):
    comparison = figures.comparison
    if comparison is None:
        st.markdown(
            f"**Year on year:** not enough history. A fair comparison needs 24 months in the period "
            f"(12 against the 12 before, so that seasons match); this period has {figures.months}."
        )
    else:
        st.markdown(f"**Year on year:** {comparison.sentence('ASB')}")
        st.caption(
            "The interval allows for month-to-month swings beyond chance (quasi-Poisson). It describes change, "
            "not its cause: see Precept outcomes for the estimate linked to the hubs. Every month of both years "
            "must be supplied for a comparison to be made."
        )

if strip is not None:
    chart_with_table(*strip, key="overview_coverage")

# A second click deselects: the county view then.
st.segmented_control("Show", VIEWS, default=VIEWS[0], key="overview_view", label_visibility="collapsed")
chart_with_table(trend.figure, trend.readable, trend.summary, key="overview_trend")
if trend.peak:
    st.caption(trend.peak)
csv_download(trend.data, "Download the data behind this chart", "asb_trend.csv", key="dl_overview_trend")
attribution()
