"""Records counted in pandas over rows and in DuckDB over the store give the same frames."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.load.coverage import compute_coverage, coverage_from_counts
from analysis.load.dataset import load_dataset
from analysis.load.records import BASE, COUNTABLE, FrameRecords, StoreRecords, Where, _finish
from analysis.schema import ASB
from analysis.store.ingest import ingest
from tests.conftest import build_real_folder, named_folder, street_csv
from tests.test_incidents import GOOD_ASB, GOOD_CRIME, NO_LOCATION

#: Questions the measures ask: (by, where) with where built from the dataset.
QUESTIONS = [
    (["hub", "month", "crime_type"], lambda d: None),
    (["hub", "month", "is_asb"], lambda d: None),
    (["lsoa_code", "lsoa_name"], lambda d: Where(hubs=tuple(d.hubs["hub"].astype("str")[:2]))),
    (["longitude", "latitude", "hub"], lambda d: Where(crime_types=(ASB,))),
    (["outcome", "crime_type"], lambda d: Where(first=d.months[1], last=d.months[-2], crime_types=("Burglary",))),
    (list(COUNTABLE), lambda d: None),
    ([], lambda d: Where(first=d.months[-1])),
    (["month"], lambda d: Where(hubs=("no such hub",))),
    # cut from the one count by BASE (months, hubs, types, forces), not asked of DuckDB again
    (["crime_type"], lambda d: Where(d.months[0], d.months[-1], tuple(d.hubs["hub"].astype("str")[:2]), (ASB,))),
    (["force", "hub"], lambda d: Where(forces=("cumbria",), crime_types=("Burglary", ASB))),
    (["month", "is_asb"], lambda d: Where(last=d.months[0], hubs=())),
    ([], lambda d: Where(hubs=tuple(d.hubs["hub"].astype("str")[-1:]))),
]


@pytest.fixture(scope="module", params=["sample", "real", "gap", "cumbria12"])
def both(request, tmp_path_factory):
    folder = named_folder(request.param, tmp_path_factory.mktemp("records"))
    store = tmp_path_factory.mktemp("store")
    ingest(folder, store=store)
    dataset = load_dataset(folder, store=False)
    return dataset, FrameRecords(dataset.incidents, dataset.incident_forces), StoreRecords(store)


@pytest.mark.parametrize(("by", "where"), QUESTIONS)
def test_store_and_rows_count_alike(both, by, where):
    dataset, frame, store = both
    expected = frame.count(by, where(dataset))
    pd.testing.assert_frame_equal(store.count(by, where(dataset)), expected)


@pytest.mark.parametrize(("by", "where"), QUESTIONS)
def test_a_kept_or_cut_answer_is_the_sql_answer(both, by, where):
    """Every answer (kept, or cut from the count by BASE) is what DuckDB counts for that question alone."""
    dataset, _, store = both
    asked = where(dataset)
    direct = store._read().count(by, asked or Where())
    if by:
        direct = _finish(direct, by)
    else:
        direct = pd.DataFrame(
            {"records": [int(direct["records"].sum())]}
            if direct["records"].sum()
            else {"records": pd.Series(dtype="int64")}
        )
    pd.testing.assert_frame_equal(store.count(by, asked), direct)


def test_a_question_asked_again_is_not_counted_again_and_answers_stay_unchanged(both, monkeypatch):
    dataset, _, store = both
    store = StoreRecords(store.store)
    asked = []
    reader = store._read()
    original = reader.count
    monkeypatch.setattr(reader, "count", lambda by, where=None: asked.append(list(by)) or original(by, where))
    first = store.count(["hub", "month"], Where(first=dataset.months[0]))
    first["records"] = -1  # a caller changing its copy changes nothing kept
    again = store.count(["hub", "month"], Where(first=dataset.months[0]))
    assert (again["records"] > 0).all()
    store.count(["crime_type"], Where(crime_types=(ASB,)))
    store.total()
    assert asked == [list(BASE)]  # one count of the store served all three questions
    store.count(["lsoa_code"])
    store.count(["lsoa_code"])
    assert asked == [list(BASE), ["lsoa_code"]]
    # Among chosen records, a count by LSOA is asked for that choice alone (never a whole-store count by LSOA).
    store.count(["lsoa_code", "hub"], Where(first=dataset.months[-1]))
    store.count(["lsoa_code"], Where(crime_types=(ASB,)))
    store.count(["lsoa_code"], Where(crime_types=(ASB,)))
    assert asked == [list(BASE), ["lsoa_code"], ["lsoa_code", "hub"], ["lsoa_code"]]


@pytest.mark.parametrize(("by", "where"), [q for q in QUESTIONS if not set(q[0]) <= set(BASE)])
def test_a_count_by_other_columns_asks_the_store_that_question_only(both, monkeypatch, by, where):
    """No whole-store count by LSOA, outcome or map point is ever made (a national folder's would be huge)."""
    dataset, frame, store = both
    store = StoreRecords(store.store)
    reader, asked = store._read(), []
    original = reader.count
    monkeypatch.setattr(reader, "count", lambda b, w=None: asked.append((list(b), w)) or original(b, w))
    pd.testing.assert_frame_equal(store.count(by, where(dataset)), frame.count(by, where(dataset)))
    assert asked == [(by, where(dataset) or Where())]


def test_counts_match_the_rows_counted_by_hand(both):
    dataset, frame, _ = both
    rows = dataset.incidents
    counted = frame.count(["hub", "crime_type"])
    for (hub, crime_type), n in rows.groupby(["hub", "crime_type"], observed=True).size().items():
        got = counted.loc[(counted["hub"] == hub) & (counted["crime_type"] == crime_type), "records"]
        assert got.tolist() == [n]
    assert counted["records"].sum() == len(rows)
    assert frame.total() == len(rows)
    asb = frame.total(Where(crime_types=(ASB,), first=dataset.months[0], last=dataset.months[0]))
    assert asb == int(((rows["crime_type"] == ASB) & (rows["month"] == dataset.months[0])).sum())


def test_coverage_from_counts_is_coverage_from_rows(both):
    dataset, frame, store = both
    hubs = [str(h) for h in dataset.hubs["hub"]]
    expected = compute_coverage(dataset.incidents, hubs)
    for records in (frame, store):
        got = coverage_from_counts(records.count(["hub", "month", "is_asb"]), hubs)
        pd.testing.assert_frame_equal(got.frame(), expected.frame())


def test_blank_values_and_missing_points(make_folder, tmp_path):
    rows = street_csv(GOOD_ASB, GOOD_CRIME, NO_LOCATION)
    folder = make_folder({"incidents/2019-01/2019-01-cumbria-street.csv": rows})
    ingest(folder, store=tmp_path / "store")
    dataset = load_dataset(folder, store=False)
    frame, store = FrameRecords(dataset.incidents, dataset.incident_forces), StoreRecords(tmp_path / "store")
    for by in (["longitude", "latitude"], ["lsoa_code", "outcome"], ["force", "month"]):
        pd.testing.assert_frame_equal(store.count(by), frame.count(by))
    points = frame.count(["longitude", "latitude"])
    assert points["longitude"].isna().sum() == 1  # the record without a location keeps its own group
    assert frame.count(["force"])["force"].tolist() == ["cumbria"]


def test_forces_are_chosen(tmp_path_factory):
    folder = build_real_folder("forces", tmp_path_factory.mktemp("forces"))
    store = tmp_path_factory.mktemp("forces-store")
    ingest(folder, store=store)
    dataset = load_dataset(folder, store=False)
    frame = FrameRecords(dataset.incidents, dataset.incident_forces)
    city = frame.for_forces(("city-of-london",))
    assert city.total() == int((dataset.incident_forces == "city-of-london").sum()) > 0
    by = ["force", "month", "crime_type"]
    pd.testing.assert_frame_equal(StoreRecords(store).for_forces(("city-of-london",)).count(by), city.count(by))
    assert city.count(["force"])["force"].tolist() == ["city-of-london"]


def test_an_unknown_column_is_refused():
    with pytest.raises(ValueError, match="cannot be counted by"):
        FrameRecords(pd.DataFrame()).count(["context"])


def test_a_store_without_records(make_folder, tmp_path):
    folder = make_folder({"incidents/2019-01/2019-01-cumbria-street.csv": street_csv()})
    ingest(folder, store=tmp_path / "store")
    store = StoreRecords(tmp_path / "store")
    assert store.empty and store.total() == 0
    assert list(store.count(["hub", "month"]).columns) == ["hub", "month", "records"]
