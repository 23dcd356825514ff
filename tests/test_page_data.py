"""The Data page's upload: check, keep for the session (an overlay folder), or save into the folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.load.dataset import load_dataset
from tests import apptest
from tests.conftest import street_csv

ASB = (
    ",{month},Cumbria Constabulary,Cumbria Constabulary,-2.93,54.89,On or near X,E01019126,Carlisle 001A,"
    "Anti-social behaviour,,"
)
HUBS = "hub,region,station,area_code,launched\nCarlisle,North,Civic Centre,E07000028,2018-10-01\n"
RESOURCING = "week,hub,role,funding,fte,visible_patrol_hours\n2019-03-04,Carlisle,PC,precept,2.0,30.5\n"


@pytest.fixture
def folder(make_folder) -> Path:
    return make_folder(
        {
            "hubs.csv": HUBS,
            "resourcing.csv": "week,hub,role,funding,fte,visible_patrol_hours\n2019-03-04,Carlisle,PC,core,1,5\n",
            "incidents/2019-03/2019-03-cumbria-street.csv": street_csv(ASB.format(month="2019-03")),
        }
    )


def open_data_page(folder: Path, monkeypatch) -> AppTest:
    return apptest.open_page(folder, monkeypatch, "pages/data.py")


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader(key="upload_files").set_value([(name, content, "text/csv") for name, content in files]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


NEW_MONTH = street_csv(ASB.format(month="2019-04"), ASB.format(month="2019-13")).encode()


def test_an_upload_is_checked_and_its_rejected_rows_offered(folder, monkeypatch):
    at = upload(open_data_page(folder, monkeypatch), ("2019-04 street.csv", NEW_MONTH))
    text = shown(at)
    assert "**2019-04 street.csv** · checked as police.uk street-level records · Apr 2019" in text
    assert "2 rows read = 1 accepted + 1 rejected (listed below)." in text
    assert "Saving: it will be saved as incidents/uploads/2019-04-street.csv." in text
    rejected = at.dataframe[0].value
    assert rejected["line"].tolist() == [3]
    assert "is not a real month" in rejected["reasons"].iloc[0]
    assert any("dl_upload_rejected" in b.proto.id for b in at.get("download_button"))
    assert at.button(key="upload_use_session").label == "Keep for this session"


def test_keep_for_session_builds_an_overlay_and_leaves_the_folder_alone(folder, monkeypatch):
    before = files_in(folder)
    at = upload(open_data_page(folder, monkeypatch), ("2019-04 street.csv", NEW_MONTH), ("r.csv", RESOURCING.encode()))
    at.button(key="upload_use_session").click().run()
    assert not at.exception
    overlay = Path(at.session_state["data_dir_override"])
    assert overlay.is_dir() and overlay.name == folder.name
    assert files_in(folder) == before
    assert (overlay / "incidents/uploads/2019-04-street.csv").read_bytes() == NEW_MONTH
    assert (overlay / "resourcing.csv").read_bytes() == RESOURCING.encode()
    dataset = load_dataset(overlay)
    assert sorted(dataset.incidents["month"].astype("str")) == ["2019-03", "2019-04"]
    assert dataset.table("resourcing.csv")["funding"].astype("str").tolist() == ["precept"]
    assert "**This session also uses 2 uploaded file(s)**" in shown(at)
    assert [s.value for s in at.success][0].startswith("Kept for this session, not saved: 2019-04 street.csv")
    assert at.button(key="upload_use_session").disabled

    at.button(key="upload_stop_session").click().run()
    assert "data_dir_override" not in at.session_state
    assert not overlay.exists()


def test_save_writes_into_the_folder_and_asks_before_replacing(folder, monkeypatch):
    original_resourcing = (folder / "resourcing.csv").read_bytes()
    at = upload(open_data_page(folder, monkeypatch), ("2019-04 street.csv", NEW_MONTH), ("r.csv", RESOURCING.encode()))
    assert "Saving: it would replace the folder's resourcing.csv, a different file." in shown(at)
    at.button(key="upload_save").click().run()
    assert (folder / "incidents/uploads/2019-04-street.csv").read_bytes() == NEW_MONTH
    assert (folder / "resourcing.csv").read_bytes() == original_resourcing
    [error] = [e.value for e in at.error]
    assert "r.csv was not saved. The data folder already has a different resourcing.csv" in error

    at.checkbox(key="upload_confirm_replace").check().run()
    at.button(key="upload_save").click().run()
    assert (folder / "resourcing.csv").read_bytes() == RESOURCING.encode()
    assert [s.value for s in at.success][0].startswith(f"Into {folder.name}:")
    assert not [p for p in folder.rglob("*.part")]
    # The page now reads the saved files: hubs 1 + resourcing 1 + March 1 + the upload's 2 rows (1 rejected).
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Rows read"], metrics["Accepted"], metrics["Rejected (kept below)"]) == ("5", "4", "1")


def test_an_unusable_upload_offers_nothing_to_keep(folder, monkeypatch):
    at = upload(open_data_page(folder, monkeypatch), ("notes.csv", b"a,b\n1,2\n"))
    assert "**notes.csv** · checked as not recognised" in shown(at)
    assert any("neither a police.uk street-level file" in e.value for e in at.error)
    assert not [b for b in at.button if b.key in ("upload_use_session", "upload_save")]


def test_a_month_already_in_the_folder_is_flagged(folder, monkeypatch):
    march_again = street_csv(ASB.format(month="2019-03"), ASB.format(month="2019-03")).encode()
    at = upload(open_data_page(folder, monkeypatch), ("again.csv", march_again))
    [warning] = [w.value for w in at.warning if "covers months the folder already has" in w.value]
    assert "(Mar 2019 in incidents/2019-03/2019-03-cumbria-street.csv)" in warning
    assert "counts those months twice" in warning


def test_the_same_file_again_is_recognised_and_not_added(folder, monkeypatch):
    same = (folder / "incidents/2019-03/2019-03-cumbria-street.csv").read_bytes()
    at = upload(open_data_page(folder, monkeypatch), ("copy.csv", same))
    assert "Saving: it is already in the folder as incidents/2019-03/2019-03-cumbria-street.csv." in shown(at)
    assert not [w for w in at.warning if "covers months" in w.value]
    keep = at.button(key="upload_use_session")
    assert keep.disabled and keep.label == "Already in the folder: nothing to keep"
