"""Resourcing rows whose hub hubs.csv does not list are rejected with that reason (rows read = accepted + rejected)."""

from __future__ import annotations

import pytest

from analysis.load.dataset import load_dataset
from analysis.load.tables import UNKNOWN_HUB, parse_table

HUBS = (
    "hub,region,station,area_code,launched\nCarlisle,North,Civic Centre,E07000028,2018-10-01\nEden,East,,E07000030,\n"
)
HEADER = "week,hub,role,funding,fte,visible_patrol_hours\n"


@pytest.mark.parametrize(
    ("row", "reasons"),
    [
        ("2019-03-04,Carlisle,PC,core,1,5", None),
        ("2019-03-04, Eden ,PC,core,1,5", None),
        ("2019-03-04,Carlsle,PC,core,1,5", f"hub 'Carlsle' {UNKNOWN_HUB}"),
        ("2019-03-04,carlisle,PC,core,1,5", f"hub 'carlisle' {UNKNOWN_HUB}"),
        ("2019-03-04,,PC,core,1,5", "hub '' is blank"),
        ("2019-03-05,Penrith,PC,core,1,5", f"is not a Monday in YYYY-MM-DD form; hub 'Penrith' {UNKNOWN_HUB}"),
    ],
)
def test_a_resourcing_row_must_name_a_listed_hub(make_folder, row, reasons):
    folder = make_folder({"hubs.csv": HUBS, "resourcing.csv": HEADER + "2019-03-11,Eden,PC,core,1,5\n" + row + "\n"})
    dataset = load_dataset(folder)
    [report] = [r for r in dataset.reports if r.kind == "resourcing.csv"]
    assert report.rows_read == 2 and report.balanced
    if reasons is None:
        assert report.rows_rejected == 0
        assert len(dataset.table("resourcing.csv")) == 2
        return
    [rejected] = report.rejected.to_dict("records")
    assert (rejected["file"], rejected["line"], rejected["text"]) == ("resourcing.csv", 3, row)
    for reason in reasons.split("; "):
        assert reason in rejected["reasons"]
    assert dataset.table("resourcing.csv")["hub"].astype("str").tolist() == ["Eden"]


def test_without_hubs_csv_no_hub_is_checked(make_folder):
    folder = make_folder({"resourcing.csv": HEADER + "2019-03-04,Anywhere,PC,core,1,5\n"})
    [report] = [r for r in load_dataset(folder).reports if r.kind == "resourcing.csv"]
    assert (report.rows_read, report.rows_accepted) == (1, 1)


def test_parse_table_checks_hubs_only_when_given():
    content = (HEADER + "2019-03-04,Nowhere,PC,core,1,5\n").encode()
    assert parse_table(content, "resourcing.csv", "r.csv")[1].rows_rejected == 0
    table, report = parse_table(content, "resourcing.csv", "r.csv", hubs={"Carlisle"})
    assert report.rows_rejected == 1 and report.balanced and table.empty
    # Other files name hubs too, but only resourcing is held to hubs.csv here.
    ops = b"name,hub,start,end,focus\nOp X,Nowhere,2019-03-01,2019-03-02,ASB\n"
    assert parse_table(ops, "operations.csv", "o.csv", hubs={"Carlisle"})[1].rows_rejected == 0
