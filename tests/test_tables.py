"""The small CSVs of the data contract: each bad row rejected with its reasons, typed output."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.load.tables import load_table, parse_table

HUBS = "hub,region,station,area_code,launched\nCarlisle,North,Civic Centre,E07000028,2018-10-01\n"
RESOURCING_HEADER = "week,hub,role,funding,fte,visible_patrol_hours"


@pytest.mark.parametrize(
    "kind,header,row,reason",
    [
        ("hubs.csv", "hub,region,station,area_code,launched", "Eden,North,Penrith,E07000030,2018-02-30", "launched"),
        ("hubs.csv", "hub,region,station,area_code,launched", ",North,Penrith,E07000030,", "hub '' is blank"),
        ("resourcing.csv", RESOURCING_HEADER, "2019-01-08,Carlisle,PC,core,4,100", "is not a Monday"),
        ("resourcing.csv", RESOURCING_HEADER, "2019-01-07,Carlisle,Chief,core,4,100", "role 'Chief' is not one of"),
        ("resourcing.csv", RESOURCING_HEADER, "2019-01-07,Carlisle,PC,grant,4,100", "funding 'grant' is not one of"),
        ("resourcing.csv", RESOURCING_HEADER, "2019-01-07,Carlisle,PC,core,-1,100", "fte '-1' is not a number"),
        ("resourcing.csv", RESOURCING_HEADER, "2019-01-07,Carlisle,PC,core,1,lots", "visible_patrol_hours 'lots'"),
        ("population.csv", "area_code,year,population", "E07000028,twenty,100", "year 'twenty' is not a year"),
        ("population.csv", "area_code,year,population", "E07000028,2011,0", "population '0' is not a positive"),
        ("operations.csv", "name,hub,start,end,focus", "WoA,All,2019-07-08,2019-07-01,ASB", "ends before it starts"),
        (
            "cases.csv",
            "case_id,hub,opened,closed,issue,agencies,status",
            "C1,Carlisle,2019-01-05,2019-01-01,ASB,Police,closed",
            "is closed before it was opened",
        ),
        (
            "cases.csv",
            "case_id,hub,opened,closed,issue,agencies,status",
            "C1,Carlisle,2019-01-05,,ASB,Police; Ghostbusters,open",
            "names an agency not in",
        ),
        ("workforce.csv", "as_at_date,worker_type,fte,source", "2018-09-30,wizards,5,HO", "worker_type 'wizards'"),
        (
            "pledges.csv",
            "pledge,worker_type,target,kind,from_date,source",
            "More,officers,25,decrease,2018-04-01,PCC",
            "kind 'decrease' is not one of",
        ),
    ],
)
def test_bad_row_rejected(kind, header, row, reason):
    good = {
        "hubs.csv": "Carlisle,North,Civic Centre,E07000028,2018-10-01",
        "resourcing.csv": "2019-01-07,Carlisle,PC,core,4.5,120",
        "population.csv": "E07000028,2011,107524",
        "operations.csv": "Week of Action,All,2019-07-01,2019-07-07,ASB",
        "cases.csv": "C0,Carlisle,2019-01-01,,ASB,Police; Council,open",
        "workforce.csv": "2018-09-30,officers,1174,Home Office",
        "pledges.csv": "25 more,officers,25,increase,2018-04-01,PCC",
    }[kind]
    table, report = parse_table(f"{header}\n{good}\n{row}\n".encode(), kind, kind)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (2, 1, 1)
    assert report.rejected.iloc[0]["line"] == 3
    assert report.rejected.iloc[0]["text"] == row
    assert reason in report.rejected.iloc[0]["reasons"]
    assert len(table) == 1


def test_repeated_hub_is_rejected():
    _, report = parse_table((HUBS + "Carlisle,North,Elsewhere,E07000028,\n").encode(), "hubs.csv", "hubs.csv")
    assert "names a hub already listed" in report.rejected.iloc[0]["reasons"]


def test_typed_resourcing_keeps_extra_columns():
    text = f"{RESOURCING_HEADER},note\n2019-01-07,Carlisle,PC,precept,4.5,120,extra\n"
    table, report = parse_table(text.encode(), "resourcing.csv", "resourcing.csv")
    assert report.rows_accepted == 1
    assert table.loc[0, "week"] == pd.Timestamp("2019-01-07")
    assert table.loc[0, "fte"] == 4.5
    assert table.loc[0, "note"] == "extra"
    assert isinstance(table["role"].dtype, pd.CategoricalDtype)


def test_blank_launch_is_not_a_date():
    table, _ = parse_table(b"hub,region,station,area_code,launched\nEden,North,Penrith,E07000030,\n", "hubs.csv", "h")
    assert pd.isna(table.loc[0, "launched"])


def test_wrong_header_is_one_sentence():
    table, report = parse_table(b"week,hub\n2019-01-07,Carlisle\n", "resourcing.csv", "resourcing.csv")
    assert table is None
    assert report.problem.startswith("resourcing.csv does not have the expected header (missing: role, funding")


def test_absent_file_is_none(tmp_path):
    assert load_table(tmp_path, "cases.csv") == (None, None)


def test_unknown_kind_raises():
    with pytest.raises(ValueError, match="kind must be one of"):
        parse_table(b"a\n1\n", "nope.csv", "x")


def test_real_tables(real_dir):
    workforce, report = load_table(real_dir, "workforce.csv")
    assert report.rows_accepted == 10
    pcsos = workforce[workforce["worker_type"] == "pcsos"].set_index("as_at_date")["fte"]
    assert pcsos[pd.Timestamp("2018-09-30")] == 86.0
