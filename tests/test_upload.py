"""Uploads: names, checks as the loaders do, atomic saves that lose nothing, and the session overlay."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.load.dataset import load_dataset
from analysis.load.upload import overlay, save
from analysis.load.upload.check import (
    check_upload,
    content_digest,
    detect_kind,
    months_already_loaded,
    safe_name,
    upload_target,
)
from analysis.load.upload.overlay import OVERLAY_MARKER, remove_overlay, stage_upload
from analysis.load.upload.save import SavePlan, UploadConflict, plan_save, save_atomically, save_upload
from tests.conftest import REAL_DIR, SAMPLE_DIR, need_shared, store_only, street_csv

ASB_ROW = (
    ",2019-03,Cumbria Constabulary,Cumbria Constabulary,-2.93,54.89,On or near X,E01019126,Carlisle 001A,"
    "Anti-social behaviour,,"
)
CRIME_ROW = (
    "abc123,2019-03,Cumbria Constabulary,Cumbria Constabulary,-2.94,54.90,On or near Y,E01019127,Carlisle 001B,"
    "Burglary,Under investigation,"
)
BAD_MONTH_ROW = ASB_ROW.replace("2019-03", "2019-13")
BAD_TYPE_ROW = ASB_ROW.replace("Anti-social behaviour", "Joyriding")
RESOURCING = (
    "week,hub,role,funding,fte,visible_patrol_hours\n"
    "2019-03-04,Carlisle,PC,precept,2.0,30.5\n"
    "2019-03-05,Carlisle,PC,core,1.0,10\n"  # a Tuesday: rejected
    "2019-03-11,Carlisel,PCSO,core,1.0,12\n"
)
HUBS = "hub,region,station,area_code,launched\nCarlisle,North,Civic Centre,E07000028,2018-10-01\n"


def street_bytes(*rows: str) -> bytes:
    return street_csv(*rows).encode("utf-8")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A zip with a fixed timestamp, so test ids are the same in every pytest-xdist worker."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name,expected",
    [
        ("2019-03-cumbria-street.csv", "2019-03-cumbria-street.csv"),
        ("2019-03 Cumbria street (1).CSV", "2019-03-Cumbria-street-1.csv"),
        (".hidden.csv", "hidden.csv"),
        ("police uk download.ZIP", "police-uk-download.zip"),
        ("résumé;rm -rf.csv", "r-sum-rm-rf.csv"),
        ("a  --  b.csv", "a-b.csv"),
        ("C:evil.csv", "C-evil.csv"),
    ],
)
def test_safe_name_keeps_plain_names_and_cleans_the_rest(name, expected):
    assert safe_name(name) == expected


@pytest.mark.parametrize(
    "name,message",
    [
        ("../../etc/passwd.csv", "not a plain file name"),
        ("incidents/../../x.csv", "not a plain file name"),
        ("..\\..\\x.csv", "not a plain file name"),
        ("/etc/cron.d/x.csv", "not a plain file name"),
        ("..", "not a plain file name"),
        ("nul\x00.csv", "not a plain file name"),
        ("report.xlsx", "not a .csv or .zip file"),
        ("noextension", "not a .csv or .zip file"),
        (".csv", "no usable name"),
        ("---.csv", "no usable name"),
        ("", "has no name"),
        ("   ", "has no name"),
    ],
)
def test_safe_name_refuses_traversal_and_other_files(name, message):
    with pytest.raises(ValueError, match=message):
        safe_name(name)


@pytest.mark.parametrize(
    "name,content,kind",
    [
        ("2019-03-cumbria-street.csv", street_bytes(ASB_ROW), "incidents"),
        ("anything.csv", b"\xef\xbb\xbf" + street_bytes(ASB_ROW), "incidents"),
        ("download.zip", b"PK\x03\x04", "incidents"),
        ("deployment 2020.csv", RESOURCING.encode(), "resourcing.csv"),
        ("my hubs.csv", HUBS.encode(), "hubs.csv"),
        ("Resourcing.CSV", b"wrong,header\n1,2\n", "resourcing.csv"),
        ("notes.csv", b"a,b\n1,2\n", "incidents"),
        # Half the police.uk columns is enough to tell what it was meant to be.
        ("x.csv", b"Crime ID,Month,Reported by,Falls within,Longitude,Latitude\n", "incidents"),
        ("x.csv", b"week,hub,role\n", "resourcing.csv"),
    ],
)
def test_detect_kind(name, content, kind):
    assert detect_kind(name, content) == kind


@pytest.mark.parametrize(
    "name,kind,target",
    [
        ("2019-03-cumbria-street.csv", "incidents", "incidents/uploads/2019-03-cumbria-street.csv"),
        ("police.uk (2).zip", "incidents", "incidents/uploads/police.uk-2.zip"),
        ("deployment 2020.csv", "resourcing.csv", "resourcing.csv"),
        ("w.csv", "workforce.csv", "workforce.csv"),
    ],
)
def test_upload_target(name, kind, target):
    assert upload_target(name, kind) == target


@pytest.mark.parametrize("name,kind", [("../resourcing.csv", "resourcing.csv"), ("x.csv", "secrets.csv")])
def test_upload_target_refuses(name, kind):
    with pytest.raises(ValueError):
        upload_target(name, kind)


# ----------------------------------------------------------------------------- checks


def test_street_file_is_checked_as_the_loader_checks_it():
    check = check_upload("2019-03 street.csv", street_bytes(ASB_ROW, CRIME_ROW, BAD_MONTH_ROW, BAD_TYPE_ROW))
    assert (check.kind, check.target) == ("incidents", "incidents/uploads/2019-03-street.csv")
    assert (check.rows_read, check.rows_accepted, check.rows_rejected) == (4, 2, 2)
    assert check.rows_read == check.rows_accepted + check.rows_rejected
    rejected = check.rejected()
    assert rejected["line"].tolist() == [4, 5]
    assert "is not a real month" in rejected["reasons"].iloc[0]
    assert "is not one of the 14 police.uk crime types" in rejected["reasons"].iloc[1]
    assert rejected["text"].iloc[0] == BAD_MONTH_ROW
    assert check.month_counts == {"2019-03": 2}
    assert check.usable and check.problems == []
    assert check.digest == content_digest(street_bytes(ASB_ROW, CRIME_ROW, BAD_MONTH_ROW, BAD_TYPE_ROW))


def test_zip_is_checked_member_by_member_and_other_police_files_are_skipped():
    content = zip_bytes(
        {
            "2019-03/2019-03-cumbria-street.csv": street_bytes(ASB_ROW, CRIME_ROW),
            "2019-04/2019-04-cumbria-street.csv": street_bytes(ASB_ROW.replace("2019-03", "2019-04"), BAD_TYPE_ROW),
            "2019-03/2019-03-cumbria-outcomes.csv": b"Crime ID,Month\n",
        }
    )
    check = check_upload("download.zip", content)
    assert check.target == "incidents/uploads/download.zip"
    assert [r.file for r in check.reports] == [
        "incidents/uploads/download.zip/2019-03/2019-03-cumbria-street.csv",
        "incidents/uploads/download.zip/2019-04/2019-04-cumbria-street.csv",
    ]
    assert (check.rows_read, check.rows_accepted, check.rows_rejected) == (4, 3, 1)
    assert check.month_counts == {"2019-03": 2, "2019-04": 1}


@pytest.mark.parametrize(
    "name,content,says",
    [
        ("empty.csv", b"", "is empty"),
        ("notes.csv", b"a,b\n1,2\n", "neither a police.uk street-level file nor one of the data folder's CSVs"),
        ("sheet.csv", b"PK\x03\x04rest", "a zip or spreadsheet saved as .csv"),
        ("resourcing.csv", b"week,hub\n2019-03-04,Carlisle\n", "resourcing.csv does not have the expected header"),
        ("../up.csv", street_bytes(ASB_ROW), "not a plain file name"),
        ("broken.zip", b"not a zip at all", "is not a readable zip"),
        ("empty.zip", zip_bytes({"readme.txt": b"hello"}), "holds no CSV files"),
        ("2019-03-x-outcomes.csv", street_bytes(ASB_ROW), "is not a street-level file"),
        ("2019-03-street.csv", street_bytes(BAD_MONTH_ROW), "No row of 2019-03-street.csv could be used"),
    ],
)
def test_unusable_uploads_say_why_in_a_sentence(name, content, says):
    check = check_upload(name, content)
    assert not check.usable
    assert any(says in p for p in check.problems), check.problems


def test_problems_name_the_file_as_uploaded_not_its_target():
    check = check_upload("my file.csv", street_bytes(ASB_ROW).replace(b"Crime type", b"Type"))
    assert check.problems[0].startswith("my file.csv does not have the expected header")


def test_resourcing_is_checked_as_the_table_loader_checks_it():
    check = check_upload("deployment.csv", RESOURCING.encode())
    assert (check.kind, check.target) == ("resourcing.csv", "resourcing.csv")
    assert (check.rows_read, check.rows_accepted, check.rows_rejected) == (3, 2, 1)
    assert "is not a Monday" in check.rejected()["reasons"].iloc[0]
    assert check.hubs == ("Carlisel", "Carlisle")


def test_months_already_loaded_names_the_files_that_hold_them(make_folder):
    folder = make_folder(
        {
            "incidents/2019-03/2019-03-cumbria-street.csv": street_csv(ASB_ROW, CRIME_ROW),
            "incidents/2019-02/2019-02-cumbria-street.csv": street_csv(ASB_ROW.replace("2019-03", "2019-02")),
        }
    )
    records = load_dataset(folder).records
    check = check_upload("again.csv", street_bytes(ASB_ROW, ASB_ROW.replace("2019-03", "2019-04")))
    overlap = months_already_loaded(check, records)
    assert overlap.to_dict("records") == [
        {"month": "2019-03", "source_file": "incidents/2019-03/2019-03-cumbria-street.csv", "records": 2}
    ]
    fresh = check_upload("new.csv", street_bytes(ASB_ROW.replace("2019-03", "2019-05")))
    assert months_already_loaded(fresh, records).empty


def test_months_already_loaded_ignores_the_upload_itself(make_folder):
    folder = make_folder({"incidents/uploads/again.csv": street_csv(ASB_ROW)})
    check = check_upload("again.csv", street_bytes(ASB_ROW))
    assert months_already_loaded(check, load_dataset(folder).records).empty


@pytest.mark.parametrize("data", ["sample", "real"])
def test_months_already_loaded_are_the_same_counted_by_duckdb_over_the_store(data):
    folder = SAMPLE_DIR if data == "sample" else need_shared(REAL_DIR / "incidents").parent
    dataset = load_dataset(folder)
    month_files = sorted((folder / "incidents").rglob("*-street.csv"))
    if not month_files:  # the sample's months are in a zip: upload one of its months' rows again
        rows = dataset.incidents.loc[dataset.incidents["month"] == dataset.months[2]]
        content = street_bytes(*[ASB_ROW.replace("2019-03", str(dataset.months[2]))] * 3)
        expected_month = str(dataset.months[2])
    else:
        content, expected_month = month_files[1].read_bytes(), month_files[1].parent.name
        rows = dataset.incidents.loc[dataset.incidents["month"] == pd.Period(expected_month, "M")]
    check = check_upload("again-street.csv", content)
    overlap = months_already_loaded(check, dataset.records)
    pd.testing.assert_frame_equal(overlap, months_already_loaded(check, store_only(dataset).records), check_exact=True)
    assert set(overlap["month"]) == {expected_month}
    assert (
        overlap.set_index("source_file")["records"].to_dict()
        == rows["source_file"].astype("str").value_counts().to_dict()
    )


# ----------------------------------------------------------------------------- atomic save


def test_save_atomically_writes_and_replaces(tmp_path):
    target = tmp_path / "incidents" / "uploads" / "a.csv"
    save_atomically(b"first", target)
    assert target.read_bytes() == b"first"
    save_atomically(b"second", target)
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.csv"]
    assert target.stat().st_mode & 0o777 == 0o644


def _boom(*args, **kwargs):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("fails", ["os.replace", "os.fsync", "write"])
def test_a_failed_save_leaves_the_original_and_no_temporary_file(tmp_path, monkeypatch, fails):
    target = tmp_path / "resourcing.csv"
    target.write_bytes(b"original")
    if fails == "os.replace":
        monkeypatch.setattr(save.os, "replace", _boom)
    elif fails == "os.fsync":
        monkeypatch.setattr(save.os, "fsync", _boom)
    else:
        real_fdopen = os.fdopen

        class Broken:
            def __init__(self, descriptor, mode):
                self.handle = real_fdopen(descriptor, mode)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

            def write(self, data):
                self.handle.write(data[:3])  # part-written, then the disk fails
                raise OSError(5, "Input/output error")

        monkeypatch.setattr(save.os, "fdopen", Broken)
    with pytest.raises(OSError):
        save_atomically(b"new content", target)
    assert target.read_bytes() == b"original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["resourcing.csv"]


def test_a_failed_first_save_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(save.os, "replace", _boom)
    with pytest.raises(OSError):
        save_atomically(b"x", tmp_path / "new.csv")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- plan and save


@pytest.fixture
def street_upload():
    content = street_bytes(ASB_ROW, CRIME_ROW)
    return check_upload("2019-03-street.csv", content), content


@pytest.mark.parametrize(
    "existing,expected",
    [
        ({}, SavePlan("incidents/uploads/2019-03-street.csv", "new")),
        ({"incidents/uploads/2019-03-street.csv": "SAME"}, SavePlan("incidents/uploads/2019-03-street.csv", "same")),
        (
            {"incidents/uploads/2019-03-street.csv": b"different"},
            SavePlan("incidents/uploads/2019-03-street-2.csv", "renamed"),
        ),
        (
            {"incidents/uploads/2019-03-street.csv": b"different", "incidents/uploads/2019-03-street-2.csv": b"other"},
            SavePlan("incidents/uploads/2019-03-street-3.csv", "renamed"),
        ),
        (
            {"incidents/uploads/2019-03-street.csv": b"different", "incidents/uploads/2019-03-street-2.csv": "SAME"},
            SavePlan("incidents/uploads/2019-03-street-2.csv", "same"),
        ),
    ],
    ids=["new", "same", "renamed", "renamed-twice", "same-under-new-name"],
)
def test_plan_save_for_police_files(tmp_path, street_upload, existing, expected):
    check, content = street_upload
    for relative, data in existing.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if data == "SAME" else data)
    assert plan_save(check, tmp_path) == expected


def test_plan_save_finds_the_same_file_anywhere_under_incidents(tmp_path, street_upload):
    check, content = street_upload
    elsewhere = tmp_path / "incidents" / "2019-03" / "2019-03-cumbria-street.csv"
    elsewhere.parent.mkdir(parents=True)
    elsewhere.write_bytes(content)
    assert plan_save(check, tmp_path) == SavePlan("incidents/2019-03/2019-03-cumbria-street.csv", "same")
    assert save_upload(check, content, tmp_path).action == "same"
    assert not (tmp_path / "incidents" / "uploads").exists()


def test_plan_save_avoids_names_taken_in_the_same_batch(tmp_path, street_upload):
    check, _ = street_upload
    taken = frozenset({"incidents/uploads/2019-03-street.csv"})
    assert plan_save(check, tmp_path, taken) == SavePlan("incidents/uploads/2019-03-street-2.csv", "renamed")


def test_save_upload_writes_into_the_folder(tmp_path, street_upload):
    check, content = street_upload
    plan = save_upload(check, content, tmp_path)
    assert plan.action == "new"
    assert (tmp_path / plan.target).read_bytes() == content
    assert save_upload(check, content, tmp_path).action == "same"
    assert len(load_dataset(tmp_path).incidents) == 2


def test_save_upload_never_replaces_a_different_table_silently(tmp_path):
    (tmp_path / "resourcing.csv").write_bytes(b"the force's own file")
    check = check_upload("resourcing.csv", RESOURCING.encode())
    assert plan_save(check, tmp_path) == SavePlan("resourcing.csv", "replace")
    with pytest.raises(UploadConflict, match="already has a different resourcing.csv"):
        save_upload(check, RESOURCING.encode(), tmp_path)
    assert (tmp_path / "resourcing.csv").read_bytes() == b"the force's own file"
    plan = save_upload(check, RESOURCING.encode(), tmp_path, replace=True)
    assert plan.action == "replace"
    assert (tmp_path / "resourcing.csv").read_bytes() == RESOURCING.encode()


@pytest.mark.parametrize(
    "name,content,given,message",
    [
        ("a.csv", street_bytes(ASB_ROW), street_bytes(CRIME_ROW), "not the ones that were checked"),
        ("a.csv", street_bytes(BAD_MONTH_ROW), street_bytes(BAD_MONTH_ROW), "No row of a.csv could be used"),
        ("../a.csv", street_bytes(ASB_ROW), street_bytes(ASB_ROW), "not a plain file name"),
    ],
    ids=["bytes-changed", "unusable", "traversal"],
)
def test_save_upload_refuses(tmp_path, name, content, given, message):
    with pytest.raises(ValueError, match=message):
        save_upload(check_upload(name, content), given, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_target_outside_the_folder_is_refused(tmp_path, street_upload):
    check, content = street_upload
    check.target = "../outside.csv"
    with pytest.raises(ValueError, match="not a path inside the data folder"):
        save_upload(check, content, tmp_path / "data")
    assert not (tmp_path / "outside.csv").exists()


# ----------------------------------------------------------------------------- session overlay


@pytest.fixture
def base_folder(make_folder):
    return make_folder(
        {
            "about.json": '{"generated": true}',
            "hubs.csv": HUBS,
            "resourcing.csv": "week,hub,role,funding,fte,visible_patrol_hours\n2019-03-04,Carlisle,PC,core,1,5\n",
            "incidents/2019-03/2019-03-cumbria-street.csv": street_csv(ASB_ROW, CRIME_ROW),
        }
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_overlay_is_the_folder_plus_the_uploads_and_the_folder_is_untouched(base_folder):
    before = _files(base_folder)
    new_month = street_bytes(ASB_ROW.replace("2019-03", "2019-04"))
    overlay = stage_upload(
        base_folder,
        {"incidents/uploads/2019-04.csv": new_month, "resourcing.csv": RESOURCING.encode()},
    )
    try:
        assert overlay.name == base_folder.name
        assert (overlay / "hubs.csv").is_symlink()
        assert (overlay / "incidents/uploads/2019-04.csv").read_bytes() == new_month
        assert (overlay / "resourcing.csv").read_bytes() == RESOURCING.encode()
        assert not (overlay / "resourcing.csv").is_symlink()
        assert _files(base_folder) == before
        dataset = load_dataset(overlay)
        assert dataset.is_generated
        assert dataset.incidents["month"].astype("str").value_counts().to_dict() == {"2019-03": 2, "2019-04": 1}
        assert len(dataset.table("resourcing.csv")) == 1  # the Tuesday and the misspelt hub (Carlisel) are rejected
    finally:
        remove_overlay(overlay)
    assert not overlay.exists() and not overlay.parent.exists()


def test_overlay_is_rebuilt_in_place(base_folder):
    first = stage_upload(base_folder, {"incidents/uploads/a.csv": street_bytes(ASB_ROW)})
    try:
        again = stage_upload(base_folder, {"incidents/uploads/b.csv": street_bytes(CRIME_ROW)}, first)
        assert again == first.resolve()
        assert not (again / "incidents/uploads/a.csv").exists()
        assert (again / "incidents/uploads/b.csv").is_file()
        assert (again / OVERLAY_MARKER).is_file()
    finally:
        remove_overlay(first)


def test_overlay_refuses_to_replace_a_folder_it_did_not_build(base_folder, tmp_path_factory):
    someone_elses = tmp_path_factory.mktemp("keep")
    (someone_elses / "precious.csv").write_text("keep me")
    with pytest.raises(ValueError, match="not a session overlay"):
        stage_upload(base_folder, {}, someone_elses)
    with pytest.raises(ValueError, match="apart from the data folder"):
        stage_upload(base_folder, {}, base_folder / "inside")
    with pytest.raises(ValueError, match="apart from the data folder"):
        stage_upload(base_folder, {}, base_folder)
    remove_overlay(someone_elses)
    assert (someone_elses / "precious.csv").read_text() == "keep me"


def test_overlay_refuses_paths_outside_it(base_folder):
    with pytest.raises(ValueError, match="not a path inside"):
        stage_upload(base_folder, {"../escape.csv": b"x"})


def test_overlay_of_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        stage_upload(tmp_path / "nowhere", {})


def test_overlay_copies_where_links_are_not_allowed(base_folder, monkeypatch):
    def no_links(self, target):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(Path, "symlink_to", no_links)
    overlay = stage_upload(base_folder, {})
    try:
        assert not (overlay / "hubs.csv").is_symlink()
        assert (overlay / "hubs.csv").read_text() == HUBS
        assert list(_files(overlay)) == [OVERLAY_MARKER, *_files(base_folder)]
    finally:
        remove_overlay(overlay)


def test_overlays_left_by_ended_sessions_are_swept(base_folder, monkeypatch, tmp_path_factory):
    temp = tmp_path_factory.mktemp("temp")
    monkeypatch.setattr(overlay.tempfile, "tempdir", str(temp))
    old = stage_upload(base_folder, {})
    recent = stage_upload(base_folder, {})
    a_day_ago = os.path.getmtime(old / OVERLAY_MARKER) - 25 * 3600
    os.utime(old / OVERLAY_MARKER, (a_day_ago, a_day_ago))
    (temp / "local-focus-session-notours").mkdir()
    newest = stage_upload(base_folder, {})
    assert not old.exists() and recent.exists() and newest.exists()
    assert (temp / "local-focus-session-notours").is_dir()
    remove_overlay(recent)
    remove_overlay(newest)
