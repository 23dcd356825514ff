"""The hub map's pure logic: rates, LSOA rates, hexbins, map GeoJSON, the view and the figures."""

from __future__ import annotations

import doctest
import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from analysis.load.dataset import load_dataset
from analysis.measures.maps import figures, hexagons, rates, view, words
from analysis.measures.maps.hub_map import ALL_HUBS, MapRequest, hub_map, map_boundaries
from analysis.schema import ASB

UTM30N = "EPSG:32630"
MONTHS_2019_Q1 = pd.period_range("2019-01", "2019-03", freq="M")


@pytest.mark.parametrize(
    "module,examples",
    [(rates, 1), (hexagons, 2), (view, 2), (figures, 1), (words, 2)],
    ids=["rates", "hexagons", "view", "figures", "words"],
)
def test_docstring_examples(module, examples):
    result = doctest.testmod(module)
    assert result.attempted >= examples and result.failed == 0


# --- rates ---

POPULATION = pd.DataFrame(
    {"area_code": ["A", "A", "B", "B"], "year": [2019, 2020, 2019, 2019], "population": [100, 200, 50, 70]}
)


@pytest.mark.parametrize(
    "first,last,expected",
    [
        ("2019-01", "2019-03", {"A": 300.0, "B": 210.0}),  # three months of 2019 (B: the later duplicate row, 70)
        ("2018-11", "2019-01", {"A": 300.0, "B": 210.0}),  # before any figure: the earliest year (2019)
        ("2019-12", "2020-01", {"A": 300.0, "B": 140.0}),  # Dec at 2019's 100, Jan at 2020's 200
        ("2021-01", "2021-02", {"A": 400.0, "B": 140.0}),  # after the last figure: the latest year
    ],
)
def test_person_months_uses_each_months_year(first, last, expected):
    months = pd.period_range(first, last, freq="M")
    assert rates.person_months(POPULATION, ["A", "B", "C"], months).to_dict() == expected


@pytest.mark.parametrize(
    "population,codes,months",
    [
        (None, ["A"], MONTHS_2019_Q1),
        (POPULATION, ["Z"], MONTHS_2019_Q1),
        (POPULATION, ["A"], pd.PeriodIndex([], freq="M")),
        (POPULATION, [], MONTHS_2019_Q1),
    ],
)
def test_person_months_empty_cases(population, codes, months):
    assert rates.person_months(population, codes, months).empty


def _counts(**columns) -> pd.DataFrame:
    """Records per some columns, as :meth:`analysis.load.records.Records.count` answers."""
    return pd.DataFrame(columns)


def test_hub_rates_hand_computed():
    counts = _counts(hub=["North", "South", "Unassigned", "North"], records=[2, 1, 2, 1])  # North twice: summed
    hubs = pd.DataFrame({"hub": ["North", "South", "East"], "area_code": ["A", "B", "C"], "region": "x"})
    table = rates.hub_rates(counts, hubs, POPULATION, MONTHS_2019_Q1)
    assert table["hub"].tolist() == ["North", "South", "East"]
    assert table["count"].tolist() == [3, 1, 0]
    assert table["residents"].tolist()[:2] == [100.0, 70.0]
    # 3 records / (100 residents x 3 months) x 1,000 = 10 a month; 1 / (70 x 3) x 1,000 = 4.76
    assert table["rate_per_1000"].tolist()[:2] == pytest.approx([10.0, 1000 / 210])
    assert math.isnan(table.loc[2, "rate_per_1000"]) and math.isnan(table.loc[2, "residents"])


def test_hub_rates_without_population_keeps_counts():
    counts = _counts(hub=["North"], records=[2])
    table = rates.hub_rates(counts, pd.DataFrame({"hub": ["North"], "area_code": ["A"]}), None, MONTHS_2019_Q1)
    assert table["count"].tolist() == [2]
    assert table["rate_per_1000"].isna().all()


def test_hub_rates_checks_its_hubs_argument():
    with pytest.raises(ValueError, match="hub and area_code"):
        rates.hub_rates(_counts(hub=[], records=[]), pd.DataFrame({"hub": ["North"]}), None, MONTHS_2019_Q1)


