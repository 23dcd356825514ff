"""One builder per screen of the briefing, each from a :class:`~analysis.outputs.briefing.period.Frame`.

A builder returns its :class:`~analysis.outputs.briefing.model.Screen`, or None when the
data it needs was not supplied (the method page then says what is left out).
"""

from __future__ import annotations

import pandas as pd

from analysis.load.coverage import NOT_SUPPLIED, month_ranges
from analysis.measures.metrics import hub_population, monthly_patrol
from analysis.outputs.briefing.charts import bar_chart, change_chart, dumbbell, trend_chart
from analysis.outputs.briefing.model import LOCATION_NOTE, Screen
from analysis.outputs.briefing.period import Frame, monthly_asb, monthly_by_hub, publish
from analysis.outputs.briefing.words import about, month_span
from analysis.outputs.disclosure import ROUNDING_BASE, SUPPRESSED_LABEL, THRESHOLD, TOTAL, disclose_by_group
from analysis.schema import UNASSIGNED
from analysis.stats.compare import compare_months
from analysis.text.a11y import chart_summary, format_x
from analysis.text.names import join_names

__all__ = ["TOP_AREAS", "build_screens"]

#: Neighbourhoods on the "where" screen.
TOP_AREAS = 5


def _publish_months(frame: Frame, window: pd.PeriodIndex) -> tuple[pd.Series, pd.Series]:
    """Monthly ASB over ``window`` as values (NaN where hidden) and labels.

    The period and the year before each publish their total (in the sentence), so each
    is disclosed with its total; the other months stand alone.
    """
    monthly = monthly_asb(frame, window)
    gap = monthly.isna()
    monthly = monthly.fillna(0).astype("int64")
    values, labels = monthly.astype("float64"), monthly.map("{:,}".format)
    if not frame.public:
        return values.mask(gap), labels.mask(gap, NOT_SUPPLIED)
    segments = [(frame.period, True)]
    if frame.before is not None:
        segments.append((frame.before, True))
    covered = frame.period.append(frame.before) if frame.before is not None else frame.period
    segments.append((window[~window.isin(covered)], False))
    for months, with_total in segments:
        part = monthly[monthly.index.isin(months) & ~gap.to_numpy()]
        if part.empty:
            continue
        published = publish(part, True, with_total=with_total)
        values[part.index] = published.shown.to_numpy()
        labels[part.index] = published.labels.to_numpy()
    return values.mask(gap), labels.mask(gap, NOT_SUPPLIED)


def _screen_trend(frame: Frame) -> Screen:
    months = frame.dataset.months
    window = months[max(0, len(months) - max(24, frame.n)) :]
    values, labels = _publish_months(frame, window)
    monthly = pd.DataFrame({"month": window, "asb": values.to_numpy()})
    this, before = frame.hubs_this, frame.hubs_before
    if before is not None:
        comparable = not (this.total_hidden or before.total_hidden)
        series = monthly_asb(frame, frame.period.append(frame.before))
        change = compare_months(series, frame.period, frame.before) if comparable else None
        words = change.in_words() if change else "too few to compare"
        sentence = (
            f"There were {this.total_label} ASB incidents {frame.in_words}, "
            f"against {before.total_label} in the same months a year before: {words}."
        )
    elif this.total_hidden:
        sentence = f"There were {this.total_label} ASB incidents {frame.in_words}."
    else:
        why = frame.before_reason or "the data does not reach back a year, so there is nothing yet to compare with"
        sentence = (
            f"There were {this.total_label} ASB incidents {frame.in_words}, about {this.total / frame.n:,.0f} a "
            f"month; {why}."
        )
    supplied_rows = monthly.loc[labels.to_numpy() != NOT_SUPPLIED]
    summary = chart_summary(supplied_rows, x="month", y="asb", what="ASB incidents per month across the area")
    table = pd.DataFrame({"Month": window.map(format_x), "ASB incidents": labels.to_numpy()})
    notes = [
        *frame.generated_note,
        "Anti-social behaviour (ASB) is counted apart from crime and never added into crime totals.",
    ]
    gaps = [m for m, label in zip(window, labels.to_numpy(), strict=True) if label == NOT_SUPPLIED]
    if gaps:
        notes.append(f"ASB was not supplied for {month_ranges(gaps)}: a gap in the line, not a zero.")
        summary += f" ASB not supplied for {month_ranges(gaps)} (gaps in the line)."
    if frame.period_note:
        notes.append(frame.period_note)
    if values.isna().sum() > len(gaps):
        notes.append("Months with fewer than 10 incidents are left out of the line.")
    return Screen(
        "asb-trend",
        f"Anti-social behaviour across {frame.area}",
        sentence,
        summary,
        trend_chart(monthly, frame.start, gaps),
        table,
        tuple(notes),
    )


