"""The ingest places records by the boundaries kept in the store as by the files themselves.

:func:`analysis.store.ingest.load_geography` with a store reads each boundary file once
(checked as :func:`analysis.load.geo.load_boundaries` checks it) and afterwards reads it back
from the store's GeoParquet, the LSOAs without their geometry. What placing uses must be the
same either way: every hub, each area's code, name and shape, each LSOA's codes.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.load.dataset import read_geography
from analysis.store.boundaries import SUMMARY_DIR, boundary_summaries
from analysis.store.ingest import load_geography


def _same(kept: tuple, read: tuple) -> None:
    (hubs, areas, lsoa), (want_hubs, want_areas, want_lsoa) = kept, read
    pd.testing.assert_frame_equal(hubs, want_hubs)
    for ours, theirs in ((areas, want_areas), (lsoa, want_lsoa)):
        assert (ours is None) == (theirs is None)
        if ours is None:
            continue
        columns = [c for c in theirs.columns if c != "geometry"]
        assert [c for c in ours.columns if c != "geometry"] == columns
        pd.testing.assert_frame_equal(
            pd.DataFrame(ours[columns]).astype("str"), pd.DataFrame(theirs[columns]).astype("str")
        )
    assert areas.geometry.geom_equals_exact(want_areas.geometry, tolerance=0).all()


def _folder(sample_dir, tmp_path, hubs_csv: bool = True):
    """A data folder of the sample's boundaries (and hubs), and where its store goes."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("areas.geojson", "lsoa.geojson", *(["hubs.csv"] if hubs_csv else [])):
        shutil.copy(sample_dir / name, folder / name)
    return folder, tmp_path / "store"


@pytest.mark.parametrize("hubs_csv", [True, False], ids=["hubs.csv", "hubs from areas"])
def test_kept_boundaries_place_as_the_files_do(sample_dir, tmp_path, hubs_csv):
    folder, store = _folder(sample_dir, tmp_path, hubs_csv)
    read = read_geography(folder)
    first = load_geography(folder, store)  # no summaries yet: read from the files, nothing written
    assert not (store / SUMMARY_DIR).exists()
    boundary_summaries(folder, store)  # as a start makes them
    again = load_geography(folder, store)  # read back from the store
    _same(first, read)
    _same(again, read)
    assert "geometry" not in again[2].columns  # the LSOAs' shapes are not needed to place records


def test_a_file_changed_since_its_summary_is_read_again(sample_dir, tmp_path):
    folder, store = _folder(sample_dir, tmp_path)
    boundary_summaries(folder, store)
    text = (folder / "areas.geojson").read_text(encoding="utf-8")
    (folder / "areas.geojson").write_text(text.replace('{"features":[', '{"features": ['), encoding="utf-8")
    kept = load_geography(folder, store)  # areas.geojson from the file, lsoa.geojson from the store
    _same(kept, read_geography(folder))
    assert "geometry" not in kept[2].columns


def test_damaged_kept_boundaries_are_read_from_the_file(sample_dir, tmp_path):
    folder, store = _folder(sample_dir, tmp_path)
    boundary_summaries(folder, store)
    for kind in ("areas.geojson", "lsoa.geojson"):
        (store / SUMMARY_DIR / f"{kind}.parquet").write_bytes(b"not parquet")
    _same(load_geography(folder, store), read_geography(folder))
