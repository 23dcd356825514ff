"""The Briefing page's Streamlit glue: its projector theme, widget values kept while hidden, screen steps.

The briefing itself (screens, sentences, tables, the PDF pack) is :mod:`analysis.outputs.briefing`;
this module only decides how a screen looks on the page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.outputs.briefing.model import Screen
from ui.charts import plain

__all__ = [
    "CHART_CONFIG",
    "SCREEN_KEY",
    "keep",
    "navigation",
    "notes_caption",
    "restore",
    "step",
    "style",
    "table_cells",
]

#: Plotly options for every briefing chart: no toolbar, the chart follows the screen's size.
CHART_CONFIG = {"displayModeBar": False, "responsive": True}
#: The generated-data mark as a badge, on the projector's one line of notes.
GENERATED_BADGE = ":orange-badge[:material/science: Generated sample data — not real]"
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
#: Where the page keeps the screen it shows.
SCREEN_KEY = "briefing_screen"


def style(projector: bool) -> None:
    """The projector theme, or the normal page's larger sentence (styling only, no data)."""
    st.html(PROJECTOR_CSS if projector else NORMAL_CSS)


def keep(name: str) -> None:
    """Keep a widget's value when it is not drawn (projector mode hides some controls)."""
    st.session_state[f"_kept_{name}"] = st.session_state[name]


def restore(name: str, default: object) -> None:
    """Give a widget back the value :func:`keep` kept (or ``default``) before it is drawn."""
    st.session_state[name] = st.session_state.get(f"_kept_{name}", default)


def step(by: int, count: int) -> None:
    """Move ``by`` screens, staying within the ``count`` screens."""
    st.session_state[SCREEN_KEY] = min(max(st.session_state.get(SCREEN_KEY, 0) + by, 0), count - 1)


def navigation(index: int, count: int) -> None:
    """Previous and Next (also the arrow keys), "2 of 7", and the projector switch, on one line."""
    with st.container(horizontal=True, vertical_alignment="center", gap="medium", key="briefing_nav"):
        st.button(
            "Previous",
            key="briefing_prev",
            icon=":material/arrow_back:",
            on_click=step,
            args=(-1, count),
            disabled=index == 0,
            shortcut="Left",
        )
        st.markdown(f"**{index + 1} of {count}**")
        st.button(
            "Next",
            key="briefing_next",
            icon=":material/arrow_forward:",
            icon_position="right",
            on_click=step,
            args=(1, count),
            disabled=index == count - 1,
            type="primary",
            shortcut="Right",
        )
        st.toggle("Projector mode", key="briefing_projector", on_change=keep, args=("briefing_projector",))


def table_cells(table: pd.DataFrame) -> pd.DataFrame:
    """A table-only screen ready for ``st.table``: the data escaped, the first column as the index.

    ``st.table`` renders Markdown in cells, so every label and value goes through :func:`~ui.charts.plain`.
    """
    return table.map(plain).rename(columns=plain).set_index(plain(table.columns[0]))


def notes_caption(screen: Screen, *, projector: bool, generated: bool) -> str:
    """The screen's notes as a caption: a line each, or one line on the projector.

    On the projector the generated-data note becomes a badge at the start of the line.
    """
    if projector:
        return " ".join([GENERATED_BADGE if generated else "", *(plain(n) for n in screen.other_notes)]).strip()
    return "  \n".join(plain(n) for n in screen.notes)