def _screen_hub_counts(frame: Frame) -> Screen:
    """Without a year of history: ASB per hub this period."""
    published = frame.hubs_this
    order = published.largest_first(frame.hubs)
    labels, values = [published.labels[h] for h in order], published.values_of(order)
    sentence = (
        f"Not enough history yet to compare each hub with a year before: {frame.before_reason}."
        if frame.before_reason
        else "Not enough history yet to compare each hub with a year before."
    )
    table = pd.DataFrame({"Hub": order, f"ASB incidents {frame.in_words}": labels})
    summary = chart_summary(
        pd.DataFrame({"hub": order, "asb": values}), x="hub", y="asb", what=f"ASB incidents {frame.in_words}"
    )
    return Screen(
        "asb-by-hub",
        "ASB in each hub",
        sentence,
        summary,
        bar_chart(order, values, labels, x_title=f"ASB incidents {frame.in_words}"),
        table,
        (*frame.generated_note, "A fair comparison of hubs needs rates per resident: see the next screen."),
    )


def _screen_hub_change(frame: Frame) -> Screen:
    if frame.before is None:
        return _screen_hub_counts(frame)
    both = monthly_by_hub(frame.asb, frame.hubs, frame.period.append(frame.before))
    hidden = frame.hidden_hubs()
    rows = []
    for hub in frame.hubs:
        change = None if hub in hidden else compare_months(both[hub], frame.period, frame.before)
        if change is None or not change.available:
            continue
        rows.append(
            {
                "hub": hub,
                "before": int(change.earlier_total),
                "this": int(change.recent_total),
                "ratio": change.ratio,
                "low": change.ci_low,
                "high": change.ci_high,
                "verdict": change.verdict,
                "range": change.range_words(),
            }
        )
    changes = pd.DataFrame(rows, columns=["hub", "before", "this", "ratio", "low", "high", "verdict", "range"])
    left_out = [h for h in frame.hubs if h not in set(changes["hub"])]
    lower = changes.loc[changes["verdict"] == "lower", "hub"].tolist()
    higher = changes.loc[changes["verdict"] == "higher", "hub"].tolist()
    unclear = len(changes) - len(lower) - len(higher)
    parts = []
    if lower:
        parts.append(f"clearly lower in {join_names(lower)}")
    if higher:
        parts.append(f"clearly higher in {join_names(higher)}")
    if unclear:
        parts.append(
            f"within normal variation in {'the other ' if parts else ''}{unclear} hub{'s' if unclear > 1 else ''}"
        )
    if not parts:
        parts.append("too small in every hub to compare")
    sentence = f"Compared with the same months a year before, ASB {frame.in_words} was " + "; ".join(parts) + "."
    table = pd.DataFrame(
        {
            "Hub": changes["hub"],
            f"ASB, {month_span(frame.before[0], frame.before[-1])}": changes["before"].map("{:,}".format),
            f"ASB, {month_span(frame.start, frame.end)}": changes["this"].map("{:,}".format),
            "Change (95% interval)": changes["range"],
            "Verdict": changes["verdict"],
        }
    )
    summary = (
        "Estimated change in ASB from the same months a year before, by hub, with 95% intervals. "
        + "; ".join(f"{r.hub}: {r.verdict} ({r.range})" for r in changes.itertuples())
        + "."
    )
    notes = [
        *frame.generated_note,
        "A change is called clear only when its whole 95% interval is on one side of no change.",
    ]
    if left_out:
        notes.append(f"Left out, too few incidents to show: {join_names(left_out)}.")
    return Screen(
        "asb-change",
        "ASB in each hub against a year before",
        sentence,
        summary,
        change_chart(changes),
        table,
        tuple(notes),
    )


