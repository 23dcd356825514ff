"""The SQL over the store (StoreReader): a month downloaded twice counted once, gaps kept, values bound."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.load.coverage import coverage_from_counts
from analysis.load.dataset import load_dataset
from analysis.load.records import COUNTABLE, FrameRecords, StoreRecords, Where
from analysis.schema import ASB
from analysis.store.ingest import ingest
from analysis.store.sql import StoreReader
from tests.conftest import SHARED_DATA, need_shared, street_csv
from tests.test_incidents import GOOD_ASB, GOOD_CRIME, NO_LOCATION


def _twice(root: Path) -> Path:
    """The real folder with 2019-01 downloaded a second time, later: the SQL must count it once."""
    real = need_shared(SHARED_DATA / "real" / "incidents").parent
    folder = root / "twice"
    shutil.copytree(real, folder)
    again = folder / "incidents" / "again" / "2019-01" / "2019-01-cumbria-street.csv"
    again.parent.mkdir(parents=True)
    shutil.copy(real / "incidents" / "2019-01" / "2019-01-cumbria-street.csv", again)
    os.utime(again, ns=(4 * 10**18, 4 * 10**18))
    return folder


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    folder = _twice(tmp_path_factory.mktemp("sql"))
    dataset = load_dataset(folder, store=True)
    once = load_dataset(need_shared(SHARED_DATA / "real" / "incidents").parent, store=False)
    return once, dataset.records, dataset


@pytest.mark.parametrize(
    "by", [["hub", "month", "crime_type"], ["lsoa_code"], ["outcome", "is_asb"], ["longitude", "latitude"]]
)
def test_a_month_downloaded_twice_is_counted_once(twice, by):
    once, store, _ = twice
    frame = FrameRecords(once.incidents, once.incident_forces)
    pd.testing.assert_frame_equal(store.count(by), frame.count(by))
    where = Where(first=once.months[0], last=once.months[0], crime_types=(ASB, "Burglary"))
    pd.testing.assert_frame_equal(store.count(by, where), frame.count(by, where))


def test_the_older_copy_is_rejected_row_by_row(twice):
    once, store, dataset = twice
    assert store.total() == len(once.incidents)
    assert sum(r.rows_rejected for r in dataset.reports) == 3484  # 2019-01 as first downloaded
    assert all(r.rows_read == r.rows_accepted + r.rows_rejected for r in dataset.reports)


def test_a_month_without_asb_is_not_supplied_for_asb(make_folder, tmp_path):
    folder = make_folder(
        {
            "incidents/2019-01.csv": street_csv(GOOD_ASB, GOOD_CRIME),
            "incidents/2019-03.csv": street_csv(NO_LOCATION.replace("2019-01", "2019-03")),
        }
    )
    ingest(folder, store=tmp_path / "store")
    coverage = coverage_from_counts(StoreRecords(tmp_path / "store").count(["hub", "month", "is_asb"]))
    assert [str(m) for m in coverage.span] == ["2019-01", "2019-02", "2019-03"]
    assert coverage.supplied("asb").tolist() == [True, False, False]
    assert coverage.supplied("crime").tolist() == [True, False, True]


def test_values_are_bound_not_spliced(make_folder, tmp_path):
    folder = make_folder({"incidents/f.csv": street_csv(GOOD_ASB, GOOD_CRIME)})
    ingest(folder, store=tmp_path / "store")
    reader = StoreReader(tmp_path / "store")
    try:
        assert reader.count(["month"])["records"].sum() == 2
        odd = Where(hubs=("x') OR 1=1 --", "O'Brien"), crime_types=("Burglary",))
        assert reader.count(["month"], odd).empty
        assert reader.count(list(COUNTABLE), Where(forces=("' OR ''='",))).empty
    finally:
        reader.close()


def test_a_store_without_records(make_folder, tmp_path):
    ingest(make_folder({"incidents/bad.csv": b""}), store=tmp_path / "store")
    reader = StoreReader(tmp_path / "store")
    try:
        assert not reader.has_records
        assert reader.query("SELECT count(*) FROM chosen") is None
        assert list(reader.count(["hub", "month"]).columns) == ["hub", "month", "records"]
    finally:
        reader.close()
