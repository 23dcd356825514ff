"""Visible patrol hours and ASB as series: per hub and week or month, and summed over an area.

police.uk gives ASB by month only (no day), so weekly views show patrol hours by week with ASB
as monthly steps. No streamlit here.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.load.dataset import Dataset
from analysis.load.records import Where
from analysis.measures.metrics import BY_TYPE, counts_by_type
from analysis.schema import ASB

__all__ = [
    "area_total",
    "COUNTY",
    "hub_month_asb",
    "monthly_patrol_asb",
    "patrol_by_month",
    "PATROL_COLUMNS",
    "weekly_patrol",
]


#: The name of the county line: the sum over the chosen hubs.
COUNTY = "County (chosen hubs)"
#: Patrol-hour columns, summed over an area.
PATROL_COLUMNS = ["core_hours", "precept_hours", "patrol_hours"]


def weekly_patrol(resourcing: pd.DataFrame, hubs: Iterable[str] | None = None) -> pd.DataFrame:
    """Visible patrol hours per hub and week, split into core- and precept-funded.

    Parameters
    ----------
    resourcing : pandas.DataFrame
        ``week, hub, funding, visible_patrol_hours`` (one row per hub, week, role, funding).
    hubs : iterable of str, optional
        Hubs to keep (default: all).

    Returns
    -------
    pandas.DataFrame
        ``hub, week, month, core_hours, precept_hours, patrol_hours`` where ``month`` is
        the month of the week's Monday (as :func:`analysis.measures.metrics.monthly_patrol` counts it).
        Weeks with no row for a hub are absent, not zero.

    Examples
    --------
    >>> resourcing = pd.DataFrame({"week": pd.to_datetime(["2019-01-07"] * 3), "hub": ["A"] * 3,
    ...                            "funding": ["core", "core", "precept"], "visible_patrol_hours": [10.0, 5.0, 2.0]})
    >>> weekly_patrol(resourcing)[["core_hours", "precept_hours", "patrol_hours"]].values.tolist()
    [[15.0, 2.0, 17.0]]
    """
    rows = resourcing.assign(hub=resourcing["hub"].astype("str"))
    if hubs is not None:
        rows = rows.loc[rows["hub"].isin(list(hubs))]
    is_precept = rows["funding"].astype("str") == "precept"
    hours = rows["visible_patrol_hours"].astype(float)
    per_week = (
        rows.assign(core_hours=hours.where(~is_precept, 0.0), precept_hours=hours.where(is_precept, 0.0))
        .groupby(["hub", "week"], as_index=False, sort=True)[["core_hours", "precept_hours"]]
        .sum()
    )
    return per_week.assign(
        month=per_week["week"].dt.to_period("M"),
        patrol_hours=per_week["core_hours"] + per_week["precept_hours"],
    )[["hub", "week", "month", "core_hours", "precept_hours", "patrol_hours"]]


def monthly_patrol_asb(weekly: pd.DataFrame, asb: pd.DataFrame) -> pd.DataFrame:
    """Patrol hours (core, precept) and ASB per hub and month.

    Parameters
    ----------
    weekly : pandas.DataFrame
        From :func:`weekly_patrol`.
    asb : pandas.DataFrame
        ``hub, month, asb``: ASB records per hub and month.

    Returns
    -------
    pandas.DataFrame
        ``hub, month, core_hours, precept_hours, patrol_hours, asb``: every hub-month of
        ``asb``; patrol columns are NaN where no week of patrol data falls in the month.
    """
    monthly = patrol_by_month(weekly)
    out = (
        asb[["hub", "month", "asb"]]
        .assign(hub=asb["hub"].astype("str"))
        .merge(monthly, on=["hub", "month"], how="left")
    )
    return out[["hub", "month", "core_hours", "precept_hours", "patrol_hours", "asb"]]


def patrol_by_month(weekly: pd.DataFrame) -> pd.DataFrame:
    """Patrol hours (core, precept, all) per hub and month, from :func:`weekly_patrol` (a week in its Monday's month).

    Examples
    --------
    >>> weekly = pd.DataFrame({"hub": ["A", "A"], "month": pd.PeriodIndex(["2019-01", "2019-01"], freq="M"),
    ...                        "core_hours": [10.0, 5.0], "precept_hours": [1.0, 2.0], "patrol_hours": [11.0, 7.0]})
    >>> patrol_by_month(weekly)[PATROL_COLUMNS].values.tolist()
    [[15.0, 3.0, 18.0]]
    """
    return weekly.groupby(["hub", "month"], as_index=False)[PATROL_COLUMNS].sum()


def area_total(frame: pd.DataFrame, hubs: Iterable[str], by: str, columns: Iterable[str]) -> pd.DataFrame:
    """Sum ``columns`` over ``hubs`` for each value of ``by`` (a week or a month).

    A period in which any of the hubs has no value is NaN (``min_count``), so a
    missing week never looks like a quiet one.

    Examples
    --------
    >>> frame = pd.DataFrame({"hub": ["A", "B", "A"], "month": [1, 1, 2], "asb": [1.0, 2.0, 4.0]})
    >>> area_total(frame, ["A", "B"], "month", ["asb"])["asb"].tolist()
    [3.0, nan]
    """
    hubs = list(hubs)
    columns = list(columns)
    inside = frame.loc[frame["hub"].astype("str").isin(hubs)]
    full = pd.MultiIndex.from_product([inside[by].drop_duplicates().sort_values(), hubs], names=[by, "hub"])
    grid = inside.set_index([by, inside["hub"].astype("str").rename("hub")])[columns].reindex(full)
    return grid.groupby(level=by).sum(min_count=len(hubs)).reset_index()


def hub_month_asb(dataset: Dataset) -> pd.DataFrame:
    """ASB per hub and month over the whole data (zeros included; NaN where ASB was not supplied).

    Returns
    -------
    pandas.DataFrame
        ``hub, month, asb`` for every hub of ``dataset.hubs`` and month of the data.
    """
    asb = dataset.records.count(BY_TYPE, Where(crime_types=(ASB,)))
    counts = counts_by_type(asb, list(dataset.hubs["hub"]), dataset.months, coverage=dataset.coverage)
    counts = counts.loc[counts["crime_type"] == ASB]
    return counts.rename(columns={"count": "asb"})[["hub", "month", "asb"]].reset_index(drop=True)
