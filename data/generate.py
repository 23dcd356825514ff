"""Deterministic, seeded sample data for Local Focus.

The app ships this generated sample so that it runs anywhere; real police.uk data
is read from a folder of its own. The sample sits on real ground: the hub areas are
the real Cumbria districts, the LSOAs the real 2011 LSOAs (ONS boundaries, simplified
for the web), the residents are ONS figures, and each incident is placed at a real
police.uk snap point inside its LSOA (``data/basemap``, derived once by
``python -m data.build_basemap``). Everything else is invented: the incident records
are simulated, and the deployment, operations and case tables describe no real
person or event.

Two stages
----------
1. :func:`simulate_counts` draws the panel of monthly counts per hub and crime
   type. It is fast (a few milliseconds) so that an evaluation can sweep hundreds
   of seeds and check that the analysis recovers the known effect.
2. :func:`generate_sample` expands those counts, unchanged, into police.uk
   street-level rows and adds every other file of the data folder. Each record
   goes to an LSOA of its hub's district with probability proportional to how
   many real records that LSOA's snap points held, then to one of those points
   in proportion to its own count; 0.4% of records have no location (police.uk
   has such rows), and so fall to the hub "Unassigned" when the folder is read.
   :func:`write_sample` writes the folder byte-for-byte deterministically.

Ground truth
------------
For hub ``h``, month ``t`` (0 for ``start``) and crime type ``c`` the expected
count is::

    mu[h, t, c] = V * p[h] * s[c] * season[c](t) * trend[c](t) * launch[h, c](t)

- ``V`` is ``monthly_volume``, the county's expected records per month at the
  start, before any launch effect.
- ``p[h]`` is the hub's share of the county population (Census 2011 district
  residents, :data:`HUBS`; ``population.csv`` holds the later ONS estimates,
  which do not enter the counts).
- ``s[c]`` is the crime-type share (:data:`CRIME_TYPE_SHARES`): antisocial
  behaviour (ASB) 0.40, the 13 crime types share the rest in Cumbria's mix
  (violence and sexual offences 0.262, criminal damage 0.091, ...). With the
  default launches and trend, ASB is about 36% of all records.
- ``season[c](t) = 1 + A[c] * cos(2 * pi * (month_of_year - 7) / 12)``: common
  to all hubs, peaking in July; ``A`` is 0.25 for ASB, 0.08 for crimes.
- ``trend[c](t) = (1 + g[c]) ** (t / 12)``: common to all hubs; ``g`` is -0.02
  a year for ASB, +0.03 a year for crimes.
- ``launch[h, c](t) = 1 + asb_launch_effect`` when ``c`` is ASB and the month is
  on or after hub ``h``'s launch month; 1 otherwise. No crime type is affected by
  a launch: they are placebos. A hub left out of ``launches`` never launches.

Counts are gamma-Poisson (negative binomial) draws: ``lambda ~ Gamma(shape=50,
scale=mu / 50)``, ``count ~ Poisson(lambda)``, so the variance is
``mu + mu**2 / 50``. ASB draws come from one random stream per hub, crimes from
another stream: for a given seed the crime counts do not depend on the launches
or on ``asb_launch_effect``, and a hub's ASB counts before its launch do not
depend on ``asb_launch_effect`` either.

Deployment, patrol hours and operations follow the launches (precept-funded
officers arrive with each hub's launch; patrol hours rise during operations),
but they do not enter the expected counts: the only causal effect in the sample
is ``asb_launch_effect``.

Command line::

    python -m data.generate [--out data/sample] [--seed 2018]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import shape

from analysis.schema import (
    ABOUT_FILE,
    AGENCIES,
    ASB,
    CRIME_TYPES,
    FUNDING,
    OUTCOMES,
    POLICE_UK_COLUMNS,
    ROLES,
)

__all__ = [
    "CRIME_TYPE_SHARES",
    "DEFAULT_LAUNCHES",
    "HUBS",
    "INCIDENTS_ZIP",
    "HubSpec",
    "SampleData",
    "expected_counts",
    "generate_sample",
    "main",
    "simulate_counts",
    "write_sample",
]


# ---------------------------------------------------------------------------
# Configuration: hubs, shares, seasonality
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HubSpec:
    """One hub of the sample and the real district it covers.

    Attributes
    ----------
    hub, region, station : str
        As in ``hubs.csv``.
    area_code, area_name : str
        The pre-2023 district the hub covers (its boundary is in ``data/basemap``).
    population : int
        District usual residents (Census 2011); drives the hub's level.
    """

    hub: str
    region: str
    station: str
    area_code: str
    area_name: str
    population: int


#: The six hubs, in the order of DESIGN.md, on the six pre-2023 Cumbria districts.
HUBS: tuple[HubSpec, ...] = (
    HubSpec("Carlisle", "North", "Civic Centre, Carlisle", "E07000028", "Carlisle", 107524),
    HubSpec("Eden", "North", "Penrith", "E07000030", "Eden", 52564),
    HubSpec("Allerdale", "West", "Cockermouth Police Station", "E07000026", "Allerdale", 96422),
    HubSpec("Copeland", "West", "Whitehaven Police Station", "E07000029", "Copeland", 70603),
    HubSpec("Barrow", "South", "Barrow Police Station", "E07000027", "Barrow-in-Furness", 69087),
    HubSpec("South Lakeland", "South", "Kendal Police Station", "E07000031", "South Lakeland", 103658),
)

#: Staggered launches (first day of the month), Carlisle first.
DEFAULT_LAUNCHES: dict[str, str] = {
    "Carlisle": "2018-10-01",
    "Allerdale": "2019-01-01",
    "Copeland": "2019-04-01",
    "Barrow": "2019-07-01",
    "South Lakeland": "2019-10-01",
    "Eden": "2020-01-01",
}

#: Expected share of records by crime type at ``start`` (sums to 1).
CRIME_TYPE_SHARES: dict[str, float] = {
    "Anti-social behaviour": 0.400,
    "Bicycle theft": 0.004,
    "Burglary": 0.032,
    "Criminal damage and arson": 0.091,
    "Drugs": 0.017,
    "Other crime": 0.014,
    "Other theft": 0.049,
    "Possession of weapons": 0.004,
    "Public order": 0.054,
    "Robbery": 0.003,
    "Shoplifting": 0.048,
    "Theft from the person": 0.003,
    "Vehicle crime": 0.019,
    "Violence and sexual offences": 0.262,
}

#: Where the incidents zip sits inside a data folder.
INCIDENTS_ZIP = "incidents/police-uk-sample.zip"

_FORCE = "Cumbria Constabulary"
_SOURCE = "Generated sample"
_DISPERSION_SHAPE = 50.0
_SEASON_AMPLITUDE = {"asb": 0.25, "crime": 0.08}
_SEASON_PEAK_MONTH = 7
_TREND_PER_YEAR = {"asb": -0.02, "crime": 0.03}
_NO_LOCATION_RATE = 0.004
_POINTS_PER_LSOA = 8
_RECENT_UNDER_INVESTIGATION = (0.85, 0.6, 0.4)  # last month, one before, two before
_OLD_UNDER_INVESTIGATION = 0.01
_ZIP_DATE_TIME = (2020, 1, 1, 0, 0, 0)

# Independent random streams: changing one table never changes another.
_STREAM_CRIME, _STREAM_ASB, _STREAM_ROWS = 1, 2, 3
_STREAM_RESOURCING, _STREAM_OPERATIONS, _STREAM_CASES, _STREAM_WORKFORCE = 4, 5, 6, 7


# ---------------------------------------------------------------------------
# The sample
# ---------------------------------------------------------------------------


@dataclass
class SampleData:
    """A complete generated data folder, in memory.

    Attributes
    ----------
    incidents : pandas.DataFrame
        police.uk street-level rows: exactly ``POLICE_UK_COLUMNS``, all strings.
    hubs, population, resourcing, operations, cases, workforce, pledges : pandas.DataFrame
        The tables of the data contract (DESIGN.md), with a few extra columns.
    areas, lsoa : dict
        GeoJSON FeatureCollections of the real districts (the hub areas) and 2011
        LSOAs, simplified (``data/basemap``).
    about : dict
        What generated the folder (``{"generated": true, ...}``).
    """

    incidents: pd.DataFrame
    hubs: pd.DataFrame
    population: pd.DataFrame
    resourcing: pd.DataFrame
    operations: pd.DataFrame
    cases: pd.DataFrame
    workforce: pd.DataFrame
    pledges: pd.DataFrame
    areas: dict[str, Any]
    lsoa: dict[str, Any]
    about: dict[str, Any]


# ---------------------------------------------------------------------------
# Stage 1: counts
# ---------------------------------------------------------------------------


def _rng(seed: int, stream: int, *extra: int) -> np.random.Generator:
    """Return the generator of one named random stream of a seed."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    return np.random.default_rng([int(seed), stream, *extra])


