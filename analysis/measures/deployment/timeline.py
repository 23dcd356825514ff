"""The area the Deployment page looks at: its patrol hours and ASB over time, as a chart, in words and as a table.

No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.figures.chart import Chart
from analysis.figures.deployment import MAX_NAMED_OPERATIONS, timeline_figure
from analysis.figures.shared import shade_gaps
from analysis.load.coverage import month_ranges
from analysis.load.dataset import Dataset
from analysis.measures.deployment.operations import operations_in_view
from analysis.measures.deployment.series import COUNTY, PATROL_COLUMNS, area_total, monthly_patrol_asb
from analysis.text.a11y import chart_summary, table_view

__all__ = ["AreaView", "NO_PATROL_NOTE", "WEEKLY_NOTE", "area_view", "timeline_summary", "timeline_view"]


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


# --------------------------------------------------------------------------- the area the page looks at


def _county(hubs: list[str], with_patrol: bool = False) -> str:
    return f"the county ({len(hubs)} hub{'s' if len(hubs) != 1 else ''}{' with patrol data' if with_patrol else ''})"


@dataclass(frozen=True)
class AreaView:
    """One area (the county of the chosen hubs, or one hub) over the chosen months: ASB, patrol hours, operations.

    ``hubs`` leaves out hubs without patrol hours when others have them (``warning`` names them), so that
    the patrol and ASB lines cover the same hubs. ``by_week`` (patrol hours) and ``by_month`` (patrol hours
    and ASB) are summed over ``hubs``; both are None when the area has no patrol hours.
    """

    name: str
    hubs: list[str]
    warning: str | None
    asb: pd.Series
    by_week: pd.DataFrame | None
    by_month: pd.DataFrame | None
    operations: pd.DataFrame | None
    launched: pd.Timestamp | None
    asb_gaps: list[pd.Period]

    @property
    def has_patrol(self) -> bool:
        """Whether resourcing.csv has patrol hours for the area in the chosen months."""
        return self.by_week is not None

    @property
    def has_operations(self) -> bool:
        """Whether operations.csv has an operation for the area's hubs (or "All") in the chosen months."""
        return self.operations is not None and not self.operations.empty

    def timeline(self, weekly: bool) -> Chart:
        """Patrol hours (by week or month) and ASB by month, with operations, the launch and ASB gaps marked."""
        patrol = self.by_week if weekly else self.by_month
        step = "week" if weekly else "month"
        title = (
            f"ASB by month, {self.name}"
            if not self.has_patrol
            else f"Visible patrol hours and ASB by {step}, {self.name}"
        )
        figure = timeline_figure(
            patrol, self.asb, weekly=weekly, operations=self.operations, launched=self.launched, title=title
        )
        shade_gaps(figure, self.asb_gaps)
        words = timeline_summary(
            patrol, self.asb, weekly=weekly, area=self.name, operations=self.operations, launched=self.launched
        )
        if self.asb_gaps:
            words += f" ASB not supplied for {month_ranges(self.asb_gaps)}: gaps, not zeros."
        return Chart(
            figure, timeline_view(patrol, self.asb, weekly=weekly), words, "dep_timeline", "patrol_and_asb.csv"
        )

    @property
    def operations_note(self) -> str | None:
        """What the grey bands are: the operations named, or numbered when there are many; None without any."""
        operations = self.operations
        if operations is not None and len(operations) > MAX_NAMED_OPERATIONS:
            numbered = "; ".join(f"**{i}** {label}" for i, label in enumerate(operations["label"], start=1))
            return f"Grey bands are operations, numbered at the top: {numbered}."
        if operations is not None and len(operations):
            return "Grey bands are operations, named at the top: " + "; ".join(operations["label"]) + "."
        return None


def area_view(
    dataset: Dataset,
    asb_all: pd.DataFrame,
    weekly_all: pd.DataFrame | None,
    hubs: list[str],
    area: str,
    start: pd.Period,
    end: pd.Period,
) -> AreaView:
    """The area ``area`` (:data:`COUNTY`: the sum over ``hubs``) in the months ``start`` to ``end``.

    Parameters
    ----------
    dataset : Dataset
        For its hubs' launch dates, its operations.csv and which months were supplied.
    asb_all : pandas.DataFrame
        From :func:`analysis.measures.deployment.series.hub_month_asb`.
    weekly_all : pandas.DataFrame or None
        From :func:`analysis.measures.deployment.series.weekly_patrol` (None without resourcing.csv).
    hubs : list of str
        The chosen hubs.
    area : str
        :data:`COUNTY` or one of ``hubs``.
    start, end : pandas.Period
        The chosen months.
    """
    asb = asb_all.loc[asb_all["month"].between(start, end)]
    weekly = None if weekly_all is None else weekly_all.loc[weekly_all["month"].between(start, end)]
    area_hubs = list(hubs) if area == COUNTY else [area]
    name = _county(area_hubs) if area == COUNTY else area
    warning = None
    if weekly is not None:
        missing = [h for h in area_hubs if h not in set(weekly["hub"])]
        if missing:
            warning = (
                f"resourcing.csv has no patrol hours for {', '.join(missing)} in this period: "
                "they are left out of the patrol and ASB lines below so both cover the same hubs."
            )
            area_hubs = [h for h in area_hubs if h not in missing] or area_hubs
            if area == COUNTY:
                name = _county(area_hubs, with_patrol=True)
        if weekly.loc[weekly["hub"].isin(area_hubs)].empty:
            weekly = None
    operations_table = dataset.table("operations.csv")
    launched = None
    if area != COUNTY:
        launch_dates = dataset.hubs.loc[dataset.hubs["hub"] == area, "launched"]
        launched = launch_dates.iloc[0] if len(launch_dates) and pd.notna(launch_dates.iloc[0]) else None
    return AreaView(
        name=name,
        hubs=area_hubs,
        warning=warning,
        asb=area_total(asb, area_hubs, "month", ["asb"]).set_index("month")["asb"],
        by_week=None if weekly is None else area_total(weekly, area_hubs, "week", PATROL_COLUMNS),
        by_month=None
        if weekly is None
        else area_total(monthly_patrol_asb(weekly, asb), area_hubs, "month", [*PATROL_COLUMNS, "asb"]),
        operations=None if operations_table is None else operations_in_view(operations_table, area_hubs, start, end),
        launched=launched,
        asb_gaps=dataset.coverage.missing_any(start, end, area_hubs, streams=("asb",)),
    )


#: What the page can show without resourcing.csv.
NO_PATROL_NOTE = (
    "Without patrol hours this page can show ASB alone: the trend below. The lagged relationship, "
    "the operation view and the evaluation's patrol estimate need resourcing.csv."
)
#: What the weekly view draws, since police.uk ASB has no day.
WEEKLY_NOTE = (
    "Weekly view: police.uk gives ASB by month only (no day), so weekly ASB cannot be had from police.uk. "
    "Patrol hours are weekly; ASB is drawn as a flat step across each month. "
    "A week counts in the month of its Monday."
)
