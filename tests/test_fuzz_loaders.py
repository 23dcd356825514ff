"""Property-based tests of every loader and the upload check.

Random bytes, mutated real police.uk rows (read in place from ../shared/data/real) and
mutated resourcing rows go into analysis.load.textio, analysis.load.tables (every kind),
analysis.load.incidents, analysis.load.geo and analysis.load.upload.check. The only exception that may
escape is DataProblem, and every report balances: rows read = accepted + rejected.
Bounded: a hundred or so examples a test, no deadline.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.errors import DataProblem
from analysis.load.geo import load_boundaries
from analysis.load.incidents import load_incidents
from analysis.load.report import FileReport
from analysis.load.tables import TABLE_RULES, load_table, parse_table
from analysis.load.textio import read_csv_bytes
from analysis.load.upload.check import check_upload
from analysis.load.zipsafety import check_zip
from analysis.schema import POLICE_UK_COLUMNS, REQUIRED_COLUMNS
from tests.conftest import REAL_DIR, SAMPLE_DIR, need_shared

FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = sorted(TABLE_RULES)


def balanced(reports: list[FileReport]) -> None:
    for report in reports:
        assert report.balanced, (report.file, report.rows_read, report.rows_accepted, report.rows_rejected)
        assert report.problem is None or report.problem.strip().endswith((".", ")")), report.problem
        assert list(report.rejected.columns) == ["file", "line", "text", "reasons"]


# Text that looks like CSV more often than random bytes do: separators, quotes, line ends, odd characters.
CSV_ALPHABET = st.sampled_from(list(',"\n\r\t ;\\x0-9.-') + ["é", "€", "\ufeff", "\x00", "Ω", "𝔘"])
csvish = st.lists(CSV_ALPHABET, max_size=200).map("".join)


def _mutate(text: str, data: st.DataObject) -> str:
    """Apply a few random edits: delete, insert, duplicate or swap spans; change the encoding."""
    for _ in range(data.draw(st.integers(1, 6), label="edits")):
        if not text:
            text = data.draw(csvish)
            continue
        at = data.draw(st.integers(0, len(text) - 1))
        op = data.draw(st.sampled_from(["delete", "insert", "duplicate", "swap_lines", "truncate"]))
        if op == "delete":
            text = text[:at] + text[at + data.draw(st.integers(1, 40)) :]
        elif op == "insert":
            text = text[:at] + data.draw(csvish) + text[at:]
        elif op == "duplicate":
            text = text[:at] + text[at : at + 80] + text[at:]
        elif op == "swap_lines":
            lines = text.split("\n")
            i, j = data.draw(st.integers(0, len(lines) - 1)), data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        else:
            text = text[:at]
    return text


def _encode(text: str, data: st.DataObject) -> bytes:
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]), label="encoding")
    return text.encode(encoding, errors="replace")


def _load_incident_bytes(content: bytes, name: str = "2019-03-cumbria-street.csv") -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "incidents" / name
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
        incidents, reports = load_incidents(Path(scratch) / "incidents")
    balanced(reports)
    assert len(incidents) == sum(r.rows_accepted for r in reports)


def _check(name: str, content: bytes) -> None:
    check = check_upload(name, content)
    balanced(check.reports)
    assert all(isinstance(p, str) and p for p in check.problems)
    assert check.rows_read == check.rows_accepted + check.rows_rejected


# --------------------------------------------------------------------------- random bytes


@FUZZ
@given(content=st.binary(max_size=600) | csvish.map(str.encode))
def test_random_bytes_into_the_csv_reader(content):
    try:
        raw = read_csv_bytes(content, "x.csv", ["a", "b"])
    except DataProblem:
        return
    assert raw.rows_read == len(raw.frame) + len(raw.bad_width)


@FUZZ
@given(content=st.binary(max_size=600) | csvish.map(str.encode), kind=st.sampled_from(KINDS))
def test_random_bytes_into_every_table(content, kind):
    header = (",".join(REQUIRED_COLUMNS[kind]) + "\n").encode()
    for candidate in (content, header + content):
        table, report = parse_table(candidate, kind, kind)
        balanced([report])
        assert (table is None) == (report.problem is not None)
        if table is not None:
            assert len(table) == report.rows_accepted


@FUZZ
@given(content=st.binary(max_size=600) | csvish.map(str.encode))
def test_random_bytes_into_the_incident_loader(content):
    header = (",".join(POLICE_UK_COLUMNS) + "\n").encode()
    _load_incident_bytes(header + content)


@FEW
@given(content=st.binary(max_size=400), kind=st.sampled_from(["areas.geojson", "lsoa.geojson"]))
def test_random_bytes_into_the_boundary_loader(content, kind):
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / kind).write_bytes(content)
        _, report = load_boundaries(scratch, kind)
    balanced([report])


@FEW
@given(
    features=st.lists(
        st.fixed_dictionaries(
            {
                "type": st.just("Feature"),
                "properties": st.dictionaries(
                    st.sampled_from(["area_code", "LAD19CD", "LSOA11CD", "area_name", "x"]),
                    st.none() | st.text(max_size=8) | st.integers(),
                ),
                "geometry": st.none()
                | st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(["Polygon", "Point"]),
                        "coordinates": st.just([[[-3, 54], [-2, 54], [-2, 55], [-3, 54]]]),
                    }
                ),
            }
        ),
        max_size=4,
    )
)
def test_odd_geojson_features_into_the_boundary_loader(features):
    text = json.dumps({"type": "FeatureCollection", "features": features})
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "areas.geojson").write_text(text, encoding="utf-8")
        _, report = load_boundaries(scratch, "areas.geojson")
    balanced([report])


@FUZZ
@given(
    content=st.binary(max_size=600) | csvish.map(str.encode),
    name=st.sampled_from(
        ["x.csv", "resourcing.csv", "police.zip", "../x.csv", "a.txt", ".csv", "2019-03-outcomes.csv"]
    ),
)
def test_random_bytes_into_the_upload_check(content, name):
    _check(name, content)


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


@FUZZ
@given(
    members=st.lists(
        st.tuples(
            st.sampled_from(["a.csv", "b/c.csv", "../d.csv", "e.zip", "f.txt", "/g.csv"]), st.binary(max_size=80)
        ),
        max_size=4,
    ),
    cut=st.integers(0, 400),
    flip=st.integers(0, 400),
)
def test_damaged_zips_into_the_zip_check_and_the_upload_check(members, cut, flip):
    content = bytearray(_zip(members))
    if content and flip < len(content):
        content[flip] ^= 0xFF
    content = bytes(content[: len(content) - cut % max(len(content), 1)])
    try:
        check_zip(content, "police.zip")
    except DataProblem:
        pass
    _check("police.zip", content)
    _load_incident_bytes(content, "police.zip")


# --------------------------------------------------------------------------- mutated real rows


@pytest.fixture(scope="module")
def police_text() -> str:
    path = need_shared(REAL_DIR / "incidents" / "2019-01" / "2019-01-cumbria-street.csv")
    return "\n".join(path.read_text(encoding="utf-8").splitlines()[:40]) + "\n"


@pytest.fixture(scope="module")
def resourcing_text() -> str:
    return "\n".join((SAMPLE_DIR / "resourcing.csv").read_text(encoding="utf-8").splitlines()[:40]) + "\n"


@FUZZ
@given(data=st.data())
def test_mutated_police_uk_rows(police_text, data):
    content = _encode(_mutate(police_text, data), data)
    _load_incident_bytes(content)
    _check("2019-01-cumbria-street.csv", content)


@FUZZ
@given(data=st.data())
def test_mutated_resourcing_rows(resourcing_text, data):
    content = _encode(_mutate(resourcing_text, data), data)
    table, report = parse_table(content, "resourcing.csv", "resourcing.csv", hubs={"Carlisle", "Kendal"})
    balanced([report])
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "resourcing.csv").write_bytes(content)
        _, folder_report = load_table(scratch, "resourcing.csv")
    balanced([folder_report])
    _check("resourcing.csv", content)
