"""Local Focus: the entry point. Page config and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="Local Focus", page_icon=":material/local_police:", layout="wide")

st.navigation(
    {
        "Local Focus": [
            st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        ],
        "Data": [
            st.Page("pages/data.py", title="Data", icon=":material/database:"),
        ],
    }
).run()
