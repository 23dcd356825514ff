"""Briefing: the public briefing for a projector, one idea per screen, and the same pack as a PDF."""

import streamlit as st

from analysis.outputs.briefing.model import LOCATION_NOTE
from ui import cache
from ui.access import public_site
from ui.briefing import CHART_CONFIG, SCREEN_KEY, keep, navigation, notes_caption, restore, style, table_cells
from ui.charts import chart_with_table, plain, table_expander
from ui.common import NO_INCIDENTS, attribution, csv_download, get_dataset, page_header

PERIODS = (3, 6, 12)

dataset = get_dataset()
if dataset.records.empty:
    page_header("Briefing", dataset)
    st.warning(NO_INCIDENTS)
    st.stop()

for name, default in (("briefing_projector", False), ("briefing_public", True), ("briefing_months", 12)):
    restore(name, default)
projector = st.session_state["briefing_projector"]
style(projector)

if not projector:
    page_header(
        "Briefing",
        dataset,
        "For a public meeting: one chart and one plain sentence per screen. "
        "Switch on projector mode for large type, and export the same screens as a PDF pack.",
    )
    with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        st.segmented_control(
            "Period",
            PERIODS,
            key="briefing_months",
            required=True,
            format_func=lambda m: f"Last {m} months",
            on_change=keep,
            args=("briefing_months",),
        )
        if not public_site():  # a public site has public mode fixed on: no switch
            st.toggle(
                "Public mode",
                key="briefing_public",
                on_change=keep,
                args=("briefing_public",),
                help="On: no case texts, counts below 10 hidden, neighbourhood counts rounded to 5.",
            )

public, months = st.session_state["briefing_public"] or public_site(), st.session_state["briefing_months"]
key = dataset.fingerprint
try:
    briefing = cache.briefing(str(dataset.folder), key, public, months, dataset)
except ValueError as e:
    st.error(str(e))
    st.stop()

screens = briefing.screens
index = min(st.session_state.get(SCREEN_KEY, 0), len(screens) - 1)
st.session_state[SCREEN_KEY] = index
screen = screens[index]

if not public:
    st.warning("Internal view: exact small numbers. Do not show this on a projector.", icon=":material/lock_open:")
with st.container(key="briefing_title"):
    st.header(plain(screen.title), anchor=False)
with st.container(key="briefing_sentence"):
    st.markdown(plain(screen.sentence))

chart_key = f"briefing_{screen.key}"
if screen.figure is not None and projector:
    with st.container(key="briefing_chart_box"):
        st.plotly_chart(
            screen.figure,
            key=f"{chart_key}_chart",
            alt=screen.summary,
            height="stretch",
            theme=None,
            config=CHART_CONFIG,
        )
    table_expander(screen.table, chart_key, summary=screen.summary, label="Chart in words and table")
elif screen.figure is not None:
    chart_with_table(
        screen.figure,
        screen.table,
        screen.summary,
        chart_key,
        file_name=f"briefing-{screen.key}.csv",
        height=520,
        theme=None,
        config=CHART_CONFIG,
    )
else:
    st.table(table_cells(screen.table))
    if not projector:
        csv_download(screen.table, "Download this table (CSV)", f"briefing-{screen.key}.csv", key=f"{chart_key}_csv")

st.caption(notes_caption(screen, projector=projector, generated=dataset.is_generated))

navigation(index, len(screens))

if not projector:
    st.subheader("Take it away", anchor=False)
    st.markdown(
        f"The same {len(screens)} screens as a PDF pack (title page, one page per screen, method page), "
        "and each chart as a PNG for slides. Drawing the images takes a few seconds."
    )
    with st.container(horizontal=True, gap="medium"):
        st.download_button(
            "Briefing pack (PDF)",
            data=lambda: cache.briefing_pack(str(dataset.folder), key, public, months, dataset).pdf,
            file_name=f"{briefing.file_stem}.pdf",
            mime="application/pdf",
            key="briefing_pdf",
            on_click="ignore",
            icon=":material/picture_as_pdf:",
            type="primary",
        )
        st.download_button(
            "Chart images (PNG, zip)",
            data=lambda: cache.briefing_pack(str(dataset.folder), key, public, months, dataset).charts_zip,
            file_name=f"{briefing.file_stem}-charts.zip",
            mime="application/zip",
            key="briefing_png",
            on_click="ignore",
            icon=":material/image:",
        )
    with st.expander("How these figures were made"):
        for paragraph in briefing.method:
            st.markdown(plain(paragraph))
    st.caption(plain(LOCATION_NOTE))
    attribution()
