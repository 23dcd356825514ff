"""The briefing's period, the same months a year before, and the counts it may publish.

The period is the latest months whose ASB was supplied for every hub; the comparison is
the same months a year before, when they were supplied. :class:`Frame` carries both, the
ASB counts (hub, month, LSOA) and the hub counts as published (disclosed in public mode) to every screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import DataProblem
from analysis.load.coverage import Coverage, month_ranges
from analysis.load.dataset import Dataset
from analysis.load.records import Where
from analysis.outputs.briefing.model import GENERATED_NOTE
from analysis.outputs.briefing.words import month_span, month_words
from analysis.outputs.disclosure import SUPPRESSED_LABEL, disclose_arrays
from analysis.schema import ASB, UNASSIGNED

__all__ = [
    "ASB_BY",
    "Frame",
    "Published",
    "before_window",
    "briefing_period",
    "make_frame",
    "monthly_asb",
    "monthly_by_hub",
    "publish",
]


#: What the briefing counts ASB records by: its hub and month totals and its neighbourhoods.
ASB_BY = ["month", "hub", "lsoa_code", "lsoa_name"]


@dataclass(frozen=True)
class Published:
    """Counts by label (hubs, months) and their total, as the briefing may show them.

    In public mode the numbers go through :func:`~analysis.outputs.disclosure.disclose` with
    the total published, so a hidden count cannot be worked out from the rest.
    """

    exact: pd.Series
    hidden: pd.Series
    labels: pd.Series
    total: int
    total_hidden: bool
    total_label: str

    @property
    def shown(self) -> pd.Series:
        """The counts as floats, NaN where hidden."""
        return self.exact.astype("float64").mask(self.hidden)

    def largest_first(self, names: list[str]) -> list[str]:
        """``names`` by count, largest first, hidden counts last (ties keep their order)."""
        return sorted(names, key=lambda name: 1 if self.hidden[name] else -int(self.exact[name]))

    def values_of(self, names: list[str]) -> list[int | None]:
        """The counts of ``names`` as a chart draws them: None where hidden."""
        return [None if self.hidden[name] else int(self.exact[name]) for name in names]


def publish(counts: pd.Series, public: bool, *, with_total: bool = True) -> Published:
    """Counts (hubs or months) with their total; in public mode, disclosed.

    Records placed in no hub describe no area, so their count is never suppressed for
    being small, but it can be withheld to protect a small hub.
    """
    exact = counts.astype("int64")
    total = int(exact.sum())
    if not public:
        labels = exact.map("{:,}".format)
        return Published(exact, pd.Series(False, index=exact.index), labels, total, False, f"{total:,}")
    # The arrays behind disclose(exact.to_frame("n"), column_totals=with_total, exempt=...): the same answer.
    exempt = np.append(exact.index == UNASSIGNED, False if with_total else [])[:, None].astype(bool)
    hidden, labels = disclose_arrays(exact.to_numpy()[:, None], exempt=exempt, column_totals=with_total)
    cells = slice(None, len(exact))
    hidden_cells = pd.Series(hidden[cells, 0], index=exact.index, name="n")
    label_cells = pd.Series(labels[cells, 0], index=exact.index, name="n", dtype="str")
    if not with_total:
        return Published(exact, hidden_cells, label_cells, total, True, SUPPRESSED_LABEL)
    return Published(exact, hidden_cells, label_cells, total, bool(hidden[-1, 0]), str(labels[-1, 0]))


@dataclass(frozen=True)
class Frame:
    """What every screen builder needs: the data, the period and the hub counts it may publish."""

    dataset: Dataset
    public: bool
    start: pd.Period
    end: pd.Period
    before: pd.PeriodIndex | None
    hubs: list[str]
    force: str | None
    #: ASB records counted by :data:`ASB_BY` (``month, hub, lsoa_code, lsoa_name, records``).
    asb: pd.DataFrame
    hubs_this: Published
    hubs_before: Published | None
    #: Why there is no year-before window ("" when there is one).
    before_reason: str = ""
    #: What the period leaves out because it was not supplied ("" when nothing).
    period_note: str = ""

    @property
    def area(self) -> str:
        """The area in a sentence: 'the Cumbria Constabulary area'."""
        return f"the {self.force} area" if self.force else "the hub areas"

    @property
    def period(self) -> pd.PeriodIndex:
        """The months of the briefing."""
        return pd.period_range(self.start, self.end, freq="M")

    @property
    def n(self) -> int:
        """How many months the briefing covers."""
        return len(self.period)

    @property
    def in_words(self) -> str:
        """'in the 12 months to December 2020' or 'in December 2020'."""
        if self.n == 1:
            return f"in {month_words(self.end)}"
        return f"in the {self.n} months to {month_words(self.end)}"

    @property
    def span_words(self) -> str:
        """The period for a chart axis or legend: 'the 12 months to December 2020' or 'December 2020'."""
        return self.in_words.removeprefix("in ")

    @property
    def generated_note(self) -> tuple[str, ...]:
        """The generated-data note, when the data is a generated sample."""
        return (GENERATED_NOTE,) if self.dataset.is_generated else ()

    def hidden_hubs(self) -> set[str]:
        """Hubs whose count is hidden this period or a year before."""
        hidden = set(self.hubs_this.hidden[self.hubs_this.hidden].index)
        if self.hubs_before is not None:
            hidden |= set(self.hubs_before.hidden[self.hubs_before.hidden].index)
        return hidden


def monthly_by_hub(asb: pd.DataFrame, hubs: list[str], months: pd.PeriodIndex) -> pd.DataFrame:
    """ASB per hub and month over ``months`` (zeros included), hubs (and Unassigned) as columns.

    ``asb`` is ASB records counted by :data:`ASB_BY` (``Frame.asb``). Only for months whose ASB
    was supplied (the briefing's period and comparison window are chosen so); :func:`monthly_asb`
    is the gap-aware series for the trend.
    """
    rows = asb[asb["month"].isin(months)]
    counts = rows.groupby([rows["month"], rows["hub"].astype("str")])["records"].sum().unstack(fill_value=0)
    return counts.reindex(index=months, columns=[*hubs, UNASSIGNED], fill_value=0)


def monthly_asb(frame: Frame, months: pd.PeriodIndex) -> pd.Series:
    """Area-wide ASB per month, NaN where ASB was not supplied (a gap, never a zero)."""
    monthly = monthly_by_hub(frame.asb, frame.hubs, months).sum(axis=1).astype("float64")
    supplied = frame.dataset.coverage.supplied("asb", None, months).to_numpy()
    return monthly.where(supplied)


def _asb_gaps(coverage: Coverage, hubs: list[str], start: pd.Period, end: pd.Period) -> pd.PeriodIndex:
    """``coverage.missing_any(start, end, hubs, streams=("asb",))`` as a PeriodIndex, read in one go."""
    months = pd.period_range(start, end, freq="M")
    return months[coverage.missing_in(months, hubs, ("asb",))]


def briefing_period(coverage: Coverage, hubs: list[str], months: int) -> tuple[pd.Period, pd.Period, str]:
    """The last ``months`` months whose ASB was supplied for every hub, ending at the last such month.

    A period with a month not supplied would give totals that look complete but are not, so
    the period stops after the last gap, and the returned note says so. When the data's last
    months lack ASB for some hub (a folder of several forces, one of which supplied later months),
    the period ends at the last month supplied for every hub, and the note says so too.
    """
    span = list(coverage.span)
    missing = set(_asb_gaps(coverage, hubs, span[0], span[-1])) if span else set()
    complete = [m for m in span if m not in missing]
    if not complete:
        raise DataProblem("No month has ASB supplied for every hub, so there is no period to brief on.")
    end = complete[-1]
    start = end - (min(months, span.index(end) + 1) - 1)
    notes = []
    if end != span[-1]:
        later = list(_asb_gaps(coverage, hubs, end + 1, span[-1]))
        notes.append(
            f"The briefing ends at {month_words(end)}: ASB for {month_ranges(later)} was not supplied for every hub."
        )
    gaps = list(_asb_gaps(coverage, hubs, start, end))
    if gaps:
        shortened = max(gaps) + 1
        notes.insert(
            0,
            f"The briefing covers {month_span(shortened, end)} only: ASB for "
            f"{month_ranges(gaps)} was not supplied, and a total across a missing month would look complete "
            "but be short.",
        )
        start = shortened
    return start, end, " ".join(notes)


def before_window(coverage: Coverage, hubs: list[str], start: pd.Period, end: pd.Period):
    """The same months a year before, or None and the reason (a month not supplied, or before the data)."""
    before = pd.period_range(start - 12, end - 12, freq="M")
    gaps = list(_asb_gaps(coverage, hubs, before[0], before[-1]))
    if not gaps:
        return before, ""
    if before[-1] < coverage.span[0]:
        return None, f"the data start in {month_words(coverage.span[0])}, so there is no year before to compare with"
    return (
        None,
        f"the same months a year before were not supplied ({month_ranges(gaps)}), so there is nothing to compare",
    )


def _force(dataset: Dataset) -> str | None:
    """The police force the records fall within (the most common), or None."""
    counts = dataset.records.count(["falls_within"])
    counts = counts[(counts["records"] > 0) & (counts["falls_within"] != "")]
    # Most records first; among equals, the first name in order (as value_counts of the rows gave it).
    return None if counts.empty else str(counts.sort_values("records", ascending=False, kind="stable").iloc[0, 0])


def make_frame(dataset: Dataset, *, public: bool, months: int) -> Frame:
    """The period, the year before and the hub counts as published, for a dataset with ASB records."""
    hubs = [str(h) for h in dataset.hubs["hub"]]
    start, end, period_note = briefing_period(dataset.coverage, hubs, months)
    before, before_reason = before_window(dataset.coverage, hubs, start, end)
    asb = dataset.records.count(ASB_BY, Where(crime_types=(ASB,)))
    hubs_this = publish(monthly_by_hub(asb, hubs, pd.period_range(start, end, freq="M")).sum(), public)
    hubs_before = publish(monthly_by_hub(asb, hubs, before).sum(), public) if before is not None else None
    return Frame(
        dataset,
        public,
        start,
        end,
        before,
        hubs,
        _force(dataset),
        asb,
        hubs_this,
        hubs_before,
        before_reason,
        period_note,
    )
