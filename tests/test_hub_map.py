"""The hub map assembled once (analysis.measures.maps.hub_map): the numbers, the figure and the words agree."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.load.dataset import load_dataset
from analysis.measures.maps.hub_map import (
    ALL_HUBS,
    SNAPPED,
    MapRequest,
    families,
    hub_map,
    map_boundaries,
    map_hubs,
    map_side,
)
from analysis.schema import ASB, UNASSIGNED
from tests.conftest import store_only


@pytest.fixture(scope="module")
def sample(sample_dir):
    return load_dataset(sample_dir)


@pytest.fixture(scope="module")
def real(real_dir):
    return load_dataset(real_dir)


def _rows(dataset, request: MapRequest) -> pd.DataFrame:
    """The incidents a map counts, chosen here from the rows (independently of the records' counts)."""
    incidents = dataset.incidents
    keep = incidents["month"].between(request.start, request.end) & incidents["crime_type"].isin(request.crime_types)
    rows = incidents.loc[keep & incidents["hub"].isin(request.hubs)]
    return rows.loc[rows["hub"] == request.level] if request.level != ALL_HUBS else rows.loc[rows["hub"] != UNASSIGNED]


def _request(dataset, **kwargs) -> MapRequest:
    months = dataset.months
    base = {"start": months[-12], "end": months[-1], "hubs": tuple(dataset.hubs["hub"]), "crime_types": (ASB,)}
    return MapRequest(**(base | {"period_label": "the last 12 months"} | kwargs))


def test_families_keep_asb_apart_from_crime():
    assert families((ASB, "Burglary", "Drugs")) == {"ASB": (ASB,), "Crime": ("Burglary", "Drugs")}
    assert families(("Burglary",)) == {"Crime": ("Burglary",)}
    assert families(()) == {}


def test_map_hubs_drop_unassigned_and_keep_file_order(sample):
    hubs = list(sample.hubs["hub"])
    assert map_hubs(sample, (UNASSIGNED, hubs[-1], hubs[0])) == (hubs[0], hubs[-1])


def test_hub_areas_count_every_placed_record_of_the_period(sample):
    request = _request(sample)
    mapped = hub_map(sample, request)
    incidents = sample.incidents
    rows = incidents.loc[
        incidents["month"].between(request.start, request.end)
        & (incidents["crime_type"] == ASB)
        & (incidents["hub"] != UNASSIGNED)
    ]
    expected = rows["hub"].astype("str").value_counts()
    counts = dict(zip(mapped.table["name"], mapped.table["count"], strict=True))
    assert counts == {hub: int(expected.get(hub, 0)) for hub in sample.hubs["hub"]}
    assert len(_rows(sample, request)) == len(rows)
    # the figure draws exactly the table's areas, shaded by the rate
    trace = mapped.figure.data[0]
    assert list(trace.locations) == list(mapped.table["code"])
    assert list(trace.z) == pytest.approx(list(mapped.table["rate_per_1000"]))
    assert mapped.rate and not mapped.rate_fallback
    assert mapped.value_title == "ASB incidents per 1,000 residents a month"
    # the table beside it: highest rate first; the summary names the highest hub first
    shown = mapped.values["Per 1,000 a month"].tolist()
    assert shown == sorted(shown, reverse=True)
    top, low = mapped.values.iloc[0], mapped.values.iloc[-1]
    assert mapped.summary.startswith(
        f"{mapped.value_title} by hub: highest {top['Hub']} ({top['Per 1,000 a month']:.2f}), "
        f"lowest {low['Hub']} ({low['Per 1,000 a month']:.2f}); 6 shown."
    )
    assert f"{int(mapped.table['count'].sum()):,} records in all, the last 12 months." in mapped.summary
    assert mapped.file_name == "hub_map_areas.csv" and mapped.hotspots is None
    assert mapped.note_caption.startswith(":material/science: **Real boundaries, generated incidents**")
    unplaced = int(
        (
            (incidents["hub"] == UNASSIGNED)
            & incidents["month"].between(request.start, request.end)
            & (incidents["crime_type"] == ASB)
        ).sum()
    )
    assert mapped.placement.startswith(f"**{unplaced:,} records could not be placed in a hub area**")


def test_counts_on_request_shade_by_count(sample):
    mapped = hub_map(sample, _request(sample, rate=False))
    assert not mapped.rate and mapped.value_title == "ASB incidents"
    assert list(mapped.figure.data[0].z) == list(mapped.table["count"].astype("float64"))


def test_lsoa_drill_down_maps_one_hubs_lsoas(sample):
    hub = sample.hubs["hub"].iloc[0]
    request = _request(sample, level=hub, crime_types=("Burglary", "Drugs"))
    mapped = hub_map(sample, request)
    boundaries, key = map_boundaries(sample, hub, mapped.table["code"])
    assert key == "lsoa_code" and len(mapped.figure.data[0].geojson["features"]) == len(boundaries) > 0
    assert int(mapped.table["count"].sum()) == len(_rows(sample, request))
    assert set(_rows(sample, request)["hub"]) <= {hub}
    assert mapped.file_name == f"hub_map_lsoas_{hub}.csv"
    assert f"in {hub} by LSOA" in mapped.summary


def test_hotspots_count_every_located_record_in_hexagons(sample):
    request = _request(sample, hotspots=True)
    mapped = hub_map(sample, request)
    located = int(_rows(sample, request)["longitude"].notna().sum())
    assert int(mapped.hotspots["Records"].sum()) == located
    assert set(mapped.hotspots["Width (m)"]) == {mapped.width_m}
    assert [t.name for t in mapped.figure.data] == ["areas", "hotspots"]
    assert mapped.summary.startswith(f"Hotspots: {len(mapped.hotspots):,} hexagons {mapped.width_m / 1000:g} km")
    assert SNAPPED in mapped.placement


def test_side_charts_follow_the_click(sample):
    mapped = hub_map(sample, _request(sample, crime_types=("Burglary", "Drugs")))
    everything = map_side(sample, mapped, [], [])
    assert everything.label == "every mapped hub"
    assert everything.trend.table["Records"].sum() == mapped.table["count"].sum()
    picked = mapped.table.iloc[1]
    one = map_side(sample, mapped, [picked["code"]], [])
    assert one.label == picked["name"]
    assert one.trend.table["Records"].sum() == picked["count"]
    assert dict(zip(one.types.table["Crime type"], one.types.table["Records"], strict=True)).keys() == {
        "Burglary",
        "Drugs",
    }
    assert one.types.table["Records"].sum() == picked["count"]
    assert one.trend.summary.startswith("Crimes (excl. ASB) per 1,000 residents a month, " + picked["name"])


def test_side_charts_of_hexagons_count_their_records(sample):
    mapped = hub_map(sample, _request(sample, hotspots=True))
    busiest = mapped.hotspots.iloc[0]
    side = map_side(sample, mapped, [], [busiest["Hexagon"]])
    assert side.label == "1 hotspot hexagon" and side.types is None  # ASB has no crime types
    assert side.trend.table["Records"].sum() == busiest["Records"]


def _same_map(one, other) -> None:
    for name in ("table", "values", "hotspots"):
        a, b = getattr(one, name), getattr(other, name)
        assert (a is None) == (b is None), name
        if a is not None:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
    for name in (
        "rate",
        "rate_fallback",
        "value_title",
        "width_m",
        "no_boundary",
        "summary",
        "note_caption",
        "placement",
        "file_name",
    ):
        assert getattr(one, name) == getattr(other, name), name
    assert one.figure.to_json() == other.figure.to_json()


def _same_side(one, other) -> None:
    assert one.label == other.label
    for a, b in ((one.trend, other.trend), (one.types, other.types)):
        assert (a is None) == (b is None)
        if a is not None:
            pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
            assert a.summary == b.summary and a.figure.to_json() == b.figure.to_json()


@pytest.fixture(scope="module", params=["sample", "real"])
def both(request):
    """A dataset with its rows, and the same dataset counted over its store with none."""
    dataset = request.getfixturevalue(request.param)
    return dataset, store_only(dataset)


@pytest.mark.parametrize(
    "level,types,hotspots,rate",
    [
        (ALL_HUBS, (ASB,), False, True),
        (ALL_HUBS, ("Burglary", "Drugs"), True, False),
        ("Carlisle", (ASB,), True, True),
        ("Eden", ("Burglary", "Drugs", "Vehicle crime"), False, False),
    ],
)
def test_the_map_is_the_same_counted_by_duckdb_over_the_store(both, level, types, hotspots, rate):
    dataset, stored = both
    months = dataset.months
    asked = MapRequest(
        months[1],
        months[-1],
        tuple(dataset.hubs["hub"]),
        types,
        level=level,
        rate=rate,
        hotspots=hotspots,
        period_label="p",
    )
    mapped, from_store = hub_map(dataset, asked), hub_map(stored, asked)
    _same_map(mapped, from_store)
    # the side charts too, for nothing clicked, two areas, hexagons, an area and a hexagon
    codes = list(mapped.table["code"][:2])
    cells = [] if mapped.hotspots is None else list(mapped.hotspots["Hexagon"][:3])
    for picked, picked_cells in (([], []), (codes, []), ([], cells), (codes[:1], cells[:1])):
        _same_side(map_side(dataset, mapped, picked, picked_cells), map_side(stored, from_store, picked, picked_cells))
    # and against the rows: every record of the mapped areas is in the table, or counted in the note
    rows = _rows(dataset, asked)
    if level == ALL_HUBS:
        assert int(mapped.table["count"].sum()) == len(rows)
    else:
        inside = rows["lsoa_code"].astype("str").isin(set(mapped.table["code"]))
        assert int(mapped.table["count"].sum()) == int(inside.sum())
    if hotspots:
        assert int(mapped.hotspots["Records"].sum()) == int(rows["longitude"].notna().sum())