def _screen_rates(frame: Frame) -> Screen | None:
    population = frame.dataset.table("population.csv")
    if population is None:
        return None
    # The same for every period and mode ending that month: made once per dataset.
    people = frame.dataset.records.kept(
        ("briefing residents", frame.end),
        lambda: hub_population(frame.dataset.hubs, population, pd.PeriodIndex([frame.end])),
    )
    if people.empty:
        return None
    residents = people.set_index("hub")["population"]
    published = frame.hubs_this
    rates = pd.DataFrame({"hub": frame.hubs, "asb": published.exact.reindex(frame.hubs).to_numpy()})
    rates = rates.assign(residents=rates["hub"].map(residents)).dropna(subset=["residents"])
    # A rate and the residents give the count back: a hidden count hides its rate too.
    hidden = rates["hub"].map(published.hidden)
    rates = rates.assign(rate=(rates["asb"] / rates["residents"] * 1000).mask(hidden))
    rates = rates.sort_values("rate", ascending=False, na_position="last", ignore_index=True)
    if rates["rate"].notna().sum() == 0:
        return None
    digits = 1 if rates["rate"].max() < 100 else 0
    texts = [
        published.labels[h] if pd.isna(r) else f"{r:,.{digits}f}"
        for h, r in zip(rates["hub"], rates["rate"], strict=True)
    ]
    shown = rates.dropna(subset=["rate"])
    highest, lowest = shown.iloc[0], shown.iloc[-1]
    year = int(people["population_year"].max())
    sentence = (
        f"For every 1,000 residents there were {highest['rate']:,.{digits}f} ASB incidents in {highest['hub']} "
        f"and {lowest['rate']:,.{digits}f} in {lowest['hub']} {frame.in_words}: "
        f"the highest and lowest of the {len(shown)} hubs."
    )
    x_title = f"ASB incidents per 1,000 residents, {frame.span_words}"
    table = pd.DataFrame(
        {
            "Hub": rates["hub"],
            "ASB incidents": rates["hub"].map(published.labels).to_numpy(),
            f"Residents ({year})": rates["residents"].map("{:,.0f}".format),
            "ASB per 1,000 residents": texts,
        }
    )
    summary = chart_summary(
        rates, x="hub", y="rate", what="ASB incidents per 1,000 residents", value_format=f"{{:,.{digits}f}}"
    )
    return Screen(
        "asb-rates",
        "ASB for every 1,000 residents",
        sentence,
        summary,
        bar_chart(rates["hub"].tolist(), rates["rate"].tolist(), texts, x_title=x_title),
        table,
        (
            *frame.generated_note,
            f"Residents from population.csv ({year}). Rates compare hubs of different size fairly.",
        ),
    )


