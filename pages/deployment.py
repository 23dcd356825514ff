"""Deployment vs ASB: visible patrol hours against antisocial behaviour, per hub and for the county."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from analysis.figures.shared import shade_gaps
from analysis.load.coverage import month_ranges
from analysis.measures.deployment import (
    COUNTY,
    MAX_NAMED_OPERATIONS,
    area_total,
    asb_around,
    asb_around_figure,
    asb_around_summary,
    asb_around_view,
    lag_figure,
    lag_summary,
    lag_view,
    lagged_correlation,
    monthly_patrol_asb,
    operations_in_view,
    timeline_figure,
    timeline_summary,
    timeline_view,
    week_of_action,
    week_of_action_figure,
    week_of_action_summary,
    week_of_action_view,
)
from analysis.schema import UNASSIGNED
from analysis.stats.compare import change_words
from ui import cache
from ui.charts import chart_with_table
from ui.common import (
    asb_and_crime_note,
    attribution,
    csv_download,
    get_dataset,
    missing_note,
    page_header,
    sidebar_filters,
)

PATROL_COLUMNS = ["core_hours", "precept_hours", "patrol_hours"]


def keep_choice(key: str, options: list[str], default: str) -> None:
    """Reset a widget's stored value when the filters removed it from the options."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


def month_name(month: pd.Period) -> str:
    """A month in words, e.g. 'Jul 2019'."""
    return month.strftime("%b %Y")


dataset = get_dataset()
page_header(
    "Deployment vs ASB",
    dataset,
    "How many visible patrol hours each hub received, and whether antisocial behaviour moved with them.",
)
filters = sidebar_filters(dataset, crime_types=False)
if dataset.incidents.empty:
    st.warning("No incident records are loaded. Open the Data page to see why and to add police.uk files.")
    st.stop()

key = dataset.fingerprint
hubs = [h for h in filters.hubs if h != UNASSIGNED]
if not hubs:
    st.info("Choose at least one hub in the sidebar: records not placed in a hub have no patrol hours.")
    st.stop()

asb_all = cache.asb_by_hub_month(key, dataset)
asb = asb_all.loc[asb_all["month"].between(filters.start, filters.end)]
weekly_all = cache.patrol_by_hub_week(key, dataset)
weekly = None if weekly_all is None else weekly_all.loc[weekly_all["month"].between(filters.start, filters.end)]
operations_table = dataset.table("operations.csv")

st.caption(
    f"**{filters.period_label}**. This page is about ASB alone, so the crime-type filter does not apply. "
    f"{asb_and_crime_note()}"
)
area_options = [COUNTY, *hubs]
keep_choice("dep_area", area_options, COUNTY)
left, right = st.columns([2, 1])
area = left.selectbox(
    "Area",
    area_options,
    key="dep_area",
    help="The county line adds up the hubs chosen in the sidebar.",
)
step = right.radio("Time step", ["Month", "Week"], key="dep_step", horizontal=True)
area_hubs = hubs if area == COUNTY else [area]
area_name = f"the county ({len(hubs)} hub{'s' if len(hubs) != 1 else ''})" if area == COUNTY else area

if weekly is not None:
    missing_hubs = [h for h in area_hubs if h not in set(weekly["hub"])]
    if missing_hubs:
        st.warning(
            f"resourcing.csv has no patrol hours for {', '.join(missing_hubs)} in this period: "
            "they are left out of the patrol and ASB lines below so both cover the same hubs."
        )
        area_hubs = [h for h in area_hubs if h not in missing_hubs] or area_hubs
        if area == COUNTY:
            area_name = f"the county ({len(area_hubs)} hub{'s' if len(area_hubs) != 1 else ''} with patrol data)"
    if weekly.loc[weekly["hub"].isin(area_hubs)].empty:
        weekly = None

asb_area = area_total(asb, area_hubs, "month", ["asb"]).set_index("month")["asb"]
operations = (
    operations_in_view(operations_table, area_hubs, filters.start, filters.end)
    if operations_table is not None
    else None
)
launched = None
if area != COUNTY:
    launch_dates = dataset.hubs.loc[dataset.hubs["hub"] == area, "launched"]
    launched = launch_dates.iloc[0] if len(launch_dates) and pd.notna(launch_dates.iloc[0]) else None

# --------------------------------------------------------------------------- timeline
st.subheader("Patrol hours and ASB over time")
if weekly is None:
    missing_note(dataset, "resourcing.csv")
    st.markdown(
        "Without patrol hours this page can show ASB alone: the trend below. The lagged relationship, "
        "the operation view and the evaluation's patrol estimate need resourcing.csv."
    )
    patrol_area = None
else:
    weekly_area = area_total(weekly, area_hubs, "week", PATROL_COLUMNS)
    monthly = monthly_patrol_asb(weekly, asb)
    monthly_area = area_total(monthly, area_hubs, "month", [*PATROL_COLUMNS, "asb"])
    patrol_area = weekly_area if step == "Week" else monthly_area