def test_lsoa_rates_of_one_area_hand_computed():
    lsoa = gpd.GeoDataFrame(
        {
            "lsoa_code": ["L1", "L2", "L3"],
            "lsoa_name": ["North 001A", "North 001B", "South 001A"],
            "area_code": ["A", "A", "B"],
        },
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
        crs="EPSG:4326",
    )
    population = pd.DataFrame({"area_code": ["L1", "L2", "A"], "year": [2019, 2019, 2019], "population": [10, 20, 30]})
    counts = _counts(lsoa_code=["", "L1", "L2", "L3"], records=[1, 2, 1, 1])
    table = rates.lsoa_rates(counts, lsoa, population, MONTHS_2019_Q1, area_code="A")
    assert table["lsoa_code"].tolist() == ["L1", "L2"]
    assert table["lsoa_name"].tolist() == ["North 001A", "North 001B"]
    assert table["count"].tolist() == [2, 1]
    assert table["rate_per_1000"].tolist() == pytest.approx([2 / 30 * 1000, 1 / 60 * 1000])
    every = rates.lsoa_rates(counts, lsoa, None, MONTHS_2019_Q1)
    assert every["count"].tolist() == [2, 1, 1] and every["rate_per_1000"].isna().all()


def test_lsoa_rates_needs_lsoa_codes():
    with pytest.raises(ValueError, match="lsoa_code"):
        rates.lsoa_rates(_counts(lsoa_code=[], records=[]), pd.DataFrame({"code": []}), None, MONTHS_2019_Q1)


@pytest.mark.parametrize(
    "residents,expected_rate",
    [(None, [np.nan, np.nan, np.nan]), (500.0, [4.0, 0.0, 2.0])],
)
def test_trend_table_fills_empty_months(residents, expected_rate):
    counts = _counts(month=pd.PeriodIndex(["2019-01", "2019-03"], freq="M"), records=[2, 1])
    trend = rates.trend_table(counts, MONTHS_2019_Q1, residents)
    assert trend["count"].tolist() == [2, 0, 1]
    np.testing.assert_allclose(trend["rate_per_1000"], expected_rate)


def test_type_counts_in_police_uk_order_with_zeros():
    counts = _counts(crime_type=["Burglary", "Robbery"], records=[1, 2])
    table = rates.type_counts(counts, ["Robbery", "Drugs", "Burglary"])
    assert table.to_dict("list") == {"crime_type": ["Burglary", "Drugs", "Robbery"], "count": [1, 0, 2]}


# --- hexagons ---

HALF_HEIGHT = 1000 * math.sqrt(3) / 2  # a 1,000 m hexagon's neighbour one row up is 866 m up


@pytest.mark.parametrize(
    "x,y,cell",
    [
        (0.0, 0.0, (0, 0)),
        (480.0, 0.0, (0, 0)),  # the flat side between (0, 0) and (1, 0) is at x = 500
        (520.0, 0.0, (1, 0)),
        (1000.0, 0.0, (1, 0)),
        (-1000.0, 0.0, (-1, 0)),
        (500.0, HALF_HEIGHT, (0, 1)),
        (-500.0, -HALF_HEIGHT, (0, -1)),
        (10.0, 600.0, (0, 1)),  # above the top vertex (577 m): nearer (500, 866) than the origin
        (-10.0, 600.0, (-1, 1)),
        (0.0, 560.0, (0, 0)),  # just below the top vertex
    ],
)
def test_hex_cells_hand_computed(x, y, cell):
    q, r = hexagons.hex_cells([x], [y], 1000.0)
    assert (q[0], r[0]) == cell


def test_hex_cells_pick_the_nearest_centre():
    # A hexagon grid is the Voronoi diagram of its centres: every point belongs to its nearest centre.
    rng = np.random.default_rng(7)
    x, y = rng.uniform(-5000, 5000, 2000), rng.uniform(-5000, 5000, 2000)
    q, r = hexagons.hex_cells(x, y, 1000.0)
    centre_x, centre_y = 1000.0 * (q + r / 2), 1000.0 * math.sqrt(3) / 2 * r
    own = np.hypot(x - centre_x, y - centre_y)
    for dq, dr in [(1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1)]:
        other = np.hypot(x - 1000.0 * (q + dq + (r + dr) / 2), y - 1000.0 * math.sqrt(3) / 2 * (r + dr))
        assert (own <= other + 1e-9).all()


def test_hex_cells_keep_missing_points_missing_and_check_width():
    q, r = hexagons.hex_cells([np.nan, 0.0], [1.0, 0.0], 500.0)
    assert np.isnan(q[0]) and np.isnan(r[0]) and (q[1], r[1]) == (0.0, 0.0)
    with pytest.raises(ValueError, match="width_m must be positive"):
        hexagons.hex_cells([0.0], [0.0], 0)


