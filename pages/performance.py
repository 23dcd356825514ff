"""Hub performance: hubs side by side, what happened to their crimes, and their multi-agency cases."""

from __future__ import annotations

import math

import streamlit as st

from analysis.measures.performance import (
    RECENT_MONTHS,
    agency_counts,
    agency_figure,
    agency_summary,
    agency_view,
    case_status_figure,
    case_status_summary,
    case_status_view,
    case_summary,
    case_table,
    change_figure,
    change_summary,
    change_view,
    comparison_table,
    days_to_close_figure,
    days_to_close_summary,
    days_to_close_view,
    expected_range_figure,
    expected_summary,
    expected_view,
    issue_counts,
    issue_figure,
    issue_summary,
    issue_view,
    open_share_figure,
    open_share_summary,
    open_share_view,
    outcome_figure,
    outcome_summary,
    outcome_view,
    rate_figure,
    rate_summary,
    rate_view,
)
from analysis.schema import ASB, UNASSIGNED
from ui import cache
from ui.access import sees_internal
from ui.charts import chart_with_table
from ui.common import (
    apply_filters,
    asb_and_crime_note,
    attribution,
    csv_download,
    get_dataset,
    missing_note,
    page_header,
    sidebar_filters,
)

MEASURES = {"ASB": ("asb", "ASB incidents"), "Crime": ("crime", "Crimes")}


dataset = get_dataset()
page_header(
    "Hub performance",
    dataset,
    "How each hub is doing, against the others and against its own history; what happened to its crimes; "
    "and how its multi-agency cases are going.",
)
filters = sidebar_filters(dataset)
if dataset.incidents.empty:
    st.warning("No incident records are loaded. Open the Data page to see why and to add police.uk files.")
    st.stop()

key = dataset.fingerprint
hubs = tuple(h for h in filters.hubs if h != UNASSIGNED)
crime_types = tuple(filters.crime_types)
other_types = [t for t in crime_types if t != ASB]
if not hubs:
    st.info("Choose at least one hub in the sidebar: this page compares hubs.")
    st.stop()

unplaced = apply_filters(dataset.incidents, filters)
unplaced_count = int((unplaced["hub"] == UNASSIGNED).sum())
st.caption(
    f"**{filters.period_label}**, {len(hubs)} hub(s). Crime means the chosen crime types except ASB "
    f"({len(other_types)} type(s)). {asb_and_crime_note()}"
    + (f" {unplaced_count:,} chosen records are not placed in any hub and are left out here." if unplaced_count else "")
)

# --------------------------------------------------------------------------- hubs side by side
st.subheader("Hubs side by side")
available = (["ASB"] if ASB in crime_types else []) + (["Crime"] if other_types else [])
if not available:
    st.info("Choose at least one crime type in the sidebar.")
else:

    @st.fragment
    def comparison_panel(options: list[str]) -> None:
        """The hub comparison for one measure; reruns alone when the measure changes."""
        if st.session_state.get("perf_measure") not in options:
            st.session_state["perf_measure"] = options[0]
        name = st.radio("Compare", options, key="perf_measure", horizontal=True)
        column, what = MEASURES[name]
        result = cache.hub_comparison(key, dataset, crime_types, hubs, str(filters.start), str(filters.end), column)
        rates, trend, last_year, expected = (result[k] for k in ("rates", "trend", "last_year", "expected"))
        window = result["window"]
        per_1000 = bool(rates["rate_per_1000"].notna().any())
        if not per_1000:
            missing_note(dataset, "population.csv")
        table, notes = comparison_table(rates, trend, last_year, expected, name)
        st.dataframe(table, hide_index=True, key="perf_table")
        latest = filters.end.strftime("%b %Y")
        st.caption(
            "Each cell: the figure and its 95% interval in brackets; the months compared are the column headers. "
            "These describe change; they do not say what caused it."
        )
        if notes:
            st.caption("Not available: " + " ".join(note.removeprefix("Not available: ") for note in notes))
        with st.expander("How these figures are worked out"):
            st.markdown(
                f"- **Per 1,000 a month**: records in {filters.period_label} / months / residents x 1,000, with the "
                "exact Poisson 95% interval"
                + ("." if per_1000 else " (no population.csv here, so the charts compare counts).")
                + f"\n- **Recent change**: the last {window} month(s) to {latest} against the {window} before: a ratio "
                "of rates per resident with an exact (conditional binomial) 95% interval. It does not allow for the "
                "season: autumn against summer ASB falls every year.\n"
                "- **A year before**: the same months a year earlier, which cancels the season but not other change.\n"
                f"- **{latest} (expected)**: a quasi-Poisson model of the hub's own previous months (up to 36; "
                "a level, a trend from 12 months, month of year from 24) gives a 95% prediction interval; the month is "
                "above, within or below it. One month in twenty falls outside by chance.\n"
                "- Comparisons use months before the chosen period where the data have them. Hubs are compared "
                "on residents (population.csv), which ignores visitors and commuters."
            )
        tabs = st.tabs(
            ["Rate per 1,000 residents" if per_1000 else "Records", "Change", "Latest month against expected"]
        )
        with tabs[0]:
            rate_title = (
                f"{what} per 1,000 residents a month, {filters.period_label}"
                if per_1000
                else f"{what}, {filters.period_label} (no population: counts)"
            )
            chart_with_table(
                rate_figure(rates, what, per_1000, title=rate_title),
                rate_view(rates, per_1000),
                rate_summary(rates, what, per_1000, filters.period_label),
                key="perf_rate",
                file_name="hub_rates.csv",
            )
        with tabs[1]:
            chart_with_table(
                change_figure(trend, last_year, title=f"{what}: change with 95% intervals"),
                change_view(trend, last_year),
                f"{what}, change per hub. " + change_summary(trend, last_year),
                key="perf_change",
                file_name="hub_changes.csv",
            )
        with tabs[2]:
            if (expected["position"] == "not available").all():
                st.info(expected["model"].iloc[0] if len(expected) else "No hubs chosen.")
            else:
                chart_with_table(
                    expected_range_figure(expected, what, title=f"{what} in {latest} against the expected range"),
                    expected_view(expected),
                    expected_summary(expected, what),
                    key="perf_expected",
                    file_name="hub_expected_range.csv",
                )

    comparison_panel(available)

