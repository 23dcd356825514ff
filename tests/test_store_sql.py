"""DuckDB over the store gives the same aggregates as the pandas functions over the loaded rows."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.load.dataset import load_dataset
from analysis.load.records import FrameRecords
from analysis.measures import metrics
from analysis.measures.maps import hexagons
from analysis.measures.performance import outcomes
from analysis.schema import ASB
from analysis.store import sql as store_sql
from analysis.store.ingest import ingest, store_location
from tests.conftest import SAMPLE_DIR, SHARED_DATA, need_shared, street_csv
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


@pytest.fixture(scope="module", params=["sample", "real", "month twice"])
def loaded(request, tmp_path_factory):
    if request.param == "month twice":
        folder = _twice(tmp_path_factory.mktemp("sql"))
    else:
        folder = SAMPLE_DIR if request.param == "sample" else need_shared(SHARED_DATA / "real" / "incidents").parent
    dataset = load_dataset(folder, store=True)
    if request.param == "month twice":
        once = load_dataset(need_shared(SHARED_DATA / "real" / "incidents").parent, store=False)
        assert len(dataset.incidents) == len(once.incidents)  # the older copy's rows are all rejected
        assert sum(r.rows_rejected for r in dataset.reports) == 3484  # 2019-01 as first downloaded
    return dataset, store_location(folder)


def chosen_rows(dataset, where: store_sql.Filter) -> pd.DataFrame:
    rows = dataset.incidents
    keep = (rows["month"] >= where.first) & (rows["month"] <= where.last)
    keep &= rows["hub"].isin(where.hubs) & rows["crime_type"].isin(where.crime_types)
    return rows.loc[keep]


def some_filter(dataset) -> store_sql.Filter:
    return store_sql.Filter(
        first=dataset.months[1],
        last=dataset.months[-2],
        hubs=dataset.hub_names[:2],
        crime_types=[ASB, "Burglary", "Violence and sexual offences"],
    )


def test_monthly_counts_as_pandas(loaded):
    dataset, store = loaded
    pd.testing.assert_frame_equal(
        store_sql.monthly_counts(store, hubs=dataset.hub_names),
        metrics.monthly_counts(dataset.incidents, hubs=dataset.hub_names, coverage=None),
    )
    pd.testing.assert_frame_equal(
        store_sql.monthly_counts(store), metrics.monthly_counts(dataset.incidents, coverage=None)
    )
    where = some_filter(dataset)
    pd.testing.assert_frame_equal(
        store_sql.monthly_counts(store, hubs=dataset.hub_names, months=dataset.months, where=where),
        metrics.monthly_counts(
            chosen_rows(dataset, where), hubs=dataset.hub_names, months=dataset.months, coverage=None
        ),
    )


def test_lsoa_counts_as_pandas(loaded):
    dataset, store = loaded
    for where, rows in ((None, dataset.incidents), (some_filter(dataset), chosen_rows(dataset, some_filter(dataset)))):
        expected = rows["lsoa_code"].astype("str").value_counts()
        got = store_sql.lsoa_counts(store, where)
        pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)
        assert got.is_monotonic_decreasing


def test_outcome_counts_as_pandas(loaded):
    dataset, store = loaded

    def distribution(rows):
        return outcomes.outcome_distribution(FrameRecords(rows.loc[~rows["is_asb"]]).count(["outcome"]))

    pd.testing.assert_frame_equal(store_sql.outcome_counts(store), distribution(dataset.incidents))
    where = some_filter(dataset)
    pd.testing.assert_frame_equal(store_sql.outcome_counts(store, where), distribution(chosen_rows(dataset, where)))


def test_hexbin_counts_as_pandas(loaded):
    dataset, store = loaded
    crs = hexagons.metric_crs(dataset.areas)
    width = 2000.0
    rows = dataset.incidents
    x, y = hexagons.project_points(rows["longitude"], rows["latitude"], crs)
    expected = hexagons.hexbin_counts(*hexagons.hex_cells(x, y, width))
    pd.testing.assert_frame_equal(store_sql.hexbin_counts(store, width, crs), expected)


def test_coverage_as_counted_from_the_rows(loaded):
    dataset, store = loaded
    rows = dataset.incidents
    table = store_sql.coverage(store).set_index("month")
    assert list(table.index) == list(dataset.months)
    asb = rows.loc[rows["is_asb"]].groupby("month").size().reindex(dataset.months, fill_value=0)
    street = rows.loc[~rows["is_asb"]].groupby("month").size().reindex(dataset.months, fill_value=0)
    assert table["asb_records"].tolist() == asb.tolist()
    assert table["street_records"].tolist() == street.tolist()
    assert table["asb_supplied"].tolist() == (asb > 0).tolist()
    by_hub = store_sql.coverage(store, by_hub=True)
    assert by_hub["asb_records"].sum() == asb.sum() and len(by_hub) == len(dataset.months) * len(
        dataset.incidents["hub"].cat.categories
    )


def test_a_month_without_asb_is_not_supplied_for_asb(make_folder):
    folder = make_folder(
        {
            "incidents/2019-01.csv": street_csv(GOOD_ASB, GOOD_CRIME),
            "incidents/2019-03.csv": street_csv(NO_LOCATION.replace("2019-01", "2019-03")),
        }
    )
    table = store_sql.coverage(ingest(folder).store)
    assert table["month"].astype("str").tolist() == ["2019-01", "2019-02", "2019-03"]
    assert table["asb_supplied"].tolist() == [True, False, False]
    assert table["street_supplied"].tolist() == [True, False, True]


def test_values_are_bound_not_spliced(make_folder):
    folder = make_folder({"incidents/f.csv": street_csv(GOOD_ASB, GOOD_CRIME)})
    store = ingest(folder).store
    odd = store_sql.Filter(hubs=["x') OR 1=1 --", "O'Brien"], crime_types=["Burglary"])
    assert store_sql.monthly_counts(store, hubs=["Unassigned"], where=odd)["count"].sum() == 0
    assert store_sql.outcome_counts(store, odd).empty


def test_a_store_without_records(make_folder):
    store = ingest(make_folder({"incidents/bad.csv": b""})).store
    assert store_sql.monthly_counts(store, hubs=["A"]).empty
    assert store_sql.lsoa_counts(store).empty
    assert store_sql.outcome_counts(store).empty
    assert store_sql.coverage(store).empty