def test_hexbin_counts_most_first_without_missing():
    counts = hexagons.hexbin_counts([0, 0, 1, np.nan, 1, 0, -2], [0, 0, 0, np.nan, 0, 0, 3])
    assert counts.to_dict("list") == {"q": [0, 1, -2], "r": [0, 0, 3], "count": [3, 2, 1]}
    assert hexagons.hexbin_counts([], []).empty


def test_hexbin_counts_weighs_each_point_by_its_records():
    # the records at each distinct point, binned once: the same as binning every record
    weighed = hexagons.hexbin_counts([0, 1, np.nan, -2], [0, 0, np.nan, 3], [3, 2, 5, 1])
    assert weighed.to_dict("list") == {"q": [0, 1, -2], "r": [0, 0, 3], "count": [3, 2, 1]}


def test_hex_polygons_contain_their_points_and_have_the_right_size():
    points = gpd.GeoDataFrame(geometry=[Point(-2.93, 54.89), Point(-3.23, 54.12)], crs="EPSG:4326")
    x, y = hexagons.project_points(points.geometry.x, points.geometry.y, UTM30N)
    q, r = hexagons.hex_cells(x, y, 2000.0)
    cells = hexagons.hexbin_counts(q, r)
    polygons = hexagons.hex_polygons(cells, 2000.0, UTM30N)
    assert polygons.crs.to_epsg() == 4326
    assert polygons["cell_id"].tolist() == [f"{a}_{b}" for a, b in zip(cells["q"], cells["r"], strict=True)]
    for point in points.geometry:
        assert polygons.contains(point).sum() == 1
    # a hexagon 2 km across its flats covers (sqrt(3) / 2) x 2,000^2 m^2 = 3.46 km^2
    assert polygons.to_crs(UTM30N).area.tolist() == pytest.approx([math.sqrt(3) / 2 * 2000.0**2] * 2)
    centres = gpd.GeoSeries(gpd.points_from_xy(polygons["longitude"], polygons["latitude"]), crs="EPSG:4326")
    assert polygons.to_crs(UTM30N).centroid.distance(centres.to_crs(UTM30N)).max() < 0.01  # metres


def test_project_points_is_metric_and_keeps_nan():
    x, y = hexagons.project_points([-3.0, -3.0, np.nan], [54.0, 55.0, 54.0], UTM30N)
    assert y[1] - y[0] == pytest.approx(111_250, rel=0.01)  # a degree of latitude
    assert np.isnan(x[2]) and np.isnan(y[2])


@pytest.mark.parametrize(
    "bounds,epsg",
    [
        ((-3.0, 54.0, -2.0, 55.0), 32630),  # Cumbria: UTM 30N
        ((-0.4, 51.3, 0.6, 51.7), 32631),  # centre just east of 0 degrees: 31N
        ((150.9, -34.1, 151.3, -33.7), 32756),  # Sydney: 56S
    ],
)
def test_metric_crs_is_the_utm_zone_of_the_centre(bounds, epsg):
    areas = gpd.GeoDataFrame({"area_code": ["A"]}, geometry=[box(*bounds)], crs="EPSG:4326")
    assert hexagons.metric_crs(areas).to_epsg() == epsg
    assert hexagons.metric_crs(areas.to_crs(3857)).to_epsg() == epsg  # any input CRS


def test_metric_crs_needs_a_crs():
    with pytest.raises(ValueError, match="no CRS"):
        hexagons.metric_crs(gpd.GeoDataFrame({"area_code": ["A"]}, geometry=[box(0, 0, 1, 1)]))


@pytest.mark.parametrize(
    "bounds,across,expected",
    [
        ((-3.6, 54.0, -2.2, 55.2), 40, 2000.0),  # ~90 km wide: 2.25 km wanted
        ((-3.6, 54.0, -3.1, 54.4), 40, 1000.0),  # ~32 km: 0.8 km
        ((-3.0, 54.0, -2.99, 54.01), 40, 250.0),  # tiny: the smallest step
        ((-6.0, 50.0, 2.0, 56.0), 40, 10_000.0),  # huge: the largest step
    ],
)
def test_nice_hex_width(bounds, across, expected):
    assert view.nice_hex_width(bounds, across) == expected


# --- geometry for the map ---


def _areas(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    # A square with extra vertices along its sides (simplification removes them) and an empty feature.
    wiggly = Polygon([(0, 0), (0.5, 0.000001), (1, 0), (1, 1), (0.5, 0.999999), (0, 1)])
    frame = gpd.GeoDataFrame(
        {"area_code": ["A", "B", "C"], "area_name": ["Alpha", "Beta", "Gamma"]},
        geometry=[wiggly, box(1, 0, 2, 1.123456789), Polygon()],
        crs="EPSG:4326",
    )
    return frame.to_crs(crs)


SQUARE = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]


