"""The police.uk loader: every bad-input kind gets a clear reason, and nothing is lost."""

from __future__ import annotations

import io
import os
import zipfile

import pandas as pd
import pytest

from analysis.load.incidents import load_incidents
from analysis.schema import CRIME_TYPES
from tests.conftest import POLICE_HEADER, street_csv

GOOD_ASB = (
    ",2019-01,Cumbria Constabulary,Cumbria Constabulary,-3.384851,54.860349,On or near B5301,E01019126,"
    "Allerdale 001A,Anti-social behaviour,,"
)
GOOD_CRIME = (
    "aaa1,2019-01,Cumbria Constabulary,Cumbria Constabulary,-3.387233,54.868024,On or near Eden Street,"
    "E01019126,Allerdale 001A,Burglary,Under investigation,"
)
NO_LOCATION = "bbb2,2019-01,Cumbria Constabulary,Cumbria Constabulary,,,No Location,,,Drugs,Local resolution,"


def load(make_folder, files):
    folder = make_folder({f"incidents/{name}": content for name, content in files.items()})
    return load_incidents(folder / "incidents")


def only_report(reports):
    assert len(reports) == 1
    return reports[0]


@pytest.mark.parametrize(
    "row,reason",
    [
        (GOOD_CRIME.replace("2019-01", "2019-13"), "Month '2019-13' is not a real month"),
        (GOOD_CRIME.replace("2019-01", "1899-01"), "Month '1899-01' is not a real month"),
        (GOOD_CRIME.replace("2019-01", "Jan 2019"), "Month 'Jan 2019' is not a real month"),
        (GOOD_CRIME.replace("Burglary", "Flying saucers"), "Crime type 'Flying saucers' is not one of the 14"),
        (GOOD_CRIME.replace("-3.387233", "200"), "Longitude '200' is not a number inside Great Britain"),
        (GOOD_CRIME.replace("54.868024", "north"), "Latitude 'north' is not a number inside Great Britain"),
        (GOOD_CRIME.replace("54.868024", "0"), "Latitude '0' is not a number inside Great Britain"),
        (GOOD_CRIME.replace("54.868024", ""), "has one coordinate without the other"),
        (GOOD_CRIME.replace("E01019126", "E0101"), "LSOA code 'E0101' is not an LSOA code"),
        ("only,three,fields", "has 3 fields where the header has 12"),
    ],
)
def test_bad_row_is_rejected_with_its_reason_and_line(make_folder, row, reason):
    incidents, reports = load(make_folder, {"2019-01/f.csv": street_csv(GOOD_ASB, row, NO_LOCATION)})
    report = only_report(reports)
    assert report.rows_read == 3
    assert report.rows_accepted == 2 and report.rows_rejected == 1
    assert report.balanced
    rejected = report.rejected.iloc[0]
    assert rejected["line"] == 3
    assert rejected["text"] == row
    assert reason in rejected["reasons"]
    assert rejected["file"] == "incidents/2019-01/f.csv"
    assert len(incidents) == 2


def test_every_reason_of_a_row_is_kept(make_folder):
    row = GOOD_CRIME.replace("2019-01", "2019-00").replace("Burglary", "Nope").replace("-3.387233", "x")
    _, reports = load(make_folder, {"f.csv": street_csv(row)})
    reasons = only_report(reports).rejected.iloc[0]["reasons"].split("; ")
    assert len(reasons) == 3
    assert {r.split(" ")[0] for r in reasons} == {"Month", "Crime", "Longitude"}


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"\x00\x01\x02binary", "is not a text file"),
        (b"PK\x03\x04zipped", "is a spreadsheet or zip"),
        ("\ufeffa,b".encode("utf-16"), "UTF-16"),
        (b"a,b,c\n1,2,3\n", "does not have the expected header"),
        (POLICE_HEADER.replace("Crime type,", "").encode() + b"\n", "missing: Crime type"),
        (b"\x81\x8d\x8f\x90\x9d\n", "is not readable text"),
    ],
)
def test_unusable_file_gets_one_plain_sentence(make_folder, content, message):
    incidents, reports = load(make_folder, {"bad.csv": content, "good.csv": street_csv(GOOD_ASB)})
    bad = next(r for r in reports if r.file.endswith("bad.csv"))
    assert not bad.usable
    assert message in bad.problem
    assert bad.problem.startswith("incidents/bad.csv")
    assert "Traceback" not in bad.problem and "\n" not in bad.problem
    assert len(incidents) == 1


