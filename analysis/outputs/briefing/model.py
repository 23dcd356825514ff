"""What a briefing is: its screens, and what the title and method pages say."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from analysis.outputs.briefing.words import month_span

__all__ = ["GENERATED_NOTE", "LOCATION_NOTE", "Briefing", "Screen"]

#: Said wherever places appear: police.uk points are approximate.
LOCATION_NOTE = (
    "police.uk locations are approximate (moved to a nearby anonymous point, never an address), "
    "so nothing here is finer than a neighbourhood (LSOA)."
)
#: The note on every screen of a generated sample.
GENERATED_NOTE = "Generated sample data: not real."


@dataclass(frozen=True)
class Screen:
    """One screen of the briefing: one idea.

    Attributes
    ----------
    key : str
        Stable slug, used for file names and widget keys.
    title : str
        The heading.
    sentence : str
        One plain sentence computed from the data.
    summary : str
        What the chart shows, in words (alt text and caption).
    figure : plotly Figure or None
        None for a screen that is a table only.
    table : pandas.DataFrame
        The table view: the numbers behind the chart, public-safe in public mode.
    notes : tuple of str
        Caveats printed under the chart (generated data, suppression, locations).
    """

    key: str
    title: str
    sentence: str
    summary: str
    figure: go.Figure | None
    table: pd.DataFrame
    notes: tuple[str, ...] = ()

    @property
    def other_notes(self) -> tuple[str, ...]:
        """The notes but the generated-data one (the projector shows that as a badge)."""
        return tuple(note for note in self.notes if note != GENERATED_NOTE)


@dataclass(frozen=True)
class Briefing:
    """Every screen plus what the title and method pages say."""

    area: str
    start: pd.Period
    end: pd.Period
    last_month: pd.Period
    sources: tuple[str, ...]
    generated: bool
    public: bool
    screens: tuple[Screen, ...]
    method: tuple[str, ...]

    @property
    def months(self) -> int:
        """Months in the briefing period."""
        return (self.end - self.start).n + 1

    @property
    def period_label(self) -> str:
        """E.g. 'January 2020 to December 2020 (12 months)'."""
        return f"{month_span(self.start, self.end)} ({self.months} months)"

    @property
    def mode_label(self) -> str:
        """Public or internal, in words."""
        if self.public:
            return "Public version: counts below 10 are hidden and small-area counts rounded."
        return "INTERNAL version: exact small numbers. Not for public display."

    @property
    def file_stem(self) -> str:
        """What the pack's files are called: 'briefing-2020-12-public'."""
        return f"briefing-{self.end}-{'public' if self.public else 'internal'}"