def _launch_offsets(launches: Mapping[str, str] | None, start: pd.Period, months: int) -> np.ndarray:
    """Month index (from ``start``) of each hub's launch; ``months`` if never."""
    launches = DEFAULT_LAUNCHES if launches is None else launches
    names = {spec.hub for spec in HUBS}
    unknown = sorted(set(launches) - names)
    if unknown:
        raise ValueError(f"unknown hub(s) in launches: {', '.join(unknown)}")
    offsets = np.full(len(HUBS), months, dtype=np.int64)
    for i, spec in enumerate(HUBS):
        value = launches.get(spec.hub)
        if value:
            offsets[i] = (pd.Period(value, freq="M") - start).n
    return offsets


def _expected(
    *,
    asb_launch_effect: float,
    start: str,
    months: int,
    launches: Mapping[str, str] | None,
    monthly_volume: float,
) -> tuple[pd.PeriodIndex, np.ndarray]:
    """Expected counts as an array ``[hub, month, crime type]``."""
    if months < 1:
        raise ValueError("months must be at least 1")
    if asb_launch_effect <= -1:
        raise ValueError("asb_launch_effect must be above -1")
    periods = pd.period_range(start=pd.Period(start, freq="M"), periods=months, freq="M")
    t = np.arange(months, dtype=float)
    month_of_year = periods.month.to_numpy()
    is_asb = np.array([c == ASB for c in CRIME_TYPES])
    amplitude = np.where(is_asb, _SEASON_AMPLITUDE["asb"], _SEASON_AMPLITUDE["crime"])
    growth = np.where(is_asb, _TREND_PER_YEAR["asb"], _TREND_PER_YEAR["crime"])
    angle = 2 * np.pi * (month_of_year - _SEASON_PEAK_MONTH) / 12
    season = 1 + amplitude[None, :] * np.cos(angle)[:, None]
    trend = (1 + growth[None, :]) ** (t[:, None] / 12)
    population = np.array([spec.population for spec in HUBS], dtype=float)
    shares = np.array([CRIME_TYPE_SHARES[c] for c in CRIME_TYPES])
    mu = monthly_volume * (population / population.sum())[:, None, None] * (shares * season * trend)[None, :, :]
    offsets = _launch_offsets(launches, periods[0], months)
    treated = np.arange(months)[None, :] >= offsets[:, None]
    asb = CRIME_TYPES.index(ASB)
    mu[:, :, asb] *= np.where(treated, 1 + asb_launch_effect, 1.0)
    return periods, mu


def _panel(periods: pd.PeriodIndex, values: np.ndarray, name: str) -> pd.DataFrame:
    """Lay a ``[hub, month, crime type]`` array out as a long table."""
    n_hub, n_month, n_type = values.shape
    hub_idx = np.repeat(np.arange(n_hub), n_month * n_type)
    month_idx = np.tile(np.repeat(np.arange(n_month), n_type), n_hub)
    type_idx = np.tile(np.arange(n_type), n_hub * n_month)
    return pd.DataFrame(
        {
            "hub": pd.array(np.array([s.hub for s in HUBS], dtype=object)[hub_idx], dtype="str"),
            "month": periods.take(month_idx),
            "crime_type": pd.array(np.array(CRIME_TYPES, dtype=object)[type_idx], dtype="str"),
            name: values.reshape(-1),
        }
    )


def expected_counts(
    *,
    asb_launch_effect: float = -0.15,
    start: str = "2017-01",
    months: int = 48,
    launches: dict[str, str] | None = None,
    monthly_volume: int = 3500,
) -> pd.DataFrame:
    """Return the ground-truth expected counts behind :func:`simulate_counts`.

    Parameters
    ----------
    asb_launch_effect, start, months, launches, monthly_volume
        As for :func:`simulate_counts`.

    Returns
    -------
    pandas.DataFrame
        Columns ``hub``, ``month`` (Period, monthly), ``crime_type`` and
        ``expected`` (float), one row per hub, month and crime type.
    """
    periods, mu = _expected(
        asb_launch_effect=asb_launch_effect,
        start=start,
        months=months,
        launches=launches,
        monthly_volume=monthly_volume,
    )
    return _panel(periods, mu, "expected")


