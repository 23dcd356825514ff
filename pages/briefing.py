"""Briefing: the public briefing for a projector, one idea per screen, and the same pack as a PDF."""

import streamlit as st

from analysis.outputs.briefing import (
    GENERATED_NOTE,
    LOCATION_NOTE,
)
from ui import cache
from ui.access import public_site
from ui.charts import chart_with_table, plain, table_expander
from ui.common import attribution, csv_download, get_dataset, page_header

PERIODS = (3, 6, 12)
CONFIG = {"displayModeBar": False, "responsive": True}
#: Projector theme: large dark type on white (#111 on #fff is 18.9:1), no sidebar or toolbar,
#: and a column that fills the screen so the chart takes what the text leaves.
PROJECTOR_CSS = """
<style>
html { font-size: clamp(24px, 1.45vw, 32px); }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] {
  max-width: 100% !important; padding: 0.5rem 1.2rem 0.5rem !important;
  height: 100vh; box-sizing: border-box; display: flex; flex-direction: column;
}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { flex: 1 1 auto; min-height: 0; gap: 0.4rem; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > * { flex-shrink: 0; }
[data-testid="stLayoutWrapper"]:has(> .st-key-briefing_chart_box) { flex: 1 1 0 !important; min-height: 7rem; }
.st-key-briefing_chart_box, .st-key-briefing_chart_box [data-testid="stElementContainer"],
.st-key-briefing_chart_box [data-testid="stFullScreenFrame"],
.st-key-briefing_chart_box [data-testid="stPlotlyChart"] { height: 100%; }
[data-testid="stCaptionContainer"] { color: #111111 !important; opacity: 1 !important; font-size: 0.95rem; }
.st-key-briefing_sentence p { font-size: 1.15rem; font-weight: 600; line-height: 1.3; }
.st-key-briefing_title h2 { font-size: 1.5rem; padding: 0 0 0.5rem 0; }
[data-testid="stTable"] { font-size: 1rem; }
[data-testid="stTable"] th, [data-testid="stTable"] td { color: #111111 !important; }
.stMarkdownBadge { color: #111111 !important; font-size: 1rem !important; }
[data-testid="stMain"] button p, [data-testid="stMain"] [data-testid="stWidgetLabel"] p,
[data-testid="stMain"] summary p { font-size: 1rem !important; }
kbd { font-size: 0.95rem !important; }
</style>
"""
NORMAL_CSS = """
<style>
.st-key-briefing_sentence p { font-size: 1.3rem; font-weight: 600; line-height: 1.35; }
</style>
"""


def _keep(name: str) -> None:
    """Keep a widget's value when it is not drawn (projector mode hides some controls)."""
    st.session_state[f"_kept_{name}"] = st.session_state[name]


def _restore(name: str, default: object) -> None:
    st.session_state[name] = st.session_state.get(f"_kept_{name}", default)


def _step(by: int, count: int) -> None:
    st.session_state["briefing_screen"] = min(max(st.session_state.get("briefing_screen", 0) + by, 0), count - 1)


dataset = get_dataset()
if dataset.incidents.empty:
    page_header("Briefing", dataset)
    st.warning("No incident records are loaded. Open the Data page to see why and to add police.uk files.")
    st.stop()

for name, default in (("briefing_projector", False), ("briefing_public", True), ("briefing_months", 12)):
    _restore(name, default)
projector = st.session_state["briefing_projector"]
st.html(PROJECTOR_CSS if projector else NORMAL_CSS)

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
            on_change=_keep,
            args=("briefing_months",),
        )
        if not public_site():  # a public site has public mode fixed on: no switch
            st.toggle(
                "Public mode",
                key="briefing_public",
                on_change=_keep,
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
index = min(st.session_state.get("briefing_screen", 0), len(screens) - 1)
st.session_state["briefing_screen"] = index
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
            screen.figure, key=f"{chart_key}_chart", alt=screen.summary, height="stretch", theme=None, config=CONFIG
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
        config=CONFIG,
    )
else:
    # st.table renders Markdown in cells: escape the data.
    st.table(screen.table.map(plain).rename(columns=plain).set_index(plain(screen.table.columns[0])))
    if not projector:
        csv_download(screen.table, "Download this table (CSV)", f"briefing-{screen.key}.csv", key=f"{chart_key}_csv")

if projector:
    # One line: the generated-data mark as a badge, then the other notes.
    badge = ":orange-badge[:material/science: Generated sample data — not real]" if dataset.is_generated else ""
    st.caption(" ".join([badge, *(plain(n) for n in screen.notes if n != GENERATED_NOTE)]).strip())
else:
    st.caption("  \n".join(plain(n) for n in screen.notes))

with st.container(horizontal=True, vertical_alignment="center", gap="medium", key="briefing_nav"):
    st.button(
        "Previous",
        key="briefing_prev",
        icon=":material/arrow_back:",
        on_click=_step,
        args=(-1, len(screens)),
        disabled=index == 0,
        shortcut="Left",
    )
    st.markdown(f"**{index + 1} of {len(screens)}**")
    st.button(
        "Next",
        key="briefing_next",
        icon=":material/arrow_forward:",
        icon_position="right",
        on_click=_step,
        args=(1, len(screens)),
        disabled=index == len(screens) - 1,
        type="primary",
        shortcut="Right",
    )
    st.toggle("Projector mode", key="briefing_projector", on_change=_keep, args=("briefing_projector",))

if not projector:
    st.subheader("Take it away", anchor=False)
    st.markdown(
        f"The same {len(screens)} screens as a PDF pack (title page, one page per screen, method page), "
        "and each chart as a PNG for slides. Drawing the images takes a few seconds."
    )
    stem = f"briefing-{briefing.end}-{'public' if public else 'internal'}"
    with st.container(horizontal=True, gap="medium"):
        st.download_button(
            "Briefing pack (PDF)",
            data=lambda: cache.briefing_pack(str(dataset.folder), key, public, months, dataset)[0],
            file_name=f"{stem}.pdf",
            mime="application/pdf",
            key="briefing_pdf",
            on_click="ignore",
            icon=":material/picture_as_pdf:",
            type="primary",
        )
        st.download_button(
            "Chart images (PNG, zip)",
            data=lambda: cache.briefing_pack(str(dataset.folder), key, public, months, dataset)[1],
            file_name=f"{stem}-charts.zip",
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
