"""Extracting one force from a police.uk archive zip that the test builds from real files (two forces)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from analysis.cli import main
from analysis.errors import DataProblem
from analysis.fetch.archive import extract_archive, safe_member
from analysis.fetch.monthfiles import month_file
from analysis.load.dataset import load_dataset

MONTHS = ("2018-10", "2018-11")


@pytest.fixture
def archive(tmp_path, real_dir, shared_data) -> Path:
    """A zip laid out as police.uk's archive: every force's months, with outcomes and stop-and-search beside."""
    path = tmp_path / "police-uk-archive.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for month in MONTHS:
            z.write(real_dir / f"incidents/{month}/{month}-cumbria-street.csv", f"{month}/{month}-cumbria-street.csv")
            london = shared_data / f"police-uk/city-of-london/{month}/{month}-city-of-london-street.csv"
            z.write(london, f"{month}/{month}-city-of-london-street.csv")
            z.writestr(f"{month}/{month}-cumbria-outcomes.csv", "Crime ID,Month,Outcome type\n")
            z.writestr(f"{month}/{month}-cumbria-stop-and-search.csv", "Type,Date\n")
        z.writestr("../../escaped/2018-12-cumbria-street.csv", "Crime ID\n")
        z.writestr("2019-01/2019-01-cumbria-street.csv", "not,a,police.uk,file\n")
    return path


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "data" / "cumbria"
    target.mkdir(parents=True)
    (target / "hubs.csv").write_text("hub,region,station,area_code,launched\n", encoding="utf-8")
    return target


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_only_the_chosen_forces_street_files_come_out_byte_for_byte(archive, folder, real_dir, monkeypatch):
    def whole_read(*_args, **_kwargs):
        raise AssertionError("the archive was read whole")

    monkeypatch.setattr(zipfile.ZipFile, "read", whole_read)
    summary = extract_archive(folder, "cumbria", str(archive))
    assert files_under(folder) == ["hubs.csv"] + [
        f"incidents/{m}/{m}-cumbria-street{ext}" for m in MONTHS for ext in (".csv", ".source.json")
    ]
    for month in MONTHS:
        source = real_dir / f"incidents/{month}/{month}-cumbria-street.csv"
        assert month_file(folder, "cumbria", month).read_bytes() == source.read_bytes()
    statuses = [(m.month, m.status) for m in summary.months]
    assert statuses == [("2018-10", "fetched"), ("2018-11", "fetched"), ("2018-12", "not supplied")] + [
        ("2019-01", "not supplied")
    ]
    assert "is not a police.uk street file" in summary.months[3].note
    assert "entries whose paths climb out were refused" in summary.notes[0]
    assert not (folder.parent.parent / "escaped").exists() and not (folder.parent / "escaped").exists()
    assert summary.force_name == "Cumbria Constabulary"
    note = json.loads((folder / "incidents/2018-10/2018-10-cumbria-street.source.json").read_text())
    assert note["member"] == "2018-10/2018-10-cumbria-street.csv" and note["source"] == "police.uk archive"
    assert summary.records == sum(m.records for m in summary.months) == note["records"] + summary.months[1].records
    dataset = load_dataset(folder)
    assert len(dataset.incidents) == summary.records and dataset.usable
    assert set(dataset.incidents["reported_by"]) == {"Cumbria Constabulary"}


def test_the_other_force_and_a_period(archive, folder):
    summary = extract_archive(folder, "city-of-london", str(archive), "2018-11", "2018-12")
    assert [(m.month, m.status) for m in summary.months] == [("2018-11", "fetched"), ("2018-12", "not supplied")]
    assert files_under(folder / "incidents") == [
        "2018-11/2018-11-city-of-london-street.csv",
        "2018-11/2018-11-city-of-london-street.source.json",
    ]


def test_months_present_are_kept_unless_replace(archive, folder):
    extract_archive(folder, "cumbria", str(archive), "2018-10", "2018-10")
    path = month_file(folder, "cumbria", "2018-10")
    path.write_bytes(path.read_bytes()[:200])
    assert extract_archive(folder, "cumbria", str(archive), "2018-10", "2018-10").months[0].status == "kept"
    assert len(path.read_bytes()) == 200
    summary = extract_archive(folder, "cumbria", str(archive), "2018-10", "2018-10", replace=True)
    assert summary.months[0].status == "replaced" and len(path.read_bytes()) > 200


ERRORS = [
    ("lancashire", "holds no street-level file for 'lancashire' (forces in it: city-of-london, cumbria)"),
    ("cumbria", "is not a readable zip"),
]


@pytest.mark.parametrize(("force", "words"), ERRORS, ids=["other force", "not a zip"])
def test_an_archive_that_cannot_be_used_is_one_sentence(archive, folder, force, words):
    if words == "is not a readable zip":
        archive.write_bytes(b"PK not really")
    with pytest.raises(DataProblem, match=words.replace("(", r"\(").replace(")", r"\)")):
        extract_archive(folder, force, str(archive))
    assert files_under(folder) == ["hubs.csv"]


def test_a_missing_archive_file(folder):
    with pytest.raises(DataProblem, match="There is no archive at"):
        extract_archive(folder, "cumbria", str(folder / "nowhere.zip"))


def test_an_archive_address_is_streamed_to_a_temporary_file_then_removed(archive, folder):
    with HTTPServer(host="127.0.0.1", port=0) as server:
        server.expect_request("/data/archive/latest.zip").respond_with_data(
            archive.read_bytes(), content_type="application/zip"
        )
        summary = extract_archive(folder, "cumbria", server.url_for("/data/archive/latest.zip"))
        missing = server.url_for("/data/archive/missing.zip")
        with pytest.raises(DataProblem, match="answered HTTP 500"):
            extract_archive(folder, "cumbria", missing)
    assert [m.status for m in summary.months[:2]] == ["fetched", "fetched"]
    assert not list(folder.glob(".archive-*"))


def test_safe_member_refuses_paths_that_climb_out():
    cases = {
        "2019-01/2019-01-cumbria-street.csv": True,
        "archive/2019-01/2019-01-cumbria-street.csv": True,
        "../2019-01-cumbria-street.csv": False,
        "a/../../2019-01-cumbria-street.csv": False,
        "/tmp/2019-01-cumbria-street.csv": False,
        "C:\\x\\2019-01-cumbria-street.csv": False,
        "": False,
    }
    assert {name: safe_member(name) for name in cases} == cases


def test_the_command_line_extracts_an_archive(archive, folder, capsys):
    assert main(["fetch", str(folder), "--force", "cumbria", "--archive", str(archive), "--to", "2018-11"]) == 0
    out = capsys.readouterr().out
    assert "Fetched 2 month(s) of police.uk street-level data for Cumbria Constabulary" in out
    assert "from the police.uk archive police-uk-archive.zip" in out
    assert main(["fetch", str(folder), "--force", "cumbria", "--archive", str(archive), "--update"]) == 1
