"""Zips are checked from their directory before anything is expanded: nested, bombs, paths that climb out, too many."""

from __future__ import annotations

import io
import zipfile

import pytest

from analysis.errors import DataProblem
from analysis.load.incidents import load_incidents
from analysis.load.upload.check import check_upload
from analysis.load.zipsafety import ZipLimits, ZipRefused, check_zip, safe_members
from tests.conftest import street_csv

ROW = ",2019-03,C,C,-2.93,54.89,On or near X,E01019126,Carlisle 001A,Anti-social behaviour,,"


def make_zip(members: dict[str, bytes], *, flag_bits: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
            archive.filelist[-1].flag_bits |= flag_bits  # into the directory written on close
    return buffer.getvalue()


GOOD = make_zip({"2019-03/2019-03-cumbria-street.csv": street_csv(ROW).encode(), "2019-03/": b""})
BOMB = make_zip({"2019-03/2019-03-cumbria-street.csv": b"0" * (20 * 1024**2)})


@pytest.mark.parametrize(
    ("content", "limits", "message"),
    [
        (make_zip({"inner.zip": GOOD}), ZipLimits(), r"holds another archive \(inner\.zip\)"),
        (make_zip({"a/b.csv.gz": b"x"}), ZipLimits(), "holds another archive"),
        (BOMB, ZipLimits(), r"expands far more than CSV files do \(2019-03-cumbria-street\.csv would grow"),
        (GOOD, ZipLimits(max_total_bytes=100), "would expand to 0.0 GB, more than"),
        (make_zip({"../evil.csv": b"x"}), ZipLimits(), "names a file outside its own folder"),
        (make_zip({"a/../../evil.csv": b"x"}), ZipLimits(), "names a file outside its own folder"),
        (make_zip({"/etc/passwd.csv": b"x"}), ZipLimits(), "names a file outside its own folder"),
        (make_zip({"C:/Windows/x.csv": b"x"}), ZipLimits(), "names a file outside its own folder"),
        (make_zip({"..\\..\\x.csv": b"x"}), ZipLimits(), "names a file outside its own folder"),
        (
            make_zip({f"{i}.csv": b"x" for i in range(30)}),
            ZipLimits(max_entries=20),
            "holds 30 files, more than the 20",
        ),
        (make_zip({"x.csv": b"x"}, flag_bits=0x1), ZipLimits(), "is encrypted"),
        (b"PK\x03\x04 not really a zip", ZipLimits(), "is not a readable zip"),
        (GOOD[: len(GOOD) // 2], ZipLimits(), "is not a readable zip"),
    ],
)
def test_a_harmful_zip_is_refused_in_one_sentence(content, limits, message):
    with pytest.raises(ZipRefused, match=message) as caught:
        check_zip(content, "upload.zip", limits)
    assert isinstance(caught.value, DataProblem)
    text = str(caught.value)
    assert text.startswith("upload.zip ") and text.endswith(".") and "\n" not in text


def test_a_police_uk_zip_passes():
    assert safe_members(GOOD, "good.zip") == ["2019-03/2019-03-cumbria-street.csv"]


def test_a_bomb_upload_is_refused_before_it_is_expanded(monkeypatch):
    def never(*_args, **_kwargs):
        raise AssertionError("a refused zip must not reach the loaders")

    monkeypatch.setattr("analysis.load.upload.check._check_incidents", never)
    check = check_upload("police.zip", BOMB)
    assert not check.usable
    assert check.problems == [check.problem] and "expands far more than CSV files do" in check.problem


def test_a_bomb_in_the_data_folder_is_reported_not_read(tmp_path):
    (tmp_path / "incidents").mkdir()
    (tmp_path / "incidents" / "police.zip").write_bytes(BOMB)
    (tmp_path / "incidents" / "nested.zip").write_bytes(make_zip({"inner.zip": GOOD}))
    incidents, reports = load_incidents(tmp_path / "incidents")
    assert incidents.empty
    problems = {r.file: r.problem for r in reports}
    assert "expands far more" in problems["incidents/police.zip"]
    assert "holds another archive" in problems["incidents/nested.zip"]


def test_a_damaged_member_is_a_sentence_not_a_crash(tmp_path):
    content = bytearray(GOOD)
    start = content.index(b"Crime ID") if b"Crime ID" in content else len(content) // 3
    content[start : start + 8] = b"\xff" * 8  # the member's compressed bytes, not the directory
    (tmp_path / "incidents").mkdir()
    (tmp_path / "incidents" / "police.zip").write_bytes(bytes(content))
    _, reports = load_incidents(tmp_path / "incidents")
    assert all(r.problem is None or r.problem.endswith(".") for r in reports)
    assert all(r.balanced for r in reports)
