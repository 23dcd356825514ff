"""Overview: the headline figures, the period they cover, and ASB by hub over time."""

import streamlit as st

from analysis.figures import trend_figure
from analysis.metrics import summary
from analysis.schema import UNASSIGNED
from ui.common import (
    apply_filters,
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

incidents = apply_filters(dataset.incidents, filters, crime_types=False)
table = summary(incidents, dataset.hubs, dataset.table("population.csv"), dataset.table("resourcing.csv"))
table = table[table["hub"].isin(filters.hubs) & table["month"].between(filters.start, filters.end)]
hubs_table = table[table["hub"] != UNASSIGNED]

st.caption(f"Figures cover **{filters.period_label}**, {len(filters.hubs)} hub(s). {asb_and_crime_note()}")
asb, crime = int(table["asb"].sum()), int(table["crime"].sum())
residents = hubs_table.groupby("hub")["population"].first().sum()
columns = st.columns(4)
columns[0].metric("ASB incidents", f"{asb:,}", help="Anti-social behaviour records in the period.")
columns[1].metric("Crimes (excluding ASB)", f"{crime:,}")
if residents > 0:
    per_1000 = hubs_table["asb"].sum() / residents * 1000 / len(filters.months)
    columns[2].metric(
        "ASB per 1,000 residents a month", f"{per_1000:.2f}", help="Hub areas only; residents from population.csv."
    )
else:
    columns[2].metric("ASB per 1,000 residents a month", "—", help="No population.csv: rates cannot be shown.")
unassigned = int(table.loc[table["hub"] == UNASSIGNED, ["asb", "crime"]].to_numpy().sum())
columns[3].metric(
    "Records not placed in a hub",
    f"{unassigned:,}",
    help="No LSOA and no point inside a hub area: counted here, never dropped.",
)

rate_column = "asb_rate_per_1000" if hubs_table["population"].notna().any() else "asb"
y_title = "ASB per 1,000 residents" if rate_column != "asb" else "ASB incidents"
figure = trend_figure(
    hubs_table,
    x="month",
    y=rate_column,
    series="hub",
    y_title=y_title,
    title=f"ASB by hub, {filters.period_label}",
    hover_format=",.2f" if rate_column != "asb" else ",.0f",
)
st.plotly_chart(figure, key="overview_trend", alt=f"Line chart of {y_title.lower()} by hub and month.")
csv_download(
    hubs_table[["hub", "month", "asb", "crime", "population", "asb_rate_per_1000"]],
    "Download the data behind this chart",
    "asb_by_hub.csv",
    key="dl_overview_trend",
)
attribution()
