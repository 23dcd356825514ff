"""Rows of commas alone or of spaces are records to reject, never skipped: line numbers stay true."""

from __future__ import annotations

import pytest

from analysis.load.incidents import load_incidents
from tests.conftest import street_csv
from tests.test_incidents import GOOD_ASB, GOOD_CRIME, NO_LOCATION

COMMAS = "," * 11
QUOTED = GOOD_CRIME.replace("On or near Eden Street", '"On or near Eden Street, Wigton"')


@pytest.mark.parametrize(
    ("rows", "rejected_lines"),
    [
        ([GOOD_ASB, COMMAS, GOOD_CRIME], [3]),  # every row 12 fields wide: pyarrow's own parse
        ([GOOD_ASB, COMMAS, "bad,row", GOOD_CRIME], [3, 4]),  # a short row: the exact parse
        ([QUOTED, COMMAS, GOOD_ASB, "bad,row"], [3, 5]),  # quotes: the quoted line finder
        ([GOOD_ASB, "   ", NO_LOCATION], [3]),  # spaces alone: a row of one field
        ([GOOD_ASB, "", GOOD_CRIME], []),  # an empty line is no record
    ],
)
def test_blank_rows_keep_the_count_and_the_lines(make_folder, rows, rejected_lines):
    text = street_csv(*rows)
    folder = make_folder({"incidents/2019-01/2019-01-cumbria-street.csv": text})
    incidents, reports = load_incidents(folder / "incidents")
    report = reports[0]
    physical = text.splitlines()
    records = [line for line in physical[1:] if line]
    assert report.rows_read == len(records) == report.rows_accepted + report.rows_rejected
    assert len(incidents) == report.rows_accepted == len(records) - len(rejected_lines)
    assert report.rejected["line"].tolist() == rejected_lines
    for line, shown in zip(report.rejected["line"], report.rejected["text"], strict=True):
        assert shown == physical[line - 1]  # the line number points at the row it shows


@pytest.mark.parametrize(
    ("rows", "rejected"),
    [
        ([GOOD_ASB, "\x0b"], [(3, "\x0b")]),  # a vertical tab alone: str.splitlines would call it a line break
        ([GOOD_ASB, "a\x0cb", "\x1c", GOOD_CRIME], [(3, "a\x0cb"), (4, "\x1c")]),  # form feed, file separator
        ([QUOTED, "x\u2028y", GOOD_ASB], [(3, "x\u2028y")]),  # a line separator, in the quoted line finder
    ],
)
def test_characters_that_are_not_csv_line_breaks_stay_in_their_row(make_folder, rows, rejected):
    text = street_csv(*rows)
    folder = make_folder({"incidents/2019-01/2019-01-cumbria-street.csv": text.encode()})
    incidents, reports = load_incidents(folder / "incidents")
    report = reports[0]
    assert report.rows_read == len(rows) == report.rows_accepted + report.rows_rejected
    assert list(zip(report.rejected["line"], report.rejected["text"], strict=True)) == rejected


@pytest.mark.parametrize("store", [False, True])
def test_extra_columns_named_as_ours_are_kept_apart(make_folder, store):
    from analysis.load.dataset import load_dataset

    header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    header += "Last outcome category,Context,month,longitude,place_id"
    text = street_csv(*(row + ",x,y,z" for row in (GOOD_ASB, GOOD_CRIME)), header=header)
    folder = make_folder({"incidents/2019-01/2019-01-cumbria-street.csv": text})
    dataset = load_dataset(folder, store=store)
    report = next(r for r in dataset.reports if r.kind == "incidents")
    assert (report.rows_read, report.rows_accepted, report.problem) == (2, 2, None)
    assert any("extra columns month, longitude, place_id" in note for note in report.notes)
    assert dataset.records.count(["month"])["month"].astype("str").tolist() == ["2019-01"]
