"""Local Focus: the entry point. Page config and navigation, nothing else."""

from pathlib import Path

import streamlit as st

from ui.memory import importing

# The app's modules import once, in the process's first run, with the collector paused (ui/memory.py).
with importing():
    from ui.common import run_page
    from ui.navigation import app_pages

# A local icon: a material icon name would make the browser fetch it from a font CDN.
st.set_page_config(page_title="Local Focus", page_icon=str(Path(__file__).parent / "ui" / "favicon.png"), layout="wide")

run_page(st.navigation(app_pages()))
