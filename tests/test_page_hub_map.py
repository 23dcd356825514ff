"""The Hub map page: filters and toggles change the mapped values, missing files are explained, nothing is dropped.

The mapped values are read from the figure the page sends (its JSON spec) and checked
against counts made here independently from the loaded incidents.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.load.dataset import load_dataset
from analysis.schema import ASB, UNASSIGNED
from tests import apptest
from tests.apptest import rerun
from tests.conftest import street_csv

PAGE = "pages/hub_map.py"


def open_map(folder: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return apptest.open_page(folder, monkeypatch, PAGE)


def map_traces(at: AppTest) -> list[dict]:
    """The traces of the map figure (the first chart on the page)."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"][0]["type"] == "choroplethmap"
    return spec["data"]


def values(array) -> np.ndarray:
    """A plotly array: a list, or a typed array sent as base64 bytes."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array, dtype="float64")


def mapped(at: AppTest) -> pd.Series:
    """The value shaded on each mapped area, by area code."""
    trace = map_traces(at)[0]
    return pd.Series(values(trace["z"]), index=trace["locations"])


def captions(at: AppTest) -> str:
    """Every caption as read (the chart summaries escape Markdown characters with backslashes)."""
    return "\n".join(c.value.replace("\\", "") for c in at.caption)


def download_keys(at: AppTest) -> list[str]:
    return [b.proto.id for b in at.get("download_button")]


@pytest.fixture(scope="module")
def sample(sample_dir):
    return load_dataset(sample_dir)


def expected_rates(dataset, types: list[str], months: pd.PeriodIndex) -> pd.Series:
    """Records per 1,000 residents a month by area code, counted here with plain pandas."""
    rows = dataset.incidents
    rows = rows[rows["crime_type"].isin(types) & rows["month"].isin(months)]
    counts = rows.groupby(rows["hub"].astype("str")).size()
    population = dataset.table("population.csv").set_index(["area_code", "year"])["population"]
    years = sorted(set(population.index.get_level_values("year")))

    def year_of(month: pd.Period) -> int:  # the latest year given not after the month, else the earliest
        return max([y for y in years if y <= month.year], default=years[0])

    rates = {}
    for hub, code in zip(dataset.hubs["hub"], dataset.hubs["area_code"], strict=True):
        person_months = sum(population[(code, year_of(month))] for month in months)
        rates[code] = counts.get(hub, 0) / person_months * 1000
    return pd.Series(rates)


def test_rates_by_default_then_counts_on_request(sample_dir, sample, monkeypatch):
    at = open_map(sample_dir, monkeypatch)
    assert at.radio(key="map_measure").value == "Rate per 1,000 residents"
    assert at.radio(key="map_family").value == "ASB"
    expected = expected_rates(sample, [ASB], sample.months)
    shaded = mapped(at)
    assert shaded.to_dict() == pytest.approx(expected[shaded.index].to_dict())
    # the summary names the highest and lowest hub in words; the table view holds every mapped number
    names = sample.hubs.set_index("area_code")["hub"]
    high, low = expected.idxmax(), expected.idxmin()
    assert (
        f"ASB incidents per 1,000 residents a month by hub: highest {names[high]} ({expected[high]:,.2f}), "
        f"lowest {names[low]} ({expected[low]:,.2f}); {len(expected)} shown."
    ) in captions(at)
    view = at.dataframe[0].value
    assert list(view.columns) == ["Hub", "Code", "Records", "Residents", "Per 1,000 a month"]
    assert view["Per 1,000 a month"].is_monotonic_decreasing  # highest first
    assert view.set_index("Code")["Per 1,000 a month"].to_dict() == pytest.approx(expected.round(2).to_dict(), abs=1e-9)
    # one download per chart: the map, the monthly trend (ASB has no crime-type chart)
    assert sorted(k.rsplit("-", 1)[1] for k in download_keys(at)) == ["map_csv", "map_trend_csv"]

    at = rerun(at.radio(key="map_measure").set_value("Count"))
    asb = sample.incidents[sample.incidents["crime_type"] == ASB]
    by_area = asb.loc[asb["hub"] != UNASSIGNED].groupby(asb["area_code"].astype("str")).size()
    assert mapped(at).to_dict() == by_area.astype("float64").to_dict()
    assert "Raw counts mostly map where people live" in captions(at)


def test_crime_type_filter_changes_the_map(sample_dir, sample, monkeypatch):
    at = open_map(sample_dir, monkeypatch)
    before = mapped(at)
    at = rerun(at.multiselect(key="f_types").set_value(["Burglary"]))
    assert at.radio(key="map_family").options == ["Crime"]  # ASB is not in the filter any more
    expected = expected_rates(sample, ["Burglary"], sample.months)
    shaded = mapped(at)
    assert shaded.to_dict() == pytest.approx(expected[shaded.index].to_dict())
    assert (shaded[before.index] < before).all()  # burglary alone is rarer than ASB everywhere
    burglaries = (sample.incidents["crime_type"] == "Burglary") & (sample.incidents["hub"] != UNASSIGNED)
    assert int(at.dataframe[0].value["Records"].sum()) == int(burglaries.sum())
    assert "Crimes (excl. ASB)" in json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    types_chart = json.loads(at.get("plotly_chart")[2].proto.spec)["data"][0]
    assert types_chart["y"] == ["Burglary"]
    assert f"Crimes, every mapped hub, by crime type: Burglary: {int(burglaries.sum()):,}; 1 shown." in captions(at)
    by_month = sample.incidents.loc[burglaries].groupby("month").size().reindex(sample.months, fill_value=0)
    trend_view = at.dataframe[1].value
    assert trend_view["Records"].tolist() == by_month.tolist()
    assert trend_view["Month"].iloc[-1] == sample.months[-1].strftime("%b %Y")


def test_sample_is_labelled_real_boundaries_generated_incidents_and_unplaced_records_counted(
    sample_dir, sample, monkeypatch
):
    at = open_map(sample_dir, monkeypatch)
    text = captions(at)
    assert "Real boundaries, generated incidents" in text
    assert "Schematic" not in text
    unplaced = int(((sample.incidents["hub"] == UNASSIGNED) & (sample.incidents["crime_type"] == ASB)).sum())
    assert unplaced > 0
    assert f"{unplaced:,} records could not be placed in a hub area" in text
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert "Real boundaries, generated incidents" in title


def test_hotspots_are_hexagon_counts_never_points(sample_dir, sample, monkeypatch):
    at = open_map(sample_dir, monkeypatch)
    at = rerun(at.toggle(key="map_hotspots").set_value(True))
    traces = map_traces(at)
    assert [t["type"] for t in traces] == ["choroplethmap", "choroplethmap"]  # areas, hexagons: no point trace
    hexagons = traces[1]
    assert all("_" in cell for cell in hexagons["locations"])
    asb = sample.incidents[(sample.incidents["crime_type"] == ASB) & (sample.incidents["hub"] != UNASSIGNED)]
    located = int(asb["longitude"].notna().sum())
    assert int(values(hexagons["customdata"]).sum()) == located
    assert "police.uk points are approximate (snapped to anonymous map points)" in captions(at)
    # the hotspots in words and as their own table (with its own download)
    counts = values(hexagons["customdata"])
    assert f"Hotspots: {len(counts):,} hexagons" in captions(at)
    assert f"hold {located:,} records; the busiest holds {int(counts.max()):,}" in captions(at)
    hexagon_view = next(d.value for d in at.dataframe if "Hexagon" in d.value.columns)
    assert int(hexagon_view["Records"].sum()) == located
    assert any(k.endswith("-map_hotspots_csv") for k in download_keys(at))


def test_lsoa_drill_down_on_real_data(real_dir, monkeypatch):
    dataset = load_dataset(real_dir)
    at = open_map(real_dir, monkeypatch)
    at.radio(key="map_measure").set_value("Count")
    at = rerun(at.selectbox(key="map_level").set_value("Carlisle"))
    carlisle = dataset.lsoa.loc[dataset.lsoa["area_code"] == "E07000028", "lsoa_code"]
    shaded = mapped(at)
    assert sorted(shaded.index) == sorted(carlisle)
    asb = dataset.incidents[(dataset.incidents["hub"] == "Carlisle") & (dataset.incidents["crime_type"] == ASB)]
    per_lsoa = asb.groupby(asb["lsoa_code"].astype("str")).size()
    assert shaded.to_dict() == per_lsoa.reindex(shaded.index, fill_value=0).astype("float64").to_dict()
    outside = int((~asb["lsoa_code"].astype("str").isin(set(carlisle))).sum())
    assert int(shaded.sum()) + outside == len(asb)  # every Carlisle record is on the map or counted beside it

    at = rerun(at.radio(key="map_measure").set_value("Rate per 1,000 residents"))
    people = dataset.table("population.csv").set_index("area_code")["population"]  # one year: 2011
    rates = mapped(at)
    expected = per_lsoa.reindex(rates.index, fill_value=0) / (people[rates.index] * len(dataset.months)) * 1000
    assert rates.to_dict() == pytest.approx(expected.to_dict())


TINY_AREAS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"area_code": "E07000001", "area_name": "West"},
            "geometry": {"type": "Polygon", "coordinates": [[[-3, 54], [-2.5, 54], [-2.5, 55], [-3, 55], [-3, 54]]]},
        },
        {
            "type": "Feature",
            "properties": {"area_code": "E07000002", "area_name": "East"},
            "geometry": {"type": "Polygon", "coordinates": [[[-2.5, 54], [-2, 54], [-2, 55], [-2.5, 55], [-2.5, 54]]]},
        },
    ],
}
TINY_HUBS = "hub,region,station,area_code,launched\nWest,W,Here,E07000001,\nEast,E,There,E07000002,\n"


def _row(lon: float, crime_type: str = ASB) -> str:
    crime_id = "" if crime_type == ASB else f"id{lon}"
    return f"{crime_id},2019-01,Force,Force,{lon},54.5,On or near X,,,{crime_type},,"


def test_without_population_the_map_shows_counts_and_says_why(make_folder, monkeypatch):
    folder = make_folder(
        {
            "hubs.csv": TINY_HUBS,
            "areas.geojson": json.dumps(TINY_AREAS),
            "incidents/2019-01/2019-01-force-street.csv": street_csv(_row(-2.9), _row(-2.8), _row(-2.2), _row(1.0)),
        }
    )
    at = open_map(folder, monkeypatch)
    shade_by = at.radio(key="map_measure_counts_only")
    assert shade_by.disabled and shade_by.options == ["Count"]
    assert any("population.csv" in i.value for i in at.info)
    assert mapped(at).to_dict() == {"E07000001": 2.0, "E07000002": 1.0}
    assert "1 records could not be placed in a hub area" in captions(at)  # the point at 1.0 E is in no area


def test_without_boundaries_the_page_says_what_to_add(make_folder, monkeypatch):
    folder = make_folder({"hubs.csv": TINY_HUBS, "incidents/2019-01/2019-01-force-street.csv": street_csv(_row(-2.9))})
    at = open_map(folder, monkeypatch)
    assert any("areas.geojson" in i.value for i in at.info)
    assert not at.get("plotly_chart")