@pytest.mark.parametrize(
    "tolerance_m,decimals,ring_a,ring_b_top",
    [
        # every vertex kept, the 0.11 m bumps too
        (
            0.0,
            7,
            [(0.0, 0.0), (0.5, 1e-06), (1.0, 0.0), (1.0, 1.0), (0.5, 0.999999), (0.0, 1.0), (0.0, 0.0)],
            1.1234568,
        ),
        # rounded to 5 places (about a metre): the bumps flatten, the vertices stay
        (0.0, 5, [(0.0, 0.0), (0.5, 0.0), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0), (0.0, 1.0), (0.0, 0.0)], 1.12346),
        # simplified by 100 m: the vertices along the sides go
        (100.0, 7, SQUARE, 1.1234568),
    ],
)
def test_map_geojson_simplifies_rounds_and_strips(tolerance_m, decimals, ring_a, ring_b_top):
    collection = view.map_geojson(_areas(), "area_code", tolerance_m, decimals)
    features = collection["features"]
    assert collection["type"] == "FeatureCollection"
    assert [f["id"] for f in features] == ["A", "B"]  # the empty geometry is left out
    assert all(set(f) == {"type", "id", "geometry"} for f in features)  # no properties are sent
    assert [tuple(xy) for xy in features[0]["geometry"]["coordinates"][0]] == ring_a
    assert max(xy[1] for xy in features[1]["geometry"]["coordinates"][0]) == ring_b_top


def test_map_geojson_reprojects_and_checks_its_key():
    collection = view.map_geojson(_areas("EPSG:27700"), "area_code")
    xs = [xy[0] for xy in collection["features"][1]["geometry"]["coordinates"][0]]
    assert min(xs) == pytest.approx(1.0, abs=1e-4) and max(xs) == pytest.approx(2.0, abs=1e-4)
    with pytest.raises(ValueError, match="'code' is not a column"):
        view.map_geojson(_areas(), "code")


@pytest.mark.parametrize(
    "bounds,width_px,expected",
    [
        ((0.0, 0.0, 1.0, 0.0), 1113, 100.0),  # 111 km over 1,113 px
        ((0.0, 60.0, 2.0, 60.0), 1113, 100.0),  # two degrees at 60N are as wide as one at the equator
        ((0.0, 0.0, 0.0001, 0.0), 500, 10.0),  # never below 10 m
    ],
)
def test_tolerance_for_view(bounds, width_px, expected):
    assert view.tolerance_for_view(bounds, width_px) == expected


@pytest.mark.parametrize(
    "bounds,size,expected",
    [
        ((-180.0, -85.0511, 180.0, 85.0511), (512, 512), view.MapView(0.0, 0.0, 0.0)),
        ((-180.0, -85.0511, 180.0, 85.0511), (1024, 1024), view.MapView(0.0, 0.0, 1.0)),
        # one degree of longitude at the equator in 512 px: 2^z = 360; the height is not limiting
        ((10.0, -0.1, 11.0, 0.1), (512, 4096), view.MapView(0.0, 10.5, round(math.log2(360), 2))),
    ],
)
def test_fit_view_hand_computed(bounds, size, expected):
    assert view.fit_view(bounds, *size, padding=0.0) == expected


def test_fit_view_centres_on_the_mercator_middle():
    fitted = view.fit_view((-3.6, 54.0, -2.2, 55.2), 480, 440)
    assert 54.6 < fitted.lat < 54.61  # the Mercator middle is a little north of the plain middle (54.6)
    assert fitted.lon == -2.9 and 6.5 < fitted.zoom < 8.5


@pytest.mark.parametrize(
    "flags,generated,expected",
    [
        (None, False, None),
        (None, True, view.SAMPLE_NOTE),  # the generated sample sits on real boundaries
        ([True, True], False, view.SCHEMATIC_NOTE),
        ([False, False], False, None),
        (["true", ""], False, view.SCHEMATIC_NOTE),
        (["true", ""], True, view.SCHEMATIC_NOTE),
        ([False, False], True, view.SAMPLE_NOTE),
    ],
)
def test_boundary_note(flags, generated, expected):
    areas = _areas().iloc[:2]
    if flags is not None:
        areas = areas.assign(schematic=flags)
    assert view.boundary_note(areas, generated) == expected
    assert view.is_schematic(areas) is (expected == view.SCHEMATIC_NOTE)
    assert view.boundary_note(None, generated) == (view.SAMPLE_NOTE if generated else None)


