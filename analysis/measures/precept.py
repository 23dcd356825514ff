"""What the Precept outcomes page shows, as plain results: pledge cards, patrols by hub, the evaluation.

Each function takes the tables (or the evaluation) and the sidebar's choices and returns a
frozen dataclass the page renders as it is: charts come with their table view and their
summary in words. No streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import pandas as pd
import plotly.graph_objects as go

from analysis.figures.evaluation import before_after_figure, before_after_summary, event_study_figure, mark_dates
from analysis.figures.shared import trend_figure
from analysis.load.dataset import Dataset
from analysis.load.records import Where
from analysis.measures.metrics import BY_TYPE, counts_by_type, monthly_patrol
from analysis.measures.pledges import assess_pledges, latest_assessment, pledge_figure, pledge_summary, pledge_table
from analysis.schema import ASB, UNASSIGNED
from analysis.stats.evaluation.results import Evaluation
from analysis.stats.evaluation.words import PlainEnglish, event_study_words, plain_english
from analysis.text.a11y import chart_summary, table_view
from analysis.text.changes import month_span, percent_words

__all__ = [
    "Chart",
    "Choices",
    "INTRO",
    "EvaluationView",
    "PatrolView",
    "PledgeCard",
    "PledgeView",
    "evaluation_view",
    "first_launch",
    "AXES_NOTE",
    "CLI_NOTE",
    "EVENT_STUDY_NOTE",
    "FTE_NOTE",
    "HOW_TO_ESTIMATE",
    "INTERVAL_NOTE",
    "PATROL_NOTE",
    "WHOLE_DATA_NOTE",
    "hub_chart",
    "patrol_view",
    "pledge_view",
    "recorded_asb_chart",
]


class Choices(Protocol):
    """The sidebar's choices a measure reads (``ui.common.Filters`` has them)."""

    hubs: tuple[str, ...]
    start: pd.Period
    end: pd.Period

    @property
    def months(self) -> pd.PeriodIndex:
        """Months in the chosen period."""

    @property
    def period_label(self) -> str:
        """The period in words."""


@dataclass(frozen=True)
class Chart:
    """A figure with the numbers it draws (ready to read), its summary in words and a CSV name."""

    figure: go.Figure
    table: pd.DataFrame
    summary: str
    file_name: str


def first_launch(hubs: pd.DataFrame) -> pd.Timestamp | None:
    """The earliest hub launch date, or None when no hub has one."""
    launched = hubs["launched"].dropna()
    return launched.min() if len(launched) else None


def _launch_mark(figure: go.Figure, launch: pd.Timestamp | None) -> go.Figure:
    if launch is not None:
        mark_dates(figure, [(launch, f"First hub launch ({launch:%b %Y})")])
    return figure


# --------------------------------------------------------------------------- pledges


@dataclass(frozen=True)
class PledgeCard:
    """One pledge's latest result: the badge, the status sentence and its record since it started."""

    pledge: str
    state: Literal["unknown", "met", "not met"]
    badge: str
    status: str
    icon: str
    colour: str
    history: str | None
    baseline_note: object


_BADGES = {
    "unknown": (":material/help:", "gray"),
    "met": (":material/check_circle:", "green"),
    "not met": (":material/cancel:", "red"),
}


@dataclass(frozen=True)
class PledgeView:
    """The pledge cards and the chart of published headcount against each pledge.

    ``chart`` is None when there is nothing to assess; ``error`` says why the pledges could
    not be assessed (then there are no cards).
    """

    cards: tuple[PledgeCard, ...]
    chart: Chart | None
    error: str | None = None


def _history(assessed: pd.DataFrame, from_date: pd.Timestamp) -> str | None:
    if len(assessed) <= 1:
        return None
    met_n, n, since = int(assessed["met"].sum()), len(assessed), f"{from_date.day} {from_date:%b %Y}"
    if met_n == n:
        return f"Met at every one of the {n} published dates since {since}."
    if met_n == 0:
        return f"Not met at any of the {n} published dates since {since}."
    return f"Met at {met_n} of the {n} published dates since {since}."


