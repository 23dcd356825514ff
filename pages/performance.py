"""Hub performance: hubs side by side, what happened to their crimes, and their multi-agency cases."""

from __future__ import annotations

import streamlit as st

from analysis.figures.chart import Chart
from analysis.measures.performance.comparison import MEASURES
from analysis.measures.performance.outcomes import OPEN_NOTE
from analysis.measures.performance.scope import scope
from ui import cache
from ui.access import sees_internal
from ui.charts import chart_with_table
from ui.common import asb_and_crime_note, attribution, csv_download, missing_note, page_start


def show(chart: Chart) -> None:
    """Draw one chart with its summary and table view."""
    chart_with_table(chart.figure, chart.table, chart.summary, key=chart.key, file_name=chart.file_name)


start = page_start(
    "Hub performance",
    "How each hub is doing, against the others and against its own history; what happened to its crimes; "
    "and how its multi-agency cases are going.",
    need_hubs="Choose at least one hub in the sidebar: this page compares hubs.",
)
dataset, filters = start.dataset, start.filters
period, first, last = filters.period_label, str(filters.start), str(filters.end)
chosen = scope(dataset.records, filters.hubs, tuple(filters.crime_types), filters.start, filters.end)
hubs, crime_types = chosen.hubs, chosen.crime_types
st.caption(chosen.caption(period, asb_and_crime_note()))

# --------------------------------------------------------------------------- hubs side by side
st.subheader("Hubs side by side")
if not chosen.measures:
    st.info("Choose at least one crime type in the sidebar.")
else:

    @st.fragment
    def comparison_panel(options: list[str]) -> None:
        """The hub comparison for one measure; reruns alone when the measure changes."""
        if st.session_state.get("perf_measure") not in options:
            st.session_state["perf_measure"] = options[0]
        name = st.radio("Compare", options, key="perf_measure", horizontal=True)
        result, view = cache.comparison_charts(dataset, crime_types, hubs, first, last, MEASURES[name][0], name, period)
        if not result.per_1000:
            missing_note(dataset, "population.csv")
        st.dataframe(view.table, hide_index=True, key="perf_table")
        st.caption(
            "Each cell: the figure and its 95% interval in brackets; the months compared are the column headers. "
            "These describe change; they do not say what caused it."
        )
        if view.notes:
            st.caption(view.notes)
        with st.expander("How these figures are worked out"):
            st.markdown(view.method)
        tabs = st.tabs([view.rate_tab, "Change", "Latest month against expected"])
        with tabs[0]:
            show(view.rate)
        with tabs[1]:
            show(view.change)
        with tabs[2]:
            if view.expected is None:
                st.info(view.expected_note)
            else:
                show(view.expected)

    comparison_panel(chosen.measures)

# --------------------------------------------------------------------------- outcomes
st.subheader("What happened to the crimes")
if not chosen.other_types:
    st.info("Outcomes are for crimes: ASB has none. Choose a crime type other than ASB in the sidebar.")
else:
    outcomes, outcome_charts = cache.outcome_charts(dataset, crime_types, hubs, first, last, period)
    if outcomes.distribution.empty:
        st.info("No crimes of the chosen types in these hubs and months.")
    else:
        if outcomes.warning:
            st.warning(outcomes.warning, icon=":material/hourglass_top:")
        for chart in outcome_charts:
            show(chart)
        st.caption(OPEN_NOTE)

# --------------------------------------------------------------------------- cases
st.subheader("Multi-agency cases")
cases = dataset.table("cases.csv")
if not sees_internal():
    st.info("Multi-agency cases are internal: they are not shown on the public site.", icon=":material/lock:")
elif cases is None:
    missing_note(dataset, "cases.csv")
else:
    report, case_charts = cache.case_charts(dataset, hubs, first, last)
    if report is None:
        st.info(f"No multi-agency cases opened in {period} in the chosen hubs.")
    else:
        overall = report.overall
        columns = st.columns(4)
        columns[0].metric("Cases opened", f"{int(overall['opened']):,}")
        columns[1].metric("Still open at the period's end", f"{int(overall['open']):,}")
        columns[2].metric("Closed", f"{int(overall['closed']):,}")
        columns[3].metric(
            "Median days to close",
            report.km_median,
            help="Kaplan-Meier: cases still open count as not closed yet, so slow cases are not left out.",
        )
        st.caption(report.caption(period, dataset.is_generated))
        tabs = st.tabs(["Open and closed", "Days to close", "Agencies involved", "Issue types"])
        for tab, chart in zip(tabs, case_charts, strict=True):
            with tab:
                show(chart)
                if chart.key == "perf_days":
                    csv_download(report.days, "Download every case's days (CSV)", "case_days.csv", key="dl_perf_days")
attribution()
