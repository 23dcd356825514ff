"""What the evaluation says about patrol hours: its dose-response estimate for the chosen hubs and months.

An association over hub-months, not an effect. No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.measures.deployment.series import patrol_by_month
from analysis.schema import ASB
from analysis.stats.evaluation.dose import dose_response
from analysis.stats.evaluation.results import InsufficientData

__all__ = ["PatrolEstimate", "patrol_estimate"]


@dataclass(frozen=True)
class PatrolEstimate:
    """The evaluation's dose-response estimate in words, or why there is none (``error``).

    ``headline`` is the change in ASB with 10% more patrol hours and its 95% interval; ``table`` is the
    estimate as one row (what the page offers to download).
    """

    error: str | None = None
    headline: str = ""
    source: str = ""
    method: str = ""
    assumptions: str = ""
    caveat: str = ""
    table: pd.DataFrame | None = None


def patrol_estimate(
    asb_all: pd.DataFrame,
    weekly_all: pd.DataFrame | None,
    hub_table: pd.DataFrame,
    hubs: tuple[str, ...],
    start: pd.Period,
    end: pd.Period,
) -> PatrolEstimate:
    """:func:`analysis.stats.evaluation.dose.dose_response` of ASB on patrol hours in ``hubs``, ``start`` to ``end``.

    Parameters
    ----------
    asb_all : pandas.DataFrame
        From :func:`analysis.measures.deployment.series.hub_month_asb`.
    weekly_all : pandas.DataFrame or None
        From :func:`analysis.measures.deployment.series.weekly_patrol` (None without resourcing.csv).
    hub_table : pandas.DataFrame
        The dataset's hubs (``Dataset.hubs``).
    hubs : tuple of str
        The chosen hubs.
    start, end : pandas.Period
        The chosen months.
    """
    months = pd.period_range(start, end, freq="M")
    asb = asb_all.loc[asb_all["hub"].isin(hubs) & asb_all["month"].isin(months)]
    counts = asb.assign(crime_type=ASB).rename(columns={"asb": "count"})
    if weekly_all is None:
        return PatrolEstimate("No patrol hours: resourcing.csv is missing.")
    patrol = weekly_all.loc[weekly_all["hub"].isin(hubs) & weekly_all["month"].isin(months)]
    patrol = patrol_by_month(patrol)[["hub", "month", "patrol_hours"]]
    try:
        result = dose_response(counts, patrol, hubs=hub_table.loc[hub_table["hub"].isin(hubs)])
    except InsufficientData as e:
        return PatrolEstimate(str(e))
    dose = result.to_dict()
    return PatrolEstimate(
        headline=(f"{dose['effect_per_10pct_pct']:+.1f}% ({dose['ci_low_pct']:+.1f}% to {dose['ci_high_pct']:+.1f}%)"),
        source=(
            f"From {dose['months']} hub-months, {dose['first_month']} to {dose['last_month']}; "
            f"hubs: {', '.join(dose['hubs'])}."
        ),
        method=f"**Method:** {dose['method']}.",
        assumptions="**It assumes:** " + " ".join(dose["assumptions"]),
        caveat=dose["caveat"],
        table=pd.DataFrame([{k: v for k, v in dose.items() if not isinstance(v, list)}]),
    )
