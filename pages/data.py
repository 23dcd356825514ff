"""Data: what is loaded, coverage by month and file, the validation report, rejected rows, and new files."""

import streamlit as st

from analysis.load.dataset import DATA_DIR_ENV, default_data_dir
from ui import cache
from ui.access import may_write, sees_internal
from ui.charts import chart_with_table
from ui.common import attribution, csv_download, page_start
from ui.fetch_panel import fetch_panel
from ui.uploads import forget_stale_overlay, session_banner, upload_panel

base = default_data_dir()  # the configured folder: uploads are saved here and overlaid on it, never on an overlay
forget_stale_overlay(base)
dataset = page_start(
    "Data",
    "What is loaded, which months each file covers, and every row that was set aside.",
    filters=False,
    need_incidents=False,
).dataset

if sees_internal():  # a public site never shows the server's folder
    st.markdown(f"Folder in use: `{base}` (set `{DATA_DIR_ENV}` to load another folder).")
session_banner()
if dataset.is_generated:
    st.warning(
        "This is a generated sample made by `data/generate.py`: its incidents, launch dates, deployment and "
        "cases are invented to show how the dashboard works. It sits on real ground: the hub areas and LSOAs "
        "are the real Cumbria boundaries (ONS), the residents are ONS figures, and each incident is placed at "
        "a real police.uk map point.",
        icon=":material/science:",
    )

loaded = cache.data_files(dataset.fingerprint, dataset)
columns = st.columns(4)
columns[0].metric("Rows read", f"{loaded.rows_read:,}")
columns[1].metric("Accepted", f"{loaded.rows_accepted:,}")
columns[2].metric("Rejected (kept below)", f"{loaded.rows_rejected:,}")
columns[3].metric("Files unusable", f"{loaded.files_unusable:,}")
for problem in loaded.problems:
    st.error(problem, icon=":material/error:")

if sees_internal():  # a public site takes no uploads
    upload_panel(base, dataset)

# Fetching writes into the data folder: only for those who may save (an editor, or the laptop).
fetch_panel(base, allowed=may_write(), generated=dataset.is_generated)
st.subheader("Files")
st.dataframe(
    loaded.files,
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
rejected = loaded.rejected
if not sees_internal():
    st.info("Rejected rows are internal: the public site shows only how many there are.", icon=":material/lock:")
elif rejected.empty:
    st.success("No row was rejected.", icon=":material/check_circle:")
else:
    st.dataframe(rejected.head(1000), hide_index=True, key="rejected_table")
    if len(rejected) > 1000:
        st.caption(f"Showing the first 1,000 of {len(rejected):,}; the download has them all.")
    csv_download(rejected, "Download every rejected row", "rejected_rows.csv", key="dl_rejected")

st.subheader("Coverage by month")
if dataset.records.empty:
    st.info("No incident records loaded.")
else:
    coverage = cache.data_coverage(dataset.fingerprint, dataset)
    chart_with_table(coverage.strip, coverage.strip_table, coverage.strip_summary, key="data_coverage")
    if coverage.not_supplied:
        st.warning(coverage.not_supplied, icon=":material/event_busy:")
    if coverage.hub_gaps:
        st.warning(coverage.hub_gaps, icon=":material/event_busy:")
    if coverage.resupplied:
        st.info(coverage.resupplied, icon=":material/content_copy:")
    st.dataframe(coverage.months_table, hide_index=True, key="coverage_months")
    st.dataframe(coverage.by_file, hide_index=True, key="coverage_table")
    st.markdown(
        "**How records were placed in hubs** (LSOA code, a 2021 code through the ONS lookup, the LSOA name, "
        f"then the point; else Unassigned). Hubs: {dataset.hubs_source}."
    )
    st.dataframe(coverage.placed, hide_index=True, key="assigned_table")
    csv_download(coverage.months, "Download coverage by month", "coverage.csv", key="dl_coverage")
attribution()