@pytest.mark.parametrize(
    "encode,note",
    [
        (lambda t: t.encode("utf-8"), None),
        (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "UTF-8 with byte-order mark"),
        (lambda t: t.encode("cp1252"), "read as Windows-1252"),
        (lambda t: t.replace("\n", "\r\n").encode("utf-8"), "Windows (CRLF) line ends"),
    ],
)
def test_encodings_and_line_ends(make_folder, encode, note):
    row = GOOD_CRIME.replace("On or near Eden Street", "On or near Caf\u00e9 Street")
    incidents, reports = load(make_folder, {"f.csv": encode(street_csv(GOOD_ASB, row))})
    report = only_report(reports)
    assert report.rows_accepted == 2 and report.rows_rejected == 0
    assert "On or near Caf\u00e9 Street" in set(incidents["location"].astype("str"))
    if note:
        assert note in report.notes
    assert incidents.columns[0] == "crime_id"


def test_quoted_newline_keeps_line_numbers(make_folder):
    quoted = GOOD_CRIME.replace("On or near Eden Street", '"On or near\nEden Street"')
    bad = GOOD_CRIME.replace("aaa1", "ccc3").replace("2019-01", "2019-99")
    incidents, reports = load(make_folder, {"f.csv": street_csv(quoted, GOOD_ASB, bad)})
    report = only_report(reports)
    assert report.rows_read == 3 and report.rows_accepted == 2
    # header is line 1, the quoted record spans lines 2-3, the ASB row is line 4, the bad row line 5.
    assert report.rejected["line"].tolist() == [5]
    assert "On or near\nEden Street" in set(incidents["location"].astype("str"))


def test_reordered_and_extra_columns_are_kept(make_folder):
    columns = POLICE_HEADER.split(",")
    reordered = list(reversed(columns)) + ["Force notes"]
    values = list(reversed(GOOD_CRIME.split(","))) + ["kept"]
    text = ",".join(reordered) + "\n" + ",".join(values) + "\n"
    incidents, reports = load(make_folder, {"f.csv": text})
    assert only_report(reports).rows_accepted == 1
    assert incidents.loc[0, "crime_type"] == "Burglary"
    assert incidents.loc[0, "Force notes"] == "kept"
    assert incidents.loc[0, "month"] == pd.Period("2019-01", "M")


def test_crime_type_case_and_spaces_are_normalised(make_folder):
    row = GOOD_CRIME.replace("Burglary", "  anti-social  behaviour ")
    incidents, _ = load(make_folder, {"f.csv": street_csv(row)})
    assert incidents.loc[0, "crime_type"] == "Anti-social behaviour"
    assert bool(incidents.loc[0, "is_asb"])


def test_repeated_crime_id_across_files_keeps_the_first(make_folder):
    incidents, reports = load(
        make_folder,
        {
            "2019-01/a.csv": street_csv(GOOD_CRIME, GOOD_ASB),
            "2019-02/b.csv": street_csv(*(r.replace(",2019-01,", ",2019-02,") for r in (GOOD_ASB, GOOD_CRIME))),
        },
    )
    a, b = reports
    assert (a.rows_accepted, a.rows_rejected) == (2, 0)
    assert (b.rows_accepted, b.rows_rejected) == (1, 1)
    assert b.rejected.iloc[0]["line"] == 3
    assert "Crime ID repeats a record already read from incidents/2019-01/a.csv" in b.rejected.iloc[0]["reasons"]
    # ASB rows have blank Crime IDs: blank is never a repeat.
    assert int(incidents["is_asb"].sum()) == 2
    assert all(r.balanced for r in reports)


def test_police_uk_zip_with_outcomes_files(make_folder):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("2019-01/2019-01-cumbria-street.csv", street_csv(GOOD_ASB, GOOD_CRIME))
        archive.writestr("2019-01/2019-01-cumbria-outcomes.csv", "Crime ID,Month\nx,2019-01\n")
        archive.writestr("2019-02/2019-02-cumbria-street.csv", street_csv(NO_LOCATION))
    incidents, reports = load(make_folder, {"download.zip": buffer.getvalue()})
    assert [r.file for r in reports] == [
        "incidents/download.zip/2019-01/2019-01-cumbria-street.csv",
        "incidents/download.zip/2019-02/2019-02-cumbria-street.csv",
    ]
    assert len(incidents) == 3
    assert incidents["source_file"].astype("str").str.contains("2019-02").sum() == 1


