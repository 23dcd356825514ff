"""The Data page's "Get police.uk data" panel: fetch a force's months into the folder, with a progress bar."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from analysis.errors import FAULT_SENTENCE, DataProblem
from analysis.fetch.fetcher import fetch

__all__ = ["fetch_panel"]

_LOG = logging.getLogger(__name__)
_RESULT = "fetch_result"  # ("success" | "error", [lines]) from the last fetch, shown after the rerun
_REQUEST = "fetch_request"  # the choices of a click, until the panel runs the fetch


def _ask() -> None:
    state = st.session_state
    st.session_state[_REQUEST] = {
        "force": str(state.get("fetch_force", "")).strip(),
        "start": str(state.get("fetch_from", "")).strip(),
        "end": str(state.get("fetch_to", "")).strip(),
        "update": bool(state.get("fetch_update", False)),
        "replace": bool(state.get("fetch_replace", False)),
    }


def _run(folder: Path, force: str, start: str, end: str, update: bool, replace: bool) -> None:
    bar = st.progress(0.0, text="Asking police.uk which months it holds…")

    def progress(done: float, total: int, text: str) -> None:
        share = min(done / total, 1.0) if total else 1.0
        bar.progress(share, text=f"{text} · {int(done)} of {total} month(s)")

    try:
        summary = fetch(folder, force, start or None, end or None, update=update, replace=replace, progress=progress)
    except DataProblem as e:
        st.session_state[_RESULT] = ("error", [str(e)])
    except Exception:
        _LOG.exception("fetch from police.uk failed")
        st.session_state[_RESULT] = ("error", [FAULT_SENTENCE])
    else:
        st.session_state[_RESULT] = ("success", summary.lines())
    bar.empty()
    st.rerun()  # every page reads the folder again: the new months change its fingerprint


def fetch_panel(folder: Path, allowed: bool, generated: bool = False) -> None:
    """Draw the panel that fetches police.uk months into ``folder``.

    Parameters
    ----------
    folder : Path
        The configured data folder (never a session overlay).
    allowed : bool
        Whether this deployment may write into the folder; the panel is hidden when not.
    generated : bool
        True for the generated sample: real records are never mixed into it.
    """
    if not allowed:
        return
    st.subheader("Get police.uk data")
    result = st.session_state.pop(_RESULT, None)
    if result:
        kind, lines = result
        (st.success if kind == "success" else st.error)("\n\n".join(lines))
    if generated:
        st.info(
            "The folder in use is the generated sample, so real police.uk records are not added to it: point "
            "LOCAL_FOCUS_DATA at a folder of your own (with hubs.csv and areas.geojson) to fetch into it.",
            icon=":material/science:",
        )
        return
    st.markdown(
        "Fetch a force's street-level crime and ASB straight from police.uk into the data folder, one whole month "
        "at a time, by the hub areas of areas.geojson. Months already in the folder are kept; police.uk keeps "
        "the last 36 months online (older ones: `python -m analysis fetch DATA_DIR --archive FILE_OR_URL`)."
    )
    left, middle, right = st.columns(3)
    left.text_input("police.uk force id", value="cumbria", key="fetch_force")
    middle.text_input("From month (YYYY-MM)", placeholder="oldest held", key="fetch_from")
    right.text_input("To month (YYYY-MM)", placeholder="newest published", key="fetch_to")
    st.checkbox(
        "Update: only months newer than the folder's last, and its last three again (outcomes change)",
        key="fetch_update",
    )
    st.checkbox("Fetch months the folder already has again (each replaced whole)", key="fetch_replace")
    # The click only asks for a fetch; it runs where the panel is drawn, so the progress bar is in place.
    st.button(f"Get police.uk data into {folder.name}", key="fetch_start", type="primary", on_click=_ask)
    request = st.session_state.pop(_REQUEST, None)
    if request:
        _run(folder, **request)
