"""Place each incident in a hub: LSOA code, then LSOA name prefix, then point in polygon.

Whatever no rule places goes to the hub "Unassigned": counted and shown, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.load.force_names import force_slug
from analysis.schema import UNASSIGNED

if TYPE_CHECKING:  # geopandas is imported for the point-in-area rule only: a start places no row
    import geopandas as gpd

__all__ = [
    "ASSIGNED_BY",
    "DISTRICT_SHARE",
    "assign_hubs",
    "district_hubs",
    "forces_listed",
    "hubs_from_lsoa_names",
    "lsoa21_to_lsoa11",
]

#: How a row was placed, in the order the rules are tried.
ASSIGNED_BY: tuple[str, ...] = (
    "LSOA code",
    "LSOA code (2021, via ONS lookup)",
    "LSOA name",
    "point in area",
    "unassigned",
)

#: 2021 LSOA codes that are not 2011 codes, to the 2011 LSOA holding most of their residents (ONS, OGL v3).
LSOA21_LOOKUP = Path(__file__).resolve().parents[2] / "data" / "ons" / "lsoa21_to_lsoa11.csv"


@lru_cache(maxsize=1)
def lsoa21_to_lsoa11() -> dict[str, str]:
    """The shipped ONS lookup of 2021 LSOA codes to 2011 codes (empty if the file is missing)."""
    if not LSOA21_LOOKUP.is_file():
        return {}
    table = pd.read_csv(LSOA21_LOOKUP, dtype="str")
    return dict(zip(table["LSOA21CD"], table["LSOA11CD"], strict=True))


def _map_distinct(values: pd.Series, fn: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply ``fn`` to each distinct value once and spread the result back (object dtype, NaN where none)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, distinct = values.cat.codes.to_numpy(), pd.Series(values.cat.categories, dtype="str")
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        distinct = pd.Series(uniques, dtype="str")
    mapped = np.append(fn(distinct).astype("object").to_numpy(), np.nan)
    return pd.Series(mapped[codes], index=values.index, dtype="object")


def _area_by_lsoa_code(incidents: pd.DataFrame, lsoa: gpd.GeoDataFrame | None) -> tuple[pd.Series, pd.Series]:
    """The area from the LSOA code, directly or (for a 2021 code the boundaries lack) via the ONS lookup."""
    none = pd.Series(pd.NA, index=incidents.index, dtype="str")
    if lsoa is None or "area_code" not in lsoa.columns:
        return none, none
    lookup = dict(zip(lsoa["lsoa_code"].astype("str"), lsoa["area_code"].astype("str"), strict=False))
    direct = _map_distinct(incidents["lsoa_code"], lambda codes: codes.map(lookup))
    older = lsoa21_to_lsoa11()
    via = _map_distinct(incidents["lsoa_code"], lambda codes: codes.map(older).map(lookup))
    return direct, via.where(direct.isna())


def district_of(lsoa_names: pd.Series) -> pd.Series:
    """The district an LSOA name starts with: 'Barrow-in-Furness 001A' -> 'Barrow-in-Furness'."""
    return lsoa_names.str.replace(r"\s+\S+$", "", regex=True)


def _area_by_lsoa_name(incidents: pd.DataFrame, areas: gpd.GeoDataFrame | None, hubs: pd.DataFrame) -> pd.Series:
    """The district from the LSOA name's prefix: 'Barrow-in-Furness 001A' -> Barrow-in-Furness."""
    names: dict[str, str] = {}
    for hub, code in zip(hubs["hub"], hubs["area_code"], strict=False):
        names[str(hub).casefold()] = code
    if areas is not None and "area_name" in areas.columns:
        for name, code in zip(areas["area_name"], areas["area_code"], strict=False):
            names[str(name).casefold()] = code
    return _map_distinct(
        incidents["lsoa_name"],
        lambda lsoa_names: district_of(lsoa_names).str.casefold().map(names),
    )


