"""A store-backed dataset holds no rows, yet gives what the in-memory dataset gives."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st

from analysis import cli
from analysis.access import public_view
from analysis.load import dataset as dataset_module
from analysis.load.dataset import load_dataset, rows_read
from analysis.load.records import COUNTABLE, FrameRecords, StoreRecords
from analysis.store.ingest import STORE_DIR_ENV, store_enabled, store_location
from analysis.store.location import STORE_DIR_NAME, STORE_ENV, cache_location
from tests.apptest import new_session
from tests.conftest import SAMPLE_DIR, named_folder, street_csv
from tests.test_incidents import GOOD_ASB, GOOD_CRIME
from ui.navigation import PAGES as NAVIGATION

FOLDERS = ["sample", "real", "gap", "cumbria12", "city", "forces"]


@pytest.fixture(scope="module", params=FOLDERS)
def both(request, tmp_path_factory):
    """(in memory, through the store) for one folder."""
    folder = named_folder(request.param, tmp_path_factory.mktemp("rowless"))
    before = rows_read()
    stored = load_dataset(folder, store=True)
    assert rows_read() == before, "loading through the store read rows"
    return load_dataset(folder, store=False), stored


def test_the_store_backed_dataset_holds_no_rows(both):
    _, stored = both
    assert isinstance(stored.records, StoreRecords)
    assert stored._rows is None


def test_every_count_is_the_in_memory_count(both):
    memory, stored = both
    by = list(COUNTABLE)
    expected = FrameRecords(memory.incidents, memory.incident_forces).count(by)
    pd.testing.assert_frame_equal(stored.records.count(by), expected)


def test_coverage_hubs_forces_and_reports_are_the_in_memory_ones(both):
    memory, stored = both
    before = rows_read()
    pd.testing.assert_frame_equal(stored.coverage.frame(), memory.coverage.frame())
    pd.testing.assert_frame_equal(stored.hubs, memory.hubs)
    assert stored.hubs_source == memory.hubs_source
    assert stored.hub_names == memory.hub_names
    assert list(stored.months) == list(memory.months)
    assert stored.force_names == memory.force_names
    assert stored.hub_forces == memory.hub_forces
    assert [r.to_dict() for r in stored.reports] == [r.to_dict() for r in memory.reports]
    assert rows_read() == before


def test_each_force_is_cut_without_rows(both):
    memory, stored = both
    before = rows_read()
    for force in memory.forces:
        mine, theirs = stored.for_force(force), memory.for_force(force)
        assert mine._rows is None
        pd.testing.assert_frame_equal(mine.hubs, theirs.hubs)
        pd.testing.assert_frame_equal(mine.coverage.frame(), theirs.coverage.frame())
        assert mine.hub_names == theirs.hub_names
        by = ["hub", "month", "crime_type", "force"]
        pd.testing.assert_frame_equal(mine.records.count(by), theirs.records.count(by))
    assert rows_read() == before


def test_rows_are_read_once_when_asked_for_and_equal_the_in_memory_rows(both):
    memory, stored = both
    before = rows_read()
    copy = load_dataset(stored.folder, store=True)
    assert rows_read() == before
    pd.testing.assert_frame_equal(copy.incidents, memory.incidents)
    assert copy.incident_forces.equals(memory.incident_forces)
    assert rows_read() == before + 1
    copy.incidents  # noqa: B018
    assert rows_read() == before + 1  # held once read
    if len(memory.forces) > 1:
        force = memory.forces[-1]
        pd.testing.assert_frame_equal(copy.for_force(force).incidents, memory.for_force(force).incidents)


def test_a_public_view_of_a_store_backed_dataset_holds_no_rows(make_folder):
    folder = make_folder({"incidents/2019-01/2019-01-cumbria-street.csv": street_csv(GOOD_ASB, GOOD_CRIME)})
    before = rows_read()
    public = public_view(load_dataset(folder, store=True))
    assert public._rows is None and rows_read() == before
    assert public.records.total() == 2
    assert len(public.incidents) == 2  # read lazily: the same public police.uk columns as in memory


@pytest.mark.parametrize(
    ("value", "on"), [("", True), ("on", True), ("off", False), ("0", False), ("no", False), ("FALSE", False)]
)
def test_the_store_is_the_default(monkeypatch, value, on):
    monkeypatch.setenv(STORE_ENV, value)
    assert store_enabled() is on


def test_a_public_site_keeps_its_store_in_the_cache(make_folder, monkeypatch, tmp_path):
    folder = make_folder({"incidents/2019-01/2019-01-cumbria-street.csv": street_csv(GOOD_ASB)})
    monkeypatch.delenv(STORE_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("LOCAL_FOCUS_MODE", "public")
    assert store_location(folder) == cache_location(folder)
    assert str(store_location(folder)).startswith(str(tmp_path / "cache" / "local-focus"))
    assert load_dataset(folder).records.total() == 1
    assert not (folder / STORE_DIR_NAME).exists()
    monkeypatch.delenv("LOCAL_FOCUS_MODE")
    assert store_location(folder) == folder / STORE_DIR_NAME


def test_no_reader_of_rows_in_the_store_path(monkeypatch, make_folder):
    """Loading through the store never calls the in-memory loader."""
    folder = make_folder({"incidents/2019-01/2019-01-cumbria-street.csv": street_csv(GOOD_ASB, GOOD_CRIME)})

    def refuse(*args, **kwargs):
        raise AssertionError("rows were loaded in memory")

    monkeypatch.setattr(dataset_module, "load_incidents", refuse)
    monkeypatch.setattr(dataset_module, "read_rows", refuse)
    dataset = load_dataset(folder, store=True)
    assert dataset.records.total() == 2 and dataset.hub_names


# ---------------------------------------------------------------- no page and no command reads rows

@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory):
    """The sample in a folder of its own: no dataset cached by another test can stand in for it."""
    import shutil

    folder = tmp_path_factory.mktemp("rowless-sample") / "sample"
    shutil.copytree(SAMPLE_DIR, folder, ignore=shutil.ignore_patterns(STORE_DIR_NAME))
    return folder


@pytest.mark.parametrize("page", [path for path, _title, _icon in NAVIGATION])
def test_no_page_reads_rows_from_the_store(page, sample_copy, monkeypatch):
    monkeypatch.setenv(STORE_ENV, "on")
    load_dataset(sample_copy)  # ingested before counting
    st.cache_resource.clear()  # a dataset another page made read its rows would hide this page's reads
    st.cache_data.clear()
    before = rows_read()
    at = new_session(sample_copy, monkeypatch).switch_page(page).run()  # this page alone, not the overview first
    assert not at.exception, [e.value for e in at.exception]
    assert rows_read() == before, f"{page} read the rows of a store-backed dataset"


@pytest.mark.parametrize(
    "command",
    ["validate", "ingest", "summary", "evaluate", "briefing"],
)
def test_no_command_reads_rows_from_the_store(command, sample_copy, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(STORE_ENV, "on")
    load_dataset(sample_copy)
    before = rows_read()
    extra = ["--out", str(tmp_path / "briefing.pdf")] if command == "briefing" else ["--json"]
    cli.main([command, str(sample_copy), *extra])
    capsys.readouterr()
    assert rows_read() == before, f"{command} read the rows of a store-backed dataset"


def test_no_filter_change_reads_rows_on_two_forces(tmp_path_factory, monkeypatch):
    """A force chosen, then hubs, types and the map's own choices changed: still no row leaves the store."""
    from tests.conftest import build_real_folder

    folder = build_real_folder("forces", tmp_path_factory.mktemp("rowless-forces"))
    monkeypatch.setenv(STORE_ENV, "on")
    load_dataset(folder)
    st.cache_resource.clear()
    st.cache_data.clear()
    before = rows_read()
    at = new_session(folder, monkeypatch).run()
    force = next(b for b in at.sidebar.selectbox if b.key == "f_force")
    force.set_value("city-of-london").run()
    for page in [path for path, _title, _icon in NAVIGATION]:
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/hub_map.py").run()
    next(t for t in at.toggle if t.key == "map_hotspots").set_value(True).run()
    family = next(r for r in at.radio if r.key == "map_family")
    family.set_value(family.options[-1]).run()
    assert not at.exception, [e.value for e in at.exception]
    next(b for b in at.sidebar.selectbox if b.key == "f_force").set_value("cumbria").run()
    level = next(b for b in at.selectbox if b.key == "map_level")
    level.set_value(level.options[1]).run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/performance.py").run()
    hubs = next(m for m in at.sidebar.multiselect if m.key == "f_hubs")
    hubs.set_value(hubs.options[:1]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert rows_read() == before, "a filter change read the rows of a store-backed dataset"
