"""Two sessions on one server: a session's kept upload is its own; a save or a hand edit reaches everyone.

Each AppTest is a session of its own (its own session state) in one process, so they share the
app's caches exactly as two browsers on one server do.
"""

from __future__ import annotations

import shutil

from streamlit.testing.v1 import AppTest

from analysis.load.upload.overlay import remove_overlay, stage_upload
from analysis.load.upload.save import save_atomically
from tests.apptest import new_session
from tests.conftest import street_csv


def _asb(at: AppTest) -> str:
    return {m.label: m.value for m in at.metric}["ASB incidents"]


def _session(folder, monkeypatch, override=None) -> AppTest:
    state = {"data_dir_override": str(override)} if override is not None else None
    return new_session(folder, monkeypatch, session_state=state).run()


def _month_of_asb(month: str, n: int) -> str:
    row = (
        f",{month},Cumbria Constabulary,Cumbria Constabulary,-2.9339,54.8925,On or near Castle Street,"
        "E01019103,Carlisle 001A,Anti-social behaviour,,"
    )
    return street_csv(*[row] * n)


def test_a_kept_upload_stays_in_its_session_and_a_save_reaches_every_session(real_dir, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(real_dir, folder)
    a, b = _session(folder, monkeypatch), _session(folder, monkeypatch)
    before = _asb(a)
    assert _asb(b) == before == "3,315"

    # Session A keeps an upload for itself: a month with 40 more ASB records.
    upload = _month_of_asb("2019-03", 40).encode()
    overlay = stage_upload(folder, {"incidents/uploads/2019-03-cumbria-street.csv": upload})
    try:
        a = _session(folder, monkeypatch, override=overlay)
        assert _asb(a) == "3,355"
        b.run()
        assert _asb(b) == before  # B never sees A's session data
        assert _asb(_session(folder, monkeypatch)) == before  # nor does a new session
    finally:
        remove_overlay(overlay)

    # A saves into the folder: every session, old and new, sees it on its next run.
    save_atomically(upload, folder / "incidents" / "2019-03" / "2019-03-cumbria-street.csv")
    b.run()
    assert _asb(b) == "3,355"
    assert _asb(_session(folder, monkeypatch)) == "3,355"


def test_a_file_changed_by_hand_shows_in_every_reloaded_session(real_dir, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(real_dir, folder)
    first = _session(folder, monkeypatch)
    assert _asb(first) == "3,315"
    (folder / "incidents" / "2019-03").mkdir()
    (folder / "incidents" / "2019-03" / "2019-03-cumbria-street.csv").write_text(_month_of_asb("2019-03", 5))
    first.run()  # a reload of the same session
    assert _asb(first) == "3,320"
    assert _asb(_session(folder, monkeypatch)) == "3,320"
