"""The Data page's "Add files" panel: check uploads, then keep them for this session or save them.

The session state lives here; what to say and what to keep comes from
:mod:`analysis.load.upload.batch`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis.load.dataset import Dataset
from analysis.load.upload.batch import Item, keep_for_session, review_uploads, save_batch
from analysis.load.upload.check import content_digest
from analysis.load.upload.overlay import remove_overlay, stage_upload
from ui import cache
from ui.access import may_write
from ui.common import csv_download

__all__ = ["OVERRIDE_KEY", "drop_session_files", "forget_stale_overlay", "session_banner", "upload_panel"]

#: The contract with ui.common.get_dataset: the folder this session loads instead of the configured one.
OVERRIDE_KEY = "data_dir_override"
_STAGED = "upload_staged"  # {target: {"name", "digest", "content"}} kept for this session
_BASE = "upload_overlay_base"  # the folder the overlay mirrors
_MESSAGE = "upload_message"  # (kind, text) from the last keep or save
_DIGESTS = "upload_digests"  # {file_id: sha256}: each upload is hashed once


def drop_session_files() -> None:
    """Stop using this session's uploads: remove the overlay and forget them."""
    overlay = st.session_state.pop(OVERRIDE_KEY, None)
    if overlay:
        remove_overlay(overlay)
    for key in (_STAGED, _BASE):
        st.session_state.pop(key, None)


def forget_stale_overlay(base: Path) -> None:
    """Drop the session's uploads when the folder changed, or the temporary overlay is gone."""
    if st.session_state.get(_BASE) and (
        st.session_state[_BASE] != str(base) or not Path(st.session_state.get(OVERRIDE_KEY, "")).is_dir()
    ):
        drop_session_files()


def _restage(base: Path, staged: dict) -> None:
    """Rebuild this session's overlay from ``staged`` (or drop it when nothing is left)."""
    if not staged:
        drop_session_files()
        return
    current = st.session_state.get(OVERRIDE_KEY)
    overlay = stage_upload(base, {target: item["content"] for target, item in staged.items()}, current)
    st.session_state[_STAGED] = staged
    st.session_state[_BASE] = str(base)
    st.session_state[OVERRIDE_KEY] = str(overlay)


def _use_for_session(items: list[Item], base: Path) -> None:
    keep = keep_for_session(items, base, st.session_state.get(_STAGED, {}))
    try:
        _restage(base, keep.staged)
    except (ValueError, OSError) as e:
        st.session_state[_MESSAGE] = ("error", f"The files could not be kept for this session: {e}")
        return
    st.session_state[_MESSAGE] = ("success", keep.message)


def _save(items: list[Item], base: Path) -> None:
    if not may_write():  # checked again when the click arrives, not only when the button was drawn
        st.session_state[_MESSAGE] = ("error", "Only editors can save into the data folder: nothing was saved.")
        return
    saved = save_batch(items, base, replace=bool(st.session_state.get("upload_confirm_replace", False)))
    more = []
    # A saved file is in the folder now: keeping a session copy too would count it twice.
    staged = {t: i for t, i in st.session_state.get(_STAGED, {}).items() if i["digest"] not in saved.digests}
    if staged != st.session_state.get(_STAGED, {}):
        try:
            _restage(base, staged)
        except (ValueError, OSError) as e:
            more.append(f"The session's other uploads could not be kept: {e}")
    st.session_state[_MESSAGE] = saved.message(base, more)


def _digest(uploaded) -> str:
    digests = st.session_state.setdefault(_DIGESTS, {})
    if uploaded.file_id not in digests:
        digests[uploaded.file_id] = content_digest(uploaded.getvalue())
    return digests[uploaded.file_id]


def session_banner() -> None:
    """Say which uploaded files this session uses besides the folder, with a button to stop."""
    staged = st.session_state.get(_STAGED, {})
    if staged:
        with st.container(border=True, key="upload_session_banner"):
            st.markdown(
                f"**This session also uses {len(staged)} uploaded file(s)**, not saved into the folder: "
                + "; ".join(f"{item['name']} (as {target})" for target, item in staged.items())
                + ". Every page uses the folder plus these files until you stop or close the tab."
            )
            st.button("Stop using the uploaded files", key="upload_stop_session", on_click=drop_session_files)


def upload_panel(base: Path, dataset: Dataset) -> None:
    """Take uploads, say what the loaders made of each, and offer to keep or save them."""
    st.subheader("Add files")
    message = st.session_state.pop(_MESSAGE, None)
    if message:
        (st.success if message[0] == "success" else st.error)(message[1])
    st.markdown(
        "Upload police.uk street-level CSVs (or the zip data.police.uk gives you), or one of the folder's own CSVs "
        "such as **resourcing.csv**. Each file is checked exactly as the folder's files are. Then keep it for this "
        "session only, or save it into the data folder."
    )
    uploads = st.file_uploader(
        "Files to add (.csv or .zip)", type=["csv", "zip"], accept_multiple_files=True, key="upload_files"
    )
    if not uploads:
        return
    items = [(cache.checked_upload(f.name, _digest(f), f.getvalue()), f.getvalue()) for f in uploads]
    kept = {item["digest"] for item in st.session_state.get(_STAGED, {}).values()}
    review = review_uploads(items, base, kept, dataset.records, set(dataset.hubs["hub"].astype("str")))
    for card in review.cards:
        with st.container(border=True, key=f"upload_card_{card.check.digest[:12]}"):
            st.markdown(card.heading)
            for line in (card.rows, card.status):
                if line:
                    st.markdown(line)
            for problem in card.check.problems:
                st.error(problem, icon=":material/error:")
            for note in card.notes:
                st.caption(note)
            if card.files is not None:
                with st.expander(f"The {len(card.check.reports)} files inside {card.check.name}"):
                    st.dataframe(card.files, hide_index=True)
            if card.overlap:
                st.warning(card.overlap, icon=":material/content_copy:")
            if card.unknown_hubs:
                st.warning(card.unknown_hubs, icon=":material/help:")
    if len(review.rejected):
        st.markdown(f"**Rejected rows in the uploads** ({len(review.rejected):,})")
        st.dataframe(
            review.rejected[["file", "line", "reasons", "text"]].head(1000),
            hide_index=True,
            key="upload_rejected_table",
            column_config={"reasons": st.column_config.TextColumn(width="large")},
        )
        csv_download(
            review.rejected, "Download the rejected rows", "upload_rejected_rows.csv", key="dl_upload_rejected"
        )
    if review.usable:
        _buttons(review, base)


def _buttons(review, base: Path) -> None:
    if review.replacing:
        st.checkbox(
            f"When saving, replace the folder's {', '.join(review.replacing)} with the upload (the old file is "
            "overwritten; keeping for this session changes nothing in the folder)",
            key="upload_confirm_replace",
        )
    left, right = st.columns(2)
    left.button(
        review.keep_label,
        disabled=not review.fresh,
        key="upload_use_session",
        type="primary",
        on_click=_use_for_session,
        args=(list(review.fresh), base),
        help="Every page uses the folder plus these files until you stop or close the tab. Nothing is written "
        "to the folder.",
        width="stretch",
    )
    if may_write():
        right.button(
            f"Save into the data folder ({base.name})",
            key="upload_save",
            on_click=_save,
            args=(list(review.usable), base),
            help="Writes the files into the folder (a new name where a different file has the same name).",
            width="stretch",
        )
    else:
        right.caption("Only editors can save into the data folder; you can keep the files for this session.")