if step == "Week":
    st.caption(
        "Weekly view: police.uk gives ASB by month only (no day), so weekly ASB cannot be had from police.uk. "
        "Patrol hours are weekly; ASB is drawn as a flat step across each month. "
        "A week counts in the month of its Monday."
    )
figure = timeline_figure(
    patrol_area,
    asb_area,
    weekly=step == "Week",
    operations=operations,
    launched=launched,
    title=(
        f"ASB by month, {area_name}"
        if weekly is None
        else f"Visible patrol hours and ASB by {step.lower()}, {area_name}"
    ),
)
asb_gaps = dataset.coverage.missing_any(filters.start, filters.end, area_hubs, streams=("asb",))
shade_gaps(figure, asb_gaps)
timeline_words = timeline_summary(
    patrol_area, asb_area, weekly=step == "Week", area=area_name, operations=operations, launched=launched
)
if asb_gaps:
    timeline_words += f" ASB not supplied for {month_ranges(asb_gaps)}: gaps, not zeros."
chart_with_table(
    figure,
    timeline_view(patrol_area, asb_area, weekly=step == "Week"),
    timeline_words,
    key="dep_timeline",
    file_name="patrol_and_asb.csv",
)
if operations is not None and len(operations) > MAX_NAMED_OPERATIONS:
    numbered = "; ".join(f"**{i}** {label}" for i, label in enumerate(operations["label"], start=1))
    st.caption(f"Grey bands are operations, numbered at the top: {numbered}.")
elif operations is not None and len(operations):
    st.caption("Grey bands are operations, named at the top: " + "; ".join(operations["label"]) + ".")

# --------------------------------------------------------------------------- lagged relationship
if weekly is not None:
    st.subheader("Do patrol hours and ASB move together?")

    @st.fragment
    def lag_panel(patrol: pd.Series, asb_series: pd.Series, label: str) -> None:
        """Lagged correlation, with its own rerun when the lag choice changes."""
        both_ways = st.checkbox(
            "Also show ASB leading patrol hours (negative lags)",
            key="dep_negative_lags",
            help="A peak at a negative lag suggests patrols are sent after ASB rises, not the other way round.",
        )
        lags = range(-8, 9) if both_ways else range(0, 9)
        correlations = lagged_correlation(patrol, asb_series, lags)
        chart_with_table(
            lag_figure(correlations, title=f"Patrol hours against ASB some months later, {label}"),
            lag_view(correlations),
            lag_summary(correlations, label),
            key="dep_lag",
            file_name="lagged_correlation.csv",
        )
        if correlations["r"].notna().any():
            best = correlations.loc[correlations["r"].abs().idxmax()]
            covers = best["ci_low"] <= 0 <= best["ci_high"] if math.isfinite(best["ci_low"]) else True
            st.markdown(
                f"The strongest correlation is at a lag of **{int(best['lag'])} months**: r = {best['r']:.2f} "
                + (
                    f"(95% interval {best['ci_low']:.2f} to {best['ci_high']:.2f}, {int(best['pairs'])} pairs). "
                    if math.isfinite(best["ci_low"])
                    else f"({int(best['pairs'])} pairs; too few for an interval). "
                )
                + (
                    "Its interval includes zero: no clear relationship."
                    if covers
                    else "Its interval excludes zero, but with this many lags one can do so by chance."
                )
            )
        else:
            st.info("Too few months in the chosen period for a correlation: choose a longer period.")
        st.caption(
            "How: monthly patrol hours and monthly ASB (police.uk has no weekly ASB, so lags are in months) each "
            "have a linear trend and, with 24 months or more, month-of-year means removed, so shared trends and "
            "seasons do not count. The 95% interval is Fisher's z with the number of months reduced for the "
            "autocorrelation left in both series and for the terms removed. **A correlation is not an effect**: "
            "patrols are sent where and when ASB is high, which by itself makes the two move together."
        )

    monthly_series = monthly_area.set_index("month")
    lag_panel(monthly_series["patrol_hours"], monthly_series["asb"], area_name)

# --------------------------------------------------------------------------- operations


