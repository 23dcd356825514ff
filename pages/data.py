"""Data: what is loaded, coverage by month and file, the validation report, rejected rows."""

import pandas as pd
import streamlit as st

from analysis.dataset import DATA_DIR_ENV
from analysis.report import rejected_rows, reports_frame
from ui.common import attribution, csv_download, get_dataset, page_header

dataset = get_dataset()
page_header("Data", dataset, "What is loaded, which months each file covers, and every row that was set aside.")

st.markdown(f"Folder in use: `{dataset.folder}` (set `{DATA_DIR_ENV}` to load another folder).")
if dataset.is_generated:
    st.warning(
        "This is a generated sample made by `data/generate.py`: its incidents, hubs' areas, deployment and "
        "cases are invented to show how the dashboard works. The hub areas on maps are schematic shapes.",
        icon=":material/science:",
    )

reports = dataset.reports
files = reports_frame(reports)
read, accepted = int(files["rows_read"].sum()), int(files["rows_accepted"].sum())
rejected = int(files["rows_rejected"].sum())
columns = st.columns(4)
columns[0].metric("Rows read", f"{read:,}")
columns[1].metric("Accepted", f"{accepted:,}")
columns[2].metric("Rejected (kept below)", f"{rejected:,}")
columns[3].metric("Files unusable", f"{int((~files['usable']).sum()):,}")

for report in reports:
    if report.problem:
        st.error(report.problem, icon=":material/error:")

st.subheader("Files")
st.dataframe(
    files,
    hide_index=True,
    column_config={
        "usable": st.column_config.CheckboxColumn("usable"),
        "rows_read": st.column_config.NumberColumn("read", format="%d"),
        "rows_accepted": st.column_config.NumberColumn("accepted", format="%d"),
        "rows_rejected": st.column_config.NumberColumn("rejected", format="%d"),
    },
    key="files_table",
)

st.subheader("Rejected rows")
rejected_table = rejected_rows(reports)
if rejected_table.empty:
    st.success("No row was rejected.", icon=":material/check_circle:")
else:
    st.dataframe(rejected_table.head(1000), hide_index=True, key="rejected_table")
    if len(rejected_table) > 1000:
        st.caption(f"Showing the first 1,000 of {len(rejected_table):,}; the download has them all.")
    csv_download(rejected_table, "Download every rejected row", "rejected_rows.csv", key="dl_rejected")

st.subheader("Coverage by month")
incidents = dataset.incidents
if incidents.empty:
    st.info("No incident records loaded.")
else:
    coverage = incidents.groupby("month").size().reindex(dataset.months, fill_value=0).rename("records")
    gaps = coverage[coverage == 0]
    if len(gaps):
        st.warning("Months with no records (missing files?): " + ", ".join(str(m) for m in gaps.index))
    by_file = (
        incidents.groupby(["source_file", "month"], observed=True)
        .size()
        .rename("records")
        .reset_index()
        .assign(month=lambda d: d["month"].astype("str"))
    )
    st.dataframe(by_file, hide_index=True, key="coverage_table")
    assigned = incidents["assigned_by"].value_counts().rename_axis("placed by").rename("records").reset_index()
    st.markdown(
        "**How records were placed in hubs** (LSOA code first, then LSOA name, then the point; else Unassigned)"
    )
    st.dataframe(assigned, hide_index=True, key="assigned_table")
    csv_download(
        pd.DataFrame({"month": coverage.index.astype("str"), "records": coverage.to_numpy()}),
        "Download coverage by month",
        "coverage.csv",
        key="dl_coverage",
    )
attribution()
