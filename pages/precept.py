"""Precept outcomes: whether the precept money delivered what was promised.

Pledges against published headcount, precept-funded patrols by hub, and ASB before and
after the hubs launched, with the method, its assumptions and its uncertainty.
"""

import pandas as pd
import streamlit as st

from analysis.figures.shared import trend_figure
from analysis.load.dataset import Dataset
from analysis.measures.metrics import monthly_counts, monthly_patrol
from analysis.measures.pledges import (
    assess_pledges,
    before_after_figure,
    before_after_summary,
    latest_assessment,
    mark_dates,
    pledge_figure,
    pledge_summary,
    pledge_table,
)
from analysis.schema import ASB, UNASSIGNED
from analysis.stats.evaluate import plain_english
from analysis.text.a11y import chart_summary, table_view
from ui import cache
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


def _pct(value: float) -> str:
    if abs(value) < 0.5:
        return "no change"
    return f"{abs(value):.0f}% {'lower' if value < 0 else 'higher'}"


def _month(text: str) -> str:
    return pd.Period(text, "M").strftime("%b %Y")


def _first_launch(dataset: Dataset) -> pd.Timestamp | None:
    launched = dataset.hubs["launched"].dropna()
    return launched.min() if len(launched) else None


dataset = get_dataset()
page_header(
    "Precept outcomes",
    dataset,
    "Did the precept money deliver what was promised? The pledges against published headcount, "
    "precept-funded patrols by hub, and ASB before and after the hubs launched.",
)
filters = sidebar_filters(dataset, crime_types=False)
first_launch = _first_launch(dataset)

# ----------------------------------------------------------------------------- pledges
st.subheader("Pledges against published headcount", divider="gray")
workforce, pledges = dataset.table("workforce.csv"), dataset.table("pledges.csv")
missing_tables = [missing_note(dataset, kind) for kind in ("workforce.csv", "pledges.csv")]
if not any(missing_tables):
    try:
        assessment = assess_pledges(pledges, workforce)
    except ValueError as e:
        st.error(f"The pledges could not be assessed. {e}")
        assessment = None
    if assessment is not None and not assessment.empty:
        latest = latest_assessment(assessment)
        columns = st.columns(min(len(latest), 3))
        for i, row in latest.iterrows():
            with columns[i % len(columns)].container(border=True):
                st.markdown(f"**{row['pledge']}**")
                if pd.isna(row["met"]):
                    st.badge("Cannot be assessed yet", icon=":material/help:", color="gray")
                elif row["met"]:
                    st.badge(f"Met at {row['as_at_date']:%d %b %Y}", icon=":material/check_circle:", color="green")
                else:
                    st.badge(f"Not met at {row['as_at_date']:%d %b %Y}", icon=":material/cancel:", color="red")
                st.markdown(row["status"])
                assessed = assessment[(assessment["pledge"] == row["pledge"]) & assessment["met"].notna()]
                if len(assessed) > 1:
                    met_n, since = int(assessed["met"].sum()), f"{row['from_date'].day} {row['from_date']:%b %Y}"
                    if met_n == len(assessed):
                        st.markdown(f"Met at every one of the {len(assessed)} published dates since {since}.")
                    elif met_n == 0:
                        st.markdown(f"Not met at any of the {len(assessed)} published dates since {since}.")
                    else:
                        st.markdown(f"Met at {met_n} of the {len(assessed)} published dates since {since}.")
                if row["baseline_note"]:
                    st.caption(row["baseline_note"])
        st.caption(
            "Figures are full-time equivalent (FTE) from the Home Office workforce tables, published for 31 March "
            "and 30 September at best, and count the whole force: they cannot show how many officers work in "
            "neighbourhood teams. A pledge is assessed at each published date from its start."
        )
        launch_label = "First hub launch"
        figure = pledge_figure(workforce, assessment, launch=first_launch, launch_label=launch_label)
        chart_with_table(
            figure,
            table_view(
                pledge_table(workforce, assessment),
                {
                    "worker": "Worker type",
                    "as_at_date": "As at",
                    "fte": "Published FTE",
                    "result": "Result",
                    "required_fte": "Pledged: at least",
                    "gap_fte": "Gap",
                    "pledge": "Pledge",
                }
                | ({"source": "Source"} if "source" in workforce.columns else {}),
                missing=None,  # a blank here means no pledge applies at that date, not a gap in the data
            ),
            pledge_summary(workforce, assessment),
            key="precept_pledge",
            file_name="pledges_and_headcount.csv",
        )
        st.caption(
            "The vertical axes do not start at zero, so that a gap of a few FTE shows. The table view lists every "
            "published figure, with each pledge assessed at the dates since it started."
        )

