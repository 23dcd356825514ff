"""The hub map in words: the highest and lowest areas, and how concentrated the hotspots are."""

from __future__ import annotations

import pandas as pd

from analysis.text.a11y import chart_summary


def area_summary(
    table: pd.DataFrame, *, value: str, what: str, unit: str, period: str, value_format: str = "{:,.0f}"
) -> str:
    """The map in words: the highest and lowest area, how many records in all, areas without a rate.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per mapped area: ``name``, ``count`` and ``value`` (from :func:`hub_rates`
        or :func:`lsoa_rates`, names in ``name``).
    value : str
        The column shaded (``rate_per_1000`` or ``count``).
    what : str
        What it measures, in words.
    unit : str
        What an area is ("hub", "LSOA").
    period : str
        The period the records cover, in words.
    value_format : str
        ``str.format`` pattern for the value.

    Examples
    --------
    >>> t = pd.DataFrame({"name": ["A", "B"], "count": [4, 1], "rate_per_1000": [2.0, float("nan")]})
    >>> area_summary(t, value="rate_per_1000", what="ASB per 1,000", unit="hub", period="Jan 2020")
    'ASB per 1,000 by hub: A: 2; 1 shown. 5 records in all, Jan 2020. 1 hub has no residents figure, so no rate.'
    """
    shown = table.loc[table[value].notna(), ["name", value]].rename(columns={"name": unit})
    text = chart_summary(shown, x=unit, y=value, what=what, value_format=value_format)
    text += f" {int(table['count'].sum()):,} records in all, {period}."
    unknown = int(table[value].isna().sum())
    if unknown:
        text += f" {unknown} {unit}{'s have' if unknown > 1 else ' has'} no residents figure, so no rate."
    return text


def hotspot_summary(hotspots: pd.DataFrame, width_m: float) -> str:
    """The hotspot layer in words: how many hexagons hold records, the busiest, how concentrated they are.

    Parameters
    ----------
    hotspots : pandas.DataFrame
        ``count, longitude, latitude`` per hexagon (from :func:`hex_polygons`).
    width_m : float
        The hexagons' width in metres.

    Examples
    --------
    >>> h = pd.DataFrame({"count": [1, 6, 3], "longitude": [-2.9, -2.93, -2.5], "latitude": [54.9, 54.89, 54.6]})
    >>> print(hotspot_summary(h, 2000))
    Hotspots: 3 hexagons 2 km across hold 10 records; the busiest holds 6 (centre 54.8900 N, 2.9300 W); \
half of the records are in the busiest 1.
    """
    across = f"{width_m / 1000:g} km across"
    if hotspots.empty or int(hotspots["count"].sum()) == 0:
        return f"Hotspots: no records with a location, so no hexagon {across} is shaded."
    ordered = hotspots.sort_values("count", ascending=False, kind="stable")
    total = int(ordered["count"].sum())
    busiest = ordered.iloc[0]
    half = int((ordered["count"].cumsum() < total / 2).sum()) + 1
    lat, lon = float(busiest["latitude"]), float(busiest["longitude"])
    centre = f"{abs(lat):.4f} {'N' if lat >= 0 else 'S'}, {abs(lon):.4f} {'E' if lon >= 0 else 'W'}"
    return (
        f"Hotspots: {len(ordered):,} hexagons {across} hold {total:,} records; the busiest holds "
        f"{int(busiest['count']):,} (centre {centre}); half of the records are in the busiest {half:,}."
    )