@pytest.mark.parametrize(
    "points,curve,expected",
    [
        ([], 0, []),
        ([{"curve_number": 0, "location": "A"}, {"curve_number": 0, "location": "A"}], 0, ["A"]),
        ([{"curve_number": 1, "location": "2_3"}, {"curve_number": 0, "location": "B"}], 1, ["2_3"]),
        ([{"curve_number": 0, "point_index": 2}], 0, []),  # a point without a location (not a map trace)
    ],
)
def test_selection_locations(points, curve, expected):
    assert figures.selection_locations(points, curve) == expected


# --- figures ---

AREAS_TABLE = pd.DataFrame(
    {
        "code": ["A", "B"],
        "name": ["Alpha", "Beta"],
        "count": [30, 5],
        "residents": [1000.0, np.nan],
        "rate": [2.5, np.nan],
    }
)


def _figure(**kwargs):
    geojson = view.map_geojson(_areas(), "area_code")
    return figures.map_figure(
        AREAS_TABLE,
        geojson,
        code="code",
        name="name",
        value="rate",
        value_title="per 1,000",
        view=view.MapView(0.5, 1.0, 6.0),
        title="Test map",
        **kwargs,
    )


def test_map_figure_is_one_offline_choropleth_trace():
    figure = _figure()
    assert [t.type for t in figure.data] == ["choroplethmap"]
    trace = figure.data[0]
    assert list(trace.locations) == ["A", "B"] and trace.z[0] == 2.5 and np.isnan(trace.z[1])
    assert trace.customdata[0].tolist() == ["Alpha", "30", "1,000"] and trace.customdata[1][2] == "not known"
    assert figure.layout.map.style == "white-bg"  # a background layer only: no tiles, glyphs or sprites
    assert not figure.layout.map.layers  # no extra raster or vector layers either
    assert trace.zmin == 0.0 and trace.showscale
    spec = json.loads(figure.to_json())
    assert "http" not in json.dumps(spec["data"]) + json.dumps(spec["layout"]["map"])


def test_map_figure_with_hotspots_adds_one_log_scaled_trace():
    cells = hexagons.hex_polygons(pd.DataFrame({"q": [0, 1], "r": [0, 0], "count": [37, 1]}), 1000.0, UTM30N)
    figure = _figure(hotspots=cells, hotspot_geojson=view.map_geojson(cells, "cell_id", decimals=4))
    areas, hotspots = figure.data
    assert not areas.showscale  # the colour scale belongs to the hexagons
    assert list(hotspots.locations) == ["0_0", "1_0"]
    assert list(hotspots.z) == pytest.approx([math.log10(37), 0.0])
    assert list(hotspots.colorbar.ticktext) == ["1", "2", "5", "10", "20", "50"]
    assert hotspots.customdata[:, 0].tolist() == [37, 1]


def test_map_figure_checks_its_columns():
    with pytest.raises(ValueError, match="'residents'"):
        figures.map_figure(
            AREAS_TABLE.drop(columns="residents"),
            {},
            code="code",
            name="name",
            value="rate",
            value_title="x",
            view=view.MapView(0, 0, 1),
            title="t",
        )


def test_crime_type_figure_labels_every_bar():
    figure = figures.crime_type_figure(
        pd.DataFrame({"crime_type": ["Burglary", "Drugs", "Robbery"], "count": [1200, 0, 35]}), title="Types"
    )
    bar = figure.data[0]
    assert list(bar.y) == ["Drugs", "Robbery", "Burglary"]  # largest at the top
    assert list(bar.text) == ["0", "35", "1,200"]


# --- payload on the real boundaries (1.6 MB of LSOAs) ---


def _real_figure(dataset, level: str) -> int:
    """The page's map of ASB rates over every month: each boundary drawn, and the bytes the browser gets."""
    request = MapRequest(dataset.months[0], dataset.months[-1], tuple(dataset.hubs["hub"]), (ASB,), level)
    mapped = hub_map(dataset, request)
    boundaries, _ = map_boundaries(dataset, level, mapped.table["code"])
    assert len(mapped.figure.data[0].geojson["features"]) == len(boundaries) > 0
    return figures.figure_bytes(mapped.figure)


def test_real_map_payloads_stay_small(real_dir):
    dataset = load_dataset(real_dir)
    assert _real_figure(dataset, ALL_HUBS) < 60_000  # six districts
    for hub in dataset.hubs["hub"]:
        assert _real_figure(dataset, hub) < 150_000, hub  # a district's LSOAs, from 1.6 MB of geometry
