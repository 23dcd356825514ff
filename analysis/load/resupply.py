"""A force's month supplied by two files: which one is loaded (the rule both loaders follow).

police.uk re-supplies a month with later outcomes, so a folder may hold two downloads of one month.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Resupply", "resupplied_months"]

_NAMED_MONTH = re.compile(r"(\d{4}-\d{2})-[^/]*street[^/]*\.csv$", re.IGNORECASE)
#: A file holds a month when at least this share of its rows are of that month (a stray row is not a supply).
_MONTH_SHARE = 0.1


def _same_supply(first: str, second: str, first_ids: set[str], second_ids: set[str]) -> bool:
    """True when two files holding a force's month are two downloads of it.

    So when both are police.uk's file for that month (named ``YYYY-MM-<force>-street.csv``), or
    when most of the crimes of the smaller one are in the other.
    """
    if _NAMED_MONTH.search(first) and _NAMED_MONTH.search(second):
        return True
    smaller = min(len(first_ids), len(second_ids))
    return smaller > 0 and len(first_ids & second_ids) >= 0.5 * smaller


@dataclass(frozen=True)
class Resupply:
    """A force's month held by two files that are two downloads of it: ``loser``'s rows of it are rejected."""

    force: str
    month: str
    winner: str
    loser: str

    @property
    def reason(self) -> str:
        """Why each of the loser's rows of the month is rejected."""
        who = self.force.strip() or "the force"
        return (
            f"{self.month} of {who} is also in {self.winner}, which is loaded instead "
            "(the newer download wins: police.uk re-supplies months with later outcomes)"
        )

    def loser_note(self, rows: int) -> str:
        """The note on the loser's report."""
        return f"skipped {self.month} ({rows:,} rows): the same month is loaded from {self.winner}"

    @property
    def winner_note(self) -> str:
        """The note on the winner's report."""
        return f"{self.month} is also in {self.loser}, which was skipped: this one wins"


def resupplied_months(
    months: list[tuple[str, str, str, int]],
    modified: Callable[[str], float],
    crime_ids: Callable[[str, str, str], set[str]],
) -> list[Resupply]:
    """Which file's month is rejected because another file holds the same month (the rule of both loaders).

    Parameters
    ----------
    months : list of (force, month, file, rows)
        The accepted rows of each file by ``Falls within`` and ``Month`` (as written), files in
        load order and each file's months in order of first appearance.
    modified : callable
        When a file was last changed (seconds since the epoch).
    crime_ids : callable
        The non-blank Crime IDs of a file's rows of a force's month: ``crime_ids(file, force, month)``.

    Returns
    -------
    list of Resupply
        In the order the clashes first appear; for each, the loser's notes and rows follow.

    A file holds a month when at least :data:`_MONTH_SHARE` of its rows are of it, and a file
    named for its month (police.uk's ``YYYY-MM-<force>-street.csv``) holds only that month.
    Two files holding one force's month are two downloads of it when both carry police.uk's
    name for it, or when they share most of their crimes; a month split across differently
    named files is kept whole. The newer file wins (police.uk re-supplies months with later
    outcomes), then the one with more rows, then the first by name.
    """
    totals: dict[str, int] = {}
    for _, _, name, rows in months:
        totals[name] = totals.get(name, 0) + rows
    groups: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for force, month, name, rows in months:
        if rows / totals[name] < _MONTH_SHARE:
            continue
        named = _NAMED_MONTH.search(name)
        if named is not None and named.group(1) != month.strip():
            continue
        groups.setdefault((force, month), []).append((name, rows))
    found = []
    for (force, month), files in groups.items():
        if len(files) < 2:
            continue
        ranked = sorted(files, key=lambda f: (-modified(f[0]), -f[1], f[0]))
        winner = ranked[0][0]
        winner_ids: set[str] | None = None
        for loser, _ in ranked[1:]:
            if not (_NAMED_MONTH.search(winner) and _NAMED_MONTH.search(loser)):
                if winner_ids is None:
                    winner_ids = crime_ids(winner, force, month)
                if not _same_supply(winner, loser, winner_ids, crime_ids(loser, force, month)):
                    continue  # one month split across files (not two downloads of it): both are kept
            found.append(Resupply(force, month, winner, loser))
    return found