def _card(row: pd.Series, assessment: pd.DataFrame) -> PledgeCard:
    if pd.isna(row["met"]):
        state, badge = "unknown", "Cannot be assessed yet"
    elif row["met"]:
        state, badge = "met", f"Met at {row['as_at_date']:%d %b %Y}"
    else:
        state, badge = "not met", f"Not met at {row['as_at_date']:%d %b %Y}"
    assessed = assessment[(assessment["pledge"] == row["pledge"]) & assessment["met"].notna()]
    note = row["baseline_note"] if row["baseline_note"] else None
    icon, colour = _BADGES[state]
    history = _history(assessed, row["from_date"])
    return PledgeCard(row["pledge"], state, badge, row["status"], icon, colour, history, note)


def pledge_view(pledges: pd.DataFrame, workforce: pd.DataFrame, launch: pd.Timestamp | None) -> PledgeView:
    """The pledges assessed at every published date, as cards and a chart.

    A table :func:`analysis.measures.pledges.assess_pledges` refuses gives no cards, and
    its reason in ``error``: "The pledges could not be assessed. ..."
    """
    try:
        assessment = assess_pledges(pledges, workforce)
    except ValueError as e:
        return PledgeView((), None, f"The pledges could not be assessed. {e}")
    if assessment.empty:
        return PledgeView((), None)
    cards = tuple(_card(row, assessment) for _, row in latest_assessment(assessment).iterrows())
    columns = {
        "worker": "Worker type",
        "as_at_date": "As at",
        "fte": "Published FTE",
        "result": "Result",
        "required_fte": "Pledged: at least",
        "gap_fte": "Gap",
        "pledge": "Pledge",
    } | ({"source": "Source"} if "source" in workforce.columns else {})
    chart = Chart(
        pledge_figure(workforce, assessment, launch=launch, launch_label="First hub launch"),
        # a blank here means no pledge applies at that date, not a gap in the data
        table_view(pledge_table(workforce, assessment), columns, missing=None),
        pledge_summary(workforce, assessment),
        "pledges_and_headcount.csv",
    )
    return PledgeView(cards, chart)


# --------------------------------------------------------------------------- precept-funded patrols


@dataclass(frozen=True)
class PatrolView:
    """Precept-funded FTE and patrol hours per hub over the period, and month by month (None when no weeks)."""

    by_hub: pd.DataFrame
    chart: Chart | None


def patrol_view(resourcing: pd.DataFrame, choices: Choices, launch: pd.Timestamp | None) -> PatrolView:
    """Average FTE and total patrol hours per hub in the chosen period and hubs, with the monthly chart."""
    patrol = monthly_patrol(resourcing)
    patrol = patrol[patrol["hub"].isin(choices.hubs) & patrol["month"].between(choices.start, choices.end)]
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
    if patrol.empty:
        return PatrolView(by_hub, None)
    figure = trend_figure(
        patrol,
        x="month",
        y="precept_patrol_hours",
        series="hub",
        y_title="Precept-funded visible patrol hours a month",
        title=f"Precept-funded patrol hours by hub, {choices.period_label}",
    )
    columns = {
        "hub": "Hub",
        "month": "Month",
        "precept_patrol_hours": "Precept patrol hours",
        "patrol_hours": "All patrol hours",
        "precept_fte": "Precept FTE",
        "fte": "All FTE",
    }
    rounded = patrol.round({"precept_patrol_hours": 1, "patrol_hours": 1, "precept_fte": 2, "fte": 2})
    summary = chart_summary(
        patrol, x="month", y="precept_patrol_hours", what="Precept-funded visible patrol hours a month", series="hub"
    )
    file_name = "precept_patrol_by_hub_month.csv"
    chart = Chart(_launch_mark(figure, launch), table_view(rounded, columns), summary, file_name)
    return PatrolView(by_hub, chart)


def recorded_asb_chart(dataset: Dataset, choices: Choices, launch: pd.Timestamp | None) -> Chart:
    """Recorded ASB per hub and month (counts only, not an estimate), for when the evaluation cannot tell yet."""
    months = choices.months
    in_hubs = tuple(h for h in choices.hubs if h != UNASSIGNED)
    asb = dataset.records.count(BY_TYPE, Where(months[0], months[-1], in_hubs, (ASB,)))
    counts = counts_by_type(asb, list(in_hubs), months, coverage=dataset.coverage)
    counts = counts[counts["crime_type"] == ASB][["hub", "month", "count"]]
    figure = trend_figure(
        counts,
        x="month",
        y="count",
        series="hub",
        y_title="ASB incidents a month",
        title=f"Recorded ASB by hub, {choices.period_label} (counts only, not an estimate)",
    )
    return Chart(
        _launch_mark(figure, launch),
        table_view(counts, {"hub": "Hub", "month": "Month", "count": "ASB incidents"}),
        chart_summary(counts, x="month", y="count", what="Recorded ASB incidents a month", series="hub"),
        "asb_by_hub_month.csv",
    )