@st.fragment
def operation_panel(
    operations: pd.DataFrame, weekly_all: pd.DataFrame | None, asb_all: pd.DataFrame, hubs: list[str], area: str
) -> None:
    """One operation (e.g. a Week of Action) against the weeks and months around it."""
    labels = list(operations["label"])
    default = next((label for label in reversed(labels) if "week of action" in label.lower()), labels[-1])
    keep_choice("dep_operation", labels, default)
    left, right = st.columns([2, 1])
    label = left.selectbox("Operation", labels, key="dep_operation")
    n_weeks = right.slider("Weeks before and after", 2, 8, 4, key="dep_weeks")
    op = operations.loc[operations["label"] == label].iloc[0]
    op_hubs = hubs if str(op["hub"]).casefold() == "all" else [str(op["hub"])]
    where = area if str(op["hub"]).casefold() == "all" else str(op["hub"])
    st.caption(
        f"{op['name']}: {op['start']:%d %b %Y} to {op['end']:%d %b %Y}, focus {op['focus']}, "
        f"compared on the figures of {where}."
    )
    charts = st.columns(2)
    with charts[0]:
        if weekly_all is None:
            st.info("Patrol hours need resourcing.csv.")
        else:
            weekly_op = area_total(weekly_all.loc[weekly_all["hub"].isin(op_hubs)], op_hubs, "week", PATROL_COLUMNS)
            try:
                result = week_of_action(weekly_op, op["start"], op["end"], n_weeks)
            except ValueError as e:
                st.info(str(e))
            else:
                chart_with_table(
                    week_of_action_figure(result, title="Patrol hours a week"),
                    week_of_action_view(result),
                    week_of_action_summary(result, str(op["name"])),
                    key="dep_woa_patrol",
                    file_name="operation_weeks.csv",
                )
                delta = (
                    f"{result.difference:+,.0f} hours a week against the {n_weeks} weeks before "
                    f"(95% interval {result.difference_low:+,.0f} to {result.difference_high:+,.0f})"
                    if math.isfinite(result.difference_low)
                    else "too few weeks before for an interval"
                )
                st.metric(
                    "Patrol hours a week during the operation",
                    f"{result.operation_mean:,.0f}",
                    help="Mean over the operation's weeks.",
                )
                st.markdown(
                    f"That is **{result.position}** the usual range: {delta}. "
                    + (
                        f"The {n_weeks} weeks after averaged {result.after_mean:,.0f} hours "
                        f"({result.after_difference:+,.0f} against before, Welch 95% interval "
                        f"{result.after_low:+,.0f} to {result.after_high:+,.0f})."
                        if math.isfinite(result.after_low)
                        else ""
                    )
                )
    with charts[1]:
        asb_op = area_total(asb_all, op_hubs, "month", ["asb"]).set_index("month")["asb"]
        month = op["start"].to_period("M")
        table, (ratio, low, high) = asb_around(asb_op, month, 3)
        if table.empty:
            st.info("No ASB months around this operation in the data.")
        else:
            chart_with_table(
                asb_around_figure(table, title="ASB a month"),
                asb_around_view(table),
                asb_around_summary(table, str(op["name"])),
                key="dep_woa_asb",
                file_name="operation_asb.csv",
            )
            st.markdown(
                f"ASB in {month_name(month)} against the mean of the months before: "
                f"**{change_words(ratio, low, high)}**."
            )
    st.caption(
        "ASB is monthly, so an operation of one week is one week inside a month's count, and the month's ASB "
        "is not its effect. The comparison does not allow for the season (summer ASB is higher anyway), nor for "
        "anything else that changed that month. Patrol hours: the usual range is a 95% prediction interval "
        "for the operation's weeks from the weeks before it."
    )


st.subheader("Operations and Weeks of Action")
if operations is None or operations.empty:
    if operations_table is None:
        missing_note(dataset, "operations.csv")
    else:
        st.info(f"No operations for {area_name} in {filters.period_label}.")
else:
    operation_panel(operations, weekly_all, asb_all, area_hubs, area_name)

# --------------------------------------------------------------------------- evaluation
st.subheader("What the evaluation says about patrol hours")
if weekly is None:
    st.info("The evaluation's patrol-hours estimate needs resourcing.csv (see above).")
else:
    dose = cache.dose_response_for(key, dataset, tuple(hubs), str(filters.start), str(filters.end))
    if "error" in dose:
        st.info(f"No estimate: {dose['error']}")
    else:
        st.metric(
            "ASB in months with 10% more visible patrol hours (95% interval)",
            f"{dose['effect_per_10pct_pct']:+.1f}% ({dose['ci_low_pct']:+.1f}% to {dose['ci_high_pct']:+.1f}%)",
            help="A pooled estimate over the chosen hubs and months: an association, not an effect.",
        )
        st.markdown(
            f"From {dose['months']} hub-months, {dose['first_month']} to {dose['last_month']}; "
            f"hubs: {', '.join(dose['hubs'])}."
        )
        st.markdown(f"**Method:** {dose['method']}.")
        st.markdown("**It assumes:** " + " ".join(dose["assumptions"]))
        st.warning(dose["caveat"], icon=":material/warning:")
        csv_download(
            pd.DataFrame([{k: v for k, v in dose.items() if not isinstance(v, list)}]),
            "Download this estimate",
            "patrol_dose_response.csv",
            key="dl_dep_dose",
        )
st.page_link(
    "pages/precept.py", label="The hub launches' effect on ASB: Precept outcomes", icon=":material/query_stats:"
)
attribution()