# --------------------------------------------------------------------------- outcomes
st.subheader("What happened to the crimes")
if not other_types:
    st.info("Outcomes are for crimes: ASB has none. Choose a crime type other than ASB in the sidebar.")
else:
    distribution, by_month = cache.outcomes(key, dataset, crime_types, hubs, str(filters.start), str(filters.end))
    if distribution.empty:
        st.info("No crimes of the chosen types in these hubs and months.")
    else:
        flagged = by_month.loc[by_month["flagged"], "month"]
        if len(flagged):
            st.warning(
                "Outcomes of the latest months are still open: "
                + ", ".join(m.strftime("%b %Y") for m in flagged)
                + " have many crimes 'Under investigation' or 'Awaiting court outcome'. These change when police.uk "
                "re-supplies the data, so recent outcome shares are not comparable with older months.",
                icon=":material/hourglass_top:",
            )
        chart_with_table(
            outcome_figure(distribution, title=f"Last outcome of crimes, {filters.period_label}"),
            outcome_view(distribution),
            outcome_summary(distribution, filters.period_label),
            key="perf_outcomes",
            file_name="crime_outcomes.csv",
        )
        chart_with_table(
            open_share_figure(by_month, title="Crimes whose outcome is still open, by month"),
            open_share_view(by_month),
            open_share_summary(by_month),
            key="perf_open",
            file_name="open_outcomes_by_month.csv",
        )
        st.caption(
            f"Open: 'Under investigation' or 'Awaiting court outcome'. A month is flagged when it is one of the "
            f"{RECENT_MONTHS} latest in the data and its open share is clearly (95% interval) above both 5% and "
            "twice the share of earlier months. police.uk updates outcomes when it re-supplies a month."
        )

# --------------------------------------------------------------------------- cases
st.subheader("Multi-agency cases")
cases = dataset.table("cases.csv")
if not sees_internal():
    st.info("Multi-agency cases are internal: they are not shown on the public site.", icon=":material/lock:")
elif cases is None:
    missing_note(dataset, "cases.csv")
else:
    table = case_table(cases, hubs, filters.start, filters.end)
    if table.empty:
        st.info(f"No multi-agency cases opened in {filters.period_label} in the chosen hubs.")
    else:
        per_hub = case_summary(table)
        overall = case_summary(table.assign(hub="All chosen hubs")).iloc[0]
        columns = st.columns(4)
        columns[0].metric("Cases opened", f"{int(overall['opened']):,}")
        columns[1].metric("Still open at the period's end", f"{int(overall['open']):,}")
        columns[2].metric("Closed", f"{int(overall['closed']):,}")
        km = overall["km_median_days"]
        columns[3].metric(
            "Median days to close",
            "not yet known" if math.isnan(km) else f"{km:,.0f}",
            help="Kaplan-Meier: cases still open count as not closed yet, so slow cases are not left out.",
        )
        st.caption(
            f"Cases opened in {filters.period_label}; open or closed as at the end of the period. Median of closed "
            f"cases alone: {overall['median_days_to_close']:,.0f} days (middle half {overall['q1_days']:,.0f} to "
            f"{overall['q3_days']:,.0f}), which favours quick cases. "
            + ("Generated sample data: not real cases. " if dataset.is_generated else "")
            + "Case summaries are never shown."
        )
        tabs = st.tabs(["Open and closed", "Days to close", "Agencies involved", "Issue types"])
        with tabs[0]:
            chart_with_table(
                case_status_figure(per_hub, title="Cases per hub, open and closed"),
                case_status_view(per_hub),
                case_status_summary(per_hub),
                key="perf_cases",
                file_name="cases_per_hub.csv",
            )
        with tabs[1]:
            # The table view gives the box plot's numbers per hub; the download keeps every closed case's days.
            chart_with_table(
                days_to_close_figure(table, title="Days from opening to closing, closed cases"),
                days_to_close_view(table),
                days_to_close_summary(table),
                key="perf_days",
            )
            csv_download(
                table.drop(columns=["agencies"]),
                "Download every case's days (CSV)",
                "case_days.csv",
                key="dl_perf_days",
            )
        with tabs[2]:
            agencies = agency_counts(table)
            chart_with_table(
                agency_figure(agencies, title="Agencies involved (cases each agency is part of)"),
                agency_view(agencies),
                agency_summary(agencies, len(table)),
                key="perf_agencies",
                file_name="case_agencies.csv",
            )
        with tabs[3]:
            issues = issue_counts(table)
            chart_with_table(
                issue_figure(issues, title="Cases by issue type"),
                issue_view(issues),
                issue_summary(issues),
                key="perf_issues",
                file_name="case_issues.csv",
            )
attribution()
