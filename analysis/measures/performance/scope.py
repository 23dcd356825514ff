"""What the Hub performance page compares: the chosen hubs, the crime types, and the records left out.

No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.load.records import Records, Where
from analysis.schema import ASB, UNASSIGNED

__all__ = ["Scope", "scope"]


@dataclass(frozen=True)
class Scope:
    """The page's hubs (never Unassigned) and crime types, and how many chosen records are in no hub."""

    hubs: tuple[str, ...]
    crime_types: tuple[str, ...]
    unplaced: int

    @property
    def other_types(self) -> list[str]:
        """The chosen crime types except ASB: what "crime" counts."""
        return [t for t in self.crime_types if t != ASB]

    @property
    def measures(self) -> list[str]:
        """The measures that can be compared: "ASB" when it is chosen, "Crime" when another type is."""
        return (["ASB"] if ASB in self.crime_types else []) + (["Crime"] if self.other_types else [])

    def caption(self, period: str, note: str) -> str:
        """The page's first line: period, hubs, what crime means, ``note``, and the records left out."""
        unplaced = self.unplaced
        return (
            f"**{period}**, {len(self.hubs)} hub(s). Crime means the chosen crime types except ASB "
            f"({len(self.other_types)} type(s)). {note}"
            + (f" {unplaced:,} chosen records are not placed in any hub and are left out here." if unplaced else "")
        )


def scope(
    records: Records, hubs: tuple[str, ...], crime_types: tuple[str, ...], start: pd.Period, end: pd.Period
) -> Scope:
    """The scope of the chosen ``hubs`` (Unassigned among them counts the records in no hub), types and months.

    Examples
    --------
    >>> from analysis.load.records import FrameRecords
    >>> rows = pd.DataFrame({"month": pd.PeriodIndex(["2020-01"] * 3, freq="M"), "hub": ["A", UNASSIGNED, UNASSIGNED],
    ...                      "crime_type": [ASB, ASB, "Drugs"]})
    >>> scope(FrameRecords(rows), ("A", UNASSIGNED), (ASB,), pd.Period("2020-01", "M"), pd.Period("2020-01", "M"))
    Scope(hubs=('A',), crime_types=('Anti-social behaviour',), unplaced=1)
    """
    unplaced = records.total(Where(start, end, (UNASSIGNED,), tuple(crime_types))) if UNASSIGNED in hubs else 0
    return Scope(tuple(h for h in hubs if h != UNASSIGNED), tuple(crime_types), unplaced)