# --------------------------------------------------------------------------- the evaluation


@dataclass(frozen=True)
class EvaluationView:
    """The evaluation as the page shows it: headline tiles, sentences, the event study and the tables.

    ``checks`` are the sentences on the other method and the placebo checks; ``hub_choices``
    the chosen hubs that have a before-and-after series; the ``*_csv`` tables are the
    downloads, the others their display form (changes in words).
    """

    words: PlainEnglish
    change: str
    interval: str
    months: str
    interval_note: str
    method: str
    assumptions: str
    checks: tuple[str, ...]
    event_study: Chart | None
    event_study_reason: str | None
    hub_choices: tuple[str, ...]
    hubs_table: pd.DataFrame
    hubs_csv: pd.DataFrame
    placebo_table: pd.DataFrame
    placebo_csv: pd.DataFrame


def _month(text: str) -> str:
    month = pd.Period(text, "M")
    return month_span(month, month)


def _in_words(table: pd.DataFrame) -> dict[str, list[str]]:
    """The ``effect_pct`` and interval columns of a results table as words."""
    return {
        "change": [percent_words(v) if pd.notna(v) else "no estimate" for v in table["effect_pct"]],
        "interval": [
            f"{percent_words(lo)} to {percent_words(hi)}" if pd.notna(lo) else ""
            for lo, hi in zip(table["ci_low_pct"], table["ci_high_pct"], strict=True)
        ],
    }


def _event_study_chart(evaluation: Evaluation) -> Chart | None:
    if not evaluation.event_study:
        return None
    points = pd.DataFrame([p.to_dict() for p in evaluation.event_study])
    reading = [
        "reference (set to 0)"
        if p.reference
        else ("lower" if (p.ci_high_pct or 0) < 0 else "higher" if (p.ci_low_pct or 0) > 0 else "includes no change")
        for p in evaluation.event_study
    ]
    table = points.assign(reading=reading)
    columns = {
        "relative_month": "Months from launch",
        "effect_pct": "Change vs the month before launch (%)",
        "ci_low_pct": "95% CI: low (%)",
        "ci_high_pct": "95% CI: high (%)",
        "reading": "Reading",
    }
    what = "ASB" if evaluation.outcome == ASB else evaluation.outcome
    figure = event_study_figure(evaluation, title=f"Event study: {what} month by month around each launch")
    return Chart(figure, table_view(table, columns, missing=None), event_study_words(evaluation), "asb_event_study.csv")


def evaluation_view(evaluation: Evaluation, hubs: Sequence[str]) -> EvaluationView:
    """Everything the page shows of an evaluation, for the chosen ``hubs``."""
    overall, words = evaluation.overall, plain_english(evaluation)
    hubs_csv = pd.DataFrame([h.to_dict() for h in evaluation.hubs])
    hubs_table = hubs_csv.assign(**_in_words(hubs_csv))[
        ["hub", "launched", "change", "interval", "months_before", "months_after"]
        + (["reason"] if hubs_csv["reason"].notna().any() else [])
    ]
    placebo_csv = pd.DataFrame([p.to_dict() for p in evaluation.placebo])
    result = placebo_csv["flagged"].map({True: "warning", False: "no change, as expected"}).fillna("not checked")
    placebo_table = placebo_csv.assign(**_in_words(placebo_csv), result=result)[
        ["name", "change", "interval", "result"] + (["reason"] if placebo_csv["reason"].notna().any() else [])
    ]
    return EvaluationView(
        words=words,
        change=percent_words(overall.effect_pct),
        interval=f"{percent_words(overall.ci_low_pct)} to {percent_words(overall.ci_high_pct)}",
        months=f"{_month(overall.first_month)} to {_month(overall.last_month)}",
        interval_note=(
            f"{INTERVAL_NOTE} Each launch contributes {overall.months_before} months before it and "
            f"{overall.months_after} from the launch month onward."
        ),
        method=f"**Method.** {overall.method}.",
        assumptions="\n".join(f"- {a}" for a in overall.assumptions),
        checks=words.alternatives + (() if words.placebo is None else (words.placebo,)),
        event_study=_event_study_chart(evaluation),
        event_study_reason=evaluation.event_study_reason,
        hub_choices=tuple(h.hub for h in evaluation.hubs if h.series is not None and h.hub in hubs),
        hubs_table=hubs_table,
        hubs_csv=hubs_csv,
        placebo_table=placebo_table,
        placebo_csv=placebo_csv,
    )


