"""What happened to the crimes: their last outcomes, and the share still open month by month.

ASB has no outcome, so these use crimes only. No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.figures.chart import Chart
from analysis.figures.performance import open_share_figure, outcome_figure
from analysis.load.records import Records, Where
from analysis.schema import ASB, OPEN_OUTCOMES
from analysis.stats.intervals import wilson_interval
from analysis.text.a11y import chart_summary, table_view
from analysis.text.names import join_names

__all__ = [
    "OPEN_NOTE",
    "Outcomes",
    "crime_outcomes",
    "open_outcomes_by_month",
    "OPEN_SHARE_FLOOR",
    "open_share_summary",
    "open_share_view",
    "outcome_distribution",
    "outcome_summary",
    "outcome_view",
    "RECENT_MONTHS",
]


#: Months treated as recent: their outcomes may still be open.
RECENT_MONTHS = 3


#: A recent month is flagged when its open share is surely above this (or twice the earlier share).
OPEN_SHARE_FLOOR = 0.05


def outcome_distribution(counts: pd.DataFrame) -> pd.DataFrame:
    """Crimes by ``Last outcome category``, from the crimes' counts per ``outcome`` (``outcome, records``).

    ASB has no outcome: count crimes only (:func:`crime_outcomes` does).

    Returns
    -------
    pandas.DataFrame
        ``outcome, crimes, share, is_open`` sorted by ``crimes`` descending; a blank
        outcome is named "Not recorded".

    Examples
    --------
    >>> counts = pd.DataFrame({"outcome": ["", "Local resolution", "Under investigation"], "records": [2, 1, 1]})
    >>> outcome_distribution(counts)[["outcome", "crimes"]].values.tolist()
    [['Not recorded', 2], ['Local resolution', 1], ['Under investigation', 1]]
    """
    counted = counts[["outcome", "records"]].rename(columns={"records": "crimes"})
    counted = counted.assign(outcome=counted["outcome"].astype("str").replace("", "Not recorded"))
    counted = counted.groupby("outcome", as_index=False, sort=False)["crimes"].sum()
    counted = counted.loc[counted["crimes"] > 0].sort_values(["crimes", "outcome"], ascending=[False, True])
    total = counted["crimes"].sum()
    return counted.assign(
        share=counted["crimes"] / total if total else np.nan,
        is_open=counted["outcome"].isin(OPEN_OUTCOMES),
    ).reset_index(drop=True)


def open_outcomes_by_month(
    counts: pd.DataFrame,
    latest: pd.Period,
    *,
    recent: int = RECENT_MONTHS,
    floor: float = OPEN_SHARE_FLOOR,
) -> pd.DataFrame:
    """Per month: the share of crimes whose outcome is still open, recent months flagged.

    ``counts`` are the crimes' records per ``month`` and ``outcome`` (``month, outcome, records``).

    Open means ``OPEN_OUTCOMES`` ("Under investigation", "Awaiting court outcome").
    A month is flagged when it is one of the ``recent`` months up to ``latest`` (the
    data's last month) and its Wilson 95% lower bound is above both ``floor`` and twice
    the pooled open share of the earlier months in ``counts``.

    Returns
    -------
    pandas.DataFrame
        ``month, crimes, open, share, ci_low, ci_high, recent, flagged``.
    """
    columns = ["month", "crimes", "open", "share", "ci_low", "ci_high", "recent", "flagged"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    # Per month (in order): the crimes and those still open, summed with arrays rather than a grouped aggregate.
    codes, months = pd.factorize(counts["month"], sort=True)
    records = counts["records"].to_numpy()
    crimes = np.zeros(len(months), dtype=records.dtype)
    still_open = np.zeros(len(months), dtype=records.dtype)
    np.add.at(crimes, codes, records)
    is_open = counts["outcome"].isin(OPEN_OUTCOMES).to_numpy()
    np.add.at(still_open, codes[is_open], records[is_open])
    per_month = pd.DataFrame({"month": months, "crimes": crimes, "open": still_open})
    is_recent = per_month["month"] > latest - recent
    earlier = per_month.loc[~is_recent]
    baseline = earlier["open"].sum() / earlier["crimes"].sum() if earlier["crimes"].sum() else 0.0
    bounds = [wilson_interval(o, c) for o, c in zip(per_month["open"], per_month["crimes"], strict=True)]
    low = pd.Series([b[0] for b in bounds], index=per_month.index)
    return per_month.assign(
        share=per_month["open"] / per_month["crimes"],
        ci_low=low,
        ci_high=[b[1] for b in bounds],
        recent=is_recent,
        flagged=is_recent & (low > max(floor, 2 * baseline)),
    )[columns]


def outcome_summary(distribution: pd.DataFrame, period: str) -> str:
    """The outcome chart in words: the commonest outcomes and the share still open.

    Examples
    --------
    >>> distribution = pd.DataFrame({"outcome": ["Unable to prosecute", "Under investigation"],
    ...                              "crimes": [30, 10], "share": [0.75, 0.25], "is_open": [False, True]})
    >>> outcome_summary(distribution, "Jan 2020")
    'Last outcome of 40 crimes, Jan 2020: most often Unable to prosecute (75.0%), then Under investigation (25.0%). \
25.0% are still open (under investigation or awaiting court outcome).'
    """
    if distribution.empty:
        return f"Last outcome of crimes, {period}: no crimes."
    top = distribution.sort_values("crimes", ascending=False, kind="stable").head(3)
    named = [f"{r.outcome} ({r.share:.1%})" for r in top.itertuples()]
    ranked = named[0] + (", then " + join_names(named[1:]) if len(named) > 1 else "")
    open_share = distribution.loc[distribution["is_open"], "share"].sum()
    return (
        f"Last outcome of {distribution['crimes'].sum():,} crimes, {period}: most often {ranked}. "
        f"{open_share:.1%} are still open (under investigation or awaiting court outcome)."
    )


def outcome_view(distribution: pd.DataFrame) -> pd.DataFrame:
    """The outcome chart as a table: every outcome (small ones too), its crimes and share."""
    return table_view(
        distribution.assign(
            share=(distribution["share"] * 100).round(1),
            is_open=distribution["is_open"].map({True: "yes", False: "no"}),
        ),
        {"outcome": "Last outcome", "crimes": "Crimes", "share": "Share %", "is_open": "Still open"},
    )


def open_share_summary(by_month: pd.DataFrame) -> str:
    """The open-share chart in words: highest, lowest and latest month, and the months flagged."""
    points = by_month.assign(share_pct=by_month["share"] * 100)
    text = chart_summary(points, x="month", y="share_pct", what="Share of crimes still open", value_format="{:.1f}%")
    flagged = by_month.loc[by_month["flagged"].astype(bool), "month"]
    if len(flagged):
        text += " Flagged as recent with many outcomes still open: " + join_names(
            [m.strftime("%b %Y") for m in flagged]
        )
        text += "."
    return text


def open_share_view(by_month: pd.DataFrame) -> pd.DataFrame:
    """The open-share chart as a table: crimes, open and the share with its interval per month."""

    def pct(s: pd.Series) -> pd.Series:
        return (s.astype(float) * 100).round(1)

    return table_view(
        by_month.assign(
            share=pct(by_month["share"]),
            ci_low=pct(by_month["ci_low"]),
            ci_high=pct(by_month["ci_high"]),
            flagged=by_month["flagged"].astype(bool).map({True: "yes", False: "no"}),
        ),
        {
            "month": "Month",
            "crimes": "Crimes",
            "open": "Still open",
            "share": "Open %",
            "ci_low": "95% low %",
            "ci_high": "95% high %",
            "flagged": "Flagged",
        },
    )


# --------------------------------------------------------------------------- the outcomes of the page

#: How the page says which months are flagged.
OPEN_NOTE = (
    "Open: 'Under investigation' or 'Awaiting court outcome'. A month is flagged when it is one of the "
    f"{RECENT_MONTHS} latest in the data and its open share is clearly (95% interval) above both 5% and "
    "twice the share of earlier months. police.uk updates outcomes when it re-supplies a month."
)


@dataclass(frozen=True)
class Outcomes:
    """The chosen crimes' last outcomes (:func:`outcome_distribution`) and open share by month."""

    distribution: pd.DataFrame
    by_month: pd.DataFrame

    @property
    def warning(self) -> str | None:
        """The warning about recent months whose outcomes are still open, or None."""
        flagged = self.by_month.loc[self.by_month["flagged"].astype(bool), "month"]
        if not len(flagged):
            return None
        return (
            "Outcomes of the latest months are still open: "
            + ", ".join(m.strftime("%b %Y") for m in flagged)
            + " have many crimes 'Under investigation' or 'Awaiting court outcome'. These change when police.uk "
            "re-supplies the data, so recent outcome shares are not comparable with older months."
        )

    def charts(self, period: str) -> tuple[Chart, Chart]:
        """The outcome chart and the open-share chart, for the chosen ``period`` in words."""
        distribution, by_month = self.distribution, self.by_month
        return (
            Chart(
                outcome_figure(distribution, title=f"Last outcome of crimes, {period}"),
                outcome_view(distribution),
                outcome_summary(distribution, period),
                "perf_outcomes",
                "crime_outcomes.csv",
            ),
            Chart(
                open_share_figure(by_month, title="Crimes whose outcome is still open, by month"),
                open_share_view(by_month),
                open_share_summary(by_month),
                "perf_open",
                "open_outcomes_by_month.csv",
            ),
        )


def crime_outcomes(
    records: Records,
    crime_types: tuple[str, ...],
    hubs: tuple[str, ...],
    start: pd.Period,
    end: pd.Period,
    latest: pd.Period,
) -> Outcomes:
    """Outcomes of the crimes of ``crime_types`` in ``hubs`` and ``start`` to ``end`` (ASB has no outcome).

    ``latest`` is the data's last month: the months near it are the ones whose outcomes may still be open.
    One count of the crimes per month and outcome gives both.
    """
    crimes = tuple(t for t in crime_types if t != ASB)
    counts = records.count(["month", "outcome"], Where(start, end, tuple(hubs), crimes))
    by_outcome = counts.groupby("outcome", as_index=False, sort=False)["records"].sum()
    return Outcomes(outcome_distribution(by_outcome), open_outcomes_by_month(counts, latest))
