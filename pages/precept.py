"""Precept outcomes: pledges against headcount, precept-funded patrols, and ASB before and after launch.

Every figure, table and sentence comes from :mod:`analysis.measures.precept`; this page lays them out.
"""

import streamlit as st

from analysis.measures import precept
from ui import cache
from ui.charts import chart_with_table
from ui.common import NO_INCIDENTS, asb_and_crime_note, attribution, csv_download, missing_note, page_start

start = page_start("Precept outcomes", precept.INTRO, crime_types=False, need_incidents=False)
dataset, filters = start.dataset, start.filters


def show(chart: precept.Chart, key: str) -> None:
    """Draw a chart with its summary in words and its table view."""
    chart_with_table(chart.figure, chart.table, chart.summary, key=key, file_name=chart.file_name)


# ----------------------------------------------------------------------------- pledges
st.subheader("Pledges against published headcount", divider="gray")
if not any([missing_note(dataset, kind) for kind in ("workforce.csv", "pledges.csv")]):
    pledges = cache.pledges(dataset)
    if pledges.error:
        st.error(pledges.error)
    if pledges.chart is not None:
        columns = st.columns(min(len(pledges.cards), 3))
        for i, card in enumerate(pledges.cards):
            with columns[i % len(columns)].container(border=True):
                st.markdown(f"**{card.pledge}**")
                st.badge(card.badge, icon=card.icon, color=card.colour)
                st.markdown(card.status)
                if card.history:
                    st.markdown(card.history)
                if card.baseline_note:
                    st.caption(card.baseline_note)
        st.caption(precept.FTE_NOTE)
        show(pledges.chart, "precept_pledge")
        st.caption(precept.AXES_NOTE)

# ----------------------------------------------------------------------------- precept-funded deployment
st.subheader("Precept-funded officers and patrol hours by hub", divider="gray")
if not missing_note(dataset, "resourcing.csv"):
    patrol = cache.precept_patrol(dataset, filters)
    if dataset.is_generated:
        st.caption("Deployment figures are not public: these are generated for the sample, not real.")
    if patrol.chart is None:
        st.info(
            f"resourcing.csv has no weeks for the chosen hubs in {filters.period_label}: widen the period or "
            "choose other hubs in the sidebar."
        )
    else:
        st.caption(f"{filters.period_label}. {precept.PATROL_NOTE}")
        number = st.column_config.NumberColumn
        st.dataframe(
            patrol.by_hub,
            hide_index=True,
            key="precept_by_hub",
            column_config={
                "hub": "Hub",
                "precept_fte": number("Precept FTE (avg)", format="%.1f"),
                "fte": number("All FTE (avg)", format="%.1f"),
                "precept_patrol_hours": number("Precept patrol hours", format="%,.0f"),
                "patrol_hours": number("All patrol hours", format="%,.0f"),
                "precept_share_of_patrol_pct": number("Precept share", format="%.1f%%"),
            },
        )
        csv_download(patrol.by_hub, "Download this table", "precept_by_hub.csv", key="dl_precept_by_hub")
        show(patrol.chart, "precept_patrol")

# ----------------------------------------------------------------------------- ASB before and after
st.subheader("ASB before and after the hubs launched", divider="gray")
st.caption(f"{precept.WHOLE_DATA_NOTE} {asb_and_crime_note()}")
if dataset.records.empty:
    st.warning(NO_INCIDENTS)
    attribution()
    st.stop()
try:
    evaluation, not_enough = cache.evaluation(dataset.fingerprint, dataset)
except ValueError as e:
    evaluation, not_enough = None, None
    st.error(f"The before-and-after estimate could not be made. {e}")
if not_enough:
    st.info(not_enough, icon=":material/hourglass_empty:")
    st.markdown(precept.HOW_TO_ESTIMATE)
    show(cache.recorded_asb(dataset, filters), "precept_asb_counts")
if evaluation is not None:
    view = cache.precept_evaluation(dataset.fingerprint, evaluation, filters.hubs)
    with st.container(border=True):
        st.markdown(f"**{view.words.headline}**")
        tiles = st.columns(3)
        tiles[0].markdown(f"Best estimate of the change in ASB\n#### {view.change}")
        tiles[1].markdown(f"95% confidence interval\n#### {view.interval}")
        tiles[2].markdown(f"Months used\n#### {view.months}")
        st.caption(view.interval_note)
        st.markdown(view.method)
        st.markdown("**What this assumes**")
        st.markdown(view.assumptions)
        for line in view.checks:
            st.markdown(line)
        st.caption(view.words.patrol)
    st.markdown(precept.EVENT_STUDY_NOTE)
    if view.event_study is not None:
        show(view.event_study, "precept_event_study")
    else:
        st.info(f"No event study: {view.event_study_reason}")
    if view.hub_choices:
        chosen = st.selectbox("Hub", view.hub_choices, key="precept_eval_hub")
        show(cache.precept_hub_chart(dataset.fingerprint, evaluation, chosen), "precept_before_after")
    st.markdown("**Each hub on its own** (interrupted time series: each hub against its own trend and season)")
    st.dataframe(
        view.hubs_table,
        hide_index=True,
        key="precept_eval_hubs",
        column_config={
            "interval": "95% confidence interval",
            "months_before": st.column_config.NumberColumn("months before", format="%d"),
            "months_after": st.column_config.NumberColumn("months after", format="%d"),
            "reason": "why no estimate",
        },
    )
    csv_download(view.hubs_csv, "Download the hub estimates", "asb_change_by_hub.csv", key="dl_eval_hubs")
    st.markdown("**Placebo checks**: each should show no change; a warning means something else may be at work")
    st.dataframe(
        view.placebo_table,
        hide_index=True,
        key="precept_eval_placebo",
        column_config={
            "name": st.column_config.TextColumn("check", width="medium"),
            "interval": "95% confidence interval",
            "reason": "why not checked",
        },
    )
    csv_download(view.placebo_csv, "Download the placebo checks", "asb_placebo_checks.csv", key="dl_eval_placebo")
    st.download_button(
        "Download the whole evaluation (JSON)",
        data=lambda: evaluation.to_json(indent=2).encode("utf-8"),
        file_name="asb_evaluation.json",
        mime="application/json",
        key="dl_eval_json",
        on_click="ignore",
        icon=":material/download:",
    )
    st.caption(precept.CLI_NOTE)
attribution()
