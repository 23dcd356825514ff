"""The boundary summaries kept in the store: what load_boundaries reports, made once, made again when a file changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from analysis.load import geo
from analysis.load.dataset import load_dataset
from analysis.load.geo import load_boundaries
from analysis.store.boundaries import BOUNDARY_FILES, SUMMARY_DIR, LazyBoundaries, boundary_summaries
from analysis.store.ingest import STORE_DIR_ENV, ingest, store_location
from tests.conftest import street_csv
from tests.test_incidents import GOOD_ASB

ROOT = Path(__file__).resolve().parent.parent
SQUARE = {"type": "Polygon", "coordinates": [[[-3, 54], [-2, 54], [-2, 55], [-3, 55], [-3, 54]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[-3, 54], [-2, 55], [-2, 54], [-3, 55], [-3, 54]]]}


def _collection(*features: tuple[dict, dict | None], crs: bool = True) -> str:
    collection = {"type": "FeatureCollection", "features": [_feature(p, g) for p, g in features]}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    return json.dumps(collection)


def _feature(properties: dict, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


#: (areas.geojson content, lsoa.geojson content): None leaves the file out.
CASES = {
    "good": (
        _collection(({"LAD19CD": "E07000028", "LAD19NM": "Carlisle"}, SQUARE), ({"area_code": "E2"}, SQUARE)),
        _collection(({"LSOA11CD": "E01", "LSOA11NM": "Carlisle 001A", "LAD19CD": "E07000028"}, SQUARE)),
    ),
    "rejected and repaired": (
        _collection(
            ({"LAD19CD": "E07000028", "LAD19NM": "Carlisle"}, SQUARE),
            ({"LAD19CD": "", "LAD19NM": "Nowhere"}, SQUARE),
            ({"LAD19CD": "E07000030", "LAD19NM": "Eden"}, None),
            ({"LAD19CD": "E07000031", "LAD19NM": "Bow"}, BOWTIE),
        ),
        None,
    ),
    "no crs": (_collection(({"area_code": "A", "area_name": "Aye"}, SQUARE), crs=False), None),
    "broken": ("not json at all", _collection(({"x": 1}, SQUARE))),
    "absent": (None, None),
}


def _folder(root: Path, case: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in zip(BOUNDARY_FILES, CASES[case], strict=True):
        if content is not None:
            (root / name).write_text(content, encoding="utf-8")
    return root


def _same_report(ours, theirs) -> None:
    if theirs is None:
        assert ours is None
        return
    assert ours.to_dict() == theirs.to_dict()
    pd.testing.assert_frame_equal(ours.rejected, theirs.rejected)


@pytest.mark.parametrize("case", list(CASES))
def test_a_summary_is_what_load_boundaries_reports_made_or_read_back(tmp_path, case):
    folder, store = _folder(tmp_path / "data", case), tmp_path / "store"
    made = boundary_summaries(folder, store)
    kept = boundary_summaries(folder, store)
    for kind in BOUNDARY_FILES:
        frame, report = load_boundaries(folder, kind)
        for summary in (made[kind], kept[kind]):
            _same_report(summary.report, report)
            assert summary.usable == (frame is not None)
            if frame is not None and kind == "areas.geojson":
                names = [c for c in ("area_code", "area_name") if c in frame.columns]
                pd.testing.assert_frame_equal(summary.names, frame[names].astype("str"))


def test_an_unchanged_file_is_not_read_again_a_changed_one_is(tmp_path, monkeypatch):
    folder, store = _folder(tmp_path / "data", "good"), tmp_path / "store"
    boundary_summaries(folder, store)
    read = []
    real = geo.load_boundaries
    monkeypatch.setattr(geo, "load_boundaries", lambda f, kind: read.append(kind) or real(f, kind))
    boundary_summaries(folder, store)
    assert read == []
    areas = folder / "areas.geojson"
    os.utime(areas, ns=(1, 1))  # touched, the same content: the summary stands
    boundary_summaries(folder, store)
    assert read == []
    areas.write_text(CASES["no crs"][0], encoding="utf-8")
    summary = boundary_summaries(folder, store)["areas.geojson"]
    assert read == ["areas.geojson"]
    assert summary.names["area_code"].tolist() == ["A"]
    assert (summary.report.rows_read, summary.report.rows_accepted) == (1, 1)


def test_without_a_store_nothing_is_kept(tmp_path):
    folder = _folder(tmp_path / "data", "good")
    assert boundary_summaries(folder, None)["areas.geojson"].usable
    assert not (tmp_path / SUMMARY_DIR).exists()


def _with_records(root: Path) -> Path:
    """A tiny folder without hubs.csv (the hubs come from the areas' codes and names), two months of records."""
    folder = _folder(root, "rejected and repaired")
    (folder / "lsoa.geojson").write_text(CASES["good"][1], encoding="utf-8")
    (folder / "incidents").mkdir()
    for month in ("2024-01", "2024-02"):
        (folder / "incidents" / f"{month}-cumbria-street.csv").write_text(street_csv(GOOD_ASB), encoding="utf-8")
    return folder


def test_the_ingest_keeps_the_summaries(tmp_path, monkeypatch):
    monkeypatch.setenv(STORE_DIR_ENV, str(tmp_path / "stores"))
    folder = _with_records(tmp_path / "data")
    store = store_location(folder)
    ingest(folder, store=store)
    boundary_summaries(folder, store)
    (folder / "incidents" / "2024-03-cumbria-street.csv").write_text(street_csv(GOOD_ASB), encoding="utf-8")
    assert ingest(folder, store=store).ingested  # a new file: the ingest sweeps what its manifest does not name
    kept = sorted(p.name for p in (store / SUMMARY_DIR).iterdir())
    assert kept == sorted(f"{k}.{end}" for k in BOUNDARY_FILES for end in ("json", "parquet"))


def test_a_store_backed_dataset_reads_its_boundaries_when_asked(tmp_path, monkeypatch):
    monkeypatch.setenv(STORE_DIR_ENV, str(tmp_path / "stores"))
    folder = _with_records(tmp_path / "data")
    memory, stored = load_dataset(folder, store=False), load_dataset(folder, store=True)
    assert isinstance(stored._areas, LazyBoundaries) and isinstance(stored._lsoa, LazyBoundaries)
    pd.testing.assert_frame_equal(stored.hubs, memory.hubs)
    assert [r.to_dict() for r in stored.reports] == [r.to_dict() for r in memory.reports]
    assert stored.missing("areas.geojson") is None and stored.missing("lsoa.geojson") is None
    # The geometry comes from the store's GeoParquet, not from the GeoJSON files (no GDAL).
    monkeypatch.setattr(geo, "load_boundaries", lambda *_: pytest.fail("the GeoJSON file was read again"))
    assert_geodataframe_equal(stored.areas, memory.areas)
    assert_geodataframe_equal(stored.lsoa, memory.lsoa)
    assert list(stored.areas.geometry.to_wkb()) == list(memory.areas.geometry.to_wkb())
    assert stored.for_force(stored.forces[0]).areas is stored.areas  # read once, shared


def test_prepared_geometry_that_cannot_be_read_is_read_from_the_file(tmp_path):
    folder, store = _folder(tmp_path / "data", "good"), tmp_path / "store"
    prepared = boundary_summaries(folder, store)["areas.geojson"].geometry
    assert prepared is not None and prepared.is_file()
    prepared.write_bytes(b"not parquet")
    read = LazyBoundaries(folder, "areas.geojson", prepared).frame()
    assert_geodataframe_equal(read, geo.load_boundaries(folder, "areas.geojson")[0])


_OVERVIEW_IMPORTS = """
import os, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(os.path.join(sys.argv[1], "dashboard.py"), default_timeout=120).run()
assert not at.exception, [e.value for e in at.exception]
assert at.title and at.title[0].value == "Overview", [t.value for t in at.title]
print(sorted(m for m in ("scipy.stats", "statsmodels", "geopandas", "shapely", "pyproj") if m in sys.modules))
"""


def test_the_overview_imports_no_scipy_stats_statsmodels_or_geopandas(tmp_path):
    folder = _with_records(tmp_path / "data")
    env = {**os.environ, STORE_DIR_ENV: str(tmp_path / "stores"), "LOCAL_FOCUS_DATA": str(folder)}
    env["PYTHONPATH"] = str(ROOT)
    env.pop("LOCAL_FOCUS_STORE", None)
    # The ingest command makes the store and its boundary summaries, as before a server starts.
    subprocess.run([sys.executable, "-m", "analysis", "ingest", str(folder)], cwd=ROOT, env=env, check=True)
    done = subprocess.run(
        [sys.executable, "-c", _OVERVIEW_IMPORTS, str(ROOT)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
