"""What the Data page shows of the loaded folder (analysis.measures.data): files, rows, coverage, placement."""

from __future__ import annotations

import pytest

from analysis.load.dataset import load_dataset
from analysis.measures.data import coverage_view, loaded_files
from tests.conftest import street_csv

ASB_ROW = (
    ",2019-03,Cumbria Constabulary,Cumbria Constabulary,-2.93,54.89,On or near X,E01019126,Carlisle 001A,"
    "Anti-social behaviour,,"
)
BAD_ROW = ASB_ROW.replace("2019-03", "x")
HUBS = "hub,region,station,area_code,launched\nCarlisle,North,Civic Centre,E07000028,2018-10-01\n"


@pytest.fixture
def folder(make_folder):
    return make_folder(
        {
            "hubs.csv": HUBS,
            "incidents/2019-03/2019-03-cumbria-street.csv": street_csv(
                ASB_ROW, ASB_ROW, ASB_ROW.replace("2019-03", "x")
            ),
            "incidents/2019-05/2019-05-cumbria-street.csv": street_csv(ASB_ROW.replace("2019-03", "2019-05")),
        }
    )


def test_rows_read_are_accepted_plus_rejected(folder):
    loaded = loaded_files(load_dataset(folder))
    # three police.uk rows (one rejected), one more and hubs.csv's one row
    assert (loaded.rows_read, loaded.rows_accepted, loaded.rows_rejected) == (5, 4, 1)
    assert loaded.rows_read == int(loaded.files["rows_read"].sum())
    assert len(loaded.rejected) == 1 and loaded.rejected["line"].tolist() == [4]
    assert loaded.files_unusable == 0 and loaded.problems == ()


def test_coverage_by_month_and_file_and_how_records_were_placed(folder):
    dataset = load_dataset(folder)
    coverage = coverage_view(dataset)
    by_file = {(f, m): n for f, m, n in coverage.by_file.itertuples(index=False)}
    assert by_file == {
        ("incidents/2019-03/2019-03-cumbria-street.csv", "2019-03"): 2,
        ("incidents/2019-05/2019-05-cumbria-street.csv", "2019-05"): 1,
    }
    assert coverage.not_supplied.startswith("Not supplied: crime ")
    assert "; ASB 2019-04. " in coverage.not_supplied
    assert coverage.months_table.columns.tolist()[:3] == ["Month", "Crimes", "ASB"]
    assert len(coverage.months) == 3 and coverage.strip_table.columns.tolist() == ["Month", "Crime", "ASB"]
    assert int(coverage.placed["records"].sum()) == 3
    assert coverage.placed.columns.tolist() == ["placed by", "records"]
    assert coverage.resupplied is None


def test_the_sample_supplies_every_month(sample_dir):
    coverage = coverage_view(load_dataset(sample_dir))
    assert coverage.not_supplied is None and coverage.hub_gaps is None
    assert coverage.strip_summary


def test_a_usable_file_shows_no_problem_text():
    from analysis.load.dataset import load_dataset
    from analysis.measures.data import loaded_files
    from tests.conftest import SAMPLE_DIR

    files = loaded_files(load_dataset(SAMPLE_DIR)).files
    assert files.loc[files["usable"], "problem"].eq("").all()
