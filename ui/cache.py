"""Every Streamlit cache of the app, in one place, keyed on the data it was computed from.

A :class:`~analysis.dataset.Dataset` is hashed by its ``fingerprint`` (the folder and every
file's path, size and modification time), never by its frames: two sessions looking at the
same folder share results; a session that keeps uploads for itself reads another folder (a
private overlay), so another fingerprint, and never sees or disturbs the others' results; a file
changed by hand changes the fingerprint, so every new or reloaded session computes afresh.

Pages call these wrappers and hold no cache of their own (a code-rule test checks that).
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from analysis import maps
from analysis.access import public_view
from analysis.briefing import Briefing, briefing_pdf, chart_images, charts_zip, make_briefing
from analysis.cli import run_evaluation
from analysis.dataset import Dataset, fingerprint, load_dataset
from analysis.deployment import weekly_patrol
from analysis.evaluate import Evaluation, InsufficientData
from analysis.metrics import hub_population, monthly_counts
from analysis.overview import Overview
from analysis.overview import overview as measure_overview
from analysis.performance import (
    compare_windows,
    expected_range,
    monthly_measures,
    open_outcomes_by_month,
    outcome_distribution,
    period_rate,
    trend_window,
)
from analysis.schema import ASB
from analysis.upload import UploadCheck, check_upload

__all__ = [
    "ALL_HUBS",
    "DATASET_HASH",
    "area_geojson",
    "asb_by_hub_month",
    "briefing",
    "briefing_pack",
    "cached",
    "checked_upload",
    "counts_by_hub_month",
    "dose_response_for",
    "evaluation",
    "force_view",
    "hex_index",
    "hotspot_layer",
    "hub_area",
    "hub_comparison",
    "load",
    "mapped_table",
    "measures_by_hub_month",
    "outcomes",
    "overview",
    "patrol_by_hub_week",
    "residents_by_hub_month",
]

#: How a cache hashes a Dataset argument: by what identifies its content.
DATASET_HASH = {Dataset: lambda dataset: dataset.fingerprint}


def load(folder: str, public: bool = False) -> Dataset:
    """The folder's dataset, loaded once per content (a changed file changes the key).

    A public site only ever holds the public view: case texts and rejected rows' text never load into it.
    """
    return _load_keyed(folder, fingerprint(folder), public)


@st.cache_resource(show_spinner="Loading the data folder…", max_entries=4)
def _load_keyed(folder: str, key: tuple, public: bool) -> Dataset:
    # cache_resource: one shared, read-only object per folder content, never a copy per session.
    dataset = load_dataset(folder)
    return public_view(dataset) if public else dataset


def force_view(dataset: Dataset, force: str | None) -> Dataset:
    """The dataset cut down to one force (:meth:`~analysis.dataset.Dataset.for_force`), once per content and force."""
    if force is None or force not in dataset.force_names:
        return dataset
    return _force_view(dataset.fingerprint, dataset, force)


@st.cache_resource(show_spinner=False, max_entries=8)
def _force_view(key: tuple, _dataset: Dataset, force: str) -> Dataset:
    # cache_resource: the force's rows are cut once and shared, read-only, like the whole folder's.
    return _dataset.for_force(force)


def cached(max_entries: int = 32, show_spinner: bool | str = False):
    """``st.cache_data`` that hashes a Dataset argument by its fingerprint.

    Use it around a measure from :mod:`analysis` that takes the dataset and plain arguments
    (periods, hub tuples, strings); its result is pickled, so each caller gets its own copy
    of a small, aggregated result.
    """
    return st.cache_data(max_entries=max_entries, show_spinner=show_spinner, hash_funcs=DATASET_HASH)


def _month(text: str) -> pd.Period:
    return pd.Period(text, freq="M")


# --------------------------------------------------------------------------- Overview


@cached()
def overview(dataset: Dataset, hubs: tuple[str, ...], start: str, end: str) -> Overview:
    """:func:`analysis.overview.overview`, per dataset, hubs and period."""
    return measure_overview(dataset, hubs, _month(start), _month(end))


# --------------------------------------------------------------------------- pages/deployment.py


@st.cache_data(show_spinner=False, max_entries=4)
def asb_by_hub_month(key: tuple, _dataset: Dataset) -> pd.DataFrame:
    """ASB per hub and month over the whole data (zeros included); cached on the folder's fingerprint."""
    asb_rows = _dataset.incidents.loc[_dataset.incidents["is_asb"]]
    counts = monthly_counts(
        asb_rows, hubs=list(_dataset.hubs["hub"]), months=_dataset.months, coverage=_dataset.coverage
    )
    counts = counts.loc[counts["crime_type"] == ASB]
    return counts.rename(columns={"count": "asb"})[["hub", "month", "asb"]].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=4)