def _area_by_point(incidents: pd.DataFrame, areas: gpd.GeoDataFrame | None, todo: pd.Series) -> pd.Series:
    found = pd.Series(pd.NA, index=incidents.index, dtype="str")
    rows = incidents.loc[todo & incidents["longitude"].notna() & incidents["latitude"].notna()]
    if areas is None or rows.empty:
        return found
    import geopandas as gpd

    points = gpd.GeoDataFrame(
        index=rows.index, geometry=gpd.points_from_xy(rows["longitude"], rows["latitude"]), crs=4326
    )
    joined = gpd.sjoin(points, areas[["area_code", "geometry"]], how="inner", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    found.loc[joined.index] = joined["area_code"].astype("str")
    return found


def assign_hubs(
    incidents: pd.DataFrame,
    hubs: pd.DataFrame,
    areas: gpd.GeoDataFrame | None = None,
    lsoa: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Add ``area_code``, ``hub`` and ``assigned_by`` to every incident.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Typed incidents (``lsoa_code``, ``lsoa_name``, ``longitude``, ``latitude``).
    hubs : pandas.DataFrame
        ``hub`` and ``area_code`` per hub.
    areas, lsoa : geopandas.GeoDataFrame, optional
        Hub-area polygons (``area_code``, ``area_name``) and LSOA polygons
        (``lsoa_code``, ``area_code``).

    Returns
    -------
    pandas.DataFrame
        The same rows, in the same order, with the three columns added. Rows no rule
        places get hub "Unassigned".
    """
    if not {"hub", "area_code"} <= set(hubs.columns):
        raise ValueError(f"hubs must have columns 'hub' and 'area_code', got {list(hubs.columns)}")
    by_code, by_lookup = _area_by_lsoa_code(incidents, lsoa)
    by_name = _area_by_lsoa_name(incidents, areas, hubs)
    area = by_code.astype("object").fillna(by_lookup.astype("object")).fillna(by_name.astype("object"))
    by_point = _area_by_point(incidents, areas, area.isna())
    area = area.fillna(by_point.astype("object"))
    method = np.select(
        [by_code.notna(), by_lookup.notna(), by_name.notna(), by_point.notna()],
        list(ASSIGNED_BY[:4]),
        default=ASSIGNED_BY[4],
    )
    hub_of_area = dict(zip(hubs["area_code"], hubs["hub"], strict=False))
    hub = area.map(hub_of_area).astype("object").fillna(UNASSIGNED)
    hub_names = list(dict.fromkeys([*hubs["hub"].astype("str"), UNASSIGNED]))
    method = pd.Series(method, index=incidents.index).where(hub != UNASSIGNED, ASSIGNED_BY[4])
    return incidents.assign(
        area_code=area.astype("category"),
        hub=pd.Categorical(hub, categories=hub_names),
        assigned_by=pd.Categorical(method, categories=list(ASSIGNED_BY)),
    )


#: Without hubs.csv or boundaries, a district becomes a hub when it holds at least this share of the records.
DISTRICT_SHARE = 0.05


def hubs_from_lsoa_names(
    incidents: pd.DataFrame, min_share: float = DISTRICT_SHARE, records: pd.Series | None = None
) -> pd.DataFrame:
    """Hubs for a force with no hubs.csv and no boundaries: its districts, from the LSOA names.

    police.uk's LSOA name starts with the district ("City of London 001F"). Each district with at
    least ``min_share`` of the records becomes a hub (area code = the district's name), so a
    force's own districts are its hubs and stray records across its border are Unassigned.

    Parameters
    ----------
    incidents : pandas.DataFrame
        One row per record (``lsoa_name``), or one row per place when ``records`` is given.
    min_share : float
        The share of the records a district needs.
    records : pandas.Series, optional
        How many records each row stands for (a store's places), aligned with ``incidents``.

    Returns
    -------
    pandas.DataFrame
        ``hub, region, station, area_code, launched`` (launched unknown), largest district first
        (equal districts by name).
    """
    names = incidents["lsoa_name"].astype("str").str.strip()
    district = district_of(names).where(names.str.contains(r"\s"))
    weight = pd.Series(1, index=incidents.index) if records is None else records.set_axis(incidents.index)
    total = int(weight.sum())
    sizes = weight.groupby(district.to_numpy(), dropna=True).sum()
    sizes = sizes.sort_index().sort_values(ascending=False, kind="stable")
    shares = sizes / max(total, 1)
    return district_hubs([str(d) for d in shares.index[shares.to_numpy() >= min_share]])


def district_hubs(districts: list[str]) -> pd.DataFrame:
    """A hubs table of districts (as :func:`hubs_from_lsoa_names` gives it): each its own area, launch unknown."""
    return pd.DataFrame(
        {
            "hub": pd.Series(districts, dtype="str"),
            "region": "",
            "station": "",
            "area_code": pd.Series(districts, dtype="str"),
            "launched": pd.Series(pd.NaT, index=range(len(districts)), dtype="datetime64[us]"),
        }
    )


def forces_listed(hubs: pd.DataFrame) -> dict[str, str]:
    """The force hubs.csv's ``force`` column gives each hub (as police.uk's file names write it), where it gives one."""
    if "force" not in hubs.columns:
        return {}
    names = hubs["hub"].astype("str")
    given = hubs["force"].astype("object").fillna("").astype("str")
    return {h: force_slug(f) for h, f in zip(names, given, strict=True) if f.strip()}