def _exact_by_group(counts: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The internal version of the LSOA table: exact counts as text, a total row per hub."""
    parts = []
    for hub, rows in counts.groupby("hub", sort=False):
        total = {"hub": [hub], "lsoa_code": [TOTAL], "lsoa_name": [TOTAL], **{c: [int(rows[c].sum())] for c in columns}}
        parts += [rows, pd.DataFrame(total)]
    exact = pd.concat(parts, ignore_index=True)
    return exact.assign(**{c: exact[c].map("{:,}".format) for c in columns})


def _screen_neighbourhoods(frame: Frame) -> Screen | None:
    located = frame.asb[frame.asb["lsoa_code"].notna() & frame.asb["lsoa_code"].ne("")]
    if located.empty:
        return None
    keys = ["hub", "lsoa_code", "lsoa_name"]

    def _counts(months: pd.PeriodIndex) -> pd.Series:
        rows = located[located["month"].isin(months)]
        # Plain-string keys: aligning two categorical MultiIndexes whose codes differ in width
        # (int8 against int16 once a folder holds over 127 LSOAs) fails inside pandas.
        return rows.groupby([rows[k].astype("str") for k in keys])["records"].sum()

    this_label, before_label = f"ASB {frame.in_words}", "ASB a year before"
    columns = {this_label: _counts(frame.period)}
    hubs_hidden = {this_label: frame.hubs_this.hidden}
    if frame.before is not None and frame.hubs_before is not None:
        columns[before_label] = _counts(frame.before)
        hubs_hidden[before_label] = frame.hubs_before.hidden
    counts = pd.DataFrame(columns).fillna(0).astype("int64").reset_index()
    counts.columns = [*keys, *columns]
    counts = counts.assign(**{k: counts[k].astype("str") for k in keys})
    if counts[this_label].sum() == 0:
        return None
    hub_order = {h: i for i, h in enumerate([*frame.hubs, UNASSIGNED])}
    counts = counts.sort_values(
        ["hub", this_label, "lsoa_name"],
        key=lambda s: s.map(hub_order) if s.name == "hub" else s,
        ascending=[True, False, True],
        ignore_index=True,
    )
    if frame.public:
        published = disclose_by_group(
            counts,
            group="hub",
            label_columns=["lsoa_code", "lsoa_name"],
            count_columns=list(columns),
            rounding=True,
            hidden_totals=pd.DataFrame(hubs_hidden),
        )
    else:
        published = _exact_by_group(counts, list(columns))
    areas = published[published["lsoa_code"] != TOTAL]
    shown = pd.to_numeric(areas[this_label].str.replace(",", ""), errors="coerce")
    top = (
        areas.assign(value=shown)
        .dropna(subset=["value"])
        .sort_values(["value", "lsoa_name"], ascending=[False, True])
        .head(TOP_AREAS)
    )
    if top.empty:
        return None
    total = int(counts[this_label].sum())
    share = max(1, round(total / top["value"].sum()))
    sentence = (
        f"{len(top)} of the {len(counts):,} neighbourhoods with ASB reports (LSOAs, about 1,500 residents each) "
        f"had about 1 in {share} of all ASB incidents {frame.in_words}."
    )
    labels = [r.lsoa_name if r.lsoa_name.startswith(r.hub) else f"{r.lsoa_name} ({r.hub})" for r in top.itertuples()]
    figure = bar_chart(labels, top["value"].tolist(), [f"{v:,.0f}" for v in top["value"]], x_title=this_label)
    summary = chart_summary(
        top.assign(neighbourhood=labels),
        x="neighbourhood",
        y="value",
        what=f"{this_label}, the {len(top)} neighbourhoods with most",
    )
    table = published.rename(columns={"hub": "Hub", "lsoa_code": "LSOA code", "lsoa_name": "Neighbourhood (LSOA)"})
    notes = [*frame.generated_note, LOCATION_NOTE]
    if frame.public:
        notes.append(
            f"Neighbourhood counts under {THRESHOLD} read 'fewer than {THRESHOLD}'; the rest are rounded to "
            f"the nearest {ROUNDING_BASE}."
        )
    return Screen("neighbourhoods", "Where ASB is most reported", sentence, summary, figure, table, tuple(notes))


def _screen_patrols(frame: Frame) -> Screen | None:
    resourcing = frame.dataset.table("resourcing.csv")
    if resourcing is None:
        return None
    patrol = monthly_patrol(resourcing)

    def hours(months: pd.PeriodIndex) -> pd.Series:
        return patrol[patrol["month"].isin(months)].groupby("hub")["patrol_hours"].sum()

    this = hours(frame.period)
    if this.sum() <= 0:
        return None
    hubs = [h for h in frame.hubs if h in this.index]
    operations = frame.dataset.table("operations.csv")
    ops_words = ""
    if operations is not None and len(operations):
        start, end = frame.start.start_time, frame.end.end_time
        in_period = operations[(operations["start"] <= end) & (operations["end"] >= start)]
        if len(in_period):
            ops_words = (
                f", and ran {len(in_period)} operation{'s' if len(in_period) > 1 else ''} "
                f"such as {in_period['name'].astype('str').iloc[0]}"
            )
    sentence = (
        f"Officers and PCSOs spent about {about(float(this.sum()))} hours on visible patrol in the hub areas "
        f"{frame.in_words}"
    )
    values = this.reindex(hubs)
    columns = {}
    if frame.before is not None:
        before = hours(frame.before).reindex(hubs, fill_value=0)
        sentence += f", against about {about(float(before.sum()))} a year before"
        figure = dumbbell(
            hubs, before.tolist(), values.tolist(), period=frame.span_words, x_title="Hours of visible patrol"
        )
        columns["Patrol hours a year before"] = before.map("{:,.0f}".format).to_numpy()
    else:
        figure = bar_chart(hubs, values.tolist(), [f"{v:,.0f}" for v in values], x_title="Hours of visible patrol")
    columns[f"Patrol hours {frame.in_words}"] = values.map("{:,.0f}".format).to_numpy()
    table = pd.DataFrame({"Hub": hubs, **columns})
    summary = chart_summary(
        pd.DataFrame({"hub": hubs, "hours": values.to_numpy()}),
        x="hub",
        y="hours",
        what=f"Hours of visible patrol {frame.in_words}",
    )
    notes = (
        *frame.generated_note,
        "Deployment data is not public: it comes from the force's duty records.",
    )
    return Screen(
        "patrols",
        "What the hubs are doing: visible patrols",
        f"{sentence}{ops_words}.",
        summary,
        figure,
        table,
        notes,
    )


def _screen_cases(frame: Frame) -> Screen | None:
    cases = frame.dataset.table("cases.csv")
    if cases is None:
        return None
    # Only hub, dates and status are read in public mode: never the issue or summary texts.
    opened = cases[["hub", "opened", "closed"]].assign(hub=cases["hub"].astype("str"))
    in_period = opened[opened["opened"].dt.to_period("M").isin(frame.period)]
    counts = in_period.groupby("hub").size().reindex(frame.hubs, fill_value=0)
    if counts.sum() == 0:
        return None
    published = publish(counts, frame.public)
    closed = int(in_period["closed"].notna().sum())
    closed_label = SUPPRESSED_LABEL if frame.public and closed < THRESHOLD else f"{closed:,}"
    hubs = published.largest_first(frame.hubs)
    texts, values = [published.labels[h] for h in hubs], published.values_of(hubs)
    sentence = (
        f"The hubs opened {published.total_label} cases with partners such as the council, housing and health "
        f"services {frame.in_words}; {closed_label} of them are now closed."
    )
    table = pd.DataFrame({"Hub": hubs, f"Partnership cases opened {frame.in_words}": texts})
    if not frame.public:
        issues = in_period.join(cases["issue"]).groupby("issue").size().sort_values(ascending=False)
        table = pd.concat(
            [
                table,
                pd.DataFrame(
                    {
                        "Hub": [f"Issue: {i}" for i in issues.index],
                        table.columns[1]: issues.map("{:,}".format).to_numpy(),
                    }
                ),
            ],
            ignore_index=True,
        )
    summary = chart_summary(
        pd.DataFrame({"hub": hubs, "cases": values}),
        x="hub",
        y="cases",
        what=f"Partnership cases opened {frame.in_words}",
    )
    notes = (
        *frame.generated_note,
        "Case data is not public: only the number of cases is shown, never what a case is about.",
    )
    # Every hub hidden: a chart of empty bars says nothing, so the screen is its table.
    shown = any(v is not None for v in values)
    figure = bar_chart(hubs, values, texts, x_title="Partnership cases opened") if shown else None
    return Screen("cases", "What the hubs are doing: working with partners", sentence, summary, figure, table, notes)


def _screen_report(frame: Frame) -> Screen:
    hubs = frame.dataset.hubs
    stations = hubs["station"].astype("str") if "station" in hubs.columns else pd.Series([""] * len(hubs))
    table = pd.DataFrame({"Hub": hubs["hub"].astype("str").to_numpy(), "Based at": stations.to_numpy()})
    force = frame.force or "the police"
    sentence = (
        f"Report anti-social behaviour to {force} online or on 101, call 999 in an emergency, "
        "and call Crimestoppers on 0800 555 111 to stay anonymous."
    )
    summary = f"Table of the {len(table)} Local Focus hubs and where each is based."
    return Screen(
        "how-to-report",
        "What you can do: report it",
        sentence,
        summary,
        None,
        table,
        ("Your local hub team works from the stations listed.",),
    )


#: The screens in the order they are shown.
_BUILDERS = (
    _screen_trend,
    _screen_hub_change,
    _screen_rates,
    _screen_neighbourhoods,
    _screen_patrols,
    _screen_cases,
    _screen_report,
)


def build_screens(frame: Frame) -> tuple[Screen, ...]:
    """Every screen the data allows, in order.

    ASB trend, change by hub (counts by hub without a year before), rates, neighbourhoods,
    visible patrols, partnership cases, how to report.
    """
    return tuple(screen for screen in (build(frame) for build in _BUILDERS) if screen is not None)