def hub_chart(evaluation: Evaluation, hub: str) -> Chart:
    """One hub's recorded ASB against the expectation without its launch, with the summary in words."""
    estimate = next(h for h in evaluation.hubs if h.hub == hub and h.series is not None)
    series = estimate.series
    launched = pd.Timestamp(estimate.launched) if estimate.launched else None
    summary = (
        f"{hub}: {percent_words(estimate.effect_pct)} after launch (95% confidence interval "
        f"{percent_words(estimate.ci_low_pct)} to {percent_words(estimate.ci_high_pct)}), "
        f"{estimate.months_before} months before and {estimate.months_after} after. "
        f"{before_after_summary(series)} {estimate.method}. One hub alone is noisier than the estimate "
        "across hubs above."
    )
    table = series.assign(
        **{c: series[c].round(1) for c in ("counterfactual", "cf_low", "cf_high")},
        after_launch=series["after_launch"].map({True: "after", False: "before"}),
    )
    columns = {
        "month": "Month",
        "after_launch": "Launch",
        "observed": "Recorded ASB",
        "counterfactual": "Expected without the launch",
        "cf_low": "95% range: low",
        "cf_high": "95% range: high",
    }
    return Chart(
        before_after_figure(series, hub=hub, launched=launched),
        table_view(table, columns),
        summary,
        f"asb_before_after_{hub.lower().replace(' ', '_')}.csv",
    )


# --------------------------------------------------------------------------- the page's standing text

#: What the page answers.
INTRO = (
    "Did the precept money deliver what was promised? The pledges against published headcount, "
    "precept-funded patrols by hub, and ASB before and after the hubs launched."
)
#: Under the pledge cards.
FTE_NOTE = (
    "Figures are full-time equivalent (FTE) from the Home Office workforce tables, published for 31 March "
    "and 30 September at best, and count the whole force: they cannot show how many officers work in "
    "neighbourhood teams. A pledge is assessed at each published date from its start."
)
#: Under the pledge chart.
AXES_NOTE = (
    "The vertical axes do not start at zero, so that a gap of a few FTE shows. The table view lists every "
    "published figure, with each pledge assessed at the dates since it started."
)
#: Above the patrol table, after the period.
PATROL_NOTE = (
    "FTE is the average over the weeks in the period; patrol hours are the total of visible patrol hours recorded."
)
#: Above the evaluation.
WHOLE_DATA_NOTE = (
    "The estimate uses every month and every hub in the data, whatever the sidebar says: the model needs each "
    "hub's whole series."
)
#: When the evaluation cannot tell yet.
HOW_TO_ESTIMATE = (
    "To get an estimate, add earlier police.uk months (data.police.uk keeps three years online; older "
    "months are in its archive) on the Data page, and give each hub its launch date in hubs.csv. Until "
    "then the chart below shows recorded ASB only: it is not a measure of the hubs' effect."
)
#: Under the headline tiles.
INTERVAL_NOTE = (
    "The 95% confidence interval is the range the true change probably lies in, given how much monthly "
    "counts swing by chance."
)
#: Above the event study.
EVENT_STUDY_NOTE = (
    "**Event study**: the change month by month around each launch, the evaluation's best check of its own "
    "assumptions. Months before launch near zero, with intervals that include zero, support the comparison."
)
#: At the end of the evaluation.
CLI_NOTE = (
    "The same evaluation runs without the browser: `python -m analysis evaluate DATA_DIR --json`. "
    "The Deployment vs ASB page shows patrol hours against ASB month by month."
)