def test_broken_zip_is_reported(make_folder):
    _, reports = load(make_folder, {"broken.zip": b"PK\x03\x04 not really"})
    assert "is not a readable zip" in only_report(reports).problem


def test_types(make_folder):
    incidents, _ = load(make_folder, {"f.csv": street_csv(GOOD_ASB, GOOD_CRIME, NO_LOCATION)})
    assert isinstance(incidents["month"].dtype, pd.PeriodDtype)
    assert list(incidents["crime_type"].cat.categories) == list(CRIME_TYPES)
    for column in ("lsoa_code", "lsoa_name", "outcome", "location", "source_file"):
        assert isinstance(incidents[column].dtype, pd.CategoricalDtype), column
    assert incidents["longitude"].isna().sum() == 1
    assert incidents["is_asb"].tolist() == [True, False, False]
    assert incidents.loc[0, "crime_id"] == ""


def test_real_folder_reads_whole(real_dir):
    incidents, reports = load_incidents(real_dir / "incidents")
    assert [r.rows_read for r in reports] == [4022, 3755, 3699, 3484, 3424]
    assert all(r.rows_rejected == 0 and r.balanced for r in reports)
    assert len(incidents) == 18_384
    assert int(incidents["longitude"].isna().sum()) == 77
    assert int(incidents["is_asb"].sum()) == 3315
    assert (incidents.loc[incidents["is_asb"], "crime_id"] == "").all()


def _age(folder, rel, seconds):
    path = folder / "incidents" / rel
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime - seconds))


def test_a_month_in_two_files_is_loaded_once_the_newer_wins(make_folder):
    # Two downloads of the same month: the ASB rows (blank Crime ID) would otherwise count twice.
    month = street_csv(GOOD_ASB, GOOD_ASB, GOOD_CRIME)
    folder = make_folder(
        {
            "incidents/old/2019-01/2019-01-cumbria-street.csv": month,
            "incidents/new/2019-01/2019-01-cumbria-street.csv": month,
        }
    )
    _age(folder, "old/2019-01/2019-01-cumbria-street.csv", 3600)
    incidents, reports = load_incidents(folder / "incidents")
    new, old = sorted(reports, key=lambda r: r.file)
    assert int(incidents["is_asb"].sum()) == 2 and len(incidents) == 3
    assert (new.rows_accepted, new.rows_rejected) == (3, 0)
    assert (old.rows_read, old.rows_accepted, old.rows_rejected) == (3, 0, 3)
    assert old.rejected["line"].tolist() == [2, 3, 4]
    assert (
        old.rejected["reasons"]
        .str.contains("2019-01 of Cumbria Constabulary is also in incidents/new/2019-01/2019-01-cumbria-street.csv")
        .all()
    )
    assert any("skipped 2019-01" in n for n in old.notes)
    assert any("which was skipped" in n for n in new.notes)
    assert all(r.balanced for r in reports)


def test_a_stray_row_of_another_month_is_not_a_resupply(make_folder):
    # A file named for February holding one January row does not supply January.
    stray = GOOD_ASB
    february = GOOD_ASB.replace(",2019-01,", ",2019-02,")
    incidents, reports = load(
        make_folder,
        {
            "2019-01/2019-01-cumbria-street.csv": street_csv(GOOD_ASB, GOOD_CRIME),
            "2019-02/2019-02-cumbria-street.csv": street_csv(stray, february, february),
        },
    )
    assert sum(r.rows_rejected for r in reports) == 0
    assert len(incidents) == 5


def test_a_month_split_across_two_files_is_kept_whole(make_folder):
    # Not two downloads: differently named files with different crimes of one month are both loaded.
    other = GOOD_CRIME.replace("aaa1", "ccc3")
    incidents, reports = load(
        make_folder, {"part-1.csv": street_csv(GOOD_CRIME, GOOD_ASB), "part-2.csv": street_csv(other, GOOD_ASB)}
    )
    assert len(incidents) == 4 and sum(r.rows_rejected for r in reports) == 0
