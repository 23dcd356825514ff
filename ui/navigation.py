"""The app's pages, and the one place that keeps a deep link going through the entry point.

Streamlit still has its older multipage mode: when a ``pages/`` folder sits beside the entry
point, a server whose very first request is a deep link (``/hub_map``) runs that page alone,
without ``dashboard.py``'s page config and navigation, until ``st.navigation`` has run once.
``through_entry_point`` notices such a run from our own marker (``run_page`` sets it) and mends
it with public API only: it calls ``st.navigation`` with the same pages (which ends the older
mode for the server, as ``st.navigation`` does on every run of the entry point) and reruns.
tests/test_navigation.py starts a real server and deep-links to a page first, so a Streamlit
that changes this behaviour fails that test loudly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import streamlit as st
from streamlit.navigation.page import StreamlitPage

#: (file, title, icon): one flat list, since sectioned navigation puts section headers inside the
#: list, which screen readers (and axe's list rules) reject. The first is the default page.
PAGES = [
    ("pages/overview.py", "Overview", ":material/dashboard:"),
    ("pages/hub_map.py", "Hub map", ":material/map:"),
    ("pages/deployment.py", "Deployment vs ASB", ":material/directions_walk:"),
    ("pages/performance.py", "Hub performance", ":material/leaderboard:"),
    ("pages/precept.py", "Precept outcomes", ":material/account_balance:"),
    ("pages/briefing.py", "Briefing", ":material/co_present:"),
    ("pages/data.py", "Data", ":material/database:"),
]

_THROUGH_ENTRY_POINT: ContextVar[bool] = ContextVar("through_entry_point", default=False)


def app_pages() -> list[StreamlitPage]:
    """The navigation's pages, as ``st.navigation`` takes them."""
    return [
        st.Page(path, title=title, icon=icon, default=(i == 0)) for i, (path, title, icon) in enumerate(PAGES)
    ]


@contextmanager
def entry_point_run() -> Iterator[None]:
    """Mark this script run as started by dashboard.py's navigation (``ui.common.run_page``)."""
    token = _THROUGH_ENTRY_POINT.set(True)
    try:
        yield
    finally:
        _THROUGH_ENTRY_POINT.reset(token)


def through_entry_point() -> None:
    """Make sure this page runs inside dashboard.py's navigation; if not, end the older mode and rerun."""
    if not _THROUGH_ENTRY_POINT.get():
        st.navigation(app_pages(), position="hidden")
        st.rerun()