def patrol_by_hub_week(key: tuple, _dataset: Dataset) -> pd.DataFrame | None:
    """Weekly patrol hours per hub (None without resourcing.csv); cached on the folder's fingerprint."""
    resourcing = _dataset.table("resourcing.csv")
    return None if resourcing is None else weekly_patrol(resourcing)


@st.cache_data(show_spinner=False, max_entries=32)
def dose_response_for(key: tuple, _dataset: Dataset, hubs: tuple[str, ...], start: str, end: str) -> dict:
    """The evaluation's dose-response (ASB against patrol hours) for the chosen hubs and months."""
    try:
        from analysis.evaluate import InsufficientData, dose_response
    except ImportError:
        return {"error": "The evaluation module (analysis/evaluate.py) is not installed in this version."}
    months = pd.period_range(start, end, freq="M")
    asb = asb_by_hub_month(key, _dataset)
    asb = asb.loc[asb["hub"].isin(hubs) & asb["month"].isin(months)]
    counts = asb.assign(crime_type=ASB).rename(columns={"asb": "count"})
    weekly = patrol_by_hub_week(key, _dataset)
    if weekly is None:
        return {"error": "No patrol hours: resourcing.csv is missing."}
    patrol = weekly.loc[weekly["hub"].isin(hubs) & weekly["month"].isin(months)]
    patrol = patrol.groupby(["hub", "month"], as_index=False)["patrol_hours"].sum()
    try:
        result = dose_response(counts, patrol, hubs=_dataset.hubs.loc[_dataset.hubs["hub"].isin(hubs)])
    except InsufficientData as e:
        return {"error": str(e)}
    return result.to_dict()


# --------------------------------------------------------------------------- pages/performance.py


@st.cache_data(show_spinner=False, max_entries=4)
def counts_by_hub_month(key: tuple, _dataset: Dataset) -> pd.DataFrame:
    """Records per hub, month and crime type over the whole data; cached on the folder's fingerprint."""
    return monthly_counts(
        _dataset.incidents, hubs=_dataset.hub_names, months=_dataset.months, coverage=_dataset.coverage
    )


@st.cache_data(show_spinner=False, max_entries=4)
def residents_by_hub_month(key: tuple, _dataset: Dataset) -> pd.DataFrame:
    """Residents per hub and month from population.csv (empty without it); cached on the folder's fingerprint."""
    return hub_population(_dataset.hubs, _dataset.table("population.csv"), _dataset.months)


@st.cache_data(show_spinner=False, max_entries=16)
def measures_by_hub_month(key: tuple, _dataset: Dataset, crime_types: tuple[str, ...]) -> pd.DataFrame:
    """ASB and crime (chosen types) per hub and month, with residents where population.csv has them."""
    monthly = monthly_measures(counts_by_hub_month(key, _dataset), crime_types)
    people = residents_by_hub_month(key, _dataset)
    if len(people):
        return monthly.merge(people[["hub", "month", "population"]], on=["hub", "month"], how="left")
    return monthly.assign(population=float("nan"))


@st.cache_data(show_spinner=False, max_entries=64)
def hub_comparison(
    key: tuple,
    _dataset: Dataset,
    crime_types: tuple[str, ...],
    hubs: tuple[str, ...],
    start: str,
    end: str,
    column: str,
) -> dict[str, pd.DataFrame | int]:
    """Rates, trend, same months last year and expected range for the chosen hubs and period."""
    monthly = measures_by_hub_month(key, _dataset, crime_types)
    end_month = pd.Period(end, "M")
    history = monthly.loc[monthly["hub"].isin(hubs) & (monthly["month"] <= end_month)]
    months = pd.period_range(start, end, freq="M")
    available = (end_month - _dataset.months[0]).n + 1
    window = trend_window(available)
    if window:
        trend = compare_windows(history, column, end_month, window, window)
    else:
        trend = pd.DataFrame(
            {"hub": list(hubs), "recent": "", "baseline": "", "ratio": math.nan, "ci_low": math.nan}
        ).assign(ci_high=math.nan, recent_count=math.nan, baseline_count=math.nan, note="Not available: one month.")
    return {
        "rates": period_rate(history, column, months),
        "trend": trend,
        "last_year": compare_windows(history, column, end_month, max(window, 1), 12),
        "expected": expected_range(history, column, end_month),
        "window": window,
    }


