"""Tests of ``data/build_basemap.py`` and of how the generator places records on the basemap."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box, mapping, shape

from data import generate
from data.build_basemap import (
    BASEMAP_DIR,
    SNAP_COLUMNS,
    build_basemap,
    population_table,
    simplify_features,
    snap_points,
    write_basemap,
)
from tests.conftest import POLICE_HEADER, SHARED_DATA, need_shared

BASEMAP_FILES = ("areas.geojson", "lsoa.geojson", "population.csv", "snap_points.csv")


def _feature(props: dict, geometry) -> dict:
    return {"type": "Feature", "properties": props, "geometry": mapping(geometry)}


def _lsoa(code: str, area: str, west: float) -> dict:
    return _feature(
        {"lsoa_code": code, "lsoa_name": f"Area {code[-1]}", "area_code": area}, box(west, 54.0, west + 0.1, 54.1)
    )


# --- the committed basemap ----------------------------------------------------------


def test_rebuilding_from_shared_reproduces_the_committed_basemap(tmp_path: Path) -> None:
    shared = need_shared(SHARED_DATA / "real" / "lsoa.geojson").parents[1]
    write_basemap(build_basemap(shared), tmp_path)
    for name in BASEMAP_FILES:
        assert (tmp_path / name).read_bytes() == (BASEMAP_DIR / name).read_bytes(), name


def test_committed_basemap_is_small_and_real() -> None:
    assert (BASEMAP_DIR / "areas.geojson").stat().st_size < 60_000
    assert (BASEMAP_DIR / "lsoa.geojson").stat().st_size < 400_000
    areas = json.loads((BASEMAP_DIR / "areas.geojson").read_text(encoding="utf-8"))["features"]
    lsoa = json.loads((BASEMAP_DIR / "lsoa.geojson").read_text(encoding="utf-8"))["features"]
    assert [f["properties"]["area_code"] for f in areas] == [f"E070000{n}" for n in range(26, 32)]
    assert len(lsoa) == 321
    assert all(shape(f["geometry"]).is_valid for f in [*areas, *lsoa])
    points = pd.read_csv(BASEMAP_DIR / "snap_points.csv", dtype="str", keep_default_na=False)
    assert tuple(points.columns) == SNAP_COLUMNS  # points only: no crime type, month, id or outcome
    assert not points.duplicated(["longitude", "latitude", "location", "lsoa_code"]).any()
    assert set(points["lsoa_code"]) <= {f["properties"]["lsoa_code"] for f in lsoa}
    population = pd.read_csv(BASEMAP_DIR / "population.csv")
    assert sorted(population["year"].unique()) == [2011, 2017, 2019, 2020]
    census = population[(population["year"] == 2011) & population["area_code"].str.startswith("E07")]
    assert int(census["population"].sum()) == 499_858  # Cumbria, Census 2011


# --- the builder's steps, on tiny inputs ----------------------------------------------


def test_simplify_keeps_named_properties_valid_and_rounded() -> None:
    wiggly = [(-3.0 + i * 0.001, 54.0 + (0.00001 if i % 2 else 0.0)) for i in range(101)]
    polygon = shape({"type": "Polygon", "coordinates": [[*wiggly, (-2.9, 54.1), (-3.0, 54.1), wiggly[0]]]})
    out = simplify_features([_feature({"area_code": "A", "junk": 1}, polygon)], ("area_code",))
    assert out[0]["properties"] == {"area_code": "A"}
    simple = shape(out[0]["geometry"])
    assert simple.is_valid and len(simple.exterior.coords) < 10  # a metre of wiggle is gone
    assert simple.area == pytest.approx(polygon.area, rel=0.01)
    for x, y in out[0]["geometry"]["coordinates"][0]:
        assert round(x, 5) == x and round(y, 5) == y


@pytest.mark.parametrize(
    ("row", "kept"),
    [
        ("-2.95,54.05,On or near A Street,E01000001", True),
        ("-2.95,54.05,On or near A Street,E01999999", False),  # not an LSOA of the basemap
        (",,No Location,", False),
        ("-2.75,54.05,On or near B Street,E01000001", False),  # outside the LSOA it names
    ],
)
def test_snap_points_keep_distinct_points_inside_their_lsoa(tmp_path: Path, row: str, kept: bool) -> None:
    line = f",2019-01,C,C,{row},Name 001A,Burglary,Under investigation,"
    path = tmp_path / "x-street.csv"
    path.write_text("\n".join([POLICE_HEADER, line, line, line]) + "\n", encoding="utf-8")
    points = snap_points([path], [_lsoa("E01000001", "E07000001", -3.0)])
    assert tuple(points.columns) == SNAP_COLUMNS
    assert len(points) == int(kept)
    if kept:
        assert points.iloc[0].tolist() == ["-2.95", "54.05", "On or near A Street", "E01000001", 3]


def test_population_sums_lsoas_into_districts_and_checks_coverage() -> None:
    census = pd.DataFrame({"area_code": ["E07000001", "E01000001", "E01000002"], "population": [30, 10, 20]})
    lsoa_area = {"E01000001": "E07000001", "E01000002": "E07000001"}
    estimate = pd.DataFrame({"lsoa11_code": ["E01000002", "E01000001"], "total_population": [21.0, 12.0]})
    table = population_table(census, {2019: estimate}, lsoa_area)
    got = table[table["year"] == 2019].set_index("area_code")["population"].to_dict()
    assert got == {"E07000001": 33, "E01000001": 12, "E01000002": 21}
    assert list(table["area_code"][table["year"] == 2019]) == ["E07000001", "E01000001", "E01000002"]
    with pytest.raises(ValueError, match="do not cover"):
        population_table(census, {2019: estimate.iloc[:1]}, lsoa_area)


# --- placement in the generator -------------------------------------------------------


def _tiny_geography(points: pd.DataFrame) -> generate._Geography:
    areas = [
        _feature({"area_code": spec.area_code, "area_name": spec.area_name}, box(i, 54.0, i + 1, 55.0))
        for i, spec in enumerate(generate.HUBS)
    ]
    lsoa = [_lsoa(f"E0100000{i}", spec.area_code, float(i)) for i, spec in enumerate(generate.HUBS)]
    lsoa.append(_lsoa("E01000009", generate.HUBS[0].area_code, 0.5))  # no snap point
    return generate._geography_from(areas, lsoa, points, pd.DataFrame())


def test_an_lsoa_without_snap_points_gets_a_generated_point_inside_it() -> None:
    points = pd.DataFrame(
        [(f"{i + 0.05:.6f}", "54.050000", "On or near X", f"E0100000{i}", 3) for i in range(len(generate.HUBS))],
        columns=list(SNAP_COLUMNS),
    )
    geo = _tiny_geography(points)
    empty = int(np.flatnonzero(geo.code == "E01000009")[0])
    (only,) = np.flatnonzero(geo.point_lsoa == empty)
    assert geo.location[only] == generate.GENERATED_LOCATION
    assert box(0.5, 54.0, 0.6, 54.1).contains(Point(float(geo.lon[only]), float(geo.lat[only])))
    assert geo.weight[geo.hub == 0].tolist() == pytest.approx([0.75, 0.25])  # 3 records against 1


def test_points_are_drawn_inside_the_chosen_lsoa_by_their_counts() -> None:
    points = pd.DataFrame(
        [("0.010000", "54.01", "On or near A", "E01000000", 1), ("0.020000", "54.02", "On or near B", "E01000000", 3)]
        + [(f"{i + 0.05:.6f}", "54.05", "On or near X", f"E0100000{i}", 1) for i in range(1, len(generate.HUBS))],
        columns=list(SNAP_COLUMNS),
    )
    geo = _tiny_geography(points)
    u = np.array([0.0, 0.7, 0.75, 0.9, np.nextafter(1.0, 0.0)] * 3)
    lsoa = np.repeat([0, 1, len(geo.code) - 1], 5)
    picked = generate._pick_point(geo, lsoa, u)
    assert (geo.point_lsoa[picked] == lsoa).all()
    # the busiest point first: B (3 records) takes u < 0.75, A (1 record) the rest
    assert geo.location[picked[:5]].tolist() == ["On or near B"] * 2 + ["On or near A"] * 3
