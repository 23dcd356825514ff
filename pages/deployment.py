"""Deployment vs ASB: visible patrol hours against antisocial behaviour, per hub and for the county."""

from __future__ import annotations

import streamlit as st

from analysis.figures.chart import Chart
from analysis.measures.deployment.lag import LAG_NOTE
from analysis.measures.deployment.operations import OPERATION_NOTE, operation_choices
from analysis.measures.deployment.series import COUNTY
from analysis.measures.deployment.timeline import NO_PATROL_NOTE, WEEKLY_NOTE
from ui import cache
from ui.charts import chart_with_table
from ui.common import asb_and_crime_note, attribution, csv_download, missing_note, page_start


def show(chart: Chart) -> None:
    """Draw one chart with its summary and table view."""
    chart_with_table(chart.figure, chart.table, chart.summary, key=chart.key, file_name=chart.file_name)


def keep_choice(key: str, options: list[str], default: str) -> None:
    """Reset a widget's stored value when the filters removed it from the options."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


start = page_start(
    "Deployment vs ASB",
    "How many visible patrol hours each hub received, and whether antisocial behaviour moved with them.",
    crime_types=False,
    need_hubs="Choose at least one hub in the sidebar: records not placed in a hub have no patrol hours.",
)
dataset, filters, hubs, key = start.dataset, start.filters, list(start.hubs), start.dataset.fingerprint
first, last = str(filters.start), str(filters.end)

st.caption(
    f"**{filters.period_label}**. This page is about ASB alone, so the crime-type filter does not apply. "
    f"{asb_and_crime_note()}"
)
area_options = [COUNTY, *hubs]
keep_choice("dep_area", area_options, COUNTY)
left, right = st.columns([2, 1])
area = left.selectbox(
    "Area", area_options, key="dep_area", help="The county line adds up the hubs chosen in the sidebar."
)
step = right.radio("Time step", ["Month", "Week"], key="dep_step", horizontal=True)
view = cache.deployment_area(dataset, tuple(hubs), area, first, last)
if view.warning:
    st.warning(view.warning)

# --------------------------------------------------------------------------- timeline
st.subheader("Patrol hours and ASB over time")
if not view.has_patrol:
    missing_note(dataset, "resourcing.csv")
    st.markdown(NO_PATROL_NOTE)
if step == "Week":
    st.caption(WEEKLY_NOTE)
show(cache.deployment_timeline(dataset, tuple(hubs), area, first, last, step == "Week"))
if view.operations_note:
    st.caption(view.operations_note)

# --------------------------------------------------------------------------- lagged relationship
if view.has_patrol:
    st.subheader("Do patrol hours and ASB move together?")

    @st.fragment
    def lag_panel() -> None:
        """Lagged correlation, with its own rerun when the lag choice changes."""
        both_ways = st.checkbox(
            "Also show ASB leading patrol hours (negative lags)",
            key="dep_negative_lags",
            help="A peak at a negative lag suggests patrols are sent after ASB rises, not the other way round.",
        )
        lags = cache.deployment_lags(dataset, tuple(hubs), area, first, last, both_ways)
        show(lags.chart)
        if lags.strongest:
            st.markdown(lags.strongest)
        else:
            st.info("Too few months in the chosen period for a correlation: choose a longer period.")
        st.caption(LAG_NOTE)

    lag_panel()

# --------------------------------------------------------------------------- operations


@st.fragment
def operation_panel() -> None:
    """One operation (e.g. a Week of Action) against the weeks and months around it."""
    labels, default = operation_choices(view.operations)
    keep_choice("dep_operation", labels, default)
    left, right = st.columns([2, 1])
    label = left.selectbox("Operation", labels, key="dep_operation")
    n_weeks = right.slider("Weeks before and after", 2, 8, 4, key="dep_weeks")
    op = cache.deployment_operation(dataset, tuple(hubs), area, first, last, label, n_weeks)
    st.caption(op.caption)
    charts = st.columns(2)
    with charts[0]:
        if op.patrol is None:
            st.info(op.patrol_note)
        else:
            show(op.patrol)
            st.metric(
                "Patrol hours a week during the operation", op.patrol_mean, help="Mean over the operation's weeks."
            )
            st.markdown(op.patrol_words)
    with charts[1]:
        if op.asb is None:
            st.info("No ASB months around this operation in the data.")
        else:
            show(op.asb)
            st.markdown(op.asb_words)
    st.caption(OPERATION_NOTE)


st.subheader("Operations and Weeks of Action")
if not view.has_operations:
    if dataset.table("operations.csv") is None:
        missing_note(dataset, "operations.csv")
    else:
        st.info(f"No operations for {view.name} in {filters.period_label}.")
else:
    operation_panel()

# --------------------------------------------------------------------------- evaluation
st.subheader("What the evaluation says about patrol hours")
if not view.has_patrol:
    st.info("The evaluation's patrol-hours estimate needs resourcing.csv (see above).")
else:
    dose = cache.dose_response_for(key, dataset, tuple(hubs), first, last)
    if dose.error:
        st.info(f"No estimate: {dose.error}")
    else:
        st.metric(
            "ASB in months with 10% more visible patrol hours (95% interval)",
            dose.headline,
            help="A pooled estimate over the chosen hubs and months: an association, not an effect.",
        )
        for text in (dose.source, dose.method, dose.assumptions):
            st.markdown(text)
        st.warning(dose.caveat, icon=":material/warning:")
        csv_download(dose.table, "Download this estimate", "patrol_dose_response.csv", key="dl_dep_dose")
st.page_link(
    "pages/precept.py", label="The hub launches' effect on ASB: Precept outcomes", icon=":material/query_stats:"
)
attribution()