@st.cache_data(show_spinner=False, max_entries=32)
def outcomes(
    key: tuple, _dataset: Dataset, crime_types: tuple[str, ...], hubs: tuple[str, ...], start: str, end: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Outcome distribution and open share by month for the chosen crimes (ASB has no outcome)."""
    rows = _dataset.incidents
    keep = (
        rows["month"].between(pd.Period(start, "M"), pd.Period(end, "M"))
        & rows["hub"].isin(hubs)
        & rows["crime_type"].isin(crime_types)
        & ~rows["is_asb"]
    )
    chosen = rows.loc[keep, ["month", "outcome", "is_asb"]]
    return outcome_distribution(chosen), open_outcomes_by_month(chosen, _dataset.months[-1])


# --------------------------------------------------------------------------- pages/precept.py


@st.cache_data(show_spinner="Estimating the change in ASB…", max_entries=8)
def evaluation(key: tuple, _dataset: Dataset) -> tuple[Evaluation | None, str | None]:
    """The evaluation of the whole dataset, or why it cannot be made (cached on the folder's fingerprint)."""
    try:
        return run_evaluation(_dataset), None
    except InsufficientData as e:
        return None, str(e)


# --------------------------------------------------------------------------- pages/hub_map.py

#: The map's first level: every hub area (the other levels are one hub's LSOAs).
ALL_HUBS = "All hub areas"


def hub_area(dataset: Dataset, hub: str) -> str:
    """The area code a hub covers."""
    return str(dataset.hubs.set_index("hub").loc[hub, "area_code"])


@st.cache_resource(max_entries=4, show_spinner=False)
def hex_index(_dataset: Dataset, fp: tuple, width_m: float) -> pd.DataFrame:
    """The hexagon of every incident (aligned to ``dataset.incidents``), once per dataset and width."""
    x, y = maps.project_points(
        _dataset.incidents["longitude"], _dataset.incidents["latitude"], maps.metric_crs(_dataset.areas)
    )
    q, r = maps.hex_cells(x, y, width_m)
    return pd.DataFrame({"q": q, "r": r}, index=_dataset.incidents.index)


@st.cache_data(max_entries=32, show_spinner=False)
def area_geojson(_dataset: Dataset, fp: tuple, level: str, codes: tuple[str, ...], tolerance_m: float) -> dict:
    """Simplified GeoJSON of the mapped hub areas, or of one hub's LSOAs."""
    if level == ALL_HUBS:
        return maps.map_geojson(_dataset.areas.loc[_dataset.areas["area_code"].isin(codes)], "area_code", tolerance_m)
    return maps.map_geojson(_dataset.lsoa.loc[_dataset.lsoa["lsoa_code"].isin(codes)], "lsoa_code", tolerance_m)


@st.cache_data(max_entries=64, show_spinner=False)
def mapped_table(_rows: pd.DataFrame, _dataset: Dataset, key: tuple) -> pd.DataFrame:
    """Records, residents and rate per mapped area; ``key`` = (fingerprint, start, end, hubs, types, level)."""
    _, start, end, hubs, types, level = key
    months = pd.period_range(start, end, freq="M")
    # Rates are per month supplied: a month not supplied adds no residents x months to the denominator.
    stream = "asb" if tuple(types) == (ASB,) else "crime"
    months = months[_dataset.coverage.supplied(stream, None, months).to_numpy()]
    population = _dataset.table("population.csv")
    if level == ALL_HUBS:
        mapped = _dataset.hubs.loc[_dataset.hubs["hub"].isin(hubs)]
        return maps.hub_rates(_rows, mapped, population, months).rename(columns={"hub": "name", "area_code": "code"})
    table = maps.lsoa_rates(_rows, _dataset.lsoa, population, months, hub_area(_dataset, level))
    return table.rename(columns={"lsoa_name": "name", "lsoa_code": "code"})


@st.cache_data(max_entries=32, show_spinner=False)
def hotspot_layer(_cells: pd.DataFrame, _dataset: Dataset, key: tuple, width_m: float) -> tuple[pd.DataFrame, dict]:
    """Records per hexagon and the hexagons' GeoJSON; ``key`` names the rows as in :func:`mapped_table`."""
    counts = maps.hexbin_counts(_cells["q"], _cells["r"])
    polygons = maps.hex_polygons(counts, width_m, maps.metric_crs(_dataset.areas))
    table = pd.DataFrame(polygons.drop(columns="geometry")).round({"longitude": 4, "latitude": 4})
    return table, maps.map_geojson(polygons, "cell_id", decimals=4)


# --------------------------------------------------------------------------- pages/briefing.py


@st.cache_data(max_entries=8, show_spinner=False)
def briefing(folder: str, key: tuple, public: bool, months: int, _dataset: Dataset) -> Briefing:
    """The briefing model for one data, mode and period."""
    return make_briefing(_dataset, public=public, months=months)


@st.cache_data(max_entries=4, show_spinner=False)
def briefing_pack(folder: str, key: tuple, public: bool, months: int, _dataset: Dataset) -> tuple[bytes, bytes]:
    """The PDF pack and the ZIP of chart PNGs (drawn once per data, mode and period)."""
    model = briefing(folder, key, public, months, _dataset)
    images = chart_images(model)
    return briefing_pdf(model, images), charts_zip(model, images)


# --------------------------------------------------------------------------- pages/data.py


@st.cache_data(max_entries=64, show_spinner="Checking the uploaded file…")
def checked_upload(name: str, digest: str, _content: bytes) -> UploadCheck:
    """The loaders' report on one upload, cached on its name and the hash of its bytes."""
    return check_upload(name, _content)