def simulate_counts(
    seed: int = 2018,
    *,
    asb_launch_effect: float = -0.15,
    start: str = "2017-01",
    months: int = 48,
    launches: dict[str, str] | None = None,
    monthly_volume: int = 3500,
) -> pd.DataFrame:
    """Draw the monthly counts per hub and crime type (stage 1).

    Parameters
    ----------
    seed : int
        Non-negative seed; the same seed and arguments give the same counts.
    asb_launch_effect : float
        Relative change in expected ASB from each hub's launch month onward
        (-0.15 is a 15% fall). Must be above -1.
    start : str
        First month, ``"YYYY-MM"``.
    months : int
        Number of months.
    launches : dict of str to str, optional
        Hub name to launch date (``"YYYY-MM-DD"`` or ``"YYYY-MM"``); the launch
        month is the month of that date. Default :data:`DEFAULT_LAUNCHES`. A hub
        not in the dict never launches.
    monthly_volume : int
        Expected county records per month at ``start``, before any effect.

    Returns
    -------
    pandas.DataFrame
        Columns ``hub`` (str), ``month`` (Period, monthly), ``crime_type``
        (str) and ``count`` (int64): the full grid of hubs x months x the 14
        crime types, zeros included, sorted in that order.

    Notes
    -----
    The data-generating process is described in the module docstring.
    """
    periods, mu = _expected(
        asb_launch_effect=asb_launch_effect,
        start=start,
        months=months,
        launches=launches,
        monthly_volume=monthly_volume,
    )
    counts = np.empty(mu.shape, dtype=np.int64)
    asb = CRIME_TYPES.index(ASB)
    crime = [i for i in range(len(CRIME_TYPES)) if i != asb]
    counts[:, :, crime] = _gamma_poisson(_rng(seed, _STREAM_CRIME), mu[:, :, crime])
    for h in range(len(HUBS)):
        counts[h, :, asb] = _gamma_poisson(_rng(seed, _STREAM_ASB, h), mu[h, :, asb])
    return _panel(periods, counts, "count")


def _gamma_poisson(rng: np.random.Generator, mu: np.ndarray) -> np.ndarray:
    """Negative binomial draws with mean ``mu`` and gamma shape ``_DISPERSION_SHAPE``."""
    gamma = rng.standard_gamma(_DISPERSION_SHAPE, size=mu.shape)
    return rng.poisson(mu * gamma / _DISPERSION_SHAPE)


# ---------------------------------------------------------------------------
# Real geography: data/basemap (see data/build_basemap.py)
# ---------------------------------------------------------------------------

#: The real Cumbria boundaries, residents and police.uk snap points under the sample.
BASEMAP_DIR = Path(__file__).resolve().parent / "basemap"
#: The label of a point made up inside an LSOA that has no real snap point.
GENERATED_LOCATION = "On or near a generated location"
#: What the real parts of the sample ask to be credited with.
ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right."
)
_POLICE_UK_ATTRIBUTION = (
    "Snap point positions and street labels: police.uk (data.police.uk), contains public sector "
    "information licensed under the Open Government Licence v3.0."
)


@dataclass(frozen=True)
class _Geography:
    """The real LSOAs, their snap points and the districts the sample sits on."""

    code: np.ndarray  # (n,) LSOA code, sorted
    name: np.ndarray  # (n,) LSOA name
    hub: np.ndarray  # (n,) int, index into HUBS
    weight: np.ndarray  # (n,) share of its hub's incidents
    point_lsoa: np.ndarray  # (m,) int, index into the LSOAs (grouped, in LSOA order)
    lon: np.ndarray  # (m,) str, as police.uk prints it
    lat: np.ndarray  # (m,) str
    location: np.ndarray  # (m,) str, "On or near ..."
    point_key: np.ndarray  # (m,) LSOA index + cumulative point weight within the LSOA
    areas: tuple[dict[str, Any], ...]  # district features, by area code
    lsoa: tuple[dict[str, Any], ...]  # LSOA features, by LSOA code
    population: pd.DataFrame  # area_code, year, population, source


def _geography_from(
    areas: Sequence[dict[str, Any]],
    lsoa: Sequence[dict[str, Any]],
    points: pd.DataFrame,
    population: pd.DataFrame,
    points_per_lsoa: int = _POINTS_PER_LSOA,
) -> _Geography:
    """Index the basemap for drawing: LSOA weights per hub and point weights per LSOA.

    An LSOA's share of its hub's incidents is how many real records its snap points
    held; a point's share of its LSOA's incidents is how many it held. An LSOA with
    no snap point gets one made-up point inside it (its representative point,
    :data:`GENERATED_LOCATION`) with the weight of a point seen once.
    """
    hub_of_area = {spec.area_code: i for i, spec in enumerate(HUBS)}
    areas = tuple(sorted(areas, key=lambda f: f["properties"]["area_code"]))
    if sorted(f["properties"]["area_code"] for f in areas) != sorted(hub_of_area):
        raise ValueError("the basemap districts must be exactly the hubs' area codes")
    lsoa = tuple(sorted(lsoa, key=lambda f: f["properties"]["lsoa_code"]))
    code = np.array([f["properties"]["lsoa_code"] for f in lsoa], dtype=object)
    unknown = sorted({f["properties"]["area_code"] for f in lsoa} - set(hub_of_area))
    if unknown:
        raise ValueError(f"basemap LSOAs lie in districts that are no hub's area: {', '.join(unknown)}")
    index = {c: i for i, c in enumerate(code)}
    known = points.loc[points["lsoa_code"].isin(index.keys())]
    # The busiest points of each LSOA (ties in table order): they hold most real records,
    # and a few points per LSOA keep the incidents zip small.
    known = known.sort_values(["lsoa_code", "records"], ascending=[True, False], kind="stable")
    known = known.loc[known.groupby("lsoa_code").cumcount() < points_per_lsoa]
    found = set(known["lsoa_code"])
    made_up = []
    for feature in lsoa:
        props = feature["properties"]
        if props["lsoa_code"] not in found:
            where = shape(feature["geometry"]).representative_point()
            made_up.append((f"{where.x:.6f}", f"{where.y:.6f}", GENERATED_LOCATION, props["lsoa_code"], 1))
    columns = ["longitude", "latitude", "location", "lsoa_code", "records"]
    table = pd.concat([known[columns], pd.DataFrame(made_up, columns=columns)], ignore_index=True)
    table = table.assign(_lsoa=table["lsoa_code"].map(index)).sort_values("_lsoa", kind="stable")
    point_lsoa = table["_lsoa"].to_numpy(dtype=np.int64)
    records = table["records"].to_numpy(dtype=float)
    per_lsoa = np.bincount(point_lsoa, weights=records, minlength=len(code))
    cum = pd.Series(records).groupby(point_lsoa).cumsum().to_numpy() / per_lsoa[point_lsoa]
    last = np.r_[point_lsoa[1:] != point_lsoa[:-1], True]
    cum[last] = 1.0
    hub = np.array([hub_of_area[f["properties"]["area_code"]] for f in lsoa], dtype=np.int64)
    weight = per_lsoa.copy()
    for h in range(len(HUBS)):
        if not (hub == h).any():
            raise ValueError(f"the basemap has no LSOA in {HUBS[h].area_name}")
        weight[hub == h] /= weight[hub == h].sum()
    return _Geography(
        code=code,
        name=np.array([f["properties"]["lsoa_name"] for f in lsoa], dtype=object),
        hub=hub,
        weight=weight,
        point_lsoa=point_lsoa,
        lon=table["longitude"].to_numpy(dtype=object),
        lat=table["latitude"].to_numpy(dtype=object),
        location=table["location"].to_numpy(dtype=object),
        point_key=point_lsoa + cum,
        areas=areas,
        lsoa=lsoa,
        population=population,
    )


