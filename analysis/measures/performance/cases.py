"""Multi-agency cases: opened, open and closed at the period's end, days to close, agencies and issues.

The free-text ``summary`` column of cases.csv never leaves this module. No streamlit here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.figures.chart import Chart
from analysis.figures.performance import agency_figure, case_status_figure, days_to_close_figure, issue_figure
from analysis.stats.survival import kaplan_meier_median
from analysis.text.a11y import chart_summary, table_view

__all__ = [
    "CaseReport",
    "case_report",
    "agency_counts",
    "agency_summary",
    "agency_view",
    "CASE_COLUMNS",
    "case_status_summary",
    "case_status_view",
    "case_summary",
    "case_table",
    "days_to_close_stats",
    "days_to_close_summary",
    "days_to_close_view",
    "issue_counts",
    "issue_summary",
    "issue_view",
]


#: The case columns that may be shown or downloaded (never the free-text summary).
CASE_COLUMNS: tuple[str, ...] = ("case_id", "hub", "opened", "closed", "issue", "agencies", "status")


def case_table(
    cases: pd.DataFrame, hubs: list[str] | tuple[str, ...], start: pd.Period, end: pd.Period
) -> pd.DataFrame:
    """Cases opened in the period in the chosen hubs, with their state at the period's end.

    A case closed after the period's end counts as open at the end. The free-text
    ``summary`` column (and any other extra column) is dropped.

    Returns
    -------
    pandas.DataFrame
        ``case_id, hub, opened, closed, issue, agencies, status, closed_by_end,
        days_to_close`` (closed by the end) and ``days_open`` (open at the end: days from
        opening to the end of the period).
    """
    as_of = end.end_time.normalize()
    inside = cases.loc[
        cases["hub"].astype("str").isin(hubs)
        & (cases["opened"] >= start.start_time)
        & (cases["opened"] <= end.end_time)
    ]
    inside = inside[[c for c in CASE_COLUMNS if c in inside.columns]]
    closed_by_end = inside["closed"].notna() & (inside["closed"] <= end.end_time)
    return inside.assign(
        hub=inside["hub"].astype("str"),
        closed_by_end=closed_by_end,
        days_to_close=(inside["closed"] - inside["opened"]).dt.days.where(closed_by_end),
        days_open=(as_of - inside["opened"]).dt.days.where(~closed_by_end),
    ).reset_index(drop=True)


def case_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per hub: cases opened, open and closed at the period's end, and days to close.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`case_table`.

    Returns
    -------
    pandas.DataFrame
        ``hub, opened, open, closed, median_days_to_close`` (closed cases only, which
        favours quick cases) and ``km_median_days`` (Kaplan-Meier: open cases count
        as not closed yet), plus ``q1_days, q3_days`` of closed cases.
    """
    columns = ["hub", "opened", "open", "closed", "median_days_to_close", "q1_days", "q3_days", "km_median_days"]
    rows = []
    for hub, part in table.groupby("hub", sort=False):
        closed = part["closed_by_end"].to_numpy(bool)
        done = part["days_to_close"].to_numpy(float)[closed]
        q1, median, q3 = np.percentile(done, [25, 50, 75]) if len(done) else (math.nan,) * 3
        durations = part["days_to_close"].fillna(part["days_open"]).to_numpy(float)
        rows.append(
            {
                "hub": hub,
                "opened": len(part),
                "open": int((~closed).sum()),
                "closed": int(closed.sum()),
                "median_days_to_close": float(median),
                "q1_days": float(q1),
                "q3_days": float(q3),
                "km_median_days": kaplan_meier_median(durations, closed),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def agency_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Cases each agency is involved in, per hub, from the semicolon-separated ``agencies`` list.

    Examples
    --------
    >>> cases = pd.DataFrame({"hub": ["A", "A"], "agencies": ["Police; Council", "Police;Housing"]})
    >>> agency_counts(cases).values.tolist()
    [['A', 'Police', 2], ['A', 'Council', 1], ['A', 'Housing', 1]]
    """
    columns = ["hub", "agency", "cases"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    listed = (
        table[["hub", "agencies"]]
        .assign(hub=table["hub"].astype("str"), agency=table["agencies"].fillna("").astype("str").str.split(";"))
        .explode("agency")
    )
    listed = listed.assign(agency=listed["agency"].str.strip(), case=listed.index)
    # An agency named twice in one case counts once.
    listed = listed.loc[listed["agency"] != ""].drop_duplicates(subset=["case", "agency"])
    counted = listed.groupby(["hub", "agency"], sort=False).size().reset_index(name="cases")
    return counted.sort_values(["hub", "cases"], ascending=[True, False], kind="stable").reset_index(drop=True)[columns]


def issue_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Cases per hub and issue type, with how many are still open at the period's end.

    Returns
    -------
    pandas.DataFrame
        ``hub, issue, cases, open``.
    """
    columns = ["hub", "issue", "cases", "open"]
    if table.empty:
        return pd.DataFrame(columns=columns)
    counted = (
        table.assign(issue=table["issue"].astype("str"), is_open=~table["closed_by_end"])
        .groupby(["hub", "issue"], sort=False)
        .agg(cases=("case_id", "size"), open=("is_open", "sum"))
        .reset_index()
    )
    return counted.sort_values(["hub", "cases"], ascending=[True, False], kind="stable").reset_index(drop=True)[columns]


def case_status_summary(summary: pd.DataFrame) -> str:
    """The cases-per-hub chart in words: most and fewest cases, and how many are still open.

    Examples
    --------
    >>> summary = pd.DataFrame({"hub": ["A", "B"], "opened": [10, 4], "open": [3, 0], "closed": [7, 4]})
    >>> case_status_summary(summary)
    "Cases opened by hub: highest A (10), lowest B (4); 2 shown. 3 of 14 cases are still open at the period's end."
    """
    text = chart_summary(summary, x="hub", y="opened", what="Cases opened")
    return f"{text} {summary['open'].sum():,} of {summary['opened'].sum():,} cases are still open at the period's end."


def case_status_view(summary: pd.DataFrame) -> pd.DataFrame:
    """The cases-per-hub chart as a table."""
    return table_view(summary, {"hub": "Hub", "opened": "Opened", "closed": "Closed", "open": "Still open"})


def days_to_close_stats(table: pd.DataFrame) -> pd.DataFrame:
    """Per hub, what the box plot of :func:`days_to_close_figure` draws (closed cases only).

    Returns
    -------
    pandas.DataFrame
        ``hub, closed, shortest, q1, median, q3, longest`` in days.

    Examples
    --------
    >>> table = pd.DataFrame({"hub": ["A"] * 4, "closed_by_end": [True] * 4, "days_to_close": [10, 20, 30, 40]})
    >>> days_to_close_stats(table)[["closed", "median", "q1"]].values.tolist()
    [[4.0, 25.0, 17.5]]
    """
    columns = ["hub", "closed", "shortest", "q1", "median", "q3", "longest"]
    closed = table.loc[table["closed_by_end"].astype(bool)]
    if closed.empty:
        return pd.DataFrame(columns=columns)
    days = closed.assign(hub=closed["hub"].astype("str")).groupby("hub", sort=False)["days_to_close"]
    return (
        days.agg(
            closed="size",
            shortest="min",
            q1=lambda d: d.quantile(0.25),
            median="median",
            q3=lambda d: d.quantile(0.75),
            longest="max",
        )
        .astype(float)
        .reset_index()[columns]
    )


def days_to_close_summary(table: pd.DataFrame) -> str:
    """The days-to-close chart in words: the hubs with the longest and shortest median, and overall."""
    stats_table = days_to_close_stats(table)
    if stats_table.empty:
        return "Days from opening to closing: no case closed by the period's end."
    text = chart_summary(stats_table, x="hub", y="median", what="Median days from opening to closing")
    closed = table.loc[table["closed_by_end"].astype(bool), "days_to_close"]
    return f"{text} Over all {len(closed):,} closed cases the median is {closed.median():,.0f} days."


def days_to_close_view(table: pd.DataFrame) -> pd.DataFrame:
    """The days-to-close chart as a table: the box plot's numbers per hub."""
    stats_table = days_to_close_stats(table).round(1)
    counts = {c: stats_table[c].astype("Int64") for c in ("closed", "shortest", "longest")}
    return table_view(
        stats_table.assign(**counts),
        {
            "hub": "Hub",
            "closed": "Closed cases",
            "shortest": "Shortest (days)",
            "q1": "Lower quartile",
            "median": "Median",
            "q3": "Upper quartile",
            "longest": "Longest",
        },
    )


def _totals_by(frame: pd.DataFrame, column: str, values: list[str]) -> pd.DataFrame:
    """Totals over hubs per ``column``, largest first, with a column of cases per hub."""
    totals = frame.groupby(column, sort=False)[values].sum().sort_values(values[0], ascending=False, kind="stable")
    per_hub = frame.pivot_table(index=column, columns="hub", values="cases", aggfunc="sum", fill_value=0, sort=False)
    per_hub.columns = [str(c) for c in per_hub.columns]
    return totals.join(per_hub.astype(int)).reset_index()


def agency_summary(agencies: pd.DataFrame, cases: int) -> str:
    """The agency chart in words: the agencies in most and fewest cases, out of how many.

    Examples
    --------
    >>> agencies = pd.DataFrame({"hub": ["A", "A", "B"], "agency": ["Police", "Council", "Police"], "cases": [2, 1, 3]})
    >>> agency_summary(agencies, 5)
    'Cases by agency: highest Police (5), lowest Council (1); 2 shown. 5 cases in all; \
a case counts once for each agency in it.'
    """
    if agencies.empty:
        return "Cases each agency is involved in: no agencies named."
    totals = agencies.groupby("agency", sort=False, as_index=False)["cases"].sum()
    text = chart_summary(totals, x="agency", y="cases", what="Cases")
    return f"{text} {cases:,} case{'s' if cases != 1 else ''} in all; a case counts once for each agency in it."


def agency_view(agencies: pd.DataFrame) -> pd.DataFrame:
    """The agency chart as a table: cases per agency over the chosen hubs, then per hub."""
    if agencies.empty:
        return pd.DataFrame(columns=["Agency", "Cases"])
    return _totals_by(agencies, "agency", ["cases"]).rename(columns={"agency": "Agency", "cases": "Cases"})


def issue_summary(issues: pd.DataFrame) -> str:
    """The issue chart in words: the commonest and rarest issues, and how many cases are still open."""
    if issues.empty:
        return "Cases by issue type: no cases."
    totals = issues.groupby("issue", sort=False, as_index=False)[["cases", "open"]].sum()
    text = chart_summary(totals, x="issue", y="cases", what="Cases")
    return f"{text} {totals['open'].sum():,} of {totals['cases'].sum():,} are still open at the period's end."


def issue_view(issues: pd.DataFrame) -> pd.DataFrame:
    """The issue chart as a table: cases, closed and open per issue type, then cases per hub."""
    if issues.empty:
        return pd.DataFrame(columns=["Issue", "Cases", "Closed", "Open"])
    table = _totals_by(issues, "issue", ["cases", "open"])
    table.insert(2, "closed", table["cases"] - table["open"])
    return table.rename(columns={"issue": "Issue", "cases": "Cases", "closed": "Closed", "open": "Open"})


# --------------------------------------------------------------------------- the cases of the page


@dataclass(frozen=True)
class CaseReport:
    """The cases opened in the period in the chosen hubs (:func:`case_table`), per hub and overall."""

    table: pd.DataFrame
    per_hub: pd.DataFrame
    overall: dict

    @property
    def km_median(self) -> str:
        """The Kaplan-Meier median days to close in words ("not yet known" while too many are open)."""
        km = self.overall["km_median_days"]
        return "not yet known" if math.isnan(km) else f"{km:,.0f}"

    def caption(self, period: str, generated: bool) -> str:
        """What the figures cover, the median of closed cases alone, and that summaries are never shown."""
        overall = self.overall
        return (
            f"Cases opened in {period}; open or closed as at the end of the period. Median of closed "
            f"cases alone: {overall['median_days_to_close']:,.0f} days (middle half {overall['q1_days']:,.0f} to "
            f"{overall['q3_days']:,.0f}), which favours quick cases. "
            + ("Generated sample data: not real cases. " if generated else "")
            + "Case summaries are never shown."
        )

    @property
    def days(self) -> pd.DataFrame:
        """Every case's days (the download beside the days-to-close chart): the table without its agencies."""
        return self.table.drop(columns=["agencies"])

    def charts(self) -> list[Chart]:
        """Open and closed per hub, days to close, agencies involved, issue types: one chart each."""
        table, per_hub = self.table, self.per_hub
        agencies, issues = agency_counts(table), issue_counts(table)
        return [
            Chart(
                case_status_figure(per_hub, title="Cases per hub, open and closed"),
                case_status_view(per_hub),
                case_status_summary(per_hub),
                "perf_cases",
                "cases_per_hub.csv",
            ),
            # The table view gives the box plot's numbers per hub; the download (``days``) keeps every case's days.
            Chart(
                days_to_close_figure(table, title="Days from opening to closing, closed cases"),
                days_to_close_view(table),
                days_to_close_summary(table),
                "perf_days",
            ),
            Chart(
                agency_figure(agencies, title="Agencies involved (cases each agency is part of)"),
                agency_view(agencies),
                agency_summary(agencies, len(table)),
                "perf_agencies",
                "case_agencies.csv",
            ),
            Chart(
                issue_figure(issues, title="Cases by issue type"),
                issue_view(issues),
                issue_summary(issues),
                "perf_issues",
                "case_issues.csv",
            ),
        ]


def case_report(
    cases: pd.DataFrame, hubs: list[str] | tuple[str, ...], start: pd.Period, end: pd.Period
) -> CaseReport | None:
    """The cases opened in ``start`` to ``end`` in ``hubs``, per hub and for all of them; None when there are none."""
    table = case_table(cases, hubs, start, end)
    if table.empty:
        return None
    overall = case_summary(table.assign(hub="All chosen hubs")).iloc[0].to_dict()
    return CaseReport(table, case_summary(table), overall)
