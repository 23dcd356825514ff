"""The patrol-hours-and-ASB timeline in words and as a table. No streamlit here."""

from __future__ import annotations

import pandas as pd

from analysis.text.a11y import chart_summary, table_view

__all__ = ["timeline_summary", "timeline_view"]


def _week(day: pd.Timestamp) -> str:
    """A week by its Monday: 'week of 1 Jul 2019' (never just 'Jul 2019')."""
    return f"week of {day.day} {day:%b %Y}"


def _weekly_extremes(weekly: pd.DataFrame, column: str, what: str) -> str:
    points = weekly.dropna(subset=[column]).sort_values("week")
    if points.empty:
        return f"{what}: no values."
    high, low = points.loc[points[column].idxmax()], points.loc[points[column].idxmin()]
    last = points.iloc[-1]
    return (
        f"{what}, {_week(points['week'].iloc[0])} to {_week(last['week'])}: highest {_week(high['week'])} "
        f"({high[column]:,.0f}), lowest {_week(low['week'])} ({low[column]:,.0f}); "
        f"latest {_week(last['week'])} ({last[column]:,.0f})."
    )


def timeline_summary(
    patrol: pd.DataFrame | None,
    asb: pd.Series,
    *,
    weekly: bool,
    area: str,
    operations: pd.DataFrame | None = None,
    launched: pd.Timestamp | None = None,
) -> str:
    """The timeline chart in words: ASB and patrol hours (highest, lowest, latest), the precept share, operations.

    Parameters
    ----------
    patrol, asb, weekly, operations, launched
        As for :func:`timeline_figure`.
    area : str
        The area the chart is about, e.g. "Eden".

    Examples
    --------
    >>> asb = pd.Series([10.0, 30.0], index=pd.period_range("2020-01", periods=2, freq="M"))
    >>> patrol = pd.DataFrame({"month": asb.index, "core_hours": [90.0, 60.0], "precept_hours": [10.0, 40.0],
    ...                        "patrol_hours": [100.0, 100.0]})
    >>> timeline_summary(patrol, asb, weekly=False, area="Eden")
    'ASB incidents a month, Eden, Jan 2020 to Feb 2020: highest Feb 2020 (30), lowest Jan 2020 (10); latest Feb 2020 \
(30). Visible patrol hours a month, Jan 2020 to Feb 2020: highest Jan 2020 (100), lowest Jan 2020 (100); latest \
Feb 2020 (100). Precept-funded hours are 25% of the patrol hours shown.'
    """
    asb_table = asb.rename("asb").rename_axis("month").reset_index().dropna(subset=["asb"])
    sentences = [chart_summary(asb_table, x="month", y="asb", what=f"ASB incidents a month, {area}")]
    if patrol is not None and not patrol.empty:
        if weekly:
            sentences.append(_weekly_extremes(patrol, "patrol_hours", "Visible patrol hours a week"))
        else:
            shown = patrol.dropna(subset=["patrol_hours"])
            sentences.append(
                chart_summary(shown, x="month", y="patrol_hours", what="Visible patrol hours a month")
                if len(shown)
                else "Visible patrol hours a month: no month has them for every hub."
            )
        gaps = int(patrol["patrol_hours"].isna().sum())
        if gaps:
            unit = "week" if weekly else "month"
            sentences.append(f"{gaps} {unit}{'s' if gaps != 1 else ''} without patrol hours for every hub are gaps.")
        total = patrol["patrol_hours"].sum()
        if total > 0:
            sentences.append(
                f"Precept-funded hours are {patrol['precept_hours'].sum() / total:.0%} of the patrol hours shown."
            )
    if operations is not None and len(operations):
        sentences.append(f"{len(operations)} operation{'s are' if len(operations) != 1 else ' is'} shaded.")
    if launched is not None and pd.notna(launched):
        sentences.append(f"The hub launched on {launched.day} {launched:%b %Y}.")
    return " ".join(sentences)


def timeline_view(patrol: pd.DataFrame | None, asb: pd.Series, *, weekly: bool) -> pd.DataFrame:
    """The timeline chart as a table: per month (or week) the patrol hours and the month's ASB."""
    asb_table = asb.rename("asb").rename_axis("month").reset_index()
    hours = {"core_hours": "Core-funded patrol hours", "precept_hours": "Precept-funded patrol hours"}
    hours["patrol_hours"] = "Patrol hours"
    if patrol is None or patrol.empty:
        return table_view(asb_table, {"month": "Month", "asb": "ASB incidents"})
    patrol = patrol.drop(columns=["asb"], errors="ignore")
    if weekly:
        rows = patrol.assign(month=patrol["week"].dt.to_period("M")).merge(asb_table, on="month", how="left")
        rows = rows.assign(week=[f"{d.day} {d:%b %Y}" for d in rows["week"]])
        columns = {"week": "Week (Monday)", "month": "Month", **hours, "asb": "ASB incidents in the month"}
    else:
        rows = patrol.merge(asb_table, on="month", how="left")
        columns = {"month": "Month", **hours, "asb": "ASB incidents"}
    return table_view(rows.assign(**{c: rows[c].round(1) for c in hours}), columns)
