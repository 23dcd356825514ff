"""Shared fixtures: where the bundled sample and the real data live, and tiny data folders built in code."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "data" / "sample"
#: Real public data, read where it is (never copied into the project).
SHARED_DATA = ROOT.parent / "shared" / "data"
#: Real Cumbria data laid out as a data folder.
REAL_DIR = SHARED_DATA / "real"

# Every data folder's store goes to a temporary folder (subprocesses inherit it): the tests never write a
# store beside ../shared or into data/sample.
_STORES = tempfile.mkdtemp(prefix="local-focus-stores-")
os.environ.setdefault("LOCAL_FOCUS_STORE_DIR", _STORES)
atexit.register(shutil.rmtree, _STORES, ignore_errors=True)

POLICE_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context"
)


def need_shared(path: Path) -> Path:
    """``path`` under ../shared; a test that needs it skips where it is absent, and fails in CI (``CI=true``)."""
    if not path.exists():
        message = f"{path} is not on this machine (../shared/data is read in place, never copied)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def real_dir() -> Path:
    """The real data folder (../shared/data/real)."""
    return need_shared(REAL_DIR / "incidents").parent


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data: the real police.uk, ONS and API files."""
    return need_shared(SHARED_DATA)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The committed, generated sample."""
    assert (SAMPLE_DIR / "incidents").is_dir(), "data/sample is missing: run python -m data.generate"
    return SAMPLE_DIR


def street_csv(*rows: str, header: str = POLICE_HEADER, newline: str = "\n") -> str:
    """A police.uk street-level file from rows of text."""
    return newline.join([header, *rows]) + newline


@pytest.fixture
def make_folder(tmp_path: Path):
    """Build a data folder from {relative path: text or bytes}."""

    def _make(files: dict[str, str | bytes]) -> Path:
        for rel, content in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        return tmp_path

    return _make


#: Real folders the tests build from ../shared (copied into a temporary folder, never into the project).
REAL_FOLDERS = ("gap", "cumbria12", "city")


def build_real_folder(name: str, target: Path) -> Path:
    """Lay out one real test folder from ../shared/data under ``target``.

    - ``gap``: Cumbria 2016-03 and 2024-01..04 (93 months never supplied between) on the real
      boundaries, hubs and population;
    - ``cumbria12``: all twelve real Cumbria months, far apart, 2011 and 2021 LSOA codes;
    - ``city``: City of London Police, 60 months, no hubs.csv and no boundaries (2017-05 has no ASB);
    - ``forces`` (not in :data:`REAL_FOLDERS`): two forces in one folder, the real Cumbria folder
      (2018-10..2019-02, its hubs and boundaries) with City of London Police 2018-10..2019-03 beside
      it (no hubs, no boundaries: grouped by district).
    """
    import shutil

    need_shared(SHARED_DATA / "police-uk")
    folder = target / name
    if folder.is_dir():
        return folder
    incidents = folder / "incidents"
    incidents.mkdir(parents=True)
    cumbria = SHARED_DATA / "police-uk" / "cumbria"
    if name in {"gap", "cumbria12"}:
        for extra in ("areas.geojson", "lsoa.geojson", "hubs.csv", "population.csv"):
            shutil.copy(REAL_DIR / extra, folder / extra)
        months = ["2016-03", "2024-01", "2024-02", "2024-03", "2024-04"]
        if name == "cumbria12":
            months = sorted(p.name for p in cumbria.iterdir())
            for month in (REAL_DIR / "incidents").iterdir():
                shutil.copytree(month, incidents / month.name)
        for month in months:
            shutil.copytree(cumbria / month, incidents / month)
    elif name == "forces":
        shutil.copytree(REAL_DIR, folder, dirs_exist_ok=True)
        for month in ("2018-10", "2018-11", "2018-12", "2019-01", "2019-02", "2019-03"):
            shutil.copytree(SHARED_DATA / "police-uk" / "city-of-london" / month, incidents / month, dirs_exist_ok=True)
    elif name == "city":
        for month in (SHARED_DATA / "police-uk" / "city-of-london").iterdir():
            shutil.copytree(month, incidents / month.name)
    else:
        raise ValueError(f"unknown real folder {name!r}")
    return folder


def named_folder(name: str, target: Path) -> Path:
    """``sample`` (the bundled sample), ``real`` (../shared/data/real) or a real test folder built under ``target``."""
    if name == "sample":
        return SAMPLE_DIR
    if name == "real":
        return need_shared(REAL_DIR / "incidents").parent
    return build_real_folder(name, target)


@pytest.fixture(scope="session")
def real_folders(tmp_path_factory) -> dict[str, Path]:
    """Every real test folder of :data:`REAL_FOLDERS`, built once per session."""
    target = tmp_path_factory.mktemp("real-folders")
    return {name: build_real_folder(name, target) for name in REAL_FOLDERS}


def with_store_records(dataset, store: Path | None = None):
    """The same dataset, its records counted by DuckDB over the folder's Parquet store (ingested now).

    A measure given both must answer the same: the pandas path over rows and the SQL path over
    the store. ``store`` defaults to the folder's own store location.
    """
    import dataclasses

    from analysis.load.records import StoreRecords
    from analysis.store.ingest import ingest, store_location

    store = store or store_location(dataset.folder)
    ingest(dataset.folder, store=store)
    return dataclasses.replace(dataset, records=StoreRecords(store))


def store_only(dataset):
    """:func:`with_store_records`, holding no rows: a measure that still read ``incidents`` would see none."""
    import dataclasses

    stored = with_store_records(dataset)
    return dataclasses.replace(stored, _rows=stored.incidents.iloc[:0], read_rows=None)
