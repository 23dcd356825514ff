"""What the Overview shows, computed without Streamlit: headline figures, the trend and year on year.

Every figure honours the dataset's coverage: totals and rates use supplied months only
and say how many months were not supplied; a month not supplied is NaN in the trend (a
gap in the line), never a zero; the year-on-year comparison goes through
:func:`analysis.stats.compare.compare_months` and says why when it cannot be made.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.figures.shared import trend_figure
from analysis.load.dataset import Dataset
from analysis.load.records import Where
from analysis.measures.metrics import dataset_summary, hub_categories
from analysis.schema import CRIME_TYPES, UNASSIGNED
from analysis.stats.compare import Comparison, compare_months
from analysis.text.a11y import chart_summary, table_view

__all__ = ["Overview", "TrendChart", "overview", "overview_trend", "rate_by_hub"]


@dataclass(frozen=True)
class Overview:
    """The Overview's figures for one period and choice of hubs.

    Attributes
    ----------
    table : pandas.DataFrame
        :func:`analysis.measures.metrics.summary_of_counts` rows of the chosen hubs and months (NaN where not supplied).
    asb, crime : float or None
        Totals over the months supplied (None when no month of that stream was supplied).
    asb_per_1000_month : float or None
        ASB per 1,000 residents a month over the hub-months supplied (None without population).
    unassigned : float or None
        Records not placed in a hub (None when no month was supplied).
    missing : dict of str to list of Period
        Months of the period not supplied, per stream (for the force or any chosen hub).
    months : int
        Months in the period.
    comparison : Comparison or None
        The last 12 months against the 12 before (None when the period is shorter than 24 months).
    population_years : tuple of int
        The population years the rates used.
    """

    table: pd.DataFrame
    asb: float | None
    crime: float | None
    asb_per_1000_month: float | None
    unassigned: float | None
    missing: dict[str, list[pd.Period]]
    months: int
    comparison: Comparison | None
    population_years: tuple[int, ...]

    @property
    def hubs_table(self) -> pd.DataFrame:
        """The rows of real hubs (Unassigned left out)."""
        return self.table[self.table["hub"] != UNASSIGNED]

    def county(self) -> pd.DataFrame:
        """``month, asb, crime`` over the chosen hubs: NaN in a month not supplied for any of them."""
        wide = self.table.pivot(index="month", columns="hub", values=["asb", "crime"]).sort_index()
        county = {stream: wide[stream].sum(axis=1, skipna=False) for stream in ("asb", "crime")}
        return pd.DataFrame(county).rename_axis("month").reset_index()


def _total(values: pd.Series) -> float | None:
    return float(values.sum()) if values.notna().any() else None


#: The columns of a summary that count records: every crime type, ASB and crime (int64 unless a cell was not supplied).
_COUNTED = [*CRIME_TYPES, "asb", "crime"]


def _chosen_summary(dataset: Dataset, hubs: tuple[str, ...], start: pd.Period, end: pd.Period) -> pd.DataFrame:
    """``dataset_summary(dataset, Where(first=start, last=end, hubs=hubs))``, cut from the whole dataset's.

    The summary of every record is made once per dataset (kept); a choice takes its rows. Each
    row (hub, month) holds the same numbers whatever else is chosen, so only the rows and the
    counts' type differ: the choice's rows run over the months its records span, for every hub,
    and its counts are whole numbers (int64) when every one of those cells was supplied.
    """
    chosen = Where(first=start, last=end, hubs=hubs)
    months = dataset.records.count(["month"], chosen)
    months = months.loc[months["records"] > 0, "month"]
    if months.empty:  # nothing counted: the summary of no record (no rows)
        return dataset_summary(dataset, chosen)
    whole = dataset.records.kept(("summary of every record",), lambda: dataset_summary(dataset))
    span = pd.period_range(months.min(), months.max(), freq="M")
    table = whole.loc[whole["month"].isin(span)]
    names = hub_categories(dataset.hubs)
    supplied = not dataset.coverage.missing_in(span, names).any()
    counted = [c for c in _COUNTED if c in table.columns]
    if supplied and any(table[c].dtype != "int64" for c in counted):
        table = table.astype(dict.fromkeys(counted, "int64"))
    return table


def overview(dataset: Dataset, hubs: tuple[str, ...], start: pd.Period, end: pd.Period) -> Overview:
    """The Overview's figures for ``hubs`` over ``start`` to ``end``.

    Parameters
    ----------
    dataset : Dataset
        The loaded folder (its coverage decides what counts as supplied).
    hubs : tuple of str
        The chosen hubs (Unassigned may be among them).
    start, end : pandas.Period
        The period, inclusive.

    Returns
    -------
    Overview
    """
    population = dataset.table("population.csv")
    table = _chosen_summary(dataset, hubs, start, end)
    months = pd.period_range(start, end, freq="M")
    table = table[table["hub"].isin(hubs) & table["month"].between(start, end)].reset_index(drop=True)
    # summary() spans the records it is given: reindex so that every month of the period has a row.
    grid = pd.MultiIndex.from_product([list(dict.fromkeys(table["hub"])), months], names=["hub", "month"])
    table = table.set_index(["hub", "month"]).reindex(grid).reset_index()
    real_hubs = [h for h in hubs if h != UNASSIGNED]
    missing = {
        stream: list(months[dataset.coverage.missing_in(months, real_hubs, (stream,))]) for stream in ("crime", "asb")
    }
    hubs_rows = table[table["hub"] != UNASSIGNED]
    rate = None
    if population is not None and hubs_rows["population"].notna().any():
        supplied = hubs_rows["asb"].notna() & hubs_rows["population"].notna()
        exposure = float(hubs_rows.loc[supplied, "population"].sum())
        rate = float(hubs_rows.loc[supplied, "asb"].sum()) / exposure * 1000 if exposure > 0 else None
    years = tuple(sorted({int(y) for y in table.get("population_year", pd.Series(dtype=float)).dropna()}))
    result = Overview(
        table=table,
        asb=_total(table["asb"]),
        crime=_total(table["crime"]),
        asb_per_1000_month=rate,
        unassigned=_total(table.loc[table["hub"] == UNASSIGNED, ["asb", "crime"]].stack()),
        missing=missing,
        months=len(months),
        comparison=None,
        population_years=years,
    )
    if len(months) >= 24:
        county = result.county().set_index("month")["asb"]
        recent = months[-12:]
        result = dataclasses.replace(result, comparison=compare_months(county, recent, recent - 12))
    return result


def rate_by_hub(table: pd.DataFrame) -> bool:
    """True when the hubs' rows carry residents, so a per-hub chart can show rates."""
    return bool(np.any(table.loc[table["hub"] != UNASSIGNED, "population"].notna()))