# ----------------------------------------------------------------------------- precept-funded deployment
st.subheader("Precept-funded officers and patrol hours by hub", divider="gray")
if not missing_note(dataset, "resourcing.csv"):
    patrol = monthly_patrol(dataset.table("resourcing.csv"))
    patrol = patrol[patrol["hub"].isin(filters.hubs) & patrol["month"].between(filters.start, filters.end)]
    if dataset.is_generated:
        st.caption("Deployment figures are not public: these are generated for the sample, not real.")
    if patrol.empty:
        st.info(
            f"resourcing.csv has no weeks for the chosen hubs in {filters.period_label}: widen the period or "
            "choose other hubs in the sidebar."
        )
    else:
        by_hub = (
            patrol.groupby("hub", sort=False)
            .agg(
                precept_fte=("precept_fte", "mean"),
                fte=("fte", "mean"),
                precept_patrol_hours=("precept_patrol_hours", "sum"),
                patrol_hours=("patrol_hours", "sum"),
            )
            .reset_index()
        )
        by_hub = by_hub.assign(
            precept_share_of_patrol_pct=(by_hub["precept_patrol_hours"] / by_hub["patrol_hours"] * 100).round(1)
        )
        st.caption(
            f"{filters.period_label}. FTE is the average over the weeks in the period; patrol hours are the total of "
            "visible patrol hours recorded."
        )
        st.dataframe(
            by_hub,
            hide_index=True,
            key="precept_by_hub",
            column_config={
                "hub": "Hub",
                "precept_fte": st.column_config.NumberColumn("Precept FTE (avg)", format="%.1f"),
                "fte": st.column_config.NumberColumn("All FTE (avg)", format="%.1f"),
                "precept_patrol_hours": st.column_config.NumberColumn("Precept patrol hours", format="%,.0f"),
                "patrol_hours": st.column_config.NumberColumn("All patrol hours", format="%,.0f"),
                "precept_share_of_patrol_pct": st.column_config.NumberColumn("Precept share", format="%.1f%%"),
            },
        )
        csv_download(by_hub, "Download this table", "precept_by_hub.csv", key="dl_precept_by_hub")
        figure = trend_figure(
            patrol,
            x="month",
            y="precept_patrol_hours",
            series="hub",
            y_title="Precept-funded visible patrol hours a month",
            title=f"Precept-funded patrol hours by hub, {filters.period_label}",
        )
        if first_launch is not None:
            mark_dates(figure, [(first_launch, f"First hub launch ({first_launch:%b %Y})")])
        chart_with_table(
            figure,
            table_view(
                patrol.round({"precept_patrol_hours": 1, "patrol_hours": 1, "precept_fte": 2, "fte": 2}),
                {
                    "hub": "Hub",
                    "month": "Month",
                    "precept_patrol_hours": "Precept patrol hours",
                    "patrol_hours": "All patrol hours",
                    "precept_fte": "Precept FTE",
                    "fte": "All FTE",
                },
            ),
            chart_summary(
                patrol,
                x="month",
                y="precept_patrol_hours",
                what="Precept-funded visible patrol hours a month",
                series="hub",
            ),
            key="precept_patrol",
            file_name="precept_patrol_by_hub_month.csv",
        )

