"""Counts, rates and patrol hours, on hand-made cases and on the real folder by an independent route."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter

import pandas as pd
import pytest
from shapely.geometry import Point, shape

from analysis.measures.metrics import hub_population, monthly_counts, monthly_patrol, summary
from analysis.schema import ASB
from tests.conftest import ROOT


def incidents_of(rows):
    frame = pd.DataFrame(rows, columns=["hub", "month", "crime_type"])
    return frame.assign(
        month=pd.PeriodIndex(frame["month"], freq="M"),
        hub=pd.Categorical(frame["hub"], categories=["A", "B", "Unassigned"]),
        crime_type=frame["crime_type"].astype("category"),
    )


def test_monthly_counts_full_grid_with_zeros():
    incidents = incidents_of([("A", "2019-01", ASB), ("A", "2019-01", ASB), ("B", "2019-03", "Drugs")])
    counts = monthly_counts(incidents, coverage=None)
    assert len(counts) == 3 * 3 * 14
    got = counts.set_index(["hub", "month", "crime_type"])["count"]
    assert got[("A", pd.Period("2019-01", "M"), ASB)] == 2
    assert got[("A", pd.Period("2019-02", "M"), ASB)] == 0
    assert got[("B", pd.Period("2019-03", "M"), "Drugs")] == 1
    assert counts["count"].sum() == 3


def test_summary_keeps_asb_out_of_crime_and_computes_rates():
    incidents = incidents_of(
        [("A", "2019-01", ASB)] * 3 + [("A", "2019-01", "Drugs")] * 2 + [("B", "2019-01", "Burglary")]
    )
    hubs = pd.DataFrame({"hub": ["A", "B"], "area_code": ["a", "b"]})
    population = pd.DataFrame(
        {"area_code": ["a", "a", "b"], "year": [2011, 2018, 2011], "population": [1000, 2000, 500]}
    )
    resourcing = pd.DataFrame(
        {
            "week": pd.to_datetime(["2018-12-31", "2019-01-07", "2019-01-07", "2019-02-04"]),
            "hub": ["A", "A", "A", "A"],
            "role": ["PC"] * 4,
            "funding": ["core", "core", "precept", "core"],
            "fte": [1.0, 1.0, 2.0, 1.0],
            "visible_patrol_hours": [10.0, 20.0, 5.0, 99.0],
        }
    )
    table = summary(incidents, hubs, population, resourcing, coverage=None).set_index(["hub", "month"])
    a = table.loc[("A", pd.Period("2019-01", "M"))]
    assert (a["asb"], a["crime"], a["Drugs"]) == (3, 2, 2)
    assert a["population"] == 2000  # the latest year not after 2019
    assert a["asb_rate_per_1000"] == pytest.approx(1.5)
    assert a["crime_rate_per_1000"] == pytest.approx(1.0)
    # The week of Monday 31 Dec 2018 counts in December; January has 20 + 5 hours.
    assert a["patrol_hours"] == pytest.approx(25.0)
    assert a["precept_patrol_hours"] == pytest.approx(5.0)
    b = table.loc[("B", pd.Period("2019-01", "M"))]
    assert (b["asb"], b["crime"], b["population"]) == (0, 1, 500)
    assert pd.isna(b["patrol_hours"])


@pytest.mark.parametrize(
    "years,month,expected_year",
    [
        ([2011], "2019-01", 2011),
        ([2011, 2018, 2020], "2019-06", 2018),  # 2018 and 2020 equally near: the earlier
        ([2011, 2017, 2020], "2019-06", 2020),  # nearest, even when after the month
        ([2017, 2019, 2020], "2016-03", 2017),
        ([2017, 2019, 2020], "2024-01", 2020),
        ([2020], "2019-06", 2020),
    ],
)
def test_population_year_choice(years, month, expected_year):
    hubs = pd.DataFrame({"hub": ["A"], "area_code": ["a"]})
    population = pd.DataFrame({"area_code": "a", "year": years, "population": [100 * y for y in years]})
    got = hub_population(hubs, population, pd.PeriodIndex([month], freq="M"))
    assert got.loc[0, "population_year"] == expected_year


def test_monthly_patrol_empty_without_resourcing():
    assert monthly_patrol(None).empty


def _independent_asb_counts(real_dir):
    """ASB per hub and month from the raw files with csv, json and shapely only."""
    hubs = {row["area_code"]: row["hub"] for row in csv.DictReader(open(real_dir / "hubs.csv", encoding="utf-8"))}
    lsoa = json.loads((real_dir / "lsoa.geojson").read_text())
    lsoa_area = {f["properties"]["lsoa_code"]: f["properties"]["area_code"] for f in lsoa["features"]}
    areas = json.loads((real_dir / "areas.geojson").read_text())
    polygons = [(f["properties"]["area_code"], shape(f["geometry"])) for f in areas["features"]]
    counts = Counter()
    for path in sorted((real_dir / "incidents").rglob("*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Crime type"] != ASB:
                    continue
                area = lsoa_area.get(row["LSOA code"])
                if area is None and row["Longitude"]:
                    point = Point(float(row["Longitude"]), float(row["Latitude"]))
                    area = next((code for code, poly in polygons if poly.contains(point)), None)
                counts[(hubs.get(area, "Unassigned"), row["Month"])] += 1
    return counts


def test_summary_cli_matches_an_independent_count_on_real_data(real_dir):
    expected = _independent_asb_counts(real_dir)
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "summary", str(real_dir), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    record = json.loads(result.stdout)
    got = {(row["hub"], row["month"]): row["asb"] for row in record["rows"] if row["asb"]}
    assert got == dict(expected)
    assert sum(got.values()) == 3315
    carlisle = next(r for r in record["rows"] if (r["hub"], r["month"]) == ("Carlisle", "2018-10"))
    assert carlisle["asb_rate_per_1000"] == pytest.approx(237 / 107524 * 1000, abs=1e-4)
    assert carlisle["crime"] == sum(v for k, v in carlisle["by_crime_type"].items() if k != ASB)
    assert "patrol_hours" not in carlisle  # the real folder has no resourcing


