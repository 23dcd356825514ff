"""The counts as a hub x month matrix per outcome, with each hub's launch month."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.schema import UNASSIGNED
from analysis.stats.evaluation.results import (
    InsufficientData,
)


@dataclass(frozen=True)
class _Panel:
    """One outcome as a hub x month matrix (NaN = no data for that hub and month)."""

    outcome: str
    hubs: tuple[str, ...]
    months: pd.PeriodIndex  # contiguous, first to last month in the data
    y: np.ndarray  # shape (len(hubs), len(months))
    launch: dict[str, pd.Period | None]  # launch month per hub (None = unknown)
    launched: dict[str, str | None]  # launch date as ISO text, for reporting

    def index(self, month: pd.Period) -> int:
        return (month - self.months[0]).n

    def with_y(self, y: np.ndarray) -> _Panel:
        return _Panel(self.outcome, self.hubs, self.months, y, self.launch, self.launched)


def _as_period(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.PeriodDtype):
        return values.dt.asfreq("M")
    return pd.to_datetime(values.astype("str")).dt.to_period("M")


def _check_columns(frame: pd.DataFrame, name: str, columns: Iterable[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"`{name}` must be a pandas DataFrame, got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"`{name}` is missing the column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, frame.columns)) or 'no columns'}."
        )


def _launch_table(hubs: pd.DataFrame) -> tuple[dict[str, pd.Period | None], dict[str, str | None]]:
    _check_columns(hubs, "hubs", ("hub", "launched"))
    launched = pd.to_datetime(hubs["launched"], errors="coerce")
    months: dict[str, pd.Period | None] = {}
    iso: dict[str, str | None] = {}
    for hub, date in zip(hubs["hub"].astype("str"), launched, strict=True):
        if hub == UNASSIGNED:
            continue
        months[hub] = None if pd.isna(date) else date.to_period("M")
        iso[hub] = None if pd.isna(date) else date.date().isoformat()
    return months, iso


@dataclass(frozen=True)
class _Counts:
    """The counts table parsed once: hub and month codes, crime types and counts."""

    hubs: tuple[str, ...]
    months: pd.PeriodIndex
    hub_code: np.ndarray
    month_code: np.ndarray
    crime_type: np.ndarray
    count: np.ndarray
    present: np.ndarray  # hub x month: any row at all
    launch: dict[str, pd.Period | None]
    launched: dict[str, str | None]

    def has(self, outcome: str) -> bool:
        return bool(np.any(self.crime_type == outcome))

    def panel(self, outcome: str) -> _Panel:
        # A hub-month present in the data for any crime type, but with no row for
        # this outcome, is a zero (the grid is full); absent entirely, it is unknown.
        y = np.where(self.present, 0.0, np.nan)
        mine = self.crime_type == outcome
        np.add.at(y, (self.hub_code[mine], self.month_code[mine]), self.count[mine])
        return _Panel(outcome, self.hubs, self.months, y, self.launch, self.launched)


def _parse(counts: pd.DataFrame, hubs: pd.DataFrame) -> _Counts:
    """Check and parse the counts and hubs tables; Unassigned is dropped."""
    _check_columns(counts, "counts", ("hub", "month", "crime_type", "count"))
    launch, launched = _launch_table(hubs)
    frame = counts.loc[counts["hub"].astype("str") != UNASSIGNED, ["hub", "month", "crime_type", "count"]]
    if frame.empty:
        raise InsufficientData("There are no monthly counts for any hub, so there is nothing to evaluate.")
    hub_text = frame["hub"].astype("str")
    month = _as_period(frame["month"])
    ordinals = month.array.asi8
    months = pd.period_range(month.min(), month.max(), freq="M")
    hub_names = tuple(sorted(set(hub_text.unique()) | set(launch)))
    hub_code = pd.Categorical(hub_text, categories=list(hub_names)).codes.astype(np.int64)
    month_code = ordinals - months[0].ordinal
    present = np.zeros((len(hub_names), len(months)), dtype=bool)
    present[hub_code, month_code] = True
    for hub in hub_names:
        launch.setdefault(hub, None)
        launched.setdefault(hub, None)
    return _Counts(
        hubs=hub_names,
        months=months,
        hub_code=hub_code,
        month_code=month_code,
        crime_type=frame["crime_type"].astype("str").to_numpy(dtype=object),
        count=pd.to_numeric(frame["count"]).to_numpy(dtype=float),
        present=present,
        launch=launch,
        launched=launched,
    )


def _panel(counts: pd.DataFrame, hubs: pd.DataFrame, outcome: str) -> _Panel:
    """Build the hub x month matrix of ``outcome`` counts, Unassigned excluded."""
    return _parse(counts, hubs).panel(outcome)


def _known_launches(panel: _Panel) -> dict[str, pd.Period]:
    return {h: m for h, m in panel.launch.items() if m is not None and h in panel.hubs}


_NO_LAUNCH = "No hub has a launch date, so there is no 'before' and 'after' to compare; add launch dates to hubs.csv."