# ----------------------------------------------------------------------------- ASB before and after
st.subheader("ASB before and after the hubs launched", divider="gray")
st.caption(
    "The estimate uses every month and every hub in the data, whatever the sidebar says: the model needs each "
    f"hub's whole series. {asb_and_crime_note()}"
)
if dataset.incidents.empty:
    st.warning("No incident records are loaded. Open the Data page to see why and to add police.uk files.")
else:
    try:
        evaluation, not_enough = cache.evaluation(dataset.fingerprint, dataset)
    except ValueError as e:
        evaluation, not_enough = None, None
        st.error(f"The before-and-after estimate could not be made. {e}")
    if not_enough:
        st.info(not_enough, icon=":material/hourglass_empty:")
        st.markdown(
            "To get an estimate, add earlier police.uk months (data.police.uk keeps three years online; older "
            "months are in its archive) on the Data page, and give each hub its launch date in hubs.csv. Until "
            "then the chart below shows recorded ASB only: it is not a measure of the hubs' effect."
        )
    if evaluation is not None:
        overall = evaluation.overall
        sentences = plain_english(evaluation)
        with st.container(border=True):
            st.markdown(f"**{sentences[0]}**")
            tiles = st.columns(3)
            tiles[0].markdown(f"Best estimate of the change in ASB\n#### {_pct(overall.effect_pct)}")
            tiles[1].markdown(
                f"95% confidence interval\n#### {_pct(overall.ci_low_pct)} to {_pct(overall.ci_high_pct)}"
            )
            tiles[2].markdown(f"Months used\n#### {_month(overall.first_month)} to {_month(overall.last_month)}")
            st.caption(
                "The 95% confidence interval is the range the true change probably lies in, given how much monthly "
                f"counts swing by chance. Each launch contributes {overall.months_before} months before it and "
                f"{overall.months_after} from the launch month onward."
            )
            st.markdown(f"**Method.** {overall.method}.")
            st.markdown("**What this assumes**")
            st.markdown("\n".join(f"- {a}" for a in overall.assumptions))
            # plain_english's order: headline, method, assumptions, alternatives, placebo summary, hubs, patrol.
            checked = any(p.flagged is not None for p in evaluation.placebo)
            for line in sentences[3 : 3 + len(evaluation.alternatives) + int(checked)]:
                st.markdown(line)
            st.caption(sentences[-1])

        with_series = [h for h in evaluation.hubs if h.series is not None and h.hub in filters.hubs]
        if with_series:
            names = [h.hub for h in with_series]
            chosen = st.selectbox("Hub", names, key="precept_eval_hub")
            hub = with_series[names.index(chosen)]
            launched = pd.Timestamp(hub.launched) if hub.launched else None
            summary = (
                f"{hub.hub}: {_pct(hub.effect_pct)} after launch (95% confidence interval {_pct(hub.ci_low_pct)} "
                f"to {_pct(hub.ci_high_pct)}), {hub.months_before} months before and {hub.months_after} after. "
                f"{before_after_summary(hub.series)} {hub.method}. One hub alone is noisier than the estimate "
                "across hubs above."
            )
            chart_with_table(
                before_after_figure(hub.series, hub=hub.hub, launched=launched),
                table_view(
                    hub.series.assign(
                        **{c: hub.series[c].round(1) for c in ("counterfactual", "cf_low", "cf_high")},
                        after_launch=hub.series["after_launch"].map({True: "after", False: "before"}),
                    ),
                    {
                        "month": "Month",
                        "after_launch": "Launch",
                        "observed": "Recorded ASB",
                        "counterfactual": "Expected without the launch",
                        "cf_low": "95% range: low",
                        "cf_high": "95% range: high",
                    },
                ),
                summary,
                key="precept_before_after",
                file_name=f"asb_before_after_{hub.hub.lower().replace(' ', '_')}.csv",
            )
        hubs_table = pd.DataFrame([h.to_dict() for h in evaluation.hubs])
        st.markdown("**Each hub on its own** (interrupted time series: each hub against its own trend and season)")
        st.dataframe(
            hubs_table.assign(
                change=[_pct(v) if pd.notna(v) else "no estimate" for v in hubs_table["effect_pct"]],
                interval=[
                    f"{_pct(lo)} to {_pct(hi)}" if pd.notna(lo) else ""
                    for lo, hi in zip(hubs_table["ci_low_pct"], hubs_table["ci_high_pct"], strict=True)
                ],
            )[
                ["hub", "launched", "change", "interval", "months_before", "months_after"]
                + (["reason"] if hubs_table["reason"].notna().any() else [])
            ],
            hide_index=True,
            key="precept_eval_hubs",
            column_config={
                "interval": "95% confidence interval",
                "months_before": st.column_config.NumberColumn("months before", format="%d"),
                "months_after": st.column_config.NumberColumn("months after", format="%d"),
                "reason": "why no estimate",
            },
        )
        csv_download(hubs_table, "Download the hub estimates", "asb_change_by_hub.csv", key="dl_eval_hubs")
        placebo_table = pd.DataFrame([p.to_dict() for p in evaluation.placebo])
        st.markdown("**Placebo checks**: each should show no change; a warning means something else may be at work")
        st.dataframe(
            placebo_table.assign(
                change=[_pct(v) if pd.notna(v) else "no estimate" for v in placebo_table["effect_pct"]],
                interval=[
                    f"{_pct(lo)} to {_pct(hi)}" if pd.notna(lo) else ""
                    for lo, hi in zip(placebo_table["ci_low_pct"], placebo_table["ci_high_pct"], strict=True)
                ],
                result=placebo_table["flagged"]
                .map({True: "warning", False: "no change, as expected"})
                .fillna("not checked"),
            )[["name", "change", "interval", "result"] + (["reason"] if placebo_table["reason"].notna().any() else [])],
            hide_index=True,
            key="precept_eval_placebo",
            column_config={
                "name": st.column_config.TextColumn("check", width="medium"),
                "interval": "95% confidence interval",
                "reason": "why not checked",
            },
        )
        csv_download(placebo_table, "Download the placebo checks", "asb_placebo_checks.csv", key="dl_eval_placebo")
        st.download_button(
            "Download the whole evaluation (JSON)",
            data=lambda: evaluation.to_json(indent=2).encode("utf-8"),
            file_name="asb_evaluation.json",
            mime="application/json",
            key="dl_eval_json",
            on_click="ignore",
            icon=":material/download:",
        )
        st.caption(
            "The same evaluation runs without the browser: `python -m analysis evaluate DATA_DIR --json`. "
            "The Deployment vs ASB page shows patrol hours against ASB month by month."
        )
    elif not_enough:
        rows = apply_filters(dataset.incidents, filters, crime_types=False)
        asb = rows[rows["is_asb"] & (rows["hub"] != UNASSIGNED)]
        hubs = [h for h in filters.hubs if h != UNASSIGNED]
        counts = monthly_counts(asb, hubs=hubs, months=filters.months, coverage=dataset.coverage)
        counts = counts[counts["crime_type"] == ASB][["hub", "month", "count"]]
        figure = trend_figure(
            counts,
            x="month",
            y="count",
            series="hub",
            y_title="ASB incidents a month",
            title=f"Recorded ASB by hub, {filters.period_label} (counts only, not an estimate)",
        )
        if first_launch is not None:
            mark_dates(figure, [(first_launch, f"First hub launch ({first_launch:%b %Y})")])
        chart_with_table(
            figure,
            table_view(counts, {"hub": "Hub", "month": "Month", "count": "ASB incidents"}),
            chart_summary(counts, x="month", y="count", what="Recorded ASB incidents a month", series="hub"),
            key="precept_asb_counts",
            file_name="asb_by_hub_month.csv",
        )
attribution()
