"""The load bench's floor: a bare Streamlit app with the dashboard's seven page titles and nothing else.

Each page draws one small plotly chart; the sidebar has a "Hubs" multiselect, so the bench's
filter change has a widget to change. What the dashboard costs above this is its own work.
"""

import plotly.graph_objects as go
import streamlit as st

TITLES = ["Overview", "Hub map", "Deployment vs ASB", "Hub performance", "Precept outcomes", "Briefing", "Data"]
HUBS = ["Carlisle", "Eden", "Allerdale", "Copeland", "Barrow", "South Lakeland"]


def _page(title: str):
    def draw() -> None:
        st.title(title)
        chosen = st.sidebar.multiselect("Hubs", HUBS)
        st.plotly_chart(go.Figure(go.Scatter(x=list(range(48)), y=[(i * 37) % 11 + len(chosen) for i in range(48)])))

    draw.__name__ = title.lower().replace(" ", "_")
    return draw


def run() -> None:
    """The navigation with the seven pages, run (bench/floor_imports_app.py calls it too)."""
    st.navigation([st.Page(_page(t), title=t, url_path=t.lower().replace(" ", "_")) for t in TITLES]).run()


if __name__ == "__main__":  # streamlit runs the script as __main__
    run()
