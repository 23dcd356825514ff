"""The Overview's figures and trend chart, computed without Streamlit, checked against independent counts."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.load.dataset import load_dataset
from analysis.measures.overview import VIEWS, overview, overview_trend
from analysis.schema import ASB, UNASSIGNED
from tests.conftest import SAMPLE_DIR


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE_DIR)


def test_county_trend_counts_asb_and_crime_apart(sample):
    start, end = pd.Period("2019-01", "M"), pd.Period("2019-12", "M")
    hubs = tuple(sample.hubs["hub"])
    figures = overview(sample, hubs, start, end)
    trend = overview_trend(figures, VIEWS[0], "Jan 2019 to Dec 2019")
    rows = sample.incidents[sample.incidents["month"].between(start, end) & sample.incidents["hub"].isin(hubs)]
    asb = rows[rows["crime_type"] == ASB].groupby("month").size()
    crime = rows[rows["crime_type"] != ASB].groupby("month").size()
    got = trend.data.pivot(index="month", columns="measure", values="records")
    assert got["ASB incidents"].tolist() == asb.reindex(got.index).tolist()
    assert got["Crimes (excluding ASB)"].tolist() == crime.reindex(got.index).tolist()
    assert len(got) == 12 and trend.figure.layout.title.text == "ASB and crime, Jan 2019 to Dec 2019"
    top = asb.idxmax()
    assert trend.peak == f"Highest ASB month: {top.strftime('%b %Y')} with {asb.max():,} records across the county."
    assert "records a month" in trend.summary and list(trend.readable.columns) == ["Month", "Measure", "Records"]


def test_each_hub_view_shows_rates_and_names_the_peak_hub(sample):
    start, end = pd.Period("2020-01", "M"), pd.Period("2020-06", "M")
    hubs = (*sample.hubs["hub"], UNASSIGNED)
    trend = overview_trend(overview(sample, hubs, start, end), VIEWS[1], "Jan to Jun 2020")
    assert UNASSIGNED not in set(trend.data["hub"])
    assert trend.figure.layout.title.text == "ASB, Jan to Jun 2020"
    assert "ASB per 1,000 residents" in trend.readable.columns
    top = trend.data.loc[trend.data["asb"].idxmax()]
    assert trend.peak.endswith(f"with {int(top['asb']):,} records in {top['hub']}.")
