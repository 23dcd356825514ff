"""Overview: the headline figures, the period they cover, and ASB over time — readable in 30 seconds."""

import pandas as pd
import streamlit as st

from analysis.a11y import chart_summary, table_view
from analysis.figures import trend_figure
from analysis.metrics import compare_periods, summary
from analysis.schema import UNASSIGNED
from ui.charts import chart_with_table
from ui.common import (
    asb_and_crime_note,
    attribution,
    csv_download,
    get_dataset,
    page_header,
    sidebar_filters,
)

dataset = get_dataset()
page_header("Overview", dataset, "What is happening across the Local Focus hub areas, month by month.")
filters = sidebar_filters(dataset, crime_types=False)
if dataset.incidents.empty:
    st.warning("No incident records are loaded. Open the Data page to see why and to add police.uk files.")
    st.stop()


@st.cache_data(max_entries=32, show_spinner=False)
def _summary(_key: tuple, hubs: tuple[str, ...], start: str, end: str) -> pd.DataFrame:
    incidents = dataset.incidents
    keep = incidents["month"].between(pd.Period(start, "M"), pd.Period(end, "M")) & incidents["hub"].isin(hubs)
    table = summary(incidents.loc[keep], dataset.hubs, dataset.table("population.csv"), dataset.table("resourcing.csv"))
    return table[table["hub"].isin(hubs) & table["month"].between(pd.Period(start, "M"), pd.Period(end, "M"))]


table = _summary(dataset.fingerprint, filters.hubs, str(filters.start), str(filters.end))
hubs_table = table[table["hub"] != UNASSIGNED]
last_month = dataset.months[-1]

hub_count = len([h for h in filters.hubs if h != UNASSIGNED])
st.caption(
    f"Figures cover **{filters.period_label}**, {hub_count} hub area{'s' if hub_count != 1 else ''}"
    f"{' and records not placed in a hub' if UNASSIGNED in filters.hubs else ''}. {asb_and_crime_note()}"
)
asb, crime = int(table["asb"].sum()), int(table["crime"].sum())
residents = hubs_table.groupby("hub")["population"].first().sum()
columns = st.columns(5)
columns[0].metric("ASB incidents", f"{asb:,}", help="Anti-social behaviour records in the period.")
columns[1].metric("Crimes (excluding ASB)", f"{crime:,}")
if residents > 0:
    per_1000 = hubs_table["asb"].sum() / residents * 1000 / len(filters.months)
    columns[2].metric("ASB per 1,000 a month", f"{per_1000:.2f}")
else:
    columns[2].metric("ASB per 1,000 a month", "—", help="No population.csv: rates cannot be shown.")
columns[3].metric("Data to", last_month.strftime("%b %Y"), help="The latest month in the police.uk files loaded.")
unassigned = int(table.loc[table["hub"] == UNASSIGNED, ["asb", "crime"]].to_numpy().sum())
columns[4].metric(
    "Not placed in a hub",
    f"{unassigned:,}",
    help="Records with no LSOA and no point inside a hub area: counted here, never dropped.",
)

county_asb = table.groupby("month")["asb"].sum()
comparison = compare_periods(county_asb, 12)
with st.container(border=True):
    if comparison is None:
        st.markdown(
            f"**Year on year:** not enough history. A fair comparison needs 24 months in the period "
            f"(12 against the 12 before, so that seasons match); this period has {len(county_asb)}."
        )
    else:
        st.markdown(f"**Year on year:** {comparison.sentence('ASB')}")
        st.caption(
            "The interval allows for month-to-month swings beyond chance (quasi-Poisson). It describes change, "
            "not its cause: see Precept outcomes for the estimate linked to the hubs."
        )

view = (
    st.segmented_control(
        "Show", ["County total", "Each hub"], default="County total", key="overview_view", label_visibility="collapsed"
    )
    or "County total"
)  # a second click deselects: fall back to the county view
rate = hubs_table["population"].notna().any()
if view == "Each hub":
    y = "asb_rate_per_1000" if rate else "asb"
    y_title = "ASB per 1,000 residents" if rate else "ASB incidents"
    chart_table = hubs_table[["hub", "month", "asb", "population", "asb_rate_per_1000"]]
    figure = trend_figure(
        chart_table, x="month", y=y, series="hub", y_title=y_title, hover_format=",.2f" if rate else ",.0f"
    )
else:
    county = table.groupby("month")[["asb", "crime"]].sum().reset_index()
    chart_table = county.melt(id_vars="month", var_name="measure", value_name="records").assign(
        measure=lambda d: d["measure"].map({"asb": "ASB incidents", "crime": "Crimes (excluding ASB)"})
    )
    y_title = "Records a month, county"
    figure = trend_figure(chart_table, x="month", y="records", series="measure", y_title=y_title)
chart_title = "ASB" if view == "Each hub" else "ASB and crime"
figure.update_layout(
    title={"text": f"{chart_title}, {filters.period_label}", "y": 0.97, "yanchor": "top"}, margin={"t": 90}, height=400
)
if view == "Each hub":
    summary_text = chart_summary(
        chart_table, x="month", y=y, what=y_title, series="hub", value_format="{:,.2f}" if rate else "{:,.0f}"
    )
    readable = table_view(chart_table, {"hub": "Hub", "month": "Month", "asb": "ASB", y: y_title})
else:
    summary_text = chart_summary(chart_table, x="month", y="records", what="records a month", series="measure")
    readable = table_view(chart_table, {"month": "Month", "measure": "Measure", "records": "Records"})
chart_with_table(figure, readable, summary_text, key="overview_trend")
asb_rows = chart_table if view == "Each hub" else county
if len(asb_rows):
    peak = asb_rows.loc[asb_rows["asb"].idxmax()]
    where = f" in {peak['hub']}" if view == "Each hub" else " across the county"
    st.caption(f"Highest ASB month: {peak['month'].strftime('%b %Y')} with {int(peak['asb']):,} records{where}.")
csv_download(chart_table, "Download the data behind this chart", "asb_trend.csv", key="dl_overview_trend")
attribution()