@lru_cache(maxsize=1)
def _geography() -> _Geography:
    """The basemap shipped in ``data/basemap`` (fixed: the same for every seed)."""

    def features(name: str) -> list[dict[str, Any]]:
        return json.loads((BASEMAP_DIR / name).read_text(encoding="utf-8"))["features"]

    points = pd.read_csv(BASEMAP_DIR / "snap_points.csv", dtype="str", keep_default_na=False)
    points["records"] = points["records"].astype("int64")
    population = pd.read_csv(BASEMAP_DIR / "population.csv", dtype={"area_code": "str", "source": "str"})
    return _geography_from(features("areas.geojson"), features("lsoa.geojson"), points, population)


def _pick_point(geo: _Geography, lsoa: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One snap point of each chosen LSOA, drawn by point weight with uniforms ``u`` in [0, 1)."""
    first = np.searchsorted(geo.point_lsoa, lsoa, side="left")
    last = np.searchsorted(geo.point_lsoa, lsoa, side="right") - 1
    found = np.searchsorted(geo.point_key, lsoa + u, side="right")
    return np.clip(found, first, last)


def _areas_geojson(geo: _Geography) -> dict[str, Any]:
    """The hub areas: the real districts (simplified), with the hub each is."""
    hub_of_area = {spec.area_code: spec.hub for spec in HUBS}
    features = [
        {
            "type": "Feature",
            "properties": {**f["properties"], "hub": hub_of_area[f["properties"]["area_code"]]},
            "geometry": f["geometry"],
        }
        for f in geo.areas
    ]
    return {"type": "FeatureCollection", "name": "local_focus_sample_areas", "features": features}


def _lsoa_geojson(geo: _Geography) -> dict[str, Any]:
    """The real 2011 LSOAs (simplified)."""
    features = [{"type": "Feature", "properties": f["properties"], "geometry": f["geometry"]} for f in geo.lsoa]
    return {"type": "FeatureCollection", "name": "local_focus_sample_lsoa", "features": features}


# ---------------------------------------------------------------------------
# Stage 2: incidents
# ---------------------------------------------------------------------------

_OUTCOME_PROFILES: dict[str, dict[str, float]] = {
    "no_suspect": {
        "Investigation complete; no suspect identified": 0.62,
        "Unable to prosecute suspect": 0.20,
        "Court result unavailable": 0.04,
        "Further investigation is not in the public interest": 0.03,
        "Local resolution": 0.03,
        "Status update unavailable": 0.02,
        "Offender given a caution": 0.01,
    },
    "victim_led": {
        "Unable to prosecute suspect": 0.60,
        "Investigation complete; no suspect identified": 0.10,
        "Court result unavailable": 0.11,
        "Further investigation is not in the public interest": 0.06,
        "Local resolution": 0.03,
        "Offender given a caution": 0.03,
        "Status update unavailable": 0.02,
        "Offender given community sentence": 0.01,
        "Offender sent to prison": 0.01,
    },
    "shoplifting": {
        "Investigation complete; no suspect identified": 0.35,
        "Unable to prosecute suspect": 0.18,
        "Court result unavailable": 0.20,
        "Local resolution": 0.06,
        "Offender given a caution": 0.04,
        "Offender fined": 0.03,
        "Offender given conditional discharge": 0.02,
        "Offender ordered to pay compensation": 0.02,
    },
    "robbery": {
        "Unable to prosecute suspect": 0.40,
        "Investigation complete; no suspect identified": 0.30,
        "Court result unavailable": 0.15,
        "Offender sent to prison": 0.05,
    },
    "drugs": {
        "Court result unavailable": 0.40,
        "Offender given a drugs possession warning": 0.15,
        "Offender given a caution": 0.12,
        "Local resolution": 0.08,
        "Offender given penalty notice": 0.05,
        "Unable to prosecute suspect": 0.05,
        "Further action is not in the public interest": 0.03,
    },
    "weapons": {
        "Court result unavailable": 0.36,
        "Unable to prosecute suspect": 0.20,
        "Offender given a caution": 0.08,
        "Offender given suspended prison sentence": 0.04,
        "Offender sent to prison": 0.04,
        "Investigation complete; no suspect identified": 0.05,
    },
}
_PROFILE_OF_TYPE: dict[str, str] = {
    "Bicycle theft": "no_suspect",
    "Burglary": "no_suspect",
    "Criminal damage and arson": "no_suspect",
    "Drugs": "drugs",
    "Other crime": "victim_led",
    "Other theft": "no_suspect",
    "Possession of weapons": "weapons",
    "Public order": "victim_led",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting",
    "Theft from the person": "no_suspect",
    "Vehicle crime": "no_suspect",
    "Violence and sexual offences": "victim_led",
}
_OUTCOME_TAIL = 0.03  # spread over every outcome a profile does not name
_TAIL_EXCLUDED = ("Under investigation", "Offender given a drugs possession warning")


def _outcome_cumulative() -> np.ndarray:
    """Cumulative outcome probabilities, ``[crime type, outcome]`` (ASB row unused)."""
    cum = np.zeros((len(CRIME_TYPES), len(OUTCOMES)))
    for i, crime_type in enumerate(CRIME_TYPES):
        profile = _OUTCOME_PROFILES.get(_PROFILE_OF_TYPE.get(crime_type, ""), {})
        if not profile:
            continue
        tail = [o for o in OUTCOMES if o not in profile and o not in _TAIL_EXCLUDED]
        weights = np.array([profile.get(o, _OUTCOME_TAIL / len(tail) if o in tail else 0.0) for o in OUTCOMES])
        cum[i] = np.cumsum(weights / weights.sum())
        cum[i, -1] = 1.0
    return cum


def _pick(cum: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index drawn from each row of cumulative probabilities ``cum`` with uniforms ``u``."""
    return np.minimum((u[:, None] >= cum).sum(axis=1), cum.shape[1] - 1)


def _incidents(counts: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Expand the counts into police.uk street-level rows (stage 2)."""
    rng = _rng(seed, _STREAM_ROWS)
    geo = _geography()
    n = counts["count"].to_numpy()
    periods = pd.PeriodIndex(counts["month"].drop_duplicates())
    hub_names = [s.hub for s in HUBS]
    hub = np.repeat(pd.Categorical(counts["hub"], categories=hub_names).codes, n)
    month = np.repeat(periods.get_indexer(pd.PeriodIndex(counts["month"])), n)
    ctype = np.repeat(pd.Categorical(counts["crime_type"], categories=CRIME_TYPES).codes, n)
    total = len(hub)

    lsoa = np.empty(total, dtype=np.int64)
    for h in range(len(HUBS)):
        rows = np.flatnonzero(hub == h)
        members = np.flatnonzero(geo.hub == h)
        lsoa[rows] = rng.choice(members, size=len(rows), p=geo.weight[members])
    point = _pick_point(geo, lsoa, rng.random(total))
    located = rng.random(total) >= _NO_LOCATION_RATE

    name_rank = np.argsort(np.argsort(geo.name, kind="stable"), kind="stable")
    lsoa_key = np.where(located, name_rank[lsoa], len(geo.name))
    order = np.lexsort((ctype, lsoa_key, month))
    hub, month, ctype, lsoa, point, located = (a[order] for a in (hub, month, ctype, lsoa, point, located))

    asb = ctype == CRIME_TYPES.index(ASB)
    n_crime = int((~asb).sum())
    crime_id = np.full(total, "", dtype=object)
    hex_ids = np.frombuffer(rng.bytes(32 * n_crime).hex().encode("ascii"), dtype="S64")
    crime_id[~asb] = hex_ids.astype("U64").astype(object)

    outcome_idx = _pick(_outcome_cumulative()[ctype], rng.random(total))
    from_end = len(periods) - 1 - month
    recent = np.array([*_RECENT_UNDER_INVESTIGATION, _OLD_UNDER_INVESTIGATION])
    p_open = recent[np.minimum(from_end, len(recent) - 1)]
    outcome = np.array(OUTCOMES, dtype=object)[outcome_idx]
    outcome[rng.random(total) < p_open] = "Under investigation"
    outcome[asb] = ""

    blank = np.full(total, "", dtype=object)
    months = np.array([str(p) for p in periods], dtype=object)
    table = {
        "Crime ID": crime_id,
        "Month": months[month],
        "Reported by": np.full(total, _FORCE, dtype=object),
        "Falls within": np.full(total, _FORCE, dtype=object),
        "Longitude": np.where(located, geo.lon[point], ""),
        "Latitude": np.where(located, geo.lat[point], ""),
        "Location": np.where(located, geo.location[point], "No Location"),
        "LSOA code": np.where(located, geo.code[lsoa], ""),
        "LSOA name": np.where(located, geo.name[lsoa], ""),
        "Crime type": np.array(CRIME_TYPES, dtype=object)[ctype],
        "Last outcome category": outcome,
        "Context": blank,
    }
    return pd.DataFrame({c: pd.array(table[c].astype(object), dtype="str") for c in POLICE_UK_COLUMNS})


# ---------------------------------------------------------------------------
# Stage 2: the other tables
# ---------------------------------------------------------------------------


def _launch_dates(launches: Mapping[str, str] | None) -> dict[str, pd.Timestamp | None]:
    """Each hub's launch as the first day of its launch month (None: never)."""
    launches = DEFAULT_LAUNCHES if launches is None else launches
    return {s.hub: (pd.Period(launches[s.hub], freq="M").start_time if launches.get(s.hub) else None) for s in HUBS}


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer ``total`` in proportion to ``weights``, summing exactly."""
    exact = total * weights / weights.sum()
    whole = np.floor(exact).astype(np.int64)
    short = total - int(whole.sum())
    order = np.lexsort((np.arange(len(exact)), -(exact - whole)))
    whole[order[:short]] += 1
    return whole


def _hubs_table(launch: Mapping[str, pd.Timestamp | None]) -> pd.DataFrame:
    """``hubs.csv``."""
    return pd.DataFrame(
        {
            "hub": [s.hub for s in HUBS],
            "region": [s.region for s in HUBS],
            "station": [s.station for s in HUBS],
            "area_code": [s.area_code for s in HUBS],
            "launched": [launch[s.hub].date().isoformat() if launch[s.hub] else "" for s in HUBS],
            "source": [f"{_SOURCE}: invented staggered launch dates"] * len(HUBS),
        }
    )


def _population_table(geo: _Geography, years: Sequence[int]) -> pd.DataFrame:
    """``population.csv``: the real ONS residents of the years in ``years``.

    Every basemap year inside ``years`` is kept, and the latest year before them
    (or the earliest year after, when none is before) where ``years`` holds none
    of its own first year, so that each month has a year to use. Districts then
    LSOAs within each year, as the basemap lists them.
    """
    population = geo.population
    given = sorted(set(population["year"].astype("int64")))
    wanted = {y for y in given if y in set(years)}
    first = min(years)
    if first not in wanted:
        before = [y for y in given if y < first]
        after = [y for y in given if y > first]
        wanted.add(before[-1] if before else after[0])
    keep = population["year"].isin(wanted)
    frame = population.loc[keep, ["area_code", "year", "population", "source"]]
    return frame.sort_values("year", kind="stable").reset_index(drop=True)


def _mondays(first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex:
    """Every Monday from ``first`` to ``last`` inclusive."""
    return pd.date_range(first, last, freq="W-MON")


def _operations_table(
    seed: int,
    launch: Mapping[str, pd.Timestamp | None],
    first: pd.Timestamp,
    last: pd.Timestamp,
) -> pd.DataFrame:
    """``operations.csv``: a county Week of Action each July, plus hub operations."""
    rng = _rng(seed, _STREAM_OPERATIONS)
    rows = []
    for year in range(first.year, last.year + 1):
        monday = pd.Timestamp(year, 7, 15) + pd.offsets.Week(weekday=0)
        if first <= monday and monday + pd.Timedelta(days=6) <= last:
            rows.append((f"Week of Action {year}", "All", monday, monday + pd.Timedelta(days=6), "ASB"))
    names = iter(
        (
            "Operation Kestrel",
            "Operation Curlew",
            "Operation Merlin",
            "Operation Osprey",
            "Operation Heron",
            "Operation Lapwing",
            "Operation Skylark",
            "Operation Dipper",
            "Operation Plover",
            "Operation Redstart",
            "Operation Wren",
            "Operation Siskin",
        )
    )
    focuses = ("ASB", "antisocial driving", "shoplifting")
    for i, spec in enumerate(HUBS):
        begin = launch[spec.hub]
        if begin is None or begin >= last:
            continue
        for j in range(2):
            span = (last - begin).days
            offset = int(rng.integers(0, max(1, span - 60)))
            start = begin + pd.Timedelta(days=offset)
            start = start - pd.Timedelta(days=start.weekday())
            end = start + pd.Timedelta(days=int(rng.choice([13, 20, 27, 41])))
            if start >= begin and end <= last:
                rows.append((next(names), spec.hub, start, end, focuses[(i + j) % 3]))
    frame = pd.DataFrame(rows, columns=["name", "hub", "start", "end", "focus"])
    frame = frame.sort_values(["start", "name"], kind="stable").reset_index(drop=True)
    for column in ("start", "end"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return frame


# Visible patrol hours per FTE per week, by role, before abstraction and noise.
_PATROL_RATE = {"PC": 14.0, "PCSO": 24.0, "Sergeant": 6.0, "Inspector": 2.0}
_CORE_PCS, _CORE_PCSOS, _PRECEPT_PCS = 60.0, 95.0, 25
_SERGEANTS = {"Carlisle": 3, "Eden": 1, "Allerdale": 2, "Copeland": 2, "Barrow": 2, "South Lakeland": 2}
_CORE_INSPECTOR_HUBS = ("Carlisle", "Barrow")
_RAMP_WEEKS = 8


def _establishment(
    launch: Mapping[str, pd.Timestamp | None], weeks: pd.DatetimeIndex
) -> list[tuple[int, str, str, np.ndarray]]:
    """Planned FTE per hub, role and funding for each week."""
    population = np.array([s.population for s in HUBS], dtype=float)
    share = population / population.sum()
    precept_pcs = _largest_remainder(_PRECEPT_PCS, population)
    lines = []
    for h, spec in enumerate(HUBS):
        begin = launch[spec.hub]
        if begin is None:
            since = np.full(len(weeks), -1)
        else:
            since = np.asarray((weeks - begin).days // 7)
        ramp = np.clip((since + 1) / _RAMP_WEEKS, 0, 1) * (since >= 0)
        live = (since >= 0).astype(float)
        flat = np.ones(len(weeks))
        lines.append((h, "PC", "core", flat * round(_CORE_PCS * share[h], 1)))
        lines.append((h, "PC", "precept", ramp * precept_pcs[h]))
        lines.append((h, "PCSO", "core", flat * round(_CORE_PCSOS * share[h], 1)))
        lines.append((h, "Sergeant", "core", flat * _SERGEANTS[spec.hub]))
        if spec.hub in _CORE_INSPECTOR_HUBS:
            lines.append((h, "Inspector", "core", flat))
        else:
            lines.append((h, "Inspector", "precept", live))
    return lines


def _resourcing_table(
    seed: int,
    launch: Mapping[str, pd.Timestamp | None],
    operations: pd.DataFrame,
    first: pd.Timestamp,
    last: pd.Timestamp,
) -> pd.DataFrame:
    """``resourcing.csv``: weekly FTE and visible patrol hours (rows with fte > 0)."""
    rng = _rng(seed, _STREAM_RESOURCING)
    weeks = _mondays(first, last)
    season = 1 + 0.1 * np.cos(2 * np.pi * (weeks.month.to_numpy() - _SEASON_PEAK_MONTH) / 12)
    boost = {s.hub: np.ones(len(weeks)) for s in HUBS}
    for op in operations.itertuples(index=False):
        active = (weeks >= pd.Timestamp(op.start) - pd.Timedelta(days=6)) & (weeks <= pd.Timestamp(op.end))
        for spec in HUBS:
            if op.hub in ("All", spec.hub):
                boost[spec.hub][active] *= 1.3 if op.hub == "All" else 1.2
    frames = []
    for h, role, funding, planned in _establishment(launch, weeks):
        hub = HUBS[h].hub
        # Teams vary a little week to week (vacancies, cover); single posts do not.
        vacancy = np.clip(rng.normal(1.0, 0.02, size=len(weeks)), 0.9, 1.05)
        fte = np.round(planned * np.where(planned > 2, vacancy, 1.0), 2)
        # Abstraction (training, court, sickness) and chance take patrol time away.
        available = 1 - rng.beta(2, 18, size=len(weeks))
        noise = rng.gamma(40.0, 1 / 40.0, size=len(weeks))
        hours = np.round(fte * _PATROL_RATE[role] * available * season * boost[hub] * noise, 1)
        keep = fte > 0
        frames.append(
            pd.DataFrame(
                {
                    "week": weeks[keep],
                    "hub": hub,
                    "role": role,
                    "funding": funding,
                    "fte": fte[keep],
                    "visible_patrol_hours": hours[keep],
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["_hub"] = frame["hub"].map({s.hub: i for i, s in enumerate(HUBS)})
    frame["_role"] = frame["role"].map({r: i for i, r in enumerate(ROLES)})
    frame["_funding"] = frame["funding"].map({f: i for i, f in enumerate(FUNDING)})
    frame = frame.sort_values(["week", "_hub", "_role", "_funding"], kind="stable")
    frame["week"] = frame["week"].dt.strftime("%Y-%m-%d")
    return frame.drop(columns=["_hub", "_role", "_funding"]).reset_index(drop=True)


_CASES_PER_MONTH = 15.0  # county-wide, once every hub is live
_CASE_ISSUES: dict[str, tuple[float, float, tuple[str, ...], tuple[str, ...]]] = {
    # issue: (weight, median days open, usual partners, occasional partners)
    "ASB": (0.32, 45, ("Council",), ("Housing", "Voluntary", "Children's Services")),
    "Vulnerable person": (0.20, 70, ("Adult Social Care",), ("NHS", "NWAS", "Housing")),
    "Hoarding": (0.08, 120, ("Fire", "Council"), ("Adult Social Care", "Housing")),
    "Drug dealing": (0.14, 90, ("Housing",), ("Council", "Children's Services")),
    "Noise": (0.12, 30, ("Council",), ("Housing",)),
    "Neighbour dispute": (0.14, 50, ("Housing",), ("Council", "Voluntary")),
}
_CASE_TEXT: dict[str, tuple[str, ...]] = {
    "ASB": (
        "Groups gathering near shops in the evening; joint patrols and youth activities.",
        "Nuisance behaviour in a shared stairwell; warning letters issued with the landlord.",
        "Litter and damage at a play area; clean-up and extra patrols agreed.",
    ),
    "Vulnerable person": (
        "Adult at risk of exploitation referred by a neighbour; safeguarding plan agreed.",
        "Frequent calls from a person in crisis; support plan shared between partners.",
    ),
    "Hoarding": (
        "Fire risk from belongings stored in a rented home; safety visit and support offered.",
        "Accumulated items blocking exits; clearance plan agreed with the occupant.",
    ),
    "Drug dealing": (
        "Community reports of suspected dealing from a property; enforcement options reviewed.",
        "Concern about visitors at all hours; tenancy support and patrols arranged.",
    ),
    "Noise": (
        "Persistent late-night noise reported by several households; monitoring arranged.",
        "Noise from a business premises; advice given and conditions reviewed.",
    ),
    "Neighbour dispute": (
        "Long-running dispute over parking and boundaries; mediation offered.",
        "Escalating disagreements between neighbours; acceptable behaviour agreements proposed.",
    ),
}


def _cases_table(seed: int, launch: Mapping[str, pd.Timestamp | None], last: pd.Timestamp) -> pd.DataFrame:
    """``cases.csv``: multi-agency hub cases opened after each hub's launch."""
    rng = _rng(seed, _STREAM_CASES)
    issues = list(_CASE_ISSUES)
    issue_p = np.array([_CASE_ISSUES[i][0] for i in issues])
    population = np.array([s.population for s in HUBS], dtype=float)
    rows = []
    for h, spec in enumerate(HUBS):
        begin = launch[spec.hub]
        if begin is None or begin > last:
            continue
        span = (last - begin).days + 1
        n = int(rng.poisson(_CASES_PER_MONTH * population[h] / population.sum() * span / 30.4))
        for _ in range(n):
            opened = begin + pd.Timedelta(days=int(rng.integers(0, span)))
            issue = issues[int(rng.choice(len(issues), p=issue_p / issue_p.sum()))]
            _, median, usual, occasional = _CASE_ISSUES[issue]
            days = max(1, round(median * rng.lognormal(0.0, 0.6)))
            closed = opened + pd.Timedelta(days=days)
            extra = {a for a in occasional if rng.random() < 0.3}
            members = {"Police", *usual, *extra}
            text = _CASE_TEXT[issue][int(rng.integers(len(_CASE_TEXT[issue])))]
            rows.append(
                (
                    spec.hub,
                    opened,
                    closed if closed <= last else None,
                    issue,
                    "; ".join(a for a in AGENCIES if a in members),
                    text,
                )
            )
    frame = pd.DataFrame(rows, columns=["hub", "opened", "closed", "issue", "agencies", "summary"])
    frame = frame.sort_values(["opened", "hub"], kind="stable").reset_index(drop=True)
    frame.insert(0, "case_id", [f"LF-{i + 1:04d}" for i in range(len(frame))])
    frame["status"] = np.where(frame["closed"].isna(), "open", "closed")
    frame["opened"] = frame["opened"].dt.strftime("%Y-%m-%d")
    frame["closed"] = frame["closed"].dt.strftime("%Y-%m-%d").fillna("")
    return frame[["case_id", "hub", "opened", "closed", "issue", "agencies", "status", "summary"]]


def _workforce_table(seed: int, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    """``workforce.csv``: force FTE on 31 March and 30 September."""
    rng = _rng(seed, _STREAM_WORKFORCE)
    dates = sorted(
        d
        for year in range(first.year, last.year + 1)
        for d in (pd.Timestamp(year, 3, 31), pd.Timestamp(year, 9, 30))
        if first <= d <= last
    )
    uplift_start = pd.Timestamp(2018, 4, 1)
    rows = []
    for worker_type in ("officers", "pcsos"):
        for d in dates:
            if worker_type == "officers":
                months_in = max(0.0, (d - uplift_start).days / 30.4)
                value = 1108 + 25 * min(1.0, months_in / 15) + rng.normal(0, 2.5)
            else:
                value = 95 + rng.normal(0, 1.5)
            rows.append((d.strftime("%Y-%m-%d"), worker_type, round(float(value), 2), _SOURCE))
    return pd.DataFrame(rows, columns=["as_at_date", "worker_type", "fte", "source"])


def _pledges_table() -> pd.DataFrame:
    """``pledges.csv``: the two headcount pledges of the 2018 release."""
    source = f"{_SOURCE}: mirrors the PCC pledges reported on 1 October 2018"
    return pd.DataFrame(
        [
            (
                "25 additional police officers dedicated to community policing",
                "officers",
                25,
                "increase",
                "2018-04-01",
                source,
            ),
            ("PCSO numbers maintained at 95", "pcsos", 95, "level", "2018-04-01", source),
        ],
        columns=["pledge", "worker_type", "target", "kind", "from_date", "source"],
    )


def generate_sample(
    seed: int = 2018,
    *,
    asb_launch_effect: float = -0.15,
    start: str = "2017-01",
    months: int = 48,
    launches: dict[str, str] | None = None,
    monthly_volume: int = 3500,
) -> SampleData:
    """Generate a complete sample data folder in memory.

    Parameters
    ----------
    seed, asb_launch_effect, start, months, launches, monthly_volume
        As for :func:`simulate_counts`; the incidents hold exactly the counts
        that :func:`simulate_counts` returns for the same arguments.

    Returns
    -------
    SampleData
        Every table of the data folder, the real (simplified) GeoJSON and ``about``.
    """
    counts = simulate_counts(
        seed,
        asb_launch_effect=asb_launch_effect,
        start=start,
        months=months,
        launches=launches,
        monthly_volume=monthly_volume,
    )
    geo = _geography()
    launch = _launch_dates(launches)
    first_month = pd.Period(start, freq="M")
    first = first_month.start_time
    last = (first_month + months - 1).end_time.normalize()
    operations = _operations_table(seed, launch, first, last)
    population = _population_table(geo, range(first.year, last.year + 1))
    about = {
        "generated": True,
        "name": _SOURCE,
        "generator": "data/generate.py",
        "seed": int(seed),
        "asb_launch_effect": float(asb_launch_effect),
        "start": str(first_month),
        "months": int(months),
        "monthly_volume": int(monthly_volume),
        "launches": {h: (d.date().isoformat() if d else None) for h, d in launch.items()},
        "description": (
            "Generated incidents on real ground, for demonstrations and tests. Real: the Cumbria "
            "district and 2011 LSOA boundaries (ONS, simplified for the web), the residents in "
            "population.csv (ONS) and the police.uk snap points the incidents sit at. Generated: "
            "every incident record (simulated police.uk-style rows in which each hub's launch "
            "changes expected antisocial behaviour by asb_launch_effect and no crime type), the "
            "hubs' launch dates and the deployment, operations, case and workforce figures. "
            "See data/generate.py for the full ground truth and README.md for the sources."
        ),
        "real": {
            "boundaries": (
                "areas.geojson: ONS Local Authority Districts (December 2019, BUC); lsoa.geojson: ONS LSOA "
                "(December 2011, generalised clipped); both simplified (about 60 m) and rounded to 5 decimals"
            ),
            "population": "population.csv: " + "; ".join(dict.fromkeys(population["source"])),
            "snap_points": (
                "incident coordinates and 'On or near' labels: distinct police.uk snap points of real "
                "Cumbria street-level files, inside the LSOA each names (no real record is reproduced)"
            ),
        },
        "attribution": [ATTRIBUTION, _POLICE_UK_ATTRIBUTION],
    }
    return SampleData(
        incidents=_incidents(counts, seed),
        hubs=_hubs_table(launch),
        population=population,
        resourcing=_resourcing_table(seed, launch, operations, first, last),
        operations=operations,
        cases=_cases_table(seed, launch, last),
        workforce=_workforce_table(seed, first, last),
        pledges=_pledges_table(),
        areas=_areas_geojson(geo),
        lsoa=_lsoa_geojson(geo),
        about=about,
    )


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """Text of one CSV cell: blank for missing, shortest round-trip for floats."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with LF line ends and minimal quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _frame_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV bytes."""
    columns = [frame[c].tolist() for c in frame.columns]
    return _csv_bytes(list(frame.columns), zip(*columns, strict=True))


def _json_bytes(obj: Any, *, indent: int | None = None) -> bytes:
    """Deterministic JSON bytes with a final newline."""
    separators = (",", ": ") if indent else (",", ":")
    text = json.dumps(obj, sort_keys=True, separators=separators, indent=indent, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def _incidents_zip(incidents: pd.DataFrame) -> bytes:
    """The incidents as a police.uk custom download: one street file per month."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for month, rows in incidents.groupby("Month", sort=True):
            info = zipfile.ZipInfo(f"{month}/{month}-cumbria-street.csv", date_time=_ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            columns = [rows[c].tolist() for c in POLICE_UK_COLUMNS]
            zf.writestr(info, _csv_bytes(POLICE_UK_COLUMNS, zip(*columns, strict=True)))
    return buffer.getvalue()


def _readme(sample: SampleData) -> str:
    """``README.md`` of the folder: what is real, what is generated, and the credits."""
    about = sample.about
    real = about["real"]
    lines = [
        "# Generated sample on real Cumbria geography",
        "",
        f"Written by `python -m data.generate` (`{about['generator']}`, seed {about['seed']}); "
        "do not edit by hand. "
        f"{len(sample.incidents):,} incident records, {about['start']} onward, {about['months']} months.",
        "",
        "## Generated, not real",
        "",
        "- every incident record in `incidents/` (police.uk format): simulated counts with a known "
        f"ASB effect of {about['asb_launch_effect']:+.0%} from each hub's launch;",
        "- the hubs' launch dates (`hubs.csv`), deployment (`resourcing.csv`), operations, "
        "multi-agency cases and workforce figures.",
        "",
        "## Real",
        "",
        f"- boundaries: {real['boundaries']};",
        f"- residents: {real['population']};",
        f"- where records sit: {real['snap_points']}. LSOAs with no snap point get one point "
        f'inside them, labelled "{GENERATED_LOCATION}".',
        "",
        "The real files are derived by `python -m data.build_basemap` into `data/basemap/` "
        "(see its README for sources).",
        "",
        "## Attribution",
        "",
        *[f"- {line}" for line in about["attribution"]],
        "",
    ]
    return "\n".join(lines)


def _folder_files(sample: SampleData) -> dict[str, bytes]:
    """Every file of the data folder, by relative path."""
    return {
        "hubs.csv": _frame_bytes(sample.hubs),
        "population.csv": _frame_bytes(sample.population),
        "resourcing.csv": _frame_bytes(sample.resourcing),
        "operations.csv": _frame_bytes(sample.operations),
        "cases.csv": _frame_bytes(sample.cases),
        "workforce.csv": _frame_bytes(sample.workforce),
        "pledges.csv": _frame_bytes(sample.pledges),
        "areas.geojson": _json_bytes(sample.areas),
        "lsoa.geojson": _json_bytes(sample.lsoa),
        ABOUT_FILE: _json_bytes(sample.about, indent=2),
        "README.md": _readme(sample).encode("utf-8"),
        INCIDENTS_ZIP: _incidents_zip(sample.incidents),
    }


def write_sample(sample: SampleData, out_dir: Path) -> None:
    """Write a complete data folder, replacing the files this module manages.

    Parameters
    ----------
    sample : SampleData
        What :func:`generate_sample` returned.
    out_dir : pathlib.Path
        The data folder; created if missing. Other files in it are left alone.

    Notes
    -----
    The bytes depend only on ``sample``: fixed zip timestamps and member order,
    LF line ends, shortest round-trip floats and sorted JSON keys.
    """
    out_dir = Path(out_dir)
    for relative, data in _folder_files(sample).items():
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the sample folder.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status (0).
    """
    parser = argparse.ArgumentParser(
        prog="python -m data.generate", description="Write the generated sample data folder."
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "sample",
        help="data folder to write (default: data/sample)",
    )
    parser.add_argument("--seed", type=int, default=2018, help="random seed (default 2018)")
    parser.add_argument(
        "--asb-launch-effect",
        type=float,
        default=-0.15,
        help="relative change in ASB from each hub's launch (default -0.15)",
    )
    args = parser.parse_args(argv)
    sample = generate_sample(args.seed, asb_launch_effect=args.asb_launch_effect)
    write_sample(sample, args.out)
    print(f"wrote {len(sample.incidents)} incidents and the sample tables to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
