"""Which months were supplied: for crime records and for ASB, for the whole force and for each hub.

police.uk supplies have holes: a force misses months, supplies a month without its ASB, or
a user holds only the months they downloaded. A month that was never supplied is a gap, not
a zero: every measure asks :class:`Coverage` before it counts, and turns a gap into ``NaN``
(shown as "not supplied").

Rules, all computed from the accepted records at load:

- a month is supplied for **crime** when any record other than ASB is in it, and for **ASB**
  when any ASB record is; no force ever has a whole month without a single ASB incident, so a
  month with crimes and no ASB was supplied without its ASB (City of London Police, 2017-05);
- a **hub** is not supplied in a month the force supplied when it has no record of that stream
  at all although its other supplied months average at least :data:`HUB_GAP_MEAN` records:
  a true zero would then have a chance below e^-5 (0.7%), while a small area that often has no
  ASB keeps its zeros. "Unassigned" follows the force.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.schema import ASB, UNASSIGNED

__all__ = [
    "HUB_GAP_MEAN",
    "NOT_SUPPLIED",
    "STREAMS",
    "Coverage",
    "compute_coverage",
    "coverage_from_counts",
    "month_ranges",
    "stream_of",
]

#: How a month, cell or figure that was never supplied reads in tables, downloads and labels.
NOT_SUPPLIED = "not supplied"

#: The two streams of police.uk street records that are supplied (or not) apart.
STREAMS: tuple[str, ...] = ("crime", "asb")

#: A hub with no record in a month is "not supplied" only when it averages at least this many.
HUB_GAP_MEAN = 5.0


def stream_of(crime_type: str) -> str:
    """The stream a crime type is supplied in: ``asb`` for ASB, ``crime`` for every other type."""
    return "asb" if crime_type == ASB else "crime"


def month_ranges(months: list[pd.Period] | pd.PeriodIndex) -> str:
    """Months in words, consecutive runs joined: ``2019-03, 2019-05 to 2019-07``."""
    ordered = sorted(set(months))
    runs: list[tuple[pd.Period, pd.Period]] = []
    for month in ordered:
        if runs and (month - runs[-1][1]).n == 1:
            runs[-1] = (runs[-1][0], month)
        else:
            runs.append((month, month))
    return ", ".join(str(a) if a == b else f"{a} to {b}" for a, b in runs)


@dataclass(frozen=True)
class Coverage:
    """What was supplied, month by month (``span`` runs from the first to the last supplied month).

    Attributes
    ----------
    span : pandas.PeriodIndex
        Every month from the first supplied to the last, gaps included.
    force : pandas.DataFrame
        Index ``span``, one bool column per stream in :data:`STREAMS`.
    hubs : dict of str to pandas.DataFrame
        For each stream, index ``span``, one bool column per hub.
    """

    span: pd.PeriodIndex
    force: pd.DataFrame
    hubs: dict[str, pd.DataFrame]

    def supplied(self, stream: str = "asb", hub: str | None = None, months=None) -> pd.Series:
        """True for each month supplied (``months`` default: the span); months outside the span are False."""
        if stream not in STREAMS:
            raise ValueError(f"stream must be one of {STREAMS}, got {stream!r}")
        months = self.span if months is None else pd.PeriodIndex(months, freq="M")
        if hub is None or hub not in self.hubs[stream].columns:
            column = self.force[stream]
        else:
            column = self.hubs[stream][hub]
        return column.reindex(months, fill_value=False).astype("bool")

    def missing(
        self, start: pd.Period | None = None, end: pd.Period | None = None, stream: str = "asb", hub: str | None = None
    ) -> list[pd.Period]:
        """The months from ``start`` to ``end`` (default: the span) that were not supplied."""
        if start is None or end is None:
            if not len(self.span):
                return []
            start, end = start or self.span[0], end or self.span[-1]
        months = pd.period_range(start, end, freq="M")
        supplied = self.supplied(stream, hub, months)
        return list(supplied.index[~supplied.to_numpy()])

    def missing_any(self, start: pd.Period, end: pd.Period, hubs=None, streams=STREAMS) -> list[pd.Period]:
        """Months of the period missing in any of ``streams`` for the force or any of ``hubs``."""
        months = pd.period_range(start, end, freq="M")
        return list(months[self.missing_in(months, hubs, streams)])

    def missing_in(self, months: pd.PeriodIndex, hubs=None, streams=STREAMS) -> np.ndarray:
        """Bool per month of ``months``: True where the force or any of ``hubs`` did not supply one of ``streams``.

        Read in one go (one reindex per stream). A hub the coverage does not judge follows the
        force; a month outside the span was not supplied.
        """
        gap = np.zeros(len(months), dtype=bool)
        for stream in streams:
            gap |= ~self.supplied(stream, None, months).to_numpy()
            own = [hub for hub in dict.fromkeys(hubs or ()) if hub in self.hubs[stream].columns]
            if own:
                table = self.hubs[stream][own].reindex(months, fill_value=False)
                gap |= ~table.to_numpy(dtype=bool).all(axis=1)
        return gap

    def grid(self, hubs: list[str], months: pd.PeriodIndex, stream: str) -> np.ndarray:
        """Bool array (hub, month): True where supplied."""
        return np.vstack([self.supplied(stream, hub, months).to_numpy() for hub in hubs]) if hubs else np.zeros((0, 0))

    def frame(self) -> pd.DataFrame:
        """Tidy coverage: ``month, stream, hub, supplied`` (hub "All hubs" for the force)."""
        parts = [
            pd.DataFrame({"month": self.span, "stream": stream, "hub": "All hubs", "supplied": self.force[stream]})
            for stream in STREAMS
        ]
        for stream, table in self.hubs.items():
            long = table.rename_axis("month").reset_index().melt("month", var_name="hub", value_name="supplied")
            parts.append(long.assign(stream=stream))
        columns = ["month", "stream", "hub", "supplied"]
        return pd.concat([p[columns] for p in parts], ignore_index=True)

    def hub_gaps(self) -> pd.DataFrame:
        """Hub months not supplied although the force supplied the month: ``hub, stream, month``."""
        rows = []
        for stream, table in self.hubs.items():
            force = self.force[stream]
            for hub in table.columns:
                gap = force & ~table[hub]
                rows += [(hub, stream, month) for month in table.index[gap.to_numpy()]]
        return pd.DataFrame(rows, columns=["hub", "stream", "month"])

    def summary_record(self) -> dict:
        """JSON-ready: the span and every month not supplied, per stream and per hub."""
        hub_gaps = self.hub_gaps()
        return {
            "first_month": str(self.span[0]) if len(self.span) else None,
            "last_month": str(self.span[-1]) if len(self.span) else None,
            "months_in_span": len(self.span),
            "months_not_supplied": {stream: [str(m) for m in self.missing(stream=stream)] for stream in STREAMS},
            "hub_months_not_supplied": [
                {"hub": r.hub, "stream": r.stream, "month": str(r.month)} for r in hub_gaps.itertuples()
            ],
        }

    def describe(self, start: pd.Period, end: pd.Period, hubs=None, streams=STREAMS) -> str:
        """One sentence on what is missing in a period, or an empty string when nothing is."""
        months = pd.period_range(start, end, freq="M")
        missing = self.missing_any(start, end, hubs, streams)
        if not missing:
            return ""
        return f"{len(missing)} of these {len(months)} months not supplied: {month_ranges(missing)}."


def _empty() -> Coverage:
    span = pd.PeriodIndex([], freq="M")
    force = pd.DataFrame({s: pd.Series(dtype="bool") for s in STREAMS}, index=span)
    return Coverage(span, force, {s: pd.DataFrame(index=span) for s in STREAMS})


def compute_coverage(incidents: pd.DataFrame, hubs: list[str] | None = None) -> Coverage:
    """Coverage from accepted incident records (``month``, ``is_asb``, ``hub``).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Every accepted record of the folder (never a filtered subset: a filter is not a gap).
    hubs : list of str, optional
        The hubs to judge (default: those in ``incidents``); Unassigned always follows the force.

    Returns
    -------
    Coverage
    """
    if incidents.empty:
        return _empty()
    hub = incidents["hub"].astype("str") if "hub" in incidents.columns else pd.Series("", index=incidents.index)
    rows = pd.DataFrame({"hub": hub.to_numpy(), "month": incidents["month"].array, "is_asb": incidents["is_asb"]})
    counts = rows.groupby(["hub", "month", "is_asb"], sort=False).size().rename("records").reset_index()
    return coverage_from_counts(counts, hubs)


def coverage_from_counts(counts: pd.DataFrame, hubs: list[str] | None = None) -> Coverage:
    """Coverage from records counted per hub, month and stream (``hub, month, is_asb, records``).

    The same as :func:`compute_coverage` of the rows counted: what
    :meth:`analysis.load.records.Records.count` gives for ``["hub", "month", "is_asb"]``.
    """
    counts = counts.loc[counts["records"] > 0]
    if counts.empty:
        return _empty()
    month = pd.PeriodIndex(counts["month"], freq="M")
    span = pd.period_range(month.min(), month.max(), freq="M")
    hub = counts["hub"].astype("str")
    if hubs is None:
        hubs = sorted(set(hub.unique()) - {UNASSIGNED, ""})
    stream = np.where(counts["is_asb"].to_numpy(dtype=bool), "asb", "crime")
    frame = pd.DataFrame(
        {"hub": hub.to_numpy(), "month": month, "stream": stream, "records": counts["records"].to_numpy()}
    )
    by_hub: dict[str, pd.DataFrame] = {}
    force_columns = {}
    for s in STREAMS:
        rows = frame.loc[frame["stream"] == s]
        force_columns[s] = rows.groupby("month")["records"].sum().reindex(span, fill_value=0).to_numpy() > 0
        table = (
            rows.groupby(["month", "hub"])["records"].sum().unstack("hub", fill_value=0)
            if len(rows)
            else pd.DataFrame()
        )
        table = table.reindex(index=span, columns=hubs, fill_value=0)
        # A hub's usual level: its mean over the force's supplied months in which it had records.
        usual = table.where(table > 0)[force_columns[s]].mean()
        gap = (table.to_numpy() == 0) & (usual.to_numpy() >= HUB_GAP_MEAN)[None, :]
        by_hub[s] = pd.DataFrame(force_columns[s][:, None] & ~gap, index=span, columns=hubs)
    force = pd.DataFrame(force_columns, index=span)
    return Coverage(span, force, by_hub)


def coverage_table(counted: pd.DataFrame, coverage: Coverage) -> pd.DataFrame:
    """One row per month of the span: crime and ASB records, NaN where that stream was not supplied.

    Parameters
    ----------
    counted : pandas.DataFrame
        Every record counted per month and stream (``month, is_asb, records``), as
        :meth:`analysis.load.records.Records.count` gives them for ``["month", "is_asb"]``.
    coverage : Coverage
        What was supplied.

    Returns
    -------
    pandas.DataFrame
        ``month, crime, asb, crime_supplied, asb_supplied, hubs_not_supplied`` (the hubs with a
        stream missing in a month the force supplied, "" when none).
    """
    span = coverage.span
    is_asb = counted["is_asb"].to_numpy(dtype=bool)
    month = pd.PeriodIndex(counted["month"], freq="M")
    counts = {
        s: counted["records"][chosen].groupby(month[chosen]).sum().reindex(span, fill_value=0)
        for s, chosen in (("crime", ~is_asb), ("asb", is_asb))
    }
    table = pd.DataFrame(
        {
            "month": span,
            **{s: counts[s].astype("float64").where(coverage.force[s]).to_numpy() for s in STREAMS},
            **{f"{s}_supplied": coverage.force[s].to_numpy() for s in STREAMS},
        }
    )
    gaps = coverage.hub_gaps()
    per_month = (
        gaps.assign(label=gaps["hub"] + " (" + gaps["stream"].map({"asb": "ASB", "crime": "crime"}) + ")")
        .groupby("month")["label"]
        .agg(", ".join)
        if len(gaps)
        else pd.Series(dtype="str")
    )
    return table.assign(hubs_not_supplied=table["month"].map(per_month).fillna("").astype("str"))
