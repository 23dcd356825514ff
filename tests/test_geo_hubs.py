"""Boundaries with ONS names, and hub assignment in its documented order."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from analysis.load.dataset import load_dataset
from analysis.load.geo import load_boundaries, normalise_properties
from analysis.load.hubs import assign_hubs
from analysis.schema import UNASSIGNED
from tests.conftest import street_csv
from tests.test_incidents import GOOD_ASB, GOOD_CRIME


@pytest.mark.parametrize(
    "columns,kind,expected",
    [
        (["LAD19CD", "LAD19NM", "geometry"], "areas.geojson", {"LAD19CD": "area_code", "LAD19NM": "area_name"}),
        (["lad23cd", "lad23nm"], "areas.geojson", {"lad23cd": "area_code", "lad23nm": "area_name"}),
        (["area_code", "area_name"], "areas.geojson", {}),
        (["code", "name"], "areas.geojson", {"code": "area_code", "name": "area_name"}),
        (
            ["LSOA11CD", "LSOA11NM", "lad_code"],
            "lsoa.geojson",
            {"LSOA11CD": "lsoa_code", "LSOA11NM": "lsoa_name", "lad_code": "area_code"},
        ),
        (["LSOA21CD", "LSOA21NM"], "lsoa.geojson", {"LSOA21CD": "lsoa_code", "LSOA21NM": "lsoa_name"}),
    ],
)
def test_ons_property_names(columns, kind, expected):
    assert normalise_properties(columns, kind) == expected


def _feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


SQUARE = {"type": "Polygon", "coordinates": [[[-3, 54], [-2, 54], [-2, 55], [-3, 55], [-3, 54]]]}


def test_load_boundaries_with_ons_names_and_bad_features(tmp_path):
    features = [
        _feature({"LAD19CD": "E07000028", "LAD19NM": "Carlisle"}, SQUARE),
        _feature({"LAD19CD": "", "LAD19NM": "Nowhere"}, SQUARE),
        _feature({"LAD19CD": "E07000030", "LAD19NM": "Eden"}, None),
    ]
    (tmp_path / "areas.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    areas, report = load_boundaries(tmp_path, "areas.geojson")
    assert list(areas["area_code"]) == ["E07000028"]
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (3, 1, 2)
    assert report.rejected["line"].tolist() == [2, 3]
    assert "area_code is blank" in report.rejected.iloc[0]["reasons"]
    assert "geometry is empty" in report.rejected.iloc[1]["reasons"]


@pytest.mark.parametrize("store", [False, True])
@pytest.mark.parametrize("name", [None, "", "  "])
def test_an_area_without_a_name_is_named_by_its_code(make_folder, name, store):
    """Without hubs.csv each area is a hub named after it: a nameless area is its code, never a fault."""
    features = [
        _feature({"area_code": "E07000028", "area_name": "Carlisle"}, SQUARE),
        _feature({"area_code": "E07000030", "area_name": name}, SQUARE),
    ]
    folder = make_folder({"incidents/2019-01.csv": street_csv(GOOD_ASB, GOOD_CRIME)})
    (folder / "areas.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    areas, report = load_boundaries(folder, "areas.geojson")
    assert areas["area_name"].tolist() == ["Carlisle", "E07000030"]
    assert report.rows_accepted == 2 and "1 feature has no area_name: named by its area_code" in report.notes
    dataset = load_dataset(folder, store=store)
    assert dataset.hub_names[:2] == ["Carlisle", "E07000030"]
    assert dataset.records.total() == 2


@pytest.mark.parametrize(
    "content,message",
    [
        ("not json at all", "could not be read as GeoJSON"),
        (json.dumps({"type": "FeatureCollection", "features": [_feature({"x": 1}, SQUARE)]}), "has no 'area_code'"),
    ],
)
def test_unusable_boundaries(tmp_path, content, message):
    (tmp_path / "areas.geojson").write_text(content)
    areas, report = load_boundaries(tmp_path, "areas.geojson")
    assert areas is None
    assert message in report.problem


def test_reprojected_to_wgs84(tmp_path):
    frame = gpd.GeoDataFrame({"area_code": ["A"]}, geometry=[box(330000, 550000, 340000, 560000)], crs=27700)
    frame.to_file(tmp_path / "areas.geojson", driver="GeoJSON")
    areas, report = load_boundaries(tmp_path, "areas.geojson")
    assert areas.crs.to_epsg() == 4326
    minx, miny, _, _ = areas.total_bounds
    assert -4 < minx < -2 and 54 < miny < 56


HUBS = pd.DataFrame({"hub": ["North", "South"], "area_code": ["N1", "S1"]})
AREAS = gpd.GeoDataFrame(
    {"area_code": ["N1", "S1"], "area_name": ["Northshire", "Southdale"]},
    geometry=[box(-3, 55, -2, 56), box(-3, 54, -2, 55)],
    crs=4326,
)
LSOA = gpd.GeoDataFrame(
    {"lsoa_code": ["E01000001", "E01019103"], "area_code": ["S1", "N1"]},
    geometry=[box(-3, 54, -2, 55), box(-3, 55, -2, 56)],
    crs=4326,
)


@pytest.mark.parametrize(
    "lsoa_code,lsoa_name,lon,lat,hub,by",
    [
        ("E01000001", "Northshire 001A", -2.5, 55.5, "South", "LSOA code"),  # code wins over name and point
        # A 2021 code (Allerdale 2021 split) placed through the ONS lookup to its 2011 LSOA, before name or point.
        ("E01034068", "Southdale 001A", -2.5, 54.5, "North", "LSOA code (2021, via ONS lookup)"),
        ("E01999999", "Northshire 001A", -2.5, 54.5, "North", "LSOA name"),  # name prefix next
        ("E01999999", "Southdale 012C", np.nan, np.nan, "South", "LSOA name"),
        ("", "", -2.5, 55.5, "North", "point in area"),  # no LSOA: the point
        ("", "", -2.5, 54.5, "South", "point in area"),
        ("E01888888", "Lancaster 001A", -1.0, 54.5, UNASSIGNED, "unassigned"),  # outside everything
        ("", "", np.nan, np.nan, UNASSIGNED, "unassigned"),  # no location at all
    ],
)
def test_assignment_order(lsoa_code, lsoa_name, lon, lat, hub, by):
    incidents = pd.DataFrame(
        {"lsoa_code": [lsoa_code], "lsoa_name": [lsoa_name], "longitude": [lon], "latitude": [lat]}
    ).astype({"lsoa_code": "category", "lsoa_name": "category"})
    placed = assign_hubs(incidents, HUBS, AREAS, LSOA)
    assert placed.loc[0, "hub"] == hub
    assert placed.loc[0, "assigned_by"] == by


def test_assignment_keeps_every_row_in_order():
    incidents = pd.DataFrame(
        {
            "lsoa_code": ["", "E01000001", ""],
            "lsoa_name": ["", "", ""],
            "longitude": [np.nan, -2.1, -2.9],
            "latitude": [np.nan, 55.9, 55.1],
        }
    )
    placed = assign_hubs(incidents, HUBS, AREAS, LSOA)
    assert placed["hub"].tolist() == [UNASSIGNED, "South", "North"]
    assert list(placed["hub"].cat.categories) == ["North", "South", UNASSIGNED]


def test_assignment_without_boundaries_uses_hub_names():
    incidents = pd.DataFrame(
        {"lsoa_code": ["E01000002"], "lsoa_name": ["North 003B"], "longitude": [1.0], "latitude": [1.0]}
    )
    assert assign_hubs(incidents, HUBS).loc[0, "hub"] == "North"


def test_hubs_need_columns():
    with pytest.raises(ValueError, match="hubs must have columns"):
        assign_hubs(pd.DataFrame({"lsoa_code": []}), pd.DataFrame({"name": []}))
