"""Shared fixtures: where the bundled sample and the real data live, and tiny data folders built in code."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "data" / "sample"
#: Real Cumbria data, read where it is (never copied into the project).
REAL_DIR = ROOT.parent / "shared" / "data" / "real"

POLICE_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context"
)


@pytest.fixture(scope="session")
def real_dir() -> Path:
    """The real data folder; tests that need it skip where it does not exist."""
    if not (REAL_DIR / "incidents").is_dir():
        pytest.skip("../shared/data/real is not on this machine")
    return REAL_DIR


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