#: The Overview's two views of the trend.
VIEWS = ("County total", "Each hub")
_MEASURES = {"asb": "ASB incidents", "crime": "Crimes (excluding ASB)"}


@dataclass(frozen=True)
class TrendChart:
    """The Overview's trend chart, with what goes beside it.

    Attributes
    ----------
    figure : plotly.graph_objects.Figure
    data : pandas.DataFrame
        The data behind the chart, as downloaded.
    readable : pandas.DataFrame
        The table view (screen readers; "not supplied" where a month was not).
    summary : str
        The chart in words (alt text and caption).
    peak : str or None
        The sentence naming the highest ASB month (None when no ASB month was supplied).
    """

    figure: go.Figure
    data: pd.DataFrame
    readable: pd.DataFrame
    summary: str
    peak: str | None


def overview_trend(figures: Overview, view: str, period_label: str) -> TrendChart:
    """ASB per hub (``view`` "Each hub": rates where there are residents) or ASB and crime for the county."""
    if view == "Each hub":
        rate = rate_by_hub(figures.table)
        y = "asb_rate_per_1000" if rate else "asb"
        y_title = "ASB per 1,000 residents" if rate else "ASB incidents"
        data = figures.hubs_table[["hub", "month", "asb", "population", "asb_rate_per_1000"]]
        not_supplied = figures.missing["asb"]
        figure = trend_figure(
            data,
            x="month",
            y=y,
            series="hub",
            y_title=y_title,
            hover_format=",.2f" if rate else ",.0f",
            not_supplied=not_supplied,
        )
        summary_text = chart_summary(
            data,
            x="month",
            y=y,
            what=y_title,
            series="hub",
            value_format="{:,.2f}" if rate else "{:,.0f}",
            not_supplied=not_supplied,
        )
        readable = table_view(data, {"hub": "Hub", "month": "Month", "asb": "ASB", y: y_title})
        asb_rows, where = data.dropna(subset=["asb"]), lambda row: f" in {row['hub']}"
        title = "ASB"
    else:
        county = figures.county()
        gaps = sorted(set(figures.missing["asb"]) | set(figures.missing["crime"]))
        data = county.melt(id_vars="month", var_name="measure", value_name="records").assign(
            measure=lambda d: d["measure"].map(_MEASURES)
        )
        figure = trend_figure(
            data, x="month", y="records", series="measure", y_title="Records a month, county", not_supplied=gaps
        )
        summary_text = chart_summary(
            data, x="month", y="records", what="records a month", series="measure", not_supplied=gaps
        )
        readable = table_view(data, {"month": "Month", "measure": "Measure", "records": "Records"})
        asb_rows, where = county.dropna(subset=["asb"]), lambda row: " across the county"
        title = "ASB and crime"
    figure.update_layout(
        title={"text": f"{title}, {period_label}", "y": 0.97, "yanchor": "top"}, margin={"t": 90}, height=400
    )
    peak = None
    if len(asb_rows):
        row = asb_rows.loc[asb_rows["asb"].idxmax()]
        peak = f"Highest ASB month: {row['month'].strftime('%b %Y')} with {int(row['asb']):,} records{where(row)}."
    return TrendChart(figure, data, readable, summary_text, peak)
