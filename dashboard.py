"""Local Focus: the entry point. Page config and navigation, nothing else."""

from pathlib import Path

import streamlit as st

from ui.common import run_page

# A local icon: a material icon name would make the browser fetch it from a font CDN.
st.set_page_config(page_title="Local Focus", page_icon=str(Path(__file__).parent / "ui" / "favicon.png"), layout="wide")

# One flat list: sectioned navigation puts section headers inside the list, which screen readers
# (and axe's list rules) reject.
run_page(
    st.navigation(
        [
            st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
            st.Page("pages/hub_map.py", title="Hub map", icon=":material/map:"),
            st.Page("pages/deployment.py", title="Deployment vs ASB", icon=":material/directions_walk:"),
            st.Page("pages/performance.py", title="Hub performance", icon=":material/leaderboard:"),
            st.Page("pages/precept.py", title="Precept outcomes", icon=":material/account_balance:"),
            st.Page("pages/briefing.py", title="Briefing", icon=":material/co_present:"),
            st.Page("pages/data.py", title="Data", icon=":material/database:"),
        ]
    )
)
